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

/// A score from 0 to 1 in thousandths: `Permille(250)` is 0.25.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Permille(pub u16);

impl Permille {
    pub const ZERO: Permille = Permille(0);
    pub const ONE: Permille = Permille(1000);

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
}

/// The three dimensions of sustainable reintegration (IOM's definition).
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub name: String,
    pub labels: Labels,
    pub score: Option<Permille>,
}

/// What a question asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum QuestionKind {
    SelectOne { choices: Vec<Choice> },
    SelectMultiple { choices: Vec<Choice> },
    Integer,
    Decimal,
    Date,
    Text,
}

impl QuestionKind {
    fn choices(&self) -> &[Choice] {
        match self {
            QuestionKind::SelectOne { choices } | QuestionKind::SelectMultiple { choices } => {
                choices
            }
            _ => &[],
        }
    }
}

/// When a question is asked: if the answer to an earlier choice question is one of
/// `any_of` (for a multiple choice: includes one of them). Else it is skipped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Condition {
    pub question: String,
    pub any_of: BTreeSet<String>,
}

/// A question of a survey.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    /// Its name, unique in the definition (XLSForm's `name`).
    pub name: String,
    pub labels: Labels,
    pub kind: QuestionKind,
    pub relevant: Option<Condition>,
    pub required: bool,
}

/// A group of scored questions whose mean is one indicator of a dimension, with its
/// weight in the dimension.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Indicator {
    pub name: String,
    pub labels: Labels,
    pub dimension: Dimension,
    pub weight: u32,
    pub questions: Vec<String>,
}

/// How a scored question not answered (skipped by its condition, or left empty) counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Skipped {
    /// Left out: its indicator is the mean of the questions answered (none answered: the
    /// indicator is left out of its dimension, and so on up).
    #[default]
    LeftOut,
    /// As the worst answer: 0.
    Worst,
}

/// A version of a survey.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SurveyDefinition {
    /// The survey's name, the same in every version (XLSForm's `form_id`).
    pub key: String,
    pub version: u32,
    pub title: Labels,
    /// The languages of its labels, each label given in all of them.
    pub languages: Vec<String>,
    pub questions: Vec<Question>,
    pub indicators: Vec<Indicator>,
    /// The weight of each dimension in the composite; a dimension without one is not in it.
    pub dimension_weights: BTreeMap<Dimension, u32>,
    pub skipped: Skipped,
}

/// An answer as given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
/// from 0 to 1 (none where nothing of it was answered).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scores {
    pub indicators: BTreeMap<String, Option<f64>>,
    pub dimensions: BTreeMap<Dimension, Option<f64>>,
    pub composite: Option<f64>,
}

impl SurveyDefinition {
    fn question(&self, name: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.name == name)
    }

    /// Everything wrong with the definition, each at its place (`questions/3/relevant`).
    pub fn violations(&self) -> Vec<Violation> {
        let mut out = vec![];
        let mut bad = |code: &'static str, message: String, at: String| {
            out.push(Violation::new(code, message).at(at));
        };
        if self.key.trim().is_empty() {
            bad("survey.key", "a survey has a name".into(), "key".into());
        }
        if self.languages.is_empty() {
            bad(
                "survey.languages",
                "a survey has labels in one language at least".into(),
                "languages".into(),
            );
        }
        let labelled = |labels: &Labels| self.languages.iter().all(|l| labels.contains_key(l));
        let mut seen: BTreeSet<&str> = BTreeSet::new();
        for (n, q) in self.questions.iter().enumerate() {
            let at = |field: &str| format!("questions/{n}/{field}");
            if q.name.trim().is_empty() || !seen.insert(&q.name) {
                bad(
                    "survey.question_name",
                    format!(
                        "question {} has no name, or one another question has",
                        n + 1
                    ),
                    at("name"),
                );
            }
            if !labelled(&q.labels) {
                bad(
                    "survey.label_missing",
                    format!(
                        "question {} has no label in every language of the survey",
                        q.name
                    ),
                    at("labels"),
                );
            }
            let mut names: BTreeSet<&str> = BTreeSet::new();
            for (c, choice) in q.kind.choices().iter().enumerate() {
                if choice.name.trim().is_empty() || !names.insert(&choice.name) {
                    bad(
                        "survey.choice_name",
                        format!(
                            "an option of {} has no name, or one another option has",
                            q.name
                        ),
                        format!("questions/{n}/choices/{c}/name"),
                    );
                }
                if !labelled(&choice.labels) {
                    bad(
                        "survey.label_missing",
                        format!(
                            "option {} of {} has no label in every language",
                            choice.name, q.name
                        ),
                        format!("questions/{n}/choices/{c}/labels"),
                    );
                }
            }
            if matches!(
                q.kind,
                QuestionKind::SelectOne { .. } | QuestionKind::SelectMultiple { .. }
            ) && q.kind.choices().is_empty()
            {
                bad(
                    "survey.no_choices",
                    format!("{} offers no option", q.name),
                    at("choices"),
                );
            }
            if let Some(c) = &q.relevant {
                // Only an earlier choice question, and only its options.
                let earlier = self.questions[..n].iter().find(|e| e.name == c.question);
                let options: BTreeSet<&str> = earlier
                    .map(|e| e.kind.choices().iter().map(|c| c.name.as_str()).collect())
                    .unwrap_or_default();
                if earlier.is_none()
                    || options.is_empty()
                    || c.any_of.is_empty()
                    || c.any_of.iter().any(|o| !options.contains(o.as_str()))
                {
                    bad(
                        "survey.condition",
                        format!(
                            "{} is asked on the answer to {}, which is not an earlier choice question with those options",
                            q.name, c.question
                        ),
                        at("relevant"),
                    );
                }
            }
        }
        let mut scored: BTreeSet<&str> = BTreeSet::new();
        for (n, i) in self.indicators.iter().enumerate() {
            let at = |field: &str| format!("indicators/{n}/{field}");
            if i.weight == 0 {
                bad(
                    "survey.weight",
                    format!("indicator {} has no weight", i.name),
                    at("weight"),
                );
            }
            if i.questions.is_empty() {
                bad(
                    "survey.indicator_empty",
                    format!("indicator {} scores no question", i.name),
                    at("questions"),
                );
            }
            for name in &i.questions {
                let scorable = self.question(name).is_some_and(|q| {
                    let choices = q.kind.choices();
                    !choices.is_empty() && choices.iter().all(|c| c.score.is_some())
                });
                if !scorable || !scored.insert(name) {
                    bad(
                        "survey.indicator_question",
                        format!(
                            "indicator {} scores {name}, which is not a choice question with a score for each option, or is scored by another indicator",
                            i.name
                        ),
                        at("questions"),
                    );
                }
            }
        }
        for (d, w) in &self.dimension_weights {
            if *w == 0 {
                bad(
                    "survey.weight",
                    format!("the {} dimension has no weight", d.code()),
                    format!("dimension_weights/{}", d.code()),
                );
            }
        }
        out
    }

    /// Whether `q` is asked, given the answers so far.
    pub fn asked(&self, q: &Question, answers: &BTreeMap<String, Answer>) -> bool {
        let Some(c) = &q.relevant else {
            return true;
        };
        // A condition on a question itself skipped is not met.
        if self
            .question(&c.question)
            .is_some_and(|earlier| !self.asked(earlier, answers))
        {
            return false;
        }
        match answers.get(&c.question) {
            Some(Answer::Choice(o)) => c.any_of.contains(o),
            Some(Answer::Choices(os)) => os.iter().any(|o| c.any_of.contains(o)),
            _ => false,
        }
    }

    /// The score of one question's answer (`None`: not answered, or skipped).
    fn question_score(&self, q: &Question, answers: &BTreeMap<String, Answer>) -> Option<f64> {
        if !self.asked(q, answers) {
            return None;
        }
        let score = |name: &str| {
            q.kind
                .choices()
                .iter()
                .find(|c| c.name == name)
                .and_then(|c| c.score)
                .map(Permille::value)
        };
        match answers.get(&q.name)? {
            Answer::Choice(o) => score(o),
            // Several options: the mean of their scores.
            Answer::Choices(os) if !os.is_empty() => {
                let scores: Vec<f64> = os.iter().filter_map(|o| score(o)).collect();
                (!scores.is_empty()).then(|| scores.iter().sum::<f64>() / scores.len() as f64)
            }
            _ => None,
        }
    }

    /// The scores of a set of answers (given under this version).
    pub fn scores(&self, answers: &BTreeMap<String, Answer>) -> Scores {
        let mut indicators = BTreeMap::new();
        let mut by_dimension: BTreeMap<Dimension, Vec<(f64, u32)>> = BTreeMap::new();
        for i in &self.indicators {
            let scores: Vec<f64> = i
                .questions
                .iter()
                .filter_map(|name| self.question(name))
                .filter_map(|q| match (self.question_score(q, answers), self.skipped) {
                    (Some(s), _) => Some(s),
                    (None, Skipped::Worst) => Some(0.0),
                    (None, Skipped::LeftOut) => None,
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
            let total: u32 = parts.iter().map(|(_, w)| w).sum();
            (total > 0).then(|| {
                parts.iter().map(|(s, w)| s * f64::from(*w)).sum::<f64>() / f64::from(total)
            })
        };
        let dimensions: BTreeMap<Dimension, Option<f64>> = Dimension::ALL
            .into_iter()
            .filter(|d| self.indicators.iter().any(|i| i.dimension == *d))
            .map(|d| (d, by_dimension.get(&d).and_then(|p| weighted(p))))
            .collect();
        let parts: Vec<(f64, u32)> = dimensions
            .iter()
            .filter_map(|(d, s)| Some(((*s)?, *self.dimension_weights.get(d)?)))
            .collect();
        Scores {
            indicators,
            dimensions,
            composite: weighted(&parts),
        }
    }
}
