//! `tifa info`: the manifest of the live generation.

use std::io::Write;
use std::path::Path;

use anyhow::Result;

use tifa::{index, output};

pub fn run(dir: &Path) -> Result<()> {
    let generation = index::current_generation(dir)?;
    let m = index::read_manifest(&generation)?;
    let mut out = std::io::stdout().lock();
    output::write_json(&mut out, &m, true)?;
    writeln!(out)?;
    Ok(())
}
