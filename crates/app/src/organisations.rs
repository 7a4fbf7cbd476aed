//! The stakeholder directory: administrators and programme managers keep it; every
//! signed-in user may read it (it names organisations, never people).

use homeward_domain::ids::OrganisationId;
use homeward_domain::organisation::{Organisation, OrganisationDetails, OrganisationFilter};
use homeward_store::OrganisationRow;

use crate::auth::Principal;
use crate::{App, AppError, Internally, Result, new_id, now};

fn parse(row: &OrganisationRow) -> Result<Organisation> {
    let details: OrganisationDetails = serde_json::from_str(&row.details)
        .map_err(|e| AppError::internal_from(format!("organisation {}", row.id), e))?;
    Ok(Organisation {
        id: OrganisationId(row.id),
        details,
    })
}

fn may_keep(p: &Principal, what: &str) -> Result<()> {
    if p.actor.may_keep_directory() {
        Ok(())
    } else {
        Err(AppError::Forbidden(format!(
            "{what} is for administrators and programme managers"
        )))
    }
}

fn check(d: &OrganisationDetails) -> Result<()> {
    let v = d.violations();
    if v.is_empty() {
        Ok(())
    } else {
        Err(AppError::Invalid(v))
    }
}

impl App {
    /// Adds an organisation to the directory. `p` is `None` only for the demo's set-up.
    pub async fn create_organisation(
        &self,
        p: Option<&Principal>,
        details: OrganisationDetails,
    ) -> Result<Organisation> {
        if let Some(p) = p {
            may_keep(p, "adding organisations")?;
        }
        check(&details)?;
        let at = now();
        let row = OrganisationRow {
            id: new_id(),
            name: details.name.to_string(),
            details: serde_json::to_string(&details).internal("organisation")?,
            created_at: at,
            updated_at: at,
        };
        self.store().create_organisation(&row).await?;
        self.audit_admin(
            p,
            "organisation.create",
            serde_json::json!({"organisation": row.id, "name": row.name}),
        )
        .await?;
        parse(&row)
    }

    /// Replaces an organisation's description (referrals made to it keep its id).
    pub async fn update_organisation(
        &self,
        p: &Principal,
        id: OrganisationId,
        details: OrganisationDetails,
    ) -> Result<Organisation> {
        may_keep(p, "changing organisations")?;
        check(&details)?;
        let mut row = self
            .store()
            .organisation(id.0)
            .await?
            .ok_or(AppError::NotFound)?;
        row.name = details.name.to_string();
        row.details = serde_json::to_string(&details).internal("organisation")?;
        row.updated_at = now();
        self.store().update_organisation(&row).await?;
        self.audit_admin(
            Some(p),
            "organisation.update",
            serde_json::json!({"organisation": row.id, "details": row.details}),
        )
        .await?;
        parse(&row)
    }

    /// The organisations that match, by name.
    pub async fn find_organisations(
        &self,
        filter: &OrganisationFilter,
    ) -> Result<Vec<Organisation>> {
        let mut found = vec![];
        for row in self.store().list_organisations().await? {
            let o = parse(&row)?;
            if filter.matches(&o.details) {
                found.push(o);
            }
        }
        Ok(found)
    }

    pub async fn get_organisation(&self, id: OrganisationId) -> Result<Organisation> {
        let row = self
            .store()
            .organisation(id.0)
            .await?
            .ok_or(AppError::NotFound)?;
        parse(&row)
    }
}

impl App {
    /// The name of the organisation a referral for `service` goes to, if it can take it
    /// (`homeward_domain::case::referral_target_violations`); `field` names the
    /// organisation in a refusal.
    pub async fn referral_target(
        &self,
        id: OrganisationId,
        service: homeward_domain::organisation::ServiceType,
        country: &homeward_domain::values::CountryCode,
        field: &str,
    ) -> Result<homeward_domain::values::ShortText> {
        let Some(row) = self.store().organisation(id.0).await? else {
            return Err(AppError::invalid(
                homeward_domain::Violation::new(
                    "referral.organisation_unknown",
                    "there is no such organisation in the directory",
                )
                .at(field),
            ));
        };
        let o = parse(&row)?;
        let v = homeward_domain::case::referral_target_violations(&o.details, service, country);
        if v.is_empty() {
            Ok(o.details.name)
        } else {
            Err(AppError::Invalid(v))
        }
    }
}

impl App {
    /// The organisations a referral of this case may go to: working, in its host
    /// country or its country of return; by name.
    pub async fn referral_choices(
        &self,
        case: &homeward_domain::Case,
    ) -> Result<Vec<Organisation>> {
        let mut found = vec![];
        for country in [&case.host_country, &case.proposal.country_of_return] {
            let filter = OrganisationFilter {
                country: Some(country.clone()),
                ..OrganisationFilter::default()
            };
            for o in self.find_organisations(&filter).await? {
                if !found.iter().any(|f: &Organisation| f.id == o.id) {
                    found.push(o);
                }
            }
        }
        found.sort_by(|a, b| a.details.name.cmp(&b.details.name));
        Ok(found)
    }
}
