//! A case's story, told through the domain: who it is about, what happens at each stage and how it ends.

use super::*;

#[derive(Clone, Copy)]
pub(super) struct Actors {
    pub(super) counsellor: UserId,
    pub(super) approver: UserId,
    /// The programme manager of the offices of return: approves reintegration plans.
    pub(super) return_approver: UserId,
    pub(super) medical: UserId,
    pub(super) movement: UserId,
    pub(super) reintegration: UserId,
    pub(super) monitoring: UserId,
    /// A user of `directory::PARTNER_ORGANISATION`.
    pub(super) partner: UserId,
    /// A user of `inbound::REFERRING_ORGANISATION`, who refers people to the programme.
    pub(super) referrer: UserId,
}

/// A case's story as it is being told.
pub(super) struct Story<'a> {
    pub(super) events: Vec<RecordedEvent>,
    pub(super) t: DateTime<Utc>,
    pub(super) now: DateTime<Utc>,
    pub(super) programme: &'a ProgrammeSettings,
    /// What the cases told before this one commit on each budget line.
    pub(super) elsewhere: BTreeMap<homeward_domain::ids::BudgetLineId, i64>,
    /// The survey asked at follow-ups that reach the returnee, with its stored digest.
    pub(super) survey: Option<&'a (homeward_domain::survey::Survey, String)>,
}

impl Story<'_> {
    pub(super) fn case(&self) -> Result<Case> {
        Case::replay(&self.events).internal("building the demo")
    }

    /// Moves the story's clock on; false when that would be in the future.
    pub(super) fn wait(&mut self, rng: &mut StdRng, min_days: i64, max_days: i64) -> bool {
        let mins = rng.random_range(min_days * 1440..=max_days * 1440);
        let next = self.t + Duration::minutes(mins);
        if next > self.now {
            return false;
        }
        self.t = next;
        true
    }

    /// Moves the story's clock on to `to` (not back); false when that is in the future.
    pub(super) fn until(&mut self, to: DateTime<Utc>) -> bool {
        if to > self.now {
            return false;
        }
        self.t = self.t.max(to);
        true
    }

    pub(super) fn run(&mut self, actor: UserId, cmd: Command) -> Result<()> {
        let case = self.case()?;
        let name = cmd.name();
        let ctx = Context {
            actor,
            occurred_at: self.t,
            now: self.now,
            programme: self.programme,
            history: &self.events,
            committed_elsewhere: &self.elsewhere,
        };
        let evs = decide(&case, cmd, &ctx)
            .map_err(|r| AppError::internal_from(format!("demo story: {name} refused"), r))?;
        self.push(actor, evs);
        Ok(())
    }

    pub(super) fn push(&mut self, actor: UserId, evs: Vec<Event>) {
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
pub(super) enum Ending {
    At(Stage),
    Withdrawn,
    Rejected,
    NoShow,
    LostContact,
    Completed,
}

pub(super) fn pick_ending(rng: &mut StdRng) -> Ending {
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

pub(super) fn person(
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

pub(super) fn household(
    rng: &mut StdRng,
    c: &Country,
    start: DateTime<Utc>,
) -> Result<Vec<Member>> {
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
pub(super) fn tell(
    rng: &mut StdRng,
    story: &mut Story,
    a: &Actors,
    c: &Country,
    return_office: OfficeId,
    ending: Ending,
    directory: &[super::directory::DemoOrganisation],
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
        if m.details.has(Vulnerability::VictimOfTrafficking)
            || m.details.has(Vulnerability::VictimOfViolence)
        {
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
    story.run(a.approver, Command::ApproveApplication { comment: None })?;
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
    super::referrals::protect_on_arrival(rng, story, a, c, directory)?;
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
    super::referrals::refer_on_arrival(rng, story, a, c, ending, directory)?;
    super::reintegration::after_arrival(rng, story, a, c, ending)
}
