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
use std::sync::{Arc, Mutex, OnceLock};

use anyhow::Result;
use rayon::prelude::*;
use serde::Serialize;

use crate::alignments::StoredPair;
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
    /// The segment's number in the aligned pair (from 1, as `tifa pair` shows it).
    pub segment: usize,
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
    pub score: f64,
    pub first: String,
    pub last: String,
    pub example: Example,
}

#[derive(Clone, Debug, Serialize)]
pub struct PartRendering {
    pub part: String,
    pub rendering: Option<String>,
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

/// Tells whether a longer English candidate only adds words that render
/// Chinese outside the term: "chinese embassy" for 大使馆 ("chinese" is 中国
/// of 中国驻…大使馆), "foreign ministry spokesperson" for 发言人 (外交部),
/// "second question" for 第二个 (问题). Such a phrase is padded: it neither
/// replaces the shorter rendering nor is put first as the complete one, nor
/// stands above it.
///
/// An added word is padding when some Chinese string that shares no
/// character with the term stands beside it in at least half of the term's
/// segments where the word is, and the word goes with that string both among
/// the term's segments (said with it, rarely without it: "chinese" with 中国
/// in the segments of 大使馆) and among all other segments (a translation
/// of it, not a coincidence of this term's contexts), and goes with it
/// there more strongly (G²) than with any of the term's own characters (a
/// word may render one of them: "group" 组 of 工作组 is not padding, though
/// 联合工作组 is "joint working group"). Only for a Chinese term (English
/// renderings); an English term's Chinese candidates are not checked.
struct Padding<'a> {
    segs: &'a [Seg<'a>],
    term_chars: Vec<char>,
    english: bool,
    /// Built on the first check (most calls never need one).
    tables: OnceLock<PaddingTables>,
    /// The segments without the term holding a string (ascending), per string.
    other_with: Mutex<HashMap<String, Arc<Vec<u32>>>>,
    memo: Mutex<HashMap<String, bool>>,
}

/// What every padding check reads, built once per call.
struct PaddingTables {
    /// Each word of the other sides (folded as [`english_grams`] folds) →
    /// the segments holding it, ascending.
    word_segs: HashMap<String, Vec<u32>>,
    /// Per segment: its place among the segments with the term, if it has it.
    term_place: Vec<Option<u32>>,
    term_total: usize,
    other_total: usize,
    /// Per segment with the term: the ids of the 2–4-character strings of its
    /// source that share no character with the term (sorted, once each).
    term_grams: Vec<Vec<u32>>,
    gram_text: Vec<String>,
    /// Per string id: how many segments with the term hold it.
    gram_term_segs: Vec<u32>,
    /// Per character of the term: the segments without the term holding it.
    char_other: Vec<Vec<u32>>,
}

impl<'a> Padding<'a> {
    fn new(segs: &'a [Seg<'a>], literal: &Literal) -> Padding<'a> {
        let mut term_chars: Vec<char> = literal
            .normalized
            .chars()
            .filter(|&c| crate::text::is_han(c))
            .collect();
        term_chars.sort_unstable();
        term_chars.dedup();
        Padding {
            segs,
            term_chars,
            english: literal.cjk,
            tables: OnceLock::new(),
            other_with: Mutex::new(HashMap::new()),
            memo: Mutex::new(HashMap::new()),
        }
    }

    /// `longer` (which holds `shorter` as a whole-word part) adds a padding word.
    /// `protected`: words of the renderings of the term's parts, never
    /// padding ("issue" renders 问题 of 南海问题, whatever else it goes with).
    fn padded(&self, longer: &str, shorter: &str, protected: &HashSet<&str>) -> bool {
        if !self.english {
            return false;
        }
        added_words(longer, shorter)
            .into_iter()
            .filter(|w| w.chars().count() >= 2 && !protected.contains(w))
            .any(|w| self.word_is_padding(w))
    }

    /// `longer` (holding `shorter` as a whole-word part) only adds words that
    /// render the term's own characters and are no padding: "ministry of
    /// public security" for 公安部 ("ministry" goes with 部), "last weekend"
    /// for 上周末 ("last" with 上). Stop words ("of", "the") are not counted.
    fn extends(&self, longer: &str, shorter: &str, protected: &HashSet<&str>) -> bool {
        if !self.english {
            return false;
        }
        // A word of the shorter phrase said again adds nothing ("chain and
        // value chain").
        let own_words: HashSet<&str> = shorter.split(' ').collect();
        let added = added_words(longer, shorter);
        if added.iter().any(|w| own_words.contains(w)) {
            return false;
        }
        !added.is_empty()
            && added.iter().all(|w| {
                protected.contains(w) || (self.renders_term_char(w) && !self.word_is_padding(w))
            })
    }

    /// The word goes with one of the term's characters among the segments
    /// without the term (see [`goes_with`]).
    fn renders_term_char(&self, word: &str) -> bool {
        let t = self.tables();
        let Some(with_word) = t.word_segs.get(word) else {
            return false;
        };
        let other_and_word = with_word
            .iter()
            .filter(|&&i| t.term_place[i as usize].is_none())
            .count();
        t.char_other.iter().any(|holding| {
            let a = sorted_overlap(holding, with_word);
            // Mostly said where the character is, and not by chance.
            2 * a >= other_and_word
                && goes_with(
                    a as f64,
                    holding.len() as f64,
                    (other_and_word - a) as f64,
                    (t.other_total - holding.len()) as f64,
                )
        })
    }

    fn word_is_padding(&self, word: &str) -> bool {
        if let Some(known) = self.memo.lock().ok().and_then(|m| m.get(word).copied()) {
            return known;
        }
        let answer = self.compute(word);
        if let Ok(mut m) = self.memo.lock() {
            m.insert(word.to_string(), answer);
        }
        answer
    }

    fn tables(&self) -> &PaddingTables {
        self.tables.get_or_init(|| {
            let segs = self.segs;
            let words: Vec<Vec<String>> = segs
                .par_iter()
                .map(|s| {
                    let folded: String = s
                        .target
                        .to_lowercase()
                        .chars()
                        .map(crate::text::fold_quote)
                        .map(|c| {
                            if c.is_alphanumeric() || c == '\'' {
                                c
                            } else {
                                ' '
                            }
                        })
                        .collect();
                    let mut w: Vec<String> =
                        folded.split_whitespace().map(str::to_string).collect();
                    w.sort_unstable();
                    w.dedup();
                    w
                })
                .collect();
            let mut word_segs: HashMap<String, Vec<u32>> = HashMap::new();
            for (i, ws) in words.into_iter().enumerate() {
                for w in ws {
                    word_segs.entry(w).or_default().push(i as u32);
                }
            }
            let mut term_place = vec![None; segs.len()];
            let mut gram_id: HashMap<String, u32> = HashMap::new();
            let mut gram_text: Vec<String> = Vec::new();
            let mut gram_term_segs: Vec<u32> = Vec::new();
            let mut term_grams: Vec<Vec<u32>> = Vec::new();
            for (i, s) in segs.iter().enumerate().filter(|(_, s)| s.has_term) {
                term_place[i] = Some(term_grams.len() as u32);
                let chars: Vec<char> = s.source.chars().collect();
                let mut ids: Vec<u32> = Vec::new();
                for a in 0..chars.len() {
                    for n in 2..=4 {
                        let Some(run) = chars.get(a..a + n) else {
                            break;
                        };
                        if !run.iter().all(|&c| {
                            crate::text::is_han(c) && self.term_chars.binary_search(&c).is_err()
                        }) {
                            break;
                        }
                        let g: String = run.iter().collect();
                        let next = gram_text.len() as u32;
                        let id = *gram_id.entry(g.clone()).or_insert_with(|| {
                            gram_text.push(g);
                            gram_term_segs.push(0);
                            next
                        });
                        ids.push(id);
                    }
                }
                ids.sort_unstable();
                ids.dedup();
                for &id in &ids {
                    gram_term_segs[id as usize] += 1;
                }
                term_grams.push(ids);
            }
            let term_total = term_grams.len();
            let char_other = self
                .term_chars
                .iter()
                .map(|&c| {
                    (0..segs.len() as u32)
                        .filter(|&i| {
                            !segs[i as usize].has_term && segs[i as usize].source.contains(c)
                        })
                        .collect()
                })
                .collect();
            PaddingTables {
                word_segs,
                term_place,
                term_total,
                other_total: segs.len() - term_total,
                term_grams,
                gram_text,
                gram_term_segs,
                char_other,
            }
        })
    }

    /// The segments without the term whose source holds `g`.
    fn other_with(&self, g: &str) -> Arc<Vec<u32>> {
        if let Some(v) = self.other_with.lock().ok().and_then(|m| m.get(g).cloned()) {
            return v;
        }
        let v: Arc<Vec<u32>> = Arc::new(
            (0..self.segs.len() as u32)
                .into_par_iter()
                .filter(|&i| {
                    let s = &self.segs[i as usize];
                    !s.has_term && s.source.contains(g)
                })
                .collect(),
        );
        if let Ok(mut m) = self.other_with.lock() {
            m.insert(g.to_string(), Arc::clone(&v));
        }
        v
    }

    fn compute(&self, word: &str) -> bool {
        let t = self.tables();
        let Some(with_word) = t.word_segs.get(word) else {
            return false;
        };
        let term_and_word: Vec<u32> = with_word
            .iter()
            .filter_map(|&i| t.term_place[i as usize])
            .collect();
        if term_and_word.is_empty() {
            return false;
        }
        let other_and_word = with_word.len() - term_and_word.len();
        // [with the string and the word, with the string, with the word but
        // not the string, without the string] among the segments without the
        // term, given the segments holding the string.
        let other_table = |holding: &[u32]| -> [f64; 4] {
            let a = sorted_overlap(holding, with_word);
            [
                a as f64,
                holding.len() as f64,
                (other_and_word - a) as f64,
                (t.other_total - holding.len()) as f64,
            ]
        };
        // How strongly the word goes with a string among the segments
        // without the term: G² when it goes with it (see [`goes_with`]), 0
        // otherwise.
        let strength = |x: [f64; 4]| {
            if goes_with(x[0], x[1], x[2], x[3]) {
                crate::emerging::log_likelihood(x[0], x[2], x[1], x[3])
            } else {
                0.0
            }
        };
        // A word may render one of the term's own characters ("group" 组,
        // "chain" 链): it pads only if it goes more strongly with the string
        // outside the term ("chinese" with 中国 rather than with 使 of 大使馆).
        // Computed only when a string passes the other tests.
        let own = std::cell::OnceCell::new();
        let own = || {
            *own.get_or_init(|| {
                t.char_other
                    .iter()
                    .map(|holding| strength(other_table(holding)))
                    .fold(0.0f64, f64::max)
            })
        };
        // Chinese strings (2–4 characters, none of the term's) beside the
        // word in at least half of the term's segments where the word is.
        let mut beside: HashMap<u32, usize> = HashMap::new();
        for &place in &term_and_word {
            for &g in &t.term_grams[place as usize] {
                *beside.entry(g).or_default() += 1;
            }
        }
        let needed = (term_and_word.len() as f64 / 2.0).max(2.0);
        let mut strings: Vec<(u32, usize)> = beside
            .into_iter()
            .filter(|&(_, n)| n as f64 >= needed)
            .collect();
        strings.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        strings.iter().any(|&(g, a)| {
            // Among the term's segments first (few): a word the term's
            // segments hold whether or not g is there ("chain" of 价值链,
            // also beside 供应 of "supply chain") is the term's; so is one g
            // never leaves (no evidence either way).
            let n1 = t.gram_term_segs[g as usize] as f64;
            let b = (term_and_word.len() - a) as f64;
            if !goes_with(a as f64, n1, b, t.term_total as f64 - n1) {
                return false;
            }
            let other = other_table(&self.other_with(&t.gram_text[g as usize]));
            goes_with(other[0], other[1], other[2], other[3]) && strength(other) > own()
        })
    }
}

/// The words `longer` adds around `shorter` (a whole-word part of it), stop
/// words aside; none if `shorter` is not such a part.
fn added_words<'s>(longer: &'s str, shorter: &str) -> Vec<&'s str> {
    let Some(at) = format!(" {longer} ").find(&format!(" {shorter} ")) else {
        return Vec::new();
    };
    // `at` is the index in " longer " of the space before `shorter`, so the
    // words before it end at `at` in `longer` and those after start past it.
    let before = &longer[..at.saturating_sub(1).min(longer.len())];
    let after = longer.get(at + shorter.len()..).unwrap_or("");
    before
        .split(' ')
        .chain(after.split(' '))
        .filter(|w| !w.is_empty() && !STOP.contains(w))
        .collect()
}

/// How many values two ascending lists share.
fn sorted_overlap(a: &[u32], b: &[u32]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

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

/// Finds every candidate in a segment's other side at once (Aho–Corasick).
/// English candidates are matched on whole words of the text folded as
/// [`english_grams`] folds it (case, typographic quotes, hyphens as spaces),
/// never across punctuation, with at most 8 words and no stop word at either
/// edge; Chinese candidates anywhere in the text.
struct Finder {
    automaton: Option<aho_corasick::AhoCorasick>,
    english: bool,
}

impl Finder {
    fn new(keys: &[String], english: bool) -> Result<Finder> {
        let automaton = if keys.is_empty() {
            None
        } else {
            Some(
                aho_corasick::AhoCorasick::builder()
                    .match_kind(aho_corasick::MatchKind::Standard)
                    .build(keys)?,
            )
        };
        Ok(Finder { automaton, english })
    }

    fn present(&self, text: &str) -> Vec<u32> {
        let Some(ac) = &self.automaton else {
            return Vec::new();
        };
        let mut out: Vec<u32> = if self.english {
            // Punctuation becomes a line break (a chunk boundary); `words`
            // keeps hyphens, `folded` has them as spaces (same byte offsets).
            let words: String = text
                .to_lowercase()
                .chars()
                .map(crate::text::fold_quote)
                .map(|c| {
                    if c.is_alphanumeric() || c == ' ' || c == '-' || c == '\'' {
                        c
                    } else {
                        '\n'
                    }
                })
                .collect();
            let folded = words.replace('-', " ");
            let bytes = words.as_bytes();
            let edge = |i: usize| i == 0 || i == bytes.len() || matches!(bytes[i], b' ' | b'\n');
            ac.find_overlapping_iter(&folded)
                .filter(|m| {
                    let (s, e) = (m.start(), m.end());
                    if !(edge(e) && (s == 0 || matches!(bytes[s - 1], b' ' | b'\n'))) {
                        return false;
                    }
                    let ws: Vec<&str> = words[s..e].split(' ').filter(|w| !w.is_empty()).collect();
                    ws.len() <= 8
                        && ws.first().is_some_and(|w| !STOP.contains(w))
                        && ws.last().is_some_and(|w| !STOP.contains(w))
                })
                .map(|m| m.pattern().as_u32())
                .collect()
        } else {
            ac.find_overlapping_iter(text)
                .map(|m| m.pattern().as_u32())
                .collect()
        };
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// The parts of a term a complete rendering renders: its jieba words of two
/// or more characters (Chinese) or its words that are not stop words
/// (English), with the segments whose source side holds each. Fewer than
/// two parts: none.
fn term_parts(literal: &Literal, segs: &[Seg]) -> (Vec<String>, Vec<Vec<bool>>) {
    let han_words = |words: Vec<&str>| -> Vec<String> {
        words
            .into_iter()
            .filter(|w| w.chars().filter(|&c| crate::text::is_han(c)).count() >= 2)
            .filter(|w| *w != literal.normalized)
            .map(str::to_string)
            .collect()
    };
    let words: Vec<String> = if literal.cjk {
        let jieba = jieba_rs::Jieba::new();
        // jieba's words; one of four or more characters that the dictionary
        // splits further (干涉内政 → 干涉 + 内政, 改革开放 → 改革 + 开放) gives
        // its sub-words instead, left to right without overlap.
        let mut words = Vec::new();
        for t in jieba.cut(&literal.normalized, false) {
            let w = t.word;
            let mut inner: Vec<jieba_rs::Token> = if w.chars().count() >= 4 {
                jieba
                    .cut_for_search(w, false)
                    .into_iter()
                    .filter(|s| s.word != w && s.word.chars().count() >= 2)
                    .collect()
            } else {
                Vec::new()
            };
            inner.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
            let mut tiles: Vec<&str> = Vec::new();
            let mut reached = 0;
            for s in &inner {
                if s.start >= reached {
                    tiles.push(s.word);
                    reached = s.end;
                }
            }
            if tiles.len() >= 2 {
                words.extend(tiles);
            } else {
                words.push(w);
            }
        }
        han_words(words)
    } else {
        literal
            .normalized
            .split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '\''))
            .filter(|w| w.chars().count() >= 2 && !STOP.contains(w))
            .map(str::to_string)
            .collect()
    };
    let mut distinct: Vec<String> = Vec::new();
    for w in words {
        if !distinct.contains(&w) {
            distinct.push(w);
        }
    }
    distinct.retain(|w| Literal::new(w).is_ok());
    if distinct.len() < 2 {
        return (Vec::new(), Vec::new());
    }
    let found = distinct
        .iter()
        .filter_map(|w| Literal::new(w).ok())
        .map(|part| segs.par_iter().map(|s| part.count(s.source) > 0).collect())
        .collect();
    (distinct, found)
}

/// The renderings of the term in `subset` of the segments, best first, and
/// the rendering found for each part of the term (see [`completeness`]).
fn rank(
    segs: &[Seg],
    subset: &[usize],
    keys: &[String],
    parts: &[Vec<bool>],
    padding: &Padding,
    limit: usize,
) -> (Vec<Rendering>, Vec<Option<String>>) {
    let n1 = subset.iter().filter(|&&i| segs[i].has_term).count() as f64;
    let n2 = subset.len() as f64 - n1;
    if n1 == 0.0 {
        return (Vec::new(), Vec::new());
    }
    let mut with: HashMap<u32, usize> = HashMap::new();
    let mut without: HashMap<u32, usize> = HashMap::new();
    for &i in subset {
        let s = &segs[i];
        let map = if s.has_term { &mut with } else { &mut without };
        for &c in &s.present {
            *map.entry(c).or_default() += 1;
        }
    }
    let key = |c: u32| keys[c as usize].as_str();
    let taken = part_renderings(segs, subset, keys, parts);
    let protected: HashSet<&str> = taken
        .iter()
        .flatten()
        .flat_map(|&c| key(c).split(' '))
        .collect();
    // Whole phrases: drop a candidate when a longer one holds ≥ 90 % of its
    // term segments. Each candidate's longer holders are found by listing the
    // parts of every candidate (at most 8 words or 12 characters: a few
    // dozen each), not by comparing all pairs.
    let id_of: HashMap<&str, u32> = with.keys().map(|&c| (key(c), c)).collect();
    // Padding is checked only where a line that may be shown is concerned:
    // the candidates with the highest G² (the check reads every segment;
    // lines far down the list keep the plain rules).
    let shown_at_most = (3 * limit).max(30);
    let mut by_score: Vec<(f64, u32)> = with
        .iter()
        .filter(|&(_, &a)| a >= 2)
        .map(|(&g, &a)| {
            let b = without.get(&g).copied().unwrap_or(0) as f64;
            (
                crate::emerging::log_likelihood(a as f64, b, n1, n2.max(1.0)),
                g,
            )
        })
        .collect();
    by_score.sort_by(|x, y| y.0.total_cmp(&x.0).then(key(x.1).cmp(key(y.1))));
    let may_show: HashSet<u32> = by_score
        .iter()
        .take(shown_at_most)
        .map(|&(_, g)| g)
        .collect();
    let padded = |longer: u32, shorter: u32| {
        may_show.contains(&shorter) && padding.padded(key(longer), key(shorter), &protected)
    };
    let mut best_holder: HashMap<u32, usize> = HashMap::new();
    for (&h, &m) in &with {
        if m < 2 {
            continue;
        }
        for part in sub_units(key(h)) {
            if let Some(&g) = id_of.get(part) {
                // Only a holder that would drop the part is checked for
                // padding (the check reads every segment).
                let e = best_holder.entry(g).or_default();
                if m > *e && m as f64 >= 0.9 * with[&g] as f64 && !padded(h, g) {
                    *e = m;
                }
            }
        }
    }
    let mut scored: Vec<(f64, u32, usize)> = with
        .iter()
        .filter(|&(g, &n)| {
            n >= 2
                && best_holder
                    .get(g)
                    .is_none_or(|&m| (m as f64) < 0.9 * n as f64)
        })
        .filter_map(|(&g, &a)| {
            let b = without.get(&g).copied().unwrap_or(0) as f64;
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
    // as an alternative; of several such, the one with the most segments.
    let scored_pairs: HashMap<u32, usize> = scored.iter().map(|&(_, g, n)| (g, n)).collect();
    let mut carrier: HashMap<u32, (usize, u32)> = HashMap::new();
    for &(_, h, m) in &scored {
        for part in sub_units(key(h)) {
            let Some(&g) = id_of.get(part) else { continue };
            let Some(&n) = scored_pairs.get(&g) else {
                continue;
            };
            let better = match carrier.get(&g) {
                None => true,
                Some(&(bm, bh)) => m > bm || (m == bm && key(h) < key(bh)),
            };
            if better && m as f64 >= WHOLE_SHARE * n as f64 && !padded(h, g) {
                carrier.insert(g, (m, h));
            }
        }
    }
    let carrier: HashMap<u32, u32> = carrier.into_iter().map(|(g, (_, h))| (g, h)).collect();
    // Each candidate's group: the end of its chain of carriers (chains are
    // short and acyclic, each step being longer).
    let head: HashMap<u32, u32> = scored
        .iter()
        .map(|&(_, g, _)| {
            let mut h = g;
            while let Some(&next) = carrier.get(&h) {
                h = next;
            }
            (g, h)
        })
        .collect();
    // A padded phrase never stands above the shorter line it pads: a group
    // headed by one that would rank higher goes under that line (the one with
    // the most segments), listed after its own members ("second question"
    // under "second" for 第二个). A padded group ranked lower stays where it is.
    let mut unmerged_score: HashMap<u32, f64> = HashMap::new();
    for &(sc, g, _) in &scored {
        let e = unmerged_score.entry(head[&g]).or_insert(0.0);
        *e = e.max(sc);
    }
    let mut merge: HashMap<u32, u32> = HashMap::new();
    // Only a line that may be shown can have a padded line put under it.
    let showable: Vec<(f64, u32, usize)> = scored
        .iter()
        .copied()
        .filter(|(_, g, _)| may_show.contains(g))
        .collect();
    for &(_, h, m) in &scored {
        if head[&h] != h {
            continue;
        }
        let under = showable
            .iter()
            .filter(|&&(_, g, n)| {
                g != h
                    && n >= m
                    && head[&g] != h
                    && unmerged_score[&h] > unmerged_score[&head[&g]]
                    && contains_unit(key(h), key(g))
                    && padded(h, g)
            })
            .max_by(|a, b| a.2.cmp(&b.2).then(key(b.1).cmp(key(a.1))));
        if let Some(&(_, g, _)) = under {
            merge.insert(h, g);
        }
    }
    let unmerged_head = head.clone();
    let head: HashMap<u32, u32> = head
        .iter()
        .map(|(&g, &h0)| {
            let mut h = h0;
            let mut seen = HashSet::from([h]);
            while let Some(&under) = merge.get(&h) {
                let next = head[&under];
                if !seen.insert(next) {
                    break;
                }
                h = next;
            }
            (g, h)
        })
        .collect();
    let own: HashMap<u32, f64> = scored.iter().map(|&(sc, g, _)| (g, sc)).collect();
    let mut group_score: HashMap<u32, f64> = HashMap::new();
    for &(sc, g, _) in &scored {
        let e = group_score.entry(head[&g]).or_insert(0.0);
        *e = e.max(sc);
    }
    scored.sort_by(|x, y| {
        let (hx, hy) = (head[&x.1], head[&y.1]);
        group_score[&hy]
            .total_cmp(&group_score[&hx])
            .then(key(hx).cmp(key(hy)))
            // Within a group: the head, then its own members longer before
            // shorter, then the padded lines put under it.
            .then((y.1 == hy).cmp(&(x.1 == hx)))
            .then((unmerged_head[&x.1] != hx).cmp(&(unmerged_head[&y.1] != hy)))
            .then(key(y.1).len().cmp(&key(x.1).len()))
            .then(own[&y.1].total_cmp(&own[&x.1]))
            .then(key(x.1).cmp(key(y.1)))
    });
    // The complete rendering first: a longer phrase holding the first line
    // that renders more parts of the term (南海 + 问题 → "south china sea
    // issue" over "south china sea"), with at least MIN_COMPLETE_SHARE of
    // the term's segments.
    let complete = completeness(keys, &taken, &scored);
    if let Some(&(_, first, _)) = scored.first() {
        let covered_first = complete.get(&first).copied().unwrap_or(0);
        let best =
            scored
                .iter()
                .enumerate()
                .filter(|(_, c)| c.2 as f64 >= MIN_COMPLETE_SHARE * n1)
                .filter(|(_, c)| contains_unit(key(c.1), key(first)))
                .filter(|(_, c)| complete.get(&c.1).copied().unwrap_or(0) > covered_first)
                .max_by(|(_, a), (_, b)| {
                    // Rendering more of the term first; then one that is not
                    // padded (if every complete phrase pads, the commonest of
                    // them still renders the whole term: 不干涉内政 →
                    // "non-interference in each other's internal affairs").
                    complete[&a.1]
                        .cmp(&complete[&b.1])
                        .then(
                            (!padding.padded(key(a.1), key(first), &protected))
                                .cmp(&!padding.padded(key(b.1), key(first), &protected)),
                        )
                        .then(a.2.cmp(&b.2))
                        .then(a.0.total_cmp(&b.0))
                })
                .map(|(i, _)| i);
        if let Some(i) = best {
            let line = scored.remove(i);
            scored.insert(0, line);
        }
    }
    // The whole phrase over a fragment: a longer line holding the first one
    // whose added words render the term's own characters (and pad nothing)
    // comes first when it holds at least MIN_COMPLETE_SHARE of the term's
    // segments: 公安部 → "ministry of public security" over "public
    // security", 上周末 → "last weekend" over "weekend". Of several, the
    // one with the most segments.
    if let Some(&(_, first, _)) = scored.first() {
        let whole = scored
            .iter()
            .enumerate()
            .skip(1)
            .filter(|(_, c)| c.2 as f64 >= MIN_COMPLETE_SHARE * n1)
            .filter(|(_, c)| contains_unit(key(c.1), key(first)))
            .filter(|(_, c)| padding.extends(key(c.1), key(first), &protected))
            .max_by(|(_, a), (_, b)| a.2.cmp(&b.2).then(key(b.1).cmp(key(a.1))))
            .map(|(i, _)| i);
        if let Some(i) = whole {
            let line = scored.remove(i);
            scored.insert(0, line);
        }
    }
    let part_renderings = taken
        .into_iter()
        .map(|t| t.map(|c| key(c).to_string()))
        .collect();
    let lines = scored
        .into_iter()
        .take(limit)
        .map(|(score, g, pairs)| {
            let holding: Vec<&Seg> = subset
                .iter()
                .map(|&i| &segs[i])
                .filter(|s| s.has_term && s.holds(g))
                .collect();
            // The spellings seen, commonest first.
            let mut spellings: HashMap<&str, usize> = HashMap::new();
            for s in &holding {
                let surface = s
                    .grams
                    .as_ref()
                    .and_then(|m| m.get(key(g)))
                    .map_or(key(g), String::as_str);
                *spellings.entry(surface).or_default() += 1;
            }
            let mut spellings: Vec<(&str, usize)> = spellings.into_iter().collect();
            spellings.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
            let mut dates: Vec<&str> = holding.iter().map(|s| s.pair.date.as_str()).collect();
            dates.sort();
            let example = holding
                .iter()
                .min_by(|a, b| a.source.len().cmp(&b.source.len()))
                .map(|s| s.example());
            Rendering {
                text: spellings.first().map_or(key(g), |s| s.0).to_string(),
                id: g,
                by_year: BTreeMap::new(),
                spellings: spellings.iter().map(|s| s.0.to_string()).collect(),
                share: pairs as f64 / n1,
                pairs,
                score: (score * 100.0).round() / 100.0,
                renders_parts: complete.get(&g).copied(),
                first: dates.first().map_or(String::new(), |d| d.to_string()),
                last: dates.last().map_or(String::new(), |d| d.to_string()),
                example: example.unwrap_or(Example {
                    id: String::new(),
                    pair: String::new(),
                    segment: 0,
                    date: String::new(),
                    source: String::new(),
                    target: String::new(),
                }),
            }
        })
        .collect();
    (lines, part_renderings)
}

/// How many parts of the term each scored candidate renders. A part's
/// rendering is the candidate (of this term's) most associated with the part
/// over all segments (Dice coefficient, positive association only) that is
/// also found with the
/// part where the whole term is not (see below), the parts' renderings kept
/// apart: taken strongest association first, a candidate that holds or is
/// held by a rendering already taken is not another part's (冷战 → "cold
/// war", so 思维 → "mentality", not "cold war" again). A candidate renders
/// a part when it contains the part's rendering: 南海 → "south china sea",
/// 问题 → "issue", both in "south china sea issue". Empty when the term has
/// fewer than two parts.
fn completeness(
    keys: &[String],
    taken: &[Option<u32>],
    scored: &[(f64, u32, usize)],
) -> HashMap<u32, usize> {
    let key = |c: u32| keys[c as usize].as_str();
    let mut out: HashMap<u32, usize> = HashMap::new();
    for &rendering in taken.iter().flatten() {
        for &(_, c, _) in scored {
            if c == rendering || contains_unit(key(c), key(rendering)) {
                *out.entry(c).or_default() += 1;
            }
        }
    }
    out
}

/// Each part's own rendering (see [`completeness`]), or none.
fn part_renderings(
    segs: &[Seg],
    subset: &[usize],
    keys: &[String],
    parts: &[Vec<bool>],
) -> Vec<Option<u32>> {
    if parts.is_empty() {
        return Vec::new();
    }
    // A part's rendering may be any candidate of the term (also one dropped
    // from the list for a longer one: "community").
    let mut in_term: HashMap<u32, usize> = HashMap::new();
    for &i in subset.iter().filter(|&&i| segs[i].has_term) {
        for &c in &segs[i].present {
            *in_term.entry(c).or_default() += 1;
        }
    }
    let wanted: HashSet<u32> = in_term
        .into_iter()
        .filter(|&(_, n)| n >= 2)
        .map(|(c, _)| c)
        .collect();
    let key = |c: u32| keys[c as usize].as_str();
    // (G², part, candidate) for every positive association.
    let mut associations: Vec<(f64, usize, u32)> = Vec::new();
    // Counts of candidates in segments with / without the part: over all
    // segments, and over those without the whole term.
    let table = |part: &[bool], of: &mut dyn Iterator<Item = usize>| {
        let (mut with, mut without) = (HashMap::new(), HashMap::new());
        let (mut n1, mut n2) = (0.0, 0.0);
        for i in of {
            let (map, n) = if part[i] {
                (&mut with, &mut n1)
            } else {
                (&mut without, &mut n2)
            };
            *n += 1.0;
            for c in segs[i].present.iter().filter(|c| wanted.contains(c)) {
                *map.entry(*c).or_insert(0usize) += 1;
            }
        }
        (with, without, n1, n2)
    };
    for (p, part) in parts.iter().enumerate() {
        let (with, without, n1, n2) = table(part, &mut subset.iter().copied());
        // The part on its own: a rendering of it must be found with it
        // (at least twice, positively associated) where the whole term is
        // not, or it would be a word of the term's context ("basis" for
        // 和平共处, always said "on the basis of" the Five Principles).
        let (own_with, own_without, m1, m2) = table(
            part,
            &mut subset.iter().copied().filter(|&i| !segs[i].has_term),
        );
        if n1 == 0.0 || n2 == 0.0 || m1 == 0.0 || m2 == 0.0 {
            continue;
        }
        for (&c, &a) in &with {
            let (a, b) = (a as f64, without.get(&c).copied().unwrap_or(0) as f64);
            let own = own_with.get(&c).copied().unwrap_or(0) as f64;
            let own_b = own_without.get(&c).copied().unwrap_or(0) as f64;
            if a / n1 > b / n2 && own >= 2.0 && own / m1 > own_b / m2 {
                // Dice, not G²: a translation is the candidate found where
                // the part is and rarely elsewhere ("interfere" for 干涉,
                // not the frequent "affairs" of 干涉内政).
                associations.push((2.0 * a / (n1 + a + b), p, c));
            }
        }
    }
    associations.sort_by(|x, y| {
        y.0.total_cmp(&x.0)
            .then(x.1.cmp(&y.1))
            .then(key(x.2).cmp(key(y.2)))
    });
    let mut taken: Vec<Option<u32>> = vec![None; parts.len()];
    for (_, p, c) in associations {
        if taken[p].is_some() {
            continue;
        }
        let overlaps = taken
            .iter()
            .flatten()
            .any(|&t| t == c || contains_unit(key(t), key(c)) || contains_unit(key(c), key(t)));
        if !overlaps {
            taken[p] = Some(c);
        }
    }
    taken
}

/// A word found in `a` of `n1` segments with a string and `b` of `n2`
/// without it goes with the string: at least twice as often with it
/// (add-one-half smoothed) and not by chance (G² ≥ 3.84, p < 0.05).
fn goes_with(a: f64, n1: f64, b: f64, n2: f64) -> bool {
    n1 > 0.0
        && (a + 0.5) / (n1 + 1.0) >= 2.0 * (b + 0.5) / (n2 + 1.0)
        && crate::emerging::log_likelihood(a, b, n1, n2.max(1.0)) >= 3.84
}

/// Share of a shorter rendering's term segments a longer one must carry to
/// be listed before it.
pub const WHOLE_SHARE: f64 = 2.0 / 3.0;

/// The proper whole-unit parts of `h`: its shorter runs of words (English,
/// space-separated keys) or of two or more characters (Chinese).
fn sub_units(h: &str) -> Vec<&str> {
    let mut out = Vec::new();
    if h.chars().any(crate::text::is_cjk) {
        let bounds: Vec<usize> = h
            .char_indices()
            .map(|(i, _)| i)
            .chain(std::iter::once(h.len()))
            .collect();
        let n = bounds.len() - 1;
        for i in 0..n {
            for j in i + 2..=n {
                if j - i < n {
                    out.push(&h[bounds[i]..bounds[j]]);
                }
            }
        }
    } else {
        // Word starts and ends, as byte offsets.
        let mut starts = vec![0];
        let mut ends = Vec::new();
        for (i, c) in h.char_indices() {
            if c == ' ' {
                ends.push(i);
                starts.push(i + 1);
            }
        }
        ends.push(h.len());
        for (a, &s) in starts.iter().enumerate() {
            for &e in &ends[a..] {
                if e - s < h.len() {
                    out.push(&h[s..e]);
                }
            }
        }
    }
    out
}

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
    fn added_words_are_those_around_the_shorter_phrase() {
        assert_eq!(
            added_words("ministry of public security", "public security"),
            ["ministry"]
        );
        assert_eq!(added_words("last weekend", "weekend"), ["last"]);
        assert_eq!(
            added_words("chain and value chain", "value chain"),
            ["chain"]
        );
        assert_eq!(
            added_words("south china sea issue", "south china sea"),
            ["issue"]
        );
        assert!(added_words("zero-sum game", "zero-sum game").is_empty());
        // Not a whole-word part: nothing added.
        assert!(added_words("seas", "sea").is_empty());
    }

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
