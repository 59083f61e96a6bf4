//! The domain's [`Pusher`] port on this crate: a nudge's note as the JSON the service worker
//! shows, sent with the stage's VAPID key.

use crate::{Client, Endpoints, Message, Outcome, Subscription, Urgency, VapidKey};
use async_trait::async_trait;
use domain::ports::{PushDevice, PushNote, PushResult, Pusher};
use std::time::Duration;

/// How long a push service keeps a nudge for a phone that is off: after 30 minutes the departure
/// it announces has come.
pub const NUDGE_TTL: Duration = Duration::from_secs(30 * 60);

pub struct WebPusher {
    client: Client,
    vapid: VapidKey,
    endpoints: Endpoints,
}

impl WebPusher {
    pub fn new(client: Client, vapid: VapidKey, endpoints: Endpoints) -> Self {
        Self {
            client,
            vapid,
            endpoints,
        }
    }
}

/// The payload the service worker reads: `{"title", "body", "url", "tag"}`.
pub fn payload(note: &PushNote) -> Vec<u8> {
    serde_json::to_vec(note).unwrap_or_default()
}

#[async_trait]
impl Pusher for WebPusher {
    async fn push(&self, device: &PushDevice, note: &PushNote) -> PushResult {
        let sub = Subscription {
            endpoint: device.endpoint.clone(),
            p256dh: device.p256dh.clone(),
            auth: device.auth.clone(),
        };
        let Ok(to) = sub.check(self.endpoints) else {
            // Stored before a check existed, or corrupted: it can never work.
            return PushResult::Gone;
        };
        let message = Message {
            payload: payload(note),
            ttl: NUDGE_TTL,
            urgency: Urgency::High,
            topic: None,
        };
        match self.client.send(&to, &message, &self.vapid).await {
            Ok(Outcome::Delivered) => PushResult::Delivered,
            Ok(Outcome::Gone) => PushResult::Gone,
            Ok(Outcome::Retry { .. }) => PushResult::Failed { retryable: true },
            Ok(Outcome::Rejected(status)) => {
                tracing::warn!(status, "push service refused a nudge");
                PushResult::Failed { retryable: false }
            }
            Err(e) => {
                tracing::warn!(error = %e, "push not sent");
                PushResult::Failed { retryable: false }
            }
        }
    }
}
