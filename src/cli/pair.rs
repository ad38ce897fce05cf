//! `tifa pair ID`: a document and its translation, paragraph by paragraph.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use clap::Args;

use tifa::output::{self, escape_terminal};

use super::open_engine;

#[derive(Args, Debug)]
pub struct PairArgs {
    /// The id of either document of the pair.
    pub id: String,
    /// Print JSON: {"id","pair","segments":[{"zh","en"}]} (a side is empty for a 1–0 link).
    #[arg(long)]
    pub json: bool,
}

pub fn run(dir: &Path, args: PairArgs) -> Result<()> {
    let engine = open_engine(dir)?;
    let aligned = tifa::align::pair(&engine, &args.id)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if args.json {
        output::write_json_line(&mut out, &aligned)?;
        return out.flush().context("cannot write output");
    }
    writeln!(
        out,
        "{} ⟷ {}: {} aligned segments",
        escape_terminal(&aligned.id),
        escape_terminal(&aligned.pair),
        aligned.segments.len()
    )?;
    let width = console::Term::stdout()
        .size_checked()
        .map_or(0, |(_, w)| w as usize);
    if width >= 120 {
        // Two columns, wrapped to half the width each.
        let half = (width - 3) / 2;
        for s in &aligned.segments {
            let left = wrap(&escape_terminal(&s.zh), half);
            let right = wrap(&escape_terminal(&s.en), half);
            for i in 0..left.len().max(right.len()) {
                writeln!(
                    out,
                    "{} │ {}",
                    output::fit(left.get(i).map_or("", String::as_str), half),
                    right.get(i).map_or("", String::as_str)
                )?;
            }
            writeln!(out, "{}", "─".repeat(width.min(200)))?;
        }
    } else {
        for (n, s) in aligned.segments.iter().enumerate() {
            writeln!(out, "\n[{}]", n + 1)?;
            writeln!(
                out,
                "zh: {}",
                escape_terminal(if s.zh.is_empty() { "(none)" } else { &s.zh })
            )?;
            writeln!(
                out,
                "en: {}",
                escape_terminal(if s.en.is_empty() { "(none)" } else { &s.en })
            )?;
        }
    }
    out.flush().context("cannot write output")
}

/// Lines of at most `cols` terminal columns.
fn wrap(s: &str, cols: usize) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in s.split('\n') {
        let mut line = String::new();
        let mut used = 0;
        for c in paragraph.chars() {
            let w = output::width(c.encode_utf8(&mut [0; 4]));
            if used + w > cols {
                lines.push(std::mem::take(&mut line));
                used = 0;
            }
            line.push(c);
            used += w;
        }
        lines.push(line);
    }
    lines
}
