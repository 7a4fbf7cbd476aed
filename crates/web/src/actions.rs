//! One form per lifecycle step. Each step lists its inputs and builds its domain command
//! from what was submitted; one template renders every step. Input names are the paths
//! the domain uses for its reasons, so each reason appears beside its field.

use chrono::{NaiveDate, Utc};
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

mod build;
mod inputs;
mod monitoring;
mod person;
mod plan;
mod referrals;

pub use build::*;
pub use inputs::*;
pub use monitoring::*;
pub use person::*;
pub use plan::*;
pub use referrals::*;

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
    /// A value sent back as it was given (what the form was opened with).
    Hidden(&'static str),
    /// A file to upload, of the types listed (`accept`); its form is sent as multipart.
    File(
        &'static str,
        &'static str,
        Option<&'static str>,
        &'static str,
    ),
    /// A question whose name and words are data (a survey's), its label and hint as
    /// given, shown as `kind`: "radios", "checkboxes", "text" or "date".
    Question {
        name: String,
        label: String,
        hint: Option<String>,
        kind: &'static str,
        options: Vec<(String, String)>,
    },
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
    /// The label of the box that filters a long picker ("Filter countries").
    pub filter_label: String,
}

impl Field {
    /// A date asked as day, month and year (`parts`), with its error if it is not one.
    pub fn date(
        name: &str,
        label: String,
        hint: Option<String>,
        parts: [String; 3],
        error: Option<String>,
    ) -> Field {
        let [day, month, year] = parts;
        Field {
            kind: "date",
            name: name.to_string(),
            label,
            hint,
            options: vec![],
            value: String::new(),
            checked: false,
            error,
            day,
            month,
            year,
            searchable: false,
            filter_label: String::new(),
        }
    }
}

/// The form's errors with every empty answer named after its field, as GOV.UK writes
/// them ("Enter the reason", "Choose the office"): the field's own message where the
/// catalogue has one (`<label>-missing`), else "Enter …" for what is typed and "Choose …"
/// for what is picked. Other errors are kept as they are.
pub fn named(inputs: &[In], errors: &FormErrors, i: &I18n) -> FormErrors {
    let generic = i.t("err-required");
    let mut out = errors.clone();
    for e in &mut out.items {
        let empty =
            e.code == Some("text.empty") || (e.code == Some("required") && e.message == generic);
        if !empty {
            continue;
        }
        let found = inputs.iter().find_map(|input| {
            let (name, label, choose) = match input {
                In::Text(n, l, _)
                | In::Area(n, l, _)
                | In::Date(n, l, _)
                | In::File(n, l, _, _) => (*n, *l, false),
                In::Time(n, l) => (*n, *l, false),
                In::Radios(n, l, _) | In::Select(n, l, _, _, _) | In::Checks(n, l, _, _) => {
                    (*n, *l, true)
                }
                In::Check(n, l, _) => (*n, *l, true),
                In::Heading(_) | In::Hidden(_) | In::Question { .. } => return None,
            };
            let matches =
                e.field == name || e.field.strip_suffix("-day").is_some_and(|f| f == name);
            matches.then_some((label, choose))
        });
        if let Some((label, choose)) = found {
            let own = format!("{label}-missing");
            e.message = if i.has(&own) {
                i.t(&own)
            } else {
                let field = i.t(label);
                let field = field.trim_end_matches(['?', ':', '؟']).trim().to_string();
                i.t1(
                    if choose { "err-choose" } else { "err-enter" },
                    "field",
                    field,
                )
            };
        }
    }
    out
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
                filter_label: String::new(),
            };
            if let In::Question {
                name,
                label,
                hint,
                kind,
                options,
            } = input
            {
                let error = errors
                    .of(&name)
                    .or_else(|| errors.of(&format!("{name}-day")))
                    .map(str::to_string);
                if kind == "date" {
                    let part = |p: &str| f.get(&format!("{name}-{p}")).to_string();
                    return Field::date(
                        &name,
                        label,
                        hint,
                        [part("day"), part("month"), part("year")],
                        error,
                    );
                }
                field.kind = kind;
                field.value = f.get(&name).to_string();
                field.options = options
                    .into_iter()
                    .map(|(value, label)| Opt {
                        selected: if kind == "checkboxes" {
                            f.has(&name, &value)
                        } else {
                            f.get(&name) == value
                        },
                        value,
                        label,
                    })
                    .collect();
                field.name = name;
                field.label = label;
                field.hint = hint;
                field.error = error;
                return field;
            }
            let (name, label, hint) = match &input {
                In::Text(n, l, h)
                | In::Area(n, l, h)
                | In::Check(n, l, h)
                | In::Date(n, l, h)
                | In::File(n, l, h, _) => (*n, *l, *h),
                In::Radios(n, l, _) => (*n, *l, None),
                In::Select(n, l, h, _, _) | In::Checks(n, l, h, _) => (*n, *l, *h),
                In::Time(n, l) => (*n, *l, None),
                In::Question { .. } => return field,
                In::Heading(text) => {
                    field.kind = "heading";
                    field.label = text.clone();
                    return field;
                }
                In::Hidden(n) => {
                    field.kind = "hidden";
                    field.name = n.to_string();
                    field.value = f.get(n).to_string();
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
                    field.filter_label = i.t1("picker-filter", "field", field.label.clone());
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
                In::File(_, _, _, accept) => {
                    field.kind = "file";
                    field.value = accept.to_string();
                }
                In::Heading(_) | In::Hidden(_) | In::Question { .. } => {}
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
    /// Who may own the case (for assigning its caseworker).
    pub caseworkers: &'a [(UserId, String)],
    /// Organisations a referral may go to (for making one).
    pub organisations: &'a [homeward_domain::organisation::Organisation],
    /// The survey the programme asks at follow-ups, in its latest version (for recording
    /// one).
    pub survey: Option<&'a homeward_app::surveys::SurveyVersion>,
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

pub fn with_empty(mut v: Vec<(String, String)>, label: String) -> Vec<(String, String)> {
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

/// Where a domain reason belongs in a form.
pub fn field_of(path: &str) -> String {
    if let Some(field) = plan_field(path) {
        return field;
    }
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
        // A survey's answers are asked as `survey-<question>`; the rest is the survey's.
        p if p.starts_with("survey/answers/") => {
            format!("survey-{}", p.trim_start_matches("survey/answers/"))
        }
        p if p == "survey" || p.starts_with("survey/") => "survey".into(),
        // A follow-up's services are asked in the first of its groups.
        p if p == "services" || p.starts_with("services/") => "services_received".into(),
        other => other.replace('/', "_"),
    }
}

/// The steps the web offers, in the order a case usually meets them (the catalogue's):
/// every command but a correction, which has a page of its own.
pub fn offered() -> impl Iterator<Item = CommandKind> {
    CommandKind::ALL
        .into_iter()
        .filter(|k| *k != CommandKind::Correct)
}

pub fn slug(kind: CommandKind) -> String {
    kind.name().replace('_', "-")
}

pub fn from_slug(slug: &str) -> Option<CommandKind> {
    CommandKind::from_name(&slug.replace('-', "_")).filter(|k| offered().any(|o| o == *k))
}

/// A number as a person types it, its digits ASCII (Arabic-Indic and Eastern
/// Arabic-Indic digits read as theirs, the Arabic decimal separator as a point, its
/// thousands separator dropped), with no spaces (of any width), apostrophes or direction
/// marks (which only group digits, or come with text copied from Arabic).
pub fn plain_number(text: &str) -> String {
    forms::ascii_digits(text.trim())
        .chars()
        .filter(|c| {
            !matches!(
                c,
                ' ' | '\u{a0}'
                    | '\u{2007}'
                    | '\u{2009}'
                    | '\u{202f}'
                    | '\''
                    | '\u{2019}'
                    | '\u{66c}'
                    | '\u{200e}'
                    | '\u{200f}'
                    | '\u{61c}'
            )
        })
        .map(|c| if c == '\u{66b}' { '.' } else { c })
        .collect()
}

/// How one point or comma before exactly three digits, and no other, is read ("1.500",
/// "1,500"): as grouping thousands, as the decimal separator, or refused as either.
#[derive(Clone, Copy, PartialEq, Eq)]
enum LoneThree {
    Groups,
    Decimal,
    Refused,
}

/// A decimal number as people write it (`plain_number`), as its whole and fraction
/// digits: a point or a comma is the decimal separator, and the other (or either,
/// repeated) groups thousands, in groups of three; one separator before exactly three
/// digits is read as `point` or `comma` say.
fn decimal_parts(text: &str, point: LoneThree, comma: LoneThree) -> Option<(String, String)> {
    let t = plain_number(text);
    let marks: Vec<(usize, char)> = t
        .char_indices()
        .filter(|(_, c)| *c == '.' || *c == ',')
        .collect();
    let (decimal, grouping) = match marks.as_slice() {
        [] => (None, None),
        [(at, c)] => match (t.len() - at - 1, if *c == '.' { point } else { comma }) {
            (3, LoneThree::Groups) => (None, Some(*c)),
            (3, LoneThree::Refused) => return None,
            _ => (Some(*at), None),
        },
        [.., (last, c)] => {
            let other = if *c == '.' { ',' } else { '.' };
            let same = marks.iter().filter(|(_, m)| m == c).count();
            match (marks.iter().any(|(_, m)| *m == other), same) {
                // "1,250.05": the last kind is the decimal one, once; the other groups.
                (true, 1) => (Some(*last), Some(other)),
                // "1,250,000": one kind, repeated, groups.
                (false, _) => (None, Some(*c)),
                _ => return None,
            }
        }
    };
    let (whole, frac) = match decimal {
        Some(at) => (&t[..at], &t[at + 1..]),
        None => (t.as_str(), ""),
    };
    if let Some(g) = grouping {
        // Groups of three after the first (of one to three).
        let groups: Vec<&str> = whole.split(g).collect();
        let first = groups.first().map_or(0, |f| f.len());
        if !(1..=3).contains(&first) || groups.iter().skip(1).any(|g| g.len() != 3) {
            return None;
        }
    }
    let whole: String = whole.chars().filter(|c| Some(*c) != grouping).collect();
    let digits = |d: &str| d.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty()
        || !digits(&whole)
        || !digits(frac)
        || (decimal.is_some() && frac.is_empty())
    {
        return None;
    }
    Some((whole, frac.to_string()))
}

/// Money typed in major units in `currency`: "250", "250.00", "250,5", "1 250.05",
/// "1,250.05", "1.250,05", "١٢٥٠٫٥" (`decimal_parts`). One separator before exactly three
/// digits could be either ("1,500": 1500 or 1.5): it groups in a currency with no minor
/// unit; in one with three decimals a point is their separator (as amounts are shown,
/// "615.000") and a comma is refused; in the others both are refused, never read a
/// thousand times too big or too small.
pub fn parse_amount(text: &str, currency: &CurrencyCode) -> Option<Money> {
    let exp = currency.minor_unit_exponent();
    let (point, comma) = match exp {
        0 => (LoneThree::Groups, LoneThree::Groups),
        1 | 2 => (LoneThree::Refused, LoneThree::Refused),
        _ => (LoneThree::Decimal, LoneThree::Refused),
    };
    let (whole, frac) = decimal_parts(text, point, comma)?;
    if frac.len() > exp as usize {
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

/// An exchange rate as people write it (`decimal_parts`: "655.957", "655,957",
/// "١١٫٧٥", "1,310.50"): one point before three digits is the decimal separator (as rates
/// are shown), one comma before three digits ("1,310": 1310 or 1.31?) is refused.
pub fn parse_rate(text: &str) -> Result<ExchangeRate, homeward_domain::values::ValueError> {
    match decimal_parts(text, LoneThree::Decimal, LoneThree::Refused) {
        Some((whole, frac)) if frac.is_empty() => ExchangeRate::parse(&whole),
        Some((whole, frac)) => ExchangeRate::parse(&format!("{whole}.{frac}")),
        None => ExchangeRate::parse(text),
    }
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
    // In the airport's zone, as every typed time is read in its zone (`forms::in_zone`).
    let zone = airport
        .and_then(homeward_domain::airports::lookup)
        .map_or(homeward_domain::values::TimeZone::UTC, |a| {
            homeward_domain::values::TimeZone(a.time_zone)
        });
    Some(forms::in_zone(zone, day.and_time(time)))
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
        // As people write them: grouped, in Arabic-Indic digits.
        let minor = |t: &str, c: &CurrencyCode| parse_amount(t, c).map(|m| m.amount_minor);
        assert_eq!(minor("1,250.05", &eur), Some(125005));
        assert_eq!(minor("1.250,05", &eur), Some(125005));
        assert_eq!(minor("1,250,000", &eur), Some(125_000_000));
        assert_eq!(minor("1\u{a0}250,5", &eur), Some(125050));
        assert_eq!(minor("1'250", &eur), Some(125000));
        assert_eq!(minor("١٢٥٠٫٥", &eur), Some(125050));
        assert_eq!(minor("۱۲۵۰", &eur), Some(125000));
        assert_eq!(minor("1.500", &xof), Some(1500), "no minor unit: it groups");
        // Could be either: refused, never read a thousand times too big or too small.
        assert_eq!(minor("1,500", &eur), None);
        assert_eq!(minor("1.500", &eur), None);
        let kwd = CurrencyCode::parse("KWD").unwrap_or_else(|_| unreachable!());
        assert_eq!(minor("1,500", &kwd), None);
        assert_eq!(minor("1,5", &kwd), Some(1500));
        // Three decimals with a point: how such amounts are shown, so a form saved
        // unchanged reads back what it showed.
        for (c, stored) in [(&kwd, 615_000), (&eur, 61_500), (&xof, 615_000)] {
            let shown = Money::new(stored, c.clone()).unwrap().to_string();
            let typed = shown.split(' ').next().unwrap_or_default().to_string();
            assert_eq!(minor(&typed, c), Some(stored), "{shown}");
        }
        assert_eq!(minor("0.250", &kwd), Some(250));
        assert_eq!(minor("1,50,000", &eur), None, "groups of three");
        assert_eq!(minor("1.2.3", &eur), None);
        assert_eq!(minor("1,2.3,4", &eur), None);
        assert_eq!(minor("12.", &eur), None);
        assert_eq!(minor(",5", &eur), None);
        // Rates: a point before three digits is the decimal one, a comma is refused.
        let rate = |t: &str| parse_rate(t).map(|r| r.to_string()).ok();
        assert_eq!(rate("655.957").as_deref(), Some("655.957"));
        assert_eq!(rate("655,95").as_deref(), Some("655.95"));
        assert_eq!(rate("١١٫٧٥").as_deref(), Some("11.75"));
        assert_eq!(rate("1,310.50").as_deref(), Some("1310.50"));
        assert_eq!(rate("1,310"), None, "1310 or 1.31?");
        assert_eq!(rate("0"), None);
    }

    #[test]
    fn every_offered_step_has_a_slug_that_leads_back_to_it() {
        for k in offered() {
            assert_eq!(from_slug(&slug(k)), Some(k));
        }
        assert_eq!(from_slug("correct"), None);
    }
}
