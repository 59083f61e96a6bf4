//! Export and import: an org's records round-trip between stores (embedded to embedded, embedded
//! to DynamoDB) unchanged, a re-import writes nothing twice, and a broken export is refused whole
//! with the line of every problem.

mod common;

use common::now;
use domain::org::OrgScope;
use domain::portfolio::Portfolio;
use domain::ports::{ReportAudience, Store};
use domain::{Email, OrgId, Perspective};
use operator::transfer::{self, ImportError};

/// The demo world (the portfolio's orgs, people, events with ticks, audit and nudges) in a store.
async fn seeded(store: &dyn Store) {
    let p = Portfolio::parse(
        include_str!("../../../config/portfolio.toml"),
        "config/portfolio.toml",
    )
    .expect("valid");
    let world = domain::seed::demo(now(), &p);
    for org in &world.orgs {
        store.create_org(org).await.expect("org");
    }
    for (org, member) in &world.members {
        store
            .add_member(&OrgScope::trusted(org.clone()), "name", member)
            .await
            .expect("member");
    }
    for (org, vessel) in &world.vessels {
        store
            .put_vessel(&OrgScope::trusted(org.clone()), vessel)
            .await
            .expect("vessel");
    }
    for event in &world.events {
        store
            .create_event(&OrgScope::trusted(event.org_id.clone()), event)
            .await
            .expect("event");
    }
    let audience = ReportAudience::Org(OrgId::parse("jada").expect("valid"));
    store
        .unsubscribe(
            &audience,
            Perspective::Finance,
            &Email::parse("owner@example.com").expect("valid"),
            now(),
        )
        .await
        .expect("unsubscribe");
}

async fn export_lines(store: &dyn Store, org: &OrgId) -> Vec<String> {
    let mut out = Vec::new();
    transfer::export(store, org, now(), &mut out)
        .await
        .expect("export");
    String::from_utf8(out)
        .expect("utf-8")
        .lines()
        .map(str::to_string)
        .collect()
}

async fn round_trip(target: &dyn Store) {
    let dir = tempfile::tempdir().expect("tempdir");
    let source = store_embedded::EmbeddedStore::open(dir.path()).expect("open");
    seeded(&source).await;
    let jada = OrgId::parse("jada").expect("valid");
    let lines = export_lines(&source, &jada).await;
    assert!(lines[0].contains("\"type\":\"header\""));
    let events = lines
        .iter()
        .filter(|l| l.contains("\"type\":\"event\""))
        .count();
    assert!(
        events > 20,
        "six weeks of history and upcoming events: {events}"
    );
    assert!(lines.iter().any(|l| l.contains("\"type\":\"unsubscribe\"")));
    assert!(lines.iter().any(|l| l.contains("\"type\":\"vessel\"")));

    let text = lines.join("\n");
    let export = transfer::read_export(text.as_bytes(), "jada.jsonl").expect("valid");
    let counts = transfer::import(target, &export, now())
        .await
        .expect("import");
    assert!(counts.org_created);
    assert_eq!(counts.events, events);
    assert_eq!(counts.vessels, 1, "Jada");
    assert_eq!(counts.already_there, 0);
    assert_eq!(export_lines(target, &jada).await, lines, "the same records");

    let again = transfer::import(target, &export, now())
        .await
        .expect("re-import");
    assert!(!again.org_created);
    assert_eq!(again.events + again.members, 0, "nothing written twice");
    assert_eq!(again.already_there, 1 + counts.members + counts.events);
    assert_eq!(export_lines(target, &jada).await, lines);
    // Only the exported org came over.
    assert_eq!(target.list_orgs().await.expect("orgs").len(), 1);
    let scope = OrgScope::trusted(jada);
    assert_eq!(
        target.list_members(&scope).await.expect("members").len(),
        counts.members
    );
    let audience = ReportAudience::Org(scope.org().clone());
    assert_eq!(
        target
            .unsubscribed(&audience, Perspective::Finance)
            .await
            .expect("read")
            .len(),
        1
    );
}

#[tokio::test]
async fn an_org_moves_between_embedded_stores() {
    let dir = tempfile::tempdir().expect("tempdir");
    let target = store_embedded::EmbeddedStore::open(dir.path()).expect("open");
    round_trip(&target).await;
}

#[tokio::test]
async fn an_org_moves_from_the_embedded_store_to_dynamodb() {
    let Some(target) = common::fresh_dynamo("transfer").await else {
        return;
    };
    round_trip(&target).await;
}

#[tokio::test]
async fn a_broken_export_is_refused_whole_with_its_lines() {
    let dir = tempfile::tempdir().expect("tempdir");
    let source = store_embedded::EmbeddedStore::open(dir.path()).expect("open");
    seeded(&source).await;
    let jada = OrgId::parse("jada").expect("valid");
    let mut lines = export_lines(&source, &jada).await;
    let event_at = lines
        .iter()
        .position(|l| l.contains("\"type\":\"event\""))
        .expect("an event");
    // Another org's event, a line that is not JSON, an unknown record type, a bad member email.
    lines[event_at] =
        lines[event_at].replacen("\"org_id\":\"jada\"", "\"org_id\":\"quickdumpnow\"", 1);
    lines.insert(3, "{not json".into());
    lines.insert(4, r#"{"type":"boat","name":"Jada"}"#.into());
    lines.insert(5, r#"{"type":"member","email":"no-at-sign","name":"X","role":"crew","added_at":"2026-12-01T00:00:00Z"}"#.into());
    let text = lines.join("\n");
    let err = transfer::read_export(text.as_bytes(), "jada.jsonl").expect_err("refused");
    let ImportError::Invalid { problems, .. } = &err else {
        panic!("{err}");
    };
    let at: Vec<usize> = problems.iter().map(|(line, _)| *line).collect();
    assert_eq!(at, [4, 5, 6, event_at + 4], "{err}");
    assert!(err.to_string().contains("nothing was written"), "{err}");
    assert!(err.to_string().contains("belongs to quickdumpnow"), "{err}");

    let headless = lines[1..].join("\n");
    assert!(transfer::read_export(headless.as_bytes(), "x").is_err());
    assert!(transfer::read_export("".as_bytes(), "x").is_err());
}
