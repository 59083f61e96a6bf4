//! How many DynamoDB requests each access pattern costs, counted on the wire by an SDK interceptor
//! against moto. The figures are written into docs/data-model.md; this test keeps them true.

use aws_sdk_dynamodb::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_smithy_runtime_api::box_error::BoxError;
use domain::event::TaskState;
use domain::ports::{EventStore, PageRequest, SessionRecord, SessionStore, TaskTick};
use domain::{OpId, TaskId};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use store_conformance::{email, sample_event, sample_org, scope, t0};
use store_dynamodb::DynamoStore;

/// Counts requests by DynamoDB operation (the `X-Amz-Target` header), retries included.
#[derive(Debug, Default, Clone)]
struct Counter(Arc<Mutex<BTreeMap<String, u32>>>);

impl Counter {
    fn take(&self) -> BTreeMap<String, u32> {
        std::mem::take(&mut *self.0.lock().expect("lock"))
    }
}

impl Intercept for Counter {
    fn name(&self) -> &'static str {
        "request counter"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let target = context
            .request()
            .headers()
            .get("x-amz-target")
            .unwrap_or("unknown")
            .trim_start_matches("DynamoDB_20120810.")
            .to_string();
        *self.0.lock().expect("lock").entry(target).or_default() += 1;
        Ok(())
    }
}

fn counts(pairs: &[(&str, u32)]) -> BTreeMap<String, u32> {
    pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

#[tokio::test]
async fn requests_per_access_pattern() {
    let Some(config) = aws_env::test_endpoint().await else {
        return;
    };
    let counter = Counter::default();
    let client = aws_sdk_dynamodb::Client::from_conf(
        aws_sdk_dynamodb::config::Builder::from(&config)
            .interceptor(counter.clone())
            .build(),
    );
    let table = format!("counts-{}", ulid::Ulid::new());
    store_dynamodb::table::create_table(&client, &table)
        .await
        .expect("create table");
    let store = DynamoStore::new(client, table);
    use domain::ports::OrgStore;
    store.create_org(&sample_org("alpha")).await.expect("org");
    let a = scope("alpha");
    let event = sample_event("alpha", 24);
    store.create_event(&a, &event).await.expect("event");
    counter.take();

    // The crew screen: event, checklist states, audit trail and nudges in one read (a Query by
    // the event's key as a prefix: its audit entries are items under it).
    store.get_event(&a, &event.id).await.expect("get");
    assert_eq!(counter.take(), counts(&[("Query", 1)]), "crew screen");

    // A tick: one transaction (the audit entry and the task's own path), then the read that
    // returns the event.
    let tick = TaskTick {
        task: TaskId::parse("float_plan").expect("valid"),
        state: TaskState {
            done: true,
            by: email("deck@example.com"),
            at: t0(),
            recorded_at: t0(),
            op_id: OpId::parse("op-count-0001").expect("valid"),
            note: String::new(),
            photos: Vec::new(),
        },
    };
    let outcome = store.record_task(&a, &event.id, &tick).await.expect("tick");
    assert!(outcome.applied);
    assert_eq!(
        counter.take(),
        counts(&[("Query", 1), ("TransactWriteItems", 1)]),
        "tick"
    );

    // A replayed tick: the cancelled transaction, then one read that finds the op and returns
    // the event.
    store
        .record_task(&a, &event.id, &tick)
        .await
        .expect("replay");
    assert_eq!(
        counter.take(),
        counts(&[("Query", 1), ("TransactWriteItems", 1)]),
        "replay"
    );

    // An edit: one transaction (the event and its audit entry), then the read that returns it.
    let mut edit = store.get_event(&a, &event.id).await.expect("get");
    counter.take();
    edit.notes = "counted".into();
    let entry = domain::event::AuditEntry {
        op_id: OpId::parse("op-count-0002").expect("valid"),
        action: domain::event::AuditAction::Edited {
            fields: vec!["notes".into()],
        },
        by: email("admin@example.com"),
        at: t0(),
    };
    store
        .update_event(&a, &edit, edit.version, &entry)
        .await
        .expect("edit");
    assert_eq!(
        counter.take(),
        counts(&[("Query", 1), ("TransactWriteItems", 1)]),
        "edit"
    );

    // A week of events: one Query on the by_departure index.
    store
        .list_events(
            &a,
            t0(),
            t0() + chrono::Duration::days(7),
            &PageRequest::first(50),
        )
        .await
        .expect("list");
    assert_eq!(counter.take(), counts(&[("Query", 1)]), "list a week");

    // An authenticated request's allowlist check: one GetItem.
    let session = SessionRecord {
        jti: "jti-1".into(),
        email: email("deck@example.com"),
        issued_at: t0(),
        expires_at: t0() + chrono::Duration::days(30),
    };
    store.put_session(&a, &session).await.expect("session");
    counter.take();
    store
        .session_active(&a, &session.email, "jti-1", t0())
        .await
        .expect("check");
    assert_eq!(counter.take(), counts(&[("GetItem", 1)]), "allowlist check");
}
