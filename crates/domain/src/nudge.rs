//! When an event's 30-minute reminders fire, and what to do about a reminder whose time has
//! already passed. Pure: the api decides with it, the scheduler adapters carry it out.

use crate::event::{Event, EventStatus, LONGEST_EVENT, NudgeKind};
use crate::ids::{EventId, OrgId};
use crate::org::OrgScope;
use crate::ports::{
    EventStore, NudgeSchedule, NudgeScheduler, OrgStore, PageRequest, SchedulerError, StoreError,
};
use chrono::{DateTime, Duration, Utc};

/// How long before its anchor (departure or return) a nudge fires.
pub const NUDGE_LEAD: Duration = Duration::minutes(30);
/// A nudge whose time has passed but whose anchor is still ahead is sent this soon instead.
pub const LATE_NUDGE_DELAY: Duration = Duration::minutes(1);

/// What to do with one nudge kind of an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NudgePlan {
    /// Create or replace the schedule.
    Schedule(NudgeSchedule),
    /// Delete the schedule (cancelled, finished, anchor already past, or kind not nudged).
    Remove(NudgeKind),
}

/// The plan for every nudge kind: the kinds the template asks for are scheduled 30 minutes
/// before their anchor; if that moment has passed but the anchor has not, the nudge goes out
/// a minute from now; if the anchor has passed, or the event is cancelled or over, it is removed.
pub fn plan(event: &Event, now: DateTime<Utc>) -> Vec<NudgePlan> {
    let wanted = &event.template().nudges;
    [
        (NudgeKind::Departure, event.departs_at),
        (NudgeKind::Return, event.returns_at),
    ]
    .into_iter()
    .map(|(kind, anchor)| {
        let live = !matches!(
            (kind, event.status),
            (_, EventStatus::Cancelled | EventStatus::Completed)
                | (NudgeKind::Departure, EventStatus::Underway)
        );
        if !wanted.contains(&kind) || !live || anchor <= now {
            return NudgePlan::Remove(kind);
        }
        let on_time = anchor - NUDGE_LEAD;
        let fire_at = if on_time > now {
            on_time
        } else {
            now + LATE_NUDGE_DELAY
        };
        NudgePlan::Schedule(NudgeSchedule {
            org_id: event.org_id.clone(),
            event_id: event.id.clone(),
            kind,
            fire_at,
            anchor_at: anchor,
        })
    })
    .collect()
}

/// Carries out [`plan`] for one event on `scheduler`. Each step is tried whatever the others did;
/// the failures are returned (kind and error) for the caller to log, since a failed step is
/// repaired by the next re-plan or [`reconcile`] run.
pub async fn apply(scheduler: &dyn NudgeScheduler, event: &Event, now: DateTime<Utc>) -> Applied {
    let mut applied = Applied::default();
    for step in plan(event, now) {
        let (kind, result) = match &step {
            NudgePlan::Schedule(s) => (s.kind, scheduler.upsert(s).await),
            NudgePlan::Remove(kind) => (
                *kind,
                scheduler.delete(&event.org_id, &event.id, *kind).await,
            ),
        };
        match (result, &step) {
            (Ok(()), NudgePlan::Schedule(_)) => applied.scheduled += 1,
            (Ok(()), NudgePlan::Remove(_)) => applied.removed += 1,
            (Err(e), _) => applied.failed.push((kind, e)),
        }
    }
    applied
}

/// What [`apply`] did for one event.
#[derive(Debug, Default)]
pub struct Applied {
    /// Schedules created or replaced.
    pub scheduled: usize,
    /// Schedules deleted (or confirmed absent).
    pub removed: usize,
    /// Steps the scheduler refused.
    pub failed: Vec<(NudgeKind, SchedulerError)>,
}

/// How far ahead the hourly reconciliation plans departure nudges. Further-off events were planned
/// when they were created or moved, and come into this window long before their nudge is due.
pub const RECONCILE_AHEAD: Duration = Duration::hours(48);

/// What one [`reconcile`] run did, over every org.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Reconciled {
    pub orgs: usize,
    /// Events read (departing in the window).
    pub events: usize,
    /// Schedules written (created, or replaced with the same or a corrected time).
    pub scheduled: usize,
    /// Schedules deleted or confirmed absent (cancelled, finished, anchor passed).
    pub removed: usize,
    /// Steps the scheduler refused; the next run tries them again.
    pub failed: usize,
}

/// Re-plans, per org, the nudges of every event departing from `now -` [`LONGEST_EVENT`] until
/// `until` (one Query a page on the departure index, never a Scan), so a schedule that a scheduler
/// failure left missing, stale or behind is put right. Idempotent: a schedule is written with its
/// deterministic name, so a second run writes the same thing. Crosses orgs: system jobs only (the
/// hourly nudge run, the local server at start and every hour). A store failure stops the run
/// (the next one starts again); a scheduler failure is counted and the run goes on.
pub async fn reconcile(
    orgs: &dyn OrgStore,
    events: &dyn EventStore,
    scheduler: &dyn NudgeScheduler,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Reconciled, StoreError> {
    let mut done = Reconciled::default();
    for org in orgs.list_orgs().await? {
        done.orgs += 1;
        let scope = OrgScope::trusted(org.id.clone());
        let mut page = PageRequest::first(100);
        loop {
            let got = events
                .list_events(&scope, now - LONGEST_EVENT, until, &page)
                .await?;
            for event in &got.items {
                done.events += 1;
                let applied = apply(scheduler, event, now).await;
                done.scheduled += applied.scheduled;
                done.removed += applied.removed;
                done.failed += applied.failed.len();
            }
            match got.next {
                Some(cursor) => page = PageRequest::new(Some(100), Some(cursor)),
                None => break,
            }
        }
    }
    Ok(done)
}

/// A schedule's name: deterministic from org, event and kind, at most 64 characters of
/// `[0-9A-Za-z-_.]` (EventBridge Scheduler's rule), so create, move and delete find the same one.
pub fn schedule_name(org: &OrgId, event: &EventId, kind: NudgeKind) -> String {
    // org ≤ 40, event id 26, kind ≤ 9: trim the org part so the whole fits in 64.
    let suffix = format!("{}-{}", event, kind.as_str());
    let room = 64 - suffix.len() - 1;
    let org_part: String = org.as_str().chars().take(room).collect();
    format!("{org_part}-{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::email::Email;
    use crate::event::{EventKind, EventSpec};
    use chrono::TimeZone;

    fn event(kind: EventKind, departs_in_min: i64) -> Event {
        let now = Utc.with_ymd_and_hms(2026, 7, 1, 12, 0, 0).unwrap();
        let departs_at = now + Duration::minutes(departs_in_min);
        Event::new(
            EventId::generate(),
            OrgId::parse("jada").expect("valid"),
            EventSpec {
                kind,
                title: "t".into(),
                vessel: "v".into(),
                vessel_id: None,
                passengers: Default::default(),
                departs_at,
                returns_at: departs_at + Duration::hours(3),
                crew: vec![],
                notes: String::new(),
                revenue_cents: None,
            },
            Email::parse("a@example.com").expect("valid"),
            now,
        )
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 7, 1, 12, 0, 0).unwrap()
    }

    #[test]
    fn thirty_minutes_before_departure() {
        let e = event(EventKind::SunsetSail, 120);
        let plans = plan(&e, now());
        let NudgePlan::Schedule(s) = &plans[0] else {
            panic!("scheduled")
        };
        assert_eq!(s.kind, NudgeKind::Departure);
        assert_eq!(s.fire_at, e.departs_at - Duration::minutes(30));
        assert_eq!(s.anchor_at, e.departs_at);
        assert_eq!(
            plans[1],
            NudgePlan::Remove(NudgeKind::Return),
            "sails get no return nudge"
        );
    }

    #[test]
    fn hauls_are_also_nudged_before_pick_up() {
        let e = event(EventKind::Haul, 120);
        let plans = plan(&e, now());
        assert!(
            matches!(&plans[1], NudgePlan::Schedule(s) if s.fire_at == e.returns_at - Duration::minutes(30))
        );
    }

    #[test]
    fn late_and_past_nudges() {
        let soon = event(EventKind::SunsetSail, 10);
        assert!(
            matches!(&plan(&soon, now())[0], NudgePlan::Schedule(s) if s.fire_at == now() + LATE_NUDGE_DELAY)
        );
        let gone = event(EventKind::SunsetSail, -10);
        assert_eq!(
            plan(&gone, now())[0],
            NudgePlan::Remove(NudgeKind::Departure)
        );
        let mut cancelled = event(EventKind::SunsetSail, 120);
        cancelled.status = EventStatus::Cancelled;
        assert_eq!(
            plan(&cancelled, now())[0],
            NudgePlan::Remove(NudgeKind::Departure)
        );
    }

    #[test]
    fn names_are_deterministic_and_fit() {
        let org = OrgId::parse(&format!("a{}", "b".repeat(39))).expect("40 chars");
        let id = EventId::generate();
        let name = schedule_name(&org, &id, NudgeKind::Departure);
        assert!(name.len() <= 64, "{name}");
        assert_eq!(name, schedule_name(&org, &id, NudgeKind::Departure));
        assert_ne!(name, schedule_name(&org, &id, NudgeKind::Return));
        assert!(
            name.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        );
    }
}
