//! Report metrics as data: each file under fixtures/reports describes a week (events, what was
//! done when) and the figures computed by hand; one helper builds the events and compares.
//! Expected values are JSON pointers into the serialised report, so a fixture states only what it
//! is about.

use chrono::{DateTime, Duration, NaiveDateTime, TimeZone, Utc};
use domain::event::{EventSpec, EventStatus, NudgeKind, NudgeRecord, NudgeState, TaskState};
use domain::ids::VesselId;
use domain::org::{HomePort, Org};
use domain::report::{Week, WeekInput, org_week};
use domain::timing::{due_at, local_date, sun_times};
use domain::vessel::{Vessel, VesselFields, VesselKind};
use domain::{CrewAssignment, CrewRole, Email, Event, EventId, EventKind, OpId, OrgId};
use serde_json::Value;
use std::collections::BTreeMap;

const LA: chrono_tz::Tz = chrono_tz::America::Los_Angeles;

fn org() -> Org {
    Org {
        id: OrgId::parse("jada").expect("valid"),
        name: "JADA".into(),
        zone: LA,
        home_port: HomePort {
            name: "San Diego".into(),
            latitude: 32.7157,
            longitude: -117.1611,
        },
        enabled_kinds: EventKind::ALL.to_vec(),
        report_recipients: Default::default(),
        created_at: Utc
            .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
            .single()
            .expect("time"),
        safety: Default::default(),
        version: 1,
    }
}

fn local(raw: &str) -> DateTime<Utc> {
    let naive = NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M")
        .unwrap_or_else(|e| panic!("{raw}: {e}"));
    LA.from_local_datetime(&naive)
        .earliest()
        .expect("exists")
        .with_timezone(&Utc)
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Builds one event from its fixture description.
fn event(v: &Value, org: &Org, n: usize) -> Event {
    let text = |k: &str| {
        v[k].as_str()
            .unwrap_or_else(|| panic!("field {k}"))
            .to_string()
    };
    let kind = EventKind::parse(&text("kind")).expect("kind");
    let crew: Vec<CrewAssignment> = v["crew"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|c| CrewAssignment {
                    email: Email::parse(c[0].as_str().expect("email")).expect("valid"),
                    role: if c[1] == "captain" {
                        CrewRole::Captain
                    } else {
                        CrewRole::Crew
                    },
                })
                .collect()
        })
        .unwrap_or_default();
    let spec = EventSpec {
        kind,
        title: text("title"),
        vessel: text("vessel"),
        vessel_id: v["vessel_id"]
            .as_str()
            .map(|id| VesselId::parse(id).expect("vessel id")),
        passengers: Default::default(),
        departs_at: local(&text("departs")),
        returns_at: local(&text("returns")),
        crew: crew.clone(),
        notes: String::new(),
        revenue_cents: v["revenue_cents"].as_i64(),
    };
    let admin = Email::parse("admin@example.com").expect("valid");
    let mut e = Event::new(
        EventId::generate(),
        org.id.clone(),
        spec,
        admin,
        local(&text("departs")) - Duration::days(10),
    );
    e.status = match v["status"].as_str().unwrap_or("scheduled") {
        "scheduled" => EventStatus::Scheduled,
        "underway" => EventStatus::Underway,
        "completed" => EventStatus::Completed,
        "cancelled" => EventStatus::Cancelled,
        other => panic!("status {other}"),
    };
    e.departed_at = v["departed"].as_str().map(local);
    e.returned_at = v["returned"].as_str().map(local);
    // The open safety tasks confirmed when it was marked departed (issue 17).
    e.departed_open_safety_tasks = strings(&v["confirmed_open"])
        .iter()
        .map(|id| domain::TaskId::parse(id).expect("valid task id"))
        .collect();
    let by = v["by"]
        .as_str()
        .map(|b| Email::parse(b).expect("valid"))
        .or_else(|| crew.first().map(|c| c.email.clone()))
        .unwrap_or_else(|| Email::parse("admin@example.com").expect("valid"));
    if v["done"] == "all" {
        let (skip, late) = (strings(&v["skip"]), strings(&v["late"]));
        let day = local_date(e.departs_at, org.zone);
        let sun = sun_times(&org.home_port, day);
        for (i, task) in e.template().tasks.iter().enumerate() {
            if skip.contains(&task.id.to_string()) {
                continue;
            }
            let due = due_at(task, &e, &sun, day).expect("the fixture's tasks have due times");
            let at = if late.contains(&task.id.to_string()) {
                due + Duration::minutes(5)
            } else {
                due
            };
            e.tasks.insert(
                task.id.clone(),
                TaskState {
                    done: true,
                    by: by.clone(),
                    at,
                    recorded_at: at,
                    op_id: OpId::parse(&format!("op-fixture-{n:02}-{i:03}")).expect("valid"),
                    note: String::new(),
                    photos: Vec::new(),
                },
            );
        }
    }
    for nudge in v["nudges"].as_array().cloned().unwrap_or_default() {
        e.nudges.push(NudgeRecord {
            kind: NudgeKind::Departure,
            anchor_at: e.departs_at,
            email: Email::parse(nudge[0].as_str().expect("email")).expect("valid"),
            state: NudgeState::Sent,
            at: local(nudge[1].as_str().expect("time")),
            channel: domain::event::NudgeChannel::Email,
        });
    }
    e
}

#[test]
fn report_fixtures() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/reports");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("fixtures")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .collect();
    files.sort();
    assert!(files.len() >= 5, "the fixture weeks are there");
    let names: BTreeMap<String, String> =
        [("cap@example.com", "Casey"), ("deck@example.com", "Dana")]
            .into_iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
    let org = org();
    let mut failures = Vec::new();
    let mut checked = 0;
    for file in files {
        let fixture: Value =
            serde_json::from_str(&std::fs::read_to_string(&file).expect("read")).expect("JSON");
        // The org's vessel records, where the fixture has them: [id, name, min_crew].
        let vessels: Vec<Vessel> = fixture["vessels"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|v| Vessel {
                id: VesselId::parse(v[0].as_str().expect("id")).expect("vessel id"),
                fields: VesselFields {
                    name: v[1].as_str().expect("name").into(),
                    kind: VesselKind::Boat,
                    registration: String::new(),
                    length_ft: None,
                    description: String::new(),
                    coi_max_passengers: None,
                    min_crew: v[2].as_u64().map(|n| n as u32),
                    call_sign: String::new(),
                    mmsi: String::new(),
                    safety_gear: String::new(),
                },
                created_at: local("2026-01-01T00:00"),
                updated_at: local("2026-01-01T00:00"),
            })
            .collect();
        let events: Vec<Event> = fixture["events"]
            .as_array()
            .expect("events")
            .iter()
            .enumerate()
            .map(|(n, v)| event(v, &org, n))
            .collect();
        for week in strings(&fixture["weeks"]) {
            let week_id = Week::parse(&week).expect("week");
            let input = WeekInput {
                org: &org,
                week: week_id,
                events: &events,
                names: &names,
                vessels: &vessels,
                app_url: "https://app.example.com",
            };
            // Reported the Monday after: every task of the week is due by then.
            let report =
                serde_json::to_value(org_week(&input, week_id.range(LA).1 + Duration::hours(7)))
                    .expect("JSON");
            let expect = fixture["expect"][&week]
                .as_object()
                .unwrap_or_else(|| panic!("{}: no expectations for {week}", file.display()));
            for (pointer, want) in expect {
                checked += 1;
                let got = report
                    .pointer(pointer)
                    .cloned()
                    .unwrap_or(Value::String("<absent>".into()));
                let equal = match (got.as_f64(), want.as_f64()) {
                    (Some(a), Some(b)) => (a - b).abs() < 1e-9,
                    _ => got == *want,
                };
                if !equal {
                    failures.push(format!(
                        "{} {week} {pointer}: got {got}, expected {want}",
                        file.file_name()
                            .map(|f| f.to_string_lossy())
                            .unwrap_or_default()
                    ));
                }
            }
        }
    }
    assert!(checked > 60, "{checked} figures checked");
    assert!(
        failures.is_empty(),
        "{} figures wrong:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
