//! Reading an Excel workbook (`.xlsx`) that a person uploads: a directory, a survey
//! (XLSForm). A workbook is a zip archive, read only once it is known to unpack within a
//! limit, and a sheet is read cell by cell, never as a grid its extent could make
//! enormous.

use std::collections::BTreeMap;
use std::io::Cursor;

use calamine::{DataRef, Reader, Xlsx};

/// What a workbook of one kind may hold.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The most its archive may unpack to, in bytes.
    pub unpacked: u64,
    /// The farthest row and column a sheet may have a value at.
    pub rows: u32,
    pub columns: u32,
}

/// A sheet's values as text, trimmed, by row (from 0), each row as its cells from the
/// first column; and the cells that hold no text value (a date, an error value), each
/// as (line from 1, column from 0, what it holds).
#[derive(Debug, Default)]
pub struct SheetText {
    pub rows: BTreeMap<u32, Vec<String>>,
    pub odd: Vec<(usize, usize, &'static str)>,
}

/// An opened workbook.
pub type Book<'a> = Xlsx<Cursor<&'a [u8]>>;

/// Opens a workbook, refusing one that unpacks to more than `limits.unpacked` (a "zip
/// bomb"): its entries are unpacked, counted and thrown away, never beyond the limit, as
/// the sizes an archive declares may be absent or lie.
pub fn open(bytes: &[u8], limits: Limits) -> Result<Book<'_>, String> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| e.to_string())?;
    let mut unpacked: u64 = 0;
    for n in 0..archive.len() {
        let entry = archive.by_index(n).map_err(|e| e.to_string())?;
        let room = limits.unpacked - unpacked;
        unpacked += std::io::copy(
            &mut std::io::Read::take(entry, room + 1),
            &mut std::io::sink(),
        )
        .map_err(|e| e.to_string())?;
        if unpacked > limits.unpacked {
            return Err(format!(
                "it unpacks to more than the {} bytes such a workbook needs",
                limits.unpacked
            ));
        }
    }
    Xlsx::new(Cursor::new(bytes)).map_err(|e| e.to_string())
}

/// The values of the sheet `name`.
pub fn sheet(book: &mut Book<'_>, name: &str, limits: Limits) -> Result<SheetText, String> {
    let mut cells = book
        .worksheet_cells_reader(name)
        .map_err(|e| e.to_string())?;
    let mut out = SheetText::default();
    while let Some(cell) = cells.next_cell().map_err(|e| e.to_string())? {
        let (r, c) = cell.get_position();
        if r >= limits.rows || c >= limits.columns {
            return Err(format!(
                "sheet {name} has a value at row {}, column {}: such a sheet has at most {} rows and {} columns",
                r + 1,
                c + 1,
                limits.rows,
                limits.columns
            ));
        }
        let text = match cell.get_value() {
            DataRef::Empty => continue,
            DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
            DataRef::SharedString(s) => s.to_string(),
            DataRef::Int(n) => n.to_string(),
            DataRef::Float(f) => f.to_string(),
            DataRef::Bool(b) => if *b { "yes" } else { "no" }.to_string(),
            DataRef::DateTime(_) => {
                out.odd.push((r as usize + 1, c as usize, "a date"));
                continue;
            }
            DataRef::Error(_) => {
                out.odd.push((r as usize + 1, c as usize, "an error value"));
                continue;
            }
        };
        let row = out.rows.entry(r).or_default();
        if row.len() <= c as usize {
            row.resize(c as usize + 1, String::new());
        }
        row[c as usize] = text.trim().to_string();
    }
    Ok(out)
}
