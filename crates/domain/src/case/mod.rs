//! The case: one household's return, from registration to closure.
//!
//! `decide` turns a command into events (or refuses it, naming every reason); `replay`
//! builds the state from events. Both are pure: the time is passed in.

/// A closed list of codes, written in snake case.
macro_rules! snake_enum {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        pub enum $name { $($(#[$vmeta])* $variant),* }
    };
}

pub mod catalogue;
pub mod commands;
mod decide;
pub mod events;
mod evolve;
pub mod guard;
pub mod monitoring;
pub mod next;
pub mod records;
pub mod referrals;
pub mod reintegration;
pub mod shared;
pub mod voluntariness;

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

pub use commands::{Assignee, Command, CommandKind, RegisterCase};
pub(crate) use decide::check_person;
pub use decide::{
    Context, MAX_ANSWER_DAYS, NOTHING_ELSEWHERE, allowed_stages, budget_limits,
    caseworker_violations, decide, may_commit_more, monitoring_unfinished, plan_cap,
    referral_target_violations, referrals_unfinished, register, reintegration_unfinished,
};
pub use events::{Event, EventMeta, RecordedEvent};
pub use evolve::ReplayError;

use crate::ids::{CaseId, DocumentId, EscortId, OfficeId, PersonId, ProgrammeId, UserId};
use crate::person::Member;
use crate::values::{CountryCode, LongText, ShortText};
use records::*;

/// Where a case is in its lifecycle (DESIGN.md, "The case lifecycle").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Stage {
    Registered,
    Counselling,
    Applied,
    Approved,
    Rejected,
    PreDeparture,
    ReadyToDepart,
    Departed,
    Arrived,
    Reintegration,
    Monitoring,
    Withdrawn,
    Closed,
}

impl Stage {
    pub const ALL: [Stage; 13] = [
        Stage::Registered,
        Stage::Counselling,
        Stage::Applied,
        Stage::Approved,
        Stage::Rejected,
        Stage::PreDeparture,
        Stage::ReadyToDepart,
        Stage::Departed,
        Stage::Arrived,
        Stage::Reintegration,
        Stage::Monitoring,
        Stage::Withdrawn,
        Stage::Closed,
    ];

    /// Approved, preparing the journey: a booked flight is the case's to catch.
    pub const PREPARING: [Stage; 3] = [Stage::Approved, Stage::PreDeparture, Stage::ReadyToDepart];

    /// Arrived and still supported or followed up.
    pub const AFTER_ARRIVAL: [Stage; 3] = [Stage::Arrived, Stage::Reintegration, Stage::Monitoring];

    /// Open and not yet departed: the stages from which a migrant can withdraw.
    pub fn is_active_before_departure(self) -> bool {
        matches!(
            self,
            Stage::Registered
                | Stage::Counselling
                | Stage::Applied
                | Stage::Approved
                | Stage::PreDeparture
                | Stage::ReadyToDepart
        )
    }

    /// The person has left the host country.
    pub fn is_after_departure(self) -> bool {
        matches!(
            self,
            Stage::Departed | Stage::Arrived | Stage::Reintegration | Stage::Monitoring
        )
    }

    pub fn code(self) -> &'static str {
        match self {
            Stage::Registered => "registered",
            Stage::Counselling => "counselling",
            Stage::Applied => "applied",
            Stage::Approved => "approved",
            Stage::Rejected => "rejected",
            Stage::PreDeparture => "pre_departure",
            Stage::ReadyToDepart => "ready_to_depart",
            Stage::Departed => "departed",
            Stage::Arrived => "arrived",
            Stage::Reintegration => "reintegration",
            Stage::Monitoring => "monitoring",
            Stage::Withdrawn => "withdrawn",
            Stage::Closed => "closed",
        }
    }

    pub fn from_code(code: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// A note as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NoteRecord {
    pub at: DateTime<Utc>,
    pub by: UserId,
    pub note: CaseNote,
}

/// A consent as it stands now for one person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsentState {
    pub given_by: ConsentGiver,
    pub given_at: DateTime<Utc>,
    pub information_session: crate::ids::SessionId,
    /// The proposal revision last consented to (by the consent or a re-confirmation).
    pub proposal_revision: u32,
    pub statement: Option<LongText>,
    pub withdrawn_at: Option<DateTime<Utc>>,
    pub withdrawal_words: Option<LongText>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionRecord {
    pub at: DateTime<Utc>,
    pub session: CounsellingSession,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Application {
    pub submitted_by: UserId,
    pub submitted_at: DateTime<Utc>,
    pub decided_by: Option<UserId>,
    pub decided_at: Option<DateTime<Utc>>,
    pub approved: Option<bool>,
    pub rejection_reason: Option<LongText>,
    /// The approver's comment on an approval.
    #[serde(default)]
    pub comment: Option<LongText>,
}

/// A member's withdrawal, in their own words if given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Withdrawal {
    pub at: DateTime<Utc>,
    pub own_words: Option<LongText>,
}

/// Dates that reports and lists need, as stated by users (`occurred_at`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KeyDates {
    pub registered: Option<DateTime<Utc>>,
    pub first_counselling: Option<DateTime<Utc>>,
    pub applied: Option<DateTime<Utc>>,
    pub decided: Option<DateTime<Utc>>,
    pub departed: Option<DateTime<Utc>>,
    pub arrived: Option<DateTime<Utc>>,
    pub withdrawn: Option<DateTime<Utc>>,
    pub closed: Option<DateTime<Utc>>,
}

/// The state of a case, rebuilt from its events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Case {
    pub id: CaseId,
    pub reference: ShortText,
    pub host_office: OfficeId,
    pub host_country: CountryCode,
    /// The office of the country of return, once assigned; it leads after arrival.
    pub return_office: Option<OfficeId>,
    pub programme: ProgrammeId,
    pub referral: Referral,
    pub stage: Stage,
    pub outcome: Option<Outcome>,
    pub members: Vec<Member>,
    pub removed_members: Vec<Member>,
    pub proposal: Proposal,
    /// Starts at 1; goes up whenever what the migrant consented to changes: the
    /// proposal, a booked itinerary replaced by another, or a no-show.
    pub proposal_revision: u32,
    pub sessions: Vec<SessionRecord>,
    pub consents: BTreeMap<PersonId, ConsentState>,
    pub capacity: BTreeMap<PersonId, CapacityAssessment>,
    pub best_interests: BTreeMap<PersonId, BestInterestsDetermination>,
    pub representatives: BTreeMap<PersonId, Representative>,
    pub screening: Option<Screening>,
    pub application: Option<Application>,
    pub health: BTreeMap<PersonId, HealthAssessment>,
    pub risk: BTreeMap<PersonId, RiskAssessment>,
    pub documents: BTreeMap<DocumentId, TravelDocument>,
    pub escorts: BTreeMap<EscortId, Escort>,
    pub shelters: Vec<Shelter>,
    pub itinerary: Option<Itinerary>,
    pub allowances: Vec<Allowance>,
    pub no_shows: u32,
    pub arrival: Option<Arrival>,
    /// After arrival: the needs assessment, the plan, its deliveries.
    pub reintegration: reintegration::Reintegration,
    /// After arrival: the follow-up schedule and the follow-ups.
    pub monitoring: monitoring::Monitoring,
    /// Referrals of the case's people to organisations, and their answers.
    pub referrals: referrals::Referrals,
    pub withdrawn_by: Option<PersonId>,
    /// Members who said they do not want to go, and have not consented since.
    pub withdrawals: BTreeMap<PersonId, Withdrawal>,
    /// When the last step of the lifecycle happened: a later step cannot be dated before it.
    pub last_step_at: Option<DateTime<Utc>>,
    pub dates: KeyDates,
    /// Whether it departed from a country of transit (fixed at departure); none before
    /// departure, and for departures confirmed before they were told apart.
    pub host_or_transit: Option<crate::stats::HostOrTransit>,
    /// The caseworker who owns the case: who registered it, from arrival who recorded the
    /// arrival, or whoever was assigned since.
    pub owner: Option<UserId>,
    /// General notes, in the order they were written (a corrected one keeps its place).
    pub notes: Vec<NoteRecord>,
    /// Flags raised by notes and not cleared since.
    pub flags: std::collections::BTreeSet<CaseFlag>,
    /// Number of events in the stream: the version a write must expect.
    pub version: u64,
}

impl Case {
    /// The survey a follow-up of this case on `on` asks under the programme's monitoring
    /// `rules` (`Monitoring::survey_asked`; the programme's own before arrival).
    pub fn survey_asked<'a>(
        &self,
        on: chrono::NaiveDate,
        rules: &'a crate::programme::MonitoringRules,
    ) -> Option<&'a str> {
        match self.dates.arrived {
            Some(arrived) => self
                .monitoring
                .survey_asked(arrived.date_naive(), on, rules),
            None => rules.survey.as_deref(),
        }
    }

    pub fn member(&self, id: PersonId) -> Option<&Member> {
        self.members.iter().find(|m| m.person_id == id)
    }

    pub fn principal(&self) -> Option<&Member> {
        self.members
            .iter()
            .find(|m| m.relationship == crate::person::Relationship::Principal)
    }

    /// The office that leads the case: the host office until arrival, then the office
    /// of the country of return (if one was assigned).
    pub fn lead_office(&self) -> OfficeId {
        match (self.dates.arrived, self.return_office) {
            (Some(_), Some(office)) => office,
            _ => self.host_office,
        }
    }

    /// Whether anyone in the case has been an adult on `on`.
    pub fn has_adult_on(&self, on: NaiveDate) -> bool {
        self.members
            .iter()
            .any(|m| m.details.date_of_birth.is_adult_on(on))
    }

    pub fn documents_of(&self, person: PersonId) -> impl Iterator<Item = &TravelDocument> {
        self.documents
            .values()
            .filter(move |d| d.person_id == person)
    }

    pub fn escorts_of(&self, person: PersonId) -> impl Iterator<Item = &Escort> {
        self.escorts
            .values()
            .filter(move |e| e.accompanies.contains(&person))
    }

    /// Rebuild a case from its events (see [`evolve`]).
    pub fn replay(events: &[RecordedEvent]) -> Result<Case, ReplayError> {
        evolve::replay(events)
    }

    /// This case, replayed from `history`, after the events `new` that follow it: equal
    /// to `Case::replay` of `history` and `new` together, and cheaper, since the history
    /// is not folded again unless a new event corrects an earlier one.
    pub fn advance(
        &self,
        history: &[RecordedEvent],
        new: &[RecordedEvent],
    ) -> Result<Case, ReplayError> {
        evolve::advance(self, history, new)
    }
}
