//! Web Push: what the nudge sends to a subscribed phone beside the email.
//!
//! A browser's subscription names its push service's endpoint and two keys. This crate encrypts a
//! payload for those keys (RFC 8291, `aes128gcm` of RFC 8188, by the `web-push-native` crate), signs
//! the VAPID authorization (RFC 8292, ES256 with the `p256` crate), sends the request (RFC 8030) and
//! says what the push service's answer means: delivered, gone (the subscription is dead: remove
//! it), or retry later.
//!
//! Invariants: nothing here logs an endpoint, a key or a payload (an endpoint is a per-device
//! capability); a subscription is checked before anything is sent (an https endpoint, or plain http
//! to loopback only when [`Subscription::check`] is told so, keys of the right size and curve); a
//! payload that would not fit the 4096-byte record is refused, not truncated.

mod port;
mod send;

pub use port::{NUDGE_TTL, WebPusher, payload};
pub use send::{Client, SendError};

use base64::Engine;
use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use std::fmt;
use std::time::Duration;

/// The largest plaintext that fits one aes128gcm record of 4096 bytes (RFC 8291 section 4: 4096
/// minus the 86-byte header, the 16-byte tag and the padding delimiter).
pub const MAX_PAYLOAD: usize = 3993;

/// How long a VAPID token is valid (RFC 8292 allows at most 24 hours).
pub const VAPID_VALIDITY: Duration = Duration::from_secs(12 * 3600);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PushError {
    #[error("the subscription is not usable: {0}")]
    BadSubscription(&'static str),
    #[error("the VAPID key is not usable: {0}")]
    BadVapidKey(&'static str),
    #[error("the payload is {0} bytes, more than a push message holds ({MAX_PAYLOAD})")]
    TooLarge(usize),
    #[error("the push request could not be built: {0}")]
    Build(String),
}

/// A browser's push subscription, as `PushSubscription.toJSON()` gives it.
#[derive(Clone, PartialEq, Eq)]
pub struct Subscription {
    pub endpoint: String,
    /// The browser's P-256 public key, base64url (65 bytes uncompressed).
    pub p256dh: String,
    /// The 16-byte auth secret, base64url.
    pub auth: String,
}

impl fmt::Debug for Subscription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Subscription(***)")
    }
}

/// A subscription whose endpoint and keys were checked.
#[derive(Clone)]
pub struct Checked {
    endpoint: http::Uri,
    public: p256::PublicKey,
    auth: web_push_native::Auth,
}

/// Where plain-http endpoints may be: loopback only, for tests and the local run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoints {
    HttpsOnly,
    AlsoHttpLoopback,
}

fn b64(raw: &str) -> Option<Vec<u8>> {
    let raw = raw.trim_end_matches('=');
    URL_SAFE_NO_PAD
        .decode(raw)
        .ok()
        .or_else(|| URL_SAFE.decode(raw).ok())
}

impl Subscription {
    pub fn check(&self, endpoints: Endpoints) -> Result<Checked, PushError> {
        if self.endpoint.len() > 2048 {
            return Err(PushError::BadSubscription(
                "the endpoint is longer than 2048",
            ));
        }
        let endpoint: http::Uri = self
            .endpoint
            .parse()
            .map_err(|_| PushError::BadSubscription("the endpoint is not a URL"))?;
        let host = endpoint
            .host()
            .ok_or(PushError::BadSubscription("the endpoint has no host"))?;
        match (endpoint.scheme_str(), endpoints) {
            (Some("https"), _) => {}
            (Some("http"), Endpoints::AlsoHttpLoopback)
                if host == "127.0.0.1" || host == "localhost" || host == "[::1]" => {}
            _ => return Err(PushError::BadSubscription("the endpoint is not https")),
        }
        let key = b64(&self.p256dh)
            .filter(|k| k.len() == 65)
            .ok_or(PushError::BadSubscription("p256dh is not a 65-byte key"))?;
        let public = p256::PublicKey::from_sec1_bytes(&key)
            .map_err(|_| PushError::BadSubscription("p256dh is not a P-256 point"))?;
        let auth: [u8; 16] = b64(&self.auth)
            .and_then(|a| a.try_into().ok())
            .ok_or(PushError::BadSubscription("auth is not 16 bytes"))?;
        Ok(Checked {
            endpoint,
            public,
            auth: web_push_native::Auth::from(auth),
        })
    }
}

/// The application server's VAPID key pair and the contact push services may write to.
#[derive(Clone)]
pub struct VapidKey {
    key: SigningKey,
    public: String,
    contact: String,
}

impl fmt::Debug for VapidKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "VapidKey(public {}, ***)", self.public)
    }
}

impl VapidKey {
    /// From the private scalar (32 bytes, base64url, as [`VapidKey::generate`] gives it) and a
    /// `mailto:` or `https:` contact.
    pub fn from_private(private: &str, contact: &str) -> Result<Self, PushError> {
        let bytes = b64(private.trim())
            .filter(|b| b.len() == 32)
            .ok_or(PushError::BadVapidKey(
                "the private key is not 32 bytes of base64url",
            ))?;
        let key = SigningKey::from_slice(&bytes)
            .map_err(|_| PushError::BadVapidKey("the private key is not a P-256 scalar"))?;
        if !(contact.starts_with("mailto:") || contact.starts_with("https://")) {
            return Err(PushError::BadVapidKey(
                "the contact is not mailto: or https:",
            ));
        }
        let public = URL_SAFE_NO_PAD.encode(key.verifying_key().to_encoded_point(false).as_bytes());
        Ok(Self {
            key,
            public,
            contact: contact.to_string(),
        })
    }

    /// The key derived from a stage's generated secret string (Secrets Manager makes random
    /// strings, not EC keys): the P-256 scalar is SHA-256("vapid" ‖ secret), re-hashed in the
    /// astronomically unlikely case it is not below the curve order.
    pub fn derive(secret: &str, contact: &str) -> Result<Self, PushError> {
        use sha2::{Digest, Sha256};
        if secret.len() < 32 {
            return Err(PushError::BadVapidKey(
                "the secret is shorter than 32 characters",
            ));
        }
        let mut digest = Sha256::new()
            .chain_update(b"vapid")
            .chain_update(secret.as_bytes())
            .finalize();
        while SigningKey::from_slice(&digest).is_err() {
            digest = Sha256::digest(digest);
        }
        Self::from_private(&URL_SAFE_NO_PAD.encode(digest), contact)
    }

    /// A fresh private key, base64url: what a stage's VAPID secret holds.
    pub fn generate() -> String {
        loop {
            let mut bytes = [0u8; 32];
            rand::fill(&mut bytes);
            if SigningKey::from_slice(&bytes).is_ok() {
                return URL_SAFE_NO_PAD.encode(bytes);
            }
        }
    }

    /// The public key, base64url of the uncompressed point: the browser's `applicationServerKey`.
    pub fn public_key(&self) -> &str {
        &self.public
    }

    /// `vapid t=<ES256 JWT>, k=<public key>` for a request to `endpoint`, valid until
    /// `now_unix + VAPID_VALIDITY`.
    pub fn authorization(&self, endpoint: &http::Uri, now_unix: u64) -> Result<String, PushError> {
        let audience = origin(endpoint)?;
        let header = URL_SAFE_NO_PAD.encode(br#"{"typ":"JWT","alg":"ES256"}"#);
        let claims = serde_json::json!({
            "aud": audience,
            "exp": now_unix + VAPID_VALIDITY.as_secs(),
            "sub": self.contact,
        });
        let claims = URL_SAFE_NO_PAD.encode(claims.to_string());
        let input = format!("{header}.{claims}");
        let signature: Signature = self.key.sign(input.as_bytes());
        let token = format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature.to_bytes()));
        Ok(format!("vapid t={token}, k={}", self.public))
    }
}

/// The push resource's origin (RFC 6454): scheme, host and a non-default port.
fn origin(endpoint: &http::Uri) -> Result<String, PushError> {
    let scheme = endpoint
        .scheme_str()
        .ok_or(PushError::BadSubscription("the endpoint has no scheme"))?;
    let host = endpoint
        .host()
        .ok_or(PushError::BadSubscription("the endpoint has no host"))?;
    let default = match scheme {
        "https" => 443,
        _ => 80,
    };
    Ok(match endpoint.port_u16() {
        Some(port) if port != default => format!("{scheme}://{host}:{port}"),
        _ => format!("{scheme}://{host}"),
    })
}

/// How soon the push service should deliver (RFC 8030 section 5.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Urgency {
    Normal,
    High,
}

/// One message to one subscription.
#[derive(Clone)]
pub struct Message {
    pub payload: Vec<u8>,
    /// How long the push service keeps it for a phone that is offline.
    pub ttl: Duration,
    pub urgency: Urgency,
    /// Replaces an undelivered message with the same topic (at most 32 base64url characters).
    pub topic: Option<String>,
}

impl fmt::Debug for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Message({} bytes, ttl {:?})",
            self.payload.len(),
            self.ttl
        )
    }
}

/// The push request for one message: encrypted body, TTL, Urgency, Topic and the VAPID header.
pub fn request(
    to: &Checked,
    message: &Message,
    vapid: &VapidKey,
    now_unix: u64,
) -> Result<http::Request<Vec<u8>>, PushError> {
    if message.payload.len() > MAX_PAYLOAD {
        return Err(PushError::TooLarge(message.payload.len()));
    }
    let mut request = web_push_native::WebPushBuilder::new(to.endpoint.clone(), to.public, to.auth)
        .with_valid_duration(message.ttl)
        .build(message.payload.clone())
        .map_err(|e| PushError::Build(e.to_string()))?;
    let headers = request.headers_mut();
    let authorization = vapid.authorization(&to.endpoint, now_unix)?;
    headers.insert(
        http::header::AUTHORIZATION,
        http::HeaderValue::from_str(&authorization).map_err(|e| PushError::Build(e.to_string()))?,
    );
    headers.insert(
        "urgency",
        http::HeaderValue::from_static(match message.urgency {
            Urgency::Normal => "normal",
            Urgency::High => "high",
        }),
    );
    if let Some(topic) = &message.topic {
        let ok = topic.len() <= 32
            && topic
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !ok {
            return Err(PushError::Build(
                "a topic is at most 32 base64url characters".into(),
            ));
        }
        headers.insert(
            "topic",
            http::HeaderValue::from_str(topic).map_err(|e| PushError::Build(e.to_string()))?,
        );
    }
    Ok(request)
}

/// What a push service's answer means for the sender.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// 201 (or another 2xx): accepted for delivery.
    Delivered,
    /// 404 or 410: the subscription expired or was withdrawn; remove it and never send again.
    Gone,
    /// 429 or 5xx, or no answer: try again, after `after` if the service said so.
    Retry {
        status: Option<u16>,
        after: Option<Duration>,
    },
    /// Any other answer (400 bad request, 401/403 VAPID refused, 413 too large): retrying the same
    /// request will fail the same way.
    Rejected(u16),
}

/// Classifies a push service's status and `Retry-After` (seconds only; a date is ignored).
pub fn classify(status: u16, retry_after: Option<&str>) -> Outcome {
    match status {
        200..=299 => Outcome::Delivered,
        404 | 410 => Outcome::Gone,
        429 | 500..=599 => Outcome::Retry {
            status: Some(status),
            after: retry_after
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs),
        },
        other => Outcome::Rejected(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn browser() -> (SigningKey, Subscription) {
        let ua = SigningKey::from_slice(&[7u8; 32]).expect("key");
        let sub = Subscription {
            endpoint: "https://push.example.net/send/abc".into(),
            p256dh: URL_SAFE_NO_PAD.encode(ua.verifying_key().to_encoded_point(false).as_bytes()),
            auth: URL_SAFE_NO_PAD.encode([9u8; 16]),
        };
        (ua, sub)
    }

    #[test]
    fn subscriptions_are_checked_before_use() {
        let (_, good) = browser();
        assert!(good.check(Endpoints::HttpsOnly).is_ok());
        let with = |f: &dyn Fn(&mut Subscription)| {
            let mut s = good.clone();
            f(&mut s);
            s.check(Endpoints::HttpsOnly).err()
        };
        assert!(with(&|s| s.endpoint = "http://push.example.net/x".into()).is_some());
        assert!(with(&|s| s.endpoint = "http://127.0.0.1:9/x".into()).is_some());
        assert!(with(&|s| s.endpoint = "not a url".into()).is_some());
        assert!(with(&|s| s.p256dh = "AAAA".into()).is_some());
        assert!(
            with(&|s| s.p256dh = URL_SAFE_NO_PAD.encode([4u8; 65])).is_some(),
            "not on the curve"
        );
        assert!(with(&|s| s.auth = URL_SAFE_NO_PAD.encode([1u8; 15])).is_some());
        let mut local = good.clone();
        local.endpoint = "http://127.0.0.1:9/x".into();
        assert!(local.check(Endpoints::AlsoHttpLoopback).is_ok());
        local.endpoint = "http://push.example.net/x".into();
        assert!(local.check(Endpoints::AlsoHttpLoopback).is_err());
        assert_eq!(format!("{good:?}"), "Subscription(***)");
    }

    #[test]
    fn a_payload_that_does_not_fit_is_refused() {
        let (_, sub) = browser();
        let vapid =
            VapidKey::from_private(&VapidKey::generate(), "mailto:ops@example.com").expect("vapid");
        let to = sub.check(Endpoints::HttpsOnly).expect("checked");
        let message = |n| Message {
            payload: vec![b'x'; n],
            ttl: Duration::from_secs(60),
            urgency: Urgency::High,
            topic: None,
        };
        assert!(request(&to, &message(MAX_PAYLOAD), &vapid, 0).is_ok());
        assert_eq!(
            request(&to, &message(MAX_PAYLOAD + 1), &vapid, 0).err(),
            Some(PushError::TooLarge(MAX_PAYLOAD + 1))
        );
    }

    #[test]
    fn the_vapid_audience_is_the_endpoints_origin() {
        let at = |u: &str| origin(&u.parse().expect("uri")).expect("origin");
        assert_eq!(
            at("https://fcm.googleapis.com/fcm/send/x"),
            "https://fcm.googleapis.com"
        );
        assert_eq!(
            at("https://push.example.net:443/x"),
            "https://push.example.net"
        );
        assert_eq!(at("http://127.0.0.1:8123/push/1"), "http://127.0.0.1:8123");
    }

    #[test]
    fn answers_are_classified() {
        assert_eq!(classify(201, None), Outcome::Delivered);
        assert_eq!(classify(410, None), Outcome::Gone);
        assert_eq!(classify(404, None), Outcome::Gone);
        assert_eq!(
            classify(429, Some("7")),
            Outcome::Retry {
                status: Some(429),
                after: Some(Duration::from_secs(7))
            }
        );
        assert_eq!(
            classify(503, Some("Wed, 21 Oct 2026 07:28:00 GMT")),
            Outcome::Retry {
                status: Some(503),
                after: None
            }
        );
        assert_eq!(classify(413, None), Outcome::Rejected(413));
        assert_eq!(classify(403, None), Outcome::Rejected(403));
    }

    #[test]
    fn vapid_keys_are_checked() {
        assert!(VapidKey::from_private("short", "mailto:a@b.c").is_err());
        assert!(
            VapidKey::from_private(&URL_SAFE_NO_PAD.encode([0u8; 32]), "mailto:a@b.c").is_err(),
            "zero scalar"
        );
        assert!(
            VapidKey::from_private(&VapidKey::generate(), "ops@example.com").is_err(),
            "contact scheme"
        );
        let key =
            VapidKey::from_private(&VapidKey::generate(), "mailto:ops@example.com").expect("key");
        assert_eq!(
            URL_SAFE_NO_PAD.decode(key.public_key()).expect("b64").len(),
            65
        );
        assert!(!format!("{key:?}").contains(&VapidKey::generate()));
    }
}
