//! The stakeholder directory: organisations, where they work and what they offer.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use homeward_domain::ids::OrganisationId;
use homeward_domain::organisation::{
    Organisation, OrganisationDetails, OrganisationFilter, OrganisationKind, ServiceStage,
    ServiceType,
};
use homeward_domain::values::CountryCode;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::exact::Id;
use crate::extract::{ApiJson, ApiPath, ApiQuery, Auth};
use crate::problem::{ApiResult, ProblemDoc};
use crate::state::AppState;

/// What to look for; every part is optional and they all apply.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct OrganisationQuery {
    /// Works in this country (ISO 3166-1 alpha-2).
    #[param(value_type = Option<CountryCode>)]
    pub country: Option<CountryCode>,
    /// Offers this service.
    pub service: Option<ServiceType>,
    /// Offers its services at this stage.
    pub stage: Option<ServiceStage>,
    pub kind: Option<OrganisationKind>,
    /// Words of the name (each the start of a word of the name; accents and case ignored).
    pub name: Option<String>,
    /// Also organisations no longer active.
    #[serde(default)]
    pub inactive: bool,
}

/// Organisations of the directory that match, by name (any signed-in user).
#[utoipa::path(get, path = "/api/organisations", tag = "directory",
    params(OrganisationQuery),
    responses((status = 200, description = "Organisations", body = Vec<Organisation>)),
    security(("bearer" = []), ("session_cookie" = [])))]
pub async fn list_organisations(
    State(state): State<AppState>,
    Auth(_who): Auth,
    ApiQuery(q): ApiQuery<OrganisationQuery>,
) -> ApiResult<Json<Vec<Organisation>>> {
    let filter = OrganisationFilter {
        country: q.country,
        service: q.service,
        stage: q.stage,
        kind: q.kind,
        name: q.name.filter(|n| !n.trim().is_empty()),
        inactive: q.inactive,
    };
    Ok(Json(state.app.find_organisations(&filter).await?))
}

/// Adds an organisation (administrators and programme managers).
#[utoipa::path(post, path = "/api/organisations", tag = "directory", request_body = OrganisationDetails,
    responses(
        (status = 201, description = "Added", body = Organisation),
        (status = 403, description = "Neither an administrator nor a programme manager", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session_cookie" = [])))]
pub async fn create_organisation(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiJson(b): ApiJson<OrganisationDetails>,
) -> ApiResult<(StatusCode, Json<Organisation>)> {
    Ok((
        StatusCode::CREATED,
        Json(state.app.create_organisation(Some(&who), b).await?),
    ))
}

/// One organisation.
#[utoipa::path(get, path = "/api/organisations/{organisation_id}", tag = "directory",
    params(("organisation_id" = Uuid, Path)),
    responses(
        (status = 200, description = "The organisation", body = Organisation),
        (status = 404, description = "No such organisation", body = ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session_cookie" = [])))]
pub async fn get_organisation(
    State(state): State<AppState>,
    Auth(_who): Auth,
    ApiPath(Id(id)): ApiPath<Id>,
) -> ApiResult<Json<Organisation>> {
    Ok(Json(state.app.get_organisation(OrganisationId(id)).await?))
}

/// Replaces an organisation's description (administrators and programme managers). An
/// organisation that stops working is kept, marked `"active": false`: referrals name it.
#[utoipa::path(put, path = "/api/organisations/{organisation_id}", tag = "directory", request_body = OrganisationDetails,
    params(("organisation_id" = Uuid, Path)),
    responses(
        (status = 200, description = "Changed", body = Organisation),
        (status = 403, description = "Neither an administrator nor a programme manager", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 404, description = "No such organisation", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session_cookie" = [])))]
pub async fn update_organisation(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiPath(Id(id)): ApiPath<Id>,
    ApiJson(b): ApiJson<OrganisationDetails>,
) -> ApiResult<Json<Organisation>> {
    Ok(Json(
        state
            .app
            .update_organisation(&who, OrganisationId(id), b)
            .await?,
    ))
}

/// The media type of an Excel workbook.
pub(crate) const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A request's media type, without its parameters, in lower case.
pub(crate) fn media_type(headers: &axum::http::HeaderMap) -> String {
    headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default()
}

/// An uploaded file's bytes, or a problem that says why they cannot be read.
pub(crate) fn file_body(
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<axum::body::Bytes, crate::problem::Problem> {
    use crate::problem::Problem;
    body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Problem::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too-large",
                "The body is too large",
            )
        } else {
            Problem::new(
                StatusCode::BAD_REQUEST,
                "unreadable",
                "The body cannot be read",
            )
        }
    })
}

/// Imports organisations from a directory file (administrators and programme managers):
/// CSV (`text/csv`), tab-separated text, or an Excel workbook (`.xlsx`, its first sheet;
/// lines are its row numbers), with a header line naming its columns
/// (`name`, `kind`, `countries`, `services`, `stages` required; `languages`, `contact`,
/// `email`, `phone`, `address`, `active` optional; lists inside a cell separated by `;`).
/// Every line is checked first and every problem reported at its line and column
/// (`#/line/<n>/<column>`); nothing is written unless every line is right. An
/// organisation of the same name is updated, so a file can be imported again.
#[utoipa::path(post, path = "/api/organisations/import", tag = "directory",
    request_body(description = "The directory file", content(
        (String = "text/csv"),
        (String = "text/tab-separated-values"),
        (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    )),
    responses(
        (status = 200, description = "Imported", body = homeward_app::organisations::ImportReport),
        (status = 403, description = "Neither an administrator nor a programme manager", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 422, description = "Lines with problems, each at its line and column; nothing was written", body = ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session_cookie" = [])))]
pub async fn import_organisations(
    State(state): State<AppState>,
    Auth(who): Auth,
    headers: axum::http::HeaderMap,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> ApiResult<Json<homeward_app::organisations::ImportReport>> {
    use crate::problem::Problem;
    let mime = media_type(&headers);
    let xlsx = mime == XLSX;
    if !xlsx
        && !matches!(
            mime.as_str(),
            "text/csv" | "text/tab-separated-values" | "text/plain"
        )
    {
        return Err(Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "Send the file as text/csv or as an Excel workbook",
        )
        .detail(format!(
            "the body must be text/csv, tab-separated text, or {XLSX}"
        )));
    }
    let body = file_body(body)?;
    if xlsx {
        return Ok(Json(
            state.app.import_organisations_xlsx(&who, &body).await?,
        ));
    }
    let text = std::str::from_utf8(&body).map_err(|e| {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "not-utf8",
            "The file is not UTF-8 text",
        )
        .detail(format!("at byte {}", e.valid_up_to()))
    })?;
    Ok(Json(state.app.import_organisations(&who, text).await?))
}
