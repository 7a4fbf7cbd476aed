//! Commands: what a user asks to do to a case. [`super::decide`] accepts or refuses them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::events::Event;
use super::monitoring::FollowUp;
use super::records::*;
use super::reintegration::{Decline, Delivery, NeedsAssessment, PlanDraft, PlanResponse};
use crate::ids::{CaseId, DeliveryId, EscortId, OfficeId, PersonId, PlanItemId, ProgrammeId};
use crate::person::{Member, PersonDetails};
use crate::values::{CountryCode, LongText, ShortText};

/// A user to be a case's caseworker, as the caller found them in the directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignee {
    pub user_id: crate::ids::UserId,
    /// The offices they work in.
    pub offices: Vec<OfficeId>,
    /// Whether a role of theirs works on cases (not an administrator, donor, auditor or
    /// partner), and the account is active.
    pub works_on_cases: bool,
}

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
    ApproveApplication {
        /// What the approver wants on record with the decision (conditions, what was
        /// checked); none if nothing.
        comment: Option<LongText>,
    },
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
    RecordNeeds(NeedsAssessment),
    /// A new version of the reintegration plan; it replaces a draft not yet approved.
    DraftPlan(PlanDraft),
    RespondToPlan(PlanResponse),
    ApprovePlan {
        version: u32,
        comment: Option<LongText>,
    },
    /// The approver sends a draft back, with a reason.
    ReturnPlan {
        version: u32,
        reason: LongText,
    },
    DeclineAssistance(Decline),
    RecordDelivery(Delivery),
    /// The second signature a delivery above the programme's threshold needs.
    CountersignDelivery {
        delivery_id: DeliveryId,
    },
    /// A correction of a delivery: it stays in the record, reversed, with the reason.
    ReverseDelivery {
        delivery_id: DeliveryId,
        reason: LongText,
    },
    /// An item of the plan in force will not be delivered (further), with the reason.
    CloseItem {
        item_id: PlanItemId,
        reason: LongText,
    },
    /// A visit, call or interview after arrival, and whether it reached the returnee.
    RecordFollowUp(FollowUp),
    /// Makes a user the case's caseworker (resolved by the caller: their offices and
    /// whether a role of theirs works on cases).
    AssignCaseworker(Assignee),
    /// A general note, perhaps raising or clearing a flag.
    AddNote(CaseNote),
    /// Refers people of the case to an organisation for one need, with their consent.
    MakeReferral(super::referrals::ReferralRequest),
    /// Records a step of a referral: the organisation's answer, progress, delivery; the
    /// sender's closing or revoking it.
    UpdateReferral(super::referrals::ReferralUpdate),
    /// A second person approves or refuses a referral made without consent.
    DecideReferralException(super::referrals::ExceptionDecision),
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

/// What kind of command: for rules that depend on the kind, not on the payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommandKind {
    AddMember,
    RemoveMember,
    UpdatePersonDetails,
    RecordCounsellingSession,
    ScreenEligibility,
    RecordConsent,
    ReconfirmConsent,
    Withdraw,
    Reopen,
    AssessCapacity,
    DetermineBestInterests,
    AppointRepresentative,
    SubmitApplication,
    ApproveApplication,
    RejectApplication,
    ChangeProposal,
    AssignReturnOffice,
    RecordHealthAssessment,
    RecordRiskAssessment,
    RecordTravelDocument,
    AssignEscort,
    ReleaseEscort,
    ArrangeShelter,
    SetItinerary,
    PayAllowance,
    MarkReadyToDepart,
    ConfirmDeparture,
    RecordNoShow,
    RecordArrival,
    StartReintegration,
    StartMonitoring,
    RecordNeeds,
    DraftPlan,
    RespondToPlan,
    ApprovePlan,
    ReturnPlan,
    DeclineAssistance,
    RecordDelivery,
    CountersignDelivery,
    ReverseDelivery,
    CloseItem,
    RecordFollowUp,
    AssignCaseworker,
    AddNote,
    MakeReferral,
    UpdateReferral,
    DecideReferralException,
    Close,
    Correct,
}

impl CommandKind {
    pub const ALL: [CommandKind; 49] = [
        CommandKind::AddMember,
        CommandKind::RemoveMember,
        CommandKind::UpdatePersonDetails,
        CommandKind::RecordCounsellingSession,
        CommandKind::ScreenEligibility,
        CommandKind::RecordConsent,
        CommandKind::ReconfirmConsent,
        CommandKind::Withdraw,
        CommandKind::Reopen,
        CommandKind::AssessCapacity,
        CommandKind::DetermineBestInterests,
        CommandKind::AppointRepresentative,
        CommandKind::SubmitApplication,
        CommandKind::ApproveApplication,
        CommandKind::RejectApplication,
        CommandKind::ChangeProposal,
        CommandKind::AssignReturnOffice,
        CommandKind::RecordHealthAssessment,
        CommandKind::RecordRiskAssessment,
        CommandKind::RecordTravelDocument,
        CommandKind::AssignEscort,
        CommandKind::ReleaseEscort,
        CommandKind::ArrangeShelter,
        CommandKind::SetItinerary,
        CommandKind::PayAllowance,
        CommandKind::MarkReadyToDepart,
        CommandKind::ConfirmDeparture,
        CommandKind::RecordNoShow,
        CommandKind::RecordArrival,
        CommandKind::StartReintegration,
        CommandKind::StartMonitoring,
        CommandKind::RecordNeeds,
        CommandKind::DraftPlan,
        CommandKind::RespondToPlan,
        CommandKind::ApprovePlan,
        CommandKind::ReturnPlan,
        CommandKind::DeclineAssistance,
        CommandKind::RecordDelivery,
        CommandKind::CountersignDelivery,
        CommandKind::ReverseDelivery,
        CommandKind::CloseItem,
        CommandKind::RecordFollowUp,
        CommandKind::AssignCaseworker,
        CommandKind::AddNote,
        CommandKind::MakeReferral,
        CommandKind::UpdateReferral,
        CommandKind::DecideReferralException,
        CommandKind::Close,
        CommandKind::Correct,
    ];

    /// A stable name, used in the audit log and by interfaces.
    pub fn name(self) -> &'static str {
        self.spec().name
    }

    pub fn from_name(name: &str) -> Option<CommandKind> {
        CommandKind::ALL.into_iter().find(|k| k.name() == name)
    }
}

impl Command {
    pub fn kind(&self) -> CommandKind {
        match self {
            Command::AddMember(_) => CommandKind::AddMember,
            Command::RemoveMember { .. } => CommandKind::RemoveMember,
            Command::UpdatePersonDetails { .. } => CommandKind::UpdatePersonDetails,
            Command::RecordCounsellingSession(_) => CommandKind::RecordCounsellingSession,
            Command::ScreenEligibility(_) => CommandKind::ScreenEligibility,
            Command::RecordConsent(_) => CommandKind::RecordConsent,
            Command::ReconfirmConsent(_) => CommandKind::ReconfirmConsent,
            Command::Withdraw { .. } => CommandKind::Withdraw,
            Command::Reopen { .. } => CommandKind::Reopen,
            Command::AssessCapacity(_) => CommandKind::AssessCapacity,
            Command::DetermineBestInterests(_) => CommandKind::DetermineBestInterests,
            Command::AppointRepresentative(_) => CommandKind::AppointRepresentative,
            Command::SubmitApplication => CommandKind::SubmitApplication,
            Command::ApproveApplication { .. } => CommandKind::ApproveApplication,
            Command::RejectApplication { .. } => CommandKind::RejectApplication,
            Command::ChangeProposal(_) => CommandKind::ChangeProposal,
            Command::AssignReturnOffice(_) => CommandKind::AssignReturnOffice,
            Command::RecordHealthAssessment(_) => CommandKind::RecordHealthAssessment,
            Command::RecordRiskAssessment(_) => CommandKind::RecordRiskAssessment,
            Command::RecordTravelDocument(_) => CommandKind::RecordTravelDocument,
            Command::AssignEscort(_) => CommandKind::AssignEscort,
            Command::ReleaseEscort { .. } => CommandKind::ReleaseEscort,
            Command::ArrangeShelter(_) => CommandKind::ArrangeShelter,
            Command::SetItinerary(_) => CommandKind::SetItinerary,
            Command::PayAllowance(_) => CommandKind::PayAllowance,
            Command::MarkReadyToDepart => CommandKind::MarkReadyToDepart,
            Command::ConfirmDeparture => CommandKind::ConfirmDeparture,
            Command::RecordNoShow { .. } => CommandKind::RecordNoShow,
            Command::RecordArrival(_) => CommandKind::RecordArrival,
            Command::StartReintegration => CommandKind::StartReintegration,
            Command::StartMonitoring => CommandKind::StartMonitoring,
            Command::RecordNeeds(_) => CommandKind::RecordNeeds,
            Command::DraftPlan(_) => CommandKind::DraftPlan,
            Command::RespondToPlan(_) => CommandKind::RespondToPlan,
            Command::ApprovePlan { .. } => CommandKind::ApprovePlan,
            Command::ReturnPlan { .. } => CommandKind::ReturnPlan,
            Command::DeclineAssistance(_) => CommandKind::DeclineAssistance,
            Command::RecordDelivery(_) => CommandKind::RecordDelivery,
            Command::CountersignDelivery { .. } => CommandKind::CountersignDelivery,
            Command::ReverseDelivery { .. } => CommandKind::ReverseDelivery,
            Command::CloseItem { .. } => CommandKind::CloseItem,
            Command::RecordFollowUp(_) => CommandKind::RecordFollowUp,
            Command::AssignCaseworker(_) => CommandKind::AssignCaseworker,
            Command::AddNote(_) => CommandKind::AddNote,
            Command::MakeReferral(_) => CommandKind::MakeReferral,
            Command::UpdateReferral(_) => CommandKind::UpdateReferral,
            Command::DecideReferralException(_) => CommandKind::DecideReferralException,
            Command::Close { .. } => CommandKind::Close,
            Command::Correct { .. } => CommandKind::Correct,
        }
    }

    /// A stable name, used in the audit log and in authorisation.
    pub fn name(&self) -> &'static str {
        self.kind().name()
    }
}
