//! The organisation port: creates are conditional, reads stay in their org.

use super::*;

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
