//! Referrals of a case's people to organisations of the directory.

use homeward_app::AppError;
use homeward_domain::ids::OrganisationId;

use super::*;

command!(
    make_referral,
    "/api/cases/{case_id}/referrals",
    MakeReferralIn,
    "Refer people of the case to an organisation for one need, with their consent to the referral and to the data shared",
    |b, p, app, _who| {
        // The directory says whether the organisation can take it; its refusal is
        // reported with the body's other invalid fields.
        let country = p.country("country", &b.country);
        let name = match &country {
            Some(country) => match app
                .referral_target(
                    OrganisationId(b.organisation),
                    b.service,
                    country,
                    "organisation",
                )
                .await
            {
                Ok(name) => Some(name),
                Err(AppError::Invalid(v)) => {
                    p.errors.extend(v);
                    None
                }
                Err(e) => return Err(e.into()),
            },
            None => None,
        };
        b.parse(&mut p, country, name).map(Command::MakeReferral)
    }
);

command!(
    update_referral,
    "/api/cases/{case_id}/referral-steps",
    ReferralStepIn,
    "Record a step of a referral: the organisation's answer, the service under way or delivered; closing or revoking it",
    |b, p, _app, _who| b.parse(&mut p).map(Command::UpdateReferral)
);
