//! Text out of the files researchers download: HTML pages, PDFs and Word
//! documents (.docx, and .doc through catdoc). Parsing is done by crates (scraper/html5ever, encoding_rs +
//! chardetng, pdf-extract/lopdf, zip + quick-xml); this module holds only the
//! rules for joining what they return into lines and paragraphs.
//!
//! Each extractor returns an [`Extracted`] or a reason the file cannot be used,
//! which the loader reports with the file's name.

pub mod doc;
pub mod docx;
pub mod html;
pub mod ocr;
pub mod pdf;
pub mod poppler;

use std::io::Write;
use std::path::Path;
use std::process::Command;

use crate::text::is_cjk;

/// Runs an external tool; its standard output, or an error naming the tool
/// (`failed` says what went wrong) with what it wrote on standard error.
pub(crate) fn output_of(command: &mut Command, failed: &str) -> Result<Vec<u8>, String> {
    let out = command.output().map_err(|e| {
        format!(
            "cannot run {} ({e})",
            command.get_program().to_string_lossy()
        )
    })?;
    if !out.status.success() {
        return Err(format!(
            "{failed} ({})",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(out.stdout)
}

/// Whether an external tool runs here (`program arg` exits with success).
pub(crate) fn runs(program: &str, arg: &str) -> bool {
    Command::new(program)
        .arg(arg)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Runs an external tool on `bytes` written to a temporary file (named with
/// `suffix`, as some tools go by it); `command` builds the call for the
/// file's path. Its standard output, or an error as [`output_of`] says it.
pub(crate) fn run_on_bytes(
    bytes: &[u8],
    suffix: &str,
    failed: &str,
    command: impl FnOnce(&Path) -> Command,
) -> Result<Vec<u8>, String> {
    let mut file = tempfile::Builder::new()
        .suffix(suffix)
        .tempfile()
        .map_err(|e| format!("cannot write a temporary file for an external reader: {e}"))?;
    file.write_all(bytes)
        .and_then(|()| file.flush())
        .map_err(|e| format!("cannot write a temporary file for an external reader: {e}"))?;
    output_of(&mut command(file.path()), failed)
}

/// What an extractor found in one file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Extracted {
    /// Paragraphs separated by `\n`.
    pub text: String,
    /// The title the file gives, if any.
    pub title: Option<String>,
    /// A publication date declared by the file (HTML `<meta>`), as written.
    pub date: Option<String>,
    /// Other metadata the file declares (e.g. `encoding` of an HTML page).
    pub fields: Vec<(String, String)>,
}

/// A character after which (or before which) a line break or space adds no
/// word boundary in Chinese: Han, kana, CJK and full-width punctuation.
fn joins_without_space(c: char) -> bool {
    is_cjk(c) || matches!(c as u32, 0xFF01..=0xFF60 | 0x2018..=0x201F | 0x2026 | 0x00B7)
}

/// Joins two pieces of one paragraph that a line wrap separated: nothing
/// between Chinese characters, a hyphen dropped between the halves of an
/// English word broken at the line end (`inter-` + `national`), a space
/// otherwise.
pub fn join_wrapped(paragraph: &mut String, next: &str) {
    let next = next.trim_start();
    if next.is_empty() {
        return;
    }
    let trimmed_len = paragraph.trim_end().len();
    paragraph.truncate(trimmed_len);
    let (Some(last), Some(first)) = (paragraph.chars().last(), next.chars().next()) else {
        paragraph.push_str(next);
        return;
    };
    if joins_without_space(last) || joins_without_space(first) {
        paragraph.push_str(next);
        return;
    }
    if last == '-' && first.is_lowercase() {
        let before = paragraph[..paragraph.len() - 1].chars().last();
        if before.is_some_and(char::is_alphabetic) {
            paragraph.pop();
            paragraph.push_str(next);
            return;
        }
    }
    paragraph.push(' ');
    paragraph.push_str(next);
}

/// Collapses runs of white space to one space, drops the spaces a source
/// file's line breaks left between Chinese characters, and trims.
pub fn collapse_spaces(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.chars() {
        if c.is_whitespace() && c != '\u{3000}' {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            let last = out.chars().last();
            if !(last.is_some_and(joins_without_space) && joins_without_space(c)) {
                out.push(' ');
            }
            pending_space = false;
        }
        out.push(c);
    }
    out
}

/// Paragraph lines, trimmed, empty ones dropped, joined with `\n`.
pub fn paragraphs<'a>(lines: impl IntoIterator<Item = &'a str>) -> String {
    lines
        .into_iter()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_lines_join_by_script() {
        let mut p = String::from("构建网络空间");
        join_wrapped(&mut p, "命运共同体");
        assert_eq!(p, "构建网络空间命运共同体");
        let mut p = String::from("an inter-");
        join_wrapped(&mut p, "national order");
        assert_eq!(p, "an international order");
        let mut p = String::from("a well-");
        join_wrapped(&mut p, "Known case");
        assert_eq!(p, "a well- Known case");
        let mut p = String::from("cyber");
        join_wrapped(&mut p, "space");
        assert_eq!(p, "cyber space");
        let mut p = String::from("提出“");
        join_wrapped(&mut p, "four principles”");
        assert_eq!(p, "提出“four principles”");
    }

    #[test]
    fn spaces_between_han_are_dropped() {
        assert_eq!(
            collapse_spaces("  网络\n  主权 and  cyber\tsovereignty "),
            "网络主权 and cyber sovereignty"
        );
        assert_eq!(collapse_spaces("中国 China"), "中国 China");
    }
}
