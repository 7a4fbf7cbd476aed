//! Commands: what a user asks to do to a case. [`super::decide`] accepts or refuses them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::events::Event;
use super::records::*;
use crate::ids::{CaseId, EscortId, OfficeId, PersonId, ProgrammeId};
use crate::person::{Member, PersonDetails};
use crate::values::{CountryCode, LongText, ShortText};

/// Registers a new case with its principal applicant and family members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterCase {
    pub case_id: CaseId,
    /// Allocated by the caller, unique per deployment (office code, year, sequence).
    pub reference: ShortText,
    pub host_office: OfficeId,
    pub host_country: CountryCode,
    pub programme: ProgrammeId,
    pub referral: Referral,
    pub proposal: Proposal,
    /// The principal applicant first (relationship `principal`), then the family.
    pub members: Vec<Member>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Command {
    AddMember(Member),
    RemoveMember {
        person_id: PersonId,
        reason: LongText,
    },
    UpdatePersonDetails {
        person_id: PersonId,
        details: PersonDetails,
    },
    RecordCounsellingSession(CounsellingSession),
    ScreenEligibility(ScreeningFacts),
    RecordConsent(ConsentDeclaration),
    ReconfirmConsent(ConsentReconfirmation),
    /// A member (or their representative) withdraws. When the principal applicant
    /// withdraws, or `whole_case` is set, the whole case is withdrawn.
    Withdraw {
        person_id: PersonId,
        own_words: Option<LongText>,
        whole_case: bool,
    },
    Reopen {
        reason: LongText,
    },
    AssessCapacity(CapacityAssessment),
    DetermineBestInterests(BestInterestsDetermination),
    AppointRepresentative(Representative),
    SubmitApplication,
    ApproveApplication,
    RejectApplication {
        reason: LongText,
    },
    ChangeProposal(Proposal),
    AssignReturnOffice(OfficeRef),
    RecordHealthAssessment(HealthAssessment),
    RecordRiskAssessment(RiskAssessment),
    RecordTravelDocument(TravelDocument),
    AssignEscort(Escort),
    ReleaseEscort {
        escort_id: EscortId,
        reason: Option<ShortText>,
    },
    ArrangeShelter(Shelter),
    SetItinerary(Itinerary),
    PayAllowance(Allowance),
    MarkReadyToDepart,
    ConfirmDeparture,
    RecordNoShow {
        reason: Option<LongText>,
    },
    RecordArrival(Arrival),
    StartReintegration,
    StartMonitoring,
    Close {
        outcome: Outcome,
        note: Option<LongText>,
    },
    Correct {
        /// The version of the event to correct.
        corrects: u64,
        /// When the corrected event really happened; unchanged when absent.
        occurred_at: Option<DateTime<Utc>>,
        replacement: Box<Event>,
        reason: LongText,
    },
}

impl Command {
    /// A stable name, used in the audit log and in authorisation.
    pub fn name(&self) -> &'static str {
        match self {
            Command::AddMember(_) => "add_member",
            Command::RemoveMember { .. } => "remove_member",
            Command::UpdatePersonDetails { .. } => "update_person_details",
            Command::RecordCounsellingSession(_) => "record_counselling_session",
            Command::ScreenEligibility(_) => "screen_eligibility",
            Command::RecordConsent(_) => "record_consent",
            Command::ReconfirmConsent(_) => "reconfirm_consent",
            Command::Withdraw { .. } => "withdraw",
            Command::Reopen { .. } => "reopen",
            Command::AssessCapacity(_) => "assess_capacity",
            Command::DetermineBestInterests(_) => "determine_best_interests",
            Command::AppointRepresentative(_) => "appoint_representative",
            Command::SubmitApplication => "submit_application",
            Command::ApproveApplication => "approve_application",
            Command::RejectApplication { .. } => "reject_application",
            Command::ChangeProposal(_) => "change_proposal",
            Command::AssignReturnOffice(_) => "assign_return_office",
            Command::RecordHealthAssessment(_) => "record_health_assessment",
            Command::RecordRiskAssessment(_) => "record_risk_assessment",
            Command::RecordTravelDocument(_) => "record_travel_document",
            Command::AssignEscort(_) => "assign_escort",
            Command::ReleaseEscort { .. } => "release_escort",
            Command::ArrangeShelter(_) => "arrange_shelter",
            Command::SetItinerary(_) => "set_itinerary",
            Command::PayAllowance(_) => "pay_allowance",
            Command::MarkReadyToDepart => "mark_ready_to_depart",
            Command::ConfirmDeparture => "confirm_departure",
            Command::RecordNoShow { .. } => "record_no_show",
            Command::RecordArrival(_) => "record_arrival",
            Command::StartReintegration => "start_reintegration",
            Command::StartMonitoring => "start_monitoring",
            Command::Close { .. } => "close",
            Command::Correct { .. } => "correct",
        }
    }
}
