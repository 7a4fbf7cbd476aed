//! The stakeholder directory: organisations a case can be referred to, searched by
//! country, service, stage and name; kept by administrators and programme managers.

use super::forbidden;
use std::collections::BTreeSet;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use homeward_domain::ids::OrganisationId;
use homeward_domain::organisation::{
    Organisation, OrganisationDetails, OrganisationFilter, OrganisationKind, ServiceStage,
    ServiceType,
};
use homeward_domain::values::{CountryCode, LanguageCode, LongText, ShortText};
use uuid::Uuid;

use super::admin::{add_app_errors, form_page_from};
use super::{app_error, consume_flash, message, redirect_with};
use crate::WebState;
use crate::actions::{Field, In, country_options, render};
use crate::chrome::{Chrome, ok};
use crate::forms::{FormData, FormErrors};
use crate::i18n::I18n;
use crate::session::{SignedIn, Visitor};

pub struct Row {
    pub href: String,
    pub name: String,
    pub kind: String,
    pub countries: String,
    pub services: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "directory.html")]
pub struct DirectoryPage {
    pub c: Chrome,
    pub filters: Vec<Field>,
    pub rows: Vec<Row>,
    pub total: String,
    pub may_keep: bool,
}

/// A line of an organisation's description: what, and its value.
pub struct Line {
    pub label: String,
    pub value: String,
    /// Written left to right whatever the page's direction (an email, a phone number).
    pub ltr: bool,
}

#[derive(Template)]
#[template(path = "organisation.html")]
pub struct OrganisationPage {
    pub c: Chrome,
    pub lines: Vec<Line>,
    pub active: bool,
    pub edit: Option<String>,
}

fn with_any(i: &I18n, mut v: Vec<(String, String)>) -> Vec<(String, String)> {
    v.insert(0, (String::new(), i.t("directory-any")));
    v
}

fn kind_options(i: &I18n) -> Vec<(String, String)> {
    OrganisationKind::ALL
        .iter()
        .map(|k| (k.code().to_string(), i.opt("org-kind", k.code())))
        .collect()
}

fn service_options(i: &I18n) -> Vec<(String, String)> {
    ServiceType::ALL
        .iter()
        .map(|s| (s.code().to_string(), i.opt("service", s.code())))
        .collect()
}

fn stage_options(i: &I18n) -> Vec<(String, String)> {
    ServiceStage::ALL
        .iter()
        .map(|s| (s.code().to_string(), i.opt("service-stage", s.code())))
        .collect()
}

fn filter_inputs(i: &I18n) -> Vec<In> {
    vec![
        In::Select(
            "country",
            "f-country",
            None,
            with_any(i, country_options(i)),
            true,
        ),
        In::Select(
            "service",
            "directory-service",
            None,
            with_any(i, service_options(i)),
            false,
        ),
        In::Select(
            "stage",
            "directory-stage",
            None,
            with_any(i, stage_options(i)),
            false,
        ),
        In::Select(
            "kind",
            "directory-kind",
            None,
            with_any(i, kind_options(i)),
            false,
        ),
        In::Text("name", "directory-name", None),
        In::Check("inactive", "directory-inactive", None),
    ]
}

/// The filter as asked; a value that names nothing is ignored (the form offers none).
fn filter_of(f: &FormData) -> OrganisationFilter {
    OrganisationFilter {
        country: CountryCode::parse(f.get("country")).ok(),
        service: ServiceType::from_code(f.get("service")),
        stage: ServiceStage::from_code(f.get("stage")),
        kind: OrganisationKind::from_code(f.get("kind")),
        name: f.opt("name"),
        inactive: f.checked("inactive"),
    }
}

pub async fn list(
    State(st): State<WebState>,
    SignedIn(v, p): SignedIn,
    RawQuery(q): RawQuery,
) -> Response {
    let i = v.i;
    let f = FormData::parse(q.unwrap_or_default().as_bytes());
    let found = match st.app.find_organisations(&filter_of(&f)).await {
        Ok(o) => o,
        Err(e) => return app_error(&v, e),
    };
    let rows = found
        .iter()
        .map(|o| Row {
            href: format!("/directory/{}", o.id),
            name: o.details.name.to_string(),
            kind: i.opt("org-kind", o.details.kind.code()),
            countries: i.list(o.details.countries.iter().map(|c| i.country(c.as_str()))),
            services: i.list(
                o.details
                    .services
                    .iter()
                    .map(|s| i.opt("service", s.code())),
            ),
            active: o.details.active,
        })
        .collect();
    let t = DirectoryPage {
        c: Chrome::new(&v, i.t("directory-title")),
        filters: render(filter_inputs(&i), &f, &FormErrors::default(), &i),
        rows,
        total: i.ta(
            "directory-found",
            &[(
                "count",
                i64::try_from(found.len()).unwrap_or(i64::MAX).into(),
            )],
        ),
        may_keep: p.actor.may_keep_directory(),
    };
    consume_flash(&v, ok(&t))
}

fn lines(i: &I18n, o: &OrganisationDetails) -> Vec<Line> {
    let line = |label: &str, value: String| Line {
        label: i.t(label),
        value,
        ltr: false,
    };
    let mut out = vec![
        line("directory-kind", i.opt("org-kind", o.kind.code())),
        line(
            "directory-countries",
            i.list(o.countries.iter().map(|c| i.country(c.as_str()))),
        ),
        line(
            "directory-services",
            i.list(o.services.iter().map(|s| i.opt("service", s.code()))),
        ),
        line(
            "directory-stages",
            i.list(o.stages.iter().map(|s| i.opt("service-stage", s.code()))),
        ),
    ];
    if !o.languages.is_empty() {
        out.push(line(
            "directory-languages",
            i.list(o.languages.iter().map(|l| l.as_str())),
        ));
    }
    if let Some(c) = &o.contact {
        out.push(line("directory-contact", c.to_string()));
    }
    for (label, value) in [("directory-email", &o.email), ("directory-phone", &o.phone)] {
        if let Some(x) = value {
            out.push(Line {
                label: i.t(label),
                value: x.to_string(),
                ltr: true,
            });
        }
    }
    if let Some(a) = &o.address {
        out.push(line("directory-address", a.to_string()));
    }
    out
}

pub async fn show(
    State(st): State<WebState>,
    SignedIn(v, p): SignedIn,
    Path(id): Path<Uuid>,
) -> Response {
    let o = match st.app.get_organisation(OrganisationId(id)).await {
        Ok(o) => o,
        Err(e) => return app_error(&v, e),
    };
    let t = OrganisationPage {
        c: Chrome::new(&v, o.details.name.to_string()),
        lines: lines(&v.i, &o.details),
        active: o.details.active,
        edit: p
            .actor
            .may_keep_directory()
            .then(|| format!("/directory/{id}/edit")),
    };
    consume_flash(&v, ok(&t))
}

fn form_inputs(i: &I18n) -> Vec<In> {
    vec![
        In::Text("name", "directory-name-field", None),
        In::Select(
            "kind",
            "directory-kind",
            None,
            std::iter::once((String::new(), String::new()))
                .chain(kind_options(i))
                .collect(),
            false,
        ),
        In::Text(
            "countries",
            "directory-countries",
            Some("admin-countries-hint"),
        ),
        In::Checks("services", "directory-services", None, service_options(i)),
        In::Checks("stages", "directory-stages", None, stage_options(i)),
        In::Text(
            "languages",
            "directory-languages",
            Some("directory-languages-hint"),
        ),
        In::Text(
            "contact",
            "directory-contact",
            Some("directory-contact-hint"),
        ),
        In::Text("email", "directory-email", None),
        In::Text("phone", "directory-phone", None),
        In::Area(
            "address",
            "directory-address",
            Some("directory-address-hint"),
        ),
        In::Check("active", "directory-active", Some("directory-active-hint")),
    ]
}

fn form_data(o: &Organisation) -> FormData {
    let d = &o.details;
    let mut pairs = vec![
        ("name".to_string(), d.name.to_string()),
        ("kind".to_string(), d.kind.code().to_string()),
        (
            "countries".to_string(),
            d.countries
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        ),
        (
            "languages".to_string(),
            d.languages
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        ),
    ];
    pairs.extend(
        d.services
            .iter()
            .map(|s| ("services".into(), s.code().into())),
    );
    pairs.extend(d.stages.iter().map(|s| ("stages".into(), s.code().into())));
    for (name, value) in [
        ("contact", d.contact.as_ref().map(ToString::to_string)),
        ("email", d.email.as_ref().map(ToString::to_string)),
        ("phone", d.phone.as_ref().map(ToString::to_string)),
        ("address", d.address.as_ref().map(ToString::to_string)),
    ] {
        if let Some(v) = value {
            pairs.push((name.into(), v));
        }
    }
    if d.active {
        pairs.push(("active".into(), "yes".into()));
    }
    FormData::from_pairs(pairs)
}

/// The organisation as the form describes it, or every error at its field.
fn parse_form(i: &I18n, f: &FormData, errors: &mut FormErrors) -> Option<OrganisationDetails> {
    let name = ShortText::parse(f.get("name"))
        .map_err(|e| errors.add_value_error(i, "name", e))
        .ok();
    let kind = OrganisationKind::from_code(f.get("kind"));
    if kind.is_none() {
        errors.missing("kind", i);
    }
    let mut countries = BTreeSet::new();
    for code in f
        .get("countries")
        .split([',', ' ', ';'])
        .filter(|c| !c.is_empty())
    {
        match CountryCode::parse(code) {
            Ok(c) => {
                countries.insert(c);
            }
            Err(e) => errors.add_value_error(i, "countries", e),
        }
    }
    let mut languages = BTreeSet::new();
    for code in f
        .get("languages")
        .split([',', ' ', ';'])
        .filter(|c| !c.is_empty())
    {
        match LanguageCode::parse(code) {
            Ok(l) => {
                languages.insert(l);
            }
            Err(e) => errors.add_value_error(i, "languages", e),
        }
    }
    let mut optional = |name: &str| -> Option<ShortText> {
        f.opt(name).and_then(|s| {
            ShortText::parse(&s)
                .map_err(|e| errors.add_value_error(i, name, e))
                .ok()
        })
    };
    let contact = optional("contact");
    let email = optional("email");
    let phone = optional("phone");
    let address = f.opt("address").and_then(|s| {
        LongText::parse(&s)
            .map_err(|e| errors.add_value_error(i, "address", e))
            .ok()
    });
    // The domain's rules are asked even when the name or the kind is missing, so that
    // the summary names every field to fill in at once.
    let placeholder = ShortText::parse("-").ok()?;
    let details = OrganisationDetails {
        name: name.clone().unwrap_or(placeholder),
        kind: kind.unwrap_or(OrganisationKind::MigrantSupport),
        countries,
        services: f
            .all("services")
            .into_iter()
            .filter_map(ServiceType::from_code)
            .collect(),
        stages: f
            .all("stages")
            .into_iter()
            .filter_map(ServiceStage::from_code)
            .collect(),
        languages,
        contact,
        email,
        phone,
        address,
        active: f.checked("active"),
    };
    errors.add_violations(i, &details.violations(), |p| p.to_string());
    (errors.is_empty() && name.is_some() && kind.is_some()).then_some(details)
}

fn back(v: &Visitor) -> (String, String) {
    ("/directory".to_string(), v.i.t("directory-title"))
}

pub async fn new_form(SignedIn(v, p): SignedIn) -> Response {
    if !p.actor.may_keep_directory() {
        return forbidden(&v);
    }
    let f = FormData::from_pairs(vec![("active".into(), "yes".into())]);
    form_page_from(
        &v,
        back(&v),
        v.i.t("directory-add"),
        "/directory/new".into(),
        form_inputs(&v.i),
        &f,
        &FormErrors::default(),
        None,
    )
}

pub async fn create(State(st): State<WebState>, SignedIn(v, p): SignedIn, body: Bytes) -> Response {
    let f = FormData::parse(&body);
    if !v.csrf_ok(f.get("_csrf")) || !p.actor.may_keep_directory() {
        return forbidden(&v);
    }
    let mut errors = FormErrors::default();
    if let Some(d) = parse_form(&v.i, &f, &mut errors) {
        match st.app.create_organisation(Some(&p), d).await {
            Ok(o) => return redirect_with(&format!("/directory/{}", o.id), "done", v.secure),
            Err(e) => {
                if let Some(r) = add_app_errors(&mut errors, &v, e) {
                    return r;
                }
            }
        }
    }
    form_page_from(
        &v,
        back(&v),
        v.i.t("directory-add"),
        "/directory/new".into(),
        form_inputs(&v.i),
        &f,
        &errors,
        None,
    )
}

pub async fn edit_form(
    State(st): State<WebState>,
    SignedIn(v, p): SignedIn,
    Path(id): Path<Uuid>,
) -> Response {
    if !p.actor.may_keep_directory() {
        return forbidden(&v);
    }
    match st.app.get_organisation(OrganisationId(id)).await {
        Ok(o) => form_page_from(
            &v,
            back(&v),
            o.details.name.to_string(),
            format!("/directory/{id}/edit"),
            form_inputs(&v.i),
            &form_data(&o),
            &FormErrors::default(),
            None,
        ),
        Err(e) => app_error(&v, e),
    }
}

pub async fn edit(
    State(st): State<WebState>,
    SignedIn(v, p): SignedIn,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Response {
    let f = FormData::parse(&body);
    if !v.csrf_ok(f.get("_csrf")) || !p.actor.may_keep_directory() {
        return forbidden(&v);
    }
    let mut errors = FormErrors::default();
    if let Some(d) = parse_form(&v.i, &f, &mut errors) {
        match st.app.update_organisation(&p, OrganisationId(id), d).await {
            Ok(_) => return redirect_with(&format!("/directory/{id}"), "done", v.secure),
            Err(e) => {
                if let Some(r) = add_app_errors(&mut errors, &v, e) {
                    return r;
                }
            }
        }
    }
    form_page_from(
        &v,
        back(&v),
        v.i.t("directory-edit"),
        format!("/directory/{id}/edit"),
        form_inputs(&v.i),
        &f,
        &errors,
        None,
    )
}

fn import_inputs() -> Vec<In> {
    vec![
        In::File(
            "upload",
            "directory-import-upload",
            Some("directory-import-upload-hint"),
            ".csv,.tsv,.txt,.xlsx,text/csv,text/tab-separated-values,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        In::Area(
            "file",
            "directory-import-file",
            Some("directory-import-hint"),
        ),
    ]
}

/// What the import form sent: its text fields, and the file uploaded, if any (its name
/// and bytes).
pub(super) async fn import_request(
    request: axum::extract::Request,
) -> Result<(FormData, Option<(String, Vec<u8>)>), StatusCode> {
    use axum::extract::FromRequest;
    let multipart = request
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if !multipart {
        let body = Bytes::from_request(request, &())
            .await
            .map_err(|e| e.status())?;
        return Ok((FormData::parse(&body), None));
    }
    let mut parts = axum::extract::Multipart::from_request(request, &())
        .await
        .map_err(|e| e.status())?;
    let mut pairs = vec![];
    let mut upload = None;
    while let Some(field) = parts.next_field().await.map_err(|e| e.status())? {
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field.file_name().map(str::to_string);
        let bytes = field.bytes().await.map_err(|e| e.status())?;
        match file_name {
            Some(file) if name == "upload" => {
                if !bytes.is_empty() {
                    upload = Some((file, bytes.to_vec()));
                }
            }
            _ => pairs.push((name, String::from_utf8_lossy(&bytes).into_owned())),
        }
    }
    Ok((FormData::from_pairs(pairs), upload))
}

pub async fn import_form(SignedIn(v, p): SignedIn) -> Response {
    if !p.actor.may_keep_directory() {
        return forbidden(&v);
    }
    form_page_from(
        &v,
        back(&v),
        v.i.t("directory-import"),
        "/directory/import".into(),
        import_inputs(),
        &FormData::default(),
        &FormErrors::default(),
        None,
    )
}

/// A directory file uploaded (CSV, tab-separated text, or an Excel workbook) or pasted in
/// (from a spreadsheet: tab-separated; or CSV): imported whole, or shown again with every
/// problem at its line and column.
pub async fn import(
    State(st): State<WebState>,
    SignedIn(v, p): SignedIn,
    request: axum::extract::Request,
) -> Response {
    let (f, upload) = match import_request(request).await {
        Ok(x) => x,
        Err(status) => {
            return message(&v, status, "error-title", "directory-import-unreadable");
        }
    };
    if !v.csrf_ok(f.get("_csrf")) || !p.actor.may_keep_directory() {
        return forbidden(&v);
    }
    let i = &v.i;
    let mut errors = FormErrors::default();
    let imported = match &upload {
        // A workbook is a zip archive: by its name, or by its first bytes.
        Some((name, bytes))
            if name.to_lowercase().ends_with(".xlsx") || bytes.starts_with(b"PK\x03\x04") =>
        {
            st.app.import_organisations_xlsx(&p, bytes).await
        }
        Some((_, bytes)) => match std::str::from_utf8(bytes) {
            Ok(text) => st.app.import_organisations(&p, text).await,
            Err(_) => Err(homeward_app::AppError::Invalid(vec![
                homeward_domain::Violation::new(
                    "import.not_text",
                    "the file is neither UTF-8 text nor an Excel workbook",
                )
                .at("upload"),
            ])),
        },
        None => st.app.import_organisations(&p, f.get("file")).await,
    };
    let notice = match imported {
        Ok(r) => Some(i.ta(
            "directory-imported",
            &[
                ("added", i64::try_from(r.added).unwrap_or(i64::MAX).into()),
                (
                    "updated",
                    i64::try_from(r.updated).unwrap_or(i64::MAX).into(),
                ),
            ],
        )),
        Err(homeward_app::AppError::Invalid(vs)) => {
            for violation in &vs {
                let message = crate::forms::rule_message(i, violation);
                let text = match (violation.params.get("line"), violation.params.get("column")) {
                    (Some(line), Some(column)) => i.ta(
                        "directory-import-problem",
                        &[
                            ("line", line.clone().into()),
                            ("column", column.clone().into()),
                            ("problem", message.into()),
                        ],
                    ),
                    _ => message,
                };
                errors.add(if upload.is_some() { "upload" } else { "file" }, text);
            }
            None
        }
        Err(e) => {
            if let Some(r) = add_app_errors(&mut errors, &v, e) {
                return r;
            }
            None
        }
    };
    let shown = if notice.is_some() {
        FormData::default()
    } else {
        f
    };
    form_page_from(
        &v,
        back(&v),
        v.i.t("directory-import"),
        "/directory/import".into(),
        import_inputs(),
        &shown,
        &errors,
        notice,
    )
}
