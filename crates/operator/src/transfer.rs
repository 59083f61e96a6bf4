//! One org as JSON lines, for a backup or a move to another stage: a header, the org, its
//! members, its vessels, its events (each with its checklist states, audit trail and nudge records) and its
//! report unsubscribes. Import reads the whole file and validates every line before it writes
//! anything; writing is idempotent (what already exists is kept), so a re-run after a failure
//! completes the move.
//!
//! Not exported: sessions and sign-in codes (bound to the source stage's keys, and short-lived),
//! and the weekly reports' send records (a report re-run in the target stage for a past week could
//! mail again; the weekly run only ever sends the week just ended).

use chrono::{DateTime, TimeZone, Utc};
use domain::event::Event;
use domain::org::{Member, Org, OrgScope, Perspective};
use domain::ports::{PageRequest, ReportAudience, Store, StoreError};
use domain::vessel::Vessel;
use domain::{Email, OrgId};
use serde::{Deserialize, Serialize};
use std::io::{BufRead, Write};

/// The format version in the header; import refuses others.
pub const FORMAT: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Record {
    Header {
        format: u32,
        org: OrgId,
        exported_at: DateTime<Utc>,
    },
    Org(Org),
    Member(Member),
    Vessel(Box<Vessel>),
    Event(Box<Event>),
    Unsubscribe {
        perspective: Perspective,
        email: Email,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{file} is refused ({} problem{}); nothing was written:\n{}", .problems.len(), if .problems.len() == 1 { "" } else { "s" }, render(.file, .problems))]
    Invalid {
        file: String,
        problems: Vec<(usize, String)>,
    },
    #[error("cannot read {file}: {source}")]
    Read {
        file: String,
        source: std::io::Error,
    },
}

fn render(file: &str, problems: &[(usize, String)]) -> String {
    problems
        .iter()
        .map(|(line, why)| format!("  {file}:{line}: {why}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Counts of an export or an import.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub members: usize,
    pub vessels: usize,
    pub events: usize,
    pub unsubscribes: usize,
    /// Import only: records that were already in the target and were kept as they are.
    pub already_there: usize,
    /// Import only: whether the org record was created (false: it existed and was kept).
    pub org_created: bool,
}

/// Writes every record of `org` to `out`, one JSON object per line.
pub async fn export<S: Store + ?Sized, W: Write>(
    store: &S,
    org: &OrgId,
    now: DateTime<Utc>,
    out: &mut W,
) -> Result<Counts, ExportError> {
    let scope = OrgScope::trusted(org.clone());
    let mut counts = Counts::default();
    let settings = store.get_org(&scope).await?;
    line(
        out,
        &Record::Header {
            format: FORMAT,
            org: org.clone(),
            exported_at: now,
        },
    )?;
    line(out, &Record::Org(settings))?;
    for member in store.list_members(&scope).await? {
        line(out, &Record::Member(member))?;
        counts.members += 1;
    }
    for vessel in store.list_vessels(&scope).await? {
        line(out, &Record::Vessel(Box::new(vessel)))?;
        counts.vessels += 1;
    }
    // Departures are kept between the years 2000 and 2100 (domain::event::parse_instant).
    let (from, to) = (
        Utc.with_ymd_and_hms(2000, 1, 1, 0, 0, 0).single(),
        Utc.with_ymd_and_hms(2101, 1, 1, 0, 0, 0).single(),
    );
    let (Some(from), Some(to)) = (from, to) else {
        return Err(ExportError::Store(StoreError::Backend("date range".into())));
    };
    let mut page = PageRequest::first(100);
    loop {
        let got = store.list_events(&scope, from, to, &page).await?;
        for listed in got.items {
            // A listing leaves the history out; the export carries it whole.
            let event = store.get_event(&scope, &listed.id).await?;
            line(out, &Record::Event(Box::new(event)))?;
            counts.events += 1;
        }
        match got.next {
            Some(cursor) => page = PageRequest::new(Some(100), Some(cursor)),
            None => break,
        }
    }
    let audience = ReportAudience::Org(org.clone());
    for perspective in Perspective::ALL {
        for email in store.unsubscribed(&audience, perspective).await? {
            line(out, &Record::Unsubscribe { perspective, email })?;
            counts.unsubscribes += 1;
        }
    }
    out.flush()?;
    Ok(counts)
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("store: {0}")]
    Store(#[from] StoreError),
    #[error("cannot write the export: {0}")]
    Write(#[from] std::io::Error),
}

fn line<W: Write>(out: &mut W, record: &Record) -> Result<(), ExportError> {
    let json = serde_json::to_string(record).map_err(std::io::Error::other)?;
    writeln!(out, "{json}")?;
    Ok(())
}

/// A whole export, read and validated.
#[derive(Debug, Clone, PartialEq)]
pub struct Export {
    pub org: Org,
    pub members: Vec<Member>,
    pub vessels: Vec<Vessel>,
    pub events: Vec<Event>,
    pub unsubscribes: Vec<(Perspective, Email)>,
}

/// Reads an export and checks every line: JSON of a known record, the header first with a known
/// format, exactly one org, everything of that org, values the domain accepts. Every problem is
/// reported with its line; nothing is returned unless all are fine.
pub fn read_export<R: BufRead>(input: R, file: &str) -> Result<Export, ImportError> {
    let mut problems: Vec<(usize, String)> = Vec::new();
    let mut header: Option<OrgId> = None;
    let mut org: Option<Org> = None;
    let mut members: Vec<Member> = Vec::new();
    let mut vessels: Vec<Vessel> = Vec::new();
    let mut events: Vec<Event> = Vec::new();
    let mut unsubscribes = Vec::new();
    for (i, text) in input.lines().enumerate() {
        let n = i + 1;
        let text = text.map_err(|source| ImportError::Read {
            file: file.to_string(),
            source,
        })?;
        if text.trim().is_empty() {
            continue;
        }
        let record: Record = match serde_json::from_str(&text) {
            Ok(r) => r,
            Err(e) => {
                problems.push((n, format!("not a record of this export format: {e}")));
                continue;
            }
        };
        let current = header.clone();
        let mut problem = |why: String| problems.push((n, why));
        match (record, current.as_ref()) {
            (
                Record::Header {
                    format, org: id, ..
                },
                None,
            ) => {
                if format != FORMAT {
                    problem(format!(
                        "format {format} is not {FORMAT}, the one this version reads"
                    ));
                }
                header = Some(id);
            }
            (Record::Header { .. }, Some(_)) => problem("a second header".into()),
            (_, None) => problem("the first record must be the header".into()),
            (Record::Org(o), Some(id)) => {
                if &o.id != id {
                    problem(format!("org {} in an export of {id}", o.id));
                } else if org.is_some() {
                    problem("a second org record".into());
                } else if let Err(e) = o.validate() {
                    problem(format!("org: {e}"));
                } else {
                    org = Some(o);
                }
            }
            (Record::Member(m), Some(_)) => {
                if let Err(e) = domain::org::Member::validate_name(&m.name) {
                    problem(format!("member name: {e}"));
                } else if members.iter().any(|x| x.email == m.email) {
                    problem("this member appears twice".into());
                } else {
                    members.push(m);
                }
            }
            (Record::Vessel(v), Some(_)) => match v.fields.clone().validate() {
                Err(e) => problem(format!("vessel {}: {e}", v.id)),
                Ok(_) if vessels.iter().any(|x| x.id == v.id) => {
                    problem(format!("vessel {} appears twice", v.id))
                }
                Ok(_) => vessels.push(*v),
            },
            (Record::Event(e), Some(id)) => match check_event(&e, id) {
                Err(why) => problem(why),
                Ok(()) if events.iter().any(|x| x.id == e.id) => {
                    problem(format!("event {} appears twice", e.id))
                }
                Ok(()) => events.push(*e),
            },
            (Record::Unsubscribe { perspective, email }, Some(_)) => {
                unsubscribes.push((perspective, email))
            }
        }
    }
    if header.is_none() {
        problems.push((1, "empty: an export starts with its header".into()));
    } else if org.is_none() {
        problems.push((1, "the export has no org record".into()));
    }
    match org {
        Some(org) if problems.is_empty() => Ok(Export {
            org,
            members,
            vessels,
            events,
            unsubscribes,
        }),
        _ => Err(ImportError::Invalid {
            file: file.to_string(),
            problems,
        }),
    }
}

/// What the store relies on of a stored event: its org, a return after its departure, sane text,
/// and checklist states only for tasks its template has.
fn check_event(event: &Event, org: &OrgId) -> Result<(), String> {
    let id = &event.id;
    if &event.org_id != org {
        return Err(format!("event {id} belongs to {}", event.org_id));
    }
    if event.returns_at <= event.departs_at {
        return Err(format!("event {id}: return is not after departure"));
    }
    if event.title.trim().is_empty() || event.title.chars().count() > 200 {
        return Err(format!("event {id}: a title is 1 to 200 characters"));
    }
    if event.version == 0 {
        return Err(format!("event {id}: version starts at 1"));
    }
    let template = event.template();
    if let Some(task) = event
        .tasks
        .keys()
        .find(|t| !template.tasks.iter().any(|x| &x.id == *t))
    {
        return Err(format!(
            "event {id}: task {task} is not on the {} checklist",
            event.kind
        ));
    }
    Ok(())
}

/// Writes an export into `store`. What already exists (the org, a member, an event with the same
/// id) is kept as it is and counted; unsubscribes are idempotent.
pub async fn import<S: Store + ?Sized>(
    store: &S,
    export: &Export,
    now: DateTime<Utc>,
) -> Result<Counts, StoreError> {
    let scope = OrgScope::trusted(export.org.id.clone());
    let mut counts = Counts::default();
    match store.create_org(&export.org).await {
        Ok(()) => counts.org_created = true,
        Err(StoreError::AlreadyExists) => counts.already_there += 1,
        Err(e) => return Err(e),
    }
    for member in &export.members {
        match store.add_member(&scope, &export.org.name, member).await {
            Ok(()) => counts.members += 1,
            Err(StoreError::AlreadyExists) => counts.already_there += 1,
            Err(e) => return Err(e),
        }
    }
    // A vessel is replaced whole by its id: the same record in both stores after a re-run.
    for vessel in &export.vessels {
        store.put_vessel(&scope, vessel).await?;
        counts.vessels += 1;
    }
    for event in &export.events {
        match store.create_event(&scope, event).await {
            Ok(()) => counts.events += 1,
            Err(StoreError::AlreadyExists) => counts.already_there += 1,
            Err(e) => return Err(e),
        }
    }
    let audience = ReportAudience::Org(export.org.id.clone());
    for (perspective, email) in &export.unsubscribes {
        store
            .unsubscribe(&audience, *perspective, email, now)
            .await?;
        counts.unsubscribes += 1;
    }
    Ok(counts)
}
