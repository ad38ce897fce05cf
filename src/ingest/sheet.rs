//! Metadata sheets: a `manifest.csv` (or `manifest.tsv`) in a corpus folder
//! gives metadata to the files beside it and below it.
//!
//! Columns: `path` (required, relative to the sheet's folder), then any of
//! `id`, `date`, `title`, `lang`, `kind`, `source`; every other column becomes a metadata
//! field (usable with `--where` and `--group-by`). A non-empty cell wins over
//! what the file itself says (front matter, a JSONL record's field, an HTML
//! `<meta>`); an empty cell leaves the file's own value.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// File names recognised as metadata sheets (compared case-insensitively).
pub const SHEET_NAMES: [&str; 2] = ["manifest.csv", "manifest.tsv"];

/// True when `path` is named like a metadata sheet.
pub fn is_sheet(path: &Path) -> bool {
    path.file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .is_some_and(|n| SHEET_NAMES.contains(&n.as_str()))
}

/// One row of a sheet: the metadata it gives one file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct SheetRow {
    /// The sheet the row is in.
    pub sheet: PathBuf,
    /// 1-based line of the row in the sheet.
    pub line: usize,
    /// Column name → non-empty cell, in the sheet's column order.
    pub cells: Vec<(String, String)>,
}

impl SheetRow {
    /// The row's value in `column`, if the sheet has it.
    pub fn get(&self, column: &str) -> Option<&str> {
        self.cells
            .iter()
            .find(|(k, _)| k == column)
            .map(|(_, v)| v.as_str())
    }

    /// A stable text of the row, folded into the content hash of its file so
    /// that `--update` re-reads a file whose row changed.
    pub fn fingerprint(&self) -> String {
        self.cells
            .iter()
            .map(|(k, v)| format!("{k}\u{1f}{v}"))
            .collect::<Vec<_>>()
            .join("\u{1e}")
    }
}

/// The largest sheet read (a row per file: millions of rows fit).
pub const MAX_SHEET_BYTES: u64 = 64 << 20;

/// A row that cannot be used, with its line and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadRow {
    /// The line of the sheet.
    pub line: usize,
    /// What is wrong.
    pub reason: String,
}

/// Reads a sheet: rows by the canonical path of the file they name, and the
/// rows that cannot be used. Fails only when the sheet itself cannot be read.
pub fn read(sheet: &Path) -> Result<(BTreeMap<PathBuf, SheetRow>, Vec<BadRow>), String> {
    // Checked like every input before a byte is read: a FIFO would hang the
    // build, a link to /dev/zero or a gigabyte sheet exhaust its memory.
    let meta = std::fs::metadata(sheet).map_err(|e| format!("cannot read the sheet: {e}"))?;
    if !meta.is_file() {
        return Err(
            "not a regular file (a FIFO, device or folder named like a sheet): not read".into(),
        );
    }
    if meta.len() > MAX_SHEET_BYTES {
        return Err(format!(
            "{} MB, more than a metadata sheet needs ({} MB at most): not read",
            meta.len() >> 20,
            MAX_SHEET_BYTES >> 20
        ));
    }
    let bytes = std::fs::read(sheet).map_err(|e| format!("cannot read the sheet: {e}"))?;
    let tsv = sheet
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("tsv"));
    let folder = sheet.parent().unwrap_or(Path::new("."));
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(&bytes);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(if tsv { b'\t' } else { b',' })
        .flexible(false)
        .from_reader(bytes);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| format!("cannot read the header line: {e}"))?
        .iter()
        .map(|h| h.trim().to_lowercase())
        .collect();
    if !headers.iter().any(|h| h == "path") {
        return Err(format!(
            "line 1: no `path` column (found {}); the first line must name the columns, e.g. `path,id,date,title,lang,kind`",
            headers.join(", ")
        ));
    }
    let mut seen_columns = std::collections::HashSet::new();
    for h in &headers {
        if h.is_empty() || !seen_columns.insert(h) {
            return Err(format!(
                "line 1: {} column name {h:?}; every column needs its own name",
                if h.is_empty() {
                    "an empty"
                } else {
                    "a repeated"
                }
            ));
        }
    }
    let mut rows = BTreeMap::new();
    let mut bad = Vec::new();
    // Line numbers from byte offsets, counting '\n' only: the csv reader
    // counts a CRLF (a sheet saved on Windows) as two lines. Records come in
    // order, so the count runs on from the previous one.
    let mut counted = (0usize, 1usize);
    let mut line_at = |p: Option<&csv::Position>| -> usize {
        let Some(p) = p else { return 0 };
        let mut byte = (p.byte() as usize).min(bytes.len());
        // After a CRLF the reader may place a record at its '\n': the row
        // starts at its first byte that is not a line end.
        while byte < bytes.len() && matches!(bytes[byte], b'\r' | b'\n') {
            byte += 1;
        }
        if byte >= counted.0 {
            counted.1 += memchr::memchr_iter(b'\n', &bytes[counted.0..byte]).count();
            counted.0 = byte;
        }
        counted.1
    };
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = line_at(e.position());
                let reason = match e.kind() {
                    csv::ErrorKind::UnequalLengths {
                        expected_len, len, ..
                    } => format!(
                        "{len} cells where the header has {expected_len} (a comma inside a value needs \"quotes\")"
                    ),
                    csv::ErrorKind::Utf8 { .. } => {
                        "not valid UTF-8: save the sheet as UTF-8 CSV".to_string()
                    }
                    _ => e.to_string(),
                };
                bad.push(BadRow { line, reason });
                continue;
            }
        };
        let line = line_at(record.position());
        let cells: Vec<(String, String)> = headers
            .iter()
            .zip(record.iter())
            .map(|(h, v)| (h.clone(), v.trim().to_string()))
            .filter(|(_, v)| !v.is_empty())
            .collect();
        if cells.is_empty() {
            continue;
        }
        let row = SheetRow {
            sheet: sheet.to_path_buf(),
            line,
            cells,
        };
        let Some(path) = row.get("path") else {
            bad.push(BadRow {
                line,
                reason: "empty `path`: every row names a file".into(),
            });
            continue;
        };
        let file = folder.join(path);
        let canonical = match std::fs::canonicalize(&file) {
            Ok(c) if c.is_file() => c,
            Ok(_) => {
                bad.push(BadRow {
                    line,
                    reason: format!("{path:?} is not a file"),
                });
                continue;
            }
            Err(_) => {
                bad.push(BadRow {
                    line,
                    reason: format!(
                        "{path:?} does not exist (paths are relative to the sheet's folder {}); fix the path or remove the row",
                        folder.display()
                    ),
                });
                continue;
            }
        };
        if let Some(first) = rows.get(&canonical) {
            let first: &SheetRow = first;
            bad.push(BadRow {
                line,
                reason: format!(
                    "{path:?} already has a row (line {}); the first row is used",
                    first.line
                ),
            });
            continue;
        }
        rows.insert(canonical, row);
    }
    Ok((rows, bad))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_and_bad_rows() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("a.txt"), "x").expect("write");
        std::fs::write(
            dir.path().join("manifest.csv"),
            "path,id,date,title,lang,kind,speaker\n\
             a.txt,w-1,2015-12-16,\"Title, with comma\",,speech,Xi\n\
             missing.pdf,w-2,2016,,,,\n\
             a.txt,w-3,,,,,\n\
             ,w-4,,,,,\n\
             a.txt,too,many,cells,here,,,,\n",
        )
        .expect("write");
        let (rows, bad) = read(&dir.path().join("manifest.csv")).expect("readable");
        assert_eq!(rows.len(), 1);
        let row = rows.values().next().expect("one row");
        assert_eq!(row.line, 2);
        assert_eq!(row.get("title"), Some("Title, with comma"));
        assert_eq!(row.get("lang"), None);
        assert_eq!(row.get("speaker"), Some("Xi"));
        let lines: Vec<usize> = bad.iter().map(|b| b.line).collect();
        assert_eq!(lines, vec![3, 4, 5, 6], "{bad:?}");
        assert!(bad[0].reason.contains("does not exist"));
        assert!(bad[1].reason.contains("already has a row (line 2)"));
        assert!(bad[2].reason.contains("empty `path`"));
        assert!(bad[3].reason.contains("cells where the header has 7"));
    }

    #[test]
    fn crlf_sheets_give_the_same_line_numbers() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("a.txt"), "x").expect("write");
        std::fs::write(
            dir.path().join("manifest.csv"),
            "path,id\r\na.txt,w-1\r\nmissing.pdf,w-2\r\n\"a.txt\",w-3\r\na.txt,too,many\r\n",
        )
        .expect("write");
        let (rows, bad) = read(&dir.path().join("manifest.csv")).expect("readable");
        assert_eq!(rows.values().next().expect("row").line, 2);
        let lines: Vec<usize> = bad.iter().map(|b| b.line).collect();
        assert_eq!(lines, vec![3, 4, 5], "{bad:?}");
    }

    #[test]
    fn sheet_without_path_column_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("manifest.tsv"), "file\tid\nx\ty\n").expect("write");
        let err = read(&dir.path().join("manifest.tsv")).unwrap_err();
        assert!(err.contains("no `path` column"), "{err}");
    }
}
