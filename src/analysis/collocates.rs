//! `tifa collocates`: the words around a term's occurrences, scored against
//! the whole filtered corpus, optionally per year or per collection.
//!
//! Words are the index's word tokens: jieba words (dictionary, no HMM) for
//! Chinese runs, lower-cased words otherwise — the same tokens as the `words`
//! field, so that a word's corpus frequency is read from its postings.
//!
//! * `freq` f(n,c): occurrences of word c within `window` words left and/or
//!   right of the term's occurrences (the term's own words excluded);
//! * `corpus_freq` f(c): occurrences of c in the filtered documents (of the group);
//! * logDice = 14 + log2(2·f(n,c) / (f(n) + f(c))), f(n) the term's occurrences
//!   (Rychlý 2008: independent of corpus size, 14 at most);
//! * log-likelihood G² of the 2×2 table window tokens vs the rest of the
//!   corpus: O11 = f(n,c), O12 = W − f(n,c), O21 = f(c) − f(n,c),
//!   O22 = N − W − O21, with W the tokens in all windows and N the tokens of
//!   the filtered documents (from tantivy's field norms: exact up to 40 tokens
//!   per document, bucketed above, so N is close, not exact).

use std::collections::{BTreeMap, HashMap};

use anyhow::Result;
use rayon::prelude::*;
use serde::Serialize;
use tantivy::postings::Postings;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, DocSet, TERMINATED, Term};

use crate::engine::{Engine, Filter};
use crate::terms::Subject;
use crate::text;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
/// Which side of the term the window looks at.
pub enum Side {
    /// Words before the term only.
    Left,
    /// Words after the term only.
    Right,
    /// Words on either side.
    Both,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
/// How the collocates are grouped.
pub enum GroupBy {
    /// One list over the whole filtered corpus.
    All,
    /// One list per year.
    Year,
    /// One list per collection (corpus file).
    Collection,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
/// The association measure that orders the list.
pub enum Measure {
    /// logDice (Rychlý): stable across corpus sizes.
    LogDice,
    /// Dunning's log-likelihood G².
    LogLikelihood,
}

#[derive(Clone, Debug)]
/// What `tifa collocates` asks.
pub struct CollocateOptions {
    /// The documents looked at.
    pub filter: Filter,
    /// Words on each side of an occurrence that count as its context.
    pub window: usize,
    /// Which side of the term the window covers.
    pub side: Side,
    /// Fewest co-occurrences a collocate must have.
    pub min_freq: u64,
    /// Leave out function words (的, 和, the, of …).
    pub stop_words: bool,
    /// One list, or one per year or collection.
    pub by: GroupBy,
    /// The measure that orders each list.
    pub measure: Measure,
    /// Most collocates listed per group.
    pub limit: usize,
}

#[derive(Clone, Debug, Serialize)]
/// One word that keeps company with the term.
pub struct Collocate {
    /// The word (a jieba word or an English word, lower-cased).
    pub word: String,
    /// Its occurrences inside the term's windows.
    pub freq: u64,
    /// Its occurrences in the group's documents as a whole.
    pub corpus_freq: u64,
    /// logDice of the pair.
    pub log_dice: f64,
    /// G² of the pair (window against the rest of the group).
    pub log_likelihood: f64,
}

#[derive(Clone, Debug, Serialize)]
/// The collocates of one group (all, a year or a collection).
pub struct Group {
    /// `all`, a year (`unknown` for undated documents) or a collection.
    pub group: String,
    /// Documents of the group with the term.
    pub docs: u64,
    /// Occurrences of the term in the group.
    pub occurrences: u64,
    /// Word tokens of the group's filtered documents (N).
    pub tokens: u64,
    /// Words that reach `min_freq`; `collocates` holds the first `limit`.
    pub qualified: usize,
    /// The collocates, best first.
    pub collocates: Vec<Collocate>,
}

#[derive(Clone, Debug, Serialize)]
/// The answer of `tifa collocates`.
pub struct Collocates {
    /// The term as given.
    pub term: String,
    /// Words on each side looked at.
    pub window: usize,
    /// Which side was looked at.
    pub side: Side,
    /// The measure that ordered the lists.
    pub measure: Measure,
    /// One list per group.
    pub groups: Vec<Group>,
}

/// One document's part: (group, places, words in the windows, window tokens).
type DocWindows = (String, u64, HashMap<String, u64>, u64);

/// Chinese function words and English stop words left out by `--stop-words`.
pub const STOP_WORDS: &[&str] = &[
    "的", "了", "和", "与", "及", "或", "是", "在", "对", "把", "被", "将", "等", "之", "也", "并",
    "而", "从", "向", "为", "以", "于", "由", "同", "跟", "给", "让", "就", "都", "又", "还", "更",
    "最", "很", "着", "过", "吗", "呢", "吧", "啊", "其", "该", "各", "每", "这", "那", "有", "中",
    "上", "下", "我", "我们", "你", "他", "她", "它", "他们", "要", "a", "an", "and", "are", "as",
    "at", "be", "been", "but", "by", "for", "from", "has", "have", "in", "is", "it", "its", "of",
    "on", "or", "our", "that", "the", "their", "this", "to", "was", "we", "were", "which", "will",
    "with",
];

/// The widest window: beyond it "near" means "anywhere", and the cost grows
/// with the window (100,000 did not finish in 180 s).
pub const MAX_WINDOW: usize = 50;

/// Refuses a window of 0 or wider than [`MAX_WINDOW`], saying why.
pub fn check_window(window: usize) -> Result<()> {
    if window == 0 || window > MAX_WINDOW {
        return Err(crate::error::UserError::BadQuery(format!(
            "--window must be between 1 and {MAX_WINDOW} words (a collocate is a word near the term; for whole documents use `tifa search`)"
        ))
        .into());
    }
    Ok(())
}

/// The words that keep company with `term` in the filtered corpus.
pub fn collocates(
    engine: &Engine,
    subject: &Subject,
    options: &CollocateOptions,
) -> Result<Collocates> {
    let allowed = engine.allowed(&options.filter)?;
    let matches = crate::terms::evaluate(engine, subject, &allowed)?;
    let collections = engine.field_values("collection")?;
    let group_of = |a: DocAddress| -> String {
        match options.by {
            GroupBy::All => "all".to_string(),
            GroupBy::Year => {
                let key = engine.date_key(a);
                if key == 0 {
                    "unknown".to_string()
                } else {
                    format!("{:04}", key / 10_000)
                }
            }
            GroupBy::Collection => collections
                .get(a)
                .unwrap_or(crate::history::NO_VALUE)
                .to_string(),
        }
    };
    let jieba = jieba_rs::Jieba::new();
    // Per matching document: its group, its places, and the words in their windows.
    let per_doc: Vec<Result<DocWindows>> = matches
        .par_iter()
        .map(|m| {
            let (places, counts, window_tokens) =
                windows_of(engine, subject, &jieba, m.address, options)?;
            Ok((group_of(m.address), places, counts, window_tokens))
        })
        .collect();
    let mut groups: BTreeMap<String, Acc> = BTreeMap::new();
    for r in per_doc {
        let (g, places, counts, window_tokens) = r?;
        let acc = groups.entry(g).or_insert_with(|| Acc {
            docs: 0,
            occurrences: 0,
            window_tokens: 0,
            counts: HashMap::new(),
        });
        acc.docs += 1;
        acc.occurrences += places;
        acc.window_tokens += window_tokens;
        for (w, n) in counts {
            *acc.counts.entry(w).or_default() += n;
        }
    }
    // Words worth a corpus frequency: those reaching min_freq in some group.
    let wanted: Vec<String> = {
        let mut v: Vec<String> = groups
            .values()
            .flat_map(|a| a.counts.iter())
            .filter(|(w, n)| listed(w, **n, options))
            .map(|(w, _)| w.clone())
            .collect();
        v.sort();
        v.dedup();
        v
    };
    let corpus = corpus_frequencies(engine, &allowed, &wanted, &group_of)?;
    let tokens = tokens_per_group(engine, &allowed, &group_of)?;
    let out_groups = groups
        .into_iter()
        .map(|(g, acc)| {
            let n_tokens = tokens.get(&g).copied().unwrap_or(0);
            ranked(g, acc, n_tokens, &corpus, options)
        })
        .collect();
    Ok(Collocates {
        term: subject.label(),
        window: options.window,
        side: options.side,
        measure: options.measure,
        groups: out_groups,
    })
}

/// What the matching documents of one group hold.
struct Acc {
    docs: u64,
    occurrences: u64,
    window_tokens: u64,
    counts: HashMap<String, u64>,
}

/// Whether a word with `n` co-occurrences may be listed (`--min-freq`, `--stop-words`).
fn listed(word: &str, n: u64, options: &CollocateOptions) -> bool {
    n >= options.min_freq && !(options.stop_words && STOP_WORDS.contains(&word))
}

/// One matching document: the term's places, the words in their windows
/// (each word token once) and how many tokens the windows hold.
fn windows_of(
    engine: &Engine,
    subject: &Subject,
    jieba: &jieba_rs::Jieba,
    address: DocAddress,
    options: &CollocateOptions,
) -> Result<(u64, HashMap<String, u64>, u64)> {
    let doc = engine.stored(address)?;
    let mut counts: HashMap<String, u64> = HashMap::new();
    let (mut places_n, mut window_tokens) = (0u64, 0u64);
    for field in [&doc.title, &doc.text] {
        let normalized = text::nfkc(field);
        let places = subject.find_in_normalized(&normalized);
        if places.is_empty() {
            continue;
        }
        places_n += places.len() as u64;
        let words = text::WordTokenizer::words_with_offsets(jieba, &normalized);
        // Each word token counts once, however many windows it falls
        // in (places close together share their context): f(n,c)
        // never exceeds f(c), and logDice stays at most 14.
        let mut in_window = vec![false; words.len()];
        for &(s, e) in &places {
            // Words wholly before / after the match.
            let before = words.partition_point(|w| w.2 <= s);
            let after = words.partition_point(|w| w.1 < e);
            if options.side != Side::Right {
                in_window[before.saturating_sub(options.window)..before].fill(true);
            }
            if options.side != Side::Left {
                in_window[after..(after + options.window).min(words.len())].fill(true);
            }
        }
        // A token overlapping another place of the term is the term
        // (places close together), not its context.
        for &(s, e) in &places {
            let from = words.partition_point(|w| w.2 <= s);
            let to = words.partition_point(|w| w.1 < e);
            in_window[from..to.max(from)].fill(false);
        }
        for (w, _) in words.iter().zip(&in_window).filter(|(_, inside)| **inside) {
            window_tokens += 1;
            *counts.entry(w.0.clone()).or_default() += 1;
        }
    }
    Ok((places_n, counts, window_tokens))
}

/// Corpus frequencies of the wanted words per (group, word), from the
/// postings of the words field.
fn corpus_frequencies(
    engine: &Engine,
    allowed: &crate::engine::Allowed,
    wanted: &[String],
    group_of: &(dyn Fn(DocAddress) -> String + Sync),
) -> Result<HashMap<(String, String), u64>> {
    let corpus_freq: Vec<Result<HashMap<String, u64>>> = wanted
        .par_iter()
        .map(|w| {
            let mut by_group: HashMap<String, u64> = HashMap::new();
            let term = Term::from_field_text(engine.fields.words, w);
            for (s, reader) in engine.searcher.segment_readers().iter().enumerate() {
                let inverted = reader.inverted_index(engine.fields.words)?;
                let Some(mut p) = inverted.read_postings(&term, IndexRecordOption::WithFreqs)?
                else {
                    continue;
                };
                while p.doc() != TERMINATED {
                    let a = DocAddress::new(s as u32, p.doc());
                    if allowed.keeps(a) {
                        *by_group.entry(group_of(a)).or_default() += u64::from(p.term_freq());
                    }
                    p.advance();
                }
            }
            Ok(by_group)
        })
        .collect();
    let mut corpus: HashMap<(String, String), u64> = HashMap::new();
    for (w, r) in wanted.iter().zip(corpus_freq) {
        for (g, n) in r? {
            corpus.insert((g, w.clone()), n);
        }
    }
    Ok(corpus)
}

/// N per group: the filtered documents' word tokens (field norms).
fn tokens_per_group(
    engine: &Engine,
    allowed: &crate::engine::Allowed,
    group_of: &(dyn Fn(DocAddress) -> String + Sync),
) -> Result<HashMap<String, u64>> {
    let mut tokens: HashMap<String, u64> = HashMap::new();
    for (s, reader) in engine.searcher.segment_readers().iter().enumerate() {
        let norms = reader.get_fieldnorms_reader(engine.fields.words)?;
        for d in 0..reader.max_doc() {
            let a = DocAddress::new(s as u32, d);
            if allowed.keeps(a) {
                *tokens.entry(group_of(a)).or_default() += u64::from(norms.fieldnorm(d));
            }
        }
    }
    Ok(tokens)
}

/// One group's collocates, scored and in the order of `--measure`.
fn ranked(
    g: String,
    acc: Acc,
    n_tokens: u64,
    corpus: &HashMap<(String, String), u64>,
    options: &CollocateOptions,
) -> Group {
    let mut list: Vec<Collocate> = acc
        .counts
        .iter()
        .filter(|(w, n)| listed(w, **n, options))
        .map(|(w, &f)| {
            let fc = corpus
                .get(&(g.clone(), w.clone()))
                .copied()
                .unwrap_or(f)
                .max(f);
            Collocate {
                word: w.clone(),
                freq: f,
                corpus_freq: fc,
                log_dice: log_dice(f, acc.occurrences, fc),
                log_likelihood: log_likelihood(f, acc.window_tokens, fc, n_tokens),
            }
        })
        .collect();
    list.sort_by(|a, b| {
        let (x, y) = match options.measure {
            Measure::LogDice => (a.log_dice, b.log_dice),
            Measure::LogLikelihood => (a.log_likelihood, b.log_likelihood),
        };
        y.total_cmp(&x).then_with(|| a.word.cmp(&b.word))
    });
    let qualified = list.len();
    list.truncate(options.limit);
    Group {
        group: g,
        docs: acc.docs,
        occurrences: acc.occurrences,
        tokens: n_tokens,
        qualified,
        collocates: list,
    }
}

/// 14 + log2(2·f(n,c) / (f(n) + f(c))).
pub fn log_dice(together: u64, node: u64, collocate: u64) -> f64 {
    if together == 0 || node + collocate == 0 {
        return f64::NEG_INFINITY;
    }
    14.0 + (2.0 * together as f64 / (node + collocate) as f64).log2()
}

/// G² of window tokens against the rest of the corpus (see the module docs).
pub fn log_likelihood(together: u64, window: u64, collocate: u64, corpus: u64) -> f64 {
    let o11 = together as f64;
    let o12 = window.saturating_sub(together) as f64;
    let o21 = collocate.saturating_sub(together) as f64;
    let o22 = corpus
        .saturating_sub(window)
        .saturating_sub(collocate.saturating_sub(together)) as f64;
    let n = o11 + o12 + o21 + o22;
    if n <= 0.0 {
        return 0.0;
    }
    let (r1, r2, c1, c2) = (o11 + o12, o21 + o22, o11 + o21, o12 + o22);
    let cell = |o: f64, r: f64, c: f64| {
        let e = r * c / n;
        if o > 0.0 && e > 0.0 {
            o * (o / e).ln()
        } else {
            0.0
        }
    };
    let g2 = 2.0 * (cell(o11, r1, c1) + cell(o12, r1, c2) + cell(o21, r2, c1) + cell(o22, r2, c2));
    // Negative association (fewer than expected) gets a negative sign.
    if o11 < r1 * c1 / n { -g2 } else { g2 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_dice_bounds() {
        // Always together and never apart: the maximum, 14.
        assert!((log_dice(10, 10, 10) - 14.0).abs() < 1e-9);
        assert!(log_dice(1, 100, 1000) < log_dice(50, 100, 100));
    }

    #[test]
    fn log_likelihood_signs() {
        assert!(log_likelihood(50, 100, 60, 100_000) > 100.0);
        assert!(log_likelihood(1, 1000, 50_000, 100_000) < 0.0);
    }
}
