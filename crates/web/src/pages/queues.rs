//! The work queues of cases: declared once (who sees each on their home page, which
//! stages, in which order, what each case's date means), shown whole and paged at
//! `/queues/{slug}`, and the first few on the home page with "see all".

use super::{forbidden, not_found_page};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use homeward_app::views::CaseSummary;
use homeward_app::{AppError, Principal};
use homeward_domain::Stage;
use homeward_domain::access::Role;
use homeward_domain::case::reintegration::PlanWork;
use homeward_store::{CaseFilter, ListOrder, Page, PageRequest};
use serde::Deserialize;

use super::cases::Paging;
use super::{app_error, consume_flash};
use crate::WebState;
use crate::chrome::{Chrome, ok};
use crate::i18n::I18n;
use crate::session::SignedIn;

/// What a queue's date says of each case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dated {
    /// Unchanged since: the queue shows who waited longest first.
    WaitingSince,
    /// The first flight: soonest first.
    Flight,
    /// The application's submission: longest waiting first, each due by the programme's
    /// days to decide.
    Submitted,
}

/// A work queue of cases.
pub struct CaseQueue {
    /// Its address, `/queues/{slug}`.
    pub slug: &'static str,
    /// Its title's and hint's messages.
    pub title: &'static str,
    pub hint: Option<&'static str>,
    /// Who has it on their home page.
    pub roles: &'static [Role],
    /// Cases in any of these stages.
    pub stages: &'static [Stage],
    pub dated: Dated,
    /// Only cases whose first flight leaves within a week.
    pub this_week: bool,
    /// Only cases whose last follow-up did not reach the returnee.
    pub unreached: bool,
    /// Only cases whose reintegration plan waits for any of these (none: any case), and
    /// then only those the reader's offices lead: who may act on the plan.
    pub plan_work: &'static [PlanWork],
}

use Role::*;
use Stage::*;

/// Every queue, in the order the home page shows them.
pub const CASE_QUEUES: [CaseQueue; 12] = [
    CaseQueue {
        slug: "counselling",
        title: "home-counselling",
        hint: Some("home-counselling-hint"),
        roles: &[Counsellor],
        stages: &[Registered, Counselling],
        dated: Dated::WaitingSince,
        this_week: false,
        unreached: false,
        plan_work: &[],
    },
    CaseQueue {
        slug: "approve",
        title: "home-approve",
        hint: None,
        roles: &[Approver],
        stages: &[Applied],
        dated: Dated::Submitted,
        this_week: false,
        unreached: false,
        plan_work: &[],
    },
    CaseQueue {
        slug: "this-week",
        title: "home-this-week",
        hint: None,
        roles: &[MovementOfficer],
        stages: &[PreDeparture, ReadyToDepart],
        dated: Dated::Flight,
        this_week: true,
        unreached: false,
        plan_work: &[],
    },
    CaseQueue {
        slug: "departures",
        title: "home-departures",
        hint: Some("home-departures-hint"),
        roles: &[MovementOfficer, MedicalOfficer],
        stages: &[Approved, PreDeparture],
        dated: Dated::WaitingSince,
        this_week: false,
        unreached: false,
        plan_work: &[],
    },
    CaseQueue {
        slug: "ready",
        title: "home-ready",
        hint: None,
        roles: &[MovementOfficer, MedicalOfficer],
        stages: &[ReadyToDepart],
        dated: Dated::Flight,
        this_week: false,
        unreached: false,
        plan_work: &[],
    },
    CaseQueue {
        slug: "arrivals",
        title: "home-arrivals",
        hint: None,
        roles: &[ReintegrationOfficer],
        stages: &[Departed],
        dated: Dated::WaitingSince,
        this_week: false,
        unreached: false,
        plan_work: &[],
    },
    CaseQueue {
        slug: "plans-to-draft",
        title: "home-plans-to-draft",
        hint: Some("home-plans-to-draft-hint"),
        roles: &[ReintegrationOfficer],
        stages: &Stage::AFTER_ARRIVAL,
        dated: Dated::WaitingSince,
        this_week: false,
        unreached: false,
        plan_work: &[PlanWork::ToDraft],
    },
    CaseQueue {
        slug: "plans-to-agree",
        title: "home-plans-to-agree",
        hint: Some("home-plans-to-agree-hint"),
        roles: &[ReintegrationOfficer],
        stages: &Stage::AFTER_ARRIVAL,
        dated: Dated::WaitingSince,
        this_week: false,
        unreached: false,
        plan_work: &[PlanWork::ToAgree],
    },
    CaseQueue {
        slug: "plans-to-approve",
        title: "home-plans-to-approve",
        hint: Some("home-plans-to-approve-hint"),
        roles: &[Approver, ReintegrationOfficer],
        stages: &Stage::AFTER_ARRIVAL,
        dated: Dated::WaitingSince,
        this_week: false,
        unreached: false,
        plan_work: &[PlanWork::ToApprove],
    },
    CaseQueue {
        slug: "reintegration",
        title: "home-reintegration",
        hint: Some("home-reintegration-hint"),
        roles: &[ReintegrationOfficer],
        stages: &[Arrived, Reintegration],
        dated: Dated::WaitingSince,
        this_week: false,
        unreached: false,
        plan_work: &[],
    },
    CaseQueue {
        slug: "not-reached",
        title: "home-not-reached",
        hint: Some("home-not-reached-hint"),
        roles: &[ReintegrationOfficer, MonitoringOfficer],
        stages: &[Arrived, Reintegration, Monitoring],
        dated: Dated::WaitingSince,
        this_week: false,
        unreached: true,
        plan_work: &[],
    },
    CaseQueue {
        slug: "monitoring",
        title: "home-monitoring",
        hint: None,
        roles: &[MonitoringOfficer],
        stages: &[Monitoring],
        dated: Dated::WaitingSince,
        this_week: false,
        unreached: false,
        plan_work: &[],
    },
];

impl CaseQueue {
    pub fn of(slug: &str) -> Option<&'static CaseQueue> {
        CASE_QUEUES.iter().find(|q| q.slug == slug)
    }

    pub fn for_actor(&self, p: &Principal) -> bool {
        p.actor.has_any(self.roles)
    }

    fn filter(&self) -> CaseFilter {
        let now = homeward_app::now();
        CaseFilter {
            stages: self.stages.to_vec(),
            order: match self.dated {
                Dated::WaitingSince => ListOrder::LongestWaiting,
                Dated::Flight => ListOrder::SoonestDeparture,
                Dated::Submitted => ListOrder::OldestApplication,
            },
            departing: self
                .this_week
                .then(|| (now, now + chrono::Duration::days(7))),
            unreached: self.unreached,
            plan_work: self.plan_work.to_vec(),
            led_in_scope: !self.plan_work.is_empty(),
            ..CaseFilter::default()
        }
    }

    /// A page of its cases in the reader's offices.
    pub async fn read(
        &self,
        st: &WebState,
        p: &Principal,
        page: PageRequest,
    ) -> Result<Page<CaseSummary>, AppError> {
        st.app.list_cases(p, &self.filter(), page).await
    }

    /// What its date says of a case, labelled.
    pub async fn note(&self, st: &WebState, p: &Principal, i: &I18n, c: &CaseSummary) -> String {
        // A case in counselling waits for the reflection period to end, if it has not.
        if self.slug == "counselling"
            && c.stage == Counselling
            && let Ok(Some(from)) = st.app.consent_possible_from(p, c.id).await
        {
            return i.t1("home-reflection-item", "date", i.day(from));
        }
        let when = match (self.dated, c.departs_at) {
            (Dated::Submitted, _) => match c.applied_at {
                Some(applied) => match st.app.programme_for(p, c.programme).await {
                    Ok(settings) => decision_note(i, &settings, applied.date_naive()),
                    // The submission's day as the rules count it (a UTC day).
                    Err(_) => i.t1("home-waiting-since", "date", i.date(applied.date_naive())),
                },
                None => i.t1("home-waiting-since", "date", i.day(c.updated_at)),
            },
            (Dated::Flight, Some(at)) => i.t1("home-flight", "date", i.datetime(at)),
            (Dated::Flight, None) => i.t("home-no-flight"),
            (Dated::WaitingSince, _) => i.t1("home-waiting-since", "date", i.day(c.updated_at)),
        };
        // The approver sees which plans ask them to accept an exception with them.
        if !self.plan_work.contains(&PlanWork::ToApprove) || c.plan_exceptions.is_empty() {
            return when;
        }
        let exceptions: Vec<String> = c
            .plan_exceptions
            .iter()
            .map(|e| i.t(&format!("home-plan-exception-{}", e.code())))
            .collect();
        format!("{when} · {}", exceptions.join(", "))
    }
}

/// An application submitted on `submitted`, waiting for its decision: since when, and
/// due by the programme's days or overdue after them (the domain's rule).
pub(super) fn decision_note(
    i: &I18n,
    settings: &homeward_domain::programme::ProgrammeSettings,
    submitted: chrono::NaiveDate,
) -> String {
    let key = if settings.decision_overdue(submitted, homeward_app::now().date_naive()) {
        "home-decision-overdue"
    } else {
        "home-decision-due"
    };
    i.ta(
        key,
        &[
            ("date", i.date(submitted).into()),
            ("due", i.date(settings.decision_due(submitted)).into()),
        ],
    )
}

pub struct Row {
    pub href: String,
    pub reference: String,
    pub name: String,
    pub stage: String,
    pub country: String,
    pub note: String,
}

#[derive(Template)]
#[template(path = "queue.html")]
pub struct QueuePage {
    pub c: Chrome,
    pub hint: Option<String>,
    pub rows: Vec<Row>,
    pub total: String,
    pub page_label: String,
    pub slug: &'static str,
    pub prev: Option<u32>,
    pub next: Option<u32>,
}

#[derive(Debug, Deserialize)]
pub struct QueueQuery {
    pub page: Option<u32>,
}

const PER_PAGE: u32 = 25;

/// A queue whole, paged.
pub async fn show(
    State(st): State<WebState>,
    SignedIn(v, p): SignedIn,
    Path(slug): Path<String>,
    Query(q): Query<QueueQuery>,
) -> Response {
    let Some(queue) = CaseQueue::of(&slug) else {
        return not_found_page(&v);
    };
    if !queue.for_actor(&p) {
        return forbidden(&v);
    }
    let i = v.i;
    let page = q.page.unwrap_or(1).clamp(1, 10_000);
    let result = match queue
        .read(
            &st,
            &p,
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
    let mut rows = Vec::with_capacity(result.items.len());
    for c in &result.items {
        rows.push(Row {
            href: format!("/cases/{}", c.id),
            reference: c.reference.clone(),
            name: c.principal_name.clone(),
            stage: i.t(&format!("stage-{}", c.stage.code())),
            country: c.country_of_return.clone(),
            note: queue.note(&st, &p, &i, c).await,
        });
    }
    let t = QueuePage {
        c: Chrome::new(&v, i.t(queue.title)),
        hint: queue.hint.map(|h| i.t(h)),
        rows,
        total: paging.total,
        page_label: paging.page_label,
        slug: queue.slug,
        prev: paging.prev,
        next: paging.next,
    };
    consume_flash(&v, ok(&t))
}
