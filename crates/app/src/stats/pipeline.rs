//! The pipeline: cases and people by stage, interruptions by year and stage, and the
//! days to departure.

use super::*;

impl App {
    /// Cases and people by current stage; withdrawals, rejections and no-shows by year
    /// and by the stage they happened at; durations to departure.
    #[tracing::instrument(skip_all)]
    pub async fn pipeline(&self, p: &Principal, filter: StatFilter) -> Result<Pipeline> {
        let (filter, exact_numbers) = self.stats_filter(p, filter)?;
        let threshold = self.stats_threshold();
        let publish = |t: &[Vec<i64>]| {
            if exact_numbers {
                exact(t)
            } else {
                protect(t, threshold)
            }
        };
        // The durations summed up in the cube's pass (see `StatsCube::pipeline`).
        let (counts, durations) = self
            .stats_cube()
            .pipeline(self.store(), filter, move |mut counts| {
                let durations =
                    days_to_departure(std::mem::take(&mut counts.durations), exact_numbers);
                (counts, durations)
            })
            .await?;
        let by_stage: BTreeMap<String, (i64, i64)> = counts
            .by_stage
            .into_iter()
            .map(|s| (s.stage, (s.cases, s.people)))
            .collect();
        let stage_keys: Vec<String> = Stage::ALL.iter().map(|s| s.code().to_string()).collect();
        let stage_table = |pick: fn(&(i64, i64)) -> i64| -> Vec<Vec<i64>> {
            vec![
                stage_keys
                    .iter()
                    .map(|s| by_stage.get(s).map(pick).unwrap_or(0))
                    .collect(),
            ]
        };
        let interruptions = counts.interruptions;
        let kinds = ["withdrawal", "rejection", "no_show"];
        let years: Vec<i64> = interruptions
            .iter()
            .map(|x| x.year)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let by_year: Vec<Vec<i64>> = kinds
            .iter()
            .map(|k| {
                years
                    .iter()
                    .map(|y| {
                        interruptions
                            .iter()
                            .filter(|x| x.kind == *k && x.year == *y)
                            .map(|x| x.count)
                            .sum()
                    })
                    .collect()
            })
            .collect();
        let by_stage_at: Vec<Vec<i64>> = kinds
            .iter()
            .map(|k| {
                stage_keys
                    .iter()
                    .map(|s| {
                        interruptions
                            .iter()
                            .filter(|x| x.kind == *k && x.stage == *s)
                            .map(|x| x.count)
                            .sum()
                    })
                    .collect()
            })
            .collect();
        Ok(Pipeline {
            stages: stage_keys.clone(),
            cases_by_stage: publish(&stage_table(|x| x.0)),
            people_by_stage: publish(&stage_table(|x| x.1)),
            interruption_kinds: kinds.iter().map(|k| k.to_string()).collect(),
            interruption_years: years,
            interruptions_by_year: publish(&by_year),
            interruptions_by_stage: publish(&by_stage_at),
            durations,
            protected: !exact_numbers,
            threshold,
        })
    }
}

/// Durations, by year of departure and country of return (each sorted by the cube), as
/// medians and 90th percentiles, for readers of exact figures only.
fn days_to_departure(
    durations: BTreeMap<(i64, String), (Vec<i32>, Vec<i32>)>,
    exact_numbers: bool,
) -> Vec<DaysToDeparture> {
    // Not for protected readers: a line's count of cases, or even whether a line is
    // shown, tells of a cell of households by year and country of return that the
    // protected tables may hide as cover.
    if !exact_numbers {
        return vec![];
    }
    durations
        .into_iter()
        .map(|((year, country), (applied, registered))| {
            let days = |sorted: &[i32], p: u8| percentile(sorted, p).map(i64::from);
            DaysToDeparture {
                year,
                country_of_return: country,
                cases: Cell::Count(registered.len() as i64),
                application_to_departure_median: days(&applied, 50),
                application_to_departure_p90: days(&applied, 90),
                registration_to_departure_median: days(&registered, 50),
                registration_to_departure_p90: days(&registered, 90),
            }
        })
        .collect()
}

/// Days to departure for the cases that departed in a year to a country.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DaysToDeparture {
    pub year: i64,
    pub country_of_return: String,
    pub cases: Cell,
    pub application_to_departure_median: Option<i64>,
    pub application_to_departure_p90: Option<i64>,
    pub registration_to_departure_median: Option<i64>,
    pub registration_to_departure_p90: Option<i64>,
}

/// The pipeline figures.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Pipeline {
    pub stages: Vec<String>,
    pub cases_by_stage: Published,
    pub people_by_stage: Published,
    pub interruption_kinds: Vec<String>,
    pub interruption_years: Vec<i64>,
    pub interruptions_by_year: Published,
    pub interruptions_by_stage: Published,
    pub durations: Vec<DaysToDeparture>,
    pub protected: bool,
    pub threshold: i64,
}
