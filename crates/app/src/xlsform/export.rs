//! A definition written back as an XLSForm workbook.

use super::*;

/// A definition as an XLSForm workbook that reads back as the same definition.
pub fn survey_to_xlsx(d: &SurveyDefinition) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook, Worksheet};
    let bold = Format::new().set_bold();
    let header =
        |sheet: &mut Worksheet, names: &[String]| -> Result<(), rust_xlsxwriter::XlsxError> {
            for (c, n) in names.iter().enumerate() {
                sheet.write_string_with_format(0, c as u16, n, &bold)?;
            }
            sheet.set_freeze_panes(1, 0)?;
            Ok(())
        };
    // As written: `English (en)`, or the code alone where no name was, so that the
    // workbook reads back as the same survey.
    let language = |code: &str| match d.language_names.get(code) {
        Some(name) => format!("{name} ({code})"),
        None => code.to_string(),
    };
    let in_languages = |base: &str| -> Vec<String> {
        d.languages
            .iter()
            .map(|l| format!("{base}::{}", language(l)))
            .collect()
    };
    let mut book = Workbook::new();

    let has_hints = d.questions.iter().any(|q| !q.hints.is_empty());
    let mut columns: Vec<String> = vec!["type".into(), "name".into()];
    columns.extend(in_languages("label"));
    if has_hints {
        columns.extend(in_languages("hint"));
    }
    columns.extend(
        ["required", "relevant", "indicator", "scored_by"]
            .iter()
            .map(|c| c.to_string()),
    );
    let sheet = book.add_worksheet().set_name(SURVEY)?;
    header(sheet, &columns)?;
    for (n, q) in d.questions.iter().enumerate() {
        let row = n as u32 + 1;
        let (type_, scored_by) = match &q.kind {
            QuestionKind::SelectOne { list, .. } => (format!("select_one {list}"), ""),
            QuestionKind::SelectMultiple {
                list, scored_by, ..
            } => (
                format!("select_multiple {list}"),
                match scored_by {
                    Several::Mean => "mean",
                    Several::Lowest => "lowest",
                    Several::Highest => "highest",
                },
            ),
            QuestionKind::Integer => ("integer".into(), ""),
            QuestionKind::Decimal => ("decimal".into(), ""),
            QuestionKind::Date => ("date".into(), ""),
            QuestionKind::Text => ("text".into(), ""),
        };
        let mut cells = vec![type_, q.name.clone()];
        cells.extend(
            d.languages
                .iter()
                .map(|l| q.labels.get(l).cloned().unwrap_or_default()),
        );
        if has_hints {
            cells.extend(
                d.languages
                    .iter()
                    .map(|l| q.hints.get(l).cloned().unwrap_or_default()),
            );
        }
        let multiple = matches!(q.kind, QuestionKind::SelectMultiple { .. });
        let relevant = match &q.relevant {
            Some(Condition::AnyOf { question, any_of }) => {
                let asked_of_multiple = d.questions.iter().any(|e| {
                    e.name == *question && matches!(e.kind, QuestionKind::SelectMultiple { .. })
                });
                any_of
                    .iter()
                    .map(|o| {
                        if asked_of_multiple {
                            format!("selected(${{{question}}}, '{o}')")
                        } else {
                            format!("${{{question}}} = '{o}'")
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(" or ")
            }
            None => String::new(),
        };
        cells.push(if q.required { "yes" } else { "" }.into());
        cells.push(relevant);
        cells.push(
            d.indicators
                .iter()
                .find(|i| i.questions.contains(&q.name))
                .map(|i| i.name.clone())
                .unwrap_or_default(),
        );
        cells.push(if multiple {
            scored_by.into()
        } else {
            String::new()
        });
        for (c, v) in cells.iter().enumerate() {
            if !v.is_empty() {
                sheet.write_string(row, c as u16, v)?;
            }
        }
    }

    let mut columns: Vec<String> = vec!["list_name".into(), "name".into()];
    columns.extend(in_languages("label"));
    columns.push("score".into());
    let sheet = book.add_worksheet().set_name(CHOICES)?;
    header(sheet, &columns)?;
    let mut row = 1;
    let mut written: BTreeSet<&str> = BTreeSet::new();
    for q in &d.questions {
        let Some(list) = q.kind.list() else { continue };
        if !written.insert(list) {
            continue;
        }
        for c in q.kind.choices() {
            sheet.write_string(row, 0, list)?;
            sheet.write_string(row, 1, &c.name)?;
            for (n, l) in d.languages.iter().enumerate() {
                sheet.write_string(
                    row,
                    2 + n as u16,
                    c.labels.get(l).map_or("", String::as_str),
                )?;
            }
            if let Some(s) = c.score {
                sheet.write_number(row, 2 + d.languages.len() as u16, s.value())?;
            }
            row += 1;
        }
    }

    let one_title = d
        .languages
        .iter()
        .all(|l| d.title.get(l) == d.title.get(&d.languages[0]));
    let mut columns: Vec<String> = vec![
        "form_id".into(),
        "version".into(),
        "default_language".into(),
        "skipped".into(),
        "threshold".into(),
    ];
    let mut values: Vec<String> = vec![
        d.key.clone(),
        d.form_version.clone().unwrap_or_default(),
        d.languages.first().map(|l| language(l)).unwrap_or_default(),
        match d.skipped {
            Skipped::LeftOut => "left_out".into(),
            Skipped::Worst => "worst".into(),
        },
        d.threshold
            .map(|t| t.value().to_string())
            .unwrap_or_default(),
    ];
    if one_title {
        columns.push("form_title".into());
        values.push(
            d.languages
                .first()
                .and_then(|l| d.title.get(l))
                .cloned()
                .unwrap_or_default(),
        );
    } else {
        columns.extend(in_languages("form_title"));
        values.extend(
            d.languages
                .iter()
                .map(|l| d.title.get(l).cloned().unwrap_or_default()),
        );
    }
    let sheet = book.add_worksheet().set_name(SETTINGS)?;
    header(sheet, &columns)?;
    for (c, v) in values.iter().enumerate() {
        if !v.is_empty() {
            sheet.write_string(1, c as u16, v)?;
        }
    }

    let mut columns: Vec<String> = vec!["name".into(), "dimension".into(), "weight".into()];
    columns.extend(in_languages("label"));
    let sheet = book.add_worksheet().set_name(INDICATORS)?;
    header(sheet, &columns)?;
    for (n, i) in d.indicators.iter().enumerate() {
        let row = n as u32 + 1;
        sheet.write_string(row, 0, &i.name)?;
        sheet.write_string(row, 1, i.dimension.code())?;
        sheet.write_number(row, 2, f64::from(i.weight))?;
        for (c, l) in d.languages.iter().enumerate() {
            sheet.write_string(
                row,
                3 + c as u16,
                i.labels.get(l).map_or("", String::as_str),
            )?;
        }
    }

    let sheet = book.add_worksheet().set_name(DIMENSIONS)?;
    header(sheet, &["dimension".into(), "weight".into()])?;
    for (n, (dimension, w)) in d.dimension_weights.iter().enumerate() {
        sheet.write_string(n as u32 + 1, 0, dimension.code())?;
        sheet.write_number(n as u32 + 1, 1, f64::from(*w))?;
    }
    book.save_to_buffer()
}
