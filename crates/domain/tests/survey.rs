//! Surveys as data: a definition's rules, and its scores from answers (DESIGN.md,
//! "Monitoring and evaluation").

use std::collections::{BTreeMap, BTreeSet};

use homeward_domain::survey::*;

fn labels(text: &str) -> Labels {
    [("en", text), ("fr", text)]
        .into_iter()
        .map(|(l, t)| (l.to_string(), t.to_string()))
        .collect()
}

fn choice(name: &str, score: Option<u16>) -> Choice {
    Choice {
        name: name.into(),
        labels: labels(name),
        score: score.map(Permille),
    }
}

fn one(name: &str, choices: Vec<Choice>) -> Question {
    Question {
        name: name.into(),
        labels: labels(name),
        kind: QuestionKind::SelectOne { choices },
        relevant: None,
        required: true,
    }
}

fn indicator(name: &str, dimension: Dimension, weight: u32, questions: &[&str]) -> Indicator {
    Indicator {
        name: name.into(),
        labels: labels(name),
        dimension,
        weight,
        questions: questions.iter().map(|q| q.to_string()).collect(),
    }
}

/// Income (none, some, enough), debt, housing; school, asked only of those with
/// children; distress (several answers). Economic indicators weigh 3 and 1; the
/// psychosocial dimension weighs twice the others in the composite.
fn definition() -> SurveyDefinition {
    let mut school = one(
        "school",
        vec![choice("no", Some(0)), choice("yes", Some(1000))],
    );
    school.relevant = Some(Condition {
        question: "children".into(),
        any_of: ["yes".to_string()].into(),
    });
    SurveyDefinition {
        key: "rss_test".into(),
        version: 1,
        title: labels("Reintegration"),
        languages: vec!["en".into(), "fr".into()],
        questions: vec![
            one(
                "income",
                vec![
                    choice("none", Some(0)),
                    choice("some", Some(500)),
                    choice("enough", Some(1000)),
                ],
            ),
            one(
                "debt",
                vec![choice("yes", Some(0)), choice("no", Some(1000))],
            ),
            one(
                "housing",
                vec![choice("poor", Some(0)), choice("good", Some(1000))],
            ),
            one("children", vec![choice("yes", None), choice("no", None)]),
            school,
            Question {
                name: "distress".into(),
                labels: labels("distress"),
                kind: QuestionKind::SelectMultiple {
                    choices: vec![
                        choice("sleep", Some(0)),
                        choice("fear", Some(200)),
                        choice("none", Some(1000)),
                    ],
                },
                relevant: None,
                required: true,
            },
        ],
        indicators: vec![
            indicator("income", Dimension::Economic, 3, &["income"]),
            indicator("debt", Dimension::Economic, 1, &["debt"]),
            indicator("housing", Dimension::Social, 1, &["housing"]),
            indicator("schooling", Dimension::Social, 1, &["school"]),
            indicator("wellbeing", Dimension::Psychosocial, 1, &["distress"]),
        ],
        dimension_weights: [
            (Dimension::Economic, 1),
            (Dimension::Social, 1),
            (Dimension::Psychosocial, 2),
        ]
        .into(),
        skipped: Skipped::LeftOut,
    }
}

fn answers(pairs: &[(&str, &str)]) -> BTreeMap<String, Answer> {
    pairs
        .iter()
        .map(|(q, a)| {
            let answer = match *q {
                "distress" => Answer::Choices(a.split(',').map(str::to_string).collect()),
                _ => Answer::Choice(a.to_string()),
            };
            (q.to_string(), answer)
        })
        .collect()
}

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-9)
}

#[test]
fn a_well_formed_definition_has_no_violation() {
    assert_eq!(definition().violations(), vec![]);
}

#[test]
fn the_best_answers_score_one_and_the_worst_zero() {
    let d = definition();
    let best = d.scores(&answers(&[
        ("income", "enough"),
        ("debt", "no"),
        ("housing", "good"),
        ("children", "yes"),
        ("school", "yes"),
        ("distress", "none"),
    ]));
    assert!(best.indicators.values().all(|s| close(*s, 1.0)), "{best:?}");
    assert!(best.dimensions.values().all(|s| close(*s, 1.0)), "{best:?}");
    assert!(close(best.composite, 1.0));
    let worst = d.scores(&answers(&[
        ("income", "none"),
        ("debt", "yes"),
        ("housing", "poor"),
        ("children", "yes"),
        ("school", "no"),
        ("distress", "sleep"),
    ]));
    assert!(
        worst.dimensions.values().all(|s| close(*s, 0.0)),
        "{worst:?}"
    );
    assert!(close(worst.composite, 0.0));
}

/// Indicators weigh in their dimension, dimensions in the composite; several answers
/// score their mean.
#[test]
fn weights_are_respected() {
    let d = definition();
    let s = d.scores(&answers(&[
        ("income", "enough"),
        ("debt", "yes"),
        ("housing", "good"),
        ("children", "yes"),
        ("school", "yes"),
        ("distress", "fear,none"),
    ]));
    // Income 1 × 3, debt 0 × 1.
    assert!(close(s.dimensions[&Dimension::Economic], 0.75), "{s:?}");
    assert!(close(s.indicators["wellbeing"], 0.6), "{s:?}");
    // (0.75 × 1 + 1 × 1 + 0.6 × 2) / 4.
    assert!(close(s.composite, 0.7375), "{s:?}");
}

/// A question skipped by its condition is left out, or counts as the worst answer, as
/// the definition says; nothing answered in a dimension leaves it out of the composite.
#[test]
fn skipped_questions_count_as_the_definition_says() {
    let mut d = definition();
    let given = answers(&[
        ("income", "some"),
        ("debt", "no"),
        ("housing", "good"),
        ("children", "no"),
        ("school", "no"),
        ("distress", "none"),
    ]);
    assert!(
        !d.asked(&d.questions[4], &given),
        "school is not asked without children"
    );
    let s = d.scores(&given);
    assert_eq!(
        s.indicators["schooling"], None,
        "an answer not asked is not read"
    );
    assert!(close(s.dimensions[&Dimension::Social], 1.0), "{s:?}");
    d.skipped = Skipped::Worst;
    let s = d.scores(&given);
    assert!(close(s.indicators["schooling"], 0.0));
    assert!(close(s.dimensions[&Dimension::Social], 0.5), "{s:?}");
    // Nothing psychosocial answered: left out of the composite, the rest reweighed.
    d.skipped = Skipped::LeftOut;
    let mut partial = given.clone();
    partial.remove("distress");
    let s = d.scores(&partial);
    assert_eq!(s.dimensions[&Dimension::Psychosocial], None);
    // Economic (0.5 × 3 + 1) / 4 = 0.625, social 1: (0.625 + 1) / 2.
    assert!(close(s.composite, 0.8125), "{s:?}");
}

#[test]
fn a_definition_that_cannot_be_asked_or_scored_is_refused_where_it_is_wrong() {
    let codes = |d: &SurveyDefinition| {
        d.violations()
            .into_iter()
            .map(|v| (v.code, v.field.unwrap_or_default()))
            .collect::<Vec<_>>()
    };
    let mut d = definition();
    d.questions[1].name = "income".into();
    assert!(codes(&d).contains(&("survey.question_name", "questions/1/name".into())));
    let mut d = definition();
    // Asked on a later question's answer.
    d.questions[0].relevant = Some(Condition {
        question: "children".into(),
        any_of: ["yes".to_string()].into(),
    });
    assert_eq!(
        codes(&d),
        [("survey.condition", "questions/0/relevant".into())]
    );
    let mut d = definition();
    // On an option the question does not offer.
    if let Some(c) = d.questions[4].relevant.as_mut() {
        c.any_of = ["maybe".to_string()].into();
    }
    assert_eq!(
        codes(&d),
        [("survey.condition", "questions/4/relevant".into())]
    );
    let mut d = definition();
    d.indicators
        .push(indicator("kids", Dimension::Social, 1, &["children"]));
    assert_eq!(
        codes(&d),
        [("survey.indicator_question", "indicators/5/questions".into())],
        "an unscored question"
    );
    let mut d = definition();
    d.indicators[1].questions = vec!["income".into()];
    assert_eq!(
        codes(&d),
        [("survey.indicator_question", "indicators/1/questions".into())],
        "scored twice"
    );
    let mut d = definition();
    d.questions[2].labels.remove("fr");
    d.indicators[0].weight = 0;
    d.dimension_weights.insert(Dimension::Social, 0);
    assert_eq!(
        codes(&d),
        [
            ("survey.label_missing", "questions/2/labels".into()),
            ("survey.weight", "indicators/0/weight".into()),
            ("survey.weight", "dimension_weights/social".into()),
        ]
    );
}

#[test]
fn scores_per_answer_are_written_in_thousandths() {
    assert_eq!(Permille::parse("0.25"), Some(Permille(250)));
    assert_eq!(Permille::parse("1"), Some(Permille::ONE));
    assert_eq!(Permille::parse(".5"), Some(Permille(500)));
    assert_eq!(Permille::parse("0"), Some(Permille::ZERO));
    for bad in ["1.5", "0.1234", "-0.2", "", ".", "1.", "a"] {
        assert_eq!(Permille::parse(bad), None, "{bad}");
    }
    let names: BTreeSet<&str> = Dimension::ALL.iter().map(|d| d.code()).collect();
    assert_eq!(names.len(), 3);
    assert!(
        Dimension::ALL
            .iter()
            .all(|d| Dimension::from_code(d.code()) == Some(*d))
    );
}
