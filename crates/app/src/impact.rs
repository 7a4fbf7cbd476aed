//! The programme report "impact on beneficiaries" (issue #25, DESIGN.md "Monitoring and
//! evaluation"): returnees' survey scores by dimension and overall, by the follow-up of
//! their schedule they were answered at, per survey version (a score states the version
//! and weights it was computed with), and by country of return, sex, age group,
//! vulnerability or assistance received; and the share of returnees whose composite
//! reaches the threshold of sustainability their version sets (`ScoreCard::sustainable`).
//!
//! By vulnerability (or assistance), a returnee counts in a row per vulnerability they
//! have, once in `any`, or in `none`: `any` and `none` make the total, and the rows of
//! each vulnerability are protected as if they made `any` (where nobody has two, they
//! do).
//!
//! Read by whoever reads the statistics (`access::statistics_access`), of the cases their
//! offices see. Summed from the kept sums (`score_totals`, by the month each change was
//! recorded in). A protected reader (a donor, an auditor, an administrator) reads the surveys as the last
//! settled month ended (`stats::settled_month_end`): read before and after one returnee's
//! survey is recorded, means as they stand would tell that returnee's scores. In each
//! band's table, a group of fewer returnees than the statistics' threshold is hidden
//! whole (its count and its means), and so is a group with fewer scored in a dimension
//! or the composite; the smallest others are hidden with them until the hidden rows of
//! every column hold the threshold together (a hidden row's sum is the total's less the
//! shown rows': `disclosure::cover_money_with`), or that column's total is hidden too.
//!
//! Not protected: two readings a month apart tell what that month's surveys changed
//! (where one returnee's survey was a group's only change in a month, close to their
//! scores, as the budget's months tell one plan); the groupings of one band (by
//! country, by sex, by age group) are protected each alone, not against each other; and
//! scores are bounded, so a hidden set whose mean works out at 0 or 1 tells each of its
//! returnees' (the cover was made for money, which is not), as a group's share
//! sustainable of 0 or 100 % tells each of them whether they reached the threshold (a
//! share of fewer than the threshold either way is hidden, with its cover).
//! By each vulnerability or assistance type, a returnee counts under the assistance they
//! had received as the month read ended (the kept sums move a survey's row when a
//! delivery is recorded), not as they had when they answered.

use std::collections::BTreeMap;

use homeward_domain::ids::ProgrammeId;
use homeward_domain::survey::{Dimension, Labels, Permille};
use homeward_store::{SCORE_ANY, SCORE_NONE, ScoreBy, ScoreCell};
use serde::Serialize;

use crate::auth::Principal;
use crate::{App, AppError, Result};

/// A mean score in thousandths and how many scores it averages (none where nobody was
/// scored).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Mean {
    /// In thousandths; `null` where nobody was scored, or hidden from a protected reader.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<u16>))]
    pub mean: Option<Permille>,
    /// How many returnees' scores it averages; `null` when hidden.
    pub scored: Option<i64>,
}

/// A group's line of a band's table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImpactRow {
    /// The group ("" for the band's total, or when not grouped).
    pub group: String,
    /// Returnees who answered a survey at that follow-up; `null` when hidden.
    pub returnees: Option<i64>,
    pub economic: Mean,
    pub social: Mean,
    pub psychosocial: Mean,
    pub composite: Mean,
    /// The share of those scored in the composite whose composite reached the version's
    /// threshold (`SurveyImpact::threshold`); `null` without a threshold, or when hidden.
    pub sustainable: Share,
}

/// A share of returnees, in thousandths, and how many it counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Share {
    /// In thousandths of those scored in the composite; `null` where nobody was, without
    /// a threshold, or when hidden.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<u16>))]
    pub share: Option<Permille>,
    /// How many reached it; `null` without a threshold, or when hidden.
    pub count: Option<i64>,
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
    /// The composite at or above which the programme counts reintegration as
    /// sustainable, as this version says; none: no share is reported.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<u16>))]
    pub threshold: Option<Permille>,
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
    /// Small groups are hidden (a protected reader).
    pub protected: bool,
    /// A protected reader's surveys are those recorded up to the end of this day (the
    /// last day of the last settled month); none: as they stand.
    pub as_of: Option<chrono::NaiveDate>,
    pub surveys: Vec<SurveyImpact>,
    pub definitions: Vec<&'static str>,
}

pub const DEFINITIONS: [&str; 5] = [
    "Scores are from 0 (worst) to 1 (best), computed from each returnee's answers with the weights of the survey version they answered; each version is told apart.",
    "Time since return: the follow-up of the returnee's schedule whose time the survey was answered in (from its window's opening until the next one's), by its months after arrival; before the first window opens, the baseline. A returnee counts once at each, with the last survey answered in its time.",
    "A mean averages the returnees scored in that dimension (a dimension whose questions were all left unanswered or did not apply is not scored); the composite only those scored in every weighted dimension.",
    "Where small numbers are protected, the surveys are those recorded up to the end of the last month whose recording is settled, a day after it ended (as_of); a group of fewer returnees than the threshold is hidden whole, and so is a group with fewer scored in a dimension or the composite, with the smallest others until the hidden ones hold the threshold together, or the total too.",
    "Sustainable: the share of those scored in the composite whose composite is at or above the threshold the survey version sets (the programme sets it from its own guidance; a version without one reports no share). By vulnerability or assistance received, a returnee counts in a row for each they have, once in any, or in none; assistance received is all they had received as the month read ended, after their survey too.",
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
    /// Those whose composite reached the threshold.
    sustainable: i64,
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
            sustainable: c.sustainable_n,
        }
    }

    fn add(&mut self, o: Sums) {
        self.returnees += o.returnees;
        self.sustainable += o.sustainable;
        for (a, b) in self.parts.iter_mut().zip(o.parts) {
            a.0 += b.0;
            a.1 += b.1;
        }
    }

    /// The row, with what `hidden` says hidden: its count (`hidden[0]`), each
    /// dimension's mean and count (`hidden[1..5]`; the composite's hides the share
    /// sustainable too), the share sustainable (`hidden[5]`), given only with a
    /// `threshold`.
    fn row(self, group: String, hidden: [bool; 6], threshold: bool) -> ImpactRow {
        let m = |k: usize| match hidden[0] || hidden[k + 1] {
            true => Mean {
                mean: None,
                scored: None,
            },
            false => Mean {
                mean: mean(self.parts[k].0, self.parts[k].1),
                scored: Some(self.parts[k].0),
            },
        };
        ImpactRow {
            group,
            returnees: (!hidden[0]).then_some(self.returnees),
            economic: m(0),
            social: m(1),
            psychosocial: m(2),
            composite: m(3),
            sustainable: match threshold && !hidden[0] && !hidden[4] && !hidden[5] {
                true => Share {
                    share: mean(self.parts[3].0, self.sustainable * 1000),
                    count: Some(self.sustainable),
                },
                false => Share {
                    share: None,
                    count: None,
                },
            },
        }
    }
}

/// A band's table from its cells, and their total; a protected reader's (`threshold`
/// above 1) with its small groups and means hidden, and their cover (see the module).
/// `by_each`: the cells are each attribute's, `any`'s and `none`'s (`ScoreBy::groups`).
fn band_table(
    band: u32,
    cells: &[&ScoreCell],
    threshold: i64,
    by_each: bool,
    sustainable: bool,
) -> BandImpact {
    let sums: Vec<Sums> = cells.iter().map(|c| Sums::of(c)).collect();
    // The cells that make the total, and those that make `any` (none when grouped
    // otherwise): all cells make the total then.
    let (whole, parts): (Vec<usize>, Vec<usize>) = match by_each {
        false => ((0..cells.len()).collect(), vec![]),
        true => (0..cells.len())
            .partition(|&n| [SCORE_ANY, SCORE_NONE].contains(&cells[n].grp.as_str())),
    };
    let any = whole.iter().copied().find(|&n| cells[n].grp == SCORE_ANY);
    let mut total = Sums::default();
    for &n in &whole {
        total.add(sums[n]);
    }
    // What each row is protected by: its returnees, those scored in each dimension and
    // the composite, and where the version judges sustainability, those at or above the
    // threshold and those below it (a share of a few would tell each one's).
    let columns = |rows: &[usize]| -> Vec<Vec<i64>> {
        let mut columns: Vec<Vec<i64>> =
            std::iter::once(rows.iter().map(|&n| sums[n].returnees).collect())
                .chain((0..4).map(|k| rows.iter().map(|&n| sums[n].parts[k].0).collect()))
                .collect();
        if sustainable {
            columns.push(rows.iter().map(|&n| sums[n].sustainable).collect());
            columns.push(
                rows.iter()
                    .map(|&n| sums[n].parts[3].0 - sums[n].sustainable)
                    .collect(),
            );
        }
        columns
    };
    let mut hidden = vec![false; cells.len()];
    // The rows that make the total: the groups, or `any` and `none`.
    let (whole_hidden, shown) = hide_rows(&columns(&whole), &[], threshold);
    for (&n, h) in whole.iter().zip(whole_hidden) {
        hidden[n] = h;
    }
    // Each attribute's rows, protected as if they made `any` (where nobody has two, they
    // do). Where `any` is hidden, all of them are: rows of no one are left out, so the
    // rows shown could make up `any`, and the total less them `none`.
    let any_hidden = any.is_some_and(|n| hidden[n]);
    let (part_hidden, _) = hide_rows(&columns(&parts), &vec![any_hidden; parts.len()], threshold);
    for (&n, h) in parts.iter().zip(part_hidden) {
        hidden[n] = h;
    }
    let column_shown = |k: usize| shown.get(k).copied().unwrap_or(true);
    let total_hidden = [
        !column_shown(0),
        !column_shown(1),
        !column_shown(2),
        !column_shown(3),
        !column_shown(4),
        !column_shown(5) || !column_shown(6),
    ];
    BandImpact {
        band,
        rows: cells
            .iter()
            .zip(&sums)
            .zip(hidden)
            .map(|((c, s), h)| s.row(c.grp.clone(), [h; 6], sustainable))
            .collect(),
        total: total.row(String::new(), total_hidden, sustainable),
    }
}

/// Which rows of a table to hide whole, given each column's counts (returnees, then the
/// scored of each dimension and the composite), and whether each column's total may be
/// shown. One pattern for every column: a row small in any column is hidden in all, and
/// each column's hidden rows hold the threshold together (`disclosure::cover_money_with`,
/// column after column until none hides more). Hidden column by column, a mean hidden in
/// one column would follow from the composite and the others shown beside it, as the
/// composite is the weighted mean of the dimensions with the weights published.
fn hide_rows(columns: &[Vec<i64>], forced: &[bool], threshold: i64) -> (Vec<bool>, Vec<bool>) {
    use homeward_domain::disclosure::cover_money_with;
    let rows = columns.first().map_or(0, Vec::len);
    let mut hidden: Vec<bool> = (0..rows)
        .map(|n| threshold > 1 && forced.get(n).copied().unwrap_or(false))
        .collect();
    let mut shown = vec![true; columns.len()];
    loop {
        let before = hidden.clone();
        for (k, column) in columns.iter().enumerate() {
            let (h, ok) = cover_money_with(column, &hidden, threshold);
            hidden = h;
            shown[k] = ok;
        }
        if hidden == before {
            return (hidden, shown);
        }
    }
}

impl App {
    /// The impact report of a programme, grouped `by`: a protected reader's as the last
    /// settled month ended (`stats::settled_month_end`).
    pub async fn impact_report(
        &self,
        p: &Principal,
        id: ProgrammeId,
        by: ScoreBy,
    ) -> Result<ImpactReport> {
        let last = homeward_domain::stats::settled_month_end(crate::now());
        self.impact_report_until(p, id, by, last).await
    }

    /// `impact_report`, with a protected reader's surveys as the month of `until` ended.
    /// The interfaces call `impact_report`; this is for tests (which write nothing in past
    /// months) and reports of a closed period.
    pub async fn impact_report_until(
        &self,
        p: &Principal,
        id: ProgrammeId,
        by: ScoreBy,
        until: chrono::NaiveDate,
    ) -> Result<ImpactReport> {
        let access = p.actor.statistics_access().ok_or_else(|| {
            AppError::Forbidden(
                "the impact report is for programme managers, M&E officers, donors and auditors"
                    .into(),
            )
        })?;
        // The programme exists.
        self.get_programme(id).await?;
        let offices: Option<Vec<homeward_domain::ids::OfficeId>> =
            access.offices.as_ref().map(|o| o.iter().copied().collect());
        let as_of = (!access.exact).then_some(until);
        let threshold = match access.exact {
            true => 0,
            false => self.stats_threshold(),
        };
        let cells = self
            .store()
            .score_cells(
                id,
                offices.as_deref(),
                by,
                as_of.map(homeward_domain::stats::first_of_month),
            )
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
            // By each: each attribute's row in the domain's order, then any and none.
            let each: Vec<&str> = by
                .by_each()
                .map(|b| b.each().into_iter().map(|(code, _)| code).collect())
                .unwrap_or_default();
            for cells in bands.values_mut().filter(|_| by.by_each().is_some()) {
                cells.sort_by_key(|c| match c.grp.as_str() {
                    SCORE_ANY => each.len(),
                    SCORE_NONE => each.len() + 1,
                    g => each.iter().position(|e| *e == g).unwrap_or(each.len()),
                });
            }
            surveys.push(SurveyImpact {
                key,
                version: definition.version,
                title: definition.title.clone(),
                weights: definition.dimension_weights.clone(),
                threshold: definition.threshold,
                bands: bands
                    .into_iter()
                    .map(|(band, cells)| {
                        band_table(
                            u32::try_from(band).unwrap_or(0),
                            &cells,
                            threshold,
                            by.by_each().is_some(),
                            definition.threshold.is_some(),
                        )
                    })
                    .collect(),
            });
        }
        Ok(ImpactReport {
            programme: id,
            by,
            own_offices_only: offices.is_some(),
            protected: threshold > 1,
            as_of,
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
            sustainable_n: 0,
        };
        let cells = [cell("female", 2, 1001), cell("male", 1, 0)];
        let refs: Vec<&ScoreCell> = cells.iter().collect();
        let t = band_table(3, &refs, 0, false, false);
        // 1001 / 2 = 500.5: 501, half up.
        assert_eq!(t.rows[0].economic.mean, Permille::new(501));
        assert_eq!(t.total.returnees, Some(3));
        // 1001 / 3 = 333.67: 334.
        assert_eq!(t.total.composite.mean, Permille::new(334));
        assert_eq!(t.total.social.mean, None, "nobody scored");
        assert_eq!(t.total.social.scored, Some(0));
        assert_eq!(mean(3, 1000), Permille::new(333));
        assert_eq!(mean(1, 1000), Some(Permille::ONE));
    }

    fn cell(grp: &str, n: i64, scored: [i64; 4]) -> ScoreCell {
        ScoreCell {
            survey_key: "rss".into(),
            survey_version: 1,
            band: 3,
            grp: grp.into(),
            returnees: n,
            economic_n: scored[0],
            economic_sum: scored[0] * 500,
            social_n: scored[1],
            social_sum: scored[1] * 500,
            psychosocial_n: scored[2],
            psychosocial_sum: scored[2] * 500,
            composite_n: scored[3],
            composite_sum: scored[3] * 500,
            sustainable_n: scored[3] / 2,
        }
    }

    /// A protected reader: a group of fewer returnees than the threshold is hidden, with
    /// the smallest other so that the hidden ones cannot be told as the total's less the
    /// shown; a dimension's mean of fewer scored is hidden the same way, column by column.
    #[test]
    fn a_protected_table_hides_small_groups_and_their_cover() {
        let cells = [
            cell("female", 2, [2; 4]),
            cell("male", 12, [12, 12, 3, 3]),
            cell("unknown", 20, [20, 20, 20, 20]),
        ];
        let refs: Vec<&ScoreCell> = cells.iter().collect();
        let t = band_table(3, &refs, 5, false, false);
        // Two returnees: hidden, with the next smallest (12).
        assert_eq!(t.rows[0].returnees, None);
        assert_eq!(
            t.rows[0].economic,
            Mean {
                mean: None,
                scored: None
            }
        );
        assert_eq!(t.rows[1].returnees, None);
        assert_eq!(t.rows[2].returnees, Some(20));
        assert_eq!(t.rows[2].economic.mean, Permille::new(500));
        // The total holds 34: shown.
        assert_eq!(t.total.returnees, Some(34));
        assert_eq!(t.total.psychosocial.scored, Some(25));
        // Exact: all shown.
        let t = band_table(3, &refs, 0, false, false);
        assert!(t.rows.iter().all(|r| r.returnees.is_some()));
    }

    /// A dimension scored for few in a group hides the group whole (its other means and
    /// the composite would tell it), with its cover; a total of fewer than the threshold
    /// is hidden.
    #[test]
    fn a_protected_mean_of_few_scored_hides_its_group() {
        let cells = [
            cell("female", 10, [10, 10, 1, 10]),
            cell("male", 10, [10, 10, 10, 10]),
            cell("unknown", 9, [9, 9, 9, 9]),
        ];
        let refs: Vec<&ScoreCell> = cells.iter().collect();
        let t = band_table(0, &refs, 5, false, false);
        assert_eq!(t.rows[0].returnees, None, "one scored in a dimension");
        assert_eq!(t.rows[0].economic.mean, None);
        assert_eq!(t.rows[0].composite.mean, None);
        // Its cover: the smallest other of that column (9), whole too.
        assert_eq!(t.rows[2].returnees, None);
        assert_eq!(t.rows[2].economic.mean, None);
        assert_eq!(t.rows[1].psychosocial.mean, Permille::new(500));
        assert_eq!(t.rows[1].returnees, Some(10));
        assert_eq!(t.total.psychosocial.scored, Some(20));
        assert_eq!(t.total.returnees, Some(29));
        let few = [cell("female", 2, [2; 4]), cell("male", 1, [1; 4])];
        let refs: Vec<&ScoreCell> = few.iter().collect();
        let t = band_table(0, &refs, 5, false, false);
        assert_eq!(t.total.returnees, None);
        assert_eq!(t.total.composite.mean, None);
    }

    /// The share sustainable is of those scored in the composite, rounded half up, and
    /// only where the version sets a threshold; it is hidden with its row.
    #[test]
    fn the_share_sustainable_is_of_those_scored_in_the_composite() {
        let cells = [cell("female", 10, [10, 10, 10, 9]), cell("male", 3, [3; 4])];
        let refs: Vec<&ScoreCell> = cells.iter().collect();
        let t = band_table(3, &refs, 0, false, true);
        // 9 / 2 = 4 of 9: 0.444.
        assert_eq!(t.rows[0].sustainable.count, Some(4));
        assert_eq!(t.rows[0].sustainable.share, Permille::new(444));
        // 5 of 12: 0.417.
        assert_eq!(t.total.sustainable.share, Permille::new(417));
        let t = band_table(3, &refs, 0, false, false);
        assert_eq!(t.total.sustainable.share, None, "no threshold: no share");
        assert_eq!(t.total.sustainable.count, None);
        let t = band_table(3, &refs, 5, false, true);
        assert_eq!(t.rows[1].sustainable.count, None, "hidden with its row");
        assert_eq!(t.rows[0].sustainable.count, None, "its cover");
        assert_eq!(t.total.sustainable.count, Some(5));
    }

    /// By each vulnerability: `any` and `none` make the total; each vulnerability's row
    /// is a part of `any` and protected as one; where its rows cannot be covered, `any`
    /// is hidden, and `none` with it (the total's less `none` would tell `any`).
    #[test]
    fn rows_by_each_vulnerability_are_protected_within_any() {
        let cells = [
            cell("child", 12, [12; 4]),
            cell("medical", 2, [2; 4]),
            cell("trafficking", 7, [7; 4]),
            cell(SCORE_ANY, 20, [20; 4]),
            cell(SCORE_NONE, 30, [30; 4]),
        ];
        let refs: Vec<&ScoreCell> = cells.iter().collect();
        let t = band_table(6, &refs, 0, true, false);
        assert_eq!(t.total.returnees, Some(50), "any and none, not each row");
        let t = band_table(6, &refs, 5, true, false);
        let shown: Vec<Option<i64>> = t.rows.iter().map(|r| r.returnees).collect();
        // Two hidden with the smallest other (7): 9 together.
        assert_eq!(shown, [Some(12), None, None, Some(20), Some(30)]);
        assert_eq!(t.total.returnees, Some(50));
        // One vulnerability of three returnees alone: it cannot be covered within any.
        let cells = [
            cell("medical", 3, [3; 4]),
            cell(SCORE_ANY, 3, [3; 4]),
            cell(SCORE_NONE, 30, [30; 4]),
        ];
        let refs: Vec<&ScoreCell> = cells.iter().collect();
        let t = band_table(6, &refs, 5, true, false);
        let shown: Vec<Option<i64>> = t.rows.iter().map(|r| r.returnees).collect();
        assert_eq!(shown, [None, None, None]);
        assert_eq!(t.total.returnees, Some(33));
        // Without protection, all shown.
        let t = band_table(6, &refs, 0, true, false);
        assert!(t.rows.iter().all(|r| r.returnees.is_some()));
        // A small `none` hides `any` as its cover, and then every attribute's row: one
        // attribute shown would be all of `any`, and the total less it `none`.
        let cells = [
            cell("child", 6, [6; 4]),
            cell(SCORE_ANY, 6, [6; 4]),
            cell(SCORE_NONE, 2, [2; 4]),
        ];
        let refs: Vec<&ScoreCell> = cells.iter().collect();
        let t = band_table(6, &refs, 5, true, false);
        let shown: Vec<Option<i64>> = t.rows.iter().map(|r| r.returnees).collect();
        assert_eq!(shown, [None, None, None]);
        assert_eq!(t.total.returnees, Some(8));
    }

    /// A protected reader's share sustainable is of at least the threshold at or above
    /// it and below it: a group of a few either way is hidden whole, with its cover.
    #[test]
    fn a_protected_share_sustainable_hides_groups_of_few_either_way() {
        let mut few_below = cell("female", 20, [20; 4]);
        few_below.sustainable_n = 18;
        let mut male = cell("male", 20, [20; 4]);
        male.sustainable_n = 10;
        let mut unknown = cell("unknown", 20, [20; 4]);
        unknown.sustainable_n = 8;
        let cells = [few_below, male, unknown];
        let refs: Vec<&ScoreCell> = cells.iter().collect();
        let t = band_table(3, &refs, 5, false, true);
        // Two below the threshold among the women: hidden, with the smallest other of
        // that count (the men's ten) as cover.
        let shown: Vec<Option<i64>> = t.rows.iter().map(|r| r.sustainable.count).collect();
        assert_eq!(shown, [None, None, Some(8)]);
        assert_eq!(t.rows[2].sustainable.share, Permille::new(400));
        assert_eq!(t.total.sustainable.count, Some(36));
        // Without a threshold in the version, nothing is hidden for it.
        let t = band_table(3, &refs, 5, false, false);
        assert!(t.rows.iter().all(|r| r.returnees.is_some()));
    }
}
