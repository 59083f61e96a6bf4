//! The API as Lambda serves it: real API Gateway HTTP API v2 event JSON (query strings, path
//! parameters, a base64 body) through lambda_http into the router; and 50 concurrent ticks on
//! DynamoDB (moto) through the router.

mod common;

use axum::http::Method;
use common::{Reply, TestApp};
use serde_json::json;
use tower::ServiceExt;

async fn lambda_call(app: &TestApp, fixture: &str, token: &str, event: &str) -> Reply {
    let json = fixture
        .replace("{{TOKEN}}", token)
        .replace("{{EVENT}}", event);
    let request = lambda_http::request::from_str(&json).expect("a valid API Gateway v2 event");
    Reply::from(
        app.router
            .clone()
            .oneshot(request)
            .await
            .expect("infallible"),
    )
    .await
}

#[tokio::test]
async fn api_gateway_v2_events_reach_the_routes() {
    let app = TestApp::embedded().await;
    let deck = app.token("deck@jada.example.com", "jada").await;
    let event = app.event("jada", 2).await;
    let listed = lambda_call(
        &app,
        include_str!("fixtures/apigw-v2-get-events.json"),
        &deck,
        "",
    )
    .await;
    assert_eq!(listed.status, 200, "{}", listed.json);
    assert_eq!(listed.json["events"][0]["id"], event.id.as_str());
    assert!(listed.header("x-request-id").is_some());

    let ticked = lambda_call(
        &app,
        include_str!("fixtures/apigw-v2-put-task.json"),
        &deck,
        event.id.as_str(),
    )
    .await;
    assert_eq!(ticked.status, 200, "{}", ticked.json);
    assert_eq!(ticked.json["task_id"], "life_jackets");
    assert_eq!(ticked.json["applied"], true);
    let replay = lambda_call(
        &app,
        include_str!("fixtures/apigw-v2-put-task.json"),
        &deck,
        event.id.as_str(),
    )
    .await;
    assert_eq!(replay.json["applied"], false);

    let anonymous = lambda_call(
        &app,
        include_str!("fixtures/apigw-v2-get-events.json"),
        "garbage",
        "",
    )
    .await;
    assert_eq!(anonymous.status, 401);
    assert_eq!(
        anonymous.header("content-type"),
        Some("application/problem+json")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_ticks_on_dynamodb_all_land() {
    let Some(app) = TestApp::dynamodb().await else {
        return;
    };
    let app = std::sync::Arc::new(app);
    let admin = app.token("admin@jada.example.com", "jada").await;
    // A charter has 19 tasks: fifty ticks spread over them, each with its own op id.
    let created = app
        .call(Method::POST, "/api/events", Some(&admin), Some(json!({
            "kind":"charter","title":"Busy","vessel":"Jada","departs_at":"2026-07-02T11:00","returns_at":"2026-07-02T15:00",
            "crew":[{"email":"deck@jada.example.com","role":"crew"},{"email":"cap@jada.example.com","role":"captain"}]})), &[])
        .await;
    assert_eq!(created.status, 201, "{}", created.json);
    let id = created.json["id"].as_str().expect("id").to_string();
    let tasks: Vec<String> = created.json["checklist"]["phases"]
        .as_array()
        .expect("phases")
        .iter()
        .flat_map(|p| p["tasks"].as_array().cloned().unwrap_or_default())
        // The deckhand's tasks: the captain's are refused to crew (issue 17).
        .filter(|t| t["role"] == "crew")
        .filter_map(|t| t["id"].as_str().map(str::to_string))
        .collect();
    assert!(tasks.len() >= 8, "{}", tasks.len());
    let deck = app.token("deck@jada.example.com", "jada").await;
    let mut set = tokio::task::JoinSet::new();
    for i in 0..50 {
        let app = app.clone();
        let (id, deck) = (id.clone(), deck.clone());
        let task = tasks[i % tasks.len()].clone();
        set.spawn(async move {
            let body = json!({"done": true, "op_id": format!("op-fifty-{i:04}"), "at": "2026-07-01T15:59:00Z"});
            app.call(Method::PUT, &format!("/api/events/{id}/tasks/{task}"), Some(&deck), Some(body), &[]).await
        });
    }
    while let Some(r) = set.join_next().await {
        let reply = r.expect("join");
        assert_eq!(reply.status, 200, "{}", reply.json);
        assert_eq!(reply.json["applied"], true);
    }
    let view = app
        .call(
            Method::GET,
            &format!("/api/events/{id}"),
            Some(&deck),
            None,
            &[],
        )
        .await;
    assert_eq!(
        view.json["checklist"]["done"].as_u64(),
        Some(tasks.len() as u64),
        "every task ticked"
    );
    assert_eq!(
        view.json["audit"].as_array().map(Vec::len),
        Some(51),
        "fifty ticks and the creation, none lost"
    );
}
