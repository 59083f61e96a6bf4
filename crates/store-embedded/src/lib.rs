//! The store ports on [redb], an embedded, transactional key-value database kept in one file under
//! a data folder, so `make dev` needs no cloud account and survives restarts.
//!
//! It mirrors the DynamoDB design (docs/data-model.md): items live under a partition (an org id,
//! or a `_`-prefixed system partition no org id can take) and a sort key `entity_type#entity_id`.
//! Two small index tables play the parts of the `by_departure` LSI and the `by_email` GSI.
//! Every write runs in one redb write transaction, so conditional creates, version checks and
//! per-task ticks are atomic exactly as the DynamoDB conditional writes are.
//!
//! Invariant: every org-owned read and write is keyed by the `OrgScope`'s org; expired items are
//! treated as absent on read, whether or not they have been purged.

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use domain::email::Email;
use domain::event::{AuditEntry, Event, NudgeRecord, NudgeState};
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
use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition, WriteTransaction};
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use std::path::Path;
use std::sync::Arc;

/// (partition, sort key) → JSON.
const ITEMS: TableDefinition<(&str, &str), &[u8]> = TableDefinition::new("items");
/// (org, `departs_at#event id`) → nothing: the `by_departure` index.
const BY_DEPARTURE: TableDefinition<(&str, &str), ()> = TableDefinition::new("by_departure");
/// (email, org) → nothing: the `by_email` index of memberships.
const BY_EMAIL: TableDefinition<(&str, &str), ()> = TableDefinition::new("by_email");

#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("cannot create the data folder {path}: {source}")]
    Folder {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot open the embedded database: {0}")]
    Database(#[from] redb::DatabaseError),
    #[error("cannot prepare the embedded database: {0}")]
    Prepare(String),
}

/// The embedded store. Cheap to clone; all clones share one database.
#[derive(Clone)]
pub struct EmbeddedStore {
    db: Arc<Database>,
}

fn backend(e: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(e.to_string())
}

fn to_json<T: Serialize>(value: &T) -> StoreResult<Vec<u8>> {
    serde_json::to_vec(value).map_err(backend)
}

fn from_json<T: DeserializeOwned>(bytes: &[u8]) -> StoreResult<T> {
    serde_json::from_slice(bytes).map_err(|e| StoreError::Backend(format!("corrupt item: {e}")))
}

fn departure_key(event: &Event) -> String {
    format!(
        "{}#{}",
        event.departs_at.format("%Y-%m-%dT%H:%M:%SZ"),
        event.id
    )
}

#[derive(Serialize, Deserialize)]
struct MemberItem {
    member: Member,
    org_name: String,
}

#[derive(Serialize, Deserialize)]
struct SessionItem {
    issued_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
}

#[derive(Serialize, Deserialize)]
struct SigninItem {
    email: Email,
    link_hash: String,
    code_hash: String,
    issued_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    attempts: u32,
    spent: bool,
}

#[derive(Serialize, Deserialize)]
struct RateItem {
    count: u32,
    expires_at: DateTime<Utc>,
}

/// Reads one item inside a write transaction.
fn get_item<T: DeserializeOwned>(
    tx: &WriteTransaction,
    pk: &str,
    sk: &str,
) -> StoreResult<Option<T>> {
    let table = tx.open_table(ITEMS).map_err(backend)?;
    let guard = table.get((pk, sk)).map_err(backend)?;
    guard.map(|g| from_json(g.value())).transpose()
}

fn put_item<T: Serialize>(tx: &WriteTransaction, pk: &str, sk: &str, value: &T) -> StoreResult<()> {
    let bytes = to_json(value)?;
    let mut table = tx.open_table(ITEMS).map_err(backend)?;
    table.insert((pk, sk), bytes.as_slice()).map_err(backend)?;
    Ok(())
}

fn delete_item(tx: &WriteTransaction, pk: &str, sk: &str) -> StoreResult<bool> {
    let mut table = tx.open_table(ITEMS).map_err(backend)?;
    let existed = table.remove((pk, sk)).map_err(backend)?.is_some();
    Ok(existed)
}

impl EmbeddedStore {
    /// Opens (or creates) the database at `folder/store.redb`.
    pub fn open(folder: &Path) -> Result<Self, OpenError> {
        std::fs::create_dir_all(folder).map_err(|source| OpenError::Folder {
            path: folder.display().to_string(),
            source,
        })?;
        let db = Database::create(folder.join("store.redb"))?;
        // Create the tables up front so readers never meet a missing table.
        let tx = db
            .begin_write()
            .map_err(|e| OpenError::Prepare(e.to_string()))?;
        {
            tx.open_table(ITEMS)
                .map_err(|e| OpenError::Prepare(e.to_string()))?;
            tx.open_table(BY_DEPARTURE)
                .map_err(|e| OpenError::Prepare(e.to_string()))?;
            tx.open_table(BY_EMAIL)
                .map_err(|e| OpenError::Prepare(e.to_string()))?;
        }
        tx.commit().map_err(|e| OpenError::Prepare(e.to_string()))?;
        Ok(Self { db: Arc::new(db) })
    }

    /// True when no org exists yet (the local server seeds then).
    pub async fn is_empty(&self) -> StoreResult<bool> {
        self.read(|db| {
            let tx = db.begin_read().map_err(backend)?;
            let table = tx.open_table(ITEMS).map_err(backend)?;
            let mut range = table
                .range((keys::REGISTRY, "")..(keys::REGISTRY, "\u{10FFFF}"))
                .map_err(backend)?;
            Ok(range.next().is_none())
        })
        .await
    }

    /// Runs a write transaction on a blocking thread; commits if `f` succeeds.
    async fn write<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&WriteTransaction) -> StoreResult<T> + Send + 'static,
    {
        let db = Arc::clone(&self.db);
        tokio::task::spawn_blocking(move || {
            let tx = db.begin_write().map_err(backend)?;
            let out = f(&tx)?;
            tx.commit().map_err(backend)?;
            Ok(out)
        })
        .await
        .map_err(|e| StoreError::Backend(format!("store task failed: {e}")))?
    }

    async fn read<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Database) -> StoreResult<T> + Send + 'static,
    {
        let db = Arc::clone(&self.db);
        tokio::task::spawn_blocking(move || f(&db))
            .await
            .map_err(|e| StoreError::Backend(format!("store task failed: {e}")))?
    }

    /// Items of a partition whose sort key starts with `prefix`, in sort-key order.
    async fn query_prefix<T: DeserializeOwned + Send + 'static>(
        &self,
        pk: String,
        prefix: String,
    ) -> StoreResult<Vec<(String, T)>> {
        self.read(move |db| {
            let tx = db.begin_read().map_err(backend)?;
            let table = tx.open_table(ITEMS).map_err(backend)?;
            let mut out = Vec::new();
            for entry in table
                .range((pk.as_str(), prefix.as_str())..)
                .map_err(backend)?
            {
                let (key, value) = entry.map_err(backend)?;
                let (p, sk) = key.value();
                if p != pk || !sk.starts_with(&prefix) {
                    break;
                }
                out.push((sk.to_string(), from_json(value.value())?));
            }
            Ok(out)
        })
        .await
    }

    async fn get<T: DeserializeOwned + Send + 'static>(
        &self,
        pk: String,
        sk: String,
    ) -> StoreResult<Option<T>> {
        self.read(move |db| {
            let tx = db.begin_read().map_err(backend)?;
            let table = tx.open_table(ITEMS).map_err(backend)?;
            let guard = table.get((pk.as_str(), sk.as_str())).map_err(backend)?;
            guard.map(|g| from_json(g.value())).transpose()
        })
        .await
    }

    /// Reads an event, applies `f` to it and writes it back, bumping its revision, in one
    /// transaction.
    async fn modify_event<T, F>(
        &self,
        scope: &OrgScope,
        id: &EventId,
        f: F,
    ) -> StoreResult<(T, Event)>
    where
        T: Send + 'static,
        F: FnOnce(&mut Event) -> StoreResult<Option<T>> + Send + 'static,
    {
        let pk = scope.org().to_string();
        let sk = keys::event_sk(id);
        self.write(move |tx| {
            let mut event: Event = get_item(tx, &pk, &sk)?.ok_or(StoreError::NotFound)?;
            match f(&mut event)? {
                Some(out) => {
                    event.revision += 1;
                    put_item(tx, &pk, &sk, &event)?;
                    Ok((out, event))
                }
                None => Err(StoreError::Conflict),
            }
        })
        .await
    }
}

#[async_trait]
impl OrgStore for EmbeddedStore {
    async fn create_org(&self, org: &Org) -> StoreResult<()> {
        org.validate()
            .map_err(|e| StoreError::Backend(e.to_string()))?;
        let org = org.clone();
        self.write(move |tx| {
            let pk = org.id.to_string();
            let sk = keys::org_sk(&org.id);
            if get_item::<Org>(tx, &pk, &sk)?.is_some() {
                return Err(StoreError::AlreadyExists);
            }
            put_item(tx, &pk, &sk, &org)?;
            put_item(tx, keys::REGISTRY, &sk, &org.id)?;
            Ok(())
        })
        .await
    }

    async fn get_org(&self, scope: &OrgScope) -> StoreResult<Org> {
        let org = scope.org();
        self.get(org.to_string(), keys::org_sk(org))
            .await?
            .ok_or(StoreError::NotFound)
    }

    async fn update_org(&self, scope: &OrgScope, org: &Org) -> StoreResult<()> {
        let mut org = org.clone();
        org.id = scope.org().clone();
        self.write(move |tx| {
            let pk = org.id.to_string();
            let sk = keys::org_sk(&org.id);
            if get_item::<Org>(tx, &pk, &sk)?.is_none() {
                return Err(StoreError::NotFound);
            }
            put_item(tx, &pk, &sk, &org)
        })
        .await
    }

    async fn list_orgs(&self) -> StoreResult<Vec<Org>> {
        let ids: Vec<(String, OrgId)> = self
            .query_prefix(keys::REGISTRY.into(), keys::ORG_PREFIX.into())
            .await?;
        let mut orgs = Vec::with_capacity(ids.len());
        for (_, id) in ids {
            orgs.push(self.get_org(&OrgScope::trusted(id)).await?);
        }
        Ok(orgs)
    }
}

#[async_trait]
impl MemberStore for EmbeddedStore {
    async fn add_member(
        &self,
        scope: &OrgScope,
        org_name: &str,
        member: &Member,
    ) -> StoreResult<()> {
        let pk = scope.org().to_string();
        let item = MemberItem {
            member: member.clone(),
            org_name: org_name.to_string(),
        };
        self.write(move |tx| {
            let sk = keys::member_sk(&item.member.email);
            if get_item::<MemberItem>(tx, &pk, &sk)?.is_some() {
                return Err(StoreError::AlreadyExists);
            }
            put_item(tx, &pk, &sk, &item)?;
            let mut index = tx.open_table(BY_EMAIL).map_err(backend)?;
            index
                .insert((item.member.email.as_str(), pk.as_str()), ())
                .map_err(backend)?;
            Ok(())
        })
        .await
    }

    async fn get_member(&self, scope: &OrgScope, email: &Email) -> StoreResult<Option<Member>> {
        let item: Option<MemberItem> = self
            .get(scope.org().to_string(), keys::member_sk(email))
            .await?;
        Ok(item.map(|i| i.member))
    }

    async fn list_members(&self, scope: &OrgScope) -> StoreResult<Vec<Member>> {
        let items: Vec<(String, MemberItem)> = self
            .query_prefix(scope.org().to_string(), keys::MEMBER_PREFIX.into())
            .await?;
        Ok(items.into_iter().map(|(_, i)| i.member).collect())
    }

    async fn update_member(
        &self,
        scope: &OrgScope,
        email: &Email,
        role: Role,
        name: &str,
    ) -> StoreResult<Member> {
        let pk = scope.org().to_string();
        let sk = keys::member_sk(email);
        let name = name.to_string();
        self.write(move |tx| {
            let mut item: MemberItem = get_item(tx, &pk, &sk)?.ok_or(StoreError::NotFound)?;
            item.member.role = role;
            item.member.name = name;
            put_item(tx, &pk, &sk, &item)?;
            Ok(item.member)
        })
        .await
    }

    async fn remove_member(&self, scope: &OrgScope, email: &Email) -> StoreResult<()> {
        let pk = scope.org().to_string();
        let email = email.clone();
        self.write(move |tx| {
            if !delete_item(tx, &pk, &keys::member_sk(&email))? {
                return Err(StoreError::NotFound);
            }
            let mut index = tx.open_table(BY_EMAIL).map_err(backend)?;
            index
                .remove((email.as_str(), pk.as_str()))
                .map_err(backend)?;
            Ok(())
        })
        .await
    }

    async fn memberships(&self, email: &Email) -> StoreResult<Vec<Membership>> {
        let email = email.clone();
        self.read(move |db| {
            let tx = db.begin_read().map_err(backend)?;
            let index = tx.open_table(BY_EMAIL).map_err(backend)?;
            let items = tx.open_table(ITEMS).map_err(backend)?;
            let mut out = Vec::new();
            for entry in index.range((email.as_str(), "")..).map_err(backend)? {
                let (key, _) = entry.map_err(backend)?;
                let (e, org) = key.value();
                if e != email.as_str() {
                    break;
                }
                let sk = keys::member_sk(&email);
                if let Some(guard) = items.get((org, sk.as_str())).map_err(backend)? {
                    let item: MemberItem = from_json(guard.value())?;
                    let org_id = OrgId::parse(org).map_err(backend)?;
                    out.push(Membership {
                        org_id,
                        org_name: item.org_name,
                        role: item.member.role,
                    });
                }
            }
            Ok(out)
        })
        .await
    }
}

#[async_trait]
impl EventStore for EmbeddedStore {
    async fn create_event(&self, scope: &OrgScope, event: &Event) -> StoreResult<()> {
        let pk = scope.org().to_string();
        let mut event = event.clone();
        event.org_id = scope.org().clone();
        self.write(move |tx| {
            let sk = keys::event_sk(&event.id);
            if get_item::<Event>(tx, &pk, &sk)?.is_some() {
                return Err(StoreError::AlreadyExists);
            }
            put_item(tx, &pk, &sk, &event)?;
            let mut index = tx.open_table(BY_DEPARTURE).map_err(backend)?;
            index
                .insert((pk.as_str(), departure_key(&event).as_str()), ())
                .map_err(backend)?;
            Ok(())
        })
        .await
    }

    async fn get_event(&self, scope: &OrgScope, id: &EventId) -> StoreResult<Event> {
        self.get(scope.org().to_string(), keys::event_sk(id))
            .await?
            .ok_or(StoreError::NotFound)
    }

    async fn update_event(
        &self,
        scope: &OrgScope,
        event: &Event,
        expected_version: u64,
        audit: &AuditEntry,
    ) -> StoreResult<Event> {
        let pk = scope.org().to_string();
        let new = event.clone();
        let audit = audit.clone();
        self.write(move |tx| {
            let sk = keys::event_sk(&new.id);
            let mut stored: Event = get_item(tx, &pk, &sk)?.ok_or(StoreError::NotFound)?;
            if stored.version != expected_version {
                return Err(StoreError::Conflict);
            }
            let old_key = departure_key(&stored);
            stored.kind = new.kind;
            stored.title = new.title;
            stored.vessel = new.vessel;
            stored.departs_at = new.departs_at;
            stored.returns_at = new.returns_at;
            stored.crew = new.crew;
            stored.notes = new.notes;
            stored.revenue_cents = new.revenue_cents;
            stored.status = new.status;
            stored.departed_at = new.departed_at;
            stored.returned_at = new.returned_at;
            stored.updated_at = new.updated_at;
            stored.updated_by = new.updated_by;
            stored.version = expected_version + 1;
            stored.revision += 1;
            stored.audit.push(audit);
            put_item(tx, &pk, &sk, &stored)?;
            let new_key = departure_key(&stored);
            if new_key != old_key {
                let mut index = tx.open_table(BY_DEPARTURE).map_err(backend)?;
                index
                    .remove((pk.as_str(), old_key.as_str()))
                    .map_err(backend)?;
                index
                    .insert((pk.as_str(), new_key.as_str()), ())
                    .map_err(backend)?;
            }
            Ok(stored)
        })
        .await
    }

    async fn list_events(
        &self,
        scope: &OrgScope,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        page: &PageRequest,
    ) -> StoreResult<Page<Event>> {
        let org = scope.org().clone();
        let after = page
            .cursor
            .as_ref()
            .map(|c| c.position_for(&org))
            .transpose()?;
        let limit = page.limit() as usize;
        let start = from.format("%Y-%m-%dT%H:%M:%SZ").to_string();
        let end = to.format("%Y-%m-%dT%H:%M:%SZ").to_string();
        self.read(move |db| {
            let tx = db.begin_read().map_err(backend)?;
            let index = tx.open_table(BY_DEPARTURE).map_err(backend)?;
            let items = tx.open_table(ITEMS).map_err(backend)?;
            let pk = org.as_str();
            let mut events = Vec::new();
            let mut last_key = None;
            let mut more = false;
            for entry in index
                .range((pk, start.as_str())..(pk, end.as_str()))
                .map_err(backend)?
            {
                let (key, _) = entry.map_err(backend)?;
                let (_, dep_key) = key.value();
                if after.as_deref().is_some_and(|a| dep_key <= a) {
                    continue;
                }
                if events.len() == limit {
                    more = true;
                    break;
                }
                let id = dep_key.rsplit('#').next().unwrap_or_default();
                let sk = format!("{}{id}", keys::EVENT_PREFIX);
                let guard = items
                    .get((pk, sk.as_str()))
                    .map_err(backend)?
                    .ok_or_else(|| {
                        StoreError::Backend(format!("index names a missing event {id}"))
                    })?;
                events.push(from_json::<Event>(guard.value())?);
                last_key = Some(dep_key.to_string());
            }
            let next = match (more, last_key) {
                (true, Some(k)) => Some(Cursor::encode(&org, &k)),
                _ => None,
            };
            Ok(Page {
                items: events,
                next,
            })
        })
        .await
    }

    async fn record_task(
        &self,
        scope: &OrgScope,
        id: &EventId,
        tick: &TaskTick,
    ) -> StoreResult<TickOutcome> {
        let tick = tick.clone();
        let result = self
            .modify_event(scope, id, move |event| {
                if event.audit.iter().any(|a| a.op_id == tick.state.op_id) {
                    return Ok(None);
                }
                let action = if tick.state.done {
                    domain::event::AuditAction::TaskDone {
                        task: tick.task.clone(),
                    }
                } else {
                    domain::event::AuditAction::TaskUndone {
                        task: tick.task.clone(),
                    }
                };
                event.audit.push(AuditEntry {
                    op_id: tick.state.op_id.clone(),
                    action,
                    by: tick.state.by.clone(),
                    at: tick.state.recorded_at,
                });
                event.tasks.insert(tick.task, tick.state);
                Ok(Some(()))
            })
            .await;
        match result {
            Ok(((), event)) => Ok(TickOutcome {
                applied: true,
                event,
            }),
            // `None` above means the op id was already applied.
            Err(StoreError::Conflict) => Ok(TickOutcome {
                applied: false,
                event: self.get_event(scope, id).await?,
            }),
            Err(e) => Err(e),
        }
    }

    async fn claim_nudge(
        &self,
        scope: &OrgScope,
        id: &EventId,
        key: &NudgeKey,
        now: DateTime<Utc>,
        stale_after: Duration,
    ) -> StoreResult<SendClaim> {
        let key = key.clone();
        let outcome = self
            .modify_event(scope, id, move |event| {
                let existing = event.nudges.iter_mut().find(|n| {
                    n.kind == key.kind && n.anchor_at == key.anchor_at && n.email == key.email
                });
                match existing {
                    None => {
                        event.nudges.push(NudgeRecord {
                            kind: key.kind,
                            anchor_at: key.anchor_at,
                            email: key.email,
                            state: NudgeState::Sending,
                            at: now,
                        });
                        Ok(Some(SendClaim::Claimed))
                    }
                    Some(n) if n.state == NudgeState::Sent => Ok(Some(SendClaim::AlreadySent)),
                    Some(n) if n.state == NudgeState::Sending && n.at > now - stale_after => {
                        Ok(Some(SendClaim::InProgress))
                    }
                    Some(n) => {
                        n.state = NudgeState::Sending;
                        n.at = now;
                        Ok(Some(SendClaim::Claimed))
                    }
                }
            })
            .await?;
        Ok(outcome.0)
    }

    async fn finish_nudge(
        &self,
        scope: &OrgScope,
        id: &EventId,
        key: &NudgeKey,
        state: NudgeState,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let key = key.clone();
        self.modify_event(scope, id, move |event| {
            let n = event
                .nudges
                .iter_mut()
                .find(|n| {
                    n.kind == key.kind && n.anchor_at == key.anchor_at && n.email == key.email
                })
                .ok_or(StoreError::NotFound)?;
            n.state = state;
            n.at = now;
            Ok(Some(()))
        })
        .await?;
        Ok(())
    }
}

#[async_trait]
impl SessionStore for EmbeddedStore {
    async fn put_session(&self, scope: &OrgScope, session: &SessionRecord) -> StoreResult<()> {
        let pk = scope.org().to_string();
        let sk = keys::session_sk(&session.email, &session.jti);
        let item = SessionItem {
            issued_at: session.issued_at,
            expires_at: session.expires_at,
        };
        self.write(move |tx| put_item(tx, &pk, &sk, &item)).await
    }

    async fn session_active(
        &self,
        scope: &OrgScope,
        email: &Email,
        jti: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let item: Option<SessionItem> = self
            .get(scope.org().to_string(), keys::session_sk(email, jti))
            .await?;
        Ok(item.is_some_and(|s| s.expires_at > now))
    }

    async fn revoke_session(&self, scope: &OrgScope, email: &Email, jti: &str) -> StoreResult<()> {
        let pk = scope.org().to_string();
        let sk = keys::session_sk(email, jti);
        self.write(move |tx| delete_item(tx, &pk, &sk).map(|_| ()))
            .await
    }

    async fn revoke_sessions(&self, scope: &OrgScope, email: &Email) -> StoreResult<usize> {
        let pk = scope.org().to_string();
        let prefix = keys::session_prefix(email);
        self.write(move |tx| {
            let mut table = tx.open_table(ITEMS).map_err(backend)?;
            let keys: Vec<String> = table
                .range((pk.as_str(), prefix.as_str())..)
                .map_err(backend)?
                .map_while(|entry| {
                    let (key, _) = entry.ok()?;
                    let (p, sk) = key.value();
                    (p == pk && sk.starts_with(&prefix)).then(|| sk.to_string())
                })
                .collect();
            for sk in &keys {
                table.remove((pk.as_str(), sk.as_str())).map_err(backend)?;
            }
            Ok(keys.len())
        })
        .await
    }
}

#[async_trait]
impl SigninStore for EmbeddedStore {
    async fn put_signin(&self, record: &SigninRecord) -> StoreResult<()> {
        let pk = keys::signin_partition(&record.key);
        let item = SigninItem {
            email: record.email.clone(),
            link_hash: record.link_hash.clone(),
            code_hash: record.code_hash.clone(),
            issued_at: record.issued_at,
            expires_at: record.expires_at,
            attempts: 0,
            spent: false,
        };
        self.write(move |tx| put_item(tx, &pk, keys::SIGNIN_SK, &item))
            .await
    }

    async fn signin_email(&self, key: &str) -> StoreResult<Option<Email>> {
        let item: Option<SigninItem> = self
            .get(keys::signin_partition(key), keys::SIGNIN_SK.into())
            .await?;
        Ok(item.map(|i| i.email))
    }

    async fn spend_signin(
        &self,
        key: &str,
        proof: &SigninProof,
        now: DateTime<Utc>,
    ) -> Result<Email, SpendError> {
        let pk = keys::signin_partition(key);
        let proof = proof.clone();
        self.write(move |tx| {
            let Some(mut item) = get_item::<SigninItem>(tx, &pk, keys::SIGNIN_SK)? else {
                return Ok(Err(SpendError::Invalid));
            };
            if item.spent || item.attempts >= MAX_SIGNIN_ATTEMPTS {
                return Ok(Err(SpendError::Invalid));
            }
            if item.expires_at <= now {
                return Ok(Err(SpendError::Expired));
            }
            let matches = match &proof {
                SigninProof::Link(h) => *h == item.link_hash,
                SigninProof::Code(h) => *h == item.code_hash,
            };
            if matches {
                item.spent = true;
                put_item(tx, &pk, keys::SIGNIN_SK, &item)?;
                Ok(Ok(item.email))
            } else {
                item.attempts += 1;
                put_item(tx, &pk, keys::SIGNIN_SK, &item)?;
                Ok(Err(SpendError::Invalid))
            }
        })
        .await?
    }

    async fn hit_rate_limit(
        &self,
        bucket: &str,
        limit: u32,
        window: Duration,
        now: DateTime<Utc>,
    ) -> StoreResult<RateDecision> {
        let (start, end) = keys::rate_window(now, window);
        let pk = keys::rate_partition(bucket);
        let sk = keys::rate_window_sk(start);
        let expires_at = DateTime::from_timestamp(end, 0).unwrap_or(now + window);
        self.write(move |tx| {
            let mut item = get_item::<RateItem>(tx, &pk, &sk)?
                .filter(|i| i.expires_at > now)
                .unwrap_or(RateItem {
                    count: 0,
                    expires_at,
                });
            item.count = item.count.saturating_add(1);
            put_item(tx, &pk, &sk, &item)?;
            if item.count > limit {
                let retry = (item.expires_at - now).num_seconds().max(1);
                Ok(RateDecision::Limited {
                    retry_after_secs: u64::try_from(retry).unwrap_or(1),
                })
            } else {
                Ok(RateDecision::Allowed)
            }
        })
        .await
    }
}

#[derive(Serialize, Deserialize)]
struct SendItem {
    state: NudgeState,
    at: DateTime<Utc>,
}

#[async_trait]
impl ReportStore for EmbeddedStore {
    async fn claim_report(
        &self,
        key: &ReportKey,
        now: DateTime<Utc>,
        stale_after: Duration,
    ) -> StoreResult<SendClaim> {
        let (pk, sk) = (key.audience.partition(), key.sort_key());
        self.write(move |tx| {
            let claim = match get_item::<SendItem>(tx, &pk, &sk)? {
                Some(i) if i.state == NudgeState::Sent => return Ok(SendClaim::AlreadySent),
                Some(i) if i.state == NudgeState::Sending && i.at > now - stale_after => {
                    return Ok(SendClaim::InProgress);
                }
                _ => SendItem {
                    state: NudgeState::Sending,
                    at: now,
                },
            };
            put_item(tx, &pk, &sk, &claim)?;
            Ok(SendClaim::Claimed)
        })
        .await
    }

    async fn finish_report(
        &self,
        key: &ReportKey,
        state: NudgeState,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let (pk, sk) = (key.audience.partition(), key.sort_key());
        self.write(move |tx| {
            if get_item::<SendItem>(tx, &pk, &sk)?.is_none() {
                return Err(StoreError::NotFound);
            }
            put_item(tx, &pk, &sk, &SendItem { state, at: now })
        })
        .await
    }

    async fn unsubscribe(
        &self,
        audience: &ReportAudience,
        perspective: Perspective,
        email: &Email,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let pk = audience.partition();
        let sk = keys::unsub_sk(perspective, email);
        self.write(move |tx| put_item(tx, &pk, &sk, &now)).await
    }

    async fn unsubscribed(
        &self,
        audience: &ReportAudience,
        perspective: Perspective,
    ) -> StoreResult<Vec<Email>> {
        let prefix = keys::unsub_prefix(perspective);
        let items: Vec<(String, DateTime<Utc>)> = self
            .query_prefix(audience.partition(), prefix.clone())
            .await?;
        items
            .into_iter()
            .map(|(sk, _)| Email::parse(sk.trim_start_matches(&prefix)).map_err(backend))
            .collect()
    }
}
