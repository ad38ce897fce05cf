//! **The index layer** (`src/index/`): schema, atomic builds and updates,
//! generations, the lock, checks and rollback, and the paragraph alignments
//! stored with each generation ([`alignments`]). It uses `ingest`, `text`,
//! `date`, `error` and `output`; and, to align the translated pairs of a
//! generation it has just built, opens that generation as an `engine` and
//! runs `analysis::align` over it — the one place it reaches up, after the
//! build itself is done.
//!
//! The on-disk index: schema, atomic builds, the build lock and opening.
//!
//! Layout of an index folder:
//! * `CURRENT` names the live generation (switched with an atomic rename);
//! * `gen-*` generation folders, each a tantivy index plus `tifa.json`;
//! * `.build-*` a build in progress (removed by the next build if it was killed);
//! * `.lock` held (advisory `flock`) by the process that builds.
//!
//! tifa deletes or overwrites only entries it recognises as its own: a
//! generation is `gen-<digits>` holding a readable `tifa.json`, a build is
//! `.build-<digits>-<digits>` holding the `.tifa-build` marker. It refuses to
//! build into a non-empty folder that holds no tifa index, so that `--index`
//! pointed at a project folder never destroys anything.
//!
//! This file holds the schema and the manifest; `generations.rs` the index
//! folder (generations, opening read-only, the lock, checks, rollback) and
//! `build.rs` builds and updates.

pub mod alignments;
mod build;
mod generations;
mod inputs;
mod update;

pub use build::*;
pub use generations::*;
pub use inputs::*;
use update::*;

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use tantivy::Index;
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};

use crate::text::{GRAM_TOKENIZER, GramTokenizer, WORD_TOKENIZER, WordTokenizer};

/// Bumped whenever the schema or the analysis changes; an index with another
/// value is refused.
pub const FORMAT_VERSION: u32 = 1;

/// The analysis settings recorded in every index (compared on open).
pub const ANALYSIS: &str = "nfkc; grams=cjk-bigrams-at-char-positions+lowercase-words(gap-on-non-space); words=jieba-rs-0.11-default-dict-cut-nohmm(runs-cut-at-4096-chars)+lowercase-words";

const MANIFEST: &str = "tifa.json";

const CURRENT: &str = "CURRENT";

const LOCK: &str = ".lock";

/// The fields of the schema.
#[derive(Clone, Copy, Debug)]
pub struct Fields {
    /// The document's id (stored, indexed as one token).
    pub id: Field,
    /// Its language.
    pub lang: Field,
    /// Its kind.
    pub kind: Field,
    /// Its date as written.
    pub date: Field,
    /// Its title.
    pub title: Field,
    /// Its text.
    pub text: Field,
    /// Its other metadata, as JSON.
    pub meta: Field,
    /// `key=value` for every metadata field, for `--where`.
    pub facets: Field,
    /// The exact-match field (see [`crate::text::GramTokenizer`]): title, then text.
    pub grams: Field,
    /// jieba words, for ranking.
    pub words: Field,
}

/// The index's schema and its fields.
pub fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let stored_text = TextOptions::default().set_stored();
    let grams = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(GRAM_TOKENIZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let words = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(WORD_TOKENIZER)
            .set_index_option(IndexRecordOption::WithFreqs),
    );
    let fields = Fields {
        id: b.add_text_field("id", STRING | STORED),
        lang: b.add_text_field("lang", STRING | STORED),
        kind: b.add_text_field("kind", STRING | STORED),
        date: b.add_text_field("date", stored_text.clone()),
        title: b.add_text_field("title", stored_text.clone()),
        text: b.add_text_field("text", stored_text.clone()),
        meta: b.add_text_field("meta", stored_text),
        facets: b.add_text_field("facets", STRING),
        grams: b.add_text_field("grams", grams),
        words: b.add_text_field("words", words),
    };
    for name in FAST_U64 {
        b.add_u64_field(name, FAST | INDEXED);
    }
    (b.build(), fields)
}

/// u64 fast fields: date key (YYYYMMDD with zeros, 0 = undated), period bounds,
/// Han characters and English words (per-million denominators), and the
/// position where the title's grams end (positions below it are the title's).
pub const FAST_U64: [&str; 6] = [
    "date_key",
    "date_lo",
    "date_hi",
    "han",
    "en_words",
    "title_end",
];

/// What a build recorded about itself; stored as `tifa.json` in the generation.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Manifest {
    /// The version of tifa that built it.
    pub tool_version: String,
    /// The version of the index format.
    pub format_version: u32,
    /// The analysis (tokenizers) it was built with.
    pub analysis: String,
    /// The corpus paths given.
    pub sources: Vec<String>,
    /// Documents indexed.
    pub documents: u64,
    /// Documents per language.
    pub by_lang: BTreeMap<String, u64>,
    /// Documents per kind.
    pub by_kind: BTreeMap<String, u64>,
    /// The earliest date.
    pub first_date: Option<String>,
    /// The latest date.
    pub last_date: Option<String>,
    /// Undated documents.
    pub undated: u64,
    /// Records skipped.
    pub skipped: u64,
    /// Warnings.
    pub warnings: u64,
    /// Han characters.
    pub han_chars: u64,
    /// English words.
    pub english_words: u64,
    /// Bytes of text.
    pub text_bytes: u64,
    /// Seconds the build took.
    pub build_seconds: f64,
    /// Bytes of the index on disk.
    pub index_bytes: u64,
    /// When it was built (Unix seconds).
    pub built_at_unix: u64,
    /// Size of every file of the generation, checked on open (catches missing
    /// and truncated files before tantivy reads them).
    #[serde(default)]
    pub files: BTreeMap<String, u64>,
    /// Metadata fields usable with `--where`/`--group-by`, with the number of
    /// documents that have each.
    #[serde(default)]
    pub fields: BTreeMap<String, u64>,
    /// The alignments of paired documents stored with this generation.
    #[serde(default)]
    pub alignments: AlignmentStats,
    /// Content hash of the indexed corpus: blake3 over every input file's
    /// collection, name and content hash, in name order. The same files give
    /// the same hash wherever they lie; a changed byte changes it.
    #[serde(default)]
    pub corpus_hash: String,
}

/// What the build spent on aligning paired documents (stored beside the index).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct AlignmentStats {
    /// Paired documents.
    pub pairs: u64,
    /// Aligned segments.
    pub segments: u64,
    /// Pairs aligned by this build; the others were reused unchanged from the
    /// previous generation.
    pub aligned: u64,
    /// Pairs reused unchanged.
    pub reused: u64,
    /// Seconds the alignment took.
    pub seconds: f64,
}

/// Registers the tokenizers the schema names (tantivy stores only their names).
pub fn register_tokenizers(index: &Index, jieba: Option<Arc<jieba_rs::Jieba>>) {
    index.tokenizers().register(GRAM_TOKENIZER, GramTokenizer);
    let jieba = jieba.unwrap_or_else(|| Arc::new(jieba_rs::Jieba::empty()));
    index
        .tokenizers()
        .register(WORD_TOKENIZER, WordTokenizer::new(jieba));
}

fn schema_fields(schema: &Schema) -> Result<Fields> {
    let f = |name: &str| {
        schema
            .get_field(name)
            .with_context(|| format!("the index has no field {name:?}: rebuild with `tifa index`"))
    };
    Ok(Fields {
        id: f("id")?,
        lang: f("lang")?,
        kind: f("kind")?,
        date: f("date")?,
        title: f("title")?,
        text: f("text")?,
        meta: f("meta")?,
        facets: f("facets")?,
        grams: f("grams")?,
        words: f("words")?,
    })
}

/// The first 16 hex digits of a corpus hash, as footers show it (or why
/// there is none).
pub fn short_hash(hash: &str) -> &str {
    if hash.is_empty() {
        "unknown (the index was built before tifa recorded it: rebuild it)"
    } else {
        &hash[..hash.len().min(16)]
    }
}

pub(crate) fn write_synced(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut f = File::create(path).with_context(|| format!("cannot write {}", path.display()))?;
    f.write_all(bytes)?;
    f.sync_all()?;
    Ok(())
}
