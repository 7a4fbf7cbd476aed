//! The frame of every page: language, navigation by role, the signed-in user, and the
//! response headers HTML pages carry.

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::assets;
use crate::i18n::{I18n, Lang};
use crate::session::Visitor;

pub struct Nav {
    pub href: &'static str,
    pub label: String,
    pub current: bool,
}

pub struct LangOption {
    pub code: &'static str,
    pub name: &'static str,
    pub selected: bool,
}

/// What the base template needs.
pub struct Chrome {
    pub i: I18n,
    pub title: String,
    pub user: Option<String>,
    pub roles: String,
    pub csrf: String,
    pub nav: Vec<Nav>,
    pub css: String,
    pub js: String,
    pub path: String,
    pub flash: Option<String>,
    pub langs: Vec<LangOption>,
    /// A page laid out as it prints (the case's print view): no header, navigation or
    /// actions, on screen too.
    pub print_view: bool,
}

impl Chrome {
    pub fn new(v: &Visitor, title: String) -> Chrome {
        let i = v.i;
        let mut nav = vec![];
        let mut roles = String::new();
        if let Some(p) = &v.principal {
            let a = &p.actor;
            nav.push(("/home", "nav-home"));
            if a.reads_cases() {
                nav.push(("/cases", "nav-cases"));
            }
            if a.may_register_cases() {
                nav.push(("/cases/new", "nav-new-case"));
            }
            if a.offices
                .iter()
                .any(|o| homeward_domain::inbound::may_take(a, *o))
            {
                nav.push(("/inbound", "nav-inbound"));
            }
            if a.partner_of().is_some() {
                nav.push(("/partner", "nav-partner"));
                nav.push(("/partner/inbound", "nav-partner-inbound"));
            }
            if a.reads_cases() || a.may_keep_directory() {
                nav.push(("/directory", "nav-directory"));
            }
            if homeward_app::stats::access(p).is_some() {
                nav.push(("/statistics", "nav-statistics"));
            }
            if a.may_administer() || a.has(homeward_domain::access::Role::MonitoringOfficer) {
                nav.push(("/surveys", "nav-surveys"));
            }
            if a.may_administer() {
                nav.push(("/admin", "nav-admin"));
            }
            if a.may_read_audit() {
                nav.push(("/audit", "nav-audit"));
            }
            roles = a
                .roles
                .iter()
                .map(|r| i.t(&format!("role-{}", r.code())))
                .collect::<Vec<_>>()
                .join(", ");
        }
        let nav = nav
            .into_iter()
            .map(|(href, key)| Nav {
                href,
                label: i.t(key),
                current: v.path == href,
            })
            .collect();
        Chrome {
            i,
            title,
            user: v.principal.as_ref().map(|p| p.display_name.clone()),
            roles,
            csrf: v.csrf(),
            nav,
            css: assets::css_url(),
            js: assets::js_url(),
            path: v.path.clone(),
            flash: v.flash.as_ref().map(|k| i.t(k)),
            langs: Lang::ALL
                .into_iter()
                .map(|l| LangOption {
                    code: l.code(),
                    name: l.native_name(),
                    selected: l == i.lang,
                })
                .collect(),
            print_view: false,
        }
    }
}

/// Renders a page with the headers every HTML page carries: a Content-Security-Policy
/// that allows no inline script or style, and no caching of personal data.
pub fn page<T: Template>(status: StatusCode, t: &T) -> Response {
    match t.render() {
        Ok(body) => {
            let mut res = (status, body).into_response();
            let h = res.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            h.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(
                    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                     form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
                ),
            );
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            res
        }
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}

pub fn ok<T: Template>(t: &T) -> Response {
    page(StatusCode::OK, t)
}
