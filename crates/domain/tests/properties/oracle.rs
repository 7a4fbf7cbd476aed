//! The oracle: every departure condition restated from DESIGN.md, written apart from
//! the guard it checks.

use super::*;

/// The departure conditions, restated from DESIGN.md without the guard's code.
pub(super) fn oracle(case: &Case, s: &Scenario) -> Result<(), String> {
    let p = &s.programme;
    let at = s.now;
    let today = at.date_naive();
    if case.application.as_ref().and_then(|a| a.approved) != Some(true) {
        return Err("not approved".into());
    }
    let sc = case.screening.as_ref().ok_or("not screened")?;
    if sc.facts.removal_procedure == RemovalProcedure::Initiated || !sc.eligible {
        return Err("ineligible".into());
    }
    let it = case.itinerary.as_ref().ok_or("no itinerary")?;
    let travel_day = it.legs[0].departs_at.date_naive();
    let capable = |x: &Member| {
        x.details.date_of_birth.is_adult_on(today)
            && !case
                .capacity
                .get(&x.person_id)
                .is_some_and(|c| c.lacks_capacity)
    };
    let principal_capable = case
        .members
        .iter()
        .any(|x| x.relationship == Relationship::Principal && capable(x));
    let parent_capable = case
        .members
        .iter()
        .any(|x| x.relationship == Relationship::Parent && capable(x));
    for m in &case.members {
        let id = m.person_id;
        if case.withdrawals.contains_key(&id) {
            return Err(format!("{id}: withdrew"));
        }
        let is_adult = m.details.date_of_birth.is_adult_on(today);
        let with_parent = match m.relationship {
            Relationship::Child => principal_capable,
            Relationship::Principal | Relationship::Sibling => parent_capable,
            _ => false,
        };
        let uasc = !is_adult
            && (m.details.has(Vulnerability::UnaccompaniedOrSeparatedChild) || !with_parent);
        let lacks = is_adult && case.capacity.get(&id).is_some_and(|c| c.lacks_capacity);
        let giver = if uasc || lacks {
            Some(ConsentGiver::Representative)
        } else if is_adult {
            Some(ConsentGiver::Person)
        } else {
            None
        };
        if uasc || lacks {
            if !case.capacity.contains_key(&id) || !case.representatives.contains_key(&id) {
                return Err(format!("{id}: capacity path incomplete"));
            }
            if uasc
                && !case
                    .best_interests
                    .get(&id)
                    .is_some_and(|b| b.return_in_best_interests)
            {
                return Err(format!("{id}: best interests"));
            }
        }
        if let Some(giver) = giver {
            let c = case.consents.get(&id).ok_or(format!("{id}: no consent"))?;
            if c.withdrawn_at.is_some()
                || c.given_at > at
                || c.given_by != giver
                || c.proposal_revision != case.proposal_revision
            {
                return Err(format!("{id}: consent not standing"));
            }
            let langs: Vec<_> = match giver {
                ConsentGiver::Person => m.details.languages.clone(),
                ConsentGiver::Representative => case.representatives[&id].languages.clone(),
            };
            let attendee = match giver {
                ConsentGiver::Person => Attendee::Member(id),
                ConsentGiver::Representative => Attendee::RepresentativeOf(id),
            };
            let informed = case.sessions.iter().any(|r| {
                r.session.attendees.contains(&attendee)
                    && langs.contains(&r.session.language)
                    && INFORMING_TOPICS
                        .iter()
                        .all(|t| r.session.topics.contains(t))
                    && r.at + Duration::days(i64::from(p.reflection_period_days)) <= c.given_at
            });
            if !informed {
                return Err(format!("{id}: not informed in time"));
            }
        }
        let needs_health = match &p.health_assessment {
            HealthAssessmentRule::Always => true,
            HealthAssessmentRule::ForVulnerabilities(v) => v.iter().any(|x| m.details.has(*x)),
        };
        let health = case.health.get(&id);
        if (needs_health && health.is_none())
            || health.is_some_and(|h| h.fitness == Fitness::NotFit)
        {
            return Err(format!("{id}: fitness"));
        }
        let escorted = |k: EscortKind| {
            case.escorts
                .values()
                .any(|e| e.kind == k && e.accompanies.contains(&id))
        };
        if health.is_some_and(|h| h.fitness == Fitness::FitWithMedicalEscort)
            && !escorted(EscortKind::Medical)
        {
            return Err(format!("{id}: medical escort"));
        }
        if uasc && !escorted(EscortKind::Child) {
            return Err(format!("{id}: child escort"));
        }
        if m.details.has(Vulnerability::VictimOfTrafficking)
            && case
                .risk
                .get(&id)
                .is_none_or(|r| r.conclusion == RiskConclusion::ReturnMustNotProceed)
        {
            return Err(format!("{id}: risk"));
        }
        // Reception and protection on arrival: a referral taken in the country of return
        // for the services the vulnerability needs; for a child alone, a receiver named.
        {
            use homeward_domain::case::referrals::{ReferralStatus as RS, ReferralStep};
            use homeward_domain::organisation::ServiceType as S;
            let mut needs: Vec<&[S]> = vec![];
            if m.details.has(Vulnerability::VictimOfTrafficking) {
                needs.push(&[S::Reception, S::Shelter]);
            }
            if uasc {
                needs.push(&[S::ChildProtection, S::Reception]);
            }
            if m.details.has(Vulnerability::MedicalNeeds) {
                needs.push(&[S::MedicalCare]);
            }
            for services in needs {
                let taken: Vec<_> = case
                    .referrals
                    .referrals
                    .values()
                    .filter(|r| {
                        r.request.people.contains(&id)
                            && services.contains(&r.request.service)
                            && r.request.country.as_ref() == Some(&case.proposal.country_of_return)
                            && match r.status {
                                RS::Accepted | RS::InProgress | RS::Delivered => true,
                                RS::Closed => r
                                    .steps
                                    .iter()
                                    .any(|s| matches!(s.step, ReferralStep::Delivered { .. })),
                                _ => false,
                            }
                    })
                    .collect();
                if taken.is_empty() {
                    return Err(format!("{id}: no reception referral"));
                }
                if uasc
                    && services.contains(&S::ChildProtection)
                    && taken.iter().all(|r| r.receiver.is_none())
                {
                    return Err(format!("{id}: nobody named to receive the child"));
                }
            }
        }
        let doc = case.documents.values().any(|d| {
            d.person_id == id
                && matches!(d.kind, DocumentKind::Passport | DocumentKind::LaissezPasser)
                && matches!(d.status, DocumentStatus::Held | DocumentStatus::Issued)
                && d.expires_on.is_none_or(|e| e >= travel_day)
        });
        if !doc {
            return Err(format!("{id}: travel document"));
        }
        if it.legs.iter().any(|l| l.transit_permit_required)
            && !case.documents.values().any(|d| {
                d.person_id == id
                    && matches!(d.kind, DocumentKind::Visa | DocumentKind::TransitPermit)
                    && d.usable_on(travel_day)
            })
        {
            return Err(format!("{id}: transit permit"));
        }
    }
    Ok(())
}
