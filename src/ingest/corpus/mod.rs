//! Reading corpus files: JSONL (plain or gzip), front-matter text files, and
//! researchers' own files — HTML pages, PDFs and `.docx` (text by
//! [`crate::extract`]) — with metadata from a `manifest.csv` sheet
//! ([`crate::sheet`]).
//!
//! Paths are read in the order given, folders walked in sorted order of their
//! relative paths, lines in order; the first record with an id wins. Every record
//! that cannot be used is reported with file, line and reason and nothing else is
//! lost: the loader never stops at a bad record.
//!
//! The loader is here (`load`, `load_files`: each file read in order, its
//! records emitted); `files.rs` finds the files and their sheets, `jsonl.rs`
//! reads JSONL lines, `own.rs` researchers' own files, and `record.rs` turns
//! the fields of any of them into a checked [`Document`].

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use rayon::prelude::*;

use crate::date::DocDate;
use crate::extract;

/// One document as read from the corpus.
#[derive(Clone, Debug, Default)]
pub struct Document {
    /// The document's id.
    pub id: String,
    /// Its language (`zh`, `en`, …).
    pub lang: String,
    /// Its date, if it has one.
    pub date: Option<DocDate>,
    /// Its title.
    pub title: String,
    /// Its kind (speech, report, law, article…).
    pub kind: String,
    /// Its source.
    pub source: String,
    /// Its text.
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
    /// The file.
    pub file: PathBuf,
    /// The line (1-based), for a line-based file.
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
    /// Where.
    pub location: Location,
    /// Skipped record or warning.
    pub severity: Severity,
    /// What is wrong and what to do.
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
    /// Every problem found.
    pub problems: Vec<Problem>,
    /// Documents read.
    pub documents: usize,
    /// Of which undated.
    pub undated: usize,
    /// Files read.
    pub files_read: usize,
    /// Files in the given folders that are not documents (no front matter, other extensions).
    pub files_ignored: Vec<PathBuf>,
}

impl LoadReport {
    /// Records skipped.
    pub fn skipped(&self) -> usize {
        self.problems
            .iter()
            .filter(|p| p.severity == Severity::Skipped)
            .count()
    }
    /// Warnings.
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

mod files;
mod jsonl;
mod own;
mod record;

pub use files::*;
use jsonl::*;
use own::*;
use record::*;

/// How a whole file went wrong (as opposed to one record).
#[derive(Debug)]
pub struct FileDamage {
    /// The file and where the damage starts.
    pub location: Location,
    /// What is damaged and what was kept.
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
                let parsed =
                    own::read_own_file(file, format, limits, row, relative, &mut progress)?;
                emit(parsed, report)?;
            }
            Format::Jsonl | Format::JsonlGz => {
                let damaged =
                    jsonl::read_jsonl(file, format, limits, row, report, &mut emit, &mut progress)?;
                damage.extend(damaged);
            }
        }
    }
    Ok(damage)
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
