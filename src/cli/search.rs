//! `tifa search`: documents containing a query, best first, with passages.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};

use tifa::output::{self, escape_terminal};
use tifa::search::{self, SearchOptions, Sort};

use super::{FilterArgs, PatternArgs, open_engine};

/// `--sort`, mapped onto the library's [`Sort`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SortArg {
    /// BM25 over exact occurrences (title matches count double).
    Relevance,
    /// Oldest first (undated last).
    Date,
    /// Newest first (undated last).
    #[value(name = "-date")]
    NewestFirst,
}

impl From<SortArg> for Sort {
    fn from(s: SortArg) -> Sort {
        match s {
            SortArg::Relevance => Sort::Relevance,
            SortArg::Date => Sort::Date,
            SortArg::NewestFirst => Sort::NewestFirst,
        }
    }
}

#[derive(Args, Debug)]
pub struct SearchArgs {
    /// The query, e.g. 网络主权, cyber sovereignty, '网络主权 OR 网络空间主权' (several
    /// words are joined with spaces into one query).
    #[arg(required = true, num_args = 1..)]
    pub query: Vec<String>,
    #[command(flatten)]
    pub filter: FilterArgs,
    #[command(flatten)]
    pub patterns: PatternArgs,
    /// Show at most N hits (the total is always the full count).
    #[arg(long, short = 'n', default_value_t = 10)]
    pub limit: usize,
    /// Show every hit.
    #[arg(long, conflicts_with = "limit")]
    pub all: bool,
    /// Order of hits.
    #[arg(long, value_enum, default_value_t = SortArg::Relevance)]
    pub sort: SortArg,
    /// Snippets per hit.
    #[arg(long, default_value_t = 3)]
    pub snippets: usize,
    /// Under each passage of a document with a translation (`pair`), the aligned
    /// paragraph of the other language (see `tifa pair`); "pair" in --json snippets.
    #[arg(long)]
    pub pair: bool,
    /// Print JSON: {"query","total","hits":[{"id","date","title","lang","kind","meta","score","occurrences","snippets":[{"field","start","end","context"}]}]},
    /// plus "warnings" and "hint" when there are any.
    /// With "stamp": {"tool","generation","corpus_hash","built","documents","command"}, what reproduces it.
    #[arg(long)]
    pub json: bool,
    /// Print CSV, one row per document shown (with --all: every document):
    /// id,date,title,lang,kind,collection,url,source,occurrences,score.
    #[arg(long, conflicts_with = "json")]
    pub csv: bool,
}

pub fn run(dir: &Path, args: SearchArgs) -> Result<()> {
    let engine = open_engine(dir)?;
    let options = SearchOptions {
        limit: if args.all { None } else { Some(args.limit) },
        sort: args.sort.into(),
        filter: args.filter.to_filter()?,
        snippets: args.snippets,
        pair: args.pair,
        query: args.patterns.to_options(),
    };
    let result = super::while_scanning(args.patterns.scan, || {
        search::search(&engine, &args.patterns.query(&args.query)?, &options)
    })?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if args.json {
        super::write_stamped_json(&mut out, &engine, &result)?;
        return out.flush().context("cannot write output");
    }
    if args.csv {
        super::note_csv_stamp(&engine);
        for w in &result.warnings {
            eprintln!("tifa: note: {}", escape_terminal(w));
        }
        if let Some(hint) = &result.hint {
            eprintln!("tifa: note: {}", escape_terminal(hint));
        }
        if result.hits.len() < result.total {
            eprintln!(
                "tifa: note: {} of {} documents written; --all for every one",
                result.hits.len(),
                result.total
            );
        }
        search::write_csv(&mut out, &result)?;
        return out.flush().context("cannot write output");
    }
    for w in &result.warnings {
        eprintln!("tifa: note: {}", escape_terminal(w));
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
    if let Some(hint) = &result.hint {
        writeln!(out, "{}", escape_terminal(hint))?;
    }
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
        // Text read by OCR is said in words: an exact search can miss what
        // the scan holds.
        let extra: Vec<String> = hit
            .meta
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "source" | "url" | "ocr" | "ocr_confidence"))
            .map(|(k, v)| format!("{k}={v}"))
            .chain(
                hit.meta
                    .get("ocr_confidence")
                    .map(|c| tifa::extract::ocr::note(c)),
            )
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
            if let Some(pair) = &s.pair {
                let pair: String = pair.replace('\n', " ");
                let short: String = pair.chars().take(300).collect();
                writeln!(
                    out,
                    "      ⟷ {}{}",
                    escape_terminal(&short),
                    if pair.chars().count() > 300 {
                        "…"
                    } else {
                        ""
                    }
                )?;
            } else if args.pair && hit.meta.contains_key("pair") {
                writeln!(out, "      ⟷ (no aligned paragraph found)")?;
            }
        }
    }
    out.flush().context("cannot write output")?;
    Ok(())
}
