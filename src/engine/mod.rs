//! **The engine layer** (`src/engine/`): an opened index and the exact
//! answer to a term — the query language ([`query`]), literals and the rules
//! on stored text ([`matcher`]), term families and subjects ([`terms`]), and
//! the evaluation from postings below. It uses `index`, `ingest` (the
//! document types), `text`, `date`, `error` and `output`; never `analysis`,
//! `history`, `report` or `server`.
//!
//! Exact evaluation of literal terms over an opened index.
//!
//! A term is turned into a [`Plan`]: pure Chinese terms and plain English word
//! phrases are answered from postings and positions alone (exact by construction
//! of the gram field); any other term (mixed scripts, punctuation) gets a superset
//! of candidate documents from the postings and is verified against stored text.

pub mod matcher;
pub mod query;
pub mod terms;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context, Result};
use rayon::prelude::*;
use tantivy::postings::{Postings, SegmentPostings};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{
    DocAddress, DocId, DocSet, Searcher, SegmentReader, TERMINATED, TantivyDocument, Term,
};

use crate::date::DateRange;
use crate::index::{self, Fields, Manifest};
use crate::matcher::{Literal, Prepared};
use crate::text::{GramTokenizer, is_cjk};

/// One way of finding a term in the gram field.
#[derive(Clone, Debug)]
pub enum Part {
    /// Tokens at consecutive positions; a match spans `span` positions.
    Phrase { tokens: Vec<String>, span: u32 },
    /// One CJK character: every gram that starts with it.
    Char(char),
    /// Every English word that starts with this (lower-cased) prefix.
    Prefix(String),
    /// Documents with any of these parts.
    AnyOf(Vec<Part>),
}

/// How a literal is evaluated.
#[derive(Clone, Debug)]
pub enum Plan {
    /// Postings give the exact answer.
    Exact(Part),
    /// Documents having all parts are candidates; stored text decides.
    Verify(Vec<Part>),
}

pub fn plan(literal: &Literal) -> Plan {
    if let Some(p) = &literal.pattern {
        // Candidates: documents with every required literal and word prefix.
        let mut parts: Vec<Part> = Vec::new();
        for l in &p.required {
            match plan(l) {
                Plan::Exact(part) => parts.push(part),
                Plan::Verify(more) => parts.extend(more),
            }
        }
        parts.extend(p.required_prefixes.iter().map(|w| Part::Prefix(w.clone())));
        parts.extend(p.required_any.iter().map(|tokens| {
            Part::AnyOf(
                tokens
                    .iter()
                    .map(|t| Part::Phrase {
                        tokens: vec![t.clone()],
                        span: 1,
                    })
                    .collect(),
            )
        }));
        return Plan::Verify(parts);
    }
    let norm = &literal.normalized;
    if literal.cjk {
        let chars: Vec<char> = norm.chars().collect();
        let runs = cjk_runs(&chars);
        let pure = runs.len() == 1 && runs[0].len() == chars.len();
        let parts: Vec<Part> = runs.iter().map(|r| cjk_part(r)).collect();
        if pure {
            return Plan::Exact(parts.into_iter().next().unwrap_or(Part::Char(chars[0])));
        }
        return Plan::Verify(parts);
    }
    let mut tokens = Vec::new();
    let n = GramTokenizer::tokenize_into(norm, &mut tokens);
    let mut words: Vec<String> = tokens[..n].iter().map(|t| t.text.clone()).collect();
    // tantivy cannot index a word over its term limit: find such words by
    // verification, with the other words as candidates.
    let too_long = words
        .iter()
        .any(|w| w.len() > crate::corpus::MAX_TERM_BYTES);
    words.retain(|w| w.len() <= crate::corpus::MAX_TERM_BYTES);
    let plain = !too_long && !words.is_empty() && words.join(" ") == *norm;
    if plain {
        let span = words.len() as u32;
        return Plan::Exact(Part::Phrase {
            tokens: words,
            span,
        });
    }
    Plan::Verify(
        words
            .into_iter()
            .map(|w| Part::Phrase {
                tokens: vec![w],
                span: 1,
            })
            .collect(),
    )
}

fn cjk_runs(chars: &[char]) -> Vec<Vec<char>> {
    let mut runs = Vec::new();
    let mut current = Vec::new();
    for &c in chars {
        if is_cjk(c) {
            current.push(c);
        } else if !current.is_empty() {
            runs.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        runs.push(current);
    }
    runs
}

fn cjk_part(run: &[char]) -> Part {
    if run.len() == 1 {
        return Part::Char(run[0]);
    }
    let tokens = run.windows(2).map(|w| w.iter().collect()).collect();
    Part::Phrase {
        tokens,
        span: run.len() as u32,
    }
}

/// A document that matches, with its occurrences (title + text) and those in the title.
#[derive(Clone, Copy, Debug)]
pub struct Match {
    pub address: DocAddress,
    pub occurrences: u32,
    pub title_occurrences: u32,
}

/// Filters shared by every command.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub langs: Vec<String>,
    pub kinds: Vec<String>,
    /// Corpus files (see `tifa coverage`); any of them.
    pub collections: Vec<String>,
    /// `FIELD=VALUE` pairs: any value of one field, and every field, must hold.
    pub wheres: Vec<(String, String)>,
    /// `FIELD=VALUE` pairs that exclude a document.
    pub where_nots: Vec<(String, String)>,
    pub dates: DateRange,
}

impl Filter {
    /// A filter from the user's words: languages and kinds (any of), dates
    /// (`YYYY`, `YYYY-MM` or `YYYY-MM-DD`) and `FIELD=VALUE` pairs (all of).
    pub fn parse(
        langs: &[String],
        kinds: &[String],
        collections: &[String],
        from: Option<&str>,
        to: Option<&str>,
        wheres: &[String],
        where_nots: &[String],
    ) -> Result<Filter> {
        use crate::date::DocDate;
        use crate::error::UserError;
        let date = |s: Option<&str>, flag: &str| -> Result<Option<DocDate>> {
            s.map(|d| {
                DocDate::parse(d.trim())
                    .map_err(|e| UserError::BadDate(format!("{flag}: {e}")).into())
            })
            .transpose()
        };
        let dates = DateRange {
            from: date(from, "--from")?,
            to: date(to, "--to")?,
        };
        if let (Some(f), Some(t)) = (dates.from, dates.to)
            && f.period_start() > t.period_end()
        {
            return Err(UserError::BadDate(format!("--from {f} is after --to {t}")).into());
        }
        let pairs = |list: &[String], flag: &str| -> Result<Vec<(String, String)>> {
            list.iter()
                .map(|w| match w.split_once('=') {
                    Some((k, v)) if !k.trim().is_empty() => {
                        Ok((k.trim().to_string(), v.to_string()))
                    }
                    _ => Err(UserError::BadFilter(format!(
                        "{flag} {w:?}: expected FIELD=VALUE, e.g. {flag} country=PAK"
                    ))
                    .into()),
                })
                .collect()
        };
        Ok(Filter {
            langs: langs.to_vec(),
            kinds: kinds.to_vec(),
            collections: collections.to_vec(),
            wheres: pairs(wheres, "--where")?,
            where_nots: pairs(where_nots, "--where-not")?,
            dates,
        })
    }
}

/// A field's values with their numbers of documents, most frequent first.
pub type ValueCounts = Arc<Vec<(String, u64)>>;

/// One metadata field, for `tifa fields`.
#[derive(Clone, Debug, serde::Serialize)]
pub struct FieldSummary {
    pub field: String,
    /// Documents that have the field.
    pub docs: u64,
    /// Distinct values.
    pub distinct: usize,
    /// The most frequent values with their numbers of documents.
    pub top: Vec<(String, u64)>,
}

/// Per segment: which documents the filter keeps (`None`: all); whether
/// the filter names languages (evidence then follows the filter, not the
/// term's language); and the flag that says the work was given up.
pub struct Allowed(Vec<Option<Vec<bool>>>, bool, Option<Arc<AtomicBool>>);

/// Work that was given up (the web server's time budget ran out, or its
/// client went away): the loops that read documents stop at the next one.
#[derive(Debug, thiserror::Error)]
#[error("the work was given up before it finished")]
pub struct Cancelled;

thread_local! {
    static CANCEL: std::cell::RefCell<Option<Arc<AtomicBool>>> =
        const { std::cell::RefCell::new(None) };
}

/// Runs `f` so that the evaluations it starts on this thread stop (with
/// [`Cancelled`]) once `flag` is set: every [`Allowed`] made inside carries it.
pub fn cancellable<T>(flag: Arc<AtomicBool>, f: impl FnOnce() -> T) -> T {
    CANCEL.with(|c| *c.borrow_mut() = Some(flag));
    let out = f();
    CANCEL.with(|c| *c.borrow_mut() = None);
    out
}

impl Allowed {
    /// An error once the work was given up (checked per document read).
    pub fn check(&self) -> Result<()> {
        match &self.2 {
            Some(flag) if flag.load(Ordering::Relaxed) => Err(Cancelled.into()),
            _ => Ok(()),
        }
    }

    /// True when `--lang` chose the languages.
    pub fn lang_filtered(&self) -> bool {
        self.1
    }

    pub fn keeps(&self, address: DocAddress) -> bool {
        match self.0.get(address.segment_ord as usize) {
            Some(Some(bits)) => bits.get(address.doc_id as usize).copied().unwrap_or(false),
            _ => true,
        }
    }
}

/// Fast per-document values of one segment.
pub struct Columns {
    pub date_key: tantivy::columnar::Column<u64>,
    pub date_lo: tantivy::columnar::Column<u64>,
    pub date_hi: tantivy::columnar::Column<u64>,
    pub han: tantivy::columnar::Column<u64>,
    pub en_words: tantivy::columnar::Column<u64>,
    pub title_end: tantivy::columnar::Column<u64>,
}

impl Columns {
    fn open(reader: &SegmentReader) -> Result<Columns> {
        let ff = reader.fast_fields();
        Ok(Columns {
            date_key: ff.u64("date_key")?,
            date_lo: ff.u64("date_lo")?,
            date_hi: ff.u64("date_hi")?,
            han: ff.u64("han")?,
            en_words: ff.u64("en_words")?,
            title_end: ff.u64("title_end")?,
        })
    }
}

/// Stored fields of a document.
#[derive(Clone, Debug)]
pub struct StoredDoc {
    pub id: String,
    pub lang: String,
    pub kind: String,
    pub date: Option<String>,
    pub title: String,
    pub text: String,
    pub meta: BTreeMap<String, String>,
}

/// The leading stored fields of a document (see [`Engine::stored_head`]).
pub struct StoredHead {
    pub id: String,
    pub lang: String,
    pub kind: String,
    pub title: String,
}

impl From<StoredDoc> for StoredHead {
    fn from(doc: StoredDoc) -> StoredHead {
        StoredHead {
            id: doc.id,
            lang: doc.lang,
            kind: doc.kind,
            title: doc.title,
        }
    }
}

/// Corpus-wide figures an opened index keeps (a few per filter and period).
const MEMO_KEEP: usize = 64;
/// Evaluations an opened index keeps for the web page's next pages (each
/// may hold a concordance of up to `server::MAX_KWIC_LINES` lines).
const EVALUATIONS_KEEP: usize = 8;

/// Values made once and kept, the most recently used first; the oldest go
/// when more than `keep` are held. Values of any type, under string keys.
pub struct Kept {
    entries: std::sync::Mutex<
        std::collections::VecDeque<(String, Arc<dyn std::any::Any + Send + Sync>)>,
    >,
    keep: usize,
}

impl Kept {
    pub fn new(keep: usize) -> Kept {
        Kept {
            entries: std::sync::Mutex::new(std::collections::VecDeque::new()),
            keep,
        }
    }

    /// The value under `key`, made by `make` when it is not kept; with
    /// whether it was.
    pub fn get_or<T: std::any::Any + Send + Sync>(
        &self,
        key: String,
        make: impl FnOnce() -> Result<T>,
    ) -> Result<(Arc<T>, bool)> {
        {
            let mut entries = self
                .entries
                .lock()
                .map_err(|_| anyhow::anyhow!("poisoned cache"))?;
            if let Some(at) = entries.iter().position(|(k, _)| *k == key)
                && let Some((k, value)) = entries.remove(at)
                && let Ok(found) = value.clone().downcast::<T>()
            {
                entries.push_front((k, value));
                return Ok((found, true));
            }
        }
        // Made without the lock: other requests go on meanwhile.
        let value = Arc::new(make()?);
        let mut entries = self
            .entries
            .lock()
            .map_err(|_| anyhow::anyhow!("poisoned cache"))?;
        entries.push_front((key, value.clone()));
        entries.truncate(self.keep);
        Ok((value, false))
    }
}

/// An opened index ready for queries.
pub struct Engine {
    pub searcher: Searcher,
    pub fields: Fields,
    pub manifest: Manifest,
    columns: Vec<Columns>,
    field_values: std::sync::Mutex<HashMap<String, Arc<FieldValues>>>,
    /// `value_counts` per field, counted once per opened index (the web
    /// page's pick-lists ask for them on every form).
    value_counts: std::sync::Mutex<HashMap<String, ValueCounts>>,
    word_tokens: std::sync::OnceLock<u64>,
    by_date: std::sync::OnceLock<Vec<(u64, DocAddress)>>,
    /// The generation folder (for the files stored beside the tantivy index).
    generation: std::path::PathBuf,
    alignments: std::sync::OnceLock<Arc<Vec<crate::alignments::StoredPair>>>,
    /// Figures of the whole filtered corpus that many requests share (the
    /// per-period denominators and holdings of a timeline), by filter.
    memo: Kept,
    /// Evaluations of the last few searches and concordances of the web
    /// page, so that the next page of a long result is not a new evaluation
    /// (a search for 的 takes over a second on two cores); the key is the
    /// request without its page number.
    pub evaluations: Kept,
    alignment_index: std::sync::OnceLock<Option<HashMap<String, (u64, u64)>>>,
}

/// The value of one metadata field for every document (read once, then cached).
pub struct FieldValues {
    values: Vec<String>,
    /// Per segment, per document: index into `values`, or `u32::MAX`.
    ordinals: Vec<Vec<u32>>,
}

impl FieldValues {
    pub fn get(&self, address: DocAddress) -> Option<&str> {
        let o = *self
            .ordinals
            .get(address.segment_ord as usize)?
            .get(address.doc_id as usize)?;
        self.values.get(o as usize).map(String::as_str)
    }
}

impl Engine {
    /// The value under `key`, made once per opened index (a server asks for
    /// the same corpus-wide figures on every request): `key` must name all
    /// that `make` depends on (the filter, the period).
    pub fn memo<T: std::any::Any + Send + Sync>(
        &self,
        key: String,
        make: impl FnOnce() -> Result<T>,
    ) -> Result<Arc<T>> {
        Ok(self.memo.get_or(key, make)?.0)
    }

    pub fn open(dir: &Path) -> Result<Engine> {
        Engine::from_open(index::open(dir)?)
    }

    /// The name of the generation folder this engine reads (changes with
    /// every build or update).
    pub fn generation_name(&self) -> String {
        self.generation
            .file_name()
            .map_or(String::new(), |n| n.to_string_lossy().to_string())
    }

    /// An engine over an opened generation (also one being built).
    pub fn from_open(opened: index::OpenIndex) -> Result<Engine> {
        let generation = opened.generation.clone();
        let reader = opened
            .index
            .reader_builder()
            .reload_policy(tantivy::ReloadPolicy::Manual)
            .try_into()
            .map_err(|e| {
                anyhow::anyhow!(
                    "cannot read the index in {} ({e}): rebuild with `tifa index`",
                    generation.display()
                )
            })?;
        let searcher = reader.searcher();
        let columns = searcher
            .segment_readers()
            .iter()
            .map(Columns::open)
            .collect::<Result<Vec<_>>>()
            .context("the index lacks tifa's fields: rebuild with `tifa index`")?;
        Ok(Engine {
            searcher,
            fields: opened.fields,
            manifest: opened.manifest,
            columns,
            field_values: std::sync::Mutex::new(HashMap::new()),
            value_counts: std::sync::Mutex::new(HashMap::new()),
            word_tokens: std::sync::OnceLock::new(),
            by_date: std::sync::OnceLock::new(),
            generation,
            alignments: std::sync::OnceLock::new(),
            memo: Kept::new(MEMO_KEEP),
            evaluations: Kept::new(EVALUATIONS_KEEP),
            alignment_index: std::sync::OnceLock::new(),
        })
    }

    /// Every aligned pair, as stored with the index at build time (read once);
    /// an index built by an older tifa has none stored, and they are aligned
    /// now instead.
    pub fn alignments(&self) -> Result<Arc<Vec<crate::alignments::StoredPair>>> {
        if let Some(a) = self.alignments.get() {
            return Ok(a.clone());
        }
        let pairs = match crate::alignments::read_all(&self.generation)? {
            Some(pairs) => pairs,
            None => crate::alignments::compute(self, &HashMap::new())?.0,
        };
        Ok(self.alignments.get_or_init(|| Arc::new(pairs)).clone())
    }

    /// The stored alignment of the pair `id` belongs to (either side), if the
    /// index stores alignments.
    pub fn stored_alignment(&self, id: &str) -> Result<Option<crate::alignments::StoredPair>> {
        if let Some(all) = self.alignments.get() {
            return Ok(all.iter().find(|p| p.id == id || p.pair == id).cloned());
        }
        let index = match self.alignment_index.get() {
            Some(i) => i,
            None => {
                let read = crate::alignments::read_index(&self.generation)?;
                self.alignment_index.get_or_init(|| read)
            }
        };
        match index.as_ref().and_then(|i| i.get(id)) {
            Some(&(offset, len)) => {
                crate::alignments::read_one(&self.generation, offset, len).map(Some)
            }
            None => Ok(None),
        }
    }

    pub fn columns(&self, segment: u32) -> &Columns {
        &self.columns[segment as usize]
    }

    /// A document's date key (YYYYMMDD, 0 for undated; see `crate::date`).
    pub fn date_key(&self, address: DocAddress) -> u64 {
        self.columns(address.segment_ord)
            .date_key
            .first(address.doc_id)
            .unwrap_or(0)
    }

    pub fn num_docs(&self) -> u64 {
        self.searcher.num_docs()
    }

    /// Every document address, in segment order.
    pub fn all_addresses(&self) -> impl Iterator<Item = DocAddress> + '_ {
        self.searcher
            .segment_readers()
            .iter()
            .enumerate()
            .flat_map(|(s, r)| (0..r.max_doc()).map(move |d| DocAddress::new(s as u32, d)))
    }

    /// Every dated document (deleted ones too: callers filter with
    /// [`Allowed`]) as (date key, address), by key then address; made on first
    /// use, so that questions about a stretch of time read only that stretch.
    pub fn by_date(&self) -> &[(u64, DocAddress)] {
        self.by_date.get_or_init(|| {
            let mut dated: Vec<(u64, DocAddress)> = self
                .all_addresses()
                .filter_map(|a| {
                    let key = self.columns(a.segment_ord).date_key.first(a.doc_id)?;
                    (key != 0).then_some((key, a))
                })
                .collect();
            dated.sort_unstable();
            dated
        })
    }

    pub fn allowed(&self, filter: &Filter) -> Result<Allowed> {
        for l in &filter.langs {
            self.check_value("lang", l, "--lang")?;
        }
        for k in &filter.kinds {
            self.check_value("kind", k, "--kind")?;
        }
        for c in &filter.collections {
            self.check_field("collection", "--collection")?;
            self.check_value("collection", c, "--collection")?;
        }
        for (field, value) in &filter.wheres {
            self.check_field(field, "--where")?;
            self.check_value(field, value, "--where")?;
        }
        for (field, value) in &filter.where_nots {
            self.check_field(field, "--where-not")?;
            self.check_value(field, value, "--where-not")?;
        }
        // Values of one field are alternatives (OR); fields combine with AND.
        let mut by_field: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (k, v) in &filter.wheres {
            by_field.entry(k.as_str()).or_default().push(v.as_str());
        }
        let mut out = Vec::new();
        for (s, reader) in self.searcher.segment_readers().iter().enumerate() {
            let max = reader.max_doc() as usize;
            let mut bits: Option<Vec<bool>> = None;
            let inverted = reader.inverted_index(self.fields.facets)?;
            let mut groups: Vec<Vec<String>> = Vec::new();
            if !filter.langs.is_empty() {
                groups.push(filter.langs.iter().map(|l| format!("lang={l}")).collect());
            }
            if !filter.kinds.is_empty() {
                groups.push(filter.kinds.iter().map(|k| format!("kind={k}")).collect());
            }
            if !filter.collections.is_empty() {
                groups.push(
                    filter
                        .collections
                        .iter()
                        .map(|c| format!("collection={c}"))
                        .collect(),
                );
            }
            for (k, values) in &by_field {
                groups.push(values.iter().map(|v| format!("{k}={v}")).collect());
            }
            for group in groups {
                let mut any = vec![false; max];
                for value in group {
                    let term = Term::from_field_text(self.fields.facets, &value);
                    if let Some(mut p) = inverted.read_postings(&term, IndexRecordOption::Basic)? {
                        while p.doc() != TERMINATED {
                            any[p.doc() as usize] = true;
                            p.advance();
                        }
                    }
                }
                bits = Some(match bits {
                    None => any,
                    Some(b) => b.iter().zip(&any).map(|(x, y)| *x && *y).collect(),
                });
            }
            if !filter.where_nots.is_empty() {
                let mut b = bits.unwrap_or_else(|| vec![true; max]);
                for (k, v) in &filter.where_nots {
                    let term = Term::from_field_text(self.fields.facets, &format!("{k}={v}"));
                    if let Some(mut p) = inverted.read_postings(&term, IndexRecordOption::Basic)? {
                        while p.doc() != TERMINATED {
                            b[p.doc() as usize] = false;
                            p.advance();
                        }
                    }
                }
                bits = Some(b);
            }
            if filter.dates.is_set() {
                let cols = &self.columns[s];
                let mut b = bits.unwrap_or_else(|| vec![true; max]);
                for (doc, keep) in b.iter_mut().enumerate() {
                    let lo = cols.date_lo.first(doc as DocId).unwrap_or(0);
                    let hi = cols.date_hi.first(doc as DocId).unwrap_or(0);
                    *keep = *keep && lo != 0 && filter.dates.overlaps(lo, hi);
                }
                bits = Some(b);
            }
            out.push(bits);
        }
        let cancel = CANCEL.with(|c| c.borrow().clone());
        Ok(Allowed(out, !filter.langs.is_empty(), cancel))
    }

    /// Value of metadata field `field` for every document that has it, read
    /// from the `facets` postings (`field=value` terms).
    pub fn field_values(&self, field: &str) -> Result<Arc<FieldValues>> {
        if let Some(v) = self
            .field_values
            .lock()
            .map_err(|_| anyhow::anyhow!("poisoned cache"))?
            .get(field)
        {
            return Ok(v.clone());
        }
        let prefix = format!("{field}=");
        let mut upper = prefix.clone().into_bytes();
        if let Some(last) = upper.last_mut() {
            *last += 1;
        }
        let mut values: Vec<String> = Vec::new();
        let mut index_of: HashMap<String, u32> = HashMap::new();
        let mut ordinals = Vec::new();
        for reader in self.searcher.segment_readers() {
            let mut ords = vec![u32::MAX; reader.max_doc() as usize];
            let inverted = reader.inverted_index(self.fields.facets)?;
            let mut stream = inverted
                .terms()
                .range()
                .ge(prefix.as_bytes())
                .lt(&upper)
                .into_stream()?;
            while stream.advance() {
                let value = String::from_utf8_lossy(&stream.key()[prefix.len()..]).to_string();
                let next = values.len() as u32;
                let ord = *index_of.entry(value.clone()).or_insert_with(|| {
                    values.push(value);
                    next
                });
                let info = stream.value().clone();
                let mut p =
                    inverted.read_postings_from_terminfo(&info, IndexRecordOption::Basic)?;
                while p.doc() != TERMINATED {
                    ords[p.doc() as usize] = ord;
                    p.advance();
                }
            }
            ordinals.push(ords);
        }
        let v = Arc::new(FieldValues { values, ordinals });
        self.field_values
            .lock()
            .map_err(|_| anyhow::anyhow!("poisoned cache"))?
            .insert(field.to_string(), v.clone());
        Ok(v)
    }

    /// The document with this id (the first, should several share it).
    pub fn address_of(&self, id: &str) -> Result<Option<DocAddress>> {
        let term = Term::from_field_text(self.fields.id, id);
        for (s, reader) in self.searcher.segment_readers().iter().enumerate() {
            let inverted = reader.inverted_index(self.fields.id)?;
            if let Some(p) = inverted.read_postings(&term, IndexRecordOption::Basic)?
                && p.doc() != TERMINATED
            {
                return Ok(Some(DocAddress::new(s as u32, p.doc())));
            }
        }
        Ok(None)
    }

    /// The id of a stored document, without reading its text when the id is
    /// the first stored value (as tifa writes it): ties in result order are
    /// broken by id, and those ids were most of the text read per query.
    pub fn stored_id(&self, address: DocAddress) -> Result<String> {
        if let Ok(LeadingStoredValues::<1>(values)) = self.searcher.doc(address)
            && let [(field, id)] = values.as_slice()
            && *field == self.fields.id
        {
            return Ok(id.clone());
        }
        Ok(self.stored(address)?.id)
    }

    /// Id, language, kind and title of a stored document, without reading its
    /// text when they are its first stored values (as tifa writes them): a
    /// trace lists many documents by title and quotes from one.
    pub fn stored_head(&self, address: DocAddress) -> Result<StoredHead> {
        let f = &self.fields;
        if let Ok(LeadingStoredValues::<4>(values)) = self.searcher.doc(address)
            && let [(a, id), (b, lang), (c, kind), (d, title)] = values.as_slice()
            && [*a, *b, *c, *d] == [f.id, f.lang, f.kind, f.title]
        {
            return Ok(StoredHead {
                id: id.clone(),
                lang: lang.clone(),
                kind: kind.clone(),
                title: title.clone(),
            });
        }
        Ok(self.stored(address)?.into())
    }

    pub fn stored(&self, address: DocAddress) -> Result<StoredDoc> {
        let doc: TantivyDocument = self.searcher.doc(address).map_err(|e| {
            anyhow::anyhow!("cannot read a stored document ({e}): rebuild with `tifa index`")
        })?;
        let get = |field| {
            doc.get_first(field)
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default()
        };
        let meta: BTreeMap<String, String> =
            serde_json::from_str(&get(self.fields.meta)).unwrap_or_default();
        let date = get(self.fields.date);
        Ok(StoredDoc {
            id: get(self.fields.id),
            lang: get(self.fields.lang),
            kind: get(self.fields.kind),
            date: (!date.is_empty()).then_some(date),
            title: get(self.fields.title),
            text: get(self.fields.text),
            meta,
        })
    }

    /// Every document containing `literal` (kept by `allowed`), in address order,
    /// with exact occurrence counts.
    pub fn evaluate(&self, literal: &Literal, allowed: &Allowed) -> Result<Vec<Match>> {
        Ok(self
            .evaluate_many(std::slice::from_ref(literal), allowed)?
            .pop()
            .unwrap_or_default())
    }

    /// [`Engine::evaluate`] for several literals at once: the literals that
    /// need verification share one pass over the stored documents (a query of
    /// many punctuation-only terms reads the corpus once, not once per term).
    pub fn evaluate_many(
        &self,
        literals: &[Literal],
        allowed: &Allowed,
    ) -> Result<Vec<Vec<Match>>> {
        let mut out: Vec<Vec<Match>> = vec![Vec::new(); literals.len()];
        // Per document: the verifying literals whose postings allow it.
        let mut candidates: BTreeMap<DocAddress, Vec<usize>> = BTreeMap::new();
        for (i, literal) in literals.iter().enumerate() {
            match plan(literal) {
                Plan::Exact(part) => {
                    for s in 0..self.searcher.segment_readers().len() as u32 {
                        for m in self.part_matches(s, &part)? {
                            if allowed.keeps(m.address) {
                                out[i].push(m);
                            }
                        }
                    }
                }
                Plan::Verify(parts) => {
                    for address in self.candidates(&parts, allowed)? {
                        candidates.entry(address).or_default().push(i);
                    }
                }
            }
        }
        let candidates: Vec<(DocAddress, Vec<usize>)> = candidates.into_iter().collect();
        let verified: Vec<Result<Vec<(usize, Match)>>> = candidates
            .par_iter()
            .map(|(address, which)| {
                allowed.check()?;
                let doc = self.stored(*address)?;
                // Normalised (and lower-cased) once for all the literals.
                let (title, text) = (crate::text::nfkc(&doc.title), crate::text::nfkc(&doc.text));
                let (title, text) = (Prepared::new(&title), Prepared::new(&text));
                Ok(which
                    .iter()
                    .filter_map(|&i| {
                        let title_occurrences = literals[i].find_prepared(&title).len() as u32;
                        let occurrences =
                            title_occurrences + literals[i].find_prepared(&text).len() as u32;
                        (occurrences > 0).then_some((
                            i,
                            Match {
                                address: *address,
                                occurrences,
                                title_occurrences,
                            },
                        ))
                    })
                    .collect())
            })
            .collect();
        for v in verified {
            for (i, m) in v? {
                out[i].push(m);
            }
        }
        Ok(out)
    }

    /// Documents (kept by `allowed`) that have every part: a superset of the
    /// documents containing the literal. No parts: every document.
    fn candidates(&self, parts: &[Part], allowed: &Allowed) -> Result<Vec<DocAddress>> {
        let mut candidates = Vec::new();
        for s in 0..self.searcher.segment_readers().len() as u32 {
            let mut docs: Option<Vec<DocId>> = None;
            for part in parts {
                let found: Vec<DocId> = self
                    .part_matches(s, part)?
                    .iter()
                    .map(|m| m.address.doc_id)
                    .collect();
                docs = Some(match docs {
                    None => found,
                    Some(prev) => intersect_sorted(&prev, &found),
                });
            }
            let docs =
                docs.unwrap_or_else(|| (0..self.searcher.segment_reader(s).max_doc()).collect());
            candidates.extend(
                docs.into_iter()
                    .map(|d| DocAddress::new(s, d))
                    .filter(|a| allowed.keeps(*a)),
            );
        }
        Ok(candidates)
    }

    /// A metadata field that `--where`/`--group-by` name must exist: an
    /// unknown one is an error listing the fields the documents have.
    pub fn check_field(&self, field: &str, flag: &str) -> Result<()> {
        let known = &self.manifest.fields;
        if known.is_empty() || known.contains_key(field) {
            return Ok(());
        }
        let mut listed: Vec<(&String, &u64)> = known.iter().collect();
        listed.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let fields: Vec<String> = listed
            .iter()
            .map(|(k, n)| format!("{} ({n} documents)", crate::output::escape_terminal(k)))
            .collect();
        let dates = if matches!(field, "date" | "year" | "month") {
            " Dates are filtered with --from/--to, and grouped with `tifa timeline`."
        } else {
            ""
        };
        Err(crate::error::UserError::UnknownField(format!(
            "{flag}: no document has the field {:?}. The fields are: {}.{dates}",
            crate::output::escape_terminal(field),
            fields.join(", ")
        ))
        .into())
    }

    /// Every metadata field with its number of documents and its `top` most
    /// frequent values (what `--where`, `--group-by`, `--lang`, `--kind` accept).
    pub fn fields_summary(&self, top: usize) -> Result<Vec<FieldSummary>> {
        let mut out = Vec::new();
        for (field, docs) in &self.manifest.fields {
            let counts = self.value_counts(field)?;
            out.push(FieldSummary {
                field: field.clone(),
                docs: *docs,
                distinct: counts.len(),
                top: counts.iter().take(top).cloned().collect(),
            });
        }
        out.sort_by(|a, b| b.docs.cmp(&a.docs).then(a.field.cmp(&b.field)));
        Ok(out)
    }

    /// Documents per value of a metadata field, most frequent first
    /// (counted once per opened index).
    pub fn value_counts(&self, field: &str) -> Result<ValueCounts> {
        let poisoned = |_| anyhow::anyhow!("poisoned cache");
        if let Some(v) = self.value_counts.lock().map_err(poisoned)?.get(field) {
            return Ok(v.clone());
        }
        let counted = Arc::new(self.count_values(field)?);
        self.value_counts
            .lock()
            .map_err(poisoned)?
            .insert(field.to_string(), counted.clone());
        Ok(counted)
    }

    fn count_values(&self, field: &str) -> Result<Vec<(String, u64)>> {
        let values = self.field_values(field)?;
        let mut counts = vec![0u64; values.values.len()];
        for ords in &values.ordinals {
            for &o in ords {
                if let Some(c) = counts.get_mut(o as usize) {
                    *c += 1;
                }
            }
        }
        let mut out: Vec<(String, u64)> = values.values.iter().cloned().zip(counts).collect();
        out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        Ok(out)
    }

    /// A value no document has is an error naming the closest value and the
    /// values there are (an unknown `--kind speeches` must not answer "0").
    pub fn check_value(&self, field: &str, value: &str, flag: &str) -> Result<()> {
        let counts = self.value_counts(field)?;
        if counts.iter().any(|(v, _)| v == value) {
            return Ok(());
        }
        let mut lower = value.to_lowercase();
        // Common names of the two languages, before any spelling distance.
        if field == "lang" {
            match lower.as_str() {
                "cn" | "zh-cn" | "zh_cn" | "chi" | "zho" | "chinese" | "中文" => {
                    lower = "zh".into()
                }
                "eng" | "english" | "英文" => lower = "en".into(),
                _ => {}
            }
        }
        let closest = counts
            .iter()
            .find(|(v, _)| v.to_lowercase() == lower)
            .or_else(|| {
                // A part of a longer value (`news` for `news/daily.jsonl`).
                counts
                    .iter()
                    .find(|(v, _)| lower.chars().count() >= 3 && v.to_lowercase().contains(&lower))
            })
            .or_else(|| {
                counts
                    .iter()
                    .map(|c| (strsim::levenshtein(&c.0.to_lowercase(), &lower), c))
                    .filter(|(d, c)| *d <= 2.max(c.0.chars().count() / 3))
                    .min_by_key(|(d, _)| *d)
                    .map(|(_, c)| c)
            });
        let suggestion = closest.map_or(String::new(), |(v, n)| {
            format!(
                " Did you mean {field}={} ({n} documents)?",
                crate::output::escape_terminal(v)
            )
        });
        let shown: Vec<String> = counts
            .iter()
            .take(20)
            .map(|(v, n)| format!("{} ({n})", crate::output::escape_terminal(v)))
            .collect();
        let more = if counts.len() > 20 {
            format!(", … and {} more (all: `tifa fields`)", counts.len() - 20)
        } else {
            String::new()
        };
        Err(crate::error::UserError::BadFilter(format!(
            "{flag}: no document has {field}={}.{suggestion} The values of {field} are: {}{more}.",
            crate::output::escape_terminal(value),
            shown.join(", ")
        ))
        .into())
    }

    /// BM25 of each literal as one whole jieba word (the `words` field), for
    /// the documents in `addresses` (sorted). A document where jieba reads
    /// 新时代 as a word ranks above one where the match straddles words
    /// (崭新/时代); recall never depends on it, and no dictionary is loaded:
    /// the term itself is looked up.
    pub fn whole_word_bonus(
        &self,
        literals: &[&Literal],
        addresses: &[DocAddress],
        (k1, b): (f64, f64),
    ) -> Result<HashMap<DocAddress, f64>> {
        let mut bonus: HashMap<DocAddress, f64> = HashMap::new();
        let field = self.fields.words;
        let n = self.num_docs().max(1) as f64;
        for literal in literals {
            let term = Term::from_field_text(field, &literal.normalized);
            let mut df = 0u64;
            for reader in self.searcher.segment_readers() {
                let inverted = reader.inverted_index(field)?;
                df += u64::from(inverted.doc_freq(&term)?);
            }
            if df == 0 {
                continue;
            }
            let tokens = self.word_tokens()?;
            let idf = (1.0 + (n - df as f64 + 0.5) / (df as f64 + 0.5)).ln();
            let avg = (tokens as f64 / n).max(1.0);
            for (s, reader) in self.searcher.segment_readers().iter().enumerate() {
                let inverted = reader.inverted_index(field)?;
                let Some(mut postings) =
                    inverted.read_postings(&term, IndexRecordOption::WithFreqs)?
                else {
                    continue;
                };
                let norms = reader.get_fieldnorms_reader(field)?;
                let in_segment = addresses.iter().filter(|a| a.segment_ord == s as u32);
                for &address in in_segment {
                    if postings.doc() == TERMINATED {
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
                            idf * tf * (k1 + 1.0) / (tf + k1 * (1.0 - b + b * len / avg));
                    }
                }
            }
        }
        Ok(bonus)
    }

    /// jieba words in all live documents, from the field norms (the lengths
    /// BM25 uses per document). Summed here rather than taken from tantivy's
    /// per-segment totals, which a merge of segments with deleted documents
    /// re-estimates: the same documents give the same figure however the
    /// index was built (in full or by `--update`).
    fn word_tokens(&self) -> Result<u64> {
        if let Some(&t) = self.word_tokens.get() {
            return Ok(t);
        }
        let mut total = 0u64;
        for reader in self.searcher.segment_readers() {
            let norms = reader.get_fieldnorms_reader(self.fields.words)?;
            total += reader
                .doc_ids_alive()
                .map(|d| u64::from(norms.fieldnorm(d)))
                .sum::<u64>();
        }
        Ok(*self.word_tokens.get_or_init(|| total))
    }

    /// Matches of one part in one segment, from postings and positions.
    fn part_matches(&self, segment: u32, part: &Part) -> Result<Vec<Match>> {
        let reader = self.searcher.segment_reader(segment);
        let inverted = reader.inverted_index(self.fields.grams)?;
        let title_end = &self.columns[segment as usize].title_end;
        let mut out = Vec::new();
        match part {
            Part::AnyOf(parts) => {
                // Candidates only: occurrences of the alternatives summed.
                let mut by_doc: BTreeMap<DocId, (u32, u32)> = BTreeMap::new();
                for p in parts {
                    for m in self.part_matches(segment, p)? {
                        let e = by_doc.entry(m.address.doc_id).or_default();
                        e.0 += m.occurrences;
                        e.1 += m.title_occurrences;
                    }
                }
                out.extend(by_doc.into_iter().map(|(doc, (occ, title))| Match {
                    address: DocAddress::new(segment, doc),
                    occurrences: occ,
                    title_occurrences: title,
                }));
            }
            Part::Char(_) | Part::Prefix(_) => {
                let prefix = match part {
                    Part::Char(c) => c.to_string().into_bytes(),
                    Part::Prefix(p) => p.clone().into_bytes(),
                    Part::Phrase { .. } | Part::AnyOf(_) => Vec::new(),
                };
                let mut upper = prefix.clone();
                if let Some(last) = upper.last_mut() {
                    *last += 1;
                }
                let mut counts: BTreeMap<DocId, (u32, u32)> = BTreeMap::new();
                let mut stream = inverted
                    .terms()
                    .range()
                    .ge(&prefix)
                    .lt(&upper)
                    .into_stream()?;
                let mut positions = Vec::new();
                while stream.advance() {
                    let info = stream.value().clone();
                    let mut p = inverted.read_postings_from_terminfo(
                        &info,
                        IndexRecordOption::WithFreqsAndPositions,
                    )?;
                    while p.doc() != TERMINATED {
                        let doc = p.doc();
                        let end = title_end.first(doc).unwrap_or(0) as u32;
                        p.positions(&mut positions);
                        let entry = counts.entry(doc).or_default();
                        entry.0 += positions.len() as u32;
                        entry.1 += positions.iter().filter(|&&x| x < end).count() as u32;
                        p.advance();
                    }
                }
                out.extend(counts.into_iter().map(|(doc, (occ, title))| Match {
                    address: DocAddress::new(segment, doc),
                    occurrences: occ,
                    title_occurrences: title,
                }));
            }
            Part::Phrase { tokens, span } => {
                let mut postings: Vec<(u32, SegmentPostings)> = Vec::new();
                for (offset, token) in tokens.iter().enumerate() {
                    let term = Term::from_field_text(self.fields.grams, token);
                    match inverted.read_postings(&term, IndexRecordOption::WithFreqsAndPositions)? {
                        Some(p) => postings.push((offset as u32, p)),
                        None => return Ok(out),
                    }
                }
                // Drive by the rarest token.
                postings.sort_by_key(|(_, p)| p.doc_freq());
                let mut starts: Vec<u32> = Vec::new();
                let mut buf: Vec<u32> = Vec::new();
                let mut doc = postings[0].1.doc();
                'docs: while doc != TERMINATED {
                    for (_, p) in postings.iter_mut().skip(1) {
                        let d = if p.doc() < doc { p.seek(doc) } else { p.doc() };
                        if d > doc {
                            doc = postings[0].1.seek(d);
                            continue 'docs;
                        }
                    }
                    // All tokens are in `doc`: candidate starts from the rarest, then filter.
                    let (off0, p0) = &mut postings[0];
                    p0.positions(&mut buf);
                    starts.clear();
                    starts.extend(buf.iter().filter(|&&x| x >= *off0).map(|&x| x - *off0));
                    for (off, p) in postings.iter_mut().skip(1) {
                        p.positions(&mut buf);
                        starts.retain(|&s| buf.binary_search(&(s + *off)).is_ok());
                        if starts.is_empty() {
                            break;
                        }
                    }
                    if !starts.is_empty() {
                        starts.sort_unstable();
                        let end = title_end.first(doc).unwrap_or(0) as u32;
                        let (mut occ, mut title, mut next_free) = (0u32, 0u32, 0u32);
                        for &s in &starts {
                            if s >= next_free {
                                occ += 1;
                                if s < end {
                                    title += 1;
                                }
                                next_free = s + span;
                            }
                        }
                        out.push(Match {
                            address: DocAddress::new(segment, doc),
                            occurrences: occ,
                            title_occurrences: title,
                        });
                    }
                    doc = postings[0].1.advance();
                }
            }
        }
        Ok(out)
    }
}

/// The first `N` stored values of a document (fewer if it has fewer), as
/// strings; the rest is not read.
struct LeadingStoredValues<const N: usize>(Vec<(tantivy::schema::Field, String)>);

impl<const N: usize> tantivy::schema::document::DocumentDeserialize for LeadingStoredValues<N> {
    fn deserialize<'de, D>(
        mut deserializer: D,
    ) -> Result<Self, tantivy::schema::document::DeserializeError>
    where
        D: tantivy::schema::document::DocumentDeserializer<'de>,
    {
        let mut values = Vec::with_capacity(N);
        while values.len() < N {
            match deserializer.next_field::<String>()? {
                Some(value) => values.push(value),
                None => break,
            }
        }
        Ok(LeadingStoredValues(values))
    }
}

fn intersect_sorted(a: &[DocId], b: &[DocId]) -> Vec<DocId> {
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                out.push(a[i]);
                i += 1;
                j += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The partial reads (id alone; id, lang, kind and title) give what the
    /// whole stored document gives, whatever fields a record has or lacks.
    #[test]
    fn partial_stored_reads_equal_the_whole_document() -> Result<()> {
        let tmp = tempfile::tempdir()?;
        let corpus = tmp.path().join("c.jsonl");
        std::fs::write(
            &corpus,
            concat!(
                r#"{"id":"a","lang":"zh","kind":"speech","date":"2015-12-16","title":"第二届世界互联网大会","text":"尊重网络主权。"}"#,
                "\n",
                r#"{"id":"b","date":"2016","text":"no title, no lang, no kind","country":"PAK"}"#,
                "\n",
                r#"{"id":"c","title":"","text":"","lang":"en"}"#,
                "\n",
            ),
        )?;
        let dir = tmp.path().join("idx");
        crate::index::build(
            &dir,
            &[corpus],
            &crate::index::BuildOptions::default(),
            |_| {},
        )?;
        let engine = Engine::open(&dir)?;
        let addresses: Vec<DocAddress> = engine.all_addresses().collect();
        assert_eq!(addresses.len(), 3);
        for a in addresses {
            let whole = engine.stored(a)?;
            let head = engine.stored_head(a)?;
            assert_eq!(engine.stored_id(a)?, whole.id);
            assert_eq!(
                (head.id, head.lang, head.kind, head.title),
                (whole.id, whole.lang, whole.kind, whole.title)
            );
        }
        Ok(())
    }
}
