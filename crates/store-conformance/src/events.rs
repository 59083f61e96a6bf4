//! The event port: conditional creates, versions, per-task ticks, listing by departure.

use super::*;

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
    // The vessel record and who is aboard are edited like any field.
    first.vessel_id = Some(domain::ids::VesselId::generate());
    first.passengers = domain::event::Passengers {
        count: 3,
        manifest: vec!["Ana Ruiz".into(), "Bo Chen".into()],
        emergency_contact: "Lee Ruiz +1 619 555 0100".into(),
    };
    let saved = store
        .update_event(&a, &first, 1, &audit("op-ver-0001"))
        .await
        .expect("v1 edit");
    assert_eq!(saved.version, 2);
    assert_eq!(saved.notes, "first");
    assert_eq!(saved.vessel_id, first.vessel_id);
    assert_eq!(saved.passengers, first.passengers);
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

/// A tick that read the event before a cancel and writes after it (the api checks the status on
/// its read, which cannot see the cancel) is refused by the store's own write.
pub async fn ticks_after_a_cancel_are_refused_by_the_write<S: Store + 'static>(store: Arc<S>) {
    let a = with_org(&*store, "alpha").await;
    let event = sample_event("alpha", 24);
    store.create_event(&a, &event).await.expect("create");
    let mut cancelled = store.get_event(&a, &event.id).await.expect("get");
    cancelled
        .cancel(&email("admin@example.com"), t0())
        .expect("a scheduled event may be cancelled");
    let after_cancel = store
        .update_event(&a, &cancelled, 1, &audit("op-cancel-0001"))
        .await
        .expect("cancel");
    assert_eq!(
        store
            .record_task(&a, &event.id, &tick("float_plan", "op-cancel-0002", true))
            .await,
        Err(StoreError::Closed)
    );
    let stored = store.get_event(&a, &event.id).await.expect("get");
    assert!(
        stored.tasks.is_empty(),
        "nothing was ticked after the cancel"
    );
    assert_eq!(stored.audit.len(), 1, "only the cancel is in the history");
    assert_eq!(
        stored.revision, after_cancel.revision,
        "the refused tick wrote nothing"
    );
}

/// The captain's sign-off closes the checklist (issue 17): a late tick that read the event before
/// it is refused by the store's own write, a replay of a tick made before it still answers as
/// applied once, and the sign-off and departure records round-trip.
pub async fn ticks_after_a_sign_off_are_refused_by_the_write<S: Store + 'static>(store: Arc<S>) {
    let a = with_org(&*store, "alpha").await;
    let event = sample_event("alpha", 24);
    store.create_event(&a, &event).await.expect("create");
    let before = tick("float_plan", "op-sign-0001", true);
    store
        .record_task(&a, &event.id, &before)
        .await
        .expect("an open checklist takes ticks");
    let cap = email("cap@example.com");
    let mut e = store.get_event(&a, &event.id).await.expect("get");
    let fuel = task("fuel");
    e.depart(t0(), vec![fuel.clone()], &cap, t0())
        .expect("departs");
    let e = store
        .update_event(&a, &e, 1, &audit("op-sign-0002"))
        .await
        .expect("departed");
    assert_eq!(e.departed_open_safety_tasks, vec![fuel.clone()]);
    let mut e = e;
    e.complete(t0(), &cap, t0()).expect("returns");
    let e = store
        .update_event(&a, &e, 2, &audit("op-sign-0003"))
        .await
        .expect("returned");
    assert!(
        e.checklist_open(),
        "post-trip tasks are ticked after the return"
    );
    store
        .record_task(&a, &event.id, &tick("fuel", "op-sign-0004", true))
        .await
        .expect("ticked after the return");
    let mut signed = e.clone();
    signed
        .sign_off(Vec::new(), &cap, t0())
        .expect("a returned event may be signed off");
    let after = store
        .update_event(&a, &signed, 3, &audit("op-sign-0005"))
        .await
        .expect("signed");
    assert_eq!(after.signed_off, signed.signed_off);
    assert!(!after.checklist_open());
    assert_eq!(
        store
            .record_task(&a, &event.id, &tick("vhf", "op-sign-0006", true))
            .await,
        Err(StoreError::Closed)
    );
    let replay = store
        .record_task(&a, &event.id, &before)
        .await
        .expect("a replay is answered");
    assert!(!replay.applied, "applied once, before the sign-off");
    let stored = store.get_event(&a, &event.id).await.expect("get");
    assert_eq!(
        stored.revision, after.revision,
        "the refused tick wrote nothing"
    );
    assert!(!stored.tasks.contains_key(&task("vhf")));
    assert_eq!(stored.signed_off, signed.signed_off);
    assert_eq!(stored.departed_open_safety_tasks, vec![fuel]);
}

/// The tick made last on its device wins, whatever order ticks arrive in; an older one that syncs
/// late is kept in the history and changes nothing; equal times go to the later arrival.
pub async fn the_latest_device_time_wins_not_the_arrival_order<S: Store + 'static>(store: Arc<S>) {
    let a = with_org(&*store, "alpha").await;
    let event = sample_event("alpha", 24);
    store.create_event(&a, &event).await.expect("create");
    let at = |minutes: i64, op_id: &str, done: bool| {
        let mut t = tick("fuel", op_id, done);
        t.state.at = t0() + Duration::minutes(minutes);
        t.state.recorded_at = t0() + Duration::minutes(30);
        t
    };
    // The captain finds a problem at 10:05 and unticks; the deckhand's 10:00 tick syncs later.
    let captain = store
        .record_task(&a, &event.id, &at(5, "op-late-0001", false))
        .await
        .expect("captain");
    assert!(captain.applied && !captain.superseded);
    let late = store
        .record_task(&a, &event.id, &at(0, "op-late-0002", true))
        .await
        .expect("late tick");
    assert!(late.applied, "the late tick is recorded");
    assert!(late.superseded, "and reported as superseded");
    let state = late.event.tasks.get(&task("fuel")).cloned().expect("state");
    assert!(!state.done, "the later untick stands");
    assert_eq!(state.op_id.as_str(), "op-late-0001");
    assert_eq!(late.event.audit.len(), 2, "both ticks are in the history");
    let replay = store
        .record_task(&a, &event.id, &at(0, "op-late-0002", true))
        .await
        .expect("replay");
    assert!(!replay.applied && !replay.superseded);
    assert_eq!(replay.event.audit.len(), 2);
    // The same device time as the standing tick: the later arrival wins.
    let tie = store
        .record_task(&a, &event.id, &at(5, "op-late-0003", true))
        .await
        .expect("tie");
    assert!(tie.applied && !tie.superseded);
    let state = tie.event.tasks.get(&task("fuel")).cloned().expect("state");
    assert!(state.done);
    assert_eq!(state.op_id.as_str(), "op-late-0003");
    let stored = store.get_event(&a, &event.id).await.expect("get");
    assert_eq!(stored.tasks.get(&task("fuel")), Some(&state));
    assert_eq!(stored.audit.len(), 3);
}

/// An event's history has no size limit of its own: sixty edits whose audit entries are about
/// 10 KB each (600 KB, past DynamoDB's 400 KB item limit) all land, a tick after them too, and
/// reading the event returns every entry in order. Listings leave the history out.
pub async fn a_long_history_does_not_stop_an_event<S: Store + 'static>(store: Arc<S>) {
    let a = with_org(&*store, "alpha").await;
    let event = sample_event("alpha", 24);
    store.create_event(&a, &event).await.expect("create");
    let mut current = store.get_event(&a, &event.id).await.expect("get");
    let bulky: Vec<String> = (0..50)
        .map(|i| format!("{i:03}{}", "x".repeat(200)))
        .collect();
    for i in 0..60 {
        let mut edit = current.clone();
        edit.notes = format!("edit {i}");
        let entry = AuditEntry {
            op_id: op(&format!("op-long-{i:04}")),
            action: AuditAction::Edited {
                fields: bulky.clone(),
            },
            by: email("admin@example.com"),
            at: t0() + Duration::seconds(i + 1),
        };
        current = store
            .update_event(&a, &edit, current.version, &entry)
            .await
            .unwrap_or_else(|e| panic!("edit {i}: {e}"));
    }
    let mut late = tick("float_plan", "op-long-tick", true);
    late.state.recorded_at = t0() + Duration::seconds(61);
    let ticked = store
        .record_task(&a, &event.id, &late)
        .await
        .expect("a tick after a long history");
    assert!(ticked.applied);
    let stored = store.get_event(&a, &event.id).await.expect("get");
    assert_eq!(stored.notes, "edit 59");
    assert_eq!(stored.audit.len(), 61);
    let ops: Vec<&str> = stored.audit.iter().map(|e| e.op_id.as_str()).collect();
    assert_eq!(ops[0], "op-long-0000");
    assert_eq!(ops[59], "op-long-0059");
    assert_eq!(ops[60], "op-long-tick");
    let listed = store
        .list_events(
            &a,
            t0(),
            t0() + Duration::days(30),
            &PageRequest::first(100),
        )
        .await
        .expect("list");
    assert_eq!(listed.items.len(), 1);
    assert!(
        listed.items[0].audit.is_empty(),
        "a listing carries no history"
    );
}
