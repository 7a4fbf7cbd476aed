//! Options taken up: by whom a delivery reached, and in which month, once ended.

use super::*;

/// The statistics count a reintegration option as taken up by whom it was delivered to:
/// an item of the household by each member, an item of one person by them alone, and
/// only once a delivery counts (signed where a second signature is needed, not reversed).
#[test]
fn an_option_is_taken_up_by_whom_a_delivery_that_counts_reached() {
    use homeward_domain::stats::returns_of;
    let mut s = couple_arrived();
    let allowance = s.plan_item(AssistanceType::ReintegrationAllowance, 20_000);
    let mut training = s.plan_item(AssistanceType::VocationalTraining, 100_000);
    training.beneficiary = Some(P2);
    let housing = s.plan_item(AssistanceType::Housing, 30_000);
    s.approved_plan(vec![allowance.clone(), training.clone(), housing.clone()]);
    let received = |s: &Scenario| {
        let c = s.case();
        let by: std::collections::BTreeMap<PersonId, Vec<AssistanceType>> = returns_of(&c)
            .into_iter()
            .map(|r| (PersonId(r.person_id), AssistanceType::of_mask(r.assistance)))
            .collect();
        assert_eq!(
            by[&P1],
            AssistanceType::of_mask(c.reintegration.received_by(P1))
        );
        by
    };
    assert!(
        received(&s).values().all(Vec::is_empty),
        "planned is not received"
    );
    let (_, cmd) = s.delivery_cmd(allowance.item_id, eur(20_000));
    s.ok(REINTEGRATION, cmd);
    let (big, cmd) = s.delivery_cmd(training.item_id, eur(60_000));
    s.ok(REINTEGRATION, cmd);
    let (wrong, cmd) = s.delivery_cmd(housing.item_id, eur(10_000));
    s.ok(REINTEGRATION, cmd);
    s.ok(
        REINTEGRATION,
        Command::ReverseDelivery {
            delivery_id: wrong,
            reason: lt("Paid to the wrong landlord; refunded."),
        },
    );
    let by = received(&s);
    assert_eq!(by[&P1], vec![AssistanceType::ReintegrationAllowance]);
    assert_eq!(
        by[&P2],
        vec![AssistanceType::ReintegrationAllowance],
        "the training waits for its second signature; the housing was reversed"
    );
    // What was delivered, and to whom, stays: a revision may not give the training to
    // someone else, nor make the allowance another type.
    let mut to_awa = training.clone();
    to_awa.beneficiary = Some(P1);
    let mut retyped = allowance.clone();
    retyped.assistance = AssistanceType::Housing;
    let r = s.refused(
        REINTEGRATION,
        Scenario::draft_cmd(vec![retyped, to_awa, housing.clone()]),
        "plan.delivered_item_changed",
    );
    let fields: Vec<_> = r
        .violations
        .iter()
        .filter_map(|v| v.field.as_deref())
        .collect();
    assert_eq!(fields, ["items/0/assistance", "items/1/beneficiary"]);
    s.ok(APPROVER, Command::CountersignDelivery { delivery_id: big });
    let by = received(&s);
    assert_eq!(by[&P1], vec![AssistanceType::ReintegrationAllowance]);
    assert_eq!(
        by[&P2],
        vec![
            AssistanceType::ReintegrationAllowance,
            AssistanceType::VocationalTraining
        ]
    );
}

/// For readers of protected figures, an option counts in the month it was first taken up
/// as that month ended: a delivery reversed within its month never counted; one reversed
/// after its month ended stays counted there; a second signature given a month later
/// counts in its own month; every month of a returnee's is told as the first ended.
#[test]
fn an_option_counts_in_the_month_it_was_taken_up_and_a_month_once_ended_stays() {
    use homeward_domain::stats::{TakenUp, taken_up_of};
    let mut s = couple_arrived();
    let allowance = s.plan_item(AssistanceType::ReintegrationAllowance, 20_000);
    let mut training = s.plan_item(AssistanceType::VocationalTraining, 100_000);
    training.beneficiary = Some(P2);
    let mut housing = s.plan_item(AssistanceType::Housing, 30_000);
    housing.beneficiary = Some(P1);
    let mut medical = s.plan_item(AssistanceType::MedicalCare, 10_000);
    medical.beneficiary = Some(P1);
    s.approved_plan(vec![
        allowance.clone(),
        training.clone(),
        housing.clone(),
        medical.clone(),
    ]);
    use chrono::Datelike;
    let month = |s: &Scenario| s.now.date_naive().with_day(1).unwrap();
    // Enter a month of its own: what follows is recorded in it.
    s.advance(40);
    let first = month(&s);
    let (_, cmd) = s.delivery_cmd(allowance.item_id, eur(20_000));
    s.ok(REINTEGRATION, cmd);
    let (wrong, cmd) = s.delivery_cmd(housing.item_id, eur(10_000));
    s.ok(REINTEGRATION, cmd);
    let (medicine, cmd) = s.delivery_cmd(medical.item_id, eur(10_000));
    s.ok(REINTEGRATION, cmd);
    let (big, cmd) = s.delivery_cmd(training.item_id, eur(60_000));
    s.ok(REINTEGRATION, cmd);
    // Reversed in its own month: never counted.
    s.ok(
        REINTEGRATION,
        Command::ReverseDelivery {
            delivery_id: wrong,
            reason: lt("Paid to the wrong landlord; refunded."),
        },
    );
    let facts = |s: &Scenario| {
        let c = s.case();
        // Each returnee told by their vulnerabilities.
        let mut f = taken_up_of(&c, &s.events, |_, r| r.vulnerabilities);
        f.sort();
        f
    };
    let fact = |person: PersonId, month, types: &[AssistanceType]| TakenUp {
        person_id: person.0,
        month,
        assistance: types.iter().fold(0, |m, a| m | a.bit()),
        returnee: 0,
    };
    use AssistanceType::{MedicalCare, ReintegrationAllowance, VocationalTraining};
    let mut expected = vec![
        fact(P1, first, &[ReintegrationAllowance, MedicalCare]),
        fact(P2, first, &[ReintegrationAllowance]),
    ];
    expected.sort();
    assert_eq!(facts(&s), expected, "the month under way, as it stands");
    // The next month: the training signed, the medicine reversed.
    s.advance(31);
    let second = month(&s);
    assert_ne!(first, second);
    s.ok(APPROVER, Command::CountersignDelivery { delivery_id: big });
    s.ok(
        REINTEGRATION,
        Command::ReverseDelivery {
            delivery_id: medicine,
            reason: lt("Paid twice; refunded."),
        },
    );
    // Moussa's details corrected: his months are still counted as he was first told.
    let mut moussa = adult("Moussa");
    moussa.vulnerabilities = [Vulnerability::ALL[0]].into_iter().collect();
    s.ok(
        REINTEGRATION,
        Command::UpdatePersonDetails {
            person_id: P2,
            details: moussa,
        },
    );
    expected.push(fact(P2, second, &[VocationalTraining]));
    expected.sort();
    assert_eq!(
        facts(&s),
        expected,
        "the first month stays as it ended; the training counts in the month it was signed, with Moussa as first told"
    );
}
