//! One page per lifecycle step: the form, and what happens when it is sent.

use super::{forbidden, not_found_page};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use homeward_app::input::Parse;
use homeward_app::views::CaseView;
use homeward_app::{AppError, Principal};
use homeward_domain::access::may_offer;
use homeward_domain::ids::CaseId;
use homeward_domain::ids::OrganisationId;
use homeward_domain::organisation::ServiceType;
use homeward_domain::values::CountryCode;
use homeward_domain::{Command, CommandKind};
use uuid::Uuid;

use super::{app_error, redirect_with, sign_in_to_resume};
use crate::WebState;
use crate::actions::{self, Ctx, Field, In, field_of, from_slug, render};
use crate::chrome::{Chrome, page};
use crate::forms::{FormData, FormErrors, occurred_at, rule_message};
use crate::session::Visitor;

#[derive(Template)]
#[template(path = "action.html")]
pub struct ActionPage {
    pub c: Chrome,
    pub case_id: Uuid,
    pub reference: String,
    pub name: String,
    pub heading: String,
    pub action: String,
    pub version: u64,
    pub notes: Vec<String>,
    pub fields: Vec<Field>,
    pub occurred: Vec<Field>,
    pub errors: FormErrors,
    /// A follow-up's survey one question at a time: where the form stands.
    pub steps: Option<Steps>,
    /// What the steps not shown hold, carried from step to step.
    pub carried: Vec<(String, String)>,
    /// Whether the form can be filled in one question at a time (a follow-up with a
    /// survey, shown whole).
    pub may_step: bool,
}

/// The follow-up form filled in one question at a time, as on a phone: the follow-up
/// itself, then each question its answers so far ask (`actions::survey_steps`). Each
/// step is sent to the server, which shows the next; nothing is recorded before the last
/// step's button, and then as the whole form would record it (shown whole when refused).
pub struct Steps {
    /// The step shown: `""` for the follow-up itself, else a question's name.
    pub at: String,
    /// "Step 3 of 12".
    pub progress: String,
    pub back: bool,
    pub last: bool,
}

/// What a form shows in step `at` of `steps` (fields, then those of the time it
/// happened), and the values of the others, carried in hidden inputs.
fn one_step(
    at: &str,
    fields: Vec<Field>,
    occurred: Vec<Field>,
    form: &FormData,
) -> (Vec<Field>, Vec<Field>, Vec<(String, String)>) {
    let question = format!("survey-{at}");
    let shown = |f: &Field| match at {
        "" => f.name != "survey" && !f.name.starts_with("survey-"),
        _ => f.name == "survey" || f.name == question,
    };
    let fields: Vec<Field> = fields
        .into_iter()
        .filter(|f| f.kind == "hidden" || shown(f))
        .collect();
    let occurred = match at {
        "" => occurred,
        _ => vec![],
    };
    // The names the step sends itself (a date as its three parts).
    let mut sent: Vec<String> = ["_csrf", "version", "_step", "_at"]
        .map(String::from)
        .to_vec();
    for f in fields.iter().chain(&occurred) {
        sent.push(f.name.clone());
        if f.kind == "date" {
            sent.extend(["day", "month", "year"].map(|p| format!("{}-{p}", f.name)));
        }
    }
    let carried = form
        .pairs()
        .iter()
        .filter(|(name, _)| !sent.contains(name))
        .cloned()
        .collect();
    (fields, occurred, carried)
}

/// Things worth knowing before filling the form.
fn notes(
    kind: CommandKind,
    v: &Visitor,
    view: &CaseView,
    programme: &homeward_domain::programme::ProgrammeSettings,
) -> Vec<String> {
    let i = v.i;
    let name_of = |id: &homeward_domain::ids::PersonId| {
        view.case
            .member(*id)
            .map(|m| m.details.name.display())
            .unwrap_or_default()
    };
    match kind {
        CommandKind::RecordConsent => {
            view.consent
                .iter()
                .filter_map(|s| {
                    let from = s.possible_from?;
                    (from > homeward_app::now() && !view.case.consents.contains_key(&s.person_id))
                        .then(|| {
                            format!(
                                "{}: {}",
                                name_of(&s.person_id),
                                i.t1("case-consent-possible-from", "date", i.day(from))
                            )
                        })
                })
                .collect()
        }
        CommandKind::ApproveApplication => approval_summary(v, view, programme),
        CommandKind::MarkReadyToDepart | CommandKind::ConfirmDeparture => view
            .departure_conditions
            .iter()
            .map(|c| {
                let who = c
                    .person_id
                    .map(|p| format!("{}: ", name_of(&p)))
                    .unwrap_or_default();
                format!("{who}{}", rule_message(&i, c))
            })
            .collect(),
        _ => vec![],
    }
}

/// What an approver approves: who returns, each with their age and whether their consent
/// stands (as the departure rules judge it); where to; with what assistance; the
/// eligibility screening; what still stands before travel.
fn approval_summary(
    v: &Visitor,
    view: &CaseView,
    programme: &homeward_domain::programme::ProgrammeSettings,
) -> Vec<String> {
    use fluent_templates::fluent_bundle::FluentValue;
    use homeward_domain::case::voluntariness::{consent_conditions, consent_path, giver_for};
    use homeward_domain::person::DateOfBirth;
    let i = v.i;
    let case = &view.case;
    let now = homeward_app::now();
    let today = now.date_naive();
    let mut out: Vec<String> = case
        .members
        .iter()
        .map(|m| {
            let unmet = consent_conditions(case, m, now, programme);
            let consent = if let Some(w) = case.withdrawals.get(&m.person_id) {
                i.t1("approval-withdrawn", "date", i.day(w.at))
            } else if !unmet.is_empty() {
                unmet
                    .iter()
                    .map(|c| rule_message(&i, c))
                    .collect::<Vec<_>>()
                    .join(" ")
            } else if giver_for(consent_path(case, m, today)).is_none() {
                i.t("approval-consent-family")
            } else {
                match case.consents.get(&m.person_id) {
                    Some(c) => i.t1("approval-consent-given", "date", i.day(c.given_at)),
                    None => i.t("approval-consent-none"),
                }
            };
            let age = homeward_domain::stats::age_at(m.details.date_of_birth, today);
            let estimated = matches!(m.details.date_of_birth, DateOfBirth::EstimatedYear(_));
            i.ta(
                if estimated {
                    "approval-person-estimated"
                } else {
                    "approval-person"
                },
                &[
                    ("name", FluentValue::from(m.details.name.display())),
                    ("age", FluentValue::from(i64::from(age))),
                    ("consent", FluentValue::from(consent)),
                ],
            )
        })
        .collect();
    let p = &case.proposal;
    let place = p
        .place_of_return
        .as_ref()
        .map(|x| format!(" ({x})"))
        .unwrap_or_default();
    out.push(i.t1(
        "approval-country",
        "country",
        format!("{}{place}", i.country(p.country_of_return.as_str())),
    ));
    out.push(if p.assistance_package.is_empty() {
        i.t("approval-no-package")
    } else {
        let items = p.assistance_package.iter().map(|a| {
            let amount = a.amount.as_ref().map(|m| format!(" {}", i.money(m)));
            format!(
                "{}{}",
                i.opt("assist", &crate::pages::case::enum_code(&a.kind)),
                amount.unwrap_or_default()
            )
        });
        i.t1("approval-package", "items", i.list(items))
    });
    out.push(match &case.screening {
        Some(s) if s.eligible => i.t1(
            "approval-screened-eligible",
            "category",
            s.facts.category.to_string(),
        ),
        Some(_) => i.t("approval-screened-not-eligible"),
        None => i.t("approval-not-screened"),
    });
    if !view.departure_conditions.is_empty() {
        let n = view.departure_conditions.len() as i64;
        out.push(i.ta("approval-conditions", &[("count", n.into())]));
    }
    out
}

/// The rest of what an approver approves, from beyond the case: the reintegration package
/// the household may have, and the kinds of entry recorded late (that nobody saw as they
/// happened).
async fn approval_context(
    st: &WebState,
    p: &Principal,
    v: &Visitor,
    view: &CaseView,
    programme: &homeward_domain::programme::ProgrammeSettings,
) -> Result<Vec<String>, AppError> {
    let i = v.i;
    let mut out = vec![];
    let today = homeward_app::now().date_naive();
    if let Some(cap) = homeward_domain::case::plan_cap(&view.case, programme, today) {
        out.push(i.t1("approval-package-cap", "amount", i.money(&cap)));
    }
    let late: Vec<String> = st
        .app
        .late_entries(p, view.case.id)
        .await?
        .into_iter()
        .map(|kind| i.t(&format!("event-{kind}")))
        .collect();
    if !late.is_empty() {
        out.push(i.t1("approval-late-entries", "kinds", i.list(late)));
    }
    Ok(out)
}

/// Sensible first values: the only person, the only choice.
fn defaults(kind: CommandKind, view: &CaseView, f: &mut FormData) {
    if view.case.members.len() == 1 && f.get("person_id").is_empty() {
        f.set("person_id", view.case.members[0].person_id.to_string());
    }
    if kind == CommandKind::RecordConsent && f.get("given_by").is_empty() {
        f.set("given_by", "person");
    }
}

/// The survey a follow-up asks on the day the form gives (today when it gives none),
/// in its latest version: the one of the scheduled follow-up whose time that day falls
/// in, or the programme's (`Monitoring::survey_asked`); none for other steps, or when
/// none is asked.
async fn follow_up_survey(
    st: &WebState,
    p: &Principal,
    kind: CommandKind,
    programme: &homeward_domain::programme::Programme,
    view: &CaseView,
    f: &FormData,
    i: &crate::i18n::I18n,
) -> Result<Option<homeward_app::surveys::SurveyVersion>, AppError> {
    if kind != CommandKind::RecordFollowUp {
        return Ok(None);
    }
    let on = occurred_at(f, &mut FormErrors::default(), i)
        .unwrap_or_else(chrono::Utc::now)
        .date_naive();
    match view.case.survey_asked(on, &programme.settings.monitoring) {
        Some(key) => match st.app.survey(p, key, None).await {
            Ok(s) => Ok(Some(s)),
            Err(AppError::NotFound) => Ok(None),
            Err(e) => Err(e),
        },
        None => Ok(None),
    }
}

pub async fn render_form(
    st: &WebState,
    v: &Visitor,
    p: &Principal,
    case_id: Uuid,
    slug: &str,
    form: &FormData,
    errors: &FormErrors,
) -> Response {
    render_form_at(st, v, p, case_id, slug, form, errors, None).await
}

/// `render_form`, one question at a time from step `step` where given (a follow-up
/// with a survey; the whole form otherwise).
#[allow(clippy::too_many_arguments)]
pub async fn render_form_at(
    st: &WebState,
    v: &Visitor,
    p: &Principal,
    case_id: Uuid,
    slug: &str,
    form: &FormData,
    errors: &FormErrors,
    step: Option<String>,
) -> Response {
    let Some(kind) = from_slug(slug) else {
        return not_found_page(v);
    };
    let view = match st.app.case_view(p, CaseId(case_id)).await {
        Ok(view) => view,
        Err(e) => return app_error(v, e),
    };
    if may_offer(&p.actor, &view.case, kind).is_err() {
        return forbidden(v);
    }
    let (programme, offices) = match (
        st.app.get_programme(view.case.programme).await,
        st.app.list_offices().await,
    ) {
        (Ok(pr), Ok(o)) => (pr, o),
        (Err(e), _) | (_, Err(e)) => return app_error(v, e),
    };
    let caseworkers = match kind {
        CommandKind::AssignCaseworker => match st.app.caseworkers(p, CaseId(case_id)).await {
            Ok(c) => c,
            Err(e) => return app_error(v, e),
        },
        _ => vec![],
    };
    let organisations = match kind {
        CommandKind::MakeReferral => match st.app.referral_choices(&view.case).await {
            Ok(o) => o,
            Err(e) => return app_error(v, e),
        },
        _ => vec![],
    };
    let survey = match follow_up_survey(st, p, kind, &programme, &view, form, &v.i).await {
        Ok(s) => s,
        Err(e) => return app_error(v, e),
    };
    let ctx = Ctx {
        i: v.i,
        view: &view,
        programme: &programme,
        offices: &offices,
        me: p.actor.user_id,
        caseworkers: &caseworkers,
        organisations: &organisations,
        survey: survey.as_ref(),
    };
    let mut form = form.clone();
    defaults(kind, &view, &mut form);
    // A step of a form sent on keeps the case's version and the survey's it was opened
    // at: a change meanwhile is a conflict, and answers stay under their version.
    let stepping =
        (step.is_some() || !form.get("_step").is_empty()) && !form.get("version").is_empty();
    // The survey and version the form shows, which its answers are given under (a form
    // shown again after the survey changed shows the new one).
    // One question at a time, a day moved into another follow-up's time shows the survey
    // that time asks from then on (and the answers given to the other are not carried).
    let other_survey =
        |s: &homeward_app::surveys::SurveyVersion| form.get("survey_key") != s.survey.key;
    if let Some(s) = survey.as_ref().filter(|s| !stepping || other_survey(s)) {
        // Answers given to another survey (the day changed into another follow-up's
        // time) are not offered as this one's.
        if !form.get("survey_key").is_empty() && other_survey(s) {
            form = FormData::from_pairs(
                form.pairs()
                    .iter()
                    .filter(|(k, _)| !k.starts_with("survey-"))
                    .cloned()
                    .collect(),
            );
        }
        form.set("survey_key", s.survey.key.clone());
        form.set("survey_version", s.survey.version.to_string());
    }
    let inputs = actions::inputs(kind, &ctx);
    let errors = &actions::named(&inputs, errors, &v.i);
    let fields = render(inputs, &form, errors, &v.i);
    let mut occurred = render(
        vec![
            In::Date("occurred", "occurred-legend", Some("occurred-hint")),
            In::Time("occurred-time", "time-hour-minute"),
        ],
        &form,
        errors,
        &v.i,
    );
    // The time is the office's: say which.
    if let Some(time) = occurred.get_mut(1) {
        time.hint = Some(v.i.t1("time-in-zone", "zone", v.i.zone_name()));
    }
    let (fields, occurred, carried, steps) = match (step, &survey) {
        (Some(at), Some(s)) => {
            let list = actions::survey_steps(&s.survey, &form);
            let pos = list.iter().position(|x| *x == at).unwrap_or(0);
            let at = list.get(pos).cloned().unwrap_or_default();
            let (fields, occurred, carried) = one_step(&at, fields, occurred, &form);
            let progress = v.i.ta(
                "f-survey-step",
                &[
                    ("number", i64::try_from(pos + 1).unwrap_or(0).into()),
                    ("count", i64::try_from(list.len()).unwrap_or(0).into()),
                ],
            );
            let steps = Steps {
                at,
                progress,
                back: pos > 0,
                last: pos + 1 >= list.len(),
            };
            (fields, occurred, carried, Some(steps))
        }
        _ => (fields, occurred, vec![], None),
    };
    // Once refused, the error summary says it all.
    let mut notes = if errors.is_empty() && steps.as_ref().is_none_or(|s| s.at.is_empty()) {
        notes(kind, v, &view, &programme.settings)
    } else {
        vec![]
    };
    if errors.is_empty() && kind == CommandKind::ApproveApplication {
        match approval_context(st, p, v, &view, &programme.settings).await {
            Ok(more) => notes.extend(more),
            Err(e) => return app_error(v, e),
        }
    }
    let heading = v.i.t(&format!("action-{}", kind.name()));
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    page(
        status,
        &ActionPage {
            c: Chrome::new(v, heading.clone()),
            case_id,
            reference: view.case.reference.to_string(),
            name: view
                .case
                .principal()
                .map(|m| m.details.name.display())
                .unwrap_or_default(),
            heading,
            action: format!("/cases/{case_id}/do/{slug}"),
            version: match stepping {
                true => form.get("version").parse().unwrap_or(view.version),
                false => view.version,
            },
            notes,
            fields,
            occurred,
            errors: errors.clone(),
            may_step: survey.is_some() && steps.is_none(),
            steps,
            carried,
        },
    )
}

#[derive(serde::Deserialize, Default)]
pub struct FormQuery {
    /// Whose details to change (an id, never personal data).
    pub person: Option<Uuid>,
    /// A follow-up's survey one question at a time (any value).
    pub steps: Option<String>,
}

pub async fn form(
    State(st): State<WebState>,
    crate::session::SignedIn(v, p): crate::session::SignedIn,
    Path((case_id, slug)): Path<(Uuid, String)>,
    q: Result<axum::extract::Query<FormQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let q = q.map(|axum::extract::Query(q)| q).unwrap_or_default();
    let person = q.person;
    let mut prefill = FormData::default();
    if let (Some(person), Some(CommandKind::UpdatePersonDetails)) = (person, from_slug(&slug))
        && let Ok(view) = st.app.case_view(&p, CaseId(case_id)).await
        && let Some(m) = view.case.member(homeward_domain::ids::PersonId(person))
    {
        prefill = actions::person_form(m);
    }
    render_form_at(
        &st,
        &v,
        &p,
        case_id,
        &slug,
        &prefill,
        &FormErrors::default(),
        q.steps.map(|_| String::new()),
    )
    .await
}

pub async fn submit(
    State(st): State<WebState>,
    v: Visitor,
    Path((case_id, slug)): Path<(Uuid, String)>,
    body: Bytes,
) -> Response {
    let f = FormData::parse(&body);
    let Some(p) = v.principal.clone() else {
        // The session ended while the form was open: sign in again, keeping the input.
        return sign_in_to_resume(v, &f);
    };
    if !v.csrf_ok(f.get("_csrf")) {
        return forbidden(&v);
    }
    let Some(kind) = from_slug(&slug) else {
        return not_found_page(&v);
    };
    let view = match st.app.case_view(&p, CaseId(case_id)).await {
        Ok(view) => view,
        Err(e) => return app_error(&v, e),
    };
    let (programme, offices) = match (
        st.app.get_programme(view.case.programme).await,
        st.app.list_offices().await,
    ) {
        (Ok(pr), Ok(o)) => (pr, o),
        (Err(e), _) | (_, Err(e)) => return app_error(&v, e),
    };
    let survey = match follow_up_survey(&st, &p, kind, &programme, &view, &f, &v.i).await {
        Ok(s) => s,
        Err(e) => return app_error(&v, e),
    };
    let ctx = Ctx {
        i: v.i,
        view: &view,
        programme: &programme,
        offices: &offices,
        me: p.actor.user_id,
        caseworkers: &[],
        organisations: &[],
        survey: survey.as_ref(),
    };
    // A step of the survey one question at a time: the next (or previous) one is shown,
    // nothing recorded; or the whole form, with what was given.
    if let Some(s) = &survey {
        let list = actions::survey_steps(&s.survey, &f);
        let pos = list.iter().position(|x| x == f.get("_at")).unwrap_or(0);
        let to = match f.get("_step") {
            "next" => Some(list.get(pos + 1).or(list.last()).cloned()),
            "back" => Some(list.get(pos.saturating_sub(1)).cloned()),
            "steps" => Some(Some(String::new())),
            "all" => Some(None),
            _ => None,
        };
        if let Some(to) = to {
            let no_errors = FormErrors::default();
            return render_form_at(&st, &v, &p, case_id, &slug, &f, &no_errors, to).await;
        }
    }
    // A step's button is never a command: a survey gone meanwhile shows the whole form.
    if !f.get("_step").is_empty() {
        return render_form(&st, &v, &p, case_id, &slug, &f, &FormErrors::default()).await;
    }
    let mut errors = FormErrors::default();
    let when = occurred_at(&f, &mut errors, &v.i);
    let mut parse = Parse::default();
    let cmd = match kind {
        // Who the chosen user is (offices, roles) is found in the directory.
        CommandKind::AssignCaseworker => match f.get("user_id").parse() {
            Ok(id) => match st
                .app
                .assignee(homeward_domain::ids::UserId(id), "user_id")
                .await
            {
                Ok(a) => Some(Command::AssignCaseworker(a)),
                Err(AppError::Invalid(vs)) => {
                    errors.add_violations(&v.i, &vs, field_of);
                    None
                }
                Err(e) => return app_error(&v, e),
            },
            Err(_) => {
                errors.missing("user_id", &v.i);
                None
            }
        },
        // The directory says whether the organisation can take the referral.
        CommandKind::MakeReferral => {
            let organisation = f.get("organisation").parse().ok().map(OrganisationId);
            let service = ServiceType::from_code(f.get("service"));
            let country = CountryCode::parse(f.get("country")).ok();
            if country.is_none() {
                errors.missing("country", &v.i);
            }
            let target = match (organisation, service, country) {
                (Some(o), Some(s), Some(c)) => {
                    match st.app.referral_target(o, s, &c, "organisation").await {
                        Ok(name) => Some((o, c, name)),
                        Err(AppError::Invalid(vs)) => {
                            errors.add_violations(&v.i, &vs, field_of);
                            None
                        }
                        Err(e) => return app_error(&v, e),
                    }
                }
                (None, _, _) => {
                    errors.missing("organisation", &v.i);
                    None
                }
                _ => None,
            };
            actions::make_referral(&f, target, &ctx, &mut parse)
        }
        _ => actions::build(kind, &f, &ctx, &mut parse),
    };
    errors.add_violations(&v.i, &parse.errors, field_of);
    let version: u64 = f.get("version").parse().unwrap_or(view.version);
    let cmd = match cmd {
        Some(cmd) if errors.is_empty() => cmd,
        _ => return render_form(&st, &v, &p, case_id, &slug, &f, &errors).await,
    };
    match st
        .app
        .execute(&p, CaseId(case_id), version, when, cmd)
        .await
    {
        Ok(_) => redirect_with(&format!("/cases/{case_id}"), "done", v.secure),
        Err(AppError::Refused(r)) => {
            // Conditions about a person name them.
            for violation in &r.violations {
                let who = violation
                    .person_id
                    .and_then(|id| view.case.member(id))
                    .map(|m| format!("{}: ", m.details.name.display()))
                    .unwrap_or_default();
                let field = violation.field.as_deref().map(field_of).unwrap_or_default();
                errors.add(&field, format!("{who}{}", rule_message(&v.i, violation)));
            }
            render_form(&st, &v, &p, case_id, &slug, &f, &errors).await
        }
        Err(AppError::Invalid(vs)) => {
            errors.add_violations(&v.i, &vs, field_of);
            render_form(&st, &v, &p, case_id, &slug, &f, &errors).await
        }
        Err(AppError::Conflict { .. }) => {
            // The form is shown again at the case's current version, with what was typed.
            errors.add("", v.i.t("conflict-body"));
            render_form(&st, &v, &p, case_id, &slug, &f, &errors).await
        }
        Err(e) => app_error(&v, e),
    }
}
