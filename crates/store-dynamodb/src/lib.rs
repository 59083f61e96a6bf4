//! The store ports on DynamoDB: one table, partition key `org_id`, sort key `sk`
//! (`entity_type#entity_id`), TTL attribute `expiration_epoch`, the `by_email` GSI and the
//! `by_departure` LSI, exactly as docs/data-model.md lays out and `table.json` declares.
//!
//! Invariants: no Scan and no PartiQL; every org-owned key starts with the `OrgScope`'s org; every
//! conditional rule of the ports is one conditional write (never read-then-write); expired items
//! are filtered on read because DynamoDB deletes them late; throttling and transient failures are
//! retried by the SDK's standard retry and surface as `StoreError::Unavailable` only when it gives
//! up.

mod items;
pub mod table;

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::{AttributeValue, Put, ReturnValue, TransactWriteItem};
use chrono::{DateTime, Duration, Utc};
use domain::email::Email;
use domain::event::{AuditAction, AuditEntry, Event, NudgeState};
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

    async fn read_event(&self, scope: &OrgScope, id: &EventId) -> StoreResult<Event> {
        let item = self
            .get_item(scope.org().as_str(), &keys::event_sk(id))
            .await?
            .ok_or(StoreError::NotFound)?;
        let stored: EventItem = serde_dynamo::from_item(item).map_err(codec)?;
        stored.into_event()
    }

    fn decode_event(item: Item) -> StoreResult<Event> {
        let stored: EventItem = serde_dynamo::from_item(item).map_err(codec)?;
        stored.into_event()
    }
}

#[async_trait]
impl OrgStore for DynamoStore {
    async fn create_org(&self, org: &Org) -> StoreResult<()> {
        org.validate()
            .map_err(|e| StoreError::Backend(e.to_string()))?;
        let sk = keys::org_sk(&org.id);
        let mut item: Item = serde_dynamo::to_item(org).map_err(codec)?;
        item.extend(key(org.id.as_str(), &sk));
        let registry = key(keys::REGISTRY, &sk);
        let put = |item: Item| -> StoreResult<TransactWriteItem> {
            let put = Put::builder()
                .table_name(&self.table)
                .set_item(Some(item))
                .condition_expression("attribute_not_exists(sk)")
                .build()
                .map_err(|e| StoreError::Backend(e.to_string()))?;
            Ok(TransactWriteItem::builder().put(put).build())
        };
        let result = self
            .client
            .transact_write_items()
            .transact_items(put(item)?)
            .transact_items(put(registry)?)
            .send()
            .await;
        conditional(result, StoreError::AlreadyExists).map(|_| ())
    }

    async fn get_org(&self, scope: &OrgScope) -> StoreResult<Org> {
        let org = scope.org();
        let item = self
            .get_item(org.as_str(), &keys::org_sk(org))
            .await?
            .ok_or(StoreError::NotFound)?;
        serde_dynamo::from_item(item).map_err(codec)
    }

    async fn update_org(&self, scope: &OrgScope, org: &Org) -> StoreResult<()> {
        let mut org = org.clone();
        org.id = scope.org().clone();
        let sk = keys::org_sk(&org.id);
        let mut item: Item = serde_dynamo::to_item(&org).map_err(codec)?;
        item.extend(key(org.id.as_str(), &sk));
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_exists(sk)")
            .send()
            .await;
        conditional(result, StoreError::NotFound).map(|_| ())
    }

    async fn list_orgs(&self) -> StoreResult<Vec<Org>> {
        let entries = self.query_prefix(keys::REGISTRY, keys::ORG_PREFIX).await?;
        let mut orgs = Vec::with_capacity(entries.len());
        for entry in entries {
            let Some(AttributeValue::S(sk)) = entry.get("sk") else {
                continue;
            };
            let id = OrgId::parse(sk.trim_start_matches(keys::ORG_PREFIX))
                .map_err(|e| StoreError::Backend(format!("registry entry {sk}: {e}")))?;
            orgs.push(self.get_org(&OrgScope::trusted(id)).await?);
        }
        Ok(orgs)
    }
}

#[async_trait]
impl MemberStore for DynamoStore {
    async fn add_member(
        &self,
        scope: &OrgScope,
        org_name: &str,
        member: &Member,
    ) -> StoreResult<()> {
        let item = MemberItem::new(scope.org(), org_name, member);
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(serde_dynamo::to_item(&item).map_err(codec)?))
            .condition_expression("attribute_not_exists(sk)")
            .send()
            .await;
        conditional(result, StoreError::AlreadyExists).map(|_| ())
    }

    async fn get_member(&self, scope: &OrgScope, email: &Email) -> StoreResult<Option<Member>> {
        let Some(item) = self
            .get_item(scope.org().as_str(), &keys::member_sk(email))
            .await?
        else {
            return Ok(None);
        };
        let stored: MemberItem = serde_dynamo::from_item(item).map_err(codec)?;
        Ok(Some(stored.into_member()))
    }

    async fn list_members(&self, scope: &OrgScope) -> StoreResult<Vec<Member>> {
        self.query_prefix(scope.org().as_str(), keys::MEMBER_PREFIX)
            .await?
            .into_iter()
            .map(|item| {
                serde_dynamo::from_item::<_, MemberItem>(item)
                    .map_err(codec)
                    .map(MemberItem::into_member)
            })
            .collect()
    }

    async fn update_member(
        &self,
        scope: &OrgScope,
        email: &Email,
        role: Role,
        name: &str,
    ) -> StoreResult<Member> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(scope.org().as_str(), &keys::member_sk(email))))
            .update_expression("SET #role = :role, #name = :name")
            .condition_expression("attribute_exists(sk)")
            .expression_attribute_names("#role", "role")
            .expression_attribute_names("#name", "name")
            .expression_attribute_values(":role", av_s(role.as_str()))
            .expression_attribute_values(":name", av_s(name))
            .return_values(ReturnValue::AllNew)
            .send()
            .await;
        match result {
            Ok(out) => {
                let stored: MemberItem =
                    serde_dynamo::from_item(out.attributes.unwrap_or_default()).map_err(codec)?;
                Ok(stored.into_member())
            }
            Err(e) if is_condition_failure(&e) => Err(StoreError::NotFound),
            Err(e) => Err(sdk_err(e)),
        }
    }

    async fn remove_member(&self, scope: &OrgScope, email: &Email) -> StoreResult<()> {
        let result = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(scope.org().as_str(), &keys::member_sk(email))))
            .condition_expression("attribute_exists(sk)")
            .send()
            .await;
        conditional(result, StoreError::NotFound).map(|_| ())
    }

    async fn memberships(&self, email: &Email) -> StoreResult<Vec<Membership>> {
        let mut out = Vec::new();
        let mut start: Option<Item> = None;
        loop {
            let page = self
                .client
                .query()
                .table_name(&self.table)
                .index_name(table::BY_EMAIL)
                .key_condition_expression("user_email = :email")
                .expression_attribute_values(":email", av_s(email.as_str()))
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(sdk_err)?;
            for item in page.items.unwrap_or_default() {
                let stored: MemberItem = serde_dynamo::from_item(item).map_err(codec)?;
                out.push(stored.into_membership()?);
            }
            match page.last_evaluated_key {
                Some(k) if !k.is_empty() => start = Some(k),
                _ => return Ok(out),
            }
        }
    }
}

#[async_trait]
impl EventStore for DynamoStore {
    async fn create_event(&self, scope: &OrgScope, event: &Event) -> StoreResult<()> {
        let item = EventItem::from_event(scope.org(), event);
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(serde_dynamo::to_item(&item).map_err(codec)?))
            .condition_expression("attribute_not_exists(sk)")
            .send()
            .await;
        conditional(result, StoreError::AlreadyExists).map(|_| ())
    }

    async fn get_event(&self, scope: &OrgScope, id: &EventId) -> StoreResult<Event> {
        self.read_event(scope, id).await
    }

    async fn update_event(
        &self,
        scope: &OrgScope,
        event: &Event,
        expected_version: u64,
        audit: &AuditEntry,
    ) -> StoreResult<Event> {
        let new = EventItem::from_event(scope.org(), event);
        let mut request = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(scope.org().as_str(), &keys::event_sk(&event.id))))
            .update_expression(
                "SET #kind = :kind, #title = :title, #vessel = :vessel, #departs_at = :departs_at, \
                 #returns_at = :returns_at, #crew = :crew, #notes = :notes, \
                 #revenue_cents = :revenue_cents, #status = :status, #departed_at = :departed_at, \
                 #returned_at = :returned_at, #updated_at = :updated_at, \
                 #updated_by = :updated_by, #version = :new_version, #audit.#op = :audit \
                 ADD #revision :one",
            )
            .condition_expression("attribute_exists(sk) AND #version = :expected")
            .expression_attribute_names("#op", audit.op_id.as_str())
            .expression_attribute_values(":new_version", av_n(expected_version + 1))
            .expression_attribute_values(":expected", av_n(expected_version))
            .expression_attribute_values(":one", av_n(1))
            .expression_attribute_values(":audit", enc(audit)?)
            .return_values(ReturnValue::AllNew);
        let fields: [(&str, AttributeValue); 13] = [
            ("kind", enc(&new.kind)?),
            ("title", av_s(&new.title)),
            ("vessel", av_s(&new.vessel)),
            ("departs_at", av_s(&new.departs_at)),
            ("returns_at", enc(&new.returns_at)?),
            ("crew", enc(&new.crew)?),
            ("notes", av_s(&new.notes)),
            ("revenue_cents", enc(&new.revenue_cents)?),
            ("status", enc(&new.status)?),
            ("departed_at", enc(&new.departed_at)?),
            ("returned_at", enc(&new.returned_at)?),
            ("updated_at", enc(&new.updated_at)?),
            ("updated_by", enc(&new.updated_by)?),
        ];
        for (name, value) in fields {
            request = request
                .expression_attribute_names(format!("#{name}"), name)
                .expression_attribute_values(format!(":{name}"), value);
        }
        for name in ["version", "revision", "audit"] {
            request = request.expression_attribute_names(format!("#{name}"), name);
        }
        match request.send().await {
            Ok(out) => Self::decode_event(out.attributes.unwrap_or_default()),
            Err(e) if is_condition_failure(&e) => {
                // Tell a missing event from a stale version; one extra read, on the failure path only.
                self.read_event(scope, &event.id).await?;
                Err(StoreError::Conflict)
            }
            Err(e) => Err(sdk_err(e)),
        }
    }

    async fn list_events(
        &self,
        scope: &OrgScope,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        page: &PageRequest,
    ) -> StoreResult<Page<Event>> {
        let org = scope.org();
        let start = match &page.cursor {
            Some(cursor) => {
                let position = cursor.position_for(org)?;
                let (departs, sk) = position.split_once('|').ok_or(StoreError::BadCursor)?;
                let departs_ok = DateTime::parse_from_rfc3339(departs).is_ok();
                let id_ok = EventId::parse(sk.trim_start_matches(keys::EVENT_PREFIX)).is_ok();
                if !departs_ok || !id_ok || !sk.starts_with(keys::EVENT_PREFIX) {
                    return Err(StoreError::BadCursor);
                }
                let mut k = key(org.as_str(), sk);
                k.insert("departs_at".into(), av_s(departs));
                Some(k)
            }
            None => None,
        };
        // Key conditions allow one comparison on the sort key: BETWEEN is inclusive, and stored
        // departures are whole seconds, so `[from, to)` is `BETWEEN from AND to - 1s`.
        let last = to - Duration::seconds(1);
        if last < from {
            return Ok(Page {
                items: Vec::new(),
                next: None,
            });
        }
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(table::BY_DEPARTURE)
            .key_condition_expression("org_id = :org AND departs_at BETWEEN :from AND :to")
            .expression_attribute_values(":org", av_s(org.as_str()))
            .expression_attribute_values(":from", av_s(departure_key(from)))
            .expression_attribute_values(":to", av_s(departure_key(last)))
            .limit(i32::try_from(page.limit()).unwrap_or(i32::MAX))
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(sdk_err)?;
        let items = out
            .items
            .unwrap_or_default()
            .into_iter()
            .map(Self::decode_event)
            .collect::<StoreResult<Vec<Event>>>()?;
        let next = match out.last_evaluated_key {
            Some(k) if !k.is_empty() => {
                let departs = match k.get("departs_at") {
                    Some(AttributeValue::S(s)) => s.clone(),
                    _ => return Err(StoreError::Backend("page key lacks departs_at".into())),
                };
                let sk = match k.get("sk") {
                    Some(AttributeValue::S(s)) => s.clone(),
                    _ => return Err(StoreError::Backend("page key lacks sk".into())),
                };
                Some(Cursor::encode(org, &format!("{departs}|{sk}")))
            }
            _ => None,
        };
        Ok(Page { items, next })
    }

    async fn record_task(
        &self,
        scope: &OrgScope,
        id: &EventId,
        tick: &TaskTick,
    ) -> StoreResult<TickOutcome> {
        let action = if tick.state.done {
            AuditAction::TaskDone {
                task: tick.task.clone(),
            }
        } else {
            AuditAction::TaskUndone {
                task: tick.task.clone(),
            }
        };
        let audit = AuditEntry {
            op_id: tick.state.op_id.clone(),
            action,
            by: tick.state.by.clone(),
            at: tick.state.recorded_at,
        };
        // One UpdateItem on this task's own attribute path: ticks of other tasks are untouched, and
        // the op id's audit entry doubles as the idempotency record.
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(scope.org().as_str(), &keys::event_sk(id))))
            .update_expression("SET #tasks.#task = :state, #audit.#op = :audit ADD #revision :one")
            .condition_expression("attribute_exists(sk) AND attribute_not_exists(#audit.#op)")
            .expression_attribute_names("#tasks", "tasks")
            .expression_attribute_names("#task", tick.task.as_str())
            .expression_attribute_names("#audit", "audit")
            .expression_attribute_names("#op", tick.state.op_id.as_str())
            .expression_attribute_names("#revision", "revision")
            .expression_attribute_values(":state", enc(&tick.state)?)
            .expression_attribute_values(":audit", enc(&audit)?)
            .expression_attribute_values(":one", av_n(1))
            .return_values(ReturnValue::AllNew)
            .send()
            .await;
        match result {
            Ok(out) => Ok(TickOutcome {
                applied: true,
                event: Self::decode_event(out.attributes.unwrap_or_default())?,
            }),
            Err(e) if is_condition_failure(&e) => {
                // Missing event (NotFound from the read) or an op already applied.
                let event = self.read_event(scope, id).await?;
                Ok(TickOutcome {
                    applied: false,
                    event,
                })
            }
            Err(e) => Err(sdk_err(e)),
        }
    }

    async fn claim_nudge(
        &self,
        scope: &OrgScope,
        id: &EventId,
        key_: &NudgeKey,
        now: DateTime<Utc>,
        stale_after: Duration,
    ) -> StoreResult<SendClaim> {
        let map_key = nudge_map_key(key_);
        let claim = NudgeItem::new(key_, NudgeState::Sending, now);
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(scope.org().as_str(), &keys::event_sk(id))))
            .update_expression("SET #nudges.#k = :claim ADD #revision :one")
            .condition_expression(
                "attribute_exists(sk) AND (attribute_not_exists(#nudges.#k) \
                 OR #nudges.#k.#state = :failed \
                 OR (#nudges.#k.#state = :sending AND #nudges.#k.#at_ms < :stale_before))",
            )
            .expression_attribute_names("#nudges", "nudges")
            .expression_attribute_names("#k", &map_key)
            .expression_attribute_names("#state", "state")
            .expression_attribute_names("#at_ms", "at_ms")
            .expression_attribute_names("#revision", "revision")
            .expression_attribute_values(":claim", enc(&claim)?)
            .expression_attribute_values(":failed", av_s("failed"))
            .expression_attribute_values(":sending", av_s("sending"))
            .expression_attribute_values(
                ":stale_before",
                av_n((now - stale_after).timestamp_millis()),
            )
            .expression_attribute_values(":one", av_n(1))
            .send()
            .await;
        match result {
            Ok(_) => Ok(SendClaim::Claimed),
            Err(e) if is_condition_failure(&e) => {
                let item = self
                    .get_item(scope.org().as_str(), &keys::event_sk(id))
                    .await?
                    .ok_or(StoreError::NotFound)?;
                let stored: EventItem = serde_dynamo::from_item(item).map_err(codec)?;
                match stored.nudges.get(&map_key).map(|n| n.state) {
                    Some(NudgeState::Sent) => Ok(SendClaim::AlreadySent),
                    _ => Ok(SendClaim::InProgress),
                }
            }
            Err(e) => Err(sdk_err(e)),
        }
    }

    async fn finish_nudge(
        &self,
        scope: &OrgScope,
        id: &EventId,
        key_: &NudgeKey,
        state: NudgeState,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let done = NudgeItem::new(key_, state, now);
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(scope.org().as_str(), &keys::event_sk(id))))
            .update_expression("SET #nudges.#k = :done ADD #revision :one")
            .condition_expression("attribute_exists(#nudges.#k)")
            .expression_attribute_names("#nudges", "nudges")
            .expression_attribute_names("#k", nudge_map_key(key_))
            .expression_attribute_names("#revision", "revision")
            .expression_attribute_values(":done", enc(&done)?)
            .expression_attribute_values(":one", av_n(1))
            .send()
            .await;
        conditional(result, StoreError::NotFound).map(|_| ())
    }
}

#[async_trait]
impl SessionStore for DynamoStore {
    async fn put_session(&self, scope: &OrgScope, session: &SessionRecord) -> StoreResult<()> {
        let mut item = key(
            scope.org().as_str(),
            &keys::session_sk(&session.email, &session.jti),
        );
        item.insert("issued_at".into(), av_s(session.issued_at.to_rfc3339()));
        item.insert(
            "expiration_epoch".into(),
            av_n(session.expires_at.timestamp()),
        );
        self.put(item).await
    }

    async fn session_active(
        &self,
        scope: &OrgScope,
        email: &Email,
        jti: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let item = self
            .get_item(scope.org().as_str(), &keys::session_sk(email, jti))
            .await?;
        let expires = item.as_ref().and_then(|i| match i.get("expiration_epoch") {
            Some(AttributeValue::N(n)) => n.parse::<i64>().ok(),
            _ => None,
        });
        Ok(expires.is_some_and(|exp| exp > now.timestamp()))
    }

    async fn revoke_session(&self, scope: &OrgScope, email: &Email, jti: &str) -> StoreResult<()> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(
                scope.org().as_str(),
                &keys::session_sk(email, jti),
            )))
            .send()
            .await
            .map_err(sdk_err)?;
        Ok(())
    }

    async fn revoke_sessions(&self, scope: &OrgScope, email: &Email) -> StoreResult<usize> {
        let items = self
            .query_prefix(scope.org().as_str(), &keys::session_prefix(email))
            .await?;
        for item in &items {
            let Some(AttributeValue::S(sk)) = item.get("sk") else {
                continue;
            };
            self.client
                .delete_item()
                .table_name(&self.table)
                .set_key(Some(key(scope.org().as_str(), sk)))
                .send()
                .await
                .map_err(sdk_err)?;
        }
        Ok(items.len())
    }
}

#[async_trait]
impl SigninStore for DynamoStore {
    async fn put_signin(&self, record: &SigninRecord) -> StoreResult<()> {
        let item = SigninItem::new(record);
        self.put(serde_dynamo::to_item(&item).map_err(codec)?).await
    }

    async fn signin_email(&self, key_: &str) -> StoreResult<Option<Email>> {
        let Some(item) = self
            .get_item(&SigninItem::partition(key_), SigninItem::SK)
            .await?
        else {
            return Ok(None);
        };
        let item: SigninItem = serde_dynamo::from_item(item).map_err(codec)?;
        Ok(Some(item.email))
    }

    async fn spend_signin(
        &self,
        key_: &str,
        proof: &SigninProof,
        now: DateTime<Utc>,
    ) -> Result<Email, SpendError> {
        let pk = SigninItem::partition(key_);
        let (attr, hash) = match proof {
            SigninProof::Link(h) => ("link_hash", h),
            SigninProof::Code(h) => ("code_hash", h),
        };
        // Verify and spend in one conditional write: twenty parallel exchanges, one winner.
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(&pk, SigninItem::SK)))
            .update_expression("SET spent = :true")
            .condition_expression(
                "attribute_exists(sk) AND spent = :false AND attempts < :max \
                 AND expires_epoch > :now AND #hash = :hash",
            )
            .expression_attribute_names("#hash", attr)
            .expression_attribute_values(":true", AttributeValue::Bool(true))
            .expression_attribute_values(":false", AttributeValue::Bool(false))
            .expression_attribute_values(":max", av_n(MAX_SIGNIN_ATTEMPTS))
            .expression_attribute_values(":now", av_n(now.timestamp()))
            .expression_attribute_values(":hash", av_s(hash))
            .return_values(ReturnValue::AllNew)
            .send()
            .await;
        match result {
            Ok(out) => {
                let item: SigninItem =
                    serde_dynamo::from_item(out.attributes.unwrap_or_default()).map_err(codec)?;
                Ok(item.email)
            }
            Err(e) if is_condition_failure(&e) => {
                let Some(item) = self.get_item(&pk, SigninItem::SK).await? else {
                    return Err(SpendError::Invalid);
                };
                let item: SigninItem = serde_dynamo::from_item(item).map_err(codec)?;
                if item.spent || item.attempts >= MAX_SIGNIN_ATTEMPTS {
                    return Err(SpendError::Invalid);
                }
                if item.expires_epoch <= now.timestamp() {
                    return Err(SpendError::Expired);
                }
                // A wrong proof: count the attempt (five burn it). A concurrent spend may have
                // won meanwhile; then there is nothing to count.
                let counted = self
                    .client
                    .update_item()
                    .table_name(&self.table)
                    .set_key(Some(key(&pk, SigninItem::SK)))
                    .update_expression("ADD attempts :one")
                    .condition_expression("attribute_exists(sk) AND spent = :false")
                    .expression_attribute_values(":one", av_n(1))
                    .expression_attribute_values(":false", AttributeValue::Bool(false))
                    .send()
                    .await;
                match counted {
                    Ok(_) => Err(SpendError::Invalid),
                    Err(e) if is_condition_failure(&e) => Err(SpendError::Invalid),
                    Err(e) => Err(SpendError::Store(sdk_err(e))),
                }
            }
            Err(e) => Err(SpendError::Store(sdk_err(e))),
        }
    }

    async fn hit_rate_limit(
        &self,
        bucket: &str,
        limit: u32,
        window: Duration,
        now: DateTime<Utc>,
    ) -> StoreResult<RateDecision> {
        let (start, end) = keys::rate_window(now, window);
        let out = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(
                &keys::rate_partition(bucket),
                &keys::rate_window_sk(start),
            )))
            .update_expression("ADD #count :one SET expiration_epoch = :end")
            .expression_attribute_names("#count", "count")
            .expression_attribute_values(":one", av_n(1))
            .expression_attribute_values(":end", av_n(end))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await
            .map_err(sdk_err)?;
        let count = match out.attributes.as_ref().and_then(|a| a.get("count")) {
            Some(AttributeValue::N(n)) => n.parse::<u64>().unwrap_or(u64::MAX),
            _ => u64::MAX,
        };
        if count > u64::from(limit) {
            Ok(RateDecision::Limited {
                retry_after_secs: u64::try_from((end - now.timestamp()).max(1)).unwrap_or(1),
            })
        } else {
            Ok(RateDecision::Allowed)
        }
    }
}

#[async_trait]
impl ReportStore for DynamoStore {
    async fn claim_report(
        &self,
        key_: &ReportKey,
        now: DateTime<Utc>,
        stale_after: Duration,
    ) -> StoreResult<SendClaim> {
        let (pk, sk) = (key_.audience.partition(), key_.sort_key());
        let mut item = key(&pk, &sk);
        item.insert("state".into(), av_s("sending"));
        item.insert("at_ms".into(), av_n(now.timestamp_millis()));
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression(
                "attribute_not_exists(sk) OR #state = :failed OR (#state = :sending AND at_ms < :stale_before)",
            )
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":failed", av_s("failed"))
            .expression_attribute_values(":sending", av_s("sending"))
            .expression_attribute_values(":stale_before", av_n((now - stale_after).timestamp_millis()))
            .send()
            .await;
        match result {
            Ok(_) => Ok(SendClaim::Claimed),
            Err(e) if is_condition_failure(&e) => {
                let state = self
                    .get_item(&pk, &sk)
                    .await?
                    .and_then(|i| match i.get("state") {
                        Some(AttributeValue::S(s)) => Some(s.clone()),
                        _ => None,
                    });
                Ok(if state.as_deref() == Some("sent") {
                    SendClaim::AlreadySent
                } else {
                    SendClaim::InProgress
                })
            }
            Err(e) => Err(sdk_err(e)),
        }
    }

    async fn finish_report(
        &self,
        key_: &ReportKey,
        state: NudgeState,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let (pk, sk) = (key_.audience.partition(), key_.sort_key());
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(&pk, &sk)))
            .update_expression("SET #state = :state, at_ms = :at")
            .condition_expression("attribute_exists(sk)")
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":state", enc(&state)?)
            .expression_attribute_values(":at", av_n(now.timestamp_millis()))
            .send()
            .await;
        conditional(result, StoreError::NotFound).map(|_| ())
    }

    async fn unsubscribe(
        &self,
        audience: &ReportAudience,
        perspective: Perspective,
        email: &Email,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let mut item = key(&audience.partition(), &keys::unsub_sk(perspective, email));
        item.insert("at".into(), av_s(now.to_rfc3339()));
        self.put(item).await
    }

    async fn unsubscribed(
        &self,
        audience: &ReportAudience,
        perspective: Perspective,
    ) -> StoreResult<Vec<Email>> {
        let prefix = keys::unsub_prefix(perspective);
        self.query_prefix(&audience.partition(), &prefix)
            .await?
            .into_iter()
            .filter_map(|i| match i.get("sk") {
                Some(AttributeValue::S(sk)) => Some(sk.clone()),
                _ => None,
            })
            .map(|sk| {
                Email::parse(sk.trim_start_matches(&prefix))
                    .map_err(|e| StoreError::Backend(e.to_string()))
            })
            .collect()
    }
}

/// Serialises a value to one attribute value.
fn enc<T: serde::Serialize + ?Sized>(value: &T) -> StoreResult<AttributeValue> {
    serde_dynamo::to_attribute_value(value).map_err(codec)
}
