//! Administration (users, offices, programmes and their settings) and the audit log.
//! Administrators reach no case contents from here: these pages show none.

use super::{forbidden, not_found_page};

mod audit;
mod programmes;

pub use audit::audit;
pub(super) use programmes::major_units;
pub use programmes::{edit_programme, edit_programme_form, new_programme, new_programme_form};
use std::collections::BTreeSet;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use homeward_app::AppError;
use homeward_app::admin::{NewUser, OfficeView, UserView};
use homeward_domain::access::Role;
use homeward_domain::case::referrals::ExceptionGround;
use homeward_domain::ids::{OfficeId, OrganisationId, ProgrammeId, UserId};
use homeward_domain::organisation::{OrganisationFilter, ServiceType};
use homeward_domain::person::Vulnerability;
use homeward_domain::programme::{
    FollowUpSlot, HealthAssessmentRule, MonitoringRules, Package, Programme, ProgrammeSettings,
    ReintegrationRules,
};
use homeward_domain::values::{CountryCode, CurrencyCode, Money, ShortText};
use homeward_store::{PageRequest, UserChange};
use serde::Deserialize;
use uuid::Uuid;

use super::{app_error, consume_flash, redirect_with};
use crate::WebState;
use crate::actions::{Field, In, country_options, render};
use crate::chrome::{Chrome, ok, page};
use crate::forms::{FormData, FormErrors};
use crate::session::{SignedIn, Visitor};

#[derive(Template)]
#[template(path = "admin.html")]
pub struct AdminPage {
    pub c: Chrome,
    pub users: Vec<UserRow>,
    pub offices: Vec<OfficeView>,
    pub programmes: Vec<ProgrammeRow>,
}

pub struct UserRow {
    pub href: String,
    pub username: String,
    pub name: String,
    pub roles: String,
    pub offices: String,
    pub active: bool,
}

pub struct ProgrammeRow {
    pub href: String,
    pub code: String,
    pub name: String,
    pub reflection: String,
    /// Its grants' page, and how many it has.
    pub funding_href: String,
    pub grants: String,
}

pub async fn index(State(st): State<WebState>, SignedIn(v, p): SignedIn) -> Response {
    let i = v.i;
    let (users, offices, programmes) = match (
        st.app.list_users(&p).await,
        st.app.list_offices().await,
        st.app.list_programmes().await,
    ) {
        (Ok(u), Ok(o), Ok(pr)) => (u, o, pr),
        (Err(AppError::Forbidden(_)), _, _) => return forbidden(&v),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return app_error(&v, e),
    };
    let office_code = |id: &OfficeId| {
        offices
            .iter()
            .find(|o| o.id == *id)
            .map(|o| o.code.clone())
            .unwrap_or_default()
    };
    let t = AdminPage {
        c: Chrome::new(&v, i.t("admin-title")),
        users: users
            .iter()
            .map(|u| UserRow {
                href: format!("/admin/users/{}", u.id),
                username: u.username.clone(),
                name: u.display_name.clone(),
                roles: u
                    .roles
                    .iter()
                    .map(|r| i.t(&format!("role-{}", r.code())))
                    .collect::<Vec<_>>()
                    .join(", "),
                offices: u
                    .offices
                    .iter()
                    .map(office_code)
                    .collect::<Vec<_>>()
                    .join(", "),
                active: u.active,
            })
            .collect(),
        programmes: programmes
            .iter()
            .map(|pr| ProgrammeRow {
                href: format!("/admin/programmes/{}", pr.id),
                code: pr.code.to_string(),
                name: pr.name.to_string(),
                reflection: i.number(i64::from(pr.settings.reflection_period_days)),
                funding_href: format!("/admin/programmes/{}/funding", pr.id),
                grants: i.number(pr.settings.funding.len() as i64),
            })
            .collect(),
        offices,
    };
    consume_flash(&v, ok(&t))
}

#[derive(Template)]
#[template(path = "admin_form.html")]
pub struct FormPage {
    pub c: Chrome,
    pub heading: String,
    pub action: String,
    pub fields: Vec<Field>,
    pub errors: FormErrors,
    pub notice: Option<String>,
    /// Whether it sends a file.
    pub multipart: bool,
    /// Where the form was opened from, for the caption and "Cancel".
    pub back_href: String,
    pub back_label: String,
}

fn form_page(
    v: &Visitor,
    heading: String,
    action: String,
    inputs: Vec<In>,
    f: &FormData,
    errors: &FormErrors,
    notice: Option<String>,
) -> Response {
    let back = ("/admin".to_string(), v.i.t("admin-title"));
    form_page_from(v, back, heading, action, inputs, f, errors, notice)
}

/// A form of the directory or the administration, opened from `back`.
#[allow(clippy::too_many_arguments)]
pub(super) fn form_page_from(
    v: &Visitor,
    (back_href, back_label): (String, String),
    heading: String,
    action: String,
    inputs: Vec<In>,
    f: &FormData,
    errors: &FormErrors,
    notice: Option<String>,
) -> Response {
    let errors = &crate::actions::named(&inputs, errors, &v.i);
    let multipart = inputs.iter().any(|x| matches!(x, In::File(..)));
    let fields = render(inputs, f, errors, &v.i);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    page(
        status,
        &FormPage {
            c: Chrome::new(v, heading.clone()),
            heading,
            action,
            fields,
            errors: errors.clone(),
            notice,
            multipart,
            back_href,
            back_label,
        },
    )
}

fn role_options(v: &Visitor) -> Vec<(String, String)> {
    Role::ALL
        .iter()
        .map(|r| (r.code().to_string(), v.i.t(&format!("role-{}", r.code()))))
        .collect()
}

fn office_options(offices: &[OfficeView]) -> Vec<(String, String)> {
    offices
        .iter()
        .map(|o| {
            (
                o.id.to_string(),
                format!("{} ({}, {})", o.name, o.code, o.country),
            )
        })
        .collect()
}

/// What the user form offers to choose from: offices, and the directory's organisations
/// (a partner user's).
struct UserRefs {
    offices: Vec<OfficeView>,
    organisations: Vec<(String, String)>,
}

async fn user_refs(st: &WebState) -> Result<UserRefs, AppError> {
    let offices = st.app.list_offices().await?;
    let organisations = st
        .app
        .find_organisations(&OrganisationFilter {
            inactive: true,
            ..OrganisationFilter::default()
        })
        .await?
        .into_iter()
        .map(|o| (o.id.0.to_string(), o.details.name.to_string()))
        .collect();
    Ok(UserRefs {
        offices,
        organisations,
    })
}

fn user_inputs(v: &Visitor, refs: &UserRefs, new: bool) -> Vec<In> {
    let offices = &refs.offices;
    let mut inputs = vec![];
    if new {
        inputs.push(In::Text(
            "username",
            "username",
            Some("admin-username-hint"),
        ));
    }
    inputs.extend([
        In::Text("display_name", "admin-display-name", None),
        In::Checks("roles", "admin-roles", None, role_options(v)),
        In::Checks(
            "offices",
            "admin-offices",
            Some("admin-offices-hint"),
            office_options(offices),
        ),
        In::Select(
            "organisation",
            "admin-organisation",
            Some("admin-organisation-hint"),
            std::iter::once((String::new(), String::new()))
                .chain(refs.organisations.iter().cloned())
                .collect(),
            false,
        ),
    ]);
    if !new {
        inputs.push(In::Check("active", "admin-active", None));
    }
    inputs.push(In::Text(
        "password",
        "admin-new-password",
        Some("admin-password-hint"),
    ));
    inputs
}

pub(super) fn add_app_errors(
    errors: &mut FormErrors,
    v: &Visitor,
    e: AppError,
) -> Option<Response> {
    match e {
        AppError::Invalid(vs) => {
            errors.add_violations(&v.i, &vs, |p| match p {
                // The programme form's own name for the survey it asks.
                "settings/monitoring/survey" => "monitoring_survey".into(),
                p => p.split('/').next().unwrap_or(p).to_string(),
            });
            None
        }
        AppError::Duplicate(_) => {
            errors.add("username", v.i.t("admin-duplicate"));
            None
        }
        AppError::Forbidden(_) => Some(forbidden(v)),
        other => Some(app_error(v, other)),
    }
}

pub async fn new_user_form(State(st): State<WebState>, SignedIn(v, p): SignedIn) -> Response {
    if !p.actor.may_administer() {
        return forbidden(&v);
    }
    let refs = match user_refs(&st).await {
        Ok(r) => r,
        Err(e) => return app_error(&v, e),
    };
    form_page(
        &v,
        v.i.t("admin-add-user"),
        "/admin/users/new".into(),
        user_inputs(&v, &refs, true),
        &FormData::default(),
        &FormErrors::default(),
        None,
    )
}

pub async fn new_user(
    State(st): State<WebState>,
    SignedIn(v, p): SignedIn,
    body: Bytes,
) -> Response {
    let f = FormData::parse(&body);
    if !v.csrf_ok(f.get("_csrf")) || !p.actor.may_administer() {
        return forbidden(&v);
    }
    let refs = match user_refs(&st).await {
        Ok(r) => r,
        Err(e) => return app_error(&v, e),
    };
    let new = NewUser {
        username: f.get("username").to_string(),
        display_name: f.get("display_name").to_string(),
        roles: f
            .all("roles")
            .into_iter()
            .filter_map(Role::from_code)
            .collect(),
        offices: f
            .all("offices")
            .into_iter()
            .filter_map(|o| o.parse().ok().map(OfficeId))
            .collect(),
        organisation: chosen_organisation(&f),
        password: f.opt("password"),
    };
    let chose = new.password.is_some();
    match st.app.create_user(Some(&p), new).await {
        Ok((user, password)) => {
            if chose {
                return redirect_with("/admin", "done", v.secure);
            }
            // A generated password is shown once, here.
            let notice = Some(v.i.ta(
                "admin-password-once",
                &[
                    ("user", user.username.clone().into()),
                    ("password", password.into()),
                ],
            ));
            form_page(
                &v,
                v.i.t("admin-add-user"),
                "/admin/users/new".into(),
                user_inputs(&v, &refs, true),
                &FormData::default(),
                &FormErrors::default(),
                notice,
            )
        }
        Err(e) => {
            let mut errors = FormErrors::default();
            if let Some(r) = add_app_errors(&mut errors, &v, e) {
                return r;
            }
            form_page(
                &v,
                v.i.t("admin-add-user"),
                "/admin/users/new".into(),
                user_inputs(&v, &refs, true),
                &f,
                &errors,
                None,
            )
        }
    }
}

fn user_form_data(u: &UserView) -> FormData {
    let mut pairs = vec![("display_name".to_string(), u.display_name.clone())];
    pairs.extend(
        u.roles
            .iter()
            .map(|r| ("roles".to_string(), r.code().to_string())),
    );
    pairs.extend(
        u.offices
            .iter()
            .map(|o| ("offices".to_string(), o.to_string())),
    );
    if let Some(o) = u.organisation {
        pairs.push(("organisation".into(), o.0.to_string()));
    }
    if u.active {
        pairs.push(("active".into(), "yes".into()));
    }
    FormData::from_pairs(pairs)
}

/// The organisation chosen on the user form, if any.
fn chosen_organisation(f: &FormData) -> Option<OrganisationId> {
    f.opt("organisation")
        .and_then(|o| o.parse().ok())
        .map(OrganisationId)
}

pub async fn edit_user_form(
    State(st): State<WebState>,
    SignedIn(v, p): SignedIn,
    Path(id): Path<Uuid>,
) -> Response {
    let (users, refs) = match (st.app.list_users(&p).await, user_refs(&st).await) {
        (Ok(u), Ok(o)) => (u, o),
        (Err(AppError::Forbidden(_)), _) => return forbidden(&v),
        (Err(e), _) | (_, Err(e)) => return app_error(&v, e),
    };
    let Some(u) = users.into_iter().find(|u| u.id.0 == id) else {
        return not_found_page(&v);
    };
    form_page(
        &v,
        u.username.clone(),
        format!("/admin/users/{id}"),
        user_inputs(&v, &refs, false),
        &user_form_data(&u),
        &FormErrors::default(),
        None,
    )
}

pub async fn edit_user(
    State(st): State<WebState>,
    SignedIn(v, p): SignedIn,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Response {
    let f = FormData::parse(&body);
    if !v.csrf_ok(f.get("_csrf")) || !p.actor.may_administer() {
        return forbidden(&v);
    }
    let refs = match user_refs(&st).await {
        Ok(r) => r,
        Err(e) => return app_error(&v, e),
    };
    let myself = id == p.actor.user_id.0;
    let change = UserChange {
        display_name: Some(f.get("display_name").to_string()),
        // One's own access is changed by another administrator.
        roles: (!myself).then(|| {
            f.all("roles")
                .into_iter()
                .filter_map(Role::from_code)
                .collect::<BTreeSet<_>>()
        }),
        offices: (!myself).then(|| {
            f.all("offices")
                .into_iter()
                .filter_map(|o| o.parse().ok().map(OfficeId))
                .collect::<BTreeSet<_>>()
        }),
        organisation: (!myself).then(|| chosen_organisation(&f)),
        active: (!myself).then(|| f.checked("active")),
        password_hash: None,
    };
    match st
        .app
        .update_user(&p, UserId(id), change, f.opt("password"))
        .await
    {
        Ok(_) => redirect_with("/admin", "done", v.secure),
        Err(e) => {
            let mut errors = FormErrors::default();
            if let Some(r) = add_app_errors(&mut errors, &v, e) {
                return r;
            }
            form_page(
                &v,
                v.i.t("admin-users"),
                format!("/admin/users/{id}"),
                user_inputs(&v, &refs, false),
                &f,
                &errors,
                None,
            )
        }
    }
}

/// The office form: its code and country only when it is created (case references and
/// statistics rest on them), its name and time zone always.
fn office_inputs(i: &crate::i18n::I18n, new: bool) -> Vec<In> {
    let mut inputs = vec![];
    if new {
        inputs.push(In::Text(
            "code",
            "admin-office-code",
            Some("admin-office-code-hint"),
        ));
    }
    inputs.push(In::Text("name", "admin-office-name", None));
    if new {
        inputs.push(In::Select(
            "country",
            "f-country",
            None,
            std::iter::once((String::new(), String::new()))
                .chain(country_options(i))
                .collect(),
            true,
        ));
    }
    inputs.push(In::Select(
        "time_zone",
        "admin-office-time-zone",
        Some("admin-office-time-zone-hint"),
        zone_options(),
        true,
    ));
    inputs
}

/// The zones an office may take: UTC, and the tz database's places (`Region/City`), not
/// its aliases (`US/Eastern`, `Etc/GMT+5` with its sign reversed, `Factory`).
fn zone_options() -> Vec<(String, String)> {
    const ALIASES: [&str; 8] = [
        "Etc/", "US/", "SystemV/", "Canada/", "Brazil/", "Chile/", "Mexico/", "Arctic/",
    ];
    std::iter::once(("UTC".to_string(), "UTC".to_string()))
        .chain(
            chrono_tz::TZ_VARIANTS
                .iter()
                .map(|z| z.name())
                .filter(|n| n.contains('/') && !ALIASES.iter().any(|a| n.starts_with(a)))
                .map(|n| (n.to_string(), n.replace('_', " "))),
        )
        .collect()
}

pub async fn new_office_form(SignedIn(v, p): SignedIn) -> Response {
    if !p.actor.may_administer() {
        return forbidden(&v);
    }
    form_page(
        &v,
        v.i.t("admin-add-office"),
        "/admin/offices/new".into(),
        office_inputs(&v.i, true),
        &FormData::from_pairs(vec![("time_zone".into(), "UTC".into())]),
        &FormErrors::default(),
        None,
    )
}

pub async fn new_office(
    State(st): State<WebState>,
    SignedIn(v, p): SignedIn,
    body: Bytes,
) -> Response {
    let f = FormData::parse(&body);
    if !v.csrf_ok(f.get("_csrf")) {
        return forbidden(&v);
    }
    match st
        .app
        .create_office(
            &p,
            f.get("code"),
            f.get("name"),
            f.get("country"),
            f.get("time_zone"),
            homeward_app::input::Spelling::Forgiving,
        )
        .await
    {
        Ok(_) => redirect_with("/admin", "done", v.secure),
        Err(e) => {
            let mut errors = FormErrors::default();
            if let Some(r) = add_app_errors(&mut errors, &v, e) {
                return r;
            }
            form_page(
                &v,
                v.i.t("admin-add-office"),
                "/admin/offices/new".into(),
                office_inputs(&v.i, true),
                &f,
                &errors,
                None,
            )
        }
    }
}

pub async fn edit_office_form(
    State(st): State<WebState>,
    SignedIn(v, p): SignedIn,
    Path(id): Path<Uuid>,
) -> Response {
    if !p.actor.may_administer() {
        return forbidden(&v);
    }
    let office = match st.app.list_offices().await {
        Ok(all) => all.into_iter().find(|o| o.id.0 == id),
        Err(e) => return app_error(&v, e),
    };
    let Some(o) = office else {
        return not_found_page(&v);
    };
    form_page(
        &v,
        format!("{} ({})", o.name, o.code),
        format!("/admin/offices/{id}"),
        office_inputs(&v.i, false),
        &FormData::from_pairs(vec![
            ("name".into(), o.name),
            ("time_zone".into(), o.time_zone),
        ]),
        &FormErrors::default(),
        None,
    )
}

pub async fn edit_office(
    State(st): State<WebState>,
    SignedIn(v, p): SignedIn,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Response {
    let f = FormData::parse(&body);
    if !v.csrf_ok(f.get("_csrf")) || !p.actor.may_administer() {
        return forbidden(&v);
    }
    match st
        .app
        .update_office(
            &p,
            OfficeId(id),
            Some(f.get("name")),
            Some(f.get("time_zone")),
            homeward_app::input::Spelling::Forgiving,
        )
        .await
    {
        Ok(_) => redirect_with("/admin", "done", v.secure),
        Err(e) => {
            let mut errors = FormErrors::default();
            if let Some(r) = add_app_errors(&mut errors, &v, e) {
                return r;
            }
            let title = match st.app.list_offices().await {
                Ok(all) => all
                    .into_iter()
                    .find(|o| o.id.0 == id)
                    .map(|o| format!("{} ({})", o.name, o.code)),
                Err(e) => return app_error(&v, e),
            };
            form_page(
                &v,
                title.unwrap_or_else(|| v.i.t("admin-offices")),
                format!("/admin/offices/{id}"),
                office_inputs(&v.i, false),
                &f,
                &errors,
                None,
            )
        }
    }
}
