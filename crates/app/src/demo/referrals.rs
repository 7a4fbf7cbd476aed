//! The demo's referrals: on arrival, some returnees are referred to an organisation of
//! the directory in their country, and the referral is taken to one of its states (left
//! waiting, and so overdue in time; accepted; declined and closed; in progress;
//! delivered; closed; revoked). A case the story closes as completed has no referral
//! left open.

use homeward_domain::case::referrals::*;

use super::directory::DemoOrganisation;
use super::*;

pub(super) fn refer_on_arrival(
    rng: &mut StdRng,
    story: &mut Story,
    a: &Actors,
    c: &Country,
    ending: Ending,
    directory: &[DemoOrganisation],
) -> Result<()> {
    // Those who were met on arrival: the reception is delivered and its referral closed.
    let open: Vec<ReferralId> = story
        .case()?
        .referrals
        .open()
        .map(|r| r.request.referral_id)
        .collect();
    for referral_id in open {
        for step in [
            ReferralStep::Delivered {
                what: long("Met at arrivals; three nights in the reception centre.")?,
            },
            ReferralStep::Closed,
        ] {
            story.run(
                a.reintegration,
                Command::UpdateReferral(ReferralUpdate {
                    referral_id,
                    step,
                    note: None,
                    receiver: None,
                    answered_by: None,
                }),
            )?;
        }
    }
    let here: Vec<&DemoOrganisation> = directory
        .iter()
        .filter(|o| o.details.active && o.details.countries.iter().any(|k| k.as_str() == c.code))
        .collect();
    let Some(org) = here.choose(rng).copied() else {
        return Ok(());
    };
    if !rng.random_bool(0.5) || !story.wait(rng, 0, 2) {
        return Ok(());
    }
    let case = story.case()?;
    let Some(principal) = case.principal().map(|m| m.person_id) else {
        return Ok(());
    };
    let services: Vec<_> = org.details.services.iter().copied().collect();
    let Some(service) = services.choose(rng).copied() else {
        return Ok(());
    };
    let referral_id = ReferralId(rid(rng, story.t));
    let mut shared: BTreeSet<DataGroup> = [DataGroup::Identity, DataGroup::Contact].into();
    if rng.random_bool(0.3) {
        shared.insert(DataGroup::Family);
    }
    // One in ten is made without consent, on a ground the programme allows, and goes to
    // the programme manager of the office of return (chosen from the id: the random
    // draws of the rest of the demo stay as they were).
    let without_consent = referral_id.0.as_u128().is_multiple_of(10);
    let exception = if without_consent {
        Some(ConsentException {
            ground: ExceptionGround::RiskToLife,
            reason: long(
                "Threatened on arrival by a creditor; she could not be reached to consent.",
            )?,
        })
    } else {
        None
    };
    story.run(
        a.reintegration,
        Command::MakeReferral(ReferralRequest {
            referral_id,
            organisation: org.id,
            organisation_name: org.name.clone(),
            service,
            country: Some(CountryCode::parse(c.code).internal("building the demo")?),
            people: [principal].into(),
            consent_for: if without_consent {
                BTreeSet::new()
            } else {
                [principal].into()
            },
            shared,
            answer_within_days: *[7u16, 14].choose(rng).unwrap_or(&7),
            note: Some(long("Returned this week; asked for help to settle in.")?),
            exception,
        }),
    )?;
    if without_consent {
        // Some wait for the decision still.
        if ending != Ending::Completed && referral_id.0.as_u128().is_multiple_of(20) {
            return Ok(());
        }
        story.run(
            a.return_approver,
            Command::DecideReferralException(ExceptionDecision {
                referral_id,
                approved: true,
                reason: None,
            }),
        )?;
    }
    use ReferralStep as S;
    let reason = |s: &str| long(s);
    // Where the referral's story ends; a case closed as completed leaves none open.
    let paths: Vec<Vec<S>> = vec![
        vec![
            S::Accepted,
            S::Delivered {
                what: reason("Service provided as asked.")?,
            },
            S::Closed,
        ],
        vec![
            S::Declined {
                reason: reason("No places until next month.")?,
            },
            S::Closed,
        ],
        vec![S::Revoked {
            reason: reason("She found help through her family.")?,
        }],
        vec![
            S::Accepted,
            S::InProgress,
            S::Delivered {
                what: reason("Three sessions held.")?,
            },
        ],
        vec![],
        vec![S::Accepted],
        vec![S::Accepted, S::InProgress],
        vec![S::Declined {
            reason: reason("Outside the area we cover.")?,
        }],
    ];
    let choices = if ending == Ending::Completed {
        &paths[..4]
    } else {
        &paths[..]
    };
    let path = choices.choose(rng).cloned().unwrap_or_default();
    // The demo's partner answers for its own organisation; the rest is recorded by the
    // officer who sent the referral.
    let partner = org.name.as_str() == super::directory::PARTNER_ORGANISATION;
    for step in path {
        // A completed case's referral is taken to its end even when its story reaches
        // today: the rest of its steps happen today.
        if !story.wait(rng, 1, 9) && ending != Ending::Completed {
            return Ok(());
        }
        let by = if partner && step.is_organisations() {
            a.partner
        } else {
            a.reintegration
        };
        story.run(
            by,
            Command::UpdateReferral(ReferralUpdate {
                referral_id,
                step,
                note: None,
                receiver: None,
                answered_by: None,
            }),
        )?;
    }
    Ok(())
}

/// Before departure, each traveller whose vulnerability needs it is referred for
/// reception or protection in the country of return, to an organisation of the directory
/// there, and the organisation accepts, naming who receives a child travelling alone.
pub(super) fn protect_on_arrival(
    rng: &mut StdRng,
    story: &mut Story,
    a: &Actors,
    c: &Country,
    directory: &[DemoOrganisation],
) -> Result<()> {
    let case = story.case()?;
    let country = CountryCode::parse(c.code).internal("building the demo")?;
    let day = story.t.date_naive();
    for m in &case.members {
        let mut needs = m.details.vulnerabilities.clone();
        if homeward_domain::case::voluntariness::is_unaccompanied_child(&case, m, day) {
            needs.insert(Vulnerability::UnaccompaniedOrSeparatedChild);
        }
        for v in needs {
            let services = story.programme.reception_services(v);
            let Some((org, service)) = directory.iter().find_map(|o| {
                let offered = services.iter().find(|s| o.details.services.contains(s))?;
                (o.details.active && o.details.countries.contains(&country))
                    .then_some((o, *offered))
            }) else {
                continue;
            };
            let referral_id = ReferralId(rid(rng, story.t));
            story.run(
                a.counsellor,
                Command::MakeReferral(ReferralRequest {
                    referral_id,
                    organisation: org.id,
                    organisation_name: org.name.clone(),
                    service,
                    country: Some(country.clone()),
                    people: [m.person_id].into(),
                    consent_for: [m.person_id].into(),
                    shared: [DataGroup::Identity, DataGroup::Vulnerabilities].into(),
                    answer_within_days: 5,
                    note: Some(long(
                        "Needs to be met at the airport and a safe place to stay.",
                    )?),
                    exception: None,
                }),
            )?;
            story.run(
                a.counsellor,
                Command::UpdateReferral(ReferralUpdate {
                    referral_id,
                    step: ReferralStep::Accepted,
                    note: None,
                    receiver: Some(text("Duty social worker, met at arrivals")?),
                    answered_by: None,
                }),
            )?;
        }
    }
    Ok(())
}
