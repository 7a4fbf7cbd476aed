//! The forms of referrals: one made (its organisation found in the directory by the
//! page, which asks whether it can take the referral), one step recorded.

use homeward_domain::case::referrals::*;
use homeward_domain::ids::{OrganisationId, ReferralId};
use homeward_domain::organisation::ServiceType;

use super::*;

/// The steps a sender records after a referral is made.
const STEPS: [ReferralStatus; 6] = [
    ReferralStatus::Accepted,
    ReferralStatus::Declined,
    ReferralStatus::InProgress,
    ReferralStatus::Delivered,
    ReferralStatus::Closed,
    ReferralStatus::Revoked,
];

/// The inputs of a referral step; `None` for the other steps.
pub fn referral_inputs(kind: CommandKind, ctx: &Ctx) -> Option<Vec<In>> {
    let i = &ctx.i;
    Some(match kind {
        CommandKind::MakeReferral => vec![
            In::Select(
                "organisation",
                "f-referral-organisation",
                Some("f-referral-organisation-hint"),
                with_empty(
                    ctx.organisations
                        .iter()
                        .map(|o| {
                            let services: Vec<String> = o
                                .details
                                .services
                                .iter()
                                .map(|s| i.opt("service", s.code()))
                                .collect();
                            let countries: Vec<&str> =
                                o.details.countries.iter().map(|c| c.as_str()).collect();
                            (
                                o.id.to_string(),
                                format!(
                                    "{} ({}) — {}",
                                    o.details.name,
                                    i.list(countries),
                                    i.list(services)
                                ),
                            )
                        })
                        .collect(),
                    String::new(),
                ),
                true,
            ),
            In::Radios("country", "f-referral-country", {
                let case = &ctx.view.case;
                let mut v = vec![(
                    case.proposal.country_of_return.to_string(),
                    i.t1(
                        "f-referral-country-return",
                        "country",
                        i.country(case.proposal.country_of_return.as_str()),
                    ),
                )];
                if case.host_country != case.proposal.country_of_return {
                    v.push((
                        case.host_country.to_string(),
                        i.t1(
                            "f-referral-country-host",
                            "country",
                            i.country(case.host_country.as_str()),
                        ),
                    ));
                }
                v
            }),
            In::Select(
                "service",
                "f-referral-service",
                None,
                with_empty(
                    ServiceType::ALL
                        .iter()
                        .map(|s| (s.code().to_string(), i.opt("service", s.code())))
                        .collect(),
                    String::new(),
                ),
                false,
            ),
            In::Checks("people", "f-referral-people", None, people(ctx)),
            In::Checks(
                "consent_for",
                "f-referral-consent",
                Some("f-referral-consent-hint"),
                people(ctx),
            ),
            In::Checks(
                "shared",
                "f-referral-shared",
                Some("f-referral-shared-hint"),
                enum_options(i, "data_group", &DataGroup::ALL),
            ),
            In::Text(
                "answer_within_days",
                "f-referral-answer-within",
                Some("f-referral-answer-within-hint"),
            ),
            In::Area("note", "f-referral-note", Some("f-referral-note-hint")),
            In::Select(
                "exception_ground",
                "f-referral-exception",
                Some("f-referral-exception-hint"),
                with_empty(
                    ctx.programme
                        .settings
                        .consent_exceptions
                        .iter()
                        .map(|g| (g.code().to_string(), i.opt("exception_ground", g.code())))
                        .collect(),
                    i.t("f-referral-exception-none"),
                ),
                false,
            ),
            In::Area(
                "exception_reason",
                "f-referral-exception-reason",
                Some("f-referral-exception-reason-hint"),
            ),
        ],
        CommandKind::DecideReferralException => vec![
            In::Radios(
                "referral_id",
                "f-referral",
                ctx.view
                    .case
                    .referrals
                    .referrals
                    .values()
                    .filter(|r| r.status == ReferralStatus::PendingApproval)
                    .map(|r| {
                        let why = r
                            .request
                            .exception
                            .as_ref()
                            .map(|e| {
                                format!(
                                    " — {}: {}",
                                    i.opt("exception_ground", e.ground.code()),
                                    e.reason
                                )
                            })
                            .unwrap_or_default();
                        (
                            r.request.referral_id.to_string(),
                            format!("{}{why}", referral_label(i, r)),
                        )
                    })
                    .collect(),
            ),
            In::Radios(
                "approved",
                "f-exception-decision",
                vec![
                    ("yes".into(), i.t("f-exception-approve")),
                    ("no".into(), i.t("f-exception-refuse")),
                ],
            ),
            In::Area(
                "reason",
                "f-exception-reason",
                Some("f-exception-reason-hint"),
            ),
        ],
        CommandKind::UpdateReferral => vec![
            In::Radios(
                "referral_id",
                "f-referral",
                ctx.view
                    .case
                    .referrals
                    .referrals
                    .values()
                    .filter(|r| !r.status.is_final())
                    .map(|r| (r.request.referral_id.to_string(), referral_label(i, r)))
                    .collect(),
            ),
            In::Radios(
                "step",
                "f-referral-step",
                enum_options(i, "referral_status", &STEPS),
            ),
            In::Area(
                "reason",
                "f-referral-reason",
                Some("f-referral-reason-hint"),
            ),
            In::Area("what", "f-referral-what", Some("f-referral-what-hint")),
            In::Text(
                "receiver",
                "f-referral-receiver",
                Some("f-referral-receiver-hint"),
            ),
            In::Area("note", "f-referral-step-note", None),
        ],
        _ => return None,
    })
}

/// "Keur Yakaar — Shelter (sent)": a referral as a choice names where, what and how far.
pub fn referral_label(i: &I18n, r: &ReferralRecord) -> String {
    format!(
        "{} — {} ({})",
        r.request.organisation_name,
        i.opt("service", r.request.service.code()),
        i.opt("referral_status", r.status.code())
    )
}

/// The step a submitted form asks for; `None` for the other steps (and `Some(None)` when
/// a field is invalid: every reason is in `p`).
pub fn referral_command(
    kind: CommandKind,
    f: &FormData,
    ctx: &Ctx,
    p: &mut Parse,
) -> Option<Option<Command>> {
    let i = &ctx.i;
    Some(match kind {
        CommandKind::UpdateReferral => {
            let id = uuid_of(f, "referral_id", p, i).map(ReferralId);
            let step = choice::<ReferralStatus>(f, "step", p, i);
            let note = p.opt_text("note", &f.opt("note"));
            let receiver = p.opt_text("receiver", &f.opt("receiver"));
            let step = step.and_then(|s| {
                homeward_app::input::referral_step(p, s, &f.opt("reason"), &f.opt("what"))
            });
            (|| {
                Some(Command::UpdateReferral(ReferralUpdate {
                    referral_id: id?,
                    step: step?,
                    note: note?,
                    receiver: receiver?,
                    answered_by: None,
                }))
            })()
        }
        CommandKind::DecideReferralException => {
            let id = uuid_of(f, "referral_id", p, i).map(ReferralId);
            let approved = match f.get("approved") {
                "yes" => Some(true),
                "no" => Some(false),
                _ => {
                    p.push(Violation::new("required", i.t("err-required")).at("approved"));
                    None
                }
            };
            let reason = p.opt_text("reason", &f.opt("reason"));
            (|| {
                Some(Command::DecideReferralException(ExceptionDecision {
                    referral_id: id?,
                    approved: approved?,
                    reason: reason?,
                }))
            })()
        }
        // Made by `make_referral`, once the directory has named the organisation.
        CommandKind::MakeReferral => None,
        _ => return None,
    })
}

/// A referral from its form, to the organisation the directory named (`None` when it
/// could not: its reason is already among the errors).
pub fn make_referral(
    f: &FormData,
    organisation: Option<(OrganisationId, CountryCode, ShortText)>,
    ctx: &Ctx,
    p: &mut Parse,
) -> Option<Command> {
    let i = &ctx.i;
    let service = choice::<ServiceType>(f, "service", p, i);
    let ids = |name: &str| -> std::collections::BTreeSet<PersonId> {
        f.all(name)
            .into_iter()
            .filter_map(|w| w.parse().ok().map(PersonId))
            .collect()
    };
    let days = match f.get("answer_within_days").parse::<u16>() {
        Ok(d) => Some(d),
        Err(_) => {
            p.push(Violation::new("required", i.t("err-required")).at("answer_within_days"));
            None
        }
    };
    let note = p.opt_text("note", &f.opt("note"));
    // Without everyone's consent: a ground the programme allows, and why.
    let exception = match f.opt("exception_ground").and_then(|g| parse_enum(&g)) {
        Some(ground) => {
            let reason = p.text("exception_reason", f.get("exception_reason"));
            reason.map(|reason| Some(ConsentException { ground, reason }))
        }
        None => Some(None),
    };
    let (organisation, country, organisation_name) = organisation?;
    Some(Command::MakeReferral(ReferralRequest {
        referral_id: ReferralId(homeward_app::new_id()),
        organisation,
        organisation_name,
        service: service?,
        country: Some(country),
        people: ids("people"),
        consent_for: ids("consent_for"),
        shared: f.all("shared").into_iter().filter_map(parse_enum).collect(),
        answer_within_days: days?,
        note: note?,
        exception: exception?,
    }))
}
