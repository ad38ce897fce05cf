//! PDF text layers, in content-stream order, rejoined into paragraphs.
//!
//! pdf-extract (over lopdf) decodes the fonts and reports each character
//! with its position; the rules here turn positions into text: a new line
//! when the baseline moves, a space inside a line only where the gap is wider
//! than a fraction of the font size and not between Chinese characters, line
//! wraps joined by [`super::join_wrapped`], and a paragraph break where the
//! gap between lines is large, the next line is indented, or the previous line
//! stops short after sentence-final punctuation. Page numbers alone on the
//! first or last line of a page are dropped. Columns are found from the x
//! positions (a gap that no line crosses, running down the page beside lines
//! on both sides) and read one after the other, top to bottom, whatever
//! order the PDF draws them in; a line spanning the columns (a heading)
//! stands between the bands above and below it.

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

/// One line of text as drawn (a run on one baseline; a wide gap on the
/// baseline starts another, which `continues` the one before it).
#[derive(Debug, Default, Clone)]
struct Line {
    text: String,
    x_start: f64,
    x_end: f64,
    y: f64,
    size: f64,
    continues: bool,
}

/// A gap on one baseline wider than this many font sizes separates two
/// runs (a column gutter, or a tab stop that stays on its line).
const RUN_GAP: f64 = 2.5;
/// Fewest lines each column must hold for a page to be read as columns.
const MIN_COLUMN_LINES: usize = 3;

/// Lines read together: a column of a band, or a line spanning the columns.
struct Block {
    lines: Vec<Line>,
    /// A heading spanning the columns, and what follows it, start paragraphs.
    breaks_before: bool,
}

/// The page's lines in reading order, in blocks: two or more columns are
/// read one after the other, each top to bottom; one column keeps the
/// drawing order, runs on one baseline joined again.
fn reading_order(lines: Vec<Line>) -> Vec<Block> {
    let size = {
        let mut sizes: Vec<f64> = lines.iter().map(|l| l.size).collect();
        sizes.sort_by(f64::total_cmp);
        sizes.get(sizes.len() / 2).copied().unwrap_or(12.0).max(1.0)
    };
    let (left, right) = (
        lines
            .iter()
            .map(|l| l.x_start)
            .fold(f64::INFINITY, f64::min),
        lines
            .iter()
            .map(|l| l.x_end)
            .fold(f64::NEG_INFINITY, f64::max),
    );
    // Lines narrower than 60 % of the text's width make the columns; the
    // union of their spans leaves the gutters.
    let narrow = |l: &Line| l.x_end - l.x_start < 0.6 * (right - left);
    let mut spans: Vec<(f64, f64)> = lines
        .iter()
        .filter(|l| narrow(l))
        .map(|l| (l.x_start, l.x_end))
        .collect();
    spans.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut gutters: Vec<f64> = Vec::new();
    let mut reach = f64::NEG_INFINITY;
    for (start, end) in spans {
        if reach > f64::NEG_INFINITY && start - reach >= size {
            gutters.push((start + reach) / 2.0);
        }
        reach = reach.max(end);
    }
    let column_of = |l: &Line| gutters.iter().filter(|&&g| l.x_start > g).count();
    let crosses = |l: &Line| gutters.iter().any(|&g| l.x_start < g && l.x_end > g);
    let columns = gutters.len() + 1;
    let mut per_column = vec![0usize; columns];
    for l in lines.iter().filter(|l| !crosses(l)) {
        per_column[column_of(l)] += 1;
    }
    if gutters.is_empty() || per_column.iter().any(|&n| n < MIN_COLUMN_LINES) {
        // One column: the runs of a baseline are one line again.
        let mut joined: Vec<Line> = Vec::new();
        for l in lines {
            match joined.last_mut() {
                Some(last) if l.continues => {
                    if !last.text.ends_with(' ') {
                        last.text.push(' ');
                    }
                    last.text.push_str(&l.text);
                    last.x_end = last.x_end.max(l.x_end);
                    last.size = last.size.max(l.size);
                }
                _ => joined.push(l),
            }
        }
        return vec![Block {
            lines: joined,
            breaks_before: false,
        }];
    }
    // Bands between the lines that cross a gutter (headings), top down.
    let mut spanning: Vec<Line> = lines.iter().filter(|l| crosses(l)).cloned().collect();
    spanning.sort_by(|a, b| b.y.total_cmp(&a.y));
    let mut blocks: Vec<Block> = Vec::new();
    for band in 0..=spanning.len() {
        let mut after_heading = band > 0;
        let top = band.checked_sub(1).map_or(f64::INFINITY, |i| spanning[i].y);
        let bottom = spanning.get(band).map_or(f64::NEG_INFINITY, |l| l.y);
        for column in 0..columns {
            let mut block: Vec<Line> = lines
                .iter()
                .filter(|l| !crosses(l) && column_of(l) == column && l.y < top && l.y > bottom)
                .cloned()
                .collect();
            // Top to bottom (PDF y grows upwards); the drawing order breaks ties.
            block.sort_by(|a, b| b.y.total_cmp(&a.y));
            if !block.is_empty() {
                blocks.push(Block {
                    lines: block,
                    breaks_before: std::mem::take(&mut after_heading),
                });
            }
        }
        if let Some(l) = spanning.get(band) {
            blocks.push(Block {
                lines: vec![l.clone()],
                breaks_before: true,
            });
        }
    }
    blocks
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

pub(super) fn ends_sentence(text: &str) -> bool {
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
    /// Turns the page's lines into paragraphs, column by column.
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
        for block in reading_order(lines) {
            if block.breaks_before && !self.open.is_empty() {
                self.paragraphs.push(std::mem::take(&mut self.open));
            }
            self.block_paragraphs(&block.lines);
        }
    }

    /// The paragraphs of one block of lines (its own left and right edges).
    fn block_paragraphs(&mut self, lines: &[Line]) {
        let left = lines
            .iter()
            .map(|l| l.x_start)
            .fold(f64::INFINITY, f64::min);
        let right = lines
            .iter()
            .map(|l| l.x_end)
            .fold(f64::NEG_INFINITY, f64::max);
        let mut previous: Option<&Line> = None;
        for line in lines {
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
        let same_baseline = self
            .lines
            .last()
            .is_some_and(|l| (l.y - y).abs() <= 0.5 * size && x >= l.x_start - 0.5 * size);
        // A wide gap on the baseline starts a run of its own (a column).
        let far = self
            .lines
            .last()
            .is_some_and(|l| !l.text.is_empty() && x - l.x_end > RUN_GAP * size);
        if !same_baseline || far {
            self.lines.push(Line {
                text: String::new(),
                x_start: x,
                x_end: x,
                y,
                size,
                continues: same_baseline,
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
