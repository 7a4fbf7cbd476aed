//! What makes a survey definition one that can be asked and scored: every rule it is
//! held to when imported, and when read back.

use super::*;

impl SurveyDefinition {
    /// Rules a new version keeps that a stored one may not: a question named as a part of
    /// a date question (a date is asked as its day, month and year, `<name>-day` and so
    /// on, which would collide on the form).
    pub fn new_version_violations(&self) -> Vec<Violation> {
        let date_parts: BTreeSet<String> = self
            .questions
            .iter()
            .filter(|q| matches!(q.kind, QuestionKind::Date))
            .flat_map(|q| ["day", "month", "year"].map(|p| format!("{}-{p}", q.name)))
            .collect();
        self.questions
            .iter()
            .enumerate()
            .filter(|(_, q)| date_parts.contains(&q.name))
            .map(|(n, q)| {
                Violation::new(
                    "survey.question_name",
                    format!(
                        "question {} is named as a part of a date question ({}), which is asked as its day, month and year: rename one of them",
                        n + 1,
                        q.name
                    ),
                )
                .at(format!("questions/{n}/name"))
            })
            .collect()
    }

    /// Everything wrong with the definition, each at its place (`questions/3/relevant`).
    pub fn violations(&self) -> Vec<Violation> {
        let mut out = vec![];
        let mut bad = |code: &'static str, message: String, at: String| {
            out.push(Violation::new(code, message).at(at));
        };
        if !is_name(&self.key) {
            bad(
                "survey.key",
                format!(
                    "'{}' is not a survey's name: a letter, then letters, digits, _ - .",
                    self.key
                ),
                "key".into(),
            );
        }
        if self.version == 0 {
            bad(
                "survey.version",
                "versions count from 1".into(),
                "version".into(),
            );
        }
        let languages: BTreeSet<&str> = self.languages.iter().map(String::as_str).collect();
        if languages.is_empty()
            || languages.len() != self.languages.len()
            || languages.iter().any(|l| l.trim().is_empty())
        {
            bad(
                "survey.languages",
                "a survey has labels in one language at least, each named once".into(),
                "languages".into(),
            );
        }
        // Every label in each language of the survey, none empty, none in another.
        let labelled = |labels: &Labels| {
            labels.len() == languages.len()
                && languages
                    .iter()
                    .all(|l| labels.get(*l).is_some_and(|t| !t.trim().is_empty()))
        };
        if !labelled(&self.title) {
            bad(
                "survey.label_missing",
                "the survey's title is not in every language of the survey".into(),
                "title".into(),
            );
        }
        let mut seen: BTreeSet<&str> = BTreeSet::new();
        for (n, q) in self.questions.iter().enumerate() {
            let at = |field: &str| format!("questions/{n}/{field}");
            if !is_name(&q.name) || !seen.insert(&q.name) {
                bad(
                    "survey.question_name",
                    format!(
                        "question {} has no name as XLSForm takes them, or one another question has",
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
                if !is_name(&choice.name) || !names.insert(&choice.name) {
                    bad(
                        "survey.choice_name",
                        format!(
                            "an option of {} has no name as XLSForm takes them, or one another option has",
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
            if let Some(Condition::AnyOf { question, any_of }) = &q.relevant {
                // Only an earlier choice question, and only its options.
                let earlier = self.questions[..n].iter().find(|e| &e.name == question);
                let options: BTreeSet<&str> = earlier
                    .map(|e| e.kind.choices().iter().map(|c| c.name.as_str()).collect())
                    .unwrap_or_default();
                if earlier.is_none()
                    || options.is_empty()
                    || any_of.is_empty()
                    || any_of.iter().any(|o| !options.contains(o.as_str()))
                {
                    bad(
                        "survey.condition",
                        format!(
                            "{} is asked on the answer to {question}, which is not an earlier choice question with those options",
                            q.name
                        ),
                        at("relevant"),
                    );
                }
            }
            if !q.hints.is_empty() && !labelled(&q.hints) {
                bad(
                    "survey.label_missing",
                    format!(
                        "question {} has a hint, and not in every language of the survey",
                        q.name
                    ),
                    at("hints"),
                );
            }
            if let Some(list) = q.kind.list() {
                // A list is one set of options, scored alike wherever it is asked.
                let first = self.questions[..n]
                    .iter()
                    .find(|e| e.kind.list() == Some(list));
                if !is_name(list) || first.is_some_and(|e| e.kind.choices() != q.kind.choices()) {
                    bad(
                        "survey.list",
                        format!(
                            "{} offers the list '{list}', which is not a name as XLSForm takes them or is offered with other options before",
                            q.name
                        ),
                        at("list"),
                    );
                }
            }
        }
        let mut scored: BTreeSet<&str> = BTreeSet::new();
        let mut indicator_names: BTreeSet<&str> = BTreeSet::new();
        for (n, i) in self.indicators.iter().enumerate() {
            let at = |field: &str| format!("indicators/{n}/{field}");
            if !is_name(&i.name) || !indicator_names.insert(&i.name) {
                bad(
                    "survey.indicator_name",
                    format!(
                        "indicator {} has no name as XLSForm takes them, or one another indicator has",
                        n + 1
                    ),
                    at("name"),
                );
            }
            if !labelled(&i.labels) {
                bad(
                    "survey.label_missing",
                    format!("indicator {} has no label in every language", i.name),
                    at("labels"),
                );
            }
            if i.weight == 0 || i.weight > MAX_WEIGHT {
                bad(
                    "survey.weight",
                    format!("indicator {} weighs 1 to {MAX_WEIGHT}", i.name),
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
                // Scored from 0 (its worst option) to 1 (its best), so that the best
                // answers give 1 and the worst 0; options without a score (does not know,
                // refuses) count as not answered.
                let scores: Vec<Permille> = self
                    .question(name)
                    .map(|q| q.kind.choices().iter().filter_map(|c| c.score).collect())
                    .unwrap_or_default();
                let scorable = scores.contains(&Permille::ZERO) && scores.contains(&Permille::ONE);
                if !scorable || !scored.insert(name) {
                    bad(
                        "survey.indicator_question",
                        format!(
                            "indicator {} scores {name}, which is not a choice question whose options score from 0 to 1, or is scored by another indicator",
                            i.name
                        ),
                        at("questions"),
                    );
                }
            }
        }
        for d in Dimension::ALL {
            let has_indicators = self.indicators.iter().any(|i| i.dimension == d);
            match self.dimension_weights.get(&d) {
                None if has_indicators => bad(
                    "survey.dimension_weight",
                    format!(
                        "the {} dimension has indicators and no weight in the composite",
                        d.code()
                    ),
                    format!("dimension_weights/{}", d.code()),
                ),
                Some(_) if !has_indicators => bad(
                    "survey.dimension_weight",
                    format!("the {} dimension has a weight and no indicator", d.code()),
                    format!("dimension_weights/{}", d.code()),
                ),
                Some(w) if *w == 0 || *w > MAX_WEIGHT => bad(
                    "survey.weight",
                    format!("the {} dimension weighs 1 to {MAX_WEIGHT}", d.code()),
                    format!("dimension_weights/{}", d.code()),
                ),
                _ => {}
            }
        }
        out
    }
}
