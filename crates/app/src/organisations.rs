//! The stakeholder directory: administrators and programme managers keep it; every
//! signed-in user may read it (it names organisations, never people).

use calamine::Reader as _;
use homeward_domain::ids::OrganisationId;
use homeward_domain::organisation::{Organisation, OrganisationDetails, OrganisationFilter};
use homeward_store::OrganisationRow;

use crate::auth::Principal;
use crate::{App, AppError, Internally, Result, new_id, now};

fn parse(row: &OrganisationRow) -> Result<Organisation> {
    let details: OrganisationDetails = serde_json::from_str(&row.details)
        .map_err(|e| AppError::internal_from(format!("organisation {}", row.id), e))?;
    Ok(Organisation {
        id: row.id,
        details,
    })
}

fn may_keep(p: &Principal, what: &str) -> Result<()> {
    if p.actor.may_keep_directory() {
        Ok(())
    } else {
        Err(AppError::Forbidden(format!(
            "{what} is for administrators and programme managers"
        )))
    }
}

fn check(d: &OrganisationDetails) -> Result<()> {
    let v = d.violations();
    if v.is_empty() {
        Ok(())
    } else {
        Err(AppError::Invalid(v))
    }
}

impl App {
    /// Adds an organisation to the directory. `p` is `None` only for the demo's set-up.
    pub async fn create_organisation(
        &self,
        p: Option<&Principal>,
        details: OrganisationDetails,
    ) -> Result<Organisation> {
        if let Some(p) = p {
            may_keep(p, "adding organisations")?;
        }
        check(&details)?;
        let at = now();
        let row = OrganisationRow {
            id: OrganisationId(new_id()),
            name: details.name.to_string(),
            details: serde_json::to_string(&details).internal("organisation")?,
            created_at: at,
            updated_at: at,
        };
        self.store().create_organisation(&row).await?;
        self.audit_admin(
            p,
            "organisation.create",
            serde_json::json!({"organisation": row.id, "name": row.name}),
        )
        .await?;
        parse(&row)
    }

    /// Replaces an organisation's description (referrals made to it keep its id).
    pub async fn update_organisation(
        &self,
        p: &Principal,
        id: OrganisationId,
        details: OrganisationDetails,
    ) -> Result<Organisation> {
        may_keep(p, "changing organisations")?;
        check(&details)?;
        let mut row = self
            .store()
            .organisation(id)
            .await?
            .ok_or(AppError::NotFound)?;
        row.name = details.name.to_string();
        row.details = serde_json::to_string(&details).internal("organisation")?;
        row.updated_at = now();
        self.store().update_organisation(&row).await?;
        self.audit_admin(
            Some(p),
            "organisation.update",
            serde_json::json!({"organisation": row.id, "details": row.details}),
        )
        .await?;
        parse(&row)
    }

    /// The organisations that match, by name.
    pub async fn find_organisations(
        &self,
        filter: &OrganisationFilter,
    ) -> Result<Vec<Organisation>> {
        let mut found = vec![];
        for row in self.store().list_organisations().await? {
            let o = parse(&row)?;
            if filter.matches(&o.details) {
                found.push(o);
            }
        }
        Ok(found)
    }

    pub async fn get_organisation(&self, id: OrganisationId) -> Result<Organisation> {
        let row = self
            .store()
            .organisation(id)
            .await?
            .ok_or(AppError::NotFound)?;
        parse(&row)
    }
}

impl App {
    /// The name of the organisation a referral for `service` goes to, if it can take it
    /// (`homeward_domain::case::referral_target_violations`); `field` names the
    /// organisation in a refusal.
    pub async fn referral_target(
        &self,
        id: OrganisationId,
        service: homeward_domain::organisation::ServiceType,
        country: &homeward_domain::values::CountryCode,
        field: &str,
    ) -> Result<homeward_domain::values::ShortText> {
        let Some(row) = self.store().organisation(id).await? else {
            return Err(AppError::invalid(
                homeward_domain::Violation::new(
                    "referral.organisation_unknown",
                    "there is no such organisation in the directory",
                )
                .at(field),
            ));
        };
        let o = parse(&row)?;
        let v = homeward_domain::case::referral_target_violations(&o.details, service, country);
        if v.is_empty() {
            Ok(o.details.name)
        } else {
            Err(AppError::Invalid(v))
        }
    }
}

impl App {
    /// The organisations a referral of this case may go to: working, in its host
    /// country or its country of return; by name.
    pub async fn referral_choices(
        &self,
        case: &homeward_domain::Case,
    ) -> Result<Vec<Organisation>> {
        let mut found = vec![];
        for country in [&case.host_country, &case.proposal.country_of_return] {
            let filter = OrganisationFilter {
                country: Some(country.clone()),
                ..OrganisationFilter::default()
            };
            for o in self.find_organisations(&filter).await? {
                if !found.iter().any(|f: &Organisation| f.id == o.id) {
                    found.push(o);
                }
            }
        }
        found.sort_by(|a, b| a.details.name.cmp(&b.details.name));
        Ok(found)
    }
}

/// The columns of a directory file, in any order; `name`, `kind`, `countries`,
/// `services` and `stages` are required. Lists inside a cell are separated by `;` or `,`.
pub const IMPORT_COLUMNS: [&str; 11] = [
    "name",
    "kind",
    "countries",
    "services",
    "stages",
    "languages",
    "contact",
    "email",
    "phone",
    "address",
    "active",
];

/// A rule a line of a directory file breaks, at `line/<n>/<column>`.
fn at_line(line: usize, column: &str, v: homeward_domain::Violation) -> homeward_domain::Violation {
    let column = v
        .field
        .clone()
        .filter(|f| !f.is_empty())
        .unwrap_or_else(|| column.to_string());
    homeward_domain::Violation {
        field: Some(format!("line/{line}/{column}")),
        ..v
    }
    .param("line", line)
    .param("column", column)
}

/// What an import reads: organisations, each with its line number; or every problem,
/// each at its line and column.
pub type Imported =
    std::result::Result<Vec<(usize, OrganisationDetails)>, Vec<homeward_domain::Violation>>;

/// A directory file as lines of cells: the header's, then each line's with its number
/// (or why it cannot be read).
struct Table {
    header: Vec<String>,
    lines: Vec<(usize, std::result::Result<Vec<String>, String>)>,
}

fn unreadable(why: impl std::fmt::Display) -> Vec<homeward_domain::Violation> {
    vec![
        homeward_domain::Violation::new(
            "import.unreadable",
            format!("the file cannot be read: {why}"),
        )
        .at("file")
        .param("why", why),
    ]
}

/// Organisations read from a directory file (comma- or tab-separated, with a header
/// line).
pub fn organisations_from_csv(text: &str) -> Imported {
    let text = text.trim_start_matches('\u{feff}');
    let tab = text.lines().next().is_some_and(|h| h.contains('\t'));
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(if tab { b'\t' } else { b',' })
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(unreadable)?
        .iter()
        .map(str::to_string)
        .collect();
    let lines = reader
        .records()
        .enumerate()
        // The header is line 1.
        .map(|(index, r)| {
            (
                index + 2,
                r.map(|r| r.iter().map(str::to_string).collect())
                    .map_err(|e| e.to_string()),
            )
        })
        .collect();
    organisations_from_table(Table { header, lines })
}

/// The most a directory workbook may unpack to (a directory of thousands of
/// organisations unpacks to a few megabytes).
const MAX_UNPACKED_WORKBOOK: u64 = 32 * 1024 * 1024;

/// The farthest cell a directory sheet may have (a directory is hundreds of rows of a
/// dozen columns): a sheet is read cell by cell, never as a grid its extent could make
/// enormous.
const MAX_SHEET_ROWS: u32 = 10_000;
const MAX_SHEET_COLUMNS: u32 = 50;

/// Organisations read from the first sheet of an Excel workbook (`.xlsx`), laid out as
/// the text file is: a header row, then one organisation per row. Lines are the sheet's
/// row numbers. Dates and error values are not directory values: each is a problem at
/// its cell.
pub fn organisations_from_xlsx(bytes: &[u8]) -> Imported {
    let limits = crate::workbook::Limits {
        unpacked: MAX_UNPACKED_WORKBOOK,
        rows: MAX_SHEET_ROWS,
        columns: MAX_SHEET_COLUMNS,
    };
    let mut book = crate::workbook::open(bytes, limits).map_err(unreadable)?;
    let first = book
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| unreadable("the workbook has no sheet"))?;
    let crate::workbook::SheetText { rows, odd } =
        crate::workbook::sheet(&mut book, &first, limits).map_err(unreadable)?;
    let mut rows = rows.into_iter();
    let (header_row, header) = rows
        .next()
        .ok_or_else(|| unreadable("the first sheet is empty"))?;
    if !odd.is_empty() {
        return Err(odd
            .into_iter()
            .map(|(line, c, what)| {
                let column = header
                    .get(c)
                    .filter(|h| !h.is_empty() && line > header_row as usize + 1)
                    .cloned()
                    .unwrap_or_else(|| format!("column {}", c + 1));
                at_line(
                    line,
                    &column,
                    homeward_domain::Violation::new(
                        "import.not_a_value",
                        format!("{what} is not a directory value: type it as text"),
                    ),
                )
            })
            .collect());
    }
    organisations_from_table(Table {
        header,
        lines: rows.map(|(r, cells)| (r as usize + 1, Ok(cells))).collect(),
    })
}

fn organisations_from_table(table: Table) -> Imported {
    use homeward_domain::Violation;
    use homeward_domain::organisation::{OrganisationKind, ServiceStage, ServiceType};
    use homeward_domain::values::{CountryCode, LanguageCode, LongText, ShortText};
    let mut problems = vec![];
    let header: Vec<String> = table
        .header
        .iter()
        .map(|c| c.trim().to_lowercase())
        .collect();
    for (n, c) in header.iter().enumerate() {
        if !IMPORT_COLUMNS.contains(&c.as_str()) {
            problems.push(
                Violation::new(
                    "import.unknown_column",
                    format!(
                        "column {} is \"{c}\", which is not one of: {}",
                        n + 1,
                        IMPORT_COLUMNS.join(", ")
                    ),
                )
                .at("file")
                .param("column", c),
            );
        }
    }
    for required in &IMPORT_COLUMNS[..5] {
        if !header.iter().any(|c| c == required) {
            problems.push(
                Violation::new(
                    "import.missing_column",
                    format!("the header has no \"{required}\" column"),
                )
                .at("file")
                .param("column", required),
            );
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut out = vec![];
    let mut names = std::collections::BTreeMap::<String, usize>::new();
    for (line, record) in table.lines {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                problems.push(at_line(
                    line,
                    "line",
                    Violation::new("import.unreadable", format!("cannot be read: {e}")),
                ));
                continue;
            }
        };
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let cell = |name: &str| -> &str {
            header
                .iter()
                .position(|c| c == name)
                .and_then(|i| record.get(i))
                .map_or("", |c| c.trim())
        };
        let list = |name: &str| -> Vec<String> {
            cell(name)
                .split([';', ','])
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_string)
                .collect()
        };
        let mut bad = |column: &str, v: Violation| problems.push(at_line(line, column, v));
        let name = ShortText::parse(cell("name"))
            .map_err(|e| bad("name", Violation::from_value_error(e, "")))
            .ok();
        let kind = OrganisationKind::from_code(cell("kind"));
        if kind.is_none() {
            bad(
                "kind",
                Violation::new(
                    "import.unknown_code",
                    format!("\"{}\" is not a kind of organisation", cell("kind")),
                )
                .param("value", cell("kind")),
            );
        }
        let mut codes = |column: &str, found: &dyn Fn(&str) -> bool| {
            for c in list(column) {
                if !found(&c) {
                    bad(
                        column,
                        Violation::new("import.unknown_code", format!("\"{c}\" is not known here"))
                            .param("value", &c),
                    );
                }
            }
        };
        codes("services", &|c| ServiceType::from_code(c).is_some());
        codes("stages", &|c| ServiceStage::from_code(c).is_some());
        codes("countries", &|c| CountryCode::parse(c).is_ok());
        codes("languages", &|c| LanguageCode::parse(c).is_ok());
        let optional = |column: &str, bad: &mut dyn FnMut(&str, Violation)| {
            let v = cell(column);
            (!v.is_empty())
                .then(|| ShortText::parse(v))
                .transpose()
                .map_err(|e| bad(column, Violation::from_value_error(e, "")))
                .ok()
                .flatten()
        };
        let contact = optional("contact", &mut bad);
        let email = optional("email", &mut bad);
        let phone = optional("phone", &mut bad);
        let address = (!cell("address").is_empty())
            .then(|| LongText::parse(cell("address")))
            .transpose()
            .map_err(|e| bad("address", Violation::from_value_error(e, "")))
            .ok()
            .flatten();
        let active = match cell("active").to_lowercase().as_str() {
            "" | "yes" | "true" | "1" => true,
            "no" | "false" | "0" => false,
            other => {
                bad(
                    "active",
                    Violation::new("import.not_yes_no", format!("\"{other}\" is not yes or no"))
                        .param("value", other),
                );
                true
            }
        };
        if let Some(first) = name
            .as_ref()
            .and_then(|n| names.insert(n.as_str().to_lowercase(), line))
        {
            bad(
                "name",
                Violation::new(
                    "import.duplicate_name",
                    format!("the file names this organisation on line {first} already"),
                )
                .param("first", first),
            );
        }
        // The domain's rules are asked even when the name or the kind is wrong, so that
        // the report names every problem of the line at once.
        let complete = name.is_some() && kind.is_some();
        let details = OrganisationDetails {
            name: match name {
                Some(n) => n,
                None => ShortText::parse("-")
                    .map_err(|e| vec![Violation::from_value_error(e, "name")])?,
            },
            kind: kind.unwrap_or(OrganisationKind::MigrantSupport),
            countries: list("countries")
                .iter()
                .filter_map(|c| CountryCode::parse(c).ok())
                .collect(),
            services: list("services")
                .iter()
                .filter_map(|c| ServiceType::from_code(c))
                .collect(),
            stages: list("stages")
                .iter()
                .filter_map(|c| ServiceStage::from_code(c))
                .collect(),
            languages: list("languages")
                .iter()
                .filter_map(|c| LanguageCode::parse(c).ok())
                .collect(),
            contact,
            email,
            phone,
            address,
            active,
        };
        for v in details.violations() {
            let column = v.field.clone().unwrap_or_default();
            bad(&column, v);
        }
        if complete {
            out.push((line, details));
        }
    }
    if out.is_empty() && problems.is_empty() {
        problems.push(Violation::new("import.empty", "the file lists no organisation").at("file"));
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// What an import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportReport {
    /// Organisations added.
    pub added: usize,
    /// Organisations of the same name (case ignored) whose description was replaced.
    pub updated: usize,
}

impl App {
    /// Imports a directory file: every line checked first, each problem reported at its
    /// line and column, and nothing written unless every line is right; then all lines in
    /// one transaction. An organisation already in the directory under the same name
    /// (case ignored) is updated, so that a file can be imported again.
    pub async fn import_organisations(&self, p: &Principal, text: &str) -> Result<ImportReport> {
        may_keep(p, "importing organisations")?;
        let rows = organisations_from_csv(text).map_err(AppError::Invalid)?;
        self.import_rows(p, rows).await
    }

    /// Imports the first sheet of an Excel workbook as `import_organisations` imports a
    /// text file.
    pub async fn import_organisations_xlsx(
        &self,
        p: &Principal,
        bytes: &[u8],
    ) -> Result<ImportReport> {
        may_keep(p, "importing organisations")?;
        // Unpacking and reading a sheet is work for a blocking thread, not the server's.
        let bytes = bytes.to_vec();
        let rows = tokio::task::spawn_blocking(move || organisations_from_xlsx(&bytes))
            .await
            .internal("reading a workbook")?
            .map_err(AppError::Invalid)?;
        self.import_rows(p, rows).await
    }

    async fn import_rows(
        &self,
        p: &Principal,
        rows: Vec<(usize, OrganisationDetails)>,
    ) -> Result<ImportReport> {
        let existing = self.store().list_organisations().await?;
        let at = now();
        let mut report = ImportReport {
            added: 0,
            updated: 0,
        };
        let mut write = vec![];
        for (_, details) in rows {
            let known = existing
                .iter()
                .find(|o| o.name.to_lowercase() == details.name.as_str().to_lowercase());
            match known {
                Some(_) => report.updated += 1,
                None => report.added += 1,
            }
            write.push(OrganisationRow {
                id: known.map_or_else(|| OrganisationId(new_id()), |o| o.id),
                name: details.name.to_string(),
                details: serde_json::to_string(&details).internal("organisation")?,
                created_at: known.map_or(at, |o| o.created_at),
                updated_at: at,
            });
        }
        self.store().upsert_organisations(&write).await?;
        self.audit_admin(
            Some(p),
            "organisation.import",
            serde_json::json!({"added": report.added, "updated": report.updated}),
        )
        .await?;
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    #[test]
    fn a_workbook_that_unpacks_to_more_than_a_directory_needs_is_refused_unread() {
        let mut out = std::io::Cursor::new(Vec::new());
        let mut zip = zip::ZipWriter::new(&mut out);
        zip.start_file(
            "xl/worksheets/sheet1.xml",
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        let zeros = vec![0u8; 1024 * 1024];
        for _ in 0..40 {
            zip.write_all(&zeros).unwrap();
        }
        zip.finish().unwrap();
        let bytes = out.into_inner();
        assert!(bytes.len() < 256 * 1024, "{} bytes", bytes.len());
        let refused = organisations_from_xlsx(&bytes).unwrap_err();
        assert_eq!(refused[0].code, "import.unreadable");
        assert!(
            refused[0].message.contains("unpacks to"),
            "{}",
            refused[0].message
        );
    }

    #[test]
    fn a_sheet_with_a_value_far_away_is_refused_without_making_its_grid() {
        // A1 and XFD1048576: read as a grid, 17 billion cells.
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "name").unwrap();
        sheet.write_string(1_048_575, 16_383, "far").unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let refused = organisations_from_xlsx(&bytes).unwrap_err();
        assert!(
            refused[0].message.contains("at most"),
            "{}",
            refused[0].message
        );
    }

    #[test]
    fn dates_and_error_values_are_named_at_their_cells() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (c, h) in ["name", "kind", "countries", "services", "stages"]
            .iter()
            .enumerate()
        {
            sheet.write_string(0, c as u16, *h).unwrap();
        }
        let when = rust_xlsxwriter::ExcelDateTime::from_ymd(2026, 1, 2).unwrap();
        let format = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
        sheet
            .write_datetime_with_format(1, 0, &when, &format)
            .unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let refused = organisations_from_xlsx(&bytes).unwrap_err();
        assert_eq!(refused[0].code, "import.not_a_value");
        assert_eq!(refused[0].field.as_deref(), Some("line/2/name"));
    }
}
