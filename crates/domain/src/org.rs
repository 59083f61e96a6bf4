//! Tenants: an org, its home port, and the scope every store call is made in.

use crate::email::Email;
use crate::error::ValidationErrors;
use crate::ids::OrgId;
use crate::kinds::EventKind;
use crate::role::Role;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The org a request or job acts in. Store ports take `&OrgScope`, never a bare id from input, so a
/// handler can only reach the org its verified token names.
///
/// Only two places construct one: the auth crate, from a verified token, and background jobs (nudge,
/// report, seeding), from their trusted trigger. Both call [`OrgScope::trusted`]; grep for it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OrgScope {
    org: OrgId,
}

impl OrgScope {
    /// Builds a scope for `org`. Call only with an org taken from a verified token or a trusted
    /// trigger (a Scheduler input the platform wrote, a seed), never from request input.
    pub fn trusted(org: OrgId) -> Self {
        Self { org }
    }

    pub fn org(&self) -> &OrgId {
        &self.org
    }
}

/// Where an org's boats leave from; sunset and civil dusk are computed here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HomePort {
    pub name: String,
    pub latitude: f64,
    pub longitude: f64,
}

impl HomePort {
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 80 {
            errors.push(
                "name",
                "length",
                "the home port's name is 1 to 80 characters",
            );
        }
        if !(-90.0..=90.0).contains(&self.latitude) || self.latitude.is_nan() {
            errors.push("latitude", "range", "latitude is between -90 and 90");
        }
        if !(-180.0..=180.0).contains(&self.longitude) || self.longitude.is_nan() {
            errors.push("longitude", "range", "longitude is between -180 and 180");
        }
        errors.into_result(())
    }
}

/// The five views of the weekly report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Perspective {
    Operations,
    Safety,
    Crew,
    Finance,
    ExecutiveSummary,
}

impl Perspective {
    pub const ALL: [Perspective; 5] = [
        Perspective::Operations,
        Perspective::Safety,
        Perspective::Crew,
        Perspective::Finance,
        Perspective::ExecutiveSummary,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Perspective::Operations => "operations",
            Perspective::Safety => "safety",
            Perspective::Crew => "crew",
            Perspective::Finance => "finance",
            Perspective::ExecutiveSummary => "executive_summary",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == raw)
    }

    pub fn title(self) -> &'static str {
        match self {
            Perspective::Operations => "Operations",
            Perspective::Safety => "Safety",
            Perspective::Crew => "Crew",
            Perspective::Finance => "Finance",
            Perspective::ExecutiveSummary => "Executive summary",
        }
    }
}

/// A tenant: one of the businesses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Org {
    pub id: OrgId,
    pub name: String,
    /// IANA zone, e.g. `America/Los_Angeles`; every local date and time of the org is in it.
    pub zone: Tz,
    pub home_port: HomePort,
    pub enabled_kinds: Vec<EventKind>,
    /// Who gets which weekly report.
    #[serde(default)]
    pub report_recipients: BTreeMap<Perspective, Vec<Email>>,
    pub created_at: DateTime<Utc>,
    /// Who ashore holds the float plans and whom they call if a boat is overdue.
    #[serde(default)]
    pub safety: SafetySettings,
    /// Bumped by every settings write; a write names the version it was made on, so two admins
    /// (or an admin and the operator's `apply`) cannot overwrite each other unseen. Orgs stored
    /// before versions existed read as [`Org::FIRST_VERSION`].
    #[serde(default = "Org::first_version")]
    pub version: u64,
}

pub const MAX_RECIPIENTS_PER_PERSPECTIVE: usize = 20;
pub const MAX_SHORE_CONTACTS: usize = 10;
/// How late past its return an underway event is overdue, unless the org says otherwise.
pub const DEFAULT_OVERDUE_GRACE_MINUTES: u32 = 30;

/// A person ashore who receives the float plans (and the overdue alerts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShoreContact {
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = "email"))]
    pub email: Email,
    /// A phone number they answer, as written (`+1 619 555 0100`).
    pub phone: String,
}

/// Whom a shore contact calls when a boat is overdue: the Coast Guard sector of the home port.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CoastGuard {
    /// `Coast Guard Sector San Diego`.
    pub name: String,
    pub phone: String,
}

/// The org's safety ashore: float plan recipients, whom to call, and how late is overdue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SafetySettings {
    #[serde(default)]
    pub shore_contacts: Vec<ShoreContact>,
    #[serde(default)]
    pub coast_guard: CoastGuard,
    /// Minutes past the expected return before an underway event is overdue (1 to 720).
    #[serde(default = "SafetySettings::default_grace")]
    pub overdue_grace_minutes: u32,
}

impl Default for SafetySettings {
    fn default() -> Self {
        Self {
            shore_contacts: Vec::new(),
            coast_guard: CoastGuard::default(),
            overdue_grace_minutes: DEFAULT_OVERDUE_GRACE_MINUTES,
        }
    }
}

fn phone_ok(raw: &str) -> bool {
    let digits = raw.chars().filter(char::is_ascii_digit).count();
    (3..=20).contains(&digits)
        && raw.chars().count() <= 30
        && raw
            .chars()
            .all(|c| c.is_ascii_digit() || " +-().x".contains(c))
}

impl ShoreContact {
    /// Checks a contact's name and phone (the email is an [`Email`] already), as contact `i`.
    pub fn check(errors: &mut ValidationErrors, i: usize, name: &str, phone: &str) {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 80 || name.chars().any(char::is_control) {
            errors.push(
                format!("safety/shore_contacts/{i}/name"),
                "length",
                "a shore contact's name is 1 to 80 characters",
            );
        }
        if !phone_ok(phone.trim()) {
            errors.push(
                format!("safety/shore_contacts/{i}/phone"),
                "format",
                "a phone number is digits, spaces and + - ( ) only",
            );
        }
    }
}

impl SafetySettings {
    /// How late past its return an underway event is overdue.
    pub fn overdue_grace(&self) -> chrono::Duration {
        chrono::Duration::minutes(i64::from(self.overdue_grace_minutes))
    }

    fn default_grace() -> u32 {
        DEFAULT_OVERDUE_GRACE_MINUTES
    }

    /// Trims and checks every field; errors are named under `safety/`.
    pub fn validate(mut self) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        if self.shore_contacts.len() > MAX_SHORE_CONTACTS {
            errors.push(
                "safety/shore_contacts",
                "too_many",
                format!("at most {MAX_SHORE_CONTACTS} shore contacts"),
            );
        }
        for (i, c) in self.shore_contacts.iter_mut().enumerate() {
            c.name = c.name.trim().to_string();
            c.phone = c.phone.trim().to_string();
            ShoreContact::check(&mut errors, i, &c.name, &c.phone);
        }
        let cg = &mut self.coast_guard;
        cg.name = cg.name.trim().to_string();
        cg.phone = cg.phone.trim().to_string();
        if cg.name.chars().count() > 80 || cg.name.chars().any(char::is_control) {
            errors.push(
                "safety/coast_guard/name",
                "length",
                "the Coast Guard sector's name is at most 80 characters",
            );
        }
        if !cg.phone.is_empty() && !phone_ok(&cg.phone) {
            errors.push(
                "safety/coast_guard/phone",
                "format",
                "a phone number is digits, spaces and + - ( ) only",
            );
        }
        if !(1..=720).contains(&self.overdue_grace_minutes) {
            errors.push(
                "safety/overdue_grace_minutes",
                "range",
                "the grace period is 1 to 720 minutes",
            );
        }
        errors.into_result(self)
    }
}

impl Org {
    /// The version of a new org, and of an org stored before orgs had versions.
    pub const FIRST_VERSION: u64 = 1;

    fn first_version() -> u64 {
        Self::FIRST_VERSION
    }

    /// A strong validator for conditional requests on the settings: `"<org id>-<version>"`.
    pub fn etag(&self) -> String {
        format!("\"{}-{}\"", self.id, self.version)
    }

    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 80 {
            errors.push("name", "length", "an org's name is 1 to 80 characters");
        }
        if self.version < Self::FIRST_VERSION {
            errors.push("version", "range", "an org's version starts at 1");
        }
        errors.absorb("home_port", self.home_port.validate());
        if self.enabled_kinds.is_empty() {
            errors.push(
                "enabled_kinds",
                "required",
                "enable at least one event kind",
            );
        }
        if let Err(e) = self.safety.clone().validate() {
            errors.0.extend(e.0);
        }
        for (perspective, list) in &self.report_recipients {
            if list.len() > MAX_RECIPIENTS_PER_PERSPECTIVE {
                errors.push(
                    format!("report_recipients/{}", perspective.as_str()),
                    "too_many",
                    format!("at most {MAX_RECIPIENTS_PER_PERSPECTIVE} recipients per report"),
                );
            }
        }
        errors.into_result(())
    }

    pub fn kind_enabled(&self, kind: EventKind) -> bool {
        self.enabled_kinds.contains(&kind)
    }
}

/// Someone's place in an org.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub email: Email,
    pub name: String,
    pub role: Role,
    pub added_at: DateTime<Utc>,
    /// Tokens issued before this moment are refused (to the millisecond, as tokens say when they
    /// were issued): set by logout-everywhere and by a role change, in the same write
    /// as the change. Every authenticated request reads the member record, so the stamp, a
    /// removal and a role change take effect at once on every instance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sessions_valid_from: Option<DateTime<Utc>>,
}

impl Member {
    /// True if a token issued at `issued_at` (its `iat`) may still be used.
    pub fn accepts_token_issued_at(&self, issued_at: DateTime<Utc>) -> bool {
        self.sessions_valid_from
            .is_none_or(|from| issued_at >= from)
    }

    /// The stamp that refuses every token issued up to and including `now`'s millisecond.
    pub fn revocation_stamp(now: DateTime<Utc>) -> DateTime<Utc> {
        let ms = now.timestamp_millis() + 1;
        DateTime::from_timestamp_millis(ms).unwrap_or(now)
    }

    pub fn validate_name(name: &str) -> Result<String, ValidationErrors> {
        let name = name.trim();
        if name.chars().count() > 80 || name.chars().any(char::is_control) {
            return Err(ValidationErrors::single(
                "",
                "length",
                "a name is at most 80 characters, without control characters",
            ));
        }
        Ok(name.to_string())
    }
}

/// One line of "which orgs is this email a member of".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Membership {
    pub org_id: OrgId,
    pub org_name: String,
    pub role: Role,
}

pub fn parse_zone(raw: &str) -> Result<Tz, ValidationErrors> {
    raw.parse::<Tz>()
        .map_err(|_| ValidationErrors::single("", "invalid_zone", "not an IANA time zone name"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn home_port_ranges() {
        let mut port = HomePort {
            name: "San Diego".into(),
            latitude: 32.7157,
            longitude: -117.1611,
        };
        assert!(port.validate().is_ok());
        port.latitude = 91.0;
        port.longitude = f64::NAN;
        port.name = " ".into();
        let errors = port.validate().expect_err("invalid");
        let fields: Vec<_> = errors.fields().collect();
        assert_eq!(fields, ["name", "latitude", "longitude"]);
    }

    #[test]
    fn zones_parse() {
        assert!(parse_zone("America/Los_Angeles").is_ok());
        assert!(parse_zone("Mars/Olympus").is_err());
    }

    #[test]
    fn an_org_stored_before_versions_reads_as_version_one() {
        let stored = serde_json::json!({
            "id": "jada",
            "name": "JADA",
            "zone": "America/Los_Angeles",
            "home_port": {"name": "San Diego", "latitude": 32.7157, "longitude": -117.1611},
            "enabled_kinds": ["charter"],
            "created_at": "2026-07-01T16:00:00Z"
        });
        let org: Org = serde_json::from_value(stored).expect("an unversioned org still reads");
        assert_eq!(org.version, Org::FIRST_VERSION);
        assert_eq!(org.etag(), "\"jada-1\"");
        assert!(org.validate().is_ok());
    }

    #[test]
    fn perspectives_round_trip() {
        for p in Perspective::ALL {
            assert_eq!(Perspective::parse(p.as_str()), Some(p));
        }
    }
}
