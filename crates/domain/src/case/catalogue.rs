//! Every lifecycle command, declared once: its name (in routes, forms and the audit),
//! what it is called in a refusal, who may issue it and in which stages. The rules that
//! ask these questions (`access::roles_for`, `decide::allowed_stages`) read them here.

use super::{CommandKind, Stage};
use crate::access::Role;

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

impl CommandKind {
    /// What is declared of it.
    pub fn spec(self) -> Spec {
        use CommandKind::*;
        use Role::*;
        match self {
            AddMember => Spec {
                name: "add_member",
                doing: "adding a member",
                roles: &[Counsellor],
                stages: &BEFORE_DEPARTURE,
            },
            RemoveMember => Spec {
                name: "remove_member",
                doing: "removing a member",
                roles: &[Counsellor],
                stages: &BEFORE_DEPARTURE,
            },
            UpdatePersonDetails => Spec {
                name: "update_person_details",
                doing: "updating a person",
                roles: &[Counsellor, ReintegrationOfficer],
                stages: &OPEN,
            },
            RecordCounsellingSession => Spec {
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
            ScreenEligibility => Spec {
                name: "screen_eligibility",
                doing: "eligibility screening",
                roles: &[Counsellor],
                stages: &BEFORE_DEPARTURE,
            },
            RecordConsent => Spec {
                name: "record_consent",
                doing: "recording consent",
                roles: &[Counsellor],
                stages: &COUNSELLED,
            },
            ReconfirmConsent => Spec {
                name: "reconfirm_consent",
                doing: "re-confirming consent",
                roles: &[Counsellor],
                stages: &COUNSELLED,
            },
            Withdraw => Spec {
                name: "withdraw",
                doing: "withdrawal",
                roles: &[Counsellor, MovementOfficer],
                stages: &BEFORE_DEPARTURE,
            },
            Reopen => Spec {
                name: "reopen",
                doing: "re-opening",
                roles: &[Counsellor],
                stages: &[Withdrawn],
            },
            AssessCapacity => Spec {
                name: "assess_capacity",
                doing: "a capacity assessment",
                roles: &[Counsellor],
                stages: &BEFORE_DEPARTURE,
            },
            DetermineBestInterests => Spec {
                name: "determine_best_interests",
                doing: "a best-interests determination",
                roles: &[Counsellor],
                stages: &BEFORE_DEPARTURE,
            },
            AppointRepresentative => Spec {
                name: "appoint_representative",
                doing: "recording a representative",
                roles: &[Counsellor],
                stages: &BEFORE_DEPARTURE,
            },
            SubmitApplication => Spec {
                name: "submit_application",
                doing: "submitting the application",
                roles: &[Counsellor],
                stages: &[Counselling],
            },
            ApproveApplication => Spec {
                name: "approve_application",
                doing: "deciding on the application",
                roles: &[Approver],
                stages: &[Applied],
            },
            RejectApplication => Spec {
                name: "reject_application",
                doing: "deciding on the application",
                roles: &[Approver],
                stages: &[Applied],
            },
            ChangeProposal => Spec {
                name: "change_proposal",
                doing: "changing the proposal",
                roles: &[Counsellor],
                stages: &BEFORE_DEPARTURE,
            },
            AssignReturnOffice => Spec {
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
            RecordHealthAssessment => Spec {
                name: "record_health_assessment",
                doing: "a health assessment",
                roles: &[MedicalOfficer],
                stages: &COUNSELLED,
            },
            RecordRiskAssessment => Spec {
                name: "record_risk_assessment",
                doing: "a risk assessment",
                roles: &[Counsellor],
                stages: &COUNSELLED,
            },
            RecordTravelDocument => Spec {
                name: "record_travel_document",
                doing: "recording a document",
                roles: &[MovementOfficer],
                stages: &BEFORE_DEPARTURE,
            },
            AssignEscort => Spec {
                name: "assign_escort",
                doing: "assigning an escort",
                roles: &[MovementOfficer],
                stages: &PREPARING,
            },
            ReleaseEscort => Spec {
                name: "release_escort",
                doing: "releasing an escort",
                roles: &[MovementOfficer],
                stages: &PREPARING,
            },
            ArrangeShelter => Spec {
                name: "arrange_shelter",
                doing: "arranging shelter",
                roles: &[MovementOfficer],
                stages: &BEFORE_DEPARTURE,
            },
            SetItinerary => Spec {
                name: "set_itinerary",
                doing: "booking an itinerary",
                roles: &[MovementOfficer],
                stages: &PREPARING,
            },
            PayAllowance => Spec {
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
            MarkReadyToDepart => Spec {
                name: "mark_ready_to_depart",
                doing: "marking the case ready to depart",
                roles: &[MovementOfficer],
                stages: &[Approved, PreDeparture],
            },
            ConfirmDeparture => Spec {
                name: "confirm_departure",
                doing: "confirming departure",
                roles: &[MovementOfficer],
                stages: &[ReadyToDepart],
            },
            RecordNoShow => Spec {
                name: "record_no_show",
                doing: "recording a no-show",
                roles: &[MovementOfficer],
                stages: &[ReadyToDepart],
            },
            RecordArrival => Spec {
                name: "record_arrival",
                doing: "recording arrival",
                roles: &[ReintegrationOfficer],
                stages: &[Departed],
            },
            StartReintegration => Spec {
                name: "start_reintegration",
                doing: "starting reintegration",
                roles: &[ReintegrationOfficer],
                stages: &[Arrived],
            },
            StartMonitoring => Spec {
                name: "start_monitoring",
                doing: "starting monitoring",
                roles: &[ReintegrationOfficer, MonitoringOfficer],
                stages: &[Arrived, Reintegration],
            },
            RecordNeeds => Spec {
                name: "record_needs",
                doing: "recording the needs assessment",
                roles: &[ReintegrationOfficer],
                stages: &AFTER_ARRIVAL,
            },
            DraftPlan => Spec {
                name: "draft_plan",
                doing: "drafting the reintegration plan",
                roles: &[ReintegrationOfficer],
                stages: &AFTER_ARRIVAL,
            },
            RespondToPlan => Spec {
                name: "respond_to_plan",
                doing: "recording the returnee's answer to the plan",
                roles: &[ReintegrationOfficer],
                stages: &REINTEGRATING,
            },
            ApprovePlan => Spec {
                name: "approve_plan",
                doing: "deciding on the reintegration plan",
                roles: &[Approver],
                stages: &REINTEGRATING,
            },
            ReturnPlan => Spec {
                name: "return_plan",
                doing: "deciding on the reintegration plan",
                roles: &[Approver],
                stages: &REINTEGRATING,
            },
            DeclineAssistance => Spec {
                name: "decline_assistance",
                doing: "recording that assistance is declined",
                roles: &[ReintegrationOfficer, MonitoringOfficer],
                stages: &AFTER_ARRIVAL,
            },
            RecordDelivery => Spec {
                name: "record_delivery",
                doing: "recording a delivery",
                roles: &[ReintegrationOfficer],
                stages: &REINTEGRATING,
            },
            CountersignDelivery => Spec {
                name: "countersign_delivery",
                doing: "countersigning a delivery",
                roles: &[Approver, ReintegrationOfficer],
                stages: &REINTEGRATING,
            },
            ReverseDelivery => Spec {
                name: "reverse_delivery",
                doing: "reversing a delivery",
                roles: &[ReintegrationOfficer, Approver],
                stages: &REINTEGRATING,
            },
            CloseItem => Spec {
                name: "close_item",
                doing: "closing a plan item",
                roles: &[ReintegrationOfficer],
                stages: &REINTEGRATING,
            },
            RecordFollowUp => Spec {
                name: "record_follow_up",
                doing: "recording a follow-up",
                roles: &[ReintegrationOfficer, MonitoringOfficer],
                stages: &AFTER_ARRIVAL,
            },
            AssignCaseworker => Spec {
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
            AddNote => Spec {
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
            MakeReferral => Spec {
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
            UpdateReferral => Spec {
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
            DecideReferralException => Spec {
                name: "decide_referral_exception",
                doing: "deciding on a referral made without consent",
                roles: &[Approver],
                stages: &Stage::ALL,
            },
            Close => Spec {
                name: "close",
                doing: "closing",
                roles: &[Counsellor, ReintegrationOfficer, MonitoringOfficer],
                stages: &OPEN,
            },
            Correct => Spec {
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
    }
}
