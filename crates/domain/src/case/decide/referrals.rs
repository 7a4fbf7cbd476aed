//! Referrals' rules: who is referred, with whose consent, what is shared, which step may
//! follow which, and what closing a case as completed waits for.

use super::*;
use crate::case::referrals::{ExceptionDecision, ReferralRequest, ReferralStatus, ReferralUpdate};
use crate::organisation::{OrganisationDetails, ServiceType};
use crate::values::CountryCode;

/// The longest time an organisation may be given to answer, in days.
pub const MAX_ANSWER_DAYS: u16 = 90;

/// Whether an organisation of the directory can take a referral for `service`: still
/// working, and offering it. The application asks before it builds the command (the
/// directory is not part of the case).
pub fn referral_target_violations(
    o: &OrganisationDetails,
    service: ServiceType,
    country: &CountryCode,
) -> Vec<Violation> {
    let mut v = vec![];
    if o.active && !o.countries.contains(country) {
        v.push(
            Violation::new(
                "referral.country_not_served",
                "this organisation does not work in this country",
            )
            .at("country")
            .param("organisation", o.name.as_str()),
        );
    }
    if !o.active {
        v.push(
            Violation::new(
                "referral.organisation_inactive",
                "this organisation no longer works; choose another",
            )
            .at("organisation"),
        );
    } else if !o.services.contains(&service) {
        v.push(
            Violation::new(
                "referral.service_not_offered",
                "this organisation does not offer this service",
            )
            .at("service")
            .param("organisation", o.name.as_str()),
        );
    }
    v
}

pub(super) fn make(case: &Case, r: ReferralRequest, ctx: &Context, c: &mut Check) -> Vec<Event> {
    if case.referrals.get(r.referral_id).is_some() {
        c.push(
            Violation::new("referral.duplicate", "this referral is already recorded")
                .at("referral_id"),
        );
    }
    if r.people.is_empty() {
        c.push(Violation::new("referral.no_people", "refer at least one person").at("people"));
    }
    for p in &r.people {
        require_member(case, *p, "people", c);
        if !r.consent_for.contains(p) && r.exception.is_none() {
            let mut v = Violation::new(
                "referral.consent_missing",
                "record the person's consent to this referral and to the data shared (their own, or whoever decides for them)",
            )
            .at("consent_for")
            .person(*p);
            if let Some(m) = case.member(*p) {
                v = v.param("name", m.details.name.display());
            }
            c.push(v);
        }
    }
    if r.consent_for.iter().any(|p| !r.people.contains(p)) {
        c.push(
            Violation::new(
                "referral.consent_for_other",
                "consent is recorded only for the people referred",
            )
            .at("consent_for"),
        );
    }
    if let Some(e) = &r.exception {
        if r.people.iter().all(|p| r.consent_for.contains(p)) {
            c.push(
                Violation::new(
                    "referral.exception_not_needed",
                    "everyone referred consented: no exception is needed",
                )
                .at("exception"),
            );
        } else if !ctx.programme.consent_exceptions.contains(&e.ground) {
            c.push(
                Violation::new(
                    "referral.exception_not_allowed",
                    "the programme does not allow referring without consent on this ground",
                )
                .at("exception/ground")
                .param("ground", e.ground.code()),
            );
        }
    }
    match &r.country {
        None => c.push(
            Violation::new("referral.country_missing", "say where the service is given")
                .at("country"),
        ),
        Some(k) if *k != case.host_country && *k != case.proposal.country_of_return => c.push(
            Violation::new(
                "referral.country_elsewhere",
                "a referral is to a service in the host country or the country of return",
            )
            .at("country"),
        ),
        Some(_) => {}
    }
    if r.shared.is_empty() {
        c.push(
            Violation::new(
                "referral.nothing_shared",
                "choose the data the organisation receives",
            )
            .at("shared"),
        );
    }
    if !(1..=MAX_ANSWER_DAYS).contains(&r.answer_within_days) {
        c.push(
            Violation::new(
                "referral.answer_within",
                format!("give the organisation 1 to {MAX_ANSWER_DAYS} days to answer"),
            )
            .at("answer_within_days")
            .param("max", MAX_ANSWER_DAYS),
        );
    }
    vec![Event::ReferralMade(r)]
}

pub(super) fn update(case: &Case, u: ReferralUpdate, ctx: &Context, c: &mut Check) -> Vec<Event> {
    match case.referrals.get(u.referral_id) {
        None => c.push(
            Violation::new("referral.unknown", "no such referral on this case").at("referral_id"),
        ),
        Some(r) => {
            if !u.step.follows().contains(&r.status) {
                c.push(
                    Violation::new(
                        "referral.step_not_allowed",
                        format!(
                            "a referral that is {} cannot be marked {}",
                            r.status.code(),
                            u.step.status().code()
                        ),
                    )
                    .at("step")
                    .param("status", r.status.code()),
                );
            }
            let last = r.steps.last().map_or(r.sent_on(), |s| s.at);
            if ctx.occurred_at < last {
                c.push(
                    Violation::new(
                        "referral.before_previous_step",
                        format!(
                            "this step is dated before the referral's previous one ({})",
                            last.format("%Y-%m-%d")
                        ),
                    )
                    .at("occurred_at"),
                );
            }
        }
    }
    vec![Event::ReferralUpdated(u)]
}

/// A second person approves or refuses a referral made without consent: never the one
/// who made it; a refusal says why.
pub(super) fn decide_exception(
    case: &Case,
    d: ExceptionDecision,
    ctx: &Context,
    c: &mut Check,
) -> Vec<Event> {
    match case.referrals.get(d.referral_id) {
        None => c.push(
            Violation::new("referral.unknown", "no such referral on this case").at("referral_id"),
        ),
        Some(r) => {
            if r.status != ReferralStatus::PendingApproval {
                c.push(
                    Violation::new(
                        "referral.no_exception_pending",
                        "this referral does not wait for an approval",
                    )
                    .at("referral_id"),
                );
            }
            if ctx.occurred_at < r.sent_at {
                c.push(
                    Violation::new(
                        "referral.before_previous_step",
                        format!(
                            "this decision is dated before the referral was made ({})",
                            r.sent_at.format("%Y-%m-%d")
                        ),
                    )
                    .at("occurred_at"),
                );
            }
            if r.sent_by == ctx.actor {
                c.push(
                    Violation::new(
                        "referral.exception_same_person",
                        "a second person decides on a referral made without consent, not the one who made it",
                    )
                    .at("approved"),
                );
            }
        }
    }
    if !d.approved && d.reason.is_none() {
        c.push(
            Violation::new(
                "referral.exception_refusal_reason",
                "say why the referral is refused",
            )
            .at("reason"),
        );
    }
    vec![Event::ReferralExceptionDecided(d)]
}

/// Why the case cannot be closed as completed without a word about its referrals: each
/// one still open (sent, accepted or in progress).
pub fn referrals_unfinished(case: &Case) -> Vec<Violation> {
    case.referrals
        .open()
        .map(|r| {
            Violation::new(
                "closure.referral_open",
                format!(
                    "the referral to {} is still {}: record its answer, revoke it, or say in the note why the case closes anyway",
                    r.request.organisation_name,
                    r.status.code().replace('_', " ")
                ),
            )
            .at("note")
            .param("organisation", r.request.organisation_name.as_str())
            .param("status", r.status.code())
        })
        .collect()
}

impl ReferralStatus {
    /// The code, as in the API.
    pub fn code(self) -> &'static str {
        match self {
            ReferralStatus::PendingApproval => "pending_approval",
            ReferralStatus::Sent => "sent",
            ReferralStatus::Accepted => "accepted",
            ReferralStatus::Declined => "declined",
            ReferralStatus::InProgress => "in_progress",
            ReferralStatus::Delivered => "delivered",
            ReferralStatus::Closed => "closed",
            ReferralStatus::Revoked => "revoked",
        }
    }
}
