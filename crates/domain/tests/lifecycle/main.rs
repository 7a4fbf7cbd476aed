//! Every rule of the case lifecycle, one test each: each would fail without its rule.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../common/mod.rs"]
mod common;

use std::collections::BTreeSet;

use chrono::Duration;
use common::*;
use homeward_domain::Stage;
use homeward_domain::case::guard::{
    travel_document_expires_before_flight, unmet_departure_conditions,
};
use homeward_domain::case::records::*;
use homeward_domain::case::reintegration::AssistanceType;
use homeward_domain::ids::*;
use homeward_domain::person::*;
use homeward_domain::values::*;
use homeward_domain::{Command, Event};

mod caseworker;
mod closure;
mod departure;
mod eligibility;
mod monitoring;
mod next;
mod notes;
mod partners;
mod referrals;
mod registration;
mod reintegration;
mod voluntariness;

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
    let item = s.plan_item(AssistanceType::BusinessDevelopment, 100_000);
    s.approved_plan(vec![item.clone()]);
    let (_, delivery) = s.delivery_cmd(item.item_id, eur(100_000));
    s.ok(REINTEGRATION, delivery);
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
    // The approver's comment is on record with the decision.
    let comment = homeward_domain::values::LongText::parse("Escort and reception checked.").ok();
    s.ok(
        APPROVER,
        Command::ApproveApplication {
            comment: comment.clone(),
        },
    );
    let application = s.case().application.expect("an application");
    assert_eq!(application.approved, Some(true));
    assert_eq!(application.comment, comment);
    assert!(comment.is_some());
    s.prepare_travel();
    s.received_on_arrival(
        P1,
        homeward_domain::organisation::ServiceType::ChildProtection,
        Some("Social worker A. Sarr, child protection service of Dakar"),
    );
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

// ---- Eligibility and approval ---------------------------------------------------------
// ---- Registration ----------------------------------------------------------------------
