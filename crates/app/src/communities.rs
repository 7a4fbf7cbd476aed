//! The programme report "impact on communities" (issue #25, DESIGN.md "Monitoring and
//! evaluation"): the community projects of a programme's reintegration plans (their items
//! of community assistance: schools, clinics, training facilities and the like) by
//! country of return, what they commit and what was delivered of them, and the people of
//! the communities they have reached (`Reintegration::community_projects`).
//!
//! Read by programme managers and M&E officers, exactly; a reader of their own offices'
//! figures reads the projects of the cases their offices host or lead. Not yet by readers
//! of protected figures: its sums are as they stand, not as a settled month ended, and a
//! country with one project would tell one returnee's plan; they are refused until the
//! sums are kept by month as the budget's are.

use homeward_domain::ids::ProgrammeId;
use homeward_store::CommunityCell;
use serde::Serialize;

use crate::auth::Principal;
use crate::performance::percent;
use crate::{App, Result};

/// The community projects of one country of return, or of all of them.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommunityLine {
    /// ISO 3166 alpha-2; none for the row of all countries.
    pub country: Option<String>,
    pub projects: i64,
    /// Cases (households) whose plans hold them.
    pub cases: i64,
    /// Minor units of the programme's currency.
    pub committed: i64,
    pub delivered: i64,
    /// Delivered as a share of committed, in percent to one decimal.
    pub delivered_percent: Option<f64>,
    /// The people of the communities reached, of the projects a delivery told them of.
    pub people_reached: i64,
    /// The projects whose people reached a delivery told.
    pub projects_told: i64,
}

impl CommunityLine {
    fn of(country: Option<String>, c: &CommunityCell) -> CommunityLine {
        CommunityLine {
            country,
            projects: c.projects,
            cases: c.cases,
            committed: c.committed,
            delivered: c.delivered,
            delivered_percent: percent(c.delivered, c.committed),
            people_reached: c.people_reached,
            projects_told: c.told,
        }
    }
}

/// The report.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommunityReport {
    pub programme: ProgrammeId,
    /// Only the reader's offices' cases count.
    pub own_offices_only: bool,
    /// ISO 4217: the programme's, of every amount.
    pub currency: String,
    /// By country of return.
    pub countries: Vec<CommunityLine>,
    pub total: CommunityLine,
    pub definitions: Vec<&'static str>,
}

pub const DEFINITIONS: [&str; 3] = [
    "A community project is an item of community assistance (a school, a clinic, a training facility...) in a returnee's plan in force; its case's country of return places it.",
    "Committed: what the plan in force commits to it (once it is declined or closed, or its case is, only what was delivered); delivered: its deliveries that count (not reversed, signed by a second person where that is needed), and their share of what is committed.",
    "People reached: the people of the community each project has reached so far, as its latest counted delivery that tells them says (each tranche tells those reached so far, not those it adds); a project no delivery has told of yet counts no one, and projects told says how many have.",
];

impl App {
    /// The report "impact on communities" of a programme, as it stands.
    pub async fn community_report(
        &self,
        p: &Principal,
        id: ProgrammeId,
    ) -> Result<CommunityReport> {
        let access = crate::stats::exact_access(p, "the report on communities")?;
        let programme = self.get_programme(id).await?;
        let offices: Option<Vec<homeward_domain::ids::OfficeId>> =
            access.offices.as_ref().map(|o| o.iter().copied().collect());
        let cells = self.store().community_cells(id, offices.as_deref()).await?;
        let mut all = CommunityCell {
            return_country: String::new(),
            projects: 0,
            cases: 0,
            committed: 0,
            delivered: 0,
            people_reached: 0,
            told: 0,
        };
        for c in &cells {
            // A case returns to one country: its households add up.
            all.projects += c.projects;
            all.cases += c.cases;
            all.committed += c.committed;
            all.delivered += c.delivered;
            all.people_reached += c.people_reached;
            all.told += c.told;
        }
        Ok(CommunityReport {
            programme: id,
            own_offices_only: offices.is_some(),
            currency: programme.settings.currency.to_string(),
            countries: cells
                .iter()
                .map(|c| CommunityLine::of(Some(c.return_country.clone()), c))
                .collect(),
            total: CommunityLine::of(None, &all),
            definitions: DEFINITIONS.to_vec(),
        })
    }
}
