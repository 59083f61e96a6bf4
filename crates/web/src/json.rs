//! A JSON body extractor whose every rejection is a [`Problem`].

use crate::problem::Problem;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Like `axum::Json`, but a wrong content type is 415, a body over the limit 413, and a malformed
/// body or an unknown field (our input types deny them, so `role` or `org_id` cannot be
/// mass-assigned) a 400 that says where.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

impl<T, S> FromRequest<S> for Json<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(Json(value)),
            Err(rejection) => Err(problem_of(rejection)),
        }
    }
}

fn problem_of(rejection: JsonRejection) -> Problem {
    match rejection {
        JsonRejection::MissingJsonContentType(_) => Problem::unsupported_media_type(),
        JsonRejection::BytesRejection(r) if r.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            Problem::payload_too_large()
        }
        JsonRejection::JsonDataError(e) => Problem::bad_request(e.body_text()),
        JsonRejection::JsonSyntaxError(e) => Problem::bad_request(e.body_text()),
        other => {
            if other.status() == StatusCode::PAYLOAD_TOO_LARGE {
                Problem::payload_too_large()
            } else {
                Problem::bad_request(other.body_text())
            }
        }
    }
}

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}
