//! Issue 17, the crew app on the dock: the captain's sign-off as a step of its own that closes the
//! checklist; new events checked (a captain where the kind needs one, warnings to confirm for a
//! past departure and a short crew); sunset and dusk tasks that do not apply to a trip back before
//! them. (Departure as a safety moment is in `events.rs`, `departure_return_and_cancellation`.)

mod common;

use axum::http::Method;
use chrono::Duration;
use common::{Reply, TestApp};
use serde_json::{Value, json};

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .map(|l| {
            l.iter()
                .filter_map(|t| t["id"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

async fn post(app: &TestApp, path: &str, token: &str, body: Option<Value>) -> Reply {
    app.call(Method::POST, path, Some(token), body, &[]).await
}

async fn tick(app: &TestApp, path: &str, token: &str, task: &str, op: &str) -> Reply {
    app.call(
        Method::PUT,
        &format!("{path}/tasks/{task}"),
        Some(token),
        Some(json!({"done": true, "op_id": op, "at": "2026-07-01T15:59:00Z"})),
        &[],
    )
    .await
}

#[tokio::test]
async fn the_captain_signs_off_after_the_return_and_the_checklist_closes() {
    let app = TestApp::embedded().await;
    let admin = app.token("admin@jada.example.com", "jada").await;
    let cap = app.token("cap@jada.example.com", "jada").await;
    let deck = app.token("deck@jada.example.com", "jada").await;
    let event = app.event("jada", 1).await;
    let path = format!("/api/events/{}", event.id);
    let sign = |open: Value| Some(json!({ "open_tasks": open }));

    // No sign-off task to tick mid-trip any more.
    assert_eq!(
        tick(&app, &path, &cap, "sign_off", "op-dock-0001")
            .await
            .status,
        404
    );
    let view = app.call(Method::GET, &path, Some(&deck), None, &[]).await;
    assert_eq!(view.json["sign_off"]["status"], "not_yet");
    let early = post(&app, &format!("{path}/sign-off"), &cap, sign(json!([]))).await;
    assert_eq!(early.status, 409, "not before the return: {}", early.json);

    assert_eq!(app.depart(&path, &cap).await.status, 200);
    let back = post(&app, &format!("{path}/returned"), &cap, None).await;
    assert_eq!(back.status, 200, "{}", back.json);
    assert_eq!(back.json["sign_off"]["status"], "ready");
    // Post-trip work is still ticked after the return.
    let fuel = tick(&app, &path, &deck, "post_trip_checks", "op-dock-0002").await;
    assert_eq!(fuel.status, 200, "{}", fuel.json);

    let view = app.call(Method::GET, &path, Some(&cap), None, &[]).await;
    assert_eq!(view.json["sign_off"]["can_sign"], true);
    let open = ids(&view.json["sign_off"]["open_tasks"]);
    assert!(open.contains(&"headcount_off".to_string()), "{open:?}");
    assert!(!open.contains(&"post_trip_checks".to_string()), "done");

    // Only the event's captain signs: not the crew, not the office.
    for who in [&deck, &admin] {
        let r = post(&app, &format!("{path}/sign-off"), who, sign(json!(open))).await;
        assert_eq!(r.status, 403, "{}", r.json);
    }
    // A list that is not what is open now is refused with the current one.
    let stale = post(
        &app,
        &format!("{path}/sign-off"),
        &cap,
        sign(json!(&open[1..])),
    )
    .await;
    assert_eq!(stale.status, 409);
    assert_eq!(stale.json["type"], "/problems/open-tasks-changed");
    assert_eq!(
        stale.json["errors"].as_array().map(Vec::len),
        Some(open.len())
    );

    let signed = post(&app, &format!("{path}/sign-off"), &cap, sign(json!(open))).await;
    assert_eq!(signed.status, 200, "{}", signed.json);
    assert_eq!(signed.json["sign_off"]["status"], "signed");
    assert_eq!(signed.json["sign_off"]["by"], "cap@jada.example.com");
    assert_eq!(ids(&signed.json["sign_off"]["open_tasks"]), open);
    let entry = signed.json["audit"]
        .as_array()
        .and_then(|a| a.last().cloned())
        .expect("entry");
    assert_eq!(entry["action"], "signed_off");
    assert_eq!(entry["open_tasks"], json!(open));

    // Closed: later ticks and photos are refused; a second signature too.
    let late = tick(&app, &path, &cap, "headcount_off", "op-dock-0003").await;
    assert_eq!(late.status, 409, "{}", late.json);
    assert!(
        late.json["detail"]
            .as_str()
            .is_some_and(|d| d.contains("signed off")),
        "{}",
        late.json
    );
    let photo = post(
        &app,
        &format!("{path}/tasks/headcount_off/photos"),
        &cap,
        Some(json!({"content_type": "image/jpeg", "bytes": 1000, "thumb_bytes": 100})),
    )
    .await;
    assert_eq!(photo.status, 409, "{}", photo.json);
    let again = post(&app, &format!("{path}/sign-off"), &cap, sign(json!(open))).await;
    assert_eq!(again.status, 409);
    // A replay of a tick made before the sign-off is still answered, not refused.
    let replay = tick(&app, &path, &deck, "post_trip_checks", "op-dock-0002").await;
    assert_eq!(replay.status, 200, "{}", replay.json);
    assert_eq!(replay.json["applied"], false);
}

async fn count(app: &TestApp, admin: &str) -> usize {
    let list = app
        .call(
            Method::GET,
            "/api/events?from=2026-06-01&to=2026-08-01",
            Some(admin),
            None,
            &[],
        )
        .await;
    list.json["events"].as_array().map_or(0, Vec::len)
}

/// A returned event whose captain has left the org would stay open for ever (its crew can no
/// longer be edited): the office signs it off then, and only then.
#[tokio::test]
async fn the_office_signs_off_when_the_captain_has_left() {
    let app = TestApp::embedded().await;
    let admin = app.token("admin@jada.example.com", "jada").await;
    let cap = app.token("cap@jada.example.com", "jada").await;
    let event = app.event("jada", 1).await;
    let path = format!("/api/events/{}", event.id);
    assert_eq!(app.depart(&path, &cap).await.status, 200);
    assert_eq!(
        post(&app, &format!("{path}/returned"), &cap, None)
            .await
            .status,
        200
    );
    let view = app.call(Method::GET, &path, Some(&admin), None, &[]).await;
    assert_eq!(
        view.json["sign_off"]["can_sign"], false,
        "the captain is here"
    );
    let open = view.json["sign_off"]["open_tasks"].clone();
    let open_ids = json!(ids(&open));
    let sign = Some(json!({ "open_tasks": open_ids }));
    assert_eq!(
        post(&app, &format!("{path}/sign-off"), &admin, sign.clone())
            .await
            .status,
        403
    );
    let removed = app
        .call(
            Method::DELETE,
            "/api/members/cap@jada.example.com",
            Some(&admin),
            None,
            &[],
        )
        .await;
    assert!(removed.status < 300, "{}", removed.json);
    let view = app.call(Method::GET, &path, Some(&admin), None, &[]).await;
    assert_eq!(
        view.json["sign_off"]["can_sign"], true,
        "{}",
        view.json["sign_off"]
    );
    let signed = post(&app, &format!("{path}/sign-off"), &admin, sign).await;
    assert_eq!(signed.status, 200, "{}", signed.json);
    assert_eq!(signed.json["sign_off"]["by"], "admin@jada.example.com");
}

fn charter(crew: Value) -> Value {
    json!({"kind": "charter", "title": "Lee family", "vessel": "Jada",
           "departs_at": "2026-07-10T11:00", "returns_at": "2026-07-10T15:00", "crew": crew})
}

#[tokio::test]
async fn new_events_need_a_captain_and_confirmed_warnings() {
    let app = TestApp::embedded().await;
    let admin = app.token("admin@jada.example.com", "jada").await;
    let before = count(&app, &admin).await;

    let no_captain = post(
        &app,
        "/api/events",
        &admin,
        Some(charter(
            json!([{"email": "deck@jada.example.com", "role": "crew"}]),
        )),
    )
    .await;
    assert_eq!(no_captain.status, 400, "{}", no_captain.json);
    assert_eq!(no_captain.json["errors"][0]["field"], "crew");
    assert_eq!(no_captain.json["errors"][0]["code"], "captain_required");
    assert_eq!(
        no_captain.json["errors"][0]["message"],
        "a charter needs a captain"
    );

    let too_long = post(
        &app,
        "/api/events",
        &admin,
        Some(
            json!({"kind": "sunset_sail", "title": "Long", "vessel": "Jada",
                    "departs_at": "2026-07-10T11:00", "returns_at": "2026-07-10T19:00",
                    "crew": [{"email": "cap@jada.example.com", "role": "captain"}]}),
        ),
    )
    .await;
    assert_eq!(
        too_long.json["errors"][0]["message"],
        "a sunset sail lasts at most 6 hours"
    );

    // A short crew is a warning the office confirms.
    let short = json!([{"email": "cap@jada.example.com", "role": "captain"}]);
    let warned = post(&app, "/api/events", &admin, Some(charter(short.clone()))).await;
    assert_eq!(warned.status, 409, "{}", warned.json);
    assert_eq!(warned.json["type"], "/problems/unconfirmed-warnings");
    assert_eq!(warned.json["errors"][0]["code"], "short_of_crew");
    assert_eq!(
        warned.json["errors"][0]["message"],
        "a charter needs at least 2 crew; 1 assigned"
    );
    assert_eq!(count(&app, &admin).await, before, "nothing created");
    let mut confirmed = charter(short);
    confirmed["confirm"] = json!(["short_of_crew"]);
    let made = post(&app, "/api/events", &admin, Some(confirmed)).await;
    assert_eq!(made.status, 201, "{}", made.json);

    // A departure in the past too; confirming one warning does not confirm the other.
    let crew = json!([{"email": "cap@jada.example.com", "role": "captain"},
                      {"email": "deck@jada.example.com", "role": "crew"}]);
    let mut past = charter(crew);
    past["departs_at"] = json!("2026-07-01T08:00");
    past["returns_at"] = json!("2026-07-01T09:00");
    past["confirm"] = json!(["short_of_crew"]);
    let warned = post(&app, "/api/events", &admin, Some(past.clone())).await;
    assert_eq!(warned.status, 409);
    assert_eq!(warned.json["errors"][0]["field"], "departs_at");
    assert_eq!(warned.json["errors"][0]["code"], "departure_in_past");
    assert_eq!(
        warned.json["errors"][0]["message"],
        "the departure is 1 h in the past"
    );
    past["confirm"] = json!(["departure_in_past"]);
    assert_eq!(
        post(&app, "/api/events", &admin, Some(past)).await.status,
        201
    );
    assert_eq!(count(&app, &admin).await, before + 2);
}

/// A trip back before sunset has no use for "navigation lights on before sunset" or a dusk
/// lookout: those show as not applicable, do not count as open, and are left out of the totals.
#[tokio::test]
async fn sunset_tasks_of_a_trip_back_before_sunset_do_not_apply() {
    let app = TestApp::embedded().await;
    let admin = app.token("admin@jada.example.com", "jada").await;
    // Sunset in San Diego on 2026-07-10 is about 20:00 local; this sail is back by 14:00.
    let day = post(
        &app,
        "/api/events",
        &admin,
        Some(
            json!({"kind": "sunset_sail", "title": "Afternoon sail", "vessel": "Jada",
                    "departs_at": "2026-07-10T11:00", "returns_at": "2026-07-10T14:00",
                    "crew": [{"email": "cap@jada.example.com", "role": "captain"},
                             {"email": "deck@jada.example.com", "role": "crew"}]}),
        ),
    )
    .await;
    assert_eq!(day.status, 201, "{}", day.json);
    let tasks: Vec<&Value> = day.json["checklist"]["phases"]
        .as_array()
        .expect("phases")
        .iter()
        .flat_map(|p| p["tasks"].as_array().expect("tasks").iter())
        .collect();
    let na: Vec<&str> = tasks
        .iter()
        .filter(|t| t["not_applicable"] == true)
        .filter_map(|t| t["id"].as_str())
        .collect();
    assert_eq!(na, ["nav_lights_on", "dusk_lookout"]);
    assert_eq!(day.json["checklist"]["total"], tasks.len() - 2);
    let timing: Vec<&Value> = day.json["timing"]["tasks"]
        .as_array()
        .expect("timing")
        .iter()
        .filter(|t| t["status"] == "not_applicable")
        .collect();
    assert_eq!(timing.len(), 2);
    assert_eq!(timing[0]["note"], "the trip is back before sunset");
    let path = format!("/api/events/{}", day.json["id"].as_str().expect("id"));
    let cap = app.token("cap@jada.example.com", "jada").await;
    app.clock.advance(Duration::days(9) + Duration::hours(3));
    let view = app.call(Method::GET, &path, Some(&cap), None, &[]).await;
    let open = ids(&view.json["sign_off"]["open_tasks"]);
    assert!(!open.contains(&"nav_lights_on".to_string()), "{open:?}");

    // The same sail back after dark needs them.
    let evening = post(
        &app,
        "/api/events",
        &admin,
        Some(
            json!({"kind": "sunset_sail", "title": "Evening sail", "vessel": "Jada",
                    "departs_at": "2026-07-12T18:00", "returns_at": "2026-07-12T21:30",
                    "crew": [{"email": "cap@jada.example.com", "role": "captain"},
                             {"email": "deck@jada.example.com", "role": "crew"}]}),
        ),
    )
    .await;
    assert_eq!(evening.status, 201, "{}", evening.json);
    assert!(
        evening.json["checklist"]["phases"]
            .as_array()
            .expect("phases")
            .iter()
            .flat_map(|p| p["tasks"].as_array().expect("tasks").iter())
            .all(|t| t["not_applicable"] == false)
    );
}
