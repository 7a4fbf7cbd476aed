use super::*;

/// A month is settled a day after it ends: on the 1st the one before last is the
/// last settled, on the 2nd the last; across a year's end too.
#[test]
fn a_month_is_read_by_its_recording_once_settled() {
    let at = |y, m, d, h| {
        chrono::NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|d| d.and_hms_opt(h, 0, 0))
            .map(|t| t.and_utc())
            .unwrap()
    };
    let day = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
    assert_eq!(settled_month_end(at(2026, 3, 1, 23)), day(2026, 1, 31));
    assert_eq!(settled_month_end(at(2026, 3, 2, 0)), day(2026, 2, 28));
    assert_eq!(settled_month_end(at(2027, 1, 1, 12)), day(2026, 11, 30));
    assert_eq!(settled_month_end(at(2027, 1, 2, 12)), day(2026, 12, 31));
    // Months of recording never go back, whatever a clock did.
    let event = |t| RecordedEvent {
        meta: crate::case::EventMeta {
            version: 1,
            actor: crate::ids::UserId(uuid::Uuid::nil()),
            occurred_at: t,
            recorded_at: t,
        },
        event: Event::ApplicationSubmitted,
    };
    let months = recorded_months(&[
        event(at(2026, 1, 31, 23)),
        event(at(2026, 2, 1, 0)),
        event(at(2026, 1, 30, 0)),
        event(at(2026, 3, 5, 0)),
    ]);
    assert_eq!(
        months,
        [
            day(2026, 1, 1),
            day(2026, 2, 1),
            day(2026, 2, 1),
            day(2026, 3, 1)
        ]
    );
}

#[test]
fn each_dimension_has_one_code_and_its_keys_their_parents() {
    for d in Dim::ALL {
        assert_eq!(Dim::from_code(d.code()), Some(d));
        assert_eq!(serde_json::to_value(d).unwrap(), d.code());
        // Every key of a dimension with a coarser one has its parent among that one's.
        if let Some(c) = d.coarser() {
            assert!(c.coarser() != Some(d), "{d:?}");
        }
    }
    assert_eq!(Dim::ReturnCountry.parent("SN"), Some("western-africa"));
    assert_eq!(Dim::HostCountry.parent("XK"), Some("southern-europe"));
    assert_eq!(
        Dim::ReturnSubregion.parent("western-africa"),
        Some("africa")
    );
    assert_eq!(
        Dim::ReturnCountry.parent_in(Dim::ReturnIomRegion, "SN"),
        Some("iom-west-central-africa")
    );
    assert_eq!(
        Dim::HostCountry.groupings(),
        vec![Dim::HostSubregion, Dim::HostIomRegion]
    );
    for d in Dim::ALL {
        for g in d.groupings() {
            assert!(g.groupings().iter().all(|h| *h != d), "{d:?}");
        }
    }
    for d in Dim::ALL {
        assert_eq!(
            serde_json::to_value(d).ok(),
            Some(serde_json::Value::from(d.code())),
            "the API reads a dimension by its code"
        );
    }
    assert_eq!(Dim::AgeGroup.parent("12-17"), Some(CHILDREN));
    assert_eq!(Dim::AgeGroup.parent("18-24"), Some(ADULTS));
    assert_eq!(Dim::Sex.parent("female"), None);
    assert_eq!(Dim::ReturnCountry.parent("ZZ"), None);
    assert!(Dim::Sex.describes_people() && !Dim::Year.describes_people());
}

fn suppress(t: &[Vec<i64>], threshold: i64) -> Vec<Vec<Cell>> {
    protect(t, threshold).cells
}

fn counts(cells: &[Vec<Cell>]) -> Vec<Vec<Option<i64>>> {
    cells
        .iter()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Cell::Count(n) => Some(*n),
                    Cell::Suppressed => None,
                })
                .collect()
        })
        .collect()
}

#[test]
fn age_groups_follow_the_published_bands() {
    assert_eq!(AgeGroup::of(0), AgeGroup::From0To4);
    assert_eq!(AgeGroup::of(4), AgeGroup::From0To4);
    assert_eq!(AgeGroup::of(5), AgeGroup::From5To11);
    assert_eq!(AgeGroup::of(17), AgeGroup::From12To17);
    assert_eq!(AgeGroup::of(18), AgeGroup::From18To24);
    assert_eq!(AgeGroup::of(59), AgeGroup::From25To59);
    assert_eq!(AgeGroup::of(60), AgeGroup::From60);
    assert!(AgeGroup::of(17).is_child() && !AgeGroup::of(18).is_child());
}

#[test]
fn percentiles_use_the_nearest_rank() {
    let v = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    assert_eq!(percentile(&v, 50), Some(5));
    assert_eq!(percentile(&v, 90), Some(9));
    assert_eq!(percentile(&[7], 90), Some(7));
    assert_eq!(percentile::<i64>(&[], 50), None);
}

#[test]
fn a_lone_small_cell_is_suppressed_with_another_in_its_row_and_column() {
    let t = vec![vec![20, 3, 40], vec![30, 50, 60]];
    let s = counts(&suppress(&t, 5));
    assert_eq!(s[0][1], None, "below the threshold");
    // Its row and column each need a second suppressed cell.
    assert_eq!(s[0].iter().filter(|c| c.is_none()).count(), 2);
    assert_eq!(s.iter().filter(|r| r[1].is_none()).count(), 2);
    // Nothing suppressed can be derived from published totals.
    for r in &s {
        assert_ne!(r.iter().filter(|c| c.is_none()).count(), 1);
    }
    for c in 0..3 {
        assert_ne!(s.iter().filter(|r| r[c].is_none()).count(), 1);
    }
}

#[test]
fn zeros_and_counts_at_the_threshold_are_published() {
    let t = vec![vec![0, 5, 12]];
    assert_eq!(
        counts(&suppress(&t, 5)),
        vec![vec![Some(0), Some(5), Some(12)]]
    );
}

#[test]
fn totals_are_the_counts_their_definitions_give_and_a_small_one_is_hidden() {
    // Households by sex: one household with a woman and a man counts in both
    // columns and once in the total.
    let households = Counts {
        cells: vec![vec![30, 12], vec![3, 9]],
        row_totals: vec![38, 10],
        column_totals: vec![33, 20],
        total: 46,
    };
    let p = exact_counts(&households);
    assert_eq!(p.row_totals, vec![Cell::Count(38), Cell::Count(10)]);
    assert_eq!(p.column_totals, vec![Cell::Count(33), Cell::Count(20)]);
    assert_eq!(p.total, Cell::Count(46));
    // A total below the threshold is hidden like a cell (a row of 4 and 0: the row
    // total 4 names the one cell), and another with it, or the grand total minus the
    // others would give it back; the grand total, 119, is published.
    let t = Counts::additive(&[vec![4, 0], vec![20, 30], vec![25, 40]]);
    let p = protect_counts(&t, Shape::ADDITIVE, 5, &Links::default());
    assert_eq!(p.row_totals[0], Cell::Suppressed);
    assert_eq!(p.cells[0][0], Cell::Suppressed);
    assert_eq!(
        p.row_totals
            .iter()
            .filter(|c| **c == Cell::Suppressed)
            .count(),
        2
    );
    assert_eq!(p.total, Cell::Count(119));
    assert!(crate::disclosure::withstands_arithmetic(
        &t,
        &p,
        Shape::ADDITIVE,
        5
    ));
    let p = protect_counts(
        &Counts::additive(&[vec![1, 2]]),
        Shape::ADDITIVE,
        5,
        &Links::default(),
    );
    assert_eq!(p.total, Cell::Suppressed, "3 in all is under 5");
    assert_eq!(p.row_totals, vec![Cell::Suppressed]);
}

#[test]
fn protected_periods_are_whole_months() {
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
    assert!(whole_months(d("2016-10-01"), d("2016-12-31")).is_empty());
    assert!(whole_months(None, d("2024-02-29")).is_empty());
    assert!(whole_months(None, None).is_empty());
    let wrong = whole_months(d("2016-12-02"), d("2016-12-28"));
    let fields: Vec<_> = wrong.iter().map(|v| v.field.as_deref()).collect();
    assert_eq!(fields, vec![Some("from"), Some("until")]);
    assert!(wrong.iter().all(|v| v.code == "period.whole_months"));
}

#[test]
fn a_table_turned_round_keeps_its_counts() {
    let c = Counts {
        cells: vec![vec![1, 2, 3], vec![4, 5, 6]],
        row_totals: vec![5, 14],
        column_totals: vec![5, 7, 8],
        total: 19,
    };
    let t = c.transposed();
    assert_eq!(t.cells, vec![vec![1, 4], vec![2, 5], vec![3, 6]]);
    assert_eq!(
        (t.row_totals.clone(), t.column_totals.clone()),
        (c.column_totals.clone(), c.row_totals.clone())
    );
    assert_eq!(t.transposed(), c);
    let links = Links {
        rows: vec![vec![0, 1]],
        columns: vec![],
    };
    assert_eq!(links.transposed().columns, vec![vec![0, 1]]);
    let shape = crate::disclosure::Shape {
        rows_partition: true,
        columns_partition: false,
        any_row: None,
    };
    let turned = shape.transposed().unwrap();
    assert!(!turned.rows_partition && turned.columns_partition);
    assert_eq!(
        crate::disclosure::Shape {
            any_row: Some(0),
            ..shape
        }
        .transposed(),
        None
    );
}

#[test]
fn percentiles_are_told_of_enough_durations_and_never_the_longest() {
    assert!(!percentile_told(4, 50, 5), "fewer than the threshold");
    assert!(percentile_told(5, 50, 5));
    assert!(!percentile_told(9, 90, 5), "the ninth of nine: the longest");
    assert!(percentile_told(10, 90, 5), "the ninth of ten");
    assert!(!percentile_told(0, 50, 0), "of nothing, nothing");
}

#[test]
fn a_month_ends_on_its_last_day() {
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    for (day, end) in [
        ("2026-02-10", "2026-02-28"),
        ("2028-02-01", "2028-02-29"),
        ("2026-12-31", "2026-12-31"),
        ("2026-04-30", "2026-04-30"),
    ] {
        assert_eq!(month_end(d(day)), d(end), "{day}");
    }
}

#[test]
fn protected_periods_end_with_the_last_whole_month() {
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let today = d("2026-12-05");
    assert_eq!(
        protected_period(None, None, today),
        Ok((None, d("2026-11-30"))),
        "no end: the last whole month"
    );
    assert_eq!(
        protected_period(Some(d("2026-12-01")), Some(d("2026-12-31")), today),
        Ok((Some(d("2026-12-01")), d("2026-11-30"))),
        "the month under way is left out"
    );
    assert_eq!(
        protected_period(None, Some(d("2016-12-31")), today),
        Ok((None, d("2016-12-31")))
    );
    assert_eq!(
        protected_period(None, None, d("2027-01-01")).map(|p| p.1),
        Ok(d("2026-12-31")),
        "on the first of a month, the month before is whole"
    );
    assert!(protected_period(Some(d("2026-10-02")), None, today).is_err());
}

#[test]
fn a_single_row_table_hides_a_second_cell() {
    let p = protect(&[vec![2, 10, 30]], 5);
    assert_eq!(counts(&p.cells), vec![vec![None, None, Some(30)]]);
    assert_eq!(
        p.row_totals,
        vec![Cell::Count(42)],
        "42 - 30 = 12 cannot be split"
    );
    assert_eq!(p.total, Cell::Count(42));
}

#[test]
fn a_total_that_would_reveal_a_cell_is_hidden_with_another() {
    // The second row has one small cell and nothing else to hide: its total (3) is
    // hidden, and the other row's total with it (else 33 - 30 gives 3).
    let t = [vec![10, 20], vec![3, 0]];
    let p = protect(&t, 5);
    assert_eq!(p.cells[1][0], Cell::Suppressed);
    assert_eq!(p.row_totals, vec![Cell::Suppressed, Cell::Suppressed]);
    assert_eq!(p.total, Cell::Count(33));
    assert!(crate::disclosure::withstands_arithmetic(
        &Counts::additive(&t),
        &p,
        Shape::ADDITIVE,
        5
    ));
}

#[test]
fn a_group_published_elsewhere_hides_a_second_cell_within_it() {
    // Rows 0 and 1 are the countries of one region, row 2 of another. Hiding 3 with
    // 9 of the other region would satisfy the column, but the first region's count,
    // published in the table by region, minus 40 would give 3.
    let t = vec![vec![3], vec![40], vec![9]];
    let plain = protect(&t, 5);
    assert_eq!(
        counts(&plain.cells),
        vec![vec![None], vec![Some(40)], vec![None]]
    );
    let linked = protect_linked(
        &t,
        5,
        &Links {
            rows: vec![vec![0, 1], vec![2]],
            columns: vec![],
        },
    );
    assert_eq!(linked.cells[0][0], Cell::Suppressed);
    assert_eq!(
        linked.cells[1][0],
        Cell::Suppressed,
        "the other country of its region"
    );
}

#[test]
fn exact_tables_hide_nothing() {
    let p = exact(&[vec![1, 2], vec![3, 4]]);
    assert!(
        p.cells
            .iter()
            .flatten()
            .all(|c| matches!(c, Cell::Count(_)))
    );
    assert_eq!(p.total, Cell::Count(10));
}
