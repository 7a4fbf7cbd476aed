//! The returns and pipeline figures, counted in memory.
//!
//! A GROUP BY with `COUNT(DISTINCT case_id)` over one `stat_returns` row per returned
//! person costs a scan and a sort per question (docs/decisions/0002). Here the rows are kept
//! in memory, each value replaced by a small number (its index in a dictionary), and a
//! question is one pass over them into a dense array of cells: people are added one by
//! one, and a case is added to a cell once, the first time one of its people falls in it.
//!
//! The rows stay a read model of the event log: the cube remembers the position of the
//! last event it has seen, and before each question reloads the rows of the cases written
//! since (`Store::cases_changed_between`). Event positions commit in order on both
//! databases, so nothing committed before a question is missed, whichever process wrote
//! it. `Store::count_returns` answers the same questions in SQL; tests check both agree.
//!
//! The pipeline (cases by stage, interruptions, durations) is kept beside the returns, one
//! record per case, and follows the log with them (`cases`).

use crate::Internally;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use chrono::{Datelike, NaiveDate};
use homeward_domain::stats::{ADULTS, AgeGroup, CHILDREN};
use homeward_store::{Dim, ReturnCount, ReturnRow, StatFilter, Store};
use uuid::Uuid;

use crate::{AppError, Result};

mod cases;
mod dicts;

pub use cases::PipelineCounts;
use dicts::{Axis, Compiled, Dicts, Person, month_of, source};

/// Above this many changed cases, reloading everything is quicker than case by case.
const RELOAD_ABOVE: usize = 20_000;

/// Above this many people, a pass is split between the idle cores.
const SPLIT_ABOVE: usize = 50_000;

/// The returned people of every case, as of an event position. The people of a case are
/// next to each other (the first one marked), which is what lets one pass count each case
/// once per cell. There is no index by case (at a million cases it would outweigh the
/// people): cases written again are found by one pass, their old people left as dead
/// space and their new ones appended; the dead space is squeezed out once it is a quarter
/// of the whole.
#[derive(Debug, Default)]
struct Facts {
    position: i64,
    /// Which load of the cube these are (`StatsCube::version`).
    load: u64,
    /// Months of departure (`month_of`) -> the number of the last catch-up that changed a
    /// return in them: a question about whole past months is answered alike until one of
    /// its months changes, whatever is written in the month under way.
    changed: HashMap<i32, u64>,
    /// Catch-ups since the load.
    catch_ups: u64,
    people: Vec<Person>,
    /// Parallel to `people`: whether the person is the first of a case's run, and whether
    /// still counted (a run lives and dies as one).
    first: Vec<bool>,
    alive: Vec<bool>,
    /// The case of each run, in order: the n-th person marked `first` starts `runs[n]`.
    runs: Vec<Uuid>,
    /// Whether rows may be of one person (`by_person`): then, parallel to `people`,
    /// whether a row is of the person of the row before it (a returnee's months of options
    /// taken up), and a person counts once in a cell however many of their rows it holds.
    /// Else every row is a person of its own and this is empty.
    by_person: bool,
    continues: Vec<bool>,
    dead: usize,
    dicts: Dicts,
    /// The pipeline: one record per case.
    cases: cases::Cases,
    /// The options taken up, each as its returnee dated by its month
    /// (`StatFilter::taken_up`); in the facts of the returns only.
    taken_up: Option<Box<Facts>>,
}

impl Facts {
    /// Adds a case not known yet.
    fn append(&mut self, case: Uuid, rows: &[ReturnRow]) -> Result<()> {
        let people = rows
            .iter()
            .map(|r| self.dicts.person(r))
            .collect::<Result<Vec<_>>>()?;
        self.append_people(case, people, rows);
        Ok(())
    }

    /// Adds a case's people (of `rows`, in their order, a person's rows next to each
    /// other), next to each other (none: nothing to add).
    fn append_people(&mut self, case: Uuid, people: Vec<Person>, rows: &[ReturnRow]) {
        if people.is_empty() {
            return;
        }
        if self.by_person {
            self.continues.extend(
                rows.iter()
                    .enumerate()
                    .map(|(n, r)| n > 0 && rows[n - 1].person_id == r.person_id),
            );
        }
        self.first.extend((0..people.len()).map(|n| n == 0));
        self.alive.extend(std::iter::repeat_n(true, people.len()));
        self.people.extend(people);
        self.runs.push(case);
    }

    /// Replaces what is known of these cases by their rows now (none: no returns).
    fn replace(&mut self, changed: &HashMap<Uuid, Vec<ReturnRow>>) -> Result<()> {
        self.catch_ups += 1;
        // Where each changed case's people are now.
        let mut known: HashMap<Uuid, Vec<usize>> = HashMap::new();
        let mut run = None;
        let mut next = 0usize;
        for n in 0..self.people.len() {
            if self.first[n] {
                run = self.runs.get(next);
                next += 1;
            }
            if self.alive[n]
                && let Some(c) = run.filter(|c| changed.contains_key(c))
            {
                known.entry(*c).or_default().push(n);
            }
        }
        for (case, rows) in changed {
            let people = rows
                .iter()
                .map(|r| self.dicts.person(r))
                .collect::<Result<Vec<_>>>()?;
            let at = known.remove(case).unwrap_or_default();
            let mut old: Vec<Person> = at.iter().map(|&n| self.people[n]).collect();
            let mut new = people.clone();
            old.sort_unstable();
            new.sort_unstable();
            // Written again with the same returns (a follow-up, a note): the figures, and
            // the months they count in, stay as they are. Rows of a person each (which
            // the values alone do not tell) are always written again.
            if old == new && !self.by_person {
                continue;
            }
            for &n in &at {
                self.alive[n] = false;
                self.dead += 1;
            }
            // The months whose protected figures are kept (`last_change`, read of the
            // returns' facts only) change only with the returns: assistance received by
            // departure is for readers of exact figures, who keep nothing (protected
            // readers count options taken up from their own facts, by month).
            let returns = |people: &[Person]| {
                let mut v: Vec<Person> = people
                    .iter()
                    .map(|p| Person {
                        assistance: 0,
                        ..*p
                    })
                    .collect();
                v.sort_unstable();
                v
            };
            if returns(&old) != returns(&new) {
                for p in old.iter().chain(&new) {
                    self.changed.insert(month_of(p.day), self.catch_ups);
                }
            }
            self.append_people(*case, people, rows);
        }
        if self.dead > 1024 && self.dead * 4 > self.people.len() {
            self.compact();
        }
        Ok(())
    }

    /// Squeezes out the dead space, keeping every case's people together.
    fn compact(&mut self) {
        let mut to = 0usize;
        let mut runs = Vec::with_capacity(self.runs.len());
        let mut next = 0usize;
        for from in 0..self.people.len() {
            if self.first[from] {
                if self.alive[from]
                    && let Some(c) = self.runs.get(next)
                {
                    runs.push(*c);
                }
                next += 1;
            }
            if !self.alive[from] {
                continue;
            }
            self.people[to] = self.people[from];
            self.first[to] = self.first[from];
            self.alive[to] = true;
            if self.by_person {
                self.continues[to] = self.continues[from];
            }
            to += 1;
        }
        self.people.truncate(to);
        self.first.truncate(to);
        self.alive.truncate(to);
        self.continues.truncate(to);
        self.people.shrink_to_fit();
        self.first.shrink_to_fit();
        self.alive.shrink_to_fit();
        self.continues.shrink_to_fit();
        self.runs = runs;
        self.dead = 0;
    }

    /// The last catch-up that changed a return departed between `from` and `until`.
    fn last_change(&self, from: Option<NaiveDate>, until: Option<NaiveDate>) -> u64 {
        let from = from.map(|d| month_of(d.num_days_from_ce()));
        let until = until.map(|d| month_of(d.num_days_from_ce()));
        self.changed
            .iter()
            .filter(|(m, _)| from.is_none_or(|f| **m >= f) && until.is_none_or(|u| **m <= u))
            .map(|(_, at)| *at)
            .max()
            .unwrap_or(0)
    }

    /// Cases with returns.
    fn cases(&self) -> usize {
        self.people
            .iter()
            .zip(&self.first)
            .zip(&self.alive)
            .filter(|((_, first), alive)| **first && **alive)
            .count()
    }

    /// People and cases by `dims` (none, one or two), as `Store::count_returns` counts them.
    #[cfg(test)]
    fn count(&self, dims: &[Dim], f: &StatFilter) -> Vec<ReturnCount> {
        self.count_with(dims, f, 1)
    }

    /// `count`, on up to `cores` threads.
    fn count_with(&self, dims: &[Dim], f: &StatFilter, cores: usize) -> Vec<ReturnCount> {
        self.count_many(&[dims.to_vec()], f, cores)
            .pop()
            .unwrap_or_default()
    }

    /// `count_with` for each set of dimensions of `tables`, in one pass over the people,
    /// split between up to `cores` threads that each take whole cases.
    fn count_many(
        &self,
        tables: &[Vec<Dim>],
        f: &StatFilter,
        cores: usize,
    ) -> Vec<Vec<ReturnCount>> {
        if f.taken_up {
            let f = StatFilter {
                taken_up: false,
                ..f.clone()
            };
            return match &self.taken_up {
                Some(options) => options.count_many(tables, &f, cores),
                None => tables.iter().map(|_| vec![]).collect(),
            };
        }
        let parts = if self.people.len() > SPLIT_ABOVE {
            cores
        } else {
            1
        };
        self.count_in_parts(tables, f, parts)
    }

    /// `count_many`, the people split into `parts` runs of whole cases, one thread each.
    fn count_in_parts(
        &self,
        tables: &[Vec<Dim>],
        f: &StatFilter,
        parts: usize,
    ) -> Vec<Vec<ReturnCount>> {
        let filter = Compiled::new(&self.dicts, f);
        // Each dimension's key is found once per person, however many tables use it.
        let mut dims: Vec<Dim> = vec![];
        for d in tables.iter().flatten() {
            if !dims.contains(d) {
                dims.push(*d);
            }
        }
        let axes: Vec<Axis> = dims.iter().map(|&d| self.dicts.axis(d)).collect();
        let width = |n: usize| axes.get(n).map_or(1, |a| a.codes.len().max(1));
        // Each table: (its dimension's number in `dims`, the stride of its keys) per axis.
        let layouts: Vec<Vec<(usize, usize)>> = tables
            .iter()
            .map(|t| {
                let mut stride = 1;
                let mut layout = vec![(0, 0); t.len()];
                for (slot, d) in layout.iter_mut().zip(t).rev() {
                    let n = dims.iter().position(|x| x == d).unwrap_or(0);
                    *slot = (n, stride);
                    stride *= width(n);
                }
                layout
            })
            .collect();
        let sizes: Vec<usize> = layouts
            .iter()
            .map(|l| l.iter().map(|&(n, _)| width(n)).product())
            .collect();
        // Every table's cells in one array: table `t` from `offsets[t]`.
        let offsets: Vec<usize> = sizes
            .iter()
            .scan(0, |at, n| {
                let from = *at;
                *at += n;
                Some(from)
            })
            .collect();
        let cells_in_all: usize = sizes.iter().sum();
        // The people of `range` (which begins a case): cell -> (people, cases).
        let count = |range: std::ops::Range<usize>| -> Vec<(u32, u32)> {
            // cell -> (people, cases, the last case and the last person counted there
            // (numbered from 1)); a part holds fewer than 2^32 people.
            debug_assert!(range.len() < u32::MAX as usize);
            let mut cells: Vec<(u32, u32, u32, u32)> = vec![(0, 0, 0, 0); cells_in_all];
            let mut keys = vec![0usize; dims.len()];
            let mut case = 0u32;
            let mut person = 0u32;
            for n in range {
                case += u32::from(self.first[n]);
                person += u32::from(!self.continues.get(n).copied().unwrap_or(false));
                let p = &self.people[n];
                if !self.alive[n] || !filter.admits(p) {
                    continue;
                }
                for (key, (dim, axis)) in keys.iter_mut().zip(dims.iter().zip(&axes)) {
                    *key = axis.map.get(source(*dim, p)).copied().unwrap_or(0) as usize;
                }
                for (layout, offset) in layouts.iter().zip(&offsets) {
                    let cell: usize = layout.iter().map(|&(n, stride)| keys[n] * stride).sum();
                    if let Some(c) = cells.get_mut(offset + cell) {
                        if c.3 != person {
                            c.0 += 1;
                            c.3 = person;
                        }
                        if c.2 != case {
                            c.1 += 1;
                            c.2 = case;
                        }
                    }
                }
            }
            cells.into_iter().map(|(p, c, _, _)| (p, c)).collect()
        };
        let bounds = self.split(parts);
        let counted: Vec<(i64, i64)> = if bounds.len() > 2 {
            // A case lies in one part: its cells' counts of cases add up.
            std::thread::scope(|s| {
                let parts: Vec<_> = bounds
                    .windows(2)
                    .map(|w| {
                        let range = w[0]..w[1];
                        s.spawn(|| count(range))
                    })
                    .collect();
                let mut sum = vec![(0i64, 0i64); cells_in_all];
                for part in parts {
                    let part = part.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
                    for (a, b) in sum.iter_mut().zip(part) {
                        a.0 += i64::from(b.0);
                        a.1 += i64::from(b.1);
                    }
                }
                sum
            })
        } else {
            count(0..self.people.len())
                .into_iter()
                .map(|(p, c)| (i64::from(p), i64::from(c)))
                .collect()
        };
        let counted: Vec<&[(i64, i64)]> = offsets
            .iter()
            .zip(&sizes)
            .map(|(&from, &n)| counted.get(from..from + n).unwrap_or_default())
            .collect();
        tables
            .iter()
            .zip(&layouts)
            .zip(counted)
            .map(|((dims_of, layout), cells)| {
                let mut out: Vec<ReturnCount> = cells
                    .iter()
                    .enumerate()
                    // Without dimensions, the total, even when nothing is counted (as in SQL).
                    .filter(|(_, c)| c.0 > 0 || layout.is_empty())
                    .map(|(cell, c)| ReturnCount {
                        keys: layout
                            .iter()
                            .map(|&(n, stride)| {
                                let key = (cell / stride) % width(n);
                                axes.get(n)
                                    .and_then(|a| a.codes.get(key))
                                    .cloned()
                                    .unwrap_or_default()
                            })
                            .collect(),
                        people: c.0,
                        cases: c.1,
                    })
                    .collect();
                out.sort_by(|a, b| {
                    for (dim, (x, y)) in dims_of.iter().zip(a.keys.iter().zip(&b.keys)) {
                        let order = if *dim == Dim::Year {
                            x.parse::<i64>().ok().cmp(&y.parse::<i64>().ok())
                        } else {
                            x.cmp(y)
                        };
                        if order.is_ne() {
                            return order;
                        }
                    }
                    std::cmp::Ordering::Equal
                });
                out
            })
            .collect()
    }

    /// Where to divide the people into `parts` runs of whole cases: the first person of
    /// each, then the end.
    fn split(&self, parts: usize) -> Vec<usize> {
        let len = self.people.len();
        let mut bounds = vec![0];
        for k in 1..parts.max(1) {
            let mut at = len * k / parts;
            while at < len && !self.first[at] {
                at += 1;
            }
            if at > *bounds.last().unwrap_or(&0) && at < len {
                bounds.push(at);
            }
        }
        bounds.push(len);
        bounds
    }

    fn people(&self) -> usize {
        self.people.len() - self.dead
    }
}

/// Appends people read in case order to facts, a case at a time.
struct Loader<'a> {
    facts: &'a mut Facts,
    case: Option<Uuid>,
    rows: Vec<ReturnRow>,
    failed: Option<AppError>,
}

impl<'a> Loader<'a> {
    fn new(facts: &'a mut Facts) -> Self {
        Loader {
            facts,
            case: None,
            rows: vec![],
            failed: None,
        }
    }

    fn push(&mut self, row: ReturnRow) {
        if self.failed.is_some() {
            return;
        }
        if let Some(c) = self.case
            && c != row.case_id
        {
            if let Err(e) = self.facts.append(c, &self.rows) {
                self.failed = Some(e);
            }
            self.rows.clear();
        }
        self.case = Some(row.case_id);
        self.rows.push(row);
    }

    fn finish(self) -> Result<()> {
        if let Some(e) = self.failed {
            return Err(e);
        }
        if let Some(c) = self.case {
            self.facts.append(c, &self.rows)?;
        }
        Ok(())
    }
}

/// The returns and pipeline figures of one database, kept in memory and brought up to
/// date before each question.
#[derive(Debug)]
pub struct StatsCube {
    facts: Arc<RwLock<Option<Facts>>>,
    /// One catch-up at a time.
    refreshing: tokio::sync::Mutex<()>,
    /// Passes over the figures at once: each is bound by a core, and holds what it
    /// gathers (the pipeline's durations at a million cases: a few megabytes), so more
    /// than the cores would only add memory.
    passes: Arc<tokio::sync::Semaphore>,
    /// Above this many cases written since the last question, everything is loaded again.
    reload_above: usize,
    /// Loads so far.
    loads: std::sync::atomic::AtomicU64,
}

impl Default for StatsCube {
    fn default() -> Self {
        Self::reloading_above(RELOAD_ABOVE)
    }
}

fn poisoned() -> AppError {
    AppError::internal("the statistics cube was poisoned by a panic")
}

impl StatsCube {
    /// A cube that loads everything again when more than `cases` were written since the
    /// last question (the default: `RELOAD_ABOVE`); tests use a small number.
    pub fn reloading_above(cases: usize) -> Self {
        StatsCube {
            facts: Arc::default(),
            refreshing: tokio::sync::Mutex::default(),
            passes: Arc::new(tokio::sync::Semaphore::new(crate::cores())),
            reload_above: cases,
            loads: Default::default(),
        }
    }

    /// Loads every row of the store (the first question does it if nothing did before).
    #[tracing::instrument(name = "cube.load", skip_all)]
    async fn load(store: &Store) -> Result<Facts> {
        let mut facts = Facts {
            position: store.last_event_position().await?,
            ..Facts::default()
        };
        let mut load = Loader::new(&mut facts);
        store.for_each_return_row(|row| load.push(row)).await?;
        load.finish()?;
        let mut options = Facts {
            by_person: true,
            ..Facts::default()
        };
        let mut load = Loader::new(&mut options);
        store.for_each_taken_up_row(|row| load.push(row)).await?;
        load.finish()?;
        options.people.shrink_to_fit();
        options.first.shrink_to_fit();
        options.alive.shrink_to_fit();
        options.runs.shrink_to_fit();
        options.continues.shrink_to_fit();
        facts.taken_up = Some(Box::new(options));
        let mut failed: Option<AppError> = None;
        store
            .for_each_pipeline_row(|row| {
                if failed.is_none()
                    && let Err(e) = facts.cases.push(&row)
                {
                    failed = Some(e);
                }
            })
            .await?;
        facts.cases.index();
        store
            .for_each_interruption_row(|row| {
                if failed.is_none()
                    && let Err(e) = facts.cases.push_stop(&row)
                {
                    failed = Some(e);
                }
            })
            .await?;
        if let Some(e) = failed {
            return Err(e);
        }
        // Grown by doubling while loading: give back what will not be used.
        facts.people.shrink_to_fit();
        facts.first.shrink_to_fit();
        facts.alive.shrink_to_fit();
        facts.runs.shrink_to_fit();
        facts.cases.shrink_to_fit();
        Ok(facts)
    }

    /// Brings the cube up to the last event written.
    #[tracing::instrument(name = "cube.refresh", skip_all)]
    pub async fn refresh(&self, store: &Store) -> Result<()> {
        let _one = self.refreshing.lock().await;
        let seen = self
            .facts
            .read()
            .map_err(|_| poisoned())?
            .as_ref()
            .map(|f| f.position);
        let changed = match seen {
            None => None,
            Some(seen) => {
                let last = store.last_event_position().await?;
                if last <= seen {
                    return Ok(());
                }
                let changed = store.cases_changed_between(seen, last).await?;
                (changed.len() <= self.reload_above).then_some((changed, last))
            }
        };
        // Nothing loaded yet, or too much changed: everything, afresh. The figures it
        // replaces go first (at a million cases they are a hundred megabytes, and both at
        // once would be the server's peak); no question reads them meanwhile, since each
        // waits for this catch-up, and one already waiting for a core finds none and
        // comes back here.
        let Some((changed, last)) = changed else {
            *self.facts.write().map_err(|_| poisoned())? = None;
            let mut facts = Self::load(store).await?;
            facts.load = 1 + self
                .loads
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            tracing::info!(
                people = facts.people(),
                cases = facts.cases.len(),
                returned = facts.cases(),
                position = facts.position,
                "statistics cube loaded"
            );
            *self.facts.write().map_err(|_| poisoned())? = Some(facts);
            return Ok(());
        };
        let rows = store.return_rows_of(&changed).await?;
        let options = store.taken_up_rows_of(&changed).await?;
        let pipeline = store.pipeline_rows_of(&changed).await?;
        let stops = store.interruption_rows_of(&changed).await?;
        let by_case = |rows: Vec<ReturnRow>| {
            let mut by_case: HashMap<Uuid, Vec<ReturnRow>> =
                changed.iter().map(|c| (*c, Vec::new())).collect();
            for r in rows {
                by_case.entry(r.case_id).or_default().push(r);
            }
            by_case
        };
        let (rows, options) = (by_case(rows), by_case(options));
        let mut guard = self.facts.write().map_err(|_| poisoned())?;
        let facts = guard.as_mut().ok_or_else(poisoned)?;
        facts.replace(&rows)?;
        facts
            .taken_up
            .get_or_insert_with(|| {
                Box::new(Facts {
                    by_person: true,
                    ..Facts::default()
                })
            })
            .replace(&options)?;
        facts.cases.replace(&pipeline, &stops)?;
        facts.position = last;
        Ok(())
    }

    /// Which returns of the period between `from` and `until` (days of departure) are
    /// known, as of the last event written: equal for two questions only if no return of
    /// the period was written between them (a question about past months stays
    /// answered while the month under way is written).
    pub async fn version(
        &self,
        store: &Store,
        from: Option<NaiveDate>,
        until: Option<NaiveDate>,
    ) -> Result<(u64, u64)> {
        loop {
            self.refresh(store).await?;
            let known = {
                let guard = self.facts.read().map_err(|_| poisoned())?;
                guard
                    .as_ref()
                    .map(|facts| (facts.load, facts.last_change(from, until)))
            };
            // None: a reload began after the catch-up above; wait for it.
            if let Some(version) = known {
                return Ok(version);
            }
        }
    }

    /// One pass over the figures, off the request threads and at most one per core. `f`
    /// is told how many cores it may use: more than one when the others are idle.
    /// `splits`: whether `f` counts the people, which it may split between cores.
    async fn pass<T: Send + 'static>(
        &self,
        store: &Store,
        splits: bool,
        f: impl Fn(&Facts, usize) -> T + Send + Sync + 'static,
    ) -> Result<T> {
        let f = Arc::new(f);
        loop {
            self.refresh(store).await?;
            let core = self
                .passes
                .clone()
                .acquire_owned()
                .await
                .internal("statistics closed")?;
            // Idle cores too, if no other question holds them now and there are people
            // enough to split.
            let many = splits
                && self
                    .facts
                    .read()
                    .map_err(|_| poisoned())?
                    .as_ref()
                    .is_some_and(|f| f.people.len() > SPLIT_ABOVE);
            let idle = if many {
                self.passes.available_permits()
            } else {
                0
            };
            let extra = self
                .passes
                .clone()
                .try_acquire_many_owned(u32::try_from(idle).unwrap_or(0))
                .ok();
            let cores = 1 + extra.as_ref().map_or(0, |p| p.num_permits());
            let facts = self.facts.clone();
            let f = f.clone();
            let counted = tokio::task::spawn_blocking(move || {
                let _held = (core, extra);
                let guard = facts.read().map_err(|_| poisoned())?;
                // None: a reload began after the catch-up above.
                Ok::<_, AppError>(guard.as_ref().map(|facts| f(facts, cores)))
            })
            .await
            .internal("counting statistics failed")??;
            if let Some(counted) = counted {
                return Ok(counted);
            }
        }
    }

    /// People and cases by `dims`, for each filter, as of the last event written.
    pub async fn count(
        &self,
        store: &Store,
        dims: &[Dim],
        filters: Vec<StatFilter>,
    ) -> Result<Vec<Vec<ReturnCount>>> {
        let dims = dims.to_vec();
        self.pass(store, true, move |facts, cores| {
            filters
                .iter()
                .map(|f| facts.count_with(&dims, f, cores))
                .collect()
        })
        .await
    }

    /// People and cases by each set of dimensions of `tables`, for one filter, in one pass
    /// (as `count` gives each).
    pub async fn count_many(
        &self,
        store: &Store,
        tables: Vec<Vec<Dim>>,
        filter: StatFilter,
    ) -> Result<Vec<Vec<ReturnCount>>> {
        self.pass(store, true, move |facts, cores| {
            facts.count_many(&tables, &filter, cores)
        })
        .await
    }

    /// The pipeline for a filter, as of the last event written, given to `reduce` in the
    /// same pass: the durations of every departed case (megabytes at a million cases)
    /// are summed up and freed on the thread that gathered them, and at most one set per
    /// core exists at once.
    pub async fn pipeline<T: Send + 'static>(
        &self,
        store: &Store,
        filter: StatFilter,
        reduce: impl Fn(PipelineCounts) -> T + Send + Sync + 'static,
    ) -> Result<T> {
        self.pass(store, false, move |facts, _| {
            reduce(facts.cases.count(&filter))
        })
        .await
    }
}

#[cfg(test)]
mod tests;
