//! The programme report "impact on beneficiaries" (issue #25, DESIGN.md "Monitoring and
//! evaluation"): returnees' survey scores by dimension and overall, by time since return,
//! per survey version (a score states the version and weights it was computed with),
//! and by country of return, sex or age group.
//!
//! Read by whoever reads statistics: programme managers and M&E officers exactly, of
//! their offices' cases; donors, auditors and administrators protected. A protected
//! reader reads surveys answered up to the last settled month's end, and in each band's
//! table every column (returnees, and each mean by how many it averages) is covered as
//! money is (`disclosure::cover_money`): a group of fewer than the threshold is hidden,
//! with others until the hidden ones hold the threshold together, since their sum is the
//! total's less the rows shown; the total too when they cannot.

use std::collections::BTreeMap;

use homeward_domain::ids::ProgrammeId;
use homeward_domain::survey::{Dimension, Labels, Permille};
use homeward_store::{ScoreBy, ScoreCell};
use serde::Serialize;

use crate::auth::Principal;
use crate::{App, AppError, Result};

/// A mean score in thousandths and how many scores it averages; `None` where hidden
/// (protected) or where nobody was scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Mean {
    #[cfg_attr(feature = "openapi", schema(value_type = Option<u16>))]
    pub mean: Option<Permille>,
    /// How many returnees' scores it averages; none where hidden.
    pub scored: Option<i64>,
}

/// A group's line of a band's table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImpactRow {
    /// The group ("" for the band's total, or when not grouped).
    pub group: String,
    /// Returnees who answered a survey in the band; none where hidden.
    pub returnees: Option<i64>,
    pub economic: Mean,
    pub social: Mean,
    pub psychosocial: Mean,
    pub composite: Mean,
}

/// The scores of surveys answered in one band of time since return.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BandImpact {
    /// The band's first month since arrival (0: under 3 months; 3, 6, 12, 24).
    pub band: u32,
    pub rows: Vec<ImpactRow>,
    pub total: ImpactRow,
}

/// The scores of one survey version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SurveyImpact {
    pub key: String,
    pub version: u32,
    pub title: Labels,
    /// The weight of each dimension in the composite, as this version says.
    pub weights: BTreeMap<Dimension, u32>,
    pub bands: Vec<BandImpact>,
}

/// The report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImpactReport {
    pub programme: ProgrammeId,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub by: ScoreBy,
    /// Small numbers hidden (a donor's, an auditor's reading).
    pub protected: bool,
    /// Surveys answered up to this day count (a protected reader's: the last settled
    /// month's end); none: all.
    pub as_of: Option<chrono::NaiveDate>,
    /// Only the reader's offices' cases count.
    pub own_offices_only: bool,
    pub surveys: Vec<SurveyImpact>,
    pub definitions: Vec<&'static str>,
}

pub const DEFINITIONS: [&str; 4] = [
    "Scores are from 0 (worst) to 1 (best), computed from each returnee's answers with the weights of the survey version they answered; each version is told apart.",
    "Time since return: whole months from arrival to the follow-up, in bands (under 3 months, 3 to 5, 6 to 11, 12 to 23, 24 and more); a returnee counts once in a band, with the last survey answered in it.",
    "A mean averages the returnees scored in that dimension (a dimension whose questions were all left unanswered or did not apply is not scored); the composite only those scored in every weighted dimension.",
    "Where small numbers are protected, surveys answered up to the end of the last settled month count, and a group of fewer returnees than the threshold is hidden, with others until the hidden ones together hold the threshold.",
];

/// Sums of one column of a band's table, by row (the total apart).
struct Column {
    n: Vec<i64>,
    sum: Vec<i64>,
}

fn mean(n: i64, sum: i64) -> Option<Permille> {
    // Thousandths summed: their mean rounded to the nearest thousandth.
    (n > 0)
        .then(|| Permille::round(sum as f64 / n as f64 / 1000.0))
        .flatten()
}

/// A band's table from its cells: each column covered on its own when protected.
fn band_table(band: u32, cells: &[&ScoreCell], threshold: Option<i64>) -> BandImpact {
    let column = |f: fn(&ScoreCell) -> (i64, i64)| Column {
        n: cells.iter().map(|c| f(c).0).collect(),
        sum: cells.iter().map(|c| f(c).1).collect(),
    };
    let columns = [
        column(|c| (c.returnees, 0)),
        column(|c| (c.economic_n, c.economic_sum)),
        column(|c| (c.social_n, c.social_sum)),
        column(|c| (c.psychosocial_n, c.psychosocial_sum)),
        column(|c| (c.composite_n, c.composite_sum)),
    ];
    // Which rows, and whether the total, each column hides.
    let hidden: Vec<(Vec<bool>, bool)> = columns
        .iter()
        .map(|col| match threshold {
            None => (vec![false; col.n.len()], false),
            Some(t) => {
                let (rows, covered) = homeward_domain::disclosure::cover_money(&col.n, t);
                let total: i64 = col.n.iter().sum();
                (rows, !covered || (1..t).contains(&total))
            }
        })
        .collect();
    let cell = |k: usize, row: Option<usize>| -> (Option<i64>, Option<Permille>) {
        let col = &columns[k];
        let (n, sum, hide) = match row {
            Some(r) => (col.n[r], col.sum[r], hidden[k].0[r]),
            None => (col.n.iter().sum(), col.sum.iter().sum(), hidden[k].1),
        };
        if hide {
            (None, None)
        } else {
            (Some(n), mean(n, sum))
        }
    };
    let line = |row: Option<usize>, group: String| {
        let m = |k| {
            let (scored, mean) = cell(k, row);
            Mean { mean, scored }
        };
        ImpactRow {
            group,
            returnees: cell(0, row).0,
            economic: m(1),
            social: m(2),
            psychosocial: m(3),
            composite: m(4),
        }
    };
    BandImpact {
        band,
        rows: cells
            .iter()
            .enumerate()
            .map(|(r, c)| line(Some(r), c.grp.clone()))
            .collect(),
        total: line(None, String::new()),
    }
}

impl App {
    /// The impact report of a programme, grouped `by`.
    pub async fn impact_report(
        &self,
        p: &Principal,
        id: ProgrammeId,
        by: ScoreBy,
    ) -> Result<ImpactReport> {
        let access = p.actor.statistics_access().ok_or_else(|| {
            AppError::Forbidden(
                "the programme reports are for programme managers, M&E officers, donors and auditors"
                    .into(),
            )
        })?;
        // The programme exists (and the reader may read it).
        self.get_programme(id).await?;
        let offices: Option<Vec<uuid::Uuid>> = access
            .offices
            .as_ref()
            .map(|o| o.iter().map(|o| o.0).collect());
        // Read before and after one follow-up, a mean would tell that returnee's scores.
        let as_of =
            (!access.exact).then(|| homeward_domain::stats::settled_month_end(crate::now()));
        let cells = self
            .store()
            .score_cells(id.0, offices.as_deref(), as_of, by)
            .await?;
        let threshold = (!access.exact).then(|| self.stats_threshold());
        let mut surveys: Vec<SurveyImpact> = vec![];
        let mut versions: BTreeMap<(String, i64), Vec<&ScoreCell>> = BTreeMap::new();
        for c in &cells {
            versions
                .entry((c.survey_key.clone(), c.survey_version))
                .or_default()
                .push(c);
        }
        for ((key, version), cells) in versions {
            let definition = self
                .stored_survey(&key, version)
                .await?
                .ok_or_else(|| AppError::internal(format!("survey {key} version {version}")))?;
            let mut bands: BTreeMap<i64, Vec<&ScoreCell>> = BTreeMap::new();
            for c in cells {
                bands.entry(c.band).or_default().push(c);
            }
            surveys.push(SurveyImpact {
                key,
                version: definition.version,
                title: definition.title.clone(),
                weights: definition.dimension_weights.clone(),
                bands: bands
                    .into_iter()
                    .map(|(band, cells)| {
                        band_table(u32::try_from(band).unwrap_or(0), &cells, threshold)
                    })
                    .collect(),
            });
        }
        Ok(ImpactReport {
            programme: id,
            by,
            protected: !access.exact,
            as_of,
            own_offices_only: offices.is_some(),
            surveys,
            definitions: DEFINITIONS.to_vec(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(grp: &str, returnees: i64, composite: (i64, i64)) -> ScoreCell {
        ScoreCell {
            survey_key: "rss".into(),
            survey_version: 1,
            band: 3,
            grp: grp.into(),
            returnees,
            economic_n: returnees,
            economic_sum: returnees * 500,
            social_n: 0,
            social_sum: 0,
            psychosocial_n: returnees,
            psychosocial_sum: returnees * 1000,
            composite_n: composite.0,
            composite_sum: composite.1,
        }
    }

    /// Exact readers read every mean; a protected reader no group of fewer than the
    /// threshold, nor the smallest other one with it (the total less the rows shown would
    /// give it), nor a mean of fewer scores, column by column.
    #[test]
    fn small_groups_are_covered_column_by_column() {
        let cells = [
            cell("female", 7, (7, 7 * 750)),
            cell("male", 2, (2, 2 * 250)),
            cell("other", 9, (4, 4 * 1000)),
        ];
        let refs: Vec<&ScoreCell> = cells.iter().collect();
        let exact = band_table(3, &refs, None);
        assert_eq!(exact.total.returnees, Some(18));
        assert_eq!(exact.rows[1].composite.mean, Permille::new(250));
        assert_eq!(exact.total.social.mean, None, "nobody scored");
        // (7 * 750 + 2 * 250 + 4 * 1000) / 13 = 750.
        assert_eq!(exact.total.composite.mean, Permille::new(750));
        let protected = band_table(3, &refs, Some(5));
        let returnees: Vec<Option<i64>> = protected.rows.iter().map(|r| r.returnees).collect();
        // "male" (2) hidden, and the smallest other (7) with it: 9 hidden together.
        assert_eq!(returnees, [None, None, Some(9)]);
        assert_eq!(protected.total.returnees, Some(18));
        // Composite: "male" (2) and "other" (4) scored too few; hidden together, 6.
        let composite: Vec<Option<Permille>> =
            protected.rows.iter().map(|r| r.composite.mean).collect();
        assert_eq!(composite, [Permille::new(750), None, None]);
        assert_eq!(protected.total.composite.mean, Permille::new(750));
        // A table of one small group: the total is hidden too.
        let few = [cell("", 3, (3, 3 * 700))];
        let refs: Vec<&ScoreCell> = few.iter().collect();
        let t = band_table(0, &refs, Some(5));
        assert_eq!((t.rows[0].returnees, t.total.returnees), (None, None));
        assert_eq!(t.total.composite.mean, None);
    }
}
