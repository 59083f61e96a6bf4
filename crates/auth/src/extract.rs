//! The one way a handler learns who is calling: the `Session` extractor. It reads
//! `Authorization: Bearer <token>`, verifies it, checks the allowlist, and yields the verified
//! org scope every store call needs.

use crate::service::{Auth, Session};
use axum::extract::{FromRef, FromRequestParts};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use std::sync::Arc;

impl<S> FromRequestParts<S> for Session
where
    Arc<Auth>: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = web::Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let auth = Arc::<Auth>::from_ref(state);
        let header = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(web::Problem::unauthorized)?;
        let (scheme, token) = header
            .split_once(' ')
            .ok_or_else(web::Problem::unauthorized)?;
        if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
            return Err(web::Problem::unauthorized());
        }
        let session = auth
            .authenticate(token.trim())
            .await
            .map_err(web::Problem::from)?;
        web::record_org(session.org().as_str());
        Ok(session)
    }
}
