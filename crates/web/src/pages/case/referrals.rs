//! The case page's referrals: to whom, for what, who is referred, what was shared, where
//! each stands today and its steps.

use homeward_domain::Case;
use homeward_domain::case::referrals::AnswerStatus;

use super::*;

pub(super) fn referral_sections(
    i: &I18n,
    case: &Case,
    today: chrono::NaiveDate,
    name_of: &dyn Fn(&homeward_domain::ids::PersonId) -> String,
) -> Vec<(String, Vec<Line>)> {
    let mut referrals: Vec<_> = case.referrals.referrals.values().collect();
    referrals.sort_by_key(|r| r.sent_at);
    let lines = referrals
        .into_iter()
        .map(|r| {
            let q = &r.request;
            let mut parts = vec![i.opt("referral_status", r.status.code())];
            match r.answer_status(today) {
                AnswerStatus::Waiting { due } => {
                    parts.push(i.t1("case-referral-answer-due", "date", i.date(due)));
                }
                AnswerStatus::Overdue { due } => {
                    parts.push(i.t1("case-referral-overdue", "date", i.date(due)));
                }
                AnswerStatus::Escalated { due } => {
                    parts.push(i.t1("case-referral-escalated", "date", i.date(due)));
                }
                AnswerStatus::Answered => {}
            }
            parts.push(i.t1(
                "case-referral-people",
                "names",
                i.list(q.people.iter().map(name_of)),
            ));
            parts.push(i.t1(
                "case-referral-shared",
                "groups",
                i.list(q.shared.iter().map(|g| i.opt("data_group", &enum_code(g)))),
            ));
            if let Some(n) = &q.note {
                parts.push(format!("“{n}”"));
            }
            if let Some(e) = &q.exception {
                parts.push(i.ta(
                    "case-referral-exception",
                    &[
                        ("ground", i.opt("exception_ground", e.ground.code()).into()),
                        ("reason", e.reason.to_string().into()),
                    ],
                ));
            }
            if let Some(d) = &r.exception_decision {
                let mut said = format!(
                    "{}: {}",
                    i.day(d.at),
                    i.t(if d.approved {
                        "f-exception-approve"
                    } else {
                        "f-exception-refuse"
                    })
                );
                if let Some(why) = &d.reason {
                    said.push_str(&format!(" — {why}"));
                }
                parts.push(said);
            }
            for s in &r.steps {
                let mut step = format!(
                    "{}: {}",
                    i.day(s.at),
                    i.opt("referral_status", s.step.status().code())
                );
                use homeward_domain::case::referrals::ReferralStep as S;
                match &s.step {
                    S::Declined { reason } | S::Revoked { reason } => {
                        step.push_str(&format!(" — {reason}"));
                    }
                    S::Delivered { what } => step.push_str(&format!(" — {what}")),
                    _ => {}
                }
                if let Some(n) = &s.note {
                    step.push_str(&format!(" (“{n}”)"));
                }
                if let Some(who) = &s.answered_by {
                    step.push_str(&format!(
                        " ({})",
                        i.t1("referral-answered-by", "name", who.to_string())
                    ));
                }
                parts.push(step);
            }
            // What the returnee said of the service at the latest follow-up that asked.
            if let Some((at, received)) = case.monitoring.service_said(q.referral_id) {
                parts.push(i.ta(
                    "case-referral-follow-up",
                    &[
                        ("date", i.day(at).into()),
                        (
                            "received",
                            i.opt("service_received", &enum_code(&received)).into(),
                        ),
                    ],
                ));
            }
            Line {
                label: format!(
                    "{} — {} ({})",
                    q.organisation_name,
                    i.opt("service", q.service.code()),
                    i.day(r.sent_at)
                ),
                value: parts.join(" · "),
            }
        })
        .collect();
    vec![(i.t("case-referrals"), lines)]
}
