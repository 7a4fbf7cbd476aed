//! Offices, programmes, users and the audit log.

use homeward_domain::values::{CountryCode, ShortText, TimeZone};
use std::collections::BTreeSet;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use homeward_app::admin::{ChainReport, NewUser, OfficeView, UserView};
use homeward_app::input::Spelling;
use homeward_domain::access::Role;
use homeward_domain::ids::{OfficeId, OrganisationId, ProgrammeId, UserId};
use homeward_domain::programme::{Programme, ProgrammeSettings};
use homeward_store::UserChange;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::cases::{PageOut, page_request};
use crate::exact::Id;
use crate::extract::{ApiJson, ApiPath, ApiQuery, Auth};
use crate::problem::{ApiResult, ProblemDoc};
use crate::state::AppState;

/// Every office (reference data for any signed-in user).
#[utoipa::path(get, path = "/api/offices", tag = "administration",
    responses((status = 200, description = "Offices", body = Vec<OfficeView>)),
    security(("bearer" = []), ("session_cookie" = [])))]
pub async fn list_offices(
    State(state): State<AppState>,
    Auth(_who): Auth,
) -> ApiResult<Json<Vec<OfficeView>>> {
    Ok(Json(state.app.list_offices().await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OfficeIn {
    /// 2 to 10 letters or digits, used in case references (`BRU`).
    #[schema(pattern = "^[A-Za-z0-9]{2,10}$")]
    pub code: String,
    #[schema(value_type = ShortText)]
    pub name: String,
    /// ISO 3166-1 alpha-2.
    #[schema(value_type = CountryCode)]
    pub country: String,
    /// The time zone its staff enter and read times in: a name of the tz database
    /// (`Africa/Dakar`). UTC if absent.
    #[serde(default)]
    #[schema(value_type = Option<TimeZone>)]
    pub time_zone: Option<String>,
}

/// Creates an office (administrators).
#[utoipa::path(post, path = "/api/offices", tag = "administration", request_body = OfficeIn,
    responses(
        (status = 201, description = "Created", body = OfficeView),
        (status = 403, description = "Not an administrator", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 409, description = "The code is taken", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session_cookie" = [])))]
pub async fn create_office(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiJson(b): ApiJson<OfficeIn>,
) -> ApiResult<(StatusCode, Json<OfficeView>)> {
    Ok((
        StatusCode::CREATED,
        Json(
            state
                .app
                .create_office(
                    &who,
                    &b.code,
                    &b.name,
                    &b.country,
                    b.time_zone.as_deref().unwrap_or("UTC"),
                    Spelling::Exact,
                )
                .await?,
        ),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OfficeChangeIn {
    #[schema(value_type = Option<ShortText>)]
    pub name: Option<String>,
    /// A name of the tz database (`Africa/Dakar`).
    #[schema(value_type = Option<TimeZone>)]
    pub time_zone: Option<String>,
}

/// Changes an office's name or time zone (administrators).
#[utoipa::path(patch, path = "/api/offices/{office_id}", tag = "administration", request_body = OfficeChangeIn,
    params(("office_id" = Uuid, Path)),
    responses(
        (status = 200, description = "Changed", body = OfficeView),
        (status = 403, description = "Not an administrator", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 404, description = "No such office", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session_cookie" = [])))]
pub async fn update_office(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiPath(Id(id)): ApiPath<Id>,
    ApiJson(b): ApiJson<OfficeChangeIn>,
) -> ApiResult<Json<OfficeView>> {
    Ok(Json(
        state
            .app
            .update_office(
                &who,
                OfficeId(id),
                b.name.as_deref(),
                b.time_zone.as_deref(),
                Spelling::Exact,
            )
            .await?,
    ))
}

/// Every programme and its settings (the programme's staff).
#[utoipa::path(get, path = "/api/programmes", tag = "administration",
    responses(
        (status = 200, description = "Programmes", body = Vec<Programme>),
        (status = 403, description = "A partner organisation's user", body = ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session_cookie" = [])))]
pub async fn list_programmes(
    State(state): State<AppState>,
    Auth(who): Auth,
) -> ApiResult<Json<Vec<Programme>>> {
    Ok(Json(state.app.programmes_for(&who).await?))
}

/// One programme.
#[utoipa::path(get, path = "/api/programmes/{programme_id}", tag = "administration",
    params(("programme_id" = Uuid, Path)),
    responses(
        (status = 200, description = "The programme", body = Programme),
        (status = 403, description = "A partner organisation's user", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 404, description = "No such programme", body = ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session_cookie" = [])))]
pub async fn get_programme(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiPath(Id(id)): ApiPath<Id>,
) -> ApiResult<Json<Programme>> {
    Ok(Json(
        state
            .app
            .programme_for_reader(&who, ProgrammeId(id))
            .await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgrammeIn {
    #[schema(value_type = ShortText)]
    pub code: String,
    #[schema(value_type = ShortText)]
    pub name: String,
    pub settings: ProgrammeSettings,
}

/// Creates a programme (administrators).
#[utoipa::path(post, path = "/api/programmes", tag = "administration", request_body = ProgrammeIn,
    responses(
        (status = 201, description = "Created", body = Programme),
        (status = 403, description = "Not an administrator", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 409, description = "The programme code is taken", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session_cookie" = [])))]
pub async fn create_programme(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiJson(b): ApiJson<ProgrammeIn>,
) -> ApiResult<(StatusCode, Json<Programme>)> {
    Ok((
        StatusCode::CREATED,
        Json(
            state
                .app
                .create_programme(Some(&who), &b.code, &b.name, b.settings)
                .await?,
        ),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgrammeChangeIn {
    #[schema(value_type = Option<ShortText>)]
    pub name: Option<String>,
    pub settings: Option<ProgrammeSettings>,
}

/// Changes a programme's name or settings (administrators).
#[utoipa::path(put, path = "/api/programmes/{programme_id}", tag = "administration", request_body = ProgrammeChangeIn,
    params(("programme_id" = Uuid, Path)),
    responses(
        (status = 200, description = "Changed", body = Programme),
        (status = 403, description = "Not an administrator", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 404, description = "No such programme", body = ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session_cookie" = [])))]
pub async fn update_programme(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiPath(Id(id)): ApiPath<Id>,
    ApiJson(b): ApiJson<ProgrammeChangeIn>,
) -> ApiResult<Json<Programme>> {
    Ok(Json(
        state
            .app
            .update_programme(&who, ProgrammeId(id), b.name.as_deref(), b.settings)
            .await?,
    ))
}

/// Every user (administrators).
#[utoipa::path(get, path = "/api/users", tag = "administration",
    responses((status = 200, description = "Users", body = Vec<UserView>), (status = 403, description = "Not an administrator", body = ProblemDoc, content_type = "application/problem+json")),
    security(("bearer" = []), ("session_cookie" = [])))]
pub async fn list_users(
    State(state): State<AppState>,
    Auth(who): Auth,
) -> ApiResult<Json<Vec<UserView>>> {
    Ok(Json(state.app.list_users(&who).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserIn {
    #[schema(pattern = "^[A-Za-z0-9._-]{3,64}$")]
    pub username: String,
    #[schema(value_type = ShortText)]
    pub display_name: String,
    pub roles: BTreeSet<Role>,
    #[serde(default)]
    pub offices: BTreeSet<Id>,
    /// A partner user's organisation in the directory (required with role `partner`,
    /// which has no other role and no office; absent for everyone else).
    pub organisation: Option<Id>,
    /// At least 12 characters; generated and returned once when absent.
    #[schema(min_length = 12)]
    pub password: Option<String>,
}

impl UserIn {
    /// `homeward_domain::access::account_violations` in JSON Schema, so that the
    /// document says what a new account may be: `if` it has the role `partner`, `then`
    /// no other role, no office, and its organisation; `else` no organisation. (A change
    /// to an account is checked against what is stored, which no schema can say.)
    pub fn conditions() -> serde_json::Value {
        serde_json::json!([{
            "if": {"properties": {"roles": {"contains": {"const": "partner"}}}, "required": ["roles"]},
            "then": {
                "properties": {
                    "roles": {"maxItems": 1},
                    "offices": {"maxItems": 0},
                    "organisation": {"type": "string"},
                },
                "required": ["organisation"],
            },
            "else": {"properties": {"organisation": {"type": "null"}}},
        }])
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserCreated {
    pub user: UserView,
    /// The generated password, shown once (absent when you chose one).
    pub password: Option<String>,
}

/// Creates a user (administrators).
#[utoipa::path(post, path = "/api/users", tag = "administration", request_body = UserIn,
    responses(
        (status = 201, description = "Created", body = UserCreated),
        (status = 403, description = "Not an administrator", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 409, description = "The user name is taken", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session_cookie" = [])))]
pub async fn create_user(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiJson(b): ApiJson<UserIn>,
) -> ApiResult<(StatusCode, Json<UserCreated>)> {
    let chose = b.password.is_some();
    let (user, password) = state
        .app
        .create_user(
            Some(&who),
            NewUser {
                username: b.username,
                display_name: b.display_name,
                roles: b.roles,
                offices: b.offices.into_iter().map(|Id(id)| OfficeId(id)).collect(),
                organisation: b.organisation.map(|Id(id)| OrganisationId(id)),
                password: b.password,
            },
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(UserCreated {
            user,
            password: (!chose).then_some(password),
        }),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserChangeIn {
    #[schema(value_type = Option<ShortText>)]
    pub display_name: Option<String>,
    pub active: Option<bool>,
    pub roles: Option<BTreeSet<Role>>,
    pub offices: Option<BTreeSet<Id>>,
    /// A partner user's organisation; `null` takes the user out of its organisation.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Uuid>, nullable)]
    pub organisation: Option<Option<Id>>,
    /// A new password (at least 12 characters); ends the user's sessions.
    #[schema(min_length = 12)]
    pub password: Option<String>,
}

/// A field that may be sent as `null`: present (`Some`), null or not.
fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// Changes a user (administrators). Changing roles, offices, the password or
/// deactivating ends the user's sessions.
#[utoipa::path(patch, path = "/api/users/{user_id}", tag = "administration", request_body = UserChangeIn,
    params(("user_id" = Uuid, Path)),
    responses(
        (status = 200, description = "Changed", body = UserView),
        (status = 403, description = "Not an administrator", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 404, description = "No such user", body = ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session_cookie" = [])))]
pub async fn update_user(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiPath(Id(id)): ApiPath<Id>,
    ApiJson(b): ApiJson<UserChangeIn>,
) -> ApiResult<Json<UserView>> {
    let change = UserChange {
        display_name: b.display_name,
        active: b.active,
        roles: b.roles,
        offices: b
            .offices
            .map(|o| o.into_iter().map(|Id(id)| OfficeId(id)).collect()),
        organisation: b.organisation.map(|o| o.map(|Id(id)| OrganisationId(id))),
        password_hash: None,
    };
    Ok(Json(
        state
            .app
            .update_user(&who, UserId(id), change, b.password)
            .await?,
    ))
}

/// An entry of the audit log.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryOut {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor: Option<Uuid>,
    pub action: String,
    pub case_id: Option<Uuid>,
    /// JSON text.
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// From 1 (the default).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 4294967295.0)]
    pub page: Option<u32>,
    /// From 1 to 200 (50 by default).
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<u32>,
}

/// The audit log, newest first (auditors and administrators).
#[utoipa::path(get, path = "/api/audit", tag = "audit", params(PageQuery),
    responses(
        (status = 200, description = "A page of entries", body = PageOut<AuditEntryOut>),
        (status = 403, description = "Not an auditor", body = ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session_cookie" = [])))]
pub async fn audit_log(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<PageOut<AuditEntryOut>>> {
    let page = page_request(q.page, q.per_page)?;
    let result = state.app.audit_log(&who, page).await?;
    Ok(Json(PageOut {
        items: result
            .items
            .into_iter()
            .map(|e| AuditEntryOut {
                seq: e.seq,
                at: e.at,
                actor: e.actor,
                action: e.action,
                case_id: e.case_id,
                detail: e.detail,
                prev_hash: e.prev_hash,
                hash: e.hash,
            })
            .collect(),
        page: page.page,
        per_page: page.per_page,
        total: result.total,
        total_exact: result.total_exact,
    }))
}

/// Walks the audit chain and names the first entry that does not match.
#[utoipa::path(get, path = "/api/audit/verification", tag = "audit",
    responses(
        (status = 200, description = "The result", body = ChainReport),
        (status = 403, description = "Not an auditor", body = ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session_cookie" = [])))]
pub async fn verify_audit(
    State(state): State<AppState>,
    Auth(who): Auth,
) -> ApiResult<Json<ChainReport>> {
    if !who.actor.may_read_audit() {
        return Err(homeward_app::AppError::Forbidden(
            "the audit log is for auditors and administrators".into(),
        )
        .into());
    }
    Ok(Json(state.app.verify_audit_chain().await?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use homeward_domain::access::account_violations;

    /// The document's account rule and the domain's agree on every combination of
    /// roles, offices and organisation.
    #[test]
    fn the_documented_account_rule_is_the_domains() {
        let rule =
            jsonschema::validator_for(&serde_json::json!({"allOf": UserIn::conditions()})).unwrap();
        let (office, organisation) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let role_sets = [
            vec![],
            vec![Role::Partner],
            vec![Role::Partner, Role::Counsellor],
            vec![Role::Counsellor],
            vec![Role::Counsellor, Role::Approver],
        ];
        for roles in role_sets {
            for offices in [vec![], vec![office]] {
                for org in [None, Some(organisation)] {
                    let domain = account_violations(
                        &roles.iter().copied().collect(),
                        &offices.iter().copied().map(OfficeId).collect(),
                        org.map(OrganisationId),
                    );
                    let mut body = serde_json::json!({"roles": roles, "offices": offices});
                    if let Some(o) = org {
                        body["organisation"] = serde_json::json!(o);
                    }
                    assert_eq!(
                        rule.is_valid(&body),
                        domain.is_empty(),
                        "{body}: {domain:?}"
                    );
                    // `null` is the same as absent.
                    body["organisation"] = serde_json::json!(org);
                    assert_eq!(
                        rule.is_valid(&body),
                        domain.is_empty(),
                        "{body}: {domain:?}"
                    );
                }
            }
        }
    }
}
