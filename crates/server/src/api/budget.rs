//! The programme's budget: per grant and line, per assistance type and country of
//! return; JSON, and CSV and XLSX with a HXL hashtag row.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use homeward_app::budget::{BudgetReport, Figures};
use homeward_domain::ids::ProgrammeId;
use homeward_domain::values::CurrencyCode;

use super::long_table::LongTable;
use crate::exact::Id;
use crate::extract::{ApiPath, Auth};
use crate::problem::{ApiResult, ProblemDoc};
use crate::state::AppState;

/// The budget of a programme: per grant and budget line what it holds, what approved
/// plans commit, what deliveries disbursed, what is left and the share executed; per
/// assistance type and per country of return; what plans commit per household and per
/// returnee. For the readers of the statistics; a protected reader (donor, auditor,
/// administrator) gets no count below the threshold, nor the money of fewer households
/// (`null`).
#[utoipa::path(get, path = "/api/programmes/{programme_id}/budget", tag = "statistics",
    params(("programme_id" = Uuid, Path)),
    responses(
        (status = 200, description = "The programme's budget", body = BudgetReport),
        (status = 403, description = "Not a role that reads statistics", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 404, description = "No such programme", body = ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session_cookie" = [])))]
pub async fn budget(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiPath(Id(id)): ApiPath<Id>,
) -> ApiResult<Json<BudgetReport>> {
    Ok(Json(state.app.budget_report(&who, ProgrammeId(id)).await?))
}

/// The budget as CSV, with a HXL hashtag row under the headers.
#[utoipa::path(get, path = "/api/programmes/{programme_id}/budget.csv", tag = "statistics",
    params(("programme_id" = Uuid, Path)),
    responses(
        (status = 200, description = "CSV with HXL hashtags (text/csv)", body = String, content_type = "text/csv"),
        (status = 403, description = "Not a role that reads statistics", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 404, description = "No such programme", body = ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session_cookie" = [])))]
pub async fn budget_csv(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiPath(Id(id)): ApiPath<Id>,
) -> ApiResult<Response> {
    let report = state.app.budget_report(&who, ProgrammeId(id)).await?;
    long_table(&report).csv_download("attachment; filename=\"homeward-budget.csv\"")
}

/// The budget as an XLSX workbook, with a HXL hashtag row under the headers and the
/// definitions on a second sheet.
#[utoipa::path(get, path = "/api/programmes/{programme_id}/budget.xlsx", tag = "statistics",
    params(("programme_id" = Uuid, Path)),
    responses(
        (status = 200, description = "XLSX workbook with HXL hashtags", body = Vec<u8>,
            content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 403, description = "Not a role that reads statistics", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 404, description = "No such programme", body = ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session_cookie" = [])))]
pub async fn budget_xlsx(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiPath(Id(id)): ApiPath<Id>,
) -> ApiResult<Response> {
    let report = state.app.budget_report(&who, ProgrammeId(id)).await?;
    long_table(&report).xlsx_download("attachment; filename=\"homeward-budget.xlsx\"")
}

/// The columns of the long table: what a line is (its level, grant, assistance type,
/// country), then its figures.
const HEADER: [&str; 15] = [
    "level",
    "donor",
    "grant",
    "assistance_type",
    "country_of_return",
    "currency",
    "budget",
    "committed",
    "disbursed",
    "remaining",
    "executed_percent",
    "households",
    "returnees",
    "committed_per_household",
    "committed_per_returnee",
];

const TAGS: [&str; 15] = [
    "#meta+level",
    "#org+funder",
    "#activity+code+grant",
    "#sector+assistance",
    "#country+code+return",
    "#currency",
    "#value+budget",
    "#value+committed",
    "#value+spent",
    "#value+remaining",
    "#indicator+pct+executed",
    "#affected+returned+hh+num",
    "#affected+returned+num",
    "#value+committed+per_hh",
    "#value+committed+per_person",
];

/// A line of the long table: its labels (text) and its figures (numbers, `None` when
/// hidden or not given).
type Line = (Vec<String>, Vec<Option<f64>>);

/// Money in major units of a currency (a grant's lines in the grant's, the rest in the
/// programme's: the line's `currency` column says which).
fn major(minor: Option<i64>, exponent: u32) -> Option<f64> {
    minor.map(|m| m as f64 / 10f64.powi(exponent as i32))
}

fn numbers(f: &Figures, exponent: u32) -> Vec<Option<f64>> {
    vec![
        major(f.budget, exponent),
        major(f.committed, exponent),
        major(f.disbursed, exponent),
        major(f.remaining, exponent),
        f.executed_percent,
        f.households.map(|n| n as f64),
        f.returnees.map(|n| n as f64),
        major(f.per_household, exponent),
        major(f.per_returnee, exponent),
    ]
}

fn long_lines(r: &BudgetReport) -> Vec<Line> {
    let exponent = r.currency.minor_unit_exponent();
    let labels = |level: &str,
                  donor: &str,
                  grant: &str,
                  assistance: &str,
                  country: &str,
                  currency: &CurrencyCode| {
        vec![
            level.to_string(),
            donor.to_string(),
            grant.to_string(),
            assistance.to_string(),
            country.to_string(),
            currency.to_string(),
        ]
    };
    let ours = &r.currency;
    let mut out = vec![];
    for g in &r.grants {
        let (theirs, exponent) = (&g.currency, g.currency.minor_unit_exponent());
        out.push((
            labels("grant", &g.donor, &g.reference, "", "", theirs),
            numbers(&g.figures, exponent),
        ));
        for l in &g.lines {
            let country = l
                .country
                .as_ref()
                .map(|c| c.to_string())
                .unwrap_or_default();
            out.push((
                labels(
                    "line",
                    &g.donor,
                    &g.reference,
                    l.assistance.code(),
                    &country,
                    theirs,
                ),
                numbers(&l.figures, exponent),
            ));
        }
    }
    for k in &r.by_assistance {
        out.push((
            labels("assistance_type", "", "", &k.key, "", ours),
            numbers(&k.figures, exponent),
        ));
    }
    for k in &r.by_country {
        out.push((
            labels("country", "", "", "", &k.key, ours),
            numbers(&k.figures, exponent),
        ));
    }
    out.push((
        labels("total", "", "", "", "", ours),
        numbers(&r.total, exponent),
    ));
    out
}

/// The budget in long form: a line per grant, budget line, assistance type and country
/// and the total; the definitions as notes.
pub fn long_table(r: &BudgetReport) -> LongTable {
    LongTable {
        sheet: "Budget",
        notes: r.definitions.iter().map(|d| d.to_string()).collect(),
        header: HEADER.map(String::from).to_vec(),
        tags: TAGS.map(String::from).to_vec(),
        lines: long_lines(r),
    }
}
