//! What the programme's cases commit and disburse on its budget lines (`case_budget`):
//! what other cases commit, read before a plan is decided, and the budget page's sums.

use super::prelude::*;

/// `WHERE programme = … [AND office IN (…)]`.
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
}

impl Backend {
    /// What the cases other than `case` commit on each of `lines` (lines nothing commits
    /// are left out).
    pub async fn committed_elsewhere(
        &self,
        case: Uuid,
        lines: &[Uuid],
    ) -> CResult<Vec<(Uuid, i64)>> {
        if lines.is_empty() {
            return Ok(vec![]);
        }
        let mut q = QueryBuilder::<Db>::new(
            "SELECT line_id, CAST(SUM(committed) AS BIGINT) FROM case_budget WHERE case_id <> ",
        );
        q.push_bind(case).push(" AND line_id IN (");
        let mut list = q.separated(", ");
        for l in lines {
            list.push_bind(*l);
        }
        q.push(") GROUP BY line_id");
        Ok(q.build_query_as().fetch_all(self.reader()).await?)
    }

    /// The programme's budget rows summed by line, assistance type, country of return and
    /// office; only these offices' cases when given.
    pub async fn budget_cells(
        &self,
        programme: Uuid,
        offices: Option<&[Uuid]>,
    ) -> CResult<Vec<BudgetCell>> {
        let mut q = QueryBuilder::<Db>::new(
            "SELECT line_id, assistance, country_of_return, office, \
             CAST(SUM(committed) AS BIGINT) AS committed, \
             CAST(SUM(disbursed) AS BIGINT) AS disbursed, \
             CAST(COUNT(*) AS BIGINT) AS cases, CAST(SUM(people) AS BIGINT) AS people \
             FROM case_budget",
        );
        push_budget_scope(&mut q, programme, offices);
        q.push(" GROUP BY line_id, assistance, country_of_return, office");
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
        // Names written here, never taken from input.
        let key = match by {
            HouseholdsBy::Assistance => "assistance",
            HouseholdsBy::Country => "country_of_return",
        };
        let mut q = QueryBuilder::<Db>::new(format!(
            "SELECT key, office, CAST(COUNT(*) AS BIGINT) AS cases, \
             CAST(SUM(people) AS BIGINT) AS people FROM (\
             SELECT case_id, {key} AS key, office, MAX(people) AS people FROM case_budget"
        ));
        push_budget_scope(&mut q, programme, offices);
        q.push(" GROUP BY case_id, key, office) households GROUP BY key, office");
        Ok(q.build_query_as().fetch_all(self.reader()).await?)
    }
}
