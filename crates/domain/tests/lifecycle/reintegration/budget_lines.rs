//! Plans drawing on the programme's budget lines: type, country, grant period, what is
//! left, exceptions, and grants in another currency.

use super::*;

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
