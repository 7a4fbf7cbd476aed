//! What an organisation sees of a referral addressed to it (DESIGN.md, "Referrals" and
//! "Confidentiality"): what was asked, its steps, and of each person referred only the
//! groups of data they consented to share. Nothing else of the case: not its other
//! referrals, notes, stage, or anyone's data beyond those groups. Once the referral is
//! closed or revoked (consent withdrawn), nothing personal is shown any more.
//!
//! This is the one redaction for partners: the API, the pages and the single-use links
//! show this view and nothing else.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::Case;
use super::records::{Fitness, Leg, RiskConclusion};
use super::referrals::{AnswerStatus, DataGroup, ReferralRecord, ReferralStatus, ReferralStep};
use crate::ids::{CaseId, OrganisationId, PersonId, ReferralId};
use crate::organisation::ServiceType;
use crate::person::{DateOfBirth, Relationship, Sex, Vulnerability};
use crate::values::{CountryCode, LanguageCode, LongText, ShortText};

/// A referral as its organisation sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SharedReferral {
    pub case_id: CaseId,
    /// The programme's reference for the case, to quote when calling the sender.
    pub case_reference: ShortText,
    /// The case's version: send it with an answer.
    pub version: u64,
    pub referral_id: ReferralId,
    pub organisation: OrganisationId,
    /// The organisation's name when it was referred to.
    pub organisation_name: ShortText,
    pub service: ServiceType,
    pub country: Option<CountryCode>,
    /// What is asked.
    pub note: Option<LongText>,
    pub sent_at: DateTime<Utc>,
    pub answer_within_days: u16,
    pub status: ReferralStatus,
    pub answer: AnswerStatus,
    /// The steps the organisation may record now.
    pub your_steps: Vec<ReferralStatus>,
    pub steps: Vec<SharedStep>,
    /// Who receives the people at arrival, as the organisation named them.
    pub receiver: Option<ShortText>,
    /// The groups of data the people consented to share.
    pub shared: BTreeSet<DataGroup>,
    /// True while the organisation is asked or serving (sent, accepted, in progress,
    /// delivered); false once it declined, or the referral is closed or revoked: then
    /// `people` carry no data, `family`, `journey`, `note`, `receiver` and the steps'
    /// words are absent.
    pub data_shown: bool,
    pub people: Vec<SharedPerson>,
    /// The others on the case, without names (group `family`).
    pub family: Option<Vec<Relative>>,
    /// The journey (group `travel`).
    pub journey: Option<Journey>,
}

/// A step as the organisation sees it (not who, of the programme's staff, recorded it).
/// The words of the organisation's own steps (why it declined, what it delivered, its
/// notes) while the referral is shown; never the sender's reasons for closing or
/// revoking, which are the programme's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SharedStep {
    pub at: DateTime<Utc>,
    /// The status the step led to.
    pub status: ReferralStatus,
    /// Why it was declined, or what was delivered.
    pub said: Option<LongText>,
    pub note: Option<LongText>,
    /// Who at the organisation answered, when they named themselves.
    pub answered_by: Option<ShortText>,
}

/// A person referred: each group present only if it is shared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SharedPerson {
    pub person_id: PersonId,
    pub identity: Option<Identity>,
    pub contact: Option<ContactShared>,
    /// Without trafficking or violence unless that group is shared too.
    pub vulnerabilities: Option<BTreeSet<Vulnerability>>,
    pub medical: Option<Medical>,
    pub protection: Option<Protection>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Identity {
    /// The name as written, and in Latin letters where recorded.
    pub name: String,
    pub date_of_birth: DateOfBirth,
    pub sex: Sex,
    pub nationality: Option<CountryCode>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContactShared {
    pub phone: Option<ShortText>,
    pub email: Option<ShortText>,
    pub address: Option<ShortText>,
    pub languages: Vec<LanguageCode>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Medical {
    /// Fitness to travel, if assessed.
    pub fitness: Option<Fitness>,
    pub details: Option<LongText>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Protection {
    pub victim_of_trafficking: bool,
    pub victim_of_violence: bool,
    /// The risk assessment's conclusion, if one was made.
    pub risk: Option<RiskConclusion>,
    pub risk_notes: Option<LongText>,
}

/// Someone else on the case, described without identifying them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Relative {
    /// To the principal applicant.
    pub relationship: Relationship,
    pub sex: Sex,
    /// Age in years today (the earliest possible, where only a year is known).
    pub age: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Journey {
    pub legs: Vec<Leg>,
    /// When the people arrived, once recorded.
    pub arrived_at: Option<DateTime<Utc>>,
}

/// The referral `id` of `case` as its organisation sees it on `today`; `None` if there is
/// no such referral.
pub fn shared_referral(case: &Case, id: ReferralId, today: NaiveDate) -> Option<SharedReferral> {
    let r = case.referrals.get(id)?;
    let shown = matches!(
        r.status,
        ReferralStatus::Sent
            | ReferralStatus::Accepted
            | ReferralStatus::InProgress
            | ReferralStatus::Delivered
    ) && r.was_sent();
    let has = |g: DataGroup| shown && r.request.shared.contains(&g);
    // Everyone referred consented, or an exception was approved for those who did not.
    let people = r
        .request
        .people
        .iter()
        .filter(|p| r.request.consent_for.contains(p) || r.request.exception.is_some())
        .map(|p| person(case, r, *p, shown))
        .collect();
    let family = has(DataGroup::Family).then(|| {
        case.members
            .iter()
            .filter(|m| !r.request.people.contains(&m.person_id))
            .map(|m| Relative {
                relationship: m.relationship,
                sex: m.details.sex,
                age: m.details.date_of_birth.age_on(today),
            })
            .collect()
    });
    let journey = has(DataGroup::Travel).then(|| Journey {
        legs: case
            .itinerary
            .as_ref()
            .map(|i| i.legs.clone())
            .unwrap_or_default(),
        arrived_at: case.dates.arrived,
    });
    Some(SharedReferral {
        case_id: case.id,
        case_reference: case.reference.clone(),
        version: case.version,
        referral_id: id,
        organisation: r.request.organisation,
        organisation_name: r.request.organisation_name.clone(),
        service: r.request.service,
        country: r.request.country.clone(),
        note: r.request.note.clone().filter(|_| shown),
        sent_at: r.sent_on(),
        answer_within_days: r.request.answer_within_days,
        status: r.status,
        answer: r.answer_status(today),
        your_steps: r.status.organisations_next(),
        steps: r
            .steps
            .iter()
            .map(|s| {
                let words = shown && s.step.is_organisations();
                SharedStep {
                    at: s.at,
                    status: s.step.status(),
                    said: match &s.step {
                        ReferralStep::Declined { reason } => Some(reason.clone()),
                        ReferralStep::Delivered { what } => Some(what.clone()),
                        _ => None,
                    }
                    .filter(|_| words),
                    note: s.note.clone().filter(|_| words),
                    answered_by: s.answered_by.clone(),
                }
            })
            .collect(),
        receiver: r.receiver.clone().filter(|_| shown),
        shared: r.request.shared.clone(),
        data_shown: shown,
        people,
        family,
        journey,
    })
}

fn person(case: &Case, r: &ReferralRecord, id: PersonId, shown: bool) -> SharedPerson {
    let has = |g: DataGroup| shown && r.request.shared.contains(&g);
    let Some(m) = case.member(id) else {
        return SharedPerson {
            person_id: id,
            identity: None,
            contact: None,
            vulnerabilities: None,
            medical: None,
            protection: None,
        };
    };
    let d = &m.details;
    let protection = has(DataGroup::TraffickingAndViolence);
    SharedPerson {
        person_id: id,
        identity: has(DataGroup::Identity).then(|| Identity {
            name: d.name.display(),
            date_of_birth: d.date_of_birth,
            sex: d.sex,
            nationality: d.nationality.clone(),
        }),
        contact: has(DataGroup::Contact).then(|| ContactShared {
            phone: d.contact.phone.clone(),
            email: d.contact.email.clone(),
            address: d.contact.address.clone(),
            languages: d.languages.clone(),
        }),
        vulnerabilities: has(DataGroup::Vulnerabilities).then(|| {
            d.vulnerabilities
                .iter()
                .copied()
                .filter(|v| protection || !v.is_protection_history())
                .collect()
        }),
        medical: has(DataGroup::Medical).then(|| {
            let h = case.health.get(&id);
            Medical {
                fitness: h.map(|h| h.fitness),
                details: h.and_then(|h| h.medical_details.clone()),
            }
        }),
        protection: protection.then(|| {
            let risk = case.risk.get(&id);
            Protection {
                victim_of_trafficking: d.has(Vulnerability::VictimOfTrafficking),
                victim_of_violence: d.has(Vulnerability::VictimOfViolence),
                risk: risk.map(|a| a.conclusion),
                risk_notes: risk.and_then(|a| a.notes.clone()),
            }
        }),
    }
}
