//! Read models and the case list: scope, filters, searches, bounds, pages.

use super::*;

async fn read_models_follow_each_commit(db: &TestDb) {
    let mut c = NewCase::register(
        OFFICE_A,
        "A-2026-4",
        "Awa",
        NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
        &[Vulnerability::Elderly],
        "SN",
    );
    c.save_all(&db.store).await;
    let row = db
        .store
        .case_row(&scope(&[OFFICE_A]), c.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.stage.code(), "registered");
    assert_eq!(row.version, 2);
    assert_eq!(row.vulnerabilities, Vulnerability::Elderly.bit());
    let p = person_of(&c);
    let new = c.decide(session_cmd(p), now());
    db.store.append(c.commit(&new)).await.unwrap();
    let row = db
        .store
        .case_row(&scope(&[OFFICE_A]), c.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.stage.code(), "counselling");
    assert_eq!(row.version, 3);
    assert_eq!(row.first_counselling_at, Some(now()));
}

async fn office_scope_is_enforced_by_the_queries(db: &TestDb) {
    let a = NewCase::register(
        OFFICE_A,
        "A-2026-5",
        "Awa",
        NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
        &[],
        "SN",
    );
    let b = NewCase::register(
        OFFICE_B,
        "B-2026-1",
        "Awa",
        NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
        &[],
        "SN",
    );
    a.save_all(&db.store).await;
    b.save_all(&db.store).await;
    let only_a = scope(&[OFFICE_A]);
    assert!(db.store.case_row(&only_a, b.id).await.unwrap().is_none());
    let list = db
        .store
        .list_cases(&only_a, &CaseFilter::default(), page())
        .await
        .unwrap();
    assert_eq!((list.total, list.items.len()), (1, 1));
    assert_eq!(list.items[0].case_id, a.id);
    let f = CaseFilter {
        text: Some("awa".into()),
        ..CaseFilter::default()
    };
    let people = db.store.search_people(&only_a, &f, page()).await.unwrap();
    assert_eq!(people.total, 1);
    assert!(people.items.iter().all(|p| p.case_id == a.id));
    let none = db
        .store
        .list_cases(&scope(&[]), &CaseFilter::default(), page())
        .await
        .unwrap();
    assert_eq!(none.total, 0);
}

async fn the_office_of_return_sees_the_case_it_was_assigned(db: &TestDb) {
    let mut c = NewCase::register(
        OFFICE_A,
        "A-2026-6",
        "Awa",
        NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
        &[],
        "SN",
    );
    c.save_all(&db.store).await;
    assert!(
        db.store
            .case_row(&scope(&[OFFICE_B]), c.id)
            .await
            .unwrap()
            .is_none()
    );
    let new = c.decide(
        Command::AssignReturnOffice(OfficeRef {
            office_id: OFFICE_B,
            country: CountryCode::parse("SN").unwrap(),
        }),
        now(),
    );
    db.store.append(c.commit(&new)).await.unwrap();
    assert!(
        db.store
            .case_row(&scope(&[OFFICE_B]), c.id)
            .await
            .unwrap()
            .is_some()
    );
}

async fn the_case_list_filters_searches_and_pages(db: &TestDb) {
    let dob = NaiveDate::from_ymd_opt(1988, 7, 14).unwrap();
    let cases = [
        NewCase::register(
            OFFICE_A,
            "BRU-2026-00010",
            "Aïcha",
            dob,
            &[Vulnerability::VictimOfTrafficking],
            "SN",
        ),
        NewCase::register(
            OFFICE_A,
            "BRU-2026-00011",
            "Mariam",
            NaiveDate::from_ymd_opt(1970, 1, 1).unwrap(),
            &[Vulnerability::Elderly],
            "GE",
        ),
        NewCase::register(
            OFFICE_A,
            "BRU-2026-00012",
            "Oksana",
            NaiveDate::from_ymd_opt(1999, 2, 2).unwrap(),
            &[],
            "UA",
        ),
    ];
    for c in &cases {
        c.save_all(&db.store).await;
    }
    let s = scope(&[OFFICE_A]);
    let q = |f: CaseFilter| {
        let store = db.store.clone();
        let s = s.clone();
        async move { store.list_cases(&s, &f, page()).await.unwrap() }
    };
    let r = q(CaseFilter {
        text: Some("aicha".into()),
        ..Default::default()
    })
    .await;
    assert_eq!(r.total, 1, "accents and case are folded");
    assert_eq!(r.items[0].reference, "BRU-2026-00010");
    let r = q(CaseFilter {
        text: Some("bru-2026-0001".into()),
        ..Default::default()
    })
    .await;
    assert_eq!(r.total, 3, "reference prefix");
    let r = q(CaseFilter {
        country_of_return: Some("GE".into()),
        ..Default::default()
    })
    .await;
    assert_eq!(r.total, 1);
    let r = q(CaseFilter {
        vulnerabilities: Some(
            Vulnerability::Elderly.bit() | Vulnerability::VictimOfTrafficking.bit(),
        ),
        ..Default::default()
    })
    .await;
    assert_eq!(r.total, 2);
    let r = q(CaseFilter {
        birth_date: Some(dob),
        ..Default::default()
    })
    .await;
    assert_eq!(r.total, 1);
    let r = q(CaseFilter {
        text: Some("diallo".into()),
        birth_date: Some(dob),
        ..Default::default()
    })
    .await;
    assert_eq!(r.total, 1, "name and date of birth together");
    let r = q(CaseFilter {
        stage: Some(homeward_domain::Stage::Departed),
        ..Default::default()
    })
    .await;
    assert_eq!(r.total, 0);
    let r = q(CaseFilter {
        text: Some("100%_".into()),
        ..Default::default()
    })
    .await;
    assert_eq!(r.total, 0, "wildcards in the search text are literal");
    for nothing in ["!!!", "%", "\u{0}"] {
        let r = q(CaseFilter {
            text: Some(nothing.into()),
            ..Default::default()
        })
        .await;
        assert_eq!(r.total, 0, "{nothing:?} matches nothing, not everything");
        let p = db
            .store
            .search_people(
                &s,
                &CaseFilter {
                    text: Some(nothing.into()),
                    ..Default::default()
                },
                page(),
            )
            .await
            .unwrap();
        assert_eq!(p.total, 0, "{nothing:?} finds nobody");
    }
    let two = db
        .store
        .list_cases(
            &s,
            &CaseFilter::default(),
            PageRequest {
                page: 2,
                per_page: 2,
            },
        )
        .await
        .unwrap();
    assert_eq!((two.total, two.items.len()), (3, 1));
}

async fn the_case_list_by_office_is_every_case_in_scope_newest_first(db: &TestDb) {
    // Cases on both sides of three offices, some without an office of return, with
    // ties in their update time; each list equals its cases chosen and sorted here.
    let office_c = OfficeId(Uuid::from_u128(0xC));
    let offices = [OFFICE_A, OFFICE_B, office_c];
    let mut rows = vec![];
    for i in 0..24_u32 {
        let vulns: &[Vulnerability] = if i % 3 == 0 {
            &[Vulnerability::Elderly]
        } else {
            &[]
        };
        let country = ["SN", "GE"][(i % 2) as usize];
        let c = NewCase::register(
            offices[(i % 3) as usize],
            &format!("M-2026-{i}"),
            "Awa",
            NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
            vulns,
            country,
        );
        let mut commit = c.commit(&c.events);
        commit.case_row.return_office =
            [None, Some(OFFICE_A), Some(OFFICE_B), Some(office_c)][(i / 3 % 4) as usize];
        commit.case_row.updated_at = now() + Duration::minutes(i64::from(i * 7 % 5));
        rows.push(commit.case_row.clone());
        db.store.append(commit).await.unwrap();
    }
    let filters = [
        ("none", CaseFilter::default()),
        (
            "office B",
            CaseFilter {
                office: Some(OFFICE_B),
                ..Default::default()
            },
        ),
        (
            "office C",
            CaseFilter {
                office: Some(office_c),
                ..Default::default()
            },
        ),
        (
            "elderly",
            CaseFilter {
                vulnerabilities: Some(Vulnerability::Elderly.bit()),
                ..Default::default()
            },
        ),
        (
            "Georgia, office A",
            CaseFilter {
                country_of_return: Some("GE".into()),
                office: Some(OFFICE_A),
                ..Default::default()
            },
        ),
    ];
    let scopes = [
        vec![OFFICE_A],
        vec![OFFICE_B],
        vec![OFFICE_A, OFFICE_B],
        offices.to_vec(),
        vec![OFFICE_B, OFFICE_B],
    ];
    for (name, f) in &filters {
        for s in &scopes {
            let mut expected: Vec<&CaseRow> = rows
                .iter()
                .filter(|r| {
                    let seen = |o: Option<OfficeId>| o.is_some_and(|o| s.contains(&o));
                    let named = |o: OfficeId| r.host_office == o || r.return_office == Some(o);
                    (seen(Some(r.host_office)) || seen(r.return_office))
                        && f.office.is_none_or(named)
                        && f.vulnerabilities.is_none_or(|m| r.vulnerabilities & m != 0)
                        && f.country_of_return
                            .as_ref()
                            .is_none_or(|c| &r.country_of_return == c)
                })
                .collect();
            expected.sort_by(|a, b| {
                b.updated_at
                    .cmp(&a.updated_at)
                    .then(a.case_id.cmp(&b.case_id))
            });
            let want: Vec<Uuid> = expected.iter().map(|r| r.case_id.0).collect();
            let mut got = vec![];
            for n in 1..=(want.len() as u32 / 4 + 2) {
                let p = db
                    .store
                    .list_cases(
                        &scope(s),
                        f,
                        PageRequest {
                            page: n,
                            per_page: 4,
                        },
                    )
                    .await
                    .unwrap();
                assert_eq!(p.total, want.len() as i64, "{name}, scope {s:?}: total");
                got.extend(p.items.iter().map(|r| r.case_id.0));
            }
            assert_eq!(got, want, "{name}, scope {s:?}: pages");
        }
    }
}

async fn a_case_list_counts_up_to_its_bound_and_a_search_counts_all(db: &TestDb) {
    let n = COUNT_BOUND + 10;
    let audit = AuditDraft {
        at: now(),
        actor: None,
        action: "cases.generated".into(),
        case_id: None,
        detail: serde_json::json!({}),
    };
    let mut batch = vec![];
    for i in 0..n {
        let c = NewCase::register(
            OFFICE_A,
            &format!("L-{i}"),
            "Awa",
            NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
            &[],
            "SN",
        );
        let commit = c.commit(&c.events);
        batch.push(homeward_store::NewCase {
            case_id: c.id,
            events: c.events,
            case_row: commit.case_row,
            people: commit.people.unwrap(),
            stats: commit.stats.unwrap(),
            history: vec![],
        });
        if batch.len() == 1000 || i == n - 1 {
            db.store
                .append_new_cases(&batch, &[], &audit)
                .await
                .unwrap();
            batch.clear();
        }
    }
    let s = scope(&[OFFICE_A]);
    let all = CaseFilter::default();
    let first = db
        .store
        .list_cases(
            &s,
            &all,
            PageRequest {
                page: 1,
                per_page: 50,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (first.total, first.total_exact, first.items.len()),
        (COUNT_BOUND, false, 50),
        "more than the bound"
    );
    let last = db
        .store
        .list_cases(
            &s,
            &all,
            PageRequest {
                page: 201,
                per_page: 50,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (last.total, last.total_exact, last.items.len()),
        (n, true, 10),
        "a page past the bound counts to its end"
    );
    let b = CaseFilter {
        office: Some(OFFICE_B),
        ..Default::default()
    };
    let none = db
        .store
        .list_cases(
            &s,
            &b,
            PageRequest {
                page: 1,
                per_page: 50,
            },
        )
        .await
        .unwrap();
    assert_eq!((none.total, none.total_exact), (0, true));
    // Every case has an Awa: a search finds more than its bound, and says so; its
    // pages are the list's, read in the list's order up to the bound, gathered and
    // counted past it.
    let awa = CaseFilter {
        text: Some("Awa".into()),
        ..Default::default()
    };
    let found = db
        .store
        .list_cases(
            &s,
            &awa,
            PageRequest {
                page: 1,
                per_page: 50,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (found.total, found.total_exact),
        (SEARCH_BOUND, false),
        "more than the search's bound"
    );
    assert_eq!(found.items, first.items);
    let past = db
        .store
        .list_cases(
            &s,
            &awa,
            PageRequest {
                page: 21,
                per_page: 50,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (past.total, past.total_exact),
        (n, true),
        "a page past the search's bound counts all"
    );
    let listed = db
        .store
        .list_cases(
            &s,
            &all,
            PageRequest {
                page: 21,
                per_page: 50,
            },
        )
        .await
        .unwrap();
    assert_eq!(past.items, listed.items);
    // More than the bound found, but none among the newest ten thousand cases: the
    // page is gathered (and counted) instead of read newest first.
    let mut older = vec![];
    for i in 0..=SEARCH_BOUND {
        let c = NewCase::register(
            OFFICE_A,
            &format!("O-{i}"),
            "X",
            NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
            &[],
            "SN",
        );
        let mut commit = c.with_people(&[("Fatou", "Sow")]);
        commit.case_row.updated_at = now() - Duration::days(1) - Duration::minutes(i);
        older.push(commit.case_row.case_id);
        batch.push(homeward_store::NewCase {
            case_id: c.id,
            events: c.events,
            case_row: commit.case_row,
            people: commit.people.unwrap(),
            stats: commit.stats.unwrap(),
            history: vec![],
        });
    }
    db.store
        .append_new_cases(&batch, &[], &audit)
        .await
        .unwrap();
    let fatou = CaseFilter {
        text: Some("fatou".into()),
        ..Default::default()
    };
    let found = db
        .store
        .list_cases(
            &s,
            &fatou,
            PageRequest {
                page: 1,
                per_page: 50,
            },
        )
        .await
        .unwrap();
    assert_eq!((found.total, found.total_exact), (SEARCH_BOUND + 1, true));
    assert_eq!(
        found.items.iter().map(|r| r.case_id).collect::<Vec<_>>(),
        older[..50]
    );
}

async fn a_search_that_finds_more_than_its_bound_is_read_in_the_lists_order(db: &TestDb) {
    // Cases of three offices, some with another office of return, with ties in their
    // update time; most have a Fatou (one of them twice), some only in a reference.
    // Every page equals the cases chosen and sorted here, whichever way it is read.
    let office_c = OfficeId(Uuid::from_u128(0xC));
    let offices = [OFFICE_A, OFFICE_B, office_c];
    let audit = AuditDraft {
        at: now(),
        actor: None,
        action: "cases.generated".into(),
        case_id: None,
        detail: serde_json::json!({}),
    };
    let n = (SEARCH_BOUND as u32) * 2;
    let (mut rows, mut batch) = (vec![], vec![]);
    for i in 0..n {
        let reference = if i % 50 == 5 {
            format!("FATOU-{i}")
        } else {
            format!("F-2026-{i}")
        };
        let c = NewCase::register(
            offices[(i % 3) as usize],
            &reference,
            "X",
            NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
            &[],
            "SN",
        );
        let names: &[(&str, &str)] = match i % 5 {
            0 => &[("Moussa", "Sow")],
            1 => &[("Fatou", "Sow"), ("Fatou", "Sow")],
            _ => &[("Moussa", "Sow"), ("Fatou", "Ba")],
        };
        let mut commit = c.with_people(names);
        commit.case_row.return_office =
            [None, Some(OFFICE_A), Some(OFFICE_B), Some(office_c)][(i / 3 % 4) as usize];
        commit.case_row.updated_at = now() + Duration::minutes(i64::from(i * 7 % 301));
        rows.push((commit.case_row.clone(), i % 5 != 0 || i % 50 == 5));
        batch.push(homeward_store::NewCase {
            case_id: c.id,
            events: c.events,
            case_row: commit.case_row,
            people: commit.people.unwrap(),
            stats: commit.stats.unwrap(),
            history: vec![],
        });
    }
    db.store
        .append_new_cases(&batch, &[], &audit)
        .await
        .unwrap();
    let fatou = CaseFilter {
        text: Some("fatou".into()),
        ..Default::default()
    };
    let sow = CaseFilter {
        text: Some("fatou sow".into()),
        ..Default::default()
    };
    for (name, f, s) in [
        ("fatou, A and B", &fatou, vec![OFFICE_A, OFFICE_B]),
        ("fatou, all", &fatou, offices.to_vec()),
        ("fatou sow, all", &sow, offices.to_vec()),
        (
            "fatou, office C",
            &CaseFilter {
                office: Some(office_c),
                ..fatou.clone()
            },
            vec![OFFICE_A],
        ),
    ] {
        let mut expected: Vec<&CaseRow> = rows
            .iter()
            .filter(|(r, is_fatou)| {
                let seen = |o: Option<OfficeId>| o.is_some_and(|o| s.contains(&o));
                let named = |o: OfficeId| r.host_office == o || r.return_office == Some(o);
                let matches = if f.text.as_deref() == Some("fatou sow") {
                    r.reference.starts_with("F-")
                        && rows
                            .iter()
                            .position(|(x, _)| x.case_id == r.case_id)
                            .unwrap()
                            % 5
                            == 1
                } else {
                    *is_fatou
                };
                (seen(Some(r.host_office)) || seen(r.return_office))
                    && f.office.is_none_or(named)
                    && matches
            })
            .map(|(r, _)| r)
            .collect();
        expected.sort_by(|a, b| {
            b.updated_at
                .cmp(&a.updated_at)
                .then(a.case_id.cmp(&b.case_id))
        });
        let want: Vec<Uuid> = expected.iter().map(|r| r.case_id.0).collect();
        let per_page = 40;
        for number in [1, 2, 25, 26, want.len() as u32 / per_page + 1] {
            let p = db
                .store
                .list_cases(
                    &scope(&s),
                    f,
                    PageRequest {
                        page: number,
                        per_page,
                    },
                )
                .await
                .unwrap();
            let from = ((number - 1) * per_page) as usize;
            let slice = &want[from.min(want.len())..(from + per_page as usize).min(want.len())];
            let got: Vec<Uuid> = p.items.iter().map(|r| r.case_id.0).collect();
            assert_eq!(got, slice, "{name}: page {number}");
            let end = i64::from(number * per_page);
            let bounded = want.len() as i64 > SEARCH_BOUND && end <= SEARCH_BOUND;
            let total = if bounded {
                (SEARCH_BOUND, false)
            } else {
                (want.len() as i64, true)
            };
            assert_eq!(
                (p.total, p.total_exact),
                total,
                "{name}: page {number}'s total"
            );
        }
    }
}

async fn a_search_lists_each_case_once_and_every_word_narrows(db: &TestDb) {
    // People written as the projection writes them, with the names given here: two
    // people of one case share a name in Georgian script (no reference can match it)
    // and in Latin letters; the words of a search are matched whatever their order.
    let names: [&[(&str, &str)]; 5] = [
        &[("ნინო", "ბერიძე"), ("ნინო", "ბერიძე")],
        &[
            ("Aminata", "Diallo"),
            ("Aminata", "Diallo"),
            ("Moussa", "Diallo"),
        ],
        &[("Aminata", "Diop")],
        &[("Fatou", "Diallo")],
        &[("Наталья", "Ковальчук")],
    ];
    let mut ids = vec![];
    for (i, people) in names.iter().enumerate() {
        let c = NewCase::register(
            OFFICE_A,
            &format!("S-2026-{i}"),
            "X",
            NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
            &[],
            "SN",
        );
        let mut commit = c.with_people(people);
        commit.case_row.updated_at = now() + Duration::minutes(i as i64);
        db.store.append(commit).await.unwrap();
        ids.push(c.id.0);
    }
    let s = scope(&[OFFICE_A]);
    for (text, want) in [
        ("ნინო", vec![ids[0]]),
        ("ნინო ბერიძე", vec![ids[0]]),
        ("aminata", vec![ids[2], ids[1]]),
        ("aminata diallo", vec![ids[1]]),
        ("diallo aminata", vec![ids[1]]),
        ("diallo", vec![ids[3], ids[1]]),
        ("moussa diop", vec![]),
        // Letters transliterated with an apostrophe (ძ "z'", ь "'") do not split a
        // word: no stray "e" that sounds like "Awa", and the Cyrillic name is found
        // as written and in Latin letters.
        ("awa", vec![]),
        ("Наталья", vec![ids[4]]),
        ("natalia kovalchuk", vec![ids[4]]),
    ] {
        let f = CaseFilter {
            text: Some(text.into()),
            ..Default::default()
        };
        let r = db.store.list_cases(&s, &f, page()).await.unwrap();
        let got: Vec<Uuid> = r.items.iter().map(|c| c.case_id.0).collect();
        assert_eq!(got, want, "{text}: each case once, newest first");
        assert_eq!(
            (r.total, r.total_exact),
            (want.len() as i64, true),
            "{text}: total"
        );
    }
    // A page past the last still says how many there are.
    let f = CaseFilter {
        text: Some("diallo".into()),
        ..Default::default()
    };
    let past = db
        .store
        .list_cases(
            &s,
            &f,
            PageRequest {
                page: 3,
                per_page: 1,
            },
        )
        .await
        .unwrap();
    assert_eq!((past.total, past.items.len()), (2, 0));
    // People are people: both of the first case's are found.
    let f = CaseFilter {
        text: Some("ნინო".into()),
        ..Default::default()
    };
    let people = db.store.search_people(&s, &f, page()).await.unwrap();
    assert_eq!((people.total, people.items.len()), (2, 2));
    let f = CaseFilter {
        text: Some("diallo aminata".into()),
        ..Default::default()
    };
    let people = db.store.search_people(&s, &f, page()).await.unwrap();
    assert_eq!((people.total, people.items.len()), (2, 2));
}

async fn the_case_list_finds_the_departures_of_a_window(db: &TestDb) {
    let c = NewCase::register(
        OFFICE_A,
        "A-2026-D1",
        "Awa",
        NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
        &[],
        "SN",
    );
    let mut commit = c.commit(&c.events);
    commit.case_row.departs_at = Some(now() + Duration::days(3));
    db.store.append(commit).await.unwrap();
    let s = scope(&[OFFICE_A]);
    let window = |from: i64, to: i64| CaseFilter {
        departing: Some((now() + Duration::days(from), now() + Duration::days(to))),
        ..Default::default()
    };
    assert_eq!(
        db.store
            .list_cases(&s, &window(0, 7), page())
            .await
            .unwrap()
            .total,
        1
    );
    assert_eq!(
        db.store
            .list_cases(&s, &window(4, 7), page())
            .await
            .unwrap()
            .total,
        0
    );
    let row = db.store.case_row(&s, c.id).await.unwrap().unwrap();
    assert_eq!(row.departs_at, Some(now() + Duration::days(3)));
}

/// The "due and overdue" lists: plan items due before a day, travel documents running out
/// before the flight, applications by submission and flights since 1970, each soonest
/// first, on both databases.
async fn the_case_list_finds_each_kind_of_deadline_soonest_first(db: &TestDb) {
    let day = |d: i64| now().date_naive() + Duration::days(d);
    let mut ids = vec![];
    for (n, (items, documents, applied, flight)) in [
        (Some(day(-3)), Some(day(5)), Some(-9), Some(-2)),
        (Some(day(-8)), None, Some(-20), None),
        (Some(day(4)), Some(day(2)), None, Some(3)),
        (None, None, Some(-1), Some(-40)),
    ]
    .into_iter()
    .enumerate()
    {
        let c = NewCase::register(
            OFFICE_A,
            &format!("A-2026-K{n}"),
            "Awa",
            NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
            &[],
            "SN",
        );
        let mut commit = c.commit(&c.events);
        commit.case_row.items_due_on = items;
        commit.case_row.documents_expire_on = documents;
        commit.case_row.applied_at = applied.map(|d| now() + Duration::days(d));
        commit.case_row.departs_at = flight.map(|d| now() + Duration::days(d));
        db.store.append(commit).await.unwrap();
        ids.push(c.id.0);
    }
    let s = scope(&[OFFICE_A]);
    let listed = async |f: CaseFilter| -> Vec<uuid::Uuid> {
        db.store
            .list_cases(&s, &f, page())
            .await
            .unwrap()
            .items
            .iter()
            .map(|r| r.case_id.0)
            .collect()
    };
    let items = listed(CaseFilter {
        items_due_before: Some(day(0)),
        order: ListOrder::ItemsDue,
        ..Default::default()
    })
    .await;
    assert_eq!(items, vec![ids[1], ids[0]], "items due before today");
    let documents = listed(CaseFilter {
        documents_expiring: true,
        order: ListOrder::DocumentsExpire,
        ..Default::default()
    })
    .await;
    assert_eq!(documents, vec![ids[2], ids[0]], "documents expiring");
    // One never applied comes last, on both databases.
    let applications = listed(CaseFilter {
        order: ListOrder::OldestApplication,
        ..Default::default()
    })
    .await;
    assert_eq!(
        applications,
        vec![ids[1], ids[0], ids[3], ids[2]],
        "oldest application first"
    );
    let flights = listed(CaseFilter {
        departing: Some((chrono::DateTime::<chrono::Utc>::UNIX_EPOCH, now())),
        order: ListOrder::SoonestDeparture,
        ..Default::default()
    })
    .await;
    assert_eq!(flights, vec![ids[3], ids[0]], "flights gone");
    // Another office's reader sees none of them.
    let other = db
        .store
        .list_cases(
            &scope(&[OFFICE_B]),
            &CaseFilter {
                documents_expiring: true,
                ..Default::default()
            },
            page(),
        )
        .await
        .unwrap();
    assert_eq!(other.total, 0);
}

homeward_store::db_tests!(
    read_models_follow_each_commit,
    office_scope_is_enforced_by_the_queries,
    the_office_of_return_sees_the_case_it_was_assigned,
    the_case_list_filters_searches_and_pages,
    the_case_list_by_office_is_every_case_in_scope_newest_first,
    a_case_list_counts_up_to_its_bound_and_a_search_counts_all,
    a_search_that_finds_more_than_its_bound_is_read_in_the_lists_order,
    a_search_lists_each_case_once_and_every_word_narrows,
    the_case_list_finds_the_departures_of_a_window,
    the_case_list_finds_each_kind_of_deadline_soonest_first,
);
