//! Monitoring's rules: the schedule a case takes at arrival, what a follow-up must say,
//! when failures to reach a returnee close the case, and what closing as completed waits
//! for.

use super::*;
use crate::case::monitoring::{ContactResult, FollowUp};
use crate::programme::FollowUpSlot;

/// The programme's schedule for a case that has none yet (none when the programme
/// schedules no follow-ups): its timing, without the surveys, which are the programme's
/// when each follow-up is recorded (`Monitoring::survey_asked`).
pub(super) fn schedule(case: &Case, programme: &ProgrammeSettings) -> Option<Event> {
    let rules = &programme.monitoring;
    (case.monitoring.schedule.is_empty() && !rules.schedule.is_empty()).then(|| {
        Event::FollowUpsScheduled {
            schedule: rules
                .schedule
                .iter()
                .map(|s| FollowUpSlot {
                    survey: None,
                    ..s.clone()
                })
                .collect(),
            lost_contact_after: rules.lost_contact_after,
        }
    })
}

/// Checks of a follow-up, shared with its corrections: taken part in by the case's
/// people when it reached them, by nobody when it did not, and held after arrival.
pub(super) fn check_follow_up(
    case: &Case,
    f: &FollowUp,
    occurred_at: DateTime<Utc>,
    p: impl Fn(&str) -> String,
    c: &mut Check,
) {
    for (n, id) in f.with.iter().enumerate() {
        require_member(case, *id, &p("with"), c);
        if f.with[..n].contains(id) {
            c.push(
                Violation::new(
                    "follow_up.same_person_twice",
                    "each person who took part is named once",
                )
                .at(p(&format!("with/{n}"))),
            );
        }
    }
    if f.result.is_contact() && f.with.is_empty() {
        c.push(
            Violation::new(
                "follow_up.nobody",
                "name who took part: the follow-up reached the returnee",
            )
            .at(p("with")),
        );
    }
    if !f.result.is_contact() && !f.with.is_empty() {
        c.push(
            Violation::new(
                "follow_up.not_reached",
                "nobody took part in a follow-up that did not reach the returnee",
            )
            .at(p("with")),
        );
    }
    for (n, s) in f.services.iter().enumerate() {
        let at = p(&format!("services/{n}/referral_id"));
        // Sent before the follow-up: nobody is asked about a service not yet referred.
        if !case
            .referrals
            .get(s.referral_id)
            .is_some_and(|r| r.was_sent() && r.sent_at <= occurred_at)
        {
            c.push(
                Violation::new(
                    "follow_up.unknown_referral",
                    "ask only about referrals of this case sent before the follow-up",
                )
                .at(at.clone()),
            );
        }
        if f.services[..n]
            .iter()
            .any(|o| o.referral_id == s.referral_id)
        {
            c.push(
                Violation::new(
                    "follow_up.same_referral_twice",
                    "say once what the returnee said of each referral",
                )
                .at(at),
            );
        }
    }
    // Only someone spoken to can say whether they received a service.
    if f.result != ContactResult::Reached && !f.services.is_empty() {
        c.push(
            Violation::new(
                "follow_up.services_not_reached",
                "services are asked about only in a follow-up that reached the returnee",
            )
            .at(p("services")),
        );
    }
    if let Some(answers) = &f.survey {
        // Only someone spoken to answers a survey; its scores are its answers' own.
        if f.result != ContactResult::Reached {
            c.push(
                Violation::new(
                    "follow_up.survey_not_reached",
                    "a survey is answered only in a follow-up that reached the returnee",
                )
                .at(p("survey")),
            );
        }
        if !answers.consistent() {
            c.push(
                Violation::new(
                    "follow_up.survey_scores",
                    "the scores are not those of the survey version answered",
                )
                .at(p("survey")),
            );
        }
    }
    if let Some(arrived) = case.dates.arrived
        && occurred_at < arrived
    {
        c.push(
            Violation::new(
                "follow_up.before_arrival",
                format!(
                    "a follow-up is held after arrival ({})",
                    arrived.format("%Y-%m-%d")
                ),
            )
            .at("occurred_at"),
        );
    }
}

/// The survey a follow-up held at `ctx.occurred_at` asks (`Monitoring::survey_asked`),
/// with the programme's as it is now.
pub(super) fn survey_asked<'a>(case: &Case, ctx: &Context<'a>) -> Option<&'a str> {
    case.survey_asked(ctx.occurred_at.date_naive(), &ctx.programme.monitoring)
}

/// Answers to a survey the follow-up's time does not ask.
pub(super) fn survey_other(asked: Option<&str>, at: DateTime<Utc>) -> Violation {
    let on = at.format("%Y-%m-%d").to_string();
    match asked {
        Some(key) => Violation::new(
            "follow_up.survey_other",
            format!("a follow-up on {on} asks the survey {key}"),
        )
        .param("asked", key),
        None => Violation::new(
            "follow_up.survey_other",
            format!("a follow-up on {on} asks no survey"),
        ),
    }
    .param("on", on)
}

/// A follow-up, and the closure it brings: as lost contact after the programme's number
/// of failures in a row (or at once when contact is found lost), as deceased.
pub(super) fn record(case: &Case, f: FollowUp, ctx: &Context, c: &mut Check) -> Vec<Event> {
    if case
        .monitoring
        .follow_ups
        .iter()
        .any(|r| r.follow_up.follow_up_id == f.follow_up_id)
    {
        c.push(
            Violation::new(
                "follow_up.duplicate",
                "this follow-up is already recorded; correct it instead",
            )
            .at("follow_up_id"),
        );
    }
    check_follow_up(case, &f, ctx.occurred_at, str::to_string, c);
    // The survey this follow-up's time asks, whichever version: answers of another are
    // not its scores.
    if let Some(answers) = &f.survey {
        let asked = survey_asked(case, ctx);
        if asked != Some(answers.response.key.as_str()) {
            c.push(survey_other(asked, ctx.occurred_at).at("survey/key"));
        }
    }
    let lost_after = match case.monitoring.schedule.is_empty() {
        true => ctx.programme.monitoring.lost_contact_after,
        false => case.monitoring.lost_contact_after,
    };
    let failures = case.monitoring.failures_in_a_row() + 1;
    let closes_as = f.result.closes_as().or_else(|| {
        (!f.result.is_contact() && failures >= usize::from(lost_after.max(1)))
            .then_some(Outcome::LostContact)
    });
    let mut events = vec![Event::FollowUpRecorded(f)];
    if let Some(outcome) = closes_as {
        // The closure is a step of the lifecycle: not dated before the previous one.
        if let Some(last) = case.last_step_at
            && ctx.occurred_at < last
        {
            c.push(
                Violation::new(
                    "time.before_previous_step",
                    format!(
                        "this follow-up closes the case, and is dated before the previous step of the case ({})",
                        last.format("%Y-%m-%d %H:%M UTC")
                    ),
                )
                .at("occurred_at")
                .param("previous", last.to_rfc3339()),
            );
        }
        events.push(Event::CaseClosed {
            outcome,
            note: None,
        });
    }
    events
}

/// What closing a returned case as completed still waits for in its monitoring on `today`:
/// each scheduled follow-up not held whose time has not passed (a follow-up missed
/// because the next one's window opened does not hold the case).
pub fn monitoring_unfinished(case: &Case, today: NaiveDate) -> Vec<Violation> {
    let Some(arrived) = case.dates.arrived else {
        return vec![];
    };
    case.monitoring
        .scheduled(arrived.date_naive())
        .iter()
        .filter(|s| s.held_on.is_none() && s.missed_from.is_none_or(|m| today < m))
        .map(|s| {
            Violation::new(
                "closure.follow_up_pending",
                format!(
                    "the follow-up due {} months after arrival ({}) has not been held",
                    s.months_after_arrival,
                    s.due.format("%Y-%m-%d")
                ),
            )
            .param("due", s.due.to_string())
        })
        .collect()
}
