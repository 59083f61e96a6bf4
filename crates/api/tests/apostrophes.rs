//! Addresses with an apostrophe (`o'brien@…`, RFC 5321 atext) work everywhere an address goes:
//! invitations, the member list, crews, the mail and its MIME rendering, the store's keys (both
//! adapters), and the path of the member routes; a typographic apostrophe is read as `'`.

mod common;

use axum::http::Method;
use common::TestApp;
use serde_json::json;

async fn apostrophes_work_end_to_end(app: TestApp) {
    let admin = app.token("admin@jada.example.com", "jada").await;
    let invited = app
        .call(
            Method::POST,
            "/api/members",
            Some(&admin),
            // What a phone's smart punctuation types.
            Some(json!({"email": "Sean.O\u{2019}Brien@Jada.example.com", "name": "Seán O'Brien", "role": "crew"})),
            &[],
        )
        .await;
    assert_eq!(invited.status, 201, "{}", invited.json);
    assert_eq!(invited.json["email"], "sean.o'brien@jada.example.com");
    let again = app
        .call(
            Method::POST,
            "/api/members",
            Some(&admin),
            Some(json!({"email": "sean.o'brien@jada.example.com", "role": "crew"})),
            &[],
        )
        .await;
    assert_eq!(again.status, 409, "the same person, however typed");

    // The invitation: addressed to the normalised address; in the HTML, every apostrophe the
    // message carries (the name, the address if shown) is an entity, never a raw quote that
    // could end an attribute.
    let mail = app.outbox.list().await.expect("outbox");
    let invite = mail
        .iter()
        .find(|m| m.to == "sean.o'brien@jada.example.com")
        .expect("an invitation to the apostrophe address");
    assert!(
        !invite.html.to_lowercase().contains("o'brien"),
        "a raw apostrophe in the HTML"
    );
    let eml = std::fs::read_to_string(app.outbox.folder().join(format!("{}.eml", invite.id)))
        .expect("the MIME rendering");
    let to_line = eml
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("to:"))
        .expect("a To header");
    assert!(
        to_line.contains("sean.o'brien@jada.example.com"),
        "atext needs no quoting or encoding: {to_line}"
    );

    // The member routes take the address in the path, percent-encoded or not.
    for path in [
        "/api/members/sean.o'brien@jada.example.com",
        "/api/members/sean.o%27brien%40jada.example.com",
    ] {
        let edited = app
            .call(
                Method::PATCH,
                path,
                Some(&admin),
                Some(json!({"name": "Sean O'Brien"})),
                &[],
            )
            .await;
        assert_eq!(edited.status, 200, "{path}: {}", edited.json);
    }
    let members = app
        .call(Method::GET, "/api/members", Some(&admin), None, &[])
        .await;
    assert!(
        members
            .json
            .to_string()
            .contains("sean.o'brien@jada.example.com"),
        "{}",
        members.json
    );

    // On a crew, signed in, seeing the event.
    let event = app
        .call(
            Method::POST,
            "/api/events",
            Some(&admin),
            Some(json!({
                "kind": "sunset_sail", "title": "Sunset sail", "vessel": "Jada",
                "departs_at": "2026-07-04T18:30", "returns_at": "2026-07-04T21:00",
                "crew": [{"email": "cap@jada.example.com", "role": "captain"},
                         {"email": "SEAN.O'BRIEN@jada.example.com", "role": "crew"}],
                "notes": "", "revenue_cents": null
            })),
            &[],
        )
        .await;
    assert_eq!(event.status, 201, "{}", event.json);
    assert_eq!(
        event.json["crew"][1]["email"],
        "sean.o'brien@jada.example.com"
    );
    let sean = app.token("sean.o'brien@jada.example.com", "jada").await;
    let me = app
        .call(Method::GET, "/api/me", Some(&sean), None, &[])
        .await;
    assert_eq!(me.status, 200, "{}", me.json);
    assert_eq!(me.json["email"], "sean.o'brien@jada.example.com");
    let id = event.json["id"].as_str().expect("id");
    let seen = app
        .call(
            Method::GET,
            &format!("/api/events/{id}"),
            Some(&sean),
            None,
            &[],
        )
        .await;
    assert_eq!(seen.status, 200, "{}", seen.json);
    assert_eq!(seen.json["my_role"], "crew");

    // Still refused: double quotes, backticks, zero-width characters.
    for bad in [
        "\"sean\"@jada.example.com",
        "se`an@jada.example.com",
        "se\u{200B}an@jada.example.com",
    ] {
        let refused = app
            .call(
                Method::POST,
                "/api/members",
                Some(&admin),
                Some(json!({"email": bad, "role": "crew"})),
                &[],
            )
            .await;
        assert_eq!(refused.status, 400, "{bad:?}");
    }
}

#[tokio::test]
async fn apostrophe_addresses_work_on_the_embedded_store() {
    apostrophes_work_end_to_end(TestApp::embedded().await).await;
}

#[tokio::test]
async fn apostrophe_addresses_work_on_dynamodb() {
    let Some(app) = TestApp::dynamodb().await else {
        return;
    };
    apostrophes_work_end_to_end(app).await;
}
