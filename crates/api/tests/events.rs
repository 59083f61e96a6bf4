//! Events through the router: validation, conditional requests, ticks, status changes, nudges,
//! listings, limits.

mod common;

use axum::http::Method;
use chrono::Duration;
use common::{Call, TestApp};
use domain::event::NudgeKind;
use serde_json::{Value, json};

fn sail() -> serde_json::Value {
    json!({
        "kind": "sunset_sail", "title": "Sunset sail", "vessel": "Jada",
        "departs_at": "2026-07-04T18:30", "returns_at": "2026-07-04T21:00",
        "crew": [{"email": "cap@jada.example.com", "role": "captain"}, {"email": "Deck@Jada.example.com", "role": "crew"}],
        "notes": "Birthday", "revenue_cents": 180000
    })
}

#[tokio::test]
async fn create_read_and_conditional_get() {
    let app = TestApp::embedded().await;
    let admin = app.token("admin@jada.example.com", "jada").await;
    let created = app
        .call(Method::POST, "/api/events", Some(&admin), Some(sail()), &[])
        .await;
    assert_eq!(created.status, 201, "{}", created.json);
    let id = created.json["id"].as_str().expect("id").to_string();
    assert_eq!(
        created.header("location"),
        Some(format!("/api/events/{id}").as_str())
    );
    assert_eq!(
        created.json["departs_at"]["local"],
        "2026-07-04T18:30:00-07:00"
    );
    assert_eq!(created.json["crew"][1]["email"], "deck@jada.example.com");
    // The sign-off is a step of its own, not a task; every task applies to a sail back after dark.
    assert_eq!(created.json["checklist"]["total"], 17);
    assert!(
        created.json["timing"]["sunset"]["local"]
            .as_str()
            .is_some_and(|s| s.starts_with("2026-07-04T20:0"))
    );
    assert_eq!(created.json["audit"][0]["action"], "created");

    // The nudge was scheduled 30 minutes before departure.
    let calls = app.scheduler.0.lock().expect("lock").clone();
    assert!(calls.iter().any(|c| matches!(c, Call::Upsert(s) if s.kind == NudgeKind::Departure && s.fire_at.to_rfc3339() == "2026-07-05T01:00:00+00:00")), "{calls:?}");

    let etag = created.header("etag").expect("etag").to_string();
    let again = app
        .call(
            Method::GET,
            &format!("/api/events/{id}"),
            Some(&admin),
            None,
            &[("if-none-match", &etag)],
        )
        .await;
    assert_eq!(again.status, 304);
    assert_eq!(again.header("etag"), Some(etag.as_str()));

    // Crew see it without the revenue.
    let deck = app.token("deck@jada.example.com", "jada").await;
    let seen = app
        .call(
            Method::GET,
            &format!("/api/events/{id}"),
            Some(&deck),
            None,
            &[],
        )
        .await;
    assert_eq!(seen.status, 200);
    assert_eq!(seen.json["revenue_cents"], serde_json::Value::Null);
    assert_eq!(seen.json["my_role"], "crew");
    assert_eq!(
        app.call(
            Method::GET,
            "/api/events/not-an-id",
            Some(&admin),
            None,
            &[]
        )
        .await
        .status,
        404
    );
}

#[tokio::test]
async fn validation_names_every_field() {
    let app = TestApp::embedded().await;
    let admin = app.token("admin@jada.example.com", "jada").await;
    let mut bad = sail();
    bad["kind"] = json!("haul");
    bad["returns_at"] = json!("2026-07-04T18:00");
    bad["crew"][1]["email"] = json!("not-an-email");
    let reply = app
        .call(Method::POST, "/api/events", Some(&admin), Some(bad), &[])
        .await;
    assert_eq!(reply.status, 400);
    assert_eq!(
        reply.header("content-type"),
        Some("application/problem+json")
    );
    let fields: Vec<&str> = reply.json["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert_eq!(fields, ["kind", "returns_at", "crew/1/email"]);

    for (body, status) in [
        (json!({"kind":"charter"}), 400),
        (json!([1, 2, 3]), 400),
        (
            json!({"kind":"charter","title":"t","vessel":"v","departs_at":"2026-07-10T11:00","returns_at":"2026-07-10T12:00","version":7}),
            400,
        ),
        (
            json!({"kind":"charter","title":"t","vessel":"v","departs_at":"2026-07-10T11:00","returns_at":"2026-07-10T12:00","created_by":"x@example.com"}),
            400,
        ),
    ] {
        assert_eq!(
            app.call(Method::POST, "/api/events", Some(&admin), Some(body), &[])
                .await
                .status,
            status
        );
    }
    // Not JSON, and too big.
    let mut req = axum::http::Request::builder()
        .method(Method::POST)
        .uri("/api/events")
        .header("authorization", format!("Bearer {admin}"))
        .header("content-type", "text/plain");
    let text = app_call_raw(&app, req, "kind=charter".into()).await;
    assert_eq!(text.status, 415);
    req = axum::http::Request::builder()
        .method(Method::POST)
        .uri("/api/events")
        .header("authorization", format!("Bearer {admin}"))
        .header("content-type", "application/json");
    let huge = format!("{{\"notes\":\"{}\"}}", "x".repeat(70 * 1024));
    let big = app_call_raw(&app, req, huge).await;
    assert_eq!(big.status, 413);
    assert_eq!(big.json["type"], "/problems/too-large");
}

async fn app_call_raw(
    app: &TestApp,
    req: axum::http::request::Builder,
    body: String,
) -> common::Reply {
    use tower::ServiceExt;
    let req = req.body(axum::body::Body::from(body)).expect("request");
    common::Reply::from(app.router.clone().oneshot(req).await.expect("infallible")).await
}

#[tokio::test]
async fn edits_need_a_current_if_match_and_move_the_nudge() {
    let app = TestApp::embedded().await;
    let admin = app.token("admin@jada.example.com", "jada").await;
    let event = app.event("jada", 48).await;
    let path = format!("/api/events/{}", event.id);
    let patch = json!({"departs_at": (event.departs_at + Duration::hours(1)).to_rfc3339(), "returns_at": (event.returns_at + Duration::hours(1)).to_rfc3339()});
    assert_eq!(
        app.call(Method::PATCH, &path, Some(&admin), Some(patch.clone()), &[])
            .await
            .status,
        428
    );
    let etag = event.etag();
    let ok = app
        .call(
            Method::PATCH,
            &path,
            Some(&admin),
            Some(patch.clone()),
            &[("if-match", &etag)],
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.json);
    assert_eq!(ok.json["version"], 2);
    assert!(app.scheduler.0.lock().expect("lock").iter().any(
        |c| matches!(c, Call::Upsert(s) if s.anchor_at == event.departs_at + Duration::hours(1))
    ));
    // The old ETag is stale now.
    let stale = app
        .call(
            Method::PATCH,
            &path,
            Some(&admin),
            Some(json!({"notes":"late"})),
            &[("if-match", &etag)],
        )
        .await;
    assert_eq!(stale.status, 412);
    assert_eq!(stale.json["type"], "/problems/stale");
    // A tick in between does not make the new ETag stale: ticks and edits touch different fields.
    let fresh = ok.header("etag").expect("etag").to_string();
    let deck = app.token("deck@jada.example.com", "jada").await;
    let tick = app
        .call(
            Method::PUT,
            &format!("{path}/tasks/engine_bilge_check"),
            Some(&deck),
            Some(json!({"done":true,"op_id":"op-edit-000001","at":"2026-07-01T15:59:00Z"})),
            &[],
        )
        .await;
    assert_eq!(tick.status, 200);
    let after = app
        .call(
            Method::PATCH,
            &path,
            Some(&admin),
            Some(json!({"notes":"late"})),
            &[("if-match", &fresh)],
        )
        .await;
    assert_eq!(after.status, 200);
    assert_eq!(after.json["checklist"]["done"], 1, "the edit kept the tick");
    // Bad edits are 400 with the field named.
    let bad = app
        .call(
            Method::PATCH,
            &path,
            Some(&admin),
            Some(json!({"returns_at":"2026-06-01T10:00"})),
            &[("if-match", after.header("etag").expect("etag"))],
        )
        .await;
    assert_eq!(bad.status, 400);
    assert_eq!(bad.json["errors"][0]["field"], "returns_at");
}

#[tokio::test]
async fn ticks_are_idempotent_and_independent() {
    let app = TestApp::embedded().await;
    let deck = app.token("deck@jada.example.com", "jada").await;
    let cap = app.token("cap@jada.example.com", "jada").await;
    let event = app.event("jada", 2).await;
    let base = format!("/api/events/{}/tasks", event.id);
    let body =
        |op: &str, done: bool| json!({"done": done, "op_id": op, "at": "2026-07-01T15:58:00Z"});
    let first = app
        .call(
            Method::PUT,
            &format!("{base}/life_jackets"),
            Some(&deck),
            Some(body("op-tick-000001", true)),
            &[],
        )
        .await;
    assert_eq!(first.status, 200);
    assert_eq!(first.json["applied"], true);
    let replay = app
        .call(
            Method::PUT,
            &format!("{base}/life_jackets"),
            Some(&deck),
            Some(body("op-tick-000001", true)),
            &[],
        )
        .await;
    assert_eq!(replay.json["applied"], false);
    let other = app
        .call(
            Method::PUT,
            &format!("{base}/float_plan"),
            Some(&cap),
            Some(body("op-tick-000002", true)),
            &[],
        )
        .await;
    assert_eq!(other.json["applied"], true);
    let view = app
        .call(
            Method::GET,
            &format!("/api/events/{}", event.id),
            Some(&deck),
            None,
            &[],
        )
        .await;
    assert_eq!(view.json["checklist"]["done"], 2);
    let audit = view.json["audit"].as_array().expect("audit");
    assert_eq!(audit.len(), 2);
    assert_eq!(audit[0]["by"], "deck@jada.example.com");
    assert_eq!(audit[0]["action"], "task_done");
    let timing = view.json["timing"]["tasks"].as_array().expect("tasks");
    let lj = timing
        .iter()
        .find(|t| t["id"] == "life_jackets")
        .expect("task");
    assert_eq!(lj["status"], "done");
    assert_eq!(lj["done_by"], "deck@jada.example.com");

    for (path, body, status) in [
        (
            format!("{base}/no_such_task"),
            body("op-tick-000003", true),
            404,
        ),
        (
            format!("{base}/life_jackets"),
            json!({"done": true, "op_id": "x", "at": "2026-07-01T15:58:00Z"}),
            400,
        ),
        (
            format!("{base}/life_jackets"),
            json!({"done": true, "op_id": "op-tick-000004", "at": "2026-07-01T18:00:00Z"}),
            400,
        ),
        (
            format!("{base}/life_jackets"),
            json!({"done": true, "op_id": "op-tick-000005", "at": "yesterday"}),
            400,
        ),
        (
            format!("{base}/life_jackets"),
            json!({"done": true, "op_id": "op-tick-000006"}),
            400,
        ),
    ] {
        let reply = app
            .call(Method::PUT, &path, Some(&deck), Some(body), &[])
            .await;
        assert_eq!(reply.status, status, "{path}: {}", reply.json);
    }
}

#[tokio::test]
async fn departure_return_and_cancellation() {
    let app = TestApp::embedded().await;
    let admin = app.token("admin@jada.example.com", "jada").await;
    let cap = app.token("cap@jada.example.com", "jada").await;
    let event = app.event("jada", 1).await;
    let path = format!("/api/events/{}", event.id);
    // Departure is a safety moment (issue 17): an hour early with the pre-departure safety tasks
    // open, it is refused until each open one is confirmed.
    let view = app.call(Method::GET, &path, Some(&cap), None, &[]).await;
    let check = &view.json["departure_check"];
    assert_eq!(check["minutes_early"], 60, "{check}");
    let open: Vec<String> = check["open_safety_tasks"]
        .as_array()
        .expect("list")
        .iter()
        .map(|t| t["id"].as_str().expect("id").to_string())
        .collect();
    assert!(open.contains(&"float_plan".to_string()), "{open:?}");
    assert!(
        !open.contains(&"nav_lights_on".to_string()),
        "underway items are not pre-departure"
    );
    let refused = app
        .call(
            Method::POST,
            &format!("{path}/departed"),
            Some(&cap),
            None,
            &[],
        )
        .await;
    assert_eq!(refused.status, 409, "{}", refused.json);
    assert_eq!(refused.json["type"], "/problems/open-safety-tasks");
    assert_eq!(
        refused.json["errors"].as_array().map(Vec::len),
        Some(open.len())
    );
    assert_eq!(refused.json["errors"][0]["code"], "open_safety_task");
    let partly = app
        .call(
            Method::POST,
            &format!("{path}/departed"),
            Some(&cap),
            Some(json!({"confirm_open_safety_tasks": &open[1..]})),
            &[],
        )
        .await;
    assert_eq!(partly.status, 409, "one left unconfirmed");
    let gone = app
        .call(
            Method::POST,
            &format!("{path}/departed"),
            Some(&cap),
            Some(json!({"confirm_open_safety_tasks": open})),
            &[],
        )
        .await;
    assert_eq!(gone.status, 200, "{}", gone.json);
    assert_eq!(gone.json["status"], "underway");
    assert_eq!(gone.json["departure_check"], Value::Null);
    let audit = gone.json["audit"].as_array().expect("audit");
    let departed = audit.last().expect("entry");
    assert_eq!(departed["action"], "departed");
    assert_eq!(departed["minutes_early"], 60);
    assert_eq!(departed["open_safety_tasks"], json!(open));
    let back = app
        .call(
            Method::POST,
            &format!("{path}/returned"),
            Some(&cap),
            Some(json!({"at": "2026-07-01T15:59:00Z"})),
            &[],
        )
        .await;
    assert_eq!(back.status, 200, "{}", back.json);
    assert_eq!(back.json["status"], "completed");
    assert_eq!(
        app.call(
            Method::POST,
            &format!("{path}/cancel"),
            Some(&admin),
            None,
            &[]
        )
        .await
        .status,
        409
    );
    let future = app
        .call(
            Method::POST,
            &format!("{path}/departed"),
            Some(&admin),
            Some(json!({"at": "2026-07-02T10:00:00Z"})),
            &[],
        )
        .await;
    assert_eq!(future.status, 400);

    let second = app.event("jada", 5).await;
    let cancelled = app
        .call(
            Method::POST,
            &format!("/api/events/{}/cancel", second.id),
            Some(&admin),
            None,
            &[],
        )
        .await;
    assert_eq!(cancelled.json["status"], "cancelled");
    assert!(
        app.scheduler
            .0
            .lock()
            .expect("lock")
            .contains(&Call::Delete(second.id.to_string(), NudgeKind::Departure))
    );
    let kinds: Vec<String> = app
        .feed
        .0
        .lock()
        .expect("lock")
        .iter()
        .map(|e| e.kind.clone())
        .collect();
    assert_eq!(
        kinds,
        ["event.departed", "event.returned", "event.cancelled"]
    );
    let tick = app
        .call(
            Method::PUT,
            &format!("/api/events/{}/tasks/float_plan", second.id),
            Some(&cap),
            Some(json!({"done":true,"op_id":"op-cancel-0001","at":"2026-07-01T15:00:00Z"})),
            &[],
        )
        .await;
    assert_eq!(tick.status, 409);
}

#[tokio::test]
async fn listings_by_local_date_page_and_filter_by_crew() {
    let app = TestApp::embedded().await;
    let admin = app.token("admin@jada.example.com", "jada").await;
    let other = app.token("other@jada.example.com", "jada").await;
    for h in [2, 26, 50, 74, 98] {
        app.event("jada", h).await;
    }
    let all = app
        .call(
            Method::GET,
            "/api/events?from=2026-07-01&to=2026-07-05",
            Some(&admin),
            None,
            &[],
        )
        .await;
    assert_eq!(all.json["events"].as_array().map(Vec::len), Some(5));
    let default = app
        .call(Method::GET, "/api/events", Some(&admin), None, &[])
        .await;
    assert_eq!(
        default.json["events"].as_array().map(Vec::len),
        Some(5),
        "today..+7 by default"
    );
    let none = app
        .call(Method::GET, "/api/events", Some(&other), None, &[])
        .await;
    assert_eq!(
        none.json["events"].as_array().map(Vec::len),
        Some(0),
        "crew see only their events"
    );

    let mut cursor = None::<String>;
    let mut seen = 0;
    for _ in 0..5 {
        let q = match &cursor {
            Some(c) => format!("/api/events?limit=2&cursor={c}"),
            None => "/api/events?limit=2".into(),
        };
        let page = app.call(Method::GET, &q, Some(&admin), None, &[]).await;
        seen += page.json["events"].as_array().map(Vec::len).unwrap_or(0);
        cursor = page.json["next_cursor"].as_str().map(str::to_string);
        if cursor.is_none() {
            break;
        }
    }
    assert_eq!(seen, 5);
    for q in [
        "from=2026-13-01",
        "from=2026-07-05&to=2026-07-01",
        "from=2026-01-01&to=2026-12-31",
        "cursor=zz",
        "limit=abc",
        "bogus=1",
    ] {
        let reply = app
            .call(
                Method::GET,
                &format!("/api/events?{q}"),
                Some(&admin),
                None,
                &[],
            )
            .await;
        assert_eq!(reply.status, 400, "{q}: {}", reply.json);
    }
    let clamped = app
        .call(
            Method::GET,
            "/api/events?limit=100000",
            Some(&admin),
            None,
            &[],
        )
        .await;
    assert_eq!(clamped.status, 200, "page sizes are clamped, not refused");
}
