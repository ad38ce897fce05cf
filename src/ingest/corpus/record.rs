//! From fields to a document: values checked (control characters, lengths,
//! dates, languages) whatever the file they came from.

use std::collections::HashSet;
use std::path::Path;

use crate::date::DocDate;

use super::*;

pub(super) enum FieldValue {
    Text(String),
    Null,
    /// A number, boolean, array or object, as written.
    Other(String),
}

/// The first character a terminal must not see raw (C0/C1 controls other than
/// line breaks and tabs, bidirectional overrides).
pub(super) fn unsafe_char(s: &str, allow_breaks: bool) -> Option<char> {
    s.chars().find(|&c| {
        (c.is_control() && !(allow_breaks && matches!(c, '\n' | '\r' | '\t')))
            || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    })
}

/// The first run of word characters longer than tantivy's term limit.
pub(super) fn over_long_word(text: &str) -> Option<usize> {
    if text.len() <= MAX_TERM_BYTES {
        return None;
    }
    let mut run = 0usize;
    for c in text.chars() {
        if crate::text::is_word_char(c) && !crate::text::is_cjk(c) {
            run += c.len_utf8();
            if run > MAX_TERM_BYTES {
                return Some(run);
            }
        } else {
            run = 0;
        }
    }
    None
}

pub(super) fn build_document(
    file: &Path,
    line: usize,
    fields: impl Iterator<Item = (String, FieldValue)>,
    limits: Limits,
) -> Parsed {
    let location = Location {
        file: file.to_path_buf(),
        line: Some(line),
    };
    let RawRecord {
        mut doc,
        id,
        text,
        date_raw,
        keys_with_equals,
    } = match read_fields(fields) {
        Ok(record) => record,
        Err(reason) => return skipped(file, line, reason),
    };
    match id {
        Some(id) if !id.trim().is_empty() => doc.id = id,
        Some(_) => return skipped(file, line, "empty \"id\": every record needs a unique id"),
        None => return skipped(file, line, "missing \"id\": every record needs a unique id"),
    }
    match text {
        Some(t) => doc.text = t,
        None => {
            return skipped(
                file,
                line,
                format!("record {:?} has no \"text\" string", doc.id),
            );
        }
    }
    let size = doc.text.len() + doc.title.len();
    if size > limits.max_doc_bytes {
        return skipped(
            file,
            line,
            format!(
                "record {:?} has {size} bytes of text, over the document limit of {} bytes (--max-doc-mb)",
                doc.id, limits.max_doc_bytes
            ),
        );
    }
    let mut reasons = Vec::new();
    if let Some(raw) = date_raw.filter(|d| !d.trim().is_empty()) {
        match DocDate::parse(raw.trim()) {
            Ok(d) => doc.date = Some(d),
            Err(reason) => reasons.push(format!("record {:?}: {reason}; kept as undated", doc.id)),
        }
    }
    if doc.lang.is_empty() {
        doc.lang = "und".into();
    }
    if doc.kind.is_empty() {
        doc.kind = "unknown".into();
    }
    for key in keys_with_equals {
        reasons.push(format!(
            "record {:?}: field name {key:?} contains '='; kept and shown, but --where and --group-by cannot name it (rename the field)",
            doc.id
        ));
    }
    reasons.extend(value_warnings(&doc));
    let warnings = reasons
        .into_iter()
        .map(|reason| Problem {
            location: location.clone(),
            severity: Severity::Warning,
            reason,
        })
        .collect();
    Parsed::Doc(doc, location, warnings)
}

/// A record's fields as read, before the checks.
struct RawRecord {
    /// Title, lang, kind, source and the extra fields.
    doc: Document,
    id: Option<String>,
    text: Option<String>,
    date_raw: Option<String>,
    /// Extra fields whose name holds '=' (reported).
    keys_with_equals: Vec<String>,
}

/// Reads the fields of a record; an id, text or title that is not a string
/// skips the record (the reason is the error).
fn read_fields(fields: impl Iterator<Item = (String, FieldValue)>) -> Result<RawRecord, String> {
    let mut record = RawRecord {
        doc: Document::default(),
        id: None,
        text: None,
        date_raw: None,
        keys_with_equals: Vec::new(),
    };
    for (key, value) in fields {
        let as_string = match value {
            FieldValue::Text(s) => Some(s),
            FieldValue::Null => None,
            FieldValue::Other(raw) => {
                match key.as_str() {
                    "id" => {
                        return Err(format!("\"id\" must be a string, found {raw}"));
                    }
                    "text" => return Err("\"text\" must be a string".into()),
                    "title" => return Err("\"title\" must be a string".into()),
                    _ => {}
                }
                // Numbers and booleans in extra fields are kept as written.
                Some(raw)
            }
        };
        let doc = &mut record.doc;
        match key.as_str() {
            "id" => record.id = as_string,
            "text" => record.text = as_string,
            "title" => doc.title = as_string.unwrap_or_default(),
            "lang" => doc.lang = as_string.unwrap_or_default(),
            "kind" => doc.kind = as_string.unwrap_or_default(),
            "source" => doc.source = as_string.unwrap_or_default(),
            "date" => record.date_raw = as_string,
            _ => {
                if let Some(s) = as_string {
                    if key.contains('=') {
                        record.keys_with_equals.push(key.clone());
                    }
                    doc.extra.insert(key, s);
                }
            }
        }
    }
    Ok(record)
}

/// What a kept record's values may hide from the index or the terminal:
/// values too long for --where, words too long for the index, control
/// characters and bidirectional marks.
fn value_warnings(doc: &Document) -> Vec<String> {
    let mut reasons = Vec::new();
    let long_values: Vec<&str> = doc
        .extra
        .iter()
        .map(|(k, v)| (k.as_str(), v))
        .chain([("source", &doc.source), ("id", &doc.id)])
        .filter(|(k, v)| k.len() + v.len() + 1 > MAX_TERM_BYTES)
        .map(|(k, _)| k)
        .collect();
    for key in long_values {
        reasons.push(format!(
            "record {:?}: the value of {key:?} is longer than {MAX_TERM_BYTES} bytes; kept and shown, but --where cannot match it",
            doc.id
        ));
    }
    if let Some(run) = over_long_word(&doc.text).or_else(|| over_long_word(&doc.title)) {
        reasons.push(format!(
            "record {:?} has a word of over {run} bytes, longer than the index can hold ({MAX_TERM_BYTES}); searches for it are verified against the text",
            doc.id
        ));
    }
    let mut fields_to_check: Vec<(&str, &str, bool)> = vec![
        ("text", &doc.text, true),
        ("title", &doc.title, true),
        ("id", &doc.id, false),
        ("lang", &doc.lang, false),
        ("kind", &doc.kind, false),
        ("source", &doc.source, false),
    ];
    for (k, v) in &doc.extra {
        fields_to_check.push((k, k, false));
        fields_to_check.push((k, v, false));
    }
    let control: Vec<String> = fields_to_check
        .iter()
        .filter_map(|(name, value, breaks)| {
            unsafe_char(value, *breaks).map(|c| format!("{name} (U+{:04X})", c as u32))
        })
        .collect();
    if !control.is_empty() {
        let mut seen = HashSet::new();
        let control: Vec<String> = control
            .into_iter()
            .filter(|c| seen.insert(c.clone()))
            .collect();
        reasons.push(format!(
            "record {:?} contains control characters or bidirectional marks in {}; kept as is (they are escaped on output)",
            doc.id,
            control.join(", ")
        ));
    }
    reasons
}
