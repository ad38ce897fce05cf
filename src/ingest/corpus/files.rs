//! Finding the corpus files: paths walked in sorted order, formats told by
//! name, sheets matched to their files.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::sheet::{self, SheetRow};

use super::*;

/// The files a list of paths stands for, in reading order, with what was
/// passed over (files that are not documents; FIFOs, sockets, devices and
/// broken links, reported as problems).
#[derive(Debug, Default)]
pub struct CorpusFiles {
    /// The files to read, in corpus order.
    pub files: Vec<PathBuf>,
    /// The collection of each file (see [`Document::collection`]).
    pub collections: Vec<String>,
    /// Each file's path below the indexed folder (`/`-separated): the id of a
    /// document that names none.
    pub relative: Vec<String>,
    /// Each file's row in a metadata sheet.
    pub rows: Vec<Option<SheetRow>>,
    /// The metadata sheets read.
    pub sheets: Vec<PathBuf>,
    /// Files left out (not a corpus format), named for the report.
    pub ignored: Vec<PathBuf>,
    /// Problems of the listing (unreadable folders, bad sheet rows).
    pub problems: Vec<Problem>,
}

pub(super) fn file_problem(file: &Path, reason: String) -> Problem {
    Problem {
        location: Location {
            file: file.to_path_buf(),
            line: None,
        },
        severity: Severity::Skipped,
        reason,
    }
}

/// Why a path that is not a regular file or folder cannot be read.
pub(super) fn not_regular(meta: &std::fs::Metadata) -> Option<&'static str> {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_file() || t.is_dir() {
        None
    } else if t.is_fifo() {
        Some("a FIFO")
    } else if t.is_socket() {
        Some("a socket")
    } else if t.is_block_device() || t.is_char_device() {
        Some("a device")
    } else {
        Some("not a regular file")
    }
}

/// The files of the corpus paths given (files, folders, sheets), in corpus order.
pub fn corpus_files(paths: &[PathBuf]) -> Result<CorpusFiles> {
    corpus_files_with(paths, false)
}

/// [`corpus_files`]; `follow_links` also reads links whose target lies outside
/// the folder given (by default they are skipped with a warning: a saved page
/// that links to /etc/passwd must not end up in an index a lab shares).
pub fn corpus_files_with(paths: &[PathBuf], follow_links: bool) -> Result<CorpusFiles> {
    let mut out = CorpusFiles::default();
    for path in paths {
        let meta = std::fs::metadata(path).with_context(|| {
            format!(
                "cannot read corpus path {}: check that it exists and is readable",
                path.display()
            )
        })?;
        if let Some(what) = not_regular(&meta) {
            out.problems.push(file_problem(
                path,
                format!("{what}, not a corpus file: skipped"),
            ));
        } else if meta.is_dir() {
            let mut found = Vec::new();
            let mut visited = HashSet::new();
            if let Ok(real) = std::fs::canonicalize(path) {
                visited.insert(real);
            }
            let outside = (!follow_links)
                .then(|| std::fs::canonicalize(path).ok())
                .flatten();
            walk(
                path,
                path,
                outside.as_deref(),
                &mut found,
                &mut visited,
                &mut out.problems,
            )?;
            found.sort();
            let (sheets, others): (Vec<PathBuf>, Vec<PathBuf>) =
                found.into_iter().partition(|f| sheet::is_sheet(f));
            let mut rows = read_sheets(path, &sheets, &mut out);
            for relative in others {
                let file = path.join(&relative);
                let row = std::fs::canonicalize(&file)
                    .ok()
                    .and_then(|c| rows.remove(&c));
                match file_format(&file) {
                    Some(format) => out.push(
                        file,
                        &relative,
                        collection_name(&relative, format, path),
                        row,
                    ),
                    None => {
                        if let Some(row) = row {
                            out.problems.push(row_problem(
                                &row,
                                format!(
                                    "{} is not a format tifa reads ({}); convert it (e.g. an .rtf or .odt saved as .docx)",
                                    relative.display(),
                                    FORMATS
                                ),
                            ));
                        }
                        out.ignored.push(file);
                    }
                }
            }
            for row in rows.into_values() {
                out.problems.push(row_problem(
                    &row,
                    format!(
                        "{:?} is not among the files read below {} (a hidden file or folder?): the row is unused",
                        row.get("path").unwrap_or_default(),
                        path.display()
                    ),
                ));
            }
        } else if sheet::is_sheet(path) {
            bail!(
                "{} is a metadata sheet: index the folder that holds it (e.g. `tifa index {}`) and its rows apply to the files there",
                path.display(),
                path.parent()
                    .map_or(".".into(), |p| p.display().to_string())
            );
        } else if let Some(format) = file_format(path) {
            let name = PathBuf::from(path.file_name().unwrap_or(path.as_os_str()));
            let parent = path.parent().unwrap_or(Path::new("."));
            // A sheet beside a file named on its own gives it its row.
            let mut row = None;
            if let Ok(c) = std::fs::canonicalize(path) {
                for n in sheet::SHEET_NAMES {
                    let sheet = parent.join(n);
                    if std::fs::symlink_metadata(&sheet).is_err() {
                        continue;
                    }
                    // A sheet that cannot be read is named, not skipped in silence.
                    match sheet::read(&sheet) {
                        Ok((mut rows, _)) => {
                            out.sheets.push(sheet);
                            if let Some(r) = rows.remove(&c) {
                                row = Some(r);
                                break;
                            }
                        }
                        Err(reason) => out.problems.push(file_problem(&sheet, reason)),
                    }
                }
            }
            out.push(
                path.clone(),
                &name,
                collection_name(&name, format, parent),
                row,
            );
        } else {
            bail!("{}: not a corpus file (expected {FORMATS})", path.display());
        }
    }
    Ok(out)
}

/// The extensions tifa reads, for messages.
pub const FORMATS: &str = ".jsonl, .jsonl.gz, .md, .txt, .html, .htm, .pdf, .docx or .doc";

impl CorpusFiles {
    fn push(&mut self, file: PathBuf, relative: &Path, collection: String, row: Option<SheetRow>) {
        if let Some(row) = &row {
            let jsonl = matches!(file_format(&file), Some(Format::Jsonl | Format::JsonlGz));
            for column in ["id", "title"] {
                if jsonl && row.get(column).is_some() {
                    self.problems.push(Problem {
                        severity: Severity::Warning,
                        ..row_problem(
                            row,
                            format!(
                                "a JSONL file holds many records: its `{column}` cell is ignored (the other cells apply to every record)"
                            ),
                        )
                    });
                }
            }
        }
        self.relative.push(slashed(relative));
        self.files.push(file);
        self.collections.push(collection);
        self.rows.push(row);
    }
}

pub(super) fn row_problem(row: &SheetRow, reason: String) -> Problem {
    Problem {
        location: Location {
            file: row.sheet.clone(),
            line: Some(row.line),
        },
        severity: Severity::Skipped,
        reason,
    }
}

/// Reads the sheets found below `root`: rows by canonical file path; bad rows
/// and unreadable sheets become problems.
pub(super) fn read_sheets(
    root: &Path,
    sheets: &[PathBuf],
    out: &mut CorpusFiles,
) -> BTreeMap<PathBuf, SheetRow> {
    let mut rows = BTreeMap::new();
    for relative in sheets {
        let path = root.join(relative);
        match sheet::read(&path) {
            Ok((found, bad)) => {
                for b in bad {
                    out.problems.push(Problem {
                        location: Location {
                            file: path.clone(),
                            line: Some(b.line),
                        },
                        severity: Severity::Skipped,
                        reason: b.reason,
                    });
                }
                for (file, row) in found {
                    // A file named by two sheets keeps the first sheet's row.
                    rows.entry(file).or_insert(row);
                }
            }
            Err(reason) => out.problems.push(file_problem(&path, reason)),
        }
        out.sheets.push(path);
    }
    rows
}

pub(super) fn slashed(p: &Path) -> String {
    p.components()
        .map(|c| c.as_os_str().to_string_lossy().to_string())
        .collect::<Vec<_>>()
        .join("/")
}

/// A JSONL file is its own collection (its path below the indexed folder); a
/// front-matter file belongs to its folder's (the indexed folder's name at the top).
pub(super) fn collection_name(relative: &Path, format: Format, root: &Path) -> String {
    match format {
        Format::FrontMatter | Format::Html | Format::Pdf | Format::Docx | Format::Doc => {
            match relative.parent().filter(|p| !p.as_os_str().is_empty()) {
                Some(folder) => slashed(folder),
                None => std::fs::canonicalize(root)
                    .ok()
                    .and_then(|r| r.file_name().map(|n| n.to_string_lossy().to_string()))
                    .unwrap_or_else(|| ".".into()),
            }
        }
        Format::Jsonl | Format::JsonlGz => slashed(relative),
    }
}

/// Collects regular files below `dir`; links are followed once (a loop or a
/// dangling link is reported and skipped), special files are reported.
pub(super) fn walk(
    root: &Path,
    dir: &Path,
    confined_to: Option<&Path>,
    out: &mut Vec<PathBuf>,
    visited: &mut HashSet<PathBuf>,
    problems: &mut Vec<Problem>,
) -> Result<()> {
    let entries =
        std::fs::read_dir(dir).with_context(|| format!("cannot read folder {}", dir.display()))?;
    for entry in entries {
        let entry = entry.with_context(|| format!("cannot read folder {}", dir.display()))?;
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let meta = match std::fs::metadata(&path) {
            Ok(m) => m,
            Err(e) => {
                let what = if std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_symlink()) {
                    "a broken or looping link"
                } else {
                    "unreadable"
                };
                problems.push(file_problem(&path, format!("{what} ({e}): skipped")));
                continue;
            }
        };
        // A link whose target lies outside the indexed folder is skipped
        // unless --follow-links says otherwise.
        if let Some(root_real) = confined_to
            && std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_symlink())
        {
            let real = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
            if !real.starts_with(root_real) {
                problems.push(file_problem(
                    &path,
                    format!(
                        "a link to {}, outside the folder indexed (add --follow-links to read it)",
                        real.display()
                    ),
                ));
                continue;
            }
        }
        if let Some(what) = not_regular(&meta) {
            if file_format(&path).is_some() {
                problems.push(file_problem(
                    &path,
                    format!("{what}, not a corpus file: skipped"),
                ));
            }
            continue;
        }
        if meta.is_dir() {
            let real = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
            if !visited.insert(real) {
                problems.push(file_problem(
                    &path,
                    "a link back to a folder already read (a loop): skipped".into(),
                ));
                continue;
            }
            walk(root, &path, confined_to, out, visited, problems)?;
        } else {
            out.push(path.strip_prefix(root).unwrap_or(&path).to_path_buf());
        }
    }
    Ok(())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Format {
    Jsonl,
    JsonlGz,
    FrontMatter,
    Html,
    Pdf,
    Docx,
    /// Word 97–2003 (read by catdoc).
    Doc,
}

pub(super) fn file_format(path: &Path) -> Option<Format> {
    let name = path.file_name()?.to_string_lossy().to_lowercase();
    if name.ends_with(".jsonl.gz") {
        Some(Format::JsonlGz)
    } else if name.ends_with(".jsonl") {
        Some(Format::Jsonl)
    } else if name.ends_with(".md") || name.ends_with(".txt") {
        Some(Format::FrontMatter)
    } else if name.ends_with(".html") || name.ends_with(".htm") {
        Some(Format::Html)
    } else if name.ends_with(".pdf") {
        Some(Format::Pdf)
    } else if name.ends_with(".docx") {
        Some(Format::Docx)
    } else if name.ends_with(".doc") {
        Some(Format::Doc)
    } else {
        None
    }
}
