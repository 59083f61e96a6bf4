//! Local-only pages: the outbox (so a developer can click a sign-in link), the pending nudge
//! schedules, and a button to fire a nudge now.

use crate::scheduler::LocalScheduler;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use domain::EventId;
use domain::event::NudgeKind;
use mail::{Outbox, escape};
use std::sync::Arc;
use web::{Json, Problem};

#[derive(Clone)]
pub struct DevState {
    pub outbox: Outbox,
    pub scheduler: Arc<LocalScheduler>,
    pub push: crate::push::PushOutbox,
}

pub fn router(state: DevState) -> Router {
    Router::new()
        .route("/dev/outbox", get(outbox_page))
        .route("/dev/outbox.json", get(outbox_json))
        .route("/dev/outbox/{id}", get(message_page))
        .route("/dev/schedules", get(schedules))
        .route("/dev/push", get(push_page))
        .route("/dev/push.json", get(push_json))
        .route("/dev/nudges/{event_id}/{kind}", post(fire))
        .with_state(state)
}

fn page(title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
<title>{t}</title><style>body{{font:16px/1.5 system-ui,sans-serif;margin:0 auto;max-width:860px;padding:16px;color:#0b1a2b}}\
a{{color:#0b4f8a}}table{{border-collapse:collapse;width:100%}}td,th{{text-align:left;padding:8px;border-bottom:1px solid #ccd}}\
iframe{{width:100%;height:520px;border:1px solid #ccd}}pre{{white-space:pre-wrap;background:#f2f4f7;padding:12px}}</style></head>\
<body><p><a href=\"/\">App</a> · <a href=\"/dev/outbox\">Outbox</a> · <a href=\"/dev/push\">Push</a> · <a href=\"/dev/schedules\">Schedules</a></p><h1>{t}</h1>{body}</body></html>",
        t = escape(title)
    ))
}

async fn outbox_page(State(s): State<DevState>) -> Result<Html<String>, Problem> {
    let entries = s
        .outbox
        .list()
        .await
        .map_err(|e| Problem::internal().with_detail(e.to_string()))?;
    let rows: String = entries
        .iter()
        .map(|e| {
            format!(
                "<tr><td>{}</td><td>{}</td><td><a href=\"/dev/outbox/{}\">{}</a></td><td>{}</td></tr>",
                e.at.format("%Y-%m-%d %H:%M:%S"),
                escape(&e.to),
                escape(&e.id),
                escape(&e.subject),
                escape(&e.category)
            )
        })
        .collect();
    Ok(page(
        "Outbox",
        &format!(
            "<p>Email written locally instead of sent ({} messages, newest first). Sign-in links open the app here.</p>\
<table><tr><th>When (UTC)</th><th>To</th><th>Subject</th><th>Kind</th></tr>{rows}</table>",
            entries.len()
        ),
    ))
}

async fn outbox_json(State(s): State<DevState>) -> Result<Json<Vec<mail::OutboxEntry>>, Problem> {
    Ok(Json(s.outbox.list().await.map_err(|e| {
        Problem::internal().with_detail(e.to_string())
    })?))
}

async fn message_page(
    State(s): State<DevState>,
    Path(id): Path<String>,
) -> Result<Html<String>, Problem> {
    let entry = s
        .outbox
        .get(&id)
        .await
        .map_err(|e| Problem::internal().with_detail(e.to_string()))?
        .ok_or_else(Problem::not_found)?;
    Ok(page(
        &entry.subject,
        &format!(
            "<p>To <strong>{to}</strong> at {at} UTC</p><h2>HTML part</h2><iframe sandbox=\"allow-top-navigation-by-user-activation allow-popups\" srcdoc=\"{html}\"></iframe>\
<h2>Text part</h2><pre>{text}</pre>",
            to = escape(&entry.to),
            at = entry.at.format("%Y-%m-%d %H:%M:%S"),
            html = escape(&entry.html),
            text = linkify(&escape(&entry.text)),
        ),
    ))
}

/// Turns the http(s) URLs of escaped text into links.
fn linkify(escaped: &str) -> String {
    escaped
        .split(' ')
        .map(|word| {
            let trimmed = word.trim_end_matches(['.', ',', '\n']);
            if trimmed.starts_with("http://") || trimmed.starts_with("https://") {
                word.replacen(trimmed, &format!("<a href=\"{trimmed}\">{trimmed}</a>"), 1)
            } else {
                word.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// What would have been pushed to phones, newest first.
async fn push_page(State(s): State<DevState>) -> Html<String> {
    let mut entries = s.push.entries();
    entries.reverse();
    let rows: String = entries
        .iter()
        .map(|e| {
            format!(
                "<tr><td>{}</td><td>{}</td><td><strong>{}</strong><br>{}</td><td><a href=\"{}\">open</a></td></tr>",
                escape(&e.at.to_rfc3339()),
                escape(&e.phone_label),
                escape(&e.title),
                escape(&e.body),
                escape(&e.url)
            )
        })
        .collect();
    let body = if entries.is_empty() {
        "<p>Nothing pushed yet. Turn on notifications on the Account screen, then fire a nudge from <a href=\"/dev/schedules\">the schedules</a>.</p>".to_string()
    } else {
        format!(
            "<table><tr><th>When</th><th>Phone</th><th>Notification</th><th></th></tr>{rows}</table>"
        )
    };
    page("Push outbox", &body)
}

async fn push_json(State(s): State<DevState>) -> Json<Vec<crate::push::PushEntry>> {
    Json(s.push.entries())
}

async fn schedules(State(s): State<DevState>) -> Json<Vec<domain::ports::NudgeSchedule>> {
    let mut pending = s.scheduler.pending();
    pending.sort_by_key(|p| p.fire_at);
    Json(pending)
}

async fn fire(
    State(s): State<DevState>,
    Path((event_id, kind)): Path<(String, String)>,
) -> Response {
    let kind = match kind.as_str() {
        "departure" => NudgeKind::Departure,
        "return" => NudgeKind::Return,
        _ => return Problem::not_found().into_response(),
    };
    let Ok(event) = EventId::parse(&event_id) else {
        return Problem::not_found().into_response();
    };
    match s.scheduler.fire_now(&event, kind).await {
        None => Problem::not_found()
            .with_detail("no pending nudge of that kind for that event")
            .into_response(),
        Some(Ok(outcome)) => (
            StatusCode::OK,
            Json(serde_json::json!({"outcome": format!("{outcome:?}")})),
        )
            .into_response(),
        Some(Err(e)) => Problem::unavailable().with_detail(e).into_response(),
    }
}
