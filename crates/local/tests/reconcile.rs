//! Nudges repair themselves (issue 13): a scheduler failure on create, a schedule left at an old
//! time, one left for a cancelled event, and the in-process scheduler's loss at a restart are all
//! put right by `domain::nudge::reconcile`, which reads the departure index, never a Scan.

use async_trait::async_trait;
use chrono::{DateTime, Duration, SubsecRound, Utc};
use domain::event::{AuditAction, AuditEntry, EventSpec, NudgeKind};
use domain::nudge::{NUDGE_LEAD, RECONCILE_AHEAD, apply, reconcile};
use domain::ports::{EventStore, NudgeSchedule, NudgeScheduler, SchedulerError};
use domain::{Email, Event, EventId, EventKind, OpId, OrgId, OrgScope};
use std::collections::BTreeMap;
use std::sync::Mutex;
use store_embedded::EmbeddedStore;

/// A scheduler that keeps its schedules in a map and refuses the next `fail` calls.
#[derive(Default)]
struct Flaky {
    schedules: Mutex<BTreeMap<(String, &'static str), NudgeSchedule>>,
    fail: Mutex<usize>,
}

impl Flaky {
    fn refuse(&self) -> bool {
        let mut fail = self.fail.lock().expect("lock");
        let refuse = *fail > 0;
        *fail = fail.saturating_sub(1);
        refuse
    }
    fn get(&self, event: &EventId, kind: NudgeKind) -> Option<NudgeSchedule> {
        let map = self.schedules.lock().expect("lock");
        map.get(&(event.to_string(), kind.as_str())).cloned()
    }
    fn len(&self) -> usize {
        self.schedules.lock().expect("lock").len()
    }
}

#[async_trait]
impl NudgeScheduler for Flaky {
    async fn upsert(&self, s: &NudgeSchedule) -> Result<(), SchedulerError> {
        if self.refuse() {
            return Err(SchedulerError::Unavailable("throttled".into()));
        }
        let mut map = self.schedules.lock().expect("lock");
        map.insert((s.event_id.to_string(), s.kind.as_str()), s.clone());
        Ok(())
    }
    async fn delete(
        &self,
        _org: &OrgId,
        event: &EventId,
        kind: NudgeKind,
    ) -> Result<(), SchedulerError> {
        if self.refuse() {
            return Err(SchedulerError::Unavailable("throttled".into()));
        }
        let mut map = self.schedules.lock().expect("lock");
        map.remove(&(event.to_string(), kind.as_str()));
        Ok(())
    }
}

fn audit(action: AuditAction, now: DateTime<Utc>) -> AuditEntry {
    AuditEntry {
        op_id: OpId::parse(&ulid::Ulid::new().to_string()).expect("a ULID is an op id"),
        action,
        by: Email::parse("captain@example.com").expect("valid"),
        at: now,
    }
}

fn event(kind: EventKind, departs: DateTime<Utc>, hours: i64, now: DateTime<Utc>) -> Event {
    Event::new(
        EventId::generate(),
        OrgId::parse("jada").expect("valid"),
        EventSpec {
            kind,
            title: "Reconcile".into(),
            vessel: "Jada".into(),
            vessel_id: None,
            passengers: Default::default(),
            departs_at: departs,
            returns_at: departs + Duration::hours(hours),
            crew: vec![],
            notes: String::new(),
            revenue_cents: None,
        },
        Email::parse("captain@example.com").expect("valid"),
        now,
    )
}

async fn store_with_org(name: &str) -> EmbeddedStore {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("{name}-{}", ulid::Ulid::new()));
    let store = EmbeddedStore::open(&dir).expect("store");
    let portfolio =
        domain::portfolio::Portfolio::parse(local::PORTFOLIO, local::PORTFOLIO_FILE).expect("file");
    for org in domain::seed::demo(Utc::now(), &portfolio).orgs {
        domain::ports::OrgStore::create_org(&store, &org)
            .await
            .expect("org");
    }
    store
}

#[tokio::test]
async fn a_nudge_the_scheduler_refused_is_planned_by_the_next_reconciliation() {
    let store = store_with_org("reconcile").await;
    let scheduler = Flaky::default();
    let now = Utc::now().trunc_subsecs(0);
    let scope = OrgScope::trusted(OrgId::parse("jada").expect("valid"));

    // Created while the scheduler is throttled: the event is stored, its nudge is not.
    let sail = event(EventKind::SunsetSail, now + Duration::hours(3), 3, now);
    store.create_event(&scope, &sail).await.expect("create");
    *scheduler.fail.lock().expect("lock") = 1;
    let applied = apply(&scheduler, &sail, chrono::Duration::minutes(30), now).await;
    assert_eq!(applied.failed.len(), 1, "the departure upsert was refused");
    assert!(scheduler.get(&sail.id, NudgeKind::Departure).is_none());

    // Moved later, but the scheduler still holds the old time; and a cancelled event whose
    // schedule was never deleted.
    let mut moved = event(EventKind::Charter, now + Duration::hours(5), 4, now);
    store.create_event(&scope, &moved).await.expect("create");
    apply(&scheduler, &moved, chrono::Duration::minutes(30), now).await;
    let read_at = moved.version;
    moved.departs_at += Duration::hours(2);
    moved.returns_at += Duration::hours(2);
    let edited = AuditAction::Edited {
        fields: vec!["departs_at".into(), "returns_at".into()],
    };
    let moved = store
        .update_event(&scope, &moved, read_at, &audit(edited, now))
        .await
        .expect("move");
    let mut gone = event(EventKind::Charter, now + Duration::hours(6), 2, now);
    store.create_event(&scope, &gone).await.expect("create");
    apply(&scheduler, &gone, chrono::Duration::minutes(30), now).await;
    let read_at = gone.version;
    gone.cancel(&gone.created_by.clone(), now).expect("cancel");
    store
        .update_event(&scope, &gone, read_at, &audit(AuditAction::Cancelled, now))
        .await
        .expect("cancel");
    assert!(scheduler.get(&gone.id, NudgeKind::Departure).is_some());

    let done = reconcile(&store, &store, &scheduler, now, now + RECONCILE_AHEAD)
        .await
        .expect("reconcile");
    assert_eq!((done.events, done.failed), (3, 0), "{done:?}");
    let departure = scheduler
        .get(&sail.id, NudgeKind::Departure)
        .expect("the refused nudge is planned now");
    assert_eq!(departure.fire_at, sail.departs_at - NUDGE_LEAD);
    assert_eq!(departure.anchor_at, sail.departs_at);
    assert_eq!(
        scheduler
            .get(&moved.id, NudgeKind::Departure)
            .map(|s| s.fire_at),
        Some(moved.departs_at - NUDGE_LEAD),
        "the stale time is corrected"
    );
    assert!(
        scheduler.get(&gone.id, NudgeKind::Departure).is_none(),
        "the cancelled event's schedule is deleted"
    );

    // Idempotent: a second run changes nothing.
    let before = scheduler.len();
    let again = reconcile(&store, &store, &scheduler, now, now + RECONCILE_AHEAD)
        .await
        .expect("reconcile");
    assert_eq!(
        (again.events, again.scheduled),
        (done.events, done.scheduled)
    );
    assert_eq!(scheduler.len(), before);
}

#[tokio::test]
async fn reconciliation_covers_the_return_of_an_event_underway_and_not_beyond_its_window() {
    let store = store_with_org("underway").await;
    let scheduler = Flaky::default();
    let now = Utc::now().trunc_subsecs(0);
    let scope = OrgScope::trusted(OrgId::parse("jada").expect("valid"));

    // A five-day delivery that departed two days ago: its return nudge is still owed.
    let delivery = event(EventKind::Delivery, now - Duration::days(2), 5 * 24, now);
    store.create_event(&scope, &delivery).await.expect("create");
    // Departing in 40 days: outside the hourly window (planned when it was created).
    let far = event(EventKind::Charter, now + Duration::days(40), 3, now);
    store.create_event(&scope, &far).await.expect("create");

    let done = reconcile(&store, &store, &scheduler, now, now + RECONCILE_AHEAD)
        .await
        .expect("reconcile");
    assert_eq!(done.events, 1, "{done:?}");
    let back = scheduler
        .get(&delivery.id, NudgeKind::Return)
        .expect("the return nudge of the delivery underway");
    assert_eq!(back.fire_at, delivery.returns_at - NUDGE_LEAD);
    assert!(scheduler.get(&delivery.id, NudgeKind::Departure).is_none());
    assert!(scheduler.get(&far.id, NudgeKind::Departure).is_none());
}

/// Found by hand against `make dev`: after a restart, the departure nudge of an event 40 days
/// ahead and the return nudge of a delivery underway were gone from `/dev/schedules`.
#[tokio::test]
async fn a_restart_of_the_local_server_keeps_every_pending_nudge() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("local-restart-{}", ulid::Ulid::new()));
    std::fs::create_dir_all(dir.join("static")).expect("dir");
    let config = local::Config {
        data: dir.join("data"),
        static_dir: dir.join("static"),
        app_url: "http://localhost:3000".into(),
    };
    let app = local::start(&config).await.expect("start");
    let now = Utc::now().trunc_subsecs(0);
    let scope = OrgScope::trusted(OrgId::parse("jada").expect("valid"));
    let far = event(EventKind::Charter, now + Duration::days(40), 3, now);
    let delivery = event(EventKind::Delivery, now - Duration::days(2), 5 * 24, now);
    for e in [&far, &delivery] {
        app.store.create_event(&scope, e).await.expect("create");
    }
    drop(app);

    let again = local::start(&config).await.expect("restart");
    let pending = again.scheduler.pending();
    let has = |id: &EventId, kind: NudgeKind, at: DateTime<Utc>| {
        pending
            .iter()
            .any(|s| &s.event_id == id && s.kind == kind && s.fire_at == at)
    };
    assert!(
        has(&far.id, NudgeKind::Departure, far.departs_at - NUDGE_LEAD),
        "40 days ahead"
    );
    assert!(
        has(
            &delivery.id,
            NudgeKind::Return,
            delivery.returns_at - NUDGE_LEAD
        ),
        "underway"
    );
    assert!(
        !pending
            .iter()
            .any(|s| s.event_id == delivery.id && s.kind == NudgeKind::Departure)
    );
}
