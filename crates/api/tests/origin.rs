//! Issue 13: the execute-api URL must not be a way around CloudFront. The api Lambda's router
//! refuses every API Gateway event without CloudFront's origin header with 403 problem+json,
//! before authentication or any store access, and accepts the secret's current and previous value.
//! (Re-reading the secret after a rotation is tested in `web` and in magic-link's `origin` tests,
//! on the same `OriginCheck`.)

mod common;

use api::AppState;
use axum::Router;
use common::{Feed, Recorder};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use tower::ServiceExt;
use web::{ORIGIN_VERIFY_HEADER, OriginCheck};

const FIXTURE: &str = include_str!("fixtures/apigw-v2-get-events.json");
const CURRENT: &str = "Curr3ntOriginValue0000000000000000000000000000000000000000000000";
const PREVIOUS: &str = "Prev1ousOriginValue000000000000000000000000000000000000000000000";
const NEXT: &str = "Next0riginValue000000000000000000000000000000000000000000000000";

/// The origin secret as the stack stores it; the test changes it and counts the reads.
#[derive(Clone)]
struct FakeSecret {
    value: Arc<Mutex<Value>>,
    reads: Arc<Mutex<usize>>,
}

impl FakeSecret {
    fn new(value: Value) -> Self {
        Self {
            value: Arc::new(Mutex::new(value)),
            reads: Arc::default(),
        }
    }
    fn reads(&self) -> usize {
        *self.reads.lock().expect("lock")
    }
}

/// The router as the api Lambda builds it, on a fresh embedded store.
async fn app(secret: &FakeSecret) -> Router {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("api-origin-{}", ulid::Ulid::new()));
    let store = Arc::new(store_embedded::EmbeddedStore::open(&dir.join("store")).expect("store"));
    let clock = Arc::new(domain::ports::ManualClock::new(common::now()));
    let keys = auth::KeyRing::from_json(
        r#"{"current_kid":"k1","current":"a-signing-key-of-at-least-32-bytes!!"}"#,
    )
    .expect("keys");
    let auth = Arc::new(auth::Auth::new(
        auth::TokenService::new(keys, "https://app.example.com", auth::token::AUDIENCE),
        auth::Pepper::new(b"0123456789abcdef0123456789abcdef".to_vec()).expect("pepper"),
        "https://app.example.com",
        auth::AuthPorts::from_store(
            store.clone(),
            Arc::new(mail::Outbox::new(dir.join("outbox"), "crew@example.com")),
            clock.clone(),
        ),
    ));
    let state = AppState::new(
        auth,
        store,
        Arc::new(Recorder::default()),
        Arc::new(Feed::default()),
        clock,
    );
    let fake = secret.clone();
    let check = OriginCheck::load(move || {
        let fake = fake.clone();
        async move {
            *fake.reads.lock().expect("lock") += 1;
            Ok::<_, std::convert::Infallible>(fake.value.lock().expect("lock").to_string())
        }
    })
    .await
    .expect("a valid secret");
    api::lambda_app(state, Arc::new(check))
}

/// `GET path` as API Gateway delivers it (the recorded fixture) with a token that is not one of
/// ours, and the origin header set to `origin` (`None`: absent, as on a direct call).
async fn get(app: &Router, path: &str, origin: Option<&str>) -> (u16, Value) {
    let mut event: Value =
        serde_json::from_str(&FIXTURE.replace("{{TOKEN}}", "not-a-token")).expect("fixture");
    event["rawPath"] = json!(path);
    event["requestContext"]["http"]["path"] = json!(path);
    event["pathParameters"]["proxy"] = json!(path.trim_start_matches("/api/"));
    if let Some(value) = origin {
        event["headers"][ORIGIN_VERIFY_HEADER] = json!(value);
    }
    let request =
        lambda_http::request::from_str(&event.to_string()).expect("a valid API Gateway v2 event");
    let reply = common::Reply::from(app.clone().oneshot(request).await.expect("infallible")).await;
    if reply.status == 403 {
        assert_eq!(
            reply.header("content-type"),
            Some("application/problem+json")
        );
        assert_eq!(reply.json["type"], "/problems/unverified-origin");
    }
    (reply.status, reply.json)
}

#[tokio::test]
async fn a_call_without_the_current_or_previous_origin_value_is_refused_before_auth() {
    let fake = FakeSecret::new(json!({"current": CURRENT, "previous": PREVIOUS}));
    let app = app(&fake).await;
    let wrong = "W".repeat(64);
    // With a bad token, 401 means the request reached authentication; 403 that it stopped before.
    let cases: &[(&str, Option<&str>, u16)] = &[
        ("/api/events", None, 403),
        ("/api/events", Some(""), 403),
        ("/api/events", Some(&wrong), 403),
        ("/api/events", Some(&CURRENT[1..]), 403),
        ("/api/events", Some(NEXT), 403),
        ("/api/events", Some(CURRENT), 401),
        ("/api/events", Some(PREVIOUS), 401),
        // Public routes and unknown paths are behind the check too.
        ("/api/openapi.json", None, 403),
        ("/api/openapi.json", Some(CURRENT), 200),
        ("/api/unsubscribe", None, 403),
        ("/api/nothing-here", None, 403),
        ("/api/nothing-here", Some(PREVIOUS), 404),
        ("/", None, 403),
    ];
    for (path, origin, want) in cases {
        let (status, body) = get(&app, path, *origin).await;
        assert_eq!(status, *want, "{path} with {origin:?}: {body}");
    }
    assert_eq!(
        fake.reads(),
        1,
        "read at init; unmatched values within a minute of it read nothing"
    );
}
