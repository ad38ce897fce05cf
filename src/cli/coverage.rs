//! `tifa coverage`: documents per collection and period, first and last
//! dates, and the gaps.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::Args;

use tifa::history::coverage::{self, CoverageOptions};
use tifa::output::{self, escape_terminal};

use super::timeline::PeriodArg;
use super::{FilterArgs, open_engine};

#[derive(Args, Debug)]
pub struct CoverageArgs {
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Period of the counts.
    #[arg(long, value_enum, default_value_t = PeriodArg::Year)]
    pub by: PeriodArg,
    /// Print JSON: {"collections":[{"collection","docs","undated","first","last","daily",
    /// "by_year":{"2013":{"docs","han_chars","en_words"}},"gaps":[…]}]} ("by_month" with --by month).
    /// With "stamp": {"tool","generation","corpus_hash","built","documents","command"}, what reproduces it.
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// CSV with the header collection,period,docs,han_chars,en_words.
    #[arg(long)]
    pub csv: bool,
    /// Also draw a heat-map (collections × years) into this SVG file.
    #[arg(long, value_name = "FILE")]
    pub svg: Option<PathBuf>,
}

pub fn run(dir: &Path, args: CoverageArgs) -> Result<()> {
    let engine = open_engine(dir)?;
    let options = CoverageOptions {
        filter: args.filter.to_filter()?,
        by: args.by.into(),
    };
    let cov = coverage::coverage(&engine, &options)?;
    if let Some(svg) = &args.svg {
        let stamp = tifa::stamp::Stamp::of(&engine, super::command_line());
        let footer = tifa::report::footer_lines(&[
            &tifa::report::source_line(&engine.manifest),
            &stamp.line(),
        ]);
        coverage::heatmap_svg(&cov, svg, &footer)?;
        eprintln!(
            "heat-map written to {}",
            escape_terminal(&svg.display().to_string())
        );
    }
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if args.json {
        super::write_stamped_json(&mut out, &engine, &cov)?;
        return out.flush().context("cannot write output");
    }
    if args.csv {
        super::note_csv_stamp(&engine);
        let mut w = csv::Writer::from_writer(&mut out);
        w.write_record(["collection", "period", "docs", "han_chars", "en_words"])?;
        for c in &cov.collections {
            for (period, h) in c.by_year.iter().chain(c.by_month.iter()).flatten() {
                w.write_record([
                    output::csv_cell(&c.collection),
                    period.clone(),
                    h.docs.to_string(),
                    h.han_chars.to_string(),
                    h.en_words.to_string(),
                ])?;
            }
        }
        w.flush()?;
        drop(w);
        return out.flush().context("cannot write output");
    }
    // One line per collection, with a sparkline of documents per year over the
    // span of the whole corpus (blank: no document that year).
    let all: Vec<_> = cov
        .collections
        .iter()
        .map(coverage::CollectionCoverage::docs_by_year)
        .collect();
    let y0 = all.iter().filter_map(|m| m.keys().next().copied()).min();
    let y1 = all
        .iter()
        .filter_map(|m| m.keys().next_back().copied())
        .max();
    writeln!(
        out,
        "{:<48} {:>7} {:>10} {:>10}  {}",
        "collection",
        "docs",
        "first",
        "last",
        match (y0, y1) {
            (Some(a), Some(b)) => format!("per year {a}–{b}"),
            _ => String::new(),
        }
    )?;
    for (c, years) in cov.collections.iter().zip(&all) {
        let spark: String = match (y0, y1) {
            (Some(a), Some(b)) => output::sparkline(
                &(a..=b)
                    .map(|y| years.get(&y).copied().unwrap_or(0))
                    .collect::<Vec<_>>(),
            ),
            _ => String::new(),
        };
        writeln!(
            out,
            "{} {:>7} {:>10} {:>10}  {}",
            output::fit(&escape_terminal(&c.collection), 48),
            c.docs,
            c.first.as_deref().unwrap_or("–"),
            c.last.as_deref().unwrap_or("–"),
            spark
        )?;
        if !c.gaps.is_empty() {
            let shown: Vec<&str> = c.gaps.iter().take(12).map(String::as_str).collect();
            writeln!(
                out,
                "    gaps ({}): {}{}",
                c.gaps.len(),
                shown.join(", "),
                if c.gaps.len() > shown.len() {
                    format!(", … (all {} with --json)", c.gaps.len())
                } else {
                    String::new()
                }
            )?;
        }
        if c.undated > 0 {
            writeln!(out, "    undated: {}", c.undated)?;
        }
    }
    out.flush().context("cannot write output")
}
