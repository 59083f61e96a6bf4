//! The portfolio file (`config/portfolio.toml`): the orgs the platform runs and the first people
//! who can sign in to each, parsed through the domain's own types and validators, and the plan
//! that makes a store match it.
//!
//! Pure: parsing takes the file's text, planning takes what the store holds now. The operator
//! binary (crates/operator) does the reading and writing; the local seed starts from the same file.

use crate::email::Email;
use crate::error::ValidationErrors;
use crate::ids::OrgId;
use crate::kinds::EventKind;
use crate::org::{HomePort, Member, Org, Perspective, parse_zone};
use crate::role::Role;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::ops::Range;
use toml::Spanned;

/// One org as the file wants it.
#[derive(Debug, Clone, PartialEq)]
pub struct PortfolioOrg {
    pub id: OrgId,
    pub name: String,
    pub zone: Tz,
    pub home_port: HomePort,
    pub enabled_kinds: Vec<EventKind>,
    pub report_recipients: BTreeMap<Perspective, Vec<Email>>,
    pub members: Vec<PortfolioMember>,
}

/// One of an org's first people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortfolioMember {
    pub email: Email,
    pub name: String,
    pub role: Role,
}

/// The whole file, valid: every value went through the domain's types and validators.
#[derive(Debug, Clone, PartialEq)]
pub struct Portfolio {
    pub orgs: Vec<PortfolioOrg>,
}

/// One thing wrong with the file, where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line of the offending value (or of its table).
    pub line: usize,
    /// e.g. `org[jada].member[0].email`.
    pub field: String,
    pub message: String,
}

/// A refused file: every problem found, so one edit can fix them all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct PortfolioError {
    pub file: String,
    pub problems: Vec<Problem>,
}

impl fmt::Display for PortfolioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.problems.len();
        writeln!(
            f,
            "{} is refused ({n} problem{}); nothing was written:",
            self.file,
            if n == 1 { "" } else { "s" }
        )?;
        for p in &self.problems {
            writeln!(f, "  {}:{}: {}: {}", self.file, p.line, p.field, p.message)?;
        }
        Ok(())
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    org: Vec<Spanned<RawOrg>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOrg {
    id: Spanned<String>,
    name: Spanned<String>,
    zone: Spanned<String>,
    enabled_kinds: Spanned<Vec<Spanned<String>>>,
    home_port: Spanned<RawPort>,
    #[serde(default)]
    report_recipients: BTreeMap<String, Spanned<Vec<Spanned<String>>>>,
    #[serde(default)]
    member: Vec<Spanned<RawMember>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPort {
    name: Spanned<String>,
    latitude: Spanned<f64>,
    longitude: Spanned<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMember {
    email: Spanned<String>,
    name: Spanned<String>,
    role: Spanned<String>,
}

/// Collects problems with their lines while the file is read.
struct Findings<'a> {
    text: &'a str,
    problems: Vec<Problem>,
}

impl Findings<'_> {
    fn line(&self, span: &Range<usize>) -> usize {
        let end = span.start.min(self.text.len());
        self.text.as_bytes()[..end]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1
    }

    fn push(&mut self, span: &Range<usize>, field: impl Into<String>, message: impl Into<String>) {
        let line = self.line(span);
        self.problems.push(Problem {
            line,
            field: field.into(),
            message: message.into(),
        });
    }

    /// Records a domain parser's errors at `span`, under `field`.
    fn absorb<T>(
        &mut self,
        span: &Range<usize>,
        field: &str,
        result: Result<T, ValidationErrors>,
    ) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(errors) => {
                for e in errors.0 {
                    self.push(span, field, e.message);
                }
                None
            }
        }
    }
}

impl Portfolio {
    /// Parses and validates the whole file; `file` names it in errors. Either every value is valid
    /// or nothing is returned.
    pub fn parse(text: &str, file: &str) -> Result<Self, PortfolioError> {
        let refuse = |problems| PortfolioError {
            file: file.to_string(),
            problems,
        };
        let mut found = Findings {
            text,
            problems: Vec::new(),
        };
        let raw: RawFile = match toml::from_str(text) {
            Ok(raw) => raw,
            Err(e) => {
                let span = e.span().unwrap_or(0..0);
                found.push(&span, "(file)", e.message().trim().to_string());
                return Err(refuse(found.problems));
            }
        };
        if raw.org.is_empty() {
            found.push(&(0..0), "org", "the file names no org ([[org]] tables)");
        }
        let mut orgs: Vec<PortfolioOrg> = Vec::new();
        for (i, raw_org) in raw.org.iter().enumerate() {
            let span = raw_org.span();
            let raw_org = raw_org.get_ref();
            let label = match OrgId::parse(raw_org.id.get_ref()) {
                Ok(id) => format!("org[{id}]"),
                Err(_) => format!("org[{i}]"),
            };
            if let Some(org) = parse_org(&mut found, &label, raw_org) {
                if orgs.iter().any(|o| o.id == org.id) {
                    found.push(&span, &label, "this org id appears twice in the file");
                    continue;
                }
                orgs.push(org);
            }
        }
        if found.problems.is_empty() {
            Ok(Self { orgs })
        } else {
            found.problems.sort_by_key(|p| p.line);
            Err(refuse(found.problems))
        }
    }

    pub fn org(&self, id: &OrgId) -> Option<&PortfolioOrg> {
        self.orgs.iter().find(|o| &o.id == id)
    }
}

fn parse_org(found: &mut Findings<'_>, label: &str, raw: &RawOrg) -> Option<PortfolioOrg> {
    let before = found.problems.len();
    let id = found.absorb(
        &raw.id.span(),
        &format!("{label}.id"),
        OrgId::parse(raw.id.get_ref()),
    );
    let zone = found.absorb(
        &raw.zone.span(),
        &format!("{label}.zone"),
        parse_zone(raw.zone.get_ref()),
    );
    let mut kinds = Vec::new();
    for kind in raw.enabled_kinds.get_ref() {
        let field = format!("{label}.enabled_kinds");
        if let Some(k) = found.absorb(&kind.span(), &field, EventKind::parse(kind.get_ref())) {
            if kinds.contains(&k) {
                found.push(&kind.span(), field, format!("{k} is listed twice"));
            } else {
                kinds.push(k);
            }
        }
    }
    let mut recipients = BTreeMap::new();
    for (key, list) in &raw.report_recipients {
        let field = format!("{label}.report_recipients.{key}");
        let Some(perspective) = Perspective::parse(key) else {
            let known: Vec<&str> = Perspective::ALL.iter().map(|p| p.as_str()).collect();
            found.push(
                &list.span(),
                field,
                format!("not a report perspective (one of {})", known.join(", ")),
            );
            continue;
        };
        let mut emails: Vec<Email> = Vec::new();
        for raw_email in list.get_ref() {
            if let Some(email) =
                found.absorb(&raw_email.span(), &field, Email::parse(raw_email.get_ref()))
            {
                if emails.contains(&email) {
                    found.push(&raw_email.span(), &field, "this address is listed twice");
                } else {
                    emails.push(email);
                }
            }
        }
        recipients.insert(perspective, emails);
    }
    let port = raw.home_port.get_ref();
    let home_port = HomePort {
        name: port.name.get_ref().trim().to_string(),
        latitude: *port.latitude.get_ref(),
        longitude: *port.longitude.get_ref(),
    };
    let members = parse_members(found, label, raw);

    // The rules the API applies to an org, reported at the value they are about.
    let (Some(id), Some(zone)) = (id, zone) else {
        return None;
    };
    let org = Org {
        id: id.clone(),
        name: raw.name.get_ref().trim().to_string(),
        zone,
        home_port,
        enabled_kinds: kinds,
        report_recipients: recipients,
        created_at: DateTime::<Utc>::UNIX_EPOCH,
        safety: Default::default(),
        version: Org::FIRST_VERSION,
    };
    if let Err(errors) = org.validate() {
        for e in errors.0 {
            let span = match e.field.as_str() {
                "name" => raw.name.span(),
                "enabled_kinds" => raw.enabled_kinds.span(),
                "home_port/name" => port.name.span(),
                "home_port/latitude" => port.latitude.span(),
                "home_port/longitude" => port.longitude.span(),
                other => other
                    .strip_prefix("report_recipients/")
                    .and_then(|key| raw.report_recipients.get(key))
                    .map(|list| list.span())
                    .unwrap_or_else(|| raw.home_port.span()),
            };
            let field = format!("{label}.{}", e.field.replace('/', "."));
            found.push(&span, field, e.message);
        }
    }
    if found.problems.len() > before {
        return None;
    }
    Some(PortfolioOrg {
        id,
        name: org.name,
        zone,
        home_port: org.home_port,
        enabled_kinds: org.enabled_kinds,
        report_recipients: org.report_recipients,
        members,
    })
}

fn parse_members(found: &mut Findings<'_>, label: &str, raw: &RawOrg) -> Vec<PortfolioMember> {
    let mut members: Vec<PortfolioMember> = Vec::new();
    for (j, raw_member) in raw.member.iter().enumerate() {
        let m = raw_member.get_ref();
        let field = |name: &str| format!("{label}.member[{j}].{name}");
        let email = found.absorb(
            &m.email.span(),
            &field("email"),
            Email::parse(m.email.get_ref()),
        );
        let name = found.absorb(
            &m.name.span(),
            &field("name"),
            Member::validate_name(m.name.get_ref()),
        );
        let role = match m.role.get_ref().parse::<Role>() {
            Ok(role) => Some(role),
            Err(e) => {
                found.push(&m.role.span(), field("role"), e.to_string());
                None
            }
        };
        let (Some(email), Some(name), Some(role)) = (email, name, role) else {
            continue;
        };
        if members.iter().any(|p| p.email == email) {
            found.push(
                &m.email.span(),
                field("email"),
                "this person is listed twice in this org",
            );
            continue;
        }
        members.push(PortfolioMember { email, name, role });
    }
    let admins = raw
        .member
        .iter()
        .filter(|m| m.get_ref().role.get_ref() == Role::Admin.as_str())
        .count();
    if admins == 0 {
        found.push(
            &raw.id.span(),
            format!("{label}.member"),
            "every org needs at least one admin ([[org.member]] with role = \"admin\")",
        );
    }
    members
}

impl PortfolioOrg {
    /// The org record to create, stamped `now`.
    pub fn to_org(&self, created_at: DateTime<Utc>) -> Org {
        Org {
            id: self.id.clone(),
            name: self.name.clone(),
            zone: self.zone,
            home_port: self.home_port.clone(),
            enabled_kinds: self.enabled_kinds.clone(),
            report_recipients: self.report_recipients.clone(),
            created_at,
            safety: Default::default(),
            version: Org::FIRST_VERSION,
        }
    }

    /// The settings that differ from `stored`, by name.
    pub fn differences(&self, stored: &Org) -> Vec<&'static str> {
        let mut fields = Vec::new();
        if self.name != stored.name {
            fields.push("name");
        }
        if self.zone != stored.zone {
            fields.push("zone");
        }
        if self.home_port != stored.home_port {
            fields.push("home_port");
        }
        if self.enabled_kinds != stored.enabled_kinds {
            fields.push("enabled_kinds");
        }
        if self.report_recipients != stored.report_recipients {
            fields.push("report_recipients");
        }
        fields
    }
}

/// What a store holds of one org now.
#[derive(Debug, Clone, PartialEq)]
pub struct Stored {
    pub org: Org,
    pub members: Vec<Member>,
}

/// One write that brings the store closer to the file.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    CreateOrg(Org),
    /// The new settings (keeping the stored creation time), and which fields differ. `org.version`
    /// is the version the plan read: `apply` writes only if the org is still at it, so an admin's
    /// edit made between plan and apply is not overwritten unseen (the apply stops; plan again).
    UpdateOrg {
        org: Org,
        fields: Vec<&'static str>,
    },
    AddMember {
        org: OrgId,
        org_name: String,
        member: Member,
    },
    /// Sets role and name; a role change also signs the person out of that org.
    UpdateMember {
        org: OrgId,
        email: Email,
        from: Role,
        role: Role,
        name: String,
    },
    /// Only with `--prune`; also signs the person out of that org.
    RemoveMember {
        org: OrgId,
        email: Email,
        role: Role,
    },
}

impl Change {
    pub fn org(&self) -> &OrgId {
        match self {
            Change::CreateOrg(org) | Change::UpdateOrg { org, .. } => &org.id,
            Change::AddMember { org, .. }
            | Change::UpdateMember { org, .. }
            | Change::RemoveMember { org, .. } => org,
        }
    }
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Change::CreateOrg(org) => {
                let kinds: Vec<&str> = org.enabled_kinds.iter().map(|k| k.as_str()).collect();
                write!(
                    f,
                    "+ org {} \"{}\" ({}, {}, runs {})",
                    org.id,
                    org.name,
                    org.zone.name(),
                    org.home_port.name,
                    kinds.join(", ")
                )
            }
            Change::UpdateOrg { org, fields } => {
                write!(f, "~ org {}: {} change", org.id, fields.join(", "))
            }
            Change::AddMember { org, member, .. } => write!(
                f,
                "+ member {org} {} as {} (\"{}\")",
                member.email, member.role, member.name
            ),
            Change::UpdateMember {
                org,
                email,
                from,
                role,
                name,
            } => {
                if from == role {
                    write!(f, "~ member {org} {email}: name -> \"{name}\"")
                } else {
                    write!(
                        f,
                        "~ member {org} {email}: role {from} -> {role} (signs them out of {org})"
                    )
                }
            }
            Change::RemoveMember { org, email, role } => {
                write!(
                    f,
                    "- member {org} {email} ({role}; signs them out of {org})"
                )
            }
        }
    }
}

/// Everything `apply` would do, and what it leaves alone on purpose.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Plan {
    pub changes: Vec<Change>,
    /// Things in the store the file does not name, kept (orgs always; members unless `prune`).
    pub kept: Vec<String>,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// `2 to add, 1 to change, 0 to remove`.
    pub fn summary(&self) -> String {
        let count = |f: fn(&Change) -> bool| self.changes.iter().filter(|c| f(c)).count();
        let add = count(|c| matches!(c, Change::CreateOrg(_) | Change::AddMember { .. }));
        let change = count(|c| matches!(c, Change::UpdateOrg { .. } | Change::UpdateMember { .. }));
        let remove = count(|c| matches!(c, Change::RemoveMember { .. }));
        format!("{add} to add, {change} to change, {remove} to remove")
    }
}

/// What makes the store match the file. `stored` holds the file's orgs that exist in the store
/// (absent ones are created); `other_orgs` are orgs in the store the file does not name. Members
/// the file does not name are removed only when `prune` is set; orgs are never deleted.
pub fn plan(
    portfolio: &Portfolio,
    stored: &BTreeMap<OrgId, Stored>,
    other_orgs: &BTreeSet<OrgId>,
    prune: bool,
    now: DateTime<Utc>,
) -> Plan {
    let mut out = Plan::default();
    for wanted in &portfolio.orgs {
        let current = stored.get(&wanted.id);
        match current {
            None => out.changes.push(Change::CreateOrg(wanted.to_org(now))),
            Some(s) => {
                let fields = wanted.differences(&s.org);
                if !fields.is_empty() {
                    let mut org = wanted.to_org(s.org.created_at);
                    org.version = s.org.version;
                    out.changes.push(Change::UpdateOrg { org, fields });
                }
            }
        }
        let members = current.map(|s| s.members.as_slice()).unwrap_or_default();
        for person in &wanted.members {
            match members.iter().find(|m| m.email == person.email) {
                None => out.changes.push(Change::AddMember {
                    org: wanted.id.clone(),
                    org_name: wanted.name.clone(),
                    member: Member {
                        email: person.email.clone(),
                        name: person.name.clone(),
                        role: person.role,
                        added_at: now,
                        sessions_valid_from: None,
                    },
                }),
                Some(m) if m.role != person.role || m.name != person.name => {
                    out.changes.push(Change::UpdateMember {
                        org: wanted.id.clone(),
                        email: person.email.clone(),
                        from: m.role,
                        role: person.role,
                        name: person.name.clone(),
                    });
                }
                Some(_) => {}
            }
        }
        let unnamed: Vec<&Member> = members
            .iter()
            .filter(|m| !wanted.members.iter().any(|p| p.email == m.email))
            .collect();
        if prune {
            out.changes
                .extend(unnamed.into_iter().map(|m| Change::RemoveMember {
                    org: wanted.id.clone(),
                    email: m.email.clone(),
                    role: m.role,
                }));
        } else if !unnamed.is_empty() {
            out.kept.push(format!(
                "{} has {} member{} the file does not name (kept; --prune removes them)",
                wanted.id,
                unnamed.len(),
                if unnamed.len() == 1 { "" } else { "s" }
            ));
        }
    }
    for other in other_orgs {
        out.kept.push(format!(
            "org {other} is in the store but not in the file (kept: orgs are never deleted here)"
        ));
    }
    out
}
