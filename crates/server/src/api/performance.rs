//! The programme report "performance": days from application to departure, cases
//! withdrawn, follow-ups on time, returnees reached, assistance delivered and budget
//! executed; JSON, and CSV and XLSX with a HXL hashtag row.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use homeward_app::performance::{FollowUpFigures, PerformanceReport};
use homeward_domain::ids::ProgrammeId;

use super::long_table::LongTable;
use super::stats::download;
use crate::exact::Id;
use crate::extract::{ApiPath, Auth};
use crate::problem::{ApiResult, Problem, ProblemDoc};
use crate::state::AppState;

/// How the programme performs, as it stands today, of the cases the reader's offices see:
/// days from application to departure by year of departure, the share of cases
/// withdrawn, the scheduled follow-ups by where they stand and the share held on time,
/// the share of returnees reached, and the share of committed assistance delivered and
/// of the budget executed. For programme managers and M&E officers (exact figures);
/// protected readers are refused until its figures are kept by month.
#[utoipa::path(get, path = "/api/programmes/{programme_id}/performance", tag = "statistics",
    params(("programme_id" = Uuid, Path)),
    responses(
        (status = 200, description = "The report", body = PerformanceReport),
        (status = 403, description = "Not a role that reads exact statistics", body = ProblemDoc, content_type = "application/problem+json"),
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
        (status = 403, description = "Not a role that reads exact statistics", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 404, description = "No such programme", body = ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session_cookie" = [])))]
pub async fn performance_csv(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiPath(Id(id)): ApiPath<Id>,
) -> ApiResult<Response> {
    let r = state.app.performance_report(&who, ProgrammeId(id)).await?;
    let body = long_table(&r)
        .csv()
        .map_err(|e| Problem::from(homeward_app::AppError::internal_from("writing the CSV", e)))?;
    Ok(download(
        body,
        "text/csv; charset=utf-8",
        "attachment; filename=\"homeward-performance.csv\"",
    ))
}

/// The report as an XLSX workbook, with a HXL hashtag row under the headers and the
/// definitions on a second sheet.
#[utoipa::path(get, path = "/api/programmes/{programme_id}/performance.xlsx", tag = "statistics",
    params(("programme_id" = Uuid, Path)),
    responses(
        (status = 200, description = "XLSX workbook with HXL hashtags", body = Vec<u8>,
            content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 403, description = "Not a role that reads exact statistics", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 404, description = "No such programme", body = ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session_cookie" = [])))]
pub async fn performance_xlsx(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiPath(Id(id)): ApiPath<Id>,
) -> ApiResult<Response> {
    let r = state.app.performance_report(&who, ProgrammeId(id)).await?;
    let body = long_table(&r)
        .xlsx()
        .map_err(|e| Problem::from(homeward_app::AppError::internal_from("writing the XLSX", e)))?;
    Ok(download(
        body,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "attachment; filename=\"homeward-performance.xlsx\"",
    ))
}

/// The report in long form, one indicator a line: its code, the year of departure or
/// the follow-up of the schedule it is of (empty for the whole programme), its value.
pub fn long_table(r: &PerformanceReport) -> LongTable {
    let mut lines: Vec<(Vec<String>, Vec<Option<f64>>)> = vec![];
    let mut push = |code: &str, year: Option<i64>, follow_up: Option<u8>, value: Option<f64>| {
        lines.push((
            vec![
                code.to_string(),
                year.map(|y| y.to_string()).unwrap_or_default(),
                follow_up.map(|n| n.to_string()).unwrap_or_default(),
            ],
            vec![value],
        ));
    };
    let n = |v: i64| Some(v as f64);
    push("cases", None, None, n(r.cases));
    push("withdrawn", None, None, n(r.withdrawn));
    push("withdrawn_percent", None, None, r.withdrawn_percent);
    for d in r.departures.iter().chain([&r.departures_total]) {
        push("departed", d.year, None, n(d.departed));
        let days = |v: Option<i64>| v.map(|d| d as f64);
        push(
            "application_to_departure_median_days",
            d.year,
            None,
            days(d.application_to_departure_median),
        );
        push(
            "application_to_departure_p90_days",
            d.year,
            None,
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
            ("follow_ups_on_time_percent", f.on_time_percent),
        ]
    };
    for f in r.follow_ups.iter().chain([&r.follow_ups_total]) {
        for (code, value) in follow_ups(f) {
            push(code, None, f.number, value);
        }
    }
    push("returnees_to_reach", None, None, n(r.returnees_to_reach));
    push("returnees_reached", None, None, n(r.returnees_reached));
    push("returnees_reached_percent", None, None, r.reached_percent);
    // Money in major units of the programme's currency.
    let exponent = homeward_domain::values::CurrencyCode::parse_exact(&r.money.currency)
        .map(|c| c.minor_unit_exponent())
        .unwrap_or(2);
    let major = |v: Option<i64>| v.map(|m| m as f64 / 10f64.powi(exponent as i32));
    push("budget", None, None, major(r.money.budget));
    push("committed", None, None, major(r.money.committed));
    push("disbursed", None, None, major(r.money.disbursed));
    push("delivered_percent", None, None, r.money.delivered_percent);
    push("executed_percent", None, None, r.money.executed_percent);
    LongTable {
        sheet: "Performance",
        notes: r
            .definitions
            .iter()
            .map(|d| d.to_string())
            .chain([format!("Money is in {}, major units.", r.money.currency)])
            .collect(),
        header: ["indicator", "year_of_departure", "follow_up", "value"]
            .map(String::from)
            .to_vec(),
        tags: [
            "#indicator+code",
            "#date+year+departure",
            "#meta+followup+num",
            "#indicator+value+num",
        ]
        .map(String::from)
        .to_vec(),
        lines,
    }
}
