//! Parsing input into domain values, collecting every invalid field with its path, so
//! that interfaces (the JSON API, HTML forms) report all of them at once.

use homeward_domain::Violation;
use homeward_domain::values::*;

use crate::AppError;

/// Collects every invalid field. A form's `Parse` (the default) forgives what a person
/// types around a code (spaces, case); the API's ([`Parse::exact`]) takes each value
/// only as its document spells it, so that what the document rules out is refused.
#[derive(Debug, Default)]
pub struct Parse {
    pub errors: Vec<Violation>,
    exact: bool,
}

/// How codes are read: as a person types them in a form (case and spaces forgiven), or
/// exactly as the API's document spells them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Spelling {
    #[default]
    Forgiving,
    Exact,
}

pub fn at(base: &str, field: &str) -> String {
    if base.is_empty() {
        field.to_string()
    } else {
        format!("{base}/{field}")
    }
}

impl Parse {
    /// For what a machine sends: codes exactly as they are kept.
    pub fn exact() -> Self {
        Self::spelled(Spelling::Exact)
    }

    pub fn spelled(spelling: Spelling) -> Self {
        Self {
            errors: Vec::new(),
            exact: spelling == Spelling::Exact,
        }
    }

    /// A code or other spelled value, exactly or forgivingly as this `Parse` reads.
    fn code<T>(
        &mut self,
        path: &str,
        s: &str,
        exact: fn(&str) -> Result<T, ValueError>,
        forgiving: fn(&str) -> Result<T, ValueError>,
    ) -> Option<T> {
        let parse = if self.exact { exact } else { forgiving };
        self.value(path, parse(s))
    }

    pub fn value<T>(&mut self, path: &str, r: Result<T, ValueError>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.errors.push(Violation::from_value_error(e, path));
                None
            }
        }
    }

    pub fn text<const N: usize>(&mut self, path: &str, s: &str) -> Option<Text<N>> {
        self.value(path, Text::<N>::parse(s))
    }

    /// An optional text: absent or blank is `None`; a blank text with a control
    /// character in it is refused like any other (the schema's `OPTIONAL_TEXT_PATTERN`).
    pub fn opt_text<const N: usize>(
        &mut self,
        path: &str,
        s: &Option<String>,
    ) -> Option<Option<Text<N>>> {
        match s.as_deref().map(Text::<N>::parse) {
            None => Some(None),
            // Blank, and nothing else wrong with it: none given.
            Some(Err(e)) if e.code == "text.empty" => Some(None),
            Some(r) => self.value(path, r).map(Some),
        }
    }

    pub fn country(&mut self, path: &str, s: &str) -> Option<CountryCode> {
        self.code(path, s, CountryCode::parse_exact, CountryCode::parse)
    }

    /// Absent is none; so is a blank one in a form (not through the API, whose
    /// document says `null`).
    pub fn opt_country(&mut self, path: &str, s: &Option<String>) -> Option<Option<CountryCode>> {
        match s.as_deref() {
            None => Some(None),
            Some(t) if !self.exact && t.trim().is_empty() => Some(None),
            Some(t) => self.country(path, t).map(Some),
        }
    }

    pub fn language(&mut self, path: &str, s: &str) -> Option<LanguageCode> {
        self.code(path, s, LanguageCode::parse_exact, LanguageCode::parse)
    }

    pub fn languages(&mut self, path: &str, v: &[String]) -> Option<Vec<LanguageCode>> {
        let parsed: Vec<Option<LanguageCode>> = v
            .iter()
            .enumerate()
            .map(|(i, l)| self.language(&at(path, &i.to_string()), l))
            .collect();
        parsed.into_iter().collect()
    }

    pub fn currency(&mut self, path: &str, s: &str) -> Option<CurrencyCode> {
        self.code(path, s, CurrencyCode::parse_exact, CurrencyCode::parse)
    }

    pub fn time_zone(&mut self, path: &str, s: &str) -> Option<TimeZone> {
        self.code(path, s, TimeZone::parse_exact, TimeZone::parse)
    }

    pub fn rate(&mut self, path: &str, s: &str) -> Option<ExchangeRate> {
        self.code(path, s, ExchangeRate::parse_exact, ExchangeRate::parse)
    }

    pub fn money(&mut self, path: &str, amount_minor: i64, currency: &str) -> Option<Money> {
        let currency = self.currency(&at(path, "currency"), currency);
        let amount = if amount_minor < 0 {
            self.errors.push(
                Violation::new(
                    "money.negative",
                    format!(
                        "amount {} is negative; amounts are zero or more",
                        amount_minor
                    ),
                )
                .at(at(path, "amount_minor")),
            );
            None
        } else {
            Some(amount_minor)
        };
        Money::new(amount?, currency?).ok()
    }

    pub fn iata(&mut self, path: &str, s: &str) -> Option<IataCode> {
        self.code(path, s, IataCode::parse_exact, IataCode::parse)
    }

    pub fn push(&mut self, v: Violation) {
        self.errors.push(v);
    }

    /// The parsed value, or an error naming every invalid field.
    pub fn finish<T>(self, v: Option<T>) -> Result<T, AppError> {
        match v {
            Some(v) if self.errors.is_empty() => Ok(v),
            _ => Err(AppError::Invalid(self.errors)),
        }
    }
}

/// A referral's step from its code and the text it needs: a reason for a decline or a
/// revocation, what was delivered for a delivery; each missing one named at its field.
pub fn referral_step(
    p: &mut Parse,
    step: homeward_domain::case::referrals::ReferralStatus,
    reason: &Option<String>,
    what: &Option<String>,
) -> Option<homeward_domain::case::referrals::ReferralStep> {
    use homeward_domain::case::referrals::{ReferralStatus as S, ReferralStep};
    // A text the step does not need is still checked (and then not kept), so that what
    // is refused does not depend on the step beside it.
    for (field, text) in [("reason", reason), ("what", what)] {
        if step.text_needed() != Some(field) {
            p.opt_text::<10_000>(field, text);
        }
    }
    let mut required = |field: &str, s: &Option<String>| -> Option<LongText> {
        p.text(field, s.as_deref().unwrap_or_default())
    };
    Some(match step {
        S::Accepted => ReferralStep::Accepted,
        S::InProgress => ReferralStep::InProgress,
        S::Closed => ReferralStep::Closed,
        S::Declined => ReferralStep::Declined {
            reason: required("reason", reason)?,
        },
        S::Revoked => ReferralStep::Revoked {
            reason: required("reason", reason)?,
        },
        S::Delivered => ReferralStep::Delivered {
            what: required("what", what)?,
        },
        S::Sent | S::PendingApproval => {
            p.errors.push(
                Violation::new(
                    "referral.step_not_allowed",
                    "a referral is sent once, when it is made (or when its exception is approved)",
                )
                .at("step"),
            );
            return None;
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use homeward_domain::case::referrals::ReferralStatus;

    fn codes(step: ReferralStatus, reason: Option<&str>, what: Option<&str>) -> Vec<String> {
        let mut p = Parse::default();
        referral_step(&mut p, step, &reason.map(Into::into), &what.map(Into::into));
        p.errors
            .iter()
            .map(|e| format!("{}@{}", e.code, e.field.as_deref().unwrap_or("")))
            .collect()
    }

    /// A decline and a revocation need a reason and a delivery says what; a text a step
    /// does not need is still checked, so what is refused does not depend on the step.
    #[test]
    fn a_step_needs_its_text_and_checks_the_other() {
        for step in ReferralStatus::ALL
            .into_iter()
            .filter(|s| !s.reached_from().is_empty())
        {
            let needed = step.text_needed();
            for field in ["reason", "what"] {
                let (reason, what) = if field == "reason" {
                    (None, Some("ok"))
                } else {
                    (Some("ok"), None)
                };
                let missing = codes(step, reason, what);
                let expected = if needed == Some(field) {
                    vec![format!("text.empty@{field}")]
                } else {
                    vec![]
                };
                assert_eq!(missing, expected, "{step:?} without {field}");
                let (reason, what) = if field == "reason" {
                    (Some("\u{7}"), Some("ok"))
                } else {
                    (Some("ok"), Some("\u{7}"))
                };
                let bad = codes(step, reason, what);
                assert_eq!(
                    bad,
                    vec![format!("text.control_characters@{field}")],
                    "{step:?}, bad {field}"
                );
            }
        }
        assert_eq!(
            codes(ReferralStatus::Sent, None, None),
            vec!["referral.step_not_allowed@step"]
        );
    }
}
