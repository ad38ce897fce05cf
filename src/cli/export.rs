//! `tifa export` and `tifa verify`: hand the corpus to a distributed engine,
//! and check what it returns against tifa's rules.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};

use tifa::engine::Engine;
use tifa::export::{self, Candidates, Conformance, ExportOptions, Target};
use tifa::output::escape_terminal;

use super::progress_bar;

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum TargetArg {
    /// Manticore Search / Sphinx: xmlpipe2 shards, one config per shard and a
    /// distributed front index.
    Manticore,
    /// OpenSearch / Elasticsearch: index settings and mapping, bulk NDJSON.
    Opensearch,
}

#[derive(Args, Debug)]
#[command(after_help = "Examples:
  tifa export --to manticore --out export --shards 2 --terms ../shared/terms/dev-terms.txt
  tifa export --to opensearch --out export-os --terms terms.txt
  # after querying the engine (one JSON line per term: {\"query\": …, \"ids\": [tid, …]}):
  tifa verify --candidates candidates.jsonl --expect export/conformance.jsonl")]
pub struct ExportArgs {
    /// The engine to write for.
    #[arg(long, value_enum)]
    pub to: TargetArg,
    /// A new (or empty) folder for the export.
    #[arg(long)]
    pub out: PathBuf,
    /// Manticore/Sphinx: number of shards (documents split by a hash of their id).
    #[arg(long, default_value_t = 2)]
    pub shards: usize,
    /// Manticore/Sphinx: the SphinxQL port of the front searchd; shard k listens
    /// on PORT+10+k (API) and PORT+20+k (SphinxQL).
    #[arg(long, default_value_t = 9306)]
    pub port: u16,
    /// A term list (one literal term per line, # comments): writes
    /// conformance.jsonl with each term's engine queries and tifa's documents.
    #[arg(long)]
    pub terms: Option<PathBuf>,
}

pub fn run_export(dir: &Path, args: ExportArgs) -> Result<()> {
    let engine = Engine::open(dir)?;
    let terms = match &args.terms {
        Some(path) => read_literal_terms(path)?,
        None => Vec::new(),
    };
    if args.port > u16::MAX - 40 {
        bail!(
            "--port {} leaves no room for the shard ports (PORT+10+k, PORT+20+k)",
            args.port
        );
    }
    let target = match args.to {
        TargetArg::Manticore => Target::Manticore,
        TargetArg::Opensearch => Target::OpenSearch,
    };
    let bar = progress_bar(
        engine.num_docs(),
        "{spinner} exporting [{bar:40}] {pos}/{len} documents ({eta} left)",
    );
    let summary = export::export(
        &engine,
        &args.out,
        target,
        &ExportOptions {
            shards: args.shards,
            port: args.port,
            terms,
        },
        |n| bar.inc(n),
    );
    bar.finish_and_clear();
    let summary = summary?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "Exported {} documents to {}{}",
        summary.documents,
        escape_terminal(&args.out.display().to_string()),
        match target {
            Target::Manticore => format!(
                " in {} shards ({})",
                summary.per_shard.len(),
                summary
                    .per_shard
                    .iter()
                    .map(|n| n.to_string())
                    .collect::<Vec<_>>()
                    .join(" + ")
            ),
            Target::OpenSearch => String::new(),
        }
    )?;
    for f in &summary.files {
        writeln!(out, "  {}", escape_terminal(&f.display().to_string()))?;
    }
    if let Some(first) = summary.control_chars.first() {
        eprintln!(
            "tifa: warning: {} documents have control characters in their id, lang, kind or collection (the first: {}); they were removed in the XML, so those values differ from tifa's",
            summary.control_chars.len(),
            escape_terminal(first)
        );
    }
    if summary.terms > 0 {
        writeln!(
            out,
            "  conformance: {} terms with tifa's documents",
            summary.terms
        )?;
    }
    match target {
        Target::Manticore => writeln!(
            out,
            "Next: for each shard k `indexer --config {0}/manticore/shard-k.conf --all` and `searchd --config {0}/manticore/shard-k.conf`; then `searchd --config {0}/manticore/front.conf` and query `dist` on port {1} (see bench/scale-out.sh)",
            escape_terminal(&args.out.display().to_string()),
            args.port
        )?,
        Target::OpenSearch => writeln!(
            out,
            "Next: PUT /tifa with opensearch/index.json, POST /_bulk with opensearch/bulk.ndjson, then each term's `opensearch` query from conformance.jsonl"
        )?,
    }
    Ok(())
}

/// Literal terms, one per line; query syntax and families are refused with the line number.
fn read_literal_terms(path: &Path) -> Result<Vec<String>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the term file {}", path.display()))?;
    let mut terms = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim().trim_start_matches('\u{feff}');
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line.starts_with('@') {
            bail!(
                "{}:{}: {line:?} is a family; list its variants one per line (an engine answers literal phrases)",
                path.display(),
                i + 1
            );
        }
        tifa::matcher::Literal::new(line)
            .map_err(|e| anyhow::anyhow!("{}:{}: {e}", path.display(), i + 1))?;
        terms.push(line.to_string());
    }
    Ok(terms)
}

#[derive(Args, Debug)]
#[command(after_help = "Examples:
  tifa verify --candidates candidates.jsonl                       corpus paths from the index's manifest
  tifa verify --candidates candidates.jsonl --expect export/conformance.jsonl ../shared/corpus")]
pub struct VerifyArgs {
    /// The engine's answers: one JSON line per query, {"query": TERM, "ids": [ID, …]}.
    #[arg(long)]
    pub candidates: PathBuf,
    /// A conformance file from `tifa export --terms`: compare the verified
    /// documents with tifa's, term by term (exit status 1 if any differs).
    #[arg(long)]
    pub expect: Option<PathBuf>,
    /// Corpus files or folders holding the documents' text (default: the
    /// paths the index was built from).
    pub paths: Vec<PathBuf>,
}

pub fn run_verify(dir: &Path, args: VerifyArgs) -> Result<()> {
    let paths = if args.paths.is_empty() {
        let generation = tifa::index::current_generation(dir)?;
        tifa::index::read_manifest(&generation)?
            .sources
            .into_iter()
            .map(PathBuf::from)
            .collect()
    } else {
        args.paths.clone()
    };
    let candidates: Vec<Candidates> = read_lines(&args.candidates)?;
    let spinner = super::spinner("verifying: reading the corpus once…");
    let verified = export::verify(&paths, &candidates);
    spinner.finish_and_clear();
    let verified = verified?;
    let mut out = std::io::stdout().lock();
    let Some(expect) = &args.expect else {
        for v in &verified {
            tifa::output::write_json_line(&mut out, v)?;
        }
        return Ok(());
    };
    let expected: Vec<Conformance> = read_lines(expect)?;
    let by_query: std::collections::HashMap<&str, &Conformance> =
        expected.iter().map(|c| (c.query.as_str(), c)).collect();
    let mut equal = 0;
    for v in &verified {
        let Some(want) = by_query.get(v.query.as_str()) else {
            writeln!(
                out,
                "{}: not in {}",
                escape_terminal(&v.query),
                expect.display()
            )?;
            continue;
        };
        let missing: Vec<&String> = want
            .ids
            .iter()
            .filter(|i| v.ids.binary_search(i).is_err())
            .collect();
        let extra: Vec<&String> = v
            .ids
            .iter()
            .filter(|i| want.ids.binary_search(i).is_err())
            .collect();
        if missing.is_empty() && extra.is_empty() {
            equal += 1;
            writeln!(
                out,
                "{}: equal ({} documents; the engine gave {} candidates, {} dropped by verification)",
                escape_terminal(&v.query),
                v.ids.len(),
                v.candidates,
                v.candidates - v.ids.len()
            )?;
        } else {
            writeln!(
                out,
                "{}: DIFFERS: {} of tifa's documents missing from the engine's candidates (e.g. {}), {} extra",
                escape_terminal(&v.query),
                missing.len(),
                missing
                    .iter()
                    .take(3)
                    .map(|s| escape_terminal(s))
                    .collect::<Vec<_>>()
                    .join(", "),
                extra.len()
            )?;
        }
    }
    writeln!(out, "verify: {equal}/{} terms equal", expected.len())?;
    if equal != expected.len() {
        bail!(
            "{} of {} terms differ between the engine (after verification) and tifa",
            expected.len() - equal,
            expected.len()
        );
    }
    Ok(())
}

fn read_lines<T: serde::de::DeserializeOwned>(path: &Path) -> Result<Vec<T>> {
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut out = Vec::new();
    for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.with_context(|| format!("cannot read {}", path.display()))?;
        if line.trim().is_empty() {
            continue;
        }
        out.push(serde_json::from_str(&line).with_context(|| {
            format!("{}:{}: not the expected JSON line", path.display(), i + 1)
        })?);
    }
    Ok(out)
}
