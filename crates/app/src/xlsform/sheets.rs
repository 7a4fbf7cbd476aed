//! The workbook's sheets as tables (header and lines), the reader that gathers every
//! problem on the way, and where each part of a definition was read from.

use super::*;

/// What a column of a sheet holds.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Column {
    /// A column of the subset, by its name in lower case.
    Known(String),
    /// `label`, `hint` or `form_title` in a language (its code).
    InLanguage(String, String),
    /// Not of the subset: reported where it holds a value.
    Other(String),
    /// Reported already (at the header).
    Refused,
}

/// A sheet as a header and lines.
pub(super) struct Table {
    pub(super) header_line: usize,
    pub(super) columns: Vec<Column>,
    pub(super) lines: Vec<(usize, Vec<String>)>,
}

impl Table {
    pub(super) fn get<'a>(&self, cells: &'a [String], name: &str) -> &'a str {
        self.columns
            .iter()
            .position(|c| *c == Column::Known(name.to_string()))
            .and_then(|n| cells.get(n))
            .map_or("", String::as_str)
    }

    pub(super) fn labels(&self, cells: &[String], kind: &str) -> Labels {
        self.columns
            .iter()
            .enumerate()
            .filter_map(|(n, c)| match c {
                Column::InLanguage(k, lang) if k == kind => cells
                    .get(n)
                    .filter(|t| !t.is_empty())
                    .map(|t| (lang.clone(), t.clone())),
                _ => None,
            })
            .collect()
    }
}

/// Reads sheets into tables and gathers every problem on the way.
#[derive(Default)]
pub(super) struct Reader {
    pub(super) problems: Vec<Violation>,
    /// Languages in the order first met: code, and its name where one was written.
    pub(super) languages: Vec<(String, Option<String>)>,
    /// The languages some column with a value is in.
    pub(super) used: BTreeSet<String>,
    pub(super) default_language: Option<String>,
}

impl Reader {
    pub(super) fn language_met(&mut self, code: &str, name: Option<String>) {
        match self.languages.iter_mut().find(|(c, _)| c == code) {
            Some((_, known)) => {
                if known.is_none() {
                    *known = name;
                }
            }
            None => self.languages.push((code.to_string(), name)),
        }
    }

    /// A sheet's table: `known` are its columns of the subset; `in_language` those that
    /// may name a language. A column of neither is kept and reported where it has a
    /// value.
    pub(super) fn table(
        &mut self,
        sheet: &'static str,
        text: SheetText,
        known: &[&str],
        in_language: &[&str],
    ) -> Table {
        for (line, column, what) in &text.odd {
            self.problems.push(at(
                sheet,
                *line,
                &column_letter(*column),
                Violation::new(
                    "xlsform.not_a_value",
                    format!("{what} is not a value a survey takes: type it as text"),
                ),
            ));
        }
        let mut rows = text.rows.into_iter();
        let Some((header_row, header)) = rows.next() else {
            return Table {
                header_line: 1,
                columns: vec![],
                lines: vec![],
            };
        };
        let header_line = header_row as usize + 1;
        let mut columns = vec![];
        for (n, written) in header.iter().enumerate() {
            let lower = written.trim().to_lowercase();
            // `list name` is an older spelling of `list_name`.
            let lower = if lower == "list name" {
                "list_name".to_string()
            } else {
                lower
            };
            let (base, lang) = match written.split_once("::") {
                Some((b, l)) => (b.trim().to_lowercase(), Some(l)),
                None => (lower.clone(), None),
            };
            let column = if lang.is_none() && known.contains(&lower.as_str()) {
                Column::Known(lower)
            } else if in_language.contains(&base.as_str()) {
                let lang = match lang {
                    Some(l) => language(l),
                    None => self.default_language.clone().map(|c| (c, None)),
                };
                match lang {
                    Some((code, _)) => Column::InLanguage(base, code),
                    None => {
                        self.problems.push(at(
                            sheet,
                            header_line,
                            written,
                            Violation::new(
                                "xlsform.language",
                                format!(
                                    "column {} does not say its language as an ISO 639 code: write {base}::English (en), or set default_language in settings",
                                    n + 1
                                ),
                            ),
                        ));
                        Column::Refused
                    }
                }
            } else {
                Column::Other(written.clone())
            };
            columns.push(column);
        }
        let lines: Vec<(usize, Vec<String>)> = rows
            .filter(|(_, cells)| cells.iter().any(|c| !c.is_empty()))
            .map(|(r, cells)| (r as usize + 1, cells))
            .collect();
        let has_value = |n: usize| {
            lines
                .iter()
                .any(|(_, cells)| cells.get(n).is_some_and(|v| !v.is_empty()))
        };
        // A language is the survey's where a column of it holds a value (an empty hint
        // column in every language is common and says nothing).
        for (n, c) in columns.iter().enumerate() {
            if let Column::InLanguage(_, code) = c
                && has_value(n)
            {
                let name = header
                    .get(n)
                    .and_then(|h| h.split_once("::"))
                    .and_then(|(_, l)| language(l))
                    .and_then(|(_, name)| name);
                self.language_met(code, name);
                self.used.insert(code.clone());
            }
        }
        // Two columns that say the same (two `name`s, `label` and `label::English (en)`
        // with English the default language) would leave one of them unread.
        for (n, c) in columns.iter().enumerate() {
            if matches!(c, Column::Known(_) | Column::InLanguage(..)) && columns[..n].contains(c) {
                self.problems.push(at(
                    sheet,
                    header_line,
                    &header[n],
                    Violation::new(
                        "xlsform.column_twice",
                        format!(
                            "column {} says what an earlier column of sheet {sheet} says: keep one",
                            n + 1
                        ),
                    ),
                ));
            }
        }
        // A value under no header is read by nobody.
        if let Some((line, cells)) = lines.iter().find(|(_, cells)| {
            cells
                .iter()
                .enumerate()
                .any(|(n, v)| n >= header.len() && !v.is_empty())
        }) {
            let n = cells.len().saturating_sub(1).max(header.len());
            self.problems.push(at(
                sheet,
                *line,
                &column_letter(n),
                Violation::new(
                    "xlsform.column",
                    format!("a value of sheet {sheet} is in a column with no header"),
                ),
            ));
        }
        // A column not of the subset is reported at its first value.
        for (n, c) in columns.iter().enumerate() {
            if let Column::Other(name) = c
                && let Some((line, _)) = lines
                    .iter()
                    .find(|(_, cells)| cells.get(n).is_some_and(|v| !v.is_empty()))
            {
                self.problems.push(at(
                    sheet,
                    *line,
                    name,
                    Violation::new(
                        "xlsform.column",
                        format!(
                            "column {name} of sheet {sheet} is not one Homeward reads; remove it or leave it empty"
                        ),
                    ),
                ));
            }
        }
        Table {
            header_line,
            columns,
            lines,
        }
    }
}

/// Where each part of the definition was read, to place the domain's violations.
#[derive(Default)]
pub(super) struct Lines {
    pub(super) settings: usize,
    pub(super) survey_header: usize,
    pub(super) questions: Vec<usize>,
    /// Each list's options' lines.
    pub(super) choices: BTreeMap<String, Vec<usize>>,
    pub(super) indicators: Vec<usize>,
    pub(super) dimensions: BTreeMap<Dimension, usize>,
    pub(super) dimensions_header: usize,
}

impl Lines {
    /// A violation of the domain, moved from its path in the definition
    /// (`questions/3/relevant`) to the sheet, line and column it was read from.
    pub(super) fn place(&self, d: &SurveyDefinition, v: Violation) -> Violation {
        let path = v.field.clone().unwrap_or_default();
        let parts: Vec<&str> = path.split('/').collect();
        let index = |n: usize| parts.get(n).and_then(|p| p.parse::<usize>().ok());
        let (sheet, line, column) = match parts.as_slice() {
            ["key" | "version" | "title", ..] => (
                SETTINGS,
                self.settings,
                match parts[0] {
                    "key" => "form_id",
                    "version" => "version",
                    _ => "form_title",
                },
            ),
            ["questions", _, "choices", _, field] => {
                let q = index(1).and_then(|n| d.questions.get(n));
                let list = q.and_then(|q| q.kind.list()).unwrap_or_default();
                let line = index(3)
                    .and_then(|c| self.choices.get(list)?.get(c).copied())
                    .unwrap_or(1);
                (
                    CHOICES,
                    line,
                    if *field == "labels" { "label" } else { "name" },
                )
            }
            ["questions", _, field, ..] => (
                SURVEY,
                index(1)
                    .and_then(|n| self.questions.get(n).copied())
                    .unwrap_or(self.survey_header),
                match *field {
                    "labels" => "label",
                    "hints" => "hint",
                    "relevant" => "relevant",
                    "list" | "choices" => "type",
                    _ => "name",
                },
            ),
            ["indicators", _, field] => (
                INDICATORS,
                index(1)
                    .and_then(|n| self.indicators.get(n).copied())
                    .unwrap_or(1),
                match *field {
                    "labels" => "label",
                    "weight" => "weight",
                    "questions" => "name",
                    _ => "name",
                },
            ),
            ["dimension_weights", d] => (
                DIMENSIONS,
                Dimension::from_code(d)
                    .and_then(|d| self.dimensions.get(&d).copied())
                    .unwrap_or(self.dimensions_header),
                "weight",
            ),
            _ => (SURVEY, self.survey_header, "label"),
        };
        at(sheet, line, column, v)
    }
}
