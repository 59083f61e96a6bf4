//! A person's calendar feed: a private iCalendar (RFC 5545) subscription URL listing the events
//! they are on, across all their orgs, for the phone's calendar to poll.
//!
//! The URL carries a 256-bit random token; the store keeps only its keyed hash
//! ([`auth::Pepper::feed_hash`]), so the token is shown once, when it is made. Making a new one or
//! revoking kills the old URL in the same write. Each request resolves the token to the person,
//! then their memberships as they are now (a removed member's org is gone at once), and reads each
//! org's events with one paged Query on its departure index.

use crate::AppState;
use auth::Session;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};
use domain::event::{EventStatus, LONGEST_EVENT};
use domain::org::{Org, OrgScope};
use domain::ports::{CalendarFeed, PageRequest};
use domain::{CrewRole, Email, Event};
use icalendar::{Calendar, Component, EventLike};
use serde::Serialize;
use std::collections::BTreeMap;
use web::{Json, Problem};

/// How far back the feed reaches.
pub const FEED_PAST: Duration = Duration::days(30);
/// How far ahead the feed reaches.
pub const FEED_AHEAD: Duration = Duration::days(400);
/// How long a calendar client may keep the feed before asking again (also sent in the feed as
/// `REFRESH-INTERVAL`): a change shows within this.
pub const FEED_MAX_AGE_SECS: u64 = 900;
/// A feed lists at most this many events; the rest (the furthest ahead) are left off.
pub const FEED_MAX_EVENTS: usize = 1000;

/// Whether the caller has a calendar feed, and since when. The URL itself is shown only once.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CalendarFeedStatus {
    pub subscribed: bool,
    pub created_at: Option<DateTime<Utc>>,
}

/// A new feed's subscription URLs: shown this once, never again.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NewCalendarFeed {
    /// For calendar apps that take an https URL (Google Calendar's "From URL").
    pub https_url: String,
    /// Opens the phone's calendar app straight into "subscribe" (iOS, macOS, most Android apps).
    pub webcal_url: String,
    pub created_at: DateTime<Utc>,
}

/// Whether the caller has a calendar feed.
#[utoipa::path(get, path = "/api/me/calendar", tag = "me",
    responses((status = 200, description = "The caller's feed, without its URL", body = CalendarFeedStatus)))]
pub async fn status(
    State(state): State<AppState>,
    session: Session,
) -> Result<Json<CalendarFeedStatus>, Problem> {
    let feed = state.calendars.calendar_feed(&session.email).await?;
    Ok(Json(CalendarFeedStatus {
        subscribed: feed.is_some(),
        created_at: feed.map(|f| f.created_at),
    }))
}

/// Makes the caller a new private feed URL, replacing (and killing) any earlier one. The URL is
/// in this answer only.
#[utoipa::path(post, path = "/api/me/calendar", tag = "me",
    responses((status = 201, description = "The new feed; the old URL no longer works", body = NewCalendarFeed),
        (status = 412, description = "Another request changed the feed at the same moment: try again", body = web::ProblemBody, content_type = "application/problem+json")))]
pub async fn create(State(state): State<AppState>, session: Session) -> Result<Response, Problem> {
    let token = auth::secrets::fresh_feed_token().map_err(|_| Problem::internal())?;
    let created_at = state.clock.now();
    state
        .calendars
        .put_calendar_feed(&CalendarFeed {
            email: session.email.clone(),
            token_hash: state.auth.pepper.feed_hash(&token),
            created_at,
        })
        .await?;
    let https_url = format!("{}/cal/{token}.ics", state.auth.app_url);
    let webcal_url = match https_url.split_once("://") {
        Some((_, rest)) => format!("webcal://{rest}"),
        None => https_url.clone(),
    };
    let mut response = (
        StatusCode::CREATED,
        Json(NewCalendarFeed {
            https_url,
            webcal_url,
            created_at,
        }),
    )
        .into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// Revokes the caller's feed: its URL stops working at once.
#[utoipa::path(delete, path = "/api/me/calendar", tag = "me",
    responses((status = 204, description = "Revoked (or there was none)")))]
pub async fn revoke(
    State(state): State<AppState>,
    session: Session,
) -> Result<StatusCode, Problem> {
    state.calendars.revoke_calendar_feed(&session.email).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The feed itself, `GET /cal/<token>.ics`: no bearer token, the URL's token is the credential.
/// An unknown, revoked or malformed token is a 404, the same answer for all.
///
/// iCalendar (RFC 5545), times in UTC: the events the token's owner is on in any of their orgs,
/// from 30 days back. `ETag` and `If-None-Match` give a 304 when nothing changed; calendar apps
/// may keep it 15 minutes.
#[utoipa::path(get, path = "/cal/{file}", tag = "me", security(()),
    params(("file" = String, Path, description = "`<token>.ics`, from the URL `POST /api/me/calendar` answered"),
        ("If-None-Match" = Option<String>, Header, description = "The ETag of the feed read before: 304 if unchanged")),
    responses((status = 200, description = "The feed; ETag header set", content_type = "text/calendar", body = String),
        (status = 304, description = "Unchanged since the ETag"),
        (status = 404, description = "No such feed (unknown, revoked or malformed token)", body = web::ProblemBody, content_type = "application/problem+json")))]
pub async fn feed(
    State(state): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let token = file
        .strip_suffix(".ics")
        .filter(|t| {
            t.len() == 43
                && t.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
        .ok_or_else(Problem::not_found)?;
    let owner = state
        .calendars
        .calendar_feed_owner(&state.auth.pepper.feed_hash(token))
        .await?
        .ok_or_else(Problem::not_found)?;
    let now = state.clock.now();
    let mut entries = Vec::new();
    for membership in state.auth.memberships(&owner).await? {
        let scope = OrgScope::trusted(membership.org_id.clone());
        let directory = state
            .directory
            .get(&*state.orgs, &*state.members, &*state.vessels, &scope)
            .await?;
        for event in events_of(&state, &scope, &owner, now).await? {
            entries.push((directory.org.clone(), directory.names.clone(), event));
        }
    }
    entries.sort_by(|a, b| (a.2.departs_at, &a.2.id).cmp(&(b.2.departs_at, &b.2.id)));
    entries.truncate(FEED_MAX_EVENTS);
    let body = render(&state.auth.app_url, &owner, &entries);
    let etag = crate::events::listing_etag(body.as_bytes());
    let mut response = if crate::events::none_match(&headers, &etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        (
            [(header::CONTENT_TYPE, "text/calendar; charset=utf-8")],
            body,
        )
            .into_response()
    };
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!("private, max-age={FEED_MAX_AGE_SECS}")) {
        h.insert(header::CACHE_CONTROL, v);
    }
    // The URL is a credential: never sent on as a referrer, never indexed.
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert("x-robots-tag", HeaderValue::from_static("noindex"));
    Ok(response)
}

/// One event of the feed with its org and the org's member names (email → name).
type FeedEntry = (Org, std::sync::Arc<BTreeMap<String, String>>, Event);

/// The org's events `who` is on, departing from [`FEED_PAST`] ago (widened by the longest event,
/// so one still underway is listed) to [`FEED_AHEAD`]: every page of one Query.
async fn events_of(
    state: &AppState,
    scope: &OrgScope,
    who: &Email,
    now: DateTime<Utc>,
) -> Result<Vec<Event>, Problem> {
    let (from, to) = (now - FEED_PAST - LONGEST_EVENT, now + FEED_AHEAD);
    let mut out = Vec::new();
    let mut cursor = None;
    loop {
        let page = state
            .events
            .list_events(scope, from, to, &PageRequest::new(None, cursor))
            .await?;
        out.extend(
            page.items
                .into_iter()
                .filter(|e| e.is_assigned(who) && e.returns_at >= now - FEED_PAST),
        );
        match page.next {
            Some(next) if out.len() < FEED_MAX_EVENTS => cursor = Some(next),
            _ => return Ok(out),
        }
    }
}

/// The feed's text. Times are UTC (`...Z`), which every client shows in the phone's own zone;
/// nothing in it changes unless an event does (DTSTAMP is the event's last change), so its ETag
/// is stable between polls.
fn render(app_url: &str, owner: &Email, entries: &[FeedEntry]) -> String {
    let mut cal = Calendar::empty();
    cal.append_property(icalendar::Property::new("VERSION", "2.0"))
        .append_property(icalendar::Property::new(
            "PRODID",
            "-//shipcaptaincrew//Crew calendar feed//EN",
        ))
        .append_property(icalendar::Property::new("CALSCALE", "GREGORIAN"))
        .append_property(icalendar::Property::new("METHOD", "PUBLISH"));
    // NAME/X-WR-CALNAME, DESCRIPTION, REFRESH-INTERVAL and X-PUBLISHED-TTL (RFC 7986 and the
    // de-facto names Apple and Google read).
    cal.name("Ship Captain Crew")
        .description("The charters, sails, deliveries and hauls you are on")
        .ttl(&Duration::seconds(FEED_MAX_AGE_SECS as i64));
    for (org, names, event) in entries {
        let template = event.template();
        let role = match event.crew_role_of(owner) {
            Some(CrewRole::Captain) => "captain",
            _ => "crew",
        };
        let link = format!("{app_url}/events/{}?org={}", event.id, event.org_id);
        let crew: Vec<String> = event
            .crew
            .iter()
            .map(|c| {
                let name = names
                    .get(c.email.as_str())
                    .filter(|n| !n.trim().is_empty())
                    .cloned()
                    .unwrap_or_else(|| c.email.to_string());
                let role = match c.role {
                    CrewRole::Captain => "captain",
                    CrewRole::Crew => "crew",
                };
                format!("{name} ({role})")
            })
            .collect();
        let mut description = format!(
            "{} · {} · {}\nYou are {role}.\nCrew: {}\n",
            event.title.trim(),
            template.name,
            org.name,
            crew.join(", ")
        );
        if !event.notes.trim().is_empty() {
            description.push_str(&format!("Notes: {}\n", event.notes.trim()));
        }
        description.push_str(&format!("Open in the app: {link}"));
        let mut summary = format!("{} · {}", template.name, event.vessel);
        if event.status == EventStatus::Cancelled {
            summary = format!("Cancelled: {summary}");
        }
        let mut item = icalendar::Event::new();
        item.uid(&format!("{}.{}@shipcaptaincrew", event.id, event.org_id))
            .summary(&summary)
            .starts(event.departs_at)
            .ends(event.returns_at)
            .location(&format!("{}, {}", org.home_port.name, org.name))
            .description(&description)
            .url(&link)
            .sequence(u32::try_from(event.version).unwrap_or(u32::MAX))
            .timestamp(event.updated_at)
            .last_modified(event.updated_at)
            .created(event.created_at)
            .status(if event.status == EventStatus::Cancelled {
                icalendar::EventStatus::Cancelled
            } else {
                icalendar::EventStatus::Confirmed
            })
            .add_property(
                "GEO",
                format!(
                    "{:.6};{:.6}",
                    org.home_port.latitude, org.home_port.longitude
                ),
            );
        cal.push(item.done());
    }
    cal.done().to_string()
}
