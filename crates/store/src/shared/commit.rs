//! The event log and group commit: streams claimed at the version read, events, case
//! rows and audit entries of many commits written in one transaction.

use super::prelude::*;

/// Commits the group-commit writer takes at most in one transaction.
pub(crate) const MAX_GROUP: usize = 32;

/// A commit waiting for the writer, and where its outcome goes.
#[derive(Debug)]
pub(crate) struct Pending {
    commit: Commit,
    reply: tokio::sync::oneshot::Sender<CResult<()>>,
}

/// The group-commit writer's queue; the writer task starts on the first commit.
pub(crate) type GroupQueue =
    std::sync::Arc<std::sync::Mutex<Option<tokio::sync::mpsc::UnboundedSender<Pending>>>>;

/// How a group's transaction failed.
pub(crate) enum Together {
    /// Before `COMMIT`: nothing was written.
    BeforeCommit(StoreError),
    /// At `COMMIT`: unknown whether it took effect.
    AtCommit(StoreError),
}

/// Commits in the writer's transaction, each case's events, read-model rows and audit
/// entry; the outcome of each. A commit's first statement compares-and-sets its stream's
/// version, and one that conflicts writes nothing. The accepted commits' events, case rows
/// and audit entries are then written with one multi-row statement each: a group costs a
/// few round trips to the database more than one commit does, not a few per commit.
pub(crate) async fn write_commits(
    tx: &mut sqlx::Transaction<'_, Db>,
    commits: &[&Commit],
) -> CResult<Vec<CResult<()>>> {
    let (outcomes, accepted, head) = claim_streams(tx, commits).await?;
    let Some(mut head) = head else {
        return Ok(outcomes);
    };
    let events: Vec<(Uuid, &RecordedEvent)> = accepted
        .iter()
        .flat_map(|c| c.events.iter().map(move |e| (c.case_id.0, e)))
        .collect();
    let events = event_binds(&events)?;
    // A case written twice in one group (two commits in a row) keeps its last row.
    let mut rows: Vec<&CaseRow> = vec![];
    for c in accepted.iter().rev() {
        if !rows.iter().any(|r| r.case_id == c.case_row.case_id) {
            rows.push(&c.case_row);
        }
    }
    // A new case's row is inserted whole; the others set what their commits changed.
    let columns = columns_to_update(&accepted);
    let mut entries = Vec::with_capacity(accepted.len());
    for c in &accepted {
        let e = audit_chain::seal(&c.audit, head.0, &head.1);
        head = (e.seq, e.hash.clone());
        entries.push(e);
    }
    // Events, case rows and audit entries in one statement.
    let mut w = Writes::new();
    push_events(tx, &mut w, &events).await?;
    push_case_rows(tx, &mut w, &rows, Some(&columns)).await?;
    push_audit_entries(tx, &mut w, &entries).await?;
    w.send(tx).await?;
    // Only what changed: most commands change the case row alone.
    for c in &accepted {
        if let Some(people) = &c.people {
            replace_people(tx, c.case_id.0, people).await?;
        }
        if let Some(stats) = &c.stats {
            replace_stats(tx, c.case_id.0, stats, &c.kept_before, c.kept_month).await?;
        }
    }
    // The follow-up counts change with the rows and with the stage: the group's together.
    if accepted.iter().any(|c| !c.follow_ups.is_empty()) {
        let mut sums = super::kept::KeptSums::default();
        for c in &accepted {
            sums.add_follow_ups(c.follow_ups.clone(), c.kept_month);
        }
        sums.write(tx).await?;
    }
    // With every commit of the group written: a group that takes a line too far is
    // tried again one commit at a time, so that only the commit that does is refused.
    for c in &accepted {
        for &(line, limit) in &c.budget_limits {
            let (committed,): (i64,) = sqlx::query_as(
                "SELECT CAST(COALESCE(SUM(committed), 0) AS BIGINT) FROM budget_totals \
                 WHERE programme = $1 AND line_id = $2",
            )
            .bind(c.case_row.programme.0)
            .bind(line)
            .fetch_one(&mut **tx)
            .await?;
            if committed > limit {
                return Err(StoreError::OverBudget {
                    line,
                    committed,
                    limit,
                });
            }
        }
    }
    Ok(outcomes)
}

/// What a stream's claim returns beside its own columns: the audit chain's head (its
/// sequence number and hash), read by the same statement (see `claimed_head`).
macro_rules! audit_head_columns {
    () => {
        "(SELECT seq FROM audit_log ORDER BY seq DESC LIMIT 1), \
         (SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1)"
    };
}

/// Claims the streams of a group's commits (see `claim_stream`): the outcome of each, the
/// commits accepted, in order, and the audit chain's head (none when nothing was accepted).
/// The commits of existing cases that appear once in the group are claimed together, in
/// one statement: a group of sixteen cost sixteen round trips before its writes began.
/// A new case, or a case written twice in the group (each commit at the version the
/// one before it sets), is claimed alone, in order.
pub(crate) async fn claim_streams<'c>(
    tx: &mut sqlx::Transaction<'_, Db>,
    commits: &[&'c Commit],
) -> CResult<(Vec<CResult<()>>, Vec<&'c Commit>, Option<AuditHead>)> {
    let together = |c: &Commit| {
        c.expected_version > 0 && commits.iter().filter(|o| o.case_id == c.case_id).count() == 1
    };
    let batch: Vec<&Commit> = commits.iter().copied().filter(|c| together(c)).collect();
    // Nothing is written to the audit log between the claims: each reads the same head.
    let mut head = None;
    let mut claimed = std::collections::HashSet::new();
    if batch.len() > 1 {
        let mut q = QueryBuilder::<Db>::new("UPDATE case_streams SET version = v.column3 FROM (");
        q.push_values(&batch, |mut b, c| {
            b.push_bind(c.case_id.0)
                .push_bind(c.expected_version as i64)
                .push_bind((c.expected_version + c.events.len() as u64) as i64);
        });
        q.push(concat!(
            ") AS v WHERE case_streams.case_id = v.column1 AND case_streams.version = v.column2 \
             RETURNING case_streams.case_id, ",
            audit_head_columns!()
        ));
        let rows: Vec<(Uuid, Option<i64>, Option<String>)> =
            q.build_query_as().fetch_all(&mut **tx).await?;
        for (case_id, seq, hash) in rows {
            claimed.insert(case_id);
            head.get_or_insert(claimed_head(seq, hash));
        }
    }
    let mut outcomes = Vec::with_capacity(commits.len());
    let mut accepted = Vec::with_capacity(commits.len());
    for &c in commits {
        let claim = if batch.len() > 1 && together(c) {
            if claimed.contains(&c.case_id.0) {
                Ok(())
            } else {
                let current = Backend::stream_version(tx, c.case_id).await?;
                Err(StoreError::Conflict { current })
            }
        } else {
            claim_stream(tx, c).await.map(|h| {
                head.get_or_insert(h);
            })
        };
        match claim {
            Ok(()) => {
                accepted.push(c);
                outcomes.push(Ok(()));
            }
            Err(StoreError::Conflict { current }) => {
                outcomes.push(Err(StoreError::Conflict { current }));
            }
            Err(StoreError::Taken(m)) => outcomes.push(Err(StoreError::Taken(m))),
            Err(e) => return Err(e),
        }
    }
    Ok((outcomes, accepted, head))
}

/// The audit chain's head as a claim reads it: the genesis when the log is empty.
pub(crate) fn claimed_head(seq: Option<i64>, hash: Option<String>) -> AuditHead {
    match (seq, hash) {
        (Some(seq), Some(hash)) => (seq, hash),
        _ => (0, audit_chain::GENESIS.to_string()),
    }
}

/// Compares-and-sets the version of a commit's stream (creates it for a new case). The
/// same statement reads the audit chain's head, which the caller's audit lock holds still
/// (see `append_together`).
pub(crate) async fn claim_stream(
    tx: &mut sqlx::Transaction<'_, Db>,
    c: &Commit,
) -> CResult<AuditHead> {
    let new_version = c.expected_version + c.events.len() as u64;
    let created = c
        .events
        .first()
        .map(|e| e.meta.recorded_at)
        .unwrap_or(c.audit.at);
    let claimed: Option<(Option<i64>, Option<String>)> = if c.expected_version == 0 {
        sqlx::query_as(concat!(
            "INSERT INTO case_streams (case_id, version, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (case_id) DO NOTHING RETURNING ",
            audit_head_columns!()
        ))
        .bind(c.case_id.0)
        .bind(new_version as i64)
        .bind(created)
        .fetch_optional(&mut **tx)
        .await?
    } else {
        sqlx::query_as(concat!(
            "UPDATE case_streams SET version = $1 WHERE case_id = $2 AND version = $3 \
             RETURNING ",
            audit_head_columns!()
        ))
        .bind(new_version as i64)
        .bind(c.case_id.0)
        .bind(c.expected_version as i64)
        .fetch_optional(&mut **tx)
        .await?
    };
    let Some((seq, hash)) = claimed else {
        let current = Backend::stream_version(tx, c.case_id).await?;
        return Err(StoreError::Conflict { current });
    };
    // A case registered from an inbound referral takes it, if it still waits; if not,
    // the stream just created goes too and nothing of this commit is written.
    if let Some(inbound) = &c.inbound
        && !super::inbound::take_inbound(tx, inbound).await?
    {
        sqlx::query("DELETE FROM case_streams WHERE case_id = $1")
            .bind(c.case_id.0)
            .execute(&mut **tx)
            .await?;
        return Err(StoreError::Taken(
            "the inbound referral was registered, declined or withdrawn meanwhile".into(),
        ));
    }
    Ok(claimed_head(seq, hash))
}

/// An event as its row is bound: the case, the event, its payload as JSON.
pub(crate) type EventBinds<'e> = (Uuid, &'e RecordedEvent, Box<serde_json::value::RawValue>);

pub(crate) fn event_binds<'e>(
    events: &[(Uuid, &'e RecordedEvent)],
) -> CResult<Vec<EventBinds<'e>>> {
    events
        .iter()
        .map(|&(id, e)| {
            serde_json::value::to_raw_value(&e.event)
                .map(|v| (id, e, v))
                .map_err(|err| StoreError::Corrupt(err.to_string()))
        })
        .collect()
}

/// Events of one or more cases, with multi-row inserts.
pub(crate) async fn insert_events(
    tx: &mut sqlx::Transaction<'_, Db>,
    events: &[(Uuid, &RecordedEvent)],
) -> CResult<()> {
    let events = event_binds(events)?;
    let mut w = Writes::new();
    push_events(tx, &mut w, &events).await?;
    w.send(tx).await
}

pub(crate) async fn push_events(
    tx: &mut sqlx::Transaction<'_, Db>,
    w: &mut Writes,
    events: &[EventBinds<'_>],
) -> CResult<()> {
    for chunk in events.chunks(ROWS) {
        let q = w.part(tx, chunk.len() * 8).await?;
        q.push(
            "INSERT INTO events (case_id, version, event_type, event_version, payload, actor, \
             occurred_at, recorded_at) ",
        );
        q.push_values(chunk, |mut b, (id, e, payload)| {
            b.push_bind(*id)
                .push_bind(e.meta.version as i64)
                .push_bind(e.event.kind())
                .push_bind(i64::from(e.event.schema_version()))
                .push_bind(sqlx::types::Json(payload))
                .push_bind(e.meta.actor.0)
                .push_bind(e.meta.occurred_at)
                .push_bind(e.meta.recorded_at);
        });
    }
    Ok(())
}

impl Backend {
    // ---- events -------------------------------------------------------------------

    /// Appends a commit. Commits are written by one task per store, which takes every commit
    /// waiting when it is free and writes them in one transaction (group commit): under
    /// load, one transaction and one flush to disk serve many commands, which the single
    /// writer (SQLite) or the commit lock (PostgreSQL) would otherwise take one at a time.
    /// A commit is answered only once its transaction has committed. One commit's conflict
    /// does not touch the others: it is found by the first statement, before it writes.
    pub async fn append(&self, c: Commit) -> CResult<()> {
        let (reply, outcome) = tokio::sync::oneshot::channel();
        self.group_queue()
            .send(Pending { commit: c, reply })
            .map_err(|_| StoreError::Unavailable("the writer has stopped".into()))?;
        outcome.await.map_err(|_| {
            StoreError::Unavailable("the writer stopped before the write was done".into())
        })?
    }

    /// The queue of the writer task, started on first use (and again should it have
    /// ended, for instance with the runtime that ran it).
    fn group_queue(&self) -> tokio::sync::mpsc::UnboundedSender<Pending> {
        let mut slot = self
            .group
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match &*slot {
            Some(queue) if !queue.is_closed() => queue.clone(),
            _ => {
                let (queue, waiting) = tokio::sync::mpsc::unbounded_channel();
                // The task holds the pools, not the queue: when the last handle of the
                // store is dropped, the queue closes and the task ends.
                let writer = Backend {
                    group: Default::default(),
                    ..self.clone()
                };
                tokio::spawn(writer.write_groups(waiting));
                *slot = Some(queue.clone());
                queue
            }
        }
    }

    async fn write_groups(self, mut waiting: tokio::sync::mpsc::UnboundedReceiver<Pending>) {
        let mut group = Vec::with_capacity(MAX_GROUP);
        while waiting.recv_many(&mut group, MAX_GROUP).await > 0 {
            let commits: Vec<&Commit> = group.iter().map(|p| &p.commit).collect();
            let outcomes = self.append_group(&commits).await;
            for (p, outcome) in group.drain(..).zip(outcomes) {
                // The caller may have gone (a closed connection): the write stands.
                let _ = p.reply.send(outcome);
            }
        }
    }

    /// Commits in one transaction where possible; the outcome of each, in order.
    #[tracing::instrument(name = "store.group_commit", skip_all, fields(commits = group.len()))]
    pub async fn append_group(&self, group: &[&Commit]) -> Vec<CResult<()>> {
        match self.append_together(group).await {
            Ok(outcomes) => outcomes,
            Err(Together::BeforeCommit(e) | Together::AtCommit(e)) if group.len() == 1 => {
                vec![Err(e)]
            }
            // The database is not there in time (a wait that gave up, a connection lost):
            // no commit of the group is to blame, and trying each alone would make every
            // caller wait that long again, one after the other.
            Err(Together::BeforeCommit(e @ StoreError::Unavailable(_))) => {
                group.iter().map(|_| Err(e.shared())).collect()
            }
            // Nothing of the group was committed: each is tried alone, so that one commit's
            // failure is not the others'.
            Err(Together::BeforeCommit(e)) => {
                tracing::debug!(
                    "a group of {} commits failed ({e}); one by one",
                    group.len()
                );
                let mut outcomes = Vec::with_capacity(group.len());
                for &c in group {
                    outcomes.push(match self.append_together(&[c]).await {
                        Ok(mut one) => one.pop().unwrap_or(Ok(())),
                        Err(Together::BeforeCommit(e) | Together::AtCommit(e)) => Err(e),
                    });
                }
                outcomes
            }
            // The commit itself failed: whether it took effect is unknown, and retrying could
            // write twice. Every commit of the group gets the error.
            Err(Together::AtCommit(e)) => group.iter().map(|_| Err(e.shared())).collect(),
        }
    }

    /// Commits in one transaction; the outcome of each (`Conflict` or done).
    async fn append_together(&self, group: &[&Commit]) -> Result<Vec<CResult<()>>, Together> {
        if group.is_empty() {
            return Ok(vec![]);
        }
        let mut held = self
            .group_connection()
            .await
            .map_err(Together::BeforeCommit)?;
        let written = self.write_together(&mut held, group).await;
        if written.is_err() {
            // The connection may be broken: the next group takes another.
            Backend::release_group_connection(&mut held);
        }
        written
    }

    async fn write_together(
        &self,
        held: &mut <Backend as Dialect>::GroupConnection,
        group: &[&Commit],
    ) -> Result<Vec<CResult<()>>, Together> {
        // The audit lock, before the first event takes its position: positions then commit
        // in order, which the statistics' catch-up (`last_event_position`) relies on.
        let mut tx = self
            .begin_group(held)
            .await
            .map_err(Together::BeforeCommit)?;
        // Every way out ends the transaction on the database before it returns. A dropped
        // transaction only queues its `ROLLBACK` for the connection's next use, and this
        // connection is kept between groups: a group whose commits all conflicted left it
        // idle in its transaction, holding the audit lock, until the next group came, and
        // every audited read (the requests that would bring that group) waited for the
        // lock: the server hung for good (ARCHITECTURE.md, "Waits").
        let outcomes = match write_commits(&mut tx, group).await {
            Ok(outcomes) => outcomes,
            Err(e) => {
                // The caller gives the connection back to its pool, whose test of it
                // ends what this rollback could not.
                let _ = tx.rollback().await;
                return Err(Together::BeforeCommit(e));
            }
        };
        if outcomes.iter().all(Result::is_err) {
            // Nothing was written.
            tx.rollback()
                .await
                .map_err(|e| Together::BeforeCommit(e.into()))?;
            return Ok(outcomes);
        }
        tx.commit()
            .await
            .map_err(|e| Together::AtCommit(e.into()))?;
        Ok(outcomes)
    }

    /// Writes many new cases in one transaction, with multi-row inserts, and one audit
    /// entry for them all; raises each reference sequence to at least the number given.
    /// A stream that already exists fails the whole load.
    #[tracing::instrument(name = "store.bulk_load", skip_all, fields(cases = cases.len()))]
    pub async fn append_new_cases(
        &self,
        cases: &[NewCase],
        references: &[(String, i64)],
        audit: &AuditDraft,
    ) -> CResult<()> {
        let mut tx = self.begin_audited().await?;
        for chunk in cases.chunks(ROWS) {
            let mut q =
                QueryBuilder::<Db>::new("INSERT INTO case_streams (case_id, version, created_at) ");
            q.push_values(chunk, |mut b, c| {
                b.push_bind(c.case_id.0)
                    .push_bind(c.events.len() as i64)
                    .push_bind(
                        c.events
                            .first()
                            .map(|e| e.meta.recorded_at)
                            .unwrap_or(audit.at),
                    );
            });
            q.build().execute(&mut *tx).await?;
        }
        let events: Vec<(Uuid, &RecordedEvent)> = cases
            .iter()
            .flat_map(|c| c.events.iter().map(move |e| (c.case_id.0, e)))
            .collect();
        insert_events(&mut tx, &events).await?;
        let rows: Vec<&CaseRow> = cases.iter().map(|c| &c.case_row).collect();
        let people: Vec<&PersonRow> = cases.iter().flat_map(|c| c.people.iter()).collect();
        let stats: Vec<&StatRows> = cases.iter().map(|c| &c.stats).collect();
        let mut kept = super::kept::KeptSums::default();
        for c in cases.iter() {
            // Its months end as its rows stand (`projection::kept_history`).
            let last = c.history.last().cloned().unwrap_or_default();
            if last.budget != c.stats.budget
                || last.scores != c.stats.scores
                || last.community != c.stats.community
                || last.follow_ups != crate::FollowUpTotals::of(&c.stats, &c.case_row)
            {
                return Err(StoreError::Corrupt(format!(
                    "case {}: its history of kept rows does not end with its rows",
                    c.case_id.0
                )));
            }
            kept.add_history(&c.history);
        }
        insert_read_models(&mut tx, &rows, &people, &stats, kept).await?;
        for (key, last) in references {
            sqlx::query(
                "INSERT INTO reference_sequences (key, last) VALUES ($1, $2) \
                 ON CONFLICT (key) DO UPDATE SET last = CASE \
                 WHEN excluded.last > reference_sequences.last THEN excluded.last \
                 ELSE reference_sequences.last END",
            )
            .bind(key)
            .bind(last)
            .execute(&mut *tx)
            .await?;
        }
        insert_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn stream_version(tx: &mut sqlx::Transaction<'_, Db>, case: CaseId) -> CResult<u64> {
        let v: Option<(i64,)> =
            sqlx::query_as("SELECT version FROM case_streams WHERE case_id = $1")
                .bind(case.0)
                .fetch_optional(&mut **tx)
                .await?;
        Ok(v.map(|(v,)| v as u64).unwrap_or(0))
    }

    pub async fn load_events(&self, case: CaseId) -> CResult<Vec<RecordedEvent>> {
        let rows: Vec<EventRow> = sqlx::query_as(
            "SELECT case_id, version, event_type, event_version, payload, actor, occurred_at, \
             recorded_at FROM events WHERE case_id = $1 ORDER BY version",
        )
        .bind(case.0)
        .fetch_all(self.reader())
        .await?;
        rows.into_iter().map(EventRow::decode).collect()
    }

    pub async fn next_reference_number(&self, key: &str) -> CResult<i64> {
        let mut tx = self.begin_write().await?;
        let (n,): (i64,) = sqlx::query_as(
            "INSERT INTO reference_sequences (key, last) VALUES ($1, 1) \
             ON CONFLICT (key) DO UPDATE SET last = reference_sequences.last + 1 RETURNING last",
        )
        .bind(key)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(n)
    }

    pub async fn count_events(&self) -> CResult<i64> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM events")
            .fetch_one(self.reader())
            .await?;
        Ok(n)
    }

    /// The position of the last event written (0: none). Commits take positions in the
    /// order they commit (SQLite has one writer; PostgreSQL's writers hold the commit lock
    /// from before their first event), so every event up to it is visible.
    pub async fn last_event_position(&self) -> CResult<i64> {
        let (p,): (Option<i64>,) = sqlx::query_as("SELECT MAX(position) FROM events")
            .fetch_one(self.reader())
            .await?;
        Ok(p.unwrap_or(0))
    }

    /// The cases with an event after position `after`, up to and including `upto`.
    pub async fn cases_changed_between(&self, after: i64, upto: i64) -> CResult<Vec<Uuid>> {
        let rows: Vec<(Uuid,)> = sqlx::query_as(
            "SELECT DISTINCT case_id FROM events WHERE position > $1 AND position <= $2",
        )
        .bind(after)
        .bind(upto)
        .fetch_all(self.reader())
        .await?;
        Ok(rows.into_iter().map(|(c,)| c).collect())
    }
}
