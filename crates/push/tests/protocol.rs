//! The push crate against a push service it did not write: tests/push/push_service.py checks the
//! VAPID token with `cryptography` and decrypts each body with `http_ece` and the subscription's
//! private key, as a browser's push service and service worker would.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::ecdsa::SigningKey;
use push::{Client, Endpoints, Message, Outcome, Subscription, Urgency, VapidKey};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

struct Service {
    child: Child,
    port: u16,
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The loopback push service, or `None` outside CI without the test Python (`make test` sets it).
fn service() -> Option<Service> {
    let python = test_support::test_python()?;
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/push/push_service.py"
    );
    let mut child = Command::new(python)
        .arg(script)
        .stdout(Stdio::piped())
        .spawn()
        .expect("push service");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("port");
    let port = line.trim().parse().expect("a port on the first line");
    Some(Service { child, port })
}

/// A plain HTTP/1.1 exchange with the service's test endpoints.
fn http(port: u16, method: &str, path: &str, body: Option<&Value>) -> Value {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("write");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("read");
    let json = answer.split("\r\n\r\n").nth(1).unwrap_or("null");
    serde_json::from_str(json).unwrap_or(Value::Null)
}

/// A browser's side: its key pair and secret, registered with the service under `id`.
fn subscribe(svc: &Service, id: &str, behaviour: &str) -> Subscription {
    let mut scalar = [0u8; 32];
    for (i, b) in scalar.iter_mut().enumerate() {
        *b = (i as u8).wrapping_mul(31).wrapping_add(id.len() as u8 + 1);
    }
    let ua = SigningKey::from_slice(&scalar).expect("browser key");
    let auth = [id.len() as u8 + 3; 16];
    http(
        svc.port,
        "POST",
        "/register",
        Some(
            &json!({"id": id, "private_key": URL_SAFE_NO_PAD.encode(scalar),
                     "auth": URL_SAFE_NO_PAD.encode(auth), "behaviour": behaviour}),
        ),
    );
    Subscription {
        endpoint: format!("http://127.0.0.1:{}/push/{id}", svc.port),
        p256dh: URL_SAFE_NO_PAD.encode(ua.verifying_key().to_encoded_point(false).as_bytes()),
        auth: URL_SAFE_NO_PAD.encode(auth),
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

fn client() -> Client {
    Client::new()
        .expect("client")
        .with_first_pause(Duration::from_millis(20))
}

#[tokio::test]
async fn the_push_service_decrypts_the_payload_and_accepts_the_vapid_token() {
    let Some(svc) = service() else { return };
    let sub = subscribe(&svc, "phone-1", "ok");
    let to = sub.check(Endpoints::AlsoHttpLoopback).expect("checked");
    let body = r#"{"title":"Sunset sail departs in 30 min","url":"https://app.example.com/events/01J?org=jada"}"#;
    let outcome = client()
        .send(&to, &message(body), &vapid())
        .await
        .expect("send");
    assert_eq!(outcome, Outcome::Delivered);
    let got = http(svc.port, "GET", "/received/phone-1", None);
    let got = got.as_array().expect("list");
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
    let Some(svc) = service() else { return };
    // The service holds phone-2's private key; the request is encrypted for phone-1's public key.
    let mut wrong = subscribe(&svc, "phone-2", "ok");
    let other = subscribe(&svc, "x", "ok");
    wrong.p256dh = other.p256dh;
    let to = wrong.check(Endpoints::AlsoHttpLoopback).expect("checked");
    let outcome = client()
        .send(&to, &message("secret"), &vapid())
        .await
        .expect("send");
    assert_eq!(
        outcome,
        Outcome::Rejected(400),
        "the service could not decrypt it"
    );
    let got = http(svc.port, "GET", "/received/phone-2", None);
    assert!(got[0]["plaintext"].is_null());
}

#[tokio::test]
async fn gone_and_unknown_subscriptions_say_so() {
    let Some(svc) = service() else { return };
    let sub = subscribe(&svc, "gone", "gone");
    let to = sub.check(Endpoints::AlsoHttpLoopback).expect("checked");
    assert_eq!(
        client()
            .send(&to, &message("hi"), &vapid())
            .await
            .expect("send"),
        Outcome::Gone
    );
    let unknown = Subscription {
        endpoint: format!("http://127.0.0.1:{}/push/never-registered", svc.port),
        ..sub
    };
    let to = unknown.check(Endpoints::AlsoHttpLoopback).expect("checked");
    assert_eq!(
        client()
            .send(&to, &message("hi"), &vapid())
            .await
            .expect("send"),
        Outcome::Gone,
        "404"
    );
}

#[tokio::test]
async fn a_503_is_retried_and_the_message_arrives_once() {
    let Some(svc) = service() else { return };
    let sub = subscribe(&svc, "flaky", "flaky");
    let to = sub.check(Endpoints::AlsoHttpLoopback).expect("checked");
    assert_eq!(
        client()
            .send(&to, &message("again"), &vapid())
            .await
            .expect("send"),
        Outcome::Delivered
    );
    let got = http(svc.port, "GET", "/received/flaky", None);
    assert_eq!(got.as_array().map(Vec::len), Some(1), "{got}");
    assert_eq!(got[0]["plaintext"], "again");
}

#[tokio::test]
async fn throttling_is_retried_then_reported_as_retry() {
    let Some(svc) = service() else { return };
    let sub = subscribe(&svc, "busy", "throttle");
    let to = sub.check(Endpoints::AlsoHttpLoopback).expect("checked");
    let outcome = client()
        .send(&to, &message("x"), &vapid())
        .await
        .expect("send");
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
    let outcome = client()
        .send(&to, &message("x"), &vapid())
        .await
        .expect("send");
    assert_eq!(
        outcome,
        Outcome::Retry {
            status: None,
            after: None
        }
    );
}
