//! RFC 9457 problem details: one error type, turned into a response in one place.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::error::{FieldError, ValidationErrors};
use domain::ports::StoreError;
use serde::Serialize;

/// A failed request, as the client will see it.
#[derive(Debug, Clone)]
pub struct Problem {
    pub status: StatusCode,
    /// A stable slug; the `type` member is `/problems/<slug>`.
    pub slug: &'static str,
    pub title: &'static str,
    pub detail: Option<String>,
    pub errors: Vec<FieldError>,
    pub retry_after: Option<u64>,
}

/// The JSON body of a problem response (for the OpenAPI document).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProblemBody {
    /// `/problems/<slug>`, e.g. `/problems/validation`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Field-level errors of a 400: `field` is a path such as `crew/1/email`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

impl Problem {
    pub const fn new(status: StatusCode, slug: &'static str, title: &'static str) -> Self {
        Self {
            status,
            slug,
            title,
            detail: None,
            errors: Vec::new(),
            retry_after: None,
        }
    }

    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    pub fn validation(errors: ValidationErrors) -> Self {
        let mut p = Self::new(
            StatusCode::BAD_REQUEST,
            "validation",
            "The request has invalid fields",
        );
        p.errors = errors.0;
        p
    }

    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "bad-request",
            "The request is malformed",
        )
        .with_detail(detail)
    }

    /// Every authentication failure looks the same, so none tells an attacker which check failed.
    pub fn unauthorized() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", "Sign in again")
    }

    pub fn forbidden() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Your role does not allow this",
        )
    }

    /// A request that did not come through CloudFront (no or a wrong origin header): the
    /// execute-api URL is not a way in.
    pub fn unverified_origin() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "unverified-origin",
            "Call this API through the app's address",
        )
    }

    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not-found", "Not found")
    }

    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::CONFLICT,
            "conflict",
            "The request conflicts with the current state",
        )
        .with_detail(detail)
    }

    /// 409: the request is allowed, but only once the person has seen and confirmed `items`
    /// (open safety tasks, warnings about a new event); each is a field, a code and a message.
    /// The client shows them and sends the request again naming what it confirms.
    pub fn unconfirmed(
        slug: &'static str,
        title: &'static str,
        detail: impl Into<String>,
        items: ValidationErrors,
    ) -> Self {
        let mut p = Self::new(StatusCode::CONFLICT, slug, title).with_detail(detail);
        p.errors = items.0;
        p
    }

    pub fn precondition_failed() -> Self {
        Self::new(
            StatusCode::PRECONDITION_FAILED,
            "stale",
            "The record changed since you read it; reload and try again",
        )
    }

    pub fn precondition_required() -> Self {
        Self::new(
            StatusCode::PRECONDITION_REQUIRED,
            "if-match-required",
            "Send If-Match with the ETag you read",
        )
    }

    pub fn payload_too_large() -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too-large",
            "The request body is too large",
        )
    }

    pub fn unsupported_media_type() -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "Send application/json",
        )
    }

    pub fn too_many_requests(retry_after: u64) -> Self {
        let mut p = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate-limited",
            "Too many requests; wait and retry",
        );
        p.retry_after = Some(retry_after);
        p
    }

    pub fn unavailable() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "A service we depend on is briefly unavailable; retry shortly",
        )
    }

    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Something went wrong on our side",
        )
    }

    pub fn body(&self) -> ProblemBody {
        ProblemBody {
            kind: format!("/problems/{}", self.slug),
            title: self.title.to_string(),
            status: self.status.as_u16(),
            detail: self.detail.clone(),
            errors: self.errors.clone(),
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(mut self) -> Response {
        if self.status.is_server_error() {
            // The detail of a server-side failure (a backend message) is for the logs, not for
            // the client.
            tracing::error!(status = self.status.as_u16(), problem = self.slug, detail = ?self.detail, "request failed");
            self.detail = None;
        }
        let body = serde_json::to_vec(&self.body()).unwrap_or_default();
        let mut response = (self.status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if let Some(secs) = self.retry_after
            && let Ok(v) = HeaderValue::from_str(&secs.to_string())
        {
            headers.insert(header::RETRY_AFTER, v);
        }
        response
    }
}

impl From<ValidationErrors> for Problem {
    fn from(errors: ValidationErrors) -> Self {
        Self::validation(errors)
    }
}

impl From<domain::ports::PhotoError> for Problem {
    fn from(e: domain::ports::PhotoError) -> Self {
        tracing::warn!(error = %e, "photo storage");
        match e {
            domain::ports::PhotoError::Unavailable(_) => Self::unavailable(),
            domain::ports::PhotoError::Refused(_) => Self::internal(),
        }
    }
}

impl From<StoreError> for Problem {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Self::not_found(),
            StoreError::AlreadyExists => Self::conflict("it already exists"),
            StoreError::Conflict => Self::precondition_failed(),
            StoreError::Closed => Self::conflict("it no longer accepts this change"),
            StoreError::BadCursor => Self::bad_request("the page cursor is not valid here"),
            StoreError::Unavailable(detail) => {
                tracing::warn!(%detail, "store unavailable");
                Self::unavailable()
            }
            StoreError::Backend(detail) => Self::internal().with_detail(detail),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn problems_are_problem_json() {
        let response = Problem::too_many_requests(42).into_response();
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            "application/problem+json"
        );
        assert_eq!(response.headers()[header::RETRY_AFTER], "42");
        let validation =
            Problem::validation(ValidationErrors::single("title", "length", "too long"));
        let body = serde_json::to_value(validation.body()).expect("json");
        assert_eq!(body["type"], "/problems/validation");
        assert_eq!(body["status"], 400);
        assert_eq!(body["errors"][0]["field"], "title");
    }

    #[tokio::test]
    async fn server_errors_keep_their_detail_out_of_the_body() {
        use axum::body::to_bytes;
        let response = Problem::internal()
            .with_detail("ValidationException: table arn:aws:dynamodb:…")
            .into_response();
        let body = to_bytes(response.into_body(), 4096).await.expect("body");
        let text = String::from_utf8_lossy(&body);
        assert!(!text.contains("dynamodb"), "{text}");
        let response = Problem::conflict("the event is cancelled").into_response();
        let body = to_bytes(response.into_body(), 4096).await.expect("body");
        assert!(String::from_utf8_lossy(&body).contains("the event is cancelled"));
    }

    #[test]
    fn store_errors_map_to_statuses() {
        let cases = [
            (StoreError::NotFound, 404),
            (StoreError::AlreadyExists, 409),
            (StoreError::Conflict, 412),
            (StoreError::Closed, 409),
            (StoreError::BadCursor, 400),
            (StoreError::Unavailable("x".into()), 503),
            (StoreError::Backend("x".into()), 500),
        ];
        for (e, status) in cases {
            assert_eq!(Problem::from(e).status.as_u16(), status);
        }
    }
}
