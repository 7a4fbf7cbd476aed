//! People: who they are, what they speak, what protects them.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::ids::PersonId;
use crate::values::{CountryCode, LanguageCode, ShortText};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LatinName {
    pub given: ShortText,
    pub family: Option<ShortText>,
}

/// A name as the person writes it (any script), with an optional Latin transliteration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonName {
    pub given: ShortText,
    /// Absent where the person has no family name.
    pub family: Option<ShortText>,
    pub latin: Option<LatinName>,
}

impl PersonName {
    pub fn display(&self) -> String {
        match &self.family {
            Some(f) => format!("{} {}", self.given, f),
            None => self.given.to_string(),
        }
    }
}

/// A date of birth, exact or (often, for people without documents) an estimated year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateOfBirth {
    /// Read exactly as written (`values::parse_day_exact`).
    Exact(#[serde(deserialize_with = "crate::values::exact_day")] NaiveDate),
    EstimatedYear(i32),
}

/// No one is registered as born before this year (a typing error, not a person).
pub const EARLIEST_BIRTH_YEAR: i32 = 1900;

// By hand, for the bounds: exactly one of the two keys, from `EARLIEST_BIRTH_YEAR` on.
// (That it is not in the future depends on the day it is sent, which no schema says.)
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for DateOfBirth {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{AdditionalProperties, KnownFormat, SchemaFormat, Type};
        use utoipa::openapi::{ObjectBuilder, OneOfBuilder};
        let one_key = |key: &str, value: ObjectBuilder| {
            ObjectBuilder::new()
                .schema_type(Type::Object)
                .property(key, value)
                .required(key)
                .additional_properties(Some(
                    AdditionalProperties::<utoipa::openapi::Schema>::FreeForm(false),
                ))
        };
        let exact = ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
            // 1900 to 9999: the year of a `date` that is not before `EARLIEST_BIRTH_YEAR`.
            .pattern(Some("^(19[0-9]{2}|[2-9][0-9]{3})-"));
        let estimated = ObjectBuilder::new()
            .schema_type(Type::Integer)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int32)))
            .minimum(Some(EARLIEST_BIRTH_YEAR))
            .maximum(Some(9999));
        OneOfBuilder::new()
            .item(one_key("exact", exact))
            .item(one_key("estimated_year", estimated))
            .description(Some(
                "A date of birth, exact or (often, for people without documents) an estimated year.",
            ))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for DateOfBirth {}

/// The age of majority for consent and the age-group rules.
pub const ADULT_AGE: i32 = 18;

impl DateOfBirth {
    /// Whether the person is certainly an adult on `on`. A person with an estimated year
    /// of birth Y is treated as a child until 31 December of Y + 18: where the age is
    /// uncertain, the child-protection rules apply.
    pub fn is_adult_on(&self, on: NaiveDate) -> bool {
        match *self {
            DateOfBirth::Exact(d) => age_on(d, on) >= ADULT_AGE,
            DateOfBirth::EstimatedYear(y) => on.year() > y.saturating_add(ADULT_AGE),
        }
    }

    /// Age in whole years on `on` (for an estimated year: the year difference).
    pub fn age_on(&self, on: NaiveDate) -> i32 {
        match *self {
            DateOfBirth::Exact(d) => age_on(d, on),
            DateOfBirth::EstimatedYear(y) => on.year().saturating_sub(y),
        }
    }

    /// The earliest day the person may have been born: used to refuse births in the future.
    pub fn earliest(&self) -> Option<NaiveDate> {
        match *self {
            DateOfBirth::Exact(d) => Some(d),
            DateOfBirth::EstimatedYear(y) => NaiveDate::from_ymd_opt(y, 1, 1),
        }
    }
}

fn age_on(born: NaiveDate, on: NaiveDate) -> i32 {
    let mut age = on.year() - born.year();
    if (on.month(), on.day()) < (born.month(), born.day()) {
        age -= 1;
    }
    age
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Sex {
    Female,
    Male,
    Other,
}

/// Legal situation in the host country (DESIGN.md, "Vulnerability and protection").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum LegalSituation {
    RegularStay,
    IrregularStay,
    AsylumSeeker,
    Refugee,
    TemporaryProtection,
    VisaOverstayer,
    MigrantWorkerEndOfContract,
    StrandedMigrant,
    Stateless,
}

/// Vulnerabilities recorded per person; several may apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Vulnerability {
    VictimOfTrafficking,
    UnaccompaniedOrSeparatedChild,
    MedicalNeeds,
    VictimOfViolence,
    Elderly,
    SingleParentWithoutSupport,
}

impl Vulnerability {
    pub const ALL: [Vulnerability; 6] = [
        Vulnerability::VictimOfTrafficking,
        Vulnerability::UnaccompaniedOrSeparatedChild,
        Vulnerability::MedicalNeeds,
        Vulnerability::VictimOfViolence,
        Vulnerability::Elderly,
        Vulnerability::SingleParentWithoutSupport,
    ];

    /// A bit per vulnerability, for compact storage and filtering in read models.
    pub fn bit(self) -> i64 {
        1 << (self as u32)
    }

    pub fn mask(set: &BTreeSet<Vulnerability>) -> i64 {
        set.iter().fold(0, |m, v| m | v.bit())
    }

    pub fn from_mask(mask: i64) -> BTreeSet<Vulnerability> {
        Self::ALL
            .into_iter()
            .filter(|v| mask & v.bit() != 0)
            .collect()
    }

    /// Trafficking or violence: history only their readers see, and an organisation
    /// only when that group is shared with it.
    pub fn is_protection_history(self) -> bool {
        matches!(
            self,
            Vulnerability::VictimOfTrafficking | Vulnerability::VictimOfViolence
        )
    }

    pub fn code(self) -> &'static str {
        match self {
            Vulnerability::VictimOfTrafficking => "victim_of_trafficking",
            Vulnerability::UnaccompaniedOrSeparatedChild => "unaccompanied_or_separated_child",
            Vulnerability::MedicalNeeds => "medical_needs",
            Vulnerability::VictimOfViolence => "victim_of_violence",
            Vulnerability::Elderly => "elderly",
            Vulnerability::SingleParentWithoutSupport => "single_parent_without_support",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Contact {
    pub phone: Option<ShortText>,
    pub email: Option<ShortText>,
    pub address: Option<ShortText>,
}

/// Everything recorded about a person. Replaced as a whole by an update or a correction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonDetails {
    pub name: PersonName,
    pub date_of_birth: DateOfBirth,
    pub sex: Sex,
    /// ISO 3166-1; absent for a stateless person or where unknown.
    pub nationality: Option<CountryCode>,
    /// Languages the person understands (ISO 639).
    pub languages: Vec<LanguageCode>,
    #[serde(default)]
    pub contact: Contact,
    pub legal_situation: LegalSituation,
    #[serde(default)]
    pub vulnerabilities: BTreeSet<Vulnerability>,
}

impl PersonDetails {
    pub fn understands(&self, lang: &LanguageCode) -> bool {
        self.languages.contains(lang)
    }

    pub fn has(&self, v: Vulnerability) -> bool {
        self.vulnerabilities.contains(&v)
    }
}

/// A member's relationship to the principal applicant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Relationship {
    Principal,
    Spouse,
    Child,
    Parent,
    Sibling,
    OtherRelative,
    Other,
}

/// A person on a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Member {
    pub person_id: PersonId,
    pub relationship: Relationship,
    pub details: PersonDetails,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn adulthood_starts_on_the_eighteenth_birthday() {
        let dob = DateOfBirth::Exact(d(2008, 3, 15));
        assert!(!dob.is_adult_on(d(2026, 3, 14)));
        assert!(dob.is_adult_on(d(2026, 3, 15)));
    }

    #[test]
    fn an_estimated_year_of_birth_counts_as_a_child_while_in_doubt() {
        let dob = DateOfBirth::EstimatedYear(2008);
        assert!(!dob.is_adult_on(d(2026, 12, 31)));
        assert!(dob.is_adult_on(d(2027, 1, 1)));
    }

    #[test]
    fn vulnerability_masks_round_trip() {
        let set: BTreeSet<_> = [Vulnerability::Elderly, Vulnerability::VictimOfTrafficking]
            .into_iter()
            .collect();
        assert_eq!(Vulnerability::from_mask(Vulnerability::mask(&set)), set);
    }
}
