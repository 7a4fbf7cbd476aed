//! The audit chain's writes and reads.

use super::prelude::*;

/// The last entry of the audit chain: its sequence number and hash.
pub(crate) type AuditHead = (i64, String);

/// Read under the audit lock (PostgreSQL) or the single writer (SQLite).
pub(crate) async fn audit_head(tx: &mut sqlx::Transaction<'_, Db>) -> CResult<AuditHead> {
    let last: Option<(i64, String)> =
        sqlx::query_as("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&mut **tx)
            .await?;
    Ok(last.unwrap_or((0, audit_chain::GENESIS.to_string())))
}

pub(crate) async fn insert_audit(
    tx: &mut sqlx::Transaction<'_, Db>,
    draft: &AuditDraft,
) -> CResult<AuditEntry> {
    Backend::lock_audit(tx).await?;
    let head = audit_head(tx).await?;
    write_audit(tx, draft, &head).await
}

pub(crate) async fn write_audit(
    tx: &mut sqlx::Transaction<'_, Db>,
    draft: &AuditDraft,
    (seq, prev): &AuditHead,
) -> CResult<AuditEntry> {
    let e = audit_chain::seal(draft, *seq, prev);
    insert_audit_entries(tx, std::slice::from_ref(&e)).await?;
    Ok(e)
}

pub(crate) async fn insert_audit_entries(
    tx: &mut sqlx::Transaction<'_, Db>,
    entries: &[AuditEntry],
) -> CResult<()> {
    let mut w = Writes::new();
    push_audit_entries(tx, &mut w, entries).await?;
    w.send(tx).await
}

pub(crate) async fn push_audit_entries(
    tx: &mut sqlx::Transaction<'_, Db>,
    w: &mut Writes,
    entries: &[AuditEntry],
) -> CResult<()> {
    for chunk in entries.chunks(ROWS / 8) {
        let q = w.part(tx, chunk.len() * 8).await?;
        q.push("INSERT INTO audit_log (seq, at, actor, action, case_id, detail, prev_hash, hash) ");
        q.push_values(chunk, |mut b, e| {
            b.push_bind(e.seq)
                .push_bind(e.at)
                .push_bind(e.actor)
                .push_bind(&e.action)
                .push_bind(e.case_id)
                .push_bind(&e.detail)
                .push_bind(&e.prev_hash)
                .push_bind(&e.hash);
        });
    }
    Ok(())
}

impl Backend {
    // ---- audit --------------------------------------------------------------------

    pub async fn append_audit(&self, draft: &AuditDraft) -> CResult<AuditEntry> {
        let mut tx = self.begin_write().await?;
        let e = insert_audit(&mut tx, draft).await?;
        tx.commit().await?;
        Ok(e)
    }

    pub async fn list_audit(&self, page: PageRequest) -> CResult<Page<AuditEntry>> {
        let (total,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM audit_log")
            .fetch_one(self.reader())
            .await?;
        let items = sqlx::query_as(
            "SELECT seq, at, actor, action, case_id, detail, prev_hash, hash FROM audit_log \
             ORDER BY seq DESC LIMIT $1 OFFSET $2",
        )
        .bind(i64::from(page.per_page))
        .bind(page.offset())
        .fetch_all(self.reader())
        .await?;
        Ok(Page {
            items,
            total,
            total_exact: true,
        })
    }

    pub async fn audit_chunk(&self, after_seq: i64, limit: i64) -> CResult<Vec<AuditEntry>> {
        Ok(sqlx::query_as(
            "SELECT seq, at, actor, action, case_id, detail, prev_hash, hash FROM audit_log \
             WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(after_seq)
        .bind(limit)
        .fetch_all(self.reader())
        .await?)
    }
}
