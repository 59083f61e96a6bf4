//! The store conformance suite: the semantics docs/data-model.md promises, written once and run
//! against every adapter. An adapter's test file calls [`conformance_suite!`] with an expression
//! that yields a fresh, empty store; each check becomes its own `#[tokio::test]`.
//!
//! Each check fails if an adapter lets a conditional create overwrite, a stale version win, a
//! replayed op apply twice, a tick clobber another task, or one org read another's data.

use chrono::{DateTime, Duration, TimeZone, Utc};
use domain::event::{AuditAction, AuditEntry, EventSpec, NudgeKind, NudgeState, TaskState};
use domain::org::{Member, Org, OrgScope};
use domain::ports::{
    Cursor, MAX_SIGNIN_ATTEMPTS, NudgeKey, PageRequest, RateDecision, ReportAudience, ReportKey,
    SendClaim, SessionRecord, SigninProof, SigninRecord, SpendError, Store, StoreError, TaskTick,
};
use domain::{
    CrewAssignment, CrewRole, Email, Event, EventId, EventKind, OpId, OrgId, Role, TaskId,
};
use std::sync::Arc;

/// Runs every check as its own test. `$make` is an expression (usually an `async` call) that
/// evaluates to a future of `Option<Arc<impl Store>>`: a fresh, empty store for each test, or
/// `None` when the adapter's backend is not available outside CI (the maker says why; under
/// `CI=true` a missing backend must panic instead, so nothing is silently skipped there).
#[macro_export]
macro_rules! conformance_suite {
    ($make:expr) => {
        $crate::conformance_suite!(@tests $make;
            orgs_are_created_once,
            orgs_are_isolated,
            members_and_memberships,
            events_are_created_once,
            events_are_isolated,
            stale_versions_lose,
            edits_keep_task_states,
            ticks_apply_once_per_op,
            ticks_on_different_tasks_all_land,
            replays_apply_once_under_concurrency,
            concurrent_edits_one_wins,
            listing_by_departure_pages_and_stays_in_org,
            sessions_allowlist,
            signin_links_and_codes_spend_once,
            signin_expiry_burning_and_replacement,
            parallel_exchanges_spend_once,
            rate_limits_count_per_window,
            nudges_are_claimed_once,
            report_sends_and_unsubscribes,
        );
    };
    (@tests $make:expr; $($name:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $name() {
                let Some(store) = $make.await else { return };
                $crate::$name(store).await;
            }
        )*
    };
}

pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 7, 1, 16, 0, 0)
        .single()
        .unwrap_or_default()
}

pub fn email(s: &str) -> Email {
    Email::parse(s).unwrap_or_else(|e| panic!("test email {s}: {e}"))
}

pub fn org_id(s: &str) -> OrgId {
    OrgId::parse(s).unwrap_or_else(|e| panic!("test org {s}: {e}"))
}

pub fn scope(s: &str) -> OrgScope {
    OrgScope::trusted(org_id(s))
}

fn task(s: &str) -> TaskId {
    TaskId::parse(s).unwrap_or_else(|e| panic!("test task {s}: {e}"))
}

fn op(s: &str) -> OpId {
    OpId::parse(s).unwrap_or_else(|e| panic!("test op {s}: {e}"))
}

pub fn sample_org(id: &str) -> Org {
    Org {
        id: org_id(id),
        name: format!("Org {id}"),
        zone: chrono_tz::America::Los_Angeles,
        home_port: domain::seed::san_diego(),
        enabled_kinds: EventKind::ALL.to_vec(),
        report_recipients: Default::default(),
        created_at: t0(),
    }
}

/// A charter departing `hours` after [`t0`], with one captain and one crew member.
pub fn sample_event(org: &str, hours: i64) -> Event {
    let departs_at = t0() + Duration::hours(hours);
    let spec = EventSpec {
        kind: EventKind::Charter,
        title: format!("Charter +{hours}h"),
        vessel: "Jada".into(),
        departs_at,
        returns_at: departs_at + Duration::hours(4),
        crew: vec![
            CrewAssignment {
                email: email("cap@example.com"),
                role: CrewRole::Captain,
            },
            CrewAssignment {
                email: email("deck@example.com"),
                role: CrewRole::Crew,
            },
        ],
        notes: String::new(),
        revenue_cents: Some(100_000),
    };
    Event::new(
        EventId::generate(),
        org_id(org),
        spec,
        email("admin@example.com"),
        t0(),
    )
}

fn tick(task_id: &str, op_id: &str, done: bool) -> TaskTick {
    TaskTick {
        task: task(task_id),
        state: TaskState {
            done,
            by: email("deck@example.com"),
            at: t0(),
            recorded_at: t0(),
            op_id: op(op_id),
        },
    }
}

fn audit(op_id: &str) -> AuditEntry {
    AuditEntry {
        op_id: op(op_id),
        action: AuditAction::Edited {
            fields: vec!["notes".into()],
        },
        by: email("admin@example.com"),
        at: t0(),
    }
}

async fn with_org<S: Store>(store: &S, id: &str) -> OrgScope {
    store.create_org(&sample_org(id)).await.expect("create org");
    scope(id)
}

pub async fn orgs_are_created_once<S: Store + 'static>(store: Arc<S>) {
    let org = sample_org("alpha");
    store.create_org(&org).await.expect("first create");
    let mut again = org.clone();
    again.name = "Overwritten".into();
    assert_eq!(
        store.create_org(&again).await,
        Err(StoreError::AlreadyExists)
    );
    let stored = store.get_org(&scope("alpha")).await.expect("get");
    assert_eq!(
        stored.name, org.name,
        "a conditional create must not overwrite"
    );
    let mut edited = stored.clone();
    edited.name = "Alpha Charters".into();
    store
        .update_org(&scope("alpha"), &edited)
        .await
        .expect("update");
    assert_eq!(
        store.get_org(&scope("alpha")).await.expect("get").name,
        "Alpha Charters"
    );
    store
        .create_org(&sample_org("bravo"))
        .await
        .expect("second org");
    let mut ids: Vec<String> = store
        .list_orgs()
        .await
        .expect("list")
        .into_iter()
        .map(|o| o.id.to_string())
        .collect();
    ids.sort();
    assert_eq!(ids, ["alpha", "bravo"]);
}

pub async fn orgs_are_isolated<S: Store + 'static>(store: Arc<S>) {
    with_org(&*store, "alpha").await;
    assert_eq!(
        store.get_org(&scope("bravo")).await,
        Err(StoreError::NotFound)
    );
    assert_eq!(
        store
            .update_org(&scope("bravo"), &sample_org("bravo"))
            .await,
        Err(StoreError::NotFound),
        "update never creates"
    );
}

pub async fn members_and_memberships<S: Store + 'static>(store: Arc<S>) {
    let a = with_org(&*store, "alpha").await;
    let b = with_org(&*store, "bravo").await;
    let ann = Member {
        email: email("ann@example.com"),
        name: "Ann".into(),
        role: Role::Crew,
        added_at: t0(),
    };
    store.add_member(&a, "Org alpha", &ann).await.expect("add");
    let mut dup = ann.clone();
    dup.role = Role::Admin;
    assert_eq!(
        store.add_member(&a, "Org alpha", &dup).await,
        Err(StoreError::AlreadyExists)
    );
    assert_eq!(
        store
            .get_member(&a, &ann.email)
            .await
            .expect("get")
            .map(|m| m.role),
        Some(Role::Crew),
        "a duplicate add must not overwrite the role"
    );
    assert_eq!(store.get_member(&b, &ann.email).await.expect("get"), None);
    let mut ann_b = ann.clone();
    ann_b.role = Role::Captain;
    store
        .add_member(&b, "Org bravo", &ann_b)
        .await
        .expect("add to b");
    let bob = Member {
        email: email("bob@example.com"),
        name: "Bob".into(),
        role: Role::Admin,
        added_at: t0(),
    };
    store
        .add_member(&a, "Org alpha", &bob)
        .await
        .expect("add bob");

    let mut list: Vec<String> = store
        .list_members(&a)
        .await
        .expect("list")
        .into_iter()
        .map(|m| m.email.to_string())
        .collect();
    list.sort();
    assert_eq!(list, ["ann@example.com", "bob@example.com"]);
    assert_eq!(store.list_members(&b).await.expect("list b").len(), 1);

    let mut ms = store.memberships(&ann.email).await.expect("memberships");
    ms.sort_by(|x, y| x.org_id.cmp(&y.org_id));
    let got: Vec<(String, String, Role)> = ms
        .into_iter()
        .map(|m| (m.org_id.to_string(), m.org_name, m.role))
        .collect();
    assert_eq!(
        got,
        [
            ("alpha".to_string(), "Org alpha".to_string(), Role::Crew),
            ("bravo".to_string(), "Org bravo".to_string(), Role::Captain)
        ]
    );

    let updated = store
        .update_member(&a, &ann.email, Role::Captain, "Ann Lee")
        .await
        .expect("role");
    assert_eq!(updated.role, Role::Captain);
    assert_eq!(updated.name, "Ann Lee");
    assert_eq!(
        store
            .get_member(&a, &ann.email)
            .await
            .expect("get")
            .map(|m| m.name),
        Some("Ann Lee".to_string())
    );
    assert_eq!(
        store
            .update_member(&a, &email("nobody@example.com"), Role::Admin, "Nobody")
            .await,
        Err(StoreError::NotFound)
    );
    store.remove_member(&a, &ann.email).await.expect("remove");
    assert_eq!(
        store.remove_member(&a, &ann.email).await,
        Err(StoreError::NotFound)
    );
    let after: Vec<String> = store
        .memberships(&ann.email)
        .await
        .expect("memberships")
        .into_iter()
        .map(|m| m.org_id.to_string())
        .collect();
    assert_eq!(after, ["bravo"]);
    assert!(
        store
            .memberships(&email("ghost@example.com"))
            .await
            .expect("none")
            .is_empty()
    );
}

pub async fn events_are_created_once<S: Store + 'static>(store: Arc<S>) {
    let a = with_org(&*store, "alpha").await;
    let event = sample_event("alpha", 24);
    store.create_event(&a, &event).await.expect("create");
    let mut clash = event.clone();
    clash.title = "Overwritten".into();
    assert_eq!(
        store.create_event(&a, &clash).await,
        Err(StoreError::AlreadyExists)
    );
    let stored = store.get_event(&a, &event.id).await.expect("get");
    assert_eq!(
        stored.title, event.title,
        "a conditional create must not overwrite"
    );
    assert_eq!(stored.version, 1);
    assert_eq!(stored.crew, event.crew);
    assert_eq!(stored.departs_at, event.departs_at);
    assert_eq!(stored.revenue_cents, Some(100_000));
    assert_eq!(
        store.get_event(&a, &EventId::generate()).await,
        Err(StoreError::NotFound)
    );
}

pub async fn events_are_isolated<S: Store + 'static>(store: Arc<S>) {
    let a = with_org(&*store, "alpha").await;
    let b = with_org(&*store, "bravo").await;
    let event = sample_event("alpha", 24);
    store.create_event(&a, &event).await.expect("create");
    assert_eq!(
        store.get_event(&b, &event.id).await,
        Err(StoreError::NotFound)
    );
    let mut edit = event.clone();
    edit.notes = "hijacked".into();
    assert_eq!(
        store
            .update_event(&b, &edit, 1, &audit("op-iso-0001"))
            .await,
        Err(StoreError::NotFound)
    );
    assert_eq!(
        store
            .record_task(&b, &event.id, &tick("float_plan", "op-iso-0002", true))
            .await,
        Err(StoreError::NotFound)
    );
    let listed = store
        .list_events(
            &b,
            t0(),
            t0() + Duration::days(30),
            &PageRequest::first(100),
        )
        .await
        .expect("list");
    assert!(listed.items.is_empty(), "another org's events never list");
    let still = store.get_event(&a, &event.id).await.expect("get");
    assert_eq!(still.notes, "");
    assert!(still.tasks.is_empty());
}

pub async fn stale_versions_lose<S: Store + 'static>(store: Arc<S>) {
    let a = with_org(&*store, "alpha").await;
    let event = sample_event("alpha", 24);
    store.create_event(&a, &event).await.expect("create");
    let mut first = event.clone();
    first.notes = "first".into();
    let saved = store
        .update_event(&a, &first, 1, &audit("op-ver-0001"))
        .await
        .expect("v1 edit");
    assert_eq!(saved.version, 2);
    assert_eq!(saved.notes, "first");
    let mut stale = event.clone();
    stale.notes = "stale".into();
    assert_eq!(
        store
            .update_event(&a, &stale, 1, &audit("op-ver-0002"))
            .await,
        Err(StoreError::Conflict)
    );
    let stored = store.get_event(&a, &event.id).await.expect("get");
    assert_eq!(stored.notes, "first", "a stale version must not win");
    assert_eq!(stored.version, 2);
    assert_eq!(stored.audit.len(), 1);
    // Moving the departure moves the event in date-ordered listings.
    let mut moved = stored.clone();
    moved.departs_at += Duration::days(10);
    moved.returns_at += Duration::days(10);
    store
        .update_event(&a, &moved, 2, &audit("op-ver-0003"))
        .await
        .expect("move");
    let early = store
        .list_events(&a, t0(), t0() + Duration::days(5), &PageRequest::first(10))
        .await
        .expect("list");
    assert!(early.items.is_empty(), "the old departure no longer lists");
    let late = store
        .list_events(
            &a,
            t0() + Duration::days(5),
            t0() + Duration::days(20),
            &PageRequest::first(10),
        )
        .await
        .expect("list");
    assert_eq!(late.items.len(), 1);
    assert_eq!(
        store
            .update_event(&a, &sample_event("alpha", 1), 1, &audit("op-ver-0004"))
            .await,
        Err(StoreError::NotFound),
        "an update never creates"
    );
}

pub async fn edits_keep_task_states<S: Store + 'static>(store: Arc<S>) {
    let a = with_org(&*store, "alpha").await;
    let event = sample_event("alpha", 24);
    store.create_event(&a, &event).await.expect("create");
    store
        .record_task(&a, &event.id, &tick("float_plan", "op-keep-0001", true))
        .await
        .expect("tick");
    let mut edit = event.clone();
    edit.notes = "edited".into();
    let saved = store
        .update_event(&a, &edit, 1, &audit("op-keep-0002"))
        .await
        .expect("edit");
    assert!(saved.tasks.get(&task("float_plan")).is_some_and(|s| s.done));
    let stored = store.get_event(&a, &event.id).await.expect("get");
    assert!(
        stored
            .tasks
            .get(&task("float_plan"))
            .is_some_and(|s| s.done)
    );
    assert_eq!(
        stored.audit.len(),
        2,
        "the tick and the edit are both audited"
    );
}

pub async fn ticks_apply_once_per_op<S: Store + 'static>(store: Arc<S>) {
    let a = with_org(&*store, "alpha").await;
    let event = sample_event("alpha", 24);
    store.create_event(&a, &event).await.expect("create");
    let first = store
        .record_task(&a, &event.id, &tick("float_plan", "op-once-0001", true))
        .await
        .expect("tick");
    assert!(first.applied);
    assert!(
        first.event.revision > event.revision,
        "every write bumps the revision"
    );
    let undo = store
        .record_task(&a, &event.id, &tick("float_plan", "op-once-0002", false))
        .await
        .expect("untick");
    assert!(undo.applied);
    // A late replay of the first op must not re-tick the task.
    let replay = store
        .record_task(&a, &event.id, &tick("float_plan", "op-once-0001", true))
        .await
        .expect("replay");
    assert!(!replay.applied);
    let state = replay
        .event
        .tasks
        .get(&task("float_plan"))
        .cloned()
        .expect("state");
    assert!(!state.done, "the replay changed nothing");
    assert_eq!(state.op_id.as_str(), "op-once-0002");
    assert_eq!(state.by.as_str(), "deck@example.com");
    assert_eq!(replay.event.audit.len(), 2);
    assert_eq!(
        store
            .record_task(
                &a,
                &EventId::generate(),
                &tick("float_plan", "op-once-0003", true)
            )
            .await,
        Err(StoreError::NotFound)
    );
}

pub async fn ticks_on_different_tasks_all_land<S: Store + 'static>(store: Arc<S>) {
    let a = with_org(&*store, "alpha").await;
    let event = sample_event("alpha", 24);
    store.create_event(&a, &event).await.expect("create");
    let mut set = tokio::task::JoinSet::new();
    for i in 0..50 {
        let store = Arc::clone(&store);
        let a = a.clone();
        let id = event.id.clone();
        set.spawn(async move {
            store
                .record_task(
                    &a,
                    &id,
                    &tick(&format!("task_{i}"), &format!("op-many-{i:04}"), true),
                )
                .await
        });
    }
    while let Some(result) = set.join_next().await {
        let outcome = result.expect("join").expect("tick");
        assert!(outcome.applied);
    }
    let stored = store.get_event(&a, &event.id).await.expect("get");
    assert_eq!(stored.tasks.len(), 50, "every concurrent tick landed");
    assert_eq!(stored.audit.len(), 50);
    assert_eq!(stored.revision, event.revision + 50);
}

pub async fn replays_apply_once_under_concurrency<S: Store + 'static>(store: Arc<S>) {
    let a = with_org(&*store, "alpha").await;
    let event = sample_event("alpha", 24);
    store.create_event(&a, &event).await.expect("create");
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let store = Arc::clone(&store);
        let a = a.clone();
        let id = event.id.clone();
        set.spawn(async move {
            store
                .record_task(&a, &id, &tick("float_plan", "op-replay-0001", true))
                .await
        });
    }
    let mut applied = 0;
    while let Some(result) = set.join_next().await {
        if result.expect("join").expect("tick").applied {
            applied += 1;
        }
    }
    assert_eq!(applied, 1, "one op id applies once");
    let stored = store.get_event(&a, &event.id).await.expect("get");
    assert_eq!(stored.audit.len(), 1);
    assert_eq!(stored.revision, event.revision + 1);
}

pub async fn concurrent_edits_one_wins<S: Store + 'static>(store: Arc<S>) {
    let a = with_org(&*store, "alpha").await;
    let event = sample_event("alpha", 24);
    store.create_event(&a, &event).await.expect("create");
    let mut set = tokio::task::JoinSet::new();
    for i in 0..2 {
        let store = Arc::clone(&store);
        let a = a.clone();
        let mut edit = event.clone();
        edit.notes = format!("edit {i}");
        set.spawn(async move {
            store
                .update_event(&a, &edit, 1, &audit(&format!("op-race-{i:04}")))
                .await
        });
    }
    let mut wins = 0;
    let mut conflicts = 0;
    while let Some(result) = set.join_next().await {
        match result.expect("join") {
            Ok(_) => wins += 1,
            Err(StoreError::Conflict) => conflicts += 1,
            Err(e) => panic!("unexpected {e}"),
        }
    }
    assert_eq!((wins, conflicts), (1, 1));
    assert_eq!(
        store.get_event(&a, &event.id).await.expect("get").version,
        2
    );
}

pub async fn listing_by_departure_pages_and_stays_in_org<S: Store + 'static>(store: Arc<S>) {
    let a = with_org(&*store, "alpha").await;
    let b = with_org(&*store, "bravo").await;
    // Seven events a day apart, created out of order; one in the other org; one outside the range.
    let mut ids = Vec::new();
    for day in [3, 1, 6, 0, 5, 2, 4] {
        let event = sample_event("alpha", day * 24 + 1);
        store.create_event(&a, &event).await.expect("create");
        ids.push((day, event.id));
    }
    ids.sort();
    store
        .create_event(&b, &sample_event("bravo", 30))
        .await
        .expect("create b");
    store
        .create_event(&a, &sample_event("alpha", 24 * 40))
        .await
        .expect("create late");

    let from = t0();
    let to = t0() + Duration::days(7);
    let mut seen = Vec::new();
    let mut page = PageRequest::first(3);
    let mut pages = 0;
    loop {
        let got = store.list_events(&a, from, to, &page).await.expect("list");
        assert!(got.items.len() <= 3);
        seen.extend(got.items.iter().map(|e| e.id.clone()));
        pages += 1;
        match got.next {
            Some(cursor) => {
                // The cursor is bound to its org.
                let other = PageRequest::new(Some(3), Some(cursor.clone()));
                assert_eq!(
                    store
                        .list_events(&b, from, to, &other)
                        .await
                        .map(|p| p.items.len()),
                    Err(StoreError::BadCursor)
                );
                page = PageRequest::new(Some(3), Some(cursor));
            }
            None => break,
        }
        assert!(pages < 10, "pagination ends");
    }
    let expected: Vec<EventId> = ids.into_iter().map(|(_, id)| id).collect();
    assert_eq!(seen, expected, "all seven, by departure, once each");
    let garbage = PageRequest::new(Some(3), Some(Cursor::from_client("not-a-cursor")));
    assert_eq!(
        store
            .list_events(&a, from, to, &garbage)
            .await
            .map(|p| p.items.len()),
        Err(StoreError::BadCursor)
    );
    // The range is half-open: an event departing exactly at `to` is not in it.
    let exact = store
        .list_events(&a, from, t0() + Duration::hours(1), &PageRequest::first(10))
        .await
        .expect("list");
    assert!(exact.items.is_empty());
}

pub async fn sessions_allowlist<S: Store + 'static>(store: Arc<S>) {
    let a = with_org(&*store, "alpha").await;
    let b = with_org(&*store, "bravo").await;
    let ann = email("ann@example.com");
    let bob = email("bob@example.com");
    let session = |jti: &str, who: &Email, expires: DateTime<Utc>| SessionRecord {
        jti: jti.into(),
        email: who.clone(),
        issued_at: t0(),
        expires_at: expires,
    };
    let later = t0() + Duration::days(30);
    store
        .put_session(&a, &session("jti-1", &ann, later))
        .await
        .expect("put");
    store
        .put_session(&a, &session("jti-2", &ann, later))
        .await
        .expect("put");
    store
        .put_session(&a, &session("jti-3", &bob, later))
        .await
        .expect("put");
    store
        .put_session(&b, &session("jti-4", &ann, later))
        .await
        .expect("put");
    store
        .put_session(&a, &session("jti-old", &ann, t0() - Duration::seconds(1)))
        .await
        .expect("put");
    let active = |s: OrgScope, who: Email, jti: &'static str| {
        let store = Arc::clone(&store);
        async move {
            store
                .session_active(&s, &who, jti, t0())
                .await
                .expect("check")
        }
    };
    assert!(active(a.clone(), ann.clone(), "jti-1").await);
    assert!(
        !active(a.clone(), ann.clone(), "jti-old").await,
        "expired on read"
    );
    assert!(
        !active(b.clone(), ann.clone(), "jti-1").await,
        "scoped to its org"
    );
    assert!(
        !active(a.clone(), bob.clone(), "jti-1").await,
        "scoped to its person"
    );
    store
        .revoke_session(&a, &ann, "jti-1")
        .await
        .expect("revoke");
    assert!(!active(a.clone(), ann.clone(), "jti-1").await);
    assert!(active(a.clone(), ann.clone(), "jti-2").await);
    let revoked = store.revoke_sessions(&a, &ann).await.expect("revoke all");
    assert_eq!(revoked, 2, "jti-2 and the expired one");
    assert!(!active(a.clone(), ann.clone(), "jti-2").await);
    assert!(
        active(a.clone(), bob.clone(), "jti-3").await,
        "others keep theirs"
    );
    assert!(
        active(b.clone(), ann.clone(), "jti-4").await,
        "other orgs keep theirs"
    );
    store
        .revoke_session(&a, &ann, "never-existed")
        .await
        .expect("idempotent");
}

fn signin(key: &str, who: &str, link: &str, code: &str, issued: DateTime<Utc>) -> SigninRecord {
    SigninRecord {
        key: key.into(),
        email: email(who),
        link_hash: link.into(),
        code_hash: code.into(),
        issued_at: issued,
        expires_at: issued + Duration::minutes(10),
    }
}

pub async fn signin_links_and_codes_spend_once<S: Store + 'static>(store: Arc<S>) {
    store
        .put_signin(&signin("k-ann", "ann@example.com", "L1", "C1", t0()))
        .await
        .expect("put");
    let now = t0() + Duration::minutes(1);
    let got = store
        .spend_signin("k-ann", &SigninProof::Link("L1".into()), now)
        .await;
    assert_eq!(got, Ok(email("ann@example.com")));
    assert_eq!(
        store
            .spend_signin("k-ann", &SigninProof::Link("L1".into()), now)
            .await,
        Err(SpendError::Invalid),
        "a link works once"
    );
    assert_eq!(
        store
            .spend_signin("k-ann", &SigninProof::Code("C1".into()), now)
            .await,
        Err(SpendError::Invalid),
        "the code dies with the link"
    );
    store
        .put_signin(&signin("k-bob", "bob@example.com", "L2", "C2", t0()))
        .await
        .expect("put");
    assert_eq!(
        store
            .spend_signin("k-bob", &SigninProof::Link("C2".into()), now)
            .await,
        Err(SpendError::Invalid),
        "a code is not a link"
    );
    assert_eq!(
        store
            .spend_signin("k-bob", &SigninProof::Code("C2".into()), now)
            .await,
        Ok(email("bob@example.com"))
    );
    assert_eq!(
        store
            .spend_signin("k-nobody", &SigninProof::Code("C2".into()), now)
            .await,
        Err(SpendError::Invalid)
    );
}

pub async fn signin_expiry_burning_and_replacement<S: Store + 'static>(store: Arc<S>) {
    store
        .put_signin(&signin("k-exp", "ann@example.com", "L1", "C1", t0()))
        .await
        .expect("put");
    assert_eq!(
        store
            .spend_signin(
                "k-exp",
                &SigninProof::Code("C1".into()),
                t0() + Duration::minutes(10)
            )
            .await,
        Err(SpendError::Expired),
        "expired at exactly ten minutes, though the item still exists"
    );

    store
        .put_signin(&signin("k-burn", "ann@example.com", "L1", "C1", t0()))
        .await
        .expect("put");
    let now = t0() + Duration::minutes(1);
    for _ in 0..MAX_SIGNIN_ATTEMPTS {
        assert_eq!(
            store
                .spend_signin("k-burn", &SigninProof::Code("WRONG".into()), now)
                .await,
            Err(SpendError::Invalid)
        );
    }
    assert_eq!(
        store
            .spend_signin("k-burn", &SigninProof::Code("C1".into()), now)
            .await,
        Err(SpendError::Invalid),
        "five wrong codes burn it"
    );

    store
        .put_signin(&signin("k-new", "ann@example.com", "OLD-L", "OLD-C", t0()))
        .await
        .expect("put");
    store
        .put_signin(&signin("k-new", "ann@example.com", "NEW-L", "NEW-C", t0()))
        .await
        .expect("put");
    assert_eq!(
        store
            .spend_signin("k-new", &SigninProof::Code("OLD-C".into()), now)
            .await,
        Err(SpendError::Invalid),
        "a newer request replaces older codes"
    );
    assert_eq!(
        store
            .spend_signin("k-new", &SigninProof::Code("NEW-C".into()), now)
            .await,
        Ok(email("ann@example.com")),
        "and one wrong try does not burn the new one"
    );
}

pub async fn parallel_exchanges_spend_once<S: Store + 'static>(store: Arc<S>) {
    store
        .put_signin(&signin("k-par", "ann@example.com", "L", "C", t0()))
        .await
        .expect("put");
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let store = Arc::clone(&store);
        set.spawn(async move {
            store
                .spend_signin(
                    "k-par",
                    &SigninProof::Code("C".into()),
                    t0() + Duration::minutes(1),
                )
                .await
        });
    }
    let mut ok = 0;
    while let Some(result) = set.join_next().await {
        match result.expect("join") {
            Ok(_) => ok += 1,
            Err(SpendError::Invalid) => {}
            Err(e) => panic!("unexpected {e}"),
        }
    }
    assert_eq!(ok, 1, "twenty parallel exchanges, one success");
}

pub async fn rate_limits_count_per_window<S: Store + 'static>(store: Arc<S>) {
    let window = Duration::minutes(15);
    // 16:00:00 is a window boundary; stay inside one window.
    let now = t0() + Duration::minutes(1);
    for i in 0..5 {
        assert_eq!(
            store.hit_rate_limit("email:ann", 5, window, now).await,
            Ok(RateDecision::Allowed),
            "hit {i}"
        );
    }
    match store.hit_rate_limit("email:ann", 5, window, now).await {
        Ok(RateDecision::Limited { retry_after_secs }) => {
            assert_eq!(retry_after_secs, 14 * 60, "until the window ends");
        }
        other => panic!("expected a limit, got {other:?}"),
    }
    assert_eq!(
        store.hit_rate_limit("email:bob", 5, window, now).await,
        Ok(RateDecision::Allowed),
        "buckets are independent"
    );
    assert_eq!(
        store
            .hit_rate_limit("email:ann", 5, window, now + window)
            .await,
        Ok(RateDecision::Allowed),
        "a new window starts afresh"
    );
}

pub async fn nudges_are_claimed_once<S: Store + 'static>(store: Arc<S>) {
    let a = with_org(&*store, "alpha").await;
    let event = sample_event("alpha", 24);
    store.create_event(&a, &event).await.expect("create");
    let key = |who: &str| NudgeKey {
        kind: NudgeKind::Departure,
        anchor_at: event.departs_at,
        email: email(who),
    };
    let stale = Duration::minutes(5);
    let now = t0();
    let claim = |k: NudgeKey, at: DateTime<Utc>| {
        let store = Arc::clone(&store);
        let a = a.clone();
        let id = event.id.clone();
        async move {
            store
                .claim_nudge(&a, &id, &k, at, stale)
                .await
                .expect("claim")
        }
    };
    assert_eq!(claim(key("cap@example.com"), now).await, SendClaim::Claimed);
    assert_eq!(
        claim(key("cap@example.com"), now).await,
        SendClaim::InProgress
    );
    store
        .finish_nudge(
            &a,
            &event.id,
            &key("cap@example.com"),
            NudgeState::Sent,
            now,
        )
        .await
        .expect("finish");
    assert_eq!(
        claim(key("cap@example.com"), now).await,
        SendClaim::AlreadySent
    );

    assert_eq!(
        claim(key("deck@example.com"), now).await,
        SendClaim::Claimed
    );
    store
        .finish_nudge(
            &a,
            &event.id,
            &key("deck@example.com"),
            NudgeState::Failed,
            now,
        )
        .await
        .expect("finish");
    assert_eq!(
        claim(key("deck@example.com"), now).await,
        SendClaim::Claimed,
        "a failed send may be retried"
    );
    assert_eq!(
        claim(key("deck@example.com"), now + Duration::minutes(6)).await,
        SendClaim::Claimed,
        "a claim abandoned by a crashed invocation goes stale"
    );
    // A different anchor instant (the event moved) is a different nudge.
    let moved = NudgeKey {
        anchor_at: event.departs_at + Duration::hours(1),
        ..key("cap@example.com")
    };
    assert_eq!(claim(moved, now).await, SendClaim::Claimed);

    // Concurrent claims: exactly one owner.
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..10 {
        let fut = claim(key("new@example.com"), now);
        set.spawn(fut);
    }
    let mut owners = 0;
    while let Some(r) = set.join_next().await {
        if r.expect("join") == SendClaim::Claimed {
            owners += 1;
        }
    }
    assert_eq!(owners, 1);

    let stored = store.get_event(&a, &event.id).await.expect("get");
    let cap = stored
        .nudges
        .iter()
        .find(|n| n.email.as_str() == "cap@example.com" && n.anchor_at == event.departs_at)
        .expect("recorded");
    assert_eq!(cap.state, NudgeState::Sent);
    assert_eq!(stored.nudges.len(), 4);
    assert_eq!(
        store
            .claim_nudge(
                &scope("bravo"),
                &event.id,
                &key("cap@example.com"),
                now,
                stale
            )
            .await,
        Err(StoreError::NotFound)
    );
}

pub async fn report_sends_and_unsubscribes<S: Store + 'static>(store: Arc<S>) {
    let key = |audience: ReportAudience, who: &str| ReportKey {
        audience,
        week: "2026-W27".into(),
        perspective: domain::Perspective::Operations,
        recipient: email(who),
    };
    let alpha = || ReportAudience::Org(org_id("alpha"));
    let stale = Duration::minutes(5);
    let now = t0();
    assert_eq!(
        store
            .claim_report(&key(alpha(), "ann@example.com"), now, stale)
            .await,
        Ok(SendClaim::Claimed)
    );
    assert_eq!(
        store
            .claim_report(&key(alpha(), "ann@example.com"), now, stale)
            .await,
        Ok(SendClaim::InProgress)
    );
    store
        .finish_report(&key(alpha(), "ann@example.com"), NudgeState::Sent, now)
        .await
        .expect("finish");
    assert_eq!(
        store
            .claim_report(&key(alpha(), "ann@example.com"), now, stale)
            .await,
        Ok(SendClaim::AlreadySent)
    );
    // Same recipient, another audience or week: another send.
    assert_eq!(
        store
            .claim_report(
                &key(ReportAudience::Portfolio, "ann@example.com"),
                now,
                stale
            )
            .await,
        Ok(SendClaim::Claimed)
    );
    let mut next_week = key(alpha(), "ann@example.com");
    next_week.week = "2026-W28".into();
    assert_eq!(
        store.claim_report(&next_week, now, stale).await,
        Ok(SendClaim::Claimed)
    );
    // Failed and abandoned claims may be taken again.
    assert_eq!(
        store
            .claim_report(&key(alpha(), "bob@example.com"), now, stale)
            .await,
        Ok(SendClaim::Claimed)
    );
    store
        .finish_report(&key(alpha(), "bob@example.com"), NudgeState::Failed, now)
        .await
        .expect("finish");
    assert_eq!(
        store
            .claim_report(&key(alpha(), "bob@example.com"), now, stale)
            .await,
        Ok(SendClaim::Claimed)
    );
    assert_eq!(
        store
            .claim_report(
                &key(alpha(), "bob@example.com"),
                now + Duration::minutes(6),
                stale
            )
            .await,
        Ok(SendClaim::Claimed)
    );
    assert_eq!(
        store
            .finish_report(&key(alpha(), "nobody@example.com"), NudgeState::Sent, now)
            .await,
        Err(StoreError::NotFound)
    );
    // Ten concurrent claims: one owner.
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..10 {
        let store = Arc::clone(&store);
        let k = key(alpha(), "cat@example.com");
        set.spawn(async move { store.claim_report(&k, now, stale).await });
    }
    let mut owners = 0;
    while let Some(r) = set.join_next().await {
        if r.expect("join") == Ok(SendClaim::Claimed) {
            owners += 1;
        }
    }
    assert_eq!(owners, 1);

    let ops = domain::Perspective::Operations;
    store
        .unsubscribe(&alpha(), ops, &email("ann@example.com"), now)
        .await
        .expect("unsubscribe");
    store
        .unsubscribe(&alpha(), ops, &email("ann@example.com"), now)
        .await
        .expect("twice is fine");
    assert_eq!(
        store.unsubscribed(&alpha(), ops).await,
        Ok(vec![email("ann@example.com")])
    );
    assert_eq!(
        store
            .unsubscribed(&alpha(), domain::Perspective::Safety)
            .await,
        Ok(vec![])
    );
    assert_eq!(
        store
            .unsubscribed(&ReportAudience::Org(org_id("bravo")), ops)
            .await,
        Ok(vec![])
    );
    assert_eq!(
        store.unsubscribed(&ReportAudience::Portfolio, ops).await,
        Ok(vec![])
    );
}
