//! `tifa check`: verify every byte of the live generation.

use std::io::Write;
use std::path::Path;

use anyhow::{Result, bail};

use tifa::index;
use tifa::output::{self, escape_terminal};

pub fn run(dir: &Path, json: bool) -> Result<()> {
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
