//! The programme's budget (`App::budget_report`): per grant and budget line, per
//! assistance type and per country of return, with CSV and XLSX downloads.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use fluent_templates::fluent_bundle::FluentValue;
use homeward_app::budget::{BudgetReport, Figures};
use homeward_domain::ids::ProgrammeId;
use homeward_domain::values::{CurrencyCode, Money};
use serde::Deserialize;

use super::{app_error, consume_flash};
use crate::WebState;
use crate::chrome::{Chrome, ok};
use crate::i18n::I18n;
use crate::session::SignedIn;

pub struct Table {
    pub title: String,
    pub rows: Vec<Vec<String>>,
}

#[derive(Template)]
#[template(path = "budget.html")]
pub struct BudgetPage {
    pub c: Chrome,
    /// The programmes to choose from (id, name), when there are several.
    pub programmes: Vec<(String, String)>,
    pub chosen: String,
    pub head: Vec<String>,
    pub tables: Vec<Table>,
    pub protected: bool,
    /// The day the money and households are as of, said (a protected reader's).
    pub as_of: Option<String>,
    pub no_grants: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct BudgetQuery {
    pub programme: Option<String>,
}

/// An amount of the programme's currency, "—" where it is hidden; a negative one (a line
/// committed beyond its amount) with a minus sign.
pub(super) fn money(i: &I18n, minor: Option<i64>, currency: &CurrencyCode) -> String {
    let Some(minor) = minor else {
        return "—".into();
    };
    let shown = i.money(&Money {
        amount_minor: minor.saturating_abs(),
        currency: currency.clone(),
    });
    match minor < 0 {
        true => format!("−{shown}"),
        false => shown,
    }
}

fn row(i: &I18n, label: String, f: &Figures, currency: &CurrencyCode) -> Vec<String> {
    // A grant counts no households (one on two of its lines would count twice): blank,
    // not hidden.
    let counted = f.households.is_some() || f.committed.is_none();
    let count = |n: Option<i64>| match counted {
        true => n.map_or_else(|| "—".into(), |n| i.number(n)),
        false => String::new(),
    };
    vec![
        label,
        money(i, f.budget, currency),
        money(i, f.committed, currency),
        money(i, f.disbursed, currency),
        money(i, f.remaining, currency),
        f.executed_percent.map_or_else(
            || "—".into(),
            |p| i.t1("stats-percent", "n", i.one_decimal(p)),
        ),
        count(f.households),
        count(f.returnees),
        match counted {
            true => money(i, f.per_household, currency),
            false => String::new(),
        },
    ]
}

fn tables(i: &I18n, r: &BudgetReport) -> Vec<Table> {
    let cur = &r.currency;
    let mut out = vec![];
    for g in &r.grants {
        // A grant's figures are in its own currency.
        let cur = &g.currency;
        let mut rows: Vec<Vec<String>> = g
            .lines
            .iter()
            .map(|l| {
                let country = match &l.country {
                    Some(c) => i.country(c.as_str()),
                    None => i.t("budget-any-country"),
                };
                let label = format!("{} — {country}", i.opt("assistance", l.assistance.code()));
                row(i, label, &l.figures, cur)
            })
            .collect();
        rows.push(row(i, i.t("budget-total"), &g.figures, cur));
        out.push(Table {
            title: {
                let arg = |k: &'static str, v: String| (k, FluentValue::from(v));
                let title = i.ta(
                    "budget-grant",
                    &[
                        arg("donor", g.donor.clone()),
                        arg("reference", g.reference.clone()),
                        arg("starts", i.date(g.starts)),
                        arg("ends", i.date(g.ends)),
                        arg("amount", money(i, Some(g.amount), cur)),
                    ],
                );
                match &g.budget_rate {
                    None => title,
                    Some(rate) => {
                        let arg = |k: &'static str, v: String| (k, FluentValue::from(v));
                        let rate = i.ta(
                            "budget-rate",
                            &[
                                arg("programme", r.currency.to_string()),
                                arg("rate", rate.to_string()),
                                arg("grant", g.currency.to_string()),
                            ],
                        );
                        format!("{title} · {rate}")
                    }
                }
            },
            rows,
        });
    }
    let keyed = |title: &str,
                 keys: &[homeward_app::budget::KeyFigures],
                 label: &dyn Fn(&str) -> String| Table {
        title: i.t(title),
        rows: keys
            .iter()
            .map(|k| row(i, label(&k.key), &k.figures, cur))
            .collect(),
    };
    out.push(keyed("budget-by-assistance", &r.by_assistance, &|k| {
        i.opt("assistance", k)
    }));
    out.push(keyed("budget-by-country", &r.by_country, &|k| i.country(k)));
    out.push(Table {
        title: i.t("budget-programme-total"),
        rows: vec![row(i, i.t("budget-total"), &r.total, cur)],
    });
    out
}

/// The programme a programme page shows (the one asked for, else the reader's first), and
/// the programmes to choose from (id, name) when there are several; or the error page.
pub(super) async fn programme_choice(
    st: &WebState,
    v: &crate::session::Visitor,
    p: &homeward_app::auth::Principal,
    asked: Option<&str>,
) -> Result<(ProgrammeId, Vec<(String, String)>), Response> {
    let programmes = st
        .app
        .programmes_for(p)
        .await
        .map_err(|e| app_error(v, e))?;
    let chosen = programmes
        .iter()
        .find(|pr| asked == Some(pr.id.to_string().as_str()))
        .or(programmes.first())
        .ok_or_else(|| app_error(v, homeward_app::AppError::NotFound))?;
    let choices = match programmes.len() {
        0 | 1 => vec![],
        _ => programmes
            .iter()
            .map(|pr| (pr.id.to_string(), pr.name.to_string()))
            .collect(),
    };
    Ok((ProgrammeId(chosen.id.0), choices))
}

pub async fn page(
    State(st): State<WebState>,
    SignedIn(v, p): SignedIn,
    q: Result<Query<BudgetQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let i = v.i;
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let (chosen, programmes) = match programme_choice(&st, &v, &p, q.programme.as_deref()).await {
        Ok(c) => c,
        Err(page) => return page,
    };
    let report = match st.app.budget_report(&p, chosen).await {
        Ok(r) => r,
        Err(e) => return app_error(&v, e),
    };
    let head = [
        "budget-col-line",
        "budget-col-budget",
        "budget-col-committed",
        "budget-col-disbursed",
        "budget-col-remaining",
        "budget-col-executed",
        "budget-col-households",
        "budget-col-returnees",
        "budget-col-per-household",
    ]
    .map(|k| i.t(k))
    .to_vec();
    let t = BudgetPage {
        c: Chrome::new(&v, i.t("budget-title")),
        programmes,
        chosen: chosen.0.to_string(),
        head,
        tables: tables(&i, &report),
        protected: report.protected,
        as_of: report
            .as_of
            .map(|d| i.t1("budget-as-of", "date", i.date(d))),
        no_grants: report.grants.is_empty(),
    };
    consume_flash(&v, ok(&t))
}
