//! The shipcaptaincrew domain: what an org, a member, an event and a checklist are, the rules that
//! keep them valid, the timing panel, and the ports (traits) through which the Lambdas reach storage,
//! mail, scheduling and the clock.
//!
//! Invariant: this crate knows nothing of AWS, HTTP, Lambda or an async runtime. It computes; the
//! adapters and the Lambda crates do the I/O.

pub mod checklist;
pub mod email;
pub mod error;
pub mod event;
pub mod float_plan;
pub mod ids;
pub mod keys;
pub mod kinds;
pub mod nudge;
pub mod org;
pub mod photo;
pub mod portfolio;
pub mod ports;
pub mod report;
pub mod role;
pub mod seed;
pub mod timing;
pub mod vessel;

pub use email::Email;
pub use error::{FieldError, ValidationErrors};
pub use event::{CrewAssignment, CrewRole, Event, EventKind, EventStatus, TaskState};
pub use ids::{EventId, OpId, OrgId, TaskId};
pub use org::{HomePort, Org, OrgScope, Perspective};
pub use role::Role;
