//! The caseworker who owns a case: who registered it, from arrival who received it, or
//! whoever was assigned since, always someone of the office that leads the case.

use super::*;
use homeward_domain::Assignee;

const COLLEAGUE: UserId = UserId(uuid::Uuid::from_u128(0xC1));

fn assign(user_id: UserId, offices: &[OfficeId], works_on_cases: bool) -> Command {
    Command::AssignCaseworker(Assignee {
        user_id,
        offices: offices.to_vec(),
        works_on_cases,
    })
}

#[test]
fn a_case_is_owned_by_who_registered_it_then_whoever_is_assigned_in_the_leading_office() {
    let mut s = Scenario::single_adult();
    assert_eq!(s.case().owner, Some(COUNSELLOR), "who registered it");
    s.refused(
        COUNSELLOR,
        assign(COUNSELLOR, &[HOST_OFFICE], true),
        "caseworker.unchanged",
    );
    s.refused(
        COUNSELLOR,
        assign(COLLEAGUE, &[RETURN_OFFICE], true),
        "caseworker.office",
    );
    s.refused(
        COUNSELLOR,
        assign(COLLEAGUE, &[HOST_OFFICE], false),
        "caseworker.role",
    );
    s.ok(COUNSELLOR, assign(COLLEAGUE, &[HOST_OFFICE], true));
    assert_eq!(s.case().owner, Some(COLLEAGUE));
    // On arrival the office of return leads: who received the case owns it, and only
    // its staff may own it from then on.
    s.approve_adults(&[P1]);
    s.prepare_travel();
    s.depart_and_arrive();
    let c = s.case();
    assert_eq!(c.owner, Some(REINTEGRATION));
    s.refused(
        REINTEGRATION,
        assign(COLLEAGUE, &[HOST_OFFICE], true),
        "caseworker.office",
    );
    s.ok(REINTEGRATION, assign(MONITOR, &[RETURN_OFFICE], true));
    assert_eq!(s.case().owner, Some(MONITOR));
}
