//! What happens next, in every stage: the step, who takes it, and what is overdue.

use super::*;
use homeward_domain::access::Role;
use homeward_domain::case::next::{NextStep, Step, next_steps};
use homeward_domain::case::reintegration::{AssistanceType, Decline};
use homeward_domain::programme::MonitoringRules;

fn steps(s: &Scenario) -> Vec<NextStep> {
    next_steps(&s.case(), &s.programme, s.now)
}

fn first(s: &Scenario) -> (Step, Role) {
    let all = steps(s);
    let n = all.first().expect("a next step");
    (n.step, n.by)
}

#[test]
fn a_case_says_what_it_waits_for_and_who_takes_it_in_every_stage() {
    use Role::*;
    let mut s = Scenario::single_adult();
    s.programme.monitoring = MonitoringRules::standard();
    // Registered: an information session first, not "consent is missing".
    assert_eq!(first(&s), (Step::HoldInformationSession, Counsellor));
    s.information_session(&[Attendee::Member(P1)], "wo");
    let waiting = steps(&s)[0];
    assert_eq!(waiting.step, Step::AwaitReflectionPeriod);
    assert_eq!(
        waiting.date,
        Some((s.now + Duration::days(3)).date_naive()),
        "consent possible when the reflection period ends"
    );
    s.advance(3);
    assert_eq!(first(&s), (Step::RecordConsent, Counsellor));
    s.ok(COUNSELLOR, Scenario::consent_cmd(P1, ConsentGiver::Person));
    assert_eq!(first(&s), (Step::ScreenEligibility, Counsellor));
    s.screen_eligible();
    assert_eq!(first(&s), (Step::SubmitApplication, Counsellor));
    s.ok(COUNSELLOR, Command::SubmitApplication);
    let decide = steps(&s)[0];
    // Due after the programme's days for a decision (10 by default), overdue after them.
    let due = s.now.date_naive() + chrono::Days::new(10);
    assert_eq!(
        (decide.step, decide.by),
        (Step::DecideApplication { due }, Approver)
    );
    assert_eq!(decide.date, Some(s.now.date_naive()), "waiting since");
    assert!(!decide.overdue);
    let case = s.case();
    let at = |days: i64| next_steps(&case, &s.programme, s.now + Duration::days(days))[0];
    assert!(!at(10).overdue, "on the day it is due");
    assert!(at(11).overdue, "the day after");
    let mut quicker = s.programme.clone();
    quicker.decide_within_days = 2;
    assert!(next_steps(&case, &quicker, s.now + Duration::days(3))[0].overdue);
    s.ok(APPROVER, Command::ApproveApplication { comment: None });
    assert_eq!(first(&s), (Step::PrepareDeparture, MovementOfficer));
    s.prepare_travel();
    assert_eq!(first(&s), (Step::MarkReadyToDepart, MovementOfficer));
    s.ok(MOVEMENT, Command::MarkReadyToDepart);
    assert_eq!(first(&s), (Step::ConfirmDeparture, MovementOfficer));
    s.ok(MOVEMENT, Command::ConfirmDeparture);
    assert_eq!(first(&s), (Step::RecordArrival, ReintegrationOfficer));
    s.ok(
        COUNSELLOR,
        Command::AssignReturnOffice(OfficeRef {
            office_id: RETURN_OFFICE,
            country: cc("SN"),
        }),
    );
    s.advance(1);
    s.ok(
        REINTEGRATION,
        Command::RecordArrival(Arrival {
            reception: Reception::Office,
            onward_transport: None,
            temporary_accommodation: None,
        }),
    );
    // Arrived: the needs first, and the first follow-up ahead (two people at work).
    let after = steps(&s);
    assert_eq!(
        after.iter().map(|n| (n.step, n.by)).collect::<Vec<_>>(),
        vec![
            (Step::AssessNeeds, ReintegrationOfficer),
            (Step::FollowUp { number: 1 }, MonitoringOfficer)
        ]
    );
    let mut item = s.plan_item(AssistanceType::BusinessDevelopment, 100_000);
    // Due after the follow-up below is late: it stays second.
    let due = s.now.date_naive() + Duration::days(200);
    item.due = Some(due);
    s.ok(REINTEGRATION, Scenario::draft_cmd(vec![item.clone()]));
    // Not in force yet: nothing is due.
    assert_eq!(s.case().reintegration.items_due(), None);
    assert_eq!(
        first(&s),
        (Step::RecordPlanAnswer { version: 1 }, ReintegrationOfficer)
    );
    s.ok(REINTEGRATION, Scenario::agree_cmd(1));
    assert_eq!(first(&s), (Step::ApprovePlan { version: 1 }, Approver));
    s.ok(
        APPROVER,
        Command::ApprovePlan {
            version: 1,
            comment: None,
        },
    );
    assert_eq!(
        first(&s),
        (Step::DeliverItems { items: 1 }, ReintegrationOfficer)
    );
    assert_eq!(steps(&s)[0].date, Some(due));
    assert_eq!(s.case().reintegration.items_due(), Some(due));
    // Four months on, the first follow-up's window has closed: overdue, and first.
    s.advance(125);
    let late = steps(&s)[0];
    assert_eq!(late.step, Step::FollowUp { number: 1 });
    assert!(late.overdue);
    s.ok(
        REINTEGRATION,
        Command::DeclineAssistance(Decline {
            person_id: P1,
            item_id: None,
            own_words: None,
        }),
    );
    // The support declined, only the follow-up is left, and no delivery is due.
    assert_eq!(
        steps(&s).iter().map(|n| n.step).collect::<Vec<_>>(),
        vec![Step::FollowUp { number: 1 }]
    );
    assert_eq!(s.case().reintegration.items_due(), None);
}

#[test]
fn a_flight_that_left_without_the_case_is_overdue_not_every_condition_met() {
    let mut s = Scenario::single_adult();
    s.approve_adults(&[P1]);
    s.prepare_travel();
    assert_eq!(first(&s).0, Step::MarkReadyToDepart);
    // The flight was ten days ahead; eleven days later it has left.
    s.advance(11);
    let n = steps(&s)[0];
    assert_eq!((n.step, n.by), (Step::FlightPassed, Role::MovementOfficer));
    assert!(n.overdue);
}

#[test]
fn a_withdrawn_case_is_closed_or_reopened_and_a_closed_one_waits_for_nothing() {
    let mut s = Scenario::single_adult();
    s.ok(
        COUNSELLOR,
        Command::Withdraw {
            person_id: P1,
            own_words: None,
            whole_case: true,
        },
    );
    assert_eq!(first(&s), (Step::CloseOrReopen, Role::Counsellor));
    s.ok(
        COUNSELLOR,
        Command::Close {
            outcome: Outcome::Withdrawn,
            note: None,
        },
    );
    assert!(steps(&s).is_empty());
}
