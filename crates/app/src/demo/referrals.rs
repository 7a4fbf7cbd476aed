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
    story.run(
        a.reintegration,
        Command::MakeReferral(ReferralRequest {
            referral_id,
            organisation: org.id,
            organisation_name: org.name.clone(),
            service,
            people: [principal].into(),
            consent_for: [principal].into(),
            shared,
            answer_within_days: *[7u16, 14].choose(rng).unwrap_or(&7),
            note: Some(long("Returned this week; asked for help to settle in.")?),
        }),
    )?;
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
    for step in path {
        // A completed case's referral is taken to its end even when its story reaches
        // today: the rest of its steps happen today.
        if !story.wait(rng, 1, 9) && ending != Ending::Completed {
            return Ok(());
        }
        story.run(
            a.reintegration,
            Command::UpdateReferral(ReferralUpdate {
                referral_id,
                step,
                note: None,
            }),
        )?;
    }
    Ok(())
}
