//! Notes and photos on tasks. A photo's bytes never pass through here: the phone asks for upload
//! URLs (`POST /api/events/{id}/tasks/{task}/photos`, signed by the `PhotoStorage` port with the
//! type and exact length), PUTs the full image and its thumbnail to storage, then names the photo
//! in its tick; the tick is refused unless both are stored. Views carry short-lived download URLs.
//! Keys sit under the event's org and event, so another org's photo cannot be named, only 404.

use crate::{AppState, require};
use auth::Session;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Duration, Utc};
use domain::photo::{self, MAX_NOTE, MAX_PHOTOS_PER_TASK, PhotoId, PhotoRef, PhotoSize, PhotoType};
use domain::ports::{PhotoError, PhotoStorage, PresignedUpload};
use domain::{Event, Role, TaskId, ValidationErrors};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use web::{Json, Problem};

/// How long an upload URL works: long enough for a slow connection on a dock.
pub const UPLOAD_VALID_FOR: Duration = Duration::minutes(15);
/// How long a view's photo URLs work: a crew screen left open for a trip.
pub const DOWNLOAD_VALID_FOR: Duration = Duration::hours(6);

/// Storage for a server without one configured: every call says so.
pub struct NoPhotoStorage;

#[async_trait::async_trait]
impl PhotoStorage for NoPhotoStorage {
    async fn upload_url(
        &self,
        _: &str,
        _: &str,
        _: u64,
        _: Duration,
    ) -> Result<PresignedUpload, PhotoError> {
        Err(PhotoError::Unavailable(
            "no photo storage configured".into(),
        ))
    }
    async fn download_url(&self, _: &str, _: Duration) -> Result<String, PhotoError> {
        Err(PhotoError::Unavailable(
            "no photo storage configured".into(),
        ))
    }
    async fn size(&self, _: &str) -> Result<Option<u64>, PhotoError> {
        Err(PhotoError::Unavailable(
            "no photo storage configured".into(),
        ))
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PhotoUploadRequest {
    /// `image/jpeg`, `image/png` or `image/webp`.
    pub content_type: String,
    /// The full image's exact size in bytes (at most 5 MB).
    pub bytes: u64,
    /// The thumbnail's exact size in bytes (at most 256 KB).
    pub thumb_bytes: u64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PhotoUpload {
    /// Name this in the tick's `photos` once both uploads are done.
    pub photo: PhotoRef,
    /// PUT the full image here with exactly these headers.
    pub upload: PresignedUpload,
    /// PUT the thumbnail here with exactly these headers.
    pub thumb_upload: PresignedUpload,
    pub expires_at: DateTime<Utc>,
}

/// Where a photo can be seen, for a while.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PhotoUrls {
    pub url: String,
    pub thumb_url: String,
}

/// Upload URLs for one photo of a task (crew on the event, its captain, admins).
#[utoipa::path(post, path = "/api/events/{id}/tasks/{task_id}/photos", tag = "events", request_body = PhotoUploadRequest,
    params(("id" = String, Path, description = "Event id"), ("task_id" = String, Path, description = "Task id from the template")),
    responses(
        (status = 201, description = "Upload URLs for the photo and its thumbnail, valid 15 minutes", body = PhotoUpload),
        (status = 400, description = "Type or sizes refused, each named", body = web::ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such event or task", body = web::ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "The event is cancelled, or its checklist signed off", body = web::ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn upload(
    State(state): State<AppState>,
    session: Session,
    Path((id, task_id)): Path<(String, String)>,
    Json(body): Json<PhotoUploadRequest>,
) -> Result<(StatusCode, Json<PhotoUpload>), Problem> {
    require(&session, &[Role::Crew, Role::Captain, Role::Admin])?;
    let event = crate::events::load(&state, &session, &id).await?;
    let task =
        TaskId::parse(&task_id).map_err(|_| Problem::not_found().with_detail("no such task"))?;
    let Some(def) = event.template().task(&task) else {
        return Err(Problem::not_found().with_detail("no such task"));
    };
    crate::events::may_tick(&session, &event, def)?;
    // Photos go with ticks: taken until the checklist closes (post-trip tasks such as a weigh
    // ticket come after the return).
    if !event.checklist_open() {
        return Err(crate::sign_off::closed(&event));
    }
    let mut errors = ValidationErrors::new();
    let content_type = errors.absorb("content_type", PhotoType::parse(&body.content_type));
    if let Err(e) = photo::check_sizes(body.bytes, body.thumb_bytes) {
        errors.0.extend(e.0);
    }
    let Some(content_type) = content_type.filter(|_| errors.is_empty()) else {
        return Err(Problem::validation(errors));
    };
    let photo = PhotoRef {
        id: PhotoId::generate(),
        content_type,
    };
    let ct = content_type.content_type();
    let full = photo.key(&event.org_id, &event.id, PhotoSize::Full);
    let thumb = photo.key(&event.org_id, &event.id, PhotoSize::Thumb);
    let upload = state
        .photos
        .upload_url(&full, ct, body.bytes, UPLOAD_VALID_FOR)
        .await?;
    let thumb_upload = state
        .photos
        .upload_url(&thumb, ct, body.thumb_bytes, UPLOAD_VALID_FOR)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(PhotoUpload {
            photo,
            upload,
            thumb_upload,
            expires_at: state.clock.now() + UPLOAD_VALID_FOR,
        }),
    ))
}

/// A tick's note, trimmed; a long one or one with control characters is a field error.
pub(crate) fn check_note(errors: &mut ValidationErrors, raw: &str) -> String {
    let note = raw.trim();
    if note.chars().count() > MAX_NOTE {
        errors.push(
            "note",
            "length",
            format!("a note is at most {MAX_NOTE} characters"),
        );
    }
    if note.chars().any(|c| c.is_control() && c != '\n') {
        errors.push(
            "note",
            "invalid_characters",
            "a note has control characters",
        );
    }
    note.to_string()
}

/// The tick's photos: at most three, none twice, each stored (full image and thumbnail) under
/// this event, within the size limits.
pub(crate) async fn check_uploaded(
    state: &AppState,
    event: &Event,
    photos: &[PhotoRef],
    errors: &mut ValidationErrors,
) -> Result<(), Problem> {
    if photos.len() > MAX_PHOTOS_PER_TASK {
        errors.push(
            "photos",
            "too_many",
            format!("at most {MAX_PHOTOS_PER_TASK} photos on a task"),
        );
        return Ok(());
    }
    for (i, p) in photos.iter().enumerate() {
        if photos[..i].iter().any(|q| q.id == p.id) {
            errors.push(
                format!("photos/{i}"),
                "duplicate",
                "this photo is named twice",
            );
            continue;
        }
        for size in [PhotoSize::Full, PhotoSize::Thumb] {
            let key = p.key(&event.org_id, &event.id, size);
            match state.photos.size(&key).await? {
                Some(n) if n > 0 && n <= PhotoRef::max_bytes(size) => {}
                Some(_) => {
                    errors.push(
                        format!("photos/{i}"),
                        "too_large",
                        "the stored photo is over the limit",
                    );
                    break;
                }
                None => {
                    errors.push(
                        format!("photos/{i}"),
                        "not_uploaded",
                        "this photo (or its thumbnail) is not uploaded yet",
                    );
                    break;
                }
            }
        }
    }
    Ok(())
}

/// Download URLs for every photo the event's tasks and history name.
pub(crate) async fn urls(
    state: &AppState,
    event: &Event,
) -> Result<BTreeMap<String, PhotoUrls>, Problem> {
    let mut named: Vec<&PhotoRef> = event.tasks.values().flat_map(|s| s.photos.iter()).collect();
    for entry in &event.audit {
        if let domain::event::AuditAction::TaskDone { photos, .. }
        | domain::event::AuditAction::TaskUndone { photos, .. } = &entry.action
        {
            named.extend(photos.iter());
        }
    }
    let mut out = BTreeMap::new();
    for p in named {
        if out.contains_key(p.id.as_str()) {
            continue;
        }
        let url = state
            .photos
            .download_url(
                &p.key(&event.org_id, &event.id, PhotoSize::Full),
                DOWNLOAD_VALID_FOR,
            )
            .await?;
        let thumb_url = state
            .photos
            .download_url(
                &p.key(&event.org_id, &event.id, PhotoSize::Thumb),
                DOWNLOAD_VALID_FOR,
            )
            .await?;
        out.insert(p.id.to_string(), PhotoUrls { url, thumb_url });
    }
    Ok(out)
}
