//! The sign-in endpoints, `/auth/*`: one axum router, served by `lambda_http` in the magic-link
//! Lambda and by the local server on localhost.
//!
//! Invariant: the answer to `POST /auth/magic-link` depends only on the syntax of the address and
//! the rate limits, never on whether the address is known; every exchange failure is the same 401.

use auth::{Auth, Grant, Proof, Session};
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::post;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use web::{ClientIp, Json, Problem};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MagicLinkRequest {
    /// The address to send the sign-in link and code to.
    pub email: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MagicLinkAccepted {
    /// Always `sent`, known address or not.
    pub status: &'static str,
}

/// Either `{"token"}` (from the link) or `{"email","code"}` (typed on another device);
/// `org_id` optionally picks which of the person's orgs the session opens in.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExchangeRequest {
    pub token: Option<String>,
    pub email: Option<String>,
    pub code: Option<String>,
    pub org_id: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SwitchRequest {
    pub org_id: String,
}

/// The `/auth` router. Its state is the shared `Auth`.
pub fn router(auth: Arc<Auth>) -> Router {
    Router::new()
        .route("/auth/magic-link", post(request_link))
        .route("/auth/exchange", post(exchange))
        .route("/auth/switch", post(switch))
        .route("/auth/logout", post(logout))
        .route("/auth/logout-all", post(logout_all))
        .route(
            "/auth/{*rest}",
            axum::routing::any(|| async { Problem::not_found() }),
        )
        .with_state(auth)
}

/// Ask for a sign-in link and code by email.
#[utoipa::path(post, path = "/auth/magic-link", tag = "auth", request_body = MagicLinkRequest,
    responses(
        (status = 202, description = "Sent if the address may sign in; the same answer either way", body = MagicLinkAccepted),
        (status = 400, description = "Not an email address", body = web::ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests for this address or client; see Retry-After", body = web::ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn request_link(
    State(auth): State<Arc<Auth>>,
    ClientIp(ip): ClientIp,
    Json(body): Json<MagicLinkRequest>,
) -> Result<impl IntoResponse, Problem> {
    auth.request_link(&body.email, &ip).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(MagicLinkAccepted { status: "sent" }),
    ))
}

/// Spend a link token or an email + code for a 30-day session token.
#[utoipa::path(post, path = "/auth/exchange", tag = "auth", request_body = ExchangeRequest,
    responses(
        (status = 200, description = "Signed in", body = Grant),
        (status = 400, description = "Neither a token nor an email and code", body = web::ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "Invalid, used, expired or burned; always the same answer", body = web::ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts from this client", body = web::ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn exchange(
    State(auth): State<Arc<Auth>>,
    ClientIp(ip): ClientIp,
    Json(body): Json<ExchangeRequest>,
) -> Result<Json<Grant>, Problem> {
    let proof = match (body.token, body.email, body.code) {
        (Some(token), None, None) => Proof::Link { token },
        (None, Some(email), Some(code)) => Proof::Code { email, code },
        _ => return Err(Problem::bad_request("send either token, or email and code")),
    };
    Ok(Json(
        auth.exchange(proof, body.org_id.as_deref(), &ip).await?,
    ))
}

/// A session token for another of the caller's orgs.
#[utoipa::path(post, path = "/auth/switch", tag = "auth", request_body = SwitchRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Signed in to that org", body = Grant),
        (status = 401, description = "Not signed in", body = web::ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Not a member of that org", body = web::ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn switch(
    State(auth): State<Arc<Auth>>,
    session: Session,
    Json(body): Json<SwitchRequest>,
) -> Result<Json<Grant>, Problem> {
    Ok(Json(auth.switch(&session, &body.org_id).await?))
}

/// Revoke the caller's token.
#[utoipa::path(post, path = "/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 204, description = "Signed out"),
        (status = 401, description = "Not signed in", body = web::ProblemBody, content_type = "application/problem+json")))]
pub async fn logout(
    State(auth): State<Arc<Auth>>,
    session: Session,
) -> Result<StatusCode, Problem> {
    auth.logout(&session).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Revoke every token of the caller, in every org.
#[utoipa::path(post, path = "/auth/logout-all", tag = "auth", security(("bearer" = [])),
    responses((status = 204, description = "Signed out everywhere"),
        (status = 401, description = "Not signed in", body = web::ProblemBody, content_type = "application/problem+json")))]
pub async fn logout_all(
    State(auth): State<Arc<Auth>>,
    session: Session,
) -> Result<StatusCode, Problem> {
    let revoked = auth.logout_all(&session).await?;
    tracing::info!(revoked, "signed out everywhere");
    Ok(StatusCode::NO_CONTENT)
}

/// The `/auth` part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(request_link, exchange, switch, logout, logout_all),
    components(schemas(
        MagicLinkRequest,
        MagicLinkAccepted,
        ExchangeRequest,
        SwitchRequest,
        Grant,
        auth::OrgRef,
        auth::MembershipView,
        web::ProblemBody
    ))
)]
pub struct AuthApi;

/// The router as the Lambda serves it: the shared layers; first of all the origin check (a request
/// that did not come through CloudFront is refused before anything else runs); then the client IP
/// taken from API Gateway's request context, or, behind CloudFront, from `viewer_header` (e.g.
/// `CloudFront-Viewer-Address`) when the stage says to trust it. That header is trusted only
/// because the origin check ran first: past it, CloudFront wrote the header, not the caller.
#[cfg(feature = "lambda")]
pub fn lambda_app(
    auth: Arc<Auth>,
    viewer_header: Option<String>,
    origin: Arc<web::OriginCheck>,
) -> Router {
    use lambda_http::RequestExt;
    let viewer_header = viewer_header.map(|h| h.to_ascii_lowercase());
    let app = router(auth).layer(axum::middleware::from_fn(
        move |mut req: axum::extract::Request, next: axum::middleware::Next| {
            let from_header = viewer_header.as_deref().and_then(|h| {
                let value = req.headers().get(h)?.to_str().ok()?;
                // "ip:port"; an IPv6 address may come in brackets.
                let ip = value.rsplit_once(':').map_or(value, |(ip, _)| ip);
                Some(ip.trim_matches(['[', ']']).to_string())
            });
            let ip = from_header.unwrap_or_else(|| match req.request_context_ref() {
                Some(lambda_http::request::RequestContext::ApiGatewayV2(c)) => {
                    c.http.source_ip.clone().unwrap_or_default()
                }
                _ => String::new(),
            });
            req.extensions_mut().insert(ClientIp(ip));
            next.run(req)
        },
    ));
    web::layers(web::require_origin(app, origin))
}

/// The origin check both HTTP Lambdas build at init: the secret named by
/// `ORIGIN_VERIFY_SECRET_ARN` read now (a missing or malformed secret fails the init), and read
/// again through the same client when a request carries a value it does not know (a rotation).
#[cfg(feature = "lambda")]
pub async fn origin_check_from_env(
    sdk: &aws_env::SdkConfig,
) -> Result<Arc<web::OriginCheck>, Box<dyn std::error::Error + Send + Sync>> {
    let reader = aws_env::SecretReader::from_env(sdk, "ORIGIN_VERIFY_SECRET_ARN")?;
    let check = web::OriginCheck::load(move || {
        let reader = reader.clone();
        async move { reader.read().await }
    })
    .await?;
    Ok(Arc::new(check))
}

/// The `Auth` both HTTP Lambdas build at init: keys and pepper from Secrets Manager (read once),
/// the DynamoDB store, SES for mail. `APP_URL` is the app's origin from configuration.
#[cfg(feature = "lambda")]
pub async fn auth_from_env(
    sdk: &aws_env::SdkConfig,
    store: Arc<store_dynamodb::DynamoStore>,
) -> Result<Arc<Auth>, Box<dyn std::error::Error + Send + Sync>> {
    use aws_env::{env, env_opt};
    let app_url = env("APP_URL")?;
    // Both reads at once: each is a round trip (and, in AWS, a TLS handshake) paid in init.
    let (keys, pepper) = tokio::try_join!(
        aws_env::secret(sdk, "JWT_KEYS_SECRET_ARN"),
        aws_env::secret(sdk, "PEPPER_SECRET_ARN"),
    )?;
    let keys = auth::KeyRing::from_json(&keys)?;
    let pepper = auth::Pepper::new(pepper.into_bytes())?;
    let mailer = Arc::new(mail_ses::SesMailer::new(
        aws_sdk_sesv2::Client::new(sdk),
        env("SES_SENDER_ADDRESS")?,
        env_opt("SES_CONFIGURATION_SET"),
    ));
    Ok(Arc::new(Auth::new(
        auth::TokenService::new(keys, app_url.clone(), auth::token::AUDIENCE),
        pepper,
        app_url,
        auth::AuthPorts::from_store(store, mailer, Arc::new(domain::ports::SystemClock)),
    )))
}
