//! Single-use answer links (DESIGN.md, "Referrals"): an organisation without an account
//! answers a referral through a link that expires. The link shows the referral as
//! `case::shared` does (no data beyond the consented groups) and records one answer,
//! under the link's own id acting as the organisation (`access::link_actor`), so the
//! same rules apply as to a partner user. Opening it does not use it up (mail scanners
//! open links): answering does. Every issue, read and answer is audited; only a hash of
//! the secret is stored.

use chrono::{DateTime, Utc};
use homeward_domain::access;
use homeward_domain::case::referrals::ReferralUpdate;
use homeward_domain::case::shared::{SharedReferral, shared_referral};
use homeward_domain::ids::{CaseId, OrganisationId, ReferralId};
use homeward_domain::{Command, CommandKind};
use homeward_store::{AuditDraft, ReferralLink};
use serde::Serialize;
use uuid::Uuid;

use crate::auth::{Principal, random_secret, secret_hash};
use crate::cases::Executed;
use crate::{App, AppError, Result, new_id, now};

/// A link as issued: the secret is shown once.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IssuedLink {
    pub link_id: Uuid,
    /// The path to give the organisation (`/r/<secret>`); shown once.
    pub path: String,
    pub expires_at: DateTime<Utc>,
}

impl App {
    /// Issues an answer link for a referral of a case the caller may answer for (the
    /// roles that record a referral's steps, in the office that leads the case), while
    /// the referral waits for something from the organisation.
    pub async fn issue_referral_link(
        &self,
        p: &Principal,
        case_id: CaseId,
        referral_id: ReferralId,
    ) -> Result<IssuedLink> {
        let read = self.load_visible(p, case_id).await?;
        let case = &read.case;
        let r = case.referrals.get(referral_id).ok_or(AppError::NotFound)?;
        access::may_offer(&p.actor, case, CommandKind::UpdateReferral)
            .map_err(|d| AppError::Forbidden(d.to_string()))?;
        let v = r.link_violations();
        if !v.is_empty() {
            return Err(AppError::Invalid(v));
        }
        let at = now();
        let secret = random_secret();
        let link = ReferralLink {
            id: new_id(),
            secret_hash: secret_hash(&secret),
            case_id: case_id.0,
            referral_id: referral_id.0,
            organisation_id: r.request.organisation.0,
            created_by: p.actor.user_id.0,
            created_at: at,
            expires_at: r.link_expires(at),
            used_at: None,
        };
        self.store().create_referral_link(&link).await?;
        self.audit(AuditDraft {
            at,
            actor: Some(p.actor.user_id.0),
            action: "referral.link_issued".into(),
            case_id: Some(case_id.0),
            detail: serde_json::json!({
                "referral": referral_id,
                "link": link.id,
                "organisation": r.request.organisation,
                "expires_at": link.expires_at,
            }),
        })
        .await?;
        Ok(IssuedLink {
            link_id: link.id,
            path: format!("/r/{secret}"),
            expires_at: link.expires_at,
        })
    }

    /// Ends the working links of a referral (one sent to the wrong address, say), for
    /// whoever may issue them; returns how many.
    pub async fn withdraw_referral_links(
        &self,
        p: &Principal,
        case_id: CaseId,
        referral_id: ReferralId,
    ) -> Result<u64> {
        let read = self.load_visible(p, case_id).await?;
        read.case
            .referrals
            .get(referral_id)
            .ok_or(AppError::NotFound)?;
        access::may_offer(&p.actor, &read.case, CommandKind::UpdateReferral)
            .map_err(|d| AppError::Forbidden(d.to_string()))?;
        let at = now();
        let n = self
            .store()
            .withdraw_referral_links(case_id, referral_id, at)
            .await?;
        self.audit(AuditDraft {
            at,
            actor: Some(p.actor.user_id.0),
            action: "referral.links_withdrawn".into(),
            case_id: Some(case_id.0),
            detail: serde_json::json!({ "referral": referral_id, "links": n }),
        })
        .await?;
        Ok(n)
    }

    /// The link of this secret while it works; "not found" when there is none, it has
    /// expired or it was used (the same answer for all three).
    async fn working_link(&self, secret: &str) -> Result<ReferralLink> {
        let link = self
            .store()
            .referral_link(&secret_hash(secret))
            .await?
            .ok_or(AppError::NotFound)?;
        if link.used_at.is_some() || now() >= link.expires_at {
            return Err(AppError::NotFound);
        }
        Ok(link)
    }

    /// The referral as its link shows it; the read is audited.
    pub async fn open_referral_link(&self, secret: &str) -> Result<SharedReferral> {
        let link = self.working_link(secret).await?;
        let read = self
            .load(CaseId(link.case_id))
            .await?
            .ok_or(AppError::NotFound)?;
        let at = now();
        let shared = shared_referral(&read.case, ReferralId(link.referral_id), at.date_naive())
            .filter(|s| s.organisation == OrganisationId(link.organisation_id))
            .ok_or(AppError::NotFound)?;
        self.audit(AuditDraft {
            at,
            actor: Some(link.id),
            action: "referral.link_read".into(),
            case_id: Some(link.case_id),
            detail: serde_json::json!({
                "referral": link.referral_id,
                "link": link.id,
                "organisation": link.organisation_id,
                "people": shared.people.iter().map(|x| x.person_id).collect::<Vec<_>>(),
                "groups": if shared.data_shown { Some(&shared.shared) } else { None },
            }),
        })
        .await?;
        Ok(shared)
    }

    /// Records the organisation's answer through its link, at the case version the link's
    /// page showed; uses the link up. A refused or conflicting answer leaves it working.
    pub async fn answer_referral_link(
        &self,
        secret: &str,
        expected_version: u64,
        mut update: ReferralUpdate,
    ) -> Result<Executed> {
        let link = self.working_link(secret).await?;
        update.referral_id = ReferralId(link.referral_id);
        let at = now();
        if !self.store().use_referral_link(link.id, at).await? {
            return Err(AppError::NotFound);
        }
        let actor = access::link_actor(link.id, OrganisationId(link.organisation_id));
        let done = async {
            let read = self
                .load(CaseId(link.case_id))
                .await?
                .ok_or(AppError::NotFound)?;
            let generation = self.store().directory_generation().await?;
            self.execute_as(
                &actor,
                generation,
                &read,
                expected_version,
                None,
                Command::UpdateReferral(update),
            )
            .await
        }
        .await;
        match done {
            Ok(done) => {
                self.audit(AuditDraft {
                    at,
                    actor: Some(link.id),
                    action: "referral.link_used".into(),
                    case_id: Some(link.case_id),
                    detail: serde_json::json!({
                        "referral": link.referral_id,
                        "link": link.id,
                        "organisation": link.organisation_id,
                        "issued_by": link.created_by,
                    }),
                })
                .await?;
                Ok(done)
            }
            // Refused, or the page was old: nothing was written, the link still works.
            // After a storage error the answer may have been written: it stays used.
            Err(
                e @ (AppError::Refused(_)
                | AppError::Invalid(_)
                | AppError::Conflict { .. }
                | AppError::Forbidden(_)
                | AppError::NotFound),
            ) => {
                self.store().release_referral_link(link.id).await?;
                Err(e)
            }
            Err(e) => Err(e),
        }
    }
}
