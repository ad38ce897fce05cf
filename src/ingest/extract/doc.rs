//! Word 97–2003 `.doc` files, read by `catdoc` (Debian `catdoc`). Of the two
//! Debian readers, catdoc gives the Chinese text of the files LibreOffice and
//! Word write; antiword 0.37 refuses short ones ("the text stream of this
//! file is too small"), so it is not used. catdoc's paragraphs (one line each
//! with `-w`) go through the same joining rules as every extractor.
//!
//! Files named `.doc` that are not Word binaries are common in downloads from
//! government sites: an HTML page saved as `.doc` is read as HTML; an RTF file
//! is named as such, with what to do.

use std::process::Command;
use std::sync::OnceLock;

use super::Extracted;

/// The Debian package that provides `catdoc`.
pub const PACKAGE: &str = "catdoc";

/// The first bytes of an OLE2 compound file (a Word 97–2003 document).
const OLE2_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Whether `catdoc` runs on this machine (asked once).
pub fn available() -> bool {
    static AVAILABLE: OnceLock<bool> = OnceLock::new();
    *AVAILABLE.get_or_init(|| super::runs("catdoc", "-V"))
}

/// What kind of file a `.doc` is, from its first bytes.
#[derive(Debug, PartialEq, Eq)]
enum Kind {
    Word,
    Html,
    Rtf,
    /// A web archive (Word's "single file web page").
    Mhtml,
    Other,
}

fn sniff(bytes: &[u8]) -> Kind {
    if bytes.starts_with(&OLE2_MAGIC) {
        return Kind::Word;
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]).to_lowercase();
    let head = head.trim_start_matches('\u{feff}').trim_start();
    if head.starts_with("{\\rtf") {
        Kind::Rtf
    } else if head.starts_with("mime-version:") {
        Kind::Mhtml
    } else if head.starts_with('<')
        && (head.contains("<html") || head.contains("<!doctype html") || head.contains("<body"))
    {
        Kind::Html
    } else {
        Kind::Other
    }
}

/// Reads a `.doc` file.
pub fn extract(bytes: &[u8]) -> Result<Extracted, String> {
    match sniff(bytes) {
        Kind::Word => {}
        Kind::Html => {
            let mut e = super::html::extract(bytes)?;
            e.fields
                .push(("format".into(), "HTML saved as .doc".into()));
            return Ok(e);
        }
        Kind::Rtf => {
            return Err(
                "an RTF file named .doc: tifa does not read RTF — save it as .docx (Word, LibreOffice: File › Save As) or run `soffice --headless --convert-to docx FILE`".into(),
            );
        }
        Kind::Mhtml => {
            return Err(
                "a web archive (MHTML) named .doc: open it in Word or a browser and save it as .docx or .html".into(),
            );
        }
        Kind::Other => {
            return Err(
                "not a Word 97–2003 document (no OLE2 header; a truncated download?)".into(),
            );
        }
    }
    if !available() {
        return Err(format!(
            "reading a Word 97–2003 .doc needs catdoc: install it (Debian/Ubuntu: apt-get install {PACKAGE}) or save the file as .docx"
        ));
    }
    let out = super::run_on_bytes(
        bytes,
        ".doc",
        "catdoc could not read the document",
        |path| {
            let mut command = Command::new("catdoc");
            // UTF-8 out, no wrapping (a paragraph is a line).
            command.args(["-d", "utf-8", "-w"]).arg(path);
            command
        },
    )?;
    let lines: Vec<String> = String::from_utf8_lossy(&out)
        .lines()
        .map(super::collapse_spaces)
        .collect();
    let text = super::paragraphs(lines.iter().map(String::as_str));
    if text.is_empty() {
        return Err("the document has no text (only images?): skipped".into());
    }
    Ok(Extracted {
        text,
        ..Extracted::default()
    })
}

#[cfg(test)]
mod tests {
    use super::{Kind, sniff};

    #[test]
    fn a_doc_is_told_by_its_first_bytes() {
        let mut word = super::OLE2_MAGIC.to_vec();
        word.extend([0u8; 16]);
        assert_eq!(sniff(&word), Kind::Word);
        assert_eq!(
            sniff(b"\xef\xbb\xbf <html><body>x</body></html>"),
            Kind::Html
        );
        assert_eq!(sniff(b"{\\rtf1\\ansi x}"), Kind::Rtf);
        assert_eq!(sniff(b"MIME-Version: 1.0\r\n"), Kind::Mhtml);
        assert_eq!(sniff(b"PK\x03\x04"), Kind::Other);
    }
}
