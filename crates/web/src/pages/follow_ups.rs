//! The follow-ups waiting in the reader's offices, whole and paged: what the home page's
//! follow-up queues show the first of.

use axum::extract::{Query, State};
use axum::response::Response;
use homeward_app::cases::{FollowUpDue, FollowUpQueue};
use homeward_store::PageRequest;
use serde::Deserialize;

use super::cases::Paging;
use super::{app_error, consume_flash};
use crate::WebState;
use crate::chrome::{Chrome, ok};
use crate::i18n::I18n;
use crate::session::SignedIn;

pub(super) const PER_PAGE: u32 = 25;

/// A row of a list of work items: its case, and what is waiting.
pub struct WorkRow {
    pub href: String,
    pub reference: String,
    pub name: String,
    pub cells: Vec<String>,
}

/// A link to one of the queues, marked when it is the one shown.
pub struct Tab {
    pub href: String,
    pub label: String,
    pub current: bool,
}

/// A page listing work items of one queue, with links to the others: the follow-ups and
/// referrals waiting.
#[derive(askama::Template)]
#[template(path = "work_list.html")]
pub struct WorkListPage {
    pub c: Chrome,
    /// The headers of the first two columns: the link, the name.
    pub lead: [String; 2],
    /// A button above the list: where, and what it says.
    pub action: Option<(String, String)>,
    pub tabs: Vec<Tab>,
    pub tabs_label: String,
    /// The shown list's own heading, under the page's title.
    pub heading: Option<String>,
    /// Offices to choose from, with the shown queue kept (`queue`).
    pub office: Option<Vec<crate::actions::Opt>>,
    pub queue: Option<String>,
    pub hint: Option<String>,
    pub headers: Vec<String>,
    pub rows: Vec<WorkRow>,
    pub total: String,
    pub page_label: String,
    pub prev: Option<String>,
    pub next: Option<String>,
}

impl WorkListPage {
    /// The page at `path?queue=<code>` of `queues`, one `(code, title message)` each.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn new(
        c: Chrome,
        i: &I18n,
        path: &str,
        queues: &[(&str, &str)],
        current: &str,
        hint: Option<String>,
        headers: Vec<String>,
        rows: Vec<WorkRow>,
        paging: Paging,
    ) -> Self {
        // `path` may carry a query of its own (a chosen office).
        let sep = if path.contains('?') { '&' } else { '?' };
        let href = |code: &str, page: Option<u32>| match page {
            Some(p) => format!("{path}{sep}queue={code}&page={p}"),
            None => format!("{path}{sep}queue={code}"),
        };
        WorkListPage {
            c,
            lead: [i.t("col-reference"), i.t("col-name")],
            action: None,
            tabs: queues
                .iter()
                .map(|(code, title)| Tab {
                    href: href(code, None),
                    label: i.t(title),
                    current: *code == current,
                })
                .collect(),
            tabs_label: i.t("follow-ups-queues"),
            heading: None,
            office: None,
            queue: None,
            hint,
            headers,
            rows,
            total: paging.total,
            page_label: paging.page_label,
            prev: paging.prev.map(|p| href(current, Some(p))),
            next: paging.next.map(|p| href(current, Some(p))),
        }
    }
}

impl WorkListPage {
    /// Other headers for the first two columns.
    pub fn with_lead(self, link: String, name: String) -> Self {
        WorkListPage {
            lead: [link, name],
            ..self
        }
    }

    /// A button above the list.
    pub fn with_action(self, href: &str, label: String) -> Self {
        WorkListPage {
            action: Some((href.to_string(), label)),
            ..self
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct QueueQuery {
    pub queue: Option<String>,
    pub page: Option<u32>,
}

/// The queue's code in URLs and its title's message.
pub fn queue_code(q: FollowUpQueue) -> (&'static str, &'static str) {
    match q {
        FollowUpQueue::Due => ("due", "home-follow-ups-due"),
        FollowUpQueue::Overdue => ("overdue", "home-follow-ups-overdue"),
    }
}

/// The headers of `row`'s cells.
pub(super) const HEADERS: [&str; 4] = ["col-follow-up", "col-due", "col-window", "col-country"];

pub(super) fn row(i: &I18n, f: FollowUpDue) -> WorkRow {
    WorkRow {
        href: format!("/cases/{}", f.case.id),
        reference: f.case.reference,
        name: f.case.principal_name,
        cells: vec![
            i.ta("follow-up-number", &[("number", f.number.into())]),
            i.date(f.due),
            i.ta(
                "case-follow-up-window",
                &[
                    ("opens", i.date(f.opens).into()),
                    ("closes", i.date(f.closes).into()),
                ],
            ),
            f.case.country_of_return,
        ],
    }
}

pub async fn list(
    State(st): State<WebState>,
    SignedIn(v, p): SignedIn,
    Query(q): Query<QueueQuery>,
) -> Response {
    let i = v.i;
    let queue = match q.queue.as_deref() {
        Some("overdue") => FollowUpQueue::Overdue,
        _ => FollowUpQueue::Due,
    };
    let page = q.page.unwrap_or(1).clamp(1, 10_000);
    let today = homeward_app::now().date_naive();
    let result = match st
        .app
        .follow_ups_waiting(
            &p,
            None,
            queue,
            today,
            PageRequest {
                page,
                per_page: PER_PAGE,
            },
        )
        .await
    {
        Ok(r) => r,
        Err(e) => return app_error(&v, e),
    };
    let paging = Paging::of(&i, result.total, result.total_exact, page, PER_PAGE);
    let (code, title) = queue_code(queue);
    let queues = [FollowUpQueue::Due, FollowUpQueue::Overdue].map(queue_code);
    let t = WorkListPage::new(
        Chrome::new(&v, i.t(title)),
        &i,
        "/follow-ups",
        &queues,
        code,
        Some(i.t("follow-ups-hint")),
        HEADERS.map(|h| i.t(h)).to_vec(),
        result.items.into_iter().map(|f| row(&i, f)).collect(),
        paging,
    );
    consume_flash(&v, ok(&t))
}
