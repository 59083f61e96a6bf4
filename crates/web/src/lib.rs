//! HTTP plumbing shared by the `api` and `magic-link` routers.
//!
//! - [`Problem`]: the one error type; every failure answers RFC 9457 `application/problem+json`.
//! - [`Json`]: the body extractor whose rejections (wrong content type, malformed or unknown
//!   fields, too large) are problems too.
//! - [`layers`]: request ids, the 64 KiB body limit, security headers and the access log every
//!   router gets.
//! - [`init_tracing`]: JSON logs for Lambda and the local server.
//!
//! Invariant: nothing here logs a request body, an `Authorization` header or an email address.

mod client_ip;
mod json;
mod layers;
mod problem;

pub use client_ip::ClientIp;
pub use json::Json;
pub use layers::{BODY_LIMIT, RequestId, init_tracing, layers, record_org};
pub use problem::{Problem, ProblemBody};
