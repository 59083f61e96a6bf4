//! Authentication: magic-link secrets and their keyed hashes, HS256 session tokens with key
//! rotation and an allowlist, and the [`Session`] extractor.
//!
//! Invariants: no plaintext link token or code is stored or logged (only
//! HMAC-SHA256(pepper, email ‖ secret)); every authentication failure is the same 401; a
//! [`Session`] exists only after the token's signature, claims, expiry and allowlist entry were
//! checked, and it carries the only `OrgScope` a request handler can get.

mod extract;
pub mod hs256;
pub mod secrets;
pub mod service;
pub mod token;
pub mod unsubscribe;

pub use secrets::Pepper;
pub use service::{
    ALLOWLIST_CACHE_SECS, Auth, AuthError, AuthPorts, Grant, MembershipView, OrgRef, Proof,
    Session, SigninReason,
};
pub use token::{Claims, KeyRing, SigningKey, TokenService};
