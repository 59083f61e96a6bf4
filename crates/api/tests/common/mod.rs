//! `TestApp`: the real router on a real store (embedded, or DynamoDB on moto), a file outbox, a
//! hand-moved clock and a scheduler that records what it was asked to do.
#![allow(dead_code)] // each test file uses part of this module

use api::AppState;
use async_trait::async_trait;
use auth::{Auth, AuthPorts, KeyRing, Pepper, TokenService};
use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request};
use chrono::{DateTime, Duration, TimeZone, Utc};
use domain::event::{CrewAssignment, CrewRole, EventKind, EventSpec, NudgeKind};
use domain::org::{Member, Org, OrgScope};
use domain::ports::{
    Clock, ManualClock, NudgeSchedule, NudgeScheduler, SchedulerError, SessionRecord, Store,
};
use domain::{Email, Event, EventId, OrgId, Role};
use http_body_util::BodyExt;
use serde_json::Value;
use std::sync::{Arc, Mutex};
use tower::ServiceExt;

#[derive(Debug, Clone, PartialEq)]
pub enum Call {
    Upsert(NudgeSchedule),
    Delete(String, NudgeKind),
}

/// Keeps what was published to the domain-event feed.
#[derive(Default)]
pub struct Feed(pub Mutex<Vec<domain::ports::DomainEvent>>);

#[async_trait]
impl domain::ports::DomainEvents for Feed {
    async fn publish(
        &self,
        events: &[domain::ports::DomainEvent],
    ) -> Result<(), domain::ports::PublishError> {
        self.0.lock().expect("lock").extend_from_slice(events);
        Ok(())
    }
}

/// Records the scheduler port's calls (the AWS adapter is tested against moto in scheduler-aws).
#[derive(Default)]
pub struct Recorder(pub Mutex<Vec<Call>>);

#[async_trait]
impl NudgeScheduler for Recorder {
    async fn upsert(&self, s: &NudgeSchedule) -> Result<(), SchedulerError> {
        self.0.lock().expect("lock").push(Call::Upsert(s.clone()));
        Ok(())
    }
    async fn delete(
        &self,
        _org: &OrgId,
        event: &EventId,
        kind: NudgeKind,
    ) -> Result<(), SchedulerError> {
        self.0
            .lock()
            .expect("lock")
            .push(Call::Delete(event.to_string(), kind));
        Ok(())
    }
}

pub type Instance =
    dyn Fn(Option<Arc<dyn domain::ports::SessionStore>>) -> (Router, Arc<Auth>) + Send + Sync;

pub struct TestApp {
    pub router: Router,
    pub auth: Arc<Auth>,
    pub store: Arc<dyn Store>,
    pub clock: Arc<ManualClock>,
    pub scheduler: Arc<Recorder>,
    pub feed: Arc<Feed>,
    pub outbox: mail::Outbox,
    /// Builds another instance (router and auth, with their own caches) on the same store, clock
    /// and outbox: what a second warm Lambda instance is.
    /// With `Some(sessions)`, that allowlist instead of the store's.
    pub instance: Arc<Instance>,
    /// The same app where no VAPID key is configured (a server that sends no push).
    pub without_push: Router,
}

/// The VAPID public key the test app offers phones (the P-256 generator point; any point will do).
pub const VAPID_PUBLIC_KEY: &str =
    "BGsX0fLhLEJH-Lzm5WOkQPJ3A32BLeszoPShOUXYmMKWT-NC4v4af5uO5-tKfA-eFivOM1drMV7Oy7ZAaDe_UfU";

pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 7, 1, 16, 0, 0)
        .single()
        .unwrap_or_default()
}

pub fn email(s: &str) -> Email {
    Email::parse(s).expect("test email")
}

pub fn org(id: &str, name: &str, kinds: &[EventKind]) -> Org {
    Org {
        id: OrgId::parse(id).expect("org id"),
        name: name.into(),
        zone: chrono_tz::America::Los_Angeles,
        home_port: domain::seed::san_diego(),
        enabled_kinds: kinds.to_vec(),
        report_recipients: Default::default(),
        created_at: now(),
        safety: Default::default(),
        version: 1,
    }
}

impl TestApp {
    /// On the embedded store.
    pub async fn embedded() -> Self {
        let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("api-{}", ulid::Ulid::new()));
        let store =
            Arc::new(store_embedded::EmbeddedStore::open(&dir.join("store")).expect("store"));
        Self::on(store, dir, None).await
    }

    /// On the embedded store, with task photos in a bucket of its own on moto's S3; `None`
    /// outside CI without an endpoint.
    pub async fn with_photos() -> Option<Self> {
        let sdk = aws_env::test_endpoint().await?;
        let bucket = format!("photos-{}", ulid::Ulid::new().to_string().to_lowercase());
        let region = sdk.region().map(|r| r.to_string()).unwrap_or_default();
        aws_sdk_s3::Client::new(&sdk)
            .create_bucket()
            .bucket(&bucket)
            .create_bucket_configuration(
                aws_sdk_s3::types::CreateBucketConfiguration::builder()
                    .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::from(
                        region.as_str(),
                    ))
                    .build(),
            )
            .send()
            .await
            .expect("bucket");
        let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("api-{}", ulid::Ulid::new()));
        let store =
            Arc::new(store_embedded::EmbeddedStore::open(&dir.join("store")).expect("store"));
        let photos: Arc<dyn domain::ports::PhotoStorage> =
            Arc::new(photos_s3::S3Photos::new(&sdk, bucket));
        Some(Self::on(store, dir, Some(photos)).await)
    }

    /// On DynamoDB (moto), or `None` outside CI without an endpoint.
    pub async fn dynamodb() -> Option<Self> {
        let sdk = aws_env::test_endpoint().await?;
        let client = aws_sdk_dynamodb::Client::new(&sdk);
        let table = format!("api-{}", ulid::Ulid::new());
        store_dynamodb::table::create_table(&client, &table)
            .await
            .expect("table");
        let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("api-{}", ulid::Ulid::new()));
        Some(
            Self::on(
                Arc::new(store_dynamodb::DynamoStore::new(client, table)),
                dir,
                None,
            )
            .await,
        )
    }

    async fn on<S: Store + 'static>(
        store: Arc<S>,
        dir: std::path::PathBuf,
        photos: Option<Arc<dyn domain::ports::PhotoStorage>>,
    ) -> Self {
        let clock = Arc::new(ManualClock::new(now()));
        let outbox = mail::Outbox::new(dir.join("outbox"), "crew@example.com");
        let scheduler = Arc::new(Recorder::default());
        let feed = Arc::new(Feed::default());
        let instance = {
            let (store, clock, outbox) = (store.clone(), clock.clone(), outbox.clone());
            let (scheduler, feed) = (scheduler.clone(), feed.clone());
            let photos = photos.clone();
            Arc::new(
                move |sessions: Option<Arc<dyn domain::ports::SessionStore>>| {
                    let keys = KeyRing::from_json(
                        r#"{"current_kid":"k1","current":"a-signing-key-of-at-least-32-bytes!!"}"#,
                    )
                    .expect("keys");
                    let mut ports = AuthPorts::from_store(
                        store.clone(),
                        Arc::new(outbox.clone()),
                        clock.clone(),
                    );
                    if let Some(sessions) = sessions {
                        ports.sessions = sessions;
                    }
                    let auth = Arc::new(Auth::new(
                        TokenService::new(keys, "https://app.example.com", auth::token::AUDIENCE),
                        Pepper::new(b"0123456789abcdef0123456789abcdef".to_vec()).expect("pepper"),
                        "https://app.example.com",
                        ports,
                    ));
                    let mut state = AppState::new(
                        auth.clone(),
                        store.clone(),
                        scheduler.clone(),
                        feed.clone(),
                        clock.clone(),
                    );
                    state.vapid_public_key = Some(VAPID_PUBLIC_KEY.into());
                    if let Some(photos) = &photos {
                        state = state.with_photos(photos.clone());
                    }
                    (web::layers(api::router(state)), auth)
                },
            ) as Arc<Instance>
        };
        let (router, auth) = instance(None);
        let without_push = web::layers(api::router(AppState::new(
            auth.clone(),
            store.clone(),
            scheduler.clone(),
            feed.clone(),
            clock.clone(),
        )));
        let app = Self {
            router,
            auth,
            store,
            clock,
            scheduler,
            feed,
            outbox,
            instance,
            without_push,
        };
        app.seed().await;
        app
    }

    /// Two orgs. jada: admin, captain, deck (crew), exec, other (crew on nothing).
    /// bravo: its own admin.
    async fn seed(&self) {
        let jada = org(
            "jada",
            "JADA",
            &[
                EventKind::SunsetSail,
                EventKind::Charter,
                EventKind::Delivery,
            ],
        );
        let bravo = org("bravo", "Bravo Hauling", &[EventKind::Haul]);
        self.store.create_org(&jada).await.expect("org");
        self.store.create_org(&bravo).await.expect("org");
        for (o, name, who, role) in [
            ("jada", "JADA", "admin@jada.example.com", Role::Admin),
            ("jada", "JADA", "cap@jada.example.com", Role::Captain),
            ("jada", "JADA", "deck@jada.example.com", Role::Crew),
            ("jada", "JADA", "exec@jada.example.com", Role::Executive),
            ("jada", "JADA", "other@jada.example.com", Role::Crew),
            (
                "bravo",
                "Bravo Hauling",
                "admin@bravo.example.com",
                Role::Admin,
            ),
            (
                "bravo",
                "Bravo Hauling",
                "driver@bravo.example.com",
                Role::Captain,
            ),
        ] {
            let scope = OrgScope::trusted(OrgId::parse(o).expect("org"));
            let member = Member {
                email: email(who),
                name: who.split('@').next().unwrap_or(who).into(),
                role,
                added_at: now(),
                sessions_valid_from: None,
            };
            self.store
                .add_member(&scope, name, &member)
                .await
                .expect("member");
        }
    }

    /// Makes `who` a member of another org too (`name` shown, `role` there).
    pub async fn join(&self, who: &str, org: &str, org_name: &str, name: &str, role: Role) {
        let scope = OrgScope::trusted(OrgId::parse(org).expect("org"));
        let member = Member {
            email: email(who),
            name: name.into(),
            role,
            added_at: now(),
            sessions_valid_from: None,
        };
        self.store
            .add_member(&scope, org_name, &member)
            .await
            .expect("member");
    }

    /// Marks the event at `path` departed as `token`, confirming whatever safety tasks its view
    /// lists as open (issue 17), as the app does once the person confirms.
    pub async fn depart(&self, path: &str, token: &str) -> Reply {
        let view = self.call(Method::GET, path, Some(token), None, &[]).await;
        let open: Vec<Value> = view.json["departure_check"]["open_safety_tasks"]
            .as_array()
            .map(|list| list.iter().map(|t| t["id"].clone()).collect())
            .unwrap_or_default();
        self.call(
            Method::POST,
            &format!("{path}/departed"),
            Some(token),
            Some(serde_json::json!({"confirm_open_safety_tasks": open})),
            &[],
        )
        .await
    }

    /// A session token for `who` in `org`, issued and allowlisted as /auth/exchange would.
    pub async fn token(&self, who: &str, org: &str) -> String {
        let org_id = OrgId::parse(org).expect("org");
        let scope = OrgScope::trusted(org_id.clone());
        let member = self
            .store
            .get_member(&scope, &email(who))
            .await
            .expect("get")
            .expect("a member");
        let issued = self
            .auth
            .tokens
            .issue(&member.email, &org_id, member.role, self.clock.now())
            .expect("issue");
        self.store
            .put_session(
                &scope,
                &SessionRecord {
                    jti: issued.claims.jti.clone(),
                    email: member.email.clone(),
                    issued_at: self.clock.now(),
                    expires_at: issued.expires_at,
                },
            )
            .await
            .expect("session");
        issued.token
    }

    /// A sunset sail in `org` departing in `hours`, with cap (captain) and deck (crew) for jada.
    pub async fn event(&self, org: &str, hours: i64) -> Event {
        let (kind, crew) = if org == "jada" {
            (
                EventKind::SunsetSail,
                vec![
                    CrewAssignment {
                        email: email("cap@jada.example.com"),
                        role: CrewRole::Captain,
                    },
                    CrewAssignment {
                        email: email("deck@jada.example.com"),
                        role: CrewRole::Crew,
                    },
                ],
            )
        } else {
            (
                EventKind::Haul,
                vec![CrewAssignment {
                    email: email("driver@bravo.example.com"),
                    role: CrewRole::Captain,
                }],
            )
        };
        let departs_at = self.clock.now() + Duration::hours(hours);
        let event = Event::new(
            EventId::generate(),
            OrgId::parse(org).expect("org"),
            EventSpec {
                kind,
                title: format!("{org} event"),
                vessel: "Jada".into(),
                vessel_id: None,
                passengers: Default::default(),
                departs_at,
                returns_at: departs_at + Duration::hours(3),
                crew,
                notes: "Bring ice".into(),
                revenue_cents: Some(180_000),
            },
            email("admin@jada.example.com"),
            self.clock.now(),
        );
        let scope = OrgScope::trusted(event.org_id.clone());
        self.store
            .create_event(&scope, &event)
            .await
            .expect("event");
        event
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Reply {
        call_on(&self.router, method, path, token, body, headers).await
    }
}

/// One request to `router` (an instance from [`TestApp::instance`], or the app's own).
pub async fn call_on(
    router: &Router,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
    headers: &[(&str, &str)],
) -> Reply {
    {
        let mut req = Request::builder().method(method).uri(path);
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let req = match body {
            Some(b) => req
                .header("content-type", "application/json")
                .body(Body::from(b.to_string())),
            None => req.body(Body::empty()),
        }
        .expect("request");
        Reply::from(router.clone().oneshot(req).await.expect("infallible")).await
    }
}

pub struct Reply {
    pub status: u16,
    pub headers: axum::http::HeaderMap,
    pub json: Value,
    /// The body as text (a calendar feed, a page).
    pub text: String,
}

impl Reply {
    pub async fn from(response: axum::response::Response) -> Self {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Self {
            status,
            headers,
            json,
            text: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    /// The `field` of each entry of a problem's `errors`, in order.
    pub fn error_fields(&self) -> Vec<String> {
        self.json["errors"]
            .as_array()
            .map(|e| {
                e.iter()
                    .filter_map(|x| x["field"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}
