//! `tifa renderings TERM`: how a term is rendered in the other language,
//! from the aligned paragraphs of paired documents ([`crate::align`]).
//!
//! The segments whose one side contains the term are compared with all other
//! aligned segments. Candidates on the other side: English word n-grams of 1–8
//! words within a sentence chunk (no stop word at either edge), or Chinese
//! strings of 2–12 Han characters for an English term. Score: log-likelihood G²
//! of the 2×2 table of segments (with / without the term × with / without the
//! candidate), positive association only. Whole phrases: a candidate is dropped
//! when a longer candidate holds at least 90 % of its term segments (`belt and`
//! gives way to `belt and road`), and a longer one that holds at least 2/3 of
//! a shorter one's segments is listed first, the shorter right after it
//! ("zero-sum game", then "zero-sum"). English candidates are grouped with case,
//! hyphens and typographic quotes folded, shown in their commonest spelling.
//!
//! This file gathers the segments and runs the steps: `grams.rs` the
//! candidates of each segment, `order.rs` the ranking (whole phrases,
//! complete renderings, parts), `padding.rs` the words that render Chinese
//! outside the term, `family.rs` the suggestions for a family.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock};

use anyhow::Result;
use rayon::prelude::*;
use serde::Serialize;

use crate::alignments::StoredPair;
use crate::engine::{Engine, Filter};
use crate::matcher::Literal;

mod family;
mod grams;
mod order;
mod padding;

pub use family::{FamilySuggestion, MIN_SPECIFICITY, family_suggestions};
use grams::{Finder, chinese_grams, english_grams, term_parts};
pub use order::WHOLE_SHARE;
use order::rank;
use padding::Padding;

#[derive(Clone, Debug)]
/// What `tifa renderings` asks.
pub struct RenderingOptions {
    /// The paired documents looked at.
    pub filter: Filter,
    /// How many renderings to list.
    pub limit: usize,
    /// Renderings per year, side by side.
    pub by_year: bool,
}

#[derive(Clone, Debug, Serialize)]
/// An aligned segment that shows a rendering.
pub struct Example {
    /// The id of the document with the term.
    pub id: String,
    /// The id of its paired document.
    pub pair: String,
    /// The segment's number in the aligned pair (from 1, as `tifa pair` shows it).
    pub segment: usize,
    /// The date of the document with the term.
    pub date: String,
    /// The segment's side with the term.
    pub source: String,
    /// The segment's other side, with the rendering.
    pub target: String,
}

#[derive(Clone, Debug, Serialize)]
/// One rendering of the term in the other language.
pub struct Rendering {
    /// The commonest spelling of the rendering.
    pub text: String,
    /// Every spelling seen (case, hyphens, typographic quotes folded for
    /// grouping: "zero-sum game" = "Zero sum game"), commonest first.
    pub spellings: Vec<String>,
    /// Share of the term's aligned segments.
    pub share: f64,
    /// The candidate's number in this call (for grouping segments).
    #[serde(skip)]
    id: u32,
    /// With a term of two or more parts (jieba words; English words): how
    /// many of them this rendering renders (see [`MIN_COMPLETE_SHARE`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub renders_parts: Option<usize>,
    /// Drift: per year, the share of that year's segments with the term
    /// whose other side has this rendering.
    pub by_year: BTreeMap<String, f64>,
    /// Aligned segments with the term whose other side has this rendering.
    pub pairs: usize,
    /// G² of the segments with the rendering among those with the term.
    pub score: f64,
    /// Date of the first segment with the term and this rendering.
    pub first: String,
    /// Date of the last such segment.
    pub last: String,
    /// One segment that shows it.
    pub example: Example,
}

#[derive(Clone, Debug, Serialize)]
/// How one part of the term is rendered on its own.
pub struct PartRendering {
    /// The part (a word of the term).
    pub part: String,
    /// Its commonest rendering, if it has one.
    pub rendering: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
/// The answer of `tifa renderings`.
pub struct Renderings {
    /// The term as given.
    pub term: String,
    /// Aligned segments that contain the term, out of all aligned segments.
    pub segments_with_term: usize,
    /// Aligned segments looked at.
    pub segments: usize,
    /// The renderings, whole phrases first.
    pub renderings: Vec<Rendering>,
    /// Segments with the term whose other side has none of the renderings
    /// listed (paraphrase or omission), and one of them.
    pub not_rendered: usize,
    /// A segment with the term whose other side has none of the renderings.
    pub not_rendered_example: Option<Example>,
    /// With a term of two or more parts: each part and its own rendering
    /// (the candidate most associated with it, also where the whole term is
    /// not); a rendering that holds more of them is complete.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<PartRendering>,
    /// With `by_year`: the renderings of each year's segments.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub by_year: BTreeMap<String, Vec<Rendering>>,
}

/// A segment of a stored pair, the term's language as `source`.
struct Seg<'a> {
    pair: &'a StoredPair,
    /// Its number in the pair (from 1).
    number: usize,
    source: &'a str,
    target: &'a str,
    has_term: bool,
    /// For a segment with the term: its other side's candidates (folded key →
    /// spelling seen), as proposed by [`english_grams`] / [`chinese_grams`].
    grams: Option<HashMap<String, String>>,
    /// The candidates the other side holds (ids into [`Found::keys`], ascending).
    present: Vec<u32>,
}

impl Seg<'_> {
    fn example(&self) -> Example {
        Example {
            id: self.pair.id.clone(),
            pair: self.pair.pair.clone(),
            segment: self.number,
            date: self.pair.date.clone(),
            source: self.source.to_string(),
            target: self.target.to_string(),
        }
    }

    fn year(&self) -> &str {
        self.pair.date.get(..4).unwrap_or("undated")
    }

    fn holds(&self, candidate: u32) -> bool {
        self.present.binary_search(&candidate).is_ok()
    }
}

/// The least share of the term's segments a rendering that renders every
/// part of the term must hold to be put first (see `rank`).
pub const MIN_COMPLETE_SHARE: f64 = 0.2;

/// How `term` is rendered in the other language, from aligned paired documents.
pub fn renderings(engine: &Engine, term: &str, options: &RenderingOptions) -> Result<Renderings> {
    let literal = Literal::new(term).map_err(crate::error::UserError::BadQuery)?;
    let source_is_zh = literal.cjk;
    let allowed = engine.allowed(&options.filter)?;
    // The pairs (aligned when the index was built) whose document in the
    // term's language passes the filter.
    let store = engine.alignments()?;
    let mut pairs: Vec<&StoredPair> = Vec::new();
    for p in store.iter() {
        let source_id = if source_is_zh { &p.id } else { &p.pair };
        if let Some(a) = engine.address_of(source_id)?
            && allowed.keeps(a)
        {
            pairs.push(p);
        }
    }
    let mut segs: Vec<Seg> = pairs
        .par_iter()
        .flat_map_iter(|p| {
            let literal = &literal;
            p.segments
                .iter()
                .enumerate()
                .filter(|(_, s)| !s.zh.is_empty() && !s.en.is_empty())
                .map(move |(i, s)| {
                    let (source, target) = if source_is_zh {
                        (s.zh.as_str(), s.en.as_str())
                    } else {
                        (s.en.as_str(), s.zh.as_str())
                    };
                    let has_term = literal.count(source) > 0;
                    let grams = has_term.then(|| {
                        if source_is_zh {
                            english_grams(target)
                        } else {
                            chinese_grams(target)
                        }
                    });
                    Seg {
                        pair: p,
                        number: i + 1,
                        source,
                        target,
                        has_term,
                        grams,
                        present: Vec::new(),
                    }
                })
        })
        .collect();
    // Candidates: what at least two segments with the term propose; then
    // every segment is searched for all of them at once.
    let mut proposed: HashMap<&str, usize> = HashMap::new();
    for s in &segs {
        for k in s.grams.iter().flat_map(|g| g.keys()) {
            *proposed.entry(k.as_str()).or_default() += 1;
        }
    }
    let mut keys: Vec<String> = proposed
        .into_iter()
        .filter(|(_, n)| *n >= 2)
        .map(|(k, _)| k.to_string())
        .collect();
    keys.sort();
    let finder = Finder::new(&keys, source_is_zh)?;
    segs.par_iter_mut()
        .for_each(|s| s.present = finder.present(s.target));
    let (part_words, parts) = term_parts(&literal, &segs);
    let everything: Vec<usize> = (0..segs.len()).collect();
    let padding = Padding::new(&segs, &literal);
    let (mut renderings, part_renderings) =
        rank(&segs, &everything, &keys, &parts, &padding, options.limit);
    let part_lines: Vec<PartRendering> = part_words
        .into_iter()
        .zip(part_renderings)
        .map(|(part, rendering)| PartRendering { part, rendering })
        .collect();
    // Drift: each rendering's share of each year's segments with the term.
    let mut term_segs_by_year: BTreeMap<String, usize> = BTreeMap::new();
    for s in segs.iter().filter(|s| s.has_term) {
        *term_segs_by_year.entry(s.year().to_string()).or_default() += 1;
    }
    for r in &mut renderings {
        let mut with: BTreeMap<&str, usize> = BTreeMap::new();
        for s in segs.iter().filter(|s| s.has_term && s.holds(r.id)) {
            *with.entry(s.year()).or_default() += 1;
        }
        r.by_year = term_segs_by_year
            .iter()
            .map(|(y, n)| {
                (
                    y.clone(),
                    with.get(y.as_str()).copied().unwrap_or(0) as f64 / *n as f64,
                )
            })
            .collect();
    }
    let mut by_year = BTreeMap::new();
    if options.by_year {
        let mut years: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (i, s) in segs.iter().enumerate() {
            years.entry(s.year()).or_default().push(i);
        }
        for (y, v) in years {
            let (r, _) = rank(&segs, &v, &keys, &parts, &padding, options.limit);
            if !r.is_empty() {
                by_year.insert(y.to_string(), r);
            }
        }
    }
    let unrendered: Vec<&Seg> = segs
        .iter()
        .filter(|s| s.has_term && !renderings.iter().any(|r| s.holds(r.id)))
        .collect();
    Ok(Renderings {
        not_rendered: unrendered.len(),
        not_rendered_example: unrendered
            .iter()
            .min_by(|a, b| a.source.len().cmp(&b.source.len()))
            .map(|s| s.example()),
        term: term.to_string(),
        segments_with_term: segs.iter().filter(|s| s.has_term).count(),
        segments: segs.len(),
        renderings,
        parts: part_lines,
        by_year,
    })
}
