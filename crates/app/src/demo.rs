//! A realistic demonstration data set: offices in host countries and countries of return,
//! a programme, one user per role, and cases spread over every stage and vulnerability.
//!
//! Every case is built by running its story through the domain's `decide` (so every
//! demo case is one the rules allow), at the times and by the roles the story says, and
//! is stored in one commit.

use crate::Internally;
use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use homeward_domain::access::Role;
use homeward_domain::case::records::*;
use homeward_domain::case::{Context, EventMeta, RegisterCase, decide, register};
use homeward_domain::ids::*;
use homeward_domain::person::*;
use homeward_domain::programme::{HealthAssessmentRule, ProgrammeSettings};
use homeward_domain::values::*;
use homeward_domain::{Case, Command, Event, RecordedEvent, Stage};
use homeward_store::projection::project;
use homeward_store::{AuditDraft, NewCase};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{RngExt, SeedableRng};

use crate::admin::NewUser;
use crate::{App, AppError, Result, now};

/// Sign-in details of the demo users.
#[derive(Debug, Clone)]
pub struct DemoUser {
    pub username: String,
    pub password: String,
    pub role: Role,
    pub offices: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct DemoSummary {
    pub users: Vec<DemoUser>,
    pub cases: usize,
}

struct Country {
    code: &'static str,
    office: (&'static str, &'static str),
    airport: &'static str,
    languages: &'static [&'static str],
    given: &'static [(&'static str, Option<&'static str>)],
    family: &'static [(&'static str, Option<&'static str>)],
    places: &'static [&'static str],
    weight: u32,
}

const RETURN_COUNTRIES: &[Country] = &[
    Country {
        code: "SN",
        office: ("DKR", "Dakar"),
        airport: "DSS",
        languages: &["wo", "fr"],
        given: &[
            ("Awa", None),
            ("Fatou", None),
            ("Aminata", None),
            ("Moussa", None),
            ("Ibrahima", None),
            ("Mamadou", None),
            ("Cheikh", None),
            ("Khady", None),
            ("Ousmane", None),
            ("Mariama", None),
        ],
        family: &[
            ("Diallo", None),
            ("Ndiaye", None),
            ("Diop", None),
            ("Fall", None),
            ("Sow", None),
            ("Ba", None),
            ("Sarr", None),
            ("Gueye", None),
        ],
        places: &["Dakar", "Thiès", "Kaolack", "Saint-Louis", "Ziguinchor"],
        weight: 30,
    },
    Country {
        code: "GE",
        office: ("TBS", "Tbilisi"),
        airport: "TBS",
        languages: &["ka", "ru"],
        given: &[
            ("ნინო", Some("Nino")),
            ("გიორგი", Some("Giorgi")),
            ("დავით", Some("Davit")),
            ("მარიამ", Some("Mariam")),
            ("ლევან", Some("Levan")),
            ("ანა", Some("Ana")),
        ],
        family: &[
            ("ბერიძე", Some("Beridze")),
            ("კაპანაძე", Some("Kapanadze")),
            ("გელაშვილი", Some("Gelashvili")),
            ("მაისურაძე", Some("Maisuradze")),
        ],
        places: &["Tbilisi", "Kutaisi", "Batumi", "Rustavi"],
        weight: 25,
    },
    Country {
        code: "NG",
        office: ("LOS", "Lagos"),
        airport: "LOS",
        languages: &["en", "yo"],
        given: &[
            ("Chinedu", None),
            ("Ngozi", None),
            ("Emeka", None),
            ("Aisha", None),
            ("Tunde", None),
            ("Funmilayo", None),
            ("Ifeoma", None),
            ("Bola", None),
        ],
        family: &[
            ("Okafor", None),
            ("Adeyemi", None),
            ("Okonkwo", None),
            ("Bello", None),
            ("Eze", None),
            ("Ogunleye", None),
        ],
        places: &["Lagos", "Benin City", "Abuja", "Ibadan"],
        weight: 20,
    },
    Country {
        code: "IQ",
        office: ("EBL", "Erbil"),
        airport: "EBL",
        languages: &["ar", "ku"],
        given: &[
            ("محمد", Some("Mohammed")),
            ("أحمد", Some("Ahmed")),
            ("فاطمة", Some("Fatima")),
            ("زينب", Some("Zainab")),
            ("علي", Some("Ali")),
            ("سارة", Some("Sara")),
        ],
        family: &[
            ("الجبوري", Some("Al-Jubouri")),
            ("العبيدي", Some("Al-Obaidi")),
            ("الحسيني", Some("Al-Husseini")),
            ("الدليمي", Some("Al-Dulaimi")),
        ],
        places: &["Erbil", "Duhok", "Sulaymaniyah", "Mosul"],
        weight: 15,
    },
    Country {
        code: "MA",
        office: ("CAS", "Casablanca"),
        airport: "CMN",
        languages: &["ar", "fr"],
        given: &[
            ("Youssef", None),
            ("Khadija", None),
            ("Hamza", None),
            ("Salma", None),
            ("Mohamed", None),
            ("Imane", None),
        ],
        family: &[
            ("El Amrani", None),
            ("Benali", None),
            ("Ouahbi", None),
            ("Tazi", None),
            ("Idrissi", None),
        ],
        places: &["Casablanca", "Oujda", "Tangier", "Béni Mellal"],
        weight: 10,
    },
];

const HOST_OFFICES: &[(&str, &str, &str, &str)] = &[
    ("BRU", "Brussels", "BE", "BRU"),
    ("AMS", "Amsterdam", "NL", "AMS"),
];

const CATEGORIES: &[&str] = &[
    "rejected asylum seeker",
    "irregular migrant",
    "victim of trafficking",
    "stranded migrant",
];

fn text(s: &str) -> Result<ShortText> {
    ShortText::parse(s).internal("building the demo")
}

fn long(s: &str) -> Result<LongText> {
    LongText::parse(s).internal("building the demo")
}

pub fn demo_programme_settings() -> Result<ProgrammeSettings> {
    let cc = |c: &str| CountryCode::parse(c).internal("building the demo");
    Ok(ProgrammeSettings {
        reflection_period_days: 3,
        host_countries: HOST_OFFICES
            .iter()
            .map(|h| cc(h.2))
            .collect::<Result<_>>()?,
        return_countries: RETURN_COUNTRIES
            .iter()
            .map(|c| cc(c.code))
            .collect::<Result<_>>()?,
        categories: CATEGORIES.iter().map(|c| text(c)).collect::<Result<_>>()?,
        health_assessment: HealthAssessmentRule::ForVulnerabilities(
            [Vulnerability::MedicalNeeds, Vulnerability::Elderly]
                .into_iter()
                .collect(),
        ),
        escort_required_for: BTreeSet::new(),
        risk_assessment_for_trafficking: true,
        currency: CurrencyCode::parse("EUR").internal("building the demo")?,
    })
}

/// The users of the demo, one per role; passwords are printed at start-up.
fn demo_users() -> Vec<(&'static str, &'static str, Role, bool, bool)> {
    // (user name, display name, role, in host offices, in return offices)
    vec![
        (
            "counsellor",
            "Claire Dubois (counsellor)",
            Role::Counsellor,
            true,
            false,
        ),
        (
            "approver",
            "Pieter Janssens (programme manager)",
            Role::Approver,
            true,
            false,
        ),
        (
            "medical",
            "Dr. Sofia Martens (medical officer)",
            Role::MedicalOfficer,
            true,
            false,
        ),
        (
            "movement",
            "Jonas Peeters (movement officer)",
            Role::MovementOfficer,
            true,
            false,
        ),
        (
            "reintegration",
            "Aminata Sy (reintegration officer)",
            Role::ReintegrationOfficer,
            false,
            true,
        ),
        (
            "monitoring",
            "Lucas Visser (M&E officer)",
            Role::MonitoringOfficer,
            true,
            true,
        ),
        (
            "partner",
            "Caritas liaison (partner)",
            Role::Partner,
            false,
            false,
        ),
        (
            "admin",
            "System administrator",
            Role::Administrator,
            false,
            false,
        ),
        ("donor", "Donor liaison", Role::Donor, false, false),
        ("auditor", "Internal auditor", Role::Auditor, false, false),
    ]
}

#[derive(Clone, Copy)]
struct Actors {
    counsellor: UserId,
    approver: UserId,
    medical: UserId,
    movement: UserId,
    reintegration: UserId,
}

/// A case's story as it is being told.
struct Story<'a> {
    events: Vec<RecordedEvent>,
    t: DateTime<Utc>,
    now: DateTime<Utc>,
    programme: &'a ProgrammeSettings,
}

impl Story<'_> {
    fn case(&self) -> Result<Case> {
        Case::replay(&self.events).internal("building the demo")
    }

    /// Moves the story's clock on; false when that would be in the future.
    fn wait(&mut self, rng: &mut StdRng, min_days: i64, max_days: i64) -> bool {
        let mins = rng.random_range(min_days * 1440..=max_days * 1440);
        let next = self.t + Duration::minutes(mins);
        if next > self.now {
            return false;
        }
        self.t = next;
        true
    }

    fn run(&mut self, actor: UserId, cmd: Command) -> Result<()> {
        let case = self.case()?;
        let name = cmd.name();
        let ctx = Context {
            actor,
            occurred_at: self.t,
            now: self.now,
            programme: self.programme,
            history: &self.events,
        };
        let evs = decide(&case, cmd, &ctx)
            .map_err(|r| AppError::internal_from(format!("demo story: {name} refused"), r))?;
        self.push(actor, evs);
        Ok(())
    }

    fn push(&mut self, actor: UserId, evs: Vec<Event>) {
        for event in evs {
            let version = self.events.len() as u64 + 1;
            self.events.push(RecordedEvent {
                meta: EventMeta {
                    version,
                    actor,
                    occurred_at: self.t,
                    recorded_at: self.t + Duration::hours(2).min(self.now - self.t),
                },
                event,
            });
        }
    }
}

/// Where a story stops.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Ending {
    At(Stage),
    Withdrawn,
    Rejected,
    NoShow,
    LostContact,
    Completed,
}

fn pick_ending(rng: &mut StdRng) -> Ending {
    let r = rng.random_range(0..100);
    match r {
        0..5 => Ending::At(Stage::Registered),
        5..13 => Ending::At(Stage::Counselling),
        13..19 => Ending::At(Stage::Applied),
        19..24 => Ending::At(Stage::Approved),
        24..31 => Ending::At(Stage::PreDeparture),
        31..35 => Ending::At(Stage::ReadyToDepart),
        35..39 => Ending::At(Stage::Departed),
        39..45 => Ending::At(Stage::Arrived),
        45..55 => Ending::At(Stage::Reintegration),
        55..65 => Ending::At(Stage::Monitoring),
        65..73 => Ending::Withdrawn,
        73..77 => Ending::Rejected,
        77..80 => Ending::NoShow,
        80..83 => Ending::LostContact,
        _ => Ending::Completed,
    }
}

fn person(
    rng: &mut StdRng,
    c: &Country,
    born: DateOfBirth,
    sex: Sex,
    family: (&str, Option<&str>),
) -> Result<PersonDetails> {
    let given = *c
        .given
        .choose(rng)
        .ok_or_else(|| AppError::internal("no names"))?;
    let latin = match (given.1, family.1) {
        (None, None) => None,
        (g, f) => Some(LatinName {
            given: text(g.unwrap_or(given.0))?,
            family: Some(text(f.unwrap_or(family.0))?),
        }),
    };
    let mut languages = vec![LanguageCode::parse(c.languages[0]).internal("building the demo")?];
    if rng.random_bool(0.6) {
        languages.push(LanguageCode::parse(c.languages[1]).internal("building the demo")?);
    }
    Ok(PersonDetails {
        name: PersonName {
            given: text(given.0)?,
            family: Some(text(family.0)?),
            latin,
        },
        date_of_birth: born,
        sex,
        nationality: Some(CountryCode::parse(c.code).internal("building the demo")?),
        languages,
        contact: Contact {
            phone: Some(text(&format!(
                "+32 4{:02} {:02} {:02} {:02}",
                rng.random_range(60..99),
                rng.random_range(0..99),
                rng.random_range(0..99),
                rng.random_range(0..99)
            ))?),
            email: None,
            address: None,
        },
        legal_situation: *[
            LegalSituation::IrregularStay,
            LegalSituation::AsylumSeeker,
            LegalSituation::VisaOverstayer,
            LegalSituation::StrandedMigrant,
            LegalSituation::MigrantWorkerEndOfContract,
        ]
        .choose(rng)
        .unwrap_or(&LegalSituation::IrregularStay),
        vulnerabilities: BTreeSet::new(),
    })
}

fn household(rng: &mut StdRng, c: &Country, start: DateTime<Utc>) -> Result<Vec<Member>> {
    let year = start
        .date_naive()
        .format("%Y")
        .to_string()
        .parse::<i32>()
        .unwrap_or(2025);
    let family = *c
        .family
        .choose(rng)
        .ok_or_else(|| AppError::internal("no names"))?;
    let birth = |rng: &mut StdRng, min_age: i32, max_age: i32| {
        let y = year - rng.random_range(min_age..=max_age);
        if rng.random_bool(0.15) {
            DateOfBirth::EstimatedYear(y)
        } else {
            NaiveDate::from_ymd_opt(y, rng.random_range(1..=12), rng.random_range(1..=28))
                .map(DateOfBirth::Exact)
                .unwrap_or(DateOfBirth::EstimatedYear(y))
        }
    };
    let sex = |rng: &mut StdRng| {
        if rng.random_bool(0.4) {
            Sex::Female
        } else {
            Sex::Male
        }
    };
    let mut members = vec![];
    let kind = rng.random_range(0..100);
    if kind < 6 {
        // An unaccompanied child, who stays a child for at least a year after
        // registration (born 13 to 16 years before its year): a child of 17 could come of
        // age between the capacity assessment and the best-interests determination, which
        // the rules then refuse (found at 100,000+ generated cases).
        let mut d = {
            let b = birth(rng, 13, 16);
            let x = sex(rng);
            person(rng, c, b, x, family)
        }?;
        d.vulnerabilities
            .insert(Vulnerability::UnaccompaniedOrSeparatedChild);
        members.push(Member {
            person_id: PersonId(rid(rng, start)),
            relationship: Relationship::Principal,
            details: d,
        });
        return Ok(members);
    }
    let age = if rng.random_bool(0.08) {
        rng.random_range(62..78)
    } else {
        rng.random_range(20..55)
    };
    let mut principal = {
        let b = birth(rng, age, age);
        let x = sex(rng);
        person(rng, c, b, x, family)
    }?;
    if age >= 62 {
        principal.vulnerabilities.insert(Vulnerability::Elderly);
    }
    if rng.random_bool(0.1) {
        principal
            .vulnerabilities
            .insert(Vulnerability::MedicalNeeds);
    }
    if rng.random_bool(0.06) {
        principal
            .vulnerabilities
            .insert(Vulnerability::VictimOfTrafficking);
    }
    if rng.random_bool(0.05) {
        principal
            .vulnerabilities
            .insert(Vulnerability::VictimOfViolence);
    }
    members.push(Member {
        person_id: PersonId(rid(rng, start)),
        relationship: Relationship::Principal,
        details: principal,
    });
    if kind >= 60 {
        if kind < 85 {
            let spouse = {
                let b = birth(rng, 20, 50);
                let x = sex(rng);
                person(rng, c, b, x, family)
            }?;
            members.push(Member {
                person_id: PersonId(rid(rng, start)),
                relationship: Relationship::Spouse,
                details: spouse,
            });
        } else if let Some(p) = members.first_mut() {
            p.details
                .vulnerabilities
                .insert(Vulnerability::SingleParentWithoutSupport);
        }
        for _ in 0..rng.random_range(1..=3) {
            let child = {
                let b = birth(rng, 1, 15);
                let x = sex(rng);
                person(rng, c, b, x, family)
            }?;
            members.push(Member {
                person_id: PersonId(rid(rng, start)),
                relationship: Relationship::Child,
                details: child,
            });
        }
    }
    Ok(members)
}

/// Tells one case's story up to its ending (or today).
#[allow(clippy::too_many_arguments)]
fn tell(
    rng: &mut StdRng,
    story: &mut Story,
    a: &Actors,
    c: &Country,
    return_office: OfficeId,
    ending: Ending,
) -> Result<()> {
    let case = story.case()?;
    let members = case.members.clone();
    let on = story.t.date_naive();
    let stop = |s: &Story| -> Result<bool> {
        let stage = s.case()?.stage;
        Ok(ending == Ending::At(stage))
    };
    if stop(story)? || !story.wait(rng, 1, 12) {
        return Ok(());
    }
    // Capacity path for unaccompanied children.
    let uasc: Vec<&Member> = members
        .iter()
        .filter(|m| homeward_domain::case::voluntariness::is_unaccompanied_child(&case, m, on))
        .collect();
    for m in &uasc {
        story.run(
            a.counsellor,
            Command::AppointRepresentative(Representative {
                person_id: m.person_id,
                name: text("Guardian ad litem M. Lambert")?,
                kind: RepresentativeKind::LegalGuardian,
                languages: vec![
                    LanguageCode::parse("fr").internal("building the demo")?,
                    m.details.languages[0].clone(),
                ],
            }),
        )?;
    }
    let adults: Vec<&Member> = members
        .iter()
        .filter(|m| m.details.date_of_birth.is_adult_on(on))
        .collect();
    let mut attendees: BTreeSet<Attendee> = adults
        .iter()
        .map(|m| Attendee::Member(m.person_id))
        .collect();
    for m in &uasc {
        attendees.insert(Attendee::Member(m.person_id));
        attendees.insert(Attendee::RepresentativeOf(m.person_id));
    }
    let lang = if uasc.is_empty() {
        members[0].details.languages[0].clone()
    } else {
        LanguageCode::parse("fr").internal("building the demo")?
    };
    story.run(a.counsellor, Command::RecordCounsellingSession(CounsellingSession {
        session_id: SessionId(rid(rng, story.t)),
        counsellor: a.counsellor,
        language: lang,
        interpreter_present: rng.random_bool(0.5),
        topics: INFORMING_TOPICS.into_iter().chain([Topic::ReintegrationAssistance, Topic::RightToWithdraw]).collect(),
        attendees,
        notes: Some(long("Explained return options, conditions at home and alternatives. The family wishes to think it over.")?),
    }))?;
    if ending == Ending::Withdrawn && rng.random_bool(0.4) {
        story.wait(rng, 1, 5);
        story.run(
            a.counsellor,
            Command::Withdraw {
                person_id: members[0].person_id,
                own_words: Some(long("I have found work here and want to stay.")?),
                whole_case: true,
            },
        )?;
        return Ok(());
    }
    if ending == Ending::LostContact {
        story.wait(rng, 10, 40);
        story.run(
            a.counsellor,
            Command::Close {
                outcome: Outcome::LostContact,
                note: Some(long("No answer to calls or letters for a month.")?),
            },
        )?;
        return Ok(());
    }
    if stop(story)? || !story.wait(rng, 3, 10) {
        return Ok(());
    }
    for m in &uasc {
        story.run(
            a.counsellor,
            Command::AssessCapacity(CapacityAssessment {
                person_id: m.person_id,
                professional: text("Dr. E. Claes")?,
                qualification: text("Child psychologist")?,
                lacks_capacity: true,
                notes: None,
            }),
        )?;
        story.run(
            a.counsellor,
            Command::DetermineBestInterests(BestInterestsDetermination {
                person_id: m.person_id,
                determined_by: text("Best-interests panel, Fedasil")?,
                return_in_best_interests: true,
                notes: Some(long(
                    "Family traced in the country of return; mother able to care for the child.",
                )?),
            }),
        )?;
        story.run(
            a.counsellor,
            Command::RecordConsent(ConsentDeclaration {
                person_id: m.person_id,
                given_by: ConsentGiver::Representative,
                no_pressure_attested: true,
                right_to_withdraw_explained: true,
                data_processing_consent: true,
                statement: None,
            }),
        )?;
    }
    for m in &adults {
        story.run(
            a.counsellor,
            Command::RecordConsent(ConsentDeclaration {
                person_id: m.person_id,
                given_by: ConsentGiver::Person,
                no_pressure_attested: true,
                right_to_withdraw_explained: true,
                data_processing_consent: true,
                statement: None,
            }),
        )?;
    }
    for m in &members {
        if m.details.has(Vulnerability::VictimOfTrafficking) {
            story.run(
                a.counsellor,
                Command::RecordRiskAssessment(RiskAssessment {
                    person_id: m.person_id,
                    conclusion: RiskConclusion::ReturnCanProceedWithMeasures,
                    notes: Some(long(
                        "Protection referral to the shelter network in the country of return.",
                    )?),
                }),
            )?;
        }
    }
    story.run(
        a.counsellor,
        Command::ScreenEligibility(ScreeningFacts {
            removal_procedure: RemovalProcedure::NotInitiated,
            admissibility: Admissibility::National,
            category: text(CATEGORIES.choose(rng).unwrap_or(&CATEGORIES[0]))?,
        }),
    )?;
    story.run(a.counsellor, Command::SubmitApplication)?;
    if stop(story)? || !story.wait(rng, 1, 8) {
        return Ok(());
    }
    if ending == Ending::Rejected {
        story.run(
            a.approver,
            Command::RejectApplication {
                reason: long("The applicant obtained a residence permit.")?,
            },
        )?;
        if rng.random_bool(0.5) && story.wait(rng, 1, 10) {
            story.run(
                a.counsellor,
                Command::Close {
                    outcome: Outcome::Ineligible,
                    note: None,
                },
            )?;
        }
        return Ok(());
    }
    story.run(a.approver, Command::ApproveApplication)?;
    if stop(story)? || !story.wait(rng, 2, 14) {
        return Ok(());
    }
    let programme = story.programme;
    let mut medical_escort = BTreeSet::new();
    for m in &members {
        if programme.requires_health_assessment(&m.details.vulnerabilities) {
            let fitness = if rng.random_bool(0.3) {
                Fitness::FitWithMedicalEscort
            } else {
                Fitness::Fit
            };
            if fitness == Fitness::FitWithMedicalEscort {
                medical_escort.insert(m.person_id);
            }
            story.run(
                a.medical,
                Command::RecordHealthAssessment(HealthAssessment {
                    person_id: m.person_id,
                    fitness,
                    assessed_by: text("Dr. S. Martens")?,
                    medical_details: Some(long(
                        "Hypertension, treated; carries two months of medication.",
                    )?),
                }),
            )?;
        }
        let passport = rng.random_bool(0.6);
        story.run(
            a.movement,
            Command::RecordTravelDocument(TravelDocument {
                document_id: DocumentId(rid(rng, story.t)),
                person_id: m.person_id,
                kind: if passport {
                    DocumentKind::Passport
                } else {
                    DocumentKind::LaissezPasser
                },
                status: if passport {
                    DocumentStatus::Held
                } else {
                    DocumentStatus::Issued
                },
                number: Some(text(&format!(
                    "{}{:07}",
                    c.code,
                    rng.random_range(0..9_999_999)
                ))?),
                issuing_country: Some(CountryCode::parse(c.code).internal("building the demo")?),
                expires_on: Some(
                    story.t.date_naive() + Duration::days(rng.random_range(200..2000)),
                ),
            }),
        )?;
    }
    if !medical_escort.is_empty() {
        story.run(
            a.movement,
            Command::AssignEscort(Escort {
                escort_id: EscortId(rid(rng, story.t)),
                kind: EscortKind::Medical,
                name: text("Nurse L. Wouters")?,
                accompanies: medical_escort,
            }),
        )?;
    }
    if !uasc.is_empty() {
        story.run(
            a.movement,
            Command::AssignEscort(Escort {
                escort_id: EscortId(rid(rng, story.t)),
                kind: EscortKind::Child,
                name: text("Social worker K. Fall")?,
                accompanies: uasc.iter().map(|m| m.person_id).collect(),
            }),
        )?;
    }
    let departs = story.t + Duration::days(rng.random_range(5..20));
    let host_airport = HOST_OFFICES
        .iter()
        .find(|h| CountryCode::parse(h.2).ok().as_ref() == Some(&case.host_country))
        .map(|h| h.3)
        .unwrap_or("BRU");
    let airport = |s: &str| IataCode::parse(s).internal("building the demo");
    story.run(
        a.movement,
        Command::SetItinerary(Itinerary {
            legs: vec![Leg {
                carrier: text("Royal Air Maroc")?,
                flight_number: text(&format!("AT{}", rng.random_range(500..999)))?,
                from: airport(host_airport)?,
                to: airport("CMN")?,
                departs_at: departs,
                arrives_at: departs + Duration::hours(3),
                transit_permit_required: false,
            }]
            .into_iter()
            .chain(
                (c.airport != "CMN")
                    .then(|| -> Result<Leg> {
                        Ok(Leg {
                            carrier: text("Royal Air Maroc")?,
                            flight_number: text(&format!("AT{}", rng.random_range(1000..1999)))?,
                            from: airport("CMN")?,
                            to: airport(c.airport)?,
                            departs_at: departs + Duration::hours(5),
                            arrives_at: departs + Duration::hours(9),
                            transit_permit_required: false,
                        })
                    })
                    .transpose()?,
            )
            .collect(),
            transit_assistance: c.airport != "CMN",
        }),
    )?;
    story.run(
        a.movement,
        Command::AssignReturnOffice(OfficeRef {
            office_id: return_office,
            country: CountryCode::parse(c.code).internal("building the demo")?,
        }),
    )?;
    if stop(story)? || !story.wait(rng, 1, 5) {
        return Ok(());
    }
    story.run(a.movement, Command::MarkReadyToDepart)?;
    if stop(story)? {
        return Ok(());
    }
    // Depart on the day of the first flight, if it has come.
    let flight = story
        .case()?
        .itinerary
        .and_then(|i| i.legs.first().map(|l| l.departs_at))
        .unwrap_or(story.t);
    if flight > story.now {
        return Ok(());
    }
    story.t = story.t.max(flight);
    if ending == Ending::NoShow {
        story.run(
            a.movement,
            Command::RecordNoShow {
                reason: Some(long("Did not come to the airport; phone switched off.")?),
            },
        )?;
        if story.wait(rng, 7, 20) {
            story.run(
                a.counsellor,
                Command::Close {
                    outcome: Outcome::NoShow,
                    note: None,
                },
            )?;
        }
        return Ok(());
    }
    if ending == Ending::Withdrawn {
        story.run(
            a.movement,
            Command::Withdraw {
                person_id: members[0].person_id,
                own_words: Some(long(
                    "At the airport she said she could not leave her sister.",
                )?),
                whole_case: true,
            },
        )?;
        return Ok(());
    }
    story.run(
        a.movement,
        Command::PayAllowance(Allowance {
            person_id: None,
            kind: AssistanceKind::PocketMoney,
            amount: Money::new(
                25_000 * members.len() as i64,
                CurrencyCode::parse("EUR").internal("building the demo")?,
            )
            .internal("building the demo")?,
            note: None,
        }),
    )?;
    story.run(a.movement, Command::ConfirmDeparture)?;
    if stop(story)? || !story.wait(rng, 1, 2) {
        return Ok(());
    }
    story.run(
        a.reintegration,
        Command::RecordArrival(Arrival {
            reception: if rng.random_bool(0.7) {
                Reception::Office
            } else {
                Reception::Partner(text("Caritas")?)
            },
            onward_transport: Some(text(&format!(
                "Bus to {}",
                c.places.choose(rng).unwrap_or(&c.places[0])
            ))?),
            temporary_accommodation: None,
        }),
    )?;
    if stop(story)? || !story.wait(rng, 7, 30) {
        return Ok(());
    }
    story.run(a.reintegration, Command::StartReintegration)?;
    if stop(story)? || !story.wait(rng, 60, 120) {
        return Ok(());
    }
    story.run(a.reintegration, Command::StartMonitoring)?;
    if stop(story)? || !story.wait(rng, 90, 270) {
        return Ok(());
    }
    story.run(
        a.reintegration,
        Command::Close {
            outcome: Outcome::Completed,
            note: None,
        },
    )?;
    Ok(())
}

/// The offices, programme and users the demo's cases belong to.
#[derive(Clone)]
struct World {
    host_ids: Vec<OfficeId>,
    return_ids: Vec<OfficeId>,
    programme: ProgrammeId,
    settings: ProgrammeSettings,
    actors: Actors,
}

/// An identifier drawn from the story's random numbers (so a seed gives the same data),
/// time-ordered like the UUIDv7 the application uses.
fn rid(rng: &mut StdRng, at: DateTime<Utc>) -> uuid::Uuid {
    let bytes: [u8; 10] = rng.random();
    uuid::Builder::from_unix_timestamp_millis(at.timestamp_millis().max(0) as u64, &bytes)
        .into_uuid()
}

/// One case, told through the domain: its events and what the read models hold of it.
fn build_case(
    world: &World,
    rng: &mut StdRng,
    as_of: DateTime<Utc>,
    refs: &mut BTreeMap<String, i64>,
) -> Result<NewCase> {
    let total_weight: u32 = RETURN_COUNTRIES.iter().map(|c| c.weight).sum();
    let mut w = rng.random_range(0..total_weight);
    let ci = RETURN_COUNTRIES
        .iter()
        .position(|c| {
            if w < c.weight {
                true
            } else {
                w -= c.weight;
                false
            }
        })
        .unwrap_or(0);
    let c = &RETURN_COUNTRIES[ci];
    let hi = usize::from(rng.random_bool(0.35));
    let (office_code, _, country, _) = HOST_OFFICES[hi];
    let start = as_of - Duration::minutes(rng.random_range(60..(900 * 1440)));
    let members = household(rng, c, start)?;
    let year = start.format("%Y").to_string();
    let seq = {
        let n = refs.entry(format!("{office_code}-{year}")).or_insert(0);
        *n += 1;
        *n
    };
    let mut story = Story {
        events: vec![],
        t: start,
        now: as_of,
        programme: &world.settings,
    };
    let cmd = RegisterCase {
        case_id: CaseId(rid(rng, start)),
        reference: text(&format!("{office_code}-{year}-{seq:05}"))?,
        host_office: world.host_ids[hi],
        host_country: CountryCode::parse(country).internal("building the demo")?,
        programme: world.programme,
        referral: Referral {
            source: *[
                ReferralSource::SelfReferral,
                ReferralSource::Partner,
                ReferralSource::Authority,
                ReferralSource::Outreach,
            ]
            .choose(rng)
            .unwrap_or(&ReferralSource::SelfReferral),
            referred_by: None,
        },
        proposal: Proposal {
            country_of_return: CountryCode::parse(c.code).internal("building the demo")?,
            return_kind: ReturnKind::Origin,
            place_of_return: Some(text(c.places.choose(rng).unwrap_or(&c.places[0]))?),
            assistance_package: vec![AssistanceItem {
                kind: AssistanceKind::ReintegrationGrant,
                amount: Some(
                    Money::new(200_000, world.settings.currency.clone())
                        .internal("building the demo")?,
                ),
                description: Some(text("Small business or training")?),
            }],
        },
        members,
    };
    let ctx = Context {
        actor: world.actors.counsellor,
        occurred_at: start,
        now: as_of,
        programme: &world.settings,
        history: &[],
    };
    let evs = register(cmd, &ctx).internal("demo registration")?;
    story.push(world.actors.counsellor, evs);
    let ending = pick_ending(rng);
    tell(
        rng,
        &mut story,
        &world.actors,
        c,
        world.return_ids[ci],
        ending,
    )?;
    let case = story.case()?;
    let last = story
        .events
        .last()
        .map(|e| e.meta.recorded_at)
        .unwrap_or(as_of);
    let (case_row, people) = project(&case, last);
    let stats = homeward_store::projection::stat_rows(&case, &story.events);
    Ok(NewCase {
        case_id: case.id,
        events: story.events,
        case_row,
        people,
        stats,
    })
}

/// What to generate: how many cases, from which seed, told up to when, written how many
/// to a transaction. The same seed and `as_of` give the same data.
#[derive(Debug, Clone)]
pub struct Generate {
    pub cases: usize,
    pub seed: u64,
    pub as_of: DateTime<Utc>,
    pub batch: usize,
}

impl App {
    /// Fills an empty database with the demo. Fails if users already exist.
    pub async fn seed_demo(&self, cases: usize, seed: u64) -> Result<DemoSummary> {
        self.generate(
            Generate {
                cases,
                seed,
                as_of: now(),
                batch: 500,
            },
            |_| {},
        )
        .await
    }

    /// Fills an empty database with the demo's offices, programme and users, and `cases`
    /// cases: stories are told on a blocking thread while the previous batch is written,
    /// each batch in one transaction with one audit entry. `progress` hears the number of
    /// cases written so far.
    pub async fn generate(&self, g: Generate, progress: impl Fn(usize)) -> Result<DemoSummary> {
        let (world, users) = self.demo_world().await?;
        let (tx, mut rx) =
            tokio::sync::mpsc::channel::<Result<(Vec<NewCase>, Vec<(String, i64)>)>>(2);
        let batch = g.batch.max(1);
        let (cases, seed, as_of) = (g.cases, g.seed, g.as_of);
        let teller = tokio::task::spawn_blocking(move || {
            let mut rng = StdRng::seed_from_u64(seed);
            let mut refs = BTreeMap::new();
            let mut left = cases;
            while left > 0 {
                let n = left.min(batch);
                let built = (0..n)
                    .map(|_| build_case(&world, &mut rng, as_of, &mut refs))
                    .collect::<Result<Vec<_>>>()
                    .map(|b| (b, refs.iter().map(|(k, v)| (k.clone(), *v)).collect()));
                let failed = built.is_err();
                if tx.blocking_send(built).is_err() || failed {
                    return;
                }
                left -= n;
            }
        });
        let mut written = 0;
        while let Some(built) = rx.recv().await {
            let (new, refs) = built?;
            let audit = AuditDraft {
                at: now(),
                actor: None,
                action: "demo.generate_cases".into(),
                case_id: None,
                detail: serde_json::json!({
                    "cases": new.len(),
                    "events": new.iter().map(|c| c.events.len()).sum::<usize>(),
                    "seed": seed,
                }),
            };
            self.store().append_new_cases(&new, &refs, &audit).await?;
            written += new.len();
            progress(written);
        }
        teller.await.internal("the story teller stopped")?;
        // A million new rows: let the planner know before anyone searches them.
        self.store().analyze().await?;
        Ok(DemoSummary {
            users,
            cases: written,
        })
    }

    /// The demo's offices, programme and users, in an empty database.
    async fn demo_world(&self) -> Result<(World, Vec<DemoUser>)> {
        if self.store().count_users().await? > 0 {
            return Err(AppError::Duplicate(
                "users (the demo needs an empty database)".into(),
            ));
        }
        let mut host_ids = vec![];
        for (code, name, country, _) in HOST_OFFICES {
            host_ids.push(
                self.create_office_unchecked(None, code, &format!("{name} office"), country)
                    .await?
                    .id,
            );
        }
        let mut return_ids = vec![];
        for c in RETURN_COUNTRIES {
            return_ids.push(
                self.create_office_unchecked(
                    None,
                    c.office.0,
                    &format!("{} office", c.office.1),
                    c.code,
                )
                .await?
                .id,
            );
        }
        let settings = demo_programme_settings()?;
        let programme = self
            .create_programme(
                None,
                "AVRR-BENL-2026",
                "AVRR Belgium and the Netherlands 2025-2027",
                settings.clone(),
            )
            .await?;
        let mut users = vec![];
        let mut ids = std::collections::HashMap::new();
        for (username, display, role, host, ret) in demo_users() {
            let mut offices = BTreeSet::new();
            let mut names = vec![];
            if host {
                offices.extend(host_ids.iter().copied());
                names.extend(HOST_OFFICES.iter().map(|h| h.0.to_string()));
            }
            if ret {
                offices.extend(return_ids.iter().copied());
                names.extend(RETURN_COUNTRIES.iter().map(|c| c.office.0.to_string()));
            }
            let password = format!("demo-{username}-2026");
            let (u, _) = self
                .create_user(
                    None,
                    NewUser {
                        username: username.into(),
                        display_name: display.into(),
                        roles: [role].into_iter().collect(),
                        offices,
                        password: Some(password.clone()),
                    },
                )
                .await?;
            ids.insert(role, u.id);
            users.push(DemoUser {
                username: username.into(),
                password,
                role,
                offices: names,
            });
        }
        let actor = |r: Role| {
            ids.get(&r)
                .copied()
                .ok_or_else(|| AppError::internal("demo user"))
        };
        let actors = Actors {
            counsellor: actor(Role::Counsellor)?,
            approver: actor(Role::Approver)?,
            medical: actor(Role::MedicalOfficer)?,
            movement: actor(Role::MovementOfficer)?,
            reintegration: actor(Role::ReintegrationOfficer)?,
        };
        Ok((
            World {
                host_ids,
                return_ids,
                programme: programme.id,
                settings,
                actors,
            },
            users,
        ))
    }
}
