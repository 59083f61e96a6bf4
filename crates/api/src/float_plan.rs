//! The float plan of an event: read it (the app's printable page), send it to the org's shore
//! contacts (the captain's button, or ticking the float-plan task), and send an update when the
//! return time or who is aboard changes after it went out. Each version goes to each contact
//! exactly once: the send is claimed per (version, contact) like a nudge.

use crate::{AppState, require};
use auth::Session;
use axum::extract::{Path, State};
use domain::event::{NudgeChannel, NudgeKind, NudgeState};
use domain::float_plan::{self, FloatPlan};
use domain::org::OrgScope;
use domain::ports::{NudgeKey, OutgoingEmail, SendClaim};
use domain::{Event, Role};
use serde::Serialize;
use web::{Json, Problem};

/// A claim older than this is taken to be a crashed send and may be made again.
const STALE_CLAIM: chrono::Duration = chrono::Duration::minutes(5);

/// The task whose tick sends the plan.
pub const FLOAT_PLAN_TASK: &str = "float_plan";

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FloatPlanView {
    pub plan: FloatPlan,
    /// The same plan as plain text.
    pub text: String,
    /// Who the plan goes to (the org's shore contacts), and whether this version reached them.
    pub recipients: Vec<FloatPlanRecipient>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FloatPlanRecipient {
    pub name: String,
    pub email: String,
    /// This version was sent to them.
    pub sent: bool,
}

/// What a send did.
#[derive(Debug, Default, Serialize, utoipa::ToSchema)]
pub struct FloatPlanSent {
    pub version_at: chrono::DateTime<chrono::Utc>,
    /// An earlier version had gone out: this one was marked as an update.
    pub update: bool,
    /// Mailed now.
    pub sent: usize,
    /// This version had reached them already (or another send is under way): not mailed again.
    pub already_sent: usize,
    /// The mail service refused or failed; a later send tries these again.
    pub failed: usize,
}

fn was_sent_before(event: &Event, version_at: chrono::DateTime<chrono::Utc>) -> bool {
    event.nudges.iter().any(|n| {
        n.kind == NudgeKind::FloatPlan && n.state == NudgeState::Sent && n.anchor_at < version_at
    })
}

/// Whether any version of the plan went out: an edit of the plan's fields then sends an update.
pub(crate) fn ever_sent(event: &Event) -> bool {
    event
        .nudges
        .iter()
        .any(|n| n.kind == NudgeKind::FloatPlan && n.state == NudgeState::Sent)
}

async fn build(state: &AppState, scope: &OrgScope, event: &Event) -> Result<FloatPlan, Problem> {
    let entry = state
        .directory
        .get(&*state.orgs, &*state.members, &*state.vessels, scope)
        .await?;
    // The vessel as it is now (what a searcher looks for), read from the store, not the cache.
    let vessel = state.vessels.vessel_of(scope, event).await?;
    let version = float_plan::version_at(event);
    Ok(float_plan::build(
        event,
        &entry.org,
        vessel.as_ref(),
        &entry.names,
        was_sent_before(event, version),
    ))
}

fn key(plan: &FloatPlan, email: &domain::Email) -> NudgeKey {
    NudgeKey {
        kind: NudgeKind::FloatPlan,
        anchor_at: plan.version_at,
        email: email.clone(),
        channel: NudgeChannel::Email,
    }
}

/// Sends the event's current plan to every shore contact it has not reached yet.
pub(crate) async fn send(
    state: &AppState,
    scope: &OrgScope,
    event: &Event,
) -> Result<FloatPlanSent, Problem> {
    let org = state.orgs.get_org(scope).await?;
    if org.safety.shore_contacts.is_empty() {
        return Err(Problem::conflict(
            "the org has no shore contacts to send the float plan to: an admin adds them in Org settings",
        ));
    }
    let plan = build(state, scope, event).await?;
    let link = format!(
        "{}/events/{}/float-plan?org={}",
        state.auth.app_url, event.id, event.org_id
    );
    let html = mail::float_plan_html(&plan, &link);
    let text = format!("{}\nThe plan in the app: {link}\n", plan.text());
    let mut out = FloatPlanSent {
        version_at: plan.version_at,
        update: plan.update,
        ..Default::default()
    };
    for contact in &org.safety.shore_contacts {
        let key = key(&plan, &contact.email);
        let now = state.clock.now();
        match state
            .events
            .claim_nudge(scope, &event.id, &key, now, STALE_CLAIM)
            .await?
        {
            SendClaim::AlreadySent | SendClaim::InProgress => {
                out.already_sent += 1;
                continue;
            }
            SendClaim::Claimed => {}
        }
        let email = OutgoingEmail {
            to: contact.email.clone(),
            subject: plan.title.clone(),
            html: html.clone(),
            text: text.clone(),
            headers: Vec::new(),
            category: "float_plan",
        };
        let result = state.auth.mailer.send(&email).await;
        let finished = if result.is_ok() {
            out.sent += 1;
            NudgeState::Sent
        } else {
            out.failed += 1;
            NudgeState::Failed
        };
        if let Err(e) = &result {
            tracing::warn!(event = %event.id, error = %e, "float plan not mailed to a shore contact");
        }
        state
            .events
            .finish_nudge(scope, &event.id, &key, finished, state.clock.now())
            .await?;
    }
    tracing::info!(event = %event.id, sent = out.sent, already = out.already_sent, failed = out.failed, update = out.update, "float plan sent");
    Ok(out)
}

/// The float plan as the shore contact gets it (the app's printable page).
#[utoipa::path(get, path = "/api/events/{id}/float-plan", tag = "events",
    params(("id" = String, Path, description = "Event id")),
    responses(
        (status = 200, description = "The plan, its text, and who it goes to", body = FloatPlanView),
        (status = 404, description = "No such event", body = web::ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn show(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Json<FloatPlanView>, Problem> {
    let event = crate::events::load(&state, &session, &id).await?;
    let plan = build(&state, &session.scope, &event).await?;
    let org = state.orgs.get_org(&session.scope).await?;
    let recipients = org
        .safety
        .shore_contacts
        .iter()
        .map(|c| {
            let k = key(&plan, &c.email);
            FloatPlanRecipient {
                name: c.name.clone(),
                email: c.email.to_string(),
                sent: event
                    .nudges
                    .iter()
                    .any(|n| k.matches(n) && n.state == NudgeState::Sent),
            }
        })
        .collect();
    Ok(Json(FloatPlanView {
        text: plan.text(),
        plan,
        recipients,
    }))
}

/// Send the float plan to the org's shore contacts (admin, or the event's captain). Each version
/// reaches each contact once: sending again mails only those it has not reached.
#[utoipa::path(post, path = "/api/events/{id}/float-plan", tag = "events",
    params(("id" = String, Path, description = "Event id")),
    responses(
        (status = 200, description = "What was sent", body = FloatPlanSent),
        (status = 403, description = "Not an admin or the event's captain", body = web::ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such event", body = web::ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "No shore contacts, or the event is cancelled or over", body = web::ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn send_now(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Json<FloatPlanSent>, Problem> {
    require(&session, &[Role::Admin, Role::Captain])?;
    let event = crate::events::load(&state, &session, &id).await?;
    crate::events::may_command(&session, &event)?;
    if !event.editable() {
        return Err(Problem::conflict(format!(
            "the event is {}: its float plan is closed",
            event.status.as_str()
        )));
    }
    Ok(Json(send(&state, &session.scope, &event).await?))
}
