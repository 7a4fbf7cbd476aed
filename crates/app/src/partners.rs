//! Partner organisations' access (DESIGN.md, roles: "sees only the referrals addressed to
//! its organisation, and only the fields the migrant consented to share"): their lists,
//! one referral as `case::shared` shows it, with every read of personal data audited.
//! Partners answer through `App::execute` like anyone else; the domain's
//! `access::reaches` and `access::authorize` let them answer only their own referrals.

use chrono::NaiveDate;
use homeward_domain::access;
use homeward_domain::case::referrals::{ReferralRecord, ReferralStatus};
use homeward_domain::case::shared::{SharedReferral, shared_referral};
use homeward_domain::ids::{CaseId, OrganisationId, ReferralId};
use homeward_domain::organisation::ServiceType;
use homeward_store::{AuditDraft, Page, PageRequest};
use serde::{Deserialize, Serialize};

use crate::auth::Principal;
use crate::{App, AppError, Result, now};

/// A partner's lists of referrals, by where they stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum PartnerList {
    /// Sent, waiting for the organisation's answer.
    Waiting,
    /// Accepted or in progress.
    Active,
    /// Declined, delivered, closed or revoked.
    Finished,
}

impl PartnerList {
    pub const ALL: [PartnerList; 3] = [
        PartnerList::Waiting,
        PartnerList::Active,
        PartnerList::Finished,
    ];

    pub fn statuses(self) -> &'static [ReferralStatus] {
        use ReferralStatus::*;
        match self {
            PartnerList::Waiting => &[Sent],
            PartnerList::Active => &[Accepted, InProgress],
            PartnerList::Finished => &[Declined, Delivered, Closed, Revoked],
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            PartnerList::Waiting => "waiting",
            PartnerList::Active => "active",
            PartnerList::Finished => "finished",
        }
    }
}

/// A referral in a partner's list: no personal data.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PartnerReferralItem {
    pub case_id: CaseId,
    pub referral_id: ReferralId,
    pub case_reference: String,
    /// Absent only for a code this version does not know.
    pub service: Option<ServiceType>,
    pub status: Option<ReferralStatus>,
    pub sent: NaiveDate,
    /// The last day of its time to answer.
    pub due: NaiveDate,
    /// Not answered past its due day.
    pub overdue: bool,
}

/// How many referrals a partner has in each list.
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PartnerCounts {
    pub waiting: i64,
    /// Of the waiting ones, past their due day.
    pub overdue: i64,
    pub active: i64,
    pub finished: i64,
}

impl App {
    /// The caller's organisation, if the caller is a partner; "forbidden" otherwise.
    fn partner_organisation(&self, p: &Principal) -> Result<OrganisationId> {
        p.actor
            .partner_of()
            .ok_or_else(|| AppError::Forbidden("this is for partner organisations' users".into()))
    }

    /// The referrals addressed to the caller's organisation in one list.
    #[tracing::instrument(skip_all)]
    pub async fn partner_referrals(
        &self,
        p: &Principal,
        list: PartnerList,
        today: NaiveDate,
        page: PageRequest,
    ) -> Result<Page<PartnerReferralItem>> {
        let organisation = self.partner_organisation(p)?;
        let statuses: Vec<&str> = list.statuses().iter().map(|s| s.code()).collect();
        let rows = self
            .store()
            .organisation_referrals(organisation, &statuses, page)
            .await?;
        Ok(rows.map(|r| {
            let status = ReferralStatus::ALL
                .into_iter()
                .find(|s| s.code() == r.status);
            PartnerReferralItem {
                case_id: CaseId(r.case_id),
                referral_id: ReferralId(r.referral_id),
                case_reference: r.case_reference,
                service: ServiceType::from_code(&r.service),
                overdue: status == Some(ReferralStatus::Sent)
                    && ReferralRecord::is_late(r.answer_due, today),
                status,
                sent: r.sent_on,
                due: r.answer_due,
            }
        }))
    }

    /// How many referrals the caller's organisation has in each list, and how many wait
    /// past their day.
    pub async fn partner_counts(&self, p: &Principal, today: NaiveDate) -> Result<PartnerCounts> {
        let organisation = self.partner_organisation(p)?;
        let mut counts = PartnerCounts::default();
        for (status, n, past_due) in self
            .store()
            .organisation_referral_counts(organisation, today)
            .await?
        {
            let list = PartnerList::ALL
                .into_iter()
                .find(|l| l.statuses().iter().any(|s| s.code() == status));
            match list {
                Some(PartnerList::Waiting) => {
                    counts.waiting += n;
                    counts.overdue += past_due;
                }
                Some(PartnerList::Active) => counts.active += n,
                Some(PartnerList::Finished) => counts.finished += n,
                None => {}
            }
        }
        Ok(counts)
    }

    /// One referral addressed to the caller's organisation, as `case::shared` shows it;
    /// "not found" for any other. A read that shows personal data is audited.
    #[tracing::instrument(skip_all, fields(case = %case_id.0))]
    pub async fn partner_referral(
        &self,
        p: &Principal,
        case_id: CaseId,
        referral_id: ReferralId,
    ) -> Result<SharedReferral> {
        self.partner_organisation(p)?;
        let read = self.load(case_id).await?.ok_or(AppError::NotFound)?;
        let seen = read
            .case
            .referrals
            .get(referral_id)
            .is_some_and(|r| access::partner_sees(&p.actor, r));
        if !seen {
            return Err(AppError::NotFound);
        }
        let at = now();
        let shared =
            shared_referral(&read.case, referral_id, at.date_naive()).ok_or(AppError::NotFound)?;
        if shared.data_shown {
            self.audit(AuditDraft {
                at,
                actor: Some(p.actor.user_id.0),
                action: "referral.partner_read".into(),
                case_id: Some(case_id.0),
                detail: serde_json::json!({
                    "referral": referral_id,
                    "organisation": shared.organisation,
                    "people": shared.people.iter().map(|x| x.person_id).collect::<Vec<_>>(),
                    "groups": shared.shared,
                }),
            })
            .await?;
        }
        Ok(shared)
    }
}
