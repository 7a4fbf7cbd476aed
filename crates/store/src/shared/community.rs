//! The community projects of the report "impact on communities": each project's row
//! (`stat_community`) and their kept sums (`community_totals`), as the budget's and the
//! survey scores' are: a row per programme, country of return, the two offices that see
//! the cases and the month the change was recorded in, holding what that month added
//! (projects, households, committed, delivered, people reached, projects and households
//! that told them). The
//! report adds up those rows; a protected reader reads them as a settled month ended. A
//! commit adds its change to its month; a bulk load and a rebuild add each case's rows as
//! each of its months ended (`projection::kept_history`): the same sums, which the
//! read-model digest holds them to.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;

use super::prelude::*;

/// Statements of at most this many rows (twelve values each).
const SUM_ROWS: usize = 400;

/// Programme, country of return, host office, lead office, month.
type CommunityKey = (Uuid, String, Uuid, Uuid, NaiveDate);

/// Projects, households, committed, delivered, people reached, projects that told them,
/// households with a project that told them.
type CommunitySum = [i64; 7];

/// The summed columns, in `CommunitySum`'s order.
const SUM_COLUMNS: &str = "projects, cases, committed, delivered, people_reached, told, cases_told";

/// The kept sums in the order the digest reads them.
pub(crate) const COMMUNITY_TOTALS_DIGEST: &str = "SELECT programme, return_country, \
     host_office, office, month, projects, cases, committed, delivered, people_reached, told, \
     cases_told FROM community_totals WHERE projects <> 0 OR cases <> 0 OR committed <> 0 \
     OR delivered <> 0 OR people_reached <> 0 OR told <> 0 OR cases_told <> 0 \
     ORDER BY programme, return_country, host_office, office, month";

/// Changes to the kept community sums, gathered before they are written.
#[derive(Debug, Default)]
pub(crate) struct CommunitySums {
    sums: BTreeMap<CommunityKey, CommunitySum>,
}

impl CommunitySums {
    /// Adds `sign` times `rows` (one or more cases' rows, each case whole) to the sums of
    /// `month`: +1 for rows written, -1 for rows replaced. A household counts once
    /// however many projects its plan holds.
    pub(crate) fn add(&mut self, rows: &[CommunityRow], sign: i64, month: NaiveDate) {
        let mut households: BTreeSet<Uuid> = BTreeSet::new();
        let mut told: BTreeSet<Uuid> = BTreeSet::new();
        for r in rows {
            let e = self
                .sums
                .entry((
                    r.programme,
                    r.return_country.clone(),
                    r.host_office,
                    r.office,
                    month,
                ))
                .or_default();
            e[0] += sign;
            if households.insert(r.case_id) {
                e[1] += sign;
            }
            e[2] += sign * r.committed;
            e[3] += sign * r.delivered;
            if let Some(reached) = r.people_reached {
                e[4] += sign * reached;
                e[5] += sign;
                if told.insert(r.case_id) {
                    e[6] += sign;
                }
            }
        }
    }

    /// Adds `other`'s changes to these.
    pub(crate) fn merge(&mut self, other: CommunitySums) {
        super::kept::merge_sums(&mut self.sums, other.sums);
    }

    /// Writes the changes into the kept sums.
    pub(crate) async fn write(self, tx: &mut sqlx::Transaction<'_, Db>) -> CResult<()> {
        super::kept::write_sums(
            tx,
            "community_totals",
            "programme, return_country, host_office, office, month",
            SUM_COLUMNS,
            SUM_ROWS,
            self.sums,
            |b, (p, country, host, office, month)| {
                b.push_bind(*p)
                    .push_bind(country.as_str())
                    .push_bind(*host)
                    .push_bind(*office)
                    .push_bind(*month);
            },
        )
        .await
    }
}

impl Backend {
    /// A programme's community projects by country of return, of the cases `offices`
    /// host or lead (all when `None`), from the kept sums: as the month `as_of` ended
    /// when given, as they stand otherwise.
    pub async fn community_cells(
        &self,
        programme: Uuid,
        offices: Option<&[Uuid]>,
        as_of: Option<NaiveDate>,
    ) -> CResult<Vec<CommunityCell>> {
        let mut q = QueryBuilder::<Db>::new("SELECT return_country");
        for c in SUM_COLUMNS.split(", ") {
            q.push(format!(", CAST(SUM({c}) AS BIGINT) AS {c}"));
        }
        q.push(" FROM community_totals WHERE programme = ")
            .push_bind(programme);
        super::statistics::push_seen_by(&mut q, offices);
        if let Some(month) = as_of {
            q.push(" AND month <= ").push_bind(month);
        }
        // Sums whose rows were all replaced stay, at zero.
        q.push(
            " GROUP BY return_country HAVING SUM(projects) > 0 OR SUM(cases) > 0 \
             ORDER BY return_country",
        );
        Ok(q.build_query_as().fetch_all(self.reader()).await?)
    }
}
