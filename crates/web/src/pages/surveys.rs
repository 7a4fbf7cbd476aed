//! Survey definitions (issue #25): the list of surveys and their versions, a version's
//! questions, options, conditions, scores and weights, its XLSForm workbook; and the
//! administrators' import, which reports every bad row at its sheet, line and column.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use homeward_app::AppError;
use homeward_app::surveys::{SurveyImport, SurveyVersion};
use homeward_domain::survey::{Dimension, QuestionKind, Several, Skipped, SurveyDefinition};

use super::admin::{add_app_errors, form_page_from};
use super::{app_error, consume_flash, forbidden, message, redirect_with};
use crate::WebState;
use crate::actions::In;
use crate::chrome::{Chrome, ok};
use crate::forms::{FormData, FormErrors};
use crate::i18n::I18n;
use crate::session::{SignedIn, Visitor};
use crate::survey_words::{asked_when, label};

pub struct SurveyRow {
    pub href: String,
    pub title: String,
    pub key: String,
    pub version: u32,
    pub form_version: String,
    pub languages: String,
    pub questions: usize,
    pub imported: String,
    pub superseded: bool,
}

#[derive(Template)]
#[template(path = "surveys.html")]
pub struct SurveysPage {
    pub c: Chrome,
    pub rows: Vec<SurveyRow>,
    pub may_import: bool,
}

pub async fn list(State(st): State<WebState>, SignedIn(v, p): SignedIn) -> Response {
    let i = v.i;
    let all = match st.app.surveys(&p).await {
        Ok(a) => a,
        Err(e) => return app_error(&v, e),
    };
    // Latest first within each survey.
    let mut rows: Vec<SurveyRow> = all
        .iter()
        .enumerate()
        .map(|(n, s)| SurveyRow {
            href: format!("/surveys/{}/{}", s.survey.key, s.survey.version),
            title: label(&i, &s.survey, &s.survey.title),
            key: s.survey.key.clone(),
            version: s.survey.version,
            form_version: s.survey.form_version.clone().unwrap_or_default(),
            languages: i.list(s.survey.languages.iter()),
            questions: s.survey.questions.len(),
            imported: i.datetime(s.imported_at),
            superseded: all
                .get(n + 1)
                .is_some_and(|next| next.survey.key == s.survey.key),
        })
        .collect();
    rows.sort_by(|a, b| a.key.cmp(&b.key).then(b.version.cmp(&a.version)));
    let t = SurveysPage {
        c: Chrome::new(&v, i.t("surveys-title")),
        rows,
        may_import: p.actor.may_administer(),
    };
    consume_flash(&v, ok(&t))
}

pub struct ChoiceLine {
    pub name: String,
    pub label: String,
    /// "0.5", or empty: not scored.
    pub score: String,
}

pub struct QuestionLine {
    pub number: usize,
    pub name: String,
    pub label: String,
    pub hint: String,
    pub kind: String,
    pub asked_when: String,
    pub required: bool,
    pub indicator: String,
    pub choices: Vec<ChoiceLine>,
}

pub struct IndicatorLine {
    pub name: String,
    pub label: String,
    pub dimension: String,
    pub weight: u32,
    pub questions: String,
}

#[derive(Template)]
#[template(path = "survey.html")]
pub struct SurveyPage {
    pub c: Chrome,
    pub key: String,
    pub version: u32,
    pub facts: Vec<(String, String)>,
    pub latest: Option<String>,
    pub download: String,
    pub questions: Vec<QuestionLine>,
    pub indicators: Vec<IndicatorLine>,
    pub dimensions: Vec<(String, u32)>,
    pub skipped: String,
    /// The version's threshold of sustainability, said (or that it sets none).
    pub threshold: String,
}

fn page_of(i: &I18n, v: &Visitor, s: &SurveyVersion, latest: u32) -> SurveyPage {
    let d: &SurveyDefinition = &s.survey;
    let question_label = |name: &str| {
        d.questions
            .iter()
            .find(|q| q.name == name)
            .map(|q| label(i, d, &q.labels))
            .unwrap_or_else(|| name.to_string())
    };
    let questions = d
        .questions
        .iter()
        .enumerate()
        .map(|(n, q)| QuestionLine {
            number: n + 1,
            name: q.name.clone(),
            label: label(i, d, &q.labels),
            hint: label(i, d, &q.hints),
            kind: match &q.kind {
                QuestionKind::SelectOne { .. } => i.t("survey-kind-select_one"),
                QuestionKind::SelectMultiple { scored_by, .. } => i.t1(
                    "survey-kind-select_multiple",
                    "scored",
                    i.t(match scored_by {
                        Several::Mean => "survey-several-mean",
                        Several::Lowest => "survey-several-lowest",
                        Several::Highest => "survey-several-highest",
                    }),
                ),
                QuestionKind::Integer => i.t("survey-kind-integer"),
                QuestionKind::Decimal => i.t("survey-kind-decimal"),
                QuestionKind::Date => i.t("survey-kind-date"),
                QuestionKind::Text => i.t("survey-kind-text"),
            },
            asked_when: asked_when(i, d, q),
            required: q.required,
            indicator: d
                .indicators
                .iter()
                .find(|ind| ind.questions.contains(&q.name))
                .map(|ind| label(i, d, &ind.labels))
                .unwrap_or_default(),
            choices: q
                .kind
                .choices()
                .iter()
                .map(|c| ChoiceLine {
                    name: c.name.clone(),
                    label: label(i, d, &c.labels),
                    score: c
                        .score
                        .map(|s| i.digits(&s.to_string()))
                        .unwrap_or_default(),
                })
                .collect(),
        })
        .collect();
    let dimension = |d: Dimension| i.t(&format!("survey-dimension-{}", d.code()));
    let mut facts = vec![
        (i.t("survey-key"), d.key.clone()),
        (i.t("survey-version"), i.number(i64::from(d.version))),
    ];
    if let Some(f) = &d.form_version {
        facts.push((i.t("survey-form-version"), f.clone()));
    }
    facts.push((
        i.t("survey-languages"),
        i.list(d.languages.iter().map(|l| {
            d.language_names
                .get(l)
                .map(|n| format!("{n} ({l})"))
                .unwrap_or_else(|| l.clone())
        })),
    ));
    facts.push((i.t("survey-imported"), i.datetime(s.imported_at)));
    facts.push((i.t("survey-digest"), s.digest.chars().take(16).collect()));
    SurveyPage {
        c: Chrome::new(v, label(i, d, &d.title)),
        key: d.key.clone(),
        version: d.version,
        facts,
        latest: (latest > d.version).then(|| format!("/surveys/{}/{latest}", d.key)),
        download: format!("/surveys/{}/{}/xlsform", d.key, d.version),
        questions,
        indicators: d
            .indicators
            .iter()
            .map(|ind| IndicatorLine {
                name: ind.name.clone(),
                label: label(i, d, &ind.labels),
                dimension: dimension(ind.dimension),
                weight: ind.weight,
                questions: i.list(ind.questions.iter().map(|q| question_label(q))),
            })
            .collect(),
        dimensions: d
            .dimension_weights
            .iter()
            .map(|(dim, w)| (dimension(*dim), *w))
            .collect(),
        skipped: i.t(match d.skipped {
            Skipped::LeftOut => "survey-skipped-left_out",
            Skipped::Worst => "survey-skipped-worst",
        }),
        threshold: match d.threshold {
            Some(t) => i.t1("survey-threshold", "threshold", i.digits(&t.to_string())),
            None => i.t("survey-no-threshold"),
        },
    }
}

pub async fn show(
    State(st): State<WebState>,
    SignedIn(v, p): SignedIn,
    Path((key, version)): Path<(String, String)>,
) -> Response {
    let Ok(version) = version.parse::<u32>() else {
        return super::not_found_page(&v);
    };
    let (s, latest) = match (
        st.app.survey(&p, &key, Some(version)).await,
        st.app.survey(&p, &key, None).await,
    ) {
        (Ok(s), Ok(l)) => (s, l.survey.version),
        (Err(e), _) | (_, Err(e)) => return app_error(&v, e),
    };
    let i = v.i;
    consume_flash(&v, ok(&page_of(&i, &v, &s, latest)))
}

pub async fn xlsform(
    State(st): State<WebState>,
    SignedIn(v, p): SignedIn,
    Path((key, version)): Path<(String, String)>,
) -> Response {
    let Ok(version) = version.parse::<u32>() else {
        return super::not_found_page(&v);
    };
    match st.app.survey_xlsx(&p, &key, Some(version)).await {
        Ok((s, bytes)) => xlsx_download(
            bytes,
            &format!("{}-v{}.xlsx", s.survey.key, s.survey.version),
        ),
        Err(e) => app_error(&v, e),
    }
}

/// A workbook as a download named `name` (a survey's name: letters, digits, `_ - .`).
fn xlsx_download(bytes: Vec<u8>, name: &str) -> Response {
    use axum::http::{HeaderValue, header};
    use axum::response::IntoResponse;
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    );
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, value);
    }
    res
}

/// The template shaped like IOM's survey, as a workbook to adapt and import.
pub async fn template(State(st): State<WebState>, SignedIn(v, p): SignedIn) -> Response {
    match st.app.survey_template_xlsx(&p).await {
        Ok(bytes) => xlsx_download(bytes, "reintegration-sustainability-template.xlsx"),
        Err(e) => app_error(&v, e),
    }
}

fn back(v: &Visitor) -> (String, String) {
    ("/surveys".to_string(), v.i.t("surveys-title"))
}

fn import_inputs() -> Vec<In> {
    vec![In::File(
        "upload",
        "surveys-import-upload",
        Some("surveys-import-upload-hint"),
        ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )]
}

pub async fn import_form(SignedIn(v, p): SignedIn) -> Response {
    if !p.actor.may_administer() {
        return forbidden(&v);
    }
    form_page_from(
        &v,
        back(&v),
        v.i.t("surveys-import"),
        "/surveys/import".into(),
        import_inputs(),
        &FormData::default(),
        &FormErrors::default(),
        None,
    )
}

/// An XLSForm workbook uploaded: stored as the survey's next version (or found to be the
/// latest already), or shown again with every problem at its sheet, line and column.
pub async fn import(
    State(st): State<WebState>,
    SignedIn(v, p): SignedIn,
    request: axum::extract::Request,
) -> Response {
    let (f, upload) = match super::directory::import_request(request).await {
        Ok(x) => x,
        Err(status) => return message(&v, status, "error-title", "surveys-import-unreadable"),
    };
    if !v.csrf_ok(f.get("_csrf")) || !p.actor.may_administer() {
        return forbidden(&v);
    }
    let i = &v.i;
    let mut errors = FormErrors::default();
    let Some((_, bytes)) = upload else {
        errors.add("upload", i.t("surveys-import-none"));
        return import_again(&v, &errors);
    };
    match st.app.import_survey(&p, &bytes).await {
        Ok(imported) => {
            let s = imported.version();
            let flash = match imported {
                SurveyImport::Added(_) => "survey-added",
                SurveyImport::Unchanged(_) => "survey-unchanged",
            };
            redirect_with(
                &format!("/surveys/{}/{}", s.survey.key, s.survey.version),
                flash,
                v.secure,
            )
        }
        Err(AppError::Invalid(vs)) => {
            for violation in &vs {
                let problem = crate::forms::rule_message(i, violation);
                let text = match (
                    violation.params.get("sheet"),
                    violation.params.get("line"),
                    violation.params.get("column"),
                ) {
                    (Some(sheet), Some(line), Some(column)) => i.ta(
                        "surveys-import-problem",
                        &[
                            ("sheet", sheet.clone().into()),
                            ("line", line.clone().into()),
                            ("column", column.clone().into()),
                            ("problem", problem.into()),
                        ],
                    ),
                    _ => problem,
                };
                errors.add("upload", text);
            }
            import_again(&v, &errors)
        }
        Err(AppError::Duplicate(_)) => {
            errors.add("upload", i.t("surveys-import-meanwhile"));
            import_again(&v, &errors)
        }
        Err(e) => {
            if let Some(r) = add_app_errors(&mut errors, &v, e) {
                return r;
            }
            import_again(&v, &errors)
        }
    }
}

fn import_again(v: &Visitor, errors: &FormErrors) -> Response {
    let mut res = form_page_from(
        v,
        back(v),
        v.i.t("surveys-import"),
        "/surveys/import".into(),
        import_inputs(),
        &FormData::default(),
        errors,
        None,
    );
    *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    res
}
