//! What the programme's cases commit and disburse on its budget lines: `case_budget`
//! (a row per case and line) and its sums, kept with every write so that neither a
//! decision nor the budget page adds up a million rows: `budget_totals` (by line, country
//! of return and office) and `budget_households` (each household once per assistance type
//! it receives, and once in its country of return, by office). The sums are kept by the
//! month their change was recorded in (`stats::recorded_months`): what a month added,
//! so that the sums as a month ended are those of the months up to it (protected readers
//! read them as the last whole month ended: a plan approved today is not in them). A
//! commit adds its change to its month; a bulk load and a rebuild add each case's rows as
//! each of its months ended (`projection::kept_history`, `kept::KeptSums`): the same sums, which the
//! read-model digest holds them to.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;

use super::prelude::*;

/// Statements of at most this many rows (ten values each).
const SUM_ROWS: usize = 500;

/// The sums of a line in a country and office: programme, assistance type, committed,
/// disbursed, cases, people.
type LineSums = (Uuid, String, i64, i64, i64, i64);

/// Changes to the kept sums, gathered before they are written.
#[derive(Debug, Default)]
pub(crate) struct BudgetSums {
    /// (line, country, office, month, assistance type) -> its sums' change.
    lines: BTreeMap<LineKey, LineSums>,
    /// (programme, kind, key, office, month) -> (households, people) changed.
    households: BTreeMap<HouseholdKey, (i64, i64)>,
}

/// Line, country, office, month and the assistance type its rows were written with.
type LineKey = (Uuid, String, Uuid, NaiveDate, String);

/// Programme, kind ("assistance" or "country"), its key, office and month.
type HouseholdKey = (Uuid, &'static str, String, Uuid, NaiveDate);

impl BudgetSums {
    /// Adds `sign` times `rows` (one or more cases' rows, each case whole) to the sums of
    /// `month`: +1 for rows written, -1 for rows replaced.
    pub(crate) fn add(&mut self, rows: &[&BudgetRow], sign: i64, month: NaiveDate) {
        let mut counted: BTreeSet<(Uuid, &str, &str)> = BTreeSet::new();
        for r in rows {
            let e = self
                .lines
                .entry((
                    r.line_id,
                    r.country_of_return.clone(),
                    r.office,
                    month,
                    r.assistance.clone(),
                ))
                .or_insert_with(|| (r.programme, r.assistance.clone(), 0, 0, 0, 0));
            e.2 += sign * r.committed;
            e.3 += sign * r.disbursed;
            e.4 += sign;
            e.5 += sign * r.people;
            for (kind, key) in [
                ("assistance", r.assistance.as_str()),
                ("country", r.country_of_return.as_str()),
            ] {
                // A household once per type, however many lines of it its plan uses.
                if counted.insert((r.case_id, kind, key)) {
                    let h = self
                        .households
                        .entry((r.programme, kind, key.to_string(), r.office, month))
                        .or_default();
                    h.0 += sign;
                    h.1 += sign * r.people;
                }
            }
        }
    }

    /// Adds `other`'s changes to these.
    pub(crate) fn merge(&mut self, other: BudgetSums) {
        for (key, s) in other.lines {
            let e = self
                .lines
                .entry(key)
                .or_insert_with(|| (s.0, s.1.clone(), 0, 0, 0, 0));
            e.2 += s.2;
            e.3 += s.3;
            e.4 += s.4;
            e.5 += s.5;
        }
        for (key, h) in other.households {
            let e = self.households.entry(key).or_default();
            e.0 += h.0;
            e.1 += h.1;
        }
    }

    /// Writes the changes into the kept sums.
    pub(crate) async fn write(self, tx: &mut sqlx::Transaction<'_, Db>) -> CResult<()> {
        let lines: Vec<_> = self
            .lines
            .into_iter()
            .filter(|(_, s)| s.2 != 0 || s.3 != 0 || s.4 != 0 || s.5 != 0)
            .collect();
        for chunk in lines.chunks(SUM_ROWS) {
            let mut q = QueryBuilder::<Db>::new(
                "INSERT INTO budget_totals (line_id, country_of_return, office, month, \
                 programme, assistance, committed, disbursed, cases, people) ",
            );
            q.push_values(chunk, |mut b, ((line, country, office, month, _), s)| {
                b.push_bind(*line)
                    .push_bind(country.as_str())
                    .push_bind(*office)
                    .push_bind(*month)
                    .push_bind(s.0)
                    .push_bind(s.1.as_str())
                    .push_bind(s.2)
                    .push_bind(s.3)
                    .push_bind(s.4)
                    .push_bind(s.5);
            });
            q.push(
                " ON CONFLICT (line_id, country_of_return, office, month, assistance) DO UPDATE SET \
                 committed = budget_totals.committed + excluded.committed, \
                 disbursed = budget_totals.disbursed + excluded.disbursed, \
                 cases = budget_totals.cases + excluded.cases, \
                 people = budget_totals.people + excluded.people",
            );
            q.build().execute(&mut **tx).await?;
        }
        let households: Vec<_> = self
            .households
            .into_iter()
            .filter(|(_, h)| h.0 != 0 || h.1 != 0)
            .collect();
        for chunk in households.chunks(SUM_ROWS) {
            let mut q = QueryBuilder::<Db>::new(
                "INSERT INTO budget_households (programme, kind, group_key, office, month, \
                 cases, people) ",
            );
            q.push_values(
                chunk,
                |mut b, ((programme, kind, key, office, month), (cases, people))| {
                    b.push_bind(*programme)
                        .push_bind(*kind)
                        .push_bind(key.as_str())
                        .push_bind(*office)
                        .push_bind(*month)
                        .push_bind(*cases)
                        .push_bind(*people);
                },
            );
            q.push(
                " ON CONFLICT (programme, kind, group_key, office, month) DO UPDATE SET \
                 cases = budget_households.cases + excluded.cases, \
                 people = budget_households.people + excluded.people",
            );
            q.build().execute(&mut **tx).await?;
        }
        Ok(())
    }
}

/// `WHERE programme = … [AND office IN (…)] [AND month <= …]`: the sums as the month
/// `as_of` ended (none: as they stand).
fn push_budget_scope(
    q: &mut QueryBuilder<Db>,
    programme: Uuid,
    offices: Option<&[Uuid]>,
    as_of: Option<NaiveDate>,
) {
    q.push(" WHERE programme = ").push_bind(programme);
    if let Some(offices) = offices {
        q.push(" AND office IN (");
        let mut list = q.separated(", ");
        // No office: a list that matches nothing.
        list.push_bind(Uuid::nil());
        for o in offices {
            list.push_bind(*o);
        }
        q.push(")");
    }
    if let Some(month) = as_of {
        q.push(" AND month <= ").push_bind(month);
    }
}

impl Backend {
    /// What the programme's cases other than `case` commit on each of `lines` (lines
    /// nothing commits are left out). Line ids are a programme's own.
    pub async fn committed_elsewhere(
        &self,
        programme: Uuid,
        case: Uuid,
        lines: &[Uuid],
    ) -> CResult<Vec<(Uuid, i64)>> {
        if lines.is_empty() {
            return Ok(vec![]);
        }
        let mut q = QueryBuilder::<Db>::new(
            "SELECT line_id, CAST(SUM(committed) AS BIGINT) FROM budget_totals WHERE programme = ",
        );
        q.push_bind(programme).push(" AND line_id IN (");
        let mut list = q.separated(", ");
        for l in lines {
            list.push_bind(*l);
        }
        q.push(") GROUP BY line_id");
        let mut all: BTreeMap<Uuid, i64> = q
            .build_query_as::<(Uuid, i64)>()
            .fetch_all(self.reader())
            .await?
            .into_iter()
            .collect();
        // Less the case's own (read apart: the sums are kept as one row per line,
        // country and office, the case's rows per case).
        let own: Vec<(Uuid, i64)> =
            sqlx::query_as("SELECT line_id, committed FROM case_budget WHERE case_id = $1")
                .bind(case)
                .fetch_all(self.reader())
                .await?;
        for (line, committed) in own {
            if let Some(c) = all.get_mut(&line) {
                *c -= committed;
            }
        }
        Ok(all.into_iter().filter(|(_, c)| *c != 0).collect())
    }

    /// The programme's budget sums by line, assistance type, country of return and
    /// office; only these offices' cases when given; as the month `as_of` ended when
    /// given.
    pub async fn budget_cells(
        &self,
        programme: Uuid,
        offices: Option<&[Uuid]>,
        as_of: Option<NaiveDate>,
    ) -> CResult<Vec<BudgetCell>> {
        let mut q = QueryBuilder::<Db>::new(
            "SELECT line_id, assistance, country_of_return, office, \
             CAST(SUM(committed) AS BIGINT) AS committed, \
             CAST(SUM(disbursed) AS BIGINT) AS disbursed, CAST(SUM(cases) AS BIGINT) AS cases, \
             CAST(SUM(people) AS BIGINT) AS people FROM budget_totals",
        );
        push_budget_scope(&mut q, programme, offices, as_of);
        // Sums whose rows were all replaced stay, at zero.
        q.push(
            " GROUP BY line_id, assistance, country_of_return, office HAVING SUM(cases) > 0 \
             ORDER BY line_id, country_of_return, office",
        );
        Ok(q.build_query_as().fetch_all(self.reader()).await?)
    }

    /// Households with a plan on the programme's budget, and their members, by assistance
    /// type or by country of return, and office: a household once per group; as the
    /// month `as_of` ended when given.
    pub async fn budget_households(
        &self,
        programme: Uuid,
        offices: Option<&[Uuid]>,
        by: HouseholdsBy,
        as_of: Option<NaiveDate>,
    ) -> CResult<Vec<BudgetHouseholds>> {
        let kind = match by {
            HouseholdsBy::Assistance => "assistance",
            HouseholdsBy::Country => "country",
        };
        let mut q = QueryBuilder::<Db>::new(
            "SELECT group_key AS key, office, CAST(SUM(cases) AS BIGINT) AS cases, \
             CAST(SUM(people) AS BIGINT) AS people FROM budget_households",
        );
        push_budget_scope(&mut q, programme, offices, as_of);
        q.push(" AND kind = ").push_bind(kind);
        q.push(" GROUP BY group_key, office HAVING SUM(cases) > 0 ORDER BY group_key, office");
        Ok(q.build_query_as().fetch_all(self.reader()).await?)
    }
}
