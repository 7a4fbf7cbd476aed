//! Inbound referrals (DESIGN.md, "Referrals": "Inbound referrals register new people"):
//! a partner organisation's user (an authority's too, through the API) refers a person to
//! one of the programme's offices; a counsellor there registers the person as a case,
//! which names the referral as its source, or declines it with a reason; the referrer
//! follows where it stands. The rules are `homeward_domain::inbound`'s. Registering is
//! `App::register_case` with `RegisterInput::inbound`: the case and the referral's
//! decision are written in one transaction, so a referral becomes one case at most.
//! Every read of a referral's personal data is audited.

use chrono::{DateTime, Utc};
use homeward_domain::case::records::ReferralSource;
use homeward_domain::ids::{CaseId, InboundId, OfficeId, UserId};
use homeward_domain::inbound::{
    self, DeclineReason, InboundDetails, InboundReferral, InboundStatus, Referrer, ReferrerView,
};
use homeward_domain::values::{CountryCode, LongText, ShortText};
use homeward_domain::{Refusal, Violation};
use homeward_store::{AuditDraft, Page, PageRequest};
use serde::{Deserialize, Serialize};

use crate::auth::Principal;
use crate::{App, AppError, Result, new_id, now};

/// A list of inbound referrals, by where they stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum InboundList {
    /// Received, waiting for the office: urgent first, then oldest first.
    Waiting,
    /// Registered, declined or withdrawn: latest first.
    Decided,
}

impl InboundList {
    pub const ALL: [InboundList; 2] = [InboundList::Waiting, InboundList::Decided];

    pub fn statuses(self) -> &'static [InboundStatus] {
        match self {
            InboundList::Waiting => &[InboundStatus::Received],
            InboundList::Decided => &[
                InboundStatus::Registered,
                InboundStatus::Declined,
                InboundStatus::Withdrawn,
            ],
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            InboundList::Waiting => "waiting",
            InboundList::Decided => "decided",
        }
    }
}

/// An inbound referral in the office's list: who it is about, from whom, where it stands.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InboundItem {
    pub id: InboundId,
    pub organisation_name: ShortText,
    pub source: ReferralSource,
    pub office: OfficeId,
    /// Absent once erased (a referral withdrawn).
    pub person_name: Option<String>,
    pub nationality: Option<CountryCode>,
    pub submitted_at: DateTime<Utc>,
    pub urgent: bool,
    pub status: InboundStatus,
    pub decided_at: Option<DateTime<Utc>>,
    pub case_id: Option<CaseId>,
    pub case_reference: Option<ShortText>,
}

impl InboundItem {
    fn of(r: &InboundReferral) -> Self {
        InboundItem {
            id: r.id,
            organisation_name: r.organisation_name.clone(),
            source: r.source,
            office: r.office,
            person_name: r.details.as_ref().map(|d| d.person.name.display()),
            nationality: r
                .details
                .as_ref()
                .and_then(|d| d.person.nationality.clone()),
            submitted_at: r.submitted_at,
            urgent: r.urgent,
            status: r.status,
            decided_at: r.decided_at,
            case_id: r.case_id,
            case_reference: r.case_reference.clone(),
        }
    }
}

/// The forbidden answer to anyone but a partner organisation's user.
fn referrer(p: &Principal) -> Result<homeward_domain::ids::OrganisationId> {
    inbound::referrer_of(&p.actor).ok_or_else(|| {
        AppError::Forbidden(
            "referring people to the programme is for partner organisations' users".into(),
        )
    })
}

impl App {
    /// The offices a person can be referred to (`inbound::takes_referrals`).
    pub async fn inbound_offices(&self) -> Result<Vec<crate::admin::OfficeView>> {
        let programmes = self.list_programmes().await?;
        Ok(self
            .list_offices()
            .await?
            .into_iter()
            .filter(|o| {
                inbound::takes_referrals(
                    &o.country,
                    programmes.iter().map(|p| &p.settings.host_countries),
                )
            })
            .collect())
    }

    /// Refers a person to one of the programme's offices, for the caller's organisation:
    /// an office in a host country of a programme, where people are registered.
    pub async fn submit_inbound(
        &self,
        p: &Principal,
        details: InboundDetails,
    ) -> Result<ReferrerView> {
        let organisation = referrer(p)?;
        let org = self.get_organisation(organisation).await?;
        if !org.details.active {
            return Err(AppError::Forbidden(
                "your organisation no longer works with the programme".into(),
            ));
        }
        let at = now();
        let mut v = details.violations(at);
        match self.store().office(details.office).await? {
            None => {
                v.push(Violation::new("office.unknown", "there is no such office").at("office"))
            }
            Some(office) => {
                let programmes = self.list_programmes().await?;
                let hosts = programmes.iter().map(|p| &p.settings.host_countries);
                if !inbound::takes_referrals(&office.country, hosts) {
                    v.push(
                        Violation::new(
                            "inbound.not_a_host_office",
                            "this office registers no one: refer people to an office in a host country",
                        )
                        .at("office"),
                    );
                }
            }
        }
        if !v.is_empty() {
            return Err(AppError::Invalid(v));
        }
        let r = InboundReferral::received(
            InboundId(new_id()),
            &Referrer {
                organisation,
                name: org.details.name.clone(),
                kind: org.details.kind,
                user: p.actor.user_id,
            },
            at,
            details,
        );
        self.store().create_inbound(&r).await?;
        self.audit_inbound(p.actor.user_id, at, "inbound.submitted", &r)
            .await?;
        Ok(r.referrer_view())
    }

    async fn audit_inbound(
        &self,
        actor: UserId,
        at: DateTime<Utc>,
        action: &str,
        r: &InboundReferral,
    ) -> Result<()> {
        self.audit(AuditDraft {
            at,
            actor: Some(actor.0),
            action: action.into(),
            case_id: r.case_id.map(|c| c.0),
            detail: serde_json::json!({
                "inbound": r.id,
                "organisation": r.organisation,
                "office": r.office,
                "status": r.status,
            }),
        })
        .await
    }

    /// The referral, if the caller may read it; "not found" for any other.
    async fn readable_inbound(&self, p: &Principal, id: InboundId) -> Result<InboundReferral> {
        self.store()
            .inbound(id.0)
            .await?
            .filter(|r| inbound::may_read(&p.actor, r))
            .ok_or(AppError::NotFound)
    }

    /// The referrals the caller's organisation sent, in one list; no personal data but
    /// its own file numbers.
    pub async fn sent_inbound(
        &self,
        p: &Principal,
        list: InboundList,
        page: PageRequest,
    ) -> Result<Page<ReferrerView>> {
        let organisation = referrer(p)?;
        let found = self
            .store()
            .inbound_of_organisation(organisation, list.statuses(), page)
            .await?;
        Ok(found.map(|r| ReferrerView {
            details: None,
            ..r.referrer_view()
        }))
    }

    /// One referral the caller's organisation sent, as `InboundReferral::referrer_view`
    /// shows it; a read that shows the person's details is audited.
    pub async fn sent_inbound_one(&self, p: &Principal, id: InboundId) -> Result<ReferrerView> {
        referrer(p)?;
        let r = self.readable_inbound(p, id).await?;
        let view = r.referrer_view();
        if view.details.is_some() {
            self.audit_inbound(p.actor.user_id, now(), "inbound.referrer_read", &r)
                .await?;
        }
        Ok(view)
    }

    /// Takes back a referral the caller's organisation sent, while it waits.
    pub async fn withdraw_inbound(&self, p: &Principal, id: InboundId) -> Result<ReferrerView> {
        referrer(p)?;
        let r = self.readable_inbound(p, id).await?;
        if !inbound::may_withdraw(&p.actor, &r) {
            return Err(AppError::NotFound);
        }
        let at = now();
        let done = r.withdrawn(p.actor.user_id, at)?;
        self.decide(p, at, "inbound.withdrawn", &done).await?;
        Ok(done.referrer_view())
    }

    async fn decide(
        &self,
        p: &Principal,
        at: DateTime<Utc>,
        action: &str,
        r: &InboundReferral,
    ) -> Result<()> {
        if !self.store().decide_inbound(r).await? {
            return Err(Refusal::one(inbound::not_waiting()).into());
        }
        self.audit_inbound(p.actor.user_id, at, action, r).await
    }

    /// The staff offices' referrals in one list, each with the person's name.
    pub async fn inbound_queue(
        &self,
        p: &Principal,
        list: InboundList,
        page: PageRequest,
    ) -> Result<Page<InboundItem>> {
        let offices: Vec<OfficeId> = p
            .actor
            .offices
            .iter()
            .copied()
            .filter(|o| inbound::may_take(&p.actor, *o))
            .collect();
        if offices.is_empty() {
            return Err(AppError::Forbidden(
                "inbound referrals are taken by counsellors and programme managers".into(),
            ));
        }
        let found = self
            .store()
            .inbound_for_offices(&offices, list.statuses(), page)
            .await?;
        Ok(found.map(|r| InboundItem::of(&r)))
    }

    /// One referral addressed to the caller's offices, whole; the read is audited.
    pub async fn inbound_for_office(
        &self,
        p: &Principal,
        id: InboundId,
    ) -> Result<InboundReferral> {
        let r = self.readable_inbound(p, id).await?;
        if !inbound::may_take(&p.actor, r.office) {
            return Err(AppError::NotFound);
        }
        self.audit_inbound(p.actor.user_id, now(), "inbound.read", &r)
            .await?;
        Ok(r)
    }

    /// Declines a waiting referral with a reason the referrer reads.
    pub async fn decline_inbound(
        &self,
        p: &Principal,
        id: InboundId,
        reason: DeclineReason,
        note: Option<LongText>,
    ) -> Result<InboundReferral> {
        let r = self.readable_inbound(p, id).await?;
        if !inbound::may_take(&p.actor, r.office) {
            return Err(AppError::NotFound);
        }
        let at = now();
        let done = r.declined(p.actor.user_id, at, reason, note)?;
        self.decide(p, at, "inbound.declined", &done).await?;
        Ok(done)
    }

    /// The referral a counsellor registers a case in `office` from: one the caller
    /// takes, waiting, sent to that office.
    pub(crate) async fn inbound_to_register(
        &self,
        actor: &homeward_domain::Actor,
        id: InboundId,
        office: OfficeId,
    ) -> Result<InboundReferral> {
        let r = self
            .store()
            .inbound(id.0)
            .await?
            .filter(|r| inbound::may_take(actor, r.office))
            .ok_or_else(|| {
                AppError::invalid(
                    Violation::new(
                        "inbound.unknown",
                        "there is no such inbound referral for your offices",
                    )
                    .at("inbound"),
                )
            })?;
        r.registrable_in(office)?;
        Ok(r)
    }
}
