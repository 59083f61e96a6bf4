//! What the API returns: the JSON shapes, built from domain records for one reader.

use crate::directory::Entry;
use crate::photos::PhotoUrls;
use auth::MembershipView;
use chrono::{DateTime, Utc};
use domain::checklist::{Anchor, Template};
use domain::event::{AuditEntry, CrewRole, EventKind, EventStatus, NudgeRecord, Passengers};
use domain::org::{HomePort, Member, Org, Perspective};
use domain::timing::{Moment, TimingPanel};
use domain::{Event, Role};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OrgSummary {
    pub id: String,
    pub name: String,
    /// IANA zone of the org.
    pub zone: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Me {
    pub email: String,
    pub role: Role,
    pub org: OrgSummary,
    pub memberships: Vec<MembershipView>,
    /// When this session's token expires.
    pub session_expires_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CrewView {
    pub email: String,
    pub role: CrewRole,
    /// The member's display name, if they are (still) a member.
    pub name: Option<String>,
}

/// One event in a listing.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EventSummary {
    pub id: String,
    pub kind: EventKind,
    pub title: String,
    pub vessel: String,
    /// The org's vessel record (`GET /api/vessels`), when the vessel is one.
    pub vessel_id: Option<String>,
    pub passengers: Passengers,
    /// The smallest crew it may sail with: the vessel's minimum when its record sets one, else
    /// the kind's.
    pub crew_required: u32,
    /// Set while the event is underway past its return plus the org's grace.
    pub overdue: Option<OverdueView>,
    pub departs_at: Moment,
    pub returns_at: Moment,
    pub status: EventStatus,
    pub crew: Vec<CrewView>,
    /// The caller's part on this event, if any.
    pub my_role: Option<CrewRole>,
    pub tasks_done: usize,
    pub tasks_total: usize,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EventPage {
    pub events: Vec<EventSummary>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// A task of the checklist with its current state.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ChecklistTask {
    pub id: String,
    pub title: String,
    pub anchor: Anchor,
    pub offset_minutes: i32,
    pub role: CrewRole,
    pub safety_critical: bool,
    /// When it is due (absent where its anchor does not happen that day).
    pub due: Option<Moment>,
    /// On a headcount task: how many are expected aboard.
    pub headcount: Option<Headcount>,
    /// The note made with the task's last tick (empty if none).
    pub note: String,
    /// The photos attached with the task's last tick, with short-lived URLs.
    pub photos: Vec<TaskPhoto>,
    pub done: bool,
    pub done_by: Option<String>,
    pub done_at: Option<DateTime<Utc>>,
    /// The task does not apply to this trip (a sunset or dusk task of a trip back before then):
    /// not counted as open, missed or needed for a sign-off.
    pub not_applicable: bool,
}

/// A task named in a check: open before departure, or open at sign-off.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OpenTaskView {
    pub id: String,
    pub title: String,
    pub role: CrewRole,
    pub safety_critical: bool,
}

impl OpenTaskView {
    pub fn of(def: &domain::checklist::TaskDef) -> Self {
        Self {
            id: def.id.to_string(),
            title: def.title.clone(),
            role: def.role,
            safety_critical: def.safety_critical,
        }
    }
}

/// What "Mark departed" must show before it is confirmed (while the event is scheduled).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DepartureCheck {
    /// Minutes from now to the scheduled departure (negative once past it).
    pub minutes_early: i64,
    /// Safety-critical tasks due before departure and not done: departing needs each confirmed
    /// (`confirm_open_safety_tasks`).
    pub open_safety_tasks: Vec<OpenTaskView>,
}

/// Where the captain's sign-off stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SignOffStatus {
    /// Not returned yet: nothing to sign.
    NotYet,
    /// Returned, waiting for the captain's signature.
    Ready,
    /// Signed: the checklist is closed.
    Signed,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SignOffView {
    pub status: SignOffStatus,
    pub by: Option<String>,
    pub at: Option<DateTime<Utc>>,
    /// Open now (not yet signed), or open when it was signed.
    pub open_tasks: Vec<OpenTaskView>,
    /// Whether the reader may sign it now: the event's captain, or an admin when the event has no
    /// captain who is still a member. (The sign-off itself checks again.)
    pub can_sign: bool,
}

impl SignOffView {
    /// `None` for a cancelled event. `members`: the org's members by email, `me` and `role` the
    /// reader.
    pub fn of(
        event: &Event,
        org: &Org,
        now: DateTime<Utc>,
        members: &BTreeMap<String, String>,
        (me, role): (&domain::Email, Role),
    ) -> Option<Self> {
        if let Some(signed) = &event.signed_off {
            let template = event.template();
            return Some(Self {
                status: SignOffStatus::Signed,
                by: Some(signed.by.to_string()),
                at: Some(signed.at),
                open_tasks: signed
                    .open_tasks
                    .iter()
                    .filter_map(|id| template.task(id))
                    .map(OpenTaskView::of)
                    .collect(),
                can_sign: false,
            });
        }
        let status = match event.status {
            EventStatus::Cancelled => return None,
            EventStatus::Completed => SignOffStatus::Ready,
            EventStatus::Scheduled | EventStatus::Underway => SignOffStatus::NotYet,
        };
        let captain = event.crew.iter().find(|c| c.role == CrewRole::Captain);
        let can_sign = status == SignOffStatus::Ready
            && (captain.is_some_and(|c| &c.email == me)
                || (role == Role::Admin
                    && captain.is_none_or(|c| !members.contains_key(c.email.as_str()))));
        Some(Self {
            status,
            by: None,
            at: None,
            can_sign,
            open_tasks: domain::timing::open_tasks(event, org, now)
                .into_iter()
                .map(|t| OpenTaskView::of(t.def))
                .collect(),
        })
    }
}

impl DepartureCheck {
    pub fn of(event: &Event, org: &Org, now: DateTime<Utc>) -> Option<Self> {
        (event.status == EventStatus::Scheduled).then(|| Self {
            minutes_early: (event.departs_at - now).num_minutes(),
            open_safety_tasks: domain::timing::open_before_departure(event, org, now)
                .into_iter()
                .map(|t| OpenTaskView::of(t.def))
                .collect(),
        })
    }
}

/// The crew screen's ETag: the event's, marked once it is overdue (and again once acknowledged),
/// since time alone makes it overdue and a poll must then see the change, not a 304. Edits read
/// only the id and version from it (`If-Match`), so the mark changes nothing for them.
pub fn view_etag(event: &Event, org: &Org, now: DateTime<Utc>) -> String {
    let plain = event.etag();
    match OverdueView::of(event, org, now) {
        None => plain,
        Some(o) => format!(
            "{}-o{}\"",
            plain.trim_end_matches('"'),
            if o.acknowledged_at.is_some() { "a" } else { "" }
        ),
    }
}

/// A photo on a task.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TaskPhoto {
    pub id: String,
    pub content_type: domain::photo::PhotoType,
    /// The full image (a presigned URL, valid for hours).
    pub url: String,
    /// The phone-sized thumbnail.
    pub thumb_url: String,
}

/// An underway event not back in time.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OverdueView {
    /// Its return plus the org's grace.
    pub since: DateTime<Utc>,
    /// When an admin acknowledged the alert (no more repeats), if one did.
    pub acknowledged_at: Option<DateTime<Utc>>,
}

impl OverdueView {
    pub fn of(event: &Event, org: &Org, now: DateTime<Utc>) -> Option<Self> {
        let grace = org.safety.overdue_grace();
        let since = domain::nudge::overdue_from(event, grace);
        (event.status == EventStatus::Underway && now >= since).then(|| Self {
            since,
            acknowledged_at: event
                .overdue_acknowledged_at
                .filter(|_| domain::nudge::overdue_acknowledged(event, grace)),
        })
    }
}

/// Who a headcount should find aboard.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Headcount {
    pub passengers: u32,
    pub crew: u32,
    pub total: u32,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ChecklistPhase {
    pub id: String,
    pub title: String,
    pub tasks: Vec<ChecklistTask>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Checklist {
    pub template: String,
    pub phases: Vec<ChecklistPhase>,
    pub done: usize,
    pub total: usize,
}

/// The crew screen: the event, its checklist with states, the timing panel, nudges and audit.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EventView {
    pub id: String,
    pub kind: EventKind,
    pub title: String,
    pub vessel: String,
    /// The org's vessel record, when the vessel is one.
    pub vessel_id: Option<String>,
    pub passengers: Passengers,
    /// The smallest crew it may sail with: the vessel's minimum when set, else the kind's.
    pub crew_required: u32,
    /// Set while the event is underway past its return plus the org's grace: shore contacts and
    /// admins are alerted every 30 minutes until it is marked returned or acknowledged.
    pub overdue: Option<OverdueView>,
    pub departs_at: Moment,
    pub returns_at: Moment,
    pub crew: Vec<CrewView>,
    pub notes: String,
    /// Only for admins and executives.
    pub revenue_cents: Option<i64>,
    pub status: EventStatus,
    pub version: u64,
    /// The same value as the `ETag` header; send it back as `If-Match` to edit.
    pub etag: String,
    pub departed_at: Option<DateTime<Utc>>,
    pub returned_at: Option<DateTime<Utc>>,
    pub my_role: Option<CrewRole>,
    /// While scheduled: how early it is and the safety-critical tasks still open, for "Mark
    /// departed" to show before it is confirmed.
    pub departure_check: Option<DepartureCheck>,
    /// The captain's sign-off after the return; absent for a cancelled event.
    pub sign_off: Option<SignOffView>,
    pub checklist: Checklist,
    pub timing: TimingPanel,
    pub nudges: Vec<NudgeRecord>,
    pub audit: Vec<AuditEntry>,
    /// Where each photo the checklist and the history name can be seen (short-lived URLs).
    pub photo_urls: BTreeMap<String, PhotoUrls>,
    /// Display names of the people in the crew, the audit trail and the nudges, by email.
    pub people: BTreeMap<String, String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub fn names(members: &[Member]) -> BTreeMap<String, String> {
    members
        .iter()
        .map(|m| (m.email.to_string(), m.name.clone()))
        .collect()
}

fn crew(event: &Event, names: &BTreeMap<String, String>) -> Vec<CrewView> {
    event
        .crew
        .iter()
        .map(|c| CrewView {
            email: c.email.to_string(),
            role: c.role,
            name: names.get(c.email.as_str()).cloned(),
        })
        .collect()
}

fn done_count(event: &Event) -> usize {
    let template = event.template();
    template
        .tasks
        .iter()
        .filter(|t| event.tasks.get(&t.id).is_some_and(|s| s.done))
        .count()
}

impl EventSummary {
    pub fn new(event: &Event, entry: &Entry, me: &domain::Email, now: DateTime<Utc>) -> Self {
        let (org, names) = (&entry.org, &*entry.names);
        Self {
            id: event.id.to_string(),
            kind: event.kind,
            title: event.title.clone(),
            vessel: event.vessel.clone(),
            vessel_id: event.vessel_id.as_ref().map(|v| v.to_string()),
            passengers: event.passengers.clone(),
            crew_required: event.crew_required(entry.vessel(event)),
            overdue: OverdueView::of(event, org, now),
            departs_at: Moment::new(event.departs_at, org.zone),
            returns_at: Moment::new(event.returns_at, org.zone),
            status: event.status,
            crew: crew(event, names),
            my_role: event.crew_role_of(me),
            tasks_done: done_count(event),
            tasks_total: event.template().tasks.len()
                - domain::timing::not_applicable_count(event, org, now),
        }
    }
}

fn checklist(
    event: &Event,
    template: &Template,
    timing: &TimingPanel,
    photo_urls: &BTreeMap<String, PhotoUrls>,
) -> Checklist {
    let due: BTreeMap<&str, &Moment> = timing
        .tasks
        .iter()
        .filter_map(|t| t.due.as_ref().map(|d| (t.id.as_str(), d)))
        .collect();
    let not_applicable: std::collections::BTreeSet<&str> = timing
        .tasks
        .iter()
        .filter(|t| t.status == domain::timing::TaskStatus::NotApplicable)
        .map(|t| t.id.as_str())
        .collect();
    let phases = template
        .phases
        .iter()
        .map(|phase| ChecklistPhase {
            id: phase.id.clone(),
            title: phase.title.clone(),
            tasks: template
                .tasks
                .iter()
                .filter(|t| t.phase == phase.id)
                .map(|t| {
                    let state = event.tasks.get(&t.id);
                    let done = state.is_some_and(|s| s.done);
                    ChecklistTask {
                        not_applicable: not_applicable.contains(t.id.as_str()),
                        id: t.id.to_string(),
                        title: t.title.clone(),
                        anchor: t.anchor,
                        offset_minutes: t.offset_minutes,
                        role: t.role,
                        safety_critical: t.safety_critical,
                        due: due.get(t.id.as_str()).map(|m| (*m).clone()),
                        note: state.map(|s| s.note.clone()).unwrap_or_default(),
                        photos: state
                            .map(|s| {
                                s.photos
                                    .iter()
                                    .filter_map(|p| {
                                        let u = photo_urls.get(p.id.as_str())?;
                                        Some(TaskPhoto {
                                            id: p.id.to_string(),
                                            content_type: p.content_type,
                                            url: u.url.clone(),
                                            thumb_url: u.thumb_url.clone(),
                                        })
                                    })
                                    .collect()
                            })
                            .unwrap_or_default(),
                        headcount: t.headcount.then(|| Headcount {
                            passengers: event.passengers.count,
                            crew: event.crew.len() as u32,
                            total: event.persons_on_board(),
                        }),
                        done,
                        done_by: state.filter(|_| done).map(|s| s.by.to_string()),
                        done_at: state.filter(|_| done).map(|s| s.at),
                    }
                })
                .collect(),
        })
        .collect();
    Checklist {
        template: template.name.clone(),
        phases,
        done: done_count(event),
        total: template.tasks.len()
            - timing
                .tasks
                .iter()
                .filter(|t| t.status == domain::timing::TaskStatus::NotApplicable)
                .count(),
    }
}

impl EventView {
    pub fn new(
        event: &Event,
        entry: &Entry,
        me: &domain::Email,
        role: Role,
        now: DateTime<Utc>,
        photo_urls: &BTreeMap<String, PhotoUrls>,
    ) -> Self {
        let (org, names) = (&entry.org, &*entry.names);
        let timing = domain::timing::timing_panel(event, org, now);
        Self {
            id: event.id.to_string(),
            kind: event.kind,
            title: event.title.clone(),
            vessel: event.vessel.clone(),
            vessel_id: event.vessel_id.as_ref().map(|v| v.to_string()),
            passengers: event.passengers.clone(),
            crew_required: event.crew_required(entry.vessel(event)),
            overdue: OverdueView::of(event, org, now),
            departs_at: Moment::new(event.departs_at, org.zone),
            returns_at: Moment::new(event.returns_at, org.zone),
            crew: crew(event, names),
            notes: event.notes.clone(),
            revenue_cents: event.revenue_cents.filter(|_| role.sees_all_events()),
            status: event.status,
            version: event.version,
            etag: view_etag(event, org, now),
            departed_at: event.departed_at,
            returned_at: event.returned_at,
            my_role: event.crew_role_of(me),
            departure_check: DepartureCheck::of(event, org, now),
            sign_off: SignOffView::of(event, org, now, names, (me, role)),
            checklist: checklist(event, event.template(), &timing, photo_urls),
            photo_urls: photo_urls.clone(),
            timing,
            nudges: event.nudges.clone(),
            audit: event.audit.clone(),
            people: event
                .crew
                .iter()
                .map(|c| c.email.as_str())
                .chain(event.audit.iter().map(|a| a.by.as_str()))
                .chain(event.nudges.iter().map(|n| n.email.as_str()))
                .filter_map(|e| names.get(e).map(|n| (e.to_string(), n.clone())))
                .collect(),
            created_at: event.created_at,
            updated_at: event.updated_at,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TickResult {
    /// Set when this tick sent the float plan to the shore contacts (the float-plan task).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub float_plan: Option<crate::float_plan::FloatPlanSent>,
    /// False when this op id had been applied before (a replay): nothing changed.
    pub applied: bool,
    /// True when the tick was kept in the history but the task already held a tick made later on
    /// its device: the task's state (below) is that later tick's. The device time wins, not the
    /// order ticks reach the server in.
    pub superseded: bool,
    pub task_id: String,
    /// The task's state now (after this tick, or the later one that superseded it).
    pub done: bool,
    pub by: String,
    pub at: DateTime<Utc>,
    pub etag: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MemberView {
    pub email: String,
    pub name: String,
    pub role: Role,
    pub added_at: DateTime<Utc>,
}

impl From<&Member> for MemberView {
    fn from(m: &Member) -> Self {
        Self {
            email: m.email.to_string(),
            name: m.name.clone(),
            role: m.role,
            added_at: m.added_at,
        }
    }
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct HomePortView {
    pub name: String,
    pub latitude: f64,
    pub longitude: f64,
}

impl From<&HomePort> for HomePortView {
    fn from(p: &HomePort) -> Self {
        Self {
            name: p.name.clone(),
            latitude: p.latitude,
            longitude: p.longitude,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OrgView {
    pub id: String,
    pub name: String,
    pub zone: String,
    pub home_port: HomePortView,
    pub enabled_kinds: Vec<EventKind>,
    /// Recipients of each weekly report perspective (`operations`, `safety`, `crew`, `finance`,
    /// `executive_summary`).
    #[schema(value_type = BTreeMap<String, Vec<String>>)]
    pub report_recipients: BTreeMap<Perspective, Vec<String>>,
    /// Shore contacts (float plans, overdue alerts), the Coast Guard sector, the overdue grace.
    pub safety: domain::org::SafetySettings,
}

impl From<&Org> for OrgView {
    fn from(o: &Org) -> Self {
        Self {
            id: o.id.to_string(),
            name: o.name.clone(),
            zone: o.zone.name().to_string(),
            home_port: (&o.home_port).into(),
            enabled_kinds: o.enabled_kinds.clone(),
            report_recipients: o
                .report_recipients
                .iter()
                .map(|(p, list)| (*p, list.iter().map(|e| e.to_string()).collect()))
                .collect(),
            safety: o.safety.clone(),
        }
    }
}
