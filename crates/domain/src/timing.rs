//! The timing panel: the org's local now, the departure and return windows, sunset and civil dusk
//! at the home port, and every task's due instant and state. Pure: `now` is an argument.

use crate::checklist::{Anchor, TaskDef};
use crate::event::{CrewRole, Event, EventStatus};
use crate::ids::TaskId;
use crate::org::{HomePort, Org};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use sunrise::{Coordinates, DawnType, SolarDay, SolarEvent};

/// A task becomes "due" this long before its due instant.
pub const DUE_SOON: Duration = Duration::minutes(15);

/// An instant, in UTC and as the org's wall clock shows it (RFC 3339 with the zone's offset).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Moment {
    pub at: DateTime<Utc>,
    pub local: String,
}

impl Moment {
    pub fn new(at: DateTime<Utc>, zone: Tz) -> Self {
        Self {
            at,
            local: at.with_timezone(&zone).to_rfc3339(),
        }
    }
}

/// Sunset and civil dusk at a place on a local date; `None` where the sun does not set (polar day)
/// or does not rise (polar night) that day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SunTimes {
    pub sunset: Option<DateTime<Utc>>,
    pub civil_dusk: Option<DateTime<Utc>>,
}

pub fn sun_times(port: &HomePort, date: NaiveDate) -> SunTimes {
    let Some(coordinates) = Coordinates::new(port.latitude, port.longitude) else {
        return SunTimes {
            sunset: None,
            civil_dusk: None,
        };
    };
    let day = SolarDay::new(coordinates, date);
    SunTimes {
        sunset: day.event_time(SolarEvent::Sunset),
        civil_dusk: day.event_time(SolarEvent::Dusk(DawnType::Civil)),
    }
}

/// The calendar date an instant falls on in a zone.
pub fn local_date(at: DateTime<Utc>, zone: Tz) -> NaiveDate {
    at.with_timezone(&zone).date_naive()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum TaskStatus {
    /// More than [`DUE_SOON`] ahead.
    Upcoming,
    /// Within [`DUE_SOON`] of its due instant, not yet past it.
    Due,
    /// Past its due instant and not done.
    Overdue,
    Done,
    /// Its anchor does not happen on that date (no sunset or dusk at the home port).
    Unscheduled,
    /// It does not apply to this trip: a sunset- or dusk-anchored task (lights, a lookout for the
    /// run home) on a trip that is back before that moment.
    NotApplicable,
}

/// When a task is due and where it stands.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TaskTiming {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub id: TaskId,
    pub title: String,
    pub phase: String,
    pub anchor: Anchor,
    pub offset_minutes: i32,
    pub role: CrewRole,
    pub safety_critical: bool,
    pub due: Option<Moment>,
    pub status: TaskStatus,
    /// Why `due` is absent, for people.
    pub note: Option<String>,
    /// Who ticked it done, and when they did.
    pub done_by: Option<String>,
    pub done_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimingPanel {
    pub now: Moment,
    /// IANA zone of the org.
    pub zone: String,
    /// The local date of departure, which sunset and dusk are computed for.
    pub local_date: NaiveDate,
    pub home_port: String,
    pub departs_at: Moment,
    pub returns_at: Moment,
    /// Seconds from now to departure (negative once past); a client counts down from it.
    pub seconds_to_departure: i64,
    pub seconds_to_return: i64,
    pub status: EventStatus,
    pub sunset: Option<Moment>,
    pub civil_dusk: Option<Moment>,
    /// Every task, ordered by due instant (unscheduled ones last).
    pub tasks: Vec<TaskTiming>,
}

/// The instant a task is due, or why it has none.
pub fn due_at(
    task: &TaskDef,
    event: &Event,
    sun: &SunTimes,
    local: NaiveDate,
) -> Result<DateTime<Utc>, String> {
    let anchor = match task.anchor {
        Anchor::Departure => Some(event.departs_at),
        Anchor::Return => Some(event.returns_at),
        Anchor::Sunset => sun.sunset,
        Anchor::CivilDusk => sun.civil_dusk,
    };
    match anchor {
        Some(at) => Ok(at + Duration::minutes(i64::from(task.offset_minutes))),
        None => Err(format!(
            "no {} at the home port on {local}",
            match task.anchor {
                Anchor::CivilDusk => "civil dusk",
                _ => "sunset",
            }
        )),
    }
}

pub fn task_status(due: Option<DateTime<Utc>>, done: bool, now: DateTime<Utc>) -> TaskStatus {
    match (done, due) {
        (true, _) => TaskStatus::Done,
        (false, None) => TaskStatus::Unscheduled,
        (false, Some(due)) if now > due => TaskStatus::Overdue,
        (false, Some(due)) if now >= due - DUE_SOON => TaskStatus::Due,
        (false, Some(_)) => TaskStatus::Upcoming,
    }
}

/// Whether `task` applies to this trip. A sunset- or dusk-anchored task does not when the trip is
/// back before that moment: by its actual return once returned; while out, by its scheduled
/// return or now, whichever is later (a trip running late into the dark needs its lights).
pub fn applies(task: &TaskDef, event: &Event, sun: &SunTimes, now: DateTime<Utc>) -> bool {
    let back = match (event.returned_at, event.status) {
        (Some(at), _) => at,
        (None, EventStatus::Underway) => event.returns_at.max(now),
        (None, _) => event.returns_at,
    };
    let moment = match task.anchor {
        Anchor::Sunset => sun.sunset,
        Anchor::CivilDusk => sun.civil_dusk,
        Anchor::Departure | Anchor::Return => return true,
    };
    moment.is_none_or(|at| back > at)
}

/// A task still to do: not done and applying to the trip, with when it is due (absent where its
/// anchor does not happen that day).
#[derive(Debug, Clone, Copy)]
pub struct OpenTask {
    pub def: &'static TaskDef,
    pub due: Option<DateTime<Utc>>,
}

/// The tasks of `event` still open at `now`, in the template's order.
pub fn open_tasks(event: &Event, org: &Org, now: DateTime<Utc>) -> Vec<OpenTask> {
    let local = local_date(event.departs_at, org.zone);
    let sun = sun_times(&org.home_port, local);
    event
        .template()
        .tasks
        .iter()
        .filter(|task| !event.tasks.get(&task.id).is_some_and(|s| s.done))
        .filter(|task| applies(task, event, &sun, now))
        .map(|def| OpenTask {
            def,
            due: due_at(def, event, &sun, local).ok(),
        })
        .collect()
}

/// How many of `event`'s tasks do not apply to its trip (and are not done) at `now`.
pub fn not_applicable_count(event: &Event, org: &Org, now: DateTime<Utc>) -> usize {
    let sun = sun_times(&org.home_port, local_date(event.departs_at, org.zone));
    event
        .template()
        .tasks
        .iter()
        .filter(|task| !event.tasks.get(&task.id).is_some_and(|s| s.done))
        .filter(|task| !applies(task, event, &sun, now))
        .count()
}

/// The safety-critical tasks open at `now` that were due before the scheduled departure: what
/// "Mark departed" must list and have confirmed.
pub fn open_before_departure(event: &Event, org: &Org, now: DateTime<Utc>) -> Vec<OpenTask> {
    open_tasks(event, org, now)
        .into_iter()
        .filter(|t| t.def.safety_critical && t.due.is_some_and(|d| d < event.departs_at))
        .collect()
}

/// A span of minutes for people: "45 min", "8 h 5 min", "2 days 3 h".
pub fn span(minutes: i64) -> String {
    let m = minutes.abs();
    let (days, hours, mins) = (m / (24 * 60), m / 60 % 24, m % 60);
    match (days, hours, mins) {
        (0, 0, m) => format!("{m} min"),
        (0, h, 0) => format!("{h} h"),
        (0, h, m) => format!("{h} h {m} min"),
        (1, 0, _) => "1 day".into(),
        (1, h, _) => format!("1 day {h} h"),
        (d, 0, _) => format!("{d} days"),
        (d, h, _) => format!("{d} days {h} h"),
    }
}

/// Builds the panel for `event` in `org` as of `now`.
pub fn timing_panel(event: &Event, org: &Org, now: DateTime<Utc>) -> TimingPanel {
    let zone = org.zone;
    let local = local_date(event.departs_at, zone);
    let sun = sun_times(&org.home_port, local);
    let mut tasks: Vec<TaskTiming> = event
        .template()
        .tasks
        .iter()
        .map(|task| {
            let due = due_at(task, event, &sun, local);
            let state = event.tasks.get(&task.id).filter(|s| s.done);
            let applies = state.is_some() || applies(task, event, &sun, now);
            TaskTiming {
                id: task.id.clone(),
                title: task.title.clone(),
                phase: task.phase.clone(),
                anchor: task.anchor,
                offset_minutes: task.offset_minutes,
                role: task.role,
                safety_critical: task.safety_critical,
                due: due.as_ref().ok().map(|at| Moment::new(*at, zone)),
                status: if applies {
                    task_status(due.as_ref().ok().copied(), state.is_some(), now)
                } else {
                    TaskStatus::NotApplicable
                },
                note: if applies {
                    due.err()
                } else {
                    Some(format!("the trip is back before {}", task.anchor.label()))
                },
                done_by: state.map(|s| s.by.as_str().to_string()),
                done_at: state.map(|s| s.at),
            }
        })
        .collect();
    // Stable sort keeps the template's order among tasks due at the same instant.
    tasks.sort_by_key(|t| (t.due.is_none(), t.due.as_ref().map(|d| d.at)));
    TimingPanel {
        now: Moment::new(now, zone),
        zone: zone.name().to_string(),
        local_date: local,
        home_port: org.home_port.name.clone(),
        departs_at: Moment::new(event.departs_at, zone),
        returns_at: Moment::new(event.returns_at, zone),
        seconds_to_departure: (event.departs_at - now).num_seconds(),
        seconds_to_return: (event.returns_at - now).num_seconds(),
        status: event.status,
        sunset: sun.sunset.map(|at| Moment::new(at, zone)),
        civil_dusk: sun.civil_dusk.map(|at| Moment::new(at, zone)),
        tasks,
    }
}

/// The first instant of a local calendar day (midnight, or the first moment after a skipped one).
pub fn start_of_local_day(date: NaiveDate, zone: Tz) -> DateTime<Utc> {
    use chrono::{LocalResult, TimeZone};
    let midnight = date.and_hms_opt(0, 0, 0).unwrap_or_default();
    for hours in 0..3 {
        match zone.from_local_datetime(&(midnight + Duration::hours(hours))) {
            LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => return t.with_timezone(&Utc),
            LocalResult::None => continue,
        }
    }
    midnight.and_utc()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_read_as_people_say_them() {
        for (minutes, text) in [
            (0, "0 min"),
            (45, "45 min"),
            (60, "1 h"),
            (485, "8 h 5 min"),
            (-485, "8 h 5 min"),
            (24 * 60 + 30, "1 day"),
            (27 * 60, "1 day 3 h"),
            (2 * 24 * 60, "2 days"),
            (51 * 60 + 59, "2 days 3 h"),
        ] {
            assert_eq!(span(minutes), text, "{minutes}");
        }
    }

    #[test]
    fn local_days_start_at_local_midnight() {
        let la = chrono_tz::America::Los_Angeles;
        let d = |s: &str| s.parse::<NaiveDate>().expect("date");
        assert_eq!(
            start_of_local_day(d("2026-07-04"), la).to_rfc3339(),
            "2026-07-04T07:00:00+00:00"
        );
        assert_eq!(
            start_of_local_day(d("2026-12-04"), la).to_rfc3339(),
            "2026-12-04T08:00:00+00:00"
        );
        // A zone whose clocks skip midnight on its spring change (Santiago, 2026-09-06).
        let santiago = chrono_tz::America::Santiago;
        let start = start_of_local_day(d("2026-09-06"), santiago);
        assert_eq!(start.with_timezone(&santiago).date_naive(), d("2026-09-06"));
    }
}
