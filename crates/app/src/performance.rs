//! The programme report "performance" (issue #25, DESIGN.md "Monitoring and evaluation"):
//! how fast and how well the programme works. Days from application to departure (by year
//! of departure), the share of cases withdrawn, the scheduled follow-ups held on time
//! (by follow-up of the schedule, each counted by the one definition of its status,
//! `SlotStatus::of`), the share of returnees reached at least once, and, where the
//! programme has budgets, the share of what plans commit that was delivered and the
//! share of the budget executed (from `App::budget_report`).
//!
//! Read exactly by programme managers and M&E officers: a reader of their own offices'
//! figures reads the cases their offices host for cases, withdrawals and departures (as
//! the statistics' cube counts them), the cases they host or receive for follow-ups and
//! returnees reached (as their queues do), and the programme's money (as the budget page
//! tells it to them).
//!
//! Read protected by donors, auditors and administrators, as the last settled month
//! ended (`stats::settled_month_end`): read as they stand, one withdrawal or one
//! follow-up recorded between two readings would be told. Cases, withdrawals and
//! departures dated up to its last day (the cube's period); the departed by year as the
//! statistics' returns by year publish them (their protection is joint across tables: a
//! year hidden there as cover is hidden here); follow-ups and returnees reached from
//! their kept counts by the month each change was recorded in (`follow_up_months`),
//! summed up to that month and read on its last day, counted once per programme and
//! month (`SettledFollowUps`: they no longer change). Each table (withdrawn or not;
//! follow-ups by point of the schedule and where they stand; reached or not) is
//! protected as the statistics' are (`stats::protect`); the returned cases reached and
//! not, sums of the same follow-ups (exactly while one follow-up has opened), are hidden
//! where any follow-up but the upcoming is; a share is told only of figures shown; days
//! to departure only for a year of at least the threshold of durations, the 90th
//! percentile only where it is not the longest (ten or more).
//!
//! Known limits, as the statistics' own tables have them: cases, withdrawals and
//! departures are by the day each happened, so one recorded late but dated in a settled
//! month changes that month's figures once recorded (the pipeline page, read as it
//! stands, tells it too); two months' readings tell what a month changed (as the budget's
//! and the impact report's do); a median of at least the threshold of durations is one
//! of them; and these tables are not protected against the pipeline page's.
//!
//! A scheduled follow-up of a closed case that was not held is missed once its window
//! closed (it will not be held), and not counted before. The follow-ups are counted from
//! their kept counts (`follow_up_totals` as they stand, `follow_up_months` by month: a
//! row per day of the schedule, office and status, not per case), each row's status read
//! in SQL on the day. Known limit: a
//! follow-up of the schedule is labelled with its months in the programme's schedule
//! today.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use homeward_domain::case::monitoring::SlotCount;
use homeward_domain::ids::ProgrammeId;
use homeward_domain::stats::{Cell, Published, percentile, percentile_told, protect};
use homeward_store::{FollowUpCount, StatFilter};
use serde::Serialize;

use crate::auth::Principal;
use crate::{App, AppError, Result};

/// Departures in a year, and the days from application to departure.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeparturesInYear {
    /// The year of departure; none for the row of all years.
    pub year: Option<i64>,
    /// Cases (households) departed; `null` when hidden from a protected reader.
    pub departed: Option<i64>,
    /// Of the cases that applied: the median and 90th percentile, whole days (for a
    /// protected reader, only of a year of at least the threshold of departures shown).
    pub application_to_departure_median: Option<i64>,
    pub application_to_departure_p90: Option<i64>,
}

/// The scheduled follow-ups at one point of the schedule, by where they stand (each
/// `null` when hidden from a protected reader).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FollowUpFigures {
    /// From 1, in the schedule's order; none for the row of all of them.
    pub number: Option<u8>,
    /// Its months after arrival in the programme's schedule today, where it has one.
    pub months_after_arrival: Option<u8>,
    pub upcoming: Option<i64>,
    pub due: Option<i64>,
    pub overdue: Option<i64>,
    pub missed: Option<i64>,
    pub held_on_time: Option<i64>,
    pub held_late: Option<i64>,
    /// Held on time, as a share of those held or whose window closed, in percent to one
    /// decimal (none where one of them is hidden).
    pub on_time_percent: Option<f64>,
}

/// The programme's money, where it has budgets.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MoneyFigures {
    /// ISO 4217; amounts in its minor units.
    pub currency: String,
    pub budget: Option<i64>,
    pub committed: Option<i64>,
    pub disbursed: Option<i64>,
    /// Disbursed as a share of committed: assistance delivered, in percent to one decimal.
    pub delivered_percent: Option<f64>,
    /// Disbursed as a share of the budget, in percent to one decimal.
    pub executed_percent: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PerformanceReport {
    pub programme: ProgrammeId,
    /// Only the reader's offices' cases count.
    pub own_offices_only: bool,
    /// Small counts are hidden (`null`), with those that would give them away (a
    /// protected reader: a donor, an auditor, an administrator).
    pub protected: bool,
    /// Counts below this are hidden from a protected reader.
    pub threshold: i64,
    /// A protected reader's figures are as they stood at the end of this day (the last
    /// day of the last settled month); none: as they stand.
    pub as_of: Option<chrono::NaiveDate>,
    /// Cases registered in the programme, in every stage (`null` when hidden).
    pub cases: Option<i64>,
    /// Cases withdrawn, each once however many times (re-opened and withdrawn again).
    pub withdrawn: Option<i64>,
    pub withdrawn_percent: Option<f64>,
    /// By year of departure, then all years.
    pub departures: Vec<DeparturesInYear>,
    pub departures_total: DeparturesInYear,
    /// By follow-up of the schedule, then all of them.
    pub follow_ups: Vec<FollowUpFigures>,
    pub follow_ups_total: FollowUpFigures,
    /// Returned cases (households) with a follow-up whose window has opened.
    pub returnees_to_reach: Option<i64>,
    /// Of those, the cases whose returnees a follow-up reached in a window.
    pub returnees_reached: Option<i64>,
    pub reached_percent: Option<f64>,
    pub money: MoneyFigures,
    pub definitions: Vec<&'static str>,
}

pub const DEFINITIONS: [&str; 6] = [
    "Cases are counted in every stage, closed ones too; a case withdrawn counts once, however many times it was withdrawn (re-opened and withdrawn again), and its share is a share of the cases.",
    "Days from application to departure: from the day the application was submitted to the day the departure was confirmed, of the cases that departed that year having applied (whole days; the 90th percentile is the day by which nine in ten had departed).",
    "A scheduled follow-up is held when a follow-up reached the returnee in its time (from its window's opening until the next one's opens): on time within its window, late after it; missed when the next window opened first, or when its window closed on a closed case; overdue when its window closed and it may still be held. On time is a share of those held, missed or overdue.",
    "Returned cases reached: returned cases (households) with a scheduled follow-up whose window has opened, and of those the ones a follow-up held.",
    "Assistance delivered: what deliveries disbursed as a share of what approved plans commit; budget executed: disbursed as a share of the grants' budgets (the budget page tells each grant and line).",
    "Where small numbers are protected (as_of): cases registered, withdrawn and departed up to the end of the last settled month, by the day each happened (one recorded later but dated before counts once it is recorded), the departures by year as the statistics publish them; follow-ups and returned cases reached as recorded up to then, each read on that day; money as the budget page tells it. A count below the threshold is hidden, with the counts that would give it away; returned cases reached are hidden where a follow-up that counts for them is; days to departure are given only for a year of at least the threshold of cases that applied, the 90th percentile only from ten.",
];

/// `n` as a share of `of`, in percent to one decimal; none of nothing.
pub(crate) fn percent(n: i64, of: i64) -> Option<f64> {
    (of > 0).then(|| (n as f64 * 1000.0 / of as f64).round() / 10.0)
}

/// `percent` of two figures either of which may be hidden.
fn percent_of(n: Option<i64>, of: Option<i64>) -> Option<f64> {
    percent(n?, of?)
}

/// Days from application to departure of a group: how many, their median and 90th
/// percentile (the durations themselves are not kept past the cube's pass: at a million
/// cases they are megabytes a request).
#[derive(Debug, Clone, Copy, Default)]
struct Days {
    n: usize,
    median: Option<i64>,
    p90: Option<i64>,
}

impl Days {
    /// Of `sorted` durations.
    fn of(sorted: &[i32]) -> Days {
        Days {
            n: sorted.len(),
            median: percentile(sorted, 50).map(i64::from),
            p90: percentile(sorted, 90).map(i64::from),
        }
    }
}

/// Days from application to departure, in a row of `departed` cases. For a protected
/// reader (`threshold`), only of a row whose departures are shown and whose durations
/// are at least the threshold, and the 90th percentile only where it is not the longest
/// of them (nearest rank: fewer than ten durations make it the longest, one person's).
fn departures(
    year: Option<i64>,
    departed: Option<i64>,
    days: Days,
    threshold: Option<i64>,
) -> DeparturesInYear {
    let told =
        |p: u8| threshold.is_none_or(|t| departed.is_some() && percentile_told(days.n, p, t));
    DeparturesInYear {
        year,
        departed,
        application_to_departure_median: days.median.filter(|_| told(50)),
        application_to_departure_p90: days.p90.filter(|_| told(90)),
    }
}

/// Where a scheduled follow-up counts, from where it stands (as `Store::
/// follow_up_counts` names it, `SlotCount::code`) and whether its case is still followed
/// up (the rule: `SlotCount::counted`); none for a name that is not a count's.
pub fn counted(status: &str, followed: bool) -> Option<SlotCount> {
    SlotCount::from_code(status)?.counted(followed)
}

/// The columns of the follow-ups' table, in order.
const SLOT_COUNTS: [SlotCount; 6] = [
    SlotCount::Upcoming,
    SlotCount::Due,
    SlotCount::Overdue,
    SlotCount::Missed,
    SlotCount::HeldOnTime,
    SlotCount::HeldLate,
];

impl FollowUpFigures {
    /// A line of the follow-ups' table, its cells in `SLOT_COUNTS`' order.
    fn of(number: Option<u8>, months_after_arrival: Option<u8>, cells: &[Cell]) -> FollowUpFigures {
        let cell = |c: SlotCount| {
            SLOT_COUNTS
                .iter()
                .position(|s| *s == c)
                .and_then(|n| cells.get(n))
                .and_then(|c| c.count())
        };
        let [upcoming, due, overdue, missed, held_on_time, held_late] = SLOT_COUNTS.map(cell);
        // Judged: held, missed or overdue; a share only of figures all shown.
        let closed = [held_on_time, held_late, missed, overdue]
            .into_iter()
            .sum::<Option<i64>>();
        FollowUpFigures {
            number,
            months_after_arrival,
            upcoming,
            due,
            overdue,
            missed,
            held_on_time,
            held_late,
            on_time_percent: percent_of(held_on_time, closed),
        }
    }
}

/// Whether the follow-ups' table hides a follow-up that counts for the returned cases to
/// reach or reached: one that is not upcoming (the totals' too).
fn judged_hidden(follow_ups: &Published) -> bool {
    follow_ups
        .cells
        .iter()
        .chain([&follow_ups.column_totals])
        .any(|line| {
            line.iter()
                .zip(SLOT_COUNTS)
                .any(|(c, s)| s != SlotCount::Upcoming && c.count().is_none())
        })
}

/// A programme's follow-up counts as a month ended: by follow-up, status and whether
/// followed up; the returned cases to reach and reached (`Store::follow_up_counts`).
type FollowUpCounts = (Vec<FollowUpCount>, i64, i64);

/// The follow-up counts of each programme as the last settled month ended, counted once:
/// they no longer change (a commit counts in the month it is written in, later than a
/// settled month). Only the latest month read is kept.
#[derive(Default)]
pub(crate) struct SettledFollowUps {
    kept: Mutex<(NaiveDate, HashMap<ProgrammeId, Arc<FollowUpCounts>>)>,
}

impl App {
    /// The follow-up counts of every office's cases of a programme as the month of
    /// `until` ended, read on its last day; kept once that month is settled.
    async fn settled_follow_ups(
        &self,
        id: ProgrammeId,
        until: NaiveDate,
    ) -> Result<Arc<FollowUpCounts>> {
        let settled = until <= homeward_domain::stats::settled_month_end(crate::now());
        let cache = &self.inner.settled_follow_ups.kept;
        let known = cache
            .lock()
            .ok()
            .filter(|k| k.0 == until)
            .and_then(|k| k.1.get(&id).cloned());
        if let Some(counts) = known.filter(|_| settled) {
            return Ok(counts);
        }
        let counts = Arc::new(
            self.store()
                .follow_up_counts(id, None, until, Some(until))
                .await?,
        );
        if settled && let Ok(mut k) = cache.lock() {
            if k.0 != until {
                *k = (until, HashMap::new());
            }
            k.1.insert(id, counts.clone());
        }
        Ok(counts)
    }

    /// The performance report of a programme: as it stands today, or for a protected
    /// reader as the last settled month ended.
    pub async fn performance_report(
        &self,
        p: &Principal,
        id: ProgrammeId,
    ) -> Result<PerformanceReport> {
        let last = homeward_domain::stats::settled_month_end(crate::now());
        self.performance_report_until(p, id, last).await
    }

    /// `performance_report`, with a protected reader's figures as the month of `until`
    /// ended (its last day). The interfaces call `performance_report`; this is for tests
    /// (which write nothing in past months) and reports of a closed period. The
    /// departures by year are those the statistics publish, of a period that ends with
    /// the last whole month at the latest, and the money the budget page's, as the last
    /// settled month ended.
    pub async fn performance_report_until(
        &self,
        p: &Principal,
        id: ProgrammeId,
        until: NaiveDate,
    ) -> Result<PerformanceReport> {
        let access = crate::stats::access(p).ok_or_else(|| {
            AppError::Forbidden(
                "the performance report is for programme managers, M&E officers, donors, auditors and administrators"
                    .into(),
            )
        })?;
        let programme = self.get_programme(id).await?;
        // Read as the month of `until` ended.
        let until = homeward_domain::stats::month_end(until);
        let offices: Option<Vec<uuid::Uuid>> = access
            .offices
            .as_ref()
            .map(|o| o.iter().map(|o| o.0).collect());
        let as_of = (!access.exact).then_some(until);
        // Exact figures go through the same tables, with nothing to hide.
        let threshold = match access.exact {
            true => 0,
            false => self.stats_threshold(),
        };
        // Cases, withdrawals and durations from the statistics' cube, in one pass: a
        // protected reader's those dated up to `until`.
        let filter = StatFilter {
            programme: Some(id.0),
            offices: offices.clone(),
            until: as_of,
            ..StatFilter::default()
        };
        let counts = self
            .stats_cube()
            .pipeline(self.store(), filter, |mut counts| {
                let withdrawn = counts
                    .interrupted_cases
                    .get("withdrawal")
                    .copied()
                    .unwrap_or(0);
                // Merged over countries, by year, each sorted.
                let mut by_year: BTreeMap<i64, (i64, Vec<i32>)> = BTreeMap::new();
                for ((year, _), (applied, registered)) in std::mem::take(&mut counts.durations) {
                    let y = by_year.entry(year).or_default();
                    y.0 += registered.len() as i64;
                    y.1.extend(applied);
                }
                let mut all: Vec<i32> =
                    Vec::with_capacity(by_year.values().map(|y| y.1.len()).sum());
                for (_, days) in by_year.values_mut() {
                    days.sort_unstable();
                    all.extend(days.iter());
                }
                all.sort_unstable();
                let total = (
                    by_year.values().map(|(n, _)| n).sum::<i64>(),
                    Days::of(&all),
                );
                let by_year: BTreeMap<i64, (i64, Days)> = by_year
                    .into_iter()
                    .map(|(year, (n, days))| (year, (n, Days::of(&days))))
                    .collect();
                (counts.registered, withdrawn, by_year, total)
            })
            .await?;
        let (cases, withdrawn, by_year, (departed_total, all)) = counts;
        let published = protect(&[vec![withdrawn, cases - withdrawn]], threshold);
        let withdrawn = published
            .cells
            .first()
            .and_then(|r| r.first())
            .and_then(|c| c.count());
        let cases = published.total.count();

        // Departed by year: a protected reader's as the statistics publish them (their
        // protection is joint across tables: counted again here, a year they hide as
        // cover would be told).
        let (departed, total): (BTreeMap<i64, Option<i64>>, Option<i64>) = match as_of {
            None => (
                by_year.iter().map(|(y, (n, _))| (*y, Some(*n))).collect(),
                Some(departed_total),
            ),
            Some(until) => {
                let table = self
                    .returns_table(
                        p,
                        crate::stats::ReturnsQuery {
                            rows: Some(homeward_store::Dim::Year),
                            filter: StatFilter {
                                programme: Some(id.0),
                                until: Some(until),
                                ..StatFilter::default()
                            },
                            ..Default::default()
                        },
                    )
                    .await?;
                let years = table
                    .row_keys
                    .iter()
                    .zip(&table.cases.cells)
                    .filter_map(|(k, cells)| {
                        Some((k.code.parse().ok()?, cells.first().and_then(|c| c.count())))
                    })
                    .collect();
                (years, table.cases.total.count())
            }
        };
        let rule = as_of.map(|_| threshold);
        let years = departed
            .iter()
            .map(|(year, n)| {
                let days = by_year.get(year).map(|(_, d)| *d).unwrap_or_default();
                departures(Some(*year), *n, days, rule)
            })
            .collect();
        let departures_total = departures(None, total, all, rule);

        // Follow-ups, counted in SQL by the one definition of their status: a protected
        // reader's as recorded up to `until`, read on that day.
        let scope = offices.as_ref().map(|_| crate::cases::scope_of(&p.actor));
        let counted_now = match (as_of, &scope) {
            // Every office's, as a month ended: kept once settled.
            (Some(until), None) => self.settled_follow_ups(id, until).await?,
            _ => {
                let today = as_of.unwrap_or_else(|| crate::now().date_naive());
                Arc::new(
                    self.store()
                        .follow_up_counts(id, scope.as_ref(), today, as_of)
                        .await?,
                )
            }
        };
        let (counts, to_reach, reached) = &*counted_now;
        let (to_reach, reached) = (*to_reach, *reached);
        let mut by_number: BTreeMap<i64, [i64; 6]> = BTreeMap::new();
        for c in counts {
            let Some(status) = counted(&c.status, c.followed != 0) else {
                continue;
            };
            if let Some(n) = SLOT_COUNTS.iter().position(|s| *s == status) {
                by_number.entry(c.number).or_default()[n] += c.slots;
            }
        }
        let table: Vec<Vec<i64>> = by_number.values().map(|r| r.to_vec()).collect();
        let published = protect(&table, threshold);
        let schedule = &programme.settings.monitoring.schedule;
        let follow_ups = by_number
            .keys()
            .zip(&published.cells)
            .map(|(number, cells)| {
                let number = u8::try_from(*number).ok();
                let months = number
                    .and_then(|n| schedule.get(usize::from(n).checked_sub(1)?))
                    .map(|s| s.months_after_arrival);
                FollowUpFigures::of(number, months, cells)
            })
            .collect();
        // None counted: none of any status (an empty table has no column totals).
        let totals = match published.column_totals.is_empty() {
            true => vec![Cell::Count(0); SLOT_COUNTS.len()],
            false => published.column_totals.clone(),
        };
        let follow_ups_total = FollowUpFigures::of(None, None, &totals);
        // The returned cases reached and not are sums of the same follow-ups (exactly so
        // while one follow-up of the schedule has opened): told only where no follow-up
        // that counts for them is hidden.
        let judged_hidden = judged_hidden(&published);
        let published = protect(&[vec![reached, to_reach - reached]], threshold);
        let (returnees_reached, returnees_to_reach) = match judged_hidden {
            true => (None, None),
            false => (
                published
                    .cells
                    .first()
                    .and_then(|r| r.first())
                    .and_then(|c| c.count()),
                published.total.count(),
            ),
        };

        // Money, as the budget page tells it to the same reader.
        let budget = self.budget_report(p, id).await?;
        let t = &budget.total;
        let money = MoneyFigures {
            currency: budget.currency.to_string(),
            budget: t.budget,
            committed: t.committed,
            disbursed: t.disbursed,
            delivered_percent: percent_of(t.disbursed, t.committed),
            executed_percent: t.executed_percent,
        };
        Ok(PerformanceReport {
            programme: id,
            own_offices_only: offices.is_some(),
            protected: !access.exact,
            threshold: self.stats_threshold(),
            as_of,
            cases,
            withdrawn,
            withdrawn_percent: percent_of(withdrawn, cases),
            departures: years,
            departures_total,
            follow_ups,
            follow_ups_total,
            returnees_to_reach,
            returnees_reached,
            reached_percent: percent_of(returnees_reached, returnees_to_reach),
            money,
            definitions: DEFINITIONS.to_vec(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use homeward_domain::case::monitoring::SlotStatus;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap_or_default()
    }

    /// On time is a share of the follow-ups held or whose window closed: those due now
    /// or upcoming are not yet judged.
    #[test]
    fn on_time_counts_only_follow_ups_held_or_closed() {
        let mut line = [0i64; 6];
        let today = day(20);
        for (opens, closes, missed, held) in [
            (day(1), day(10), None, Some(day(5))),  // on time
            (day(1), day(10), None, Some(day(12))), // late
            (day(1), day(10), Some(day(15)), None), // missed
            (day(1), day(10), None, None),          // overdue
            (day(15), day(25), None, None),         // due
            (day(25), day(30), None, None),         // upcoming
        ] {
            let status = SlotStatus::of(opens, closes, missed, held, today);
            if let Some(s) = counted(SlotCount::of(status).code(), true)
                && let Some(n) = SLOT_COUNTS.iter().position(|c| *c == s)
            {
                line[n] += 1;
            }
        }
        let cells = line.map(Cell::Count);
        let f = FollowUpFigures::of(Some(1), Some(3), &cells);
        assert_eq!(
            (
                f.held_on_time,
                f.held_late,
                f.missed,
                f.overdue,
                f.due,
                f.upcoming
            ),
            (Some(1), Some(1), Some(1), Some(1), Some(1), Some(1))
        );
        assert_eq!(f.on_time_percent, Some(25.0));
        // A share is not told of a hidden figure: it would give it away.
        let mut hidden = cells;
        hidden[2] = Cell::Suppressed;
        let f = FollowUpFigures::of(Some(1), Some(3), &hidden);
        assert_eq!((f.overdue, f.on_time_percent, f.due), (None, None, Some(1)));
        // A closed case's: held stays, overdue is missed, due and upcoming are not counted.
        assert_eq!(counted("held_late", false), Some(SlotCount::HeldLate));
        assert_eq!(counted("overdue", false), Some(SlotCount::Missed));
        assert_eq!(counted("due", false), None);
        assert_eq!(counted("upcoming", false), None);
        assert_eq!(counted("shoe", true), None);
        assert_eq!(percent(1, 3), Some(33.3));
        assert_eq!(percent(2, 3), Some(66.7));
        assert_eq!(percent(1, 0), None);
        assert_eq!(percent_of(Some(1), None), None);
    }

    /// A protected reader's days to departure: only of a row shown with at least the
    /// threshold of durations, the 90th percentile only where it is not the longest.
    #[test]
    fn days_to_departure_are_told_of_enough_durations() {
        let days: Vec<i32> = (1..=12).collect();
        let told = |n: usize, departed: Option<i64>, threshold: Option<i64>| {
            let d = departures(Some(2026), departed, Days::of(&days[..n]), threshold);
            (
                d.application_to_departure_median.is_some(),
                d.application_to_departure_p90.is_some(),
            )
        };
        assert_eq!(told(4, Some(9), None), (true, true), "exact: all");
        assert_eq!(told(4, Some(9), Some(5)), (false, false), "4 durations");
        assert_eq!(told(5, Some(9), Some(5)), (true, false), "p90 the longest");
        assert_eq!(told(9, Some(9), Some(5)), (true, false), "p90 the longest");
        assert_eq!(told(10, Some(10), Some(5)), (true, true));
        assert_eq!(told(12, None, Some(5)), (false, false), "departures hidden");
        // The 90th percentile of ten is the ninth, not the longest.
        let d = departures(None, Some(10), Days::of(&days[..10]), Some(5));
        assert_eq!(d.application_to_departure_p90, Some(9));
    }

    /// The returned cases reached are not told where a follow-up but an upcoming one is
    /// hidden: with one follow-up opened, reached is its held on time and late.
    #[test]
    fn reached_is_hidden_with_a_hidden_follow_up() {
        // Follow-up 1: upcoming 0, due 10, overdue 6, missed 7, on time 50, late 1.
        let t = protect(&[vec![0, 10, 6, 7, 50, 1]], 5);
        assert!(
            judged_hidden(&t),
            "late (1) is hidden, and so must reached be"
        );
        let t = protect(&[vec![20, 10, 6, 7, 50, 9]], 5);
        assert!(!judged_hidden(&t), "nothing small, nothing hidden");
        assert!(!judged_hidden(&protect(&[], 5)));
    }
}
