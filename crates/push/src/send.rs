//! Sending push requests over one shared HTTPS client, with a bounded retry for the answers that
//! say "later".

use crate::{Checked, Message, Outcome, PushError, VapidKey, classify, request};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How many times [`Client::send`] tries one message before it reports the last `Retry`.
pub const ATTEMPTS: u32 = 3;
/// The longest pause between attempts, whatever `Retry-After` asked for: a nudge is due now, so a
/// longer wait is left to the next invocation.
pub const MAX_PAUSE: Duration = Duration::from_secs(2);
/// How long one attempt may take, connection included.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error(transparent)]
    Push(#[from] PushError),
    #[error("the TLS roots could not be loaded: {0}")]
    Tls(String),
}

/// One HTTPS client (rustls on ring, the system's roots) for every push a process sends.
#[derive(Clone)]
pub struct Client {
    http: HyperClient<hyper_rustls::HttpsConnector<HttpConnector>, Full<Bytes>>,
    first_pause: Duration,
}

impl Client {
    pub fn new() -> Result<Self, SendError> {
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_native_roots()
            .map_err(|e| SendError::Tls(e.to_string()))?
            .https_or_http()
            .enable_http1()
            .build();
        Ok(Self {
            http: HyperClient::builder(TokioExecutor::new()).build(https),
            first_pause: Duration::from_millis(200),
        })
    }

    /// The pause before the second attempt (it doubles after), for tests that should not wait.
    pub fn with_first_pause(mut self, pause: Duration) -> Self {
        self.first_pause = pause;
        self
    }

    /// Sends one message, trying up to [`ATTEMPTS`] times while the answer is
    /// [`Outcome::Retry`]; returns the final outcome. A bad subscription or payload is an error
    /// before anything is sent.
    pub async fn send(
        &self,
        to: &Checked,
        message: &Message,
        vapid: &VapidKey,
    ) -> Result<Outcome, SendError> {
        let mut pause = self.first_pause;
        let mut outcome = Outcome::Retry {
            status: None,
            after: None,
        };
        for attempt in 1..=ATTEMPTS {
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or_default();
            let request = request(to, message, vapid, now)?.map(|b| Full::new(Bytes::from(b)));
            outcome = match tokio::time::timeout(ATTEMPT_TIMEOUT, self.http.request(request)).await
            {
                Ok(Ok(response)) => {
                    let status = response.status().as_u16();
                    let retry_after = response
                        .headers()
                        .get(http::header::RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_string);
                    // Read the (small) body so the connection can be reused.
                    let _ = response.into_body().collect().await;
                    classify(status, retry_after.as_deref())
                }
                Ok(Err(_)) | Err(_) => Outcome::Retry {
                    status: None,
                    after: None,
                },
            };
            let Outcome::Retry { after, .. } = &outcome else {
                return Ok(outcome);
            };
            if attempt < ATTEMPTS {
                tokio::time::sleep(after.unwrap_or(pause).min(MAX_PAUSE)).await;
                pause *= 2;
            }
        }
        Ok(outcome)
    }
}
