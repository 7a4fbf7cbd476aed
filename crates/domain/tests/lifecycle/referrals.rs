//! Referrals out: consent for each person referred, something shared, steps in order,
//! answers late and escalated, and closing a case while a referral is open.

use super::*;
use homeward_domain::access::{Actor, Denied, Role, authorize};
use homeward_domain::case::next::{Step, next_steps};
use homeward_domain::case::referral_target_violations;
use homeward_domain::case::referrals::*;
use homeward_domain::organisation::{
    OrganisationDetails, OrganisationKind, ServiceStage, ServiceType,
};

pub(crate) fn request(
    s: &mut Scenario,
    people: &[PersonId],
    consent_for: &[PersonId],
) -> ReferralRequest {
    ReferralRequest {
        referral_id: ReferralId(s.fresh_id()),
        organisation: OrganisationId(uid(0x0A)),
        organisation_name: t("Keur Yakaar reception centre"),
        service: ServiceType::Reception,
        country: Some(cc("SN")),
        people: people.iter().copied().collect(),
        consent_for: consent_for.iter().copied().collect(),
        shared: [DataGroup::Identity, DataGroup::Contact].into(),
        answer_within_days: 10,
        note: Some(lt("Arrives on the evening flight with her two children.")),
        exception: None,
    }
}

pub(crate) fn step(r: &ReferralRequest, step: ReferralStep) -> Command {
    Command::UpdateReferral(ReferralUpdate {
        referral_id: r.referral_id,
        step,
        note: None,
        receiver: None,
        answered_by: None,
    })
}

#[test]
fn a_referral_needs_consent_for_each_person_referred_and_something_to_share() {
    let mut s = Scenario::family();
    let mut r = request(&mut s, &[P1, P3], &[P1]);
    r.shared.clear();
    r.answer_within_days = 0;
    let refusal = s.refused(
        COUNSELLOR,
        Command::MakeReferral(r.clone()),
        "referral.consent_missing",
    );
    let missing: Vec<_> = refusal
        .violations
        .iter()
        .filter(|v| v.code == "referral.consent_missing")
        .map(|v| v.person_id)
        .collect();
    assert_eq!(missing, [Some(P3)], "named per person");
    assert!(refusal.has("referral.nothing_shared") && refusal.has("referral.answer_within"));
    r.consent_for = [P1, P2].into();
    s.refused(
        COUNSELLOR,
        Command::MakeReferral(r.clone()),
        "referral.consent_for_other",
    );
    r.people = BTreeSet::new();
    s.refused(
        COUNSELLOR,
        Command::MakeReferral(r.clone()),
        "referral.no_people",
    );
    let ok = request(&mut s, &[P1, P3], &[P1, P3]);
    s.ok(COUNSELLOR, Command::MakeReferral(ok.clone()));
    s.refused(
        COUNSELLOR,
        Command::MakeReferral(ok.clone()),
        "referral.duplicate",
    );
    let stored = s.case().referrals.get(ok.referral_id).cloned().unwrap();
    assert_eq!(stored.status, ReferralStatus::Sent);
    assert_eq!(stored.sent_by, COUNSELLOR);
    assert_eq!(stored.request, ok);
}

#[test]
fn a_referral_moves_through_its_steps_in_order_and_each_is_recorded() {
    let mut s = Scenario::single_adult();
    let r = request(&mut s, &[P1], &[P1]);
    s.ok(COUNSELLOR, Command::MakeReferral(r.clone()));
    s.refused(
        COUNSELLOR,
        step(&r, ReferralStep::InProgress),
        "referral.step_not_allowed",
    );
    s.refused(
        COUNSELLOR,
        step(&r, ReferralStep::Closed),
        "referral.step_not_allowed",
    );
    s.advance(2);
    s.ok(COUNSELLOR, step(&r, ReferralStep::Accepted));
    s.refused(
        COUNSELLOR,
        step(&r, ReferralStep::Declined { reason: lt("Full") }),
        "referral.step_not_allowed",
    );
    s.ok(COUNSELLOR, step(&r, ReferralStep::InProgress));
    s.ok(
        COUNSELLOR,
        step(
            &r,
            ReferralStep::Delivered {
                what: lt("Met at the airport, three nights' shelter"),
            },
        ),
    );
    s.refused(
        COUNSELLOR,
        step(
            &r,
            ReferralStep::Revoked {
                reason: lt("No longer needed"),
            },
        ),
        "referral.step_not_allowed",
    );
    s.ok(COUNSELLOR, step(&r, ReferralStep::Closed));
    let done = s.case().referrals.get(r.referral_id).cloned().unwrap();
    assert_eq!(done.status, ReferralStatus::Closed);
    assert_eq!(done.steps.len(), 4);
    assert!(done.steps.windows(2).all(|w| w[0].at <= w[1].at));
    let unknown = ReferralUpdate {
        referral_id: ReferralId(uid(0xBAD)),
        step: ReferralStep::Accepted,
        note: None,
        receiver: None,
        answered_by: None,
    };
    s.refused(
        COUNSELLOR,
        Command::UpdateReferral(unknown),
        "referral.unknown",
    );
    // A declined referral is closed; one still waiting may be revoked.
    let other = request(&mut s, &[P1], &[P1]);
    s.ok(COUNSELLOR, Command::MakeReferral(other.clone()));
    s.ok(
        COUNSELLOR,
        step(
            &other,
            ReferralStep::Revoked {
                reason: lt("She withdrew her consent"),
            },
        ),
    );
    assert_eq!(
        s.case().referrals.get(other.referral_id).unwrap().status,
        ReferralStatus::Revoked
    );
}

#[test]
fn an_unanswered_referral_is_overdue_after_its_time_and_escalated_after_twice_that() {
    let mut s = Scenario::single_adult();
    let r = request(&mut s, &[P1], &[P1]);
    s.ok(COUNSELLOR, Command::MakeReferral(r.clone()));
    let waiting = |s: &Scenario| {
        let now = s.now;
        next_steps(&s.case(), &programme(), now)
            .into_iter()
            .find(|n| matches!(n.step, Step::ReferralAnswer { referral_id } if referral_id == r.referral_id))
            .unwrap()
    };
    let sent = s
        .case()
        .referrals
        .get(r.referral_id)
        .unwrap()
        .sent_at
        .date_naive();
    let w = waiting(&s);
    assert_eq!((w.by, w.overdue), (Role::Counsellor, false));
    assert_eq!(w.date, Some(sent + Duration::days(10)));
    s.advance(11);
    let w = waiting(&s);
    assert_eq!((w.by, w.overdue), (Role::Counsellor, true));
    assert!(
        next_steps(&s.case(), &programme(), s.now)[0].overdue,
        "overdue first"
    );
    s.advance(10);
    assert_eq!(
        (waiting(&s).by, waiting(&s).overdue),
        (Role::Approver, true)
    );
    // Answered, it waits for nobody.
    s.ok(COUNSELLOR, step(&r, ReferralStep::Accepted));
    assert!(
        !next_steps(&s.case(), &programme(), s.now)
            .iter()
            .any(|n| matches!(n.step, Step::ReferralAnswer { .. }))
    );
}

#[test]
fn closing_as_completed_waits_for_open_referrals_unless_the_note_says_why() {
    let mut s = Scenario::single_adult();
    s.approve_adults(&[P1]);
    s.prepare_travel();
    s.depart_and_arrive();
    let r = request(&mut s, &[P1], &[P1]);
    s.ok(REINTEGRATION, Command::MakeReferral(r.clone()));
    let close = |note: Option<LongText>| Command::Close {
        outcome: Outcome::Completed,
        note,
    };
    s.refused(REINTEGRATION, close(None), "closure.referral_open");
    let with_note = s.run(
        REINTEGRATION,
        close(Some(lt(
            "The centre closed; she found a room with her cousin.",
        ))),
    );
    if let Err(refusal) = &with_note {
        assert!(!refusal.has("closure.referral_open"), "{refusal}");
    }
    s.ok(REINTEGRATION, step(&r, ReferralStep::Accepted));
    s.refused(REINTEGRATION, close(None), "closure.referral_open");
    s.ok(
        REINTEGRATION,
        step(
            &r,
            ReferralStep::Delivered {
                what: lt("Shelter"),
            },
        ),
    );
    if let Err(refusal) = s.run(REINTEGRATION, close(None)) {
        assert!(!refusal.has("closure.referral_open"), "{refusal}");
    }
}

#[test]
fn sensitive_data_is_shared_only_by_who_may_read_it() {
    let mut s = Scenario::single_adult();
    let case = s.case();
    let actor = |role: Role| Actor {
        user_id: COUNSELLOR,
        roles: [role].into_iter().collect(),
        offices: [HOST_OFFICE].into_iter().collect(),
        organisation: None,
    };
    let mut r = request(&mut s, &[P1], &[P1]);
    assert_eq!(
        authorize(
            &actor(Role::Counsellor),
            &case,
            &Command::MakeReferral(r.clone())
        ),
        Ok(())
    );
    r.shared.insert(DataGroup::Medical);
    assert_eq!(
        authorize(
            &actor(Role::Counsellor),
            &case,
            &Command::MakeReferral(r.clone())
        ),
        Err(Denied::Role(vec![Role::MedicalOfficer]))
    );
    assert_eq!(
        authorize(
            &actor(Role::MedicalOfficer),
            &case,
            &Command::MakeReferral(r)
        ),
        Ok(())
    );
    let partner = authorize(
        &actor(Role::Partner),
        &case,
        &Command::MakeReferral(request(&mut s, &[P1], &[P1])),
    );
    assert!(partner.is_err());
}

#[test]
fn only_a_working_organisation_that_offers_the_service_takes_a_referral() {
    let mut o = OrganisationDetails {
        name: t("Keur Yakaar"),
        kind: OrganisationKind::ProtectionShelter,
        countries: [cc("SN")].into(),
        services: [ServiceType::Shelter].into(),
        stages: [ServiceStage::ImmediateAssistance].into(),
        languages: BTreeSet::new(),
        contact: None,
        email: None,
        phone: None,
        address: None,
        active: true,
    };
    assert!(referral_target_violations(&o, ServiceType::Shelter, &cc("SN")).is_empty());
    let codes =
        |v: Vec<homeward_domain::Violation>| v.into_iter().map(|v| v.code).collect::<Vec<_>>();
    assert_eq!(
        codes(referral_target_violations(
            &o,
            ServiceType::LegalAid,
            &cc("SN")
        )),
        ["referral.service_not_offered"]
    );
    o.active = false;
    assert_eq!(
        codes(referral_target_violations(
            &o,
            ServiceType::Shelter,
            &cc("SN")
        )),
        ["referral.organisation_inactive"]
    );
}

#[test]
fn a_referral_is_to_a_service_in_the_host_country_or_the_country_of_return() {
    let mut s = Scenario::single_adult();
    let mut r = request(&mut s, &[P1], &[P1]);
    r.country = None;
    s.refused(
        COUNSELLOR,
        Command::MakeReferral(r.clone()),
        "referral.country_missing",
    );
    r.country = Some(cc("FR"));
    s.refused(
        COUNSELLOR,
        Command::MakeReferral(r.clone()),
        "referral.country_elsewhere",
    );
    r.country = Some(cc("BE"));
    s.ok(COUNSELLOR, Command::MakeReferral(r));
    let o = OrganisationDetails {
        name: t("Keur Yakaar"),
        kind: OrganisationKind::ProtectionShelter,
        countries: [cc("SN")].into(),
        services: [ServiceType::Shelter].into(),
        stages: [ServiceStage::ImmediateAssistance].into(),
        languages: BTreeSet::new(),
        contact: None,
        email: None,
        phone: None,
        address: None,
        active: true,
    };
    let v = referral_target_violations(&o, ServiceType::Shelter, &cc("GE"));
    assert_eq!(v[0].code, "referral.country_not_served");
}

fn decision(r: &ReferralRequest, approved: bool, reason: Option<&str>) -> Command {
    Command::DecideReferralException(ExceptionDecision {
        referral_id: r.referral_id,
        approved,
        reason: reason.map(lt),
    })
}

#[test]
fn a_referral_without_consent_needs_a_ground_the_programme_allows_and_a_second_persons_approval() {
    let mut s = Scenario::family();
    // Fatou (P3), a child, could not consent: a child-protection emergency.
    let mut r = request(&mut s, &[P1, P3], &[P1]);
    r.exception = Some(ConsentException {
        ground: ExceptionGround::LegalObligation,
        reason: lt("Her guardian cannot be reached before the flight."),
    });
    s.refused(
        COUNSELLOR,
        Command::MakeReferral(r.clone()),
        "referral.exception_not_allowed",
    );
    let mut everyone = request(&mut s, &[P1], &[P1]);
    everyone.exception = r.exception.clone();
    s.refused(
        COUNSELLOR,
        Command::MakeReferral(everyone),
        "referral.exception_not_needed",
    );
    r.exception = Some(ConsentException {
        ground: ExceptionGround::ChildProtectionEmergency,
        reason: lt("Her guardian cannot be reached before the flight."),
    });
    s.ok(COUNSELLOR, Command::MakeReferral(r.clone()));
    let pending = s.case().referrals.get(r.referral_id).cloned().unwrap();
    assert_eq!(pending.status, ReferralStatus::PendingApproval);
    // Nothing is sent meanwhile: the organisation does not see it, no link is issued.
    let partner = homeward_domain::access::link_actor(uid(0x77), r.organisation);
    assert!(!homeward_domain::access::partner_sees(&partner, &pending));
    assert!(!pending.link_violations().is_empty());
    assert!(
        next_steps(&s.case(), &programme(), s.now)
            .iter()
            .any(|n| n.step
                == Step::DecideReferralException {
                    referral_id: r.referral_id
                }
                && n.by == Role::Approver)
    );
    // Four eyes: not the one who made it; a refusal says why.
    s.refused(
        COUNSELLOR,
        decision(&r, true, None),
        "referral.exception_same_person",
    );
    s.refused(
        APPROVER,
        decision(&r, false, None),
        "referral.exception_refusal_reason",
    );
    s.advance(2);
    let approved_on = s.now.date_naive();
    s.ok(APPROVER, decision(&r, true, None));
    let sent = s.case().referrals.get(r.referral_id).cloned().unwrap();
    assert_eq!(sent.status, ReferralStatus::Sent);
    assert_eq!(
        sent.answer_due(),
        approved_on + Duration::days(10),
        "the organisation's time counts from when it was sent"
    );
    assert!(homeward_domain::access::partner_sees(&partner, &sent));
    s.refused(
        APPROVER,
        decision(&r, true, None),
        "referral.no_exception_pending",
    );

    // Refused: withdrawn, nothing sent.
    let mut other = request(&mut s, &[P3], &[]);
    other.exception = r.exception.clone();
    s.ok(COUNSELLOR, Command::MakeReferral(other.clone()));
    s.ok(
        APPROVER,
        decision(
            &other,
            false,
            Some("Ask her guardian first; he is reachable tomorrow."),
        ),
    );
    let refused = s.case().referrals.get(other.referral_id).cloned().unwrap();
    assert_eq!(refused.status, ReferralStatus::Revoked);
    assert!(!homeward_domain::access::partner_sees(&partner, &refused));
}

#[test]
fn only_a_programme_manager_decides_on_a_referral_without_consent() {
    let mut s = Scenario::family();
    let mut r = request(&mut s, &[P3], &[]);
    r.exception = Some(ConsentException {
        ground: ExceptionGround::ChildProtectionEmergency,
        reason: lt("No guardian reachable."),
    });
    s.ok(COUNSELLOR, Command::MakeReferral(r.clone()));
    let case = s.case();
    let actor = |role: Role| Actor {
        user_id: APPROVER,
        roles: [role].into_iter().collect(),
        offices: [HOST_OFFICE].into_iter().collect(),
        organisation: None,
    };
    assert_eq!(
        authorize(&actor(Role::Approver), &case, &decision(&r, true, None)),
        Ok(())
    );
    assert_eq!(
        authorize(&actor(Role::Counsellor), &case, &decision(&r, true, None)),
        Err(Denied::Role(vec![Role::Approver]))
    );
}

#[test]
fn a_referral_s_outcome_and_days_to_answer_are_defined_once() {
    let mut s = Scenario::single_adult();
    let r = request(&mut s, &[P1], &[P1]);
    s.ok(COUNSELLOR, Command::MakeReferral(r.clone()));
    let get = |s: &Scenario| s.case().referrals.get(r.referral_id).cloned().unwrap();
    assert_eq!(get(&s).outcome(), ReferralOutcome::Waiting);
    assert_eq!(get(&s).days_to_answer(), None);
    s.advance(4);
    s.ok(COUNSELLOR, step(&r, ReferralStep::Accepted));
    assert_eq!(get(&s).outcome(), ReferralOutcome::InHand);
    assert_eq!(get(&s).days_to_answer(), Some(4));
    s.advance(3);
    s.ok(
        COUNSELLOR,
        step(
            &r,
            ReferralStep::Delivered {
                what: lt("Three nights"),
            },
        ),
    );
    s.ok(COUNSELLOR, step(&r, ReferralStep::Closed));
    assert_eq!(
        get(&s).outcome(),
        ReferralOutcome::Delivered,
        "closed after delivery"
    );
    assert_eq!(get(&s).days_to_answer(), Some(4), "the first answer counts");

    let d = request(&mut s, &[P1], &[P1]);
    s.ok(COUNSELLOR, Command::MakeReferral(d.clone()));
    s.ok(
        COUNSELLOR,
        step(&d, ReferralStep::Declined { reason: lt("Full") }),
    );
    s.ok(COUNSELLOR, step(&d, ReferralStep::Closed));
    let declined = s.case().referrals.get(d.referral_id).cloned().unwrap();
    assert_eq!(
        declined.outcome(),
        ReferralOutcome::Declined,
        "closed after a decline"
    );
    let w = request(&mut s, &[P1], &[P1]);
    s.ok(COUNSELLOR, Command::MakeReferral(w.clone()));
    s.ok(
        COUNSELLOR,
        step(
            &w,
            ReferralStep::Revoked {
                reason: lt("Not needed"),
            },
        ),
    );
    let withdrawn = s.case().referrals.get(w.referral_id).cloned().unwrap();
    assert_eq!(withdrawn.outcome(), ReferralOutcome::Withdrawn);
    assert_eq!(
        withdrawn.days_to_answer(),
        None,
        "revoking is not an answer"
    );
}
