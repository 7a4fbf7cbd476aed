//! The referrals that wait for an answer past their time: the senders' and programme
//! managers' queues.

use super::case_list::{COUNTED, page_bounds, push_scope};
use super::prelude::*;

impl Backend {
    /// The referrals of cases in scope, not closed, sent and not answered, that wait as
    /// `wait` says, with their cases, longest overdue first.
    pub async fn referrals_waiting(
        &self,
        scope: &Scope,
        wait: ReferralWait,
        page: PageRequest,
    ) -> CResult<Page<WaitingReferral>> {
        let base = "FROM case_referrals r CROSS JOIN case_summaries cs \
                    WHERE cs.case_id = r.case_id AND r.status = 'sent' AND cs.stage <> 'closed'";
        // `ReferralRecord::is_late` in SQL: late the day after the last day.
        let conditions = |q: &mut QueryBuilder<Db>| {
            match wait {
                ReferralWait::Overdue { today } => {
                    q.push(" AND r.answer_due < ").push_bind(today);
                }
                ReferralWait::Escalated { today } => {
                    q.push(" AND r.escalate_on < ").push_bind(today);
                }
            }
            push_scope(q, scope);
        };
        self.waiting_page(
            base,
            "r.referral_id AS rf_referral_id, r.organisation_name AS rf_organisation_name, \
             r.service AS rf_service, r.sent_on AS rf_sent_on, \
             r.answer_due AS rf_answer_due, r.escalate_on AS rf_escalate_on",
            "r.answer_due, r.case_id, r.referral_id",
            conditions,
            page,
            |case, r| {
                Ok(WaitingReferral {
                    case,
                    referral_id: r.try_get("rf_referral_id")?,
                    organisation_name: r.try_get("rf_organisation_name")?,
                    service: r.try_get("rf_service")?,
                    sent_on: r.try_get("rf_sent_on")?,
                    answer_due: r.try_get("rf_answer_due")?,
                    escalate_on: r.try_get("rf_escalate_on")?,
                })
            },
        )
        .await
    }

    /// The referrals addressed to an organisation whose status is one of `statuses`: the
    /// partner's lists. Waiting ones soonest due first, the rest latest sent first. No
    /// case data but its reference.
    pub async fn organisation_referrals(
        &self,
        organisation: OrganisationId,
        statuses: &[&str],
        page: PageRequest,
    ) -> CResult<Page<OrganisationReferral>> {
        let mut q = QueryBuilder::<Db>::new(format!(
            "SELECT r.case_id, r.referral_id, cs.reference, r.service, r.status, r.sent_on, \
             r.answer_due, r.escalate_on{COUNTED} \
             FROM case_referrals r JOIN case_summaries cs ON cs.case_id = r.case_id"
        ));
        let filter = |q: &mut QueryBuilder<Db>| {
            q.push(" WHERE r.organisation_id = ")
                .push_bind(organisation.0)
                .push(" AND r.status IN (");
            let mut list = q.separated(", ");
            for s in statuses {
                list.push_bind(*s);
            }
            list.push_unseparated(")");
        };
        filter(&mut q);
        if statuses.iter().all(|s| *s == "sent") {
            q.push(" ORDER BY r.answer_due, r.case_id, r.referral_id");
        } else {
            q.push(" ORDER BY r.sent_on DESC, r.case_id, r.referral_id");
        }
        page_bounds(&mut q, page);
        let rows = q.build().fetch_all(self.reader()).await?;
        let total = match rows.first() {
            Some(first) => first.try_get::<i64, _>("found_total")?,
            None if page.offset() == 0 => 0,
            None => {
                let mut count = QueryBuilder::<Db>::new("SELECT COUNT(*) FROM case_referrals r");
                filter(&mut count);
                count
                    .build_query_as::<(i64,)>()
                    .fetch_one(self.reader())
                    .await?
                    .0
            }
        };
        let items = rows
            .iter()
            .map(|r| {
                Ok(OrganisationReferral {
                    case_id: r.try_get("case_id")?,
                    referral_id: r.try_get("referral_id")?,
                    case_reference: r.try_get("reference")?,
                    service: r.try_get("service")?,
                    status: r.try_get("status")?,
                    sent_on: r.try_get("sent_on")?,
                    answer_due: r.try_get("answer_due")?,
                    escalate_on: r.try_get("escalate_on")?,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
        Ok(Page {
            items,
            total,
            total_exact: true,
        })
    }

    /// How many referrals addressed to an organisation are in each status, and of those
    /// how many were due before `today` (`ReferralRecord::is_late`).
    pub async fn organisation_referral_counts(
        &self,
        organisation: OrganisationId,
        today: chrono::NaiveDate,
    ) -> CResult<Vec<(String, i64, i64)>> {
        Ok(sqlx::query_as(
            "SELECT status, COUNT(*), SUM(CASE WHEN answer_due < $2 THEN 1 ELSE 0 END) \
             FROM case_referrals WHERE organisation_id = $1 GROUP BY status ORDER BY status",
        )
        .bind(organisation.0)
        .bind(today)
        .fetch_all(self.reader())
        .await?)
    }

    pub async fn create_referral_link(&self, l: &ReferralLink) -> CResult<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO referral_links (id, secret_hash, case_id, referral_id, organisation_id, \
             created_by, created_at, expires_at, used_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(l.id)
        .bind(&l.secret_hash)
        .bind(l.case_id)
        .bind(l.referral_id)
        .bind(l.organisation_id)
        .bind(l.created_by)
        .bind(l.created_at)
        .bind(l.expires_at)
        .bind(l.used_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn referral_link(&self, secret_hash: &str) -> CResult<Option<ReferralLink>> {
        Ok(sqlx::query_as(
            "SELECT id, secret_hash, case_id, referral_id, organisation_id, created_by, \
             created_at, expires_at, used_at FROM referral_links WHERE secret_hash = $1",
        )
        .bind(secret_hash)
        .fetch_optional(self.reader())
        .await?)
    }

    pub async fn use_referral_link(&self, id: Uuid, at: DateTime<Utc>) -> CResult<bool> {
        let mut tx = self.begin_write().await?;
        let done =
            sqlx::query("UPDATE referral_links SET used_at = $2 WHERE id = $1 AND used_at IS NULL")
                .bind(id)
                .bind(at)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        tx.commit().await?;
        Ok(done == 1)
    }

    pub async fn release_referral_link(&self, id: Uuid) -> CResult<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE referral_links SET used_at = NULL WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn withdraw_referral_links(
        &self,
        case_id: Uuid,
        referral_id: Uuid,
        at: DateTime<Utc>,
    ) -> CResult<u64> {
        let mut tx = self.begin_write().await?;
        let n = sqlx::query(
            "UPDATE referral_links SET used_at = $3 \
             WHERE case_id = $1 AND referral_id = $2 AND used_at IS NULL",
        )
        .bind(case_id)
        .bind(referral_id)
        .bind(at)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(n)
    }

    /// Referrals of the offices given, sent within the days given, counted by need,
    /// organisation and outcome, with the days their answers took.
    pub async fn referral_figures(
        &self,
        offices: &[OfficeId],
        since: Option<chrono::NaiveDate>,
        until: Option<chrono::NaiveDate>,
    ) -> CResult<Vec<ReferralFigure>> {
        let mut q = QueryBuilder::<Db>::new(
            "SELECT service, organisation_id, MAX(organisation_name) AS organisation_name, \
             outcome, COUNT(*) AS referrals, COUNT(days_to_answer) AS answered, \
             CAST(COALESCE(SUM(days_to_answer), 0) AS BIGINT) AS answer_days \
             FROM case_referrals WHERE office IN (",
        );
        let mut list = q.separated(", ");
        for o in offices {
            list.push_bind(o.0);
        }
        if offices.is_empty() {
            list.push("NULL");
        }
        list.push_unseparated(")");
        if let Some(d) = since {
            q.push(" AND sent_on >= ").push_bind(d);
        }
        if let Some(d) = until {
            q.push(" AND sent_on <= ").push_bind(d);
        }
        q.push(" GROUP BY service, organisation_id, outcome ORDER BY service, organisation_id, outcome");
        Ok(q.build_query_as::<ReferralFigure>()
            .fetch_all(self.reader())
            .await?)
    }
}
