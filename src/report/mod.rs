//! **The report layer** (`src/report/`): what a user keeps and cites — batch
//! reports (below), dossiers ([`dossier`]), charts ([`chart`]) and the
//! reproducibility stamp ([`stamp`]). It may use `engine`, `analysis`,
//! `history` and the layers below; never `server`.
//!
//! `tifa report`: per-year frequencies of a list of terms as CSV, JSON, Markdown
//! and SVG charts.

pub mod chart;
pub mod dossier;
pub mod stamp;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow};
use plotters::prelude::*;
use serde::Serialize;

use crate::date::DateRange;
use crate::engine::{Allowed, Engine};
use crate::history::{self, Bucket, Denominators, Period};
use crate::output::{CHART_FONTS, csv_term_cell};
use crate::stamp::Stamp;
use crate::terms::{Families, Subject};

/// One line of the term file.
pub struct TermLine {
    /// Its line in the term file.
    pub line: usize,
    /// The term or family on it.
    pub subject: Subject,
}

/// Reads a term list: one term or `@family` per line, whitespace trimmed, empty
/// lines and `#` comments skipped. Every bad line is reported with its number.
pub fn read_terms(path: &Path, families: &Families) -> Result<Vec<TermLine>> {
    let raw = std::fs::read(path)
        .with_context(|| format!("cannot read the term file {}", path.display()))?;
    let text = String::from_utf8(raw).map_err(|e| {
        anyhow!(
            "{}: not valid UTF-8 (byte {}); convert it, e.g. `iconv -f GBK -t UTF-8`",
            path.display(),
            e.utf8_error().valid_up_to()
        )
    })?;
    let mut terms = Vec::new();
    let mut errors = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim().trim_start_matches('\u{feff}').trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        match families.resolve(line) {
            Ok(subject) => terms.push(TermLine {
                line: i + 1,
                subject,
            }),
            Err(e) => errors.push(format!("{}:{}: {e}", path.display(), i + 1)),
        }
    }
    if !errors.is_empty() {
        return Err(crate::error::UserError::BadTermFile(format!(
            "the term file has {} bad line(s); nothing was written:\n  {}",
            errors.len(),
            errors.join("\n  ")
        ))
        .into());
    }
    if terms.is_empty() {
        return Err(crate::error::UserError::BadTermFile(format!(
            "{}: no terms (one term or @family per line)",
            path.display()
        ))
        .into());
    }
    Ok(terms)
}

/// Figures of one term (or family, or variant of a family).
#[derive(Debug, Serialize)]
pub struct TermFigures {
    /// The term as given.
    pub term: String,
    /// For a variant row: the family it belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub family: Option<String>,
    /// Documents with it.
    pub docs: usize,
    /// Its occurrences.
    pub occurrences: u64,
    /// Its first appearance.
    pub first: Option<history::Appearance>,
    /// Its latest appearance.
    pub last: Option<history::Appearance>,
    /// The year with the most documents.
    pub peak_year: Option<String>,
    /// What `per_million` counts (characters or words).
    pub per_million_of: &'static str,
    /// Figures per year.
    pub by_year: BTreeMap<String, Bucket>,
    /// The years its collections cover (the rest drawn dashed and hollow).
    pub coverage: history::series::SeriesCoverage,
}

/// The line under every chart and at the head of report.md: what the figures
/// are computed over.
pub fn source_line(m: &crate::index::Manifest) -> String {
    format!(
        "Source: tifa {} over {} ({} documents, {} – {}; corpus hash {}); per million Han characters (Chinese terms) or English words (other terms); a chart mixing both shows shares of documents.",
        env!("CARGO_PKG_VERSION"),
        // The corpus by name, never a local path.
        m.sources
            .iter()
            .map(|s| {
                Path::new(s)
                    .file_name()
                    .map_or(s.clone(), |n| n.to_string_lossy().to_string())
            })
            .collect::<Vec<_>>()
            .join(", "),
        m.documents,
        m.first_date.as_deref().unwrap_or("?"),
        m.last_date.as_deref().unwrap_or("?"),
        crate::index::short_hash(&m.corpus_hash)
    )
}

/// The height of one footer line under a chart, in pixels.
const FOOTER_LINE: u32 = 17;

/// The footer of a chart: each text wrapped at its "; " and " · " joints into
/// lines a 960-pixel chart shows whole (an SVG text line does not wrap).
pub fn footer_lines(texts: &[&str]) -> Vec<String> {
    const WIDTH: usize = 140;
    let mut lines = Vec::new();
    for text in texts {
        let mut line = String::new();
        for piece in text.split_inclusive(['·', ';']) {
            if !line.is_empty() && line.chars().count() + piece.chars().count() > WIDTH {
                lines.push(line.trim_end().to_string());
                line = String::from("  ");
            }
            line.push_str(if line.trim().is_empty() {
                piece.trim_start()
            } else {
                piece
            });
        }
        if !line.trim().is_empty() {
            lines.push(line.trim_end().to_string());
        }
    }
    lines
}

/// `tifa report` in one call: the figures of every term under `filter`,
/// written into `out`; returns the figures and the files written.
pub fn run(
    engine: &Engine,
    terms: &[TermLine],
    filter: &crate::engine::Filter,
    out: &Path,
    stamp: &Stamp,
    progress: impl FnMut() + Send,
) -> Result<(Vec<TermFigures>, Vec<PathBuf>)> {
    let allowed = engine.allowed(filter)?;
    let figures = figures(engine, terms, &allowed, &filter.dates, progress)?;
    let written = write(out, &figures, &source_line(&engine.manifest), stamp)?;
    Ok((figures, written))
}

/// Computes the figures of every term (families expanded into their variants).
/// Terms are independent: they are computed in parallel, in the order given.
pub fn figures(
    engine: &Engine,
    terms: &[TermLine],
    allowed: &Allowed,
    range: &DateRange,
    progress: impl FnMut() + Send,
) -> Result<Vec<TermFigures>> {
    use rayon::prelude::*;
    let denominators = Denominators::new(engine, allowed, Period::Year);
    let holdings = history::series::Holdings::new(engine, allowed, Period::Year)?;
    let progress = std::sync::Mutex::new(progress);
    let per_term: Vec<Result<Vec<TermFigures>>> = terms
        .par_iter()
        .map(|t| {
            let mut rows: Vec<(Subject, Option<String>)> = vec![(t.subject.clone(), None)];
            if let Subject::Family(f) = &t.subject {
                rows.extend(
                    f.variants
                        .iter()
                        .map(|v| (Subject::Literal(v.clone()), Some(format!("@{}", f.name)))),
                );
            }
            let figures = rows
                .into_iter()
                .map(|(subject, family)| {
                    term_figures(
                        engine,
                        subject,
                        family,
                        allowed,
                        (&denominators, &holdings),
                        range,
                    )
                })
                .collect::<Result<Vec<_>>>();
            if let Ok(mut p) = progress.lock() {
                p();
            }
            figures
        })
        .collect();
    let mut out = Vec::new();
    for figures in per_term {
        out.extend(figures?);
    }
    Ok(out)
}

fn term_figures(
    engine: &Engine,
    subject: Subject,
    family: Option<String>,
    allowed: &Allowed,
    (denominators, holdings): (&Denominators, &history::series::Holdings),
    range: &DateRange,
) -> Result<TermFigures> {
    let matches = crate::terms::evaluate(engine, &subject, allowed)?;
    let trace = history::trace_of(engine, &subject, &matches, allowed, 1, None)?;
    let by_year = history::timeline_of(engine, &subject, &matches, denominators, range);
    let coverage = holdings.of(
        engine,
        history::series::evidence_lang(&subject, allowed),
        &matches,
        &by_year,
    )?;
    let peak_year = by_year
        .iter()
        .filter(|(k, b)| *k != "unknown" && b.occurrences > 0)
        .max_by(|a, b| {
            a.1.per_million
                .total_cmp(&b.1.per_million)
                .then(b.0.cmp(a.0))
        })
        .map(|(k, _)| k.clone());
    Ok(TermFigures {
        term: subject.label(),
        family,
        docs: trace.docs,
        occurrences: trace.occurrences,
        first: trace.first,
        last: trace.last,
        peak_year,
        per_million_of: subject.units().describe(),
        by_year,
        coverage,
    })
}

/// Writes report.csv, report.json, report.md and the SVG charts into `dir`;
/// returns the files written. The JSON, the Markdown and every chart carry
/// `stamp` (what reproduces them); the CSV stays a plain table.
pub fn write(
    dir: &Path,
    figures: &[TermFigures],
    source_line: &str,
    stamp: &Stamp,
) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut written = Vec::new();

    let csv_path = dir.join("report.csv");
    let mut w = csv::Writer::from_path(&csv_path)
        .with_context(|| format!("cannot write {}", csv_path.display()))?;
    w.write_record([
        "term",
        "family",
        "year",
        "docs",
        "occurrences",
        "per_million",
        "share",
    ])?;
    for f in figures {
        for (year, b) in &f.by_year {
            w.write_record([
                csv_term_cell(&f.term),
                f.family.as_deref().map_or(String::new(), csv_term_cell),
                year.clone(),
                b.docs.to_string(),
                b.occurrences.to_string(),
                format!("{:.4}", b.per_million),
                format!("{:.6}", b.share),
            ])?;
        }
    }
    w.flush()?;
    written.push(csv_path);

    let json_path = dir.join("report.json");
    let json_file = std::fs::File::create(&json_path)
        .with_context(|| format!("cannot write {}", json_path.display()))?;
    crate::output::write_json(
        std::io::BufWriter::new(json_file),
        &serde_json::json!({ "stamp": stamp, "source": source_line, "terms": figures }),
        true,
    )
    .with_context(|| format!("cannot write {}", json_path.display()))?;
    written.push(json_path);

    let md_path = dir.join("report.md");
    std::fs::write(&md_path, markdown(figures, source_line, stamp))
        .with_context(|| format!("cannot write {}", md_path.display()))?;
    written.push(md_path);

    let footer = footer_lines(&[source_line, &stamp.line()]);
    let mut families: BTreeMap<&str, Vec<&TermFigures>> = BTreeMap::new();
    for f in figures {
        if let Some(family) = &f.family {
            families.entry(family.as_str()).or_default().push(f);
        }
    }
    for (family, variants) in families {
        let total = figures
            .iter()
            .find(|f| f.term == family && f.family.is_none());
        let mut series: Vec<&TermFigures> = total.into_iter().collect();
        series.extend(variants.into_iter().filter(|v| v.occurrences > 0));
        let path = dir.join(format!("chart-{}.svg", family.trim_start_matches('@')));
        let title = format!("{family} and its variants");
        if chart(&path, &title, &series, &footer)? {
            written.push(path);
        }
    }
    let mut top: Vec<&TermFigures> = figures
        .iter()
        .filter(|f| f.family.is_none() && f.occurrences > 0)
        .collect();
    top.sort_by_key(|f| std::cmp::Reverse(f.occurrences));
    top.truncate(10);
    if !top.is_empty() {
        let path = dir.join("overview.svg");
        if chart(
            &path,
            "Use per year (the 10 most frequent terms)",
            &top,
            &footer,
        )? {
            written.push(path);
        }
    }
    remove_stale_outputs(dir, &written)?;
    Ok(written)
}

/// Lists the files a report wrote, so that the next report into the same
/// folder removes those it no longer writes (and never any other file).
const OUTPUT_LIST: &str = ".tifa-report-files";

fn remove_stale_outputs(dir: &Path, written: &[PathBuf]) -> Result<()> {
    let list = dir.join(OUTPUT_LIST);
    let names: Vec<String> = written
        .iter()
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().to_string()))
        .collect();
    if let Ok(previous) = std::fs::read_to_string(&list) {
        for old in previous.lines() {
            let ours = old.ends_with(".svg") || old.starts_with("report.");
            if ours && !old.contains('/') && !names.iter().any(|n| n == old) {
                let _ = std::fs::remove_file(dir.join(old));
            }
        }
    }
    std::fs::write(&list, names.join("\n") + "\n")
        .with_context(|| format!("cannot write {}", list.display()))
}

fn markdown(figures: &[TermFigures], source_line: &str, stamp: &Stamp) -> String {
    let mut md = String::from("# tifa report\n\n");
    md.push_str(&format!("{}\n\n", md_cell(source_line)));
    md.push_str(&format!("Stamp: {}\n\n", md_cell(&stamp.line())));
    md.push_str("| term | documents | occurrences | first | first document | possibly earlier (dated only to the year or month) | peak year (per million) | last |\n|---|---:|---:|---|---|---|---|---|\n");
    let cell = md_cell;
    for f in figures {
        let term = match &f.family {
            Some(family) => format!("↳ {} ({family})", f.term),
            None => f.term.clone(),
        };
        let first_date = f.first.as_ref().map_or("–".into(), |a| {
            if a.approximate {
                format!("{} (approx.)", a.date)
            } else {
                a.date.clone()
            }
        });
        let first_doc = f
            .first
            .as_ref()
            .map_or("–".into(), |a| format!("{} [{}]", a.title, a.id));
        let possibly_earlier = f.first.as_ref().map_or(String::new(), |a| {
            let listed: Vec<String> = a
                .possibly_earlier
                .iter()
                .take(3)
                .map(|p| format!("{}: {} [{}]", p.date, p.title, p.id))
                .collect();
            let more = a.possibly_earlier_total.saturating_sub(listed.len());
            let mut cell = listed.join("; ");
            if more > 0 {
                cell.push_str(&format!("; and {more} more (see tifa trace)"));
            }
            cell
        });
        md.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} |\n",
            cell(&term),
            f.docs,
            f.occurrences,
            cell(&first_date),
            cell(&first_doc),
            cell(&possibly_earlier),
            f.peak_year.as_deref().unwrap_or("–"),
            cell(f.last.as_ref().map_or("–", |a| a.date.as_str())),
        ));
    }
    // What the corpus covers, per term: the charts draw these years dashed.
    let notes: Vec<String> = figures
        .iter()
        .flat_map(|f| {
            f.coverage
                .notes
                .iter()
                .map(move |n| format!("- {}: {}", md_cell(&f.term), md_cell(n)))
        })
        .collect();
    if !notes.is_empty() {
        md.push_str("\n## Coverage\n\nYears a term's collections do not cover (and a partial last year) are drawn dashed, with hollow points, in the charts.\n\n");
        md.push_str(&notes.join("\n"));
        md.push('\n');
    }
    md
}

/// Text made inert in a Markdown table cell: no markup, HTML, images, links,
/// code spans or line breaks survive; control characters become visible escapes.
pub fn md_cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in crate::output::escape_terminal(s).chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '|' | '\\' | '`' | '*' | '_' | '[' | ']' | '(' | ')' | '!' | '#' | '~' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(255, 127, 14),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// What a chart's y axis shows: one unit for every line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Axis {
    /// Occurrences per million of one unit (all series count the same unit).
    PerMillion(&'static str),
    /// Share of the year's documents, in per cent (series of mixed units).
    Share,
}

impl Axis {
    fn of(series: &[&TermFigures]) -> Axis {
        let unit = series.first().map_or("", |f| f.per_million_of);
        let mixed = unit == crate::terms::Units::HanAndWords.describe();
        if !mixed && series.iter().all(|f| f.per_million_of == unit) {
            Axis::PerMillion(unit)
        } else {
            Axis::Share
        }
    }

    fn value(self, b: &Bucket) -> f64 {
        match self {
            Axis::PerMillion(_) => b.per_million,
            Axis::Share => b.share * 100.0,
        }
    }

    fn label(self) -> String {
        match self {
            Axis::PerMillion(unit) => format!("occurrences per million {unit}"),
            Axis::Share => "% of the year's documents".to_string(),
        }
    }
}

/// A line chart over years, one line per series, on one unit (see [`Axis`]);
/// each point has a tooltip (an SVG `<title>`) with the documents behind it.
/// Returns false (and writes nothing) when no series has a dated point.
fn chart(path: &Path, title: &str, series: &[&TermFigures], footer: &[String]) -> Result<bool> {
    let axis = Axis::of(series);
    let buckets = |f: &TermFigures| -> Vec<(i32, Bucket)> {
        f.by_year
            .iter()
            .filter_map(|(k, b)| k.parse::<i32>().ok().map(|y| (y, *b)))
            .collect()
    };
    let points = |f: &TermFigures| -> Vec<(i32, f64)> {
        buckets(f)
            .into_iter()
            .map(|(y, b)| (y, axis.value(&b)))
            .collect()
    };
    let all: Vec<(i32, f64)> = series.iter().flat_map(|f| points(f)).collect();
    let (Some(x0), Some(x1)) = (all.iter().map(|p| p.0).min(), all.iter().map(|p| p.0).max())
    else {
        return Ok(false);
    };
    let y1 = all.iter().map(|p| p.1).fold(0.0, f64::max).max(1e-9) * 1.1;
    // Tooltips, in the order the markers are drawn.
    let mut tooltips: Vec<String> = Vec::new();
    for f in series {
        for (y, b) in buckets(f) {
            let mark = f.coverage.mark(&format!("{y:04}"));
            tooltips.push(format!(
                "{} {y}: {} documents, {} occurrences, {:.2} per million {}, {:.2} % of the documents{}",
                f.term,
                b.docs,
                b.occurrences,
                b.per_million,
                f.per_million_of,
                b.share * 100.0,
                if mark.is_empty() {
                    String::new()
                } else {
                    format!(" — {mark}")
                }
            ));
        }
    }
    let title = match axis {
        Axis::PerMillion(_) => title.to_string(),
        Axis::Share => format!("{title} (share of documents: the lines count different units)"),
    };
    let draw = || -> Result<(), Box<dyn std::error::Error>> {
        let height = 530 + 10 + FOOTER_LINE * footer.len() as u32;
        let root = SVGBackend::new(path, (960, height)).into_drawing_area();
        root.fill(&WHITE)?;
        let (main, footer_area) = root.split_vertically(530);
        let mut chart = ChartBuilder::on(&main)
            .caption(&title, (CHART_FONTS, 22))
            .margin(16)
            .x_label_area_size(44)
            .y_label_area_size(70)
            .build_cartesian_2d(x0..(x1.max(x0 + 1)), 0f64..y1)?;
        chart
            .configure_mesh()
            .x_desc("year")
            .y_desc(axis.label())
            .x_label_formatter(&|y| format!("{y}"))
            .x_labels(((x1 - x0) as usize + 1).min(16))
            .label_style((CHART_FONTS, 13))
            .draw()?;
        for (i, f) in series.iter().enumerate() {
            let colour = PALETTE[i % PALETTE.len()];
            let style = if i == 0
                && f.family.is_none()
                && series.len() > 1
                && series.iter().skip(1).all(|s| s.family.is_some())
            {
                colour.stroke_width(4)
            } else {
                colour.stroke_width(2)
            };
            // Years the term's collections do not cover (and a partial last
            // year): dashed segments and hollow points, so that a fall there
            // reads as the corpus ending, not as use stopping.
            let covered = |y: i32| f.coverage.is_covered(&format!("{y:04}"));
            let pts = points(f);
            let solid: Vec<Vec<(i32, f64)>> = pts
                .windows(2)
                .filter(|w| covered(w[0].0) && covered(w[1].0))
                .map(|w| w.to_vec())
                .collect();
            let dashed: Vec<Vec<(i32, f64)>> = pts
                .windows(2)
                .filter(|w| !(covered(w[0].0) && covered(w[1].0)))
                .map(|w| w.to_vec())
                .collect();
            let mut first_segment = true;
            for segment in solid {
                let drawn = chart.draw_series(LineSeries::new(segment, style))?;
                if first_segment {
                    drawn
                        .label(format!("{} ({} docs)", f.term, f.docs))
                        .legend(move |(x, y)| {
                            PathElement::new(vec![(x, y), (x + 24, y)], colour.stroke_width(3))
                        });
                    first_segment = false;
                }
            }
            for segment in dashed {
                chart.draw_series(DashedLineSeries::new(
                    segment,
                    4,
                    4,
                    colour.mix(0.6).stroke_width(2),
                ))?;
            }
            if first_segment {
                // No solid segment: the legend still names the line.
                chart
                    .draw_series(LineSeries::new(Vec::<(i32, f64)>::new(), style))?
                    .label(format!("{} ({} docs)", f.term, f.docs))
                    .legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 24, y)], colour.stroke_width(3))
                    });
            }
            chart.draw_series(pts.into_iter().map(|p| {
                if covered(p.0) {
                    Circle::new(p, 3, colour.filled())
                } else {
                    Circle::new(p, 3, colour.stroke_width(1))
                }
            }))?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .label_font((CHART_FONTS, 13))
            .draw()?;
        for (i, line) in footer.iter().enumerate() {
            footer_area.draw_text(
                line,
                &(CHART_FONTS, 12).into_font().color(&BLACK.mix(0.7)),
                (16, 4 + FOOTER_LINE as i32 * i as i32),
            )?;
        }
        root.present()?;
        Ok(())
    };
    draw().map_err(|e| anyhow!("cannot draw {}: {e}", path.display()))?;
    add_tooltips(path, &tooltips)?;
    Ok(true)
}

/// Puts a `<title>` (a tooltip in browsers) into each marker of an SVG
/// written by plotters, whose circles are the markers in drawing order.
fn add_tooltips(path: &Path, tooltips: &[String]) -> Result<()> {
    let svg =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut out = String::with_capacity(svg.len() + tooltips.len() * 120);
    let mut rest = svg.as_str();
    let mut next = tooltips.iter();
    while let Some(at) = rest.find("<circle") {
        let Some(end) = rest[at..].find("/>") else {
            break;
        };
        let element = &rest[at..at + end];
        out.push_str(&rest[..at]);
        match next.next() {
            Some(tip) => {
                out.push_str(element);
                out.push_str("><title>");
                out.push_str(&xml_escape(tip));
                out.push_str("</title></circle>");
            }
            None => {
                out.push_str(element);
                out.push_str("/>");
            }
        }
        rest = &rest[at + end + 2..];
    }
    out.push_str(rest);
    std::fs::write(path, out).with_context(|| format!("cannot write {}", path.display()))
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::footer_lines;

    #[test]
    fn footer_lines_wrap_at_joints_and_keep_every_word() {
        let long = (0..30)
            .map(|i| format!("part number {i}"))
            .collect::<Vec<_>>()
            .join("; ");
        let lines = footer_lines(&[&long, "short · line"]);
        assert!(lines.len() > 2, "{lines:?}");
        assert!(lines.iter().all(|l| l.chars().count() <= 140), "{lines:?}");
        assert_eq!(lines.last().map(String::as_str), Some("short · line"));
        let words = |s: &str| {
            s.split(|c: char| c.is_whitespace() || c == ';')
                .filter(|w| !w.is_empty())
                .map(str::to_string)
                .collect::<Vec<_>>()
        };
        let rejoined: Vec<String> = lines[..lines.len() - 1]
            .iter()
            .flat_map(|l| words(l))
            .collect();
        assert_eq!(rejoined, words(&long));
    }
}
