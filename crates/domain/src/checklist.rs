//! Checklist templates: data files compiled into the binary, so knowing what a checklist is never
//! costs a database read. Each event kind has one template under `templates/`.

use crate::error::ValidationErrors;
use crate::ids::TaskId;
use crate::kinds::{CrewRole, EventKind, NudgeKind};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::sync::LazyLock;

/// The instant a task's due time is measured from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Anchor {
    Departure,
    Return,
    /// Sunset at the home port on the local date of departure.
    Sunset,
    /// End of civil twilight (sun 6° below the horizon) at the home port, same date.
    CivilDusk,
}

impl Anchor {
    /// The anchor in a sentence: "due 10 min before sunset".
    pub fn label(self) -> &'static str {
        match self {
            Anchor::Departure => "departure",
            Anchor::Return => "return",
            Anchor::Sunset => "sunset",
            Anchor::CivilDusk => "civil dusk",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Anchor::Departure => "departure",
            Anchor::Return => "return",
            Anchor::Sunset => "sunset",
            Anchor::CivilDusk => "civil_dusk",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Phase {
    pub id: String,
    pub title: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TaskDef {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub id: TaskId,
    pub title: String,
    pub phase: String,
    pub anchor: Anchor,
    /// Minutes after the anchor (negative: before it).
    pub offset_minutes: i32,
    /// Who does it: the captain (or a haul's driver) or any crew member.
    pub role: CrewRole,
    pub safety_critical: bool,
    /// A count of everyone aboard: the app shows how many are expected (passengers and crew).
    #[serde(default)]
    pub headcount: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Template {
    pub kind: EventKind,
    pub name: String,
    /// Longest an event of this kind may last, departure to return.
    pub max_hours: u32,
    /// Whether an event of this kind must have a captain (a vessel under way needs a master; a
    /// haul's driver may be any crew member).
    #[serde(default)]
    pub requires_captain: bool,
    /// Fewer assigned people than this is "short of crew" in the reports.
    pub min_crew: u32,
    /// Whether this kind takes passengers aboard (charters, sunset sails); the others carry
    /// crew only.
    #[serde(default)]
    pub carries_passengers: bool,
    /// Which 30-minute reminders this kind gets.
    pub nudges: Vec<NudgeKind>,
    #[serde(rename = "phase")]
    pub phases: Vec<Phase>,
    #[serde(rename = "task")]
    pub tasks: Vec<TaskDef>,
}

/// The most a task may sit from its anchor: a week either way.
pub const MAX_OFFSET_MINUTES: i32 = 7 * 24 * 60;

impl Template {
    pub fn task(&self, id: &TaskId) -> Option<&TaskDef> {
        self.tasks.iter().find(|t| &t.id == id)
    }

    /// The rules a template file must follow; a test runs it on every file.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        if self.name.trim().is_empty() {
            errors.push("name", "required", "a template has a name");
        }
        if self.max_hours == 0 || self.max_hours > 24 * 14 {
            errors.push("max_hours", "range", "max_hours is 1 to 336");
        }
        if self.tasks.is_empty() {
            errors.push("task", "required", "a template has tasks");
        }
        if !self.nudges.contains(&NudgeKind::Departure) {
            errors.push(
                "nudges",
                "required",
                "every kind is nudged before departure",
            );
        }
        let phase_ids: Vec<&str> = self.phases.iter().map(|p| p.id.as_str()).collect();
        let unique_phases: HashSet<&str> = phase_ids.iter().copied().collect();
        if unique_phases.len() != phase_ids.len() {
            errors.push("phase", "duplicate", "phase ids are unique");
        }
        let mut seen = HashSet::new();
        for (i, task) in self.tasks.iter().enumerate() {
            let at = format!("task/{i}");
            if !seen.insert(task.id.clone()) {
                errors.push(
                    &at,
                    "duplicate",
                    format!("task id {} appears twice", task.id),
                );
            }
            let title_len = task.title.chars().count();
            if !(5..=120).contains(&title_len) {
                errors.push(&at, "title", "a task's title is 5 to 120 characters");
            }
            if !phase_ids.contains(&task.phase.as_str()) {
                errors.push(&at, "phase", format!("unknown phase {}", task.phase));
            }
            if task.offset_minutes.abs() > MAX_OFFSET_MINUTES {
                errors.push(&at, "offset", "a task is due within a week of its anchor");
            }
        }
        for phase in &self.phases {
            if !self.tasks.iter().any(|t| t.phase == phase.id) {
                errors.push("phase", "empty", format!("phase {} has no task", phase.id));
            }
        }
        errors.into_result(())
    }
}

const SOURCES: [(EventKind, &str); 4] = [
    (
        EventKind::SunsetSail,
        include_str!("../templates/sunset_sail.toml"),
    ),
    (
        EventKind::Charter,
        include_str!("../templates/charter.toml"),
    ),
    (
        EventKind::Delivery,
        include_str!("../templates/delivery.toml"),
    ),
    (EventKind::Haul, include_str!("../templates/haul.toml")),
];

fn parse(kind: EventKind, source: &str) -> Result<Template, String> {
    let template: Template =
        toml::from_str(source).map_err(|e| format!("{}: {e}", kind.as_str()))?;
    if template.kind != kind {
        return Err(format!(
            "{}: the file declares kind {}",
            kind.as_str(),
            template.kind
        ));
    }
    template
        .validate()
        .map_err(|e| format!("{}: {e}", kind.as_str()))?;
    Ok(template)
}

static TEMPLATES: LazyLock<Vec<Template>> = LazyLock::new(|| {
    SOURCES
        .iter()
        .map(|(kind, source)| match parse(*kind, source) {
            Ok(t) => t,
            // The files are compiled in and checked by `every_template_is_valid`, so this cannot
            // be reached by input: it would mean a broken build shipped.
            Err(e) => panic!("checklist template is invalid: {e}"),
        })
        .collect()
});

/// The checklist template of a kind.
pub fn template(kind: EventKind) -> &'static Template {
    let index = EventKind::ALL
        .iter()
        .position(|k| *k == kind)
        .unwrap_or_default();
    &TEMPLATES[index]
}

pub fn all_templates() -> &'static [Template] {
    &TEMPLATES
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_is_valid() {
        for (kind, source) in SOURCES {
            let t = parse(kind, source).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(template(kind), &t);
        }
        assert_eq!(all_templates().len(), EventKind::ALL.len());
        for (i, kind) in EventKind::ALL.iter().enumerate() {
            assert_eq!(SOURCES[i].0, *kind, "SOURCES follows EventKind::ALL");
        }
    }

    /// The US Coast Guard pre-departure items a passenger vessel's checklist must carry.
    #[test]
    fn passenger_vessels_carry_the_coast_guard_items() {
        let required = [
            "marine_forecast",
            "float_plan",
            "engine_bilge_check",
            "fuel_check",
            "vhf_check",
            "nav_lights_test",
            "life_jackets",
            "headcount_on",
            "safety_orientation",
            "log_departure",
            "nav_lights_on",
            "headcount_off",
        ];
        for kind in [EventKind::SunsetSail, EventKind::Charter] {
            let t = template(kind);
            for id in required {
                let task = t
                    .task(&TaskId::parse(id).expect("valid id"))
                    .unwrap_or_else(|| panic!("{kind} lacks {id}"));
                assert!(task.safety_critical, "{kind}/{id} is safety-critical");
            }
            let lights = t
                .task(&TaskId::parse("nav_lights_on").expect("valid"))
                .expect("present");
            assert_eq!(lights.anchor, Anchor::Sunset);
            assert!(lights.offset_minutes < 0, "lights go on before sunset");
        }
    }

    /// Signing the checklist off is a step of its own after the return (`Event::sign_off`), not
    /// a task that could be ticked mid-trip (issue 17).
    #[test]
    fn sign_off_is_not_a_task() {
        for t in all_templates() {
            assert!(
                t.tasks
                    .iter()
                    .all(|task| !task.id.as_str().contains("sign")),
                "{} has a sign-off task",
                t.kind
            );
        }
        assert!(template(EventKind::SunsetSail).requires_captain);
        assert!(template(EventKind::Charter).requires_captain);
        assert!(template(EventKind::Delivery).requires_captain);
        assert!(!template(EventKind::Haul).requires_captain);
    }

    #[test]
    fn a_broken_template_is_refused() {
        let broken = SOURCES[0]
            .1
            .replace("phase = \"boarding\"", "phase = \"nowhere\"");
        assert!(parse(EventKind::SunsetSail, &broken).is_err());
        let wrong_kind = SOURCES[0]
            .1
            .replace("kind = \"sunset_sail\"", "kind = \"charter\"");
        assert!(parse(EventKind::SunsetSail, &wrong_kind).is_err());
        let dup = format!(
            "{}\n[[task]]\nid = \"float_plan\"\ntitle = \"Again and again\"\nphase = \"boarding\"\nanchor = \"departure\"\noffset_minutes = 0\nrole = \"crew\"\nsafety_critical = false\n",
            SOURCES[0].1
        );
        assert!(parse(EventKind::SunsetSail, &dup).is_err());
    }
}
