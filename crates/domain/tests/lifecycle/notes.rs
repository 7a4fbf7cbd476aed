//! General notes on a case, who may read and write them, and the flags they raise.

use super::*;
use homeward_domain::access::{Actor, Role, Sensitive, authorize};
use homeward_domain::case::records::{CaseFlag, CaseNote};

fn note(
    s: &mut Scenario,
    sensitivity: Option<Sensitive>,
    raises: Option<CaseFlag>,
    clears: Option<CaseFlag>,
) -> Command {
    Command::AddNote(CaseNote {
        note_id: NoteId(s.fresh_id()),
        text: lt("Her brother calls asking where she lives: give no address."),
        sensitivity,
        raises,
        clears,
    })
}

#[test]
fn notes_raise_and_clear_flags_in_the_order_they_were_written() {
    let mut s = Scenario::single_adult();
    let risk = note(
        &mut s,
        Some(Sensitive::Trafficking),
        Some(CaseFlag::Risk),
        None,
    );
    s.ok(COUNSELLOR, risk.clone());
    s.refused(COUNSELLOR, risk, "note.duplicate");
    let urgent = note(&mut s, None, Some(CaseFlag::Urgent), None);
    s.ok(COUNSELLOR, urgent);
    assert_eq!(
        s.case().flags.into_iter().collect::<Vec<_>>(),
        vec![CaseFlag::Risk, CaseFlag::Urgent]
    );
    let both = note(&mut s, None, Some(CaseFlag::Urgent), Some(CaseFlag::Urgent));
    s.refused(COUNSELLOR, both, "note.raises_and_clears");
    let cleared = note(&mut s, None, None, Some(CaseFlag::Risk));
    s.ok(COUNSELLOR, cleared);
    let c = s.case();
    assert_eq!(
        c.flags.into_iter().collect::<Vec<_>>(),
        vec![CaseFlag::Urgent]
    );
    assert_eq!(c.notes.len(), 3);
    assert_eq!(c.notes[0].by, COUNSELLOR);
}

#[test]
fn a_sensitive_note_is_written_only_by_a_role_that_may_read_its_kind() {
    let mut s = Scenario::single_adult();
    let case = s.case();
    let actor = |role: Role| Actor {
        user_id: MOVEMENT,
        roles: [role].into_iter().collect(),
        offices: [HOST_OFFICE].into_iter().collect(),
        organisation: None,
    };
    let medical = note(&mut s, Some(Sensitive::Medical), None, None);
    assert!(authorize(&actor(Role::MovementOfficer), &case, &medical).is_err());
    assert!(authorize(&actor(Role::MedicalOfficer), &case, &medical).is_ok());
    let general = note(&mut s, None, Some(CaseFlag::ContactLost), None);
    assert!(authorize(&actor(Role::MovementOfficer), &case, &general).is_ok());
}
