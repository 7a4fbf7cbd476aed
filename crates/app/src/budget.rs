//! The programme's budget page (DESIGN.md, "Assistance, grants and budgets"): per grant
//! and budget line, what it holds, what approved plans commit, what deliveries disbursed,
//! what is left and the share executed; per assistance type and per country of return;
//! what plans commit per household and per returnee. Summed from `case_budget` (the
//! domain's `committed_by_line` and `disbursed_by_line` of each case).
//!
//! Read by whoever reads the statistics (`access::statistics_access`). What each line
//! holds, commits and disburses is the programme's, whatever the reader's offices: a
//! line's remainder is what every plan may still take. Households and returnees, and the
//! tables by assistance type and country, count only the reader's offices' cases when
//! they read their own offices'. A protected reader (a donor) gets no count below the
//! statistics' threshold, nor the money of a line, type or country of fewer households
//! (one household's plan), with enough others hidden that a total does not give them
//! away (`stats::protect`).

use std::collections::{BTreeMap, BTreeSet};

use homeward_domain::case::reintegration::AssistanceType;
use homeward_domain::ids::{BudgetLineId, GrantId, ProgrammeId};
use homeward_domain::stats::{Cell, protect};
use homeward_domain::values::{CountryCode, CurrencyCode};
use homeward_store::{BudgetCell, BudgetHouseholds, HouseholdsBy};
use serde::Serialize;

use crate::auth::Principal;
use crate::{App, AppError, Result};

/// Money and households of a line, a grant, an assistance type, a country or the
/// programme. Amounts are minor units of the programme's currency; `null` when hidden
/// from a protected reader (or, for `budget`, when the row is not a budget's).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Figures {
    /// What the grant or lines hold.
    pub budget: Option<i64>,
    /// What approved plans commit (declined and closed items only for what was
    /// delivered of them).
    pub committed: Option<i64>,
    /// What deliveries paid or gave (those that count: signed where needed, not
    /// reversed).
    pub disbursed: Option<i64>,
    /// Budget less committed: what plans may still take.
    pub remaining: Option<i64>,
    /// Disbursed as a share of the budget, in percent to one decimal.
    pub executed_percent: Option<f64>,
    /// Households with a plan on it.
    pub households: Option<i64>,
    /// Their members.
    pub returnees: Option<i64>,
    /// Committed per household, rounded down.
    pub per_household: Option<i64>,
    /// Committed per returnee, rounded down.
    pub per_returnee: Option<i64>,
}

/// A budget line and its figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LineFigures {
    pub line_id: BudgetLineId,
    pub assistance: AssistanceType,
    /// The country of return it pays for; any when absent.
    pub country: Option<CountryCode>,
    pub figures: Figures,
}

/// A grant, its figures and its lines'.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GrantFigures {
    pub grant_id: GrantId,
    pub donor: String,
    pub reference: String,
    pub starts: chrono::NaiveDate,
    pub ends: chrono::NaiveDate,
    /// The grant's amount (its lines may hold less: the rest is not allocated yet).
    pub amount: i64,
    /// The lines' sums (`budget`: what the lines hold).
    pub figures: Figures,
    pub lines: Vec<LineFigures>,
}

/// Figures of one assistance type or country of return.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KeyFigures {
    /// The assistance type's code, or the country's.
    pub key: String,
    pub figures: Figures,
}

/// The programme's budget page.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BudgetReport {
    pub programme: ProgrammeId,
    pub programme_code: String,
    pub programme_name: String,
    pub currency: CurrencyCode,
    /// Small numbers hidden (a donor's, an auditor's reading).
    pub protected: bool,
    /// Households and returnees, and the tables by type and country, count only the
    /// reader's offices' cases.
    pub own_offices_only: bool,
    pub grants: Vec<GrantFigures>,
    pub by_assistance: Vec<KeyFigures>,
    pub by_country: Vec<KeyFigures>,
    /// Every line's sums, and every household with a plan on the budget once.
    pub total: Figures,
    /// What the figures mean, shown with them and in every export.
    pub definitions: Vec<&'static str>,
}

pub const DEFINITIONS: [&str; 5] = [
    "Committed: what the approved plans in force hold on the line; an item the returnee declined or that was closed counts only for what was delivered of it.",
    "Disbursed: deliveries that count (signed by a second person where the programme asks for it, not reversed), at their value in the programme's currency.",
    "Remaining: the budget less what is committed; executed: disbursed as a share of the budget.",
    "A household counts once in each line, type and country its plan draws on, and once in the programme's total; returnees are the members of those households.",
    "Amounts are in the programme's currency, which is the grants' currency.",
];

/// Money summed over budget cells.
#[derive(Debug, Clone, Copy, Default)]
struct Sums {
    committed: i64,
    disbursed: i64,
    cases: i64,
    people: i64,
}

impl Sums {
    fn add(&mut self, c: &BudgetCell) {
        self.committed += c.committed;
        self.disbursed += c.disbursed;
        self.cases += c.cases;
        self.people += c.people;
    }
}

fn figures(budget: Option<i64>, money: Sums, households: i64, people: i64) -> Figures {
    let per = |n: i64| (n > 0).then(|| money.committed / n);
    Figures {
        budget,
        committed: Some(money.committed),
        disbursed: Some(money.disbursed),
        remaining: budget.map(|b| b - money.committed),
        executed_percent: budget
            .filter(|b| *b > 0)
            .map(|b| (money.disbursed as f64 * 1000.0 / b as f64).round() / 10.0),
        households: Some(households),
        returnees: Some(people),
        per_household: per(households),
        per_returnee: per(people),
    }
}

/// Hides, for a protected reader, the households of each of `rows` below `threshold`
/// and enough others that their total does not give them away; the money of a row whose
/// households are hidden, and what it is per household, go with them. A row's budget stays: it is the programme's.
fn protect_rows(rows: &mut [&mut Figures], threshold: i64) {
    let counts: Vec<i64> = rows.iter().map(|f| f.households.unwrap_or(0)).collect();
    if counts.is_empty() {
        return;
    }
    let published = protect(&[counts], threshold);
    for (f, cell) in rows.iter_mut().zip(&published.cells[0]) {
        if *cell == Cell::Suppressed {
            hide(f);
        }
    }
}

/// Every figure about the households of a row, and its money (one household's plan when
/// there is one), hidden; its budget stays.
fn hide(f: &mut Figures) {
    *f = Figures {
        budget: f.budget,
        ..Figures::default()
    };
}

/// Counts below the threshold hidden where they are shown alone (a total's households).
fn hide_small(f: &mut Figures, threshold: i64) {
    if f.households.is_some_and(|n| n > 0 && n < threshold) {
        hide(f);
    }
}

impl App {
    /// The budget page of a programme.
    pub async fn budget_report(&self, p: &Principal, id: ProgrammeId) -> Result<BudgetReport> {
        let access = p.actor.statistics_access().ok_or_else(|| {
            AppError::Forbidden(
                "the budget is for programme managers, M&E officers, donors and auditors".into(),
            )
        })?;
        let programme = self.get_programme(id).await?;
        let s = &programme.settings;
        let offices: Option<Vec<uuid::Uuid>> = access
            .offices
            .as_ref()
            .map(|o| o.iter().map(|o| o.0).collect());
        // The lines' money is the programme's; households are the reader's offices'.
        let all = self.store().budget_cells(id.0, None).await?;
        let mine = match &offices {
            None => all.clone(),
            Some(o) => self.store().budget_cells(id.0, Some(o)).await?,
        };
        let type_households = self
            .store()
            .budget_households(id.0, offices.as_deref(), HouseholdsBy::Assistance)
            .await?;
        let country_households = self
            .store()
            .budget_households(id.0, offices.as_deref(), HouseholdsBy::Country)
            .await?;
        let threshold = match access.exact {
            true => 0,
            false => self.stats_threshold(),
        };

        let mut line_money: BTreeMap<uuid::Uuid, Sums> = BTreeMap::new();
        for c in &all {
            line_money.entry(c.line_id).or_default().add(c);
        }
        let mut line_mine: BTreeMap<uuid::Uuid, Sums> = BTreeMap::new();
        for c in &mine {
            line_mine.entry(c.line_id).or_default().add(c);
        }
        let mut grants = vec![];
        let mut total_budget = 0;
        let mut total_money = Sums::default();
        for g in &s.funding {
            let mut lines = vec![];
            let mut grant_money = Sums::default();
            let mut grant_budget = 0;
            for l in &g.lines {
                let money = line_money.get(&l.line_id.0).copied().unwrap_or_default();
                let mine = line_mine.get(&l.line_id.0).copied().unwrap_or_default();
                let budget = i64::try_from(l.amount).unwrap_or(i64::MAX);
                grant_budget += budget;
                grant_money.committed += money.committed;
                grant_money.disbursed += money.disbursed;
                lines.push(LineFigures {
                    line_id: l.line_id,
                    assistance: l.assistance,
                    country: l.country.clone(),
                    figures: figures(Some(budget), money, mine.cases, mine.people),
                });
            }
            total_budget += grant_budget;
            total_money.committed += grant_money.committed;
            total_money.disbursed += grant_money.disbursed;
            let mut figures = figures(Some(grant_budget), grant_money, 0, 0);
            // A grant's households would count a household on two of its lines twice.
            figures.households = None;
            figures.returnees = None;
            figures.per_household = None;
            figures.per_returnee = None;
            if threshold > 1 {
                let mut rows: Vec<&mut Figures> =
                    lines.iter_mut().map(|l| &mut l.figures).collect();
                protect_rows(&mut rows, threshold);
            }
            grants.push(GrantFigures {
                grant_id: g.grant_id,
                donor: g.donor.to_string(),
                reference: g.reference.to_string(),
                starts: g.starts,
                ends: g.ends,
                amount: i64::try_from(g.amount).unwrap_or(i64::MAX),
                figures,
                lines,
            });
        }

        // By assistance type and by country: the reader's offices' cases.
        let keyed = |key: &dyn Fn(&BudgetCell) -> String,
                     households: &[BudgetHouseholds],
                     budget: &dyn Fn(&str) -> Option<i64>|
         -> Vec<KeyFigures> {
            let mut money: BTreeMap<String, Sums> = BTreeMap::new();
            for c in &mine {
                money.entry(key(c)).or_default().add(c);
            }
            let mut counted: BTreeMap<String, (i64, i64)> = BTreeMap::new();
            for h in households {
                let e = counted.entry(h.key.clone()).or_default();
                e.0 += h.cases;
                e.1 += h.people;
            }
            let keys: BTreeSet<&String> = money.keys().chain(counted.keys()).collect();
            let mut out: Vec<KeyFigures> = keys
                .into_iter()
                .map(|k| {
                    let (cases, people) = counted.get(k).copied().unwrap_or_default();
                    KeyFigures {
                        key: k.clone(),
                        figures: figures(
                            budget(k),
                            money.get(k).copied().unwrap_or_default(),
                            cases,
                            people,
                        ),
                    }
                })
                .collect();
            if threshold > 1 {
                let mut rows: Vec<&mut Figures> = out.iter_mut().map(|k| &mut k.figures).collect();
                protect_rows(&mut rows, threshold);
            }
            out
        };
        let type_budget = |k: &str| {
            let lines = s
                .funding
                .iter()
                .flat_map(|g| &g.lines)
                .filter(|l| l.assistance.code() == k);
            let sum: u64 = lines.map(|l| l.amount).sum();
            (sum > 0).then(|| i64::try_from(sum).unwrap_or(i64::MAX))
        };
        // A line for any country is no country's budget: none by country.
        let by_assistance = keyed(&|c| c.assistance.clone(), &type_households, &type_budget);
        let by_country = keyed(
            &|c| c.country_of_return.clone(),
            &country_households,
            &|_| None,
        );
        // A household returns to one country: the countries' households are each once.
        let (all_households, all_people) = country_households
            .iter()
            .fold((0, 0), |(c, p), h| (c + h.cases, p + h.people));
        let mut mine_money = Sums::default();
        for c in &mine {
            mine_money.committed += c.committed;
            mine_money.disbursed += c.disbursed;
        }
        let mut total = figures(Some(total_budget), total_money, all_households, all_people);
        // What is committed per household is of the households counted.
        total.per_household = (all_households > 0).then(|| mine_money.committed / all_households);
        total.per_returnee = (all_people > 0).then(|| mine_money.committed / all_people);
        if threshold > 1 {
            hide_small(&mut total, threshold);
        }
        Ok(BudgetReport {
            programme: id,
            programme_code: programme.code.to_string(),
            programme_name: programme.name.to_string(),
            currency: s.currency.clone(),
            protected: !access.exact,
            own_offices_only: offices.is_some(),
            grants,
            by_assistance,
            by_country,
            total,
            definitions: DEFINITIONS.to_vec(),
        })
    }
}
