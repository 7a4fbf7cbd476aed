//! Errors as `application/problem+json` (RFC 9457), with the JSON pointer of every
//! invalid field.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use homeward_app::AppError;
use homeward_domain::Violation;
use serde::Serialize;
use utoipa::ToSchema;

/// One thing wrong with a request, or one unmet condition of a rule.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProblemItem {
    /// JSON pointer to the field at fault in the request body (`#/members/0/details`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
    /// Stable code (`consent.reflection_period`), for programs and translations.
    pub code: String,
    /// What is wrong, in English.
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub person_id: Option<uuid::Uuid>,
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub params: std::collections::BTreeMap<String, String>,
}

impl From<Violation> for ProblemItem {
    fn from(v: Violation) -> Self {
        ProblemItem {
            pointer: v.field.map(|f| pointer(&f)),
            code: v.code.to_string(),
            detail: v.message,
            person_id: v.person_id.map(|p| p.0),
            params: v
                .params
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        }
    }
}

/// `members/0/details` → `#/members/0/details`.
pub fn pointer(path: &str) -> String {
    if path.is_empty() {
        "#".into()
    } else {
        format!("#/{}", path.trim_start_matches('/'))
    }
}

/// A problem details document.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Problem)]
pub struct ProblemDoc {
    /// A URI reference naming the kind of problem (`/problems/invalid-input`).
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Each invalid field or unmet condition.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemItem>,
    /// On a version conflict: the case's current version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_version: Option<u64>,
    #[serde(skip)]
    retry_after: Option<u64>,
}

/// A problem, as handlers return it (boxed: errors stay small on the happy path).
#[derive(Debug, Clone)]
pub struct Problem(pub Box<ProblemDoc>);

impl Problem {
    pub fn new(status: StatusCode, kind: &str, title: &str) -> Self {
        Problem(Box::new(ProblemDoc {
            kind: format!("/problems/{kind}"),
            title: title.into(),
            status: status.as_u16(),
            detail: None,
            errors: vec![],
            current_version: None,
            retry_after: None,
        }))
    }

    pub fn detail(mut self, d: impl Into<String>) -> Self {
        self.0.detail = Some(d.into());
        self
    }

    pub fn with_errors(mut self, items: impl IntoIterator<Item = ProblemItem>) -> Self {
        self.0.errors.extend(items);
        self
    }

    pub fn status(&self) -> u16 {
        self.0.status
    }

    pub fn not_found() -> Self {
        Problem::new(StatusCode::NOT_FOUND, "not-found", "Not found")
    }

    pub fn invalid(items: Vec<ProblemItem>) -> Self {
        Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-input",
            "The request has invalid fields",
        )
        .with_errors(items)
    }

    pub fn field(code: &str, pointer_path: &str, detail: impl Into<String>) -> ProblemItem {
        ProblemItem {
            pointer: Some(pointer(pointer_path)),
            code: code.into(),
            detail: detail.into(),
            person_id: None,
            params: Default::default(),
        }
    }
}

impl From<AppError> for Problem {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Unauthenticated => Problem::new(StatusCode::UNAUTHORIZED, "unauthenticated", "Sign in first")
                .detail("the request carries no valid session cookie or bearer token, or the credentials are wrong"),
            AppError::Forbidden(why) => Problem::new(StatusCode::FORBIDDEN, "forbidden", "Not allowed").detail(why),
            AppError::NotFound => Problem::not_found(),
            AppError::Conflict { current } => {
                let mut p = Problem::new(StatusCode::CONFLICT, "version-conflict", "The case has changed since you read it")
                    .detail(format!("the case is now at version {current}: read it again, then retry"));
                p.0.current_version = Some(current);
                p
            }
            AppError::Duplicate(what) => Problem::new(StatusCode::CONFLICT, "duplicate", "Already exists")
                .detail(format!("{what} already exists")),
            AppError::Invalid(vs) => Problem::invalid(vs.into_iter().map(ProblemItem::from).collect()),
            AppError::Refused(r) => Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "refused", "The rules refuse this")
                .detail(r.violations.iter().map(|v| v.message.as_str()).collect::<Vec<_>>().join("; "))
                .with_errors(r.violations.into_iter().map(ProblemItem::from)),
            AppError::Throttled { retry_after_secs } => {
                let mut p = Problem::new(StatusCode::TOO_MANY_REQUESTS, "throttled", "Too many attempts")
                    .detail(format!("try again in {retry_after_secs} seconds"));
                p.0.retry_after = Some(retry_after_secs);
                p
            }
            AppError::Unavailable(why) => {
                tracing::warn!(error = %why, "storage unavailable");
                let mut p = Problem::new(StatusCode::SERVICE_UNAVAILABLE, "storage-unavailable", "Storage is unavailable")
                    .detail("the database cannot take this request now; nothing was changed; try again shortly");
                p.0.retry_after = Some(5);
                p
            }
            AppError::Internal(why) => {
                // The whole chain of causes, for whoever reads the log.
                tracing::error!(error = %why.chain(), "internal error");
                Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "Internal error")
                    .detail("something went wrong on our side; it has been logged")
            }
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.0.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let retry = self.0.retry_after;
        let body = serde_json::to_vec(&*self.0).unwrap_or_default();
        let mut res = (status, body).into_response();
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(s) = retry
            && let Ok(v) = HeaderValue::from_str(&s.to_string())
        {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
        if status == StatusCode::UNAUTHORIZED {
            res.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        res
    }
}

pub type ApiResult<T> = Result<T, Problem>;
