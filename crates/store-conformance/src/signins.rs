//! Sign-in links and codes, spent once; rate limits.

use super::*;

fn signin(key: &str, who: &str, link: &str, code: &str, issued: DateTime<Utc>) -> SigninRecord {
    SigninRecord {
        key: key.into(),
        email: email(who),
        link_hash: link.into(),
        code_hash: code.into(),
        issued_at: issued,
        expires_at: issued + Duration::minutes(10),
    }
}

pub async fn signin_links_and_codes_spend_once<S: Store + 'static>(store: Arc<S>) {
    store
        .put_signin(&signin("k-ann", "ann@example.com", "L1", "C1", t0()))
        .await
        .expect("put");
    let now = t0() + Duration::minutes(1);
    let got = store
        .spend_signin("k-ann", &SigninProof::Link("L1".into()), now)
        .await;
    assert_eq!(got, Ok(email("ann@example.com")));
    assert_eq!(
        store
            .spend_signin("k-ann", &SigninProof::Link("L1".into()), now)
            .await,
        Err(SpendError::Invalid),
        "a link works once"
    );
    assert_eq!(
        store
            .spend_signin("k-ann", &SigninProof::Code("C1".into()), now)
            .await,
        Err(SpendError::Invalid),
        "the code dies with the link"
    );
    store
        .put_signin(&signin("k-bob", "bob@example.com", "L2", "C2", t0()))
        .await
        .expect("put");
    assert_eq!(
        store
            .spend_signin("k-bob", &SigninProof::Link("C2".into()), now)
            .await,
        Err(SpendError::Invalid),
        "a code is not a link"
    );
    assert_eq!(
        store
            .spend_signin("k-bob", &SigninProof::Code("C2".into()), now)
            .await,
        Ok(email("bob@example.com"))
    );
    assert_eq!(
        store
            .spend_signin("k-nobody", &SigninProof::Code("C2".into()), now)
            .await,
        Err(SpendError::Invalid)
    );
}

pub async fn signin_expiry_burning_and_replacement<S: Store + 'static>(store: Arc<S>) {
    store
        .put_signin(&signin("k-exp", "ann@example.com", "L1", "C1", t0()))
        .await
        .expect("put");
    assert_eq!(
        store
            .spend_signin(
                "k-exp",
                &SigninProof::Code("C1".into()),
                t0() + Duration::minutes(10)
            )
            .await,
        Err(SpendError::Expired),
        "expired at exactly ten minutes, though the item still exists"
    );

    store
        .put_signin(&signin("k-burn", "ann@example.com", "L1", "C1", t0()))
        .await
        .expect("put");
    let now = t0() + Duration::minutes(1);
    for _ in 0..MAX_SIGNIN_ATTEMPTS {
        assert_eq!(
            store
                .spend_signin("k-burn", &SigninProof::Code("WRONG".into()), now)
                .await,
            Err(SpendError::Invalid)
        );
    }
    assert_eq!(
        store
            .spend_signin("k-burn", &SigninProof::Code("C1".into()), now)
            .await,
        Err(SpendError::Invalid),
        "five wrong codes burn it"
    );

    store
        .put_signin(&signin("k-new", "ann@example.com", "OLD-L", "OLD-C", t0()))
        .await
        .expect("put");
    store
        .put_signin(&signin("k-new", "ann@example.com", "NEW-L", "NEW-C", t0()))
        .await
        .expect("put");
    assert_eq!(
        store
            .spend_signin("k-new", &SigninProof::Code("OLD-C".into()), now)
            .await,
        Err(SpendError::Invalid),
        "a newer request replaces older codes"
    );
    assert_eq!(
        store
            .spend_signin("k-new", &SigninProof::Code("NEW-C".into()), now)
            .await,
        Ok(email("ann@example.com")),
        "and one wrong try does not burn the new one"
    );
}

pub async fn parallel_exchanges_spend_once<S: Store + 'static>(store: Arc<S>) {
    store
        .put_signin(&signin("k-par", "ann@example.com", "L", "C", t0()))
        .await
        .expect("put");
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let store = Arc::clone(&store);
        set.spawn(async move {
            store
                .spend_signin(
                    "k-par",
                    &SigninProof::Code("C".into()),
                    t0() + Duration::minutes(1),
                )
                .await
        });
    }
    let mut ok = 0;
    while let Some(result) = set.join_next().await {
        match result.expect("join") {
            Ok(_) => ok += 1,
            Err(SpendError::Invalid) => {}
            Err(e) => panic!("unexpected {e}"),
        }
    }
    assert_eq!(ok, 1, "twenty parallel exchanges, one success");
}

/// Guesses sent at once are counted before they are compared, so no burst gets more than
/// MAX_SIGNIN_ATTEMPTS proofs looked at. Each round sends forty wrong codes and then the right one,
/// all in parallel: counted first, the right one is looked at only when it took one of the five
/// attempts (about one round in eight, fewer when the store serves in order); compared first and
/// counted after (two writes), it wins nearly every round. Afterwards every code is refused.
pub async fn parallel_guesses_are_counted_before_they_are_compared<S: Store + 'static>(
    store: Arc<S>,
) {
    const ROUNDS: usize = 16;
    const WRONG: usize = 40;
    let now = t0() + Duration::minutes(1);
    let mut wins = 0;
    for round in 0..ROUNDS {
        let key = format!("k-burst-{round}");
        store
            .put_signin(&signin(&key, "ann@example.com", "L", "RIGHT", t0()))
            .await
            .expect("put");
        let mut set = tokio::task::JoinSet::new();
        for guess in 0..=WRONG {
            let (store, key) = (Arc::clone(&store), key.clone());
            let code = if guess == WRONG {
                "RIGHT".to_string()
            } else {
                format!("WRONG-{guess:02}")
            };
            set.spawn(async move {
                let got = store
                    .spend_signin(&key, &SigninProof::Code(code.clone()), now)
                    .await;
                (code, got)
            });
        }
        while let Some(joined) = set.join_next().await {
            match joined.expect("join") {
                (code, Ok(who)) => {
                    assert_eq!(code, "RIGHT", "a wrong code signed in");
                    assert_eq!(who, email("ann@example.com"));
                    wins += 1;
                }
                (_, Err(SpendError::Invalid)) => {}
                (code, Err(e)) => panic!("{code}: unexpected {e}"),
            }
        }
        assert_eq!(
            store
                .spend_signin(&key, &SigninProof::Code("RIGHT".into()), now)
                .await,
            Err(SpendError::Invalid),
            "after the burst the record is spent or burned"
        );
    }
    assert!(
        wins <= ROUNDS / 2,
        "the right code won {wins} of {ROUNDS} bursts of {WRONG} wrong guesses: guesses are \
         compared before they are counted"
    );
}

pub async fn rate_limits_count_per_window<S: Store + 'static>(store: Arc<S>) {
    let window = Duration::minutes(15);
    // 16:00:00 is a window boundary; stay inside one window.
    let now = t0() + Duration::minutes(1);
    for i in 0..5 {
        assert_eq!(
            store.hit_rate_limit("email:ann", 5, window, now).await,
            Ok(RateDecision::Allowed),
            "hit {i}"
        );
    }
    match store.hit_rate_limit("email:ann", 5, window, now).await {
        Ok(RateDecision::Limited { retry_after_secs }) => {
            assert_eq!(retry_after_secs, 14 * 60, "until the window ends");
        }
        other => panic!("expected a limit, got {other:?}"),
    }
    assert_eq!(
        store.hit_rate_limit("email:bob", 5, window, now).await,
        Ok(RateDecision::Allowed),
        "buckets are independent"
    );
    assert_eq!(
        store
            .hit_rate_limit("email:ann", 5, window, now + window)
            .await,
        Ok(RateDecision::Allowed),
        "a new window starts afresh"
    );
}
