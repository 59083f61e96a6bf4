//! Revocation is immediate on every instance: two routers (two warm Lambda instances, each with
//! its own allowlist cache) share one store; what one instance revokes, the other refuses on the
//! very next request, with no clock advanced.

mod common;

use axum::http::Method;
use common::{TestApp, call_on, email};
use domain::org::OrgScope;
use domain::ports::{SessionStore, StoreError, StoreResult};
use serde_json::json;

async fn warm(router: &axum::Router, token: &str) {
    // Twice: the second answer comes from a warm allowlist cache.
    for _ in 0..2 {
        let got = call_on(router, Method::GET, "/api/me", Some(token), None, &[]).await;
        assert_eq!(got.status, 200, "{}", got.json);
    }
}

async fn status(router: &axum::Router, token: &str) -> u16 {
    call_on(router, Method::GET, "/api/me", Some(token), None, &[])
        .await
        .status
}

#[tokio::test]
async fn a_removed_member_is_refused_at_once_by_another_warm_instance() {
    let app = TestApp::embedded().await;
    let (other, _) = (app.instance)(None);
    let deck = app.token("deck@jada.example.com", "jada").await;
    warm(&other, &deck).await;
    let admin = app.token("admin@jada.example.com", "jada").await;
    let removed = app
        .call(
            Method::DELETE,
            "/api/members/deck@jada.example.com",
            Some(&admin),
            None,
            &[],
        )
        .await;
    assert_eq!(removed.status, 204, "{}", removed.json);
    assert_eq!(status(&other, &deck).await, 401, "the other instance");
    assert_eq!(status(&app.router, &deck).await, 401, "this instance");
}

#[tokio::test]
async fn a_role_change_is_refused_at_once_by_another_warm_instance_and_stays_refused() {
    let app = TestApp::embedded().await;
    let (other, _) = (app.instance)(None);
    let deck = app.token("deck@jada.example.com", "jada").await;
    warm(&other, &deck).await;
    let admin = app.token("admin@jada.example.com", "jada").await;
    let promote = |role: &'static str| {
        let admin = admin.clone();
        let app = &app;
        async move {
            app.call(
                Method::PATCH,
                "/api/members/deck@jada.example.com",
                Some(&admin),
                Some(json!({ "role": role })),
                &[],
            )
            .await
        }
    };
    assert_eq!(promote("captain").await.status, 200);
    assert_eq!(status(&other, &deck).await, 401, "after promotion");
    // Back to crew: the old crew token must not come back to life.
    assert_eq!(promote("crew").await.status, 200);
    assert_eq!(status(&other, &deck).await, 401, "after demotion back");
    // A token issued a moment after the change works: the stamp is to the millisecond, so the
    // person need not wait for the next second.
    app.clock.advance(chrono::Duration::milliseconds(1));
    let fresh = app.token("deck@jada.example.com", "jada").await;
    assert_eq!(status(&other, &fresh).await, 200);
}

#[tokio::test]
async fn logout_everywhere_is_refused_at_once_by_another_warm_instance() {
    let app = TestApp::embedded().await;
    let (other, other_auth) = (app.instance)(None);
    let deck = app.token("deck@jada.example.com", "jada").await;
    let second_device = app.token("deck@jada.example.com", "jada").await;
    warm(&other, &deck).await;
    warm(&other, &second_device).await;
    let session = app.auth.authenticate(&deck).await.expect("session");
    app.auth.logout_all(&session).await.expect("logout-all");
    assert_eq!(status(&other, &deck).await, 401);
    assert_eq!(status(&other, &second_device).await, 401);
    // The other instance's own cache is not what refused it: its auth still holds the entry.
    assert!(other_auth.authenticate(&second_device).await.is_err());
    // Signing in again within the same second works (the stamp is to the millisecond), and the
    // revoked tokens stay refused.
    app.clock.advance(chrono::Duration::milliseconds(1));
    let again = app.token("deck@jada.example.com", "jada").await;
    assert_eq!(
        status(&other, &again).await,
        200,
        "a sign-in a moment after logout-all"
    );
    assert_eq!(status(&other, &deck).await, 401);
}

/// A session store whose clean-up always fails, standing in for a DynamoDB outage between the
/// member write and the allowlist clean-up.
struct FailingCleanup(std::sync::Arc<dyn domain::ports::Store>);

#[async_trait::async_trait]
impl SessionStore for FailingCleanup {
    async fn put_session(
        &self,
        scope: &OrgScope,
        session: &domain::ports::SessionRecord,
    ) -> StoreResult<()> {
        self.0.put_session(scope, session).await
    }
    async fn session_active(
        &self,
        scope: &OrgScope,
        email: &domain::Email,
        jti: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<bool> {
        self.0.session_active(scope, email, jti, now).await
    }
    async fn revoke_session(
        &self,
        _scope: &OrgScope,
        _email: &domain::Email,
        _jti: &str,
    ) -> StoreResult<()> {
        Err(StoreError::Unavailable("clean-up down".into()))
    }
    async fn revoke_sessions(
        &self,
        _scope: &OrgScope,
        _email: &domain::Email,
    ) -> StoreResult<usize> {
        Err(StoreError::Unavailable("clean-up down".into()))
    }
}

#[tokio::test]
async fn a_failed_session_clean_up_leaves_a_removed_or_demoted_member_refused() {
    let app = TestApp::embedded().await;
    let (flaky, _) = (app.instance)(Some(std::sync::Arc::new(FailingCleanup(app.store.clone()))));
    let (other, _) = (app.instance)(None);
    let deck = app.token("deck@jada.example.com", "jada").await;
    let cap = app.token("cap@jada.example.com", "jada").await;
    warm(&other, &deck).await;
    warm(&other, &cap).await;
    let admin = app.token("admin@jada.example.com", "jada").await;
    let removed = call_on(
        &flaky,
        Method::DELETE,
        "/api/members/deck@jada.example.com",
        Some(&admin),
        None,
        &[],
    )
    .await;
    assert_eq!(removed.status, 204, "the removal is done: {}", removed.json);
    assert_eq!(status(&other, &deck).await, 401);
    let demoted = call_on(
        &flaky,
        Method::PATCH,
        "/api/members/cap@jada.example.com",
        Some(&admin),
        Some(json!({"role": "crew"})),
        &[],
    )
    .await;
    assert_eq!(demoted.status, 200, "{}", demoted.json);
    assert_eq!(status(&other, &cap).await, 401);
    assert!(
        app.store
            .get_member(
                &OrgScope::trusted(domain::OrgId::parse("jada").expect("id")),
                &email("cap@jada.example.com")
            )
            .await
            .expect("read")
            .and_then(|m| m.sessions_valid_from)
            .is_some(),
        "the stamp was written with the role"
    );
}
