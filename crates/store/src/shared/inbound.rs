//! Inbound referrals: people outside organisations refer to the programme. Each row keeps
//! the domain's `InboundReferral` whole, as JSON, beside the columns lists use. A decision
//! is written only on a referral still waiting (`take_inbound`): of two counsellors
//! deciding the same referral at once, one does, the other is told it was taken.

use homeward_domain::inbound::{InboundReferral, InboundStatus};

use super::case_list::page_bounds;
use super::prelude::*;
use crate::InboundOf;

fn record_json(r: &InboundReferral) -> CResult<String> {
    serde_json::to_string(r).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn decode(record: &str) -> CResult<InboundReferral> {
    serde_json::from_str(record)
        .map_err(|e| StoreError::Corrupt(format!("an inbound referral does not decode: {e}")))
}

/// Writes a decision (`r` as it stands after it) on a referral still waiting: whether it
/// was waiting. Runs in the caller's transaction: registering a case writes it with the
/// case's first events.
pub(crate) async fn take_inbound(
    tx: &mut sqlx::Transaction<'_, Db>,
    r: &InboundReferral,
) -> CResult<bool> {
    let done = sqlx::query(
        "UPDATE inbound_referrals SET status = $2, decided_at = $3, case_id = $4, record = $5 \
         WHERE id = $1 AND status = $6",
    )
    .bind(r.id.0)
    .bind(r.status.code())
    .bind(r.decided_at)
    .bind(r.case_id.map(|c| c.0))
    .bind(record_json(r)?)
    .bind(InboundStatus::Received.code())
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(done == 1)
}

impl Backend {
    pub async fn create_inbound(&self, r: &InboundReferral) -> CResult<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO inbound_referrals (id, organisation_id, office_id, status, urgent, \
             submitted_at, decided_at, case_id, record) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(r.id.0)
        .bind(r.organisation.0)
        .bind(r.office.0)
        .bind(r.status.code())
        .bind(r.urgent)
        .bind(r.submitted_at)
        .bind(r.decided_at)
        .bind(r.case_id.map(|c| c.0))
        .bind(record_json(r)?)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn inbound(&self, id: Uuid) -> CResult<Option<InboundReferral>> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT record FROM inbound_referrals WHERE id = $1")
                .bind(id)
                .fetch_optional(self.reader())
                .await?;
        row.map(|(r,)| decode(&r)).transpose()
    }

    /// Writes a decision on a referral still waiting; whether it was.
    pub async fn decide_inbound(&self, r: &InboundReferral) -> CResult<bool> {
        let mut tx = self.begin_write().await?;
        let done = take_inbound(&mut tx, r).await?;
        tx.commit().await?;
        Ok(done)
    }

    /// The referrals of `of` in one of `statuses`. Waiting ones urgent first, then oldest
    /// first (the order they are worked in); decided ones latest decided first.
    pub(crate) async fn inbound_list(
        &self,
        of: InboundOf<'_>,
        statuses: &[InboundStatus],
        page: PageRequest,
    ) -> CResult<Page<InboundReferral>> {
        if matches!(of, InboundOf::Offices([])) || statuses.is_empty() {
            return Ok(Page {
                items: vec![],
                total: 0,
                total_exact: true,
            });
        }
        let filter = |q: &mut QueryBuilder<Db>| {
            match of {
                InboundOf::Offices(offices) => {
                    q.push(" WHERE office_id IN (");
                    let mut list = q.separated(", ");
                    for o in offices {
                        list.push_bind(o.0);
                    }
                    list.push_unseparated(")");
                }
                InboundOf::Organisation(org) => {
                    q.push(" WHERE organisation_id = ").push_bind(org.0);
                }
            }
            q.push(" AND status IN (");
            let mut list = q.separated(", ");
            for s in statuses {
                list.push_bind(s.code());
            }
            list.push_unseparated(")");
        };
        let mut q = QueryBuilder::<Db>::new("SELECT record FROM inbound_referrals");
        filter(&mut q);
        if statuses == [InboundStatus::Received] {
            q.push(" ORDER BY urgent DESC, submitted_at, id");
        } else {
            q.push(" ORDER BY COALESCE(decided_at, submitted_at) DESC, id");
        }
        page_bounds(&mut q, page);
        let rows: Vec<(String,)> = q.build_query_as().fetch_all(self.reader()).await?;
        let mut count = QueryBuilder::<Db>::new("SELECT COUNT(*) FROM inbound_referrals");
        filter(&mut count);
        let (total,): (i64,) = count.build_query_as().fetch_one(self.reader()).await?;
        Ok(Page {
            items: rows
                .iter()
                .map(|(r,)| decode(r))
                .collect::<CResult<Vec<_>>>()?,
            total,
            total_exact: true,
        })
    }
}
