//! Referrals out (DESIGN.md, "Referrals"): a case's people referred to an organisation
//! of the directory for one need, with the groups of data they consented to share, and
//! each step of the answer: accepted or declined, in progress, delivered, closed; or
//! revoked by the sender (consent withdrawn). A referral not answered within its time is
//! overdue, and escalated after twice that time.
//!
//! The records and the state live here; the rules are in `decide::referrals`.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::events::{Event, EventMeta};
use crate::access::Sensitive;
use crate::ids::{OrganisationId, PersonId, ReferralId, UserId};
use crate::organisation::ServiceType;
use crate::values::{CountryCode, LongText, ShortText};

snake_enum!(
    /// A group of a person's data that a referral may share, each consented to.
    pub enum DataGroup {
        /// Names, date of birth, sex, nationality.
        Identity,
        /// Phone, address, languages.
        Contact,
        /// Who else is on the case.
        Family,
        /// The vulnerabilities recorded.
        Vulnerabilities,
        /// Health and fitness to travel.
        Medical,
        /// Trafficking and violence history, the risk assessment.
        TraffickingAndViolence,
        /// The journey: flights and the arrival (for a reception on arrival).
        Travel,
    }
);

impl DataGroup {
    pub const ALL: [DataGroup; 7] = [
        DataGroup::Identity,
        DataGroup::Contact,
        DataGroup::Family,
        DataGroup::Vulnerabilities,
        DataGroup::Medical,
        DataGroup::TraffickingAndViolence,
        DataGroup::Travel,
    ];

    /// The kinds of sensitive data the group holds: only their readers share it.
    pub fn sensitivity(self) -> &'static [Sensitive] {
        match self {
            DataGroup::Medical => &[Sensitive::Medical],
            DataGroup::TraffickingAndViolence => &[Sensitive::Trafficking, Sensitive::Violence],
            _ => &[],
        }
    }
}

snake_enum!(
    /// Why people may be referred without their consent, where a programme allows it.
    pub enum ExceptionGround {
        /// A child at risk, with no one able to consent in time.
        ChildProtectionEmergency,
        /// A danger to someone's life or health.
        RiskToLife,
        /// A duty under the law of the host country or the country of return.
        LegalObligation,
    }
);

impl ExceptionGround {
    pub const ALL: [ExceptionGround; 3] = [
        ExceptionGround::ChildProtectionEmergency,
        ExceptionGround::RiskToLife,
        ExceptionGround::LegalObligation,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ExceptionGround::ChildProtectionEmergency => "child_protection_emergency",
            ExceptionGround::RiskToLife => "risk_to_life",
            ExceptionGround::LegalObligation => "legal_obligation",
        }
    }
}

/// Referring people who have not consented, on a ground the programme allows, and why.
/// Nothing is sent until a second person approves it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsentException {
    pub ground: ExceptionGround,
    pub reason: LongText,
}

/// A second person's decision on a referral made without consent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExceptionDecision {
    pub referral_id: ReferralId,
    /// Approved: the referral is sent. Refused: it is withdrawn.
    pub approved: bool,
    /// Why (required to refuse).
    pub reason: Option<LongText>,
}

/// The decision as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExceptionDecisionRecord {
    pub at: DateTime<Utc>,
    pub by: UserId,
    pub approved: bool,
    pub reason: Option<LongText>,
}

/// The longest a single-use answer link lasts, in days.
pub const LINK_MAX_DAYS: i64 = 30;

/// A referral as sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReferralRequest {
    pub referral_id: ReferralId,
    /// An organisation of the directory.
    pub organisation: OrganisationId,
    /// Its name when referred, so that the case reads the same if the directory changes.
    pub organisation_name: ShortText,
    /// The one need referred for.
    pub service: ServiceType,
    /// Where the service is given: one of the organisation's countries. Absent on
    /// referrals made before it was recorded.
    #[serde(default)]
    pub country: Option<CountryCode>,
    /// The people referred (at least one).
    pub people: BTreeSet<PersonId>,
    /// The people for whom consent to this referral and to sharing `shared` was given,
    /// by themselves or by whoever decides for them. Every person referred, unless an
    /// `exception` is recorded.
    pub consent_for: BTreeSet<PersonId>,
    /// The groups of data shared with the organisation (at least one).
    pub shared: BTreeSet<DataGroup>,
    /// Days the organisation has to answer (1 to 90).
    pub answer_within_days: u16,
    /// What is asked, for the organisation.
    pub note: Option<LongText>,
    /// Referred without everyone's consent, on a ground the programme allows: the
    /// referral waits for a second person's approval before anything is sent.
    #[serde(default)]
    pub exception: Option<ConsentException>,
}

snake_enum!(
    /// Where a referral stands.
    pub enum ReferralStatus {
        /// Made without everyone's consent: waits for a second person's approval; nothing
        /// is sent meanwhile.
        PendingApproval,
        /// Sent, not answered.
        Sent,
        Accepted,
        Declined,
        InProgress,
        /// The service was delivered.
        Delivered,
        /// Finished: after delivery or a decline.
        Closed,
        /// Withdrawn by the sender (the person's consent withdrawn, or no longer needed).
        Revoked,
    }
);

impl ReferralStatus {
    pub const ALL: [ReferralStatus; 8] = [
        ReferralStatus::PendingApproval,
        ReferralStatus::Sent,
        ReferralStatus::Accepted,
        ReferralStatus::Declined,
        ReferralStatus::InProgress,
        ReferralStatus::Delivered,
        ReferralStatus::Closed,
        ReferralStatus::Revoked,
    ];

    /// Still waiting for the organisation to act.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            ReferralStatus::PendingApproval
                | ReferralStatus::Sent
                | ReferralStatus::Accepted
                | ReferralStatus::InProgress
        )
    }

    /// The text a step to this status carries, by its field's name in requests: why it
    /// was declined or revoked (`reason`), what was delivered (`what`).
    pub fn text_needed(self) -> Option<&'static str> {
        match self {
            ReferralStatus::Declined | ReferralStatus::Revoked => Some("reason"),
            ReferralStatus::Delivered => Some("what"),
            _ => None,
        }
    }

    /// Nothing follows.
    pub fn is_final(self) -> bool {
        matches!(self, ReferralStatus::Closed | ReferralStatus::Revoked)
    }

    /// The one table of which step may follow which: the statuses from which a step
    /// leads to this one.
    pub fn reached_from(self) -> &'static [ReferralStatus] {
        use ReferralStatus::*;
        match self {
            // A decision, not a step (`ExceptionDecision`), sends a pending referral.
            PendingApproval | Sent => &[],
            Accepted | Declined => &[Sent],
            InProgress => &[Accepted],
            Delivered => &[Accepted, InProgress],
            Closed => &[Delivered, Declined],
            Revoked => &[PendingApproval, Sent, Accepted, InProgress],
        }
    }

    /// Reached by the organisation's own step (accepting, declining, starting,
    /// delivering); closing and revoking are the sender's.
    pub fn is_organisations_step(self) -> bool {
        matches!(
            self,
            ReferralStatus::Accepted
                | ReferralStatus::Declined
                | ReferralStatus::InProgress
                | ReferralStatus::Delivered
        )
    }

    /// The organisation's steps that may follow this status.
    pub fn organisations_next(self) -> Vec<ReferralStatus> {
        ReferralStatus::ALL
            .into_iter()
            .filter(|s| s.is_organisations_step() && s.reached_from().contains(&self))
            .collect()
    }
}

snake_enum!(
    /// How a referral ended, or where it stands, as the figures count it.
    pub enum ReferralOutcome {
        /// Made without consent, waiting for a second person.
        AwaitingApproval,
        /// Sent, not answered.
        Waiting,
        /// Accepted or in progress.
        InHand,
        /// The service was delivered (closed or not).
        Delivered,
        /// The organisation declined (closed or not).
        Declined,
        /// Revoked by the sender, or refused before it was sent.
        Withdrawn,
    }
);

impl ReferralOutcome {
    pub const ALL: [ReferralOutcome; 6] = [
        ReferralOutcome::AwaitingApproval,
        ReferralOutcome::Waiting,
        ReferralOutcome::InHand,
        ReferralOutcome::Delivered,
        ReferralOutcome::Declined,
        ReferralOutcome::Withdrawn,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ReferralOutcome::AwaitingApproval => "awaiting_approval",
            ReferralOutcome::Waiting => "waiting",
            ReferralOutcome::InHand => "in_hand",
            ReferralOutcome::Delivered => "delivered",
            ReferralOutcome::Declined => "declined",
            ReferralOutcome::Withdrawn => "withdrawn",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.code() == code)
    }
}

/// A step of a referral after it was sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "step")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ReferralStep {
    /// The organisation takes the referral.
    Accepted,
    /// The organisation does not take it, and why.
    Declined { reason: LongText },
    /// The service has started.
    InProgress,
    /// The service was delivered: what.
    Delivered { what: LongText },
    /// The sender closes a referral delivered or declined.
    Closed,
    /// The sender withdraws the referral, and why.
    Revoked { reason: LongText },
}

impl ReferralStep {
    /// A step the organisation takes (accept, decline, start, deliver); closing and
    /// revoking are the sender's.
    pub fn is_organisations(&self) -> bool {
        self.status().is_organisations_step()
    }

    /// The status the step leads to.
    pub fn status(&self) -> ReferralStatus {
        match self {
            ReferralStep::Accepted => ReferralStatus::Accepted,
            ReferralStep::Declined { .. } => ReferralStatus::Declined,
            ReferralStep::InProgress => ReferralStatus::InProgress,
            ReferralStep::Delivered { .. } => ReferralStatus::Delivered,
            ReferralStep::Closed => ReferralStatus::Closed,
            ReferralStep::Revoked { .. } => ReferralStatus::Revoked,
        }
    }

    /// The statuses this step may follow.
    pub fn follows(&self) -> &'static [ReferralStatus] {
        self.status().reached_from()
    }
}

/// A step of a referral, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReferralUpdate {
    pub referral_id: ReferralId,
    #[serde(flatten)]
    pub step: ReferralStep,
    pub note: Option<LongText>,
    /// The person or body who receives the people referred at arrival, as the
    /// organisation names them (a child is handed over to someone named).
    #[serde(default)]
    pub receiver: Option<ShortText>,
    /// Who at the organisation answered, as they gave their name (on an answer through a
    /// referral's single-use link, where no account says who).
    #[serde(default)]
    pub answered_by: Option<ShortText>,
}

/// A step as it happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReferralStepRecord {
    pub at: DateTime<Utc>,
    pub by: UserId,
    pub step: ReferralStep,
    pub note: Option<LongText>,
    /// Who at the organisation answered, when they named themselves.
    #[serde(default)]
    pub answered_by: Option<ShortText>,
}

/// Whether a referral waits for an answer, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "answer")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum AnswerStatus {
    /// Answered (or no longer waiting).
    Answered,
    /// Waiting, its time not yet passed.
    Waiting { due: NaiveDate },
    /// Its time has passed.
    Overdue { due: NaiveDate },
    /// Twice its time has passed: raised with the programme manager.
    Escalated { due: NaiveDate },
}

/// A referral of the case and its steps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReferralRecord {
    pub request: ReferralRequest,
    pub sent_at: DateTime<Utc>,
    pub sent_by: UserId,
    pub status: ReferralStatus,
    /// The steps after it was sent, in order.
    pub steps: Vec<ReferralStepRecord>,
    /// Who receives the people at arrival, as last named.
    pub receiver: Option<ShortText>,
    /// The second person's decision on a referral made without consent.
    #[serde(default)]
    pub exception_decision: Option<ExceptionDecisionRecord>,
}

impl ReferralRecord {
    /// Taken by the organisation: accepted, under way or delivered (and not declined or
    /// revoked since).
    pub fn is_taken(&self) -> bool {
        match self.status {
            ReferralStatus::Accepted | ReferralStatus::InProgress | ReferralStatus::Delivered => {
                true
            }
            ReferralStatus::Closed => self
                .steps
                .iter()
                .any(|s| matches!(s.step, ReferralStep::Delivered { .. })),
            _ => false,
        }
    }

    /// Whether the organisation was ever sent it: made with everyone's consent, or
    /// made without and approved. A refused or pending one never reached it.
    pub fn was_sent(&self) -> bool {
        self.request.exception.is_none()
            || self.exception_decision.as_ref().is_some_and(|d| d.approved)
    }

    /// How it ended, or where it stands: the one definition the figures count.
    pub fn outcome(&self) -> ReferralOutcome {
        use ReferralStatus as S;
        match self.status {
            S::PendingApproval => ReferralOutcome::AwaitingApproval,
            S::Sent => ReferralOutcome::Waiting,
            S::Accepted | S::InProgress => ReferralOutcome::InHand,
            S::Delivered => ReferralOutcome::Delivered,
            S::Declined => ReferralOutcome::Declined,
            S::Revoked => ReferralOutcome::Withdrawn,
            S::Closed if self.is_taken() => ReferralOutcome::Delivered,
            S::Closed => ReferralOutcome::Declined,
        }
    }

    /// Whole days from when it was sent to the organisation's first answer (accepting,
    /// declining, or delivering straight away); none before it answered.
    pub fn days_to_answer(&self) -> Option<i64> {
        let answered = self.steps.iter().find(|s| s.step.is_organisations())?;
        Some((answered.at.date_naive() - self.sent_on().date_naive()).num_days())
    }

    /// When the organisation was sent the referral: when it was made, or, made without
    /// consent, when the exception was approved.
    pub fn sent_on(&self) -> DateTime<Utc> {
        match &self.exception_decision {
            Some(d) if d.approved => d.at,
            _ => self.sent_at,
        }
    }

    /// The day the answer is due.
    pub fn answer_due(&self) -> NaiveDate {
        self.sent_on().date_naive() + Duration::days(i64::from(self.request.answer_within_days))
    }

    /// The day after which an unanswered referral is the programme manager's to chase:
    /// twice its time after it was sent.
    pub fn escalate_on(&self) -> NaiveDate {
        self.answer_due() + Duration::days(i64::from(self.request.answer_within_days))
    }

    /// When a single-use answer link issued at `issued` stops working: after the days the
    /// organisation has to answer, and never more than `LINK_MAX_DAYS`.
    pub fn link_expires(&self, issued: DateTime<Utc>) -> DateTime<Utc> {
        issued + Duration::days(i64::from(self.request.answer_within_days).min(LINK_MAX_DAYS))
    }

    /// Why no answer link is issued for this referral: it waits for nothing from the
    /// organisation (answered and under way is still a wait for delivery).
    pub fn link_violations(&self) -> Vec<crate::rules::Violation> {
        if self.status.organisations_next().is_empty() {
            vec![
                crate::rules::Violation::new(
                    "referral.link_not_needed",
                    format!(
                        "this referral is {}: it waits for nothing from the organisation",
                        self.status.code().replace('_', " ")
                    ),
                )
                .at("referral_id")
                .param("status", self.status.code()),
            ]
        } else {
            vec![]
        }
    }

    /// Whether an answer due on `due` is late on `today`: the day after its last day.
    /// The one comparison behind `answer_status`, the partners' lists and the queues' SQL.
    pub fn is_late(due: NaiveDate, today: NaiveDate) -> bool {
        today > due
    }

    /// The one definition of a referral waiting, overdue and escalated on `today`:
    /// overdue after its due day, escalated after `escalate_on`.
    pub fn answer_status(&self, today: NaiveDate) -> AnswerStatus {
        if self.status != ReferralStatus::Sent {
            return AnswerStatus::Answered;
        }
        let due = self.answer_due();
        let escalate = self.escalate_on();
        if Self::is_late(escalate, today) {
            AnswerStatus::Escalated { due }
        } else if Self::is_late(due, today) {
            AnswerStatus::Overdue { due }
        } else {
            AnswerStatus::Waiting { due }
        }
    }
}

/// A case's referrals, by id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Referrals {
    pub referrals: BTreeMap<ReferralId, ReferralRecord>,
}

impl Referrals {
    pub fn get(&self, id: ReferralId) -> Option<&ReferralRecord> {
        self.referrals.get(&id)
    }

    /// Referrals the organisation has not finished with, in the order they were sent.
    pub fn open(&self) -> impl Iterator<Item = &ReferralRecord> {
        let mut v: Vec<&ReferralRecord> = self
            .referrals
            .values()
            .filter(|r| r.status.is_open())
            .collect();
        v.sort_by_key(|r| r.sent_at);
        v.into_iter()
    }

    /// Whether any referral may still take a step (one not closed or revoked).
    pub fn any_unfinished(&self) -> bool {
        self.referrals.values().any(|r| !r.status.is_final())
    }

    pub(crate) fn apply(&mut self, meta: &EventMeta, event: &Event) {
        match event {
            Event::ReferralMade(r) => {
                self.referrals.insert(
                    r.referral_id,
                    ReferralRecord {
                        request: r.clone(),
                        sent_at: meta.occurred_at,
                        sent_by: meta.actor,
                        status: if r.exception.is_some() {
                            ReferralStatus::PendingApproval
                        } else {
                            ReferralStatus::Sent
                        },
                        steps: vec![],
                        receiver: None,
                        exception_decision: None,
                    },
                );
            }
            Event::ReferralExceptionDecided(d) => {
                if let Some(r) = self.referrals.get_mut(&d.referral_id) {
                    r.status = if d.approved {
                        ReferralStatus::Sent
                    } else {
                        ReferralStatus::Revoked
                    };
                    r.exception_decision = Some(ExceptionDecisionRecord {
                        at: meta.occurred_at,
                        by: meta.actor,
                        approved: d.approved,
                        reason: d.reason.clone(),
                    });
                }
            }
            Event::ReferralUpdated(u) => {
                if let Some(r) = self.referrals.get_mut(&u.referral_id) {
                    r.status = u.step.status();
                    if u.receiver.is_some() {
                        r.receiver = u.receiver.clone();
                    }
                    r.steps.push(ReferralStepRecord {
                        at: meta.occurred_at,
                        by: meta.actor,
                        step: u.step.clone(),
                        note: u.note.clone(),
                        answered_by: u.answered_by.clone(),
                    });
                }
            }
            _ => {}
        }
    }
}
