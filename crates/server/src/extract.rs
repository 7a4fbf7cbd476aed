//! Request extractors: JSON bodies with exact error locations, and the caller's identity
//! from a session cookie (with CSRF protection) or a bearer token.

use std::net::{IpAddr, SocketAddr};

use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRef, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode, header};
use homeward_app::{App, Principal};
use serde::de::DeserializeOwned;

use crate::problem::{Problem, ProblemItem, pointer};
use crate::state::AppState;

pub const SESSION_COOKIE: &str = "homeward_session";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// A JSON body. Malformed JSON is a 400 and a value of the wrong shape a 422, each with
/// the JSON pointer of where it went wrong; an oversized body is a 413.
pub struct ApiJson<T>(pub T);

fn json_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let parts: Vec<String> = path
        .iter()
        .filter_map(|s| match s {
            Segment::Seq { index } => Some(index.to_string()),
            Segment::Map { key } => Some(key.replace('~', "~0").replace('/', "~1")),
            Segment::Enum { variant } => Some(variant.clone()),
            Segment::Unknown => None,
        })
        .collect();
    pointer(&parts.join("/"))
}

/// A body as JSON: syntax first (400, with where), then the value read into `T`
/// strictly (`crate::strict`: a struct only from an object), a value of the wrong shape a
/// 422 at its JSON pointer.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Problem> {
    let malformed = |message: String, at: Option<String>| {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "malformed-json",
            "The body is not valid JSON",
        )
        .detail(message.clone())
        .with_errors([ProblemItem {
            pointer: at,
            code: "json.syntax".into(),
            detail: message,
            person_id: None,
            params: Default::default(),
        }])
    };
    let shape = |message: String, at: String| {
        Problem::invalid(vec![ProblemItem {
            pointer: Some(at),
            code: "json.shape".into(),
            detail: message,
            person_id: None,
            params: Default::default(),
        }])
    };
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = match serde_path_to_error::deserialize::<_, crate::strict::Checked>(&mut de) {
        Ok(crate::strict::Checked(v)) => v,
        Err(e) => {
            let at = json_pointer(e.path());
            let inner = e.into_inner();
            // The position ("at line 1 column 9") locates the error.
            return Err(match inner.classify() {
                serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
                    malformed(inner.to_string(), Some(at))
                }
                // A key given twice.
                _ => shape(inner.to_string(), at),
            });
        }
    };
    de.end().map_err(|e| malformed(e.to_string(), None))?;
    serde_path_to_error::deserialize::<_, T>(crate::strict::Strict(&value))
        .map_err(|e| shape(e.inner().to_string(), json_pointer(e.path())))
}

/// A path's parameters. One that does not parse (an id that is not a UUID) is a 400
/// problem that names it, not axum's plain-text rejection.
pub struct ApiPath<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiPath<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Send,
{
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(ApiPath(v)),
            Err(e) => Err(Problem::new(
                StatusCode::BAD_REQUEST,
                "invalid-path",
                "Invalid path parameter",
            )
            .detail(e.body_text())),
        }
    }
}

/// A query string. One that does not parse is a 400 problem that says what is wrong,
/// not axum's plain-text rejection.
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(ApiQuery(v)),
            Err(e) => Err(Problem::new(
                StatusCode::BAD_REQUEST,
                "invalid-query",
                "Invalid query string",
            )
            .detail(e.body_text())),
        }
    }
}

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|ct| {
                let mime = ct
                    .split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase();
                mime == "application/json" || mime.ends_with("+json")
            })
            .unwrap_or(false);
        if !json {
            return Err(Problem::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "Send JSON",
            )
            .detail("the body must be application/json"));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                Problem::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "too-large",
                    "The body is too large",
                )
                .detail(format!(
                    "bodies are limited to {} bytes",
                    crate::MAX_BODY_BYTES
                ))
            } else {
                Problem::new(
                    StatusCode::BAD_REQUEST,
                    "unreadable-body",
                    "The body could not be read",
                )
                .detail(e.body_text())
            }
        })?;
        parse_json(&bytes).map(ApiJson)
    }
}

fn bearer(parts: &Parts) -> Option<String> {
    parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(|t| t.trim().to_string())
}

/// Compares two secrets in constant time.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The signed-in caller. Unsafe methods authenticated by cookie must carry the session's
/// CSRF token in the `X-CSRF-Token` header; bearer tokens need none (browsers do not
/// send them on their own).
pub struct Auth(pub Principal);

impl<S> FromRequestParts<S> for Auth
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let app: App = AppState::from_ref(state).app;
        if let Some(token) = bearer(parts) {
            return Ok(Auth(app.authenticate(&token).await?));
        }
        let Some(secret) = homeward_web::session::cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(homeward_app::AppError::Unauthenticated.into());
        };
        let principal = app.authenticate(&secret).await?;
        let unsafe_method = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        if unsafe_method {
            let sent = parts
                .headers
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if !same(sent, &principal.session.csrf_token) {
                return Err(Problem::new(StatusCode::FORBIDDEN, "csrf", "Missing or wrong CSRF token")
                    .detail("send the session's CSRF token (from GET /api/session) in the X-CSRF-Token header"));
            }
        }
        Ok(Auth(principal))
    }
}

/// The caller's network address: the peer, or the last `X-Forwarded-For` address (the
/// one the trusted proxy appended) when the server is configured to trust its proxy.
pub struct ClientAddr(pub Option<IpAddr>);

impl<S> FromRequestParts<S> for ClientAddr
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let st = AppState::from_ref(state);
        if st.options.trust_proxy
            && let Some(ip) = parts
                .headers
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
                // The address our proxy appended; the ones before it are the client's word.
                .and_then(|v| v.split(',').next_back())
                .and_then(|v| v.trim().parse().ok())
        {
            return Ok(ClientAddr(Some(ip)));
        }
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        Ok(ClientAddr(peer))
    }
}

/// Whether the request reached us over TLS (directly or through a trusted proxy).
pub fn is_https(parts_headers: &axum::http::HeaderMap, st: &AppState) -> bool {
    st.options.public_url.starts_with("https://")
        || (st.options.trust_proxy
            && parts_headers
                .get("x-forwarded-proto")
                .and_then(|v| v.to_str().ok())
                == Some("https"))
}
