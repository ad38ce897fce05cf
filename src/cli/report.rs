//! `tifa report`: batch figures over a term list, as files.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::Args;

use tifa::output::escape_terminal;
use tifa::terms::Families;

use super::{FamiliesArg, FilterArgs, open_engine, progress_bar};

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
    #[command(flatten)]
    pub families: FamiliesArg,
}

pub fn run(dir: &Path, args: ReportArgs) -> Result<()> {
    let families = Families::load(args.families.families.as_deref())?;
    let mut terms = tifa::report::read_terms(&args.terms, &families)?;
    if args.families.variants {
        let subjects =
            tifa::terms::with_script_forms(terms.iter().map(|t| t.subject.clone()).collect());
        for (t, s) in terms.iter_mut().zip(subjects) {
            t.subject = s;
        }
    }
    let engine = open_engine(dir)?;
    let filter = args.filter.to_filter()?;
    let bar = progress_bar(
        terms.len() as u64,
        "{spinner} terms [{bar:40}] {pos}/{len} ({eta} left)",
    );
    let stamp = tifa::stamp::Stamp::of(&engine, super::command_line());
    let result = tifa::report::run(&engine, &terms, &filter, &args.out, &stamp, || bar.inc(1));
    bar.finish_and_clear();
    let (figures, written) = result?;
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
