//! The push crate against a push service it did not write (tests/push/push_service.py, through
//! test-support): it makes each subscription's keys as a browser would, checks the VAPID token
//! with `cryptography` and decrypts each body with `http_ece`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::ecdsa::SigningKey;
use push::{Client, Endpoints, Message, Outcome, Subscription, Urgency, VapidKey};
use serde_json::json;
use std::time::Duration;
use test_support::PushService;

fn subscribe(svc: &PushService, id: &str, behaviour: &str) -> Subscription {
    let b = svc.subscribe(id, behaviour);
    Subscription {
        endpoint: b.endpoint,
        p256dh: b.p256dh,
        auth: b.auth,
    }
}

fn message(text: &str) -> Message {
    Message {
        payload: text.as_bytes().to_vec(),
        ttl: Duration::from_secs(1800),
        urgency: Urgency::High,
        topic: Some("nudge-departure".into()),
    }
}

fn vapid() -> VapidKey {
    VapidKey::from_private(&VapidKey::generate(), "mailto:ops@example.com").expect("vapid")
}

/// Sends `text` to `to` with a fresh client and VAPID key; the final outcome.
async fn send(to: &push::Checked, text: &str) -> Outcome {
    client()
        .send(to, &message(text), &vapid())
        .await
        .expect("send")
}

fn client() -> Client {
    Client::new()
        .expect("client")
        .with_first_pause(Duration::from_millis(20))
}

#[tokio::test]
async fn the_push_service_decrypts_the_payload_and_accepts_the_vapid_token() {
    let Some(svc) = PushService::start() else {
        return;
    };
    let sub = subscribe(&svc, "phone-1", "ok");
    let to = sub.check(Endpoints::AlsoHttpLoopback).expect("checked");
    let body = r#"{"title":"Sunset sail departs in 30 min","url":"https://app.example.com/events/01J?org=jada"}"#;
    let outcome = send(&to, body).await;
    assert_eq!(outcome, Outcome::Delivered);
    let got = svc.received("phone-1");
    assert_eq!(got.len(), 1);
    assert_eq!(got[0]["problems"], json!([]));
    assert_eq!(
        got[0]["plaintext"], body,
        "decrypted with the browser's private key"
    );
    assert_eq!(got[0]["ttl"], "1800");
    assert_eq!(got[0]["urgency"], "high");
    assert_eq!(got[0]["topic"], "nudge-departure");
}

#[tokio::test]
async fn a_key_the_message_was_not_encrypted_for_cannot_read_it() {
    let Some(svc) = PushService::start() else {
        return;
    };
    // The service holds phone-2's private key; the request is encrypted for phone-1's public key.
    let mut wrong = subscribe(&svc, "phone-2", "ok");
    let other = subscribe(&svc, "x", "ok");
    wrong.p256dh = other.p256dh;
    let to = wrong.check(Endpoints::AlsoHttpLoopback).expect("checked");
    let outcome = send(&to, "secret").await;
    assert_eq!(
        outcome,
        Outcome::Rejected(400),
        "the service could not decrypt it"
    );
    let got = svc.received("phone-2");
    assert!(got[0]["plaintext"].is_null());
}

#[tokio::test]
async fn gone_and_unknown_subscriptions_say_so() {
    let Some(svc) = PushService::start() else {
        return;
    };
    let sub = subscribe(&svc, "gone", "gone");
    let to = sub.check(Endpoints::AlsoHttpLoopback).expect("checked");
    assert_eq!(send(&to, "hi").await, Outcome::Gone);
    let unknown = Subscription {
        endpoint: format!("http://127.0.0.1:{}/push/never-registered", svc.port),
        ..sub
    };
    let to = unknown.check(Endpoints::AlsoHttpLoopback).expect("checked");
    assert_eq!(send(&to, "hi").await, Outcome::Gone, "404");
}

#[tokio::test]
async fn a_503_is_retried_and_the_message_arrives_once() {
    let Some(svc) = PushService::start() else {
        return;
    };
    let sub = subscribe(&svc, "flaky", "flaky");
    let to = sub.check(Endpoints::AlsoHttpLoopback).expect("checked");
    assert_eq!(send(&to, "again").await, Outcome::Delivered);
    let got = svc.received("flaky");
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0]["plaintext"], "again");
}

#[tokio::test]
async fn throttling_is_retried_then_reported_as_retry() {
    let Some(svc) = PushService::start() else {
        return;
    };
    let sub = subscribe(&svc, "busy", "throttle");
    let to = sub.check(Endpoints::AlsoHttpLoopback).expect("checked");
    let outcome = send(&to, "x").await;
    assert_eq!(
        outcome,
        Outcome::Retry {
            status: Some(429),
            after: None
        }
    );
}

#[tokio::test]
async fn no_answer_is_a_retry() {
    // A port nothing listens on.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    let sub = Subscription {
        endpoint: format!("http://127.0.0.1:{port}/push/x"),
        p256dh: URL_SAFE_NO_PAD.encode(
            SigningKey::from_slice(&[5u8; 32])
                .expect("key")
                .verifying_key()
                .to_encoded_point(false)
                .as_bytes(),
        ),
        auth: URL_SAFE_NO_PAD.encode([1u8; 16]),
    };
    let to = sub.check(Endpoints::AlsoHttpLoopback).expect("checked");
    let outcome = send(&to, "x").await;
    assert_eq!(
        outcome,
        Outcome::Retry {
            status: None,
            after: None
        }
    );
}
