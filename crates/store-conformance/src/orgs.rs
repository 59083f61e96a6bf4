//! The organisation port: creates are conditional, updates are conditional on the version, reads
//! stay in their org.

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
        .update_org(&scope("alpha"), &edited, stored.version)
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
            .update_org(&scope("bravo"), &sample_org("bravo"), Org::FIRST_VERSION)
            .await,
        Err(StoreError::NotFound),
        "update never creates"
    );
}

/// Two admins (or an admin and the operator's `apply`) editing the settings must not overwrite
/// each other unseen: a write made on a stale version changes nothing, and of concurrent writes
/// from the same version exactly one lands.
pub async fn org_updates_are_versioned<S: Store + 'static>(store: Arc<S>) {
    let a = with_org(&*store, "alpha").await;
    let read = store.get_org(&a).await.expect("get");
    assert_eq!(
        read.version,
        Org::FIRST_VERSION,
        "a new org is at version 1"
    );

    let mut first = read.clone();
    first.name = "Alpha Charters".into();
    let saved = store
        .update_org(&a, &first, read.version)
        .await
        .expect("an update from the current version lands");
    assert_eq!(saved.version, read.version + 1);
    assert_eq!(store.get_org(&a).await.expect("get"), saved);

    // A second writer still holding the first read loses, and nothing of theirs is written.
    let mut late = read.clone();
    late.name = "Overwritten".into();
    late.enabled_kinds.truncate(1);
    assert_eq!(
        store.update_org(&a, &late, read.version).await,
        Err(StoreError::Conflict),
        "a stale version must lose"
    );
    assert_eq!(store.get_org(&a).await.expect("get"), saved);
    // A version from the future is as stale as one from the past.
    assert_eq!(
        store.update_org(&a, &late, saved.version + 5).await,
        Err(StoreError::Conflict)
    );

    // Concurrent writers from the same version: exactly one wins.
    const WRITERS: usize = 6;
    let mut set = tokio::task::JoinSet::new();
    for i in 0..WRITERS {
        let store = Arc::clone(&store);
        let a = a.clone();
        let mut edit = saved.clone();
        edit.name = format!("Writer {i}");
        let expected = saved.version;
        set.spawn(async move { store.update_org(&a, &edit, expected).await });
    }
    let mut winners = Vec::new();
    let mut conflicts = 0;
    while let Some(result) = set.join_next().await {
        match result.expect("join") {
            Ok(org) => winners.push(org),
            Err(StoreError::Conflict) => conflicts += 1,
            Err(e) => panic!("unexpected {e}"),
        }
    }
    assert_eq!((winners.len(), conflicts), (1, WRITERS - 1));
    let stored = store.get_org(&a).await.expect("get");
    assert_eq!(stored.version, saved.version + 1);
    assert_eq!(stored, winners[0], "the stored org is the winner's");
}
