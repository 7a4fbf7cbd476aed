//! The follow-ups waiting in the reader's offices, whole and paged: what the home page's
//! follow-up queues show the first of.

use askama::Template;
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

const PER_PAGE: u32 = 25;

pub struct Row {
    pub href: String,
    pub reference: String,
    pub name: String,
    pub follow_up: String,
    pub due: String,
    pub window: String,
    pub country: String,
}

/// A link to one of the queues, marked when it is the one shown.
pub struct Tab {
    pub href: String,
    pub label: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "follow_ups.html")]
pub struct FollowUpsPage {
    pub c: Chrome,
    pub tabs: Vec<Tab>,
    pub rows: Vec<Row>,
    pub total: String,
    pub page_label: String,
    pub queue: &'static str,
    pub prev: Option<u32>,
    pub next: Option<u32>,
}

#[derive(Debug, Deserialize)]
pub struct FollowUpsQuery {
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

fn row(i: &I18n, f: FollowUpDue) -> Row {
    Row {
        href: format!("/cases/{}", f.case.id),
        reference: f.case.reference,
        name: f.case.principal_name,
        follow_up: i.ta("follow-up-number", &[("number", f.number.into())]),
        due: i.date(f.due),
        window: i.ta(
            "case-follow-up-window",
            &[
                ("opens", i.date(f.opens).into()),
                ("closes", i.date(f.closes).into()),
            ],
        ),
        country: f.case.country_of_return,
    }
}

pub async fn list(
    State(st): State<WebState>,
    SignedIn(v, p): SignedIn,
    Query(q): Query<FollowUpsQuery>,
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
    let tabs = [FollowUpQueue::Due, FollowUpQueue::Overdue]
        .into_iter()
        .map(|other| {
            let (c, t) = queue_code(other);
            Tab {
                href: format!("/follow-ups?queue={c}"),
                label: i.t(t),
                current: other == queue,
            }
        })
        .collect();
    let t = FollowUpsPage {
        c: Chrome::new(&v, i.t(title)),
        tabs,
        rows: result.items.into_iter().map(|f| row(&i, f)).collect(),
        total: paging.total,
        page_label: paging.page_label,
        queue: code,
        prev: paging.prev,
        next: paging.next,
    };
    consume_flash(&v, ok(&t))
}
