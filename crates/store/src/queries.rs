//! What the store's questions take and give: filters, scopes, pages and the figures and
//! work items read back.

use super::*;

/// The dimensions of the returns figures are the domain's; each is a column of
/// `stat_returns` named by its code.
pub use homeward_domain::stats::Dim;

/// Filters of every figure.
#[derive(Debug, Clone, Default)]
pub struct StatFilter {
    pub from: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
    pub offices: Option<Vec<Uuid>>,
    pub programme: Option<Uuid>,
    pub return_country: Option<String>,
    /// Only people with any of these vulnerabilities (a mask).
    pub vulnerabilities: Option<i64>,
    /// Only people who received any of these types of assistance (a mask of
    /// `AssistanceType::bit`); with `taken_up`, only people who took up any of them in
    /// the period.
    pub assistance: Option<i64>,
    /// Counts the options taken up (`stats::TakenUp`) instead of the returns: each month a
    /// returnee took up options in is a row of theirs, dated by that month (which
    /// `from`, `until` and the year read), with those options as `assistance`; a person
    /// counts once however many of their months a cell holds.
    pub taken_up: bool,
}

/// One group of returns: its keys (one per dimension) and its counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReturnCount {
    pub keys: Vec<String>,
    pub people: i64,
    pub cases: i64,
}

/// Which cases a reader may see: those of these offices (host or office of return).
#[derive(Debug, Clone)]
pub struct Scope {
    pub offices: Vec<OfficeId>,
}

/// Filters of the case list.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    pub stage: Option<Stage>,
    pub office: Option<OfficeId>,
    pub country_of_return: Option<String>,
    pub programme: Option<Uuid>,
    /// Bit mask: cases with any of these vulnerabilities.
    pub vulnerabilities: Option<i64>,
    /// Reference prefix, or part of a name (folded with `search_key`).
    pub text: Option<String>,
    pub birth_date: Option<NaiveDate>,
    /// Cases whose first flight leaves in `[from, until)`.
    pub departing: Option<(DateTime<Utc>, DateTime<Utc>)>,
    /// Cases in any of these stages (none: any stage); with `stage`, both apply.
    pub stages: Vec<Stage>,
    /// The list's order (a search is always newest first).
    pub order: ListOrder,
    /// Cases this caseworker owns.
    pub owner: Option<UserId>,
    /// Only cases whose last follow-up did not reach the returnee.
    pub unreached: bool,
    /// Only cases with an item of the plan still to deliver that was due before this day.
    pub items_due_before: Option<NaiveDate>,
    /// Only cases where someone's last travel document runs out before the flight.
    pub documents_expiring: bool,
    /// Only cases whose reintegration plan waits for any of these.
    pub plan_work: Vec<homeward_domain::case::reintegration::PlanWork>,
    /// Only cases one of the reader's offices leads (`Case::lead_office`): those whose
    /// commands the reader's offices may issue.
    pub led_in_scope: bool,
}

/// How a case list is ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ListOrder {
    /// Most recently changed first: the case list.
    #[default]
    Newest,
    /// Waiting longest first (unchanged for longest): a work queue.
    LongestWaiting,
    /// The first flight leaving soonest first.
    SoonestDeparture,
    /// Submitted longest ago first: applications waiting for a decision.
    OldestApplication,
    /// The plan's items due soonest first.
    ItemsDue,
    /// The travel documents running out soonest first.
    DocumentsExpire,
}

/// Which scheduled follow-ups a queue shows (`ScheduledFollowUp::status`, in SQL).
#[derive(Debug, Clone, Copy)]
pub enum FollowUpWait {
    /// Not held, its window open on some day from `today` to `until`.
    Due { today: NaiveDate, until: NaiveDate },
    /// Not held, its window closed before `today`, and not yet missed.
    Overdue { today: NaiveDate },
}

/// A follow-up waiting for work, and its case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WaitingFollowUp {
    pub case: CaseRow,
    /// From 1, in the schedule's order.
    pub number: i64,
    pub due_on: NaiveDate,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
}

/// Which referrals a queue shows (`ReferralRecord::answer_status`, in SQL): sent, not
/// answered, of a case not closed.
#[derive(Debug, Clone, Copy)]
pub enum ReferralWait {
    /// Past its answer's due day on `today` (escalated ones included).
    Overdue { today: NaiveDate },
    /// Past twice its time on `today`: the programme manager's to chase.
    Escalated { today: NaiveDate },
}

/// A referral waiting for an answer, and its case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WaitingReferral {
    pub case: CaseRow,
    pub referral_id: Uuid,
    pub organisation_name: String,
    pub service: String,
    pub sent_on: NaiveDate,
    pub answer_due: NaiveDate,
    pub escalate_on: NaiveDate,
}

/// Referrals of one need, organisation and outcome: how many, how many were answered,
/// and the days their answers took in all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReferralFigure {
    pub service: String,
    pub organisation_id: Uuid,
    pub organisation_name: String,
    pub outcome: String,
    pub referrals: i64,
    pub answered: i64,
    pub answer_days: i64,
}

from_row!(ReferralFigure {
    service,
    organisation_id,
    organisation_name,
    outcome,
    referrals,
    answered,
    answer_days
});

/// A referral addressed to an organisation, as its partners list it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrganisationReferral {
    pub case_id: Uuid,
    pub referral_id: Uuid,
    pub case_reference: String,
    pub service: String,
    pub status: String,
    pub sent_on: NaiveDate,
    pub answer_due: NaiveDate,
    pub escalate_on: NaiveDate,
}

/// How a list of inbound referrals is chosen: by the offices they are addressed to, or
/// by the organisation that sent them.
#[derive(Debug, Clone, Copy)]
pub(crate) enum InboundOf<'a> {
    Offices(&'a [OfficeId]),
    Organisation(OrganisationId),
}

#[derive(Debug, Clone, Copy)]
pub struct PageRequest {
    pub page: u32,
    pub per_page: u32,
}

impl PageRequest {
    pub fn offset(&self) -> i64 {
        i64::from(self.page.saturating_sub(1)) * i64::from(self.per_page)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    /// False when counting stopped: more than `total` match (see `COUNT_BOUND`).
    pub total_exact: bool,
}

impl<T> Page<T> {
    /// The same page with each item made into another.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
            total_exact: self.total_exact,
        }
    }
}

/// A case list that is not a search counts its cases up to this many, or up to the end of
/// the page asked for if that is further: past it the list says "more than", not how many.
/// Nobody pages through ten thousand cases (filters narrow them), and counting every case
/// in scope cost far more than the page (docs/decisions/0005).
pub const COUNT_BOUND: i64 = 10_000;

/// A search finds up to this many cases before it is read differently: past it, its page
/// is read in the list's order, each case checked against the search, and its total says
/// "more than" (see the store's `search_cases`). A common name alone finds thousands of
/// cases at a million, too many to gather, sort and count for a page (docs/decisions/0005).
pub const SEARCH_BOUND: i64 = 1_000;
