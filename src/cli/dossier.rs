//! `tifa dossier`: one citable page per formulation.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::Args;
use rayon::prelude::*;

use tifa::dossier::{self, CiteFormat, Dossier};
use tifa::terms::Families;

use super::{FamiliesArg, FilterArgs, open_engine};

#[derive(Args, Debug)]
pub struct DossierArgs {
    /// The term: a literal (网络空间命运共同体), a quoted phrase
    /// ('"community with a shared future"') or an @family. Leave it out with --terms.
    #[arg(required_unless_present = "terms", conflicts_with = "terms")]
    pub term: Option<String>,
    /// A term list (one term or @family per line, as for `tifa report`): one
    /// page per term in the --out folder, and an index.html linking them.
    #[arg(long, value_name = "FILE", requires = "out")]
    pub terms: Option<PathBuf>,
    /// Where to write: FILE.html (one self-contained page: inline CSS and SVG,
    /// no script), FILE.md (Markdown, the chart as FILE.svg beside it), or a
    /// folder with --terms. Without it the HTML goes to standard output.
    #[arg(long, value_name = "PATH")]
    pub out: Option<PathBuf>,
    /// Write the documents the page cites as references instead of the page:
    /// csl-json (Zotero, pandoc), bibtex or ris. The accessed date is the
    /// index's build date.
    #[arg(long, value_name = "FORMAT", value_parser = CiteFormat::parse)]
    pub cite: Option<CiteFormat>,
    /// The gathered figures as JSON (everything the page shows).
    #[arg(long, conflicts_with = "cite")]
    pub json: bool,
    #[command(flatten)]
    pub filter: FilterArgs,
    #[command(flatten)]
    pub families: FamiliesArg,
}

pub fn run(dir: &Path, args: DossierArgs) -> Result<()> {
    let engine = open_engine(dir)?;
    let filter = args.filter.to_filter()?;
    let command = super::command_line();
    if let Some(list) = &args.terms {
        let out = args.out.as_deref().context("--terms needs --out FOLDER")?;
        let families = Families::load(args.families.families.as_deref())?;
        let terms = tifa::report::read_terms(list, &families)?;
        std::fs::create_dir_all(out)
            .with_context(|| format!("cannot create the folder {}", out.display()))?;
        let bar = super::progress_bar(
            terms.len() as u64,
            "dossiers {bar:40} {pos}/{len} {elapsed}",
        );
        let dossiers: Vec<Dossier> = terms
            .par_iter()
            .map(|t| {
                let d = dossier::dossier(&engine, &t.subject, &filter, command.clone());
                bar.inc(1);
                d
            })
            .collect::<Result<_>>()?;
        bar.finish_and_clear();
        // Names from the terms; two terms that make the same name (a b, a_b)
        // get a number rather than one page overwriting the other.
        let mut pages: Vec<(String, &Dossier)> = Vec::with_capacity(dossiers.len());
        for d in &dossiers {
            let base = file_stem(&d.term);
            let mut name = format!("{base}.html");
            let mut n = 2;
            while pages.iter().any(|(taken, _)| *taken == name) || name == "index.html" {
                name = format!("{base}-{n}.html");
                n += 1;
            }
            let path = out.join(&name);
            std::fs::write(&path, d.html())
                .with_context(|| format!("cannot write {}", path.display()))?;
            pages.push((name, d));
        }
        let mut index = String::from(
            "<!doctype html><html><head><meta charset=\"utf-8\"><title>Dossiers</title></head><body><h1>Dossiers</h1><ul>",
        );
        for (name, d) in &pages {
            index.push_str(&format!(
                "<li><a href=\"{}\">{}</a> — {}</li>",
                tifa::output::escape_html(name),
                tifa::output::escape_html(&d.term),
                tifa::output::escape_html(&d.summary)
            ));
        }
        index.push_str(&format!(
            "</ul><footer>{}</footer></body></html>",
            tifa::output::escape_html(&dossier::Stamp::of(&engine, command).line())
        ));
        std::fs::write(out.join("index.html"), index)
            .with_context(|| format!("cannot write {}", out.join("index.html").display()))?;
        eprintln!(
            "wrote {} dossiers and index.html into {}",
            pages.len(),
            out.display()
        );
        return Ok(());
    }
    let term = args.term.clone().unwrap_or_default();
    let subject = args
        .families
        .subjects(std::slice::from_ref(&term))?
        .into_iter()
        .next()
        .context("no term given")?;
    let d = dossier::dossier(&engine, &subject, &filter, command)?;
    if let Some(format) = args.cite {
        let refs = dossier::citations(&d.sources, format, &d.stamp.built)?;
        return write_to(args.out.as_deref(), refs.as_bytes());
    }
    if args.json {
        let mut body = serde_json::to_vec_pretty(&d)?;
        body.push(b'\n');
        return write_to(args.out.as_deref(), &body);
    }
    match &args.out {
        None => write_to(None, d.html().as_bytes()),
        Some(path) => write_page(&d, path),
    }
}

fn write_page(d: &Dossier, path: &Path) -> Result<()> {
    match path.extension().and_then(|e| e.to_str()) {
        Some("html" | "htm") => write_to(Some(path), d.html().as_bytes()),
        Some("md") => {
            let svg = path.with_extension("svg");
            let svg_name = svg
                .file_name()
                .map_or("chart.svg".into(), |n| n.to_string_lossy().to_string());
            std::fs::write(&svg, d.chart_svg())
                .with_context(|| format!("cannot write {}", svg.display()))?;
            write_to(Some(path), d.markdown(&svg_name).as_bytes())
        }
        _ => bail!(
            "--out {}: name the page FILE.html or FILE.md (or give a folder with --terms)",
            path.display()
        ),
    }
}

fn write_to(path: Option<&Path>, body: &[u8]) -> Result<()> {
    match path {
        Some(p) => {
            std::fs::write(p, body).with_context(|| format!("cannot write {}", p.display()))?;
            eprintln!("wrote {}", p.display());
            Ok(())
        }
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(body).context("cannot write output")?;
            out.flush().context("cannot write output")
        }
    }
}

/// A file name (without extension) for a term's page: its characters where
/// safe, others as _.
fn file_stem(term: &str) -> String {
    let safe: String = term
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let stem = safe.trim_matches('_');
    if stem.is_empty() {
        "term".to_string()
    } else {
        stem.to_string()
    }
}
