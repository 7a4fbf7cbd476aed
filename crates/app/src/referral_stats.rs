//! The referral figures (DESIGN.md, "Referrals": referrals by type, organisation, outcome
//! and time to answer): counted from the referral rows, whose outcome and days to answer
//! are the domain's (`ReferralRecord::outcome`, `days_to_answer`). Exact numbers, so only
//! for the readers who see exact figures of their own offices (programme managers and
//! M&E officers); protected readers are refused until the figures are protected against
//! small counts like the returns tables.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use homeward_domain::case::referrals::ReferralOutcome;
use homeward_domain::organisation::ServiceType;
use homeward_store::ReferralFigure;
use serde::Serialize;

use crate::auth::Principal;
use crate::{App, AppError, Result};

/// Referrals of one need, or one organisation, or all of them.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReferralLine {
    /// The need's code or the organisation's id; empty for the total.
    pub key: String,
    /// The organisation's name (its latest in the referrals); empty for a need.
    pub name: String,
    /// How many ended, or stand, in each outcome (`ReferralOutcome` codes).
    pub outcomes: BTreeMap<String, i64>,
    pub referrals: i64,
    /// How many the organisation answered (accepted, declined or delivered).
    pub answered: i64,
    /// The mean of whole days from sending to the first answer, of those answered.
    pub mean_days_to_answer: Option<f64>,
    #[serde(skip)]
    answer_days: i64,
}

impl ReferralLine {
    fn add(&mut self, f: &ReferralFigure) {
        *self.outcomes.entry(f.outcome.clone()).or_default() += f.referrals;
        self.referrals += f.referrals;
        self.answered += f.answered;
        self.answer_days += f.answer_days;
        self.mean_days_to_answer = (self.answered > 0)
            .then(|| (self.answer_days as f64 / self.answered as f64 * 10.0).round() / 10.0);
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
}

impl App {
    /// Referrals sent by the reader's offices between `since` and `until` (inclusive),
    /// by need and by organisation, each with its outcomes and time to answer.
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
        let offices: Vec<_> = match (access.exact, access.offices) {
            (true, Some(offices)) => offices.into_iter().collect(),
            _ => {
                return Err(AppError::Forbidden(
                    "referral figures are exact counts of your own offices, for programme managers and M&E officers".into(),
                ));
            }
        };
        let figures = self
            .store()
            .referral_figures(&offices, since, until)
            .await?;
        let mut by_service: BTreeMap<String, ReferralLine> = BTreeMap::new();
        let mut by_organisation: BTreeMap<uuid::Uuid, ReferralLine> = BTreeMap::new();
        let mut total = ReferralLine::default();
        for f in &figures {
            by_service
                .entry(f.service.clone())
                .or_insert_with(|| ReferralLine {
                    key: f.service.clone(),
                    ..ReferralLine::default()
                })
                .add(f);
            let o = by_organisation
                .entry(f.organisation_id)
                .or_insert_with(|| ReferralLine {
                    key: f.organisation_id.to_string(),
                    ..ReferralLine::default()
                });
            o.name = f.organisation_name.clone();
            o.add(f);
            total.add(f);
        }
        // Needs in the directory's order; organisations by how many were referred to them.
        let mut by_service: Vec<ReferralLine> = by_service.into_values().collect();
        by_service.sort_by_key(|l| {
            ServiceType::from_code(&l.key)
                .and_then(|s| ServiceType::ALL.iter().position(|x| *x == s))
                .unwrap_or(usize::MAX)
        });
        let mut by_organisation: Vec<ReferralLine> = by_organisation.into_values().collect();
        by_organisation.sort_by(|a, b| b.referrals.cmp(&a.referrals).then(a.name.cmp(&b.name)));
        Ok(ReferralFigures {
            outcomes: ReferralOutcome::ALL.to_vec(),
            by_service,
            by_organisation,
            total,
        })
    }
}
