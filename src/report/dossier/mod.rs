//! `tifa dossier TERM`: one citable page per formulation, gathered from the
//! same functions as `trace`, `timeline`, `renderings`, `collocates` and
//! `kwic` (so every figure equals what those commands print), with the
//! documents it cites numbered and a stamp that says how to reproduce it.

pub use crate::stamp::{Stamp, unix_date};
use std::collections::BTreeMap;
use std::fmt::Write;

use anyhow::Result;
use serde::Serialize;

use crate::collocates::{self, CollocateOptions, GroupBy, Measure, Side};
use crate::engine::{Engine, Filter};
use crate::history::{self, Appearance, Period, TimelineOptions};
use crate::kwic::{self, KwicOptions, KwicSort};
use crate::renderings::{self, RenderingOptions};
use crate::terms::{self, Subject};

mod page;

/// Concordance lines drawn at random (with [`SAMPLE_SEED`]).
pub const SAMPLE_LINES: usize = 10;
/// Seed of the dossier's sample of lines (the same sample each time).
pub const SAMPLE_SEED: u64 = 1;
/// Earliest concordance lines given in full.
pub const EARLIEST_LINES: usize = 10;
/// Collocates per period.
pub const COLLOCATES_SHOWN: usize = 10;
/// Renderings listed.
pub const RENDERINGS_SHOWN: usize = 5;

/// A document the page cites.
#[derive(Clone, Debug, Serialize)]
pub struct Source {
    /// Its number in the list of sources.
    pub number: usize,
    /// The document's id.
    pub id: String,
    /// Its date.
    pub date: String,
    /// Its title.
    pub title: String,
    /// Its kind.
    pub kind: String,
    /// Its language.
    pub lang: String,
    /// Its collection.
    pub collection: String,
    /// Its web address, if known.
    pub url: Option<String>,
    /// Where the collection came from, if known.
    pub provenance: Option<String>,
}

/// Collocates of one period.
#[derive(Clone, Debug, Serialize)]
pub struct CollocatePeriod {
    /// The period's name.
    pub label: String,
    /// `--from`/`--to` that give the same list with `tifa collocates`.
    pub from: Option<String>,
    /// See `from`.
    pub to: Option<String>,
    /// The period's collocates, if the term occurs in it.
    pub group: Option<collocates::Group>,
}

#[derive(Debug, Serialize)]
/// Everything a dossier shows about one term.
pub struct Dossier {
    /// The term (or `@family`) as given.
    pub term: String,
    /// The summary sentence.
    pub summary: String,
    /// First appearances and their evidence.
    pub trace: history::Trace,
    /// Use per year.
    pub timeline: history::Timeline,
    /// Documents and occurrences per kind and per collection.
    pub by_kind: BTreeMap<String, (usize, u64)>,
    /// See `by_kind`.
    pub by_collection: BTreeMap<String, (usize, u64)>,
    /// First use per state (UN General Debate), where the corpus has countries.
    pub diffusion: Vec<(String, Appearance)>,
    /// Renderings in the other language, where the corpus has pairs.
    pub renderings: Option<renderings::Renderings>,
    /// The term the renderings are of: the term itself, or for a family the
    /// member in the most aligned segments.
    pub renderings_of: Option<String>,
    /// Why renderings are missing, or whose they are for a family.
    pub renderings_note: Option<String>,
    /// Collocates before and after the take-off.
    pub collocates: Vec<CollocatePeriod>,
    /// A random sample of lines.
    pub sample: kwic::Kwic,
    /// The earliest lines.
    pub earliest_lines: Vec<kwic::KwicLine>,
    /// What a reader must keep in mind (coverage, partial years).
    pub caveats: Vec<String>,
    /// Every document cited, numbered.
    pub sources: Vec<Source>,
    /// What reproduces it.
    pub stamp: Stamp,
}

/// Gathers the dossier of one subject under the filter.
pub fn dossier(
    engine: &Engine,
    subject: &Subject,
    filter: &Filter,
    command: String,
) -> Result<Dossier> {
    let allowed = engine.allowed(filter)?;
    // The matches once, for the trace and each of its groupings.
    let matches = terms::evaluate(engine, subject, &allowed)?;
    let trace_by = |first_n: usize, field: Option<&str>| {
        history::trace_of(engine, subject, &matches, &allowed, first_n, field)
    };
    let trace = trace_by(EARLIEST_LINES, None)?;
    let grouped = |field: &str| -> Result<BTreeMap<String, (usize, u64)>> {
        if !engine.manifest.fields.contains_key(field) && field != "kind" {
            return Ok(BTreeMap::new());
        }
        let t = trace_by(1, Some(field))?;
        Ok(t.groups
            .unwrap_or_default()
            .into_iter()
            .map(|(k, g)| (k, (g.docs, g.occurrences)))
            .collect())
    };
    let by_kind = grouped("kind")?;
    let by_collection = grouped("collection")?;
    let diffusion = if engine.manifest.fields.contains_key("country") {
        first_by_country(trace_by(1, Some("country"))?)
    } else {
        Vec::new()
    };
    let timeline = history::timelines(
        engine,
        std::slice::from_ref(subject),
        &TimelineOptions {
            filter: filter.clone(),
            by: Period::Year,
            expand_families: false,
        },
    )?
    .into_iter()
    .next()
    .ok_or_else(|| anyhow::anyhow!("no timeline for {}", subject.label()))?;
    let (renderings, renderings_of, renderings_note) = dossier_renderings(engine, subject, filter);
    let take_off = trace.take_off.as_ref().map(|t| t.year);
    let collocates = collocate_periods(engine, subject, filter, take_off)?;
    let (sample, earliest_lines) = concordance(engine, subject, filter)?;
    let caveats = caveats(engine, subject, &allowed, &matches, &trace, &timeline)?;
    let summary = summary(&trace, &timeline);
    let sources = sources(engine, &trace, &diffusion, &sample, &earliest_lines)?;
    Ok(Dossier {
        term: subject.label(),
        summary,
        trace,
        timeline,
        by_kind,
        by_collection,
        diffusion,
        renderings,
        renderings_of,
        renderings_note,
        collocates,
        sample,
        earliest_lines,
        caveats,
        sources,
        stamp: Stamp::of(engine, command),
    })
}

/// The first appearance in each country, earliest first (documents without
/// a country left out).
fn first_by_country(t: history::Trace) -> Vec<(String, Appearance)> {
    let mut firsts: Vec<(String, Appearance)> = t
        .groups
        .unwrap_or_default()
        .into_iter()
        .filter(|(k, _)| k != history::NO_VALUE)
        .filter_map(|(k, g)| g.first.map(|f| (k, f)))
        .collect();
    firsts.sort_by(|a, b| a.1.date.cmp(&b.1.date).then_with(|| a.0.cmp(&b.0)));
    firsts
}

/// The renderings of the subject, the string they are of, and a note when
/// there are none or when a family member speaks for the family.
fn dossier_renderings(
    engine: &Engine,
    subject: &Subject,
    filter: &Filter,
) -> (
    Option<renderings::Renderings>,
    Option<String>,
    Option<String>,
) {
    let options = RenderingOptions {
        filter: filter.clone(),
        limit: RENDERINGS_SHOWN,
        by_year: false,
    };
    match subject {
        Subject::Literal(l) if !l.is_pattern() => {
            match renderings::renderings(engine, &l.raw, &options) {
                Ok(r) if r.segments_with_term > 0 => (Some(r), Some(l.raw.clone()), None),
                Ok(_) => (
                    None,
                    None,
                    Some("no aligned translation pair of the corpus contains it".to_string()),
                ),
                Err(e) => (None, None, Some(format!("{e:#}"))),
            }
        }
        Subject::Literal(_) => (
            None,
            None,
            Some("renderings are given for a literal term, not a pattern".to_string()),
        ),
        // A family: its Chinese members are what the English renders (its
        // English members, when it has no Chinese one with pairs); the member
        // in the most aligned segments speaks for it, and the page says so.
        Subject::Family(f) => {
            let mut best: Option<(String, renderings::Renderings)> = None;
            let chinese = f.variants.iter().any(|v| v.cjk && !v.is_pattern());
            for v in f
                .variants
                .iter()
                .filter(|v| !v.is_pattern() && (v.cjk || !chinese))
            {
                if let Ok(r) = renderings::renderings(engine, &v.raw, &options)
                    && r.segments_with_term > 0
                    && best
                        .as_ref()
                        .is_none_or(|(_, b)| r.segments_with_term > b.segments_with_term)
                {
                    best = Some((v.raw.clone(), r));
                }
            }
            match best {
                Some((member, r)) => {
                    let note = format!(
                        "The renderings of {member}, the member of {} in the most aligned segments ({}); `tifa renderings` gives each of the others.",
                        subject.label(),
                        r.segments_with_term
                    );
                    (Some(r), Some(member), Some(note))
                }
                None => (
                    None,
                    None,
                    Some(
                        "no aligned translation pair of the corpus contains a member of the family"
                            .to_string(),
                    ),
                ),
            }
        }
    }
}

/// The collocates before the take-off year and from it on (all years when
/// there is no take-off), each within the user's dates.
fn collocate_periods(
    engine: &Engine,
    subject: &Subject,
    filter: &Filter,
    take_off: Option<i32>,
) -> Result<Vec<CollocatePeriod>> {
    let periods: Vec<(String, Option<String>, Option<String>)> = match take_off {
        Some(y) => vec![
            (format!("before {y}"), None, Some(format!("{}", y - 1))),
            (format!("{y} on (take-off)"), Some(format!("{y}")), None),
        ],
        None => vec![("all years".to_string(), None, None)],
    };
    let mut collocate_periods = Vec::new();
    for (label, from, to) in periods {
        // The column's years within the user's dates.
        let mut f = filter.clone();
        let narrowed = Filter::parse(&[], &[], &[], from.as_deref(), to.as_deref(), &[], &[])?;
        f.dates.from = f.dates.from.max(narrowed.dates.from);
        f.dates.to = match (f.dates.to, narrowed.dates.to) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let c = collocates::collocates(
            engine,
            subject,
            &CollocateOptions {
                filter: f,
                window: 5,
                side: Side::Both,
                min_freq: 3,
                stop_words: true,
                by: GroupBy::All,
                measure: Measure::LogDice,
                limit: COLLOCATES_SHOWN,
            },
        )?;
        collocate_periods.push(CollocatePeriod {
            label,
            from,
            to,
            group: c.groups.into_iter().next(),
        });
    }
    Ok(collocate_periods)
}

/// One concordance: its sample (as `tifa kwic --sample --seed` draws it)
/// and its earliest lines.
fn concordance(
    engine: &Engine,
    subject: &Subject,
    filter: &Filter,
) -> Result<(kwic::Kwic, Vec<kwic::KwicLine>)> {
    let all = kwic::kwic(
        engine,
        &kwic_query(subject),
        &KwicOptions {
            filter: filter.clone(),
            width: 20,
            sort: KwicSort::Date,
            sample: None,
            seed: SAMPLE_SEED,
            query: crate::query::QueryOptions::default(),
            max_lines: None,
        },
    )?;
    let earliest_lines = all.lines[..all.lines.len().min(EARLIEST_LINES)].to_vec();
    let sample = kwic::Kwic {
        lines: kwic::sampled(all.lines, SAMPLE_LINES, SAMPLE_SEED, KwicSort::Date),
        ..all
    };
    Ok((sample, earliest_lines))
}

/// The concordance query for a subject: a literal quoted as a phrase, a
/// family as its members OR'd (not `@name`, which the query language reads
/// from the built-in families only: a family of `--families FILE` must work).
fn kwic_query(subject: &Subject) -> String {
    let literal = |l: &crate::matcher::Literal| {
        if l.is_pattern() {
            l.raw.clone()
        } else {
            format!("\"{}\"", l.raw.replace('"', ""))
        }
    };
    match subject {
        Subject::Literal(l) => literal(l),
        Subject::Family(f) => format!(
            "({})",
            f.variants
                .iter()
                .map(literal)
                .collect::<Vec<_>>()
                .join(" OR ")
        ),
    }
}

/// The answer in two sentences.
fn summary(trace: &history::Trace, timeline: &history::Timeline) -> String {
    let Some(first) = &trace.first else {
        return format!(
            "{} is in no dated document of the corpus ({} documents in all).",
            trace.term, trace.docs
        );
    };
    let mut s = format!(
        "{} first appears in the corpus {} {}{} in “{}” ({}).",
        trace.term,
        // A date known only to the year or month is "in 2012", not "on 2012".
        if first.approximate { "in" } else { "on" },
        first.date,
        if first.approximate {
            " (a date known only to the year or month)"
        } else {
            ""
        },
        first.title,
        first.cite.collection.as_deref().unwrap_or(&first.kind)
    );
    let peak = timeline
        .buckets
        .iter()
        .filter(|(k, _)| *k != "unknown")
        // The earliest of equal peaks.
        .max_by(|a, b| a.1.docs.cmp(&b.1.docs).then_with(|| b.0.cmp(a.0)));
    match (&trace.take_off, peak) {
        (Some(t), Some((year, b))) => {
            let _ = write!(
                s,
                " Its use takes off in {} ({} documents) and peaks in {} ({} documents); {} documents use it in all.",
                t.year, t.docs, year, b.docs, trace.docs
            );
        }
        (None, _) => {
            let _ = write!(
                s,
                " It is not in common use in the corpus (no two years running with at least 5 documents and 10 % of its peak); {} documents use it in all.",
                trace.docs
            );
        }
        (Some(t), None) => {
            let _ = write!(s, " Its use takes off in {}.", t.year);
        }
    }
    s
}

fn caveats(
    engine: &Engine,
    subject: &Subject,
    allowed: &crate::engine::Allowed,
    matches: &[crate::engine::Match],
    trace: &history::Trace,
    timeline: &history::Timeline,
) -> Result<Vec<String>> {
    let mut out: Vec<String> = timeline.coverage.notes.clone();
    if let Some((period, to)) = &timeline.coverage.partial {
        // The timeline's own note on the partial year (which names the
        // language whose documents end there) says it once, with the reason.
        let comparable = "so its figure is not comparable with whole years.";
        match out
            .iter_mut()
            .find(|n| n.starts_with(&format!("{period} is partial")))
        {
            Some(note) => *note = format!("{note}, {comparable}"),
            None => out.push(format!(
                "{period} is a partial year: the corpus ends on {to}, {comparable}"
            )),
        }
    }
    for (period, missing) in &timeline.coverage.uncovered {
        out.push(format!(
            "{period}: no documents of {} in the corpus — a gap in the line there is the corpus, not the term.",
            missing.join(", ")
        ));
    }
    if let Some(b) = timeline.buckets.get("unknown")
        && b.docs > 0
    {
        out.push(format!(
            "{} matching documents have no date: they count in the totals, not in the timeline or the first appearance.",
            b.docs
        ));
    }
    if trace.early_total > 0 {
        out.push(format!(
            "{} early matches stand years before the take-off or apart from the rest: check their dates and sources (listed under first appearance).",
            trace.early_total
        ));
    }
    if let Some(first) = &trace.first
        && first.quoted == Some(true)
    {
        out.push("The first appearance stands inside quotation or title marks: the document may cite a formulation coined elsewhere.".to_string());
    }
    if engine.manifest.fields.contains_key("ocr") {
        let ocr = engine.field_values("ocr")?;
        let n = matches
            .iter()
            .filter(|m| ocr.get(m.address).is_some_and(|v| !v.is_empty()))
            .count();
        if n > 0 {
            out.push(format!(
                "{n} matching documents were read by OCR: their text (and a match in it) may differ from the printed page."
            ));
        }
    }
    // Other script forms (網絡主權 for 网络主权) are not counted unless asked.
    if let Subject::Literal(l) = subject
        && l.cjk
        && !l.is_pattern()
        && let Some(Subject::Family(f)) = terms::with_script_forms(vec![subject.clone()])
            .into_iter()
            .next()
    {
        let with_forms = terms::evaluate(engine, &Subject::Family(f.clone()), allowed)?;
        let more = with_forms.len().saturating_sub(matches.len());
        if more > 0 {
            out.push(format!(
                "{more} more documents write it in another script form ({}): not counted here (`--variants` counts them).",
                f.variants
                    .iter()
                    .map(|v| v.raw.clone())
                    .filter(|v| *v != l.raw)
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    if out.is_empty() {
        out.push("None found: the collections behind the line cover every year of it.".into());
    }
    Ok(out)
}

/// Every document the page names, numbered in order of first mention.
fn sources(
    engine: &Engine,
    trace: &history::Trace,
    diffusion: &[(String, Appearance)],
    sample: &kwic::Kwic,
    earliest: &[kwic::KwicLine],
) -> Result<Vec<Source>> {
    let mut ids: Vec<String> = Vec::new();
    let mut push = |id: &str| {
        if !ids.iter().any(|i| i == id) {
            ids.push(id.to_string());
        }
    };
    if let Some(f) = &trace.first {
        push(&f.id);
        for p in &f.possibly_earlier {
            push(&p.id);
        }
    }
    for a in trace.early.iter().chain(&trace.earliest).chain(&trace.last) {
        push(&a.id);
    }
    for (_, a) in diffusion {
        push(&a.id);
    }
    for l in earliest.iter().chain(&sample.lines) {
        push(&l.id);
    }
    let mut out = Vec::with_capacity(ids.len());
    for (i, id) in ids.iter().enumerate() {
        let Some(address) = engine.address_of(id)? else {
            continue;
        };
        let d = engine.stored(address)?;
        out.push(Source {
            number: i + 1,
            id: d.id,
            date: d.date.unwrap_or_else(|| "undated".into()),
            title: d.title,
            kind: d.kind,
            lang: d.lang,
            collection: d.meta.get("collection").cloned().unwrap_or_default(),
            url: d.meta.get("url").cloned().filter(|u| !u.is_empty()),
            provenance: d.meta.get("source").cloned().filter(|u| !u.is_empty()),
        });
    }
    Ok(out)
}

/// The cited documents as references.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CiteFormat {
    /// CSL-JSON.
    CslJson,
    /// BibTeX.
    Bibtex,
    /// RIS.
    Ris,
}

impl CiteFormat {
    /// `csl-json`, `bibtex` or `ris`.
    pub fn parse(s: &str) -> Result<CiteFormat, String> {
        match s {
            "csl-json" => Ok(CiteFormat::CslJson),
            "bibtex" => Ok(CiteFormat::Bibtex),
            "ris" => Ok(CiteFormat::Ris),
            other => Err(format!(
                "unknown citation format {other:?}: use csl-json, bibtex or ris"
            )),
        }
    }
}

/// The type of reference a document kind is.
fn csl_type(kind: &str) -> &'static str {
    match kind {
        "law" | "regulation" => "legislation",
        "report" | "white_paper" => "report",
        "speech" => "speech",
        "article" => "article-newspaper",
        _ => "document",
    }
}

/// Year, month, day of a corpus date (YYYY, YYYY-MM or YYYY-MM-DD).
fn date_parts(date: &str) -> Vec<u32> {
    date.split('-')
        .map_while(|p| p.parse().ok())
        .take(3)
        .collect()
}

/// The references of the sources, in `format`; `accessed` is the index's
/// build date (when the texts were taken).
pub fn citations(sources: &[Source], format: CiteFormat, accessed: &str) -> Result<String> {
    let accessed_parts = date_parts(accessed);
    match format {
        CiteFormat::CslJson => {
            let items: Vec<serde_json::Value> = sources
                .iter()
                .map(|s| {
                    let mut v = serde_json::json!({
                        "id": s.id,
                        "type": csl_type(&s.kind),
                        "title": s.title,
                        "publisher": s.collection,
                        "accessed": {"date-parts": [accessed_parts]},
                        "note": format!("tifa id {}", s.id),
                    });
                    let parts = date_parts(&s.date);
                    if !parts.is_empty() {
                        v["issued"] = serde_json::json!({"date-parts": [parts]});
                    }
                    if let Some(u) = &s.url {
                        v["URL"] = serde_json::json!(u);
                    }
                    if let Some(p) = &s.provenance {
                        v["source"] = serde_json::json!(p);
                    }
                    v
                })
                .collect();
            Ok(serde_json::to_string_pretty(&items)? + "\n")
        }
        CiteFormat::Bibtex => {
            let mut out = String::new();
            for s in sources {
                let entry = match csl_type(&s.kind) {
                    "report" => "techreport",
                    _ => "misc",
                };
                let key: String =
                    s.id.chars()
                        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                        .collect();
                let parts = date_parts(&s.date);
                let _ = writeln!(out, "@{entry}{{tifa_{key},");
                let _ = writeln!(out, "  title = {{{}}},", bib(&s.title));
                if entry == "techreport" {
                    let _ = writeln!(out, "  institution = {{{}}},", bib(&s.collection));
                } else {
                    let _ = writeln!(out, "  publisher = {{{}}},", bib(&s.collection));
                }
                if let Some(y) = parts.first() {
                    let _ = writeln!(out, "  year = {{{y}}},");
                }
                if let Some(mo) = parts.get(1) {
                    let _ = writeln!(out, "  month = {{{mo}}},");
                }
                if !s.date.is_empty() && s.date != "undated" {
                    let _ = writeln!(out, "  date = {{{}}},", bib(&s.date));
                }
                if let Some(u) = &s.url {
                    let _ = writeln!(out, "  url = {{{}}},", bib(u));
                }
                let _ = writeln!(out, "  urldate = {{{}}},", bib(accessed));
                let _ = writeln!(out, "  note = {{tifa id {}}}", bib(&s.id));
                out.push_str("}\n\n");
            }
            Ok(out)
        }
        CiteFormat::Ris => {
            let mut out = String::new();
            for s in sources {
                let ty = match csl_type(&s.kind) {
                    "legislation" => "STAT",
                    "report" => "RPRT",
                    "speech" => "SOUND",
                    "article-newspaper" => "NEWS",
                    _ => "GEN",
                };
                let _ = writeln!(out, "TY  - {ty}");
                let _ = writeln!(out, "TI  - {}", s.title.replace('\n', " "));
                let _ = writeln!(out, "PB  - {}", s.collection);
                let parts = date_parts(&s.date);
                if !parts.is_empty() {
                    let _ = writeln!(
                        out,
                        "DA  - {}",
                        parts
                            .iter()
                            .map(|p| format!("{p:02}"))
                            .collect::<Vec<_>>()
                            .join("/")
                    );
                    let _ = writeln!(out, "PY  - {}", parts[0]);
                }
                if let Some(u) = &s.url {
                    let _ = writeln!(out, "UR  - {u}");
                }
                let _ = writeln!(out, "Y2  - {accessed}");
                let _ = writeln!(out, "N1  - tifa id {}", s.id);
                out.push_str("ER  - \n\n");
            }
            Ok(out)
        }
    }
}

/// BibTeX-safe text: braces balanced by removal, TeX specials escaped.
fn bib(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '{' | '}' => {}
            '\\' => out.push_str("\\textbackslash{}"),
            '&' | '%' | '$' | '#' | '_' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_of_unix_times() {
        assert_eq!(unix_date(0), "1970-01-01");
        assert_eq!(unix_date(1_449_619_200), "2015-12-09");
        assert_eq!(unix_date(951_782_400), "2000-02-29");
    }

    #[test]
    fn bibtex_text_is_escaped() {
        assert_eq!(bib("R&D {x} 50%_a"), "R\\&D x 50\\%\\_a");
    }
}
