//! Voluntariness (DESIGN.md, "Voluntariness is an invariant"): who must consent, on
//! what information, after how long, and whether a consent still stands.
//!
//! These functions read only the state, never a flag set when consent was recorded: a
//! later correction (of a session's date, a person's languages...) is taken into account
//! the next time the rules look.

use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::Case;
use super::records::{Attendee, ConsentGiver};
use crate::ids::PersonId;
use crate::person::{Member, Relationship, Vulnerability};
use crate::programme::ProgrammeSettings;
use crate::rules::Violation;
use crate::values::LanguageCode;

/// How a member's return is consented to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsentPath {
    /// An adult who decides for themselves.
    Own,
    /// An unaccompanied or separated child, or an adult found to lack capacity: a
    /// professional's assessment, a best-interests determination (for a child) and the
    /// consent of the legal representative.
    Representative { child: bool },
    /// A child travelling with an adult of the family, who consents for the household.
    CoveredByFamily,
}

/// An adult on `on` who was not found to lack capacity.
fn capable_adult(case: &Case, m: &Member, on: NaiveDate) -> bool {
    m.details.date_of_birth.is_adult_on(on)
        && !case
            .capacity
            .get(&m.person_id)
            .is_some_and(|a| a.lacks_capacity)
}

/// Whether a child travels with a parent who can decide for them. Relationships are to
/// the principal applicant: a child of an adult principal, or a principal applicant (or
/// their sibling) whose parent is on the case. A child with other relatives only is a
/// separated child.
fn with_parent(case: &Case, m: &Member, on: NaiveDate) -> bool {
    match m.relationship {
        Relationship::Child => case.principal().is_some_and(|p| capable_adult(case, p, on)),
        Relationship::Principal | Relationship::Sibling => case
            .members
            .iter()
            .any(|x| x.relationship == Relationship::Parent && capable_adult(case, x, on)),
        _ => false,
    }
}

/// Whether a member is a child who needs the capacity path on `on`: flagged as
/// unaccompanied or separated, or without a parent on the case who can decide for them.
pub fn is_unaccompanied_child(case: &Case, m: &Member, on: NaiveDate) -> bool {
    !m.details.date_of_birth.is_adult_on(on)
        && (m.details.has(Vulnerability::UnaccompaniedOrSeparatedChild)
            || !with_parent(case, m, on))
}

pub fn consent_path(case: &Case, m: &Member, on: NaiveDate) -> ConsentPath {
    if m.details.date_of_birth.is_adult_on(on) {
        let lacks = case
            .capacity
            .get(&m.person_id)
            .is_some_and(|a| a.lacks_capacity);
        if lacks {
            ConsentPath::Representative { child: false }
        } else {
            ConsentPath::Own
        }
    } else if is_unaccompanied_child(case, m, on) {
        ConsentPath::Representative { child: true }
    } else {
        ConsentPath::CoveredByFamily
    }
}

/// Who gives consent on this path (nobody when the family consents for a child).
pub fn giver_for(path: ConsentPath) -> Option<ConsentGiver> {
    match path {
        ConsentPath::Own => Some(ConsentGiver::Person),
        ConsentPath::Representative { .. } => Some(ConsentGiver::Representative),
        ConsentPath::CoveredByFamily => None,
    }
}

/// The languages of whoever gives consent for `person`.
fn giver_languages(case: &Case, person: PersonId, giver: ConsentGiver) -> Option<&[LanguageCode]> {
    match giver {
        ConsentGiver::Person => case.member(person).map(|m| m.details.languages.as_slice()),
        ConsentGiver::Representative => case
            .representatives
            .get(&person)
            .map(|r| r.languages.as_slice()),
    }
}

/// Sessions that informed the consent giver: they attended, in a language they
/// understand, and every informing topic was covered. Earliest first.
pub fn informing_sessions(
    case: &Case,
    person: PersonId,
    giver: ConsentGiver,
) -> impl Iterator<Item = &super::SessionRecord> {
    let attendee = match giver {
        ConsentGiver::Person => Attendee::Member(person),
        ConsentGiver::Representative => Attendee::RepresentativeOf(person),
    };
    let langs = giver_languages(case, person, giver).unwrap_or(&[]);
    case.sessions.iter().filter(move |r| {
        r.session.attendees.contains(&attendee)
            && langs.contains(&r.session.language)
            && r.session.is_information_session()
    })
}

/// The earliest moment consent may be given: the first informing session plus the
/// reflection period. `None` when no session has informed the giver yet.
pub fn consent_possible_from(
    case: &Case,
    person: PersonId,
    giver: ConsentGiver,
    programme: &ProgrammeSettings,
) -> Option<DateTime<Utc>> {
    informing_sessions(case, person, giver)
        .next()
        .map(|r| r.at + Duration::days(i64::from(programme.reflection_period_days)))
}

fn who(case: &Case, person: PersonId, giver: ConsentGiver) -> String {
    let name = case
        .member(person)
        .map(|m| m.details.name.display())
        .unwrap_or_else(|| person.to_string());
    match giver {
        ConsentGiver::Person => name,
        ConsentGiver::Representative => format!("the legal representative of {name}"),
    }
}

/// Why a consent by `giver` for `person` at `at` does not meet the information and
/// reflection conditions. Empty when it does.
pub fn information_and_reflection(
    case: &Case,
    person: PersonId,
    giver: ConsentGiver,
    at: DateTime<Utc>,
    programme: &ProgrammeSettings,
) -> Vec<Violation> {
    let whom = who(case, person, giver);
    match consent_possible_from(case, person, giver, programme) {
        None => vec![
            Violation::new(
                "consent.no_information_session",
                format!(
                    "{whom} has not attended an information session in a language they \
                     understand that covered return modalities, conditions in the country \
                     of return, return by own means and options to stay"
                ),
            )
            .person(person),
        ],
        Some(from) if at < from => vec![
            Violation::new(
                "consent.reflection_period",
                format!(
                    "consent can be recorded from {}, when the reflection period of {} days \
                     since {whom} was informed ends",
                    from.format("%-d %B %Y"),
                    programme.reflection_period_days
                ),
            )
            .person(person)
            .param("from_date", from.date_naive())
            .param("days", programme.reflection_period_days),
        ],
        Some(_) => vec![],
    }
}

/// Conditions a new consent must meet, beyond the attestations.
pub fn check_new_consent(
    case: &Case,
    person: PersonId,
    giver: ConsentGiver,
    at: DateTime<Utc>,
    programme: &ProgrammeSettings,
) -> Vec<Violation> {
    let Some(m) = case.member(person) else {
        return vec![
            Violation::new(
                "person.not_a_member",
                "this person is not a member of the case",
            )
            .at("person_id"),
        ];
    };
    let path = consent_path(case, m, at.date_naive());
    let name = m.details.name.display();
    match (path, giver) {
        (ConsentPath::CoveredByFamily, _) if !case.withdrawals.contains_key(&person) => {
            return vec![
                Violation::new(
                    "consent.covered_by_family",
                    format!(
                        "{name} is a child travelling with their family: the consent of the \
                         adults covers them"
                    ),
                )
                .person(person)
                .at("person_id"),
            ];
        }
        (ConsentPath::Own, ConsentGiver::Representative) => {
            return vec![
                Violation::new(
                    "consent.own_required",
                    format!(
                        "{name} is an adult who decides for themselves: they consent in person"
                    ),
                )
                .person(person)
                .at("given_by"),
            ];
        }
        (ConsentPath::Representative { child }, ConsentGiver::Person) => {
            let why = if child {
                "an unaccompanied or separated child"
            } else {
                "found by a qualified professional to lack capacity"
            };
            return vec![
                Violation::new(
                    "consent.representative_required",
                    format!("{name} is {why}: their legal representative consents for them"),
                )
                .person(person)
                .at("given_by"),
            ];
        }
        _ => {}
    }
    let mut out = Vec::new();
    if let ConsentPath::Representative { child } = path {
        out.extend(capacity_conditions(case, m, child));
    }
    out.extend(information_and_reflection(
        case, person, giver, at, programme,
    ));
    out
}

/// What the capacity path requires besides the representative's consent.
fn capacity_conditions(case: &Case, m: &Member, child: bool) -> Vec<Violation> {
    let mut out = Vec::new();
    let person = m.person_id;
    let name = m.details.name.display();
    if !case.capacity.contains_key(&person) {
        out.push(
            Violation::new(
                "capacity.assessment_missing",
                format!("{name} needs an assessment by a qualified professional"),
            )
            .person(person),
        );
    }
    if child {
        match case.best_interests.get(&person) {
            None => out.push(
                Violation::new(
                    "capacity.best_interests_missing",
                    format!("{name} is a child: a best-interests determination is required"),
                )
                .person(person),
            ),
            Some(b) if !b.return_in_best_interests => out.push(
                Violation::new(
                    "capacity.best_interests_against_return",
                    format!("the best-interests determination for {name} found return not in their best interests"),
                )
                .person(person),
            ),
            Some(_) => {}
        }
    }
    if !case.representatives.contains_key(&person) {
        out.push(
            Violation::new(
                "capacity.representative_missing",
                format!("{name} needs a legal guardian or representative to be recorded"),
            )
            .person(person),
        );
    }
    out
}

/// Every reason a member's consent does not stand for departure at `at`.
pub fn consent_conditions(
    case: &Case,
    m: &Member,
    at: DateTime<Utc>,
    programme: &ProgrammeSettings,
) -> Vec<Violation> {
    let on = at.date_naive();
    let path = consent_path(case, m, on);
    let person = m.person_id;
    let name = m.details.name.display();
    if case.withdrawals.contains_key(&person) {
        return vec![
            Violation::new(
                "consent.withdrawn",
                format!("{name} has withdrawn: they do not travel unless they consent again or are removed from the case"),
            )
            .person(person),
        ];
    }
    let Some(giver) = giver_for(path) else {
        return vec![];
    };
    let mut out = Vec::new();
    if let ConsentPath::Representative { child } = path {
        out.extend(capacity_conditions(case, m, child));
    }
    match case.consents.get(&person) {
        None => out.push(
            Violation::new(
                match giver {
                    ConsentGiver::Person => "consent.missing",
                    ConsentGiver::Representative => "consent.representative_missing",
                },
                format!("no consent from {}", who(case, person, giver)),
            )
            .person(person),
        ),
        Some(c) if c.withdrawn_at.is_some() => out.push(
            Violation::new(
                "consent.withdrawn",
                format!("{name} has withdrawn their consent"),
            )
            .person(person),
        ),
        Some(c) if c.given_by != giver => out.push(
            Violation::new(
                "consent.wrong_giver",
                format!(
                    "the consent for {name} was not given by {}",
                    who(case, person, giver)
                ),
            )
            .person(person),
        ),
        Some(c) if c.given_at > at => out.push(
            Violation::new(
                "consent.dated_after",
                format!(
                    "the consent of {name} is dated after {}, when this step is said to happen",
                    at.format("%Y-%m-%d %H:%M UTC")
                ),
            )
            .person(person),
        ),
        Some(c) => {
            out.extend(information_and_reflection(
                case, person, giver, c.given_at, programme,
            ));
            if c.proposal_revision != case.proposal_revision {
                out.push(
                    Violation::new(
                        "consent.stale",
                        format!(
                            "the proposal changed after {name}'s consent: consent must be re-confirmed"
                        ),
                    )
                    .person(person),
                );
            }
        }
    }
    out
}
