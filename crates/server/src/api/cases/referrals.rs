//! Referrals of a case's people to organisations of the directory.

use homeward_app::AppError;
use homeward_domain::ids::OrganisationId;

use crate::exact::Id;

use super::*;

commands! {
    routes = referral_command_routes;
    make_referral,
    "/api/cases/{case_id}/referrals",
    MakeReferralIn,
    "Refer people of the case to an organisation for one need, with their consent to the referral and to the data shared",
    |b, p, app, _who| {
        // The directory says whether the organisation can take it; its refusal is
        // reported with the body's other invalid fields.
        let country = p.country("country", &b.country);
        let name = match &country {
            Some(country) => match app
                .referral_target(
                    OrganisationId(b.organisation.0),
                    b.service,
                    country,
                    "organisation",
                )
                .await
            {
                Ok(name) => Some(name),
                Err(AppError::Invalid(v)) => {
                    p.errors.extend(v);
                    None
                }
                Err(e) => return Err(e.into()),
            },
            None => None,
        };
        b.parse(&mut p, country, name).map(Command::MakeReferral)
    };
    update_referral,
    "/api/cases/{case_id}/referral-steps",
    ReferralStepIn,
    "Record a step of a referral: the organisation's answer, the service under way or delivered; closing or revoking it. A partner organisation's user records its organisation's steps on referrals addressed to it (read them at /api/partner/referrals), never closing or revoking",
    |b, p, _app, _who| b.parse(&mut p).map(Command::UpdateReferral);
    decide_referral_exception,
    "/api/cases/{case_id}/referral-exception-decisions",
    ExceptionDecisionIn,
    "Approve or refuse a referral made without consent (a programme manager other than who made it); approved, it is sent to the organisation",
    |b, p, _app, _who| b.parse(&mut p).map(Command::DecideReferralException);
}

/// Which referrals, and which page.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReferralQuery {
    /// `overdue`: sent, not answered by its due day (escalated ones too); `escalated`: not
    /// answered after twice its time, the programme manager's to chase.
    #[param(inline)]
    pub queue: homeward_app::cases::ReferralQueue,
    /// From 1 (the default).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 4294967295.0)]
    pub page: Option<u32>,
    /// From 1 to 200 (50 by default).
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<u32>,
}

/// Referrals of your offices' open cases that wait for an answer past their time today
/// (UTC), longest waiting first.
#[utoipa::path(
    get,
    path = "/api/referrals",
    tag = "cases",
    params(ReferralQuery),
    responses(
        (status = 200, description = "A page of referrals", body = PageOut<homeward_app::cases::ReferralDue>),
        (status = 422, description = "Invalid page", body = ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub async fn referrals_waiting(
    State(state): State<AppState>,
    Auth(who): Auth,
    crate::extract::ApiQuery(q): crate::extract::ApiQuery<ReferralQuery>,
) -> ApiResult<Json<PageOut<homeward_app::cases::ReferralDue>>> {
    let page = page_request(q.page, q.per_page)?;
    let today = homeward_app::now().date_naive();
    let result = state
        .app
        .referrals_waiting(&who, None, q.queue, today, page)
        .await?;
    Ok(Json(PageOut {
        items: result.items,
        page: page.page,
        per_page: page.per_page,
        total: result.total,
        total_exact: result.total_exact,
    }))
}

/// Issues a single-use answer link for a referral, for an organisation without an
/// account: whoever opens `/r/<secret>` sees the referral as shared (only the data the
/// people consented to) and records one answer. It expires after the days the
/// organisation has to answer (30 at most). The secret is shown once; only its hash is
/// kept. Issued by the roles that record a referral's steps, in the office that leads.
#[utoipa::path(
    post,
    path = "/api/cases/{case_id}/referrals/{referral_id}/links",
    tag = "lifecycle",
    params(
        ("case_id" = Uuid, Path, description = "The case"),
        ("referral_id" = Uuid, Path, description = "The referral"),
    ),
    responses(
        (status = 201, description = "The link, shown once", body = homeward_app::links::IssuedLink),
        (status = 403, description = "Your role or office may not answer for this referral", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 404, description = "No such case or referral for you", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 422, description = "The referral waits for nothing from the organisation", body = ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub async fn issue_referral_link(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiPath((Id(case_id), Id(referral_id))): ApiPath<(Id, Id)>,
) -> ApiResult<(StatusCode, Json<homeward_app::links::IssuedLink>)> {
    let issued = state
        .app
        .issue_referral_link(
            &who,
            homeward_domain::ids::CaseId(case_id),
            homeward_domain::ids::ReferralId(referral_id),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(issued)))
}

/// How many links were withdrawn.
#[derive(Debug, Serialize, ToSchema)]
pub struct LinksWithdrawn {
    pub withdrawn: u64,
}

/// Withdraws every answer link of a referral that still works (one sent to the wrong
/// address, say); the referral itself stays as it is.
#[utoipa::path(
    delete,
    path = "/api/cases/{case_id}/referrals/{referral_id}/links",
    tag = "lifecycle",
    params(
        ("case_id" = Uuid, Path, description = "The case"),
        ("referral_id" = Uuid, Path, description = "The referral"),
    ),
    responses(
        (status = 200, description = "How many links were withdrawn", body = LinksWithdrawn),
        (status = 403, description = "Your role or office may not answer for this referral", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 404, description = "No such case or referral for you", body = ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub async fn withdraw_referral_links(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiPath((Id(case_id), Id(referral_id))): ApiPath<(Id, Id)>,
) -> ApiResult<Json<LinksWithdrawn>> {
    let withdrawn = state
        .app
        .withdraw_referral_links(&who, CaseId(case_id), ReferralId(referral_id))
        .await?;
    Ok(Json(LinksWithdrawn { withdrawn }))
}
