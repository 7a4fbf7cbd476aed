//! Value types that cannot hold an invalid value: each is parsed once, at the edge,
//! and is valid for the rest of its life ("parse, don't validate").

use std::fmt;

use serde::{Deserialize, Serialize};

/// Why a value could not be parsed. The message is complete English prose naming the
/// offending input; the caller adds the field path.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ValueError {
    pub code: &'static str,
    pub message: String,
}

impl ValueError {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

macro_rules! string_value {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.0
            }
        }

        impl $name {
            /// As a machine must send it (the JSON API, stored events): what `parse`
            /// accepts, spelled exactly as it is kept, with nothing around it. `parse`
            /// also forgives what a person types (spaces, case).
            pub fn parse_exact(input: &str) -> Result<Self, ValueError> {
                let value = Self::parse(input)?;
                let spelled = Self::fold(input);
                if spelled != input {
                    return Err(ValueError::new(
                        "value.not_exact",
                        format!("'{input}' is to be written exactly '{spelled}'"),
                    ));
                }
                Ok(value)
            }
        }

        /// Deserialised exactly: what reaches serde comes from a machine.
        impl TryFrom<String> for $name {
            type Error = ValueError;
            fn try_from(s: String) -> Result<Self, ValueError> {
                Self::parse_exact(&s)
            }
        }

        impl std::str::FromStr for $name {
            type Err = ValueError;
            fn from_str(s: &str) -> Result<Self, ValueError> {
                Self::parse(s)
            }
        }
    };
}

string_value!(
    /// An ISO 3166-1 alpha-2 country code, upper case (`SN`, `BE`), or `XK`: Kosovo, the
    /// user-assigned code the European Union and IOM use (IOM's reports list Kosovo among
    /// the main countries of return). The list is `data/countries.csv` (`countries`).
    CountryCode
);

impl CountryCode {
    fn fold(input: &str) -> String {
        input.trim().to_ascii_uppercase()
    }

    pub fn parse(input: &str) -> Result<Self, ValueError> {
        let code = Self::fold(input);
        match crate::countries::info(&code) {
            Some(_) => Ok(Self(code)),
            None => Err(ValueError::new(
                "country.unknown",
                format!("'{input}' is not an ISO 3166-1 alpha-2 country code (nor XK, Kosovo)"),
            )),
        }
    }

    /// The country's English short name.
    pub fn name(&self) -> &'static str {
        crate::countries::name(&self.0, "en").unwrap_or("")
    }
}

string_value!(
    /// An ISO 639 language code. Accepts ISO 639-1 (`fr`) or ISO 639-3 (`prs`) and keeps
    /// the shortest form, as BCP 47 does: `fra` becomes `fr`; `prs` (Dari) stays.
    LanguageCode
);

impl LanguageCode {
    /// As written; `fra` is still kept as `fr`.
    fn fold(input: &str) -> String {
        input.trim().to_ascii_lowercase()
    }

    pub fn parse(input: &str) -> Result<Self, ValueError> {
        let code = Self::fold(input);
        let lang = match code.len() {
            2 => isolang::Language::from_639_1(&code),
            3 => isolang::Language::from_639_3(&code),
            _ => None,
        };
        match lang {
            Some(l) => Ok(Self(l.to_639_1().unwrap_or(l.to_639_3()).to_string())),
            None => Err(ValueError::new(
                "language.unknown",
                format!("'{input}' is not an ISO 639-1 or ISO 639-3 language code"),
            )),
        }
    }

    pub fn name(&self) -> &'static str {
        let lang = match self.0.len() {
            2 => isolang::Language::from_639_1(&self.0),
            _ => isolang::Language::from_639_3(&self.0),
        };
        lang.map(|l| l.to_name()).unwrap_or("")
    }
}

string_value!(
    /// An ISO 4217 currency code (`EUR`, `XOF`).
    CurrencyCode
);

impl CurrencyCode {
    fn fold(input: &str) -> String {
        input.trim().to_ascii_uppercase()
    }

    pub fn parse(input: &str) -> Result<Self, ValueError> {
        let code = Self::fold(input);
        match iso_currency::Currency::from_code(&code) {
            Some(_) => Ok(Self(code)),
            None => Err(ValueError::new(
                "currency.unknown",
                format!("'{input}' is not an ISO 4217 currency code"),
            )),
        }
    }

    /// Number of decimal places of the minor unit (2 for EUR, 0 for XOF).
    pub fn minor_unit_exponent(&self) -> u32 {
        iso_currency::Currency::from_code(&self.0)
            .and_then(|c| c.exponent())
            .map(u32::from)
            .unwrap_or(0)
    }
}

/// The time zone an office works in: an IANA name (`Africa/Dakar`, `UTC`), as the tz
/// database spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TimeZone(pub chrono_tz::Tz);

impl TimeZone {
    pub const UTC: TimeZone = TimeZone(chrono_tz::Tz::UTC);

    /// As a machine must send it: a name of the tz database with nothing around it.
    pub fn parse_exact(input: &str) -> Result<Self, ValueError> {
        let zone = Self::parse(input)?;
        if input.trim() != input {
            return Err(ValueError::new(
                "value.not_exact",
                format!("'{input}' is to be written exactly '{}'", input.trim()),
            ));
        }
        Ok(zone)
    }

    pub fn parse(input: &str) -> Result<Self, ValueError> {
        input
            .trim()
            .parse::<chrono_tz::Tz>()
            .map(TimeZone)
            .map_err(|_| {
                ValueError::new(
                    "time_zone.unknown",
                    format!(
                        "'{input}' is not a time zone of the tz database, such as Africa/Dakar"
                    ),
                )
            })
    }

    pub fn name(self) -> &'static str {
        self.0.name()
    }

    /// The day it is at `at` in this zone.
    pub fn day_of(self, at: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDate {
        at.with_timezone(&self.0).date_naive()
    }
}

/// An amount of money: a non-negative integer number of minor units (cents) of a
/// currency. Never a float.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "MoneyFields")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Money {
    /// Integer amount in the currency's minor unit (for EUR, cents).
    #[cfg_attr(feature = "openapi", schema(minimum = 0))]
    pub amount_minor: i64,
    pub currency: CurrencyCode,
}

/// Money as it is written, checked by [`Money::new`] when read.
#[derive(Deserialize)]
struct MoneyFields {
    amount_minor: i64,
    currency: CurrencyCode,
}

impl TryFrom<MoneyFields> for Money {
    type Error = ValueError;
    fn try_from(m: MoneyFields) -> Result<Self, ValueError> {
        Money::new(m.amount_minor, m.currency)
    }
}

impl Money {
    pub fn new(amount_minor: i64, currency: CurrencyCode) -> Result<Self, ValueError> {
        if amount_minor < 0 {
            return Err(ValueError::new(
                "money.negative",
                format!("amount {amount_minor} is negative; amounts are zero or more"),
            ));
        }
        Ok(Self {
            amount_minor,
            currency,
        })
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let exp = self.currency.minor_unit_exponent();
        if exp == 0 {
            return write!(f, "{} {}", self.amount_minor, self.currency);
        }
        let div = 10i64.pow(exp);
        write!(
            f,
            "{}.{:0width$} {}",
            self.amount_minor / div,
            self.amount_minor % div,
            self.currency,
            width = exp as usize
        )
    }
}

string_value!(
    /// How many units of one currency a unit of another is worth, as a decimal written
    /// with a point (`655.957`, `0.00152449`): positive, at most 12 digits after the point
    /// and 18 in all. Kept as written; [`ExchangeRate::convert`] uses integers only.
    ExchangeRate
);

impl ExchangeRate {
    /// The most digits after the point.
    pub const MAX_SCALE: usize = 12;
    /// The most digits in all.
    pub const MAX_DIGITS: usize = 18;

    /// What [`ExchangeRate::parse_exact`] takes, as a regular expression (the API's
    /// schema): digits, at most [`Self::MAX_DIGITS`] in all, at most
    /// [`Self::MAX_SCALE`] of them after a point (one alternative per number of digits
    /// after it). All zeros is refused too: the schema says so with a `not`
    /// ([`Self::ZERO_PATTERN`]).
    pub fn pattern() -> String {
        let mut forms = vec![format!("[0-9]{{1,{}}}", Self::MAX_DIGITS)];
        forms
            .extend((1..=Self::MAX_SCALE).map(|scale| {
                format!("[0-9]{{1,{}}}\\.[0-9]{{{scale}}}", Self::MAX_DIGITS - scale)
            }));
        format!("^({})$", forms.join("|"))
    }

    /// A rate of zero, which no payment is converted at.
    pub const ZERO_PATTERN: &str = "^[0.]*$";

    fn fold(input: &str) -> String {
        input.trim().to_string()
    }

    pub fn parse(input: &str) -> Result<Self, ValueError> {
        let s = input.trim();
        let bad = || {
            ValueError::new(
                "rate.invalid",
                format!(
                    "'{input}' is not an exchange rate: write a positive decimal number with a point, at most {} digits after it (for example 655.957)",
                    Self::MAX_SCALE
                ),
            )
        };
        let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
        let digits_ok = |d: &str| d.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty()
            || !digits_ok(whole)
            || !digits_ok(frac)
            || (s.contains('.') && frac.is_empty())
            || frac.len() > Self::MAX_SCALE
            || whole.len() + frac.len() > Self::MAX_DIGITS
        {
            return Err(bad());
        }
        let rate = Self(s.to_string());
        if rate.parts().0 == 0 {
            return Err(bad());
        }
        Ok(rate)
    }

    /// Whether two rates are the same number, however written ("655.9570", "655.957").
    pub fn same_as(&self, other: &ExchangeRate) -> bool {
        let normal = |r: &ExchangeRate| {
            let (whole, frac) = r.0.split_once('.').unwrap_or((&r.0, ""));
            let whole = whole.trim_start_matches('0').to_string();
            (whole, frac.trim_end_matches('0').to_string())
        };
        normal(self) == normal(other)
    }

    /// The rate as an integer and the power of ten it is divided by.
    fn parts(&self) -> (u128, u32) {
        let (whole, frac) = self.0.split_once('.').unwrap_or((&self.0, ""));
        let digits: String = [whole, frac].concat();
        // Checked by `parse`: at most 18 digits.
        (digits.parse().unwrap_or(0), frac.len() as u32)
    }

    /// `amount` converted at this rate into `to`, rounded half up to `to`'s minor unit:
    /// minor units of `amount` × rate × 10^(exponent of `to` − exponent of `amount`).
    /// `None` when the result does not fit.
    pub fn convert(&self, amount: &Money, to: &CurrencyCode) -> Option<Money> {
        let (rate, scale) = self.parts();
        let from_exp = amount.currency.minor_unit_exponent();
        let to_exp = to.minor_unit_exponent();
        let mut num = u128::try_from(amount.amount_minor)
            .ok()?
            .checked_mul(rate)?;
        let mut den = 10u128.checked_pow(scale)?;
        if to_exp >= from_exp {
            num = num.checked_mul(10u128.checked_pow(to_exp - from_exp)?)?;
        } else {
            den = den.checked_mul(10u128.checked_pow(from_exp - to_exp)?)?;
        }
        let rounded = (num.checked_add(den / 2)?) / den;
        Money::new(i64::try_from(rounded).ok()?, to.clone()).ok()
    }

    /// The most of `to` that, at this rate (units of `amount`'s currency per unit of
    /// `to`), is worth no more than `amount`: minor units of `amount` ÷ rate ×
    /// 10^(exponent of `to` − exponent of `amount`), rounded down. Converted back with
    /// [`ExchangeRate::convert`], it stays within `amount`. `None` when it does not fit.
    pub fn within(&self, amount: &Money, to: &CurrencyCode) -> Option<Money> {
        let (rate, scale) = self.parts();
        let from_exp = amount.currency.minor_unit_exponent();
        let to_exp = to.minor_unit_exponent();
        let mut num = u128::try_from(amount.amount_minor)
            .ok()?
            .checked_mul(10u128.checked_pow(scale)?)?;
        let mut den = rate;
        if to_exp >= from_exp {
            num = num.checked_mul(10u128.checked_pow(to_exp - from_exp)?)?;
        } else {
            den = den.checked_mul(10u128.checked_pow(from_exp - to_exp)?)?;
        }
        Money::new(i64::try_from(num.checked_div(den)?).ok()?, to.clone()).ok()
    }
}

string_value!(
    /// A three-letter IATA airport code (`BRU`, `DSS`). Any well-formed code is accepted;
    /// [`crate::airports`] knows the country and time zone of those with scheduled service.
    IataCode
);

impl IataCode {
    fn fold(input: &str) -> String {
        input.trim().to_ascii_uppercase()
    }

    pub fn parse(input: &str) -> Result<Self, ValueError> {
        let code = Self::fold(input);
        if code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase()) {
            Ok(Self(code))
        } else {
            Err(ValueError::new(
                "airport.invalid",
                format!("'{input}' is not a three-letter IATA airport code"),
            ))
        }
    }
}

/// Text of bounded length, trimmed, never empty. `MAX` counts characters as given,
/// before trimming, and no control character is allowed anywhere but tab, line feed and
/// carriage return: what is refused does not depend on where it stands, so the API's
/// schema (`maxLength`, [`TEXT_PATTERN`]) says exactly what is accepted.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Text<const MAX: usize>(String);

/// A name, a place, a short label: up to 200 characters.
pub type ShortText = Text<200>;
/// Notes, a person's own words, a reason: up to 10 000 characters.
pub type LongText = Text<10_000>;

impl<const MAX: usize> Text<MAX> {
    pub fn parse(input: &str) -> Result<Self, ValueError> {
        let n = input.chars().count();
        if n > MAX {
            return Err(ValueError::new(
                "text.too_long",
                format!("is {n} characters long; the limit is {MAX}"),
            ));
        }
        if input
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
        {
            return Err(ValueError::new(
                "text.control_characters",
                "contains control characters",
            ));
        }
        // Last, so that a caller may read "empty" as "none given" (`Parse::opt_text`).
        let t = input.trim();
        if t.is_empty() {
            return Err(ValueError::new("text.empty", "must not be empty"));
        }
        Ok(Self(t.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<const MAX: usize> fmt::Display for Text<MAX> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<const MAX: usize> From<Text<MAX>> for String {
    fn from(v: Text<MAX>) -> String {
        v.0
    }
}

impl<const MAX: usize> TryFrom<String> for Text<MAX> {
    type Error = ValueError;
    fn try_from(s: String) -> Result<Self, ValueError> {
        Self::parse(&s)
    }
}

/// What [`Text::parse`] accepts, as an ECMA-262 pattern for JSON Schema: no control
/// character but tab, line feed and carriage return, and at least one character that
/// is neither such a control nor white space (as Rust's `trim` reads it).
/// The characters before the first that counts are white space (tab, line feed and
/// carriage return included), so that a backtracking engine matches it in linear time.
pub const TEXT_PATTERN: &str = concat!(
    "^[\\t\\n\\r \\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]*",
    "[^\\u0000-\\u0020\\u007F-\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]",
    "[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
);

#[cfg(feature = "openapi")]
impl<const MAX: usize> utoipa::PartialSchema for Text<MAX> {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .min_length(Some(1))
            .max_length(Some(MAX))
            .pattern(Some(TEXT_PATTERN))
            .into()
    }
}

// One component per length limit (`Text200`, `Text10000`): under one name, every text
// field would carry the limit of whichever registered first.
#[cfg(feature = "openapi")]
impl<const MAX: usize> utoipa::ToSchema for Text<MAX> {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Owned(format!("Text{MAX}"))
    }
}

/// What a blank-or-valid optional text accepts ([`TEXT_PATTERN`] without the one
/// character that is not white space): blank means none given.
pub const OPTIONAL_TEXT_PATTERN: &str =
    "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$";

/// Only a schema, for the API's document: an optional text of up to `MAX` characters,
/// where a blank one means none given (as `null` or its absence does).
#[cfg(feature = "openapi")]
pub struct OptionalText<const MAX: usize>;
#[cfg(feature = "openapi")]
pub type OptionalShortText = OptionalText<200>;
#[cfg(feature = "openapi")]
pub type OptionalLongText = OptionalText<10_000>;

#[cfg(feature = "openapi")]
impl<const MAX: usize> utoipa::PartialSchema for OptionalText<MAX> {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .max_length(Some(MAX))
            .pattern(Some(OPTIONAL_TEXT_PATTERN))
            .description(Some("Blank means none given."))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl<const MAX: usize> utoipa::ToSchema for OptionalText<MAX> {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Owned(format!("OptionalText{MAX}"))
    }
}

/// The schema of a code: exactly the values its `parse` accepts as written (each in its
/// canonical case; `parse` also forgives case and surrounding spaces).
#[cfg(feature = "openapi")]
fn code_schema(
    values: impl IntoIterator<Item = String>,
    description: &str,
) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    let mut values: Vec<String> = values.into_iter().collect();
    values.sort();
    values.dedup();
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(values))
        .description(Some(description))
        .into()
}

#[cfg(feature = "openapi")]
macro_rules! schema_named {
    ($name:ident, $schema:expr) => {
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                $schema
            }
        }
        impl utoipa::ToSchema for $name {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(stringify!($name))
            }
        }
    };
}

#[cfg(feature = "openapi")]
schema_named!(
    CountryCode,
    code_schema(
        crate::countries::all().iter().map(|c| c.code.to_string()),
        "ISO 3166-1 alpha-2, or XK (Kosovo)",
    )
);
// Every code `parse` accepts: ISO 639-1 and ISO 639-3 (about 8,000 in all).
#[cfg(feature = "openapi")]
schema_named!(
    LanguageCode,
    code_schema(
        isolang::languages().flat_map(|l| {
            [
                l.to_639_1().map(str::to_string),
                Some(l.to_639_3().to_string()),
            ]
            .into_iter()
            .flatten()
        }),
        "ISO 639-1, or ISO 639-3 (kept in its shortest form)",
    )
);
#[cfg(feature = "openapi")]
schema_named!(
    CurrencyCode,
    code_schema(
        (b'A'..=b'Z')
            .flat_map(|a| (b'A'..=b'Z').flat_map(move |b| (b'A'..=b'Z').map(move |c| [a, b, c])))
            .filter_map(|code| {
                let code = String::from_utf8_lossy(&code).into_owned();
                iso_currency::Currency::from_code(&code).map(|_| code)
            }),
        "ISO 4217",
    )
);
#[cfg(feature = "openapi")]
schema_named!(
    TimeZone,
    code_schema(
        chrono_tz::TZ_VARIANTS.iter().map(|z| z.name().to_string()),
        "An IANA time zone, as the tz database spells it",
    )
);
#[cfg(feature = "openapi")]
schema_named!(
    IataCode,
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .pattern(Some("^[A-Z]{3}$"))
        .into()
);
#[cfg(feature = "openapi")]
schema_named!(ExchangeRate, {
    let mut schema = utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some(ExchangeRate::pattern()))
            .description(Some(
                "A positive decimal number written with a point: at most 18 digits, 12 of them after the point",
            ))
            .build();
    // utoipa has no `not`; an extension is written into the schema as given.
    schema
        .extensions
        .get_or_insert_with(Default::default)
        .insert(
            "not".into(),
            serde_json::json!({"pattern": ExchangeRate::ZERO_PATTERN}),
        );
    schema.into()
});

/// A day as a machine writes it, and the API's document says (`format: date`):
/// `YYYY-MM-DD` with its leading zeros, from year 1. chrono also reads `2026-3-1`.
pub fn parse_day_exact(s: &str) -> Result<chrono::NaiveDate, ValueError> {
    use chrono::Datelike;
    let b = s.as_bytes();
    let shaped = b.len() == 10
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        });
    match chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        Ok(d) if shaped && d.year() >= 1 => Ok(d),
        _ => Err(ValueError::new(
            "date.invalid",
            format!("'{s}' is not a day written YYYY-MM-DD (such as 2026-03-01)"),
        )),
    }
}

/// serde's reading of a day that a request or an event holds: [`parse_day_exact`].
pub(crate) fn exact_day<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<chrono::NaiveDate, D::Error> {
    let s = String::deserialize(d)?;
    parse_day_exact(&s).map_err(serde::de::Error::custom)
}

/// Every ISO 3166-1 country: (alpha-2 code, English short name), by name.
pub fn countries() -> Vec<(&'static str, &'static str)> {
    let mut v: Vec<(&'static str, &'static str)> = crate::countries::all()
        .iter()
        .map(|c| (c.code.as_str(), c.name_en.as_str()))
        .collect();
    v.sort_by_key(|(_, n)| *n);
    v
}

/// Languages offered in pickers: every ISO 639-1 language, and ISO 639-3 languages
/// common in migration without a 639-1 code (Dari, the Kurdish languages...): (code,
/// English name, the language's own name).
pub fn languages() -> Vec<(String, &'static str, Option<&'static str>)> {
    const EXTRA: [&str; 6] = ["prs", "ckb", "kmr", "sdh", "haz", "fuv"];
    let mut v: Vec<(String, &'static str, Option<&'static str>)> = isolang::languages()
        .filter_map(|l| match l.to_639_1() {
            Some(code) => Some((code.to_string(), l.to_name(), l.to_autonym())),
            None if EXTRA.contains(&l.to_639_3()) => {
                Some((l.to_639_3().to_string(), l.to_name(), l.to_autonym()))
            }
            None => None,
        })
        .collect();
    v.sort_by_key(|(_, n, _)| *n);
    v
}

/// Normalises a name for search: Latin transliteration of any script, lower case,
/// single spaces. "Aïcha  N'DIAYE" and "aicha n diaye" match: the words of
/// [`search_words`].
pub fn search_key(s: &str) -> String {
    search_words(s).join(" ")
}

/// Whether `c` divides the words of a name as written: a space, or punctuation such as an
/// apostrophe, a hyphen or a full stop, in any of their common forms (N’Diaye, the
/// Katakana middle dot of ジョン・スミス). Letters and combining marks never do.
fn separates(c: char) -> bool {
    c.is_whitespace()
        || c.is_ascii_punctuation()
        || matches!(
            c,
            '\u{00B7}' // middle dot
            | '\u{02BB}'..='\u{02BC}' // modifier letter apostrophes
            | '\u{05BE}' // Hebrew maqaf
            | '\u{060C}' // Arabic comma
            | '\u{2010}'..='\u{2027}' // hyphens, dashes, quotation marks, bullets
            | '\u{3001}'..='\u{3002}' // ideographic comma and full stop
            | '\u{30FB}' // Katakana middle dot
            | '\u{FF0C}'..='\u{FF0E}' // full-width comma, hyphen, full stop
        )
}

/// The words of a name (or of what is searched for) as a search compares them: lower-case
/// Latin letters and digits, any script transliterated. Only the name's own separators
/// ([`separates`]) divide it: a letter whose transliteration holds an apostrophe or a
/// back-tick (Georgian ძ "z'", თ "t`"; Cyrillic ь "'") stays inside its word, so
/// "Наталья" is "natalia", not "natal" and a stray "ia", and "ბერიძე" is "berize", not
/// "beriz" and a lone "e" (which sounds like every name of vowels: Awa, Aya). A script
/// written without spaces (Chinese) gives a word per transliterated syllable.
pub fn search_words(text: &str) -> Vec<String> {
    text.split(separates)
        .flat_map(|part| {
            deunicode::deunicode(part)
                .split_whitespace()
                .map(|w| {
                    w.chars()
                        .filter(char::is_ascii_alphanumeric)
                        .map(|c| c.to_ascii_lowercase())
                        .collect::<String>()
                })
                .collect::<Vec<_>>()
        })
        .filter(|w| !w.is_empty())
        .collect()
}

/// How a word of a name sounds, roughly: the same for the ways one name is commonly
/// written in Latin letters (Mohamed, Mohammed, Muhammad; Aïcha, Aisha, Aysha; Fatima,
/// Fatouma; Diallo, Dialo; Oksana, Oxana; Djibril, Jibril; Khalid, Kalid), different for
/// different names (Mamadou is not Mohamed). Letters that are often written in several
/// ways become one (ph f, c k q, z s, x ks; ch sh sch tch s; kh k; dj j; th t; dh d; gh g),
/// h is silent, every run of vowels (and y, w) is one vowel, and doubled letters are one.
pub fn sound_key(word: &str) -> String {
    let w = search_key(word).replace(' ', "");
    let mut s = w;
    for (from, to) in [
        ("tch", "s"),
        ("sch", "s"),
        ("ch", "s"),
        ("sh", "s"),
        ("ph", "f"),
        ("kh", "k"),
        ("gh", "g"),
        ("th", "t"),
        ("dh", "d"),
        ("dj", "j"),
        ("ck", "k"),
        ("qu", "k"),
        ("q", "k"),
        ("c", "k"),
        ("x", "ks"),
        ("z", "s"),
        ("h", ""),
    ] {
        s = s.replace(from, to);
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let c = if "aeiouyw".contains(c) { 'a' } else { c };
        if out.ends_with(c) {
            continue;
        }
        out.push(c);
    }
    out
}

/// The words a person is found by: each word of the name ([`search_words`]), and each
/// word's sound (`~` and [`sound_key`]), without repeats. A word joined by an apostrophe
/// or a hyphen is also found whole: N'Diaye as "ndiaye", "n" and "diaye".
pub fn name_tokens(name: &str) -> Vec<String> {
    let mut out: Vec<String> = vec![];
    for written in name.split_whitespace() {
        let parts = search_words(written);
        let mut words = vec![];
        if parts.len() > 1 {
            words.push(parts.concat());
        }
        words.extend(parts);
        for w in &words {
            for t in [w.clone(), format!("~{}", sound_key(w))] {
                if t != "~" && !out.contains(&t) {
                    out.push(t);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
