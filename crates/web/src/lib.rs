//! HTTP plumbing shared by the `api` and `magic-link` routers.
//!
//! - [`Problem`]: the one error type; every failure answers RFC 9457 `application/problem+json`.
//! - [`Json`]: the body extractor whose rejections (wrong content type, malformed or unknown
//!   fields, too large) are problems too.
//! - [`layers`]: request ids, the 64 KiB body limit, security headers and the access log every
//!   router gets.
//! - [`init_tracing`]: JSON logs for Lambda and the local server.
//! - [`require_origin`]: the Lambdas' first check, that a request came through CloudFront (the
//!   secret [`ORIGIN_VERIFY_HEADER`]); the local server does not use it.
//!
//! Invariant: nothing here logs a request body, an `Authorization` header, an email address or
//! the origin secret.

mod client_ip;
mod json;
mod layers;
mod origin;
mod problem;

pub use client_ip::ClientIp;
pub use json::Json;
pub use layers::{BODY_LIMIT, RequestId, init_tracing, layers, record_org};
pub use origin::{
    LoadFuture, ORIGIN_VERIFY_HEADER, OriginCheck, OriginSecretError, OriginSecretSource,
    OriginSecrets, RELOAD_INTERVAL, require_origin,
};
pub use problem::{Problem, ProblemBody};
