//! The ports: small traits the domain owns and the adapters implement (embedded store, DynamoDB,
//! SES, file outbox, EventBridge Scheduler, in-process scheduler). A handler asks only for the
//! ports it uses.
//!
//! Every org-owned record is reached through an [`OrgScope`]; the few calls that precede a verified
//! token (sign-in, "which orgs is this email in") or span orgs (the weekly report's org list) say so.

use crate::email::Email;
use crate::event::{AuditEntry, Event, NudgeKind, NudgeState, TaskState};
use crate::ids::{EventId, OrgId, TaskId};
use crate::org::{Member, Membership, Org, OrgScope, Perspective};
use crate::role::Role;
use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

/// What can go wrong in a store, as callers need to tell it apart.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// Missing, expired, or in another org (indistinguishable on purpose).
    #[error("not found")]
    NotFound,
    #[error("already exists")]
    AlreadyExists,
    /// An optimistic-locking check failed: the record changed since it was read.
    #[error("the record changed since it was read")]
    Conflict,
    /// The record's state refuses this change whatever version was read (a tick on a cancelled
    /// event); checked in the same atomic write as the change.
    #[error("the record no longer accepts this change")]
    Closed,
    #[error("the page cursor is not valid here")]
    BadCursor,
    /// Worth retrying: throttling, timeouts, the backend being briefly away.
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// Not worth retrying: a bug, a permission problem, corrupt data.
    #[error("store failure: {0}")]
    Backend(String),
}

impl StoreError {
    pub fn is_retryable(&self) -> bool {
        matches!(self, StoreError::Unavailable(_))
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

pub const DEFAULT_PAGE_SIZE: u32 = 50;
pub const MAX_PAGE_SIZE: u32 = 100;

/// An opaque position in a listing, bound to the org it was issued for: presenting it in another
/// org's scope is [`StoreError::BadCursor`]. It is not a secret; it only must not cross orgs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Cursor(String);

impl Cursor {
    /// Wraps a position (an adapter's last key) for `org`.
    pub fn encode(org: &OrgId, position: &str) -> Self {
        let raw = format!("{}\n{}", org.as_str(), position);
        Self(raw.bytes().map(|b| format!("{b:02x}")).collect())
    }

    /// The position, if this cursor was issued for `org`.
    pub fn position_for(&self, org: &OrgId) -> StoreResult<String> {
        let bytes = (0..self.0.len())
            .step_by(2)
            .map(|i| {
                self.0
                    .get(i..i + 2)
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
            })
            .collect::<Option<Vec<u8>>>()
            .ok_or(StoreError::BadCursor)?;
        let text = String::from_utf8(bytes).map_err(|_| StoreError::BadCursor)?;
        match text.split_once('\n') {
            Some((owner, position)) if owner == org.as_str() && !position.is_empty() => {
                Ok(position.to_string())
            }
            _ => Err(StoreError::BadCursor),
        }
    }

    pub fn from_client(raw: &str) -> Self {
        Self(raw.to_string())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    limit: u32,
    pub cursor: Option<Cursor>,
}

impl PageRequest {
    /// A page of at most `limit` items, clamped to `1..=MAX_PAGE_SIZE`.
    pub fn new(limit: Option<u32>, cursor: Option<Cursor>) -> Self {
        Self {
            limit: limit.unwrap_or(DEFAULT_PAGE_SIZE).clamp(1, MAX_PAGE_SIZE),
            cursor,
        }
    }

    pub fn first(limit: u32) -> Self {
        Self::new(Some(limit), None)
    }

    pub fn limit(&self) -> u32 {
        self.limit
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<Cursor>,
}

/// Orgs and the registry of all orgs.
#[async_trait]
pub trait OrgStore: Send + Sync {
    /// Creates the org and its registry entry; [`StoreError::AlreadyExists`] if the id is taken.
    async fn create_org(&self, org: &Org) -> StoreResult<()>;
    async fn get_org(&self, scope: &OrgScope) -> StoreResult<Org>;
    /// Replaces the org's settings (the id is the scope's) if the stored version is still
    /// `expected_version`, in one conditional write, and returns the org as stored, at
    /// `expected_version + 1`. [`StoreError::Conflict`] if it changed since it was read,
    /// [`StoreError::NotFound`] if there is no such org; neither writes anything.
    async fn update_org(
        &self,
        scope: &OrgScope,
        org: &Org,
        expected_version: u64,
    ) -> StoreResult<Org>;
    /// Every org, for the weekly report. Crosses orgs: system jobs only.
    async fn list_orgs(&self) -> StoreResult<Vec<Org>>;
}

/// Members of an org, and an email's memberships across orgs.
#[async_trait]
pub trait MemberStore: Send + Sync {
    /// [`StoreError::AlreadyExists`] if the email is already a member.
    async fn add_member(
        &self,
        scope: &OrgScope,
        org_name: &str,
        member: &Member,
    ) -> StoreResult<()>;
    /// A strongly consistent read: every authenticated request makes it, so a removal, a role
    /// change or a revocation stamp written a moment ago is seen.
    async fn get_member(&self, scope: &OrgScope, email: &Email) -> StoreResult<Option<Member>>;
    async fn list_members(&self, scope: &OrgScope) -> StoreResult<Vec<Member>>;
    /// Sets a member's role and display name, and with `sessions_valid_from` the revocation
    /// stamp, in one write; [`StoreError::NotFound`] if absent.
    async fn update_member(
        &self,
        scope: &OrgScope,
        email: &Email,
        role: Role,
        name: &str,
        sessions_valid_from: Option<DateTime<Utc>>,
    ) -> StoreResult<Member>;
    /// Refuses every token of the member in this org issued before `from` (logout-everywhere);
    /// one conditional write, [`StoreError::NotFound`] if not a member.
    async fn revoke_member_tokens(
        &self,
        scope: &OrgScope,
        email: &Email,
        from: DateTime<Utc>,
    ) -> StoreResult<()>;
    async fn remove_member(&self, scope: &OrgScope, email: &Email) -> StoreResult<()>;
    /// Which orgs this email belongs to. Precedes a token (sign-in), so it takes no scope.
    async fn memberships(&self, email: &Email) -> StoreResult<Vec<Membership>>;
}

/// A tick of one task, idempotent by the op id inside `state`.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskTick {
    pub task: TaskId,
    pub state: TaskState,
}

impl TaskTick {
    /// The audit trail's line for this tick (with its note and photos).
    pub fn audit_action(&self) -> crate::event::AuditAction {
        let (task, note, photos) = (
            self.task.clone(),
            self.state.note.clone(),
            self.state.photos.clone(),
        );
        if self.state.done {
            crate::event::AuditAction::TaskDone { task, note, photos }
        } else {
            crate::event::AuditAction::TaskUndone { task, note, photos }
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct TickOutcome {
    /// False when this op id had already been applied: nothing changed.
    pub applied: bool,
    /// True when the tick was recorded in the audit but the task already held a tick made later on
    /// its device ([`crate::event::TaskState::supersedes`]): the task's state did not change.
    pub superseded: bool,
    pub event: Event,
}

/// One nudge's exactly-once key: (event, kind, anchor instant, recipient, channel).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NudgeKey {
    pub kind: NudgeKind,
    pub anchor_at: DateTime<Utc>,
    pub email: Email,
    pub channel: crate::event::NudgeChannel,
}

impl NudgeKey {
    /// Whether `record` is this key's.
    pub fn matches(&self, record: &crate::event::NudgeRecord) -> bool {
        record.kind == self.kind
            && record.anchor_at == self.anchor_at
            && record.email == self.email
            && record.channel == self.channel
    }
}

/// The outcome of claiming a send (a nudge or a report email) before making it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendClaim {
    /// This caller owns the send now.
    Claimed,
    /// Already sent: do nothing.
    AlreadySent,
    /// Another invocation claimed it moments ago and has not finished: do nothing.
    InProgress,
}

/// Events, their task states, audit trails and nudge records. Reading an event gives the event,
/// the checklist states, the whole audit trail and the nudges at once.
#[async_trait]
pub trait EventStore: Send + Sync {
    /// [`StoreError::AlreadyExists`] if the id is taken.
    async fn create_event(&self, scope: &OrgScope, event: &Event) -> StoreResult<()>;
    async fn get_event(&self, scope: &OrgScope, id: &EventId) -> StoreResult<Event>;
    /// Writes `event`'s editable fields, status, actual times, departure confirmation, sign-off,
    /// version and update stamp, and appends `audit`, if the stored version is still `expected_version`; else
    /// [`StoreError::Conflict`]. Never touches task states or nudges.
    async fn update_event(
        &self,
        scope: &OrgScope,
        event: &Event,
        expected_version: u64,
        audit: &AuditEntry,
    ) -> StoreResult<Event>;
    /// Events departing in `[from, to)`, by departure then id, without their audit trail (empty:
    /// a listing shows no history; [`EventStore::get_event`] reads it).
    async fn list_events(
        &self,
        scope: &OrgScope,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        page: &PageRequest,
    ) -> StoreResult<Page<Event>>;
    /// Records one tick, once per op id, without touching any other task: appends its audit entry
    /// and, unless the task holds a tick made later on its device, sets the task's state (the
    /// device time wins, not the arrival order: [`crate::event::TaskState::supersedes`]).
    /// [`StoreError::Closed`] if the stored event is cancelled or signed off
    /// ([`crate::event::Event::checklist_open`]), decided in the same atomic write, so a tick
    /// racing a cancel or a sign-off lands before it or not at all.
    async fn record_task(
        &self,
        scope: &OrgScope,
        id: &EventId,
        tick: &TaskTick,
    ) -> StoreResult<TickOutcome>;
    /// Claims the right to send one nudge: free, failed, or claimed longer ago than `stale_after`.
    async fn claim_nudge(
        &self,
        scope: &OrgScope,
        id: &EventId,
        key: &NudgeKey,
        now: DateTime<Utc>,
        stale_after: Duration,
    ) -> StoreResult<SendClaim>;
    /// Records how a claimed send ended (`Sent` or `Failed`).
    async fn finish_nudge(
        &self,
        scope: &OrgScope,
        id: &EventId,
        key: &NudgeKey,
        state: NudgeState,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
}

/// Who a weekly report is for: one org's recipients, or the portfolio roll-up's.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ReportAudience {
    Org(OrgId),
    Portfolio,
}

impl ReportAudience {
    /// `jada`, or `portfolio`.
    pub fn as_str(&self) -> &str {
        match self {
            ReportAudience::Org(o) => o.as_str(),
            ReportAudience::Portfolio => "portfolio",
        }
    }

    /// The store partition its report records live in: the org's, or `_portfolio` (which no org
    /// id can take).
    pub fn partition(&self) -> String {
        match self {
            ReportAudience::Org(o) => o.to_string(),
            ReportAudience::Portfolio => "_portfolio".into(),
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "portfolio" => Some(ReportAudience::Portfolio),
            other => OrgId::parse(other).ok().map(ReportAudience::Org),
        }
    }
}

/// One report email's exactly-once key: (audience, week, perspective, recipient).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportKey {
    pub audience: ReportAudience,
    /// ISO week, `2026-W47`.
    pub week: String,
    pub perspective: Perspective,
    pub recipient: Email,
}

impl ReportKey {
    /// The record's sort key in its audience's partition (docs/data-model.md).
    pub fn sort_key(&self) -> String {
        format!(
            "report#{}#{}#{}",
            self.week,
            self.perspective.as_str(),
            self.recipient
        )
    }
}

/// Report sends and unsubscribes. Report sends cross orgs (the portfolio roll-up), so these take
/// the audience, which the report Lambda derives from the org list or a signed unsubscribe token.
#[async_trait]
pub trait ReportStore: Send + Sync {
    /// Claims one report email: free, failed, or claimed longer ago than `stale_after`.
    async fn claim_report(
        &self,
        key: &ReportKey,
        now: DateTime<Utc>,
        stale_after: Duration,
    ) -> StoreResult<SendClaim>;
    /// Records how a claimed send ended (`Sent` or `Failed`).
    async fn finish_report(
        &self,
        key: &ReportKey,
        state: NudgeState,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Stops one perspective's report to one address (idempotent).
    async fn unsubscribe(
        &self,
        audience: &ReportAudience,
        perspective: Perspective,
        email: &Email,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// The addresses that unsubscribed from an audience's perspective.
    async fn unsubscribed(
        &self,
        audience: &ReportAudience,
        perspective: Perspective,
    ) -> StoreResult<Vec<Email>>;
}

/// A signed-in session: the allowlist entry of one issued token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    pub jti: String,
    pub email: Email,
    pub issued_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// The token allowlist.
#[async_trait]
pub trait SessionStore: Send + Sync {
    async fn put_session(&self, scope: &OrgScope, session: &SessionRecord) -> StoreResult<()>;
    /// True if the session exists and has not expired.
    async fn session_active(
        &self,
        scope: &OrgScope,
        email: &Email,
        jti: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<bool>;
    async fn revoke_session(&self, scope: &OrgScope, email: &Email, jti: &str) -> StoreResult<()>;
    /// Revokes every session of `email` in this org; returns how many there were.
    async fn revoke_sessions(&self, scope: &OrgScope, email: &Email) -> StoreResult<usize>;
}

/// The stored half of a magic link: keyed hashes only, never the secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigninRecord {
    /// Locates the record; derived from the email by a keyed hash, so it names nobody.
    pub key: String,
    pub email: Email,
    pub link_hash: String,
    pub code_hash: String,
    pub issued_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// What the person presented at exchange, already hashed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SigninProof {
    Link(String),
    Code(String),
}

/// Wrong answers allowed before a sign-in is burned.
pub const MAX_SIGNIN_ATTEMPTS: u32 = 5;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpendError {
    /// Unknown, already spent, burned, or wrong: one answer, so nothing leaks.
    #[error("invalid or used sign-in")]
    Invalid,
    #[error("sign-in expired")]
    Expired,
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateDecision {
    Allowed,
    Limited { retry_after_secs: u64 },
}

/// Sign-in codes and rate limits: the state that exists before anyone is signed in.
#[async_trait]
pub trait SigninStore: Send + Sync {
    /// Stores a sign-in, replacing any earlier one for the same key (the newest request wins).
    async fn put_signin(&self, record: &SigninRecord) -> StoreResult<()>;
    /// The address a sign-in record was issued for (a link carries only the record's key, and the
    /// stored hash binds the address, so exchange needs it to hash the presented secret).
    async fn signin_email(&self, key: &str) -> StoreResult<Option<Email>>;
    /// Spends the sign-in if `proof` matches, it is unexpired, unspent and not burned, in one
    /// atomic step; a wrong proof counts an attempt, and [`MAX_SIGNIN_ATTEMPTS`] burn it.
    async fn spend_signin(
        &self,
        key: &str,
        proof: &SigninProof,
        now: DateTime<Utc>,
    ) -> Result<Email, SpendError>;
    /// Counts one hit on `bucket` in the fixed window containing `now`.
    async fn hit_rate_limit(
        &self,
        bucket: &str,
        limit: u32,
        window: Duration,
        now: DateTime<Utc>,
    ) -> StoreResult<RateDecision>;
}

/// A person's calendar feed: the keyed hash of its secret token (never the token) and when it was
/// made. One per person, across all their orgs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarFeed {
    pub email: Email,
    pub token_hash: String,
    pub created_at: DateTime<Utc>,
}

/// Calendar feed tokens. A feed is a person's, not an org's, so these take no scope: the token
/// hash names the person, and the feed then reads each of their orgs with that org's scope.
#[async_trait]
pub trait CalendarStore: Send + Sync {
    /// Makes `feed` the person's only feed: an earlier token stops resolving in the same atomic
    /// write. [`StoreError::Conflict`] if another write changed the person's feed meanwhile.
    async fn put_calendar_feed(&self, feed: &CalendarFeed) -> StoreResult<()>;
    /// The person's current feed, if any (a strongly consistent read).
    async fn calendar_feed(&self, email: &Email) -> StoreResult<Option<CalendarFeed>>;
    /// Whose feed a token hash opens: `None` unless it is that person's current token.
    async fn calendar_feed_owner(&self, token_hash: &str) -> StoreResult<Option<Email>>;
    /// Revokes the person's feed at once; false if there was none.
    async fn revoke_calendar_feed(&self, email: &Email) -> StoreResult<bool>;
}

/// An org's vessels (and trucks).
#[async_trait]
pub trait VesselStore: Send + Sync {
    /// Adds the vessel, or replaces the one with its id.
    async fn put_vessel(&self, scope: &OrgScope, vessel: &crate::vessel::Vessel)
    -> StoreResult<()>;
    /// [`StoreError::NotFound`] if the org has no such vessel.
    async fn get_vessel(
        &self,
        scope: &OrgScope,
        id: &crate::ids::VesselId,
    ) -> StoreResult<crate::vessel::Vessel>;
    /// The org's vessels by name.
    async fn list_vessels(&self, scope: &OrgScope) -> StoreResult<Vec<crate::vessel::Vessel>>;
    /// False if the org had no such vessel.
    async fn delete_vessel(&self, scope: &OrgScope, id: &crate::ids::VesselId)
    -> StoreResult<bool>;

    /// The record an event names as it is now: `None` for a free-text vessel or a record since
    /// removed (a float plan then describes what the event says).
    async fn vessel_of(
        &self,
        scope: &OrgScope,
        event: &Event,
    ) -> StoreResult<Option<crate::vessel::Vessel>> {
        let Some(id) = &event.vessel_id else {
            return Ok(None);
        };
        match self.get_vessel(scope, id).await {
            Ok(v) => Ok(Some(v)),
            Err(StoreError::NotFound) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// A phone (a browser's push subscription) a person asked to be notified on. The endpoint is a
/// per-device capability and the keys decrypt what is sent: none of it is ever logged.
#[derive(Clone, PartialEq, Eq)]
pub struct PushDevice {
    /// Derived from the endpoint, so subscribing the same phone again replaces its record.
    pub id: String,
    pub endpoint: String,
    pub p256dh: String,
    pub auth: String,
    /// What the person sees in their list ("iPhone Safari", "Chrome on Android").
    pub label: String,
    pub created_at: DateTime<Utc>,
    /// A device not renewed by then is forgotten (the app renews it on every start).
    pub expires_at: DateTime<Utc>,
}

impl std::fmt::Debug for PushDevice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PushDevice({}, ***)", self.id)
    }
}

/// How a person wants their nudges.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum NotifyPreference {
    /// Email, and push to every subscribed phone.
    #[default]
    Both,
    Email,
    /// Push only; email still goes when no phone takes the push, so no nudge is lost.
    Push,
}

/// A person's push devices and nudge preference. Like calendar feeds these are the person's,
/// across orgs, so they take no scope: the email comes from a verified session or from an event's
/// crew read with its org's scope.
#[async_trait]
pub trait PushStore: Send + Sync {
    /// Adds the device, or replaces the one with the same id.
    async fn put_push_device(&self, email: &Email, device: &PushDevice) -> StoreResult<()>;
    /// The person's devices not expired at `now`, oldest first.
    async fn push_devices(&self, email: &Email, now: DateTime<Utc>)
    -> StoreResult<Vec<PushDevice>>;
    /// False if there was no such device.
    async fn remove_push_device(&self, email: &Email, id: &str) -> StoreResult<bool>;
    async fn notify_preference(&self, email: &Email) -> StoreResult<NotifyPreference>;
    async fn set_notify_preference(
        &self,
        email: &Email,
        preference: NotifyPreference,
    ) -> StoreResult<()>;
}

/// What a push notification says and where tapping it goes.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PushNote {
    pub title: String,
    pub body: String,
    /// The event in the app, with its org (`?org=`), so the app switches org if it must.
    pub url: String,
    /// One notification per (event, nudge): a repeat replaces rather than stacks.
    pub tag: String,
}

/// What became of one push to one device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushResult {
    Delivered,
    /// The subscription is dead (404/410): remove the device.
    Gone,
    Failed {
        retryable: bool,
    },
}

/// Sends Web Push (the push crate in AWS; a recording outbox locally).
#[async_trait]
pub trait Pusher: Send + Sync {
    async fn push(&self, device: &PushDevice, note: &PushNote) -> PushResult;
}

/// Everything a store adapter implements; the adapters are tested against this whole set by the
/// conformance suite (crates/store-conformance).
pub trait Store:
    OrgStore
    + MemberStore
    + EventStore
    + SessionStore
    + SigninStore
    + ReportStore
    + CalendarStore
    + PushStore
    + VesselStore
{
}

impl<
    T: OrgStore
        + MemberStore
        + EventStore
        + SessionStore
        + SigninStore
        + ReportStore
        + CalendarStore
        + PushStore
        + VesselStore,
> Store for T
{
}

/// The time, so tests can hold it still.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock tests move by hand.
#[derive(Debug)]
pub struct ManualClock(std::sync::Mutex<DateTime<Utc>>);

impl ManualClock {
    pub fn new(at: DateTime<Utc>) -> Self {
        Self(std::sync::Mutex::new(at))
    }

    pub fn set(&self, at: DateTime<Utc>) {
        if let Ok(mut t) = self.0.lock() {
            *t = at;
        }
    }

    pub fn advance(&self, by: Duration) {
        if let Ok(mut t) = self.0.lock() {
            *t += by;
        }
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
            .lock()
            .map(|t| *t)
            .unwrap_or_else(|e| *e.into_inner())
    }
}

/// One email to one person.
#[derive(Clone, PartialEq, Eq)]
pub struct OutgoingEmail {
    pub to: Email,
    pub subject: String,
    pub html: String,
    pub text: String,
    /// Extra headers, e.g. `List-Unsubscribe`.
    pub headers: Vec<(String, String)>,
    /// What kind of mail this is (`signin`, `nudge`, `report`), for the outbox and metrics.
    pub category: &'static str,
}

impl fmt::Debug for OutgoingEmail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Bodies carry sign-in secrets: never print them.
        f.debug_struct("OutgoingEmail")
            .field("to", &self.to)
            .field("category", &self.category)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailError {
    /// Worth retrying later: throttling, the service briefly away.
    #[error("mail service unavailable: {0}")]
    Unavailable(String),
    /// Not worth retrying: a rejected address or message, a configuration error.
    #[error("mail rejected: {0}")]
    Rejected(String),
}

impl MailError {
    pub fn is_retryable(&self) -> bool {
        matches!(self, MailError::Unavailable(_))
    }
}

#[async_trait]
pub trait Mailer: Send + Sync {
    /// Sends one email; returns the provider's message id.
    async fn send(&self, email: &OutgoingEmail) -> Result<String, MailError>;
}

/// A one-time reminder to schedule: fire at `fire_at`, for the event's (kind, anchor instant).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NudgeSchedule {
    pub org_id: OrgId,
    pub event_id: EventId,
    pub kind: NudgeKind,
    pub fire_at: DateTime<Utc>,
    /// The departure (or return) instant the nudge is for; the nudge does nothing if it moved.
    pub anchor_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SchedulerError {
    #[error("scheduler unavailable: {0}")]
    Unavailable(String),
    #[error("scheduler refused: {0}")]
    Rejected(String),
}

/// Creates, moves and deletes the one-time nudge schedules.
#[async_trait]
pub trait NudgeScheduler: Send + Sync {
    /// Creates the schedule, or replaces it if one with the same name exists.
    async fn upsert(&self, schedule: &NudgeSchedule) -> Result<(), SchedulerError>;
    /// Deletes the schedule; one that does not exist counts as deleted.
    async fn delete(
        &self,
        org: &OrgId,
        event: &EventId,
        kind: NudgeKind,
    ) -> Result<(), SchedulerError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_are_bound_to_their_org() {
        let a = OrgId::parse("jada").expect("valid");
        let b = OrgId::parse("quickdumpnow").expect("valid");
        let cursor = Cursor::encode(&a, "2026-07-04T01:30:00Z#01ARZ3NDEKTSV4RRFFQ69G5FAV");
        assert_eq!(
            cursor.position_for(&a).as_deref(),
            Ok("2026-07-04T01:30:00Z#01ARZ3NDEKTSV4RRFFQ69G5FAV")
        );
        assert_eq!(cursor.position_for(&b), Err(StoreError::BadCursor));
        for junk in ["", "zz", "0", "6a616461", "e29883"] {
            assert_eq!(
                Cursor::from_client(junk).position_for(&a),
                Err(StoreError::BadCursor),
                "{junk}"
            );
        }
    }

    #[test]
    fn page_sizes_are_clamped() {
        assert_eq!(PageRequest::new(Some(0), None).limit(), 1);
        assert_eq!(PageRequest::new(Some(10_000), None).limit(), MAX_PAGE_SIZE);
        assert_eq!(PageRequest::new(None, None).limit(), DEFAULT_PAGE_SIZE);
    }
}

/// What happened, for the audit and integration feed (EventBridge in AWS, a file locally).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainEvent {
    /// `event.created`, `event.moved`, `event.cancelled`, `event.departed`, `event.returned`,
    /// `nudge.sent`.
    pub kind: String,
    pub org_id: OrgId,
    pub event_id: EventId,
    pub at: DateTime<Utc>,
    /// Kind-specific facts (never an email address: the feed is wider than the org).
    pub detail: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("publishing domain events failed: {0}")]
pub struct PublishError(pub String);

/// Publishes domain events. Callers log a failure and carry on: the feed never fails a request.
#[async_trait]
pub trait DomainEvents: Send + Sync {
    async fn publish(&self, events: &[DomainEvent]) -> Result<(), PublishError>;
}

/// A signed request the phone makes itself: where, how, and the headers it must send as they are
/// (the signature covers them: the content type and the exact length).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PresignedUpload {
    pub url: String,
    pub method: String,
    pub headers: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhotoError {
    #[error("photo storage unavailable: {0}")]
    Unavailable(String),
    #[error("photo storage refused: {0}")]
    Refused(String),
}

/// Where task photos live (S3 in AWS, a folder locally). It signs URLs; the bytes never pass
/// through the api. Keys come from [`crate::photo::PhotoRef::key`], which puts them under the
/// org and event.
#[async_trait]
pub trait PhotoStorage: Send + Sync {
    /// A URL to PUT exactly `bytes` bytes of `content_type` at `key`, valid for `valid_for`.
    async fn upload_url(
        &self,
        key: &str,
        content_type: &str,
        bytes: u64,
        valid_for: Duration,
    ) -> Result<PresignedUpload, PhotoError>;
    /// A URL to GET the object at `key`, valid for `valid_for`.
    async fn download_url(&self, key: &str, valid_for: Duration) -> Result<String, PhotoError>;
    /// The stored object's size, or `None` if nothing is stored at `key`.
    async fn size(&self, key: &str) -> Result<Option<u64>, PhotoError>;
}
