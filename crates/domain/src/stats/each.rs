//! Groupings by each of several attributes a person may have at once (vulnerabilities,
//! types of assistance received): a row per attribute, a person counting in each row of
//! theirs, then the rows of those with any of them and with none. And the rules a table
//! of returns must keep to be asked at all.

use super::Dim;
use crate::Violation;
use crate::case::reintegration::AssistanceType;
use crate::person::Vulnerability;

/// The group of people with any of the attributes of a grouping by each.
pub const ANY: &str = "any";
/// The group of people with none of them.
pub const NONE: &str = "none";

/// Attributes a person may have several of, each a row of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ByEach {
    /// Each vulnerability.
    Vulnerability,
    /// Each reintegration option taken up: the types of assistance a person received
    /// (`Reintegration::received_by`).
    Assistance,
}

impl ByEach {
    pub const ALL: [ByEach; 2] = [ByEach::Vulnerability, ByEach::Assistance];

    /// How the rows are named in the API, the pages and the exports.
    pub fn code(self) -> &'static str {
        match self {
            ByEach::Vulnerability => "vulnerability",
            ByEach::Assistance => "assistance",
        }
    }

    pub fn from_code(code: &str) -> Option<ByEach> {
        ByEach::ALL.into_iter().find(|b| b.code() == code)
    }

    /// Each attribute's code and bit (in the masks people are stored with), in the
    /// domain's order.
    pub fn each(self) -> Vec<(&'static str, i64)> {
        match self {
            ByEach::Vulnerability => Vulnerability::ALL
                .iter()
                .map(|v| (v.code(), v.bit()))
                .collect(),
            ByEach::Assistance => AssistanceType::ALL
                .iter()
                .map(|a| (a.code(), a.bit()))
                .collect(),
        }
    }

    /// Every attribute's code and mask, then `ANY` with all of them.
    pub fn with_any(self) -> Vec<(&'static str, i64)> {
        let each = self.each();
        let any = each.iter().fold(0, |m, (_, bit)| m | bit);
        each.into_iter().chain([(ANY, any)]).collect()
    }

    /// The rows a person with the attributes of `mask` counts in: each of theirs, then
    /// `ANY`, or `NONE` alone.
    pub fn groups(self, mask: i64) -> Vec<&'static str> {
        let mut groups: Vec<&'static str> = self
            .each()
            .into_iter()
            .filter(|(_, bit)| mask & bit != 0)
            .map(|(code, _)| code)
            .collect();
        groups.push(if groups.is_empty() { NONE } else { ANY });
        groups
    }
}

/// A table of returns as asked: its rows' and columns' dimensions, or its rows by each,
/// and whether options taken up are counted by the month they were taken up (as a reader
/// of protected figures always reads them).
#[derive(Debug, Clone, Copy, Default)]
pub struct TableAsked {
    pub rows: Option<Dim>,
    pub columns: Option<Dim>,
    pub by_each: Option<ByEach>,
    pub taken_up: bool,
}

impl TableAsked {
    /// Options taken up by month crossed with the year: a person who took up options in
    /// two years would count in both, which a table's `Shape` cannot say.
    pub fn taken_up_by_year(&self) -> bool {
        self.taken_up && self.by_each == Some(ByEach::Assistance) && self.columns == Some(Dim::Year)
    }

    /// What is wrong with asking this table, for a reader of exact figures or not: empty
    /// when it may be counted.
    pub fn violations(&self, exact: bool) -> Vec<Violation> {
        let mut wrong = vec![];
        if self.taken_up_by_year() {
            wrong.push(
                Violation::new(
                    "statistics.taken_up_by_year",
                    "options taken up by month are not crossed with the year: a person who took up options in two years would count in both; ask for one year as the period instead",
                )
                .at("columns"),
            );
        }
        if self.rows.is_some() && self.rows == self.columns {
            wrong.push(
                Violation::new(
                    "statistics.same_dimension",
                    "rows and columns are grouped by two different dimensions",
                )
                .at("columns"),
            );
        }
        if !exact {
            for (field, d) in [("rows", self.rows), ("columns", self.columns)] {
                if let Some(d) = d.filter(|d| d.exact_only()) {
                    wrong.push(
                        Violation::new(
                            "statistics.exact_only",
                            format!(
                                "{} is for readers of exact figures: its keys sum the host countries of each programme as its settings stood at each departure, so tables by host country could not be protected against it",
                                d.code()
                            ),
                        )
                        .at(field),
                    );
                }
            }
        }
        wrong
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_person_counts_in_each_of_theirs_then_any_or_none() {
        let by = ByEach::Vulnerability;
        let medical = Vulnerability::MedicalNeeds.bit();
        let elderly = Vulnerability::Elderly.bit();
        assert_eq!(by.groups(0), vec![NONE]);
        assert_eq!(by.groups(medical), vec!["medical_needs", ANY]);
        assert_eq!(
            by.groups(medical | elderly),
            vec!["medical_needs", "elderly", ANY]
        );
        let rows = by.with_any();
        assert_eq!(rows.len(), Vulnerability::ALL.len() + 1);
        assert_eq!(
            rows.last().map(|(c, m)| (*c, *m)),
            Some((ANY, Vulnerability::ALL.iter().fold(0, |m, v| m | v.bit())))
        );
        assert_eq!(ByEach::from_code("assistance"), Some(ByEach::Assistance));
        assert_eq!(ByEach::from_code("sex"), None);
    }

    #[test]
    fn a_table_keeps_to_its_rules() {
        let codes = |t: TableAsked, exact| {
            t.violations(exact)
                .into_iter()
                .map(|v| (v.code, v.field.unwrap_or_default()))
                .collect::<Vec<_>>()
        };
        let by_year = TableAsked {
            by_each: Some(ByEach::Assistance),
            columns: Some(Dim::Year),
            taken_up: true,
            ..TableAsked::default()
        };
        assert_eq!(
            codes(by_year, true),
            vec![("statistics.taken_up_by_year", "columns".into())]
        );
        // By departure (a reader of exact figures who did not ask by month): allowed.
        assert!(
            codes(
                TableAsked {
                    taken_up: false,
                    ..by_year
                },
                true
            )
            .is_empty()
        );
        let same = TableAsked {
            rows: Some(Dim::Sex),
            columns: Some(Dim::Sex),
            ..TableAsked::default()
        };
        assert_eq!(
            codes(same, true),
            vec![("statistics.same_dimension", "columns".into())]
        );
        let exact_only: Vec<Dim> = Dim::ALL.into_iter().filter(|d| d.exact_only()).collect();
        assert!(!exact_only.is_empty());
        for d in exact_only {
            let t = TableAsked {
                rows: Some(d),
                ..TableAsked::default()
            };
            assert!(codes(t, true).is_empty());
            assert_eq!(
                codes(t, false),
                vec![("statistics.exact_only", "rows".into())]
            );
        }
    }
}
