//! What a case waits for now and who does it: the one answer the case page, the API and
//! the queues give, in every stage. A returned case may wait on two people at once (the
//! reintegration officer delivers while the M&E officer follows up): the steps come
//! overdue first, then in the order the work usually goes.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::guard::unmet_departure_conditions;
use super::monitoring::SlotStatus;
use super::referrals::{AnswerStatus, ReferralStatus};
use super::voluntariness::{consent_conditions, consent_path, consent_possible_from, giver_for};
use super::{Case, Stage};
use crate::access::Role;
use crate::ids::ReferralId;
use crate::programme::ProgrammeSettings;

/// A step the case waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "step")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Step {
    /// Nobody has informed the people of the case yet (return, conditions at home,
    /// return by own means, options to stay), in a language they understand.
    HoldInformationSession,
    /// Consent may be recorded once the reflection period ends.
    AwaitReflectionPeriod,
    RecordConsent,
    ScreenEligibility,
    SubmitApplication,
    /// Overdue once the application has waited longer than the programme's
    /// `decide_within_days`.
    DecideApplication {
        due: NaiveDate,
    },
    /// Departure conditions are unmet (listed beside).
    PrepareDeparture,
    MarkReadyToDepart,
    ConfirmDeparture,
    /// The booked flight has left while the case has not departed: rebook, or record a
    /// no-show.
    FlightPassed,
    RecordArrival,
    AssessNeeds,
    DraftPlan,
    /// The plan version waiting for the returnee's answer.
    RecordPlanAnswer {
        version: u32,
    },
    ApprovePlan {
        version: u32,
    },
    CountersignDelivery,
    /// Items of the plan in force not delivered yet.
    DeliverItems {
        items: u32,
    },
    /// A scheduled follow-up (its number in the schedule).
    FollowUp {
        number: u8,
    },
    /// A referral waits for the organisation's answer (overdue once its time has
    /// passed; raised with the programme manager after twice its time).
    ReferralAnswer {
        referral_id: ReferralId,
    },
    /// A referral delivered or declined, to be closed by its sender.
    CloseReferral {
        referral_id: ReferralId,
    },
    /// A referral made without consent waits for a second person's approval.
    DecideReferralException {
        referral_id: ReferralId,
    },
    CloseAsCompleted,
    /// A withdrawn or rejected case: closed, or reopened if the person wants to go on.
    CloseOrReopen,
}

/// What the case waits for, from whom, and by or since when.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NextStep {
    #[serde(flatten)]
    pub step: Step,
    /// The role that takes it.
    pub by: Role,
    /// When it is due (a follow-up, a flight), possible from (consent after reflection),
    /// or waiting since (an application).
    pub date: Option<NaiveDate>,
    /// Its time has passed: a flight gone, a follow-up whose window closed.
    pub overdue: bool,
}

impl NextStep {
    fn new(step: Step, by: Role) -> Self {
        NextStep {
            step,
            by,
            date: None,
            overdue: false,
        }
    }

    fn on(mut self, date: Option<NaiveDate>) -> Self {
        self.date = date;
        self
    }

    fn overdue(mut self, overdue: bool) -> Self {
        self.overdue = overdue;
        self
    }
}

/// What `case` waits for at `now`, overdue first. Empty only for a closed case.
pub fn next_steps(case: &Case, programme: &ProgrammeSettings, now: DateTime<Utc>) -> Vec<NextStep> {
    use Role::*;
    let today = now.date_naive();
    let mut steps = match case.stage {
        Stage::Registered => vec![NextStep::new(Step::HoldInformationSession, Counsellor)],
        Stage::Counselling => vec![counselling(case, programme, now)],
        Stage::Applied => {
            let since = case
                .application
                .as_ref()
                .map_or(today, |a| a.submitted_at.date_naive());
            let due = programme.decision_due(since);
            vec![
                NextStep::new(Step::DecideApplication { due }, Approver)
                    .on(Some(since))
                    .overdue(programme.decision_overdue(since, today)),
            ]
        }
        Stage::Approved | Stage::PreDeparture | Stage::ReadyToDepart => {
            vec![departure(case, programme, now)]
        }
        Stage::Departed => vec![
            NextStep::new(Step::RecordArrival, ReintegrationOfficer)
                .on(case.dates.departed.map(|d| d.date_naive())),
        ],
        Stage::Arrived | Stage::Reintegration | Stage::Monitoring => after_arrival(case, today),
        Stage::Withdrawn | Stage::Rejected => vec![NextStep::new(Step::CloseOrReopen, Counsellor)],
        Stage::Closed => vec![],
    };
    if case.stage != Stage::Closed {
        steps.extend(referrals(case, today));
    }
    // Overdue first; the order of the work otherwise.
    steps.sort_by_key(|s| !s.overdue);
    steps
}

fn counselling(case: &Case, programme: &ProgrammeSettings, now: DateTime<Utc>) -> NextStep {
    use Role::Counsellor;
    let today = now.date_naive();
    // Whoever must still consent: informed yet, and when the reflection period ends.
    let mut uninformed = false;
    let mut reflection: Option<NaiveDate> = None;
    let mut missing = false;
    for m in &case.members {
        if consent_conditions(case, m, now, programme).is_empty() {
            continue;
        }
        missing = true;
        let Some(giver) = giver_for(consent_path(case, m, today)) else {
            continue;
        };
        match consent_possible_from(case, m.person_id, giver, programme) {
            None => uninformed = true,
            Some(from) if from > now => {
                reflection = reflection.max(Some(from.date_naive()));
            }
            Some(_) => {}
        }
    }
    if uninformed {
        return NextStep::new(Step::HoldInformationSession, Counsellor);
    }
    if reflection.is_some() {
        return NextStep::new(Step::AwaitReflectionPeriod, Counsellor).on(reflection);
    }
    if missing {
        return NextStep::new(Step::RecordConsent, Counsellor);
    }
    match &case.screening {
        Some(s) if s.eligible => NextStep::new(Step::SubmitApplication, Counsellor),
        _ => NextStep::new(Step::ScreenEligibility, Counsellor),
    }
}

fn departure(case: &Case, programme: &ProgrammeSettings, now: DateTime<Utc>) -> NextStep {
    use Role::MovementOfficer;
    let flight = case
        .itinerary
        .as_ref()
        .and_then(|i| i.legs.first())
        .map(|l| l.departs_at);
    if let Some(at) = flight
        && at < now
    {
        return NextStep::new(Step::FlightPassed, MovementOfficer)
            .on(Some(at.date_naive()))
            .overdue(true);
    }
    let flight_day = flight.map(|f| f.date_naive());
    if case.stage == Stage::ReadyToDepart {
        return NextStep::new(Step::ConfirmDeparture, MovementOfficer).on(flight_day);
    }
    if unmet_departure_conditions(case, now, programme).is_empty() {
        NextStep::new(Step::MarkReadyToDepart, MovementOfficer).on(flight_day)
    } else {
        NextStep::new(Step::PrepareDeparture, MovementOfficer).on(flight_day)
    }
}

/// What the case's referrals wait for, in the order they were sent. Whoever refers on
/// this side of the journey follows them up; an answer late by twice its time is the
/// programme manager's to chase.
fn referrals(case: &Case, today: NaiveDate) -> Vec<NextStep> {
    use Role::*;
    let sender = match case.stage.is_after_departure() {
        true => ReintegrationOfficer,
        false => Counsellor,
    };
    let mut sent: Vec<_> = case.referrals.referrals.values().collect();
    sent.sort_by_key(|r| r.sent_on());
    sent.into_iter()
        .filter_map(|r| {
            let id = r.request.referral_id;
            match (r.status, r.answer_status(today)) {
                (ReferralStatus::Sent, AnswerStatus::Waiting { due }) => Some(
                    NextStep::new(Step::ReferralAnswer { referral_id: id }, sender).on(Some(due)),
                ),
                (ReferralStatus::Sent, AnswerStatus::Overdue { due }) => Some(
                    NextStep::new(Step::ReferralAnswer { referral_id: id }, sender)
                        .on(Some(due))
                        .overdue(true),
                ),
                (ReferralStatus::Sent, AnswerStatus::Escalated { due }) => Some(
                    NextStep::new(Step::ReferralAnswer { referral_id: id }, Approver)
                        .on(Some(due))
                        .overdue(true),
                ),
                (ReferralStatus::PendingApproval, _) => Some(
                    NextStep::new(Step::DecideReferralException { referral_id: id }, Approver)
                        .on(Some(r.sent_at.date_naive())),
                ),
                (ReferralStatus::Delivered | ReferralStatus::Declined, _) => Some(
                    NextStep::new(Step::CloseReferral { referral_id: id }, sender)
                        .on(r.steps.last().map(|s| s.at.date_naive())),
                ),
                _ => None,
            }
        })
        .collect()
}

fn after_arrival(case: &Case, today: NaiveDate) -> Vec<NextStep> {
    use Role::*;
    let r = &case.reintegration;
    let mut steps = vec![];
    if r.declined_all.is_none() {
        // What the plan waits for, as the work queues read it (`Reintegration::plan_work`).
        use super::reintegration::PlanWork;
        let latest = r.latest();
        let version = latest.map_or(0, |v| v.version);
        match r.plan_work() {
            Some(PlanWork::ToApprove) => steps.push(
                NextStep::new(Step::ApprovePlan { version }, Approver)
                    .on(latest.map(|v| v.drafted_at.date_naive())),
            ),
            Some(PlanWork::ToAgree) => steps.push(NextStep::new(
                Step::RecordPlanAnswer { version },
                ReintegrationOfficer,
            )),
            // The needs first: the baseline a plan starts from.
            Some(PlanWork::ToDraft) if r.needs.is_empty() => {
                steps.push(NextStep::new(Step::AssessNeeds, ReintegrationOfficer))
            }
            Some(PlanWork::ToDraft) => {
                steps.push(NextStep::new(Step::DraftPlan, ReintegrationOfficer))
            }
            None => {}
        }
        if r.deliveries.iter().any(|d| d.awaits_signature()) {
            steps.push(NextStep::new(Step::CountersignDelivery, Approver));
        }
        let open = r.open_items();
        if !open.is_empty() {
            let due = r.items_due();
            steps.push(
                NextStep::new(
                    Step::DeliverItems {
                        items: u32::try_from(open.len()).unwrap_or(u32::MAX),
                    },
                    ReintegrationOfficer,
                )
                .on(due)
                .overdue(due.is_some_and(|d| d < today)),
            );
        }
    }
    if let Some(arrived) = case.dates.arrived {
        let follow_up = case
            .monitoring
            .scheduled(arrived.date_naive())
            .into_iter()
            .find(|s| {
                matches!(
                    s.status(today),
                    SlotStatus::Due | SlotStatus::Overdue | SlotStatus::Upcoming
                )
            });
        if let Some(s) = follow_up {
            steps.push(
                NextStep::new(Step::FollowUp { number: s.number }, MonitoringOfficer)
                    .on(Some(s.due))
                    .overdue(s.status(today) == SlotStatus::Overdue),
            );
        }
    }
    if steps.is_empty() {
        steps.push(NextStep::new(Step::CloseAsCompleted, ReintegrationOfficer));
    }
    steps
}
