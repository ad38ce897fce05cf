//! `tifa index`: build, or roll back to the previous generation.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::Args;

use tifa::index::{self, BuildOptions};
use tifa::output::escape_terminal;

use super::progress_bar;

#[derive(Args, Debug)]
#[command(
    after_help = "Formats: JSONL (.jsonl, .jsonl.gz), front-matter text (.md, .txt), HTML (.html, .htm), PDF (.pdf; scans with --ocr) and Word (.docx, and .doc through catdoc). A manifest.csv (or .tsv) in a folder gives its files metadata: columns path,id,date,title,lang,kind and any other as a field; a non-empty cell wins over the file's own value.

Examples:
  tifa index ../shared/corpus                      full build (the previous index stays live until it is done)
  tifa index ../shared/corpus my-documents         the shared corpus and your own files
  tifa index --update ../shared/corpus my-documents
                                                   re-read only what changed since the last build
  tifa index --rollback                            make the previous build live again"
)]
pub struct IndexArgs {
    /// Corpus files or folders.
    #[arg(default_value = "corpus")]
    pub paths: Vec<PathBuf>,
    /// Update the live index instead of building from scratch: read only files
    /// whose content (or manifest row) changed, add new files, drop the
    /// documents of files no longer under PATHS. Give the same PATHS as a full
    /// build; the result answers exactly as a full build would.
    #[arg(long)]
    pub update: bool,
    /// Fail (leaving the previous index unchanged) on any skipped record,
    /// repeated id, malformed date or corrupt file.
    #[arg(long)]
    pub strict: bool,
    /// If another process is building this index, wait for it instead of failing.
    #[arg(long)]
    pub wait: bool,
    /// Indexing threads (default: all cores, at most 8).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Print every problem, not only the first 20.
    #[arg(long, short)]
    pub verbose: bool,
    /// Make the new index live even if it has no documents (by default a build
    /// that finds none leaves a populated index in place and fails).
    #[arg(long)]
    pub allow_empty: bool,
    /// Leave every segment the writer flushes unmerged (for measuring what
    /// merging costs; queries visit more segments).
    #[arg(long, hide = true)]
    pub no_merge: bool,
    /// Also read symbolic links whose target lies outside the folders given
    /// (by default they are skipped with a warning).
    #[arg(long)]
    pub follow_links: bool,
    /// Make the previous generation live again (undo the last build); reads no corpus.
    #[arg(long, conflicts_with_all = ["strict", "allow_empty", "threads", "update"])]
    pub rollback: bool,
    /// Skip JSONL lines longer than this many MiB without holding them in memory.
    #[arg(long, value_name = "MIB", default_value_t = tifa::corpus::DEFAULT_MAX_LINE_BYTES >> 20)]
    pub max_line_mb: usize,
    /// Skip documents whose title and text exceed this many MiB (indexing one
    /// document costs about 7× its text in memory; see docs/guide/11-benchmarks.md).
    #[arg(long, value_name = "MIB", default_value_t = tifa::corpus::DEFAULT_MAX_DOC_BYTES >> 20)]
    pub max_doc_mb: usize,
    /// Read scanned PDFs (pages without a text layer) by OCR: Poppler renders
    /// each page, Tesseract reads it (chi_sim+eng, or the sheet's `lang`:
    /// en → eng, zh-Hant → chi_tra+eng). The documents get the fields
    /// ocr=true and ocr_confidence (mean word confidence, %); an exact search
    /// over OCR text can miss what the scan holds. Results are cached by the
    /// file's content (TIFA_OCR_CACHE or ~/.cache/tifa/ocr). Needs Debian's
    /// tesseract-ocr, tesseract-ocr-chi-sim, tesseract-ocr-chi-tra,
    /// tesseract-ocr-eng and poppler-utils.
    #[arg(long)]
    pub ocr: bool,
}

pub fn run(dir: &Path, args: IndexArgs) -> Result<()> {
    if args.rollback {
        return rollback(dir, args.wait);
    }
    if args.ocr
        && let Some(why) = tifa::extract::ocr::missing()
    {
        return Err(tifa::error::UserError::BadFilter(why).into());
    }
    let total: u64 = {
        tifa::corpus::corpus_files_with(&args.paths, args.follow_links)?
            .files
            .iter()
            .filter_map(|f| std::fs::metadata(f).ok())
            .map(|m| m.len())
            .sum()
    };
    // The bar counts bytes of the files as read from disk (compressed for .gz).
    let bar = progress_bar(
        total,
        "{spinner} indexing [{bar:40}] {binary_bytes}/{binary_total_bytes} ({binary_bytes_per_sec}, {eta} left)",
    );
    let options = build_options(&args);
    let (outcome, changes) = if args.update {
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} updating: {binary_bytes} of changed files read ({elapsed})",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        let result = index::update(dir, &args.paths, &options, |bytes| bar.inc(bytes));
        bar.finish_and_clear();
        let (outcome, changes) = result?;
        (outcome, Some(changes))
    } else {
        let outcome = index::build(dir, &args.paths, &options, |bytes| bar.inc(bytes));
        bar.finish_and_clear();
        (outcome?, None)
    };
    write_problems(&outcome.report, args.verbose)?;
    let mut out = std::io::stdout().lock();
    if let Some(c) = &changes {
        write_changes(&mut out, c, outcome.manifest.build_seconds)?;
    }
    write_summary(&mut out, &outcome, changes.is_some())
}

/// The build's options from the arguments.
fn build_options(args: &IndexArgs) -> BuildOptions {
    let mut options = BuildOptions {
        strict: args.strict,
        wait: args.wait,
        allow_empty: args.allow_empty,
        limits: tifa::corpus::Limits {
            max_line_bytes: args.max_line_mb.saturating_mul(1 << 20),
            max_doc_bytes: args.max_doc_mb.saturating_mul(1 << 20),
            ocr: args.ocr,
        },
        follow_links: args.follow_links,
        ..BuildOptions::default()
    };
    if let Some(t) = args.threads {
        options.threads = t.max(1);
    }
    options.merge = !args.no_merge;
    options
}

/// The records skipped and the warnings, on stderr: the first 20, or all
/// with --verbose.
fn write_problems(report: &tifa::corpus::LoadReport, verbose: bool) -> Result<()> {
    let mut err = std::io::stderr().lock();
    let limit = if verbose { usize::MAX } else { 20 };
    for p in report.problems.iter().take(limit) {
        writeln!(err, "{}", escape_terminal(&p.to_string()))?;
    }
    if report.problems.len() > limit {
        writeln!(
            err,
            "… and {} more problems (run with --verbose to see all)",
            report.problems.len() - limit
        )?;
    }
    Ok(())
}

/// What --update changed, file by file (the first five names of each list).
fn write_changes(out: &mut impl Write, c: &index::UpdateChanges, seconds: f64) -> Result<()> {
    let names = |list: &[String]| {
        let shown: Vec<String> = list.iter().take(5).map(|n| escape_terminal(n)).collect();
        let more = list.len().saturating_sub(5);
        if list.is_empty() {
            String::new()
        } else if more > 0 {
            format!(" ({} and {more} more)", shown.join(", "))
        } else {
            format!(" ({})", shown.join(", "))
        }
    };
    writeln!(
        out,
        "Updated in {:.1} s: {} files added{}, {} replaced{}, {} removed{}, {} unchanged; {} documents read, {} dropped{}",
        seconds,
        c.added.len(),
        names(&c.added),
        c.replaced.len(),
        names(&c.replaced),
        c.removed.len(),
        names(&c.removed),
        c.unchanged,
        c.documents_added,
        c.documents_removed,
        if c.reread.is_empty() {
            String::new()
        } else {
            format!(
                "; {} unchanged files read again because ids moved between files{}",
                c.reread.len(),
                names(&c.reread)
            )
        }
    )?;
    Ok(())
}

/// The index built: its size, languages, kinds, dates, pairs, problems and
/// damaged files.
fn write_summary(out: &mut impl Write, outcome: &index::BuildOutcome, updated: bool) -> Result<()> {
    let m = &outcome.manifest;
    if updated {
        writeln!(
            out,
            "  index:     {} documents in {} ({:.1} MB of text; index {:.1} MB)",
            m.documents,
            escape_terminal(&outcome.generation.display().to_string()),
            m.text_bytes as f64 / 1e6,
            m.index_bytes as f64 / 1e6
        )?;
    } else {
        writeln!(
            out,
            "Indexed {} documents into {} in {:.1} s ({:.1} MB of text, {:.1} MB/s; index {:.1} MB)",
            m.documents,
            escape_terminal(&outcome.generation.display().to_string()),
            m.build_seconds,
            m.text_bytes as f64 / 1e6,
            m.text_bytes as f64 / 1e6 / m.build_seconds.max(1e-9),
            m.index_bytes as f64 / 1e6
        )?;
    }
    let list = |map: &std::collections::BTreeMap<String, u64>| {
        map.iter()
            .map(|(k, v)| format!("{} {v}", escape_terminal(k)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    writeln!(out, "  languages: {}", list(&m.by_lang))?;
    writeln!(out, "  kinds:     {}", list(&m.by_kind))?;
    writeln!(
        out,
        "  dates:     {} – {}; undated: {}",
        escape_terminal(m.first_date.as_deref().unwrap_or("none")),
        escape_terminal(m.last_date.as_deref().unwrap_or("none")),
        m.undated
    )?;
    writeln!(
        out,
        "  size:      {} Han characters, {} English words",
        m.han_chars, m.english_words
    )?;
    if m.alignments.pairs > 0 {
        let a = &m.alignments;
        writeln!(
            out,
            "  pairs:     {} translated pairs aligned into {} segments in {:.1} s{} (stored for `renderings` and `pair`)",
            a.pairs,
            a.segments,
            a.seconds,
            if a.reused > 0 {
                format!(" ({} unchanged, reused)", a.reused)
            } else {
                String::new()
            }
        )?;
    }
    writeln!(
        out,
        "  problems:  {} records skipped, {} warnings (documents kept){}",
        m.skipped,
        m.warnings,
        if outcome.report.files_ignored.is_empty() {
            String::new()
        } else {
            format!(
                "; {} files ignored (not documents)",
                outcome.report.files_ignored.len()
            )
        }
    )?;
    if m.documents == 0 {
        writeln!(
            out,
            "  note:      no documents found; give the corpus folder, e.g. `tifa index ../shared/corpus corpus`"
        )?;
    }
    for d in &outcome.damage {
        writeln!(
            out,
            "  damaged:   {}",
            escape_terminal(&format!("{}: {}", d.location, d.reason))
        )?;
    }
    Ok(())
}

fn rollback(dir: &Path, wait: bool) -> Result<()> {
    let r = index::rollback(dir, wait)?;
    let mut out = std::io::stdout().lock();
    let name = |p: &Path| escape_terminal(&p.display().to_string());
    match &r.from {
        Some((from, docs)) => writeln!(
            out,
            "Rolled back: {} ({} documents) is live again; {} ({docs} documents) is kept, and a new build replaces it",
            name(&r.to),
            r.documents,
            name(from)
        )?,
        None => writeln!(
            out,
            "Rolled back: {} ({} documents) is live again",
            name(&r.to),
            r.documents
        )?,
    }
    Ok(())
}
