//! `homeward generate`: bulk loads through the domain, in batches, on both databases; the
//! same seed and date give the same cases, whichever the database.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::TimeZone;
use homeward_app::demo::Generate;
use homeward_app::{App, Config};
use homeward_domain::case::reintegration::AssistanceType;
use homeward_domain::ids::{OfficeId, ProgrammeId, UserId};
use homeward_store::testing::TestDb;
use homeward_store::{CaseRow, Store};

fn plan(cases: usize, batch: usize) -> Generate {
    Generate {
        cases,
        seed: 11,
        as_of: chrono::Utc.with_ymd_and_hms(2026, 6, 30, 12, 0, 0).unwrap(),
        batch,
    }
}

/// The case rows without the ids of offices, programmes and users (those are drawn anew).
async fn cases_of(store: &Store) -> Vec<CaseRow> {
    let (mut cases, _) = store.read_model_snapshot().await.unwrap();
    for c in &mut cases {
        c.host_office = OfficeId(uuid::Uuid::nil());
        c.return_office = c.return_office.map(|_| OfficeId(uuid::Uuid::nil()));
        c.programme = ProgrammeId(uuid::Uuid::nil());
        c.owner = c.owner.map(|_| UserId(uuid::Uuid::nil()));
    }
    cases.sort_by(|a, b| a.reference.cmp(&b.reference));
    cases
}

async fn generated_cases_are_deterministic_complete_and_rebuild_the_same(db: &TestDb) {
    let app = App::new(db.store.clone(), Config::default());
    let seen = std::sync::Mutex::new(vec![]);
    // Batches of 70: the last one is short.
    let summary = app
        .generate(plan(250, 70), |n| seen.lock().unwrap().push(n))
        .await
        .unwrap();
    assert_eq!(summary.cases, 250);
    assert_eq!(
        *seen.lock().unwrap(),
        vec![70, 140, 210, 250],
        "progress per batch"
    );
    let cases = cases_of(&db.store).await;
    assert_eq!(cases.len(), 250);
    // One version per event, and the log replays to what the read models hold.
    let events: i64 = cases.iter().map(|c| c.version).sum();
    assert_eq!(db.store.count_events().await.unwrap(), events);
    let (rows, people) = db.store.read_model_snapshot().await.unwrap();
    let stats = db.store.stats_snapshot().await.unwrap();
    // Returnees answered the programme's survey: their scores are rows of the reports,
    // the same after a rebuild (below).
    assert!(
        stats.scores.iter().any(|s| s.band > 0)
            && stats.scores.iter().any(|s| s.composite.is_some()),
        "{:?}",
        stats.scores.len()
    );
    // The budget's sums by month too: the bulk load's, month by month from its cases'
    // histories, are the rebuild's.
    let digest = db.store.read_model_digest().await.unwrap();
    db.store.rebuild_read_models().await.unwrap();
    assert_eq!(
        db.store.read_model_snapshot().await.unwrap(),
        (rows, people)
    );
    assert_eq!(db.store.stats_snapshot().await.unwrap(), stats);
    assert_eq!(db.store.read_model_digest().await.unwrap(), digest);
    assert!(db.store.verify_audit().await.unwrap().is_ok());
    // References continue after the generated ones.
    let last = cases
        .iter()
        .filter(|c| c.reference.starts_with("BRU-2026-"))
        .map(|c| c.reference.clone())
        .max()
        .unwrap();
    let n: i64 = last.rsplit('-').next().unwrap().parse().unwrap();
    assert_eq!(
        db.store.next_reference_number("BRU-2026").await.unwrap(),
        n + 1
    );

    // The same seed and date, another batch size, on SQLite: the same cases.
    let other = TestDb::sqlite().await.unwrap();
    let app2 = App::new(other.store.clone(), Config::default());
    app2.generate(plan(250, 1000), |_| {}).await.unwrap();
    assert_eq!(cases_of(&other.store).await, cases);
    other.finish().await.unwrap();
    // Only into an empty database.
    assert!(app.generate(plan(1, 1), |_| {}).await.is_err());
}

async fn the_statistics_cube_counts_what_sql_counts(db: &TestDb) {
    use homeward_app::cube::StatsCube;
    use homeward_store::{Dim, StatFilter};
    let app = App::new(db.store.clone(), Config::default());
    let cube = StatsCube::default();
    // Loaded empty, then brought up to date case by case after the load.
    cube.refresh(&db.store).await.unwrap();
    // Loaded empty too, then loaded whole again: more than ten cases are written.
    let reloading = StatsCube::reloading_above(10);
    reloading.refresh(&db.store).await.unwrap();
    app.generate(plan(400, 150), |_| {}).await.unwrap();
    let rows = db.store.stats_snapshot().await.unwrap().returns;
    assert!(rows.len() > 100, "the generated cases have returns");
    let some = &rows[rows.len() / 2];
    // Every generated return is told apart at departure: the demo's programme has no
    // countries of transit (the API's tests mark one).
    let transit = cube
        .count(
            &db.store,
            &[Dim::HostOrTransit],
            vec![StatFilter::default()],
        )
        .await
        .unwrap();
    let keys: Vec<&str> = transit[0].iter().map(|c| c.keys[0].as_str()).collect();
    assert_eq!(keys, vec!["host"], "{transit:?}");
    let filters = vec![
        StatFilter::default(),
        StatFilter {
            from: chrono::NaiveDate::from_ymd_opt(2024, 3, 1),
            until: chrono::NaiveDate::from_ymd_opt(2025, 10, 31),
            ..StatFilter::default()
        },
        StatFilter {
            offices: Some(vec![some.office]),
            ..StatFilter::default()
        },
        StatFilter {
            offices: Some(vec![]),
            ..StatFilter::default()
        },
        StatFilter {
            programme: Some(some.programme),
            ..StatFilter::default()
        },
        StatFilter {
            return_country: Some(some.return_country.clone()),
            ..StatFilter::default()
        },
        StatFilter {
            vulnerabilities: Some(0b11),
            ..StatFilter::default()
        },
        StatFilter {
            assistance: Some(AssistanceType::ReintegrationAllowance.bit()),
            ..StatFilter::default()
        },
        StatFilter {
            assistance: Some(
                AssistanceType::BusinessDevelopment.bit() | AssistanceType::Housing.bit(),
            ),
            ..StatFilter::default()
        },
        // Options taken up, dated by their months: every one, one type, either of two
        // types in a period (a person once, however many months).
        StatFilter {
            taken_up: true,
            ..StatFilter::default()
        },
        StatFilter {
            taken_up: true,
            assistance: Some(AssistanceType::ReintegrationAllowance.bit()),
            ..StatFilter::default()
        },
        StatFilter {
            taken_up: true,
            assistance: Some(
                AssistanceType::ReintegrationAllowance.bit() | AssistanceType::Housing.bit(),
            ),
            from: chrono::NaiveDate::from_ymd_opt(2025, 1, 1),
            until: chrono::NaiveDate::from_ymd_opt(2026, 6, 30),
            ..StatFilter::default()
        },
    ];
    let taken_up = db.store.stats_snapshot().await.unwrap().taken_up;
    let months: std::collections::BTreeSet<_> = taken_up.iter().map(|t| t.departed_on).collect();
    let people: std::collections::BTreeSet<_> = taken_up.iter().map(|t| t.person_id).collect();
    assert!(
        taken_up.len() > 50 && months.len() > 3,
        "the generated cases took up options over months: {} in {months:?}",
        taken_up.len()
    );
    assert!(
        people.len() < taken_up.len(),
        "some took up options in more than one month (a person counts once)"
    );
    let mut questions: Vec<Vec<Dim>> = vec![vec![]];
    for a in Dim::ALL {
        questions.push(vec![a]);
        for b in Dim::ALL {
            if a != b {
                questions.push(vec![a, b]);
            }
        }
    }
    let sorted = |mut v: Vec<homeward_store::ReturnCount>| {
        v.sort_by(|a, b| a.keys.cmp(&b.keys));
        v
    };
    for dims in &questions {
        let got = cube.count(&db.store, dims, filters.clone()).await.unwrap();
        for (f, table) in filters.iter().zip(got) {
            let want = db.store.count_returns(dims, f).await.unwrap();
            assert_eq!(sorted(table), sorted(want), "{dims:?} {f:?}");
        }
    }
    // The pipeline, followed case by case and loaded whole, against SQL.
    let loaded = StatsCube::default();
    let mut stopped = 0;
    for f in &filters {
        let want = pipeline_in_sql(&db.store, f).await;
        stopped += want.interruptions.len();
        assert_eq!(
            cube.pipeline(&db.store, f.clone(), |c| c).await.unwrap(),
            want,
            "{f:?}"
        );
        assert_eq!(
            loaded.pipeline(&db.store, f.clone(), |c| c).await.unwrap(),
            want,
            "{f:?}"
        );
    }
    assert!(stopped > 0, "the generated cases have interruptions");
    // Questions asked together while the figures are loaded again: each waits for the
    // load, none finds the figures gone.
    let all = StatFilter::default();
    let (a, b, c, d) = tokio::join!(
        reloading.pipeline(&db.store, all.clone(), |c| c),
        reloading.count(&db.store, &[Dim::Year], vec![all.clone()]),
        reloading.pipeline(&db.store, filters[2].clone(), |c| c),
        reloading.count(&db.store, &[Dim::Sex, Dim::Office], vec![all.clone()]),
    );
    assert_eq!(a.unwrap(), pipeline_in_sql(&db.store, &all).await);
    assert_eq!(c.unwrap(), pipeline_in_sql(&db.store, &filters[2]).await);
    for (dims, got) in [(vec![Dim::Year], b), (vec![Dim::Sex, Dim::Office], d)] {
        let want = db.store.count_returns(&dims, &all).await.unwrap();
        assert_eq!(
            got.unwrap().into_iter().map(sorted).collect::<Vec<_>>(),
            vec![sorted(want)]
        );
    }
}

/// The follow-up queues read from SQL list exactly the follow-ups the domain calls due or
/// overdue on the day, in every office's scope: one definition, on both databases.
async fn the_follow_up_queues_list_what_the_domain_calls_due_and_overdue(db: &TestDb) {
    use homeward_app::auth::SessionKind;
    use homeward_app::cases::{DUE_SOON_DAYS, FollowUpQueue};
    use homeward_domain::case::monitoring::SlotStatus;
    use homeward_store::PageRequest;
    let app = App::new(db.store.clone(), Config::default());
    let g = plan(300, 150);
    let today = g.as_of.date_naive();
    app.generate(g, |_| {}).await.unwrap();
    let issued = app
        .login(
            "monitoring",
            "demo-monitoring-2026",
            None,
            SessionKind::Token,
            None,
        )
        .await
        .unwrap();
    let p = app.authenticate(&issued.secret).await.unwrap();
    // What the domain says of every open returned case, followed up from its own state.
    let (rows, _) = db.store.read_model_snapshot().await.unwrap();
    let (mut due, mut overdue) = (vec![], vec![]);
    for row in &rows {
        let case = homeward_domain::Case::replay(&db.store.load_events(row.case_id).await.unwrap())
            .unwrap();
        let Some(arrived) = case.dates.arrived else {
            continue;
        };
        if case.stage == homeward_domain::Stage::Closed
            || !p.actor.offices.contains(&case.lead_office())
        {
            continue;
        }
        for slot in case.monitoring.scheduled(arrived.date_naive()) {
            let key = (slot.due, row.case_id, i64::from(slot.number));
            match slot.status(today) {
                SlotStatus::Due => due.push(key),
                // Opening within the week counts as due too.
                SlotStatus::Upcoming if slot.opens <= today + chrono::Days::new(DUE_SOON_DAYS) => {
                    due.push(key)
                }
                SlotStatus::Overdue => overdue.push(key),
                _ => {}
            }
        }
    }
    due.sort();
    overdue.sort();
    assert!(
        !due.is_empty() && !overdue.is_empty(),
        "{due:?} {overdue:?}"
    );
    for (queue, want) in [(FollowUpQueue::Due, due), (FollowUpQueue::Overdue, overdue)] {
        // Read in pages of 7: every follow-up once, in order.
        let mut got = vec![];
        for page in 1.. {
            let read = app
                .follow_ups_waiting(&p, None, queue, today, PageRequest { page, per_page: 7 })
                .await
                .unwrap();
            assert_eq!(read.total, want.len() as i64, "{queue:?}");
            if read.items.is_empty() {
                break;
            }
            got.extend(read.items.iter().map(|f| (f.due, f.case.id, f.number)));
        }
        assert_eq!(got, want, "{queue:?}");
    }
}

/// The scheduled follow-ups of `programme`'s `cases` (each as it stood) that `sees`,
/// counted as the domain calls them on `day` (`SlotStatus`), a closed case's as the
/// performance report's rule says: by follow-up of the schedule, [upcoming, due, overdue,
/// missed, held on time, held late]; then the returned cases to reach and those reached.
fn follow_ups_by_the_domain(
    cases: &[homeward_domain::Case],
    programme: ProgrammeId,
    day: chrono::NaiveDate,
    sees: impl Fn(&homeward_domain::Case) -> bool,
) -> (std::collections::BTreeMap<u8, [i64; 6]>, i64, i64) {
    use homeward_domain::case::monitoring::SlotCount;
    let mut want: std::collections::BTreeMap<u8, [i64; 6]> = Default::default();
    let (mut to_reach, mut reached) = (0, 0);
    let followed_stages = homeward_domain::CommandKind::RecordFollowUp.spec().stages;
    for case in cases {
        let Some(arrived) = case.dates.arrived else {
            continue;
        };
        if case.programme != programme || !sees(case) {
            continue;
        }
        let followed = followed_stages.contains(&case.stage);
        let (mut reach, mut held) = (false, false);
        for slot in case.monitoring.scheduled(arrived.date_naive()) {
            let Some(s) = SlotCount::of(slot.status(day)).counted(followed) else {
                continue;
            };
            let column = match s {
                SlotCount::Upcoming => 0,
                SlotCount::Due => 1,
                SlotCount::Overdue => 2,
                SlotCount::Missed => 3,
                SlotCount::HeldOnTime => 4,
                SlotCount::HeldLate => 5,
            };
            want.entry(slot.number).or_default()[column] += 1;
            reach |= s != SlotCount::Upcoming;
            held |= column >= 4;
        }
        to_reach += i64::from(reach);
        reached += i64::from(held);
    }
    (want, to_reach, reached)
}

/// The report's follow-ups as `follow_ups_by_the_domain` gives them (every figure shown).
fn follow_ups_reported(
    report: &homeward_app::performance::PerformanceReport,
) -> (std::collections::BTreeMap<u8, [i64; 6]>, i64, i64) {
    let lines = report
        .follow_ups
        .iter()
        .map(|f| {
            let line = [
                f.upcoming,
                f.due,
                f.overdue,
                f.missed,
                f.held_on_time,
                f.held_late,
            ];
            (
                f.number.unwrap(),
                line.map(|n| n.expect("every figure shown")),
            )
        })
        .collect();
    (
        lines,
        report.returnees_to_reach.unwrap(),
        report.returnees_reached.unwrap(),
    )
}

async fn token_for(app: &App, user: &str) -> homeward_app::auth::Principal {
    let issued = app
        .login(
            user,
            &format!("demo-{user}-2026"),
            None,
            homeward_app::auth::SessionKind::Token,
            None,
        )
        .await
        .unwrap();
    app.authenticate(&issued.secret).await.unwrap()
}

/// The performance report counts the scheduled follow-ups in SQL as the domain calls
/// them on the day (`SlotStatus`), a closed case's as the report's rule says, in the
/// reader's scope: one definition, on both databases.
async fn the_performance_report_counts_follow_ups_as_the_domain_calls_them(db: &TestDb) {
    let app = App::new(db.store.clone(), Config::default());
    app.generate(plan(300, 150), |_| {}).await.unwrap();
    // The report counts on the day it is read.
    let today = homeward_app::now().date_naive();
    let programme = db.store.list_programmes().await.unwrap()[0].id;
    let (rows, _) = db.store.read_model_snapshot().await.unwrap();
    let mut cases = vec![];
    for row in &rows {
        let events = db.store.load_events(row.case_id).await.unwrap();
        cases.push(homeward_domain::Case::replay(&events).unwrap());
    }
    for user in ["approver", "approver-return"] {
        let p = token_for(&app, user).await;
        let report = app.performance_report(&p, programme).await.unwrap();
        assert!(!report.protected && report.as_of.is_none());
        let want = follow_ups_by_the_domain(&cases, programme, today, |case| {
            p.actor.offices.contains(&case.host_office)
                || case
                    .return_office
                    .is_some_and(|o| p.actor.offices.contains(&o))
        });
        assert_eq!(follow_ups_reported(&report), want, "{user}");
        assert!(
            want.0.values().any(|f| f[4] > 0 && f[3] > 0),
            "{user}: {want:?}"
        );
    }
}

/// Read protected, the performance report counts the scheduled follow-ups as each month
/// ended: each case as the events recorded up to that month left it, its follow-ups'
/// status read on the month's last day, every office's (the kept counts by month a bulk
/// load wrote, `follow_up_months`), the cases, withdrawals and departures dated up to
/// its last day; with the statistics' threshold, a figure shown is
/// that figure, and a year's days to departure are told only of at least the threshold
/// of departures.
async fn the_protected_performance_report_counts_follow_ups_as_each_month_ended(db: &TestDb) {
    use homeward_domain::stats::{first_of_month, recorded_months};
    let every = App::new(
        db.store.clone(),
        Config {
            stats_threshold: 1,
            ..Config::default()
        },
    );
    every.generate(plan(300, 150), |_| {}).await.unwrap();
    let protected = App::new(db.store.clone(), Config::default());
    let programme = db.store.list_programmes().await.unwrap()[0].id;
    let (rows, _) = db.store.read_model_snapshot().await.unwrap();
    let mut streams = vec![];
    for row in &rows {
        streams.push(db.store.load_events(row.case_id).await.unwrap());
    }
    let stats = db.store.stats_snapshot().await.unwrap();
    let day = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
    let mut hidden = 0;
    for until in [
        day(2025, 9, 30),
        day(2025, 12, 31),
        day(2026, 3, 31),
        day(2026, 5, 31),
    ] {
        // Each case as its events recorded up to that month left it.
        let cases: Vec<homeward_domain::Case> = streams
            .iter()
            .filter_map(|events| {
                let months = recorded_months(events);
                let n = months
                    .iter()
                    .take_while(|m| **m <= first_of_month(until))
                    .count();
                homeward_domain::Case::replay(&events[..n]).ok()
            })
            .collect();
        let want = follow_ups_by_the_domain(&cases, programme, until, |_| true);
        let p = token_for(&every, "donor").await;
        let report = every
            .performance_report_until(&p, programme, until)
            .await
            .unwrap();
        assert!(report.protected && !report.own_offices_only);
        assert_eq!(report.as_of, Some(until));
        assert_eq!(follow_ups_reported(&report), want, "{until}");
        // Cases, withdrawals and departures dated up to that day.
        let mine: Vec<&CaseRow> = rows.iter().filter(|r| r.programme == programme).collect();
        let registered = mine
            .iter()
            .filter(|r| r.registered_at.date_naive() <= until)
            .count();
        assert_eq!(report.cases, Some(registered as i64), "{until}");
        let withdrawn: std::collections::BTreeSet<_> = stats
            .interruptions
            .iter()
            .filter(|x| x.kind == "withdrawal" && x.programme == programme.0)
            .filter(|x| x.occurred_on <= until)
            .map(|x| x.case_id)
            .collect();
        assert_eq!(report.withdrawn, Some(withdrawn.len() as i64), "{until}");
        let mut departed: std::collections::BTreeMap<i64, i64> = Default::default();
        for day in mine.iter().filter_map(|r| r.departed_at) {
            if day.date_naive() <= until {
                *departed
                    .entry(chrono::Datelike::year(&day).into())
                    .or_default() += 1;
            }
        }
        let reported: std::collections::BTreeMap<i64, i64> = report
            .departures
            .iter()
            .map(|d| (d.year.unwrap(), d.departed.unwrap()))
            .collect();
        assert_eq!(reported, departed, "{until}");
        assert!(registered > 0 && !withdrawn.is_empty() && !departed.is_empty());
        // With the statistics' threshold: what is shown is the figure, what is small is
        // hidden.
        let p = token_for(&protected, "auditor").await;
        let report = protected
            .performance_report_until(&p, programme, until)
            .await
            .unwrap();
        for f in &report.follow_ups {
            let line = want.0[&f.number.unwrap()];
            let got = [
                f.upcoming,
                f.due,
                f.overdue,
                f.missed,
                f.held_on_time,
                f.held_late,
            ];
            for (shown, n) in got.into_iter().zip(line) {
                match shown {
                    Some(shown) => assert_eq!(shown, n, "{until}"),
                    None => hidden += 1,
                }
                if n > 0 && n < 5 {
                    assert_eq!(shown, None, "{until}: {n} is below the threshold");
                }
            }
        }
        for d in report.departures.iter().chain([&report.departures_total]) {
            let told = d.application_to_departure_median.is_some();
            assert!(
                !told || d.departed.is_some_and(|n| n >= 5),
                "{until}: {d:?}"
            );
        }
    }
    assert!(hidden > 0, "some small counts were met");
    // At the end of the last month generated, the follow-ups as they stood are those the
    // exact reader reads on that day.
    assert!(
        db.store
            .follow_up_counts(programme, None, day(2026, 6, 30), Some(day(2026, 6, 30)))
            .await
            .unwrap()
            == db
                .store
                .follow_up_counts(programme, None, day(2026, 6, 30), None)
                .await
                .unwrap()
    );
}

/// The referral queues read from SQL list exactly the referrals the domain calls overdue
/// or escalated on the day, in the reader's scope: one definition, on both databases.
async fn the_referral_queues_list_what_the_domain_calls_overdue_and_escalated(db: &TestDb) {
    use homeward_app::auth::SessionKind;
    use homeward_app::cases::ReferralQueue;
    use homeward_domain::case::referrals::AnswerStatus;
    use homeward_store::PageRequest;
    let app = App::new(db.store.clone(), Config::default());
    let g = plan(300, 151);
    let today = g.as_of.date_naive();
    app.generate(g, |_| {}).await.unwrap();
    let issued = app
        .login(
            "reintegration",
            "demo-reintegration-2026",
            None,
            SessionKind::Token,
            None,
        )
        .await
        .unwrap();
    let p = app.authenticate(&issued.secret).await.unwrap();
    let (rows, _) = db.store.read_model_snapshot().await.unwrap();
    let (mut overdue, mut escalated, mut referred) = (vec![], vec![], 0);
    for row in &rows {
        let case = homeward_domain::Case::replay(&db.store.load_events(row.case_id).await.unwrap())
            .unwrap();
        referred += case.referrals.referrals.len();
        if case.stage == homeward_domain::Stage::Closed
            || !homeward_domain::access::can_see(&p.actor, &case)
        {
            continue;
        }
        for r in case.referrals.referrals.values() {
            let key = (r.answer_due(), row.case_id, r.request.referral_id.0);
            match r.answer_status(today) {
                AnswerStatus::Overdue { .. } => overdue.push(key),
                AnswerStatus::Escalated { .. } => {
                    overdue.push(key);
                    escalated.push(key);
                }
                _ => {}
            }
        }
    }
    overdue.sort();
    escalated.sort();
    assert!(
        referred > 20 && !overdue.is_empty(),
        "{referred} {overdue:?}"
    );
    for (queue, want) in [
        (ReferralQueue::Overdue, overdue),
        (ReferralQueue::Escalated, escalated),
    ] {
        let mut got = vec![];
        for page in 1.. {
            let read = app
                .referrals_waiting(&p, None, queue, today, PageRequest { page, per_page: 5 })
                .await
                .unwrap();
            assert_eq!(read.total, want.len() as i64, "{queue:?}");
            if read.items.is_empty() {
                break;
            }
            got.extend(
                read.items
                    .iter()
                    .map(|r| (r.due, r.case.id, r.referral_id.0)),
            );
        }
        assert_eq!(got, want, "{queue:?}");
    }
}

homeward_store::db_tests!(
    generated_cases_are_deterministic_complete_and_rebuild_the_same,
    the_statistics_cube_counts_what_sql_counts,
    the_follow_up_queues_list_what_the_domain_calls_due_and_overdue,
    the_referral_queues_list_what_the_domain_calls_overdue_and_escalated,
    the_performance_report_counts_follow_ups_as_the_domain_calls_them,
    the_protected_performance_report_counts_follow_ups_as_each_month_ended,
);

/// The pipeline as SQL counts it (what `StatsCube::pipeline` must equal).
async fn pipeline_in_sql(
    store: &Store,
    f: &homeward_store::StatFilter,
) -> homeward_app::cube::PipelineCounts {
    use chrono::Datelike;
    use homeward_domain::stats::days_between;
    let mut durations: std::collections::BTreeMap<(i64, String), (Vec<i32>, Vec<i32>)> =
        Default::default();
    store
        .for_each_departure(f, |d| {
            let day = d.departed_at.date_naive();
            if f.from.is_some_and(|x| day < x) || f.until.is_some_and(|x| day > x) {
                return;
            }
            let g = durations
                .entry((day.year().into(), d.country_of_return))
                .or_default();
            let days =
                |from| days_between(from, Some(d.departed_at)).map(|n| i32::try_from(n).unwrap());
            g.0.extend(days(d.applied_at));
            g.1.extend(days(Some(d.registered_at)));
        })
        .await
        .unwrap();
    for (applied, registered) in durations.values_mut() {
        applied.sort_unstable();
        registered.sort_unstable();
    }
    let mut by_stage = store.count_by_stage(f).await.unwrap();
    by_stage.sort();
    let mut interruptions = store.count_interruptions(f).await.unwrap();
    interruptions.sort();
    let interrupted_cases = store
        .count_interrupted_cases(f)
        .await
        .unwrap()
        .into_iter()
        .collect();
    // Cases registered in the period, counted from their rows.
    let (rows, _) = store.read_model_snapshot().await.unwrap();
    let registered = rows
        .iter()
        .filter(|r| {
            let day = r.registered_at.date_naive();
            f.programme.is_none_or(|p| r.programme.0 == p)
                && f.offices
                    .as_ref()
                    .is_none_or(|o| o.contains(&r.host_office.0))
                && f.return_country
                    .as_ref()
                    .is_none_or(|c| *c == r.country_of_return)
                && f.from.is_none_or(|x| day >= x)
                && f.until.is_none_or(|x| day <= x)
        })
        .count() as i64;
    homeward_app::cube::PipelineCounts {
        by_stage,
        registered,
        interruptions,
        interrupted_cases,
        durations,
    }
}
