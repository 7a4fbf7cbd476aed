//! Voluntariness: information, reflection, consent, capacity, representatives, withdrawal.

use super::*;

#[test]
pub(super) fn consent_before_the_reflection_period_is_refused_with_the_date_it_becomes_possible() {
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
pub(super) fn consent_needs_an_information_session_in_a_language_the_person_understands() {
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
pub(super) fn consent_needs_every_informing_topic_covered() {
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
pub(super) fn consent_needs_each_attestation_and_names_every_missing_one() {
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
pub(super) fn the_reflection_period_counts_from_when_the_session_happened_not_when_it_was_entered()
{
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
pub(super) fn every_adult_of_a_family_consents_for_themselves() {
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
pub(super) fn a_child_travelling_with_family_needs_no_consent_of_their_own() {
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
pub(super) fn an_adult_found_to_lack_capacity_consents_through_a_representative() {
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
pub(super) fn an_unaccompanied_child_needs_assessment_best_interests_and_guardian_consent_to_depart()
 {
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
pub(super) fn a_negative_best_interests_determination_blocks_the_child_s_return() {
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
pub(super) fn a_child_without_any_adult_on_the_case_is_treated_as_unaccompanied() {
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
pub(super) fn a_changed_proposal_needs_reconfirmed_consent_before_departure() {
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
pub(super) fn a_rebooked_itinerary_after_consent_needs_reconfirmation_but_the_first_booking_does_not()
 {
    let mut s = ready_single_adult();
    s.ok(MOVEMENT, Command::MarkReadyToDepart);
    s.advance(1);
    let it = s.itinerary_cmd("DSS");
    s.ok(MOVEMENT, it);
    s.refused(MOVEMENT, Command::ConfirmDeparture, "consent.stale");
}

#[test]
pub(super) fn a_proposal_changed_between_ready_and_departure_stops_the_departure() {
    let mut s = ready_single_adult();
    s.ok(MOVEMENT, Command::MarkReadyToDepart);
    let mut p = s.case().proposal;
    p.assistance_package.clear();
    s.ok(COUNSELLOR, Command::ChangeProposal(p));
    s.refused(MOVEMENT, Command::ConfirmDeparture, "consent.stale");
}

#[test]
pub(super) fn withdrawal_is_possible_before_departure_and_recorded_in_the_person_s_words() {
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
pub(super) fn withdrawal_after_departure_is_refused() {
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
pub(super) fn a_family_member_who_withdraws_blocks_departure_until_removed_or_reconsenting() {
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
