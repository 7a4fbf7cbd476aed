//! What was stored stays true: rebuilds equal it, the log and the audit chain cannot be rewritten.

use super::*;

async fn a_rebuild_from_the_log_equals_what_was_stored(db: &TestDb) {
    let mut cases = vec![];
    for i in 0..5 {
        let c = NewCase::register(
            OFFICE_A,
            &format!("A-2026-R{i}"),
            "Awa",
            NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
            &[Vulnerability::MedicalNeeds],
            "SN",
        );
        c.save_all(&db.store).await;
        cases.push(c);
    }
    // Later events of the cases after all their first ones: a case's events are not
    // side by side in the log (PostgreSQL's rebuild reads them in the table's order).
    for (i, c) in cases.iter_mut().enumerate().filter(|(i, _)| i % 2 == 0) {
        let p = person_of(c);
        let new = c.decide(session_cmd(p), now() + Duration::minutes(i as i64));
        db.store.append(c.commit(&new)).await.unwrap();
    }
    let stored = db.store.read_model_snapshot().await.unwrap();
    assert_eq!(stored.0.len(), 5);
    // Damage the read models; the rebuild restores them from the log.
    db.store
        .execute_unchecked("DELETE FROM case_people")
        .await
        .unwrap();
    db.store
        .execute_unchecked("UPDATE case_summaries SET stage = 'closed'")
        .await
        .unwrap();
    let indexes = db.store.read_model_indexes().await.unwrap();
    assert!(indexes.len() >= 10, "{indexes:?}");
    let memory = db.store.writer_memory().await.unwrap();
    let stats = db.store.rebuild_read_models().await.unwrap();
    // The memory the rebuild took is given back.
    assert_eq!(db.store.writer_memory().await.unwrap(), memory);
    assert_eq!(
        stats,
        RebuildStats {
            cases: 5,
            events: 13
        }
    );
    assert_eq!(db.store.read_model_snapshot().await.unwrap(), stored);
    // The indexes dropped for the load are there again, as the migrations made them.
    assert_eq!(db.store.read_model_indexes().await.unwrap(), indexes);
    // A log the rebuild cannot replay: it fails, and changes nothing.
    db.store
        .execute_unchecked(
            "INSERT INTO events (case_id, version, event_type, event_version, payload, actor, \
             occurred_at, recorded_at) SELECT case_id, version + 100, 'nonsense', 1, '{}', \
             actor, occurred_at, recorded_at FROM events WHERE version = 1 LIMIT 1",
        )
        .await
        .unwrap();
    let failed = db.store.rebuild_read_models().await;
    assert!(failed.is_err(), "{failed:?}");
    assert_eq!(db.store.read_model_snapshot().await.unwrap(), stored);
    assert_eq!(db.store.read_model_indexes().await.unwrap(), indexes);
    assert_eq!(db.store.writer_memory().await.unwrap(), memory);
    // The rebuild does not check foreign keys row by row (PostgreSQL drops them and
    // adds them again; SQLite rebuilds on a connection of its own without them): the
    // writer still refuses a search word of no case (a person's id for the case's).
    let orphan = db
        .store
        .execute_unchecked(
            "INSERT INTO person_tokens (token, person_id, case_id) \
             SELECT 'orphan', person_id, person_id FROM case_people LIMIT 1",
        )
        .await;
    assert!(orphan.is_err(), "{orphan:?}");
    // Nor does PostgreSQL keep the primary keys during the load: they are there again,
    // and a row twice is refused.
    for table in ["person_tokens", "case_people", "case_summaries"] {
        let twice = db
            .store
            .execute_unchecked(&format!(
                "INSERT INTO {table} SELECT * FROM {table} LIMIT 1"
            ))
            .await;
        assert!(twice.is_err(), "{table}: {twice:?}");
    }
}

async fn the_event_log_is_append_only(db: &TestDb) {
    let c = NewCase::register(
        OFFICE_A,
        "A-2026-7",
        "Awa",
        NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
        &[],
        "SN",
    );
    c.save_all(&db.store).await;
    assert!(
        db.store
            .execute_unchecked("UPDATE events SET event_type = 'x'")
            .await
            .is_err()
    );
    assert!(
        db.store
            .execute_unchecked("DELETE FROM events")
            .await
            .is_err()
    );
    assert!(
        db.store
            .execute_unchecked("DELETE FROM audit_log")
            .await
            .is_err()
    );
    assert_eq!(db.store.load_events(c.id).await.unwrap(), c.events);
}

async fn the_audit_chain_verifies_and_names_an_altered_entry(db: &TestDb) {
    for i in 0..5 {
        db.store
            .append_audit(&AuditDraft {
                at: now() + Duration::seconds(i),
                actor: Some(ACTOR.0),
                action: format!("test.{i}"),
                case_id: None,
                detail: serde_json::json!({"i": i}),
            })
            .await
            .unwrap();
    }
    assert_eq!(db.store.verify_audit().await.unwrap(), Ok(5));
    let disable = match db.store.backend() {
        "sqlite" => "DROP TRIGGER audit_append_only_update",
        _ => "ALTER TABLE audit_log DISABLE TRIGGER audit_append_only",
    };
    db.store.execute_unchecked(disable).await.unwrap();
    db.store
        .execute_unchecked("UPDATE audit_log SET detail = '{\"i\":99}' WHERE seq = 3")
        .await
        .unwrap();
    let broken = db.store.verify_audit().await.unwrap().unwrap_err();
    assert_eq!(broken.seq, 3);
}

/// A migration that adds a column to a read model is followed by a rebuild, which fills it
/// for the cases stored before: a database upgraded in place needs no manual step. A
/// start that applies nothing rebuilds nothing.
async fn an_upgrade_that_adds_a_read_model_column_fills_it_from_the_log(db: &TestDb) {
    let c = NewCase::register(
        OFFICE_A,
        "A-2026-U1",
        "Awa",
        NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
        &[],
        "SN",
    );
    c.save_all(&db.store).await;
    let stored = db.store.read_model_snapshot().await.unwrap();
    // As it was before migration 0023 (its column and index not there yet), with a row a
    // rebuild would put right.
    for sql in [
        "DROP INDEX case_summaries_plan_work",
        "ALTER TABLE case_summaries DROP COLUMN plan_work",
        "DELETE FROM _sqlx_migrations WHERE version = 23",
        "UPDATE case_summaries SET stage = 'closed'",
    ] {
        db.store.execute_unchecked(sql).await.unwrap();
    }
    db.store.migrate().await.unwrap();
    assert_eq!(db.store.read_model_snapshot().await.unwrap(), stored);
    db.store
        .execute_unchecked("UPDATE case_summaries SET stage = 'closed'")
        .await
        .unwrap();
    db.store.migrate().await.unwrap();
    let (rows, _) = db.store.read_model_snapshot().await.unwrap();
    assert_eq!(
        rows[0].stage.code(),
        "closed",
        "nothing applied, nothing rebuilt"
    );
}

homeward_store::db_tests!(
    an_upgrade_that_adds_a_read_model_column_fills_it_from_the_log,
    a_rebuild_from_the_log_equals_what_was_stored,
    the_event_log_is_append_only,
    the_audit_chain_verifies_and_names_an_altered_entry,
);
