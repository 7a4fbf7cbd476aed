//! Submitted forms: values by name (repeated names for checkboxes), dates as day, month
//! and year, and the errors to show beside each field and in the summary at the top.

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeZone, Utc};
use homeward_domain::Violation;

use crate::i18n::I18n;

/// A form as submitted.
#[derive(Debug, Clone, Default)]
pub struct FormData {
    pairs: Vec<(String, String)>,
}

impl FormData {
    pub fn parse(body: &[u8]) -> FormData {
        FormData {
            pairs: serde_html_form::from_bytes::<Vec<(String, String)>>(body).unwrap_or_default(),
        }
    }

    pub fn from_pairs(pairs: Vec<(String, String)>) -> FormData {
        FormData { pairs }
    }

    pub fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }

    /// The first value of `name`, trimmed; empty if absent.
    pub fn get(&self, name: &str) -> &str {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .unwrap_or("")
    }

    pub fn opt(&self, name: &str) -> Option<String> {
        Some(self.get(name).to_string()).filter(|v| !v.is_empty())
    }

    pub fn all(&self, name: &str) -> Vec<&str> {
        self.pairs
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
            .collect()
    }

    /// A checkbox: ticked when submitted with any value.
    pub fn checked(&self, name: &str) -> bool {
        !self.get(name).is_empty()
    }

    pub fn has(&self, name: &str, value: &str) -> bool {
        self.all(name).contains(&value)
    }

    /// Sets a value (prefilling a form).
    pub fn set(&mut self, name: &str, value: impl Into<String>) {
        self.pairs.retain(|(k, _)| k != name);
        self.pairs.push((name.to_string(), value.into()));
    }
}

/// Errors of a form, by field name.
#[derive(Debug, Clone, Default)]
pub struct FormErrors {
    pub items: Vec<FieldError>,
}

#[derive(Debug, Clone)]
pub struct FieldError {
    /// The field's name (and the id of its input), or empty for the form as a whole.
    pub field: String,
    pub message: String,
    /// The rule's code, when it came from one (`required`, `text.empty`...).
    pub code: Option<&'static str>,
}

impl FormErrors {
    pub fn add(&mut self, field: &str, message: String) {
        self.items.push(FieldError {
            field: field.to_string(),
            message,
            code: None,
        });
    }

    /// A field left empty: `actions::named` says which, in words.
    pub fn missing(&mut self, field: &str, i: &I18n) {
        self.items.push(FieldError {
            field: field.to_string(),
            message: i.t("err-required"),
            code: Some("required"),
        });
    }

    /// A value the domain refused (`text.empty`, `country.unknown`...), translated.
    pub fn add_value_error(
        &mut self,
        i: &I18n,
        field: &str,
        e: homeward_domain::values::ValueError,
    ) {
        self.add_violations(i, &[Violation::from_value_error(e, field)], |p| {
            p.to_string()
        });
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The message for a field, if it has one.
    pub fn of(&self, field: &str) -> Option<&str> {
        self.items
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    /// Adds the domain's violations, translated; `map` turns a violation's path into
    /// the form field it belongs to.
    pub fn add_violations(&mut self, i: &I18n, vs: &[Violation], map: impl Fn(&str) -> String) {
        for v in vs {
            let field = v.field.as_deref().map(&map).unwrap_or_default();
            self.items.push(FieldError {
                field,
                message: rule_message(i, v),
                code: Some(v.code),
            });
        }
    }
}

/// A rule's reason in the reader's language, or the domain's English if the catalogues
/// have no translation for its code.
pub fn rule_message(i: &I18n, v: &Violation) -> String {
    let key = format!("rule-{}", v.code.replacen('.', "-", 1));
    if !i.has(&key) {
        return v.message.clone();
    }
    let mut args: Vec<(&str, fluent_templates::fluent_bundle::FluentValue)> = vec![];
    for (k, value) in &v.params {
        let shown = match *k {
            "from_date" | "due" | "on" => value
                .parse::<NaiveDate>()
                .map(|d| i.date(d))
                .unwrap_or_else(|_| value.clone()),
            "stage" => i.t(&format!("stage-{value}")),
            "status" => i.opt("referral_status", value),
            _ => value.clone(),
        };
        // Counts are numbers, so that plural forms (Arabic has six) are chosen right.
        match shown.parse::<i64>() {
            Ok(n) => args.push((k, n.into())),
            Err(_) => args.push((k, shown.into())),
        }
    }
    i.ta(&key, &args)
}

/// A date or time that is not a real one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotADate;

/// Reads a date given as `<name>-day`, `<name>-month`, `<name>-year`. `Ok(None)` when
/// all three are empty.
pub fn date(f: &FormData, name: &str) -> Result<Option<NaiveDate>, NotADate> {
    day_of([
        f.get(&format!("{name}-day")),
        f.get(&format!("{name}-month")),
        f.get(&format!("{name}-year")),
    ])
}

/// Digits as ASCII: an Arabic keyboard types Arabic-Indic (٠-٩) or Eastern Arabic-Indic
/// (۰-۹) digits, which are the same numbers.
pub fn ascii_digits(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{0660}'..='\u{0669}' => char::from(b'0' + (c as u32 - 0x0660) as u8),
            '\u{06F0}'..='\u{06F9}' => char::from(b'0' + (c as u32 - 0x06F0) as u8),
            c => c,
        })
        .collect()
}

/// The day of a day, a month and a year as typed (`Ok(None)` when all are empty).
fn day_of([d, m, y]: [&str; 3]) -> Result<Option<NaiveDate>, NotADate> {
    let [d, m, y] = [d, m, y].map(|p| ascii_digits(p.trim()));
    if d.is_empty() && m.is_empty() && y.is_empty() {
        return Ok(None);
    }
    // A year of four digits: "26" is not 2026, and no one was born in year 26.
    if y.len() != 4 {
        return Err(NotADate);
    }
    let (Ok(d), Ok(m), Ok(y)) = (d.parse::<u32>(), m.parse::<u32>(), y.parse::<i32>()) else {
        return Err(NotADate);
    };
    NaiveDate::from_ymd_opt(y, m, d).map(Some).ok_or(NotADate)
}

/// A period asked of a page by its GET form: each day as the three fields the form sends
/// (`from-day`, `from-month`, `from-year`), or as `from=YYYY-MM-DD`, as links carry it.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct PeriodQuery {
    pub from: Option<String>,
    pub until: Option<String>,
    #[serde(rename = "from-day")]
    pub from_day: Option<String>,
    #[serde(rename = "from-month")]
    pub from_month: Option<String>,
    #[serde(rename = "from-year")]
    pub from_year: Option<String>,
    #[serde(rename = "until-day")]
    pub until_day: Option<String>,
    #[serde(rename = "until-month")]
    pub until_month: Option<String>,
    #[serde(rename = "until-year")]
    pub until_year: Option<String>,
}

/// A day of a period as asked: its day, month and year to show again, and the date they
/// make (`Ok(None)`: none asked).
#[derive(Debug, Clone)]
pub struct DayAsked {
    pub parts: [String; 3],
    pub day: Result<Option<NaiveDate>, NotADate>,
}

impl PeriodQuery {
    pub fn from_day(&self) -> DayAsked {
        asked(
            &self.from,
            [&self.from_day, &self.from_month, &self.from_year],
        )
    }

    pub fn until_day(&self) -> DayAsked {
        asked(
            &self.until,
            [&self.until_day, &self.until_month, &self.until_year],
        )
    }
}

fn asked(iso: &Option<String>, parts: [&Option<String>; 3]) -> DayAsked {
    let parts = parts.map(|p| p.as_deref().unwrap_or("").trim().to_string());
    if parts.iter().any(|p| !p.is_empty()) {
        let day = day_of([&parts[0], &parts[1], &parts[2]].map(String::as_str));
        return DayAsked { parts, day };
    }
    let Some(iso) = iso.as_deref().map(str::trim).filter(|s| !s.is_empty()) else {
        return DayAsked {
            parts,
            day: Ok(None),
        };
    };
    match NaiveDate::parse_from_str(&ascii_digits(iso), "%Y-%m-%d") {
        Ok(d) => DayAsked {
            parts: [
                d.day().to_string(),
                d.month().to_string(),
                d.year().to_string(),
            ],
            day: Ok(Some(d)),
        },
        // Shown as typed, in the day's field, with the error.
        Err(_) => DayAsked {
            parts: [iso.to_string(), String::new(), String::new()],
            day: Err(NotADate),
        },
    }
}

pub fn time(f: &FormData, name: &str) -> Result<Option<NaiveTime>, NotADate> {
    let t = f.get(name);
    if t.is_empty() {
        return Ok(None);
    }
    NaiveTime::parse_from_str(&ascii_digits(t), "%H:%M")
        .map(Some)
        .map_err(|_| NotADate)
}

/// When it happened: `occurred` date and `occurred-time` in the reader's time zone (their
/// office's), now when both are empty; a time alone is today's there.
pub fn occurred_at(f: &FormData, errors: &mut FormErrors, i: &I18n) -> Option<DateTime<Utc>> {
    let day = match date(f, "occurred") {
        Ok(d) => d,
        Err(NotADate) => {
            errors.add("occurred-day", i.t("err-date-invalid"));
            return None;
        }
    };
    let t = match time(f, "occurred-time") {
        Ok(t) => t,
        Err(NotADate) => {
            errors.add("occurred-time", i.t("err-time-invalid"));
            return None;
        }
    };
    match (day, t) {
        (None, None) => None,
        // A day without a time is that day at noon UTC: the day the rules read (they
        // count UTC days) and the day shown are then the typed one in every zone from
        // UTC-12 to UTC+11, where midnight in the office's zone would be the day before
        // for the rules east of UTC.
        (Some(d), None) => Some(Utc.from_utc_datetime(&d.and_time(NaiveTime::MIN + NOON))),
        (Some(d), Some(t)) => Some(in_zone(i.zone, d.and_time(t))),
        (None, Some(t)) => Some(in_zone(i.zone, i.zone.day_of(Utc::now()).and_time(t))),
    }
}

const NOON: chrono::Duration = chrono::Duration::hours(12);

/// A wall-clock time in `zone`, in UTC. A time the clocks skip (spring forward) is read
/// with the offset before the change, as a clock not yet put forward would show it (02:30
/// in Brussels on the last Sunday of March is 01:30 UTC, 03:30 summer time); one they pass
/// twice (autumn), as the first.
pub fn in_zone(
    zone: homeward_domain::values::TimeZone,
    local: chrono::NaiveDateTime,
) -> DateTime<Utc> {
    use chrono::Offset;
    match zone.0.from_local_datetime(&local) {
        chrono::LocalResult::Single(at) | chrono::LocalResult::Ambiguous(at, _) => {
            at.with_timezone(&Utc)
        }
        chrono::LocalResult::None => {
            // The offset a day before: no zone changes twice within a day.
            let before = zone
                .0
                .offset_from_utc_datetime(&(local - chrono::Duration::days(1)))
                .fix()
                .local_minus_utc();
            Utc.from_utc_datetime(&(local - chrono::Duration::seconds(i64::from(before))))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn period(pairs: &[(&str, &str)]) -> PeriodQuery {
        let q = pairs
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&");
        // (The pages read it with axum's `Query`; their tests drive that.)
        serde_html_form::from_str(&q).expect("a period's query")
    }

    #[test]
    fn a_wall_clock_time_is_read_in_its_zone_across_the_clock_changes() {
        let zone = homeward_domain::values::TimeZone::parse("Europe/Brussels").unwrap();
        let local = |s: &str| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        let utc = |s: &str| Utc.from_utc_datetime(&local(s));
        for (typed, want) in [
            // Winter (UTC+1) and summer (UTC+2).
            ("2026-01-15 10:00", "2026-01-15 09:00"),
            ("2026-07-15 10:00", "2026-07-15 08:00"),
            // Skipped on 29 March 2026: read with winter's offset (03:30 summer time).
            ("2026-03-29 02:30", "2026-03-29 01:30"),
            // Passed twice on 25 October 2026: the first (summer time).
            ("2026-10-25 02:30", "2026-10-25 00:30"),
        ] {
            assert_eq!(in_zone(zone, local(typed)), utc(want), "{typed}");
        }
        // Apia skipped a whole day (30 December 2011): still a time after the change.
        let apia = homeward_domain::values::TimeZone::parse("Pacific/Apia").unwrap();
        let at = in_zone(apia, local("2011-12-30 10:00"));
        assert!(
            at > utc("2011-12-29 20:00") && at < utc("2011-12-31 00:00"),
            "{at}"
        );
    }

    #[test]
    fn a_day_typed_without_a_time_is_the_same_day_for_the_rules_and_the_reader() {
        for name in [
            "Europe/Brussels",
            "Asia/Tbilisi",
            "America/Mexico_City",
            "UTC",
        ] {
            let zone = homeward_domain::values::TimeZone::parse(name).unwrap();
            let i = I18n::new(crate::i18n::Lang::En).in_zone(zone);
            let f = FormData::from_pairs(vec![
                ("occurred-day".into(), "3".into()),
                ("occurred-month".into(), "12".into()),
                ("occurred-year".into(), "2026".into()),
            ]);
            let mut errors = FormErrors::default();
            let at = occurred_at(&f, &mut errors, &i).unwrap();
            let day = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
            assert_eq!((at.date_naive(), zone.day_of(at)), (day, day), "{name}");
        }
    }

    #[test]
    fn a_period_s_day_is_read_from_its_three_fields_or_from_a_link() {
        let day = NaiveDate::from_ymd_opt(2025, 1, 31);
        for (asked, want) in [
            (
                vec![
                    ("from-day", "31"),
                    ("from-month", "1"),
                    ("from-year", "2025"),
                ],
                Ok(day),
            ),
            (vec![("from", "2025-01-31")], Ok(day)),
            // Arabic-Indic and Eastern Arabic-Indic digits are the same numbers.
            (
                vec![
                    ("from-day", "٣١"),
                    ("from-month", "١"),
                    ("from-year", "٢٠٢٥"),
                ],
                Ok(day),
            ),
            (
                vec![
                    ("from-day", "۳۱"),
                    ("from-month", "۱"),
                    ("from-year", "۲۰۲۵"),
                ],
                Ok(day),
            ),
            // The fields win over a link's day; none asked is none.
            (
                vec![
                    ("from", "2020-05-05"),
                    ("from-day", "31"),
                    ("from-month", "1"),
                    ("from-year", "2025"),
                ],
                Ok(day),
            ),
            (vec![], Ok(None)),
            (
                vec![("from-day", ""), ("from-month", " "), ("from-year", "")],
                Ok(None),
            ),
            (
                vec![
                    ("from-day", "31"),
                    ("from-month", "2"),
                    ("from-year", "2025"),
                ],
                Err(NotADate),
            ),
            (
                vec![("from-day", "1"), ("from-year", "2025")],
                Err(NotADate),
            ),
            (vec![("from", "31/01/2025")], Err(NotADate)),
            (
                vec![("from-day", "31"), ("from-month", "1"), ("from-year", "25")],
                Err(NotADate),
            ),
            (
                vec![
                    ("from-day", "31"),
                    ("from-month", "1"),
                    ("from-year", "12025"),
                ],
                Err(NotADate),
            ),
        ] {
            let asked_day = period(&asked).from_day();
            assert_eq!(asked_day.day, want, "{asked:?}");
        }
        // A link's day is shown in the three fields; a wrong one as typed, in the first.
        assert_eq!(
            period(&[("from", "2025-01-31")]).from_day().parts,
            ["31", "1", "2025"].map(String::from)
        );
        assert_eq!(
            period(&[("until", "31/01/2025")]).until_day().parts,
            ["31/01/2025", "", ""].map(String::from)
        );
    }
}
