//! The captain's sign-off: a step of its own after the return, not a task ticked mid-trip. It
//! lists what is still open, records it, and closes the checklist (later ticks are refused, in the
//! store's own write).

use crate::views::EventView;
use crate::{AppState, require};
use auth::Session;
use axum::extract::{Path, State};
use axum::response::Response;
use domain::event::AuditAction;
use domain::timing::OpenTask;
use domain::{CrewRole, Event, EventStatus, Role, TaskId, ValidationErrors};
use serde::Deserialize;
use web::{Json, Problem};

/// Signing the checklist off: the tasks the captain saw still open and signs with.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignOffRequest {
    /// The ids of the tasks still open (the view's `sign_off.open_tasks`), exactly: if the list
    /// changed meanwhile (a late offline tick landed), the answer is 409
    /// `/problems/open-tasks-changed` with the current list.
    #[serde(default)]
    pub open_tasks: Vec<String>,
}

/// The tasks a confirmation must name, for a 409 that lists them: `task/<id>` with its title.
pub(crate) fn task_items(tasks: &[OpenTask], code: &'static str) -> ValidationErrors {
    let mut items = ValidationErrors::new();
    for t in tasks {
        items.push(format!("task/{}", t.def.id), code, t.def.title.clone());
    }
    items
}

/// Why a tick (or a photo for one) is no longer taken.
pub(crate) fn closed(event: &Event) -> Problem {
    match &event.signed_off {
        // The app shows this under the task in the org's words and time; no raw instant here.
        Some(_) => Problem::conflict("the checklist is signed off: it takes no more ticks"),
        None => Problem::conflict(format!("the event is {}", event.status.as_str())),
    }
}

/// The event's captain signs. The office signs only when the event has no captain who is still a
/// member (one who left the org cannot, and a returned event's crew can no longer be edited), so
/// no checklist stays open for ever.
async fn may_sign(state: &AppState, session: &Session, event: &Event) -> Result<(), Problem> {
    let captain = event.crew.iter().find(|c| c.role == CrewRole::Captain);
    if captain.is_some_and(|c| c.email == session.email) {
        return Ok(());
    }
    if session.role == Role::Admin {
        let members = state.members.list_members(&session.scope).await?;
        let gone = captain.is_none_or(|c| !members.iter().any(|m| m.email == c.email));
        if gone {
            return Ok(());
        }
    }
    Err(Problem::forbidden().with_detail("the event's captain signs its checklist off"))
}

/// Sign the checklist off (the event's captain, once it has returned; an admin when the event
/// has no captain who is still a member). Closes the checklist.
#[utoipa::path(post, path = "/api/events/{id}/sign-off", tag = "events", request_body = SignOffRequest,
    params(("id" = String, Path, description = "Event id")),
    responses(
        (status = 200, description = "Signed off; the checklist is closed", body = EventView),
        (status = 403, description = "Not the event's captain (nor an admin, where its captain is no longer a member)", body = web::ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such event", body = web::ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "Not returned yet, or signed off already; or `/problems/open-tasks-changed`: the open tasks are not the ones named, each current one listed in `errors` as `task/<id>`", body = web::ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn sign_off(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    Json(body): Json<SignOffRequest>,
) -> Result<Response, Problem> {
    require(&session, &[Role::Captain, Role::Admin])?;
    let event = crate::events::load(&state, &session, &id).await?;
    may_sign(&state, &session, &event).await?;
    if event.signed_off.is_some() {
        return Err(closed(&event));
    }
    if event.status != EventStatus::Completed {
        return Err(Problem::conflict(format!(
            "the event is {}: the checklist is signed off after the return",
            event.status.as_str()
        )));
    }
    let org = crate::events::org_of(&state, &session).await?;
    let now = state.clock.now();
    let open_now = domain::timing::open_tasks(&event, &org, now);
    let open: Vec<TaskId> = open_now.iter().map(|t| t.def.id.clone()).collect();
    let mut named: Vec<&str> = body.open_tasks.iter().map(|s| s.trim()).collect();
    named.sort_unstable();
    named.dedup();
    let mut current: Vec<&str> = open.iter().map(TaskId::as_str).collect();
    current.sort_unstable();
    if named != current {
        let items = task_items(&open_now, "open_task");
        return Err(Problem::unconfirmed(
            "open-tasks-changed",
            "The open tasks changed",
            format!(
                "{} task{} open now; review the list and sign again",
                open.len(),
                if open.len() == 1 { " is" } else { "s are" }
            ),
            items,
        ));
    }
    let by = session.email.clone();
    let tasks = open.clone();
    crate::events::transition_and_store(
        &state,
        &session,
        event,
        "event.signed_off",
        AuditAction::SignedOff { open_tasks: open },
        |e| e.sign_off(tasks, &by, now),
    )
    .await
}
