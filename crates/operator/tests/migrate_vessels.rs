//! Issue 16: events made before vessel records name their vessel in free text; `migrate-vessels`
//! gives each name a record in its org and links the events, once, on both stores.

mod common;

use common::now;
use domain::event::AuditAction;
use domain::org::OrgScope;
use domain::portfolio::Portfolio;
use domain::ports::{PageRequest, Store};
use domain::vessel::VesselKind;
use operator::vessels::{MIGRATION_ACTOR, migrate_vessels};

/// The demo world as it was before vessel records: events with free-text vessels only, and a
/// record for Jada alone (an admin made one before the migration ran).
async fn before_records(store: &dyn Store) {
    let p = Portfolio::parse(
        include_str!("../../../config/portfolio.toml"),
        "config/portfolio.toml",
    )
    .expect("valid");
    let world = domain::seed::demo(now(), &p);
    for org in &world.orgs {
        store.create_org(org).await.expect("org");
    }
    for (org, vessel) in world.vessels.iter().filter(|(o, _)| o.as_str() == "jada") {
        store
            .put_vessel(&OrgScope::trusted(org.clone()), vessel)
            .await
            .expect("vessel");
    }
    // This week's and the last's: every org and vessel, without the whole history's writes.
    let recent = world
        .events
        .into_iter()
        .filter(|e| e.departs_at > now() - chrono::Duration::days(14));
    for mut event in recent {
        event.vessel_id = None;
        if event.vessel == "Jada" {
            event.vessel = "JADA ".into(); // typed differently: still the same boat
        }
        store
            .create_event(&OrgScope::trusted(event.org_id.clone()), &event)
            .await
            .expect("event");
    }
}

async fn migrates(store: &dyn Store) {
    before_records(store).await;
    let dry = migrate_vessels(store, now(), true).await.expect("dry run");
    assert!(dry.events_linked > 0);
    let first = migrate_vessels(store, now(), false).await.expect("migrate");
    assert_eq!(
        first.vessels_created, dry.vessels_created,
        "the dry run said what it would do"
    );
    assert_eq!(first.events_linked, dry.events_linked);
    let mut created: Vec<(String, String, VesselKind)> = first.vessels_created.clone();
    created.sort();
    assert_eq!(
        created,
        [
            ("dangerouscentaur", "Dangerous Centaur", VesselKind::Boat),
            ("queenofsandiego", "Queen of San Diego", VesselKind::Boat),
            ("quickdumpnow", "Truck 1", VesselKind::Truck),
            ("quickdumpnow", "Truck 2", VesselKind::Truck),
        ]
        .map(|(o, n, k)| (o.to_string(), n.to_string(), k))
        .to_vec(),
        "Jada had a record already"
    );
    assert_eq!(first.events_skipped, 0);

    for org in store.list_orgs().await.expect("orgs") {
        let scope = OrgScope::trusted(org.id.clone());
        let vessels = store.list_vessels(&scope).await.expect("vessels");
        let events = store
            .list_events(
                &scope,
                now() - chrono::Duration::days(400),
                now() + chrono::Duration::days(400),
                &PageRequest::first(100),
            )
            .await
            .expect("events");
        for event in &events.items {
            let id = event.vessel_id.as_ref().expect("every event is linked");
            let record = vessels
                .iter()
                .find(|v| &v.id == id)
                .expect("to a record of its org");
            assert_eq!(event.vessel, record.fields.name, "named as the record is");
        }
        if let Some(e) = events.items.first() {
            let read = store.get_event(&scope, &e.id).await.expect("event");
            let link = read.audit.last().expect("audited");
            assert_eq!(link.by.as_str(), MIGRATION_ACTOR);
            assert_eq!(
                link.action,
                AuditAction::Edited {
                    fields: vec!["vessel_id".into()]
                }
            );
        }
    }

    let again = migrate_vessels(store, now(), false).await.expect("again");
    assert!(again.vessels_created.is_empty(), "{again:?}");
    assert_eq!(again.events_linked, 0);
}

#[tokio::test]
async fn free_text_vessels_get_records_on_the_embedded_store() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("migrate-{}", ulid::Ulid::new()));
    let store = store_embedded::EmbeddedStore::open(&dir).expect("store");
    migrates(&store).await;
}

#[tokio::test]
async fn free_text_vessels_get_records_on_dynamodb() {
    let Some(store) = common::fresh_dynamo("migrate").await else {
        return;
    };
    migrates(&store).await;
}
