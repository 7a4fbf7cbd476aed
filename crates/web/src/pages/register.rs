//! Registering a person and their case.

use super::forbidden;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use homeward_app::cases::RegisterInput;
use homeward_app::input::Parse;
use homeward_app::{AppError, Principal};
use homeward_domain::Violation;
use homeward_domain::case::records::{Proposal, Referral, ReferralSource, ReturnKind};
use homeward_domain::ids::{InboundId, OfficeId, PersonId, ProgrammeId};
use homeward_domain::person::{Member, Relationship};
use uuid::Uuid;

use super::{app_error, redirect_with, sign_in_to_resume};
use crate::WebState;
use crate::actions::{
    Field, In, country_options, field_of, parse_person, person_inputs, render as render_fields,
};
use crate::chrome::{Chrome, page};
use crate::forms::{FormData, FormErrors, occurred_at};
use crate::session::{SignedIn, Visitor};

#[derive(Template)]
#[template(path = "register.html")]
pub struct RegisterPage {
    pub c: Chrome,
    pub fields: Vec<Field>,
    pub errors: FormErrors,
    /// The inbound referral the case is registered from, if any.
    pub inbound: Option<String>,
}

/// `?inbound=<id>`: register the person of an inbound referral.
#[derive(Debug, serde::Deserialize)]
pub struct RegisterQuery {
    pub inbound: Option<Uuid>,
}

/// The inbound referral a form registers from, if it names one.
fn inbound_of(form: &FormData) -> Option<Uuid> {
    form.opt("inbound").and_then(|s| s.parse().ok())
}

const REFERRALS: [ReferralSource; 5] = [
    ReferralSource::SelfReferral,
    ReferralSource::Partner,
    ReferralSource::Authority,
    ReferralSource::Outreach,
    ReferralSource::Other,
];

fn code<T: serde::Serialize>(v: &T) -> String {
    crate::pages::case::enum_code(v)
}

pub async fn render(
    st: &WebState,
    v: &Visitor,
    p: &Principal,
    form: &FormData,
    errors: &FormErrors,
) -> Response {
    let i = v.i;
    let (offices, programmes) = match (st.app.list_offices().await, st.app.list_programmes().await)
    {
        (Ok(o), Ok(pr)) => (o, pr),
        (Err(e), _) | (_, Err(e)) => return app_error(v, e),
    };
    let mut form = form.clone();
    let mine: Vec<(String, String)> = offices
        .iter()
        .filter(|o| p.actor.offices.contains(&o.id))
        .map(|o| (o.id.to_string(), format!("{} ({})", o.name, o.code)))
        .collect();
    if mine.len() == 1 && form.get("host_office").is_empty() {
        form.set("host_office", mine[0].0.clone());
    }
    let progs: Vec<(String, String)> = programmes
        .iter()
        .map(|pr| (pr.id.to_string(), pr.name.to_string()))
        .collect();
    if progs.len() == 1 && form.get("programme").is_empty() {
        form.set("programme", progs[0].0.clone());
    }
    if form.get("return_kind").is_empty() {
        form.set("return_kind", "origin");
    }
    let inbound = inbound_of(&form);
    let mut inputs = vec![
        In::Radios("host_office", "f-host-office", mine),
        In::Radios("programme", "field-programme", progs),
    ];
    // A referral received names the case's source itself.
    if inbound.is_none() {
        inputs.extend([
            In::Radios(
                "referral_source",
                "f-referral-source",
                REFERRALS
                    .iter()
                    .map(|r| (code(r), i.opt("referral", &code(r))))
                    .collect(),
            ),
            In::Text("referred_by", "f-referred-by", None),
        ]);
    }
    inputs.extend([
        In::Select(
            "country_of_return",
            "f-country",
            None,
            std::iter::once((String::new(), String::new()))
                .chain(country_options(&i))
                .collect(),
            true,
        ),
        In::Radios(
            "return_kind",
            "f-return-kind",
            [ReturnKind::Origin, ReturnKind::ThirdCountry]
                .iter()
                .map(|r| (code(r), i.opt("returnkind", &code(r))))
                .collect(),
        ),
        In::Text("place_of_return", "f-place-of-return", None),
        In::Heading(i.t("opt-relationship-principal")),
    ]);
    inputs.extend(person_inputs(&i));
    inputs.push(In::Date(
        "occurred",
        "occurred-legend",
        Some("occurred-hint"),
    ));
    let errors = &crate::actions::named(&inputs, errors, &i);
    let fields = render_fields(inputs, &form, errors, &i);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    page(
        status,
        &RegisterPage {
            c: Chrome::new(v, i.t("nav-new-case")),
            fields,
            errors: errors.clone(),
            inbound: inbound.map(|u| u.to_string()),
        },
    )
}

pub async fn form(
    State(st): State<WebState>,
    SignedIn(v, p): SignedIn,
    Query(q): Query<RegisterQuery>,
) -> Response {
    if !p.actor.may_register_cases() {
        return forbidden(&v);
    }
    let form = match q.inbound {
        Some(id) => match super::inbound::registration_form(&st, &p, id).await {
            Ok(f) => f,
            // Registered, declined or withdrawn meanwhile: its page says which.
            Err(AppError::Refused(_)) => {
                return redirect_with(
                    &format!("/inbound/{id}"),
                    "inbound-already-decided",
                    v.secure,
                );
            }
            Err(e) => return app_error(&v, e),
        },
        None => FormData::default(),
    };
    render(&st, &v, &p, &form, &FormErrors::default()).await
}

/// Where a reason about the new case belongs in this form.
fn register_field(path: &str) -> String {
    match path {
        "proposal/country_of_return" => "country_of_return".into(),
        "host_office" | "programme" => path.into(),
        p if p.starts_with("members/0/details/") => field_of(p.trim_start_matches("members/0/")),
        other => field_of(other),
    }
}

pub async fn submit(State(st): State<WebState>, v: Visitor, body: Bytes) -> Response {
    let f = FormData::parse(&body);
    let Some(p) = v.principal.clone() else {
        return sign_in_to_resume(v, &f);
    };
    if !v.csrf_ok(f.get("_csrf")) || !p.actor.may_register_cases() {
        return forbidden(&v);
    }
    let i = v.i;
    let mut errors = FormErrors::default();
    let mut parse = Parse::default();
    let office = f.get("host_office").parse::<uuid::Uuid>().ok();
    if office.is_none() {
        parse.push(Violation::new("required", i.t("err-required")).at("host_office"));
    }
    let programme = f.get("programme").parse::<uuid::Uuid>().ok();
    if programme.is_none() {
        parse.push(Violation::new("required", i.t("err-required")).at("programme"));
    }
    let inbound = inbound_of(&f);
    let source = match inbound {
        // Replaced by the referral's own source.
        Some(_) => Some(ReferralSource::Partner),
        None => serde_json::from_value::<ReferralSource>(serde_json::Value::String(
            f.get("referral_source").to_string(),
        ))
        .ok(),
    };
    if source.is_none() {
        parse.push(Violation::new("required", i.t("err-required")).at("referral_source"));
    }
    let referred_by = parse.opt_text("referred_by", &f.opt("referred_by"));
    let country = match f.opt("country_of_return") {
        Some(c) => parse.country("country_of_return", &c),
        None => {
            parse.push(Violation::new("required", i.t("err-required")).at("country_of_return"));
            None
        }
    };
    let return_kind = serde_json::from_value::<ReturnKind>(serde_json::Value::String(
        f.get("return_kind").to_string(),
    ))
    .ok();
    let place = parse.opt_text("place_of_return", &f.opt("place_of_return"));
    let person = parse_person(&f, &mut parse, &i);
    let when = {
        let w = occurred_at(&f, &mut errors, &i);
        w.filter(|_| errors.is_empty())
    };
    errors.add_violations(&i, &parse.errors, field_of);
    let input = (|| {
        Some(RegisterInput {
            host_office: OfficeId(office?),
            programme: ProgrammeId(programme?),
            referral: Referral {
                source: source?,
                referred_by: referred_by?,
                organisation: None,
                inbound: None,
            },
            proposal: Proposal {
                country_of_return: country?,
                return_kind: return_kind?,
                place_of_return: place?,
                assistance_package: vec![],
            },
            members: vec![Member {
                person_id: PersonId(homeward_app::new_id()),
                relationship: Relationship::Principal,
                details: person?,
            }],
            occurred_at: when,
            inbound: inbound.map(InboundId),
        })
    })();
    let input = match input {
        Some(input) if errors.is_empty() => input,
        _ => return render(&st, &v, &p, &f, &errors).await,
    };
    match st.app.register_case(&p, input).await {
        Ok(done) => redirect_with(&format!("/cases/{}", done.case_id), "done", v.secure),
        // The referral was dealt with meanwhile: its page says how.
        Err(AppError::Refused(r)) if r.has("inbound.not_waiting") => match inbound {
            Some(id) => redirect_with(
                &format!("/inbound/{id}"),
                "inbound-already-decided",
                v.secure,
            ),
            None => app_error(&v, AppError::Refused(r)),
        },
        Err(AppError::Refused(r)) => {
            errors.add_violations(&i, &r.violations, register_field);
            render(&st, &v, &p, &f, &errors).await
        }
        Err(AppError::Invalid(vs)) => {
            errors.add_violations(&i, &vs, register_field);
            render(&st, &v, &p, &f, &errors).await
        }
        Err(e) => app_error(&v, e),
    }
}
