//! Statistics: returns by one or two dimensions, and the pipeline; JSON and CSV with a
//! HXL hashtag row.

use super::long_table::LongTable;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use homeward_app::stats::{ByEach, Pipeline, ReturnsQuery, ReturnsTable};
use homeward_store::{Dim, StatFilter};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::exact::{Day, Id};
use crate::extract::Auth;
use crate::problem::{ApiResult, Problem, ProblemDoc};
use crate::state::AppState;

/// Filters of every figure, and the dimensions of a table.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    /// Group rows by: year, host_country, host_region, host_subregion, host_region_iom,
    /// host_or_transit (`host`, or `transit` where the programme marked the host country
    /// as a country of transit when the case departed; empty for departures recorded
    /// before they were told apart; for readers of exact figures only, else 422
    /// `statistics.exact_only`), return_country, return_region, return_subregion, return_region_iom, sex,
    /// age_group, children (under 18 or not), legal_situation, programme, office; or
    /// `vulnerability` (each vulnerability, then `any`; people may count in several
    /// rows); or `assistance`, the reintegration options taken up (each type of
    /// assistance a person received a delivery of, then `any`; people may count in
    /// several rows; where small numbers are protected, counted in the month each
    /// option was first taken up, as that month ended, and the period is of those
    /// months, and not with `columns=year`: 422 `statistics.taken_up_by_year`; else by the
    /// departure, as they stand now). Regions and sub-regions are UN M49's (slugs such as `western-africa`);
    /// `_iom` regions are IOM's regional groupings (slugs such as
    /// `iom-west-central-africa`).
    #[param(schema_with = rows_schema)]
    pub rows: Option<String>,
    /// Group columns by one of the same (not `vulnerability` or `assistance`).
    #[param(schema_with = columns_schema)]
    pub columns: Option<String>,
    /// Departures from this day (inclusive). Protected readers (donors, auditors,
    /// administrators): the first day of a month, else 422 `period.whole_months`; with
    /// `rows=assistance`, the months options were taken up in.
    pub from: Option<Day>,
    /// Departures until this day (inclusive). Protected readers: the last day of a month,
    /// else 422 `period.whole_months`; with `rows=assistance`, the months options were
    /// taken up in, up to the last whose recording is settled (ended over a day ago).
    pub until: Option<Day>,
    /// Host office.
    pub office: Option<Id>,
    pub programme: Option<Id>,
    /// Country of return (ISO 3166-1 alpha-2).
    #[param(value_type = Option<homeward_domain::values::CountryCode>)]
    pub country: Option<String>,
}

/// The dimensions a table's rows or columns may be grouped by, as [`dim`] reads them
/// (empty: none).
fn dimensions_schema(rows: bool) -> utoipa::openapi::Object {
    let names = std::iter::once("")
        .chain(Dim::ALL.iter().map(|d| d.code()))
        .chain(ByEach::ALL.iter().map(|b| b.code()).filter(move |_| rows));
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(names))
        .build()
}

fn rows_schema() -> utoipa::openapi::Object {
    dimensions_schema(true)
}

fn columns_schema() -> utoipa::openapi::Object {
    dimensions_schema(false)
}

fn dim(name: &str, field: &str) -> ApiResult<Dim> {
    serde_json::from_value(serde_json::Value::String(name.to_string())).map_err(|_| {
        let detail = match ByEach::from_code(name) {
            Some(_) => format!("'{name}' groups rows only (people may count in several)"),
            None => format!("'{name}' is not a dimension of the figures"),
        };
        Problem::invalid(vec![Problem::field("statistics.dimension", field, detail)])
    })
}

impl StatsQuery {
    fn filter(&self) -> ApiResult<StatFilter> {
        let country = match self.country.as_deref() {
            Some(c) => Some(
                homeward_domain::values::CountryCode::parse_exact(c)
                    .map_err(|e| {
                        Problem::invalid(vec![Problem::field(e.code, "country", e.message)])
                    })?
                    .to_string(),
            ),
            None => None,
        };
        Ok(StatFilter {
            from: self.from.map(NaiveDate::from),
            until: self.until.map(NaiveDate::from),
            offices: self.office.map(|o| vec![o.0]),
            programme: self.programme.map(Uuid::from),
            return_country: country,
            vulnerabilities: None,
            assistance: None,
            taken_up: false,
        })
    }

    fn returns(&self) -> ApiResult<ReturnsQuery> {
        let by_each = self.rows.as_deref().and_then(ByEach::from_code);
        Ok(ReturnsQuery {
            rows: match self.rows.as_deref() {
                None | Some("") => None,
                Some(_) if by_each.is_some() => None,
                Some(r) => Some(dim(r, "rows")?),
            },
            columns: match self.columns.as_deref() {
                None | Some("") => None,
                Some(c) => Some(dim(c, "columns")?),
            },
            by_each,
            filter: self.filter()?,
        })
    }
}

fn query(
    q: Result<Query<StatsQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<StatsQuery> {
    q.map(|Query(q)| q).map_err(|e| {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "invalid-query",
            "Invalid query string",
        )
        .detail(e.body_text())
    })
}

/// Returns: people and cases by one or two dimensions. For donors, auditors and
/// administrators, counts below the threshold are suppressed (`null`) together with every
/// count that would give them away, and periods are whole months (`from` the first day
/// of a month, `until` the last) ending no later than the last whole month: the month
/// under way is never counted.
#[utoipa::path(get, path = "/api/statistics/returns", tag = "statistics", params(StatsQuery),
    responses(
        (status = 200, description = "The table, with its definitions", body = ReturnsTable),
        (status = 403, description = "Not a role that reads statistics", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 422, description = "Unknown dimension or country, or a protected reader's period that is not whole months (`period.whole_months`)", body = ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session_cookie" = [])))]
pub async fn returns(
    State(state): State<AppState>,
    Auth(who): Auth,
    q: Result<Query<StatsQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<ReturnsTable>> {
    let q = query(q)?;
    Ok(Json(state.app.returns_table(&who, q.returns()?).await?))
}

/// The HXL hashtag of a dimension's column.
pub fn hxl(dim: Option<&str>) -> &'static str {
    match dim {
        Some("year") => "#date+year",
        Some("host_country") => "#country+code+host",
        Some("host_region") => "#region+code+host",
        Some("host_subregion") => "#region+code+host+sub",
        Some("return_country") => "#country+code+origin",
        Some("return_region") => "#region+code+origin",
        Some("return_subregion") => "#region+code+origin+sub",
        Some("host_region_iom") => "#region+code+host+iom",
        Some("host_or_transit") => "#country+host+category",
        Some("return_region_iom") => "#region+code+origin+iom",
        Some("sex") => "#sex",
        Some("age_group") => "#age+group",
        Some("children") => "#age+category",
        Some("legal_situation") => "#status+legal",
        Some("programme") => "#activity+code",
        Some("office") => "#org+office",
        Some("vulnerability") => "#indicator+vulnerability",
        Some("assistance") => "#sector+assistance",
        _ => "#meta",
    }
}

/// The returns table in long form: one line per cell (its row's and column's labels,
/// then people and cases; empty where suppressed).
pub fn long_table(t: &ReturnsTable) -> LongTable {
    let mut notes: Vec<String> = t.definitions.iter().map(|d| d.to_string()).collect();
    if t.protected {
        notes.push(format!(
            "Counts below {} are left empty, with other cells where needed so that none can be derived.",
            t.threshold
        ));
    }
    let dims: Vec<&String> = t.rows.iter().chain(t.columns.iter()).collect();
    let mut header: Vec<String> = dims.iter().map(|d| d.to_string()).collect();
    let mut tags: Vec<String> = dims.iter().map(|d| hxl(Some(d)).to_string()).collect();
    header.extend(["people".to_string(), "cases".to_string()]);
    tags.extend([
        "#affected+returned+num".to_string(),
        "#affected+returned+hh+num".to_string(),
    ]);
    let label = |k: &homeward_app::stats::Key| k.name.clone().unwrap_or_else(|| k.code.clone());
    let mut lines = vec![];
    for (ri, rk) in t.row_keys.iter().enumerate() {
        for (ci, ck) in t.column_keys.iter().enumerate() {
            let mut labels = vec![];
            if t.rows.is_some() {
                labels.push(label(rk));
            }
            if t.columns.is_some() {
                labels.push(label(ck));
            }
            lines.push((
                labels,
                [&t.people, &t.cases]
                    .iter()
                    .map(|x| x.cells[ri][ci].count().map(|n| n as f64))
                    .collect(),
            ));
        }
    }
    LongTable {
        sheet: "Returns",
        notes,
        header,
        tags,
        lines,
    }
}

/// A download: the body with its type and the file name it is saved as.
pub(crate) fn download(
    body: Vec<u8>,
    content_type: &'static str,
    filename: &'static str,
) -> Response {
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static(filename),
    );
    res
}

/// The same table as CSV, with a HXL hashtag row under the headers.
#[utoipa::path(get, path = "/api/statistics/returns.csv", tag = "statistics", params(StatsQuery),
    responses(
        (status = 200, description = "CSV with HXL hashtags (text/csv)", body = String, content_type = "text/csv"),
        (status = 403, description = "Not a role that reads statistics", body = ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session_cookie" = [])))]
pub async fn returns_csv_download(
    State(state): State<AppState>,
    Auth(who): Auth,
    q: Result<Query<StatsQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Response> {
    let q = query(q)?;
    let table = state.app.returns_table(&who, q.returns()?).await?;
    long_table(&table).csv_download("attachment; filename=\"homeward-returns.csv\"")
}

/// The same table as an XLSX workbook, with a HXL hashtag row under the headers and the
/// definitions on a second sheet.
#[utoipa::path(get, path = "/api/statistics/returns.xlsx", tag = "statistics", params(StatsQuery),
    responses(
        (status = 200, description = "XLSX workbook with HXL hashtags", body = Vec<u8>,
            content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 403, description = "Not a role that reads statistics", body = ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session_cookie" = [])))]
pub async fn returns_xlsx_download(
    State(state): State<AppState>,
    Auth(who): Auth,
    q: Result<Query<StatsQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Response> {
    let q = query(q)?;
    let table = state.app.returns_table(&who, q.returns()?).await?;
    long_table(&table).xlsx_download("attachment; filename=\"homeward-returns.xlsx\"")
}

/// The pipeline: cases and people by stage; withdrawals, rejections and no-shows by year
/// and by the stage they happened at; days to departure (median and 90th percentile),
/// for readers of exact figures only (empty for donors, auditors and administrators: a
/// line's count would repeat a cell of households a protected table may hide).
#[utoipa::path(get, path = "/api/statistics/pipeline", tag = "statistics", params(StatsQuery),
    responses(
        (status = 200, description = "The pipeline", body = Pipeline),
        (status = 403, description = "Not a role that reads statistics", body = ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session_cookie" = [])))]
pub async fn pipeline(
    State(state): State<AppState>,
    Auth(who): Auth,
    q: Result<Query<StatsQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<Pipeline>> {
    let q = query(q)?;
    Ok(Json(state.app.pipeline(&who, q.filter()?).await?))
}

/// The period of the referral figures.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReferralPeriod {
    /// Referrals sent from this day (inclusive).
    pub from: Option<Day>,
    /// Referrals sent until this day (inclusive).
    pub until: Option<Day>,
}

/// Referrals sent, by need and by organisation: how many ended (or stand) in each
/// outcome, how many were answered, and the mean days to the first answer. Exact counts
/// of their own offices for programme managers and M&E officers; every office's for
/// donors, auditors and administrators, with counts below the threshold hidden (`null`)
/// together with what would give them away, no count of answers, a mean only of enough
/// answers, and periods in whole months (`from` the first day of a month, `until` the
/// last) ending no later than the last whole month.
#[utoipa::path(get, path = "/api/statistics/referrals", tag = "statistics", params(ReferralPeriod),
    responses(
        (status = 200, description = "The referral figures", body = homeward_app::referral_stats::ReferralFigures),
        (status = 403, description = "A role that reads no statistics", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 422, description = "A protected reader's period is not whole months (`period.whole_months`)", body = ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session_cookie" = [])))]
pub async fn referral_figures(
    State(state): State<AppState>,
    Auth(who): Auth,
    crate::extract::ApiQuery(q): crate::extract::ApiQuery<ReferralPeriod>,
) -> ApiResult<Json<homeward_app::referral_stats::ReferralFigures>> {
    Ok(Json(
        state
            .app
            .referral_figures(
                &who,
                q.from.map(NaiveDate::from),
                q.until.map(NaiveDate::from),
            )
            .await?,
    ))
}
