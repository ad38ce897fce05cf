//! `tifa fields`: the metadata fields and their values.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use clap::Args;

use tifa::output::{self, escape_terminal};

use super::open_engine;

#[derive(Args, Debug)]
pub struct FieldsArgs {
    /// How many of the most frequent values to show per field.
    #[arg(long, default_value_t = 10)]
    pub top: usize,
    /// Print JSON: one {"field","docs","distinct","top":[[value, docs], …]} per line.
    #[arg(long)]
    pub json: bool,
}

pub fn run(dir: &Path, args: FieldsArgs) -> Result<()> {
    let engine = open_engine(dir)?;
    let fields = engine.fields_summary(args.top)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if fields.is_empty() {
        writeln!(
            out,
            "this index records no field list (built by an older tifa): rebuild it with `tifa index`"
        )?;
    }
    for f in &fields {
        if args.json {
            output::write_json_line(&mut out, f)?;
            continue;
        }
        writeln!(
            out,
            "{}  {} documents, {} values{}",
            escape_terminal(&f.field),
            f.docs,
            f.distinct,
            if f.distinct > f.top.len() {
                format!(" (the {} most frequent shown)", f.top.len())
            } else {
                String::new()
            }
        )?;
        if f.distinct as u64 == f.docs && f.docs > 1 && f.distinct > f.top.len() {
            writeln!(out, "    (a different value in every document)")?;
            continue;
        }
        for (value, n) in &f.top {
            writeln!(out, "    {:>7}  {}", n, escape_terminal(value))?;
        }
    }
    out.flush().context("cannot write output")
}
