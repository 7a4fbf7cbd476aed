//! A survey's words for the reader: its labels in their language where the survey has it,
//! and a question's condition said in words. Shared by the survey's page and the
//! follow-up form that asks it.

use homeward_domain::survey::{Condition, Labels, Question, SurveyDefinition};

use crate::i18n::I18n;

/// A label in the reader's language if the survey has it, else in its first language.
pub fn label(i: &I18n, d: &SurveyDefinition, labels: &Labels) -> String {
    d.text(labels, i.code()).to_string()
}

/// When a question is asked, in words ("Asked only when the answer to “Do you work?” is
/// Yes."); empty when it always is.
pub fn asked_when(i: &I18n, d: &SurveyDefinition, q: &Question) -> String {
    match &q.relevant {
        None => String::new(),
        Some(Condition::AnyOf { question, any_of }) => {
            let earlier = d.question(question);
            let options = earlier.map(|e| e.kind.choices()).unwrap_or_default();
            i.ta(
                "survey-asked-when",
                &[
                    (
                        "question",
                        earlier
                            .map_or_else(|| question.clone(), |e| label(i, d, &e.labels))
                            .into(),
                    ),
                    (
                        "options",
                        i.list(
                            options
                                .iter()
                                .filter(|c| any_of.contains(&c.name))
                                .map(|c| label(i, d, &c.labels)),
                        )
                        .into(),
                    ),
                ],
            )
        }
    }
}
