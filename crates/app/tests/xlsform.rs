//! Survey definitions from and to XLSForm workbooks (issue #25): the declared subset
//! read, every unsupported or wrong row reported at its sheet, line and column, and a
//! definition written out reading back as the same.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use homeward_app::xlsform::{parse_relevant, survey_from_xlsx, survey_to_xlsx};
use homeward_domain::survey::*;

/// A workbook of sheets given as rows of cells (an empty cell left empty).
fn workbook(sheets: &[(&str, &[&[&str]])]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    for (name, rows) in sheets {
        let sheet = book.add_worksheet().set_name(*name).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                if !cell.is_empty() {
                    sheet.write_string(r as u32, c as u16, *cell).unwrap();
                }
            }
        }
    }
    book.save_to_buffer().unwrap()
}

const SURVEY: &[&[&str]] = &[
    &[
        "type",
        "name",
        "label::English (en)",
        "label::Français (fr)",
        "hint::English (en)",
        "hint::Français (fr)",
        "required",
        "relevant",
        "indicator",
        "scored_by",
    ],
    &[
        "select_one income",
        "income",
        "Income?",
        "Revenu ?",
        "",
        "",
        "yes",
        "",
        "income",
        "",
    ],
    &[
        "select_one yn",
        "debt",
        "Debt?",
        "Dette ?",
        "",
        "",
        "yes",
        "",
        "debt",
        "",
    ],
    &[
        "select_one yn",
        "children",
        "Children?",
        "Enfants ?",
        "",
        "",
        "",
        "",
        "",
        "",
    ],
    &[
        "select_one yn",
        "school",
        "At school?",
        "À l'école ?",
        "All of them",
        "Tous",
        "TRUE()",
        "${children} = 'yes'",
        "schooling",
        "",
    ],
    &[
        "select_multiple feelings",
        "distress",
        "Feelings?",
        "Sentiments ?",
        "",
        "",
        "yes",
        "",
        "wellbeing",
        "lowest",
    ],
    &[
        "integer",
        "household",
        "Household size",
        "Taille du ménage",
        "",
        "",
        "",
        "selected(${distress}, 'fear') or selected(${distress}, 'sleep')",
        "",
        "",
    ],
    &["text", "notes", "Notes", "Notes", "", "", "", "", "", ""],
];

const CHOICES: &[&[&str]] = &[
    &[
        "list_name",
        "name",
        "label::English (en)",
        "label::Français (fr)",
        "score",
    ],
    &["income", "none", "None", "Aucun", "0"],
    &["income", "some", "Some", "Un peu", "0.5"],
    &["income", "enough", "Enough", "Assez", "1"],
    &["income", "dk", "Does not know", "Ne sait pas", ""],
    &["yn", "no", "No", "Non", "0"],
    &["yn", "yes", "Yes", "Oui", "1"],
    &["feelings", "sleep", "Sleepless", "Insomnie", "0"],
    &["feelings", "fear", "Afraid", "Peur", "0.2"],
    &["feelings", "calm", "Calm", "Calme", "1"],
];

const SETTINGS: &[&[&str]] = &[
    &[
        "form_id",
        "form_title",
        "version",
        "default_language",
        "skipped",
        "threshold",
    ],
    &[
        "rss_test",
        "Reintegration survey",
        "2026120601",
        "English (en)",
        "worst",
        "0.66",
    ],
];

const INDICATORS: &[&[&str]] = &[
    &[
        "name",
        "dimension",
        "weight",
        "label::English (en)",
        "label::Français (fr)",
    ],
    &["income", "economic", "3", "Income", "Revenu"],
    &["debt", "economic", "1", "Debt", "Dette"],
    &["schooling", "social", "1", "Schooling", "Scolarité"],
    &["wellbeing", "Psychosocial", "1", "Well-being", "Bien-être"],
];

const DIMENSIONS: &[&[&str]] = &[
    &["dimension", "weight"],
    &["economic", "1"],
    &["social", "1"],
    &["psychosocial", "2"],
];

fn form() -> Vec<u8> {
    workbook(&[
        ("survey", SURVEY),
        ("choices", CHOICES),
        ("settings", SETTINGS),
        ("indicators", INDICATORS),
        ("dimensions", DIMENSIONS),
    ])
}

/// Each problem as (code, sheet/line/column).
fn places(e: &[homeward_domain::Violation]) -> Vec<(&'static str, String)> {
    e.iter()
        .map(|v| (v.code, v.field.clone().unwrap_or_default()))
        .collect()
}

#[test]
fn an_xlsform_of_the_subset_is_read_whole() {
    let s = survey_from_xlsx(&form(), 4).unwrap();
    assert_eq!((s.key.as_str(), s.version), ("rss_test", 4));
    assert_eq!(s.form_version.as_deref(), Some("2026120601"));
    assert_eq!(s.languages, ["en", "fr"]);
    assert_eq!(s.language_names["fr"], "Français");
    assert_eq!(s.title["fr"], "Reintegration survey", "one title for all");
    assert_eq!(s.skipped, Skipped::Worst);
    assert_eq!(s.threshold, Permille::new(660));
    assert_eq!(s.questions.len(), 7);
    let school = &s.questions[3];
    assert_eq!(school.hints["fr"], "Tous");
    assert!(school.required);
    assert!(!s.questions[2].required);
    assert_eq!(
        school.relevant,
        Some(Condition::AnyOf {
            question: "children".into(),
            any_of: ["yes".to_string()].into()
        })
    );
    assert_eq!(
        s.questions[5].relevant,
        Some(Condition::AnyOf {
            question: "distress".into(),
            any_of: ["fear".to_string(), "sleep".to_string()].into()
        })
    );
    match &s.questions[4].kind {
        QuestionKind::SelectMultiple {
            list, scored_by, ..
        } => {
            assert_eq!((list.as_str(), *scored_by), ("feelings", Several::Lowest));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(s.questions[0].kind.choices()[3].score, None, "not scored");
    assert_eq!(s.questions[0].kind.choices()[1].score, Permille::new(500));
    assert_eq!(s.indicators[3].dimension, Dimension::Psychosocial);
    assert_eq!(s.indicators[2].questions, ["school"]);
    assert_eq!(s.dimension_weights[&Dimension::Psychosocial], 2);
    assert_eq!(s.questions[5].kind, QuestionKind::Integer);
}

#[test]
fn a_definition_written_out_reads_back_the_same() {
    let s = survey_from_xlsx(&form(), 1).unwrap();
    let bytes = survey_to_xlsx(&s).unwrap();
    let back = survey_from_xlsx(&bytes, 1).unwrap();
    assert_eq!(back, s);
    // Titles that differ by language are written one per language.
    let mut d: SurveyDefinition = s.definition().clone();
    d.title
        .insert("fr".into(), "Enquête de réintégration".into());
    d.skipped = Skipped::LeftOut;
    d.form_version = None;
    d.threshold = None;
    let bytes = survey_to_xlsx(&d).unwrap();
    assert_eq!(survey_from_xlsx(&bytes, 1).unwrap().definition(), &d);
}

#[test]
fn every_problem_is_reported_at_its_sheet_line_and_column() {
    let survey: &[&[&str]] = &[
        &[
            "type",
            "name",
            "label::English (en)",
            "relevant",
            "constraint",
        ],
        &["begin group", "g", "Group", "", ""],
        &["select_one income", "income", "Income?", "", ". > 0"],
        &["select_one nolist", "other", "Other?", "", ""],
        &["text", "why", "Why?", "${income} > 'none'", ""],
        &["integer", "income", "Again", "", ""],
    ];
    let choices: &[&[&str]] = &[
        &["list_name", "name", "label::English (en)", "score"],
        &["income", "none", "None", "zero"],
        &["income", "some", "", "1.5"],
    ];
    let bytes = workbook(&[
        ("survey", survey),
        ("choices", choices),
        (
            "settings",
            &[&["form_id", "threshold"], &["rss", "two thirds"]],
        ),
    ]);
    let e = survey_from_xlsx(&bytes, 1).unwrap_err();
    assert_eq!(
        places(&e),
        [
            ("xlsform.threshold", "settings/2/threshold".into()),
            ("xlsform.score", "choices/2/score".into()),
            ("xlsform.score", "choices/3/score".into()),
            ("xlsform.column", "survey/3/constraint".into()),
            ("xlsform.type", "survey/2/type".into()),
            ("xlsform.list", "survey/4/type".into()),
            ("xlsform.relevant", "survey/5/relevant".into()),
        ]
    );
    // Each names its sheet, line and column for the reader.
    assert_eq!(e[4].params["sheet"], "survey");
    assert_eq!(e[4].params["line"], "2");
    // Once the rows are of the subset, the survey's own rules are placed at the rows
    // they were read from: a name twice, an option without its label, a dimension with
    // indicators and no weight.
    let survey: &[&[&str]] = &[
        &["type", "name", "label::English (en)", "indicator"],
        &["select_one income", "income", "Income?", "income"],
        &["integer", "income", "Again", ""],
    ];
    let choices: &[&[&str]] = &[
        &["list_name", "name", "label::English (en)", "score"],
        &["income", "none", "None", "0"],
        &["income", "some", "", "1"],
    ];
    let indicators: &[&[&str]] = &[
        &["name", "dimension", "weight", "label::English (en)"],
        &["income", "economic", "2", "Income"],
    ];
    let bytes = workbook(&[
        ("survey", survey),
        ("choices", choices),
        ("settings", &[&["form_id"], &["rss"]]),
        ("indicators", indicators),
        ("dimensions", &[&["dimension", "weight"]]),
    ]);
    let e = survey_from_xlsx(&bytes, 1).unwrap_err();
    assert_eq!(
        places(&e),
        [
            ("survey.label_missing", "choices/3/label".into()),
            ("survey.question_name", "survey/3/name".into()),
            ("survey.dimension_weight", "dimensions/1/weight".into()),
        ]
    );
}

#[test]
fn labels_say_their_language() {
    // A plain `label` is in the default language; without one, it is refused.
    let survey: &[&[&str]] = &[&["type", "name", "label"], &["text", "notes", "Notes"]];
    let bytes = workbook(&[
        ("survey", survey),
        (
            "settings",
            &[&["form_id", "default_language"], &["rss", "fr"]],
        ),
    ]);
    let s = survey_from_xlsx(&bytes, 1).unwrap();
    assert_eq!(s.languages, ["fr"]);
    let bytes = workbook(&[("survey", survey), ("settings", &[&["form_id"], &["rss"]])]);
    let e = survey_from_xlsx(&bytes, 1).unwrap_err();
    assert_eq!(places(&e), [("xlsform.language", "survey/1/label".into())]);
    let survey: &[&[&str]] = &[
        &["type", "name", "label::Klingon (tlh-x)"],
        &["text", "notes", "Notes"],
    ];
    let bytes = workbook(&[("survey", survey), ("settings", &[&["form_id"], &["rss"]])]);
    let e = survey_from_xlsx(&bytes, 1).unwrap_err();
    assert_eq!(
        places(&e),
        [("xlsform.language", "survey/1/label::Klingon (tlh-x)".into())]
    );
}

#[test]
fn what_is_not_an_xlsform_is_refused_whole() {
    let e = survey_from_xlsx(b"type,name\ntext,notes\n", 1).unwrap_err();
    assert_eq!(places(&e), [("xlsform.unreadable", "file".into())]);
    let bytes = workbook(&[("survey", SURVEY)]);
    let e = survey_from_xlsx(&bytes, 1).unwrap_err();
    assert_eq!(places(&e), [("xlsform.sheet_missing", "file".into())]);
    let bytes = workbook(&[
        ("survey", &[&["type", "name"]]),
        ("settings", &[&["form_id"], &["rss"]]),
    ]);
    let e = survey_from_xlsx(&bytes, 1).unwrap_err();
    assert_eq!(places(&e), [("xlsform.no_question", "file".into())]);
}

#[test]
fn conditions_are_read_in_the_subset_only() {
    let any = |q: &str, os: &[&str]| {
        Some(Condition::AnyOf {
            question: q.into(),
            any_of: os.iter().map(|o| o.to_string()).collect(),
        })
    };
    assert_eq!(parse_relevant("${a} = 'x'"), any("a", &["x"]));
    assert_eq!(
        parse_relevant("${a}='x' OR ${a} = \"y\""),
        any("a", &["x", "y"])
    );
    assert_eq!(
        parse_relevant("selected(${a}, 'x') or selected( ${a} ,'y')"),
        any("a", &["x", "y"])
    );
    for bad in [
        "${a} = 'x' and ${b} = 'y'",
        "${a} = 'x' or ${b} = 'y'",
        "${a} != 'x'",
        "${a} > 3",
        "${a} = x",
        "not(selected(${a}, 'x'))",
        "",
        "${} = 'x'",
    ] {
        assert_eq!(parse_relevant(bad), None, "{bad}");
    }
}

/// The template shaped like IOM's Reintegration Sustainability Survey: fifteen indicators,
/// five in each dimension, every label in the four languages, placeholder weights said
/// so in its title; it reads back from its workbook as itself, and its best answers give
/// 1, its worst 0.
#[test]
fn the_template_is_a_whole_survey_in_four_languages() {
    use homeward_app::survey_template::{KEY, reintegration_sustainability};
    use std::collections::BTreeMap;
    let t = reintegration_sustainability().unwrap();
    assert_eq!(t.key, KEY);
    assert_eq!(t.languages, ["en", "fr", "es", "ar"]);
    assert_eq!(t.indicators.len(), 15);
    for d in Dimension::ALL {
        assert_eq!(
            t.indicators.iter().filter(|i| i.dimension == d).count(),
            5,
            "{d:?}"
        );
    }
    assert!(t.indicators.iter().all(|i| i.weight == 1));
    assert!(t.title["en"].contains("placeholder weights"));
    assert!(t.title["ar"].contains("أوزان مؤقتة"));
    let back = survey_from_xlsx(&survey_to_xlsx(&t).unwrap(), 1).unwrap();
    assert_eq!(back, t);
    // Every scored question answered with its best option, then its worst.
    let pick = |best: bool| -> BTreeMap<String, Answer> {
        t.questions
            .iter()
            .filter_map(|q| {
                let scored: Vec<&Choice> = q
                    .kind
                    .choices()
                    .iter()
                    .filter(|c| c.score.is_some())
                    .collect();
                let c = if best {
                    scored.iter().max_by_key(|c| c.score)?
                } else {
                    scored.iter().min_by_key(|c| c.score)?
                };
                let a = match q.kind {
                    QuestionKind::SelectMultiple { .. } => Answer::Choices([c.name.clone()].into()),
                    _ => Answer::Choice(c.name.clone()),
                };
                Some((q.name.clone(), a))
            })
            .collect()
    };
    let response = |answers| Response {
        key: KEY.into(),
        version: 1,
        answers,
    };
    // "Children of school age" is not scored: asked with "yes" the schooling question
    // applies.
    let mut best = pick(true);
    best.insert("school_age_children".into(), Answer::Choice("yes".into()));
    let card = t.score(&response(best)).unwrap();
    assert_eq!(card.composite, Some(Permille::ONE));
    let mut worst = pick(false);
    worst.insert("school_age_children".into(), Answer::Choice("yes".into()));
    let card = t.score(&response(worst)).unwrap();
    assert_eq!(card.composite, Some(Permille::ZERO));
    assert!(card.indicators.values().all(|s| *s == Some(Permille::ZERO)));
}

/// What a hostile or careless workbook holds is refused where it is, never a panic: text
/// whose case folding changes its length, a column twice, a value under no header; an
/// empty column in another language adds no language; a language without a written name
/// reads back as it was.
#[test]
fn careless_workbooks_are_refused_where_they_are_wrong() {
    for odd in [
        "K or ${a} = 'x'",
        "Ⱥ or ",
        "İ ${a} = 'x'",
        "selected(${a}, 'ẞ')",
    ] {
        assert_eq!(parse_relevant(odd), None, "{odd}");
    }
    assert!(parse_relevant("SELECTED(${a}, 'x') Or ${a} = 'y'").is_some());
    let settings: &[&[&str]] = &[&["form_id"], &["rss"]];
    let twice: &[&[&str]] = &[
        &["type", "name", "label::en", "name"],
        &["text", "notes", "Notes", "again"],
    ];
    let e =
        survey_from_xlsx(&workbook(&[("survey", twice), ("settings", settings)]), 1).unwrap_err();
    assert_eq!(
        places(&e),
        [("xlsform.column_twice", "survey/1/name".into())]
    );
    let same_language: &[&[&str]] = &[
        &["type", "name", "label", "label::English (en)"],
        &["text", "notes", "Notes", "Notes"],
    ];
    let bytes = workbook(&[
        ("survey", same_language),
        (
            "settings",
            &[&["form_id", "default_language"], &["rss", "en"]],
        ),
    ]);
    let e = survey_from_xlsx(&bytes, 1).unwrap_err();
    assert_eq!(
        places(&e),
        [(
            "xlsform.column_twice",
            "survey/1/label::English (en)".into()
        )]
    );
    let no_header: &[&[&str]] = &[
        &["type", "name", "label::en"],
        &["text", "notes", "Notes", "stray"],
    ];
    let e = survey_from_xlsx(
        &workbook(&[("survey", no_header), ("settings", settings)]),
        1,
    )
    .unwrap_err();
    assert_eq!(places(&e), [("xlsform.column", "survey/2/D".into())]);
    // An empty hint column in French: the survey is in English only.
    let quiet: &[&[&str]] = &[
        &["type", "name", "label::en", "hint::Français (fr)"],
        &["text", "notes", "Notes", ""],
    ];
    let s = survey_from_xlsx(&workbook(&[("survey", quiet), ("settings", settings)]), 1).unwrap();
    assert_eq!(s.languages, ["en"]);
    assert!(s.language_names.is_empty());
    let back = survey_from_xlsx(&survey_to_xlsx(&s).unwrap(), 1).unwrap();
    assert_eq!(
        back, s,
        "a language without a written name reads back as it was"
    );
}
