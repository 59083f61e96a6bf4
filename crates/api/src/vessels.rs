//! The org's vessels and trucks: everyone in the org reads them, admins manage them.

use crate::{AppState, require};
use auth::Session;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use domain::ids::VesselId;
use domain::vessel::{Vessel, VesselFields, VesselKind};
use domain::{Role, ValidationErrors};
use serde::Serialize;
use web::{Json, Problem};

/// The most vessels an org keeps.
pub const MAX_VESSELS: usize = 200;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct VesselView {
    pub id: String,
    pub name: String,
    pub kind: VesselKind,
    pub registration: String,
    pub length_ft: Option<f64>,
    pub description: String,
    pub coi_max_passengers: Option<u32>,
    pub min_crew: Option<u32>,
    pub call_sign: String,
    pub mmsi: String,
    pub safety_gear: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Vessel> for VesselView {
    fn from(v: Vessel) -> Self {
        let f = v.fields;
        Self {
            id: v.id.to_string(),
            name: f.name,
            kind: f.kind,
            registration: f.registration,
            length_ft: f.length_ft,
            description: f.description,
            coi_max_passengers: f.coi_max_passengers,
            min_crew: f.min_crew,
            call_sign: f.call_sign,
            mmsi: f.mmsi,
            safety_gear: f.safety_gear,
            created_at: v.created_at,
            updated_at: v.updated_at,
        }
    }
}

fn parse_id(raw: &str) -> Result<VesselId, Problem> {
    VesselId::parse(raw).map_err(|_| Problem::not_found())
}

/// A name another vessel of the org has (case-insensitively) is a field error.
async fn check_name(
    state: &AppState,
    session: &Session,
    fields: &VesselFields,
    except: Option<&VesselId>,
) -> Result<usize, Problem> {
    let all = state.vessels.list_vessels(&session.scope).await?;
    let taken = all.iter().any(|v| {
        Some(&v.id) != except && v.fields.name.to_lowercase() == fields.name.to_lowercase()
    });
    if taken {
        return Err(Problem::validation(ValidationErrors::single(
            "name",
            "taken",
            "another vessel of the org has this name",
        )));
    }
    Ok(all.len())
}

/// The org's vessels and trucks, by name.
#[utoipa::path(get, path = "/api/vessels", tag = "vessels",
    responses((status = 200, description = "The vessels", body = Vec<VesselView>)))]
pub async fn list(
    State(state): State<AppState>,
    session: Session,
) -> Result<Json<Vec<VesselView>>, Problem> {
    let all = state.vessels.list_vessels(&session.scope).await?;
    Ok(Json(all.into_iter().map(VesselView::from).collect()))
}

/// Adds a vessel (admin).
#[utoipa::path(post, path = "/api/vessels", tag = "vessels", request_body = VesselFields,
    responses((status = 201, description = "Added", body = VesselView),
        (status = 400, description = "Field errors", body = web::ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = web::ProblemBody, content_type = "application/problem+json")))]
pub async fn create(
    State(state): State<AppState>,
    session: Session,
    Json(fields): Json<VesselFields>,
) -> Result<(StatusCode, Json<VesselView>), Problem> {
    require(&session, &[Role::Admin])?;
    let fields = fields.validate().map_err(Problem::validation)?;
    if check_name(&state, &session, &fields, None).await? >= MAX_VESSELS {
        return Err(Problem::conflict(format!(
            "an org keeps at most {MAX_VESSELS} vessels"
        )));
    }
    let now = state.clock.now();
    let vessel = Vessel {
        id: VesselId::generate(),
        fields,
        created_at: now,
        updated_at: now,
    };
    state.vessels.put_vessel(&session.scope, &vessel).await?;
    state.directory.forget(session.org());
    Ok((StatusCode::CREATED, Json(vessel.into())))
}

/// Replaces a vessel's details (admin).
#[utoipa::path(put, path = "/api/vessels/{id}", tag = "vessels", request_body = VesselFields,
    params(("id" = String, Path, description = "The vessel's id")),
    responses((status = 200, description = "Saved", body = VesselView),
        (status = 400, description = "Field errors", body = web::ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such vessel in the org", body = web::ProblemBody, content_type = "application/problem+json")))]
pub async fn replace(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    Json(fields): Json<VesselFields>,
) -> Result<Json<VesselView>, Problem> {
    require(&session, &[Role::Admin])?;
    let id = parse_id(&id)?;
    let fields = fields.validate().map_err(Problem::validation)?;
    let old = state.vessels.get_vessel(&session.scope, &id).await?;
    check_name(&state, &session, &fields, Some(&id)).await?;
    let vessel = Vessel {
        id,
        fields,
        created_at: old.created_at,
        updated_at: state.clock.now(),
    };
    state.vessels.put_vessel(&session.scope, &vessel).await?;
    state.directory.forget(session.org());
    Ok(Json(vessel.into()))
}

/// Removes a vessel (admin).
#[utoipa::path(delete, path = "/api/vessels/{id}", tag = "vessels",
    params(("id" = String, Path, description = "The vessel's id")),
    responses((status = 204, description = "Removed"),
        (status = 404, description = "No such vessel in the org", body = web::ProblemBody, content_type = "application/problem+json")))]
pub async fn remove(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<StatusCode, Problem> {
    require(&session, &[Role::Admin])?;
    let id = parse_id(&id)?;
    if !state.vessels.delete_vessel(&session.scope, &id).await? {
        return Err(Problem::not_found());
    }
    state.directory.forget(session.org());
    Ok(StatusCode::NO_CONTENT)
}
