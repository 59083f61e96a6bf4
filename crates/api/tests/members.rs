//! Members: invitations send a sign-in email; role changes and removal end sessions at once; an
//! org never loses its last admin. Org settings validate.

mod common;

use axum::http::Method;
use common::TestApp;
use serde_json::json;

#[tokio::test]
async fn invite_role_change_and_removal() {
    let app = TestApp::embedded().await;
    let admin = app.token("admin@jada.example.com", "jada").await;
    let invited = app
        .call(
            Method::POST,
            "/api/members",
            Some(&admin),
            Some(json!({"email":" New.Hand@Jada.example.com ","name":"New Hand","role":"crew"})),
            &[],
        )
        .await;
    assert_eq!(invited.status, 201, "{}", invited.json);
    assert_eq!(invited.json["email"], "new.hand@jada.example.com");
    let mail = app.outbox.list().await.expect("outbox");
    assert_eq!(mail.len(), 1);
    assert_eq!(mail[0].to, "new.hand@jada.example.com");
    assert!(mail[0].subject.contains("invited to JADA"));
    assert!(
        mail[0]
            .text
            .contains("https://app.example.com/signin#token=")
    );
    assert_eq!(
        app.call(
            Method::POST,
            "/api/members",
            Some(&admin),
            Some(json!({"email":"new.hand@jada.example.com","role":"crew"})),
            &[]
        )
        .await
        .status,
        409
    );
    assert_eq!(
        app.call(
            Method::POST,
            "/api/members",
            Some(&admin),
            Some(json!({"email":"nope","role":"crew"})),
            &[]
        )
        .await
        .status,
        400
    );
    assert_eq!(
        app.call(
            Method::POST,
            "/api/members",
            Some(&admin),
            Some(json!({"email":"a@jada.example.com","role":"owner"})),
            &[]
        )
        .await
        .status,
        400
    );

    // A role change ends the member's sessions.
    let deck = app.token("deck@jada.example.com", "jada").await;
    assert_eq!(
        app.call(Method::GET, "/api/me", Some(&deck), None, &[])
            .await
            .status,
        200
    );
    let changed = app
        .call(
            Method::PATCH,
            "/api/members/deck@jada.example.com",
            Some(&admin),
            Some(json!({"role":"captain","name":"Dana Deck"})),
            &[],
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.json);
    assert_eq!(changed.json["role"], "captain");
    assert_eq!(changed.json["name"], "Dana Deck");
    assert_eq!(
        app.call(Method::GET, "/api/me", Some(&deck), None, &[])
            .await
            .status,
        401,
        "old token after a role change"
    );

    // Removal ends them too, and removing again is 404.
    let other = app.token("other@jada.example.com", "jada").await;
    assert_eq!(
        app.call(
            Method::DELETE,
            "/api/members/other@jada.example.com",
            Some(&admin),
            None,
            &[]
        )
        .await
        .status,
        204
    );
    assert_eq!(
        app.call(Method::GET, "/api/me", Some(&other), None, &[])
            .await
            .status,
        401,
        "old token after removal"
    );
    assert_eq!(
        app.call(
            Method::DELETE,
            "/api/members/other@jada.example.com",
            Some(&admin),
            None,
            &[]
        )
        .await
        .status,
        404
    );

    // The last admin stays.
    assert_eq!(
        app.call(
            Method::DELETE,
            "/api/members/admin@jada.example.com",
            Some(&admin),
            None,
            &[]
        )
        .await
        .status,
        409
    );
    assert_eq!(
        app.call(
            Method::PATCH,
            "/api/members/admin@jada.example.com",
            Some(&admin),
            Some(json!({"role":"crew"})),
            &[]
        )
        .await
        .status,
        409
    );
    let list = app
        .call(Method::GET, "/api/members", Some(&admin), None, &[])
        .await;
    assert!(list.json.as_array().is_some_and(|m| {
        m.iter()
            .any(|x| x["email"] == "admin@jada.example.com" && x["role"] == "admin")
    }));
}

#[tokio::test]
async fn org_settings_validate() {
    let app = TestApp::embedded().await;
    let admin = app.token("admin@jada.example.com", "jada").await;
    let read = app
        .call(Method::GET, "/api/org", Some(&admin), None, &[])
        .await;
    let etag = read.header("etag").expect("etag").to_string();
    let ok = app
        .call(Method::PATCH, "/api/org", Some(&admin), Some(json!({
            "zone": "America/New_York",
            "home_port": {"name": "Newport", "latitude": 41.49, "longitude": -71.31},
            "report_recipients": {"operations": ["ops@jada.example.com", "OPS@jada.example.com"], "finance": []}
        })), &[("if-match", &etag)])
        .await;
    assert_eq!(ok.status, 200, "{}", ok.json);
    assert_eq!(ok.json["zone"], "America/New_York");
    assert_eq!(
        ok.json["report_recipients"]["operations"],
        json!(["ops@jada.example.com"])
    );
    let bad = app
        .call(
            Method::PATCH,
            "/api/org",
            Some(&admin),
            Some(json!({
                "zone": "Mars/Base", "home_port": {"name": "", "latitude": 91, "longitude": 0},
                "report_recipients": {"gossip": [], "safety": ["not-an-email"]}, "enabled_kinds": []
            })),
            &[("if-match", ok.header("etag").expect("etag"))],
        )
        .await;
    assert_eq!(bad.status, 400);
    let mut fields: Vec<&str> = bad.json["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    fields.sort();
    assert_eq!(
        fields,
        [
            "enabled_kinds",
            "home_port/latitude",
            "home_port/name",
            "report_recipients/gossip",
            "report_recipients/safety/0",
            "zone"
        ]
    );
    let shown = app
        .call(Method::GET, "/api/org", Some(&admin), None, &[])
        .await;
    assert_eq!(
        shown.json["zone"], "America/New_York",
        "a refused patch changed nothing"
    );
}
