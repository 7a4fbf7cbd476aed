//! The programme report "performance" (issue #25, DESIGN.md "Monitoring and evaluation"):
//! how fast and how well the programme works. Days from application to departure (by year
//! of departure), the share of cases withdrawn, the scheduled follow-ups held on time
//! (by follow-up of the schedule, each counted by the one definition of its status,
//! `SlotStatus::of`), the share of returnees reached at least once, and, where the
//! programme has budgets, the share of what plans commit that was delivered and the
//! share of the budget executed (from `App::budget_report`).
//!
//! Read by programme managers and M&E officers, exactly. A reader of their own offices'
//! figures reads the cases their offices host for cases, withdrawals and departures (as
//! the statistics' cube counts them), the cases they host or receive for follow-ups and
//! returnees reached (as their queues do), and the programme's money (as the budget page
//! tells it to them). Not yet by readers of protected figures: its counts are as they
//! stand, not as a settled month ended, and one withdrawal or one follow-up read between
//! two readings would be told; they are refused until the figures are kept by month as
//! the budget's and the impact report's are.
//!
//! A scheduled follow-up of a closed case that was not held is missed once its window
//! closed (it will not be held), and not counted before. The follow-ups are counted from
//! their kept counts (`follow_up_totals`: a row per day of the schedule, office and
//! status, not per case), each row's status read in SQL on the day. Known limit: a
//! follow-up of the schedule is labelled with its months in the programme's schedule
//! today.

use std::collections::BTreeMap;

use homeward_domain::case::monitoring::SlotCount;
use homeward_domain::ids::ProgrammeId;
use homeward_domain::stats::percentile;
use homeward_store::StatFilter;
use serde::Serialize;

use crate::auth::Principal;
use crate::{App, Result};

/// Departures in a year, and the days from application to departure.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeparturesInYear {
    /// The year of departure; none for the row of all years.
    pub year: Option<i64>,
    pub departed: i64,
    /// Of the cases that applied: the median and 90th percentile, whole days.
    pub application_to_departure_median: Option<i64>,
    pub application_to_departure_p90: Option<i64>,
}

/// The scheduled follow-ups at one point of the schedule, by where they stand today.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FollowUpFigures {
    /// From 1, in the schedule's order; none for the row of all of them.
    pub number: Option<u8>,
    /// Its months after arrival in the programme's schedule today, where it has one.
    pub months_after_arrival: Option<u8>,
    pub upcoming: i64,
    pub due: i64,
    pub overdue: i64,
    pub missed: i64,
    pub held_on_time: i64,
    pub held_late: i64,
    /// Held on time, as a share of those held or whose window closed, in percent to one
    /// decimal.
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
    /// Cases registered in the programme, in every stage.
    pub cases: i64,
    /// Cases withdrawn, each once however many times (re-opened and withdrawn again).
    pub withdrawn: i64,
    pub withdrawn_percent: Option<f64>,
    /// By year of departure, then all years.
    pub departures: Vec<DeparturesInYear>,
    pub departures_total: DeparturesInYear,
    /// By follow-up of the schedule, then all of them.
    pub follow_ups: Vec<FollowUpFigures>,
    pub follow_ups_total: FollowUpFigures,
    /// Returned cases (households) with a follow-up whose window has opened.
    pub returnees_to_reach: i64,
    /// Of those, the cases whose returnees a follow-up reached in a window.
    pub returnees_reached: i64,
    pub reached_percent: Option<f64>,
    pub money: MoneyFigures,
    pub definitions: Vec<&'static str>,
}

pub const DEFINITIONS: [&str; 5] = [
    "Cases are counted in every stage, closed ones too; a case withdrawn counts once, however many times it was withdrawn (re-opened and withdrawn again), and its share is a share of the cases.",
    "Days from application to departure: from the day the application was submitted to the day the departure was confirmed, of the cases that departed that year having applied (whole days; the 90th percentile is the day by which nine in ten had departed).",
    "A scheduled follow-up is held when a follow-up reached the returnee in its time (from its window's opening until the next one's opens): on time within its window, late after it; missed when the next window opened first, or when its window closed on a closed case; overdue when its window closed and it may still be held. On time is a share of those held, missed or overdue.",
    "Returned cases reached: returned cases (households) with a scheduled follow-up whose window has opened, and of those the ones a follow-up held.",
    "Assistance delivered: what deliveries disbursed as a share of what approved plans commit; budget executed: disbursed as a share of the grants' budgets (the budget page tells each grant and line).",
];

/// `n` as a share of `of`, in percent to one decimal; none of nothing.
pub(crate) fn percent(n: i64, of: i64) -> Option<f64> {
    (of > 0).then(|| (n as f64 * 1000.0 / of as f64).round() / 10.0)
}

/// Days from application to departure, sorted, in a row.
fn departures(year: Option<i64>, departed: i64, days: &[i32]) -> DeparturesInYear {
    DeparturesInYear {
        year,
        departed,
        application_to_departure_median: percentile(days, 50).map(i64::from),
        application_to_departure_p90: percentile(days, 90).map(i64::from),
    }
}

/// Where a scheduled follow-up counts, from where it stands (as `Store::
/// follow_up_counts` names it, `SlotCount::code`) and whether its case is still followed
/// up (the rule: `SlotCount::counted`); none for a name that is not a count's.
pub fn counted(status: &str, followed: bool) -> Option<SlotCount> {
    SlotCount::from_code(status)?.counted(followed)
}

impl FollowUpFigures {
    fn add(&mut self, status: SlotCount, n: i64) {
        match status {
            SlotCount::Upcoming => self.upcoming += n,
            SlotCount::Due => self.due += n,
            SlotCount::Overdue => self.overdue += n,
            SlotCount::Missed => self.missed += n,
            SlotCount::HeldOnTime => self.held_on_time += n,
            SlotCount::HeldLate => self.held_late += n,
        }
    }

    fn done(mut self) -> FollowUpFigures {
        let closed = self.held_on_time + self.held_late + self.missed + self.overdue;
        self.on_time_percent = percent(self.held_on_time, closed);
        self
    }
}

impl App {
    /// The performance report of a programme, as it stands today.
    pub async fn performance_report(
        &self,
        p: &Principal,
        id: ProgrammeId,
    ) -> Result<PerformanceReport> {
        let access = crate::stats::exact_access(p, "the performance report")?;
        let programme = self.get_programme(id).await?;
        let offices: Option<Vec<uuid::Uuid>> = access
            .offices
            .as_ref()
            .map(|o| o.iter().map(|o| o.0).collect());
        // Cases, withdrawals and durations from the statistics' cube, in one pass.
        let filter = StatFilter {
            programme: Some(id.0),
            offices: offices.clone(),
            ..StatFilter::default()
        };
        let counts = self
            .stats_cube()
            .pipeline(self.store(), filter, |mut counts| {
                let cases: i64 = counts.by_stage.iter().map(|s| s.cases).sum();
                let withdrawn = counts
                    .interrupted_cases
                    .get("withdrawal")
                    .copied()
                    .unwrap_or(0);
                // Merged over countries, by year, each sorted.
                let mut by_year: BTreeMap<i64, Vec<i32>> = BTreeMap::new();
                let mut departed: BTreeMap<i64, i64> = BTreeMap::new();
                for ((year, _), (applied, registered)) in std::mem::take(&mut counts.durations) {
                    by_year.entry(year).or_default().extend(applied);
                    *departed.entry(year).or_default() += registered.len() as i64;
                }
                let mut all: Vec<i32> = vec![];
                let mut years = vec![];
                for (year, mut days) in by_year {
                    days.sort_unstable();
                    let n = departed.get(&year).copied().unwrap_or(0);
                    years.push(departures(Some(year), n, &days));
                    all.extend(days);
                }
                all.sort_unstable();
                let total = departures(None, departed.values().sum(), &all);
                (cases, withdrawn, years, total)
            })
            .await?;
        let (cases, withdrawn, years, departures_total) = counts;

        // Follow-ups, counted in SQL by the one definition of their status.
        let scope = offices.as_ref().map(|_| crate::cases::scope_of(&p.actor));
        let today = crate::now().date_naive();
        let (counts, to_reach, reached) = self
            .store()
            .follow_up_counts(id, scope.as_ref(), today)
            .await?;
        let mut by_number: BTreeMap<i64, FollowUpFigures> = BTreeMap::new();
        let mut total = FollowUpFigures::default();
        for c in &counts {
            let Some(status) = counted(&c.status, c.followed != 0) else {
                continue;
            };
            by_number.entry(c.number).or_default().add(status, c.slots);
            total.add(status, c.slots);
        }
        let schedule = &programme.settings.monitoring.schedule;
        let follow_ups = by_number
            .into_iter()
            .map(|(number, f)| {
                let number = u8::try_from(number).ok();
                FollowUpFigures {
                    number,
                    months_after_arrival: number
                        .and_then(|n| schedule.get(usize::from(n).checked_sub(1)?))
                        .map(|s| s.months_after_arrival),
                    ..f.done()
                }
            })
            .collect();

        // Money, as the budget page tells it to the same reader.
        let budget = self.budget_report(p, id).await?;
        let t = &budget.total;
        let money = MoneyFigures {
            currency: budget.currency.to_string(),
            budget: t.budget,
            committed: t.committed,
            disbursed: t.disbursed,
            delivered_percent: match (t.disbursed, t.committed) {
                (Some(d), Some(c)) => percent(d, c),
                _ => None,
            },
            executed_percent: t.executed_percent,
        };
        Ok(PerformanceReport {
            programme: id,
            own_offices_only: offices.is_some(),
            cases,
            withdrawn,
            withdrawn_percent: percent(withdrawn, cases),
            departures: years,
            departures_total,
            follow_ups,
            follow_ups_total: total.done(),
            returnees_to_reach: to_reach,
            returnees_reached: reached,
            reached_percent: percent(reached, to_reach),
            money,
            definitions: DEFINITIONS.to_vec(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use homeward_domain::case::monitoring::SlotStatus;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap_or_default()
    }

    /// On time is a share of the follow-ups held or whose window closed: those due now
    /// or upcoming are not yet judged.
    #[test]
    fn on_time_counts_only_follow_ups_held_or_closed() {
        let mut f = FollowUpFigures::default();
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
            if let Some(s) = counted(SlotCount::of(status).code(), true) {
                f.add(s, 1);
            }
        }
        let f = f.done();
        assert_eq!(
            (
                f.held_on_time,
                f.held_late,
                f.missed,
                f.overdue,
                f.due,
                f.upcoming
            ),
            (1, 1, 1, 1, 1, 1)
        );
        assert_eq!(f.on_time_percent, Some(25.0));
        // A closed case's: held stays, overdue is missed, due and upcoming are not counted.
        assert_eq!(counted("held_late", false), Some(SlotCount::HeldLate));
        assert_eq!(counted("overdue", false), Some(SlotCount::Missed));
        assert_eq!(counted("due", false), None);
        assert_eq!(counted("upcoming", false), None);
        assert_eq!(counted("shoe", true), None);
        assert_eq!(percent(1, 3), Some(33.3));
        assert_eq!(percent(2, 3), Some(66.7));
        assert_eq!(percent(1, 0), None);
    }
}
