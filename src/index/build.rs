//! Builds and updates: the corpus read into a new generation beside the
//! live one (per-file records in `inputs.json` for `--update`), its pairs
//! aligned, then switched in with one rename.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, anyhow, bail};
use serde::{Deserialize, Serialize};
use tantivy::directory::MmapDirectory;
use tantivy::schema::{Field, Schema};
use tantivy::{Index, IndexWriter, TantivyDocument};

use crate::corpus::{self, Document, FileDamage, LoadReport};
use crate::text::{self, GramTokenizer};

use super::*;

/// Options of a build.
pub struct BuildOptions {
    pub strict: bool,
    pub wait: bool,
    /// Make a build with no documents live even over an index that has some.
    pub allow_empty: bool,
    /// Memory budget of the tantivy writer, in bytes.
    pub writer_memory: usize,
    /// Merge the writer's segments while indexing (tantivy's log merge policy).
    /// Off: every flush stays a segment (a build linear in the corpus, more
    /// segments for queries to visit); for measurements.
    pub merge: bool,
    pub threads: usize,
    pub limits: corpus::Limits,
    /// Read links whose target lies outside the folders given.
    pub follow_links: bool,
}

impl Default for BuildOptions {
    fn default() -> Self {
        BuildOptions {
            strict: false,
            wait: false,
            allow_empty: false,
            writer_memory: 300 << 20,
            merge: true,
            threads: std::thread::available_parallelism().map_or(2, |n| n.get().min(8)),
            limits: corpus::Limits::default(),
            follow_links: false,
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
pub(super) const PAUSE_ENV: &str = "TIFA_TEST_PAUSE_AFTER_DOCS";

/// Builds a new generation from `paths` and switches to it atomically. On any
/// error (or a refusal in strict mode, or an empty build over a populated
/// index) the previous generation stays live.
pub fn build(
    dir: &Path,
    paths: &[PathBuf],
    options: &BuildOptions,
    progress: impl FnMut(u64),
) -> Result<BuildOutcome> {
    let (outcome, _) = make_generation(dir, options, |build_dir| {
        build_into(build_dir, paths, options, progress).map(|b| (b, ()))
    })?;
    Ok(outcome)
}

/// What `tifa index --update` changed.
#[derive(Debug, Default)]
pub struct UpdateChanges {
    pub added: Vec<String>,
    pub replaced: Vec<String>,
    pub removed: Vec<String>,
    pub unchanged: usize,
    /// Unchanged files read again because an id they hold or repeat moved.
    pub reread: Vec<String>,
    pub documents_added: u64,
    pub documents_removed: u64,
}

/// Updates the live generation from `paths` (the whole corpus, as a full build
/// would be given it): only files whose content (or sheet row) changed are
/// read; the result is a new generation, switched to atomically, that answers
/// exactly as a full build over the same files would.
pub fn update(
    dir: &Path,
    paths: &[PathBuf],
    options: &BuildOptions,
    mut progress: impl FnMut(u64),
) -> Result<(BuildOutcome, UpdateChanges)> {
    let live = current_generation(dir).map_err(|e| {
        anyhow!("{e:#}; --update needs an index to update: run `tifa index PATHS` first")
    })?;
    make_generation(dir, options, |build_dir| {
        update_into(build_dir, &live, paths, options, &mut progress)
    })
}

/// The common frame of a build and an update: lock, a `.build-*` folder,
/// checks, then the atomic switch; on failure the folder is removed and the
/// live generation stays.
pub(super) fn make_generation<T>(
    dir: &Path,
    options: &BuildOptions,
    fill: impl FnOnce(&Path) -> Result<(Built, T)>,
) -> Result<(BuildOutcome, T)> {
    let started = Instant::now();
    check_index_folder(dir)?;
    let _lock = lock(dir, options.wait)?;
    remove_stale_builds(dir);
    let stamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let build_dir = dir.join(format!(".build-{stamp}-{}", std::process::id()));
    let unchanged = "the previous index is unchanged";
    fs::create_dir_all(&build_dir)
        .and_then(|()| fs::write(build_dir.join(BUILD_MARKER), b"tifa build in progress\n"))
        .with_context(|| format!("cannot create {} ({unchanged})", build_dir.display()))?;
    // Refusals (strict mode, an empty build, a failed check) say so themselves;
    // any other failure is named with the folder.
    let failed = || {
        format!(
            "building the index in {} failed; {unchanged}",
            dir.display()
        )
    };
    let result = fill(&build_dir)
        .with_context(failed)
        .and_then(|(built, extra)| {
            let Built {
                mut manifest,
                report,
                damage,
                inputs,
            } = built;
            refuse_unwanted(dir, &manifest, &report, &damage, options)?;
            manifest.alignments =
                store_alignments(dir, &build_dir, &manifest).with_context(failed)?;
            let inputs_json = serde_json::to_vec(&inputs).with_context(failed)?;
            write_synced(&build_dir.join(INPUTS), &inputs_json).with_context(failed)?;
            manifest.files = file_sizes(&build_dir);
            manifest.index_bytes = manifest.files.values().sum();
            manifest.build_seconds = started.elapsed().as_secs_f64();
            let json = serde_json::to_string_pretty(&manifest).with_context(failed)?;
            write_synced(&build_dir.join(MANIFEST), json.as_bytes()).with_context(failed)?;
            let check = check_generation(&build_dir).with_context(failed)?;
            if !check.damaged.is_empty() {
                bail!(
                    "the new index failed its check ({}): {unchanged}; is the disk failing?",
                    check.damaged.join("; ")
                );
            }
            let _ = fs::remove_file(build_dir.join(BUILD_MARKER));
            share_like_manifest(&build_dir);
            Ok((manifest, report, damage, extra))
        });
    let (manifest, report, damage, extra) = result.inspect_err(|_| {
        let _ = fs::remove_dir_all(&build_dir);
    })?;
    let name = format!("gen-{stamp}");
    let generation = dir.join(&name);
    fs::rename(&build_dir, &generation).with_context(|| {
        format!(
            "cannot move the new index into {} ({unchanged})",
            generation.display()
        )
    })?;
    let previous = current_generation(dir).ok();
    switch_current(dir, &name)?;
    // Keep the generation just replaced (searches in flight may still read it,
    // and `--rollback` returns to it); remove older ones.
    remove_old_generations(dir, &generation, previous.as_deref());
    Ok((
        BuildOutcome {
            manifest,
            report,
            damage,
            generation,
        },
        extra,
    ))
}

/// Aligns the paired documents of the generation being built (reusing the
/// live generation's unchanged pairs) and stores them beside it.
pub(super) fn store_alignments(
    dir: &Path,
    build_dir: &Path,
    manifest: &Manifest,
) -> Result<AlignmentStats> {
    let started = Instant::now();
    let index = Index::open(MmapDirectory::open(build_dir)?)
        .map_err(|e| anyhow!("cannot reopen the new index ({e})"))?;
    register_tokenizers(&index, None);
    let engine = crate::engine::Engine::from_open(OpenIndex {
        index,
        fields: schema().1,
        manifest: manifest.clone(),
        generation: build_dir.to_path_buf(),
    })?;
    let live = current_generation(dir).ok();
    let previous = crate::alignments::previous(live.as_deref());
    let (pairs, computed) = crate::alignments::compute(&engine, &previous)?;
    drop(engine);
    crate::alignments::write(build_dir, &pairs)?;
    Ok(AlignmentStats {
        pairs: computed.pairs as u64,
        segments: computed.segments as u64,
        aligned: computed.aligned as u64,
        reused: computed.reused as u64,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Strict mode's refusal, and an empty build over a populated index.
pub(super) fn refuse_unwanted(
    dir: &Path,
    manifest: &Manifest,
    report: &LoadReport,
    damage: &[FileDamage],
    options: &BuildOptions,
) -> Result<()> {
    if options.strict && (!report.problems.is_empty() || !damage.is_empty()) {
        let mut message = format!(
            "--strict: {} problem(s) in the corpus; the previous index is unchanged:",
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
    if manifest.documents == 0 && !options.allow_empty {
        let live = current_generation(dir)
            .ok()
            .and_then(|g| read_manifest(&g).ok())
            .filter(|m| m.documents > 0);
        if let Some(live) = live {
            bail!(
                "the new build found 0 documents in {}; the previous index is unchanged ({} documents from {}). Name the corpus, e.g. `tifa index ../shared/corpus corpus`, or pass --allow-empty to make an empty index live",
                manifest.sources.join(", "),
                live.documents,
                live.sources.join(", ")
            );
        }
    }
    Ok(())
}

/// What filling a build folder produced.
pub(super) struct Built {
    manifest: Manifest,
    report: LoadReport,
    damage: Vec<FileDamage>,
    inputs: Inputs,
}

/// Per-file record of a build, kept as `inputs.json` in the generation: what
/// `--update` compares and sums instead of reading unchanged files again.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Inputs {
    pub files: Vec<InputFile>,
}

/// One input file: where, its content hash, the ids it contributed (and the
/// ids it repeated, which a full build skips), and its share of the manifest.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct InputFile {
    /// Canonical path.
    pub path: String,
    pub collection: String,
    pub relative: String,
    /// blake3 of the file's bytes and its sheet row.
    pub hash: String,
    pub ids: Vec<String>,
    pub repeated: Vec<String>,
    pub stats: FileStats,
}

/// A file's share of the manifest's figures.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct FileStats {
    pub documents: u64,
    pub undated: u64,
    pub skipped: u64,
    pub warnings: u64,
    pub han_chars: u64,
    pub english_words: u64,
    pub text_bytes: u64,
    pub by_lang: BTreeMap<String, u64>,
    pub by_kind: BTreeMap<String, u64>,
    pub fields: BTreeMap<String, u64>,
    pub first_date: Option<crate::date::DocDate>,
    pub last_date: Option<crate::date::DocDate>,
}

pub(super) const INPUTS: &str = "inputs.json";

/// Content hash of every listed file (its bytes, its sheet row, and the names
/// that shape its documents' ids and collection), in parallel.
/// Each file's content hash, with what else decides its documents: its sheet
/// row, its names, and the size limits it was read under (a file skipped for
/// size under `--max-doc-mb 1` must be read again under the default, as a
/// full build would).
pub(super) fn hash_files(
    listing: &corpus::CorpusFiles,
    limits: corpus::Limits,
) -> Result<Vec<String>> {
    use rayon::prelude::*;
    (0..listing.files.len())
        .into_par_iter()
        .map(|i| {
            let file = &listing.files[i];
            let mut hasher = blake3::Hasher::new();
            let mut f =
                File::open(file).with_context(|| format!("cannot read {}", file.display()))?;
            std::io::copy(&mut f, &mut hasher)
                .with_context(|| format!("cannot read {}", file.display()))?;
            hasher.update(b"\0row\0");
            if let Some(row) = &listing.rows[i] {
                hasher.update(row.fingerprint().as_bytes());
            }
            hasher.update(b"\0names\0");
            hasher.update(listing.collections[i].as_bytes());
            hasher.update(b"\0");
            hasher.update(listing.relative[i].as_bytes());
            hasher.update(b"\0limits\0");
            hasher.update(&(limits.max_line_bytes as u64).to_le_bytes());
            hasher.update(&(limits.max_doc_bytes as u64).to_le_bytes());
            Ok(hasher.finalize().to_hex().to_string())
        })
        .collect()
}

pub(super) fn canonical(path: &Path) -> String {
    fs::canonicalize(path)
        .unwrap_or_else(|_| path.to_path_buf())
        .display()
        .to_string()
}

/// Turns documents into tantivy documents and keeps each file's figures.
pub(super) struct Ingest {
    fields: Fields,
    fast: Vec<Field>,
    title_tokens: Vec<tantivy::tokenizer::Token>,
    pause_after: Option<u64>,
    added: u64,
}

impl Ingest {
    fn new(schema: &Schema) -> Result<Ingest> {
        let fields = schema_fields(schema)?;
        let fast: Vec<Field> = FAST_U64
            .iter()
            .map(|n| schema.get_field(n))
            .collect::<Result<_, _>>()?;
        Ok(Ingest {
            fields,
            fast,
            title_tokens: Vec::new(),
            pause_after: std::env::var(PAUSE_ENV).ok().and_then(|v| v.parse().ok()),
            added: 0,
        })
    }

    fn add(&mut self, writer: &IndexWriter, doc: Document, stats: &mut FileStats) -> Result<()> {
        let fields = self.fields;
        let title = text::nfkc(&doc.title);
        let body = text::nfkc(&doc.text);
        let (h1, w1) = text::count_units(&title);
        let (h2, w2) = text::count_units(&body);
        let title_count = GramTokenizer::tokenize_into(&title, &mut self.title_tokens);
        let title_end = self.title_tokens[..title_count]
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
        // The file a document came from; a record's own `collection` field is
        // kept under another name.
        if let Some(own) = meta.remove("collection") {
            meta.insert("collection_field".into(), own);
        }
        meta.insert("collection".into(), doc.collection.clone());
        meta.insert("lang".into(), doc.lang.clone());
        meta.insert("kind".into(), doc.kind.clone());
        meta.insert("id".into(), doc.id.clone());
        // A field name with '=' would make `k=v` ambiguous (the loader warned).
        for (k, v) in meta.iter().filter(|(k, _)| !k.contains('=')) {
            d.add_text(fields.facets, format!("{k}={v}"));
            *stats.fields.entry(k.clone()).or_default() += 1;
        }
        meta.remove("lang");
        meta.remove("kind");
        meta.remove("id");
        d.add_text(fields.meta, serde_json::to_string(&meta)?);
        let (key, lo, hi) = match doc.date {
            Some(date) => {
                d.add_text(fields.date, date.to_string());
                stats.first_date = Some(stats.first_date.map_or(date, |f| f.min(date)));
                stats.last_date = Some(stats.last_date.map_or(date, |l| l.max(date)));
                (date.key(), date.period_start(), date.period_end())
            }
            None => {
                stats.undated += 1;
                (0, 0, 0)
            }
        };
        for (field, value) in self
            .fast
            .iter()
            .zip([key, lo, hi, h1 + h2, w1 + w2, title_end])
        {
            d.add_u64(*field, value);
        }
        stats.documents += 1;
        stats.han_chars += h1 + h2;
        stats.english_words += w1 + w2;
        stats.text_bytes += (doc.title.len() + doc.text.len()) as u64;
        *stats.by_lang.entry(doc.lang).or_default() += 1;
        *stats.by_kind.entry(doc.kind).or_default() += 1;
        writer.add_document(d)?;
        self.added += 1;
        if self.pause_after == Some(self.added) {
            std::thread::sleep(std::time::Duration::from_secs(3600));
        }
        Ok(())
    }
}

pub(super) fn start_writer(index: &Index, options: &BuildOptions) -> Result<IndexWriter> {
    let jieba = Arc::new(jieba_rs::Jieba::new());
    register_tokenizers(index, Some(jieba));
    let threads = options.threads.max(1);
    let memory = options.writer_memory.max((threads * 20) << 20);
    let writer = index
        .writer_with_num_threads(threads, memory)
        .context("cannot start the index writer")?;
    if !options.merge {
        writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
    }
    Ok(writer)
}

/// Skipped records and warnings counted against the file they are in.
pub(super) fn count_problems(
    report: &LoadReport,
    listing: &corpus::CorpusFiles,
    stats: &mut [FileStats],
) {
    let position: std::collections::HashMap<&Path, usize> = listing
        .files
        .iter()
        .enumerate()
        .map(|(i, f)| (f.as_path(), i))
        .collect();
    for p in &report.problems {
        if let Some(&i) = position.get(p.location.file.as_path()) {
            match p.severity {
                corpus::Severity::Skipped => stats[i].skipped += 1,
                corpus::Severity::Warning => stats[i].warnings += 1,
            }
        }
    }
}

/// See [`Manifest::corpus_hash`].
pub(super) fn corpus_hash(inputs: &Inputs) -> String {
    let mut files: Vec<&InputFile> = inputs.files.iter().collect();
    files.sort_by(|a, b| (&a.collection, &a.relative).cmp(&(&b.collection, &b.relative)));
    let mut hasher = blake3::Hasher::new();
    for f in files {
        for part in [&f.collection, &f.relative, &f.hash] {
            hasher.update(part.as_bytes());
            hasher.update(b"\0");
        }
    }
    hasher.finalize().to_hex().to_string()
}

/// The manifest as the sum of its files' figures, plus the listing's own
/// problems (unreadable files, bad sheet rows).
pub(super) fn manifest_from(
    paths: &[PathBuf],
    inputs: &Inputs,
    listing: &corpus::CorpusFiles,
) -> Manifest {
    let mut m = Manifest {
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
        fields: BTreeMap::new(),
        alignments: AlignmentStats::default(),
        corpus_hash: corpus_hash(inputs),
    };
    let (mut first, mut last) = (None, None);
    for f in &inputs.files {
        let s = &f.stats;
        m.documents += s.documents;
        m.undated += s.undated;
        m.skipped += s.skipped;
        m.warnings += s.warnings;
        m.han_chars += s.han_chars;
        m.english_words += s.english_words;
        m.text_bytes += s.text_bytes;
        for (k, v) in &s.by_lang {
            *m.by_lang.entry(k.clone()).or_default() += v;
        }
        for (k, v) in &s.by_kind {
            *m.by_kind.entry(k.clone()).or_default() += v;
        }
        for (k, v) in &s.fields {
            *m.fields.entry(k.clone()).or_default() += v;
        }
        if let Some(f) = s.first_date {
            first = Some(first.map_or(f, |x: crate::date::DocDate| x.min(f)));
        }
        if let Some(l) = s.last_date {
            last = Some(last.map_or(l, |x: crate::date::DocDate| x.max(l)));
        }
    }
    for p in &listing.problems {
        match p.severity {
            corpus::Severity::Skipped => m.skipped += 1,
            corpus::Severity::Warning => m.warnings += 1,
        }
    }
    m.first_date = first.map(|d| d.to_string());
    m.last_date = last.map(|d| d.to_string());
    m
}

/// What reading files collected, per file of the listing.
pub(super) struct Collected {
    stats: Vec<FileStats>,
    ids: Vec<Vec<String>>,
    repeated: Vec<Vec<String>>,
}

impl Collected {
    /// The record of file `i` (its hash is filled in by the caller).
    fn input_file(&mut self, i: usize, listing: &corpus::CorpusFiles, hash: String) -> InputFile {
        InputFile {
            path: canonical(&listing.files[i]),
            collection: listing.collections[i].clone(),
            relative: listing.relative[i].clone(),
            hash,
            ids: std::mem::take(&mut self.ids[i]),
            repeated: std::mem::take(&mut self.repeated[i]),
            stats: std::mem::take(&mut self.stats[i]),
        }
    }
}

/// Reads the wanted files of `listing` into `writer`; `on_repeat(file, id)`
/// may refuse a repeated id (an update that must read another file again).
#[allow(clippy::too_many_arguments)]
pub(super) fn ingest_files(
    listing: &corpus::CorpusFiles,
    wanted: impl Fn(usize) -> bool,
    seen: &mut std::collections::HashSet<String>,
    writer: &IndexWriter,
    schema: &Schema,
    options: &BuildOptions,
    report: &mut LoadReport,
    on_repeat: impl Fn(usize, &str) -> Result<()>,
    progress: impl FnMut(u64),
) -> Result<(Collected, Vec<FileDamage>)> {
    report.files_ignored.extend(listing.ignored.iter().cloned());
    report.problems.extend(listing.problems.iter().cloned());
    let mut ingest = Ingest::new(schema)?;
    let n = listing.files.len();
    let mut collected = Collected {
        stats: vec![FileStats::default(); n],
        ids: vec![Vec::new(); n],
        repeated: vec![Vec::new(); n],
    };
    let damage = corpus::load_files(
        listing,
        wanted,
        seen,
        options.limits,
        report,
        |i, loaded| match loaded {
            corpus::Loaded::Doc(doc) => {
                collected.ids[i].push(doc.id.clone());
                ingest.add(writer, doc, &mut collected.stats[i])
            }
            corpus::Loaded::Repeated(id) => {
                on_repeat(i, &id)?;
                collected.repeated[i].push(id);
                Ok(())
            }
        },
        progress,
    )?;
    count_problems(report, listing, &mut collected.stats);
    Ok((collected, damage))
}

pub(super) fn build_into(
    build_dir: &Path,
    paths: &[PathBuf],
    options: &BuildOptions,
    progress: impl FnMut(u64),
) -> Result<Built> {
    let (schema, _) = schema();
    let index = Index::create_in_dir(build_dir, schema.clone())
        .with_context(|| format!("cannot create an index in {}", build_dir.display()))?;
    let mut writer = start_writer(&index, options)?;
    let listing = corpus::corpus_files_with(paths, options.follow_links)?;
    let hashes = hash_files(&listing, options.limits)?;
    let mut report = LoadReport::default();
    let mut seen = std::collections::HashSet::new();
    let (mut collected, damage) = ingest_files(
        &listing,
        |_| true,
        &mut seen,
        &writer,
        &schema,
        options,
        &mut report,
        |_, _| Ok(()),
        progress,
    )?;
    writer.commit().context("cannot commit the index")?;
    writer
        .wait_merging_threads()
        .context("cannot finish index merges")?;
    let inputs = Inputs {
        files: hashes
            .into_iter()
            .enumerate()
            .map(|(i, hash)| collected.input_file(i, &listing, hash))
            .collect(),
    };
    let manifest = manifest_from(paths, &inputs, &listing);
    Ok(Built {
        manifest,
        report,
        damage,
        inputs,
    })
}

/// An update must read this unchanged file again (see [`update_into`]).
#[derive(Debug)]
pub(super) struct RereadNeeded(usize);

impl std::fmt::Display for RereadNeeded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "file {} must be read again", self.0)
    }
}

impl std::error::Error for RereadNeeded {}

/// Links (or copies) the live generation's index files into the build folder:
/// tantivy never rewrites a file in place, so the new generation can share them.
pub(super) fn share_files(live: &Path, build_dir: &Path) -> Result<()> {
    for entry in fs::read_dir(live).with_context(|| format!("cannot read {}", live.display()))? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().to_string();
        if !entry.file_type()?.is_file()
            || name == MANIFEST
            || name == INPUTS
            || name.ends_with(".lock")
        {
            continue;
        }
        let target = build_dir.join(&name);
        if name.starts_with('.') || fs::hard_link(entry.path(), &target).is_err() {
            fs::copy(entry.path(), &target).with_context(|| {
                format!("cannot copy {} into the update", entry.path().display())
            })?;
        }
    }
    Ok(())
}

/// Reads only what changed. Documents of changed and removed files are deleted
/// by id; changed and new files are read in corpus order; an unchanged file is
/// read again when the first-record-wins rule for ids would now pick another
/// record (its id moved to an earlier file, or the record it repeated is gone).
/// Segments left with deletions are merged so that collection statistics
/// (document frequencies, lengths) equal a full build's.
pub(super) fn update_into(
    build_dir: &Path,
    live: &Path,
    paths: &[PathBuf],
    options: &BuildOptions,
    progress: &mut dyn FnMut(u64),
) -> Result<(Built, UpdateChanges)> {
    let old: Inputs = match fs::read(live.join(INPUTS)) {
        Ok(bytes) => serde_json::from_slice(&bytes).with_context(|| {
            format!(
                "{} is damaged: run a full `tifa index`",
                live.join(INPUTS).display()
            )
        })?,
        Err(_) => bail!(
            "the live index {} has no record of its input files (it was built before --update existed): run a full `tifa index PATHS` once",
            live.display()
        ),
    };
    let listing = corpus::corpus_files_with(paths, options.follow_links)?;
    let hashes = hash_files(&listing, options.limits)?;
    let n = listing.files.len();
    let paths_now: Vec<String> = listing.files.iter().map(|f| canonical(f)).collect();
    let old_by_path: std::collections::HashMap<&str, &InputFile> =
        old.files.iter().map(|f| (f.path.as_str(), f)).collect();
    let now_paths: std::collections::HashSet<&str> = paths_now.iter().map(String::as_str).collect();
    let mut changes = UpdateChanges::default();
    // reread[i]: file i is read; previous[i]: its old record, if any.
    let mut reread = vec![false; n];
    let previous: Vec<Option<&InputFile>> = paths_now
        .iter()
        .map(|p| old_by_path.get(p.as_str()).copied())
        .collect();
    for i in 0..n {
        match previous[i] {
            Some(f) if f.hash == hashes[i] => {}
            Some(_) => {
                reread[i] = true;
                changes.replaced.push(listing.relative[i].clone());
            }
            None => {
                reread[i] = true;
                changes.added.push(listing.relative[i].clone());
            }
        }
    }
    let removed: Vec<&InputFile> = old
        .files
        .iter()
        .filter(|f| !now_paths.contains(f.path.as_str()))
        .collect();
    changes.removed = removed.iter().map(|f| f.relative.clone()).collect();
    let originally: Vec<bool> = reread.clone();
    loop {
        settle_repeats(&mut reread, &previous, &removed);
        match update_attempt(
            build_dir, live, &listing, &reread, &previous, &removed, options, progress,
        ) {
            Ok((mut inputs, report, damage, removed_docs)) => {
                for i in 0..n {
                    if reread[i] && !originally[i] {
                        changes.reread.push(listing.relative[i].clone());
                    }
                }
                changes.unchanged = n - changes.added.len() - changes.replaced.len();
                changes.documents_removed = removed_docs;
                changes.documents_added = report.documents as u64;
                for (f, hash) in inputs.files.iter_mut().zip(&hashes) {
                    f.hash = hash.clone();
                }
                let built = Built {
                    manifest: manifest_from(paths, &inputs, &listing),
                    report,
                    damage,
                    inputs,
                };
                return Ok((built, changes));
            }
            Err(e) => match e.downcast_ref::<RereadNeeded>() {
                Some(RereadNeeded(i)) => {
                    reread[*i] = true;
                    // Start again from the live generation's files.
                    fs::remove_dir_all(build_dir).ok();
                    fs::create_dir_all(build_dir)?;
                    fs::write(build_dir.join(BUILD_MARKER), b"tifa build in progress\n")?;
                }
                None => return Err(e),
            },
        }
    }
}

/// Marks for reading every unchanged file that repeated an id whose kept
/// record goes away (its file changed or was removed), until nothing moves.
pub(super) fn settle_repeats(
    reread: &mut [bool],
    previous: &[Option<&InputFile>],
    removed: &[&InputFile],
) {
    loop {
        let mut gone: std::collections::HashSet<&str> = removed
            .iter()
            .flat_map(|f| f.ids.iter().map(String::as_str))
            .collect();
        for (i, p) in previous.iter().enumerate() {
            if let (true, Some(p)) = (reread[i], p) {
                gone.extend(p.ids.iter().map(String::as_str));
            }
        }
        let mut moved = false;
        for (i, p) in previous.iter().enumerate() {
            if let (false, Some(p)) = (reread[i], p)
                && p.repeated.iter().any(|id| gone.contains(id.as_str()))
            {
                reread[i] = true;
                moved = true;
            }
        }
        if !moved {
            return;
        }
    }
}

#[allow(clippy::too_many_arguments)]
pub(super) fn update_attempt(
    build_dir: &Path,
    live: &Path,
    listing: &corpus::CorpusFiles,
    reread: &[bool],
    previous: &[Option<&InputFile>],
    removed: &[&InputFile],
    options: &BuildOptions,
    progress: &mut dyn FnMut(u64),
) -> Result<(Inputs, LoadReport, Vec<FileDamage>, u64)> {
    share_files(live, build_dir)?;
    let index = Index::open_in_dir(build_dir)
        .with_context(|| format!("cannot open the index copy in {}", build_dir.display()))?;
    let schema = index.schema();
    let mut writer = start_writer(&index, options)?;
    let fields = schema_fields(&schema)?;
    let n = listing.files.len();
    // Ids kept by files not read again, with the file that holds them.
    let mut kept_at: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for i in 0..n {
        if let (false, Some(p)) = (reread[i], previous[i]) {
            for id in &p.ids {
                kept_at.insert(id.as_str(), i);
            }
        }
    }
    let mut removed_docs = 0u64;
    let dropped = removed
        .iter()
        .copied()
        .chain((0..n).filter(|&i| reread[i]).filter_map(|i| previous[i]));
    for f in dropped {
        for id in &f.ids {
            writer.delete_term(tantivy::Term::from_field_text(fields.id, id));
            removed_docs += 1;
        }
    }
    let mut seen: std::collections::HashSet<String> =
        kept_at.keys().map(|s| s.to_string()).collect();
    let mut report = LoadReport::default();
    let (mut collected, damage) = ingest_files(
        listing,
        |i| reread[i],
        &mut seen,
        &writer,
        &schema,
        options,
        &mut report,
        |i, id| {
            // A later unchanged file holds this id: in a full build this
            // record would win, so that file must be read again.
            match kept_at.get(id) {
                Some(&holder) if holder > i => Err(RereadNeeded(holder).into()),
                _ => Ok(()),
            }
        },
        progress,
    )?;
    writer.commit().context("cannot commit the index")?;
    let with_deletes: Vec<tantivy::index::SegmentId> = index
        .searchable_segment_metas()?
        .iter()
        .filter(|m| m.has_deletes())
        .map(|m| m.id())
        .collect();
    if !with_deletes.is_empty() {
        writer
            .merge(&with_deletes)
            .wait()
            .context("cannot merge the segments that lost documents")?;
    }
    writer
        .wait_merging_threads()
        .context("cannot finish index merges")?;
    let files = (0..n)
        .map(|i| match (reread[i], previous[i]) {
            (false, Some(p)) => p.clone(),
            _ => collected.input_file(i, listing, String::new()),
        })
        .collect();
    // Re-read files get their hash from the caller.
    Ok((Inputs { files }, report, damage, removed_docs))
}
