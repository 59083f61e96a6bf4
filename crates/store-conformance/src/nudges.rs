//! Nudge send claims: one send per (event, nudge, person).

use super::*;
use domain::event::NudgeChannel;

pub async fn nudges_are_claimed_once<S: Store + 'static>(store: Arc<S>) {
    let a = with_org(&*store, "alpha").await;
    let event = sample_event("alpha", 24);
    store.create_event(&a, &event).await.expect("create");
    let key = |who: &str| NudgeKey {
        kind: NudgeKind::Departure,
        anchor_at: event.departs_at,
        email: email(who),
        channel: NudgeChannel::Email,
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
    // The same nudge to the same person by push is claimed on its own, and recorded apart.
    let by_push = NudgeKey {
        channel: NudgeChannel::Push,
        ..key("cap@example.com")
    };
    assert_eq!(claim(by_push.clone(), now).await, SendClaim::Claimed);
    store
        .finish_nudge(&a, &event.id, &by_push, NudgeState::Sent, now)
        .await
        .expect("finish push");
    assert_eq!(claim(by_push, now).await, SendClaim::AlreadySent);
    assert_eq!(
        claim(key("cap@example.com"), now).await,
        SendClaim::AlreadySent,
        "the email record is untouched by the push one"
    );

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
        .find(|n| {
            n.email.as_str() == "cap@example.com"
                && n.anchor_at == event.departs_at
                && n.channel == NudgeChannel::Email
        })
        .expect("recorded");
    assert_eq!(cap.state, NudgeState::Sent);
    assert_eq!(stored.nudges.len(), 5);
    assert_eq!(
        stored
            .nudges
            .iter()
            .filter(|n| n.channel == NudgeChannel::Push)
            .count(),
        1
    );
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
