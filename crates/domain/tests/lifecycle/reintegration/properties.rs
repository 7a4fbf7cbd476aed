//! Properties of plans and deliveries under any sequence of operations.

use super::*;

/// The command an operation stands for on `s`, if it can be built: items 0 and 1 draw on
/// `budget[0]`, items 2 and 3 (housing) on `budget[1]` when given; a draft carries `excepted` as its
/// budget exception.
fn command_of(
    s: &mut Scenario,
    op: Op,
    items: &[PlanItemId],
    deliveries: &mut Vec<DeliveryId>,
    budget: Option<[BudgetLineId; 2]>,
    excepted: Option<&str>,
) -> Option<(UserId, Command)> {
    let v = version(s);
    Some(match op {
        Op::Draft(lines) => {
            let mut seen = std::collections::BTreeSet::new();
            let mut plan = Vec::new();
            for (i, value) in lines {
                if seen.insert(i) {
                    let assistance = match (budget, i) {
                        (Some(_), 2..) => AssistanceType::Housing,
                        _ => AssistanceType::BusinessDevelopment,
                    };
                    let mut item = s.plan_item(assistance, value);
                    item.item_id = items[usize::from(i)];
                    item.budget_line = budget.map(|l| l[usize::from(i) / 2]);
                    plan.push(item);
                }
            }
            (
                REINTEGRATION,
                match excepted {
                    None => Scenario::draft_cmd(plan),
                    Some(why) => draft_with_exception(plan, why),
                },
            )
        }
        Op::Agree => (REINTEGRATION, Scenario::agree_cmd(v)),
        Op::Approve => (
            APPROVER,
            Command::ApprovePlan {
                version: v,
                comment: None,
            },
        ),
        Op::Deliver(i, amount) => {
            let (id, cmd) = s.delivery_cmd(items[usize::from(i)], eur(amount));
            deliveries.push(id);
            (REINTEGRATION, cmd)
        }
        Op::Countersign(n) => match deliveries.get(usize::from(n)) {
            Some(id) => (APPROVER, Command::CountersignDelivery { delivery_id: *id }),
            None => return None,
        },
        Op::Reverse(n) => match deliveries.get(usize::from(n)) {
            Some(id) => (
                REINTEGRATION,
                Command::ReverseDelivery {
                    delivery_id: *id,
                    reason: lt("Wrong amount"),
                },
            ),
            None => return None,
        },
        Op::Decline(i) => (
            REINTEGRATION,
            Command::DeclineAssistance(Decline {
                person_id: P1,
                item_id: Some(items[usize::from(i)]),
                own_words: None,
            }),
        ),
        Op::CloseItem(i) => (
            REINTEGRATION,
            Command::CloseItem {
                item_id: items[usize::from(i)],
                reason: lt("Not needed"),
            },
        ),
    })
}

#[derive(Debug, Clone)]
enum Op {
    Draft(Vec<(u8, i64)>),
    Agree,
    Approve,
    Deliver(u8, i64),
    Countersign(u8),
    Reverse(u8),
    Decline(u8),
    CloseItem(u8),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        prop::collection::vec((0u8..4, 1i64..50_000), 1..4).prop_map(Op::Draft),
        Just(Op::Agree),
        Just(Op::Approve),
        (0u8..4, 1i64..60_000).prop_map(|(i, a)| Op::Deliver(i, a)),
        (0u8..8).prop_map(Op::Countersign),
        (0u8..8).prop_map(Op::Reverse),
        (0u8..4).prop_map(Op::Decline),
        (0u8..4).prop_map(Op::CloseItem),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// For any sequence of plan and delivery commands, disbursed is what the events say
    /// (deliveries not reversed, countersigned where needed), no item's standing deliveries
    /// exceed its value in the plan in force, and committed never exceeds that plan.
    #[test]
    fn committed_and_disbursed_always_match_the_events(ops in prop::collection::vec(op(), 1..30)) {
        let mut p = programme();
        p.reintegration.second_signature_above = Some(20_000);
        let mut s = arrived_with(p);
        let items: Vec<PlanItemId> = (0..4).map(|_| PlanItemId(s.fresh_id())).collect();
        let mut deliveries: Vec<DeliveryId> = Vec::new();
        for op in ops {
            let Some((actor, cmd)) = command_of(&mut s, op, &items, &mut deliveries, None, None) else {
                continue;
            };
            let _ = s.run(actor, cmd);
            s.advance(1);

            // Disbursed, from the events alone.
            let mut recorded: Vec<(DeliveryId, i64, bool)> = Vec::new();
            let mut reversed = std::collections::BTreeSet::new();
            let mut signed = std::collections::BTreeSet::new();
            for e in &s.events {
                match &e.event {
                    Event::DeliveryRecorded { delivery, value, needs_second_signature } => {
                        recorded.push((delivery.delivery_id, value.amount_minor, *needs_second_signature));
                    }
                    Event::DeliveryReversed { delivery_id, .. } => { reversed.insert(*delivery_id); }
                    Event::DeliveryCountersigned { delivery_id } => { signed.insert(*delivery_id); }
                    _ => {}
                }
            }
            let disbursed: i64 = recorded
                .iter()
                .filter(|(id, _, sig)| !reversed.contains(id) && (!sig || signed.contains(id)))
                .map(|(_, v, _)| v)
                .sum();
            let c = s.case();
            prop_assert_eq!(c.reintegration.disbursed(), disbursed);
            if let Some(plan) = c.reintegration.in_force() {
                for item in &plan.items {
                    prop_assert!(c.reintegration.standing_of(item.item_id) <= item.value.amount_minor);
                }
                prop_assert!(c.reintegration.committed() <= plan.total.amount_minor);
                prop_assert!(c.reintegration.disbursed() <= c.reintegration.committed());
            } else {
                prop_assert_eq!(disbursed, 0, "nothing is delivered without an approved plan");
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// For any sequence of plan and delivery commands on a funded programme, with other
    /// cases committing what they may on its lines: committed and disbursed per line add
    /// up to the case's committed and disbursed, and a line is never taken higher beyond
    /// its amount unless the plan in force carries an exception a second person approved
    /// (what the case committed already, under an earlier exception, is not asked again:
    /// a revision that lowers it needs none).
    #[test]
    fn no_line_is_committed_beyond_its_amount_without_an_approved_exception(
        ops in prop::collection::vec((op(), prop::bool::weighted(0.15)), 1..30),
        elsewhere in (0i64..100_000, 0i64..50_000),
    ) {
        let mut p = funded();
        p.reintegration.second_signature_above = Some(20_000);
        let mut s = arrived_with(p);
        s.elsewhere = [(LINE_A, elsewhere.0), (LINE_B, elsewhere.1)].into();
        let items: Vec<PlanItemId> = (0..4).map(|_| PlanItemId(s.fresh_id())).collect();
        let mut deliveries: Vec<DeliveryId> = Vec::new();
        let mut before: std::collections::BTreeMap<BudgetLineId, i64> = Default::default();
        for (op, excepted) in ops {
            let why = excepted.then_some("The donor agreed to the overrun.");
            let Some((actor, cmd)) =
                command_of(&mut s, op, &items, &mut deliveries, Some([LINE_A, LINE_B]), why)
            else {
                continue;
            };
            let _ = s.run(actor, cmd);
            s.advance(1);
            let r = s.case().reintegration;
            let committed = r.committed_by_line();
            let disbursed = r.disbursed_by_line();
            prop_assert_eq!(committed.values().sum::<i64>(), r.committed());
            prop_assert_eq!(disbursed.values().sum::<i64>(), r.disbursed());
            let excepted = r.in_force().is_some_and(|v| v.budget_exception.is_some());
            if !excepted {
                for (line, amount) in [(LINE_A, 100_000), (LINE_B, 50_000)] {
                    let ours = committed.get(&line).copied().unwrap_or(0);
                    let was = before.get(&line).copied().unwrap_or(0);
                    prop_assert!(
                        ours <= was || ours + s.elsewhere[&line] <= amount,
                        "{line} commits {ours} (from {was}) beside {} of {amount}", s.elsewhere[&line]
                    );
                }
            }
            before = committed;
        }
    }
}
