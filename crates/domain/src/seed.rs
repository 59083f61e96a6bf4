//! The demo world `make dev` starts with: the four orgs, their people, and events for today and
//! tomorrow. Pure: built from `now`, written by whichever store the local server runs on.

use crate::email::Email;
use crate::event::{
    AuditAction, AuditEntry, CrewAssignment, CrewRole, Event, EventKind, EventSpec, EventStatus,
    NudgeKind, NudgeRecord, NudgeState, TaskState,
};
use crate::ids::{EventId, OpId, OrgId, VesselId};
use crate::org::{HomePort, Member, Org, Perspective};
use crate::portfolio::Portfolio;
use crate::role::Role;
use crate::vessel::{Vessel, VesselFields, VesselKind};
use chrono::{DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

pub struct Seed {
    pub orgs: Vec<Org>,
    /// (org, member)
    pub members: Vec<(OrgId, Member)>,
    pub events: Vec<Event>,
    /// (org, vessel)
    pub vessels: Vec<(OrgId, Vessel)>,
}

/// The people of the demo; every address is at `example.com`, which cannot receive mail.
pub const OWNER: &str = "owner@example.com";

/// The demo's additions to one org of the portfolio file: its vessels and people. Orgs of the file
/// without a plan get only the file's members.
struct OrgPlan {
    id: &'static str,
    vessels: &'static [DemoVessel],
    /// (local part, display name, role)
    people: &'static [(&'static str, &'static str, Role)],
}

/// A demo vessel: name, kind, length (ft), what a searcher looks for, COI passengers, minimum
/// crew, call sign, MMSI (the 9-digit examples are made up).
struct DemoVessel(
    &'static str,
    VesselKind,
    f64,
    &'static str,
    Option<u32>,
    u32,
    &'static str,
    &'static str,
);

impl DemoVessel {
    fn record(&self, n: usize, now: DateTime<Utc>) -> Vessel {
        let DemoVessel(name, kind, length, description, coi, min_crew, call_sign, mmsi) = *self;
        Vessel {
            id: VesselId::generate(),
            fields: VesselFields {
                name: name.into(),
                kind,
                registration: match kind {
                    VesselKind::Boat => format!("DOC 12{n:02}345"),
                    VesselKind::Truck => format!("CA 8QDN{n:03}"),
                },
                length_ft: Some(length),
                description: description.into(),
                coi_max_passengers: coi,
                min_crew: Some(min_crew),
                call_sign: call_sign.into(),
                mmsi: mmsi.into(),
                safety_gear: match kind {
                    VesselKind::Boat => {
                        "Type I PFDs for all aboard plus 10% child size, 406 MHz EPIRB, \
                        inflatable liferaft, 3 ring buoys, flares (day and night), fixed VHF DSC \
                        and one handheld, first-aid kit, AED"
                            .into()
                    }
                    VesselKind::Truck => "Fire extinguisher, reflective triangles, first-aid kit, \
                        hi-vis vests, cell phone and CB radio"
                        .into(),
                },
            },
            created_at: now,
            updated_at: now,
        }
    }
}

const PLANS: &[OrgPlan] = &[
    OrgPlan {
        id: "jada",
        vessels: &[DemoVessel(
            "Jada",
            VesselKind::Boat,
            65.0,
            "White hull with a dark blue boot stripe, two varnished masts, tan sails",
            Some(49),
            2,
            "WDC1234",
            "367123450",
        )],
        people: &[
            ("admin.jada", "Alex Office", Role::Admin),
            ("captain.jada", "Casey Captain", Role::Captain),
            ("deck.jada", "Dana Deck", Role::Crew),
            ("sam.crew", "Sam Crew", Role::Crew),
        ],
    },
    OrgPlan {
        id: "queenofsandiego",
        vessels: &[DemoVessel(
            "Queen of San Diego",
            VesselKind::Boat,
            85.0,
            "Black hull, white upper deck, red waterline; three masts, square sails forward",
            Some(90),
            3,
            "WDQ5678",
            "367567890",
        )],
        people: &[
            ("admin.queen", "Quinn Office", Role::Admin),
            ("captain.queen", "Morgan Captain", Role::Captain),
            ("deck.queen", "Riley Deck", Role::Crew),
            ("sam.crew", "Sam Crew", Role::Crew),
        ],
    },
    OrgPlan {
        id: "quickdumpnow",
        vessels: &[
            DemoVessel(
                "Truck 1",
                VesselKind::Truck,
                28.0,
                "White roll-off truck, green QuickDumpNow lettering on both doors",
                None,
                1,
                "",
                "",
            ),
            DemoVessel(
                "Truck 2",
                VesselKind::Truck,
                28.0,
                "Red roll-off truck, white QuickDumpNow lettering on both doors",
                None,
                1,
                "",
                "",
            ),
        ],
        people: &[
            ("admin.qdn", "Jordan Dispatch", Role::Admin),
            ("driver.qdn", "Taylor Driver", Role::Captain),
            ("driver2.qdn", "Jamie Driver", Role::Captain),
        ],
    },
    OrgPlan {
        id: "dangerouscentaur",
        vessels: &[DemoVessel(
            "Dangerous Centaur",
            VesselKind::Boat,
            52.0,
            "Grey hull, orange centaur on the bow, black sails",
            Some(24),
            2,
            "WDE9012",
            "367901230",
        )],
        people: &[
            ("admin.centaur", "Robin Office", Role::Admin),
            ("captain.centaur", "Avery Captain", Role::Captain),
            ("deck.centaur", "Kai Deck", Role::Crew),
        ],
    },
];

fn email(local: &str) -> Email {
    // The demo's addresses are constants that parse; a failure here is a typo caught by the tests.
    Email::parse(&format!("{local}@example.com"))
        .unwrap_or_else(|e| panic!("seed address {local}: {e}"))
}

pub fn san_diego() -> HomePort {
    HomePort {
        name: "San Diego".into(),
        latitude: 32.7157,
        longitude: -117.1611,
    }
}

/// `days` after `now`'s local date, at `hh:mm` local (the earlier instant if the clocks repeat it,
/// an hour later if they skip it).
pub fn local_at(now: DateTime<Utc>, zone: Tz, days: i64, hh: u32, mm: u32) -> DateTime<Utc> {
    let date = now.with_timezone(&zone).date_naive() + Duration::days(days);
    let time = NaiveTime::from_hms_opt(hh, mm, 0).unwrap_or_default();
    let naive = date.and_time(time);
    match zone.from_local_datetime(&naive) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.with_timezone(&Utc),
        LocalResult::None => match zone.from_local_datetime(&(naive + Duration::hours(1))) {
            LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.with_timezone(&Utc),
            LocalResult::None => naive.and_utc(),
        },
    }
}

/// The local world: the portfolio file's orgs and members as `apply` would create them, plus the
/// demo's people (an owner who is executive everywhere and gets every report, office, captains,
/// crew), events for today and tomorrow, and six past weeks.
pub fn demo(now: DateTime<Utc>, portfolio: &Portfolio) -> Seed {
    let mut seed = Seed {
        orgs: Vec::new(),
        members: Vec::new(),
        events: Vec::new(),
        vessels: Vec::new(),
    };
    let owner = email(OWNER.trim_end_matches("@example.com"));
    for wanted in &portfolio.orgs {
        let mut org = wanted.to_org(now);
        for perspective in Perspective::ALL {
            let list = org.report_recipients.entry(perspective).or_default();
            if !list.contains(&owner) {
                list.push(owner.clone());
            }
        }
        let mut members: Vec<Member> = wanted
            .members
            .iter()
            .map(|p| Member {
                email: p.email.clone(),
                name: p.name.clone(),
                role: p.role,
                added_at: now,
                sessions_valid_from: None,
            })
            .collect();
        let plan = PLANS.iter().find(|p| p.id == org.id.as_str());
        if let Some(admin) = plan.and_then(|p| p.people.iter().find(|x| x.2 == Role::Admin)) {
            // The office holds the float plans; the demo's numbers are fictional (555).
            org.safety.shore_contacts.push(crate::org::ShoreContact {
                name: admin.1.into(),
                email: email(admin.0),
                phone: "+1 619 555 0100".into(),
            });
            org.safety.coast_guard.name = "Coast Guard Sector San Diego".into();
        }
        let demo_people = plan.map(|p| p.people).unwrap_or_default();
        let extra = std::iter::once((owner.clone(), "Pat Owner", Role::Executive)).chain(
            demo_people
                .iter()
                .map(|(local, name, role)| (email(local), *name, *role)),
        );
        for (address, name, role) in extra {
            if !members.iter().any(|m| m.email == address) {
                members.push(Member {
                    email: address,
                    name: name.into(),
                    role,
                    added_at: now,
                    sessions_valid_from: None,
                });
            }
        }
        seed.members
            .extend(members.into_iter().map(|m| (org.id.clone(), m)));
        if let Some(plan) = plan {
            let vessels: Vec<Vessel> = plan
                .vessels
                .iter()
                .enumerate()
                .map(|(n, v)| v.record(n, now))
                .collect();
            seed.events
                .extend(upcoming_events(plan, &org, &vessels, now));
            seed.events.extend(history(plan, &org, &vessels, now));
            seed.vessels
                .extend(vessels.into_iter().map(|v| (org.id.clone(), v)));
        }
        seed.orgs.push(org);
    }
    seed
}

/// Records the creation in the audit trail, as the api does.
fn created(mut event: Event) -> Event {
    if let Ok(op_id) = OpId::parse(&format!("created-{}", event.id)) {
        event.audit.push(AuditEntry {
            op_id,
            action: AuditAction::Created,
            by: event.created_by.clone(),
            at: event.created_at,
        });
    }
    event
}

/// A small deterministic generator (xorshift), so the demo history is the same on every machine.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number in `lo..=hi`.
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + i64::try_from(self.next() % u64::try_from(hi - lo + 1).unwrap_or(1)).unwrap_or(0)
    }

    /// True `percent` times in a hundred.
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// A weekly slot of the history: day from Monday, kind, local start, hours, revenue range in dollars.
struct Slot(i64, EventKind, (u32, u32), i64, (i64, i64));

/// Six past weeks of realistic work: mostly on-time departures with their checklists done, some
/// late departures, the odd late or forgotten safety task, a cancellation now and then, nudges
/// sent. Enough for every report perspective to have something to show in `make dev`.
/// The demo vessel `n` (round robin) and the passengers a trip of `kind` takes on it: most of
/// what its Certificate of Inspection allows, none for a delivery or a haul.
fn aboard(
    vessels: &[Vessel],
    n: usize,
    kind: EventKind,
    fill: u32,
) -> (String, Option<VesselId>, crate::event::Passengers) {
    let Some(v) = vessels.get(n % vessels.len().max(1)) else {
        return ("Vessel".into(), None, Default::default());
    };
    let carries = crate::checklist::template(kind).carries_passengers;
    let count = match v.fields.coi_max_passengers {
        Some(max) if carries => max * fill.min(100) / 100,
        _ => 0,
    };
    (
        v.fields.name.clone(),
        Some(v.id.clone()),
        crate::event::Passengers {
            count,
            ..Default::default()
        },
    )
}

fn history(plan: &OrgPlan, org: &Org, vessels: &[Vessel], now: DateTime<Utc>) -> Vec<Event> {
    let zone = org.zone;
    let kinds = &org.enabled_kinds;
    let mut dice =
        Dice(0x9E37_79B9_7F4A_7C15 ^ plan.id.len() as u64 ^ (org.name.len() as u64) << 32);
    let admin = plan
        .people
        .iter()
        .find(|(_, _, role)| *role == Role::Admin)
        .map(|(local, _, _)| email(local))
        .unwrap_or_else(|| email("admin"));
    let crew = crew_of(plan);
    let today = now.with_timezone(&zone).date_naive();
    let this_monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
    let mut out = Vec::new();
    for week in 1..=6_i64 {
        let monday = this_monday - Duration::days(7 * week);
        let slots: Vec<Slot> = if kinds.contains(&EventKind::Haul) {
            (0..5)
                .map(|d| Slot(d, EventKind::Haul, (8, 30), 72, (375, 650)))
                .collect()
        } else {
            let mut s = vec![
                Slot(1, EventKind::SunsetSail, (17, 0), 3, (1500, 2400)),
                Slot(3, EventKind::SunsetSail, (17, 30), 3, (1500, 2400)),
                Slot(5, EventKind::Charter, (11, 0), 5, (2800, 6500)),
                Slot(5, EventKind::SunsetSail, (17, 30), 3, (1500, 2400)),
                Slot(6, EventKind::Charter, (10, 0), 4, (2800, 6500)),
            ];
            if week % 2 == 0 {
                s.push(Slot(2, EventKind::Delivery, (7, 0), 30, (3000, 8000)));
            }
            s
        };
        for (n, Slot(day, kind, (hh, mm), hours, (lo, hi))) in slots.into_iter().enumerate() {
            if !kinds.contains(&kind) {
                continue;
            }
            let Some(departs_at) = local_on(monday + Duration::days(day), zone, hh, mm) else {
                continue;
            };
            let (vessel, vessel_id, passengers) =
                aboard(vessels, n, kind, dice.range(40, 95) as u32);
            let spec = EventSpec {
                kind,
                title: match kind {
                    EventKind::SunsetSail => "Sunset sail".to_string(),
                    EventKind::Charter => [
                        "Private charter: Nguyen party",
                        "Private charter: corporate lunch",
                        "Private charter: birthday",
                    ][n % 3]
                        .to_string(),
                    EventKind::Delivery => "Delivery: Ensenada and back".to_string(),
                    EventKind::Haul => [
                        "20-yard drop-off, Clairemont",
                        "10-yard drop-off, Point Loma",
                        "30-yard drop-off, La Mesa",
                    ][n % 3]
                        .to_string(),
                },
                vessel,
                vessel_id,
                passengers,
                departs_at,
                returns_at: departs_at + Duration::hours(hours),
                crew: if dice.chance(8) {
                    crew.iter().take(1).cloned().collect()
                } else {
                    crew.clone()
                },
                notes: String::new(),
                revenue_cents: Some(dice.range(lo, hi) * 100),
            };
            let mut e = created(Event::new(
                EventId::generate(),
                org.id.clone(),
                spec,
                admin.clone(),
                departs_at - Duration::days(10),
            ));
            if dice.chance(7) {
                e.status = EventStatus::Cancelled;
                out.push(e);
                continue;
            }
            let delay = if dice.chance(15) {
                dice.range(11, 35)
            } else {
                dice.range(-3, 8)
            };
            e.status = EventStatus::Completed;
            e.departed_at = Some(departs_at + Duration::minutes(delay));
            e.returned_at = Some(e.returns_at + Duration::minutes(dice.range(-10, 20)));
            let day_local = crate::timing::local_date(departs_at, zone);
            let sun = crate::timing::sun_times(&san_diego(), day_local);
            let template = e.template().clone();
            for (i, task) in template.tasks.iter().enumerate() {
                if dice.chance(if task.safety_critical { 3 } else { 6 }) {
                    continue;
                }
                let Ok(due) = crate::timing::due_at(task, &e, &sun, day_local) else {
                    continue;
                };
                let late = if dice.chance(6) {
                    dice.range(5, 40)
                } else {
                    -dice.range(0, 10)
                };
                let by = e
                    .crew
                    .iter()
                    .find(|c| c.role == task.role)
                    .or_else(|| e.crew.first())
                    .map(|c| c.email.clone())
                    .unwrap_or_else(|| admin.clone());
                let at = due + Duration::minutes(late);
                let op = format!("seed-{}-{week}-{n}-{i}", plan.id);
                if let Ok(op_id) = OpId::parse(&op) {
                    e.tasks.insert(
                        task.id.clone(),
                        TaskState {
                            done: true,
                            by,
                            at,
                            recorded_at: at,
                            op_id,
                            note: String::new(),
                            photos: Vec::new(),
                        },
                    );
                }
            }
            for c in &e.crew {
                e.nudges.push(NudgeRecord {
                    kind: NudgeKind::Departure,
                    anchor_at: departs_at,
                    email: c.email.clone(),
                    state: NudgeState::Sent,
                    at: departs_at - Duration::minutes(30),
                    channel: crate::event::NudgeChannel::Email,
                });
            }
            out.push(e);
        }
    }
    out
}

/// `hh:mm` on a local date, if that wall-clock time exists.
pub fn local_on(date: NaiveDate, zone: Tz, hh: u32, mm: u32) -> Option<DateTime<Utc>> {
    let naive = date.and_hms_opt(hh, mm, 0)?;
    match zone.from_local_datetime(&naive) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => Some(t.with_timezone(&Utc)),
        LocalResult::None => None,
    }
}

fn crew_of(plan: &OrgPlan) -> Vec<CrewAssignment> {
    let mut captain_taken = false;
    plan.people
        .iter()
        .filter(|(_, _, role)| matches!(role, Role::Captain | Role::Crew))
        .filter_map(|(local, _, role)| {
            let role = match role {
                Role::Captain if !captain_taken => {
                    captain_taken = true;
                    CrewRole::Captain
                }
                Role::Captain => return None,
                _ => CrewRole::Crew,
            };
            Some(CrewAssignment {
                email: email(local),
                role,
            })
        })
        .collect()
}

/// One demo event: kind, title, days from today, local start, length in hours, revenue in dollars.
struct Planned {
    kind: EventKind,
    title: &'static str,
    day: i64,
    start: (u32, u32),
    hours: i64,
    dollars: i64,
}

impl Planned {
    const fn new(
        kind: EventKind,
        title: &'static str,
        day: i64,
        start: (u32, u32),
        hours: i64,
        dollars: i64,
    ) -> Self {
        Self {
            kind,
            title,
            day,
            start,
            hours,
            dollars,
        }
    }
}

fn upcoming_events(
    plan: &OrgPlan,
    org: &Org,
    vessels: &[Vessel],
    now: DateTime<Utc>,
) -> Vec<Event> {
    let zone = org.zone;
    let kinds = &org.enabled_kinds;
    let admin = plan
        .people
        .iter()
        .find(|(_, _, role)| *role == Role::Admin)
        .map(|(local, _, _)| email(local))
        .unwrap_or_else(|| email("admin"));
    let crew = crew_of(plan);
    let program: &[Planned] = if kinds.contains(&EventKind::Haul) {
        &[
            Planned::new(
                EventKind::Haul,
                "20-yard drop-off, Mission Hills remodel",
                0,
                (8, 0),
                72,
                495,
            ),
            Planned::new(
                EventKind::Haul,
                "10-yard drop-off, North Park clean-out",
                1,
                (9, 30),
                48,
                375,
            ),
        ]
    } else {
        &[
            Planned::new(EventKind::SunsetSail, "Sunset sail", 0, (16, 0), 3, 1800),
            Planned::new(
                EventKind::Charter,
                "Private charter: Lee family",
                1,
                (11, 0),
                5,
                3200,
            ),
            Planned::new(EventKind::SunsetSail, "Sunset sail", 1, (16, 0), 3, 1800),
        ]
    };
    program
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let departs_at = local_at(now, zone, p.day, p.start.0, p.start.1);
            let (vessel, vessel_id, mut passengers) = aboard(vessels, i, p.kind, 30);
            if p.kind == EventKind::Charter {
                passengers.count = passengers.count.max(4);
                passengers.manifest = ["Jamie Lee", "Chris Lee", "Robin Lee", "Sky Lee"]
                    .map(String::from)
                    .to_vec();
                passengers.emergency_contact = "Pat Lee (ashore) +1 619 555 0142".into();
            }
            let spec = EventSpec {
                kind: p.kind,
                title: p.title.into(),
                vessel,
                vessel_id,
                passengers,
                departs_at,
                returns_at: departs_at + Duration::hours(p.hours),
                crew: crew.clone(),
                notes: String::new(),
                revenue_cents: Some(p.dollars * 100),
            };
            created(Event::new(
                EventId::generate(),
                org.id.clone(),
                spec,
                admin.clone(),
                now,
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bundled() -> Portfolio {
        Portfolio::parse(
            include_str!("../../../config/portfolio.toml"),
            "config/portfolio.toml",
        )
        .expect("the repo's portfolio file is valid")
    }

    #[test]
    fn the_demo_world_is_valid() {
        let now = Utc.with_ymd_and_hms(2026, 11, 25, 18, 0, 0).unwrap();
        let seed = demo(now, &bundled());
        assert_eq!(seed.orgs.len(), 4);
        for org in &seed.orgs {
            org.validate().expect("org is valid");
            let events: Vec<_> = seed.events.iter().filter(|e| e.org_id == org.id).collect();
            assert!(!events.is_empty(), "{} has events", org.id);
            for event in events {
                assert!(org.kind_enabled(event.kind));
                assert!(event.returns_at > event.departs_at);
                assert!(
                    event
                        .crew
                        .iter()
                        .filter(|c| c.role == CrewRole::Captain)
                        .count()
                        <= 1
                );
                for c in &event.crew {
                    assert!(
                        seed.members
                            .iter()
                            .any(|(o, m)| o == &org.id && m.email == c.email),
                        "crew are members"
                    );
                }
            }
        }
        let sam = email("sam.crew");
        let orgs_of_sam = seed.members.iter().filter(|(_, m)| m.email == sam).count();
        assert_eq!(orgs_of_sam, 2, "one person in two orgs");
    }

    #[test]
    fn six_weeks_of_history_give_every_report_something_to_show() {
        use crate::report::{Week, WeekInput, org_week};
        let now = Utc.with_ymd_and_hms(2026, 11, 25, 18, 0, 0).unwrap();
        let seed = demo(now, &bundled());
        let names = Default::default();
        let (mut misses, mut late, mut cancelled) = (0, 0, 0);
        for org in &seed.orgs {
            let events: Vec<Event> = seed
                .events
                .iter()
                .filter(|e| e.org_id == org.id)
                .cloned()
                .collect();
            for back in 1..=6 {
                let week = Week::of(now.date_naive() - Duration::days(7 * back));
                let report = org_week(
                    &WeekInput {
                        org,
                        week,
                        events: &events,
                        names: &names,
                        vessels: &[],
                        app_url: "http://localhost:3000",
                    },
                    now,
                );
                assert!(
                    report.operations.events >= 4,
                    "{} {week}: {} events",
                    org.id,
                    report.operations.events
                );
                assert!(report.finance.revenue_cents > 0);
                assert!(!report.crew.members.is_empty());
                assert!(
                    report
                        .finance
                        .utilisation
                        .iter()
                        .all(|u| u.percent <= 100.0),
                    "{} {week}",
                    org.id
                );
                assert!(
                    report
                        .crew
                        .members
                        .iter()
                        .all(|m| m.hours_on_duty <= report.finance.week_hours)
                );
                misses += report.safety.misses.len();
                late += report.operations.departed - report.operations.on_time;
                cancelled += report.operations.cancellations;
            }
            for e in &events {
                assert!(e.returns_at > e.departs_at);
                assert!(
                    (e.returns_at - e.departs_at).num_hours() <= i64::from(e.template().max_hours)
                );
            }
        }
        assert!(
            misses > 0 && late > 0 && cancelled > 0,
            "misses {misses}, late {late}, cancelled {cancelled}"
        );
    }

    #[test]
    fn local_at_survives_the_clock_changes() {
        let zone = chrono_tz::America::Los_Angeles;
        let before_spring = Utc.with_ymd_and_hms(2026, 3, 7, 20, 0, 0).unwrap();
        let t = local_at(before_spring, zone, 1, 2, 30);
        assert_eq!(t, Utc.with_ymd_and_hms(2026, 3, 8, 10, 30, 0).unwrap());
        let before_fall = Utc.with_ymd_and_hms(2026, 10, 31, 20, 0, 0).unwrap();
        let t = local_at(before_fall, zone, 1, 1, 30);
        assert_eq!(t, Utc.with_ymd_and_hms(2026, 11, 1, 8, 30, 0).unwrap());
    }
}
