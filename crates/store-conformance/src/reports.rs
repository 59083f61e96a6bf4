//! Report send claims and unsubscribes.

use super::*;

pub async fn report_sends_and_unsubscribes<S: Store + 'static>(store: Arc<S>) {
    let key = |audience: ReportAudience, who: &str| ReportKey {
        audience,
        week: "2026-W27".into(),
        perspective: domain::Perspective::Operations,
        recipient: email(who),
    };
    let alpha = || ReportAudience::Org(org_id("alpha"));
    let stale = Duration::minutes(5);
    let now = t0();
    assert_eq!(
        store
            .claim_report(&key(alpha(), "ann@example.com"), now, stale)
            .await,
        Ok(SendClaim::Claimed)
    );
    assert_eq!(
        store
            .claim_report(&key(alpha(), "ann@example.com"), now, stale)
            .await,
        Ok(SendClaim::InProgress)
    );
    store
        .finish_report(&key(alpha(), "ann@example.com"), NudgeState::Sent, now)
        .await
        .expect("finish");
    assert_eq!(
        store
            .claim_report(&key(alpha(), "ann@example.com"), now, stale)
            .await,
        Ok(SendClaim::AlreadySent)
    );
    // Same recipient, another audience or week: another send.
    assert_eq!(
        store
            .claim_report(
                &key(ReportAudience::Portfolio, "ann@example.com"),
                now,
                stale
            )
            .await,
        Ok(SendClaim::Claimed)
    );
    let mut next_week = key(alpha(), "ann@example.com");
    next_week.week = "2026-W28".into();
    assert_eq!(
        store.claim_report(&next_week, now, stale).await,
        Ok(SendClaim::Claimed)
    );
    // Failed and abandoned claims may be taken again.
    assert_eq!(
        store
            .claim_report(&key(alpha(), "bob@example.com"), now, stale)
            .await,
        Ok(SendClaim::Claimed)
    );
    store
        .finish_report(&key(alpha(), "bob@example.com"), NudgeState::Failed, now)
        .await
        .expect("finish");
    assert_eq!(
        store
            .claim_report(&key(alpha(), "bob@example.com"), now, stale)
            .await,
        Ok(SendClaim::Claimed)
    );
    assert_eq!(
        store
            .claim_report(
                &key(alpha(), "bob@example.com"),
                now + Duration::minutes(6),
                stale
            )
            .await,
        Ok(SendClaim::Claimed)
    );
    assert_eq!(
        store
            .finish_report(&key(alpha(), "nobody@example.com"), NudgeState::Sent, now)
            .await,
        Err(StoreError::NotFound)
    );
    // Ten concurrent claims: one owner.
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..10 {
        let store = Arc::clone(&store);
        let k = key(alpha(), "cat@example.com");
        set.spawn(async move { store.claim_report(&k, now, stale).await });
    }
    let mut owners = 0;
    while let Some(r) = set.join_next().await {
        if r.expect("join") == Ok(SendClaim::Claimed) {
            owners += 1;
        }
    }
    assert_eq!(owners, 1);

    let ops = domain::Perspective::Operations;
    store
        .unsubscribe(&alpha(), ops, &email("ann@example.com"), now)
        .await
        .expect("unsubscribe");
    store
        .unsubscribe(&alpha(), ops, &email("ann@example.com"), now)
        .await
        .expect("twice is fine");
    assert_eq!(
        store.unsubscribed(&alpha(), ops).await,
        Ok(vec![email("ann@example.com")])
    );
    assert_eq!(
        store
            .unsubscribed(&alpha(), domain::Perspective::Safety)
            .await,
        Ok(vec![])
    );
    assert_eq!(
        store
            .unsubscribed(&ReportAudience::Org(org_id("bravo")), ops)
            .await,
        Ok(vec![])
    );
    assert_eq!(
        store.unsubscribed(&ReportAudience::Portfolio, ops).await,
        Ok(vec![])
    );
}
