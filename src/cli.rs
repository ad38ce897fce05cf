//! Command-line interface: argument definitions and one small function per command.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

use crate::date::{DateRange, DocDate};
use crate::engine::{Engine, Filter};
use crate::history::{self, Period};
use crate::index::{self, BuildOptions};
use crate::output::{self, escape_terminal};
use crate::search::{self, SearchOptions, Sort};
use crate::terms::{Families, Subject};

const ABOUT: &str = "Grep-exact search over Chinese–English policy texts: find every document that uses a formulation (提法), when it first appeared, and how its use rose.";

const AFTER_HELP: &str = "\
Examples:
  tifa index ../shared/corpus              build the index (default folder: index/)
  tifa search 网络主权                       documents containing 网络主权, best first
  tifa search '\"community with a shared future\"' --sort date
  tifa search '网络主权 OR \"cyber sovereignty\"' --from 2014 --to 2016 --json
  tifa trace 网络空间命运共同体               first appearance, with the sentence
  tifa timeline 人类命运共同体 --by year      use per year, per million characters
  tifa trace @cyber-sovereignty            a term family: 网络主权 and its renderings side by side
  tifa trace 'win-win cooperation' --group-by country   first use per state at the UN
  tifa report --terms bench/terms100.txt --out report   CSV, JSON, Markdown and SVG charts

Matching is exact: a Chinese term matches wherever the string occurs (as grep
finds it), whatever the word segmentation; an English term matches case-
insensitively on word boundaries, any run of whitespace matching one space.";

#[derive(Parser, Debug)]
#[command(name = "tifa", version, about = ABOUT, after_help = AFTER_HELP)]
pub struct Cli {
    /// Index folder (default: index/ in the current folder).
    #[arg(long, global = true, env = "TIFA_INDEX", default_value = "index")]
    pub index: PathBuf,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Build (or rebuild) the index from corpus files.
    ///
    /// Reads JSONL (.jsonl, .jsonl.gz) and front-matter text files (.md, .txt)
    /// from each PATH in order (folders recursively, in sorted order). Bad
    /// records are reported as FILE:LINE: reason and skipped; the new index
    /// replaces the old one only when the build is complete.
    Index(IndexArgs),
    /// Search for documents; prints date, title, id and the passage of each hit.
    ///
    /// Query syntax: "quoted phrases"; a bare Chinese string is one phrase
    /// (互联网+ included); bare words are combined with AND; AND, OR, NOT (upper
    /// case) and parentheses.
    Search(SearchArgs),
    /// When did a term first appear, where, in which sentence, and when last.
    ///
    /// TERMs are literal strings (no query syntax: `win-win cooperation` and
    /// 互联网+ mean exactly those strings). Documents are ordered by date, a
    /// year-only date sorting as the start of its year; a first appearance with a
    /// year- or month-only date is marked approximate and the precisely dated
    /// documents of that period are listed.
    Trace(TraceArgs),
    /// Use of a term per year (or month): documents, occurrences, per million, share.
    ///
    /// per million = occurrences ÷ Han characters (Chinese terms) or English words
    /// (other terms) of that period's documents after filters × 10⁶; share =
    /// matching documents ÷ all documents of the period after filters.
    Timeline(TimelineArgs),
    /// Batch report over a term list: report.csv, report.json, report.md and SVG charts.
    ///
    /// The term file has one term or @family per line; empty lines and # comments
    /// are skipped. report.csv is long format (term,year,docs,occurrences,
    /// per_million,share), one row per term and year of its span, zero years
    /// included, plus an `unknown` row for undated matches; families appear as
    /// @name rows followed by their variants' rows.
    Report(ReportArgs),
    /// Show what the index holds: documents per language and kind, dates, build.
    Info,
    /// Verify the index: every file's size and checksum, and the document count.
    ///
    /// On every open tifa checks only the manifest and the file sizes; `check`
    /// reads every byte (tantivy's per-file checksums). It runs after each build
    /// too. Exit status 1 when anything is damaged.
    Check {
        /// Print JSON: {"generation","documents","files_checked","damaged":[…]}.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args, Debug)]
pub struct IndexArgs {
    /// Corpus files or folders.
    #[arg(default_value = "corpus")]
    pub paths: Vec<PathBuf>,
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
    /// Make the previous generation live again (undo the last build); reads no corpus.
    #[arg(long, conflicts_with_all = ["strict", "allow_empty", "threads"])]
    pub rollback: bool,
    /// Skip JSONL lines longer than this many MiB without holding them in memory.
    #[arg(long, value_name = "MIB", default_value_t = crate::corpus::DEFAULT_MAX_LINE_BYTES >> 20)]
    pub max_line_mb: usize,
    /// Skip documents whose title and text exceed this many MiB (indexing costs
    /// about 12× the text in memory; see the README).
    #[arg(long, value_name = "MIB", default_value_t = crate::corpus::DEFAULT_MAX_DOC_BYTES >> 20)]
    pub max_doc_mb: usize,
}

/// Filters shared by search, trace, timeline and report.
#[derive(Args, Debug, Clone, Default)]
pub struct FilterArgs {
    /// Only documents in this language (zh, en); repeat or comma-separate for several.
    #[arg(long, value_delimiter = ',')]
    pub lang: Vec<String>,
    /// Only documents of this kind (speech, report, law, article, …); repeatable.
    #[arg(long, value_delimiter = ',')]
    pub kind: Vec<String>,
    /// Only documents whose period overlaps from this date (YYYY, YYYY-MM or YYYY-MM-DD); drops undated ones.
    #[arg(long)]
    pub from: Option<String>,
    /// Only documents whose period overlaps up to this date; drops undated ones.
    #[arg(long)]
    pub to: Option<String>,
    /// Only documents with FIELD=VALUE in their metadata (e.g. country=PAK, source=…); repeatable.
    #[arg(long = "where", value_name = "FIELD=VALUE")]
    pub wheres: Vec<String>,
}

impl FilterArgs {
    pub fn to_filter(&self) -> Result<Filter> {
        let date = |s: &Option<String>, flag: &str| -> Result<Option<DocDate>> {
            s.as_deref()
                .map(|d| DocDate::parse(d.trim()).map_err(|e| anyhow::anyhow!("{flag}: {e}")))
                .transpose()
        };
        let dates = DateRange {
            from: date(&self.from, "--from")?,
            to: date(&self.to, "--to")?,
        };
        if let (Some(f), Some(t)) = (dates.from, dates.to)
            && f.period_start() > t.period_end()
        {
            bail!("--from {f} is after --to {t}");
        }
        let wheres = self
            .wheres
            .iter()
            .map(|w| match w.split_once('=') {
                Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.to_string())),
                _ => bail!("--where {w:?}: expected FIELD=VALUE, e.g. --where country=PAK"),
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Filter {
            langs: self.lang.clone(),
            kinds: self.kind.clone(),
            wheres,
            dates,
        })
    }
}

#[derive(Args, Debug)]
pub struct SearchArgs {
    /// The query, e.g. 网络主权, '"cyber sovereignty"', '网络主权 OR 网络空间主权'.
    pub query: String,
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Show at most N hits (the total is always the full count).
    #[arg(long, short = 'n', default_value_t = 10)]
    pub limit: usize,
    /// Show every hit.
    #[arg(long, conflicts_with = "limit")]
    pub all: bool,
    /// Order of hits.
    #[arg(long, value_enum, default_value_t = Sort::Relevance)]
    pub sort: Sort,
    /// Snippets per hit.
    #[arg(long, default_value_t = 3)]
    pub snippets: usize,
    /// Print JSON: {"query","total","hits":[{"id","date","title","lang","kind","meta","score","occurrences","snippets":[…]}]}.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct TraceArgs {
    /// Literal terms, e.g. 网络空间命运共同体 'community with a shared future', or @family names.
    #[arg(required = true)]
    pub terms: Vec<String>,
    #[command(flatten)]
    pub filter: FilterArgs,
    /// How many earliest documents to list (the first one included).
    #[arg(long, default_value_t = 5)]
    pub first: usize,
    /// Also give the first appearance per value of this metadata field (e.g. country).
    #[arg(long, value_name = "FIELD")]
    pub group_by: Option<String>,
    /// One JSON object per term per line.
    #[arg(long)]
    pub json: bool,
    /// An extra families file (TOML, like corpus/families.toml) for @name terms.
    #[arg(long, value_name = "FILE")]
    pub families: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct TimelineArgs {
    /// Literal terms or @family names (see corpus/families.toml).
    #[arg(required = true)]
    pub terms: Vec<String>,
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Period of the buckets.
    #[arg(long, value_enum, default_value_t = Period::Year)]
    pub by: Period,
    /// One JSON object per term per line: {"term","by_year":{"2015":{"docs","occurrences","per_million","share"}}}.
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// CSV with the header term,period,docs,occurrences,per_million,share.
    #[arg(long)]
    pub csv: bool,
    /// An extra families file (TOML, like corpus/families.toml) for @name terms.
    #[arg(long, value_name = "FILE")]
    pub families: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct ReportArgs {
    /// The term file.
    #[arg(long, value_name = "FILE")]
    pub terms: PathBuf,
    /// Output folder (created if needed).
    #[arg(long, default_value = "report")]
    pub out: PathBuf,
    #[command(flatten)]
    pub filter: FilterArgs,
    /// An extra families file (TOML, like corpus/families.toml) for @name terms.
    #[arg(long, value_name = "FILE")]
    pub families: Option<PathBuf>,
}

pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Index(args) => run_index(&cli.index, args),
        Command::Search(args) => run_search(&cli.index, args),
        Command::Trace(args) => run_trace(&cli.index, args),
        Command::Timeline(args) => run_timeline(&cli.index, args),
        Command::Report(args) => run_report(&cli.index, args),
        Command::Info => run_info(&cli.index),
        Command::Check { json } => run_check(&cli.index, json),
    }
}

fn progress_bar(total: u64) -> ProgressBar {
    if !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template("{spinner} indexing [{bar:40}] {binary_bytes}/{binary_total_bytes} ({binary_bytes_per_sec}, {eta} left)")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar
}

fn run_check(dir: &std::path::Path, json: bool) -> Result<()> {
    let generation = index::current_generation(dir)?;
    let report = index::check_generation(&generation)?;
    let mut out = std::io::stdout().lock();
    if json {
        output::write_json_line(&mut out, &report)?;
    } else if report.damaged.is_empty() {
        writeln!(
            out,
            "{}: ok ({} documents, {} files, checksums verified)",
            escape_terminal(&report.generation.display().to_string()),
            report.documents,
            report.files_checked
        )?;
    } else {
        writeln!(
            out,
            "{}: DAMAGED — rebuild with `tifa index` or go back with `tifa index --rollback`:",
            escape_terminal(&report.generation.display().to_string())
        )?;
        for d in &report.damaged {
            writeln!(out, "  {}", escape_terminal(d))?;
        }
    }
    out.flush()?;
    if !report.damaged.is_empty() {
        bail!("the index in {} is damaged", dir.display());
    }
    Ok(())
}

fn run_rollback(dir: &std::path::Path, wait: bool) -> Result<()> {
    let r = index::rollback(dir, wait)?;
    let mut out = std::io::stdout().lock();
    let name = |p: &std::path::Path| escape_terminal(&p.display().to_string());
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

fn run_index(dir: &std::path::Path, args: IndexArgs) -> Result<()> {
    if args.rollback {
        return run_rollback(dir, args.wait);
    }
    let total: u64 = {
        crate::corpus::corpus_files(&args.paths)?
            .files
            .iter()
            .filter_map(|f| std::fs::metadata(f).ok())
            .map(|m| m.len())
            .sum()
    };
    // The bar counts bytes of the files as read from disk (compressed for .gz).
    let bar = progress_bar(total);
    let mut options = BuildOptions {
        strict: args.strict,
        wait: args.wait,
        allow_empty: args.allow_empty,
        limits: crate::corpus::Limits {
            max_line_bytes: args.max_line_mb.saturating_mul(1 << 20),
            max_doc_bytes: args.max_doc_mb.saturating_mul(1 << 20),
        },
        ..BuildOptions::default()
    };
    if let Some(t) = args.threads {
        options.threads = t.max(1);
    }
    let outcome = index::build(dir, &args.paths, &options, |bytes| bar.inc(bytes));
    bar.finish_and_clear();
    let outcome = outcome?;
    let m = &outcome.manifest;
    let mut err = std::io::stderr().lock();
    let limit = if args.verbose { usize::MAX } else { 20 };
    for p in outcome.report.problems.iter().take(limit) {
        writeln!(err, "{}", escape_terminal(&p.to_string()))?;
    }
    if outcome.report.problems.len() > limit {
        writeln!(
            err,
            "… and {} more problems (run with --verbose to see all)",
            outcome.report.problems.len() - limit
        )?;
    }
    let mut out = std::io::stdout().lock();
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

fn run_info(dir: &std::path::Path) -> Result<()> {
    let generation = index::current_generation(dir)?;
    let m = index::read_manifest(&generation)?;
    let mut out = std::io::stdout().lock();
    output::write_json(&mut out, &m, true)?;
    writeln!(out)?;
    Ok(())
}

/// Opens the index; says on stderr when it holds no documents, so that
/// "0 documents match" is not mistaken for an answer.
fn open_engine(dir: &std::path::Path) -> Result<Engine> {
    let engine = Engine::open(dir)?;
    if engine.num_docs() == 0 {
        eprintln!(
            "tifa: note: the index in {} is empty (built from {} with 0 documents): every search finds nothing. Rebuild it with `tifa index PATH…` or go back with `tifa index --rollback`.",
            escape_terminal(&dir.display().to_string()),
            escape_terminal(&engine.manifest.sources.join(", "))
        );
    }
    Ok(engine)
}

fn run_search(dir: &std::path::Path, args: SearchArgs) -> Result<()> {
    let engine = open_engine(dir)?;
    let options = SearchOptions {
        limit: if args.all { None } else { Some(args.limit) },
        sort: args.sort,
        filter: args.filter.to_filter()?,
        snippets: args.snippets,
    };
    let result = search::search(&engine, &args.query, &options)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if args.json {
        output::write_json_line(&mut out, &result)?;
        return out.flush().context("cannot write output");
    }
    let colour = output::colour_enabled();
    writeln!(
        out,
        "{} documents match {}{}",
        result.total,
        escape_terminal(&result.query),
        if result.hits.len() < result.total {
            format!(
                " (showing {}; --all or --limit N for more)",
                result.hits.len()
            )
        } else {
            String::new()
        }
    )?;
    for hit in &result.hits {
        writeln!(out)?;
        writeln!(
            out,
            "{}  {}",
            escape_terminal(hit.date.as_deref().unwrap_or("undated   ")),
            escape_terminal(&hit.title)
        )?;
        writeln!(
            out,
            "    {} · {} · {} · {} occurrence{} · score {:.2}",
            escape_terminal(&hit.id),
            escape_terminal(&hit.lang),
            escape_terminal(&hit.kind),
            hit.occurrences,
            if hit.occurrences == 1 { "" } else { "s" },
            hit.score
        )?;
        // Extra metadata (country, speaker, pair, …); source and url are in --json.
        let extra: Vec<String> = hit
            .meta
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "source" | "url"))
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        if !extra.is_empty() {
            writeln!(out, "    {}", escape_terminal(&extra.join(" · ")))?;
        }
        for s in &hit.snippets {
            let field = if s.field == "title" { "[title] " } else { "" };
            writeln!(
                out,
                "    {field}…{}…",
                output::highlight(&s.context, s.highlight.0, s.highlight.1, colour)
            )?;
        }
    }
    out.flush().context("cannot write output")?;
    Ok(())
}

fn subjects(terms: &[String], families: Option<&std::path::Path>) -> Result<Vec<Subject>> {
    let families = Families::load(families)?;
    terms
        .iter()
        .map(|t| {
            families
                .resolve(t)
                .map_err(|e| anyhow::anyhow!("term {t:?}: {e}"))
        })
        .collect()
}

fn run_trace(dir: &std::path::Path, args: TraceArgs) -> Result<()> {
    let engine = open_engine(dir)?;
    let filter = args.filter.to_filter()?;
    let allowed = engine.allowed(&filter)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for subject in subjects(&args.terms, args.families.as_deref())? {
        let t = history::trace(
            &engine,
            &subject,
            &allowed,
            args.first,
            args.group_by.as_deref(),
        )?;
        if args.json {
            output::write_json_line(&mut out, &t)?;
            continue;
        }
        let e = escape_terminal;
        writeln!(
            out,
            "{}: {} documents, {} occurrences (undated documents included)",
            e(&t.term),
            t.docs,
            t.occurrences
        )?;
        let line = |a: &history::Appearance| {
            format!(
                "{}{}  {}  [{} · {} · {}]",
                e(&a.date),
                if a.approximate { " (approximate)" } else { "" },
                e(&a.title),
                e(&a.id),
                e(&a.lang),
                e(&a.kind)
            )
        };
        match &t.first {
            None => writeln!(out, "  no dated document contains it")?,
            Some(first) => {
                writeln!(out, "  first:    {}", line(first))?;
                if let Some(c) = &first.context {
                    writeln!(out, "            “{}”", e(c))?;
                }
                if !first.same_period_candidates.is_empty() {
                    writeln!(
                        out,
                        "            precisely dated documents of the same period:"
                    )?;
                    for c in &first.same_period_candidates {
                        writeln!(out, "              {}", line(c))?;
                    }
                }
            }
        }
        if let Some(last) = &t.last {
            writeln!(out, "  last:     {}", line(last))?;
        }
        if t.earliest.len() > 1 {
            writeln!(out, "  earliest:")?;
            for a in &t.earliest {
                writeln!(out, "    {}", line(a))?;
            }
        }
        for (name, map) in [("language", &t.first_by_lang), ("kind", &t.first_by_kind)] {
            if !map.is_empty() {
                let parts: Vec<String> = map
                    .iter()
                    .map(|(k, a)| format!("{k} {} [{}]", a.date, a.id))
                    .collect();
                writeln!(out, "  first by {name}: {}", e(&parts.join("; ")))?;
            }
        }
        if !t.variants.is_empty() {
            writeln!(out, "  variants:")?;
            for v in &t.variants {
                let date = |a: &Option<history::Appearance>| {
                    a.as_ref().map_or("–".to_string(), |a| a.date.clone())
                };
                writeln!(
                    out,
                    "    {} {:>6} docs {:>7} occ  first {:<10}  last {}",
                    output::fit(&e(&v.term), 44),
                    v.docs,
                    v.occurrences,
                    e(&date(&v.first)),
                    e(&date(&v.last))
                )?;
            }
        }
        if let (Some(groups), Some(field)) = (&t.groups, &args.group_by) {
            let mut rows: Vec<(&String, &history::GroupFirst)> = groups.iter().collect();
            rows.sort_by_key(|(k, g)| {
                (
                    g.first
                        .as_ref()
                        .map(|a| a.date.clone())
                        .unwrap_or_else(|| "9999".into()),
                    (*k).clone(),
                )
            });
            writeln!(
                out,
                "  first by {} ({} values, earliest first):",
                e(field),
                rows.len()
            )?;
            for (k, g) in rows {
                let first = g.first.as_ref().map_or("undated".to_string(), |a| {
                    e(&format!("{}  {}", a.date, a.id))
                });
                writeln!(
                    out,
                    "    {:<12} {:>5} docs {:>6} occ  first {}",
                    e(k),
                    g.docs,
                    g.occurrences,
                    first
                )?;
            }
        }
        writeln!(out)?;
    }
    out.flush().context("cannot write output")
}

fn run_timeline(dir: &std::path::Path, args: TimelineArgs) -> Result<()> {
    let engine = open_engine(dir)?;
    let filter = args.filter.to_filter()?;
    let allowed = engine.allowed(&filter)?;
    let denominators = history::Denominators::new(&engine, &allowed, args.by);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut csv = args.csv.then(|| csv::Writer::from_writer(Vec::new()));
    if let Some(w) = csv.as_mut() {
        w.write_record([
            "term",
            "period",
            "docs",
            "occurrences",
            "per_million",
            "share",
        ])?;
    }
    // A family is followed by each of its variants, so that the moment one
    // rendering replaces another is visible.
    let expanded: Vec<Subject> = subjects(&args.terms, args.families.as_deref())?
        .into_iter()
        .flat_map(|s| {
            let mut v = vec![s.clone()];
            if let Subject::Family(f) = &s {
                v.extend(f.variants.iter().cloned().map(Subject::Literal));
            }
            v
        })
        .collect();
    for subject in expanded {
        let buckets = history::timeline(&engine, &subject, &allowed, &denominators, &filter.dates)?;
        let label = subject.label();
        if let Some(w) = csv.as_mut() {
            for (period, b) in &buckets {
                w.write_record([
                    output::csv_cell(&label),
                    period.clone(),
                    b.docs.to_string(),
                    b.occurrences.to_string(),
                    format!("{:.3}", b.per_million),
                    format!("{:.5}", b.share),
                ])?;
            }
            continue;
        }
        if args.json {
            let key = if args.by == Period::Year {
                "by_year"
            } else {
                "by_month"
            };
            let v = serde_json::json!({"term": label, key: buckets});
            output::write_json_line(&mut out, &v)?;
            continue;
        }
        let max = buckets.values().map(|b| b.per_million).fold(0.0, f64::max);
        writeln!(
            out,
            "{}  (per {}; per million {})",
            escape_terminal(&label),
            if args.by == Period::Year {
                "year"
            } else {
                "month"
            },
            subject.units().describe()
        )?;
        writeln!(
            out,
            "{:<8} {:>6} {:>7} {:>10} {:>7}",
            "period", "docs", "occ", "per mil.", "share"
        )?;
        for (period, b) in &buckets {
            writeln!(
                out,
                "{:<8} {:>6} {:>7} {:>10.2} {:>6.2}% {}",
                period,
                b.docs,
                b.occurrences,
                b.per_million,
                b.share * 100.0,
                output::bar(b.per_million, max, 30)
            )?;
        }
        writeln!(out)?;
    }
    if let Some(w) = csv {
        out.write_all(&w.into_inner().map_err(|e| anyhow::anyhow!("csv: {e}"))?)?;
    }
    out.flush().context("cannot write output")
}

fn run_report(dir: &std::path::Path, args: ReportArgs) -> Result<()> {
    let families = Families::load(args.families.as_deref())?;
    let terms = crate::report::read_terms(&args.terms, &families)?;
    let engine = open_engine(dir)?;
    let filter = args.filter.to_filter()?;
    let allowed = engine.allowed(&filter)?;
    let bar = if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        ProgressBar::new(terms.len() as u64).with_style(
            ProgressStyle::with_template("{spinner} terms [{bar:40}] {pos}/{len} ({eta} left)")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        )
    } else {
        ProgressBar::hidden()
    };
    let figures = crate::report::figures(&engine, &terms, &allowed, &filter.dates, || bar.inc(1))?;
    bar.finish_and_clear();
    let m = &engine.manifest;
    let source = format!(
        "Source: tifa {} over {} ({} documents, {} – {}); per million Han characters (Chinese terms) or English words (other terms).",
        env!("CARGO_PKG_VERSION"),
        m.sources.join(", "),
        m.documents,
        m.first_date.as_deref().unwrap_or("?"),
        m.last_date.as_deref().unwrap_or("?")
    );
    let written = crate::report::write(&args.out, &figures, &source)?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{} terms ({} rows with family variants) → {}",
        terms.len(),
        figures.len(),
        escape_terminal(&args.out.display().to_string())
    )?;
    for w in written {
        writeln!(out, "  {}", escape_terminal(&w.display().to_string()))?;
    }
    Ok(())
}
