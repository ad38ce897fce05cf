//! The command line: argument definitions shared by several commands, the
//! dispatch, and one file per command. Each command parses its arguments,
//! makes one library call and renders the result (xsv's and mdBook's shape).

use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

use tifa::engine::{Engine, Filter};
use tifa::output::escape_terminal;

mod check;
mod collocates;
mod coverage;
mod dossier;
mod emerging;
mod export;
mod families;
mod fields;
mod index;
mod info;
mod kwic;
mod pair;
mod renderings;
mod report;
mod search;
mod serve;
mod timeline;
mod trace;

const ABOUT: &str = "Grep-exact search over Chinese–English policy texts: find every document that uses a formulation (提法), when it first appeared, and how its use rose.";

const AFTER_HELP: &str = "\
Examples:
  tifa index ../shared/corpus              build the index (default folder: index/)
  tifa search 网络主权                       documents containing 网络主权, best first
  tifa search '\"community with a shared future\"' --sort date
  tifa search 'cyber sovereignty'            the phrase (both words, adjacent)
  tifa search '网络主权 OR cyber sovereignty' --from 2014 --to 2016 --json
  tifa trace 网络空间命运共同体               first appearance, with the sentence
  tifa timeline 人类命运共同体 --by year      use per year, per million characters
  tifa trace @cyber-sovereignty            a term family: 网络主权 and its renderings side by side
  tifa trace 'win-win cooperation' --group-by country   first use per state at the UN
  tifa report --terms bench/terms100.txt --out report   CSV, JSON, Markdown and SVG charts
  tifa kwic 正能量 --sort left --sample 50   a concordance, one line per occurrence
  tifa collocates 正能量 --side left --by collection   who 传播s and who 注入s 正能量
  tifa emerging --period 2015               formulations that took off in 2015
  tifa serve                               the web page at http://127.0.0.1:8717/
  tifa pair mfa-zh-2018-05-22-t1561452     a press conference and its translation, aligned
  tifa renderings 人类命运共同体 --by year   how the official English renders it, per year
  tifa coverage --svg coverage.svg         what the corpus holds, per file and year
  tifa fields                              the fields and values --where and --group-by accept

Matching is exact: a Chinese term matches wherever the string occurs (as grep
finds it), whatever the word segmentation; an English term matches case-
insensitively on word boundaries, any run of whitespace matching one space.

The user guide is docs/guide/ in the tifa repository (README.md there lists the
chapters); each command's --help names its chapter.";

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
    Index(index::IndexArgs),
    /// Search for documents; prints date, title, id and the passage of each hit.
    ///
    /// What you type is a phrase, as with grep: `cyber sovereignty` finds the
    /// two words next to each other, 网络主权 the four characters in a row
    /// (互联网+ included). Combine phrases with AND, OR, NOT (upper case) and
    /// parentheses; "quotes" keep operator words literal. With no hits, tifa
    /// says what does exist (e.g. the documents with all the words).
    Search(search::SearchArgs),
    /// A full concordance: one line per occurrence, the hit centred, sortable.
    ///
    /// The lines are the occurrences `tifa search` counts (nested matches of
    /// several terms are one place). --sort left reads the left context from
    /// the hit outwards (nearest character for Chinese, nearest word for English).
    Kwic(kwic::KwicArgs),
    /// The words around a term's occurrences, scored with logDice and log-likelihood.
    ///
    /// Words are jieba words for Chinese and word tokens for English, counted
    /// within --window words of each occurrence (--side left|right|both) and
    /// compared with their frequency in the whole filtered corpus; --by year or
    /// --by collection puts the groups side by side, to show how the company a
    /// formulation keeps changes (传播正能量 in the news, 注入正能量 at the
    /// Foreign Ministry).
    Collocates(collocates::CollocatesArgs),
    /// One citable page about a formulation: the answer in two sentences, its
    /// first appearance (sentence, quoted or not, early matches, what the corpus
    /// holds before), use per year, kind and collection, renderings, collocates
    /// before and after its take-off, first use per state, concordance lines,
    /// caveats from the data, every cited document numbered, and a stamp
    /// (version, index, corpus hash, command) that reproduces it. Every figure
    /// is what trace, timeline, renderings, collocates and kwic print.
    ///
    /// tifa dossier 网络空间命运共同体 --out cyberspace.html
    /// tifa dossier @cyber-sovereignty --out sovereignty.md   (chart as .svg beside it)
    /// tifa dossier 网络主权 --cite bibtex > refs.bib
    /// tifa dossier --terms bench/terms100.txt --out dossiers/   (one page per term + index.html)
    Dossier(dossier::DossierArgs),
    /// When did a term first appear, where, in which sentence, and when last.
    ///
    /// TERMs are literal strings (no query syntax: `win-win cooperation` and
    /// 互联网+ mean exactly those strings; surrounding quotes are dropped, and
    /// AND/OR/NOT are refused: give several terms, or a family). Documents are ordered by date, a
    /// year-only date sorting as the start of its year. The first appearance is
    /// the earliest match unless a match dated only to a year (or month) has a
    /// more precisely dated match in that period: then the precise one is first
    /// and the other is listed as "possibly earlier". A first appearance dated
    /// only to a year or month is marked approximate.
    Trace(trace::TraceArgs),
    /// Use of a term per year (or month): documents, occurrences, per million, share.
    ///
    /// per million = occurrences ÷ Han characters (Chinese terms) or English words
    /// (other terms) of that period's documents after filters × 10⁶; share =
    /// matching documents ÷ all documents of the period after filters.
    Timeline(timeline::TimelineArgs),
    /// Batch report over a term list: report.csv, report.json, report.md and SVG charts.
    ///
    /// The term file has one term or @family per line; empty lines and # comments
    /// are skipped. report.csv is long format (term,family,year,docs,occurrences,
    /// per_million,share), one row per term and year of its span, zero years
    /// included, plus an `unknown` row for undated matches; families appear as
    /// @name rows followed by their variants' rows, whose `family` column names
    /// the family (empty for the other rows).
    Report(report::ReportArgs),
    /// The formulations whose use took off in a period, against a reference.
    ///
    /// Candidates are strings of 2–16 Han characters inside runs of Han
    /// characters (and with --lang en or --lang both, English 2–6-word n-grams
    /// inside a sentence), whole formulations only: a string that nearly always
    /// sits inside one longer string (命运共同 in 命运共同体) gives way to it. They
    /// are ranked by G² (log-likelihood) of document frequencies in the period
    /// against the reference, with a floor on the log ratio (the effect size);
    /// every figure shown is an exact count, equal to what `tifa timeline` gives.
    Emerging(emerging::EmergingArgs),
    /// A local web page (search, concordance, documents, trace, timeline,
    /// report) and a JSON API, with the CLI's numbers.
    ///
    /// Pages at /, /search?q=…, /kwic?q=…, /doc/ID, /trace?term=…, /emerging?period=…, /families,
    /// /timeline?term=…&term=…, /report; the API at /api/search, /api/kwic,
    /// /api/trace, /api/timeline, /api/emerging, /api/collocates, /api/coverage,
    /// /api/fields, with the CLI's option names as parameters and its --json
    /// shapes. Listens on 127.0.0.1 unless --bind says otherwise.
    Serve(serve::ServeArgs),
    /// A document and its translation (the `pair` field), paragraph by paragraph.
    ///
    /// Paragraphs are aligned Gale–Church style (1–1, 1–2, 2–1, 1–0 links by
    /// length, strengthened by numbers and Latin names both sides share); two
    /// columns on a wide terminal, alternating otherwise.
    Pair(pair::PairArgs),
    /// How a term is rendered in the other language, from aligned paired documents.
    ///
    /// Over the aligned paragraphs of zh–en pairs (see `tifa pair`), the other
    /// side's word n-grams (English, 1–8 words) or Han strings (Chinese, 2–12)
    /// scored by G² of the segments with the term against the rest; whole
    /// phrases first (not padded with words rendering Chinese outside the
    /// term), spellings grouped. --by year shows a drift.
    Renderings(renderings::RenderingsArgs),
    /// Show what the index holds: documents per language and kind, dates, build,
    /// and `corpus_hash` (the indexed files' content: cite figures with it).
    Info,
    /// List the metadata fields: documents that have each, and the top values.
    ///
    /// The names and values here are what --where, --where-not, --group-by,
    /// --lang and --kind accept.
    Fields(fields::FieldsArgs),
    /// What the corpus holds: documents, Han characters and English words per
    /// collection (corpus file) and year or month, first and last dates, gaps.
    ///
    /// A gap is an empty year between a collection's first and last document,
    /// and for collections with daily dates an empty month. Use it before
    /// reading "first appeared in …": no earlier use can mean no earlier documents.
    Coverage(coverage::CoverageArgs),
    /// List the term families (@name) and their variants.
    ///
    /// The built-in families (corpus/families.toml, compiled in), then those of
    /// --families FILE, which replace same names. Needs no index.
    Families(families::FamiliesArgs),
    /// Write the corpus for a distributed engine (Manticore/Sphinx, OpenSearch)
    /// with its configuration, and a conformance file of tifa's answers.
    ///
    /// The engine's phrase query returns a superset of tifa's documents (text
    /// exported NFKC-normalised and lower-cased; Chinese one character per
    /// token, or bigrams); `tifa verify` reduces its candidates to the exact
    /// answer. See docs/guide/10-scale-out.md.
    Export(export::ExportArgs),
    /// Reduce an engine's candidate documents to tifa's exact answer.
    ///
    /// Reads the corpus once and keeps, for each query, the candidates whose
    /// title or text holds the term by tifa's matching rules; with --expect,
    /// compares with a conformance file term by term.
    Verify(export::VerifyArgs),
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

/// Filters shared by search, trace, timeline and report.
#[derive(Args, Debug, Clone, Default)]
pub struct FilterArgs {
    /// Only documents in this language (zh, en); repeat or comma-separate for several.
    #[arg(long, value_delimiter = ',')]
    pub lang: Vec<String>,
    /// Only documents of this kind (speech, report, law, article, …); repeatable.
    #[arg(long, value_delimiter = ',')]
    pub kind: Vec<String>,
    /// Only documents from this corpus file (as `tifa coverage` names it, e.g.
    /// large/xwlb_cctv_news_2012_2026.jsonl.gz); repeatable.
    #[arg(long, value_delimiter = ',')]
    pub collection: Vec<String>,
    /// Only documents whose period overlaps from this date (YYYY, YYYY-MM or YYYY-MM-DD); drops undated ones.
    #[arg(long)]
    pub from: Option<String>,
    /// Only documents whose period overlaps up to this date; drops undated ones.
    #[arg(long)]
    pub to: Option<String>,
    /// Only documents with FIELD=VALUE in their metadata (e.g. country=PAK); repeat
    /// it: values of one field are alternatives, different fields must all hold.
    /// An unknown field or value is an error listing the valid ones (`tifa fields`).
    #[arg(long = "where", value_name = "FIELD=VALUE")]
    pub wheres: Vec<String>,
    /// Leave out documents with FIELD=VALUE; repeatable.
    #[arg(long = "where-not", value_name = "FIELD=VALUE")]
    pub where_nots: Vec<String>,
}

impl FilterArgs {
    pub fn to_filter(&self) -> Result<Filter> {
        Filter::parse(
            &self.lang,
            &self.kind,
            &self.collection,
            self.from.as_deref(),
            self.to.as_deref(),
            &self.wheres,
            &self.where_nots,
        )
    }
}

/// How patterns read: `--gap` and `--scan`.
#[derive(Args, Debug, Clone, Default)]
pub struct PatternArgs {
    /// Most characters a `*` stands for in a Chinese pattern (within a sentence).
    #[arg(long, default_value_t = tifa::matcher::DEFAULT_GAP, value_name = "N")]
    pub gap: usize,
    /// Allow a pattern with no literal part the index can look up (e.g. /\d+年/):
    /// it reads every document.
    #[arg(long)]
    pub scan: bool,
    /// Chinese phrases match across differences in punctuation: 和平、安全 also
    /// finds 和平，安全 and 和平安全 (type the punctuation where it may vary).
    #[arg(long)]
    pub loose_punct: bool,
    /// A Chinese phrase also in its other script forms: 网络主权 finds 網絡主權 too
    /// (Simplified/Traditional conversion tables; the forms found are listed).
    #[arg(long)]
    pub variants: bool,
    /// An extra families file (TOML, like corpus/families.toml) whose @name
    /// words the query may use, besides the built-in ones.
    #[arg(long, value_name = "FILE")]
    pub families: Option<PathBuf>,
}

impl PatternArgs {
    /// The query typed (its words joined with spaces), with the @name words
    /// of `--families FILE` written out as their variants; the built-in
    /// families the query language reads itself.
    pub fn query(&self, words: &[String]) -> Result<String> {
        let query = words.join(" ");
        match &self.families {
            None => Ok(query),
            Some(path) => {
                let families = tifa::terms::Families::load(Some(path))?;
                tifa::query::expand_families_in(&query, &families)
                    .map_err(|e| tifa::error::UserError::UnknownFamily(e).into())
            }
        }
    }

    pub fn to_options(&self) -> tifa::query::QueryOptions {
        tifa::query::QueryOptions {
            patterns: tifa::matcher::PatternOptions {
                gap: self.gap,
                loose_punct: self.loose_punct,
            },
            scan: self.scan,
            variants: self.variants,
        }
    }
}

/// An extra families file, for the commands that take @family terms.
#[derive(Args, Debug, Clone, Default)]
pub struct FamiliesArg {
    /// An extra families file (TOML, like corpus/families.toml) for @name terms.
    #[arg(long, value_name = "FILE")]
    pub families: Option<PathBuf>,
    /// Chinese terms also in their other script forms (Traditional/Simplified):
    /// each term is followed as the family of its forms, listed as variants.
    #[arg(long)]
    pub variants: bool,
    /// Allow a pattern with no literal part the index can look up (e.g.
    /// '/\d+年/'): it reads every document.
    #[arg(long)]
    pub scan: bool,
}

impl FamiliesArg {
    /// The subjects of `terms`, with their script forms under --variants.
    pub fn subjects(&self, terms: &[String]) -> Result<Vec<tifa::terms::Subject>> {
        let subjects = tifa::terms::subjects_with(terms, self.families.as_deref(), self.scan)?;
        Ok(if self.variants {
            tifa::terms::with_script_forms(subjects)
        } else {
            subjects
        })
    }
}

/// The guide chapter (in `docs/guide/`) that documents each command; its
/// `--help` ends by naming it.
pub const GUIDE_CHAPTERS: &[(&str, &str)] = &[
    ("index", "01-getting-started.md"),
    ("info", "01-getting-started.md"),
    ("check", "01-getting-started.md"),
    ("search", "02-queries.md"),
    ("kwic", "02-queries.md"),
    ("fields", "02-queries.md"),
    ("families", "02-queries.md"),
    ("trace", "03-term-history.md"),
    ("timeline", "03-term-history.md"),
    ("coverage", "03-term-history.md"),
    ("emerging", "04-discovery.md"),
    ("collocates", "04-discovery.md"),
    ("pair", "05-bilingual.md"),
    ("renderings", "05-bilingual.md"),
    ("report", "07-reports-and-dossiers.md"),
    ("dossier", "07-reports-and-dossiers.md"),
    ("serve", "08-web.md"),
    ("export", "10-scale-out.md"),
    ("verify", "10-scale-out.md"),
];

/// The command line, each command's help ending with its guide chapter.
pub fn command() -> clap::Command {
    let mut command = <Cli as clap::CommandFactory>::command();
    for &(name, chapter) in GUIDE_CHAPTERS {
        command = command.mut_subcommand(name, |sub| {
            let before = sub
                .get_after_help()
                .map(|h| format!("{h}\n\n"))
                .unwrap_or_default();
            sub.after_help(format!(
                "{before}Guide: docs/guide/{chapter} in the tifa repository (all chapters: docs/guide/README.md)."
            ))
        });
    }
    command
}

/// Parses the command line (clap ends the process on --help, --version and
/// its own errors, as `Cli::parse` does).
pub fn parse() -> Cli {
    let matches = command().get_matches();
    <Cli as clap::FromArgMatches>::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
}

pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Index(args) => index::run(&cli.index, args),
        Command::Search(args) => search::run(&cli.index, args),
        Command::Trace(args) => trace::run(&cli.index, args),
        Command::Timeline(args) => timeline::run(&cli.index, args),
        Command::Report(args) => report::run(&cli.index, args),
        Command::Info => info::run(&cli.index),
        Command::Renderings(args) => renderings::run(&cli.index, args),
        Command::Pair(args) => pair::run(&cli.index, args),
        Command::Serve(args) => serve::run(&cli.index, args),
        Command::Check { json } => check::run(&cli.index, json),
        Command::Fields(args) => fields::run(&cli.index, args),
        Command::Kwic(args) => kwic::run(&cli.index, args),
        Command::Coverage(args) => coverage::run(&cli.index, args),
        Command::Collocates(args) => collocates::run(&cli.index, args),
        Command::Emerging(args) => emerging::run(&cli.index, args),
        Command::Dossier(args) => dossier::run(&cli.index, args),
        Command::Families(args) => families::run(args),
        Command::Export(args) => export::run_export(&cli.index, args),
        Command::Verify(args) => export::run_verify(&cli.index, args),
    }
}

/// Flags whose value is a file or folder.
const PATH_FLAGS: &[&str] = &[
    "--index",
    "--terms",
    "--out",
    "--families",
    "--svg",
    "--candidates",
    "--expect",
];

/// The command line as typed, each argument quoted for a POSIX shell. An
/// absolute path given to a path flag is written as its file name: it is the
/// machine's, not the corpus's, and a stamp travels with charts and papers
/// (`--out /home/alice/paper` → `--out paper`); relative paths stay as typed.
pub(crate) fn command_line() -> String {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .enumerate()
        .map(|(i, a)| {
            if i == 0 {
                return "tifa".to_string();
            }
            let a = without_local_folder(&args[i - 1], a);
            if !a.is_empty()
                && a.chars()
                    .all(|c| c.is_alphanumeric() || "-_./=@:,".contains(c))
            {
                a
            } else {
                format!("'{}'", a.replace('\'', "'\\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `arg` (after `previous`) with an absolute path given to a path flag
/// reduced to its file name (`--out /home/alice/paper` → `paper`).
fn without_local_folder(previous: &str, arg: &str) -> String {
    let (flag, value) = match arg.split_once('=') {
        Some((f, v)) if PATH_FLAGS.contains(&f) => (Some(f), v),
        _ if PATH_FLAGS.contains(&previous) => (None, arg),
        _ => return arg.to_string(),
    };
    let path = std::path::Path::new(value);
    let Some(name) = path.file_name().filter(|_| path.is_absolute()) else {
        return arg.to_string();
    };
    match flag {
        Some(f) => format!("{f}={}", name.to_string_lossy()),
        None => name.to_string_lossy().to_string(),
    }
}

/// A progress bar on stderr (hidden when stderr is not a terminal).
fn progress_bar(total: u64, template: &str) -> ProgressBar {
    if !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        return ProgressBar::hidden();
    }
    ProgressBar::new(total).with_style(
        ProgressStyle::with_template(template)
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    )
}

/// Writes `value` as one JSON line with the stamp of `engine` and this
/// command beside its keys.
fn write_stamped_json<W: std::io::Write, T: serde::Serialize>(
    out: &mut W,
    engine: &Engine,
    value: &T,
) -> Result<()> {
    let stamp = tifa::stamp::Stamp::of(engine, command_line());
    tifa::output::write_json_line(
        out,
        &tifa::stamp::Stamped {
            inner: value,
            stamp: &stamp,
        },
    )
}

/// The stamp of a CSV written to stdout, on stderr: the table stays one that
/// every CSV reader takes, and the terminal (or a `2>` file) keeps what
/// reproduces it.
fn note_csv_stamp(engine: &Engine) {
    let stamp = tifa::stamp::Stamp::of(engine, command_line());
    eprintln!(
        "tifa: stamp: {}",
        tifa::output::escape_terminal(&stamp.line())
    );
}

/// A spinner on stderr for work of unknown length (hidden when not a terminal).
fn spinner(message: &'static str) -> ProgressBar {
    if !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new_spinner().with_message(message);
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}

/// Runs `f`, with a spinner when --scan may make it read every document.
fn while_scanning<T>(scan: bool, f: impl FnOnce() -> Result<T>) -> Result<T> {
    let bar = scan.then(|| spinner("--scan: reading every document…"));
    let result = f();
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    result
}

/// Opens the index; says on stderr when it holds no documents, so that
/// "0 documents match" is not mistaken for an answer.
fn open_engine(dir: &Path) -> Result<Engine> {
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

#[cfg(test)]
mod tests {
    use super::without_local_folder;

    #[test]
    fn stamps_name_files_not_where_they_lay() {
        assert_eq!(without_local_folder("--out", "/home/alice/paper"), "paper");
        assert_eq!(
            without_local_folder("report", "--terms=/home/alice/t.txt"),
            "--terms=t.txt"
        );
        // Relative paths stay as typed; other arguments are not paths.
        assert_eq!(without_local_folder("--out", "paper/x"), "paper/x");
        assert_eq!(without_local_folder("search", "/api"), "/api");
    }
}
