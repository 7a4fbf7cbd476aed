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

    /// The line as a protected reader gets it: `outcomes` and `referrals` as published; a
    /// mean time to answer only where nothing of the line is hidden (whether it is shown
    /// would otherwise bound the answers, and so the hidden counts) and of enough answers.
    fn protected(
        &self,
        outcomes: impl Iterator<Item = (String, Option<i64>)>,
        referrals: Option<i64>,
        threshold: i64,
    ) -> ReferralLine {
        let outcomes: BTreeMap<String, Option<i64>> =
            outcomes.filter(|(_, v)| *v != Some(0)).collect();
        let whole = referrals.is_some() && outcomes.values().all(Option::is_some);
        ReferralLine {
            key: self.key.clone(),
            name: self.name.clone(),
            outcomes,
            referrals,
            answered: None,
            mean_days_to_answer: self
                .mean_days()
                .filter(|_| whole && self.answered >= threshold),
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
    /// Exact readers only (empty for a protected reader).
    pub by_organisation: Vec<ReferralLine>,
    pub total: ReferralLine,
    /// Small counts hidden (with what would give them away): every office's referrals by
    /// need, for donors, auditors and administrators; the period in whole months, ending
    /// with the last whole month.
    pub protected: bool,
}

/// Publishes the referrals by need and outcome for a protected reader, through the
/// disclosure audit; its total line is the table's outcome totals and grand total. Only
/// this one table: a second table of the same referrals (by organisation) would share its
/// totals and relate to its rows (an organisation offering one service), which the audit
/// of each table alone does not see.
fn protect(service: &[Tally], total: &Tally, threshold: i64) -> (Vec<ReferralLine>, ReferralLine) {
    let codes: Vec<&str> = ReferralOutcome::ALL.iter().map(|o| o.code()).collect();
    let cells: Vec<Vec<i64>> = service
        .iter()
        .map(|l| {
            codes
                .iter()
                .map(|c| l.outcomes.get(*c).copied().unwrap_or(0))
                .collect()
        })
        .collect();
    let p: Published = protect_table(
        &Counts::additive(&cells),
        Shape::ADDITIVE,
        threshold,
        &Links::default(),
    );
    let shown = |c: &homeward_domain::stats::Cell| c.count();
    let lines = service
        .iter()
        .enumerate()
        .map(|(r, t)| {
            let row = p.cells.get(r);
            t.protected(
                codes.iter().enumerate().map(|(c, code)| {
                    let v = row.and_then(|row| row.get(c)).and_then(shown);
                    (code.to_string(), v)
                }),
                p.row_totals.get(r).and_then(shown),
                threshold,
            )
        })
        .collect();
    let total = total.protected(
        codes
            .iter()
            .enumerate()
            .map(|(c, code)| (code.to_string(), p.column_totals.get(c).and_then(shown))),
        shown(&p.total),
        threshold,
    );
    (lines, total)
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
        let until = if access.exact {
            until
        } else {
            // Never the month under way: asked on two days, its figures would differ by
            // that day's referrals.
            homeward_domain::stats::protected_period(since, until, crate::now().date_naive())
                .map_err(AppError::Invalid)?
                .1
                .into()
        };
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
            let (lines, total) = protect(&by_service, &total, self.stats_threshold());
            (lines, vec![], total)
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
