//! The role matrix, as data: every route × every role → the status it must answer. Each cell runs
//! on a fresh app, so no cell's change leaks into another.

mod common;

use axum::http::Method;
use common::TestApp;
use serde_json::{Value, json};

/// Columns: admin, captain (the event's captain), crew (on the event), executive, crew not on it.
const ROLES: [&str; 5] = [
    "admin@jada.example.com",
    "cap@jada.example.com",
    "deck@jada.example.com",
    "exec@jada.example.com",
    "other@jada.example.com",
];

struct Row {
    method: Method,
    /// `{e}` is the event's id.
    path: &'static str,
    body: Option<fn() -> Value>,
    /// Send the event's ETag (on /api/org, the org's) as If-Match.
    if_match: bool,
    expect: [u16; 5],
}

fn new_event() -> Value {
    json!({"kind":"charter","title":"Lee family","vessel":"Jada","departs_at":"2026-07-10T11:00","returns_at":"2026-07-10T15:00",
           "crew":[{"email":"cap@jada.example.com","role":"captain"}],"confirm":["short_of_crew"]})
}

/// Every pre-departure safety task of a sunset sail: departing confirms them open.
fn departure() -> Value {
    json!({"confirm_open_safety_tasks":["marine_forecast","float_plan","engine_bilge_check","fuel_check",
           "vhf_check","nav_lights_test","life_jackets","safety_gear","headcount_on","safety_orientation"]})
}

fn rows() -> Vec<Row> {
    let row = |method: Method, path, body, if_match, expect| Row {
        method,
        path,
        body,
        if_match,
        expect,
    };
    vec![
        row(
            Method::GET,
            "/api/me",
            None,
            false,
            [200, 200, 200, 200, 200],
        ),
        row(
            Method::GET,
            "/api/events",
            None,
            false,
            [200, 200, 200, 200, 200],
        ),
        row(
            Method::POST,
            "/api/events",
            Some(new_event),
            false,
            [201, 403, 403, 403, 403],
        ),
        row(
            Method::GET,
            "/api/events/{e}",
            None,
            false,
            [200, 200, 200, 200, 404],
        ),
        row(
            Method::GET,
            "/api/events/{e}/timing",
            None,
            false,
            [200, 200, 200, 200, 404],
        ),
        row(
            Method::PATCH,
            "/api/events/{e}",
            Some(|| json!({"notes":"Bring more ice"})),
            true,
            [200, 200, 403, 403, 403],
        ),
        row(
            Method::PATCH,
            "/api/events/{e}",
            Some(|| json!({"title":"Renamed"})),
            true,
            [200, 403, 403, 403, 403],
        ),
        row(
            Method::POST,
            "/api/events/{e}/cancel",
            None,
            false,
            [200, 403, 403, 403, 403],
        ),
        row(
            Method::POST,
            "/api/events/{e}/departed",
            Some(departure),
            false,
            [200, 200, 403, 403, 403],
        ),
        // Issue 17: the sign-off is the event's captain's, after the return.
        row(
            Method::POST,
            "/api/events/{e}/sign-off",
            Some(|| json!({"open_tasks":[]})),
            false,
            [403, 409, 403, 403, 403],
        ),
        row(
            Method::POST,
            "/api/events/{e}/returned",
            None,
            false,
            [409, 409, 403, 403, 403],
        ),
        row(
            Method::PUT,
            "/api/events/{e}/tasks/life_jackets",
            Some(|| json!({"done":true,"op_id":"op-roles-0001","at":"2026-07-01T15:59:00Z"})),
            false,
            [200, 200, 200, 403, 404],
        ),
        // Issue 17: a captain's task is the event's captain's and the office's, not the crew's.
        row(
            Method::PUT,
            "/api/events/{e}/tasks/float_plan",
            Some(|| json!({"done":true,"op_id":"op-roles-0002","at":"2026-07-01T15:59:00Z"})),
            false,
            [200, 200, 403, 403, 404],
        ),
        row(
            Method::GET,
            "/api/templates",
            None,
            false,
            [200, 200, 200, 200, 200],
        ),
        row(
            Method::GET,
            "/api/members",
            None,
            false,
            [200, 200, 403, 403, 403],
        ),
        row(
            Method::POST,
            "/api/members",
            Some(|| json!({"email":"new@jada.example.com","name":"New","role":"crew"})),
            false,
            [201, 403, 403, 403, 403],
        ),
        row(
            Method::PATCH,
            "/api/members/deck@jada.example.com",
            Some(|| json!({"role":"captain"})),
            false,
            [200, 403, 403, 403, 403],
        ),
        row(
            Method::DELETE,
            "/api/members/other@jada.example.com",
            None,
            false,
            [204, 403, 403, 403, 403],
        ),
        row(
            Method::GET,
            "/api/org",
            None,
            false,
            [200, 403, 403, 403, 403],
        ),
        row(
            Method::PATCH,
            "/api/org",
            Some(|| json!({"name":"JADA Yachts"})),
            true,
            [200, 403, 403, 403, 403],
        ),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_by_every_role() {
    let mut failures = Vec::new();
    for row in rows() {
        for (i, who) in ROLES.iter().enumerate() {
            let app = TestApp::embedded().await;
            let event = app.event("jada", 24).await;
            let token = app.token(who, "jada").await;
            let path = row.path.replace("{e}", event.id.as_str());
            let etag = if row.path == "/api/org" {
                let jada =
                    domain::org::OrgScope::trusted(domain::OrgId::parse("jada").expect("org"));
                app.store.get_org(&jada).await.expect("org").etag()
            } else {
                event.etag()
            };
            let headers: Vec<(&str, &str)> = if row.if_match {
                vec![("if-match", etag.as_str())]
            } else {
                vec![]
            };
            let reply = app
                .call(
                    row.method.clone(),
                    &path,
                    Some(&token),
                    row.body.map(|b| b()),
                    &headers,
                )
                .await;
            if reply.status != row.expect[i] {
                failures.push(format!(
                    "{} {} as {who}: {} (expected {}) {}",
                    row.method, row.path, reply.status, row.expect[i], reply.json
                ));
            }
            // And without a token, everything is 401.
            let anonymous = app
                .call(
                    row.method.clone(),
                    &path,
                    None,
                    row.body.map(|b| b()),
                    &headers,
                )
                .await;
            if anonymous.status != 401 {
                failures.push(format!(
                    "{} {} anonymous: {}",
                    row.method, row.path, anonymous.status
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} cells wrong:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
