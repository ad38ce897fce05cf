//! Text out of the files researchers download: HTML pages, PDFs and Word
//! documents. Parsing is done by crates (scraper/html5ever, encoding_rs +
//! chardetng, pdf-extract/lopdf, zip + quick-xml); this module holds only the
//! rules for joining what they return into lines and paragraphs.
//!
//! Each extractor returns an [`Extracted`] or a reason the file cannot be used,
//! which the loader reports with the file's name.

pub mod docx;
pub mod html;
pub mod ocr;
pub mod pdf;
pub mod poppler;

use crate::text::is_cjk;

/// What an extractor found in one file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Extracted {
    /// Paragraphs separated by `\n`.
    pub text: String,
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
