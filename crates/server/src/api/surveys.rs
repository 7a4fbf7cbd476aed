//! Survey definitions: imported from XLSForm workbooks by administrators, read by staff,
//! downloaded back as workbooks. A version is never changed, only superseded.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use homeward_app::surveys::{SurveyImport, SurveyVersion};
use homeward_domain::survey::{Labels, SurveyDefinition};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::organisations::{XLSX, file_body, media_type};
use crate::extract::{ApiPath, Auth};
use crate::problem::{ApiResult, Problem, ProblemDoc};
use crate::state::AppState;

/// A version of a survey, as listed.
#[derive(Debug, Serialize, ToSchema)]
pub struct SurveySummary {
    /// The survey's name, the same in every version (XLSForm's `form_id`).
    pub key: String,
    pub version: u32,
    /// The version as the form's author named it (XLSForm's `version`).
    pub form_version: Option<String>,
    /// The title in each of its languages.
    pub title: Labels,
    pub languages: Vec<String>,
    pub questions: usize,
    /// SHA-256 of the definition as stored: scores name the definition they were computed
    /// under by it.
    pub digest: String,
    pub imported_at: DateTime<Utc>,
    pub imported_by: Uuid,
    /// The composite (in thousandths) at or above which the programme counts
    /// reintegration as sustainable, as this version sets it; none: no share is reported.
    #[schema(value_type = Option<u16>)]
    pub threshold: Option<homeward_domain::survey::Permille>,
    /// Whether a later version supersedes it.
    pub superseded: bool,
}

impl SurveySummary {
    fn of(v: &SurveyVersion, superseded: bool) -> Self {
        SurveySummary {
            key: v.survey.key.clone(),
            version: v.survey.version,
            form_version: v.survey.form_version.clone(),
            title: v.survey.title.clone(),
            languages: v.survey.languages.clone(),
            questions: v.survey.questions.len(),
            digest: v.digest.clone(),
            imported_at: v.imported_at,
            imported_by: v.imported_by.0,
            threshold: v.survey.threshold,
            superseded,
        }
    }
}

/// A version of a survey with its whole definition.
#[derive(Debug, Serialize, ToSchema)]
pub struct SurveyDoc {
    #[serde(flatten)]
    pub summary: SurveySummary,
    pub definition: SurveyDefinition,
}

/// What an import did: `added` a new version, or found the workbook to be the latest
/// version as stored (`added` false, nothing written).
#[derive(Debug, Serialize, ToSchema)]
pub struct SurveyImported {
    pub added: bool,
    pub survey: SurveySummary,
}

/// Every version of every survey, by survey and version (the programme's staff).
#[utoipa::path(get, path = "/api/surveys", tag = "surveys",
    responses(
        (status = 200, description = "The surveys' versions", body = Vec<SurveySummary>),
        (status = 403, description = "Not the programme's staff", body = ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session_cookie" = [])))]
pub async fn list_surveys(
    State(state): State<AppState>,
    Auth(who): Auth,
) -> ApiResult<Json<Vec<SurveySummary>>> {
    let all = state.app.surveys(&who).await?;
    Ok(Json(
        all.iter()
            .enumerate()
            .map(|(n, v)| {
                let superseded = all
                    .get(n + 1)
                    .is_some_and(|next| next.survey.key == v.survey.key);
                SurveySummary::of(v, superseded)
            })
            .collect(),
    ))
}

/// Imports an XLSForm workbook (administrators) as the next version of the survey its
/// `form_id` names, in the subset Homeward reads: sheets `survey`, `choices`, `settings`,
/// and for scoring `indicators` and `dimensions`. Every unsupported or wrong row is
/// reported at its sheet, line and column (`#/<sheet>/<line>/<column>`), and nothing is
/// written unless the whole workbook is right. A workbook that is the latest version as
/// stored adds nothing.
#[utoipa::path(post, path = "/api/surveys", tag = "surveys",
    request_body(description = "The XLSForm workbook", content(
        (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    )),
    responses(
        (status = 201, description = "A new version, stored", body = SurveyImported),
        (status = 200, description = "The latest version already, nothing written", body = SurveyImported),
        (status = 403, description = "Not an administrator", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 409, description = "Someone imported a version of this survey meanwhile: import again", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 415, description = "Not an Excel workbook", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 422, description = "Rows with problems, each at its sheet, line and column; nothing was written", body = ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session_cookie" = [])))]
pub async fn import_survey(
    State(state): State<AppState>,
    Auth(who): Auth,
    headers: axum::http::HeaderMap,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> ApiResult<(StatusCode, Json<SurveyImported>)> {
    if media_type(&headers) != XLSX {
        return Err(Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "Send the survey as an Excel workbook",
        )
        .detail(format!("the body must be {XLSX} (an XLSForm)")));
    }
    let body = file_body(body)?;
    let imported = state.app.import_survey(&who, &body).await?;
    let added = matches!(imported, SurveyImport::Added(_));
    Ok((
        if added {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        },
        Json(SurveyImported {
            added,
            survey: SurveySummary::of(imported.version(), false),
        }),
    ))
}

/// A version of a survey with its definition: its questions, options, conditions, scores
/// and weights.
#[utoipa::path(get, path = "/api/surveys/{key}/versions/{version}", tag = "surveys",
    params(("key" = String, Path), ("version" = u32, Path)),
    responses(
        (status = 200, description = "The version", body = SurveyDoc),
        (status = 403, description = "Not the programme's staff", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 404, description = "No such survey or version", body = ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session_cookie" = [])))]
pub async fn get_survey(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiPath((key, version)): ApiPath<(String, u32)>,
) -> ApiResult<Json<SurveyDoc>> {
    let v = state.app.survey(&who, &key, Some(version)).await?;
    let latest = state.app.survey(&who, &key, None).await?;
    Ok(Json(SurveyDoc {
        summary: SurveySummary::of(&v, latest.survey.version > v.survey.version),
        definition: v.survey.definition().clone(),
    }))
}

/// A version of a survey as an XLSForm workbook, which imports as the same survey.
#[utoipa::path(get, path = "/api/surveys/{key}/versions/{version}/xlsform", tag = "surveys",
    params(("key" = String, Path), ("version" = u32, Path)),
    responses(
        (status = 200, description = "The XLSForm workbook", body = Vec<u8>,
            content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 403, description = "Not the programme's staff", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 404, description = "No such survey or version", body = ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session_cookie" = [])))]
pub async fn survey_xlsform(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiPath((key, version)): ApiPath<(String, u32)>,
) -> ApiResult<Response> {
    let (v, bytes) = state.app.survey_xlsx(&who, &key, Some(version)).await?;
    Ok(xlsx_download(
        bytes,
        &format!("{}-v{}.xlsx", v.survey.key, v.survey.version),
    ))
}

/// The survey template shaped like IOM's Reintegration Sustainability Survey, as an
/// XLSForm workbook: fifteen indicators across the three dimensions, labels in English,
/// French, Spanish and Arabic. Its weights are placeholders (all 1), to be set from IOM's
/// official scoring sheet (or the programme's) before it is imported.
#[utoipa::path(get, path = "/api/surveys/template", tag = "surveys",
    responses(
        (status = 200, description = "The XLSForm workbook", body = Vec<u8>,
            content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 403, description = "Not the programme's staff", body = ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session_cookie" = [])))]
pub async fn survey_template(
    State(state): State<AppState>,
    Auth(who): Auth,
) -> ApiResult<Response> {
    let bytes = state.app.survey_template_xlsx(&who).await?;
    Ok(xlsx_download(
        bytes,
        "reintegration-sustainability-template.xlsx",
    ))
}

/// A workbook as a download named `name` (a survey's name is letters, digits, `_ - .`,
/// so a header takes it as it is).
fn xlsx_download(bytes: Vec<u8>, name: &str) -> Response {
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(XLSX));
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, value);
    }
    res
}
