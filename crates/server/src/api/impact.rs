//! The programme report "impact on beneficiaries": returnees' survey scores by dimension
//! and overall, by time since return, per survey version.

use axum::Json;
use axum::extract::State;
use homeward_app::impact::ImpactReport;
use homeward_domain::ids::ProgrammeId;
use homeward_store::ScoreBy;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::exact::Id;
use crate::extract::{ApiPath, ApiQuery, Auth};
use crate::problem::{ApiResult, ProblemDoc};
use crate::state::AppState;

/// What the tables group returnees by, besides the band of time since return.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ImpactBy {
    Nothing,
    ReturnCountry,
    Sex,
    AgeGroup,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ImpactQuery {
    /// `nothing` when absent.
    #[param(inline)]
    pub by: Option<ImpactBy>,
}

/// Returnees' reintegration scores (0 to 1) by dimension and overall, by time since
/// return, per survey version (its weights stated), grouped by country of return, sex or
/// age group. For the readers of the statistics; a protected reader (donor, auditor,
/// administrator) reads surveys answered up to the last settled month, and no group of
/// fewer returnees than the threshold (`null`), nor any from which one would follow.
#[utoipa::path(get, path = "/api/programmes/{programme_id}/impact", tag = "statistics",
    params(("programme_id" = Uuid, Path), ImpactQuery),
    responses(
        (status = 200, description = "The report", body = ImpactReport),
        (status = 403, description = "Not a role that reads statistics", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 404, description = "No such programme", body = ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session_cookie" = [])))]
pub async fn impact(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiPath(Id(id)): ApiPath<Id>,
    ApiQuery(q): ApiQuery<ImpactQuery>,
) -> ApiResult<Json<ImpactReport>> {
    let by = match q.by.unwrap_or(ImpactBy::Nothing) {
        ImpactBy::Nothing => ScoreBy::Nothing,
        ImpactBy::ReturnCountry => ScoreBy::ReturnCountry,
        ImpactBy::Sex => ScoreBy::Sex,
        ImpactBy::AgeGroup => ScoreBy::AgeGroup,
    };
    Ok(Json(
        state.app.impact_report(&who, ProgrammeId(id), by).await?,
    ))
}
