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
    /// Read from the kept counts (`rows::follow_ups`): a few rows per day of the
    /// schedule, office and status, however many cases. With `recorded_until`, as the
    /// month of that day ended: the sums of the changes recorded in it and before
    /// (`follow_up_months`), each row's status read alike.
    pub async fn follow_up_counts(
        &self,
        programme: Uuid,
        scope: Option<&Scope>,
        today: chrono::NaiveDate,
        recorded_until: Option<chrono::NaiveDate>,
    ) -> CResult<(Vec<FollowUpCount>, i64, i64)> {
        let offices: Option<Vec<Uuid>> = scope.map(|s| s.offices.iter().map(|o| o.0).collect());
        let until = recorded_until.map(homeward_domain::stats::first_of_month);
        let from = |q: &mut QueryBuilder<Db>, cases: bool| {
            match until {
                Some(month) => q
                    .push(" FROM follow_up_months WHERE month <= ")
                    .push_bind(month)
                    .push(" AND programme = "),
                None => q.push(" FROM follow_up_totals WHERE programme = "),
            };
            q.push_bind(programme).push(if cases {
                " AND number = 0"
            } else {
                " AND number > 0"
            });
            super::statistics::push_seen_by(q, offices.as_deref());
        };
        // The counts' names are the domain's (`SlotCount::code`), written into the text;
        // a date that does not matter is later than any day (`NEVER`).
        let name = |c: SlotCount| format!("'{}'", c.code());
        let mut q = QueryBuilder::<Db>::new("SELECT number, CASE ");
        q.push(format!(
            "WHEN held = 1 THEN {} WHEN held = 2 THEN {} WHEN opens_on > ",
            name(SlotCount::HeldOnTime),
            name(SlotCount::HeldLate)
        ))
        .push_bind(today)
        .push(format!(
            " THEN {} WHEN closes_on >= ",
            name(SlotCount::Upcoming)
        ))
        .push_bind(today)
        .push(format!(
            " THEN {} WHEN missed_from <= ",
            name(SlotCount::Due)
        ))
        .push_bind(today)
        .push(format!(
            " THEN {} ELSE {} END AS status, followed, CAST(SUM(slots) AS BIGINT) AS slots",
            name(SlotCount::Missed),
            name(SlotCount::Overdue)
        ));
        from(&mut q, false);
        q.push(" GROUP BY 1, 2, 3 HAVING SUM(slots) <> 0 ORDER BY 1, 2, 3");
        let counts: Vec<FollowUpCount> = q.build_query_as().fetch_all(self.reader()).await?;
        let mut q = QueryBuilder::<Db>::new(
            "SELECT CAST(COALESCE(SUM(CASE WHEN held = 1 OR (followed = 1 AND opens_on <= ",
        );
        q.push_bind(today)
            .push(") OR (followed = 0 AND closes_on < ")
            .push_bind(today)
            .push(
                ") THEN slots ELSE 0 END), 0) AS BIGINT), \
                 CAST(COALESCE(SUM(CASE WHEN held = 1 THEN slots ELSE 0 END), 0) AS BIGINT)",
            );
        from(&mut q, true);
        let (to_reach, reached): (i64, i64) = q.build_query_as().fetch_one(self.reader()).await?;
        Ok((counts, to_reach, reached))
    }
}
