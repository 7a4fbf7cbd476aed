//! Programmes and the settings that drive the rules.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::ids::ProgrammeId;
use crate::person::Vulnerability;
use crate::values::{CountryCode, CurrencyCode, ShortText};

/// Which travellers need a health assessment (fitness to travel) before departure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "mode", content = "vulnerabilities")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum HealthAssessmentRule {
    /// Every traveller.
    Always,
    /// Travellers with any of these vulnerabilities.
    ForVulnerabilities(BTreeSet<Vulnerability>),
}

/// The settings of a programme that the domain rules read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProgrammeSettings {
    /// Days that must pass between the information session and the consent.
    pub reflection_period_days: u16,
    /// Countries whose offices may run cases of this programme.
    pub host_countries: BTreeSet<CountryCode>,
    /// Countries people may return to under this programme; empty means any.
    pub return_countries: BTreeSet<CountryCode>,
    /// Eligible categories of migrant (free labels, e.g. "rejected asylum seeker").
    pub categories: BTreeSet<ShortText>,
    pub health_assessment: HealthAssessmentRule,
    /// Vulnerabilities for which a traveller needs an escort, beyond the escorts every
    /// programme requires (an unaccompanied child; a medical escort when assessed so).
    pub escort_required_for: BTreeSet<Vulnerability>,
    /// Whether a victim of trafficking needs a risk assessment before departure.
    pub risk_assessment_for_trafficking: bool,
    pub currency: CurrencyCode,
    /// The reintegration package and the thresholds of its four-eyes rules.
    #[serde(default)]
    pub reintegration: ReintegrationRules,
}

/// What a case's reintegration plan may hold without an exception, and when a delivery
/// needs a second signature. Amounts are in minor units of the programme's currency.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReintegrationRules {
    /// The standard package and its caps; no cap when absent.
    pub package: Option<Package>,
    /// A delivery worth more than this (in the programme's currency) needs a second
    /// signature before it counts as delivered; every delivery counts at once when absent.
    pub second_signature_above: Option<u64>,
}

/// A programme's standard reintegration package: the cap of a plan is the sum of these
/// amounts over the household (for example the EU reintegration programme's 615 on
/// arrival, up to 2,000 per adult and 1,000 per dependant, and a top-up per person with a
/// vulnerability). Minor units of the programme's currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Package {
    /// Support on arrival, per person (cash or services).
    pub on_arrival_per_person: u64,
    /// Further support (mostly in kind, over up to 12 months), per adult.
    pub per_adult: u64,
    /// Further support per dependant (a child, at the date the plan is drafted).
    pub per_dependant: u64,
    /// A top-up per person with at least one vulnerability.
    pub per_vulnerable_person: u64,
}

impl ProgrammeSettings {
    pub fn requires_health_assessment(&self, vulns: &BTreeSet<Vulnerability>) -> bool {
        match &self.health_assessment {
            HealthAssessmentRule::Always => true,
            HealthAssessmentRule::ForVulnerabilities(set) => !set.is_disjoint(vulns),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Programme {
    pub id: ProgrammeId,
    pub code: ShortText,
    pub name: ShortText,
    pub settings: ProgrammeSettings,
}
