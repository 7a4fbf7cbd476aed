//! Registration, time and corrections.

use super::*;

pub(super) fn registration(members: Vec<Member>) -> Result<Vec<Event>, homeward_domain::Refusal> {
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
                organisation: None,
                inbound: None,
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
            committed_elsewhere: &homeward_domain::case::NOTHING_ELSEWHERE,
        },
    )
}

#[test]
pub(super) fn registration_names_every_invalid_field() {
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
pub(super) fn registration_puts_the_principal_first() {
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
pub(super) fn an_estimated_birth_year_in_the_future_is_refused() {
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
pub(super) fn nothing_is_recorded_as_happening_in_the_future_or_before_registration() {
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

pub(super) fn version_of(s: &Scenario, kind: &str) -> u64 {
    s.events
        .iter()
        .rev()
        .find(|e| e.event.kind() == kind)
        .map(|e| e.meta.version)
        .unwrap()
}

#[test]
pub(super) fn a_correction_replaces_a_detail_and_both_stay_in_the_timeline() {
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
pub(super) fn correcting_a_session_s_date_moves_the_reflection_period_and_the_guard_sees_it() {
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
pub(super) fn decisions_are_not_corrected_and_replacements_must_match() {
    let mut s = Scenario::single_adult();
    s.approve_adults(&[P1]);
    let v = version_of(&s, "application_approved");
    s.refused(
        COUNSELLOR,
        Command::Correct {
            corrects: v,
            occurred_at: None,
            replacement: Box::new(Event::ApplicationApproved { comment: None }),
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
            replacement: Box::new(Event::ApplicationApproved { comment: None }),
            reason: lt("x"),
        },
        "correction.unknown_event",
    );
}

#[test]
pub(super) fn a_correction_is_checked_like_the_original() {
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
pub(super) fn a_correction_of_a_correction_corrects_the_original() {
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
