//! Monitoring's endpoints (follow-ups on a case, and the follow-ups waiting in your
//! offices), and a case's caseworker.

use homeward_app::cases::{FollowUpDue, FollowUpQueue};

use crate::extract::ApiQuery;

use super::*;

commands! {
    routes = monitoring_command_routes;
    record_follow_up,
    "/api/cases/{case_id}/follow-ups",
    FollowUpIn,
    "Record a follow-up after arrival (a visit, call or remote interview) and whether it reached the returnee",
    |b, p, _app, _who| b.parse(&mut p).map(Command::RecordFollowUp);
    assign_caseworker,
    "/api/cases/{case_id}/caseworker",
    CaseworkerIn,
    "Make a user of the office that leads the case its caseworker",
    |b, p, app, _who| Some(Command::AssignCaseworker(
        app.assignee(homeward_domain::ids::UserId(b.user_id.0), "user_id")
            .await?
    ));
    add_note,
    "/api/cases/{case_id}/notes",
    NoteIn,
    "Add a note to the case, perhaps raising or clearing a flag (risk, contact lost, urgent)",
    |b, p, _app, _who| b.parse(&mut p).map(Command::AddNote);
}

/// Which follow-ups, and which page.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FollowUpQuery {
    /// `due`: not held, the window open or opening within a week; `overdue`: not held,
    /// the window closed, and not yet missed (the next one's window has not opened).
    #[param(inline)]
    pub queue: FollowUpQueue,
    /// From 1 (the default).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 4294967295.0)]
    pub page: Option<u32>,
    /// From 1 to 200 (50 by default).
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<u32>,
}

/// Scheduled follow-ups of your offices' returned cases that wait for work today (UTC),
/// soonest due first.
#[utoipa::path(
    get,
    path = "/api/follow-ups",
    tag = "cases",
    params(FollowUpQuery),
    responses(
        (status = 200, description = "A page of follow-ups", body = PageOut<FollowUpDue>),
        (status = 422, description = "Invalid page", body = ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub async fn follow_ups_waiting(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiQuery(q): ApiQuery<FollowUpQuery>,
) -> ApiResult<Json<PageOut<FollowUpDue>>> {
    let page = page_request(q.page, q.per_page)?;
    let today = homeward_app::now().date_naive();
    let result = state
        .app
        .follow_ups_waiting(&who, None, q.queue, today, page)
        .await?;
    Ok(Json(PageOut {
        items: result.items,
        page: page.page,
        per_page: page.per_page,
        total: result.total,
        total_exact: result.total_exact,
    }))
}
