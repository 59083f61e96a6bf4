//! Ticks made offline reach the server late and out of order. The tick made last on its device
//! decides a task's state (docs/ARCHITECTURE.md, "Exactly once"); an older one that syncs later is
//! kept in the history and answers `superseded` with the state that stands.

mod common;

use axum::http::Method;
use common::TestApp;
use serde_json::json;

async fn tick(
    app: &TestApp,
    token: &str,
    event: &str,
    op: &str,
    done: bool,
    at: &str,
) -> common::Reply {
    app.call(
        Method::PUT,
        &format!("/api/events/{event}/tasks/engine_bilge_check"),
        Some(token),
        Some(json!({ "done": done, "op_id": op, "at": at })),
        &[],
    )
    .await
}

async fn late_offline_tick_does_not_undo_a_newer_one(app: TestApp) {
    let event = app.event("jada", 3).await;
    let id = event.id.to_string();
    let cap = app.token("cap@jada.example.com", "jada").await;
    let deck = app.token("deck@jada.example.com", "jada").await;
    // 15:55 the captain unticks (the plan was not left ashore after all), online.
    let undo = tick(
        &app,
        &cap,
        &id,
        "op-late-cap-0001",
        false,
        "2026-07-01T15:55:00Z",
    )
    .await;
    assert_eq!(undo.status, 200, "{}", undo.json);
    assert_eq!(undo.json["superseded"], false);
    // The deckhand's tick from 15:50, made offline, syncs at 16:00.
    let late = tick(
        &app,
        &deck,
        &id,
        "op-late-deck-0001",
        true,
        "2026-07-01T15:50:00Z",
    )
    .await;
    assert_eq!(late.status, 200, "{}", late.json);
    assert_eq!(late.json["applied"], true);
    assert_eq!(late.json["superseded"], true);
    assert_eq!(
        late.json["done"], false,
        "the captain's later untick stands"
    );
    assert_eq!(late.json["by"], "cap@jada.example.com");
    let read = app
        .call(
            Method::GET,
            &format!("/api/events/{id}"),
            Some(&deck),
            None,
            &[],
        )
        .await;
    assert_eq!(read.status, 200);
    assert_eq!(read.json["checklist"]["done"], 0);
    let ops: Vec<&str> = read.json["audit"]
        .as_array()
        .expect("audit")
        .iter()
        .filter_map(|a| a["op_id"].as_str())
        .collect();
    assert_eq!(
        ops,
        ["op-late-cap-0001", "op-late-deck-0001"],
        "both ticks are in the history"
    );
}

#[tokio::test]
async fn a_late_offline_tick_does_not_undo_a_newer_one_embedded() {
    late_offline_tick_does_not_undo_a_newer_one(TestApp::embedded().await).await;
}

#[tokio::test]
async fn a_late_offline_tick_does_not_undo_a_newer_one_dynamodb() {
    let Some(app) = TestApp::dynamodb().await else {
        return;
    };
    late_offline_tick_does_not_undo_a_newer_one(app).await;
}
