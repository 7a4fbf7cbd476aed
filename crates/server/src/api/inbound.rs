//! Inbound referrals: a partner organisation (an authority too) refers a person to one of
//! the programme's offices and follows where the referral stands; the office registers
//! the person as a case, which names the referral as its source, or declines it.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use homeward_app::inbound::{InboundItem, InboundList};
use homeward_domain::ids::InboundId;
use homeward_domain::inbound::{InboundReferral, ReferrerView};
use serde::Deserialize;
use utoipa::IntoParams;

use super::cases::{PageOut, page_request, registered};
use crate::dto::{InboundDeclineIn, InboundIn, InboundRegistrationIn};
use crate::exact::Id;
use crate::extract::{ApiJson, ApiPath, ApiQuery, Auth};
use crate::problem::{ApiResult, ProblemDoc};
use crate::state::AppState;

/// Which list, and which page.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct InboundQuery {
    /// `waiting`: received, not yet decided (urgent first, then oldest first);
    /// `decided`: registered, declined or withdrawn (latest first).
    #[param(inline)]
    pub list: InboundList,
    /// From 1 (the default).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 4294967295.0)]
    pub page: Option<u32>,
    /// From 1 to 200 (50 by default).
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<u32>,
}

/// Refers a person to one of the programme's offices (partners only). The person's
/// consent to being referred is required; a child's is given with a representative.
#[utoipa::path(post, path = "/api/partner/inbound", tag = "partners",
    request_body = InboundIn,
    responses(
        (status = 201, description = "Sent", body = ReferrerView),
        (status = 400, description = "Malformed JSON", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 403, description = "Not a partner organisation's user", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session_cookie" = [])))]
pub async fn submit(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiJson(body): ApiJson<InboundIn>,
) -> ApiResult<impl IntoResponse> {
    let details = body.parse()?;
    let sent = state.app.submit_inbound(&who, details).await?;
    Ok((StatusCode::CREATED, Json(sent)))
}

/// The people your organisation referred to the programme, in one list: where each
/// stands, without their details (partners only).
#[utoipa::path(get, path = "/api/partner/inbound", tag = "partners",
    params(InboundQuery),
    responses(
        (status = 200, description = "A page of referrals", body = PageOut<ReferrerView>),
        (status = 401, description = "Not signed in", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 403, description = "Not a partner organisation's user", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 422, description = "Invalid page", body = ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session_cookie" = [])))]
pub async fn sent(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiQuery(q): ApiQuery<InboundQuery>,
) -> ApiResult<Json<PageOut<ReferrerView>>> {
    let page = page_request(q.page, q.per_page)?;
    let found = state.app.sent_inbound(&who, q.list, page).await?;
    Ok(Json(PageOut::of(page, found)))
}

/// One referral your organisation sent: where it stands, and what you sent while it
/// waits (the read is audited); nothing of the person once it is decided.
#[utoipa::path(get, path = "/api/partner/inbound/{inbound_id}", tag = "partners",
    params(("inbound_id" = Uuid, Path, description = "The inbound referral")),
    responses(
        (status = 200, description = "The referral", body = ReferrerView),
        (status = 400, description = "An id that is not a UUID", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 403, description = "Not a partner organisation's user", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 404, description = "No such referral from your organisation", body = ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session_cookie" = [])))]
pub async fn sent_one(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiPath(Id(id)): ApiPath<Id>,
) -> ApiResult<Json<ReferrerView>> {
    Ok(Json(state.app.sent_inbound_one(&who, InboundId(id)).await?))
}

/// Takes back a referral your organisation sent, while it waits (partners only).
#[utoipa::path(post, path = "/api/partner/inbound/{inbound_id}/withdrawal", tag = "partners",
    operation_id = "withdraw_inbound_referral",
    params(("inbound_id" = Uuid, Path, description = "The inbound referral")),
    responses(
        (status = 200, description = "Withdrawn", body = ReferrerView),
        (status = 400, description = "An id that is not a UUID", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 403, description = "Not a partner organisation's user", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 404, description = "No such referral from your organisation", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 422, description = "Already decided (`inbound.not_waiting`)", body = ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session_cookie" = [])))]
pub async fn withdraw(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiPath(Id(id)): ApiPath<Id>,
) -> ApiResult<Json<ReferrerView>> {
    Ok(Json(state.app.withdraw_inbound(&who, InboundId(id)).await?))
}

/// The people referred to your offices, in one list (counsellors and programme managers).
#[utoipa::path(get, path = "/api/inbound-referrals", tag = "inbound referrals",
    params(InboundQuery),
    responses(
        (status = 200, description = "A page of referrals", body = PageOut<InboundItem>),
        (status = 401, description = "Not signed in", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 403, description = "Not a counsellor or programme manager of an office", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 422, description = "Invalid page", body = ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session_cookie" = [])))]
pub async fn queue(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiQuery(q): ApiQuery<InboundQuery>,
) -> ApiResult<Json<PageOut<InboundItem>>> {
    let page = page_request(q.page, q.per_page)?;
    let found = state.app.inbound_queue(&who, q.list, page).await?;
    Ok(Json(PageOut::of(page, found)))
}

/// One referral addressed to your offices, whole; the read is audited.
#[utoipa::path(get, path = "/api/inbound-referrals/{inbound_id}", tag = "inbound referrals",
    params(("inbound_id" = Uuid, Path, description = "The inbound referral")),
    responses(
        (status = 200, description = "The referral", body = InboundReferral),
        (status = 400, description = "An id that is not a UUID", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 404, description = "No such referral for your offices", body = ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session_cookie" = [])))]
pub async fn one(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiPath(Id(id)): ApiPath<Id>,
) -> ApiResult<Json<InboundReferral>> {
    Ok(Json(
        state.app.inbound_for_office(&who, InboundId(id)).await?,
    ))
}

/// Registers the person of a waiting referral as a case (counsellors): the case names the
/// referral and its organisation as its source. A referral becomes one case at most: a
/// second registration is refused with `inbound.not_waiting`.
#[utoipa::path(post, path = "/api/inbound-referrals/{inbound_id}/registration", tag = "inbound referrals",
    params(("inbound_id" = Uuid, Path, description = "The inbound referral")),
    request_body = InboundRegistrationIn,
    responses(
        (status = 201, description = "Registered", body = homeward_app::cases::Executed, headers(("location" = String, description = "The case"))),
        (status = 400, description = "Malformed JSON, or an id that is not a UUID", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 403, description = "Not a counsellor", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, no such referral for your offices (`inbound.unknown`), or already decided (`inbound.not_waiting`)", body = ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session_cookie" = [])))]
pub async fn register(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiPath(Id(id)): ApiPath<Id>,
    ApiJson(body): ApiJson<InboundRegistrationIn>,
) -> ApiResult<impl IntoResponse> {
    let input = body.parse(InboundId(id))?;
    registered(state.app.register_case(&who, input).await?)
}

/// Declines a waiting referral, with a reason the referring organisation reads.
#[utoipa::path(post, path = "/api/inbound-referrals/{inbound_id}/decline", tag = "inbound referrals",
    params(("inbound_id" = Uuid, Path, description = "The inbound referral")),
    request_body = InboundDeclineIn,
    responses(
        (status = 200, description = "Declined", body = InboundReferral),
        (status = 400, description = "Malformed JSON, or an id that is not a UUID", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 404, description = "No such referral for your offices", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or already decided (`inbound.not_waiting`)", body = ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session_cookie" = [])))]
pub async fn decline(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiPath(Id(id)): ApiPath<Id>,
    ApiJson(body): ApiJson<InboundDeclineIn>,
) -> ApiResult<Json<InboundReferral>> {
    let (reason, note) = body.parse()?;
    Ok(Json(
        state
            .app
            .decline_inbound(&who, InboundId(id), reason, note)
            .await?,
    ))
}
