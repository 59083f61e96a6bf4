//! The store ports on DynamoDB: one table, partition key `org_id`, sort key `sk`
//! (`entity_type#entity_id`), TTL attribute `expiration_epoch`, the `by_email` GSI and the
//! `by_departure` LSI, exactly as docs/data-model.md lays out and `table.json` declares.
//!
//! Invariants: no Scan and no PartiQL; every org-owned key starts with the `OrgScope`'s org; every
//! conditional rule of the ports is one conditional write (never read-then-write); expired items
//! are filtered on read because DynamoDB deletes them late; throttling and transient failures are
//! retried by the SDK's standard retry and surface as `StoreError::Unavailable` only when it gives
//! up.

mod calendar;
mod events;
mod items;
mod members;
mod orgs;
mod push;
mod reports;
mod sessions;
mod signins;
pub mod table;
mod vessels;

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::{AttributeValue, Put, ReturnValue, TransactWriteItem};
use chrono::{DateTime, Duration, Utc};
use domain::email::Email;
use domain::event::{AuditEntry, Event, NudgeState};
use domain::ids::{EventId, OrgId};
use domain::keys;
use domain::org::Perspective;
use domain::org::{Member, Membership, Org, OrgScope};
use domain::ports::{
    Cursor, EventStore, MAX_SIGNIN_ATTEMPTS, MemberStore, NudgeKey, OrgStore, Page, PageRequest,
    RateDecision, ReportAudience, ReportKey, ReportStore, SendClaim, SessionRecord, SessionStore,
    SigninProof, SigninRecord, SigninStore, SpendError, StoreError, StoreResult, TaskTick,
    TickOutcome,
};
use domain::role::Role;
use items::{
    EventItem, MemberItem, NudgeItem, SigninItem, av_n, av_s, departure_key, nudge_map_key,
};
use std::collections::HashMap;

pub use items::DEPARTURE_FORMAT;

type Item = HashMap<String, AttributeValue>;

/// The DynamoDB store. Cheap to clone (the SDK client is an `Arc` inside).
#[derive(Clone, Debug)]
pub struct DynamoStore {
    client: Client,
    table: String,
}

/// Maps an SDK failure: throttling, timeouts and 5xx are worth retrying later, the rest is not.
fn sdk_err<E, R>(err: SdkError<E, R>) -> StoreError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug,
{
    let code = err.code().unwrap_or_default().to_string();
    let retryable = aws_env::is_transient(
        &err,
        &[
            "ProvisionedThroughputExceededException",
            "ThrottlingException",
            "RequestLimitExceeded",
            "InternalServerError",
            "ServiceUnavailable",
            "TransactionInProgressException",
        ],
    );
    let message = match err.message() {
        Some(m) => format!("{code}: {m}"),
        None => format!(
            "{code}: {}",
            aws_smithy_types::error::display::DisplayErrorContext(&err)
        ),
    };
    if retryable {
        StoreError::Unavailable(message)
    } else {
        StoreError::Backend(message)
    }
}

fn is_condition_failure<E: ProvideErrorMetadata, R>(err: &SdkError<E, R>) -> bool {
    matches!(
        err.code(),
        Some("ConditionalCheckFailedException") | Some("TransactionCanceledException")
    )
}

/// The result of a conditional write: a failed condition becomes `on_condition`.
fn conditional<T, E, R>(
    result: Result<T, SdkError<E, R>>,
    on_condition: StoreError,
) -> StoreResult<T>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug,
{
    match result {
        Ok(v) => Ok(v),
        Err(e) if is_condition_failure(&e) => Err(on_condition),
        Err(e) => Err(sdk_err(e)),
    }
}

/// A request that could not be built (a required field missing): a bug here, not worth a retry.
fn build_err(e: aws_sdk_dynamodb::error::BuildError) -> StoreError {
    StoreError::Backend(format!("request: {e}"))
}

fn codec(e: serde_dynamo::Error) -> StoreError {
    StoreError::Backend(format!("item codec: {e}"))
}

fn key(pk: &str, sk: &str) -> Item {
    HashMap::from([
        ("org_id".to_string(), av_s(pk)),
        ("sk".to_string(), av_s(sk)),
    ])
}

impl DynamoStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn table(&self) -> &str {
        &self.table
    }

    /// An unconditional PutItem (the item replaces any earlier one with its key).
    async fn put(&self, item: Item) -> StoreResult<()> {
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .send()
            .await
            .map_err(sdk_err)?;
        Ok(())
    }

    async fn get_item(&self, pk: &str, sk: &str) -> StoreResult<Option<Item>> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key(pk, sk)))
            .consistent_read(true)
            .send()
            .await
            .map_err(sdk_err)?;
        Ok(out.item)
    }

    /// All items of a partition whose sort key starts with `prefix` (following pages).
    async fn query_prefix(&self, pk: &str, prefix: &str) -> StoreResult<Vec<Item>> {
        let mut out = Vec::new();
        let mut start: Option<Item> = None;
        loop {
            let page = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("org_id = :pk AND begins_with(sk, :prefix)")
                .expression_attribute_values(":pk", av_s(pk))
                .expression_attribute_values(":prefix", av_s(prefix))
                .consistent_read(true)
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(sdk_err)?;
            out.extend(page.items.unwrap_or_default());
            match page.last_evaluated_key {
                Some(k) if !k.is_empty() => start = Some(k),
                _ => return Ok(out),
            }
        }
    }

    /// The event and its whole history: one Query by the event's sort key as a prefix (its audit
    /// entries are items under it), consistent, following pages.
    async fn read_event(&self, scope: &OrgScope, id: &EventId) -> StoreResult<Event> {
        let event_sk = keys::event_sk(id);
        let mut event = None;
        let mut entries = Vec::new();
        for item in self.query_prefix(scope.org().as_str(), &event_sk).await? {
            let is_event = matches!(item.get("sk"), Some(AttributeValue::S(sk)) if *sk == event_sk);
            if is_event {
                event = Some(Self::decode_event(item)?);
            } else {
                let audit: items::AuditItem = serde_dynamo::from_item(item).map_err(codec)?;
                entries.push(audit.entry);
            }
        }
        let mut event = event.ok_or(StoreError::NotFound)?;
        // Entries from before audit items existed are in the item's map; an op is in one place.
        for entry in entries {
            if !event.audit.iter().any(|a| a.op_id == entry.op_id) {
                event.audit.push(entry);
            }
        }
        event
            .audit
            .sort_by(|a, b| (a.at, a.op_id.as_str()).cmp(&(b.at, b.op_id.as_str())));
        Ok(event)
    }

    /// A Put of one audit entry that fails if the op was recorded before.
    fn audit_put(
        &self,
        org: &OrgId,
        event: &EventId,
        entry: &AuditEntry,
    ) -> StoreResult<TransactWriteItem> {
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(
                serde_dynamo::to_item(items::AuditItem::new(org, event, entry)).map_err(codec)?,
            ))
            .condition_expression("attribute_not_exists(sk)")
            .build()
            .map_err(build_err)?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    fn decode_event(item: Item) -> StoreResult<Event> {
        let stored: EventItem = serde_dynamo::from_item(item).map_err(codec)?;
        stored.into_event()
    }
}

/// Serialises a value to one attribute value.
fn enc<T: serde::Serialize + ?Sized>(value: &T) -> StoreResult<AttributeValue> {
    serde_dynamo::to_attribute_value(value).map_err(codec)
}
