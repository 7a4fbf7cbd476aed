//! Statistics: what counts as a return, and the facts that figures are made of. Each
//! figure is defined once, here; storage aggregates these facts, interfaces show them.
//!
//! Definitions (shown to readers with every figure):
//! - A **return** is a person on a case whose departure was confirmed. Withdrawn,
//!   rejected and no-show cases never count; a case re-opened after a withdrawal counts
//!   once it departs.
//! - The **year** of a return is the year of the departure date in UTC.
//! - **Age** is the age at departure (an estimated year of birth counts as born on
//!   1 January of that year).
//! - A **case** (household) counts once; its **people** count each.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::Stage;
use crate::case::{Case, Event, RecordedEvent};
pub use crate::disclosure::Shape;

mod each;

use crate::person::{DateOfBirth, LegalSituation, Sex, Vulnerability};
pub use each::{ANY, ByEach, NONE, TableAsked};

/// Age groups of the figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum AgeGroup {
    #[serde(rename = "0-4")]
    From0To4,
    #[serde(rename = "5-11")]
    From5To11,
    #[serde(rename = "12-17")]
    From12To17,
    #[serde(rename = "18-24")]
    From18To24,
    #[serde(rename = "25-59")]
    From25To59,
    #[serde(rename = "60+")]
    From60,
}

impl AgeGroup {
    pub const ALL: [AgeGroup; 6] = [
        AgeGroup::From0To4,
        AgeGroup::From5To11,
        AgeGroup::From12To17,
        AgeGroup::From18To24,
        AgeGroup::From25To59,
        AgeGroup::From60,
    ];

    pub fn of(age: i32) -> AgeGroup {
        match age {
            i32::MIN..=4 => AgeGroup::From0To4,
            5..=11 => AgeGroup::From5To11,
            12..=17 => AgeGroup::From12To17,
            18..=24 => AgeGroup::From18To24,
            25..=59 => AgeGroup::From25To59,
            _ => AgeGroup::From60,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            AgeGroup::From0To4 => "0-4",
            AgeGroup::From5To11 => "5-11",
            AgeGroup::From12To17 => "12-17",
            AgeGroup::From18To24 => "18-24",
            AgeGroup::From25To59 => "25-59",
            AgeGroup::From60 => "60+",
        }
    }

    pub fn is_child(self) -> bool {
        matches!(
            self,
            AgeGroup::From0To4 | AgeGroup::From5To11 | AgeGroup::From12To17
        )
    }

    /// The coarser group it belongs to: children (`CHILDREN`) or adults (`ADULTS`).
    pub fn childhood(self) -> &'static str {
        if self.is_child() { CHILDREN } else { ADULTS }
    }

    pub fn from_code(code: &str) -> Option<AgeGroup> {
        AgeGroup::ALL.into_iter().find(|a| a.code() == code)
    }
}

/// The key of children (under 18) in the `Dim::Children` grouping.
pub const CHILDREN: &str = "under_18";
/// The key of adults in the `Dim::Children` grouping.
pub const ADULTS: &str = "18_and_over";

/// A dimension of the returns figures: what a table's rows or columns group people by.
/// Its code names it in the API, the pages, the exports and the store's columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dim {
    Year,
    HostCountry,
    HostRegion,
    HostSubregion,
    /// The host country's IOM regional grouping (`countries::iom_region`).
    #[serde(rename = "host_region_iom")]
    HostIomRegion,
    /// Whether the case departed from one of its programme's countries of transit
    /// (`HostOrTransit`, fixed when the departure is recorded): keys `host` and
    /// `transit`, none for departures confirmed before they were told apart.
    HostOrTransit,
    ReturnCountry,
    ReturnRegion,
    ReturnSubregion,
    /// The country of return's IOM regional grouping.
    #[serde(rename = "return_region_iom")]
    ReturnIomRegion,
    Sex,
    AgeGroup,
    /// Children (under 18) and adults, by the age group.
    Children,
    LegalSituation,
    Programme,
    Office,
}

impl Dim {
    pub const ALL: [Dim; 16] = [
        Dim::Year,
        Dim::HostCountry,
        Dim::HostRegion,
        Dim::HostSubregion,
        Dim::HostIomRegion,
        Dim::HostOrTransit,
        Dim::ReturnCountry,
        Dim::ReturnRegion,
        Dim::ReturnSubregion,
        Dim::ReturnIomRegion,
        Dim::Sex,
        Dim::AgeGroup,
        Dim::Children,
        Dim::LegalSituation,
        Dim::Programme,
        Dim::Office,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Dim::Year => "year",
            Dim::HostCountry => "host_country",
            Dim::HostRegion => "host_region",
            Dim::HostSubregion => "host_subregion",
            Dim::HostIomRegion => "host_region_iom",
            Dim::HostOrTransit => "host_or_transit",
            Dim::ReturnCountry => "return_country",
            Dim::ReturnRegion => "return_region",
            Dim::ReturnSubregion => "return_subregion",
            Dim::ReturnIomRegion => "return_region_iom",
            Dim::Sex => "sex",
            Dim::AgeGroup => "age_group",
            Dim::Children => "children",
            Dim::LegalSituation => "legal_situation",
            Dim::Programme => "programme",
            Dim::Office => "office",
        }
    }

    pub fn from_code(code: &str) -> Option<Dim> {
        Dim::ALL.into_iter().find(|d| d.code() == code)
    }

    /// Whether only readers of exact figures may group by it. Host or transit sums host
    /// countries as each programme's settings stood at each departure: no reference data
    /// links its keys to the host countries', so the suppression in tables by host country
    /// (and their regions) could not be held to it, and a table by host or transit, less a
    /// table by host country, would give a hidden country of transit.
    pub fn exact_only(self) -> bool {
        matches!(self, Dim::HostOrTransit)
    }

    /// Whether it describes each person (a household's people may differ) rather than
    /// the case: a household is then in several of its keys, and a total of households
    /// is not the sum of its cells.
    pub fn describes_people(self) -> bool {
        matches!(
            self,
            Dim::Sex | Dim::AgeGroup | Dim::Children | Dim::LegalSituation
        )
    }

    /// The dimension whose keys group this one's (`parent`), if there is one.
    pub fn coarser(self) -> Option<Dim> {
        match self {
            Dim::HostCountry => Some(Dim::HostSubregion),
            Dim::HostSubregion => Some(Dim::HostRegion),
            Dim::ReturnCountry => Some(Dim::ReturnSubregion),
            Dim::ReturnSubregion => Some(Dim::ReturnRegion),
            Dim::AgeGroup => Some(Dim::Children),
            _ => None,
        }
    }

    /// Every dimension whose keys group this one's: `coarser`, and a country's IOM
    /// regional grouping (a second scheme of regions over the same countries).
    pub fn groupings(self) -> Vec<Dim> {
        let iom = match self {
            Dim::HostCountry => Some(Dim::HostIomRegion),
            Dim::ReturnCountry => Some(Dim::ReturnIomRegion),
            _ => None,
        };
        self.coarser().into_iter().chain(iom).collect()
    }

    /// The key of the coarser dimension (`coarser`) a key of this one belongs to: a
    /// country's UN M49 sub-region, a sub-region's region, an age group's childhood.
    /// `None` where there is no coarser dimension or the key is unknown ("not recorded").
    pub fn parent(self, code: &str) -> Option<&'static str> {
        self.parent_in(self.coarser()?, code)
    }

    /// The key of `coarser` (one of `groupings`) a key of this one belongs to.
    pub fn parent_in(self, coarser: Dim, code: &str) -> Option<&'static str> {
        match (self, coarser) {
            (Dim::HostCountry, Dim::HostSubregion) | (Dim::ReturnCountry, Dim::ReturnSubregion) => {
                crate::countries::info(code).map(|c| c.subregion.as_str())
            }
            (Dim::HostCountry, Dim::HostIomRegion) | (Dim::ReturnCountry, Dim::ReturnIomRegion) => {
                crate::countries::iom_region(code)
            }
            (Dim::HostSubregion, Dim::HostRegion) | (Dim::ReturnSubregion, Dim::ReturnRegion) => {
                crate::countries::region_of_subregion(code)
            }
            (Dim::AgeGroup, Dim::Children) => AgeGroup::from_code(code).map(AgeGroup::childhood),
            _ => None,
        }
    }
}

/// Whether a case left from a host country that its programme counted, when the
/// departure was recorded, as a country people cross rather than settle in
/// (`ProgrammeSettings::transit_countries`). Fixed then (a departure recorded late, with
/// an earlier date, takes the settings of the day it is recorded): a later change to the
/// settings leaves past returns as they were counted, so that no two tables, asked before and after a change,
/// give by their difference the returns of one country.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum HostOrTransit {
    Host,
    Transit,
}

impl HostOrTransit {
    /// The key of `Dim::HostOrTransit`.
    pub fn code(self) -> &'static str {
        match self {
            HostOrTransit::Host => "host",
            HostOrTransit::Transit => "transit",
        }
    }
}

/// The age in whole years on `on`; an estimated year counts from 1 January.
pub fn age_at(dob: DateOfBirth, on: NaiveDate) -> i32 {
    match dob {
        DateOfBirth::Exact(_) => dob.age_on(on),
        DateOfBirth::EstimatedYear(y) => NaiveDate::from_ymd_opt(y, 1, 1)
            .map(|d| DateOfBirth::Exact(d).age_on(on))
            .unwrap_or(0),
    }
}

/// One person who returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnFact {
    pub person_id: uuid::Uuid,
    pub departed_on: NaiveDate,
    pub year: i32,
    pub sex: Sex,
    pub age_group: AgeGroup,
    /// Bit mask of [`Vulnerability`].
    pub vulnerabilities: i64,
    /// Bit mask of the assistance received (`Reintegration::received_by`).
    pub assistance: i64,
    pub legal_situation: LegalSituation,
    /// None: departed before departures were told apart.
    pub host_or_transit: Option<HostOrTransit>,
}

/// The returns of a case: its members, if its departure was confirmed.
pub fn returns_of(case: &Case) -> Vec<ReturnFact> {
    let Some(departed) = case.dates.departed else {
        return vec![];
    };
    let day = departed.date_naive();
    case.members
        .iter()
        .map(|m| ReturnFact {
            person_id: m.person_id.0,
            departed_on: day,
            year: day.year(),
            sex: m.details.sex,
            age_group: AgeGroup::of(age_at(m.details.date_of_birth, day)),
            vulnerabilities: Vulnerability::mask(&m.details.vulnerabilities),
            assistance: case.reintegration.received_by(m.person_id),
            legal_situation: m.details.legal_situation,
            host_or_transit: case.host_or_transit,
        })
        .collect()
}

/// The reintegration options one returnee first took up in one month: the types of
/// which a delivery first counted for them (`Reintegration::received_by`) at the end of
/// that month, of the events recorded by then. What is recorded later (a reversal, a
/// correction) leaves that month as it was: a month, once ended, counts the same forever,
/// so that two readings of past months never differ by one returnee's assistance. A type
/// is taken up once, in one month; a returnee may take up others in later months.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct TakenUp<T> {
    pub person_id: uuid::Uuid,
    /// The first day of the month.
    pub month: NaiveDate,
    /// A mask of `AssistanceType::bit`, never empty.
    pub assistance: i64,
    /// The returnee as the first month they took up an option ended (`taken_up_of`'s
    /// `describe`): the figures count every month of theirs by it, so that no later
    /// correction of their details moves a month that has ended, and all their months
    /// fall in the same cells.
    pub returnee: T,
}

/// The first day of the month of `at` (UTC).
fn month_start(at: chrono::DateTime<chrono::Utc>) -> NaiveDate {
    first_of_month(at.date_naive())
}

/// The first day of `day`'s month: how figures kept by month name it.
pub fn first_of_month(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

/// The month an event counts in, by its recording: that of its `recorded_at` (UTC), or
/// of an event recorded before it, if later (a clock set back moves no month back).
/// Figures "as a month ended" read the events of the months up to it.
pub fn recorded_months(events: &[RecordedEvent]) -> Vec<NaiveDate> {
    let mut month: Option<NaiveDate> = None;
    events
        .iter()
        .map(|e| {
            let m = month_start(e.meta.recorded_at).max(month.unwrap_or(NaiveDate::MIN));
            month = Some(m);
            m
        })
        .collect()
}

/// The case as each month of its events ended (`recorded_months`), in order, given to
/// `f` with the month. A prefix that does not replay ends it (a stream that replays
/// has none).
pub fn at_month_ends(events: &[RecordedEvent], mut f: impl FnMut(NaiveDate, &Case)) {
    let months = recorded_months(events);
    let mut ends: Vec<(usize, NaiveDate)> = vec![];
    for (n, m) in months.iter().enumerate() {
        if months.get(n + 1) != Some(m) {
            ends.push((n + 1, *m));
        }
    }
    let mut state: Option<(usize, Case)> = None;
    for (end, m) in ends {
        let next = match &state {
            Some((at, c)) => c.advance(&events[..*at], &events[*at..end]),
            None => Case::replay(&events[..end]),
        };
        let Ok(next) = next else { break };
        f(m, &next);
        state = Some((end, next));
    }
}

/// The options taken up by the returnees of a case (`returns_of`), by person and month
/// (`TakenUp`), from its events in order; `case` is their replay. `describe` tells a
/// returnee as the case stood when the first month they took up an option ended.
pub fn taken_up_of<T: Clone>(
    case: &Case,
    events: &[RecordedEvent],
    describe: impl Fn(&Case, &ReturnFact) -> T,
) -> Vec<TakenUp<T>> {
    use std::collections::BTreeMap;
    let returned: Vec<uuid::Uuid> = returns_of(case).iter().map(|r| r.person_id).collect();
    if returned.is_empty() || case.reintegration.deliveries.is_empty() {
        return vec![];
    }
    // person -> the types found so far, and how they were described.
    let mut seen: BTreeMap<uuid::Uuid, (i64, T)> = BTreeMap::new();
    let mut found: Vec<TakenUp<T>> = vec![];
    at_month_ends(events, |m, state| {
        if state.reintegration.deliveries.is_empty() {
            return;
        }
        let facts = returns_of(state);
        for fact in facts.iter().filter(|f| returned.contains(&f.person_id)) {
            let person = fact.person_id;
            let mask = state
                .reintegration
                .received_by(crate::ids::PersonId(person));
            let known = seen.get(&person).map_or(0, |(k, _)| *k);
            let new = mask & !known;
            if new == 0 {
                continue;
            }
            let returnee = match seen.get_mut(&person) {
                Some((k, returnee)) => {
                    *k |= new;
                    returnee.clone()
                }
                None => {
                    let returnee = describe(state, fact);
                    seen.insert(person, (new, returnee.clone()));
                    returnee
                }
            };
            found.push(TakenUp {
                person_id: person,
                month: m,
                assistance: new,
                returnee,
            });
        }
    });
    found
}

/// What ended or interrupted a case's way home.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Interruption {
    Withdrawal,
    Rejection,
    NoShow,
}

impl Interruption {
    pub fn code(self) -> &'static str {
        match self {
            Interruption::Withdrawal => "withdrawal",
            Interruption::Rejection => "rejection",
            Interruption::NoShow => "no_show",
        }
    }
}

/// A withdrawal, rejection or no-show: when, and at which stage the case was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterruptionFact {
    pub kind: Interruption,
    pub on: NaiveDate,
    pub year: i32,
    pub stage: Stage,
}

/// The interruptions of a case, from its events (a case may withdraw, re-open and
/// withdraw again: each counts).
pub fn interruptions_of(events: &[RecordedEvent]) -> Vec<InterruptionFact> {
    let mut out = vec![];
    for (i, e) in events.iter().enumerate() {
        let kind = match e.event {
            Event::CaseWithdrawn { .. } => Interruption::Withdrawal,
            Event::ApplicationRejected { .. } => Interruption::Rejection,
            Event::NoShowRecorded { .. } => Interruption::NoShow,
            _ => continue,
        };
        let stage = Case::replay(&events[..i])
            .map(|c| c.stage)
            .unwrap_or(Stage::Registered);
        let on = e.meta.occurred_at.date_naive();
        out.push(InterruptionFact {
            kind,
            on,
            year: on.year(),
            stage,
        });
    }
    out
}

/// Days from one date to another, when both are known.
pub fn days_between(
    from: Option<chrono::DateTime<chrono::Utc>>,
    to: Option<chrono::DateTime<chrono::Utc>>,
) -> Option<i64> {
    Some((to? - from?).num_days())
}

/// The value at a percentile (0–100) of sorted values, by the nearest-rank method.
pub fn percentile<T: Copy>(sorted: &[T], p: u8) -> Option<T> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((f64::from(p) / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted.get(rank.clamp(1, sorted.len()) - 1).copied()
}

/// Whether the `p`th percentile of `n` durations may be told to a reader who may not see
/// counts below `threshold`: of at least the threshold of them, and not the longest (by
/// nearest rank, the 90th percentile of fewer than ten is the longest, one person's).
pub fn percentile_told(n: usize, p: u8, threshold: i64) -> bool {
    let rank = (usize::from(p) * n).div_ceil(100);
    n as i64 >= threshold.max(1) && (p <= 50 || rank < n)
}

/// For readers who may not see small numbers, a period is whole months: two periods
/// that differ by a day would give, subtracted, the returns of that day. What is wrong
/// with `from` and `until` (the first and last days of a period, each optional).
pub fn whole_months(
    from: Option<NaiveDate>,
    until: Option<NaiveDate>,
) -> Vec<crate::rules::Violation> {
    let mut wrong = vec![];
    if let Some(d) = from.filter(|d| d.day() != 1) {
        wrong.push(
            crate::rules::Violation::new(
                "period.whole_months",
                format!("protected figures start on the first day of a month, not on {d}"),
            )
            .at("from"),
        );
    }
    if let Some(d) = until.filter(|d| d.succ_opt().is_some_and(|next| next.day() != 1)) {
        wrong.push(
            crate::rules::Violation::new(
                "period.whole_months",
                format!("protected figures end on the last day of a month, not on {d}"),
            )
            .at("until"),
        );
    }
    wrong
}

/// The period a protected reader's figures cover: whole months (else what is wrong, as
/// `whole_months` says), ending no later than the last whole month before `today`. The
/// month under way is never counted: asked on two days, "from the first, no end" would
/// differ by the returns of the days between, and a subtraction would give them.
pub fn protected_period(
    from: Option<NaiveDate>,
    until: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<(Option<NaiveDate>, NaiveDate), Vec<crate::rules::Violation>> {
    let wrong = whole_months(from, until);
    if !wrong.is_empty() {
        return Err(wrong);
    }
    let last = last_whole_month(today);
    Ok((from, until.map_or(last, |u| u.min(last))))
}

/// The last day of the month of `day`.
pub fn month_end(day: NaiveDate) -> NaiveDate {
    first_of_month(day)
        .checked_add_months(chrono::Months::new(1))
        .and_then(|next| next.pred_opt())
        .unwrap_or(day)
}

/// The last day of the last whole month before `today`.
pub fn last_whole_month(today: NaiveDate) -> NaiveDate {
    today
        .with_day(1)
        .and_then(|first| first.pred_opt())
        .unwrap_or(today)
}

/// The last day of the last month whose recording is settled at `now`: ended more than a
/// day ago. Figures by the month a change was recorded in (options taken up, the
/// budget's) are read by protected readers up to it: a write decided as a month ended
/// may be committed just after, and two readings either side of it would tell it.
pub fn settled_month_end(now: chrono::DateTime<chrono::Utc>) -> NaiveDate {
    last_whole_month((now - chrono::Duration::days(1)).date_naive())
}

/// A cell of a published table: a count, or suppressed. Written as a number, or `null`
/// when suppressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell {
    Count(i64),
    Suppressed,
}

impl Cell {
    pub fn count(self) -> Option<i64> {
        match self {
            Cell::Count(n) => Some(n),
            Cell::Suppressed => None,
        }
    }
}

impl Serialize for Cell {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.count().serialize(s)
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Cell {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
                utoipa::openapi::schema::Type::Integer,
                utoipa::openapi::schema::Type::Null,
            ]))
            .description(Some(
                "A count, or null where suppressed to protect small numbers",
            ))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Cell {}

/// A table as published: cells, row and column totals, and the grand total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Published {
    pub cells: Vec<Vec<Cell>>,
    pub row_totals: Vec<Cell>,
    pub column_totals: Vec<Cell>,
    pub total: Cell,
}

/// A table's counts: its cells and its totals, each a count of its own. A total is what
/// its definition counts, not always the sum of its cells: a household with a woman and
/// a man counts in both the women's and the men's column, and once in the total; a person
/// with two vulnerabilities counts in two rows, and once in the total.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counts {
    pub cells: Vec<Vec<i64>>,
    pub row_totals: Vec<i64>,
    pub column_totals: Vec<i64>,
    pub total: i64,
}

impl Counts {
    /// The same counts, rows as columns.
    pub fn transposed(&self) -> Counts {
        let cols = self.cells.iter().map(Vec::len).max().unwrap_or(0);
        Counts {
            cells: (0..cols)
                .map(|c| {
                    self.cells
                        .iter()
                        .map(|r| r.get(c).copied().unwrap_or(0))
                        .collect()
                })
                .collect(),
            row_totals: self.column_totals.clone(),
            column_totals: self.row_totals.clone(),
            total: self.total,
        }
    }

    /// Counts whose totals are the sums of their cells (each counted thing in one cell).
    pub fn additive(table: &[Vec<i64>]) -> Counts {
        let cols = table.iter().map(Vec::len).max().unwrap_or(0);
        let value = |r: &Vec<i64>, c: usize| r.get(c).copied().unwrap_or(0);
        Counts {
            cells: table
                .iter()
                .map(|r| (0..cols).map(|c| value(r, c)).collect())
                .collect(),
            row_totals: table.iter().map(|r| r.iter().sum()).collect(),
            column_totals: (0..cols)
                .map(|c| table.iter().map(|r| value(r, c)).sum())
                .collect(),
            total: table.iter().flatten().sum(),
        }
    }
}

/// Publishes a table as counted (for readers who may see small numbers).
pub fn exact(table: &[Vec<i64>]) -> Published {
    protect(table, 0)
}

/// Publishes counts as counted (for readers who may see small numbers).
pub fn exact_counts(counts: &Counts) -> Published {
    let cols = counts.cells.iter().map(Vec::len).max().unwrap_or(0);
    let at = |v: &[i64], i: usize| Cell::Count(v.get(i).copied().unwrap_or(0));
    Published {
        cells: counts
            .cells
            .iter()
            .map(|r| (0..cols).map(|c| at(r, c)).collect())
            .collect(),
        row_totals: (0..counts.cells.len())
            .map(|r| at(&counts.row_totals, r))
            .collect(),
        column_totals: (0..cols).map(|c| at(&counts.column_totals, c)).collect(),
        total: Cell::Count(counts.total),
    }
}

/// Small counts can identify people. For readers who may not see them, every count below
/// `threshold` (but not zero), totals included, is suppressed, and then enough others
/// that no suppressed small count can be narrowed, by any arithmetic on the table, its
/// totals and its one-dimensional tables, to an interval narrower than the threshold
/// (`disclosure::protect_table`).
pub fn protect(table: &[Vec<i64>], threshold: i64) -> Published {
    protect_linked(table, threshold, &Links::default())
}

/// Groups of rows (or of columns) whose sums another table publishes: the countries of
/// a sub-region, whose sum is the sub-region's count; the age groups under 18, whose sum
/// is the children's count.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Links {
    pub rows: Vec<Vec<usize>>,
    pub columns: Vec<Vec<usize>>,
}

impl Links {
    /// The same groups, rows as columns.
    pub fn transposed(&self) -> Links {
        Links {
            rows: self.columns.clone(),
            columns: self.rows.clone(),
        }
    }
}

/// [`protect`], and no group of `links` is left with exactly one suppressed cell in a
/// column (or row) where it has another to hide: else the coarser table's count, minus
/// this table's published cells, gives the suppressed one.
pub fn protect_linked(table: &[Vec<i64>], threshold: i64, links: &Links) -> Published {
    protect_counts(&Counts::additive(table), Shape::ADDITIVE, threshold, links)
}

/// Publishes counts whose totals are counted directly (`Counts`), in a table of `shape`,
/// for a reader who may not see counts below `threshold`: the suppression of
/// `disclosure::protect_table`, whose audit no hidden small count withstands less than
/// the threshold. A total is a figure like the others: below the threshold it is hidden
/// too.
pub fn protect_counts(counts: &Counts, shape: Shape, threshold: i64, links: &Links) -> Published {
    if threshold <= 1 {
        return exact_counts(counts);
    }
    crate::disclosure::protect_table(counts, shape, threshold, links)
}

/// The row, column and group rules of cell suppression, which the audit then completes:
/// from the cells already `hidden`, enough others hidden that no row, column or group of
/// `links` (whose sums coarser tables publish) keeps exactly one hidden cell where it has
/// another count to hide.
// A matrix walked by row and column: indices read clearer than iterators here.
#[allow(clippy::needless_range_loop)]
pub(crate) fn secondary(
    table: &[Vec<i64>],
    links: &Links,
    mut hidden: Vec<Vec<bool>>,
) -> Vec<Vec<bool>> {
    let rows = table.len();
    let cols = table.iter().map(Vec::len).max().unwrap_or(0);
    let value = |r: usize, c: usize| {
        table
            .get(r)
            .and_then(|row| row.get(c))
            .copied()
            .unwrap_or(0)
    };
    let hidden_in_row = |h: &Vec<Vec<bool>>, r: usize| h[r].iter().filter(|x| **x).count();
    let hidden_in_col = |h: &Vec<Vec<bool>>, c: usize| (0..rows).filter(|&r| h[r][c]).count();
    loop {
        let mut changed = false;
        for r in 0..rows {
            if hidden_in_row(&hidden, r) == 1 {
                let pick = (0..cols)
                    .filter(|&c| !hidden[r][c] && value(r, c) > 0)
                    .min_by_key(|&c| value(r, c));
                if let Some(c) = pick {
                    hidden[r][c] = true;
                    changed = true;
                }
            }
        }
        for c in 0..cols {
            if rows > 1 && hidden_in_col(&hidden, c) == 1 {
                let pick = (0..rows)
                    .filter(|&r| !hidden[r][c] && value(r, c) > 0)
                    .min_by_key(|&r| value(r, c));
                if let Some(r) = pick {
                    hidden[r][c] = true;
                    changed = true;
                }
            }
        }
        for group in &links.rows {
            let group: Vec<usize> = group.iter().copied().filter(|&r| r < rows).collect();
            for c in 0..cols {
                if group.iter().filter(|&&r| hidden[r][c]).count() == 1 {
                    let pick = group
                        .iter()
                        .copied()
                        .filter(|&r| !hidden[r][c] && value(r, c) > 0)
                        .min_by_key(|&r| value(r, c));
                    if let Some(r) = pick {
                        hidden[r][c] = true;
                        changed = true;
                    }
                }
            }
        }
        for group in &links.columns {
            let group: Vec<usize> = group.iter().copied().filter(|&c| c < cols).collect();
            for r in 0..rows {
                if group.iter().filter(|&&c| hidden[r][c]).count() == 1 {
                    let pick = group
                        .iter()
                        .copied()
                        .filter(|&c| !hidden[r][c] && value(r, c) > 0)
                        .min_by_key(|&c| value(r, c));
                    if let Some(c) = pick {
                        hidden[r][c] = true;
                        changed = true;
                    }
                }
            }
        }
        if !changed {
            return hidden;
        }
    }
}

#[cfg(test)]
mod tests;

/// A returnee's scores for the programme reports: for each follow-up of the case's
/// schedule, the last survey answered in its time (from its window's opening until the
/// next one's, as `ScheduledFollowUp` holds), named by its months after arrival; a survey
/// answered before the first window opens is the baseline, 0. A follow-up held twice in
/// its time counts once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BandScores<'a> {
    pub band: u32,
    pub on: NaiveDate,
    pub answers: &'a crate::survey::SurveyAnswers,
}

/// The bands a case's surveys fall in, each with its last survey.
pub fn band_scores(case: &Case) -> Vec<BandScores<'_>> {
    let Some(arrived) = case.dates.arrived else {
        return vec![];
    };
    let mut out: Vec<BandScores<'_>> = vec![];
    // Follow-ups are kept in the order they happened: the last in a band is the latest.
    for (at, answers) in case.monitoring.score_history() {
        let on = at.date_naive();
        // The scheduled follow-up whose time it falls in (`Monitoring::slot_at`), by its
        // months after arrival; 0 before the first one's window opens.
        let band = case
            .monitoring
            .slot_at(arrived.date_naive(), on)
            .map_or(0, |s| u32::from(s.months_after_arrival));
        out.retain(|b| b.band != band);
        out.push(BandScores { band, on, answers });
    }
    out.sort_by_key(|b| b.band);
    out
}
