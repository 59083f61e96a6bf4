//! Issue 13: no lost updates. The org's settings are versioned like an event (ETag on read,
//! If-Match on write, 428 without it, 412 naming the current version when stale), and the event
//! list answers 304 to a refresh when its page is unchanged, on both stores.

mod common;

use axum::http::Method;
use common::{Reply, TestApp};
use serde_json::json;

const ADMIN: &str = "admin@jada.example.com";

async fn read_org(app: &TestApp, token: &str) -> Reply {
    let read = app
        .call(Method::GET, "/api/org", Some(token), None, &[])
        .await;
    assert_eq!(read.status, 200, "{}", read.json);
    read
}

async fn patch_org(app: &TestApp, token: &str, body: serde_json::Value, etag: &str) -> Reply {
    app.call(
        Method::PATCH,
        "/api/org",
        Some(token),
        Some(body),
        &[("if-match", etag)],
    )
    .await
}

async fn stale_write_is_refused(app: TestApp) {
    let admin = app.token(ADMIN, "jada").await;
    let read = read_org(&app, &admin).await;
    let first = read.header("etag").expect("etag").to_string();
    assert_eq!(first, "\"jada-1\"");

    // Two admins read version 1; the first to save wins.
    let saved = patch_org(&app, &admin, json!({"zone": "America/New_York"}), &first).await;
    assert_eq!(saved.status, 200, "{}", saved.json);
    let second = saved.header("etag").expect("etag").to_string();
    assert_eq!(second, "\"jada-2\"", "a save answers the new version");

    // The second admin's save, made on version 1, is refused and changes nothing.
    let stale = patch_org(
        &app,
        &admin,
        json!({"home_port": {"name": "Newport"}, "zone": "Europe/London"}),
        &first,
    )
    .await;
    assert_eq!(stale.status, 412, "{}", stale.json);
    assert_eq!(stale.json["type"], "/problems/stale");
    let detail = stale.json["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains("version 2") && detail.contains("\"jada-2\""),
        "the problem names the current version: {detail}"
    );
    assert_eq!(
        stale.header("etag"),
        Some(second.as_str()),
        "and the 412 carries the current ETag"
    );
    let now = read_org(&app, &admin).await;
    assert_eq!(
        now.json["zone"], "America/New_York",
        "the first save stands"
    );
    assert_eq!(now.json["home_port"]["name"], "San Diego");
    assert_eq!(now.header("etag"), Some(second.as_str()));

    // Made again on the current version, it lands.
    let retried = patch_org(
        &app,
        &admin,
        json!({"home_port": {"name": "Newport"}}),
        &second,
    )
    .await;
    assert_eq!(retried.status, 200, "{}", retried.json);
    assert_eq!(retried.json["zone"], "America/New_York");
    assert_eq!(retried.json["home_port"]["name"], "Newport");
    assert_eq!(retried.header("etag"), Some("\"jada-3\""));
}

#[tokio::test]
async fn org_settings_stale_write_is_refused_with_current_version() {
    stale_write_is_refused(TestApp::embedded().await).await;
}

#[tokio::test]
async fn org_settings_stale_write_is_refused_with_current_version_on_dynamodb() {
    let Some(app) = TestApp::dynamodb().await else {
        return;
    };
    stale_write_is_refused(app).await;
}

#[tokio::test]
async fn org_settings_write_without_if_match_is_refused_with_428() {
    let app = TestApp::embedded().await;
    let admin = app.token(ADMIN, "jada").await;
    let blind = app
        .call(
            Method::PATCH,
            "/api/org",
            Some(&admin),
            Some(json!({"name": "Blind write"})),
            &[],
        )
        .await;
    assert_eq!(blind.status, 428, "{}", blind.json);
    assert_eq!(blind.json["type"], "/problems/if-match-required");
    assert_eq!(read_org(&app, &admin).await.json["name"], "JADA");
}

/// Anything that is not an ETag of this org at its current version is stale: another org's tag,
/// an event's tag, a future version, garbage. Nothing is written.
#[tokio::test]
async fn org_settings_write_with_a_foreign_or_garbled_etag_is_refused() {
    let app = TestApp::embedded().await;
    let admin = app.token(ADMIN, "jada").await;
    let event = app.event("jada", 24).await;
    let event_etag = event.etag();
    for tag in [
        "\"bravo-1\"",
        event_etag.as_str(),
        "\"jada-2\"",
        "\"jada-18446744073709551616\"",
        "\"jada\"",
        "garbage",
        "*",
    ] {
        let reply = patch_org(&app, &admin, json!({"name": "Overwritten"}), tag).await;
        assert_eq!(reply.status, 412, "{tag}: {}", reply.json);
        assert_eq!(reply.header("etag"), Some("\"jada-1\""), "{tag}");
    }
    // The weak form of the current tag is accepted (as for events).
    let weak = patch_org(&app, &admin, json!({"name": "JADA Yachts"}), "W/\"jada-1\"").await;
    assert_eq!(weak.status, 200, "{}", weak.json);
    assert_eq!(read_org(&app, &admin).await.json["name"], "JADA Yachts");
}

/// Two saves from the same version racing through the handler at once: the store's conditional
/// write lets exactly one land; the other is a 412, not a silent overwrite.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn org_settings_concurrent_writes_one_wins_the_other_is_412() {
    let app = TestApp::embedded().await;
    let admin = app.token(ADMIN, "jada").await;
    let etag = read_org(&app, &admin)
        .await
        .header("etag")
        .expect("etag")
        .to_string();
    let names = ["Writer A", "Writer B", "Writer C", "Writer D"];
    let replies = race_saves(&app, &admin, &etag, &names).await;
    let wins: Vec<&Reply> = replies.iter().filter(|r| r.status == 200).collect();
    let stale = replies.iter().filter(|r| r.status == 412).count();
    assert_eq!(
        (wins.len(), stale),
        (1, names.len() - 1),
        "{:?}",
        replies.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    let stored = read_org(&app, &admin).await;
    assert_eq!(stored.json["name"], wins[0].json["name"]);
    assert_eq!(stored.header("etag"), Some("\"jada-2\""));
}

async fn race_saves(app: &TestApp, token: &str, etag: &str, names: &[&str]) -> Vec<Reply> {
    let mut set = tokio::task::JoinSet::new();
    for name in names {
        let router = app.router.clone();
        let request = axum::http::Request::builder()
            .method(Method::PATCH)
            .uri("/api/org")
            .header("authorization", format!("Bearer {token}"))
            .header("if-match", etag)
            .header("content-type", "application/json")
            .body(axum::body::Body::from(json!({"name": name}).to_string()))
            .expect("request");
        set.spawn(async move {
            use tower::ServiceExt;
            Reply::from(router.oneshot(request).await.expect("infallible")).await
        });
    }
    let mut replies = Vec::new();
    while let Some(reply) = set.join_next().await {
        replies.push(reply.expect("join"));
    }
    replies
}

#[tokio::test]
async fn org_settings_unchanged_answers_304() {
    let app = TestApp::embedded().await;
    let admin = app.token(ADMIN, "jada").await;
    let read = read_org(&app, &admin).await;
    let etag = read.header("etag").expect("etag");
    let again = app
        .call(
            Method::GET,
            "/api/org",
            Some(&admin),
            None,
            &[("if-none-match", etag)],
        )
        .await;
    assert_eq!(again.status, 304);
    assert_eq!(again.json, serde_json::Value::Null, "no body");
}

async fn list(app: &TestApp, token: &str, path: &str, if_none_match: Option<&str>) -> Reply {
    let headers: Vec<(&str, &str)> = if_none_match
        .map(|t| vec![("if-none-match", t)])
        .unwrap_or_default();
    app.call(Method::GET, path, Some(token), None, &headers)
        .await
}

const RANGE: &str = "/api/events?from=2026-07-01&to=2026-07-05";

async fn unchanged_list_answers_304(app: TestApp) {
    let admin = app.token(ADMIN, "jada").await;
    app.event("jada", 2).await;
    app.event("jada", 26).await;
    let first = list(&app, &admin, RANGE, None).await;
    assert_eq!(first.status, 200, "{}", first.json);
    let etag = first.header("etag").expect("etag").to_string();
    assert!(etag.starts_with("\"l-") && etag.ends_with('"'), "{etag}");
    assert_eq!(first.header("cache-control"), Some("private, no-cache"));

    let again = list(&app, &admin, RANGE, Some(&etag)).await;
    assert_eq!(again.status, 304);
    assert_eq!(again.json, serde_json::Value::Null, "a 304 has no body");
    assert_eq!(again.header("etag"), Some(etag.as_str()));
    // A proxy's weak form, and a list of candidates, match too.
    let weak = format!("W/{etag}");
    assert_eq!(list(&app, &admin, RANGE, Some(&weak)).await.status, 304);
    let several = format!("\"l-0\", {etag}");
    assert_eq!(list(&app, &admin, RANGE, Some(&several)).await.status, 304);
    // Another tag is answered in full.
    let other = list(&app, &admin, RANGE, Some("\"l-0\"")).await;
    assert_eq!(other.status, 200);
    assert_eq!(
        other.header("etag"),
        Some(etag.as_str()),
        "stable for the same body"
    );
}

#[tokio::test]
async fn event_list_unchanged_answers_304() {
    unchanged_list_answers_304(TestApp::embedded().await).await;
}

#[tokio::test]
async fn event_list_unchanged_answers_304_on_dynamodb() {
    let Some(app) = TestApp::dynamodb().await else {
        return;
    };
    unchanged_list_answers_304(app).await;
}

/// Asserts the page was answered in full with a tag not seen before, and remembers it.
fn assert_new_etag(seen: &mut Vec<String>, reply: Reply, what: &str) {
    assert_eq!(reply.status, 200, "{what}: {}", reply.json);
    let etag = reply.header("etag").expect("etag").to_string();
    assert!(!seen.contains(&etag), "{what} kept an old ETag");
    seen.push(etag);
}

/// A 304 must never hide a change: a tick (which moves no version), an edit, a new event and a
/// renamed crew member each give the page a new ETag.
#[tokio::test]
async fn event_list_etag_changes_with_every_change_on_the_page() {
    let app = TestApp::embedded().await;
    let admin = app.token(ADMIN, "jada").await;
    let deck = app.token("deck@jada.example.com", "jada").await;
    let event = app.event("jada", 2).await;
    let mut seen = Vec::new();
    assert_new_etag(
        &mut seen,
        list(&app, &admin, RANGE, None).await,
        "the first read",
    );

    let tick = app
        .call(
            Method::PUT,
            &format!("/api/events/{}/tasks/engine_bilge_check", event.id),
            Some(&deck),
            Some(json!({"done": true, "op_id": "op-list-000001", "at": "2026-07-01T15:59:00Z"})),
            &[],
        )
        .await;
    assert_eq!(tick.status, 200, "{}", tick.json);
    let reply = list(&app, &admin, RANGE, seen.last().map(String::as_str)).await;
    assert_new_etag(&mut seen, reply, "a tick");

    let edit = app
        .call(
            Method::PATCH,
            &format!("/api/events/{}", event.id),
            Some(&admin),
            Some(json!({"title": "Renamed sail"})),
            &[("if-match", &event.etag())],
        )
        .await;
    assert_eq!(edit.status, 200, "{}", edit.json);
    let reply = list(&app, &admin, RANGE, seen.last().map(String::as_str)).await;
    assert_new_etag(&mut seen, reply, "an edit");

    app.event("jada", 30).await;
    let reply = list(&app, &admin, RANGE, seen.last().map(String::as_str)).await;
    assert_new_etag(&mut seen, reply, "a new event");

    let rename = app
        .call(
            Method::PATCH,
            "/api/members/deck@jada.example.com",
            Some(&admin),
            Some(json!({"name": "Deckhand Dana"})),
            &[],
        )
        .await;
    assert_eq!(rename.status, 200, "{}", rename.json);
    let reply = list(&app, &admin, RANGE, seen.last().map(String::as_str)).await;
    assert_new_etag(&mut seen, reply, "a crew member's new name");
}

/// The tag is of what this caller is shown: crew who see fewer events never get a 304 for the
/// admin's page, and the other way round.
#[tokio::test]
async fn event_list_etag_is_per_caller_view() {
    let app = TestApp::embedded().await;
    let admin = app.token(ADMIN, "jada").await;
    let other = app.token("other@jada.example.com", "jada").await;
    app.event("jada", 2).await;
    let admins = list(&app, &admin, RANGE, None).await;
    let etag = admins.header("etag").expect("etag");
    let crew = list(&app, &other, RANGE, Some(etag)).await;
    assert_eq!(crew.status, 200);
    assert_eq!(crew.json["events"].as_array().map(Vec::len), Some(0));
}
