//! Push devices and nudge preferences: a person's own, replaced by id, expired ones absent.

use super::*;
use domain::ports::{NotifyPreference, PushDevice};

fn device(id: &str, at: DateTime<Utc>, days: i64) -> PushDevice {
    PushDevice {
        id: id.into(),
        endpoint: format!("https://push.example.net/{id}"),
        p256dh: "BPk".into(),
        auth: "au".into(),
        label: format!("phone {id}"),
        created_at: at,
        expires_at: at + Duration::days(days),
    }
}

pub async fn push_devices_are_a_persons_own<S: Store + 'static>(store: Arc<S>) {
    let ann = email("ann@example.com");
    let bob = email("bob@example.com");
    assert!(
        store
            .push_devices(&ann, t0())
            .await
            .expect("list")
            .is_empty()
    );
    store
        .put_push_device(&ann, &device("d1", t0(), 60))
        .await
        .expect("put");
    store
        .put_push_device(&ann, &device("d2", t0() + Duration::minutes(1), 60))
        .await
        .expect("put");
    store
        .put_push_device(&bob, &device("b1", t0(), 60))
        .await
        .expect("put");
    let ids = |v: Vec<PushDevice>| v.into_iter().map(|d| d.id).collect::<Vec<_>>();
    assert_eq!(
        ids(store.push_devices(&ann, t0()).await.expect("list")),
        ["d1", "d2"]
    );

    // Subscribing the same phone again replaces its record (new keys, later expiry).
    let mut renewed = device("d1", t0(), 90);
    renewed.p256dh = "BNew".into();
    store.put_push_device(&ann, &renewed).await.expect("renew");
    let list = store.push_devices(&ann, t0()).await.expect("list");
    assert_eq!(list.len(), 2);
    assert_eq!(list[0], renewed);

    // Expired devices are absent on read, whatever the store has not deleted yet.
    store
        .put_push_device(&ann, &device("old", t0() - Duration::days(10), 5))
        .await
        .expect("put");
    assert_eq!(
        ids(store.push_devices(&ann, t0()).await.expect("list")),
        ["d1", "d2"]
    );

    assert!(store.remove_push_device(&ann, "d2").await.expect("remove"));
    assert!(
        !store
            .remove_push_device(&ann, "d2")
            .await
            .expect("remove twice")
    );
    assert!(
        !store
            .remove_push_device(&ann, "b1")
            .await
            .expect("not ann's")
    );
    assert_eq!(
        ids(store.push_devices(&bob, t0()).await.expect("list")),
        ["b1"]
    );
    assert_eq!(
        ids(store.push_devices(&ann, t0()).await.expect("list")),
        ["d1"]
    );
}

pub async fn nudge_preferences_default_to_both<S: Store + 'static>(store: Arc<S>) {
    let ann = email("ann@example.com");
    assert_eq!(
        store.notify_preference(&ann).await.expect("read"),
        NotifyPreference::Both
    );
    store
        .set_notify_preference(&ann, NotifyPreference::Push)
        .await
        .expect("set");
    assert_eq!(
        store.notify_preference(&ann).await.expect("read"),
        NotifyPreference::Push
    );
    assert_eq!(
        store
            .notify_preference(&email("bob@example.com"))
            .await
            .expect("read"),
        NotifyPreference::Both
    );
    store
        .set_notify_preference(&ann, NotifyPreference::Email)
        .await
        .expect("set");
    assert_eq!(
        store.notify_preference(&ann).await.expect("read"),
        NotifyPreference::Email
    );
}
