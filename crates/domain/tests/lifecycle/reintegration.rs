//! The reintegration plan and its deliveries (DESIGN.md, "Assistance, grants and budgets").

use super::*;
use homeward_domain::case::reintegration::*;
use homeward_domain::case::{budget_limits, plan_cap};
use homeward_domain::funding::{BudgetLine, Grant};
use homeward_domain::ids::{BudgetLineId, GrantId};
use homeward_domain::programme::{Package, ProgrammeSettings};
use proptest::prelude::*;
use uuid::Uuid;

mod budget_lines;
mod properties;
mod taken_up;

fn arrived_with(programme: ProgrammeSettings) -> Scenario {
    let mut s = Scenario::register_with(
        vec![member(1, Relationship::Principal, adult("Awa"))],
        programme,
    );
    s.approve_adults(&[P1]);
    s.prepare_travel();
    s.depart_and_arrive();
    s
}

/// Awa and her husband Moussa, arrived, with a second signature above 500.00.
fn couple_arrived() -> Scenario {
    let mut p = programme();
    p.reintegration.second_signature_above = Some(50_000);
    let mut s = Scenario::register_with(
        vec![
            member(1, Relationship::Principal, adult("Awa")),
            member(2, Relationship::Spouse, adult("Moussa")),
        ],
        p,
    );
    s.approve_adults(&[P1, P2]);
    s.prepare_travel();
    s.depart_and_arrive();
    s
}

fn arrived() -> Scenario {
    arrived_with(programme())
}

fn eu_package() -> Package {
    // The EU reintegration programme's published figures, in cents.
    Package {
        on_arrival_per_person: 61_500,
        per_adult: 200_000,
        per_dependant: 100_000,
        per_vulnerable_person: 50_000,
    }
}

const LINE_A: BudgetLineId = BudgetLineId(Uuid::from_u128(0xA1));
const LINE_B: BudgetLineId = BudgetLineId(Uuid::from_u128(0xB1));
const LINE_ML: BudgetLineId = BudgetLineId(Uuid::from_u128(0xC1));

/// A programme funded by one grant for 2026: business development anywhere (1,000.00),
/// housing anywhere (500.00), business development in Mali only (300.00).
fn funded() -> ProgrammeSettings {
    let mut p = programme();
    p.return_countries.insert(cc("ML"));
    let line = |line_id, assistance, country: Option<&str>, amount| BudgetLine {
        line_id,
        assistance,
        country: country.map(cc),
        amount,
    };
    p.funding = vec![Grant {
        grant_id: GrantId(Uuid::from_u128(0x6)),
        donor: t("European Union"),
        reference: t("AMIF-2026-01"),
        starts: day(2026, 1, 1),
        ends: day(2026, 12, 31),
        currency: CurrencyCode::parse("EUR").unwrap(),
        budget_rate: None,
        amount: 200_000,
        lines: vec![
            line(LINE_A, AssistanceType::BusinessDevelopment, None, 100_000),
            line(LINE_B, AssistanceType::Housing, None, 50_000),
            line(
                LINE_ML,
                AssistanceType::BusinessDevelopment,
                Some("ML"),
                30_000,
            ),
        ],
    }];
    assert_eq!(p.funding_violations(), vec![]);
    p
}

fn on_line(mut item: PlanItem, line: BudgetLineId) -> PlanItem {
    item.budget_line = Some(line);
    item
}

fn draft_with_exception(items: Vec<PlanItem>, why: &str) -> Command {
    Command::DraftPlan(PlanDraft {
        items,
        cap_exception: None,
        budget_exception: Some(lt(why)),
    })
}

fn approve(version: u32) -> Command {
    Command::ApprovePlan {
        version,
        comment: None,
    }
}

fn version(s: &Scenario) -> u32 {
    s.case().reintegration.latest().map_or(0, |v| v.version)
}

#[test]
fn a_plan_is_drafted_after_arrival_agreed_by_the_returnee_and_approved_by_a_second_person() {
    let mut s = Scenario::single_adult();
    let item = s.plan_item(AssistanceType::BusinessDevelopment, 150_000);
    s.refused(
        REINTEGRATION,
        Scenario::draft_cmd(vec![item.clone()]),
        "stage.not_allowed",
    );
    let mut s = arrived();
    let item = s.plan_item(AssistanceType::BusinessDevelopment, 150_000);
    s.ok(REINTEGRATION, Scenario::draft_cmd(vec![item]));
    assert_eq!(
        s.case().stage,
        Stage::Reintegration,
        "drafting on arrival starts reintegration"
    );
    s.refused(
        APPROVER,
        Command::ApprovePlan {
            version: 1,
            comment: None,
        },
        "plan.not_agreed",
    );
    s.ok(REINTEGRATION, Scenario::agree_cmd(1));
    // The drafter may hold the approver's role too: four eyes still holds.
    s.refused(
        REINTEGRATION,
        Command::ApprovePlan {
            version: 1,
            comment: None,
        },
        "plan.four_eyes",
    );
    s.ok(
        APPROVER,
        Command::ApprovePlan {
            version: 1,
            comment: Some(lt("Agreed with the vocational centre.")),
        },
    );
    let c = s.case();
    let plan = c.reintegration.in_force().expect("a plan in force");
    assert_eq!(plan.status, PlanStatus::Approved);
    assert_eq!(plan.decided_by, Some(APPROVER));
    assert_eq!(c.reintegration.committed(), 150_000);
    assert_eq!(c.reintegration.disbursed(), 0);
}

#[test]
fn a_child_answers_through_a_representative_and_a_stale_version_is_not_approved() {
    let mut s = Scenario::family();
    s.approve_adults(&[P1, P2]);
    s.prepare_travel();
    s.depart_and_arrive();
    let a = s.plan_item(AssistanceType::EducationSupport, 40_000);
    s.ok(REINTEGRATION, Scenario::draft_cmd(vec![a.clone()]));
    s.refused(
        REINTEGRATION,
        Command::RespondToPlan(PlanResponse {
            version: 1,
            person_id: P3,
            given_by: ConsentGiver::Person,
            answer: PlanAnswer::Agreed,
            own_words: None,
        }),
        "plan.answer_by_child",
    );
    s.ok(REINTEGRATION, Scenario::agree_cmd(1));
    // A new draft replaces the one waiting: version 1 can no longer be approved.
    s.ok(REINTEGRATION, Scenario::draft_cmd(vec![a]));
    s.refused(
        APPROVER,
        Command::ApprovePlan {
            version: 1,
            comment: None,
        },
        "plan.version_not_latest",
    );
    assert_eq!(
        s.case().reintegration.versions[0].status,
        PlanStatus::Superseded
    );
    // Agreement is to a version: version 2 needs its own.
    s.refused(
        APPROVER,
        Command::ApprovePlan {
            version: 2,
            comment: None,
        },
        "plan.not_agreed",
    );
}

#[test]
fn the_approver_can_send_a_plan_back_and_the_returnee_can_ask_for_a_change() {
    let mut s = arrived();
    let a = s.plan_item(AssistanceType::Housing, 80_000);
    s.ok(REINTEGRATION, Scenario::draft_cmd(vec![a.clone()]));
    s.ok(
        REINTEGRATION,
        Command::RespondToPlan(PlanResponse {
            version: 1,
            person_id: P1,
            given_by: ConsentGiver::Person,
            answer: PlanAnswer::ChangeRequested,
            own_words: Some(lt("I would rather have training than rent.")),
        }),
    );
    s.refused(
        APPROVER,
        Command::ApprovePlan {
            version: 1,
            comment: None,
        },
        "plan.not_agreed",
    );
    s.ok(
        APPROVER,
        Command::ReturnPlan {
            version: 1,
            reason: lt("Follow the returnee's wish."),
        },
    );
    s.refused(
        APPROVER,
        Command::ApprovePlan {
            version: 1,
            comment: None,
        },
        "plan.not_awaiting_approval",
    );
    assert_eq!(
        s.case().reintegration.versions[0].status,
        PlanStatus::Returned
    );
}

#[test]
fn the_cap_is_the_programmes_package_over_the_household_and_an_exception_needs_a_reason() {
    let mut p = programme();
    p.reintegration.package = Some(eu_package());
    let mut s = Scenario::register_with(
        vec![
            member(1, Relationship::Principal, adult("Awa")),
            member(2, Relationship::Spouse, adult("Moussa")),
            member(3, Relationship::Child, child("Fatou")),
        ],
        p,
    );
    s.approve_adults(&[P1, P2]);
    s.prepare_travel();
    s.depart_and_arrive();
    let c = s.case();
    let cap = plan_cap(&c, &s.programme, s.now.date_naive()).expect("a cap");
    // Three people on arrival, two adults, one dependant.
    assert_eq!(cap.amount_minor, 3 * 61_500 + 2 * 200_000 + 100_000);
    let over = s.plan_item(AssistanceType::BusinessDevelopment, cap.amount_minor + 1);
    let r = s.refused(
        REINTEGRATION,
        Scenario::draft_cmd(vec![over.clone()]),
        "plan.above_cap",
    );
    assert_eq!(r.violations[0].field.as_deref(), Some("cap_exception"));
    let at_cap = s.plan_item(AssistanceType::BusinessDevelopment, cap.amount_minor);
    s.ok(REINTEGRATION, Scenario::draft_cmd(vec![at_cap]));
    s.ok(
        REINTEGRATION,
        Command::DraftPlan(PlanDraft {
            items: vec![over],
            cap_exception: Some(lt("Medical equipment for the child, not in the package.")),
            budget_exception: None,
        }),
    );
    s.ok(REINTEGRATION, Scenario::agree_cmd(2));
    // The approver's queue names it.
    assert_eq!(
        s.case().reintegration.exceptions_to_approve(),
        vec![PlanException::AboveCap]
    );
    s.ok(
        APPROVER,
        Command::ApprovePlan {
            version: 2,
            comment: None,
        },
    );
    assert_eq!(s.case().reintegration.exceptions_to_approve(), vec![]);
    let plan = s
        .case()
        .reintegration
        .in_force()
        .cloned()
        .expect("in force");
    assert!(
        plan.approved_above_cap,
        "the exception is approved with the plan"
    );
    assert_eq!(plan.cap, Some(cap));
}

#[test]
fn a_vulnerable_person_tops_the_cap_up() {
    let mut p = programme();
    p.reintegration.package = Some(eu_package());
    let mut d = adult("Awa");
    d.vulnerabilities.insert(Vulnerability::MedicalNeeds);
    let s = Scenario::register_with(vec![member(1, Relationship::Principal, d)], p);
    let cap = plan_cap(&s.case(), &s.programme, s.now.date_naive()).expect("a cap");
    assert_eq!(cap.amount_minor, 61_500 + 200_000 + 50_000);
}

#[test]
fn items_are_in_the_programmes_currency_and_a_plan_has_items() {
    let mut s = arrived();
    s.refused(REINTEGRATION, Scenario::draft_cmd(vec![]), "plan.empty");
    let mut item = s.plan_item(AssistanceType::MedicalCare, 10_000);
    item.value = Money::new(10_000, CurrencyCode::parse("USD").unwrap()).unwrap();
    let r = s.refused(
        REINTEGRATION,
        Scenario::draft_cmd(vec![item.clone(), item]),
        "plan.currency",
    );
    assert!(r.has("plan.item_duplicate"));
}

/// `cmd`, a delivery, telling the people it has reached so far.
fn reaching(cmd: Command, people: u32) -> Command {
    match cmd {
        Command::RecordDelivery(d) => Command::RecordDelivery(Delivery {
            people_reached: Some(people),
            ..d
        }),
        other => other,
    }
}

/// A community project (an item of community assistance) tells the people of the
/// community it has reached, as its latest counted delivery says (each tranche tells
/// those reached so far); another item cannot, and none is not a count.
#[test]
fn a_community_project_tells_the_people_it_has_reached() {
    let mut s = arrived();
    let project = s.plan_item(AssistanceType::CommunityAssistance, 100_000);
    let own = s.plan_item(AssistanceType::BusinessDevelopment, 50_000);
    s.approved_plan(vec![project.clone(), own.clone()]);
    let (_, cmd) = s.delivery_cmd(own.item_id, eur(10_000));
    s.refused(
        REINTEGRATION,
        reaching(cmd, 40),
        "delivery.people_reached_not_community",
    );
    let (_, cmd) = s.delivery_cmd(project.item_id, eur(10_000));
    s.refused(
        REINTEGRATION,
        reaching(cmd, 0),
        "delivery.people_reached_zero",
    );
    let (_, cmd) = s.delivery_cmd(project.item_id, eur(40_000));
    s.ok(REINTEGRATION, reaching(cmd, 120));
    let (_, cmd) = s.delivery_cmd(project.item_id, eur(20_000));
    s.ok(REINTEGRATION, cmd);
    let (last, cmd) = s.delivery_cmd(project.item_id, eur(30_000));
    s.ok(REINTEGRATION, reaching(cmd, 300));
    let projects = s.case().reintegration.community_projects();
    assert_eq!(
        projects,
        [CommunityProject {
            item_id: project.item_id,
            committed: 100_000,
            delivered: 90_000,
            people_reached: Some(300),
        }],
        "the business is not a community project"
    );
    // Reversed, the last tranche no longer tells: the one before it that did.
    s.ok(
        REINTEGRATION,
        Command::ReverseDelivery {
            delivery_id: last,
            reason: lt("Paid to the wrong contractor."),
        },
    );
    let projects = s.case().reintegration.community_projects();
    assert_eq!(projects[0].people_reached, Some(120));
    assert_eq!(projects[0].delivered, 60_000);
}

#[test]
fn nothing_is_delivered_before_approval_or_beyond_the_plan() {
    let mut s = arrived();
    let item = s.plan_item(AssistanceType::BusinessDevelopment, 100_000);
    s.ok(REINTEGRATION, Scenario::draft_cmd(vec![item.clone()]));
    let (_, early) = s.delivery_cmd(item.item_id, eur(10_000));
    s.refused(REINTEGRATION, early, "plan.not_approved");
    s.ok(REINTEGRATION, Scenario::agree_cmd(1));
    s.ok(
        APPROVER,
        Command::ApprovePlan {
            version: 1,
            comment: None,
        },
    );
    let (first, cmd) = s.delivery_cmd(item.item_id, eur(60_000));
    s.ok(REINTEGRATION, cmd);
    let (_, cmd) = s.delivery_cmd(item.item_id, eur(50_000));
    let r = s.refused(REINTEGRATION, cmd, "delivery.beyond_plan");
    assert_eq!(
        r.violations[0].params.get("remaining").map(String::as_str),
        Some("40000")
    );
    // A reversal gives the allowance back; it is never deleted.
    s.ok(
        REINTEGRATION,
        Command::ReverseDelivery {
            delivery_id: first,
            reason: lt("Paid twice by the bank; refunded."),
        },
    );
    s.refused(
        REINTEGRATION,
        Command::ReverseDelivery {
            delivery_id: first,
            reason: lt("Again."),
        },
        "delivery.reversed",
    );
    let (_, cmd) = s.delivery_cmd(item.item_id, eur(100_000));
    s.ok(REINTEGRATION, cmd);
    let c = s.case();
    assert_eq!(c.reintegration.deliveries.len(), 2);
    assert_eq!(c.reintegration.disbursed(), 100_000);
    assert_eq!(c.reintegration.item_state(&item), ItemState::Delivered);
}

#[test]
fn a_large_delivery_counts_once_a_second_person_signs_it() {
    let mut p = programme();
    p.reintegration.second_signature_above = Some(50_000);
    let mut s = arrived_with(p);
    let item = s.plan_item(AssistanceType::BusinessDevelopment, 200_000);
    s.approved_plan(vec![item.clone()]);
    let (small, cmd) = s.delivery_cmd(item.item_id, eur(50_000));
    s.ok(REINTEGRATION, cmd);
    let (big, cmd) = s.delivery_cmd(item.item_id, eur(60_000));
    s.ok(REINTEGRATION, cmd);
    let c = s.case();
    assert!(c.reintegration.delivery(big).unwrap().awaits_signature());
    assert!(
        !c.reintegration
            .delivery(small)
            .unwrap()
            .needs_second_signature
    );
    assert_eq!(c.reintegration.disbursed(), 50_000, "unsigned: not counted");
    // Unsigned, it still uses up the plan: 200,000 - 110,000 remain.
    let (_, cmd) = s.delivery_cmd(item.item_id, eur(90_001));
    s.refused(REINTEGRATION, cmd, "delivery.beyond_plan");
    s.refused(
        REINTEGRATION,
        Command::CountersignDelivery { delivery_id: big },
        "delivery.four_eyes",
    );
    s.refused(
        APPROVER,
        Command::CountersignDelivery { delivery_id: small },
        "delivery.not_awaiting_signature",
    );
    let close = Command::Close {
        outcome: Outcome::Completed,
        note: None,
    };
    s.refused(REINTEGRATION, close.clone(), "closure.delivery_unsigned");
    s.ok(APPROVER, Command::CountersignDelivery { delivery_id: big });
    assert_eq!(s.case().reintegration.disbursed(), 110_000);
    let (last, cmd) = s.delivery_cmd(item.item_id, eur(90_000));
    s.ok(REINTEGRATION, cmd);
    s.ok(APPROVER, Command::CountersignDelivery { delivery_id: last });
    s.ok(REINTEGRATION, close);
}

#[test]
fn a_payment_in_another_currency_records_its_rate_and_counts_in_the_plans_currency() {
    let mut s = arrived();
    let item = s.plan_item(AssistanceType::ReintegrationAllowance, 20_000);
    s.approved_plan(vec![item.clone()]);
    let xof = |n| Money::new(n, CurrencyCode::parse("XOF").unwrap()).unwrap();
    let (_, cmd) = s.delivery_cmd(item.item_id, xof(65_596));
    s.refused(REINTEGRATION, cmd, "delivery.exchange_required");
    let id = DeliveryId(s.fresh_id());
    let paid = |exchange| {
        Command::RecordDelivery(Delivery {
            delivery_id: id,
            item_id: item.item_id,
            channel: DeliveryChannel::CashToReturnee,
            amount: xof(65_596),
            exchange,
            proof: None,
            people_reached: None,
        })
    };
    let rate = ExchangeRate::parse("0.00152449").unwrap();
    let tomorrow = s.now.date_naive().succ_opt().unwrap();
    s.refused(
        REINTEGRATION,
        paid(Some(Exchange {
            rate: rate.clone(),
            on: tomorrow,
        })),
        "delivery.rate_date_in_future",
    );
    s.ok(
        REINTEGRATION,
        paid(Some(Exchange {
            rate,
            on: s.now.date_naive(),
        })),
    );
    let c = s.case();
    // 65,596 XOF at 0.00152449 EUR = 100.00 EUR.
    assert_eq!(c.reintegration.delivery(id).unwrap().value, eur(10_000));
    let (_, cmd) = s.delivery_cmd(item.item_id, eur(10_000));
    let mut same = cmd;
    if let Command::RecordDelivery(d) = &mut same {
        d.exchange = Some(Exchange {
            rate: ExchangeRate::parse("1").unwrap(),
            on: s.now.date_naive(),
        });
    }
    s.refused(REINTEGRATION, same, "delivery.exchange_not_needed");
}

/// What the plan waits for, and from whom, follows each step: the reintegration officer
/// drafts (again after a change asked or a version sent back) and gets the returnee's
/// answer; the approver approves; nothing waits once a version is in force, when the
/// returnee declines all support, or when the case is closed.
#[test]
fn the_plan_waits_for_the_officer_the_returnee_or_the_approver_in_turn() {
    let mut s = arrived();
    let work = |s: &Scenario| s.case().plan_work();
    assert_eq!(work(&s), Some(PlanWork::ToDraft), "arrived, no plan");
    let a = s.plan_item(AssistanceType::Housing, 80_000);
    s.ok(REINTEGRATION, Scenario::draft_cmd(vec![a.clone()]));
    assert_eq!(work(&s), Some(PlanWork::ToAgree));
    s.ok(
        REINTEGRATION,
        Command::RespondToPlan(PlanResponse {
            version: 1,
            person_id: P1,
            given_by: ConsentGiver::Person,
            answer: PlanAnswer::ChangeRequested,
            own_words: Some(lt("Training rather than rent.")),
        }),
    );
    assert_eq!(work(&s), Some(PlanWork::ToDraft), "a change asked");
    s.ok(REINTEGRATION, Scenario::draft_cmd(vec![a.clone()]));
    s.ok(REINTEGRATION, Scenario::agree_cmd(2));
    assert_eq!(work(&s), Some(PlanWork::ToApprove));
    s.ok(
        APPROVER,
        Command::ReturnPlan {
            version: 2,
            reason: lt("Say who provides the housing."),
        },
    );
    assert_eq!(work(&s), Some(PlanWork::ToDraft), "sent back");
    s.ok(REINTEGRATION, Scenario::draft_cmd(vec![a.clone()]));
    s.ok(REINTEGRATION, Scenario::agree_cmd(3));
    s.ok(
        APPROVER,
        Command::ApprovePlan {
            version: 3,
            comment: None,
        },
    );
    assert_eq!(work(&s), None, "in force");
    // The returnee asks to change the plan in force: it is to draft again.
    s.ok(
        REINTEGRATION,
        Command::RespondToPlan(PlanResponse {
            version: 3,
            person_id: P1,
            given_by: ConsentGiver::Person,
            answer: PlanAnswer::ChangeRequested,
            own_words: Some(lt("A motorbike instead of the rent.")),
        }),
    );
    assert_eq!(
        work(&s),
        Some(PlanWork::ToDraft),
        "a change to the plan in force"
    );
    s.ok(REINTEGRATION, Scenario::draft_cmd(vec![a.clone()]));
    assert_eq!(work(&s), Some(PlanWork::ToAgree));
    s.ok(REINTEGRATION, Scenario::agree_cmd(4));
    assert_eq!(work(&s), Some(PlanWork::ToApprove));
    // A revision sent back leaves the plan in force standing: nothing waits.
    s.ok(
        APPROVER,
        Command::ReturnPlan {
            version: 4,
            reason: lt("The housing item stays as it was."),
        },
    );
    assert_eq!(work(&s), None, "the plan in force stands");
    s.ok(REINTEGRATION, Scenario::draft_cmd(vec![a.clone()]));
    assert_eq!(work(&s), Some(PlanWork::ToAgree));
    s.ok(
        REINTEGRATION,
        Command::DeclineAssistance(Decline {
            person_id: P1,
            item_id: None,
            own_words: Some(lt("I do not want any more support.")),
        }),
    );
    assert_eq!(work(&s), None, "all support declined");
    s.ok(
        REINTEGRATION,
        Command::Close {
            outcome: Outcome::Completed,
            note: None,
        },
    );
    assert_eq!(s.case().stage, Stage::Closed);
    assert_eq!(s.case().reintegration.plan_work(), None);
    // A closed case waits for nothing, whatever its plan.
    let mut t = arrived();
    t.ok(
        REINTEGRATION,
        Command::Close {
            outcome: Outcome::LostContact,
            note: None,
        },
    );
    assert_eq!(t.case().reintegration.plan_work(), Some(PlanWork::ToDraft));
    assert_eq!(t.case().plan_work(), None, "closed");
}

#[test]
fn the_returnee_may_decline_an_item_or_everything_and_take_it_back() {
    let mut s = arrived();
    let a = s.plan_item(AssistanceType::VocationalTraining, 30_000);
    let b = s.plan_item(AssistanceType::Housing, 50_000);
    s.approved_plan(vec![a.clone(), b.clone()]);
    s.ok(
        REINTEGRATION,
        Command::DeclineAssistance(Decline {
            person_id: P1,
            item_id: Some(a.item_id),
            own_words: Some(lt("I found work; I do not need the training.")),
        }),
    );
    let (_, cmd) = s.delivery_cmd(a.item_id, eur(10_000));
    s.refused(REINTEGRATION, cmd.clone(), "plan.item_declined");
    assert_eq!(s.case().reintegration.committed(), 50_000, "released");
    // Agreeing to the plan again takes the decline back.
    s.ok(REINTEGRATION, Scenario::agree_cmd(1));
    s.ok(REINTEGRATION, cmd);
    s.ok(
        REINTEGRATION,
        Command::DeclineAssistance(Decline {
            person_id: P1,
            item_id: None,
            own_words: Some(lt("I do not want any more support.")),
        }),
    );
    // Nothing forces the support on anyone: the case can be completed.
    s.ok(
        REINTEGRATION,
        Command::Close {
            outcome: Outcome::Completed,
            note: None,
        },
    );
}

#[test]
fn completing_a_case_needs_its_plan_delivered_or_its_items_closed_with_a_reason() {
    let mut s = arrived();
    let close = Command::Close {
        outcome: Outcome::Completed,
        note: None,
    };
    s.refused(
        REINTEGRATION,
        close.clone(),
        "closure.no_reintegration_plan",
    );
    let a = s.plan_item(AssistanceType::BusinessDevelopment, 30_000);
    let b = s.plan_item(AssistanceType::PsychosocialSupport, 20_000);
    s.ok(
        REINTEGRATION,
        Scenario::draft_cmd(vec![a.clone(), b.clone()]),
    );
    s.refused(
        REINTEGRATION,
        close.clone(),
        "closure.plan_awaiting_approval",
    );
    s.ok(REINTEGRATION, Scenario::agree_cmd(1));
    s.ok(
        APPROVER,
        Command::ApprovePlan {
            version: 1,
            comment: None,
        },
    );
    let (_, cmd) = s.delivery_cmd(a.item_id, eur(30_000));
    s.ok(REINTEGRATION, cmd);
    let r = s.refused(REINTEGRATION, close.clone(), "closure.plan_item_open");
    assert_eq!(r.violations.len(), 1, "only the undelivered item: {r}");
    s.ok(
        REINTEGRATION,
        Command::CloseItem {
            item_id: b.item_id,
            reason: lt("Referred to a free public service instead."),
        },
    );
    let (_, cmd) = s.delivery_cmd(b.item_id, eur(1_000));
    s.refused(REINTEGRATION, cmd, "plan.item_closed");
    assert_eq!(s.case().reintegration.committed(), 30_000);
    s.ok(REINTEGRATION, close);
}

#[test]
fn a_new_version_keeps_what_was_delivered_and_the_old_one_stays_in_force_until_approved() {
    let mut s = arrived();
    let a = s.plan_item(AssistanceType::BusinessDevelopment, 100_000);
    s.approved_plan(vec![a.clone()]);
    let (_, cmd) = s.delivery_cmd(a.item_id, eur(60_000));
    s.ok(REINTEGRATION, cmd);
    let b = s.plan_item(AssistanceType::Housing, 20_000);
    s.refused(
        REINTEGRATION,
        Scenario::draft_cmd(vec![b.clone()]),
        "plan.delivered_item_removed",
    );
    let mut less = a.clone();
    less.value = eur(50_000);
    s.refused(
        REINTEGRATION,
        Scenario::draft_cmd(vec![less, b.clone()]),
        "plan.below_delivered",
    );
    let mut smaller = a.clone();
    smaller.value = eur(70_000);
    s.ok(REINTEGRATION, Scenario::draft_cmd(vec![smaller, b.clone()]));
    // Version 1 is in force until version 2 is approved: b cannot be delivered yet.
    assert_eq!(s.case().reintegration.in_force().unwrap().version, 1);
    let (_, cmd) = s.delivery_cmd(b.item_id, eur(20_000));
    s.refused(REINTEGRATION, cmd.clone(), "plan.item_unknown");
    s.ok(REINTEGRATION, Scenario::agree_cmd(2));
    s.ok(
        APPROVER,
        Command::ApprovePlan {
            version: 2,
            comment: None,
        },
    );
    s.ok(REINTEGRATION, cmd);
    let c = s.case();
    assert_eq!(c.reintegration.versions[0].status, PlanStatus::Superseded);
    assert_eq!(c.reintegration.committed(), 90_000);
    let (_, cmd) = s.delivery_cmd(a.item_id, eur(10_001));
    s.refused(REINTEGRATION, cmd, "delivery.beyond_plan");
}

/// Found by the property test below: a version drafted below nothing (nothing was
/// delivered yet), then a delivery against the plan in force, then the draft approved,
/// left an item delivered beyond its plan. Approval checks the deliveries again.
#[test]
fn a_version_is_not_approved_below_what_was_delivered_since_it_was_drafted() {
    let mut s = arrived();
    let a = s.plan_item(AssistanceType::BusinessDevelopment, 100_000);
    s.approved_plan(vec![a.clone()]);
    let mut less = a.clone();
    less.value = eur(30_000);
    s.ok(REINTEGRATION, Scenario::draft_cmd(vec![less]));
    s.ok(REINTEGRATION, Scenario::agree_cmd(2));
    let (_, cmd) = s.delivery_cmd(a.item_id, eur(60_000));
    s.ok(REINTEGRATION, cmd);
    let approve = Command::ApprovePlan {
        version: 2,
        comment: None,
    };
    s.refused(APPROVER, approve, "plan.below_delivered");
    // Nor one that drops an item delivered since.
    let b = s.plan_item(AssistanceType::Housing, 20_000);
    s.ok(
        REINTEGRATION,
        Scenario::draft_cmd(vec![a.clone(), b.clone()]),
    );
    s.ok(REINTEGRATION, Scenario::agree_cmd(3));
    s.ok(
        APPROVER,
        Command::ApprovePlan {
            version: 3,
            comment: None,
        },
    );
    s.ok(REINTEGRATION, Scenario::draft_cmd(vec![a.clone()]));
    s.ok(REINTEGRATION, Scenario::agree_cmd(4));
    let (_, cmd) = s.delivery_cmd(b.item_id, eur(5_000));
    s.ok(REINTEGRATION, cmd);
    s.refused(
        APPROVER,
        Command::ApprovePlan {
            version: 4,
            comment: None,
        },
        "plan.delivered_item_removed",
    );
}

#[test]
fn the_needs_assessment_is_kept_per_person_and_can_be_corrected() {
    let mut s = arrived();
    let needs = |skills: &str| NeedsAssessment {
        person_id: Some(P1),
        skills: Some(lt(skills)),
        education: None,
        work_experience: None,
        reasons_for_return: Some(lt("Family")),
        housing: None,
        health_needs: Some(lt("Follow-up for diabetes")),
        psychosocial_needs: None,
        family_situation: None,
        priorities: Some(lt("A tailoring workshop")),
    };
    s.ok(REINTEGRATION, Command::RecordNeeds(needs("Tailoring")));
    s.ok(
        REINTEGRATION,
        Command::RecordNeeds(needs("Tailoring, sales")),
    );
    let mut stranger = needs("x");
    stranger.person_id = Some(PersonId(uid(999)));
    s.refused(
        REINTEGRATION,
        Command::RecordNeeds(stranger),
        "person.not_a_member",
    );
    let c = s.case();
    assert_eq!(c.reintegration.needs.len(), 1, "the latest per person");
    assert_eq!(
        c.reintegration.needs[0]
            .assessment
            .skills
            .as_ref()
            .map(|t| t.as_str()),
        Some("Tailoring, sales")
    );
}

#[test]
fn the_needs_fields_are_named_as_stored_and_read_back_in_order() {
    let texts: [Option<LongText>; 9] =
        std::array::from_fn(|n| Some(lt(NeedsAssessment::TEXT_FIELDS[n])));
    let a = NeedsAssessment::from_texts(Some(P1), texts);
    let stored = serde_json::to_value(&a).unwrap();
    for (name, text) in a.texts() {
        // Each field holds its own name: the order of the three lists agrees.
        assert_eq!(text.map(|t| t.as_str()), Some(name));
        assert_eq!(stored[name], name, "the stored field is called {name}");
    }
}

/// What the plan waits for is stored and sent by one name: its code is its serde name.
#[test]
fn what_a_plan_waits_for_has_one_name() {
    for w in PlanWork::ALL {
        assert_eq!(serde_json::to_value(w).unwrap(), w.code());
        assert_eq!(PlanWork::from_code(w.code()), Some(w));
    }
    assert_eq!(PlanWork::from_code("to_sign"), None);
}
