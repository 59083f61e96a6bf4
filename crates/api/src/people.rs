//! Who is calling, the org's members, its settings, and the checklist templates.

use crate::views::{Me, MemberView, OrgSummary, OrgView};
use crate::{AppState, require};
use auth::{MembershipView, Session, SigninReason};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::checklist::{Template, all_templates};
use domain::event::EventKind;
use domain::org::{HomePort, Member, Org, Perspective, parse_zone};
use domain::ports::StoreError;
use domain::{Email, Role, ValidationErrors};
use serde::Deserialize;
use std::collections::BTreeMap;
use web::{Json, Problem};

/// The caller: who, in which org, with which role, and their other orgs.
#[utoipa::path(get, path = "/api/me", tag = "me",
    responses((status = 200, description = "The caller", body = Me),
        (status = 401, description = "Not signed in", body = web::ProblemBody, content_type = "application/problem+json")))]
pub async fn me(State(state): State<AppState>, session: Session) -> Result<Json<Me>, Problem> {
    let entry = state
        .directory
        .get(
            &*state.orgs,
            &*state.members,
            &*state.vessels,
            &session.scope,
        )
        .await?;
    let memberships = state.auth.memberships(&session.email).await?;
    Ok(Json(Me {
        email: session.email.to_string(),
        role: session.role,
        org: OrgSummary {
            id: entry.org.id.to_string(),
            name: entry.org.name.clone(),
            zone: entry.org.zone.name().to_string(),
        },
        memberships: memberships.iter().map(MembershipView::from).collect(),
        session_expires_at: session.expires_at,
    }))
}

/// Every checklist template, as compiled into the binary.
#[utoipa::path(get, path = "/api/templates", tag = "events",
    responses((status = 200, description = "The templates", body = Vec<Template>)))]
pub async fn templates(_session: Session) -> Response {
    let mut response = Json(all_templates()).into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=3600"),
    );
    response
}

/// The org's members (admins, and captains, who pick their event's crew from them).
#[utoipa::path(get, path = "/api/members", tag = "members",
    responses((status = 200, description = "Members", body = Vec<MemberView>),
        (status = 403, description = "Crew and executives", body = web::ProblemBody, content_type = "application/problem+json")))]
pub async fn list_members(
    State(state): State<AppState>,
    session: Session,
) -> Result<Json<Vec<MemberView>>, Problem> {
    require(&session, &[Role::Admin, Role::Captain])?;
    let mut members = state.members.list_members(&session.scope).await?;
    members.sort_by(|a, b| {
        a.name
            .to_lowercase()
            .cmp(&b.name.to_lowercase())
            .then(a.email.cmp(&b.email))
    });
    Ok(Json(members.iter().map(MemberView::from).collect()))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMember {
    pub email: String,
    #[serde(default)]
    pub name: String,
    pub role: Role,
}

/// Invite someone (admin): they become a member and get a sign-in email.
#[utoipa::path(post, path = "/api/members", tag = "members", request_body = NewMember,
    responses((status = 201, description = "Added and invited", body = MemberView),
        (status = 400, description = "Invalid email or name", body = web::ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = web::ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "Already a member", body = web::ProblemBody, content_type = "application/problem+json")))]
pub async fn add_member(
    State(state): State<AppState>,
    session: Session,
    Json(body): Json<NewMember>,
) -> Result<Response, Problem> {
    require(&session, &[Role::Admin])?;
    let mut errors = ValidationErrors::new();
    let email = errors.absorb("email", Email::parse(&body.email));
    let name = errors.absorb("name", Member::validate_name(&body.name));
    let (Some(email), Some(name), true) = (email, name, errors.is_empty()) else {
        return Err(Problem::validation(errors));
    };
    let entry = state
        .directory
        .get(
            &*state.orgs,
            &*state.members,
            &*state.vessels,
            &session.scope,
        )
        .await?;
    let member = Member {
        email: email.clone(),
        name,
        role: body.role,
        added_at: state.clock.now(),
        sessions_valid_from: None,
    };
    match state
        .members
        .add_member(&session.scope, &entry.org.name, &member)
        .await
    {
        Err(StoreError::AlreadyExists) => return Err(Problem::conflict("already a member")),
        other => other?,
    }
    state.directory.forget(session.org());
    state
        .auth
        .send_signin(
            &email,
            true,
            SigninReason::Invited {
                org_name: &entry.org.name,
            },
        )
        .await?;
    tracing::info!(role = %member.role, "member invited");
    let mut response = (StatusCode::CREATED, Json(MemberView::from(&member))).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("/api/members/{}", member.email)) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    Ok(response)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberPatch {
    pub role: Option<Role>,
    pub name: Option<String>,
}

fn member_email(raw: &str) -> Result<Email, Problem> {
    Email::parse(raw).map_err(|_| Problem::not_found())
}

/// Refuses a change that would leave the org without an admin.
async fn keep_an_admin(
    state: &AppState,
    session: &Session,
    leaving: &Email,
) -> Result<(), Problem> {
    let members = state.members.list_members(&session.scope).await?;
    let other_admins = members
        .iter()
        .filter(|m| m.role == Role::Admin && &m.email != leaving)
        .count();
    if other_admins == 0 {
        return Err(Problem::conflict("an org keeps at least one admin"));
    }
    Ok(())
}

/// Change a member's role or name (admin). A role change signs them out everywhere in this org.
#[utoipa::path(patch, path = "/api/members/{email}", tag = "members", request_body = MemberPatch,
    params(("email" = String, Path, description = "The member's email")),
    responses((status = 200, description = "Changed", body = MemberView),
        (status = 403, description = "Not an admin", body = web::ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such member", body = web::ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "Would leave no admin", body = web::ProblemBody, content_type = "application/problem+json")))]
pub async fn edit_member(
    State(state): State<AppState>,
    session: Session,
    Path(raw): Path<String>,
    Json(patch): Json<MemberPatch>,
) -> Result<Json<MemberView>, Problem> {
    require(&session, &[Role::Admin])?;
    let email = member_email(&raw)?;
    let current = state
        .members
        .get_member(&session.scope, &email)
        .await?
        .ok_or_else(Problem::not_found)?;
    let name = match &patch.name {
        Some(n) => Member::validate_name(n).map_err(|e| e.under("name"))?,
        None => current.name.clone(),
    };
    let role = patch.role.unwrap_or(current.role);
    if role != current.role && current.role == Role::Admin {
        keep_an_admin(&state, &session, &email).await?;
    }
    let role_changed = role != current.role;
    let member = if role_changed || name != current.name {
        // A role change stamps the record in the same write: every token issued before it is
        // refused from the next request on, whatever happens to the allowlist clean-up below.
        let stamp = role_changed.then(|| Member::revocation_stamp(state.auth.clock.now()));
        state
            .members
            .update_member(&session.scope, &email, role, &name, stamp)
            .await?
    } else {
        current.clone()
    };
    if role_changed {
        tidy_sessions(&state, &session, &email, "member role changed").await;
    }
    state.directory.forget(session.org());
    Ok(Json(MemberView::from(&member)))
}

/// Remove a member (admin). Their tokens for this org stop working at once.
#[utoipa::path(delete, path = "/api/members/{email}", tag = "members",
    params(("email" = String, Path, description = "The member's email")),
    responses((status = 204, description = "Removed"),
        (status = 403, description = "Not an admin", body = web::ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such member", body = web::ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "Would leave no admin", body = web::ProblemBody, content_type = "application/problem+json")))]
pub async fn remove_member(
    State(state): State<AppState>,
    session: Session,
    Path(raw): Path<String>,
) -> Result<StatusCode, Problem> {
    require(&session, &[Role::Admin])?;
    let email = member_email(&raw)?;
    let member = state
        .members
        .get_member(&session.scope, &email)
        .await?
        .ok_or_else(Problem::not_found)?;
    if member.role == Role::Admin {
        keep_an_admin(&state, &session, &email).await?;
    }
    // Deleting the member record is the revocation: every request reads it.
    state.members.remove_member(&session.scope, &email).await?;
    state.directory.forget(session.org());
    tidy_sessions(&state, &session, &email, "member removed").await;
    crate::events::drop_from_crews(&state, &session, &email).await;
    Ok(StatusCode::NO_CONTENT)
}

/// Deletes the allowlist entries of someone whose tokens the member record already refuses. A
/// failure leaves nothing open (they expire with their TTL), so it is logged, not returned.
async fn tidy_sessions(state: &AppState, session: &Session, email: &Email, what: &'static str) {
    match state.auth.revoke_person(&session.scope, email).await {
        Ok(revoked) => tracing::info!(revoked, "{what}; sessions revoked"),
        Err(e) => {
            tracing::warn!(error = %e, "{what}; its tokens are refused, but the allowlist clean-up failed")
        }
    }
}

/// The org's settings (admin).
///
/// The `ETag` names their version; send it back as `If-Match` to change them.
#[utoipa::path(get, path = "/api/org", tag = "org",
    params(("If-None-Match" = Option<String>, Header, description = "An ETag from a previous read: 304 if unchanged")),
    responses((status = 200, description = "Settings; ETag header set", body = OrgView),
        (status = 304, description = "Unchanged since the ETag"),
        (status = 403, description = "Not an admin", body = web::ProblemBody, content_type = "application/problem+json")))]
pub async fn show_org(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    require(&session, &[Role::Admin])?;
    let org = state.orgs.get_org(&session.scope).await?;
    let etag = org.etag();
    let unchanged = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    if unchanged {
        return Ok(with_org_etag(&org, StatusCode::NOT_MODIFIED, ()));
    }
    Ok(with_org_etag(
        &org,
        StatusCode::OK,
        Json(OrgView::from(&org)),
    ))
}

fn with_org_etag(org: &Org, status: StatusCode, body: impl IntoResponse) -> Response {
    let mut response = (status, body).into_response();
    if let Ok(v) = HeaderValue::from_str(&org.etag()) {
        response.headers_mut().insert(header::ETAG, v);
    }
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-cache"),
    );
    response
}

/// The version an `If-Match` ETag of the org was read at, or `None` if it is not an ETag of this
/// org (the rules of an event edit: a missing `If-Match` is 428, anything else that does not name
/// the current version is 412).
fn org_if_match_version(headers: &HeaderMap, org: &Org) -> Result<Option<u64>, Problem> {
    let raw = headers
        .get(header::IF_MATCH)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(Problem::precondition_required)?;
    let tag = raw.trim().trim_start_matches("W/").trim_matches('"');
    // Org ids may hold hyphens: the version is what follows the last one.
    Ok(tag
        .rsplit_once('-')
        .filter(|(id, _)| *id == org.id.as_str())
        .and_then(|(_, version)| version.parse::<u64>().ok()))
}

/// 412 for an edit made on settings that changed since: `detail` names the current version and
/// the `ETag` header is the current one, so a client can reload and make its change again.
fn stale_org(current: &Org) -> Response {
    let problem = Problem::precondition_failed().with_detail(format!(
        "the org's settings are at version {} now (ETag {}); reload them and make your change again",
        current.version,
        current.etag()
    ));
    let mut response = problem.into_response();
    if let Ok(v) = HeaderValue::from_str(&current.etag()) {
        response.headers_mut().insert(header::ETAG, v);
    }
    response
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HomePortPatch {
    pub name: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrgPatch {
    pub name: Option<String>,
    /// IANA zone name.
    pub zone: Option<String>,
    pub home_port: Option<HomePortPatch>,
    pub enabled_kinds: Option<Vec<EventKind>>,
    /// Perspective (`operations`, `safety`, `crew`, `finance`, `executive_summary`) → addresses.
    /// Each perspective present replaces that perspective's list; the others stay as they are.
    #[schema(value_type = Option<BTreeMap<String, Vec<String>>>)]
    pub report_recipients: Option<BTreeMap<String, Vec<String>>>,
    /// Replaces the safety settings whole: shore contacts, the Coast Guard sector, the grace.
    pub safety: Option<SafetyPatch>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SafetyPatch {
    /// Who receives the float plans and overdue alerts (at most 10).
    #[serde(default)]
    pub shore_contacts: Vec<ShoreContactFields>,
    #[serde(default)]
    pub coast_guard: domain::org::CoastGuard,
    /// Minutes past the expected return before an underway event is overdue; default 30.
    pub overdue_grace_minutes: Option<u32>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShoreContactFields {
    pub name: String,
    pub email: String,
    pub phone: String,
}

/// Change the org's settings (admin).
///
/// Needs `If-Match` with the ETag read, so two admins cannot overwrite each other's changes
/// unseen.
#[utoipa::path(patch, path = "/api/org", tag = "org", request_body = OrgPatch,
    params(("If-Match" = String, Header, description = "The ETag you read")),
    responses((status = 200, description = "Changed; ETag header set to the new version", body = OrgView),
        (status = 400, description = "Invalid fields", body = web::ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = web::ProblemBody, content_type = "application/problem+json"),
        (status = 412, description = "Changed since you read it; `detail` names the current version and the ETag header is the current one", body = web::ProblemBody, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = web::ProblemBody, content_type = "application/problem+json")))]
pub async fn edit_org(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    Json(patch): Json<OrgPatch>,
) -> Result<Response, Problem> {
    require(&session, &[Role::Admin])?;
    let mut org = state.orgs.get_org(&session.scope).await?;
    let expected = match org_if_match_version(&headers, &org)? {
        Some(v) if v == org.version => v,
        _ => return Ok(stale_org(&org)),
    };
    let mut errors = ValidationErrors::new();
    if let Some(name) = patch.name {
        org.name = name.trim().to_string();
    }
    if let Some(zone) = patch.zone
        && let Some(z) = errors.absorb("zone", parse_zone(&zone))
    {
        org.zone = z;
    }
    if let Some(port) = patch.home_port {
        // Absent fields keep their value.
        org.home_port = HomePort {
            name: port
                .name
                .map_or(org.home_port.name.clone(), |n| n.trim().to_string()),
            latitude: port.latitude.unwrap_or(org.home_port.latitude),
            longitude: port.longitude.unwrap_or(org.home_port.longitude),
        };
    }
    if let Some(kinds) = patch.enabled_kinds {
        let mut kinds = kinds;
        kinds.sort();
        kinds.dedup();
        org.enabled_kinds = kinds;
    }
    if let Some(recipients) = patch.report_recipients {
        let mut parsed = org.report_recipients.clone();
        for (key, list) in recipients {
            let Some(perspective) = Perspective::parse(&key) else {
                errors.push(
                    format!("report_recipients/{key}"),
                    "unknown_perspective",
                    "not a report perspective",
                );
                continue;
            };
            let mut emails = Vec::new();
            for (i, raw) in list.iter().enumerate() {
                if let Some(e) =
                    errors.absorb(&format!("report_recipients/{key}/{i}"), Email::parse(raw))
                    && !emails.contains(&e)
                {
                    emails.push(e);
                }
            }
            parsed.insert(perspective, emails);
        }
        org.report_recipients = parsed;
    }
    if let Some(safety) = patch.safety {
        // Every row is checked here with its own number (a row whose email is refused cannot
        // reach the settings' own check, which would number the later rows wrongly).
        let mut contacts = Vec::new();
        for (i, c) in safety.shore_contacts.iter().enumerate() {
            match Email::parse(&c.email) {
                Ok(email) => contacts.push(domain::org::ShoreContact {
                    name: c.name.clone(),
                    email,
                    phone: c.phone.clone(),
                }),
                Err(e) => errors
                    .0
                    .extend(e.under(&format!("safety/shore_contacts/{i}/email")).0),
            }
            domain::org::ShoreContact::check(&mut errors, i, &c.name, &c.phone);
        }
        if safety.shore_contacts.len() > domain::org::MAX_SHORE_CONTACTS {
            errors.push(
                "safety/shore_contacts",
                "too_many",
                format!("at most {} shore contacts", domain::org::MAX_SHORE_CONTACTS),
            );
        }
        org.safety = domain::org::SafetySettings {
            shore_contacts: contacts,
            coast_guard: safety.coast_guard,
            overdue_grace_minutes: safety
                .overdue_grace_minutes
                .unwrap_or(domain::org::DEFAULT_OVERDUE_GRACE_MINUTES),
        };
    }
    if errors.is_empty() {
        // Trims the values; the contacts passed their checks above, so what it may report is the
        // Coast Guard sector and the grace.
        match org.safety.clone().validate() {
            Ok(clean) => org.safety = clean,
            Err(e) => errors.0.extend(e.0),
        }
    }
    if let Err(e) = org.validate() {
        errors
            .0
            .extend(e.0.into_iter().filter(|f| !f.field.starts_with("safety/")));
    }
    if !errors.is_empty() {
        return Err(Problem::validation(errors));
    }
    let saved = match state.orgs.update_org(&session.scope, &org, expected).await {
        Ok(saved) => saved,
        Err(StoreError::Conflict) => {
            // Another write landed between our read and our write; name the version it left.
            let current = state.orgs.get_org(&session.scope).await?;
            return Ok(stale_org(&current));
        }
        Err(e) => return Err(e.into()),
    };
    state.directory.forget(session.org());
    tracing::info!(version = saved.version, "org settings changed");
    Ok(with_org_etag(
        &saved,
        StatusCode::OK,
        Json(OrgView::from(&saved)),
    ))
}
