//! The on-disk index: schema, atomic builds, the build lock and opening.
//!
//! Layout of an index folder:
//! * `CURRENT` names the live generation (switched with an atomic rename);
//! * `gen-*` generation folders, each a tantivy index plus `tifa.json`;
//! * `.build-*` a build in progress (removed by the next build if it was killed);
//! * `.lock` held (advisory `flock`) by the process that builds.

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, anyhow, bail};
use serde::{Deserialize, Serialize};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::{Index, IndexWriter, TantivyDocument};

use crate::corpus::{self, Document, FileDamage, LoadReport};
use crate::text::{self, GRAM_TOKENIZER, GramTokenizer, WORD_TOKENIZER, WordTokenizer};

/// Bumped whenever the schema or the analysis changes; an index with another
/// value is refused.
pub const FORMAT_VERSION: u32 = 1;
/// The analysis settings recorded in every index (compared on open).
pub const ANALYSIS: &str = "nfkc; grams=cjk-bigrams-at-char-positions+lowercase-words(gap-on-non-space); words=jieba-rs-0.11-default-dict-cut-nohmm+lowercase-words";
const MANIFEST: &str = "tifa.json";
const CURRENT: &str = "CURRENT";
const LOCK: &str = ".lock";

/// The fields of the schema.
#[derive(Clone, Copy, Debug)]
pub struct Fields {
    pub id: Field,
    pub lang: Field,
    pub kind: Field,
    pub date: Field,
    pub title: Field,
    pub text: Field,
    pub meta: Field,
    /// `key=value` for every metadata field, for `--where`.
    pub facets: Field,
    /// The exact-match field (see [`text::GramTokenizer`]): title, then text.
    pub grams: Field,
    /// jieba words, for ranking.
    pub words: Field,
}

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
    pub tool_version: String,
    pub format_version: u32,
    pub analysis: String,
    pub sources: Vec<String>,
    pub documents: u64,
    pub by_lang: BTreeMap<String, u64>,
    pub by_kind: BTreeMap<String, u64>,
    pub first_date: Option<String>,
    pub last_date: Option<String>,
    pub undated: u64,
    pub skipped: u64,
    pub warnings: u64,
    pub han_chars: u64,
    pub english_words: u64,
    pub text_bytes: u64,
    pub build_seconds: f64,
    pub index_bytes: u64,
    pub built_at_unix: u64,
    /// Size of every file of the generation, checked on open (catches missing
    /// and truncated files before tantivy reads them).
    #[serde(default)]
    pub files: BTreeMap<String, u64>,
}

/// Registers the tokenizers the schema names (tantivy stores only their names).
pub fn register_tokenizers(index: &Index, jieba: Option<Arc<jieba_rs::Jieba>>) {
    index
        .tokenizers()
        .register(GRAM_TOKENIZER, GramTokenizer::default());
    let jieba = jieba.unwrap_or_else(|| Arc::new(jieba_rs::Jieba::empty()));
    index
        .tokenizers()
        .register(WORD_TOKENIZER, WordTokenizer::new(jieba));
}

/// The live generation of an index folder.
pub fn current_generation(dir: &Path) -> Result<PathBuf> {
    let pointer = dir.join(CURRENT);
    let name = match fs::read_to_string(&pointer) {
        Ok(n) => n,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => bail!(
            "no index in {}: build one with `tifa index` (e.g. `tifa index ../shared/corpus`)",
            dir.display()
        ),
        Err(e) => bail!("cannot read {}: {e}", pointer.display()),
    };
    let name = name.trim();
    if name.is_empty() || name.contains('/') || name.contains("..") {
        bail!(
            "{} is damaged: rebuild with `tifa index`",
            pointer.display()
        );
    }
    Ok(dir.join(name))
}

/// Reads and checks the manifest of a generation.
pub fn read_manifest(generation: &Path) -> Result<Manifest> {
    let path = generation.join(MANIFEST);
    let raw = fs::read_to_string(&path).with_context(|| {
        format!(
            "index manifest {} is missing or unreadable: rebuild with `tifa index`",
            path.display()
        )
    })?;
    let manifest: Manifest = serde_json::from_str(&raw).map_err(|e| {
        anyhow!(
            "index manifest {} is damaged ({e}): rebuild with `tifa index`",
            path.display()
        )
    })?;
    if manifest.format_version != FORMAT_VERSION || manifest.analysis != ANALYSIS {
        bail!(
            "the index in {} was built by tifa {} (index format {}), which this tifa {} cannot read: rebuild with `tifa index`",
            generation.display(),
            manifest.tool_version,
            manifest.format_version,
            env!("CARGO_PKG_VERSION")
        );
    }
    Ok(manifest)
}

/// An opened index.
pub struct OpenIndex {
    pub index: Index,
    pub fields: Fields,
    pub manifest: Manifest,
    pub generation: PathBuf,
}

pub fn open(dir: &Path) -> Result<OpenIndex> {
    let generation = current_generation(dir)?;
    let manifest = read_manifest(&generation)?;
    check_files(&generation, &manifest)?;
    let index = Index::open_in_dir(&generation).map_err(|e| {
        anyhow!(
            "the index in {} cannot be opened ({e}): rebuild with `tifa index`",
            generation.display()
        )
    })?;
    register_tokenizers(&index, None);
    let (_, fields) = schema();
    Ok(OpenIndex {
        index,
        fields,
        manifest,
        generation,
    })
}

/// Holds the build lock of an index folder until dropped.
pub struct BuildLock {
    _file: File,
}

/// Takes the build lock; with `wait`, blocks until the other build ends.
pub fn lock(dir: &Path, wait: bool) -> Result<BuildLock> {
    fs::create_dir_all(dir)
        .with_context(|| format!("cannot create index folder {}", dir.display()))?;
    let path = dir.join(LOCK);
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    if wait {
        file.lock()
            .with_context(|| format!("cannot lock {}", path.display()))?;
    } else {
        match file.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => bail!(
                "the index in {} is being built by another process; wait for it to finish or run again with --wait",
                dir.display()
            ),
            Err(fs::TryLockError::Error(e)) => {
                return Err(e).with_context(|| format!("cannot lock {}", path.display()));
            }
        }
    }
    Ok(BuildLock { _file: file })
}

/// Options of a build.
pub struct BuildOptions {
    pub strict: bool,
    pub wait: bool,
    /// Memory budget of the tantivy writer, in bytes.
    pub writer_memory: usize,
    pub threads: usize,
}

impl Default for BuildOptions {
    fn default() -> Self {
        BuildOptions {
            strict: false,
            wait: false,
            writer_memory: 300 << 20,
            threads: std::thread::available_parallelism().map_or(2, |n| n.get().min(8)),
        }
    }
}

/// The outcome of a build.
pub struct BuildOutcome {
    pub manifest: Manifest,
    pub report: LoadReport,
    pub damage: Vec<FileDamage>,
    pub generation: PathBuf,
}

/// Test hook: pause after this many documents (lets tests kill a build mid-way).
const PAUSE_ENV: &str = "TIFA_TEST_PAUSE_AFTER_DOCS";

/// Builds a new generation from `paths` and switches to it atomically. On any
/// error (or a refusal in strict mode) the previous generation stays live.
pub fn build(
    dir: &Path,
    paths: &[PathBuf],
    options: &BuildOptions,
    progress: impl FnMut(u64),
) -> Result<BuildOutcome> {
    let started = Instant::now();
    let _lock = lock(dir, options.wait)?;
    remove_stale_builds(dir);
    let stamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let build_dir = dir.join(format!(".build-{stamp}-{}", std::process::id()));
    fs::create_dir_all(&build_dir)
        .with_context(|| format!("cannot create {}", build_dir.display()))?;
    let result = build_into(&build_dir, paths, options, progress);
    let (mut manifest, report, damage) = match result {
        Ok(r) => r,
        Err(e) => {
            let _ = fs::remove_dir_all(&build_dir);
            return Err(e);
        }
    };
    if options.strict && (!report.problems.is_empty() || !damage.is_empty()) {
        let _ = fs::remove_dir_all(&build_dir);
        let mut message = format!(
            "--strict: {} problem(s) in the corpus; the previous index was left unchanged:",
            report.problems.len()
        );
        for p in report.problems.iter().take(20) {
            message.push_str(&format!("\n  {p}"));
        }
        if report.problems.len() > 20 {
            message.push_str(&format!("\n  … and {} more", report.problems.len() - 20));
        }
        bail!(message);
    }
    manifest.files = file_sizes(&build_dir);
    manifest.index_bytes = manifest.files.values().sum();
    manifest.build_seconds = started.elapsed().as_secs_f64();
    write_synced(
        &build_dir.join(MANIFEST),
        serde_json::to_string_pretty(&manifest)?.as_bytes(),
    )?;
    let name = format!("gen-{stamp}");
    let generation = dir.join(&name);
    fs::rename(&build_dir, &generation)
        .with_context(|| format!("cannot move the new index into {}", generation.display()))?;
    let previous = fs::read_to_string(dir.join(CURRENT)).ok();
    let tmp = dir.join(format!("{CURRENT}.tmp"));
    write_synced(&tmp, name.as_bytes())?;
    fs::rename(&tmp, dir.join(CURRENT))
        .with_context(|| format!("cannot switch {} to the new index", dir.display()))?;
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    // Keep the generation just replaced (searches in flight may still read it);
    // remove older ones.
    remove_old_generations(dir, &name, previous.as_deref().map(str::trim));
    Ok(BuildOutcome {
        manifest,
        report,
        damage,
        generation,
    })
}

fn build_into(
    build_dir: &Path,
    paths: &[PathBuf],
    options: &BuildOptions,
    progress: impl FnMut(u64),
) -> Result<(Manifest, LoadReport, Vec<FileDamage>)> {
    let (schema, fields) = schema();
    let index = Index::create_in_dir(build_dir, schema.clone())
        .with_context(|| format!("cannot create an index in {}", build_dir.display()))?;
    let jieba = Arc::new(jieba_rs::Jieba::new());
    register_tokenizers(&index, Some(jieba));
    let threads = options.threads.max(1);
    let memory = options.writer_memory.max((threads * 20) << 20);
    let mut writer: IndexWriter = index
        .writer_with_num_threads(threads, memory)
        .context("cannot start the index writer")?;
    let fast: Vec<Field> = FAST_U64
        .iter()
        .map(|n| schema.get_field(n))
        .collect::<Result<_, _>>()?;
    let mut manifest = Manifest {
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        format_version: FORMAT_VERSION,
        analysis: ANALYSIS.to_string(),
        sources: paths.iter().map(|p| p.display().to_string()).collect(),
        documents: 0,
        by_lang: BTreeMap::new(),
        by_kind: BTreeMap::new(),
        first_date: None,
        last_date: None,
        undated: 0,
        skipped: 0,
        warnings: 0,
        han_chars: 0,
        english_words: 0,
        text_bytes: 0,
        build_seconds: 0.0,
        index_bytes: 0,
        built_at_unix: SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
        files: BTreeMap::new(),
    };
    let pause_after: Option<u64> = std::env::var(PAUSE_ENV).ok().and_then(|v| v.parse().ok());
    let mut first: Option<crate::date::DocDate> = None;
    let mut last: Option<crate::date::DocDate> = None;
    let mut report = LoadReport::default();
    let mut title_tokens = Vec::new();
    let damage = corpus::load(
        paths,
        &mut report,
        |doc: Document| {
            let title = text::nfkc(&doc.title);
            let body = text::nfkc(&doc.text);
            let (h1, w1) = text::count_units(&title);
            let (h2, w2) = text::count_units(&body);
            let title_count = GramTokenizer::tokenize_into(&title, &mut title_tokens);
            let title_end = title_tokens[..title_count]
                .iter()
                .map(|t| t.position as u64 + 1)
                .max()
                .unwrap_or(0);
            let mut d = TantivyDocument::default();
            d.add_text(fields.id, &doc.id);
            d.add_text(fields.lang, &doc.lang);
            d.add_text(fields.kind, &doc.kind);
            d.add_text(fields.title, &doc.title);
            d.add_text(fields.text, &doc.text);
            d.add_text(fields.grams, &title);
            d.add_text(fields.grams, &body);
            d.add_text(fields.words, &title);
            d.add_text(fields.words, &body);
            let mut meta = doc.extra.clone();
            meta.insert("source".into(), doc.source.clone());
            meta.insert("lang".into(), doc.lang.clone());
            meta.insert("kind".into(), doc.kind.clone());
            meta.insert("id".into(), doc.id.clone());
            for (k, v) in &meta {
                d.add_text(fields.facets, format!("{k}={v}"));
            }
            meta.remove("lang");
            meta.remove("kind");
            meta.remove("id");
            d.add_text(fields.meta, serde_json::to_string(&meta)?);
            let (key, lo, hi) = match doc.date {
                Some(date) => {
                    d.add_text(fields.date, date.to_string());
                    first = Some(first.map_or(date, |f| f.min(date)));
                    last = Some(last.map_or(date, |l| l.max(date)));
                    (date.key(), date.period_start(), date.period_end())
                }
                None => {
                    manifest.undated += 1;
                    (0, 0, 0)
                }
            };
            for (field, value) in fast.iter().zip([key, lo, hi, h1 + h2, w1 + w2, title_end]) {
                d.add_u64(*field, value);
            }
            manifest.documents += 1;
            manifest.han_chars += h1 + h2;
            manifest.english_words += w1 + w2;
            manifest.text_bytes += (doc.title.len() + doc.text.len()) as u64;
            *manifest.by_lang.entry(doc.lang).or_default() += 1;
            *manifest.by_kind.entry(doc.kind).or_default() += 1;
            writer.add_document(d)?;
            if pause_after == Some(manifest.documents) {
                std::thread::sleep(std::time::Duration::from_secs(3600));
            }
            Ok(())
        },
        progress,
    )?;
    writer.commit().context("cannot commit the index")?;
    writer
        .wait_merging_threads()
        .context("cannot finish index merges")?;
    manifest.first_date = first.map(|d| d.to_string());
    manifest.last_date = last.map(|d| d.to_string());
    manifest.skipped = report.skipped() as u64;
    manifest.warnings = report.warnings() as u64;
    Ok((manifest, report, damage))
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut f = File::create(path).with_context(|| format!("cannot write {}", path.display()))?;
    f.write_all(bytes)?;
    f.sync_all()?;
    Ok(())
}

fn file_sizes(dir: &Path) -> BTreeMap<String, u64> {
    fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let m = e.metadata().ok()?;
            let name = e.file_name().to_string_lossy().to_string();
            (m.is_file() && !name.starts_with('.')).then_some((name, m.len()))
        })
        .collect()
}

/// Every file the manifest lists must be there with its size.
fn check_files(generation: &Path, manifest: &Manifest) -> Result<()> {
    for (name, size) in &manifest.files {
        let path = generation.join(name);
        match fs::metadata(&path) {
            Ok(m) if m.len() == *size => {}
            Ok(m) => bail!(
                "index file {} is damaged ({} bytes, {} expected): rebuild with `tifa index`",
                path.display(),
                m.len(),
                size
            ),
            Err(_) => bail!(
                "index file {} is missing: rebuild with `tifa index`",
                path.display()
            ),
        }
    }
    Ok(())
}

/// Builds left behind by a killed process (we hold the lock, so none is running).
fn remove_stale_builds(dir: &Path) {
    for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
        if entry.file_name().to_string_lossy().starts_with(".build-") {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

fn remove_old_generations(dir: &Path, keep: &str, previous: Option<&str>) {
    for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if name.starts_with("gen-") && name != keep && Some(name.as_str()) != previous {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}
