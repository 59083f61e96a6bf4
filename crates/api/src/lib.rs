//! The crew and admin API, `/api/*`: one axum router, served by `lambda_http` in the api Lambda
//! and by the local server on localhost.
//!
//! Invariants: every handler takes its org from the verified [`Session`] (never from the path,
//! query, body or a header); another org's record answers 404; request bodies reject unknown
//! fields, so `role`, `org_id`, `id`, `version` or `created_by` cannot be mass-assigned; every
//! error is `application/problem+json`.

mod calendar;
mod directory;
mod events;
mod float_plan;
mod people;
mod phones;
pub mod photos;
mod reports;
mod sign_off;
mod vessels;
pub mod views;

use auth::{Auth, Session};
use axum::Router;
use axum::extract::FromRef;
use axum::routing::{get, post, put};
use domain::Role;
use domain::ports::{
    CalendarStore, Clock, DomainEvents, EventStore, MemberStore, NudgeScheduler, OrgStore,
    PushStore, ReportStore, VesselStore,
};
use std::sync::Arc;
use web::Problem;

/// What the handlers share: ports, the auth service, the clock. Built once per process.
#[derive(Clone)]
pub struct AppState {
    pub auth: Arc<Auth>,
    pub orgs: Arc<dyn OrgStore>,
    pub members: Arc<dyn MemberStore>,
    pub events: Arc<dyn EventStore>,
    pub reports: Arc<dyn ReportStore>,
    pub calendars: Arc<dyn CalendarStore>,
    pub pushes: Arc<dyn PushStore>,
    pub vessels: Arc<dyn VesselStore>,
    /// Where task photos are stored (S3, or a folder locally); [`photos::NoPhotoStorage`] until
    /// [`AppState::with_photos`] sets one.
    pub photos: Arc<dyn domain::ports::PhotoStorage>,
    /// The VAPID public key phones subscribe with; `None` where this server sends no push.
    pub vapid_public_key: Option<String>,
    pub scheduler: Arc<dyn NudgeScheduler>,
    pub publisher: Arc<dyn DomainEvents>,
    pub clock: Arc<dyn Clock>,
    pub(crate) directory: Arc<directory::Directory>,
}

impl AppState {
    /// All store ports from one adapter.
    pub fn new<S: domain::ports::Store + 'static>(
        auth: Arc<Auth>,
        store: Arc<S>,
        scheduler: Arc<dyn NudgeScheduler>,
        publisher: Arc<dyn DomainEvents>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            auth,
            orgs: store.clone(),
            members: store.clone(),
            events: store.clone(),
            reports: store.clone(),
            calendars: store.clone(),
            pushes: store.clone(),
            vessels: store,
            photos: Arc::new(photos::NoPhotoStorage),
            vapid_public_key: None,
            scheduler,
            publisher,
            clock,
            directory: Arc::default(),
        }
    }
}

impl AppState {
    /// With task photos stored in `photos`.
    pub fn with_photos(mut self, photos: Arc<dyn domain::ports::PhotoStorage>) -> Self {
        self.photos = photos;
        self
    }
}

impl FromRef<AppState> for Arc<Auth> {
    fn from_ref(state: &AppState) -> Self {
        state.auth.clone()
    }
}

/// The `/api` router.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/api/me", get(people::me))
        .route(
            "/api/me/calendar",
            get(calendar::status)
                .post(calendar::create)
                .delete(calendar::revoke),
        )
        .route(
            "/api/me/notifications",
            get(phones::show).put(phones::set_preference),
        )
        .route("/api/me/phones", post(phones::add))
        .route("/api/me/phones/{id}", axum::routing::delete(phones::remove))
        // The calendar feed: a public path, its token is the credential.
        .route("/cal/{file}", get(calendar::feed))
        .route("/api/events", get(events::list).post(events::create))
        .route("/api/events/{id}", get(events::show).patch(events::edit))
        .route("/api/events/{id}/cancel", post(events::cancel))
        .route("/api/events/{id}/departed", post(events::departed))
        .route("/api/events/{id}/returned", post(events::returned))
        .route("/api/events/{id}/timing", get(events::timing))
        .route("/api/events/{id}/sign-off", post(sign_off::sign_off))
        .route(
            "/api/events/{id}/overdue/acknowledge",
            post(events::acknowledge_overdue),
        )
        .route(
            "/api/events/{id}/float-plan",
            get(float_plan::show).post(float_plan::send_now),
        )
        .route("/api/events/{id}/tasks/{task_id}", put(events::tick))
        .route(
            "/api/events/{id}/tasks/{task_id}/photos",
            post(photos::upload),
        )
        .route("/api/templates", get(people::templates))
        .route("/api/vessels", get(vessels::list).post(vessels::create))
        .route(
            "/api/vessels/{id}",
            put(vessels::replace).delete(vessels::remove),
        )
        .route(
            "/api/members",
            get(people::list_members).post(people::add_member),
        )
        .route(
            "/api/members/{email}",
            axum::routing::patch(people::edit_member).delete(people::remove_member),
        )
        .route("/api/org", get(people::show_org).patch(people::edit_org))
        .route("/api/reports/weekly", get(reports::weekly))
        .route(
            "/api/unsubscribe",
            get(reports::unsubscribe_page).post(reports::unsubscribe),
        )
        .route("/api/openapi.json", get(openapi_json))
        // Unknown /api paths are problem+json 404s, not the web app's page (no router fallback,
        // so the local server can merge this router with others).
        .route(
            "/api/{*rest}",
            axum::routing::any(|| async { Problem::not_found() }),
        )
        .with_state(state)
}

/// The router as the api Lambda serves it: the shared layers, and first of all the origin check,
/// so a request that did not come through CloudFront is refused before authentication or any
/// store access. The local server mounts [`router`] without it.
pub fn lambda_app(state: AppState, origin: Arc<web::OriginCheck>) -> Router {
    web::layers(web::require_origin(router(state), origin))
}

/// Refuses unless the session's role is one of `allowed`.
pub(crate) fn require(session: &Session, allowed: &[Role]) -> Result<(), Problem> {
    if allowed.contains(&session.role) {
        Ok(())
    } else {
        Err(Problem::forbidden())
    }
}

/// docs/openapi.json, compiled in: the document [`openapi_document`] generates, kept equal to it by
/// `tests/openapi.rs`. Served as bytes, so no Lambda builds it per request or links the generator.
pub const OPENAPI_JSON: &str = include_str!("../../../docs/openapi.json");

async fn openapi_json() -> axum::response::Response {
    use axum::response::IntoResponse;
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        OPENAPI_JSON,
    )
        .into_response()
}

/// The whole OpenAPI 3.1 document (`/api` and `/auth`), generated from the handlers and types.
pub fn openapi_document() -> String {
    use utoipa::OpenApi;
    let mut doc = ApiDoc::openapi();
    doc.merge(magic_link::AuthApi::openapi());
    doc.to_pretty_json().unwrap_or_else(|_| "{}".into())
}

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        // Every operation that needs a token can answer 401; say so once, here.
        use utoipa::openapi::{RefOr, ResponseBuilder, content::ContentBuilder};
        for (path, item) in openapi.paths.paths.iter_mut() {
            let public = path == "/auth/magic-link"
                || path == "/auth/exchange"
                || path == "/api/unsubscribe"
                || path == "/api/openapi.json"
                || path == "/cal/{file}";
            if public {
                continue;
            }
            for op in [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.patch,
                &mut item.delete,
            ]
            .into_iter()
            .flatten()
            {
                op.responses
                    .responses
                    .entry("401".into())
                    .or_insert_with(|| {
                        RefOr::T(
                            ResponseBuilder::new()
                                .description(
                                    "Not signed in, or the token is invalid, expired or revoked",
                                )
                                .content(
                                    "application/problem+json",
                                    ContentBuilder::new()
                                        .schema(Some(utoipa::openapi::Ref::from_schema_name(
                                            "ProblemBody",
                                        )))
                                        .build(),
                                )
                                .build(),
                        )
                    });
            }
        }
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "shipcaptaincrew",
        description = "Crew operations and executive reporting. Every /api route needs `Authorization: Bearer <token>` from /auth/exchange; the org is the token's. Errors are RFC 9457 application/problem+json.",
        version = "0.0.0"
    ),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
    paths(
        people::me, calendar::status, calendar::create, calendar::revoke, calendar::feed,
        phones::show, phones::set_preference, phones::add, phones::remove,
        vessels::list, vessels::create, vessels::replace, vessels::remove,
        events::list, events::create, events::show, events::edit, events::cancel,
        events::departed, events::returned, sign_off::sign_off, events::timing, events::tick,
        float_plan::show, float_plan::send_now, events::acknowledge_overdue, photos::upload,
        people::templates, people::list_members, people::add_member, people::edit_member,
        people::remove_member, people::show_org, people::edit_org,
        reports::weekly, reports::unsubscribe,
    ),
    components(schemas(
        views::Me, views::OrgSummary, calendar::CalendarFeedStatus, calendar::NewCalendarFeed,
        phones::PhoneView, phones::NotificationSettings, phones::PreferencePatch, phones::NewPhone,
        phones::SubscriptionKeys, domain::ports::NotifyPreference,
        vessels::VesselView, domain::vessel::VesselFields, domain::vessel::VesselKind, views::EventPage, views::EventSummary, views::EventView, views::Headcount, views::OverdueView, domain::event::Passengers,
        photos::PhotoUploadRequest, photos::PhotoUpload, photos::PhotoUrls,
        domain::ports::PresignedUpload, domain::photo::PhotoRef, domain::photo::PhotoType,
        float_plan::FloatPlanView, float_plan::FloatPlanRecipient, float_plan::FloatPlanSent,
        domain::float_plan::FloatPlan, domain::float_plan::Section, domain::float_plan::Line,
        domain::org::SafetySettings, domain::org::ShoreContact, domain::org::CoastGuard,
        views::Checklist, views::ChecklistPhase, views::ChecklistTask, views::CrewView,
        views::TickResult, views::MemberView, views::OrgView, views::HomePortView,
        events::TickRequest, events::ActualTime, events::Departure, sign_off::SignOffRequest,
        views::DepartureCheck, views::SignOffView, views::SignOffStatus, views::OpenTaskView, domain::event::SignOff, people::NewMember, people::MemberPatch, people::OrgPatch, people::SafetyPatch, people::ShoreContactFields,
        domain::event::EventFields, domain::event::EventPatch, domain::event::CrewFields,
        domain::timing::TimingPanel, domain::timing::TaskTiming, domain::timing::Moment,
        domain::checklist::Template, web::ProblemBody,
        reports::WeeklyReport, reports::KpisView, reports::Unsubscribed, reports::ReportData,
        domain::report::Operations, domain::report::Safety, domain::report::Crew, domain::report::Finance,
        domain::report::ExecutiveSummary, domain::report::OrgComparison, domain::report::Kpis,
        domain::report::Exception, domain::report::KindStatusCount, domain::report::Completion,
        domain::report::SafetyMiss, domain::report::OpenAtDeparture, domain::report::OverdueReturn, domain::report::CrewLine,
        domain::report::ShortOfCrew, domain::report::Utilisation, domain::Role, domain::error::FieldError,
    ))
)]
struct ApiDoc;
