//! JSONL corpus files: lines read in bounded chunks and parsed in parallel,
//! each record validated or named with its file, line and reason.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, Read};
use std::path::Path;

use serde_json::Value;
use serde_json::value::RawValue;

use crate::sheet::SheetRow;

use super::*;

/// Reads a JSONL file (gzip-compressed or not) in bounded chunks, each
/// parsed in parallel and handed to `emit` in line order; a read error (a cut
/// gzip stream) ends the file with what came before it kept, and is returned
/// as its damage.
pub(super) fn read_jsonl(
    file: &Path,
    format: Format,
    limits: Limits,
    row: Option<&SheetRow>,
    report: &mut LoadReport,
    emit: &mut dyn FnMut(Parsed, &mut LoadReport) -> Result<()>,
    progress: &mut dyn FnMut(u64),
) -> Result<Option<FileDamage>> {
    let handle = CountingReader {
        inner: File::open(file).with_context(|| format!("cannot read {}", file.display()))?,
        count: std::rc::Rc::new(std::cell::Cell::new(0)),
    };
    let counter = handle.count.clone();
    let mut reported = 0u64;
    let reader: Box<dyn Read> = if format == Format::JsonlGz {
        Box::new(flate2::read::MultiGzDecoder::new(handle))
    } else {
        Box::new(handle)
    };
    let mut reader = BufReader::with_capacity(1 << 20, reader);
    let mut line_no = 0usize;
    loop {
        let (chunk, failure) = read_chunk(&mut reader, &mut line_no, limits);
        let parsed: Vec<Parsed> = chunk
            .into_par_iter()
            .map(|(line, raw)| match raw {
                Some(raw) => parse_json_line(file, line, raw, limits, row),
                None => skipped(
                    file,
                    line,
                    format!(
                        "line longer than {} bytes (--max-line-mb): skipped without reading it into memory",
                        limits.max_line_bytes
                    ),
                ),
            })
            .collect();
        for p in parsed {
            emit(p, report)?;
        }
        progress(counter.get() - reported);
        reported = counter.get();
        if let Some(err) = failure {
            let location = Location {
                file: file.to_path_buf(),
                line: Some(line_no + 1),
            };
            let empty = std::fs::metadata(file).is_ok_and(|m| m.len() == 0);
            let reason = if format == Format::JsonlGz && empty {
                "an empty file (0 bytes), not gzip data: nothing to read (an interrupted download?)"
                    .to_string()
            } else if format == Format::JsonlGz {
                format!(
                    "gzip data is corrupt or truncated ({err}); the {line_no} lines before it were kept — re-download or re-compress the file"
                )
            } else {
                format!("read error ({err}); the {line_no} lines before it were kept")
            };
            report.problems.push(Problem {
                location: location.clone(),
                severity: Severity::Skipped,
                reason: reason.clone(),
            });
            return Ok(Some(FileDamage { location, reason }));
        }
        if reader.fill_buf().map(|b| b.is_empty()).unwrap_or(true) {
            return Ok(None);
        }
    }
}

/// Counts the bytes read from a file, for progress in on-disk bytes.
pub(super) struct CountingReader {
    pub(super) inner: File,
    pub(super) count: std::rc::Rc<std::cell::Cell<u64>>,
}

impl Read for CountingReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get() + n as u64);
        Ok(n)
    }
}

/// Lines per parallel chunk, and the bytes a chunk may hold before it is parsed.
pub(super) const CHUNK_LINES: usize = 4096;
pub(super) const CHUNK_BYTES: usize = 64 << 20;

/// Reads lines until a chunk is full; a line over the limit comes back as
/// `None` (its bytes were consumed, not kept). A read error ends the chunk.
#[allow(clippy::type_complexity)]
pub(super) fn read_chunk(
    reader: &mut impl BufRead,
    line_no: &mut usize,
    limits: Limits,
) -> (Vec<(usize, Option<Vec<u8>>)>, Option<std::io::Error>) {
    let mut chunk = Vec::new();
    let mut bytes = 0usize;
    while chunk.len() < CHUNK_LINES && bytes < CHUNK_BYTES {
        let mut line = Vec::new();
        match read_line_bounded(reader, &mut line, limits.max_line_bytes) {
            Ok((0, _)) => break,
            Ok((_, too_long)) => {
                *line_no += 1;
                bytes += line.len();
                chunk.push((*line_no, (!too_long).then_some(line)));
            }
            Err(e) => return (chunk, Some(e)),
        }
    }
    (chunk, None)
}

/// Like `read_until(b'\n')`, but keeps at most `max` bytes: the rest of an
/// over-long line is consumed and dropped. Returns (bytes consumed, too long).
pub(super) fn read_line_bounded(
    reader: &mut impl BufRead,
    line: &mut Vec<u8>,
    max: usize,
) -> std::io::Result<(usize, bool)> {
    let (mut consumed, mut too_long) = (0usize, false);
    loop {
        let buf = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buf.is_empty() {
            return Ok((consumed, too_long));
        }
        let (take, done) = match memchr::memchr(b'\n', buf) {
            Some(i) => (i + 1, true),
            None => (buf.len(), false),
        };
        if !too_long {
            if line.len() + take > max {
                too_long = true;
                *line = Vec::new();
            } else {
                line.extend_from_slice(&buf[..take]);
            }
        }
        reader.consume(take);
        consumed += take;
        if done {
            return Ok((consumed, too_long));
        }
    }
}

pub(super) fn strip_line_end(mut raw: &[u8]) -> &[u8] {
    if raw.ends_with(b"\n") {
        raw = &raw[..raw.len() - 1];
    }
    if raw.ends_with(b"\r") {
        raw = &raw[..raw.len() - 1];
    }
    raw.strip_prefix("\u{feff}".as_bytes()).unwrap_or(raw)
}

pub(super) fn not_utf8_reason(err: std::str::Utf8Error) -> String {
    format!(
        "not valid UTF-8 (bad byte at offset {}); convert the file to UTF-8, e.g. `iconv -f GBK -t UTF-8 FILE > FILE.utf8`",
        err.valid_up_to()
    )
}

pub(super) fn parse_json_line(
    file: &Path,
    line: usize,
    raw: Vec<u8>,
    limits: Limits,
    row: Option<&SheetRow>,
) -> Parsed {
    let raw = strip_line_end(&raw);
    // A record this long cannot hold a document within --max-doc-mb (a
    // character escaped in JSON takes 6 bytes at most): skipped before it is
    // parsed, which would take its size again in memory.
    let most = limits
        .max_doc_bytes
        .saturating_mul(6)
        .saturating_add(1 << 20);
    if raw.len() > most {
        return skipped(
            file,
            line,
            format!(
                "a record of {} bytes, more than a document within the document limit ({} bytes, --max-doc-mb) takes as JSON: not parsed",
                raw.len(),
                limits.max_doc_bytes
            ),
        );
    }
    let text = match std::str::from_utf8(raw) {
        Ok(t) => t,
        Err(e) => return skipped(file, line, not_utf8_reason(e)),
    };
    if text.trim().is_empty() {
        return Parsed::Blank;
    }
    // Raw values keep numbers as written (1e2 stays 1e2).
    type RawRecord = BTreeMap<String, Box<RawValue>>;
    // serde_json rejects a lone surrogate escape; it becomes U+FFFD instead
    // of costing the whole record.
    let repaired = (text.contains("\\ud") || text.contains("\\uD"))
        .then(|| replace_lone_surrogates(text))
        .flatten();
    let text = repaired.as_deref().unwrap_or(text);
    let map: RawRecord = match serde_json::from_str::<RawRecord>(text) {
        Ok(m) => m,
        Err(e) => return skipped(file, line, json_reason(text, e)),
    };
    let mut fields = Vec::with_capacity(map.len());
    for (key, value) in map {
        let raw = value.get();
        let parsed = if raw.starts_with('"') {
            match serde_json::from_str::<String>(raw) {
                Ok(s) => FieldValue::Text(s),
                Err(e) => {
                    return skipped(file, line, format!("invalid JSON string in {key:?}: {e}"));
                }
            }
        } else if raw == "null" {
            FieldValue::Null
        } else {
            FieldValue::Other(raw.trim().to_string())
        };
        fields.push((key, parsed));
    }
    apply_row(&mut fields, row, false);
    match build_document(file, line, fields.into_iter(), limits) {
        Parsed::Doc(doc, location, mut warnings) if repaired.is_some() => {
            warnings.push(Problem {
                location: location.clone(),
                severity: Severity::Warning,
                reason: format!(
                    "record {:?} has a lone UTF-16 surrogate escape (\\ud800–\\udfff); replaced with U+FFFD",
                    doc.id
                ),
            });
            Parsed::Doc(doc, location, warnings)
        }
        other => other,
    }
}

/// Why a line is not a JSON object record.
pub(super) fn json_reason(text: &str, e: serde_json::Error) -> String {
    match serde_json::from_str::<Value>(text) {
        Ok(_) => "not a JSON object: each line must be one {\"id\": …, \"text\": …} record".into(),
        Err(_) => format!("invalid JSON: {e}"),
    }
}

/// Replaces `\\uXXXX` escapes of unpaired UTF-16 surrogates with `\\ufffd`;
/// `None` when there are none.
pub(super) fn replace_lone_surrogates(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let hex = |at: usize| -> Option<u16> {
        let digits = text.get(at..at + 4)?;
        u16::from_str_radix(digits, 16).ok()
    };
    let escape_at = |at: usize| -> Option<u16> {
        (bytes.get(at) == Some(&b'\\') && bytes.get(at + 1) == Some(&b'u'))
            .then(|| hex(at + 2))
            .flatten()
    };
    let mut out = String::with_capacity(text.len());
    let (mut i, mut last, mut changed) = (0usize, 0usize, false);
    while i < bytes.len() {
        if bytes[i] != b'\\' {
            i += 1;
            continue;
        }
        match escape_at(i) {
            Some(high @ 0xD800..=0xDBFF) => {
                let _ = high;
                if matches!(escape_at(i + 6), Some(0xDC00..=0xDFFF)) {
                    i += 12;
                } else {
                    out.push_str(&text[last..i]);
                    out.push_str("\\ufffd");
                    i += 6;
                    last = i;
                    changed = true;
                }
            }
            Some(0xDC00..=0xDFFF) => {
                out.push_str(&text[last..i]);
                out.push_str("\\ufffd");
                i += 6;
                last = i;
                changed = true;
            }
            Some(_) => i += 6,
            None => i += 2,
        }
    }
    out.push_str(&text[last..]);
    changed.then_some(out)
}
