//! The read models' rows, their tables' columns, and what a write carries: the rows of a
//! case's new state, and of the rows stored before only what changed.

use chrono::{DateTime, NaiveDate, Utc};
use homeward_domain::Stage;
use homeward_domain::case::reintegration::PlanWork;
use homeward_domain::ids::{CaseId, OfficeId, PersonId, ProgrammeId, UserId};
use homeward_domain::person::Sex;
use homeward_domain::{Case, RecordedEvent};
use serde::Serialize;
use uuid::Uuid;

use crate::audit::AuditDraft;
use crate::projection::{project, stat_rows};

mod commit;
mod follow_ups;

pub use commit::*;
pub use follow_ups::{FollowUpKey, FollowUpTotals};

/// The columns of a `CaseRow`, in its fields' order.
pub(crate) const CASE_COLUMNS: &str = "case_id, reference, host_office, return_office, programme, stage, \
    outcome, country_of_return, principal_name, members, vulnerabilities, registered_at, \
    first_counselling_at, applied_at, decided_at, departed_at, arrived_at, withdrawn_at, \
    closed_at, version, updated_at, departs_at, owner, unreached, items_due_on, documents_expire_on, \
    plan_work, plan_exceptions";

/// The columns of a `PersonRow`.
pub(crate) const PERSON_COLUMNS: &str = "case_id, person_id, relationship, given_name, family_name, \
    search_name, birth_date, birth_year, birth_estimated, sex, nationality, vulnerabilities";

/// The columns of a `PipelineRow`.
pub(crate) const PIPELINE_COLUMNS: &str = "case_id, stage, members, host_office, programme, \
    country_of_return, registered_at, applied_at, departed_at";

/// The columns of an `InterruptionRow`.
pub(crate) const INTERRUPTION_COLUMNS: &str = "case_id, seq, kind, occurred_on, year, stage, host_country, \
    return_country, programme, office";

/// The columns of a `ReturnRow`.
pub(crate) const RETURN_COLUMNS: &str = "case_id, person_id, departed_on, year, host_country, host_region, \
     host_subregion, return_country, return_region, return_subregion, sex, age_group, \
     vulnerabilities, legal_situation, programme, office, host_or_transit, assistance";

/// The columns of a `ScoreRow`.
pub(crate) const SCORE_COLUMNS: &str = "case_id, band, answered_on, survey_key, survey_version, \
    economic, social, psychosocial, composite, return_country, sex, age_group, vulnerabilities, \
    programme, host_office, office, sustainable, assistance";

/// The columns of a `CommunityRow`.
pub(crate) const COMMUNITY_COLUMNS: &str = "case_id, item_id, programme, host_office, office, \
    return_country, committed, delivered, people_reached";

/// The columns of a `FollowUpRow`.
pub(crate) const FOLLOW_UP_COLUMNS: &str = "case_id, number, due_on, opens_on, closes_on, \
    missed_from, held_on, programme, office, return_country";

/// The columns of a `ReferralRow`.
pub(crate) const REFERRAL_COLUMNS: &str = "case_id, referral_id, organisation_id, \
    organisation_name, service, status, sent_on, answer_due, escalate_on, office, outcome, \
    days_to_answer";

pub(crate) const BUDGET_COLUMNS: &str = "case_id, line_id, assistance, programme, office, \
    country_of_return, committed, disbursed, people";

/// `CASE_COLUMNS`, one name each.
pub(crate) const CASE_COLUMN_NAMES: [&str; 28] = [
    "case_id",
    "reference",
    "host_office",
    "return_office",
    "programme",
    "stage",
    "outcome",
    "country_of_return",
    "principal_name",
    "members",
    "vulnerabilities",
    "registered_at",
    "first_counselling_at",
    "applied_at",
    "decided_at",
    "departed_at",
    "arrived_at",
    "withdrawn_at",
    "closed_at",
    "version",
    "updated_at",
    "departs_at",
    "owner",
    "unreached",
    "items_due_on",
    "documents_expire_on",
    "plan_work",
    "plan_exceptions",
];

/// The case list's row: what lists and search show without loading events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseRow {
    pub case_id: CaseId,
    pub reference: String,
    pub host_office: OfficeId,
    pub return_office: Option<OfficeId>,
    pub programme: ProgrammeId,
    pub stage: Stage,
    pub outcome: Option<String>,
    pub country_of_return: String,
    pub principal_name: String,
    pub members: i64,
    /// Bit mask of [`homeward_domain::person::Vulnerability`].
    pub vulnerabilities: i64,
    pub registered_at: DateTime<Utc>,
    pub first_counselling_at: Option<DateTime<Utc>>,
    pub applied_at: Option<DateTime<Utc>>,
    pub decided_at: Option<DateTime<Utc>>,
    pub departed_at: Option<DateTime<Utc>>,
    pub arrived_at: Option<DateTime<Utc>>,
    pub withdrawn_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
    /// When the booked itinerary's first flight leaves.
    pub departs_at: Option<DateTime<Utc>>,
    /// The caseworker who owns the case.
    pub owner: Option<UserId>,
    /// Follow-ups since the returnee was last reached that did not reach them.
    pub unreached: i64,
    /// The soonest due day of the plan's items still to deliver.
    pub items_due_on: Option<NaiveDate>,
    /// The day someone's last travel document runs out before the booked flight.
    pub documents_expire_on: Option<NaiveDate>,
    /// What the reintegration plan waits for.
    pub plan_work: Option<PlanWork>,
    /// The exceptions of the plan version awaiting approval (`PlanException::bit`).
    pub plan_exceptions: i64,
}

from_row!(CaseRow {
    case_id => crate::decode::case_id,
    reference,
    host_office => crate::decode::office,
    return_office => crate::decode::opt_office,
    programme => crate::decode::programme,
    stage => crate::decode::stage,
    outcome,
    country_of_return,
    principal_name,
    members,
    vulnerabilities,
    registered_at,
    first_counselling_at,
    applied_at,
    decided_at,
    departed_at,
    arrived_at,
    withdrawn_at,
    closed_at,
    version,
    updated_at,
    departs_at,
    owner => crate::decode::opt_user,
    unreached,
    items_due_on,
    documents_expire_on,
    plan_work => crate::decode::opt_plan_work,
    plan_exceptions
});

/// A person on a case, for search.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PersonRow {
    pub case_id: CaseId,
    pub person_id: PersonId,
    pub relationship: String,
    pub given_name: String,
    pub family_name: Option<String>,
    /// Names in every form, folded for search ([`homeward_domain::values::search_key`]).
    pub search_name: String,
    pub birth_date: Option<NaiveDate>,
    pub birth_year: i64,
    pub birth_estimated: bool,
    pub sex: Sex,
    pub nationality: Option<String>,
    pub vulnerabilities: i64,
}

from_row!(PersonRow {
    case_id => crate::decode::case_id,
    person_id => crate::decode::person_id,
    relationship,
    given_name,
    family_name,
    search_name,
    birth_date,
    birth_year,
    birth_estimated,
    sex => crate::decode::sex,
    nationality,
    vulnerabilities
});

/// A person who returned (see `homeward_domain::stats`), for aggregation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReturnRow {
    pub case_id: Uuid,
    pub person_id: Uuid,
    pub departed_on: NaiveDate,
    pub year: i64,
    pub host_country: String,
    pub host_region: String,
    pub host_subregion: String,
    pub return_country: String,
    pub return_region: String,
    pub return_subregion: String,
    pub sex: String,
    pub age_group: String,
    pub vulnerabilities: i64,
    pub legal_situation: String,
    pub programme: Uuid,
    pub office: Uuid,
    /// `HostOrTransit::code`, or empty: departed before departures were told apart.
    pub host_or_transit: String,
    /// The assistance received, a mask of `AssistanceType::bit`.
    pub assistance: i64,
}

from_row!(ReturnRow {
    case_id,
    person_id,
    departed_on,
    year,
    host_country,
    host_region,
    host_subregion,
    return_country,
    return_region,
    return_subregion,
    sex,
    age_group,
    vulnerabilities,
    legal_situation,
    programme,
    office,
    host_or_transit,
    assistance
});

/// A withdrawal, rejection or no-show, and the stage it happened at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InterruptionRow {
    pub case_id: Uuid,
    pub seq: i64,
    pub kind: String,
    pub occurred_on: NaiveDate,
    pub year: i64,
    pub stage: String,
    pub host_country: String,
    pub return_country: String,
    pub programme: Uuid,
    pub office: Uuid,
}

from_row!(InterruptionRow {
    case_id,
    seq,
    kind,
    occurred_on,
    year,
    stage,
    host_country,
    return_country,
    programme,
    office
});

/// A scheduled follow-up of a returned case, with its dates (see
/// `homeward_domain::case::monitoring::ScheduledFollowUp`): the work queues read which
/// are due and overdue on a day, the reports which were held on time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FollowUpRow {
    pub case_id: Uuid,
    /// From 1, in the schedule's order.
    pub number: i64,
    pub due_on: NaiveDate,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
    pub missed_from: Option<NaiveDate>,
    pub held_on: Option<NaiveDate>,
    pub programme: Uuid,
    /// The office that leads the case (the office of return, once assigned).
    pub office: Uuid,
    pub return_country: String,
}

from_row!(FollowUpRow {
    case_id,
    number,
    due_on,
    opens_on,
    closes_on,
    missed_from,
    held_on,
    programme,
    office,
    return_country
});

/// A referral of a case, where it stands and when its answer is due and escalated (see
/// `homeward_domain::case::referrals::ReferralRecord::answer_status`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReferralRow {
    pub case_id: Uuid,
    pub referral_id: Uuid,
    pub organisation_id: Uuid,
    pub organisation_name: String,
    pub service: String,
    pub status: String,
    pub sent_on: NaiveDate,
    pub answer_due: NaiveDate,
    pub escalate_on: NaiveDate,
    /// The office that leads the case.
    pub office: Uuid,
    /// `ReferralRecord::outcome`, its code.
    pub outcome: String,
    /// `ReferralRecord::days_to_answer`.
    pub days_to_answer: Option<i64>,
}

from_row!(ReferralRow {
    case_id,
    referral_id,
    organisation_id,
    organisation_name,
    service,
    status,
    sent_on,
    answer_due,
    escalate_on,
    office,
    outcome,
    days_to_answer
});

/// The statistics rows of one case (and its referrals).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatRows {
    pub returns: Vec<ReturnRow>,
    /// Each month a returnee took up options in, as a row of theirs
    /// (`homeward_domain::stats::TakenUp`): `departed_on` the month's first day, `year`
    /// its year, `assistance` the options first taken up in it, the rest as the first
    /// such month ended.
    pub taken_up: Vec<ReturnRow>,
    pub interruptions: Vec<InterruptionRow>,
    pub follow_ups: Vec<FollowUpRow>,
    pub referrals: Vec<ReferralRow>,
    pub budget: Vec<BudgetRow>,
    pub scores: Vec<ScoreRow>,
    pub community: Vec<CommunityRow>,
}

/// A community project of a case's plan in force (`Reintegration::community_projects`),
/// in minor units of the programme's currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommunityRow {
    pub case_id: Uuid,
    pub item_id: Uuid,
    pub programme: Uuid,
    pub host_office: Uuid,
    /// The office that leads the case.
    pub office: Uuid,
    pub return_country: String,
    pub committed: i64,
    pub delivered: i64,
    /// The people of the community it has reached so far, once a delivery told them.
    pub people_reached: Option<i64>,
}

from_row!(CommunityRow {
    case_id,
    item_id,
    programme,
    host_office,
    office,
    return_country,
    committed,
    delivered,
    people_reached
});

/// The community projects of a programme in one country of return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommunityCell {
    pub return_country: String,
    pub projects: i64,
    /// Cases (households) with a project.
    pub cases: i64,
    pub committed: i64,
    pub delivered: i64,
    /// The people reached, of the projects that told them.
    pub people_reached: i64,
    /// The projects whose people reached a delivery told.
    pub told: i64,
    /// The households with a project whose people reached a delivery told.
    pub cases_told: i64,
}

from_row!(CommunityCell {
    return_country,
    projects,
    cases,
    committed,
    delivered,
    people_reached,
    told,
    cases_told
});

/// A returnee's survey scores in one band of time since return (`stats::band_scores`):
/// the last survey answered in it, its scores in thousandths (none where the dimension
/// or composite was not scored), and the returnee as the programme reports group them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScoreRow {
    pub case_id: Uuid,
    /// The scheduled follow-up's months after arrival (0: before the first).
    pub band: i64,
    pub answered_on: NaiveDate,
    pub survey_key: String,
    pub survey_version: i64,
    pub economic: Option<i64>,
    pub social: Option<i64>,
    pub psychosocial: Option<i64>,
    pub composite: Option<i64>,
    pub return_country: String,
    pub sex: String,
    pub age_group: String,
    pub vulnerabilities: i64,
    pub programme: Uuid,
    pub host_office: Uuid,
    /// The office that leads the case.
    pub office: Uuid,
    /// Whether the composite reaches the version's threshold (`ScoreCard::sustainable`).
    pub sustainable: Option<bool>,
    /// Bit mask of the assistance the returnee had received (`Reintegration::received_by`).
    pub assistance: i64,
}

/// How the programme reports group returnees' scores besides survey, version and band.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScoreBy {
    Nothing,
    ReturnCountry,
    Sex,
    AgeGroup,
    /// Each vulnerability, then any and none (`ScoreBy::groups`): a returnee counts in a
    /// row per vulnerability.
    Vulnerability,
    /// Each type of assistance received, then any and none.
    Assistance,
}

/// The group of returnees with any of the attributes of a grouping by each.
pub use homeward_domain::stats::ANY as SCORE_ANY;
/// The group of returnees with none of them.
pub use homeward_domain::stats::NONE as SCORE_NONE;

impl ScoreBy {
    pub const ALL: [ScoreBy; 6] = [
        ScoreBy::Nothing,
        ScoreBy::ReturnCountry,
        ScoreBy::Sex,
        ScoreBy::AgeGroup,
        ScoreBy::Vulnerability,
        ScoreBy::Assistance,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ScoreBy::Nothing => "nothing",
            ScoreBy::ReturnCountry => "return_country",
            ScoreBy::Sex => "sex",
            ScoreBy::AgeGroup => "age_group",
            ScoreBy::Vulnerability => "vulnerability",
            ScoreBy::Assistance => "assistance",
        }
    }

    /// The grouping by each this is, if it is one: a returnee counts in a group per
    /// attribute they have, then `any` (one row each) or `none`.
    pub fn by_each(self) -> Option<homeward_domain::stats::ByEach> {
        match self {
            ScoreBy::Vulnerability => Some(homeward_domain::stats::ByEach::Vulnerability),
            ScoreBy::Assistance => Some(homeward_domain::stats::ByEach::Assistance),
            _ => None,
        }
    }

    /// The groups a score row counts in.
    pub fn groups(self, r: &ScoreRow) -> Vec<&str> {
        match self {
            ScoreBy::Nothing => vec![""],
            ScoreBy::ReturnCountry => vec![r.return_country.as_str()],
            ScoreBy::Sex => vec![r.sex.as_str()],
            ScoreBy::AgeGroup => vec![r.age_group.as_str()],
            ScoreBy::Vulnerability => {
                homeward_domain::stats::ByEach::Vulnerability.groups(r.vulnerabilities)
            }
            ScoreBy::Assistance => homeward_domain::stats::ByEach::Assistance.groups(r.assistance),
        }
    }
}

/// The sums of a group's scores: returnees, and for each dimension and the composite how
/// many were scored and their sum in thousandths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoreCell {
    pub survey_key: String,
    pub survey_version: i64,
    pub band: i64,
    /// The group's value ("" when not grouped).
    pub grp: String,
    pub returnees: i64,
    pub economic_n: i64,
    pub economic_sum: i64,
    pub social_n: i64,
    pub social_sum: i64,
    pub psychosocial_n: i64,
    pub psychosocial_sum: i64,
    pub composite_n: i64,
    pub composite_sum: i64,
    /// Of those scored in the composite, how many reached the version's threshold.
    pub sustainable_n: i64,
}

from_row!(ScoreCell {
    survey_key,
    survey_version,
    band,
    grp,
    returnees,
    economic_n,
    economic_sum,
    social_n,
    social_sum,
    psychosocial_n,
    psychosocial_sum,
    composite_n,
    composite_sum,
    sustainable_n
});

from_row!(ScoreRow {
    case_id,
    band,
    answered_on,
    survey_key,
    survey_version,
    economic,
    social,
    psychosocial,
    composite,
    return_country,
    sex,
    age_group,
    vulnerabilities,
    programme,
    host_office,
    office,
    sustainable,
    assistance
});

/// What a case's plan in force commits and its deliveries disburse on one budget line
/// (`Reintegration::committed_by_line`, `disbursed_by_line`), minor units of the
/// programme's currency: a row per line the case uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetRow {
    pub case_id: Uuid,
    pub line_id: Uuid,
    /// The assistance type of the line (its items': `AssistanceType::code`).
    pub assistance: String,
    pub programme: Uuid,
    /// The office that leads the case.
    pub office: Uuid,
    pub country_of_return: String,
    pub committed: i64,
    pub disbursed: i64,
    /// The case's members: the returnees it pays for.
    pub people: i64,
}

from_row!(BudgetRow {
    case_id,
    line_id,
    assistance,
    programme,
    office,
    country_of_return,
    committed,
    disbursed,
    people
});

/// The dates of a departed case, for durations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DurationRow {
    pub departed_at: DateTime<Utc>,
    pub registered_at: DateTime<Utc>,
    pub applied_at: Option<DateTime<Utc>>,
    pub country_of_return: String,
}

from_row!(DurationRow {
    departed_at,
    registered_at,
    applied_at,
    country_of_return
});

/// Cases and people at a stage (`Store::count_by_stage`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct StageCount {
    pub stage: String,
    pub cases: i64,
    pub people: i64,
}

/// Withdrawals, rejections or no-shows of one kind, in one year, at one stage
/// (`Store::count_interruptions`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct InterruptionCount {
    pub kind: String,
    pub year: i64,
    pub stage: String,
    pub count: i64,
}

/// What the pipeline figures need of a case (see `Store::for_each_pipeline_row`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PipelineRow {
    pub case_id: Uuid,
    pub stage: String,
    pub members: i64,
    pub host_office: Uuid,
    pub programme: Uuid,
    pub country_of_return: String,
    pub registered_at: DateTime<Utc>,
    pub applied_at: Option<DateTime<Utc>>,
    pub departed_at: Option<DateTime<Utc>>,
}

from_row!(PipelineRow {
    case_id,
    stage,
    members,
    host_office,
    programme,
    country_of_return,
    registered_at,
    applied_at,
    departed_at
});

/// Sums of the `case_budget` rows of one line, assistance type, country of return and
/// office (minor units of the programme's currency).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetCell {
    pub line_id: Uuid,
    pub assistance: String,
    pub country_of_return: String,
    pub office: Uuid,
    pub committed: i64,
    pub disbursed: i64,
    /// Cases with a plan on the line.
    pub cases: i64,
    /// Their members.
    pub people: i64,
}

from_row!(BudgetCell {
    line_id,
    assistance,
    country_of_return,
    office,
    committed,
    disbursed,
    cases,
    people
});

/// Households (and their members) with a plan that draws on the programme's budget,
/// each counted once in its group, whatever number of lines it uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetHouseholds {
    /// The group: an assistance type's code, or a country of return, as asked.
    pub key: String,
    pub office: Uuid,
    pub cases: i64,
    pub people: i64,
}

from_row!(BudgetHouseholds {
    key,
    office,
    cases,
    people
});

/// Scheduled follow-ups of a programme at one point of its schedule, where they stand on
/// a day, of cases followed up or closed (`Store::follow_up_counts`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUpCount {
    pub number: i64,
    /// `upcoming`, `due`, `overdue`, `missed`, `held_on_time` or `held_late`.
    pub status: String,
    /// 1 while their cases are followed up, 0 once closed.
    pub followed: i64,
    pub slots: i64,
}

from_row!(FollowUpCount {
    number,
    status,
    followed,
    slots
});

/// A row of the survey scores' kept sums (`score_totals`), as the read-model digest reads
/// it: its fields are read through `Debug`.
#[derive(Debug)]
#[allow(dead_code)]
pub(crate) struct ScoreTotal {
    pub programme: Uuid,
    pub kind: String,
    pub survey_key: String,
    pub survey_version: i64,
    pub band: i64,
    pub grp: String,
    pub host_office: Uuid,
    pub office: Uuid,
    pub month: NaiveDate,
    pub returnees: i64,
    pub economic_n: i64,
    pub economic_sum: i64,
    pub social_n: i64,
    pub social_sum: i64,
    pub psychosocial_n: i64,
    pub psychosocial_sum: i64,
    pub composite_n: i64,
    pub composite_sum: i64,
    pub sustainable_n: i64,
}

from_row!(ScoreTotal {
    programme,
    kind,
    survey_key,
    survey_version,
    band,
    grp,
    host_office,
    office,
    month,
    returnees,
    economic_n,
    economic_sum,
    social_n,
    social_sum,
    psychosocial_n,
    psychosocial_sum,
    composite_n,
    composite_sum,
    sustainable_n,
});

/// How `budget_households` groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HouseholdsBy {
    Assistance,
    Country,
}
