use super::*;
use chrono::NaiveDate;

fn row(case: u128, person: u128, year: i32, country: &str, sex: &str, age: &str) -> ReturnRow {
    ReturnRow {
        case_id: Uuid::from_u128(case),
        person_id: Uuid::from_u128(person),
        departed_on: NaiveDate::from_ymd_opt(year, 6, 1).unwrap_or_default(),
        year: year.into(),
        host_country: "DE".into(),
        host_region: "150".into(),
        host_subregion: "155".into(),
        return_country: country.into(),
        return_region: "002".into(),
        return_subregion: "011".into(),
        sex: sex.into(),
        age_group: age.into(),
        vulnerabilities: 0,
        legal_situation: "irregular".into(),
        programme: Uuid::from_u128(7),
        office: Uuid::from_u128(8),
        host_or_transit: "host".into(),
        assistance: 0,
    }
}

fn facts(rows: &[ReturnRow]) -> Facts {
    let mut f = Facts::default();
    let mut by_case: Vec<(Uuid, Vec<ReturnRow>)> = Vec::new();
    for r in rows {
        match by_case.iter_mut().find(|(c, _)| *c == r.case_id) {
            Some((_, v)) => v.push(r.clone()),
            None => by_case.push((r.case_id, vec![r.clone()])),
        }
    }
    for (c, v) in by_case {
        assert!(f.append(c, &v).is_ok());
    }
    f
}

/// Rows of a person each (months of options taken up): a person counts once in a
/// cell, and stays one when their case's rows are regrouped between its people with
/// the same values, or squeezed together.
#[test]
fn a_persons_months_count_them_once_however_their_rows_are_regrouped() {
    let month = |m: u128, person: u128, bit: i64| ReturnRow {
        departed_on: NaiveDate::from_ymd_opt(2026, m as u32, 1).unwrap_or_default(),
        year: 2026,
        assistance: bit,
        ..row(1, person, 2026, "SN", "female", "18-24")
    };
    let mut f = Facts {
        by_person: true,
        ..Facts::default()
    };
    // A: January and February; B: March.
    assert!(
        f.append(
            Uuid::from_u128(1),
            &[month(1, 10, 1), month(2, 10, 2), month(3, 11, 4)]
        )
        .is_ok()
    );
    let jan_feb = StatFilter {
        from: NaiveDate::from_ymd_opt(2026, 1, 1),
        until: NaiveDate::from_ymd_opt(2026, 2, 28),
        ..StatFilter::default()
    };
    let people = |f: &Facts| f.count(&[], &jan_feb)[0].people;
    assert_eq!(people(&f), 1, "A, once");
    // February's option becomes B's: the same values, another grouping.
    set(
        &mut f,
        1,
        &[month(1, 10, 1), month(2, 11, 2), month(3, 11, 4)],
    );
    assert_eq!(people(&f), 2, "A in January, B in February");
    for _ in 0..1100 {
        set(
            &mut f,
            1,
            &[month(1, 10, 1), month(2, 10, 2), month(3, 11, 4)],
        );
    }
    assert!(f.dead < 1100, "squeezed");
    assert_eq!(people(&f), 1);
    assert_eq!(f.count(&[], &jan_feb)[0].cases, 1);
}

fn set(f: &mut Facts, case: u128, rows: &[ReturnRow]) {
    let changed = HashMap::from([(Uuid::from_u128(case), rows.to_vec())]);
    assert!(f.replace(&changed).is_ok());
}

fn flat(counts: &[ReturnCount]) -> Vec<(Vec<String>, i64, i64)> {
    counts
        .iter()
        .map(|c| (c.keys.clone(), c.people, c.cases))
        .collect()
}

fn keys(k: &[&str]) -> Vec<String> {
    k.iter().map(|s| s.to_string()).collect()
}

#[test]
fn a_family_is_one_case_in_each_cell_its_people_reach() {
    let f = facts(&[
        row(1, 1, 2024, "SN", "female", "25-59"),
        row(1, 2, 2024, "SN", "male", "25-59"),
        row(1, 3, 2024, "SN", "female", "5-11"),
        row(2, 4, 2025, "SN", "female", "25-59"),
    ]);
    let total = f.count(&[], &StatFilter::default());
    assert_eq!(flat(&total), vec![(keys(&[]), 4, 2)]);
    let by_sex = f.count(&[Dim::Sex], &StatFilter::default());
    assert_eq!(
        flat(&by_sex),
        vec![(keys(&["female"]), 3, 2), (keys(&["male"]), 1, 1)]
    );
    let cross = f.count(&[Dim::Year, Dim::Children], &StatFilter::default());
    assert_eq!(
        flat(&cross),
        vec![
            (keys(&["2024", "18_and_over"]), 2, 1),
            (keys(&["2024", "under_18"]), 1, 1),
            (keys(&["2025", "18_and_over"]), 1, 1),
        ]
    );
}

#[test]
fn tables_counted_in_one_pass_are_those_counted_one_by_one() {
    let f = facts(&[
        row(1, 1, 2024, "SN", "female", "25-59"),
        row(1, 2, 2024, "SN", "male", "5-11"),
        row(2, 3, 2025, "ML", "female", "25-59"),
    ]);
    let tables = vec![
        vec![],
        vec![Dim::Sex],
        vec![Dim::Year, Dim::Children],
        vec![Dim::ReturnCountry, Dim::ReturnIomRegion],
    ];
    let all = StatFilter::default();
    let together = f.count_many(&tables, &all, 1);
    let alone: Vec<_> = tables.iter().map(|t| f.count(t, &all)).collect();
    assert_eq!(together, alone);
    assert_eq!(
        flat(&together[1]),
        vec![(keys(&["female"]), 2, 2), (keys(&["male"]), 1, 1)]
    );
}

#[test]
fn a_case_rewritten_or_emptied_replaces_what_was_known() {
    let mut f = facts(&[
        row(1, 1, 2024, "SN", "female", "25-59"),
        row(2, 2, 2024, "ML", "male", "25-59"),
    ]);
    // Case 1 is corrected to Mali, case 2 no longer has a return.
    set(&mut f, 1, &[row(1, 1, 2024, "ML", "female", "25-59")]);
    set(&mut f, 2, &[]);
    let by_country = f.count(&[Dim::ReturnCountry], &StatFilter::default());
    assert_eq!(flat(&by_country), vec![(keys(&["ML"]), 1, 1)]);
    // The old people of both cases are not counted again.
    set(&mut f, 3, &[row(3, 3, 2025, "SN", "male", "18-24")]);
    assert_eq!(f.cases(), 2);
    assert_eq!(f.people(), 2);
    assert_eq!(
        flat(&f.count(&[Dim::ReturnCountry], &StatFilter::default())),
        vec![(keys(&["ML"]), 1, 1), (keys(&["SN"]), 1, 1)]
    );
}

/// A measurement, not a check: `cargo test --release -p homeward-app --lib
/// cube::tests::one_pass -- --ignored --nocapture` (docs/decisions/0007).
#[test]
#[ignore = "a measurement"]
fn one_pass_of_many_tables_on_one_and_two_cores() {
    let countries = ["SN", "ML", "GN", "NG", "GH", "CI", "MA", "IQ", "AF", "GE"];
    let sexes = ["female", "male"];
    let ages = ["0-4", "5-11", "12-17", "18-24", "25-59", "60+"];
    let mut f = Facts::default();
    for case in 0..450_000u128 {
        let rows: Vec<ReturnRow> = (0..=(case % 4) / 2)
            .map(|k| {
                let n = (case * 7919 + k * 104_729) as usize;
                let year = 2015 + (n % 11) as i32;
                row(
                    case,
                    case * 10 + k,
                    year,
                    countries[n % 10],
                    sexes[(n / 10) % 2],
                    ages[(n / 20) % 6],
                )
            })
            .collect();
        assert!(f.append(Uuid::from_u128(case), &rows).is_ok());
    }
    // What `joint_forced` counts for sex: every crossing with sex, and the totals.
    let tables: Vec<Vec<Dim>> = [vec![], vec![Dim::Sex]]
        .into_iter()
        .chain(
            Dim::ALL
                .into_iter()
                .filter(|d| *d != Dim::Sex)
                .flat_map(|o| [vec![o], vec![Dim::Sex, o]]),
        )
        .collect();
    let all = StatFilter::default();
    for parts in [1, 2, 1, 2] {
        let t = std::time::Instant::now();
        let n = f.count_in_parts(&tables, &all, parts).len();
        println!(
            "{} people, {n} tables, {parts} part(s): {:?}",
            f.people.len(),
            t.elapsed()
        );
    }
}

#[test]
fn a_pass_split_between_threads_counts_what_one_thread_counts() {
    // Families of one to four people, so that a split point often falls inside one.
    let sexes = ["female", "male"];
    let ages = ["0-4", "5-11", "18-24", "25-59"];
    let rows: Vec<ReturnRow> = (0..200u128)
        .flat_map(|case| {
            (0..=(case % 4)).map(move |k| {
                let n = (case * 7 + k) as usize;
                row(
                    case,
                    case * 10 + k,
                    2020 + (case % 5) as i32,
                    ["SN", "ML", "GN"][n % 3],
                    sexes[n % 2],
                    ages[n % 4],
                )
            })
        })
        .collect();
    let f = facts(&rows);
    let tables = vec![
        vec![],
        vec![Dim::Sex],
        vec![Dim::Year, Dim::AgeGroup],
        vec![Dim::ReturnCountry, Dim::Sex],
        vec![Dim::Children, Dim::Year],
    ];
    let all = StatFilter::default();
    let one = f.count_in_parts(&tables, &all, 1);
    for parts in [2, 3, 7, 500] {
        assert_eq!(f.count_in_parts(&tables, &all, parts), one, "{parts} parts");
    }
    // Every part begins a case.
    for b in f.split(7) {
        assert!(b == f.people.len() || f.first[b], "{b} is inside a case");
    }
}

#[test]
fn a_change_marks_the_months_its_returns_left_and_entered() {
    let day = |y, m| NaiveDate::from_ymd_opt(y, m, 1);
    let mut f = facts(&[
        row(1, 1, 2023, "SN", "female", "25-59"),
        row(2, 2, 2024, "ML", "male", "25-59"),
    ]);
    assert_eq!(f.last_change(None, None), 0);
    // Case 2 departed in June 2024; now it says July 2024.
    let mut moved = row(2, 2, 2024, "ML", "male", "25-59");
    moved.departed_on = NaiveDate::from_ymd_opt(2024, 7, 15).unwrap_or_default();
    set(&mut f, 2, &[moved.clone()]);
    assert_eq!(f.last_change(None, day(2024, 5)), 0, "before June 2024");
    assert_eq!(f.last_change(day(2024, 6), day(2024, 6)), 1, "June, left");
    assert_eq!(
        f.last_change(day(2024, 7), day(2024, 7)),
        1,
        "July, entered"
    );
    assert_eq!(f.last_change(day(2024, 8), None), 0, "after");
    // A person's details corrected in a past month mark it; the case written again
    // with the same returns (a follow-up, a note) marks nothing.
    set(&mut f, 1, &[row(1, 1, 2023, "SN", "male", "25-59")]);
    assert_eq!(f.last_change(day(2023, 6), day(2023, 6)), 2);
    assert_eq!(f.last_change(day(2024, 1), None), 1);
    set(&mut f, 1, &[row(1, 1, 2023, "SN", "male", "25-59")]);
    set(&mut f, 2, &[moved.clone()]);
    assert_eq!(f.last_change(None, None), 2);
    assert_eq!(f.people(), 2);
    // Assistance received marks nothing (protected readers do not read it), and is
    // counted all the same.
    let mut helped = moved;
    helped.assistance = 0b1;
    set(&mut f, 2, &[helped]);
    assert_eq!(f.last_change(None, None), 2);
    let with = StatFilter {
        assistance: Some(0b1),
        ..StatFilter::default()
    };
    assert_eq!(flat(&f.count(&[], &with)), vec![(keys(&[]), 1, 1)]);
}

#[test]
fn cases_written_again_and_again_are_counted_once_after_the_dead_space_goes() {
    let mut f = facts(&[row(1, 1, 2024, "SN", "female", "25-59")]);
    for n in 0..3000u128 {
        // Case 2 changes its family every time; case 1 stays as it was.
        let people: Vec<ReturnRow> = (0..=(n % 3))
            .map(|k| row(2, 10 + k, 2025, "ML", "male", "18-24"))
            .collect();
        set(&mut f, 2, &people);
    }
    // 6,000 people were written; the dead space is squeezed out as it grows.
    assert!(f.people.len() < 2048, "{} people kept", f.people.len());
    assert_eq!(f.runs.len(), f.first.iter().filter(|x| **x).count());
    assert_eq!(
        flat(&f.count(&[Dim::Year], &StatFilter::default())),
        vec![(keys(&["2024"]), 1, 1), (keys(&["2025"]), 3, 1)]
    );
}

#[test]
fn filters_leave_out_whom_they_should() {
    let mut helped = row(2, 2, 2024, "ML", "male", "25-59");
    helped.assistance = 0b101;
    let f = facts(&[row(1, 1, 2023, "SN", "female", "25-59"), helped]);
    let only = |filter: StatFilter| flat(&f.count(&[], &filter));
    let since_2024 = StatFilter {
        from: NaiveDate::from_ymd_opt(2024, 1, 1),
        ..StatFilter::default()
    };
    assert_eq!(only(since_2024), vec![(keys(&[]), 1, 1)]);
    let to_mali = StatFilter {
        return_country: Some("ML".into()),
        ..StatFilter::default()
    };
    assert_eq!(only(to_mali), vec![(keys(&[]), 1, 1)]);
    let unknown_country = StatFilter {
        return_country: Some("ZZ".into()),
        ..StatFilter::default()
    };
    assert_eq!(only(unknown_country), vec![(keys(&[]), 0, 0)]);
    let no_office = StatFilter {
        offices: Some(vec![]),
        ..StatFilter::default()
    };
    assert_eq!(only(no_office), vec![(keys(&[]), 0, 0)]);
    let other_programme = StatFilter {
        programme: Some(Uuid::from_u128(99)),
        ..StatFilter::default()
    };
    assert_eq!(only(other_programme), vec![(keys(&[]), 0, 0)]);
    let vulnerable = StatFilter {
        vulnerabilities: Some(1),
        ..StatFilter::default()
    };
    assert_eq!(only(vulnerable), vec![(keys(&[]), 0, 0)]);
    let helped_with = |mask| StatFilter {
        assistance: Some(mask),
        ..StatFilter::default()
    };
    assert_eq!(only(helped_with(0b100)), vec![(keys(&[]), 1, 1)]);
    assert_eq!(only(helped_with(0b010)), vec![(keys(&[]), 0, 0)]);
}
