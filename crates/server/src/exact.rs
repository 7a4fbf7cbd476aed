//! Identifiers and days read exactly as the API's document spells them.
//!
//! The `uuid` crate also reads a UUID without hyphens, in braces or as a URN, and chrono
//! a day without its leading zeros: forms a person never types into the API and the
//! document (`format: uuid`, `format: date`) rules out. A request that uses them is
//! refused, so that a client learns the document's form instead of a leniency it would
//! come to depend on.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Deserializer};
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
use uuid::Uuid;

/// A UUID written as 8-4-4-4-12 hexadecimal digits (RFC 9562), in either case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Id(pub Uuid);

impl Id {
    pub fn parse(s: &str) -> Result<Self, String> {
        let b = s.as_bytes();
        let hyphenated = b.len() == 36
            && b.iter().enumerate().all(|(i, c)| match i {
                8 | 13 | 18 | 23 => *c == b'-',
                _ => c.is_ascii_hexdigit(),
            });
        match Uuid::parse_str(s) {
            Ok(id) if hyphenated => Ok(Id(id)),
            _ => Err(format!(
                "'{s}' is not a UUID written as 8-4-4-4-12 hexadecimal digits"
            )),
        }
    }
}

/// A day written `YYYY-MM-DD` (RFC 3339's `full-date`), from year 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(pub NaiveDate);

impl Day {
    pub fn parse(s: &str) -> Result<Self, String> {
        homeward_domain::values::parse_day_exact(s)
            .map(Day)
            .map_err(|e| e.message)
    }
}

/// An instant written as RFC 3339 says (`format: date-time`):
/// `YYYY-MM-DDTHH:MM:SS`, a fraction of a second if any, then `Z` or an offset `+HH:MM`.
/// chrono's reader also takes a space for the `T`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant(pub DateTime<Utc>);

impl Instant {
    pub fn parse(s: &str) -> Result<Self, String> {
        let b = s.as_bytes();
        let digits = |r: std::ops::Range<usize>| {
            b.get(r.clone())
                .is_some_and(|d| d.len() == r.len() && d.iter().all(u8::is_ascii_digit))
        };
        let at = |i: usize, set: &[u8]| b.get(i).is_some_and(|c| set.contains(c));
        let mut shaped = digits(0..4)
            && at(4, b"-")
            && digits(5..7)
            && at(7, b"-")
            && digits(8..10)
            && at(10, b"Tt")
            && digits(11..13)
            && at(13, b":")
            && digits(14..16)
            && at(16, b":")
            && digits(17..19);
        let mut i = 19;
        if shaped && at(i, b".") {
            let start = i + 1;
            i = start;
            while at(i, b"0123456789") {
                i += 1;
            }
            shaped = i > start;
        }
        let rest = b.get(i..).unwrap_or_default();
        shaped = shaped
            && match rest {
                [b'Z' | b'z'] => true,
                [b'+' | b'-', ..] => {
                    rest.len() == 6
                        && digits(i + 1..i + 3)
                        && at(i + 3, b":")
                        && digits(i + 4..i + 6)
                }
                _ => false,
            };
        match DateTime::parse_from_rfc3339(s) {
            Ok(t) if shaped => Ok(Instant(t.with_timezone(&Utc))),
            _ => Err(format!(
                "'{s}' is not an RFC 3339 date and time (such as 2026-03-01T09:30:00Z)"
            )),
        }
    }
}

/// What each of these types shares: it converts into what it wraps, serde reads it with
/// its `parse`, and the document names it as a string of its format.
macro_rules! exact_string {
    ($name:ident, $inner:ty, $schema_name:literal, $format:ident, $description:literal) => {
        impl From<$name> for $inner {
            fn from(v: $name) -> $inner {
                v.0
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                $name::parse(&s).map_err(serde::de::Error::custom)
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::$format)))
                    .description(Some($description))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed($schema_name)
            }
        }
    };
}

exact_string!(
    Id,
    Uuid,
    "Uuid",
    Uuid,
    "A UUID written as 8-4-4-4-12 hexadecimal digits; no braces, no `urn:uuid:`"
);
exact_string!(
    Day,
    NaiveDate,
    "Date",
    Date,
    "A day written YYYY-MM-DD, with its leading zeros"
);
exact_string!(
    Instant,
    DateTime<Utc>,
    "DateTime",
    DateTime,
    "RFC 3339: YYYY-MM-DDTHH:MM:SS, a fraction of a second if any, then Z or an offset"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_is_read_only_in_its_hyphenated_form() {
        let id = "67e55044-10b1-426f-9247-bb680e5fe0c8";
        assert!(Id::parse(id).is_ok());
        assert!(Id::parse(&id.to_uppercase()).is_ok());
        for other in [
            "67e5504410b1426f9247bb680e5fe0c8",
            "{67e55044-10b1-426f-9247-bb680e5fe0c8}",
            "urn:uuid:67e55044-10b1-426f-9247-bb680e5fe0c8",
            " 67e55044-10b1-426f-9247-bb680e5fe0c8",
            "67e55044-10b1-426f-9247-bb680e5fe0cg",
            "",
        ] {
            assert!(Id::parse(other).is_err(), "{other}");
        }
    }

    #[test]
    fn an_instant_is_read_only_as_rfc_3339_writes_it() {
        for ok in [
            "2026-03-01T09:30:00Z",
            "2026-03-01t09:30:00z",
            "2026-03-01T09:30:00.123456Z",
            "2026-03-01T09:30:00+01:00",
            "2026-03-01T09:30:00-05:30",
        ] {
            assert!(Instant::parse(ok).is_ok(), "{ok}");
        }
        for wrong in [
            "2026-03-01 09:30:00Z",
            "2026-03-01T09:30Z",
            "2026-03-01T09:30:00",
            "2026-03-01T09:30:00.Z",
            "2026-03-01T09:30:00+0100",
            "2026-3-01T09:30:00Z",
            "2026-03-01T25:30:00Z",
            " 2026-03-01T09:30:00Z",
            "",
        ] {
            assert!(Instant::parse(wrong).is_err(), "{wrong}");
        }
        assert_eq!(
            Instant::parse("2026-03-01T10:30:00+01:00").map(DateTime::from),
            Instant::parse("2026-03-01T09:30:00Z").map(DateTime::from)
        );
    }

    #[test]
    fn a_day_is_read_only_as_yyyy_mm_dd() {
        assert_eq!(
            Day::parse("2026-03-01").map(NaiveDate::from),
            Ok(NaiveDate::from_ymd_opt(2026, 3, 1).unwrap_or_default())
        );
        for other in [
            "2026-3-1",
            "2026-03-1",
            "+2026-03-01",
            "0000-01-01",
            "2026-02-30",
            "2026-03-01T00:00:00Z",
            " 2026-03-01",
        ] {
            assert!(Day::parse(other).is_err(), "{other}");
        }
    }
}
