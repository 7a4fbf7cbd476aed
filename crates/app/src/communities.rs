//! The programme report "impact on communities" (issue #25, DESIGN.md "Monitoring and
//! evaluation"): the community projects of a programme's reintegration plans (their items
//! of community assistance: schools, clinics, training facilities and the like) by
//! country of return, what they commit and what was delivered of them, and the people of
//! the communities they have reached (`Reintegration::community_projects`).
//!
//! Read by the readers of the statistics. Programme managers and M&E officers read it
//! exactly, as it stands (a reader of their own offices' figures, the projects of the
//! cases their offices host or lead). Donors, auditors and administrators read it
//! protected: as the last settled month ended (the kept sums, `community_totals`, by the
//! month each change was recorded in, so that two readings a day apart cannot tell one
//! delivery), and a country's line only where it holds at least the threshold of
//! households, the smallest others hidden with it until the hidden lines hold that many
//! together (`disclosure::cover_money`: a project's money and people reached are one
//! returnee's plan).

use homeward_domain::ids::ProgrammeId;
use homeward_store::CommunityCell;
use serde::Serialize;

use crate::auth::Principal;
use crate::performance::percent;
use crate::{App, AppError, Result};

/// The community projects of one country of return, or of all of them; its figures none
/// where they are hidden from a protected reader.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommunityLine {
    /// ISO 3166 alpha-2; none for the row of all countries.
    pub country: Option<String>,
    pub projects: Option<i64>,
    /// Cases (households) whose plans hold them.
    pub cases: Option<i64>,
    /// Minor units of the programme's currency.
    pub committed: Option<i64>,
    pub delivered: Option<i64>,
    /// Delivered as a share of committed, in percent to one decimal.
    pub delivered_percent: Option<f64>,
    /// The people of the communities reached, of the projects a delivery told them of.
    pub people_reached: Option<i64>,
    /// The projects whose people reached a delivery told.
    pub projects_told: Option<i64>,
}

impl CommunityLine {
    /// `shown`: its figures; `reached_shown`: its people reached.
    fn of(
        country: Option<String>,
        c: &CommunityCell,
        shown: bool,
        reached_shown: bool,
    ) -> CommunityLine {
        let show = |v: i64| shown.then_some(v);
        CommunityLine {
            country,
            projects: show(c.projects),
            cases: show(c.cases),
            committed: show(c.committed),
            delivered: show(c.delivered),
            delivered_percent: percent(c.delivered, c.committed).filter(|_| shown),
            people_reached: (shown && reached_shown).then_some(c.people_reached),
            projects_told: show(c.told),
        }
    }
}

/// The report.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommunityReport {
    pub programme: ProgrammeId,
    /// Small numbers hidden (a donor's, an auditor's, an administrator's reading).
    pub protected: bool,
    /// The last day of the month the figures are as of (a protected reader's: the last
    /// settled month); none: as they stand now.
    pub as_of: Option<chrono::NaiveDate>,
    /// Only the reader's offices' cases count.
    pub own_offices_only: bool,
    /// ISO 4217: the programme's, of every amount.
    pub currency: String,
    /// By country of return.
    pub countries: Vec<CommunityLine>,
    pub total: CommunityLine,
    pub definitions: Vec<&'static str>,
}

pub const DEFINITIONS: [&str; 4] = [
    "A community project is an item of community assistance (a school, a clinic, a training facility...) in a returnee's plan in force; its case's country of return places it.",
    "Committed: what the plan in force commits to it (once it is declined or closed, or its case is, only what was delivered); delivered: its deliveries that count (not reversed, signed by a second person where that is needed), and their share of what is committed.",
    "People reached: the people of the community each project has reached so far, as its latest counted delivery that tells them says (each tranche tells those reached so far, not those it adds); a project no delivery has told of yet counts no one, and projects told says how many have.",
    "Read protected (donors, auditors, administrators): as the last settled month ended, by when each change was recorded; a country's line is shown where it holds at least the threshold of households, the smallest others hidden with it until the hidden lines hold that many together, and the total too where even all of them hold fewer; its people reached where at least the threshold of households' projects told them, covered alike; money by country is not shown (the budget page tells it by line, protected there), only in the total.",
];

impl App {
    /// The report "impact on communities" of a programme: as it stands for a reader of
    /// exact figures, as the last settled month ended for a protected reader
    /// (`stats::settled_month_end`).
    pub async fn community_report(
        &self,
        p: &Principal,
        id: ProgrammeId,
    ) -> Result<CommunityReport> {
        let last = homeward_domain::stats::settled_month_end(crate::now());
        self.community_report_until(p, id, last).await
    }

    /// `community_report`, with a protected reader's figures as the month of `until`
    /// ended. The interfaces call `community_report`; this is for tests (which write
    /// nothing in past months) and reports of a closed period.
    pub async fn community_report_until(
        &self,
        p: &Principal,
        id: ProgrammeId,
        until: chrono::NaiveDate,
    ) -> Result<CommunityReport> {
        let access = crate::stats::access(p).ok_or_else(|| {
            AppError::Forbidden(
                "the report on communities is for programme managers, M&E officers, donors and auditors"
                    .into(),
            )
        })?;
        let programme = self.get_programme(id).await?;
        let offices: Option<Vec<homeward_domain::ids::OfficeId>> =
            access.offices.as_ref().map(|o| o.iter().copied().collect());
        let as_of = (!access.exact).then_some(until);
        let cells = self
            .store()
            .community_cells(
                id,
                offices.as_deref(),
                as_of.map(homeward_domain::stats::first_of_month),
            )
            .await?;
        let mut all = CommunityCell {
            return_country: String::new(),
            projects: 0,
            cases: 0,
            committed: 0,
            delivered: 0,
            people_reached: 0,
            told: 0,
            cases_told: 0,
        };
        for c in &cells {
            // A case returns to one country: its households add up.
            all.projects += c.projects;
            all.cases += c.cases;
            all.committed += c.committed;
            all.delivered += c.delivered;
            all.people_reached += c.people_reached;
            all.told += c.told;
            all.cases_told += c.cases_told;
        }
        // A line's figures are its households' plans: shown where it holds at least the
        // threshold of households; people reached where at least the threshold of
        // households' projects told them (one household's would be one plan's), each
        // covered. Money by country is the budget page's to publish to a protected reader
        // (its lines by type and country, protected together there): a country's money
        // here, less a line's there, could tell the plan of a country hidden here.
        let ((hidden, total_shown), (unreached, total_reached)) = match access.exact {
            true => (
                (vec![false; cells.len()], true),
                (vec![false; cells.len()], true),
            ),
            false => {
                use homeward_domain::disclosure::{cover_money, cover_money_with};
                let threshold = self.stats_threshold();
                let households: Vec<i64> = cells.iter().map(|c| c.cases).collect();
                let lines = cover_money(&households, threshold);
                let told: Vec<i64> = cells.iter().map(|c| c.cases_told).collect();
                let reached = cover_money_with(&told, &lines.0, threshold);
                (lines, reached)
            }
        };
        Ok(CommunityReport {
            programme: id,
            protected: !access.exact,
            as_of,
            own_offices_only: offices.is_some(),
            currency: programme.settings.currency.to_string(),
            countries: cells
                .iter()
                .zip(hidden.iter().zip(&unreached))
                .map(|(c, (hidden, unreached))| {
                    let mut line =
                        CommunityLine::of(Some(c.return_country.clone()), c, !hidden, !unreached);
                    if !access.exact {
                        line.committed = None;
                        line.delivered = None;
                        line.delivered_percent = None;
                    }
                    line
                })
                .collect(),
            total: CommunityLine::of(None, &all, total_shown, total_reached),
            definitions: DEFINITIONS.to_vec(),
        })
    }
}
