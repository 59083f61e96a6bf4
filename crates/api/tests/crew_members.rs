//! A crew is made of the org's members who may work a checklist: an address from outside the org
//! or an executive (read only) is a field error on create and on a crew edit, read from the store
//! so it holds across instances; a member removed from the org comes off the crews of events that
//! can still change.

mod common;

use axum::http::Method;
use common::TestApp;
use serde_json::{Value, json};

fn sail(crew: Value) -> Value {
    json!({
        "kind": "sunset_sail", "title": "Sunset sail", "vessel": "Jada",
        "departs_at": "2026-07-04T18:30", "returns_at": "2026-07-04T21:00",
        "crew": crew, "notes": "", "revenue_cents": null
    })
}

async fn create(app: &TestApp, admin: &str, crew: Value) -> common::Reply {
    app.call(
        Method::POST,
        "/api/events",
        Some(admin),
        Some(sail(crew)),
        &[],
    )
    .await
}

fn field_codes(reply: &common::Reply) -> Vec<(String, String)> {
    reply.json["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| {
                    let s = |k: &str| e[k].as_str().unwrap_or_default().to_string();
                    (s("field"), s("code"))
                })
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn strangers_and_executives_cannot_be_put_on_a_crew() {
    let app = TestApp::embedded().await;
    let admin = app.token("admin@jada.example.com", "jada").await;
    let crew = json!([
        {"email": "cap@jada.example.com", "role": "captain"},
        {"email": "stranger@example.com", "role": "crew"},
        {"email": "exec@jada.example.com", "role": "crew"},
        {"email": "admin@bravo.example.com", "role": "crew"},
    ]);
    let reply = create(&app, &admin, crew).await;
    assert_eq!(reply.status, 400, "{}", reply.json);
    assert_eq!(
        field_codes(&reply),
        [
            ("crew/1/email".to_string(), "not_member".to_string()),
            ("crew/2/email".to_string(), "read_only".to_string()),
            ("crew/3/email".to_string(), "not_member".to_string()),
        ],
        "another org's admin is a stranger here too"
    );
    assert!(
        reply.json["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("stranger@example.com") && m.contains("People")),
        "{}",
        reply.json
    );
}

#[tokio::test]
async fn crew_edits_are_checked_and_a_removed_member_comes_off_the_crews_ahead() {
    let app = TestApp::embedded().await;
    let admin = app.token("admin@jada.example.com", "jada").await;
    let crew = json!([
        {"email": "cap@jada.example.com", "role": "captain"},
        {"email": "deck@jada.example.com", "role": "crew"},
    ]);
    let created = create(&app, &admin, crew).await;
    assert_eq!(created.status, 201, "{}", created.json);
    let path = format!("/api/events/{}", created.json["id"].as_str().expect("id"));
    let etag = created.header("etag").expect("etag").to_string();
    let stranger = app
        .call(
            Method::PATCH,
            &path,
            Some(&admin),
            Some(json!({"crew": [
                {"email": "cap@jada.example.com", "role": "captain"},
                {"email": "new.hand@example.com", "role": "crew"},
            ]})),
            &[("if-match", &etag)],
        )
        .await;
    assert_eq!(stranger.status, 400, "{}", stranger.json);
    assert_eq!(
        field_codes(&stranger),
        [("crew/1/email".to_string(), "not_member".to_string())]
    );
    // A cancelled event keeps its crew as it was: it is history.
    let old = app.event("jada", 5).await;
    let cancelled = app
        .call(
            Method::POST,
            &format!("/api/events/{}/cancel", old.id),
            Some(&admin),
            None,
            &[],
        )
        .await;
    assert_eq!(cancelled.status, 200, "{}", cancelled.json);
    // The deckhand leaves the org: they come off the crew of the event that can still change,
    // as an audited edit by the admin who removed them.
    let removed = app
        .call(
            Method::DELETE,
            "/api/members/deck@jada.example.com",
            Some(&admin),
            None,
            &[],
        )
        .await;
    assert_eq!(removed.status, 204, "{}", removed.json);
    let read = app.call(Method::GET, &path, Some(&admin), None, &[]).await;
    assert_eq!(read.status, 200, "{}", read.json);
    let crew: Vec<&str> = read.json["crew"]
        .as_array()
        .expect("crew")
        .iter()
        .filter_map(|c| c["email"].as_str())
        .collect();
    assert_eq!(crew, ["cap@jada.example.com"]);
    let last = read.json["audit"]
        .as_array()
        .and_then(|a| a.last())
        .expect("audit");
    assert_eq!(last["action"], "edited");
    assert_eq!(last["fields"], json!(["crew"]));
    assert_eq!(last["by"], "admin@jada.example.com");
    let kept = app
        .call(
            Method::GET,
            &format!("/api/events/{}", old.id),
            Some(&admin),
            None,
            &[],
        )
        .await;
    assert_eq!(
        kept.json["crew"].as_array().map(Vec::len),
        Some(2),
        "{}",
        kept.json
    );
    // Other edits go on as before.
    let notes = app
        .call(
            Method::PATCH,
            &path,
            Some(&admin),
            Some(json!({"notes": "Birthday"})),
            &[("if-match", read.header("etag").expect("etag"))],
        )
        .await;
    assert_eq!(notes.status, 200, "{}", notes.json);
}
