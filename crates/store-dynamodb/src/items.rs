//! How domain records are laid out as DynamoDB items (docs/data-model.md, "Items").

use super::{StoreError, StoreResult};
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};
use domain::email::Email;
use domain::event::{
    AuditEntry, CrewAssignment, Event, EventKind, EventStatus, NudgeChannel, NudgeKind,
    NudgeRecord, NudgeState, TaskState,
};
use domain::ids::{EventId, OrgId, TaskId};
use domain::keys;
use domain::org::{Member, Membership};
use domain::ports::{NudgeKey, SigninRecord};
use domain::role::Role;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Departures are stored as fixed-width UTC strings so that the `by_departure` index sorts them
/// chronologically; sub-second precision is dropped (API input is whole seconds anyway).
pub const DEPARTURE_FORMAT: &str = "%Y-%m-%dT%H:%M:%SZ";

/// Sign-in items outlive their ten-minute validity by a day before TTL may delete them, so a late
/// replay still finds "spent" rather than nothing (both answer 401, but the audit is clearer).
const SIGNIN_TTL_MARGIN_SECS: i64 = 24 * 3600;

pub fn av_s(s: impl Into<String>) -> AttributeValue {
    AttributeValue::S(s.into())
}

pub fn av_n(n: impl ToString) -> AttributeValue {
    AttributeValue::N(n.to_string())
}

pub fn departure_key(at: DateTime<Utc>) -> String {
    at.format(DEPARTURE_FORMAT).to_string()
}

/// The key of one nudge inside an event's `nudges` map.
/// Email keys keep the layout they had before push existed; other channels add `|<channel>`.
pub fn nudge_map_key(key: &NudgeKey) -> String {
    let base = format!(
        "{}|{}|{}",
        key.kind.as_str(),
        departure_key(key.anchor_at),
        key.email
    );
    if key.channel.is_email() {
        base
    } else {
        format!("{base}|{}", key.channel.as_str())
    }
}

/// An event: one item holding the event, its task states (a map keyed by task id, so each tick
/// writes only its own path), its audit trail (a map keyed by op id, which doubles as the
/// idempotency record) and its nudge records (a map keyed by kind|anchor|email).
#[derive(Serialize, Deserialize)]
pub struct EventItem {
    pub org_id: String,
    pub sk: String,
    pub id: EventId,
    pub kind: EventKind,
    pub title: String,
    pub vessel: String,
    /// Absent on items written before vessel records.
    #[serde(default)]
    pub vessel_id: Option<domain::ids::VesselId>,
    #[serde(default)]
    pub passengers: domain::event::Passengers,
    /// `by_departure` LSI sort key.
    pub departs_at: String,
    pub returns_at: DateTime<Utc>,
    pub crew: Vec<CrewAssignment>,
    pub notes: String,
    pub revenue_cents: Option<i64>,
    pub status: EventStatus,
    pub version: u64,
    pub revision: u64,
    pub departed_at: Option<DateTime<Utc>>,
    pub returned_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub overdue_acknowledged_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub departed_open_safety_tasks: Vec<TaskId>,
    /// Absent or NULL while the checklist is open; a tick's condition requires that.
    #[serde(default)]
    pub signed_off: Option<domain::event::SignOff>,
    pub tasks: BTreeMap<TaskId, TaskItem>,
    /// History written before audit entries became items of their own ([`AuditItem`]); read and
    /// merged, never written to any more (new items carry it empty).
    #[serde(default)]
    pub audit: BTreeMap<String, AuditEntry>,
    pub nudges: BTreeMap<String, NudgeItem>,
    pub created_at: DateTime<Utc>,
    pub created_by: Email,
    pub updated_at: DateTime<Utc>,
    pub updated_by: Email,
}

/// One task's state in the event item's `tasks` map: the domain's [`TaskState`] plus `at_ns`, the
/// device time as a number (nanoseconds since 1970, the precision the domain compares), which the tick's conditional write compares (the RFC 3339 strings do
/// not sort: their fractional part varies in width). Items written before it existed lack it and
/// count as older than any tick.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TaskItem {
    pub done: bool,
    pub by: Email,
    pub at: DateTime<Utc>,
    #[serde(default)]
    pub at_ns: Option<i64>,
    pub recorded_at: DateTime<Utc>,
    pub op_id: domain::ids::OpId,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub photos: Vec<domain::photo::PhotoRef>,
}

impl TaskItem {
    pub fn from_state(s: &TaskState) -> Self {
        Self {
            done: s.done,
            by: s.by.clone(),
            at: s.at,
            at_ns: s.at.timestamp_nanos_opt(),
            recorded_at: s.recorded_at,
            op_id: s.op_id.clone(),
            note: s.note.clone(),
            photos: s.photos.clone(),
        }
    }

    pub fn into_state(self) -> TaskState {
        TaskState {
            done: self.done,
            by: self.by,
            at: self.at,
            recorded_at: self.recorded_at,
            op_id: self.op_id,
            note: self.note,
            photos: self.photos,
        }
    }
}

/// One audit entry of an event, as its own item (`keys::audit_sk`): an event's history grows
/// without bound, an item may not (400 KB).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuditItem {
    pub org_id: String,
    pub sk: String,
    pub entry: AuditEntry,
}

impl AuditItem {
    pub fn new(org: &OrgId, event: &EventId, entry: &AuditEntry) -> Self {
        Self {
            org_id: org.to_string(),
            sk: keys::audit_sk(event, &entry.op_id),
            entry: entry.clone(),
        }
    }
}

impl EventItem {
    pub fn from_event(org: &OrgId, e: &Event) -> Self {
        Self {
            org_id: org.to_string(),
            sk: keys::event_sk(&e.id),
            id: e.id.clone(),
            kind: e.kind,
            title: e.title.clone(),
            vessel: e.vessel.clone(),
            vessel_id: e.vessel_id.clone(),
            passengers: e.passengers.clone(),
            departs_at: departure_key(e.departs_at),
            returns_at: e.returns_at,
            crew: e.crew.clone(),
            notes: e.notes.clone(),
            revenue_cents: e.revenue_cents,
            status: e.status,
            version: e.version,
            revision: e.revision,
            departed_at: e.departed_at,
            returned_at: e.returned_at,
            overdue_acknowledged_at: e.overdue_acknowledged_at,
            departed_open_safety_tasks: e.departed_open_safety_tasks.clone(),
            signed_off: e.signed_off.clone(),
            tasks: e
                .tasks
                .iter()
                .map(|(id, state)| (id.clone(), TaskItem::from_state(state)))
                .collect(),
            audit: BTreeMap::new(),
            nudges: e
                .nudges
                .iter()
                .map(|n| {
                    let key = NudgeKey {
                        kind: n.kind,
                        anchor_at: n.anchor_at,
                        email: n.email.clone(),
                        channel: n.channel,
                    };
                    (nudge_map_key(&key), NudgeItem::new(&key, n.state, n.at))
                })
                .collect(),
            created_at: e.created_at,
            created_by: e.created_by.clone(),
            updated_at: e.updated_at,
            updated_by: e.updated_by.clone(),
        }
    }

    pub fn into_event(self) -> StoreResult<Event> {
        let departs_at = DateTime::parse_from_rfc3339(&self.departs_at)
            .map_err(|e| StoreError::Backend(format!("event {}: departs_at: {e}", self.id)))?
            .with_timezone(&Utc);
        let org_id = OrgId::parse(&self.org_id)
            .map_err(|e| StoreError::Backend(format!("event {}: org: {e}", self.id)))?;
        let mut audit: Vec<AuditEntry> = self.audit.into_values().collect();
        audit.sort_by(|a, b| (a.at, a.op_id.as_str()).cmp(&(b.at, b.op_id.as_str())));
        let mut nudges: Vec<NudgeRecord> = self
            .nudges
            .into_values()
            .map(NudgeItem::into_record)
            .collect();
        nudges.sort_by(|a, b| (a.anchor_at, &a.email).cmp(&(b.anchor_at, &b.email)));
        Ok(Event {
            id: self.id,
            org_id,
            kind: self.kind,
            title: self.title,
            vessel: self.vessel,
            vessel_id: self.vessel_id,
            passengers: self.passengers,
            departs_at,
            returns_at: self.returns_at,
            crew: self.crew,
            notes: self.notes,
            revenue_cents: self.revenue_cents,
            status: self.status,
            version: self.version,
            revision: self.revision,
            departed_at: self.departed_at,
            returned_at: self.returned_at,
            overdue_acknowledged_at: self.overdue_acknowledged_at,
            departed_open_safety_tasks: self.departed_open_safety_tasks,
            signed_off: self.signed_off,
            tasks: self
                .tasks
                .into_iter()
                .map(|(id, item)| (id, item.into_state()))
                .collect(),
            audit,
            nudges,
            created_at: self.created_at,
            created_by: self.created_by,
            updated_at: self.updated_at,
            updated_by: self.updated_by,
        })
    }
}

/// One nudge record inside an event; `at_ms` lets a condition expression compare claim ages.
#[derive(Serialize, Deserialize)]
pub struct NudgeItem {
    pub kind: NudgeKind,
    pub anchor_at: DateTime<Utc>,
    pub email: Email,
    pub state: NudgeState,
    pub at: DateTime<Utc>,
    pub at_ms: i64,
    /// Absent on email records (all of them before push existed).
    #[serde(default, skip_serializing_if = "NudgeChannel::is_email")]
    pub channel: NudgeChannel,
}

impl NudgeItem {
    pub fn new(key: &NudgeKey, state: NudgeState, at: DateTime<Utc>) -> Self {
        Self {
            kind: key.kind,
            anchor_at: key.anchor_at,
            email: key.email.clone(),
            state,
            at,
            at_ms: at.timestamp_millis(),
            channel: key.channel,
        }
    }

    fn into_record(self) -> NudgeRecord {
        NudgeRecord {
            kind: self.kind,
            anchor_at: self.anchor_at,
            email: self.email,
            state: self.state,
            at: self.at,
            channel: self.channel,
        }
    }
}

/// A membership: in the org's partition, and (through `user_email`) in the `by_email` GSI.
#[derive(Serialize, Deserialize)]
pub struct MemberItem {
    pub org_id: String,
    pub sk: String,
    /// `by_email` GSI partition key.
    pub user_email: Email,
    pub name: String,
    pub role: Role,
    pub added_at: DateTime<Utc>,
    pub org_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sessions_valid_from: Option<DateTime<Utc>>,
}

impl MemberItem {
    pub fn new(org: &OrgId, org_name: &str, m: &Member) -> Self {
        Self {
            org_id: org.to_string(),
            sk: keys::member_sk(&m.email),
            user_email: m.email.clone(),
            name: m.name.clone(),
            role: m.role,
            added_at: m.added_at,
            org_name: org_name.to_string(),
            sessions_valid_from: m.sessions_valid_from,
        }
    }

    pub fn into_member(self) -> Member {
        Member {
            email: self.user_email,
            name: self.name,
            role: self.role,
            added_at: self.added_at,
            sessions_valid_from: self.sessions_valid_from,
        }
    }

    pub fn into_membership(self) -> StoreResult<Membership> {
        Ok(Membership {
            org_id: OrgId::parse(&self.org_id)
                .map_err(|e| StoreError::Backend(format!("membership org: {e}")))?,
            org_name: self.org_name,
            role: self.role,
        })
    }
}

/// The stored half of a magic link, in a partition of its own (`_signin#<key>`).
#[derive(Serialize, Deserialize)]
pub struct SigninItem {
    pub org_id: String,
    pub sk: String,
    pub email: Email,
    pub link_hash: String,
    pub code_hash: String,
    pub issued_at: DateTime<Utc>,
    pub expires_epoch: i64,
    pub attempts: u32,
    pub spent: bool,
    pub expiration_epoch: i64,
}

impl SigninItem {
    pub const SK: &'static str = keys::SIGNIN_SK;

    pub fn partition(key: &str) -> String {
        keys::signin_partition(key)
    }

    pub fn new(r: &SigninRecord) -> Self {
        Self {
            org_id: Self::partition(&r.key),
            sk: Self::SK.into(),
            email: r.email.clone(),
            link_hash: r.link_hash.clone(),
            code_hash: r.code_hash.clone(),
            issued_at: r.issued_at,
            expires_epoch: r.expires_at.timestamp(),
            attempts: 0,
            spent: false,
            expiration_epoch: r.expires_at.timestamp() + SIGNIN_TTL_MARGIN_SECS,
        }
    }
}
