//! Events: list, create, read (with checklist and timing), edit, cancel, depart, return, tick.

use crate::views::{EventPage, EventSummary, EventView, TickResult};
use crate::{AppState, require};
use auth::Session;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use domain::event::{AuditAction, AuditEntry, EventFields, EventPatch, TaskState, TransitionError};
use domain::org::Org;
use domain::ports::{Cursor, PageRequest, StoreError, TaskTick};
use domain::timing::{TimingPanel, start_of_local_day, timing_panel};
use domain::{Email, Event, EventId, OpId, Role, TaskId, ValidationErrors};
use serde::Deserialize;
use web::{Json, Problem};

/// The longest listing window, in days.
pub const MAX_RANGE_DAYS: i64 = 92;
/// How far a device's clock may run ahead of ours when it stamps a tick.
const TICK_FUTURE_SLACK: Duration = Duration::minutes(5);
/// How old an offline tick may be when it finally syncs.
const TICK_MAX_AGE: Duration = Duration::days(30);

fn op_id() -> OpId {
    // A ULID always parses as an op id (26 alphanumerics).
    OpId::parse(&ulid_string()).unwrap_or_else(|_| unreachable!("a ULID is a valid op id"))
}

fn ulid_string() -> String {
    EventId::generate().to_string()
}

fn transition(e: TransitionError) -> Problem {
    Problem::conflict(e.to_string())
}

/// Crew and captains see the events they are on; admins and executives see all. Anything else is
/// "not found", like another org's event.
fn visible(session: &Session, event: &Event) -> bool {
    session.role.sees_all_events() || event.is_assigned(&session.email)
}

pub(crate) async fn load(state: &AppState, session: &Session, id: &str) -> Result<Event, Problem> {
    let id = EventId::parse(id).map_err(|_| Problem::not_found())?;
    let event = state.events.get_event(&session.scope, &id).await?;
    if !visible(session, &event) {
        return Err(Problem::not_found());
    }
    Ok(event)
}

async fn directory(
    state: &AppState,
    session: &Session,
) -> Result<crate::directory::Entry, Problem> {
    Ok(state
        .directory
        .get(
            &*state.orgs,
            &*state.members,
            &*state.vessels,
            &session.scope,
        )
        .await?)
}

/// Everyone on a crew is a member of the org who may work a checklist (admin, captain or crew; an
/// executive reads only). Read from the store, not the directory cache, so a person added a moment
/// ago on another instance can be put on a crew and one removed cannot. One Query, on writes only.
async fn check_crew(
    state: &AppState,
    session: &Session,
    crew: &[domain::CrewAssignment],
) -> Result<(), Problem> {
    let members = state.members.list_members(&session.scope).await?;
    let mut errors = ValidationErrors::new();
    for (i, c) in crew.iter().enumerate() {
        match members.iter().find(|m| m.email == c.email) {
            None => errors.push(
                format!("crew/{i}/email"),
                "not_member",
                format!(
                    "{} is not a member of this org: add them on the People screen first",
                    c.email.as_str()
                ),
            ),
            Some(m) if m.role == Role::Executive => errors.push(
                format!("crew/{i}/email"),
                "read_only",
                format!(
                    "{} is an executive here: executives read events but do not work checklists",
                    c.email.as_str()
                ),
            ),
            Some(_) => {}
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Problem::validation(errors))
    }
}

/// Takes a person who left the org off the crews of every event that can still change (scheduled
/// or underway, one paged Query on the departure index), so the crew screen and the counts show the
/// gap; each change is an audited edit. Failures are logged, not returned: the member record is
/// already gone, and the nudge sends only to members.
pub(crate) async fn drop_from_crews(state: &AppState, session: &Session, email: &Email) {
    let now = state.clock.now();
    let from = now - domain::event::LONGEST_EVENT;
    let (mut dropped, mut failed) = (0usize, 0usize);
    let mut page = PageRequest::first(100);
    loop {
        let got = match state
            .events
            .list_events(&session.scope, from, domain::event::AFTER_LAST_TIME, &page)
            .await
        {
            Ok(got) => got,
            Err(e) => {
                tracing::warn!(error = %e, dropped, "could not list events to take a removed member off their crews");
                return;
            }
        };
        for event in got
            .items
            .iter()
            .filter(|e| e.editable() && e.crew_role_of(email).is_some())
        {
            match drop_from_crew(state, session, event.clone(), email, now).await {
                Ok(()) => dropped += 1,
                Err(e) => {
                    failed += 1;
                    tracing::warn!(event = %event.id, error = %e, "a removed member is still on this crew");
                }
            }
        }
        match got.next {
            Some(cursor) => page = PageRequest::new(Some(100), Some(cursor)),
            None => break,
        }
    }
    tracing::info!(dropped, failed, "removed member taken off crews");
}

/// One event: the edit against the version read, re-read and retried when another edit won.
async fn drop_from_crew(
    state: &AppState,
    session: &Session,
    mut current: Event,
    email: &Email,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    for _ in 0..3 {
        let expected = current.version;
        let mut updated = current.clone();
        if !updated.drop_from_crew(email, &session.email, now) {
            return Ok(());
        }
        let audit = AuditEntry {
            op_id: op_id(),
            action: AuditAction::Edited {
                fields: vec!["crew".into()],
            },
            by: session.email.clone(),
            at: now,
        };
        match state
            .events
            .update_event(&session.scope, &updated, expected, &audit)
            .await
        {
            Ok(_) => return Ok(()),
            Err(StoreError::Conflict) => {
                current = state.events.get_event(&session.scope, &current.id).await?;
            }
            Err(e) => return Err(e),
        }
    }
    Err(StoreError::Conflict)
}

fn with_etag(etag: &str, status: StatusCode, body: impl IntoResponse) -> Response {
    let mut response = (status, body).into_response();
    if let Ok(v) = HeaderValue::from_str(etag) {
        response.headers_mut().insert(header::ETAG, v);
    }
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-cache"),
    );
    response
}

async fn view(
    state: &AppState,
    session: &Session,
    event: &Event,
    status: StatusCode,
) -> Result<Response, Problem> {
    let entry = directory(state, session).await?;
    let photo_urls = crate::photos::urls(state, event).await?;
    let body = EventView::new(
        event,
        &entry,
        &session.email,
        session.role,
        state.clock.now(),
        &photo_urls,
    );
    let etag = body.etag.clone();
    Ok(with_etag(&etag, status, Json(body)))
}

/// Carries out the nudge plan for an event. A scheduler failure is logged, never fails the
/// request: the event change is already stored, and the next edit re-plans.
async fn reschedule(state: &AppState, session: &Session, event: &Event) {
    // The org's grace for the overdue alert; the directory's copy is at most 30 s old.
    let grace = match directory(state, session).await {
        Ok(entry) => entry.org.safety.overdue_grace(),
        Err(_) => domain::org::SafetySettings::default().overdue_grace(),
    };
    let applied = domain::nudge::apply(&*state.scheduler, event, grace, state.clock.now()).await;
    for (kind, e) in applied.failed {
        tracing::error!(event = %event.id, kind = kind.as_str(), error = %e, "nudge schedule not updated; the hourly reconciliation retries it");
    }
}

/// Publishes one lifecycle change to the domain-event feed. A failure is logged and never fails
/// the request: the change is stored, the feed is for audit and integration.
async fn publish(state: &AppState, kind: &str, event: &Event) {
    let record = domain::ports::DomainEvent {
        kind: kind.to_string(),
        org_id: event.org_id.clone(),
        event_id: event.id.clone(),
        at: state.clock.now(),
        detail: serde_json::json!({
            "event_kind": event.kind,
            "status": event.status,
            "version": event.version,
            "departs_at": event.departs_at,
            "returns_at": event.returns_at,
            "departed_at": event.departed_at,
            "returned_at": event.returned_at,
        }),
    };
    if let Err(e) = state.publisher.publish(&[record]).await {
        tracing::warn!(event = %event.id, error = %e, "domain event not published");
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// First local date (YYYY-MM-DD, org's zone); default today.
    pub from: Option<String>,
    /// Last local date, inclusive; default `from` + 7 days.
    pub to: Option<String>,
    /// From the previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// Page size, 1 to 100 (default 50).
    pub limit: Option<u32>,
}

fn local_date(field: &str, raw: &str) -> Result<NaiveDate, Problem> {
    NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| {
        Problem::validation(ValidationErrors::single(
            field,
            "invalid_date",
            "a date is YYYY-MM-DD",
        ))
    })
}

/// A strong ETag of a listing: the first 128 bits of the SHA-256 of the exact body, in hex. The
/// body is everything a change could show in (an event's fields and status, a tick's count, a
/// crew member's name, which events this caller may see, the page's cursor), so hashing it needs
/// no bookkeeping of what feeds it, and equal tags mean byte-equal bodies. The store is still
/// read; a 304 saves the transfer and the client's re-render.
pub(crate) fn listing_etag(body: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(body);
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("\"l-{hex}\"")
}

/// Whether an `If-None-Match` value matches `etag` (the weak comparison RFC 9110 prescribes for
/// it, so a `W/` prefix added by a proxy still matches).
pub(crate) fn none_match(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .map(|t| t.trim().trim_start_matches("W/"))
                .any(|t| t == etag || t == "*")
        })
}

/// Events by departure, in local dates of the org.
///
/// The `ETag` is a hash of the page's body: send it back as `If-None-Match` to refresh for a 304
/// when nothing on the page changed.
#[utoipa::path(get, path = "/api/events", tag = "events",
    params(ListQuery,
        ("If-None-Match" = Option<String>, Header, description = "The ETag of the same page read before: 304 if it is unchanged")),
    responses(
        (status = 200, description = "Events departing in the range, by departure; ETag header set", body = EventPage),
        (status = 304, description = "The page is unchanged since the ETag"),
        (status = 400, description = "Bad dates, range or cursor", body = web::ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = web::ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn list(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Response, Problem> {
    let Query(q) = query.map_err(|e| Problem::bad_request(e.body_text()))?;
    let entry = directory(&state, &session).await?;
    let zone = entry.org.zone;
    let today = state.clock.now().with_timezone(&zone).date_naive();
    let from = q
        .from
        .as_deref()
        .map(|d| local_date("from", d))
        .transpose()?
        .unwrap_or(today);
    let to =
        q.to.as_deref()
            .map(|d| local_date("to", d))
            .transpose()?
            .unwrap_or(from + Duration::days(7));
    if to < from || (to - from).num_days() > MAX_RANGE_DAYS {
        return Err(Problem::validation(ValidationErrors::single(
            "to",
            "range",
            format!("to is on or after from, at most {MAX_RANGE_DAYS} days later"),
        )));
    }
    let page = PageRequest::new(q.limit, q.cursor.as_deref().map(Cursor::from_client));
    let start = start_of_local_day(from, zone);
    let end = start_of_local_day(to + Duration::days(1), zone);
    let got = state
        .events
        .list_events(&session.scope, start, end, &page)
        .await?;
    let events = got
        .items
        .iter()
        .filter(|e| visible(&session, e))
        .map(|e| EventSummary::new(e, &entry, &session.email, state.clock.now()))
        .collect();
    let page = EventPage {
        events,
        next_cursor: got.next.map(|c| c.as_str().to_string()),
    };
    let body = serde_json::to_vec(&page)
        .map_err(|e| Problem::internal().with_detail(format!("event page: {e}")))?;
    let etag = listing_etag(&body);
    let mut response = if none_match(&headers, &etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            body,
        )
            .into_response()
    };
    if let Ok(v) = HeaderValue::from_str(&etag) {
        response.headers_mut().insert(header::ETAG, v);
    }
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-cache"),
    );
    Ok(response)
}

/// Create an event (admin). A kind that needs a captain must have one (400 `captain_required`);
/// a departure in the past or fewer crew than it sails with are warnings to confirm (`confirm`).
#[utoipa::path(post, path = "/api/events", tag = "events", request_body = EventFields,
    responses(
        (status = 201, description = "Created; Location names it", body = EventView),
        (status = 400, description = "Invalid fields, each named", body = web::ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = web::ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "`/problems/unconfirmed-warnings`: `departure_in_past` or `short_of_crew`, listed in `errors`; send again naming them in `confirm`", body = web::ProblemBody, content_type = "application/problem+json"),
        (status = 413, description = "Body over 64 KiB", body = web::ProblemBody, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = web::ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn create(
    State(state): State<AppState>,
    session: Session,
    Json(fields): Json<EventFields>,
) -> Result<Response, Problem> {
    require(&session, &[Role::Admin])?;
    let entry = directory(&state, &session).await?;
    let vessels = state.vessels.list_vessels(&session.scope).await?;
    let spec = fields.parse(&entry.org, &vessels)?;
    check_crew(&state, &session, &spec.crew).await?;
    let now = state.clock.now();
    let vessel = spec
        .vessel_id
        .as_ref()
        .and_then(|id| vessels.iter().find(|v| &v.id == id));
    let unconfirmed = ValidationErrors(
        spec.warnings(vessel, now)
            .0
            .into_iter()
            .filter(|w| !fields.confirm.iter().any(|c| c == w.code))
            .collect(),
    );
    if !unconfirmed.is_empty() {
        let detail = unconfirmed
            .0
            .iter()
            .map(|w| w.message.as_str())
            .collect::<Vec<_>>()
            .join("; ");
        return Err(Problem::unconfirmed(
            "unconfirmed-warnings",
            "Confirm these before the event is created",
            detail,
            unconfirmed,
        ));
    }
    let mut event = Event::new(
        EventId::generate(),
        session.org().clone(),
        spec,
        session.email.clone(),
        now,
    );
    event.audit.push(AuditEntry {
        op_id: op_id(),
        action: AuditAction::Created,
        by: session.email.clone(),
        at: now,
    });
    state.events.create_event(&session.scope, &event).await?;
    tracing::info!(event = %event.id, kind = %event.kind, "event created");
    reschedule(&state, &session, &event).await;
    publish(&state, "event.created", &event).await;
    let mut response = view(&state, &session, &event, StatusCode::CREATED).await?;
    if let Ok(location) = HeaderValue::from_str(&format!("/api/events/{}", event.id)) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

/// The crew screen: event, checklist with states, timing panel, nudges, audit trail.
#[utoipa::path(get, path = "/api/events/{id}", tag = "events",
    params(("id" = String, Path, description = "Event id (ULID)"),
        ("If-None-Match" = Option<String>, Header, description = "An ETag from a previous read: 304 if unchanged")),
    responses(
        (status = 200, description = "The event; ETag header set", body = EventView),
        (status = 304, description = "Unchanged since the ETag"),
        (status = 404, description = "No such event in your org, or not one you are on", body = web::ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn show(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let event = load(&state, &session, &id).await?;
    let org = directory(&state, &session).await?.org;
    let etag = crate::views::view_etag(&event, &org, state.clock.now());
    let unchanged = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    if unchanged {
        return Ok(with_etag(&etag, StatusCode::NOT_MODIFIED, ()));
    }
    view(&state, &session, &event, StatusCode::OK).await
}

/// The version an `If-Match` ETag was read at. Ticks bump only the revision part, so they never
/// make an edit stale: edits and ticks write different attributes.
fn if_match_version(headers: &HeaderMap, event: &Event) -> Result<u64, Problem> {
    let raw = headers
        .get(header::IF_MATCH)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(Problem::precondition_required)?;
    let tag = raw.trim().trim_start_matches("W/").trim_matches('"');
    let mut parts = tag.split('-');
    match (
        parts.next(),
        parts.next().and_then(|v| v.parse::<u64>().ok()),
    ) {
        (Some(id), Some(version)) if id == event.id.as_str() => Ok(version),
        _ => Err(Problem::precondition_failed()),
    }
}

/// Edit an event (admin; the event's captain may change crew and notes). Needs `If-Match`.
#[utoipa::path(patch, path = "/api/events/{id}", tag = "events", request_body = EventPatch,
    params(("id" = String, Path, description = "Event id"),
        ("If-Match" = String, Header, description = "The ETag you read")),
    responses(
        (status = 200, description = "Edited", body = EventView),
        (status = 400, description = "Invalid fields", body = web::ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Your role may not change these fields", body = web::ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such event", body = web::ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "Cancelled or completed events cannot change", body = web::ProblemBody, content_type = "application/problem+json"),
        (status = 412, description = "Changed since you read it", body = web::ProblemBody, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = web::ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn edit(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(patch): Json<EventPatch>,
) -> Result<Response, Problem> {
    require(&session, &[Role::Admin, Role::Captain])?;
    let event = load(&state, &session, &id).await?;
    if session.role == Role::Captain {
        let leads = event.crew_role_of(&session.email) == Some(domain::CrewRole::Captain);
        // The captain answers for who is aboard: crew, passengers and their contact, and notes.
        let only_aboard_and_notes = patch
            .touched()
            .iter()
            .all(|f| matches!(*f, "crew" | "notes" | "passengers" | "emergency_contact"));
        if !leads || !only_aboard_and_notes {
            return Err(Problem::forbidden());
        }
    }
    let expected = if_match_version(&headers, &event)?;
    if expected != event.version {
        return Err(Problem::precondition_failed());
    }
    if !event.editable() {
        return Err(Problem::conflict(format!(
            "the event is {}",
            event.status.as_str()
        )));
    }
    let entry = directory(&state, &session).await?;
    let vessels = state.vessels.list_vessels(&session.scope).await?;
    let spec = patch.apply(&event, &entry.org, &vessels)?;
    if patch.touched().contains(&"crew") {
        check_crew(&state, &session, &spec.crew).await?;
    }
    let mut updated = event.clone();
    let changed = updated.apply_spec(spec, &session.email, state.clock.now());
    if changed.is_empty() {
        return view(&state, &session, &event, StatusCode::OK).await;
    }
    let audit = AuditEntry {
        op_id: op_id(),
        action: AuditAction::Edited {
            fields: changed.clone(),
        },
        by: session.email.clone(),
        at: state.clock.now(),
    };
    let saved = state
        .events
        .update_event(&session.scope, &updated, expected, &audit)
        .await?;
    tracing::info!(event = %saved.id, fields = ?changed, "event edited");
    // A float plan that went out and no longer says when the boat is due back or who is aboard
    // is replaced by an update at once.
    if changed
        .iter()
        .any(|f| domain::float_plan::PLAN_FIELDS.contains(&f.as_str()))
        && crate::float_plan::ever_sent(&saved)
        && let Err(e) = crate::float_plan::send(&state, &session.scope, &saved).await
    {
        tracing::warn!(event = %saved.id, error = ?e, "float plan update not sent");
    }
    if changed
        .iter()
        .any(|f| matches!(f.as_str(), "departs_at" | "returns_at" | "kind"))
    {
        reschedule(&state, &session, &saved).await;
    }
    view(&state, &session, &saved, StatusCode::OK).await
}

/// The caller's org, as the directory keeps it.
pub(crate) async fn org_of(state: &AppState, session: &Session) -> Result<Org, Problem> {
    Ok(directory(state, session).await?.org)
}

/// Applies a status transition and stores it against the version it was read at.
pub(crate) async fn transition_and_store(
    state: &AppState,
    session: &Session,
    event: Event,
    kind: &str,
    action: AuditAction,
    apply: impl FnOnce(&mut Event) -> Result<(), TransitionError>,
) -> Result<Response, Problem> {
    let mut updated = event.clone();
    apply(&mut updated).map_err(transition)?;
    let audit = AuditEntry {
        op_id: op_id(),
        action,
        by: session.email.clone(),
        at: state.clock.now(),
    };
    let saved = match state
        .events
        .update_event(&session.scope, &updated, event.version, &audit)
        .await
    {
        Err(StoreError::Conflict) => {
            return Err(Problem::conflict(
                "the event changed meanwhile; reload and retry",
            ));
        }
        other => other?,
    };
    tracing::info!(event = %saved.id, status = saved.status.as_str(), "event status changed");
    reschedule(state, session, &saved).await;
    publish(state, kind, &saved).await;
    view(state, session, &saved, StatusCode::OK).await
}

/// Cancel an event (admin); its nudges are deleted.
#[utoipa::path(post, path = "/api/events/{id}/cancel", tag = "events",
    params(("id" = String, Path, description = "Event id")),
    responses(
        (status = 200, description = "Cancelled", body = EventView),
        (status = 403, description = "Not an admin", body = web::ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such event", body = web::ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "Not scheduled any more", body = web::ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn cancel(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    require(&session, &[Role::Admin])?;
    let event = load(&state, &session, &id).await?;
    let (by, now) = (session.email.clone(), state.clock.now());
    transition_and_store(
        &state,
        &session,
        event,
        "event.cancelled",
        AuditAction::Cancelled,
        |e| e.cancel(&by, now),
    )
    .await
}

/// Acknowledge the overdue alert (admin): the office knows, no more repeats for this return
/// time. A later return time set afterwards starts the alerts again when it passes.
#[utoipa::path(post, path = "/api/events/{id}/overdue/acknowledge", tag = "events",
    params(("id" = String, Path, description = "Event id")),
    responses(
        (status = 200, description = "Acknowledged", body = EventView),
        (status = 403, description = "Not an admin", body = web::ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such event", body = web::ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "Not underway, or not overdue yet", body = web::ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn acknowledge_overdue(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    require(&session, &[Role::Admin])?;
    let event = load(&state, &session, &id).await?;
    let entry = directory(&state, &session).await?;
    let now = state.clock.now();
    if event.status == domain::event::EventStatus::Underway
        && crate::views::OverdueView::of(&event, &entry.org, now).is_none()
    {
        return Err(Problem::conflict("the event is not overdue yet"));
    }
    let by = session.email.clone();
    transition_and_store(
        &state,
        &session,
        event,
        "event.overdue_acknowledged",
        AuditAction::OverdueAcknowledged,
        |e| e.acknowledge_overdue(&by, now),
    )
    .await
}

/// The actual time of a return; default now.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActualTime {
    /// RFC 3339; at most five minutes ahead of the server's clock.
    pub at: Option<String>,
}

/// Marking departed: when, and the open safety-critical tasks the person saw and leaves with.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Departure {
    /// RFC 3339; at most five minutes ahead of the server's clock. Default now.
    pub at: Option<String>,
    /// The ids of the safety-critical tasks still open (the view's `departure_check`) that the
    /// person confirms departing with. Every open one must be named, or the answer is 409
    /// `/problems/open-safety-tasks` listing them.
    #[serde(default)]
    pub confirm_open_safety_tasks: Vec<String>,
}

/// An optional JSON body: empty means the default.
fn optional_json<T: serde::de::DeserializeOwned + Default>(
    headers: &HeaderMap,
    body: &[u8],
) -> Result<T, Problem> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !json {
        return Err(Problem::unsupported_media_type());
    }
    serde_json::from_slice(body).map_err(|e| Problem::bad_request(e.to_string()))
}

/// The actual time of a departure or return: `raw` (RFC 3339), or now.
fn actual_time(raw: Option<String>, now: DateTime<Utc>) -> Result<DateTime<Utc>, Problem> {
    let Some(raw) = raw else {
        return Ok(now);
    };
    let at = DateTime::parse_from_rfc3339(&raw)
        .map_err(|_| {
            Problem::validation(ValidationErrors::single(
                "at",
                "invalid_time",
                "at is RFC 3339",
            ))
        })?
        .with_timezone(&Utc);
    if at > now + TICK_FUTURE_SLACK {
        return Err(Problem::validation(ValidationErrors::single(
            "at",
            "future",
            "at is not in the future",
        )));
    }
    Ok(at)
}

/// Who may tick a task: anyone working the event for a crew task; the event's captain and admins
/// for a captain's task (the float plan, the VHF check, the forecast: the captain answers for them).
pub(crate) fn may_tick(
    session: &Session,
    event: &Event,
    task: &domain::checklist::TaskDef,
) -> Result<(), Problem> {
    let leads = event.crew_role_of(&session.email) == Some(domain::CrewRole::Captain);
    if task.role == domain::CrewRole::Captain && !leads && session.role != Role::Admin {
        return Err(Problem::forbidden().with_detail(format!(
            "\"{}\" is the captain's task: the event's captain or the office ticks it",
            task.title
        )));
    }
    Ok(())
}

/// Who may mark departed or returned: admins, and the event's captain.
pub(crate) fn may_command(session: &Session, event: &Event) -> Result<(), Problem> {
    let leads = event.crew_role_of(&session.email) == Some(domain::CrewRole::Captain);
    if session.role == Role::Admin || (session.role == Role::Captain && leads) {
        Ok(())
    } else {
        Err(Problem::forbidden())
    }
}

/// Mark the event departed (admin or its captain). Departure is a safety moment: while
/// safety-critical tasks due before departure are open, it must name each of them in
/// `confirm_open_safety_tasks` (the view's `departure_check` lists them); the audit entry records
/// them and how early it left, and the weekly safety report counts such departures.
#[utoipa::path(post, path = "/api/events/{id}/departed", tag = "events", request_body(content = Option<Departure>),
    params(("id" = String, Path, description = "Event id")),
    responses(
        (status = 200, description = "Underway", body = EventView),
        (status = 400, description = "Bad time", body = web::ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin or the event's captain", body = web::ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "Not scheduled; or `/problems/open-safety-tasks`: safety-critical tasks are open and not confirmed, each listed in `errors` as `task/<id>`", body = web::ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn departed(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, Problem> {
    captains_command(&state, &session, &id, &headers, &body, Command::Depart).await
}

/// Mark the event returned (admin or its captain).
#[utoipa::path(post, path = "/api/events/{id}/returned", tag = "events", request_body(content = Option<ActualTime>),
    params(("id" = String, Path, description = "Event id")),
    responses(
        (status = 200, description = "Completed", body = EventView),
        (status = 403, description = "Not an admin or the event's captain", body = web::ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "Not underway", body = web::ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn returned(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, Problem> {
    captains_command(&state, &session, &id, &headers, &body, Command::Return).await
}

#[derive(Clone, Copy)]
enum Command {
    Depart,
    Return,
}

/// Departed or returned: admins and the event's captain, at an actual time (default now).
async fn captains_command(
    state: &AppState,
    session: &Session,
    id: &str,
    headers: &HeaderMap,
    body: &[u8],
    command: Command,
) -> Result<Response, Problem> {
    require(session, &[Role::Admin, Role::Captain])?;
    let event = load(state, session, id).await?;
    may_command(session, &event)?;
    let now = state.clock.now();
    let by = session.email.clone();
    match command {
        Command::Depart => {
            let request: Departure = optional_json(headers, body)?;
            let at = actual_time(request.at.clone(), now)?;
            let org = directory(state, session).await?.org;
            let open = open_safety_confirmed(&event, &org, now, &request)?;
            let minutes_early = Some((event.departs_at - at).num_minutes()).filter(|m| *m > 0);
            let ids = open.clone();
            transition_and_store(
                state,
                session,
                event,
                "event.departed",
                AuditAction::Departed {
                    open_safety_tasks: open,
                    minutes_early,
                },
                |e| e.depart(at, ids, &by, now),
            )
            .await
        }
        Command::Return => {
            let request: ActualTime = optional_json(headers, body)?;
            let at = actual_time(request.at, now)?;
            transition_and_store(
                state,
                session,
                event,
                "event.returned",
                AuditAction::Returned,
                |e| e.complete(at, &by, now),
            )
            .await
        }
    }
}

/// The open safety-critical tasks due before departure, once every one is confirmed; else 409
/// listing them (a scheduled event's state, so a stale list on the phone is caught too).
fn open_safety_confirmed(
    event: &Event,
    org: &Org,
    now: DateTime<Utc>,
    request: &Departure,
) -> Result<Vec<TaskId>, Problem> {
    if event.status != domain::EventStatus::Scheduled {
        // The transition refuses it with its own message.
        return Ok(Vec::new());
    }
    let open = domain::timing::open_before_departure(event, org, now);
    let confirmed = |id: &TaskId| {
        request
            .confirm_open_safety_tasks
            .iter()
            .any(|c| c.trim() == id.as_str())
    };
    if open.iter().all(|t| confirmed(&t.def.id)) {
        return Ok(open.into_iter().map(|t| t.def.id.clone()).collect());
    }
    let items = crate::sign_off::task_items(&open, "open_safety_task");
    Err(Problem::unconfirmed(
        "open-safety-tasks",
        "Safety-critical tasks are still open",
        format!(
            "{} safety-critical task{} due before departure {} not done; confirm departing with {} open",
            open.len(),
            if open.len() == 1 { "" } else { "s" },
            if open.len() == 1 { "is" } else { "are" },
            if open.len() == 1 { "it" } else { "them" },
        ),
        items,
    ))
}

/// The timing panel alone.
#[utoipa::path(get, path = "/api/events/{id}/timing", tag = "events",
    params(("id" = String, Path, description = "Event id")),
    responses(
        (status = 200, description = "Now, zone, departure and return, sunset, civil dusk, every task's due time and state", body = TimingPanel),
        (status = 404, description = "No such event", body = web::ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn timing(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Json<TimingPanel>, Problem> {
    let event = load(&state, &session, &id).await?;
    let org: Org = directory(&state, &session).await?.org;
    Ok(Json(timing_panel(&event, &org, state.clock.now())))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TickRequest {
    pub done: bool,
    /// A client-made id for this change (UUID or ULID); replaying it applies it once.
    pub op_id: String,
    /// When the person ticked it, on their device (RFC 3339); it may be hours old after offline work.
    pub at: String,
    /// A note with the tick: a fuel reading, damage found (at most 280 characters).
    #[serde(default)]
    pub note: String,
    /// Photos attached with the tick (at most 3), each uploaded first (full image and thumbnail)
    /// with the URLs `POST /api/events/{id}/tasks/{task_id}/photos` gives.
    #[serde(default)]
    pub photos: Vec<domain::photo::PhotoRef>,
}

/// Tick or untick one task (assigned crew, captain, admin). Idempotent by `op_id`.
#[utoipa::path(put, path = "/api/events/{id}/tasks/{task_id}", tag = "events", request_body = TickRequest,
    params(("id" = String, Path, description = "Event id"), ("task_id" = String, Path, description = "Task id from the template")),
    responses(
        (status = 200, description = "Recorded (or already recorded: `applied` false; or kept in the history only, as the task holds a later tick: `superseded` true)", body = TickResult),
        (status = 400, description = "Bad op id or time", body = web::ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Executives read only; a captain's task is the event's captain's or an admin's", body = web::ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such event or task", body = web::ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "The event is cancelled, or its checklist signed off", body = web::ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn tick(
    State(state): State<AppState>,
    session: Session,
    Path((id, task_id)): Path<(String, String)>,
    Json(body): Json<TickRequest>,
) -> Result<Json<TickResult>, Problem> {
    require(&session, &[Role::Crew, Role::Captain, Role::Admin])?;
    let event = load(&state, &session, &id).await?;
    let task =
        TaskId::parse(&task_id).map_err(|_| Problem::not_found().with_detail("no such task"))?;
    let Some(def) = event.template().task(&task) else {
        return Err(Problem::not_found().with_detail("no such task"));
    };
    may_tick(&session, &event, def)?;
    // A closed checklist (cancelled, signed off) is the store's to refuse: it still answers a
    // replay of a tick it took before, so a phone that lost the first answer is not told "no".
    let mut errors = ValidationErrors::new();
    let op = errors.absorb("op_id", OpId::parse(&body.op_id));
    let now = state.clock.now();
    let at = match DateTime::parse_from_rfc3339(&body.at) {
        Ok(t) => {
            let t = t.with_timezone(&Utc);
            if t > now + TICK_FUTURE_SLACK {
                errors.push("at", "future", "at is not in the future");
            } else if t < now - TICK_MAX_AGE {
                errors.push("at", "too_old", "at is within the last 30 days");
            }
            Some(t)
        }
        Err(_) => {
            errors.push("at", "invalid_time", "at is RFC 3339");
            None
        }
    };
    let note = crate::photos::check_note(&mut errors, &body.note);
    crate::photos::check_uploaded(&state, &event, &body.photos, &mut errors).await?;
    let (Some(op_id), Some(at), true) = (op, at, errors.is_empty()) else {
        return Err(Problem::validation(errors));
    };
    let outcome = state
        .events
        .record_task(
            &session.scope,
            &event.id,
            &TaskTick {
                task: task.clone(),
                state: TaskState {
                    done: body.done,
                    by: session.email.clone(),
                    at,
                    recorded_at: now,
                    op_id,
                    note,
                    photos: body.photos.clone(),
                },
            },
        )
        .await
        .map_err(|e| match e {
            // The store refuses a tick on a cancelled or signed-off event in the write itself, so
            // a tick that raced a cancel or a sign-off (read before it, written after) is refused
            // too.
            StoreError::Closed if !event.checklist_open() => crate::sign_off::closed(&event),
            StoreError::Closed => Problem::conflict(
                "the checklist closed meanwhile: the event was cancelled or signed off",
            ),
            other => other.into(),
        })?;
    let state_now = outcome
        .event
        .tasks
        .get(&task)
        .cloned()
        .ok_or_else(|| Problem::internal().with_detail("tick recorded but not found"))?;
    // Ticking "leave a float plan ashore" leaves it: the plan goes to the shore contacts (once
    // per version; a replayed or superseded tick sends nothing). A failure does not undo the tick.
    let float_plan = if task.as_str() == crate::float_plan::FLOAT_PLAN_TASK
        && outcome.applied
        && !outcome.superseded
        && state_now.done
        && outcome.event.editable()
    {
        match crate::float_plan::send(&state, &session.scope, &outcome.event).await {
            Ok(sent) => Some(sent),
            Err(e) => {
                tracing::warn!(event = %outcome.event.id, error = ?e, "float plan not sent on its tick");
                None
            }
        }
    } else {
        None
    };
    Ok(Json(TickResult {
        float_plan,
        applied: outcome.applied,
        superseded: outcome.superseded,
        task_id: task.to_string(),
        done: state_now.done,
        by: state_now.by.to_string(),
        at: state_now.at,
        etag: outcome.event.etag(),
    }))
}
