//! An org's vessels: replaced by id, listed by name, another org's are absent.

use super::*;
use domain::ids::VesselId;
use domain::vessel::{Vessel, VesselFields, VesselKind};

fn vessel(name: &str) -> Vessel {
    Vessel {
        id: VesselId::generate(),
        fields: VesselFields {
            name: name.into(),
            kind: VesselKind::Boat,
            registration: "CF 1234 AB".into(),
            length_ft: Some(65.5),
            description: "White hull, blue stripe".into(),
            coi_max_passengers: Some(49),
            min_crew: Some(2),
            call_sign: "WDC1234".into(),
            mmsi: "367123450".into(),
            safety_gear: "PFDs, raft".into(),
        },
        created_at: t0(),
        updated_at: t0(),
    }
}

pub async fn vessels_are_an_orgs_own<S: Store + 'static>(store: Arc<S>) {
    let a = with_org(&*store, "alpha").await;
    let b = with_org(&*store, "bravo").await;
    assert!(store.list_vessels(&a).await.expect("list").is_empty());
    let jada = vessel("Jada");
    let queen = vessel("queen of San Diego");
    store.put_vessel(&a, &queen).await.expect("put");
    store.put_vessel(&a, &jada).await.expect("put");
    let names = |v: Vec<Vessel>| v.into_iter().map(|v| v.fields.name).collect::<Vec<_>>();
    assert_eq!(
        names(store.list_vessels(&a).await.expect("list")),
        ["Jada", "queen of San Diego"]
    );
    assert_eq!(store.get_vessel(&a, &jada.id).await.expect("get"), jada);

    let mut edited = jada.clone();
    edited.fields.coi_max_passengers = Some(30);
    edited.fields.length_ft = None;
    store.put_vessel(&a, &edited).await.expect("replace");
    assert_eq!(store.get_vessel(&a, &jada.id).await.expect("get"), edited);
    assert_eq!(store.list_vessels(&a).await.expect("list").len(), 2);

    assert_eq!(
        store.get_vessel(&b, &jada.id).await,
        Err(StoreError::NotFound)
    );
    assert!(store.list_vessels(&b).await.expect("list").is_empty());
    assert!(
        !store
            .delete_vessel(&b, &jada.id)
            .await
            .expect("not bravo's")
    );
    assert!(store.delete_vessel(&a, &jada.id).await.expect("delete"));
    assert!(!store.delete_vessel(&a, &jada.id).await.expect("twice"));
    assert_eq!(
        names(store.list_vessels(&a).await.expect("list")),
        ["queen of San Diego"]
    );
}
