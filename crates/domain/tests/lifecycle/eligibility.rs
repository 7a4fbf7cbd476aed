//! Eligibility, screening and approval.

use super::*;

#[test]
pub(super) fn an_initiated_removal_procedure_makes_the_case_ineligible() {
    let mut s = Scenario::single_adult();
    s.information_session(&[Attendee::Member(P1)], "wo");
    s.ok(
        COUNSELLOR,
        Command::ScreenEligibility(ScreeningFacts {
            removal_procedure: RemovalProcedure::Initiated,
            admissibility: Admissibility::National,
            category: t("irregular migrant"),
        }),
    );
    let c = s.case();
    let sc = c.screening.as_ref().unwrap();
    assert!(!sc.eligible);
    assert!(
        sc.reasons
            .contains(&"eligibility.removal_procedure_initiated".to_string())
    );
    s.refused(
        COUNSELLOR,
        Command::SubmitApplication,
        "eligibility.removal_procedure_initiated",
    );
}

#[test]
pub(super) fn a_removal_procedure_initiated_after_approval_stops_departure() {
    let mut s = ready_single_adult();
    s.ok(
        COUNSELLOR,
        Command::ScreenEligibility(ScreeningFacts {
            removal_procedure: RemovalProcedure::Initiated,
            admissibility: Admissibility::National,
            category: t("irregular migrant"),
        }),
    );
    s.refused(
        MOVEMENT,
        Command::MarkReadyToDepart,
        "eligibility.removal_procedure_initiated",
    );
}

#[test]
pub(super) fn screening_checks_admissibility_and_the_programme_s_categories() {
    let mut s = Scenario::single_adult();
    s.refused(
        COUNSELLOR,
        Command::ScreenEligibility(ScreeningFacts {
            removal_procedure: RemovalProcedure::NotInitiated,
            admissibility: Admissibility::National,
            category: t("tourist"),
        }),
        "programme.category",
    );
    s.ok(
        COUNSELLOR,
        Command::ScreenEligibility(ScreeningFacts {
            removal_procedure: RemovalProcedure::NotInitiated,
            admissibility: Admissibility::Pending,
            category: t("irregular migrant"),
        }),
    );
    assert!(!s.case().screening.unwrap().eligible);
}

#[test]
pub(super) fn a_third_country_return_needs_confirmed_admission() {
    let mut s = Scenario::single_adult();
    let mut p = s.case().proposal;
    p.return_kind = ReturnKind::ThirdCountry;
    p.country_of_return = cc("GE");
    s.ok(COUNSELLOR, Command::ChangeProposal(p));
    s.screen_eligible();
    let sc = s.case().screening.unwrap();
    assert!(
        sc.reasons
            .contains(&"eligibility.third_country_admission_unconfirmed".to_string())
    );
}

#[test]
pub(super) fn an_application_needs_every_adult_s_current_consent_each_missing_one_named() {
    let mut s = Scenario::family();
    s.information_session(&[Attendee::Member(P1), Attendee::Member(P2)], "wo");
    s.advance(3);
    s.screen_eligible();
    // Nobody has consented: both adults are named; the child needs no consent.
    let r = s.refused(COUNSELLOR, Command::SubmitApplication, "consent.missing");
    let named: Vec<_> = r
        .violations
        .iter()
        .filter(|v| v.code == "consent.missing")
        .filter_map(|v| v.person_id)
        .collect();
    assert_eq!(named, vec![P1, P2]);
    s.ok(COUNSELLOR, Scenario::consent_cmd(P1, ConsentGiver::Person));
    let r = s.refused(COUNSELLOR, Command::SubmitApplication, "consent.missing");
    assert!(r.violations.iter().all(|v| v.person_id == Some(P2)), "{r}");
    s.ok(COUNSELLOR, Scenario::consent_cmd(P2, ConsentGiver::Person));
    s.ok(COUNSELLOR, Command::SubmitApplication);
    assert_eq!(s.case().stage, Stage::Applied);
}

#[test]
pub(super) fn an_approver_never_decides_their_own_submission() {
    let mut s = Scenario::single_adult();
    s.information_session(&[Attendee::Member(P1)], "wo");
    s.advance(3);
    s.ok(COUNSELLOR, Scenario::consent_cmd(P1, ConsentGiver::Person));
    s.screen_eligible();
    s.ok(APPROVER, Command::SubmitApplication);
    s.refused(
        APPROVER,
        Command::ApproveApplication { comment: None },
        "approval.own_submission",
    );
    s.refused(
        APPROVER,
        Command::RejectApplication { reason: lt("x") },
        "approval.own_submission",
    );
    s.ok(COUNSELLOR, Command::ApproveApplication { comment: None });
}

#[test]
pub(super) fn a_rejected_case_closes_as_ineligible_and_cannot_depart() {
    let mut s = Scenario::single_adult();
    s.information_session(&[Attendee::Member(P1)], "wo");
    s.advance(3);
    s.ok(COUNSELLOR, Scenario::consent_cmd(P1, ConsentGiver::Person));
    s.screen_eligible();
    s.ok(COUNSELLOR, Command::SubmitApplication);
    s.ok(
        APPROVER,
        Command::RejectApplication {
            reason: lt("Regular stay permit granted"),
        },
    );
    assert_eq!(s.case().stage, Stage::Rejected);
    s.refused(MOVEMENT, Command::MarkReadyToDepart, "stage.not_allowed");
    s.refused(
        COUNSELLOR,
        Command::Close {
            outcome: Outcome::Completed,
            note: None,
        },
        "closure.outcome_not_allowed",
    );
    s.ok(
        COUNSELLOR,
        Command::Close {
            outcome: Outcome::Ineligible,
            note: None,
        },
    );
}
