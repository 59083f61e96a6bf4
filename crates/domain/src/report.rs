//! The weekly executive report: five perspectives per org and a portfolio roll-up, computed from
//! one org-week of events. Pure functions: the report Lambda reads and mails, this computes.
//!
//! Attribution rules (docs/reports.md):
//! - An event belongs to the ISO week (Monday 00:00 to Monday 00:00, org's local time, so 167 or
//!   169 hours when the clocks change) in which its scheduled departure falls: counts, revenue,
//!   checklist and safety figures use that week.
//! - Hours (on duty, underway, utilisation) are clipped to the week, so an event spanning two
//!   weeks puts its hours where they happened.
//! - A departure is on time when it left no more than ten minutes after schedule.

use crate::checklist::{Anchor, TaskDef};
use crate::event::{Event, EventKind, EventStatus, NudgeState};
use crate::org::{Org, Perspective};
use crate::timing::{due_at, local_date, start_of_local_day, sun_times};
use chrono::{DateTime, Datelike, Duration, IsoWeek, NaiveDate, Utc, Weekday};
use chrono_tz::Tz;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;

/// A departure this late or less is on time.
pub const ON_TIME: Duration = Duration::minutes(10);

/// An ISO week, `2026-W47`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Week {
    year: i32,
    week: u32,
}

impl Week {
    pub fn parse(raw: &str) -> Option<Self> {
        let (y, w) = raw.trim().split_once("-W")?;
        let year: i32 = y.parse().ok()?;
        let week: u32 = w.parse().ok()?;
        if w.len() != 2 || !(2000..=2100).contains(&year) {
            return None;
        }
        NaiveDate::from_isoywd_opt(year, week, Weekday::Mon)?;
        Some(Self { year, week })
    }

    pub fn of(date: NaiveDate) -> Self {
        let iso: IsoWeek = date.iso_week();
        Self {
            year: iso.year(),
            week: iso.week(),
        }
    }

    /// The week that ended most recently before `now` in `zone` (what Monday's run reports).
    pub fn last_complete(now: DateTime<Utc>, zone: Tz) -> Self {
        Self::of(local_date(now, zone) - Duration::days(7))
    }

    pub fn monday(&self) -> NaiveDate {
        NaiveDate::from_isoywd_opt(self.year, self.week, Weekday::Mon).unwrap_or_default()
    }

    pub fn previous(&self) -> Self {
        Self::of(self.monday() - Duration::days(7))
    }

    /// `[start, end)` of the week in `zone`.
    pub fn range(&self, zone: Tz) -> (DateTime<Utc>, DateTime<Utc>) {
        (
            start_of_local_day(self.monday(), zone),
            start_of_local_day(self.monday() + Duration::days(7), zone),
        )
    }

    pub fn hours(&self, zone: Tz) -> f64 {
        let (start, end) = self.range(zone);
        (end - start).num_minutes() as f64 / 60.0
    }
}

impl fmt::Display for Week {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-W{:02}", self.year, self.week)
    }
}

impl Serialize for Week {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

fn hours_between(a: DateTime<Utc>, b: DateTime<Utc>) -> f64 {
    (b - a).num_seconds().max(0) as f64 / 3600.0
}

/// Hours of `[a, b)` that fall inside `[start, end)`.
fn clipped_hours(
    a: DateTime<Utc>,
    b: DateTime<Utc>,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> f64 {
    hours_between(a.max(start), b.min(end))
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn pct(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| round1(100.0 * part as f64 / whole as f64))
}

/// The week's input: an org and its events that may touch the week (the caller reads events
/// departing from two weeks before the week's start, since an event lasts at most 14 days).
pub struct WeekInput<'a> {
    pub org: &'a Org,
    pub week: Week,
    pub events: &'a [Event],
    /// Member email → display name, for the crew perspective.
    pub names: &'a BTreeMap<String, String>,
    /// The org's vessels: an event's minimum crew is its vessel's when set.
    pub vessels: &'a [crate::vessel::Vessel],
    /// The app's origin, for links to events.
    pub app_url: &'a str,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KindStatusCount {
    pub kind: EventKind,
    pub status: EventStatus,
    pub count: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Completion {
    pub kind: EventKind,
    pub done: usize,
    pub total: usize,
    pub percent: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Operations {
    pub events: usize,
    pub by_kind_and_status: Vec<KindStatusCount>,
    pub departed: usize,
    pub on_time: usize,
    pub on_time_percent: Option<f64>,
    /// Mean minutes late over departed events (early counts as zero).
    pub average_delay_minutes: Option<f64>,
    pub checklist_by_kind: Vec<Completion>,
    pub checklist_percent: Option<f64>,
    pub cancellations: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SafetyMiss {
    pub event_id: String,
    pub event_title: String,
    pub task_id: String,
    pub task_title: String,
    /// `late` (done after its due time) or `never`.
    pub outcome: &'static str,
    pub due: Option<DateTime<Utc>>,
    pub done_at: Option<DateTime<Utc>>,
    pub link: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OpenAtDeparture {
    pub event_id: String,
    pub event_title: String,
    pub departed_at: DateTime<Utc>,
    pub open_tasks: Vec<String>,
    /// Whether whoever marked it departed saw these tasks listed and confirmed leaving anyway
    /// (false: they were open but ticked in time for nobody to be asked, e.g. done late offline).
    pub confirmed: bool,
    pub link: String,
}

/// A trip not back by its return time plus the org's grace: what set off the overdue alert.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OverdueReturn {
    pub event_id: String,
    pub event_title: String,
    /// The expected return.
    pub due_back: DateTime<Utc>,
    /// When it was marked returned; absent if it still was not by the end of the week.
    pub returned_at: Option<DateTime<Utc>>,
    pub link: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Safety {
    pub misses: Vec<SafetyMiss>,
    pub late: usize,
    pub never: usize,
    pub departed_with_open_tasks: Vec<OpenAtDeparture>,
    /// How many departures were confirmed with safety-critical tasks still open.
    pub departures_confirmed_with_open_tasks: usize,
    /// Trips overdue (past their return plus the org's grace before being marked returned).
    pub overdue_returns: Vec<OverdueReturn>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CrewLine {
    pub email: String,
    pub name: Option<String>,
    pub events: usize,
    pub hours_on_duty: f64,
    pub tasks_done: usize,
    pub nudges_received: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShortOfCrew {
    pub event_id: String,
    pub event_title: String,
    pub assigned: usize,
    pub needed: u32,
    pub link: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Crew {
    pub members: Vec<CrewLine>,
    pub short_of_crew: Vec<ShortOfCrew>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Utilisation {
    pub vessel: String,
    pub hours_underway: f64,
    pub percent: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Finance {
    pub revenue_cents: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, i64>))]
    pub by_kind: BTreeMap<EventKind, i64>,
    pub by_vessel: BTreeMap<String, i64>,
    pub hours_underway: f64,
    /// Revenue of events that went out, per hour they were out.
    pub revenue_per_hour_underway_cents: Option<i64>,
    pub utilisation: Vec<Utilisation>,
    pub week_hours: f64,
}

/// The figures the executive summary compares week over week.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Kpis {
    pub events: usize,
    pub cancellations: usize,
    pub on_time_percent: Option<f64>,
    pub checklist_percent: Option<f64>,
    pub safety_misses: usize,
    pub revenue_cents: i64,
    pub hours_underway: f64,
    pub short_of_crew: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Exception {
    pub org_id: String,
    /// Bigger is worse; orders the exceptions.
    pub severity: u32,
    pub summary: String,
    pub link: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrgComparison {
    pub org_id: String,
    pub org_name: String,
    pub this_week: Kpis,
    pub last_week: Kpis,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExecutiveSummary {
    pub orgs: Vec<OrgComparison>,
    /// The three largest exceptions across the orgs.
    pub exceptions: Vec<Exception>,
}

/// One org's week, all perspectives.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrgWeek {
    pub org_id: String,
    pub org_name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "2026-W47"))]
    pub week: Week,
    pub zone: String,
    pub starts: DateTime<Utc>,
    pub ends: DateTime<Utc>,
    pub operations: Operations,
    pub safety: Safety,
    pub crew: Crew,
    pub finance: Finance,
    pub kpis: Kpis,
    pub exceptions: Vec<Exception>,
}

fn departs_in(event: &Event, start: DateTime<Utc>, end: DateTime<Utc>) -> bool {
    event.departs_at >= start && event.departs_at < end
}

fn went_out(event: &Event) -> bool {
    event.departed_at.is_some()
        && matches!(event.status, EventStatus::Underway | EventStatus::Completed)
}

/// A haul's truck and driver are out for the drop-off and for the pick-up, not for the days the
/// container stands at the site: each trip counts this long.
pub const HAUL_TRIP: Duration = Duration::hours(1);

/// When an event was (or is planned to be) out: actual times where known.
fn out_window(event: &Event) -> (DateTime<Utc>, DateTime<Utc>) {
    let from = event.departed_at.unwrap_or(event.departs_at);
    let to = event.returned_at.unwrap_or(event.returns_at);
    (from, to.max(from))
}

/// A span of time, `[from, to)`.
type Span = (DateTime<Utc>, DateTime<Utc>);

/// The spans a vessel (or truck) and its crew are busy with an event: the whole trip for boats,
/// the two trips for a haul.
fn busy_spans(event: &Event) -> Vec<Span> {
    let (from, to) = out_window(event);
    if event.kind == EventKind::Haul {
        vec![(from, from + HAUL_TRIP), (to, to + HAUL_TRIP)]
    } else {
        vec![(from, to)]
    }
}

/// Hours covered by the union of `spans` within `[start, end)`: double-booked time counts once.
fn union_hours(mut spans: Vec<Span>, start: DateTime<Utc>, end: DateTime<Utc>) -> f64 {
    spans.retain(|(a, b)| b > a);
    spans.sort();
    let mut total = 0.0;
    let mut current: Option<Span> = None;
    for (a, b) in spans {
        current = match current {
            Some((ca, cb)) if a <= cb => Some((ca, cb.max(b))),
            Some((ca, cb)) => {
                total += clipped_hours(ca, cb, start, end);
                Some((a, b))
            }
            None => Some((a, b)),
        };
    }
    if let Some((ca, cb)) = current {
        total += clipped_hours(ca, cb, start, end);
    }
    total
}

/// The app's page of an event; the org lets the app switch to it for a multi-org reader.
fn link(app_url: &str, event: &Event) -> String {
    format!(
        "{}/events/{}?org={}",
        app_url.trim_end_matches('/'),
        event.id,
        event.org_id
    )
}

fn task_due(event: &Event, org: &Org, task: &TaskDef) -> Option<DateTime<Utc>> {
    let local = local_date(event.departs_at, org.zone);
    due_at(task, event, &sun_times(&org.home_port, local), local).ok()
}

/// The tasks of `event` that apply to its trip (sunset and dusk tasks of a trip back before them
/// do not), as of `at`.
fn applicable<'e>(
    event: &'e Event,
    org: &Org,
    at: DateTime<Utc>,
) -> impl Iterator<Item = &'static TaskDef> + 'e {
    let sun = sun_times(&org.home_port, local_date(event.departs_at, org.zone));
    event.template().tasks.iter().filter(move |task| {
        event.tasks.get(&task.id).is_some_and(|s| s.done)
            || crate::timing::applies(task, event, &sun, at)
    })
}

fn operations(events: &[&Event], org: &Org, as_of: DateTime<Utc>) -> Operations {
    let mut by: BTreeMap<(EventKind, EventStatus), usize> = BTreeMap::new();
    let mut checklist: BTreeMap<EventKind, (usize, usize)> = BTreeMap::new();
    let (mut departed, mut on_time, mut delay_minutes) = (0, 0, 0.0);
    for e in events {
        *by.entry((e.kind, e.status)).or_default() += 1;
        if let (true, Some(left)) = (went_out(e), e.departed_at) {
            departed += 1;
            let late = left - e.departs_at;
            if late <= ON_TIME {
                on_time += 1;
            }
            delay_minutes += late.num_seconds().max(0) as f64 / 60.0;
        }
        if e.status != EventStatus::Cancelled {
            let (mut done, mut total) = (0, 0);
            for task in applicable(e, org, as_of) {
                total += 1;
                done += usize::from(e.tasks.get(&task.id).is_some_and(|s| s.done));
            }
            let entry = checklist.entry(e.kind).or_default();
            entry.0 += done;
            entry.1 += total;
        }
    }
    let (done_all, total_all) = checklist
        .values()
        .fold((0, 0), |a, (d, t)| (a.0 + d, a.1 + t));
    Operations {
        events: events.len(),
        by_kind_and_status: by
            .into_iter()
            .map(|((kind, status), count)| KindStatusCount {
                kind,
                status,
                count,
            })
            .collect(),
        departed,
        on_time,
        on_time_percent: pct(on_time, departed),
        average_delay_minutes: (departed > 0).then(|| round1(delay_minutes / departed as f64)),
        checklist_by_kind: checklist
            .into_iter()
            .map(|(kind, (done, total))| Completion {
                kind,
                done,
                total,
                percent: pct(done, total),
            })
            .collect(),
        checklist_percent: pct(done_all, total_all),
        cancellations: events
            .iter()
            .filter(|e| e.status == EventStatus::Cancelled)
            .count(),
    }
}

fn safety(events: &[&Event], org: &Org, app_url: &str, now_or_end: DateTime<Utc>) -> Safety {
    let mut misses = Vec::new();
    let mut open_at_departure = Vec::new();
    for e in events.iter().filter(|e| went_out(e)) {
        let mut open = Vec::new();
        for task in applicable(e, org, now_or_end).filter(|t| t.safety_critical) {
            let due = task_due(e, org, task);
            let state = e.tasks.get(&task.id).filter(|s| s.done);
            let outcome = match (state, due) {
                (Some(s), Some(d)) if s.at > d => Some("late"),
                (Some(_), _) => None,
                // Not done: a miss once its due time has passed by the end of the week.
                (None, Some(d)) if d <= now_or_end => Some("never"),
                (None, _) => None,
            };
            if let Some(outcome) = outcome {
                misses.push(SafetyMiss {
                    event_id: e.id.to_string(),
                    event_title: e.title.clone(),
                    task_id: task.id.to_string(),
                    task_title: task.title.clone(),
                    outcome,
                    due,
                    done_at: state.map(|s| s.at),
                    link: link(app_url, e),
                });
            }
            // Open when the boat left: a pre-departure item (anchored at or before departure)
            // not done by the actual departure.
            let before_departure = task.anchor == Anchor::Departure && task.offset_minutes <= 0;
            let left = e.departed_at.unwrap_or(e.departs_at);
            if before_departure && state.is_none_or(|s| s.at > left) {
                open.push(task.title.clone());
            }
        }
        let confirmed = !e.departed_open_safety_tasks.is_empty();
        if confirmed {
            // What they were shown, as the template names it, even if ticked since.
            for id in &e.departed_open_safety_tasks {
                if let Some(task) = e.template().task(id)
                    && !open.contains(&task.title)
                {
                    open.push(task.title.clone());
                }
            }
        }
        if !open.is_empty() {
            open_at_departure.push(OpenAtDeparture {
                event_id: e.id.to_string(),
                event_title: e.title.clone(),
                departed_at: e.departed_at.unwrap_or(e.departs_at),
                open_tasks: open,
                confirmed,
                link: link(app_url, e),
            });
        }
    }
    let grace = org.safety.overdue_grace();
    let overdue_returns = events
        .iter()
        .filter(|e| e.departed_at.is_some() && e.status != EventStatus::Cancelled)
        .filter(|e| {
            let overdue_at = crate::nudge::overdue_from(e, grace);
            e.returned_at.map_or(now_or_end, |r| r) > overdue_at
        })
        .map(|e| OverdueReturn {
            event_id: e.id.to_string(),
            event_title: e.title.clone(),
            due_back: e.returns_at,
            returned_at: e.returned_at,
            link: link(app_url, e),
        })
        .collect();
    Safety {
        late: misses.iter().filter(|m| m.outcome == "late").count(),
        never: misses.iter().filter(|m| m.outcome == "never").count(),
        misses,
        departures_confirmed_with_open_tasks: open_at_departure
            .iter()
            .filter(|d| d.confirmed)
            .count(),
        departed_with_open_tasks: open_at_departure,
        overdue_returns,
    }
}

fn crew(
    departing: &[&Event],
    touching: &[&Event],
    names: &BTreeMap<String, String>,
    vessels: &[crate::vessel::Vessel],
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    app_url: &str,
) -> Crew {
    let mut lines: BTreeMap<String, CrewLine> = BTreeMap::new();
    let line = |lines: &mut BTreeMap<String, CrewLine>, email: &str| {
        lines.entry(email.to_string()).or_insert_with(|| CrewLine {
            email: email.to_string(),
            name: names.get(email).cloned(),
            events: 0,
            hours_on_duty: 0.0,
            tasks_done: 0,
            nudges_received: 0,
        });
    };
    for e in departing
        .iter()
        .filter(|e| e.status != EventStatus::Cancelled)
    {
        for c in &e.crew {
            line(&mut lines, c.email.as_str());
            if let Some(l) = lines.get_mut(c.email.as_str()) {
                l.events += 1;
            }
        }
    }
    // Hours on duty are hours that happened (events that went out), clipped to the week, each
    // hour counted once however many events a person was booked on at the time.
    let mut spans: BTreeMap<String, Vec<Span>> = BTreeMap::new();
    for e in touching.iter().filter(|e| went_out(e)) {
        for c in &e.crew {
            spans
                .entry(c.email.to_string())
                .or_default()
                .extend(busy_spans(e));
        }
    }
    for (email, person_spans) in spans {
        let hours = union_hours(person_spans, start, end);
        if hours > 0.0 {
            line(&mut lines, &email);
            if let Some(l) = lines.get_mut(&email) {
                l.hours_on_duty = hours;
            }
        }
    }
    for e in touching
        .iter()
        .filter(|e| e.status != EventStatus::Cancelled)
    {
        for state in e
            .tasks
            .values()
            .filter(|s| s.done && s.at >= start && s.at < end)
        {
            line(&mut lines, state.by.as_str());
            if let Some(l) = lines.get_mut(state.by.as_str()) {
                l.tasks_done += 1;
            }
        }
        // A nudge received by email and push is one nudge: count each (kind, anchor) once.
        let mut counted = std::collections::BTreeSet::new();
        for n in e.nudges.iter().filter(|n| {
            n.state == NudgeState::Sent
                && n.at >= start
                && n.at < end
                && counted.insert((n.email.as_str(), n.kind, n.anchor_at))
        }) {
            line(&mut lines, n.email.as_str());
            if let Some(l) = lines.get_mut(n.email.as_str()) {
                l.nudges_received += 1;
            }
        }
    }
    let mut members: Vec<CrewLine> = lines
        .into_values()
        .map(|mut l| {
            l.hours_on_duty = round1(l.hours_on_duty);
            l
        })
        .collect();
    members.sort_by(|a, b| {
        b.hours_on_duty
            .total_cmp(&a.hours_on_duty)
            .then(a.email.cmp(&b.email))
    });
    let short_of_crew = departing
        .iter()
        .filter(|e| e.status != EventStatus::Cancelled)
        .filter_map(|e| {
            let needed =
                e.crew_required(vessels.iter().find(|v| Some(&v.id) == e.vessel_id.as_ref()));
            ((e.crew.len() as u32) < needed).then(|| ShortOfCrew {
                event_id: e.id.to_string(),
                event_title: e.title.clone(),
                assigned: e.crew.len(),
                needed,
                link: link(app_url, e),
            })
        })
        .collect();
    Crew {
        members,
        short_of_crew,
    }
}

fn finance(
    departing: &[&Event],
    touching: &[&Event],
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    week_hours: f64,
) -> Finance {
    let mut by_kind = BTreeMap::new();
    let mut by_vessel = BTreeMap::new();
    let mut revenue = 0;
    let (mut earning_revenue, mut earning_hours) = (0i64, 0.0);
    for e in departing
        .iter()
        .filter(|e| e.status != EventStatus::Cancelled)
    {
        let cents = e.revenue_cents.unwrap_or(0);
        revenue += cents;
        *by_kind.entry(e.kind).or_insert(0) += cents;
        *by_vessel.entry(e.vessel.clone()).or_insert(0) += cents;
        if went_out(e) {
            earning_revenue += cents;
            earning_hours += busy_spans(e)
                .iter()
                .map(|(a, b)| hours_between(*a, *b))
                .sum::<f64>();
        }
    }
    // A vessel's hours are the union of its events' spans: a double booking counts once.
    let mut spans_by_vessel: BTreeMap<String, Vec<Span>> = BTreeMap::new();
    for e in touching.iter().filter(|e| went_out(e)) {
        spans_by_vessel
            .entry(e.vessel.clone())
            .or_default()
            .extend(busy_spans(e));
    }
    let hours_by_vessel: BTreeMap<String, f64> = spans_by_vessel
        .into_iter()
        .map(|(vessel, spans)| (vessel, union_hours(spans, start, end)))
        .collect();
    let hours_underway: f64 = hours_by_vessel.values().sum();
    Finance {
        revenue_cents: revenue,
        by_kind,
        by_vessel,
        hours_underway: round1(hours_underway),
        revenue_per_hour_underway_cents: (earning_hours > 0.0)
            .then(|| (earning_revenue as f64 / earning_hours).round() as i64),
        utilisation: hours_by_vessel
            .into_iter()
            .map(|(vessel, hours)| Utilisation {
                vessel,
                hours_underway: round1(hours),
                percent: round1(100.0 * hours / week_hours),
            })
            .collect(),
        week_hours,
    }
}

fn exceptions(
    org_id: &str,
    ops: &Operations,
    safety: &Safety,
    crew: &Crew,
    departing: &[&Event],
    app_url: &str,
) -> Vec<Exception> {
    let mut out = Vec::new();
    for m in &safety.misses {
        out.push(Exception {
            org_id: org_id.to_string(),
            severity: if m.outcome == "never" { 100 } else { 80 },
            summary: format!(
                "{}: safety task {} ({})",
                m.event_title,
                if m.outcome == "never" {
                    "never done"
                } else {
                    "done late"
                },
                m.task_title
            ),
            link: Some(m.link.clone()),
        });
    }
    for e in departing.iter().filter(|e| went_out(e)) {
        if let Some(left) = e.departed_at {
            let late = (left - e.departs_at).num_minutes();
            if late > ON_TIME.num_minutes() {
                out.push(Exception {
                    org_id: org_id.to_string(),
                    severity: 40 + u32::try_from(late.min(59)).unwrap_or(0),
                    summary: format!("{}: departed {late} minutes late", e.title),
                    link: Some(link(app_url, e)),
                });
            }
        }
    }
    for s in &crew.short_of_crew {
        out.push(Exception {
            org_id: org_id.to_string(),
            severity: 60,
            summary: format!(
                "{}: {} of {} crew assigned",
                s.event_title, s.assigned, s.needed
            ),
            link: Some(s.link.clone()),
        });
    }
    if ops.cancellations > 0 {
        out.push(Exception {
            org_id: org_id.to_string(),
            severity: 30 + u32::try_from(ops.cancellations.min(20)).unwrap_or(0),
            summary: format!(
                "{} cancellation{}",
                ops.cancellations,
                if ops.cancellations == 1 { "" } else { "s" }
            ),
            link: None,
        });
    }
    out.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.summary.cmp(&b.summary)));
    out
}

/// Computes every perspective of one org's week. `as_of` bounds "never done" (a task still due in
/// the future is not a miss): the end of the week for a finished week.
pub fn org_week(input: &WeekInput<'_>, as_of: DateTime<Utc>) -> OrgWeek {
    let zone = input.org.zone;
    let (start, end) = input.week.range(zone);
    let touching: Vec<&Event> = input
        .events
        .iter()
        .filter(|e| {
            let (from, to) = out_window(e);
            departs_in(e, start, end) || (from < end && to > start)
        })
        .collect();
    let departing: Vec<&Event> = touching
        .iter()
        .copied()
        .filter(|e| departs_in(e, start, end))
        .collect();
    let week_hours = input.week.hours(zone);
    let bound = as_of.min(end);
    let operations = operations(&departing, input.org, bound);
    let safety = safety(&departing, input.org, input.app_url, bound);
    let crew = crew(
        &departing,
        &touching,
        input.names,
        input.vessels,
        start,
        end,
        input.app_url,
    );
    let finance = finance(&departing, &touching, start, end, week_hours);
    let org_id = input.org.id.to_string();
    let exceptions = exceptions(
        &org_id,
        &operations,
        &safety,
        &crew,
        &departing,
        input.app_url,
    );
    let kpis = Kpis {
        events: operations.events,
        cancellations: operations.cancellations,
        on_time_percent: operations.on_time_percent,
        checklist_percent: operations.checklist_percent,
        safety_misses: safety.misses.len(),
        revenue_cents: finance.revenue_cents,
        hours_underway: finance.hours_underway,
        short_of_crew: crew.short_of_crew.len(),
    };
    OrgWeek {
        org_id,
        org_name: input.org.name.clone(),
        week: input.week,
        zone: zone.name().to_string(),
        starts: start,
        ends: end,
        operations,
        safety,
        crew,
        finance,
        kpis,
        exceptions,
    }
}

/// The executive summary over several orgs: each org's KPIs this week and last, and the three
/// largest exceptions across them.
pub fn executive_summary(pairs: &[(OrgWeek, OrgWeek)]) -> ExecutiveSummary {
    let mut exceptions: Vec<Exception> = pairs
        .iter()
        .flat_map(|(this, _)| this.exceptions.clone())
        .collect();
    exceptions.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(a.org_id.cmp(&b.org_id))
            .then(a.summary.cmp(&b.summary))
    });
    exceptions.truncate(3);
    ExecutiveSummary {
        orgs: pairs
            .iter()
            .map(|(this, last)| OrgComparison {
                org_id: this.org_id.clone(),
                org_name: this.org_name.clone(),
                this_week: this.kpis.clone(),
                last_week: last.kpis.clone(),
            })
            .collect(),
        exceptions,
    }
}

/// The headline figure a report's subject carries.
pub fn headline(perspective: Perspective, week: &OrgWeek) -> String {
    match perspective {
        Perspective::Operations => {
            let on_time = week
                .operations
                .on_time_percent
                .map_or("no departures".into(), |p| format!("{p}% on time"));
            format!("{} events, {on_time}", week.operations.events)
        }
        Perspective::Safety => match week.safety.misses.len() {
            0 => "no safety-critical task missed".into(),
            1 => "1 safety-critical task missed or late".into(),
            n => format!("{n} safety-critical tasks missed or late"),
        },
        Perspective::Crew => {
            let hours: f64 = week.crew.members.iter().map(|m| m.hours_on_duty).sum();
            format!(
                "{} people, {} hours on duty",
                week.crew.members.len(),
                round1(hours)
            )
        }
        Perspective::Finance => format!("{} revenue", dollars(week.finance.revenue_cents)),
        Perspective::ExecutiveSummary => summary_headline(
            week.kpis.events,
            week.kpis.revenue_cents,
            week.kpis.safety_misses,
        ),
    }
}

/// `5 events, $13,519 revenue, 1 safety miss`: the executive summary's and the roll-up's subject.
pub fn summary_headline(events: usize, revenue_cents: i64, safety_misses: usize) -> String {
    let count =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    format!(
        "{}, {} revenue, {}",
        count(events, "event", "events"),
        dollars(revenue_cents),
        count(safety_misses, "safety miss", "safety misses")
    )
}

/// `$12,345` (whole dollars, rounded).
pub fn dollars(cents: i64) -> String {
    let whole = (cents as f64 / 100.0).round() as i64;
    let digits = whole.abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    format!("{}${out}", if whole < 0 { "-" } else { "" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_parse_and_span_the_clock_changes() {
        let la = chrono_tz::America::Los_Angeles;
        let w = Week::parse("2026-W47").expect("valid");
        assert_eq!(w.to_string(), "2026-W47");
        assert_eq!(w.monday().to_string(), "2026-11-16");
        assert_eq!(w.hours(la), 168.0);
        // Spring forward (2026-03-08 is in W10) and fall back (2026-11-01 is in W44).
        assert_eq!(Week::parse("2026-W10").expect("valid").hours(la), 167.0);
        assert_eq!(Week::parse("2026-W44").expect("valid").hours(la), 169.0);
        for bad in ["2026-W54", "2026-47", "2026-W7", "W47", "3026-W01", ""] {
            assert!(Week::parse(bad).is_none(), "{bad}");
        }
        assert_eq!(
            Week::parse("2026-W01")
                .expect("valid")
                .previous()
                .to_string(),
            "2025-W52"
        );
        let monday_morning = "2026-11-23T15:00:00Z"
            .parse::<DateTime<Utc>>()
            .expect("time");
        assert_eq!(
            Week::last_complete(monday_morning, la).to_string(),
            "2026-W47"
        );
    }

    #[test]
    fn dollars_format() {
        assert_eq!(dollars(0), "$0");
        assert_eq!(dollars(123_456_789), "$1,234,568");
        assert_eq!(dollars(99_900), "$999");
        assert_eq!(dollars(-250_000), "-$2,500");
    }
}
