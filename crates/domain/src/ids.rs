//! Identifiers that cannot hold a bad value. Each parses once at the edge; everything past the
//! edge takes the type, never a `String`.

use crate::error::ValidationErrors;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Declares a string newtype with `parse`, `as_str`, `Display` and serde through `parse`.
macro_rules! string_id {
    ($(#[$meta:meta])* $name:ident, $parse:expr) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn parse(raw: &str) -> Result<Self, ValidationErrors> {
                let check: fn(&str) -> Result<String, ValidationErrors> = $parse;
                check(raw).map(Self)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl TryFrom<String> for $name {
            type Error = ValidationErrors;
            fn try_from(raw: String) -> Result<Self, Self::Error> {
                Self::parse(&raw)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

string_id!(
    /// An org's slug, e.g. `jada`, `queen-of-san-diego`: 2 to 40 of `a-z`, `0-9` and single inner
    /// hyphens, starting with a letter. It can never start with `_`, which the store keeps for
    /// partitions that belong to no org (sign-in codes, rate limits, the org registry).
    OrgId,
    |raw| {
        let ok = (2..=40).contains(&raw.len())
            && raw.starts_with(|c: char| c.is_ascii_lowercase())
            && !raw.ends_with('-')
            && !raw.contains("--")
            && raw
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if ok {
            Ok(raw.to_string())
        } else {
            Err(ValidationErrors::single(
                "",
                "invalid_org_id",
                "an org id is 2 to 40 lower-case letters, digits and single hyphens, starting with a letter",
            ))
        }
    }
);

string_id!(
    /// An event's id: a ULID in its canonical 26-character upper-case form.
    EventId,
    |raw| match ulid::Ulid::from_string(raw) {
        Ok(id) if raw.len() == 26 => Ok(id.to_string()),
        _ => Err(ValidationErrors::single(
            "",
            "invalid_event_id",
            "an event id is a 26-character ULID",
        )),
    }
);

string_id!(
    /// A vessel's (or truck's) id: a ULID in its canonical 26-character upper-case form.
    VesselId,
    |raw| match ulid::Ulid::from_string(raw) {
        Ok(id) if raw.len() == 26 => Ok(id.to_string()),
        _ => Err(ValidationErrors::single(
            "",
            "invalid_vessel_id",
            "a vessel id is a 26-character ULID",
        )),
    }
);

string_id!(
    /// A photo's id: a ULID.
    PhotoId,
    |raw| match ulid::Ulid::from_string(raw) {
        Ok(id) if raw.len() == 26 => Ok(id.to_string()),
        _ => Err(ValidationErrors::single(
            "",
            "invalid_photo_id",
            "a photo id is a 26-character ULID",
        )),
    }
);

impl PhotoId {
    pub fn generate() -> Self {
        Self(ulid::Ulid::new().to_string())
    }
}

impl VesselId {
    pub fn generate() -> Self {
        Self(ulid::Ulid::new().to_string())
    }
}

impl EventId {
    /// A new id; ULIDs sort by creation time, which keeps listings stable.
    pub fn generate() -> Self {
        Self(ulid::Ulid::new().to_string())
    }
}

string_id!(
    /// The id a client gives one change (a task tick) so that replaying it applies it once:
    /// 8 to 64 of `A-Z a-z 0-9 _ -` (a UUID or ULID fits).
    OpId,
    |raw| {
        let ok = (8..=64).contains(&raw.len())
            && raw
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if ok {
            Ok(raw.to_string())
        } else {
            Err(ValidationErrors::single(
                "",
                "invalid_op_id",
                "an op id is 8 to 64 letters, digits, '_' or '-'",
            ))
        }
    }
);

string_id!(
    /// A checklist task's id inside its template, e.g. `float_plan`: 1 to 48 of `a-z 0-9 _`.
    TaskId,
    |raw| {
        let ok = (1..=48).contains(&raw.len())
            && raw
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if ok {
            Ok(raw.to_string())
        } else {
            Err(ValidationErrors::single(
                "",
                "invalid_task_id",
                "a task id is 1 to 48 lower-case letters, digits or '_'",
            ))
        }
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn org_ids_as_data() {
        let cases = [
            ("jada", true),
            ("queen-of-san-diego", true),
            ("q1", true),
            ("j", false),
            ("Jada", false),
            ("-jada", false),
            ("jada-", false),
            ("ja--da", false),
            ("_signin", false),
            ("1jada", false),
            ("jada#x", false),
            ("", false),
        ];
        for (raw, ok) in cases {
            assert_eq!(OrgId::parse(raw).is_ok(), ok, "{raw:?}");
        }
        assert!(OrgId::parse(&"a".repeat(41)).is_err());
    }

    #[test]
    fn event_ids_are_canonical_ulids() {
        let id = EventId::generate();
        assert_eq!(EventId::parse(id.as_str()), Ok(id.clone()));
        assert!(EventId::parse("01ARZ3NDEKTSV4RRFFQ69G5FAV").is_ok());
        assert!(EventId::parse("01arz3ndektsv4rrffq69g5fav").is_ok());
        assert!(EventId::parse("../../etc/passwd").is_err());
        assert!(EventId::parse("").is_err());
        assert!(EventId::parse("01ARZ3NDEKTSV4RRFFQ69G5FAVX").is_err());
    }

    #[test]
    fn op_and_task_ids() {
        assert!(OpId::parse("0b8f6f0e-6d1a-4c1e-9d1e-6f3f0f0f0f0f").is_ok());
        assert!(OpId::parse("short").is_err());
        assert!(OpId::parse("has space in it").is_err());
        assert!(TaskId::parse("float_plan").is_ok());
        assert!(TaskId::parse("Float").is_err());
        assert!(TaskId::parse("").is_err());
    }

    #[test]
    fn serde_goes_through_parse() {
        let bad: Result<OrgId, _> = serde_json::from_str("\"Not An Org\"");
        assert!(bad.is_err());
        let good: OrgId = serde_json::from_str("\"jada\"").expect("valid");
        assert_eq!(good.as_str(), "jada");
    }
}
