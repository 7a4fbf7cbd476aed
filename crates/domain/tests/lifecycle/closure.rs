//! Closure, and what review found.

use super::*;

#[test]
pub(super) fn closure_outcomes_fit_the_stage() {
    let mut s = Scenario::single_adult();
    for o in [Outcome::Completed, Outcome::Withdrawn, Outcome::NoShow] {
        s.refused(
            COUNSELLOR,
            Command::Close {
                outcome: o,
                note: None,
            },
            "closure.outcome_not_allowed",
        );
    }
    s.ok(
        COUNSELLOR,
        Command::Close {
            outcome: Outcome::LostContact,
            note: None,
        },
    );
    s.refused(COUNSELLOR, Command::StartMonitoring, "stage.not_allowed");
}

// ---- Found in review -------------------------------------------------------------------

#[test]
pub(super) fn a_minor_sibling_travelling_with_an_adult_is_a_separated_child() {
    let mut s = Scenario::register(vec![
        member(1, Relationship::Principal, adult("Awa")),
        member(2, Relationship::Sibling, child("Binta")),
    ]);
    s.information_session(&[Attendee::Member(P2)], "wo");
    s.advance(3);
    s.refused(
        COUNSELLOR,
        Scenario::consent_cmd(P2, ConsentGiver::Person),
        "consent.representative_required",
    );
}

#[test]
pub(super) fn a_child_whose_parent_lacks_capacity_needs_the_capacity_path() {
    let mut s = Scenario::family();
    s.ok(
        COUNSELLOR,
        Command::AssessCapacity(CapacityAssessment {
            person_id: P1,
            professional: t("Dr. A. Kane"),
            qualification: t("Psychiatrist"),
            lacks_capacity: true,
            notes: None,
        }),
    );
    let c = s.case();
    let v = unmet_departure_conditions(&c, s.now, &s.programme);
    assert!(
        v.iter()
            .any(|v| v.code == "capacity.assessment_missing" && v.person_id == Some(P3)),
        "the child of a principal who lacks capacity is not covered by the family"
    );
}

#[test]
pub(super) fn a_covered_child_who_withdraws_does_not_travel() {
    let mut s = Scenario::family();
    s.approve_adults(&[P1, P2]);
    s.prepare_travel();
    s.ok(
        COUNSELLOR,
        Command::Withdraw {
            person_id: P3,
            own_words: Some(lt("I want to stay with my friends.")),
            whole_case: false,
        },
    );
    let r = s.refused(MOVEMENT, Command::MarkReadyToDepart, "consent.withdrawn");
    assert_eq!(
        r.violations
            .iter()
            .find(|v| v.code == "consent.withdrawn")
            .unwrap()
            .person_id,
        Some(P3)
    );
    s.ok(
        COUNSELLOR,
        Command::RemoveMember {
            person_id: P3,
            reason: lt("Stays with her aunt"),
        },
    );
    s.ok(MOVEMENT, Command::MarkReadyToDepart);
}

#[test]
pub(super) fn a_step_is_never_dated_before_the_step_before_it() {
    let mut s = ready_single_adult();
    s.ok(MOVEMENT, Command::MarkReadyToDepart);
    let yesterday = s.now - Duration::days(1);
    let r = s
        .run_at(MOVEMENT, yesterday, Command::ConfirmDeparture)
        .unwrap_err();
    assert!(r.has("time.before_previous_step"), "{r}");
    assert_eq!(r.violations[0].field.as_deref(), Some("occurred_at"));
}

#[test]
pub(super) fn a_departure_dated_before_a_consent_is_refused() {
    let mut s = Scenario::single_adult();
    s.information_session(&[Attendee::Member(P1)], "wo");
    s.advance(3);
    s.ok(COUNSELLOR, Scenario::consent_cmd(P1, ConsentGiver::Person));
    let consented = s.now;
    s.screen_eligible();
    s.ok(COUNSELLOR, Command::SubmitApplication);
    s.ok(APPROVER, Command::ApproveApplication { comment: None });
    s.prepare_travel();
    s.advance(5);
    // Ready to depart, dated before the consent.
    let before_consent = consented - Duration::days(1);
    let r = s
        .run_at(MOVEMENT, before_consent, Command::MarkReadyToDepart)
        .unwrap_err();
    assert!(r.has("consent.dated_after"), "{r}");
}

#[test]
pub(super) fn a_correction_cannot_declare_an_ineligible_case_eligible() {
    let mut s = Scenario::single_adult();
    s.ok(
        COUNSELLOR,
        Command::ScreenEligibility(ScreeningFacts {
            removal_procedure: RemovalProcedure::NotInitiated,
            admissibility: Admissibility::Refused,
            category: t("irregular migrant"),
        }),
    );
    let v = s
        .events
        .iter()
        .rev()
        .find(|e| e.event.kind() == "eligibility_screened")
        .unwrap()
        .clone();
    let Event::EligibilityScreened(mut forged) = v.event else {
        unreachable!()
    };
    forged.eligible = true;
    forged.reasons.clear();
    s.ok(
        COUNSELLOR,
        Command::Correct {
            corrects: v.meta.version,
            occurred_at: None,
            replacement: Box::new(Event::EligibilityScreened(forged)),
            reason: lt("typo"),
        },
    );
    let sc = s.case().screening.unwrap();
    assert!(!sc.eligible, "the rules draw the conclusion, not the input");
    s.information_session(&[Attendee::Member(P1)], "wo");
    s.refused(
        COUNSELLOR,
        Command::SubmitApplication,
        "eligibility.not_admissible",
    );
}

#[test]
pub(super) fn eligibility_is_judged_against_the_current_proposal() {
    let mut s = ready_single_adult();
    // Screened as a national returning home; the proposal then moves to a third country.
    let mut p = s.case().proposal;
    p.country_of_return = cc("GE");
    p.return_kind = ReturnKind::ThirdCountry;
    s.ok(COUNSELLOR, Command::ChangeProposal(p));
    s.refused(
        MOVEMENT,
        Command::MarkReadyToDepart,
        "eligibility.third_country_admission_unconfirmed",
    );
}

#[test]
pub(super) fn a_correction_does_not_change_who_the_principal_is() {
    let mut s = Scenario::family();
    let v = s
        .events
        .iter()
        .find(|e| matches!(&e.event, Event::MemberAdded(m) if m.person_id == P1))
        .unwrap()
        .clone();
    let Event::MemberAdded(mut m) = v.event else {
        unreachable!()
    };
    m.relationship = Relationship::Spouse;
    s.refused(
        COUNSELLOR,
        Command::Correct {
            corrects: v.meta.version,
            occurred_at: None,
            replacement: Box::new(Event::MemberAdded(m)),
            reason: lt("x"),
        },
        "correction.relationship",
    );
}

#[test]
pub(super) fn changing_the_country_of_return_unassigns_the_office_of_return() {
    let mut s = Scenario::single_adult();
    s.ok(
        COUNSELLOR,
        Command::AssignReturnOffice(OfficeRef {
            office_id: RETURN_OFFICE,
            country: cc("SN"),
        }),
    );
    let mut p = s.case().proposal;
    p.country_of_return = cc("NG");
    s.ok(COUNSELLOR, Command::ChangeProposal(p));
    assert_eq!(s.case().return_office, None);
}
