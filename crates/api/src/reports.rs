//! The weekly reports in the app (executives and admins), and the one-click unsubscribe endpoint
//! the report emails link to.

use crate::{AppState, require};
use auth::Session;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use domain::Role;
use domain::org::{OrgScope, Perspective};
use domain::report::{ExecutiveSummary, Kpis, Week, executive_summary};
use serde::{Deserialize, Serialize};
use web::{Json, Problem};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    /// ISO week, `2026-W47`; default the week that ended last.
    pub week: Option<String>,
    /// `operations`, `safety`, `crew`, `finance` or `executive_summary` (default).
    pub perspective: Option<String>,
}

/// One perspective of one week. `data` is the perspective's figures (as in the email); the
/// executive summary spans every org where the caller is an admin or executive.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WeeklyReport {
    pub week: String,
    pub perspective: String,
    pub org_id: String,
    pub org_name: String,
    /// Local start and end of the week (RFC 3339, the org's zone).
    pub starts: String,
    pub ends: String,
    pub kpis: KpisView,
    pub last_week_kpis: KpisView,
    /// The perspective's figures: one of the five shapes, by `perspective`.
    pub data: ReportData,
}

/// A perspective's figures (docs/reports.md defines each).
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum ReportData {
    Operations(domain::report::Operations),
    Safety(domain::report::Safety),
    Crew(domain::report::Crew),
    Finance(domain::report::Finance),
    ExecutiveSummary(ExecutiveSummary),
}

/// The headline figures (see docs/reports.md for definitions).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct KpisView {
    pub events: usize,
    pub cancellations: usize,
    pub on_time_percent: Option<f64>,
    pub checklist_percent: Option<f64>,
    pub safety_misses: usize,
    pub revenue_cents: i64,
    pub hours_underway: f64,
    pub short_of_crew: usize,
}

impl From<&Kpis> for KpisView {
    fn from(k: &Kpis) -> Self {
        Self {
            events: k.events,
            cancellations: k.cancellations,
            on_time_percent: k.on_time_percent,
            checklist_percent: k.checklist_percent,
            safety_misses: k.safety_misses,
            revenue_cents: k.revenue_cents,
            hours_underway: k.hours_underway,
            short_of_crew: k.short_of_crew,
        }
    }
}

/// A weekly report as JSON (executive, admin).
#[utoipa::path(get, path = "/api/reports/weekly", tag = "reports", params(ReportQuery),
    responses(
        (status = 200, description = "The figures", body = WeeklyReport),
        (status = 400, description = "Unknown week or perspective", body = web::ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Crew and captains do not see reports", body = web::ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn weekly(
    State(state): State<AppState>,
    session: Session,
    query: Result<Query<ReportQuery>, QueryRejection>,
) -> Result<Json<WeeklyReport>, Problem> {
    require(&session, &[Role::Executive, Role::Admin])?;
    let Query(q) = query.map_err(|e| Problem::bad_request(e.body_text()))?;
    let perspective = match q.perspective.as_deref() {
        None => Perspective::ExecutiveSummary,
        Some(p) => Perspective::parse(p).ok_or_else(|| {
            Problem::bad_request(
                "perspective is operations, safety, crew, finance or executive_summary",
            )
        })?,
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
    let now = state.clock.now();
    let week = match q.week.as_deref() {
        None => Week::last_complete(now, entry.org.zone),
        Some(w) => Week::parse(w)
            .ok_or_else(|| Problem::bad_request("week is an ISO week like 2026-W47"))?,
    };
    let app_url = state.auth.app_url.clone();
    let load = |scope: OrgScope| {
        let state = state.clone();
        let app_url = app_url.clone();
        async move {
            report::org_weeks(
                report::WeekStores {
                    orgs: &*state.orgs,
                    members: &*state.members,
                    events: &*state.events,
                    vessels: &*state.vessels,
                },
                &scope,
                week,
                &app_url,
                now,
            )
            .await
        }
    };
    let mine = load(session.scope.clone()).await?;
    let data = match perspective {
        Perspective::Operations => ReportData::Operations(mine.this.operations.clone()),
        Perspective::Safety => ReportData::Safety(mine.this.safety.clone()),
        Perspective::Crew => ReportData::Crew(mine.this.crew.clone()),
        Perspective::Finance => ReportData::Finance(mine.this.finance.clone()),
        Perspective::ExecutiveSummary => {
            // Every org the caller may read reports of, from their verified memberships.
            let mut pairs = vec![(mine.this.clone(), mine.last.clone())];
            for m in state.auth.memberships(&session.email).await? {
                if &m.org_id != session.org() && matches!(m.role, Role::Executive | Role::Admin) {
                    let other = load(OrgScope::trusted(m.org_id.clone())).await?;
                    pairs.push((other.this, other.last));
                }
            }
            ReportData::ExecutiveSummary(executive_summary(&pairs))
        }
    };
    let zone = entry.org.zone;
    Ok(Json(WeeklyReport {
        week: week.to_string(),
        perspective: perspective.as_str().into(),
        org_id: mine.org.id.to_string(),
        org_name: mine.org.name.clone(),
        starts: mine.this.starts.with_timezone(&zone).to_rfc3339(),
        ends: mine.this.ends.with_timezone(&zone).to_rfc3339(),
        kpis: (&mine.this.kpis).into(),
        last_week_kpis: (&mine.last.kpis).into(),
        data,
    }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnsubscribeQuery {
    /// The signed token from the email's link.
    pub token: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Unsubscribed {
    pub status: &'static str,
    pub perspective: String,
}

/// One-click unsubscribe (RFC 8058): the mail client POSTs `List-Unsubscribe=One-Click`. No
/// sign-in: the signed token names the report and the address. Idempotent.
#[utoipa::path(post, path = "/api/unsubscribe", tag = "reports", params(UnsubscribeQuery), security(()),
    responses(
        (status = 200, description = "Unsubscribed (again, if it was already)", body = Unsubscribed),
        (status = 400, description = "Not a valid unsubscribe token", body = web::ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn unsubscribe(
    State(state): State<AppState>,
    query: Result<Query<UnsubscribeQuery>, QueryRejection>,
) -> Result<Json<Unsubscribed>, Problem> {
    let Query(q) = query.map_err(|_| Problem::bad_request("the link lacks its token"))?;
    let (audience, perspective, email) = auth::unsubscribe::verify(&state.auth.pepper, &q.token)
        .ok_or_else(|| Problem::bad_request("this unsubscribe link is not valid"))?;
    state
        .reports
        .unsubscribe(&audience, perspective, &email, state.clock.now())
        .await?;
    tracing::info!(
        audience = audience.as_str(),
        perspective = perspective.as_str(),
        "unsubscribed from a report"
    );
    Ok(Json(Unsubscribed {
        status: "unsubscribed",
        perspective: perspective.as_str().into(),
    }))
}

/// The page a person sees when they open the unsubscribe link in a browser: a button that
/// POSTs, so opening the link (or a mail scanner fetching it) changes nothing.
pub async fn unsubscribe_page(query: Result<Query<UnsubscribeQuery>, QueryRejection>) -> Response {
    let Ok(Query(q)) = query else {
        return Problem::bad_request("the link lacks its token").into_response();
    };
    let token = mail::escape(&q.token);
    let page = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
<title>Unsubscribe</title></head><body><main><h1>Unsubscribe from this report?</h1>\
<form method=\"post\" action=\"/api/unsubscribe?token={token}\"><input type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\">\
<button type=\"submit\">Unsubscribe</button></form></main></body></html>"
    );
    (StatusCode::OK, Html(page)).into_response()
}
