//! Languages: Fluent message catalogues (`locales/<lang>/main.ftl`) compiled into the
//! binary, and dates and numbers formatted for the reader's language.

use std::borrow::Cow;
use std::collections::HashMap;

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, langid};
use homeward_domain::values::TimeZone;

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
    };
}

/// The interface languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    En,
    Fr,
    Es,
    Ar,
}

static EN: LanguageIdentifier = langid!("en");
static FR: LanguageIdentifier = langid!("fr");
static ES: LanguageIdentifier = langid!("es");
static AR: LanguageIdentifier = langid!("ar");

impl Lang {
    pub const ALL: [Lang; 4] = [Lang::En, Lang::Fr, Lang::Es, Lang::Ar];

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
            Lang::Es => "es",
            Lang::Ar => "ar",
        }
    }

    /// The language's name in itself.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Fr => "Français",
            Lang::Es => "Español",
            Lang::Ar => "العربية",
        }
    }

    pub fn dir(self) -> &'static str {
        if self == Lang::Ar { "rtl" } else { "ltr" }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        let primary = code.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        Lang::ALL.into_iter().find(|l| l.code() == primary)
    }

    fn id(self) -> &'static LanguageIdentifier {
        match self {
            Lang::En => &EN,
            Lang::Fr => &FR,
            Lang::Es => &ES,
            Lang::Ar => &AR,
        }
    }

    /// The first supported language of an `Accept-Language` header.
    pub fn negotiate(accept: &str) -> Option<Lang> {
        let mut langs: Vec<(f32, Lang)> = accept
            .split(',')
            .filter_map(|part| {
                let mut it = part.split(';');
                let lang = Lang::from_code(it.next()?)?;
                let q = it
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .and_then(|q| q.parse().ok())
                    .unwrap_or(1.0);
                Some((q, lang))
            })
            .collect();
        langs.sort_by(|a, b| b.0.total_cmp(&a.0));
        langs.first().map(|(_, l)| *l)
    }
}

/// Translation for one reader: their language, and the time zone they read and enter
/// times in (their office's).
#[derive(Debug, Clone, Copy)]
pub struct I18n {
    pub lang: Lang,
    pub zone: TimeZone,
}

pub type Args<'a> = &'a [(&'a str, FluentValue<'a>)];

impl I18n {
    /// In UTC, until `in_zone` says otherwise.
    pub fn new(lang: Lang) -> Self {
        I18n {
            lang,
            zone: TimeZone::UTC,
        }
    }

    /// The same reader, reading times in `zone`.
    pub fn in_zone(self, zone: TimeZone) -> Self {
        I18n { zone, ..self }
    }

    /// The reader's time zone as times name it: its name and what it is called now
    /// ("Europe/Brussels, CET").
    pub fn zone_name(&self) -> String {
        format!("{}, {}", self.zone.name(), self.abbreviation(Utc::now()))
    }

    /// What the zone is called at `at`: "CET", "GMT", or "UTC+04" where the tz database
    /// has no letters for it.
    fn abbreviation(&self, at: DateTime<Utc>) -> String {
        let local = at.with_timezone(&self.zone.0);
        let abbr = local.format("%Z").to_string();
        if abbr.starts_with(['+', '-']) {
            format!("UTC{abbr}")
        } else {
            abbr
        }
    }

    /// The day it was at `at` for the reader.
    pub fn day(&self, at: DateTime<Utc>) -> String {
        self.date(self.zone.day_of(at))
    }

    pub fn code(&self) -> &'static str {
        self.lang.code()
    }

    pub fn dir(&self) -> &'static str {
        self.lang.dir()
    }

    /// The message `key`, in English if it is missing, or the key itself.
    pub fn t(&self, key: &str) -> String {
        LOCALES
            .try_lookup(self.lang.id(), key)
            .unwrap_or_else(|| key.to_string())
    }

    /// Whether the catalogues have `key` (in this language, or in English, which a lookup
    /// falls back to). Read from the catalogues' sources: a lookup without arguments fails
    /// for a message that takes some, which made every rule with a parameter fall back to
    /// the domain's English.
    pub fn has(&self, key: &str) -> bool {
        static KEYS: std::sync::LazyLock<HashMap<Lang, std::collections::HashSet<&'static str>>> =
            std::sync::LazyLock::new(|| {
                let keys = |src: &'static str| {
                    src.lines()
                        .filter(|l| !l.starts_with(['#', ' ', '\t', '.', '*', '[']))
                        .filter_map(|l| l.split_once(" =").map(|(k, _)| k.trim()))
                        .collect()
                };
                HashMap::from([
                    (Lang::En, keys(include_str!("../locales/en/main.ftl"))),
                    (Lang::Fr, keys(include_str!("../locales/fr/main.ftl"))),
                    (Lang::Es, keys(include_str!("../locales/es/main.ftl"))),
                    (Lang::Ar, keys(include_str!("../locales/ar/main.ftl"))),
                ])
            });
        [self.lang, Lang::En]
            .iter()
            .any(|l| KEYS.get(l).is_some_and(|k| k.contains(key)))
    }

    /// The message `key` with arguments.
    pub fn ta(&self, key: &str, args: Args) -> String {
        let map: HashMap<Cow<'static, str>, FluentValue> = args
            .iter()
            .map(|(k, v)| (Cow::Owned(k.to_string()), v.clone()))
            .collect();
        LOCALES
            .try_lookup_with_args(self.lang.id(), key, &map)
            .unwrap_or_else(|| key.to_string())
    }

    /// Convenience: one string argument.
    pub fn t1(&self, key: &str, name: &str, value: impl Into<String>) -> String {
        let v: String = value.into();
        self.ta(key, &[(name, FluentValue::from(v))])
    }

    /// `option` label of an enum value: `opt-<group>-<value>`.
    pub fn opt(&self, group: &str, value: &str) -> String {
        let key = format!("opt-{group}-{value}");
        if self.has(&key) {
            self.t(&key)
        } else {
            value.replace('_', " ")
        }
    }

    /// Items of a list as the language joins them ("a, b" or "a، b").
    pub fn list<S: AsRef<str>>(&self, items: impl IntoIterator<Item = S>) -> String {
        let sep = if self.lang == Lang::Ar { "، " } else { ", " };
        items
            .into_iter()
            .map(|s| s.as_ref().to_string())
            .collect::<Vec<_>>()
            .join(sep)
    }

    /// A country's name in this language (its code if unknown).
    pub fn country(&self, code: &str) -> String {
        homeward_domain::countries::name(code, self.code())
            .map(str::to_string)
            .unwrap_or_else(|| code.to_string())
    }

    /// Digits as the language writes them.
    pub fn digits(&self, s: &str) -> String {
        if self.lang != Lang::Ar {
            return s.to_string();
        }
        s.chars()
            .map(|c| match c.to_digit(10) {
                Some(d) => char::from_u32(0x0660 + d).unwrap_or(c),
                None => c,
            })
            .collect()
    }

    /// 3 December 2026, 3 décembre 2026, 3 de diciembre de 2026, ٣ ديسمبر ٢٠٢٦.
    pub fn date(&self, d: NaiveDate) -> String {
        let month = self.t(&format!("month-{}", d.month()));
        let s = self.ta(
            "date-long",
            &[
                ("day", FluentValue::from(d.day().to_string())),
                ("month", FluentValue::from(month)),
                ("year", FluentValue::from(d.year().to_string())),
            ],
        );
        self.digits(&s.replace(['\u{2068}', '\u{2069}'], ""))
    }

    /// A date and time in the reader's time zone, named ("14:05 CET").
    pub fn datetime(&self, at: DateTime<Utc>) -> String {
        let local = at.with_timezone(&self.zone.0);
        let time = format!(
            "{:02}:{:02} {}",
            local.hour(),
            local.minute(),
            self.abbreviation(at)
        );
        format!("{}, {}", self.date(local.date_naive()), self.digits(&time))
    }

    /// 12,345 / 12 345 / 12.345 / ١٢٬٣٤٥.
    pub fn number(&self, n: impl std::borrow::Borrow<i64>) -> String {
        let n = *n.borrow();
        let sep = match self.lang {
            Lang::En => ",",
            Lang::Fr => "\u{202f}",
            Lang::Es => ".",
            Lang::Ar => "\u{066c}",
        };
        let digits = n.unsigned_abs().to_string();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push_str(sep);
            }
            out.push(c);
        }
        if n < 0 {
            out.insert(0, '-');
        }
        self.digits(&out)
    }

    /// An amount of money in minor units, with its currency.
    fn decimal_separator(&self) -> &'static str {
        match self.lang {
            Lang::En => ".",
            Lang::Fr | Lang::Es => ",",
            Lang::Ar => "\u{066b}",
        }
    }

    /// A number to one decimal (12.5, 12,5, ١٢٫٥), rounded half away from zero.
    pub fn one_decimal(&self, x: f64) -> String {
        let tenths = (x * 10.0).round() as i64;
        let sign = if tenths < 0 { "-" } else { "" };
        format!(
            "{sign}{}{}{}",
            self.number(tenths.unsigned_abs() as i64 / 10),
            self.decimal_separator(),
            self.digits(&(tenths.unsigned_abs() % 10).to_string())
        )
    }

    pub fn money(&self, m: &homeward_domain::values::Money) -> String {
        let exp = m.currency.minor_unit_exponent();
        let major = self.number(m.amount_minor / 10i64.pow(exp));
        if exp == 0 {
            return format!("{major} {}", m.currency);
        }
        let dec = self.decimal_separator();
        let minor = format!(
            "{:0width$}",
            m.amount_minor % 10i64.pow(exp),
            width = exp as usize
        );
        format!("{major}{dec}{} {}", self.digits(&minor), m.currency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_every_english_message() {
        let en = include_str!("../locales/en/main.ftl");
        let keys: Vec<&str> = en
            .lines()
            .filter(|l| !l.starts_with('#') && !l.starts_with(' ') && l.contains(" = "))
            .filter_map(|l| l.split(" = ").next())
            .collect();
        assert!(keys.len() > 200);
        for lang in [Lang::Fr, Lang::Es, Lang::Ar] {
            let missing: Vec<&&str> = keys.iter().filter(|k| !has_own(lang, k)).collect();
            assert!(missing.is_empty(), "{}: missing {missing:?}", lang.code());
        }
    }

    fn has_own(lang: Lang, key: &str) -> bool {
        let src = match lang {
            Lang::Fr => include_str!("../locales/fr/main.ftl"),
            Lang::Es => include_str!("../locales/es/main.ftl"),
            Lang::Ar => include_str!("../locales/ar/main.ftl"),
            Lang::En => include_str!("../locales/en/main.ftl"),
        };
        src.lines().any(|l| l.starts_with(&format!("{key} =")))
    }

    #[test]
    fn every_language_formats_messages_with_arguments() {
        for lang in Lang::ALL {
            let i = I18n::new(lang);
            let s = i.t1("signed-in-as", "name", "Awa");
            assert!(
                s.contains("Awa") && !s.starts_with("signed-in-as"),
                "{}: {s}",
                lang.code()
            );
            let r = i.ta("results", &[("count", 3.into())]);
            assert!(!r.starts_with("results"), "{}: {r}", lang.code());
            assert!(!i.t("sign-in").starts_with("sign-in"), "{}", lang.code());
        }
    }

    #[test]
    fn a_message_that_takes_arguments_is_known_to_the_catalogue() {
        for lang in Lang::ALL {
            let i = I18n::new(lang);
            assert!(i.has("rule-import-unknown_code"), "{}", lang.code());
            assert!(i.has("signed-in-as"), "{}", lang.code());
            assert!(!i.has("no-such-message"), "{}", lang.code());
        }
    }

    #[test]
    fn dates_and_numbers_follow_the_language() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap_or_default();
        assert_eq!(I18n::new(Lang::En).date(d), "3 December 2026");
        assert_eq!(I18n::new(Lang::Fr).date(d), "3 décembre 2026");
        assert_eq!(I18n::new(Lang::Es).date(d), "3 de diciembre de 2026");
        assert_eq!(I18n::new(Lang::Ar).date(d), "٣ ديسمبر ٢٠٢٦");
        assert_eq!(I18n::new(Lang::En).number(1234567), "1,234,567");
        assert_eq!(I18n::new(Lang::Es).number(1234), "1.234");
        assert_eq!(I18n::new(Lang::Ar).number(1234), "١٬٢٣٤");
    }

    #[test]
    fn accept_language_is_negotiated() {
        assert_eq!(Lang::negotiate("fr-BE,fr;q=0.9,en;q=0.8"), Some(Lang::Fr));
        assert_eq!(Lang::negotiate("de-DE, ar;q=0.5"), Some(Lang::Ar));
        assert_eq!(Lang::negotiate("de-DE"), None);
    }
}
