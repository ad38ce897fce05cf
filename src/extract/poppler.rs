//! Poppler's `pdftotext` as the second reader of PDFs: pdf-extract does not
//! know the predefined CJK encodings (a non-embedded STSong-Light with
//! `UniGB-UCS2-H`, `GBK-EUC-H`, `B5pc-H`… as ReportLab, Distiller and older
//! publishing systems write them); Poppler reads them with its CMaps
//! (Debian `poppler-utils` with `poppler-data`). Its output goes through the
//! same joining rules as pdf-extract's: wrapped lines joined (no space between
//! Chinese characters), paragraphs at blank lines, page numbers alone on the
//! first or last line of a page dropped.

use std::process::Command;
use std::sync::OnceLock;

/// The Debian package that provides `pdftotext`.
pub const PACKAGE: &str = "poppler-utils";

/// Whether `pdftotext` runs on this machine (asked once).
pub fn available() -> bool {
    static AVAILABLE: OnceLock<bool> = OnceLock::new();
    *AVAILABLE.get_or_init(|| super::runs("pdftotext", "-v"))
}

/// The text of a PDF as `pdftotext` reads it, rejoined into paragraphs.
pub fn pdftotext(bytes: &[u8]) -> Result<String, String> {
    let out = super::run_on_bytes(bytes, ".pdf", "pdftotext failed too", |path| {
        let mut command = Command::new("pdftotext");
        command.args(["-enc", "UTF-8", "-q"]).arg(path).arg("-");
        command
    })?;
    Ok(rejoin(&String::from_utf8_lossy(&out)))
}

/// pdftotext's lines (pages separated by form feeds, blocks by blank lines)
/// as paragraphs.
pub(super) fn rejoin(raw: &str) -> String {
    let mut paragraphs: Vec<String> = Vec::new();
    for page in raw.split('\x0c') {
        let mut lines: Vec<&str> = page.lines().collect();
        // Page numbers alone on the first or last non-blank line.
        for from_end in [false, true] {
            let at = if from_end {
                lines.iter().rposition(|l| !l.trim().is_empty())
            } else {
                lines.iter().position(|l| !l.trim().is_empty())
            };
            if let Some(i) = at
                && super::pdf::is_page_number(lines[i])
            {
                lines.remove(i);
            }
        }
        let mut open = String::new();
        for line in lines {
            if line.trim().is_empty() {
                if !open.is_empty() {
                    paragraphs.push(std::mem::take(&mut open));
                }
                continue;
            }
            super::join_wrapped(&mut open, line.trim());
        }
        if !open.is_empty() {
            paragraphs.push(open);
        }
    }
    super::paragraphs(paragraphs.iter().map(String::as_str))
}

#[cfg(test)]
mod tests {
    use super::rejoin;

    #[test]
    fn lines_join_into_paragraphs_without_page_numbers() {
        let raw = "各国应尊重\n网络主权。\n\nA second\nparagraph.\n\n3\n\x0c4\n下一页。\n";
        assert_eq!(
            rejoin(raw),
            "各国应尊重网络主权。\nA second paragraph.\n下一页。"
        );
    }
}
