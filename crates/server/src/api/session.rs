//! Signing in and out: browser sessions (cookie + CSRF token) and API tokens.

use homeward_domain::values::ShortText;
use std::collections::BTreeSet;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use homeward_app::Principal;
use homeward_app::auth::SessionKind;
use homeward_domain::access::Role;
use homeward_domain::ids::{OfficeId, UserId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::extract::{ApiJson, Auth, ClientAddr, SESSION_COOKIE, is_https};
use crate::problem::{ApiResult, Problem, ProblemDoc};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginIn {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub roles: BTreeSet<Role>,
    pub offices: BTreeSet<OfficeId>,
}

/// The signed-in session.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionOut {
    pub user: Me,
    /// Send it in the `X-CSRF-Token` header with every change made through the cookie.
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
    /// Seconds of inactivity after which the session ends.
    pub idle_timeout_secs: Option<i64>,
}

fn session_out(p: &Principal) -> SessionOut {
    SessionOut {
        user: Me {
            id: p.actor.user_id,
            username: p.username.clone(),
            display_name: p.display_name.clone(),
            roles: p.actor.roles.clone(),
            offices: p.actor.offices.clone(),
        },
        csrf_token: p.session.csrf_token.clone(),
        expires_at: p.session.expires_at,
        idle_timeout_secs: p.session.idle_timeout_secs,
    }
}

/// The session cookie (see `homeward_web::session::set_cookie`).
pub fn session_cookie(value: &str, max_age: i64, secure: bool) -> HeaderValue {
    homeward_web::session::set_cookie(SESSION_COOKIE, value, max_age, secure)
}

/// Signs in with a user name and password; sets the session cookie.
#[utoipa::path(
    post,
    path = "/api/session",
    tag = "session",
    request_body = LoginIn,
    responses(
        (status = 200, description = "Signed in; the cookie is set", body = SessionOut),
        (status = 401, description = "Wrong user name or password", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed sign-ins in 15 minutes: 5 for this account from this address, 50 for this account, or 100 from this address (unless this account signed in from it within 90 days); Retry-After says when to try again", body = ProblemDoc, content_type = "application/problem+json"),
    )
)]
pub async fn login(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    ApiJson(body): ApiJson<LoginIn>,
) -> ApiResult<Response> {
    let issued = state
        .app
        .login(
            &body.username,
            &body.password,
            addr,
            SessionKind::Browser,
            None,
        )
        .await?;
    let principal = state.app.authenticate(&issued.secret).await?;
    let max_age = (issued.session.expires_at - issued.session.created_at).num_seconds();
    let mut res = Json(session_out(&principal)).into_response();
    let c = session_cookie(&issued.secret, max_age, is_https(&headers, &state));
    res.headers_mut().insert(header::SET_COOKIE, c);
    Ok(res)
}

/// The current session and user.
#[utoipa::path(
    get,
    path = "/api/session",
    tag = "session",
    responses(
        (status = 200, description = "Signed in", body = SessionOut),
        (status = 401, description = "Not signed in", body = ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub async fn whoami(Auth(who): Auth) -> Json<SessionOut> {
    Json(session_out(&who))
}

/// Signs out of this session (or revokes this token).
#[utoipa::path(
    delete,
    path = "/api/session",
    tag = "session",
    responses((status = 204, description = "Signed out")),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    Auth(who): Auth,
) -> ApiResult<Response> {
    state.app.logout(&who).await?;
    let mut res = StatusCode::NO_CONTENT.into_response();
    let c = session_cookie("", 0, is_https(&headers, &state));
    res.headers_mut().insert(header::SET_COOKIE, c);
    Ok(res)
}

/// Ends every session and token of the signed-in user.
#[utoipa::path(
    post,
    path = "/api/session/logout-everywhere",
    tag = "session",
    responses((status = 204, description = "Every session ended")),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub async fn logout_everywhere(
    State(state): State<AppState>,
    Auth(who): Auth,
) -> ApiResult<StatusCode> {
    state.app.logout_everywhere(&who).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordIn {
    pub current_password: String,
    /// At least 12 characters.
    #[schema(min_length = 12)]
    pub new_password: String,
}

/// Changes your password; every session ends.
#[utoipa::path(
    post,
    path = "/api/session/password",
    tag = "session",
    request_body = PasswordIn,
    responses(
        (status = 204, description = "Changed"),
        (status = 422, description = "Wrong current password or weak new one", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 429, description = "Too many wrong current passwords; Retry-After says when to try again", body = ProblemDoc, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub async fn change_password(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiJson(body): ApiJson<PasswordIn>,
) -> ApiResult<StatusCode> {
    state
        .app
        .change_password(&who, &body.current_password, &body.new_password)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenIn {
    pub username: String,
    pub password: String,
    /// What the token is for ("statistics export").
    #[schema(value_type = ShortText)]
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenOut {
    /// Send as `Authorization: Bearer <token>`. Shown once.
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

/// Issues an API token for a user's credentials.
#[utoipa::path(
    post,
    path = "/api/tokens",
    tag = "session",
    request_body = TokenIn,
    responses(
        (status = 201, description = "Issued", body = TokenOut),
        (status = 401, description = "Wrong user name or password", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed sign-ins in 15 minutes: 5 for this account from this address, 50 for this account, or 100 from this address (unless this account signed in from it within 90 days); Retry-After says when to try again", body = ProblemDoc, content_type = "application/problem+json"),
    )
)]
pub async fn create_token(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    ApiJson(body): ApiJson<TokenIn>,
) -> ApiResult<(StatusCode, Json<TokenOut>)> {
    let name = homeward_domain::values::ShortText::parse(&body.name)
        .map_err(|e| Problem::invalid(vec![Problem::field(e.code, "name", e.message)]))?;
    let name = name.as_str();
    let issued = state
        .app
        .login(
            &body.username,
            &body.password,
            addr,
            SessionKind::Token,
            Some(name.to_string()),
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(TokenOut {
            token: issued.secret,
            expires_at: issued.session.expires_at,
        }),
    ))
}
