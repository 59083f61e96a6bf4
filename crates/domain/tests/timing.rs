//! The timing panel against independent sunset figures and the awkward dates: both clock changes
//! in America/Los_Angeles, an event that crosses midnight, a multi-day delivery, and a home port
//! where the sun does not set.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use domain::event::{EventSpec, TaskState};
use domain::org::{HomePort, Org};
use domain::timing::{TaskStatus, sun_times, timing_panel};
use domain::{Email, Event, EventId, EventKind, OpId, OrgId, TaskId};

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("fixture time")
        .with_timezone(&Utc)
}

fn org(port: HomePort, zone: chrono_tz::Tz) -> Org {
    Org {
        id: OrgId::parse("jada").expect("valid"),
        name: "JADA".into(),
        zone,
        home_port: port,
        enabled_kinds: EventKind::ALL.to_vec(),
        report_recipients: Default::default(),
        created_at: utc("2026-01-01T00:00:00Z"),
        safety: Default::default(),
        version: 1,
    }
}

fn san_diego() -> Org {
    org(domain::seed::san_diego(), chrono_tz::America::Los_Angeles)
}

fn event(kind: EventKind, departs: &str, returns: &str) -> Event {
    let by = Email::parse("admin@example.com").expect("valid");
    let spec = EventSpec {
        kind,
        title: "Test".into(),
        vessel: "Jada".into(),
        vessel_id: None,
        passengers: Default::default(),
        departs_at: utc(departs),
        returns_at: utc(returns),
        crew: vec![],
        notes: String::new(),
        revenue_cents: None,
    };
    Event::new(
        EventId::generate(),
        OrgId::parse("jada").expect("valid"),
        spec,
        by,
        utc("2026-01-01T00:00:00Z"),
    )
}

fn task<'a>(panel: &'a domain::timing::TimingPanel, id: &str) -> &'a domain::timing::TaskTiming {
    panel
        .tasks
        .iter()
        .find(|t| t.id.as_str() == id)
        .unwrap_or_else(|| panic!("task {id}"))
}

#[test]
fn sunset_and_dusk_within_two_minutes_of_noaa_equations() {
    let fixture = include_str!("fixtures/sun_astral.csv");
    let mut rows = 0;
    for line in fixture.lines().filter(|l| !l.starts_with('#')).skip(1) {
        let cols: Vec<&str> = line.split(',').collect();
        let [place, lat, lon, date, sunset, dusk] = cols[..] else {
            panic!("bad fixture line {line}");
        };
        let port = HomePort {
            name: place.into(),
            latitude: lat.parse().expect("lat"),
            longitude: lon.parse().expect("lon"),
        };
        let date: NaiveDate = date.parse().expect("date");
        let got = sun_times(&port, date);
        for (what, got, want) in [
            ("sunset", got.sunset, sunset),
            ("dusk", got.civil_dusk, dusk),
        ] {
            let got = got.unwrap_or_else(|| panic!("{place} {date}: no {what}"));
            let diff = (got - utc(want)).num_seconds().abs();
            assert!(
                diff <= 120,
                "{place} {date} {what}: {got} vs {want} ({diff} s)"
            );
        }
        rows += 1;
    }
    assert!(rows >= 25, "the fixture has its rows ({rows})");
}

#[test]
fn spring_forward_sunday() {
    // 2026-03-08: at 02:00 PST the clocks go to 03:00 PDT. A sail departing 07:15 PDT.
    let e = event(
        EventKind::SunsetSail,
        "2026-03-08T07:15:00-07:00",
        "2026-03-08T10:00:00-07:00",
    );
    let panel = timing_panel(&e, &san_diego(), utc("2026-03-08T09:00:00Z"));
    assert_eq!(panel.local_date.to_string(), "2026-03-08");
    assert_eq!(panel.departs_at.local, "2026-03-08T07:15:00-07:00");
    // 90 minutes before 07:15 PDT is 05:45 PDT; the instant is computed in UTC, never on the wall clock.
    let forecast = task(&panel, "marine_forecast");
    assert_eq!(
        forecast.due.as_ref().map(|d| d.local.as_str()),
        Some("2026-03-08T05:45:00-07:00")
    );
    assert_eq!(
        forecast.due.as_ref().map(|d| d.at),
        Some(utc("2026-03-08T12:45:00Z"))
    );
    // The panel's "now" is shown in PST before the change.
    assert_eq!(panel.now.local, "2026-03-08T01:00:00-08:00");
    let sunset = panel.sunset.as_ref().expect("San Diego has a sunset");
    assert!(
        sunset.local.starts_with("2026-03-08T18:5"),
        "{}",
        sunset.local
    );
    assert!(sunset.local.ends_with("-07:00"));
}

#[test]
fn fall_back_sunday() {
    // 2026-11-01: at 02:00 PDT the clocks go back to 01:00 PST.
    let e = event(
        EventKind::Charter,
        "2026-11-01T09:00:00-08:00",
        "2026-11-01T14:00:00-08:00",
    );
    let panel = timing_panel(&e, &san_diego(), utc("2026-11-01T08:30:00Z"));
    assert_eq!(panel.now.local, "2026-11-01T01:30:00-07:00");
    let forecast = task(&panel, "marine_forecast");
    assert_eq!(
        forecast.due.as_ref().map(|d| d.local.as_str()),
        Some("2026-11-01T07:00:00-08:00")
    );
    // A day-before task lands on the previous local date, in daylight time: 25 hours of wall clock.
    let manifest = task(&panel, "guest_manifest");
    assert_eq!(
        manifest.due.as_ref().map(|d| d.local.as_str()),
        Some("2026-10-31T10:00:00-07:00")
    );
    let sunset = panel.sunset.as_ref().expect("sunset");
    assert!(
        sunset.local.starts_with("2026-11-01T16:5"),
        "{}",
        sunset.local
    );
}

#[test]
fn an_event_crossing_midnight() {
    let e = event(
        EventKind::Charter,
        "2026-07-04T20:00:00-07:00",
        "2026-07-05T01:30:00-07:00",
    );
    let now = utc("2026-07-05T07:50:00Z"); // 00:50 local on the 5th
    let panel = timing_panel(&e, &san_diego(), now);
    // Sunset belongs to the local date of departure, not of "now".
    assert_eq!(panel.local_date.to_string(), "2026-07-04");
    let sunset = panel.sunset.as_ref().expect("sunset");
    assert!(
        sunset.local.starts_with("2026-07-04T20:0"),
        "{}",
        sunset.local
    );
    let headcount_off = task(&panel, "headcount_off");
    assert_eq!(
        headcount_off.due.as_ref().map(|d| d.local.as_str()),
        Some("2026-07-05T01:35:00-07:00")
    );
    assert_eq!(headcount_off.status, TaskStatus::Upcoming);
    assert_eq!(task(&panel, "log_departure").status, TaskStatus::Overdue);
    assert_eq!(panel.seconds_to_return, 40 * 60);
    assert!(panel.seconds_to_departure < 0);
}

#[test]
fn a_multi_day_delivery() {
    let e = event(
        EventKind::Delivery,
        "2026-07-01T06:00:00-07:00",
        "2026-07-04T18:00:00-07:00",
    );
    let panel = timing_panel(&e, &san_diego(), utc("2026-07-02T12:00:00Z"));
    let plan = task(&panel, "passage_plan");
    assert_eq!(
        plan.due.as_ref().map(|d| d.local.as_str()),
        Some("2026-06-30T06:00:00-07:00")
    );
    let handover = task(&panel, "handover");
    assert_eq!(
        handover.due.as_ref().map(|d| d.local.as_str()),
        Some("2026-07-04T19:00:00-07:00")
    );
    assert_eq!(handover.status, TaskStatus::Upcoming);
    let lights = task(&panel, "nav_lights_on");
    assert!(
        lights
            .due
            .as_ref()
            .is_some_and(|d| d.local.starts_with("2026-07-01T19:"))
    );
    // Ordered by due instant.
    let dues: Vec<_> = panel
        .tasks
        .iter()
        .filter_map(|t| t.due.as_ref().map(|d| d.at))
        .collect();
    assert!(dues.windows(2).all(|w| w[0] <= w[1]));
}

#[test]
fn a_home_port_where_the_sun_does_not_set() {
    let tromso = HomePort {
        name: "Tromsø".into(),
        latitude: 69.6492,
        longitude: 18.9553,
    };
    let o = org(tromso, chrono_tz::Europe::Oslo);
    let e = event(
        EventKind::SunsetSail,
        "2026-06-21T20:00:00+02:00",
        "2026-06-21T23:00:00+02:00",
    );
    let panel = timing_panel(&e, &o, utc("2026-06-21T12:00:00Z"));
    assert!(panel.sunset.is_none());
    assert!(panel.civil_dusk.is_none());
    let lights = task(&panel, "nav_lights_on");
    assert_eq!(lights.status, TaskStatus::Unscheduled);
    assert!(lights.due.is_none());
    assert_eq!(
        lights.note.as_deref(),
        Some("no sunset at the home port on 2026-06-21")
    );
    let dusk = task(&panel, "dusk_lookout");
    assert_eq!(
        dusk.note.as_deref(),
        Some("no civil dusk at the home port on 2026-06-21")
    );
    // Unscheduled tasks go last; the others keep their times.
    assert_eq!(
        panel.tasks.last().map(|t| t.status),
        Some(TaskStatus::Unscheduled)
    );
    assert!(task(&panel, "float_plan").due.is_some());
}

#[test]
fn task_states_for_a_given_now() {
    let mut e = event(
        EventKind::SunsetSail,
        "2026-07-04T17:00:00-07:00",
        "2026-07-04T20:00:00-07:00",
    );
    let departs = e.departs_at;
    let by = Email::parse("deck@example.com").expect("valid");
    e.tasks.insert(
        TaskId::parse("life_jackets").expect("valid"),
        TaskState {
            done: true,
            by: by.clone(),
            at: departs - Duration::minutes(50),
            recorded_at: departs - Duration::minutes(50),
            op_id: OpId::parse("op-00000001").expect("valid"),
            note: String::new(),
            photos: Vec::new(),
        },
    );
    // An undone state is not "done".
    e.tasks.insert(
        TaskId::parse("vhf_check").expect("valid"),
        TaskState {
            done: false,
            by,
            at: departs - Duration::minutes(48),
            recorded_at: departs - Duration::minutes(48),
            op_id: OpId::parse("op-00000002").expect("valid"),
            note: String::new(),
            photos: Vec::new(),
        },
    );
    // Now: 40 minutes before departure.
    let panel = timing_panel(&e, &san_diego(), departs - Duration::minutes(40));
    let cases = [
        ("float_plan", TaskStatus::Overdue),    // due at -60
        ("life_jackets", TaskStatus::Done),     // ticked
        ("vhf_check", TaskStatus::Overdue),     // due at -45, unticked again
        ("provisions", TaskStatus::Due),        // due at -30: within 15 minutes
        ("headcount_on", TaskStatus::Upcoming), // due at -10
        ("headcount_off", TaskStatus::Upcoming),
    ];
    for (id, status) in cases {
        assert_eq!(task(&panel, id).status, status, "{id}");
    }
    assert_eq!(
        task(&panel, "life_jackets").done_by.as_deref(),
        Some("deck@example.com")
    );
    assert_eq!(panel.seconds_to_departure, 40 * 60);
    assert_eq!(panel.zone, "America/Los_Angeles");
    // Exactly at the due instant it is still "due"; a second later, overdue.
    let at_due = timing_panel(&e, &san_diego(), departs - Duration::minutes(30));
    assert_eq!(task(&at_due, "provisions").status, TaskStatus::Due);
    let after = timing_panel(
        &e,
        &san_diego(),
        departs - Duration::minutes(30) + Duration::seconds(1),
    );
    assert_eq!(task(&after, "provisions").status, TaskStatus::Overdue);
}
