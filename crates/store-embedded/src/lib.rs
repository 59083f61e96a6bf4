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

mod calendar;
mod events;
mod members;
mod orgs;
mod push;
mod reports;
mod sessions;
mod signins;
mod vessels;

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
