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

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, anyhow, bail};
use serde::{Deserialize, Serialize};
use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    Directory, DirectoryLock, Lock, MmapDirectory, WatchCallback, WatchHandle, WritePtr,
};
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
pub const ANALYSIS: &str = "nfkc; grams=cjk-bigrams-at-char-positions+lowercase-words(gap-on-non-space); words=jieba-rs-0.11-default-dict-cut-nohmm(runs-cut-at-4096-chars)+lowercase-words";
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
    /// Metadata fields usable with `--where`/`--group-by`, with the number of
    /// documents that have each.
    #[serde(default)]
    pub fields: BTreeMap<String, u64>,
}

/// Registers the tokenizers the schema names (tantivy stores only their names).
pub fn register_tokenizers(index: &Index, jieba: Option<Arc<jieba_rs::Jieba>>) {
    index.tokenizers().register(GRAM_TOKENIZER, GramTokenizer);
    let jieba = jieba.unwrap_or_else(|| Arc::new(jieba_rs::Jieba::empty()));
    index
        .tokenizers()
        .register(WORD_TOKENIZER, WordTokenizer::new(jieba));
}

/// The live generation of an index folder.
pub fn current_generation(dir: &Path) -> Result<PathBuf> {
    let pointer = dir.join(CURRENT);
    // Never open a FIFO, device or huge file named CURRENT: reading it could hang.
    match fs::symlink_metadata(&pointer) {
        Ok(m) if !m.file_type().is_file() || m.len() > MAX_CURRENT_BYTES => bail!(
            "{} is not an index pointer written by tifa (a {} of {} bytes); is --index {} really a tifa index folder?",
            pointer.display(),
            file_kind(&m),
            m.len(),
            dir.display()
        ),
        _ => {}
    }
    let name = match fs::read_to_string(&pointer) {
        Ok(n) => n,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => bail!(
            "no index in {}: build one with `tifa index` (e.g. `tifa index ../shared/corpus`)",
            dir.display()
        ),
        Err(e) => bail!("cannot read {}: {e}", pointer.display()),
    };
    let name = name.trim();
    if !is_generation_name(name) {
        bail!(
            "{} does not name a tifa generation (gen-<digits>): rebuild with `tifa index`",
            pointer.display()
        );
    }
    Ok(dir.join(name))
}

const MAX_CURRENT_BYTES: u64 = 64;
/// Written into a build folder first, so that only tifa's own builds are removed.
const BUILD_MARKER: &str = ".tifa-build";

fn file_kind(m: &fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = m.file_type();
    if t.is_dir() {
        "folder"
    } else if t.is_symlink() {
        "symbolic link"
    } else if t.is_fifo() {
        "FIFO"
    } else if t.is_socket() {
        "socket"
    } else if t.is_block_device() || t.is_char_device() {
        "device"
    } else {
        "file"
    }
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// `gen-<digits>`.
fn is_generation_name(name: &str) -> bool {
    name.strip_prefix("gen-").is_some_and(all_digits)
}

/// `.build-<digits>-<digits>`.
fn is_build_name(name: &str) -> bool {
    name.strip_prefix(".build-")
        .and_then(|rest| rest.split_once('-'))
        .is_some_and(|(a, b)| all_digits(a) && all_digits(b))
}

/// A generation folder tifa wrote: the exact name and a manifest it can parse.
fn is_tifa_generation(path: &Path) -> bool {
    let name = path.file_name().map(|n| n.to_string_lossy().to_string());
    name.as_deref().is_some_and(is_generation_name)
        && fs::symlink_metadata(path).is_ok_and(|m| m.is_dir())
        && fs::read_to_string(path.join(MANIFEST))
            .ok()
            .and_then(|raw| serde_json::from_str::<serde_json::Value>(&raw).ok())
            .is_some_and(|v| v.get("tool_version").is_some() && v.get("format_version").is_some())
}

/// A build folder tifa created (name and marker).
fn is_tifa_build(path: &Path) -> bool {
    let name = path.file_name().map(|n| n.to_string_lossy().to_string());
    name.as_deref().is_some_and(is_build_name)
        && fs::symlink_metadata(path).is_ok_and(|m| m.is_dir())
        && fs::symlink_metadata(path.join(BUILD_MARKER)).is_ok_and(|m| m.is_file())
}

/// Entries a fresh folder may hold and still count as empty (version control keepers).
const HARMLESS: [&str; 2] = [".gitignore", ".gitkeep"];

/// Refuses a folder that holds other things and no tifa index.
fn check_index_folder(dir: &Path) -> Result<()> {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => {
            return Err(e).with_context(|| format!("cannot read index folder {}", dir.display()));
        }
    };
    let mut foreign = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if HARMLESS.contains(&name.as_str()) || name == LOCK {
            continue;
        }
        let path = entry.path();
        if is_tifa_generation(&path) || is_tifa_build(&path) {
            return Ok(());
        }
        foreign.push(name);
    }
    if foreign.is_empty() {
        return Ok(());
    }
    foreign.sort();
    let shown: Vec<&str> = foreign.iter().take(5).map(String::as_str).collect();
    bail!(
        "{} is not empty and holds no tifa index ({}{}); tifa builds only into an empty or new folder, or over its own index: choose another --index folder",
        dir.display(),
        shown.join(", "),
        if foreign.len() > 5 { ", …" } else { "" }
    )
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

/// Opens the live generation. If it vanished while being opened (a build
/// switched `CURRENT` and removed it), `CURRENT` is read once more.
pub fn open(dir: &Path) -> Result<OpenIndex> {
    let generation = current_generation(dir)?;
    match open_generation(&generation) {
        Err(e) if !generation.exists() => {
            let again = current_generation(dir)?;
            if again == generation {
                return Err(e);
            }
            open_generation(&again)
        }
        result => result,
    }
}

/// Opens one generation read-only (no lock files: generations never change,
/// so an index on a read-only share or owned by someone else is searchable).
pub fn open_generation(generation: &Path) -> Result<OpenIndex> {
    let manifest = read_manifest(generation)?;
    check_files(generation, &manifest)?;
    let directory = ReadOnlyDirectory::open(generation)?;
    let index = Index::open(directory).map_err(|e| {
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
        generation: generation.to_path_buf(),
    })
}

/// tantivy's memory-mapped directory with every write refused and locks
/// skipped: the reader's meta lock would need a writable folder.
#[derive(Clone, Debug)]
struct ReadOnlyDirectory(MmapDirectory);

impl ReadOnlyDirectory {
    fn open(path: &Path) -> Result<ReadOnlyDirectory> {
        MmapDirectory::open(path)
            .map(ReadOnlyDirectory)
            .map_err(|e| anyhow!("cannot open the index in {}: {e}", path.display()))
    }
}

fn read_only_error() -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::PermissionDenied,
        "tifa opens index generations read-only",
    )
}

impl Directory for ReadOnlyDirectory {
    fn get_file_handle(
        &self,
        path: &Path,
    ) -> Result<Arc<dyn tantivy::directory::FileHandle>, OpenReadError> {
        self.0.get_file_handle(path)
    }
    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        Err(DeleteError::IoError {
            io_error: Arc::new(read_only_error()),
            filepath: path.to_path_buf(),
        })
    }
    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.0.exists(path)
    }
    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        Err(OpenWriteError::IoError {
            io_error: Arc::new(read_only_error()),
            filepath: path.to_path_buf(),
        })
    }
    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.0.atomic_read(path)
    }
    fn atomic_write(&self, _path: &Path, _data: &[u8]) -> std::io::Result<()> {
        Err(read_only_error())
    }
    fn sync_directory(&self) -> std::io::Result<()> {
        Ok(())
    }
    fn acquire_lock(&self, _lock: &Lock) -> Result<DirectoryLock, LockError> {
        Ok(DirectoryLock::from(Box::new(())))
    }
    fn watch(&self, _callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        Ok(WatchHandle::empty())
    }
}

/// What `tifa check` found.
#[derive(Debug, Serialize)]
pub struct CheckReport {
    pub generation: PathBuf,
    pub documents: u64,
    pub files_checked: usize,
    /// Files whose checksum, size or presence is wrong; empty when all is well.
    pub damaged: Vec<String>,
}

/// Verifies a generation: the manifest, every file's size, tantivy's checksum
/// of every segment file, and the document count.
pub fn check_generation(generation: &Path) -> Result<CheckReport> {
    let manifest = read_manifest(generation)?;
    let mut damaged = Vec::new();
    for (name, size) in &manifest.files {
        match fs::metadata(generation.join(name)) {
            Ok(m) if m.len() == *size => {}
            Ok(m) => damaged.push(format!("{name}: {} bytes, {size} expected", m.len())),
            Err(_) => damaged.push(format!("{name}: missing")),
        }
    }
    if damaged.is_empty() {
        let directory = ReadOnlyDirectory::open(generation)?;
        let index = Index::open(directory).map_err(|e| {
            anyhow!(
                "the index in {} cannot be opened ({e})",
                generation.display()
            )
        })?;
        let mut bad: Vec<String> = index
            .validate_checksum()
            .map_err(|e| anyhow!("cannot verify {}: {e}", generation.display()))?
            .into_iter()
            .map(|p| format!("{}: checksum mismatch", p.display()))
            .collect();
        bad.sort();
        damaged.extend(bad);
        if damaged.is_empty() {
            register_tokenizers(&index, None);
            let reader: tantivy::IndexReader = index
                .reader_builder()
                .reload_policy(tantivy::ReloadPolicy::Manual)
                .try_into()
                .map_err(|e| anyhow!("cannot read {}: {e}", generation.display()))?;
            let docs = reader.searcher().num_docs();
            if docs != manifest.documents {
                damaged.push(format!(
                    "{MANIFEST}: records {} documents, the index holds {docs}",
                    manifest.documents
                ));
            }
        }
    }
    Ok(CheckReport {
        generation: generation.to_path_buf(),
        documents: manifest.documents,
        files_checked: manifest.files.len(),
        damaged,
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
    /// Make a build with no documents live even over an index that has some.
    pub allow_empty: bool,
    /// Memory budget of the tantivy writer, in bytes.
    pub writer_memory: usize,
    pub threads: usize,
    pub limits: corpus::Limits,
}

impl Default for BuildOptions {
    fn default() -> Self {
        BuildOptions {
            strict: false,
            wait: false,
            allow_empty: false,
            writer_memory: 300 << 20,
            threads: std::thread::available_parallelism().map_or(2, |n| n.get().min(8)),
            limits: corpus::Limits::default(),
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
/// error (or a refusal in strict mode, or an empty build over a populated
/// index) the previous generation stays live.
pub fn build(
    dir: &Path,
    paths: &[PathBuf],
    options: &BuildOptions,
    progress: impl FnMut(u64),
) -> Result<BuildOutcome> {
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
    let result = build_into(&build_dir, paths, options, progress)
        .with_context(failed)
        .and_then(|(mut manifest, report, damage)| {
            refuse_unwanted(dir, &manifest, &report, &damage, options)?;
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
            Ok((manifest, report, damage))
        });
    let (manifest, report, damage) = result.inspect_err(|_| {
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
    Ok(BuildOutcome {
        manifest,
        report,
        damage,
        generation,
    })
}

/// Strict mode's refusal, and an empty build over a populated index.
fn refuse_unwanted(
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

/// Points `CURRENT` at generation `name` with an atomic rename.
fn switch_current(dir: &Path, name: &str) -> Result<()> {
    let tmp = dir.join(format!("{CURRENT}.tmp"));
    write_synced(&tmp, name.as_bytes())?;
    fs::rename(&tmp, dir.join(CURRENT))
        .with_context(|| format!("cannot switch {} to {name}", dir.display()))?;
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// The outcome of `tifa index --rollback`.
pub struct Rollback {
    pub from: Option<(PathBuf, u64)>,
    pub to: PathBuf,
    pub documents: u64,
}

/// Makes the previous generation live again (the newest other generation
/// that passes the open-time checks).
pub fn rollback(dir: &Path, wait: bool) -> Result<Rollback> {
    let current = current_generation(dir)?;
    let _lock = lock(dir, wait)?;
    let mut others: Vec<(u128, PathBuf)> = fs::read_dir(dir)
        .with_context(|| format!("cannot read index folder {}", dir.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| *p != current && is_tifa_generation(p))
        .filter_map(|p| {
            let stamp = p.file_name()?.to_string_lossy()[4..].parse().ok()?;
            Some((stamp, p))
        })
        .collect();
    others.sort();
    let mut reasons = Vec::new();
    while let Some((_, candidate)) = others.pop() {
        match read_manifest(&candidate).and_then(|m| check_files(&candidate, &m).map(|()| m)) {
            Ok(m) => {
                let name = candidate
                    .file_name()
                    .map(|n| n.to_string_lossy().to_string())
                    .unwrap_or_default();
                let from = read_manifest(&current)
                    .ok()
                    .map(|c| (current.clone(), c.documents));
                switch_current(dir, &name)?;
                return Ok(Rollback {
                    from,
                    to: candidate,
                    documents: m.documents,
                });
            }
            Err(e) => reasons.push(format!("{}: {e}", candidate.display())),
        }
    }
    bail!(
        "no previous generation to roll back to in {}{}",
        dir.display(),
        if reasons.is_empty() {
            String::new()
        } else {
            format!(" (unusable: {})", reasons.join("; "))
        }
    )
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
        fields: BTreeMap::new(),
    };
    let pause_after: Option<u64> = std::env::var(PAUSE_ENV).ok().and_then(|v| v.parse().ok());
    let mut first: Option<crate::date::DocDate> = None;
    let mut last: Option<crate::date::DocDate> = None;
    let mut report = LoadReport::default();
    let mut title_tokens = Vec::new();
    let damage = corpus::load(
        paths,
        options.limits,
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
                *manifest.fields.entry(k.clone()).or_default() += 1;
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

/// tantivy writes `meta.json` and `.managed.json` readable by their owner
/// only; give every file of the generation the manifest's permissions (which
/// follow the umask) so that an index on a team share is readable by the team.
fn share_like_manifest(generation: &Path) {
    let Ok(mode) = fs::metadata(generation.join(MANIFEST)).map(|m| m.permissions()) else {
        return;
    };
    for entry in fs::read_dir(generation).into_iter().flatten().flatten() {
        if entry.file_type().is_ok_and(|t| t.is_file()) {
            let _ = fs::set_permissions(entry.path(), mode.clone());
        }
    }
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

/// Builds left behind by a killed process (we hold the lock, so none is
/// running); only folders with tifa's build name and marker.
fn remove_stale_builds(dir: &Path) {
    for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
        if is_tifa_build(&entry.path()) {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

/// Removes tifa's generations other than `keep` and `previous`.
fn remove_old_generations(dir: &Path, keep: &Path, previous: Option<&Path>) {
    for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path != keep && Some(path.as_path()) != previous && is_tifa_generation(&path) {
            let _ = fs::remove_dir_all(path);
        }
    }
}
