//! The read models again from the log; their snapshot and digest.

use chrono::NaiveDate;

use super::prelude::*;

/// The read models: what a rebuild writes again from the log.
pub(crate) const READ_MODEL_TABLES: [&str; 11] = [
    "person_tokens",
    "case_people",
    "case_summaries",
    "stat_returns",
    "stat_taken_up",
    "stat_interruptions",
    "stat_follow_ups",
    "stat_scores",
    "stat_community",
    "case_referrals",
    "case_budget",
];

/// The read-model rows of a batch of cases.
#[derive(Default)]
pub(crate) struct Rebuilt {
    cases: u64,
    events: u64,
    rows: Vec<CaseRow>,
    people: Vec<PersonRow>,
    stats: Vec<StatRows>,
    /// The batch's kept rows as each of their months ended.
    kept: super::kept::KeptSums,
}

/// The events of the next thousand cases after `after` (in case-id order), or `None`
/// once every case has been read.
pub(crate) async fn next_events(
    conn: &mut <Db as sqlx::Database>::Connection,
    after: &mut Option<Uuid>,
) -> CResult<Option<EventBatch>> {
    let mut q = QueryBuilder::<Db>::new("SELECT case_id FROM case_streams");
    if let Some(a) = *after {
        q.push(" WHERE case_id > ").push_bind(a);
    }
    q.push(" ORDER BY case_id LIMIT 1000");
    let ids: Vec<(Uuid,)> = q.build_query_as().fetch_all(&mut *conn).await?;
    let (Some(first), Some(last)) = (ids.first(), ids.last()) else {
        return Ok(None);
    };
    *after = Some(last.0);
    Ok(Some(Backend::batch_events(conn, first.0, last.0).await?))
}

/// Writes the rows of a replayed batch.
pub(crate) async fn write_rebuilt(
    tx: &mut sqlx::Transaction<'_, Db>,
    replayed: tokio::task::JoinHandle<CResult<Rebuilt>>,
    stats: &mut RebuildStats,
    sums: &mut super::kept::KeptSums,
) -> CResult<()> {
    let built = replayed
        .await
        .map_err(|e| StoreError::Corrupt(format!("replaying cases failed: {e}")))??;
    stats.cases += built.cases;
    stats.events += built.events;
    let rows: Vec<&CaseRow> = built.rows.iter().collect();
    let people: Vec<&PersonRow> = built.people.iter().collect();
    let stats: Vec<&StatRows> = built.stats.iter().collect();
    // The kept sums are a few rows per line or group, office and month, however many
    // cases: gathered over every batch, written once at the end.
    sums.merge(built.kept);
    insert_read_models(tx, &rows, &people, &stats, Default::default()).await
}

/// Replays the events of a batch of cases into their rows.
pub(crate) fn replay_batch(batch: EventBatch) -> CResult<Rebuilt> {
    let mut built = Rebuilt::default();
    match batch {
        EventBatch::Joined(cases) => {
            for (id, joined) in cases {
                replay_case(&mut built, id, &decode_joined(id, &joined)?)?;
            }
        }
        EventBatch::Rows(mut rows) => {
            rows.sort_unstable_by_key(|r| (r.case_id, r.version));
            let mut events: Vec<RecordedEvent> = vec![];
            let mut rows = rows.into_iter().peekable();
            while let Some(row) = rows.next() {
                let id = row.case_id;
                events.push(row.decode()?);
                if rows.peek().is_some_and(|next| next.case_id == id) {
                    continue;
                }
                replay_case(&mut built, id, &events)?;
                events.clear();
            }
        }
    }
    Ok(built)
}

/// One case's rows from its events (in version order).
pub(crate) fn replay_case(built: &mut Rebuilt, id: Uuid, events: &[RecordedEvent]) -> CResult<()> {
    let case = homeward_domain::Case::replay(events)
        .map_err(|e| StoreError::Corrupt(format!("case {id}: {e}")))?;
    let updated = events
        .last()
        .map(|e| e.meta.recorded_at)
        .unwrap_or_default();
    let (row, people) = crate::projection::project(&case, updated);
    let stat = crate::projection::stat_rows(&case, events);
    // The follow-up counts too (as they stand: the sum of their months).
    built
        .kept
        .add_history(&crate::projection::kept_history(&case, events));
    built.cases += 1;
    built.events += events.len() as u64;
    built.rows.push(row);
    built.people.extend(people);
    built.stats.push(stat);
    Ok(())
}

impl Backend {
    /// Every read model again from the log, in one transaction that holds the commit
    /// lock (no event is written meanwhile). The tables' secondary indexes are dropped
    /// first and created again once the rows are in (one sorted build each, instead of an
    /// insert into each for every row); their foreign keys are not checked row by row, and
    /// PostgreSQL's primary keys are built last too (`suspend_keys`,
    /// `rebuild_connection`). Three stages overlap: the events of a batch of cases are
    /// read on another connection, the batch before is replayed on a blocking thread, and
    /// the one before that is written. The rebuild has more memory than the server's
    /// usual (`rebuild_memory`), given back when it ends, however it ends.
    #[tracing::instrument(name = "store.rebuild", skip_all)]
    pub async fn rebuild_read_models(&self) -> CResult<RebuildStats> {
        let rebuilt = self.rebuild_read_models_in_one().await;
        let usual = self.usual_memory().await;
        let stats = rebuilt?;
        usual?;
        Ok(stats)
    }

    async fn rebuild_read_models_in_one(&self) -> CResult<RebuildStats> {
        let mut stats = RebuildStats::default();
        let mut sums = super::kept::KeptSums::default();
        // Every connection the rebuild uses is had before it takes the audit lock: while
        // it holds the lock it waits only on its own statements, on work that holds no
        // lock (the replay threads) and on the reading connection already its own, never
        // on a pool the lock's other waiters hold (ARCHITECTURE.md, "Waits").
        let side = match self.side_reader() {
            Some(pool) => Some(pool.acquire().await?),
            None => None,
        };
        let mut conn = self.rebuild_connection().await?;
        let mut tx = Backend::begin_rebuild(&mut conn).await?;
        // It runs long on purpose, and waits for the lock as long as the server holds it.
        Self::unhurried(&mut tx).await?;
        Self::lock_audit(&mut tx).await?;
        Self::rebuild_memory(&mut tx).await?;
        let indexes = Self::secondary_indexes(&mut tx, &READ_MODEL_TABLES).await?;
        for (name, _) in &indexes {
            sqlx::query(sqlx::AssertSqlSafe(format!("DROP INDEX {name}")))
                .execute(&mut *tx)
                .await?;
        }
        let keys = Self::suspend_keys(&mut tx, &READ_MODEL_TABLES).await?;
        Self::empty_tables(&mut tx, &READ_MODEL_TABLES).await?;
        // The kept sums, added again at the end from every batch's.
        Self::empty_tables(
            &mut tx,
            &[
                "budget_totals",
                "budget_households",
                "score_totals",
                "community_totals",
                "follow_up_totals",
                "follow_up_months",
            ],
        )
        .await?;
        match side {
            Some(mut conn) => {
                type Replaying = tokio::task::JoinHandle<CResult<Rebuilt>>;
                let (send, mut batches) = tokio::sync::mpsc::channel::<CResult<Replaying>>(2);
                let reading = tokio::spawn(async move {
                    let mut after = None;
                    loop {
                        let next = match next_events(&mut conn, &mut after).await {
                            Ok(Some(rows)) => {
                                Ok(tokio::task::spawn_blocking(move || replay_batch(rows)))
                            }
                            Ok(None) => break,
                            Err(e) => Err(e),
                        };
                        let failed = next.is_err();
                        // The receiver is gone when the writing failed: stop reading.
                        if send.send(next).await.is_err() || failed {
                            break;
                        }
                    }
                });
                while let Some(batch) = batches.recv().await {
                    write_rebuilt(&mut tx, batch?, &mut stats, &mut sums).await?;
                }
                reading
                    .await
                    .map_err(|e| StoreError::Corrupt(format!("reading events failed: {e}")))?;
            }
            None => {
                // One connection (an in-memory database): read on it between writes.
                let mut after = None;
                while let Some(rows) = next_events(&mut tx, &mut after).await? {
                    let replayed = tokio::task::spawn_blocking(move || replay_batch(rows));
                    write_rebuilt(&mut tx, replayed, &mut stats, &mut sums).await?;
                }
            }
        }
        for statement in indexes.into_iter().map(|(_, create)| create).chain(keys) {
            sqlx::query(sqlx::AssertSqlSafe(statement))
                .execute(&mut *tx)
                .await?;
        }
        sums.write(&mut tx).await?;
        tx.commit().await?;
        Ok(stats)
    }

    pub async fn read_model_indexes(&self) -> CResult<Vec<(String, String)>> {
        let mut conn = self.reader().acquire().await?;
        Self::secondary_indexes(&mut conn, &READ_MODEL_TABLES).await
    }

    /// Whether the people's search words are missing (a database from before migration
    /// 0004 that has people): the read models must then be rebuilt.
    pub async fn search_words_missing(&self) -> CResult<bool> {
        let (people,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM (SELECT 1 FROM case_people LIMIT 1) x")
                .fetch_one(self.reader())
                .await?;
        let (words,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM (SELECT 1 FROM person_tokens LIMIT 1) x")
                .fetch_one(self.reader())
                .await?;
        Ok(people > 0 && words == 0)
    }

    pub async fn read_model_snapshot(&self) -> CResult<(Vec<CaseRow>, Vec<PersonRow>)> {
        let cases = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {CASE_COLUMNS} FROM case_summaries ORDER BY case_id"
        )))
        .fetch_all(self.reader())
        .await?;
        let people = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {PERSON_COLUMNS} FROM case_people ORDER BY case_id, person_id"
        )))
        .fetch_all(self.reader())
        .await?;
        Ok((cases, people))
    }

    /// A digest (SHA-256) of every read model's rows, each table in a stable order: equal
    /// digests, equal read models. The rows are streamed, so that memory stays flat at any
    /// size (a snapshot of a million cases took 2.2 GB to compare).
    pub async fn read_model_digest(&self) -> CResult<[u8; 32]> {
        use sha2::Digest;
        let mut hash = sha2::Sha256::new();
        // One transaction: one snapshot of every table, and no statement limit (at a
        // million cases a table is read for longer than a request's statement may run).
        let mut tx = self.reader().begin().await?;
        Self::unhurried(&mut tx).await?;
        digest_rows::<CaseRow>(
            &mut tx,
            &format!("SELECT {CASE_COLUMNS} FROM case_summaries ORDER BY case_id"),
            &mut hash,
        )
        .await?;
        digest_rows::<PersonRow>(
            &mut tx,
            &format!("SELECT {PERSON_COLUMNS} FROM case_people ORDER BY case_id, person_id"),
            &mut hash,
        )
        .await?;
        digest_rows::<(String, Uuid, Uuid)>(
            &mut tx,
            "SELECT token, person_id, case_id FROM person_tokens ORDER BY token, person_id",
            &mut hash,
        )
        .await?;
        digest_rows::<ReturnRow>(
            &mut tx,
            &format!("SELECT {RETURN_COLUMNS} FROM stat_returns ORDER BY case_id, person_id"),
            &mut hash,
        )
        .await?;
        digest_rows::<ReturnRow>(
            &mut tx,
            &format!(
                "SELECT {RETURN_COLUMNS} FROM stat_taken_up ORDER BY case_id, person_id, departed_on"
            ),
            &mut hash,
        )
        .await?;
        digest_rows::<InterruptionRow>(
            &mut tx,
            &format!("SELECT {INTERRUPTION_COLUMNS} FROM stat_interruptions ORDER BY case_id, seq"),
            &mut hash,
        )
        .await?;
        digest_rows::<FollowUpRow>(
            &mut tx,
            &format!("SELECT {FOLLOW_UP_COLUMNS} FROM stat_follow_ups ORDER BY case_id, number"),
            &mut hash,
        )
        .await?;
        digest_rows::<ScoreRow>(
            &mut tx,
            &format!("SELECT {SCORE_COLUMNS} FROM stat_scores ORDER BY case_id, band"),
            &mut hash,
        )
        .await?;
        digest_rows::<CommunityRow>(
            &mut tx,
            &format!("SELECT {COMMUNITY_COLUMNS} FROM stat_community ORDER BY case_id, item_id"),
            &mut hash,
        )
        .await?;
        digest_rows::<ReferralRow>(
            &mut tx,
            &format!("SELECT {REFERRAL_COLUMNS} FROM case_referrals ORDER BY case_id, referral_id"),
            &mut hash,
        )
        .await?;
        digest_rows::<BudgetRow>(
            &mut tx,
            &format!("SELECT {BUDGET_COLUMNS} FROM case_budget ORDER BY case_id, line_id"),
            &mut hash,
        )
        .await?;
        // The kept sums, as many writes left them: a rebuild counts them again. A sum
        // left at zero by replaced rows is no figure.
        digest_rows::<(Uuid, String, Uuid, NaiveDate, String, i64, i64, i64, i64)>(
            &mut tx,
            "SELECT line_id, country_of_return, office, month, assistance, committed, \
             disbursed, cases, people FROM budget_totals WHERE cases <> 0 OR committed <> 0 \
             OR disbursed <> 0 OR people <> 0 \
             ORDER BY line_id, country_of_return, office, month, assistance",
            &mut hash,
        )
        .await?;
        digest_rows::<(Uuid, String, String, Uuid, NaiveDate, i64, i64)>(
            &mut tx,
            "SELECT programme, kind, group_key, office, month, cases, people FROM \
             budget_households WHERE cases <> 0 OR people <> 0 \
             ORDER BY programme, kind, group_key, office, month",
            &mut hash,
        )
        .await?;
        digest_rows::<crate::rows::ScoreTotal>(
            &mut tx,
            super::scores::SCORE_TOTALS_DIGEST,
            &mut hash,
        )
        .await?;
        digest_rows::<(
            Uuid,
            String,
            Uuid,
            Uuid,
            NaiveDate,
            i64,
            i64,
            i64,
            i64,
            i64,
            i64,
            i64,
        )>(
            &mut tx,
            super::community::COMMUNITY_TOTALS_DIGEST,
            &mut hash,
        )
        .await?;
        digest_rows::<(
            Uuid,
            Uuid,
            Uuid,
            i64,
            NaiveDate,
            NaiveDate,
            NaiveDate,
            i64,
            i64,
            i64,
        )>(&mut tx, super::kept::FOLLOW_UP_TOTALS_DIGEST, &mut hash)
        .await?;
        digest_rows::<(
            Uuid,
            NaiveDate,
            Uuid,
            Uuid,
            i64,
            NaiveDate,
            NaiveDate,
            NaiveDate,
            i64,
            i64,
            i64,
        )>(&mut tx, super::kept::FOLLOW_UP_MONTHS_DIGEST, &mut hash)
        .await?;
        tx.rollback().await?;
        Ok(hash.finalize().into())
    }
}

/// Adds the rows `sql` reads, each as its debug form and a separator, to `hash`, one row
/// in memory at a time. The statement goes first: rows moved between tables differ.
pub(crate) async fn digest_rows<T>(
    tx: &mut sqlx::Transaction<'_, Db>,
    sql: &str,
    hash: &mut sha2::Sha256,
) -> CResult<()>
where
    T: for<'r> sqlx::FromRow<'r, <Db as sqlx::Database>::Row> + std::fmt::Debug + Send + Unpin,
{
    use futures_util::TryStreamExt;
    use sha2::Digest;
    hash.update(sql.as_bytes());
    let mut rows = sqlx::query_as::<_, T>(sqlx::AssertSqlSafe(sql.to_string())).fetch(&mut **tx);
    while let Some(row) = rows.try_next().await? {
        hash.update(format!("{row:?}\u{1e}").as_bytes());
    }
    Ok(())
}
