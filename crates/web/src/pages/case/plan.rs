//! The case page's reintegration sections: the needs assessment, the plan (its latest
//! version and, while that waits, the one in force), and the deliveries.

use homeward_domain::case::reintegration::{ItemState, PlanVersion, Reintegration};
use homeward_domain::values::Money;

use super::*;

fn in_plan_currency(total: &Money, minor: i64) -> Money {
    Money::new(minor.max(0), total.currency.clone()).unwrap_or_else(|_| total.clone())
}

pub(super) fn plan_sections(
    i: &I18n,
    r: &Reintegration,
    name_of: &dyn Fn(&homeward_domain::ids::PersonId) -> String,
    programme: &homeward_domain::programme::ProgrammeSettings,
) -> Vec<(String, Vec<Line>)> {
    // The grant a budget line belongs to, as the approver reads it.
    let line_of = |item: &homeward_domain::case::reintegration::PlanItem| {
        item.budget_line
            .and_then(|id| programme.budget_line(id))
            .map(|(g, _)| {
                format!(
                    ", {}",
                    i.ta(
                        "case-plan-line",
                        &[
                            ("donor", g.donor.to_string().into()),
                            ("reference", g.reference.to_string().into()),
                        ],
                    )
                )
            })
            .unwrap_or_default()
    };
    let mut out = vec![];
    let whom = |p: Option<&homeward_domain::ids::PersonId>| {
        p.map(name_of).unwrap_or_else(|| i.t("f-household"))
    };
    let needs: Vec<Line> = r
        .needs
        .iter()
        .flat_map(|n| {
            let a = &n.assessment;
            let who = whom(a.person_id.as_ref());
            a.texts()
                .into_iter()
                .zip(crate::actions::NEEDS_LABELS)
                .filter_map(|((_, text), key)| {
                    text.map(|t| Line {
                        label: format!("{who}: {}", i.t(key)),
                        value: t.to_string(),
                    })
                })
                .collect::<Vec<_>>()
        })
        .collect();
    out.push((i.t("case-needs"), needs));
    let mut shown: Vec<&PlanVersion> = r.latest().into_iter().collect();
    if let Some(f) = r.in_force()
        && shown.first().is_some_and(|l| l.version != f.version)
    {
        shown.push(f);
    }
    for v in shown {
        let title = i.ta(
            "case-plan",
            &[
                ("version", v.version.into()),
                ("status", i.opt("plan_status", &enum_code(&v.status)).into()),
            ],
        );
        let mut lines: Vec<Line> = v
            .items
            .iter()
            .map(|item| {
                let delivered = in_plan_currency(&item.value, r.delivered_of(item.item_id));
                let state =
                    if v.status == homeward_domain::case::reintegration::PlanStatus::Approved {
                        format!(
                            " — {}",
                            i.opt("item_state", &enum_code(&r.item_state(item)))
                        )
                    } else {
                        String::new()
                    };
                let delivered =
                    if r.item_state(item) == ItemState::Open && delivered.amount_minor > 0 {
                        format!(
                            " ({} {})",
                            i.money(&delivered),
                            i.opt("item_state", "delivered")
                        )
                    } else {
                        String::new()
                    };
                Line {
                    label: format!(
                        "{} — {}",
                        item.description,
                        i.opt("assistance", &enum_code(&item.assistance))
                    ),
                    value: format!(
                        "{}, {}, {}{}{}{}{}{}",
                        i.money(&item.value),
                        i.opt("assistance_form", &enum_code(&item.form)),
                        whom(item.beneficiary.as_ref()),
                        item.provider
                            .as_ref()
                            .map(|p| format!(", {p}"))
                            .unwrap_or_default(),
                        item.due
                            .map(|d| format!(", {} {}", i.t("f-due"), i.date(d)))
                            .unwrap_or_default(),
                        line_of(item),
                        state,
                        delivered
                    ),
                }
            })
            .collect();
        lines.push(Line {
            label: String::new(),
            value: match &v.cap {
                Some(cap) => i.ta(
                    "case-plan-total",
                    &[
                        ("total", i.money(&v.total).into()),
                        ("cap", i.money(cap).into()),
                    ],
                ),
                None => i.t1("case-plan-total-nocap", "total", i.money(&v.total)),
            },
        });
        if let Some(reason) = &v.cap_exception {
            lines.push(Line {
                label: String::new(),
                value: i.t1("case-plan-exception", "reason", reason.to_string()),
            });
        }
        if let Some(reason) = &v.budget_exception {
            lines.push(Line {
                label: String::new(),
                value: i.t1("case-plan-budget-exception", "reason", reason.to_string()),
            });
        }
        if let Some(answer) = v.responses.last() {
            lines.push(Line {
                label: i.t("case-plan-answer"),
                value: format!(
                    "{}{}",
                    i.opt("plan_answer", &enum_code(&answer.response.answer)),
                    answer
                        .response
                        .own_words
                        .as_ref()
                        .map(|w| format!(": “{w}”"))
                        .unwrap_or_default()
                ),
            });
        }
        if let Some(note) = &v.decision_note {
            lines.push(Line {
                label: i.t("f-comment"),
                value: note.to_string(),
            });
        }
        if v.status == homeward_domain::case::reintegration::PlanStatus::Approved {
            lines.push(Line {
                label: String::new(),
                value: i.ta(
                    "case-plan-committed",
                    &[
                        (
                            "committed",
                            i.money(&in_plan_currency(&v.total, r.committed())).into(),
                        ),
                        (
                            "disbursed",
                            i.money(&in_plan_currency(&v.total, r.disbursed())).into(),
                        ),
                    ],
                ),
            });
        }
        out.push((title, lines));
    }
    let mut deliveries: Vec<Line> = r
        .deliveries
        .iter()
        .map(|d| {
            let item = r
                .versions
                .iter()
                .rev()
                .find_map(|v| v.item(d.delivery.item_id))
                .map(|i| i.description.to_string())
                .unwrap_or_default();
            let paid = if d.delivery.amount.currency == d.value.currency {
                i.money(&d.value)
            } else {
                format!("{} = {}", i.money(&d.delivery.amount), i.money(&d.value))
            };
            let status = match (&d.reversed, d.awaits_signature()) {
                (Some(rev), _) => format!(
                    " — {}",
                    i.t1("case-delivery-reversed", "reason", rev.reason.to_string())
                ),
                (None, true) => format!(" — {}", i.t("case-delivery-awaits")),
                (None, false) => String::new(),
            };
            Line {
                label: format!("{} — {}", i.day(d.at), item),
                value: format!(
                    "{paid}, {}{}{status}",
                    i.opt("channel", &enum_code(&d.delivery.channel)),
                    d.delivery
                        .proof
                        .as_ref()
                        .map(|p| format!(", {p}"))
                        .unwrap_or_default()
                ),
            }
        })
        .collect();
    if let Some(all) = &r.declined_all {
        deliveries.push(Line {
            label: i.day(all.at),
            value: i.t("case-declined-all"),
        });
    }
    out.push((i.t("case-deliveries"), deliveries));
    out
}
