//! The referrals waiting for an answer past their time in the reader's offices, whole
//! and paged: what the home page's referral queues show the first of.

use axum::extract::{Query, State};
use axum::response::Response;
use homeward_app::cases::{ReferralDue, ReferralQueue};
use homeward_store::PageRequest;

use super::cases::Paging;
use super::follow_ups::{PER_PAGE, QueueQuery, WorkListPage, WorkRow};
use super::{app_error, consume_flash};
use crate::WebState;
use crate::chrome::{Chrome, ok};
use crate::i18n::I18n;
use crate::session::SignedIn;

/// The queue's code in URLs and its title's message.
pub fn queue_code(q: ReferralQueue) -> (&'static str, &'static str) {
    match q {
        ReferralQueue::Overdue => ("overdue", "home-referrals-overdue"),
        ReferralQueue::Escalated => ("escalated", "home-referrals-escalated"),
    }
}

/// The headers of `row`'s cells.
pub(super) const HEADERS: [&str; 4] = [
    "col-organisation",
    "col-service",
    "col-referred",
    "col-answer-due",
];

pub(super) fn row(i: &I18n, r: ReferralDue) -> WorkRow {
    WorkRow {
        href: format!("/cases/{}", r.case.id),
        reference: r.case.reference,
        name: r.case.principal_name,
        cells: vec![
            r.organisation_name,
            r.service
                .map(|s| i.opt("service", s.code()))
                .unwrap_or_default(),
            i.date(r.sent),
            i.date(r.due),
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
        Some("escalated") => ReferralQueue::Escalated,
        _ => ReferralQueue::Overdue,
    };
    let page = q.page.unwrap_or(1).clamp(1, 10_000);
    let today = homeward_app::now().date_naive();
    let result = match st
        .app
        .referrals_waiting(
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
    let queues = [ReferralQueue::Overdue, ReferralQueue::Escalated].map(queue_code);
    let t = WorkListPage::new(
        Chrome::new(&v, i.t(title)),
        &i,
        "/referrals",
        &queues,
        code,
        Some(i.t(&format!("{title}-hint"))),
        HEADERS.map(|h| i.t(h)).to_vec(),
        result.items.into_iter().map(|r| row(&i, r)).collect(),
        paging,
    );
    consume_flash(&v, ok(&t))
}
