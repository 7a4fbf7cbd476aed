//! Survey definitions in and out of XLSForm, the spreadsheet standard of ODK and Kobo
//! (<https://xlsform.org>), in a declared subset:
//!
//! - `survey`: `type` (`select_one <list>`, `select_multiple <list>`, `integer`,
//!   `decimal`, `date`, `text`), `name`, `label` and `hint` (per language:
//!   `label::English (en)`), `required`, `relevant` (`${q} = 'a' or ${q} = 'b'`, or
//!   `selected(${q}, 'a') or ...`, all on one earlier choice question); and two columns of
//!   our own: `indicator` (the indicator the question scores for) and `scored_by` (how
//!   several options chosen at once score: `mean`, `lowest`, `highest`);
//! - `choices`: `list_name`, `name`, `label`, and our `score` (0 to 1, or empty: not
//!   scored, such as "does not know");
//! - `settings`: `form_id`, `form_title` (or one per language, `form_title::English (en)`),
//!   `version`, `default_language`, and our `skipped` (`left_out` or `worst`) and
//!   `threshold` (the composite from 0 to 1 at or above which the programme counts a
//!   returnee's reintegration as sustainable; empty: none);
//! - our own sheets `indicators` (`name`, `dimension`, `weight`, `label`) and
//!   `dimensions` (`dimension`, `weight`).
//!
//! Anything else with a value (a group, a constraint, a calculation, media) is reported
//! at its sheet, line and column; so is every rule of the survey a definition breaks.
//! An import reads the whole workbook or nothing.

use std::collections::{BTreeMap, BTreeSet};

use homeward_domain::Violation;
use homeward_domain::survey::{
    Choice, Condition, Dimension, Indicator, Labels, Permille, Question, QuestionKind, Several,
    Skipped, Survey, SurveyDefinition, is_name,
};
use homeward_domain::values::LanguageCode;

use crate::workbook::{self, Limits, SheetText};

mod export;
mod sheets;

pub use export::survey_to_xlsx;
use sheets::{Lines, Reader};

/// What a survey workbook may hold: a survey of a few hundred questions unpacks to well
/// under a megabyte.
pub const LIMITS: Limits = Limits {
    unpacked: 16 * 1024 * 1024,
    rows: 5_000,
    columns: 200,
};

const SURVEY: &str = "survey";
const CHOICES: &str = "choices";
const SETTINGS: &str = "settings";
const INDICATORS: &str = "indicators";
const DIMENSIONS: &str = "dimensions";

/// A problem at a sheet's line (as the spreadsheet numbers it) and column.
fn at(sheet: &str, line: usize, column: &str, v: Violation) -> Violation {
    Violation {
        field: Some(format!("{sheet}/{line}/{column}")),
        ..v
    }
    .param("sheet", sheet)
    .param("line", line)
    .param("column", column)
}

/// A column as a spreadsheet names it: A, B, ..., Z, AA, ...
fn column_letter(n: usize) -> String {
    let mut n = n + 1;
    let mut out = Vec::new();
    while n > 0 {
        let r = (n - 1) % 26;
        out.push(b'A' + r as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

fn in_file(code: &'static str, message: String) -> Violation {
    Violation::new(code, message).at("file")
}

/// A language column's language: `English (en)` or `en` (any ISO 639 code), as (code,
/// name as written).
fn language(written: &str) -> Option<(String, Option<String>)> {
    let written = written.trim();
    if let Some((name, rest)) = written.rsplit_once('(') {
        let code = rest.strip_suffix(')')?;
        let code = LanguageCode::parse(code).ok()?;
        let name = name.trim();
        return Some((
            code.as_str().to_string(),
            (!name.is_empty()).then(|| name.to_string()),
        ));
    }
    LanguageCode::parse(written)
        .ok()
        .map(|c| (c.as_str().to_string(), None))
}

fn yes_no(text: &str) -> Option<bool> {
    match text.trim().to_lowercase().as_str() {
        "" | "no" | "false" | "false()" | "0" | "n" => Some(false),
        "yes" | "true" | "true()" | "1" | "y" => Some(true),
        _ => None,
    }
}

/// A `relevant` expression of the subset: comparisons of one question to options, joined
/// by `or` (`${q} = 'a' or ${q} = 'b'`, `selected(${q}, 'a') or selected(${q}, 'b')`).
pub fn parse_relevant(text: &str) -> Option<Condition> {
    fn quoted(t: &str) -> Option<&str> {
        let t = t.trim();
        ['\'', '"']
            .into_iter()
            .find_map(|q| t.strip_prefix(q)?.strip_suffix(q))
    }
    fn reference(t: &str) -> Option<&str> {
        t.trim().strip_prefix("${")?.strip_suffix('}')
    }
    let mut question: Option<&str> = None;
    let mut any_of = BTreeSet::new();
    // `or` between terms, spaced, in any case; options are names, so never hold it.
    // ASCII case folding keeps every byte where it was, so the text is cut where `or` is.
    let lower = text.to_ascii_lowercase();
    let mut terms = vec![];
    let mut from = 0;
    for (i, _) in lower.match_indices(" or ") {
        terms.push(&text[from..i]);
        from = i + 4;
    }
    terms.push(&text[from..]);
    for term in terms {
        let term = term.trim();
        let selected = term
            .get(..9)
            .is_some_and(|p| p.eq_ignore_ascii_case("selected("));
        let (q, option) = if let Some(inner) = term
            .get(9..)
            .filter(|_| selected)
            .and_then(|t| t.strip_suffix(')'))
        {
            let (q, o) = inner.split_once(',')?;
            (reference(q)?, quoted(o)?)
        } else {
            let (q, o) = term.split_once('=')?;
            (reference(q)?, quoted(o)?)
        };
        if question.is_some_and(|known| known != q) || !is_name(q) || !is_name(option) {
            return None;
        }
        question = Some(q);
        any_of.insert(option.to_string());
    }
    Some(Condition::AnyOf {
        question: question?.to_string(),
        any_of,
    })
}

/// A survey read from an XLSForm workbook, numbered `version`; or every problem, each at
/// its sheet, line and column.
pub fn survey_from_xlsx(bytes: &[u8], version: u32) -> Result<Survey, Vec<Violation>> {
    let unreadable = |why: String| {
        vec![
            in_file(
                "xlsform.unreadable",
                format!("the workbook cannot be read: {why}"),
            )
            .param("why", why),
        ]
    };
    let mut book = workbook::open(bytes, LIMITS).map_err(unreadable)?;
    let names: Vec<String> = calamine::Reader::sheet_names(&book).clone();
    let mut sheet = |name: &str| -> Result<Option<SheetText>, Vec<Violation>> {
        match names.iter().find(|n| n.trim().eq_ignore_ascii_case(name)) {
            Some(n) => workbook::sheet(&mut book, n, LIMITS)
                .map(Some)
                .map_err(unreadable),
            None => Ok(None),
        }
    };
    let (Some(survey), Some(settings)) = (sheet(SURVEY)?, sheet(SETTINGS)?) else {
        return Err(vec![in_file(
            "xlsform.sheet_missing",
            "an XLSForm workbook has a sheet named survey and one named settings (with form_id)"
                .into(),
        )]);
    };
    let choices = sheet(CHOICES)?.unwrap_or_default();
    let indicators = sheet(INDICATORS)?.unwrap_or_default();
    let dimensions = sheet(DIMENSIONS)?.unwrap_or_default();
    read(survey, choices, settings, indicators, dimensions, version)
}

fn read(
    survey: SheetText,
    choices: SheetText,
    settings: SheetText,
    indicators: SheetText,
    dimensions: SheetText,
    version: u32,
) -> Result<Survey, Vec<Violation>> {
    let mut r = Reader::default();
    let mut lines = Lines::default();

    // Settings first: the default language names the labels without one.
    let settings = r.table(
        SETTINGS,
        settings,
        &[
            "form_id",
            "form_title",
            "version",
            "default_language",
            "skipped",
            "threshold",
        ],
        &["form_title"],
    );
    let (settings_line, first) = settings
        .lines
        .first()
        .cloned()
        .unwrap_or((settings.header_line + 1, vec![]));
    lines.settings = settings_line;
    let setting = |name: &str| settings.get(&first, name).to_string();
    let default_language = setting("default_language");
    if !default_language.is_empty() {
        match language(&default_language) {
            Some((code, name)) => {
                r.language_met(&code, name);
                r.default_language = Some(code);
            }
            None => r.problems.push(at(
                SETTINGS,
                settings_line,
                "default_language",
                Violation::new(
                    "xlsform.language",
                    format!(
                        "'{default_language}' is not a language as an ISO 639 code: English (en)"
                    ),
                ),
            )),
        }
    }
    let key = setting("form_id");
    if key.is_empty() {
        r.problems.push(at(
            SETTINGS,
            settings_line,
            "form_id",
            Violation::new(
                "xlsform.form_id",
                "the settings give no form_id: the survey's name, the same in every version",
            ),
        ));
    }
    let skipped = match setting("skipped").to_lowercase().as_str() {
        "" | "left_out" => Skipped::LeftOut,
        "worst" => Skipped::Worst,
        other => {
            r.problems.push(at(
                SETTINGS,
                settings_line,
                "skipped",
                Violation::new(
                    "xlsform.skipped",
                    format!("skipped is left_out or worst, not '{other}'"),
                ),
            ));
            Skipped::LeftOut
        }
    };
    let threshold_text = setting("threshold");
    let threshold = match threshold_text.as_str() {
        "" => None,
        text => {
            let t = Permille::parse(text);
            if t.is_none() {
                r.problems.push(at(
                    SETTINGS,
                    settings_line,
                    "threshold",
                    Violation::new(
                        "xlsform.threshold",
                        format!(
                            "threshold is a composite score from 0 to 1 with at most three decimals (0.5), not '{text}'"
                        ),
                    ),
                ));
            }
            t
        }
    };
    let form_version = Some(setting("version")).filter(|v| !v.is_empty());
    let written_titles = settings.labels(&first, "form_title");

    // The options, by list.
    let choices = r.table(
        CHOICES,
        choices,
        &["list_name", "name", "score"],
        &["label"],
    );
    let mut lists: BTreeMap<String, Vec<Choice>> = BTreeMap::new();
    for (line, cells) in &choices.lines {
        let list = choices.get(cells, "list_name");
        if list.is_empty() {
            r.problems.push(at(
                CHOICES,
                *line,
                "list_name",
                Violation::new("xlsform.list_name", "an option names no list (list_name)"),
            ));
            continue;
        }
        let score_text = choices.get(cells, "score");
        let score = if score_text.is_empty() {
            None
        } else {
            let s = Permille::parse(score_text);
            if s.is_none() {
                r.problems.push(at(
                    CHOICES,
                    *line,
                    "score",
                    Violation::new(
                        "xlsform.score",
                        format!(
                            "a score is from 0 to 1 with at most three decimals, not '{score_text}'"
                        ),
                    ),
                ));
            }
            s
        };
        lists.entry(list.to_string()).or_default().push(Choice {
            name: choices.get(cells, "name").to_string(),
            labels: choices.labels(cells, "label"),
            score,
        });
        lines
            .choices
            .entry(list.to_string())
            .or_default()
            .push(*line);
    }

    // Indicators and dimension weights, ours.
    let indicators = r.table(
        INDICATORS,
        indicators,
        &["name", "dimension", "weight"],
        &["label"],
    );
    let mut defined: Vec<Indicator> = vec![];
    for (line, cells) in &indicators.lines {
        let dimension_text = indicators.get(cells, "dimension");
        let dimension = Dimension::from_code(&dimension_text.to_lowercase());
        if dimension.is_none() {
            r.problems.push(at(
                INDICATORS,
                *line,
                "dimension",
                Violation::new(
                    "xlsform.dimension",
                    format!(
                        "'{dimension_text}' is not a dimension: economic, social or psychosocial"
                    ),
                ),
            ));
        }
        let weight = weight(&mut r, INDICATORS, *line, indicators.get(cells, "weight"));
        defined.push(Indicator {
            name: indicators.get(cells, "name").to_string(),
            labels: indicators.labels(cells, "label"),
            dimension: dimension.unwrap_or(Dimension::Economic),
            weight,
            questions: vec![],
        });
        lines.indicators.push(*line);
    }
    let dimensions = r.table(DIMENSIONS, dimensions, &["dimension", "weight"], &[]);
    lines.dimensions_header = dimensions.header_line;
    let mut dimension_weights = BTreeMap::new();
    for (line, cells) in &dimensions.lines {
        let written = dimensions.get(cells, "dimension");
        let w = weight(&mut r, DIMENSIONS, *line, dimensions.get(cells, "weight"));
        match Dimension::from_code(&written.to_lowercase()) {
            Some(d) if !dimension_weights.contains_key(&d) => {
                dimension_weights.insert(d, w);
                lines.dimensions.insert(d, *line);
            }
            _ => r.problems.push(at(
                DIMENSIONS,
                *line,
                "dimension",
                Violation::new(
                    "xlsform.dimension",
                    format!(
                        "'{written}' is not a dimension (economic, social or psychosocial), or is weighed twice"
                    ),
                ),
            )),
        }
    }

    // The questions.
    let survey = r.table(
        SURVEY,
        survey,
        &[
            "type",
            "name",
            "required",
            "relevant",
            "indicator",
            "scored_by",
        ],
        &["label", "hint"],
    );
    lines.survey_header = survey.header_line;
    let mut questions = vec![];
    for (line, cells) in &survey.lines {
        let line = *line;
        let problem = |r: &mut Reader, column: &str, code: &'static str, message: String| {
            r.problems
                .push(at(SURVEY, line, column, Violation::new(code, message)));
        };
        let name = survey.get(cells, "name").to_string();
        let written_type = survey.get(cells, "type");
        let mut words = written_type.split_whitespace();
        let (kind_word, list) = (words.next().unwrap_or(""), words.next());
        let extra = words.next().is_some();
        let scored_by_text = survey.get(cells, "scored_by").to_lowercase();
        let kind = match (kind_word, list, extra) {
            ("select_one" | "select_multiple", Some(list), false) => {
                let Some(options) = lists.get(list) else {
                    problem(
                        &mut r,
                        "type",
                        "xlsform.list",
                        format!(
                            "{name} offers the list {list}, which the choices sheet does not have"
                        ),
                    );
                    continue;
                };
                if kind_word == "select_one" {
                    QuestionKind::SelectOne {
                        list: list.to_string(),
                        choices: options.clone(),
                    }
                } else {
                    let scored_by = match scored_by_text.as_str() {
                        "" | "mean" => Several::Mean,
                        "lowest" => Several::Lowest,
                        "highest" => Several::Highest,
                        other => {
                            problem(
                                &mut r,
                                "scored_by",
                                "xlsform.scored_by",
                                format!("scored_by is mean, lowest or highest, not '{other}'"),
                            );
                            Several::Mean
                        }
                    };
                    QuestionKind::SelectMultiple {
                        list: list.to_string(),
                        choices: options.clone(),
                        scored_by,
                    }
                }
            }
            ("integer" | "int", None, _) => QuestionKind::Integer,
            ("decimal", None, _) => QuestionKind::Decimal,
            ("date", None, _) => QuestionKind::Date,
            ("text", None, _) => QuestionKind::Text,
            _ => {
                problem(
                    &mut r,
                    "type",
                    "xlsform.type",
                    format!(
                        "the type '{written_type}' is not one Homeward reads: select_one <list>, select_multiple <list>, integer, decimal, date or text"
                    ),
                );
                continue;
            }
        };
        if !scored_by_text.is_empty() && !matches!(kind, QuestionKind::SelectMultiple { .. }) {
            problem(
                &mut r,
                "scored_by",
                "xlsform.scored_by",
                format!("{name} is not a select_multiple: scored_by does not apply"),
            );
        }
        let required_text = survey.get(cells, "required");
        let required = yes_no(required_text).unwrap_or_else(|| {
            problem(
                &mut r,
                "required",
                "xlsform.required",
                format!("required is yes or no, not '{required_text}'"),
            );
            false
        });
        let relevant_text = survey.get(cells, "relevant");
        let relevant = if relevant_text.is_empty() {
            None
        } else {
            let c = parse_relevant(relevant_text);
            if c.is_none() {
                problem(
                    &mut r,
                    "relevant",
                    "xlsform.relevant",
                    format!(
                        "'{relevant_text}' is not a condition Homeward reads: ${{q}} = 'a' or ${{q}} = 'b', or selected(${{q}}, 'a') or ..., all on one question"
                    ),
                );
            }
            c
        };
        let indicator = survey.get(cells, "indicator");
        if !indicator.is_empty() {
            match defined.iter_mut().find(|i| i.name == indicator) {
                Some(i) => i.questions.push(name.clone()),
                None => problem(
                    &mut r,
                    "indicator",
                    "xlsform.indicator",
                    format!("the indicators sheet has no indicator {indicator}"),
                ),
            }
        }
        questions.push(Question {
            name,
            labels: survey.labels(cells, "label"),
            hints: survey.labels(cells, "hint"),
            kind,
            relevant,
            required,
        });
        lines.questions.push(line);
    }
    if questions.is_empty() && r.problems.is_empty() {
        r.problems.push(in_file(
            "xlsform.no_question",
            "the survey sheet asks no question".into(),
        ));
    }
    if !r.problems.is_empty() {
        return Err(r.problems);
    }
    // The default language orders the languages; it is one only where labels are in it.
    let used = std::mem::take(&mut r.used);
    r.languages.retain(|(c, _)| used.contains(c));
    let languages: Vec<String> = r.languages.iter().map(|(c, _)| c.clone()).collect();
    // One title for every language unless each is written.
    let title = if written_titles.is_empty() {
        let written = setting("form_title");
        let t = if written.is_empty() {
            key.clone()
        } else {
            written
        };
        languages.iter().map(|l| (l.clone(), t.clone())).collect()
    } else {
        written_titles
    };
    let definition = SurveyDefinition {
        key,
        version,
        form_version,
        title,
        languages,
        language_names: r
            .languages
            .iter()
            .filter_map(|(c, n)| Some((c.clone(), n.clone()?)))
            .collect(),
        questions,
        indicators: defined,
        dimension_weights,
        skipped,
        threshold,
    };
    Survey::import(definition.clone()).map_err(|invalid| {
        let mut placed: Vec<Violation> = vec![];
        for v in invalid.0 {
            let v = lines.place(&definition, v);
            if !placed
                .iter()
                .any(|p| p.code == v.code && p.field == v.field)
            {
                placed.push(v);
            }
        }
        placed
    })
}

fn weight(r: &mut Reader, sheet: &'static str, line: usize, text: &str) -> u32 {
    match text.parse::<u32>() {
        // Out of range, the domain says where.
        Ok(w) => w,
        Err(_) => {
            r.problems.push(at(
                sheet,
                line,
                "weight",
                Violation::new(
                    "xlsform.weight",
                    format!("a weight is a whole number of parts, not '{text}'"),
                ),
            ));
            1
        }
    }
}
