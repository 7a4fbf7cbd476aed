//! Monitoring after return (DESIGN.md, "Monitoring and evaluation"): the schedule, the
//! follow-ups, due and overdue, lost contact, and what closing as completed waits for.

use super::*;
use chrono::{NaiveDate, TimeZone, Utc};
use homeward_domain::case::monitoring::*;
use homeward_domain::case::reintegration::Decline;
use homeward_domain::programme::{FollowUpSlot, MonitoringRules, ProgrammeSettings};
use proptest::prelude::*;

fn monitored() -> ProgrammeSettings {
    let mut p = programme();
    p.monitoring = MonitoringRules::standard();
    p
}

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

fn arrived_on(s: &Scenario) -> NaiveDate {
    s.case().dates.arrived.expect("arrived").date_naive()
}

/// Moves the clock to `on` (10:00 UTC) and records a follow-up held then.
fn follow_up_on(s: &mut Scenario, on: NaiveDate, result: ContactResult) -> Result<(), String> {
    let at = Utc.from_utc_datetime(&on.and_hms_opt(10, 0, 0).expect("a time"));
    if at > s.now {
        s.now = at;
    }
    let cmd = follow_up_cmd(s, result);
    s.run_at(MONITOR, at, cmd).map_err(|r| r.to_string())
}

fn follow_up_cmd(s: &mut Scenario, result: ContactResult) -> Command {
    Command::RecordFollowUp(FollowUp {
        follow_up_id: FollowUpId(s.fresh_id()),
        mode: FollowUpMode::Phone,
        result,
        with: if result.is_contact() {
            vec![P1]
        } else {
            vec![]
        },
        language: Some(lang("wo")),
        notes: Some(lt(
            "Runs the workshop with her brother; income covers rent.",
        )),
        services: vec![],
        survey: None,
    })
}

/// Answers to survey `key`'s `version`, scored as if under `scored_version`.
fn answered(
    key: &str,
    version: u32,
    scored_version: u32,
) -> homeward_domain::survey::SurveyAnswers {
    use homeward_domain::survey::{Answer, Response, ScoreCard, SurveyAnswers};
    SurveyAnswers {
        response: Response {
            key: key.into(),
            version,
            answers: [("income".to_string(), Answer::Choice("some".into()))].into(),
        },
        digest: "ab".repeat(32),
        scores: ScoreCard {
            key: key.into(),
            version: scored_version,
            indicators: Default::default(),
            dimensions: Default::default(),
            composite: homeward_domain::survey::Permille::new(500),
            threshold: None,
        },
    }
}

/// Moves the clock to `on` (10:00 UTC) and records a follow-up that reached the returnee
/// and answered survey `key`.
fn surveyed_on(s: &mut Scenario, on: NaiveDate, key: &str) -> Result<(), homeward_domain::Refusal> {
    let at = Utc.from_utc_datetime(&on.and_hms_opt(10, 0, 0).expect("a time"));
    if at > s.now {
        s.now = at;
    }
    let Command::RecordFollowUp(mut f) = follow_up_cmd(s, ContactResult::Reached) else {
        unreachable!()
    };
    f.survey = Some(answered(key, 1, 1));
    s.run_at(MONITOR, at, Command::RecordFollowUp(f))
}

fn days(n: u64) -> chrono::Days {
    chrono::Days::new(n)
}

#[test]
fn arrival_fixes_the_programmes_schedule_and_each_follow_up_has_its_window() {
    let s = arrived_with(monitored());
    let c = s.case();
    assert_eq!(c.monitoring.schedule, MonitoringRules::standard().schedule);
    assert_eq!(c.monitoring.lost_contact_after, 3);
    let arrived = arrived_on(&s);
    let slots = c.monitoring.scheduled(arrived);
    assert_eq!(slots.len(), 3);
    let three = arrived.checked_add_months(chrono::Months::new(3)).unwrap();
    assert_eq!(slots[0].due, three);
    assert_eq!(slots[0].opens, three - days(30));
    assert_eq!(slots[0].closes, three + days(30));
    assert_eq!(slots[0].missed_from, Some(slots[1].opens));
    assert_eq!(slots[2].missed_from, None, "the last one is never missed");
    // One definition of where a follow-up stands, day by day.
    assert_eq!(
        slots[0].status(slots[0].opens - days(1)),
        SlotStatus::Upcoming
    );
    assert_eq!(slots[0].status(slots[0].opens), SlotStatus::Due);
    assert_eq!(slots[0].status(slots[0].closes), SlotStatus::Due);
    assert_eq!(
        slots[0].status(slots[0].closes + days(1)),
        SlotStatus::Overdue
    );
    assert_eq!(slots[0].status(slots[1].opens), SlotStatus::Missed);
    assert_eq!(
        slots[2].status(slots[2].closes + days(400)),
        SlotStatus::Overdue
    );

    // A programme changed later does not move this case's follow-ups.
    let mut s = s;
    s.programme.monitoring.schedule.truncate(1);
    s.ok(MONITOR, Command::StartMonitoring);
    assert_eq!(s.case().monitoring.schedule.len(), 3);

    let s = arrived_with(programme());
    assert!(
        s.case().monitoring.schedule.is_empty(),
        "no schedule, no follow-ups due"
    );
}

#[test]
fn a_follow_up_that_reaches_the_returnee_holds_the_one_whose_time_it_falls_in() {
    let mut s = arrived_with(monitored());
    let arrived = arrived_on(&s);
    let slots = s.case().monitoring.scheduled(arrived);
    // Before the first window: an extra visit, holding nothing.
    follow_up_on(&mut s, arrived + days(10), ContactResult::Reached).unwrap();
    // Late for the first (after its window, before the second opens): held late.
    let late = slots[0].closes + days(5);
    follow_up_on(&mut s, late, ContactResult::Reached).unwrap();
    // Not reached inside the second window: it stays due.
    follow_up_on(&mut s, slots[1].due, ContactResult::NotReached).unwrap();
    let c = s.case();
    let now = c.monitoring.scheduled(arrived);
    assert_eq!(now[0].held_on, Some(late));
    assert_eq!(
        now[0].status(late),
        SlotStatus::Held {
            on: late,
            on_time: false
        }
    );
    assert_eq!(now[1].held_on, None);
    assert_eq!(now[1].status(slots[1].due), SlotStatus::Due);
    // Refusing to take part is contact: it holds the follow-up, on time.
    let on = slots[1].due + days(3);
    follow_up_on(&mut s, on, ContactResult::Refused).unwrap();
    let now = s.case().monitoring.scheduled(arrived);
    assert_eq!(now[1].status(on), SlotStatus::Held { on, on_time: true });
    assert_eq!(s.case().monitoring.failures_in_a_row(), 0);
}

#[test]
fn a_follow_up_names_who_took_part_and_is_held_after_arrival_once() {
    let mut s = Scenario::single_adult();
    s.programme = monitored();
    let cmd = follow_up_cmd(&mut s, ContactResult::Reached);
    s.refused(MONITOR, cmd, "stage.not_allowed");

    let mut s = arrived_with(monitored());
    let arrived = s.case().dates.arrived.unwrap();
    let id = FollowUpId(s.fresh_id());
    let reached_alone = |with: Vec<PersonId>, result| {
        Command::RecordFollowUp(FollowUp {
            follow_up_id: id,
            mode: FollowUpMode::Visit,
            result,
            with,
            language: None,
            notes: None,
            services: vec![],
            survey: None,
        })
    };
    s.refused(
        MONITOR,
        reached_alone(vec![], ContactResult::Reached),
        "follow_up.nobody",
    );
    s.refused(
        MONITOR,
        reached_alone(vec![P1], ContactResult::NotReached),
        "follow_up.not_reached",
    );
    s.refused(
        MONITOR,
        reached_alone(vec![P2], ContactResult::Reached),
        "person.not_a_member",
    );
    s.refused(
        MONITOR,
        reached_alone(vec![P1, P1], ContactResult::Reached),
        "follow_up.same_person_twice",
    );
    let before = s
        .run_at(
            MONITOR,
            arrived - Duration::hours(2),
            reached_alone(vec![P1], ContactResult::Reached),
        )
        .expect_err("a follow-up before arrival");
    assert!(before.has("follow_up.before_arrival"), "{before}");
    s.ok(MONITOR, reached_alone(vec![P1], ContactResult::Reached));
    s.refused(
        MONITOR,
        reached_alone(vec![P1], ContactResult::Reached),
        "follow_up.duplicate",
    );
}

#[test]
fn failures_to_reach_in_a_row_close_the_case_as_lost_contact() {
    let mut s = arrived_with(monitored());
    let arrived = arrived_on(&s);
    follow_up_on(&mut s, arrived + days(60), ContactResult::NotReached).unwrap();
    follow_up_on(&mut s, arrived + days(61), ContactResult::Moved).unwrap();
    // A reach starts the count again.
    follow_up_on(&mut s, arrived + days(62), ContactResult::Reached).unwrap();
    follow_up_on(&mut s, arrived + days(90), ContactResult::NotReached).unwrap();
    follow_up_on(&mut s, arrived + days(91), ContactResult::Remigrated).unwrap();
    assert_eq!(s.case().stage, Stage::Arrived);
    assert_eq!(s.case().monitoring.failures_in_a_row(), 2);
    follow_up_on(&mut s, arrived + days(92), ContactResult::NotReached).unwrap();
    let c = s.case();
    assert_eq!(c.stage, Stage::Closed);
    assert_eq!(c.outcome, Some(Outcome::LostContact));
    // Nothing more is followed up on a closed case.
    let cmd = follow_up_cmd(&mut s, ContactResult::Reached);
    s.refused(MONITOR, cmd, "stage.not_allowed");
}

#[test]
fn contact_found_lost_or_a_death_close_the_case_at_once() {
    let mut s = arrived_with(monitored());
    let arrived = arrived_on(&s);
    follow_up_on(&mut s, arrived + days(5), ContactResult::LostContact).unwrap();
    assert_eq!(s.case().outcome, Some(Outcome::LostContact));

    let mut s = arrived_with(monitored());
    follow_up_on(&mut s, arrived + days(5), ContactResult::Deceased).unwrap();
    assert_eq!(s.case().outcome, Some(Outcome::Deceased));
    // Without a schedule of its own the programme's count applies.
    let mut p = programme();
    p.monitoring.lost_contact_after = 1;
    let mut s = arrived_with(p);
    follow_up_on(&mut s, arrived + days(5), ContactResult::NotReached).unwrap();
    assert_eq!(s.case().outcome, Some(Outcome::LostContact));
}

#[test]
fn closing_as_completed_waits_for_follow_ups_not_held_whose_time_has_not_passed() {
    let mut s = arrived_with(monitored());
    let arrived = arrived_on(&s);
    let slots = s.case().monitoring.scheduled(arrived);
    s.ok(
        REINTEGRATION,
        Command::DeclineAssistance(Decline {
            person_id: P1,
            item_id: None,
            own_words: None,
        }),
    );
    let close = Command::Close {
        outcome: Outcome::Completed,
        note: None,
    };
    let r = s.refused(MONITOR, close.clone(), "closure.follow_up_pending");
    assert_eq!(
        r.violations
            .iter()
            .filter(|v| v.code == "closure.follow_up_pending")
            .count(),
        3
    );
    // The first is missed (never held before the second opened): it holds nothing back.
    follow_up_on(&mut s, slots[1].due, ContactResult::Reached).unwrap();
    let r = s.refused(MONITOR, close.clone(), "closure.follow_up_pending");
    assert_eq!(r.violations.len(), 1, "{r}");
    follow_up_on(&mut s, slots[2].closes + days(20), ContactResult::Reached).unwrap();
    s.ok(MONITOR, close);
    assert_eq!(s.case().outcome, Some(Outcome::Completed));
}

#[test]
fn a_corrected_date_moves_a_follow_up_into_another_window() {
    let mut s = arrived_with(monitored());
    let arrived = arrived_on(&s);
    let slots = s.case().monitoring.scheduled(arrived);
    follow_up_on(&mut s, slots[0].opens - days(2), ContactResult::Reached).unwrap();
    assert_eq!(s.case().monitoring.scheduled(arrived)[0].held_on, None);
    let recorded = s.events.last().unwrap().clone();
    let at = Utc.from_utc_datetime(&slots[0].due.and_hms_opt(9, 0, 0).unwrap());
    s.now = at + Duration::days(1);
    s.ok(
        MONITOR,
        Command::Correct {
            corrects: recorded.meta.version,
            occurred_at: Some(at),
            replacement: Box::new(recorded.event),
            reason: lt("The visit was on the due date; the date was typed wrong."),
        },
    );
    assert_eq!(
        s.case().monitoring.scheduled(arrived)[0].held_on,
        Some(slots[0].due)
    );
}

#[test]
fn monitoring_started_on_a_case_without_a_schedule_takes_the_programmes() {
    let mut s = arrived_with(programme());
    s.programme = monitored();
    s.ok(MONITOR, Command::StartMonitoring);
    let c = s.case();
    assert_eq!(c.stage, Stage::Monitoring);
    assert_eq!(c.monitoring.schedule.len(), 3);
}

#[test]
fn a_schedule_whose_windows_overlap_or_go_out_of_range_is_refused() {
    let ok = MonitoringRules::standard();
    assert!(ok.violations().is_empty());
    let slot = |months_after_arrival, window_days| FollowUpSlot {
        months_after_arrival,
        window_days,
        survey: None,
    };
    let overlapping = MonitoringRules {
        schedule: vec![slot(3, 45), slot(6, 45)],
        lost_contact_after: 3,
        survey: None,
    };
    // In a short month, 3 months + 45 days reaches past 6 months - 45 days.
    assert_eq!(
        overlapping
            .violations()
            .iter()
            .map(|v| (v.code, v.field.clone()))
            .collect::<Vec<_>>(),
        vec![("monitoring.overlapping", Some("schedule/1".to_string()))]
    );
    let mut named = slot(61, 91);
    named.survey = Some("no name".into());
    let out_of_range = MonitoringRules {
        schedule: vec![slot(0, 10), named],
        lost_contact_after: 0,
        survey: Some("not a name".into()),
    };
    let codes: Vec<_> = out_of_range.violations().iter().map(|v| v.code).collect();
    assert_eq!(
        codes,
        vec![
            "monitoring.lost_contact_after",
            "monitoring.survey",
            "monitoring.offset",
            "monitoring.offset",
            "monitoring.survey",
            "monitoring.window",
        ]
    );
    assert_eq!(
        out_of_range.violations()[4].field.as_deref(),
        Some("schedule/1/survey")
    );
}

/// A survey answered in a follow-up: only of someone reached, only the programme's
/// survey, its scores of its own version; the answers in order make the returnee's score
/// history.
#[test]
fn a_survey_is_answered_in_a_follow_up_that_reached_the_returnee() {
    use homeward_domain::survey::SurveyAnswers;
    let mut programme = monitored();
    programme.monitoring.survey = Some("rss".into());
    let mut s = arrived_with(programme);
    let with_survey = |s: &mut Scenario, result: ContactResult, answers: SurveyAnswers| {
        let Command::RecordFollowUp(mut f) = follow_up_cmd(s, result) else {
            unreachable!()
        };
        f.survey = Some(answers);
        Command::RecordFollowUp(f)
    };
    let cmd = with_survey(&mut s, ContactResult::NotReached, answered("rss", 1, 1));
    s.refused(MONITOR, cmd, "follow_up.survey_not_reached");
    let cmd = with_survey(&mut s, ContactResult::Reached, answered("other", 1, 1));
    s.refused(MONITOR, cmd, "follow_up.survey_other");
    let cmd = with_survey(&mut s, ContactResult::Reached, answered("rss", 2, 1));
    s.refused(MONITOR, cmd, "follow_up.survey_scores");
    let cmd = with_survey(&mut s, ContactResult::Reached, answered("rss", 2, 2));
    s.run(MONITOR, cmd).unwrap();
    let case = s.case();
    let history = case.monitoring.score_history();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].1.scores.version, 2);
}

/// A correction of a follow-up's answers keeps the survey and version it asked, even
/// once the programme asks another survey; answers added by a correction are the
/// programme's survey's.
#[test]
fn corrected_answers_keep_the_survey_and_version_they_were_given_under() {
    use homeward_domain::survey::SurveyAnswers;
    let answered = |key: &str, version: u32| answered(key, version, version);
    let mut programme = monitored();
    programme.monitoring.survey = Some("rss".into());
    let mut s = arrived_with(programme);
    let Command::RecordFollowUp(mut f) = follow_up_cmd(&mut s, ContactResult::Reached) else {
        unreachable!()
    };
    f.survey = Some(answered("rss", 2));
    s.ok(MONITOR, Command::RecordFollowUp(f.clone()));
    let recorded = s.events.last().unwrap().meta.version;
    let correct = |survey: Option<SurveyAnswers>| {
        let mut g = f.clone();
        g.survey = survey;
        Command::Correct {
            corrects: recorded,
            occurred_at: None,
            replacement: Box::new(homeward_domain::Event::FollowUpRecorded(g)),
            reason: lt("The answers were typed in the wrong boxes."),
        }
    };
    s.refused(
        MONITOR,
        correct(Some(answered("rss", 3))),
        "follow_up.survey_version",
    );
    s.refused(
        MONITOR,
        correct(Some(answered("other", 2))),
        "follow_up.survey_version",
    );
    // The programme now asks another survey: the answers still correct as they were asked.
    s.programme.monitoring.survey = Some("other".into());
    s.refused(
        MONITOR,
        correct(Some(answered("other", 1))),
        "follow_up.survey_version",
    );
    s.ok(MONITOR, correct(Some(answered("rss", 2))));
    assert_eq!(s.case().monitoring.score_history()[0].1.response.version, 2);
}

/// Each scheduled follow-up asks its own survey, or the programme's where it names none;
/// a visit before the first window opens (the baseline) asks the programme's. Which one
/// is the programme's as it stands when the follow-up is recorded; the case keeps only the
/// timing it took at arrival.
#[test]
fn a_follow_up_asks_the_survey_of_the_scheduled_follow_up_whose_time_it_falls_in() {
    let mut programme = monitored();
    programme.monitoring.survey = Some("rss".into());
    programme.monitoring.schedule[0].survey = Some("check".into());
    let mut s = arrived_with(programme);
    let arrived = arrived_on(&s);
    let m = s.case().monitoring;
    assert!(
        m.schedule.iter().all(|slot| slot.survey.is_none()),
        "the case keeps the timing, not the surveys"
    );
    let at_months = |n: u32| arrived.checked_add_months(chrono::Months::new(n)).unwrap();
    let rules = s.programme.monitoring.clone();
    assert_eq!(m.survey_asked(arrived, arrived, &rules), Some("rss"));
    assert_eq!(m.survey_asked(arrived, at_months(3), &rules), Some("check"));
    // From the 3-month window's opening until the 6-month one's.
    let six_opens = at_months(6) - days(30);
    assert_eq!(
        m.survey_asked(arrived, six_opens - days(1), &rules),
        Some("check")
    );
    assert_eq!(m.survey_asked(arrived, six_opens, &rules), Some("rss"));
    let none = MonitoringRules {
        survey: None,
        ..rules.clone()
    };
    assert_eq!(m.survey_asked(arrived, at_months(6), &none), None);
    // The baseline, on arrival: the programme's.
    let err = surveyed_on(&mut s, arrived, "check").unwrap_err();
    assert!(err.has("follow_up.survey_other"), "{err}");
    surveyed_on(&mut s, arrived, "rss").unwrap();
    // The programme now asks another survey at three months: follow-ups from now on
    // answer it.
    s.programme.monitoring.schedule[0].survey = Some("other".into());
    let three = at_months(3) - days(10);
    let err = surveyed_on(&mut s, three, "rss").unwrap_err();
    assert!(err.has("follow_up.survey_other"), "{err}");
    let err = surveyed_on(&mut s, three, "check").unwrap_err();
    assert!(err.has("follow_up.survey_other"), "{err}");
    surveyed_on(&mut s, three, "other").unwrap();
    // Six months names none: the programme's.
    let err = surveyed_on(&mut s, at_months(6), "other").unwrap_err();
    assert!(err.has("follow_up.survey_other"), "{err}");
    s.programme.monitoring.survey = Some("rss2".into());
    surveyed_on(&mut s, at_months(6), "rss2").unwrap();
    let keys: Vec<String> = s
        .case()
        .monitoring
        .score_history()
        .iter()
        .map(|(_, a)| a.response.key.clone())
        .collect();
    assert_eq!(keys, ["rss", "other", "rss2"]);
}

/// A correction that moves a follow-up into another's time keeps the answers it was
/// given (to the survey it asked, in their version); answers a correction adds to a
/// follow-up that had none are those of the survey its new time asks.
#[test]
fn corrected_answers_keep_their_survey_and_added_ones_are_the_new_time_s() {
    let mut programme = monitored();
    programme.monitoring.survey = Some("rss".into());
    programme.monitoring.schedule[1].survey = Some("six".into());
    let mut s = arrived_with(programme);
    let arrived = arrived_on(&s);
    let at_months = |n: u32| arrived.checked_add_months(chrono::Months::new(n)).unwrap();
    let noon = |d: NaiveDate| Utc.from_utc_datetime(&d.and_hms_opt(10, 0, 0).unwrap());
    surveyed_on(&mut s, at_months(3), "rss").unwrap();
    let answered_at = s.events.last().unwrap().meta.version;
    let homeward_domain::Event::FollowUpRecorded(with) = s.events.last().unwrap().event.clone()
    else {
        unreachable!()
    };
    follow_up_on(&mut s, at_months(3) + days(1), ContactResult::Reached).unwrap();
    let unanswered_at = s.events.last().unwrap().meta.version;
    let homeward_domain::Event::FollowUpRecorded(without) = s.events.last().unwrap().event.clone()
    else {
        unreachable!()
    };
    s.now = noon(at_months(7));
    let moved = |f: &FollowUp, corrects: u64, key: &str| {
        let mut g = f.clone();
        g.survey = Some(answered(key, 1, 1));
        Command::Correct {
            corrects,
            occurred_at: Some(noon(at_months(6))),
            replacement: Box::new(homeward_domain::Event::FollowUpRecorded(g)),
            reason: lt("It was held three months later than typed."),
        }
    };
    s.refused(
        MONITOR,
        moved(&with, answered_at, "six"),
        "follow_up.survey_version",
    );
    s.ok(MONITOR, moved(&with, answered_at, "rss"));
    s.refused(
        MONITOR,
        moved(&without, unanswered_at, "rss"),
        "follow_up.survey_other",
    );
    s.ok(MONITOR, moved(&without, unanswered_at, "six"));
}

proptest! {
    /// Whatever follow-ups happen, each scheduled one is held by a follow-up that reached
    /// the returnee in its time, the earliest such, and never by one that did not.
    #[test]
    fn a_scheduled_follow_up_is_held_by_the_first_contact_in_its_time(
        visits in proptest::collection::vec((0u64..500, 0usize..7), 0..12)
    ) {
        let arrived = day(2026, 1, 31);
        let m = Monitoring {
            schedule: MonitoringRules::standard().schedule,
            lost_contact_after: 3,
            follow_ups: visits
                .iter()
                .enumerate()
                .map(|(n, (offset, result))| FollowUpRecord {
                    at: Utc.from_utc_datetime(&(arrived + days(*offset)).and_hms_opt(12, 0, 0).unwrap()),
                    by: MONITOR,
                    follow_up: FollowUp {
                        follow_up_id: FollowUpId(uid(n as u128)),
                        mode: FollowUpMode::Visit,
                        result: ContactResult::ALL[*result],
                        with: vec![],
                        language: None,
                        notes: None,
                        services: vec![],
                        survey: None,
                    },
                })
                .collect(),
        };
        for slot in m.scheduled(arrived) {
            let in_time = |d: NaiveDate| d >= slot.opens && slot.missed_from.is_none_or(|x| d < x);
            let contacts: Vec<NaiveDate> = m
                .follow_ups
                .iter()
                .filter(|f| f.follow_up.result.is_contact())
                .map(|f| f.at.date_naive())
                .filter(|d| in_time(*d))
                .collect();
            prop_assert_eq!(slot.held_on, contacts.iter().min().copied());
            let failures = m.failures_in_a_row();
            prop_assert!(m.follow_ups.iter().rev().take(failures).all(|f| !f.follow_up.result.is_contact()));
        }
    }
}

#[test]
fn a_follow_up_asks_the_returnee_whether_they_received_the_services_they_were_referred_for() {
    use homeward_domain::case::monitoring::{ServiceCheck, ServiceReceived};
    let mut s = Scenario::register_with(
        vec![member(1, Relationship::Principal, adult("Awa"))],
        monitored(),
    );
    let r = super::referrals::request(&mut s, &[P1], &[P1]);
    s.ok(COUNSELLOR, Command::MakeReferral(r.clone()));
    s.approve_adults(&[P1]);
    s.prepare_travel();
    s.depart_and_arrive();
    let asked = |s: &mut Scenario, result, services: Vec<ServiceCheck>| {
        let Command::RecordFollowUp(mut f) = follow_up_cmd(s, result) else {
            unreachable!()
        };
        f.services = services;
        Command::RecordFollowUp(f)
    };
    let check = |id, received| ServiceCheck {
        referral_id: id,
        received,
    };
    // Only referrals of the case that were sent, each once, and only of someone reached.
    let unknown = asked(
        &mut s,
        ContactResult::Reached,
        vec![check(ReferralId(uid(0xDEAD)), ServiceReceived::Received)],
    );
    s.refused(MONITOR, unknown, "follow_up.unknown_referral");
    let twice = asked(
        &mut s,
        ContactResult::Reached,
        vec![
            check(r.referral_id, ServiceReceived::Received),
            check(r.referral_id, ServiceReceived::NotReceived),
        ],
    );
    s.refused(MONITOR, twice, "follow_up.same_referral_twice");
    for result in [ContactResult::NotReached, ContactResult::Refused] {
        let unreached = asked(
            &mut s,
            result,
            vec![check(r.referral_id, ServiceReceived::Received)],
        );
        s.refused(MONITOR, unreached, "follow_up.services_not_reached");
    }
    assert_eq!(s.case().monitoring.service_said(r.referral_id), None);
    // Nor of a referral sent after the follow-up.
    let later = super::referrals::request(&mut s, &[P1], &[P1]);
    s.now += chrono::Duration::days(2);
    s.ok(MONITOR, Command::MakeReferral(later.clone()));
    let sent = s.case().referrals.get(later.referral_id).unwrap().sent_at;
    let before = asked(
        &mut s,
        ContactResult::Reached,
        vec![check(later.referral_id, ServiceReceived::Received)],
    );
    let refusal = s
        .run_at(MONITOR, sent - chrono::Duration::hours(1), before)
        .unwrap_err();
    assert!(refusal.has("follow_up.unknown_referral"), "{refusal}");
    let said = asked(
        &mut s,
        ContactResult::Reached,
        vec![check(r.referral_id, ServiceReceived::NotReceived)],
    );
    s.ok(MONITOR, said);
    assert_eq!(
        s.case()
            .monitoring
            .service_said(r.referral_id)
            .map(|(_, received)| received),
        Some(ServiceReceived::NotReceived)
    );
}
