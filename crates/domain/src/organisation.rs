//! The stakeholder directory (the National Referral Mechanism's map): the organisations a
//! case can be referred to, where they work, which services they offer and at which
//! stages of a migrant's path. Administrators and programme managers keep it.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::ids::OrganisationId;
use crate::rules::Violation;
use crate::values::{CountryCode, LanguageCode, LongText, ShortText};

macro_rules! listed {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $code:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The code used in the API, in files and in message keys.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            pub fn from_code(code: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.code() == code)
            }
        }
    };
}

listed!(
    /// What kind of stakeholder an organisation is (the seed's typology).
    OrganisationKind {
        ImmigrationAuthority = "immigration_authority",
        AsylumAuthority = "asylum_authority",
        SocialWelfare = "social_welfare",
        ChildProtection = "child_protection",
        Police = "police",
        Embassy = "embassy",
        InternationalOrganisation = "international_organisation",
        DiasporaAssociation = "diaspora_association",
        MigrantSupport = "migrant_support",
        ProtectionShelter = "protection_shelter",
        HealthCare = "health_care",
        ReceivingCommunity = "receiving_community",
    }
);

listed!(
    /// The stages of a migrant's path at which a service is offered.
    ServiceStage {
        InitialInterview = "initial_interview",
        StatusDetermination = "status_determination",
        ImmediateAssistance = "immediate_assistance",
        MediumTermAssistance = "medium_term_assistance",
        LongTermAssistance = "long_term_assistance",
        Integration = "integration",
        Return = "return",
        Reintegration = "reintegration",
    }
);

listed!(
    /// A service a person can be referred for: one need.
    ServiceType {
        Reception = "reception",
        Shelter = "shelter",
        MedicalCare = "medical_care",
        PsychosocialSupport = "psychosocial_support",
        LegalAid = "legal_aid",
        FamilyTracing = "family_tracing",
        ChildProtection = "child_protection",
        Education = "education",
        VocationalTraining = "vocational_training",
        BusinessSupport = "business_support",
        Employment = "employment",
        Housing = "housing",
        Cash = "cash",
    }
);

/// What describes an organisation in the directory, as entered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrganisationDetails {
    pub name: ShortText,
    pub kind: OrganisationKind,
    /// Countries it works in (at least one).
    #[cfg_attr(feature = "openapi", schema(min_items = 1))]
    pub countries: BTreeSet<CountryCode>,
    /// Services it offers (at least one).
    #[cfg_attr(feature = "openapi", schema(min_items = 1))]
    pub services: BTreeSet<ServiceType>,
    /// Stages of the migrant's path it offers them at (at least one).
    #[cfg_attr(feature = "openapi", schema(min_items = 1))]
    pub stages: BTreeSet<ServiceStage>,
    /// Languages it works in.
    #[serde(default)]
    pub languages: BTreeSet<LanguageCode>,
    /// The contact point: a person or a desk.
    #[serde(default)]
    pub contact: Option<ShortText>,
    #[serde(default)]
    pub email: Option<ShortText>,
    #[serde(default)]
    pub phone: Option<ShortText>,
    /// Offices and addresses.
    #[serde(default)]
    pub address: Option<LongText>,
    /// An organisation no longer working is kept (referrals name it) but not offered.
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

/// An organisation of the directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Organisation {
    pub id: OrganisationId,
    #[serde(flatten)]
    pub details: OrganisationDetails,
}

impl OrganisationDetails {
    /// Every rule an organisation's description breaks, each at its field.
    pub fn violations(&self) -> Vec<Violation> {
        let mut v = vec![];
        if self.countries.is_empty() {
            v.push(
                Violation::new(
                    "organisation.no_country",
                    "an organisation works in at least one country",
                )
                .at("countries"),
            );
        }
        if self.services.is_empty() {
            v.push(
                Violation::new(
                    "organisation.no_service",
                    "an organisation offers at least one service",
                )
                .at("services"),
            );
        }
        if self.stages.is_empty() {
            v.push(
                Violation::new(
                    "organisation.no_stage",
                    "an organisation offers its services at one stage at least",
                )
                .at("stages"),
            );
        }
        if let Some(e) = &self.email
            && !plausible_email(e.as_str())
        {
            v.push(Violation::new("organisation.email", "is not an email address").at("email"));
        }
        v
    }
}

/// One `@` with something on each side and a dot after it: enough to catch a phone
/// number typed into the wrong box, without refusing real addresses.
fn plausible_email(e: &str) -> bool {
    match e.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !e.chars().any(char::is_whitespace)
        }
        None => false,
    }
}

/// What a directory search asks for; each part left empty matches everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrganisationFilter {
    pub country: Option<CountryCode>,
    pub service: Option<ServiceType>,
    pub stage: Option<ServiceStage>,
    pub kind: Option<OrganisationKind>,
    /// Words of the name, any order, accents and case ignored.
    pub name: Option<String>,
    /// Also organisations no longer active.
    pub inactive: bool,
}

impl OrganisationFilter {
    pub fn matches(&self, o: &OrganisationDetails) -> bool {
        (self.inactive || o.active)
            && self
                .country
                .as_ref()
                .is_none_or(|c| o.countries.contains(c))
            && self.service.is_none_or(|s| o.services.contains(&s))
            && self.stage.is_none_or(|s| o.stages.contains(&s))
            && self.kind.is_none_or(|k| o.kind == k)
            && self.name.as_deref().is_none_or(|q| {
                let have = crate::values::search_words(o.name.as_str());
                crate::values::search_words(q)
                    .iter()
                    .all(|w| have.iter().any(|h| h.starts_with(w.as_str())))
            })
    }

    /// Whether an organisation can take a referral for this service in this country:
    /// active, working there, offering it.
    pub fn can_serve(o: &OrganisationDetails, country: &CountryCode, service: ServiceType) -> bool {
        OrganisationFilter {
            country: Some(country.clone()),
            service: Some(service),
            ..Self::default()
        }
        .matches(o)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shelter() -> OrganisationDetails {
        OrganisationDetails {
            name: ShortText::parse("Maison d'Accueil Tbilisi").unwrap(),
            kind: OrganisationKind::ProtectionShelter,
            countries: [CountryCode::parse("GE").unwrap()].into(),
            services: [ServiceType::Shelter, ServiceType::Reception].into(),
            stages: [ServiceStage::ImmediateAssistance].into(),
            languages: BTreeSet::new(),
            contact: None,
            email: Some(ShortText::parse("desk@shelter.ge").unwrap()),
            phone: None,
            address: None,
            active: true,
        }
    }

    #[test]
    fn codes_are_the_serde_names() {
        for k in OrganisationKind::ALL {
            assert_eq!(serde_json::to_value(k).unwrap(), k.code());
            assert_eq!(OrganisationKind::from_code(k.code()), Some(*k));
        }
        for s in ServiceStage::ALL {
            assert_eq!(serde_json::to_value(s).unwrap(), s.code());
        }
        for s in ServiceType::ALL {
            assert_eq!(serde_json::to_value(s).unwrap(), s.code());
            assert_eq!(ServiceType::from_code(s.code()), Some(*s));
        }
    }

    #[test]
    fn an_organisation_names_where_and_what() {
        assert!(shelter().violations().is_empty());
        let mut o = shelter();
        o.countries.clear();
        o.services.clear();
        o.stages.clear();
        o.email = Some(ShortText::parse("+995 32 2 00 00").unwrap());
        let fields: Vec<_> = o
            .violations()
            .into_iter()
            .map(|v| v.field.unwrap())
            .collect();
        assert_eq!(fields, ["countries", "services", "stages", "email"]);
    }

    #[test]
    fn a_search_matches_each_part() {
        let o = shelter();
        let ge = CountryCode::parse("GE").unwrap();
        let am = CountryCode::parse("AM").unwrap();
        let all = OrganisationFilter::default();
        assert!(all.matches(&o));
        let f = |country: &CountryCode, service, name: Option<&str>| OrganisationFilter {
            country: Some(country.clone()),
            service: Some(service),
            name: name.map(str::to_string),
            ..OrganisationFilter::default()
        };
        assert!(f(&ge, ServiceType::Shelter, Some("maison tbil")).matches(&o));
        assert!(!f(&am, ServiceType::Shelter, None).matches(&o));
        assert!(!f(&ge, ServiceType::LegalAid, None).matches(&o));
        assert!(!f(&ge, ServiceType::Shelter, Some("hotel")).matches(&o));
        let stage = OrganisationFilter {
            stage: Some(ServiceStage::Reintegration),
            ..OrganisationFilter::default()
        };
        assert!(!stage.matches(&o));
        let mut closed = o.clone();
        closed.active = false;
        assert!(!all.matches(&closed));
        assert!(!OrganisationFilter::can_serve(
            &closed,
            &ge,
            ServiceType::Shelter
        ));
        assert!(
            OrganisationFilter {
                inactive: true,
                ..OrganisationFilter::default()
            }
            .matches(&closed)
        );
    }
}
