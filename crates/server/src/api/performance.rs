//! The programme report "performance": days from application to departure, cases
//! withdrawn, follow-ups on time, returnees reached, assistance delivered and budget
//! executed; JSON, and CSV and XLSX with a HXL hashtag row.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use homeward_app::performance::{FollowUpFigures, PerformanceReport};
use homeward_domain::ids::ProgrammeId;

use super::long_table::LongTable;
use crate::exact::Id;
use crate::extract::{ApiPath, Auth};
use crate::problem::{ApiResult, ProblemDoc};
use crate::state::AppState;

/// How the programme performs, as it stands today (a reader of their own offices'
/// figures: the cases their offices host for cases, withdrawals and departures, those
/// they host or receive for follow-ups, the programme's money):
/// days from application to departure by year of departure, the share of cases
/// withdrawn, the scheduled follow-ups by where they stand and the share held on time,
/// the share of returnees reached, and the share of committed assistance delivered and
/// of the budget executed. Exact for programme managers and M&E officers; a protected
/// reader (donor, auditor, administrator) reads it as the last settled month ended
/// (`as_of`), counts below the threshold hidden (`null`) with those that would give them
/// away, and days to departure only of a year of at least the threshold of departures.
#[utoipa::path(get, path = "/api/programmes/{programme_id}/performance", tag = "statistics",
    params(("programme_id" = Uuid, Path)),
    responses(
        (status = 200, description = "The report", body = PerformanceReport),
        (status = 403, description = "Not a role that reads statistics", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 404, description = "No such programme", body = ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session_cookie" = [])))]
pub async fn performance(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiPath(Id(id)): ApiPath<Id>,
) -> ApiResult<Json<PerformanceReport>> {
    Ok(Json(
        state.app.performance_report(&who, ProgrammeId(id)).await?,
    ))
}

/// The report as CSV, one indicator a line, with a HXL hashtag row under the headers.
#[utoipa::path(get, path = "/api/programmes/{programme_id}/performance.csv", tag = "statistics",
    params(("programme_id" = Uuid, Path)),
    responses(
        (status = 200, description = "CSV with HXL hashtags (text/csv)", body = String, content_type = "text/csv"),
        (status = 403, description = "Not a role that reads statistics", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 404, description = "No such programme", body = ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session_cookie" = [])))]
pub async fn performance_csv(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiPath(Id(id)): ApiPath<Id>,
) -> ApiResult<Response> {
    let r = state.app.performance_report(&who, ProgrammeId(id)).await?;
    long_table(&r).csv_download("attachment; filename=\"homeward-performance.csv\"")
}

/// The report as an XLSX workbook, with a HXL hashtag row under the headers and the
/// definitions on a second sheet.
#[utoipa::path(get, path = "/api/programmes/{programme_id}/performance.xlsx", tag = "statistics",
    params(("programme_id" = Uuid, Path)),
    responses(
        (status = 200, description = "XLSX workbook with HXL hashtags", body = Vec<u8>,
            content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 403, description = "Not a role that reads statistics", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 404, description = "No such programme", body = ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session_cookie" = [])))]
pub async fn performance_xlsx(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiPath(Id(id)): ApiPath<Id>,
) -> ApiResult<Response> {
    let r = state.app.performance_report(&who, ProgrammeId(id)).await?;
    long_table(&r).xlsx_download("attachment; filename=\"homeward-performance.xlsx\"")
}

/// The report in long form, one indicator a line: its code, its breakdown and key (the
/// year of departure or the follow-up of the schedule; empty for the whole programme),
/// its unit (cases, days, percent, the currency of money in major units), its value.
pub fn long_table(r: &PerformanceReport) -> LongTable {
    let mut lines: Vec<(Vec<String>, Vec<Option<f64>>)> = vec![];
    // An indicator's line: its code, its breakdown ("" for the programme, `year` or
    // `follow_up` for one, `all_years` or `all_follow_ups` for their total), the year or
    // follow-up, its unit, its value.
    let mut push = |code: &str, breakdown: &str, key: String, unit: &str, value: Option<f64>| {
        lines.push((
            vec![
                code.to_string(),
                breakdown.to_string(),
                key,
                unit.to_string(),
            ],
            vec![value],
        ));
    };
    let n = |v: Option<i64>| v.map(|v| v as f64);
    push("cases", "", String::new(), "cases", n(r.cases));
    push("withdrawals", "", String::new(), "cases", n(r.withdrawn));
    push(
        "withdrawals_percent_of_cases",
        "",
        String::new(),
        "percent",
        r.withdrawn_percent,
    );
    for d in r.departures.iter().chain([&r.departures_total]) {
        let (breakdown, key) = match d.year {
            Some(y) => ("year", y.to_string()),
            None => ("all_years", String::new()),
        };
        let days = |v: Option<i64>| v.map(|d| d as f64);
        push("departed", breakdown, key.clone(), "cases", n(d.departed));
        push(
            "application_to_departure_median",
            breakdown,
            key.clone(),
            "days",
            days(d.application_to_departure_median),
        );
        push(
            "application_to_departure_p90",
            breakdown,
            key,
            "days",
            days(d.application_to_departure_p90),
        );
    }
    let follow_ups = |f: &FollowUpFigures| {
        [
            ("follow_ups_upcoming", n(f.upcoming)),
            ("follow_ups_due", n(f.due)),
            ("follow_ups_overdue", n(f.overdue)),
            ("follow_ups_missed", n(f.missed)),
            ("follow_ups_held_on_time", n(f.held_on_time)),
            ("follow_ups_held_late", n(f.held_late)),
        ]
    };
    for f in r.follow_ups.iter().chain([&r.follow_ups_total]) {
        let (breakdown, key) = match f.number {
            Some(n) => ("follow_up", n.to_string()),
            None => ("all_follow_ups", String::new()),
        };
        for (code, value) in follow_ups(f) {
            push(code, breakdown, key.clone(), "follow_ups", value);
        }
        push(
            "follow_ups_on_time_percent",
            breakdown,
            key,
            "percent",
            f.on_time_percent,
        );
    }
    let cases = |code: &str, v: Option<i64>| (code.to_string(), n(v));
    for (code, value) in [
        cases("returned_cases_to_reach", r.returnees_to_reach),
        cases("returned_cases_reached", r.returnees_reached),
    ] {
        push(&code, "", String::new(), "cases", value);
    }
    push(
        "returned_cases_reached_percent",
        "",
        String::new(),
        "percent",
        r.reached_percent,
    );
    // Money in major units of the programme's currency, named as the unit.
    let in_major = super::long_table::major_units(&r.money.currency);
    let major = |v: Option<i64>| v.map(&in_major);
    let currency = r.money.currency.as_str();
    push("budget", "", String::new(), currency, major(r.money.budget));
    push(
        "committed",
        "",
        String::new(),
        currency,
        major(r.money.committed),
    );
    push(
        "disbursed",
        "",
        String::new(),
        currency,
        major(r.money.disbursed),
    );
    push(
        "delivered_percent",
        "",
        String::new(),
        "percent",
        r.money.delivered_percent,
    );
    push(
        "executed_percent",
        "",
        String::new(),
        "percent",
        r.money.executed_percent,
    );
    LongTable {
        sheet: "Performance",
        notes: r.definitions.iter().map(|d| d.to_string()).collect(),
        header: ["indicator", "breakdown", "key", "unit", "value"]
            .map(String::from)
            .to_vec(),
        tags: [
            "#indicator+code",
            "#meta+breakdown",
            "#meta+key",
            "#meta+unit",
            "#indicator+value+num",
        ]
        .map(String::from)
        .to_vec(),
        lines,
    }
}
