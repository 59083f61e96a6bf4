//! What the logs hold after a whole sign-in: no email, no link token, no code, no JWT, no origin
//! secret (sent with every request, and once wrongly). In a test binary of its own, so no other
//! test's events interleave with the captured ones.

mod common;

use common::{ORIGIN_CURRENT, call, event, event_with, secrets, world};
use serde_json::json;
use std::io::Write;
use std::sync::{Arc, Mutex};

/// Captures the JSON log lines of one flow and checks no email, token or code is in them.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn logs_hold_no_email_token_or_code() {
    let Some(w) = world().await else { return };
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .json()
        // The level the Lambdas run at (RUST_LOG=info).
        .with_max_level(tracing::Level::INFO)
        .with_current_span(true)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let ann = w.addr("ann");
    call(
        &w.app,
        event(
            "/auth/magic-link",
            &json!({"email": ann}),
            "203.0.113.6",
            None,
        ),
    )
    .await;
    let (token, code) = secrets(&ann).await;
    let (token, code) = (token.expect("token"), code.expect("code"));
    let (_, _, grant) = call(
        &w.app,
        event(
            "/auth/exchange",
            &json!({"email": ann, "code": code}),
            "203.0.113.6",
            None,
        ),
    )
    .await;
    let jwt = grant["token"].as_str().expect("jwt").to_string();
    call(
        &w.app,
        event("/auth/logout", &json!({}), "203.0.113.6", Some(&jwt)),
    )
    .await;
    let wrong = "W".repeat(64);
    let (refused, _, _) = call(
        &w.app,
        event_with(
            "/auth/magic-link",
            &json!({"email": ann}),
            "203.0.113.6",
            None,
            &[(web::ORIGIN_VERIFY_HEADER, Some(&wrong))],
        ),
    )
    .await;
    assert_eq!(refused, 403);
    let logs = String::from_utf8(capture.0.lock().expect("lock").clone()).expect("utf8");
    assert!(
        logs.contains("request done"),
        "the access log was captured: {logs}"
    );
    for secret in [
        ann.as_str(),
        token.as_str(),
        code.as_str(),
        &code.replace('-', ""),
        jwt.as_str(),
        ORIGIN_CURRENT,
        wrong.as_str(),
    ] {
        assert!(!logs.contains(secret), "a secret reached the logs");
    }
}
