//! A deterministic week for the report tests: fixed ids, two crew, one org.
#![allow(dead_code)]

use chrono::{DateTime, Duration, NaiveDateTime, TimeZone, Utc};
use domain::event::{EventSpec, EventStatus, NudgeKind, NudgeRecord, NudgeState, TaskState};
use domain::org::{Org, Perspective};
use domain::timing::{due_at, local_date, sun_times};
use domain::{CrewAssignment, CrewRole, Email, Event, EventId, EventKind, OpId, OrgId};
use std::collections::BTreeMap;

pub const LA: chrono_tz::Tz = chrono_tz::America::Los_Angeles;

pub fn local(raw: &str) -> DateTime<Utc> {
    let naive = NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M").expect("time");
    LA.from_local_datetime(&naive)
        .earliest()
        .expect("exists")
        .with_timezone(&Utc)
}

pub fn email(s: &str) -> Email {
    Email::parse(s).expect("valid")
}

pub fn org(id: &str, recipients: &[(Perspective, &str)]) -> Org {
    let mut map: BTreeMap<Perspective, Vec<Email>> = BTreeMap::new();
    for (p, e) in recipients {
        map.entry(*p).or_default().push(email(e));
    }
    Org {
        id: OrgId::parse(id).expect("org"),
        name: "JADA".into(),
        zone: LA,
        home_port: domain::seed::san_diego(),
        enabled_kinds: EventKind::ALL.to_vec(),
        report_recipients: map,
        created_at: local("2026-01-01T00:00"),
        safety: Default::default(),
        version: 1,
    }
}

/// Builds an event; `done` ticks every task at its due time except `skip`; `late` ones 5 min after.
#[allow(clippy::too_many_arguments)]
pub fn event(
    org: &Org,
    id: &str,
    kind: EventKind,
    title: &str,
    departs: &str,
    hours: i64,
    status: EventStatus,
    delay_min: i64,
    crew: &[(&str, CrewRole)],
    revenue: i64,
    done: bool,
    skip: &[&str],
    late: &[&str],
) -> Event {
    let departs_at = local(departs);
    let mut e = Event::new(
        EventId::parse(id).expect("ulid"),
        org.id.clone(),
        EventSpec {
            kind,
            title: title.into(),
            vessel: "Jada".into(),
            vessel_id: None,
            passengers: Default::default(),
            departs_at,
            returns_at: departs_at + Duration::hours(hours),
            crew: crew
                .iter()
                .map(|(e, r)| CrewAssignment {
                    email: email(e),
                    role: *r,
                })
                .collect(),
            notes: String::new(),
            revenue_cents: Some(revenue),
        },
        email("admin@example.com"),
        departs_at - Duration::days(7),
    );
    e.status = status;
    if matches!(status, EventStatus::Underway | EventStatus::Completed) {
        e.departed_at = Some(departs_at + Duration::minutes(delay_min));
    }
    if status == EventStatus::Completed {
        e.returned_at = Some(e.returns_at);
    }
    if done {
        let day = local_date(departs_at, org.zone);
        let sun = sun_times(&org.home_port, day);
        let by = email(crew[0].0);
        for (i, task) in e.template().tasks.clone().iter().enumerate() {
            if skip.contains(&task.id.as_str()) {
                continue;
            }
            let due = due_at(task, &e, &sun, day).expect("due");
            let at = if late.contains(&task.id.as_str()) {
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
                    op_id: OpId::parse(&format!("op-{id}-{i:03}")).expect("op"),
                    note: String::new(),
                    photos: Vec::new(),
                },
            );
        }
        e.nudges.push(NudgeRecord {
            kind: NudgeKind::Departure,
            anchor_at: departs_at,
            email: by,
            state: NudgeState::Sent,
            at: departs_at - Duration::minutes(30),
            channel: domain::event::NudgeChannel::Email,
        });
    }
    e
}

/// Week 2026-W27 and the week before: a late departure, a missed and a late safety task, a
/// cancellation, and an event short of crew.
pub fn week_events(org: &Org) -> Vec<Event> {
    let crew = [
        ("cap@example.com", CrewRole::Captain),
        ("deck@example.com", CrewRole::Crew),
    ];
    vec![
        event(
            org,
            "01J1A000000000000000000001",
            EventKind::SunsetSail,
            "Sunset sail",
            "2026-06-29T18:00",
            3,
            EventStatus::Completed,
            5,
            &crew,
            180_000,
            true,
            &[],
            &["life_jackets"],
        ),
        event(
            org,
            "01J1A000000000000000000002",
            EventKind::Charter,
            "Lee family charter",
            "2026-07-01T11:00",
            5,
            EventStatus::Completed,
            25,
            &crew,
            320_000,
            true,
            &["float_plan"],
            &[],
        ),
        event(
            org,
            "01J1A000000000000000000003",
            EventKind::SunsetSail,
            "Sunset sail",
            "2026-07-03T18:00",
            3,
            EventStatus::Cancelled,
            0,
            &crew,
            180_000,
            false,
            &[],
            &[],
        ),
        event(
            org,
            "01J1A000000000000000000004",
            EventKind::Charter,
            "Corporate lunch",
            "2026-07-04T10:00",
            4,
            EventStatus::Completed,
            0,
            &crew[..1],
            100_000,
            true,
            &[],
            &[],
        ),
        event(
            org,
            "01J1A000000000000000000005",
            EventKind::SunsetSail,
            "Sunset sail",
            "2026-06-24T18:00",
            3,
            EventStatus::Completed,
            0,
            &crew,
            180_000,
            true,
            &[],
            &[],
        ),
    ]
}

pub fn names() -> BTreeMap<String, String> {
    [
        ("cap@example.com", "Casey Captain"),
        ("deck@example.com", "Dana Deck"),
    ]
    .into_iter()
    .map(|(a, b)| (a.into(), b.into()))
    .collect()
}
