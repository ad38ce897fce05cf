//! Builds and updates: the corpus read into a new generation beside the
//! live one (per-file records in `inputs.json` for `--update`), its pairs
//! aligned, then switched in with one rename.

use std::fs::{self};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, anyhow, bail};
use tantivy::directory::MmapDirectory;
use tantivy::schema::{Field, Schema};
use tantivy::{Index, IndexWriter, TantivyDocument};

use crate::corpus::{self, Document, FileDamage, LoadReport};
use crate::text::{self, GramTokenizer};

use super::*;

/// Options of a build.
pub struct BuildOptions {
    /// Any bad record fails the build.
    pub strict: bool,
    /// Wait for another build's lock instead of failing.
    pub wait: bool,
    /// Make a build with no documents live even over an index that has some.
    pub allow_empty: bool,
    /// Memory budget of the tantivy writer, in bytes.
    pub writer_memory: usize,
    /// Merge the writer's segments while indexing (tantivy's log merge policy).
    /// Off: every flush stays a segment (a build linear in the corpus, more
    /// segments for queries to visit); for measurements.
    pub merge: bool,
    /// Indexing threads.
    pub threads: usize,
    /// Size limits of files and documents.
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
    /// The new generation's manifest.
    pub manifest: Manifest,
    /// What reading the corpus found.
    pub report: LoadReport,
    /// Damaged files (cut gzip, bad encoding), named with what was kept.
    pub damage: Vec<FileDamage>,
    /// The new generation's folder.
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
    /// Files new to the index.
    pub added: Vec<String>,
    /// Files whose content changed.
    pub replaced: Vec<String>,
    /// Files no longer listed.
    pub removed: Vec<String>,
    /// Files read before and unchanged.
    pub unchanged: usize,
    /// Unchanged files read again because an id they hold or repeat moved.
    pub reread: Vec<String>,
    /// Documents added (of new and changed files).
    pub documents_added: u64,
    /// Documents removed (of changed and removed files).
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
    pub(super) manifest: Manifest,
    pub(super) report: LoadReport,
    pub(super) damage: Vec<FileDamage>,
    pub(super) inputs: Inputs,
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

/// What reading files collected, per file of the listing.
pub(super) struct Collected {
    stats: Vec<FileStats>,
    ids: Vec<Vec<String>>,
    repeated: Vec<Vec<String>>,
}

impl Collected {
    /// The record of file `i` (its hash is filled in by the caller).
    pub(super) fn input_file(
        &mut self,
        i: usize,
        listing: &corpus::CorpusFiles,
        hash: String,
    ) -> InputFile {
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
