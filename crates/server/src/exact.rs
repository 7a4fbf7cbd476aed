//! Identifiers and days read exactly as the API's document spells them.
//!
//! The `uuid` crate also reads a UUID without hyphens, in braces or as a URN, and chrono
//! a day without its leading zeros: forms a person never types into the API and the
//! document (`format: uuid`, `format: date`) rules out. A request that uses them is
//! refused, so that a client learns the document's form instead of a leniency it would
//! come to depend on.

use chrono::{Datelike, NaiveDate};
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

impl From<Id> for Uuid {
    fn from(id: Id) -> Uuid {
        id.0
    }
}

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Id::parse(&s).map_err(serde::de::Error::custom)
    }
}

impl utoipa::PartialSchema for Id {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid)))
            .description(Some(
                "A UUID written as 8-4-4-4-12 hexadecimal digits; no braces, no `urn:uuid:`",
            ))
            .into()
    }
}

impl utoipa::ToSchema for Id {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("Uuid")
    }
}

/// A day written `YYYY-MM-DD` (RFC 3339's `full-date`), from year 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(pub NaiveDate);

impl Day {
    pub fn parse(s: &str) -> Result<Self, String> {
        let b = s.as_bytes();
        let shaped = b.len() == 10
            && b.iter().enumerate().all(|(i, c)| match i {
                4 | 7 => *c == b'-',
                _ => c.is_ascii_digit(),
            });
        match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            Ok(d) if shaped && d.year() >= 1 => Ok(Day(d)),
            _ => Err(format!(
                "'{s}' is not a day written YYYY-MM-DD (such as 2026-03-01)"
            )),
        }
    }
}

impl From<Day> for NaiveDate {
    fn from(d: Day) -> NaiveDate {
        d.0
    }
}

impl<'de> Deserialize<'de> for Day {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Day::parse(&s).map_err(serde::de::Error::custom)
    }
}

impl utoipa::PartialSchema for Day {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
            .description(Some("A day written YYYY-MM-DD, with its leading zeros"))
            .into()
    }
}

impl utoipa::ToSchema for Day {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("Date")
    }
}

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
