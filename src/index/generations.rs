//! The index folder: generations and `CURRENT`, opening a generation
//! read-only, the build lock, checks of size and checksum, rollback, and the
//! clean-up of what a killed build left.

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result, anyhow, bail};
use serde::Serialize;
use tantivy::Index;
use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    Directory, DirectoryLock, Lock, MmapDirectory, WatchCallback, WatchHandle, WritePtr,
};

use super::*;

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

pub(super) const MAX_CURRENT_BYTES: u64 = 64;

/// Written into a build folder first, so that only tifa's own builds are removed.
pub(super) const BUILD_MARKER: &str = ".tifa-build";

pub(super) fn file_kind(m: &fs::Metadata) -> &'static str {
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

pub(super) fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// `gen-<digits>`.
pub(super) fn is_generation_name(name: &str) -> bool {
    name.strip_prefix("gen-").is_some_and(all_digits)
}

/// `.build-<digits>-<digits>`.
pub(super) fn is_build_name(name: &str) -> bool {
    name.strip_prefix(".build-")
        .and_then(|rest| rest.split_once('-'))
        .is_some_and(|(a, b)| all_digits(a) && all_digits(b))
}

/// A generation folder tifa wrote: the exact name and a manifest it can parse.
pub(super) fn is_tifa_generation(path: &Path) -> bool {
    let name = path.file_name().map(|n| n.to_string_lossy().to_string());
    name.as_deref().is_some_and(is_generation_name)
        && fs::symlink_metadata(path).is_ok_and(|m| m.is_dir())
        && fs::read_to_string(path.join(MANIFEST))
            .ok()
            .and_then(|raw| serde_json::from_str::<serde_json::Value>(&raw).ok())
            .is_some_and(|v| v.get("tool_version").is_some() && v.get("format_version").is_some())
}

/// A build folder tifa created (name and marker).
pub(super) fn is_tifa_build(path: &Path) -> bool {
    let name = path.file_name().map(|n| n.to_string_lossy().to_string());
    name.as_deref().is_some_and(is_build_name)
        && fs::symlink_metadata(path).is_ok_and(|m| m.is_dir())
        && fs::symlink_metadata(path.join(BUILD_MARKER)).is_ok_and(|m| m.is_file())
}

/// Entries a fresh folder may hold and still count as empty (version control keepers).
pub(super) const HARMLESS: [&str; 2] = [".gitignore", ".gitkeep"];

/// Refuses a folder that holds other things and no tifa index.
pub(super) fn check_index_folder(dir: &Path) -> Result<()> {
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
    /// The tantivy index.
    pub index: Index,
    /// The schema's fields.
    pub fields: Fields,
    /// The build's manifest.
    pub manifest: Manifest,
    /// The generation's folder.
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
pub(super) struct ReadOnlyDirectory(MmapDirectory);

impl ReadOnlyDirectory {
    fn open(path: &Path) -> Result<ReadOnlyDirectory> {
        MmapDirectory::open(path)
            .map(ReadOnlyDirectory)
            .map_err(|e| anyhow!("cannot open the index in {}: {e}", path.display()))
    }
}

pub(super) fn read_only_error() -> std::io::Error {
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
    /// The generation checked.
    pub generation: PathBuf,
    /// Its documents.
    pub documents: u64,
    /// Index files checked.
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

/// Points `CURRENT` at generation `name` with an atomic rename.
pub(super) fn switch_current(dir: &Path, name: &str) -> Result<()> {
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
    /// The generation that was live, with its documents, if any.
    pub from: Option<(PathBuf, u64)>,
    /// The generation made live.
    pub to: PathBuf,
    /// Its documents.
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

/// tantivy writes `meta.json` and `.managed.json` readable by their owner
/// only; give every file of the generation the manifest's permissions (which
/// follow the umask) so that an index on a team share is readable by the team.
pub(super) fn share_like_manifest(generation: &Path) {
    let Ok(mode) = fs::metadata(generation.join(MANIFEST)).map(|m| m.permissions()) else {
        return;
    };
    for entry in fs::read_dir(generation).into_iter().flatten().flatten() {
        if entry.file_type().is_ok_and(|t| t.is_file()) {
            let _ = fs::set_permissions(entry.path(), mode.clone());
        }
    }
}

pub(super) fn file_sizes(dir: &Path) -> BTreeMap<String, u64> {
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
pub(super) fn check_files(generation: &Path, manifest: &Manifest) -> Result<()> {
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
pub(super) fn remove_stale_builds(dir: &Path) {
    for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
        if is_tifa_build(&entry.path()) {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

/// Removes tifa's generations other than `keep` and `previous`.
pub(super) fn remove_old_generations(dir: &Path, keep: &Path, previous: Option<&Path>) {
    for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path != keep && Some(path.as_path()) != previous && is_tifa_generation(&path) {
            let _ = fs::remove_dir_all(path);
        }
    }
}
