//! A crew is made of the org's members who may work a checklist: an address from outside the org
//! or an executive (read only) is a field error on create and on a crew edit, read from the store
//! so it holds across instances.

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
    let reply = app
        .call(
            Method::POST,
            "/api/events",
            Some(&admin),
            Some(sail(crew)),
            &[],
        )
        .await;
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
async fn a_crew_edit_is_checked_and_other_edits_are_not_blocked_by_it() {
    let app = TestApp::embedded().await;
    let admin = app.token("admin@jada.example.com", "jada").await;
    let crew = json!([
        {"email": "cap@jada.example.com", "role": "captain"},
        {"email": "deck@jada.example.com", "role": "crew"},
    ]);
    let created = app
        .call(
            Method::POST,
            "/api/events",
            Some(&admin),
            Some(sail(crew)),
            &[],
        )
        .await;
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
    // The deckhand leaves the org; editing the notes is not refused for it (the crew was not
    // touched), and the nudge skips them (crates/nudge/tests/nudges.rs).
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
    let notes = app
        .call(
            Method::PATCH,
            &path,
            Some(&admin),
            Some(json!({"notes": "Birthday"})),
            &[("if-match", &etag)],
        )
        .await;
    assert_eq!(notes.status, 200, "{}", notes.json);
}
