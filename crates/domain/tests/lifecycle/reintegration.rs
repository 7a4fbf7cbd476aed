//! The reintegration plan and its deliveries (DESIGN.md, "Assistance, grants and budgets").

use super::*;
use homeward_domain::case::reintegration::*;
use homeward_domain::case::{budget_limits, plan_cap};
use homeward_domain::funding::{BudgetLine, Grant};
use homeward_domain::ids::{BudgetLineId, GrantId};
use homeward_domain::programme::{Package, ProgrammeSettings};
use proptest::prelude::*;
use uuid::Uuid;

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

#[test]
fn an_item_draws_on_a_line_of_its_type_country_and_grant_period() {
    let mut s = arrived_with(funded());
    let item = s.plan_item(AssistanceType::BusinessDevelopment, 10_000);
    let r = s.refused(
        REINTEGRATION,
        Scenario::draft_cmd(vec![item.clone()]),
        "budget.line_required",
    );
    assert_eq!(
        r.violations[0].field.as_deref(),
        Some("items/0/budget_line")
    );
    let unknown = BudgetLineId(Uuid::from_u128(0xDEAD));
    s.refused(
        REINTEGRATION,
        Scenario::draft_cmd(vec![on_line(item.clone(), unknown)]),
        "budget.line_unknown",
    );
    s.refused(
        REINTEGRATION,
        Scenario::draft_cmd(vec![on_line(item.clone(), LINE_B)]),
        "budget.line_assistance",
    );
    // The case returns to Senegal: Mali's line does not pay for it.
    s.refused(
        REINTEGRATION,
        Scenario::draft_cmd(vec![on_line(item.clone(), LINE_ML)]),
        "budget.line_country",
    );
    s.ok(
        REINTEGRATION,
        Scenario::draft_cmd(vec![on_line(item.clone(), LINE_A)]),
    );
    // The grant ends with 2026: a plan drafted in 2027 draws on nothing.
    s.now = chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2027, 1, 2, 9, 0, 0).unwrap();
    s.refused(
        REINTEGRATION,
        Scenario::draft_cmd(vec![on_line(item, LINE_A)]),
        "budget.grant_period",
    );
    // Without grants, an item names no line.
    let mut unfunded = arrived();
    let item = unfunded.plan_item(AssistanceType::BusinessDevelopment, 10_000);
    unfunded.ok(REINTEGRATION, Scenario::draft_cmd(vec![item]));
}

#[test]
fn a_line_is_not_committed_beyond_what_is_left_without_an_exception_a_second_person_approves() {
    let mut s = arrived_with(funded());
    // Other plans commit 70,000 of line A's 100,000.
    s.elsewhere.insert(LINE_A, 70_000);
    let big = on_line(
        s.plan_item(AssistanceType::BusinessDevelopment, 40_000),
        LINE_A,
    );
    let r = s.refused(
        REINTEGRATION,
        Scenario::draft_cmd(vec![big.clone()]),
        "budget.over_committed",
    );
    let v = &r.violations[0];
    assert_eq!(v.field.as_deref(), Some("budget_exception"));
    assert_eq!(v.params.get("left").map(String::as_str), Some("30000"));
    let mut fits = big.clone();
    fits.value = eur(30_000);
    let house = on_line(s.plan_item(AssistanceType::Housing, 50_000), LINE_B);
    s.ok(
        REINTEGRATION,
        Scenario::draft_cmd(vec![fits.clone(), house.clone()]),
    );
    s.ok(REINTEGRATION, Scenario::agree_cmd(1));
    // Another plan was approved meanwhile: what this one needs is no longer left.
    s.elsewhere.insert(LINE_A, 80_000);
    let r = s.refused(APPROVER, approve(1), "budget.over_committed");
    assert_eq!(r.violations[0].field, None);
    // Drafted again with the reason, agreed, approved by a second person.
    s.ok(
        REINTEGRATION,
        draft_with_exception(
            vec![fits.clone(), house.clone()],
            "Equipment prices rose; the donor agreed to the overrun by letter.",
        ),
    );
    s.ok(REINTEGRATION, Scenario::agree_cmd(2));
    s.refused(REINTEGRATION, approve(2), "plan.four_eyes");
    let before = s.case();
    s.ok(APPROVER, approve(2));
    let after = s.case();
    let plan = after.reintegration.in_force().unwrap();
    assert!(plan.budget_exception.is_some());
    assert_eq!(
        after.reintegration.committed_by_line(),
        [(LINE_A, 30_000), (LINE_B, 50_000)].into()
    );
    // An approved exception: the store holds the commit to no limit.
    assert!(budget_limits(&before, &after, &s.programme).is_empty());
}

#[test]
fn the_store_is_told_the_limit_of_each_line_a_commit_takes_higher() {
    let mut s = arrived_with(funded());
    let a = on_line(
        s.plan_item(AssistanceType::BusinessDevelopment, 20_000),
        LINE_A,
    );
    let b = on_line(s.plan_item(AssistanceType::Housing, 10_000), LINE_B);
    s.ok(
        REINTEGRATION,
        Scenario::draft_cmd(vec![a.clone(), b.clone()]),
    );
    s.ok(REINTEGRATION, Scenario::agree_cmd(1));
    let drafted = s.case();
    s.ok(APPROVER, approve(1));
    let approved = s.case();
    assert_eq!(
        budget_limits(&drafted, &approved, &s.programme),
        vec![(LINE_A, 100_000), (LINE_B, 50_000)]
    );
    // Declining an item lowers what the plan commits: no limit to hold.
    s.ok(
        REINTEGRATION,
        Command::DeclineAssistance(Decline {
            person_id: P1,
            item_id: Some(b.item_id),
            own_words: Some(lt("We will stay with my brother.")),
        }),
    );
    let declined = s.case();
    assert!(budget_limits(&approved, &declined, &s.programme).is_empty());
    assert_eq!(
        declined.reintegration.committed_by_line(),
        [(LINE_A, 20_000), (LINE_B, 0)].into()
    );
    // Agreeing again takes the item back, and it is held to what is left.
    s.elsewhere.insert(LINE_B, 45_000);
    s.refused(
        REINTEGRATION,
        Scenario::agree_cmd(1),
        "budget.over_committed",
    );
    s.elsewhere.insert(LINE_B, 40_000);
    s.ok(REINTEGRATION, Scenario::agree_cmd(1));
    assert_eq!(
        budget_limits(&declined, &s.case(), &s.programme),
        vec![(LINE_B, 50_000)]
    );
}

#[test]
fn an_exception_covers_its_approval_and_not_what_the_returnee_takes_back_later() {
    let mut s = arrived_with(funded());
    s.elsewhere.insert(LINE_A, 90_000);
    let item = on_line(
        s.plan_item(AssistanceType::BusinessDevelopment, 30_000),
        LINE_A,
    );
    s.ok(
        REINTEGRATION,
        draft_with_exception(vec![item], "The donor agreed to the overrun by letter."),
    );
    s.ok(REINTEGRATION, Scenario::agree_cmd(1));
    let drafted = s.case();
    s.ok(APPROVER, approve(1));
    assert!(budget_limits(&drafted, &s.case(), &s.programme).is_empty());
    // The returnee declines everything: the line is released, and others take it.
    s.ok(
        REINTEGRATION,
        Command::DeclineAssistance(Decline {
            person_id: P1,
            item_id: None,
            own_words: Some(lt("I found work in Thiès.")),
        }),
    );
    assert_eq!(s.case().reintegration.committed(), 0);
    // Agreeing again takes it back: the exception approved then does not cover it now.
    s.refused(
        REINTEGRATION,
        Scenario::agree_cmd(1),
        "budget.over_committed",
    );
    s.elsewhere.insert(LINE_A, 60_000);
    let declined = s.case();
    s.ok(REINTEGRATION, Scenario::agree_cmd(1));
    assert_eq!(
        budget_limits(&declined, &s.case(), &s.programme),
        vec![(LINE_A, 100_000)],
        "and the store holds it to the line"
    );
}

#[test]
fn a_closed_item_or_case_commits_what_was_delivered_and_a_later_signature_adds_nothing() {
    let mut p = funded();
    p.reintegration.second_signature_above = Some(5_000);
    let mut s = arrived_with(p);
    let a = on_line(
        s.plan_item(AssistanceType::BusinessDevelopment, 20_000),
        LINE_A,
    );
    let b = on_line(s.plan_item(AssistanceType::Housing, 10_000), LINE_B);
    s.approved_plan(vec![a.clone(), b.clone()]);
    let (pending, cmd) = s.delivery_cmd(a.item_id, eur(8_000));
    s.ok(REINTEGRATION, cmd);
    s.ok(
        REINTEGRATION,
        Command::CloseItem {
            item_id: a.item_id,
            reason: lt("The workshop closed; the rest goes to housing."),
        },
    );
    // The delivery awaiting its signature stays committed, so signing it adds nothing.
    let closed = s.case();
    assert_eq!(closed.reintegration.committed_by_line()[&LINE_A], 8_000);
    s.ok(
        APPROVER,
        Command::CountersignDelivery {
            delivery_id: pending,
        },
    );
    assert_eq!(s.case().reintegration.committed_by_line()[&LINE_A], 8_000);
    assert!(budget_limits(&closed, &s.case(), &s.programme).is_empty());
    // A case closed without its plan delivered releases what was not.
    s.ok(
        REINTEGRATION,
        Command::Close {
            outcome: Outcome::Deceased,
            note: Some(lt("The family told us in a phone call.")),
        },
    );
    let c = s.case();
    assert_eq!(
        c.reintegration.committed_by_line(),
        [(LINE_A, 8_000), (LINE_B, 0)].into()
    );
}

#[test]
fn a_delivered_item_stays_on_its_line_and_approval_reads_the_lines_again() {
    let mut p = funded();
    let other = BudgetLineId(Uuid::from_u128(0xA2));
    p.funding[0].lines.push(BudgetLine {
        line_id: other,
        assistance: AssistanceType::BusinessDevelopment,
        country: None,
        amount: 10_000,
    });
    let mut s = arrived_with(p);
    let a = on_line(
        s.plan_item(AssistanceType::BusinessDevelopment, 20_000),
        LINE_A,
    );
    s.approved_plan(vec![a.clone()]);
    let (_, cmd) = s.delivery_cmd(a.item_id, eur(5_000));
    s.ok(REINTEGRATION, cmd);
    let r = s.refused(
        REINTEGRATION,
        Scenario::draft_cmd(vec![on_line(a.clone(), other)]),
        "plan.delivered_item_line",
    );
    assert_eq!(
        r.violations[0].field.as_deref(),
        Some("items/0/budget_line")
    );
    // A version drafted on a line the programme then drops is not approved.
    let b = on_line(
        s.plan_item(AssistanceType::BusinessDevelopment, 1_000),
        other,
    );
    s.ok(
        REINTEGRATION,
        Scenario::draft_cmd(vec![a.clone(), b.clone()]),
    );
    s.ok(REINTEGRATION, Scenario::agree_cmd(2));
    s.programme.funding[0].lines.retain(|l| l.line_id != other);
    let r = s.refused(APPROVER, approve(2), "budget.line_unknown");
    assert_eq!(
        r.violations[0].params.get("item_id").map(String::as_str),
        Some(b.item_id.to_string().as_str())
    );
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

// ---- Properties --------------------------------------------------------------------

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

/// A grant in another currency: plans in the programme's currency commit on its lines at
/// the agreement's budget rate, and a line holds them to what converts within it.
#[test]
fn a_line_of_a_grant_in_another_currency_holds_plans_at_its_budget_rate() {
    let mut p = funded();
    p.funding[0].currency = CurrencyCode::parse("XOF").unwrap();
    p.funding[0].budget_rate = Some(ExchangeRate::parse("655.957").unwrap());
    // 100,000 francs on the business line: 152.44 euros at the rate.
    p.funding[0].lines[0].amount = 100_000;
    assert_eq!(p.funding_violations(), vec![]);
    assert_eq!(p.line_limit(LINE_A), Some(15_244));
    let mut s = arrived_with(p);
    let before = s.case();
    let item = on_line(
        s.plan_item(AssistanceType::BusinessDevelopment, 15_245),
        LINE_A,
    );
    let r = s.refused(
        REINTEGRATION,
        Scenario::draft_cmd(vec![item.clone()]),
        "budget.over_committed",
    );
    assert_eq!(r.violations[0].field.as_deref(), Some("budget_exception"));
    let mut within = item;
    within.value = eur(15_244);
    s.approved_plan(vec![within]);
    assert_eq!(
        budget_limits(&before, &s.case(), &s.programme),
        vec![(LINE_A, 15_244)],
        "the store holds the line to its amount in the programme's currency"
    );
    let (grant, _) = s.programme.budget_line(LINE_A).unwrap();
    assert_eq!(
        grant.in_grant_currency(
            s.case().reintegration.committed_by_line()[&LINE_A],
            &s.programme.currency
        ),
        99_994,
        "what the plan commits, in francs: 152.44 at 655.957"
    );
}

/// What is kept in a currency keeps it: the programme's, once it has grants or
/// returnees; a grant's, while it has lines.
#[test]
fn a_currency_in_use_stays() {
    let old = funded();
    let mut new = old.clone();
    new.currency = CurrencyCode::parse("USD").unwrap();
    let codes = |v: Vec<homeward_domain::Violation>| -> Vec<(&'static str, Option<String>)> {
        v.into_iter().map(|v| (v.code, v.field)).collect()
    };
    assert_eq!(
        codes(old.change_violations(&new, false)),
        [("programme.currency_in_use", Some("currency".into()))]
    );
    let mut plain = programme();
    plain.funding = vec![];
    let mut usd = plain.clone();
    usd.currency = CurrencyCode::parse("USD").unwrap();
    assert!(
        plain.change_violations(&usd, false).is_empty(),
        "nothing kept in it yet"
    );
    assert_eq!(
        plain.change_violations(&usd, true).len(),
        1,
        "returnees' plans"
    );
    // A grant with lines keeps its currency; its amount and rate may change.
    let mut regranted = old.clone();
    regranted.funding[0].currency = CurrencyCode::parse("XOF").unwrap();
    regranted.funding[0].budget_rate = Some(ExchangeRate::parse("655.957").unwrap());
    assert_eq!(
        codes(old.change_violations(&regranted, false)),
        [(
            "funding.currency_with_lines",
            Some("funding/0/currency".into())
        )]
    );
    let mut topped_up = old.clone();
    topped_up.funding[0].amount += 1;
    assert!(old.change_violations(&topped_up, true).is_empty());
}
