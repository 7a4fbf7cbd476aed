//! Every lifecycle command, declared once, in the order a case usually meets them: its
//! payload, its name (in routes, forms and the audit), what it is called in a refusal,
//! who may issue it and in which stages. `Command`, `CommandKind` (with `ALL` in this
//! order, which the web's steps follow), `Command::kind` and `CommandKind::spec` are
//! made from this one list. The rules that ask these questions (`access::roles_for`,
//! `decide::allowed_stages`) read them here.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Stage;
use super::commands::Assignee;
use super::events::Event;
use super::monitoring::FollowUp;
use super::records::*;
use super::reintegration::{Decline, Delivery, NeedsAssessment, PlanDraft, PlanResponse};
use crate::access::Role;
use crate::ids::{DeliveryId, EscortId, PersonId, PlanItemId};
use crate::person::{Member, PersonDetails};
use crate::values::{LongText, ShortText};

/// What is declared of a command.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    /// Its name: in the API's and the forms' paths (dashes for underscores), the audit.
    pub name: &'static str,
    /// How a refusal names it: "the case's stage does not allow {doing}".
    pub doing: &'static str,
    /// The roles that may issue it (in the office that leads the case).
    pub roles: &'static [Role],
    /// The stages in which it may be issued.
    pub stages: &'static [Stage],
}

use Stage::*;

/// Before departure, the case still open.
const BEFORE_DEPARTURE: [Stage; 6] = [
    Registered,
    Counselling,
    Applied,
    Approved,
    PreDeparture,
    ReadyToDepart,
];

/// Counselled, and not departed.
const COUNSELLED: [Stage; 5] = [Counselling, Applied, Approved, PreDeparture, ReadyToDepart];

/// Approved, preparing the journey.
const PREPARING: [Stage; 3] = Stage::PREPARING;

/// Every stage but closed.
const OPEN: [Stage; 12] = [
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
];

/// Returned, before monitoring ends.
const AFTER_ARRIVAL: [Stage; 3] = Stage::AFTER_ARRIVAL;

/// While the plan is worked on and delivered.
const REINTEGRATING: [Stage; 2] = [Reintegration, Monitoring];

/// Declares every command: each `Variant(Payload)`, `Variant { fields }` or `Variant`,
/// then `=> { Spec's fields }`.
macro_rules! commands {
    ($(
        $(#[$doc:meta])*
        $name:ident
        $(($payload:ty))?
        $({ $($(#[$fdoc:meta])* $field:ident : $fty:ty),* $(,)? })?
        => { $($spec:tt)* }
    ),* $(,)?) => {
        /// What a user asks to do to a case. [`super::decide`] accepts or refuses it.
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        pub enum Command {
            $(
                $(#[$doc])*
                $name $(($payload))? $({ $($(#[$fdoc])* $field: $fty),* })?,
            )*
        }

        /// What kind of command: for rules that depend on the kind, not on the payload.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum CommandKind {
            $($name),*
        }

        /// How many kinds of command there are.
        const KINDS: usize = [$(stringify!($name)),*].len();

        impl CommandKind {
            /// Every kind, in the order a case usually meets them.
            pub const ALL: [CommandKind; KINDS] = [$(CommandKind::$name),*];

            /// What is declared of it.
            pub fn spec(self) -> Spec {
                use Role::*;
                match self {
                    $(CommandKind::$name => Spec { $($spec)* },)*
                }
            }
        }

        impl Command {
            pub fn kind(&self) -> CommandKind {
                match self {
                    $(Command::$name { .. } => CommandKind::$name,)*
                }
            }
        }
    };
}

commands! {
    RecordCounsellingSession(CounsellingSession) => {
        name: "record_counselling_session",
        doing: "recording a counselling session",
        roles: &[Counsellor],
        stages: &[
            Registered,
            Counselling,
            Applied,
            Approved,
            PreDeparture,
            ReadyToDepart,
            Arrived,
            Reintegration,
            Monitoring,
        ],
    },
    AddMember(Member) => {
        name: "add_member",
        doing: "adding a member",
        roles: &[Counsellor],
        stages: &BEFORE_DEPARTURE,
    },
    UpdatePersonDetails {
        person_id: PersonId,
        details: PersonDetails,
    } => {
        name: "update_person_details",
        doing: "updating a person",
        roles: &[Counsellor, ReintegrationOfficer],
        stages: &OPEN,
    },
    AppointRepresentative(Representative) => {
        name: "appoint_representative",
        doing: "recording a representative",
        roles: &[Counsellor],
        stages: &BEFORE_DEPARTURE,
    },
    AssessCapacity(CapacityAssessment) => {
        name: "assess_capacity",
        doing: "a capacity assessment",
        roles: &[Counsellor],
        stages: &BEFORE_DEPARTURE,
    },
    DetermineBestInterests(BestInterestsDetermination) => {
        name: "determine_best_interests",
        doing: "a best-interests determination",
        roles: &[Counsellor],
        stages: &BEFORE_DEPARTURE,
    },
    ScreenEligibility(ScreeningFacts) => {
        name: "screen_eligibility",
        doing: "eligibility screening",
        roles: &[Counsellor],
        stages: &BEFORE_DEPARTURE,
    },
    RecordConsent(ConsentDeclaration) => {
        name: "record_consent",
        doing: "recording consent",
        roles: &[Counsellor],
        stages: &COUNSELLED,
    },
    ReconfirmConsent(ConsentReconfirmation) => {
        name: "reconfirm_consent",
        doing: "re-confirming consent",
        roles: &[Counsellor],
        stages: &COUNSELLED,
    },
    RecordRiskAssessment(RiskAssessment) => {
        name: "record_risk_assessment",
        doing: "a risk assessment",
        roles: &[Counsellor],
        stages: &COUNSELLED,
    },
    SubmitApplication => {
        name: "submit_application",
        doing: "submitting the application",
        roles: &[Counsellor],
        stages: &[Counselling],
    },
    ApproveApplication {
        /// What the approver wants on record with the decision (conditions, what was
        /// checked); none if nothing.
        comment: Option<LongText>,
    } => {
        name: "approve_application",
        doing: "deciding on the application",
        roles: &[Approver],
        stages: &[Applied],
    },
    RejectApplication {
        reason: LongText,
    } => {
        name: "reject_application",
        doing: "deciding on the application",
        roles: &[Approver],
        stages: &[Applied],
    },
    ChangeProposal(Proposal) => {
        name: "change_proposal",
        doing: "changing the proposal",
        roles: &[Counsellor],
        stages: &BEFORE_DEPARTURE,
    },
    RecordHealthAssessment(HealthAssessment) => {
        name: "record_health_assessment",
        doing: "a health assessment",
        roles: &[MedicalOfficer],
        stages: &COUNSELLED,
    },
    RecordTravelDocument(TravelDocument) => {
        name: "record_travel_document",
        doing: "recording a document",
        roles: &[MovementOfficer],
        stages: &BEFORE_DEPARTURE,
    },
    AssignEscort(Escort) => {
        name: "assign_escort",
        doing: "assigning an escort",
        roles: &[MovementOfficer],
        stages: &PREPARING,
    },
    ReleaseEscort {
        escort_id: EscortId,
        reason: Option<ShortText>,
    } => {
        name: "release_escort",
        doing: "releasing an escort",
        roles: &[MovementOfficer],
        stages: &PREPARING,
    },
    ArrangeShelter(Shelter) => {
        name: "arrange_shelter",
        doing: "arranging shelter",
        roles: &[MovementOfficer],
        stages: &BEFORE_DEPARTURE,
    },
    SetItinerary(Itinerary) => {
        name: "set_itinerary",
        doing: "booking an itinerary",
        roles: &[MovementOfficer],
        stages: &PREPARING,
    },
    AssignReturnOffice(OfficeRef) => {
        name: "assign_return_office",
        doing: "assigning the office of return",
        roles: &[Counsellor, MovementOfficer],
        stages: &[
            Registered,
            Counselling,
            Applied,
            Approved,
            PreDeparture,
            ReadyToDepart,
            Departed,
        ],
    },
    PayAllowance(Allowance) => {
        name: "pay_allowance",
        doing: "paying an allowance",
        roles: &[MovementOfficer, ReintegrationOfficer],
        stages: &[
            Approved,
            PreDeparture,
            ReadyToDepart,
            Departed,
            Arrived,
            Reintegration,
        ],
    },
    MarkReadyToDepart => {
        name: "mark_ready_to_depart",
        doing: "marking the case ready to depart",
        roles: &[MovementOfficer],
        stages: &[Approved, PreDeparture],
    },
    ConfirmDeparture => {
        name: "confirm_departure",
        doing: "confirming departure",
        roles: &[MovementOfficer],
        stages: &[ReadyToDepart],
    },
    RecordNoShow {
        reason: Option<LongText>,
    } => {
        name: "record_no_show",
        doing: "recording a no-show",
        roles: &[MovementOfficer],
        stages: &[ReadyToDepart],
    },
    RecordArrival(Arrival) => {
        name: "record_arrival",
        doing: "recording arrival",
        roles: &[ReintegrationOfficer],
        stages: &[Departed],
    },
    RecordNeeds(NeedsAssessment) => {
        name: "record_needs",
        doing: "recording the needs assessment",
        roles: &[ReintegrationOfficer],
        stages: &AFTER_ARRIVAL,
    },
    StartReintegration => {
        name: "start_reintegration",
        doing: "starting reintegration",
        roles: &[ReintegrationOfficer],
        stages: &[Arrived],
    },
    /// A new version of the reintegration plan; it replaces a draft not yet approved.
    DraftPlan(PlanDraft) => {
        name: "draft_plan",
        doing: "drafting the reintegration plan",
        roles: &[ReintegrationOfficer],
        stages: &AFTER_ARRIVAL,
    },
    RespondToPlan(PlanResponse) => {
        name: "respond_to_plan",
        doing: "recording the returnee's answer to the plan",
        roles: &[ReintegrationOfficer],
        stages: &REINTEGRATING,
    },
    ApprovePlan {
        version: u32,
        comment: Option<LongText>,
    } => {
        name: "approve_plan",
        doing: "deciding on the reintegration plan",
        roles: &[Approver],
        stages: &REINTEGRATING,
    },
    /// The approver sends a draft back, with a reason.
    ReturnPlan {
        version: u32,
        reason: LongText,
    } => {
        name: "return_plan",
        doing: "deciding on the reintegration plan",
        roles: &[Approver],
        stages: &REINTEGRATING,
    },
    RecordDelivery(Delivery) => {
        name: "record_delivery",
        doing: "recording a delivery",
        roles: &[ReintegrationOfficer],
        stages: &REINTEGRATING,
    },
    /// The second signature a delivery above the programme's threshold needs.
    CountersignDelivery {
        delivery_id: DeliveryId,
    } => {
        name: "countersign_delivery",
        doing: "countersigning a delivery",
        roles: &[Approver, ReintegrationOfficer],
        stages: &REINTEGRATING,
    },
    /// A correction of a delivery: it stays in the record, reversed, with the reason.
    ReverseDelivery {
        delivery_id: DeliveryId,
        reason: LongText,
    } => {
        name: "reverse_delivery",
        doing: "reversing a delivery",
        roles: &[ReintegrationOfficer, Approver],
        stages: &REINTEGRATING,
    },
    /// An item of the plan in force will not be delivered (further), with the reason.
    CloseItem {
        item_id: PlanItemId,
        reason: LongText,
    } => {
        name: "close_item",
        doing: "closing a plan item",
        roles: &[ReintegrationOfficer],
        stages: &REINTEGRATING,
    },
    DeclineAssistance(Decline) => {
        name: "decline_assistance",
        doing: "recording that assistance is declined",
        roles: &[ReintegrationOfficer, MonitoringOfficer],
        stages: &AFTER_ARRIVAL,
    },
    StartMonitoring => {
        name: "start_monitoring",
        doing: "starting monitoring",
        roles: &[ReintegrationOfficer, MonitoringOfficer],
        stages: &[Arrived, Reintegration],
    },
    /// A visit, call or interview after arrival, and whether it reached the returnee.
    RecordFollowUp(FollowUp) => {
        name: "record_follow_up",
        doing: "recording a follow-up",
        roles: &[ReintegrationOfficer, MonitoringOfficer],
        stages: &AFTER_ARRIVAL,
    },
    /// Makes a user the case's caseworker (resolved by the caller: their offices and
    /// whether a role of theirs works on cases).
    AssignCaseworker(Assignee) => {
        name: "assign_caseworker",
        doing: "assigning a caseworker",
        roles: &[
            Counsellor,
            Approver,
            MovementOfficer,
            ReintegrationOfficer,
            MonitoringOfficer,
        ],
        stages: &OPEN,
    },
    /// A general note, perhaps raising or clearing a flag.
    AddNote(CaseNote) => {
        name: "add_note",
        doing: "adding a note",
        roles: &[
            Counsellor,
            Approver,
            MedicalOfficer,
            MovementOfficer,
            ReintegrationOfficer,
            MonitoringOfficer,
        ],
        // A closed case is reopened first: nothing is added to it.
        stages: &OPEN,
    },
    /// Refers people of the case to an organisation for one need, with their consent.
    MakeReferral(super::referrals::ReferralRequest) => {
        name: "make_referral",
        doing: "referring to an organisation",
        roles: &[
            Counsellor,
            MedicalOfficer,
            MovementOfficer,
            ReintegrationOfficer,
            MonitoringOfficer,
        ],
        stages: &OPEN,
    },
    /// Records a step of a referral: the organisation's answer, progress, delivery; the
    /// sender's closing or revoking it.
    UpdateReferral(super::referrals::ReferralUpdate) => {
        name: "update_referral",
        doing: "recording a referral's answer",
        roles: &[
            Counsellor,
            MedicalOfficer,
            MovementOfficer,
            ReintegrationOfficer,
            MonitoringOfficer,
        ],
        // A referral is answered, and closed, whatever became of the case.
        stages: &Stage::ALL,
    },
    /// A second person approves or refuses a referral made without consent.
    DecideReferralException(super::referrals::ExceptionDecision) => {
        name: "decide_referral_exception",
        doing: "deciding on a referral made without consent",
        roles: &[Approver],
        stages: &Stage::ALL,
    },
    /// A member (or their representative) withdraws. When the principal applicant
    /// withdraws, or `whole_case` is set, the whole case is withdrawn.
    Withdraw {
        person_id: PersonId,
        own_words: Option<LongText>,
        whole_case: bool,
    } => {
        name: "withdraw",
        doing: "withdrawal",
        roles: &[Counsellor, MovementOfficer],
        stages: &BEFORE_DEPARTURE,
    },
    RemoveMember {
        person_id: PersonId,
        reason: LongText,
    } => {
        name: "remove_member",
        doing: "removing a member",
        roles: &[Counsellor],
        stages: &BEFORE_DEPARTURE,
    },
    Reopen {
        reason: LongText,
    } => {
        name: "reopen",
        doing: "re-opening",
        roles: &[Counsellor],
        stages: &[Withdrawn],
    },
    Close {
        outcome: Outcome,
        note: Option<LongText>,
    } => {
        name: "close",
        doing: "closing",
        roles: &[Counsellor, ReintegrationOfficer, MonitoringOfficer],
        stages: &OPEN,
    },
    Correct {
        /// The version of the event to correct.
        corrects: u64,
        /// When the corrected event really happened; unchanged when absent.
        occurred_at: Option<DateTime<Utc>>,
        replacement: Box<Event>,
        reason: LongText,
    } => {
        name: "correct",
        doing: "a correction",
        roles: &[
            Counsellor,
            MedicalOfficer,
            MovementOfficer,
            ReintegrationOfficer,
            MonitoringOfficer,
        ],
        stages: &Stage::ALL,
    },
}
