//! Shared by the magic-link tests: the router as Lambda serves it, on DynamoDB and SES (moto),
//! fed API Gateway HTTP API v2 events (fixture JSON, the bytes Lambda delivers).
#![allow(dead_code)]

use auth::{Auth, AuthPorts, KeyRing, Pepper, TokenService};
use axum::Router;
use domain::org::{Member, Org, OrgScope};
use domain::ports::{ManualClock, MemberStore, OrgStore};
use domain::{Email, EventKind, OrgId, Role};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use std::sync::Arc;
use store_dynamodb::DynamoStore;
use tower::ServiceExt;

const FIXTURE: &str = include_str!("../fixtures/apigw-v2-post-auth.json");

/// The origin secret the test Lambda holds, in the shape the stack generates.
pub const ORIGIN_SECRET: &str =
    r#"{"current":"0riginVerifyCurrentValueOf64Characters0000000000000000000000000"}"#;
/// Its `current`: what CloudFront sends.
pub const ORIGIN_CURRENT: &str = "0riginVerifyCurrentValueOf64Characters0000000000000000000000000";

/// An origin check that holds `raw` (never re-read with a different value).
pub async fn origin_check(raw: &'static str) -> Arc<web::OriginCheck> {
    Arc::new(
        web::OriginCheck::load(move || async move {
            Ok::<_, std::convert::Infallible>(raw.to_string())
        })
        .await
        .expect("a valid origin secret"),
    )
}

pub struct World {
    pub app: Router,
    pub store: Arc<DynamoStore>,
    pub pepper: Pepper,
    pub suffix: String,
}

impl World {
    /// A unique address per test run, so tests sharing one moto never read each other's mail.
    pub fn addr(&self, local: &str) -> String {
        format!("{local}-{}@example.com", self.suffix)
    }
}

pub async fn world() -> Option<World> {
    let sdk = aws_env::test_endpoint().await?;
    let suffix = ulid::Ulid::new().to_string().to_lowercase();
    let ddb = aws_sdk_dynamodb::Client::new(&sdk);
    let table = format!("auth-{suffix}");
    store_dynamodb::table::create_table(&ddb, &table)
        .await
        .expect("table");
    let store = Arc::new(DynamoStore::new(ddb, table));
    let ses = aws_sdk_sesv2::Client::new(&sdk);
    let sender = format!("signin-{suffix}@example.com");
    ses.create_email_identity()
        .email_identity(&sender)
        .send()
        .await
        .expect("identity");
    let mailer = Arc::new(mail_ses::SesMailer::new(ses, sender, None));
    let pepper = Pepper::new(b"0123456789abcdef0123456789abcdef".to_vec()).expect("pepper");
    let keys = KeyRing::from_json(
        r#"{"current_kid":"k1","current":"a-signing-key-of-at-least-32-bytes!!"}"#,
    )
    .expect("keys");
    let clock = Arc::new(ManualClock::new(chrono::Utc::now()));
    let auth = Arc::new(Auth::new(
        TokenService::new(keys, "https://app.example.com", auth::token::AUDIENCE),
        pepper.clone(),
        "https://app.example.com",
        AuthPorts::from_store(store.clone(), mailer, clock),
    ));
    let org = Org {
        id: OrgId::parse("jada").expect("valid"),
        name: "JADA".into(),
        zone: chrono_tz::America::Los_Angeles,
        home_port: domain::seed::san_diego(),
        enabled_kinds: EventKind::ALL.to_vec(),
        report_recipients: Default::default(),
        created_at: chrono::Utc::now(),
        safety: Default::default(),
        version: 1,
    };
    store.create_org(&org).await.expect("org");
    let w = World {
        app: magic_link::lambda_app(auth, None, origin_check(ORIGIN_SECRET).await),
        store,
        pepper,
        suffix,
    };
    let member = Member {
        email: Email::parse(&w.addr("ann")).expect("valid"),
        name: "Ann".into(),
        role: Role::Crew,
        added_at: chrono::Utc::now(),
        sessions_valid_from: None,
    };
    w.store
        .add_member(&OrgScope::trusted(org.id.clone()), "JADA", &member)
        .await
        .expect("member");
    Some(w)
}

/// The fixture event for `path` with `body`, from `ip`, as CloudFront forwards it (with the
/// origin header), converted as lambda_http converts it.
pub fn event(path: &str, body: &Value, ip: &str, bearer: Option<&str>) -> lambda_http::Request {
    event_with(
        path,
        body,
        ip,
        bearer,
        &[(web::ORIGIN_VERIFY_HEADER, Some(ORIGIN_CURRENT))],
    )
}

/// The fixture event with `headers` set (`None` removes one), e.g. a call that bypasses
/// CloudFront.
pub fn event_with(
    path: &str,
    body: &Value,
    ip: &str,
    bearer: Option<&str>,
    headers: &[(&str, Option<&str>)],
) -> lambda_http::Request {
    let mut e: Value = serde_json::from_str(FIXTURE).expect("fixture");
    e["rawPath"] = json!(path);
    e["requestContext"]["http"]["path"] = json!(path);
    e["requestContext"]["http"]["sourceIp"] = json!(ip);
    e["pathParameters"]["proxy"] = json!(path.trim_start_matches("/auth/"));
    e["body"] = json!(body.to_string());
    if let Some(token) = bearer {
        e["headers"]["authorization"] = json!(format!("Bearer {token}"));
    }
    for (name, value) in headers {
        match value {
            Some(v) => e["headers"][*name] = json!(v),
            None => {
                if let Some(h) = e["headers"].as_object_mut() {
                    h.remove(*name);
                }
            }
        }
    }
    lambda_http::request::from_str(&e.to_string()).expect("a valid API Gateway v2 event")
}

pub async fn call(app: &Router, req: lambda_http::Request) -> (u16, Vec<(String, String)>, Value) {
    let response = app.clone().oneshot(req).await.expect("infallible");
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or_default().to_string()))
        .collect();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (status, headers, body)
}

/// The link token and code from the newest sign-in mail to `to`, read back from moto.
pub async fn secrets(to: &str) -> (Option<String>, Option<String>) {
    let mails = test_support::sent_to(to).await;
    let raw = mails
        .last()
        .expect("a message")
        .replace("=\r\n", "")
        .replace("=3D", "=");
    let token = raw.split("#token=").nth(1).map(|r| {
        r.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
            .collect()
    });
    let code = raw
        .split("Enter this code instead: ")
        .nth(1)
        .map(|r| r.chars().take(9).collect());
    (token, code)
}
