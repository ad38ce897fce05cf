//! PDF text layers, in content-stream order, rejoined into paragraphs.
//!
//! pdf-extract (over lopdf) decodes the fonts and reports each character
//! with its position; the rules here turn positions into text: a new line
//! when the baseline moves, a space inside a line only where the gap is wider
//! than a fraction of the font size and not between Chinese characters, line
//! wraps joined by [`super::join_wrapped`], and a paragraph break where the
//! gap between lines is large, the next line is indented, or the previous line
//! stops short after sentence-final punctuation. Page numbers alone on the
//! first or last line of a page are dropped. Multi-column layouts are read in
//! the order the PDF draws them (usually column by column).

use pdf_extract::{MediaBox, OutputDev, OutputError, Transform};

use super::{Extracted, join_wrapped};

/// Reads a PDF's text layer.
pub fn extract(bytes: &[u8]) -> Result<Extracted, String> {
    extract_bounded(bytes, usize::MAX, None)
}

/// [`extract`], refusing a file with a compressed stream (other than an
/// image, which is never decoded) that inflates past `max_stream_bytes`: a
/// 2.5 KB decompression bomb must not take gigabytes. With `ocr` (Tesseract's
/// languages, `tifa index --ocr`), pages without a text layer are read by
/// OCR ([`super::ocr`]).
pub fn extract_bounded(
    bytes: &[u8],
    max_stream_bytes: usize,
    ocr: Option<&str>,
) -> Result<Extracted, String> {
    if let Some(size) = oversized_stream(bytes, max_stream_bytes) {
        return Err(format!(
            "a compressed stream of this PDF decompresses to more than {} MB ({size} bytes read before stopping): decompressed size over the limit (--max-doc-mb); not read",
            max_stream_bytes >> 20
        ));
    }
    let owned = bytes.to_vec();
    // pdf-extract panics on some malformed or unsupported files: contain it.
    let result = std::panic::catch_unwind(move || read(&owned));
    let why = match result {
        Ok(Err(Unread::Failed(why))) => why,
        Ok(Err(Unread::Final(message))) => return Err(message),
        Ok(Err(Unread::Scanned(message))) => {
            return match ocr {
                Some(languages) => super::ocr::extracted(bytes, languages),
                None => Err(message),
            };
        }
        Ok(Ok(extracted)) => return Ok(extracted),
        Err(panic) => panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default(),
    };
    // What pdf-extract cannot decode (the predefined CJK encodings above
    // all), Poppler often can: the second reader, named in the document.
    if !super::poppler::available() {
        return Err(format!(
            "the PDF reader failed on this file ({why}); Poppler's pdftotext reads many such files (the predefined Chinese encodings among them): install it (Debian: apt-get install {}) and index again, or save the file again as PDF (e.g. print to PDF)",
            super::poppler::PACKAGE
        ));
    }
    let text = super::poppler::pdftotext(bytes)
        .map_err(|e| format!("the PDF reader failed on this file ({why}), and {e}"))?;
    if text.chars().all(char::is_whitespace) {
        return match ocr {
            Some(languages) => super::ocr::extracted(bytes, languages),
            None => Err(format!(
                "the PDF reader failed on this file ({why}), and pdftotext found no text in it: scanned? run OCR first (`tifa index --ocr`)"
            )),
        };
    }
    Ok(Extracted {
        text,
        title: None,
        fields: vec![(
            "extractor".to_string(),
            format!("pdftotext (pdf-extract: {why})"),
        )],
        ..Extracted::default()
    })
}

/// Why pdf-extract gave no text: a failure another reader may get past, a
/// scan (pages of images, for OCR), or a final answer (password, damage).
enum Unread {
    Failed(String),
    Scanned(String),
    Final(String),
}

/// The first Flate stream (not an image) that inflates past `max` bytes: how
/// many bytes it gave before the check stopped. A raw scan of `stream`
/// keywords, before any PDF library decodes anything.
fn oversized_stream(bytes: &[u8], max: usize) -> Option<u64> {
    use std::io::Read;
    if max == usize::MAX {
        return None;
    }
    for pos in memchr::memmem::find_iter(bytes, b"stream") {
        if bytes[..pos].ends_with(b"end") {
            continue;
        }
        let mut start = pos + b"stream".len();
        if bytes.get(start) == Some(&b'\r') {
            start += 1;
        }
        if bytes.get(start) != Some(&b'\n') {
            continue;
        }
        start += 1;
        // The stream's dictionary: back to the `obj` that opens it.
        let window = &bytes[pos.saturating_sub(4096)..pos];
        let dict = memchr::memmem::rfind(window, b"obj").map_or(window, |i| &window[i..]);
        let has = |needle: &[u8]| memchr::memmem::find(dict, needle).is_some();
        if !has(b"FlateDecode") || has(b"/Image") {
            continue;
        }
        let mut inflated = flate2::read::ZlibDecoder::new(&bytes[start..]).take(max as u64 + 1);
        let n = std::io::copy(&mut inflated, &mut std::io::sink()).unwrap_or(0);
        if n > max as u64 {
            return Some(n);
        }
    }
    None
}

fn read(bytes: &[u8]) -> Result<Extracted, Unread> {
    let mut doc = pdf_extract::Document::load_mem(bytes)
        .map_err(|e| Unread::Final(format!("not a readable PDF ({e}): is the file complete?")))?;
    if doc.is_encrypted() && doc.decrypt("").is_err() {
        return Err(Unread::Final(
            "the PDF is password-protected: remove the password (e.g. `qpdf --decrypt --password=… in.pdf out.pdf`) and index the result".into(),
        ));
    }
    let title = info_title(&doc);
    let mut layout = Layout::default();
    pdf_extract::output_doc(&doc, &mut layout)
        .map_err(|e| Unread::Failed(format!("cannot read the PDF's text: {e}")))?;
    layout.end_page_lines();
    let text = layout.finish();
    if text.chars().all(char::is_whitespace) {
        // OCR helps a scan (pages of images), not a damaged or empty file.
        if !has_images(&doc) {
            return Err(Unread::Final(format!(
                "no text could be read from its {} page(s), and it holds no images: a damaged or empty PDF? Open it in a viewer; if it shows text, save it again as PDF (e.g. print to PDF)",
                layout.pages
            )));
        }
        return Err(Unread::Scanned(format!(
            "no text layer in {} page(s): scanned? run OCR first: `tifa index --ocr` (Tesseract; see --help), or `ocrmypdf --language chi_sim+eng in.pdf out.pdf` and index the result",
            layout.pages
        )));
    }
    Ok(Extracted {
        text,
        title,
        ..Extracted::default()
    })
}

/// True when some object of the PDF is an image (a scanned page is one).
fn has_images(doc: &pdf_extract::Document) -> bool {
    doc.objects.values().any(|object| {
        let dict = match object {
            pdf_extract::Object::Stream(stream) => &stream.dict,
            pdf_extract::Object::Dictionary(dict) => dict,
            _ => return false,
        };
        matches!(dict.get(b"Subtype"), Ok(pdf_extract::Object::Name(name)) if name.as_slice() == b"Image")
    })
}

/// The document information dictionary's `/Title`, when it is set.
fn info_title(doc: &pdf_extract::Document) -> Option<String> {
    let info = doc.trailer.get(b"Info").ok()?;
    let dict = match info {
        pdf_extract::Object::Reference(id) => doc.get_dictionary(*id).ok()?,
        pdf_extract::Object::Dictionary(d) => d,
        _ => return None,
    };
    match dict.get(b"Title").ok()? {
        pdf_extract::Object::String(bytes, _) => {
            let title = pdf_text_string(bytes);
            let title = title.trim();
            (!title.is_empty()).then(|| title.to_string())
        }
        _ => None,
    }
}

/// A PDF text string: UTF-16BE with a byte-order mark, else PDFDocEncoding
/// (Latin-1 for the printable range).
fn pdf_text_string(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        String::from_utf16_lossy(&units)
    } else if let Ok(s) =
        std::str::from_utf8(bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes))
    {
        s.to_string()
    } else {
        bytes.iter().map(|&b| char::from(b)).collect()
    }
}

/// One line of text as drawn.
#[derive(Debug, Default)]
struct Line {
    text: String,
    x_start: f64,
    x_end: f64,
    y: f64,
    size: f64,
}

#[derive(Default)]
struct Layout {
    pages: u32,
    /// Lines of the current page.
    lines: Vec<Line>,
    paragraphs: Vec<String>,
    /// The paragraph being built (it may continue on the next page).
    open: String,
    open_ends_short: bool,
}

pub(super) fn is_page_number(text: &str) -> bool {
    let t = text.trim();
    !t.is_empty()
        && t.chars().any(|c| c.is_ascii_digit())
        && t.chars().all(|c| {
            c.is_ascii_digit()
                || c.is_whitespace()
                || matches!(c, '-' | '—' | '–' | '第' | '页' | '/')
        })
        && t.chars().filter(char::is_ascii_digit).count() <= 4
}

fn ends_sentence(text: &str) -> bool {
    text.trim_end().chars().last().is_some_and(|c| {
        matches!(
            c,
            '。' | '！'
                | '？'
                | '：'
                | '；'
                | '.'
                | '!'
                | '?'
                | ':'
                | '”'
                | '"'
                | '」'
                | '）'
                | ')'
        )
    })
}

impl Layout {
    /// Turns the page's lines into paragraphs.
    fn end_page_lines(&mut self) {
        let mut lines = std::mem::take(&mut self.lines);
        lines.retain(|l| !l.text.trim().is_empty());
        if lines.first().is_some_and(|l| is_page_number(&l.text)) {
            lines.remove(0);
        }
        if lines.last().is_some_and(|l| is_page_number(&l.text)) {
            lines.pop();
        }
        if lines.is_empty() {
            return;
        }
        let left = lines
            .iter()
            .map(|l| l.x_start)
            .fold(f64::INFINITY, f64::min);
        let right = lines
            .iter()
            .map(|l| l.x_end)
            .fold(f64::NEG_INFINITY, f64::max);
        let mut previous: Option<&Line> = None;
        for line in &lines {
            let size = line.size.max(1.0);
            let new_paragraph = match previous {
                None => self.open.is_empty() || (self.open_ends_short && ends_sentence(&self.open)),
                Some(p) => {
                    let gap = (p.y - line.y).abs();
                    gap > 1.9 * size
                        || line.x_start > left + 1.5 * size
                        || (p.x_end < right - 2.0 * size && ends_sentence(&p.text))
                }
            };
            if new_paragraph && !self.open.is_empty() {
                self.paragraphs.push(std::mem::take(&mut self.open));
            }
            join_wrapped(&mut self.open, &line.text);
            self.open_ends_short = line.x_end < right - 2.0 * size;
            previous = Some(line);
        }
    }

    fn finish(&mut self) -> String {
        if !self.open.is_empty() {
            self.paragraphs.push(std::mem::take(&mut self.open));
        }
        super::paragraphs(self.paragraphs.iter().map(String::as_str))
    }
}

impl OutputDev for Layout {
    fn begin_page(
        &mut self,
        _page_num: u32,
        _media_box: &MediaBox,
        _art_box: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), OutputError> {
        self.pages += 1;
        Ok(())
    }

    fn end_page(&mut self) -> Result<(), OutputError> {
        self.end_page_lines();
        Ok(())
    }

    fn output_character(
        &mut self,
        trm: &Transform,
        width: f64,
        _spacing: f64,
        font_size: f64,
        text: &str,
    ) -> Result<(), OutputError> {
        let scale = (trm.m11 * trm.m22 - trm.m12 * trm.m21).abs().sqrt();
        let size = (font_size * scale).abs().max(0.1);
        let (x, y) = (trm.m31, trm.m32);
        let advance = width * size;
        let same_line = self
            .lines
            .last()
            .is_some_and(|l| (l.y - y).abs() <= 0.5 * size && x >= l.x_start - 0.5 * size);
        if !same_line {
            self.lines.push(Line {
                text: String::new(),
                x_start: x,
                x_end: x,
                y,
                size,
            });
        }
        let line = self.lines.last_mut().expect("a line was just pushed");
        if text.chars().all(char::is_whitespace) {
            if !line.text.is_empty() && !line.text.ends_with(' ') {
                line.text.push(' ');
            }
        } else {
            let gap = x - line.x_end;
            let last = line.text.chars().last();
            let first = text.chars().next();
            let chinese = last.is_some_and(super::joins_without_space)
                && first.is_some_and(super::joins_without_space);
            if gap > 0.15 * size && !line.text.is_empty() && !line.text.ends_with(' ') && !chinese {
                line.text.push(' ');
            }
            line.text.push_str(text);
        }
        line.x_end = line.x_end.max(x + advance);
        line.size = line.size.max(size);
        Ok(())
    }

    fn begin_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn end_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn end_line(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
}
