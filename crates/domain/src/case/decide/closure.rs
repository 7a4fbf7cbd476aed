//! Closing, eligibility, screening and itineraries: the checks behind those commands.

use super::*;

pub(super) fn check_closure(case: &Case, outcome: Outcome, today: NaiveDate, c: &mut Check) {
    use Stage::*;
    let allowed: &[Stage] = match outcome {
        Outcome::Completed => &[Arrived, Reintegration, Monitoring],
        Outcome::Withdrawn => &[Withdrawn],
        Outcome::NoShow => &[PreDeparture],
        Outcome::Ineligible => &[
            Registered,
            Counselling,
            Applied,
            Rejected,
            Approved,
            PreDeparture,
            ReadyToDepart,
        ],
        Outcome::RegularisedInHostCountry => &[
            Registered,
            Counselling,
            Applied,
            Rejected,
            Approved,
            PreDeparture,
            ReadyToDepart,
            Withdrawn,
        ],
        Outcome::LostContact | Outcome::Deceased => &[
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
        ],
    };
    if !allowed.contains(&case.stage) {
        c.push(
            Violation::new(
                "closure.outcome_not_allowed",
                format!(
                    "a case that is {} cannot be closed as {:?}",
                    case.stage.code().replace('_', " "),
                    outcome
                ),
            )
            .at("outcome"),
        );
    }
    if outcome == Outcome::Completed && case.stage.is_after_departure() {
        c.extend(super::reintegration_unfinished(case));
        c.extend(super::monitoring_unfinished(case, today));
    }
    if outcome == Outcome::NoShow && case.no_shows == 0 {
        c.push(
            Violation::new(
                "closure.no_no_show",
                "no no-show has been recorded on this case",
            )
            .at("outcome"),
        );
    }
}

/// Why the case is not eligible now: its screening facts judged against the current
/// proposal and programme (a stored conclusion may be stale). Empty: eligible.
pub fn eligibility_violations(case: &Case, programme: &ProgrammeSettings) -> Vec<Violation> {
    let Some(s) = &case.screening else {
        return vec![Violation::new(
            "eligibility.not_screened",
            "eligibility has not been screened",
        )];
    };
    screen(case, s.facts.clone(), programme)
        .reasons
        .iter()
        .map(|code| {
            let message = match code.as_str() {
                "eligibility.removal_procedure_initiated" => "a removal (deportation) procedure has been initiated: the case is not eligible for voluntary return",
                "eligibility.third_country_admission_unconfirmed" => "admission to the third country of return is not confirmed",
                "eligibility.admissibility_pending" => "admissibility to the country of return is still pending",
                "eligibility.not_admissible" => "the person is not admissible to the country of return",
                "programme.host_country" => "the programme does not run in the host country of this case",
                "programme.country_of_return" => "the programme does not cover returns to this country",
                _ => "the case is not eligible",
            };
            let code: &'static str = ELIGIBILITY_CODES
                .iter()
                .find(|c| **c == code.as_str())
                .copied()
                .unwrap_or("eligibility.not_eligible");
            Violation::new(code, message)
        })
        .collect()
}

pub(super) const ELIGIBILITY_CODES: [&str; 6] = [
    "eligibility.removal_procedure_initiated",
    "eligibility.third_country_admission_unconfirmed",
    "eligibility.admissibility_pending",
    "eligibility.not_admissible",
    "programme.host_country",
    "programme.country_of_return",
];

pub(crate) fn screen(case: &Case, facts: ScreeningFacts, s: &ProgrammeSettings) -> Screening {
    let mut reasons = Vec::new();
    if facts.removal_procedure == RemovalProcedure::Initiated {
        reasons.push("eligibility.removal_procedure_initiated".to_string());
    }
    match (facts.admissibility, case.proposal.return_kind) {
        (Admissibility::National, ReturnKind::Origin) | (Admissibility::AdmissionConfirmed, _) => {}
        (Admissibility::National, ReturnKind::ThirdCountry) => {
            reasons.push("eligibility.third_country_admission_unconfirmed".to_string())
        }
        (Admissibility::Pending, _) => {
            reasons.push("eligibility.admissibility_pending".to_string())
        }
        (Admissibility::Refused, _) => reasons.push("eligibility.not_admissible".to_string()),
    }
    if !s.host_countries.contains(&case.host_country) {
        reasons.push("programme.host_country".to_string());
    }
    if !s.return_countries.is_empty()
        && !s
            .return_countries
            .contains(&case.proposal.country_of_return)
    {
        reasons.push("programme.country_of_return".to_string());
    }
    let eligible = reasons.is_empty();
    Screening {
        facts,
        eligible,
        reasons,
    }
}

pub(super) fn check_itinerary(i: &Itinerary, c: &mut Check) {
    if i.legs.is_empty() {
        c.push(Violation::new("itinerary.empty", "an itinerary has at least one leg").at("legs"));
    }
    for (n, leg) in i.legs.iter().enumerate() {
        if leg.from == leg.to {
            c.push(
                Violation::new(
                    "itinerary.same_airport",
                    "a leg departs from and arrives at the same airport",
                )
                .at(format!("legs/{n}/to")),
            );
        }
        if leg.arrives_at <= leg.departs_at {
            c.push(
                Violation::new(
                    "itinerary.arrives_before_departure",
                    "the leg arrives before it departs",
                )
                .at(format!("legs/{n}/arrives_at")),
            );
        }
        if let Some(prev) = n.checked_sub(1).and_then(|p| i.legs.get(p)) {
            if prev.to != leg.from {
                c.push(
                    Violation::new(
                        "itinerary.disconnected",
                        format!(
                            "this leg departs from {}, but the previous one arrives at {}",
                            leg.from, prev.to
                        ),
                    )
                    .at(format!("legs/{n}/from")),
                );
            }
            if leg.departs_at < prev.arrives_at {
                c.push(
                    Violation::new(
                        "itinerary.overlapping",
                        "this leg departs before the previous one arrives",
                    )
                    .at(format!("legs/{n}/departs_at")),
                );
            }
        }
    }
}
