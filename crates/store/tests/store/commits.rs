//! The event log and group commit: versions, conflicts, groups, the audit lock.

use super::*;

async fn events_round_trip_with_their_metadata(db: &TestDb) {
    let mut c = NewCase::register(
        OFFICE_A,
        "A-2026-1",
        "Awa",
        NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
        &[],
        "SN",
    );
    c.save_all(&db.store).await;
    let p = person_of(&c);
    let new = c.decide(session_cmd(p), now() + Duration::hours(1));
    db.store.append(c.commit(&new)).await.unwrap();
    let loaded = db.store.load_events(c.id).await.unwrap();
    assert_eq!(loaded, c.events);
    assert_eq!(Case::replay(&loaded).unwrap().version, 3);
}

async fn a_write_at_a_stale_version_is_a_conflict_and_writes_nothing(db: &TestDb) {
    let mut c = NewCase::register(
        OFFICE_A,
        "A-2026-2",
        "Awa",
        NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
        &[],
        "SN",
    );
    c.save_all(&db.store).await;
    let p = person_of(&c);
    let first = c.decide(session_cmd(p), now());
    db.store.append(c.commit(&first)).await.unwrap();
    let events_before = db.store.count_events().await.unwrap();
    let audit_before = db.store.list_audit(page()).await.unwrap().total;
    // A second writer read version 2 and writes on it.
    let mut stale = c.commit(&first);
    stale.expected_version = 2;
    match db.store.append(stale).await {
        Err(StoreError::Conflict { current }) => assert_eq!(current, 3),
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert_eq!(db.store.count_events().await.unwrap(), events_before);
    assert_eq!(
        db.store.list_audit(page()).await.unwrap().total,
        audit_before
    );
    // Registering the same case twice is a conflict too.
    match db.store.append(c.commit(&c.events[..2])).await {
        Err(StoreError::Conflict { .. }) => {}
        other => panic!("expected a conflict, got {other:?}"),
    }
}

async fn a_group_that_only_conflicts_leaves_the_audit_lock_free(db: &TestDb) {
    // The writer keeps its connection between groups. A group whose every commit
    // conflicted once left that connection idle in its transaction, holding the audit
    // lock until a next group came; an audited read on another connection (what would
    // bring that next group) then waited for ever.
    let mut c = NewCase::register(
        OFFICE_A,
        "A-2026-C1",
        "Awa",
        NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
        &[],
        "SN",
    );
    c.save_all(&db.store).await;
    let p = person_of(&c);
    let first = c.decide(session_cmd(p), now());
    db.store.append(c.commit(&first)).await.unwrap();
    for stale_at in [1, 2] {
        let mut stale = c.commit(&first);
        stale.expected_version = stale_at;
        assert!(matches!(
            db.store.append(stale).await,
            Err(StoreError::Conflict { current: 3 })
        ));
        let draft = AuditDraft {
            at: now(),
            actor: Some(ACTOR.0),
            action: "case.read_sensitive".into(),
            case_id: Some(c.id.0),
            detail: serde_json::json!({}),
        };
        let audited = tokio::time::timeout(
            std::time::Duration::from_secs(20),
            db.store.append_audit(&draft),
        )
        .await
        .expect("an audit entry written while no transaction is open waits for nothing");
        audited.unwrap();
    }
    assert_eq!(db.store.verify_audit().await.unwrap(), Ok(4));
}

async fn concurrent_writes_at_one_version_let_exactly_one_through(db: &TestDb) {
    let c = NewCase::register(
        OFFICE_A,
        "A-2026-3",
        "Awa",
        NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
        &[],
        "SN",
    );
    c.save_all(&db.store).await;
    let p = person_of(&c);
    let mut tasks = vec![];
    for _ in 0..8 {
        let store = db.store.clone();
        let mut mine = NewCase {
            id: c.id,
            events: c.events.clone(),
        };
        tasks.push(tokio::spawn(async move {
            let new = mine.decide(session_cmd(p), now());
            store.append(mine.commit(&new)).await
        }));
    }
    let mut ok = 0;
    let mut conflicts = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(()) => ok += 1,
            Err(StoreError::Conflict { .. }) => conflicts += 1,
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!((ok, conflicts), (1, 7));
    assert_eq!(db.store.load_events(c.id).await.unwrap().len(), 3);
}

async fn a_group_commit_answers_each_commit_for_itself(db: &TestDb) {
    // Three cases; one group: a session on the first, a stale write on the second, a
    // broken commit (two events at one version) registering a fourth, and a session
    // on the third.
    let mut cases = vec![];
    for i in 0..3 {
        let c = NewCase::register(
            OFFICE_A,
            &format!("A-2026-G{i}"),
            "Awa",
            NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
            &[],
            "SN",
        );
        c.save_all(&db.store).await;
        cases.push(c);
    }
    let audit_before = db.store.list_audit(page()).await.unwrap().total;
    let p0 = person_of(&cases[0]);
    let first = cases[0].decide(session_cmd(p0), now());
    let first = cases[0].commit(&first);
    let p1 = person_of(&cases[1]);
    let mut stale = NewCase {
        id: cases[1].id,
        events: cases[1].events.clone(),
    };
    let new = stale.decide(session_cmd(p1), now());
    let mut stale = stale.commit(&new);
    stale.expected_version = 1;
    let fourth = NewCase::register(
        OFFICE_A,
        "A-2026-G4",
        "Awa",
        NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
        &[],
        "SN",
    );
    let mut broken = fourth.commit(&fourth.events);
    broken.events[1].meta.version = 1;
    let p2 = person_of(&cases[2]);
    let last = cases[2].decide(session_cmd(p2), now());
    let last = cases[2].commit(&last);
    let outcomes = db
        .store
        .append_group(&[&first, &stale, &broken, &last])
        .await;
    assert!(outcomes[0].is_ok(), "{:?}", outcomes[0]);
    assert!(
        matches!(outcomes[1], Err(StoreError::Conflict { current: 2 })),
        "{:?}",
        outcomes[1]
    );
    assert!(
        matches!(outcomes[2], Err(StoreError::Duplicate(_))),
        "{:?}",
        outcomes[2]
    );
    assert!(outcomes[3].is_ok(), "{:?}", outcomes[3]);
    assert_eq!(
        db.store.load_events(cases[0].id).await.unwrap(),
        cases[0].events
    );
    assert_eq!(db.store.load_events(cases[1].id).await.unwrap().len(), 2);
    assert!(db.store.load_events(fourth.id).await.unwrap().is_empty());
    assert_eq!(
        db.store.load_events(cases[2].id).await.unwrap(),
        cases[2].events
    );
    // One audit entry for each commit that was written, chained.
    assert_eq!(
        db.store.list_audit(page()).await.unwrap().total,
        audit_before + 2
    );
    assert_eq!(
        db.store.verify_audit().await.unwrap(),
        Ok(audit_before as u64 + 2)
    );

    // Without a failing commit, the group is one transaction, chained in order; a case
    // may be written twice in it, and its row is the later one's.
    let mut more = vec![];
    for c in &mut cases {
        let p = person_of(c);
        let new = c.decide(session_cmd(p), now() + Duration::hours(1));
        more.push(c.commit(&new));
    }
    let p0 = person_of(&cases[0]);
    let again = cases[0].decide(session_cmd(p0), now() + Duration::hours(2));
    more.push(cases[0].commit(&again));
    let outcomes = db
        .store
        .append_group(&more.iter().collect::<Vec<_>>())
        .await;
    assert!(outcomes.iter().all(Result::is_ok), "{outcomes:?}");
    for c in &cases {
        assert_eq!(db.store.load_events(c.id).await.unwrap(), c.events);
    }
    let row = db
        .store
        .case_row(&scope(&[OFFICE_A]), cases[0].id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.version, 5);
    assert_eq!(
        db.store.verify_audit().await.unwrap(),
        Ok(audit_before as u64 + 6)
    );
}

async fn many_writers_at_once_are_grouped_and_each_answered(db: &TestDb) {
    // Forty writers on twenty cases: two per case at the same version, so one of each
    // pair wins whichever group the writer puts them in.
    let mut cases = vec![];
    for i in 0..20 {
        let c = NewCase::register(
            OFFICE_A,
            &format!("A-2026-M{i}"),
            "Awa",
            NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
            &[],
            "SN",
        );
        c.save_all(&db.store).await;
        cases.push(c);
    }
    let mut tasks = vec![];
    for c in &cases {
        let p = person_of(c);
        for _ in 0..2 {
            let store = db.store.clone();
            let mut mine = NewCase {
                id: c.id,
                events: c.events.clone(),
            };
            tasks.push(tokio::spawn(async move {
                let new = mine.decide(session_cmd(p), now());
                store.append(mine.commit(&new)).await
            }));
        }
    }
    let (mut ok, mut conflicts) = (0, 0);
    for t in tasks {
        match t.await.unwrap() {
            Ok(()) => ok += 1,
            Err(StoreError::Conflict { current: 3 }) => conflicts += 1,
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!((ok, conflicts), (20, 20));
    for c in &cases {
        assert_eq!(db.store.load_events(c.id).await.unwrap().len(), 3);
    }
    assert_eq!(db.store.verify_audit().await.unwrap(), Ok(40));
}

async fn a_load_past_one_statements_parameters_is_written_whole(db: &TestDb) {
    // Rows are gathered into one statement up to 30,000 parameters, then sent and a new
    // one begun: 3,000 cases' rows alone (22 parameters each) are past PostgreSQL's 65,535
    // a statement.
    let audit = AuditDraft {
        at: now(),
        actor: None,
        action: "cases.generated".into(),
        case_id: None,
        detail: serde_json::json!({}),
    };
    let mut batch = vec![];
    for i in 0..3000 {
        let c = NewCase::register(
            OFFICE_A,
            &format!("W-{i}"),
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
    }
    let events: usize = batch.iter().map(|c| c.events.len()).sum();
    assert!(events * 8 > 30_000, "{events} events: not past the bound");
    db.store
        .append_new_cases(&batch, &[], &audit)
        .await
        .unwrap();
    assert_eq!(db.store.count_events().await.unwrap(), events as i64);
    let (rows, people) = db.store.read_model_snapshot().await.unwrap();
    assert_eq!((rows.len(), people.len()), (3000, 3000));
    assert_eq!(
        db.store
            .list_audit(PageRequest {
                page: 1,
                per_page: 10
            })
            .await
            .unwrap()
            .total,
        1
    );
}

async fn a_commit_waits_for_whoever_holds_the_audit_lock(db: &TestDb) {
    // The lock that orders the audit chain and the events' positions with commits:
    // PostgreSQL's advisory lock, taken with the transaction's BEGIN; SQLite's one
    // write lock. Held here by another connection, as another process would hold it.
    use sqlx::Connection;
    let url = db.url();
    let (mut pg, mut lite) = (None, None);
    if db.sqlite_url().is_some() {
        let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
        sqlx::query("BEGIN IMMEDIATE")
            .execute(&mut conn)
            .await
            .unwrap();
        lite = Some(conn);
    } else {
        let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT pg_advisory_lock({POSTGRES_AUDIT_LOCK})"
        )))
        .execute(&mut conn)
        .await
        .unwrap();
        pg = Some(conn);
    }
    let c = NewCase::register(
        OFFICE_A,
        "A-2026-L1",
        "Awa",
        NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
        &[],
        "SN",
    );
    let store = db.store.clone();
    let commit = c.commit(&c.events);
    let writing = tokio::spawn(async move { store.append(commit).await });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(
        !writing.is_finished(),
        "the commit did not wait for the lock"
    );
    assert_eq!(db.store.count_events().await.unwrap(), 0);
    if let Some(mut conn) = lite {
        sqlx::query("ROLLBACK").execute(&mut conn).await.unwrap();
    }
    if let Some(mut conn) = pg {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT pg_advisory_unlock({POSTGRES_AUDIT_LOCK})"
        )))
        .execute(&mut conn)
        .await
        .unwrap();
    }
    writing.await.unwrap().unwrap();
    assert_eq!(
        db.store.count_events().await.unwrap(),
        c.events.len() as i64
    );
    assert_eq!(
        db.store
            .list_audit(PageRequest {
                page: 1,
                per_page: 10
            })
            .await
            .unwrap()
            .total,
        1
    );
}

async fn reference_numbers_count_per_key(db: &TestDb) {
    assert_eq!(db.store.next_reference_number("BRU-2026").await.unwrap(), 1);
    assert_eq!(db.store.next_reference_number("BRU-2026").await.unwrap(), 2);
    assert_eq!(db.store.next_reference_number("DKR-2026").await.unwrap(), 1);
}

/// Version `version` of a plan of one in-kind item `item` of `cents` euros on `line`,
/// drafted and approved.
fn approved_plan(
    version: u32,
    item: homeward_domain::ids::PlanItemId,
    line: BudgetLineId,
    cents: i64,
) -> Vec<homeward_domain::Event> {
    use homeward_domain::case::reintegration::*;
    let eur = |amount_minor| Money {
        amount_minor,
        currency: CurrencyCode::parse("EUR").unwrap(),
    };
    vec![
        homeward_domain::Event::PlanDrafted {
            version,
            draft: PlanDraft {
                items: vec![PlanItem {
                    item_id: item,
                    assistance: AssistanceType::BusinessDevelopment,
                    form: AssistanceForm::InKind,
                    description: t("Tools"),
                    beneficiary: None,
                    value: eur(cents),
                    provider: None,
                    due: None,
                    budget_line: Some(line),
                }],
                cap_exception: None,
                budget_exception: None,
            },
            total: eur(cents),
            cap: None,
        },
        homeward_domain::Event::PlanApproved {
            version,
            comment: None,
            above_cap: false,
        },
    ]
}

/// A case whose plan, approved, commits `cents` on `line` (events written as the domain
/// writes them; the rules are the domain's tests').
async fn plan_on_line(
    store: &Store,
    reference: &str,
    line: BudgetLineId,
    cents: i64,
) -> (NewCase, Vec<RecordedEvent>) {
    use homeward_domain::ids::PlanItemId;
    let mut c = NewCase::register(
        OFFICE_A,
        reference,
        "Awa",
        NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
        &[],
        "SN",
    );
    c.save_all(store).await;
    let new = c.push(
        approved_plan(1, PlanItemId(Uuid::new_v4()), line, cents),
        now(),
    );
    (c, new)
}

/// Two plans approved in one group that together take a line beyond its amount: the
/// group is written again commit by commit, and the second is refused
/// (`StoreError::OverBudget`) with nothing of it written; the store's budget rows hold
/// the first. A commit under an approved exception carries no limit and goes through.
async fn a_line_is_never_committed_beyond_its_limit_by_commits_written_together(db: &TestDb) {
    let line = BudgetLineId(Uuid::from_u128(0xB0D));
    let (a, a_new) = plan_on_line(&db.store, "A-2026-31", line, 150_000).await;
    let (b, b_new) = plan_on_line(&db.store, "A-2026-32", line, 150_000).await;
    let limited = |c: &NewCase, new: &[RecordedEvent]| {
        c.commit(new).with_budget_limits(vec![(line.0, 200_000)])
    };
    let (ca, cb) = (limited(&a, &a_new), limited(&b, &b_new));
    let outcomes = db.store.append_group(&[&ca, &cb]).await;
    assert!(outcomes[0].is_ok(), "{outcomes:?}");
    match &outcomes[1] {
        Err(StoreError::OverBudget {
            line: l,
            committed,
            limit,
        }) => {
            assert_eq!((*l, *committed, *limit), (line.0, 300_000, 200_000));
        }
        other => panic!("expected the line to be refused, got {other:?}"),
    }
    assert_eq!(
        db.store.load_events(b.id).await.unwrap().len(),
        b.events.len() - 2
    );
    assert_eq!(
        db.store
            .committed_elsewhere(
                ProgrammeId(Uuid::from_u128(0x9)),
                CaseId(Uuid::nil()),
                &[line]
            )
            .await
            .unwrap(),
        vec![(line, 150_000)]
    );
    // Without a limit (an exception approved with the plan), it is written.
    db.store.append(b.commit(&b_new)).await.unwrap();
    assert_eq!(
        db.store
            .committed_elsewhere(ProgrammeId(Uuid::from_u128(0x9)), a.id, &[line])
            .await
            .unwrap(),
        vec![(line, 150_000)]
    );
    let programme = ProgrammeId(Uuid::from_u128(0x9));
    let rows = db.store.budget_cells(programme, None, None).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0].committed, rows[0].cases, rows[0].people),
        (300_000, 2, 2)
    );
    let households = db
        .store
        .budget_households(programme, None, HouseholdsBy::Assistance, None)
        .await
        .unwrap();
    assert_eq!(households.len(), 1);
    assert_eq!(
        (households[0].key.as_str(), households[0].cases),
        ("business_development", 2)
    );
    // Another office's reader counts none of them.
    assert!(
        db.store
            .budget_cells(programme, Some(&[OfficeId(Uuid::from_u128(0xAB))]), None)
            .await
            .unwrap()
            .is_empty()
    );
    // A closed item commits nothing more: its case's rows are replaced, and the sums
    // lose what they held.
    let mut a = a;
    let item = Case::replay(&a.events).unwrap().reintegration.versions[0].items[0].item_id;
    let closed = a.push(
        vec![homeward_domain::Event::PlanItemClosed {
            item_id: item,
            reason: LongText::parse("Not needed any more").unwrap(),
        }],
        now(),
    );
    db.store.append(a.commit(&closed)).await.unwrap();
    let after = db.store.budget_cells(programme, None, None).await.unwrap();
    assert_eq!((after[0].committed, after[0].cases), (150_000, 2));
    // The sums as a month ended: the month before the plans, nothing; this month's, as
    // they stand.
    use chrono::Datelike;
    let this_month = now().date_naive().with_day(1).unwrap();
    let before = this_month.pred_opt().unwrap().with_day(1).unwrap();
    assert!(
        db.store
            .budget_cells(programme, None, Some(before))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        db.store
            .budget_cells(programme, None, Some(this_month))
            .await
            .unwrap(),
        after
    );
    // The sums kept commit by commit are what a rebuild counts again.
    let rows = after;
    let kept = db.store.read_model_digest().await.unwrap();
    db.store.rebuild_read_models().await.unwrap();
    assert_eq!(db.store.read_model_digest().await.unwrap(), kept);
    assert_eq!(
        db.store.budget_cells(programme, None, None).await.unwrap(),
        rows
    );
}

/// The budget's kept sums are kept by the month each change was recorded in: read as a
/// month ended, they hold what plans committed by then; written commit by commit over
/// three months, they are what a rebuild adds from the events month by month.
async fn the_budget_sums_are_kept_by_month_as_a_rebuild_counts_them(db: &TestDb) {
    use chrono::{Datelike, Duration};
    use homeward_domain::Event;
    use homeward_domain::ids::PlanItemId;
    let line = BudgetLineId(Uuid::from_u128(0xB0E));
    let programme = ProgrammeId(Uuid::from_u128(0x9));
    // Any 35 days cross a month's end.
    let (two_ago, one_ago, today) = (
        now() - Duration::days(70),
        now() - Duration::days(35),
        now(),
    );
    let month = |at: DateTime<Utc>| at.date_naive().with_day(1).unwrap();
    let mut c = NewCase::register(
        OFFICE_A,
        "A-2026-41",
        "Awa",
        NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
        &[],
        "SN",
    );
    for e in &mut c.events {
        e.meta.recorded_at = two_ago;
        e.meta.occurred_at = two_ago;
    }
    c.save_all(&db.store).await;
    let item = PlanItemId(Uuid::from_u128(0x17E));
    let plan = |version, cents| approved_plan(version, item, line, cents);
    let new = c.push(plan(1, 100_000), two_ago);
    db.store.append(c.commit(&new)).await.unwrap();
    let new = c.push(plan(2, 160_000), one_ago);
    db.store.append(c.commit(&new)).await.unwrap();
    let new = c.push(
        vec![Event::PlanItemClosed {
            item_id: item,
            reason: LongText::parse("Not needed any more").unwrap(),
        }],
        today,
    );
    db.store.append(c.commit(&new)).await.unwrap();
    let committed = |rows: Vec<homeward_store::BudgetCell>| {
        rows.iter()
            .map(|r| (r.committed, r.cases))
            .collect::<Vec<_>>()
    };
    let as_of = async |at: Option<DateTime<Utc>>| {
        let cells = db
            .store
            .budget_cells(programme, None, at.map(month))
            .await
            .unwrap();
        let households = db
            .store
            .budget_households(programme, None, HouseholdsBy::Country, at.map(month))
            .await
            .unwrap();
        (committed(cells), households)
    };
    let before = as_of(Some(two_ago - Duration::days(35))).await;
    let first = as_of(Some(two_ago)).await;
    let second = as_of(Some(one_ago)).await;
    let now_ = as_of(None).await;
    assert_eq!(before.0, vec![]);
    assert_eq!(first.0, vec![(100_000, 1)]);
    assert_eq!(second.0, vec![(160_000, 1)]);
    assert_eq!(first.1.len(), 1);
    assert_eq!(
        as_of(Some(today)).await,
        now_,
        "this month's is as it stands"
    );
    let kept = db.store.read_model_digest().await.unwrap();
    db.store.rebuild_read_models().await.unwrap();
    assert_eq!(db.store.read_model_digest().await.unwrap(), kept);
    for (at, was) in [(two_ago, &first), (one_ago, &second), (today, &now_)] {
        assert_eq!(
            &as_of(Some(at)).await,
            was,
            "as {at} ended, after a rebuild"
        );
    }
}

/// The survey scores' kept sums by month: a returnee's survey counts from the month it
/// was recorded in; corrected away in a later month, it leaves that month's sums, and the
/// months before keep it, as a rebuild counts them again from the events.
async fn the_score_sums_are_kept_by_month_as_a_rebuild_counts_them(db: &TestDb) {
    use chrono::{Datelike, Duration};
    use homeward_domain::Event;
    use homeward_domain::case::monitoring::{ContactResult, FollowUp, FollowUpMode};
    use homeward_domain::survey::{Answer, Permille, Response, ScoreCard, SurveyAnswers};
    let programme = ProgrammeId(Uuid::from_u128(0x9));
    let (then, today) = (now() - Duration::days(35), now());
    let month = |at: DateTime<Utc>| at.date_naive().with_day(1).unwrap();
    let mut c = NewCase::register(
        OFFICE_A,
        "A-2026-42",
        "Awa",
        NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
        &[],
        "SN",
    );
    for e in &mut c.events {
        e.meta.recorded_at = then;
        e.meta.occurred_at = then;
    }
    c.save_all(&db.store).await;
    let person = person_of(&c);
    let follow_up = FollowUp {
        follow_up_id: FollowUpId(Uuid::from_u128(0xF0)),
        mode: FollowUpMode::Visit,
        result: ContactResult::Reached,
        with: vec![person],
        language: None,
        notes: None,
        services: vec![],
        survey: Some(SurveyAnswers {
            response: Response {
                key: "rss".into(),
                version: 1,
                answers: [("income".to_string(), Answer::Choice("some".into()))].into(),
            },
            digest: "ab".repeat(32),
            scores: ScoreCard {
                key: "rss".into(),
                version: 1,
                indicators: Default::default(),
                dimensions: Default::default(),
                composite: Permille::new(750),
                threshold: None,
            },
        }),
    };
    let new = c.push(
        vec![
            Event::DepartureConfirmed {
                host_or_transit: None,
            },
            Event::ArrivalRecorded(Arrival {
                reception: Reception::Office,
                onward_transport: None,
                temporary_accommodation: None,
            }),
            Event::FollowUpRecorded(follow_up.clone()),
        ],
        then,
    );
    db.store.append(c.commit(&new)).await.unwrap();
    let recorded = new.last().unwrap().meta.version;
    let returnees = async |at: Option<DateTime<Utc>>| {
        db.store
            .score_cells(programme, None, ScoreBy::Nothing, at.map(month))
            .await
            .unwrap()
            .iter()
            .map(|c| (c.returnees, c.composite_n, c.composite_sum))
            .collect::<Vec<_>>()
    };
    assert_eq!(returnees(None).await, vec![(1, 1, 750)]);
    // Corrected this month: the follow-up had no survey after all.
    let new = c.push(
        vec![Event::Corrected {
            corrects: recorded,
            occurred_at: then,
            replacement: Box::new(Event::FollowUpRecorded(FollowUp {
                survey: None,
                ..follow_up
            })),
            reason: LongText::parse("Recorded on the wrong case").unwrap(),
        }],
        today,
    );
    db.store.append(c.commit(&new)).await.unwrap();
    let (before, now_) = (returnees(Some(then)).await, returnees(None).await);
    assert_eq!(before, vec![(1, 1, 750)], "as last month ended");
    assert_eq!(now_, vec![], "as it stands");
    let kept = db.store.read_model_digest().await.unwrap();
    db.store.rebuild_read_models().await.unwrap();
    assert_eq!(db.store.read_model_digest().await.unwrap(), kept);
    assert_eq!(returnees(Some(then)).await, before, "after a rebuild");
    assert_eq!(returnees(Some(today)).await, now_);
}

homeward_store::db_tests!(
    the_score_sums_are_kept_by_month_as_a_rebuild_counts_them,
    the_budget_sums_are_kept_by_month_as_a_rebuild_counts_them,
    a_line_is_never_committed_beyond_its_limit_by_commits_written_together,
    events_round_trip_with_their_metadata,
    a_write_at_a_stale_version_is_a_conflict_and_writes_nothing,
    a_group_that_only_conflicts_leaves_the_audit_lock_free,
    concurrent_writes_at_one_version_let_exactly_one_through,
    a_group_commit_answers_each_commit_for_itself,
    many_writers_at_once_are_grouped_and_each_answered,
    a_load_past_one_statements_parameters_is_written_whole,
    a_commit_waits_for_whoever_holds_the_audit_lock,
    reference_numbers_count_per_key,
);
