//! Issue 16, part 5: notes and photos on tasks, on moto's S3. The api signs the uploads (type and
//! length checked first), a client we did not write (Python's urllib) PUTs the photo and its
//! thumbnail, the tick names them (refused until both are stored), and the crew screen shows the
//! note and URLs that return the same bytes. Another org's event is a 404 here as everywhere.

mod common;

use axum::http::Method;
use common::TestApp;
use serde_json::{Value, json};

/// PUTs `bytes` to a presigned upload the api gave, with its headers (but the length, which the
/// client sets from the body). `None` without Python outside CI.
fn put(upload: &Value, bytes: &[u8]) -> Option<u16> {
    let url = upload["url"].as_str().expect("url");
    let headers: Vec<(String, String)> = upload["headers"]
        .as_object()
        .expect("headers")
        .iter()
        .filter(|(k, _)| k.as_str() != "content-length")
        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
        .collect();
    let refs: Vec<(&str, &str)> = headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    test_support::python_http("PUT", url, &refs, bytes).map(|(status, _)| status)
}

#[tokio::test]
async fn a_crew_member_attaches_a_note_and_a_photo_to_a_task() {
    let Some(app) = TestApp::with_photos().await else {
        return;
    };
    let deck = app.token("deck@jada.example.com", "jada").await;
    let event = app.event("jada", 2).await;
    let base = format!("/api/events/{}/tasks/fuel_check", event.id);
    let full: Vec<u8> = (0..4000u32).map(|i| (i * 7 % 256) as u8).collect();
    let thumb: Vec<u8> = (0..300u32).map(|i| (i * 3 % 256) as u8).collect();

    // Refused before anything is signed: the type, the sizes.
    let bad = app
        .call(
            Method::POST,
            &format!("{base}/photos"),
            Some(&deck),
            Some(json!({"content_type": "image/gif", "bytes": 6_000_000, "thumb_bytes": 0})),
            &[],
        )
        .await;
    assert_eq!(bad.status, 400, "{}", bad.json);
    assert_eq!(bad.error_fields(), ["content_type", "bytes", "thumb_bytes"]);

    let signed = app
        .call(
            Method::POST,
            &format!("{base}/photos"),
            Some(&deck),
            Some(json!({"content_type": "image/jpeg", "bytes": full.len(), "thumb_bytes": thumb.len()})),
            &[],
        )
        .await;
    assert_eq!(signed.status, 201, "{}", signed.json);
    let photo = signed.json["photo"].clone();
    assert_eq!(photo["content_type"], "image/jpeg");

    // Named before it is uploaded: refused, and nothing is ticked.
    let early = app
        .call(
            Method::PUT,
            &base,
            Some(&deck),
            Some(
                json!({"done": true, "op_id": "op-photo-000001", "at": common::now().to_rfc3339(),
                        "note": "Fuel at 3/4", "photos": [photo]}),
            ),
            &[],
        )
        .await;
    assert_eq!(early.status, 400, "{}", early.json);
    assert_eq!(early.error_fields(), ["photos/0"]);

    let Some(status) = put(&signed.json["upload"], &full) else {
        return;
    };
    assert_eq!(status, 200);
    assert_eq!(put(&signed.json["thumb_upload"], &thumb), Some(200));

    let ticked = app
        .call(
            Method::PUT,
            &base,
            Some(&deck),
            Some(
                json!({"done": true, "op_id": "op-photo-000002", "at": common::now().to_rfc3339(),
                        "note": "  Fuel at 3/4, topped up  ", "photos": [photo]}),
            ),
            &[],
        )
        .await;
    assert_eq!(ticked.status, 200, "{}", ticked.json);

    let view = app
        .call(
            Method::GET,
            &format!("/api/events/{}", event.id),
            Some(&deck),
            None,
            &[],
        )
        .await;
    let task = view.json["checklist"]["phases"]
        .as_array()
        .expect("phases")
        .iter()
        .flat_map(|p| p["tasks"].as_array().cloned().unwrap_or_default())
        .find(|t| t["id"] == "fuel_check")
        .expect("the task");
    assert_eq!(task["note"], "Fuel at 3/4, topped up");
    let shown = &task["photos"][0];
    assert_eq!(shown["id"], photo["id"]);
    let (status, got) =
        test_support::python_http("GET", shown["thumb_url"].as_str().expect("url"), &[], &[])
            .expect("get");
    assert_eq!(
        (status, got),
        (200, thumb.clone()),
        "the thumbnail comes back"
    );
    let (_, got) = test_support::python_http("GET", shown["url"].as_str().expect("url"), &[], &[])
        .expect("get");
    assert_eq!(got, full);
    // The history keeps the note and the photo, with its URLs.
    let entry = view.json["audit"]
        .as_array()
        .expect("audit")
        .iter()
        .find(|a| a["op_id"] == "op-photo-000002")
        .cloned()
        .expect("audited");
    assert_eq!(entry["note"], "Fuel at 3/4, topped up");
    assert_eq!(entry["photos"][0]["id"], photo["id"]);
    assert!(view.json["photo_urls"][photo["id"].as_str().expect("id")]["thumb_url"].is_string());

    // More than three, a long note: field errors.
    let many = app
        .call(
            Method::PUT,
            &base,
            Some(&deck),
            Some(
                json!({"done": true, "op_id": "op-photo-000003", "at": common::now().to_rfc3339(),
                        "note": "x".repeat(281), "photos": [photo, photo, photo, photo]}),
            ),
            &[],
        )
        .await;
    assert_eq!(many.error_fields(), ["note", "photos"]);

    // Another org's member: the event, its photos and its upload URLs are 404.
    let driver = app.token("driver@bravo.example.com", "bravo").await;
    let other = app
        .call(
            Method::POST,
            &format!("{base}/photos"),
            Some(&driver),
            Some(json!({"content_type": "image/jpeg", "bytes": 10, "thumb_bytes": 10})),
            &[],
        )
        .await;
    assert_eq!(other.status, 404);
    // Executives read only.
    let exec = app.token("exec@jada.example.com", "jada").await;
    let read_only = app
        .call(
            Method::POST,
            &format!("{base}/photos"),
            Some(&exec),
            Some(json!({"content_type": "image/jpeg", "bytes": 10, "thumb_bytes": 10})),
            &[],
        )
        .await;
    assert_eq!(read_only.status, 403);
}
