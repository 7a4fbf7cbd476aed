//! The programme report "impact on beneficiaries" (`App::impact_report`): returnees'
//! survey scores by dimension and overall, by time since return, per survey version with
//! its weights, grouped by country of return, sex, age group, vulnerability or assistance
//! received, with the share of returnees at or above the version's threshold of
//! sustainability; a protected reader's as the last settled month ended, small groups
//! hidden (—).

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use homeward_app::impact::{ImpactReport, ImpactRow, Mean};
use homeward_store::ScoreBy;
use serde::Deserialize;

use super::{app_error, consume_flash};
use crate::WebState;
use crate::chrome::{Chrome, ok};
use crate::i18n::I18n;
use crate::session::SignedIn;

/// A band's table of one survey version.
pub struct BandTable {
    pub id: String,
    pub title: String,
    /// The composite's bar per row (its length in thousandths), with the row's label.
    pub bars: Vec<(String, Option<u16>, String)>,
    pub rows: Vec<Vec<String>>,
}

pub struct SurveySection {
    pub title: String,
    pub weights: String,
    /// The version's threshold of sustainability, said (or that it sets none).
    pub threshold: String,
    pub head: Vec<String>,
    pub bands: Vec<BandTable>,
}

#[derive(Template)]
#[template(path = "impact.html")]
pub struct ImpactPage {
    pub c: Chrome,
    pub programmes: Vec<(String, String)>,
    pub chosen: String,
    pub by: Vec<(String, String, bool)>,
    /// The grouping chosen, as the downloads take it.
    pub by_code: &'static str,
    pub protected: bool,
    pub own_offices_only: bool,
    /// The day a protected reader's surveys are as of, said.
    pub as_of: Option<String>,
    pub surveys: Vec<SurveySection>,
    pub definitions: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ImpactQuery {
    pub programme: Option<String>,
    pub by: Option<String>,
}

pub(super) fn mean(i: &I18n, m: &Mean) -> String {
    m.mean
        .map_or_else(|| "—".into(), |p| i.digits(&p.to_string()))
}

/// A row's cells; the share sustainable only where the version sets a threshold.
pub(super) fn line(i: &I18n, label: String, r: &ImpactRow, threshold: bool) -> Vec<String> {
    let mut cells = vec![
        label,
        r.returnees.map_or_else(|| "—".into(), |n| i.number(n)),
        mean(i, &r.economic),
        mean(i, &r.social),
        mean(i, &r.psychosocial),
        mean(i, &r.composite),
    ];
    if threshold {
        cells.push(r.sustainable.share.map_or_else(
            || "—".into(),
            |p| {
                i.t1(
                    "stats-percent",
                    "n",
                    i.one_decimal(f64::from(p.thousandths()) / 10.0),
                )
            },
        ));
    }
    cells
}

/// The table's head, with the share sustainable where the version sets a threshold.
fn head(i: &I18n, threshold: bool) -> Vec<String> {
    let mut keys = vec![
        "impact-col-group",
        "impact-col-returnees",
        "survey-dimension-economic",
        "survey-dimension-social",
        "survey-dimension-psychosocial",
        "case-scores-composite",
    ];
    if threshold {
        keys.push("impact-col-sustainable");
    }
    keys.into_iter().map(|k| i.t(k)).collect()
}

fn group_label(i: &I18n, by: ScoreBy, group: &str) -> String {
    match by {
        ScoreBy::Nothing => i.t("impact-all"),
        by => super::stats::key_label(i, Some(by.code()), group, &None),
    }
}

fn sections(i: &I18n, r: &ImpactReport) -> Vec<SurveySection> {
    r.surveys
        .iter()
        .enumerate()
        .map(|(n, s)| SurveySection {
            threshold: match s.threshold {
                Some(t) => i.t1("impact-threshold", "threshold", i.digits(&t.to_string())),
                None => i.t("impact-no-threshold"),
            },
            head: head(i, s.threshold.is_some()),
            title: i.ta(
                "impact-survey",
                &[
                    (
                        "title",
                        s.title
                            .get(i.code())
                            .or_else(|| s.title.values().next())
                            .cloned()
                            .unwrap_or_else(|| s.key.clone())
                            .into(),
                    ),
                    ("version", i64::from(s.version).into()),
                ],
            ),
            weights: i.t1(
                "impact-weights",
                "weights",
                i.list(s.weights.iter().map(|(d, w)| {
                    format!(
                        "{} {}",
                        i.t(&format!("survey-dimension-{}", d.code())),
                        i.number(i64::from(*w))
                    )
                })),
            ),
            bands: s
                .bands
                .iter()
                .map(|b| {
                    let title = match b.band {
                        0 => i.t("impact-band-baseline"),
                        months => i.t1("impact-band", "months", i.number(i64::from(months))),
                    };
                    let mut rows: Vec<Vec<String>> = match r.by {
                        ScoreBy::Nothing => vec![],
                        by => b
                            .rows
                            .iter()
                            .map(|row| {
                                line(
                                    i,
                                    group_label(i, by, &row.group),
                                    row,
                                    s.threshold.is_some(),
                                )
                            })
                            .collect(),
                    };
                    rows.push(line(
                        i,
                        i.t("impact-total"),
                        &b.total,
                        s.threshold.is_some(),
                    ));
                    let shown: Vec<&ImpactRow> = match r.by {
                        ScoreBy::Nothing => vec![&b.total],
                        _ => b.rows.iter().collect(),
                    };
                    BandTable {
                        id: format!("impact-{n}-{}", b.band),
                        title,
                        bars: shown
                            .iter()
                            .map(|row| {
                                (
                                    match r.by {
                                        ScoreBy::Nothing => i.t("impact-all"),
                                        by => group_label(i, by, &row.group),
                                    },
                                    row.composite.mean.map(|p| p.thousandths()),
                                    mean(i, &row.composite),
                                )
                            })
                            .collect(),
                        rows,
                    }
                })
                .collect(),
        })
        .collect()
}

pub async fn page(
    State(st): State<WebState>,
    SignedIn(v, p): SignedIn,
    q: Result<Query<ImpactQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let i = v.i;
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let (chosen, programmes) =
        match super::budget::programme_choice(&st, &v, &p, q.programme.as_deref()).await {
            Ok(c) => c,
            Err(page) => return page,
        };
    let by = ScoreBy::ALL
        .into_iter()
        .find(|b| q.by.as_deref() == Some(b.code()))
        .unwrap_or(ScoreBy::Nothing);
    let report = match st.app.impact_report(&p, chosen, by).await {
        Ok(r) => r,
        Err(e) => return app_error(&v, e),
    };
    let t = ImpactPage {
        c: Chrome::new(&v, i.t("impact-title")),
        programmes,
        chosen: chosen.0.to_string(),
        by: ScoreBy::ALL
            .into_iter()
            .map(|b| {
                (
                    b.code().to_string(),
                    i.t(&format!("impact-by-{}", b.code())),
                    b == by,
                )
            })
            .collect(),
        by_code: by.code(),
        protected: report.protected,
        own_offices_only: report.own_offices_only,
        as_of: report
            .as_of
            .map(|d| i.t1("impact-as-of", "date", i.date(d))),
        surveys: sections(&i, &report),
        definitions: (0..report.definitions.len())
            .map(|n| i.t(&format!("impact-definition-{}", n + 1)))
            .collect(),
    };
    consume_flash(&v, ok(&t))
}
