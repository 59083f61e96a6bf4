//! The small vocabularies the checklist, events and orgs share: what kind an event is, which role
//! a crew member has on it, which reminder a nudge is. In a module of their own so those three
//! modules depend on this one and not on each other.

use crate::error::ValidationErrors;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum EventKind {
    SunsetSail,
    Charter,
    /// Moving a vessel from one port to another; may span days.
    Delivery,
    /// QuickDumpNow: a container dropped off at departure and picked up at return.
    Haul,
}

impl EventKind {
    pub const ALL: [EventKind; 4] = [
        EventKind::SunsetSail,
        EventKind::Charter,
        EventKind::Delivery,
        EventKind::Haul,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::SunsetSail => "sunset_sail",
            EventKind::Charter => "charter",
            EventKind::Delivery => "delivery",
            EventKind::Haul => "haul",
        }
    }

    /// The kind's name in a sentence: "a sunset sail lasts at most 6 hours".
    pub fn label(self) -> &'static str {
        match self {
            EventKind::SunsetSail => "sunset sail",
            EventKind::Charter => "charter",
            EventKind::Delivery => "delivery",
            EventKind::Haul => "haul",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, ValidationErrors> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == raw)
            .ok_or_else(|| {
                ValidationErrors::single(
                    "",
                    "unknown_kind",
                    "kind is one of sunset_sail, charter, delivery, haul",
                )
            })
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The part someone plays on one event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum CrewRole {
    Captain,
    Crew,
}

/// Which reminder a nudge is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum NudgeKind {
    Departure,
    Return,
    /// Not a reminder: the float plan mailed to the shore contacts. Its records are kept with the
    /// nudges' so each version goes to each contact exactly once by the same claim; it is never
    /// scheduled.
    FloatPlan,
    /// An underway event not back by its return time plus the org's grace: the shore contacts
    /// and admins are alerted, then every 30 minutes until it is marked returned or an admin
    /// acknowledges. The anchor is the step's own instant.
    Overdue,
}

impl NudgeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NudgeKind::Departure => "departure",
            NudgeKind::Return => "return",
            NudgeKind::FloatPlan => "float_plan",
            NudgeKind::Overdue => "overdue",
        }
    }
}
