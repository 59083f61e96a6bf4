//! The local server: the same `/api` and `/auth` routers the Lambdas serve, on the embedded
//! store, with a file outbox for email, an in-process scheduler that fires nudges, a file for the
//! domain-event feed, the web app's static files, and (local only) `/dev/*` pages to read the
//! outbox and fire a nudge now.
//!
//! Invariant: binds loopback only; `/dev/*` exists only here, never in a Lambda.

mod dev;
mod feed;
pub mod photos;
mod push;
mod scheduler;
mod secrets;

pub use feed::FileFeed;
pub use scheduler::LocalScheduler;

use auth::{Auth, AuthPorts, TokenService};
use axum::Router;
use axum::response::IntoResponse;
use axum::routing::get;
use domain::org::OrgScope;
use domain::portfolio::Portfolio;
use domain::ports::{
    Clock, EventStore, MemberStore, NudgeScheduler, OrgStore, SystemClock, VesselStore,
};
use mail::Outbox;
use nudge::Nudger;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use store_embedded::EmbeddedStore;
use tower_http::services::{ServeDir, ServeFile};

#[derive(Debug, Clone)]
pub struct Config {
    /// Where the store, outbox, feed and dev secrets live.
    pub data: PathBuf,
    /// The built web app (index.html and assets).
    pub static_dir: PathBuf,
    /// The app's origin, for links in emails.
    pub app_url: String,
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Store(#[from] store_embedded::OpenError),
    #[error(transparent)]
    Secrets(#[from] secrets::SecretsError),
    #[error("seeding failed: {0}")]
    Seed(#[from] domain::ports::StoreError),
}

/// The running pieces: the router to serve and the handles tests and `/dev` use.
pub struct Local {
    pub router: Router,
    pub store: Arc<EmbeddedStore>,
    pub outbox: Outbox,
    pub scheduler: Arc<LocalScheduler>,
    pub auth: Arc<Auth>,
}

/// Opens (or creates) the local world under `config.data`, seeds it on first start, re-plans the
/// pending nudges, and builds the router. Call within a Tokio runtime: the scheduler's task starts.
pub async fn start(config: &Config) -> Result<Local, StartError> {
    let store = Arc::new(EmbeddedStore::open(&config.data.join("store"))?);
    let outbox = Outbox::new(config.data.join("outbox"), "crew@shipcaptaincrew.local");
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let secrets = secrets::load_or_create(&config.data)?;
    let auth = Arc::new(Auth::new(
        TokenService::new(secrets.keys, config.app_url.clone(), auth::token::AUDIENCE),
        secrets.pepper,
        config.app_url.clone(),
        AuthPorts::from_store(store.clone(), Arc::new(outbox.clone()), clock.clone()),
    ));
    let feed = Arc::new(FileFeed::new(config.data.join("domain-events.jsonl")));
    let push_outbox = push::PushOutbox::new(config.data.join("push.jsonl"), clock.clone());
    let vapid = ::push::VapidKey::derive(&secrets.vapid, "mailto:dev@localhost")
        .map_err(|e| secrets::SecretsError::Invalid(e.to_string()))?;
    let nudger = Arc::new(Nudger {
        events: store.clone(),
        orgs: store.clone(),
        members: store.clone(),
        vessels: store.clone(),
        mailer: Arc::new(outbox.clone()),
        publisher: feed.clone(),
        clock: clock.clone(),
        app_url: config.app_url.clone(),
        push: Some(nudge::PushPorts {
            store: store.clone(),
            pusher: Arc::new(push_outbox.clone()),
        }),
    });
    let scheduler = LocalScheduler::spawn(nudger);
    if store.is_empty().await? {
        seed(&store, &*scheduler, clock.now()).await?;
    } else {
        reconcile_all(&store, &*scheduler, clock.now()).await?;
    }
    {
        // Weak: the task must not keep the store open (or the world alive) once `Local` is dropped.
        let (store, scheduler, clock) = (
            Arc::downgrade(&store),
            Arc::downgrade(&scheduler),
            clock.clone(),
        );
        tokio::spawn(async move {
            let mut hourly = tokio::time::interval(std::time::Duration::from_secs(3600));
            hourly.tick().await; // the first tick is now: start already reconciled or seeded
            loop {
                hourly.tick().await;
                let (Some(store), Some(scheduler)) = (store.upgrade(), scheduler.upgrade()) else {
                    return;
                };
                if let Err(e) = reconcile_all(&store, &*scheduler, clock.now()).await {
                    tracing::warn!(error = %e, "nudge reconciliation failed; next in an hour");
                }
            }
        });
    }
    let photos = photos::FolderPhotos::new(config.data.join("photos"), &config.app_url)
        .map_err(|e| secrets::SecretsError::Invalid(e.to_string()))?;
    let mut state = api::AppState::new(auth.clone(), store.clone(), scheduler.clone(), feed, clock)
        .with_photos(Arc::new(photos.clone()));
    state.vapid_public_key = Some(vapid.public_key().to_string());
    let router = router(
        config,
        auth.clone(),
        state,
        dev::DevState {
            outbox: outbox.clone(),
            scheduler: scheduler.clone(),
            push: push_outbox,
        },
        photos,
    );
    Ok(Local {
        router,
        store,
        outbox,
        scheduler,
        auth,
    })
}

fn router(
    config: &Config,
    auth: Arc<Auth>,
    state: api::AppState,
    dev: dev::DevState,
    photos: photos::FolderPhotos,
) -> Router {
    let app = Router::new()
        .route(
            "/health",
            get(|| async { axum::Json(serde_json::json!({"status": "ok"})) }),
        )
        .merge(magic_link::router(auth))
        .merge(api::router(state))
        .merge(dev::router(dev));
    // The photo uploads sit outside the shared layers' 64 KiB body limit (a photo is up to 5 MB).
    web::layers(app)
        .merge(photos::router(photos))
        .fallback_service(static_files(&config.static_dir))
}

/// The web app as CloudFront serves it: files as they are; for a path without a file extension
/// (a route of the app), `index.html`; a missing file with an extension is a 404.
fn static_files(dir: &Path) -> Router {
    let index = ServeFile::new(dir.join("index.html"));
    let files = ServeDir::new(dir).fallback(axum::routing::get(move |uri: axum::http::Uri| {
        let index = index.clone();
        async move {
            use tower::ServiceExt;
            let last = uri.path().rsplit('/').next().unwrap_or_default();
            if last.contains('.') {
                return axum::http::StatusCode::NOT_FOUND.into_response();
            }
            let request = axum::http::Request::new(axum::body::Body::empty());
            match index.oneshot(request).await {
                Ok(r) => r.into_response(),
                Err(_) => axum::http::StatusCode::NOT_FOUND.into_response(),
            }
        }
    }));
    // As CloudFront does: compressed for a client that accepts it (gzip or br; images and
    // small files as they are), hashed build output cached for a year, the rest revalidated.
    Router::new()
        .fallback_service(files)
        .layer(axum::middleware::map_response(cache_control))
        .layer(
            tower_http::compression::CompressionLayer::new()
                .gzip(true)
                .br(true),
        )
}

/// Vite's content-hashed files (`/assets/*`) never change under their name; everything else
/// (`index.html`, `sw.js`, the manifest, icons) is asked again on every use.
async fn cache_control(
    uri: axum::http::Uri,
    mut response: axum::response::Response,
) -> axum::response::Response {
    let value = if uri.path().starts_with("/assets/") && response.status().is_success() {
        HASHED_ASSETS_CACHE_CONTROL
    } else {
        "no-cache"
    };
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static(value),
    );
    response
}

/// The same value the CDK stack gives hashed assets (`HASHED_ASSETS_CACHE_CONTROL` in
/// infra-cdk/lib/constructs/web-app.ts).
pub const HASHED_ASSETS_CACHE_CONTROL: &str = "public, max-age=31536000, immutable";

/// The portfolio file, compiled in: the local world starts from the orgs a stage is provisioned with.
pub const PORTFOLIO: &str = include_str!("../../../config/portfolio.toml");
pub const PORTFOLIO_FILE: &str = "config/portfolio.toml";

/// The demo world: the portfolio's orgs and first people, the demo's people, events for today and
/// tomorrow, their nudges.
pub async fn seed(
    store: &EmbeddedStore,
    scheduler: &dyn NudgeScheduler,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), domain::ports::StoreError> {
    let portfolio = Portfolio::parse(PORTFOLIO, PORTFOLIO_FILE).map_err(|e| {
        domain::ports::StoreError::Backend(format!("the bundled portfolio file is invalid: {e}"))
    })?;
    let world = domain::seed::demo(now, &portfolio);
    for org in &world.orgs {
        store.create_org(org).await?;
    }
    for (org_id, member) in &world.members {
        let name = world
            .orgs
            .iter()
            .find(|o| &o.id == org_id)
            .map(|o| o.name.clone())
            .unwrap_or_default();
        store
            .add_member(&OrgScope::trusted(org_id.clone()), &name, member)
            .await?;
    }
    for (org_id, vessel) in &world.vessels {
        store
            .put_vessel(&OrgScope::trusted(org_id.clone()), vessel)
            .await?;
    }
    for event in &world.events {
        store
            .create_event(&OrgScope::trusted(event.org_id.clone()), event)
            .await?;
        let grace = world
            .orgs
            .iter()
            .find(|o| o.id == event.org_id)
            .map(|o| o.safety.overdue_grace())
            .unwrap_or_default();
        schedule(scheduler, event, grace, now).await;
    }
    tracing::info!(
        orgs = world.orgs.len(),
        events = world.events.len(),
        "seeded the demo world"
    );
    Ok(())
}

/// The in-process scheduler forgets on restart, and a failed step must not wait for the next edit:
/// re-plan every pending nudge (every event still ahead or underway, however far off) at start,
/// then every hour.
async fn reconcile_all(
    store: &EmbeddedStore,
    scheduler: &dyn NudgeScheduler,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), domain::ports::StoreError> {
    let done =
        domain::nudge::reconcile(store, store, scheduler, now, domain::event::AFTER_LAST_TIME)
            .await?;
    nudge::log_reconciled(&done);
    Ok(())
}

async fn schedule(
    scheduler: &dyn NudgeScheduler,
    event: &domain::Event,
    grace: chrono::Duration,
    now: chrono::DateTime<chrono::Utc>,
) {
    for (kind, e) in domain::nudge::apply(scheduler, event, grace, now)
        .await
        .failed
    {
        tracing::warn!(event = %event.id, kind = kind.as_str(), error = %e, "nudge not planned");
    }
}
