//! Vessels (and trucks) as records of an org: what a searcher looks for, what the Certificate of
//! Inspection allows, how to raise them on the radio.

use crate::error::ValidationErrors;
use crate::ids::VesselId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A boat or a truck.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum VesselKind {
    Boat,
    Truck,
}

/// What an admin enters about a vessel; checked by [`VesselFields::validate`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VesselFields {
    /// 1 to 80 characters, unique in the org (case-insensitively).
    pub name: String,
    pub kind: VesselKind,
    /// State registration, USCG documentation number, or a truck's plate; up to 40 characters.
    #[serde(default)]
    pub registration: String,
    /// Length overall in feet, 1 to 1000.
    #[serde(default)]
    pub length_ft: Option<f64>,
    /// Hull colour and description: what a searcher looks for; up to 300 characters.
    #[serde(default)]
    pub description: String,
    /// The Certificate of Inspection's passenger limit, 0 to 5000.
    #[serde(default)]
    pub coi_max_passengers: Option<u32>,
    /// The smallest crew the vessel may sail with, 1 to 50.
    #[serde(default)]
    pub min_crew: Option<u32>,
    /// Radio call sign, up to 12 letters and digits.
    #[serde(default)]
    pub call_sign: String,
    /// Maritime Mobile Service Identity: exactly 9 digits.
    #[serde(default)]
    pub mmsi: String,
    /// Life jackets, raft, EPIRB, flares...: up to 500 characters.
    #[serde(default)]
    pub safety_gear: String,
}

/// A vessel as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Vessel {
    pub id: VesselId,
    #[serde(flatten)]
    pub fields: VesselFields,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn text(errors: &mut ValidationErrors, field: &str, value: &str, max: usize, what: &str) {
    if value.chars().count() > max {
        errors.push(
            field,
            "length",
            format!("{what} is at most {max} characters"),
        );
    }
    if value.chars().any(|c| c.is_control() && c != '\n') {
        errors.push(
            field,
            "control_characters",
            format!("{what} has control characters"),
        );
    }
}

impl VesselFields {
    /// Trims the text fields and checks every field, reporting all errors at once.
    pub fn validate(mut self) -> Result<Self, ValidationErrors> {
        for f in [
            &mut self.name,
            &mut self.registration,
            &mut self.description,
            &mut self.call_sign,
            &mut self.mmsi,
            &mut self.safety_gear,
        ] {
            *f = f.trim().to_string();
        }
        let mut errors = ValidationErrors::new();
        if self.name.is_empty() {
            errors.push("name", "required", "a vessel needs a name");
        }
        text(&mut errors, "name", &self.name, 80, "a name");
        text(
            &mut errors,
            "registration",
            &self.registration,
            40,
            "a registration",
        );
        text(
            &mut errors,
            "description",
            &self.description,
            300,
            "a description",
        );
        text(
            &mut errors,
            "safety_gear",
            &self.safety_gear,
            500,
            "the safety gear summary",
        );
        if let Some(len) = self.length_ft
            && !(len.is_finite() && (1.0..=1000.0).contains(&len))
        {
            errors.push("length_ft", "range", "a length is 1 to 1000 feet");
        }
        if self.coi_max_passengers.is_some_and(|n| n > 5000) {
            errors.push(
                "coi_max_passengers",
                "range",
                "a passenger limit is 0 to 5000",
            );
        }
        if self.min_crew.is_some_and(|n| !(1..=50).contains(&n)) {
            errors.push("min_crew", "range", "a minimum crew is 1 to 50");
        }
        if self.call_sign.chars().count() > 12
            || !self.call_sign.chars().all(|c| c.is_ascii_alphanumeric())
        {
            errors.push(
                "call_sign",
                "format",
                "a call sign is up to 12 letters and digits",
            );
        }
        let mmsi_ok = self.mmsi.is_empty()
            || (self.mmsi.len() == 9 && self.mmsi.bytes().all(|b| b.is_ascii_digit()));
        if !mmsi_ok {
            errors.push("mmsi", "format", "an MMSI is exactly 9 digits");
        }
        self.call_sign = self.call_sign.to_ascii_uppercase();
        errors.into_result(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn boat() -> VesselFields {
        VesselFields {
            name: "  Jada ".into(),
            kind: VesselKind::Boat,
            registration: "CF 1234 AB".into(),
            length_ft: Some(65.0),
            description: "White hull, blue stripe, two masts".into(),
            coi_max_passengers: Some(49),
            min_crew: Some(2),
            call_sign: "wdc1234".into(),
            mmsi: "367123450".into(),
            safety_gear: "49 PFDs, liferaft, EPIRB".into(),
        }
    }

    #[test]
    fn a_good_vessel_is_trimmed_and_kept() {
        let v = boat().validate().expect("valid");
        assert_eq!(v.name, "Jada");
        assert_eq!(v.call_sign, "WDC1234");
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let bad = VesselFields {
            name: " ".into(),
            length_ft: Some(f64::NAN),
            coi_max_passengers: Some(9999),
            min_crew: Some(0),
            call_sign: "WD C!".into(),
            mmsi: "12345".into(),
            description: "x".repeat(301),
            ..boat()
        };
        let errors = bad.validate().expect_err("invalid");
        let fields: Vec<String> = errors.0.iter().map(|e| e.field.clone()).collect();
        for f in [
            "name",
            "length_ft",
            "coi_max_passengers",
            "min_crew",
            "call_sign",
            "mmsi",
            "description",
        ] {
            assert!(
                fields.iter().any(|x| x == f),
                "{f} not reported: {fields:?}"
            );
        }
    }
}
