//! `tifa trace`: first appearance with its sentence, earliest and last documents.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use clap::Args;

use tifa::history::{self, TraceOptions};
use tifa::output::{self, escape_terminal};

use super::{FamiliesArg, FilterArgs, open_engine};

#[derive(Args, Debug)]
pub struct TraceArgs {
    /// Literal terms, e.g. 网络空间命运共同体 'community with a shared future', or @family names.
    #[arg(required = true)]
    pub terms: Vec<String>,
    #[command(flatten)]
    pub filter: FilterArgs,
    /// How many earliest documents to list (the first one included).
    #[arg(long, default_value_t = 5)]
    pub first: usize,
    /// Also give the first appearance per value of this metadata field (e.g. country).
    #[arg(long, value_name = "FIELD")]
    pub group_by: Option<String>,
    /// One JSON object per term per line: {"term","docs","occurrences","first","last",
    /// "earliest","first_by_lang","first_by_kind","variants","groups"}.
    /// With "stamp": {"tool","generation","corpus_hash","built","documents","command"}, what reproduces it.
    #[arg(long)]
    pub json: bool,
    /// Under the first appearance's sentence, the aligned paragraph of the
    /// document's translation (a document with a `pair`; see `tifa pair`).
    #[arg(long)]
    pub pair: bool,
    #[command(flatten)]
    pub families: FamiliesArg,
}

pub fn run(dir: &Path, args: TraceArgs) -> Result<()> {
    let engine = open_engine(dir)?;
    let subjects = args.families.subjects(&args.terms)?;
    let options = TraceOptions {
        filter: args.filter.to_filter()?,
        first: args.first,
        group_by: args.group_by.clone(),
        pair: args.pair,
    };
    let traces = history::traces(&engine, &subjects, &options)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for t in traces {
        if args.json {
            super::write_stamped_json(&mut out, &engine, &t)?;
        } else {
            write_trace(&mut out, &t, args.group_by.as_deref())?;
        }
    }
    out.flush().context("cannot write output")
}

/// One term's trace for people, section by section, then a blank line.
fn write_trace(out: &mut impl Write, t: &history::Trace, group_by: Option<&str>) -> Result<()> {
    let e = escape_terminal;
    writeln!(
        out,
        "{}: {} documents, {} occurrences (undated documents included)",
        e(&t.term),
        t.docs,
        t.occurrences
    )?;
    for w in &t.warnings {
        writeln!(out, "  warning:  {}", e(w))?;
    }
    if let Some(p) = &t.punctuated {
        writeln!(out, "  note:     {}", e(&p.message()))?;
    }
    write_first(out, t)?;
    if let Some(last) = &t.last {
        writeln!(out, "  last:     {}", appearance_line(last))?;
    }
    write_take_off(out, t)?;
    write_early(out, t)?;
    write_before(out, t)?;
    write_firsts(out, t)?;
    write_variants(out, t)?;
    if let (Some(groups), Some(field)) = (&t.groups, group_by) {
        write_groups(out, groups, field)?;
    }
    writeln!(out)?;
    Ok(())
}

/// A document on one line. Text read by OCR is said on the line: its first
/// appearance may be a misreading, or the scan may hold an earlier one.
fn appearance_line(a: &history::Appearance) -> String {
    let e = escape_terminal;
    format!(
        "{}{}  {}  [{} · {} · {}{}]",
        e(&a.date),
        if a.approximate { " (approximate)" } else { "" },
        e(&a.title),
        e(&a.id),
        e(&a.lang),
        e(&a.kind),
        a.ocr_note().map_or(String::new(), |n| format!(" · {n}"))
    )
}

/// The first appearance with its sentence, translation, quotation note and
/// the documents that may be earlier.
fn write_first(out: &mut impl Write, t: &history::Trace) -> Result<()> {
    let e = escape_terminal;
    let Some(first) = &t.first else {
        writeln!(out, "  no dated document contains it")?;
        return Ok(());
    };
    writeln!(out, "  first:    {}", appearance_line(first))?;
    if let Some(c) = &first.context {
        writeln!(out, "            “{}”", e(c))?;
    }
    if let Some(p) = &first.pair {
        writeln!(out, "            ⟷ {}", e(&p.replace('\n', " ")))?;
    }
    if first.quoted == Some(true) {
        writeln!(
            out,
            "            quoted: the match stands inside quotation or title marks — the document may cite an existing formulation"
        )?;
    }
    if !first.possibly_earlier.is_empty() {
        let shown = first.possibly_earlier.len();
        writeln!(
            out,
            "            possibly earlier (dated only to a year or month that includes the first){}:",
            if first.possibly_earlier_total > shown {
                format!(" (the first {shown} of {})", first.possibly_earlier_total)
            } else {
                String::new()
            }
        )?;
        for c in &first.possibly_earlier {
            writeln!(out, "              {}", appearance_line(c))?;
        }
    }
    Ok(())
}

/// The take-off year, or why there is none.
fn write_take_off(out: &mut impl Write, t: &history::Trace) -> Result<()> {
    let lang_note = t
        .evidence_lang
        .as_deref()
        .map_or(String::new(), |l| format!(" {l}"));
    match &t.take_off {
        Some(k) => writeln!(
            out,
            "  take-off: {} ({} documents; the first year in common use: ≥ max(5, 10 % of the peak year){lang_note} documents that year and the next)",
            k.year, k.docs
        )?,
        None => writeln!(
            out,
            "  take-off: none — not yet in common use (no two consecutive years with ≥ max(5, 10 % of the peak year){lang_note} documents)"
        )?,
    }
    Ok(())
}

/// Matches far before the take-off or isolated by years: dates to check.
fn write_early(out: &mut impl Write, t: &history::Trace) -> Result<()> {
    if t.early_total == 0 {
        return Ok(());
    }
    writeln!(
        out,
        "  early:    {} match{} far before the take-off or isolated by {}+ years without one while {} collection has documents — check the date and source{}:",
        t.early_total,
        if t.early_total == 1 { "" } else { "es" },
        tifa::history::evidence::EARLY_YEARS,
        if t.early_total == 1 { "its" } else { "their" },
        if t.early_total > t.early.len() {
            format!(" (the first {})", t.early.len())
        } else {
            String::new()
        }
    )?;
    for a in &t.early {
        writeln!(out, "    {}", appearance_line(a))?;
        if let Some(n) = &a.note {
            writeln!(out, "      {}", escape_terminal(n))?;
        }
    }
    Ok(())
}

/// What the corpus holds in the 12 months before the first appearance.
fn write_before(out: &mut impl Write, t: &history::Trace) -> Result<()> {
    let e = escape_terminal;
    let Some(c) = &t.coverage_before else {
        return Ok(());
    };
    let mut parts: Vec<(&String, &u64)> = c.by_collection.iter().collect();
    parts.sort_by(|a, b| b.1.cmp(a.1));
    let listed: Vec<String> = parts
        .iter()
        .take(4)
        .map(|(k, n)| format!("{} {n}", e(k)))
        .collect();
    writeln!(
        out,
        "  before:   {}{} documents in the 12 months before the first ({} – {}){}",
        c.docs,
        c.lang.as_deref().map_or(String::new(), |l| format!(" {l}")),
        e(&c.from),
        e(&c.to),
        if listed.is_empty() {
            String::new()
        } else {
            format!(
                ": {}{}",
                listed.join(", "),
                if parts.len() > 4 { ", …" } else { "" }
            )
        }
    )?;
    match &c.nearest_same_collection {
        Some(d) => writeln!(
            out,
            "            nearest earlier document of {}: {}  {} [{}]",
            e(&c.collection),
            e(&d.date),
            e(&d.title),
            e(&d.id)
        )?,
        None => writeln!(
            out,
            "            {} has no earlier document: the collection starts here",
            e(&c.collection)
        )?,
    }
    Ok(())
}

/// The earliest documents, and the first per language and per kind.
fn write_firsts(out: &mut impl Write, t: &history::Trace) -> Result<()> {
    if t.earliest.len() > 1 {
        writeln!(out, "  earliest:")?;
        for a in &t.earliest {
            writeln!(out, "    {}", appearance_line(a))?;
        }
    }
    for (name, map) in [("language", &t.first_by_lang), ("kind", &t.first_by_kind)] {
        if !map.is_empty() {
            let parts: Vec<String> = map
                .iter()
                .map(|(k, a)| format!("{k} {} [{}]", a.date, a.id))
                .collect();
            writeln!(
                out,
                "  first by {name}: {}",
                escape_terminal(&parts.join("; "))
            )?;
        }
    }
    Ok(())
}

/// A family's variants, or the strings a pattern matched.
fn write_variants(out: &mut impl Write, t: &history::Trace) -> Result<()> {
    let e = escape_terminal;
    if t.variants.is_empty() {
        return Ok(());
    }
    match t.variants_total {
        Some(n) => writeln!(
            out,
            "  variants: the {} most frequent of the {n} distinct strings matched",
            t.variants.len()
        )?,
        None => writeln!(out, "  variants:")?,
    }
    for v in &t.variants {
        let date = |a: &Option<history::Appearance>| {
            a.as_ref().map_or("–".to_string(), |a| a.date.clone())
        };
        writeln!(
            out,
            "    {} {:>6} docs {:>7} occ  first {:<10}  last {}",
            output::fit(&e(&v.term), 44),
            v.docs,
            v.occurrences,
            e(&date(&v.first)),
            e(&date(&v.last))
        )?;
    }
    Ok(())
}

/// The first appearance per value of the --group-by field, earliest first.
fn write_groups(
    out: &mut impl Write,
    groups: &std::collections::BTreeMap<String, history::GroupFirst>,
    field: &str,
) -> Result<()> {
    let e = escape_terminal;
    let mut rows: Vec<(&String, &history::GroupFirst)> = groups.iter().collect();
    rows.sort_by_key(|(k, g)| {
        (
            g.first
                .as_ref()
                .map(|a| a.date.clone())
                .unwrap_or_else(|| "9999".into()),
            (*k).clone(),
        )
    });
    writeln!(
        out,
        "  first by {} ({} values, earliest first):",
        e(field),
        rows.len()
    )?;
    for (k, g) in rows {
        let first = g.first.as_ref().map_or("undated".to_string(), |a| {
            e(&format!("{}  {}", a.date, a.id))
        });
        writeln!(
            out,
            "    {:<12} {:>5} docs {:>6} occ  first {}",
            e(k),
            g.docs,
            g.occurrences,
            first
        )?;
    }
    Ok(())
}
