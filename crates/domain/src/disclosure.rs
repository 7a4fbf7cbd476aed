//! What a reader who may not see small numbers can work out from what is published, and
//! the cell suppression that leaves them nothing small to work out.
//!
//! A protected reader obtains, for one filter, a table, its row, column and grand totals,
//! and the one-dimensional table of each of its dimensions (the same numbers as its
//! totals). Each published figure is a fact about the true counts, and so is each relation
//! between them (a total is the sum of its cells when every counted person or household
//! falls in one cell; it is at least each cell and at most their sum when one can fall in
//! several). The audit (`intervals`) solves, for each hidden figure, the smallest and the
//! largest value consistent with all of them (counts at least 0): a linear programme per
//! figure and direction, the audit that statistical disclosure tools (tau-ARGUS, sdcTable)
//! run. A hidden count below the threshold is protected when that interval is at least the
//! threshold wide. The programmes relax integer counts to real numbers: exact for tables
//! whose totals are sums of their cells (their constraint matrices are totally
//! unimodular), towards wider intervals otherwise.
//!
//! Suppression (`protect_table`) goes from the coarsest figures to the finest, each level
//! taking what the levels before it publish as given: the grand total (hidden when small),
//! then each one-dimensional table (its small counts, then cover until the audit passes),
//! then the cells (the same, with the totals fixed as the one-dimensional tables publish
//! them: hiding a total there that another table shows would protect nothing).
//!
//! Where hiding cells cannot protect a small count (the totals pin it), totals are hidden
//! too; those must then be hidden in every table that gives them, the one-dimensional
//! tables first (`protect_table_forced`, `Forced`).
//!
//! Coarser tables (countries summed to their sub-region, age groups to children) are
//! protected by a rule, not yet by the audit: no group of cells they sum keeps exactly one
//! hidden cell where it has another count to hide (`stats::secondary`).

use crate::stats::{Cell, Counts, Links, Published};

mod certificates;

use certificates::*;

/// Which rows of a table of money to hide from a protected reader, given each row's
/// households (a programme's budget by line, assistance type or country): the rows of
/// fewer than `threshold` households (one household's plan), then the smallest others
/// with them until the hidden rows hold at least `threshold` households together, since
/// their money is the table's total less the rows shown. The second value is false when
/// even all of them hold fewer: the total must be hidden too. Rows of no household show
/// no one's money and are not hidden.
pub fn cover_money(households: &[i64], threshold: i64) -> (Vec<bool>, bool) {
    cover_money_with(households, &[], threshold)
}

/// [`cover_money`], with the rows of `forced` hidden from the start whatever their
/// households (another table gives them away otherwise), and covered like the small ones.
pub fn cover_money_with(households: &[i64], forced: &[bool], threshold: i64) -> (Vec<bool>, bool) {
    if threshold <= 1 {
        return (vec![false; households.len()], true);
    }
    let mut hidden: Vec<bool> = households
        .iter()
        .enumerate()
        .map(|(n, h)| (1..threshold).contains(h) || forced.get(n).copied().unwrap_or(false))
        .collect();
    let mut held: i64 = households
        .iter()
        .zip(&hidden)
        .filter(|(_, h)| **h)
        .map(|(n, _)| n)
        .sum();
    while (1..threshold).contains(&held) {
        let next = (0..households.len())
            .filter(|&n| !hidden[n] && households[n] > 0)
            .min_by_key(|&n| households[n]);
        let Some(n) = next else { break };
        hidden[n] = true;
        held += households[n];
    }
    (hidden, held == 0 || held >= threshold)
}

/// How the counted units fall into a table's rows and columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    /// Each unit is in exactly one row (people by sex; a household by its country of
    /// return). Else a unit may be in several rows (a household with a woman and a man;
    /// a person with two vulnerabilities).
    pub rows_partition: bool,
    pub columns_partition: bool,
    /// A row that counts each unit of the other rows once ("any vulnerability"): the
    /// column totals are its cells and the grand total its total.
    pub any_row: Option<usize>,
}

impl Shape {
    /// The shape of the transposed table (without an "any" row: it has no column).
    pub fn transposed(self) -> Option<Shape> {
        self.any_row.is_none().then_some(Shape {
            rows_partition: self.columns_partition,
            columns_partition: self.rows_partition,
            any_row: None,
        })
    }

    /// Every unit in one row and one column: totals are sums.
    pub const ADDITIVE: Shape = Shape {
        rows_partition: true,
        columns_partition: true,
        any_row: None,
    };
}

/// A linear fact about the figures: `Σ coefficient × figure` compared with 0.
#[derive(Debug, Clone)]
struct Fact {
    terms: Vec<(usize, f64)>,
    op: Op,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Equal,
    AtMost,
}

/// Every figure a reader can relate to a table, with what they know of each.
#[derive(Debug, Clone, Default)]
struct Figures {
    values: Vec<i64>,
    published: Vec<bool>,
    facts: Vec<Fact>,
}

impl Figures {
    fn add(&mut self, value: i64, published: bool) -> usize {
        self.values.push(value);
        self.published.push(published);
        self.values.len() - 1
    }

    /// `total = Σ parts` (partition) or `max(parts) ≤ total ≤ Σ parts` (overlapping).
    fn total(&mut self, total: usize, parts: &[usize], partition: bool) {
        if parts.is_empty() {
            return;
        }
        let mut sum = vec![(total, -1.0)];
        sum.extend(parts.iter().map(|&p| (p, 1.0)));
        if partition {
            self.facts.push(Fact {
                terms: sum,
                op: Op::Equal,
            });
        } else {
            // total - Σ parts ≤ 0
            self.facts.push(Fact {
                terms: sum.iter().map(|&(v, c)| (v, -c)).collect(),
                op: Op::AtMost,
            });
            for &p in parts {
                self.facts.push(Fact {
                    terms: vec![(p, 1.0), (total, -1.0)],
                    op: Op::AtMost,
                });
            }
        }
    }

    fn equal(&mut self, a: usize, b: usize) {
        self.facts.push(Fact {
            terms: vec![(a, 1.0), (b, -1.0)],
            op: Op::Equal,
        });
    }

    /// The smallest and largest value of figure `f` consistent with every published
    /// figure and fact (`None` for the largest when nothing bounds it); `None` when the
    /// programme could not be solved.
    fn interval(&self, f: usize) -> Option<Interval> {
        let low = self.extreme(f, microlp::OptimizationDirection::Minimize)?;
        let high = self.extreme(f, microlp::OptimizationDirection::Maximize)?;
        Some((low?, high))
    }

    /// `Some(None)`: unbounded; `None`: not solved. Only hidden figures are variables:
    /// a published one is a number, moved to the right of its facts.
    fn extreme(&self, f: usize, direction: microlp::OptimizationDirection) -> Option<Option<f64>> {
        let mut p = microlp::Problem::new(direction);
        // A programme of a few hundred figures takes milliseconds. One stopped at its
        // limit has no solution and counts as exposed: more is hidden. The limit only
        // guards against a pathological programme: a short one would make what is
        // published depend on how busy the machine is, and two answers to one question
        // that differ give, together, more than either.
        p.set_time_limit(std::time::Duration::from_secs(10));
        let vars: Vec<Option<microlp::Variable>> = (0..self.values.len())
            .map(|i| {
                (!self.published[i])
                    .then(|| p.add_var(if i == f { 1.0 } else { 0.0 }, (0.0, f64::INFINITY)))
            })
            .collect();
        for fact in &self.facts {
            // One term per hidden figure (the solver refuses repeated variables).
            let mut terms: Vec<(microlp::Variable, f64)> = vec![];
            let mut rhs = 0.0;
            for &(v, c) in &fact.terms {
                match vars[v] {
                    Some(var) => match terms.iter_mut().find(|(w, _)| *w == var) {
                        Some((_, d)) => *d += c,
                        None => terms.push((var, c)),
                    },
                    None => rhs -= c * self.values[v] as f64,
                }
            }
            terms.retain(|(_, c)| *c != 0.0);
            if terms.is_empty() {
                continue;
            }
            let op = match fact.op {
                Op::Equal => microlp::ComparisonOp::Eq,
                Op::AtMost => microlp::ComparisonOp::Le,
            };
            p.add_constraint(terms, op, rhs);
        }
        // The solver is young and may panic on a hard programme: a figure it cannot
        // bound counts as exposed, and is protected further.
        let solved = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| p.solve()));
        match solved {
            Ok(Ok(outcome)) => outcome.solution().map(|s| Some(s.objective())),
            Ok(Err(microlp::Error::Unbounded)) => Some(None),
            _ => None,
        }
    }

    /// Whether figure `f` cannot be narrowed to an interval less than `threshold` wide.
    /// Its largest value first: when that is already `threshold` above the true value,
    /// the interval is wide enough whatever its smallest (one programme instead of two).
    fn protected(&self, f: usize, threshold: i64) -> bool {
        let wide = threshold as f64 - 1e-6;
        let value = self.values[f] as f64;
        let high = match self.extreme(f, microlp::OptimizationDirection::Maximize) {
            Some(None) => return true,
            Some(Some(high)) => high,
            None => return false,
        };
        if high - value >= wide {
            return true;
        }
        match self.extreme(f, microlp::OptimizationDirection::Minimize) {
            Some(Some(low)) => high - low >= wide,
            _ => false,
        }
    }

    /// The first hidden figure below the threshold that can be narrowed to an interval
    /// less than the threshold wide. `proven` remembers the figures found protected: as
    /// long as what is published only shrinks (more is hidden), an interval only widens,
    /// so a figure once protected stays so and is not solved again.
    /// `certified` may prove a figure protected without a programme (see `certificate`).
    fn exposed(
        &self,
        threshold: i64,
        proven: &mut Vec<bool>,
        certified: impl Fn(usize) -> bool,
    ) -> Option<usize> {
        proven.resize(self.values.len(), false);
        for (f, done) in proven.iter_mut().enumerate() {
            if self.published[f] || !small(self.values[f], threshold) || *done {
                continue;
            }
            if certified(f) || self.protected(f, threshold) {
                *done = true;
            } else {
                return Some(f);
            }
        }
        None
    }
}

fn small(n: i64, threshold: i64) -> bool {
    n > 0 && n < threshold
}

/// The interval a reader can narrow each hidden figure of a published table to (its
/// cells, then its row totals, column totals and grand total), as the audit finds it:
/// `(low, high)`, `high` `None` when nothing bounds it; `None` when the audit could not
/// solve it. For tests and reports.
pub fn intervals(
    counts: &Counts,
    published: &Published,
    shape: Shape,
) -> Vec<(FigureRef, Option<Interval>)> {
    let shown = |c: Option<&Cell>| c.is_some_and(|c| *c != Cell::Suppressed);
    let (fig, refs) = figures_of(counts, shape, |r| match r {
        FigureRef::Cell(r, c) => shown(published.cells.get(r).and_then(|row| row.get(c))),
        FigureRef::RowTotal(r) => shown(published.row_totals.get(r)),
        FigureRef::ColumnTotal(c) => shown(published.column_totals.get(c)),
        FigureRef::Total => shown(Some(&published.total)),
    });
    refs.iter()
        .enumerate()
        .filter(|(i, _)| !fig.published[*i])
        .map(|(i, r)| (*r, fig.interval(i)))
        .collect()
}

/// The smallest and largest value a hidden figure can have (`None`: no largest).
pub type Interval = (f64, Option<f64>);

/// A figure of a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FigureRef {
    Cell(usize, usize),
    RowTotal(usize),
    ColumnTotal(usize),
    Total,
}

/// The figures of a table and its totals, with their facts; `published` says which the
/// reader has.
fn figures_of(
    counts: &Counts,
    shape: Shape,
    published: impl Fn(FigureRef) -> bool,
) -> (Figures, Vec<FigureRef>) {
    let rows = counts.cells.len();
    let cols = counts.cells.iter().map(Vec::len).max().unwrap_or(0);
    let value = |r: usize, c: usize| counts.cells[r].get(c).copied().unwrap_or(0);
    let mut fig = Figures::default();
    let mut refs = vec![];
    let mut add = |fig: &mut Figures, r: FigureRef, v: i64| {
        refs.push(r);
        fig.add(v, published(r))
    };
    let cell: Vec<Vec<usize>> = (0..rows)
        .map(|r| {
            (0..cols)
                .map(|c| add(&mut fig, FigureRef::Cell(r, c), value(r, c)))
                .collect()
        })
        .collect();
    let total_of = |v: &[i64], i: usize| v.get(i).copied().unwrap_or(0);
    let row: Vec<usize> = (0..rows)
        .map(|r| {
            add(
                &mut fig,
                FigureRef::RowTotal(r),
                total_of(&counts.row_totals, r),
            )
        })
        .collect();
    let col: Vec<usize> = (0..cols)
        .map(|c| {
            add(
                &mut fig,
                FigureRef::ColumnTotal(c),
                total_of(&counts.column_totals, c),
            )
        })
        .collect();
    let grand = add(&mut fig, FigureRef::Total, counts.total);
    // Rows across columns; columns across rows.
    for r in 0..rows {
        fig.total(row[r], &cell[r], shape.columns_partition);
    }
    fig.total(grand, &col, shape.columns_partition);
    // "Any" counts each unit of the other rows once: it is the column's total, at least
    // each other row's count and at most their sum.
    let others = |any: usize| (0..rows).filter(move |&r| r != any);
    for c in 0..cols {
        match shape.any_row {
            Some(any) if any < rows => {
                fig.equal(col[c], cell[any][c]);
                let parts: Vec<usize> = others(any).map(|r| cell[r][c]).collect();
                fig.total(cell[any][c], &parts, false);
            }
            _ => {
                let parts: Vec<usize> = (0..rows).map(|r| cell[r][c]).collect();
                fig.total(col[c], &parts, shape.rows_partition);
            }
        }
    }
    match shape.any_row {
        Some(any) if any < rows => {
            fig.equal(grand, row[any]);
            let parts: Vec<usize> = others(any).map(|r| row[r]).collect();
            fig.total(row[any], &parts, false);
        }
        _ => fig.total(grand, &row, shape.rows_partition),
    }
    (fig, refs)
}

/// Whether the published table leaves every hidden count below the threshold an interval
/// at least the threshold wide (see the module's documentation).
pub fn withstands_arithmetic(
    counts: &Counts,
    published: &Published,
    shape: Shape,
    threshold: i64,
) -> bool {
    intervals(counts, published, shape)
        .iter()
        .all(|(r, interval)| {
            !small(figure_value(counts, *r), threshold)
                || interval.is_some_and(|(low, high)| {
                    high.is_none_or(|h| h - low >= threshold as f64 - 1e-6)
                })
        })
}

/// What a reader holds who asks for a table and for the one-dimensional table of each of
/// its dimensions (`rows`, `columns`: those tables, one column each): the table, with
/// every total either shows. For the audit (`withstands_arithmetic`) of tables published
/// together.
pub fn with_lines(table: &Published, rows: &Published, columns: &Published) -> Published {
    let take = |mine: &[Cell], line: &Published| -> Vec<Cell> {
        mine.iter()
            .enumerate()
            .map(|(i, c)| match line.cells.get(i).and_then(|r| r.first()) {
                Some(Cell::Count(n)) => Cell::Count(*n),
                _ => *c,
            })
            .collect()
    };
    let mut joint = table.clone();
    joint.row_totals = take(&table.row_totals, rows);
    joint.column_totals = take(&table.column_totals, columns);
    for t in [&rows.total, &columns.total] {
        if let Cell::Count(n) = t {
            joint.total = Cell::Count(*n);
        }
    }
    joint
}

fn figure_value(counts: &Counts, r: FigureRef) -> i64 {
    let at = |v: &[i64], i: usize| v.get(i).copied().unwrap_or(0);
    match r {
        FigureRef::Cell(r, c) => counts.cells.get(r).map_or(0, |row| at(row, c)),
        FigureRef::RowTotal(r) => at(&counts.row_totals, r),
        FigureRef::ColumnTotal(c) => at(&counts.column_totals, c),
        FigureRef::Total => counts.total,
    }
}

/// Publishes `counts` for a reader who may not see counts below `threshold` (see the
/// module's documentation): small counts hidden, and cover hidden with them until no
/// small count can be narrowed to an interval narrower than the threshold, from this
/// table, its totals, its one-dimensional tables and its coarser tables (`links`).
pub fn protect_table(counts: &Counts, shape: Shape, threshold: i64, links: &Links) -> Published {
    protect_table_forced(counts, shape, threshold, links, &Forced::default()).0
}

/// Totals of a table's rows and columns hidden whatever this table's own counts say.
/// Between tables of one filter: the totals that some table crossing a dimension had to
/// hide (its cells could not protect a small count alone), which every table giving that
/// dimension's totals (its one-dimensional table above all) must hide too, else the reader
/// takes them from there. Empty: none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Forced {
    pub rows: Vec<bool>,
    pub columns: Vec<bool>,
}

impl Forced {
    pub fn is_empty(&self) -> bool {
        !self.rows.iter().chain(&self.columns).any(|h| *h)
    }
}

/// `protect_table`, with the totals of `forced` hidden from the start (each line then
/// protected around them, as its own small counts are), and every total this table hides:
/// where hiding its cells could not protect a small count, more than its lines alone
/// would, and those must be hidden wherever they are published (`Forced`). Given what it
/// returned as forced, a second call hides in its lines at least as much, and no total
/// beyond them: hiding more totals only widens what the cells already withstood.
pub fn protect_table_forced(
    counts: &Counts,
    shape: Shape,
    threshold: i64,
    links: &Links,
    forced: &Forced,
) -> (Published, Forced) {
    let rows = counts.cells.len();
    let cols = counts.cells.iter().map(Vec::len).max().unwrap_or(0);
    let value = |r: usize, c: usize| counts.cells[r].get(c).copied().unwrap_or(0);
    let at = |v: &[i64], i: usize| v.get(i).copied().unwrap_or(0);
    let total_hidden = small(counts.total, threshold);
    let row_totals: Vec<i64> = (0..rows).map(|r| at(&counts.row_totals, r)).collect();
    let column_totals: Vec<i64> = (0..cols).map(|c| at(&counts.column_totals, c)).collect();
    let row_hidden = if rows > 1 {
        protect_line(
            &row_totals,
            counts.total,
            total_hidden,
            shape.rows_partition,
            &links.rows,
            threshold,
            &forced.rows,
        )
    } else {
        vec![total_hidden; rows]
    };
    let column_hidden = if cols > 1 {
        protect_line(
            &column_totals,
            counts.total,
            total_hidden,
            shape.columns_partition,
            &links.columns,
            threshold,
            &forced.columns,
        )
    } else {
        vec![total_hidden; cols]
    };
    // A table of one row or one column is its one-dimensional table.
    let hidden: Vec<Vec<bool>> = if rows == 1 {
        vec![column_hidden.clone()]
    } else if cols == 1 {
        row_hidden.iter().map(|h| vec![*h]).collect()
    } else {
        protect_cells(
            counts,
            shape,
            threshold,
            links,
            &row_hidden,
            &column_hidden,
            total_hidden,
        )
    };
    // Where hiding cells is not enough (a small cell pinned by the totals: three
    // households, all in one column, two of them in one row), totals are hidden too, the
    // smallest non-zero first. With an "any" row only the column totals: they are that
    // row's cells, which no other table gives.
    // Every total hidden here is returned (`Forced`): the one-dimensional tables, and
    // every other table giving them, must hide them too.
    let (mut row_hidden, mut column_hidden) = (row_hidden, column_hidden);
    if rows > 1 && cols > 1 {
        let mut proven = vec![];
        let (all_rows, all_cols): (Vec<usize>, Vec<usize>) =
            ((0..rows).collect(), (0..cols).collect());
        loop {
            let (fig, _) = figures_of(counts, shape, |r| match r {
                FigureRef::Cell(r, c) => !hidden[r][c],
                FigureRef::RowTotal(r) => !row_hidden[r],
                FigureRef::ColumnTotal(c) => !column_hidden[c],
                FigureRef::Total => !total_hidden,
            });
            if fig.exposed(threshold, &mut proven, |_| false).is_none() {
                break;
            }
            let col = cover(&all_cols, |c| !column_hidden[c], |c| column_totals[c]);
            let row = match shape.any_row {
                Some(_) => None,
                None => cover(&all_rows, |r| !row_hidden[r], |r| row_totals[r]),
            };
            // Zero hides nothing: the smallest count first.
            let weight = |n: i64| if n > 0 { n } else { i64::MAX };
            match (row, col) {
                (Some(r), Some(c)) if weight(row_totals[r]) < weight(column_totals[c]) => {
                    row_hidden[r] = true
                }
                (_, Some(c)) => column_hidden[c] = true,
                (Some(r), None) => row_hidden[r] = true,
                (None, None) => break,
            }
        }
    }
    let cell = |hide: bool, n: i64| {
        if hide {
            Cell::Suppressed
        } else {
            Cell::Count(n)
        }
    };
    let published = Published {
        cells: (0..rows)
            .map(|r| (0..cols).map(|c| cell(hidden[r][c], value(r, c))).collect())
            .collect(),
        row_totals: (0..rows)
            .map(|r| cell(row_hidden[r], row_totals[r]))
            .collect(),
        column_totals: (0..cols)
            .map(|c| cell(column_hidden[c], column_totals[c]))
            .collect(),
        total: cell(total_hidden, counts.total),
    };
    let hidden_totals = Forced {
        rows: row_hidden,
        columns: column_hidden,
    };
    (published, hidden_totals)
}

/// A one-dimensional table (`values`, summing to `total` when `partition`): which of its
/// counts to hide. No group of `groups` (whose sums a coarser table publishes) keeps
/// exactly one hidden count where it has another to hide.
fn protect_line(
    values: &[i64],
    total: i64,
    total_hidden: bool,
    partition: bool,
    groups: &[Vec<usize>],
    threshold: i64,
    forced: &[bool],
) -> Vec<bool> {
    let line = Counts {
        cells: values.iter().map(|v| vec![*v]).collect(),
        row_totals: values.to_vec(),
        column_totals: vec![total],
        total,
    };
    let shape = Shape {
        rows_partition: partition,
        columns_partition: true,
        any_row: None,
    };
    let links = Links {
        rows: groups.to_vec(),
        columns: vec![],
    };
    let mut hidden: Vec<bool> = values
        .iter()
        .enumerate()
        .map(|(i, v)| small(*v, threshold) || forced.get(i).copied().unwrap_or(false))
        .collect();
    // Each small count with another hidden count it can trade with, the smallest that
    // suffices: most are then proven protected without a programme.
    for r in 0..values.len() {
        if hidden[r] && !line_certificate(values, total, partition, &hidden, r, threshold) {
            let pick = (0..values.len())
                .filter(|&k| k != r && !hidden[k])
                .filter(|&k| trade(values, total, partition, r, k) >= threshold)
                .min_by_key(|&k| values[k]);
            if let Some(k) = pick {
                hidden[k] = true;
            }
        }
    }
    let mut proven = vec![];
    loop {
        hidden = close_over_groups(&line.cells, &links, column(&hidden));
        let (fig, refs) = figures_of(&line, shape, |r| match r {
            FigureRef::Cell(r, _) | FigureRef::RowTotal(r) => !hidden[r],
            FigureRef::ColumnTotal(_) | FigureRef::Total => !total_hidden,
        });
        let certified = |f: usize| match refs[f] {
            FigureRef::Cell(r, _) | FigureRef::RowTotal(r) => {
                line_certificate(values, total, partition, &hidden, r, threshold)
            }
            FigureRef::ColumnTotal(_) | FigureRef::Total => false,
        };
        let Some(f) = fig.exposed(threshold, &mut proven, certified) else {
            return hidden;
        };
        let everywhere: Vec<usize> = (0..values.len()).collect();
        let near: Vec<usize> = match refs[f] {
            // Cover within the exposed count's group where it has one.
            FigureRef::Cell(r, _) | FigureRef::RowTotal(r) => groups
                .iter()
                .find(|g| g.contains(&r))
                .cloned()
                .unwrap_or_default(),
            FigureRef::ColumnTotal(_) | FigureRef::Total => vec![],
        };
        let pick = cover(&near, |i| !hidden[i], |i| values[i])
            .or_else(|| cover(&everywhere, |i| !hidden[i], |i| values[i]));
        match pick {
            Some(i) => hidden[i] = true,
            None => return hidden,
        }
    }
}

/// A line of flags as a one-column table.
fn column(flags: &[bool]) -> Vec<Vec<bool>> {
    flags.iter().map(|f| vec![*f]).collect()
}

/// `hidden` (of a one-column table), with the rule of `stats::secondary` applied.
fn close_over_groups(cells: &[Vec<i64>], links: &Links, hidden: Vec<Vec<bool>>) -> Vec<bool> {
    crate::stats::secondary(cells, links, hidden)
        .into_iter()
        .map(|r| r.first().copied().unwrap_or(false))
        .collect()
}

/// The cell to hide as cover among `candidates` still shown: the smallest count above
/// zero, else a zero (zeros are never hidden for themselves, but may serve as cover).
fn cover(
    candidates: &[usize],
    shown: impl Fn(usize) -> bool,
    value: impl Fn(usize) -> i64,
) -> Option<usize> {
    let open = || candidates.iter().copied().filter(|&i| shown(i));
    open()
        .filter(|&i| value(i) > 0)
        .min_by_key(|&i| value(i))
        .or_else(|| open().next())
}

/// The cells of a two-dimensional table to hide, its totals hidden as `row_hidden`,
/// `column_hidden` and `total_hidden` say.
fn protect_cells(
    counts: &Counts,
    shape: Shape,
    threshold: i64,
    links: &Links,
    row_hidden: &[bool],
    column_hidden: &[bool],
    total_hidden: bool,
) -> Vec<Vec<bool>> {
    let rows = counts.cells.len();
    let cols = counts.cells.iter().map(Vec::len).max().unwrap_or(0);
    let value = |i: usize| counts.cells[i / cols].get(i % cols).copied().unwrap_or(0);
    // The row, column and group rules first: fewer rounds of the audit.
    let mut hidden: Vec<Vec<bool>> = (0..rows)
        .map(|r| {
            (0..cols)
                .map(|c| small(value(r * cols + c), threshold))
                .collect()
        })
        .collect();
    // Each small cell on a cycle of hidden cells wide enough to protect it, the cheapest:
    // most cells then need no programme to be proven protected.
    let cycles = shape.any_row.is_none();
    if cycles {
        for r in 0..rows {
            for c in 0..cols {
                if small(value(r * cols + c), threshold)
                    && !certificate(
                        counts,
                        shape,
                        &hidden,
                        row_hidden,
                        column_hidden,
                        FigureRef::Cell(r, c),
                        threshold,
                    )
                    && let Some(cells) = cycle_cover(counts, shape, &hidden, r, c, threshold)
                {
                    for (i, j) in cells {
                        hidden[i][j] = true;
                    }
                }
            }
        }
    }
    let mut proven = vec![];
    loop {
        hidden = crate::stats::secondary(&counts.cells, links, hidden);
        let (fig, refs) = figures_of(counts, shape, |r| match r {
            FigureRef::Cell(r, c) => !hidden[r][c],
            FigureRef::RowTotal(r) => !row_hidden[r],
            FigureRef::ColumnTotal(c) => !column_hidden[c],
            FigureRef::Total => !total_hidden,
        });
        let certified = |f: usize| {
            certificate(
                counts,
                shape,
                &hidden,
                row_hidden,
                column_hidden,
                refs[f],
                threshold,
            )
        };
        let Some(f) = fig.exposed(threshold, &mut proven, certified) else {
            return hidden;
        };
        if let FigureRef::Cell(r, c) = refs[f]
            && cycles
            && let Some(cells) = cycle_cover(counts, shape, &hidden, r, c, threshold)
            && !cells.is_empty()
        {
            for (i, j) in cells {
                hidden[i][j] = true;
            }
            continue;
        }
        let in_row = |r: usize| (0..cols).map(move |c| r * cols + c);
        let in_col = |c: usize| (0..rows).map(move |r| r * cols + c);
        let near: Vec<usize> = match refs[f] {
            FigureRef::Cell(r, c) => in_row(r).chain(in_col(c)).collect(),
            FigureRef::RowTotal(r) => in_row(r).collect(),
            FigureRef::ColumnTotal(c) => in_col(c).collect(),
            FigureRef::Total => vec![],
        };
        let everywhere: Vec<usize> = (0..rows * cols).collect();
        let shown = |i: usize| !hidden[i / cols][i % cols];
        let pick = cover(&near, shown, value).or_else(|| cover(&everywhere, shown, value));
        match pick {
            Some(i) => hidden[i / cols][i % cols] = true,
            None => return hidden,
        }
    }
}

#[cfg(test)]
mod money_tests {
    use super::cover_money;

    #[test]
    fn hidden_money_is_of_enough_households_together_or_the_total_goes_too() {
        // 1 and 2 are small; with 3 beside them they hold 6 >= 5. A row of none stays.
        assert_eq!(
            cover_money(&[1, 2, 3, 10, 0], 5),
            (vec![true, true, true, false, false], true)
        );
        // Nothing small: nothing hidden.
        assert_eq!(cover_money(&[5, 7], 5), (vec![false, false], true));
        // Everything together is still too few: the total must go.
        assert_eq!(cover_money(&[1, 2], 5), (vec![true, true], false));
        // Exact readers (threshold 0 or 1) see everything.
        assert_eq!(cover_money(&[1, 2], 1), (vec![false, false], true));
    }

    #[test]
    fn a_row_hidden_for_another_table_is_covered_like_a_small_one() {
        use super::cover_money_with;
        // 6 households hidden for another table's sake: enough alone.
        assert_eq!(
            cover_money_with(&[6, 7, 8], &[true, false, false], 5),
            (vec![true, false, false], true)
        );
        // Forced with 1 beside a small 2: 3 is too few, the smallest other (7) covers them.
        assert_eq!(
            cover_money_with(&[1, 2, 7, 8], &[true, false, false, false], 5),
            (vec![true, true, true, false], true)
        );
    }
}
