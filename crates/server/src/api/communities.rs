//! The programme report "impact on communities": community projects by country of return,
//! what they commit and deliver, and the people they reach; JSON, and CSV and XLSX with a
//! HXL hashtag row.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use homeward_app::communities::CommunityReport;
use homeward_domain::ids::ProgrammeId;

use super::long_table::LongTable;
use crate::exact::Id;
use crate::extract::{ApiPath, Auth};
use crate::problem::{ApiResult, ProblemDoc};
use crate::state::AppState;

/// The community projects of the programme's reintegration plans (items of community
/// assistance) by country of return, as they stand: how many, in how many households'
/// plans, what they commit and what was delivered of them, and the people of the
/// communities they have reached as their deliveries tell them. For the readers of the
/// statistics: programme managers and M&E officers read it as it stands (a reader of
/// their own offices' figures, the cases their offices host or lead); a protected reader
/// (donor, auditor, administrator) reads it as the last settled month ended (`as_of`), a
/// country's figures only where it holds at least the threshold of households (`null`
/// otherwise, with cover), its people reached only where the projects of at least the
/// threshold of households told them, and money by country not at all (the budget's
/// lines by type and country tell it, protected there), only in the total.
#[utoipa::path(get, path = "/api/programmes/{programme_id}/communities", tag = "statistics",
    params(("programme_id" = Uuid, Path)),
    responses(
        (status = 200, description = "The report", body = CommunityReport),
        (status = 403, description = "Not a role that reads statistics", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 404, description = "No such programme", body = ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session_cookie" = [])))]
pub async fn communities(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiPath(Id(id)): ApiPath<Id>,
) -> ApiResult<Json<CommunityReport>> {
    Ok(Json(
        state.app.community_report(&who, ProgrammeId(id)).await?,
    ))
}

/// The report as CSV, a line per country of return and the total, with a HXL hashtag row
/// under the headers.
#[utoipa::path(get, path = "/api/programmes/{programme_id}/communities.csv", tag = "statistics",
    params(("programme_id" = Uuid, Path)),
    responses(
        (status = 200, description = "CSV with HXL hashtags (text/csv)", body = String, content_type = "text/csv"),
        (status = 403, description = "Not a role that reads statistics", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 404, description = "No such programme", body = ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session_cookie" = [])))]
pub async fn communities_csv(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiPath(Id(id)): ApiPath<Id>,
) -> ApiResult<Response> {
    let r = state.app.community_report(&who, ProgrammeId(id)).await?;
    long_table(&r).csv_download("attachment; filename=\"homeward-communities.csv\"")
}

/// The report as an XLSX workbook, with a HXL hashtag row under the headers and the
/// definitions on a second sheet.
#[utoipa::path(get, path = "/api/programmes/{programme_id}/communities.xlsx", tag = "statistics",
    params(("programme_id" = Uuid, Path)),
    responses(
        (status = 200, description = "XLSX workbook with HXL hashtags", body = Vec<u8>,
            content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 403, description = "Not a role that reads statistics", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 404, description = "No such programme", body = ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session_cookie" = [])))]
pub async fn communities_xlsx(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiPath(Id(id)): ApiPath<Id>,
) -> ApiResult<Response> {
    let r = state.app.community_report(&who, ProgrammeId(id)).await?;
    long_table(&r).xlsx_download("attachment; filename=\"homeward-communities.xlsx\"")
}

/// The report in long form: a line per country of return, then the total (`level`), its
/// money in major units of the programme's currency (named on every line).
pub fn long_table(r: &CommunityReport) -> LongTable {
    let header = [
        "level",
        "return_country",
        "currency",
        "projects",
        "households",
        "committed",
        "delivered",
        "delivered_percent",
        "people_reached",
        "projects_told",
    ]
    .map(String::from)
    .to_vec();
    let tags = [
        "#meta+level",
        "#country+code+origin",
        "#currency",
        "#activity+community+num",
        "#affected+households+num",
        "#value+committed",
        "#value+delivered",
        "#indicator+delivered+pct",
        "#reached+community+num",
        "#activity+community+told+num",
    ]
    .map(String::from)
    .to_vec();
    let in_major = super::long_table::major_units(&r.currency);
    let major = |m: Option<i64>| m.map(&in_major);
    let lines = r
        .countries
        .iter()
        .map(|l| ("country", l))
        .chain([("total", &r.total)])
        .map(|(level, l)| {
            (
                vec![
                    level.to_string(),
                    l.country.clone().unwrap_or_default(),
                    r.currency.clone(),
                ],
                vec![
                    l.projects.map(|n| n as f64),
                    l.cases.map(|n| n as f64),
                    major(l.committed),
                    major(l.delivered),
                    l.delivered_percent,
                    l.people_reached.map(|n| n as f64),
                    l.projects_told.map(|n| n as f64),
                ],
            )
        })
        .collect();
    LongTable {
        sheet: "Communities",
        notes: r.definitions.iter().map(|d| d.to_string()).collect(),
        header,
        tags,
        lines,
    }
}
