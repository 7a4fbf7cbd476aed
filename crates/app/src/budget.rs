//! The programme's budget page (DESIGN.md, "Assistance, grants and budgets"): per grant
//! and budget line, what it holds, what approved plans commit, what deliveries disbursed,
//! what is left and the share executed; per assistance type and per country of return;
//! what plans commit per household and per returnee. Summed from `case_budget` (the
//! domain's `committed_by_line` and `disbursed_by_line` of each case).
//!
//! Read by whoever reads the statistics (`access::statistics_access`). What each line and
//! grant holds, commits and disburses is the programme's, whatever the reader's offices:
//! a line's remainder is what every plan may still take. Households and returnees, what
//! is committed per household, and the tables by assistance type and country count only
//! the reader's offices' cases when they read their own offices' (those tables then have
//! no budget to compare with).
//!
//! A protected reader (a donor, an auditor) gets no figure of fewer households than the
//! statistics' threshold: neither their count nor their money (one household's plan). A
//! row whose money is published beside a total lets the hidden rows' money be worked out
//! as the difference, so within each table the rows hidden together hold at least the
//! threshold's households (the smallest others are hidden with them), or the total is
//! hidden too (`hide_groups`); an assistance type, which sums its lines, is hidden when
//! its hidden lines hold fewer. A protected reader's money and households are as the
//! last whole month ended (the kept sums by month, `BudgetReport::as_of`): read before
//! and after one plan is approved, figures as they stand would tell what it commits.

use std::collections::{BTreeMap, BTreeSet};

use homeward_domain::case::reintegration::AssistanceType;
use homeward_domain::funding::Grant;
use homeward_domain::ids::{BudgetLineId, GrantId, ProgrammeId};
use homeward_domain::values::{CountryCode, CurrencyCode, ExchangeRate};
use homeward_store::{BudgetCell, BudgetHouseholds, HouseholdsBy};
use serde::Serialize;

use crate::auth::Principal;
use crate::{App, AppError, Result};

/// Money and households of a line, a grant, an assistance type, a country or the
/// programme. Amounts are minor units of the grant's currency for a grant and its lines,
/// of the programme's for the rest (`BudgetReport::currency`); `null` when hidden
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
    /// The currency of the grant's amounts and its lines'.
    pub currency: CurrencyCode,
    /// Units of the grant's currency a unit of the programme's is worth, when they
    /// differ: plans (in the programme's currency) count on its lines at this rate.
    pub budget_rate: Option<ExchangeRate>,
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
    /// The currency of the tables by assistance type and country and of the total (a
    /// grant's figures are in its own).
    pub currency: CurrencyCode,
    /// Small numbers hidden (a donor's, an auditor's reading).
    pub protected: bool,
    /// The last day of the month the figures are as of (a protected reader's: the last
    /// whole month); none: as they stand now. Budgets are as they stand.
    pub as_of: Option<chrono::NaiveDate>,
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

pub const DEFINITIONS: [&str; 6] = [
    "Committed: what the approved plans in force hold on the line; an item the returnee declined or that was closed counts only for what was delivered of it.",
    "Disbursed: deliveries that count (signed by a second person where the programme asks for it, not reversed), at their value in the programme's currency.",
    "Remaining: the budget less what is committed; executed: disbursed as a share of the budget.",
    "A household counts once in each line, type and country its plan draws on, and once in the programme's total; returnees are the members of those households.",
    "A grant and its lines are in the grant's currency: plans, in the programme's currency, count on them at the grant's budget rate. The tables by assistance type and country of return and the total are in the programme's currency, a line's budget converted back at its grant's rate and rounded down (what plans may commit on it).",
    "Where small numbers are protected, what plans commit, what was disbursed and the households are as they stood at the end of the last month whose recording is settled, a day after it ended (as_of), by when each change was recorded: what was recorded since is not counted yet. A month's change is what all its records changed: where one plan was the only change on a line in a month, two readings a month apart tell its amount. Budgets are as they stand.",
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
        self.committed = self.committed.saturating_add(c.committed);
        self.disbursed = self.disbursed.saturating_add(c.disbursed);
        self.cases = self.cases.saturating_add(c.cases);
        self.people = self.people.saturating_add(c.people);
    }

    /// The money in `grant`'s currency (it is counted in the programme's, `currency`).
    fn in_grant(self, grant: &Grant, currency: &CurrencyCode) -> Sums {
        Sums {
            committed: grant.in_grant_currency(self.committed, currency),
            disbursed: grant.in_grant_currency(self.disbursed, currency),
            ..self
        }
    }

    fn plus(self, o: Sums) -> Sums {
        Sums {
            committed: self.committed.saturating_add(o.committed),
            disbursed: self.disbursed.saturating_add(o.disbursed),
            cases: self.cases.saturating_add(o.cases),
            people: self.people.saturating_add(o.people),
        }
    }
}

/// A row's figures: `money` against `budget` (both the programme's, or both the reader's
/// offices'), and `counted` households with what `counted_money` commits per household.
fn figures(
    budget: Option<i64>,
    money: Sums,
    households: i64,
    people: i64,
    counted_money: i64,
) -> Figures {
    let per = |n: i64| (n > 0).then(|| counted_money / n);
    Figures {
        budget,
        committed: Some(money.committed),
        disbursed: Some(money.disbursed),
        remaining: budget.map(|b| b.saturating_sub(money.committed)),
        executed_percent: budget
            .filter(|b| *b > 0)
            .map(|b| (money.disbursed as f64 * 1000.0 / b as f64).round() / 10.0),
        households: Some(households),
        returnees: Some(people),
        per_household: per(households),
        per_returnee: per(people),
    }
}

/// Every figure about the households of a row, and its money, hidden; its budget (the
/// programme's) stays.
fn hide(f: &mut Figures) {
    *f = Figures {
        budget: f.budget,
        ..Figures::default()
    };
}

/// Hides, for a protected reader, what `disclosure::cover_money` hides of one table's
/// rows; false when the table's total must be hidden too.
fn hide_groups(rows: &mut [&mut Figures], threshold: i64) -> bool {
    let households: Vec<i64> = rows.iter().map(|f| f.households.unwrap_or(0)).collect();
    let (hidden, total_shown) = homeward_domain::disclosure::cover_money(&households, threshold);
    for (f, h) in rows.iter_mut().zip(hidden) {
        if h {
            hide(f);
        }
    }
    total_shown
}

impl App {
    /// The budget page of a programme: a protected reader's money and households as the
    /// last whole month ended, once its recording is settled (`stats::settled_month_end`).
    pub async fn budget_report(&self, p: &Principal, id: ProgrammeId) -> Result<BudgetReport> {
        let last = homeward_domain::stats::settled_month_end(crate::now());
        self.budget_report_until(p, id, last).await
    }

    /// `budget_report`, with a protected reader's money and households as the month of
    /// `until` ended. The interfaces call `budget_report`; this is for tests (which write
    /// nothing in past months) and reports of a closed period.
    pub async fn budget_report_until(
        &self,
        p: &Principal,
        id: ProgrammeId,
        until: chrono::NaiveDate,
    ) -> Result<BudgetReport> {
        let access = p.actor.statistics_access().ok_or_else(|| {
            AppError::Forbidden(
                "the budget is for programme managers, M&E officers, donors and auditors".into(),
            )
        })?;
        let programme = self.get_programme(id).await?;
        let s = &programme.settings;
        let offices: Option<Vec<homeward_domain::ids::OfficeId>> =
            access.offices.as_ref().map(|o| o.iter().copied().collect());
        let store = self.store();
        // A protected reader reads the sums as the last whole month ended: read before
        // and after a plan is approved, they would tell what it commits.
        let as_of = (!access.exact).then_some(until);
        let month = as_of.map(homeward_domain::stats::first_of_month);
        // The lines' money is the programme's; households are the reader's offices'.
        let all = store.budget_cells(id, None, month).await?;
        let mine = match &offices {
            None => all.clone(),
            Some(o) => store.budget_cells(id, Some(o), month).await?,
        };
        let type_households = store
            .budget_households(id, offices.as_deref(), HouseholdsBy::Assistance, month)
            .await?;
        let country_households = store
            .budget_households(id, offices.as_deref(), HouseholdsBy::Country, month)
            .await?;
        let threshold = match access.exact {
            true => 0,
            false => self.stats_threshold(),
        };
        let protected = threshold > 1;
        let sums_by = |cells: &[BudgetCell], key: &dyn Fn(&BudgetCell) -> String| {
            let mut out: BTreeMap<String, Sums> = BTreeMap::new();
            for c in cells {
                out.entry(key(c)).or_default().add(c);
            }
            out
        };
        let line_all = sums_by(&all, &|c| c.line_id.to_string());
        let line_mine = sums_by(&mine, &|c| c.line_id.to_string());
        let amount = |a: u64| i64::try_from(a).unwrap_or(i64::MAX);

        let mut grants = vec![];
        let mut total_budget: i64 = 0;
        let mut total_money = Sums::default();
        // Per assistance type: its lines' budget, and the households of its lines hidden.
        let mut hidden_of_type: BTreeMap<&'static str, i64> = BTreeMap::new();
        let mut grants_whole = true;
        for g in &s.funding {
            let mut lines = vec![];
            let mut grant_money = Sums::default();
            let mut grant_budget: i64 = 0;
            for l in &g.lines {
                let key = l.line_id.0.to_string();
                let money = line_all.get(&key).copied().unwrap_or_default();
                let mine = line_mine.get(&key).copied().unwrap_or_default();
                // The programme's total: its own currency, what plans may commit.
                total_budget = total_budget
                    .saturating_add(g.limit_in_programme_currency(l.amount, &s.currency));
                total_money = total_money.plus(money);
                // The grant and its lines: the grant's currency.
                let (money, mine) = (
                    money.in_grant(g, &s.currency),
                    mine.in_grant(g, &s.currency),
                );
                let budget = amount(l.amount);
                grant_budget = grant_budget.saturating_add(budget);
                grant_money = grant_money.plus(money);
                lines.push(LineFigures {
                    line_id: l.line_id,
                    assistance: l.assistance,
                    country: l.country.clone(),
                    figures: figures(Some(budget), money, mine.cases, mine.people, mine.committed),
                });
            }
            // A grant's households would count a household on two of its lines twice.
            let mut figures = figures(Some(grant_budget), grant_money, 0, 0, 0);
            figures.households = None;
            figures.returnees = None;
            if protected {
                let before: Vec<bool> = lines
                    .iter()
                    .map(|l| l.figures.committed.is_some())
                    .collect();
                let mut rows: Vec<&mut Figures> =
                    lines.iter_mut().map(|l| &mut l.figures).collect();
                if !hide_groups(&mut rows, threshold) {
                    hide(&mut figures);
                    grants_whole = false;
                }
                for ((l, shown), spec) in lines.iter().zip(before).zip(&g.lines) {
                    if shown && l.figures.committed.is_none() {
                        let households = line_mine
                            .get(&spec.line_id.0.to_string())
                            .map_or(0, |m| m.cases);
                        *hidden_of_type.entry(spec.assistance.code()).or_default() += households;
                    }
                }
            }
            grants.push(GrantFigures {
                grant_id: g.grant_id,
                donor: g.donor.to_string(),
                reference: g.reference.to_string(),
                starts: g.starts,
                ends: g.ends,
                currency: g.currency.clone(),
                budget_rate: g.budget_rate.clone(),
                amount: amount(g.amount),
                figures,
                lines,
            });
        }

        // By assistance type and by country: the reader's offices' cases; against a
        // budget only when they are the programme's.
        let own_only = offices.is_some();
        let counted = |households: &[BudgetHouseholds]| {
            let mut out: BTreeMap<String, (i64, i64)> = BTreeMap::new();
            for h in households {
                let e = out.entry(h.key.clone()).or_default();
                e.0 += h.cases;
                e.1 += h.people;
            }
            out
        };
        let keyed = |money: BTreeMap<String, Sums>,
                     households: BTreeMap<String, (i64, i64)>,
                     budget: &dyn Fn(&str) -> Option<i64>|
         -> Vec<KeyFigures> {
            let keys: BTreeSet<&String> = money.keys().chain(households.keys()).collect();
            keys.into_iter()
                .map(|k| {
                    let m = money.get(k).copied().unwrap_or_default();
                    let (cases, people) = households.get(k).copied().unwrap_or_default();
                    KeyFigures {
                        key: k.clone(),
                        figures: figures(
                            budget(k).filter(|_| !own_only),
                            m,
                            cases,
                            people,
                            m.committed,
                        ),
                    }
                })
                .collect()
        };
        let type_budget = |k: &str| {
            let sum: i64 = s
                .funding
                .iter()
                .flat_map(|g| g.lines.iter().map(move |l| (g, l)))
                .filter(|(_, l)| l.assistance.code() == k)
                .map(|(g, l)| g.limit_in_programme_currency(l.amount, &s.currency))
                .fold(0, i64::saturating_add);
            (sum > 0).then_some(sum)
        };
        let mut by_assistance = keyed(
            sums_by(&mine, &|c| c.assistance.clone()),
            counted(&type_households),
            &type_budget,
        );
        let mut by_country = keyed(
            sums_by(&mine, &|c| c.country_of_return.clone()),
            counted(&country_households),
            &|_| None,
        );
        // A household returns to one country: the countries' households are each once.
        let (households, people) = country_households
            .iter()
            .fold((0, 0), |(c, p), h| (c + h.cases, p + h.people));
        let mine_committed = mine.iter().fold(0i64, |s, c| s.saturating_add(c.committed));
        let mut total = figures(
            Some(total_budget),
            total_money,
            households,
            people,
            mine_committed,
        );
        if protected {
            use homeward_domain::disclosure::cover_money_with;
            let households_of = |rows: &[KeyFigures]| -> Vec<i64> {
                rows.iter()
                    .map(|k| k.figures.households.unwrap_or(0))
                    .collect()
            };
            let (type_households, country_households) =
                (households_of(&by_assistance), households_of(&by_country));
            // A type sums its lines: with any hidden line it would give it away (a line
            // hidden only to cover a small one, taken from its type, would leave the small
            // one to the grant's total less the lines shown). Covered like a small row,
            // with its households counted.
            let forced: Vec<bool> = by_assistance
                .iter()
                .map(|k| hidden_of_type.get(k.key.as_str()).is_some_and(|h| *h > 0))
                .collect();
            let (mut hide_types, types_whole) =
                cover_money_with(&type_households, &forced, threshold);
            let (mut hide_countries, countries_whole) =
                cover_money_with(&country_households, &[], threshold);
            let total_hidden = !(grants_whole && types_whole && countries_whole)
                || (1..threshold).contains(&households);
            if total_hidden {
                // Rows that add up to the hidden total would give it: each table hides
                // one at least (its smallest), covered.
                for (hidden, counts) in [
                    (&mut hide_types, &type_households),
                    (&mut hide_countries, &country_households),
                ] {
                    let any = hidden.iter().zip(counts).any(|(h, n)| *h && *n > 0);
                    let smallest = (0..counts.len())
                        .filter(|&n| counts[n] > 0)
                        .min_by_key(|&n| counts[n]);
                    if let (false, Some(n)) = (any, smallest) {
                        let mut forced = hidden.clone();
                        forced[n] = true;
                        *hidden = cover_money_with(counts, &forced, threshold).0;
                    }
                }
                hide(&mut total);
            }
            for (k, h) in by_assistance.iter_mut().zip(&hide_types) {
                if *h {
                    hide(&mut k.figures);
                }
            }
            for (k, h) in by_country.iter_mut().zip(&hide_countries) {
                if *h {
                    hide(&mut k.figures);
                }
            }
        }
        Ok(BudgetReport {
            programme: id,
            programme_code: programme.code.to_string(),
            programme_name: programme.name.to_string(),
            currency: s.currency.clone(),
            protected: !access.exact,
            as_of,
            own_offices_only: own_only,
            grants,
            by_assistance,
            by_country,
            total,
            definitions: DEFINITIONS.to_vec(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hidden_row_keeps_its_budget_and_loses_its_money_and_households() {
        let row = |n: i64| {
            figures(
                Some(1_000),
                Sums {
                    committed: 100 * n,
                    ..Sums::default()
                },
                n,
                n,
                100 * n,
            )
        };
        let mut t = [row(1), row(2), row(3), row(10)];
        let mut rows: Vec<&mut Figures> = t.iter_mut().collect();
        assert!(hide_groups(&mut rows, 5));
        assert_eq!(t[0].budget, Some(1_000));
        assert_eq!(
            (t[0].committed, t[0].households, t[0].per_household),
            (None, None, None)
        );
        assert_eq!(t[3].committed, Some(1_000));
    }
}
