//! `tifa kwic`: one line per occurrence, hits aligned in a column.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};

use tifa::kwic::{self, KwicOptions, KwicSort};
use tifa::output::{self, escape_terminal};

use super::{FilterArgs, PatternArgs, open_engine};

/// `--sort`, mapped onto the library's [`KwicSort`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum KwicSortArg {
    /// By the left context, nearest character/word to the hit first.
    Left,
    /// By the right context, nearest character/word to the hit first.
    Right,
    /// By date (undated last), then id and position.
    Date,
    /// By id, then position.
    Id,
}

impl From<KwicSortArg> for KwicSort {
    fn from(s: KwicSortArg) -> KwicSort {
        match s {
            KwicSortArg::Left => KwicSort::Left,
            KwicSortArg::Right => KwicSort::Right,
            KwicSortArg::Date => KwicSort::Date,
            KwicSortArg::Id => KwicSort::Id,
        }
    }
}

#[derive(Args, Debug)]
pub struct KwicArgs {
    /// The query, as for `tifa search` (several words are one phrase).
    #[arg(required = true, num_args = 1..)]
    pub query: Vec<String>,
    #[command(flatten)]
    pub filter: FilterArgs,
    #[command(flatten)]
    pub patterns: PatternArgs,
    /// Context each side: characters for a Chinese hit, words for an English one.
    #[arg(long, default_value_t = 20)]
    pub width: usize,
    /// Order of the lines.
    #[arg(long, value_enum, default_value_t = KwicSortArg::Date)]
    pub sort: KwicSortArg,
    /// Show a random sample of N lines (the same --seed gives the same sample).
    #[arg(long, value_name = "N")]
    pub sample: Option<usize>,
    /// Seed of --sample.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Print JSON: {"query","total","docs","lines":[{"id","date","title","field","left","hit",
    /// "right","start","end","line","line_start","line_end"}]} (offsets in characters:
    /// start/end into the field's text, line_start/line_end into the line).
    /// With "stamp": {"tool","generation","corpus_hash","built","documents","command"}, what reproduces it.
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// CSV with the header id,date,field,line,left,hit,right,start,end,line_start,line_end,
    /// title,collection,url,source.
    #[arg(long)]
    pub csv: bool,
}

pub fn run(dir: &Path, args: KwicArgs) -> Result<()> {
    let engine = open_engine(dir)?;
    let options = KwicOptions {
        filter: args.filter.to_filter()?,
        width: args.width,
        sort: args.sort.into(),
        sample: args.sample,
        seed: args.seed,
        query: args.patterns.to_options(),
        max_lines: None,
    };
    let result = super::while_scanning(args.patterns.scan, || {
        kwic::kwic(&engine, &args.patterns.query(&args.query)?, &options)
    })?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if args.json {
        super::write_stamped_json(&mut out, &engine, &result)?;
        return out.flush().context("cannot write output");
    }
    if args.csv {
        super::note_csv_stamp(&engine);
        kwic::write_csv(&mut out, &result)?;
        return out.flush().context("cannot write output");
    }
    writeln!(
        out,
        "{} occurrences in {} documents of {}{}",
        result.total,
        result.docs,
        escape_terminal(&result.query),
        if result.lines.len() < result.total {
            format!(
                " (a sample of {}, --seed {})",
                result.lines.len(),
                args.seed
            )
        } else {
            String::new()
        }
    )?;
    let colour = output::colour_enabled();
    let lefts: Vec<String> = result
        .lines
        .iter()
        .map(|l| escape_terminal(&l.left))
        .collect();
    let column = lefts.iter().map(|l| output::width(l)).max().unwrap_or(0);
    let (open, close) = if colour {
        ("\x1b[1;31m", "\x1b[0m")
    } else {
        ("⟦", "⟧")
    };
    for (l, left) in result.lines.iter().zip(&lefts) {
        writeln!(
            out,
            "{:<10} {}  {}{}{}{}{}{}{}",
            escape_terminal(l.date.as_deref().unwrap_or("undated")),
            output::fit(&escape_terminal(&l.id), 28),
            " ".repeat(column - output::width(left)),
            left,
            open,
            escape_terminal(&l.hit),
            close,
            escape_terminal(&l.right),
            // After the line, so that the hits stay in one column.
            l.ocr_note().map_or(String::new(), |n| format!("  [{n}]"))
        )?;
    }
    out.flush().context("cannot write output")
}
