//! The float plan: what the person ashore needs if a boat does not come back, laid out after the
//! US Coast Guard's float plan form (vessel description, persons on board, departure, route,
//! expected return, "if not returned by", communications, safety gear, whom to call). Pure: built
//! from an event, its org and its vessel record; rendered as text here and as HTML by `mail`.

use crate::event::{AuditAction, CrewRole, Event};
use crate::org::Org;
use crate::vessel::{Vessel, VesselKind};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::BTreeMap;

/// The edited fields that make a new version of the plan: when the boat is due back and who is
/// aboard (and which boat).
pub const PLAN_FIELDS: [&str; 6] = [
    "returns_at",
    "departs_at",
    "crew",
    "passengers",
    "vessel",
    "vessel_id",
];

/// One line of the form: a label and its value (empty: "not recorded").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Line {
    pub label: String,
    pub value: String,
}

/// One section of the form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Section {
    pub title: String,
    pub lines: Vec<Line>,
}

/// A float plan, ready to render.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FloatPlan {
    /// "Float plan: Jada, Sunset sail, Sat 4 Jul 18:30".
    pub title: String,
    /// When the version of the plan was made: the last change to when the boat is due back or
    /// who is aboard. Sending is exactly once per (version, recipient).
    pub version_at: DateTime<Utc>,
    /// Whether an earlier version was sent: this one is an update.
    pub update: bool,
    /// The instant after which the shore contact acts: the expected return plus the org's grace.
    pub overdue_at: DateTime<Utc>,
    pub sections: Vec<Section>,
}

fn line(label: &str, value: impl Into<String>) -> Line {
    Line {
        label: label.into(),
        value: value.into(),
    }
}

fn local(at: DateTime<Utc>, org: &Org) -> String {
    at.with_timezone(&org.zone)
        .format("%a %-d %b %Y, %H:%M %Z")
        .to_string()
}

/// When the plan's current version was made: the last audited creation or edit that touched one
/// of [`PLAN_FIELDS`] (the event's creation if none did). Derived from the stored history, so
/// every invocation that reads the same event computes the same version.
pub fn version_at(event: &Event) -> DateTime<Utc> {
    event
        .audit
        .iter()
        .filter(|a| match &a.action {
            AuditAction::Created => true,
            AuditAction::Edited { fields } => {
                fields.iter().any(|f| PLAN_FIELDS.contains(&f.as_str()))
            }
            _ => false,
        })
        .map(|a| a.at)
        .max()
        .unwrap_or(event.created_at)
}

/// Builds the plan. `names` maps crew emails to display names; `sent_before` says whether an
/// earlier version went out (the caller reads it from the event's send records).
pub fn build(
    event: &Event,
    org: &Org,
    vessel: Option<&Vessel>,
    names: &BTreeMap<String, String>,
    sent_before: bool,
) -> FloatPlan {
    let overdue_at = crate::nudge::overdue_from(event, org.safety.overdue_grace());
    let v = vessel.map(|v| &v.fields);
    let or_none = |s: &str| {
        if s.trim().is_empty() {
            "not recorded".to_string()
        } else {
            s.to_string()
        }
    };
    let kind = match v.map(|v| v.kind) {
        Some(VesselKind::Truck) => "Truck",
        _ => "Boat",
    };
    let vessel_section = Section {
        title: "Vessel".into(),
        lines: vec![
            line("Name", event.vessel.clone()),
            line("Type", kind),
            line(
                "Registration / documentation no.",
                or_none(v.map_or("", |v| v.registration.as_str())),
            ),
            line(
                "Length",
                v.and_then(|v| v.length_ft)
                    .map_or("not recorded".into(), |l| format!("{l} ft")),
            ),
            line(
                "Hull colour and description",
                or_none(v.map_or("", |v| v.description.as_str())),
            ),
        ],
    };
    let mut aboard: Vec<Line> = event
        .crew
        .iter()
        .map(|c| {
            let role = match c.role {
                CrewRole::Captain => "Captain (operator)",
                CrewRole::Crew => "Crew",
            };
            let name = names
                .get(c.email.as_str())
                .cloned()
                .unwrap_or_else(|| c.email.to_string());
            line(role, name)
        })
        .collect();
    aboard.push(line(
        "Passengers",
        match event.passengers.count {
            0 => "none".to_string(),
            n => n.to_string(),
        },
    ));
    if !event.passengers.manifest.is_empty() {
        aboard.push(line(
            "Passenger names",
            event.passengers.manifest.join(", "),
        ));
    }
    if !event.passengers.emergency_contact.trim().is_empty() {
        aboard.push(line(
            "Passengers' emergency contact",
            event.passengers.emergency_contact.clone(),
        ));
    }
    aboard.push(line(
        "Total persons on board",
        event.persons_on_board().to_string(),
    ));
    let port = &org.home_port;
    let trip = Section {
        title: "Trip".into(),
        lines: vec![
            line(
                "Departing from",
                format!(
                    "{} ({:.4}, {:.4})",
                    port.name, port.latitude, port.longitude
                ),
            ),
            line("Departure", local(event.departs_at, org)),
            line(
                "Route and destination",
                format!(
                    "{} ({}). {}",
                    event.title,
                    event.template().name,
                    if event.notes.trim().is_empty() {
                        format!("Returning to {}.", port.name)
                    } else {
                        event.notes.trim().to_string()
                    }
                ),
            ),
            line("Expected return", local(event.returns_at, org)),
            line("If not returned by", local(overdue_at, org)),
        ],
    };
    let comms = Section {
        title: "Communications".into(),
        lines: vec![
            line(
                "Radio call sign",
                or_none(v.map_or("", |v| v.call_sign.as_str())),
            ),
            line("MMSI (DSC)", or_none(v.map_or("", |v| v.mmsi.as_str()))),
        ],
    };
    let gear = Section {
        title: "Safety gear".into(),
        lines: vec![line(
            "Aboard",
            or_none(v.map_or("", |v| v.safety_gear.as_str())),
        )],
    };
    let cg = &org.safety.coast_guard;
    let mut shore: Vec<Line> = org
        .safety
        .shore_contacts
        .iter()
        .map(|c| {
            line(
                "Shore contact",
                format!("{} · {} · {}", c.name, c.phone, c.email),
            )
        })
        .collect();
    let who = [cg.name.trim(), cg.phone.trim()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(", ");
    shore.push(line(
        "If overdue, call",
        if who.is_empty() {
            "the US Coast Guard on VHF channel 16, or 911".to_string()
        } else {
            format!("{who} (or VHF channel 16 / 911)")
        },
    ));
    let update_word = if sent_before { "Update: " } else { "" };
    FloatPlan {
        title: format!(
            "{update_word}Float plan: {}, {}, {}",
            event.vessel,
            event.title,
            local(event.departs_at, org)
        ),
        version_at: version_at(event),
        update: sent_before,
        overdue_at,
        sections: vec![
            vessel_section,
            Section {
                title: "Persons on board".into(),
                lines: aboard,
            },
            trip,
            comms,
            gear,
            Section {
                title: "Ashore".into(),
                lines: shore,
            },
        ],
    }
}

impl FloatPlan {
    /// The plain-text form (the email's text part; also what a printer of the page gets).
    pub fn text(&self) -> String {
        let mut out = String::new();
        out.push_str(&self.title);
        out.push('\n');
        if self.update {
            out.push_str("This replaces the float plan sent before: the return time or the persons on board changed.\n");
        }
        for s in &self.sections {
            out.push('\n');
            out.push_str(&s.title.to_uppercase());
            out.push('\n');
            for l in &s.lines {
                out.push_str(&format!("{}: {}\n", l.label, l.value));
            }
        }
        out
    }

    /// The value of the first line with `label`, for tests and the overdue alert.
    pub fn value(&self, label: &str) -> Option<&str> {
        self.sections
            .iter()
            .flat_map(|s| s.lines.iter())
            .find(|l| l.label == label)
            .map(|l| l.value.as_str())
    }
}
