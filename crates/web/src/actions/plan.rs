//! The forms of the reintegration plan's steps: their inputs and their commands.

use homeward_domain::case::reintegration::*;
use homeward_domain::ids::BudgetLineId;

use super::*;

/// The rows of the plan form: a plan is drafted with up to this many items at a time.
pub const ITEM_ROWS: usize = 4;

/// The input names of one row of the plan form.
struct Row {
    keep: &'static str,
    assistance: &'static str,
    form: &'static str,
    description: &'static str,
    beneficiary: &'static str,
    value: &'static str,
    provider: &'static str,
    due: &'static str,
    line: &'static str,
}

macro_rules! row {
    ($n:literal) => {
        Row {
            keep: concat!("item", $n, "_keep"),
            assistance: concat!("item", $n, "_assistance"),
            form: concat!("item", $n, "_form"),
            description: concat!("item", $n, "_description"),
            beneficiary: concat!("item", $n, "_beneficiary"),
            value: concat!("item", $n, "_value"),
            provider: concat!("item", $n, "_provider"),
            due: concat!("item", $n, "_due"),
            line: concat!("item", $n, "_budget_line"),
        }
    };
}

const ROWS: [Row; ITEM_ROWS] = [row!(1), row!(2), row!(3), row!(4)];

/// The labels of the needs assessment's text fields, in the order of
/// `NeedsAssessment::TEXT_FIELDS`.
pub const NEEDS_LABELS: [&str; 9] = [
    "f-skills",
    "f-education",
    "f-work-experience",
    "f-reasons-for-return",
    "f-housing",
    "f-health-needs",
    "f-psychosocial-needs",
    "f-family-situation",
    "f-priorities",
];

/// Where a plan reason's path (`items/2/value`) is in the form (`item3_value`).
pub fn plan_field(path: &str) -> Option<String> {
    let rest = path.strip_prefix("items/")?;
    let (n, field) = rest.split_once('/')?;
    let n: usize = n.parse().ok()?;
    let field = field.split('/').next().unwrap_or(field);
    Some(format!("item{}_{field}", n + 1))
}

/// The budget lines of the programme's grants an item of this case may draw on today
/// (for its country of return or any, of a grant running today): the grant, the
/// assistance type and the country of each. The type is the item's to match.
fn line_options(ctx: &Ctx) -> Vec<(String, String)> {
    let i = &ctx.i;
    let country = &ctx.view.case.proposal.country_of_return;
    let today = homeward_app::now().date_naive();
    let lines = ctx.programme.settings.funding.iter().flat_map(|g| {
        g.lines
            .iter()
            .filter(move |l| g.covers(today) && l.country.as_ref().is_none_or(|c| c == country))
            .map(move |l| {
                let country = match &l.country {
                    Some(c) => i.country(c.as_str()),
                    None => i.t("f-budget-line-any"),
                };
                (
                    l.line_id.to_string(),
                    format!(
                        "{} {} — {} — {}",
                        g.donor,
                        g.reference,
                        i.opt("assistance", l.assistance.code()),
                        country
                    ),
                )
            })
    });
    with_empty(lines.collect(), String::new())
}

fn reint<'a>(ctx: &Ctx<'a>) -> &'a Reintegration {
    &ctx.view.case.reintegration
}

fn with_household(ctx: &Ctx) -> Vec<(String, String)> {
    with_empty(people(ctx), ctx.i.t("f-household"))
}

fn items_of(plan: Option<&PlanVersion>, pick: impl Fn(&PlanItem) -> bool) -> Vec<(String, String)> {
    plan.map_or_else(Vec::new, |v| {
        v.items
            .iter()
            .filter(|i| pick(i))
            .map(|i| (i.item_id.to_string(), i.description.to_string()))
            .collect()
    })
}

fn delivery_options(ctx: &Ctx, pick: impl Fn(&DeliveryRecord) -> bool) -> Vec<(String, String)> {
    let r = reint(ctx);
    let describe = |id: PlanItemId| {
        r.versions
            .iter()
            .rev()
            .find_map(|v| v.item(id))
            .map_or_else(String::new, |i| i.description.to_string())
    };
    r.deliveries
        .iter()
        .filter(|d| pick(d))
        .map(|d| {
            (
                d.delivery.delivery_id.to_string(),
                format!(
                    "{} — {} — {}",
                    describe(d.delivery.item_id),
                    ctx.i.money(&d.delivery.amount),
                    ctx.i.day(d.at)
                ),
            )
        })
        .collect()
}

/// The inputs of a plan step; `None` for the other steps.
pub fn plan_inputs(kind: CommandKind, ctx: &Ctx) -> Option<Vec<In>> {
    let i = &ctx.i;
    let r = reint(ctx);
    Some(match kind {
        CommandKind::RecordNeeds => {
            let mut v = vec![In::Radios("person_id", "f-needs-of", with_household(ctx))];
            v.extend(
                NeedsAssessment::TEXT_FIELDS
                    .into_iter()
                    .zip(NEEDS_LABELS)
                    .map(|(name, label)| {
                        let sensitive = matches!(name, "health_needs" | "psychosocial_needs");
                        In::Area(name, label, sensitive.then_some("f-sensitive-hint"))
                    }),
            );
            v
        }
        CommandKind::DraftPlan => {
            let keep = with_empty(items_of(r.latest(), |_| true), i.t("f-item-new"));
            let types = with_empty(
                enum_options(i, "assistance", &AssistanceType::ALL),
                String::new(),
            );
            let forms = enum_options(i, "assistance_form", &AssistanceForm::ALL);
            let funded = !ctx.programme.settings.funding.is_empty();
            let lines = line_options(ctx);
            let mut v = vec![];
            for (n, row) in ROWS.iter().enumerate() {
                v.push(In::Heading(i.t1("f-item", "n", (n + 1).to_string())));
                if keep.len() > 1 {
                    v.push(In::Select(
                        row.keep,
                        "f-item-keep",
                        Some("f-item-keep-hint"),
                        keep.clone(),
                        false,
                    ));
                }
                v.extend([
                    In::Select(
                        row.assistance,
                        "f-assistance-type",
                        None,
                        types.clone(),
                        false,
                    ),
                    In::Select(row.form, "f-assistance-form", None, forms.clone(), false),
                    In::Text(row.description, "f-description", None),
                    In::Select(
                        row.beneficiary,
                        "f-beneficiary",
                        None,
                        with_household(ctx),
                        false,
                    ),
                    In::Text(row.value, "f-value", None),
                    In::Text(row.provider, "f-provider", None),
                    In::Date(row.due, "f-due", None),
                ]);
                if funded {
                    v.push(In::Select(
                        row.line,
                        "f-budget-line",
                        Some("f-budget-line-hint"),
                        lines.clone(),
                        false,
                    ));
                }
            }
            v.push(In::Area(
                "cap_exception",
                "f-cap-exception",
                Some("f-cap-exception-hint"),
            ));
            if funded {
                v.push(In::Area(
                    "budget_exception",
                    "f-budget-exception",
                    Some("f-budget-exception-hint"),
                ));
            }
            v
        }
        CommandKind::RespondToPlan => vec![
            In::Radios("person_id", "f-person", people(ctx)),
            In::Radios(
                "given_by",
                "f-answered-by",
                enum_options(
                    i,
                    "giver",
                    &[ConsentGiver::Person, ConsentGiver::Representative],
                ),
            ),
            In::Radios(
                "answer",
                "f-answer",
                enum_options(
                    i,
                    "plan_answer",
                    &[PlanAnswer::Agreed, PlanAnswer::ChangeRequested],
                ),
            ),
            In::Area("own_words", "f-own-words", None),
        ],
        CommandKind::ApprovePlan => vec![In::Area("comment", "f-comment", None)],
        CommandKind::ReturnPlan => vec![In::Area("reason", "f-reason", None)],
        CommandKind::DeclineAssistance => {
            let mut items = vec![(String::new(), i.t("f-whole-support"))];
            items.extend(items_of(r.in_force().or(r.latest()), |_| true));
            vec![
                In::Radios("person_id", "f-person", people(ctx)),
                In::Radios("item_id", "f-declined", items),
                In::Area("own_words", "f-own-words", None),
            ]
        }
        CommandKind::RecordDelivery => vec![
            In::Radios(
                "item_id",
                "f-item-delivered",
                items_of(r.in_force(), |item| r.item_state(item) == ItemState::Open),
            ),
            In::Radios(
                "channel",
                "f-channel",
                enum_options(i, "channel", &DeliveryChannel::ALL),
            ),
            In::Text("amount", "f-amount", None),
            In::Text("currency", "f-currency-paid", Some("f-currency-paid-hint")),
            In::Text("rate", "f-rate", Some("f-rate-hint")),
            In::Date("rate_on", "f-rate-on", None),
            In::Text("proof", "f-proof", None),
            // A community project tells the people it has reached.
            In::Text(
                "people_reached",
                "f-people-reached",
                Some("f-people-reached-hint"),
            ),
        ],
        CommandKind::CountersignDelivery => vec![In::Radios(
            "delivery_id",
            "f-delivery",
            delivery_options(ctx, DeliveryRecord::awaits_signature),
        )],
        CommandKind::ReverseDelivery => vec![
            In::Radios(
                "delivery_id",
                "f-delivery",
                delivery_options(ctx, DeliveryRecord::standing),
            ),
            In::Area("reason", "f-reason", None),
        ],
        CommandKind::CloseItem => vec![
            In::Radios(
                "item_id",
                "f-item",
                items_of(r.in_force(), |item| r.item_state(item) == ItemState::Open),
            ),
            In::Area("reason", "f-reason", None),
        ],
        _ => return None,
    })
}

/// The command of a plan step; `None` for the other steps (and `Some(None)` when a field
/// is invalid: every reason is in `p`).
pub fn plan_command(
    kind: CommandKind,
    f: &FormData,
    ctx: &Ctx,
    p: &mut Parse,
) -> Option<Option<Command>> {
    let i = &ctx.i;
    let r = reint(ctx);
    let latest = r.latest().map_or(0, |v| v.version);
    let text = |p: &mut Parse, name: &str| p.text::<10_000>(name, f.get(name));
    let opt_text = |p: &mut Parse, name: &str| p.opt_text::<10_000>(name, &f.opt(name));
    let id_of = |p: &mut Parse, name: &str| -> Option<uuid::Uuid> {
        let parsed = f.get(name).parse().ok();
        if parsed.is_none() {
            p.push(Violation::new("required", i.t("err-required")).at(name));
        }
        parsed
    };
    let optional_person = |name: &str| f.opt(name).and_then(|v| v.parse().ok()).map(PersonId);
    Some(match kind {
        CommandKind::RecordNeeds => NeedsAssessment::TEXT_FIELDS
            .map(|name| opt_text(p, name))
            .into_iter()
            .collect::<Option<Vec<_>>>()
            .and_then(|texts| texts.try_into().ok())
            .map(|texts| {
                Command::RecordNeeds(NeedsAssessment::from_texts(
                    optional_person("person_id"),
                    texts,
                ))
            }),
        CommandKind::DraftPlan => {
            let mut items = vec![];
            for row in &ROWS {
                let used = [row.assistance, row.description, row.value]
                    .iter()
                    .any(|n| !f.get(n).trim().is_empty());
                if !used {
                    continue;
                }
                let assistance = choice::<AssistanceType>(f, row.assistance, p, i);
                let form = choice::<AssistanceForm>(f, row.form, p, i);
                let description = p.text(row.description, f.get(row.description));
                let value = amount(f, row.value, p, ctx);
                let provider = p.opt_text(row.provider, &f.opt(row.provider));
                let due = date_field(f, row.due, p, i);
                let budget_line = match f.opt(row.line) {
                    None => Some(None),
                    Some(v) => match v.parse() {
                        Ok(id) => Some(Some(BudgetLineId(id))),
                        Err(_) => {
                            p.push(Violation::new("required", i.t("err-required")).at(row.line));
                            None
                        }
                    },
                };
                let item_id = f
                    .opt(row.keep)
                    .and_then(|k| k.parse().ok())
                    .unwrap_or_else(homeward_app::new_id);
                items.push((|| {
                    Some(PlanItem {
                        item_id: PlanItemId(item_id),
                        assistance: assistance?,
                        form: form?,
                        description: description?,
                        beneficiary: optional_person(row.beneficiary),
                        value: value?,
                        provider: provider?,
                        due: due?,
                        budget_line: budget_line?,
                    })
                })());
            }
            let cap_exception = opt_text(p, "cap_exception");
            let budget_exception = opt_text(p, "budget_exception");
            (|| {
                Some(Command::DraftPlan(PlanDraft {
                    items: items.into_iter().collect::<Option<Vec<_>>>()?,
                    cap_exception: cap_exception?,
                    budget_exception: budget_exception?,
                }))
            })()
        }
        CommandKind::RespondToPlan => {
            let person = uuid_of(f, "person_id", p, i);
            let given_by = choice::<ConsentGiver>(f, "given_by", p, i);
            let answer = choice::<PlanAnswer>(f, "answer", p, i);
            let own_words = opt_text(p, "own_words");
            (|| {
                Some(Command::RespondToPlan(PlanResponse {
                    version: latest,
                    person_id: PersonId(person?),
                    given_by: given_by?,
                    answer: answer?,
                    own_words: own_words?,
                }))
            })()
        }
        CommandKind::ApprovePlan => opt_text(p, "comment").map(|comment| Command::ApprovePlan {
            version: latest,
            comment,
        }),
        CommandKind::ReturnPlan => text(p, "reason").map(|reason| Command::ReturnPlan {
            version: latest,
            reason,
        }),
        CommandKind::DeclineAssistance => {
            let person = uuid_of(f, "person_id", p, i);
            let own_words = opt_text(p, "own_words");
            (|| {
                Some(Command::DeclineAssistance(Decline {
                    person_id: PersonId(person?),
                    item_id: f
                        .opt("item_id")
                        .and_then(|v| v.parse().ok())
                        .map(PlanItemId),
                    own_words: own_words?,
                }))
            })()
        }
        CommandKind::RecordDelivery => {
            let item = id_of(p, "item_id");
            let channel = choice::<DeliveryChannel>(f, "channel", p, i);
            let plan_currency = &ctx.programme.settings.currency;
            let currency = match f.opt("currency") {
                None => Some(plan_currency.clone()),
                Some(c) => p.value("currency", CurrencyCode::parse(&c)),
            };
            let paid = currency.as_ref().and_then(|c| {
                let m = parse_amount(f.get("amount"), c);
                if m.is_none() {
                    p.push(
                        Violation::new("money", i.t1("f-amount-hint", "currency", c.to_string()))
                            .at("amount"),
                    );
                }
                m
            });
            let exchange = match f.opt("rate") {
                None => Some(None),
                Some(rate) => {
                    let rate = p.value("rate", super::parse_rate(&rate));
                    let on = date_field(f, "rate_on", p, i).and_then(|d| {
                        if d.is_none() {
                            p.push(
                                Violation::new("required", i.t("err-required")).at("rate_on-day"),
                            );
                        }
                        d
                    });
                    rate.zip(on).map(|(rate, on)| Some(Exchange { rate, on }))
                }
            };
            let proof = p.opt_text("proof", &f.opt("proof"));
            let people_reached = match f.opt("people_reached") {
                None => Some(None),
                Some(n) => match crate::forms::ascii_digits(n.trim()).parse::<u32>() {
                    Ok(n) => Some(Some(n)),
                    Err(_) => {
                        p.push(
                            Violation::new("number", i.t("f-people-reached-hint"))
                                .at("people_reached"),
                        );
                        None
                    }
                },
            };
            (|| {
                Some(Command::RecordDelivery(Delivery {
                    delivery_id: DeliveryId(homeward_app::new_id()),
                    item_id: PlanItemId(item?),
                    channel: channel?,
                    amount: paid?,
                    exchange: exchange?,
                    proof: proof?,
                    people_reached: people_reached?,
                }))
            })()
        }
        CommandKind::CountersignDelivery => {
            id_of(p, "delivery_id").map(|id| Command::CountersignDelivery {
                delivery_id: DeliveryId(id),
            })
        }
        CommandKind::ReverseDelivery => {
            let id = id_of(p, "delivery_id");
            let reason = text(p, "reason");
            (|| {
                Some(Command::ReverseDelivery {
                    delivery_id: DeliveryId(id?),
                    reason: reason?,
                })
            })()
        }
        CommandKind::CloseItem => {
            let id = id_of(p, "item_id");
            let reason = text(p, "reason");
            (|| {
                Some(Command::CloseItem {
                    item_id: PlanItemId(id?),
                    reason: reason?,
                })
            })()
        }
        _ => return None,
    })
}
