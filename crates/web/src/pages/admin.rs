//! Administration (users, offices, programmes and their settings) and the audit log.
//! Administrators reach no case contents from here: these pages show none.

use super::{forbidden, not_found_page};
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

/// The surveys a programme may ask at follow-ups, by name, with their latest title; none
/// first.
async fn survey_options(
    st: &WebState,
    p: &homeward_app::auth::Principal,
    i: &crate::i18n::I18n,
) -> Result<Vec<(String, String)>, AppError> {
    let mut out = vec![(String::new(), i.t("admin-monitoring-survey-none"))];
    for v in st.app.surveys(p).await?.iter().rev() {
        if !out.iter().any(|(k, _)| *k == v.survey.key) {
            let title = v.survey.text(&v.survey.title, i.code()).to_string();
            out.push((v.survey.key.clone(), format!("{title} ({})", v.survey.key)));
        }
    }
    out[1..].sort_by(|a, b| a.1.cmp(&b.1));
    Ok(out)
}

fn programme_inputs(v: &Visitor, new: bool, surveys: Vec<(String, String)>) -> Vec<In> {
    let i = v.i;
    let vulns: Vec<(String, String)> = Vulnerability::ALL
        .iter()
        .map(|x| (x.code().to_string(), i.opt("vuln", x.code())))
        .collect();
    let mut inputs = vec![];
    if new {
        inputs.push(In::Text("code", "admin-programme-code", None));
    }
    inputs.extend([
        In::Text("name", "admin-programme-name", None),
        In::Text(
            "reflection_period_days",
            "admin-reflection",
            Some("admin-reflection-hint"),
        ),
        In::Text(
            "decide_within_days",
            "admin-decide-days",
            Some("admin-decide-days-hint"),
        ),
        In::Text(
            "host_countries",
            "admin-host-countries",
            Some("admin-countries-hint"),
        ),
        In::Text(
            "transit_countries",
            "admin-transit-countries",
            Some("admin-transit-countries-hint"),
        ),
        In::Text(
            "return_countries",
            "admin-return-countries",
            Some("admin-return-countries-hint"),
        ),
        In::Area(
            "categories",
            "admin-categories",
            Some("admin-categories-hint"),
        ),
        In::Radios(
            "health_mode",
            "admin-health",
            vec![
                ("always".into(), i.t("admin-health-always")),
                (
                    "vulnerabilities".into(),
                    i.t("admin-health-vulnerabilities"),
                ),
            ],
        ),
        In::Checks(
            "health_vulnerabilities",
            "admin-health-for",
            None,
            vulns.clone(),
        ),
        In::Checks(
            "escort_required_for",
            "admin-escorts",
            Some("admin-escorts-hint"),
            vulns,
        ),
        In::Check("risk_assessment_for_trafficking", "admin-risk", None),
        In::Checks(
            "consent_exceptions",
            "admin-consent-exceptions",
            Some("admin-consent-exceptions-hint"),
            ExceptionGround::ALL
                .iter()
                .map(|g| (g.code().to_string(), i.opt("exception_ground", g.code())))
                .collect(),
        ),
        In::Text("currency", "admin-currency", None),
        In::Text(
            "package_on_arrival",
            "admin-package-on-arrival",
            Some("admin-package-hint"),
        ),
        In::Text("package_per_adult", "admin-package-per-adult", None),
        In::Text("package_per_dependant", "admin-package-per-dependant", None),
        In::Text(
            "package_per_vulnerable",
            "admin-package-per-vulnerable",
            None,
        ),
        In::Text(
            "second_signature_above",
            "admin-second-signature",
            Some("admin-second-signature-hint"),
        ),
        In::Text(
            "follow_up_months",
            "admin-follow-ups",
            Some("admin-follow-ups-hint"),
        ),
        In::Text(
            "follow_up_window",
            "admin-follow-up-window",
            Some("admin-follow-up-window-hint"),
        ),
        In::Text(
            "lost_contact_after",
            "admin-lost-contact-after",
            Some("admin-lost-contact-after-hint"),
        ),
        In::Select(
            "monitoring_survey",
            "admin-monitoring-survey",
            Some("admin-monitoring-survey-hint"),
            surveys,
            false,
        ),
        In::Heading(i.t("admin-protection")),
    ]);
    let services: Vec<(String, String)> = ServiceType::ALL
        .iter()
        .map(|x| (x.code().to_string(), i.opt("service", x.code())))
        .collect();
    for (_, name, label, hint) in PROTECTION_FIELDS {
        inputs.push(In::Checks(name, label, hint, services.clone()));
    }
    if !new {
        // The settings as the form was opened: a save over someone else's is refused.
        inputs.push(In::Hidden("settings_digest"));
    }
    inputs
}

/// The programme form's fields for protection on arrival, one per vulnerability: its
/// name, its label, and what applies when it is left empty.
const PROTECTION_FIELDS: [(Vulnerability, &str, &str, Option<&str>); 6] = [
    (
        Vulnerability::VictimOfTrafficking,
        "protection_victim_of_trafficking",
        "opt-vuln-victim_of_trafficking",
        Some("admin-protection-default-trafficking"),
    ),
    (
        Vulnerability::UnaccompaniedOrSeparatedChild,
        "protection_unaccompanied_or_separated_child",
        "opt-vuln-unaccompanied_or_separated_child",
        Some("admin-protection-default-child"),
    ),
    (
        Vulnerability::MedicalNeeds,
        "protection_medical_needs",
        "opt-vuln-medical_needs",
        Some("admin-protection-default-medical"),
    ),
    (
        Vulnerability::VictimOfViolence,
        "protection_victim_of_violence",
        "opt-vuln-victim_of_violence",
        Some("admin-protection-default-none"),
    ),
    (
        Vulnerability::Elderly,
        "protection_elderly",
        "opt-vuln-elderly",
        Some("admin-protection-default-none"),
    ),
    (
        Vulnerability::SingleParentWithoutSupport,
        "protection_single_parent_without_support",
        "opt-vuln-single_parent_without_support",
        Some("admin-protection-default-none"),
    ),
];

/// The package's amounts, typed in major units of the programme's currency.
const PACKAGE_FIELDS: [&str; 4] = [
    "package_on_arrival",
    "package_per_adult",
    "package_per_dependant",
    "package_per_vulnerable",
];

/// Minor units written in major units ("615.00").
pub(super) fn major_units(minor: u64, currency: &CurrencyCode) -> String {
    match i64::try_from(minor)
        .ok()
        .and_then(|m| Money::new(m, currency.clone()).ok())
    {
        Some(m) => m
            .to_string()
            .trim_end_matches(currency.as_str())
            .trim()
            .to_string(),
        None => minor.to_string(),
    }
}

fn programme_form_data(pr: &Programme) -> FormData {
    let s = &pr.settings;
    let mut pairs = vec![
        ("name".to_string(), pr.name.to_string()),
        (
            "settings_digest".to_string(),
            homeward_app::admin::settings_digest(s),
        ),
        (
            "reflection_period_days".into(),
            s.reflection_period_days.to_string(),
        ),
        (
            "decide_within_days".into(),
            s.decide_within_days.to_string(),
        ),
        (
            "host_countries".into(),
            s.host_countries
                .iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join(", "),
        ),
        (
            "transit_countries".into(),
            s.transit_countries
                .iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join(", "),
        ),
        (
            "return_countries".into(),
            s.return_countries
                .iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join(", "),
        ),
        (
            "categories".into(),
            s.categories
                .iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        ("currency".into(), s.currency.to_string()),
    ];
    match &s.health_assessment {
        HealthAssessmentRule::Always => pairs.push(("health_mode".into(), "always".into())),
        HealthAssessmentRule::ForVulnerabilities(set) => {
            pairs.push(("health_mode".into(), "vulnerabilities".into()));
            pairs.extend(
                set.iter()
                    .map(|x| ("health_vulnerabilities".to_string(), x.code().to_string())),
            );
        }
    }
    pairs.extend(
        s.escort_required_for
            .iter()
            .map(|x| ("escort_required_for".to_string(), x.code().to_string())),
    );
    pairs.extend(
        s.consent_exceptions
            .iter()
            .map(|g| ("consent_exceptions".to_string(), g.code().to_string())),
    );
    for (v, name, _, _) in PROTECTION_FIELDS {
        if let Some(set) = s.protection_on_arrival.get(&v) {
            pairs.extend(set.iter().map(|x| (name.to_string(), x.code().to_string())));
        }
    }
    if s.risk_assessment_for_trafficking {
        pairs.push(("risk_assessment_for_trafficking".into(), "yes".into()));
    }
    let r = &s.reintegration;
    if let Some(p) = &r.package {
        let amounts = [
            p.on_arrival_per_person,
            p.per_adult,
            p.per_dependant,
            p.per_vulnerable_person,
        ];
        for (name, minor) in PACKAGE_FIELDS.into_iter().zip(amounts) {
            pairs.push((name.into(), major_units(minor, &s.currency)));
        }
    }
    if let Some(t) = r.second_signature_above {
        pairs.push(("second_signature_above".into(), major_units(t, &s.currency)));
    }
    let m = &s.monitoring;
    // One window for all, as typed; a follow-up whose window differs says its own.
    let window = m.schedule.first().map_or(30, |f| f.window_days);
    let months = m
        .schedule
        .iter()
        .map(|f| match f.window_days == window {
            true => f.months_after_arrival.to_string(),
            false => format!("{}:{}", f.months_after_arrival, f.window_days),
        })
        .collect::<Vec<_>>()
        .join(", ");
    pairs.push(("follow_up_months".into(), months));
    pairs.push(("follow_up_window".into(), window.to_string()));
    pairs.push((
        "lost_contact_after".into(),
        m.lost_contact_after.to_string(),
    ));
    pairs.push((
        "monitoring_survey".into(),
        m.survey.clone().unwrap_or_default(),
    ));
    FormData::from_pairs(pairs)
}

/// Settings from the form; every invalid field named.
fn parse_settings(v: &Visitor, f: &FormData, errors: &mut FormErrors) -> Option<ProgrammeSettings> {
    let i = v.i;
    let vulns = |name: &str| -> BTreeSet<Vulnerability> {
        f.all(name)
            .into_iter()
            .filter_map(|c| Vulnerability::ALL.into_iter().find(|x| x.code() == c))
            .collect()
    };
    let countries = |name: &str, errors: &mut FormErrors| -> BTreeSet<CountryCode> {
        let mut out = BTreeSet::new();
        for code in f.get(name).split([',', ' ', ';']).filter(|c| !c.is_empty()) {
            match CountryCode::parse(code) {
                Ok(c) => {
                    out.insert(c);
                }
                Err(e) => errors.add(name, e.message),
            }
        }
        out
    };
    let host = countries("host_countries", errors);
    let transit = countries("transit_countries", errors);
    let returns = countries("return_countries", errors);
    let days = f.get("reflection_period_days").trim().parse::<u16>().ok();
    match f.get("reflection_period_days").trim() {
        "" => errors.missing("reflection_period_days", &i),
        _ if days.is_none() => errors.add("reflection_period_days", i.t("err-days")),
        _ => {}
    }
    // Empty: the default.
    let decide_days = match f.get("decide_within_days").trim() {
        "" => Some(ProgrammeSettings::DEFAULT_DECIDE_WITHIN_DAYS),
        d => d.parse::<u16>().ok().filter(|d| *d > 0),
    };
    if decide_days.is_none() {
        errors.add("decide_within_days", i.t("err-days-positive"));
    }
    let mut categories = BTreeSet::new();
    for line in f
        .get("categories")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
    {
        match ShortText::parse(line) {
            Ok(c) => {
                categories.insert(c);
            }
            Err(e) => errors.add("categories", e.message),
        }
    }
    let currency = CurrencyCode::parse(f.get("currency"))
        .map_err(|e| errors.add("currency", e.message))
        .ok();
    let health = match f.get("health_mode") {
        "always" => HealthAssessmentRule::Always,
        _ => HealthAssessmentRule::ForVulnerabilities(vulns("health_vulnerabilities")),
    };
    // An amount in major units of the currency, or nothing when left empty.
    let minor = |name: &str, errors: &mut FormErrors| -> Option<u64> {
        let text = f.get(name).trim();
        let c = currency.as_ref()?;
        if text.is_empty() {
            return None;
        }
        let m =
            crate::actions::parse_amount(text, c).and_then(|m| u64::try_from(m.amount_minor).ok());
        if m.is_none() {
            errors.add(name, i.t1("f-amount-hint", "currency", c.to_string()));
        }
        m
    };
    let amounts: Vec<Option<u64>> = PACKAGE_FIELDS.iter().map(|n| minor(n, errors)).collect();
    let package = match amounts[..] {
        [
            Some(on_arrival_per_person),
            Some(per_adult),
            Some(per_dependant),
            Some(per_vulnerable_person),
        ] => Some(Package {
            on_arrival_per_person,
            per_adult,
            per_dependant,
            per_vulnerable_person,
        }),
        _ => {
            if PACKAGE_FIELDS.iter().any(|n| !f.get(n).trim().is_empty()) {
                for n in PACKAGE_FIELDS.iter().filter(|n| f.get(n).trim().is_empty()) {
                    errors.add(n, i.t("admin-package-all"));
                }
            }
            None
        }
    };
    let second_signature_above = minor("second_signature_above", errors);
    let monitoring = parse_monitoring(v, f, errors);
    if !errors.is_empty() {
        return None;
    }
    Some(ProgrammeSettings {
        reflection_period_days: days?,
        decide_within_days: decide_days?,
        host_countries: host,
        transit_countries: transit,
        return_countries: returns,
        categories,
        health_assessment: health,
        escort_required_for: vulns("escort_required_for"),
        consent_exceptions: f
            .all("consent_exceptions")
            .into_iter()
            .filter_map(|c| ExceptionGround::ALL.into_iter().find(|g| g.code() == c))
            .collect(),
        risk_assessment_for_trafficking: f.checked("risk_assessment_for_trafficking"),
        currency: currency?,
        reintegration: ReintegrationRules {
            package,
            second_signature_above,
        },
        monitoring: monitoring?,
        protection_on_arrival: PROTECTION_FIELDS
            .iter()
            .map(|(v, name, _, _)| {
                let set: BTreeSet<ServiceType> = f
                    .all(name)
                    .into_iter()
                    .filter_map(ServiceType::from_code)
                    .collect();
                (*v, set)
            })
            .filter(|(_, set)| !set.is_empty())
            .collect(),
        // Grants are not on this form: an edit keeps them (see `edit_programme`).
        funding: vec![],
    })
}

/// The monitoring schedule from the form: months after arrival ("3, 6, 12"), each with
/// the common window or its own ("12:45"); the domain's rules name what cannot be used.
fn parse_monitoring(v: &Visitor, f: &FormData, errors: &mut FormErrors) -> Option<MonitoringRules> {
    let i = v.i;
    let standard = MonitoringRules::standard();
    // A number, or the standard schedule's when left empty.
    let number = |name: &str, empty: u16, errors: &mut FormErrors| -> Option<u16> {
        let text = f.get(name).trim();
        if text.is_empty() {
            return Some(empty);
        }
        let n = text.parse::<u16>().ok();
        if n.is_none() {
            errors.add(name, i.t("admin-whole-number"));
        }
        n
    };
    let window = number(
        "follow_up_window",
        standard.schedule.first().map_or(30, |s| s.window_days),
        errors,
    );
    let lost_contact_after = number(
        "lost_contact_after",
        u16::from(standard.lost_contact_after),
        errors,
    )
    .and_then(|n| {
        u8::try_from(n).ok().or_else(|| {
            errors.add("lost_contact_after", i.t("admin-whole-number"));
            None
        })
    });
    let mut schedule = vec![];
    for entry in f
        .get("follow_up_months")
        .split([',', ';', ' '])
        .filter(|e| !e.is_empty())
    {
        let (months, own) = match entry.split_once(':') {
            Some((m, w)) => (m, Some(w)),
            None => (entry, None),
        };
        let months = months.trim().parse::<u8>().ok();
        let own = own.map(|w| w.trim().parse::<u16>().ok());
        match (months, own.unwrap_or(window)) {
            (Some(months_after_arrival), Some(window_days)) => schedule.push(FollowUpSlot {
                months_after_arrival,
                window_days,
            }),
            _ => errors.add(
                "follow_up_months",
                i.t1("admin-follow-ups-invalid", "entry", entry.to_string()),
            ),
        }
    }
    let rules = MonitoringRules {
        schedule,
        lost_contact_after: lost_contact_after?,
        survey: f.opt("monitoring_survey"),
    };
    errors.add_violations(&i, &rules.violations(), |path| {
        match path {
            "lost_contact_after" => "lost_contact_after",
            "survey" => "monitoring_survey",
            p if p.ends_with("window_days") => "follow_up_window",
            _ => "follow_up_months",
        }
        .to_string()
    });
    errors.is_empty().then_some(rules)
}

pub async fn new_programme_form(State(st): State<WebState>, SignedIn(v, p): SignedIn) -> Response {
    if !p.actor.may_administer() {
        return forbidden(&v);
    }
    let mut f = FormData::default();
    f.set("reflection_period_days", "3");
    f.set("currency", "EUR");
    f.set("health_mode", "vulnerabilities");
    f.set("risk_assessment_for_trafficking", "yes");
    let surveys = match survey_options(&st, &p, &v.i).await {
        Ok(o) => o,
        Err(e) => return app_error(&v, e),
    };
    form_page(
        &v,
        v.i.t("admin-add-programme"),
        "/admin/programmes/new".into(),
        programme_inputs(&v, true, surveys),
        &f,
        &FormErrors::default(),
        None,
    )
}

pub async fn new_programme(
    State(st): State<WebState>,
    SignedIn(v, p): SignedIn,
    body: Bytes,
) -> Response {
    let f = FormData::parse(&body);
    if !v.csrf_ok(f.get("_csrf")) || !p.actor.may_administer() {
        return forbidden(&v);
    }
    let mut errors = FormErrors::default();
    if let Some(settings) = parse_settings(&v, &f, &mut errors) {
        match st
            .app
            .create_programme(Some(&p), f.get("code"), f.get("name"), settings)
            .await
        {
            Ok(_) => return redirect_with("/admin", "done", v.secure),
            Err(e) => {
                if let Some(r) = add_app_errors(&mut errors, &v, e) {
                    return r;
                }
            }
        }
    }
    let surveys = match survey_options(&st, &p, &v.i).await {
        Ok(o) => o,
        Err(e) => return app_error(&v, e),
    };
    form_page(
        &v,
        v.i.t("admin-add-programme"),
        "/admin/programmes/new".into(),
        programme_inputs(&v, true, surveys),
        &f,
        &errors,
        None,
    )
}

pub async fn edit_programme_form(
    State(st): State<WebState>,
    SignedIn(v, p): SignedIn,
    Path(id): Path<Uuid>,
) -> Response {
    if !p.actor.may_administer() {
        return forbidden(&v);
    }
    let surveys = match survey_options(&st, &p, &v.i).await {
        Ok(o) => o,
        Err(e) => return app_error(&v, e),
    };
    match st.app.get_programme(ProgrammeId(id)).await {
        Ok(pr) => form_page(
            &v,
            pr.name.to_string(),
            format!("/admin/programmes/{id}"),
            programme_inputs(&v, false, surveys),
            &programme_form_data(&pr),
            &FormErrors::default(),
            None,
        ),
        Err(e) => app_error(&v, e),
    }
}

pub async fn edit_programme(
    State(st): State<WebState>,
    SignedIn(v, p): SignedIn,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Response {
    let f = FormData::parse(&body);
    if !v.csrf_ok(f.get("_csrf")) || !p.actor.may_administer() {
        return forbidden(&v);
    }
    let mut errors = FormErrors::default();
    if let Some(mut settings) = parse_settings(&v, &f, &mut errors) {
        // The form does not show the programme's grants: they stay as they are.
        match st.app.get_programme(ProgrammeId(id)).await {
            Ok(pr) => settings.funding = pr.settings.funding,
            Err(e) => return app_error(&v, e),
        }
        match st
            .app
            .update_programme_seen(
                &p,
                ProgrammeId(id),
                Some(f.get("name")),
                Some(settings),
                f.opt("settings_digest").as_deref(),
            )
            .await
        {
            Ok(_) => return redirect_with("/admin", "done", v.secure),
            Err(e) => {
                if let Some(r) = add_app_errors(&mut errors, &v, e) {
                    return r;
                }
            }
        }
    }
    let surveys = match survey_options(&st, &p, &v.i).await {
        Ok(o) => o,
        Err(e) => return app_error(&v, e),
    };
    form_page(
        &v,
        v.i.t("admin-programmes"),
        format!("/admin/programmes/{id}"),
        programme_inputs(&v, false, surveys),
        &f,
        &errors,
        None,
    )
}

#[derive(Template)]
#[template(path = "audit.html")]
pub struct AuditPage {
    pub c: Chrome,
    pub chain: String,
    pub chain_ok: bool,
    pub rows: Vec<AuditRow>,
    pub page_label: String,
    pub prev: Option<u32>,
    pub next: Option<u32>,
}

pub struct AuditRow {
    pub seq: String,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub case: String,
    pub detail: String,
}

#[derive(Deserialize, Default)]
pub struct AuditQuery {
    pub page: Option<u32>,
}

pub async fn audit(
    State(st): State<WebState>,
    SignedIn(v, p): SignedIn,
    q: Result<Query<AuditQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let i = v.i;
    let page_no = q.map(|Query(q)| q.page).ok().flatten().unwrap_or(1).max(1);
    let per_page = 50;
    let entries = match st
        .app
        .audit_log(
            &p,
            PageRequest {
                page: page_no,
                per_page,
            },
        )
        .await
    {
        Ok(e) => e,
        Err(AppError::Forbidden(_)) => return forbidden(&v),
        Err(e) => return app_error(&v, e),
    };
    let report = match st.app.verify_audit_chain().await {
        Ok(r) => r,
        Err(e) => return app_error(&v, e),
    };
    let users = st.app.store().list_users().await.unwrap_or_default();
    let name = |id: Option<Uuid>| -> String {
        match id {
            None => i.t("audit-system"),
            Some(id) => users
                .iter()
                .find(|u| u.id.0 == id)
                .map(|u| u.username.clone())
                .unwrap_or_else(|| id.to_string()),
        }
    };
    let pages = (entries.total.max(1) as u32).div_ceil(per_page);
    let t = AuditPage {
        c: Chrome::new(&v, i.t("audit-title")),
        chain_ok: report.valid,
        chain: if report.valid {
            i.ta(
                "audit-chain-ok",
                &[("count", (report.entries as i64).into())],
            )
        } else {
            i.ta(
                "audit-chain-broken",
                &[
                    ("seq", report.first_break.unwrap_or(0).into()),
                    ("reason", report.reason.unwrap_or_default().into()),
                ],
            )
        },
        rows: entries
            .items
            .into_iter()
            .map(|e| AuditRow {
                seq: i.number(e.seq),
                at: i.datetime(e.at),
                actor: name(e.actor),
                action: e.action,
                case: e.case_id.map(|c| c.to_string()).unwrap_or_default(),
                detail: e.detail,
            })
            .collect(),
        page_label: i.ta(
            "page-of",
            &[
                ("page", i.number(i64::from(page_no)).into()),
                ("pages", i.number(i64::from(pages)).into()),
            ],
        ),
        prev: (page_no > 1).then(|| page_no - 1),
        next: (page_no < pages).then(|| page_no + 1),
    };
    ok(&t)
}
