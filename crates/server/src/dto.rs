//! Request bodies and their parsing into domain values. Values that may be invalid
//! (codes, texts, money) arrive as strings and are parsed here, every one of them, so that
//! a response names every invalid field at once.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use homeward_domain::case::records::*;
use homeward_domain::ids::*;
use homeward_domain::person::*;
use homeward_domain::values::*;
use homeward_domain::{Event, Violation};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

pub use crate::exact::{Day, Id, Instant};

use homeward_app::input::{Parse, at};

use crate::problem::Problem;

/// An amount of money.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoneyIn {
    /// Integer amount in the currency's minor unit (cents for EUR); zero or more.
    #[schema(minimum = 0, example = 15000)]
    pub amount_minor: i64,
    /// ISO 4217 code.
    #[schema(example = "EUR")]
    #[schema(value_type = CurrencyCode)]
    pub currency: String,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LatinNameIn {
    #[schema(value_type = ShortText)]
    pub given: String,
    #[schema(value_type = Option<OptionalShortText>)]
    pub family: Option<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NameIn {
    /// As the person writes it, in any script.
    #[schema(example = "Awa")]
    #[schema(value_type = ShortText)]
    pub given: String,
    #[schema(example = "Diallo")]
    #[schema(value_type = Option<OptionalShortText>)]
    pub family: Option<String>,
    /// Latin transliteration, when the name is in another script.
    pub latin: Option<LatinNameIn>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactIn {
    #[schema(value_type = Option<OptionalShortText>)]
    pub phone: Option<String>,
    #[schema(value_type = Option<OptionalShortText>)]
    pub email: Option<String>,
    #[schema(value_type = Option<OptionalShortText>)]
    pub address: Option<String>,
}

/// A person's details.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonIn {
    pub name: NameIn,
    /// `{"exact": "1990-05-01"}` or `{"estimated_year": 1990}`; never in the future.
    pub date_of_birth: DateOfBirth,
    pub sex: Sex,
    /// ISO 3166-1 alpha-2; absent for a stateless person.
    #[schema(example = "SN")]
    #[schema(value_type = Option<CountryCode>)]
    pub nationality: Option<String>,
    /// ISO 639-1 or 639-3 codes of languages the person understands; at least one.
    #[schema(example = json!(["wo", "fr"]))]
    #[schema(value_type = Vec<LanguageCode>, min_items = 1)]
    pub languages: Vec<String>,
    #[serde(default)]
    pub contact: ContactIn,
    pub legal_situation: LegalSituation,
    #[serde(default)]
    pub vulnerabilities: BTreeSet<Vulnerability>,
}

impl PersonIn {
    pub fn parse(&self, p: &mut Parse, path: &str) -> Option<PersonDetails> {
        let n = &self.name;
        let given = p.text(&at(path, "name/given"), &n.given);
        let family = p.opt_text(&at(path, "name/family"), &n.family);
        let latin = match &n.latin {
            None => Some(None),
            Some(l) => {
                let g = p.text(&at(path, "name/latin/given"), &l.given);
                let f = p.opt_text(&at(path, "name/latin/family"), &l.family);
                Some(Some(LatinName {
                    given: g?,
                    family: f?,
                }))
            }
        };
        let nationality = p.opt_country(&at(path, "nationality"), &self.nationality);
        let languages = p.languages(&at(path, "languages"), &self.languages);
        let phone = p.opt_text(&at(path, "contact/phone"), &self.contact.phone);
        let email = p.opt_text(&at(path, "contact/email"), &self.contact.email);
        let address = p.opt_text(&at(path, "contact/address"), &self.contact.address);
        Some(PersonDetails {
            name: PersonName {
                given: given?,
                family: family?,
                latin: latin?,
            },
            date_of_birth: self.date_of_birth,
            sex: self.sex,
            nationality: nationality?,
            languages: languages?,
            contact: Contact {
                phone: phone?,
                email: email?,
                address: address?,
            },
            legal_situation: self.legal_situation,
            vulnerabilities: self.vulnerabilities.clone(),
        })
    }
}

/// A member of a case.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberIn {
    pub relationship: Relationship,
    pub details: PersonIn,
}

impl MemberIn {
    pub fn parse(&self, p: &mut Parse, path: &str) -> Option<Member> {
        let details = self.details.parse(p, &at(path, "details"));
        Some(Member {
            person_id: PersonId(homeward_app::new_id()),
            relationship: self.relationship,
            details: details?,
        })
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssistanceItemIn {
    pub kind: AssistanceKind,
    pub amount: Option<MoneyIn>,
    #[schema(value_type = Option<OptionalShortText>)]
    pub description: Option<String>,
}

/// What the migrant is asked to consent to.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProposalIn {
    #[schema(example = "SN")]
    #[schema(value_type = CountryCode)]
    pub country_of_return: String,
    pub return_kind: ReturnKind,
    #[schema(value_type = Option<OptionalShortText>)]
    pub place_of_return: Option<String>,
    #[serde(default)]
    pub assistance_package: Vec<AssistanceItemIn>,
}

impl ProposalIn {
    pub fn parse(&self, p: &mut Parse, path: &str) -> Option<Proposal> {
        let country = p.country(&at(path, "country_of_return"), &self.country_of_return);
        let place = p.opt_text(&at(path, "place_of_return"), &self.place_of_return);
        let items: Vec<Option<AssistanceItem>> = self
            .assistance_package
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let base = at(path, &format!("assistance_package/{i}"));
                let amount = match &item.amount {
                    None => Some(None),
                    Some(m) => p
                        .money(&at(&base, "amount"), m.amount_minor, &m.currency)
                        .map(Some),
                };
                let description = p.opt_text(&at(&base, "description"), &item.description);
                Some(AssistanceItem {
                    kind: item.kind,
                    amount: amount?,
                    description: description?,
                })
            })
            .collect();
        Some(Proposal {
            country_of_return: country?,
            return_kind: self.return_kind,
            place_of_return: place?,
            assistance_package: items.into_iter().collect::<Option<Vec<_>>>()?,
        })
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReferralIn {
    pub source: ReferralSource,
    #[schema(value_type = Option<OptionalShortText>)]
    pub referred_by: Option<String>,
}

/// A new case.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterCaseIn {
    /// One of your offices, in a host country of the programme.
    pub host_office: Id,
    pub programme: Id,
    pub referral: ReferralIn,
    pub proposal: ProposalIn,
    /// The principal applicant (relationship `principal`) and the family.
    pub members: Vec<MemberIn>,
    /// When the registration happened (UTC); now when absent.
    pub occurred_at: Option<Instant>,
}

impl RegisterCaseIn {
    pub fn parse(&self) -> Result<homeward_app::cases::RegisterInput, Problem> {
        let mut p = Parse::exact();
        let referred_by = p.opt_text(&at("referral", "referred_by"), &self.referral.referred_by);
        let proposal = self.proposal.parse(&mut p, "proposal");
        let members: Vec<Option<Member>> = self
            .members
            .iter()
            .enumerate()
            .map(|(i, m)| m.parse(&mut p, &format!("members/{i}")))
            .collect();
        let input = (|| {
            Some(homeward_app::cases::RegisterInput {
                host_office: OfficeId(self.host_office.0),
                programme: ProgrammeId(self.programme.0),
                referral: Referral {
                    source: self.referral.source,
                    referred_by: referred_by?,
                    organisation: None,
                    inbound: None,
                },
                proposal: proposal?,
                members: members.into_iter().collect::<Option<Vec<_>>>()?,
                occurred_at: self.occurred_at.map(|t| t.0),
                inbound: None,
            })
        })();
        p.finish(input).map_err(Problem::from)
    }
}

/// Declares a command body: the fields every command carries, then its own.
macro_rules! command_body {
    ($(#[$m:meta])* $name:ident { $($(#[$fm:meta])* $f:ident : $t:ty),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Deserialize, ToSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            /// The version of the case you read (from `GET /api/cases/{case_id}`).
            pub version: u64,
            /// When it happened (UTC); now when absent. Never in the future.
            pub occurred_at: Option<Instant>,
            $($(#[$fm])* pub $f: $t,)*
        }
    };
}

command_body!(
    /// A command with no other data.
    NoData {}
);
command_body!(AddMemberIn {
    relationship: Relationship,
    details: PersonIn,
});
command_body!(RemoveMemberIn {
    person_id: Id,
    #[schema(value_type = LongText)]
    reason: String,
});
command_body!(UpdatePersonIn {
    person_id: Id,
    details: PersonIn,
});
command_body!(SessionIn {
    /// The counsellor who held it; you when absent.
    counsellor: Option<Id>,
    /// The language the migrant heard (through the interpreter, if any).
    #[schema(value_type = LanguageCode)]
    language: String,
    interpreter_present: bool,
    topics: BTreeSet<Topic>,
    attendees: BTreeSet<Attendee>,
    /// Confidential.
    #[schema(value_type = Option<OptionalLongText>)]
    notes: Option<String>,
});
command_body!(ScreeningIn {
    removal_procedure: RemovalProcedure,
    admissibility: Admissibility,
    /// One of the programme's categories.
    #[schema(value_type = ShortText)]
    category: String,
});
command_body!(ConsentIn {
    person_id: Id,
    given_by: ConsentGiver,
    no_pressure_attested: bool,
    right_to_withdraw_explained: bool,
    data_processing_consent: bool,
    #[schema(value_type = Option<OptionalLongText>)]
    statement: Option<String>,
});
command_body!(ReconfirmIn {
    person_id: Id,
    given_by: ConsentGiver,
    no_pressure_attested: bool,
    #[schema(value_type = Option<OptionalLongText>)]
    statement: Option<String>,
});
command_body!(WithdrawIn {
    person_id: Id,
    /// The person's own words, if they wish.
    #[schema(value_type = Option<OptionalLongText>)]
    own_words: Option<String>,
    /// Withdraw the whole case (always so when the principal applicant withdraws).
    #[serde(default)]
    whole_case: bool,
});
command_body!(ReasonIn {
    #[schema(value_type = LongText)]
    reason: String
});
command_body!(ApproveIn {
    /// On record with the decision, for everyone who reads the case: conditions of the
    /// approval, or what was checked.
    #[serde(default)]
    #[schema(value_type = Option<OptionalLongText>)]
    comment: Option<String>,
});
command_body!(CapacityIn {
    person_id: Id,
    #[schema(value_type = ShortText)]
    professional: String,
    #[schema(value_type = ShortText)]
    qualification: String,
    lacks_capacity: bool,
    #[schema(value_type = Option<OptionalLongText>)]
    notes: Option<String>,
});
command_body!(BestInterestsIn {
    person_id: Id,
    #[schema(value_type = ShortText)]
    determined_by: String,
    return_in_best_interests: bool,
    #[schema(value_type = Option<OptionalLongText>)]
    notes: Option<String>,
});
command_body!(RepresentativeIn {
    person_id: Id,
    #[schema(value_type = ShortText)]
    name: String,
    kind: RepresentativeKind,
    #[schema(value_type = Vec<LanguageCode>)]
    languages: Vec<String>,
});
command_body!(ProposalChangeIn {
    proposal: ProposalIn
});
command_body!(ReturnOfficeIn { office_id: Id });
command_body!(HealthIn {
    person_id: Id,
    fitness: Fitness,
    #[schema(value_type = ShortText)]
    assessed_by: String,
    /// Medical details: read only by medical officers.
    #[schema(value_type = Option<OptionalLongText>)]
    medical_details: Option<String>,
});
command_body!(RiskIn {
    person_id: Id,
    conclusion: RiskConclusion,
    #[schema(value_type = Option<OptionalLongText>)]
    notes: Option<String>,
});
command_body!(DocumentIn {
    /// To update a document already recorded (a laissez-passer now issued); new when absent.
    document_id: Option<Id>,
    person_id: Id,
    kind: DocumentKind,
    status: DocumentStatus,
    #[schema(value_type = Option<OptionalShortText>)]
    number: Option<String>,
    #[schema(value_type = Option<CountryCode>)]
    issuing_country: Option<String>,
    expires_on: Option<Day>,
});
command_body!(EscortIn {
    kind: EscortKind,
    #[schema(value_type = ShortText)]
    name: String,
    accompanies: BTreeSet<Id>,
});
command_body!(EscortReleaseIn {
    escort_id: Id,
    #[schema(value_type = Option<OptionalShortText>)]
    reason: Option<String>,
});
command_body!(ShelterIn {
    #[schema(value_type = ShortText)]
    place: String,
    from: Day,
    until: Option<Day>,
});
command_body!(ItineraryIn {
    legs: Vec<LegIn>,
    transit_assistance: bool,
});
command_body!(AllowanceIn {
    person_id: Option<Id>,
    kind: AssistanceKind,
    amount: MoneyIn,
    #[schema(value_type = Option<OptionalShortText>)]
    note: Option<String>,
});
command_body!(NoShowIn {
    #[schema(value_type = Option<OptionalLongText>)]
    reason: Option<String>
});
command_body!(ArrivalIn {
    /// `"office"`, or `{"partner": "name"}`.
    reception: ReceptionIn,
    #[schema(value_type = Option<OptionalShortText>)]
    onward_transport: Option<String>,
    #[schema(value_type = Option<OptionalShortText>)]
    temporary_accommodation: Option<String>,
});
command_body!(CloseIn {
    outcome: Outcome,
    #[schema(value_type = Option<OptionalLongText>)]
    note: Option<String>,
});
command_body!(CorrectionIn {
    /// The version of the event to correct (from the timeline).
    corrects: u64,
    /// The event as it should have been recorded: `{"type": ..., "data": ...}`.
    #[schema(value_type = Object)]
    replacement: serde_json::Value,
    /// When the corrected event really happened; unchanged when absent.
    corrected_occurred_at: Option<Instant>,
    #[schema(value_type = LongText)]
    reason: String,
});

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LegIn {
    #[schema(value_type = ShortText)]
    pub carrier: String,
    #[schema(value_type = ShortText)]
    pub flight_number: String,
    /// IATA airport code.
    #[schema(example = "BRU")]
    #[schema(value_type = IataCode)]
    pub from: String,
    #[schema(example = "DSS")]
    #[schema(value_type = IataCode)]
    pub to: String,
    pub departs_at: Instant,
    pub arrives_at: Instant,
    #[serde(default)]
    pub transit_permit_required: bool,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum ReceptionIn {
    Office,
    #[schema(value_type = ShortText)]
    Partner(String),
}

fn uuids<T: From<Uuid> + Ord>(v: &BTreeSet<Id>) -> BTreeSet<T> {
    v.iter().map(|u| T::from(u.0)).collect()
}

impl AddMemberIn {
    pub fn parse(&self, p: &mut Parse) -> Option<Member> {
        let details = self.details.parse(p, "details");
        Some(Member {
            person_id: PersonId(homeward_app::new_id()),
            relationship: self.relationship,
            details: details?,
        })
    }
}

impl SessionIn {
    pub fn parse(&self, p: &mut Parse, me: UserId) -> Option<CounsellingSession> {
        let language = p.language("language", &self.language);
        let notes = p.opt_text("notes", &self.notes);
        Some(CounsellingSession {
            session_id: SessionId(homeward_app::new_id()),
            counsellor: self.counsellor.map(|Id(id)| UserId(id)).unwrap_or(me),
            language: language?,
            interpreter_present: self.interpreter_present,
            topics: self.topics.clone(),
            attendees: self.attendees.clone(),
            notes: notes?,
        })
    }
}

impl RepresentativeIn {
    pub fn parse(&self, p: &mut Parse) -> Option<Representative> {
        let name = p.text("name", &self.name);
        let languages = p.languages("languages", &self.languages);
        Some(Representative {
            person_id: PersonId(self.person_id.0),
            name: name?,
            kind: self.kind,
            languages: languages?,
        })
    }
}

impl DocumentIn {
    pub fn parse(&self, p: &mut Parse) -> Option<TravelDocument> {
        let number = p.opt_text("number", &self.number);
        let issuing_country = p.opt_country("issuing_country", &self.issuing_country);
        Some(TravelDocument {
            document_id: DocumentId(
                self.document_id
                    .map_or_else(homeward_app::new_id, Uuid::from),
            ),
            person_id: PersonId(self.person_id.0),
            kind: self.kind,
            status: self.status,
            number: number?,
            issuing_country: issuing_country?,
            expires_on: self.expires_on.map(NaiveDate::from),
        })
    }
}

impl EscortIn {
    pub fn parse(&self, p: &mut Parse) -> Option<Escort> {
        let name = p.text("name", &self.name);
        Some(Escort {
            escort_id: EscortId(homeward_app::new_id()),
            kind: self.kind,
            name: name?,
            accompanies: uuids(&self.accompanies),
        })
    }
}

impl ItineraryIn {
    pub fn parse(&self, p: &mut Parse) -> Option<Itinerary> {
        let legs: Vec<Option<Leg>> = self
            .legs
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let base = format!("legs/{i}");
                let carrier = p.text(&at(&base, "carrier"), &l.carrier);
                let flight = p.text(&at(&base, "flight_number"), &l.flight_number);
                let from = p.iata(&at(&base, "from"), &l.from);
                let to = p.iata(&at(&base, "to"), &l.to);
                Some(Leg {
                    carrier: carrier?,
                    flight_number: flight?,
                    from: from?,
                    to: to?,
                    departs_at: l.departs_at.0,
                    arrives_at: l.arrives_at.0,
                    transit_permit_required: l.transit_permit_required,
                })
            })
            .collect();
        Some(Itinerary {
            legs: legs.into_iter().collect::<Option<Vec<_>>>()?,
            transit_assistance: self.transit_assistance,
        })
    }
}

impl ArrivalIn {
    pub fn parse(&self, p: &mut Parse) -> Option<Arrival> {
        let reception = match &self.reception {
            ReceptionIn::Office => Some(Reception::Office),
            ReceptionIn::Partner(name) => p.text("reception/partner", name).map(Reception::Partner),
        };
        let onward = p.opt_text("onward_transport", &self.onward_transport);
        let accommodation = p.opt_text("temporary_accommodation", &self.temporary_accommodation);
        Some(Arrival {
            reception: reception?,
            onward_transport: onward?,
            temporary_accommodation: accommodation?,
        })
    }
}

impl CorrectionIn {
    pub fn parse(&self, p: &mut Parse) -> Option<(Box<Event>, LongText)> {
        let reason = p.text("reason", &self.reason);
        let replacement: Option<Event> = match serde_json::from_value(self.replacement.clone()) {
            Ok(e) => Some(e),
            Err(e) => {
                p.push(
                    Violation::new(
                        "correction.replacement",
                        format!("the replacement is not an event: {e}"),
                    )
                    .at("replacement"),
                );
                None
            }
        };
        Some((Box::new(replacement?), reason?))
    }
}

mod inbound;
mod monitoring;
mod referrals;
mod reintegration;
pub use inbound::*;
pub use monitoring::*;
pub use referrals::*;
pub use reintegration::*;
