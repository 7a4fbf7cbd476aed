//! Read models as a pure function of a case's state: the rows written with each commit
//! are exactly the rows a rebuild from the log writes.

use chrono::{Datelike, NaiveDate};
use homeward_domain::Case;
use homeward_domain::case::guard;
use homeward_domain::person::{DateOfBirth, Vulnerability};
use homeward_domain::values::search_key;

use homeward_domain::RecordedEvent;
use homeward_domain::countries;
use homeward_domain::stats;

use crate::{
    BudgetRow, CaseRow, CommunityRow, FollowUpRow, InterruptionRow, MonthRows, PersonRow,
    ReferralRow, ReturnRow, ScoreRow, StatRows,
};

/// A unit variant's code, as the domain's serialisation writes it.
pub(crate) fn code<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// The rows of one case. `updated_at` is when its last event was recorded.
pub fn project(
    case: &Case,
    updated_at: chrono::DateTime<chrono::Utc>,
) -> (CaseRow, Vec<PersonRow>) {
    let all_vulns = case.members.iter().fold(0, |m, p| {
        m | Vulnerability::mask(&p.details.vulnerabilities)
    });
    let principal_name = case
        .principal()
        .map(|p| p.details.name.display())
        .unwrap_or_default();
    let d = &case.dates;
    let row = CaseRow {
        case_id: case.id,
        reference: case.reference.to_string(),
        host_office: case.host_office,
        return_office: case.return_office,
        programme: case.programme,
        stage: case.stage,
        outcome: case.outcome.as_ref().map(code),
        country_of_return: case.proposal.country_of_return.to_string(),
        principal_name,
        members: case.members.len() as i64,
        vulnerabilities: all_vulns,
        registered_at: d.registered.unwrap_or(updated_at),
        first_counselling_at: d.first_counselling,
        applied_at: d.applied,
        decided_at: d.decided,
        departed_at: d.departed,
        arrived_at: d.arrived,
        withdrawn_at: d.withdrawn,
        closed_at: d.closed,
        version: case.version as i64,
        updated_at,
        departs_at: case
            .itinerary
            .as_ref()
            .and_then(|i| i.legs.first())
            .map(|l| l.departs_at),
        owner: case.owner,
        unreached: case.monitoring.failures_in_a_row() as i64,
        items_due_on: case.reintegration.items_due(),
        documents_expire_on: guard::travel_document_expires_before_flight(case),
        plan_work: case.plan_work(),
        plan_exceptions: case
            .reintegration
            .exceptions_to_approve()
            .iter()
            .fold(0, |m, e| m | e.bit()),
    };
    let people = case
        .members
        .iter()
        .map(|m| {
            let n = &m.details.name;
            let mut names = vec![n.given.as_str()];
            names.extend(n.family.as_ref().map(|f| f.as_str()));
            if let Some(l) = &n.latin {
                names.push(l.given.as_str());
                names.extend(l.family.as_ref().map(|f| f.as_str()));
            }
            let (birth_date, birth_year, birth_estimated) = match m.details.date_of_birth {
                DateOfBirth::Exact(d) => (Some(d), i64::from(d.year()), false),
                DateOfBirth::EstimatedYear(y) => (None, i64::from(y), true),
            };
            PersonRow {
                case_id: case.id,
                person_id: m.person_id,
                relationship: code(&m.relationship),
                given_name: n.given.to_string(),
                family_name: n.family.as_ref().map(|f| f.to_string()),
                search_name: search_key(&names.join(" ")),
                birth_date,
                birth_year,
                birth_estimated,
                sex: m.details.sex,
                nationality: m.details.nationality.as_ref().map(|c| c.to_string()),
                vulnerabilities: Vulnerability::mask(&m.details.vulnerabilities),
            }
        })
        .collect();
    (row, people)
}

fn regions(code: &str) -> (String, String) {
    countries::info(code)
        .map(|c| (c.region.clone(), c.subregion.clone()))
        .unwrap_or_default()
}

/// The statistics rows of a case, from its state and its events.
pub fn stat_rows(case: &Case, events: &[RecordedEvent]) -> StatRows {
    stat_rows_reusing(case, events, None)
}

/// `stat_rows` of a case after a commit, from `prev`, the state before it, and its rows:
/// the options taken up are those before it when its reintegration did not change (a
/// month that ended never changes, and what changes now is what reintegration received),
/// so that most commits do not replay the case month by month.
pub fn stat_rows_after(
    case: &Case,
    events: &[RecordedEvent],
    prev: &Case,
    prev_rows: &StatRows,
) -> StatRows {
    let ids = |c: &Case| c.members.iter().map(|m| m.person_id).collect::<Vec<_>>();
    let same = prev.reintegration == case.reintegration && ids(prev) == ids(case);
    stat_rows_reusing(case, events, same.then(|| prev_rows.taken_up.clone()))
}

fn stat_rows_reusing(
    case: &Case,
    events: &[RecordedEvent],
    taken_up: Option<Vec<ReturnRow>>,
) -> StatRows {
    let host = case.host_country.to_string();
    let ret = case.proposal.country_of_return.to_string();
    let row = |case: &Case, r: &stats::ReturnFact| {
        let host = case.host_country.to_string();
        let ret = case.proposal.country_of_return.to_string();
        let (host_region, host_subregion) = regions(&host);
        let (return_region, return_subregion) = regions(&ret);
        ReturnRow {
            case_id: case.id.0,
            person_id: r.person_id,
            departed_on: r.departed_on,
            year: i64::from(r.year),
            host_country: host,
            host_region,
            host_subregion,
            return_country: ret,
            return_region,
            return_subregion,
            sex: code(&r.sex),
            age_group: r.age_group.code().to_string(),
            vulnerabilities: r.vulnerabilities,
            assistance: r.assistance,
            legal_situation: code(&r.legal_situation),
            programme: case.programme.0,
            office: case.host_office.0,
            host_or_transit: r
                .host_or_transit
                .map(|h| h.code())
                .unwrap_or_default()
                .into(),
        }
    };
    let returns: Vec<ReturnRow> = stats::returns_of(case)
        .iter()
        .map(|r| row(case, r))
        .collect();
    let taken_up = taken_up.unwrap_or_else(|| {
        stats::taken_up_of(case, events, row)
            .into_iter()
            .map(|t| ReturnRow {
                departed_on: t.month,
                year: i64::from(t.month.year()),
                assistance: t.assistance,
                ..t.returnee
            })
            .collect()
    });
    let interruptions = stats::interruptions_of(events)
        .into_iter()
        .enumerate()
        .map(|(n, x)| InterruptionRow {
            case_id: case.id.0,
            seq: n as i64,
            kind: x.kind.code().to_string(),
            occurred_on: x.on,
            year: i64::from(x.year),
            stage: x.stage.code().to_string(),
            host_country: host.clone(),
            return_country: ret.clone(),
            programme: case.programme.0,
            office: case.host_office.0,
        })
        .collect();
    let follow_ups = follow_up_rows(case);
    let referrals = case
        .referrals
        .referrals
        .values()
        // One refused before it was sent never reached the organisation: no row (a
        // partner's lists read these rows).
        .filter(|r| r.was_sent() || r.status.is_open())
        .map(|r| ReferralRow {
            case_id: case.id.0,
            referral_id: r.request.referral_id.0,
            organisation_id: r.request.organisation.0,
            organisation_name: r.request.organisation_name.to_string(),
            service: r.request.service.code().to_string(),
            status: r.status.code().to_string(),
            sent_on: r.sent_on().date_naive(),
            answer_due: r.answer_due(),
            escalate_on: r.escalate_on(),
            office: case.lead_office().0,
            outcome: r.outcome().code().to_string(),
            days_to_answer: r.days_to_answer(),
        })
        .collect();
    let scores = score_rows(case);
    StatRows {
        returns,
        taken_up,
        interruptions,
        follow_ups,
        referrals,
        budget: budget_rows(case),
        scores,
        community: community_rows(case),
    }
}

/// A row per community project of the plan in force (`Reintegration::community_projects`).
fn community_rows(case: &Case) -> Vec<CommunityRow> {
    case.reintegration
        .community_projects()
        .into_iter()
        .map(|p| CommunityRow {
            case_id: case.id.0,
            item_id: p.item_id.0,
            programme: case.programme.0,
            host_office: case.host_office.0,
            office: case.lead_office().0,
            return_country: case.proposal.country_of_return.to_string(),
            committed: p.committed,
            delivered: p.delivered,
            people_reached: p.people_reached.map(i64::from),
        })
        .collect()
}

/// A row per band of time since return in which the returnee answered a survey, the
/// returnee as their return tells them (the principal applicant's).
fn score_rows(case: &Case) -> Vec<ScoreRow> {
    use homeward_domain::survey::Dimension;
    let returns = stats::returns_of(case);
    let principal = case.principal().map(|m| m.person_id.0);
    let Some(who) = returns
        .iter()
        .find(|r| Some(r.person_id) == principal)
        .or_else(|| returns.first())
    else {
        return vec![];
    };
    let permille =
        |p: Option<homeward_domain::survey::Permille>| p.map(|p| i64::from(p.thousandths()));
    stats::band_scores(case)
        .into_iter()
        .map(|b| {
            let s = &b.answers.scores;
            let dimension = |d: Dimension| permille(s.dimensions.get(&d).copied().flatten());
            ScoreRow {
                case_id: case.id.0,
                band: i64::from(b.band),
                answered_on: b.on,
                survey_key: s.key.clone(),
                survey_version: i64::from(s.version),
                economic: dimension(Dimension::Economic),
                social: dimension(Dimension::Social),
                psychosocial: dimension(Dimension::Psychosocial),
                composite: permille(s.composite),
                return_country: case.proposal.country_of_return.to_string(),
                sex: code(&who.sex),
                age_group: who.age_group.code().to_string(),
                vulnerabilities: who.vulnerabilities,
                programme: case.programme.0,
                host_office: case.host_office.0,
                office: case.lead_office().0,
                sustainable: s.sustainable(),
                assistance: who.assistance,
            }
        })
        .collect()
}

/// A row per budget line the case's plan in force draws on or its deliveries were paid
/// from.
fn budget_rows(case: &Case) -> Vec<BudgetRow> {
    let r = &case.reintegration;
    let committed = r.committed_by_line();
    let disbursed = r.disbursed_by_line();
    // Every item on a line is of the line's assistance type (`decide::reintegration`).
    let assistance: std::collections::BTreeMap<_, _> = r
        .in_force()
        .into_iter()
        .flat_map(|plan| &plan.items)
        .filter_map(|i| Some((i.budget_line?, i.assistance.code())))
        .collect();
    let lines: std::collections::BTreeSet<_> = committed.keys().chain(disbursed.keys()).collect();
    lines
        .into_iter()
        .map(|line| BudgetRow {
            case_id: case.id.0,
            line_id: line.0,
            assistance: assistance
                .get(line)
                .copied()
                .unwrap_or_default()
                .to_string(),
            programme: case.programme.0,
            office: case.lead_office().0,
            country_of_return: case.proposal.country_of_return.to_string(),
            committed: committed.get(line).copied().unwrap_or(0),
            disbursed: disbursed.get(line).copied().unwrap_or(0),
            people: case.members.len() as i64,
        })
        .collect()
}

/// A case's scheduled follow-ups, from its arrival (none before).
pub fn follow_up_rows(case: &Case) -> Vec<FollowUpRow> {
    let Some(arrived) = case.dates.arrived else {
        return vec![];
    };
    case.monitoring
        .scheduled(arrived.date_naive())
        .into_iter()
        .map(|s| FollowUpRow {
            case_id: case.id.0,
            number: i64::from(s.number),
            due_on: s.due,
            opens_on: s.opens,
            closes_on: s.closes,
            missed_from: s.missed_from,
            held_on: s.held_on,
            programme: case.programme.0,
            office: case.lead_office().0,
            return_country: case.proposal.country_of_return.to_string(),
        })
        .collect()
}

/// A case's rows of the kept sums (the budget's, the survey scores') as each month of
/// its events ended (`stats::at_month_ends`), for the months they changed in: what a bulk
/// load and a rebuild add to the kept sums, month by month, as the commits that wrote
/// them added (the scheduled follow-ups' counts too, `FollowUpTotals::of_case`). `case`
/// is the replay of `events`; a case that never arrived, never had a plan nor a survey
/// answered has none (never: a survey corrected away was counted in its months, an
/// arrival corrected away too).
pub fn kept_history(case: &Case, events: &[RecordedEvent]) -> Vec<MonthRows> {
    if case.reintegration.versions.is_empty()
        && !events
            .iter()
            .any(|e| carries_survey(&e.event) || records_arrival(&e.event))
    {
        return vec![];
    }
    let rows = |state: &Case| MonthRows {
        month: NaiveDate::MIN,
        budget: budget_rows(state),
        scores: score_rows(state),
        community: community_rows(state),
        follow_ups: crate::FollowUpTotals::of_case(state),
    };
    let mut history: Vec<MonthRows> = vec![];
    let mut last = MonthRows::default();
    stats::at_month_ends(events, |month, state| {
        let now = rows(state);
        if !now.same_rows(&last) {
            history.push(MonthRows {
                month,
                ..now.clone()
            });
            last = now;
        }
    });
    // Ending as the case stands, whatever stopped the months (a stream replays whole, so
    // a prefix should too): the sums of every month are then its rows.
    let now = rows(case);
    if !now.same_rows(&last)
        && let Some(month) = commit_month(events)
    {
        history.push(MonthRows { month, ..now });
    }
    history
}

/// Whether an event records survey answers, or corrects an event with some.
fn carries_survey(e: &homeward_domain::Event) -> bool {
    use homeward_domain::Event;
    match e {
        Event::FollowUpRecorded(f) => f.survey.is_some(),
        Event::Corrected { replacement, .. } => carries_survey(replacement),
        _ => false,
    }
}

/// Whether an event records an arrival, or corrects one (the schedule starts there).
fn records_arrival(e: &homeward_domain::Event) -> bool {
    use homeward_domain::Event;
    match e {
        Event::ArrivalRecorded(_) => true,
        Event::Corrected { replacement, .. } => records_arrival(replacement),
        _ => false,
    }
}

/// The month a commit's change to the kept sums counts in: that of the last of the
/// case's events (`stats::recorded_months`), as `kept_history` dates it.
pub fn commit_month(events: &[RecordedEvent]) -> Option<NaiveDate> {
    stats::recorded_months(events).last().copied()
}
