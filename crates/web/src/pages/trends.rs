//! The programme report "trends and needs" (DESIGN.md "Monitoring and evaluation": by
//! country of return, vulnerability, year): a programme's returnees by year and country
//! of return and by year and vulnerability (the statistics' tables, protected as they are
//! for the reader), and the needs returnees arrive with: the baseline survey's mean
//! scores by dimension and country of return (the impact report's first band, under its
//! rules). Each table links its downloads.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use homeward_app::impact::SurveyImpact;
use homeward_app::stats::{ByEach, ReturnsQuery};
use homeward_store::{Dim, ScoreBy, StatFilter};

use super::stats::Figure;
use super::{app_error, consume_flash};
use crate::WebState;
use crate::chrome::{Chrome, ok};
use crate::i18n::I18n;
use crate::session::SignedIn;

#[derive(Template)]
#[template(path = "trends.html")]
pub struct TrendsPage {
    pub c: Chrome,
    pub programmes: Vec<(String, String)>,
    pub chosen: String,
    /// Returnees by country and year, by vulnerability and year.
    pub tables: Vec<Figure>,
    /// The baseline's scores by country of return, a table per survey version.
    pub needs: Vec<Figure>,
    /// Said when small numbers are protected for this reader.
    pub protected: Option<String>,
    /// The day a protected reader's surveys are as of, said.
    pub needs_as_of: Option<String>,
    pub definitions: Vec<String>,
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct TrendsQuery {
    pub programme: Option<String>,
}

/// A survey version's earliest answers by country of return: the baseline where there
/// is one, else the first follow-up answered (none when nobody answered it).
fn needs_figure(i: &I18n, s: &SurveyImpact) -> Option<Figure> {
    let baseline = s.bands.iter().min_by_key(|b| b.band)?;
    let when = match baseline.band {
        0 => i.t("impact-band-baseline"),
        months => i.t1("impact-band", "months", i.number(i64::from(months))),
    };
    let title = s
        .title
        .get(i.code())
        .or_else(|| s.title.values().next())
        .cloned()
        .unwrap_or_else(|| s.key.clone());
    let mut rows: Vec<Vec<String>> = baseline
        .rows
        .iter()
        .map(|r| super::impact::line(i, i.country(&r.group), r, false))
        .collect();
    rows.push(super::impact::line(
        i,
        i.t("impact-total"),
        &baseline.total,
        false,
    ));
    Some(Figure {
        id: format!("needs-{}-{}", s.key, s.version),
        title: i.ta(
            "trends-needs-survey",
            &[
                ("title", title.into()),
                ("version", i64::from(s.version).into()),
                ("when", when.into()),
            ],
        ),
        bars: vec![],
        head: [
            "communities-col-country",
            "impact-col-returnees",
            "survey-dimension-economic",
            "survey-dimension-social",
            "survey-dimension-psychosocial",
            "case-scores-composite",
        ]
        .iter()
        .map(|k| i.t(k))
        .collect(),
        rows,
        download: "by=return_country".into(),
    })
}

pub async fn page(
    State(st): State<WebState>,
    SignedIn(v, p): SignedIn,
    q: Result<Query<TrendsQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let i = v.i;
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let (chosen, programmes) =
        match super::budget::programme_choice(&st, &v, &p, q.programme.as_deref()).await {
            Ok(c) => c,
            Err(page) => return page,
        };
    let filter = StatFilter {
        programme: Some(chosen.0),
        ..StatFilter::default()
    };
    let query = format!("&programme={}", chosen.0.hyphenated());
    let asked = [
        (
            ReturnsQuery {
                rows: Some(Dim::ReturnCountry),
                columns: Some(Dim::Year),
                by_each: None,
                filter: filter.clone(),
            },
            "trends-by-country",
        ),
        (
            ReturnsQuery {
                rows: None,
                columns: Some(Dim::Year),
                by_each: Some(ByEach::Vulnerability),
                filter,
            },
            "trends-by-vulnerability",
        ),
    ];
    let mut tables = vec![];
    let mut protected = None;
    for (n, (question, title)) in asked.into_iter().enumerate() {
        let t = match st.app.returns_table(&p, question).await {
            Ok(t) => t,
            Err(e) => return app_error(&v, e),
        };
        if t.protected {
            protected = Some(i.t1("stats-protected", "threshold", t.threshold.to_string()));
        }
        let id = format!("trends-{n}");
        let mut figure = super::stats::cross_figure(&i, &t, &query, &id, i.t(title));
        if n == 0 {
            // The trend itself: returnees year by year (the table's column totals).
            let years: Vec<String> = t
                .column_keys
                .iter()
                .map(|k| super::stats::key_label(&i, t.columns.as_deref(), &k.code, &k.name))
                .collect();
            figure.bars = super::stats::bars(&i, &years, &t.people.column_totals);
        }
        tables.push(figure);
    }
    let impact = match st
        .app
        .impact_report(&p, chosen, ScoreBy::ReturnCountry)
        .await
    {
        Ok(r) => r,
        Err(e) => return app_error(&v, e),
    };
    let t = TrendsPage {
        c: Chrome::new(&v, i.t("trends-title")),
        programmes,
        chosen: chosen.0.to_string(),
        tables,
        needs: impact
            .surveys
            .iter()
            .filter_map(|s| needs_figure(&i, s))
            .collect(),
        protected,
        needs_as_of: impact
            .as_of
            .map(|d| i.t1("impact-as-of", "date", i.date(d))),
        definitions: (1..=3)
            .map(|n| i.t(&format!("trends-definition-{n}")))
            .collect(),
    };
    consume_flash(&v, ok(&t))
}
