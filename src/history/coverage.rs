//! `tifa coverage`: what the corpus holds, per collection (corpus file) and
//! period — so that "no earlier use" can be told from "no earlier documents".

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Result, anyhow};
use plotters::prelude::*;
use serde::Serialize;

use super::{Period, period_label};
use crate::engine::{Engine, Filter};
use crate::output::CHART_FONTS;

/// What `tifa coverage` asks.
#[derive(Clone, Debug)]
pub struct CoverageOptions {
    /// The documents looked at.
    pub filter: Filter,
    /// Per year or per month.
    pub by: Period,
}

/// Documents and their size in one period.
#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct Holdings {
    /// Documents.
    pub docs: u64,
    /// Han characters.
    pub han_chars: u64,
    /// English words.
    pub en_words: u64,
}

/// One collection.
#[derive(Clone, Debug, Serialize)]
pub struct CollectionCoverage {
    /// The collection (corpus file).
    pub collection: String,
    /// Its documents.
    pub docs: u64,
    /// Its undated documents.
    pub undated: u64,
    /// Its earliest date.
    pub first: Option<String>,
    /// Its latest date.
    pub last: Option<String>,
    /// True when most dated documents give the day (news, press conferences).
    pub daily: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// Holdings per year (`--by year`).
    pub by_year: Option<BTreeMap<String, Holdings>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// Holdings per month (`--by month`).
    pub by_month: Option<BTreeMap<String, Holdings>>,
    /// Empty years between the first and the last; for daily collections also
    /// the empty months (`2015-07`).
    pub gaps: Vec<String>,
}

impl CollectionCoverage {
    /// Dated documents per year, whatever the period of the counts.
    pub fn docs_by_year(&self) -> BTreeMap<i32, u64> {
        let mut out = BTreeMap::new();
        for (k, h) in self.by_year.iter().chain(self.by_month.iter()).flatten() {
            if let Some(y) = k.get(..4).and_then(|y| y.parse::<i32>().ok()) {
                *out.entry(y).or_default() += h.docs;
            }
        }
        out
    }
}

#[derive(Clone, Debug, Serialize)]
/// The answer of `tifa coverage`.
pub struct Coverage {
    /// One line per collection.
    pub collections: Vec<CollectionCoverage>,
}

/// The collection of documents indexed before collections were recorded.
const NO_COLLECTION: &str = "(none)";

#[derive(Default)]
struct Tally {
    periods: BTreeMap<String, Holdings>,
    years: BTreeMap<u64, u64>,
    months: BTreeMap<u64, u64>,
    docs: u64,
    undated: u64,
    day_precise: u64,
    first: u64,
    last: u64,
}

/// Counts every document the filter keeps, per collection and period.
pub fn coverage(engine: &Engine, options: &CoverageOptions) -> Result<Coverage> {
    let allowed = engine.allowed(&options.filter)?;
    let collections = engine.field_values("collection")?;
    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    for address in engine.all_addresses() {
        if !allowed.keeps(address) {
            continue;
        }
        let name = collections.get(address).unwrap_or(NO_COLLECTION);
        let t = tallies.entry(name.to_string()).or_default();
        let cols = engine.columns(address.segment_ord);
        let key = cols.date_key.first(address.doc_id).unwrap_or(0);
        let h = t.periods.entry(period_label(key, options.by)).or_default();
        h.docs += 1;
        h.han_chars += cols.han.first(address.doc_id).unwrap_or(0);
        h.en_words += cols.en_words.first(address.doc_id).unwrap_or(0);
        t.docs += 1;
        if key == 0 {
            t.undated += 1;
            continue;
        }
        *t.years.entry(key / 10_000).or_default() += 1;
        if key % 10_000 / 100 != 0 {
            *t.months.entry(key / 100).or_default() += 1;
        }
        if !key.is_multiple_of(100) {
            t.day_precise += 1;
        }
        t.first = if t.first == 0 { key } else { t.first.min(key) };
        t.last = t.last.max(key);
    }
    let collections = tallies
        .into_iter()
        .map(|(collection, t)| {
            let dated = t.docs - t.undated;
            // Daily: dated to the day, and on average at least 4 documents in a
            // month that has any (news, press conferences; not laws or speeches,
            // whose empty months say nothing).
            let months_with_docs = t.months.len().max(1) as u64;
            let daily =
                dated > 0 && t.day_precise * 10 >= dated * 8 && dated >= 4 * months_with_docs;
            let mut gaps = Vec::new();
            if let (Some(&y0), Some(&y1)) = (t.years.keys().next(), t.years.keys().next_back()) {
                gaps.extend(
                    (y0..=y1)
                        .filter(|y| !t.years.contains_key(y))
                        .map(|y| format!("{y:04}")),
                );
            }
            if daily
                && let (Some(&m0), Some(&m1)) =
                    (t.months.keys().next(), t.months.keys().next_back())
            {
                let mut m = m0;
                while m <= m1 {
                    if !t.months.contains_key(&m) && t.years.contains_key(&(m / 100)) {
                        gaps.push(format!("{:04}-{:02}", m / 100, m % 100));
                    }
                    m = if m % 100 == 12 {
                        (m / 100 + 1) * 100 + 1
                    } else {
                        m + 1
                    };
                }
            }
            gaps.sort();
            let label = |k: u64| (k != 0).then(|| crate::date::DocDate::from_key(k).to_string());
            let (by_year, by_month) = match options.by {
                Period::Year => (Some(t.periods), None),
                Period::Month => (None, Some(t.periods)),
            };
            CollectionCoverage {
                collection,
                docs: t.docs,
                undated: t.undated,
                first: label(t.first),
                last: label(t.last),
                daily,
                by_year,
                by_month,
                gaps,
            }
        })
        .collect();
    Ok(Coverage { collections })
}

/// A heat-map of documents per collection (rows) and year (columns), shaded
/// on a log scale; empty cells stay white.
pub fn heatmap_svg(coverage: &Coverage, path: &Path, footer: &[String]) -> Result<()> {
    let mut cells: Vec<(usize, i32, u64)> = Vec::new();
    for (row, c) in coverage.collections.iter().enumerate() {
        cells.extend(c.docs_by_year().into_iter().map(|(y, n)| (row, y, n)));
    }
    let (Some(y0), Some(y1)) = (
        cells.iter().map(|c| c.1).min(),
        cells.iter().map(|c| c.1).max(),
    ) else {
        return Err(anyhow!("no dated documents: no heat-map to draw"));
    };
    let rows = coverage.collections.len();
    let max = cells.iter().map(|c| c.2).max().unwrap_or(1).max(2) as f64;
    let (label_w, cell_w, cell_h, top, bottom) = (420i32, 14i32, 22i32, 60i32, 80i32);
    let cols = (y1 - y0 + 1).max(1);
    let width = (label_w + cols * cell_w + 40).max(700) as u32;
    let height = (top + rows as i32 * cell_h + bottom + 16 * footer.len() as i32) as u32;
    let draw = || -> Result<(), Box<dyn std::error::Error>> {
        let root = SVGBackend::new(path, (width, height)).into_drawing_area();
        root.fill(&WHITE)?;
        let font = (CHART_FONTS, 12).into_font();
        root.draw_text(
            "Documents per collection and year (darker: more, log scale; white: none)",
            &(CHART_FONTS, 18).into_font().color(&BLACK),
            (16, 18),
        )?;
        for (row, c) in coverage.collections.iter().enumerate() {
            let y = top + row as i32 * cell_h;
            let name: String = if c.collection.chars().count() > 60 {
                let tail: String = c.collection.chars().rev().take(58).collect();
                format!("…{}", tail.chars().rev().collect::<String>())
            } else {
                c.collection.clone()
            };
            root.draw_text(
                &format!("{name} ({})", c.docs),
                &font.color(&BLACK),
                (8, y + 5),
            )?;
        }
        for &(row, year, n) in &cells {
            let x = label_w + (year - y0) * cell_w;
            let y = top + row as i32 * cell_h;
            let shade = ((n as f64).ln_1p() / max.ln_1p()).clamp(0.08, 1.0);
            let colour = RGBColor(
                (235.0 - 205.0 * shade) as u8,
                (242.0 - 150.0 * shade) as u8,
                (250.0 - 80.0 * shade) as u8,
            );
            root.draw(&Rectangle::new(
                [(x, y), (x + cell_w - 1, y + cell_h - 2)],
                colour.filled(),
            ))?;
        }
        let axis_y = top + rows as i32 * cell_h + 6;
        // Every fifth year, and the first and last unless a label stands near.
        let labelled =
            |y: i32| y % 5 == 0 || ((y == y0 || y == y1) && (y - 2..=y + 2).all(|z| z % 5 != 0));
        for year in (y0..=y1).filter(|&y| labelled(y)) {
            let x = label_w + (year - y0) * cell_w;
            root.draw_text(&format!("{year}"), &font.color(&BLACK), (x - 6, axis_y))?;
        }
        for (i, line) in footer.iter().enumerate() {
            root.draw_text(
                line,
                &(CHART_FONTS, 12).into_font().color(&BLACK.mix(0.7)),
                (8, axis_y + 30 + 16 * i as i32),
            )?;
        }
        root.present()?;
        Ok(())
    };
    draw().map_err(|e| anyhow!("cannot draw {}: {e}", path.display()))
}
