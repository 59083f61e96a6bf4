//! The caller's phones for Web Push and how they want their nudges: `/api/me/notifications` and
//! `/api/me/phones`. A phone is a browser's push subscription; like the calendar feed it is the
//! person's, across all their orgs.

use crate::AppState;
use auth::Session;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Duration, Utc};
use domain::ValidationErrors;
use domain::ports::{NotifyPreference, PushDevice};
use serde::{Deserialize, Serialize};
use web::{Json, Problem};

/// A phone is forgotten this long after it last subscribed; the app subscribes again (and so
/// renews it) whenever it starts with notifications on.
pub const PHONE_TTL: Duration = Duration::days(60);
/// The most phones one person keeps; subscribing another drops the oldest.
pub const MAX_PHONES: usize = 10;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PhoneView {
    pub id: String,
    pub label: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// How the caller gets nudges, and the phones push goes to.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NotificationSettings {
    pub preference: NotifyPreference,
    /// The VAPID public key for `pushManager.subscribe` (base64url); absent where this server
    /// does not send push.
    pub vapid_public_key: Option<String>,
    pub phones: Vec<PhoneView>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreferencePatch {
    pub preference: NotifyPreference,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubscriptionKeys {
    pub p256dh: String,
    pub auth: String,
}

/// A browser's `PushSubscription.toJSON()`, and a name for the phone.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NewPhone {
    pub endpoint: String,
    pub keys: SubscriptionKeys,
    /// Shown in the caller's list ("iPhone", "Chrome on Android"); 1 to 60 characters.
    #[serde(default)]
    pub label: String,
    /// Sent by browsers (`expirationTime`); ignored: the server keeps its own expiry.
    #[serde(default, rename = "expirationTime")]
    #[allow(dead_code)]
    pub expiration_time: Option<serde_json::Value>,
}

async fn settings(state: &AppState, session: &Session) -> Result<NotificationSettings, Problem> {
    let now = state.clock.now();
    let preference = state.pushes.notify_preference(&session.email).await?;
    let phones = state
        .pushes
        .push_devices(&session.email, now)
        .await?
        .into_iter()
        .map(|d| PhoneView {
            id: d.id,
            label: d.label,
            created_at: d.created_at,
            expires_at: d.expires_at,
        })
        .collect();
    Ok(NotificationSettings {
        preference,
        vapid_public_key: state.vapid_public_key.clone(),
        phones,
    })
}

/// How the caller gets nudges, and their phones.
#[utoipa::path(get, path = "/api/me/notifications", tag = "me",
    responses((status = 200, description = "Preference and phones", body = NotificationSettings)))]
pub async fn show(
    State(state): State<AppState>,
    session: Session,
) -> Result<Json<NotificationSettings>, Problem> {
    Ok(Json(settings(&state, &session).await?))
}

/// Email, push or both. Push only still emails when no phone takes a nudge.
#[utoipa::path(put, path = "/api/me/notifications", tag = "me", request_body = PreferencePatch,
    responses((status = 200, description = "Saved", body = NotificationSettings)))]
pub async fn set_preference(
    State(state): State<AppState>,
    session: Session,
    Json(patch): Json<PreferencePatch>,
) -> Result<Json<NotificationSettings>, Problem> {
    state
        .pushes
        .set_notify_preference(&session.email, patch.preference)
        .await?;
    Ok(Json(settings(&state, &session).await?))
}

/// Adds this phone (or renews it: the same subscription keeps its id).
#[utoipa::path(post, path = "/api/me/phones", tag = "me", request_body = NewPhone,
    responses((status = 201, description = "The phone", body = PhoneView),
        (status = 400, description = "Not a usable subscription", body = web::ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "This server does not send push", body = web::ProblemBody, content_type = "application/problem+json")))]
pub async fn add(
    State(state): State<AppState>,
    session: Session,
    Json(new): Json<NewPhone>,
) -> Result<(StatusCode, Json<PhoneView>), Problem> {
    if state.vapid_public_key.is_none() {
        return Err(Problem::conflict(
            "push notifications are not set up on this server",
        ));
    }
    let sub = push::Subscription {
        endpoint: new.endpoint.trim().to_string(),
        p256dh: new.keys.p256dh.trim().to_string(),
        auth: new.keys.auth.trim().to_string(),
    };
    if let Err(e) = sub.check(push::Endpoints::HttpsOnly) {
        return Err(Problem::validation(ValidationErrors::single(
            "endpoint",
            "invalid_subscription",
            e.to_string(),
        )));
    }
    let label = new.label.trim();
    let label = if label.is_empty() {
        "This phone"
    } else {
        label
    };
    if label.chars().count() > 60 || label.chars().any(char::is_control) {
        return Err(Problem::validation(ValidationErrors::single(
            "label",
            "length",
            "a phone's name is 1 to 60 characters, without control characters",
        )));
    }
    let now = state.clock.now();
    let id = state.auth.pepper.sign("push-device", &sub.endpoint)[..22].to_string();
    let existing = state.pushes.push_devices(&session.email, now).await?;
    // Keep at most MAX_PHONES: drop the oldest others.
    let others: Vec<&PushDevice> = existing.iter().filter(|d| d.id != id).collect();
    for old in others
        .iter()
        .take((others.len() + 1).saturating_sub(MAX_PHONES))
    {
        state
            .pushes
            .remove_push_device(&session.email, &old.id)
            .await?;
    }
    let device = PushDevice {
        id: id.clone(),
        endpoint: sub.endpoint,
        p256dh: sub.p256dh,
        auth: sub.auth,
        label: label.to_string(),
        created_at: existing
            .iter()
            .find(|d| d.id == id)
            .map(|d| d.created_at)
            .unwrap_or(now),
        expires_at: now + PHONE_TTL,
    };
    state
        .pushes
        .put_push_device(&session.email, &device)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(PhoneView {
            id,
            label: device.label,
            created_at: device.created_at,
            expires_at: device.expires_at,
        }),
    ))
}

/// Stops push to one of the caller's phones.
#[utoipa::path(delete, path = "/api/me/phones/{id}", tag = "me",
    params(("id" = String, Path, description = "The phone's id")),
    responses((status = 204, description = "Removed"),
        (status = 404, description = "No such phone of the caller's", body = web::ProblemBody, content_type = "application/problem+json")))]
pub async fn remove(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<StatusCode, Problem> {
    if id.len() > 64 || !state.pushes.remove_push_device(&session.email, &id).await? {
        return Err(Problem::not_found());
    }
    Ok(StatusCode::NO_CONTENT)
}
