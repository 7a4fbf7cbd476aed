//! The pipeline figures, counted in memory: one record per case (its stage, how many
//! people it has, its office, programme and country of return, and the days from
//! registration and from application to departure), and one per withdrawal, rejection
//! or no-show.
//!
//! In SQL the pipeline is a GROUP BY over every case plus a scan of every departed case
//! for its durations (docs/decisions/0002). Here it is one pass over 32 bytes a case. The records follow the event log with the returns (see the
//! parent module): the cases written since the last question are read again and their
//! records replaced in place, found through the slots sorted by case id and a small map
//! of the cases added since the last sort.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Datelike, Utc};
use homeward_domain::stats::days_between;
use homeward_store::{InterruptionCount, InterruptionRow, PipelineRow, StageCount, StatFilter};
use uuid::Uuid;

use super::dicts::Dict;
use crate::{AppError, Result};

/// A day, or a number of days, that is not known.
const NONE: i32 = i32::MIN;

/// One case, every value a number (32 bytes: a million cases take 32 MB).
#[derive(Debug, Clone, Copy)]
struct CaseFact {
    /// Day of registration (days from the common era, UTC).
    registered: i32,
    /// Day of departure (days from the common era, UTC), or `NONE`.
    departed: i32,
    /// Whole days from application to departure, or `NONE`.
    applied_days: i32,
    /// Whole days from registration to departure, or `NONE`.
    registered_days: i32,
    members: u32,
    /// Year of departure (0: not departed).
    year: i16,
    stage: u16,
    office: u16,
    programme: u16,
    country: u16,
    /// Whether some interruption of the case is among the stops.
    stopped: bool,
}

/// A withdrawal, rejection or no-show of the case in `slot`.
#[derive(Debug, Clone, Copy)]
struct Stop {
    slot: u32,
    day: i32,
    year: i32,
    kind: u16,
    stage: u16,
}

/// The pipeline's counts, as `Store::count_by_stage`, `Store::count_interruptions` and
/// the rows of `Store::for_each_departure` give them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PipelineCounts {
    /// Each stage with cases, by stage.
    pub by_stage: Vec<StageCount>,
    /// The cases registered in the period (every stage).
    pub registered: i64,
    /// By kind, year and the stage it happened at.
    pub interruptions: Vec<InterruptionCount>,
    /// By kind, the cases interrupted (each once, however many times).
    pub interrupted_cases: BTreeMap<String, i64>,
    /// (year of departure, country of return) -> the days from application to departure
    /// and from registration to departure of each case that departed then, each sorted.
    pub durations: BTreeMap<(i64, String), (Vec<i32>, Vec<i32>)>,
}

/// Every case's record, and every interruption.
#[derive(Debug, Default)]
pub(super) struct Cases {
    ids: Vec<Uuid>,
    facts: Vec<CaseFact>,
    /// Slots in the order of their case ids; then the slots added since they were sorted.
    sorted: Vec<u32>,
    recent: HashMap<Uuid, u32>,
    stops: Vec<Stop>,
    stages: Dict,
    kinds: Dict,
    offices: Dict,
    programmes: Dict,
    countries: Dict,
}

fn too_big(what: &str, case: Uuid) -> AppError {
    AppError::internal(format!("the {what} of case {case} is out of range"))
}

impl Cases {
    pub(super) fn len(&self) -> usize {
        self.facts.len()
    }

    fn slot(&self, id: &Uuid) -> Option<u32> {
        if let Some(&s) = self.recent.get(id) {
            return Some(s);
        }
        self.sorted
            .binary_search_by(|s| self.ids[*s as usize].cmp(id))
            .ok()
            .map(|n| self.sorted[n])
    }

    fn fact(&mut self, r: &PipelineRow) -> Result<CaseFact> {
        let span = |from: Option<DateTime<Utc>>| -> Result<i32> {
            days_between(from, r.departed_at).map_or(Ok(NONE), |n| {
                i32::try_from(n).map_err(|_| too_big("time to departure", r.case_id))
            })
        };
        let departed = r.departed_at.map(|d| d.date_naive());
        Ok(CaseFact {
            registered: r.registered_at.date_naive().num_days_from_ce(),
            departed: departed.map_or(NONE, |d| d.num_days_from_ce()),
            applied_days: span(r.applied_at)?,
            registered_days: span(Some(r.registered_at))?,
            members: u32::try_from(r.members).map_err(|_| too_big("size", r.case_id))?,
            year: match departed {
                Some(d) => {
                    i16::try_from(d.year()).map_err(|_| too_big("departure year", r.case_id))?
                }
                None => 0,
            },
            stage: self.stages.intern(&r.stage)?,
            office: self.offices.intern(&r.host_office.to_string())?,
            programme: self.programmes.intern(&r.programme.to_string())?,
            country: self.countries.intern(&r.country_of_return)?,
            stopped: false,
        })
    }

    fn stop(&mut self, slot: u32, r: &InterruptionRow) -> Result<Stop> {
        Ok(Stop {
            slot,
            day: r.occurred_on.num_days_from_ce(),
            year: i32::try_from(r.year).map_err(|_| too_big("interruption year", r.case_id))?,
            kind: self.kinds.intern(&r.kind)?,
            stage: self.stages.intern(&r.stage)?,
        })
    }

    fn add_stop(&mut self, slot: u32, r: &InterruptionRow) -> Result<()> {
        let stop = self.stop(slot, r)?;
        self.stops.push(stop);
        if let Some(f) = self.facts.get_mut(slot as usize) {
            f.stopped = true;
        }
        Ok(())
    }

    /// While loading: adds a case, found only once `index` has run.
    pub(super) fn push(&mut self, r: &PipelineRow) -> Result<()> {
        let fact = self.fact(r)?;
        self.ids.push(r.case_id);
        self.facts.push(fact);
        Ok(())
    }

    /// Sorts every slot by its case id.
    pub(super) fn index(&mut self) {
        let ids = &self.ids;
        self.sorted = (0..ids.len() as u32).collect();
        self.sorted
            .sort_unstable_by(|a, b| ids[*a as usize].cmp(&ids[*b as usize]));
        self.recent.clear();
    }

    /// Gives back the room the vectors grew into while loading.
    pub(super) fn shrink_to_fit(&mut self) {
        self.ids.shrink_to_fit();
        self.facts.shrink_to_fit();
        self.stops.shrink_to_fit();
    }

    /// While loading, after `index`: adds an interruption. One of a case not loaded (it
    /// was written after the load began) is left for the next refresh, which reads the
    /// case again whole.
    pub(super) fn push_stop(&mut self, r: &InterruptionRow) -> Result<()> {
        match self.slot(&r.case_id) {
            Some(slot) => self.add_stop(slot, r),
            None => Ok(()),
        }
    }

    /// Replaces what is known of the cases of `rows` (one each) by these rows and the
    /// interruptions among `stops`; cases not known yet are added.
    pub(super) fn replace(
        &mut self,
        rows: &[PipelineRow],
        stops: &[InterruptionRow],
    ) -> Result<()> {
        let facts = rows
            .iter()
            .map(|r| self.fact(r))
            .collect::<Result<Vec<_>>>()?;
        let mut slots: HashMap<Uuid, u32> = HashMap::with_capacity(rows.len());
        let mut unstop: HashSet<u32> = HashSet::new();
        for (r, fact) in rows.iter().zip(facts) {
            let slot = match self.slot(&r.case_id) {
                Some(slot) => {
                    let old = &mut self.facts[slot as usize];
                    if old.stopped {
                        unstop.insert(slot);
                    }
                    *old = fact;
                    slot
                }
                None => {
                    let slot = u32::try_from(self.facts.len())
                        .map_err(|_| AppError::internal("more cases than slots"))?;
                    self.ids.push(r.case_id);
                    self.facts.push(fact);
                    self.recent.insert(r.case_id, slot);
                    slot
                }
            };
            slots.insert(r.case_id, slot);
        }
        if !unstop.is_empty() {
            self.stops.retain(|s| !unstop.contains(&s.slot));
        }
        for r in stops {
            if let Some(&slot) = slots.get(&r.case_id) {
                self.add_stop(slot, r)?;
            }
        }
        // Sorting again costs a pass over every case: only once the map has grown.
        if self.recent.len() > 1024 + self.sorted.len() / 16 {
            self.index();
        }
        Ok(())
    }

    /// The pipeline for a filter: stages by office, programme and country (not by
    /// period); interruptions by those and the day they happened; durations by those and
    /// the day of departure.
    pub(super) fn count(&self, f: &StatFilter) -> PipelineCounts {
        let offices: Option<Vec<bool>> = f.offices.as_ref().map(|asked| {
            let mut allowed = vec![false; self.offices.len()];
            for o in asked {
                if let Some(n) = self.offices.get(&o.to_string()) {
                    allowed[n as usize] = true;
                }
            }
            allowed
        });
        let programme = f.programme.map(|p| self.programmes.get(&p.to_string()));
        let country = f.return_country.as_ref().map(|c| self.countries.get(c));
        let admits = |c: &CaseFact| {
            offices
                .as_ref()
                .is_none_or(|o| o.get(c.office as usize).copied().unwrap_or(false))
                && programme.is_none_or(|p| p == Some(c.programme))
                && country.is_none_or(|k| k == Some(c.country))
        };
        let from = f.from.map(|d| d.num_days_from_ce());
        let until = f.until.map(|d| d.num_days_from_ce());
        let in_period = |day: i32| from.is_none_or(|d| day >= d) && until.is_none_or(|d| day <= d);

        let mut stages = vec![(0i64, 0i64); self.stages.len()];
        let mut registered = 0;
        // First how many durations each group has, then the durations into buffers of
        // that size: at a million cases they are megabytes, and buffers grown by doubling
        // would hold up to twice that and leave the allocator the halves.
        let mut sizes: HashMap<(i16, u16), (usize, usize)> = HashMap::new();
        for c in &self.facts {
            if !admits(c) {
                continue;
            }
            if let Some(s) = stages.get_mut(c.stage as usize) {
                s.0 += 1;
                s.1 += i64::from(c.members);
            }
            registered += i64::from(in_period(c.registered));
            if c.departed != NONE && in_period(c.departed) {
                let g = sizes.entry((c.year, c.country)).or_default();
                g.0 += usize::from(c.applied_days != NONE);
                g.1 += usize::from(c.registered_days != NONE);
            }
        }
        let mut durations: HashMap<(i16, u16), (Vec<i32>, Vec<i32>)> = sizes
            .into_iter()
            .map(|(k, (a, r))| (k, (Vec::with_capacity(a), Vec::with_capacity(r))))
            .collect();
        for c in &self.facts {
            if c.departed == NONE || !in_period(c.departed) || !admits(c) {
                continue;
            }
            if let Some(g) = durations.get_mut(&(c.year, c.country)) {
                if c.applied_days != NONE {
                    g.0.push(c.applied_days);
                }
                if c.registered_days != NONE {
                    g.1.push(c.registered_days);
                }
            }
        }
        let mut stops: HashMap<(u16, i32, u16), i64> = HashMap::new();
        let mut cases: HashSet<(u16, u32)> = HashSet::new();
        for s in &self.stops {
            let admitted = self
                .facts
                .get(s.slot as usize)
                .is_some_and(|c| admits(c) && in_period(s.day));
            if admitted {
                *stops.entry((s.kind, s.year, s.stage)).or_default() += 1;
                cases.insert((s.kind, s.slot));
            }
        }
        let mut interrupted_cases: BTreeMap<String, i64> = BTreeMap::new();
        for (kind, _) in cases {
            *interrupted_cases
                .entry(
                    self.kinds
                        .codes
                        .get(kind as usize)
                        .cloned()
                        .unwrap_or_default(),
                )
                .or_default() += 1;
        }

        let code = |d: &Dict, n: u16| d.codes.get(n as usize).cloned().unwrap_or_default();
        let mut by_stage: Vec<StageCount> = stages
            .iter()
            .enumerate()
            .filter(|(_, s)| s.0 > 0)
            .map(|(n, s)| StageCount {
                stage: code(&self.stages, n as u16),
                cases: s.0,
                people: s.1,
            })
            .collect();
        by_stage.sort();
        let mut interruptions: Vec<InterruptionCount> = stops
            .into_iter()
            .map(|((kind, year, stage), count)| InterruptionCount {
                kind: code(&self.kinds, kind),
                year: i64::from(year),
                stage: code(&self.stages, stage),
                count,
            })
            .collect();
        interruptions.sort();
        let durations = durations
            .into_iter()
            .map(|((year, country), (mut applied, mut registered))| {
                applied.sort_unstable();
                registered.sort_unstable();
                (
                    (i64::from(year), code(&self.countries, country)),
                    (applied, registered),
                )
            })
            .collect();
        PipelineCounts {
            by_stage,
            registered,
            interruptions,
            interrupted_cases,
            durations,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, TimeZone};

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 12, 0, 0)
            .single()
            .unwrap_or_default()
    }

    fn case(n: u128, stage: &str, members: i64, country: &str) -> PipelineRow {
        PipelineRow {
            case_id: Uuid::from_u128(n),
            stage: stage.into(),
            members,
            host_office: Uuid::from_u128(100),
            programme: Uuid::from_u128(200),
            country_of_return: country.into(),
            registered_at: at(2024, 1, 1),
            applied_at: None,
            departed_at: None,
        }
    }

    fn departed(mut r: PipelineRow, applied: DateTime<Utc>, on: DateTime<Utc>) -> PipelineRow {
        r.stage = "departed".into();
        r.applied_at = Some(applied);
        r.departed_at = Some(on);
        r
    }

    fn stop(n: u128, kind: &str, stage: &str, on: NaiveDate) -> InterruptionRow {
        InterruptionRow {
            case_id: Uuid::from_u128(n),
            seq: 0,
            kind: kind.into(),
            occurred_on: on,
            year: on.year().into(),
            stage: stage.into(),
            host_country: "DE".into(),
            return_country: "SN".into(),
            programme: Uuid::from_u128(200),
            office: Uuid::from_u128(100),
        }
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    fn loaded(rows: &[PipelineRow], stops: &[InterruptionRow]) -> Cases {
        let mut c = Cases::default();
        for r in rows {
            assert!(c.push(r).is_ok());
        }
        c.index();
        for s in stops {
            assert!(c.push_stop(s).is_ok());
        }
        c
    }

    fn stage(s: &str, cases: i64, people: i64) -> StageCount {
        StageCount {
            stage: s.to_string(),
            cases,
            people,
        }
    }

    fn stopped(kind: &str, year: i64, stage: &str, count: i64) -> InterruptionCount {
        InterruptionCount {
            kind: kind.to_string(),
            year,
            stage: stage.to_string(),
            count,
        }
    }

    #[test]
    fn stages_count_cases_and_their_people() {
        let c = loaded(
            &[
                case(3, "registered", 4, "SN"),
                case(1, "registered", 1, "ML"),
                case(2, "counselling", 2, "SN"),
            ],
            &[],
        );
        let all = c.count(&StatFilter::default());
        assert_eq!(
            all.by_stage,
            vec![stage("counselling", 1, 2), stage("registered", 2, 5)]
        );
        let senegal = c.count(&StatFilter {
            return_country: Some("SN".into()),
            ..StatFilter::default()
        });
        assert_eq!(
            senegal.by_stage,
            vec![stage("counselling", 1, 2), stage("registered", 1, 4)]
        );
        let nowhere = c.count(&StatFilter {
            offices: Some(vec![]),
            ..StatFilter::default()
        });
        assert!(nowhere.by_stage.is_empty());
        // Stages are counted whatever the period: they are where cases are now.
        let later = c.count(&StatFilter {
            from: Some(day(2030, 1, 1)),
            ..StatFilter::default()
        });
        assert_eq!(later.by_stage, all.by_stage);
        // The cases registered, by the day of registration (1 January 2024).
        assert_eq!((all.registered, later.registered), (3, 0));
        let until = |d: NaiveDate| {
            c.count(&StatFilter {
                until: Some(d),
                ..StatFilter::default()
            })
            .registered
        };
        assert_eq!((until(day(2023, 12, 31)), until(day(2024, 1, 1))), (0, 3));
    }

    #[test]
    fn durations_are_whole_days_grouped_by_year_and_country_of_departure() {
        let c = loaded(
            &[
                departed(case(1, "", 1, "SN"), at(2024, 3, 1), at(2024, 3, 11)),
                departed(case(2, "", 1, "SN"), at(2024, 2, 1), at(2024, 4, 1)),
                departed(case(3, "", 1, "SN"), at(2024, 6, 1), at(2025, 1, 2)),
                case(4, "counselling", 1, "SN"),
            ],
            &[],
        );
        let all = c.count(&StatFilter::default());
        let key = |y: i64| (y, "SN".to_string());
        // Registered on 1 January 2024 at noon: 70 and 91 days to the 2024 departures.
        assert_eq!(
            all.durations.get(&key(2024)),
            Some(&(vec![10, 60], vec![70, 91]))
        );
        assert_eq!(all.durations.get(&key(2025)), Some(&(vec![215], vec![367])));
        assert_eq!(all.durations.len(), 2);
        // The period is the day of departure.
        let in_2025 = c.count(&StatFilter {
            from: Some(day(2025, 1, 2)),
            ..StatFilter::default()
        });
        assert_eq!(
            in_2025.durations.keys().collect::<Vec<_>>(),
            vec![&key(2025)]
        );
    }

    #[test]
    fn a_case_read_again_replaces_its_record_and_its_interruptions() {
        let mut c = loaded(
            &[
                case(1, "withdrawn", 2, "SN"),
                case(2, "registered", 1, "SN"),
            ],
            &[stop(1, "withdrawal", "counselling", day(2024, 5, 1))],
        );
        assert_eq!(
            c.count(&StatFilter::default()).interruptions,
            vec![stopped("withdrawal", 2024, "counselling", 1)]
        );
        // Case 1 is re-opened and withdrawn again later; case 2 moves on; case 3 is new.
        let again = [
            stop(1, "withdrawal", "counselling", day(2024, 5, 1)),
            stop(1, "withdrawal", "travel_preparation", day(2025, 2, 1)),
        ];
        let rows = [
            case(1, "withdrawn", 2, "SN"),
            case(2, "counselling", 1, "SN"),
            case(3, "registered", 3, "ML"),
        ];
        assert!(c.replace(&rows, &again).is_ok());
        let now = c.count(&StatFilter::default());
        assert_eq!(
            now.by_stage,
            vec![
                stage("counselling", 1, 1),
                stage("registered", 1, 3),
                stage("withdrawn", 1, 2)
            ]
        );
        assert_eq!(
            now.interruptions,
            vec![
                stopped("withdrawal", 2024, "counselling", 1),
                stopped("withdrawal", 2025, "travel_preparation", 1)
            ]
        );
        // Interruptions are filtered by the day they happened.
        let in_2025 = c.count(&StatFilter {
            from: Some(day(2025, 1, 1)),
            ..StatFilter::default()
        });
        assert_eq!(in_2025.interruptions.len(), 1);
        // Re-opened for good: its interruptions are what its rows say now.
        assert!(
            c.replace(&[case(1, "counselling", 2, "SN")], &again[..1])
                .is_ok()
        );
        assert_eq!(c.count(&StatFilter::default()).interruptions.len(), 1);
        assert!(c.replace(&[case(1, "counselling", 2, "SN")], &[]).is_ok());
        assert!(c.count(&StatFilter::default()).interruptions.is_empty());
        assert_eq!(c.len(), 3);
    }

    #[test]
    fn cases_added_after_the_load_are_found_before_and_after_they_are_sorted() {
        let mut c = loaded(&[case(5_000_000, "registered", 1, "SN")], &[]);
        for n in 0..3000u128 {
            // Ids in no order, each written twice.
            let id = (n * 7919) % 3001;
            assert!(c.replace(&[case(id, "registered", 1, "SN")], &[]).is_ok());
            assert!(c.replace(&[case(id, "counselling", 1, "SN")], &[]).is_ok());
        }
        assert!(c.recent.len() < 3000, "the recent cases were sorted in");
        assert_eq!(c.len(), 3001);
        assert_eq!(
            c.count(&StatFilter::default()).by_stage,
            vec![stage("counselling", 3000, 3000), stage("registered", 1, 1)]
        );
        assert!(
            c.replace(&[case(5_000_000, "departed", 1, "SN")], &[])
                .is_ok()
        );
        assert_eq!(c.len(), 3001);
    }
}
