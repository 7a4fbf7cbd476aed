//! The demo's stakeholder directory: service providers in the demo's countries of return
//! and host countries, of every kind the referral forms offer, one of them no longer
//! working. The names are invented.

use std::collections::BTreeSet;

use homeward_domain::organisation::{
    OrganisationDetails, OrganisationKind as K, ServiceStage as St, ServiceType as S,
};
use homeward_domain::values::{CountryCode, LanguageCode, LongText, ShortText};

use homeward_domain::ids::OrganisationId;

use crate::{App, Internally, Result};

/// The organisation whose referrals the demo's partner user answers.
pub(crate) const PARTNER_ORGANISATION: &str = "Centre d'accueil Keur Yakaar";

struct Entry {
    name: &'static str,
    kind: K,
    countries: &'static [&'static str],
    services: &'static [S],
    stages: &'static [St],
    languages: &'static [&'static str],
    email: &'static str,
    address: &'static str,
    active: bool,
}

const ENTRIES: &[Entry] = &[
    Entry {
        name: PARTNER_ORGANISATION,
        kind: K::ProtectionShelter,
        countries: &["SN"],
        services: &[S::Reception, S::Shelter, S::PsychosocialSupport],
        stages: &[St::ImmediateAssistance, St::MediumTermAssistance],
        languages: &["fr", "wo"],
        email: "accueil@keur-yakaar.example.org",
        address: "Dakar, Sicap Liberté",
        active: true,
    },
    Entry {
        name: "Service départemental de protection de l'enfance de Dakar",
        kind: K::ChildProtection,
        countries: &["SN"],
        services: &[S::ChildProtection, S::FamilyTracing, S::Reception],
        stages: &[St::ImmediateAssistance, St::Reintegration],
        languages: &["fr", "wo"],
        email: "enfance@dakar-social.example.org",
        address: "Dakar, Plateau",
        active: true,
    },
    Entry {
        name: "Chambre des métiers de Thiès",
        kind: K::ReceivingCommunity,
        countries: &["SN"],
        services: &[S::BusinessSupport, S::VocationalTraining],
        stages: &[St::Reintegration, St::LongTermAssistance],
        languages: &["fr", "wo"],
        email: "",
        address: "Thiès",
        active: true,
    },
    Entry {
        name: "Tbilisi Reception and Shelter Centre",
        kind: K::ProtectionShelter,
        countries: &["GE"],
        services: &[S::Reception, S::Shelter, S::MedicalCare],
        stages: &[St::ImmediateAssistance],
        languages: &["ka", "ru", "en"],
        email: "desk@tbilisi-shelter.example.org",
        address: "Tbilisi, Saburtalo",
        active: true,
    },
    Entry {
        name: "Kutaisi Vocational College",
        kind: K::ReceivingCommunity,
        countries: &["GE"],
        services: &[S::Education, S::VocationalTraining, S::Employment],
        stages: &[St::Reintegration],
        languages: &["ka"],
        email: "",
        address: "Kutaisi",
        active: true,
    },
    Entry {
        name: "Edo Survivors' Shelter",
        kind: K::ProtectionShelter,
        countries: &["NG"],
        services: &[
            S::Reception,
            S::Shelter,
            S::PsychosocialSupport,
            S::LegalAid,
        ],
        stages: &[St::ImmediateAssistance, St::MediumTermAssistance],
        languages: &["en"],
        email: "intake@edo-shelter.example.org",
        address: "Benin City",
        active: true,
    },
    Entry {
        name: "Lagos Enterprise Hub",
        kind: K::MigrantSupport,
        countries: &["NG"],
        services: &[S::BusinessSupport, S::Cash, S::Employment],
        stages: &[St::Reintegration, St::LongTermAssistance],
        languages: &["en", "yo"],
        email: "",
        address: "Lagos, Ikeja",
        active: true,
    },
    Entry {
        name: "Erbil Medical Referral Centre",
        kind: K::HealthCare,
        countries: &["IQ"],
        services: &[S::MedicalCare, S::PsychosocialSupport, S::Reception],
        stages: &[St::ImmediateAssistance, St::MediumTermAssistance],
        languages: &["ar", "ku", "en"],
        email: "referrals@erbil-medical.example.org",
        address: "Erbil",
        active: true,
    },
    Entry {
        name: "Baghdad Legal Aid Clinic",
        kind: K::MigrantSupport,
        countries: &["IQ"],
        services: &[S::LegalAid, S::Housing],
        stages: &[St::Reintegration, St::Integration],
        languages: &["ar"],
        email: "",
        address: "Baghdad, Karrada",
        active: false,
    },
    Entry {
        name: "Association Marocaine d'Accueil des Rapatriés",
        kind: K::DiasporaAssociation,
        countries: &["MA"],
        services: &[S::Reception, S::Housing, S::FamilyTracing],
        stages: &[St::ImmediateAssistance, St::Reintegration],
        languages: &["ar", "fr"],
        email: "contact@amar.example.org",
        address: "Casablanca",
        active: true,
    },
    Entry {
        name: "UNICEF country office (demo)",
        kind: K::InternationalOrganisation,
        countries: &["SN", "NG", "IQ"],
        services: &[S::ChildProtection, S::FamilyTracing, S::Education],
        stages: &[St::ImmediateAssistance, St::Reintegration],
        languages: &["en", "fr", "ar"],
        email: "",
        address: "",
        active: true,
    },
    Entry {
        name: "Red Crescent and Red Cross reception teams (demo)",
        kind: K::InternationalOrganisation,
        countries: &["SN", "GE", "NG", "IQ", "MA"],
        services: &[S::Reception, S::Shelter, S::ChildProtection, S::MedicalCare],
        stages: &[St::ImmediateAssistance],
        languages: &["en", "fr", "ar"],
        email: "reception@redcross.example.org",
        address: "",
        active: true,
    },
    Entry {
        name: "Brussels Legal Aid Desk",
        kind: K::MigrantSupport,
        countries: &["BE"],
        services: &[S::LegalAid],
        stages: &[St::InitialInterview, St::StatusDetermination, St::Return],
        languages: &["fr", "nl", "en"],
        email: "desk@brussels-legal.example.org",
        address: "Brussels",
        active: true,
    },
    Entry {
        name: "Amsterdam Returnee Health Service",
        kind: K::HealthCare,
        countries: &["NL"],
        services: &[S::MedicalCare, S::PsychosocialSupport],
        stages: &[St::Return],
        languages: &["nl", "en"],
        email: "",
        address: "Amsterdam",
        active: true,
    },
];

fn details(e: &Entry) -> Result<OrganisationDetails> {
    let short = |s: &str| ShortText::parse(s).internal("the demo directory");
    let countries = e
        .countries
        .iter()
        .map(|c| CountryCode::parse(c).internal("the demo directory"))
        .collect::<Result<BTreeSet<_>>>()?;
    let languages = e
        .languages
        .iter()
        .map(|l| LanguageCode::parse(l).internal("the demo directory"))
        .collect::<Result<BTreeSet<_>>>()?;
    Ok(OrganisationDetails {
        name: short(e.name)?,
        kind: e.kind,
        countries,
        services: e.services.iter().copied().collect(),
        stages: e.stages.iter().copied().collect(),
        languages,
        contact: None,
        email: (!e.email.is_empty()).then(|| short(e.email)).transpose()?,
        phone: None,
        address: (!e.address.is_empty())
            .then(|| LongText::parse(e.address).internal("the demo directory"))
            .transpose()?,
        active: e.active,
    })
}

/// An organisation of the demo's directory, as the stories refer to it.
#[derive(Clone)]
pub(super) struct DemoOrganisation {
    pub(super) id: OrganisationId,
    pub(super) name: ShortText,
    pub(super) details: OrganisationDetails,
}

impl App {
    /// Adds the demo's organisations to the directory.
    pub(super) async fn demo_directory(&self) -> Result<Vec<DemoOrganisation>> {
        let mut out = vec![];
        for e in ENTRIES {
            let o = self.create_organisation(None, details(e)?).await?;
            out.push(DemoOrganisation {
                id: o.id,
                name: o.details.name.clone(),
                details: o.details,
            });
        }
        Ok(out)
    }
}
