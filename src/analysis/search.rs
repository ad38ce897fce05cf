//! `tifa search`: exact evaluation, ranking, and KWIC snippets with offsets into
//! the original text.

use std::collections::{BTreeMap, HashMap};

use anyhow::Result;
use serde::Serialize;
use tantivy::DocAddress;

use crate::engine::{Engine, Filter, StoredDoc};
use crate::matcher::{Literal, window_around};
use crate::query;

/// Order of hits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sort {
    /// BM25 over exact occurrences (title matches count double).
    Relevance,
    /// Oldest first (undated last).
    Date,
    /// Newest first (undated last).
    NewestFirst,
}

impl Sort {
    /// The order named as the CLI's `--sort` and the API's `sort=` name it.
    pub fn parse(name: &str) -> Result<Sort, crate::error::UserError> {
        match name {
            "relevance" => Ok(Sort::Relevance),
            "date" => Ok(Sort::Date),
            "-date" => Ok(Sort::NewestFirst),
            other => Err(crate::error::UserError::BadQuery(format!(
                "sort={other:?}: use relevance, date or -date"
            ))),
        }
    }
}

/// What `tifa search` asks.
pub struct SearchOptions {
    /// Most hits listed (`None`: all).
    pub limit: Option<usize>,
    /// The order of the hits.
    pub sort: Sort,
    /// The documents searched.
    pub filter: Filter,
    /// Snippets per hit.
    pub snippets: usize,
    /// Show each snippet's aligned paragraph of the document's pair.
    pub pair: bool,
    /// How patterns read (`--gap`) and whether one may read every document (`--scan`).
    pub query: crate::query::QueryOptions,
}

#[derive(Clone, Debug, Serialize)]
/// One occurrence of a hit, with its context.
pub struct Snippet {
    /// `title` or `text`.
    pub field: &'static str,
    /// Character offsets of the match in the original field text.
    pub start: usize,
    /// End (exclusive) of the match, as `start`.
    pub end: usize,
    /// The text around the match.
    pub context: String,
    /// Character offsets of the match inside `context`.
    #[serde(skip)]
    pub highlight: (usize, usize),
    /// With `--pair`: the aligned paragraph(s) of the document's translation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pair: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
/// One document that matches.
pub struct Hit {
    /// The document's id.
    pub id: String,
    /// The document's date, if it has one.
    pub date: Option<String>,
    /// The document's title.
    pub title: String,
    /// The document's language.
    pub lang: String,
    /// The document's kind.
    pub kind: String,
    /// Other metadata: source, url, pair, country, speaker, … (all string fields).
    pub meta: BTreeMap<String, String>,
    /// The relevance score (`--sort score`).
    pub score: f64,
    /// Occurrences of the query's terms in the document.
    pub occurrences: u32,
    /// The first occurrences with their context.
    pub snippets: Vec<Snippet>,
}

#[derive(Debug, Serialize)]
/// The answer of `tifa search`.
pub struct SearchResult {
    /// The query as given.
    pub query: String,
    /// Documents that match (all of them, whatever the limit).
    pub total: usize,
    /// The hits listed.
    pub hits: Vec<Hit>,
    /// Things about the query worth knowing (e.g. a lower-case `or` read as a word).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// With no hits: what does exist nearby (e.g. all the phrase's words).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

const K1: f64 = 1.2;
/// A single Chinese phrase with fewer documents than this is also counted with
/// punctuation inside it by `trace` (a hint when that form is much more common).
pub const PUNCTUATED_HINT_BELOW: usize = 200;

/// The same for `search`, whose answers are otherwise milliseconds: the loose
/// count reads every document holding all the phrase's characters (~0.15 s),
/// so it is paid only for a nearly empty result.
pub const PUNCTUATED_SEARCH_HINT_BELOW: usize = 20;
const B: f64 = 0.75;

/// The ids of every document a query matches (all documents allowed), in no
/// particular order: the answer an engine's verified candidates must equal.
pub fn matching_ids(engine: &Engine, query_text: &str) -> Result<Vec<String>> {
    let expr =
        query::parse_with(query_text, &crate::query::QueryOptions::default()).map_err(|e| {
            crate::error::UserError::BadQuery(format!("cannot read the query {query_text:?}: {e}"))
        })?;
    let allowed = engine.allowed(&Filter::default())?;
    let evaluation = query::evaluate(engine, &expr, &allowed)?;
    let ids = engine.field_values("id")?;
    evaluation
        .keys()
        .map(|&a| {
            ids.get(a).map(str::to_string).ok_or_else(|| {
                anyhow::anyhow!("a document without an id: rebuild with `tifa index`")
            })
        })
        .collect()
}

/// The documents that contain the query, exactly as a scan would find them.
pub fn search(engine: &Engine, query_text: &str, options: &SearchOptions) -> Result<SearchResult> {
    let expr = query::parse_with(query_text, &options.query).map_err(|e| {
        crate::error::UserError::BadQuery(format!("cannot read the query {query_text:?}: {e}"))
    })?;
    let allowed = engine.allowed(&options.filter)?;
    let evaluation = query::evaluate(engine, &expr, &allowed)?;
    let terms = expr.positive_terms();
    let mut notes = Vec::new();
    if options.query.variants {
        // Which script forms were searched, and how many documents each has.
        let found: Vec<String> = terms
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let docs = evaluation.values().filter(|v| v[i].is_some()).count();
                format!("{} ({docs} documents)", t.raw)
            })
            .collect();
        notes.push(format!("--variants searched: {}", found.join(", ")));
    }
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
        let addresses: Vec<DocAddress> = evaluation.keys().copied().collect();
        engine.whole_word_bonus(&terms, &addresses, (K1, B))?
    } else {
        HashMap::new()
    };
    let idf: Vec<f64> = doc_freq
        .iter()
        .map(|&df| {
            let df = df as f64;
            (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
        })
        .collect();
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
                    let tf = f64::from(m.occurrences + m.title_occurrences);
                    score += idf[i] * tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * len / avg_len));
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
    type Ranked = (DocAddress, f64, u32, u64);
    // Each order is total (the address breaks the last ties), so sorting only
    // the places shown gives the same first places as sorting all.
    let by_relevance =
        |a: &Ranked, b: &Ranked| b.1.total_cmp(&a.1).then(a.3.cmp(&b.3)).then(a.0.cmp(&b.0));
    let by_date = |a: &Ranked, b: &Ranked| (undated_last(a.3), a.0).cmp(&(undated_last(b.3), b.0));
    let newest_first = |a: &Ranked, b: &Ranked| {
        (a.3 == 0)
            .cmp(&(b.3 == 0))
            .then(b.3.cmp(&a.3))
            .then(a.0.cmp(&b.0))
    };
    let by_score = options.sort == Sort::Relevance;
    let ties = |a: &Ranked, b: &Ranked| a.3 == b.3 && (!by_score || a.1.total_cmp(&b.1).is_eq());
    let shown = options.limit.unwrap_or(ranked.len());
    match options.sort {
        Sort::Relevance => sort_first(&mut ranked, shown, by_relevance, ties),
        Sort::Date => sort_first(&mut ranked, shown, by_date, ties),
        Sort::NewestFirst => sort_first(&mut ranked, shown, newest_first, ties),
    }
    let literals: Vec<Literal> = terms.into_iter().cloned().collect();
    recount_places_once(engine, &literals, &evaluation, &mut ranked)?;
    let total = ranked.len();
    order_ties_by_id(
        engine,
        &mut ranked,
        options.limit.unwrap_or(total),
        options.sort == Sort::Relevance,
    )?;
    let mut hint = if total == 0 {
        near_miss(engine, &expr, &allowed)?
    } else {
        None
    };
    // A Chinese phrase with few hits may be printed with punctuation inside.
    if hint.is_none()
        && total < PUNCTUATED_SEARCH_HINT_BELOW
        && !options.query.patterns.loose_punct
        && let query::Expr::Term(literal) = &expr
        && let Some(form) = punctuated_form(engine, literal, &allowed, total)?
    {
        hint = Some(form.message());
    }
    let shown = options.limit.unwrap_or(total).min(total);
    let hits = ranked[..shown]
        .iter()
        .map(|&(address, score, occurrences, _)| {
            let doc = engine.stored(address)?;
            let mut snippets = snippets(&doc, &literals, options.snippets);
            if options.pair {
                attach_pairs(engine, &doc, &mut snippets)?;
            }
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
        warnings: query::warnings(query_text)
            .into_iter()
            .chain(notes)
            .collect(),
        hint,
    })
}

/// Sorts the first `k` places of `v` by `order` (a total order), followed by
/// the other places that tie with the k-th by `ties` (sorted too, so that
/// [`order_ties_by_id`] sees the whole run); the rest stays unsorted.
fn sort_first<T: Copy>(
    v: &mut [T],
    k: usize,
    order: impl Fn(&T, &T) -> std::cmp::Ordering,
    ties: impl Fn(&T, &T) -> bool,
) {
    if k == 0 || k >= v.len() {
        v.sort_unstable_by(order);
        return;
    }
    v.select_nth_unstable_by(k - 1, &order);
    v[..k].sort_unstable_by(&order);
    let last = v[k - 1];
    let mut tied_end = k;
    for i in k..v.len() {
        if ties(&v[i], &last) {
            v.swap(i, tied_end);
            tied_end += 1;
        }
    }
    v[k..tied_end].sort_unstable_by(&order);
}

/// Where several literals match one document (`人类命运共同体 OR 命运共同体`),
/// nested or overlapping matches are one place, the longer winning — the
/// rule of families — so the stored text decides the document's count.
/// Orders documents that tie (same date, and same score when ranking by
/// relevance) by id, so that the order — and which of them a limit shows —
/// does not depend on how the index happens to be laid out in segments (a
/// full build and an `--update` give the same list). Only runs that reach into
/// the first `shown` places are resolved.
fn order_ties_by_id(
    engine: &Engine,
    ranked: &mut [(DocAddress, f64, u32, u64)],
    shown: usize,
    by_score: bool,
) -> Result<()> {
    let ties = |a: &(DocAddress, f64, u32, u64), b: &(DocAddress, f64, u32, u64)| {
        a.3 == b.3 && (!by_score || a.1.total_cmp(&b.1).is_eq())
    };
    let mut start = 0;
    while start < shown.min(ranked.len()) {
        let mut end = start + 1;
        while end < ranked.len() && ties(&ranked[start], &ranked[end]) {
            end += 1;
        }
        if end - start > 1 {
            let mut with_ids: Vec<(String, (DocAddress, f64, u32, u64))> = ranked[start..end]
                .iter()
                .map(|r| Ok((engine.stored_id(r.0)?, *r)))
                .collect::<Result<_>>()?;
            with_ids.sort_by(|a, b| a.0.cmp(&b.0));
            for (slot, (_, r)) in ranked[start..end].iter_mut().zip(with_ids) {
                *slot = r;
            }
        }
        start = end;
    }
    Ok(())
}

fn recount_places_once(
    engine: &Engine,
    literals: &[Literal],
    evaluation: &query::Evaluation,
    ranked: &mut [(DocAddress, f64, u32, u64)],
) -> Result<()> {
    use rayon::prelude::*;
    let union = crate::terms::Subject::Family(crate::terms::Family {
        name: String::new(),
        description: String::new(),
        variants: literals.to_vec(),
    });
    let several: Vec<DocAddress> = evaluation
        .iter()
        .filter(|(_, per_leaf)| per_leaf.iter().filter(|m| m.is_some()).count() > 1)
        .map(|(a, _)| *a)
        .collect();
    let recounted: HashMap<DocAddress, u32> = several
        .par_iter()
        .map(|&a| {
            let doc = engine.stored(a)?;
            Ok((a, union.count(&doc.title) + union.count(&doc.text)))
        })
        .collect::<Result<_>>()?;
    for r in ranked.iter_mut() {
        if let Some(&n) = recounted.get(&r.0) {
            r.2 = n;
        }
    }
    Ok(())
}

/// The search hits as CSV, one row per document with what a citation needs
/// (title, collection, url, source); every text cell made inert for
/// spreadsheets. One writer for the CLI's `--csv` and the web page's export.
pub fn write_csv<W: std::io::Write>(out: W, result: &SearchResult) -> Result<()> {
    use crate::output::csv_cell;
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "id",
        "date",
        "title",
        "lang",
        "kind",
        "collection",
        "url",
        "source",
        "occurrences",
        "score",
    ])?;
    for h in &result.hits {
        let meta = |k: &str| csv_cell(h.meta.get(k).map_or("", String::as_str));
        w.write_record([
            csv_cell(&h.id),
            csv_cell(h.date.as_deref().unwrap_or_default()),
            csv_cell(&h.title),
            csv_cell(&h.lang),
            csv_cell(&h.kind),
            meta("collection"),
            meta("url"),
            meta("source"),
            h.occurrences.to_string(),
            h.score.to_string(),
        ])?;
    }
    w.flush()?;
    Ok(())
}

/// A Chinese phrase as the corpus prints it with punctuation inside
/// (“一带一路”倡议 for 一带一路倡议): the documents that have it with
/// punctuation at any boundary between its characters (the `--loose-punct`
/// rule), and the commonest spelling that differs from the phrase typed.
#[derive(Clone, Debug, Serialize)]
pub struct PunctuatedForm {
    /// The phrase as typed.
    pub term: String,
    /// Documents with the phrase exactly as typed.
    pub exact_docs: usize,
    /// Documents with it, punctuation allowed between its characters.
    pub docs: usize,
    /// The commonest spelling with punctuation inside (from up to 50 documents).
    pub example: String,
}

impl PunctuatedForm {
    /// The hint a user reads.
    pub fn message(&self) -> String {
        format!(
            "{} documents contain {}; {} contain it with punctuation inside ({}): add --loose-punct, or type it as printed",
            self.exact_docs, self.term, self.docs, self.example
        )
    }
}

/// Whether a punctuated form is worth naming: it exists where the phrase does
/// not, or it has at least twice the phrase's documents (and 3 more).
fn punctuated_form_matters(exact_docs: usize, loose_docs: usize) -> bool {
    loose_docs > exact_docs
        && (exact_docs == 0 || (loose_docs >= 2 * exact_docs && loose_docs >= exact_docs + 3))
}

/// For a plain Chinese literal: its punctuated form when that form is much
/// more common than the phrase as typed (see `punctuated_form_matters`).
pub fn punctuated_form(
    engine: &Engine,
    literal: &Literal,
    allowed: &crate::engine::Allowed,
    exact_docs: usize,
) -> Result<Option<PunctuatedForm>> {
    if !literal.cjk || literal.is_pattern() {
        return Ok(None);
    }
    let Ok(loose) = Literal::loose(&literal.raw) else {
        return Ok(None);
    };
    if !loose.is_pattern() {
        return Ok(None);
    }
    let matches = engine.evaluate(&loose, allowed)?;
    if !punctuated_form_matters(exact_docs, matches.len()) {
        return Ok(None);
    }
    let mut spellings: HashMap<String, usize> = HashMap::new();
    for m in matches.iter().take(50) {
        let doc = engine.stored(m.address)?;
        for text in [&doc.title, &doc.text] {
            for (s, e) in loose.find(text) {
                let (s, e) = balance_marks(text, s, e);
                let spelled = &text[s..e];
                if crate::text::nfkc(spelled) != literal.normalized {
                    *spellings.entry(spelled.to_string()).or_default() += 1;
                }
            }
        }
    }
    let example = spellings
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
        .map(|(s, _)| s)
        .unwrap_or_else(|| loose.raw.clone());
    Ok(Some(PunctuatedForm {
        term: literal.raw.clone(),
        exact_docs,
        docs: matches.len(),
        example,
    }))
}

/// Widens a match to the quotation or title mark that opens (or closes) one
/// it contains unpaired: 一带一路”倡议 → “一带一路”倡议.
fn balance_marks(text: &str, mut s: usize, mut e: usize) -> (usize, usize) {
    const PAIRS: [(char, char); 5] = [
        ('“', '”'),
        ('‘', '’'),
        ('「', '」'),
        ('『', '』'),
        ('《', '》'),
    ];
    for (open, close) in PAIRS {
        let inside = &text[s..e];
        let (opens, closes) = (inside.matches(open).count(), inside.matches(close).count());
        if closes > opens && text[..s].ends_with(open) {
            s -= open.len_utf8();
        } else if opens > closes && text[e..].starts_with(close) {
            e += close.len_utf8();
        }
    }
    (s, e)
}

/// For a phrase without hits: how many documents have all its words, and
/// the query that finds them; for `*` and `?`, that they were read literally.
fn near_miss(
    engine: &Engine,
    expr: &query::Expr,
    allowed: &crate::engine::Allowed,
) -> Result<Option<String>> {
    let query::Expr::Term(literal) = expr else {
        return Ok(None);
    };
    if literal.is_pattern() {
        return Ok(Some(format!(
            "no document matches the pattern {} (? is one character; * is up to --gap characters within a sentence in Chinese, one word standing alone or any letters inside a word in English; /…/ is a regular expression)",
            literal.raw
        )));
    }
    if literal.raw.contains(['*', '?']) {
        return Ok(Some(format!(
            "no document contains {:?} with the characters * and ? as typed (quoted); without quotes they are wildcards",
            literal.raw
        )));
    }
    let words: Vec<&str> = literal.raw.split_whitespace().collect();
    if words.len() < 2 {
        return Ok(None);
    }
    let and_query = words.join(" AND ");
    let Ok(and_expr) = query::parse(&and_query) else {
        return Ok(None);
    };
    let found = query::evaluate(engine, &and_expr, allowed)?.len();
    Ok((found > 0).then(|| {
        format!(
            "0 documents contain the phrase {:?}; {found} contain all its words: search `{and_query}`",
            literal.raw
        )
    }))
}

/// For a document with a translation (`pair`): each snippet's aligned
/// paragraph of the other language (see `tifa pair`), when one holds it. An
/// empty `pair`, or one naming a document the index lacks, gives none (a
/// search does not fail over a translation that is not there).
pub fn attach_pairs(engine: &Engine, doc: &StoredDoc, snippets: &mut [Snippet]) -> Result<()> {
    let Some(other) = doc.meta.get("pair").filter(|p| !p.trim().is_empty()) else {
        return Ok(());
    };
    if snippets.is_empty() || engine.address_of(other)?.is_none() {
        return Ok(());
    }
    // Stored at index time: neither document is read again.
    let aligned = match crate::align::stored_for(engine, doc)? {
        Some(aligned) => aligned,
        None => crate::align::pair(engine, &doc.id)?,
    };
    for sn in snippets {
        sn.pair = aligned.segments.iter().find_map(|seg| {
            let (same, other) = if doc.lang == "en" {
                (&seg.en, &seg.zh)
            } else {
                (&seg.zh, &seg.en)
            };
            same.contains(sn.context.trim()).then(|| other.clone())
        });
    }
    Ok(())
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
            pair: None,
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

#[cfg(test)]
mod tests {
    use super::sort_first;
    use proptest::prelude::*;

    proptest::proptest! {
        /// Sorting only the first k places (and the run tied with the k-th)
        /// gives the same places as sorting everything.
        #[test]
        fn sort_first_equals_a_full_sort(
            v in prop::collection::vec((0u8..4, 0u8..3, any::<u16>()), 0..60),
            k in 0usize..70,
        ) {
            let order = |a: &(u8, u8, u16), b: &(u8, u8, u16)| a.cmp(b);
            let ties = |a: &(u8, u8, u16), b: &(u8, u8, u16)| (a.0, a.1) == (b.0, b.1);
            let mut full = v.clone();
            full.sort();
            let mut partial = v.clone();
            sort_first(&mut partial, k, order, ties);
            let k = k.min(v.len());
            prop_assert_eq!(&partial[..k], &full[..k]);
            if k > 0 {
                let run = full[k..].iter().take_while(|x| ties(x, &full[k - 1])).count();
                prop_assert_eq!(&partial[k..k + run], &full[k..k + run]);
            }
        }
    }
}
