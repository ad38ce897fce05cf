//! `tifa renderings TERM`: the term's renderings in the other language.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};

use tifa::output::{self, escape_terminal};
use tifa::renderings::{self, RenderingOptions};

use super::{FilterArgs, open_engine};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ByArg {
    Year,
}

#[derive(Args, Debug)]
pub struct RenderingsArgs {
    /// A Chinese term (English renderings) or an English one (Chinese renderings).
    pub term: String,
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Renderings listed (per year with --by year).
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
    /// The renderings of each year's pairs, so that a drift shows.
    #[arg(long, value_enum)]
    pub by: Option<ByArg>,
    /// Print a [NAME] block for a families file from the renderings.
    #[arg(long, value_name = "NAME")]
    pub suggest_family: Option<String>,
    /// Print JSON: {"term","segments_with_term","segments","renderings":[{"text","spellings","share","renders_parts","pairs","score","first","last","example":{"id","pair","segment","date","source","target"},"by_year"}],"not_rendered","not_rendered_example","parts","by_year"}.
    /// With "stamp": {"tool","generation","corpus_hash","built","documents","command"}, what reproduces it.
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// CSV with the header year,rank,text,spellings,pairs,share,score,first,last.
    #[arg(long)]
    pub csv: bool,
}

pub fn run(dir: &Path, mut args: RenderingsArgs) -> Result<()> {
    let engine = open_engine(dir)?;
    // `--to zh` / `--to en` names the language of the renderings wanted
    // ("cyber sovereignty" --to zh: the Chinese formulations behind it); any
    // other --to is the date filter. The term's own script decides the
    // direction; this checks it.
    let to_lang = args.filter.to.take_if(|t| t == "zh" || t == "en");
    let options = RenderingOptions {
        filter: args.filter.to_filter()?,
        limit: args.limit,
        by_year: args.by.is_some(),
    };
    let term_is_zh = args.term.chars().any(tifa::text::is_cjk);
    if let Some(to) = &to_lang
        && (to == "zh") == term_is_zh
    {
        return Err(tifa::error::UserError::BadQuery(format!(
            "--to {to} asks for renderings in the term's own language: give a{} term to render it into {to}",
            if to == "zh" { "n English" } else { " Chinese" }
        ))
        .into());
    }
    let r = renderings::renderings(&engine, args.term.trim(), &options)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if args.json {
        super::write_stamped_json(&mut out, &engine, &r)?;
    } else if args.csv {
        super::note_csv_stamp(&engine);
        write_csv(&mut out, &r)?;
    } else if let Some(name) = &args.suggest_family {
        write_family(&mut out, &engine, &r, &options, name)?;
    } else {
        write_table(&mut out, &r, args.by.is_some())?;
    }
    out.flush().context("cannot write output")
}

/// `--csv`: one row per rendering, all years first, then each year's.
fn write_csv(out: &mut impl Write, r: &renderings::Renderings) -> Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "year",
        "rank",
        "text",
        "spellings",
        "pairs",
        "share",
        "score",
        "first",
        "last",
    ])?;
    let all = std::iter::once(("all".to_string(), &r.renderings))
        .chain(r.by_year.iter().map(|(y, v)| (y.clone(), v)));
    for (year, list) in all {
        for (i, x) in list.iter().enumerate() {
            w.write_record([
                year.clone(),
                (i + 1).to_string(),
                output::csv_cell(&x.text),
                output::csv_cell(&x.spellings.join("; ")),
                x.pairs.to_string(),
                format!("{:.4}", x.share),
                format!("{:.2}", x.score),
                x.first.clone(),
                x.last.clone(),
            ])?;
        }
    }
    w.flush()?;
    Ok(())
}

/// `--suggest-family NAME`: a families-file entry of the term and its
/// specific renderings, each with why it was kept.
fn write_family(
    out: &mut impl Write,
    engine: &tifa::engine::Engine,
    r: &renderings::Renderings,
    options: &RenderingOptions,
    name: &str,
) -> Result<()> {
    writeln!(out, "[{name}]")?;
    writeln!(
        out,
        "description = \"{} and its renderings (tifa renderings)\"",
        r.term.replace('"', "'")
    )?;
    // Only specific renderings that do not predate the term: a generic
    // one would date the family by unrelated uses.
    let suggestions = renderings::family_suggestions(engine, r, &options.filter, 3)?;
    let mut variants = vec![format!("\"{}\"", r.term.replace('"', "'"))];
    variants.extend(
        suggestions
            .iter()
            .map(|x| format!("\"{}\"", x.text.replace('"', "'"))),
    );
    for x in &suggestions {
        writeln!(
            out,
            "# {}: {:.0} % of the paired documents with it translate one with the term; first {}",
            escape_terminal(&x.text).replace('\n', " "),
            x.specificity * 100.0,
            x.first.as_deref().unwrap_or("undated")
        )?;
    }
    if suggestions.len() < r.renderings.len().min(3) {
        eprintln!(
            "tifa: note: renderings left out of the family are generic (under {:.0} % of their paired documents translate the term) or predate the term by {}+ years",
            renderings::MIN_SPECIFICITY * 100.0,
            tifa::history::series::GENERIC_MEMBER_YEARS
        );
    }
    writeln!(out, "variants = [{}]", variants.join(", "))?;
    Ok(())
}

/// The renderings for people: the table, the term's parts, what is not
/// rendered, an example, and the leading renderings of each year.
fn write_table(out: &mut impl Write, r: &renderings::Renderings, by_year: bool) -> Result<()> {
    writeln!(
        out,
        "Renderings of {} in {} aligned segments of paired documents (of {}); G² of segments with the term against the rest",
        escape_terminal(&r.term),
        r.segments_with_term,
        r.segments
    )?;
    if r.renderings.is_empty() {
        writeln!(
            out,
            "No rendering: the term is in no aligned segment (only paired documents count: see `tifa pair`)."
        )?;
        return Ok(());
    }
    writeln!(
        out,
        "\n{:>3}  {} {:>6} {:>6} {:>9}  {:<10}  {:<10}",
        "#",
        output::fit("rendering", 44),
        "pairs",
        "share",
        "G²",
        "first",
        "last"
    )?;
    for (i, x) in r.renderings.iter().enumerate() {
        writeln!(
            out,
            "{:>3}  {} {:>6} {:>5.0}% {:>9.1}  {:<10}  {:<10}",
            i + 1,
            output::fit(&escape_terminal(&x.text), 44),
            x.pairs,
            x.share * 100.0,
            x.score,
            x.first,
            x.last
        )?;
        if by_year && !x.by_year.is_empty() {
            let drift: Vec<String> = x
                .by_year
                .iter()
                .map(|(y, share)| format!("{y} {:.0}%", share * 100.0))
                .collect();
            writeln!(out, "     share by year: {}", drift.join(" · "))?;
        }
        if x.spellings.len() > 1 {
            writeln!(
                out,
                "     spellings: {}",
                escape_terminal(&x.spellings.join(" · "))
            )?;
        }
    }
    write_tail(out, r)
}

/// Under the table: the term's parts, what is not rendered, an example,
/// and the leading renderings of each year.
fn write_tail(out: &mut impl Write, r: &renderings::Renderings) -> Result<()> {
    if !r.parts.is_empty() {
        let parts: Vec<String> = r
            .parts
            .iter()
            .map(|p| {
                format!(
                    "{} → {}",
                    p.part,
                    p.rendering.as_deref().unwrap_or("(none found)")
                )
            })
            .collect();
        writeln!(
            out,
            "\nparts of the term and their own renderings: {} (a longer phrase holding the first line comes first when it renders more of them)",
            escape_terminal(&parts.join(" · "))
        )?;
    }
    writeln!(
        out,
        "\nnot rendered by any of these: {} of {} segments with the term (paraphrase or omission)",
        r.not_rendered, r.segments_with_term
    )?;
    let top = &r.renderings[0].example;
    writeln!(
        out,
        "\nexample ({} {}):\n  {}\n  {}",
        escape_terminal(&top.id),
        escape_terminal(&top.date),
        escape_terminal(&top.source),
        escape_terminal(&top.target)
    )?;
    for (year, list) in &r.by_year {
        let shown: Vec<String> = list
            .iter()
            .take(3)
            .map(|x| format!("{} ({})", x.text, x.pairs))
            .collect();
        writeln!(out, "{year}: {}", escape_terminal(&shown.join(" · ")))?;
    }
    Ok(())
}
