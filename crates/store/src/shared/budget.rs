//! What the programme's cases commit and disburse on its budget lines: `case_budget`
//! (a row per case and line) and its sums, kept with every write so that neither a
//! decision nor the budget page adds up a million rows: `budget_totals` (by line, country
//! of return and office) and `budget_households` (each household once per assistance type
//! it receives, and once in its country of return, by office). A rebuild counts the sums
//! again from `case_budget` (`recount_budget`); the read-model digest holds them to it.

use std::collections::{BTreeMap, BTreeSet};

use super::prelude::*;

/// Statements of at most this many rows (nine values each).
const SUM_ROWS: usize = 500;

/// The sums of a line in a country and office: programme, assistance type, committed,
/// disbursed, cases, people.
type LineSums = (Uuid, String, i64, i64, i64, i64);

/// Adds `sign` times `rows` (one or more cases' rows, each case whole) to the sums: +1 for
/// rows written, -1 for rows replaced.
pub(crate) async fn add_to_sums(
    tx: &mut sqlx::Transaction<'_, Db>,
    rows: &[&BudgetRow],
    sign: i64,
) -> CResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut lines: BTreeMap<(Uuid, &str, Uuid), LineSums> = BTreeMap::new();
    let mut households: BTreeMap<(Uuid, &str, &str, Uuid), (i64, i64)> = BTreeMap::new();
    let mut counted: BTreeSet<(Uuid, &str, &str)> = BTreeSet::new();
    for r in rows {
        let e = lines
            .entry((r.line_id, r.country_of_return.as_str(), r.office))
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
                let h = households
                    .entry((r.programme, kind, key, r.office))
                    .or_default();
                h.0 += sign;
                h.1 += sign * r.people;
            }
        }
    }
    let lines: Vec<_> = lines.into_iter().collect();
    for chunk in lines.chunks(SUM_ROWS) {
        let mut q = QueryBuilder::<Db>::new(
            "INSERT INTO budget_totals (line_id, country_of_return, office, programme, \
             assistance, committed, disbursed, cases, people) ",
        );
        q.push_values(chunk, |mut b, ((line, country, office), s)| {
            b.push_bind(*line)
                .push_bind(*country)
                .push_bind(*office)
                .push_bind(s.0)
                .push_bind(&s.1)
                .push_bind(s.2)
                .push_bind(s.3)
                .push_bind(s.4)
                .push_bind(s.5);
        });
        q.push(
            " ON CONFLICT (line_id, country_of_return, office) DO UPDATE SET \
             committed = budget_totals.committed + excluded.committed, \
             disbursed = budget_totals.disbursed + excluded.disbursed, \
             cases = budget_totals.cases + excluded.cases, \
             people = budget_totals.people + excluded.people",
        );
        q.build().execute(&mut **tx).await?;
    }
    let households: Vec<_> = households.into_iter().collect();
    for chunk in households.chunks(SUM_ROWS) {
        let mut q = QueryBuilder::<Db>::new(
            "INSERT INTO budget_households (programme, kind, group_key, office, cases, people) ",
        );
        q.push_values(
            chunk,
            |mut b, ((programme, kind, key, office), (cases, people))| {
                b.push_bind(*programme)
                    .push_bind(*kind)
                    .push_bind(*key)
                    .push_bind(*office)
                    .push_bind(*cases)
                    .push_bind(*people);
            },
        );
        q.push(
            " ON CONFLICT (programme, kind, group_key, office) DO UPDATE SET \
             cases = budget_households.cases + excluded.cases, \
             people = budget_households.people + excluded.people",
        );
        q.build().execute(&mut **tx).await?;
    }
    Ok(())
}

/// The sums counted again from `case_budget` (a rebuild's last step).
pub(crate) async fn recount_budget(tx: &mut sqlx::Transaction<'_, Db>) -> CResult<()> {
    for statement in [
        "DELETE FROM budget_totals",
        "DELETE FROM budget_households",
        "INSERT INTO budget_totals (line_id, country_of_return, office, programme, assistance, \
         committed, disbursed, cases, people) \
         SELECT line_id, country_of_return, office, programme, assistance, \
         SUM(committed), SUM(disbursed), COUNT(*), SUM(people) FROM case_budget \
         GROUP BY line_id, country_of_return, office, programme, assistance",
        "INSERT INTO budget_households (programme, kind, group_key, office, cases, people) \
         SELECT programme, 'assistance', assistance, office, COUNT(*), SUM(people) FROM \
         (SELECT DISTINCT case_id, programme, assistance, office, people FROM case_budget) h \
         GROUP BY programme, assistance, office",
        "INSERT INTO budget_households (programme, kind, group_key, office, cases, people) \
         SELECT programme, 'country', country_of_return, office, COUNT(*), SUM(people) FROM \
         (SELECT DISTINCT case_id, programme, country_of_return, office, people \
         FROM case_budget) h GROUP BY programme, country_of_return, office",
    ] {
        sqlx::query(statement).execute(&mut **tx).await?;
    }
    Ok(())
}

/// `WHERE programme = … [AND office IN (…)] AND cases > 0`.
fn push_budget_scope(q: &mut QueryBuilder<Db>, programme: Uuid, offices: Option<&[Uuid]>) {
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
    // Sums whose rows were all replaced stay, at zero.
    q.push(" AND cases > 0");
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
    /// office; only these offices' cases when given.
    pub async fn budget_cells(
        &self,
        programme: Uuid,
        offices: Option<&[Uuid]>,
    ) -> CResult<Vec<BudgetCell>> {
        let mut q = QueryBuilder::<Db>::new(
            "SELECT line_id, assistance, country_of_return, office, committed, disbursed, \
             cases, people FROM budget_totals",
        );
        push_budget_scope(&mut q, programme, offices);
        q.push(" ORDER BY line_id, country_of_return, office");
        Ok(q.build_query_as().fetch_all(self.reader()).await?)
    }

    /// Households with a plan on the programme's budget, and their members, by assistance
    /// type or by country of return, and office: a household once per group.
    pub async fn budget_households(
        &self,
        programme: Uuid,
        offices: Option<&[Uuid]>,
        by: HouseholdsBy,
    ) -> CResult<Vec<BudgetHouseholds>> {
        let kind = match by {
            HouseholdsBy::Assistance => "assistance",
            HouseholdsBy::Country => "country",
        };
        let mut q = QueryBuilder::<Db>::new(
            "SELECT group_key AS key, office, cases, people FROM budget_households",
        );
        push_budget_scope(&mut q, programme, offices);
        q.push(" AND kind = ").push_bind(kind);
        q.push(" ORDER BY group_key, office");
        Ok(q.build_query_as().fetch_all(self.reader()).await?)
    }
}
