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
use homeward_domain::programme::{
    HealthAssessmentRule, Package, ProgrammeSettings, ReintegrationRules,
};
use homeward_domain::values::*;
use homeward_domain::{Case, Command, Event, RecordedEvent, Stage};
use homeward_store::projection::project;
use homeward_store::{AuditDraft, NewCase};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{RngExt, SeedableRng};

use crate::admin::NewUser;
use crate::{App, AppError, Result, now};

mod countries;
mod directory;
mod inbound;
mod referrals;
mod reintegration;
mod stories;

use countries::*;
use stories::*;

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
        decide_within_days: 10,
        host_countries: HOST_OFFICES
            .iter()
            .map(|h| cc(h.2))
            .collect::<Result<_>>()?,
        // The demo's offices are in countries of destination.
        transit_countries: Default::default(),
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
        reintegration: ReintegrationRules {
            // The EU reintegration programme's published figures, in cents.
            package: Some(Package {
                on_arrival_per_person: 61_500,
                per_adult: 200_000,
                per_dependant: 100_000,
                per_vulnerable_person: 50_000,
            }),
            second_signature_above: Some(100_000),
        },
        monitoring: homeward_domain::programme::MonitoringRules::standard(),
        protection_on_arrival: Default::default(),
        consent_exceptions: [
            homeward_domain::case::referrals::ExceptionGround::ChildProtectionEmergency,
            homeward_domain::case::referrals::ExceptionGround::RiskToLife,
        ]
        .into(),
        funding: vec![],
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
            "approver-return",
            "Fatou Ndiaye (programme manager, offices of return)",
            Role::Approver,
            false,
            true,
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
            "Keur Yakaar reception centre (partner)",
            Role::Partner,
            false,
            false,
        ),
        (
            "referrer",
            "Brussels Legal Aid Desk (partner that refers people)",
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

/// The offices, programme and users the demo's cases belong to.
#[derive(Clone)]
struct World {
    host_ids: Vec<OfficeId>,
    return_ids: Vec<OfficeId>,
    programme: ProgrammeId,
    settings: ProgrammeSettings,
    actors: Actors,
    /// The directory the stories refer people to.
    directory: Vec<directory::DemoOrganisation>,
    /// The survey the programme asks at follow-ups, with its stored digest.
    survey: (homeward_domain::survey::Survey, String),
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
    committed: &mut BTreeMap<homeward_domain::ids::BudgetLineId, i64>,
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
        elsewhere: committed.clone(),
        survey: Some(&world.survey),
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
            organisation: None,
            inbound: None,
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
        committed_elsewhere: &homeward_domain::case::NOTHING_ELSEWHERE,
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
        &world.directory,
    )?;
    let case = story.case()?;
    // What the case commits, for the decisions of the cases told after it.
    for (line, c) in case.reintegration.committed_by_line() {
        *committed.entry(line).or_insert(0) += c;
    }
    let last = story
        .events
        .last()
        .map(|e| e.meta.recorded_at)
        .unwrap_or(as_of);
    let (case_row, people) = project(&case, last);
    let stats = homeward_store::projection::stat_rows(&case, &story.events);
    let history = homeward_store::projection::kept_history(&case, &story.events);
    Ok(NewCase {
        case_id: case.id,
        events: story.events,
        case_row,
        people,
        stats,
        history,
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
        let as_of = now();
        let (mut summary, world) = self
            .generate_world(
                Generate {
                    cases,
                    seed,
                    as_of,
                    batch: 500,
                },
                |_| {},
            )
            .await?;
        // People referred to the programme by a partner, one of them registered.
        let counsellor = homeward_domain::Actor {
            user_id: world.actors.counsellor,
            roles: [Role::Counsellor].into(),
            offices: world.host_ids.iter().copied().collect(),
            organisation: None,
        };
        summary.cases += self
            .demo_inbound(&world, world.actors.referrer, &counsellor, as_of)
            .await?;
        Ok(summary)
    }

    /// Fills an empty database with the demo's offices, programme and users, and `cases`
    /// cases: stories are told on a blocking thread while the previous batch is written,
    /// each batch in one transaction with one audit entry. `progress` hears the number of
    /// cases written so far.
    pub async fn generate(&self, g: Generate, progress: impl Fn(usize)) -> Result<DemoSummary> {
        Ok(self.generate_world(g, progress).await?.0)
    }

    /// `generate`, and the world its cases were told in.
    async fn generate_world(
        &self,
        g: Generate,
        progress: impl Fn(usize),
    ) -> Result<(DemoSummary, World)> {
        let (world, users) = self.demo_world(g.as_of, g.cases).await?;
        let kept = world.clone();
        let (tx, mut rx) =
            tokio::sync::mpsc::channel::<Result<(Vec<NewCase>, Vec<(String, i64)>)>>(2);
        let batch = g.batch.max(1);
        let (cases, seed, as_of) = (g.cases, g.seed, g.as_of);
        let teller = tokio::task::spawn_blocking(move || {
            let mut rng = StdRng::seed_from_u64(seed);
            let mut refs = BTreeMap::new();
            let mut committed = BTreeMap::new();
            let mut left = cases;
            while left > 0 {
                let n = left.min(batch);
                let built = (0..n)
                    .map(|_| build_case(&world, &mut rng, as_of, &mut refs, &mut committed))
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
        Ok((
            DemoSummary {
                users,
                cases: written,
            },
            kept,
        ))
    }

    /// The demo's offices, programme and users, in an empty database.
    async fn demo_world(
        &self,
        as_of: DateTime<Utc>,
        cases: usize,
    ) -> Result<(World, Vec<DemoUser>)> {
        if self.store().count_users().await? > 0 {
            return Err(AppError::Duplicate(
                "users (the demo needs an empty database)".into(),
            ));
        }
        // Each office works in the time zone of its city's airport.
        let zone = |airport: &str| {
            homeward_domain::values::IataCode::parse(airport)
                .ok()
                .and_then(|a| homeward_domain::airports::lookup(&a))
                .map_or("UTC", |a| a.time_zone.name())
        };
        let mut host_ids = vec![];
        for (code, name, country, airport) in HOST_OFFICES {
            host_ids.push(
                self.create_office_unchecked(
                    None,
                    code,
                    &format!("{name} office"),
                    country,
                    zone(airport),
                )
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
                    zone(c.airport),
                )
                .await?
                .id,
            );
        }
        let directory = self.demo_directory().await?;
        // The survey template, as a programme imports it to adapt its weights; the
        // programme asks it at follow-ups. The demo programme sets its own threshold of
        // sustainability (0.5: the demo's, not IOM's), for the impact report's share.
        let template = crate::survey_template::reintegration_sustainability()
            .and_then(|t| {
                homeward_domain::survey::Survey::new(homeward_domain::survey::SurveyDefinition {
                    threshold: homeward_domain::survey::Permille::new(500),
                    ..t.definition().clone()
                })
            })
            .map_err(|e| AppError::internal(e.to_string()))?;
        let survey = self
            .add_survey_version(None, template)
            .await?
            .version()
            .clone();
        let survey = (survey.survey, survey.digest);
        let mut settings = demo_programme_settings()?;
        settings.monitoring.survey = Some(survey.0.key.clone());
        settings.funding = reintegration::demo_funding(as_of.date_naive(), cases)?;
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
            // The partner answers for the reception centre in Dakar; the referrer refers
            // people for a legal aid desk in Brussels.
            let organisation_name = match username {
                "referrer" => inbound::REFERRING_ORGANISATION,
                _ => directory::PARTNER_ORGANISATION,
            };
            let organisation = (role == Role::Partner)
                .then(|| {
                    directory
                        .iter()
                        .find(|o| o.name.as_str() == organisation_name)
                        .map(|o| o.id)
                        .ok_or_else(|| AppError::internal("the demo partner's organisation"))
                })
                .transpose()?;
            let password = format!("demo-{username}-2026");
            let (u, _) = self
                .create_user(
                    None,
                    NewUser {
                        username: username.into(),
                        display_name: display.into(),
                        roles: [role].into_iter().collect(),
                        offices,
                        organisation,
                        password: Some(password.clone()),
                    },
                )
                .await?;
            ids.insert(username, u.id);
            users.push(DemoUser {
                username: username.into(),
                password,
                role,
                offices: names,
            });
        }
        let actor = |name: &str| {
            ids.get(name)
                .copied()
                .ok_or_else(|| AppError::internal("demo user"))
        };
        let actors = Actors {
            counsellor: actor("counsellor")?,
            approver: actor("approver")?,
            return_approver: actor("approver-return")?,
            medical: actor("medical")?,
            movement: actor("movement")?,
            reintegration: actor("reintegration")?,
            monitoring: actor("monitoring")?,
            partner: actor("partner")?,
            referrer: actor("referrer")?,
        };
        Ok((
            World {
                host_ids,
                return_ids,
                programme: programme.id,
                settings,
                actors,
                directory,
                survey,
            },
            users,
        ))
    }
}
