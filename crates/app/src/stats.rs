//! Statistics services: returns by any one or two dimensions, the pipeline, durations.
//! Readers who may not see small numbers (donors, auditors, administrators) get tables
//! protected by `homeward_domain::stats::protect`; programme managers and M&E officers
//! see exact numbers, for their offices.

use std::collections::{BTreeMap, BTreeSet};

use homeward_domain::Stage;
use homeward_domain::access::StatisticsAccess;
use homeward_domain::disclosure::{Forced, protect_table_forced};
use homeward_domain::stats::{
    ADULTS, AgeGroup, CHILDREN, Cell, Counts, Links, Published, Shape, exact, exact_counts,
    percentile, protect, protect_counts,
};
use homeward_store::{Dim, StatFilter};
use serde::Serialize;

use crate::auth::Principal;
use crate::{App, AppError, Result};

mod pipeline;

pub use pipeline::{DaysToDeparture, Pipeline};

/// Who sees statistics, and how (the rule: `Actor::statistics_access`).
pub fn access(p: &Principal) -> Option<StatisticsAccess> {
    p.actor.statistics_access()
}

/// The definitions, shown with every figure and in every export.
pub const DEFINITIONS: [&str; 7] = [
    "A return is a person on a case whose departure was confirmed; withdrawn, rejected and no-show cases are not returns, and a re-opened case counts once it departs.",
    "The year of a return is the year of the departure date in UTC.",
    "Age is the age at departure; an estimated year of birth counts from 1 January of that year.",
    "People are counted one by one; cases (households) once each.",
    "Regions are the UN M49 regions and sub-regions of the country, or, where the dimension ends in _iom, IOM's regional groupings (the countries each of its nine regional offices covers).",
    "A person took up a reintegration option (a type of assistance) once a delivery of an item of that type counts: not reversed, and signed by a second person where one is needed; an item for the household counts for each of its members.",
    "Where small numbers are protected, options taken up are counted in the month each was first taken up, as that month ended, and the year is that month's: a month once ended keeps its count, whatever is recorded later. Where they are not, they are counted by the departure, as they stand now.",
];

/// A row or column of a table.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Key {
    /// The value as stored (a year, an ISO code, an age group, an id...).
    pub code: String,
    /// A name, where the code is an id (programmes, offices).
    pub name: Option<String>,
}

/// A table of returns: people and cases, by one dimension (one row) or two.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReturnsTable {
    pub rows: Option<String>,
    pub columns: Option<String>,
    pub row_keys: Vec<Key>,
    pub column_keys: Vec<Key>,
    pub people: Published,
    pub cases: Published,
    /// Whether small counts are protected for this reader, and below which count.
    pub protected: bool,
    pub threshold: i64,
    pub definitions: Vec<&'static str>,
}

/// A question to the returns figures.
#[derive(Debug, Clone, Default)]
pub struct ReturnsQuery {
    /// Groups along the rows (none: one row, the total).
    pub rows: Option<Dim>,
    /// Groups along the columns (none: one column).
    pub columns: Option<Dim>,
    /// Rows by each vulnerability or each type of assistance received, then any of them
    /// (`any`), instead of `rows`; people may count in several rows.
    pub by_each: Option<ByEach>,
    pub filter: StatFilter,
}

fn dim_name(d: Option<Dim>) -> Option<String> {
    d.map(|d| d.code().to_string())
}

/// Which keys of a dimension add up to a key of a coarser one, in every grouping of it
/// (`Dim::groupings`: a country's M49 sub-region and its IOM region).
fn links_of(dim: Option<Dim>, keys: &[String]) -> Vec<Vec<usize>> {
    let Some(dim) = dim else {
        return vec![];
    };
    let mut links = vec![];
    for coarser in dim.groupings() {
        let mut groups: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (n, k) in keys.iter().enumerate() {
            groups
                .entry(dim.parent_in(coarser, k).unwrap_or_default())
                .or_default()
                .push(n);
        }
        links.extend(groups.into_values().filter(|g| g.len() > 1));
    }
    links
}

/// The dimensions a protected reader can cross with `dim` in a table of households that
/// may need joint protection (`App::joint_forced`): those of which one, `dim` or it,
/// describes people (none that only readers of exact figures may ask for).
fn crossings(dim: Dim) -> Vec<Dim> {
    Dim::ALL
        .into_iter()
        .filter(|&other| {
            other != dim
                && !other.exact_only()
                && (dim.describes_people() || other.describes_people())
        })
        .collect()
}

/// Every set of dimensions `App::joint_forced` counts for `dim`: the total, `dim`'s and
/// each crossing's totals, and each crossing.
fn joint_tables(dim: Dim) -> Vec<Vec<Dim>> {
    [vec![], vec![dim]]
        .into_iter()
        .chain(
            crossings(dim)
                .into_iter()
                .flat_map(|o| [vec![o], vec![dim, o]]),
        )
        .collect()
}

/// Adds to `years` (keys of the year dimension) every year between the first and the
/// last, and those of the filter's period: from its first year, up to its last (or this
/// year, if it ends later).
fn fill_years(years: &mut BTreeSet<String>, filter: &StatFilter) {
    use chrono::Datelike;
    let found = || years.iter().filter_map(|y| y.parse::<i32>().ok());
    let first = filter.from.map(|d| d.year()).or_else(|| found().min());
    let last = filter
        .until
        .map(|d| d.year().min(crate::now().year()))
        .or_else(|| found().max());
    if let (Some(first), Some(last)) = (first, last) {
        // A period is at most a few decades; a wider one is filled no further than 200
        // years back from its end.
        for y in first.max(last - 200)..=last {
            years.insert(y.to_string());
        }
    }
}

/// Counts by each set of dimensions already asked, for one filter.
#[derive(Default)]
struct Memo {
    counts: std::sync::Mutex<std::collections::HashMap<Vec<Dim>, Vec<homeward_store::ReturnCount>>>,
    /// The version of the filter's returns (`StatsCube::version`) read before anything was
    /// counted: every count is at least as new. What `joint_forced` keeps is kept under it
    /// (a write between the read and a count then only makes the next question count again).
    since: std::sync::Mutex<Option<Version>>,
}

impl Memo {
    /// `since`, if it was read.
    fn known(&self) -> Option<Version> {
        self.since.lock().ok().and_then(|since| *since)
    }

    /// `since`, set to `now` if nothing set it and nothing was counted yet; none when
    /// counts were taken before any version was read (then nothing is kept under one).
    fn since(&self, now: Version) -> Option<Version> {
        let counted = self.counts.lock().map_or(true, |c| !c.is_empty());
        let mut since = self.since.lock().ok()?;
        match *since {
            Some(v) => Some(v),
            None if counted => None,
            None => {
                *since = Some(now);
                Some(now)
            }
        }
    }
}

/// A table of returns as counted, before it is published.
struct Tabulated {
    row_dim: Option<String>,
    rows: Vec<String>,
    cols: Vec<String>,
    people: Counts,
    cases: Counts,
    people_shape: Shape,
    cases_shape: Shape,
    links: Links,
}

/// `App::joint_forced`'s answers, each for a filter and a dimension, as of the returns of
/// its period (`StatsCube::version`): a few dozen protected tables each, asked again only
/// once a return of the period is written (a protected period ends with the last whole
/// month: writing this month's departures leaves them be). At most `JOINT_CACHED` are
/// kept.
#[derive(Default)]
pub(crate) struct JointCache {
    entries: std::sync::Mutex<std::collections::HashMap<(String, Dim), JointEntry>>,
}

/// Keys whose household totals are forced hidden, as of a version of the returns.
type JointEntry = (Version, std::sync::Arc<BTreeSet<String>>);

/// `StatsCube::version`.
type Version = (u64, u64);

const JOINT_CACHED: usize = 256;

impl JointCache {
    fn get(
        &self,
        key: &(String, Dim),
        version: Version,
    ) -> Option<std::sync::Arc<BTreeSet<String>>> {
        let entries = self.entries.lock().ok()?;
        entries
            .get(key)
            .filter(|(at, _)| *at == version)
            .map(|(_, v)| v.clone())
    }

    /// Keeps `value` unless a newer one is kept already (a slow question may end after a
    /// quicker, later one). When full, everything goes: each is a pass to count again.
    fn put(&self, key: (String, Dim), version: Version, value: std::sync::Arc<BTreeSet<String>>) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.get(&key).is_some_and(|(at, _)| *at > version) {
                return;
            }
            if entries.len() >= JOINT_CACHED && !entries.contains_key(&key) {
                entries.clear();
            }
            entries.insert(key, (version, value));
        }
    }
}

/// The row of a table `ByEach` that counts people with any of its rows' attributes.
pub use homeward_domain::stats::ANY as ANY_VULNERABILITY;
pub use homeward_domain::stats::ByEach;

/// `filter` as a reader of protected figures is counted by `by` (and a reader of exact
/// figures who asks): options taken up by the month they were taken up
/// (`StatFilter::taken_up`), not by the departure. A delivery comes months after the
/// departure: past months counted by departure would change with each one, and two
/// readings a day apart would tell one returnee's assistance; a month of taking up, once
/// ended, never changes (`stats::TakenUp`).
fn dated(by: ByEach, filter: StatFilter) -> StatFilter {
    StatFilter {
        taken_up: by == ByEach::Assistance,
        ..filter
    }
}

/// `filter`, and only people with any attribute of `mask` of `by`.
fn only(by: ByEach, filter: &StatFilter, mask: i64) -> StatFilter {
    let mut f = filter.clone();
    match by {
        ByEach::Vulnerability => f.vulnerabilities = Some(mask),
        ByEach::Assistance => f.assistance = Some(mask),
    }
    f
}

/// Whether a table by each option taken up, counted by month (for a reader of protected
/// figures: `!exact`), would be crossed with the year, which it is not (the rule:
/// `TableAsked::taken_up_by_year`).
pub fn taken_up_by_year(by_each: Option<ByEach>, columns: Option<Dim>, dated: bool) -> bool {
    homeward_domain::stats::TableAsked {
        by_each,
        columns,
        taken_up: dated,
        ..Default::default()
    }
    .taken_up_by_year()
}

/// Where a key goes along its dimension: age groups youngest first, vulnerabilities and
/// types of assistance in their order ("any" after them), anything else by its code;
/// "not recorded" last.
fn key_order(dim: Option<&str>, code: &str) -> (bool, usize, String) {
    let position = match dim {
        Some("age_group") => AgeGroup::ALL.iter().position(|a| a.code() == code),
        Some(d) if ByEach::from_code(d).is_some() => {
            let rows = ByEach::from_code(d)
                .map(ByEach::with_any)
                .unwrap_or_default();
            Some(
                rows.iter()
                    .position(|(c, _)| *c == code)
                    .unwrap_or(rows.len()),
            )
        }
        Some("children") => [CHILDREN, ADULTS].iter().position(|c| *c == code),
        _ => None,
    };
    (
        code.is_empty() && dim.is_some(),
        position.unwrap_or(0),
        code.to_string(),
    )
}

impl App {
    pub fn stats_threshold(&self) -> i64 {
        self.config().stats_threshold
    }

    fn stats_filter(&self, p: &Principal, mut f: StatFilter) -> Result<(StatFilter, bool)> {
        let a = access(p).ok_or_else(|| {
            AppError::Forbidden(
                "statistics are for programme managers, M&E officers, donors and auditors".into(),
            )
        })?;
        if !a.exact {
            f = self.protected_filter(f)?;
        }
        if let Some(mine) = &a.offices {
            // Only one's own offices, and within them whatever was asked.
            let mine: Vec<uuid::Uuid> = mine.iter().map(|o| o.0).collect();
            f.offices = Some(match f.offices {
                Some(asked) => asked.into_iter().filter(|o| mine.contains(o)).collect(),
                None => mine,
            });
        }
        Ok((f, a.exact))
    }

    /// `f` as a protected reader may ask it: whole months, up to the last whole month
    /// (`protected_period`).
    fn protected_filter(&self, mut f: StatFilter) -> Result<StatFilter> {
        let (_, until) =
            homeward_domain::stats::protected_period(f.from, f.until, crate::now().date_naive())
                .map_err(AppError::Invalid)?;
        f.until = Some(until);
        Ok(f)
    }

    /// Returns by `dims` for each filter, from the in-memory cube (`crate::cube`).
    async fn count_returns(
        &self,
        dims: &[Dim],
        filters: Vec<StatFilter>,
    ) -> Result<Vec<Vec<homeward_store::ReturnCount>>> {
        self.stats_cube().count(self.store(), dims, filters).await
    }

    /// Loads the returns and pipeline figures into memory ahead of the first question (a server calls
    /// it once at start: at a million cases the first load takes seconds).
    /// Then protects the crossings of a protected reader's unfiltered tables (those of
    /// the page and the API without a filter), which a first question would otherwise wait
    /// for; they stay until a return of their period is written.
    pub async fn warm_statistics(&self) -> Result<()> {
        self.stats_cube().refresh(self.store()).await?;
        let threshold = self.stats_threshold();
        if threshold > 1 {
            let filter = self.protected_filter(StatFilter::default())?;
            let memo = Memo::default();
            // The version the warm-up is kept under, read before it counts.
            self.joint_cached(Dim::Year, &filter, threshold, &memo)
                .await?;
            let dims = Dim::ALL.into_iter().filter(|d| !d.exact_only());
            self.count_into(
                dims.clone().flat_map(joint_tables).collect(),
                &filter,
                &memo,
            )
            .await?;
            for dim in dims {
                self.joint_forced(dim, &filter, threshold, &memo).await?;
            }
        }
        Ok(())
    }

    async fn names(&self) -> Result<BTreeMap<String, String>> {
        let mut names = BTreeMap::new();
        for o in self.list_offices().await? {
            names.insert(o.id.to_string(), format!("{} ({})", o.name, o.code));
        }
        for pr in self.list_programmes().await? {
            names.insert(pr.id.to_string(), pr.name.to_string());
        }
        Ok(names)
    }

    #[tracing::instrument(skip_all)]
    pub async fn returns_table(&self, p: &Principal, q: ReturnsQuery) -> Result<ReturnsTable> {
        let (mut filter, exact_numbers) = self.stats_filter(p, q.filter.clone())?;
        // Options taken up by their month for protected readers, and for readers of exact
        // figures who ask so; nothing else is counted from them.
        filter.taken_up = false;
        if let Some(by) = q.by_each.filter(|_| !exact_numbers || q.filter.taken_up) {
            filter = dated(by, filter);
        }
        if filter.taken_up && !exact_numbers {
            // Months by when things were recorded: read once their recording is settled.
            let settled = homeward_domain::stats::settled_month_end(crate::now());
            filter.until = Some(filter.until.map_or(settled, |u| u.min(settled)));
        }
        let wrong = homeward_domain::stats::TableAsked {
            rows: q.rows,
            columns: q.columns,
            by_each: q.by_each,
            taken_up: filter.taken_up,
        }
        .violations(exact_numbers);
        if !wrong.is_empty() {
            return Err(AppError::Invalid(wrong));
        }
        let names = self.names().await?;
        let key = |code: &str| Key {
            code: code.to_string(),
            name: names.get(code).cloned(),
        };
        // One count per set of dimensions for the whole question, joint protection
        // included, and all of them in one pass over the returns where they are known
        // ahead: the table, its totals and the crossings not protected yet.
        let memo = Memo::default();
        let threshold = self.stats_threshold();
        let joint = !(exact_numbers || q.by_each.is_some() || threshold <= 1);
        if q.by_each.is_none() {
            let dims: Vec<Dim> = q.rows.into_iter().chain(q.columns).collect();
            let mut tables = vec![vec![], dims.clone()];
            tables.extend(dims.iter().map(|d| vec![*d]));
            for &d in dims.iter().filter(|_| joint) {
                let (_, _, hit) = self.joint_cached(d, &filter, threshold, &memo).await?;
                if hit.is_none() {
                    tables.extend(joint_tables(d));
                }
            }
            self.count_into(tables, &filter, &memo).await?;
        }
        let t = self.tabulate(&q, &filter, &memo).await?;
        let publish = |c: &Counts, shape: Shape| {
            if exact_numbers {
                exact_counts(c)
            } else {
                protect_counts(c, shape, threshold, &t.links)
            }
        };
        let cases = if !joint {
            publish(&t.cases, t.cases_shape)
        } else {
            // Household totals that some table crossing these dimensions hides are hidden
            // here too (`joint_forced`): else this table would give them away.
            let forced = Forced {
                rows: self
                    .forced_flags(q.rows, &t.rows, &filter, threshold, &memo)
                    .await?,
                columns: self
                    .forced_flags(q.columns, &t.cols, &filter, threshold, &memo)
                    .await?,
            };
            protect_table_forced(&t.cases, t.cases_shape, threshold, &t.links, &forced).0
        };
        Ok(ReturnsTable {
            rows: t.row_dim.clone(),
            columns: dim_name(q.columns),
            row_keys: t.rows.iter().map(|r| key(r)).collect(),
            column_keys: t.cols.iter().map(|c| key(c)).collect(),
            people: publish(&t.people, t.people_shape),
            cases,
            protected: !exact_numbers,
            threshold,
            definitions: DEFINITIONS.to_vec(),
        })
    }

    /// Which of `keys` (of `dim`) have their household totals forced hidden.
    async fn forced_flags(
        &self,
        dim: Option<Dim>,
        keys: &[String],
        filter: &StatFilter,
        threshold: i64,
        memo: &Memo,
    ) -> Result<Vec<bool>> {
        let forced = match dim {
            Some(d) => self.joint_forced(d, filter, threshold, memo).await?,
            None => Default::default(),
        };
        Ok(keys.iter().map(|k| forced.contains(k)).collect())
    }

    /// `joint_forced`'s cache key for `dim` and `filter`, the version of the returns the
    /// question is answered as of (`Memo::since`: read once per question, before anything
    /// is counted), and the answer kept for that version. No version: counts were taken
    /// before one was read, and nothing may be kept or used.
    async fn joint_cached(
        &self,
        dim: Dim,
        filter: &StatFilter,
        threshold: i64,
        memo: &Memo,
    ) -> Result<(
        (String, Dim),
        Option<Version>,
        Option<std::sync::Arc<BTreeSet<String>>>,
    )> {
        let version = match memo.known() {
            Some(version) => Some(version),
            None => {
                let now = self
                    .stats_cube()
                    .version(self.store(), filter.from, filter.until)
                    .await?;
                memo.since(now)
            }
        };
        // The same filter however its offices were listed.
        let mut same = filter.clone();
        if let Some(offices) = same.offices.as_mut() {
            offices.sort();
            offices.dedup();
        }
        let key = (format!("{same:?}/{threshold}"), dim);
        let hit = version.and_then(|v| self.joint_cache().get(&key, v));
        Ok((key, version, hit))
    }

    /// Counts every set of dimensions of `tables` that `memo` does not hold yet, in one
    /// pass over the returns, into `memo`.
    async fn count_into(
        &self,
        tables: Vec<Vec<Dim>>,
        filter: &StatFilter,
        memo: &Memo,
    ) -> Result<()> {
        let mut wanted: Vec<Vec<Dim>> = vec![];
        for dims in tables {
            if !wanted.contains(&dims) && memo.counts.lock().is_ok_and(|m| !m.contains_key(&dims)) {
                wanted.push(dims);
            }
        }
        if wanted.is_empty() {
            return Ok(());
        }
        let counted = self
            .stats_cube()
            .count_many(self.store(), wanted.clone(), filter.clone())
            .await?;
        if let Ok(mut m) = memo.counts.lock() {
            m.extend(wanted.into_iter().zip(counted));
        }
        Ok(())
    }

    /// The household totals of `dim`'s keys that some table crossing `dim` with another
    /// dimension hides (`disclosure::Forced`: its line's, and those it had to hide beyond
    /// them), for this filter.
    /// Only tables of households by a dimension of people can need it (where a household
    /// is in several cells, the totals can pin a small cell however many cells are
    /// hidden); both orientations of each crossing are asked, as a reader may. Kept for
    /// the filter until a return of its period is written.
    async fn joint_forced(
        &self,
        dim: Dim,
        filter: &StatFilter,
        threshold: i64,
        memo: &Memo,
    ) -> Result<std::sync::Arc<BTreeSet<String>>> {
        let (key, version, hit) = self.joint_cached(dim, filter, threshold, memo).await?;
        if let Some(hit) = hit {
            return Ok(hit);
        }
        self.count_into(joint_tables(dim), filter, memo).await?;
        let others = crossings(dim);
        // The tables first (counted above, or with the question), then their protection on
        // a blocking thread: tens of protected tables are seconds of a core at worst.
        let mut jobs = vec![];
        for &other in &others {
            let q = ReturnsQuery {
                rows: Some(dim),
                columns: Some(other),
                by_each: None,
                filter: filter.clone(),
            };
            let t = self.tabulate(&q, filter, memo).await?;
            jobs.push(t);
        }
        let forced = tokio::task::spawn_blocking(move || {
            let mut forced = BTreeSet::new();
            for t in jobs {
                // As asked, and the other way round (the same counts, transposed): the
                // suppression need not be symmetric, and the reader may ask either.
                let turned = t
                    .cases_shape
                    .transposed()
                    .map(|shape| (t.cases.transposed(), shape, t.links.transposed()));
                let ways = [(t.cases.clone(), t.cases_shape, t.links.clone())]
                    .into_iter()
                    .chain(turned);
                for (n, (counts, shape, links)) in ways.enumerate() {
                    let (_, hides) =
                        protect_table_forced(&counts, shape, threshold, &links, &Forced::default());
                    let hidden = if n == 0 { &hides.rows } else { &hides.columns };
                    for (k, h) in t.rows.iter().zip(hidden) {
                        if *h {
                            forced.insert(k.clone());
                        }
                    }
                }
            }
            forced
        })
        .await
        .map_err(|e| AppError::internal(format!("protecting the crossings: {e}")))?;
        let forced = std::sync::Arc::new(forced);
        if let Some(version) = version {
            self.joint_cache().put(key, version, forced.clone());
        }
        Ok(forced)
    }

    /// The counts of a table of returns, with how its units fall into its rows and
    /// columns and which of its keys coarser tables sum.
    /// `memo` keeps the counts by each set of dimensions for the next table of the filter.
    async fn tabulate(
        &self,
        q: &ReturnsQuery,
        filter: &StatFilter,
        memo: &Memo,
    ) -> Result<Tabulated> {
        let filter = filter.clone();
        // (row, column) -> (people, cases)
        let mut counts: BTreeMap<(String, String), (i64, i64)> = BTreeMap::new();
        // Totals, each counted directly (see `Counts`): by row, by column, in all.
        let mut row_totals: BTreeMap<String, (i64, i64)> = BTreeMap::new();
        let mut col_totals: BTreeMap<String, (i64, i64)> = BTreeMap::new();
        let mut total = (0, 0);
        let mut row_keys: BTreeSet<String> = BTreeSet::new();
        let mut col_keys: BTreeSet<String> = BTreeSet::new();
        let columns: Vec<Dim> = q.columns.into_iter().collect();
        let pair = |c: &homeward_store::ReturnCount| (c.people, c.cases);
        if let Some(by) = q.by_each {
            // Each vulnerability (or type of assistance), then any of them (a row of its
            // own: people may have several). The totals of the columns and the table are
            // those of "any".
            let (codes, filters): (Vec<&str>, Vec<StatFilter>) = by
                .with_any()
                .into_iter()
                .map(|(code, mask)| (code, only(by, &filter, mask)))
                .unzip();
            let tables = self.count_returns(&columns, filters.clone()).await?;
            // Without columns, each row's table is its total.
            let sums = match columns.is_empty() {
                true => tables.clone(),
                false => self.count_returns(&[], filters).await?,
            };
            for ((code, table), sum) in codes.into_iter().zip(tables).zip(sums) {
                row_keys.insert(code.to_string());
                let sum = sum.first().map(pair).unwrap_or_default();
                row_totals.insert(code.to_string(), sum);
                for c in table {
                    let col = c.keys.first().cloned().unwrap_or_default();
                    col_keys.insert(col.clone());
                    if code == ANY_VULNERABILITY {
                        col_totals.insert(col.clone(), pair(&c));
                    }
                    counts.insert((code.to_string(), col), pair(&c));
                }
                if code == ANY_VULNERABILITY {
                    total = sum;
                }
            }
        } else {
            let dims: Vec<Dim> = q.rows.into_iter().chain(columns.iter().copied()).collect();
            let one = |dims: Vec<Dim>| {
                let filter = filter.clone();
                async move {
                    let known = memo.counts.lock().ok().and_then(|m| m.get(&dims).cloned());
                    if let Some(counts) = known {
                        return Ok(counts);
                    }
                    let counts = self
                        .count_returns(&dims, vec![filter])
                        .await?
                        .into_iter()
                        .next()
                        .unwrap_or_default();
                    if let Ok(mut m) = memo.counts.lock() {
                        m.insert(dims, counts.clone());
                    }
                    Ok::<_, AppError>(counts)
                }
            };
            for c in one(dims).await? {
                let mut keys = c.keys.iter().cloned();
                let row = if q.rows.is_some() {
                    keys.next().unwrap_or_default()
                } else {
                    String::new()
                };
                let col = keys.next().unwrap_or_default();
                row_keys.insert(row.clone());
                col_keys.insert(col.clone());
                counts.insert((row, col), pair(&c));
            }
            if q.rows.is_none() {
                row_keys.insert(String::new());
            }
            total = one(vec![]).await?.first().map(pair).unwrap_or_default();
            // The totals along a dimension; without one, the single line's is the total.
            let margin = |dim: Option<Dim>| async move {
                let mut totals = BTreeMap::new();
                match dim {
                    Some(d) => {
                        for c in one(vec![d]).await? {
                            totals.insert(c.keys.first().cloned().unwrap_or_default(), pair(&c));
                        }
                    }
                    None => {
                        totals.insert(String::new(), total);
                    }
                }
                Ok::<_, AppError>(totals)
            };
            row_totals = margin(q.rows).await?;
            col_totals = margin(q.columns).await?;
        }
        if q.columns.is_none() {
            col_keys = [String::new()].into_iter().collect();
        }
        // A series of years has every year of its span, a year without returns at 0: a
        // chart of it must not skip the year.
        if q.rows == Some(Dim::Year) {
            fill_years(&mut row_keys, &filter);
        }
        if q.columns == Some(Dim::Year) {
            fill_years(&mut col_keys, &filter);
        }
        let row_dim = match q.by_each {
            Some(by) => Some(by.code().to_string()),
            None => dim_name(q.rows),
        };
        let mut rows: Vec<String> = row_keys.into_iter().collect();
        rows.sort_by_key(|k| key_order(row_dim.as_deref(), k));
        let mut cols: Vec<String> = col_keys.into_iter().collect();
        cols.sort_by_key(|k| key_order(dim_name(q.columns).as_deref(), k));
        let matrix = |pick: fn(&(i64, i64)) -> i64| -> Vec<Vec<i64>> {
            rows.iter()
                .map(|r| {
                    cols.iter()
                        .map(|c| counts.get(&(r.clone(), c.clone())).map(pick).unwrap_or(0))
                        .collect()
                })
                .collect()
        };
        let totals = |of: &BTreeMap<String, (i64, i64)>,
                      keys: &[String],
                      pick: fn(&(i64, i64)) -> i64|
         -> Vec<i64> {
            keys.iter()
                .map(|k| of.get(k).map(pick).unwrap_or(0))
                .collect()
        };
        let counted = |pick: fn(&(i64, i64)) -> i64| Counts {
            cells: matrix(pick),
            row_totals: totals(&row_totals, &rows, pick),
            column_totals: totals(&col_totals, &cols, pick),
            total: pick(&total),
        };
        let (people, cases) = (counted(|x| x.0), counted(|x| x.1));
        // Countries sum to their sub-region, sub-regions to their region, the youngest age
        // groups to the children: tables by those publish the sums, so suppression here
        // must hold within each of them too.
        let links = Links {
            rows: links_of(q.rows.filter(|_| q.by_each.is_none()), &rows),
            columns: links_of(q.columns, &cols),
        };
        // How people and households fall into the rows and columns: a person is in one
        // row of every dimension but the vulnerabilities; a household is in one row of a
        // dimension of the case (year, countries, office...) but may be in several of a
        // dimension of its people (sex, age).
        let any_row = rows
            .iter()
            .position(|r| q.by_each.is_some() && r == ANY_VULNERABILITY);
        let people_shape = Shape {
            rows_partition: q.by_each.is_none(),
            columns_partition: true,
            any_row,
        };
        let cases_shape = Shape {
            rows_partition: q.by_each.is_none() && !q.rows.is_some_and(Dim::describes_people),
            columns_partition: !q.columns.is_some_and(Dim::describes_people),
            any_row,
        };
        Ok(Tabulated {
            row_dim,
            rows,
            cols,
            people,
            cases,
            people_shape,
            cases_shape,
            links,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joint_protection_is_kept_only_under_a_version_read_before_counting() {
        // Read first, then counted: kept under what was read, whatever is read later.
        let memo = Memo::default();
        assert_eq!(memo.since((1, 4)), Some((1, 4)));
        assert_eq!(memo.since((1, 9)), Some((1, 4)));
        assert_eq!(memo.known(), Some((1, 4)));
        // Counted before any version was read: the counts may be older than any version
        // read now, so nothing is kept.
        let late = Memo::default();
        if let Ok(mut c) = late.counts.lock() {
            c.insert(vec![], vec![]);
        }
        assert_eq!(late.since((1, 9)), None);
        assert_eq!(late.known(), None);
    }

    #[test]
    fn the_joint_cache_keeps_the_newest_answer() {
        let cache = JointCache::default();
        let key = ("filter".to_string(), Dim::Sex);
        let answer = |k: &str| std::sync::Arc::new(BTreeSet::from([k.to_string()]));
        cache.put(key.clone(), (1, 5), answer("new"));
        // A slow question that read an older version ends later: the newer answer stays.
        cache.put(key.clone(), (1, 3), answer("old"));
        assert_eq!(cache.get(&key, (1, 5)), Some(answer("new")));
        assert_eq!(cache.get(&key, (1, 3)), None);
        // Full: the rest goes, the new one is kept.
        for n in 0..JOINT_CACHED {
            cache.put((n.to_string(), Dim::Year), (1, 5), answer("x"));
        }
        assert!(cache.entries.lock().is_ok_and(|e| e.len() <= JOINT_CACHED));
    }

    fn keys(k: &[&str]) -> Vec<String> {
        k.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn countries_are_linked_by_sub_region_and_iom_region_and_age_groups_by_childhood() {
        // M49: Egypt and Morocco in Northern Africa, Georgia and Iraq in Western Asia.
        // IOM: Egypt, Iraq and Morocco in the Middle East and North Africa; Georgia in
        // SEEECA; Senegal alone in West and Central Africa, as in Western Africa.
        let countries = keys(&["EG", "GE", "IQ", "MA", "SN"]);
        assert_eq!(
            links_of(Some(Dim::ReturnCountry), &countries),
            vec![vec![0, 3], vec![1, 2], vec![0, 2, 3]]
        );
        let subregions = keys(&["northern-africa", "western-africa", "western-asia"]);
        assert_eq!(
            links_of(Some(Dim::HostSubregion), &subregions),
            vec![vec![0, 1]]
        );
        let ages = keys(&["0-4", "5-11", "12-17", "18-24", "25-59", "60+"]);
        assert_eq!(
            links_of(Some(Dim::AgeGroup), &ages),
            vec![vec![3, 4, 5], vec![0, 1, 2]]
        );
        assert!(links_of(Some(Dim::Sex), &keys(&["female", "male"])).is_empty());
    }
}
