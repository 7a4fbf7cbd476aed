//! The follow-ups that wait for work on a day: the monitoring officer's queues.

use super::case_list::{COUNTED, page_bounds, push_scope};
use super::prelude::*;
use homeward_domain::case::monitoring::SlotCount;

impl Backend {
    /// The scheduled follow-ups of open returned cases in scope that wait as `wait` says,
    /// with their cases, soonest due first.
    pub async fn follow_ups_waiting(
        &self,
        scope: &Scope,
        wait: FollowUpWait,
        page: PageRequest,
    ) -> CResult<Page<WaitingFollowUp>> {
        let base = "FROM stat_follow_ups f CROSS JOIN case_summaries cs \
                    WHERE cs.case_id = f.case_id AND f.held_on IS NULL";
        // The stages a follow-up can be recorded in (the domain's catalogue says which).
        let followed_up = homeward_domain::CommandKind::RecordFollowUp.spec().stages;
        let conditions = |q: &mut QueryBuilder<Db>| {
            q.push(" AND cs.stage IN (");
            let mut stages = q.separated(", ");
            for s in followed_up {
                stages.push_bind(s.code());
            }
            q.push(")");
            match wait {
                FollowUpWait::Due { today, until } => {
                    q.push(" AND f.opens_on <= ")
                        .push_bind(until)
                        .push(" AND f.closes_on >= ")
                        .push_bind(today);
                }
                FollowUpWait::Overdue { today } => {
                    q.push(" AND f.closes_on < ")
                        .push_bind(today)
                        .push(" AND (f.missed_from IS NULL OR f.missed_from > ")
                        .push_bind(today)
                        .push(")");
                }
            }
            push_scope(q, scope);
        };
        self.waiting_page(
            base,
            "f.number AS fu_number, f.due_on AS fu_due_on, f.opens_on AS fu_opens_on, \
             f.closes_on AS fu_closes_on",
            "f.due_on, cs.case_id",
            conditions,
            page,
            |case, r| {
                Ok(WaitingFollowUp {
                    case,
                    number: r.try_get("fu_number")?,
                    due_on: r.try_get("fu_due_on")?,
                    opens_on: r.try_get("fu_opens_on")?,
                    closes_on: r.try_get("fu_closes_on")?,
                })
            },
        )
        .await
    }

    /// A page of work items and their cases: `base` (`FROM ... WHERE ...`, the case row
    /// as `cs`) narrowed by `conditions`, with `extra` columns, in `order`, each row made
    /// an item by `item`; counted exactly.
    pub(super) async fn waiting_page<T>(
        &self,
        base: &str,
        extra: &str,
        order: &str,
        conditions: impl Fn(&mut QueryBuilder<Db>),
        page: PageRequest,
        item: impl Fn(CaseRow, &<Db as sqlx::Database>::Row) -> Result<T, sqlx::Error>,
    ) -> CResult<Page<T>> {
        let mut count = QueryBuilder::<Db>::new(format!("SELECT COUNT(*) {base}"));
        conditions(&mut count);
        let cols = CASE_COLUMNS
            .split(", ")
            .map(|c| format!("cs.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let mut q = QueryBuilder::<Db>::new(format!("SELECT {cols}, {extra}{COUNTED} {base}"));
        conditions(&mut q);
        q.push(format!(" ORDER BY {order}"));
        page_bounds(&mut q, page);
        let rows = q.build().fetch_all(self.reader()).await?;
        let total = match rows.first() {
            Some(first) => first.try_get::<i64, _>("found_total")?,
            None => {
                count
                    .build_query_as::<(i64,)>()
                    .fetch_one(self.reader())
                    .await?
                    .0
            }
        };
        let items = rows
            .iter()
            .map(|r| item(<CaseRow as sqlx::FromRow<_>>::from_row(r)?, r))
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
        Ok(Page {
            items,
            total,
            total_exact: true,
        })
    }

    /// The scheduled follow-ups of a programme's returned cases, of the cases `scope`
    /// sees (all when `None`), counted by follow-up of the schedule, where each stands on
    /// `today` (`SlotStatus::of` in SQL; a test holds the two together) and whether its
    /// case is still followed up; and the returned cases with a follow-up to count (held,
    /// or whose window opened while followed up, or closed after it was) and those held.
    pub async fn follow_up_counts(
        &self,
        programme: Uuid,
        scope: Option<&Scope>,
        today: chrono::NaiveDate,
    ) -> CResult<(Vec<FollowUpCount>, i64, i64)> {
        // Whether the case is in a stage a follow-up can be recorded in.
        let followed = |q: &mut QueryBuilder<Db>| {
            q.push("(cs.stage IN (");
            let mut stages = q.separated(", ");
            for st in homeward_domain::CommandKind::RecordFollowUp.spec().stages {
                stages.push_bind(st.code());
            }
            q.push("))");
        };
        let from = |q: &mut QueryBuilder<Db>| {
            q.push(
                " FROM stat_follow_ups f CROSS JOIN case_summaries cs \
                 WHERE cs.case_id = f.case_id AND f.programme = ",
            )
            .push_bind(programme);
            if let Some(scope) = scope {
                push_scope(q, scope);
            }
        };
        // The counts' names are the domain's (`SlotCount::code`), written into the text.
        let name = |c: SlotCount| format!("'{}'", c.code());
        let mut q = QueryBuilder::<Db>::new("SELECT f.number AS number, CASE ");
        q.push(format!(
            "WHEN f.held_on IS NOT NULL AND f.held_on <= f.closes_on THEN {} ",
            name(SlotCount::HeldOnTime)
        ))
        .push(format!(
            "WHEN f.held_on IS NOT NULL THEN {} ",
            name(SlotCount::HeldLate)
        ))
        .push("WHEN f.opens_on > ")
        .push_bind(today)
        .push(format!(
            " THEN {} WHEN f.closes_on >= ",
            name(SlotCount::Upcoming)
        ))
        .push_bind(today)
        .push(format!(
            " THEN {} WHEN f.missed_from IS NOT NULL AND f.missed_from <= ",
            name(SlotCount::Due)
        ))
        .push_bind(today)
        .push(format!(
            " THEN {} ELSE {} END AS status, CAST(CASE WHEN ",
            name(SlotCount::Missed),
            name(SlotCount::Overdue)
        ));
        followed(&mut q);
        q.push(" THEN 1 ELSE 0 END AS BIGINT) AS followed, CAST(COUNT(*) AS BIGINT) AS slots");
        from(&mut q);
        q.push(" GROUP BY 1, 2, 3 ORDER BY 1, 2, 3");
        let counts: Vec<FollowUpCount> = q.build_query_as().fetch_all(self.reader()).await?;
        let mut q = QueryBuilder::<Db>::new(
            "SELECT CAST(COUNT(DISTINCT CASE WHEN f.held_on IS NOT NULL OR (f.opens_on <= ",
        );
        q.push_bind(today).push(" AND ");
        followed(&mut q);
        q.push(") OR (f.closes_on < ")
            .push_bind(today)
            .push(" AND NOT ");
        followed(&mut q);
        q.push(
            ") THEN f.case_id END) AS BIGINT), \
             CAST(COUNT(DISTINCT CASE WHEN f.held_on IS NOT NULL THEN f.case_id END) AS BIGINT)",
        );
        from(&mut q);
        let (to_reach, reached): (i64, i64) = q.build_query_as().fetch_one(self.reader()).await?;
        Ok((counts, to_reach, reached))
    }
}
