//! Tenant isolation: one org's token against another org's ids, on every route that takes an id,
//! answers 404; listings never show the other org's events.

mod common;

use axum::http::Method;
use common::TestApp;
use serde_json::json;

#[tokio::test]
async fn another_orgs_ids_are_not_found_everywhere() {
    let app = TestApp::embedded().await;
    let theirs = app.event("bravo", 24).await;
    let ours = app.event("jada", 24).await;
    let admin = app.token("admin@jada.example.com", "jada").await;
    let e = theirs.id.as_str();
    let etag = theirs.etag();
    let routes: Vec<(Method, String, Option<serde_json::Value>)> = vec![
        (Method::GET, format!("/api/events/{e}"), None),
        (Method::GET, format!("/api/events/{e}/timing"), None),
        (
            Method::PATCH,
            format!("/api/events/{e}"),
            Some(json!({"notes":"x"})),
        ),
        (Method::POST, format!("/api/events/{e}/cancel"), None),
        (Method::POST, format!("/api/events/{e}/departed"), None),
        (Method::POST, format!("/api/events/{e}/returned"), None),
        (
            Method::PUT,
            format!("/api/events/{e}/tasks/pre_trip_inspection"),
            Some(json!({"done":true,"op_id":"op-iso-00001","at":"2026-07-01T15:00:00Z"})),
        ),
        (
            Method::PATCH,
            "/api/members/driver@bravo.example.com".into(),
            Some(json!({"role":"crew"})),
        ),
        (
            Method::DELETE,
            "/api/members/driver@bravo.example.com".into(),
            None,
        ),
    ];
    for (method, path, body) in routes {
        let reply = app
            .call(
                method.clone(),
                &path,
                Some(&admin),
                body,
                &[("if-match", etag.as_str())],
            )
            .await;
        assert_eq!(reply.status, 404, "{method} {path}: {}", reply.json);
    }
    // Their event and member are untouched.
    let bravo_admin = app.token("admin@bravo.example.com", "bravo").await;
    let still = app
        .call(
            Method::GET,
            &format!("/api/events/{e}"),
            Some(&bravo_admin),
            None,
            &[],
        )
        .await;
    assert_eq!(still.status, 200);
    assert_eq!(still.json["status"], "scheduled");
    assert_eq!(still.json["notes"], "Bring ice");
    let members = app
        .call(Method::GET, "/api/members", Some(&bravo_admin), None, &[])
        .await;
    assert!(members.json.as_array().is_some_and(|m| {
        m.iter()
            .any(|x| x["email"] == "driver@bravo.example.com" && x["role"] == "captain")
    }));

    // Listings: each org sees only its own.
    let list = app
        .call(
            Method::GET,
            "/api/events?from=2026-06-25&to=2026-07-20",
            Some(&admin),
            None,
            &[],
        )
        .await;
    let ids: Vec<&str> = list.json["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["id"].as_str())
        .collect();
    assert_eq!(ids, [ours.id.as_str()]);
    let list = app
        .call(
            Method::GET,
            "/api/events?from=2026-06-25&to=2026-07-20",
            Some(&bravo_admin),
            None,
            &[],
        )
        .await;
    let ids: Vec<&str> = list.json["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["id"].as_str())
        .collect();
    assert_eq!(ids, [theirs.id.as_str()]);

    // The org in the path, query or body is never obeyed: there is none to give, and an unknown
    // field is refused.
    let sneaky = app
        .call(Method::POST, "/api/events", Some(&admin), Some(json!({"kind":"charter","title":"t","vessel":"v","departs_at":"2026-07-10T11:00","returns_at":"2026-07-10T12:00","org_id":"bravo"})), &[])
        .await;
    assert_eq!(sneaky.status, 400);
    let me = app
        .call(
            Method::GET,
            "/api/me?org_id=bravo",
            Some(&admin),
            None,
            &[("x-org-id", "bravo")],
        )
        .await;
    assert_eq!(me.json["org"]["id"], "jada");
}
