//! What a build read, per file (`inputs.json` in the generation): content
//! hashes, ids, each file's share of the manifest, and the manifest and
//! corpus hash as their sum — what `--update` compares instead of reading
//! unchanged files again.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::corpus::{self};

use super::*;

/// Per-file record of a build, kept as `inputs.json` in the generation: what
/// `--update` compares and sums instead of reading unchanged files again.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Inputs {
    /// One record per file read.
    pub files: Vec<InputFile>,
}

/// One input file: where, its content hash, the ids it contributed (and the
/// ids it repeated, which a full build skips), and its share of the manifest.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct InputFile {
    /// Canonical path.
    pub path: String,
    /// The collection its documents belong to.
    pub collection: String,
    /// Its path relative to the corpus folder given.
    pub relative: String,
    /// blake3 of the file's bytes and its sheet row.
    pub hash: String,
    /// The ids it contributed.
    pub ids: Vec<String>,
    /// The ids it repeated (a full build skips them).
    pub repeated: Vec<String>,
    /// Its share of the manifest's figures.
    pub stats: FileStats,
}

/// A file's share of the manifest's figures.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct FileStats {
    /// Documents indexed.
    pub documents: u64,
    /// Of which undated.
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
    /// Documents per language.
    pub by_lang: BTreeMap<String, u64>,
    /// Documents per kind.
    pub by_kind: BTreeMap<String, u64>,
    /// Documents per metadata field.
    pub fields: BTreeMap<String, u64>,
    /// Its earliest date.
    pub first_date: Option<crate::date::DocDate>,
    /// Its latest date.
    pub last_date: Option<crate::date::DocDate>,
}

pub(super) const INPUTS: &str = "inputs.json";

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
