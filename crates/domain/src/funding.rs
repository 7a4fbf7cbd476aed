//! A programme's funding (DESIGN.md, "Assistance, grants and budgets"): grant agreements
//! from donors, each divided into budget lines per assistance type and country of return.
//! A plan item draws on a line; what approved plans commit and deliveries disburse is
//! counted per line (`Reintegration::committed_by_line`, `disbursed_by_line`), and a line
//! is never committed beyond its amount unless the plan carries an exception that a
//! second person approves with it (`decide::reintegration`, `budget_limits`).

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::case::reintegration::AssistanceType;
use crate::ids::{BudgetLineId, GrantId};
use crate::rules::Violation;
use crate::values::{CountryCode, CurrencyCode, ExchangeRate, Money, ShortText};

/// The largest amount a grant or a line may hold, in minor units: sums of many stay
/// within a signed 64-bit integer.
pub const MAX_AMOUNT: u64 = 1_000_000_000_000_000;

/// A grant agreement: a donor's money for the programme, over a period, in a currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Grant {
    pub grant_id: GrantId,
    /// The donor, as the agreement names it.
    pub donor: ShortText,
    /// The agreement's reference.
    pub reference: ShortText,
    /// The first and last day plans may be drafted against it.
    pub starts: NaiveDate,
    pub ends: NaiveDate,
    /// The grant's amount and its lines' are in its currency.
    pub currency: CurrencyCode,
    /// How many units of the grant's currency a unit of the programme's is worth, as the
    /// agreement fixes it (its budget rate, `655.957`): plans are in the programme's
    /// currency, and what they commit and disburse on the grant's lines counts in the
    /// grant's currency at this rate. Given when the grant's currency is not the
    /// programme's, and only then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget_rate: Option<ExchangeRate>,
    /// Minor units of the currency.
    #[cfg_attr(
        feature = "openapi",
        schema(minimum = 1, maximum = 1_000_000_000_000_000_u64)
    )]
    pub amount: u64,
    pub lines: Vec<BudgetLine>,
}

/// A budget line: part of a grant for one assistance type, in one country of return or
/// in any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BudgetLine {
    pub line_id: BudgetLineId,
    pub assistance: AssistanceType,
    /// The country of return it pays for; any of the programme's when absent.
    pub country: Option<CountryCode>,
    /// Minor units of the grant's currency.
    #[cfg_attr(
        feature = "openapi",
        schema(minimum = 1, maximum = 1_000_000_000_000_000_u64)
    )]
    pub amount: u64,
}

impl Grant {
    /// Whether plans may be drafted against it on `day`.
    pub fn covers(&self, day: NaiveDate) -> bool {
        self.starts <= day && day <= self.ends
    }

    /// `minor` units of the programme's currency (`programme`) in the grant's, at its
    /// budget rate, rounded half up (as they are when none is needed). Saturates
    /// rather than fail: amounts are bounded far below (`MAX_AMOUNT`).
    pub fn in_grant_currency(&self, minor: i64, programme: &CurrencyCode) -> i64 {
        match (
            &self.budget_rate,
            Money::new(minor.max(0), programme.clone()),
        ) {
            (Some(rate), Ok(m)) => rate
                .convert(&m, &self.currency)
                .map_or(i64::MAX, |c| c.amount_minor),
            _ => minor,
        }
    }

    /// The most a line's `amount` (of the grant's currency) lets plans commit, in minor
    /// units of the programme's currency: converted back at the budget rate and rounded
    /// down, so that what it allows never comes to more than the line in the grant's
    /// currency.
    pub fn limit_in_programme_currency(&self, amount: u64, programme: &CurrencyCode) -> i64 {
        let amount = i64::try_from(amount).unwrap_or(i64::MAX);
        match (&self.budget_rate, Money::new(amount, self.currency.clone())) {
            // Beyond what a minor-unit count holds: no limit a plan could reach.
            (Some(rate), Ok(m)) => rate
                .within(&m, programme)
                .map_or(i64::MAX, |c| c.amount_minor),
            _ => amount,
        }
    }
}

/// The grant and line of `id` among a programme's grants.
pub fn line(grants: &[Grant], id: BudgetLineId) -> Option<(&Grant, &BudgetLine)> {
    grants
        .iter()
        .find_map(|g| g.lines.iter().find(|l| l.line_id == id).map(|l| (g, l)))
}

/// The lines an item of this assistance type, for a return to `country`, may draw on
/// when drafted on `day`: those for the country first, then those for any.
pub fn lines_for<'g>(
    grants: &'g [Grant],
    assistance: AssistanceType,
    country: &CountryCode,
    day: NaiveDate,
) -> Vec<(&'g Grant, &'g BudgetLine)> {
    let mut out: Vec<(&Grant, &BudgetLine)> = grants
        .iter()
        .filter(|g| g.covers(day))
        .flat_map(|g| g.lines.iter().map(move |l| (g, l)))
        .filter(|(_, l)| {
            l.assistance == assistance && l.country.as_ref().is_none_or(|c| c == country)
        })
        .collect();
    out.sort_by_key(|(_, l)| l.country.is_none());
    out
}

/// Why a programme's grants cannot become `new`: a line that holds households in the
/// budget's figures (`in_figures`: as they stand, or as the last month a protected reader
/// reads ended) stays, for the same assistance type and country, whatever it commits now.
/// Else the figures of its type and country would hold money no line shown holds, and the
/// difference would be that line's, perhaps one household's.
pub fn lines_in_figures_violations(
    old: &[Grant],
    new: &[Grant],
    in_figures: &std::collections::BTreeSet<BudgetLineId>,
) -> Vec<Violation> {
    in_figures
        .iter()
        .filter(|id| {
            let kind = |g: &[Grant]| line(g, **id).map(|(_, l)| (l.assistance, l.country.clone()));
            kind(old).is_some() && kind(old) != kind(new)
        })
        .map(|id| {
            Violation::new(
                "funding.line_in_figures",
                format!(
                    "budget line {id} holds households in the budget's figures (as they stand, or as the last month they are read as ended): it stays, for the same assistance type and country, until none are"
                ),
            )
            .at("funding")
            .param("line", id)
        })
        .collect()
}

/// Why a programme's grants cannot become `new`: a line in use (`used`: households on
/// it in the budget's figures, as they stand or as the last month a protected reader
/// reads ended, or plans committing on it) stays in a grant of the same currency and
/// budget rate. Its amount is in its grant's currency, and its figures are shown in it
/// at that rate: another would change what its amount means and what past months were
/// reported as (an amended rate is a new grant, with new lines).
pub fn rates_in_use_violations(
    old: &[Grant],
    new: &[Grant],
    used: &std::collections::BTreeSet<BudgetLineId>,
) -> Vec<Violation> {
    let same = |a: &Grant, b: &Grant| {
        a.currency == b.currency
            && match (&a.budget_rate, &b.budget_rate) {
                (None, None) => true,
                (Some(x), Some(y)) => x.same_as(y),
                _ => false,
            }
    };
    let mut grants: std::collections::BTreeSet<usize> = std::collections::BTreeSet::new();
    for id in used {
        let (Some((before, _)), Some(n)) = (
            line(old, *id),
            new.iter()
                .position(|g| g.lines.iter().any(|l| l.line_id == *id)),
        ) else {
            continue;
        };
        if !same(before, &new[n]) {
            grants.insert(n);
        }
    }
    grants
        .into_iter()
        .map(|n| {
            Violation::new(
                "funding.rate_in_use",
                format!(
                    "grant {} holds budget lines in use, whose amounts and figures are in a currency at a budget rate: they stay in a grant of that currency and rate (an amended rate is a new grant, with new lines)",
                    new[n].reference
                ),
            )
            .at(format!("funding/{n}/budget_rate"))
        })
        .collect()
}

/// Why a programme's grants cannot become `new`: a line its cases commit (`committed`)
/// stays, for the same assistance type and country, holding at least what they commit.
/// Plans in force name it, and the budget page sums them by it.
pub fn lines_in_use_violations(
    old: &[Grant],
    new: &[Grant],
    committed: &std::collections::BTreeMap<BudgetLineId, i64>,
    currency: &CurrencyCode,
) -> Vec<Violation> {
    let mut out = vec![];
    for (id, amount) in committed.iter().filter(|(_, c)| **c > 0) {
        let before = line(old, *id);
        let kind = before.map(|(_, l)| (l.assistance, l.country.clone()));
        // What is committed is in the programme's currency (`currency`): the line, in
        // its grant's at the grant's budget rate (which may have changed), must allow it,
        // or, if plans approved with an exception already took it beyond, not go lower.
        let least = before.map_or(*amount, |(g, l)| {
            (*amount).min(g.limit_in_programme_currency(l.amount, currency))
        });
        let kept = line(new, *id).is_some_and(|(g, l)| {
            Some((l.assistance, l.country.clone())) == kind
                && g.limit_in_programme_currency(l.amount, currency) >= least
        });
        if !kept {
            out.push(
                Violation::new(
                    "funding.line_in_use",
                    format!(
                        "budget line {id} is drawn on by approved plans ({amount} minor units of the programme's currency committed): it stays, for the same assistance type and country, with at least that amount at its grant's budget rate (or, where plans approved with an exception took it beyond, no less than it holds now)"
                    ),
                )
                .at("funding")
                .param("line", id)
                .param("committed", amount),
            );
        }
    }
    out
}

/// Why these grants cannot be a programme's funding; empty when they can. Fields are
/// named from the grants' list (`funding/0/lines/1/amount`).
pub fn funding_violations(
    grants: &[Grant],
    currency: &CurrencyCode,
    return_countries: &BTreeSet<CountryCode>,
) -> Vec<Violation> {
    let mut out = vec![];
    let mut grant_ids = BTreeSet::new();
    let mut line_ids = BTreeSet::new();
    let amount = |a: u64, at: String, out: &mut Vec<Violation>| {
        if !(1..=MAX_AMOUNT).contains(&a) {
            out.push(
                Violation::new(
                    "funding.amount",
                    format!("an amount is more than zero and at most {MAX_AMOUNT} minor units"),
                )
                .at(at),
            );
        }
    };
    for (g, grant) in grants.iter().enumerate() {
        let at = |f: &str| format!("funding/{g}/{f}");
        if !grant_ids.insert(grant.grant_id) {
            out.push(
                Violation::new("funding.duplicate_id", "two grants have this id")
                    .at(at("grant_id")),
            );
        }
        if grant.ends < grant.starts {
            out.push(
                Violation::new(
                    "funding.period",
                    "a grant ends on or after the day it starts",
                )
                .at(at("ends")),
            );
        }
        match (&grant.currency == currency, &grant.budget_rate) {
            (false, None) => out.push(
                Violation::new(
                    "funding.budget_rate_required",
                    format!(
                        "the grant is in {} and plans in the programme's currency, {currency}: give the agreement's budget rate, how many {} one {currency} is worth",
                        grant.currency, grant.currency
                    ),
                )
                .at(at("budget_rate"))
                .param("currency", currency),
            ),
            (true, Some(_)) => out.push(
                Violation::new(
                    "funding.budget_rate_same_currency",
                    format!(
                        "the grant is in the programme's currency, {currency}: it has no budget rate"
                    ),
                )
                .at(at("budget_rate")),
            ),
            _ => {}
        }
        amount(grant.amount, at("amount"), &mut out);
        let mut kinds = BTreeSet::new();
        let mut sum: u128 = 0;
        for (n, l) in grant.lines.iter().enumerate() {
            let at = |f: &str| format!("funding/{g}/lines/{n}/{f}");
            if !line_ids.insert(l.line_id) {
                out.push(
                    Violation::new("funding.duplicate_id", "two budget lines have this id")
                        .at(at("line_id")),
                );
            }
            if !kinds.insert((l.assistance, l.country.clone())) {
                out.push(
                    Violation::new(
                        "funding.line_repeated",
                        "the grant has another line for this assistance type and country",
                    )
                    .at(at("assistance")),
                );
            }
            if let Some(c) = &l.country
                && !return_countries.is_empty()
                && !return_countries.contains(c)
            {
                out.push(
                    Violation::new(
                        "funding.line_country",
                        format!("{c} is not a country of return of the programme"),
                    )
                    .at(at("country")),
                );
            }
            amount(l.amount, at("amount"), &mut out);
            sum += u128::from(l.amount);
        }
        if sum > u128::from(grant.amount) {
            out.push(
                Violation::new(
                    "funding.lines_above_grant",
                    "the grant's budget lines add up to more than the grant",
                )
                .at(at("lines"))
                .param("lines", sum)
                .param("grant", grant.amount),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn eur() -> CurrencyCode {
        CurrencyCode::parse("EUR").unwrap()
    }

    fn grant(lines: Vec<BudgetLine>) -> Grant {
        Grant {
            grant_id: GrantId(Uuid::new_v4()),
            donor: ShortText::parse("European Union").unwrap(),
            reference: ShortText::parse("AMIF-2026-01").unwrap(),
            starts: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            ends: NaiveDate::from_ymd_opt(2027, 12, 31).unwrap(),
            currency: eur(),
            budget_rate: None,
            amount: 10_000_000,
            lines,
        }
    }

    fn line(assistance: AssistanceType, country: Option<&str>, amount: u64) -> BudgetLine {
        BudgetLine {
            line_id: BudgetLineId(Uuid::new_v4()),
            assistance,
            country: country.map(|c| CountryCode::parse(c).unwrap()),
            amount,
        }
    }

    fn codes(v: &[Violation]) -> Vec<(&str, Option<&str>)> {
        v.iter().map(|v| (v.code, v.field.as_deref())).collect()
    }

    #[test]
    fn a_grant_is_divided_into_lines_it_can_pay_for() {
        let returns: BTreeSet<CountryCode> = [CountryCode::parse("SN").unwrap()].into();
        let ok = grant(vec![
            line(AssistanceType::ReintegrationAllowance, None, 6_000_000),
            line(AssistanceType::MedicalCare, Some("SN"), 4_000_000),
        ]);
        assert!(funding_violations(std::slice::from_ref(&ok), &eur(), &returns).is_empty());
        // The lines add up to more than the grant; a line in a country the programme
        // does not return to; a line repeated; a second grant with the same id; a grant
        // that ends before it starts, in another currency, of nothing.
        let mut over = ok.clone();
        over.lines
            .push(line(AssistanceType::Housing, Some("ML"), 1));
        over.lines
            .push(line(AssistanceType::MedicalCare, Some("SN"), 1));
        over.ends = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
        over.currency = CurrencyCode::parse("USD").unwrap();
        let mut empty = grant(vec![line(AssistanceType::Housing, None, 0)]);
        empty.amount = 0;
        empty.grant_id = ok.grant_id;
        let v = funding_violations(&[over, empty], &eur(), &returns);
        assert_eq!(
            codes(&v),
            [
                ("funding.period", Some("funding/0/ends")),
                (
                    "funding.budget_rate_required",
                    Some("funding/0/budget_rate")
                ),
                ("funding.line_country", Some("funding/0/lines/2/country")),
                (
                    "funding.line_repeated",
                    Some("funding/0/lines/3/assistance")
                ),
                ("funding.lines_above_grant", Some("funding/0/lines")),
                ("funding.duplicate_id", Some("funding/1/grant_id")),
                ("funding.amount", Some("funding/1/amount")),
                ("funding.amount", Some("funding/1/lines/0/amount")),
            ]
        );
        // Any country when the programme names none.
        let anywhere = grant(vec![line(AssistanceType::Housing, Some("ML"), 1)]);
        assert!(funding_violations(&[anywhere], &eur(), &BTreeSet::new()).is_empty());
        // A budget rate only where the currencies differ.
        let mut rated = ok.clone();
        rated.budget_rate = Some(ExchangeRate::parse("1.08").unwrap());
        let v = funding_violations(std::slice::from_ref(&rated), &eur(), &returns);
        assert_eq!(
            codes(&v),
            [(
                "funding.budget_rate_same_currency",
                Some("funding/0/budget_rate")
            )]
        );
        rated.currency = CurrencyCode::parse("USD").unwrap();
        assert!(funding_violations(&[rated], &eur(), &returns).is_empty());
    }

    /// A line in use is not lowered below what plans commit on it; one that plans
    /// approved with an exception took beyond its amount stays as it is (or rises), so
    /// that the programme's other settings can still be saved.
    #[test]
    fn a_line_in_use_keeps_what_plans_commit_or_at_least_its_amount() {
        let g = grant(vec![line(AssistanceType::Housing, None, 100)]);
        let id = g.lines[0].line_id;
        let with = |amount: u64| {
            let mut n = g.clone();
            n.lines[0].amount = amount;
            vec![n]
        };
        let old = vec![g.clone()];
        let codes_for = |committed: i64, amount: u64| {
            let c = [(id, committed)].into();
            lines_in_use_violations(&old, &with(amount), &c, &eur())
                .iter()
                .map(|v| v.code)
                .collect::<Vec<_>>()
        };
        assert!(codes_for(80, 80).is_empty());
        assert_eq!(codes_for(80, 79), ["funding.line_in_use"]);
        // Over by an exception: it may stay, or rise, not fall.
        assert!(codes_for(150, 100).is_empty());
        assert!(codes_for(150, 120).is_empty());
        assert_eq!(codes_for(150, 99), ["funding.line_in_use"]);
        // Dropped: refused whatever its amount.
        let c = [(id, 1)].into();
        assert_eq!(
            lines_in_use_violations(&old, &[grant(vec![])], &c, &eur()).len(),
            1
        );
    }

    /// A line in the figures keeps its type and country (its amount may change), and may
    /// go once it is in none; one that never was may go at once.
    #[test]
    fn a_line_in_the_figures_keeps_its_type_and_country() {
        let g = grant(vec![
            line(AssistanceType::Housing, None, 100),
            line(AssistanceType::MedicalCare, None, 100),
        ]);
        let (id, other) = (g.lines[0].line_id, g.lines[1].line_id);
        let old = vec![g.clone()];
        let shown: std::collections::BTreeSet<_> = [id].into();
        let codes = |new: Vec<Grant>, shown| {
            lines_in_figures_violations(&old, &new, shown)
                .iter()
                .map(|v| v.code)
                .collect::<Vec<_>>()
        };
        let mut lowered = g.clone();
        lowered.lines[0].amount = 1;
        assert!(codes(vec![lowered], &shown).is_empty());
        let mut retyped = g.clone();
        retyped.lines[0].assistance = AssistanceType::VocationalTraining;
        assert_eq!(codes(vec![retyped], &shown), ["funding.line_in_figures"]);
        let mut moved = g.clone();
        moved.lines[0].country = Some(CountryCode::parse("SN").unwrap());
        assert_eq!(codes(vec![moved], &shown), ["funding.line_in_figures"]);
        assert_eq!(
            codes(vec![], &shown),
            ["funding.line_in_figures"],
            "its grant gone"
        );
        let mut without_other = g.clone();
        without_other.lines.retain(|l| l.line_id != other);
        assert!(codes(vec![without_other], &shown).is_empty());
        assert!(codes(vec![], &Default::default()).is_empty());
    }

    /// A grant with a line in the figures keeps its rate; one without may change it.
    #[test]
    fn a_grant_in_the_figures_keeps_its_budget_rate() {
        let mut g = grant(vec![line(AssistanceType::Housing, None, 100)]);
        g.currency = CurrencyCode::parse("XOF").unwrap();
        g.budget_rate = Some(ExchangeRate::parse("655.957").unwrap());
        let mut amended = g.clone();
        amended.budget_rate = Some(ExchangeRate::parse("650").unwrap());
        let shown: std::collections::BTreeSet<_> = [g.lines[0].line_id].into();
        let v = rates_in_use_violations(&[g.clone()], &[amended.clone()], &shown);
        assert_eq!(
            v.iter()
                .map(|v| (v.code, v.field.as_deref()))
                .collect::<Vec<_>>(),
            [("funding.rate_in_use", Some("funding/0/budget_rate"))]
        );
        assert!(
            rates_in_use_violations(&[g.clone()], &[amended.clone()], &Default::default())
                .is_empty()
        );
        let mut renamed = g.clone();
        renamed.amount = 5;
        renamed.budget_rate = Some(ExchangeRate::parse("655.9570").unwrap());
        assert!(
            rates_in_use_violations(&[g.clone()], &[renamed], &shown).is_empty(),
            "the same rate, written otherwise"
        );
        // Its line moved to a grant of another rate, or the grant replaced under a new id.
        amended.grant_id = GrantId(Uuid::new_v4());
        assert_eq!(
            rates_in_use_violations(&[g.clone()], &[amended.clone()], &shown).len(),
            1
        );
        let mut euros = grant(vec![]);
        euros.lines = g.lines.clone();
        let mut emptied = g.clone();
        emptied.lines.clear();
        assert_eq!(
            rates_in_use_violations(&[g], &[emptied, euros], &shown)
                .iter()
                .map(|v| v.field.as_deref())
                .collect::<Vec<_>>(),
            [Some("funding/1/budget_rate")]
        );
    }

    /// A grant in another currency: plans in the programme's commit on its lines at the
    /// agreement's budget rate; a line lets plans commit, in the programme's currency, no
    /// more than converts within it.
    #[test]
    fn a_grant_in_another_currency_counts_plans_at_its_budget_rate() {
        let mut g = grant(vec![line(AssistanceType::Housing, None, 100_000)]);
        g.currency = CurrencyCode::parse("XOF").unwrap();
        g.budget_rate = Some(ExchangeRate::parse("655.957").unwrap());
        // 100.00 EUR is 65,596 XOF (no minor unit), rounded half up.
        assert_eq!(g.in_grant_currency(10_000, &eur()), 65_596);
        // 100,000 XOF lets plans commit 152.44 EUR: 152.45 would be 100,001 XOF.
        let limit = g.limit_in_programme_currency(100_000, &eur());
        assert_eq!(limit, 15_244);
        assert!(g.in_grant_currency(limit, &eur()) <= 100_000);
        assert!(g.in_grant_currency(limit + 1, &eur()) > 100_000);
        // In the programme's currency nothing is converted.
        let same = grant(vec![]);
        assert_eq!(same.in_grant_currency(12_345, &eur()), 12_345);
        assert_eq!(same.limit_in_programme_currency(12_345, &eur()), 12_345);
    }

    #[test]
    fn a_line_is_found_by_its_id_and_a_grant_covers_its_period() {
        let g = grant(vec![line(AssistanceType::Housing, None, 5)]);
        let id = g.lines[0].line_id;
        let grants = [g];
        assert_eq!(super::line(&grants, id).map(|(_, l)| l.amount), Some(5));
        assert!(super::line(&grants, BudgetLineId(Uuid::nil())).is_none());
        let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
        assert!(grants[0].covers(day(1, 1)));
        assert!(!grants[0].covers(NaiveDate::from_ymd_opt(2025, 12, 31).unwrap()));
    }
}
