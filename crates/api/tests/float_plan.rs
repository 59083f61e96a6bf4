//! Issue 16, part 3: the float plan. Its content follows the US Coast Guard float plan form; it
//! goes to the org's shore contacts when the float-plan task is ticked (or the captain sends it),
//! exactly once per version; a change of return time or of who is aboard sends an update marked
//! as such; other edits send nothing. The sent mail is read back with Python's own MIME parser.

mod common;

use axum::http::Method;
use common::TestApp;
use serde_json::{Value, json};

async fn set_safety(app: &TestApp, admin: &str) {
    let org = app
        .call(Method::GET, "/api/org", Some(admin), None, &[])
        .await;
    let etag = org.header("etag").expect("etag").to_string();
    let bad = app
        .call(
            Method::PATCH,
            "/api/org",
            Some(admin),
            Some(json!({"safety": {"shore_contacts": [
                {"name": "Harbour office", "email": "not-an-address", "phone": "call me"},
                {"name": "Pat", "email": "pat@shore.example.com", "phone": "soon"}]}})),
            &[("if-match", &etag)],
        )
        .await;
    assert_eq!(bad.status, 400, "{}", bad.json);
    assert_eq!(
        bad.error_fields(),
        [
            "safety/shore_contacts/0/email",
            "safety/shore_contacts/0/phone",
            "safety/shore_contacts/1/phone"
        ],
        "each row's errors under its own number"
    );
    let ok = app
        .call(
            Method::PATCH,
            "/api/org",
            Some(admin),
            Some(json!({"safety": {
                "shore_contacts": [
                    {"name": "Harbour office", "email": "office@shore.example.com", "phone": "+1 619 555 0100"},
                    {"name": "Pat Owner", "email": "pat@shore.example.com", "phone": "(619) 555-0199"}],
                "coast_guard": {"name": "Coast Guard Sector San Diego", "phone": "+1 619 555 0111"},
                "overdue_grace_minutes": 45}})),
            &[("if-match", &etag)],
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.json);
    assert_eq!(ok.json["safety"]["overdue_grace_minutes"], 45);
}

/// The plan's lines by label, over all sections.
fn lines(plan: &Value) -> Vec<(String, String)> {
    plan["sections"]
        .as_array()
        .expect("sections")
        .iter()
        .flat_map(|s| s["lines"].as_array().cloned().unwrap_or_default())
        .map(|l| {
            (
                l["label"].as_str().unwrap_or("").to_string(),
                l["value"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn value<'a>(lines: &'a [(String, String)], label: &str) -> &'a str {
    lines
        .iter()
        .find(|(l, _)| l == label)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("no {label} on the plan: {lines:?}"))
}

/// Float plan mails in the outbox, oldest first: (to, subject, text part, html part), the parts as
/// Python's `email` package reads the MIME rendering.
async fn plans_sent(app: &TestApp) -> Vec<(String, String, String, String)> {
    let mut mail = app.outbox.list().await.expect("outbox");
    mail.retain(|m| m.category == "float_plan");
    mail.sort_by_key(|m| m.at);
    let Some(python) = test_support::test_python() else {
        return mail
            .into_iter()
            .map(|m| (m.to, m.subject, m.text, m.html))
            .collect();
    };
    let script = r#"
import email, json, sys
from email import policy
out = []
for path in sys.argv[1:]:
    msg = email.message_from_binary_file(open(path, 'rb'), policy=policy.default)
    text = msg.get_body(preferencelist=('plain',)).get_content()
    html = msg.get_body(preferencelist=('html',)).get_content()
    out.append([str(msg['To']), str(msg['Subject']), text, html])
print(json.dumps(out))
"#;
    let paths: Vec<String> = mail
        .iter()
        .map(|m| {
            app.outbox
                .folder()
                .join(format!("{}.eml", m.id))
                .display()
                .to_string()
        })
        .collect();
    let run = std::process::Command::new(python)
        .arg("-c")
        .arg(script)
        .args(&paths)
        .output()
        .expect("python");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    serde_json::from_slice::<Vec<(String, String, String, String)>>(&run.stdout).expect("json")
}

#[tokio::test]
async fn the_float_plan_follows_the_form_and_goes_ashore_once_per_version() {
    let app = TestApp::embedded().await;
    let admin = app.token("admin@jada.example.com", "jada").await;
    let cap = app.token("cap@jada.example.com", "jada").await;
    let deck = app.token("deck@jada.example.com", "jada").await;
    set_safety(&app, &admin).await;
    let boat = app
        .call(
            Method::POST,
            "/api/vessels",
            Some(&admin),
            Some(
                json!({"name": "Jada", "kind": "boat", "registration": "CF 1234 AB",
                "length_ft": 65, "description": "White hull, blue stripe, two masts",
                "coi_max_passengers": 49, "call_sign": "WDC1234", "mmsi": "367123450",
                "safety_gear": "49 PFDs, liferaft, EPIRB, flares"}),
            ),
            &[],
        )
        .await;
    let vessel_id = boat.json["id"].as_str().expect("id").to_string();
    let created = app
        .call(
            Method::POST,
            "/api/events",
            Some(&admin),
            Some(
                json!({"kind": "charter", "title": "Lee family", "vessel_id": vessel_id,
                "departs_at": "2026-07-04T11:00", "returns_at": "2026-07-04T16:00",
                "crew": [{"email": "cap@jada.example.com", "role": "captain"},
                         {"email": "deck@jada.example.com", "role": "crew"}],
                "passenger_count": 4, "manifest": ["Jamie Lee", "Chris Lee"],
                "emergency_contact": "Pat Lee +1 619 555 0142",
                "notes": "Point Loma and the kelp beds, back by four"}),
            ),
            &[],
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.json);
    let path = format!("/api/events/{}", created.json["id"].as_str().expect("id"));

    // The form's fields, each with what a searcher and the shore contact need.
    let read = app
        .call(
            Method::GET,
            &format!("{path}/float-plan"),
            Some(&deck),
            None,
            &[],
        )
        .await;
    assert_eq!(read.status, 200, "{}", read.json);
    let plan = &read.json["plan"];
    let l = lines(plan);
    let expect = [
        ("Name", "Jada"),
        ("Registration / documentation no.", "CF 1234 AB"),
        ("Length", "65 ft"),
        (
            "Hull colour and description",
            "White hull, blue stripe, two masts",
        ),
        ("Captain (operator)", "cap"),
        ("Crew", "deck"),
        ("Passengers", "4"),
        ("Passenger names", "Jamie Lee, Chris Lee"),
        ("Passengers' emergency contact", "Pat Lee +1 619 555 0142"),
        ("Total persons on board", "6"),
        ("Departing from", "San Diego (32.7157, -117.1611)"),
        ("Departure", "Sat 4 Jul 2026, 11:00 PDT"),
        ("Expected return", "Sat 4 Jul 2026, 16:00 PDT"),
        // The org's grace (45 min) past the expected return.
        ("If not returned by", "Sat 4 Jul 2026, 16:45 PDT"),
        ("Radio call sign", "WDC1234"),
        ("MMSI (DSC)", "367123450"),
        ("Aboard", "49 PFDs, liferaft, EPIRB, flares"),
        (
            "If overdue, call",
            "Coast Guard Sector San Diego, +1 619 555 0111 (or VHF channel 16 / 911)",
        ),
    ];
    for (label, want) in expect {
        assert_eq!(value(&l, label), want, "{label}");
    }
    assert!(value(&l, "Route and destination").contains("Point Loma and the kelp beds"));
    assert_eq!(
        l.iter()
            .filter(|(label, _)| label == "Shore contact")
            .count(),
        2
    );
    assert_eq!(read.json["recipients"][0]["sent"], false);

    // Crew may not send it; the captain ticks the task and it goes to both shore contacts.
    assert_eq!(
        app.call(
            Method::POST,
            &format!("{path}/float-plan"),
            Some(&deck),
            None,
            &[]
        )
        .await
        .status,
        403
    );
    let tick = app
        .call(
            Method::PUT,
            &format!("{path}/tasks/float_plan"),
            Some(&cap),
            Some(
                json!({"done": true, "op_id": "op-float-000001", "at": common::now().to_rfc3339()}),
            ),
            &[],
        )
        .await;
    assert_eq!(tick.status, 200, "{}", tick.json);
    assert_eq!(tick.json["float_plan"]["sent"], 2);
    assert_eq!(tick.json["float_plan"]["update"], false);
    let sent = plans_sent(&app).await;
    assert_eq!(sent.len(), 2);
    let mut to: Vec<&str> = sent.iter().map(|m| m.0.as_str()).collect();
    to.sort_unstable();
    assert_eq!(to, ["office@shore.example.com", "pat@shore.example.com"]);
    let (_, subject, text, html) = &sent[0];
    assert!(
        subject.starts_with("Float plan: Jada, Lee family"),
        "{subject}"
    );
    assert!(
        text.contains("If not returned by: Sat 4 Jul 2026, 16:45 PDT"),
        "{text}"
    );
    assert!(html.contains("White hull, blue stripe, two masts"));
    assert!(!text.contains("This replaces"));

    // The same version again (the button, a replayed tick): nobody is mailed twice.
    let again = app
        .call(
            Method::POST,
            &format!("{path}/float-plan"),
            Some(&cap),
            None,
            &[],
        )
        .await;
    assert_eq!(again.status, 200, "{}", again.json);
    assert_eq!(again.json["sent"], 0);
    assert_eq!(again.json["already_sent"], 2);
    let replay = app
        .call(
            Method::PUT,
            &format!("{path}/tasks/float_plan"),
            Some(&cap),
            Some(
                json!({"done": true, "op_id": "op-float-000001", "at": common::now().to_rfc3339()}),
            ),
            &[],
        )
        .await;
    assert_eq!(replay.json["applied"], false);
    assert_eq!(plans_sent(&app).await.len(), 2);

    // Notes are not the plan: no mail. A later return is: an update to both, marked as such.
    // (Each change at its own moment, as requests are: a version is the time of its change.)
    app.clock.advance(chrono::Duration::minutes(5));
    let etag = app
        .call(Method::GET, &path, Some(&admin), None, &[])
        .await
        .json["etag"]
        .as_str()
        .expect("etag")
        .to_string();
    let notes = app
        .call(
            Method::PATCH,
            &path,
            Some(&admin),
            Some(json!({"notes": "Point Loma and the kelp beds"})),
            &[("if-match", &etag)],
        )
        .await;
    assert_eq!(notes.status, 200);
    assert_eq!(plans_sent(&app).await.len(), 2);
    let etag = notes.json["etag"].as_str().expect("etag").to_string();
    app.clock.advance(chrono::Duration::minutes(5));
    let later = app
        .call(
            Method::PATCH,
            &path,
            Some(&admin),
            Some(json!({"returns_at": "2026-07-04T17:30"})),
            &[("if-match", &etag)],
        )
        .await;
    assert_eq!(later.status, 200, "{}", later.json);
    let sent = plans_sent(&app).await;
    assert_eq!(sent.len(), 4);
    let (_, subject, text, html) = &sent[3];
    assert!(subject.starts_with("Update: Float plan"), "{subject}");
    assert!(
        text.contains("This replaces the float plan sent before"),
        "{text}"
    );
    assert!(
        text.contains("Expected return: Sat 4 Jul 2026, 17:30 PDT"),
        "{text}"
    );
    assert!(html.contains("<strong>Update.</strong>"));
    // The captain changes who is aboard: another update.
    app.clock.advance(chrono::Duration::minutes(5));
    let etag = later.json["etag"].as_str().expect("etag").to_string();
    let pax = app
        .call(
            Method::PATCH,
            &path,
            Some(&cap),
            Some(json!({"passenger_count": 5})),
            &[("if-match", &etag)],
        )
        .await;
    assert_eq!(pax.status, 200, "{}", pax.json);
    let sent = plans_sent(&app).await;
    assert_eq!(sent.len(), 6);
    assert!(
        sent[5].2.contains("Total persons on board: 7"),
        "{}",
        sent[5].2
    );
}

#[tokio::test]
async fn without_shore_contacts_the_send_says_what_to_do() {
    let app = TestApp::embedded().await;
    let cap = app.token("cap@jada.example.com", "jada").await;
    let event = app.event("jada", 24).await;
    let sent = app
        .call(
            Method::POST,
            &format!("/api/events/{}/float-plan", event.id),
            Some(&cap),
            None,
            &[],
        )
        .await;
    assert_eq!(sent.status, 409);
    assert!(
        sent.json["detail"]
            .as_str()
            .unwrap_or("")
            .contains("no shore contacts"),
        "{}",
        sent.json
    );
    // Another org's captain: 404, like everything else.
    let driver = app.token("driver@bravo.example.com", "bravo").await;
    assert_eq!(
        app.call(
            Method::GET,
            &format!("/api/events/{}/float-plan", event.id),
            Some(&driver),
            None,
            &[]
        )
        .await
        .status,
        404
    );
}

/// Issue 16, part 4: an underway event past its return plus grace shows as overdue (and its ETag
/// changes, so a poll sees it without any write); an admin acknowledges, crew may not; the
/// overdue schedule is removed on acknowledgement.
#[tokio::test]
async fn an_overdue_event_shows_and_an_admin_acknowledges_it() {
    let app = TestApp::embedded().await;
    let admin = app.token("admin@jada.example.com", "jada").await;
    let cap = app.token("cap@jada.example.com", "jada").await;
    let event = app.event("jada", 1).await; // departs in an hour, back 3 hours later
    let path = format!("/api/events/{}", event.id);
    let departed = app.depart(&path, &cap).await;
    assert_eq!(departed.status, 200, "{}", departed.json);
    assert!(departed.json["overdue"].is_null());
    let early = app
        .call(
            Method::POST,
            &format!("{path}/overdue/acknowledge"),
            Some(&admin),
            None,
            &[],
        )
        .await;
    assert_eq!(early.status, 409, "not overdue yet");

    // Time passes: 4 h (back due at 3 h) + the default 30 min grace.
    let etag = departed.header("etag").expect("etag").to_string();
    app.clock.advance(chrono::Duration::minutes(4 * 60 + 31));
    let polled = app
        .call(
            Method::GET,
            &path,
            Some(&cap),
            None,
            &[("if-none-match", &etag)],
        )
        .await;
    assert_eq!(polled.status, 200, "overdue is a change a poll must see");
    let since = polled.json["overdue"]["since"].as_str().expect("overdue");
    assert_eq!(
        chrono::DateTime::parse_from_rfc3339(since).expect("time"),
        event.returns_at + chrono::Duration::minutes(30)
    );
    assert!(polled.json["overdue"]["acknowledged_at"].is_null());
    let listed = app
        .call(Method::GET, "/api/events", Some(&admin), None, &[])
        .await;
    let row = listed.json["events"]
        .as_array()
        .expect("events")
        .iter()
        .find(|e| e["id"] == json!(event.id.to_string()))
        .cloned()
        .expect("listed");
    assert!(!row["overdue"].is_null(), "the list shows it too");

    assert_eq!(
        app.call(
            Method::POST,
            &format!("{path}/overdue/acknowledge"),
            Some(&cap),
            None,
            &[]
        )
        .await
        .status,
        403,
        "the office acknowledges, not the boat"
    );
    let acked = app
        .call(
            Method::POST,
            &format!("{path}/overdue/acknowledge"),
            Some(&admin),
            None,
            &[],
        )
        .await;
    assert_eq!(acked.status, 200, "{}", acked.json);
    assert!(!acked.json["overdue"]["acknowledged_at"].is_null());
    let audit = acked.json["audit"].as_array().expect("audit");
    assert_eq!(
        audit.last().expect("entry")["action"],
        "overdue_acknowledged"
    );
    let calls = app.scheduler.0.lock().expect("lock");
    let overdue_planned = calls.iter().any(
        |c| matches!(c, common::Call::Upsert(s) if s.kind == domain::event::NudgeKind::Overdue),
    );
    assert!(overdue_planned, "departed plans the overdue alert");
    assert!(
        matches!(
            calls.last(),
            Some(common::Call::Delete(id, domain::event::NudgeKind::Overdue)) if id == event.id.as_str()
        ),
        "acknowledged removes it last"
    );
}
