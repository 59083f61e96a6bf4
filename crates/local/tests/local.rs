//! The local server end to end over its router: health, sign-in through the outbox, a seeded
//! event's timing panel, firing a nudge now, and a restart that keeps the data.

use axum::body::Body;
use axum::http::{Method, Request};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

async fn call(
    router: &axum::Router,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = Request::builder().method(method).uri(path);
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    let req = match body {
        Some(b) => req
            .header("content-type", "application/json")
            .body(Body::from(b.to_string())),
        None => req.body(Body::empty()),
    }
    .expect("request");
    let res = router.clone().oneshot(req).await.expect("infallible");
    let status = res.status().as_u16();
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    (
        status,
        serde_json::from_slice(&bytes)
            .unwrap_or(Value::String(String::from_utf8_lossy(&bytes).into())),
    )
}

fn config(dir: &std::path::Path) -> local::Config {
    local::Config {
        data: dir.join("data"),
        static_dir: dir.join("static"),
        app_url: "http://localhost:3000".into(),
    }
}

#[tokio::test]
async fn health_signin_timing_nudge_and_restart() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("local-{}", ulid::Ulid::new()));
    std::fs::create_dir_all(dir.join("static")).expect("dir");
    std::fs::write(
        dir.join("static/index.html"),
        "<!doctype html><title>app</title>",
    )
    .expect("index");
    let app = local::start(&config(&dir)).await.expect("start");
    let r = &app.router;

    assert_eq!(
        call(r, Method::GET, "/health", None, None).await,
        (200, json!({"status": "ok"}))
    );
    // The app shell for any other path; problem+json 404 for unknown API paths.
    let (status, page) = call(r, Method::GET, "/events/anything", None, None).await;
    assert_eq!(status, 200);
    assert!(
        page.as_str()
            .is_some_and(|p| p.contains("<title>app</title>"))
    );
    assert_eq!(call(r, Method::GET, "/api/nope", None, None).await.0, 404);
    assert_eq!(
        call(r, Method::GET, "/assets/missing-abc123.js", None, None)
            .await
            .0,
        404,
        "a missing asset is not the app shell"
    );

    // Sign in as the JADA captain through the outbox.
    let (status, _) = call(
        r,
        Method::POST,
        "/auth/magic-link",
        None,
        Some(json!({"email": "captain.jada@example.com"})),
    )
    .await;
    assert_eq!(status, 202);
    let (_, outbox) = call(r, Method::GET, "/dev/outbox.json", None, None).await;
    let text = outbox[0]["text"].as_str().expect("text");
    let link = text
        .split_whitespace()
        .find(|w| w.contains("/signin#token="))
        .expect("link");
    assert!(link.starts_with("http://localhost:3000/signin#token="));
    let token = link.split("#token=").nth(1).expect("token");
    let (status, grant) = call(
        r,
        Method::POST,
        "/auth/exchange",
        None,
        Some(json!({"token": token})),
    )
    .await;
    assert_eq!(status, 200, "{grant}");
    let jwt = grant["token"].as_str().expect("jwt");
    assert_eq!(grant["org"]["id"], "jada");

    // Today's seeded events, and one's timing panel.
    let (status, list) = call(r, Method::GET, "/api/events", Some(jwt), None).await;
    assert_eq!(status, 200);
    let events = list["events"].as_array().expect("events");
    assert!(!events.is_empty(), "seeded events for today and tomorrow");
    let id = events[0]["id"].as_str().expect("id").to_string();
    let (status, timing) = call(
        r,
        Method::GET,
        &format!("/api/events/{id}/timing"),
        Some(jwt),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(timing["zone"], "America/Los_Angeles");
    assert_eq!(timing["home_port"], "San Diego");
    assert!(timing["sunset"]["local"].is_string());
    assert!(timing["tasks"].as_array().is_some_and(|t| t.len() >= 10));

    // The pending nudges (tomorrow's events always have one), and one fired now: the crew get
    // an email.
    let (_, pending) = call(r, Method::GET, "/dev/schedules", None, None).await;
    let mine: Vec<&str> = events.iter().filter_map(|e| e["id"].as_str()).collect();
    let s = pending
        .as_array()
        .expect("schedules")
        .iter()
        .find(|s| s["event_id"].as_str().is_some_and(|e| mine.contains(&e)))
        .expect("a pending nudge for one of the captain's events");
    let (event_id, kind) = (
        s["event_id"].as_str().expect("id"),
        s["kind"].as_str().expect("kind"),
    );
    // The captain turned on notifications on a phone: the nudge is also "pushed", into the local
    // push outbox (/dev/push), beside the email.
    let (status, settings) = call(r, Method::GET, "/api/me/notifications", Some(jwt), None).await;
    assert_eq!(status, 200);
    let vapid = settings["vapid_public_key"]
        .as_str()
        .expect("a local VAPID key");
    let (status, phone) = call(
        r,
        Method::POST,
        "/api/me/phones",
        Some(jwt),
        Some(json!({"endpoint": "https://push.example.net/captain-phone",
                    "keys": {"p256dh": vapid, "auth": "AAECAwQFBgcICQoLDA0ODw"},
                    "label": "Captain's phone"})),
    )
    .await;
    assert_eq!(status, 201, "{phone}");
    let (status, fired) = call(
        r,
        Method::POST,
        &format!("/dev/nudges/{event_id}/{kind}"),
        None,
        None,
    )
    .await;
    assert_eq!(status, 200, "{fired}");
    let (_, pushed) = call(r, Method::GET, "/dev/push.json", None, None).await;
    let pushed = pushed.as_array().cloned().unwrap_or_default();
    assert_eq!(pushed.len(), 1, "{pushed:?}");
    assert_eq!(pushed[0]["phone_label"], "Captain's phone");
    assert!(
        pushed[0]["url"].as_str().is_some_and(
            |u| u.starts_with(&format!("http://localhost:3000/events/{event_id}?org="))
        ),
        "{pushed:?}"
    );
    let (status, page) = call(r, Method::GET, "/dev/push", None, None).await;
    assert_eq!(status, 200);
    assert!(
        page.as_str()
            .is_some_and(|p| p.contains("Captain&#39;s phone") || p.contains("Captain's phone")),
        "{page}"
    );
    let (_, outbox) = call(r, Method::GET, "/dev/outbox.json", None, None).await;
    assert!(
        outbox
            .as_array()
            .expect("list")
            .iter()
            .any(|m| m["category"] == "nudge" && m["to"] == "captain.jada@example.com")
    );
    assert_eq!(
        call(
            r,
            Method::POST,
            &format!("/dev/nudges/{event_id}/{kind}"),
            None,
            None
        )
        .await
        .0,
        404,
        "fired schedules are gone"
    );
    assert_eq!(
        call(
            r,
            Method::POST,
            &format!("/dev/nudges/{id}/sideways"),
            None,
            None
        )
        .await
        .0,
        404
    );

    // A restart keeps everything and seeds nothing new.
    drop(app);
    let again = local::start(&config(&dir)).await.expect("restart");
    let (status, list_again) =
        call(&again.router, Method::GET, "/api/events", Some(jwt), None).await;
    assert_eq!(status, 200, "the session survived the restart");
    assert_eq!(
        list_again["events"].as_array().map(Vec::len),
        Some(events.len())
    );
}
