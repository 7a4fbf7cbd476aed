//! Every rule of the case lifecycle, one test each: each would fail without its rule.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use chrono::Duration;
use common::*;
use homeward_domain::Stage;
use homeward_domain::case::guard::unmet_departure_conditions;
use homeward_domain::case::records::*;
use homeward_domain::ids::*;
use homeward_domain::person::*;
use homeward_domain::values::*;
use homeward_domain::{Command, Event};

fn ready_single_adult() -> Scenario {
    let mut s = Scenario::single_adult();
    s.approve_adults(&[P1]);
    s.prepare_travel();
    s
}

// ---- The whole lifecycle ----------------------------------------------------------

#[test]
fn a_single_adult_goes_through_the_whole_lifecycle() {
    let mut s = ready_single_adult();
    assert_eq!(s.case().stage, Stage::PreDeparture);
    s.ok(MOVEMENT, Command::MarkReadyToDepart);
    s.ok(MOVEMENT, Command::ConfirmDeparture);
    assert_eq!(s.case().stage, Stage::Departed);
    s.ok(
        COUNSELLOR,
        Command::AssignReturnOffice(OfficeRef {
            office_id: RETURN_OFFICE,
            country: cc("SN"),
        }),
    );
    s.advance(1);
    s.ok(
        REINTEGRATION,
        Command::RecordArrival(Arrival {
            reception: Reception::Office,
            onward_transport: Some(t("Bus to Thiès")),
            temporary_accommodation: None,
        }),
    );
    let c = s.case();
    assert_eq!(c.stage, Stage::Arrived);
    assert_eq!(
        c.lead_office(),
        RETURN_OFFICE,
        "arrival hands the case over"
    );
    s.ok(REINTEGRATION, Command::StartReintegration);
    s.ok(REINTEGRATION, Command::StartMonitoring);
    s.ok(
        REINTEGRATION,
        Command::Close {
            outcome: Outcome::Completed,
            note: None,
        },
    );
    let c = s.case();
    assert_eq!(c.stage, Stage::Closed);
    assert_eq!(c.outcome, Some(Outcome::Completed));
    assert!(c.dates.departed.is_some() && c.dates.arrived.is_some() && c.dates.closed.is_some());
}

#[test]
fn a_family_departs_when_every_adult_consented_and_the_child_is_covered() {
    let mut s = Scenario::family();
    s.approve_adults(&[P1, P2]);
    s.prepare_travel();
    s.ok(MOVEMENT, Command::MarkReadyToDepart);
    s.ok(MOVEMENT, Command::ConfirmDeparture);
    assert_eq!(s.case().stage, Stage::Departed);
}

#[test]
fn an_unaccompanied_child_departs_through_the_capacity_path() {
    let mut s = Scenario::unaccompanied_child();
    s.ok(
        COUNSELLOR,
        Command::AppointRepresentative(Representative {
            person_id: P1,
            name: t("Mariama Ba"),
            kind: RepresentativeKind::LegalGuardian,
            languages: vec![lang("fr")],
        }),
    );
    s.information_session(
        &[Attendee::Member(P1), Attendee::RepresentativeOf(P1)],
        "fr",
    );
    s.ok(
        COUNSELLOR,
        Command::AssessCapacity(CapacityAssessment {
            person_id: P1,
            professional: t("Dr. N. Sow"),
            qualification: t("Child psychologist"),
            lacks_capacity: true,
            notes: None,
        }),
    );
    s.ok(
        COUNSELLOR,
        Command::DetermineBestInterests(BestInterestsDetermination {
            person_id: P1,
            determined_by: t("Child protection panel"),
            return_in_best_interests: true,
            notes: None,
        }),
    );
    s.advance(3);
    // The child cannot consent for himself.
    s.refused(
        COUNSELLOR,
        Scenario::consent_cmd(P1, ConsentGiver::Person),
        "consent.representative_required",
    );
    s.ok(
        COUNSELLOR,
        Scenario::consent_cmd(P1, ConsentGiver::Representative),
    );
    s.screen_eligible();
    s.ok(COUNSELLOR, Command::SubmitApplication);
    s.ok(APPROVER, Command::ApproveApplication);
    s.prepare_travel();
    s.refused(
        MOVEMENT,
        Command::MarkReadyToDepart,
        "escort.child_escort_missing",
    );
    let id = EscortId(s.fresh_id());
    s.ok(
        MOVEMENT,
        Command::AssignEscort(Escort {
            escort_id: id,
            kind: EscortKind::Child,
            name: t("Social worker K. Fall"),
            accompanies: [P1].into_iter().collect(),
        }),
    );
    s.ok(MOVEMENT, Command::MarkReadyToDepart);
    s.ok(MOVEMENT, Command::ConfirmDeparture);
    assert_eq!(s.case().stage, Stage::Departed);
}

// ---- Voluntariness ------------------------------------------------------------------

#[test]
fn consent_before_the_reflection_period_is_refused_with_the_date_it_becomes_possible() {
    let mut s = Scenario::single_adult();
    s.information_session(&[Attendee::Member(P1)], "wo");
    s.advance(2);
    let r = s.refused(
        COUNSELLOR,
        Scenario::consent_cmd(P1, ConsentGiver::Person),
        "consent.reflection_period",
    );
    let v = &r.violations[0];
    assert_eq!(
        v.params.get("from_date").map(String::as_str),
        Some("2026-03-05")
    );
    assert!(v.message.contains("5 March 2026"), "{}", v.message);
    s.advance(1);
    s.ok(COUNSELLOR, Scenario::consent_cmd(P1, ConsentGiver::Person));
}

#[test]
fn consent_needs_an_information_session_in_a_language_the_person_understands() {
    let mut s = Scenario::single_adult();
    // Awa speaks French and Wolof; the session was held in English.
    s.information_session(&[Attendee::Member(P1)], "en");
    s.advance(5);
    s.refused(
        COUNSELLOR,
        Scenario::consent_cmd(P1, ConsentGiver::Person),
        "consent.no_information_session",
    );
}

#[test]
fn consent_needs_every_informing_topic_covered() {
    let mut s = Scenario::single_adult();
    let id = SessionId(s.fresh_id());
    let mut topics: std::collections::BTreeSet<Topic> = INFORMING_TOPICS.into_iter().collect();
    topics.remove(&Topic::OptionsToStay);
    s.ok(
        COUNSELLOR,
        Command::RecordCounsellingSession(CounsellingSession {
            session_id: id,
            counsellor: COUNSELLOR,
            language: lang("wo"),
            interpreter_present: true,
            topics,
            attendees: [Attendee::Member(P1)].into_iter().collect(),
            notes: None,
        }),
    );
    s.advance(5);
    s.refused(
        COUNSELLOR,
        Scenario::consent_cmd(P1, ConsentGiver::Person),
        "consent.no_information_session",
    );
}

#[test]
fn consent_needs_each_attestation_and_names_every_missing_one() {
    let mut s = Scenario::single_adult();
    s.information_session(&[Attendee::Member(P1)], "wo");
    s.advance(3);
    let r = s.refused(
        COUNSELLOR,
        Command::RecordConsent(ConsentDeclaration {
            person_id: P1,
            given_by: ConsentGiver::Person,
            no_pressure_attested: false,
            right_to_withdraw_explained: false,
            data_processing_consent: false,
            statement: None,
        }),
        "consent.pressure_not_excluded",
    );
    assert!(r.has("consent.withdrawal_right_not_explained"));
    assert!(r.has("consent.data_processing_missing"));
    assert_eq!(r.violations.len(), 3);
    assert_eq!(
        r.violations[0].field.as_deref(),
        Some("no_pressure_attested")
    );
}

#[test]
fn the_reflection_period_counts_from_when_the_session_happened_not_when_it_was_entered() {
    let mut s = Scenario::single_adult();
    s.advance(10);
    // Held in the field five days ago, entered today.
    let held = s.now - Duration::days(5);
    let id = SessionId(s.fresh_id());
    s.run_at(
        COUNSELLOR,
        held,
        Command::RecordCounsellingSession(CounsellingSession {
            session_id: id,
            counsellor: COUNSELLOR,
            language: lang("fr"),
            interpreter_present: false,
            topics: INFORMING_TOPICS.into_iter().collect(),
            attendees: [Attendee::Member(P1)].into_iter().collect(),
            notes: None,
        }),
    )
    .unwrap();
    s.ok(COUNSELLOR, Scenario::consent_cmd(P1, ConsentGiver::Person));
}

#[test]
fn every_adult_of_a_family_consents_for_themselves() {
    let mut s = Scenario::family();
    s.information_session(&[Attendee::Member(P1), Attendee::Member(P2)], "wo");
    s.advance(3);
    s.ok(COUNSELLOR, Scenario::consent_cmd(P1, ConsentGiver::Person));
    s.screen_eligible();
    let r = s.refused(COUNSELLOR, Command::SubmitApplication, "consent.missing");
    let missing: Vec<_> = r
        .violations
        .iter()
        .filter(|v| v.code == "consent.missing")
        .map(|v| v.person_id)
        .collect();
    assert_eq!(
        missing,
        vec![Some(P2)],
        "only Moussa lacks consent; the child is covered"
    );
    // A spouse cannot consent for the other adult.
    s.refused(
        COUNSELLOR,
        Scenario::consent_cmd(P2, ConsentGiver::Representative),
        "consent.own_required",
    );
}

#[test]
fn a_child_travelling_with_family_needs_no_consent_of_their_own() {
    let mut s = Scenario::family();
    s.information_session(&[Attendee::Member(P3)], "wo");
    s.advance(3);
    s.refused(
        COUNSELLOR,
        Scenario::consent_cmd(P3, ConsentGiver::Person),
        "consent.covered_by_family",
    );
}

#[test]
fn an_adult_found_to_lack_capacity_consents_through_a_representative() {
    let mut s = Scenario::single_adult();
    s.ok(
        COUNSELLOR,
        Command::AssessCapacity(CapacityAssessment {
            person_id: P1,
            professional: t("Dr. A. Kane"),
            qualification: t("Psychiatrist"),
            lacks_capacity: true,
            notes: Some(lt("confidential")),
        }),
    );
    s.information_session(&[Attendee::Member(P1)], "wo");
    s.advance(3);
    s.refused(
        COUNSELLOR,
        Scenario::consent_cmd(P1, ConsentGiver::Person),
        "consent.representative_required",
    );
    let r = s.refused(
        COUNSELLOR,
        Scenario::consent_cmd(P1, ConsentGiver::Representative),
        "capacity.representative_missing",
    );
    assert!(
        !r.has("capacity.best_interests_missing"),
        "no best-interests determination for an adult"
    );
    assert!(
        r.has("consent.no_information_session"),
        "the representative was not informed"
    );
}

#[test]
fn an_unaccompanied_child_needs_assessment_best_interests_and_guardian_consent_to_depart() {
    let mut s = Scenario::unaccompanied_child();
    s.screen_eligible();
    s.information_session(&[Attendee::Member(P1)], "wo");
    // No application without them, each named.
    let r = s.refused(
        COUNSELLOR,
        Command::SubmitApplication,
        "capacity.assessment_missing",
    );
    for code in [
        "capacity.best_interests_missing",
        "capacity.representative_missing",
        "consent.representative_missing",
    ] {
        assert!(r.has(code), "missing {code} in {r}");
    }
}

#[test]
fn a_negative_best_interests_determination_blocks_the_child_s_return() {
    let mut s = Scenario::unaccompanied_child();
    s.ok(
        COUNSELLOR,
        Command::DetermineBestInterests(BestInterestsDetermination {
            person_id: P1,
            determined_by: t("Panel"),
            return_in_best_interests: false,
            notes: None,
        }),
    );
    s.advance(1);
    let c = s.case();
    let v = unmet_departure_conditions(&c, s.now, &s.programme);
    assert!(
        v.iter()
            .any(|v| v.code == "capacity.best_interests_against_return")
    );
}

#[test]
fn a_child_without_any_adult_on_the_case_is_treated_as_unaccompanied() {
    let mut s = Scenario::register(vec![member(1, Relationship::Principal, child("Binta"))]);
    s.information_session(&[Attendee::Member(P1)], "wo");
    s.advance(3);
    s.refused(
        COUNSELLOR,
        Scenario::consent_cmd(P1, ConsentGiver::Person),
        "consent.representative_required",
    );
}

#[test]
fn a_changed_proposal_needs_reconfirmed_consent_before_departure() {
    let mut s = ready_single_adult();
    let mut p = s.case().proposal;
    p.place_of_return = Some(t("Dakar"));
    s.ok(COUNSELLOR, Command::ChangeProposal(p));
    s.refused(MOVEMENT, Command::MarkReadyToDepart, "consent.stale");
    s.ok(
        COUNSELLOR,
        Command::ReconfirmConsent(ConsentReconfirmation {
            person_id: P1,
            given_by: ConsentGiver::Person,
            no_pressure_attested: true,
            statement: None,
        }),
    );
    s.ok(MOVEMENT, Command::MarkReadyToDepart);
}

#[test]
fn a_rebooked_itinerary_after_consent_needs_reconfirmation_but_the_first_booking_does_not() {
    let mut s = ready_single_adult();
    s.ok(MOVEMENT, Command::MarkReadyToDepart);
    s.advance(1);
    let it = s.itinerary_cmd("DSS");
    s.ok(MOVEMENT, it);
    s.refused(MOVEMENT, Command::ConfirmDeparture, "consent.stale");
}

#[test]
fn a_proposal_changed_between_ready_and_departure_stops_the_departure() {
    let mut s = ready_single_adult();
    s.ok(MOVEMENT, Command::MarkReadyToDepart);
    let mut p = s.case().proposal;
    p.assistance_package.clear();
    s.ok(COUNSELLOR, Command::ChangeProposal(p));
    s.refused(MOVEMENT, Command::ConfirmDeparture, "consent.stale");
}

#[test]
fn withdrawal_is_possible_before_departure_and_recorded_in_the_person_s_words() {
    let mut s = ready_single_adult();
    s.ok(
        MOVEMENT,
        Command::Withdraw {
            person_id: P1,
            own_words: Some(lt("I want to stay with my sister.")),
            whole_case: false,
        },
    );
    let c = s.case();
    assert_eq!(
        c.stage,
        Stage::Withdrawn,
        "the principal's withdrawal withdraws the case"
    );
    assert_eq!(
        c.consents[&P1]
            .withdrawal_words
            .as_ref()
            .map(|w| w.as_str()),
        Some("I want to stay with my sister.")
    );
    s.refused(MOVEMENT, Command::MarkReadyToDepart, "stage.not_allowed");
    s.ok(
        COUNSELLOR,
        Command::Reopen {
            reason: lt("She asked to resume."),
        },
    );
    let c = s.case();
    assert_eq!(c.stage, Stage::Counselling);
    assert!(c.consents.is_empty(), "re-opening needs a fresh consent");
    assert!(c.application.is_none(), "and a fresh application");
}

#[test]
fn withdrawal_after_departure_is_refused() {
    let mut s = ready_single_adult();
    s.ok(MOVEMENT, Command::MarkReadyToDepart);
    s.ok(MOVEMENT, Command::ConfirmDeparture);
    s.refused(
        COUNSELLOR,
        Command::Withdraw {
            person_id: P1,
            own_words: None,
            whole_case: true,
        },
        "withdrawal.after_departure",
    );
}

#[test]
fn a_family_member_who_withdraws_blocks_departure_until_removed_or_reconsenting() {
    let mut s = Scenario::family();
    s.approve_adults(&[P1, P2]);
    s.prepare_travel();
    s.ok(
        COUNSELLOR,
        Command::Withdraw {
            person_id: P2,
            own_words: None,
            whole_case: false,
        },
    );
    assert_eq!(s.case().stage, Stage::PreDeparture, "the case goes on");
    s.refused(MOVEMENT, Command::MarkReadyToDepart, "consent.withdrawn");
    s.ok(
        COUNSELLOR,
        Command::RemoveMember {
            person_id: P2,
            reason: lt("Stays in Belgium"),
        },
    );
    s.ok(MOVEMENT, Command::MarkReadyToDepart);
}

// ---- Eligibility and approval ---------------------------------------------------------

#[test]
fn an_initiated_removal_procedure_makes_the_case_ineligible() {
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
fn a_removal_procedure_initiated_after_approval_stops_departure() {
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
fn screening_checks_admissibility_and_the_programme_s_categories() {
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
fn a_third_country_return_needs_confirmed_admission() {
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
fn an_application_needs_every_adult_s_current_consent_each_missing_one_named() {
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
fn an_approver_never_decides_their_own_submission() {
    let mut s = Scenario::single_adult();
    s.information_session(&[Attendee::Member(P1)], "wo");
    s.advance(3);
    s.ok(COUNSELLOR, Scenario::consent_cmd(P1, ConsentGiver::Person));
    s.screen_eligible();
    s.ok(APPROVER, Command::SubmitApplication);
    s.refused(
        APPROVER,
        Command::ApproveApplication,
        "approval.own_submission",
    );
    s.refused(
        APPROVER,
        Command::RejectApplication { reason: lt("x") },
        "approval.own_submission",
    );
    s.ok(COUNSELLOR, Command::ApproveApplication);
}

#[test]
fn a_rejected_case_closes_as_ineligible_and_cannot_depart() {
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

// ---- Pre-departure and the departure guard ---------------------------------------------

#[test]
fn the_departure_guard_names_every_unmet_condition_at_once() {
    let mut d = adult("Awa");
    d.vulnerabilities.insert(Vulnerability::MedicalNeeds);
    d.vulnerabilities.insert(Vulnerability::VictimOfTrafficking);
    let mut s = Scenario::register(vec![member(1, Relationship::Principal, d)]);
    let c = s.case();
    s.advance(1);
    let codes: Vec<&str> = unmet_departure_conditions(&c, s.now, &s.programme)
        .iter()
        .map(|v| v.code)
        .collect();
    for code in [
        "departure.not_approved",
        "eligibility.not_screened",
        "departure.no_itinerary",
        "consent.missing",
        "health.assessment_missing",
        "protection.risk_assessment_missing",
        "documents.travel_document_missing",
    ] {
        assert!(codes.contains(&code), "{code} not in {codes:?}");
    }
}

#[test]
fn departure_needs_fitness_to_travel_where_a_health_assessment_is_required() {
    let mut d = adult("Awa");
    d.vulnerabilities.insert(Vulnerability::MedicalNeeds);
    let mut s = Scenario::register(vec![member(1, Relationship::Principal, d)]);
    s.approve_adults(&[P1]);
    s.prepare_travel();
    s.refused(
        MOVEMENT,
        Command::MarkReadyToDepart,
        "health.assessment_missing",
    );
    let assess = |f| {
        Command::RecordHealthAssessment(HealthAssessment {
            person_id: P1,
            fitness: f,
            assessed_by: t("Dr. Ndiaye"),
            medical_details: Some(lt("Insulin-dependent diabetes")),
        })
    };
    s.ok(MEDIC, assess(Fitness::NotFit));
    s.refused(MOVEMENT, Command::MarkReadyToDepart, "health.not_fit");
    s.ok(MEDIC, assess(Fitness::FitWithMedicalEscort));
    s.refused(
        MOVEMENT,
        Command::MarkReadyToDepart,
        "escort.medical_escort_missing",
    );
    let id = EscortId(s.fresh_id());
    s.ok(
        MOVEMENT,
        Command::AssignEscort(Escort {
            escort_id: id,
            kind: EscortKind::Medical,
            name: t("Nurse B. Diop"),
            accompanies: [P1].into_iter().collect(),
        }),
    );
    s.ok(MOVEMENT, Command::MarkReadyToDepart);
}

#[test]
fn a_programme_may_require_a_health_assessment_for_everyone() {
    let mut p = programme();
    p.health_assessment = homeward_domain::programme::HealthAssessmentRule::Always;
    let mut s = Scenario::register_with(vec![member(1, Relationship::Principal, adult("Awa"))], p);
    s.approve_adults(&[P1]);
    s.prepare_travel();
    s.refused(
        MOVEMENT,
        Command::MarkReadyToDepart,
        "health.assessment_missing",
    );
}

#[test]
fn a_programme_may_require_an_escort_for_a_vulnerability() {
    let mut p = programme();
    p.escort_required_for.insert(Vulnerability::Elderly);
    let mut d = adult("Awa");
    d.vulnerabilities.insert(Vulnerability::Elderly);
    let mut s = Scenario::register_with(vec![member(1, Relationship::Principal, d)], p);
    s.approve_adults(&[P1]);
    s.prepare_travel();
    s.ok(
        MEDIC,
        Command::RecordHealthAssessment(HealthAssessment {
            person_id: P1,
            fitness: Fitness::Fit,
            assessed_by: t("Dr. Ndiaye"),
            medical_details: None,
        }),
    );
    let r = s.refused(
        MOVEMENT,
        Command::MarkReadyToDepart,
        "escort.programme_escort_missing",
    );
    assert_eq!(
        r.violations[0]
            .params
            .get("vulnerability")
            .map(String::as_str),
        Some("elderly")
    );
}

#[test]
fn a_victim_of_trafficking_needs_a_risk_assessment_that_allows_return() {
    let mut d = adult("Awa");
    d.vulnerabilities.insert(Vulnerability::VictimOfTrafficking);
    let mut s = Scenario::register(vec![member(1, Relationship::Principal, d)]);
    s.approve_adults(&[P1]);
    s.prepare_travel();
    s.refused(
        MOVEMENT,
        Command::MarkReadyToDepart,
        "protection.risk_assessment_missing",
    );
    let risk = |c| {
        Command::RecordRiskAssessment(RiskAssessment {
            person_id: P1,
            conclusion: c,
            notes: None,
        })
    };
    s.ok(COUNSELLOR, risk(RiskConclusion::ReturnMustNotProceed));
    s.refused(
        MOVEMENT,
        Command::MarkReadyToDepart,
        "protection.risk_too_high",
    );
    s.ok(
        COUNSELLOR,
        risk(RiskConclusion::ReturnCanProceedWithMeasures),
    );
    s.ok(MOVEMENT, Command::MarkReadyToDepart);
}

#[test]
fn every_traveller_needs_a_valid_travel_document_on_the_day_of_travel() {
    let mut s = Scenario::family();
    s.approve_adults(&[P1, P2]);
    s.passport(P1);
    s.passport(P2);
    let it = s.itinerary_cmd("DSS");
    s.ok(MOVEMENT, it);
    let r = s.refused(
        MOVEMENT,
        Command::MarkReadyToDepart,
        "documents.travel_document_missing",
    );
    assert_eq!(r.violations.len(), 1);
    assert_eq!(r.violations[0].person_id, Some(P3));
    let lp = DocumentId(s.fresh_id());
    let doc = |status, expires| {
        Command::RecordTravelDocument(TravelDocument {
            document_id: lp,
            person_id: P3,
            kind: DocumentKind::LaissezPasser,
            status,
            number: None,
            issuing_country: Some(cc("SN")),
            expires_on: expires,
        })
    };
    s.ok(MOVEMENT, doc(DocumentStatus::Requested, None));
    s.refused(
        MOVEMENT,
        Command::MarkReadyToDepart,
        "documents.travel_document_missing",
    );
    // Issued, but expiring before the flight.
    s.ok(
        MOVEMENT,
        doc(DocumentStatus::Issued, Some(s.now.date_naive())),
    );
    s.refused(
        MOVEMENT,
        Command::MarkReadyToDepart,
        "documents.travel_document_missing",
    );
    s.ok(MOVEMENT, doc(DocumentStatus::Issued, Some(day(2027, 1, 1))));
    s.ok(MOVEMENT, Command::MarkReadyToDepart);
}

#[test]
fn a_transit_needing_a_permit_needs_one_per_traveller() {
    let mut s = Scenario::single_adult();
    s.approve_adults(&[P1]);
    s.passport(P1);
    let dep = s.now + Duration::days(10);
    let leg = |from: &str, to: &str, at: chrono::DateTime<chrono::Utc>, permit| Leg {
        carrier: t("Royal Air Maroc"),
        flight_number: t("AT840"),
        from: IataCode::parse(from).unwrap(),
        to: IataCode::parse(to).unwrap(),
        departs_at: at,
        arrives_at: at + Duration::hours(3),
        transit_permit_required: permit,
    };
    s.ok(
        MOVEMENT,
        Command::SetItinerary(Itinerary {
            legs: vec![
                leg("BRU", "CMN", dep, true),
                leg("CMN", "DSS", dep + Duration::hours(5), false),
            ],
            transit_assistance: true,
        }),
    );
    s.refused(
        MOVEMENT,
        Command::MarkReadyToDepart,
        "documents.transit_permit_missing",
    );
}

#[test]
fn the_itinerary_must_end_in_the_country_of_return() {
    let mut s = Scenario::single_adult();
    s.approve_adults(&[P1]);
    s.passport(P1);
    let it = s.itinerary_cmd("LOS");
    s.ok(MOVEMENT, it);
    s.refused(
        MOVEMENT,
        Command::MarkReadyToDepart,
        "departure.itinerary_wrong_destination",
    );
}

#[test]
fn itinerary_legs_must_connect_in_order() {
    let mut s = Scenario::single_adult();
    s.approve_adults(&[P1]);
    let dep = s.now + Duration::days(10);
    let leg = |from: &str, to: &str, at: chrono::DateTime<chrono::Utc>, hours| Leg {
        carrier: t("X"),
        flight_number: t("X1"),
        from: IataCode::parse(from).unwrap(),
        to: IataCode::parse(to).unwrap(),
        departs_at: at,
        arrives_at: at + Duration::hours(hours),
        transit_permit_required: false,
    };
    let r = s.refused(
        MOVEMENT,
        Command::SetItinerary(Itinerary {
            legs: vec![leg("BRU", "CMN", dep, -1), leg("CDG", "DSS", dep, 3)],
            transit_assistance: false,
        }),
        "itinerary.arrives_before_departure",
    );
    assert!(r.has("itinerary.disconnected"));
    assert_eq!(r.violations[0].field.as_deref(), Some("legs/0/arrives_at"));
}

#[test]
fn a_no_show_returns_the_case_to_pre_departure_and_needs_reconfirmation() {
    let mut s = ready_single_adult();
    s.ok(MOVEMENT, Command::MarkReadyToDepart);
    s.refused(
        COUNSELLOR,
        Command::Close {
            outcome: Outcome::NoShow,
            note: None,
        },
        "closure.outcome_not_allowed",
    );
    s.ok(MOVEMENT, Command::RecordNoShow { reason: None });
    let c = s.case();
    assert_eq!(c.stage, Stage::PreDeparture);
    assert!(c.itinerary.is_none());
    let it = s.itinerary_cmd("DSS");
    s.ok(MOVEMENT, it);
    s.refused(MOVEMENT, Command::MarkReadyToDepart, "consent.stale");
    s.ok(
        COUNSELLOR,
        Command::Close {
            outcome: Outcome::NoShow,
            note: None,
        },
    );
}

#[test]
fn arrival_only_follows_departure() {
    let mut s = ready_single_adult();
    s.refused(
        REINTEGRATION,
        Command::RecordArrival(Arrival {
            reception: Reception::Partner(t("Caritas Dakar")),
            onward_transport: None,
            temporary_accommodation: None,
        }),
        "stage.not_allowed",
    );
}

#[test]
fn the_office_of_return_must_be_in_the_country_of_return() {
    let mut s = Scenario::single_adult();
    s.refused(
        COUNSELLOR,
        Command::AssignReturnOffice(OfficeRef {
            office_id: RETURN_OFFICE,
            country: cc("NG"),
        }),
        "office.not_in_country_of_return",
    );
}

#[test]
fn allowances_are_in_the_programme_currency() {
    let mut s = Scenario::single_adult();
    s.approve_adults(&[P1]);
    s.refused(
        MOVEMENT,
        Command::PayAllowance(Allowance {
            person_id: Some(P1),
            kind: AssistanceKind::PocketMoney,
            amount: Money::new(5000, CurrencyCode::parse("USD").unwrap()).unwrap(),
            note: None,
        }),
        "money.programme_currency",
    );
    s.ok(
        MOVEMENT,
        Command::PayAllowance(Allowance {
            person_id: Some(P1),
            kind: AssistanceKind::PocketMoney,
            amount: eur(5000),
            note: None,
        }),
    );
}

// ---- Registration ----------------------------------------------------------------------

fn registration(members: Vec<Member>) -> Result<Vec<Event>, homeward_domain::Refusal> {
    use homeward_domain::case::{Context, RegisterCase, register};
    let p = programme();
    let now = Scenario::start();
    register(
        RegisterCase {
            case_id: CaseId(uid(1)),
            reference: t("BRU-2026-00002"),
            host_office: HOST_OFFICE,
            host_country: cc("BE"),
            programme: ProgrammeId(uid(2)),
            referral: Referral {
                source: ReferralSource::Partner,
                referred_by: Some(t("Red Cross")),
            },
            proposal: Proposal {
                country_of_return: cc("BE"),
                return_kind: ReturnKind::Origin,
                place_of_return: None,
                assistance_package: vec![],
            },
            members,
        },
        &Context {
            actor: COUNSELLOR,
            occurred_at: now,
            now,
            programme: &p,
            history: &[],
        },
    )
}

#[test]
fn registration_names_every_invalid_field() {
    let mut future = adult("Awa");
    future.date_of_birth = DateOfBirth::Exact(day(2030, 1, 1));
    future.languages.clear();
    let r = registration(vec![
        member(1, Relationship::Child, future),
        member(1, Relationship::Child, child("Fatou")),
    ])
    .unwrap_err();
    let fields: Vec<_> = r
        .violations
        .iter()
        .filter_map(|v| v.field.clone())
        .collect();
    for f in [
        "members",
        "members/0/details/date_of_birth",
        "members/0/details/languages",
        "members/1/person_id",
        "proposal/country_of_return",
    ] {
        assert!(fields.iter().any(|x| x == f), "{f} not in {fields:?}");
    }
}

#[test]
fn registration_puts_the_principal_first() {
    let evs = registration(vec![
        member(2, Relationship::Child, child("Fatou")),
        member(1, Relationship::Principal, adult("Awa")),
    ]);
    // The proposal returns to the host country: refused, so build a valid one.
    assert!(evs.is_err());
    let mut s = Scenario::register(vec![
        member(2, Relationship::Child, child("Fatou")),
        member(1, Relationship::Principal, adult("Awa")),
    ]);
    assert_eq!(s.case().members[0].person_id, P1);
    s.advance(0);
}

#[test]
fn an_estimated_birth_year_in_the_future_is_refused() {
    let mut s = Scenario::single_adult();
    let mut d = adult("Awa");
    d.date_of_birth = DateOfBirth::EstimatedYear(2027);
    s.refused(
        COUNSELLOR,
        Command::UpdatePersonDetails {
            person_id: P1,
            details: d,
        },
        "person.born_in_future",
    );
}

// ---- Time --------------------------------------------------------------------------------

#[test]
fn nothing_is_recorded_as_happening_in_the_future_or_before_registration() {
    let mut s = Scenario::single_adult();
    let future = s.now + Duration::hours(1);
    let r = s
        .run_at(COUNSELLOR, future, Command::StartMonitoring)
        .unwrap_err();
    assert!(r.has("time.in_future"));
    assert_eq!(r.violations[0].field.as_deref(), Some("occurred_at"));
    let before = s.now - Duration::days(1);
    let id = SessionId(s.fresh_id());
    let r = s
        .run_at(
            COUNSELLOR,
            before,
            Command::RecordCounsellingSession(CounsellingSession {
                session_id: id,
                counsellor: COUNSELLOR,
                language: lang("fr"),
                interpreter_present: false,
                topics: Default::default(),
                attendees: [Attendee::Member(P1)].into_iter().collect(),
                notes: None,
            }),
        )
        .unwrap_err();
    assert!(r.has("time.before_registration"));
}

// ---- Corrections -------------------------------------------------------------------------

fn version_of(s: &Scenario, kind: &str) -> u64 {
    s.events
        .iter()
        .rev()
        .find(|e| e.event.kind() == kind)
        .map(|e| e.meta.version)
        .unwrap()
}

#[test]
fn a_correction_replaces_a_detail_and_both_stay_in_the_timeline() {
    let mut s = Scenario::single_adult();
    let original = s.case().members[0].clone();
    let mut fixed = original.clone();
    fixed.details.name.given = t("Aïssatou");
    let v = version_of(&s, "member_added");
    s.ok(
        COUNSELLOR,
        Command::Correct {
            corrects: v,
            occurred_at: None,
            replacement: Box::new(Event::MemberAdded(fixed)),
            reason: lt("Name misspelt at registration"),
        },
    );
    assert_eq!(s.case().members[0].details.name.given.as_str(), "Aïssatou");
    assert!(matches!(&s.events[(v - 1) as usize].event, Event::MemberAdded(m) if m == &original));
    assert_eq!(s.events.last().unwrap().event.kind(), "corrected");
}

#[test]
fn correcting_a_session_s_date_moves_the_reflection_period_and_the_guard_sees_it() {
    let mut s = Scenario::single_adult();
    s.approve_adults(&[P1]);
    s.prepare_travel();
    // The session was in fact held a day later than entered: consent came too early.
    let v = version_of(&s, "counselling_session_recorded");
    let e = s.events[(v - 1) as usize].clone();
    s.ok(
        COUNSELLOR,
        Command::Correct {
            corrects: v,
            occurred_at: Some(e.meta.occurred_at + Duration::days(1)),
            replacement: Box::new(e.event.clone()),
            reason: lt("Wrong date entered"),
        },
    );
    s.refused(
        MOVEMENT,
        Command::MarkReadyToDepart,
        "consent.reflection_period",
    );
}

#[test]
fn decisions_are_not_corrected_and_replacements_must_match() {
    let mut s = Scenario::single_adult();
    s.approve_adults(&[P1]);
    let v = version_of(&s, "application_approved");
    s.refused(
        COUNSELLOR,
        Command::Correct {
            corrects: v,
            occurred_at: None,
            replacement: Box::new(Event::ApplicationApproved),
            reason: lt("x"),
        },
        "correction.not_correctable",
    );
    let v = version_of(&s, "member_added");
    let mut other = s.case().members[0].clone();
    other.person_id = P2;
    s.refused(
        COUNSELLOR,
        Command::Correct {
            corrects: v,
            occurred_at: None,
            replacement: Box::new(Event::MemberAdded(other)),
            reason: lt("x"),
        },
        "correction.mismatch",
    );
    s.refused(
        COUNSELLOR,
        Command::Correct {
            corrects: 999,
            occurred_at: None,
            replacement: Box::new(Event::ApplicationApproved),
            reason: lt("x"),
        },
        "correction.unknown_event",
    );
}

#[test]
fn a_correction_is_checked_like_the_original() {
    let mut s = Scenario::single_adult();
    let v = version_of(&s, "member_added");
    let mut m = s.case().members[0].clone();
    m.details.date_of_birth = DateOfBirth::Exact(day(2031, 1, 1));
    s.refused(
        COUNSELLOR,
        Command::Correct {
            corrects: v,
            occurred_at: None,
            replacement: Box::new(Event::MemberAdded(m)),
            reason: lt("x"),
        },
        "person.born_in_future",
    );
}

#[test]
fn a_correction_of_a_correction_corrects_the_original() {
    let mut s = Scenario::single_adult();
    let v = version_of(&s, "member_added");
    for name in ["Aïssatou", "Aïcha"] {
        let mut m = s.case().members[0].clone();
        m.details.name.given = t(name);
        let target = if name == "Aïcha" {
            version_of(&s, "corrected")
        } else {
            v
        };
        s.ok(
            COUNSELLOR,
            Command::Correct {
                corrects: target,
                occurred_at: None,
                replacement: Box::new(Event::MemberAdded(m)),
                reason: lt("spelling"),
            },
        );
    }
    assert_eq!(s.case().members[0].details.name.given.as_str(), "Aïcha");
}

// ---- Closure -------------------------------------------------------------------------------

#[test]
fn closure_outcomes_fit_the_stage() {
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
fn a_minor_sibling_travelling_with_an_adult_is_a_separated_child() {
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
fn a_child_whose_parent_lacks_capacity_needs_the_capacity_path() {
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
fn a_covered_child_who_withdraws_does_not_travel() {
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
fn a_step_is_never_dated_before_the_step_before_it() {
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
fn a_departure_dated_before_a_consent_is_refused() {
    let mut s = Scenario::single_adult();
    s.information_session(&[Attendee::Member(P1)], "wo");
    s.advance(3);
    s.ok(COUNSELLOR, Scenario::consent_cmd(P1, ConsentGiver::Person));
    let consented = s.now;
    s.screen_eligible();
    s.ok(COUNSELLOR, Command::SubmitApplication);
    s.ok(APPROVER, Command::ApproveApplication);
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
fn a_correction_cannot_declare_an_ineligible_case_eligible() {
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
fn eligibility_is_judged_against_the_current_proposal() {
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
fn a_correction_does_not_change_who_the_principal_is() {
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
fn changing_the_country_of_return_unassigns_the_office_of_return() {
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
