//! `tifa search`: exact evaluation, ranking, and KWIC snippets with offsets into
//! the original text.

use std::collections::{BTreeMap, HashMap};

use anyhow::{Result, anyhow};
use serde::Serialize;
use tantivy::postings::Postings;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, DocSet};

use crate::engine::{Engine, Filter, StoredDoc};
use crate::matcher::{Literal, window_around};
use crate::query;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Sort {
    /// BM25 over exact occurrences (title matches count double).
    Relevance,
    /// Oldest first (undated last).
    Date,
    /// Newest first (undated last).
    #[value(name = "-date")]
    NewestFirst,
}

pub struct SearchOptions {
    pub limit: Option<usize>,
    pub sort: Sort,
    pub filter: Filter,
    /// Snippets per hit.
    pub snippets: usize,
}

#[derive(Debug, Serialize)]
pub struct Snippet {
    pub field: &'static str,
    /// Character offsets of the match in the original field text.
    pub start: usize,
    pub end: usize,
    pub context: String,
    /// Character offsets of the match inside `context`.
    #[serde(skip)]
    pub highlight: (usize, usize),
}

#[derive(Debug, Serialize)]
pub struct Hit {
    pub id: String,
    pub date: Option<String>,
    pub title: String,
    pub lang: String,
    pub kind: String,
    /// Other metadata: source, url, pair, country, speaker, … (all string fields).
    pub meta: BTreeMap<String, String>,
    pub score: f64,
    pub occurrences: u32,
    pub snippets: Vec<Snippet>,
}

#[derive(Debug, Serialize)]
pub struct SearchResult {
    pub query: String,
    pub total: usize,
    pub hits: Vec<Hit>,
}

const K1: f64 = 1.2;
const B: f64 = 0.75;

pub fn search(engine: &Engine, query_text: &str, options: &SearchOptions) -> Result<SearchResult> {
    let expr = query::parse(query_text)
        .map_err(|e| anyhow!("cannot read the query {query_text:?}: {e}"))?;
    let allowed = engine.allowed(&options.filter)?;
    let evaluation = query::evaluate(engine, &expr, &allowed)?;
    let terms = expr.positive_terms();
    let n = engine.num_docs().max(1) as f64;
    let mut doc_freq = vec![0usize; terms.len()];
    for per_leaf in evaluation.values() {
        for (i, m) in per_leaf.iter().enumerate() {
            if m.is_some() {
                doc_freq[i] += 1;
            }
        }
    }
    let m = &engine.manifest;
    let avg_len = ((m.han_chars + m.english_words) as f64 / n).max(1.0);
    let word_bonus = if options.sort == Sort::Relevance {
        whole_word_bonus(engine, &terms, &evaluation)?
    } else {
        HashMap::new()
    };
    let mut ranked: Vec<(DocAddress, f64, u32, u64)> = evaluation
        .iter()
        .map(|(&address, per_leaf)| {
            let cols = engine.columns(address.segment_ord);
            let len = (cols.han.first(address.doc_id).unwrap_or(0)
                + cols.en_words.first(address.doc_id).unwrap_or(0)) as f64;
            let mut score = 0.0;
            let mut occurrences = 0;
            for (i, m) in per_leaf.iter().enumerate() {
                if let Some(m) = m {
                    occurrences += m.occurrences;
                    let df = doc_freq[i] as f64;
                    let idf = (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
                    let tf = f64::from(m.occurrences + m.title_occurrences);
                    score += idf * tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * len / avg_len));
                }
            }
            if let Some(bonus) = word_bonus.get(&address) {
                score += bonus;
            }
            let key = cols.date_key.first(address.doc_id).unwrap_or(0);
            (address, score, occurrences, key)
        })
        .collect();
    let undated_last = |k: u64| if k == 0 { u64::MAX } else { k };
    match options.sort {
        Sort::Relevance => {
            ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.3.cmp(&b.3)).then(a.0.cmp(&b.0)))
        }
        Sort::Date => ranked.sort_by_key(|r| (undated_last(r.3), r.0)),
        Sort::NewestFirst => ranked.sort_by(|a, b| {
            (a.3 == 0)
                .cmp(&(b.3 == 0))
                .then(b.3.cmp(&a.3))
                .then(a.0.cmp(&b.0))
        }),
    }
    let total = ranked.len();
    let shown = options.limit.unwrap_or(total).min(total);
    let literals: Vec<Literal> = terms.into_iter().cloned().collect();
    let hits = ranked[..shown]
        .iter()
        .map(|&(address, score, occurrences, _)| {
            let doc = engine.stored(address)?;
            let snippets = snippets(&doc, &literals, options.snippets);
            Ok(Hit {
                id: doc.id,
                date: doc.date,
                title: doc.title,
                lang: doc.lang,
                kind: doc.kind,
                meta: doc.meta,
                score: (score * 1000.0).round() / 1000.0,
                occurrences,
                snippets,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(SearchResult {
        query: query_text.to_string(),
        total,
        hits,
    })
}

/// Ranking signal from the jieba word field: BM25 of the term as one whole
/// jieba word. A document where jieba reads 新时代 as a word ranks above one
/// where the match straddles words (崭新/时代); recall never depends on it. No
/// jieba dictionary is needed at query time: the term itself is looked up.
fn whole_word_bonus(
    engine: &Engine,
    terms: &[&Literal],
    evaluation: &query::Evaluation,
) -> Result<HashMap<DocAddress, f64>> {
    let mut bonus: HashMap<DocAddress, f64> = HashMap::new();
    let field = engine.fields.words;
    let n = engine.num_docs().max(1) as f64;
    for literal in terms {
        let term = tantivy::Term::from_field_text(field, &literal.normalized);
        let mut df = 0u64;
        let mut tokens = 0u64;
        for reader in engine.searcher.segment_readers() {
            let inverted = reader.inverted_index(field)?;
            df += u64::from(inverted.doc_freq(&term)?);
            tokens += inverted.total_num_tokens();
        }
        if df == 0 {
            continue;
        }
        let idf = (1.0 + (n - df as f64 + 0.5) / (df as f64 + 0.5)).ln();
        let avg = (tokens as f64 / n).max(1.0);
        for (s, reader) in engine.searcher.segment_readers().iter().enumerate() {
            let inverted = reader.inverted_index(field)?;
            let Some(mut postings) = inverted.read_postings(&term, IndexRecordOption::WithFreqs)?
            else {
                continue;
            };
            let norms = reader.get_fieldnorms_reader(field)?;
            let start = DocAddress::new(s as u32, 0);
            let end = DocAddress::new(s as u32 + 1, 0);
            for (&address, _) in evaluation.range(start..end) {
                if postings.doc() == tantivy::TERMINATED {
                    break;
                }
                let id = address.doc_id;
                let at = if postings.doc() < id {
                    postings.seek(id)
                } else {
                    postings.doc()
                };
                if at == id {
                    let tf = f64::from(postings.term_freq());
                    let len = f64::from(norms.fieldnorm(id));
                    *bonus.entry(address).or_default() +=
                        idf * tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * len / avg));
                }
            }
        }
    }
    Ok(bonus)
}

/// Up to `max` snippets: matches of any positive literal, title first, in text order.
///
/// Lines are searched one at a time and the search stops once `max` snippets
/// are found, so a long law costs no more than its first matching lines; only
/// when no line has a match (an English phrase broken across a line break) is
/// the whole text searched.
pub fn snippets(doc: &StoredDoc, literals: &[Literal], max: usize) -> Vec<Snippet> {
    let mut out = Vec::new();
    if max == 0 {
        return out;
    }
    for (field, text) in [("title", &doc.title), ("text", &doc.text)] {
        let mut chars = CharIndex::new(text);
        let mut line_start = 0;
        for line in text.split_inclusive('\n') {
            let found = matches_in(literals, line)
                .into_iter()
                .map(|(s, e)| (s + line_start, e + line_start));
            if push_snippets(&mut out, field, text, found, &mut chars, max) {
                return out;
            }
            line_start += line.len();
        }
    }
    if out.is_empty() {
        for (field, text) in [("title", &doc.title), ("text", &doc.text)] {
            let mut chars = CharIndex::new(text);
            if push_snippets(
                &mut out,
                field,
                text,
                matches_in(literals, text).into_iter(),
                &mut chars,
                max,
            ) {
                break;
            }
        }
    }
    out
}

fn matches_in(literals: &[Literal], text: &str) -> Vec<(usize, usize)> {
    let mut found: Vec<(usize, usize)> = literals.iter().flat_map(|l| l.find(text)).collect();
    found.sort_unstable();
    found
}

/// Adds snippets for `found` (byte ranges of `text`); true once `max` are there.
fn push_snippets(
    out: &mut Vec<Snippet>,
    field: &'static str,
    text: &str,
    found: impl Iterator<Item = (usize, usize)>,
    chars: &mut CharIndex,
    max: usize,
) -> bool {
    for (s, e) in found {
        if out.len() >= max {
            return true;
        }
        let (cs, ce) = window_around(text, s, e, 30);
        let before = text[cs..s].chars().count();
        let inside = text[s..e].chars().count();
        out.push(Snippet {
            field,
            start: chars.of(s),
            end: chars.of(e),
            context: text[cs..ce].to_string(),
            highlight: (before, before + inside),
        });
    }
    out.len() >= max
}

/// Converts increasing byte offsets to character offsets without rescanning.
struct CharIndex<'a> {
    text: &'a str,
    byte: usize,
    chars: usize,
    cache: HashMap<usize, usize>,
}

impl<'a> CharIndex<'a> {
    fn new(text: &'a str) -> Self {
        CharIndex {
            text,
            byte: 0,
            chars: 0,
            cache: HashMap::new(),
        }
    }
    fn of(&mut self, byte: usize) -> usize {
        if let Some(&c) = self.cache.get(&byte) {
            return c;
        }
        if byte < self.byte {
            self.byte = 0;
            self.chars = 0;
        }
        self.chars += self.text[self.byte..byte].chars().count();
        self.byte = byte;
        self.cache.insert(byte, self.chars);
        self.chars
    }
}
