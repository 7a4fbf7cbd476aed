//! One form per lifecycle step. Each step lists its inputs and builds its domain command
//! from what was submitted; one template renders every step. Input names are the paths
//! the domain uses for its reasons, so each reason appears beside its field.

use chrono::{NaiveDate, TimeZone, Utc};
use homeward_app::admin::OfficeView;
use homeward_app::input::Parse;
use homeward_app::views::CaseView;
use homeward_domain::case::records::*;
use homeward_domain::ids::*;
use homeward_domain::person::*;
use homeward_domain::programme::Programme;
use homeward_domain::values::*;
use homeward_domain::{Command, CommandKind, Violation};

use crate::forms::{self, FormData, FormErrors};
use crate::i18n::I18n;

/// An input of a form, before rendering.
pub enum In {
    Text(&'static str, &'static str, Option<&'static str>),
    Area(&'static str, &'static str, Option<&'static str>),
    Radios(&'static str, &'static str, Vec<(String, String)>),
    Select(
        &'static str,
        &'static str,
        Option<&'static str>,
        Vec<(String, String)>,
        bool,
    ),
    Check(&'static str, &'static str, Option<&'static str>),
    Checks(
        &'static str,
        &'static str,
        Option<&'static str>,
        Vec<(String, String)>,
    ),
    Date(&'static str, &'static str, Option<&'static str>),
    Time(&'static str, &'static str),
    Heading(String),
}

/// An option of a choice, rendered.
pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// An input, rendered: what the template needs and nothing more.
pub struct Field {
    pub kind: &'static str,
    pub name: String,
    pub label: String,
    pub hint: Option<String>,
    pub options: Vec<Opt>,
    pub value: String,
    pub checked: bool,
    pub error: Option<String>,
    pub day: String,
    pub month: String,
    pub year: String,
    pub searchable: bool,
}

pub fn render(inputs: Vec<In>, f: &FormData, errors: &FormErrors, i: &I18n) -> Vec<Field> {
    inputs
        .into_iter()
        .map(|input| {
            let mut field = Field {
                kind: "text",
                name: String::new(),
                label: String::new(),
                hint: None,
                options: vec![],
                value: String::new(),
                checked: false,
                error: None,
                day: String::new(),
                month: String::new(),
                year: String::new(),
                searchable: false,
            };
            let (name, label, hint) = match &input {
                In::Text(n, l, h) | In::Area(n, l, h) | In::Check(n, l, h) | In::Date(n, l, h) => {
                    (*n, *l, *h)
                }
                In::Radios(n, l, _) => (*n, *l, None),
                In::Select(n, l, h, _, _) | In::Checks(n, l, h, _) => (*n, *l, *h),
                In::Time(n, l) => (*n, *l, None),
                In::Heading(text) => {
                    field.kind = "heading";
                    field.label = text.clone();
                    return field;
                }
            };
            field.name = name.to_string();
            field.label = i.t(label);
            field.hint = hint.map(|h| i.t(h));
            field.value = f.get(name).to_string();
            field.error = errors
                .of(name)
                .or_else(|| errors.of(&format!("{name}-day")))
                .map(str::to_string);
            let choices = |opts: Vec<(String, String)>, multi: bool| -> Vec<Opt> {
                opts.into_iter()
                    .map(|(value, label)| Opt {
                        selected: if multi {
                            f.has(name, &value)
                        } else {
                            f.get(name) == value
                        },
                        value,
                        label,
                    })
                    .collect()
            };
            match input {
                In::Text(..) => field.kind = "text",
                In::Area(..) => field.kind = "textarea",
                In::Check(..) => {
                    field.kind = "checkbox";
                    field.checked = f.checked(name);
                }
                In::Radios(_, _, opts) => {
                    field.kind = "radios";
                    field.options = choices(opts, false);
                }
                In::Select(_, _, _, opts, searchable) => {
                    field.kind = "select";
                    field.searchable = searchable;
                    field.options = choices(opts, false);
                }
                In::Checks(_, _, _, opts) => {
                    field.kind = "checkboxes";
                    field.options = choices(opts, true);
                }
                In::Date(..) => {
                    field.kind = "date";
                    field.day = f.get(&format!("{name}-day")).to_string();
                    field.month = f.get(&format!("{name}-month")).to_string();
                    field.year = f.get(&format!("{name}-year")).to_string();
                }
                In::Time(..) => field.kind = "time",
                In::Heading(_) => {}
            }
            field
        })
        .collect()
}

/// What building a form needs to know.
pub struct Ctx<'a> {
    pub i: I18n,
    pub view: &'a CaseView,
    pub programme: &'a Programme,
    pub offices: &'a [OfficeView],
    pub me: UserId,
}

fn enum_options<T: serde::Serialize + Copy>(
    i: &I18n,
    group: &str,
    all: &[T],
) -> Vec<(String, String)> {
    all.iter()
        .map(|v| {
            let code = serde_json::to_value(v)
                .ok()
                .and_then(|j| j.as_str().map(str::to_string))
                .unwrap_or_default();
            let label = i.opt(group, &code);
            (code, label)
        })
        .collect()
}

fn parse_enum<T: serde::de::DeserializeOwned>(value: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(value.to_string())).ok()
}

fn people(ctx: &Ctx) -> Vec<(String, String)> {
    ctx.view
        .case
        .members
        .iter()
        .map(|m| (m.person_id.to_string(), m.details.name.display()))
        .collect()
}

/// Every country, named in the reader's language, in that language's order.
pub fn country_options(i: &I18n) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = countries()
        .into_iter()
        .map(|(c, _)| (c.to_string(), format!("{} ({c})", i.country(c))))
        .collect();
    // Accents do not change the order (Équateur among the E); Arabic sorts as written.
    if i.lang == crate::i18n::Lang::Ar {
        v.sort_by_key(|(_, label)| label.clone());
    } else {
        v.sort_by_key(|(_, label)| search_key(label));
    }
    v
}

pub fn language_options() -> Vec<(String, String)> {
    languages()
        .into_iter()
        .map(|(c, n, own)| {
            let label = match own {
                Some(o) if o != n => format!("{n} — {o}"),
                _ => n.to_string(),
            };
            (c, label)
        })
        .collect()
}

fn with_empty(mut v: Vec<(String, String)>, label: String) -> Vec<(String, String)> {
    v.insert(0, (String::new(), label));
    v
}

const SEXES: [Sex; 3] = [Sex::Female, Sex::Male, Sex::Other];
const RELATIONSHIPS: [Relationship; 6] = [
    Relationship::Spouse,
    Relationship::Child,
    Relationship::Parent,
    Relationship::Sibling,
    Relationship::OtherRelative,
    Relationship::Other,
];
const LEGAL: [LegalSituation; 9] = [
    LegalSituation::RegularStay,
    LegalSituation::IrregularStay,
    LegalSituation::AsylumSeeker,
    LegalSituation::Refugee,
    LegalSituation::TemporaryProtection,
    LegalSituation::VisaOverstayer,
    LegalSituation::MigrantWorkerEndOfContract,
    LegalSituation::StrandedMigrant,
    LegalSituation::Stateless,
];
const TOPICS: [Topic; 8] = [
    Topic::ReturnModalities,
    Topic::ConditionsInCountryOfReturn,
    Topic::ReturnByOwnMeans,
    Topic::OptionsToStay,
    Topic::ReintegrationAssistance,
    Topic::RightToWithdraw,
    Topic::HealthAndMedical,
    Topic::Other,
];
const ASSISTANCE: [AssistanceKind; 7] = [
    AssistanceKind::PocketMoney,
    AssistanceKind::InstallationGrant,
    AssistanceKind::ReintegrationGrant,
    AssistanceKind::ReintegrationInKind,
    AssistanceKind::TravelCosts,
    AssistanceKind::MedicalSupport,
    AssistanceKind::Other,
];

/// The inputs of a person's details (adding a member, registering a case).
pub fn person_inputs(i: &I18n) -> Vec<In> {
    let langs = with_empty(language_options(), String::new());
    vec![
        In::Text("given", "f-given", Some("f-given-hint")),
        In::Text("family", "f-family", None),
        In::Text("latin_given", "f-latin-given", Some("f-latin-hint")),
        In::Text("latin_family", "f-latin-family", None),
        In::Date("dob", "f-dob", Some("f-dob-hint")),
        In::Text("birth_year", "f-birth-year", None),
        In::Radios("sex", "f-sex", enum_options(i, "sex", &SEXES)),
        In::Select(
            "nationality",
            "f-nationality",
            None,
            with_empty(country_options(i), i.t("none")),
            true,
        ),
        In::Select(
            "language_1",
            "f-languages",
            Some("f-languages-hint"),
            langs.clone(),
            true,
        ),
        In::Select("language_2", "f-languages", None, langs.clone(), true),
        In::Select("language_3", "f-languages", None, langs, true),
        In::Text("phone", "f-phone", None),
        In::Text("email", "f-email", None),
        In::Text("address", "f-address", None),
        In::Select(
            "legal_situation",
            "f-legal-situation",
            None,
            with_empty(enum_options(i, "legal", &LEGAL), String::new()),
            false,
        ),
        In::Checks(
            "vulnerabilities",
            "f-vulnerabilities",
            Some("f-vulnerabilities-hint"),
            enum_options(i, "vuln", &Vulnerability::ALL),
        ),
    ]
}

fn required(f: &FormData, name: &str, p: &mut Parse, i: &I18n) -> Option<String> {
    match f.opt(name) {
        Some(v) => Some(v),
        None => {
            p.push(Violation::new("required", i.t("err-required")).at(name));
            None
        }
    }
}

fn choice<T: serde::de::DeserializeOwned>(
    f: &FormData,
    name: &str,
    p: &mut Parse,
    i: &I18n,
) -> Option<T> {
    let v = required(f, name, p, i)?;
    let parsed = parse_enum(&v);
    if parsed.is_none() {
        p.push(Violation::new("required", i.t("err-required")).at(name));
    }
    parsed
}

fn uuid_of(f: &FormData, name: &str, p: &mut Parse, i: &I18n) -> Option<uuid::Uuid> {
    let v = f.get(name);
    match v.parse() {
        Ok(u) => Some(u),
        Err(_) => {
            p.push(Violation::new("required", i.t("err-choose-person")).at(name));
            None
        }
    }
}

/// A form filled with a member's details, to change them.
pub fn person_form(m: &Member) -> FormData {
    let d = &m.details;
    let mut f = FormData::default();
    f.set("person_id", m.person_id.to_string());
    f.set("given", d.name.given.to_string());
    if let Some(x) = &d.name.family {
        f.set("family", x.to_string());
    }
    if let Some(l) = &d.name.latin {
        f.set("latin_given", l.given.to_string());
        if let Some(x) = &l.family {
            f.set("latin_family", x.to_string());
        }
    }
    match d.date_of_birth {
        DateOfBirth::Exact(b) => {
            f.set("dob-day", b.format("%-d").to_string());
            f.set("dob-month", b.format("%-m").to_string());
            f.set("dob-year", b.format("%Y").to_string());
        }
        DateOfBirth::EstimatedYear(y) => f.set("birth_year", y.to_string()),
    }
    f.set("sex", crate::pages::case::enum_code(&d.sex));
    if let Some(n) = &d.nationality {
        f.set("nationality", n.to_string());
    }
    for (n, l) in ["language_1", "language_2", "language_3"]
        .iter()
        .zip(&d.languages)
    {
        f.set(n, l.to_string());
    }
    for (n, v) in [
        ("phone", &d.contact.phone),
        ("email", &d.contact.email),
        ("address", &d.contact.address),
    ] {
        if let Some(v) = v {
            f.set(n, v.to_string());
        }
    }
    f.set(
        "legal_situation",
        crate::pages::case::enum_code(&d.legal_situation),
    );
    let mut pairs = f.pairs().to_vec();
    pairs.extend(
        d.vulnerabilities
            .iter()
            .map(|v| ("vulnerabilities".to_string(), v.code().to_string())),
    );
    FormData::from_pairs(pairs)
}

/// A person's details from the form.
pub fn parse_person(f: &FormData, p: &mut Parse, i: &I18n) -> Option<PersonDetails> {
    let given = p.text("given", f.get("given"));
    let family = p.opt_text("family", &f.opt("family"));
    let latin_given = p.opt_text::<200>("latin_given", &f.opt("latin_given"));
    let latin_family = p.opt_text("latin_family", &f.opt("latin_family"));
    let dob = match (forms::date(f, "dob"), f.opt("birth_year")) {
        (Ok(Some(d)), _) => Some(DateOfBirth::Exact(d)),
        (Ok(None), Some(y)) => match y.parse::<i32>() {
            Ok(y) => Some(DateOfBirth::EstimatedYear(y)),
            Err(_) => {
                p.push(Violation::new("date", i.t("err-date-invalid")).at("birth_year"));
                None
            }
        },
        (Ok(None), None) => {
            p.push(Violation::new("required", i.t("err-required")).at("dob-day"));
            None
        }
        (Err(_), _) => {
            p.push(Violation::new("date", i.t("err-date-invalid")).at("dob-day"));
            None
        }
    };
    let sex = choice::<Sex>(f, "sex", p, i);
    let nationality = p.opt_country("nationality", &f.opt("nationality"));
    let mut languages = vec![];
    for n in ["language_1", "language_2", "language_3"] {
        if let Some(l) = f.opt(n) {
            languages.extend(p.value(n, LanguageCode::parse(&l)));
        }
    }
    let phone = p.opt_text("phone", &f.opt("phone"));
    let email = p.opt_text("email", &f.opt("email"));
    let address = p.opt_text("address", &f.opt("address"));
    let legal = choice::<LegalSituation>(f, "legal_situation", p, i);
    let vulnerabilities = f
        .all("vulnerabilities")
        .into_iter()
        .filter_map(parse_enum)
        .collect();
    let latin = match (latin_given?, latin_family?) {
        (Some(g), family) => Some(LatinName { given: g, family }),
        (None, _) => None,
    };
    Some(PersonDetails {
        name: PersonName {
            given: given?,
            family: family?,
            latin,
        },
        date_of_birth: dob?,
        sex: sex?,
        nationality: nationality?,
        languages,
        contact: Contact {
            phone: phone?,
            email: email?,
            address: address?,
        },
        legal_situation: legal?,
        vulnerabilities,
    })
}

/// Where a domain reason belongs in a form.
pub fn field_of(path: &str) -> String {
    let p = path
        .trim_start_matches("details/")
        .trim_start_matches("members/0/details/");
    match p {
        "name/given" => "given".into(),
        "name/family" => "family".into(),
        "name/latin/given" => "latin_given".into(),
        "date_of_birth" => "dob-day".into(),
        "languages" | "languages/0" => "language_1".into(),
        "languages/1" => "language_2".into(),
        "languages/2" => "language_3".into(),
        "contact/phone" => "phone".into(),
        "occurred_at" => "occurred-day".into(),
        "legs/0/from" | "legs/0/to" | "legs/0/arrives_at" | "legs/0/departs_at" => {
            format!("leg1_{}", p.rsplit('/').next().unwrap_or(""))
        }
        "legs/1/from" | "legs/1/to" | "legs/1/arrives_at" | "legs/1/departs_at" => {
            format!("leg2_{}", p.rsplit('/').next().unwrap_or(""))
        }
        "amount/currency" | "amount/amount_minor" => "amount".into(),
        other => other.replace('/', "_"),
    }
}

/// The steps the web offers, in the order they usually come.
pub const OFFERED: [CommandKind; 32] = [
    CommandKind::RecordCounsellingSession,
    CommandKind::AddMember,
    CommandKind::UpdatePersonDetails,
    CommandKind::AppointRepresentative,
    CommandKind::AssessCapacity,
    CommandKind::DetermineBestInterests,
    CommandKind::ScreenEligibility,
    CommandKind::RecordConsent,
    CommandKind::ReconfirmConsent,
    CommandKind::RecordRiskAssessment,
    CommandKind::SubmitApplication,
    CommandKind::ApproveApplication,
    CommandKind::RejectApplication,
    CommandKind::ChangeProposal,
    CommandKind::RecordHealthAssessment,
    CommandKind::RecordTravelDocument,
    CommandKind::AssignEscort,
    CommandKind::ReleaseEscort,
    CommandKind::ArrangeShelter,
    CommandKind::SetItinerary,
    CommandKind::AssignReturnOffice,
    CommandKind::PayAllowance,
    CommandKind::MarkReadyToDepart,
    CommandKind::ConfirmDeparture,
    CommandKind::RecordNoShow,
    CommandKind::RecordArrival,
    CommandKind::StartReintegration,
    CommandKind::StartMonitoring,
    CommandKind::Withdraw,
    CommandKind::RemoveMember,
    CommandKind::Reopen,
    CommandKind::Close,
];

pub fn slug(kind: CommandKind) -> String {
    kind.name().replace('_', "-")
}

pub fn from_slug(slug: &str) -> Option<CommandKind> {
    CommandKind::from_name(&slug.replace('-', "_")).filter(|k| OFFERED.contains(k))
}

/// The inputs of a step.
pub fn inputs(kind: CommandKind, ctx: &Ctx) -> Vec<In> {
    let i = &ctx.i;
    let who = || In::Radios("person_id", "f-person", people(ctx));
    let yes_no = || {
        vec![
            ("yes".to_string(), i.t("yes")),
            ("no".to_string(), i.t("no")),
        ]
    };
    match kind {
        CommandKind::AddMember => {
            let mut v = vec![In::Radios(
                "relationship",
                "f-relationship",
                enum_options(i, "relationship", &RELATIONSHIPS),
            )];
            v.extend(person_inputs(i));
            v
        }
        CommandKind::RemoveMember => vec![who(), In::Area("reason", "f-reason", None)],
        CommandKind::UpdatePersonDetails => {
            let mut v = vec![who()];
            v.extend(person_inputs(i));
            v
        }
        CommandKind::RecordCounsellingSession => {
            let mut attendees = people(ctx);
            for (pid, r) in &ctx.view.case.representatives {
                let child = ctx
                    .view
                    .case
                    .member(*pid)
                    .map(|m| m.details.name.display())
                    .unwrap_or_default();
                attendees.push((format!("rep:{pid}"), format!("{} ({})", r.name, child)));
            }
            vec![
                In::Select(
                    "language",
                    "f-language",
                    Some("f-language-hint"),
                    with_empty(language_options(), String::new()),
                    true,
                ),
                In::Check("interpreter_present", "f-interpreter", None),
                In::Checks(
                    "topics",
                    "f-topics",
                    Some("f-topics-hint"),
                    enum_options(i, "topic", &TOPICS),
                ),
                In::Checks("attendees", "f-attendees", None, attendees),
                In::Area("notes", "f-notes", Some("f-notes-hint")),
            ]
        }
        CommandKind::ScreenEligibility => vec![
            In::Radios(
                "removal_procedure",
                "f-removal",
                enum_options(
                    i,
                    "removal",
                    &[RemovalProcedure::NotInitiated, RemovalProcedure::Initiated],
                ),
            ),
            In::Radios(
                "admissibility",
                "f-admissibility",
                enum_options(
                    i,
                    "admissibility",
                    &[
                        Admissibility::National,
                        Admissibility::AdmissionConfirmed,
                        Admissibility::Pending,
                        Admissibility::Refused,
                    ],
                ),
            ),
            In::Radios(
                "category",
                "f-category",
                ctx.programme
                    .settings
                    .categories
                    .iter()
                    .map(|c| (c.to_string(), c.to_string()))
                    .collect(),
            ),
        ],
        CommandKind::RecordConsent => vec![
            who(),
            In::Radios(
                "given_by",
                "f-given-by",
                enum_options(
                    i,
                    "giver",
                    &[ConsentGiver::Person, ConsentGiver::Representative],
                ),
            ),
            In::Check("no_pressure_attested", "f-no-pressure", None),
            In::Check("right_to_withdraw_explained", "f-right-to-withdraw", None),
            In::Check("data_processing_consent", "f-data-consent", None),
            In::Area("statement", "f-statement", None),
        ],
        CommandKind::ReconfirmConsent => vec![
            who(),
            In::Radios(
                "given_by",
                "f-given-by",
                enum_options(
                    i,
                    "giver",
                    &[ConsentGiver::Person, ConsentGiver::Representative],
                ),
            ),
            In::Check("no_pressure_attested", "f-no-pressure", None),
            In::Area("statement", "f-statement", None),
        ],
        CommandKind::Withdraw => vec![
            who(),
            In::Area("own_words", "f-own-words", None),
            In::Check("whole_case", "f-whole-case", Some("f-whole-case-hint")),
        ],
        CommandKind::Reopen | CommandKind::RejectApplication => {
            vec![In::Area("reason", "f-reason", None)]
        }
        CommandKind::AssessCapacity => vec![
            who(),
            In::Text("professional", "f-professional", None),
            In::Text("qualification", "f-qualification", None),
            In::Check("lacks_capacity", "f-lacks-capacity", None),
            In::Area("notes", "f-notes", None),
        ],
        CommandKind::DetermineBestInterests => vec![
            who(),
            In::Text("determined_by", "f-determined-by", None),
            In::Radios("return_in_best_interests", "f-in-best-interests", yes_no()),
            In::Area("notes", "f-notes", None),
        ],
        CommandKind::AppointRepresentative => {
            let langs = with_empty(language_options(), String::new());
            vec![
                who(),
                In::Text("name", "f-representative-name", None),
                In::Radios(
                    "kind",
                    "f-representative-kind",
                    enum_options(
                        i,
                        "repkind",
                        &[
                            RepresentativeKind::LegalGuardian,
                            RepresentativeKind::Parent,
                            RepresentativeKind::CourtAppointed,
                            RepresentativeKind::Other,
                        ],
                    ),
                ),
                In::Select(
                    "language_1",
                    "f-languages",
                    Some("f-languages-hint"),
                    langs.clone(),
                    true,
                ),
                In::Select("language_2", "f-languages", None, langs, true),
            ]
        }
        CommandKind::ChangeProposal => {
            let mut v = vec![
                In::Select(
                    "country_of_return",
                    "f-country",
                    None,
                    with_empty(country_options(i), String::new()),
                    true,
                ),
                In::Radios(
                    "return_kind",
                    "f-return-kind",
                    enum_options(
                        i,
                        "returnkind",
                        &[ReturnKind::Origin, ReturnKind::ThirdCountry],
                    ),
                ),
                In::Text("place_of_return", "f-place-of-return", None),
            ];
            v.extend(assistance_inputs(ctx));
            v
        }
        CommandKind::AssignReturnOffice => {
            let country = ctx.view.case.proposal.country_of_return.as_str();
            vec![In::Radios(
                "office_id",
                "f-office",
                ctx.offices
                    .iter()
                    .filter(|o| o.country == country)
                    .map(|o| (o.id.to_string(), format!("{} ({})", o.name, o.code)))
                    .collect(),
            )]
        }
        CommandKind::RecordHealthAssessment => vec![
            who(),
            In::Radios(
                "fitness",
                "f-fitness",
                enum_options(
                    i,
                    "fitness",
                    &[Fitness::Fit, Fitness::FitWithMedicalEscort, Fitness::NotFit],
                ),
            ),
            In::Text("assessed_by", "f-assessed-by", None),
            In::Area(
                "medical_details",
                "f-medical-details",
                Some("f-medical-details-hint"),
            ),
        ],
        CommandKind::RecordRiskAssessment => vec![
            who(),
            In::Radios(
                "conclusion",
                "f-conclusion",
                enum_options(
                    i,
                    "risk",
                    &[
                        RiskConclusion::ReturnCanProceed,
                        RiskConclusion::ReturnCanProceedWithMeasures,
                        RiskConclusion::ReturnMustNotProceed,
                    ],
                ),
            ),
            In::Area("notes", "f-notes", None),
        ],
        CommandKind::RecordTravelDocument => vec![
            who(),
            In::Radios(
                "kind",
                "f-document-kind",
                enum_options(
                    i,
                    "doc",
                    &[
                        DocumentKind::Passport,
                        DocumentKind::LaissezPasser,
                        DocumentKind::NationalIdentityCard,
                        DocumentKind::BirthCertificate,
                        DocumentKind::RefugeeTravelDocument,
                        DocumentKind::Visa,
                        DocumentKind::TransitPermit,
                        DocumentKind::Other,
                    ],
                ),
            ),
            In::Radios(
                "status",
                "f-document-status",
                enum_options(
                    i,
                    "docstatus",
                    &[
                        DocumentStatus::Held,
                        DocumentStatus::Requested,
                        DocumentStatus::Issued,
                        DocumentStatus::Expired,
                        DocumentStatus::Lost,
                    ],
                ),
            ),
            In::Text("number", "f-document-number", None),
            In::Select(
                "issuing_country",
                "f-issuing-country",
                None,
                with_empty(country_options(i), i.t("none")),
                true,
            ),
            In::Date("expires", "f-expires", None),
        ],
        CommandKind::AssignEscort => vec![
            In::Radios(
                "kind",
                "f-escort-kind",
                enum_options(
                    i,
                    "escort",
                    &[
                        EscortKind::Child,
                        EscortKind::Medical,
                        EscortKind::Operational,
                    ],
                ),
            ),
            In::Text("name", "f-escort-name", None),
            In::Checks("accompanies", "f-accompanies", None, people(ctx)),
        ],
        CommandKind::ReleaseEscort => vec![
            In::Radios(
                "escort_id",
                "f-escort",
                ctx.view
                    .case
                    .escorts
                    .values()
                    .map(|e| (e.escort_id.to_string(), e.name.to_string()))
                    .collect(),
            ),
            In::Text("reason", "f-reason", None),
        ],
        CommandKind::ArrangeShelter => vec![
            In::Text("place", "f-place", None),
            In::Date("from", "f-from", None),
            In::Date("until", "f-until", None),
        ],
        CommandKind::SetItinerary => {
            let mut v = vec![];
            for n in 1..=2 {
                v.push(In::Heading(i.t1("f-leg", "n", n.to_string())));
                let (carrier, flight, from, to, dep, dep_t, arr, arr_t, permit) = if n == 1 {
                    (
                        "leg1_carrier",
                        "leg1_flight",
                        "leg1_from",
                        "leg1_to",
                        "leg1_departs",
                        "leg1_departs-time",
                        "leg1_arrives",
                        "leg1_arrives-time",
                        "leg1_permit",
                    )
                } else {
                    (
                        "leg2_carrier",
                        "leg2_flight",
                        "leg2_from",
                        "leg2_to",
                        "leg2_departs",
                        "leg2_departs-time",
                        "leg2_arrives",
                        "leg2_arrives-time",
                        "leg2_permit",
                    )
                };
                v.extend([
                    In::Text(carrier, "f-carrier", None),
                    In::Text(flight, "f-flight", None),
                    In::Text(from, "f-from-airport", None),
                    In::Text(to, "f-to-airport", None),
                    In::Date(dep, "f-departs", None),
                    In::Time(dep_t, "time-hour-minute"),
                    In::Date(arr, "f-arrives", None),
                    In::Time(arr_t, "time-hour-minute"),
                    In::Check(permit, "f-transit-permit", None),
                ]);
            }
            v.push(In::Check(
                "transit_assistance",
                "f-transit-assistance",
                None,
            ));
            v
        }
        CommandKind::PayAllowance => {
            let mut whom = vec![(String::new(), i.t("f-household"))];
            whom.extend(people(ctx));
            vec![
                In::Radios("person_id", "f-person", whom),
                In::Radios("kind", "f-kind", enum_options(i, "assist", &ASSISTANCE)),
                In::Text("amount", "f-amount", None),
                In::Text("note", "f-note", None),
            ]
        }
        CommandKind::RecordNoShow => vec![In::Area("reason", "f-reason", None)],
        CommandKind::RecordArrival => vec![
            In::Radios(
                "reception",
                "f-reception",
                vec![
                    ("office".into(), i.opt("reception", "office")),
                    ("partner".into(), i.opt("reception", "partner")),
                ],
            ),
            In::Text("partner", "f-partner-name", None),
            In::Text("onward_transport", "f-onward", None),
            In::Text("temporary_accommodation", "f-accommodation", None),
        ],
        CommandKind::Close => vec![
            In::Radios(
                "outcome",
                "f-outcome",
                enum_options(
                    i,
                    "outcome",
                    &[
                        Outcome::Completed,
                        Outcome::Withdrawn,
                        Outcome::NoShow,
                        Outcome::Ineligible,
                        Outcome::RegularisedInHostCountry,
                        Outcome::LostContact,
                        Outcome::Deceased,
                    ],
                ),
            ),
            In::Area("note", "f-note", None),
        ],
        _ => vec![],
    }
}

fn assistance_inputs(ctx: &Ctx) -> Vec<In> {
    let i = &ctx.i;
    let kinds = with_empty(enum_options(i, "assist", &ASSISTANCE), String::new());
    vec![
        In::Heading(i.t("f-assistance")),
        In::Select("assist1_kind", "f-kind", None, kinds.clone(), false),
        In::Text("assist1_amount", "f-amount", None),
        In::Select("assist2_kind", "f-kind", None, kinds, false),
        In::Text("assist2_amount", "f-amount", None),
    ]
}

/// Money typed in major units ("250", "250.00", "250,5") in `currency`.
pub fn parse_amount(text: &str, currency: &CurrencyCode) -> Option<Money> {
    let t = text.trim().replace(' ', "").replace(',', ".");
    let exp = currency.minor_unit_exponent();
    let (whole, frac) = t.split_once('.').unwrap_or((&t, ""));
    if whole.is_empty()
        || !whole.chars().all(|c| c.is_ascii_digit())
        || frac.len() > exp as usize
        || !frac.chars().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let frac: i64 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<width$}", width = exp as usize)
            .parse()
            .ok()?
    };
    Money::new(
        whole.checked_mul(10i64.pow(exp))?.checked_add(frac)?,
        currency.clone(),
    )
    .ok()
}

fn amount(f: &FormData, name: &str, p: &mut Parse, ctx: &Ctx) -> Option<Money> {
    let c = &ctx.programme.settings.currency;
    let m = parse_amount(f.get(name), c);
    if m.is_none() {
        p.push(
            Violation::new(
                "money",
                ctx.i.t1("f-amount-hint", "currency", c.to_string()),
            )
            .at(name),
        );
    }
    m
}

/// An airport time typed in its local time, in UTC.
fn leg_time(
    f: &FormData,
    name: &str,
    airport: Option<&IataCode>,
    p: &mut Parse,
    i: &I18n,
) -> Option<chrono::DateTime<Utc>> {
    let day = match forms::date(f, name) {
        Ok(Some(d)) => d,
        _ => {
            p.push(Violation::new("date", i.t("err-date-invalid")).at(format!("{name}-day")));
            return None;
        }
    };
    let time = match forms::time(f, &format!("{name}-time")) {
        Ok(Some(t)) => t,
        _ => {
            p.push(Violation::new("time", i.t("err-time-invalid")).at(format!("{name}-time")));
            return None;
        }
    };
    let local = day.and_time(time);
    let tz = airport
        .and_then(homeward_domain::airports::lookup)
        .map(|a| a.time_zone);
    Some(match tz {
        Some(tz) => tz
            .from_local_datetime(&local)
            .earliest()
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or_else(|| Utc.from_utc_datetime(&local)),
        None => Utc.from_utc_datetime(&local),
    })
}

fn date_field(f: &FormData, name: &str, p: &mut Parse, i: &I18n) -> Option<Option<NaiveDate>> {
    match forms::date(f, name) {
        Ok(d) => Some(d),
        Err(_) => {
            p.push(Violation::new("date", i.t("err-date-invalid")).at(format!("{name}-day")));
            None
        }
    }
}

/// The command a submitted form asks for.
pub fn build(kind: CommandKind, f: &FormData, ctx: &Ctx, p: &mut Parse) -> Option<Command> {
    let i = &ctx.i;
    let person = |p: &mut Parse| uuid_of(f, "person_id", p, i).map(PersonId);
    match kind {
        CommandKind::AddMember => {
            let rel = choice::<Relationship>(f, "relationship", p, i);
            let details = parse_person(f, p, i);
            Some(Command::AddMember(Member {
                person_id: PersonId(homeward_app::new_id()),
                relationship: rel?,
                details: details?,
            }))
        }
        CommandKind::UpdatePersonDetails => {
            let who = person(p);
            let details = parse_person(f, p, i);
            Some(Command::UpdatePersonDetails {
                person_id: who?,
                details: details?,
            })
        }
        CommandKind::RemoveMember => {
            let who = person(p);
            let reason = p.text("reason", f.get("reason"));
            Some(Command::RemoveMember {
                person_id: who?,
                reason: reason?,
            })
        }
        CommandKind::RecordCounsellingSession => {
            let language = required(f, "language", p, i)
                .and_then(|l| p.value("language", LanguageCode::parse(&l)));
            let notes = p.opt_text("notes", &f.opt("notes"));
            let attendees = f
                .all("attendees")
                .into_iter()
                .filter_map(|a| match a.strip_prefix("rep:") {
                    Some(id) => id
                        .parse()
                        .ok()
                        .map(|u| Attendee::RepresentativeOf(PersonId(u))),
                    None => a.parse().ok().map(|u| Attendee::Member(PersonId(u))),
                })
                .collect();
            Some(Command::RecordCounsellingSession(CounsellingSession {
                session_id: SessionId(homeward_app::new_id()),
                counsellor: ctx.me,
                language: language?,
                interpreter_present: f.checked("interpreter_present"),
                topics: f.all("topics").into_iter().filter_map(parse_enum).collect(),
                attendees,
                notes: notes?,
            }))
        }
        CommandKind::ScreenEligibility => {
            let removal = choice(f, "removal_procedure", p, i);
            let admissibility = choice(f, "admissibility", p, i);
            let category = required(f, "category", p, i).and_then(|c| p.text("category", &c));
            Some(Command::ScreenEligibility(ScreeningFacts {
                removal_procedure: removal?,
                admissibility: admissibility?,
                category: category?,
            }))
        }
        CommandKind::RecordConsent => {
            let who = person(p);
            let giver = choice(f, "given_by", p, i);
            let statement = p.opt_text("statement", &f.opt("statement"));
            Some(Command::RecordConsent(ConsentDeclaration {
                person_id: who?,
                given_by: giver?,
                no_pressure_attested: f.checked("no_pressure_attested"),
                right_to_withdraw_explained: f.checked("right_to_withdraw_explained"),
                data_processing_consent: f.checked("data_processing_consent"),
                statement: statement?,
            }))
        }
        CommandKind::ReconfirmConsent => {
            let who = person(p);
            let giver = choice(f, "given_by", p, i);
            let statement = p.opt_text("statement", &f.opt("statement"));
            Some(Command::ReconfirmConsent(ConsentReconfirmation {
                person_id: who?,
                given_by: giver?,
                no_pressure_attested: f.checked("no_pressure_attested"),
                statement: statement?,
            }))
        }
        CommandKind::Withdraw => {
            let who = person(p);
            let words = p.opt_text("own_words", &f.opt("own_words"));
            Some(Command::Withdraw {
                person_id: who?,
                own_words: words?,
                whole_case: f.checked("whole_case"),
            })
        }
        CommandKind::Reopen => p
            .text("reason", f.get("reason"))
            .map(|reason| Command::Reopen { reason }),
        CommandKind::RejectApplication => p
            .text("reason", f.get("reason"))
            .map(|reason| Command::RejectApplication { reason }),
        CommandKind::SubmitApplication => Some(Command::SubmitApplication),
        CommandKind::ApproveApplication => Some(Command::ApproveApplication),
        CommandKind::MarkReadyToDepart => Some(Command::MarkReadyToDepart),
        CommandKind::ConfirmDeparture => Some(Command::ConfirmDeparture),
        CommandKind::StartReintegration => Some(Command::StartReintegration),
        CommandKind::StartMonitoring => Some(Command::StartMonitoring),
        CommandKind::AssessCapacity => {
            let who = person(p);
            let professional = p.text("professional", f.get("professional"));
            let qualification = p.text("qualification", f.get("qualification"));
            let notes = p.opt_text("notes", &f.opt("notes"));
            Some(Command::AssessCapacity(CapacityAssessment {
                person_id: who?,
                professional: professional?,
                qualification: qualification?,
                lacks_capacity: f.checked("lacks_capacity"),
                notes: notes?,
            }))
        }
        CommandKind::DetermineBestInterests => {
            let who = person(p);
            let by = p.text("determined_by", f.get("determined_by"));
            let answer = required(f, "return_in_best_interests", p, i);
            let notes = p.opt_text("notes", &f.opt("notes"));
            Some(Command::DetermineBestInterests(
                BestInterestsDetermination {
                    person_id: who?,
                    determined_by: by?,
                    return_in_best_interests: answer? == "yes",
                    notes: notes?,
                },
            ))
        }
        CommandKind::AppointRepresentative => {
            let who = person(p);
            let name = p.text("name", f.get("name"));
            let kind = choice(f, "kind", p, i);
            let mut languages = vec![];
            for n in ["language_1", "language_2"] {
                if let Some(l) = f.opt(n) {
                    languages.extend(p.value(n, LanguageCode::parse(&l)));
                }
            }
            Some(Command::AppointRepresentative(Representative {
                person_id: who?,
                name: name?,
                kind: kind?,
                languages,
            }))
        }
        CommandKind::ChangeProposal => {
            let country = required(f, "country_of_return", p, i)
                .and_then(|c| p.country("country_of_return", &c));
            let kind = choice(f, "return_kind", p, i);
            let place = p.opt_text("place_of_return", &f.opt("place_of_return"));
            let mut items = vec![];
            for n in 1..=2 {
                let k = format!("assist{n}_kind");
                if let Some(kind) = f.opt(&k).and_then(|v| parse_enum::<AssistanceKind>(&v)) {
                    let a = format!("assist{n}_amount");
                    let amount = if f.get(&a).is_empty() {
                        Some(None)
                    } else {
                        amount(f, &a, p, ctx).map(Some)
                    };
                    items.push(amount.map(|amount| AssistanceItem {
                        kind,
                        amount,
                        description: None,
                    }));
                }
            }
            Some(Command::ChangeProposal(Proposal {
                country_of_return: country?,
                return_kind: kind?,
                place_of_return: place?,
                assistance_package: items.into_iter().collect::<Option<Vec<_>>>()?,
            }))
        }
        CommandKind::AssignReturnOffice => {
            let id = uuid_of(f, "office_id", p, i)?;
            let office = ctx.offices.iter().find(|o| o.id.0 == id)?;
            let country = p.country("office_id", &office.country)?;
            Some(Command::AssignReturnOffice(OfficeRef {
                office_id: OfficeId(id),
                country,
            }))
        }
        CommandKind::RecordHealthAssessment => {
            let who = person(p);
            let fitness = choice(f, "fitness", p, i);
            let by = p.text("assessed_by", f.get("assessed_by"));
            let details = p.opt_text("medical_details", &f.opt("medical_details"));
            Some(Command::RecordHealthAssessment(HealthAssessment {
                person_id: who?,
                fitness: fitness?,
                assessed_by: by?,
                medical_details: details?,
            }))
        }
        CommandKind::RecordRiskAssessment => {
            let who = person(p);
            let conclusion = choice(f, "conclusion", p, i);
            let notes = p.opt_text("notes", &f.opt("notes"));
            Some(Command::RecordRiskAssessment(RiskAssessment {
                person_id: who?,
                conclusion: conclusion?,
                notes: notes?,
            }))
        }
        CommandKind::RecordTravelDocument => {
            let who = person(p);
            let kind = choice(f, "kind", p, i);
            let status = choice(f, "status", p, i);
            let number = p.opt_text("number", &f.opt("number"));
            let country = p.opt_country("issuing_country", &f.opt("issuing_country"));
            let expires = date_field(f, "expires", p, i);
            Some(Command::RecordTravelDocument(TravelDocument {
                document_id: DocumentId(homeward_app::new_id()),
                person_id: who?,
                kind: kind?,
                status: status?,
                number: number?,
                issuing_country: country?,
                expires_on: expires?,
            }))
        }
        CommandKind::AssignEscort => {
            let kind = choice(f, "kind", p, i);
            let name = p.text("name", f.get("name"));
            Some(Command::AssignEscort(Escort {
                escort_id: EscortId(homeward_app::new_id()),
                kind: kind?,
                name: name?,
                accompanies: f
                    .all("accompanies")
                    .into_iter()
                    .filter_map(|a| a.parse().ok().map(PersonId))
                    .collect(),
            }))
        }
        CommandKind::ReleaseEscort => {
            let id = uuid_of(f, "escort_id", p, i);
            let reason = p.opt_text("reason", &f.opt("reason"));
            Some(Command::ReleaseEscort {
                escort_id: EscortId(id?),
                reason: reason?,
            })
        }
        CommandKind::ArrangeShelter => {
            let place = p.text("place", f.get("place"));
            let from = date_field(f, "from", p, i).and_then(|d| {
                if d.is_none() {
                    p.push(Violation::new("required", i.t("err-required")).at("from-day"));
                }
                d
            });
            let until = date_field(f, "until", p, i);
            Some(Command::ArrangeShelter(Shelter {
                place: place?,
                from: from?,
                until: until?,
            }))
        }
        CommandKind::SetItinerary => {
            let mut legs = vec![];
            for n in 1..=2 {
                let k = |s: &str| format!("leg{n}_{s}");
                if n == 2 && f.get(&k("from")).is_empty() && f.get(&k("flight")).is_empty() {
                    continue;
                }
                let carrier = p.text(&k("carrier"), f.get(&k("carrier")));
                let flight = p.text(&k("flight"), f.get(&k("flight")));
                let from = p.iata(&k("from"), f.get(&k("from")));
                let to = p.iata(&k("to"), f.get(&k("to")));
                let departs = leg_time(f, &k("departs"), from.as_ref(), p, i);
                let arrives = leg_time(f, &k("arrives"), to.as_ref(), p, i);
                legs.push((|| {
                    Some(Leg {
                        carrier: carrier?,
                        flight_number: flight?,
                        from: from?,
                        to: to?,
                        departs_at: departs?,
                        arrives_at: arrives?,
                        transit_permit_required: f.checked(&k("permit")),
                    })
                })());
            }
            Some(Command::SetItinerary(Itinerary {
                legs: legs.into_iter().collect::<Option<Vec<_>>>()?,
                transit_assistance: f.checked("transit_assistance"),
            }))
        }
        CommandKind::PayAllowance => {
            let who = match f.opt("person_id") {
                None => Some(None),
                Some(_) => person(p).map(Some),
            };
            let kind = choice(f, "kind", p, i);
            let money = amount(f, "amount", p, ctx);
            let note = p.opt_text("note", &f.opt("note"));
            Some(Command::PayAllowance(Allowance {
                person_id: who?,
                kind: kind?,
                amount: money?,
                note: note?,
            }))
        }
        CommandKind::RecordNoShow => p
            .opt_text("reason", &f.opt("reason"))
            .map(|reason| Command::RecordNoShow { reason }),
        CommandKind::RecordArrival => {
            let reception = match required(f, "reception", p, i).as_deref() {
                Some("partner") => p.text("partner", f.get("partner")).map(Reception::Partner),
                Some(_) => Some(Reception::Office),
                None => None,
            };
            let onward = p.opt_text("onward_transport", &f.opt("onward_transport"));
            let accommodation =
                p.opt_text("temporary_accommodation", &f.opt("temporary_accommodation"));
            Some(Command::RecordArrival(Arrival {
                reception: reception?,
                onward_transport: onward?,
                temporary_accommodation: accommodation?,
            }))
        }
        CommandKind::Close => {
            let outcome = choice(f, "outcome", p, i);
            let note = p.opt_text("note", &f.opt("note"));
            Some(Command::Close {
                outcome: outcome?,
                note: note?,
            })
        }
        _ => None,
    }
}

/// Options for a select, the first meaning "any".
pub fn options(all: Vec<(String, String)>, selected: &str, any: String) -> Vec<Opt> {
    std::iter::once((String::new(), any))
        .chain(all)
        .map(|(value, label)| Opt {
            selected: value == selected,
            value,
            label,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_typed_in_major_units() {
        let eur = CurrencyCode::parse("EUR").unwrap_or_else(|_| unreachable!());
        assert_eq!(
            parse_amount("250", &eur).map(|m| m.amount_minor),
            Some(25000)
        );
        assert_eq!(
            parse_amount("250,5", &eur).map(|m| m.amount_minor),
            Some(25050)
        );
        assert_eq!(
            parse_amount("1 250.05", &eur).map(|m| m.amount_minor),
            Some(125005)
        );
        assert!(parse_amount("-3", &eur).is_none());
        assert!(parse_amount("2.555", &eur).is_none());
        assert!(parse_amount("abc", &eur).is_none());
        let xof = CurrencyCode::parse("XOF").unwrap_or_else(|_| unreachable!());
        assert_eq!(
            parse_amount("5000", &xof).map(|m| m.amount_minor),
            Some(5000)
        );
        assert!(parse_amount("50.5", &xof).is_none());
    }

    #[test]
    fn every_offered_step_has_a_slug_that_leads_back_to_it() {
        for k in OFFERED {
            assert_eq!(from_slug(&slug(k)), Some(k));
        }
        assert_eq!(from_slug("correct"), None);
    }
}
