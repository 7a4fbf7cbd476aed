//! The programme report "impact on beneficiaries" (issue #25, DESIGN.md "Monitoring and
//! evaluation"): returnees' survey scores by dimension and overall, by the follow-up of
//! their schedule they were answered at, per survey version (a score states the version
//! and weights it was computed with), and by country of return, sex or age group.
//!
//! Read by programme managers and M&E officers, exactly, of the cases their offices see.
//! Not yet by readers of protected figures (donors, auditors, administrators): a mean
//! read before and after one returnee's survey tells that returnee's scores, whatever
//! the threshold, and a row that keeps the last survey of a follow-up changes when a
//! later one or a correction is recorded. Protecting it needs figures frozen by when they
//! were recorded, as the budget's are, and closed periods; until then they are refused.

use std::collections::BTreeMap;

use homeward_domain::ids::ProgrammeId;
use homeward_domain::survey::{Dimension, Labels, Permille};
use homeward_store::{ScoreBy, ScoreCell};
use serde::Serialize;

use crate::auth::Principal;
use crate::{App, AppError, Result};

/// A mean score in thousandths and how many scores it averages (none where nobody was
/// scored).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Mean {
    #[cfg_attr(feature = "openapi", schema(value_type = Option<u16>))]
    pub mean: Option<Permille>,
    /// How many returnees' scores it averages.
    pub scored: i64,
}

/// A group's line of a band's table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImpactRow {
    /// The group ("" for the band's total, or when not grouped).
    pub group: String,
    /// Returnees who answered a survey at that follow-up.
    pub returnees: i64,
    pub economic: Mean,
    pub social: Mean,
    pub psychosocial: Mean,
    pub composite: Mean,
}

/// The scores of surveys answered at one follow-up of the schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BandImpact {
    /// The follow-up's months after arrival (0: surveys answered before the first one's
    /// window opened, the baseline).
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
    /// Only the reader's offices' cases count.
    pub own_offices_only: bool,
    pub surveys: Vec<SurveyImpact>,
    pub definitions: Vec<&'static str>,
}

pub const DEFINITIONS: [&str; 3] = [
    "Scores are from 0 (worst) to 1 (best), computed from each returnee's answers with the weights of the survey version they answered; each version is told apart.",
    "Time since return: the follow-up of the returnee's schedule whose time the survey was answered in (from its window's opening until the next one's), by its months after arrival; before the first window opens, the baseline. A returnee counts once at each, with the last survey answered in its time.",
    "A mean averages the returnees scored in that dimension (a dimension whose questions were all left unanswered or did not apply is not scored); the composite only those scored in every weighted dimension.",
];

/// A mean of scores in thousandths, to the nearest thousandth (half up), in integers.
fn mean(n: i64, sum: i64) -> Option<Permille> {
    if n <= 0 {
        return None;
    }
    let rounded = (2 * sum + n) / (2 * n);
    u16::try_from(rounded).ok().and_then(Permille::new)
}

/// Counts and sums of a group: returnees, then (scored, sum) per dimension and the
/// composite.
#[derive(Default, Clone, Copy)]
struct Sums {
    returnees: i64,
    parts: [(i64, i64); 4],
}

impl Sums {
    fn of(c: &ScoreCell) -> Sums {
        Sums {
            returnees: c.returnees,
            parts: [
                (c.economic_n, c.economic_sum),
                (c.social_n, c.social_sum),
                (c.psychosocial_n, c.psychosocial_sum),
                (c.composite_n, c.composite_sum),
            ],
        }
    }

    fn add(&mut self, o: Sums) {
        self.returnees += o.returnees;
        for (a, b) in self.parts.iter_mut().zip(o.parts) {
            a.0 += b.0;
            a.1 += b.1;
        }
    }

    fn row(self, group: String) -> ImpactRow {
        let m = |k: usize| Mean {
            mean: mean(self.parts[k].0, self.parts[k].1),
            scored: self.parts[k].0,
        };
        ImpactRow {
            group,
            returnees: self.returnees,
            economic: m(0),
            social: m(1),
            psychosocial: m(2),
            composite: m(3),
        }
    }
}

/// A band's table from its cells, and their total.
fn band_table(band: u32, cells: &[&ScoreCell]) -> BandImpact {
    let mut total = Sums::default();
    for c in cells {
        total.add(Sums::of(c));
    }
    BandImpact {
        band,
        rows: cells
            .iter()
            .map(|c| Sums::of(c).row(c.grp.clone()))
            .collect(),
        total: total.row(String::new()),
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
        let access = p
            .actor
            .statistics_access()
            .filter(|a| a.exact)
            .ok_or_else(|| {
                AppError::Forbidden(
                    "the impact report is for programme managers and M&E officers: protected figures of survey scores are not published yet"
                        .into(),
                )
            })?;
        // The programme exists.
        self.get_programme(id).await?;
        let offices: Option<Vec<uuid::Uuid>> = access
            .offices
            .as_ref()
            .map(|o| o.iter().map(|o| o.0).collect());
        let cells = self
            .store()
            .score_cells(id.0, offices.as_deref(), by)
            .await?;
        let mut versions: BTreeMap<(String, i64), Vec<&ScoreCell>> = BTreeMap::new();
        for c in &cells {
            versions
                .entry((c.survey_key.clone(), c.survey_version))
                .or_default()
                .push(c);
        }
        let mut surveys: Vec<SurveyImpact> = vec![];
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
                    .map(|(band, cells)| band_table(u32::try_from(band).unwrap_or(0), &cells))
                    .collect(),
            });
        }
        Ok(ImpactReport {
            programme: id,
            by,
            own_offices_only: offices.is_some(),
            surveys,
            definitions: DEFINITIONS.to_vec(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Means are rounded half up in integers; the total sums its groups.
    #[test]
    fn a_band_s_table_sums_its_groups() {
        let cell = |grp: &str, n: i64, sum: i64| ScoreCell {
            survey_key: "rss".into(),
            survey_version: 1,
            band: 3,
            grp: grp.into(),
            returnees: n,
            economic_n: n,
            economic_sum: sum,
            social_n: 0,
            social_sum: 0,
            psychosocial_n: n,
            psychosocial_sum: n * 1000,
            composite_n: n,
            composite_sum: sum,
        };
        let cells = [cell("female", 2, 1001), cell("male", 1, 0)];
        let refs: Vec<&ScoreCell> = cells.iter().collect();
        let t = band_table(3, &refs);
        // 1001 / 2 = 500.5: 501, half up.
        assert_eq!(t.rows[0].economic.mean, Permille::new(501));
        assert_eq!(t.total.returnees, 3);
        // 1001 / 3 = 333.67: 334.
        assert_eq!(t.total.composite.mean, Permille::new(334));
        assert_eq!(t.total.social.mean, None, "nobody scored");
        assert_eq!(t.total.social.scored, 0);
        assert_eq!(mean(3, 1000), Permille::new(333));
        assert_eq!(mean(1, 1000), Some(Permille::ONE));
    }
}
