//! Who is visiting, in which language, and the tokens that protect their forms.
//!
//! The browser session is the same as the JSON API's (`homeward_session`, HttpOnly,
//! SameSite=Lax, Secure over TLS). Every form carries a CSRF token: the session's when
//! signed in, otherwise a random value also set in a cookie (double submit), so that even
//! the sign-in form cannot be forged.

use axum::extract::{FromRequestParts, OriginalUri};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use homeward_app::Principal;
use homeward_app::auth::random_secret;

use crate::WebState;
use crate::i18n::{I18n, Lang};

pub const SESSION_COOKIE: &str = "homeward_session";
pub const LANG_COOKIE: &str = "homeward_lang";
pub const PRE_COOKIE: &str = "homeward_pre";
pub const FLASH_COOKIE: &str = "homeward_flash";

/// The value of a cookie the request carries, if it is there and not empty.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| cookie::Cookie::split_parse(v).filter_map(Result::ok))
        .find(|c| c.name() == name)
        .map(|c| c.value().to_string())
        .filter(|v| !v.is_empty())
}

/// A `Set-Cookie` value: for the whole site, HttpOnly and SameSite=Lax always, Secure
/// over TLS; `max_age` 0 removes it.
pub fn set_cookie(name: &str, value: &str, max_age: i64, secure: bool) -> HeaderValue {
    let c = cookie::Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .same_site(cookie::SameSite::Lax)
        .max_age(cookie::time::Duration::seconds(max_age))
        .secure(secure)
        .build();
    HeaderValue::from_str(&c.to_string()).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// The visitor of a page. Never refuses: pages decide what an anonymous visitor gets.
pub struct Visitor {
    pub principal: Option<Principal>,
    pub i: I18n,
    /// The anonymous CSRF token, if the browser has one.
    pub pre_token: Option<String>,
    /// A message from the previous page (a key of the catalogues).
    pub flash: Option<String>,
    /// The path of this page, for links back to it (never a query: no personal data).
    pub path: String,
    pub secure: bool,
    pub had_session_cookie: bool,
}

impl Visitor {
    /// The token forms carry.
    pub fn csrf(&self) -> String {
        match &self.principal {
            Some(p) => p.session.csrf_token.clone(),
            None => self.pre_token.clone().unwrap_or_default(),
        }
    }

    /// Whether a submitted token is this visitor's.
    pub fn csrf_ok(&self, sent: &str) -> bool {
        let mine = self.csrf();
        !mine.is_empty()
            && mine.len() == sent.len()
            && mine
                .bytes()
                .zip(sent.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    }

    /// Headers that set a fresh anonymous token when the browser has none.
    pub fn ensure_pre_token(&mut self) -> Option<HeaderValue> {
        if self.principal.is_none() && self.pre_token.is_none() {
            let t = random_secret();
            self.pre_token = Some(t.clone());
            return Some(set_cookie(PRE_COOKIE, &t, 60 * 60 * 12, self.secure));
        }
        None
    }
}

impl FromRequestParts<WebState> for Visitor {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &WebState,
    ) -> Result<Self, Self::Rejection> {
        let session = cookie(&parts.headers, SESSION_COOKIE);
        let principal = match &session {
            Some(secret) => state.app.authenticate(secret).await.ok(),
            None => None,
        };
        let lang = cookie(&parts.headers, LANG_COOKIE)
            .and_then(|c| Lang::from_code(&c))
            .or_else(|| {
                parts
                    .headers
                    .get(header::ACCEPT_LANGUAGE)
                    .and_then(|v| v.to_str().ok())
                    .and_then(Lang::negotiate)
            })
            .unwrap_or(Lang::En);
        let path = parts
            .extensions
            .get::<OriginalUri>()
            .map(|u| u.0.path().to_string())
            .unwrap_or_else(|| parts.uri.path().to_string());
        // Times are read and entered in the time zone of the reader's office.
        let zone = principal
            .as_ref()
            .map_or(homeward_domain::values::TimeZone::UTC, |p| p.time_zone);
        Ok(Visitor {
            principal,
            i: I18n::new(lang).in_zone(zone),
            pre_token: cookie(&parts.headers, PRE_COOKIE),
            flash: cookie(&parts.headers, FLASH_COOKIE).filter(|f| {
                f.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            }),
            path,
            secure: state.secure_cookies,
            had_session_cookie: session.is_some(),
        })
    }
}

/// A signed-in visitor; anyone else is sent to sign in (and told if their session ended).
pub struct SignedIn(pub Visitor, pub Principal);

impl FromRequestParts<WebState> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &WebState,
    ) -> Result<Self, Self::Rejection> {
        let Ok(v) = Visitor::from_request_parts(parts, state).await;
        match v.principal.clone() {
            Some(p) => Ok(SignedIn(v, p)),
            None => {
                let to = if v.had_session_cookie {
                    "/sign-in?expired=1"
                } else {
                    "/sign-in"
                };
                Err(Redirect::to(to).into_response())
            }
        }
    }
}
