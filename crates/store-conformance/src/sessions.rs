//! The session allowlist.

use super::*;

pub async fn sessions_allowlist<S: Store + 'static>(store: Arc<S>) {
    let a = with_org(&*store, "alpha").await;
    let b = with_org(&*store, "bravo").await;
    let ann = email("ann@example.com");
    let bob = email("bob@example.com");
    let session = |jti: &str, who: &Email, expires: DateTime<Utc>| SessionRecord {
        jti: jti.into(),
        email: who.clone(),
        issued_at: t0(),
        expires_at: expires,
    };
    let later = t0() + Duration::days(30);
    store
        .put_session(&a, &session("jti-1", &ann, later))
        .await
        .expect("put");
    store
        .put_session(&a, &session("jti-2", &ann, later))
        .await
        .expect("put");
    store
        .put_session(&a, &session("jti-3", &bob, later))
        .await
        .expect("put");
    store
        .put_session(&b, &session("jti-4", &ann, later))
        .await
        .expect("put");
    store
        .put_session(&a, &session("jti-old", &ann, t0() - Duration::seconds(1)))
        .await
        .expect("put");
    let active = |s: OrgScope, who: Email, jti: &'static str| {
        let store = Arc::clone(&store);
        async move {
            store
                .session_active(&s, &who, jti, t0())
                .await
                .expect("check")
        }
    };
    assert!(active(a.clone(), ann.clone(), "jti-1").await);
    assert!(
        !active(a.clone(), ann.clone(), "jti-old").await,
        "expired on read"
    );
    assert!(
        !active(b.clone(), ann.clone(), "jti-1").await,
        "scoped to its org"
    );
    assert!(
        !active(a.clone(), bob.clone(), "jti-1").await,
        "scoped to its person"
    );
    store
        .revoke_session(&a, &ann, "jti-1")
        .await
        .expect("revoke");
    assert!(!active(a.clone(), ann.clone(), "jti-1").await);
    assert!(active(a.clone(), ann.clone(), "jti-2").await);
    let revoked = store.revoke_sessions(&a, &ann).await.expect("revoke all");
    assert_eq!(revoked, 2, "jti-2 and the expired one");
    assert!(!active(a.clone(), ann.clone(), "jti-2").await);
    assert!(
        active(a.clone(), bob.clone(), "jti-3").await,
        "others keep theirs"
    );
    assert!(
        active(b.clone(), ann.clone(), "jti-4").await,
        "other orgs keep theirs"
    );
    store
        .revoke_session(&a, &ann, "never-existed")
        .await
        .expect("idempotent");
}
