//! Events (charters, sunset sails, deliveries, hauls), their crew, status and task states, and the
//! parsing that turns a request's raw fields into a valid event.

use crate::checklist::{self, Template};
use crate::email::Email;
use crate::error::ValidationErrors;
use crate::ids::{EventId, OpId, OrgId, TaskId, VesselId};
pub use crate::kinds::{CrewRole, EventKind, NudgeKind};
use crate::org::Org;
use crate::vessel::{Vessel, VesselKind};
use chrono::{DateTime, Datelike, LocalResult, NaiveDateTime, SubsecRound, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const MAX_TITLE: usize = 120;
pub const MAX_VESSEL: usize = 80;
pub const MAX_NOTES: usize = 4000;
pub const MAX_CREW: usize = 30;
/// The most names a manifest lists (the largest inspected vessels carry a few hundred).
pub const MAX_MANIFEST: usize = 500;
pub const MAX_PASSENGER_NAME: usize = 80;
pub const MAX_EMERGENCY_CONTACT: usize = 120;
/// One million dollars: a larger figure for one event is a typo.
pub const MAX_REVENUE_CENTS: i64 = 100_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum EventStatus {
    Scheduled,
    Underway,
    Completed,
    Cancelled,
}

impl EventStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            EventStatus::Scheduled => "scheduled",
            EventStatus::Underway => "underway",
            EventStatus::Completed => "completed",
            EventStatus::Cancelled => "cancelled",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CrewAssignment {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = "email"))]
    pub email: Email,
    pub role: CrewRole,
}

/// Who is aboard besides the crew: the headcount the Certificate of Inspection limits, and for a
/// charter, optionally, the names and the party's contact ashore (the float plan lists both).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Passengers {
    /// Passengers expected aboard, crew not counted.
    pub count: u32,
    /// Their names (at most `count`); empty when no manifest was given.
    #[serde(default)]
    pub manifest: Vec<String>,
    /// A person ashore to call for the party, with a phone number.
    #[serde(default)]
    pub emergency_contact: String,
}

/// The last change to one checklist task: done or undone, by whom, when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TaskState {
    pub done: bool,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = "email"))]
    pub by: Email,
    /// When the person ticked it (their device's clock, which may be offline and late to sync).
    pub at: DateTime<Utc>,
    /// When the server recorded it.
    pub recorded_at: DateTime<Utc>,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub op_id: OpId,
    /// What the person noted with the tick (a fuel reading, damage found); empty if nothing.
    #[serde(default)]
    pub note: String,
    /// Photos attached with the tick (at most 3), already in storage.
    #[serde(default)]
    pub photos: Vec<crate::photo::PhotoRef>,
}

/// The longest any event may last (a delivery or a haul: 14 days, the checklist templates'
/// `max_hours` ceiling). Whoever must see every event still underway reads departures this far back
/// (the nudge reconciliation, the weekly report, taking a removed member off crews).
pub const LONGEST_EVENT: chrono::Duration = chrono::Duration::hours(24 * 14);

/// The first instant after every time an event may have (times are refused after the year 2100):
/// the end of a listing that must reach every event ahead.
pub const AFTER_LAST_TIME: DateTime<Utc> =
    DateTime::from_timestamp_nanos(4_133_980_800_000_000_000); // 2101-01-01T00:00:00Z

impl TaskState {
    /// Whether this tick replaces `current` as the task's state. A safety checklist is worked on
    /// several phones, some offline for hours: the tick made last on its device wins, whatever
    /// order the ticks reach the server in, so a captain's "not done" made at 10:05 is not undone
    /// by a deckhand's "done" from 10:00 that syncs at 10:30. Equal times: the later arrival wins.
    /// (Device clocks are bounded by the api: not ahead of the server, at most 30 days old.)
    pub fn supersedes(&self, current: Option<&TaskState>) -> bool {
        current.is_none_or(|c| self.at >= c.at)
    }
}

/// What one audited change did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum AuditAction {
    Created,
    Edited {
        fields: Vec<String>,
    },
    Cancelled,
    /// Marked departed; with the safety-critical tasks still open that the captain (or the
    /// office) saw listed and confirmed, and how many minutes before the scheduled departure.
    Departed {
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
        open_safety_tasks: Vec<TaskId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        minutes_early: Option<i64>,
    },
    Returned,
    /// The captain signed the checklist off after the return, with these tasks still open.
    SignedOff {
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
        open_tasks: Vec<TaskId>,
    },
    /// An admin acknowledged the overdue alert: no more repeats for this return time.
    OverdueAcknowledged,
    TaskDone {
        #[cfg_attr(feature = "openapi", schema(value_type = String))]
        task: TaskId,
        /// The note made with the tick, if any.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        note: String,
        /// The photos attached with the tick, if any.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        photos: Vec<crate::photo::PhotoRef>,
    },
    TaskUndone {
        #[cfg_attr(feature = "openapi", schema(value_type = String))]
        task: TaskId,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        note: String,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        photos: Vec<crate::photo::PhotoRef>,
    },
}

/// One line of an event's audit trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub op_id: OpId,
    #[serde(flatten)]
    pub action: AuditAction,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = "email"))]
    pub by: Email,
    pub at: DateTime<Utc>,
}

/// A nudge to one crew member for one (kind, anchor instant): the record that makes it
/// exactly-once and the trail of who was reminded when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NudgeRecord {
    pub kind: NudgeKind,
    /// The departure (or return) instant the nudge was made for.
    pub anchor_at: DateTime<Utc>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = "email"))]
    pub email: Email,
    pub state: NudgeState,
    /// When the send was claimed (state `sending`) or finished (`sent`, `failed`).
    pub at: DateTime<Utc>,
    /// How it reached them: each channel is claimed, sent and recorded on its own. Records
    /// written before push existed are email.
    #[serde(default, skip_serializing_if = "NudgeChannel::is_email")]
    pub channel: NudgeChannel,
}

/// The ways a nudge reaches a person.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum NudgeChannel {
    #[default]
    Email,
    /// Web Push to every phone the person subscribed.
    Push,
}

impl NudgeChannel {
    pub fn is_email(&self) -> bool {
        *self == NudgeChannel::Email
    }

    pub fn as_str(self) -> &'static str {
        match self {
            NudgeChannel::Email => "email",
            NudgeChannel::Push => "push",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum NudgeState {
    Sending,
    Sent,
    Failed,
}

/// The captain's signature under a returned event's checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignOff {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = "email"))]
    pub by: Email,
    pub at: DateTime<Utc>,
    /// What was still open when it was signed (not done, and applying to the trip).
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub open_tasks: Vec<TaskId>,
}

/// A charter, sunset sail, delivery or haul.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub id: EventId,
    pub org_id: OrgId,
    pub kind: EventKind,
    pub title: String,
    /// The vessel's name, or the truck's for a haul (as it was when the event was last saved).
    pub vessel: String,
    /// The org's vessel record, when the vessel is one (events made before vessel records, or
    /// in an org without them, have only the name).
    #[serde(default)]
    pub vessel_id: Option<VesselId>,
    pub departs_at: DateTime<Utc>,
    pub returns_at: DateTime<Utc>,
    pub crew: Vec<CrewAssignment>,
    #[serde(default)]
    pub passengers: Passengers,
    pub notes: String,
    pub revenue_cents: Option<i64>,
    pub status: EventStatus,
    /// Bumped by every edit of the fields above; edits must name the version they were made on.
    pub version: u64,
    /// Bumped by every write of any kind (edits, ticks, nudges): the ETag's source.
    pub revision: u64,
    pub departed_at: Option<DateTime<Utc>>,
    pub returned_at: Option<DateTime<Utc>>,
    /// When an admin acknowledged the overdue alert (it holds while the return time stays).
    #[serde(default)]
    pub overdue_acknowledged_at: Option<DateTime<Utc>>,
    /// The safety-critical tasks that were open when it was marked departed, confirmed by whoever
    /// marked it (the safety report counts such departures).
    #[serde(default)]
    pub departed_open_safety_tasks: Vec<TaskId>,
    /// The captain's sign-off after the return: the checklist is closed from then on.
    #[serde(default)]
    pub signed_off: Option<SignOff>,
    pub tasks: BTreeMap<TaskId, TaskState>,
    pub audit: Vec<AuditEntry>,
    pub nudges: Vec<NudgeRecord>,
    pub created_at: DateTime<Utc>,
    pub created_by: Email,
    pub updated_at: DateTime<Utc>,
    pub updated_by: Email,
}

impl Event {
    pub fn template(&self) -> &'static Template {
        checklist::template(self.kind)
    }

    pub fn is_assigned(&self, email: &Email) -> bool {
        self.crew.iter().any(|c| &c.email == email)
    }

    pub fn crew_role_of(&self, email: &Email) -> Option<CrewRole> {
        self.crew.iter().find(|c| &c.email == email).map(|c| c.role)
    }

    /// The fields an edit may change, as they are now.
    pub fn spec(&self) -> EventSpec {
        EventSpec {
            kind: self.kind,
            title: self.title.clone(),
            vessel: self.vessel.clone(),
            vessel_id: self.vessel_id.clone(),
            departs_at: self.departs_at,
            returns_at: self.returns_at,
            crew: self.crew.clone(),
            passengers: self.passengers.clone(),
            notes: self.notes.clone(),
            revenue_cents: self.revenue_cents,
        }
    }

    /// The smallest crew this event may sail with: the vessel's when its record sets one, else
    /// the kind's template.
    pub fn crew_required(&self, vessel: Option<&Vessel>) -> u32 {
        crew_required(self.kind, self.vessel_id.as_ref(), vessel)
    }

    /// Everyone expected aboard: passengers and crew.
    pub fn persons_on_board(&self) -> u32 {
        self.passengers.count + self.crew.len() as u32
    }

    /// A strong validator for conditional requests: changes on every write of any kind.
    pub fn etag(&self) -> String {
        format!("\"{}-{}-{}\"", self.id, self.version, self.revision)
    }

    /// Builds a new, scheduled event from a valid spec.
    pub fn new(id: EventId, org_id: OrgId, spec: EventSpec, by: Email, now: DateTime<Utc>) -> Self {
        Self {
            id,
            org_id,
            kind: spec.kind,
            title: spec.title,
            vessel: spec.vessel,
            vessel_id: spec.vessel_id,
            departs_at: spec.departs_at,
            returns_at: spec.returns_at,
            crew: spec.crew,
            passengers: spec.passengers,
            notes: spec.notes,
            revenue_cents: spec.revenue_cents,
            status: EventStatus::Scheduled,
            version: 1,
            revision: 1,
            departed_at: None,
            returned_at: None,
            overdue_acknowledged_at: None,
            departed_open_safety_tasks: Vec::new(),
            signed_off: None,
            tasks: BTreeMap::new(),
            audit: Vec::new(),
            nudges: Vec::new(),
            created_at: now,
            created_by: by.clone(),
            updated_at: now,
            updated_by: by,
        }
    }

    /// Replaces the editable fields with `spec`, bumps the version, and names what changed.
    pub fn apply_spec(&mut self, spec: EventSpec, by: &Email, now: DateTime<Utc>) -> Vec<String> {
        let mut changed = Vec::new();
        macro_rules! set {
            ($field:ident) => {
                if self.$field != spec.$field {
                    changed.push(stringify!($field).to_string());
                    self.$field = spec.$field;
                }
            };
        }
        set!(kind);
        set!(title);
        set!(vessel);
        set!(vessel_id);
        set!(departs_at);
        set!(returns_at);
        set!(crew);
        set!(passengers);
        set!(notes);
        set!(revenue_cents);
        self.stamp(by, now);
        changed
    }
}

/// The smallest crew an event of `kind` on `vessel_id` may sail with: the vessel record's minimum
/// when `vessel` is that record and sets one, else the kind's template.
pub fn crew_required(
    kind: EventKind,
    vessel_id: Option<&VesselId>,
    vessel: Option<&Vessel>,
) -> u32 {
    vessel
        .filter(|v| Some(&v.id) == vessel_id)
        .and_then(|v| v.fields.min_crew)
        .unwrap_or(checklist::template(kind).min_crew)
}

impl EventSpec {
    /// What about a new event the office may well mean but must confirm: a departure already
    /// past, fewer crew than it may sail with. Field, code and message, as field errors are.
    pub fn warnings(&self, vessel: Option<&Vessel>, now: DateTime<Utc>) -> ValidationErrors {
        let mut warnings = ValidationErrors::new();
        if self.departs_at < now {
            warnings.push(
                "departs_at",
                "departure_in_past",
                format!(
                    "the departure is {} in the past",
                    crate::timing::span((now - self.departs_at).num_minutes())
                ),
            );
        }
        let required = crew_required(self.kind, self.vessel_id.as_ref(), vessel);
        let assigned = self.crew.len();
        if (assigned as u64) < u64::from(required) {
            warnings.push(
                "crew",
                "short_of_crew",
                format!(
                    "a {} needs at least {required} crew; {assigned} assigned",
                    self.kind.label()
                ),
            );
        }
        warnings
    }
}

/// A status change the event's current status does not allow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot {action} an event that is {}", from.as_str())]
pub struct TransitionError {
    pub from: EventStatus,
    pub action: &'static str,
}

impl Event {
    /// The error for a transition the current status does not allow.
    fn refused(&self, action: &'static str) -> TransitionError {
        TransitionError {
            from: self.status,
            action,
        }
    }

    /// A transition that starts from `status` only.
    fn expect_status(
        &self,
        status: EventStatus,
        action: &'static str,
    ) -> Result<(), TransitionError> {
        if self.status == status {
            Ok(())
        } else {
            Err(self.refused(action))
        }
    }

    fn stamp(&mut self, by: &Email, now: DateTime<Utc>) {
        self.version += 1;
        self.revision += 1;
        self.updated_at = now;
        self.updated_by = by.clone();
    }

    /// Scheduled → cancelled.
    pub fn cancel(&mut self, by: &Email, now: DateTime<Utc>) -> Result<(), TransitionError> {
        self.expect_status(EventStatus::Scheduled, "cancel")?;
        self.status = EventStatus::Cancelled;
        self.stamp(by, now);
        Ok(())
    }

    /// Scheduled → underway, at the actual departure time, with the safety-critical tasks still
    /// open that whoever marked it confirmed.
    pub fn depart(
        &mut self,
        at: DateTime<Utc>,
        open_safety_tasks: Vec<TaskId>,
        by: &Email,
        now: DateTime<Utc>,
    ) -> Result<(), TransitionError> {
        self.expect_status(EventStatus::Scheduled, "depart")?;
        self.status = EventStatus::Underway;
        self.departed_at = Some(at);
        self.departed_open_safety_tasks = open_safety_tasks;
        self.stamp(by, now);
        Ok(())
    }

    /// Underway → completed, at the actual return time (never before the actual departure).
    pub fn complete(
        &mut self,
        at: DateTime<Utc>,
        by: &Email,
        now: DateTime<Utc>,
    ) -> Result<(), TransitionError> {
        self.expect_status(EventStatus::Underway, "return")?;
        self.status = EventStatus::Completed;
        self.returned_at = Some(self.departed_at.map_or(at, |d| at.max(d)));
        self.stamp(by, now);
        Ok(())
    }

    /// Completed → signed off by its captain, with what was still open: the checklist is closed.
    pub fn sign_off(
        &mut self,
        open_tasks: Vec<TaskId>,
        by: &Email,
        now: DateTime<Utc>,
    ) -> Result<(), TransitionError> {
        self.expect_status(EventStatus::Completed, "sign off")?;
        if self.signed_off.is_some() {
            return Err(self.refused("sign off again"));
        }
        self.signed_off = Some(SignOff {
            by: by.clone(),
            at: now,
            open_tasks,
        });
        self.stamp(by, now);
        Ok(())
    }

    /// Whether ticks are still taken: not once cancelled or signed off.
    pub fn checklist_open(&self) -> bool {
        self.status != EventStatus::Cancelled && self.signed_off.is_none()
    }

    /// Records an admin's acknowledgement of the overdue alert; only while underway.
    pub fn acknowledge_overdue(
        &mut self,
        by: &Email,
        now: DateTime<Utc>,
    ) -> Result<(), TransitionError> {
        self.expect_status(EventStatus::Underway, "acknowledge the overdue alert of")?;
        self.overdue_acknowledged_at = Some(now);
        self.stamp(by, now);
        Ok(())
    }

    /// Whether the spec may still change: not once cancelled or completed.
    pub fn editable(&self) -> bool {
        matches!(self.status, EventStatus::Scheduled | EventStatus::Underway)
    }

    /// Takes `email` off the crew (they left the org), if the event can still change and they are
    /// on it; stamped like an edit. False when nothing changed.
    pub fn drop_from_crew(&mut self, email: &Email, by: &Email, now: DateTime<Utc>) -> bool {
        if !self.editable() || self.crew_role_of(email).is_none() {
            return false;
        }
        self.crew.retain(|c| &c.email != email);
        self.stamp(by, now);
        true
    }
}

/// The editable fields of an event, all valid together.
#[derive(Debug, Clone, PartialEq)]
pub struct EventSpec {
    pub kind: EventKind,
    pub title: String,
    pub vessel: String,
    pub vessel_id: Option<VesselId>,
    pub departs_at: DateTime<Utc>,
    pub returns_at: DateTime<Utc>,
    pub crew: Vec<CrewAssignment>,
    pub passengers: Passengers,
    pub notes: String,
    pub revenue_cents: Option<i64>,
}

/// The raw fields of an event as a request carries them, before parsing. Times are RFC 3339
/// instants with an offset (`2026-07-04T19:30:00-07:00`) or local wall-clock times in the org's
/// zone (`2026-07-04T19:30`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventFields {
    pub kind: String,
    pub title: String,
    /// The vessel (or truck) by name: one of the org's vessel records by name, or, in an org
    /// that keeps no records, free text. May be left out when `vessel_id` is given.
    #[serde(default)]
    pub vessel: String,
    /// One of the org's vessels (`GET /api/vessels`); its name becomes the event's vessel.
    #[serde(default)]
    pub vessel_id: Option<String>,
    pub departs_at: String,
    pub returns_at: String,
    #[serde(default)]
    pub crew: Vec<CrewFields>,
    /// Passengers expected aboard (crew not counted); at most the vessel's COI limit. Only the
    /// kinds that carry passengers (charters, sunset sails) may have any.
    #[serde(default)]
    pub passenger_count: Option<u32>,
    /// The passengers' names, for the float plan; at most `passenger_count`.
    #[serde(default)]
    pub manifest: Vec<String>,
    /// A person ashore to call for the party, with a phone number; up to 120 characters.
    #[serde(default)]
    pub emergency_contact: String,
    #[serde(default)]
    pub notes: String,
    #[serde(default)]
    pub revenue_cents: Option<i64>,
    /// The warnings (`departure_in_past`, `short_of_crew`) the office saw and confirms, when
    /// creating: an unconfirmed one answers 409 `/problems/unconfirmed-warnings` listing them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub confirm: Vec<String>,
}

/// The codes of [`EventSpec::warnings`], which `EventFields::confirm` may name.
pub const WARNINGS: [&str; 2] = ["departure_in_past", "short_of_crew"];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CrewFields {
    pub email: String,
    pub role: CrewRole,
}

/// A partial edit; absent fields keep their value. `revenue_cents: null` clears the revenue.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventPatch {
    pub kind: Option<String>,
    pub title: Option<String>,
    pub vessel: Option<String>,
    /// A vessel record; `null` unlinks it (the vessel is then `vessel`, by name).
    #[serde(default, with = "double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub vessel_id: Option<Option<String>>,
    pub departs_at: Option<String>,
    pub returns_at: Option<String>,
    pub crew: Option<Vec<CrewFields>>,
    pub passenger_count: Option<u32>,
    pub manifest: Option<Vec<String>>,
    pub emergency_contact: Option<String>,
    pub notes: Option<String>,
    #[serde(default, with = "double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub revenue_cents: Option<Option<i64>>,
}

impl EventPatch {
    /// The names of the fields this patch touches.
    pub fn touched(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.kind.is_some() {
            out.push("kind");
        }
        if self.title.is_some() {
            out.push("title");
        }
        if self.vessel.is_some() {
            out.push("vessel");
        }
        if self.vessel_id.is_some() {
            out.push("vessel_id");
        }
        if self.passenger_count.is_some() || self.manifest.is_some() {
            out.push("passengers");
        }
        if self.emergency_contact.is_some() {
            out.push("emergency_contact");
        }
        if self.departs_at.is_some() {
            out.push("departs_at");
        }
        if self.returns_at.is_some() {
            out.push("returns_at");
        }
        if self.crew.is_some() {
            out.push("crew");
        }
        if self.notes.is_some() {
            out.push("notes");
        }
        if self.revenue_cents.is_some() {
            out.push("revenue_cents");
        }
        out
    }

    /// Applies the patch to `current` and parses the result as a whole, so cross-field rules
    /// (return after departure) hold after every edit.
    pub fn apply(
        &self,
        current: &Event,
        org: &Org,
        vessels: &[Vessel],
    ) -> Result<EventSpec, ValidationErrors> {
        let mut fields = EventFields {
            kind: current.kind.as_str().to_string(),
            title: current.title.clone(),
            vessel: current.vessel.clone(),
            vessel_id: current.vessel_id.as_ref().map(|v| v.as_str().to_string()),
            passenger_count: Some(current.passengers.count),
            manifest: current.passengers.manifest.clone(),
            emergency_contact: current.passengers.emergency_contact.clone(),
            departs_at: current.departs_at.to_rfc3339(),
            returns_at: current.returns_at.to_rfc3339(),
            crew: current
                .crew
                .iter()
                .map(|c| CrewFields {
                    email: c.email.as_str().to_string(),
                    role: c.role,
                })
                .collect(),
            notes: current.notes.clone(),
            revenue_cents: current.revenue_cents,
            confirm: Vec::new(),
        };
        if let Some(v) = &self.kind {
            fields.kind = v.clone();
        }
        if let Some(v) = &self.title {
            fields.title = v.clone();
        }
        match (&self.vessel, &self.vessel_id) {
            // A new name alone names a vessel afresh: by name, not the old record.
            (Some(v), None) => {
                fields.vessel = v.clone();
                fields.vessel_id = None;
            }
            (v, Some(id)) => {
                if let Some(v) = v {
                    fields.vessel = v.clone();
                }
                fields.vessel_id = id.clone();
            }
            (None, None) => {}
        }
        if let Some(v) = self.passenger_count {
            fields.passenger_count = Some(v);
        }
        if let Some(v) = &self.manifest {
            fields.manifest = v.clone();
        }
        if let Some(v) = &self.emergency_contact {
            fields.emergency_contact = v.clone();
        }
        if let Some(v) = &self.departs_at {
            fields.departs_at = v.clone();
        }
        if let Some(v) = &self.returns_at {
            fields.returns_at = v.clone();
        }
        if let Some(v) = &self.crew {
            fields.crew = v.clone();
        }
        if let Some(v) = &self.notes {
            fields.notes = v.clone();
        }
        if let Some(v) = self.revenue_cents {
            fields.revenue_cents = v;
        }
        // An event made before the captain rule keeps taking edits of its other fields; a change
        // of its crew or kind must then name a captain.
        let captain = self.crew.is_some() || self.kind.is_some();
        fields.parse_with(org, vessels, captain)
    }
}

/// Distinguishes an absent field from an explicit `null`.
mod double_option {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer, T: Serialize>(
        v: &Option<Option<T>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match v {
            Some(inner) => inner.serialize(s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
        d: D,
    ) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(d).map(Some)
    }
}

fn text(
    errors: &mut ValidationErrors,
    field: &str,
    raw: &str,
    min: usize,
    max: usize,
    multiline: bool,
) -> String {
    let value = raw.trim();
    let len = value.chars().count();
    if len < min || len > max {
        let what = if min == 0 {
            format!("at most {max} characters")
        } else {
            format!("{min} to {max} characters")
        };
        errors.push(field, "length", format!("{field} is {what}"));
    }
    let bad_char = value
        .chars()
        .any(|c| c.is_control() && !(multiline && (c == '\n' || c == '\t')));
    if bad_char {
        errors.push(
            field,
            "invalid_characters",
            format!("{field} has control characters"),
        );
    }
    value.to_string()
}

/// Parses a time as an RFC 3339 instant, or as a local wall-clock time in `zone`. A local time the
/// clocks skip (spring forward) is refused; one they repeat (fall back) means the first, earlier
/// instant, which is when a crew would first read that time on a wall clock.
pub fn parse_instant(raw: &str, zone: Tz) -> Result<DateTime<Utc>, ValidationErrors> {
    let raw = raw.trim();
    let invalid = || {
        ValidationErrors::single(
            "",
            "invalid_time",
            "a time is RFC 3339 (2026-07-04T19:30:00-07:00) or local (2026-07-04T19:30)",
        )
    };
    let instant = if let Ok(t) = DateTime::parse_from_rfc3339(raw) {
        t.with_timezone(&Utc)
    } else {
        let naive = NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M")
            .or_else(|_| NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S"))
            .map_err(|_| invalid())?;
        match zone.from_local_datetime(&naive) {
            LocalResult::Single(t) => t.with_timezone(&Utc),
            LocalResult::Ambiguous(first, _) => first.with_timezone(&Utc),
            LocalResult::None => {
                return Err(ValidationErrors::single(
                    "",
                    "nonexistent_local_time",
                    "that local time does not exist (the clocks skip it for daylight saving)",
                ));
            }
        }
    };
    // Whole seconds: the store's departure index sorts fixed-width second-precision strings.
    // (AFTER_LAST_TIME is the first instant past this range.)
    let instant = instant.trunc_subsecs(0);
    if !(2000..=2100).contains(&instant.year()) {
        return Err(ValidationErrors::single(
            "",
            "out_of_range",
            "a time is between the years 2000 and 2100",
        ));
    }
    Ok(instant)
}

impl EventFields {
    /// Parses every field, collecting every problem; the org supplies the zone for local times and
    /// the kinds it runs, `vessels` its vessel records (the vessel must be one of them when there
    /// are any; the passenger count must fit its Certificate of Inspection).
    pub fn parse(&self, org: &Org, vessels: &[Vessel]) -> Result<EventSpec, ValidationErrors> {
        self.parse_with(org, vessels, true)
    }

    /// [`EventFields::parse`]; `captain`: whether a kind that needs a captain must have one.
    fn parse_with(
        &self,
        org: &Org,
        vessels: &[Vessel],
        captain: bool,
    ) -> Result<EventSpec, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let kind = errors.absorb("kind", EventKind::parse(self.kind.trim()));
        if let Some(kind) = kind
            && !org.kind_enabled(kind)
        {
            errors.push(
                "kind",
                "kind_not_enabled",
                format!("{} does not run {} events", org.name, kind.label()),
            );
        }
        let title = text(&mut errors, "title", &self.title, 1, MAX_TITLE, false);
        let (vessel, record) = self.vessel(&mut errors, kind, vessels);
        let passengers = self.passengers(&mut errors, kind, record);
        let notes = text(&mut errors, "notes", &self.notes, 0, MAX_NOTES, true);
        let departs_at = errors.absorb("departs_at", parse_instant(&self.departs_at, org.zone));
        let returns_at = errors.absorb("returns_at", parse_instant(&self.returns_at, org.zone));
        if let (Some(d), Some(r)) = (departs_at, returns_at) {
            if r <= d {
                errors.push(
                    "returns_at",
                    "before_departure",
                    "return is after departure",
                );
            } else if let Some(kind) = kind {
                let max_hours = checklist::template(kind).max_hours;
                if (r - d).num_minutes() > i64::from(max_hours) * 60 {
                    errors.push(
                        "returns_at",
                        "too_long",
                        format!("a {} lasts at most {max_hours} hours", kind.label()),
                    );
                }
            }
        }
        if self.crew.len() > MAX_CREW {
            errors.push("crew", "too_many", format!("at most {MAX_CREW} crew"));
        }
        let mut crew = Vec::with_capacity(self.crew.len());
        for (i, member) in self.crew.iter().enumerate() {
            let Some(email) =
                errors.absorb(&format!("crew/{i}/email"), Email::parse(&member.email))
            else {
                continue;
            };
            if crew.iter().any(|c: &CrewAssignment| c.email == email) {
                errors.push(
                    format!("crew/{i}/email"),
                    "duplicate",
                    "this person is already on the crew",
                );
                continue;
            }
            crew.push(CrewAssignment {
                email,
                role: member.role,
            });
        }
        let captains = crew.iter().filter(|c| c.role == CrewRole::Captain).count();
        if captains > 1 {
            errors.push(
                "crew",
                "several_captains",
                "an event has at most one captain",
            );
        }
        if let Some(kind) = kind
            && captain
            && captains == 0
            && checklist::template(kind).requires_captain
        {
            errors.push(
                "crew",
                "captain_required",
                format!("a {} needs a captain", kind.label()),
            );
        }
        for (i, code) in self.confirm.iter().enumerate() {
            if !WARNINGS.contains(&code.as_str()) {
                errors.push(
                    format!("confirm/{i}"),
                    "unknown_warning",
                    format!("a confirmation names one of {}", WARNINGS.join(", ")),
                );
            }
        }
        if let Some(cents) = self.revenue_cents
            && !(0..=MAX_REVENUE_CENTS).contains(&cents)
        {
            errors.push(
                "revenue_cents",
                "range",
                "revenue is between 0 and 100000000 cents",
            );
        }
        match (kind, departs_at, returns_at, errors.is_empty()) {
            (Some(kind), Some(departs_at), Some(returns_at), true) => Ok(EventSpec {
                kind,
                title,
                vessel,
                vessel_id: record.map(|v| v.id.clone()),
                departs_at,
                returns_at,
                crew,
                passengers,
                notes,
                revenue_cents: self.revenue_cents,
            }),
            _ => Err(errors),
        }
    }
}

impl EventFields {
    /// The vessel's name and, when it is one, the org's record. By id when given; else by name
    /// among the records (case-insensitively); free text only in an org that keeps no records.
    fn vessel<'v>(
        &self,
        errors: &mut ValidationErrors,
        kind: Option<EventKind>,
        vessels: &'v [Vessel],
    ) -> (String, Option<&'v Vessel>) {
        let by_id = self
            .vessel_id
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let record = if let Some(id) = by_id {
            let found = vessels.iter().find(|v| v.id.as_str() == id);
            if found.is_none() {
                errors.push(
                    "vessel_id",
                    "unknown_vessel",
                    "this is not one of the org's vessels",
                );
                return (self.vessel.trim().to_string(), None);
            }
            found
        } else {
            let name = text(errors, "vessel", &self.vessel, 1, MAX_VESSEL, false);
            let found = vessels
                .iter()
                .find(|v| v.fields.name.to_lowercase() == name.to_lowercase());
            if found.is_none() && !vessels.is_empty() && !name.is_empty() {
                let mut names: Vec<&str> = vessels.iter().map(|v| v.fields.name.as_str()).collect();
                names.sort_unstable();
                errors.push(
                    "vessel",
                    "unknown_vessel",
                    format!(
                        "pick one of the org's vessels ({}), or add it on the Vessels screen first",
                        names.join(", ")
                    ),
                );
            }
            if found.is_none() {
                return (name, None);
            }
            found
        };
        let Some(v) = record else {
            return (self.vessel.trim().to_string(), None);
        };
        let wanted = match kind {
            Some(EventKind::Haul) => VesselKind::Truck,
            Some(_) => VesselKind::Boat,
            None => v.fields.kind,
        };
        if v.fields.kind != wanted {
            let field = if by_id.is_some() {
                "vessel_id"
            } else {
                "vessel"
            };
            let (name, needs) = match wanted {
                VesselKind::Truck => ("a haul", "a truck"),
                VesselKind::Boat => ("this kind of event", "a boat"),
            };
            errors.push(
                field,
                "wrong_vessel_kind",
                format!("{} is not {needs}: {name} needs {needs}", v.fields.name),
            );
        }
        (v.fields.name.clone(), Some(v))
    }

    /// The passengers, checked against the kind (only passenger-carrying kinds have any) and the
    /// vessel's Certificate of Inspection.
    fn passengers(
        &self,
        errors: &mut ValidationErrors,
        kind: Option<EventKind>,
        vessel: Option<&Vessel>,
    ) -> Passengers {
        let count = self.passenger_count.unwrap_or(0);
        let carries = kind.is_none_or(|k| checklist::template(k).carries_passengers);
        if let Some(k) = kind
            && !carries
        {
            if count > 0 {
                errors.push(
                    "passenger_count",
                    "no_passengers",
                    format!("a {} carries crew, not passengers", k.label()),
                );
            }
            if !self.manifest.is_empty() || !self.emergency_contact.trim().is_empty() {
                errors.push(
                    if self.manifest.is_empty() {
                        "emergency_contact"
                    } else {
                        "manifest"
                    },
                    "no_passengers",
                    format!("a {} has no passenger manifest", k.label()),
                );
            }
        }
        if let Some(limit) = vessel.and_then(|v| v.fields.coi_max_passengers)
            && count > limit
        {
            let name = vessel.map_or("", |v| v.fields.name.as_str());
            errors.push(
                "passenger_count",
                "over_coi",
                format!(
                    "{count} passengers is over the limit: the {name}'s Certificate of Inspection allows at most {limit}"
                ),
            );
        }
        if self.manifest.len() > MAX_MANIFEST {
            errors.push(
                "manifest",
                "too_many",
                format!("a manifest lists at most {MAX_MANIFEST} names"),
            );
        }
        let manifest: Vec<String> = self
            .manifest
            .iter()
            .take(MAX_MANIFEST)
            .enumerate()
            .map(|(i, name)| {
                text(
                    errors,
                    &format!("manifest/{i}"),
                    name,
                    1,
                    MAX_PASSENGER_NAME,
                    false,
                )
            })
            .collect();
        if manifest.len() > count as usize {
            errors.push(
                "manifest",
                "more_than_count",
                format!(
                    "the manifest names {} people but the passenger count is {count}",
                    manifest.len()
                ),
            );
        }
        let emergency_contact = text(
            errors,
            "emergency_contact",
            &self.emergency_contact,
            0,
            MAX_EMERGENCY_CONTACT,
            false,
        );
        Passengers {
            count,
            manifest,
            emergency_contact,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::HomePort;
    use chrono::TimeZone;

    #[test]
    fn no_kind_of_event_outlasts_longest_event() {
        for kind in EventKind::ALL {
            let longest =
                chrono::Duration::hours(i64::from(crate::checklist::template(kind).max_hours));
            assert!(longest <= LONGEST_EVENT, "{kind} may outlast LONGEST_EVENT");
        }
    }

    #[test]
    fn after_last_time_is_the_first_instant_past_the_accepted_years() {
        assert_eq!(
            AFTER_LAST_TIME,
            Utc.with_ymd_and_hms(2101, 1, 1, 0, 0, 0)
                .single()
                .expect("valid")
        );
        assert_eq!(
            (AFTER_LAST_TIME - chrono::Duration::seconds(1)).year(),
            2100
        );
    }

    fn org() -> Org {
        Org {
            id: OrgId::parse("jada").expect("valid"),
            name: "JADA".into(),
            zone: chrono_tz::America::Los_Angeles,
            home_port: HomePort {
                name: "San Diego".into(),
                latitude: 32.7157,
                longitude: -117.1611,
            },
            enabled_kinds: vec![
                EventKind::SunsetSail,
                EventKind::Charter,
                EventKind::Delivery,
            ],
            report_recipients: Default::default(),
            created_at: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
            safety: Default::default(),
            version: 1,
        }
    }

    fn fields() -> EventFields {
        EventFields {
            kind: "sunset_sail".into(),
            title: "Sunset sail".into(),
            vessel: "Jada".into(),
            departs_at: "2026-07-04T18:30".into(),
            returns_at: "2026-07-04T21:00".into(),
            crew: vec![
                CrewFields {
                    email: "cap@example.com".into(),
                    role: CrewRole::Captain,
                },
                CrewFields {
                    email: "Deck@Example.com".into(),
                    role: CrewRole::Crew,
                },
            ],
            notes: "Birthday party\nof 12".into(),
            revenue_cents: Some(250_000),
            ..Default::default()
        }
    }

    fn fleet() -> Vec<Vessel> {
        let at = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let make = |id: &str, name: &str, kind, coi, min_crew| Vessel {
            id: VesselId::parse(id).expect("valid"),
            fields: crate::vessel::VesselFields {
                name: name.into(),
                kind,
                registration: String::new(),
                length_ft: None,
                description: String::new(),
                coi_max_passengers: coi,
                min_crew,
                call_sign: String::new(),
                mmsi: String::new(),
                safety_gear: String::new(),
            },
            created_at: at,
            updated_at: at,
        };
        vec![
            make(
                "01HZZZZZZZZZZZZZZZZZZZZZZ1",
                "Jada",
                VesselKind::Boat,
                Some(12),
                Some(3),
            ),
            make(
                "01HZZZZZZZZZZZZZZZZZZZZZZ2",
                "Truck 1",
                VesselKind::Truck,
                None,
                None,
            ),
        ]
    }

    #[test]
    fn the_vessel_comes_from_the_org_records_and_bounds_the_passengers() {
        let o = org();
        let vessels = fleet();
        // By id: the name is the record's, whatever the request said.
        let mut f = fields();
        f.vessel = String::new();
        f.vessel_id = Some("01HZZZZZZZZZZZZZZZZZZZZZZ1".into());
        f.passenger_count = Some(12);
        let spec = f.parse(&o, &vessels).expect("valid");
        assert_eq!(spec.vessel, "Jada");
        assert_eq!(spec.vessel_id, Some(vessels[0].id.clone()));
        assert_eq!(spec.passengers.count, 12);
        // By name, case-insensitively: linked too.
        let mut f = fields();
        f.vessel = "JADA".into();
        let spec = f.parse(&o, &vessels).expect("valid");
        assert_eq!(spec.vessel_id, Some(vessels[0].id.clone()));
        // Minimum crew: the vessel's, else the template's.
        let mut event = Event::new(
            EventId::generate(),
            o.id.clone(),
            spec,
            Email::parse("a@example.com").expect("valid"),
            Utc::now(),
        );
        assert_eq!(event.crew_required(Some(&vessels[0])), 3);
        event.vessel_id = None;
        assert_eq!(event.crew_required(Some(&vessels[0])), 2);
        // Free text only where the org keeps no records.
        let mut f = fields();
        f.vessel = "Some other boat".into();
        assert!(f.parse(&o, &[]).is_ok());
    }

    /// Each case edits valid fields (against the fleet) and names the fields that must be reported,
    /// and a piece of the message they must carry.
    #[test]
    fn vessel_and_passenger_validation_as_data() {
        type Edit = fn(&mut EventFields);
        type Expected = &'static [(&'static str, &'static str)];
        let cases: &[(&str, Edit, Expected)] = &[
            (
                "over the COI",
                |f| f.passenger_count = Some(13),
                &[("passenger_count", "allows at most 12")],
            ),
            (
                "unknown id",
                |f| f.vessel_id = Some("01HZZZZZZZZZZZZZZZZZZZZZZ9".into()),
                &[("vessel_id", "not one of the org's vessels")],
            ),
            (
                "unknown name",
                |f| f.vessel = "Ghost".into(),
                &[("vessel", "pick one of the org's vessels (Jada, Truck 1)")],
            ),
            (
                "a truck for a sail",
                |f| f.vessel_id = Some("01HZZZZZZZZZZZZZZZZZZZZZZ2".into()),
                &[("vessel_id", "Truck 1 is not a boat")],
            ),
            (
                "passengers on a delivery",
                |f| {
                    f.kind = "delivery".into();
                    f.passenger_count = Some(2);
                },
                &[("passenger_count", "a delivery carries crew, not passengers")],
            ),
            (
                "manifest longer than the count",
                |f| {
                    f.passenger_count = Some(1);
                    f.manifest = vec!["Ana".into(), "Bo".into()];
                },
                &[("manifest", "names 2 people but the passenger count is 1")],
            ),
            (
                "blank name in the manifest",
                |f| {
                    f.passenger_count = Some(2);
                    f.manifest = vec!["Ana".into(), " ".into()];
                },
                &[("manifest/1", "1 to 80")],
            ),
            (
                "long emergency contact",
                |f| f.emergency_contact = "x".repeat(121),
                &[("emergency_contact", "at most 120")],
            ),
        ];
        for (name, edit, expected) in cases {
            let mut f = fields();
            edit(&mut f);
            let errors = f.parse(&org(), &fleet()).expect_err(name);
            let got: Vec<(&str, &str)> = errors
                .0
                .iter()
                .map(|e| (e.field.as_str(), e.message.as_str()))
                .collect();
            assert_eq!(got.len(), expected.len(), "{name}: {errors}");
            for ((field, message), (want_field, want_text)) in got.iter().zip(expected.iter()) {
                assert_eq!(field, want_field, "{name}");
                assert!(message.contains(want_text), "{name}: {message}");
            }
        }
    }

    #[test]
    fn a_valid_event_parses_in_the_org_zone() {
        let spec = fields().parse(&org(), &[]).expect("valid");
        assert_eq!(
            spec.departs_at,
            Utc.with_ymd_and_hms(2026, 7, 5, 1, 30, 0).unwrap()
        );
        assert_eq!(spec.crew[1].email.as_str(), "deck@example.com");
    }

    /// Each case edits the valid fields and names the fields that must be reported.
    #[test]
    fn validation_as_data() {
        type Edit = fn(&mut EventFields);
        let cases: &[(&str, Edit, &[&str])] = &[
            ("unknown kind", |f| f.kind = "yacht_race".into(), &["kind"]),
            ("kind not enabled", |f| f.kind = "haul".into(), &["kind"]),
            ("empty title", |f| f.title = "  ".into(), &["title"]),
            ("long title", |f| f.title = "x".repeat(121), &["title"]),
            (
                "control chars",
                |f| f.vessel = "Ja\u{7}da".into(),
                &["vessel"],
            ),
            ("long notes", |f| f.notes = "n".repeat(4001), &["notes"]),
            (
                "return first",
                |f| f.returns_at = "2026-07-04T18:00".into(),
                &["returns_at"],
            ),
            (
                "equal times",
                |f| f.returns_at = f.departs_at.clone(),
                &["returns_at"],
            ),
            (
                "too long for a sail",
                |f| f.returns_at = "2026-07-05T18:30".into(),
                &["returns_at"],
            ),
            (
                "garbage time",
                |f| f.departs_at = "tomorrow".into(),
                &["departs_at"],
            ),
            (
                "spring-forward gap",
                |f| {
                    f.departs_at = "2026-03-08T02:30".into();
                    f.returns_at = "2026-03-08T05:00".into();
                },
                &["departs_at"],
            ),
            (
                "year 3000",
                |f| f.departs_at = "3000-01-01T10:00:00Z".into(),
                &["departs_at"],
            ),
            (
                "bad crew email",
                |f| f.crew[1].email = "nobody".into(),
                &["crew/1/email"],
            ),
            (
                "duplicate crew",
                |f| f.crew[1].email = "CAP@example.com".into(),
                &["crew/1/email"],
            ),
            (
                "two captains",
                |f| f.crew[1].role = CrewRole::Captain,
                &["crew"],
            ),
            (
                "negative revenue",
                |f| f.revenue_cents = Some(-1),
                &["revenue_cents"],
            ),
            (
                "huge revenue",
                |f| f.revenue_cents = Some(MAX_REVENUE_CENTS + 1),
                &["revenue_cents"],
            ),
            (
                "too many crew",
                |f| {
                    f.crew = (0..31)
                        .map(|i| CrewFields {
                            email: format!("c{i}@example.com"),
                            role: if i == 0 {
                                CrewRole::Captain
                            } else {
                                CrewRole::Crew
                            },
                        })
                        .collect();
                },
                &["crew"],
            ),
            // Issue 17: a vessel under way needs a master.
            (
                "no captain on a sail",
                |f| f.crew.retain(|c| c.role != CrewRole::Captain),
                &["crew"],
            ),
            (
                "no captain on a delivery",
                |f| {
                    f.kind = "delivery".into();
                    f.crew.clear();
                },
                &["crew"],
            ),
            (
                "unknown confirmation",
                |f| f.confirm = vec!["all_fine".into()],
                &["confirm/0"],
            ),
            (
                "several at once",
                |f| {
                    f.title = String::new();
                    f.vessel = String::new();
                },
                &["title", "vessel"],
            ),
        ];
        for (name, edit, expected) in cases {
            let mut f = fields();
            edit(&mut f);
            let errors = f.parse(&org(), &[]).expect_err(name);
            let got: Vec<&str> = errors.fields().collect();
            assert_eq!(&got, expected, "{name}: {errors}");
        }
    }

    #[test]
    fn texts_name_the_kind_as_people_do() {
        let mut f = fields();
        f.returns_at = "2026-07-05T18:30".into();
        f.crew.clear();
        let errors = f.parse(&org(), &[]).expect_err("invalid").to_string();
        assert!(
            errors.contains("a sunset sail lasts at most 6 hours"),
            "{errors}"
        );
        assert!(errors.contains("a sunset sail needs a captain"), "{errors}");
        assert!(!errors.contains("sunset_sail"), "{errors}");
    }

    /// A haul's driver may be any crew member; and an event made before the captain rule takes
    /// edits of its other fields, but not a crew change that leaves it without one.
    #[test]
    fn the_captain_rule_and_old_events() {
        let mut haul = fields();
        haul.kind = "haul".into();
        haul.crew.clear();
        let mut o = org();
        o.enabled_kinds.push(EventKind::Haul);
        assert!(haul.parse(&o, &[]).is_ok());

        let by = Email::parse("admin@example.com").expect("valid");
        let now = Utc.with_ymd_and_hms(2026, 7, 1, 0, 0, 0).unwrap();
        let mut spec = fields().parse(&o, &[]).expect("valid");
        spec.crew.retain(|c| c.role != CrewRole::Captain);
        let old = Event::new(EventId::generate(), o.id.clone(), spec, by, now);
        let notes = EventPatch {
            notes: Some("new notes".into()),
            ..Default::default()
        };
        assert!(notes.apply(&old, &o, &[]).is_ok());
        let crew = EventPatch {
            crew: Some(vec![CrewFields {
                email: "deck@example.com".into(),
                role: CrewRole::Crew,
            }]),
            ..Default::default()
        };
        let errors = crew.apply(&old, &o, &[]).expect_err("no captain");
        assert_eq!(errors.0[0].code, "captain_required");
    }

    #[test]
    fn warnings_as_data() {
        let o = org();
        let fleet = fleet();
        let spec = fields().parse(&o, &fleet).expect("valid");
        let at = |s: &str| {
            DateTime::parse_from_rfc3339(s)
                .expect("valid")
                .with_timezone(&Utc)
        };
        // (case, now, crew kept, vessel minimum, expected codes)
        type Case<'a> = (&'a str, &'a str, usize, Option<u32>, &'a [&'a str]);
        let cases: &[Case] = &[
            ("in time, full crew", "2026-07-04T12:00:00Z", 2, None, &[]),
            (
                "departure passed",
                "2026-07-05T04:00:00Z",
                2,
                None,
                &["departure_in_past"],
            ),
            (
                "one short",
                "2026-07-04T12:00:00Z",
                1,
                None,
                &["short_of_crew"],
            ),
            (
                "the vessel wants more",
                "2026-07-04T12:00:00Z",
                2,
                Some(3),
                &["short_of_crew"],
            ),
            (
                "both",
                "2026-07-06T00:00:00Z",
                0,
                None,
                &["departure_in_past", "short_of_crew"],
            ),
        ];
        for (name, now, keep, min_crew, expected) in cases {
            let mut spec = spec.clone();
            spec.crew.truncate(*keep);
            let mut vessel = fleet[0].clone();
            vessel.fields.min_crew = *min_crew;
            spec.vessel_id = Some(vessel.id.clone());
            let warnings = spec.warnings(Some(&vessel), at(now));
            let codes: Vec<&str> = warnings.0.iter().map(|w| w.code).collect();
            assert_eq!(&codes, expected, "{name}: {warnings}");
        }
        let mut short = spec.clone();
        short.crew.truncate(1);
        let w = short.warnings(None, at("2026-07-05T04:00:00Z"));
        assert_eq!(
            w.to_string(),
            "departs_at: the departure is 2 h 30 min in the past; \
             crew: a sunset sail needs at least 2 crew; 1 assigned"
        );
    }

    #[test]
    fn sign_off_only_after_the_return_and_once() {
        let o = org();
        let by = Email::parse("cap@example.com").expect("valid");
        let now = Utc.with_ymd_and_hms(2026, 7, 4, 0, 0, 0).unwrap();
        let spec = fields().parse(&o, &[]).expect("valid");
        let mut e = Event::new(EventId::generate(), o.id.clone(), spec, by.clone(), now);
        assert!(e.sign_off(Vec::new(), &by, now).is_err(), "scheduled");
        e.depart(now, Vec::new(), &by, now).expect("departs");
        assert!(e.sign_off(Vec::new(), &by, now).is_err(), "underway");
        assert!(e.checklist_open());
        e.complete(now, &by, now).expect("returns");
        assert!(
            e.checklist_open(),
            "post-trip tasks are ticked after the return"
        );
        let open = vec![TaskId::parse("post_trip_checks").expect("valid")];
        e.sign_off(open.clone(), &by, now).expect("signs");
        assert!(!e.checklist_open());
        assert_eq!(e.signed_off.as_ref().map(|s| &s.open_tasks), Some(&open));
        assert!(e.sign_off(Vec::new(), &by, now).is_err(), "once");
    }

    #[test]
    fn delivery_may_span_days() {
        let mut f = fields();
        f.kind = "delivery".into();
        f.returns_at = "2026-07-08T12:00".into();
        assert!(f.parse(&org(), &[]).is_ok());
    }

    #[test]
    fn fall_back_ambiguity_takes_the_first_instant() {
        let t = parse_instant("2026-11-01T01:30", chrono_tz::America::Los_Angeles).expect("valid");
        assert_eq!(t, Utc.with_ymd_and_hms(2026, 11, 1, 8, 30, 0).unwrap());
    }

    #[test]
    fn patch_applies_and_revalidates() {
        let o = org();
        let spec = fields().parse(&o, &[]).expect("valid");
        let by = Email::parse("admin@example.com").expect("valid");
        let now = Utc.with_ymd_and_hms(2026, 7, 1, 0, 0, 0).unwrap();
        let mut event = Event::new(EventId::generate(), o.id.clone(), spec, by.clone(), now);
        let patch: EventPatch =
            serde_json::from_str(r#"{"notes":"moved","revenue_cents":null}"#).expect("json");
        assert_eq!(patch.touched(), ["notes", "revenue_cents"]);
        let new_spec = patch.apply(&event, &o, &[]).expect("valid");
        let changed = event.apply_spec(new_spec, &by, now);
        assert_eq!(changed, ["notes", "revenue_cents"]);
        assert_eq!(event.version, 2);
        assert_eq!(event.revenue_cents, None);

        let bad: EventPatch =
            serde_json::from_str(r#"{"returns_at":"2026-07-04T10:00"}"#).expect("json");
        assert!(bad.apply(&event, &o, &[]).is_err());
        let absent: EventPatch = serde_json::from_str("{}").expect("json");
        assert!(absent.revenue_cents.is_none());
    }

    #[test]
    fn unknown_fields_are_refused() {
        let r: Result<EventPatch, _> = serde_json::from_str(r#"{"version":9}"#);
        assert!(r.is_err());
        let r: Result<EventFields, _> = serde_json::from_str(
            r#"{"kind":"charter","title":"t","vessel":"v","departs_at":"x","returns_at":"y","org_id":"other"}"#,
        );
        assert!(r.is_err());
    }
}
