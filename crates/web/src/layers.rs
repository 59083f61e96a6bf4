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
///
/// `RUST_LOG` is a default level and `target=level` directives (`info`, `info,aws_smithy_runtime=warn`);
/// per-span and per-field filters are not supported, which keeps a regex engine (tracing-subscriber's
/// `env-filter`) out of every Lambda. A value that does not parse means `info`.
pub fn init_tracing() {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let filter = log_filter(std::env::var("RUST_LOG").ok().as_deref());
    let _ = tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .json()
                .with_current_span(true)
                .with_span_list(false)
                .with_target(false),
        )
        .with(filter)
        .try_init();
}

/// The filter `RUST_LOG` names (see [`init_tracing`]).
pub fn log_filter(rust_log: Option<&str>) -> tracing_subscriber::filter::Targets {
    use tracing_subscriber::filter::{LevelFilter, Targets};
    rust_log
        .and_then(|v| v.parse::<Targets>().ok())
        .unwrap_or_else(|| Targets::new().with_default(LevelFilter::INFO))
}

#[cfg(test)]
mod tests {
    use super::log_filter;
    use tracing::Level;

    #[test]
    fn rust_log_sets_the_level_and_per_target_levels() {
        let default = log_filter(None);
        assert!(default.would_enable("api", &Level::INFO));
        assert!(!default.would_enable("api", &Level::DEBUG));
        let tuned = log_filter(Some("warn,store_dynamodb=debug"));
        assert!(!tuned.would_enable("api", &Level::INFO));
        assert!(tuned.would_enable("store_dynamodb::events", &Level::DEBUG));
        // A value that does not parse falls back to info rather than to silence.
        let garbled = log_filter(Some("api=[{not a filter"));
        assert!(garbled.would_enable("api", &Level::INFO));
        assert!(!garbled.would_enable("api", &Level::DEBUG));
    }
}
