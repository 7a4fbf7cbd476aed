//! The referrals that wait for an answer past their time: the senders' and programme
//! managers' queues.

use super::case_list::push_scope;
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
}
