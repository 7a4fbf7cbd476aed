//! The records a case is made of. Each is the payload of an event and, mostly, of the
//! command that produces it.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{
    DocumentId, EscortId, InboundId, OfficeId, OrganisationId, PersonId, SessionId, UserId,
};
use crate::person::Member;
use crate::values::{CountryCode, IataCode, LanguageCode, LongText, Money, ShortText};

snake_enum!(
    /// How the person came to the programme.
    pub enum ReferralSource {
        SelfReferral,
        Partner,
        Authority,
        Outreach,
        Other,
    }
);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Referral {
    pub source: ReferralSource,
    /// The referring organisation or authority, if any.
    pub referred_by: Option<ShortText>,
    /// The referring organisation in the directory, when the case came from an inbound
    /// referral (`crate::inbound`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organisation: Option<OrganisationId>,
    /// The inbound referral the case was registered from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inbound: Option<InboundId>,
}

snake_enum!(
    /// Whether the country of return is the person's origin or an admitting third country.
    pub enum ReturnKind {
        Origin,
        ThirdCountry,
    }
);

snake_enum!(
    pub enum AssistanceKind {
        PocketMoney,
        InstallationGrant,
        ReintegrationGrant,
        ReintegrationInKind,
        TravelCosts,
        MedicalSupport,
        Other,
    }
);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssistanceItem {
    pub kind: AssistanceKind,
    pub amount: Option<Money>,
    pub description: Option<ShortText>,
}

/// What the migrant is asked to consent to. When it changes after consent, consent must be
/// re-confirmed before departure. The booked itinerary is part of it too (see
/// [`crate::case::Case::proposal_revision`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Proposal {
    pub country_of_return: CountryCode,
    pub return_kind: ReturnKind,
    /// Town or region of return.
    pub place_of_return: Option<ShortText>,
    #[serde(default)]
    pub assistance_package: Vec<AssistanceItem>,
}

snake_enum!(
    /// Topics of a counselling session. The first four together make it an information
    /// session: return modalities, conditions in the country of return, and the
    /// alternatives (return by own means, options to stay).
    pub enum Topic {
        ReturnModalities,
        ConditionsInCountryOfReturn,
        ReturnByOwnMeans,
        OptionsToStay,
        ReintegrationAssistance,
        RightToWithdraw,
        HealthAndMedical,
        Other,
    }
);

/// The topics a session must cover to inform a person before consent.
pub const INFORMING_TOPICS: [Topic; 4] = [
    Topic::ReturnModalities,
    Topic::ConditionsInCountryOfReturn,
    Topic::ReturnByOwnMeans,
    Topic::OptionsToStay,
];

/// Who attended a counselling session: a member, or the legal representative of one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Attendee {
    Member(PersonId),
    RepresentativeOf(PersonId),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CounsellingSession {
    pub session_id: SessionId,
    /// The counsellor who held the session.
    pub counsellor: UserId,
    /// The language the migrant heard (through the interpreter, if one was present).
    pub language: LanguageCode,
    pub interpreter_present: bool,
    pub topics: BTreeSet<Topic>,
    pub attendees: BTreeSet<Attendee>,
    /// Confidential: shown only to counsellors.
    pub notes: Option<LongText>,
}

impl CounsellingSession {
    pub fn is_information_session(&self) -> bool {
        INFORMING_TOPICS.iter().all(|t| self.topics.contains(t))
    }
}

snake_enum!(
    /// Who gives a consent: the person, or their legal representative (capacity path).
    pub enum ConsentGiver {
        Person,
        Representative,
    }
);

/// The voluntary return declaration of one member, as the counsellor records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsentDeclaration {
    pub person_id: PersonId,
    pub given_by: ConsentGiver,
    /// The counsellor attests that no physical or psychological pressure was exerted.
    pub no_pressure_attested: bool,
    /// The right to withdraw at any time before departure was explained.
    pub right_to_withdraw_explained: bool,
    /// Separate consent to the processing of personal data.
    pub data_processing_consent: bool,
    /// The person's own words, if they wish.
    pub statement: Option<LongText>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsentReconfirmation {
    pub person_id: PersonId,
    pub given_by: ConsentGiver,
    pub no_pressure_attested: bool,
    pub statement: Option<LongText>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CapacityAssessment {
    pub person_id: PersonId,
    pub professional: ShortText,
    pub qualification: ShortText,
    /// The professional found the person unable to decide on return for themselves.
    pub lacks_capacity: bool,
    /// Sensitive.
    pub notes: Option<LongText>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BestInterestsDetermination {
    pub person_id: PersonId,
    pub determined_by: ShortText,
    pub return_in_best_interests: bool,
    /// Sensitive.
    pub notes: Option<LongText>,
}

snake_enum!(
    pub enum RepresentativeKind {
        LegalGuardian,
        Parent,
        CourtAppointed,
        Other,
    }
);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Representative {
    pub person_id: PersonId,
    pub name: ShortText,
    pub kind: RepresentativeKind,
    pub languages: Vec<LanguageCode>,
}

snake_enum!(
    pub enum RemovalProcedure {
        NotInitiated,
        Initiated,
    }
);

snake_enum!(
    pub enum Admissibility {
        /// A national of the country of return.
        National,
        /// A third country confirmed it admits the person.
        AdmissionConfirmed,
        Pending,
        Refused,
    }
);

/// Facts established at eligibility screening.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScreeningFacts {
    pub removal_procedure: RemovalProcedure,
    pub admissibility: Admissibility,
    /// One of the programme's categories.
    pub category: ShortText,
}

/// The screening as recorded: the facts and the conclusion the rules drew from them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Screening {
    pub facts: ScreeningFacts,
    pub eligible: bool,
    /// Codes of the reasons the case is not eligible.
    pub reasons: Vec<String>,
}

snake_enum!(
    pub enum Fitness {
        Fit,
        FitWithMedicalEscort,
        NotFit,
    }
);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HealthAssessment {
    pub person_id: PersonId,
    pub fitness: Fitness,
    pub assessed_by: ShortText,
    /// Medical details: read only by medical officers.
    pub medical_details: Option<LongText>,
}

snake_enum!(
    pub enum RiskConclusion {
        ReturnCanProceed,
        ReturnCanProceedWithMeasures,
        ReturnMustNotProceed,
    }
);

/// A risk assessment for a victim of trafficking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RiskAssessment {
    pub person_id: PersonId,
    pub conclusion: RiskConclusion,
    /// Sensitive.
    pub notes: Option<LongText>,
}

snake_enum!(
    pub enum DocumentKind {
        Passport,
        LaissezPasser,
        NationalIdentityCard,
        BirthCertificate,
        RefugeeTravelDocument,
        Visa,
        TransitPermit,
        Other,
    }
);

snake_enum!(
    pub enum DocumentStatus {
        /// The person holds it (a passport they have).
        Held,
        Requested,
        Issued,
        Expired,
        Lost,
    }
);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TravelDocument {
    pub document_id: DocumentId,
    pub person_id: PersonId,
    pub kind: DocumentKind,
    pub status: DocumentStatus,
    pub number: Option<ShortText>,
    pub issuing_country: Option<CountryCode>,
    pub expires_on: Option<NaiveDate>,
}

impl TravelDocument {
    /// Usable on `on`: held or issued, and not expired.
    pub fn usable_on(&self, on: NaiveDate) -> bool {
        matches!(self.status, DocumentStatus::Held | DocumentStatus::Issued)
            && self.expires_on.is_none_or(|e| e >= on)
    }
}

snake_enum!(
    pub enum EscortKind {
        /// A social worker or child escort for a child.
        Child,
        Medical,
        Operational,
    }
);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Escort {
    pub escort_id: EscortId,
    pub kind: EscortKind,
    pub name: ShortText,
    pub accompanies: BTreeSet<PersonId>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Shelter {
    pub place: ShortText,
    pub from: NaiveDate,
    pub until: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Leg {
    /// Airline (name or IATA designator).
    pub carrier: ShortText,
    pub flight_number: ShortText,
    pub from: IataCode,
    pub to: IataCode,
    pub departs_at: DateTime<Utc>,
    pub arrives_at: DateTime<Utc>,
    /// Travellers need a visa or transit permit for this leg's transit.
    #[serde(default)]
    pub transit_permit_required: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Itinerary {
    pub legs: Vec<Leg>,
    /// Assistance at transit airports is arranged.
    pub transit_assistance: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Allowance {
    /// The person paid, or the household when absent.
    pub person_id: Option<PersonId>,
    pub kind: AssistanceKind,
    pub amount: Money,
    pub note: Option<ShortText>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Reception {
    /// Received by the office of the country of return.
    Office,
    /// Received by a partner organisation, named.
    Partner(ShortText),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Arrival {
    pub reception: Reception,
    pub onward_transport: Option<ShortText>,
    pub temporary_accommodation: Option<ShortText>,
}

snake_enum!(
    /// How a case ended.
    pub enum Outcome {
        Completed,
        Withdrawn,
        NoShow,
        Ineligible,
        RegularisedInHostCountry,
        LostContact,
        Deceased,
    }
);

snake_enum!(
    /// A flag on a case that every reader of it should see first.
    pub enum CaseFlag {
        /// A risk to the person or to staff (threats, self-harm, a hostile relative).
        Risk,
        /// Staff cannot reach the person for now.
        ContactLost,
        /// Needs attention before anything else (a deadline, a hearing, a medical need).
        Urgent,
    }
);

impl CaseFlag {
    pub const ALL: [CaseFlag; 3] = [CaseFlag::Risk, CaseFlag::ContactLost, CaseFlag::Urgent];
}

/// A general note on a case, with who may read it, and the flag it raises or clears.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseNote {
    pub note_id: crate::ids::NoteId,
    pub text: LongText,
    /// The kind of sensitive data it holds, read only by the roles that may read that
    /// kind; everyone who reads the case reads it when absent.
    pub sensitivity: Option<crate::access::Sensitive>,
    pub raises: Option<CaseFlag>,
    pub clears: Option<CaseFlag>,
}

/// A new member of a case.
pub type NewMember = Member;

/// The office a case is handed over to, with its country (resolved by the caller).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OfficeRef {
    pub office_id: OfficeId,
    pub country: CountryCode,
}
