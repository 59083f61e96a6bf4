//! What a member may do in an org.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A member's role in one org. One email may hold different roles in different orgs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Role {
    /// Deckhands and drivers: see and work the events they are on.
    Crew,
    /// Leads an event: also marks departed/returned, edits its crew and notes, signs off.
    Captain,
    /// The office: creates, edits and cancels events, manages members and org settings.
    Admin,
    /// Reads everything and receives the weekly reports; changes nothing.
    Executive,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Crew, Role::Captain, Role::Admin, Role::Executive];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Crew => "crew",
            Role::Captain => "captain",
            Role::Admin => "admin",
            Role::Executive => "executive",
        }
    }

    /// Admins and executives see every event of the org; crew and captains the ones they are on.
    pub fn sees_all_events(self) -> bool {
        matches!(self, Role::Admin | Role::Executive)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role (expected crew, captain, admin or executive)")]
pub struct UnknownRole;

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or(UnknownRole)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
            let json = serde_json::to_string(&role).expect("serialises");
            assert_eq!(json, format!("\"{}\"", role.as_str()));
        }
        assert!("owner".parse::<Role>().is_err());
        assert!("Admin".parse::<Role>().is_err());
    }
}
