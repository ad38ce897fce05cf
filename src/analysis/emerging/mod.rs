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
//!    A function word starts no candidate, except a preposition bound to the
//!    rest (the rest follows it in 90 % of its occurrences): 以人民为中心.
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
//!
//! Steps 1 and 2 live in `candidates.rs`, 3 in `score.rs` (with the
//! statistics in `statistics.rs`), 4 in `figures.rs`; the classes that
//! follow keyness in `classify/`. This file holds the options and runs the
//! steps in order.

use std::collections::BTreeMap;

use aho_corasick::{AhoCorasick, MatchKind};
use anyhow::{Context, Result};
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::Serialize;
use tantivy::DocAddress;

use crate::engine::{Allowed, Engine, Filter};
use crate::error::UserError;
use crate::history::evidence::{self, TakeOff};
use crate::matcher::{Literal, Prepared};
use crate::text;

mod candidates;
pub mod classify;
mod figures;
mod score;
mod statistics;

use candidates::{
    Closed, FUNCTION_WORDS, NUMBER, QUOTE, STOP_WORDS, Unit, closed_candidates,
    document_frequencies, han_runs, proper_substrings, word_chunks,
};
pub use classify::{Class, Signals};
use figures::exact_figures;
use score::{Corpus, Following, Layout};
pub use statistics::{log_likelihood, log_ratio};

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
    /// First year of the span.
    pub from: u16,
    /// Last year of the span (inclusive).
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

    /// Whether `year` lies in the span.
    pub fn contains(self, year: u16) -> bool {
        (self.from..=self.to).contains(&year)
    }

    /// `2015` or `2013..2015`, as the user writes it.
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
    /// Chinese strings only.
    Chinese,
    /// English n-grams only.
    English,
    /// Both kinds of candidates.
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
/// What `tifa emerging` asks.
pub struct EmergingOptions {
    /// The documents looked at (dates come from the period and reference).
    pub filter: Filter,
    /// The period whose rises are listed.
    pub period: YearSpan,
    /// What the period is compared with.
    pub against: Reference,
    /// Chinese strings, English n-grams or both.
    pub languages: Languages,
    /// Fewest period documents a candidate must be in.
    pub min_docs: u32,
    /// Fewest distinct dates among those documents.
    pub min_dates: u32,
    /// Smallest log ratio (log2 of the share ratio) listed.
    pub min_log_ratio: f64,
    /// How many candidates to list.
    pub limit: usize,
    /// List candidates whose rise did not hold too.
    pub include_faded: bool,
    /// The classes listed (formulations by default).
    pub show: Vec<Class>,
    /// The order of the list.
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
    /// `held`, `keyness` or `spread`.
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
    /// Its date as written (year, month or day).
    pub date: String,
    /// Its id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// The sentence of its first occurrence in that document (title first,
    /// then text), as `trace` shows it.
    pub sentence: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
/// One listed candidate with its exact figures and evidence.
pub struct Candidate {
    /// The candidate string (Han characters, or English words).
    pub term: String,
    /// What the signals make of it, and the signals.
    pub class: Class,
    /// The signals measured and the reason for its class.
    pub signals: Signals,
    /// Documents and occurrences in the period.
    pub docs: u64,
    /// Its occurrences in the period's documents.
    pub occurrences: u64,
    /// Reference documents with it.
    pub ref_docs: u64,
    /// Its occurrences in the reference's documents.
    pub ref_occurrences: u64,
    /// Occurrences per million Han characters (Chinese) or English words.
    pub per_million: f64,
    /// Its occurrences per million characters (or words) of the reference.
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
    /// Its first appearance in the filtered corpus, as `trace` finds it.
    pub first: Option<First>,
    /// The year its use took off, as `trace` computes it.
    pub take_off: Option<TakeOff>,
    /// Documents of the period per kind and per collection.
    pub kinds: BTreeMap<String, u64>,
    /// Period documents with it per collection (corpus file).
    pub collections: BTreeMap<String, u64>,
    /// Documents per year over the whole filtered corpus.
    pub by_year: BTreeMap<String, u64>,
}

#[derive(Clone, Debug, Serialize)]
/// The answer of `tifa emerging`.
pub struct Emerging {
    /// The period, as `2015` or `2013..2015`.
    pub period: String,
    /// The reference in words (`before 2015`, `2008..2012`…).
    pub reference: String,
    /// Documents in the period and the reference after filters that have text
    /// of the kind looked for (Han characters, English words): the
    /// denominators of the document shares.
    pub period_docs: u64,
    /// Dated documents of the reference that can hold a candidate.
    pub reference_docs: u64,
    /// What the score is, in words.
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
    /// The classes listed.
    pub shown: Vec<Class>,
    /// The listed candidates, in the order asked for.
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

/// The formulations whose use took off in a period (see the module's steps).
pub fn emerging(engine: &Engine, options: &EmergingOptions) -> Result<Emerging> {
    check_dates(options)?;
    let allowed = engine.allowed(&options.filter)?;
    let period = options.period;
    let docs = load_documents(engine, &allowed, options.languages)?;
    let sides: Vec<Side> = docs.iter().map(|d| side_of(d.key, options)).collect();
    // Shares are of the documents that can hold a candidate: Chinese strings
    // are looked for among documents with Han text, n-grams among those with
    // English words (the UN's English speeches do not dilute a Chinese term).
    let count_side = |side: Side| {
        docs.iter()
            .zip(&sides)
            .filter(|(d, s)| **s == side && (!d.han.is_empty() || !d.words.is_empty()))
            .count() as u64
    };
    let (period_docs, reference_docs) = (count_side(Side::Period), count_side(Side::Reference));
    let reference_label = match options.against {
        Reference::Before => format!("before {}", period.from),
        Reference::AllOther => format!("all years but {}", period.label()),
        Reference::Span(r) => r.label(),
    };
    let following = Following::of(&docs, options);
    let layout = Layout::of(engine, &docs)?;
    let jieba = jieba_rs::Jieba::new();
    let corpus = Corpus {
        docs: &docs,
        sides: &sides,
        layout: &layout,
        following: &following,
        options,
        jieba: &jieba,
    };
    let mut scored: Vec<Scored> = Vec::new();
    for unit in units(options.languages) {
        scored.extend(corpus.score(unit)?);
    }
    let listed = list(scored, options, &jieba);
    let mut candidates = exact_figures(engine, &allowed, &docs, &sides, &listed.scored)?;
    for c in &mut candidates {
        if let Some(i) = listed.scored.iter().position(|s| s.term == c.term) {
            c.extensions = listed.extensions[i].clone();
        }
    }
    Ok(Emerging {
        period: period.label(),
        reference: reference_label,
        period_docs,
        reference_docs,
        statistic: "G² (log-likelihood) of document frequencies against the reference standardised to the period's mix of collections; log ratio = log2 of the ratio of the document shares",
        following: following.has.then(|| following.span.label()),
        faded: if options.include_faded {
            0
        } else {
            listed.faded
        },
        qualified: listed.qualified,
        classes: listed.classes,
        shown: options.show.clone(),
        candidates,
    })
}

/// The dates come from --period and --against, and the two must not overlap.
fn check_dates(options: &EmergingOptions) -> Result<()> {
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
    Ok(())
}

/// Where a document of this date key stands: in the period, the reference, or neither.
fn side_of(key: u64, options: &EmergingOptions) -> Side {
    if key == 0 {
        return Side::Other;
    }
    let year = (key / 10_000) as u16;
    if options.period.contains(year) {
        Side::Period
    } else if match options.against {
        Reference::Before => year < options.period.from,
        Reference::AllOther => true,
        Reference::Span(r) => r.contains(year),
    } {
        Side::Reference
    } else {
        Side::Other
    }
}

/// The units of analysis `--lang` asks for: Han strings, English n-grams or both.
fn units(languages: Languages) -> Vec<Unit> {
    match languages {
        Languages::Chinese => vec![Unit::Han],
        Languages::English => vec![Unit::Word],
        Languages::Both => vec![Unit::Han, Unit::Word],
    }
}

/// Every dated document the filter keeps, prepared for the units asked for,
/// in date order: the exact pass and the sparkline look at all years, not
/// only the two sides.
fn load_documents(engine: &Engine, allowed: &Allowed, languages: Languages) -> Result<Vec<Loaded>> {
    let addresses: Vec<(DocAddress, u64)> = engine
        .all_addresses()
        .filter(|a| allowed.keeps(*a))
        .map(|a| {
            let key = engine.date_key(a);
            (a, key)
        })
        .filter(|(_, key)| *key != 0)
        .collect();
    let (want_han, want_words) = match languages {
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
    Ok(docs)
}

/// The candidates of the classes shown, in the order asked for, with the
/// counts of those that faded and of each class.
struct Listed {
    scored: Vec<Scored>,
    /// Longer qualified candidates built on each listed one (网络空间命运共同体 under 命运共同体).
    extensions: Vec<Vec<String>>,
    faded: usize,
    qualified: usize,
    classes: BTreeMap<Class, usize>,
}

fn list(mut scored: Vec<Scored>, options: &EmergingOptions, jieba: &jieba_rs::Jieba) -> Listed {
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
    classify_all(&mut scored, jieba);
    let mut classes: BTreeMap<Class, usize> = BTreeMap::new();
    for s in &scored {
        *classes.entry(s.class).or_default() += 1;
    }
    let (mut scored, others): (Vec<Scored>, Vec<Scored>) = scored
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
    Listed {
        scored,
        extensions,
        faded,
        qualified,
        classes,
    }
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
    // jieba's reading of each string (its tags, its dictionary entry), on
    // every core: a few tens of microseconds a call, ten thousand candidates.
    scored.par_iter_mut().for_each(|s| {
        if matches!(s.unit, Unit::Han) {
            let (t, signals) = (&s.term, &mut s.signals);
            signals.dictionary_word = classify::dictionary_word(jieba, t);
            signals.organisation = classify::organisation(jieba, t);
            // A bound preposition first (以人民为中心) is part of the whole:
            // the edges that count are those of the rest.
            let rest = signals
                .bound_preposition
                .as_ref()
                .map_or(t.as_str(), |p| &t[p.len()..]);
            signals.loose_edge = classify::loose_edge(jieba, rest);
            signals.says = classify::ends_on_saying(jieba, t);
            signals.meeting = classify::meeting(t);
            signals.event = classify::event(t);
            signals.open_verb = classify::open_verb_phrase(jieba, t);
            signals.person = classify::person_edge(jieba, t);
        }
    });
    for (i, c) in carried.into_iter().enumerate() {
        let carried_by = c.map(|(j, _)| scored[j].term.clone());
        let s = &mut scored[i];
        s.signals.carried_by = carried_by;
        s.signals.carried_share = c.map(|(_, share)| share);
        let (class, reason) = classify::decide(&s.signals, s.new);
        s.signals.reason = reason;
        s.class = class;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
