//! Property tests of statistical disclosure control: for any table, any threshold and any
//! grouping of its rows and columns (as coarser tables publish them), nothing below the
//! threshold is published, and no suppressed cell can be found again by subtracting
//! published cells from a published total, or from a group's sum published elsewhere.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use homeward_domain::stats::{Cell, Links, Published, protect_linked};
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

/// A line of cells (a row, a column, a group's part of one) with exactly one suppressed
/// cell is a leak if its sum is published and another cell could have been hidden.
fn leaks(p: &Published, t: &[Vec<i64>], line: &[(usize, usize)], sum_published: bool) -> bool {
    let hidden_cells: Vec<_> = line.iter().filter(|(r, c)| hidden(p, *r, *c)).collect();
    hidden_cells.len() == 1
        && sum_published
        && line
            .iter()
            .any(|(r, c)| !hidden(p, *r, *c) && t[*r][*c] > 0)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

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
        // Nothing under the threshold but zero is published.
        for r in 0..rows {
            for c in 0..cols {
                if let Cell::Count(n) = p.cells[r][c] {
                    prop_assert!(n == 0 || n >= threshold, "{n} published in {t:?}");
                    prop_assert_eq!(n, t[r][c]);
                }
            }
        }
        // No row or column, with its total published, has exactly one suppressed cell.
        for r in 0..rows {
            let line: Vec<_> = (0..cols).map(|c| (r, c)).collect();
            let published = matches!(p.row_totals[r], Cell::Count(_));
            let one = line.iter().filter(|(r, c)| hidden(&p, *r, *c)).count() == 1;
            prop_assert!(!(one && published), "row {r} of {t:?}: {p:?}");
        }
        if rows > 1 {
            for c in 0..cols {
                let line: Vec<_> = (0..rows).map(|r| (r, c)).collect();
                let published = matches!(p.column_totals[c], Cell::Count(_));
                let one = line.iter().filter(|(r, c)| hidden(&p, *r, *c)).count() == 1;
                prop_assert!(!(one && published), "column {c} of {t:?}: {p:?}");
            }
        }
        // No group leaves a single suppressed cell where it had another to hide.
        for g in &links.rows {
            for c in 0..cols {
                let line: Vec<_> = g.iter().map(|&r| (r, c)).collect();
                prop_assert!(!leaks(&p, &t, &line, true), "rows {g:?}, column {c} of {t:?}: {p:?}");
            }
        }
        for g in &links.columns {
            for r in 0..rows {
                let line: Vec<_> = g.iter().map(|&c| (r, c)).collect();
                prop_assert!(!leaks(&p, &t, &line, true), "columns {g:?}, row {r} of {t:?}: {p:?}");
            }
        }
        // Totals are the sums of what was counted.
        let grand: i64 = t.iter().flatten().sum();
        if let Cell::Count(n) = p.total {
            prop_assert_eq!(n, grand);
        }
    }
}
