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
        score: score.and_then(Permille::new),
    }
}

fn one(name: &str, choices: Vec<Choice>) -> Question {
    Question {
        name: name.into(),
        labels: labels(name),
        hints: Labels::new(),
        kind: QuestionKind::SelectOne {
            list: name.into(),
            choices,
        },
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
    school.relevant = Some(Condition::AnyOf {
        question: "children".into(),
        any_of: ["yes".to_string()].into(),
    });
    SurveyDefinition {
        key: "rss_test".into(),
        version: 1,
        form_version: None,
        title: labels("Reintegration"),
        languages: vec!["en".into(), "fr".into()],
        language_names: BTreeMap::new(),
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
                hints: Labels::new(),
                kind: QuestionKind::SelectMultiple {
                    list: "distress".into(),
                    scored_by: Several::Mean,
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
        threshold: None,
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
    assert_eq!((best.indicators.len(), best.dimensions.len()), (5, 3));
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
        worst.indicators.values().all(|s| close(*s, 0.0)),
        "{worst:?}"
    );
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

/// A question not asked (its condition not met) does not apply and is left out, whatever
/// was typed in it; one asked and left empty is left out, or counts as the worst answer,
/// as the definition says; the composite waits for every weighted dimension.
#[test]
fn skipped_questions_count_as_the_definition_says() {
    let mut d = definition();
    let mut given = answers(&[
        ("income", "some"),
        ("debt", "no"),
        ("housing", "good"),
        ("children", "no"),
        ("school", "yes"),
        ("distress", "none"),
    ]);
    assert!(
        !d.asked(&given).contains("school"),
        "not asked without children"
    );
    let s = d.scores(&given);
    assert_eq!(
        s.indicators["schooling"], None,
        "an answer not asked is not read"
    );
    assert!(close(s.dimensions[&Dimension::Social], 1.0), "{s:?}");
    d.skipped = Skipped::Worst;
    assert_eq!(d.scores(&given), s, "not asked: not the worst either");
    // Asked, left empty.
    given.remove("housing");
    let s = d.scores(&given);
    assert!(close(s.indicators["housing"], 0.0));
    d.skipped = Skipped::LeftOut;
    let s = d.scores(&given);
    assert_eq!(s.indicators["housing"], None);
    assert_eq!(s.dimensions[&Dimension::Social], None);
    assert_eq!(s.composite, None, "a dimension unscored: no composite");
    assert!(close(s.dimensions[&Dimension::Economic], 0.625), "{s:?}");
}

/// Conditions hold on questions asked only, and on any option of a multiple choice.
#[test]
fn a_condition_holds_on_a_question_asked() {
    let mut d = definition();
    // Asked of those whose distress includes fear.
    let mut help = one(
        "help",
        vec![choice("no", Some(0)), choice("yes", Some(1000))],
    );
    help.relevant = Some(Condition::AnyOf {
        question: "distress".into(),
        any_of: ["fear".to_string()].into(),
    });
    let mut more = one("more", vec![choice("no", None), choice("yes", None)]);
    more.relevant = Some(Condition::AnyOf {
        question: "school".into(),
        any_of: ["yes".to_string()].into(),
    });
    d.questions.push(help);
    d.questions.push(more);
    assert_eq!(d.violations(), vec![]);
    let given = answers(&[
        ("children", "no"),
        ("school", "yes"),
        ("distress", "sleep,fear"),
    ]);
    let asked = d.asked(&given);
    assert!(asked.contains("help"), "fear among the answers");
    assert!(!asked.contains("more"), "on a question not asked");
}

/// Several options score their mean, lowest or highest, as the question says.
#[test]
fn several_options_score_as_the_question_says() {
    let mut d = definition();
    let given = answers(&[("distress", "fear,none")]);
    for (rule, expected) in [
        (Several::Mean, 0.6),
        (Several::Lowest, 0.2),
        (Several::Highest, 1.0),
    ] {
        if let QuestionKind::SelectMultiple { scored_by, .. } = &mut d.questions[5].kind {
            *scored_by = rule;
        }
        assert!(
            close(d.scores(&given).indicators["wellbeing"], expected),
            "{rule:?}"
        );
    }
}

/// Answers are held to the questions: asked, of their kind, among their options, and the
/// required ones given.
#[test]
fn answers_that_do_not_fit_the_definition_are_named() {
    let d = definition();
    let mut given = answers(&[
        ("income", "plenty"),
        ("debt", "no"),
        ("children", "no"),
        ("school", "yes"),
        ("distress", "none"),
        ("pets", "cat"),
    ]);
    given.insert(
        "housing".into(),
        Answer::Choices(["good".to_string()].into()),
    );
    let codes: Vec<(&str, String)> = d
        .answer_violations(&given)
        .into_iter()
        .map(|v| (v.code, v.field.unwrap_or_default()))
        .collect();
    assert_eq!(
        codes,
        [
            ("answer.kind", "answers/housing".into()),
            ("answer.kind", "answers/income".into()),
            ("answer.unknown_question", "answers/pets".into()),
            ("answer.not_asked", "answers/school".into()),
        ]
    );
    let mut missing = answers(&[("children", "yes")]);
    missing.insert("distress".into(), Answer::Choices(BTreeSet::new()));
    let codes: Vec<&str> = d
        .answer_violations(&missing)
        .into_iter()
        .map(|v| v.code)
        .collect();
    assert_eq!(
        codes,
        [
            "answer.kind",
            "answer.required",
            "answer.required",
            "answer.required",
            "answer.required"
        ],
        "an empty choice, and income, debt, housing and school left empty"
    );
}

/// A definition and answers are stored as JSON and read back the same; a score above 1
/// is refused on reading.
#[test]
fn a_definition_reads_back_as_written() {
    let d = definition();
    let json = serde_json::to_string(&d).unwrap();
    let back: SurveyDefinition = serde_json::from_str(&json).unwrap();
    assert_eq!(back, d);
    let a = answers(&[("distress", "fear,none"), ("income", "some")]);
    let back: BTreeMap<String, Answer> =
        serde_json::from_str(&serde_json::to_string(&a).unwrap()).unwrap();
    assert_eq!(back, a);
    assert!(serde_json::from_str::<Permille>("1001").is_err());
    assert_eq!(
        serde_json::from_str::<Permille>("250").ok(),
        Permille::new(250)
    );
}

#[test]
fn each_dimension_has_one_code() {
    assert!(
        Dimension::ALL
            .iter()
            .all(|d| Dimension::from_code(d.code()) == Some(*d))
    );
    assert_eq!(Dimension::from_code("spiritual"), None);
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
    // A question named as a part of a date question, which is asked as three fields.
    let mut d = definition();
    let date = d.questions.len() - 1;
    d.questions[date].kind = QuestionKind::Date;
    let part = format!("{}-month", d.questions[date].name);
    let other = (date + 1) % d.questions.len();
    d.questions[other].name = part;
    let new_version: Vec<_> = d
        .new_version_violations()
        .into_iter()
        .map(|v| (v.code, v.field.unwrap_or_default()))
        .collect();
    assert_eq!(
        new_version,
        [("survey.question_name", format!("questions/{other}/name"))]
    );
    assert!(Survey::import(d.clone()).is_err());
    // A version stored before the rule still reads back.
    assert!(!codes(&d).contains(&("survey.question_name", format!("questions/{other}/name"))));
    let mut d = definition();
    // Asked on a later question's answer.
    d.questions[0].relevant = Some(Condition::AnyOf {
        question: "children".into(),
        any_of: ["yes".to_string()].into(),
    });
    assert_eq!(
        codes(&d),
        [("survey.condition", "questions/0/relevant".into())]
    );
    let mut d = definition();
    // On an option the question does not offer.
    if let Some(Condition::AnyOf { any_of, .. }) = d.questions[4].relevant.as_mut() {
        *any_of = ["maybe".to_string()].into();
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
    d.indicators[1].weight = MAX_WEIGHT + 1;
    d.dimension_weights.insert(Dimension::Social, 0);
    assert_eq!(
        codes(&d),
        [
            ("survey.label_missing", "questions/2/labels".into()),
            ("survey.weight", "indicators/0/weight".into()),
            ("survey.weight", "indicators/1/weight".into()),
            ("survey.weight", "dimension_weights/social".into()),
        ]
    );
    // Options that cannot reach 1, or 0: the best answers would not give 1.
    let mut d = definition();
    if let QuestionKind::SelectOne { choices, .. } = &mut d.questions[1].kind {
        choices[1].score = Permille::new(800);
    }
    assert_eq!(
        codes(&d),
        [("survey.indicator_question", "indicators/1/questions".into())]
    );
    // A weighted dimension without indicators, and one with indicators and no weight.
    let mut d = definition();
    d.indicators
        .retain(|i| i.dimension != Dimension::Psychosocial);
    d.dimension_weights.remove(&Dimension::Social);
    assert_eq!(
        codes(&d),
        [
            ("survey.dimension_weight", "dimension_weights/social".into()),
            (
                "survey.dimension_weight",
                "dimension_weights/psychosocial".into()
            ),
        ]
    );
    // Names as XLSForm takes them, an empty label, the version.
    let mut d = definition();
    d.key = "rss test".into();
    d.version = 0;
    if let QuestionKind::SelectOne { choices, .. } = &mut d.questions[0].kind {
        choices[0].name = "no income".into();
    }
    d.title.insert("en".into(), " ".into());
    assert_eq!(
        codes(&d),
        [
            ("survey.key", "key".into()),
            ("survey.version", "version".into()),
            ("survey.label_missing", "title".into()),
            ("survey.choice_name", "questions/0/choices/0/name".into()),
        ]
    );
}

/// A stored or sent definition is read back only if it keeps its rules.
#[test]
fn a_survey_is_read_only_if_valid() {
    let survey = Survey::new(definition()).unwrap();
    let json = serde_json::to_string(&survey).unwrap();
    assert_eq!(serde_json::from_str::<Survey>(&json).unwrap(), survey);
    let mut d = definition();
    d.version = 0;
    let json = serde_json::to_string(&d).unwrap();
    let e = serde_json::from_str::<Survey>(&json).unwrap_err();
    assert!(e.to_string().contains("versions count from 1"), "{e}");
    assert!(Survey::new(d).is_err());
    // Conditions are tagged, so richer ones can come beside them.
    let c = &definition().questions[4].relevant;
    assert_eq!(
        serde_json::to_value(c).unwrap(),
        serde_json::json!({"when": "any_of", "question": "children", "any_of": ["yes"]})
    );
}

/// Questions of one list offer the same options, scored alike; hints are in every
/// language or none.
#[test]
fn a_list_is_one_set_of_options_and_a_hint_is_in_every_language() {
    let mut d = definition();
    // "school" offers the options of "debt", one list with the same scores.
    let debt = d.questions[1].kind.clone();
    d.questions[4].kind = debt;
    assert_eq!(d.violations(), vec![], "the same options");
    if let QuestionKind::SelectOne { choices, .. } = &mut d.questions[4].kind {
        choices[0].score = Permille::new(100);
        choices[1].score = Some(Permille::ONE);
    }
    let fields: Vec<_> = d
        .violations()
        .into_iter()
        .map(|v| (v.code, v.field))
        .collect();
    assert!(
        fields.contains(&("survey.list", Some("questions/4/list".into()))),
        "{fields:?}"
    );
    let mut d = definition();
    if let QuestionKind::SelectOne { list, .. } = &mut d.questions[0].kind {
        *list = "two words".into();
    }
    d.questions[1].hints = [("en".to_string(), "Any debt".to_string())].into();
    let fields: Vec<_> = d
        .violations()
        .into_iter()
        .map(|v| (v.code, v.field))
        .collect();
    assert_eq!(
        fields,
        [
            ("survey.list", Some("questions/0/list".into())),
            ("survey.label_missing", Some("questions/1/hints".into())),
        ]
    );
}

/// Scores are kept to the thousandth, rounded once, with the survey and version they
/// were computed under; answers given under another version are not scored by this one.
#[test]
fn a_score_card_is_kept_in_thousandths_under_its_version() {
    let survey = Survey::new(definition()).unwrap();
    let response = Response {
        key: "rss_test".into(),
        version: 1,
        answers: answers(&[
            ("income", "some"),
            ("debt", "no"),
            ("housing", "good"),
            ("children", "no"),
            ("distress", "fear,none"),
        ]),
    };
    let card = survey.score(&response).unwrap();
    // Economic (0.5 * 3 + 1 * 1) / 4 = 0.625; social 1; psychosocial (0.2 + 1) / 2 = 0.6;
    // the composite (0.625 + 1 + 2 * 0.6) / 4 = 0.70625, kept as 0.706.
    assert_eq!(card.dimensions[&Dimension::Economic], Permille::new(625));
    assert_eq!(
        card.dimensions[&Dimension::Psychosocial],
        Permille::new(600)
    );
    assert_eq!(card.composite, Permille::new(706));
    assert_eq!((card.key.as_str(), card.version), ("rss_test", 1));
    assert_eq!(card.threshold, None);
    assert_eq!(card.sustainable(), None, "the version sets no threshold");
    let later = Response {
        version: 2,
        ..response.clone()
    };
    let e = survey.score(&later).unwrap_err();
    assert_eq!(e[0].code, "answer.version");
    let mut wrong = response;
    wrong.answers.insert("income".into(), Answer::Integer(3));
    assert_eq!(survey.score(&wrong).unwrap_err()[0].code, "answer.kind");
    assert_eq!(Permille::round(0.6665), Permille::new(667));
    assert_eq!(Permille::round(1.0000001), None);
    assert_eq!(Permille::round(f64::NAN), None);
    assert_eq!(
        [0, 5, 250, 1000].map(|n| Permille::new(n).unwrap().to_string()),
        ["0", "0.005", "0.25", "1"]
    );
    // Renumbered, the same survey; changed, another.
    let mut d = definition();
    d.version = 7;
    assert!(survey.same_as(&d));
    d.indicators[0].weight = 4;
    assert!(!survey.same_as(&d));
}

#[test]
fn scores_per_answer_are_written_in_thousandths() {
    assert_eq!(Permille::parse("0.25"), Permille::new(250));
    assert_eq!(Permille::parse("1"), Some(Permille::ONE));
    assert_eq!(Permille::parse(".5"), Permille::new(500));
    assert_eq!(Permille::parse("0"), Some(Permille::ZERO));
    for bad in ["1.5", "0.1234", "-0.2", "", ".", "1.", "a"] {
        assert_eq!(Permille::parse(bad), None, "{bad}");
    }
    assert_eq!(Permille::new(1001), None);
}

mod any_definition {
    use super::*;
    use proptest::prelude::*;

    /// A valid definition of up to six scored questions (each with a worst option at 0, a
    /// best at 1 and others between), some asked only on an earlier one's answer, grouped
    /// into indicators of the three dimensions with any weights.
    fn definitions() -> impl Strategy<Value = SurveyDefinition> {
        let question = (
            prop::collection::vec(0u16..=1000, 0..3),
            any::<bool>(),
            prop::option::of(0usize..6),
            0usize..3,
            1u32..=100,
        );
        (
            prop::collection::vec(question, 1..7),
            prop::collection::vec(1u32..=100, 3),
            any::<bool>(),
        )
            .prop_map(|(qs, dims, worst)| {
                let mut d = definition();
                d.questions.clear();
                d.indicators.clear();
                d.dimension_weights.clear();
                d.skipped = if worst {
                    Skipped::Worst
                } else {
                    Skipped::LeftOut
                };
                for (n, (middle, several, on, dimension, weight)) in qs.into_iter().enumerate() {
                    let mut choices = vec![choice("worst", Some(0)), choice("best", Some(1000))];
                    choices.extend(
                        middle
                            .into_iter()
                            .enumerate()
                            .map(|(m, s)| choice(&format!("middle{m}"), Some(s))),
                    );
                    let name = format!("q{n}");
                    let mut q = one(&name, choices.clone());
                    if several {
                        q.kind = QuestionKind::SelectMultiple {
                            list: name.clone(),
                            choices,
                            scored_by: Several::Mean,
                        };
                    }
                    // Asked when an earlier question's answer was its best.
                    q.relevant = on.filter(|e| *e < n).map(|e| Condition::AnyOf {
                        question: format!("q{e}"),
                        any_of: ["best".to_string()].into(),
                    });
                    d.questions.push(q);
                    let dimension = Dimension::ALL[dimension];
                    d.indicators
                        .push(indicator(&format!("i{n}"), dimension, weight, &[&name]));
                    d.dimension_weights
                        .insert(dimension, dims[dimension as usize]);
                }
                d
            })
    }

    /// Every question answered with the option `pick` names.
    fn all(d: &SurveyDefinition, pick: &str) -> BTreeMap<String, Answer> {
        d.questions
            .iter()
            .map(|q| {
                let a = match q.kind {
                    QuestionKind::SelectMultiple { .. } => {
                        Answer::Choices([pick.to_string()].into())
                    }
                    _ => Answer::Choice(pick.to_string()),
                };
                (q.name.clone(), a)
            })
            .collect()
    }

    proptest! {
        /// For any valid definition: the best answers give 1 everywhere, the worst 0
        /// (the questions asked on a best answer then do not apply), and any answers give
        /// scores from 0 to 1.
        #[test]
        fn the_best_give_one_the_worst_zero_and_any_between(
            d in definitions(),
            picks in prop::collection::vec(0usize..5, 6),
        ) {
            prop_assert_eq!(d.violations(), vec![]);
            let best = d.scores(&all(&d, "best"));
            prop_assert!(best.composite.is_some_and(|c| (c - 1.0).abs() < 1e-9), "{:?}", best);
            let worst_answers: BTreeMap<String, Answer> = all(&d, "worst")
                .into_iter()
                .filter(|(q, _)| d.asked(&all(&d, "worst")).contains(q.as_str()))
                .collect();
            let worst = d.scores(&worst_answers);
            for s in worst.dimensions.values().chain(worst.indicators.values()).flatten() {
                prop_assert!(s.abs() < 1e-9, "{:?}", worst);
            }
            // Any answers the questions take.
            let names = ["worst", "best", "middle0", "middle1", "nothing"];
            let mut given = BTreeMap::new();
            for (q, p) in d.questions.iter().zip(&picks) {
                let offered = q.kind.choices().iter().any(|c| c.name == names[*p]);
                if offered {
                    given.insert(q.name.clone(), Answer::Choice(names[*p].to_string()));
                }
            }
            let s = d.scores(&given);
            for v in s.dimensions.values().chain(s.indicators.values()).chain([&s.composite]).flatten() {
                prop_assert!((0.0..=1.0).contains(v), "{:?}", s);
            }
        }
    }
}

/// The version's threshold is kept with the scores it judges: a composite at the
/// threshold is sustainable, one a thousandth below is not; unscored, neither.
#[test]
fn a_score_card_judges_its_composite_by_its_version_s_threshold() {
    let answered = |pairs: &[(&str, &str)]| Response {
        key: "rss_test".into(),
        version: 1,
        answers: answers(pairs),
    };
    let given = answered(&[
        ("income", "some"),
        ("debt", "no"),
        ("housing", "good"),
        ("children", "no"),
        ("distress", "fear,none"),
    ]);
    let at = |t: u16| {
        let survey = Survey::new(SurveyDefinition {
            threshold: Permille::new(t),
            ..definition()
        })
        .unwrap();
        survey.score(&given).unwrap()
    };
    // The composite is 0.706 (`a_score_card_is_kept_in_thousandths_under_its_version`).
    assert_eq!(at(706).threshold, Permille::new(706));
    assert_eq!(at(706).sustainable(), Some(true));
    assert_eq!(at(707).sustainable(), Some(false));
    assert_eq!(at(0).sustainable(), Some(true));
    // Psychosocial left unanswered: no composite, so no judgement.
    let mut d = SurveyDefinition {
        threshold: Permille::new(500),
        ..definition()
    };
    for q in d.questions.iter_mut().filter(|q| q.name == "distress") {
        q.required = false;
    }
    let survey = Survey::new(d).unwrap();
    let partial = survey
        .score(&answered(&[
            ("income", "some"),
            ("debt", "no"),
            ("housing", "good"),
            ("children", "no"),
        ]))
        .unwrap();
    assert_eq!(partial.composite, None);
    assert_eq!(partial.sustainable(), None);
    // A threshold is part of the version: another threshold is another definition.
    assert!(!survey.same_as(&definition()));
}
