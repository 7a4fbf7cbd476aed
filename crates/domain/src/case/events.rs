//! Events: what happened to a case. They are stored forever and never edited; a wrong
//! detail is set right by a [`Event::Corrected`] event that names the event it corrects.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::monitoring::FollowUp;
use super::records::*;
use super::reintegration::{Decline, Delivery, NeedsAssessment, PlanDraft, PlanResponse};
use crate::ids::{
    CaseId, DeliveryId, EscortId, OfficeId, PersonId, PlanItemId, ProgrammeId, UserId,
};
use crate::person::{Member, PersonDetails};
use crate::values::{CountryCode, LongText, Money, ShortText};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseRegistered {
    pub case_id: CaseId,
    pub reference: ShortText,
    pub host_office: OfficeId,
    pub host_country: CountryCode,
    pub programme: ProgrammeId,
    pub referral: Referral,
    pub proposal: Proposal,
}

/// Every event. The serialised form is `{"type": "...", "data": {...}}`; the type name
/// and the schema version of each type are stored beside it (see [`Event::kind`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Event {
    CaseRegistered(CaseRegistered),
    MemberAdded(Member),
    MemberRemoved {
        person_id: PersonId,
        reason: LongText,
    },
    PersonDetailsUpdated {
        person_id: PersonId,
        details: PersonDetails,
    },
    CounsellingSessionRecorded(CounsellingSession),
    EligibilityScreened(Screening),
    ConsentRecorded {
        declaration: ConsentDeclaration,
        /// The information session the consent rests on.
        information_session: crate::ids::SessionId,
        proposal_revision: u32,
    },
    ConsentReconfirmed {
        reconfirmation: ConsentReconfirmation,
        proposal_revision: u32,
    },
    ConsentWithdrawn {
        person_id: PersonId,
        /// The person's own words, if given.
        own_words: Option<LongText>,
    },
    CaseWithdrawn {
        person_id: PersonId,
    },
    CaseReopened {
        reason: LongText,
    },
    CapacityAssessed(CapacityAssessment),
    BestInterestsDetermined(BestInterestsDetermination),
    RepresentativeAppointed(Representative),
    ApplicationSubmitted,
    ApplicationApproved {
        /// The approver's comment; none in events of schema version 1, written before
        /// approvals took one.
        comment: Option<LongText>,
    },
    ApplicationRejected {
        reason: LongText,
    },
    ProposalChanged(Proposal),
    ReturnOfficeAssigned(OfficeRef),
    HealthAssessed(HealthAssessment),
    RiskAssessed(RiskAssessment),
    TravelDocumentRecorded(TravelDocument),
    EscortAssigned(Escort),
    EscortReleased {
        escort_id: EscortId,
        reason: Option<ShortText>,
    },
    ShelterArranged(Shelter),
    ItinerarySet(Itinerary),
    AllowancePaid(Allowance),
    MarkedReadyToDepart,
    DepartureConfirmed {
        /// From a country of transit or not, by the programme's settings when it was
        /// recorded;
        /// none in events of schema version 1, written before departures were told apart.
        host_or_transit: Option<crate::stats::HostOrTransit>,
    },
    NoShowRecorded {
        reason: Option<LongText>,
    },
    ArrivalRecorded(Arrival),
    ReintegrationStarted,
    MonitoringStarted,
    NeedsAssessed(NeedsAssessment),
    PlanDrafted {
        /// From 1, one more than the version before.
        version: u32,
        draft: PlanDraft,
        /// The sum of the items' values.
        total: Money,
        /// The programme's cap for this household; none without a package.
        cap: Option<Money>,
    },
    PlanResponded(PlanResponse),
    PlanApproved {
        version: u32,
        comment: Option<LongText>,
        /// Approved above the cap: the draft's exception, approved by a second person.
        above_cap: bool,
    },
    PlanReturned {
        version: u32,
        reason: LongText,
    },
    AssistanceDeclined(Decline),
    DeliveryRecorded {
        delivery: Delivery,
        /// Its worth in the plan's currency.
        value: Money,
        /// Above the programme's threshold: it counts once a second person signs.
        needs_second_signature: bool,
    },
    DeliveryCountersigned {
        delivery_id: DeliveryId,
    },
    DeliveryReversed {
        delivery_id: DeliveryId,
        reason: LongText,
    },
    PlanItemClosed {
        item_id: PlanItemId,
        reason: LongText,
    },
    /// The programme's follow-up schedule, fixed for this case at arrival (or when
    /// monitoring starts on a case that arrived without one).
    FollowUpsScheduled {
        schedule: Vec<crate::programme::FollowUpSlot>,
        lost_contact_after: u8,
    },
    FollowUpRecorded(FollowUp),
    /// The case's caseworker from now on (until then: who registered it, and from arrival
    /// who recorded the arrival).
    CaseworkerAssigned {
        user_id: UserId,
    },
    NoteAdded(CaseNote),
    ReferralMade(super::referrals::ReferralRequest),
    ReferralUpdated(super::referrals::ReferralUpdate),
    ReferralExceptionDecided(super::referrals::ExceptionDecision),
    CaseClosed {
        outcome: Outcome,
        note: Option<LongText>,
    },
    /// Replaces the details of an earlier event. The earlier event stays in the log and
    /// the timeline; the state is rebuilt as if the replacement had been recorded.
    Corrected {
        /// The version (position in the case's stream) of the corrected event.
        corrects: u64,
        /// When the corrected event really happened.
        occurred_at: DateTime<Utc>,
        #[cfg_attr(feature = "openapi", schema(no_recursion))]
        replacement: Box<Event>,
        reason: LongText,
    },
}

impl Event {
    /// The stored type name of the event.
    pub fn kind(&self) -> &'static str {
        match self {
            Event::CaseRegistered(_) => "case_registered",
            Event::MemberAdded(_) => "member_added",
            Event::MemberRemoved { .. } => "member_removed",
            Event::PersonDetailsUpdated { .. } => "person_details_updated",
            Event::CounsellingSessionRecorded(_) => "counselling_session_recorded",
            Event::EligibilityScreened(_) => "eligibility_screened",
            Event::ConsentRecorded { .. } => "consent_recorded",
            Event::ConsentReconfirmed { .. } => "consent_reconfirmed",
            Event::ConsentWithdrawn { .. } => "consent_withdrawn",
            Event::CaseWithdrawn { .. } => "case_withdrawn",
            Event::CaseReopened { .. } => "case_reopened",
            Event::CapacityAssessed(_) => "capacity_assessed",
            Event::BestInterestsDetermined(_) => "best_interests_determined",
            Event::RepresentativeAppointed(_) => "representative_appointed",
            Event::ApplicationSubmitted => "application_submitted",
            Event::ApplicationApproved { .. } => "application_approved",
            Event::ApplicationRejected { .. } => "application_rejected",
            Event::ProposalChanged(_) => "proposal_changed",
            Event::ReturnOfficeAssigned(_) => "return_office_assigned",
            Event::HealthAssessed(_) => "health_assessed",
            Event::RiskAssessed(_) => "risk_assessed",
            Event::TravelDocumentRecorded(_) => "travel_document_recorded",
            Event::EscortAssigned(_) => "escort_assigned",
            Event::EscortReleased { .. } => "escort_released",
            Event::ShelterArranged(_) => "shelter_arranged",
            Event::ItinerarySet(_) => "itinerary_set",
            Event::AllowancePaid(_) => "allowance_paid",
            Event::MarkedReadyToDepart => "marked_ready_to_depart",
            Event::DepartureConfirmed { .. } => "departure_confirmed",
            Event::NoShowRecorded { .. } => "no_show_recorded",
            Event::ArrivalRecorded(_) => "arrival_recorded",
            Event::ReintegrationStarted => "reintegration_started",
            Event::MonitoringStarted => "monitoring_started",
            Event::NeedsAssessed(_) => "needs_assessed",
            Event::PlanDrafted { .. } => "plan_drafted",
            Event::PlanResponded(_) => "plan_responded",
            Event::PlanApproved { .. } => "plan_approved",
            Event::PlanReturned { .. } => "plan_returned",
            Event::AssistanceDeclined(_) => "assistance_declined",
            Event::DeliveryRecorded { .. } => "delivery_recorded",
            Event::DeliveryCountersigned { .. } => "delivery_countersigned",
            Event::DeliveryReversed { .. } => "delivery_reversed",
            Event::PlanItemClosed { .. } => "plan_item_closed",
            Event::FollowUpsScheduled { .. } => "follow_ups_scheduled",
            Event::FollowUpRecorded(_) => "follow_up_recorded",
            Event::CaseworkerAssigned { .. } => "caseworker_assigned",
            Event::NoteAdded(_) => "note_added",
            Event::ReferralMade(_) => "referral_made",
            Event::ReferralUpdated(_) => "referral_updated",
            Event::ReferralExceptionDecided(_) => "referral_exception_decided",
            Event::CaseClosed { .. } => "case_closed",
            Event::Corrected { .. } => "corrected",
        }
    }

    /// The schema version of the payload of this event type. Bump it when a payload's
    /// shape changes, teach the store (`homeward_store::decode_event`) to read the older
    /// form, and add the new version's fixture (`crates/store/tests/fixtures/events`).
    pub fn schema_version(&self) -> u16 {
        match self {
            // 2: with `host_or_transit`.
            Event::DepartureConfirmed { .. } => 2,
            // 2: with `comment`.
            Event::ApplicationApproved { .. } => 2,
            _ => 1,
        }
    }

    /// The key that identifies what a detail event is about (a person, a session, a
    /// document...). A correction keeps it: it fixes details, not identities.
    pub fn correction_key(&self) -> Option<String> {
        Some(match self {
            Event::MemberAdded(m) => format!("member:{}", m.person_id),
            Event::PersonDetailsUpdated { person_id, .. } => format!("person:{person_id}"),
            Event::CounsellingSessionRecorded(s) => format!("session:{}", s.session_id),
            Event::EligibilityScreened(_) => "screening".into(),
            Event::CapacityAssessed(a) => format!("capacity:{}", a.person_id),
            Event::BestInterestsDetermined(b) => format!("bid:{}", b.person_id),
            Event::RepresentativeAppointed(r) => format!("representative:{}", r.person_id),
            Event::HealthAssessed(h) => format!("health:{}", h.person_id),
            Event::RiskAssessed(r) => format!("risk:{}", r.person_id),
            Event::TravelDocumentRecorded(d) => format!("document:{}", d.document_id),
            Event::EscortAssigned(e) => format!("escort:{}", e.escort_id),
            Event::ShelterArranged(_) => "shelter".into(),
            Event::AllowancePaid(_) => "allowance".into(),
            Event::ArrivalRecorded(_) => "arrival".into(),
            Event::NeedsAssessed(n) => format!("needs:{}", n.subject()),
            Event::FollowUpRecorded(f) => format!("follow_up:{}", f.follow_up_id),
            Event::NoteAdded(n) => format!("note:{}", n.note_id),
            Event::MemberRemoved { person_id, .. } => format!("removal:{person_id}"),
            Event::ConsentWithdrawn { person_id, .. } => format!("withdrawal:{person_id}"),
            Event::ApplicationRejected { .. } => "rejection".into(),
            Event::NoShowRecorded { .. } => "no_show".into(),
            _ => return None,
        })
    }

    /// Whether the event records details that may later be corrected. Decisions
    /// (consent, approval, departure...) and changes of the proposal are not corrected:
    /// they are superseded by new commands, which the rules check again.
    pub fn is_correctable(&self) -> bool {
        self.correction_key().is_some()
    }
}

/// When and by whom an event was recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventMeta {
    /// Position in the case's stream, from 1.
    pub version: u64,
    pub actor: UserId,
    /// When it happened, as stated by the user (never in the future).
    pub occurred_at: DateTime<Utc>,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
}

/// Whether something was recorded late: more than a day after it happened (stated by the
/// user). An approver is shown such entries, which nobody saw as they happened.
pub fn recorded_late(occurred_at: DateTime<Utc>, recorded_at: DateTime<Utc>) -> bool {
    recorded_at - occurred_at > chrono::Duration::days(1)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordedEvent {
    pub meta: EventMeta,
    pub event: Event,
}

#[cfg(test)]
mod late_tests {
    use super::*;

    #[test]
    fn an_entry_is_late_when_recorded_more_than_a_day_after_it_happened() {
        let at = |h: i64| DateTime::<Utc>::UNIX_EPOCH + chrono::Duration::hours(h);
        assert!(!recorded_late(at(0), at(0)));
        assert!(!recorded_late(at(0), at(24)), "a day after: on time");
        assert!(recorded_late(at(0), at(25)));
        assert!(!recorded_late(at(25), at(0)), "dated after it was recorded");
    }
}
