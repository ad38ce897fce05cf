//! Researchers' own files (HTML, PDF, Word, front-matter text): their
//! extracted text and metadata with the sheet row applied.

use std::path::Path;

use anyhow::Result;

use crate::extract::Extracted;
use crate::sheet::SheetRow;

use super::*;

/// Sheet cells override a file's own fields (`path` is not a field; a JSONL
/// file's `id` and `title` cells are ignored, see [`CorpusFiles`]).
pub(super) fn apply_row(
    fields: &mut Vec<(String, FieldValue)>,
    row: Option<&SheetRow>,
    whole_file: bool,
) {
    let Some(row) = row else { return };
    for (column, value) in &row.cells {
        // `ocr` is an instruction (read this scan by OCR), not metadata: the
        // document's own `ocr` field says whether OCR gave its text.
        if column == "path"
            || column == "text"
            || column == "ocr"
            || (!whole_file && (column == "id" || column == "title"))
        {
            continue;
        }
        fields.retain(|(k, _)| k != column);
        fields.push((column.clone(), FieldValue::Text(value.clone())));
    }
}

/// `parsed` with a note on the sheet's row: a warning beside a document, or
/// a part of the reason a file was skipped.
pub(super) fn with_note(parsed: Parsed, note: String) -> Parsed {
    match parsed {
        Parsed::Doc(doc, location, mut warnings) => {
            warnings.push(Problem {
                location: location.clone(),
                severity: Severity::Warning,
                reason: note,
            });
            Parsed::Doc(doc, location, warnings)
        }
        Parsed::Bad(mut problem) => {
            problem.reason = format!("{}; {note}", problem.reason);
            Parsed::Bad(problem)
        }
        other => other,
    }
}

/// The sheet's `ocr` column for a file: yes/no (Some), empty or absent
/// (None: `--ocr` decides), and a value that is neither, to be named.
pub(super) fn ocr_column(row: Option<&SheetRow>) -> (Option<bool>, Option<String>) {
    let Some(value) = row.and_then(|r| r.get("ocr")) else {
        return (None, None);
    };
    match value.trim().to_lowercase().as_str() {
        "" => (None, None),
        "yes" | "y" | "true" | "1" => (Some(true), None),
        "no" | "n" | "false" | "0" => (Some(false), None),
        _ => (None, Some(value.to_string())),
    }
}

pub(super) fn has_field(fields: &[(String, FieldValue)], name: &str) -> bool {
    fields
        .iter()
        .any(|(k, v)| k == name && matches!(v, FieldValue::Text(t) if !t.trim().is_empty()))
}

/// `zh` when Han characters outnumber English words, `en` when there are
/// English words, `und` for neither.
pub fn detect_lang(text: &str) -> &'static str {
    let (han, words) = crate::text::count_units(&crate::text::nfkc(text));
    if han > 0 && han >= words {
        "zh"
    } else if words > 0 {
        "en"
    } else {
        "und"
    }
}

/// The fields every whole-file document gets when neither the file nor its
/// sheet row gives them: the id from the path, the title from the file name,
/// the language from the text.
pub(super) fn complete_file_fields(
    fields: &mut Vec<(String, FieldValue)>,
    file: &Path,
    relative: &str,
) {
    if !has_field(fields, "id") {
        fields.retain(|(k, _)| k != "id");
        fields.push(("id".into(), FieldValue::Text(relative.to_string())));
    }
    if !has_field(fields, "title") {
        let stem = file
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_default();
        fields.retain(|(k, _)| k != "title");
        fields.push(("title".into(), FieldValue::Text(stem)));
    }
    if !has_field(fields, "lang") {
        let text = fields
            .iter()
            .find_map(|(k, v)| match v {
                FieldValue::Text(t) if k == "text" => Some(t.as_str()),
                _ => None,
            })
            .unwrap_or_default();
        let lang = detect_lang(text);
        fields.retain(|(k, _)| k != "lang");
        fields.push(("lang".into(), FieldValue::Text(lang.into())));
    }
}

/// An HTML page, PDF or Word file: the extracted text and metadata, then the
/// sheet's row over them.
pub(super) fn own_file(
    file: &Path,
    extracted: Result<Extracted, String>,
    limits: Limits,
    row: Option<&SheetRow>,
    relative: &str,
) -> Parsed {
    let extracted = match extracted {
        Ok(e) => e,
        Err(reason) => return skipped(file, 1, reason),
    };
    let mut fields = vec![("text".to_string(), FieldValue::Text(extracted.text))];
    if let Some(t) = extracted.title {
        fields.push(("title".into(), FieldValue::Text(t)));
    }
    if let Some(d) = extracted.date {
        fields.push(("date".into(), FieldValue::Text(d)));
    }
    for (k, v) in extracted.fields {
        fields.push((k, FieldValue::Text(v)));
    }
    apply_row(&mut fields, row, true);
    complete_file_fields(&mut fields, file, relative);
    let dated = has_field(&fields, "date");
    match build_document(file, 1, fields.into_iter(), limits) {
        Parsed::Doc(doc, location, mut warnings) if !dated => {
            warnings.push(Problem {
                location: location.clone(),
                severity: Severity::Warning,
                reason: format!(
                    "{:?} has no date: kept as undated; give one in the `date` column of a manifest.csv beside it",
                    doc.id
                ),
            });
            Parsed::Doc(doc, location, warnings)
        }
        other => other,
    }
}

/// A `.md`/`.txt` file: `---`, `key: value` lines, `---`, then the text. A
/// file without front matter is a document only when a sheet names it (its
/// whole content is the text).
pub(super) fn parse_front_matter(
    file: &Path,
    bytes: &[u8],
    limits: Limits,
    row: Option<&SheetRow>,
    relative: &str,
) -> Parsed {
    let content = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => return skipped(file, 1, not_utf8_reason(e)),
    };
    let content = content.strip_prefix('\u{feff}').unwrap_or(content);
    // Blank lines before the opening `---` (an editor's habit) are allowed:
    // the front matter starts at the first line with something on it.
    let (mut lead, mut lead_lines) = (0usize, 0usize);
    for l in content.split_inclusive('\n') {
        if !l.trim().is_empty() {
            break;
        }
        lead += l.len();
        lead_lines += 1;
    }
    let mut lines = content[lead..].split_inclusive('\n');
    let is_fence = |l: &str| l.trim_end() == "---";
    match lines.next() {
        Some(first) if is_fence(first) => {}
        _ if row.is_some() => {
            let text = content.replace("\r\n", "\n").trim().to_string();
            return own_file(
                file,
                Ok(Extracted {
                    text,
                    ..Extracted::default()
                }),
                limits,
                row,
                relative,
            );
        }
        _ => return Parsed::NotADocument,
    }
    let mut fields = Vec::new();
    let mut consumed = lead
        + content[lead..]
            .split_inclusive('\n')
            .next()
            .map_or(0, str::len);
    let mut line_no = 1 + lead_lines;
    let mut closed = false;
    for l in lines {
        line_no += 1;
        consumed += l.len();
        if is_fence(l) {
            closed = true;
            break;
        }
        let l = l.trim_end_matches(['\n', '\r']);
        if l.trim().is_empty() || l.trim_start().starts_with('#') {
            continue;
        }
        let Some((key, value)) = l.split_once(':') else {
            return skipped(
                file,
                line_no,
                format!("front matter line {l:?} is not `key: value`"),
            );
        };
        let value = value.trim();
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
            .unwrap_or(value);
        fields.push((key.trim().to_string(), FieldValue::Text(value.to_string())));
    }
    if !closed {
        return skipped(file, line_no, "front matter is not closed by a `---` line");
    }
    let body = content[consumed..].replace("\r\n", "\n");
    fields.retain(|(k, _)| k != "text");
    fields.push((
        "text".to_string(),
        FieldValue::Text(body.trim_end().to_string()),
    ));
    apply_row(&mut fields, row, true);
    complete_file_fields(&mut fields, file, relative);
    build_document(file, 1, fields.into_iter(), limits)
}

/// Reads one of a researcher's own files (front matter, HTML, PDF, .docx,
/// .doc) into one record, or names why it is skipped.
pub(super) fn read_own_file(
    file: &Path,
    format: Format,
    limits: Limits,
    row: Option<&SheetRow>,
    relative: &str,
    progress: &mut dyn FnMut(u64),
) -> Result<Parsed> {
    let size = std::fs::metadata(file).map_or(0, |m| m.len());
    // Own files: the text is at most the file's size (PDFs and
    // .docx compress, so their bound is the extracted text's).
    let bounded = matches!(format, Format::FrontMatter | Format::Html);
    if bounded && size > limits.max_doc_bytes as u64 + 64 * 1024 {
        return Ok(skipped(
            file,
            1,
            format!(
                "the file is {size} bytes, over the document limit of {} bytes (--max-doc-mb)",
                limits.max_doc_bytes
            ),
        ));
    }
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    progress(bytes.len() as u64);
    let parsed = match format {
        Format::FrontMatter => parse_front_matter(file, &bytes, limits, row, relative),
        Format::Html => own_file(file, extract::html::extract(&bytes), limits, row, relative),
        Format::Pdf => {
            // --ocr, or the sheet's `ocr` column for this file:
            // Tesseract's languages from the sheet's lang.
            let (asked, unknown) = ocr_column(row);
            let ocr = asked
                .unwrap_or(limits.ocr)
                .then(|| extract::ocr::languages_for(row.and_then(|r| r.get("lang"))));
            let extracted =
                extract::pdf::extract_bounded(&bytes, limits.max_doc_bytes, ocr.as_deref());
            let parsed = own_file(file, extracted, limits, row, relative);
            match unknown {
                Some(value) => with_note(
                    parsed,
                    format!(
                        "the sheet's ocr column says {value:?}: write yes or no (read as empty: --ocr decides)"
                    ),
                ),
                None => parsed,
            }
        }
        Format::Doc => own_file(file, extract::doc::extract(&bytes), limits, row, relative),
        _ => own_file(file, extract::docx::extract(&bytes), limits, row, relative),
    };
    // OCR reads scanned PDFs only: a sheet asking it of another file is told so.
    Ok(match ocr_asked_of_other_format(format, row) {
        Some(note) => with_note(parsed, note),
        None => parsed,
    })
}

/// The note for a sheet row whose `ocr` column is filled in for a file that
/// is not a PDF (the column would otherwise be ignored without a word).
fn ocr_asked_of_other_format(format: Format, row: Option<&SheetRow>) -> Option<String> {
    if format == Format::Pdf {
        return None;
    }
    let row = row?;
    let value = row.get("ocr")?.trim();
    (!value.is_empty()).then(|| {
        format!(
            "the sheet's ocr column says {value:?} (line {}), but OCR reads scanned PDFs only: this file's text is read as it is",
            row.line
        )
    })
}
