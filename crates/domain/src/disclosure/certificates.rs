//! Proofs without a linear programme that a hidden count is protected: moves between
//! hidden counts (along a line, or around cycles of four cells) that keep every
//! published figure, and the cover that such moves need.

use super::*;

/// A proof without a programme that hidden count `r` of a line is protected: moving some
/// of it to or from another hidden count keeps every published figure and the total, so
/// each such table is as consistent with what is published as the true one. Moving all of
/// another hidden count `k` in, and all of `r` out, spans an interval `values[r] +
/// values[k]` wide (within the total where counts overlap).
pub(super) fn line_certificate(
    values: &[i64],
    total: i64,
    partition: bool,
    hidden: &[bool],
    r: usize,
    threshold: i64,
) -> bool {
    (0..values.len())
        .filter(|&k| k != r && hidden[k])
        .any(|k| trade(values, total, partition, r, k) >= threshold)
}

/// The interval width trading count `r` with count `k` spans: all of `k` moved in (within
/// the total where counts overlap), all of `r` moved out.
pub(super) fn trade(values: &[i64], total: i64, partition: bool, r: usize, k: usize) -> i64 {
    let x = values[r];
    let up = if partition {
        values[k]
    } else {
        values[k].min(total - x)
    };
    up + x
}

/// How far a count can move along the cycle of cells `(r, c)`, `(r, c2)`, `(r2, c2)`,
/// `(r2, c)` (were all four hidden): up at `(r, c)` and `(r2, c2)` and down at the other
/// two, and the reverse. Such a move keeps every row and column sum, so each table it
/// reaches is as consistent with the published figures as the true one. Where a
/// household or person can be in several cells, a cell also stays within its row's and
/// column's totals.
pub(super) fn cycle_moves(
    counts: &Counts,
    shape: Shape,
    r: usize,
    c: usize,
    r2: usize,
    c2: usize,
) -> (i64, i64) {
    let x = |i: usize, j: usize| counts.cells[i].get(j).copied().unwrap_or(0);
    let at = |v: &[i64], i: usize| v.get(i).copied().unwrap_or(0);
    let headroom = |i: usize, j: usize| {
        if shape.rows_partition && shape.columns_partition {
            i64::MAX
        } else {
            (at(&counts.row_totals, i).min(at(&counts.column_totals, j)) - x(i, j)).max(0)
        }
    };
    let up = x(r, c2)
        .min(x(r2, c))
        .min(headroom(r, c))
        .min(headroom(r2, c2));
    let down = x(r, c)
        .min(x(r2, c2))
        .min(headroom(r, c2))
        .min(headroom(r2, c));
    (up, down)
}

/// A proof without a programme that hidden figure `figure` of a two-dimensional table
/// (`hidden` cells; totals hidden as `row_hidden`, `column_hidden` say) is protected: the
/// largest move up and the largest move down that keep every published figure bound its
/// interval from inside. Moves: along a cycle of four hidden cells (`cycle_moves`); and,
/// where units fall in one cell, between two hidden cells of a column whose two rows'
/// totals are hidden (those totals move with them; the column's sum stays), or of a row
/// whose two columns' totals are hidden.
pub(super) fn certificate(
    counts: &Counts,
    shape: Shape,
    hidden: &[Vec<bool>],
    row_hidden: &[bool],
    column_hidden: &[bool],
    figure: FigureRef,
    threshold: i64,
) -> bool {
    let rows = hidden.len();
    let cols = hidden.first().map_or(0, Vec::len);
    let x = |i: usize, j: usize| counts.cells[i].get(j).copied().unwrap_or(0);
    let additive = shape.rows_partition && shape.columns_partition && shape.any_row.is_none();
    let (mut up, mut down) = (0i64, 0i64);
    let mut widen = |u: i64, d: i64| {
        up = up.max(u);
        down = down.max(d);
        up.saturating_add(down) >= threshold
    };
    match figure {
        FigureRef::Cell(r, c) => {
            for r2 in (0..rows).filter(|&i| i != r && hidden[i][c]) {
                if additive && row_hidden[r] && row_hidden[r2] && widen(x(r2, c), x(r, c)) {
                    return true;
                }
                for c2 in (0..cols).filter(|&j| j != c && hidden[r][j] && hidden[r2][j]) {
                    let (u, d) = cycle_moves(counts, shape, r, c, r2, c2);
                    if widen(u, d) {
                        return true;
                    }
                }
            }
            if additive && column_hidden[c] {
                for c2 in (0..cols).filter(|&j| j != c && hidden[r][j] && column_hidden[j]) {
                    if widen(x(r, c2), x(r, c)) {
                        return true;
                    }
                }
            }
            // Where units fall in one cell, cycles that share no cell but (r, c) move it
            // together: up by the sum of their moves up (and down likewise), taken
            // greedily over cycles of distinct rows and columns.
            additive && combined_cycles(counts, hidden, r, c) >= threshold
        }
        // A hidden total moves with a cell of its line traded with another line's.
        FigureRef::RowTotal(r) if additive => (0..cols).any(|c| {
            hidden[r][c]
                && (0..rows).any(|r2| {
                    r2 != r && hidden[r2][c] && row_hidden[r2] && widen(x(r2, c), x(r, c))
                })
        }),
        FigureRef::ColumnTotal(c) if additive => (0..rows).any(|r| {
            hidden[r][c]
                && (0..cols).any(|c2| {
                    c2 != c && hidden[r][c2] && column_hidden[c2] && widen(x(r, c2), x(r, c))
                })
        }),
        _ => false,
    }
}

/// The interval width that cycles through `(r, c)` sharing no other cell prove, in an
/// additive table: the largest sum of moves up over cycles of distinct rows and columns
/// (chosen greedily, largest first), plus the same down.
pub(super) fn combined_cycles(counts: &Counts, hidden: &[Vec<bool>], r: usize, c: usize) -> i64 {
    let cols = hidden.first().map_or(0, Vec::len);
    let x = |i: usize, j: usize| counts.cells[i].get(j).copied().unwrap_or(0);
    let mut ups = vec![];
    let mut downs = vec![];
    for r2 in (0..hidden.len()).filter(|&i| i != r && hidden[i][c]) {
        for c2 in (0..cols).filter(|&j| j != c && hidden[r][j] && hidden[r2][j]) {
            ups.push((x(r, c2).min(x(r2, c)), r2, c2));
            downs.push((x(r2, c2), r2, c2));
        }
    }
    // Down moves all draw on (r, c) itself: together they take at most its count.
    let greedy = |mut moves: Vec<(i64, usize, usize)>| {
        moves.sort_by_key(|m| std::cmp::Reverse(m.0));
        let (mut rows_used, mut cols_used) = (vec![], vec![]);
        let mut sum = 0i64;
        for (m, r2, c2) in moves {
            if m > 0 && !rows_used.contains(&r2) && !cols_used.contains(&c2) {
                rows_used.push(r2);
                cols_used.push(c2);
                sum = sum.saturating_add(m);
            }
        }
        sum
    };
    greedy(ups).saturating_add(greedy(downs).min(x(r, c)))
}

/// The cheapest cycle through `(r, c)` (the least count newly hidden) along which it can
/// move by at least `threshold` in all: the cells of it still shown. The hypercube
/// method's step, in two dimensions.
pub(super) fn cycle_cover(
    counts: &Counts,
    shape: Shape,
    hidden: &[Vec<bool>],
    r: usize,
    c: usize,
    threshold: i64,
) -> Option<Vec<(usize, usize)>> {
    let cols = hidden.first().map_or(0, Vec::len);
    let x = |i: usize, j: usize| counts.cells[i].get(j).copied().unwrap_or(0);
    let mut best: Option<(i64, Vec<(usize, usize)>)> = None;
    for r2 in (0..hidden.len()).filter(|&i| i != r) {
        for c2 in (0..cols).filter(|&j| j != c) {
            let (up, down) = cycle_moves(counts, shape, r, c, r2, c2);
            if up.saturating_add(down) < threshold {
                continue;
            }
            let new: Vec<(usize, usize)> = [(r, c2), (r2, c2), (r2, c)]
                .into_iter()
                .filter(|&(i, j)| !hidden[i][j])
                .collect();
            let cost: i64 = new.iter().map(|&(i, j)| x(i, j)).sum();
            if best.as_ref().is_none_or(|(b, _)| cost < *b) {
                best = Some((cost, new));
            }
        }
    }
    best.map(|(_, cells)| cells)
}
