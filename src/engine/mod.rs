//! **The engine layer** (`src/engine/`): an opened index and the exact
//! answer to a term — the query language ([`query`]), literals and the rules
//! on stored text ([`matcher`]), term families and subjects ([`terms`]), and
//! the evaluation from postings below. It uses `index`, `ingest` (the
//! document types), `text`, `date`, `error` and `output`; never `analysis`,
//! `history`, `report` or `server`.
//!
//! Exact evaluation of literal terms over an opened index. This file holds
//! the opened index ([`Engine`]: columns, dates, memos, alignments);
//! `evaluate.rs` the plan and evaluation from postings, `filter.rs` the
//! filters and metadata fields, `stored.rs` reading stored documents.
//!
//! A term is turned into a [`Plan`]: pure Chinese terms and plain English word
//! phrases are answered from postings and positions alone (exact by construction
//! of the gram field); any other term (mixed scripts, punctuation) gets a superset
//! of candidate documents from the postings and is verified against stored text.

mod evaluate;
mod filter;
pub mod matcher;
pub mod query;
mod stored;
pub mod terms;

pub use evaluate::{Match, Part, Plan, plan};
pub use filter::{Allowed, Cancelled, FieldSummary, FieldValues, Filter, ValueCounts, cancellable};
pub use stored::{StoredDoc, StoredHead};

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

/// Fast per-document values of one segment.
pub struct Columns {
    /// The document's sort key by date (0: undated).
    pub date_key: tantivy::columnar::Column<u64>,
    /// The key (`YYYYMMDD`) of the first day of the document's date (a year-only date: 1 January).
    pub date_lo: tantivy::columnar::Column<u64>,
    /// The key of the last day of the document's date (a year-only date: 31 December).
    pub date_hi: tantivy::columnar::Column<u64>,
    /// Han characters in the document.
    pub han: tantivy::columnar::Column<u64>,
    /// English words in the document.
    pub en_words: tantivy::columnar::Column<u64>,
    /// The gram position after the title's last token: a match before it is in the title.
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
    /// Keeps at most `keep` values.
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
    /// The tantivy searcher of the opened generation.
    pub searcher: Searcher,
    /// The schema's fields.
    pub fields: Fields,
    /// The build's manifest (documents, dates, sources).
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

    /// Opens the live generation of the index folder `dir`, read-only.
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

    /// The fast columns of one segment.
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

    /// Documents in the index.
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
