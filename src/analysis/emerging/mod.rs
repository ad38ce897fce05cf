//! `tifa emerging`: the formulations whose use took off in a period.
//!
//! The method, in four steps (docs/guide/04-discovery.md):
//!
//! 1. **Candidates** are strings of 2–16 Han characters inside a run of Han
//!    characters (never across punctuation, whitespace, digits or Latin
//!    letters) and, for English, 2–6 words inside a sentence chunk (never
//!    across punctuation). They are counted in the period's documents level by
//!    level: a string of n units is counted only where both its (n−1)-unit
//!    parts reached `min_docs` documents on `min_dates` distinct dates (the
//!    counts can only fall as a string grows), so the work stays close to
//!    linear in the period's text.
//! 2. **Whole formulations** (closed strings): a candidate is dropped when one
//!    string a unit longer (to the left or the right) accounts for at least
//!    90 % of its occurrences in the period — 命运共同 goes, 命运共同体 stays;
//!    带一路 and 一带一 go, 一带一路 stays; the glue 路建设 of 一带一路建设 goes
//!    with them. Strings of the maximum length are checked against one unit
//!    more, so a long repeated passage yields nothing rather than its windows.
//! 3. **Keyness** on document frequencies: Dunning's log-likelihood G² of the
//!    2×2 table (documents with / without the string, period / reference)
//!    ranks; the log ratio (Hardie's binary log of the ratio of the two
//!    document shares, 0.5 for a zero) is the effect size and must reach
//!    `min_log_ratio` (1 = twice as common). G² rewards evidence (many
//!    documents), the log-ratio floor keeps terms that merely stay common out.
//!    Documents rather than occurrences, so that one long report repeating a
//!    phrase does not make a trend.
//! 4. **Exact figures**: the listed candidates are counted again in every
//!    document of the filtered corpus the way `tifa timeline` counts
//!    (non-overlapping occurrences in the NFKC title and text), which gives the
//!    per-year documents, the first appearance and the period and reference
//!    figures shown.

use std::collections::BTreeMap;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use anyhow::{Context, Result};
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::Serialize;
use tantivy::DocAddress;

use crate::engine::{Engine, Filter};
use crate::error::UserError;
use crate::history::evidence::{self, TakeOff};
use crate::matcher::{Literal, Prepared};
use crate::text;

pub mod classify;

pub use classify::{Class, Signals};

/// Longest Chinese candidate, in characters.
pub const MAX_HAN: usize = 16;
/// Longest English candidate, in words.
pub const MAX_WORDS: usize = 6;
/// Share of a string's occurrences that one longer string may hold before the
/// shorter one counts as its fragment.
pub const FRAGMENT_SHARE: f64 = 0.9;
/// Years after the period in which a rise must hold.
pub const FOLLOWING_YEARS: u16 = 2;
/// Smallest `held` of a listed candidate: its share of documents in the
/// following years, or in the first of them alone, at least half its share
/// in the period (a campaign such as 两学一做 runs two years, an event one).
pub const HELD_MIN: f64 = 0.5;
/// Extensions shown per candidate.
pub const EXTENSIONS_SHOWN: usize = 5;

/// A year or an inclusive span of years.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct YearSpan {
    pub from: u16,
    pub to: u16,
}

impl YearSpan {
    /// `2015` or `2013..2015`.
    pub fn parse(s: &str) -> Result<YearSpan, String> {
        let year = |p: &str| -> Result<u16, String> {
            let p = p.trim();
            if p.len() == 4 && p.bytes().all(|b| b.is_ascii_digit()) && p != "0000" {
                p.parse().map_err(|e| format!("{e}"))
            } else {
                Err(format!(
                    "{s:?} is not a period: give a year (2015) or a span of years (2013..2015)"
                ))
            }
        };
        let span = match s.split_once("..") {
            Some((a, b)) => YearSpan {
                from: year(a)?,
                to: year(b)?,
            },
            None => {
                let y = year(s)?;
                YearSpan { from: y, to: y }
            }
        };
        if span.from > span.to {
            return Err(format!(
                "{s:?} runs backwards: write the earlier year first"
            ));
        }
        Ok(span)
    }

    pub fn contains(self, year: u16) -> bool {
        (self.from..=self.to).contains(&year)
    }

    pub fn label(self) -> String {
        if self.from == self.to {
            format!("{}", self.from)
        } else {
            format!("{}..{}", self.from, self.to)
        }
    }
}

/// What the period is compared with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reference {
    /// Every dated document before the period.
    Before,
    /// Every dated document outside the period.
    AllOther,
    /// The dated documents of these years (not overlapping the period).
    Span(YearSpan),
}

impl Reference {
    /// `before`, `all-other`, a year or a span of years.
    pub fn parse(s: &str) -> Result<Reference, String> {
        match s {
            "before" => Ok(Reference::Before),
            "all-other" => Ok(Reference::AllOther),
            _ => YearSpan::parse(s).map(Reference::Span).map_err(|_| {
                format!("unknown --against {s:?}: use before, all-other, a year (2010) or a span (2008..2012)")
            }),
        }
    }
}

/// Which candidates to look for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Languages {
    Chinese,
    English,
    Both,
}

impl Languages {
    /// The candidates `--lang` picks, and the document languages it leaves
    /// to filter on: zh (default) Chinese strings, en English n-grams, `both`
    /// (not a document language) both kinds over every document.
    pub fn from_lang(lang: &[String]) -> (Languages, Vec<String>) {
        let both = lang.iter().any(|l| l == "both");
        let rest: Vec<String> = lang.iter().filter(|l| *l != "both").cloned().collect();
        let languages = if both {
            Languages::Both
        } else if !rest.is_empty() && rest.iter().all(|l| l == "en") {
            Languages::English
        } else {
            Languages::Chinese
        };
        (languages, rest)
    }
}

#[derive(Clone, Debug)]
pub struct EmergingOptions {
    pub filter: Filter,
    pub period: YearSpan,
    pub against: Reference,
    pub languages: Languages,
    pub min_docs: u32,
    pub min_dates: u32,
    pub min_log_ratio: f64,
    pub limit: usize,
    /// List candidates whose rise did not hold too.
    pub include_faded: bool,
    /// The classes listed (formulations by default).
    pub show: Vec<Class>,
    pub rank: Rank,
}

/// The order of the list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rank {
    /// G² of the period and the years after it (the rise that held) against
    /// the reference: a formulation that took off keeps rising, so its
    /// evidence is the whole take-off, not its first year alone.
    Held,
    /// G² of all documents (reference standardised to the period's collections).
    Keyness,
    /// Σ of the G² of each kind of text the candidate rose in.
    Spread,
}

impl Rank {
    pub fn parse(s: &str) -> Result<Rank, String> {
        match s {
            "held" => Ok(Rank::Held),
            "keyness" | "g2" => Ok(Rank::Keyness),
            "spread" => Ok(Rank::Spread),
            _ => Err(format!("unknown --rank {s:?}: use held, keyness or spread")),
        }
    }
}

/// The earliest dated document with the candidate (ties: smallest id, as `trace`).
#[derive(Clone, Debug, Serialize)]
pub struct First {
    pub date: String,
    pub id: String,
    pub title: String,
    /// The sentence of its first occurrence in that document (title first,
    /// then text), as `trace` shows it.
    pub sentence: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Candidate {
    pub term: String,
    /// What the signals make of it, and the signals.
    pub class: Class,
    pub signals: Signals,
    /// Documents and occurrences in the period.
    pub docs: u64,
    pub occurrences: u64,
    pub ref_docs: u64,
    pub ref_occurrences: u64,
    /// Occurrences per million Han characters (Chinese) or English words.
    pub per_million: f64,
    pub ref_per_million: f64,
    /// Reference documents expected at the period's mix of collections (the
    /// reference side of the statistics).
    pub expected_ref_docs: f64,
    /// G² of the document frequencies (period against reference).
    pub score: f64,
    /// G² of the period and the following years together against the
    /// reference (the default order; equals `score` when no later year is
    /// outside the reference).
    pub held_score: f64,
    /// Σ over kinds of text (speech, report, article…) of the G² of each
    /// kind the candidate rose in.
    pub spread_score: f64,
    /// Binary log of the ratio of the document shares.
    pub log_ratio: f64,
    /// No reference document has it.
    pub new: bool,
    /// Share of documents in the following years over the share in the
    /// period (None when the corpus has no following year).
    pub held: Option<f64>,
    /// Longer qualified candidates that contain this one, best first.
    pub extensions: Vec<String>,
    pub first: Option<First>,
    pub take_off: Option<TakeOff>,
    /// Documents of the period per kind and per collection.
    pub kinds: BTreeMap<String, u64>,
    pub collections: BTreeMap<String, u64>,
    /// Documents per year over the whole filtered corpus.
    pub by_year: BTreeMap<String, u64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Emerging {
    pub period: String,
    pub reference: String,
    /// Documents in the period and the reference after filters that have text
    /// of the kind looked for (Han characters, English words): the
    /// denominators of the document shares.
    pub period_docs: u64,
    pub reference_docs: u64,
    pub statistic: &'static str,
    /// The years after the period that decide whether a rise held.
    pub following: Option<String>,
    /// Candidates left out because their rise did not hold (see `held`).
    pub faded: usize,
    /// Candidates that passed every rule (closed, min docs and dates, rising).
    pub qualified: usize,
    /// Qualified candidates per class; `candidates` holds the first `limit`
    /// of the classes shown.
    pub classes: BTreeMap<Class, usize>,
    pub shown: Vec<Class>,
    pub candidates: Vec<Candidate>,
}

/// One loaded document: its units of analysis and where it belongs.
struct Loaded {
    address: DocAddress,
    key: u64,
    id: String,
    /// Han runs of the NFKC title and text, one per line.
    han: String,
    /// Word chunks of the lower-cased NFKC title and text: ` w1 w2 \n w3 \n`.
    words: String,
}

/// Where a document stands for this question.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Period,
    Reference,
    Other,
}

#[derive(Clone, Copy)]
enum Unit {
    Han,
    Word,
}

impl Unit {
    fn max_len(self) -> usize {
        match self {
            Unit::Han => MAX_HAN,
            Unit::Word => MAX_WORDS,
        }
    }

    fn text(self, d: &Loaded) -> &str {
        match self {
            Unit::Han => &d.han,
            Unit::Word => &d.words,
        }
    }

    /// The string searched for in [`Unit::text`]: English words are
    /// space-delimited there, so a pattern is fenced by spaces.
    fn pattern(self, term: &str) -> String {
        match self {
            Unit::Han => term.to_string(),
            Unit::Word => format!(" {term} "),
        }
    }

    /// The string without its last / first unit.
    fn shorter(self, s: &str) -> (&str, &str) {
        match self {
            Unit::Han => {
                let last = s.chars().next_back().map_or(0, char::len_utf8);
                let first = s.chars().next().map_or(0, char::len_utf8);
                (&s[..s.len() - last], &s[first..])
            }
            Unit::Word => (
                s.rsplit_once(' ').map_or("", |(a, _)| a),
                s.split_once(' ').map_or("", |(_, b)| b),
            ),
        }
    }
}

pub fn emerging(engine: &Engine, options: &EmergingOptions) -> Result<Emerging> {
    if options.filter.dates.is_set() {
        return Err(UserError::BadDate(
            "emerging takes its dates from --period and --against, not --from/--to".into(),
        )
        .into());
    }
    if let Reference::Span(r) = options.against
        && r.from <= options.period.to
        && options.period.from <= r.to
    {
        return Err(UserError::BadDate(format!(
            "the reference {} overlaps the period {}: choose years outside it",
            r.label(),
            options.period.label()
        ))
        .into());
    }
    let allowed = engine.allowed(&options.filter)?;
    let period = options.period;
    let side_of = |key: u64| -> Side {
        if key == 0 {
            return Side::Other;
        }
        let year = (key / 10_000) as u16;
        if period.contains(year) {
            Side::Period
        } else if match options.against {
            Reference::Before => year < period.from,
            Reference::AllOther => true,
            Reference::Span(r) => r.contains(year),
        } {
            Side::Reference
        } else {
            Side::Other
        }
    };
    // Every dated document the filter keeps: the exact pass and the
    // sparkline look at all years, not only the two sides.
    let addresses: Vec<(DocAddress, u64)> = engine
        .all_addresses()
        .filter(|a| allowed.keeps(*a))
        .map(|a| {
            let key = engine.date_key(a);
            (a, key)
        })
        .filter(|(_, key)| *key != 0)
        .collect();
    let (want_han, want_words) = match options.languages {
        Languages::Chinese => (true, false),
        Languages::English => (false, true),
        Languages::Both => (true, true),
    };
    let mut docs: Vec<Loaded> = addresses
        .par_iter()
        .map(|&(address, key)| {
            allowed.check()?;
            let doc = engine.stored(address)?;
            let (title, body) = (text::nfkc(&doc.title), text::nfkc(&doc.text));
            let mut han = String::new();
            let mut words = String::new();
            for part in [&title, &body] {
                if want_han {
                    han_runs(part, &mut han);
                }
                if want_words {
                    word_chunks(part, &mut words);
                }
            }
            Ok(Loaded {
                address,
                key,
                id: doc.id,
                han,
                words,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    // Date order: the distinct-date count relies on it; ids break ties as in `trace`.
    docs.sort_by(|a, b| a.key.cmp(&b.key).then_with(|| a.id.cmp(&b.id)));
    let sides: Vec<Side> = docs.iter().map(|d| side_of(d.key)).collect();
    // Shares are of the documents that can hold a candidate: Chinese strings
    // are looked for among documents with Han text, n-grams among those with
    // English words (the UN's English speeches do not dilute a Chinese term).
    let count_side = |side: Side, unit: Option<Unit>| {
        docs.iter()
            .zip(&sides)
            .filter(|(d, s)| {
                **s == side
                    && match unit {
                        Some(u) => !u.text(d).is_empty(),
                        None => !d.han.is_empty() || !d.words.is_empty(),
                    }
            })
            .count() as u64
    };
    let (period_docs, reference_docs) = (
        count_side(Side::Period, None),
        count_side(Side::Reference, None),
    );
    let reference_label = match options.against {
        Reference::Before => format!("before {}", period.from),
        Reference::AllOther => format!("all years but {}", period.label()),
        Reference::Span(r) => r.label(),
    };
    // The years right after the period, for "did the rise hold?".
    let last_year = docs.last().map_or(0, |d| (d.key / 10_000) as u16);
    let following = YearSpan {
        from: period.to.saturating_add(1),
        to: period.to.saturating_add(FOLLOWING_YEARS).min(last_year),
    };
    let has_following = following.from <= following.to;
    let is_following = |d: &Loaded| has_following && following.contains((d.key / 10_000) as u16);
    let is_next_year = |d: &Loaded| has_following && (d.key / 10_000) as u16 == following.from;
    // Following years that the reference holds already (--against all-other
    // or a later span) cannot be added to the period's side.
    let following_in_reference = has_following
        && (following.from..=following.to).any(|y| match options.against {
            Reference::Before => false,
            Reference::AllOther => true,
            Reference::Span(r) => r.contains(y),
        });
    // Collections, for the standardised reference share.
    let collection_values = engine.field_values("collection")?;
    let mut collection_names: Vec<String> = Vec::new();
    let collection_of: Vec<usize> = docs
        .iter()
        .map(|d| {
            let name = collection_values.get(d.address).unwrap_or("");
            match collection_names.iter().position(|n| n == name) {
                Some(i) => i,
                None => {
                    collection_names.push(name.to_string());
                    collection_names.len() - 1
                }
            }
        })
        .collect();
    let n_collections = collection_names.len();
    let kinds = engine.field_values("kind")?;
    let mut kind_numbers: Vec<&str> = docs
        .iter()
        .map(|d| kinds.get(d.address).unwrap_or(""))
        .collect();
    kind_numbers.sort_unstable();
    kind_numbers.dedup();
    // Per document: its kind's number, and whether that kind is authoritative.
    let kind_of: Vec<usize> = docs
        .iter()
        .map(|d| {
            let kind = kinds.get(d.address).unwrap_or("");
            kind_numbers.iter().position(|k| *k == kind).unwrap_or(0)
        })
        .collect();
    let authoritative_kind: Vec<bool> = kind_numbers
        .iter()
        .map(|k| classify::AUTHORITATIVE_KINDS.contains(k))
        .collect();
    let legal_kind: Vec<bool> = kind_numbers
        .iter()
        .map(|k| classify::LEGAL_KINDS.contains(k))
        .collect();
    let mut scored: Vec<Scored> = Vec::new();
    let units: Vec<Unit> = [(want_han, Unit::Han), (want_words, Unit::Word)]
        .into_iter()
        .filter_map(|(w, u)| w.then_some(u))
        .collect();
    let jieba = jieba_rs::Jieba::new();
    for &unit in &units {
        let first_of_unit = scored.len();
        // Documents with text of this unit: per collection, period and reference.
        let mut n1_by = vec![0f64; n_collections];
        let mut n2_by = vec![0f64; n_collections];
        let (mut n_following, mut n_next_year) = (0f64, 0f64);
        for ((d, side), &c) in docs.iter().zip(&sides).zip(&collection_of) {
            if unit.text(d).is_empty() {
                continue;
            }
            match side {
                Side::Period => n1_by[c] += 1.0,
                Side::Reference => n2_by[c] += 1.0,
                Side::Other => {}
            }
            if is_following(d) {
                n_following += 1.0;
                if is_next_year(d) {
                    n_next_year += 1.0;
                }
            }
        }
        let (n1, n2): (f64, f64) = (n1_by.iter().sum(), n2_by.iter().sum());
        let authoritative_corpus = docs
            .iter()
            .zip(&kind_of)
            .filter(|(d, k)| !unit.text(d).is_empty() && authoritative_kind[**k])
            .count() as u64;
        let period_texts: Vec<(&str, u64)> = docs
            .iter()
            .zip(&sides)
            .filter(|(_, s)| **s == Side::Period)
            .enumerate()
            // A year- or month-only date cannot show that two documents are
            // from one day: each such document counts as a date of its own.
            .map(|(i, (d, _))| {
                let day = if d.key % 100 == 0 {
                    u64::MAX - i as u64
                } else {
                    d.key
                };
                (unit.text(d), day)
            })
            .collect();
        let found = closed_candidates(
            &period_texts,
            unit,
            options.min_docs,
            options.min_dates,
            &jieba,
        );
        if found.is_empty() || n1 == 0.0 {
            continue;
        }
        let patterns: Vec<String> = found.iter().map(|(t, _)| unit.pattern(t)).collect();
        // The groups each document counts in (one scan per document): the
        // reference's collections, the following years, authoritative kinds
        // (any year), every dated document, then the reference's kinds.
        let (following_group, authoritative_group, all_group, next_year_group, kind_group) = (
            n_collections,
            n_collections + 1,
            n_collections + 2,
            n_collections + 3,
            n_collections + 4,
        );
        let mut n1_kind = vec![0f64; kind_numbers.len()];
        let mut n2_kind = vec![0f64; kind_numbers.len()];
        let mut grouped: Vec<(&str, Vec<usize>)> = Vec::new();
        let mut all_docs = 0u64;
        let mut legal_docs = 0u64;
        for (((d, side), &c), &k) in docs.iter().zip(&sides).zip(&collection_of).zip(&kind_of) {
            if unit.text(d).is_empty() {
                continue;
            }
            all_docs += 1;
            legal_docs += u64::from(legal_kind[k]);
            let mut groups = vec![all_group];
            match side {
                Side::Period => n1_kind[k] += 1.0,
                Side::Reference => {
                    n2_kind[k] += 1.0;
                    groups.extend([c, kind_group + k]);
                }
                Side::Other => {}
            }
            if is_following(d) {
                groups.push(following_group);
                if is_next_year(d) {
                    groups.push(next_year_group);
                }
            }
            if authoritative_kind[k] {
                groups.push(authoritative_group);
            }
            grouped.push((unit.text(d), groups));
        }
        // Legislation must be the lesser part of the corpus for a string's
        // confinement to it to say anything.
        let legal_corpus_is_minor = 2 * legal_docs < all_docs;
        // The corpus share of authoritative texts, against which each
        // candidate's share is set.
        let authoritative_base = (authoritative_corpus >= classify::AUTHORITATIVE_CORPUS_MIN)
            .then(|| authoritative_corpus as f64 / all_docs.max(1) as f64);
        let groups = kind_group + kind_numbers.len();
        let counts = document_frequencies(&patterns, &grouped, groups)?;
        let mut ref_by_kind: Vec<Vec<u32>> = Vec::new();
        for (p, (term, docs_in_period)) in found.into_iter().enumerate() {
            let by = &counts[p * groups..(p + 1) * groups];
            let b: u32 = by[..n_collections].iter().sum();
            // Standardised reference share: each collection's share in the
            // reference, weighted by that collection's part of the period
            // (the pooled reference share for a collection it lacks).
            let pooled = if n2 > 0.0 { f64::from(b) / n2 } else { 0.0 };
            let share_ref: f64 = (0..n_collections)
                .map(|c| {
                    let within = if n2_by[c] > 0.0 {
                        f64::from(by[c]) / n2_by[c]
                    } else {
                        pooled
                    };
                    n1_by[c] / n1 * within
                })
                .sum();
            let expected = share_ref * n2;
            let a = f64::from(docs_in_period);
            let lr = log_ratio(a, expected, n1, n2);
            if lr < options.min_log_ratio {
                continue;
            }
            let following_docs = f64::from(by[following_group]);
            let next_year = if n_next_year > 0.0 {
                f64::from(by[next_year_group]) / n_next_year
            } else {
                0.0
            };
            let held = (n_following > 0.0)
                .then(|| (following_docs / n_following).max(next_year) / (a / n1));
            let score = log_likelihood(a, expected, n1, n2);
            let held_score = if n_following > 0.0 && !following_in_reference {
                let (a2, n12) = (a + following_docs, n1 + n_following);
                if a2 / n12 > expected / n2 {
                    log_likelihood(a2, expected, n12, n2)
                } else {
                    0.0
                }
            } else {
                score
            };
            let authoritative_rate = authoritative_base.map(|base| {
                f64::from(by[authoritative_group]) / f64::from(by[all_group].max(1)) / base
            });
            ref_by_kind.push(by[kind_group..].to_vec());
            scored.push(Scored {
                unit,
                term,
                expected_ref_docs: expected,
                score,
                held_score,
                log_ratio: lr,
                new: b == 0,
                held,
                spread_score: 0.0,
                class: Class::Formulation,
                signals: Signals {
                    rise_docs: a - share_ref * n1,
                    authoritative_docs: (authoritative_corpus
                        >= classify::AUTHORITATIVE_CORPUS_MIN)
                        .then_some(by[authoritative_group]),
                    authoritative_rate,
                    ..Signals::default()
                },
            });
        }
        // The frames of this unit's candidates in the period.
        let from = first_of_unit;
        let patterns: Vec<String> = scored[from..]
            .iter()
            .map(|s| unit.pattern(&s.term))
            .collect();
        if !patterns.is_empty() {
            let texts: Vec<(&str, u32)> = docs
                .iter()
                .zip(&sides)
                .zip(&kind_of)
                .filter(|((_, s), _)| **s == Side::Period)
                .map(|((d, _), &k)| (unit.text(d), k as u32))
                .collect();
            let stats = classify::frames(&patterns, &texts, matches!(unit, Unit::Han), &jieba)?;
            for ((s, f), by_kind) in scored[from..].iter_mut().zip(stats).zip(&ref_by_kind) {
                s.signals.frame_share = f.share();
                s.signals.kinds_in_period = f.kinds.len() as u32;
                s.signals.top_frame = f.top_frame();
                s.signals.organisation_share = f.organisation_share();
                s.signals.free_share = f.free_share();
                s.signals.legal_share =
                    legal_corpus_is_minor.then(|| f.share_of_kinds(&legal_kind));
                if let Some((next, share)) = f.continuation() {
                    s.signals.continuation = Some(next);
                    s.signals.continuation_share = share;
                }
                if let Some((before, share)) = f.preceded_by(&jieba) {
                    s.signals.preceded_by = Some(before);
                    s.signals.preceded_share = share;
                }
                // Keyness per kind of text, summed over the kinds it rose in.
                s.spread_score = f
                    .kinds
                    .iter()
                    .map(|&(k, a)| {
                        let (a, b) = (f64::from(a), f64::from(by_kind[k as usize]));
                        let (n1, n2) = (n1_kind[k as usize], n2_kind[k as usize]);
                        if n1 > 0.0 && n2 > 0.0 && a / n1 > b / n2 {
                            log_likelihood(a, b, n1, n2)
                        } else {
                            0.0
                        }
                    })
                    .sum();
            }
        }
    }
    scored.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.term.cmp(&b.term))
    });
    let faded = scored
        .iter()
        .filter(|s| s.held.is_some_and(|h| h < HELD_MIN))
        .count();
    if !options.include_faded {
        scored.retain(|s| s.held.is_none_or(|h| h >= HELD_MIN));
    }
    let qualified = scored.len();
    classify_all(&mut scored, &jieba);
    let mut classes: BTreeMap<Class, usize> = BTreeMap::new();
    for s in &scored {
        *classes.entry(s.class).or_default() += 1;
    }
    let all_scored = std::mem::take(&mut scored);
    let (mut scored, others): (Vec<Scored>, Vec<Scored>) = all_scored
        .into_iter()
        .partition(|s| options.show.contains(&s.class));
    let key = |s: &Scored| match options.rank {
        Rank::Held => s.held_score,
        Rank::Keyness => s.score,
        Rank::Spread => s.spread_score,
    };
    scored.sort_by(|a, b| {
        key(b)
            .total_cmp(&key(a))
            .then_with(|| b.score.total_cmp(&a.score))
            .then_with(|| a.term.cmp(&b.term))
    });
    // Longer qualified candidates built on each listed one (网络空间命运共同体 under 命运共同体).
    let extensions: Vec<Vec<String>> = scored
        .iter()
        .take(options.limit)
        .map(|s| {
            scored
                .iter()
                .chain(others.iter().filter(|o| o.class == Class::Formulation))
                .filter(|t| t.term.len() > s.term.len() && t.term.contains(s.term.as_str()))
                .take(EXTENSIONS_SHOWN)
                .map(|t| t.term.clone())
                .collect()
        })
        .collect();
    scored.truncate(options.limit);
    let mut candidates = exact_figures(engine, &allowed, &docs, &sides, &scored)?;
    for c in &mut candidates {
        if let Some(i) = scored.iter().position(|s| s.term == c.term) {
            c.extensions = extensions[i].clone();
        }
    }
    Ok(Emerging {
        period: period.label(),
        reference: reference_label,
        period_docs,
        reference_docs,
        statistic: "G² (log-likelihood) of document frequencies against the reference standardised to the period's mix of collections; log ratio = log2 of the ratio of the document shares",
        following: has_following.then(|| following.label()),
        faded: if options.include_faded { 0 } else { faded },
        qualified,
        classes,
        shown: options.show.clone(),
        candidates,
    })
}

/// A candidate that passed every rule, with its statistics.
struct Scored {
    unit: Unit,
    term: String,
    /// Reference documents expected at the period's mix of collections.
    expected_ref_docs: f64,
    score: f64,
    held_score: f64,
    log_ratio: f64,
    new: bool,
    held: Option<f64>,
    /// Σ over kinds of text of the G² of the kinds it rose in.
    spread_score: f64,
    class: Class,
    /// Filled as the signals are measured (`classify_all` decides the class).
    signals: Signals,
}

/// Decides the class of every qualified candidate (`classify`).
fn classify_all(scored: &mut [Scored], jieba: &jieba_rs::Jieba) {
    // The longer candidates containing each one, found through their
    // substrings (a candidate has at most 120 of them) rather than by testing
    // every pair: ten thousand candidates make a hundred million pairs.
    let index: FxHashMap<(bool, &str), usize> = scored
        .iter()
        .enumerate()
        .map(|(i, s)| ((matches!(s.unit, Unit::Han), s.term.as_str()), i))
        .collect();
    let mut containers: Vec<Vec<usize>> = vec![Vec::new(); scored.len()];
    for (t, longer) in scored.iter().enumerate() {
        let han = matches!(longer.unit, Unit::Han);
        for part in proper_substrings(&longer.term, longer.unit) {
            if let Some(&s) = index.get(&(han, part)) {
                containers[s].push(t);
            }
        }
    }
    // The longer candidate carrying most of each one's rise.
    let carried: Vec<Option<(usize, f64)>> = scored
        .par_iter()
        .zip(&containers)
        .map(|(s, within)| {
            if s.signals.rise_docs <= 0.0 || within.is_empty() {
                return None;
            }
            let verbal = matches!(s.unit, Unit::Han) && classify::short_verb_phrase(jieba, &s.term);
            within
                .iter()
                .map(|&i| (i, &scored[i]))
                .filter(|(_, t)| match t.unit {
                    Unit::Han => classify::builds_on(jieba, &t.term, &s.term, verbal),
                    Unit::Word => true,
                })
                // A longer string cut by a number cannot be listed: the
                // shorter one stands for the whole (海上丝绸之路).
                .filter(|(_, t)| !t.signals.cut_by_number())
                .map(|(i, t)| (i, t.signals.rise_docs / s.signals.rise_docs))
                .max_by(|a, b| a.1.total_cmp(&b.1))
        })
        .collect();
    let words: Vec<Option<classify::DictionaryWord>> = scored
        .iter()
        .map(|s| match s.unit {
            Unit::Han => classify::dictionary_word(jieba, &s.term),
            Unit::Word => None,
        })
        .collect();
    for (i, (c, w)) in carried.into_iter().zip(words).enumerate() {
        let carried_by = c.map(|(j, _)| scored[j].term.clone());
        let s = &mut scored[i];
        s.signals.dictionary_word = w;
        s.signals.organisation = match s.unit {
            Unit::Han => classify::organisation(jieba, &s.term),
            Unit::Word => None,
        };
        s.signals.loose_edge = match s.unit {
            Unit::Han => classify::loose_edge(jieba, &s.term),
            Unit::Word => None,
        };
        s.signals.meeting = match s.unit {
            Unit::Han => classify::meeting(&s.term),
            Unit::Word => None,
        };
        s.signals.person = match s.unit {
            Unit::Han => classify::person_edge(jieba, &s.term),
            Unit::Word => None,
        };
        s.signals.carried_by = carried_by;
        s.signals.carried_share = c.map(|(_, share)| share);
        let (class, reason) = classify::decide(&s.signals, s.new);
        s.signals.reason = reason;
        s.class = class;
    }
}

/// The sentence around the first occurrence of `term` in the fields, in
/// the document's own characters (found by the matching rules of `trace`).
fn first_sentence(term: &str, fields: &[&str]) -> Option<String> {
    let subject = crate::terms::Subject::Literal(Literal::new(term).ok()?);
    fields.iter().find_map(|field| {
        let &(s, e) = subject.find(field).first()?;
        let (a, b) = crate::matcher::sentence_around(field, s, e, 200);
        Some(field[a..b].trim().to_string())
    })
}

/// The substrings of a candidate shorter than it, at unit boundaries
/// (characters for Chinese, words for English), each once.
fn proper_substrings(term: &str, unit: Unit) -> Vec<&str> {
    // Each unit's (start, end) in bytes.
    let spans: Vec<(usize, usize)> = match unit {
        Unit::Han => term
            .char_indices()
            .map(|(i, c)| (i, i + c.len_utf8()))
            .collect(),
        Unit::Word => term
            .split(' ')
            .scan(0, |at, w| {
                let span = (*at, *at + w.len());
                *at += w.len() + 1;
                Some(span)
            })
            .collect(),
    };
    let mut parts: Vec<&str> = (0..spans.len())
        .flat_map(|i| {
            let from = spans[i].0;
            spans[i..].iter().map(move |&(_, end)| (from, end))
        })
        .filter(|&(from, to)| to - from < term.len())
        .map(|(from, to)| &term[from..to])
        .collect();
    parts.sort_unstable();
    parts.dedup();
    parts
}

/// Stands in a Han run for a number written in digits that touches it
/// (2015年, 21世纪, 中国制造2025): candidates never hold it (it splits them like
/// a line break), but the signals of their use see it — 世纪海上丝绸之路 is
/// preceded by a number in most documents, 中国制造 followed by one, and the
/// frames of a daily bulletin are the same whatever its figures.
pub(super) const NUMBER: char = '#';

/// Appends the runs of Han characters of `s`, one per line; a number in
/// digits that touches a run is part of it, written [`NUMBER`].
fn han_runs(s: &str, out: &mut String) {
    let mut in_run = false;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if text::is_han(c) {
            out.push(c);
            in_run = true;
        } else if c.is_ascii_digit() {
            while chars.next_if(char::is_ascii_digit).is_some() {}
            if in_run || chars.peek().is_some_and(|&n| text::is_han(n)) {
                out.push(NUMBER);
                in_run = true;
            }
        } else if in_run {
            out.push('\n');
            in_run = false;
        }
    }
    if in_run {
        out.push('\n');
    }
}

/// Appends the word chunks of `s`, lower-cased with typographic quotes folded
/// (the matching rules of English terms): a word is a run of non-space
/// characters with a letter or digit, trimmed of punctuation at its edges;
/// trimmed punctuation (or CJK text) ends a chunk. Each chunk is ` w1 w2 … \n`.
fn word_chunks(s: &str, out: &mut String) {
    let lowered = text::lowercase(s);
    let mut open = false;
    for raw in lowered.split(|c: char| c.is_whitespace() || text::is_cjk(c)) {
        let core = raw.trim_matches(|c: char| !text::is_word_char(c));
        let breaks_before = raw.is_empty() || !raw.starts_with(core) || core.is_empty();
        if breaks_before && open {
            out.push('\n');
            open = false;
        }
        if core.is_empty() {
            continue;
        }
        if !open {
            out.push(' ');
            open = true;
        }
        out.extend(core.chars().map(text::fold_quote));
        out.push(' ');
        if !raw.ends_with(core) {
            out.push('\n');
            open = false;
        }
    }
    if open {
        out.push('\n');
    }
}

#[derive(Clone, Copy)]
struct Stat {
    docs: u32,
    dates: u32,
    occurrences: u32,
    /// Occurrences that start and end at word boundaries.
    bounded: u32,
    last_doc: u32,
    last_date: u64,
    /// Most occurrences of a longer well-bounded string that contains this one.
    absorbed: u32,
}

impl Stat {
    const NEW: Stat = Stat {
        docs: 0,
        dates: 0,
        occurrences: 0,
        bounded: 0,
        last_doc: u32::MAX,
        last_date: 0,
        absorbed: 0,
    };

    /// Most of its occurrences start and end at word boundaries.
    fn well_bounded(&self) -> bool {
        2 * self.bounded >= self.occurrences
    }
}

/// English words that neither start nor end a formulation.
pub(super) const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "been", "but", "by", "for", "from", "has", "have",
    "in", "is", "it", "its", "of", "on", "or", "our", "that", "the", "their", "this", "to", "was",
    "we", "were", "which", "will", "with",
];

/// Chinese function words that neither start nor end a formulation (as jieba
/// words of their own: 的抗战 and 发展理念的 are not formulations, 目的 is fine).
pub(super) const FUNCTION_WORDS: &[&str] = &[
    "的", "了", "和", "与", "及", "或", "是", "在", "对", "把", "被", "将", "等", "之", "也", "并",
    "而", "从", "向", "为", "以", "于", "由", "同", "跟", "给", "让", "就", "都", "又", "还", "更",
    "最", "很", "着", "过", "吗", "呢", "吧", "啊", "其", "该", "各", "每",
];

/// The units (characters or words) of one text.
struct Tokens {
    /// Byte ranges into the text.
    ranges: Vec<(u32, u32)>,
    /// Per unit: the index one past the last unit of its line.
    line_end: Vec<u32>,
    /// Per unit: a string may start here / end here (jieba word boundaries for
    /// Chinese, no stop word for English).
    may_start: Vec<bool>,
    may_end: Vec<bool>,
}

fn tokens(text: &str, unit: Unit, jieba: &jieba_rs::Jieba) -> Tokens {
    let mut t = Tokens {
        ranges: Vec::new(),
        line_end: Vec::new(),
        may_start: Vec::new(),
        may_end: Vec::new(),
    };
    for (offset, line) in line_offsets(text) {
        match unit {
            Unit::Han => {
                // Per byte of the line: a word starts here (may start) / the
                // word before ends here (may end); function words do neither.
                let mut starts = vec![false; line.len() + 1];
                let mut ends = vec![false; line.len() + 1];
                let words = jieba.cut(line, false);
                // jieba cuts a word it does not know into single characters
                // (碳/达/峰/碳/中/和 for 碳达峰碳中和); a function character whose
                // two neighbours on the string's side are lone characters too is
                // part of such a word, not a function word of its own (开创/新/的
                // still ends nothing).
                let single = |i: Option<usize>| {
                    i.and_then(|i| words.get(i))
                        .is_some_and(|w| w.word.chars().nth(1).is_none())
                };
                for (i, w) in words.iter().enumerate() {
                    let function = FUNCTION_WORDS.contains(&w.word);
                    if !function || (single(Some(i + 1)) && single(Some(i + 2))) {
                        starts[w.byte_start] = true;
                    }
                    if !function || (single(i.checked_sub(1)) && single(i.checked_sub(2))) {
                        ends[w.byte_end] = true;
                    }
                }
                for (i, c) in line.char_indices() {
                    let e = i + c.len_utf8();
                    t.may_start.push(starts[i]);
                    t.may_end.push(ends[e]);
                    let s = offset + i;
                    t.ranges.push((s as u32, (s + c.len_utf8()) as u32));
                }
            }
            Unit::Word => {
                let mut pos = 0;
                for w in line.split(' ') {
                    if !w.is_empty() {
                        let s = offset + pos;
                        t.ranges.push((s as u32, (s + w.len()) as u32));
                        let ok = !STOP_WORDS.contains(&w);
                        t.may_start.push(ok);
                        t.may_end.push(ok);
                    }
                    pos += w.len() + 1;
                }
            }
        }
        t.line_end.resize(t.ranges.len(), t.ranges.len() as u32);
    }
    t
}

fn line_offsets(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut offset = 0;
    // A number splits a Han run like a line break: no candidate holds it.
    text.split(['\n', NUMBER]).map(move |line| {
        let o = offset;
        offset += line.len() + 1;
        (o, line)
    })
}

/// The candidates of the period's texts (in date order) with their document
/// frequencies: frequent, well-bounded, and not absorbed by a longer string.
fn closed_candidates<'a>(
    texts: &[(&'a str, u64)],
    unit: Unit,
    min_docs: u32,
    min_dates: u32,
    jieba: &jieba_rs::Jieba,
) -> Vec<(String, u32)> {
    let tokenized: Vec<Tokens> = texts
        .par_iter()
        .map(|(t, _)| tokens(t, unit, jieba))
        .collect();
    let total: usize = tokenized.iter().map(|t| t.ranges.len()).sum();
    let frequent = |s: &Stat| s.docs >= min_docs && s.dates >= min_dates;
    // alive[g]: the string of the previous level's length starting at unit g is frequent.
    let mut alive = vec![true; total];
    let mut slot = vec![u32::MAX; total];
    let mut levels: Vec<FxHashMap<&'a str, Stat>> = Vec::new();
    for n in 1..=unit.max_len() + 1 {
        let mut index: FxHashMap<&'a str, u32> = FxHashMap::default();
        let mut stats: Vec<Stat> = Vec::new();
        let mut base = 0usize;
        for (d, ((text, date), tok)) in texts.iter().zip(&tokenized).enumerate() {
            for i in 0..tok.ranges.len() {
                let g = base + i;
                slot[g] = u32::MAX;
                if !alive[g] || i + n > tok.line_end[i] as usize || (n > 1 && !alive[g + 1]) {
                    continue;
                }
                let key = &text[tok.ranges[i].0 as usize..tok.ranges[i + n - 1].1 as usize];
                let next = stats.len() as u32;
                let at = *index.entry(key).or_insert(next);
                if at == next {
                    stats.push(Stat::NEW);
                }
                let s = &mut stats[at as usize];
                s.occurrences += 1;
                if tok.may_start[i] && tok.may_end[i + n - 1] {
                    s.bounded += 1;
                }
                if s.last_doc != d as u32 {
                    s.last_doc = d as u32;
                    s.docs += 1;
                    if s.last_date != *date {
                        s.last_date = *date;
                        s.dates += 1;
                    }
                }
                slot[g] = at;
            }
            base += tok.ranges.len();
        }
        for (a, &s) in alive.iter_mut().zip(&slot) {
            *a = s != u32::MAX && frequent(&stats[s as usize]);
        }
        let kept: FxHashMap<&'a str, Stat> = index
            .into_iter()
            .filter_map(|(k, i)| {
                let s = stats[i as usize];
                frequent(&s).then_some((k, s))
            })
            .collect();
        let done = kept.is_empty();
        levels.push(kept);
        if done {
            break;
        }
    }
    // Longest first, each string passes on to its two one-unit-shorter parts
    // the most occurrences of a well-bounded string containing it (itself or
    // longer): every frequent superstring is reached this way, since all the
    // strings in between are frequent too.
    for n in (1..levels.len()).rev() {
        let (shorter, longer) = levels.split_at_mut(n);
        let shorter = &mut shorter[n - 1];
        for (t, st) in longer[0].iter() {
            let reach = st
                .absorbed
                .max(if st.well_bounded() { st.occurrences } else { 0 });
            let (prefix, suffix) = unit.shorter(t);
            for part in [prefix, suffix] {
                if let Some(p) = shorter.get_mut(part) {
                    p.absorbed = p.absorbed.max(reach);
                }
            }
        }
    }
    let mut out: Vec<(String, u32)> = levels
        .iter()
        .enumerate()
        .filter(|(i, _)| (2..=unit.max_len()).contains(&(i + 1)))
        .flat_map(|(_, level)| level.iter())
        .filter(|(_, s)| {
            s.well_bounded() && f64::from(s.absorbed) < FRAGMENT_SHARE * f64::from(s.occurrences)
        })
        .map(|(t, s)| ((*t).to_string(), s.docs))
        .collect();
    out.sort_unstable();
    out
}

/// For each pattern and group, the number of texts of the group that contain
/// it: `counts[pattern * groups + group]`.
fn document_frequencies(
    patterns: &[String],
    texts: &[(&str, Vec<usize>)],
    groups: usize,
) -> Result<Vec<u32>> {
    let ac = AhoCorasick::builder()
        .match_kind(MatchKind::Standard)
        .kind(Some(AhoCorasickKind::ContiguousNFA))
        .build(patterns)
        .context("cannot prepare the candidates for counting")?;
    let n = patterns.len();
    const CHUNK: usize = 256;
    let counts = texts
        .par_chunks(CHUNK)
        .enumerate()
        .fold(
            || (vec![0u32; n * groups], vec![u32::MAX; n]),
            |(mut counts, mut last), (c, chunk)| {
                for (i, (t, in_groups)) in chunk.iter().enumerate() {
                    // `last[p]`: the last text that counted pattern p.
                    let text_no = (c * CHUNK + i) as u32;
                    for m in ac.find_overlapping_iter(*t) {
                        let p = m.pattern().as_usize();
                        if last[p] != text_no {
                            last[p] = text_no;
                            for g in in_groups {
                                counts[p * groups + g] += 1;
                            }
                        }
                    }
                }
                (counts, last)
            },
        )
        .map(|(c, _)| c)
        .reduce(
            || vec![0u32; n * groups],
            |mut a, b| {
                for (x, y) in a.iter_mut().zip(b) {
                    *x += y;
                }
                a
            },
        );
    Ok(counts)
}

/// Dunning's G² of a 2×2 table: `a` of `n1` period documents and `b` of `n2`
/// reference documents have the string.
pub fn log_likelihood(a: f64, b: f64, n1: f64, n2: f64) -> f64 {
    let n = n1 + n2;
    if n1 <= 0.0 || n2 <= 0.0 {
        return 0.0;
    }
    let e1 = n1 * (a + b) / n;
    let e2 = n2 * (a + b) / n;
    let cells = [(a, e1), (b, e2), (n1 - a, n1 - e1), (n2 - b, n2 - e2)];
    2.0 * cells
        .iter()
        .filter(|(o, e)| *o > 0.0 && *e > 0.0)
        .map(|(o, e)| o * (o / e).ln())
        .sum::<f64>()
}

/// Hardie's log ratio: log2 of (a/n1) / (b/n2), a zero count taken as 0.5.
pub fn log_ratio(a: f64, b: f64, n1: f64, n2: f64) -> f64 {
    if n1 <= 0.0 {
        return 0.0;
    }
    if n2 <= 0.0 {
        return f64::INFINITY;
    }
    ((a.max(0.5) / n1) / (b.max(0.5) / n2)).log2()
}

/// Exact figures of the listed candidates from one pass over every loaded document.
fn exact_figures(
    engine: &Engine,
    allowed: &crate::engine::Allowed,
    docs: &[Loaded],
    sides: &[Side],
    scored: &[Scored],
) -> Result<Vec<Candidate>> {
    let kinds = engine.field_values("kind")?;
    let collections = engine.field_values("collection")?;
    let mut out: Vec<Candidate> = Vec::new();
    let langs = engine.field_values("lang")?;
    for unit in [Unit::Han, Unit::Word] {
        let evidence_lang = if allowed.lang_filtered() {
            None
        } else {
            Some(match unit {
                Unit::Han => "zh",
                Unit::Word => "en",
            })
        };
        let picked: Vec<usize> = scored
            .iter()
            .enumerate()
            .filter(|(_, s)| {
                matches!(
                    (s.unit, unit),
                    (Unit::Han, Unit::Han) | (Unit::Word, Unit::Word)
                )
            })
            .map(|(i, _)| i)
            .collect();
        if picked.is_empty() {
            continue;
        }
        let patterns: Vec<String> = picked
            .iter()
            .map(|&i| unit.pattern(&scored[i].term))
            .collect();
        let literals: Vec<Literal> = picked
            .iter()
            .map(|&i| Literal::new(&scored[i].term).map_err(anyhow::Error::msg))
            .collect::<Result<_>>()?;
        let ac = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(&patterns)
            .context("cannot prepare the candidates for counting")?;
        // Per document: (candidate, occurrences) for those it contains.
        let found: Vec<Vec<(usize, u64)>> = docs
            .par_iter()
            .map(|d| -> Result<Vec<(usize, u64)>> {
                let mut present: Vec<usize> = ac
                    .find_overlapping_iter(unit.text(d))
                    .map(|m| m.pattern().as_usize())
                    .collect();
                present.sort_unstable();
                present.dedup();
                if present.is_empty() {
                    return Ok(Vec::new());
                }
                match unit {
                    // Han runs hold every match of an all-Han term.
                    Unit::Han => Ok(present
                        .into_iter()
                        .map(|p| {
                            (
                                p,
                                d.han.matches(scored[picked[p]].term.as_str()).count() as u64,
                            )
                        })
                        .collect()),
                    // English terms are counted by the matcher on the full text.
                    Unit::Word => {
                        let doc = engine.stored(d.address)?;
                        let (title, body) = (text::nfkc(&doc.title), text::nfkc(&doc.text));
                        let (title, body) = (Prepared::new(&title), Prepared::new(&body));
                        Ok(present
                            .into_iter()
                            .map(|p| {
                                let n = literals[p].find_prepared(&title).len()
                                    + literals[p].find_prepared(&body).len();
                                (p, n as u64)
                            })
                            .filter(|(_, n)| *n > 0)
                            .collect())
                    }
                }
            })
            .collect::<Result<_>>()?;
        // Denominators of the two sides.
        let mut units_in = [0u64; 2];
        for (d, side) in docs.iter().zip(sides) {
            let i = match side {
                Side::Period => 0,
                Side::Reference => 1,
                Side::Other => continue,
            };
            let cols = engine.columns(d.address.segment_ord);
            units_in[i] += match unit {
                Unit::Han => cols.han.first(d.address.doc_id).unwrap_or(0),
                Unit::Word => cols.en_words.first(d.address.doc_id).unwrap_or(0),
            };
        }
        let per_million = |occ: u64, units: u64| {
            if units == 0 {
                0.0
            } else {
                occ as f64 * 1e6 / units as f64
            }
        };
        for (p, &i) in picked.iter().enumerate() {
            let s = &scored[i];
            let mut c = Candidate {
                term: s.term.clone(),
                class: s.class,
                signals: s.signals.clone(),
                docs: 0,
                occurrences: 0,
                ref_docs: 0,
                ref_occurrences: 0,
                per_million: 0.0,
                ref_per_million: 0.0,
                expected_ref_docs: s.expected_ref_docs,
                score: s.score,
                held_score: s.held_score,
                spread_score: s.spread_score,
                log_ratio: s.log_ratio,
                new: s.new,
                held: s.held,
                extensions: Vec::new(),
                first: None,
                take_off: None,
                kinds: BTreeMap::new(),
                collections: BTreeMap::new(),
                by_year: BTreeMap::new(),
            };
            let mut years: BTreeMap<i32, u64> = BTreeMap::new();
            let mut years_in_lang: BTreeMap<i32, u64> = BTreeMap::new();
            let mut matched: Vec<&Loaded> = Vec::new();
            for ((d, side), hits) in docs.iter().zip(sides).zip(&found) {
                let Some(&(_, n)) = hits.iter().find(|(q, _)| *q == p) else {
                    continue;
                };
                // Documents are in (date, id) order, as in `trace`.
                matched.push(d);
                *years.entry((d.key / 10_000) as i32).or_default() += 1;
                // The take-off counts documents of the term's language, as trace's.
                if evidence_lang.is_none_or(|l| langs.get(d.address).is_none_or(|v| v == l)) {
                    *years_in_lang.entry((d.key / 10_000) as i32).or_default() += 1;
                }
                match side {
                    Side::Period => {
                        c.docs += 1;
                        c.occurrences += n;
                        let kind = kinds.get(d.address).unwrap_or(crate::history::NO_VALUE);
                        *c.kinds.entry(kind.to_string()).or_default() += 1;
                        let coll = collections
                            .get(d.address)
                            .unwrap_or(crate::history::NO_VALUE);
                        *c.collections.entry(coll.to_string()).or_default() += 1;
                    }
                    Side::Reference => {
                        c.ref_docs += 1;
                        c.ref_occurrences += n;
                    }
                    Side::Other => {}
                }
            }
            c.per_million = per_million(c.occurrences, units_in[0]);
            c.ref_per_million = per_million(c.ref_occurrences, units_in[1]);
            c.take_off = evidence::take_off(&years_in_lang);
            c.by_year = years.iter().map(|(y, n)| (format!("{y:04}"), *n)).collect();
            // The first appearance by trace's rule: a match dated only to a
            // year with a more precise match that year is not first.
            let keys: Vec<u64> = matched.iter().map(|d| d.key).collect();
            let first = matched
                .iter()
                .find(|d| !crate::history::superseded(&keys, d.key));
            if let Some(d) = first {
                let doc = engine.stored(d.address)?;
                let sentence = first_sentence(&c.term, &[&doc.title, &doc.text]);
                c.first = Some(First {
                    date: doc.date.unwrap_or_default(),
                    id: doc.id,
                    title: doc.title,
                    sentence,
                });
            }
            out.push(c);
        }
    }
    // The order of `scored`.
    let position: FxHashMap<&str, usize> = scored
        .iter()
        .enumerate()
        .map(|(i, s)| (s.term.as_str(), i))
        .collect();
    out.sort_by_key(|c| position.get(c.term.as_str()).copied().unwrap_or(usize::MAX));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substrings_at_unit_boundaries() {
        let mut han = proper_substrings("一带一路", Unit::Han);
        han.sort_unstable();
        assert_eq!(han.len(), 8, "{han:?}"); // 10 substrings, 一 twice, the whole left out
        assert!(han.contains(&"带一路") && !han.contains(&"一带一路"));
        let words = proper_substrings("rule of law", Unit::Word);
        for w in ["rule", "of", "law", "rule of", "of law"] {
            assert!(words.contains(&w), "{w}: {words:?}");
        }
        assert_eq!(words.len(), 5, "{words:?}");
    }

    #[test]
    fn periods_parse() {
        assert_eq!(
            YearSpan::parse("2015"),
            Ok(YearSpan {
                from: 2015,
                to: 2015
            })
        );
        assert_eq!(
            YearSpan::parse("2013..2015"),
            Ok(YearSpan {
                from: 2013,
                to: 2015
            })
        );
        assert!(YearSpan::parse("2015..2013").is_err());
        assert!(YearSpan::parse("15").is_err());
        assert!(YearSpan::parse("2013-2015").is_err());
        assert_eq!(Reference::parse("before"), Ok(Reference::Before));
        assert!(Reference::parse("earlier").is_err());
    }

    #[test]
    fn unknown_words_end_on_function_characters() {
        let jieba = jieba_rs::Jieba::new();
        let text = "实现碳达峰碳中和目标";
        let t = tokens(text, Unit::Han, &jieba);
        let end_of = |s: &str| {
            let at = text.find(s).map(|i| i + s.len()).unwrap_or(0);
            t.ranges
                .iter()
                .position(|r| r.1 as usize == at)
                .map(|i| t.may_end[i])
        };
        // 碳/中/和: 和 belongs to the unknown word 碳中和.
        assert_eq!(end_of("碳中和"), Some(true));
        // 改革/和/发展: 和 is a conjunction and ends nothing.
        let text2 = "深化改革和发展";
        let t2 = tokens(text2, Unit::Han, &jieba);
        let at = text2
            .find("改革和")
            .map(|i| i + "改革和".len())
            .unwrap_or(0);
        let i = t2.ranges.iter().position(|r| r.1 as usize == at);
        assert_eq!(i.map(|i| t2.may_end[i]), Some(false));
    }

    #[test]
    fn han_runs_break_at_everything_else() {
        let mut out = String::new();
        han_runs(
            "网络主权，2015年命运共同体abc共同 in 2015, 中国制造2025。",
            &mut out,
        );
        assert_eq!(out, "网络主权\n#年命运共同体\n共同\n中国制造#\n");
    }

    #[test]
    fn word_chunks_break_at_punctuation() {
        let mut out = String::new();
        word_chunks(
            "Win-win cooperation, China’s “shared future”. Mr. X",
            &mut out,
        );
        assert_eq!(
            out,
            " win-win cooperation \n china's \n shared future \n mr \n x \n"
        );
    }

    #[test]
    fn statistics() {
        // Equal shares: no keyness, log ratio 0.
        assert!(log_likelihood(10.0, 20.0, 100.0, 200.0).abs() < 1e-9);
        assert!(log_ratio(10.0, 20.0, 100.0, 200.0).abs() < 1e-9);
        // Twice the share: log ratio 1.
        assert!((log_ratio(20.0, 20.0, 100.0, 200.0) - 1.0).abs() < 1e-9);
        assert!(log_likelihood(50.0, 0.0, 100.0, 1000.0) > log_likelihood(5.0, 0.0, 100.0, 1000.0));
    }

    #[test]
    fn fragments_give_way_to_the_whole() {
        // 一带一路 in 6 documents on 6 dates; 一带 alone twice.
        let texts: Vec<(String, u64)> = (1..=6)
            .map(|d| ("推进一带一路建设\n一带\n".to_string(), 20140100 + d))
            .chain([("这一带\n".to_string(), 20140110)])
            .collect();
        let refs: Vec<(&str, u64)> = texts.iter().map(|(t, d)| (t.as_str(), *d)).collect();
        let found: Vec<String> = closed_candidates(&refs, Unit::Han, 5, 3, &jieba_rs::Jieba::new())
            .into_iter()
            .map(|(t, _)| t)
            .collect();
        // The whole passage 推进一带一路建设 is the one closed string here
        // (every substring is always inside it), and 一带 stands on its own.
        assert!(found.contains(&"推进一带一路建设".to_string()), "{found:?}");
        assert!(found.contains(&"一带".to_string()), "{found:?}");
        assert!(!found.contains(&"一带一".to_string()), "{found:?}");
        assert!(!found.contains(&"带一路".to_string()), "{found:?}");
    }
}
