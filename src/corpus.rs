//! Reading corpus files: JSONL (plain or gzip) and front-matter text files.
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

use crate::date::DocDate;

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

/// The files a list of paths stands for, in reading order.
pub fn corpus_files(paths: &[PathBuf], ignored: &mut Vec<PathBuf>) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path).with_context(|| {
            format!(
                "cannot read corpus path {}: check that it exists and is readable",
                path.display()
            )
        })?;
        if meta.is_dir() {
            let mut found = Vec::new();
            walk(path, path, &mut found)?;
            found.sort();
            for relative in found {
                let file = path.join(&relative);
                if file_format(&file).is_some() {
                    files.push(file);
                } else {
                    ignored.push(file);
                }
            }
        } else if file_format(path).is_some() {
            files.push(path.clone());
        } else {
            bail!(
                "{}: not a corpus file (expected .jsonl, .jsonl.gz, .md or .txt)",
                path.display()
            );
        }
    }
    Ok(files)
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let entries =
        std::fs::read_dir(dir).with_context(|| format!("cannot read folder {}", dir.display()))?;
    for entry in entries {
        let entry = entry.with_context(|| format!("cannot read folder {}", dir.display()))?;
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let meta =
            std::fs::metadata(&path).with_context(|| format!("cannot read {}", path.display()))?;
        if meta.is_dir() {
            walk(root, &path, out)?;
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
}

fn file_format(path: &Path) -> Option<Format> {
    let name = path.file_name()?.to_string_lossy().to_lowercase();
    if name.ends_with(".jsonl.gz") {
        Some(Format::JsonlGz)
    } else if name.ends_with(".jsonl") {
        Some(Format::Jsonl)
    } else if name.ends_with(".md") || name.ends_with(".txt") {
        Some(Format::FrontMatter)
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
    report: &mut LoadReport,
    mut sink: impl FnMut(Document) -> Result<()>,
    mut progress: impl FnMut(u64),
) -> Result<Vec<FileDamage>> {
    let files = corpus_files(paths, &mut report.files_ignored)?;
    let mut seen: HashSet<String> = HashSet::new();
    let mut damage = Vec::new();
    for file in files {
        let format = file_format(&file).unwrap_or(Format::Jsonl);
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
                Parsed::Doc(doc, location, warnings) => {
                    if !seen.insert(doc.id.clone()) {
                        report.problems.push(Problem {
                            location,
                            severity: Severity::Skipped,
                            reason: format!(
                                "repeated id {:?}: the first record with this id was kept",
                                doc.id
                            ),
                        });
                        return Ok(());
                    }
                    report.problems.extend(warnings);
                    report.documents += 1;
                    if doc.date.is_none() {
                        report.undated += 1;
                    }
                    sink(doc)
                }
            }
        };
        report.files_read += 1;
        match format {
            Format::FrontMatter => {
                let bytes = std::fs::read(&file)
                    .with_context(|| format!("cannot read {}", file.display()))?;
                progress(bytes.len() as u64);
                emit(parse_front_matter(&file, &bytes), report)?;
            }
            Format::Jsonl | Format::JsonlGz => {
                let handle = CountingReader {
                    inner: File::open(&file)
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
                    let (chunk, failure) = read_chunk(&mut reader, &mut line_no, 4096);
                    let parsed: Vec<Parsed> = chunk
                        .into_par_iter()
                        .map(|(line, raw)| parse_json_line(&file, line, raw))
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
                        let reason = if format == Format::JsonlGz {
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

/// Reads up to `max` lines; a read error ends the chunk and is returned with it.
fn read_chunk(
    reader: &mut impl BufRead,
    line_no: &mut usize,
    max: usize,
) -> (Vec<(usize, Vec<u8>)>, Option<std::io::Error>) {
    let mut chunk = Vec::with_capacity(max);
    while chunk.len() < max {
        let mut line = Vec::new();
        match reader.read_until(b'\n', &mut line) {
            Ok(0) => break,
            Ok(_) => {
                *line_no += 1;
                chunk.push((*line_no, line));
            }
            Err(e) => return (chunk, Some(e)),
        }
    }
    (chunk, None)
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

fn parse_json_line(file: &Path, line: usize, raw: Vec<u8>) -> Parsed {
    let raw = strip_line_end(&raw);
    let text = match std::str::from_utf8(raw) {
        Ok(t) => t,
        Err(e) => return skipped(file, line, not_utf8_reason(e)),
    };
    if text.trim().is_empty() {
        return Parsed::Blank;
    }
    let value: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => return skipped(file, line, format!("invalid JSON: {e}")),
    };
    let Value::Object(map) = value else {
        return skipped(
            file,
            line,
            "not a JSON object: each line must be one {\"id\": …, \"text\": …} record",
        );
    };
    let fields = map.into_iter().map(|(k, v)| (k, FieldValue::Json(v)));
    build_document(file, line, fields)
}

enum FieldValue {
    Json(Value),
    Text(String),
}

fn build_document(
    file: &Path,
    line: usize,
    fields: impl Iterator<Item = (String, FieldValue)>,
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
    for (key, value) in fields {
        let as_string = match value {
            FieldValue::Text(s) => Some(s),
            FieldValue::Json(Value::String(s)) => Some(s),
            FieldValue::Json(Value::Null) => None,
            FieldValue::Json(other) => {
                match key.as_str() {
                    "id" => {
                        return skipped(
                            file,
                            line,
                            format!("\"id\" must be a string, found {other}"),
                        );
                    }
                    "text" => return skipped(file, line, "\"text\" must be a string"),
                    "title" => return skipped(file, line, "\"title\" must be a string"),
                    _ => {}
                }
                // Numbers and booleans in extra fields are kept as written.
                Some(other.to_string())
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
    if let Some(c) = doc
        .text
        .chars()
        .chain(doc.title.chars())
        .find(|&c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        warn(format!(
            "record {:?} contains the control character U+{:04X}; kept as is (it is escaped on output)",
            doc.id, c as u32
        ));
    }
    Parsed::Doc(doc, location, warnings)
}

/// A `.md`/`.txt` file: `---`, `key: value` lines, `---`, then the text.
fn parse_front_matter(file: &Path, bytes: &[u8]) -> Parsed {
    let content = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => return skipped(file, 1, not_utf8_reason(e)),
    };
    let content = content.strip_prefix('\u{feff}').unwrap_or(content);
    let mut lines = content.split_inclusive('\n');
    let is_fence = |l: &str| l.trim_end() == "---";
    match lines.next() {
        Some(first) if is_fence(first) => {}
        _ => return Parsed::NotADocument,
    }
    let mut fields = Vec::new();
    let mut consumed = content.split_inclusive('\n').next().map_or(0, str::len);
    let mut line_no = 1usize;
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
    build_document(file, 1, fields.into_iter())
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
