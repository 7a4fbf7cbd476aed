//! Programmes and the settings that drive the rules.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::ids::ProgrammeId;
use crate::organisation::ServiceType;
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
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 90))]
    pub reflection_period_days: u16,
    /// Days an application may wait for its decision; after them it is overdue.
    #[serde(default = "default_decision_days")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 65535))]
    pub decide_within_days: u16,
    /// Countries whose offices may run cases of this programme.
    #[cfg_attr(feature = "openapi", schema(min_items = 1))]
    pub host_countries: BTreeSet<CountryCode>,
    /// Host countries that people cross on their way rather than settle in (Niger, Libya,
    /// Morocco in IOM's reports): returns from them count as from a country of transit
    /// (the `host_or_transit` dimension). Each is one of `host_countries`.
    #[serde(default)]
    pub transit_countries: BTreeSet<CountryCode>,
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
    /// When returnees are followed up after arrival.
    #[serde(default)]
    pub monitoring: MonitoringRules,
    /// Vulnerabilities whose people depart only once a referral for reception or
    /// protection in the country of return is accepted, and the services that count (see
    /// `reception_services`: victims of trafficking, unaccompanied or separated children
    /// and people with medical needs always need one).
    #[serde(default)]
    pub protection_on_arrival: BTreeMap<Vulnerability, BTreeSet<ServiceType>>,
    /// The grounds on which people may be referred without their consent, each such
    /// referral approved by a second person (none by default).
    #[serde(default)]
    pub consent_exceptions: BTreeSet<crate::case::referrals::ExceptionGround>,
    /// The grants that fund the programme and their budget lines, which plan items draw
    /// on (none: plans draw on no budget).
    #[serde(default)]
    pub funding: Vec<crate::funding::Grant>,
}

/// A programme's monitoring schedule: follow-ups at offsets from the arrival date, each
/// within a window, and when repeated failures to reach a returnee close the case as
/// "lost contact". No follow-ups when the schedule is empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MonitoringRules {
    /// The follow-ups, in order of their offsets.
    pub schedule: Vec<FollowUpSlot>,
    /// Follow-ups in a row that do not reach the returnee after which the case is closed
    /// as lost contact (1 to 10).
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 10))]
    pub lost_contact_after: u8,
    /// The survey (its name) asked in follow-ups that reach the returnee, in its latest
    /// version at the time, where the follow-up's own does not name one (and in a visit
    /// before the first follow-up's window opens, the baseline); none when the programme
    /// asks none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub survey: Option<String>,
}

impl Default for MonitoringRules {
    fn default() -> Self {
        MonitoringRules {
            schedule: Vec::new(),
            lost_contact_after: 3,
            survey: None,
        }
    }
}

/// One follow-up of a schedule: due so many months after arrival, done on time within
/// `window_days` either side of that date, asking its own survey or the programme's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FollowUpSlot {
    /// 1 to 60.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 60))]
    pub months_after_arrival: u8,
    /// 0 to 90.
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 90))]
    pub window_days: u16,
    /// The survey (its name) asked in this follow-up's time, in its latest version at
    /// the time; the programme's (`MonitoringRules::survey`) when absent. Read from the
    /// programme when a follow-up is recorded (`Monitoring::survey_asked`); a case's own
    /// schedule keeps only the timing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub survey: Option<String>,
}

impl MonitoringRules {
    /// The common schedule of AVRR programmes: at 3, 6 and 12 months, each within 30 days
    /// either side; three failed attempts in a row mean contact is lost.
    pub fn standard() -> Self {
        MonitoringRules {
            schedule: [3, 6, 12]
                .map(|months_after_arrival| FollowUpSlot {
                    months_after_arrival,
                    window_days: 30,
                    survey: None,
                })
                .to_vec(),
            lost_contact_after: 3,
            survey: None,
        }
    }

    /// Why these rules cannot be used; empty when they can. A follow-up's window must
    /// close before the next one's opens, so that every follow-up counts for one of them.
    pub fn violations(&self) -> Vec<crate::rules::Violation> {
        use crate::rules::Violation;
        let mut out = Vec::new();
        if !(1..=10).contains(&self.lost_contact_after) {
            out.push(
                Violation::new(
                    "monitoring.lost_contact_after",
                    "contact is lost after 1 to 10 follow-ups in a row that do not reach the returnee",
                )
                .at("lost_contact_after"),
            );
        }
        if self
            .survey
            .as_deref()
            .is_some_and(|k| !crate::survey::is_name(k))
        {
            out.push(
                Violation::new(
                    "monitoring.survey",
                    "the survey is named as it was imported (its form_id)",
                )
                .at("survey"),
            );
        }
        // Months differ in length: the windows must be apart whatever the arrival date
        // (two years cover every month length and leap day).
        let arrivals = chrono::NaiveDate::from_ymd_opt(2024, 1, 1)
            .into_iter()
            .flat_map(|d| d.iter_days().take(731));
        for (n, slot) in self.schedule.iter().enumerate() {
            if !(1..=60).contains(&slot.months_after_arrival) {
                out.push(
                    Violation::new(
                        "monitoring.offset",
                        "a follow-up is due 1 to 60 months after arrival",
                    )
                    .at(format!("schedule/{n}/months_after_arrival")),
                );
            }
            if slot
                .survey
                .as_deref()
                .is_some_and(|k| !crate::survey::is_name(k))
            {
                out.push(
                    Violation::new(
                        "monitoring.survey",
                        "the survey is named as it was imported (its form_id)",
                    )
                    .at(format!("schedule/{n}/survey")),
                );
            }
            if slot.window_days > 90 {
                out.push(
                    Violation::new(
                        "monitoring.window",
                        "a follow-up's window is at most 90 days either side",
                    )
                    .at(format!("schedule/{n}/window_days")),
                );
            }
            if let Some(prev) = n.checked_sub(1).and_then(|p| self.schedule.get(p))
                && arrivals
                    .clone()
                    .any(|a| slot.window(a).0 <= prev.window(a).1)
            {
                out.push(
                    Violation::new(
                        "monitoring.overlapping",
                        "this follow-up's window opens before the previous one's closes",
                    )
                    .at(format!("schedule/{n}")),
                );
            }
        }
        out
    }
}

impl FollowUpSlot {
    /// When it is due after an arrival on `arrived`.
    pub fn due(&self, arrived: chrono::NaiveDate) -> chrono::NaiveDate {
        arrived
            .checked_add_months(chrono::Months::new(u32::from(self.months_after_arrival)))
            .unwrap_or(chrono::NaiveDate::MAX)
    }

    /// The first and last day it is on time.
    pub fn window(&self, arrived: chrono::NaiveDate) -> (chrono::NaiveDate, chrono::NaiveDate) {
        let due = self.due(arrived);
        let days = chrono::Days::new(u64::from(self.window_days));
        (
            due.checked_sub_days(days).unwrap_or(chrono::NaiveDate::MIN),
            due.checked_add_days(days).unwrap_or(chrono::NaiveDate::MAX),
        )
    }
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

/// Ten days for a decision, unless the programme says otherwise.
fn default_decision_days() -> u16 {
    ProgrammeSettings::DEFAULT_DECIDE_WITHIN_DAYS
}

impl ProgrammeSettings {
    /// Days for a decision on an application when the programme says nothing.
    pub const DEFAULT_DECIDE_WITHIN_DAYS: u16 = 10;

    /// A decision needs a day at least: with none, every application would be overdue
    /// the day after it is submitted.
    pub fn decision_violations(&self) -> Vec<crate::rules::Violation> {
        if self.decide_within_days == 0 {
            vec![
                crate::rules::Violation::new(
                    "programme.decide_within_days",
                    "an application is given at least one day for its decision",
                )
                .at("decide_within_days"),
            ]
        } else {
            vec![]
        }
    }

    /// The day by which an application submitted on `submitted` is to be decided; it is
    /// overdue from the day after.
    pub fn decision_due(&self, submitted: chrono::NaiveDate) -> chrono::NaiveDate {
        submitted + chrono::Days::new(u64::from(self.decide_within_days))
    }

    /// Whether an application submitted on `submitted`, still undecided on `today`, is
    /// overdue.
    pub fn decision_overdue(&self, submitted: chrono::NaiveDate, today: chrono::NaiveDate) -> bool {
        today > self.decision_due(submitted)
    }

    /// Whether a case departing now from `host` departs from a country of transit.
    pub fn host_or_transit(&self, host: &CountryCode) -> crate::stats::HostOrTransit {
        if self.transit_countries.contains(host) {
            crate::stats::HostOrTransit::Transit
        } else {
            crate::stats::HostOrTransit::Host
        }
    }

    /// Countries of transit that are not host countries of the programme.
    pub fn transit_violations(&self) -> Vec<crate::rules::Violation> {
        self.transit_countries
            .difference(&self.host_countries)
            .map(|c| {
                crate::rules::Violation::new(
                    "programme.transit_not_host",
                    format!(
                        "{c} is marked as a country of transit but is not a host country of the programme"
                    ),
                )
                .at("transit_countries")
            })
            .collect()
    }

    /// The services a referral accepted in the country of return must be for, before a
    /// person with this vulnerability departs; empty when none is needed. The programme's
    /// own list, or for the three that always need one: reception or a shelter for a
    /// victim of trafficking, child protection or reception for an unaccompanied or
    /// separated child, medical care for a person with medical needs.
    pub fn reception_services(&self, v: Vulnerability) -> BTreeSet<ServiceType> {
        if let Some(s) = self.protection_on_arrival.get(&v).filter(|s| !s.is_empty()) {
            return s.clone();
        }
        match v {
            Vulnerability::VictimOfTrafficking => {
                [ServiceType::Reception, ServiceType::Shelter].into()
            }
            Vulnerability::UnaccompaniedOrSeparatedChild => {
                [ServiceType::ChildProtection, ServiceType::Reception].into()
            }
            Vulnerability::MedicalNeeds => [ServiceType::MedicalCare].into(),
            _ => BTreeSet::new(),
        }
    }

    /// Why the programme's funding cannot be used; empty when it can.
    pub fn funding_violations(&self) -> Vec<crate::rules::Violation> {
        crate::funding::funding_violations(&self.funding, &self.currency, &self.return_countries)
    }

    /// Every budget line's id, of every grant.
    pub fn budget_line_ids(&self) -> Vec<crate::ids::BudgetLineId> {
        self.funding
            .iter()
            .flat_map(|g| &g.lines)
            .map(|l| l.line_id)
            .collect()
    }

    /// The grant and budget line of `id`.
    pub fn budget_line(
        &self,
        id: crate::ids::BudgetLineId,
    ) -> Option<(&crate::funding::Grant, &crate::funding::BudgetLine)> {
        crate::funding::line(&self.funding, id)
    }

    /// Why the settings cannot change from these to `new`, for what is kept in their
    /// amounts: plans, packages and what cases commit are in the programme's currency,
    /// which stays once the programme has grants or cases after arrival (`has_plans`);
    /// a grant's lines are in its currency, which stays while it has lines. Fields are
    /// named from the settings (`currency`, `funding/0/currency`).
    pub fn change_violations(
        &self,
        new: &ProgrammeSettings,
        has_plans: bool,
    ) -> Vec<crate::rules::Violation> {
        let mut out = vec![];
        if new.currency != self.currency && (has_plans || !self.funding.is_empty()) {
            out.push(
                crate::rules::Violation::new(
                    "programme.currency_in_use",
                    format!(
                        "plans, packages and grants' budget rates are kept in the programme's currency: it stays {} once the programme has grants or returnees",
                        self.currency
                    ),
                )
                .at("currency")
                .param("currency", &self.currency),
            );
        }
        for (n, g) in new.funding.iter().enumerate() {
            let was = self.funding.iter().find(|o| o.grant_id == g.grant_id);
            if let Some(old) = was.filter(|o| o.currency != g.currency && !o.lines.is_empty()) {
                out.push(
                    crate::rules::Violation::new(
                        "funding.currency_with_lines",
                        format!(
                            "the grant's budget lines are amounts in {}: its currency stays while it has lines",
                            old.currency
                        ),
                    )
                    .at(format!("funding/{n}/currency"))
                    .param("currency", &old.currency),
                );
            }
        }
        out
    }

    /// The most the programme's plans may commit together on the line `id`, in minor
    /// units of the programme's currency (its amount converted back at its grant's
    /// budget rate, `Grant::limit_in_programme_currency`).
    pub fn line_limit(&self, id: crate::ids::BudgetLineId) -> Option<i64> {
        self.budget_line(id)
            .map(|(g, l)| g.limit_in_programme_currency(l.amount, &self.currency))
    }

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

#[cfg(test)]
mod transit_tests {
    use super::*;
    use crate::stats::HostOrTransit;

    #[test]
    fn a_country_of_transit_is_a_host_country() {
        let cc = |c: &str| CountryCode::parse(c).unwrap();
        let mut s: ProgrammeSettings = serde_json::from_value(serde_json::json!({
            "reflection_period_days": 3, "host_countries": ["NE", "LY"], "return_countries": [],
            "categories": [], "health_assessment": {"mode": "always"},
            "escort_required_for": [], "risk_assessment_for_trafficking": false, "currency": "EUR"
        }))
        .unwrap();
        s.transit_countries = [cc("NE")].into_iter().collect();
        assert!(s.transit_violations().is_empty());
        s.transit_countries.insert(cc("MA"));
        let v = s.transit_violations();
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].code, "programme.transit_not_host");
        assert_eq!(v[0].field.as_deref(), Some("transit_countries"));
        // A departure from a country of transit, and from the others.
        assert_eq!(s.host_or_transit(&cc("NE")), HostOrTransit::Transit);
        assert_eq!(s.host_or_transit(&cc("LY")), HostOrTransit::Host);
        // Ten days for a decision when the settings say nothing; never none.
        assert_eq!(s.decide_within_days, 10);
        assert!(s.decision_violations().is_empty());
        s.decide_within_days = 0;
        assert_eq!(
            s.decision_violations()[0].code,
            "programme.decide_within_days"
        );
    }
}
