//! The programme report "impact on communities" (`App::community_report`): community
//! projects by country of return, what they commit and deliver, and the people they
//! reach.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use homeward_app::communities::{CommunityLine, CommunityReport};

use super::stats::Bar;
use super::{app_error, consume_flash};
use crate::WebState;
use crate::chrome::{Chrome, ok};
use crate::i18n::I18n;
use crate::session::SignedIn;

#[derive(Template)]
#[template(path = "communities.html")]
pub struct CommunitiesPage {
    pub c: Chrome,
    pub programmes: Vec<(String, String)>,
    pub chosen: String,
    pub own_offices_only: bool,
    /// Small numbers hidden (a donor's, an auditor's, an administrator's reading).
    pub protected: bool,
    /// The day the figures are as of, said (a protected reader's).
    pub as_of: Option<String>,
    /// The people reached by country, as bars.
    pub bars: Vec<Bar>,
    pub head: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub definitions: Vec<String>,
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct CommunitiesQuery {
    pub programme: Option<String>,
}

fn label(i: &I18n, l: &CommunityLine) -> String {
    match &l.country {
        Some(c) => i.country(c),
        None => i.t("communities-all-countries"),
    }
}

fn line(i: &I18n, r: &CommunityReport, l: &CommunityLine) -> Vec<String> {
    let currency = homeward_domain::values::CurrencyCode::parse_exact(&r.currency).ok();
    let money = |v: Option<i64>| match &currency {
        Some(c) => super::budget::money(i, v, c),
        None => "—".into(),
    };
    // "—" where a protected reader's figure is hidden.
    let count = |n: Option<i64>| n.map_or_else(|| "—".into(), |n| i.number(n));
    vec![
        label(i, l),
        count(l.projects),
        count(l.cases),
        money(l.committed),
        money(l.delivered),
        super::performance::percent(i, l.delivered_percent),
        count(l.people_reached),
        count(l.projects_told),
    ]
}

pub async fn page(
    State(st): State<WebState>,
    SignedIn(v, p): SignedIn,
    q: Result<Query<CommunitiesQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let i = v.i;
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let (chosen, programmes) =
        match super::budget::programme_choice(&st, &v, &p, q.programme.as_deref()).await {
            Ok(c) => c,
            Err(page) => return page,
        };
    let report = match st.app.community_report(&p, chosen).await {
        Ok(r) => r,
        Err(e) => return app_error(&v, e),
    };
    let labels: Vec<String> = report.countries.iter().map(|l| label(&i, l)).collect();
    let people: Vec<homeward_domain::stats::Cell> = report
        .countries
        .iter()
        .map(|l| {
            l.people_reached
                .map_or(homeward_domain::stats::Cell::Suppressed, |n| {
                    homeward_domain::stats::Cell::Count(n)
                })
        })
        .collect();
    let t = CommunitiesPage {
        c: Chrome::new(&v, i.t("communities-title")),
        programmes,
        chosen: chosen.0.to_string(),
        own_offices_only: report.own_offices_only,
        protected: report.protected,
        as_of: report
            .as_of
            .map(|d| i.t1("communities-as-of", "date", i.date(d))),
        bars: super::stats::bars(&i, &labels, &people),
        head: [
            "communities-col-country",
            "communities-col-projects",
            "communities-col-households",
            "budget-col-committed",
            "budget-col-disbursed",
            "performance-delivered-percent",
            "communities-col-people",
            "communities-col-told",
        ]
        .iter()
        .map(|k| i.t(k))
        .collect(),
        rows: report
            .countries
            .iter()
            .chain([&report.total])
            .map(|l| line(&i, &report, l))
            .collect(),
        definitions: (0..report.definitions.len())
            .map(|n| i.t(&format!("communities-definition-{}", n + 1)))
            .collect(),
    };
    consume_flash(&v, ok(&t))
}
