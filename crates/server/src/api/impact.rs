//! The programme report "impact on beneficiaries": returnees' survey scores by dimension
//! and overall, by time since return, per survey version.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use homeward_app::impact::ImpactReport;
use homeward_domain::ids::ProgrammeId;
use homeward_domain::survey::Dimension;
use homeward_store::ScoreBy;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::long_table::LongTable;
use crate::exact::Id;
use crate::extract::{ApiPath, ApiQuery, Auth};
use crate::problem::{ApiResult, ProblemDoc};
use crate::state::AppState;

/// What the tables group returnees by, besides the band of time since return.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ImpactBy {
    Nothing,
    ReturnCountry,
    Sex,
    AgeGroup,
    /// A row per vulnerability, then `any` and `none`: a returnee counts in a row per
    /// vulnerability they have.
    Vulnerability,
    /// A row per type of assistance received, then `any` and `none`.
    Assistance,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ImpactQuery {
    /// `nothing` when absent.
    #[param(inline)]
    pub by: Option<ImpactBy>,
}

/// Returnees' reintegration scores (0 to 1) by dimension and overall, by time since
/// return, per survey version (its weights stated), grouped by country of return, sex,
/// age group, vulnerability or assistance received; and the share of those scored whose
/// composite reached the version's threshold of sustainability, where it sets one. For
/// the readers of the statistics; a protected reader (donor, auditor,
/// administrator) reads the surveys recorded up to the end of the last settled month
/// (`as_of`), and no group of fewer returnees than the threshold nor mean of fewer scored
/// returnees (`null`), nor any from which one would follow.
#[utoipa::path(get, path = "/api/programmes/{programme_id}/impact", tag = "statistics",
    params(("programme_id" = Uuid, Path), ImpactQuery),
    responses(
        (status = 200, description = "The report", body = ImpactReport),
        (status = 403, description = "Not a role that reads statistics", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 404, description = "No such programme", body = ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session_cookie" = [])))]
pub async fn impact(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiPath(Id(id)): ApiPath<Id>,
    ApiQuery(q): ApiQuery<ImpactQuery>,
) -> ApiResult<Json<ImpactReport>> {
    Ok(Json(report(&state, &who, id, &q).await?))
}

async fn report(
    state: &AppState,
    who: &homeward_app::auth::Principal,
    id: uuid::Uuid,
    q: &ImpactQuery,
) -> homeward_app::Result<ImpactReport> {
    let by = match q.by.unwrap_or(ImpactBy::Nothing) {
        ImpactBy::Nothing => ScoreBy::Nothing,
        ImpactBy::ReturnCountry => ScoreBy::ReturnCountry,
        ImpactBy::Sex => ScoreBy::Sex,
        ImpactBy::AgeGroup => ScoreBy::AgeGroup,
        ImpactBy::Vulnerability => ScoreBy::Vulnerability,
        ImpactBy::Assistance => ScoreBy::Assistance,
    };
    state.app.impact_report(who, ProgrammeId(id), by).await
}

/// The report as CSV, with a HXL hashtag row under the headers: a line per survey
/// version, follow-up and group, and each band's total.
#[utoipa::path(get, path = "/api/programmes/{programme_id}/impact.csv", tag = "statistics",
    params(("programme_id" = Uuid, Path), ImpactQuery),
    responses(
        (status = 200, description = "CSV with HXL hashtags (text/csv)", body = String, content_type = "text/csv"),
        (status = 403, description = "Not a role that reads statistics", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 404, description = "No such programme", body = ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session_cookie" = [])))]
pub async fn impact_csv(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiPath(Id(id)): ApiPath<Id>,
    ApiQuery(q): ApiQuery<ImpactQuery>,
) -> ApiResult<Response> {
    let r = report(&state, &who, id, &q).await?;
    long_table(&r).csv_download("attachment; filename=\"homeward-impact.csv\"")
}

/// The report as an XLSX workbook, with a HXL hashtag row under the headers and the
/// definitions on a second sheet.
#[utoipa::path(get, path = "/api/programmes/{programme_id}/impact.xlsx", tag = "statistics",
    params(("programme_id" = Uuid, Path), ImpactQuery),
    responses(
        (status = 200, description = "XLSX workbook with HXL hashtags", body = Vec<u8>,
            content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 403, description = "Not a role that reads statistics", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 404, description = "No such programme", body = ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session_cookie" = [])))]
pub async fn impact_xlsx(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiPath(Id(id)): ApiPath<Id>,
    ApiQuery(q): ApiQuery<ImpactQuery>,
) -> ApiResult<Response> {
    let r = report(&state, &who, id, &q).await?;
    long_table(&r).xlsx_download("attachment; filename=\"homeward-impact.xlsx\"")
}

/// The report in long form: per survey version, band and group (each band's total last,
/// `level` "total"), the returnees, each dimension's and the composite's mean from 0 to
/// 1 and how many it averages, the share sustainable and how many reached it, with the
/// version's weights and threshold on every line (a score states the version and weights
/// it was computed with); empty where hidden or not scored.
pub fn long_table(r: &ImpactReport) -> LongTable {
    let mut header: Vec<String> = [
        "survey",
        "survey_version",
        "months_since_arrival",
        "level",
        r.by.code(),
        "returnees",
    ]
    .map(String::from)
    .to_vec();
    let group_tag = match r.by {
        ScoreBy::Nothing => "#meta+group",
        by => super::stats::hxl(Some(by.code())),
    };
    let mut tags: Vec<String> = [
        "#meta+survey+code",
        "#meta+survey+version",
        "#meta+followup+months",
        "#meta+level",
        group_tag,
        "#affected+returned+num",
    ]
    .map(String::from)
    .to_vec();
    for d in Dimension::ALL.iter().map(|d| d.code()).chain(["composite"]) {
        header.extend([format!("{d}_score"), format!("{d}_scored")]);
        tags.extend([
            format!("#indicator+score+{d}"),
            format!("#affected+returned+scored+{d}+num"),
        ]);
    }
    header.extend(["sustainable_share".into(), "sustainable".into()]);
    tags.extend([
        "#indicator+sustainable+pct".into(),
        "#affected+returned+sustainable+num".into(),
    ]);
    for d in Dimension::ALL {
        header.push(format!("{}_weight", d.code()));
        tags.push(format!("#indicator+weight+{}", d.code()));
    }
    header.push("threshold".into());
    tags.push("#indicator+threshold".into());
    let mut lines = vec![];
    for s in &r.surveys {
        let weights: Vec<Option<f64>> = Dimension::ALL
            .iter()
            .map(|d| s.weights.get(d).map(|w| f64::from(*w)))
            .collect();
        for b in &s.bands {
            let rows = b.rows.iter().map(|row| ("group", row));
            for (level, row) in rows.chain([("total", &b.total)]) {
                let labels = vec![
                    s.key.clone(),
                    s.version.to_string(),
                    b.band.to_string(),
                    level.to_string(),
                    row.group.clone(),
                ];
                let mut figures = vec![row.returnees.map(|n| n as f64)];
                for m in [
                    &row.economic,
                    &row.social,
                    &row.psychosocial,
                    &row.composite,
                ] {
                    figures.push(m.mean.map(|p| f64::from(p.thousandths()) / 1000.0));
                    figures.push(m.scored.map(|n| n as f64));
                }
                figures.push(row.sustainable.share.map(|p| p.value()));
                figures.push(row.sustainable.count.map(|n| n as f64));
                figures.extend(weights.iter().copied());
                figures.push(s.threshold.map(|t| t.value()));
                lines.push((labels, figures));
            }
        }
    }
    LongTable {
        sheet: "Impact",
        notes: r.definitions.iter().map(|d| d.to_string()).collect(),
        header,
        tags,
        lines,
    }
}
