//! The survey scores' kept sums (`score_totals`), as the budget's (`budget`): a row per
//! programme, grouping and its group, survey version, band of time since return, the two
//! offices that see the cases and the month the change was recorded in, holding what
//! that month added. The impact report adds up those rows, a few per group and month
//! however many returnees; a protected reader reads them as a settled month ended. A
//! commit adds its change to its month; a bulk load and a rebuild add each case's rows as
//! each of its months ended (`projection::kept_history`): the same sums, which the
//! read-model digest holds them to.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::prelude::*;
use crate::ScoreBy;

/// Statements of at most this many rows (nineteen values each).
const SUM_ROWS: usize = 250;

/// Programme, grouping, survey key, version, band, group, host office, lead office, month.
type ScoreKey = (
    Uuid,
    &'static str,
    String,
    i64,
    i64,
    String,
    Uuid,
    Uuid,
    NaiveDate,
);

/// Returnees, then (scored, sum) of the economic, social, psychosocial and composite
/// scores, then those whose composite reached the threshold.
type ScoreSum = [i64; 10];

/// Changes to the kept score sums, gathered before they are written.
#[derive(Debug, Default)]
pub(crate) struct ScoreSums {
    sums: BTreeMap<ScoreKey, ScoreSum>,
}

impl ScoreSums {
    /// Adds `sign` times `rows` to the sums of `month`, in every grouping: +1 for rows
    /// written, -1 for rows replaced.
    pub(crate) fn add(&mut self, rows: &[ScoreRow], sign: i64, month: NaiveDate) {
        for r in rows {
            let mut parts: ScoreSum = [sign, 0, 0, 0, 0, 0, 0, 0, 0, 0];
            if r.sustainable == Some(true) {
                parts[9] = sign;
            }
            for (k, v) in [r.economic, r.social, r.psychosocial, r.composite]
                .into_iter()
                .enumerate()
            {
                if let Some(v) = v {
                    parts[1 + 2 * k] = sign;
                    parts[2 + 2 * k] = sign * v;
                }
            }
            for (by, grp) in ScoreBy::ALL
                .into_iter()
                .flat_map(|by| by.groups(r).into_iter().map(move |g| (by, g)))
            {
                let e = self
                    .sums
                    .entry((
                        r.programme,
                        by.code(),
                        r.survey_key.clone(),
                        r.survey_version,
                        r.band,
                        grp.to_string(),
                        r.host_office,
                        r.office,
                        month,
                    ))
                    .or_default();
                for (a, b) in e.iter_mut().zip(parts) {
                    *a += b;
                }
            }
        }
    }

    /// Adds `other`'s changes to these.
    pub(crate) fn merge(&mut self, other: ScoreSums) {
        super::kept::merge_sums(&mut self.sums, other.sums);
    }

    /// Writes the changes into the kept sums.
    pub(crate) async fn write(self, tx: &mut sqlx::Transaction<'_, Db>) -> CResult<()> {
        super::kept::write_sums(
            tx,
            "score_totals",
            "programme, kind, survey_key, survey_version, band, grp, host_office, office, month",
            SUM_COLUMNS,
            SUM_ROWS,
            self.sums,
            |b, (p, kind, key, v, band, grp, host, office, month)| {
                b.push_bind(*p)
                    .push_bind(*kind)
                    .push_bind(key.as_str())
                    .push_bind(*v)
                    .push_bind(*band)
                    .push_bind(grp.as_str())
                    .push_bind(*host)
                    .push_bind(*office)
                    .push_bind(*month);
            },
        )
        .await
    }
}

/// The summed columns, in `ScoreSum`'s order.
const SUM_COLUMNS: &str = "returnees, economic_n, economic_sum, social_n, social_sum, \
     psychosocial_n, psychosocial_sum, composite_n, composite_sum, sustainable_n";

/// The kept sums in the order the digest reads them.
pub(crate) const SCORE_TOTALS_DIGEST: &str = "SELECT programme, kind, survey_key, \
     survey_version, band, grp, host_office, office, month, returnees, economic_n, \
     economic_sum, social_n, social_sum, psychosocial_n, psychosocial_sum, composite_n, \
     composite_sum, sustainable_n FROM score_totals WHERE returnees <> 0 OR economic_n <> 0 \
     OR economic_sum <> 0 OR social_n <> 0 OR social_sum <> 0 OR psychosocial_n <> 0 \
     OR psychosocial_sum <> 0 OR composite_n <> 0 OR composite_sum <> 0 OR sustainable_n <> 0 \
     ORDER BY programme, kind, \
     survey_key, survey_version, band, grp, host_office, office, month";

impl Backend {
    /// The programme's survey scores summed by survey, version, band of time since return
    /// and `by`, of the cases `offices` host or lead (all when `None`), as the month
    /// `as_of` ended when given.
    pub async fn score_cells(
        &self,
        programme: Uuid,
        offices: Option<&[Uuid]>,
        by: ScoreBy,
        as_of: Option<NaiveDate>,
    ) -> CResult<Vec<crate::ScoreCell>> {
        let mut q = QueryBuilder::<Db>::new(
            "SELECT survey_key, survey_version, band, grp, \
             CAST(SUM(returnees) AS BIGINT) AS returnees",
        );
        for c in SUM_COLUMNS.split(", ").skip(1) {
            q.push(format!(", CAST(SUM({c}) AS BIGINT) AS {c}"));
        }
        q.push(" FROM score_totals WHERE programme = ")
            .push_bind(programme)
            .push(" AND kind = ")
            .push_bind(by.code());
        super::statistics::push_seen_by(&mut q, offices);
        if let Some(month) = as_of {
            q.push(" AND month <= ").push_bind(month);
        }
        // Sums whose rows were all replaced stay, at zero.
        q.push(
            " GROUP BY survey_key, survey_version, band, grp HAVING SUM(returnees) > 0 \
             ORDER BY survey_key, survey_version, band, grp",
        );
        Ok(q.build_query_as().fetch_all(self.reader()).await?)
    }
}
