//! The departure guard: a case departs only when every condition holds. A refusal names
//! every unmet condition at once.

use chrono::{DateTime, NaiveDate, Utc};

use super::decide::eligibility_violations;
use super::records::*;
use super::voluntariness::{consent_conditions, is_unaccompanied_child};
use super::{Case, Stage};
use crate::airports;
use crate::person::{Member, Vulnerability};
use crate::programme::ProgrammeSettings;
use crate::rules::Violation;

/// Every unmet departure condition of `case` for a departure at `at`. Empty means the
/// case may depart.
pub fn unmet_departure_conditions(
    case: &Case,
    at: DateTime<Utc>,
    programme: &ProgrammeSettings,
) -> Vec<Violation> {
    let mut out = Vec::new();
    let travel_day = travel_day(case, at);

    match case.application.as_ref().and_then(|a| a.approved) {
        Some(true) => {}
        _ => out.push(Violation::new(
            "departure.not_approved",
            "the application has not been approved",
        )),
    }

    out.extend(eligibility_violations(case, programme));

    match &case.itinerary {
        None => out.push(Violation::new(
            "departure.no_itinerary",
            "no itinerary has been booked",
        )),
        Some(it) => {
            let dest = it.legs.last().and_then(|l| airports::country_of(&l.to));
            if let Some(dest) = dest.filter(|d| *d != case.proposal.country_of_return) {
                out.push(
                    Violation::new(
                        "departure.itinerary_wrong_destination",
                        format!(
                            "the itinerary ends in {}, not in the country of return {}",
                            dest.name(),
                            case.proposal.country_of_return.name()
                        ),
                    )
                    .param("country", dest),
                );
            }
        }
    }

    for m in &case.members {
        out.extend(consent_conditions(case, m, at, programme));
        out.extend(health_conditions(case, m, programme));
        out.extend(risk_conditions(case, m, programme));
        out.extend(document_conditions(case, m, travel_day));
        out.extend(escort_conditions(case, m, travel_day, programme));
        out.extend(protection_conditions(case, m, travel_day, programme));
    }
    out
}

/// Reception and protection on arrival: a person whose vulnerability needs it departs
/// once a referral for one of the programme's services is taken (accepted, under way or
/// delivered) by an organisation in the country of return; an unaccompanied child once
/// that organisation has named who receives them.
fn protection_conditions(
    case: &Case,
    m: &Member,
    day: NaiveDate,
    programme: &ProgrammeSettings,
) -> Vec<Violation> {
    let mut needs = m.details.vulnerabilities.clone();
    let uasc = is_unaccompanied_child(case, m, day);
    if uasc {
        needs.insert(Vulnerability::UnaccompaniedOrSeparatedChild);
    }
    let taken = |services: &std::collections::BTreeSet<crate::organisation::ServiceType>| {
        case.referrals
            .referrals
            .values()
            .filter(|r| {
                r.request.people.contains(&m.person_id)
                    && services.contains(&r.request.service)
                    && r.request.country.as_ref() == Some(&case.proposal.country_of_return)
                    && r.is_taken()
            })
            .collect::<Vec<_>>()
    };
    let mut out = Vec::new();
    for v in needs {
        let services = programme.reception_services(v);
        if services.is_empty() {
            continue;
        }
        let found = taken(&services);
        if found.is_empty() {
            out.push(
                Violation::new(
                    "protection.reception_referral_missing",
                    format!(
                        "{} needs a referral for reception or protection in the country of return, accepted before departure ({})",
                        name(m),
                        services
                            .iter()
                            .map(|s| s.code())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
                .person(m.person_id)
                .param("vulnerability", v.code()),
            );
        } else if v == Vulnerability::UnaccompaniedOrSeparatedChild
            && found.iter().all(|r| r.receiver.is_none())
        {
            out.push(
                Violation::new(
                    "protection.child_receiver_missing",
                    format!(
                        "{} is a child travelling alone: record who receives them at arrival, as the organisation names them",
                        name(m)
                    ),
                )
                .person(m.person_id)
                .param("vulnerability", v.code()),
            );
        }
    }
    out
}

/// The day documents must be valid and ages are counted: the first flight's day if
/// booked, otherwise the day of the check.
fn travel_day(case: &Case, at: DateTime<Utc>) -> NaiveDate {
    case.itinerary
        .as_ref()
        .and_then(|i| i.legs.first())
        .map(|l| l.departs_at.date_naive())
        .unwrap_or_else(|| at.date_naive())
}

fn name(m: &Member) -> String {
    m.details.name.display()
}

fn health_conditions(case: &Case, m: &Member, programme: &ProgrammeSettings) -> Vec<Violation> {
    let required = programme.requires_health_assessment(&m.details.vulnerabilities);
    match case.health.get(&m.person_id) {
        None if required => vec![
            Violation::new(
                "health.assessment_missing",
                format!("{} needs a health assessment of fitness to travel", name(m)),
            )
            .person(m.person_id),
        ],
        Some(h) if h.fitness == Fitness::NotFit => vec![
            Violation::new(
                "health.not_fit",
                format!("{} was assessed not fit to travel", name(m)),
            )
            .person(m.person_id),
        ],
        _ => vec![],
    }
}

fn risk_conditions(case: &Case, m: &Member, programme: &ProgrammeSettings) -> Vec<Violation> {
    // Victims of violence are assessed as victims of trafficking are.
    if !programme.risk_assessment_for_trafficking
        || !(m.details.has(Vulnerability::VictimOfTrafficking)
            || m.details.has(Vulnerability::VictimOfViolence))
    {
        return vec![];
    }
    match case.risk.get(&m.person_id) {
        None => vec![
            Violation::new(
                "protection.risk_assessment_missing",
                format!("{} needs a risk assessment before return", name(m)),
            )
            .person(m.person_id),
        ],
        Some(r) if r.conclusion == RiskConclusion::ReturnMustNotProceed => vec![
            Violation::new(
                "protection.risk_too_high",
                format!(
                    "the risk assessment for {} concluded that return must not proceed",
                    name(m)
                ),
            )
            .person(m.person_id),
        ],
        Some(_) => vec![],
    }
}

/// The documents `m` can cross borders on (a passport or a laissez-passer), in any status.
fn travel_documents<'a>(case: &'a Case, m: &Member) -> impl Iterator<Item = &'a TravelDocument> {
    case.documents_of(m.person_id)
        .filter(|d| matches!(d.kind, DocumentKind::Passport | DocumentKind::LaissezPasser))
}

/// The soonest day on which someone's last travel document runs out before the booked
/// flight, while the case prepares to leave (`Stage::PREPARING`): the deadline to renew it
/// or have a laissez-passer issued (the departure conditions name who). None without a
/// flight, in any other stage (a reopened case keeps its old itinerary until it is
/// approved again), or when everyone holding a travel document may fly on it; someone
/// who holds none at all is a missing document, not an expiring one.
pub fn travel_document_expires_before_flight(case: &Case) -> Option<NaiveDate> {
    if !Stage::PREPARING.contains(&case.stage) {
        return None;
    }
    let flight = case
        .itinerary
        .as_ref()?
        .legs
        .first()?
        .departs_at
        .date_naive();
    case.members
        .iter()
        .filter(|m| !travel_documents(case, m).any(|d| d.usable_on(flight)))
        .filter_map(|m| {
            travel_documents(case, m)
                .filter(|d| matches!(d.status, DocumentStatus::Held | DocumentStatus::Issued))
                .filter_map(|d| d.expires_on)
                .max()
        })
        .min()
}

fn document_conditions(case: &Case, m: &Member, day: NaiveDate) -> Vec<Violation> {
    let mut out = Vec::new();
    let travel_doc = travel_documents(case, m).any(|d| d.usable_on(day));
    if !travel_doc {
        out.push(
            Violation::new(
                "documents.travel_document_missing",
                format!(
                    "{} has no valid passport or issued laissez-passer for {}",
                    name(m),
                    day
                ),
            )
            .person(m.person_id),
        );
    }
    let transit = case
        .itinerary
        .as_ref()
        .is_some_and(|i| i.legs.iter().any(|l| l.transit_permit_required));
    if transit {
        let permit = case.documents_of(m.person_id).any(|d| {
            matches!(d.kind, DocumentKind::Visa | DocumentKind::TransitPermit) && d.usable_on(day)
        });
        if !permit {
            out.push(
                Violation::new(
                    "documents.transit_permit_missing",
                    format!(
                        "{} needs a visa or transit permit for the itinerary",
                        name(m)
                    ),
                )
                .person(m.person_id),
            );
        }
    }
    out
}

fn escort_conditions(
    case: &Case,
    m: &Member,
    day: NaiveDate,
    programme: &ProgrammeSettings,
) -> Vec<Violation> {
    let mut out = Vec::new();
    let has = |kind: Option<EscortKind>| {
        case.escorts_of(m.person_id)
            .any(|e| kind.is_none_or(|k| e.kind == k))
    };
    if is_unaccompanied_child(case, m, day) && !has(Some(EscortKind::Child)) {
        out.push(
            Violation::new(
                "escort.child_escort_missing",
                format!(
                    "{} is an unaccompanied child and needs a child escort",
                    name(m)
                ),
            )
            .person(m.person_id),
        );
    }
    let medical = case
        .health
        .get(&m.person_id)
        .is_some_and(|h| h.fitness == Fitness::FitWithMedicalEscort);
    if medical && !has(Some(EscortKind::Medical)) {
        out.push(
            Violation::new(
                "escort.medical_escort_missing",
                format!(
                    "{} was assessed fit to travel with a medical escort, and none is assigned",
                    name(m)
                ),
            )
            .person(m.person_id),
        );
    }
    let programme_rule = m
        .details
        .vulnerabilities
        .iter()
        .find(|v| programme.escort_required_for.contains(v));
    if let Some(v) = programme_rule
        && !has(None)
    {
        out.push(
            Violation::new(
                "escort.programme_escort_missing",
                format!(
                    "the programme requires an escort for {} (vulnerability)",
                    name(m)
                ),
            )
            .person(m.person_id)
            .param("vulnerability", v.code()),
        );
    }
    out
}
