//! A person's phones for Web Push and their nudge preference: validated subscriptions, their own
//! list only, renewals keep the id, at most ten, and nothing accepted where push is not set up.

mod common;

use axum::http::Method;
use common::{TestApp, VAPID_PUBLIC_KEY};
use serde_json::{Value, json};

/// A subscription as a browser sends it; the key is a valid P-256 point.
fn subscription(endpoint: &str) -> Value {
    json!({"endpoint": endpoint, "expirationTime": null,
           "keys": {"p256dh": VAPID_PUBLIC_KEY, "auth": "AAECAwQFBgcICQoLDA0ODw"},
           "label": "Pixel 8"})
}

#[tokio::test]
async fn a_phone_is_added_listed_renewed_and_removed() {
    let app = TestApp::embedded().await;
    let deck = app.token("deck@jada.example.com", "jada").await;
    let settings = app
        .call(Method::GET, "/api/me/notifications", Some(&deck), None, &[])
        .await;
    assert_eq!(settings.status, 200);
    assert_eq!(settings.json["preference"], "both");
    assert_eq!(settings.json["vapid_public_key"], VAPID_PUBLIC_KEY);
    assert_eq!(settings.json["phones"], json!([]));

    let endpoint = "https://fcm.googleapis.com/fcm/send/abc123";
    let added = app
        .call(
            Method::POST,
            "/api/me/phones",
            Some(&deck),
            Some(subscription(endpoint)),
            &[],
        )
        .await;
    assert_eq!(added.status, 201, "{}", added.json);
    let id = added.json["id"].as_str().expect("id").to_string();
    assert_eq!(added.json["label"], "Pixel 8");
    assert!(
        added.json.get("endpoint").is_none(),
        "the endpoint is never echoed"
    );

    app.clock.advance(chrono::Duration::days(1));
    let again = app
        .call(
            Method::POST,
            "/api/me/phones",
            Some(&deck),
            Some(subscription(endpoint)),
            &[],
        )
        .await;
    assert_eq!(
        again.json["id"],
        id.as_str(),
        "the same subscription keeps its id"
    );
    assert!(
        again.json["expires_at"].as_str() > added.json["expires_at"].as_str(),
        "renewed"
    );
    let list = app
        .call(Method::GET, "/api/me/notifications", Some(&deck), None, &[])
        .await;
    assert_eq!(list.json["phones"].as_array().map(Vec::len), Some(1));

    // Another person cannot see or remove it.
    let cap = app.token("cap@jada.example.com", "jada").await;
    let theirs = app
        .call(Method::GET, "/api/me/notifications", Some(&cap), None, &[])
        .await;
    assert_eq!(theirs.json["phones"], json!([]));
    let path = format!("/api/me/phones/{id}");
    assert_eq!(
        app.call(Method::DELETE, &path, Some(&cap), None, &[])
            .await
            .status,
        404
    );
    assert_eq!(
        app.call(Method::DELETE, &path, Some(&deck), None, &[])
            .await
            .status,
        204
    );
    assert_eq!(
        app.call(Method::DELETE, &path, Some(&deck), None, &[])
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn unusable_subscriptions_are_field_errors() {
    let app = TestApp::embedded().await;
    let deck = app.token("deck@jada.example.com", "jada").await;
    let mut bad_key = subscription("https://push.example.net/x");
    bad_key["keys"]["p256dh"] = json!("BAAA");
    let mut bad_auth = subscription("https://push.example.net/x");
    bad_auth["keys"]["auth"] = json!("AAEC");
    let mut long_label = subscription("https://push.example.net/x");
    long_label["label"] = json!("x".repeat(61));
    for (body, field) in [
        (subscription("http://push.example.net/x"), "endpoint"),
        (subscription("not a url"), "endpoint"),
        (bad_key, "endpoint"),
        (bad_auth, "endpoint"),
        (long_label, "label"),
    ] {
        let got = app
            .call(
                Method::POST,
                "/api/me/phones",
                Some(&deck),
                Some(body.clone()),
                &[],
            )
            .await;
        assert_eq!(got.status, 400, "{body}: {}", got.json);
        assert_eq!(got.json["errors"][0]["field"], field, "{body}");
    }
    let unknown = json!({"endpoint": "https://push.example.net/x", "keys": {"p256dh": VAPID_PUBLIC_KEY, "auth": "AAECAwQFBgcICQoLDA0ODw", "extra": 1}});
    assert_eq!(
        app.call(
            Method::POST,
            "/api/me/phones",
            Some(&deck),
            Some(unknown),
            &[]
        )
        .await
        .status,
        400
    );
    assert_eq!(
        app.call(
            Method::POST,
            "/api/me/phones",
            None,
            Some(subscription("https://p.example/x")),
            &[]
        )
        .await
        .status,
        401
    );
}

#[tokio::test]
async fn at_most_ten_phones_the_oldest_goes() {
    let app = TestApp::embedded().await;
    let deck = app.token("deck@jada.example.com", "jada").await;
    let mut first = String::new();
    for i in 0..11 {
        app.clock.advance(chrono::Duration::minutes(1));
        let got = app
            .call(
                Method::POST,
                "/api/me/phones",
                Some(&deck),
                Some(subscription(&format!("https://push.example.net/phone-{i}"))),
                &[],
            )
            .await;
        assert_eq!(got.status, 201);
        if i == 0 {
            first = got.json["id"].as_str().expect("id").to_string();
        }
    }
    let list = app
        .call(Method::GET, "/api/me/notifications", Some(&deck), None, &[])
        .await;
    let phones = list.json["phones"].as_array().cloned().unwrap_or_default();
    assert_eq!(phones.len(), 10);
    assert!(
        phones.iter().all(|p| p["id"] != first.as_str()),
        "the oldest was dropped"
    );
}

#[tokio::test]
async fn the_preference_is_saved_and_checked() {
    let app = TestApp::embedded().await;
    let deck = app.token("deck@jada.example.com", "jada").await;
    let set = app
        .call(
            Method::PUT,
            "/api/me/notifications",
            Some(&deck),
            Some(json!({"preference": "push"})),
            &[],
        )
        .await;
    assert_eq!(set.status, 200, "{}", set.json);
    assert_eq!(set.json["preference"], "push");
    let read = app
        .call(Method::GET, "/api/me/notifications", Some(&deck), None, &[])
        .await;
    assert_eq!(read.json["preference"], "push");
    let bad = app
        .call(
            Method::PUT,
            "/api/me/notifications",
            Some(&deck),
            Some(json!({"preference": "sms"})),
            &[],
        )
        .await;
    assert_eq!(bad.status, 400);
}

#[tokio::test]
async fn where_push_is_not_set_up_no_phone_is_taken() {
    let app = TestApp::embedded().await;
    let deck = app.token("deck@jada.example.com", "jada").await;
    let router = &app.without_push;
    let got = common::call_on(
        router,
        Method::POST,
        "/api/me/phones",
        Some(&deck),
        Some(subscription("https://push.example.net/x")),
        &[],
    )
    .await;
    assert_eq!(got.status, 409, "{}", got.json);
    let settings = common::call_on(
        router,
        Method::GET,
        "/api/me/notifications",
        Some(&deck),
        None,
        &[],
    )
    .await;
    assert_eq!(settings.json["vapid_public_key"], Value::Null);
}
