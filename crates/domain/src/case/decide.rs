//! The rules: which events a command produces, or every reason it is refused.

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, NaiveDate, Utc};

use super::commands::{Command, CommandKind, RegisterCase};
use super::events::{CaseRegistered, Event, RecordedEvent};
use super::evolve::resolve_target;
use super::guard::unmet_departure_conditions;
use super::records::*;
use super::voluntariness::check_new_consent;
use super::{Case, Stage};
use crate::ids::{PersonId, UserId};
use crate::person::{Member, PersonDetails, Relationship};
use crate::programme::ProgrammeSettings;
use crate::rules::{Check, Refusal, Violation};

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
}

/// The earliest date of birth accepted.
const EARLIEST_BIRTH_YEAR: i32 = 1900;

/// Nothing a programme records happened before this year.
const EARLIEST_YEAR: i32 = 1950;

fn check_time(case_registered: Option<DateTime<Utc>>, ctx: &Context, c: &mut Check) {
    if ctx.occurred_at.year() < EARLIEST_YEAR {
        c.push(
            Violation::new(
                "time.too_early",
                format!("the time it happened is before {EARLIEST_YEAR}"),
            )
            .at("occurred_at"),
        );
    }
    if ctx.occurred_at > ctx.now {
        c.push(
            Violation::new(
                "time.in_future",
                "the time it happened is in the future; record what has happened, afterwards",
            )
            .at("occurred_at"),
        );
    }
    if let Some(reg) = case_registered
        && ctx.occurred_at < reg
    {
        c.push(
            Violation::new(
                "time.before_registration",
                format!(
                    "the time it happened is before the case was registered ({})",
                    reg.format("%Y-%m-%d %H:%M UTC")
                ),
            )
            .at("occurred_at"),
        );
    }
}

fn check_person(d: &PersonDetails, now: DateTime<Utc>, path: &str, c: &mut Check) {
    let today = now.date_naive();
    match d.date_of_birth.earliest() {
        Some(earliest) if earliest > today => c.push(
            Violation::new(
                "person.born_in_future",
                "the date of birth is in the future",
            )
            .at(format!("{path}/date_of_birth")),
        ),
        Some(earliest)
            if earliest
                < NaiveDate::from_ymd_opt(EARLIEST_BIRTH_YEAR, 1, 1).unwrap_or(earliest) =>
        {
            c.push(
                Violation::new(
                    "person.born_too_early",
                    format!("the date of birth is before {EARLIEST_BIRTH_YEAR}"),
                )
                .at(format!("{path}/date_of_birth")),
            )
        }
        None => c.push(
            Violation::new(
                "person.invalid_birth_year",
                "the estimated year of birth is not a valid year",
            )
            .at(format!("{path}/date_of_birth")),
        ),
        _ => {}
    }
    if d.languages.is_empty() {
        c.push(
            Violation::new(
                "person.no_language",
                "record at least one language the person understands",
            )
            .at(format!("{path}/languages")),
        );
    }
}

fn check_members(members: &[Member], now: DateTime<Utc>, c: &mut Check) {
    if members.is_empty() {
        c.push(Violation::new("case.no_members", "a case has a principal applicant").at("members"));
    }
    let principals = members
        .iter()
        .filter(|m| m.relationship == Relationship::Principal)
        .count();
    if !members.is_empty() && principals != 1 {
        c.push(
            Violation::new(
                "case.one_principal",
                format!("a case has exactly one principal applicant; found {principals}"),
            )
            .at("members"),
        );
    }
    let mut seen = BTreeSet::new();
    for (i, m) in members.iter().enumerate() {
        if !seen.insert(m.person_id) {
            c.push(
                Violation::new("person.duplicate", "this person is listed twice")
                    .at(format!("members/{i}/person_id")),
            );
        }
        check_person(&m.details, now, &format!("members/{i}/details"), c);
    }
}

fn check_proposal(
    p: &Proposal,
    host: &crate::values::CountryCode,
    s: &ProgrammeSettings,
    path: &str,
    c: &mut Check,
) {
    if &p.country_of_return == host {
        c.push(
            Violation::new(
                "proposal.return_to_host_country",
                "the country of return is the host country",
            )
            .at(format!("{path}/country_of_return")),
        );
    }
    if !s.return_countries.is_empty() && !s.return_countries.contains(&p.country_of_return) {
        c.push(
            Violation::new(
                "programme.country_of_return",
                format!(
                    "the programme does not cover returns to {}",
                    p.country_of_return.name()
                ),
            )
            .at(format!("{path}/country_of_return")),
        );
    }
    for (i, item) in p.assistance_package.iter().enumerate() {
        if let Some(m) = &item.amount
            && m.currency != s.currency
        {
            c.push(
                Violation::new(
                    "money.programme_currency",
                    format!("amounts in this programme are in {}", s.currency),
                )
                .at(format!("{path}/assistance_package/{i}/amount/currency")),
            );
        }
    }
}

/// Decides the registration of a new case.
pub fn register(cmd: RegisterCase, ctx: &Context) -> Result<Vec<Event>, Refusal> {
    let mut c = Check::new();
    check_time(None, ctx, &mut c);
    check_members(&cmd.members, ctx.now, &mut c);
    if !ctx.programme.host_countries.contains(&cmd.host_country) {
        c.push(
            Violation::new(
                "programme.host_country",
                format!(
                    "the programme does not run in {}, the country of this office",
                    cmd.host_country.name()
                ),
            )
            .at("host_office"),
        );
    }
    check_proposal(
        &cmd.proposal,
        &cmd.host_country,
        ctx.programme,
        "proposal",
        &mut c,
    );
    c.finish()?;
    let mut members = cmd.members;
    // The principal applicant first.
    members.sort_by_key(|m| m.relationship != Relationship::Principal);
    let mut events = vec![Event::CaseRegistered(CaseRegistered {
        case_id: cmd.case_id,
        reference: cmd.reference,
        host_office: cmd.host_office,
        host_country: cmd.host_country,
        programme: cmd.programme,
        referral: cmd.referral,
        proposal: cmd.proposal,
    })];
    events.extend(members.into_iter().map(Event::MemberAdded));
    Ok(events)
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

/// The stages in which a command may be given. The case page reads this too, to offer
/// only the actions possible now.
pub fn allowed_stages(kind: CommandKind) -> &'static [Stage] {
    use Stage::*;
    const ALL_BUT_CLOSED: [Stage; 12] = [
        Registered,
        Counselling,
        Applied,
        Approved,
        Rejected,
        PreDeparture,
        ReadyToDepart,
        Departed,
        Arrived,
        Reintegration,
        Monitoring,
        Withdrawn,
    ];
    match kind {
        CommandKind::AddMember
        | CommandKind::RemoveMember
        | CommandKind::ScreenEligibility
        | CommandKind::Withdraw
        | CommandKind::AssessCapacity
        | CommandKind::DetermineBestInterests
        | CommandKind::AppointRepresentative
        | CommandKind::ChangeProposal
        | CommandKind::RecordTravelDocument
        | CommandKind::ArrangeShelter => &BEFORE_DEPARTURE,
        CommandKind::UpdatePersonDetails | CommandKind::Close => &ALL_BUT_CLOSED,
        CommandKind::RecordCounsellingSession => &[
            Registered,
            Counselling,
            Applied,
            Approved,
            PreDeparture,
            ReadyToDepart,
            Arrived,
            Reintegration,
            Monitoring,
        ],
        CommandKind::RecordConsent
        | CommandKind::ReconfirmConsent
        | CommandKind::RecordHealthAssessment
        | CommandKind::RecordRiskAssessment => &COUNSELLED,
        CommandKind::Reopen => &[Withdrawn],
        CommandKind::SubmitApplication => &[Counselling],
        CommandKind::ApproveApplication | CommandKind::RejectApplication => &[Applied],
        CommandKind::AssignReturnOffice => &[
            Registered,
            Counselling,
            Applied,
            Approved,
            PreDeparture,
            ReadyToDepart,
            Departed,
        ],
        CommandKind::AssignEscort | CommandKind::ReleaseEscort | CommandKind::SetItinerary => {
            &PREPARING
        }
        CommandKind::PayAllowance => &[
            Approved,
            PreDeparture,
            ReadyToDepart,
            Departed,
            Arrived,
            Reintegration,
        ],
        CommandKind::MarkReadyToDepart => &[Approved, PreDeparture],
        CommandKind::ConfirmDeparture | CommandKind::RecordNoShow => &[ReadyToDepart],
        CommandKind::RecordArrival => &[Departed],
        CommandKind::StartReintegration => &[Arrived],
        CommandKind::StartMonitoring => &[Arrived, Reintegration],
        CommandKind::Correct => &Stage::ALL,
    }
}

fn describe(kind: CommandKind) -> &'static str {
    match kind {
        CommandKind::AddMember => "adding a member",
        CommandKind::RemoveMember => "removing a member",
        CommandKind::UpdatePersonDetails => "updating a person",
        CommandKind::RecordCounsellingSession => "recording a counselling session",
        CommandKind::ScreenEligibility => "eligibility screening",
        CommandKind::RecordConsent => "recording consent",
        CommandKind::ReconfirmConsent => "re-confirming consent",
        CommandKind::Withdraw => "withdrawal",
        CommandKind::Reopen => "re-opening",
        CommandKind::AssessCapacity => "a capacity assessment",
        CommandKind::DetermineBestInterests => "a best-interests determination",
        CommandKind::AppointRepresentative => "recording a representative",
        CommandKind::SubmitApplication => "submitting the application",
        CommandKind::ApproveApplication | CommandKind::RejectApplication => {
            "deciding on the application"
        }
        CommandKind::ChangeProposal => "changing the proposal",
        CommandKind::AssignReturnOffice => "assigning the office of return",
        CommandKind::RecordHealthAssessment => "a health assessment",
        CommandKind::RecordRiskAssessment => "a risk assessment",
        CommandKind::RecordTravelDocument => "recording a document",
        CommandKind::AssignEscort => "assigning an escort",
        CommandKind::ReleaseEscort => "releasing an escort",
        CommandKind::ArrangeShelter => "arranging shelter",
        CommandKind::SetItinerary => "booking an itinerary",
        CommandKind::PayAllowance => "paying an allowance",
        CommandKind::MarkReadyToDepart => "marking the case ready to depart",
        CommandKind::ConfirmDeparture => "confirming departure",
        CommandKind::RecordNoShow => "recording a no-show",
        CommandKind::RecordArrival => "recording arrival",
        CommandKind::StartReintegration => "starting reintegration",
        CommandKind::StartMonitoring => "starting monitoring",
        CommandKind::Close => "closing",
        CommandKind::Correct => "a correction",
    }
}

const BEFORE_DEPARTURE: [Stage; 6] = [
    Stage::Registered,
    Stage::Counselling,
    Stage::Applied,
    Stage::Approved,
    Stage::PreDeparture,
    Stage::ReadyToDepart,
];

const COUNSELLED: [Stage; 5] = [
    Stage::Counselling,
    Stage::Applied,
    Stage::Approved,
    Stage::PreDeparture,
    Stage::ReadyToDepart,
];

const PREPARING: [Stage; 3] = [Stage::Approved, Stage::PreDeparture, Stage::ReadyToDepart];

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

/// Decides a command on an existing case.
pub fn decide(case: &Case, cmd: Command, ctx: &Context) -> Result<Vec<Event>, Refusal> {
    let mut c = Check::new();
    check_time(case.dates.registered, ctx, &mut c);
    let withdrawing_after_departure =
        matches!(cmd, Command::Withdraw { .. }) && case.stage.is_after_departure();
    if !allowed_stages(cmd.kind()).contains(&case.stage) && !withdrawing_after_departure {
        c.push(stage_refusal(case, describe(cmd.kind())));
    }
    let step_command = matches!(
        cmd,
        Command::SubmitApplication
            | Command::ApproveApplication
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
            c.extend(check_detail(case, &replacement, ctx, "replacement/data"));
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
        Command::ApproveApplication | Command::RejectApplication { .. } => {
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
            match cmd {
                Command::RejectApplication { reason } => {
                    vec![Event::ApplicationRejected { reason }]
                }
                _ => {
                    if let Some(s) = &case.screening
                        && s.facts.removal_procedure == RemovalProcedure::Initiated
                    {
                        c.push(Violation::new(
                            "eligibility.removal_procedure_initiated",
                            "a removal (deportation) procedure has been initiated: the case is not eligible for voluntary return",
                        ));
                    }
                    vec![Event::ApplicationApproved]
                }
            }
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
            vec![Event::DepartureConfirmed]
        }
        Command::RecordNoShow { reason } => {
            vec![Event::NoShowRecorded { reason }]
        }
        Command::RecordArrival(a) => {
            let e = Event::ArrivalRecorded(a);
            c.extend(check_detail(case, &e, ctx, ""));
            vec![e]
        }
        Command::StartReintegration => {
            vec![Event::ReintegrationStarted]
        }
        Command::StartMonitoring => {
            vec![Event::MonitoringStarted]
        }
        Command::Close { outcome, note } => {
            check_closure(case, outcome, &mut c);
            vec![Event::CaseClosed { outcome, note }]
        }
    };
    c.finish()?;
    Ok(events)
}

fn check_closure(case: &Case, outcome: Outcome, c: &mut Check) {
    use Stage::*;
    let allowed: &[Stage] = match outcome {
        Outcome::Completed => &[Arrived, Reintegration, Monitoring],
        Outcome::Withdrawn => &[Withdrawn],
        Outcome::NoShow => &[PreDeparture],
        Outcome::Ineligible => &[
            Registered,
            Counselling,
            Applied,
            Rejected,
            Approved,
            PreDeparture,
            ReadyToDepart,
        ],
        Outcome::RegularisedInHostCountry => &[
            Registered,
            Counselling,
            Applied,
            Rejected,
            Approved,
            PreDeparture,
            ReadyToDepart,
            Withdrawn,
        ],
        Outcome::LostContact | Outcome::Deceased => &[
            Registered,
            Counselling,
            Applied,
            Approved,
            Rejected,
            PreDeparture,
            ReadyToDepart,
            Departed,
            Arrived,
            Reintegration,
            Monitoring,
            Withdrawn,
        ],
    };
    if !allowed.contains(&case.stage) {
        c.push(
            Violation::new(
                "closure.outcome_not_allowed",
                format!(
                    "a case that is {} cannot be closed as {:?}",
                    case.stage.code().replace('_', " "),
                    outcome
                ),
            )
            .at("outcome"),
        );
    }
    if outcome == Outcome::NoShow && case.no_shows == 0 {
        c.push(
            Violation::new(
                "closure.no_no_show",
                "no no-show has been recorded on this case",
            )
            .at("outcome"),
        );
    }
}

/// Why the case is not eligible now: its screening facts judged against the current
/// proposal and programme (a stored conclusion may be stale). Empty: eligible.
pub fn eligibility_violations(case: &Case, programme: &ProgrammeSettings) -> Vec<Violation> {
    let Some(s) = &case.screening else {
        return vec![Violation::new(
            "eligibility.not_screened",
            "eligibility has not been screened",
        )];
    };
    screen(case, s.facts.clone(), programme)
        .reasons
        .iter()
        .map(|code| {
            let message = match code.as_str() {
                "eligibility.removal_procedure_initiated" => "a removal (deportation) procedure has been initiated: the case is not eligible for voluntary return",
                "eligibility.third_country_admission_unconfirmed" => "admission to the third country of return is not confirmed",
                "eligibility.admissibility_pending" => "admissibility to the country of return is still pending",
                "eligibility.not_admissible" => "the person is not admissible to the country of return",
                "programme.host_country" => "the programme does not run in the host country of this case",
                "programme.country_of_return" => "the programme does not cover returns to this country",
                _ => "the case is not eligible",
            };
            let code: &'static str = ELIGIBILITY_CODES
                .iter()
                .find(|c| **c == code.as_str())
                .copied()
                .unwrap_or("eligibility.not_eligible");
            Violation::new(code, message)
        })
        .collect()
}

const ELIGIBILITY_CODES: [&str; 6] = [
    "eligibility.removal_procedure_initiated",
    "eligibility.third_country_admission_unconfirmed",
    "eligibility.admissibility_pending",
    "eligibility.not_admissible",
    "programme.host_country",
    "programme.country_of_return",
];

pub(crate) fn screen(case: &Case, facts: ScreeningFacts, s: &ProgrammeSettings) -> Screening {
    let mut reasons = Vec::new();
    if facts.removal_procedure == RemovalProcedure::Initiated {
        reasons.push("eligibility.removal_procedure_initiated".to_string());
    }
    match (facts.admissibility, case.proposal.return_kind) {
        (Admissibility::National, ReturnKind::Origin) | (Admissibility::AdmissionConfirmed, _) => {}
        (Admissibility::National, ReturnKind::ThirdCountry) => {
            reasons.push("eligibility.third_country_admission_unconfirmed".to_string())
        }
        (Admissibility::Pending, _) => {
            reasons.push("eligibility.admissibility_pending".to_string())
        }
        (Admissibility::Refused, _) => reasons.push("eligibility.not_admissible".to_string()),
    }
    if !s.host_countries.contains(&case.host_country) {
        reasons.push("programme.host_country".to_string());
    }
    if !s.return_countries.is_empty()
        && !s
            .return_countries
            .contains(&case.proposal.country_of_return)
    {
        reasons.push("programme.country_of_return".to_string());
    }
    let eligible = reasons.is_empty();
    Screening {
        facts,
        eligible,
        reasons,
    }
}

fn check_itinerary(i: &Itinerary, c: &mut Check) {
    if i.legs.is_empty() {
        c.push(Violation::new("itinerary.empty", "an itinerary has at least one leg").at("legs"));
    }
    for (n, leg) in i.legs.iter().enumerate() {
        if leg.from == leg.to {
            c.push(
                Violation::new(
                    "itinerary.same_airport",
                    "a leg departs from and arrives at the same airport",
                )
                .at(format!("legs/{n}/to")),
            );
        }
        if leg.arrives_at <= leg.departs_at {
            c.push(
                Violation::new(
                    "itinerary.arrives_before_departure",
                    "the leg arrives before it departs",
                )
                .at(format!("legs/{n}/arrives_at")),
            );
        }
        if let Some(prev) = n.checked_sub(1).and_then(|p| i.legs.get(p)) {
            if prev.to != leg.from {
                c.push(
                    Violation::new(
                        "itinerary.disconnected",
                        format!(
                            "this leg departs from {}, but the previous one arrives at {}",
                            leg.from, prev.to
                        ),
                    )
                    .at(format!("legs/{n}/from")),
                );
            }
            if leg.departs_at < prev.arrives_at {
                c.push(
                    Violation::new(
                        "itinerary.overlapping",
                        "this leg departs before the previous one arrives",
                    )
                    .at(format!("legs/{n}/departs_at")),
                );
            }
        }
    }
}

/// Checks of a detail event, shared by the command that records it and by a correction
/// that replaces it. `path` prefixes field paths.
fn check_detail(case: &Case, e: &Event, ctx: &Context, path: &str) -> Vec<Violation> {
    let mut c = Check::new();
    let p = |f: &str| {
        if path.is_empty() {
            f.to_string()
        } else {
            format!("{path}/{f}")
        }
    };
    let member =
        |person: PersonId, c: &mut Check, field: &str| require_member(case, person, &p(field), c);
    match e {
        Event::MemberAdded(m) => check_person(&m.details, ctx.now, &p("details"), &mut c),
        Event::PersonDetailsUpdated { person_id, details } => {
            member(*person_id, &mut c, "person_id");
            check_person(details, ctx.now, &p("details"), &mut c);
        }
        Event::CounsellingSessionRecorded(s) => {
            if s.attendees.is_empty() {
                c.push(
                    Violation::new("session.no_attendees", "record who attended the session")
                        .at(p("attendees")),
                );
            }
            for a in &s.attendees {
                match a {
                    Attendee::Member(id) => member(*id, &mut c, "attendees"),
                    Attendee::RepresentativeOf(id) => {
                        member(*id, &mut c, "attendees");
                        if !case.representatives.contains_key(id) {
                            c.push(
                                Violation::new(
                                    "session.representative_unknown",
                                    "record the legal representative before their attendance",
                                )
                                .at(p("attendees")),
                            );
                        }
                    }
                }
            }
        }
        Event::EligibilityScreened(s)
            if !ctx.programme.categories.is_empty()
                && !ctx.programme.categories.contains(&s.facts.category) =>
        {
            c.push(
                Violation::new(
                    "programme.category",
                    format!("'{}' is not a category of this programme", s.facts.category),
                )
                .at(p("category")),
            );
        }
        Event::CapacityAssessed(a) => member(a.person_id, &mut c, "person_id"),
        Event::BestInterestsDetermined(b) => {
            member(b.person_id, &mut c, "person_id");
            if let Some(m) = case.member(b.person_id)
                && m.details
                    .date_of_birth
                    .is_adult_on(ctx.occurred_at.date_naive())
            {
                c.push(
                    Violation::new(
                        "capacity.best_interests_for_child",
                        "a best-interests determination is made for a child",
                    )
                    .at(p("person_id")),
                );
            }
        }
        Event::RepresentativeAppointed(r) => {
            member(r.person_id, &mut c, "person_id");
            if r.languages.is_empty() {
                c.push(
                    Violation::new(
                        "person.no_language",
                        "record at least one language the representative understands",
                    )
                    .at(p("languages")),
                );
            }
        }
        Event::HealthAssessed(h) => member(h.person_id, &mut c, "person_id"),
        Event::RiskAssessed(r) => member(r.person_id, &mut c, "person_id"),
        Event::TravelDocumentRecorded(d) => {
            member(d.person_id, &mut c, "person_id");
            if let Some(existing) = case.documents.get(&d.document_id)
                && existing.person_id != d.person_id
            {
                c.push(
                    Violation::new(
                        "document.other_person",
                        "this document belongs to another person",
                    )
                    .at(p("person_id")),
                );
            }
        }
        Event::EscortAssigned(e) => {
            if e.accompanies.is_empty() {
                c.push(
                    Violation::new("escort.nobody", "an escort accompanies at least one person")
                        .at(p("accompanies")),
                );
            }
            for id in &e.accompanies {
                member(*id, &mut c, "accompanies");
            }
        }
        Event::ShelterArranged(s) if s.until.is_some_and(|u| u < s.from) => {
            c.push(
                Violation::new(
                    "shelter.ends_before_start",
                    "the shelter ends before it starts",
                )
                .at(p("until")),
            );
        }
        Event::AllowancePaid(a) => {
            if let Some(id) = a.person_id {
                member(id, &mut c, "person_id");
            }
            if a.amount.currency != ctx.programme.currency {
                c.push(
                    Violation::new(
                        "money.programme_currency",
                        format!(
                            "amounts in this programme are in {}",
                            ctx.programme.currency
                        ),
                    )
                    .at(p("amount/currency")),
                );
            }
        }
        _ => {}
    }
    c.0
}

/// Finds the event a correction targets and checks that the replacement fits it.
fn correction_target<'a>(
    history: &'a [RecordedEvent],
    corrects: u64,
    replacement: &Event,
    c: &mut Check,
) -> Option<&'a RecordedEvent> {
    let original = resolve_target(history, corrects)
        .and_then(|v| v.checked_sub(1))
        .and_then(|i| history.get(i as usize));
    let Some(original) = original else {
        c.push(
            Violation::new(
                "correction.unknown_event",
                "there is no such event on this case",
            )
            .at("corrects"),
        );
        return None;
    };
    if !original.event.is_correctable() {
        c.push(
            Violation::new(
                "correction.not_correctable",
                format!(
                    "a {} event is not corrected; record a new command instead",
                    original.event.kind()
                ),
            )
            .at("corrects"),
        );
    } else if original.event.kind() != replacement.kind()
        || original.event.correction_key() != replacement.correction_key()
    {
        c.push(
            Violation::new(
                "correction.mismatch",
                format!(
                    "the replacement must be a {} event about the same {}",
                    original.event.kind(),
                    original
                        .event
                        .correction_key()
                        .unwrap_or_default()
                        .split(':')
                        .next()
                        .unwrap_or_default()
                ),
            )
            .at("replacement"),
        );
    }
    // A member's place in the household is not a detail: it decides who the principal
    // applicant is and who consents for whom.
    if let (Event::MemberAdded(o), Event::MemberAdded(r)) = (&original.event, replacement)
        && o.relationship != r.relationship
    {
        c.push(
            Violation::new(
                "correction.relationship",
                "a correction does not change a member's relationship; remove and add the member instead",
            )
            .at("replacement/data/relationship"),
        );
    }
    Some(original)
}
