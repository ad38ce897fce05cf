//! The aligned segments of every paired document, computed once when an
//! index generation is built ([`compute`], called by `tifa index` and
//! `--update`) and stored beside it, so that `renderings` reads them instead
//! of aligning every pair on each call, and `pair` reads one pair's line.
//!
//! Files of a generation:
//! * `alignments.jsonl`: one [`StoredPair`] per line;
//! * `alignments-index.json`: each document id of a pair (both sides) → the
//!   byte offset and length of its line.
//!
//! An update re-aligns only the pairs whose texts changed: each line keeps a
//! hash of both texts, and an unchanged hash reuses the previous line.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use anyhow::{Context, Result};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::align::{self, Segment};
use crate::engine::{Engine, StoredDoc};

/// File of a generation holding the alignments, one pair per line.
pub const LINES: &str = "alignments.jsonl";
/// File of a generation locating each pair in `LINES`.
pub const INDEX: &str = "alignments-index.json";

/// One aligned pair of documents.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct StoredPair {
    /// The Chinese document.
    pub id: String,
    /// Its English pair.
    pub pair: String,
    /// The Chinese document's date (empty when undated).
    pub date: String,
    /// blake3 of both titles and texts: an update reuses an unchanged pair.
    pub hash: String,
    /// The aligned segments.
    pub segments: Vec<Segment>,
}

/// What [`compute`] did, for the build report.
#[derive(Clone, Debug, Default)]
pub struct Computed {
    /// Pairs found in the corpus.
    pub pairs: usize,
    /// Pairs aligned by this build.
    pub aligned: usize,
    /// Pairs reused unchanged from the previous generation.
    pub reused: usize,
    /// Segments of all pairs.
    pub segments: usize,
}

/// The pairs of an index: every document with a `pair` field whose pair is
/// in the index, Chinese side first; each pair once.
fn pair_ids(engine: &Engine) -> Result<BTreeSet<(String, String)>> {
    let pairs = engine.field_values("pair")?;
    let langs = engine.field_values("lang")?;
    let mut out = BTreeSet::new();
    for address in engine.all_addresses() {
        let Some(other) = pairs.get(address) else {
            continue;
        };
        if engine.address_of(other)?.is_none() {
            continue;
        }
        let id = engine.stored_id(address)?;
        // As `tifa pair` reads it: the given document is the English side
        // when its lang is en, the Chinese side otherwise.
        if langs.get(address) == Some("en") {
            out.insert((other.to_string(), id));
        } else {
            out.insert((id, other.to_string()));
        }
    }
    Ok(out)
}

fn texts(d: &StoredDoc) -> String {
    format!("{}\n{}", d.title, d.text)
}

fn pair_hash(zh: &StoredDoc, en: &StoredDoc) -> String {
    let mut h = blake3::Hasher::new();
    h.update(texts(zh).as_bytes());
    h.update(b"\0");
    h.update(texts(en).as_bytes());
    h.finalize().to_hex().to_string()
}

/// Aligns every pair of `engine`'s index, reusing `previous` lines whose
/// texts are unchanged.
pub fn compute(
    engine: &Engine,
    previous: &HashMap<String, StoredPair>,
) -> Result<(Vec<StoredPair>, Computed)> {
    let ids: Vec<(String, String)> = pair_ids(engine)?.into_iter().collect();
    let made: Vec<(StoredPair, bool)> = ids
        .par_iter()
        .map(|(zh_id, en_id)| -> Result<Option<(StoredPair, bool)>> {
            let (Some(za), Some(ea)) = (engine.address_of(zh_id)?, engine.address_of(en_id)?)
            else {
                return Ok(None);
            };
            let (zh, en) = (engine.stored(za)?, engine.stored(ea)?);
            let hash = pair_hash(&zh, &en);
            if let Some(p) = previous.get(zh_id)
                && p.pair == *en_id
                && p.hash == hash
            {
                let mut p = p.clone();
                p.date = zh.date.clone().unwrap_or_default();
                return Ok(Some((p, true)));
            }
            Ok(Some((
                StoredPair {
                    id: zh_id.clone(),
                    pair: en_id.clone(),
                    date: zh.date.clone().unwrap_or_default(),
                    hash,
                    segments: align::segments(&texts(&zh), &texts(&en)),
                },
                false,
            )))
        })
        .filter_map(Result::transpose)
        .collect::<Result<_>>()?;
    let reused = made.iter().filter(|(_, r)| *r).count();
    let pairs: Vec<StoredPair> = made.into_iter().map(|(p, _)| p).collect();
    let computed = Computed {
        pairs: pairs.len(),
        aligned: pairs.len() - reused,
        reused,
        segments: pairs.iter().map(|p| p.segments.len()).sum(),
    };
    Ok((pairs, computed))
}

/// Writes the two files into `dir` (a generation being built).
pub fn write(dir: &Path, pairs: &[StoredPair]) -> Result<()> {
    let mut lines = Vec::new();
    let mut index: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for p in pairs {
        let start = lines.len() as u64;
        serde_json::to_writer(&mut lines, p)?;
        let len = lines.len() as u64 - start;
        lines.push(b'\n');
        index.insert(p.id.clone(), (start, len));
        index.insert(p.pair.clone(), (start, len));
    }
    crate::index::write_synced(&dir.join(LINES), &lines)?;
    crate::index::write_synced(&dir.join(INDEX), &serde_json::to_vec(&index)?)?;
    Ok(())
}

/// Every stored pair of a generation, or `None` when it has none stored (an
/// index built by an older tifa).
pub fn read_all(generation: &Path) -> Result<Option<Vec<StoredPair>>> {
    let path = generation.join(LINES);
    let raw = match fs::read(&path) {
        Ok(raw) => raw,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    raw.split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .enumerate()
        .map(|(i, line)| {
            serde_json::from_slice(line).with_context(|| {
                format!(
                    "{} line {} is damaged: rebuild with `tifa index`",
                    path.display(),
                    i + 1
                )
            })
        })
        .collect::<Result<Vec<_>>>()
        .map(Some)
}

/// The previous generation's pairs by Chinese id (for reuse by a build).
pub fn previous(generation: Option<&Path>) -> HashMap<String, StoredPair> {
    generation
        .and_then(|g| read_all(g).ok().flatten())
        .unwrap_or_default()
        .into_iter()
        .map(|p| (p.id.clone(), p))
        .collect()
}

/// The lookup table of a generation (id → line), `None` when absent.
pub fn read_index(generation: &Path) -> Result<Option<HashMap<String, (u64, u64)>>> {
    let path = generation.join(INDEX);
    match fs::read(&path) {
        Ok(raw) => serde_json::from_slice(&raw)
            .map(Some)
            .with_context(|| format!("{} is damaged: rebuild with `tifa index`", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}

/// One stored pair, read from its line.
pub fn read_one(generation: &Path, offset: u64, len: u64) -> Result<StoredPair> {
    let path = generation.join(LINES);
    let mut f = fs::File::open(&path).with_context(|| format!("cannot read {}", path.display()))?;
    f.seek(SeekFrom::Start(offset))?;
    let mut buf = vec![0; len as usize];
    f.read_exact(&mut buf)
        .with_context(|| format!("{} is truncated: rebuild with `tifa index`", path.display()))?;
    serde_json::from_slice(&buf)
        .with_context(|| format!("{} is damaged: rebuild with `tifa index`", path.display()))
}
