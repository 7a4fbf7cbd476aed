//! A published table in long form, as the downloads write it: a header row, the HXL
//! hashtag row under it (spreadsheet and HXL tools expect both there), one line per group
//! (its labels as text, then its figures as numbers, empty where hidden or not given),
//! and notes (the definitions: the XLSX workbook's second sheet; the CSV leaves them to
//! the JSON and the page).

use axum::response::Response;
use rust_xlsxwriter::{Format, Workbook, XlsxError};

use super::stats::download;
use crate::problem::{ApiResult, Problem};

/// Minor units of `currency` (ISO 4217, as a report names it) as a number in its major
/// units, as the downloads write money (two decimals where the code is not one).
pub fn major_units(currency: &str) -> impl Fn(i64) -> f64 {
    let exponent = homeward_domain::values::CurrencyCode::parse_exact(currency)
        .map(|c| c.minor_unit_exponent())
        .unwrap_or(2);
    move |m| m as f64 / 10f64.powi(exponent as i32)
}

pub struct LongTable {
    /// The first sheet's name.
    pub sheet: &'static str,
    pub notes: Vec<String>,
    pub header: Vec<String>,
    pub tags: Vec<String>,
    pub lines: Vec<(Vec<String>, Vec<Option<f64>>)>,
}

impl LongTable {
    pub fn csv(&self) -> Result<Vec<u8>, csv::Error> {
        let mut w = csv::WriterBuilder::new().from_writer(vec![]);
        w.write_record(&self.header)?;
        w.write_record(&self.tags)?;
        for (labels, figures) in &self.lines {
            let mut line = labels.clone();
            line.extend(
                figures
                    .iter()
                    .map(|f| f.map(|n| n.to_string()).unwrap_or_default()),
            );
            w.write_record(&line)?;
        }
        w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
    }

    pub fn xlsx(&self) -> Result<Vec<u8>, XlsxError> {
        let mut book = Workbook::new();
        let bold = Format::new().set_bold();
        let sheet = book.add_worksheet();
        sheet.set_name(self.sheet)?;
        for (c, h) in self.header.iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, h, &bold)?;
        }
        for (c, t) in self.tags.iter().enumerate() {
            sheet.write_string(1, c as u16, t)?;
        }
        for (n, (labels, figures)) in self.lines.iter().enumerate() {
            let row = n as u32 + 2;
            for (c, l) in labels.iter().enumerate() {
                sheet.write_string(row, c as u16, l)?;
            }
            for (k, f) in figures.iter().enumerate() {
                if let Some(f) = f {
                    sheet.write_number(row, (labels.len() + k) as u16, *f)?;
                }
            }
        }
        sheet.set_freeze_panes(2, 0)?;
        sheet.autofit();
        let notes = book.add_worksheet();
        notes.set_name("Notes")?;
        for (n, d) in self.notes.iter().enumerate() {
            notes.write_string(n as u32, 0, d)?;
        }
        notes.set_column_width(0, 120)?;
        book.save_to_buffer()
    }

    /// The CSV as a download saved as `disposition` says.
    pub fn csv_download(&self, disposition: &'static str) -> ApiResult<Response> {
        let body = self.csv().map_err(|e| {
            Problem::from(homeward_app::AppError::internal_from("writing the CSV", e))
        })?;
        Ok(download(body, "text/csv; charset=utf-8", disposition))
    }

    /// The XLSX workbook as a download saved as `disposition` says.
    pub fn xlsx_download(&self, disposition: &'static str) -> ApiResult<Response> {
        let body = self.xlsx().map_err(|e| {
            Problem::from(homeward_app::AppError::internal_from("writing the XLSX", e))
        })?;
        Ok(download(
            body,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            disposition,
        ))
    }
}
