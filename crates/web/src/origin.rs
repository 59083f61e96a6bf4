//! The origin check: only requests that came through CloudFront reach a Lambda's router.
//!
//! CloudFront adds [`ORIGIN_VERIFY_HEADER`] (a value from Secrets Manager) to every request it
//! sends to the HTTP API. Anyone can call the execute-api URL directly, and could then write
//! `CloudFront-Viewer-Address` themselves to dodge the per-IP sign-in limit; without the secret
//! header such a request is refused here, before authentication, rate limits or the store.
//!
//! The secret is `{"current":"…","previous":"…"}`, so it can be rotated without downtime: both
//! values are accepted while CloudFront moves from one to the other. A value that matches neither
//! makes the check read the secret again, at most once per [`RELOAD_INTERVAL`], so a rotation
//! done while instances are warm is picked up without a restart.
//!
//! Invariant: the secret's values are never logged, never put in an error, and compared in
//! constant time.

use crate::problem::Problem;
use axum::Router;
use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use subtle::{Choice, ConstantTimeEq};
use tokio::time::Instant;

/// The header CloudFront adds on the behaviours that route to the HTTP API
/// (`infra-cdk/lib/constructs/web-app.ts` sets the same name).
pub const ORIGIN_VERIFY_HEADER: &str = "x-origin-verify";

/// The shortest gap between two reads of the secret caused by unmatched values, so requests with
/// made-up headers cannot turn into a stream of Secrets Manager calls.
pub const RELOAD_INTERVAL: Duration = Duration::from_secs(60);

/// The generated values are 64 characters; anything much shorter is a mistake in the secret.
const MIN_LEN: usize = 32;

#[derive(Debug, thiserror::Error)]
pub enum OriginSecretError {
    #[error("cannot read the origin secret: {0}")]
    Load(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The reason never quotes the secret (serde's messages could).
    #[error("the origin secret is malformed: {0}")]
    Malformed(&'static str),
}

/// The values the check accepts: `current` (what CloudFront is meant to send) and, during a
/// rotation, `previous`.
#[derive(Clone)]
pub struct OriginSecrets {
    current: Vec<u8>,
    previous: Option<Vec<u8>>,
}

impl fmt::Debug for OriginSecrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OriginSecrets(***)")
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SecretDocument {
    current: String,
    #[serde(default)]
    previous: Option<String>,
}

impl OriginSecrets {
    /// Parses the secret string `{"current":"…","previous":"…"}`; `previous` may be absent or
    /// empty (then only `current` is accepted). An unknown member (a typo of `previous`) is an
    /// error rather than a silently dropped value.
    pub fn from_json(raw: &str) -> Result<Self, OriginSecretError> {
        let doc: SecretDocument = serde_json::from_str(raw).map_err(|e| {
            OriginSecretError::Malformed(if e.is_data() {
                r#"expected an object {"current":"…","previous":"…"} with string values and no other members"#
            } else {
                "not JSON"
            })
        })?;
        if doc.current.len() < MIN_LEN {
            return Err(OriginSecretError::Malformed(
                "current is shorter than 32 characters",
            ));
        }
        let previous = doc.previous.filter(|p| !p.is_empty());
        if previous.as_ref().is_some_and(|p| p.len() < MIN_LEN) {
            return Err(OriginSecretError::Malformed(
                "previous is shorter than 32 characters",
            ));
        }
        Ok(Self {
            current: doc.current.into_bytes(),
            previous: previous.map(String::into_bytes),
        })
    }

    /// Whether `given` is one of the values. Both are always compared, each in constant time, so
    /// the time taken tells neither a value nor which one matched.
    fn accepts(&self, given: &[u8]) -> bool {
        let current = given.ct_eq(&self.current);
        let previous = self
            .previous
            .as_deref()
            .map_or(Choice::from(0), |p| given.ct_eq(p));
        (current | previous).into()
    }
}

/// A boxed future of a secret read.
pub type LoadFuture<'a> =
    Pin<Box<dyn Future<Output = Result<String, OriginSecretError>> + Send + 'a>>;

/// Where the secret string comes from: Secrets Manager in the Lambdas, a closure in tests. Any
/// `Fn() -> impl Future<Output = Result<String, E>>` is one.
pub trait OriginSecretSource: Send + Sync + 'static {
    fn load(&self) -> LoadFuture<'_>;
}

impl<F, Fut, E> OriginSecretSource for F
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<String, E>> + Send + 'static,
    E: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    fn load(&self) -> LoadFuture<'_> {
        let read = self();
        Box::pin(async move { read.await.map_err(|e| OriginSecretError::Load(e.into())) })
    }
}

struct Cached {
    secrets: Arc<OriginSecrets>,
    /// When the secret was last read, or a read was last started.
    read_at: Instant,
}

/// The cached secret and the rule for reading it again. Built once per process.
pub struct OriginCheck {
    cached: Mutex<Cached>,
    source: Box<dyn OriginSecretSource>,
}

impl fmt::Debug for OriginCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OriginCheck(***)")
    }
}

impl OriginCheck {
    /// Reads the secret once (at init): a Lambda that cannot read it, or reads a malformed one,
    /// should fail to start rather than refuse every request.
    pub async fn load(source: impl OriginSecretSource) -> Result<Self, OriginSecretError> {
        let secrets = OriginSecrets::from_json(&source.load().await?)?;
        Ok(Self {
            cached: Mutex::new(Cached {
                secrets: Arc::new(secrets),
                read_at: Instant::now(),
            }),
            source: Box::new(source),
        })
    }

    fn cached(&self) -> std::sync::MutexGuard<'_, Cached> {
        // The guarded data is always whole (plain assignments), so a poisoned lock is still usable.
        self.cached.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether a request carrying `given` came through CloudFront. A missing header is refused
    /// outright (CloudFront always sends one, so it says nothing about a rotation); a value that
    /// matches neither cached value re-reads the secret if the last read is at least
    /// [`RELOAD_INTERVAL`] old.
    pub async fn verify(&self, given: Option<&HeaderValue>) -> bool {
        let Some(given) = given.map(HeaderValue::as_bytes) else {
            return false;
        };
        {
            let mut cached = self.cached();
            if cached.secrets.accepts(given) {
                return true;
            }
            if cached.read_at.elapsed() < RELOAD_INTERVAL {
                return false;
            }
            // Claimed before the read, so concurrent mismatches do not read it too.
            cached.read_at = Instant::now();
        }
        let fresh = match self.source.load().await {
            Ok(raw) => OriginSecrets::from_json(&raw),
            Err(e) => Err(e),
        };
        match fresh {
            Ok(fresh) => {
                tracing::info!("re-read the origin secret after an unmatched origin header");
                let accepted = fresh.accepts(given);
                self.cached().secrets = Arc::new(fresh);
                accepted
            }
            Err(error) => {
                tracing::warn!(%error, "could not re-read the origin secret; keeping the cached values");
                false
            }
        }
    }
}

/// Refuses, with 403 `application/problem+json`, every request to `router` (its routes and its
/// fallback) without the origin header CloudFront adds; it runs before any extractor or handler.
/// The accepted header is removed, so nothing further in sees the secret.
pub fn require_origin<S>(router: Router<S>, check: Arc<OriginCheck>) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    router.layer(axum::middleware::from_fn_with_state(check, guard))
}

async fn guard(State(check): State<Arc<OriginCheck>>, mut req: Request, next: Next) -> Response {
    if !check.verify(req.headers().get(ORIGIN_VERIFY_HEADER)).await {
        return Problem::unverified_origin().into_response();
    }
    req.headers_mut().remove(ORIGIN_VERIFY_HEADER);
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    const A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    const B: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    const C: &str = "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc";

    fn doc(current: &str, previous: Option<&str>) -> String {
        match previous {
            Some(p) => serde_json::json!({"current": current, "previous": p}),
            None => serde_json::json!({"current": current}),
        }
        .to_string()
    }

    /// Values a parsed secret accepts and refuses, or a part of the parse error.
    type Expect<'a> = Result<(&'a [&'a str], &'a [&'a str]), &'a str>;

    #[test]
    fn secret_documents_parse_as_data() {
        let long = "x".repeat(32);
        let cases: &[(String, Expect)] = &[
            (doc(A, None), Ok((&[A], &[B, ""]))),
            (doc(A, Some(B)), Ok((&[A, B], &[C, ""]))),
            (doc(A, Some("")), Ok((&[A], &[B, ""]))),
            (doc(&long, None), Ok((&[long.as_str()], &[A]))),
            (doc(&"x".repeat(31), None), Err("current is shorter")),
            (doc("", None), Err("current is shorter")),
            (doc(A, Some("short")), Err("previous is shorter")),
            (
                serde_json::json!({"current": A, "prevous": B}).to_string(),
                Err("no other members"),
            ),
            (
                serde_json::json!({"previous": B}).to_string(),
                Err("no other members"),
            ),
            (serde_json::json!(A).to_string(), Err("no other members")),
            (A.to_string(), Err("not JSON")),
        ];
        for (raw, want) in cases {
            match (OriginSecrets::from_json(raw), want) {
                (Ok(s), Ok((accepted, refused))) => {
                    for v in *accepted {
                        assert!(s.accepts(v.as_bytes()), "{raw}: {v} refused");
                    }
                    for v in *refused {
                        assert!(!s.accepts(v.as_bytes()), "{raw}: {v} accepted");
                    }
                }
                (Err(e), Err(reason)) => {
                    let text = e.to_string();
                    assert!(text.contains(reason), "{raw}: {text}");
                    for secret in [A, B] {
                        assert!(
                            !text.contains(secret),
                            "the error quotes the secret: {text}"
                        );
                    }
                }
                (got, want) => panic!("{raw}: got {got:?}, want {want:?}"),
            }
        }
        assert_eq!(
            format!("{:?}", OriginSecrets::from_json(&doc(A, Some(B)))),
            "Ok(OriginSecrets(***))"
        );
    }

    /// A source whose value the test changes, counting reads.
    #[derive(Clone)]
    struct Fake {
        value: Arc<Mutex<Result<String, String>>>,
        reads: Arc<AtomicUsize>,
    }

    impl Fake {
        fn new(raw: String) -> Self {
            Self {
                value: Arc::new(Mutex::new(Ok(raw))),
                reads: Arc::default(),
            }
        }
        fn set(&self, value: Result<String, String>) {
            *self.value.lock().expect("lock") = value;
        }
        fn reads(&self) -> usize {
            self.reads.load(Ordering::SeqCst)
        }
        fn source(&self) -> impl OriginSecretSource {
            let fake = self.clone();
            move || {
                let fake = fake.clone();
                async move {
                    fake.reads.fetch_add(1, Ordering::SeqCst);
                    fake.value.lock().expect("lock").clone()
                }
            }
        }
    }

    fn header(v: &str) -> HeaderValue {
        HeaderValue::from_str(v).expect("header")
    }

    #[tokio::test(start_paused = true)]
    async fn unmatched_values_reread_the_secret_at_most_once_a_minute() {
        let fake = Fake::new(doc(A, None));
        let check = OriginCheck::load(fake.source()).await.expect("load");
        assert_eq!(fake.reads(), 1);
        assert!(check.verify(Some(&header(A))).await);
        assert!(!check.verify(None).await);
        // Rotated while warm: B is now current, A previous.
        fake.set(Ok(doc(B, Some(A))));
        assert!(!check.verify(Some(&header(B))).await, "too soon to re-read");
        assert!(!check.verify(Some(&header(C))).await);
        assert_eq!(fake.reads(), 1, "no read within a minute of the last");
        tokio::time::advance(RELOAD_INTERVAL).await;
        assert!(!check.verify(None).await);
        assert_eq!(fake.reads(), 1, "a missing header never re-reads");
        assert!(
            check.verify(Some(&header(B))).await,
            "the rotation is picked up"
        );
        assert_eq!(fake.reads(), 2);
        assert!(
            check.verify(Some(&header(A))).await,
            "previous still accepted"
        );
        assert!(!check.verify(Some(&header(C))).await);
        assert_eq!(fake.reads(), 2);
        tokio::time::advance(RELOAD_INTERVAL).await;
        assert!(!check.verify(Some(&header(C))).await);
        assert_eq!(
            fake.reads(),
            3,
            "a wrong value re-reads once a minute at most"
        );
        assert!(!check.verify(Some(&header(C))).await);
        assert_eq!(fake.reads(), 3);
    }

    #[tokio::test(start_paused = true)]
    async fn a_failed_or_malformed_reread_keeps_the_cached_values() {
        let fake = Fake::new(doc(A, None));
        let check = OriginCheck::load(fake.source()).await.expect("load");
        for broken in [Err("AccessDenied".to_string()), Ok(doc("short", None))] {
            fake.set(broken);
            tokio::time::advance(RELOAD_INTERVAL).await;
            assert!(!check.verify(Some(&header(B))).await);
            assert!(
                check.verify(Some(&header(A))).await,
                "still accepts current"
            );
        }
        assert_eq!(fake.reads(), 3);
    }

    #[tokio::test]
    async fn a_secret_that_cannot_be_read_at_init_is_an_error() {
        let fake = Fake::new(doc(A, None));
        fake.set(Err("ResourceNotFoundException".into()));
        assert!(matches!(
            OriginCheck::load(fake.source()).await,
            Err(OriginSecretError::Load(_))
        ));
        fake.set(Ok("{}".into()));
        assert!(matches!(
            OriginCheck::load(fake.source()).await,
            Err(OriginSecretError::Malformed(_))
        ));
    }
}
