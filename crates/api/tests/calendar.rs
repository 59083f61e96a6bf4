//! The calendar feed, read as a calendar app would: every feed here is parsed by Python's
//! `icalendar` (tests/calendar/parse_ics.py, run with the venv `make test` prepares), and the
//! local times are worked out there with zoneinfo, not by this code.

mod common;

use axum::http::Method;
use chrono::{TimeZone, Utc};
use common::TestApp;
use domain::Role;
use serde_json::{Value, json};
use std::io::Write;
use std::process::{Command, Stdio};

/// The parsed feed, or `None` outside CI when no test Python is set (`make test` sets it).
fn parse(ics: &str, zone: &str) -> Option<Value> {
    let python = test_support::test_python()?;
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/calendar/parse_ics.py"
    );
    let mut child = Command::new(python)
        .arg(script)
        .arg(zone)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(ics.as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("parse");
    assert!(
        out.status.success(),
        "icalendar refused the feed: {}\n{ics}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(serde_json::from_slice(&out.stdout).expect("json"))
}

fn events(feed: &Value) -> Vec<Value> {
    feed["events"].as_array().cloned().unwrap_or_default()
}

fn by_uid<'a>(events: &'a [Value], id: &str) -> &'a Value {
    events
        .iter()
        .find(|e| e["uid"].as_str().is_some_and(|u| u.starts_with(id)))
        .unwrap_or_else(|| panic!("no VEVENT for {id} in {events:?}"))
}

async fn subscribe(app: &TestApp, token: &str) -> String {
    let made = app
        .call(Method::POST, "/api/me/calendar", Some(token), None, &[])
        .await;
    assert_eq!(made.status, 201, "{}", made.json);
    assert_eq!(made.header("cache-control"), Some("no-store"));
    let https = made.json["https_url"].as_str().expect("url").to_string();
    let webcal = made.json["webcal_url"].as_str().expect("webcal");
    assert_eq!(
        webcal.strip_prefix("webcal://"),
        https.strip_prefix("https://")
    );
    https
        .strip_prefix("https://app.example.com")
        .expect("on the app's origin")
        .to_string()
}

async fn create(app: &TestApp, admin: &str, body: Value) -> String {
    let made = app
        .call(Method::POST, "/api/events", Some(admin), Some(body), &[])
        .await;
    assert_eq!(made.status, 201, "{}", made.json);
    made.json["id"].as_str().expect("id").to_string()
}

fn sail(title: &str, departs: &str, returns: &str, crew: Value) -> Value {
    json!({"kind": "sunset_sail", "title": title, "vessel": "Jada", "departs_at": departs,
           "returns_at": returns, "crew": crew, "notes": "", "revenue_cents": null,
           // Past dates and short crews are this test's data, not what it checks (issue 17).
           "confirm": ["departure_in_past", "short_of_crew"]})
}

#[tokio::test]
async fn a_crew_member_sees_their_events_at_the_right_local_times() {
    let app = TestApp::embedded().await;
    app.clock.set(
        Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0)
            .single()
            .expect("time"),
    );
    let admin = app.token("admin@jada.example.com", "jada").await;
    let deck = app.token("deck@jada.example.com", "jada").await;
    let crew = json!([{"email": "cap@jada.example.com", "role": "captain"},
                      {"email": "deck@jada.example.com", "role": "crew"}]);
    // Both DST changes of 2026 in Los Angeles: the local times must survive them.
    let spring = create(
        &app,
        &admin,
        sail(
            "Spring forward",
            "2026-03-08T10:00",
            "2026-03-08T13:00",
            crew.clone(),
        ),
    )
    .await;
    let fall = create(
        &app,
        &admin,
        sail(
            "Fall back",
            "2026-11-01T09:00",
            "2026-11-01T12:00",
            crew.clone(),
        ),
    )
    .await;
    let not_mine = create(
        &app,
        &admin,
        sail(
            "Not on it",
            "2026-03-09T10:00",
            "2026-03-09T12:00",
            json!([{"email": "cap@jada.example.com", "role": "captain"}]),
        ),
    )
    .await;

    let url = subscribe(&app, &deck).await;
    assert!(url.starts_with("/cal/") && url.ends_with(".ics"), "{url}");
    let status = app
        .call(Method::GET, "/api/me/calendar", Some(&deck), None, &[])
        .await;
    assert_eq!(status.json["subscribed"], true);
    assert!(
        status.json.get("https_url").is_none(),
        "the URL is shown once"
    );

    let got = app.call(Method::GET, &url, None, None, &[]).await;
    assert_eq!(got.status, 200, "{}", got.text);
    assert_eq!(
        got.header("content-type"),
        Some("text/calendar; charset=utf-8")
    );
    assert_eq!(got.header("cache-control"), Some("private, max-age=900"));
    let Some(feed) = parse(&got.text, "America/Los_Angeles") else {
        return;
    };
    assert_eq!(feed["name"], "Ship Captain Crew");
    let list = events(&feed);
    assert_eq!(list.len(), 2, "only the events deck is on: {list:?}");
    assert!(
        list.iter()
            .all(|e| !e["uid"].as_str().unwrap_or_default().starts_with(&not_mine))
    );

    let s = by_uid(&list, &spring);
    assert_eq!(s["start"]["local"], "2026-03-08T10:00");
    assert_eq!(s["start"]["utc"], "2026-03-08T17:00:00Z", "PDT, UTC-7");
    assert_eq!(s["end"]["local"], "2026-03-08T13:00");
    let f = by_uid(&list, &fall);
    assert_eq!(f["start"]["local"], "2026-11-01T09:00");
    assert_eq!(f["start"]["utc"], "2026-11-01T17:00:00Z", "PST, UTC-8");
    assert_eq!(f["status"], "CONFIRMED");
    let summary = s["summary"].as_str().unwrap_or_default();
    assert!(summary.contains("Jada"), "{summary}");
    let description = s["description"].as_str().unwrap_or_default();
    assert!(
        description.starts_with("Spring forward · Sunset sail · JADA"),
        "{description}"
    );
    assert!(description.contains("You are crew"), "{description}");
    assert!(
        description.contains("cap (captain)") && description.contains("deck (crew)"),
        "{description}"
    );
    let link = format!("https://app.example.com/events/{spring}?org=jada");
    assert!(description.contains(&link), "{description}");
    assert_eq!(s["url"], link.as_str());
    let port = domain::seed::san_diego();
    assert!(
        s["location"]
            .as_str()
            .unwrap_or_default()
            .contains(&port.name)
    );
    let geo = s["geo"].as_array().expect("GEO");
    assert!((geo[0].as_f64().unwrap_or_default() - port.latitude).abs() < 1e-5);
    assert!((geo[1].as_f64().unwrap_or_default() - port.longitude).abs() < 1e-5);

    // Polling: the same feed is a 304; an edit grows SEQUENCE; a cancel says so.
    let etag = got.header("etag").expect("etag").to_string();
    let again = app
        .call(Method::GET, &url, None, None, &[("if-none-match", &etag)])
        .await;
    assert_eq!(again.status, 304);
    let before = s["sequence"].as_i64().expect("sequence");
    let show = app
        .call(
            Method::GET,
            &format!("/api/events/{spring}"),
            Some(&admin),
            None,
            &[],
        )
        .await;
    let etag_of_event = show.header("etag").expect("event etag").to_string();
    let edit = app
        .call(
            Method::PATCH,
            &format!("/api/events/{spring}"),
            Some(&admin),
            Some(json!({"departs_at": "2026-03-08T10:30"})),
            &[("if-match", &etag_of_event)],
        )
        .await;
    assert!(edit.status == 200, "{} {}", edit.status, edit.json);
    let cancel = app
        .call(
            Method::POST,
            &format!("/api/events/{fall}/cancel"),
            Some(&admin),
            None,
            &[],
        )
        .await;
    assert!(cancel.status == 200, "{} {}", cancel.status, cancel.json);
    let changed = app
        .call(Method::GET, &url, None, None, &[("if-none-match", &etag)])
        .await;
    assert_eq!(changed.status, 200);
    let Some(feed) = parse(&changed.text, "America/Los_Angeles") else {
        return;
    };
    let list = events(&feed);
    let s = by_uid(&list, &spring);
    assert!(s["sequence"].as_i64().expect("sequence") > before);
    assert_eq!(s["start"]["local"], "2026-03-08T10:30");
    assert_eq!(by_uid(&list, &fall)["status"], "CANCELLED");
}

#[tokio::test]
async fn the_feed_spans_orgs_and_drops_an_org_that_removed_the_person() {
    let app = TestApp::embedded().await;
    // deck works for bravo too.
    app.join(
        "deck@jada.example.com",
        "bravo",
        "Bravo Hauling",
        "Deck",
        Role::Crew,
    )
    .await;
    let jada_admin = app.token("admin@jada.example.com", "jada").await;
    let bravo_admin = app.token("admin@bravo.example.com", "bravo").await;
    let deck = app.token("deck@jada.example.com", "jada").await;
    let crew = json!([{"email": "cap@jada.example.com", "role": "captain"},
                      {"email": "deck@jada.example.com", "role": "crew"}]);
    let sail_id = create(
        &app,
        &jada_admin,
        sail("Sail", "2026-07-04T18:30", "2026-07-04T21:00", crew.clone()),
    )
    .await;
    let haul = json!({"kind": "haul", "title": "Haul", "vessel": "Truck 2",
        "departs_at": "2026-07-05T08:00", "returns_at": "2026-07-05T11:00",
        "crew": [{"email": "driver@bravo.example.com", "role": "captain"},
                 {"email": "deck@jada.example.com", "role": "crew"}],
        "notes": "", "revenue_cents": null});
    let haul_id = create(&app, &bravo_admin, haul).await;
    let url = subscribe(&app, &deck).await;

    let got = app.call(Method::GET, &url, None, None, &[]).await;
    let Some(feed) = parse(&got.text, "America/Los_Angeles") else {
        return;
    };
    let list = events(&feed);
    assert_eq!(list.len(), 2, "{list:?}");
    by_uid(&list, &sail_id);
    assert!(
        by_uid(&list, &haul_id)["url"]
            .as_str()
            .unwrap_or_default()
            .ends_with("?org=bravo")
    );

    let removed = app
        .call(
            Method::DELETE,
            "/api/members/deck@jada.example.com",
            Some(&bravo_admin),
            None,
            &[],
        )
        .await;
    assert!(
        removed.status == 204 || removed.status == 200,
        "{}",
        removed.json
    );
    let got = app.call(Method::GET, &url, None, None, &[]).await;
    let Some(feed) = parse(&got.text, "America/Los_Angeles") else {
        return;
    };
    let list = events(&feed);
    assert_eq!(list.len(), 1, "bravo's haul left the feed: {list:?}");
    by_uid(&list, &sail_id);
}

#[tokio::test]
async fn regenerating_or_revoking_kills_the_old_url_at_once() {
    let app = TestApp::embedded().await;
    let deck = app.token("deck@jada.example.com", "jada").await;
    let first = subscribe(&app, &deck).await;
    assert_eq!(
        app.call(Method::GET, &first, None, None, &[]).await.status,
        200
    );
    let second = subscribe(&app, &deck).await;
    assert_ne!(first, second);
    assert_eq!(
        app.call(Method::GET, &first, None, None, &[]).await.status,
        404
    );
    assert_eq!(
        app.call(Method::GET, &second, None, None, &[]).await.status,
        200
    );

    let revoked = app
        .call(Method::DELETE, "/api/me/calendar", Some(&deck), None, &[])
        .await;
    assert_eq!(revoked.status, 204);
    assert_eq!(
        app.call(Method::GET, &second, None, None, &[]).await.status,
        404
    );
    let status = app
        .call(Method::GET, "/api/me/calendar", Some(&deck), None, &[])
        .await;
    assert_eq!(status.json["subscribed"], false);
}

#[tokio::test]
async fn malformed_and_unknown_tokens_are_the_same_404() {
    let app = TestApp::embedded().await;
    let deck = app.token("deck@jada.example.com", "jada").await;
    let real = subscribe(&app, &deck).await;
    let token = real.trim_start_matches("/cal/").trim_end_matches(".ics");
    let mut flipped = token.to_string();
    let last = if flipped.ends_with('A') { "B" } else { "A" };
    flipped.replace_range(42.., last);
    for path in [
        format!("/cal/{flipped}.ics"),
        format!("/cal/{token}"),
        format!("/cal/{token}.ics.ics"),
        "/cal/short.ics".to_string(),
        format!("/cal/{}.ics", "%00".repeat(15)),
        format!("/cal/{}.ics", "a".repeat(5000)),
    ] {
        let got = app.call(Method::GET, &path, None, None, &[]).await;
        assert_eq!(got.status, 404, "{path}");
        assert_eq!(
            got.header("content-type"),
            Some("application/problem+json"),
            "{path}"
        );
    }
    // Management needs a session; the feed path takes no bearer token instead of its own.
    assert_eq!(
        app.call(Method::POST, "/api/me/calendar", None, None, &[])
            .await
            .status,
        401
    );
}

#[tokio::test]
async fn on_dynamodb_the_feed_round_trips() {
    let Some(app) = TestApp::dynamodb().await else {
        return;
    };
    let admin = app.token("admin@jada.example.com", "jada").await;
    let deck = app.token("deck@jada.example.com", "jada").await;
    let id = create(
        &app,
        &admin,
        sail(
            "Sail",
            "2026-07-04T18:30",
            "2026-07-04T21:00",
            json!([{"email": "cap@jada.example.com", "role": "captain"},
                   {"email": "deck@jada.example.com", "role": "crew"}]),
        ),
    )
    .await;
    let url = subscribe(&app, &deck).await;
    let got = app.call(Method::GET, &url, None, None, &[]).await;
    assert_eq!(got.status, 200, "{}", got.text);
    let Some(feed) = parse(&got.text, "America/Los_Angeles") else {
        return;
    };
    assert_eq!(
        by_uid(&events(&feed), &id)["start"]["local"],
        "2026-07-04T18:30"
    );
    let again = subscribe(&app, &deck).await;
    assert_eq!(
        app.call(Method::GET, &url, None, None, &[]).await.status,
        404
    );
    assert_eq!(
        app.call(Method::GET, &again, None, None, &[]).await.status,
        200
    );
}
