//! What a partner organisation sees of a referral addressed to it, and which steps it
//! may take: only the consented groups of the people referred, nothing once the
//! referral is over, never the sender's steps.

use super::referrals::{request, step};
use super::*;
use homeward_domain::access::{
    Actor, Denied, Role, account_violations, authorize_partner_step, partner_sees,
};
use homeward_domain::case::referrals::*;
use homeward_domain::case::shared::shared_referral;

fn partner(of: OrganisationId) -> Actor {
    Actor {
        user_id: UserId(uid(0xBB)),
        roles: [Role::Partner].into(),
        offices: BTreeSet::new(),
        organisation: Some(of),
    }
}

/// A family case where Awa (P1) is a victim of trafficking with medical needs, assessed
/// for health and risk, and Fatou (P3) is her child.
fn sensitive_family() -> Scenario {
    let mut awa = adult("Awa");
    awa.vulnerabilities = [
        Vulnerability::VictimOfTrafficking,
        Vulnerability::MedicalNeeds,
        Vulnerability::Elderly,
    ]
    .into();
    awa.contact.phone = Some(t("+221 77 000 00 00"));
    Scenario::register(vec![
        member(1, Relationship::Principal, awa),
        member(2, Relationship::Spouse, adult("Moussa")),
        member(3, Relationship::Child, child("Fatou")),
    ])
}

#[test]
fn an_organisation_sees_only_the_groups_shared_of_the_people_referred() {
    let mut s = sensitive_family();
    let mut r = request(&mut s, &[P1], &[P1]);
    r.shared = [DataGroup::Identity, DataGroup::Vulnerabilities].into();
    s.ok(COUNSELLOR, Command::MakeReferral(r.clone()));
    let mut case = s.case();
    case.health.insert(
        P1,
        HealthAssessment {
            person_id: P1,
            fitness: Fitness::Fit,
            assessed_by: t("Dr. Ndiaye"),
            medical_details: Some(lt("Insulin-dependent diabetes")),
        },
    );
    let today = s.now.date_naive();
    let seen = shared_referral(&case, r.referral_id, today).unwrap();
    assert_eq!(seen.people.len(), 1, "only the person referred");
    let awa = &seen.people[0];
    assert_eq!(awa.person_id, P1);
    assert!(awa.identity.as_ref().unwrap().name.contains("Awa"));
    assert_eq!(awa.contact, None, "contact was not shared");
    assert_eq!(awa.medical, None, "medical data was not shared");
    assert_eq!(awa.protection, None);
    assert_eq!(
        awa.vulnerabilities,
        Some([Vulnerability::MedicalNeeds, Vulnerability::Elderly].into()),
        "trafficking history only with its own group"
    );
    assert_eq!(seen.family, None);
    assert_eq!(seen.journey, None);
    let text = serde_json::to_string(&seen).unwrap();
    for secret in ["Moussa", "Fatou", "diabetes", "+221", "trafficking\""] {
        assert!(
            !text.contains(secret),
            "{secret} reached the partner: {text}"
        );
    }

    let mut all = request(&mut s, &[P1], &[P1]);
    all.shared = DataGroup::ALL.into_iter().collect();
    s.ok(MEDIC, Command::MakeReferral(all.clone()));
    let mut case = s.case();
    case.health.insert(
        P1,
        HealthAssessment {
            person_id: P1,
            fitness: Fitness::Fit,
            assessed_by: t("Dr. Ndiaye"),
            medical_details: Some(lt("Insulin-dependent diabetes")),
        },
    );
    let seen = shared_referral(&case, all.referral_id, today).unwrap();
    let awa = &seen.people[0];
    assert_eq!(
        awa.medical.as_ref().unwrap().details,
        Some(lt("Insulin-dependent diabetes"))
    );
    assert!(awa.protection.as_ref().unwrap().victim_of_trafficking);
    assert!(
        awa.vulnerabilities
            .as_ref()
            .unwrap()
            .contains(&Vulnerability::VictimOfTrafficking)
    );
    assert_eq!(
        awa.contact.as_ref().unwrap().phone,
        Some(t("+221 77 000 00 00"))
    );
    let family = seen.family.unwrap();
    assert_eq!(family.len(), 2, "the others on the case, unnamed");
    assert!(!serde_json::to_string(&family).unwrap().contains("Moussa"));
    assert!(seen.journey.is_some());
}

#[test]
fn nothing_personal_is_shown_once_a_referral_is_revoked_or_closed() {
    let mut s = sensitive_family();
    let mut r = request(&mut s, &[P1, P3], &[P1, P3]);
    r.shared = DataGroup::ALL.into_iter().collect();
    r.shared.remove(&DataGroup::Medical);
    r.shared.remove(&DataGroup::TraffickingAndViolence);
    s.ok(COUNSELLOR, Command::MakeReferral(r.clone()));
    let today = s.now.date_naive();
    let before = shared_referral(&s.case(), r.referral_id, today).unwrap();
    assert!(before.data_shown && before.people.iter().all(|p| p.identity.is_some()));
    s.ok(
        COUNSELLOR,
        step(
            &r,
            ReferralStep::Revoked {
                reason: lt("Consent withdrawn"),
            },
        ),
    );
    let after = shared_referral(&s.case(), r.referral_id, today).unwrap();
    assert!(!after.data_shown);
    assert_eq!(after.status, ReferralStatus::Revoked);
    assert!(
        after
            .people
            .iter()
            .all(|p| p.identity.is_none() && p.contact.is_none() && p.vulnerabilities.is_none())
    );
    assert_eq!(after.family, None);
    assert_eq!(after.journey, None);
    let text = serde_json::to_string(&after).unwrap();
    for gone in ["Awa", "Consent withdrawn", "evening flight"] {
        assert!(!text.contains(gone), "{gone} after revocation: {text}");
    }
}

#[test]
fn an_organisation_that_declined_sees_no_more_and_never_the_senders_reasons() {
    let mut s = sensitive_family();
    let mut r = request(&mut s, &[P1], &[P1]);
    r.shared = [DataGroup::Identity].into();
    s.ok(COUNSELLOR, Command::MakeReferral(r.clone()));
    s.ok(
        COUNSELLOR,
        step(
            &r,
            ReferralStep::Declined {
                reason: lt("No places this month"),
            },
        ),
    );
    let today = s.now.date_naive();
    let seen = shared_referral(&s.case(), r.referral_id, today).unwrap();
    assert!(
        !seen.data_shown,
        "a declined referral shows nothing personal"
    );
    assert!(seen.people.iter().all(|p| p.identity.is_none()));
    let mut again = request(&mut s, &[P1], &[P1]);
    again.shared = [DataGroup::Identity].into();
    s.ok(COUNSELLOR, Command::MakeReferral(again.clone()));
    s.ok(COUNSELLOR, step(&again, ReferralStep::Accepted));
    let mut revoke = match step(
        &again,
        ReferralStep::Revoked {
            reason: lt("She told us her husband is violent"),
        },
    ) {
        Command::UpdateReferral(u) => u,
        _ => unreachable!(),
    };
    revoke.note = Some(lt("Now in the Dakar shelter"));
    s.ok(COUNSELLOR, Command::UpdateReferral(revoke));
    let seen = shared_referral(&s.case(), again.referral_id, today).unwrap();
    let text = serde_json::to_string(&seen).unwrap();
    assert!(
        !text.contains("violent") && !text.contains("shelter"),
        "{text}"
    );
}

#[test]
fn people_referred_without_consent_are_shown_once_the_exception_is_approved() {
    let mut s = sensitive_family();
    let mut r = request(&mut s, &[P3], &[]);
    r.exception = Some(ConsentException {
        ground: ExceptionGround::ChildProtectionEmergency,
        reason: lt("No guardian reachable"),
    });
    s.ok(COUNSELLOR, Command::MakeReferral(r.clone()));
    s.advance(1);
    let approved_at = s.now;
    s.ok(
        APPROVER,
        Command::DecideReferralException(ExceptionDecision {
            referral_id: r.referral_id,
            approved: true,
            reason: None,
        }),
    );
    let seen = shared_referral(&s.case(), r.referral_id, s.now.date_naive()).unwrap();
    assert_eq!(seen.people.len(), 1);
    assert!(
        seen.people[0]
            .identity
            .as_ref()
            .unwrap()
            .name
            .contains("Fatou")
    );
    assert_eq!(
        seen.sent_at, approved_at,
        "sent when approved, not when made"
    );
}

#[test]
fn a_partner_reaches_no_case_for_any_other_command_and_cannot_backdate() {
    use homeward_domain::access::{authorize, may_backdate, reaches};
    use homeward_domain::case::records::CaseNote;
    let mut s = Scenario::single_adult();
    let r = request(&mut s, &[P1], &[P1]);
    s.ok(COUNSELLOR, Command::MakeReferral(r.clone()));
    let case = s.case();
    let p = partner(r.organisation);
    let mut other = request(&mut s, &[P1], &[P1]);
    other.organisation = OrganisationId(uid(0xEE));
    let note = CaseNote {
        note_id: NoteId(uid(0x99)),
        text: lt("A partner writes on the case"),
        sensitivity: None,
        raises: None,
        clears: None,
    };
    for cmd in [
        Command::AddNote(note),
        Command::MakeReferral(other),
        Command::DecideReferralException(ExceptionDecision {
            referral_id: r.referral_id,
            approved: true,
            reason: None,
        }),
        Command::SubmitApplication,
        Command::ApproveApplication { comment: None },
        Command::Withdraw {
            person_id: P1,
            own_words: None,
            whole_case: true,
        },
        Command::UpdateReferral(ReferralUpdate {
            referral_id: ReferralId(uid(0x123)),
            step: ReferralStep::Accepted,
            note: None,
            receiver: None,
            answered_by: None,
        }),
    ] {
        assert!(!reaches(&p, &case, &cmd), "{} reached", cmd.name());
        assert!(
            authorize(&p, &case, &cmd).is_err(),
            "{} authorised",
            cmd.name()
        );
    }
    assert!(reaches(&p, &case, &step(&r, ReferralStep::Accepted)));
    assert!(!may_backdate(&p));
    assert!(may_backdate(&Actor {
        roles: [Role::Counsellor].into(),
        organisation: None,
        ..p
    }));
}

#[test]
fn a_partner_sees_its_own_organisations_referrals_and_takes_only_its_steps() {
    let mut s = Scenario::single_adult();
    let r = request(&mut s, &[P1], &[P1]);
    s.ok(COUNSELLOR, Command::MakeReferral(r.clone()));
    let record = s.case().referrals.get(r.referral_id).cloned().unwrap();
    assert!(partner_sees(&partner(r.organisation), &record));
    assert!(!partner_sees(&partner(OrganisationId(uid(0xEE))), &record));
    let mut not_partner = partner(r.organisation);
    not_partner.roles = [Role::Counsellor].into();
    assert!(!partner_sees(&not_partner, &record), "only partners");
    let p = partner(r.organisation);
    assert_eq!(authorize_partner_step(&p, &ReferralStep::Accepted), Ok(()));
    assert_eq!(
        authorize_partner_step(
            &p,
            &ReferralStep::Delivered {
                what: lt("Three nights")
            }
        ),
        Ok(())
    );
    assert_eq!(
        authorize_partner_step(&p, &ReferralStep::Closed),
        Err(Denied::Sender)
    );
    assert_eq!(
        authorize_partner_step(&p, &ReferralStep::Revoked { reason: lt("no") }),
        Err(Denied::Sender)
    );
}

#[test]
fn a_partner_account_belongs_to_one_organisation_and_nothing_else() {
    let org = Some(OrganisationId(uid(0x0A)));
    let none = BTreeSet::new();
    let codes = |roles: &[Role], offices: &BTreeSet<OfficeId>, o| -> Vec<String> {
        account_violations(&roles.iter().copied().collect(), offices, o)
            .into_iter()
            .map(|v| v.code.to_string())
            .collect()
    };
    assert!(codes(&[Role::Partner], &none, org).is_empty());
    assert_eq!(
        codes(&[Role::Partner], &none, None),
        ["user.partner_organisation"]
    );
    assert_eq!(
        codes(&[Role::Partner, Role::Counsellor], &none, org),
        ["user.partner_alone"]
    );
    assert_eq!(
        codes(&[Role::Partner], &[HOST_OFFICE].into(), org),
        ["user.partner_offices"]
    );
    assert_eq!(
        codes(&[Role::Counsellor], &[HOST_OFFICE].into(), org),
        ["user.organisation_not_partner"]
    );
    assert!(codes(&[Role::Counsellor], &[HOST_OFFICE].into(), None).is_empty());
}

#[test]
fn an_answer_link_lasts_the_days_to_answer_at_most_thirty_and_only_while_something_is_awaited() {
    let mut s = Scenario::single_adult();
    let mut r = request(&mut s, &[P1], &[P1]);
    r.answer_within_days = 10;
    s.ok(COUNSELLOR, Command::MakeReferral(r.clone()));
    let record = s.case().referrals.get(r.referral_id).cloned().unwrap();
    let now = s.now;
    assert_eq!(record.link_expires(now), now + Duration::days(10));
    let mut long = record.clone();
    long.request.answer_within_days = 90;
    assert_eq!(long.link_expires(now), now + Duration::days(LINK_MAX_DAYS));
    assert!(record.link_violations().is_empty());
    s.ok(COUNSELLOR, step(&r, ReferralStep::Accepted));
    let accepted = s.case().referrals.get(r.referral_id).cloned().unwrap();
    assert!(
        accepted.link_violations().is_empty(),
        "delivery is still awaited"
    );
    s.ok(
        COUNSELLOR,
        step(
            &r,
            ReferralStep::Revoked {
                reason: lt("No longer needed"),
            },
        ),
    );
    let revoked = s.case().referrals.get(r.referral_id).cloned().unwrap();
    assert_eq!(
        revoked
            .link_violations()
            .into_iter()
            .map(|v| v.code)
            .collect::<Vec<_>>(),
        ["referral.link_not_needed"]
    );
    // The link acts as the organisation's partner: its own steps, its own referrals.
    let link = homeward_domain::access::link_actor(uid(0x77), r.organisation);
    assert!(partner_sees(&link, &record));
    assert_eq!(
        authorize_partner_step(&link, &ReferralStep::Closed),
        Err(Denied::Sender)
    );
}
