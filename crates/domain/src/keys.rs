//! Where each record lives in a store: partition and sort key formats, shared by the DynamoDB
//! and embedded adapters so both lay data out as docs/data-model.md says. Partitions that belong
//! to no org start with `_`, which no `OrgId` can.

use crate::email::Email;
use crate::ids::{EventId, OpId, OrgId};
use crate::org::Perspective;
use chrono::{DateTime, Duration, Utc};

/// The partition listing every org (for the weekly report).
pub const REGISTRY: &str = "_registry";
pub const ORG_PREFIX: &str = "org#";
pub const MEMBER_PREFIX: &str = "member#";
pub const EVENT_PREFIX: &str = "event#";
/// The sort key of a sign-in record in its own partition.
pub const SIGNIN_SK: &str = "signin";

pub fn org_sk(org: &OrgId) -> String {
    format!("{ORG_PREFIX}{org}")
}

pub fn member_sk(email: &Email) -> String {
    format!("{MEMBER_PREFIX}{email}")
}

/// All of an org's vessels share this prefix.
pub const VESSEL_PREFIX: &str = "vessel#";

pub fn vessel_sk(id: &crate::ids::VesselId) -> String {
    format!("{VESSEL_PREFIX}{id}")
}

pub fn event_sk(id: &EventId) -> String {
    format!("{EVENT_PREFIX}{id}")
}

/// One audit entry of an event, in the event's partition next to it: the event's sort key is a
/// prefix of its entries' (ULIDs are fixed width, so no other event's), so one Query by that prefix
/// reads the event and its whole history, and the op id in the key makes an entry once-only.
pub fn audit_sk(event: &EventId, op: &OpId) -> String {
    format!("{EVENT_PREFIX}{event}#audit#{op}")
}

/// All of one person's sessions in an org share this prefix.
pub fn session_prefix(email: &Email) -> String {
    format!("session#{email}#")
}

pub fn session_sk(email: &Email, jti: &str) -> String {
    format!("{}{jti}", session_prefix(email))
}

/// A sign-in record's partition, by its locator (a keyed hash of the email).
pub fn signin_partition(locator: &str) -> String {
    format!("_signin#{locator}")
}

/// A calendar feed token's partition, by the token's keyed hash: who the feed belongs to.
pub fn calendar_token_partition(hash: &str) -> String {
    format!("_calfeed#{hash}")
}

/// A person's own partition (not an org's): their calendar feed, across all their orgs.
pub fn person_partition(email: &Email) -> String {
    format!("_person#{email}")
}

/// A person's push devices in their partition share this prefix; their nudge preference is
/// [`PREFS_SK`].
pub const PUSH_PREFIX: &str = "push#";
pub const PREFS_SK: &str = "prefs";

pub fn push_sk(device_id: &str) -> String {
    format!("{PUSH_PREFIX}{device_id}")
}

/// The sort key of both calendar records.
pub const CALENDAR_SK: &str = "calendar";

/// A rate-limit bucket's partition; its windows are sort keys `window#<start epoch>`.
pub fn rate_partition(bucket: &str) -> String {
    format!("_rate#{bucket}")
}

pub fn rate_window_sk(start_epoch: i64) -> String {
    format!("window#{start_epoch}")
}

/// All of one report perspective's unsubscribes in an audience's partition share this prefix.
pub fn unsub_prefix(perspective: Perspective) -> String {
    format!("unsub#{}#", perspective.as_str())
}

pub fn unsub_sk(perspective: Perspective, email: &Email) -> String {
    format!("{}{email}", unsub_prefix(perspective))
}

/// The fixed rate-limit window containing `now`: its start and end, in epoch seconds.
pub fn rate_window(now: DateTime<Utc>, window: Duration) -> (i64, i64) {
    let secs = window.num_seconds().max(1);
    let start = now.timestamp().div_euclid(secs) * secs;
    (start, start + secs)
}
