//! The demo's inbound referrals: people a Brussels legal aid desk referred to the
//! programme, one in each state: two waiting (one urgent), one registered as a case, one
//! declined with a note, one withdrawn by the desk. The desk's user is `referrer`.

use homeward_domain::Actor;
use homeward_domain::inbound::{
    DeclineReason, InboundConsent, InboundDetails, InboundReferral, InboundStatus, Referrer,
};

use super::*;
use crate::cases::RegisterInput;

/// The organisation whose user refers people in the demo.
pub(super) const REFERRING_ORGANISATION: &str = "Brussels Legal Aid Desk";

/// (given, family, born, sex, nationality, language, reason, urgent, days ago, state)
type Story = (
    &'static str,
    &'static str,
    i32,
    Sex,
    &'static str,
    &'static str,
    &'static str,
    bool,
    i64,
    InboundStatus,
);

const STORIES: &[Story] = &[
    (
        "Adama",
        "Ndiaye",
        1994,
        Sex::Male,
        "SN",
        "wo",
        "His asylum appeal was refused; he wishes to go home to Thiès before the order to leave takes effect.",
        true,
        1,
        InboundStatus::Received,
    ),
    (
        "Giorgi",
        "Beridze",
        1979,
        Sex::Male,
        "GE",
        "ka",
        "Wants to return to Kutaisi to look after his mother; asks about vocational training.",
        false,
        4,
        InboundStatus::Received,
    ),
    (
        "Chinedu",
        "Okafor",
        1990,
        Sex::Female,
        "NG",
        "en",
        "Wishes to return to Lagos and restart her tailoring business.",
        false,
        12,
        InboundStatus::Registered,
    ),
    (
        "Karim",
        "Benali",
        1985,
        Sex::Male,
        "MA",
        "ar",
        "Wishes to return to Casablanca.",
        false,
        20,
        InboundStatus::Declined,
    ),
    (
        "Nino",
        "Kapanadze",
        2001,
        Sex::Female,
        "GE",
        "ka",
        "Considering a return to Tbilisi.",
        false,
        25,
        InboundStatus::Withdrawn,
    ),
];

impl App {
    /// Writes the demo's inbound referrals for `referrer` (the desk's user); registers one
    /// as `counsellor`. The number of cases registered.
    pub(super) async fn demo_inbound(
        &self,
        world: &World,
        referrer: UserId,
        counsellor: &Actor,
        as_of: DateTime<Utc>,
    ) -> Result<usize> {
        let desk = world
            .directory
            .iter()
            .find(|o| o.name.as_str() == REFERRING_ORGANISATION)
            .ok_or_else(|| AppError::internal("the demo's referring organisation"))?;
        let office = *world
            .host_ids
            .first()
            .ok_or_else(|| AppError::internal("the demo's host office"))?;
        let mut registered = 0;
        for (n, s) in STORIES.iter().enumerate() {
            let (given, family, born, sex, nationality, language, reason, urgent, days, state) = *s;
            let submitted_at = as_of - Duration::days(days);
            let person = PersonDetails {
                name: PersonName {
                    given: text(given)?,
                    family: Some(text(family)?),
                    latin: None,
                },
                date_of_birth: DateOfBirth::EstimatedYear(born),
                sex,
                nationality: Some(CountryCode::parse(nationality).internal("the demo")?),
                languages: vec![LanguageCode::parse(language).internal("the demo")?],
                contact: Contact::default(),
                legal_situation: LegalSituation::IrregularStay,
                vulnerabilities: BTreeSet::new(),
            };
            let r = InboundReferral::received(
                InboundId(uuid::Uuid::now_v7()),
                &Referrer {
                    organisation: desk.id,
                    name: desk.name.clone(),
                    kind: desk.details.kind,
                    user: referrer,
                },
                submitted_at,
                InboundDetails {
                    office,
                    referrer_reference: Some(text(&format!("BLAD-2026-{:03}", 40 + n))?),
                    person: person.clone(),
                    household: None,
                    country_of_return: Some(CountryCode::parse(nationality).internal("the demo")?),
                    reason: long(reason)?,
                    urgent,
                    consent: InboundConsent {
                        given_on: submitted_at.date_naive(),
                        representative: None,
                    },
                },
            );
            self.store().create_inbound(&r).await?;
            let decided_at = submitted_at + Duration::days(2);
            match state {
                InboundStatus::Received => {}
                InboundStatus::Registered => {
                    let country = CountryCode::parse(nationality).internal("the demo")?;
                    let generation = self.store().directory_generation().await?;
                    self.register_as(
                        counsellor,
                        generation,
                        RegisterInput {
                            host_office: office,
                            programme: world.programme,
                            referral: r.case_referral(),
                            proposal: Proposal {
                                country_of_return: country,
                                return_kind: ReturnKind::Origin,
                                place_of_return: Some(text("Lagos")?),
                                assistance_package: vec![],
                            },
                            members: vec![Member {
                                person_id: PersonId(uuid::Uuid::now_v7()),
                                relationship: Relationship::Principal,
                                details: person,
                            }],
                            occurred_at: Some(decided_at),
                            inbound: Some(r.id),
                        },
                    )
                    .await?;
                    registered += 1;
                }
                InboundStatus::Declined => {
                    let done = r
                        .declined(
                            counsellor.user_id,
                            decided_at,
                            DeclineReason::Unreachable,
                            Some(long(
                                "We called three times and wrote; please ask him to call our Brussels office.",
                            )?),
                        )
                        .map_err(AppError::Refused)?;
                    self.store().decide_inbound(&done).await?;
                }
                InboundStatus::Withdrawn => {
                    let done = r
                        .withdrawn(referrer, decided_at)
                        .map_err(AppError::Refused)?;
                    self.store().decide_inbound(&done).await?;
                }
            }
        }
        self.audit(AuditDraft {
            at: now(),
            actor: None,
            action: "demo.inbound_referrals".into(),
            case_id: None,
            detail: serde_json::json!({ "referrals": STORIES.len(), "registered": registered }),
        })
        .await?;
        Ok(registered)
    }
}
