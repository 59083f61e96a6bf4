//! The `DomainEvents` port on Amazon EventBridge: each domain event is one PutEvents entry on the
//! stage's bus, source `shipcaptaincrew`, detail-type the event's kind (`event.created`, …).
//!
//! Invariant: a partial failure (some entries refused) is an error naming how many, so the caller
//! logs it; nothing here retries beyond the SDK's standard retry.

use async_trait::async_trait;
use aws_sdk_eventbridge::Client;
use aws_sdk_eventbridge::types::PutEventsRequestEntry;
use domain::ports::{DomainEvent, DomainEvents, PublishError};

pub const SOURCE: &str = "shipcaptaincrew";
/// PutEvents takes at most ten entries a call.
const BATCH: usize = 10;

#[derive(Debug, Clone)]
pub struct EventBridgePublisher {
    client: Client,
    bus: String,
}

impl EventBridgePublisher {
    pub fn new(client: Client, bus: impl Into<String>) -> Self {
        Self {
            client,
            bus: bus.into(),
        }
    }
}

#[async_trait]
impl DomainEvents for EventBridgePublisher {
    async fn publish(&self, events: &[DomainEvent]) -> Result<(), PublishError> {
        for batch in events.chunks(BATCH) {
            let entries = batch
                .iter()
                .map(|e| {
                    let detail = serde_json::json!({
                        "org_id": e.org_id,
                        "event_id": e.event_id,
                        "at": e.at,
                        "detail": e.detail,
                    });
                    PutEventsRequestEntry::builder()
                        .source(SOURCE)
                        .detail_type(&e.kind)
                        .detail(detail.to_string())
                        .event_bus_name(&self.bus)
                        .time(aws_sdk_eventbridge::primitives::DateTime::from_secs(
                            e.at.timestamp(),
                        ))
                        .build()
                })
                .collect::<Vec<_>>();
            let out = self
                .client
                .put_events()
                .set_entries(Some(entries))
                .send()
                .await
                .map_err(|e| {
                    PublishError(aws_sdk_eventbridge::error::DisplayErrorContext(&e).to_string())
                })?;
            if out.failed_entry_count > 0 {
                return Err(PublishError(format!(
                    "{} of {} entries refused",
                    out.failed_entry_count,
                    batch.len()
                )));
            }
        }
        Ok(())
    }
}
