//! Issue 13: the execute-api URL must not be a way around CloudFront. The magic-link Lambda's
//! router refuses every API Gateway event without CloudFront's origin header with 403
//! problem+json, before the rate limits, the store or the mailer see it (so a forged
//! `CloudFront-Viewer-Address` buys nothing); it accepts the secret's current and previous value,
//! and picks up a rotation done while it is warm by re-reading the secret, at most once a minute.
//!
//! On the embedded store and the file outbox: nothing here needs moto.

mod common;

use auth::{Auth, AuthPorts, KeyRing, Pepper, TokenService};
use axum::Router;
use common::{call, event_with};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use web::{ORIGIN_VERIFY_HEADER, OriginCheck, RELOAD_INTERVAL};

const CURRENT: &str = "Curr3ntOriginValue0000000000000000000000000000000000000000000000";
const PREVIOUS: &str = "Prev1ousOriginValue000000000000000000000000000000000000000000000";
const NEXT: &str = "Next0riginValue000000000000000000000000000000000000000000000000";

fn secret(current: &str, previous: Option<&str>) -> String {
    match previous {
        Some(p) => json!({"current": current, "previous": p}),
        None => json!({"current": current}),
    }
    .to_string()
}

/// The origin secret as Secrets Manager would hand it over, changeable by the test, with a count
/// of reads.
#[derive(Clone)]
struct FakeSecret {
    value: Arc<Mutex<String>>,
    reads: Arc<Mutex<usize>>,
}

impl FakeSecret {
    fn new(value: String) -> Self {
        Self {
            value: Arc::new(Mutex::new(value)),
            reads: Arc::default(),
        }
    }
    fn rotate(&self, value: String) {
        *self.value.lock().expect("lock") = value;
    }
    fn reads(&self) -> usize {
        *self.reads.lock().expect("lock")
    }
    async fn check(&self) -> Arc<OriginCheck> {
        let fake = self.clone();
        let check = OriginCheck::load(move || {
            let fake = fake.clone();
            async move {
                *fake.reads.lock().expect("lock") += 1;
                Ok::<_, std::convert::Infallible>(fake.value.lock().expect("lock").clone())
            }
        })
        .await
        .expect("a valid secret");
        Arc::new(check)
    }
}

struct Local {
    app: Router,
    outbox: mail::Outbox,
}

/// The router exactly as the Lambda builds it (trusting `cloudfront-viewer-address`, as the stack
/// configures it), on a fresh embedded store and outbox.
async fn local(secret: &FakeSecret) -> Local {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("magic-link-origin-{}", ulid::Ulid::new()));
    let store = Arc::new(store_embedded::EmbeddedStore::open(&dir.join("store")).expect("store"));
    let outbox = mail::Outbox::new(dir.join("outbox"), "signin@example.com");
    let keys = KeyRing::from_json(
        r#"{"current_kid":"k1","current":"a-signing-key-of-at-least-32-bytes!!"}"#,
    )
    .expect("keys");
    let auth = Arc::new(Auth::new(
        TokenService::new(keys, "https://app.example.com", auth::token::AUDIENCE),
        Pepper::new(b"0123456789abcdef0123456789abcdef".to_vec()).expect("pepper"),
        "https://app.example.com",
        AuthPorts::from_store(
            store,
            Arc::new(outbox.clone()),
            Arc::new(domain::ports::SystemClock),
        ),
    ));
    let app = magic_link::lambda_app(
        auth,
        Some("cloudfront-viewer-address".into()),
        secret.check().await,
    );
    Local { app, outbox }
}

/// `POST path` with `body` as API Gateway delivers it, with the origin header set to `origin`
/// (`None`: absent, as on a direct call to the execute-api URL).
async fn post(app: &Router, path: &str, body: Value, origin: Option<&str>) -> (u16, Value) {
    let req = event_with(
        path,
        &body,
        "130.176.0.1",
        None,
        &[
            (ORIGIN_VERIFY_HEADER, origin),
            ("cloudfront-viewer-address", Some("203.0.113.77:41234")),
        ],
    );
    let (status, headers, body) = call(app, req).await;
    if status == 403 {
        let content_type = headers.iter().find(|(k, _)| k == "content-type");
        assert_eq!(
            content_type.map(|(_, v)| v.as_str()),
            Some("application/problem+json")
        );
        assert_eq!(body["type"], "/problems/unverified-origin", "{body}");
    }
    (status, body)
}

#[tokio::test]
async fn a_call_without_the_current_or_previous_origin_value_is_refused() {
    let fake = FakeSecret::new(secret(CURRENT, Some(PREVIOUS)));
    let w = local(&fake).await;
    let wrong = "W".repeat(64);
    let uppercase = CURRENT.to_uppercase();
    // `/auth/exchange` with `{}` answers 400 from its handler without touching the store: any
    // other status means the request stopped before the handler.
    let cases: &[(&str, Option<&str>, u16)] = &[
        ("/auth/exchange", None, 403),
        ("/auth/exchange", Some(""), 403),
        ("/auth/exchange", Some(&wrong), 403),
        ("/auth/exchange", Some(&CURRENT[..63]), 403),
        ("/auth/exchange", Some(&uppercase), 403),
        ("/auth/exchange", Some(NEXT), 403),
        ("/auth/exchange", Some(CURRENT), 400),
        ("/auth/exchange", Some(PREVIOUS), 400),
        // The catch-all and paths outside /auth are behind the check too.
        ("/auth/nothing-here", None, 403),
        ("/auth/nothing-here", Some(CURRENT), 404),
        ("/", None, 403),
    ];
    for (path, origin, want) in cases {
        let (status, body) = post(&w.app, path, json!({}), *origin).await;
        assert_eq!(status, *want, "{path} with {origin:?}: {body}");
    }
}

#[tokio::test]
async fn forged_calls_use_up_no_rate_limit_and_send_no_mail() {
    let fake = FakeSecret::new(secret(CURRENT, None));
    let w = local(&fake).await;
    let body = json!({"email": "ann@example.com"});
    // More than the per-address (5) and per-IP (30) limits, from the same forged viewer address.
    for origin in [None, Some("forged")].into_iter().cycle().take(40) {
        let (status, _) = post(&w.app, "/auth/magic-link", body.clone(), origin).await;
        assert_eq!(status, 403);
    }
    assert!(
        w.outbox.list().await.expect("outbox").is_empty(),
        "no mail for a refused call"
    );
    for _ in 0..auth::service::PER_ADDRESS_LIMIT {
        let (status, body) = post(&w.app, "/auth/magic-link", body.clone(), Some(CURRENT)).await;
        assert_eq!(
            status, 202,
            "the forged calls counted against a limit: {body}"
        );
    }
    assert_eq!(
        w.outbox.list().await.expect("outbox").len(),
        auth::service::PER_ADDRESS_LIMIT as usize
    );
}

#[tokio::test(start_paused = true)]
async fn a_rotation_while_warm_is_picked_up_without_downtime() {
    let fake = FakeSecret::new(secret(CURRENT, None));
    let w = local(&fake).await;
    let exchange = |origin| post(&w.app, "/auth/exchange", json!({}), Some(origin));
    assert_eq!(exchange(CURRENT).await.0, 400);
    assert_eq!(fake.reads(), 1, "read once at init");
    // Step 1 of the rotation: NEXT becomes current, CURRENT previous. CloudFront still sends
    // CURRENT, which stays accepted.
    fake.rotate(secret(NEXT, Some(CURRENT)));
    assert_eq!(exchange(CURRENT).await.0, 400);
    assert_eq!(
        exchange(NEXT).await.0,
        403,
        "within a minute of the last read"
    );
    assert_eq!(fake.reads(), 1);
    // Step 2: CloudFront sends NEXT (a deploy takes minutes): one re-read, then both pass.
    tokio::time::advance(RELOAD_INTERVAL).await;
    assert_eq!(exchange(NEXT).await.0, 400);
    assert_eq!(exchange(CURRENT).await.0, 400);
    assert_eq!(exchange(NEXT).await.0, 400);
    assert_eq!(fake.reads(), 2, "one re-read for the rotation");
    // Made-up values re-read at most once a minute.
    for _ in 0..10 {
        assert_eq!(exchange("made-up").await.0, 403);
    }
    assert_eq!(fake.reads(), 2);
    tokio::time::advance(RELOAD_INTERVAL).await;
    for _ in 0..10 {
        assert_eq!(exchange("made-up").await.0, 403);
    }
    assert_eq!(fake.reads(), 3);
}
