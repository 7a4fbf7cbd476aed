//! The rules of the reintegration plan and its deliveries: four eyes on plans and large
//! deliveries, the programme's cap and its exceptions, nothing delivered beyond the plan
//! in force, the returnee's agreement and declines, and what closing as completed needs.

use super::*;
use crate::case::events::EventMeta;
use crate::case::reintegration::*;
use crate::ids::{BudgetLineId, DeliveryId, PlanItemId};
use crate::values::{CurrencyCode, LongText, Money};

/// The most a plan for this household may hold without an exception, under the
/// programme's package; `None` when the programme has no package.
pub fn plan_cap(case: &Case, programme: &ProgrammeSettings, on: NaiveDate) -> Option<Money> {
    let p = programme.reintegration.package.as_ref()?;
    let per_person = |m: &Member| -> u128 {
        let base = u128::from(p.on_arrival_per_person);
        let further = if m.details.date_of_birth.is_adult_on(on) {
            p.per_adult
        } else {
            p.per_dependant
        };
        let top_up = if m.details.vulnerabilities.is_empty() {
            0
        } else {
            p.per_vulnerable_person
        };
        base + u128::from(further) + u128::from(top_up)
    };
    let total: u128 = case.members.iter().map(per_person).sum();
    Money::new(
        i64::try_from(total).unwrap_or(i64::MAX),
        programme.currency.clone(),
    )
    .ok()
}

/// What was delivered of an item stays planned (the plan in force is its record): a
/// version plans no item below what was delivered of it and drops no item with
/// deliveries. Checked when a version is drafted and again when it is approved, since
/// deliveries against the plan in force may be recorded in between. `at_items`: name the
/// draft's fields.
fn delivered_stays_planned(
    r: &Reintegration,
    items: &[PlanItem],
    currency: &CurrencyCode,
    at_items: bool,
    c: &mut Check,
) {
    for (n, item) in items.iter().enumerate() {
        let standing = r.standing_of(item.item_id);
        if standing > item.value.amount_minor {
            let v = Violation::new(
                "plan.below_delivered",
                format!(
                    "{} of \"{}\" has been delivered already; it cannot be planned at less",
                    money(standing, currency),
                    item.description
                ),
            )
            .param("delivered", standing);
            c.push(match at_items {
                true => v.at(format!("items/{n}/value")),
                false => v.param("item_id", item.item_id),
            });
        }
    }
    if let Some(in_force) = r.in_force() {
        // What was delivered, and to whom, is history: the statistics count who received
        // which type of assistance (`Reintegration::received_by`).
        for (n, item) in items.iter().enumerate() {
            let Some(was) = in_force
                .item(item.item_id)
                .filter(|i| r.standing_of(i.item_id) > 0)
            else {
                continue;
            };
            for (changed, field) in [
                (was.assistance != item.assistance, "assistance"),
                (was.beneficiary != item.beneficiary, "beneficiary"),
            ] {
                if changed {
                    let v = Violation::new(
                        "plan.delivered_item_changed",
                        format!(
                            "\"{}\" has deliveries: it stays the same type of assistance, for the same person (close it with a reason, and add another item, instead)",
                            item.description
                        ),
                    );
                    c.push(match at_items {
                        true => v.at(format!("items/{n}/{field}")),
                        false => v.param("item_id", item.item_id),
                    });
                }
            }
        }
        // Its deliveries were paid from its line: the item stays on it.
        for (n, item) in items.iter().enumerate() {
            let paid_from = in_force
                .item(item.item_id)
                .filter(|i| r.standing_of(i.item_id) > 0)
                .map(|i| i.budget_line);
            if let Some(line) = paid_from
                && line != item.budget_line
            {
                let v = Violation::new(
                    "plan.delivered_item_line",
                    format!(
                        "\"{}\" has deliveries paid from its budget line; it stays on that line",
                        item.description
                    ),
                );
                c.push(match at_items {
                    true => v.at(format!("items/{n}/budget_line")),
                    false => v.param("item_id", item.item_id),
                });
            }
        }
        for kept in in_force
            .items
            .iter()
            .filter(|i| r.standing_of(i.item_id) > 0)
        {
            if !items.iter().any(|i| i.item_id == kept.item_id) {
                let v = Violation::new(
                    "plan.delivered_item_removed",
                    format!(
                        "\"{}\" has deliveries; it stays in the plan (close it with a reason instead)",
                        kept.description
                    ),
                )
                .param("item_id", kept.item_id);
                c.push(match at_items {
                    true => v.at("items"),
                    false => v,
                });
            }
        }
    }
}

pub(super) fn draft_plan(
    case: &Case,
    draft: PlanDraft,
    ctx: &Context,
    c: &mut Check,
) -> Vec<Event> {
    let r = &case.reintegration;
    let currency = &ctx.programme.currency;
    if draft.items.is_empty() {
        c.push(Violation::new("plan.empty", "a plan has at least one item").at("items"));
    }
    let mut seen = BTreeSet::new();
    let mut total: i64 = 0;
    for (n, item) in draft.items.iter().enumerate() {
        if !seen.insert(item.item_id) {
            c.push(
                Violation::new("plan.item_duplicate", "this item appears twice in the plan")
                    .at(format!("items/{n}/item_id")),
            );
        }
        if let Some(p) = item.beneficiary {
            require_member(case, p, &format!("items/{n}/beneficiary"), c);
        }
        budget_line_of(case, item, Some(format!("items/{n}/budget_line")), ctx, c);
        if item.value.amount_minor > crate::funding::MAX_AMOUNT as i64 {
            c.push(
                Violation::new(
                    "plan.item_too_large",
                    format!(
                        "an item is worth at most {} minor units",
                        crate::funding::MAX_AMOUNT
                    ),
                )
                .at(format!("items/{n}/value/amount_minor")),
            );
        }
        if &item.value.currency != currency {
            c.push(
                Violation::new(
                    "plan.currency",
                    format!(
                        "the plan is in the programme's currency, {currency}; this item is in {}",
                        item.value.currency
                    ),
                )
                .at(format!("items/{n}/value/currency"))
                .param("currency", currency),
            );
        }
        match total.checked_add(item.value.amount_minor) {
            Some(t) => total = t,
            None => c.push(
                Violation::new("plan.total_too_large", "the plan's total is too large")
                    .at(format!("items/{n}/value")),
            ),
        }
    }
    delivered_stays_planned(r, &draft.items, currency, true, c);
    let cap = plan_cap(case, ctx.programme, ctx.occurred_at.date_naive());
    if let Some(cap) = &cap
        && total > cap.amount_minor
        && draft.cap_exception.is_none()
    {
        c.push(
            Violation::new(
                "plan.above_cap",
                format!(
                    "the plan's total, {}, is above the programme's cap for this household, {}: record why, as an exception, for a second person to approve",
                    money(total, currency),
                    cap
                ),
            )
            .at("cap_exception")
            .param("cap", cap.amount_minor)
            .param("total", total),
        );
    }
    let version = r.latest().map_or(1, |v| v.version + 1);
    vec![Event::PlanDrafted {
        version,
        draft,
        total: money(total, currency),
        cap,
    }]
}

/// An amount in the plan's currency (a negative one as zero: for messages and totals).
fn money(minor: i64, currency: &CurrencyCode) -> Money {
    Money {
        amount_minor: minor.max(0),
        currency: currency.clone(),
    }
}

/// The latest version, if it is `version`; a refusal at `field` otherwise.
fn latest_version<'a>(case: &'a Case, version: u32, c: &mut Check) -> Option<&'a PlanVersion> {
    match case.reintegration.latest() {
        Some(v) if v.version == version => Some(v),
        Some(v) => {
            c.push(
                Violation::new(
                    "plan.version_not_latest",
                    format!(
                        "version {version} is not the plan's latest version ({})",
                        v.version
                    ),
                )
                .at("version")
                .param("latest", v.version),
            );
            None
        }
        None => {
            c.push(
                Violation::new("plan.none", "no reintegration plan has been drafted").at("version"),
            );
            None
        }
    }
}

pub(super) fn respond(case: &Case, r: PlanResponse, ctx: &Context, c: &mut Check) -> Vec<Event> {
    if let Some(v) = latest_version(case, r.version, c)
        && !matches!(v.status, PlanStatus::Draft | PlanStatus::Approved)
    {
        c.push(
            Violation::new(
                "plan.not_open_for_answer",
                "this version was sent back; the returnee answers the next version",
            )
            .at("version"),
        );
    }
    require_member(case, r.person_id, "person_id", c);
    let on = ctx.occurred_at.date_naive();
    match (r.given_by, case.member(r.person_id)) {
        (ConsentGiver::Person, Some(m)) if !m.details.date_of_birth.is_adult_on(on) => c.push(
            Violation::new(
                "plan.answer_by_child",
                "a child's answer is given by their representative",
            )
            .at("given_by")
            .person(r.person_id),
        ),
        (ConsentGiver::Representative, Some(_))
            if !case.representatives.contains_key(&r.person_id) =>
        {
            c.push(
                Violation::new(
                    "plan.no_representative",
                    "no representative has been appointed for this person",
                )
                .at("given_by")
                .person(r.person_id),
            )
        }
        _ => {}
    }
    vec![Event::PlanResponded(r)]
}

pub(super) fn approve(
    case: &Case,
    version: u32,
    comment: Option<LongText>,
    ctx: &Context,
    c: &mut Check,
) -> Vec<Event> {
    let mut above_cap = false;
    if let Some(v) = awaiting_decision(case, version, c) {
        if v.drafted_by == ctx.actor {
            c.push(Violation::new(
                "plan.four_eyes",
                "a plan is approved by someone other than the person who drafted it",
            ));
        }
        if v.answer() != Some(PlanAnswer::Agreed) {
            c.push(Violation::new(
                "plan.not_agreed",
                "the returnee has not agreed to this version of the plan",
            ));
        }
        above_cap = v.above_cap();
        // The programme's grants may have changed since the draft: each line is checked
        // again, on the day of the approval.
        for item in &v.items {
            budget_line_of(case, item, None, ctx, c);
        }
        delivered_stays_planned(
            &case.reintegration,
            &v.items,
            &ctx.programme.currency,
            false,
            c,
        );
    }
    vec![Event::PlanApproved {
        version,
        comment,
        above_cap,
    }]
}

pub(super) fn send_back(case: &Case, version: u32, reason: LongText, c: &mut Check) -> Vec<Event> {
    awaiting_decision(case, version, c);
    vec![Event::PlanReturned { version, reason }]
}

fn awaiting_decision<'a>(case: &'a Case, version: u32, c: &mut Check) -> Option<&'a PlanVersion> {
    let v = latest_version(case, version, c)?;
    if v.status != PlanStatus::Draft {
        c.push(
            Violation::new(
                "plan.not_awaiting_approval",
                format!("version {version} is not waiting for approval"),
            )
            .at("version"),
        );
        return None;
    }
    Some(v)
}

pub(super) fn decline(case: &Case, d: Decline, c: &mut Check) -> Vec<Event> {
    require_member(case, d.person_id, "person_id", c);
    if let Some(item) = d.item_id {
        let known = case
            .reintegration
            .latest()
            .is_some_and(|v| v.item(item).is_some())
            || case
                .reintegration
                .in_force()
                .is_some_and(|v| v.item(item).is_some());
        if !known {
            c.push(unknown_item());
        }
    }
    vec![Event::AssistanceDeclined(d)]
}

fn unknown_item() -> Violation {
    Violation::new(
        "plan.item_unknown",
        "no such item in the reintegration plan",
    )
    .at("item_id")
}

/// The item of the plan in force, still open for deliveries.
fn open_item<'a>(case: &'a Case, item_id: PlanItemId, c: &mut Check) -> Option<&'a PlanItem> {
    let r = &case.reintegration;
    let Some(plan) = r.in_force() else {
        c.push(Violation::new(
            "plan.not_approved",
            "no reintegration plan has been approved: nothing can be delivered yet",
        ));
        return None;
    };
    let Some(item) = plan.item(item_id) else {
        c.push(unknown_item());
        return None;
    };
    match r.item_state(item) {
        ItemState::Closed => {
            c.push(Violation::new("plan.item_closed", "this item has been closed").at("item_id"))
        }
        ItemState::Declined => c.push(
            Violation::new(
                "plan.item_declined",
                "the returnee declined this assistance",
            )
            .at("item_id"),
        ),
        ItemState::Open | ItemState::Delivered => {}
    }
    Some(item)
}

pub(super) fn deliver(case: &Case, d: Delivery, ctx: &Context, c: &mut Check) -> Vec<Event> {
    let r = &case.reintegration;
    if r.delivery(d.delivery_id).is_some() {
        c.push(
            Violation::new(
                "delivery.duplicate",
                "this delivery has been recorded already",
            )
            .at("delivery_id"),
        );
    }
    let currency = &ctx.programme.currency;
    let value = match (&d.exchange, &d.amount.currency == currency) {
        (None, true) => Some(d.amount.clone()),
        (Some(_), true) => {
            c.push(
                Violation::new(
                    "delivery.exchange_not_needed",
                    format!(
                        "the amount is in the plan's currency, {currency}: no exchange rate applies"
                    ),
                )
                .at("exchange"),
            );
            None
        }
        (None, false) => {
            c.push(
                Violation::new(
                    "delivery.exchange_required",
                    format!(
                        "the amount is in {}, the plan in {currency}: record the exchange rate and its date",
                        d.amount.currency
                    ),
                )
                .at("exchange"),
            );
            None
        }
        (Some(x), false) => {
            if x.on > ctx.occurred_at.date_naive() {
                c.push(
                    Violation::new(
                        "delivery.rate_date_in_future",
                        "the rate's date is after the delivery",
                    )
                    .at("exchange/on"),
                );
            }
            let converted = x.rate.convert(&d.amount, currency);
            if converted.is_none() {
                c.push(
                    Violation::new(
                        "delivery.amount_too_large",
                        "the amount converted is too large",
                    )
                    .at("amount"),
                );
            }
            converted
        }
    };
    if d.amount.amount_minor == 0 {
        c.push(
            Violation::new("delivery.zero", "a delivery is worth more than nothing")
                .at("amount/amount_minor"),
        );
    }
    let item = open_item(case, d.item_id, c);
    // People reached are a community project's: its community's, not a household's.
    match (d.people_reached, item.map(|i| i.assistance)) {
        (Some(0), _) => c.push(
            Violation::new(
                "delivery.people_reached_zero",
                "people reached is a count of one or more (leave it empty when unknown)",
            )
            .at("people_reached"),
        ),
        (Some(_), Some(a)) if a != AssistanceType::CommunityAssistance => c.push(
            Violation::new(
                "delivery.people_reached_not_community",
                "people reached is told of a community project (an item of community assistance) only",
            )
            .at("people_reached"),
        ),
        _ => {}
    }
    if let Some(item) = item
        && let Some(value) = &value
    {
        let remaining = item.value.amount_minor - r.standing_of(item.item_id);
        if value.amount_minor > remaining {
            c.push(
                Violation::new(
                    "delivery.beyond_plan",
                    format!(
                        "this delivery is worth {value}; the approved plan allows {} more for this item",
                        money(remaining, currency)
                    ),
                )
                .at("amount")
                .param("remaining", remaining.max(0)),
            );
        }
    }
    let value = value.unwrap_or_else(|| money(0, currency));
    let needs_second_signature = ctx
        .programme
        .reintegration
        .second_signature_above
        .is_some_and(|t| u64::try_from(value.amount_minor).unwrap_or(u64::MAX) > t);
    vec![Event::DeliveryRecorded {
        delivery: d,
        value,
        needs_second_signature,
    }]
}

fn standing_delivery<'a>(
    case: &'a Case,
    id: DeliveryId,
    c: &mut Check,
) -> Option<&'a DeliveryRecord> {
    let Some(d) = case.reintegration.delivery(id) else {
        c.push(
            Violation::new("delivery.unknown", "no such delivery on this case").at("delivery_id"),
        );
        return None;
    };
    if d.reversed.is_some() {
        c.push(
            Violation::new("delivery.reversed", "this delivery has been reversed")
                .at("delivery_id"),
        );
        return None;
    }
    Some(d)
}

pub(super) fn countersign(
    case: &Case,
    delivery_id: DeliveryId,
    ctx: &Context,
    c: &mut Check,
) -> Vec<Event> {
    if let Some(d) = standing_delivery(case, delivery_id, c) {
        if !d.awaits_signature() {
            c.push(
                Violation::new(
                    "delivery.not_awaiting_signature",
                    "this delivery does not wait for a second signature",
                )
                .at("delivery_id"),
            );
        }
        if d.recorded_by == ctx.actor {
            c.push(Violation::new(
                "delivery.four_eyes",
                "the second signature is given by someone other than the person who recorded the delivery",
            ));
        }
    }
    vec![Event::DeliveryCountersigned { delivery_id }]
}

pub(super) fn reverse(
    case: &Case,
    delivery_id: DeliveryId,
    reason: LongText,
    c: &mut Check,
) -> Vec<Event> {
    standing_delivery(case, delivery_id, c);
    vec![Event::DeliveryReversed {
        delivery_id,
        reason,
    }]
}

pub(super) fn close_item(
    case: &Case,
    item_id: PlanItemId,
    reason: LongText,
    c: &mut Check,
) -> Vec<Event> {
    let r = &case.reintegration;
    match r.in_force().and_then(|p| p.item(item_id)) {
        None => c.push(unknown_item()),
        Some(_) if r.closed_items.contains_key(&item_id) => {
            c.push(Violation::new("plan.item_closed", "this item has been closed").at("item_id"))
        }
        Some(_) => {}
    }
    vec![Event::PlanItemClosed { item_id, reason }]
}

/// What stops a case from being closed as completed: the plan is delivered, or each of
/// its items closed with a reason or declined; or the returnee declined the support.
pub fn reintegration_unfinished(case: &Case) -> Vec<Violation> {
    let r = &case.reintegration;
    let mut out = Vec::new();
    if r.declined_all.is_some() {
        return out;
    }
    if r.awaiting_approval().is_some() {
        out.push(Violation::new(
            "closure.plan_awaiting_approval",
            "a version of the reintegration plan is waiting for approval",
        ));
    }
    if r.in_force().is_none() {
        out.push(Violation::new(
            "closure.no_reintegration_plan",
            "no reintegration plan has been approved (or the returnee's decline of the support recorded)",
        ));
    }
    for item in r.open_items() {
        out.push(
            Violation::new(
                "closure.plan_item_open",
                format!(
                    "\"{}\" is not delivered: deliver it, or close it with a reason",
                    item.description
                ),
            )
            .param("item_id", item.item_id),
        );
    }
    if r.deliveries.iter().any(|d| d.awaits_signature()) {
        out.push(Violation::new(
            "closure.delivery_unsigned",
            "a delivery waits for its second signature",
        ));
    }
    out
}

/// An item draws on a line of the programme's grants when it has any: a line for its
/// assistance type, in the case's country of return (or in any), of a grant whose
/// period holds the day the plan is drafted.
fn budget_line_of(
    case: &Case,
    item: &PlanItem,
    field: Option<String>,
    ctx: &Context,
    c: &mut Check,
) {
    let programme = ctx.programme;
    // At the draft's field, or (on approval) naming the item.
    let mut c = Placed {
        c,
        field,
        item: item.item_id,
    };
    let Some(id) = item.budget_line else {
        if !programme.funding.is_empty() {
            c.push(Violation::new(
                "budget.line_required",
                "the programme's grants pay for its plans: name the budget line this item draws on",
            ));
        }
        return;
    };
    let Some((grant, line)) = programme.budget_line(id) else {
        c.push(Violation::new(
            "budget.line_unknown",
            "no budget line of the programme's grants has this id",
        ));
        return;
    };
    if line.assistance != item.assistance {
        c.push(
            Violation::new(
                "budget.line_assistance",
                format!(
                    "this budget line pays for {}, not for {}",
                    line.assistance.code().replace('_', " "),
                    item.assistance.code().replace('_', " ")
                ),
            )
            .param("assistance", line.assistance.code()),
        );
    }
    if let Some(country) = &line.country
        && country != &case.proposal.country_of_return
    {
        c.push(
            Violation::new(
                "budget.line_country",
                format!(
                    "this budget line pays for returns to {country}, not to {}",
                    case.proposal.country_of_return
                ),
            )
            .param("country", country),
        );
    }
    let day = ctx.occurred_at.date_naive();
    if !grant.covers(day) {
        c.push(
            Violation::new(
                "budget.grant_period",
                format!(
                    "grant {} runs from {} to {}: it does not pay for plans made on {day}",
                    grant.reference, grant.starts, grant.ends
                ),
            )
            .param("starts", grant.starts)
            .param("ends", grant.ends),
        );
    }
}

/// Violations about one item: at its field in a draft, or naming the item on approval.
struct Placed<'a> {
    c: &'a mut Check,
    field: Option<String>,
    item: PlanItemId,
}

impl Placed<'_> {
    fn push(&mut self, v: Violation) {
        self.c.push(match &self.field {
            Some(f) => v.at(f.clone()),
            None => v.param("item_id", self.item),
        });
    }
}

/// The reintegration part of the case after `events` (those of a plan; the others leave
/// it as it is).
fn after_events(case: &Case, events: &[Event], ctx: &Context) -> Reintegration {
    let mut after = case.reintegration.clone();
    let meta = EventMeta {
        version: case.version + 1,
        actor: ctx.actor,
        occurred_at: ctx.occurred_at,
        recorded_at: ctx.now,
    };
    for e in events {
        after.apply(&meta, e);
    }
    after
}

/// Whether a command may commit more of the programme's budget lines: the application
/// reads what the other cases commit for these only.
pub fn may_commit_more(cmd: &Command) -> bool {
    matches!(
        cmd,
        Command::DraftPlan(_) | Command::ApprovePlan { .. } | Command::RespondToPlan(_)
    )
}

/// Events that can raise what a plan commits: a version drafted (as if approved), a
/// version approved, the returnee agreeing again to what they had declined.
fn commits_more(e: &Event) -> bool {
    matches!(
        e,
        Event::PlanDrafted { .. } | Event::PlanApproved { .. } | Event::PlanResponded(_)
    )
}

/// No budget line is committed beyond its amount, counting what the programme's other
/// cases commit on it, unless the plan carries an exception that a second person approves
/// with it. A draft is checked as if it were approved, so that the drafter writes the
/// exception now; it is checked again when it is approved, since other plans may have
/// committed the line meanwhile. What the case committed already on a line is not asked
/// again.
pub(super) fn within_budget(case: &Case, events: &[Event], ctx: &Context, c: &mut Check) {
    if ctx.programme.funding.is_empty() || !events.iter().any(commits_more) {
        return;
    }
    let after = after_events(case, events, ctx);
    // An exception covers the version drafted with it, and its approval by a second
    // person; anything that commits more later (the returnee taking back what they
    // declined, once others took what it left) is held to what is left again.
    let approved_now = |v: &PlanVersion| {
        events
            .iter()
            .any(|e| matches!(e, Event::PlanApproved { version, .. } if *version == v.version))
    };
    let (lines, excepted, field) = match events {
        [Event::PlanDrafted { draft, .. }] => (
            after
                .latest()
                .map(|v| after.commitment_of(v))
                .unwrap_or_default(),
            draft.budget_exception.is_some(),
            Some("budget_exception"),
        ),
        _ => (
            after.committed_by_line(),
            after
                .in_force()
                .is_some_and(|v| v.budget_exception.is_some() && approved_now(v)),
            None,
        ),
    };
    if excepted {
        return;
    }
    let before = case.reintegration.committed_by_line();
    let currency = &ctx.programme.currency;
    for (id, amount) in lines {
        if amount <= before.get(&id).copied().unwrap_or(0) {
            continue;
        }
        // A line the programme no longer has is refused where the item names it, on
        // drafting and on approval (`budget_line_of`).
        let (Some((grant, line)), Some(limit)) =
            (ctx.programme.budget_line(id), ctx.programme.line_limit(id))
        else {
            continue;
        };
        let elsewhere = ctx.committed_elsewhere.get(&id).copied().unwrap_or(0);
        let left = limit.saturating_sub(elsewhere);
        if amount > left {
            let v = Violation::new(
                "budget.over_committed",
                format!(
                    "the plan commits {} on grant {}'s line for {}, where {} is left: record why, as an exception, for a second person to approve",
                    money(amount, currency),
                    grant.reference,
                    line.assistance.code().replace('_', " "),
                    money(left, currency)
                ),
            )
            .param("line", id)
            .param("left", left.max(0))
            .param("commits", amount);
            c.push(match field {
                Some(f) => v.at(f),
                None => v,
            });
        }
    }
}

/// The budget lines a commit from `before` to `after` takes higher, each with the most
/// the programme's cases may commit on it together: the store refuses the commit if,
/// with every plan written before it, they would commit more (two plans approved at once
/// on two servers are not checked against each other by `decide`). None for the commit
/// that approves a version drafted with an exception.
pub fn budget_limits(
    before: &Case,
    after: &Case,
    programme: &ProgrammeSettings,
) -> Vec<(BudgetLineId, i64)> {
    let r = &after.reintegration;
    // The commit that puts in force a version approved with an exception (a second
    // person read it): nothing to hold. Any later rise is held again.
    let newly_in_force =
        r.in_force().map(|v| v.version) != before.reintegration.in_force().map(|v| v.version);
    if programme.funding.is_empty()
        || (newly_in_force && r.in_force().is_some_and(|v| v.budget_exception.is_some()))
    {
        return vec![];
    }
    let was = before.reintegration.committed_by_line();
    r.committed_by_line()
        .into_iter()
        .filter(|(id, amount)| *amount > was.get(id).copied().unwrap_or(0))
        .filter_map(|(id, _)| Some((id, programme.line_limit(id)?)))
        .collect()
}
