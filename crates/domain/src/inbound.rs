//! Inbound referrals (DESIGN.md, "Referrals": "Inbound referrals register new people"): a
//! partner organisation, or an authority through the API, refers a person to the
//! programme. The referral waits at the office it is addressed to until a counsellor
//! there registers it as a case, which then names its source, or declines it with a
//! reason; the referrer may withdraw it while it waits. The referrer follows where it
//! stands (`ReferrerView`), never the case, and sees the details it sent only while they
//! wait: once decided, the programme holds them.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::access::{Actor, Role};
use crate::case::check_person;
use crate::case::records::{Referral, ReferralSource};
use crate::ids::{CaseId, InboundId, OfficeId, OrganisationId, UserId};
use crate::organisation::OrganisationKind;
use crate::person::PersonDetails;
use crate::rules::{Check, Refusal, Violation};
use crate::values::{CountryCode, LongText, ShortText};

listed!(
    /// Where an inbound referral stands.
    InboundStatus {
        /// Waiting at the office for a counsellor.
        Received = "received",
        /// Registered as a case.
        Registered = "registered",
        /// Not taken, with a reason.
        Declined = "declined",
        /// Taken back by the referrer before it was decided.
        Withdrawn = "withdrawn",
    }
);

listed!(
    /// Why an office did not register a person referred to it.
    DeclineReason {
        /// The person is not eligible for the programme.
        NotEligible = "not_eligible",
        /// The person already has a case.
        AlreadyRegistered = "already_registered",
        /// The office could not reach the person.
        Unreachable = "unreachable",
        /// The person no longer wishes to return.
        NoLongerWishes = "no_longer_wishes",
        /// The person's country or situation is outside the programme.
        OutsideProgramme = "outside_programme",
        /// Said in the note.
        Other = "other",
    }
);

/// The person's consent to being referred, and to their data being given to the
/// programme. Without it nothing is sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InboundConsent {
    /// The day the person (or their representative) consented.
    pub given_on: NaiveDate,
    /// Who consented on the person's behalf: required for a child (a guardian, a
    /// child-protection officer); absent when the person consented themselves.
    #[serde(default)]
    pub representative: Option<ShortText>,
}

/// What a referrer sends about the person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InboundDetails {
    /// The programme's office the person is referred to.
    pub office: OfficeId,
    /// The referrer's own file number for the person: how it tells its referrals apart.
    #[serde(default)]
    pub referrer_reference: Option<ShortText>,
    pub person: PersonDetails,
    /// Others of the household who would return too, as the referrer describes them.
    #[serde(default)]
    pub household: Option<LongText>,
    /// Where the person wishes to return, if known.
    #[serde(default)]
    pub country_of_return: Option<CountryCode>,
    /// Why the person is referred and what they need.
    pub reason: LongText,
    /// The person must be seen soon (a departure order, a health or protection risk).
    #[serde(default)]
    pub urgent: bool,
    pub consent: InboundConsent,
}

impl InboundDetails {
    /// Everything wrong with a referral about to be sent on `now`, each with its field.
    pub fn violations(&self, now: DateTime<Utc>) -> Vec<Violation> {
        let mut c = Check::new();
        check_person(&self.person, now, "person", &mut c);
        let given = self.consent.given_on;
        c.require(given <= now.date_naive(), || {
            Violation::new(
                "inbound.consent_in_future",
                "the day of consent is in the future",
            )
            .at("consent/given_on")
        });
        // A child's consent is given with their representative (DESIGN.md, voluntariness):
        // a person of uncertain age is a child while in doubt.
        c.require(
            self.person.date_of_birth.is_adult_on(given) || self.consent.representative.is_some(),
            || {
                Violation::new(
                    "inbound.representative_required",
                    "the person is a child: name the representative who consented for them",
                )
                .at("consent/representative")
            },
        );
        c.0
    }
}

/// How a referrer of this kind is named as a case's source.
pub fn source_of(kind: OrganisationKind) -> ReferralSource {
    use OrganisationKind::*;
    match kind {
        ImmigrationAuthority | AsylumAuthority | Police | Embassy => ReferralSource::Authority,
        SocialWelfare
        | ChildProtection
        | InternationalOrganisation
        | DiasporaAssociation
        | MigrantSupport
        | ProtectionShelter
        | HealthCare
        | ReceivingCommunity => ReferralSource::Partner,
    }
}

/// Who sends a referral: the organisation (from the directory) and its user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Referrer {
    pub organisation: OrganisationId,
    pub name: ShortText,
    pub kind: OrganisationKind,
    pub user: UserId,
}

/// An inbound referral and where it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InboundReferral {
    pub id: InboundId,
    /// The referring organisation.
    pub organisation: OrganisationId,
    pub organisation_name: ShortText,
    pub source: ReferralSource,
    pub submitted_by: UserId,
    pub submitted_at: DateTime<Utc>,
    /// The office it is addressed to.
    pub office: OfficeId,
    /// The referrer's own file number, kept when the details are erased.
    pub referrer_reference: Option<ShortText>,
    pub urgent: bool,
    /// What was sent; erased (`None`) when the referrer withdraws it: the person no longer
    /// wishes to be referred, so the programme keeps nothing of them.
    pub details: Option<InboundDetails>,
    pub status: InboundStatus,
    /// Who registered, declined or withdrew it, and when.
    pub decided_by: Option<UserId>,
    pub decided_at: Option<DateTime<Utc>>,
    /// The case it became.
    pub case_id: Option<CaseId>,
    pub case_reference: Option<ShortText>,
    pub decline_reason: Option<DeclineReason>,
    /// The office's words to the referrer about its decision (the referrer reads them).
    pub decline_note: Option<LongText>,
}

impl InboundReferral {
    /// A referral as received, `at`, from `by`.
    pub fn received(
        id: InboundId,
        by: &Referrer,
        at: DateTime<Utc>,
        details: InboundDetails,
    ) -> Self {
        InboundReferral {
            id,
            organisation: by.organisation,
            organisation_name: by.name.clone(),
            source: source_of(by.kind),
            submitted_by: by.user,
            submitted_at: at,
            office: details.office,
            referrer_reference: details.referrer_reference.clone(),
            urgent: details.urgent,
            details: Some(details),
            status: InboundStatus::Received,
            decided_by: None,
            decided_at: None,
            case_id: None,
            case_reference: None,
            decline_reason: None,
            decline_note: None,
        }
    }

    /// Whether it still waits for the office: the only state anything can happen in.
    pub fn waiting(&self) -> Result<(), Refusal> {
        if self.status == InboundStatus::Received {
            Ok(())
        } else {
            Err(Refusal::one(not_waiting()))
        }
    }

    /// Whether a case registered in `office` may be registered from it: it waits, and
    /// the case is the office's it was sent to (whose staff follow it).
    pub fn registrable_in(&self, office: OfficeId) -> Result<(), Refusal> {
        self.waiting()?;
        if office != self.office {
            return Err(Refusal::one(
                Violation::new(
                    "inbound.other_office",
                    "register the person in the office they were referred to",
                )
                .at("host_office"),
            ));
        }
        Ok(())
    }

    /// Registered as `case_id` (`reference`) by `by`, `at`.
    pub fn registered(
        self,
        by: UserId,
        at: DateTime<Utc>,
        case_id: CaseId,
        reference: ShortText,
    ) -> Result<Self, Refusal> {
        self.registrable_in(self.office)?;
        Ok(InboundReferral {
            status: InboundStatus::Registered,
            decided_by: Some(by),
            decided_at: Some(at),
            case_id: Some(case_id),
            case_reference: Some(reference),
            ..self
        })
    }

    /// Declined by `by`, `at`, for `reason` ("other" says why in the note).
    pub fn declined(
        self,
        by: UserId,
        at: DateTime<Utc>,
        reason: DeclineReason,
        note: Option<LongText>,
    ) -> Result<Self, Refusal> {
        self.waiting()?;
        let mut c = Check::new();
        c.require(reason != DeclineReason::Other || note.is_some(), || {
            Violation::new(
                "inbound.note_required",
                "say why in the note when the reason is \"other\"",
            )
            .at("note")
        });
        c.finish()?;
        Ok(InboundReferral {
            status: InboundStatus::Declined,
            decided_by: Some(by),
            decided_at: Some(at),
            decline_reason: Some(reason),
            decline_note: note,
            ..self
        })
    }

    /// Withdrawn by the referrer's `by`, `at`: the person's details are erased.
    pub fn withdrawn(self, by: UserId, at: DateTime<Utc>) -> Result<Self, Refusal> {
        self.waiting()?;
        Ok(InboundReferral {
            status: InboundStatus::Withdrawn,
            decided_by: Some(by),
            decided_at: Some(at),
            details: None,
            ..self
        })
    }

    /// The case's source when this referral is registered.
    pub fn case_referral(&self) -> Referral {
        Referral {
            source: self.source,
            referred_by: Some(self.organisation_name.clone()),
            organisation: Some(self.organisation),
            inbound: Some(self.id),
        }
    }

    /// The referrer's view: where it stands, and the details it sent only while they wait.
    /// Built field by field: a new field is not shown until someone decides it may be.
    pub fn referrer_view(&self) -> ReferrerView {
        let InboundReferral {
            id,
            organisation: _,
            organisation_name: _,
            source: _,
            submitted_by: _,
            submitted_at,
            office,
            referrer_reference,
            urgent,
            details,
            status,
            decided_by: _,
            decided_at,
            case_id: _,
            case_reference,
            decline_reason,
            decline_note,
        } = self;
        let waiting = *status == InboundStatus::Received;
        ReferrerView {
            id: *id,
            office: *office,
            referrer_reference: referrer_reference.clone(),
            submitted_at: *submitted_at,
            urgent: *urgent,
            status: *status,
            decided_at: *decided_at,
            case_reference: case_reference.clone(),
            decline_reason: *decline_reason,
            decline_note: decline_note.clone(),
            details: details.clone().filter(|_| waiting),
        }
    }
}

/// The refusal of anything on a referral already dealt with.
pub fn not_waiting() -> Violation {
    Violation::new(
        "inbound.not_waiting",
        "this referral has been dealt with already: nothing more can be done with it",
    )
}

/// What a referrer sees of its referral.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReferrerView {
    pub id: InboundId,
    pub office: OfficeId,
    /// The referrer's own file number, if it gave one.
    pub referrer_reference: Option<ShortText>,
    pub submitted_at: DateTime<Utc>,
    pub urgent: bool,
    pub status: InboundStatus,
    pub decided_at: Option<DateTime<Utc>>,
    /// The reference of the case it became: quote it to the office.
    pub case_reference: Option<ShortText>,
    pub decline_reason: Option<DeclineReason>,
    pub decline_note: Option<LongText>,
    /// What was sent, while it waits; nothing once it is decided.
    pub details: Option<InboundDetails>,
}

/// Whether an office in `country` takes inbound referrals: one in a host country of a
/// programme, where people are registered (an office of return registers no one).
/// `hosts`: each programme's host countries.
pub fn takes_referrals<'a>(
    country: &str,
    hosts: impl IntoIterator<Item = &'a std::collections::BTreeSet<CountryCode>>,
) -> bool {
    hosts
        .into_iter()
        .any(|h| h.iter().any(|c| c.as_str() == country))
}

/// Who refers people to the programme: a partner organisation's user (an authority's too).
pub fn referrer_of(actor: &Actor) -> Option<OrganisationId> {
    actor.partner_of()
}

/// Who takes inbound referrals at an office: its counsellors, who register cases, and its
/// programme managers, who watch the queue (and may decline).
pub fn may_take(actor: &Actor, office: OfficeId) -> bool {
    actor.offices.contains(&office) && (actor.may_register_cases() || actor.has(Role::Approver))
}

/// Who may read one: the office that takes it and the organisation that sent it.
pub fn may_read(actor: &Actor, r: &InboundReferral) -> bool {
    may_take(actor, r.office) || referrer_of(actor) == Some(r.organisation)
}

/// Who may withdraw one: the organisation that sent it, while it waits.
pub fn may_withdraw(actor: &Actor, r: &InboundReferral) -> bool {
    referrer_of(actor) == Some(r.organisation)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use chrono::TimeZone;
    use uuid::Uuid;

    use super::*;
    use crate::person::{Contact, DateOfBirth, LegalSituation, PersonName, Sex};
    use crate::values::LanguageCode;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 6, 1, 9, 0, 0).unwrap()
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn details(born: DateOfBirth) -> InboundDetails {
        InboundDetails {
            office: OfficeId(Uuid::from_u128(1)),
            referrer_reference: None,
            person: PersonDetails {
                name: PersonName {
                    given: ShortText::parse("Awa").unwrap(),
                    family: None,
                    latin: None,
                },
                date_of_birth: born,
                sex: Sex::Female,
                nationality: Some(CountryCode::parse("SN").unwrap()),
                languages: vec![LanguageCode::parse("fr").unwrap()],
                contact: Contact::default(),
                legal_situation: LegalSituation::IrregularStay,
                vulnerabilities: BTreeSet::new(),
            },
            household: None,
            country_of_return: None,
            reason: LongText::parse("Wishes to go home").unwrap(),
            urgent: false,
            consent: InboundConsent {
                given_on: day(2026, 5, 30),
                representative: None,
            },
        }
    }

    fn codes(v: &[Violation]) -> Vec<&'static str> {
        v.iter().map(|v| v.code).collect()
    }

    #[test]
    fn an_adult_consents_alone() {
        assert!(
            details(DateOfBirth::Exact(day(1990, 1, 1)))
                .violations(now())
                .is_empty()
        );
    }

    #[test]
    fn a_child_is_referred_with_a_representatives_consent() {
        let mut d = details(DateOfBirth::Exact(day(2010, 1, 1)));
        assert_eq!(
            codes(&d.violations(now())),
            ["inbound.representative_required"]
        );
        d.consent.representative = Some(ShortText::parse("Guardian ad litem").unwrap());
        assert!(d.violations(now()).is_empty());
    }

    #[test]
    fn a_person_of_uncertain_age_is_a_child_while_in_doubt() {
        // Born "2008": adult only from 1 January 2027.
        let d = details(DateOfBirth::EstimatedYear(2008));
        assert_eq!(
            codes(&d.violations(now())),
            ["inbound.representative_required"]
        );
    }

    #[test]
    fn consent_cannot_be_dated_after_the_referral_and_people_are_checked_as_on_registration() {
        let mut d = details(DateOfBirth::Exact(day(2030, 1, 1)));
        d.consent.given_on = day(2026, 6, 2);
        d.consent.representative = Some(ShortText::parse("x").unwrap());
        d.person.languages.clear();
        let mut got = codes(&d.violations(now()));
        got.sort();
        assert_eq!(
            got,
            [
                "inbound.consent_in_future",
                "person.born_in_future",
                "person.no_language"
            ]
        );
    }

    fn referrer() -> Referrer {
        Referrer {
            organisation: OrganisationId(Uuid::from_u128(2)),
            name: ShortText::parse("Caritas").unwrap(),
            kind: OrganisationKind::MigrantSupport,
            user: UserId(Uuid::from_u128(3)),
        }
    }

    fn waiting() -> InboundReferral {
        InboundReferral::received(
            InboundId(Uuid::from_u128(7)),
            &referrer(),
            now(),
            details(DateOfBirth::Exact(day(1990, 1, 1))),
        )
    }

    fn staff() -> UserId {
        UserId(Uuid::from_u128(9))
    }

    fn referral(status: InboundStatus) -> InboundReferral {
        let r = waiting();
        match status {
            InboundStatus::Received => r,
            InboundStatus::Registered => r
                .registered(
                    staff(),
                    now(),
                    CaseId(Uuid::from_u128(8)),
                    ShortText::parse("BRU-2026-00001").unwrap(),
                )
                .unwrap(),
            InboundStatus::Declined => r
                .declined(staff(), now(), DeclineReason::NotEligible, None)
                .unwrap(),
            InboundStatus::Withdrawn => r.withdrawn(UserId(Uuid::from_u128(3)), now()).unwrap(),
        }
    }

    #[test]
    fn only_a_waiting_referral_can_be_decided_or_withdrawn() {
        assert!(referral(InboundStatus::Received).waiting().is_ok());
        for s in [
            InboundStatus::Registered,
            InboundStatus::Declined,
            InboundStatus::Withdrawn,
        ] {
            assert!(
                referral(s)
                    .waiting()
                    .unwrap_err()
                    .has("inbound.not_waiting")
            );
        }
    }

    #[test]
    fn the_referrer_sees_the_details_it_sent_only_while_they_wait() {
        assert!(
            referral(InboundStatus::Received)
                .referrer_view()
                .details
                .is_some()
        );
        for s in [
            InboundStatus::Registered,
            InboundStatus::Declined,
            InboundStatus::Withdrawn,
        ] {
            assert_eq!(referral(s).referrer_view().details, None);
        }
    }

    #[test]
    fn the_case_names_the_referrer_and_the_referral() {
        let r = referral(InboundStatus::Received);
        let c = r.case_referral();
        assert_eq!(c.source, ReferralSource::Partner);
        assert_eq!(c.organisation, Some(r.organisation));
        assert_eq!(c.inbound, Some(r.id));
        assert_eq!(c.referred_by.unwrap().as_str(), "Caritas");
    }

    #[test]
    fn only_offices_of_host_countries_take_referrals() {
        let hosts: BTreeSet<CountryCode> = [CountryCode::parse("BE").unwrap()].into();
        assert!(takes_referrals("BE", [&hosts]));
        assert!(!takes_referrals("SN", [&hosts]));
        assert!(!takes_referrals("BE", []));
    }

    #[test]
    fn authorities_refer_as_authorities() {
        assert_eq!(
            source_of(OrganisationKind::ImmigrationAuthority),
            ReferralSource::Authority
        );
        assert_eq!(
            source_of(OrganisationKind::MigrantSupport),
            ReferralSource::Partner
        );
    }

    #[test]
    fn other_needs_a_note() {
        let r = waiting()
            .declined(staff(), now(), DeclineReason::Other, None)
            .unwrap_err();
        assert_eq!(codes(&r.violations), ["inbound.note_required"]);
        assert!(
            waiting()
                .declined(staff(), now(), DeclineReason::NotEligible, None)
                .is_ok()
        );
    }

    #[test]
    fn the_office_takes_and_the_referrer_follows() {
        let office = OfficeId(Uuid::from_u128(1));
        let staff = |role: Role, offices: &[OfficeId]| Actor {
            user_id: UserId(Uuid::from_u128(9)),
            roles: [role].into(),
            offices: offices.iter().copied().collect(),
            organisation: None,
        };
        let r = referral(InboundStatus::Received);
        assert!(may_take(&staff(Role::Counsellor, &[office]), office));
        assert!(may_take(&staff(Role::Approver, &[office]), office));
        assert!(!may_take(&staff(Role::Counsellor, &[]), office));
        assert!(!may_take(&staff(Role::MovementOfficer, &[office]), office));
        assert!(!may_read(&staff(Role::Administrator, &[office]), &r));
        let partner = |org: u128| Actor {
            user_id: UserId(Uuid::from_u128(10)),
            roles: [Role::Partner].into(),
            offices: BTreeSet::new(),
            organisation: Some(OrganisationId(Uuid::from_u128(org))),
        };
        assert!(may_read(&partner(2), &r));
        assert!(may_withdraw(&partner(2), &r));
        assert!(!may_read(&partner(5), &r));
        assert!(!may_withdraw(&partner(5), &r));
        assert!(!may_take(&partner(2), office));
    }
}
