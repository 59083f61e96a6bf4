//! The layers every router gets, and the JSON log setup.

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath};
use axum::http::{HeaderName, HeaderValue, Request, Response, header};
use std::time::Duration;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use tracing::Span;

/// The largest request body any route accepts.
pub const BODY_LIMIT: usize = 64 * 1024;

static X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The request id of the current request, as the client sent it or as we made it.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// Adds, outermost first: a request id (kept from `X-Request-Id` or generated, echoed back), the
/// access log (one JSON line per request: id, method, route template, status, latency; never the
/// path's values, the query, headers or body), the body limit, and headers that keep API
/// responses out of caches and sniffers.
pub fn layers<S: Clone + Send + Sync + 'static>(router: Router<S>) -> Router<S> {
    router
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request<_>| {
                    // The route template (`/api/events/{id}`), not the path: ids and emails in
                    // paths stay out of the logs.
                    let route = req
                        .extensions()
                        .get::<MatchedPath>()
                        .map(|p| p.as_str().to_string())
                        .unwrap_or_else(|| "unmatched".to_string());
                    let id = req
                        .headers()
                        .get(&X_REQUEST_ID)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_string();
                    tracing::info_span!(
                        "request",
                        request_id = %id,
                        method = %req.method(),
                        route = %route,
                        org = tracing::field::Empty,
                    )
                })
                .on_request(())
                .on_response(|res: &Response<_>, latency: Duration, _span: &Span| {
                    tracing::info!(
                        status = res.status().as_u16(),
                        latency_ms = u64::try_from(latency.as_millis()).unwrap_or(u64::MAX),
                        "request done"
                    );
                })
                .on_failure(()),
        )
        .layer(PropagateRequestIdLayer::new(X_REQUEST_ID.clone()))
        .layer(SetRequestIdLayer::new(
            X_REQUEST_ID.clone(),
            MakeRequestUuid,
        ))
}

/// Records the org a request acts in on its log span (called by the auth extractor once the token
/// is verified; an org id is not personal data).
pub fn record_org(org: &str) {
    Span::current().record("org", org);
}

/// JSON logs to stdout (CloudWatch in Lambda), filtered by `RUST_LOG` (default `info`).
pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_current_span(true)
        .with_span_list(false)
        .with_target(false)
        .try_init();
}
