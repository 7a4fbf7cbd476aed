//! The case page's monitoring sections: the follow-up schedule, where each follow-up
//! stands today, and the follow-ups held or tried.

use homeward_domain::Case;
use homeward_domain::case::monitoring::SlotStatus;

use super::*;

pub(super) fn monitoring_sections(
    i: &I18n,
    case: &Case,
    today: chrono::NaiveDate,
    name_of: &dyn Fn(&homeward_domain::ids::PersonId) -> String,
) -> Vec<(String, Vec<Line>)> {
    let m = &case.monitoring;
    let scheduled = case
        .dates
        .arrived
        .map(|a| m.scheduled(a.date_naive()))
        .unwrap_or_default();
    let schedule: Vec<Line> = scheduled
        .iter()
        .map(|s| {
            let status = match s.status(today) {
                SlotStatus::Held { on, on_time: true } => {
                    i.t1("case-follow-up-held", "date", i.date(on))
                }
                SlotStatus::Held { on, on_time: false } => {
                    i.t1("case-follow-up-held-late", "date", i.date(on))
                }
                other => i.opt("slot_status", &enum_code(&other)),
            };
            Line {
                label: i.ta(
                    "case-follow-up-slot",
                    &[
                        ("months", i64::from(s.months_after_arrival).into()),
                        ("due", i.date(s.due).into()),
                    ],
                ),
                value: format!(
                    "{status} — {}",
                    i.ta(
                        "case-follow-up-window",
                        &[
                            ("opens", i.date(s.opens).into()),
                            ("closes", i.date(s.closes).into()),
                        ],
                    )
                ),
            }
        })
        .collect();
    let mut follow_ups: Vec<Line> = m
        .follow_ups
        .iter()
        .map(|r| {
            let f = &r.follow_up;
            let mut value = i.opt("contact_result", &enum_code(&f.result));
            if !f.with.is_empty() {
                let names: Vec<String> = f.with.iter().map(name_of).collect();
                value.push_str(&format!(" — {}", names.join(", ")));
            }
            if let Some(l) = &f.language {
                value.push_str(&format!(" — {}", l.name()));
            }
            if let Some(n) = &f.notes {
                value.push_str(&format!(" — “{n}”"));
            }
            for s in &f.services {
                if let Some(r) = case.referrals.get(s.referral_id) {
                    value.push_str(&format!(
                        " — {}: {}",
                        i.opt("service", r.request.service.code()),
                        i.opt("service_received", &enum_code(&s.received))
                    ));
                }
            }
            Line {
                label: format!(
                    "{} — {}",
                    i.day(r.at),
                    i.opt("follow_up_mode", &enum_code(&f.mode))
                ),
                value,
            }
        })
        .collect();
    let failures = m.failures_in_a_row();
    if failures > 0 && case.stage != homeward_domain::Stage::Closed {
        follow_ups.push(Line {
            label: String::new(),
            value: i.ta(
                "case-follow-up-failures",
                &[
                    ("count", (failures as i64).into()),
                    ("max", i64::from(m.lost_contact_after).into()),
                ],
            ),
        });
    }
    vec![
        (i.t("case-follow-up-schedule"), schedule),
        (i.t("case-follow-ups"), follow_ups),
    ]
}

/// A returnee's survey scores over time, as the case page shows them: a bar of the
/// composite per survey answered, and the dimensions in a table.
pub struct ScoreHistory {
    pub rows: Vec<ScoreRow>,
    /// Which dimensions the surveys score, as column headings.
    pub dimensions: Vec<String>,
}

pub struct ScoreRow {
    pub date: String,
    pub survey: String,
    /// The composite in thousandths (the bar's length), when there is one.
    pub length: Option<u16>,
    pub composite: String,
    pub dimensions: Vec<String>,
}

/// The score history of a case whose follow-ups answered surveys (none when none did, or
/// the reader may not read them).
pub(super) fn score_history(i: &I18n, case: &Case) -> Option<ScoreHistory> {
    use homeward_domain::survey::{Dimension, Permille};
    let history = case.monitoring.score_history();
    if history.is_empty() {
        return None;
    }
    let shown =
        |p: &Option<Permille>| p.map_or_else(|| "—".to_string(), |p| i.digits(&p.to_string()));
    let dimensions: Vec<Dimension> = Dimension::ALL
        .into_iter()
        .filter(|d| {
            history
                .iter()
                .any(|(_, a)| a.scores.dimensions.contains_key(d))
        })
        .collect();
    Some(ScoreHistory {
        dimensions: dimensions
            .iter()
            .map(|d| i.t(&format!("survey-dimension-{}", d.code())))
            .collect(),
        rows: history
            .iter()
            .map(|(at, a)| ScoreRow {
                date: i.day(*at),
                survey: format!("{} v{}", a.response.key, a.response.version),
                length: a.scores.composite.map(Permille::thousandths),
                composite: shown(&a.scores.composite),
                dimensions: dimensions
                    .iter()
                    .map(|d| shown(&a.scores.dimensions.get(d).copied().flatten()))
                    .collect(),
            })
            .collect(),
    })
}
