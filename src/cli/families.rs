//! `tifa families`: the term families and their variants.

use std::io::Write;

use anyhow::{Context, Result};
use clap::Args;

use tifa::output::{self, escape_terminal};
use tifa::terms::Families;

use super::FamiliesArg;

#[derive(Args, Debug)]
pub struct FamiliesArgs {
    #[command(flatten)]
    pub families: FamiliesArg,
    /// Print JSON: one {"name","description","variants":[…]} per line.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: FamiliesArgs) -> Result<()> {
    let families = Families::load(args.families.families.as_deref())?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for (name, f) in &families.0 {
        let variants: Vec<&str> = f.variants.iter().map(|v| v.raw.as_str()).collect();
        if args.json {
            let v = serde_json::json!({
                "name": name,
                "description": f.description,
                "variants": variants,
            });
            output::write_json_line(&mut out, &v)?;
            continue;
        }
        writeln!(
            out,
            "@{}  {}",
            escape_terminal(name),
            escape_terminal(&f.description)
        )?;
        for v in variants {
            writeln!(out, "    {}", escape_terminal(v))?;
        }
    }
    out.flush().context("cannot write output")
}
