//! Reading corpus files: JSONL (plain or gzip), front-matter text files, and
//! researchers' own files — HTML pages, PDFs and `.docx` (text by
//! [`crate::extract`]) — with metadata from a `manifest.csv` sheet
//! ([`crate::sheet`]).
//!
//! Paths are read in the order given, folders walked in sorted order of their
//! relative paths, lines in order; the first record with an id wins. Every record
//! that cannot be used is reported with file, line and reason and nothing else is
//! lost: the loader never stops at a bad record.

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use rayon::prelude::*;
use serde_json::Value;
use serde_json::value::RawValue;

use crate::date::DocDate;
use crate::extract::{self, Extracted};
use crate::sheet::{self, SheetRow};

/// One document as read from the corpus.
#[derive(Clone, Debug, Default)]
pub struct Document {
    pub id: String,
    pub lang: String,
    pub date: Option<DocDate>,
    pub title: String,
    pub kind: String,
    pub source: String,
    pub text: String,
    /// The corpus file it came from, relative to the indexed path (for a
    /// front-matter file, its folder): `large/xwlb_cctv_news_2012_2026.jsonl.gz`.
    pub collection: String,
    /// `pair`, `url`, `country`, `speaker` and any other extra field.
    pub extra: BTreeMap<String, String>,
}

/// Where a record came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub file: PathBuf,
    pub line: Option<usize>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}", self.file.display(), line),
            None => write!(f, "{}", self.file.display()),
        }
    }
}

/// How serious a reported problem is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    /// The record was skipped.
    Skipped,
    /// The record was kept, with something dropped or repaired (e.g. its date).
    Warning,
}

/// A problem found while loading, always with its place and what to do.
#[derive(Clone, Debug)]
pub struct Problem {
    pub location: Location,
    pub severity: Severity,
    pub reason: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.severity {
            Severity::Skipped => "skipped",
            Severity::Warning => "warning",
        };
        write!(f, "{}: {}: {}", self.location, what, self.reason)
    }
}

/// What loading found, for the summary at the end of a build.
#[derive(Debug, Default)]
pub struct LoadReport {
    pub problems: Vec<Problem>,
    pub documents: usize,
    pub undated: usize,
    pub files_read: usize,
    /// Files in the given folders that are not documents (no front matter, other extensions).
    pub files_ignored: Vec<PathBuf>,
}

impl LoadReport {
    pub fn skipped(&self) -> usize {
        self.problems
            .iter()
            .filter(|p| p.severity == Severity::Skipped)
            .count()
    }
    pub fn warnings(&self) -> usize {
        self.problems
            .iter()
            .filter(|p| p.severity == Severity::Warning)
            .count()
    }
}

/// Limits that keep memory bounded on hostile input.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// A JSONL line longer than this is skipped (read without keeping it).
    pub max_line_bytes: usize,
    /// A document whose title and text are longer than this is skipped.
    pub max_doc_bytes: usize,
    /// OCR PDFs without a text layer (`tifa index --ocr`).
    pub ocr: bool,
}

/// Default for [`Limits::max_line_bytes`]: 1 GiB.
pub const DEFAULT_MAX_LINE_BYTES: usize = 1 << 30;
/// Default for [`Limits::max_doc_bytes`]: 128 MiB of text.
pub const DEFAULT_MAX_DOC_BYTES: usize = 128 << 20;
/// tantivy's longest term: a longer word or `field=value` cannot be indexed.
pub const MAX_TERM_BYTES: usize = 65_530;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_line_bytes: DEFAULT_MAX_LINE_BYTES,
            max_doc_bytes: DEFAULT_MAX_DOC_BYTES,
            ocr: false,
        }
    }
}

/// The files a list of paths stands for, in reading order, with what was
/// passed over (files that are not documents; FIFOs, sockets, devices and
/// broken links, reported as problems).
#[derive(Debug, Default)]
pub struct CorpusFiles {
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
    pub ignored: Vec<PathBuf>,
    pub problems: Vec<Problem>,
}

fn file_problem(file: &Path, reason: String) -> Problem {
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
fn not_regular(meta: &std::fs::Metadata) -> Option<&'static str> {
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

fn row_problem(row: &SheetRow, reason: String) -> Problem {
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
fn read_sheets(
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

fn slashed(p: &Path) -> String {
    p.components()
        .map(|c| c.as_os_str().to_string_lossy().to_string())
        .collect::<Vec<_>>()
        .join("/")
}

/// A JSONL file is its own collection (its path below the indexed folder); a
/// front-matter file belongs to its folder's (the indexed folder's name at the top).
fn collection_name(relative: &Path, format: Format, root: &Path) -> String {
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
fn walk(
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
enum Format {
    Jsonl,
    JsonlGz,
    FrontMatter,
    Html,
    Pdf,
    Docx,
    /// Word 97–2003 (read by catdoc).
    Doc,
}

fn file_format(path: &Path) -> Option<Format> {
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

/// How a whole file went wrong (as opposed to one record).
#[derive(Debug)]
pub struct FileDamage {
    pub location: Location,
    pub reason: String,
}

/// Reads every document under `paths`, in order, calling `sink` for each new id.
/// Record problems go to the report; damaged files (corrupt gzip, unreadable
/// files) too, and are also returned so that `--strict` can refuse them.
pub fn load(
    paths: &[PathBuf],
    limits: Limits,
    report: &mut LoadReport,
    mut sink: impl FnMut(Document) -> Result<()>,
    progress: impl FnMut(u64),
) -> Result<Vec<FileDamage>> {
    let listing = corpus_files(paths)?;
    report.files_ignored.extend(listing.ignored.iter().cloned());
    report.problems.extend(listing.problems.iter().cloned());
    let mut seen = HashSet::new();
    load_files(
        &listing,
        |_| true,
        &mut seen,
        limits,
        report,
        |_, loaded| match loaded {
            Loaded::Doc(doc) => sink(doc),
            Loaded::Repeated(_) => Ok(()),
        },
        progress,
    )
}

/// What [`load_files`] hands its sink for each record with an id.
pub enum Loaded {
    /// A document with a new id.
    Doc(Document),
    /// A record whose id an earlier record has (reported and skipped).
    Repeated(String),
}

/// Reads the files of `listing` that `wanted` selects, in order; `seen` holds
/// the ids already taken (a record whose id is there is skipped as repeated).
/// The sink gets each file's index in the listing. The listing's own problems
/// are not added to the report (the caller decides).
pub fn load_files(
    listing: &CorpusFiles,
    wanted: impl Fn(usize) -> bool,
    seen: &mut HashSet<String>,
    limits: Limits,
    report: &mut LoadReport,
    mut sink: impl FnMut(usize, Loaded) -> Result<()>,
    mut progress: impl FnMut(u64),
) -> Result<Vec<FileDamage>> {
    let mut damage = Vec::new();
    for (index, file) in listing.files.iter().enumerate() {
        if !wanted(index) {
            continue;
        }
        let collection = &listing.collections[index];
        let row = listing.rows.get(index).and_then(Option::as_ref);
        let relative = listing.relative.get(index).map_or("", String::as_str);
        let format = file_format(file).unwrap_or(Format::Jsonl);
        let mut emit = |parsed: Parsed, report: &mut LoadReport| -> Result<()> {
            match parsed {
                Parsed::Blank => Ok(()),
                Parsed::NotADocument => {
                    report.files_ignored.push(file.clone());
                    Ok(())
                }
                Parsed::Bad(problem) => {
                    report.problems.push(problem);
                    Ok(())
                }
                Parsed::Doc(mut doc, location, warnings) => {
                    doc.collection = collection.clone();
                    if !seen.insert(doc.id.clone()) {
                        report.problems.push(Problem {
                            location,
                            severity: Severity::Skipped,
                            reason: format!(
                                "repeated id {:?}: the first record with this id was kept",
                                doc.id
                            ),
                        });
                        return sink(index, Loaded::Repeated(doc.id));
                    }
                    report.problems.extend(warnings);
                    report.documents += 1;
                    if doc.date.is_none() {
                        report.undated += 1;
                    }
                    sink(index, Loaded::Doc(doc))
                }
            }
        };
        report.files_read += 1;
        match format {
            Format::FrontMatter | Format::Html | Format::Pdf | Format::Docx | Format::Doc => {
                let size = std::fs::metadata(file).map_or(0, |m| m.len());
                // Own files: the text is at most the file's size (PDFs and
                // .docx compress, so their bound is the extracted text's).
                let bounded = matches!(format, Format::FrontMatter | Format::Html);
                if bounded && size > limits.max_doc_bytes as u64 + 64 * 1024 {
                    emit(
                        skipped(
                            file,
                            1,
                            format!(
                                "the file is {size} bytes, over the document limit of {} bytes (--max-doc-mb)",
                                limits.max_doc_bytes
                            ),
                        ),
                        report,
                    )?;
                    continue;
                }
                let bytes = std::fs::read(file)
                    .with_context(|| format!("cannot read {}", file.display()))?;
                progress(bytes.len() as u64);
                let parsed = match format {
                    Format::FrontMatter => parse_front_matter(file, &bytes, limits, row, relative),
                    Format::Html => {
                        own_file(file, extract::html::extract(&bytes), limits, row, relative)
                    }
                    Format::Pdf => {
                        // --ocr, or the sheet's `ocr` column for this file:
                        // Tesseract's languages from the sheet's lang.
                        let (asked, unknown) = ocr_column(row);
                        let ocr = asked
                            .unwrap_or(limits.ocr)
                            .then(|| extract::ocr::languages_for(row.and_then(|r| r.get("lang"))));
                        let extracted = extract::pdf::extract_bounded(
                            &bytes,
                            limits.max_doc_bytes,
                            ocr.as_deref(),
                        );
                        let parsed = own_file(file, extracted, limits, row, relative);
                        match unknown {
                            Some(value) => with_note(
                                parsed,
                                format!(
                                    "the sheet's ocr column says {value:?}: write yes or no (read as empty: --ocr decides)"
                                ),
                            ),
                            None => parsed,
                        }
                    }
                    Format::Doc => {
                        own_file(file, extract::doc::extract(&bytes), limits, row, relative)
                    }
                    _ => own_file(file, extract::docx::extract(&bytes), limits, row, relative),
                };
                emit(parsed, report)?;
            }
            Format::Jsonl | Format::JsonlGz => {
                let handle = CountingReader {
                    inner: File::open(file)
                        .with_context(|| format!("cannot read {}", file.display()))?,
                    count: std::rc::Rc::new(std::cell::Cell::new(0)),
                };
                let counter = handle.count.clone();
                let mut reported = 0u64;
                let reader: Box<dyn Read> = if format == Format::JsonlGz {
                    Box::new(flate2::read::MultiGzDecoder::new(handle))
                } else {
                    Box::new(handle)
                };
                let mut reader = BufReader::with_capacity(1 << 20, reader);
                let mut line_no = 0usize;
                loop {
                    let (chunk, failure) = read_chunk(&mut reader, &mut line_no, limits);
                    let parsed: Vec<Parsed> = chunk
                        .into_par_iter()
                        .map(|(line, raw)| match raw {
                            Some(raw) => parse_json_line(file, line, raw, limits, row),
                            None => skipped(
                                file,
                                line,
                                format!(
                                    "line longer than {} bytes (--max-line-mb): skipped without reading it into memory",
                                    limits.max_line_bytes
                                ),
                            ),
                        })
                        .collect();
                    for p in parsed {
                        emit(p, report)?;
                    }
                    progress(counter.get() - reported);
                    reported = counter.get();
                    if let Some(err) = failure {
                        let location = Location {
                            file: file.clone(),
                            line: Some(line_no + 1),
                        };
                        let empty = std::fs::metadata(file).is_ok_and(|m| m.len() == 0);
                        let reason = if format == Format::JsonlGz && empty {
                            "an empty file (0 bytes), not gzip data: nothing to read (an interrupted download?)".to_string()
                        } else if format == Format::JsonlGz {
                            format!(
                                "gzip data is corrupt or truncated ({err}); the {line_no} lines before it were kept — re-download or re-compress the file"
                            )
                        } else {
                            format!("read error ({err}); the {line_no} lines before it were kept")
                        };
                        report.problems.push(Problem {
                            location: location.clone(),
                            severity: Severity::Skipped,
                            reason: reason.clone(),
                        });
                        damage.push(FileDamage { location, reason });
                        break;
                    }
                    if reader.fill_buf().map(|b| b.is_empty()).unwrap_or(true) {
                        break;
                    }
                }
            }
        }
    }
    Ok(damage)
}

/// Sheet cells override a file's own fields (`path` is not a field; a JSONL
/// file's `id` and `title` cells are ignored, see [`CorpusFiles`]).
fn apply_row(fields: &mut Vec<(String, FieldValue)>, row: Option<&SheetRow>, whole_file: bool) {
    let Some(row) = row else { return };
    for (column, value) in &row.cells {
        // `ocr` is an instruction (read this scan by OCR), not metadata: the
        // document's own `ocr` field says whether OCR gave its text.
        if column == "path"
            || column == "text"
            || column == "ocr"
            || (!whole_file && (column == "id" || column == "title"))
        {
            continue;
        }
        fields.retain(|(k, _)| k != column);
        fields.push((column.clone(), FieldValue::Text(value.clone())));
    }
}

/// `parsed` with a note on the sheet's row: a warning beside a document, or
/// a part of the reason a file was skipped.
fn with_note(parsed: Parsed, note: String) -> Parsed {
    match parsed {
        Parsed::Doc(doc, location, mut warnings) => {
            warnings.push(Problem {
                location: location.clone(),
                severity: Severity::Warning,
                reason: note,
            });
            Parsed::Doc(doc, location, warnings)
        }
        Parsed::Bad(mut problem) => {
            problem.reason = format!("{}; {note}", problem.reason);
            Parsed::Bad(problem)
        }
        other => other,
    }
}

/// The sheet's `ocr` column for a file: yes/no (Some), empty or absent
/// (None: `--ocr` decides), and a value that is neither, to be named.
fn ocr_column(row: Option<&SheetRow>) -> (Option<bool>, Option<String>) {
    let Some(value) = row.and_then(|r| r.get("ocr")) else {
        return (None, None);
    };
    match value.trim().to_lowercase().as_str() {
        "" => (None, None),
        "yes" | "y" | "true" | "1" => (Some(true), None),
        "no" | "n" | "false" | "0" => (Some(false), None),
        _ => (None, Some(value.to_string())),
    }
}

fn has_field(fields: &[(String, FieldValue)], name: &str) -> bool {
    fields
        .iter()
        .any(|(k, v)| k == name && matches!(v, FieldValue::Text(t) if !t.trim().is_empty()))
}

/// `zh` when Han characters outnumber English words, `en` when there are
/// English words, `und` for neither.
pub fn detect_lang(text: &str) -> &'static str {
    let (han, words) = crate::text::count_units(&crate::text::nfkc(text));
    if han > 0 && han >= words {
        "zh"
    } else if words > 0 {
        "en"
    } else {
        "und"
    }
}

/// The fields every whole-file document gets when neither the file nor its
/// sheet row gives them: the id from the path, the title from the file name,
/// the language from the text.
fn complete_file_fields(fields: &mut Vec<(String, FieldValue)>, file: &Path, relative: &str) {
    if !has_field(fields, "id") {
        fields.retain(|(k, _)| k != "id");
        fields.push(("id".into(), FieldValue::Text(relative.to_string())));
    }
    if !has_field(fields, "title") {
        let stem = file
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_default();
        fields.retain(|(k, _)| k != "title");
        fields.push(("title".into(), FieldValue::Text(stem)));
    }
    if !has_field(fields, "lang") {
        let text = fields
            .iter()
            .find_map(|(k, v)| match v {
                FieldValue::Text(t) if k == "text" => Some(t.as_str()),
                _ => None,
            })
            .unwrap_or_default();
        let lang = detect_lang(text);
        fields.retain(|(k, _)| k != "lang");
        fields.push(("lang".into(), FieldValue::Text(lang.into())));
    }
}

/// An HTML page, PDF or Word file: the extracted text and metadata, then the
/// sheet's row over them.
fn own_file(
    file: &Path,
    extracted: Result<Extracted, String>,
    limits: Limits,
    row: Option<&SheetRow>,
    relative: &str,
) -> Parsed {
    let extracted = match extracted {
        Ok(e) => e,
        Err(reason) => return skipped(file, 1, reason),
    };
    let mut fields = vec![("text".to_string(), FieldValue::Text(extracted.text))];
    if let Some(t) = extracted.title {
        fields.push(("title".into(), FieldValue::Text(t)));
    }
    if let Some(d) = extracted.date {
        fields.push(("date".into(), FieldValue::Text(d)));
    }
    for (k, v) in extracted.fields {
        fields.push((k, FieldValue::Text(v)));
    }
    apply_row(&mut fields, row, true);
    complete_file_fields(&mut fields, file, relative);
    let dated = has_field(&fields, "date");
    match build_document(file, 1, fields.into_iter(), limits) {
        Parsed::Doc(doc, location, mut warnings) if !dated => {
            warnings.push(Problem {
                location: location.clone(),
                severity: Severity::Warning,
                reason: format!(
                    "{:?} has no date: kept as undated; give one in the `date` column of a manifest.csv beside it",
                    doc.id
                ),
            });
            Parsed::Doc(doc, location, warnings)
        }
        other => other,
    }
}

/// Counts the bytes read from a file, for progress in on-disk bytes.
struct CountingReader {
    inner: File,
    count: std::rc::Rc<std::cell::Cell<u64>>,
}

impl Read for CountingReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get() + n as u64);
        Ok(n)
    }
}

/// Lines per parallel chunk, and the bytes a chunk may hold before it is parsed.
const CHUNK_LINES: usize = 4096;
const CHUNK_BYTES: usize = 64 << 20;

/// Reads lines until a chunk is full; a line over the limit comes back as
/// `None` (its bytes were consumed, not kept). A read error ends the chunk.
#[allow(clippy::type_complexity)]
fn read_chunk(
    reader: &mut impl BufRead,
    line_no: &mut usize,
    limits: Limits,
) -> (Vec<(usize, Option<Vec<u8>>)>, Option<std::io::Error>) {
    let mut chunk = Vec::new();
    let mut bytes = 0usize;
    while chunk.len() < CHUNK_LINES && bytes < CHUNK_BYTES {
        let mut line = Vec::new();
        match read_line_bounded(reader, &mut line, limits.max_line_bytes) {
            Ok((0, _)) => break,
            Ok((_, too_long)) => {
                *line_no += 1;
                bytes += line.len();
                chunk.push((*line_no, (!too_long).then_some(line)));
            }
            Err(e) => return (chunk, Some(e)),
        }
    }
    (chunk, None)
}

/// Like `read_until(b'\n')`, but keeps at most `max` bytes: the rest of an
/// over-long line is consumed and dropped. Returns (bytes consumed, too long).
fn read_line_bounded(
    reader: &mut impl BufRead,
    line: &mut Vec<u8>,
    max: usize,
) -> std::io::Result<(usize, bool)> {
    let (mut consumed, mut too_long) = (0usize, false);
    loop {
        let buf = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buf.is_empty() {
            return Ok((consumed, too_long));
        }
        let (take, done) = match memchr::memchr(b'\n', buf) {
            Some(i) => (i + 1, true),
            None => (buf.len(), false),
        };
        if !too_long {
            if line.len() + take > max {
                too_long = true;
                *line = Vec::new();
            } else {
                line.extend_from_slice(&buf[..take]);
            }
        }
        reader.consume(take);
        consumed += take;
        if done {
            return Ok((consumed, too_long));
        }
    }
}

enum Parsed {
    Blank,
    NotADocument,
    Bad(Problem),
    Doc(Document, Location, Vec<Problem>),
}

fn skipped(file: &Path, line: usize, reason: impl Into<String>) -> Parsed {
    Parsed::Bad(Problem {
        location: Location {
            file: file.to_path_buf(),
            line: Some(line),
        },
        severity: Severity::Skipped,
        reason: reason.into(),
    })
}

fn strip_line_end(mut raw: &[u8]) -> &[u8] {
    if raw.ends_with(b"\n") {
        raw = &raw[..raw.len() - 1];
    }
    if raw.ends_with(b"\r") {
        raw = &raw[..raw.len() - 1];
    }
    raw.strip_prefix("\u{feff}".as_bytes()).unwrap_or(raw)
}

fn not_utf8_reason(err: std::str::Utf8Error) -> String {
    format!(
        "not valid UTF-8 (bad byte at offset {}); convert the file to UTF-8, e.g. `iconv -f GBK -t UTF-8 FILE > FILE.utf8`",
        err.valid_up_to()
    )
}

fn parse_json_line(
    file: &Path,
    line: usize,
    raw: Vec<u8>,
    limits: Limits,
    row: Option<&SheetRow>,
) -> Parsed {
    let raw = strip_line_end(&raw);
    // A record this long cannot hold a document within --max-doc-mb (a
    // character escaped in JSON takes 6 bytes at most): skipped before it is
    // parsed, which would take its size again in memory.
    let most = limits
        .max_doc_bytes
        .saturating_mul(6)
        .saturating_add(1 << 20);
    if raw.len() > most {
        return skipped(
            file,
            line,
            format!(
                "a record of {} bytes, more than a document within the document limit ({} bytes, --max-doc-mb) takes as JSON: not parsed",
                raw.len(),
                limits.max_doc_bytes
            ),
        );
    }
    let text = match std::str::from_utf8(raw) {
        Ok(t) => t,
        Err(e) => return skipped(file, line, not_utf8_reason(e)),
    };
    if text.trim().is_empty() {
        return Parsed::Blank;
    }
    // Raw values keep numbers as written (1e2 stays 1e2).
    type RawRecord = BTreeMap<String, Box<RawValue>>;
    // serde_json rejects a lone surrogate escape; it becomes U+FFFD instead
    // of costing the whole record.
    let repaired = (text.contains("\\ud") || text.contains("\\uD"))
        .then(|| replace_lone_surrogates(text))
        .flatten();
    let text = repaired.as_deref().unwrap_or(text);
    let map: RawRecord = match serde_json::from_str::<RawRecord>(text) {
        Ok(m) => m,
        Err(e) => return skipped(file, line, json_reason(text, e)),
    };
    let mut fields = Vec::with_capacity(map.len());
    for (key, value) in map {
        let raw = value.get();
        let parsed = if raw.starts_with('"') {
            match serde_json::from_str::<String>(raw) {
                Ok(s) => FieldValue::Text(s),
                Err(e) => {
                    return skipped(file, line, format!("invalid JSON string in {key:?}: {e}"));
                }
            }
        } else if raw == "null" {
            FieldValue::Null
        } else {
            FieldValue::Other(raw.trim().to_string())
        };
        fields.push((key, parsed));
    }
    apply_row(&mut fields, row, false);
    match build_document(file, line, fields.into_iter(), limits) {
        Parsed::Doc(doc, location, mut warnings) if repaired.is_some() => {
            warnings.push(Problem {
                location: location.clone(),
                severity: Severity::Warning,
                reason: format!(
                    "record {:?} has a lone UTF-16 surrogate escape (\\ud800–\\udfff); replaced with U+FFFD",
                    doc.id
                ),
            });
            Parsed::Doc(doc, location, warnings)
        }
        other => other,
    }
}

/// Why a line is not a JSON object record.
fn json_reason(text: &str, e: serde_json::Error) -> String {
    match serde_json::from_str::<Value>(text) {
        Ok(_) => "not a JSON object: each line must be one {\"id\": …, \"text\": …} record".into(),
        Err(_) => format!("invalid JSON: {e}"),
    }
}

/// Replaces `\\uXXXX` escapes of unpaired UTF-16 surrogates with `\\ufffd`;
/// `None` when there are none.
fn replace_lone_surrogates(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let hex = |at: usize| -> Option<u16> {
        let digits = text.get(at..at + 4)?;
        u16::from_str_radix(digits, 16).ok()
    };
    let escape_at = |at: usize| -> Option<u16> {
        (bytes.get(at) == Some(&b'\\') && bytes.get(at + 1) == Some(&b'u'))
            .then(|| hex(at + 2))
            .flatten()
    };
    let mut out = String::with_capacity(text.len());
    let (mut i, mut last, mut changed) = (0usize, 0usize, false);
    while i < bytes.len() {
        if bytes[i] != b'\\' {
            i += 1;
            continue;
        }
        match escape_at(i) {
            Some(high @ 0xD800..=0xDBFF) => {
                let _ = high;
                if matches!(escape_at(i + 6), Some(0xDC00..=0xDFFF)) {
                    i += 12;
                } else {
                    out.push_str(&text[last..i]);
                    out.push_str("\\ufffd");
                    i += 6;
                    last = i;
                    changed = true;
                }
            }
            Some(0xDC00..=0xDFFF) => {
                out.push_str(&text[last..i]);
                out.push_str("\\ufffd");
                i += 6;
                last = i;
                changed = true;
            }
            Some(_) => i += 6,
            None => i += 2,
        }
    }
    out.push_str(&text[last..]);
    changed.then_some(out)
}

enum FieldValue {
    Text(String),
    Null,
    /// A number, boolean, array or object, as written.
    Other(String),
}

/// The first character a terminal must not see raw (C0/C1 controls other than
/// line breaks and tabs, bidirectional overrides).
fn unsafe_char(s: &str, allow_breaks: bool) -> Option<char> {
    s.chars().find(|&c| {
        (c.is_control() && !(allow_breaks && matches!(c, '\n' | '\r' | '\t')))
            || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    })
}

/// The first run of word characters longer than tantivy's term limit.
fn over_long_word(text: &str) -> Option<usize> {
    if text.len() <= MAX_TERM_BYTES {
        return None;
    }
    let mut run = 0usize;
    for c in text.chars() {
        if crate::text::is_word_char(c) && !crate::text::is_cjk(c) {
            run += c.len_utf8();
            if run > MAX_TERM_BYTES {
                return Some(run);
            }
        } else {
            run = 0;
        }
    }
    None
}

fn build_document(
    file: &Path,
    line: usize,
    fields: impl Iterator<Item = (String, FieldValue)>,
    limits: Limits,
) -> Parsed {
    let location = Location {
        file: file.to_path_buf(),
        line: Some(line),
    };
    let mut doc = Document::default();
    let mut warnings = Vec::new();
    let mut warn = |reason: String| {
        warnings.push(Problem {
            location: location.clone(),
            severity: Severity::Warning,
            reason,
        })
    };
    let mut id = None;
    let mut text = None;
    let mut date_raw = None;
    let mut keys_with_equals = Vec::new();
    for (key, value) in fields {
        let as_string = match value {
            FieldValue::Text(s) => Some(s),
            FieldValue::Null => None,
            FieldValue::Other(raw) => {
                match key.as_str() {
                    "id" => {
                        return skipped(
                            file,
                            line,
                            format!("\"id\" must be a string, found {raw}"),
                        );
                    }
                    "text" => return skipped(file, line, "\"text\" must be a string"),
                    "title" => return skipped(file, line, "\"title\" must be a string"),
                    _ => {}
                }
                // Numbers and booleans in extra fields are kept as written.
                Some(raw)
            }
        };
        match key.as_str() {
            "id" => id = as_string,
            "text" => text = as_string,
            "title" => doc.title = as_string.unwrap_or_default(),
            "lang" => doc.lang = as_string.unwrap_or_default(),
            "kind" => doc.kind = as_string.unwrap_or_default(),
            "source" => doc.source = as_string.unwrap_or_default(),
            "date" => date_raw = as_string,
            _ => {
                if let Some(s) = as_string {
                    if key.contains('=') {
                        keys_with_equals.push(key.clone());
                    }
                    doc.extra.insert(key, s);
                }
            }
        }
    }
    match id {
        Some(id) if !id.trim().is_empty() => doc.id = id,
        Some(_) => return skipped(file, line, "empty \"id\": every record needs a unique id"),
        None => return skipped(file, line, "missing \"id\": every record needs a unique id"),
    }
    match text {
        Some(t) => doc.text = t,
        None => {
            return skipped(
                file,
                line,
                format!("record {:?} has no \"text\" string", doc.id),
            );
        }
    }
    let size = doc.text.len() + doc.title.len();
    if size > limits.max_doc_bytes {
        return skipped(
            file,
            line,
            format!(
                "record {:?} has {size} bytes of text, over the document limit of {} bytes (--max-doc-mb)",
                doc.id, limits.max_doc_bytes
            ),
        );
    }
    if let Some(raw) = date_raw.filter(|d| !d.trim().is_empty()) {
        match DocDate::parse(raw.trim()) {
            Ok(d) => doc.date = Some(d),
            Err(reason) => warn(format!("record {:?}: {reason}; kept as undated", doc.id)),
        }
    }
    if doc.lang.is_empty() {
        doc.lang = "und".into();
    }
    if doc.kind.is_empty() {
        doc.kind = "unknown".into();
    }
    for key in keys_with_equals {
        warn(format!(
            "record {:?}: field name {key:?} contains '='; kept and shown, but --where and --group-by cannot name it (rename the field)",
            doc.id
        ));
    }
    let long_values: Vec<&str> = doc
        .extra
        .iter()
        .map(|(k, v)| (k.as_str(), v))
        .chain([("source", &doc.source), ("id", &doc.id)])
        .filter(|(k, v)| k.len() + v.len() + 1 > MAX_TERM_BYTES)
        .map(|(k, _)| k)
        .collect();
    for key in long_values {
        warn(format!(
            "record {:?}: the value of {key:?} is longer than {MAX_TERM_BYTES} bytes; kept and shown, but --where cannot match it",
            doc.id
        ));
    }
    if let Some(run) = over_long_word(&doc.text).or_else(|| over_long_word(&doc.title)) {
        warn(format!(
            "record {:?} has a word of over {run} bytes, longer than the index can hold ({MAX_TERM_BYTES}); searches for it are verified against the text",
            doc.id
        ));
    }
    let mut fields_to_check: Vec<(&str, &str, bool)> = vec![
        ("text", &doc.text, true),
        ("title", &doc.title, true),
        ("id", &doc.id, false),
        ("lang", &doc.lang, false),
        ("kind", &doc.kind, false),
        ("source", &doc.source, false),
    ];
    for (k, v) in &doc.extra {
        fields_to_check.push((k, k, false));
        fields_to_check.push((k, v, false));
    }
    let control: Vec<String> = fields_to_check
        .iter()
        .filter_map(|(name, value, breaks)| {
            unsafe_char(value, *breaks).map(|c| format!("{name} (U+{:04X})", c as u32))
        })
        .collect();
    if !control.is_empty() {
        let mut seen = HashSet::new();
        let control: Vec<String> = control
            .into_iter()
            .filter(|c| seen.insert(c.clone()))
            .collect();
        warn(format!(
            "record {:?} contains control characters or bidirectional marks in {}; kept as is (they are escaped on output)",
            doc.id,
            control.join(", ")
        ));
    }
    Parsed::Doc(doc, location, warnings)
}

/// A `.md`/`.txt` file: `---`, `key: value` lines, `---`, then the text. A
/// file without front matter is a document only when a sheet names it (its
/// whole content is the text).
fn parse_front_matter(
    file: &Path,
    bytes: &[u8],
    limits: Limits,
    row: Option<&SheetRow>,
    relative: &str,
) -> Parsed {
    let content = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => return skipped(file, 1, not_utf8_reason(e)),
    };
    let content = content.strip_prefix('\u{feff}').unwrap_or(content);
    // Blank lines before the opening `---` (an editor's habit) are allowed:
    // the front matter starts at the first line with something on it.
    let (mut lead, mut lead_lines) = (0usize, 0usize);
    for l in content.split_inclusive('\n') {
        if !l.trim().is_empty() {
            break;
        }
        lead += l.len();
        lead_lines += 1;
    }
    let mut lines = content[lead..].split_inclusive('\n');
    let is_fence = |l: &str| l.trim_end() == "---";
    match lines.next() {
        Some(first) if is_fence(first) => {}
        _ if row.is_some() => {
            let text = content.replace("\r\n", "\n").trim().to_string();
            return own_file(
                file,
                Ok(Extracted {
                    text,
                    ..Extracted::default()
                }),
                limits,
                row,
                relative,
            );
        }
        _ => return Parsed::NotADocument,
    }
    let mut fields = Vec::new();
    let mut consumed = lead
        + content[lead..]
            .split_inclusive('\n')
            .next()
            .map_or(0, str::len);
    let mut line_no = 1 + lead_lines;
    let mut closed = false;
    for l in lines {
        line_no += 1;
        consumed += l.len();
        if is_fence(l) {
            closed = true;
            break;
        }
        let l = l.trim_end_matches(['\n', '\r']);
        if l.trim().is_empty() || l.trim_start().starts_with('#') {
            continue;
        }
        let Some((key, value)) = l.split_once(':') else {
            return skipped(
                file,
                line_no,
                format!("front matter line {l:?} is not `key: value`"),
            );
        };
        let value = value.trim();
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
            .unwrap_or(value);
        fields.push((key.trim().to_string(), FieldValue::Text(value.to_string())));
    }
    if !closed {
        return skipped(file, line_no, "front matter is not closed by a `---` line");
    }
    let body = content[consumed..].replace("\r\n", "\n");
    fields.retain(|(k, _)| k != "text");
    fields.push((
        "text".to_string(),
        FieldValue::Text(body.trim_end().to_string()),
    ));
    apply_row(&mut fields, row, true);
    complete_file_fields(&mut fields, file, relative);
    build_document(file, 1, fields.into_iter(), limits)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_str(name: &str, content: &[u8]) -> (Vec<Document>, LoadReport) {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join(name);
        std::fs::write(&path, content).expect("write");
        let mut report = LoadReport::default();
        let mut docs = Vec::new();
        load(
            &[path],
            Limits::default(),
            &mut report,
            |d| {
                docs.push(d);
                Ok(())
            },
            |_| {},
        )
        .expect("load");
        (docs, report)
    }

    #[test]
    fn reads_records_and_keeps_extra_fields() {
        let (docs, report) = load_str(
            "a.jsonl",
            "{\"id\":\"x\",\"lang\":\"en\",\"date\":\"1990\",\"title\":\"T\",\"kind\":\"speech\",\"text\":\"hi\",\"country\":\"PAK\"}\n".as_bytes(),
        );
        assert_eq!(docs.len(), 1);
        assert_eq!(
            docs[0].extra.get("country").map(String::as_str),
            Some("PAK")
        );
        assert_eq!(docs[0].date.map(|d| d.to_string()), Some("1990".into()));
        assert!(report.problems.is_empty());
    }

    #[test]
    fn bad_records_are_reported_with_line_and_skipped() {
        let content = b"{\"id\":\"a\",\"text\":\"ok\"}\n{bad json\n[1,2]\n{\"text\":\"no id\"}\n{\"id\":\"\",\"text\":\"x\"}\n{\"id\":\"b\"}\n{\"id\":\"c\",\"text\":5}\n{\"id\":\"d\",\"text\":\"x\",\"title\":7}\n{\"id\":\"a\",\"text\":\"dup\"}\n\xff\xfe\n";
        let (docs, report) = load_str("bad.jsonl", content);
        assert_eq!(docs.len(), 1);
        let lines: Vec<usize> = report
            .problems
            .iter()
            .filter_map(|p| p.location.line)
            .collect();
        assert_eq!(lines, vec![2, 3, 4, 5, 6, 7, 8, 9, 10]);
        assert!(report.problems[8].reason.contains("iconv"));
        assert!(report.problems[7].reason.contains("repeated id"));
        assert_eq!(report.skipped(), 9);
    }

    #[test]
    fn bad_dates_keep_the_document_undated_with_a_warning() {
        let (docs, report) = load_str(
            "d.jsonl",
            b"{\"id\":\"a\",\"date\":\"2015-13-01\",\"text\":\"x\"}\n{\"id\":\"b\",\"date\":\"2015-02-30\",\"text\":\"x\"}\n{\"id\":\"c\",\"text\":\"\"}\n",
        );
        assert_eq!(docs.len(), 3);
        assert!(docs.iter().all(|d| d.date.is_none()));
        assert_eq!(report.warnings(), 2);
        assert_eq!(report.undated, 3);
    }

    #[test]
    fn empty_files_are_accepted_silently() {
        for name in ["empty.jsonl", "empty.md"] {
            let (docs, report) = load_str(name, b"");
            assert!(docs.is_empty());
            assert!(report.problems.is_empty(), "{name}");
        }
    }

    #[test]
    fn repeated_ids_across_files_keep_the_first() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(
            dir.path().join("a.jsonl"),
            "{\"id\":\"x\",\"text\":\"first\"}\n",
        )
        .expect("write");
        std::fs::write(
            dir.path().join("b.jsonl"),
            "{\"id\":\"x\",\"text\":\"second\"}\n",
        )
        .expect("write");
        let mut report = LoadReport::default();
        let mut docs = Vec::new();
        load(
            &[dir.path().to_path_buf()],
            Limits::default(),
            &mut report,
            |d| {
                docs.push(d);
                Ok(())
            },
            |_| {},
        )
        .expect("load");
        assert_eq!(docs.len(), 1);
        assert_eq!(docs[0].text, "first");
        assert!(report.problems[0].location.file.ends_with("b.jsonl"));
    }

    #[test]
    fn bom_and_crlf_are_accepted() {
        let (docs, report) = load_str(
            "b.jsonl",
            "\u{feff}{\"id\":\"a\",\"text\":\"x\"}\r\n\r\n".as_bytes(),
        );
        assert_eq!(docs.len(), 1);
        assert!(report.problems.is_empty());
    }

    #[test]
    fn front_matter_documents() {
        let (docs, _) = load_str(
            "wp.md",
            "---\nid: wp-2022\nlang: zh\ndate: 2022-11-07\ntitle: \"携手构建网络空间命运共同体\"\nkind: white_paper\n---\n正文第一段。\r\n第二段。\n".as_bytes(),
        );
        assert_eq!(docs.len(), 1);
        assert_eq!(docs[0].title, "携手构建网络空间命运共同体");
        assert_eq!(docs[0].text, "正文第一段。\n第二段。");
        let (docs, report) = load_str("README.md", b"# Just a readme\n");
        assert!(docs.is_empty());
        assert_eq!(report.files_ignored.len(), 1);
    }

    #[test]
    fn truncated_gzip_keeps_earlier_records() {
        use std::io::Write;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        for i in 0..2000 {
            writeln!(
                enc,
                "{{\"id\":\"r{i}\",\"text\":\"record number {i} with some padding text\"}}"
            )
            .expect("write");
        }
        let full = enc.finish().expect("finish");
        let (docs, report) = load_str("t.jsonl.gz", &full[..full.len() / 2]);
        assert!(!docs.is_empty() && docs.len() < 2000);
        assert!(report.problems.iter().any(|p| p.reason.contains("gzip")));
    }
}
