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

use std::collections::{BTreeMap, HashMap, HashSet};

use anyhow::Result;
use rayon::prelude::*;
use serde::Serialize;

use crate::align;
use crate::engine::{Engine, Filter};
use crate::matcher::Literal;

#[derive(Clone, Debug)]
pub struct RenderingOptions {
    pub filter: Filter,
    pub limit: usize,
    /// Renderings per year, side by side.
    pub by_year: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct Example {
    pub id: String,
    pub pair: String,
    pub date: String,
    pub source: String,
    pub target: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Rendering {
    /// The commonest spelling of the rendering.
    pub text: String,
    /// Every spelling seen (case, hyphens, typographic quotes folded for
    /// grouping: "zero-sum game" = "Zero sum game"), commonest first.
    pub spellings: Vec<String>,
    /// Share of the term's aligned segments.
    pub share: f64,
    /// The folded form the segments are grouped by.
    #[serde(skip)]
    pub key: String,
    /// Drift: per year, the share of that year's segments with the term
    /// whose other side has this rendering.
    pub by_year: BTreeMap<String, f64>,
    /// Aligned segments with the term whose other side has this rendering.
    pub pairs: usize,
    pub score: f64,
    pub first: String,
    pub last: String,
    pub example: Example,
}

#[derive(Clone, Debug, Serialize)]
pub struct Renderings {
    pub term: String,
    /// Aligned segments that contain the term, out of all aligned segments.
    pub segments_with_term: usize,
    pub segments: usize,
    pub renderings: Vec<Rendering>,
    /// Segments with the term whose other side has none of the renderings
    /// listed (paraphrase or omission), and one of them.
    pub not_rendered: usize,
    pub not_rendered_example: Option<Example>,
    /// With `by_year`: the renderings of each year's segments.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub by_year: BTreeMap<String, Vec<Rendering>>,
}

struct Seg {
    id: String,
    pair: String,
    date: String,
    source: String,
    target: String,
    /// The target side's candidates (distinct), folded (case, hyphens,
    /// typographic quotes) with the spelling seen.
    grams: HashMap<String, String>,
    has_term: bool,
}

impl Seg {
    fn example(&self) -> Example {
        Example {
            id: self.id.clone(),
            pair: self.pair.clone(),
            date: self.date.clone(),
            source: self.source.clone(),
            target: self.target.clone(),
        }
    }
}

pub fn renderings(engine: &Engine, term: &str, options: &RenderingOptions) -> Result<Renderings> {
    let literal = Literal::new(term).map_err(crate::error::UserError::BadQuery)?;
    let source_is_zh = literal.cjk;
    let allowed = engine.allowed(&options.filter)?;
    // Every paired document of the source language, once per pair.
    let pairs_field = engine.field_values("pair")?;
    let langs = engine.field_values("lang")?;
    let want = if source_is_zh { "zh" } else { "en" };
    let ids: Vec<String> = engine
        .all_addresses()
        .filter(|a| {
            allowed.keeps(*a) && pairs_field.get(*a).is_some() && langs.get(*a) == Some(want)
        })
        .map(|a| engine.stored_id(a))
        .collect::<Result<_>>()?;
    let segs: Vec<Seg> = ids
        .par_iter()
        .map(|id| -> Result<Vec<Seg>> {
            let Ok(a) = align::pair(engine, id) else {
                return Ok(Vec::new());
            };
            let date = match engine.address_of(id)? {
                Some(ad) => engine.stored(ad)?.date.unwrap_or_default(),
                None => String::new(),
            };
            Ok(a.segments
                .into_iter()
                .filter(|s| !s.zh.is_empty() && !s.en.is_empty())
                .map(|s| {
                    let (source, target) = if source_is_zh {
                        (s.zh, s.en)
                    } else {
                        (s.en, s.zh)
                    };
                    let has_term = literal.count(&source) > 0;
                    let grams = if source_is_zh {
                        english_grams(&target)
                    } else {
                        chinese_grams(&target)
                    };
                    Seg {
                        id: a.id.clone(),
                        pair: a.pair.clone(),
                        date: date.clone(),
                        source,
                        target,
                        grams,
                        has_term,
                    }
                })
                .collect())
        })
        .collect::<Result<Vec<_>>>()?
        .into_iter()
        .flatten()
        .collect();
    let all: Vec<&Seg> = segs.iter().collect();
    let mut renderings = rank(&all, options.limit);
    // Drift: each rendering's share of each year's segments with the term.
    let year_of = |s: &Seg| s.date.get(..4).unwrap_or("undated").to_string();
    let mut term_segs_by_year: BTreeMap<String, usize> = BTreeMap::new();
    for s in segs.iter().filter(|s| s.has_term) {
        *term_segs_by_year.entry(year_of(s)).or_default() += 1;
    }
    for r in &mut renderings {
        let mut with: BTreeMap<String, usize> = BTreeMap::new();
        for s in segs
            .iter()
            .filter(|s| s.has_term && s.grams.contains_key(&r.key))
        {
            *with.entry(year_of(s)).or_default() += 1;
        }
        r.by_year = term_segs_by_year
            .iter()
            .map(|(y, n)| {
                (
                    y.clone(),
                    with.get(y).copied().unwrap_or(0) as f64 / *n as f64,
                )
            })
            .collect();
    }
    let mut by_year = BTreeMap::new();
    if options.by_year {
        let mut years: BTreeMap<String, Vec<&Seg>> = BTreeMap::new();
        for s in &segs {
            years
                .entry(s.date.get(..4).unwrap_or("unknown").to_string())
                .or_default()
                .push(s);
        }
        for (y, v) in years {
            let r = rank(&v, options.limit);
            if !r.is_empty() {
                by_year.insert(y, r);
            }
        }
    }
    let unrendered: Vec<&Seg> = segs
        .iter()
        .filter(|s| s.has_term && !renderings.iter().any(|r| s.grams.contains_key(&r.key)))
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
        by_year,
    })
}

fn rank(segs: &[&Seg], limit: usize) -> Vec<Rendering> {
    let n1 = segs.iter().filter(|s| s.has_term).count() as f64;
    let n2 = segs.len() as f64 - n1;
    if n1 == 0.0 {
        return Vec::new();
    }
    let mut with: HashMap<&str, usize> = HashMap::new();
    let mut without: HashMap<&str, usize> = HashMap::new();
    for s in segs {
        let map = if s.has_term { &mut with } else { &mut without };
        for g in s.grams.keys() {
            *map.entry(g.as_str()).or_default() += 1;
        }
    }
    // Whole phrases: drop a candidate when a longer one holds ≥ 90 % of its term segments.
    let mut candidates: Vec<(&str, usize)> = with
        .iter()
        .filter(|(_, n)| **n >= 2)
        .map(|(g, n)| (*g, *n))
        .collect();
    candidates.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(b.0)));
    let kept: Vec<(&str, usize)> = candidates
        .iter()
        .filter(|(g, n)| {
            !candidates.iter().any(|(h, m)| {
                h.len() > g.len() && contains_unit(h, g) && (*m as f64) >= 0.9 * (*n as f64)
            })
        })
        .copied()
        .collect();
    let mut scored: Vec<(f64, &str, usize)> = kept
        .into_iter()
        .filter_map(|(g, a)| {
            let b = without.get(g).copied().unwrap_or(0) as f64;
            let a = a as f64;
            (a / n1 > b / n2.max(1.0)).then(|| {
                (
                    crate::emerging::log_likelihood(a, b, n1, n2.max(1.0)),
                    g,
                    a as usize,
                )
            })
        })
        .collect();
    // Whole phrases first: a longer rendering that carries most (≥ 2/3) of a
    // shorter one's term segments ("zero-sum game" of "zero-sum") takes the
    // shorter one's place in the order, the shorter one listed right after it
    // as an alternative.
    let carrier: HashMap<&str, &str> = scored
        .iter()
        .filter_map(|&(_, g, n)| {
            scored
                .iter()
                .filter(|&&(_, h, m)| {
                    h.len() > g.len() && contains_unit(h, g) && m as f64 >= WHOLE_SHARE * n as f64
                })
                .max_by(|a, b| a.2.cmp(&b.2).then(b.1.cmp(a.1)))
                .map(|&(_, h, _)| (g, h))
        })
        .collect();
    // Each candidate's group: the end of its chain of carriers (chains are
    // short and acyclic, each step being longer).
    let head: HashMap<&str, &str> = scored
        .iter()
        .map(|&(_, g, _)| {
            let mut h = g;
            while let Some(next) = carrier.get(h) {
                h = next;
            }
            (g, h)
        })
        .collect();
    let own: HashMap<&str, f64> = scored.iter().map(|&(sc, g, _)| (g, sc)).collect();
    let mut group_score: HashMap<&str, f64> = HashMap::new();
    for &(sc, g, _) in &scored {
        let e = group_score.entry(head[g]).or_insert(0.0);
        *e = e.max(sc);
    }
    scored.sort_by(|x, y| {
        let (hx, hy) = (head[x.1], head[y.1]);
        group_score[hy]
            .total_cmp(&group_score[hx])
            .then(hx.cmp(hy))
            // Within a group: the head, then longer before shorter.
            .then(y.1.len().cmp(&x.1.len()))
            .then(own[y.1].total_cmp(&own[x.1]))
            .then(x.1.cmp(y.1))
    });
    scored
        .into_iter()
        .take(limit)
        .map(|(score, g, pairs)| {
            // The spellings seen, commonest first.
            let mut spellings: HashMap<&str, usize> = HashMap::new();
            for s in segs.iter().filter(|s| s.has_term) {
                if let Some(surface) = s.grams.get(g) {
                    *spellings.entry(surface.as_str()).or_default() += 1;
                }
            }
            let mut spellings: Vec<(&str, usize)> = spellings.into_iter().collect();
            spellings.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
            let mut dates: Vec<&str> = segs
                .iter()
                .filter(|s| s.has_term && s.grams.contains_key(g))
                .map(|s| s.date.as_str())
                .collect();
            dates.sort();
            let example = segs
                .iter()
                .filter(|s| s.has_term && s.grams.contains_key(g))
                .min_by(|a, b| a.source.len().cmp(&b.source.len()))
                .map(|s| s.example());
            Rendering {
                text: spellings.first().map_or(g, |s| s.0).to_string(),
                key: g.to_string(),
                by_year: BTreeMap::new(),
                spellings: spellings.iter().map(|s| s.0.to_string()).collect(),
                share: pairs as f64 / n1,
                pairs,
                score: (score * 100.0).round() / 100.0,
                first: dates.first().map_or(String::new(), |d| d.to_string()),
                last: dates.last().map_or(String::new(), |d| d.to_string()),
                example: example.unwrap_or(Example {
                    id: String::new(),
                    pair: String::new(),
                    date: String::new(),
                    source: String::new(),
                    target: String::new(),
                }),
            }
        })
        .collect()
}

/// Share of a shorter rendering's term segments a longer one must carry to
/// be listed before it.
pub const WHOLE_SHARE: f64 = 2.0 / 3.0;

/// `g` is a whole-unit part of `h` (words for English, characters for Chinese).
fn contains_unit(h: &str, g: &str) -> bool {
    if g.chars().any(crate::text::is_cjk) {
        return h.contains(g);
    }
    format!(" {h} ").contains(&format!(" {g} "))
}

const STOP: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "from", "has", "have", "in",
    "is", "it", "its", "of", "on", "or", "that", "the", "their", "this", "to", "was", "we", "were",
    "which", "will", "with", "i", "you", "he", "she", "they", "our", "your", "not", "also", "q",
    "so", "if", "all",
];

/// English n-grams of 1–8 words inside punctuation-free chunks, lower-cased,
/// no stop word at either edge.
fn english_grams(text: &str) -> HashMap<String, String> {
    let lowered: String = text
        .to_lowercase()
        .chars()
        .map(crate::text::fold_quote)
        .collect();
    let mut out = HashMap::new();
    for chunk in
        lowered.split(|c: char| !(c.is_alphanumeric() || c == ' ' || c == '-' || c == '\''))
    {
        let words: Vec<&str> = chunk.split_whitespace().collect();
        for i in 0..words.len() {
            if STOP.contains(&words[i]) {
                continue;
            }
            for n in 1..=8 {
                if i + n > words.len() {
                    break;
                }
                let last = words[i + n - 1];
                if STOP.contains(&last) {
                    continue;
                }
                let surface = words[i..i + n].join(" ");
                // Hyphens fold to spaces for grouping ("zero-sum" = "zero sum").
                let key = surface
                    .replace('-', " ")
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ");
                out.entry(key).or_insert(surface);
            }
        }
    }
    out
}

/// Chinese strings of 2–12 Han characters inside runs of Han characters.
fn chinese_grams(text: &str) -> HashMap<String, String> {
    let mut out = HashMap::new();
    let mut run: Vec<char> = Vec::new();
    let mut flush = |run: &mut Vec<char>| {
        for i in 0..run.len() {
            for n in 2..=12 {
                if i + n > run.len() {
                    break;
                }
                let g: String = run[i..i + n].iter().collect();
                out.insert(g.clone(), g);
            }
        }
        run.clear();
    };
    for c in text.chars() {
        if crate::text::is_han(c) {
            run.push(c);
        } else {
            flush(&mut run);
        }
    }
    flush(&mut run);
    out
}

/// A rendering proposed for a family with the term (`--suggest-family`).
#[derive(Clone, Debug, Serialize)]
pub struct FamilySuggestion {
    pub text: String,
    /// Of the paired documents that contain the rendering, the share whose
    /// translation contains the term.
    pub specificity: f64,
    /// The rendering's first dated use in the corpus, under the filter.
    pub first: Option<String>,
}

/// The least [`FamilySuggestion::specificity`] of a rendering proposed.
pub const MIN_SPECIFICITY: f64 = 0.5;

/// Renderings worth putting in a family with the term: specific ones (at
/// least half of the paired documents that contain them are translations of
/// a document with the term) that do not start years before the term (a
/// generic phrase — "vision", "positive energy" in a 1997 UN speech — would
/// date the family by unrelated uses). At most `max`, in the ranking's order.
pub fn family_suggestions(
    engine: &Engine,
    r: &Renderings,
    filter: &Filter,
    max: usize,
) -> Result<Vec<FamilySuggestion>> {
    let allowed = engine.allowed(filter)?;
    let term = Literal::new(&r.term).map_err(crate::error::UserError::BadQuery)?;
    let term_matches = engine.evaluate(&term, &allowed)?;
    let with_term: HashSet<tantivy::DocAddress> = term_matches.iter().map(|m| m.address).collect();
    let first_year = |matches: &[crate::engine::Match]| {
        matches
            .iter()
            .map(|m| engine.date_key(m.address))
            .filter(|&k| k != 0)
            .min()
    };
    let term_first = first_year(&term_matches);
    let pairs = engine.field_values("pair")?;
    let mut out = Vec::new();
    for x in &r.renderings {
        let Ok(lit) = Literal::new(&x.text) else {
            continue;
        };
        let matches = engine.evaluate(&lit, &allowed)?;
        let mut paired = 0usize;
        let mut translating = 0usize;
        for m in &matches {
            let Some(pair) = pairs.get(m.address) else {
                continue;
            };
            paired += 1;
            if let Some(a) = engine.address_of(pair)?
                && with_term.contains(&a)
            {
                translating += 1;
            }
        }
        let specificity = if paired == 0 {
            0.0
        } else {
            translating as f64 / paired as f64
        };
        let first = first_year(&matches);
        let too_early = match (first, term_first) {
            (Some(f), Some(t)) => {
                (t / 10_000) as i32 - (f / 10_000) as i32
                    >= crate::history::series::GENERIC_MEMBER_YEARS
            }
            _ => false,
        };
        if specificity >= MIN_SPECIFICITY && !too_early {
            out.push(FamilySuggestion {
                text: x.text.clone(),
                specificity,
                first: first.map(|k| crate::date::DocDate::from_key(k).to_string()),
            });
        }
        if out.len() >= max {
            break;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grams_stay_inside_chunks_and_skip_stop_edges() {
        let g = english_grams("The Belt and Road Initiative, of course.");
        assert!(g.contains_key("belt and road"));
        assert!(g.contains_key("belt and road initiative"));
        assert!(!g.contains_key("the belt"));
        assert!(!g.contains_key("initiative of"));
        assert!(!g.contains_key("road initiative of course"));
        let c = chinese_grams("一带一路，倡议");
        assert!(c.contains_key("一带一路") && c.contains_key("倡议") && !c.contains_key("路倡"));
        // Spellings of one rendering share a key; the spelling seen is kept.
        let z = english_grams("a Zero-Sum game");
        assert_eq!(
            z.get("zero sum game").map(String::as_str),
            Some("zero-sum game")
        );
        let q = english_grams("China’s position");
        assert!(q.contains_key("china's position"));
    }
}
