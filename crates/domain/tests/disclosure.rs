//! Property tests of statistical disclosure control, as an attacker would test it: for
//! any table and any threshold, nothing below the threshold is published, and no hidden
//! count below it can be narrowed, by any arithmetic on the table, its totals and its
//! one-dimensional tables (a linear programme per hidden figure,
//! `homeward_domain::disclosure::intervals`), to an interval narrower than the threshold;
//! for any grouping of its rows and columns (as coarser tables publish their sums), no
//! group keeps a single hidden cell.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use homeward_domain::disclosure::{
    FigureRef, Forced, intervals, protect_table_forced, with_lines, withstands_arithmetic,
};
use homeward_domain::stats::{
    Cell, Counts, Links, Published, Shape, protect_counts, protect_linked,
};
use proptest::prelude::*;

/// A table of 1 to 6 rows and 1 to 5 columns, mostly small counts, some zeros.
fn table() -> impl Strategy<Value = Vec<Vec<i64>>> {
    (1usize..=6, 1usize..=5).prop_flat_map(|(rows, cols)| {
        proptest::collection::vec(
            proptest::collection::vec(
                prop_oneof![2 => Just(0i64), 5 => 1i64..12, 1 => 12i64..80],
                cols,
            ),
            rows,
        )
    })
}

/// Splits `0..n` into consecutive groups at the given cut points.
fn groups(n: usize, cuts: &[bool]) -> Vec<Vec<usize>> {
    let mut out = vec![vec![]];
    for i in 0..n {
        if i > 0 && cuts.get(i).copied().unwrap_or(false) {
            out.push(vec![]);
        }
        out.last_mut().unwrap().push(i);
    }
    out
}

fn hidden(p: &Published, r: usize, c: usize) -> bool {
    p.cells[r][c] == Cell::Suppressed
}

/// A group's cells (its sum published by a coarser table) with exactly one hidden cell,
/// where another could have been hidden.
fn leaks(p: &Published, t: &[Vec<i64>], line: &[(usize, usize)]) -> bool {
    line.iter().filter(|(r, c)| hidden(p, *r, *c)).count() == 1
        && line
            .iter()
            .any(|(r, c)| !hidden(p, *r, *c) && t[*r][*c] > 0)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn no_small_count_is_published_or_derivable(
        t in table(),
        threshold in 2i64..8,
        row_cuts in proptest::collection::vec(any::<bool>(), 6),
        col_cuts in proptest::collection::vec(any::<bool>(), 5),
    ) {
        let rows = t.len();
        let cols = t[0].len();
        let links = Links { rows: groups(rows, &row_cuts), columns: groups(cols, &col_cuts) };
        let p = protect_linked(&t, threshold, &links);
        // Nothing under the threshold but zero is published, and what is, is true.
        for r in 0..rows {
            for c in 0..cols {
                if let Cell::Count(n) = p.cells[r][c] {
                    prop_assert!(n == 0 || n >= threshold, "{n} published in {t:?}");
                    prop_assert_eq!(n, t[r][c]);
                }
            }
        }
        let counts = Counts::additive(&t);
        for (shown, n) in p.row_totals.iter().zip(&counts.row_totals).chain(p.column_totals.iter().zip(&counts.column_totals)).chain([(&p.total, &counts.total)]) {
            if let Cell::Count(m) = shown {
                prop_assert_eq!(m, n);
                prop_assert!(*m == 0 || *m >= threshold, "a total of {m} published in {t:?}");
            }
        }
        // The attacker's test: from the table, its totals and the coarser tables' sums,
        // no hidden count below the threshold can be narrowed to less than the threshold.
        prop_assert!(withstands_arithmetic(&counts, &p, Shape::ADDITIVE, threshold), "{t:?} published as {p:?}: {:?}", intervals(&counts, &p, Shape::ADDITIVE));
        // A coarser table publishes each group's sum: no group keeps a single hidden cell
        // where it had another to hide.
        for g in &links.rows {
            for c in 0..cols {
                let line: Vec<_> = g.iter().map(|&r| (r, c)).collect();
                prop_assert!(!leaks(&p, &t, &line), "rows {g:?}, column {c} of {t:?}: {p:?}");
            }
        }
        for g in &links.columns {
            for r in 0..rows {
                let line: Vec<_> = g.iter().map(|&c| (r, c)).collect();
                prop_assert!(!leaks(&p, &t, &line), "columns {g:?}, row {r} of {t:?}: {p:?}");
            }
        }
    }

    #[test]
    fn households_and_people_in_several_cells_are_protected_too(
        units in proptest::collection::vec(proptest::collection::vec((0usize..4, 0usize..3), 1..4), 1..40),
        threshold in 2i64..8,
    ) {
        // Each unit (a household) is in the cells of its members: counted once in each
        // cell, row and column it is in, and once in the total.
        let (rows, cols) = (4, 3);
        let mut cells = vec![vec![0i64; cols]; rows];
        let mut row_totals = vec![0i64; rows];
        let mut column_totals = vec![0i64; cols];
        for members in &units {
            let mut seen_cells = std::collections::BTreeSet::new();
            let mut seen_rows = std::collections::BTreeSet::new();
            let mut seen_cols = std::collections::BTreeSet::new();
            for &(r, c) in members {
                if seen_cells.insert((r, c)) { cells[r][c] += 1; }
                if seen_rows.insert(r) { row_totals[r] += 1; }
                if seen_cols.insert(c) { column_totals[c] += 1; }
            }
        }
        let counts = Counts { cells, row_totals, column_totals, total: units.len() as i64 };
        let shape = Shape { rows_partition: false, columns_partition: false, any_row: None };
        let p = protect_counts(&counts, shape, threshold, &Links::default());
        prop_assert!(withstands_arithmetic(&counts, &p, shape, threshold), "{counts:?} published as {p:?}");
        if let Cell::Count(n) = p.total {
            prop_assert_eq!(n, units.len() as i64, "households counted once");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn people_with_several_vulnerabilities_are_protected_too(
        people in proptest::collection::vec((0usize..2, proptest::collection::btree_set(0usize..4, 0..3)), 1..40),
        threshold in 2i64..8,
    ) {
        // Rows: four vulnerabilities, then "any" (each person with one at least, once);
        // columns: sex. A person with two vulnerabilities is in two rows.
        let any = 4;
        let mut cells = vec![vec![0i64; 2]; 5];
        for (sex, kinds) in &people {
            for &k in kinds {
                cells[k][*sex] += 1;
            }
            if !kinds.is_empty() {
                cells[any][*sex] += 1;
            }
        }
        let row_totals: Vec<i64> = cells.iter().map(|r| r.iter().sum()).collect();
        let counts = Counts {
            column_totals: cells[any].clone(),
            total: row_totals[any],
            row_totals,
            cells,
        };
        let shape = Shape { rows_partition: false, columns_partition: true, any_row: Some(any) };
        let p = protect_counts(&counts, shape, threshold, &Links::default());
        prop_assert!(withstands_arithmetic(&counts, &p, shape, threshold), "{counts:?} published as {p:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    #[test]
    fn tables_of_countries_by_sex_or_age_group_are_protected_too(
        t in (10usize..=40, 2usize..=6).prop_flat_map(|(rows, cols)| {
            proptest::collection::vec(
                proptest::collection::vec(prop_oneof![2 => Just(0i64), 4 => 1i64..5, 3 => 5i64..60], cols),
                rows,
            )
        }),
    ) {
        // Larger tables, mostly small counts: the suppression proves most cells protected
        // without a programme (cycles of hidden cells); the audit checks it all.
        let counts = Counts::additive(&t);
        let p = protect_linked(&t, 5, &Links::default());
        prop_assert!(withstands_arithmetic(&counts, &p, Shape::ADDITIVE, 5), "{t:?} published as {p:?}");
    }
}

#[test]
fn the_audit_finds_what_row_and_column_rules_let_through() {
    // Trafficking (4 women) hidden with its row total; a cover cell in the same column
    // hidden with its row's other cell; the column totals published: the women's column
    // gives 4 + 5 = 9, the men's gives the cover's row partner (20), whose row total
    // gives 5, and so 4. Each row and column has no single hidden cell.
    let t = vec![vec![4, 0], vec![6, 20], vec![5, 20]];
    let counts = Counts::additive(&t);
    let hidden = Cell::Suppressed;
    let p = Published {
        cells: vec![
            vec![hidden, Cell::Count(0)],
            vec![Cell::Count(6), Cell::Count(20)],
            vec![hidden, hidden],
        ],
        row_totals: vec![hidden, Cell::Count(26), Cell::Count(25)],
        column_totals: vec![Cell::Count(15), Cell::Count(40)],
        total: hidden,
    };
    assert!(!withstands_arithmetic(&counts, &p, Shape::ADDITIVE, 5));
    let found = intervals(&counts, &p, Shape::ADDITIVE);
    let (_, interval) = found
        .iter()
        .find(|(r, _)| *r == FigureRef::Cell(0, 0))
        .unwrap();
    let (low, high) = interval.unwrap();
    assert!(
        (low - 4.0).abs() < 1e-6 && high.is_some_and(|h| (h - 4.0).abs() < 1e-6),
        "{interval:?}"
    );
    // Protected properly, the same table withstands it.
    let p = protect_linked(&t, 5, &Links::default());
    assert!(
        withstands_arithmetic(&counts, &p, Shape::ADDITIVE, 5),
        "{p:?}"
    );
}

/// Found by `households_and_people_in_several_cells_are_protected_too` in CI: three
/// households, one of them in two cells of one row.
fn found_in_ci() -> (Counts, Shape) {
    let counts = Counts {
        cells: vec![vec![0, 0, 0], vec![0, 2, 1], vec![0, 0, 0], vec![1, 1, 0]],
        row_totals: vec![0, 2, 0, 2],
        column_totals: vec![1, 3, 1],
        total: 3,
    };
    let shape = Shape {
        rows_partition: false,
        columns_partition: false,
        any_row: None,
    };
    (counts, shape)
}

#[test]
fn a_total_equal_to_a_column_total_does_not_pin_the_hidden_cells() {
    let (counts, shape) = found_in_ci();
    let p = protect_counts(&counts, shape, 2, &Links::default());
    assert!(
        withstands_arithmetic(&counts, &p, shape, 2),
        "{p:?}: {:?}",
        intervals(&counts, &p, shape)
    );
}

/// A line of `values` (a dimension's totals, `total` in all) as its one-dimensional
/// table counts it.
fn line(values: &[i64], total: i64) -> Counts {
    Counts {
        cells: values.iter().map(|v| vec![*v]).collect(),
        row_totals: values.to_vec(),
        column_totals: vec![total],
        total,
    }
}

/// Households (or people with several vulnerabilities) counted by two dimensions: the
/// table, protected with the totals the crossing forces (`protect_table_forced`), and each
/// dimension's one-dimensional table protected with the same forced totals, as the
/// application publishes them for one filter.
fn protect_jointly(
    counts: &Counts,
    shape: Shape,
    threshold: i64,
) -> (Published, Published, Published) {
    let links = Links::default();
    let (_, forced) = protect_table_forced(counts, shape, threshold, &links, &Forced::default());
    let (table, again) = protect_table_forced(counts, shape, threshold, &links, &forced);
    for (before, now) in forced
        .rows
        .iter()
        .chain(&forced.columns)
        .zip(again.rows.iter().chain(&again.columns))
    {
        assert!(
            !before || *now,
            "what was hidden stays hidden: {forced:?} then {again:?}"
        );
    }
    let line_of = |values: &[i64], partition: bool, forced: &[bool]| {
        let shape = Shape {
            rows_partition: partition,
            columns_partition: true,
            any_row: None,
        };
        let forced = Forced {
            rows: forced.to_vec(),
            columns: vec![],
        };
        protect_table_forced(
            &line(values, counts.total),
            shape,
            threshold,
            &links,
            &forced,
        )
        .0
    };
    let rows = line_of(&counts.row_totals, shape.rows_partition, &forced.rows);
    let columns = line_of(
        &counts.column_totals,
        shape.columns_partition,
        &forced.columns,
    );
    // The table hides no total its one-dimensional tables show, nor shows one they hide.
    let shown = |c: &Cell| *c != Cell::Suppressed;
    for (t, l) in table
        .row_totals
        .iter()
        .zip(rows.cells.iter().map(|r| &r[0]))
    {
        assert_eq!(shown(t), shown(l), "{table:?} and its rows {rows:?}");
    }
    for (t, l) in table
        .column_totals
        .iter()
        .zip(columns.cells.iter().map(|r| &r[0]))
    {
        assert_eq!(shown(t), shown(l), "{table:?} and its columns {columns:?}");
    }
    (table, rows, columns)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// The attacker asks for the table and for the one-dimensional table of each of its
    /// dimensions: every hidden small count keeps an interval at least the threshold wide.
    #[test]
    fn a_table_and_its_one_dimensional_tables_together_give_nothing_away(
        units in proptest::collection::vec(proptest::collection::vec((0usize..4, 0usize..3), 1..4), 1..40),
        rows_partition in any::<bool>(),
        threshold in 2i64..8,
    ) {
        let (rows, cols) = (4, 3);
        let mut cells = vec![vec![0i64; cols]; rows];
        let mut row_totals = vec![0i64; rows];
        let mut column_totals = vec![0i64; cols];
        for members in &units {
            // A household is in one row of a dimension of the case (its year) and in the
            // columns of its members (their sex or age).
            let members: Vec<(usize, usize)> = if rows_partition {
                members.iter().map(|&(_, c)| (members[0].0, c)).collect()
            } else {
                members.clone()
            };
            let mut seen_cells = std::collections::BTreeSet::new();
            let mut seen_rows = std::collections::BTreeSet::new();
            let mut seen_cols = std::collections::BTreeSet::new();
            for &(r, c) in &members {
                if seen_cells.insert((r, c)) { cells[r][c] += 1; }
                if seen_rows.insert(r) { row_totals[r] += 1; }
                if seen_cols.insert(c) { column_totals[c] += 1; }
            }
        }
        let counts = Counts { cells, row_totals, column_totals, total: units.len() as i64 };
        let shape = Shape { rows_partition, columns_partition: false, any_row: None };
        let (table, by_rows, by_columns) = protect_jointly(&counts, shape, threshold);
        let joint = with_lines(&table, &by_rows, &by_columns);
        prop_assert!(
            withstands_arithmetic(&counts, &joint, shape, threshold),
            "{counts:?} published as {table:?}, lines {by_rows:?} {by_columns:?}: {:?}",
            intervals(&counts, &joint, shape)
        );
    }
}

/// The table CI found (see above) once more, attacked with its one-dimensional tables:
/// the totals it had to hide are hidden there too.
#[test]
fn totals_a_table_hides_are_hidden_in_its_one_dimensional_tables() {
    let (counts, shape) = found_in_ci();
    let (_, forced) =
        protect_table_forced(&counts, shape, 2, &Links::default(), &Forced::default());
    assert!(!forced.is_empty(), "this table needs totals hidden");
    // Published alone, the lines would give those totals back.
    let alone = |values: &[i64]| {
        protect_counts(
            &line(values, 3),
            Shape {
                rows_partition: false,
                ..Shape::ADDITIVE
            },
            2,
            &Links::default(),
        )
    };
    let table = protect_counts(&counts, shape, 2, &Links::default());
    let leaky = with_lines(
        &table,
        &alone(&counts.row_totals),
        &alone(&counts.column_totals),
    );
    assert!(
        !withstands_arithmetic(&counts, &leaky, shape, 2),
        "the old way leaks"
    );
    let (table, by_rows, by_columns) = protect_jointly(&counts, shape, 2);
    let joint = with_lines(&table, &by_rows, &by_columns);
    assert!(
        withstands_arithmetic(&counts, &joint, shape, 2),
        "{:?}",
        intervals(&counts, &joint, shape)
    );
}
