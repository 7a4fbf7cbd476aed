//! The account page: who you are here (roles, offices), your password, and signing out
//! of every device.

use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use homeward_app::{AppError, Principal};

use super::{app_error, consume_flash};
use crate::WebState;
use crate::chrome::{Chrome, ok, page};
use crate::forms::{FormData, FormErrors, rule_message};
use crate::session::{SESSION_COOKIE, SignedIn, Visitor, set_cookie};

pub struct Field {
    pub name: &'static str,
    pub label: String,
    pub hint: Option<String>,
    pub error: Option<String>,
    pub autocomplete: &'static str,
}

pub struct Error {
    pub field: String,
    pub message: String,
}

#[derive(Template)]
#[template(path = "account.html")]
pub struct AccountPage {
    pub c: Chrome,
    pub name: String,
    pub username: String,
    pub roles: String,
    pub offices: String,
    pub fields: Vec<Field>,
    pub errors: Vec<Error>,
}

/// The password form's fields: (name, label, hint, autocomplete).
const FIELDS: [(&str, &str, Option<&str>, &str); 3] = [
    (
        "current_password",
        "account-current-password",
        None,
        "current-password",
    ),
    (
        "new_password",
        "account-new-password",
        Some("account-new-password-hint"),
        "new-password",
    ),
    (
        "confirm_password",
        "account-confirm-password",
        None,
        "new-password",
    ),
];

async fn render(st: &WebState, v: &Visitor, p: &Principal, errors: &FormErrors) -> Response {
    let i = v.i;
    let mut roles: Vec<String> = p
        .actor
        .roles
        .iter()
        .map(|r| i.t(&format!("role-{}", r.code())))
        .collect();
    roles.sort();
    let offices: Vec<String> = super::my_offices(st, p)
        .await
        .into_iter()
        .map(|(_, label)| label)
        .collect();
    let fields = FIELDS
        .iter()
        .map(|(name, label, hint, autocomplete)| Field {
            name,
            label: i.t(label),
            hint: hint.map(|h| i.t1(h, "count", homeward_app::auth::MIN_PASSWORD_LEN.to_string())),
            error: errors.of(name).map(str::to_string),
            autocomplete,
        })
        .collect();
    let t = AccountPage {
        c: Chrome::new(v, i.t("account-title")),
        name: p.display_name.clone(),
        username: p.username.clone(),
        roles: roles.join(", "),
        offices: match offices.is_empty() {
            true => i.t("account-no-office"),
            false => offices.join(", "),
        },
        fields,
        errors: errors
            .items
            .iter()
            .map(|e| Error {
                field: e.field.clone(),
                message: e.message.clone(),
            })
            .collect(),
    };
    if errors.is_empty() {
        consume_flash(v, ok(&t))
    } else {
        page(StatusCode::UNPROCESSABLE_ENTITY, &t)
    }
}

pub async fn show(State(st): State<WebState>, SignedIn(v, p): SignedIn) -> Response {
    render(&st, &v, &p, &FormErrors::default()).await
}

/// Changes the password: every session ends (this one too), and the user signs in again.
pub async fn change_password(
    State(st): State<WebState>,
    SignedIn(v, p): SignedIn,
    body: Bytes,
) -> Response {
    let f = FormData::parse(&body);
    if !v.csrf_ok(f.get("_csrf")) {
        return super::forbidden(&v);
    }
    let i = v.i;
    let mut errors = FormErrors::default();
    if f.get("current_password").is_empty() {
        errors.add("current_password", i.t("account-enter-current"));
    }
    if f.get("new_password") != f.get("confirm_password") {
        errors.add("confirm_password", i.t("account-passwords-differ"));
    }
    if errors.is_empty() {
        match st
            .app
            .change_password(&p, f.get("current_password"), f.get("new_password"))
            .await
        {
            Ok(()) => {
                let mut res = Redirect::to("/sign-in?password_changed=1").into_response();
                res.headers_mut().append(
                    header::SET_COOKIE,
                    set_cookie(SESSION_COOKIE, "", 0, st.secure_cookies),
                );
                return res;
            }
            Err(AppError::Invalid(vs)) => {
                for x in &vs {
                    let field = match x.field.as_deref() {
                        Some("current_password") => "current_password",
                        _ => "new_password",
                    };
                    errors.add(field, rule_message(&i, x));
                }
            }
            Err(e) => return app_error(&v, e),
        }
    }
    render(&st, &v, &p, &errors).await
}
