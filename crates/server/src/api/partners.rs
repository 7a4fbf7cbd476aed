//! Partner organisations' users: the referrals addressed to their organisation, and in
//! each only the data the people consented to share (`case::shared`). A partner records
//! its answers with `POST /api/cases/{case_id}/referral-steps`, which lets it take only
//! its organisation's steps on its own referrals.

use axum::Json;
use axum::extract::State;
use homeward_app::partners::{PartnerCounts, PartnerList, PartnerReferralItem};
use homeward_domain::case::shared::SharedReferral;
use homeward_domain::ids::{CaseId, ReferralId};
use serde::Deserialize;
use utoipa::IntoParams;

use super::cases::{PageOut, page_request};
use crate::exact::Id;
use crate::extract::{ApiPath, ApiQuery, Auth};
use crate::problem::{ApiResult, ProblemDoc};
use crate::state::AppState;

/// Which list, and which page.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PartnerQuery {
    /// `waiting`: sent, waiting for your answer (soonest due first); `active`: accepted
    /// or in progress; `finished`: declined, delivered, closed or revoked (latest first).
    #[param(inline)]
    pub list: PartnerList,
    /// From 1 (the default).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 4294967295.0)]
    pub page: Option<u32>,
    /// From 1 to 200 (50 by default).
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<u32>,
}

/// How many referrals your organisation has in each list (partners only).
#[utoipa::path(get, path = "/api/partner/counts", tag = "partners",
    responses(
        (status = 200, description = "Counts", body = PartnerCounts),
        (status = 401, description = "Not signed in", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 403, description = "Not a partner organisation's user", body = ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session_cookie" = [])))]
pub async fn partner_counts(
    State(state): State<AppState>,
    Auth(who): Auth,
) -> ApiResult<Json<PartnerCounts>> {
    let today = homeward_app::now().date_naive();
    Ok(Json(state.app.partner_counts(&who, today).await?))
}

/// The referrals addressed to your organisation in one list, without personal data
/// (partners only).
#[utoipa::path(get, path = "/api/partner/referrals", tag = "partners",
    params(PartnerQuery),
    responses(
        (status = 200, description = "A page of referrals", body = PageOut<PartnerReferralItem>),
        (status = 401, description = "Not signed in", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 403, description = "Not a partner organisation's user", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 422, description = "Invalid page", body = ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session_cookie" = [])))]
pub async fn partner_referrals(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiQuery(q): ApiQuery<PartnerQuery>,
) -> ApiResult<Json<PageOut<PartnerReferralItem>>> {
    let page = page_request(q.page, q.per_page)?;
    let today = homeward_app::now().date_naive();
    let found = state
        .app
        .partner_referrals(&who, q.list, today, page)
        .await?;
    Ok(Json(PageOut::of(page, found)))
}

/// One referral addressed to your organisation: what is asked, its steps, and of the
/// people referred only the groups of data they consented to share; nothing personal
/// once it is closed or revoked. Each read of personal data is in the audit log.
#[utoipa::path(get, path = "/api/partner/referrals/{case_id}/{referral_id}", tag = "partners",
    params(
        ("case_id" = Uuid, Path, description = "The case"),
        ("referral_id" = Uuid, Path, description = "The referral"),
    ),
    responses(
        (status = 200, description = "The referral as shared", body = SharedReferral),
        (status = 400, description = "An id that is not a UUID", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 403, description = "Not a partner organisation's user", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 404, description = "No such referral for your organisation", body = ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session_cookie" = [])))]
pub async fn partner_referral(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiPath((Id(case_id), Id(referral_id))): ApiPath<(Id, Id)>,
) -> ApiResult<Json<SharedReferral>> {
    Ok(Json(
        state
            .app
            .partner_referral(&who, CaseId(case_id), ReferralId(referral_id))
            .await?,
    ))
}
