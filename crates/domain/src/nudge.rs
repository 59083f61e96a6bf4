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

/// How often an overdue alert repeats until the event is marked returned or acknowledged.
pub const OVERDUE_REPEAT: Duration = Duration::minutes(30);

/// The first instant an underway event is overdue: its return plus the org's grace.
pub fn overdue_from(event: &Event, grace: Duration) -> DateTime<Utc> {
    event.returns_at + grace
}

/// Whether an admin acknowledged this overdue episode: an acknowledgement made before the
/// (possibly moved) overdue time belongs to an earlier one and no longer holds.
pub fn overdue_acknowledged(event: &Event, grace: Duration) -> bool {
    event
        .overdue_acknowledged_at
        .is_some_and(|a| a >= overdue_from(event, grace))
}

/// Whether `at` is one of the event's overdue alert steps: the overdue time, then every
/// [`OVERDUE_REPEAT`]. A step off the grid was planned for a return time that has since moved.
pub fn is_overdue_step(event: &Event, grace: Duration, at: DateTime<Utc>) -> bool {
    let from = overdue_from(event, grace);
    at >= from && (at - from).num_seconds() % OVERDUE_REPEAT.num_seconds() == 0
}

/// The overdue step to schedule, as (anchor, fire at), while the event is underway and
/// unacknowledged: the first step at its time; past it, a step whose time has passed with no alert
/// sent for it (departed late, or a failed send) goes out a minute from now; else the next step.
fn next_overdue_step(
    event: &Event,
    grace: Duration,
    now: DateTime<Utc>,
) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    if event.status != EventStatus::Underway || overdue_acknowledged(event, grace) {
        return None;
    }
    let from = overdue_from(event, grace);
    if from >= now {
        return Some((from, from));
    }
    let repeat = OVERDUE_REPEAT.num_seconds();
    let last = from + Duration::seconds((now - from).num_seconds() / repeat * repeat);
    let alerted = event.nudges.iter().any(|n| {
        n.kind == NudgeKind::Overdue
            && n.anchor_at == last
            && n.state == crate::event::NudgeState::Sent
    });
    if alerted {
        let next = last + OVERDUE_REPEAT;
        Some((next, next))
    } else {
        Some((last, now + LATE_NUDGE_DELAY))
    }
}

/// The plan for every scheduled kind: the reminders the template asks for are scheduled 30
/// minutes before their anchor; if that moment has passed but the anchor has not, the nudge goes
/// out a minute from now; if the anchor has passed, or the event is cancelled or over, it is
/// removed. An underway event has its next overdue alert step scheduled (`grace`: the org's),
/// removed once it is returned, cancelled or acknowledged.
pub fn plan(event: &Event, grace: Duration, now: DateTime<Utc>) -> Vec<NudgePlan> {
    let wanted = &event.template().nudges;
    let overdue = match next_overdue_step(event, grace, now) {
        Some((step, fire_at)) => NudgePlan::Schedule(NudgeSchedule {
            org_id: event.org_id.clone(),
            event_id: event.id.clone(),
            kind: NudgeKind::Overdue,
            fire_at,
            anchor_at: step,
        }),
        None => NudgePlan::Remove(NudgeKind::Overdue),
    };
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
    .chain(std::iter::once(overdue))
    .collect()
}

/// Carries out [`plan`] for one event on `scheduler`. Each step is tried whatever the others did;
/// the failures are returned (kind and error) for the caller to log, since a failed step is
/// repaired by the next re-plan or [`reconcile`] run.
pub async fn apply(
    scheduler: &dyn NudgeScheduler,
    event: &Event,
    grace: Duration,
    now: DateTime<Utc>,
) -> Applied {
    let mut applied = Applied::default();
    for step in plan(event, grace, now) {
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
        let grace = org.safety.overdue_grace();
        let scope = OrgScope::trusted(org.id.clone());
        let mut page = PageRequest::first(100);
        loop {
            let got = events
                .list_events(&scope, now - LONGEST_EVENT, until, &page)
                .await?;
            for event in &got.items {
                done.events += 1;
                let applied = apply(scheduler, event, grace, now).await;
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

    const GRACE: Duration = Duration::minutes(30);

    /// The planned overdue step: (its anchor, when it fires).
    fn overdue(plans: &[NudgePlan]) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        plans.iter().find_map(|p| match p {
            NudgePlan::Schedule(s) if s.kind == NudgeKind::Overdue => {
                Some((s.anchor_at, s.fire_at))
            }
            _ => None,
        })
    }

    fn alerted(e: &mut Event, step: DateTime<Utc>) {
        e.nudges.push(crate::event::NudgeRecord {
            kind: NudgeKind::Overdue,
            anchor_at: step,
            email: Email::parse("shore@example.com").expect("valid"),
            state: crate::event::NudgeState::Sent,
            at: step,
            channel: crate::event::NudgeChannel::Email,
        });
    }

    /// The overdue alert's life: none before departure; on departure, at return + grace; after
    /// each step, the next 30 minutes later; none once returned, cancelled or acknowledged; an
    /// acknowledgement stops holding when the return time moves past it.
    #[test]
    fn overdue_steps_follow_the_return_time() {
        let mut e = event(EventKind::SunsetSail, -60); // left an hour ago, back in 2 h
        let due = e.returns_at + GRACE;
        assert_eq!(
            overdue(&plan(&e, GRACE, now())),
            None,
            "not departed: no alert"
        );
        e.status = EventStatus::Underway;
        let late = |at: DateTime<Utc>| at + LATE_NUDGE_DELAY;
        let cases = [
            (now(), Some((due, due))),
            (due, Some((due, due))),
            // Departed (or re-planned) past a step that sent nothing: that step, a minute on.
            (
                due + Duration::seconds(5),
                Some((due, late(due + Duration::seconds(5)))),
            ),
            (
                due + Duration::minutes(61),
                Some((due + OVERDUE_REPEAT * 2, late(due + Duration::minutes(61)))),
            ),
        ];
        for (at, want) in cases {
            assert_eq!(overdue(&plan(&e, GRACE, at)), want, "at {at}");
        }
        // Once a step is sent, the next one at its own time.
        alerted(&mut e, due);
        let after = due + Duration::seconds(1);
        let next = due + OVERDUE_REPEAT;
        assert_eq!(overdue(&plan(&e, GRACE, after)), Some((next, next)));
        assert!(is_overdue_step(&e, GRACE, due + OVERDUE_REPEAT * 2));
        assert!(!is_overdue_step(&e, GRACE, due + Duration::minutes(7)));
        assert!(!is_overdue_step(&e, GRACE, due - OVERDUE_REPEAT));
        // An admin acknowledges while overdue: no more steps.
        e.overdue_acknowledged_at = Some(due + Duration::minutes(40));
        assert_eq!(overdue(&plan(&e, GRACE, due + Duration::minutes(41))), None);
        assert!(
            plan(&e, GRACE, due + Duration::minutes(41))
                .contains(&NudgePlan::Remove(NudgeKind::Overdue))
        );
        // The boat radios in late; the office moves the return time: alerts resume then.
        e.returns_at += Duration::hours(2);
        let resumed = e.returns_at + GRACE;
        assert_eq!(
            overdue(&plan(&e, GRACE, due + Duration::minutes(41))),
            Some((resumed, resumed))
        );
        e.status = EventStatus::Completed;
        assert_eq!(overdue(&plan(&e, GRACE, now())), None, "returned: removed");
    }

    #[test]
    fn thirty_minutes_before_departure() {
        let e = event(EventKind::SunsetSail, 120);
        let plans = plan(&e, GRACE, now());
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
        let plans = plan(&e, GRACE, now());
        assert!(
            matches!(&plans[1], NudgePlan::Schedule(s) if s.fire_at == e.returns_at - Duration::minutes(30))
        );
    }

    #[test]
    fn late_and_past_nudges() {
        let soon = event(EventKind::SunsetSail, 10);
        assert!(
            matches!(&plan(&soon, GRACE, now())[0], NudgePlan::Schedule(s) if s.fire_at == now() + LATE_NUDGE_DELAY)
        );
        let gone = event(EventKind::SunsetSail, -10);
        assert_eq!(
            plan(&gone, GRACE, now())[0],
            NudgePlan::Remove(NudgeKind::Departure)
        );
        let mut cancelled = event(EventKind::SunsetSail, 120);
        cancelled.status = EventStatus::Cancelled;
        assert_eq!(
            plan(&cancelled, GRACE, now())[0],
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
