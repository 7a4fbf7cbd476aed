//! The programme report "performance" (`App::performance_report`): days from application
//! to departure, cases withdrawn, follow-ups on time, returnees reached, assistance
//! delivered and budget executed.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use homeward_app::performance::{DeparturesInYear, FollowUpFigures, PerformanceReport};
use homeward_domain::stats::Cell;

use super::stats::Bar;
use super::{app_error, consume_flash};
use crate::WebState;
use crate::chrome::{Chrome, ok};
use crate::i18n::I18n;
use crate::session::SignedIn;

#[derive(Template)]
#[template(path = "performance.html")]
pub struct PerformancePage {
    pub c: Chrome,
    pub programmes: Vec<(String, String)>,
    pub chosen: String,
    pub own_offices_only: bool,
    /// The introduction: as it stands, or protected.
    pub intro: String,
    /// The day a protected reader's figures are as of, said.
    pub as_of: Option<String>,
    /// Label and value of the programme's headline figures.
    pub headline: Vec<(String, String)>,
    /// The median days to departure by year, as bars.
    pub days_bars: Vec<Bar>,
    pub departures_head: Vec<String>,
    pub departures: Vec<Vec<String>>,
    /// The share held on time by follow-up of the schedule, as bars (of 100 %).
    pub on_time_bars: Vec<Bar>,
    pub follow_ups_head: Vec<String>,
    pub follow_ups: Vec<Vec<String>>,
    pub definitions: Vec<String>,
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct PerformanceQuery {
    pub programme: Option<String>,
}

fn or_dash(v: Option<String>) -> String {
    v.unwrap_or_else(|| "—".into())
}

/// A count, or a dash where it is hidden.
fn count(i: &I18n, v: Option<i64>) -> String {
    or_dash(v.map(|n| i.number(n)))
}

pub(super) fn percent(i: &I18n, p: Option<f64>) -> String {
    or_dash(p.map(|p| i.t1("stats-percent", "n", i.one_decimal(p))))
}

fn departures_line(i: &I18n, d: &DeparturesInYear) -> Vec<String> {
    let days = |v: Option<i64>| or_dash(v.map(|d| i.number(d)));
    vec![
        d.year.map_or_else(
            || i.t("performance-all-years"),
            |y| i.digits(&y.to_string()),
        ),
        count(i, d.departed),
        days(d.application_to_departure_median),
        days(d.application_to_departure_p90),
    ]
}

/// The share held on time of each follow-up of the schedule, as bars of 100 %.
fn on_time_bars(i: &I18n, follow_ups: &[FollowUpFigures]) -> Vec<Bar> {
    follow_ups
        .iter()
        .map(|f| Bar {
            label: follow_up_label(i, f),
            value: percent(i, f.on_time_percent),
            length: f
                .on_time_percent
                .map(|p| (p.clamp(0.0, 100.0) * 10.0).round() as u32),
        })
        .collect()
}

/// The median days to departure of each year, as bars.
fn days_bars(i: &I18n, years: &[DeparturesInYear]) -> Vec<Bar> {
    let labels: Vec<String> = years
        .iter()
        .map(|d| d.year.map(|y| i.digits(&y.to_string())).unwrap_or_default())
        .collect();
    let days: Vec<Cell> = years
        .iter()
        .map(|d| {
            d.application_to_departure_median
                .map_or(Cell::Suppressed, Cell::Count)
        })
        .collect();
    super::stats::bars(i, &labels, &days)
}

fn follow_up_label(i: &I18n, f: &FollowUpFigures) -> String {
    match (f.number, f.months_after_arrival) {
        (None, _) => i.t("performance-all-follow-ups"),
        (Some(n), Some(months)) => i.ta(
            "performance-follow-up-months",
            &[
                ("n", i64::from(n).into()),
                ("months", i64::from(months).into()),
            ],
        ),
        (Some(n), None) => i.t1("performance-follow-up", "n", i.number(i64::from(n))),
    }
}

fn follow_up_line(i: &I18n, f: &FollowUpFigures) -> Vec<String> {
    vec![
        follow_up_label(i, f),
        count(i, f.held_on_time),
        count(i, f.held_late),
        count(i, f.missed),
        count(i, f.overdue),
        count(i, f.due),
        count(i, f.upcoming),
        percent(i, f.on_time_percent),
    ]
}

fn headline(i: &I18n, r: &PerformanceReport) -> Vec<(String, String)> {
    let currency = homeward_domain::values::CurrencyCode::parse_exact(&r.money.currency).ok();
    let money = |v: Option<i64>| match (&currency, v) {
        (Some(c), Some(v)) => super::budget::money(i, Some(v), c),
        _ => "—".into(),
    };
    vec![
        (i.t("performance-cases"), count(i, r.cases)),
        (i.t("performance-withdrawn"), count(i, r.withdrawn)),
        (
            i.t("performance-withdrawn-percent"),
            percent(i, r.withdrawn_percent),
        ),
        (
            i.t("performance-returnees-to-reach"),
            count(i, r.returnees_to_reach),
        ),
        (
            i.t("performance-returnees-reached"),
            count(i, r.returnees_reached),
        ),
        (
            i.t("performance-reached-percent"),
            percent(i, r.reached_percent),
        ),
        (i.t("budget-col-committed"), money(r.money.committed)),
        (i.t("budget-col-disbursed"), money(r.money.disbursed)),
        (
            i.t("performance-delivered-percent"),
            percent(i, r.money.delivered_percent),
        ),
        (i.t("budget-col-budget"), money(r.money.budget)),
        (
            i.t("performance-executed-percent"),
            percent(i, r.money.executed_percent),
        ),
    ]
}

pub async fn page(
    State(st): State<WebState>,
    SignedIn(v, p): SignedIn,
    q: Result<Query<PerformanceQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let i = v.i;
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let (chosen, programmes) =
        match super::budget::programme_choice(&st, &v, &p, q.programme.as_deref()).await {
            Ok(c) => c,
            Err(page) => return page,
        };
    let report = match st.app.performance_report(&p, chosen).await {
        Ok(r) => r,
        Err(e) => return app_error(&v, e),
    };
    let head = |keys: &[&str]| keys.iter().map(|k| i.t(k)).collect::<Vec<_>>();
    let t = PerformancePage {
        c: Chrome::new(&v, i.t("performance-title")),
        programmes,
        chosen: chosen.0.to_string(),
        own_offices_only: report.own_offices_only,
        intro: match report.protected {
            true => i.ta(
                "performance-intro-protected",
                &[("threshold", report.threshold.into())],
            ),
            false => i.t("performance-intro"),
        },
        as_of: report
            .as_of
            .map(|d| i.t1("performance-as-of", "date", i.date(d))),
        headline: headline(&i, &report),
        days_bars: days_bars(&i, &report.departures),
        on_time_bars: on_time_bars(&i, &report.follow_ups),
        departures_head: head(&[
            "performance-col-year",
            "performance-col-departed",
            "performance-col-median",
            "performance-col-p90",
        ]),
        departures: report
            .departures
            .iter()
            .chain([&report.departures_total])
            .map(|d| departures_line(&i, d))
            .collect(),
        follow_ups_head: head(&[
            "performance-col-follow-up",
            "performance-col-on-time",
            "performance-col-late",
            "performance-col-missed",
            "performance-col-overdue",
            "performance-col-due",
            "performance-col-upcoming",
            "performance-col-on-time-percent",
        ]),
        follow_ups: report
            .follow_ups
            .iter()
            .chain([&report.follow_ups_total])
            .map(|f| follow_up_line(&i, f))
            .collect(),
        definitions: (0..report.definitions.len())
            .map(|n| i.t(&format!("performance-definition-{}", n + 1)))
            .collect(),
    };
    consume_flash(&v, ok(&t))
}
