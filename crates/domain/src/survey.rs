//! Surveys as data (DESIGN.md, "Monitoring and evaluation"): a definition's questions,
//! their options, when a question is asked, and how answers are scored into indicators,
//! the three dimensions of reintegration (economic, social, psychosocial) and a
//! composite, each from 0 to 1. A definition is versioned: answers keep the version they
//! were given under, and a version in use is never changed, only superseded.
//!
//! Weights are the programme's: IOM's official ones come from its scoring sheet, entered
//! by the programme. Nothing here invents them.
//!
//! Scores per answer are kept in thousandths (`Permille`) and weights as whole parts, so a
//! definition reads back exactly as it was written; a score is computed from them as a
//! number from 0 to 1.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::rules::Violation;

mod rules;

/// A score from 0 to 1 in thousandths: `Permille::new(250)` is 0.25. Never above 1000,
/// however it is read.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u16", into = "u16")]
#[cfg_attr(feature = "openapi", schema(value_type = u16, minimum = 0, maximum = 1000))]
pub struct Permille(u16);

impl TryFrom<u16> for Permille {
    type Error = String;

    fn try_from(n: u16) -> Result<Self, Self::Error> {
        Permille::new(n).ok_or_else(|| format!("a score is 0 to 1000 thousandths, not {n}"))
    }
}

impl From<Permille> for u16 {
    fn from(p: Permille) -> u16 {
        p.0
    }
}

impl Permille {
    pub const ZERO: Permille = Permille(0);
    pub const ONE: Permille = Permille(1000);

    pub fn new(thousandths: u16) -> Option<Permille> {
        (thousandths <= 1000).then_some(Permille(thousandths))
    }

    pub fn thousandths(self) -> u16 {
        self.0
    }

    /// A decimal from 0 to 1 with at most three decimals ("0.25", "1", ".5"), or `None`.
    pub fn parse(text: &str) -> Option<Permille> {
        let t = text.trim();
        let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
        let digits = |d: &str| d.bytes().all(|b| b.is_ascii_digit());
        if (whole.is_empty() && frac.is_empty()) || !digits(whole) || !digits(frac) {
            return None;
        }
        if frac.len() > 3 || (t.contains('.') && frac.is_empty()) {
            return None;
        }
        let whole: u32 = if whole.is_empty() {
            0
        } else {
            whole.parse().ok()?
        };
        let frac: u32 = format!("{frac:0<3}").parse().ok()?;
        let n = whole.checked_mul(1000)?.checked_add(frac)?;
        (n <= 1000).then_some(Permille(n as u16))
    }

    pub fn value(self) -> f64 {
        f64::from(self.0) / 1000.0
    }

    /// A score from 0 to 1 to the nearest thousandth (half away from zero), once, where
    /// it is kept: 0.6665 is 0.667. Out of range or not a number: `None`.
    pub fn round(score: f64) -> Option<Permille> {
        (0.0..=1.0)
            .contains(&score)
            .then(|| Permille((score * 1000.0).round() as u16))
    }
}

impl std::fmt::Display for Permille {
    /// As a decimal with the digits it needs: "0.25", "1", "0".
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            1000 => f.write_str("1"),
            0 => f.write_str("0"),
            n => {
                let digits = format!("{n:03}");
                write!(f, "0.{}", digits.trim_end_matches('0'))
            }
        }
    }
}

/// The three dimensions of sustainable reintegration (IOM's definition).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    Economic,
    Social,
    Psychosocial,
}

impl Dimension {
    pub const ALL: [Dimension; 3] = [
        Dimension::Economic,
        Dimension::Social,
        Dimension::Psychosocial,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Dimension::Economic => "economic",
            Dimension::Social => "social",
            Dimension::Psychosocial => "psychosocial",
        }
    }

    pub fn from_code(code: &str) -> Option<Dimension> {
        Dimension::ALL.into_iter().find(|d| d.code() == code)
    }
}

/// Labels in the definition's languages: language code -> text.
pub type Labels = BTreeMap<String, String>;

/// An option of a choice question, with the score choosing it gives (none: not scored).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub name: String,
    pub labels: Labels,
    pub score: Option<Permille>,
}

/// How several options chosen at once score: their mean, the lowest or the highest.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Several {
    #[default]
    Mean,
    Lowest,
    Highest,
}

/// What a question asks for.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum QuestionKind {
    /// One option of the list `list` (XLSForm's `list_name`; questions of one list
    /// offer the same options, scored alike).
    SelectOne {
        list: String,
        choices: Vec<Choice>,
    },
    /// Any options of the list `list`.
    SelectMultiple {
        list: String,
        choices: Vec<Choice>,
        #[serde(default)]
        scored_by: Several,
    },
    Integer,
    Decimal,
    Date,
    Text,
}

impl QuestionKind {
    /// The options of a choice question (none for another).
    pub fn choices(&self) -> &[Choice] {
        match self {
            QuestionKind::SelectOne { choices, .. }
            | QuestionKind::SelectMultiple { choices, .. } => choices,
            _ => &[],
        }
    }

    /// The list of a choice question's options (none for another).
    pub fn list(&self) -> Option<&str> {
        match self {
            QuestionKind::SelectOne { list, .. } | QuestionKind::SelectMultiple { list, .. } => {
                Some(list)
            }
            _ => None,
        }
    }
}

/// When a question is asked; else it is skipped. Tagged, so that richer conditions can
/// come without changing the stored ones.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "when", rename_all = "snake_case")]
pub enum Condition {
    /// If the answer to an earlier choice question is one of `any_of` (for a multiple
    /// choice: includes one of them).
    AnyOf {
        question: String,
        any_of: BTreeSet<String>,
    },
}

impl Condition {
    /// The question whose answer it reads.
    pub fn question(&self) -> &str {
        match self {
            Condition::AnyOf { question, .. } => question,
        }
    }

    /// Whether it holds on an answer to that question.
    pub fn holds(&self, answer: Option<&Answer>) -> bool {
        match (self, answer) {
            (Condition::AnyOf { any_of, .. }, Some(Answer::Choice(o))) => any_of.contains(o),
            (Condition::AnyOf { any_of, .. }, Some(Answer::Choices(os))) => {
                os.iter().any(|o| any_of.contains(o))
            }
            _ => false,
        }
    }
}

/// A question of a survey.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    /// Its name, unique in the definition (XLSForm's `name`).
    pub name: String,
    pub labels: Labels,
    /// A hint under the label, in every language of the survey or in none.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub hints: Labels,
    pub kind: QuestionKind,
    pub relevant: Option<Condition>,
    pub required: bool,
}

/// A group of scored questions whose mean is one indicator of a dimension, with its
/// weight in the dimension.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Indicator {
    pub name: String,
    pub labels: Labels,
    pub dimension: Dimension,
    pub weight: u32,
    pub questions: Vec<String>,
}

/// How a scored question asked but not answered (left empty, or answered with an option
/// that has no score, such as "does not know") counts. A question not asked (its
/// condition not met) does not apply to the person and is always left out.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Skipped {
    /// Left out: its indicator is the mean of the questions answered (none answered: the
    /// indicator is left out of its dimension).
    #[default]
    LeftOut,
    /// As the worst answer: 0.
    Worst,
}

/// A version of a survey.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SurveyDefinition {
    /// The survey's name, the same in every version (XLSForm's `form_id`).
    pub key: String,
    pub version: u32,
    /// The version as the form's author named it (XLSForm's `version`), kept as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form_version: Option<String>,
    pub title: Labels,
    /// The languages of its labels, each label given in all of them.
    pub languages: Vec<String>,
    /// Each language's name as the form's author wrote it (`English` of
    /// `label::English (en)`), where one was written.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub language_names: BTreeMap<String, String>,
    pub questions: Vec<Question>,
    pub indicators: Vec<Indicator>,
    /// The weight of each dimension in the composite: one for each dimension with
    /// indicators, and none for another.
    pub dimension_weights: BTreeMap<Dimension, u32>,
    pub skipped: Skipped,
    /// The composite score at or above which the programme counts a returnee's
    /// reintegration as sustainable (the impact report's share above it), as the programme
    /// sets it from its own guidance; none: no share is reported. Part of the version, as
    /// the weights are: a new threshold is a new version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<u16>, minimum = 0, maximum = 1000))]
    pub threshold: Option<Permille>,
}

/// An answer as given.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Answer {
    Choice(String),
    Choices(BTreeSet<String>),
    Integer(i64),
    Decimal(String),
    Date(chrono::NaiveDate),
    Text(String),
}

/// A survey's scores from its answers: each indicator's and dimension's, and the composite,
/// from 0 to 1 (none where nothing of it was answered; the composite only when every
/// dimension with a weight has a score, so that composites compare).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scores {
    pub indicators: BTreeMap<String, Option<f64>>,
    pub dimensions: BTreeMap<Dimension, Option<f64>>,
    pub composite: Option<f64>,
}

/// The most a weight may be: sums of weights stay far within range.
pub const MAX_WEIGHT: u32 = 1_000_000;

/// A name as XLSForm takes it (and answers store it, options space-separated): a letter or
/// underscore, then letters, digits, underscores, hyphens and points.
pub fn is_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

impl SurveyDefinition {
    /// A label in `language` if the survey has it, else in the survey's first language.
    pub fn text<'a>(&self, labels: &'a Labels, language: &str) -> &'a str {
        labels
            .get(language)
            .or_else(|| self.languages.first().and_then(|l| labels.get(l)))
            .map_or("", String::as_str)
    }

    pub fn question(&self, name: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.name == name)
    }

    /// The questions asked, given the answers: in order, each whose condition holds on
    /// an earlier question asked (a condition on a question not asked does not hold).
    pub fn asked(&self, answers: &BTreeMap<String, Answer>) -> BTreeSet<&str> {
        let mut asked: BTreeSet<&str> = BTreeSet::new();
        for q in &self.questions {
            let holds = match &q.relevant {
                None => true,
                Some(c) => asked.contains(c.question()) && c.holds(answers.get(c.question())),
            };
            if holds {
                asked.insert(&q.name);
            }
        }
        asked
    }

    /// What is wrong with a set of answers given under this version, each at its
    /// question: an answer to no question, to a question not asked, of the wrong kind, an
    /// option the question does not offer, or a required question left empty. Scores are
    /// computed from answers without any.
    pub fn answer_violations(&self, answers: &BTreeMap<String, Answer>) -> Vec<Violation> {
        let asked = self.asked(answers);
        let mut out = vec![];
        for (name, answer) in answers {
            let at = format!("answers/{name}");
            let Some(q) = self.question(name) else {
                out.push(
                    Violation::new(
                        "answer.unknown_question",
                        format!("the survey asks no question {name}"),
                    )
                    .at(at),
                );
                continue;
            };
            if !asked.contains(name.as_str()) {
                out.push(
                    Violation::new(
                        "answer.not_asked",
                        format!(
                            "{name} is not asked, given the answers to the questions before it"
                        ),
                    )
                    .at(at),
                );
                continue;
            }
            let offers = |o: &str| q.kind.choices().iter().any(|c| c.name == o);
            let fits = match (&q.kind, answer) {
                (QuestionKind::SelectOne { .. }, Answer::Choice(o)) => offers(o),
                (QuestionKind::SelectMultiple { .. }, Answer::Choices(os)) => {
                    !os.is_empty() && os.iter().all(|o| offers(o))
                }
                (QuestionKind::Integer, Answer::Integer(_))
                | (QuestionKind::Date, Answer::Date(_)) => true,
                (QuestionKind::Decimal, Answer::Decimal(d)) => {
                    d.trim().parse::<f64>().is_ok_and(f64::is_finite)
                }
                (QuestionKind::Text, Answer::Text(t)) => !t.trim().is_empty(),
                _ => false,
            };
            if !fits {
                out.push(
                    Violation::new(
                        "answer.kind",
                        format!("the answer to {name} is not one the question takes (its kind, or its options)"),
                    )
                    .at(at),
                );
            }
        }
        for q in &self.questions {
            if q.required && asked.contains(q.name.as_str()) && !answers.contains_key(&q.name) {
                out.push(
                    Violation::new(
                        "answer.required",
                        format!("{} is asked and not answered", q.name),
                    )
                    .at(format!("answers/{}", q.name)),
                );
            }
        }
        out
    }

    /// The score of one question's answer (`None`: not answered, or with no score).
    fn question_score(q: &Question, answer: Option<&Answer>) -> Option<f64> {
        let score = |name: &str| {
            q.kind
                .choices()
                .iter()
                .find(|c| c.name == name)
                .and_then(|c| c.score)
                .map(Permille::value)
        };
        match (answer?, &q.kind) {
            (Answer::Choice(o), QuestionKind::SelectOne { .. }) => score(o),
            (Answer::Choices(os), QuestionKind::SelectMultiple { scored_by, .. }) => {
                let scores: Vec<f64> = os.iter().filter_map(|o| score(o)).collect();
                if scores.is_empty() {
                    return None;
                }
                Some(match scored_by {
                    Several::Mean => scores.iter().sum::<f64>() / scores.len() as f64,
                    Several::Lowest => scores.iter().copied().fold(1.0, f64::min),
                    Several::Highest => scores.iter().copied().fold(0.0, f64::max),
                })
            }
            _ => None,
        }
    }

    /// The scores of a set of answers given under this version (without
    /// `answer_violations`).
    pub fn scores(&self, answers: &BTreeMap<String, Answer>) -> Scores {
        let asked = self.asked(answers);
        let mut indicators = BTreeMap::new();
        let mut by_dimension: BTreeMap<Dimension, Vec<(f64, u32)>> = BTreeMap::new();
        for i in &self.indicators {
            let scores: Vec<f64> = i
                .questions
                .iter()
                .filter_map(|name| self.question(name))
                // Not asked: it does not apply.
                .filter(|q| asked.contains(q.name.as_str()))
                .filter_map(|q| {
                    match (Self::question_score(q, answers.get(&q.name)), self.skipped) {
                        (Some(s), _) => Some(s),
                        (None, Skipped::Worst) => Some(0.0),
                        (None, Skipped::LeftOut) => None,
                    }
                })
                .collect();
            let score =
                (!scores.is_empty()).then(|| scores.iter().sum::<f64>() / scores.len() as f64);
            if let Some(s) = score {
                by_dimension
                    .entry(i.dimension)
                    .or_default()
                    .push((s, i.weight));
            }
            indicators.insert(i.name.clone(), score);
        }
        let weighted = |parts: &[(f64, u32)]| {
            let total: u64 = parts.iter().map(|(_, w)| u64::from(*w)).sum();
            (total > 0)
                .then(|| parts.iter().map(|(s, w)| s * f64::from(*w)).sum::<f64>() / total as f64)
        };
        let dimensions: BTreeMap<Dimension, Option<f64>> = Dimension::ALL
            .into_iter()
            .filter(|d| self.indicators.iter().any(|i| i.dimension == *d))
            .map(|d| (d, by_dimension.get(&d).and_then(|p| weighted(p))))
            .collect();
        // Only when every weighted dimension is scored: a composite of fewer would not
        // compare with others.
        let parts: Option<Vec<(f64, u32)>> = self
            .dimension_weights
            .iter()
            .map(|(d, w)| Some(((*dimensions.get(d)?)?, *w)))
            .collect();
        Scores {
            indicators,
            dimensions,
            composite: parts.and_then(|p| weighted(&p)),
        }
    }
}

/// A definition that keeps its rules: made only by `Survey::new`, and read back (from
/// storage or a request) only if it still has no violation, so that a stored definition
/// cannot skip them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "SurveyDefinition", into = "SurveyDefinition")]
pub struct Survey(SurveyDefinition);

/// A definition with its violations, as `Survey::new` refuses it.
#[derive(Debug, Clone, PartialEq)]
pub struct Invalid(pub Vec<Violation>);

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|v| format!("{} ({})", v.message, v.field.as_deref().unwrap_or("")))
            .collect();
        write!(f, "the survey is not valid: {}", parts.join("; "))
    }
}

impl TryFrom<SurveyDefinition> for Survey {
    type Error = Invalid;

    fn try_from(d: SurveyDefinition) -> Result<Self, Self::Error> {
        Survey::new(d)
    }
}

impl From<Survey> for SurveyDefinition {
    fn from(s: Survey) -> SurveyDefinition {
        s.0
    }
}

impl std::ops::Deref for Survey {
    type Target = SurveyDefinition;

    fn deref(&self) -> &SurveyDefinition {
        &self.0
    }
}

impl Survey {
    pub fn new(definition: SurveyDefinition) -> Result<Survey, Invalid> {
        let v = definition.violations();
        if v.is_empty() {
            Ok(Survey(definition))
        } else {
            Err(Invalid(v))
        }
    }

    /// A definition imported as a new version: `new`'s rules, and those added since
    /// versions were first stored (`SurveyDefinition::new_version_violations`), which a
    /// version stored before them is not held to when it is read back.
    pub fn import(definition: SurveyDefinition) -> Result<Survey, Invalid> {
        let mut v = definition.violations();
        v.extend(definition.new_version_violations());
        if v.is_empty() {
            Ok(Survey(definition))
        } else {
            Err(Invalid(v))
        }
    }

    pub fn definition(&self) -> &SurveyDefinition {
        &self.0
    }

    /// The same questions, options, conditions, scores and weights under another version
    /// number (whether an import brings anything new).
    pub fn same_as(&self, other: &SurveyDefinition) -> bool {
        let renumbered = SurveyDefinition {
            version: self.0.version,
            ..other.clone()
        };
        self.0 == renumbered
    }

    /// The scores of a response given under this version, kept to the thousandth; or
    /// what is wrong with the response (another survey or version, answers that do not
    /// fit).
    pub fn score(&self, response: &Response) -> Result<ScoreCard, Vec<Violation>> {
        if response.key != self.key || response.version != self.version {
            return Err(vec![
                Violation::new(
                    "answer.version",
                    format!(
                        "the answers were given under {} version {}, not {} version {}",
                        response.key, response.version, self.key, self.version
                    ),
                )
                .at("version"),
            ]);
        }
        let v = self.answer_violations(&response.answers);
        if !v.is_empty() {
            return Err(v);
        }
        let s = self.scores(&response.answers);
        let round = |x: &Option<f64>| x.and_then(Permille::round);
        Ok(ScoreCard {
            key: self.key.clone(),
            version: self.version,
            indicators: s
                .indicators
                .iter()
                .map(|(k, x)| (k.clone(), round(x)))
                .collect(),
            dimensions: s.dimensions.iter().map(|(k, x)| (*k, round(x))).collect(),
            composite: round(&s.composite),
            threshold: self.threshold,
        })
    }
}

/// Answers given under one version of a survey.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Response {
    pub key: String,
    pub version: u32,
    pub answers: BTreeMap<String, Answer>,
}

/// Scores as kept: to the thousandth, with the survey and version they were computed
/// under.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScoreCard {
    pub key: String,
    pub version: u32,
    /// Each indicator's score in thousandths, or null where nothing of it was answered.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub indicators: BTreeMap<String, Option<Permille>>,
    /// Each dimension's score in thousandths, or null.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub dimensions: BTreeMap<Dimension, Option<Permille>>,
    pub composite: Option<Permille>,
    /// The version's threshold of sustainability (`SurveyDefinition::threshold`), kept
    /// with the scores it judges.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<u16>, minimum = 0, maximum = 1000))]
    pub threshold: Option<Permille>,
}

impl ScoreCard {
    /// Whether the composite is at or above the version's threshold: none where the
    /// version sets no threshold or the composite was not scored.
    pub fn sustainable(&self) -> Option<bool> {
        self.composite.zip(self.threshold).map(|(c, t)| c >= t)
    }
}

/// A survey answered in a follow-up, as kept in the case's history: the answers, the
/// definition they were given under (its key, version and the digest of the definition
/// as stored) and the scores computed from them then. A correction of the follow-up
/// brings answers scored again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SurveyAnswers {
    pub response: Response,
    /// SHA-256 of the definition as stored, in hex.
    pub digest: String,
    pub scores: ScoreCard,
}

impl SurveyAnswers {
    /// Answers not yet scored, as an interface receives them: the application scores
    /// them under their version before anything is decided (and the domain refuses them
    /// unscored).
    pub fn unscored(response: Response) -> SurveyAnswers {
        SurveyAnswers {
            scores: ScoreCard {
                key: response.key.clone(),
                version: response.version,
                indicators: BTreeMap::new(),
                dimensions: BTreeMap::new(),
                composite: None,
                threshold: None,
            },
            digest: String::new(),
            response,
        }
    }

    /// Whether its parts name one survey version: the scores of these answers' version.
    pub fn consistent(&self) -> bool {
        self.scores.key == self.response.key
            && self.scores.version == self.response.version
            && self.digest.len() == 64
            && self.digest.bytes().all(|b| b.is_ascii_hexdigit())
    }
}
