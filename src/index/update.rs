//! `tifa index --update`: only what changed is read again, into a new
//! generation that shares the live one's unchanged index files.

use std::fs::{self};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use tantivy::Index;

use crate::corpus::{self, FileDamage, LoadReport};

use super::*;

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
