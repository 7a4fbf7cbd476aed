//! A scenario builder: a case taken through its lifecycle by calling `decide` and
//! `replay` exactly as the application does, with a clock the test moves.
#![allow(dead_code)]

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use homeward_domain::case::records::*;
use homeward_domain::case::reintegration::*;
use homeward_domain::case::{Context, EventMeta, RegisterCase, decide, register};
use homeward_domain::ids::*;
use homeward_domain::person::*;
use homeward_domain::programme::{HealthAssessmentRule, ProgrammeSettings};
use homeward_domain::values::*;
use homeward_domain::{Case, Command, Event, RecordedEvent, Refusal};
use uuid::Uuid;

pub fn uid(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

pub fn t(s: &str) -> ShortText {
    ShortText::parse(s).unwrap()
}

pub fn lt(s: &str) -> LongText {
    LongText::parse(s).unwrap()
}

pub fn cc(s: &str) -> CountryCode {
    CountryCode::parse(s).unwrap()
}

pub fn lang(s: &str) -> LanguageCode {
    LanguageCode::parse(s).unwrap()
}

pub fn eur(n: i64) -> Money {
    Money::new(n, CurrencyCode::parse("EUR").unwrap()).unwrap()
}

pub fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

pub const COUNSELLOR: UserId = UserId(Uuid::from_u128(0xC0));
pub const APPROVER: UserId = UserId(Uuid::from_u128(0xA0));
pub const MEDIC: UserId = UserId(Uuid::from_u128(0xD0));
pub const MOVEMENT: UserId = UserId(Uuid::from_u128(0xE0));
pub const REINTEGRATION: UserId = UserId(Uuid::from_u128(0xF0));
pub const MONITOR: UserId = UserId(Uuid::from_u128(0xF1));

pub const HOST_OFFICE: OfficeId = OfficeId(Uuid::from_u128(0x10));
pub const RETURN_OFFICE: OfficeId = OfficeId(Uuid::from_u128(0x11));

pub fn programme() -> ProgrammeSettings {
    ProgrammeSettings {
        reflection_period_days: 3,
        decide_within_days: 10,
        host_countries: [cc("BE")].into_iter().collect(),
        transit_countries: Default::default(),
        return_countries: [cc("SN"), cc("GE"), cc("NG")].into_iter().collect(),
        categories: [t("rejected asylum seeker"), t("irregular migrant")]
            .into_iter()
            .collect(),
        health_assessment: HealthAssessmentRule::ForVulnerabilities(
            [Vulnerability::MedicalNeeds, Vulnerability::Elderly]
                .into_iter()
                .collect(),
        ),
        escort_required_for: BTreeSet::new(),
        risk_assessment_for_trafficking: true,
        currency: CurrencyCode::parse("EUR").unwrap(),
        reintegration: Default::default(),
        monitoring: Default::default(),
        protection_on_arrival: Default::default(),
        consent_exceptions: [
            homeward_domain::case::referrals::ExceptionGround::ChildProtectionEmergency,
        ]
        .into(),
        funding: vec![],
    }
}

pub fn person(given: &str, born: DateOfBirth, langs: &[&str]) -> PersonDetails {
    PersonDetails {
        name: PersonName {
            given: t(given),
            family: Some(t("Diallo")),
            latin: None,
        },
        date_of_birth: born,
        sex: Sex::Female,
        nationality: Some(cc("SN")),
        languages: langs.iter().map(|l| lang(l)).collect(),
        contact: Contact::default(),
        legal_situation: LegalSituation::IrregularStay,
        vulnerabilities: BTreeSet::new(),
    }
}

pub fn adult(given: &str) -> PersonDetails {
    person(given, DateOfBirth::Exact(day(1990, 5, 1)), &["fr", "wo"])
}

pub fn child(given: &str) -> PersonDetails {
    person(given, DateOfBirth::Exact(day(2016, 2, 1)), &["fr", "wo"])
}

pub fn member(n: u128, rel: Relationship, details: PersonDetails) -> Member {
    Member {
        person_id: PersonId(uid(n)),
        relationship: rel,
        details,
    }
}

pub const P1: PersonId = PersonId(Uuid::from_u128(1));
pub const P2: PersonId = PersonId(Uuid::from_u128(2));
pub const P3: PersonId = PersonId(Uuid::from_u128(3));

/// A case and the clock of its story.
pub struct Scenario {
    pub events: Vec<RecordedEvent>,
    pub programme: ProgrammeSettings,
    pub now: DateTime<Utc>,
    /// What the programme's other cases commit on its budget lines.
    pub elsewhere: std::collections::BTreeMap<homeward_domain::ids::BudgetLineId, i64>,
    next_id: u128,
}

impl Scenario {
    pub fn start() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
    }

    pub fn register(members: Vec<Member>) -> Scenario {
        Self::register_with(members, programme())
    }

    pub fn register_with(members: Vec<Member>, programme: ProgrammeSettings) -> Scenario {
        let mut s = Scenario {
            events: Vec::new(),
            programme,
            now: Self::start(),
            elsewhere: Default::default(),
            next_id: 1000,
        };
        let cmd = RegisterCase {
            case_id: CaseId(uid(0xCA5E)),
            reference: t("BRU-2026-00001"),
            host_office: HOST_OFFICE,
            host_country: cc("BE"),
            programme: ProgrammeId(uid(0x9)),
            referral: Referral {
                source: ReferralSource::SelfReferral,
                referred_by: None,
                organisation: None,
                inbound: None,
            },
            proposal: Proposal {
                country_of_return: cc("SN"),
                return_kind: ReturnKind::Origin,
                place_of_return: Some(t("Thiès")),
                assistance_package: vec![AssistanceItem {
                    kind: AssistanceKind::ReintegrationGrant,
                    amount: Some(eur(150_000)),
                    description: None,
                }],
            },
            members,
        };
        let ctx = Context {
            actor: COUNSELLOR,
            occurred_at: s.now,
            now: s.now,
            programme: &s.programme,
            history: &[],
            committed_elsewhere: &homeward_domain::case::NOTHING_ELSEWHERE,
        };
        let evs = register(cmd, &ctx).expect("registration");
        s.record(COUNSELLOR, s.now, evs);
        s
    }

    pub fn single_adult() -> Scenario {
        Self::register(vec![member(1, Relationship::Principal, adult("Awa"))])
    }

    pub fn family() -> Scenario {
        Self::register(vec![
            member(1, Relationship::Principal, adult("Awa")),
            member(2, Relationship::Spouse, adult("Moussa")),
            member(3, Relationship::Child, child("Fatou")),
        ])
    }

    pub fn unaccompanied_child() -> Scenario {
        let mut d = person("Ibrahima", DateOfBirth::Exact(day(2010, 6, 1)), &["wo"]);
        d.vulnerabilities
            .insert(Vulnerability::UnaccompaniedOrSeparatedChild);
        Self::register(vec![member(1, Relationship::Principal, d)])
    }

    pub fn fresh_id(&mut self) -> Uuid {
        self.next_id += 1;
        uid(self.next_id)
    }

    pub fn case(&self) -> Case {
        Case::replay(&self.events).expect("replay")
    }

    pub fn advance(&mut self, days: i64) {
        self.now += Duration::days(days);
    }

    fn record(&mut self, actor: UserId, occurred_at: DateTime<Utc>, evs: Vec<Event>) {
        for e in evs {
            let version = self.events.len() as u64 + 1;
            self.events.push(RecordedEvent {
                meta: EventMeta {
                    version,
                    actor,
                    occurred_at,
                    recorded_at: self.now,
                },
                event: e,
            });
        }
    }

    /// Runs a command that happened now.
    pub fn run(&mut self, actor: UserId, cmd: Command) -> Result<(), Refusal> {
        self.run_at(actor, self.now, cmd)
    }

    /// Runs a command that happened at `occurred_at` (recorded now).
    pub fn run_at(
        &mut self,
        actor: UserId,
        occurred_at: DateTime<Utc>,
        cmd: Command,
    ) -> Result<(), Refusal> {
        let case = self.case();
        let ctx = Context {
            actor,
            occurred_at,
            now: self.now,
            programme: &self.programme,
            history: &self.events,
            committed_elsewhere: &self.elsewhere,
        };
        let evs = decide(&case, cmd, &ctx)?;
        self.record(actor, occurred_at, evs);
        Ok(())
    }

    /// A referral of `person` for `service` in the country of return (Senegal), accepted,
    /// naming who receives them when `receiver` is given.
    pub fn received_on_arrival(
        &mut self,
        person: PersonId,
        service: homeward_domain::organisation::ServiceType,
        receiver: Option<&str>,
    ) -> ReferralId {
        use homeward_domain::case::referrals::*;
        let referral_id = ReferralId(self.fresh_id());
        self.ok(
            COUNSELLOR,
            Command::MakeReferral(ReferralRequest {
                referral_id,
                organisation: OrganisationId(uid(0x0A)),
                organisation_name: t("Keur Yakaar reception centre"),
                service,
                country: Some(cc("SN")),
                people: [person].into(),
                consent_for: [person].into(),
                shared: [DataGroup::Identity].into(),
                answer_within_days: 7,
                note: None,
                exception: None,
            }),
        );
        self.ok(
            COUNSELLOR,
            Command::UpdateReferral(ReferralUpdate {
                referral_id,
                step: ReferralStep::Accepted,
                note: None,
                receiver: receiver.map(t),
                answered_by: None,
            }),
        );
        referral_id
    }

    pub fn ok(&mut self, actor: UserId, cmd: Command) {
        if let Err(e) = self.run(actor, cmd.clone()) {
            panic!("{} refused: {e}", cmd.name());
        }
    }

    /// Expects a refusal that includes `code`.
    pub fn refused(&mut self, actor: UserId, cmd: Command, code: &str) -> Refusal {
        match self.run(actor, cmd.clone()) {
            Ok(()) => panic!("{} was accepted; expected {code}", cmd.name()),
            Err(r) => {
                assert!(r.has(code), "{} refused without {code}: {r}", cmd.name());
                r
            }
        }
    }

    pub fn information_session(&mut self, attendees: &[Attendee], language: &str) -> SessionId {
        let id = SessionId(self.fresh_id());
        self.ok(
            COUNSELLOR,
            Command::RecordCounsellingSession(CounsellingSession {
                session_id: id,
                counsellor: COUNSELLOR,
                language: lang(language),
                interpreter_present: false,
                topics: INFORMING_TOPICS.into_iter().collect(),
                attendees: attendees.iter().copied().collect(),
                notes: Some(lt("Discussed options; the person wants to go home.")),
            }),
        );
        id
    }

    pub fn consent_cmd(person: PersonId, given_by: ConsentGiver) -> Command {
        Command::RecordConsent(ConsentDeclaration {
            person_id: person,
            given_by,
            no_pressure_attested: true,
            right_to_withdraw_explained: true,
            data_processing_consent: true,
            statement: None,
        })
    }

    pub fn screen_eligible(&mut self) {
        self.ok(
            COUNSELLOR,
            Command::ScreenEligibility(ScreeningFacts {
                removal_procedure: RemovalProcedure::NotInitiated,
                admissibility: Admissibility::National,
                category: t("irregular migrant"),
            }),
        );
    }

    pub fn passport(&mut self, person: PersonId) {
        let id = DocumentId(self.fresh_id());
        self.ok(
            MOVEMENT,
            Command::RecordTravelDocument(TravelDocument {
                document_id: id,
                person_id: person,
                kind: DocumentKind::Passport,
                status: DocumentStatus::Held,
                number: Some(t("A1234567")),
                issuing_country: Some(cc("SN")),
                expires_on: Some(day(2030, 1, 1)),
            }),
        );
    }

    pub fn itinerary_cmd(&self, to: &str) -> Command {
        let dep = self.now + Duration::days(10);
        Command::SetItinerary(Itinerary {
            legs: vec![Leg {
                carrier: t("SN Brussels Airlines"),
                flight_number: t("SN203"),
                from: IataCode::parse("BRU").unwrap(),
                to: IataCode::parse(to).unwrap(),
                departs_at: dep,
                arrives_at: dep + Duration::hours(6),
                transit_permit_required: false,
            }],
            transit_assistance: false,
        })
    }

    /// Counselling, consent of every adult, screening, application and approval.
    pub fn approve_adults(&mut self, adults: &[PersonId]) {
        let attendees: Vec<Attendee> = adults.iter().map(|p| Attendee::Member(*p)).collect();
        self.information_session(&attendees, "wo");
        self.advance(3);
        for p in adults {
            self.ok(COUNSELLOR, Self::consent_cmd(*p, ConsentGiver::Person));
        }
        self.screen_eligible();
        self.ok(COUNSELLOR, Command::SubmitApplication);
        self.advance(1);
        self.ok(APPROVER, Command::ApproveApplication { comment: None });
    }

    /// Documents for everyone and an itinerary to Dakar.
    pub fn prepare_travel(&mut self) {
        let ids: Vec<PersonId> = self.case().members.iter().map(|m| m.person_id).collect();
        for p in ids {
            self.passport(p);
        }
        let it = self.itinerary_cmd("DSS");
        self.ok(MOVEMENT, it);
    }

    /// From approval to arrival at the office of return (the itinerary must be set).
    pub fn depart_and_arrive(&mut self) {
        self.ok(MOVEMENT, Command::MarkReadyToDepart);
        self.ok(MOVEMENT, Command::ConfirmDeparture);
        self.ok(
            COUNSELLOR,
            Command::AssignReturnOffice(OfficeRef {
                office_id: RETURN_OFFICE,
                country: cc("SN"),
            }),
        );
        self.advance(1);
        self.ok(
            REINTEGRATION,
            Command::RecordArrival(Arrival {
                reception: Reception::Office,
                onward_transport: None,
                temporary_accommodation: None,
            }),
        );
    }

    /// A plan item for the household, in euros.
    pub fn plan_item(&mut self, assistance: AssistanceType, cents: i64) -> PlanItem {
        PlanItem {
            item_id: PlanItemId(self.fresh_id()),
            assistance,
            form: AssistanceForm::InKind,
            description: t("Tools and stock for a tailoring workshop"),
            beneficiary: None,
            value: eur(cents),
            provider: Some(t("Thiès vocational centre")),
            due: None,
            budget_line: None,
        }
    }

    pub fn draft_cmd(items: Vec<PlanItem>) -> Command {
        Command::DraftPlan(PlanDraft {
            items,
            cap_exception: None,
            budget_exception: None,
        })
    }

    pub fn agree_cmd(version: u32) -> Command {
        Command::RespondToPlan(PlanResponse {
            version,
            person_id: P1,
            given_by: ConsentGiver::Person,
            answer: PlanAnswer::Agreed,
            own_words: None,
        })
    }

    /// Drafted by the reintegration officer, agreed, approved by the approver.
    pub fn approved_plan(&mut self, items: Vec<PlanItem>) -> u32 {
        self.ok(REINTEGRATION, Self::draft_cmd(items));
        let version = self.case().reintegration.latest().map_or(0, |v| v.version);
        self.ok(REINTEGRATION, Self::agree_cmd(version));
        self.ok(
            APPROVER,
            Command::ApprovePlan {
                version,
                comment: None,
            },
        );
        version
    }

    pub fn delivery_cmd(&mut self, item: PlanItemId, amount: Money) -> (DeliveryId, Command) {
        let id = DeliveryId(self.fresh_id());
        let cmd = Command::RecordDelivery(Delivery {
            delivery_id: id,
            item_id: item,
            channel: DeliveryChannel::PaidToVendor,
            amount,
            exchange: None,
            proof: Some(t("Receipt 2026-0042")),
            people_reached: None,
        });
        (id, cmd)
    }
}
