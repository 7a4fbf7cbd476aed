//! Statistics queries: counts grouped in SQL, and the rows the in-memory cube reads.

use super::prelude::*;

/// The filters of a statistics query; `date` and `office` name the table's columns.
pub(crate) fn push_stat_filter(
    q: &mut QueryBuilder<Db>,
    f: &StatFilter,
    date: &str,
    office: &str,
    country: &str,
) {
    if let Some(d) = f.from {
        q.push(format!(" AND {date} >= ")).push_bind(d);
    }
    if let Some(d) = f.until {
        q.push(format!(" AND {date} <= ")).push_bind(d);
    }
    if let Some(offices) = &f.offices {
        if offices.is_empty() {
            q.push(" AND 1 = 0");
        } else {
            q.push(format!(" AND {office} IN ("));
            let mut sep = q.separated(", ");
            for o in offices {
                sep.push_bind(*o);
            }
            q.push(")");
        }
    }
    if let Some(p) = f.programme {
        q.push(" AND programme = ").push_bind(p);
    }
    if let Some(c) = &f.return_country {
        q.push(format!(" AND {country} = ")).push_bind(c.clone());
    }
}

/// ` AND (host_office IN (…) OR office IN (…))`: the rows of cases that the host office
/// or the office leading them is one of `offices` (`access::can_see`); nothing added when
/// `None` (all offices).
pub(super) fn push_seen_by(q: &mut QueryBuilder<Db>, offices: Option<&[Uuid]>) {
    let Some(offices) = offices else {
        return;
    };
    for (n, column) in ["host_office", "office"].into_iter().enumerate() {
        q.push(if n == 0 { " AND (" } else { " OR " });
        q.push(column).push(" IN (");
        let mut list = q.separated(", ");
        // No office: a list that matches nothing.
        list.push_bind(Uuid::nil());
        for o in offices {
            list.push_bind(*o);
        }
        q.push(")");
    }
    q.push(")");
}

impl Backend {
    pub async fn count_returns(&self, dims: &[Dim], f: &StatFilter) -> CResult<Vec<ReturnCount>> {
        let cols: Vec<&str> = dims.iter().map(|d| d.code()).collect();
        let mut q = QueryBuilder::<Db>::new("SELECT ");
        for d in dims {
            q.push(dim_select(*d));
            q.push(", ");
        }
        // A returnee's months of options taken up are rows of one person (a member's id
        // is new at each registration: one case's, as the cube groups them).
        q.push(match f.taken_up {
            true => "COUNT(DISTINCT person_id) AS people",
            false => "COUNT(*) AS people",
        });
        q.push(", COUNT(DISTINCT case_id) AS cases FROM ");
        q.push(returns_source(f));
        q.push(" WHERE 1 = 1");
        push_stat_filter(&mut q, f, "departed_on", "office", "return_country");
        if let Some(mask) = f.vulnerabilities {
            q.push(" AND (vulnerabilities & ")
                .push_bind(mask)
                .push(") <> 0");
        }
        if let Some(mask) = f.assistance {
            q.push(" AND (assistance & ").push_bind(mask).push(") <> 0");
        }
        if !cols.is_empty() {
            q.push(format!(" GROUP BY {}", cols.join(", ")));
            q.push(format!(" ORDER BY {}", cols.join(", ")));
        }
        let rows = q.build().fetch_all(self.reader()).await?;
        rows.iter()
            .map(|r| {
                // Each column decoded as its type, then written as text.
                let keys = dims
                    .iter()
                    .map(|d| match d {
                        Dim::Year => r.try_get::<i64, _>(d.code()).map(|y| y.to_string()),
                        Dim::Programme | Dim::Office => {
                            r.try_get::<Uuid, _>(d.code()).map(|u| u.to_string())
                        }
                        _ => r.try_get::<String, _>(d.code()),
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(ReturnCount {
                    keys,
                    people: r.try_get("people")?,
                    cases: r.try_get("cases")?,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()
            .map_err(Into::into)
    }

    pub async fn count_interruptions(&self, f: &StatFilter) -> CResult<Vec<InterruptionCount>> {
        let mut q = QueryBuilder::<Db>::new(
            "SELECT kind, year, stage, COUNT(*) FROM stat_interruptions WHERE 1 = 1",
        );
        push_stat_filter(&mut q, f, "occurred_on", "office", "return_country");
        q.push(" GROUP BY kind, year, stage ORDER BY kind, year, stage");
        let rows: Vec<(String, i64, String, i64)> =
            q.build_query_as().fetch_all(self.reader()).await?;
        Ok(rows
            .into_iter()
            .map(|(kind, year, stage, count)| InterruptionCount {
                kind,
                year,
                stage,
                count,
            })
            .collect())
    }

    /// The cases interrupted in the filter's period, each once per kind (a case withdrawn,
    /// re-opened and withdrawn again is one case withdrawn).
    pub async fn count_interrupted_cases(&self, f: &StatFilter) -> CResult<Vec<(String, i64)>> {
        let mut q = QueryBuilder::<Db>::new(
            "SELECT kind, CAST(COUNT(DISTINCT case_id) AS BIGINT) FROM stat_interruptions WHERE 1 = 1",
        );
        push_stat_filter(&mut q, f, "occurred_on", "office", "return_country");
        q.push(" GROUP BY kind ORDER BY kind");
        Ok(q.build_query_as().fetch_all(self.reader()).await?)
    }

    pub async fn count_by_stage(&self, f: &StatFilter) -> CResult<Vec<StageCount>> {
        let mut q = QueryBuilder::<Db>::new(
            "SELECT stage, COUNT(*), CAST(SUM(members) AS BIGINT) FROM case_summaries WHERE 1 = 1",
        );
        let period = StatFilter {
            from: None,
            until: None,
            ..f.clone()
        };
        push_stat_filter(
            &mut q,
            &period,
            "registered_at",
            "host_office",
            "country_of_return",
        );
        q.push(" GROUP BY stage ORDER BY stage");
        let rows: Vec<(String, i64, Option<i64>)> =
            q.build_query_as().fetch_all(self.reader()).await?;
        Ok(rows
            .into_iter()
            .map(|(stage, cases, people)| StageCount {
                stage,
                cases,
                people: people.unwrap_or(0),
            })
            .collect())
    }

    pub async fn for_each_departure(
        &self,
        f: &StatFilter,
        mut each: impl FnMut(DurationRow),
    ) -> CResult<()> {
        let mut q = QueryBuilder::<Db>::new(
            "SELECT departed_at, registered_at, applied_at, country_of_return FROM case_summaries \
             WHERE departed_at IS NOT NULL",
        );
        let period = StatFilter {
            from: None,
            until: None,
            ..f.clone()
        };
        push_stat_filter(
            &mut q,
            &period,
            "departed_at",
            "host_office",
            "country_of_return",
        );
        use futures_util::TryStreamExt;
        let mut rows = q.build_query_as::<DurationRow>().fetch(self.reader());
        while let Some(row) = rows.try_next().await? {
            each(row);
        }
        Ok(())
    }

    /// Rows of these cases from one table, by case (`select` names the columns of `T`).
    async fn rows_of<T>(&self, select: &str, table: &str, cases: &[Uuid]) -> CResult<Vec<T>>
    where
        T: for<'r> sqlx::FromRow<'r, <Db as sqlx::Database>::Row> + Send + Unpin,
    {
        let mut rows = Vec::new();
        for chunk in cases.chunks(ROWS) {
            let mut q =
                QueryBuilder::<Db>::new(format!("SELECT {select} FROM {table} WHERE case_id IN ("));
            let mut sep = q.separated(", ");
            for c in chunk {
                sep.push_bind(*c);
            }
            q.push(") ORDER BY case_id");
            rows.extend(q.build_query_as::<T>().fetch_all(self.reader()).await?);
        }
        Ok(rows)
    }

    /// Every row of a query, one at a time (never all in memory at once).
    async fn for_each_row<T>(&self, sql: String, mut f: impl FnMut(T)) -> CResult<()>
    where
        T: for<'r> sqlx::FromRow<'r, <Db as sqlx::Database>::Row> + Send + Unpin,
    {
        use futures_util::TryStreamExt;
        let mut rows = sqlx::query_as::<_, T>(sqlx::AssertSqlSafe(sql)).fetch(self.reader());
        while let Some(row) = rows.try_next().await? {
            f(row);
        }
        Ok(())
    }

    /// The returns rows of these cases, by case.
    pub async fn return_rows_of(&self, cases: &[Uuid]) -> CResult<Vec<ReturnRow>> {
        let mut rows: Vec<ReturnRow> = self.rows_of(RETURN_COLUMNS, "stat_returns", cases).await?;
        rows.sort_by_key(|r| (r.case_id, r.person_id));
        Ok(rows)
    }

    /// The options taken up of these cases, a row of its returnee's per month
    /// (`StatRows::taken_up`), by case and person.
    pub async fn taken_up_rows_of(&self, cases: &[Uuid]) -> CResult<Vec<ReturnRow>> {
        let mut rows: Vec<ReturnRow> = self.rows_of(RETURN_COLUMNS, "stat_taken_up", cases).await?;
        rows.sort_by_key(|r| (r.case_id, r.person_id, r.departed_on));
        Ok(rows)
    }

    /// Every month of options taken up as its returnee's row, by case and person.
    pub async fn for_each_taken_up_row(&self, f: impl FnMut(ReturnRow)) -> CResult<()> {
        let sql = format!(
            "SELECT {RETURN_COLUMNS} FROM stat_taken_up ORDER BY case_id, person_id, departed_on"
        );
        self.for_each_row(sql, f).await
    }

    /// Every returns row, by case.
    pub async fn for_each_return_row(&self, f: impl FnMut(ReturnRow)) -> CResult<()> {
        let sql = format!("SELECT {RETURN_COLUMNS} FROM stat_returns ORDER BY case_id, person_id");
        self.for_each_row(sql, f).await
    }

    pub async fn pipeline_rows_of(&self, cases: &[Uuid]) -> CResult<Vec<PipelineRow>> {
        self.rows_of(PIPELINE_COLUMNS, "case_summaries", cases)
            .await
    }

    pub async fn for_each_pipeline_row(&self, f: impl FnMut(PipelineRow)) -> CResult<()> {
        let sql = format!("SELECT {PIPELINE_COLUMNS} FROM case_summaries");
        self.for_each_row(sql, f).await
    }

    pub async fn interruption_rows_of(&self, cases: &[Uuid]) -> CResult<Vec<InterruptionRow>> {
        let mut rows: Vec<InterruptionRow> = self
            .rows_of(INTERRUPTION_COLUMNS, "stat_interruptions", cases)
            .await?;
        rows.sort_by_key(|r| (r.case_id, r.seq));
        Ok(rows)
    }

    pub async fn for_each_interruption_row(&self, f: impl FnMut(InterruptionRow)) -> CResult<()> {
        let sql = format!("SELECT {INTERRUPTION_COLUMNS} FROM stat_interruptions");
        self.for_each_row(sql, f).await
    }

    pub async fn stats_snapshot(&self) -> CResult<StatRows> {
        let returns: Vec<ReturnRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {RETURN_COLUMNS} FROM stat_returns ORDER BY case_id, person_id"
        )))
        .fetch_all(self.reader())
        .await?;
        let taken_up: Vec<ReturnRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {RETURN_COLUMNS} FROM stat_taken_up ORDER BY case_id, person_id, departed_on"
        )))
        .fetch_all(self.reader())
        .await?;
        let interruptions: Vec<InterruptionRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {INTERRUPTION_COLUMNS} FROM stat_interruptions ORDER BY case_id, seq"
        )))
        .fetch_all(self.reader())
        .await?;
        let follow_ups: Vec<FollowUpRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {FOLLOW_UP_COLUMNS} FROM stat_follow_ups ORDER BY case_id, number"
        )))
        .fetch_all(self.reader())
        .await?;
        let referrals: Vec<ReferralRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {REFERRAL_COLUMNS} FROM case_referrals ORDER BY case_id, referral_id"
        )))
        .fetch_all(self.reader())
        .await?;
        let budget: Vec<BudgetRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {BUDGET_COLUMNS} FROM case_budget ORDER BY case_id, line_id"
        )))
        .fetch_all(self.reader())
        .await?;
        let scores: Vec<ScoreRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {SCORE_COLUMNS} FROM stat_scores ORDER BY case_id, band"
        )))
        .fetch_all(self.reader())
        .await?;
        let community: Vec<CommunityRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COMMUNITY_COLUMNS} FROM stat_community ORDER BY case_id, item_id"
        )))
        .fetch_all(self.reader())
        .await?;
        Ok(StatRows {
            community,
            returns,
            taken_up,
            interruptions,
            follow_ups,
            referrals,
            budget,
            scores,
        })
    }
}

/// What returns are counted from: the returns, or each month of options taken up as its
/// returnee's row (`StatFilter::taken_up`).
fn returns_source(f: &StatFilter) -> &'static str {
    match f.taken_up {
        true => "stat_taken_up",
        false => "stat_returns",
    }
}

/// What a query selects for a dimension: its column (named by its code), or an expression
/// named as the column (built from constants: safe to put in SQL).
fn dim_select(d: Dim) -> String {
    use homeward_domain::stats::{ADULTS, AgeGroup, CHILDREN};
    match d {
        Dim::Children => {
            let children: Vec<String> = AgeGroup::ALL
                .iter()
                .filter(|a| a.is_child())
                .map(|a| format!("'{}'", a.code()))
                .collect();
            format!(
                "CASE WHEN age_group IN ({}) THEN '{CHILDREN}' WHEN age_group = '' THEN '' \
                 ELSE '{ADULTS}' END AS children",
                children.join(", ")
            )
        }
        Dim::HostIomRegion | Dim::ReturnIomRegion => {
            // IOM's regions are reference data over the countries (ISO codes and slugs:
            // constants, safe to put in SQL).
            let column = if d == Dim::HostIomRegion {
                "host_country"
            } else {
                "return_country"
            };
            let mut by_region: Vec<(&str, Vec<String>)> = vec![];
            for c in homeward_domain::countries::all() {
                if let Some(r) = homeward_domain::countries::iom_region(&c.code) {
                    match by_region.iter_mut().find(|(slug, _)| *slug == r) {
                        Some((_, codes)) => codes.push(format!("'{}'", c.code)),
                        None => by_region.push((r, vec![format!("'{}'", c.code)])),
                    }
                }
            }
            let whens: String = by_region
                .iter()
                .map(|(slug, codes)| {
                    format!(" WHEN {column} IN ({}) THEN '{slug}'", codes.join(", "))
                })
                .collect();
            format!("CASE{whens} ELSE '' END AS {}", d.code())
        }
        d => d.code().to_string(),
    }
}
