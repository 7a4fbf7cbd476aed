//! The rules: which events a command produces, or every reason it is refused.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Datelike, NaiveDate, Utc};

use super::commands::{Command, CommandKind, RegisterCase};
use super::events::{CaseRegistered, Event, RecordedEvent};
use super::evolve::resolve_target;
use super::guard::unmet_departure_conditions;
use super::records::*;
use super::voluntariness::check_new_consent;
use super::{Case, Stage};

/// The stages a command may be issued in (`CommandKind::spec`).
pub fn allowed_stages(kind: CommandKind) -> &'static [Stage] {
    kind.spec().stages
}
use crate::ids::{PersonId, UserId};
use crate::person::{Member, PersonDetails, Relationship};
use crate::programme::ProgrammeSettings;
use crate::rules::{Check, Refusal, Violation};

mod closure;
mod corrections;
mod monitoring;
mod referrals;
mod registration;
mod reintegration;

pub use closure::*;
use corrections::*;
pub use monitoring::monitoring_unfinished;
pub use referrals::{MAX_ANSWER_DAYS, referral_target_violations, referrals_unfinished};
pub(crate) use registration::check_person;
pub use registration::*;
pub use reintegration::{budget_limits, may_commit_more, plan_cap, reintegration_unfinished};

/// What a decision needs besides the case and the command. The domain reads no clock:
/// `now` is when the command is recorded, `occurred_at` when the user says it happened.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub actor: UserId,
    pub occurred_at: DateTime<Utc>,
    pub now: DateTime<Utc>,
    pub programme: &'a ProgrammeSettings,
    /// The case's events so far (needed to check corrections).
    pub history: &'a [RecordedEvent],
    /// What the programme's other cases commit on each budget line (minor units; a line
    /// absent commits nothing), read with the case: a plan may not take a line beyond
    /// its amount (`budget_limits`).
    pub committed_elsewhere: &'a BTreeMap<crate::ids::BudgetLineId, i64>,
}

/// No other case commits anything: for decisions on programmes without grants, and tests.
pub static NOTHING_ELSEWHERE: BTreeMap<crate::ids::BudgetLineId, i64> = BTreeMap::new();

/// An application is decided by an approver who did not submit it.
fn four_eyes(case: &Case, ctx: &Context, c: &mut Check) {
    if case
        .application
        .as_ref()
        .is_some_and(|a| a.submitted_by == ctx.actor)
    {
        c.push(Violation::new(
            "approval.own_submission",
            "an application is decided by an approver who did not submit it (four eyes)",
        ));
    }
}

fn stage_refusal(case: &Case, what: &str) -> Violation {
    Violation::new(
        "stage.not_allowed",
        format!(
            "{what} is not possible while the case is {}",
            case.stage.code().replace('_', " ")
        ),
    )
    .param("stage", case.stage.code())
}

fn require_member(case: &Case, person: PersonId, field: &str, c: &mut Check) {
    if case.member(person).is_none() {
        c.push(
            Violation::new(
                "person.not_a_member",
                "this person is not a member of the case",
            )
            .at(field),
        );
    }
}

/// Why this user may not own this case: a caseworker is active, has a role that works on
/// cases, and works in the office that leads the case. Empty: they may.
pub fn caseworker_violations(case: &Case, a: &super::commands::Assignee) -> Vec<Violation> {
    let mut out = vec![];
    if !a.works_on_cases {
        out.push(
            Violation::new(
                "caseworker.role",
                "a caseworker is an active user whose role works on cases",
            )
            .at("user_id"),
        );
    }
    if !a.offices.contains(&case.lead_office()) {
        out.push(
            Violation::new(
                "caseworker.office",
                "a caseworker works in the office that leads the case",
            )
            .at("user_id"),
        );
    }
    out
}

/// Decides a command on an existing case.
pub fn decide(case: &Case, cmd: Command, ctx: &Context) -> Result<Vec<Event>, Refusal> {
    let mut c = Check::new();
    check_time(case.dates.registered, ctx, &mut c);
    let withdrawing_after_departure =
        matches!(cmd, Command::Withdraw { .. }) && case.stage.is_after_departure();
    if !allowed_stages(cmd.kind()).contains(&case.stage) && !withdrawing_after_departure {
        c.push(stage_refusal(case, cmd.kind().spec().doing));
    }
    let step_command = matches!(
        cmd,
        Command::SubmitApplication
            | Command::ApproveApplication { .. }
            | Command::RejectApplication { .. }
            | Command::MarkReadyToDepart
            | Command::ConfirmDeparture
            | Command::RecordNoShow { .. }
            | Command::RecordArrival(_)
            | Command::StartReintegration
            | Command::StartMonitoring
            | Command::Close { .. }
            | Command::Reopen { .. }
    ) || matches!(&cmd, Command::Withdraw { person_id, whole_case, .. }
        if *whole_case || case.principal().is_some_and(|p| p.person_id == *person_id));
    if let Some(last) = case.last_step_at
        && step_command
        && ctx.occurred_at < last
    {
        c.push(
            Violation::new(
                "time.before_previous_step",
                format!(
                    "this step is dated before the previous step of the case ({})",
                    last.format("%Y-%m-%d %H:%M UTC")
                ),
            )
            .at("occurred_at")
            .param("previous", last.to_rfc3339()),
        );
    }
    let events = match cmd {
        Command::Correct {
            corrects,
            occurred_at,
            replacement,
            reason,
        } => {
            let original = correction_target(ctx.history, corrects, &replacement, &mut c);
            let occurred_at = occurred_at
                .or_else(|| original.map(|o| o.meta.occurred_at))
                .unwrap_or(ctx.occurred_at);
            if occurred_at > ctx.now {
                c.push(
                    Violation::new("time.in_future", "the corrected time is in the future")
                        .at("occurred_at"),
                );
            }
            // The replacement is checked as of when it happened.
            let at = Context {
                occurred_at,
                ..*ctx
            };
            c.extend(check_detail(case, &replacement, &at, "replacement/data"));
            // A conclusion is drawn by the rules, never taken from the input.
            let replacement = match *replacement {
                Event::EligibilityScreened(s) => Box::new(Event::EligibilityScreened(screen(
                    case,
                    s.facts,
                    ctx.programme,
                ))),
                other => Box::new(other),
            };
            vec![Event::Corrected {
                corrects,
                occurred_at,
                replacement,
                reason,
            }]
        }
        Command::AddMember(m) => {
            if case.member(m.person_id).is_some()
                || case
                    .removed_members
                    .iter()
                    .any(|r| r.person_id == m.person_id)
            {
                c.push(
                    Violation::new("person.duplicate", "this person is already on the case")
                        .at("person_id"),
                );
            }
            if m.relationship == Relationship::Principal {
                c.push(
                    Violation::new(
                        "case.one_principal",
                        "the case already has a principal applicant",
                    )
                    .at("relationship"),
                );
            }
            check_person(&m.details, ctx.now, "details", &mut c);
            vec![Event::MemberAdded(m)]
        }
        Command::RemoveMember { person_id, reason } => {
            require_member(case, person_id, "person_id", &mut c);
            if case.principal().is_some_and(|p| p.person_id == person_id) {
                c.push(
                    Violation::new(
                        "case.principal_removal",
                        "the principal applicant cannot be removed; withdraw the case instead",
                    )
                    .at("person_id"),
                );
            }
            vec![Event::MemberRemoved { person_id, reason }]
        }
        Command::UpdatePersonDetails { person_id, details } => {
            let e = Event::PersonDetailsUpdated { person_id, details };
            c.extend(check_detail(case, &e, ctx, ""));
            vec![e]
        }
        Command::RecordCounsellingSession(s) => {
            if case
                .sessions
                .iter()
                .any(|r| r.session.session_id == s.session_id)
            {
                c.push(
                    Violation::new("session.duplicate", "this session is already recorded")
                        .at("session_id"),
                );
            }
            let e = Event::CounsellingSessionRecorded(s);
            c.extend(check_detail(case, &e, ctx, ""));
            vec![e]
        }
        Command::ScreenEligibility(facts) => {
            let e = Event::EligibilityScreened(screen(case, facts, ctx.programme));
            c.extend(check_detail(case, &e, ctx, ""));
            vec![e]
        }
        Command::RecordConsent(d) => {
            c.require(d.no_pressure_attested, || {
                Violation::new(
                    "consent.pressure_not_excluded",
                    "the counsellor must attest that no physical or psychological pressure was exerted",
                )
                .at("no_pressure_attested")
            });
            c.require(d.right_to_withdraw_explained, || {
                Violation::new(
                    "consent.withdrawal_right_not_explained",
                    "the right to withdraw at any time before departure must be explained",
                )
                .at("right_to_withdraw_explained")
            });
            c.require(d.data_processing_consent, || {
                Violation::new(
                    "consent.data_processing_missing",
                    "separate consent to the processing of personal data is required",
                )
                .at("data_processing_consent")
            });
            c.extend(check_new_consent(
                case,
                d.person_id,
                d.given_by,
                ctx.occurred_at,
                ctx.programme,
            ));
            let session = super::voluntariness::informing_sessions(case, d.person_id, d.given_by)
                .next()
                .map(|r| r.session.session_id);
            match session {
                Some(information_session) => vec![Event::ConsentRecorded {
                    declaration: d,
                    information_session,
                    proposal_revision: case.proposal_revision,
                }],
                None => vec![],
            }
        }
        Command::ReconfirmConsent(r) => {
            c.require(r.no_pressure_attested, || {
                Violation::new(
                    "consent.pressure_not_excluded",
                    "the counsellor must attest that no physical or psychological pressure was exerted",
                )
                .at("no_pressure_attested")
            });
            match case.consents.get(&r.person_id) {
                None => c.push(
                    Violation::new(
                        "consent.missing",
                        "there is no consent to re-confirm; record a consent",
                    )
                    .at("person_id"),
                ),
                Some(s) if s.withdrawn_at.is_some() => c.push(
                    Violation::new(
                        "consent.withdrawn",
                        "the consent was withdrawn; record a new consent",
                    )
                    .at("person_id"),
                ),
                Some(s) if s.given_by != r.given_by => c.push(
                    Violation::new(
                        "consent.wrong_giver",
                        "a consent is re-confirmed by whoever gave it",
                    )
                    .at("given_by"),
                ),
                Some(_) => {}
            }
            vec![Event::ConsentReconfirmed {
                reconfirmation: r,
                proposal_revision: case.proposal_revision,
            }]
        }
        Command::Withdraw {
            person_id,
            own_words,
            whole_case,
        } => {
            if case.stage.is_after_departure() {
                c.push(
                    Violation::new(
                        "withdrawal.after_departure",
                        "the case has departed: withdrawal is possible only before departure",
                    )
                    .param("stage", case.stage.code()),
                );
            }
            require_member(case, person_id, "person_id", &mut c);
            let principal = case.principal().is_some_and(|p| p.person_id == person_id);
            let mut evs = vec![Event::ConsentWithdrawn {
                person_id,
                own_words,
            }];
            if principal || whole_case {
                evs.push(Event::CaseWithdrawn { person_id });
            }
            evs
        }
        Command::Reopen { reason } => {
            vec![Event::CaseReopened { reason }]
        }
        Command::AssessCapacity(a) => {
            let e = Event::CapacityAssessed(a);
            c.extend(check_detail(case, &e, ctx, ""));
            vec![e]
        }
        Command::DetermineBestInterests(b) => {
            let e = Event::BestInterestsDetermined(b);
            c.extend(check_detail(case, &e, ctx, ""));
            vec![e]
        }
        Command::AppointRepresentative(r) => {
            let e = Event::RepresentativeAppointed(r);
            c.extend(check_detail(case, &e, ctx, ""));
            vec![e]
        }
        Command::SubmitApplication => {
            c.extend(eligibility_violations(case, ctx.programme));
            // An application is for a return its people have agreed to: every adult's
            // current consent (or their representative's), each missing one named.
            for m in &case.members {
                c.extend(super::voluntariness::consent_conditions(
                    case,
                    m,
                    ctx.occurred_at,
                    ctx.programme,
                ));
            }
            vec![Event::ApplicationSubmitted]
        }
        Command::RejectApplication { reason } => {
            four_eyes(case, ctx, &mut c);
            vec![Event::ApplicationRejected { reason }]
        }
        Command::ApproveApplication { comment } => {
            four_eyes(case, ctx, &mut c);
            if let Some(s) = &case.screening
                && s.facts.removal_procedure == RemovalProcedure::Initiated
            {
                c.push(Violation::new(
                    "eligibility.removal_procedure_initiated",
                    "a removal (deportation) procedure has been initiated: the case is not eligible for voluntary return",
                ));
            }
            vec![Event::ApplicationApproved { comment }]
        }
        Command::ChangeProposal(p) => {
            check_proposal(&p, &case.host_country, ctx.programme, "", &mut c);
            if p == case.proposal {
                c.push(Violation::new(
                    "proposal.unchanged",
                    "the proposal is unchanged",
                ));
            }
            vec![Event::ProposalChanged(p)]
        }
        Command::AssignReturnOffice(o) => {
            if o.country != case.proposal.country_of_return {
                c.push(
                    Violation::new(
                        "office.not_in_country_of_return",
                        format!(
                            "the office is in {}, not in the country of return {}",
                            o.country.name(),
                            case.proposal.country_of_return.name()
                        ),
                    )
                    .at("office_id"),
                );
            }
            vec![Event::ReturnOfficeAssigned(o)]
        }
        Command::RecordHealthAssessment(h) => {
            let e = Event::HealthAssessed(h);
            c.extend(check_detail(case, &e, ctx, ""));
            vec![e]
        }
        Command::RecordRiskAssessment(r) => {
            let e = Event::RiskAssessed(r);
            c.extend(check_detail(case, &e, ctx, ""));
            vec![e]
        }
        Command::RecordTravelDocument(d) => {
            let e = Event::TravelDocumentRecorded(d);
            c.extend(check_detail(case, &e, ctx, ""));
            vec![e]
        }
        Command::AssignEscort(e) => {
            let e = Event::EscortAssigned(e);
            c.extend(check_detail(case, &e, ctx, ""));
            vec![e]
        }
        Command::ReleaseEscort { escort_id, reason } => {
            if !case.escorts.contains_key(&escort_id) {
                c.push(
                    Violation::new("escort.unknown", "no such escort on this case").at("escort_id"),
                );
            }
            vec![Event::EscortReleased { escort_id, reason }]
        }
        Command::ArrangeShelter(s) => {
            let e = Event::ShelterArranged(s);
            c.extend(check_detail(case, &e, ctx, ""));
            vec![e]
        }
        Command::SetItinerary(i) => {
            check_itinerary(&i, &mut c);
            vec![Event::ItinerarySet(i)]
        }
        Command::PayAllowance(a) => {
            let e = Event::AllowancePaid(a);
            c.extend(check_detail(case, &e, ctx, ""));
            vec![e]
        }
        Command::MarkReadyToDepart => {
            c.extend(unmet_departure_conditions(
                case,
                ctx.occurred_at,
                ctx.programme,
            ));
            vec![Event::MarkedReadyToDepart]
        }
        Command::ConfirmDeparture => {
            c.extend(unmet_departure_conditions(
                case,
                ctx.occurred_at,
                ctx.programme,
            ));
            vec![Event::DepartureConfirmed {
                host_or_transit: Some(ctx.programme.host_or_transit(&case.host_country)),
            }]
        }
        Command::RecordNoShow { reason } => {
            vec![Event::NoShowRecorded { reason }]
        }
        Command::RecordArrival(a) => {
            let e = Event::ArrivalRecorded(a);
            c.extend(check_detail(case, &e, ctx, ""));
            std::iter::once(e)
                .chain(monitoring::schedule(case, ctx.programme))
                .collect()
        }
        Command::StartReintegration => {
            vec![Event::ReintegrationStarted]
        }
        Command::StartMonitoring => std::iter::once(Event::MonitoringStarted)
            .chain(monitoring::schedule(case, ctx.programme))
            .collect(),
        Command::RecordFollowUp(f) => monitoring::record(case, f, ctx, &mut c),
        Command::AddNote(n) => {
            if case.notes.iter().any(|r| r.note.note_id == n.note_id) {
                c.push(
                    Violation::new("note.duplicate", "this note is already recorded").at("note_id"),
                );
            }
            let e = Event::NoteAdded(n);
            c.extend(check_detail(case, &e, ctx, ""));
            vec![e]
        }
        Command::AssignCaseworker(a) => {
            if case.owner == Some(a.user_id) {
                c.push(
                    Violation::new(
                        "caseworker.unchanged",
                        "this user is the caseworker already",
                    )
                    .at("user_id"),
                );
            }
            c.extend(caseworker_violations(case, &a));
            vec![Event::CaseworkerAssigned { user_id: a.user_id }]
        }
        Command::RecordNeeds(n) => {
            let e = Event::NeedsAssessed(n);
            c.extend(check_detail(case, &e, ctx, ""));
            vec![e]
        }
        Command::DraftPlan(d) => reintegration::draft_plan(case, d, ctx, &mut c),
        Command::RespondToPlan(r) => reintegration::respond(case, r, ctx, &mut c),
        Command::ApprovePlan { version, comment } => {
            reintegration::approve(case, version, comment, ctx, &mut c)
        }
        Command::ReturnPlan { version, reason } => {
            reintegration::send_back(case, version, reason, &mut c)
        }
        Command::DeclineAssistance(d) => reintegration::decline(case, d, &mut c),
        Command::RecordDelivery(d) => reintegration::deliver(case, d, ctx, &mut c),
        Command::CountersignDelivery { delivery_id } => {
            reintegration::countersign(case, delivery_id, ctx, &mut c)
        }
        Command::ReverseDelivery {
            delivery_id,
            reason,
        } => reintegration::reverse(case, delivery_id, reason, &mut c),
        Command::CloseItem { item_id, reason } => {
            reintegration::close_item(case, item_id, reason, &mut c)
        }
        Command::MakeReferral(r) => referrals::make(case, r, ctx, &mut c),
        Command::DecideReferralException(d) => referrals::decide_exception(case, d, ctx, &mut c),
        Command::UpdateReferral(u) => referrals::update(case, u, ctx, &mut c),
        Command::Close { outcome, note } => {
            check_closure(case, outcome, ctx.occurred_at.date_naive(), &mut c);
            // An open referral is followed up, not forgotten: closing as completed
            // while one is open needs a word why.
            if outcome == Outcome::Completed && note.is_none() {
                c.extend(referrals_unfinished(case));
            }
            vec![Event::CaseClosed { outcome, note }]
        }
    };
    reintegration::within_budget(case, &events, ctx, &mut c);
    c.finish()?;
    Ok(events)
}
