//! Who may act on a case, and read what.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use homeward_domain::access::{Actor, Denied, Role, Sensitive, authorize, can_see, may_read};
use homeward_domain::case::records::*;
use homeward_domain::ids::{OfficeId, UserId};
use homeward_domain::{Case, Command};
use uuid::Uuid;

fn actor(role: Role, office: OfficeId) -> Actor {
    Actor {
        user_id: UserId(Uuid::from_u128(0x99)),
        roles: [role].into_iter().collect(),
        offices: [office].into_iter().collect(),
        organisation: None,
    }
}

fn departed() -> Case {
    let mut s = Scenario::single_adult();
    s.approve_adults(&[P1]);
    s.prepare_travel();
    s.ok(
        MOVEMENT,
        Command::AssignReturnOffice(OfficeRef {
            office_id: RETURN_OFFICE,
            country: cc("SN"),
        }),
    );
    s.ok(MOVEMENT, Command::MarkReadyToDepart);
    s.ok(MOVEMENT, Command::ConfirmDeparture);
    s.case()
}

#[test]
fn a_command_needs_its_role_and_the_leading_office() {
    let c = Scenario::single_adult().case();
    assert_eq!(
        authorize(
            &actor(Role::Counsellor, HOST_OFFICE),
            &c,
            &Command::SubmitApplication
        ),
        Ok(())
    );
    assert!(matches!(
        authorize(
            &actor(Role::MovementOfficer, HOST_OFFICE),
            &c,
            &Command::SubmitApplication
        ),
        Err(Denied::Role(_))
    ));
    assert_eq!(
        authorize(
            &actor(Role::Counsellor, OfficeId(Uuid::from_u128(0x77))),
            &c,
            &Command::SubmitApplication
        ),
        Err(Denied::Office)
    );
}

#[test]
fn the_office_of_return_receives_the_case_and_then_leads() {
    let c = departed();
    let arrival = Command::RecordArrival(Arrival {
        reception: Reception::Office,
        onward_transport: None,
        temporary_accommodation: None,
    });
    assert_eq!(
        authorize(
            &actor(Role::ReintegrationOfficer, RETURN_OFFICE),
            &c,
            &arrival
        ),
        Ok(())
    );
    assert_eq!(
        authorize(
            &actor(Role::ReintegrationOfficer, HOST_OFFICE),
            &c,
            &arrival
        ),
        Err(Denied::Office)
    );
    assert!(can_see(&actor(Role::Counsellor, HOST_OFFICE), &c));
    assert!(can_see(
        &actor(Role::ReintegrationOfficer, RETURN_OFFICE),
        &c
    ));
    assert!(
        !can_see(&actor(Role::Administrator, HOST_OFFICE), &c),
        "administrators read no case"
    );
    assert!(!can_see(&actor(Role::Donor, HOST_OFFICE), &c));
}

#[test]
fn before_departure_only_a_counsellor_closes_a_case() {
    let c = Scenario::single_adult().case();
    let close = Command::Close {
        outcome: Outcome::LostContact,
        note: None,
    };
    assert!(matches!(
        authorize(&actor(Role::MonitoringOfficer, HOST_OFFICE), &c, &close),
        Err(Denied::Role(_))
    ));
    assert_eq!(
        authorize(&actor(Role::Counsellor, HOST_OFFICE), &c, &close),
        Ok(())
    );
    let d = departed();
    assert!(matches!(
        authorize(&actor(Role::Counsellor, HOST_OFFICE), &d, &close),
        Err(Denied::Role(_))
    ));
}

#[test]
fn sensitive_data_is_read_only_by_the_roles_that_need_it() {
    let medic = actor(Role::MedicalOfficer, HOST_OFFICE);
    let counsellor = actor(Role::Counsellor, HOST_OFFICE);
    let movement = actor(Role::MovementOfficer, HOST_OFFICE);
    assert!(may_read(&medic, Sensitive::Medical));
    assert!(!may_read(&counsellor, Sensitive::Medical));
    assert!(may_read(&counsellor, Sensitive::Trafficking));
    assert!(may_read(&counsellor, Sensitive::CounsellingNotes));
    assert!(!may_read(&movement, Sensitive::Trafficking));
    assert!(!may_read(&movement, Sensitive::CounsellingNotes));
    assert!(!may_read(&medic, Sensitive::CounsellingNotes));
    // Health and psychosocial needs after return: who plans and follows the assistance.
    for (role, reads) in [
        (Role::ReintegrationOfficer, true),
        (Role::MonitoringOfficer, true),
        (Role::MedicalOfficer, true),
        (Role::Approver, false),
        (Role::Counsellor, false),
        (Role::MovementOfficer, false),
        (Role::Donor, false),
    ] {
        assert_eq!(
            may_read(&actor(role, HOST_OFFICE), Sensitive::ReintegrationNeeds),
            reads,
            "{role:?}"
        );
    }
}

#[test]
fn statistics_are_exact_for_own_offices_and_protected_for_everyone_else_who_reads_them() {
    let office = OfficeId(uuid::Uuid::from_u128(7));
    for role in [Role::Approver, Role::MonitoringOfficer] {
        let a = actor(role, office).statistics_access().unwrap();
        assert!(a.exact, "{role:?}");
        assert_eq!(
            a.offices,
            Some([office].into()),
            "{role:?}: own offices only"
        );
    }
    for role in [Role::Donor, Role::Auditor, Role::Administrator] {
        let a = actor(role, office).statistics_access().unwrap();
        assert!(!a.exact, "{role:?}: small numbers protected");
        assert_eq!(a.offices, None, "{role:?}: every office");
    }
    for role in [
        Role::Counsellor,
        Role::MovementOfficer,
        Role::MedicalOfficer,
        Role::ReintegrationOfficer,
        Role::Partner,
    ] {
        assert!(
            actor(role, office).statistics_access().is_none(),
            "{role:?}"
        );
    }
}
