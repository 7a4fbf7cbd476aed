//! The referral figures (DESIGN.md, "Referrals": referrals by type, organisation, outcome
//! and time to answer): counted from the referral rows, whose outcome and days to answer
//! are the domain's (`ReferralRecord::outcome`, `days_to_answer`). Exact for the readers
//! who see exact figures of their own offices (programme managers and M&E officers);
//! for protected readers (donors, auditors, administrators) every office's, in whole
//! months, through the same disclosure audit as the returns tables
//! (`disclosure::protect_table`).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use homeward_domain::case::referrals::ReferralOutcome;
use homeward_domain::disclosure::{Shape, protect_table};
use homeward_domain::organisation::ServiceType;
use homeward_domain::stats::{Counts, Links, Published};
use homeward_store::ReferralFigure;
use serde::Serialize;

use crate::auth::Principal;
use crate::{App, AppError, Result};

/// Referrals of one need, or one organisation, or all of them. For a reader who may not
/// see small numbers, a hidden figure is `null`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReferralLine {
    /// The need's code or the organisation's id; empty for the total.
    pub key: String,
    /// The organisation's name (its latest in the referrals); empty for a need.
    pub name: String,
    /// How many ended, or stand, in each outcome (`ReferralOutcome` codes); `null` when
    /// hidden.
    pub outcomes: BTreeMap<String, Option<i64>>,
    /// `null` when hidden.
    pub referrals: Option<i64>,
    /// How many the organisation answered (accepted, declined or delivered); exact
    /// readers only.
    pub answered: Option<i64>,
    /// The mean of whole days from sending to the first answer, of those answered (for
    /// a protected reader, only of at least as many answers as the smallest count shown).
    pub mean_days_to_answer: Option<f64>,
}

/// The exact counts of a line, as the referral rows give them.
#[derive(Debug, Clone, Default)]
struct Tally {
    key: String,
    name: String,
    outcomes: BTreeMap<String, i64>,
    referrals: i64,
    answered: i64,
    answer_days: i64,
}

impl Tally {
    fn add(&mut self, f: &ReferralFigure) {
        *self.outcomes.entry(f.outcome.clone()).or_default() += f.referrals;
        self.referrals += f.referrals;
        self.answered += f.answered;
        self.answer_days += f.answer_days;
    }

    fn mean_days(&self) -> Option<f64> {
        (self.answered > 0)
            .then(|| (self.answer_days as f64 / self.answered as f64 * 10.0).round() / 10.0)
    }

    fn exact(&self) -> ReferralLine {
        ReferralLine {
            key: self.key.clone(),
            name: self.name.clone(),
            outcomes: self
                .outcomes
                .iter()
                .map(|(k, v)| (k.clone(), Some(*v)))
                .collect(),
            referrals: Some(self.referrals),
            answered: Some(self.answered),
            mean_days_to_answer: self.mean_days(),
        }
    }

    /// The line as a protected reader gets it: `outcomes` and `referrals` as published.
    fn protected(
        &self,
        outcomes: impl Iterator<Item = (String, Option<i64>)>,
        referrals: Option<i64>,
        threshold: i64,
    ) -> ReferralLine {
        ReferralLine {
            key: self.key.clone(),
            name: self.name.clone(),
            outcomes: outcomes.filter(|(_, v)| *v != Some(0)).collect(),
            referrals,
            answered: None,
            mean_days_to_answer: self.mean_days().filter(|_| self.answered >= threshold),
        }
    }
}

/// The referral figures of a reader's offices in a period.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReferralFigures {
    /// The outcomes counted, in order.
    pub outcomes: Vec<ReferralOutcome>,
    pub by_service: Vec<ReferralLine>,
    pub by_organisation: Vec<ReferralLine>,
    pub total: ReferralLine,
    /// Small counts hidden (with what would give them away): every office's referrals,
    /// for donors, auditors and administrators; the period in whole months.
    pub protected: bool,
}

/// Publishes two tables of the same referrals by outcome (by need, by organisation) for
/// a protected reader: each through the disclosure audit; the outcome totals and the
/// grand total they share hidden in both wherever either hides them (hiding more only
/// widens what can be worked out).
fn protect(
    service: &[Tally],
    organisation: &[Tally],
    total: &Tally,
    threshold: i64,
) -> (Vec<ReferralLine>, Vec<ReferralLine>, ReferralLine) {
    let codes: Vec<&str> = ReferralOutcome::ALL.iter().map(|o| o.code()).collect();
    let table = |lines: &[Tally]| -> Published {
        let cells: Vec<Vec<i64>> = lines
            .iter()
            .map(|l| {
                codes
                    .iter()
                    .map(|c| l.outcomes.get(*c).copied().unwrap_or(0))
                    .collect()
            })
            .collect();
        protect_table(
            &Counts::additive(&cells),
            Shape::ADDITIVE,
            threshold,
            &Links::default(),
        )
    };
    let (a, b) = (table(service), table(organisation));
    let column = |c: usize| -> Option<i64> {
        let shown = |p: &Published| p.column_totals.get(c).and_then(|x| x.count());
        shown(&a).and(shown(&b))
    };
    let lines = |tallies: &[Tally], p: &Published| -> Vec<ReferralLine> {
        tallies
            .iter()
            .enumerate()
            .map(|(r, t)| {
                let row = p.cells.get(r);
                t.protected(
                    codes.iter().enumerate().map(|(c, code)| {
                        let v = row.and_then(|row| row.get(c)).and_then(|x| x.count());
                        (code.to_string(), v)
                    }),
                    p.row_totals.get(r).and_then(|x| x.count()),
                    threshold,
                )
            })
            .collect()
    };
    let grand = a.total.count().and(b.total.count());
    let total = total.protected(
        codes
            .iter()
            .enumerate()
            .map(|(c, code)| (code.to_string(), column(c))),
        grand,
        threshold,
    );
    (lines(service, &a), lines(organisation, &b), total)
}

impl App {
    /// Referrals sent between `since` and `until` (inclusive), by need and by
    /// organisation, each with its outcomes and time to answer: exact, of their own
    /// offices, for programme managers and M&E officers; of every office with small
    /// counts protected, in whole months, for donors, auditors and administrators.
    pub async fn referral_figures(
        &self,
        p: &Principal,
        since: Option<NaiveDate>,
        until: Option<NaiveDate>,
    ) -> Result<ReferralFigures> {
        let access = p
            .actor
            .statistics_access()
            .ok_or_else(|| AppError::Forbidden("your role reads no statistics".into()))?;
        let offices: Vec<_> = match access.offices {
            Some(offices) => offices.into_iter().collect(),
            None => self
                .list_offices()
                .await?
                .into_iter()
                .map(|o| o.id)
                .collect(),
        };
        if !access.exact {
            let wrong = homeward_domain::stats::whole_months(since, until);
            if !wrong.is_empty() {
                return Err(AppError::Invalid(wrong));
            }
        }
        let figures = self
            .store()
            .referral_figures(&offices, since, until)
            .await?;
        let mut by_service: BTreeMap<String, Tally> = BTreeMap::new();
        let mut by_organisation: BTreeMap<uuid::Uuid, Tally> = BTreeMap::new();
        let mut total = Tally::default();
        for f in &figures {
            by_service
                .entry(f.service.clone())
                .or_insert_with(|| Tally {
                    key: f.service.clone(),
                    ..Tally::default()
                })
                .add(f);
            let o = by_organisation
                .entry(f.organisation_id)
                .or_insert_with(|| Tally {
                    key: f.organisation_id.to_string(),
                    ..Tally::default()
                });
            o.name = f.organisation_name.clone();
            o.add(f);
            total.add(f);
        }
        // Needs in the directory's order; organisations by how many were referred to them.
        let mut by_service: Vec<Tally> = by_service.into_values().collect();
        by_service.sort_by_key(|l| {
            ServiceType::from_code(&l.key)
                .and_then(|s| ServiceType::ALL.iter().position(|x| *x == s))
                .unwrap_or(usize::MAX)
        });
        let mut by_organisation: Vec<Tally> = by_organisation.into_values().collect();
        by_organisation.sort_by(|a, b| b.referrals.cmp(&a.referrals).then(a.name.cmp(&b.name)));
        let (by_service, by_organisation, total) = if access.exact {
            (
                by_service.iter().map(Tally::exact).collect(),
                by_organisation.iter().map(Tally::exact).collect(),
                total.exact(),
            )
        } else {
            protect(
                &by_service,
                &by_organisation,
                &total,
                self.stats_threshold(),
            )
        };
        Ok(ReferralFigures {
            outcomes: ReferralOutcome::ALL.to_vec(),
            by_service,
            by_organisation,
            total,
            protected: !access.exact,
        })
    }
}
