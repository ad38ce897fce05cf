//! `tifa kwic`: a full concordance — one line per occurrence, not per
//! document — with context either side, sortable on the context nearest to
//! the hit. Places are counted as `search` counts them (several literals'
//! nested or overlapping matches are one place), so the number of lines
//! equals the occurrences `search` reports.

use anyhow::Result;
use rayon::prelude::*;
use serde::Serialize;

use crate::engine::{Engine, Filter};
use crate::error::UserError;
use crate::query;
use crate::terms::{Family, Subject};
use crate::text::is_cjk;

/// Order of the lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KwicSort {
    /// By the left context, read leftwards from the hit.
    Left,
    /// By the right context, read rightwards from the hit.
    Right,
    /// By date (undated last), then id and position.
    Date,
    /// By id, then position.
    Id,
}

impl KwicSort {
    /// The order named as the CLI's `--sort` and the API's `sort=` name it.
    pub fn parse(name: &str) -> Result<KwicSort, crate::error::UserError> {
        match name {
            "left" => Ok(KwicSort::Left),
            "right" => Ok(KwicSort::Right),
            "date" => Ok(KwicSort::Date),
            "id" => Ok(KwicSort::Id),
            other => Err(crate::error::UserError::BadQuery(format!(
                "sort={other:?}: use left, right, date or id"
            ))),
        }
    }
}

#[derive(Clone, Debug)]
/// What `tifa kwic` asks.
pub struct KwicOptions {
    /// The documents looked at.
    pub filter: Filter,
    /// Context each side: characters for a Chinese hit, words otherwise.
    pub width: usize,
    /// The order of the lines.
    pub sort: KwicSort,
    /// Keep a random sample of this many lines (reproducible with `seed`).
    pub sample: Option<usize>,
    /// Seed of the random sample (`--sort random`), so that a sample can be drawn again.
    pub seed: u64,
    /// How patterns read (`--gap`) and whether one may read every document (`--scan`).
    pub query: crate::query::QueryOptions,
    /// Refuse a concordance of more lines than this (the web server's bound
    /// on memory: one line per occurrence of 的 is millions of lines).
    pub max_lines: Option<usize>,
}

/// One occurrence.
#[derive(Clone, Debug, Serialize)]
pub struct KwicLine {
    /// The document's id.
    pub id: String,
    /// The document's date, if it has one.
    pub date: Option<String>,
    /// The document's title.
    pub title: String,
    #[serde(flatten)]
    /// Where to cite the document from.
    pub cite: crate::history::Citation,
    /// `title` or `text`.
    pub field: &'static str,
    /// The text before the hit.
    pub left: String,
    /// The hit as written in the document.
    pub hit: String,
    /// The text after the hit.
    pub right: String,
    /// Character offsets of the hit in the field's text.
    pub start: usize,
    /// End (exclusive) of the hit, as `start`.
    pub end: usize,
    /// The line of the field (1-based) and the hit's character offsets in it.
    pub line: usize,
    /// Start of the hit in that line (characters).
    pub line_start: usize,
    /// End (exclusive) of the hit in that line.
    pub line_end: usize,
    /// For a document read by OCR: Tesseract's mean word confidence (%).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ocr_confidence: Option<String>,
    #[serde(skip)]
    date_key: u64,
}

impl KwicLine {
    /// "text from OCR, confidence 87 %" for a line of a document read by OCR.
    pub fn ocr_note(&self) -> Option<String> {
        self.ocr_confidence
            .as_ref()
            .map(|c| crate::extract::ocr::note(c))
    }
}

#[derive(Clone, Debug, Serialize)]
/// The answer of `tifa kwic`.
pub struct Kwic {
    /// The query as given.
    pub query: String,
    /// Every occurrence (before any sample).
    pub total: usize,
    /// Documents they are in.
    pub docs: usize,
    /// The concordance lines, in the order asked for.
    pub lines: Vec<KwicLine>,
}

/// The concordance of a query: every occurrence with its context.
pub fn kwic(engine: &Engine, query_text: &str, options: &KwicOptions) -> Result<Kwic> {
    let expr = query::parse_with(query_text, &options.query)
        .map_err(|e| UserError::BadQuery(format!("cannot read the query {query_text:?}: {e}")))?;
    let allowed = engine.allowed(&options.filter)?;
    let evaluation = query::evaluate(engine, &expr, &allowed)?;
    if let Some(max) = options.max_lines {
        // An upper bound on the lines before any is built: every literal's
        // occurrences (overlapping places of several literals count once later).
        let bound: u64 = evaluation
            .values()
            .flat_map(|per_leaf| per_leaf.iter().flatten())
            .map(|m| u64::from(m.occurrences) + u64::from(m.title_occurrences))
            .sum();
        if bound > max as u64 {
            return Err(UserError::BadQuery(format!(
                "{query_text:?} occurs about {bound} times, more than the {max} lines a concordance is built with here: narrow the query (a longer phrase) or the filters (from, to, kind, collection)"
            ))
            .into());
        }
    }
    let places = Subject::Family(Family {
        name: String::new(),
        description: String::new(),
        variants: expr.positive_terms().into_iter().cloned().collect(),
    });
    let addresses: Vec<_> = evaluation.keys().copied().collect();
    let per_doc: Vec<Result<Vec<KwicLine>>> = addresses
        .par_iter()
        .map(|&address| {
            allowed.check()?;
            let doc = engine.stored(address)?;
            let date_key = engine.date_key(address);
            let mut lines = Vec::new();
            for (field, text) in [("title", &doc.title), ("text", &doc.text)] {
                let mut at = Cursor::new(text);
                for (s, e) in places.find(text) {
                    lines.push(line_of(&mut at, s, e, field, options.width, &doc, date_key));
                }
            }
            Ok(lines)
        })
        .collect();
    let mut lines = Vec::new();
    for l in per_doc {
        lines.extend(l?);
    }
    let total = lines.len();
    let lines = match options.sample {
        Some(n) => sampled(lines, n, options.seed, options.sort),
        None => {
            sort(&mut lines, options.sort);
            lines
        }
    };
    Ok(Kwic {
        query: query_text.to_string(),
        total,
        docs: addresses.len(),
        lines,
    })
}

/// Where a match stands in its field, counted incrementally: matches come
/// in text order, so a document's lines cost one pass over it, not one pass
/// per match (a 1.6 MB single-line document with thousands of matches took
/// 24–46 s before).
struct Cursor<'a> {
    text: &'a str,
    /// Byte offset counted up to, and the characters and line there.
    byte: usize,
    chars: usize,
    line: usize,
    /// The current line's first byte and its character offset.
    line_begin: usize,
    line_begin_chars: usize,
    /// The end of the current line (the next '\n' or the text's end), once found.
    line_end: Option<usize>,
}

impl<'a> Cursor<'a> {
    fn new(text: &'a str) -> Cursor<'a> {
        Cursor {
            text,
            byte: 0,
            chars: 0,
            line: 1,
            line_begin: 0,
            line_begin_chars: 0,
            line_end: None,
        }
    }

    /// Moves to byte `to` (a character boundary at or after the last one;
    /// an earlier one starts again from the beginning).
    fn advance(&mut self, to: usize) {
        if to < self.byte {
            *self = Cursor::new(self.text);
        }
        for (i, c) in self.text[self.byte..to].char_indices() {
            self.chars += 1;
            if c == '\n' {
                self.line += 1;
                self.line_begin = self.byte + i + 1;
                self.line_begin_chars = self.chars;
                self.line_end = None;
            }
        }
        self.byte = to;
    }

    /// The end of the line that holds `from` (at or after the cursor).
    fn line_end_from(&mut self, from: usize) -> usize {
        match self.line_end {
            Some(end) if end >= from => end,
            _ => {
                let end = memchr::memchr(b'\n', &self.text.as_bytes()[from..])
                    .map_or(self.text.len(), |i| from + i);
                self.line_end = Some(end);
                end
            }
        }
    }
}

fn line_of(
    at: &mut Cursor,
    s: usize,
    e: usize,
    field: &'static str,
    width: usize,
    doc: &crate::engine::StoredDoc,
    date_key: u64,
) -> KwicLine {
    let text = at.text;
    at.advance(s);
    let (start, line, line_begin, line_start) = (
        at.chars,
        at.line,
        at.line_begin,
        at.chars - at.line_begin_chars,
    );
    let line_finish = at.line_end_from(e);
    let hit = &text[s..e];
    let (left, right) = if hit.chars().any(is_cjk) {
        (
            last_chars(&text[line_begin..s], width),
            first_chars(&text[e..line_finish], width),
        )
    } else {
        (
            last_words(&text[line_begin..s], width),
            first_words(&text[e..line_finish], width),
        )
    };
    let hit_chars = hit.chars().count();
    KwicLine {
        id: doc.id.clone(),
        date: doc.date.clone(),
        title: doc.title.clone(),
        cite: crate::history::Citation::of(&doc.meta),
        ocr_confidence: doc.meta.get("ocr_confidence").cloned(),
        field,
        left: left.replace(['\r', '\t'], " "),
        hit: hit.to_string(),
        right: right.replace(['\r', '\t'], " "),
        start,
        end: start + hit_chars,
        line,
        line_start,
        line_end: line_start + hit_chars,
        date_key,
    }
}

fn last_chars(s: &str, n: usize) -> String {
    let mut v: Vec<char> = s.chars().rev().take(n).collect();
    v.reverse();
    v.into_iter().collect()
}

fn first_chars(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

/// The last `n` words of `s` with what stands between them and the end.
fn last_words(s: &str, n: usize) -> String {
    let mut words = 0;
    let mut in_word = false;
    for (i, c) in s.char_indices().rev() {
        let word = !c.is_whitespace();
        if word && !in_word {
            words += 1;
            if words > n {
                return s[i + c.len_utf8()..].trim_start().to_string();
            }
        }
        in_word = word;
    }
    s.to_string()
}

/// The first `n` words of `s` with what stands before them.
fn first_words(s: &str, n: usize) -> String {
    let mut words = 0;
    let mut in_word = false;
    for (i, c) in s.char_indices() {
        let word = !c.is_whitespace();
        if word && !in_word {
            words += 1;
            if words > n {
                return s[..i].trim_end().to_string();
            }
        }
        in_word = word;
    }
    s.to_string()
}

/// The sort key of a context: Chinese by characters, English by lower-cased
/// words; the left context read from the hit outwards.
fn key(context: &str, leftwards: bool) -> Vec<String> {
    let lower = context.to_lowercase();
    let mut units: Vec<String> = if lower.chars().any(is_cjk) {
        lower
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(String::from)
            .collect()
    } else {
        lower.split_whitespace().map(str::to_string).collect()
    };
    if leftwards {
        units.reverse();
    }
    units
}

fn sort(lines: &mut [KwicLine], by: KwicSort) {
    let position = |l: &KwicLine| (l.id.clone(), l.field == "text", l.start);
    match by {
        KwicSort::Left => lines.sort_by_cached_key(|l| (key(&l.left, true), position(l))),
        KwicSort::Right => lines.sort_by_cached_key(|l| (key(&l.right, false), position(l))),
        KwicSort::Date => lines.sort_by_cached_key(|l| {
            let undated_last = if l.date_key == 0 {
                u64::MAX
            } else {
                l.date_key
            };
            (undated_last, position(l))
        }),
        KwicSort::Id => lines.sort_by_cached_key(position),
    }
}

/// The lines `sample: Some(n)` with `seed` keeps from a whole concordance,
/// in the order `sort`.
pub fn sampled(mut lines: Vec<KwicLine>, n: usize, seed: u64, order: KwicSort) -> Vec<KwicLine> {
    if n < lines.len() {
        sample(&mut lines, n, seed);
    }
    sort(&mut lines, order);
    lines
}

/// Keeps `n` lines chosen at random (splitmix64 from `seed`: the same seed
/// gives the same sample of the same concordance).
fn sample(lines: &mut Vec<KwicLine>, n: usize, seed: u64) {
    // Fix the order first, so the sample does not depend on thread timing.
    sort(lines, KwicSort::Id);
    let mut state = seed;
    let mut next = || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    for i in 0..n {
        let j = i + (next() % (lines.len() - i) as u64) as usize;
        lines.swap(i, j);
    }
    lines.truncate(n);
}

/// The concordance as CSV (the CLI's `--csv` and the server's export).
pub fn write_csv<W: std::io::Write>(out: W, kwic: &Kwic) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "id",
        "date",
        "field",
        "line",
        "left",
        "hit",
        "right",
        "start",
        "end",
        "line_start",
        "line_end",
        "title",
        "collection",
        "url",
        "source",
    ])?;
    let cell = |v: &Option<String>| crate::output::csv_cell(v.as_deref().unwrap_or_default());
    for l in &kwic.lines {
        w.write_record([
            crate::output::csv_cell(&l.id),
            cell(&l.date),
            l.field.to_string(),
            l.line.to_string(),
            crate::output::csv_cell(&l.left),
            crate::output::csv_cell(&l.hit),
            crate::output::csv_cell(&l.right),
            l.start.to_string(),
            l.end.to_string(),
            l.line_start.to_string(),
            l.line_end.to_string(),
            crate::output::csv_cell(&l.title),
            cell(&l.cite.collection),
            cell(&l.cite.url),
            cell(&l.cite.source),
        ])?;
    }
    w.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contexts_by_characters_and_words() {
        assert_eq!(last_chars("构建网络空间", 2), "空间");
        assert_eq!(first_chars("命运共同体。", 3), "命运共");
        assert_eq!(last_words("we respect the idea of ", 2), "idea of ");
        assert_eq!(
            first_words(" in cyberspace today, all", 2),
            " in cyberspace"
        );
        assert_eq!(key("构建 网络", true), vec!["络", "网", "建", "构"]);
        assert_eq!(key("The Idea of", true), vec!["of", "idea", "the"]);
    }
}
