//! Calendar feed tokens: one live token per person, replaced or revoked at once.

use super::*;
use domain::ports::CalendarFeed;

fn feed(who: &str, hash: &str, at: DateTime<Utc>) -> CalendarFeed {
    CalendarFeed {
        email: email(who),
        token_hash: hash.into(),
        created_at: at,
    }
}

pub async fn calendar_feeds_have_one_live_token<S: Store + 'static>(store: Arc<S>) {
    let ann = email("ann@example.com");
    assert_eq!(store.calendar_feed(&ann).await.expect("read"), None);
    assert_eq!(store.calendar_feed_owner("h1").await.expect("read"), None);
    assert!(!store.revoke_calendar_feed(&ann).await.expect("revoke"));

    store
        .put_calendar_feed(&feed("ann@example.com", "h1", t0()))
        .await
        .expect("put");
    assert_eq!(
        store.calendar_feed_owner("h1").await.expect("read"),
        Some(ann.clone())
    );
    assert_eq!(
        store.calendar_feed(&ann).await.expect("read"),
        Some(feed("ann@example.com", "h1", t0()))
    );

    // Regenerating kills the old token in the same write.
    let later = t0() + Duration::hours(1);
    store
        .put_calendar_feed(&feed("ann@example.com", "h2", later))
        .await
        .expect("regenerate");
    assert_eq!(store.calendar_feed_owner("h1").await.expect("read"), None);
    assert_eq!(
        store.calendar_feed_owner("h2").await.expect("read"),
        Some(ann.clone())
    );
    assert_eq!(
        store
            .calendar_feed(&ann)
            .await
            .expect("read")
            .map(|f| f.created_at),
        Some(later)
    );

    // Another person's feed is theirs alone and survives Ann's revocation.
    store
        .put_calendar_feed(&feed("bob@example.com", "hb", t0()))
        .await
        .expect("put bob");
    assert!(store.revoke_calendar_feed(&ann).await.expect("revoke"));
    assert_eq!(store.calendar_feed_owner("h2").await.expect("read"), None);
    assert_eq!(store.calendar_feed(&ann).await.expect("read"), None);
    assert_eq!(
        store.calendar_feed_owner("hb").await.expect("read"),
        Some(email("bob@example.com"))
    );
    assert!(
        !store
            .revoke_calendar_feed(&ann)
            .await
            .expect("revoke twice")
    );
}

pub async fn calendar_regenerations_race_to_one_token<S: Store + 'static>(store: Arc<S>) {
    let ann = email("ann@example.com");
    let mut tasks = Vec::new();
    for i in 0..6 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            store
                .put_calendar_feed(&feed("ann@example.com", &format!("c{i}"), t0()))
                .await
        }));
    }
    for t in tasks {
        match t.await.expect("join") {
            Ok(()) | Err(StoreError::Conflict) => {}
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    let current = store
        .calendar_feed(&ann)
        .await
        .expect("read")
        .expect("one of them won");
    let mut live = Vec::new();
    for i in 0..6 {
        let hash = format!("c{i}");
        if store
            .calendar_feed_owner(&hash)
            .await
            .expect("read")
            .is_some()
        {
            live.push(hash);
        }
    }
    assert_eq!(
        live,
        vec![current.token_hash],
        "exactly the current token opens the feed"
    );
}
