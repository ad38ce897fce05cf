//! Poppler's `pdftotext` as the second reader of PDFs: pdf-extract does not
//! know the predefined CJK encodings (a non-embedded STSong-Light with
//! `UniGB-UCS2-H`, `GBK-EUC-H`, `B5pc-H`… as ReportLab, Distiller and older
//! publishing systems write them); Poppler reads them with its CMaps
//! (Debian `poppler-utils` with `poppler-data`).
//!
//! It is asked for its layout (`-bbox-layout`: pages, blocks, lines, words
//! with their boxes), not its plain text: the plain text runs a page's
//! paragraphs together with single line breaks, so "战略" ending a heading and
//! "互联网" opening the next paragraph would read as one phrase. Poppler's
//! blocks are the paragraphs; a block's lines are joined by the same rule as
//! pdf-extract's (no space between Chinese characters, `inter-`+`national`),
//! a paragraph that runs to the right edge of a page's last block without
//! ending its sentence goes on into the next page's first, and a page number
//! alone as a page's first or last block is dropped.

use std::process::Command;
use std::sync::OnceLock;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

/// The Debian package that provides `pdftotext`.
pub const PACKAGE: &str = "poppler-utils";

/// Whether `pdftotext` runs on this machine (asked once).
pub fn available() -> bool {
    static AVAILABLE: OnceLock<bool> = OnceLock::new();
    *AVAILABLE.get_or_init(|| super::runs("pdftotext", "-v"))
}

/// The text of a PDF as `pdftotext` lays it out, joined into paragraphs.
pub fn pdftotext(bytes: &[u8]) -> Result<String, String> {
    let out = super::run_on_bytes(bytes, ".pdf", "pdftotext failed too", |path| {
        let mut command = Command::new("pdftotext");
        command
            .args(["-bbox-layout", "-enc", "UTF-8", "-q"])
            .arg(path)
            .arg("-");
        command
    })?;
    let pages = layout(&String::from_utf8_lossy(&out))?;
    Ok(paragraphs(&pages))
}

/// One line of a block: its text (words joined) and its box.
#[derive(Debug, Default)]
struct BoxLine {
    text: String,
    x_max: f64,
    height: f64,
}

/// A page's blocks, each a list of lines.
type Page = Vec<Vec<BoxLine>>;

fn number(e: &BytesStart, name: &str) -> f64 {
    e.try_get_attribute(name)
        .ok()
        .flatten()
        .and_then(|a| a.value.parse().ok())
        .unwrap_or(0.0)
}

/// The pages of `pdftotext -bbox-layout`'s XHTML.
fn layout(xhtml: &str) -> Result<Vec<Page>, String> {
    let mut reader = Reader::from_str(xhtml);
    let mut pages: Vec<Page> = Vec::new();
    let mut word: Option<String> = None;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => match e.local_name().as_ref() {
                "page" => pages.push(Vec::new()),
                "block" => {
                    if let Some(page) = pages.last_mut() {
                        page.push(Vec::new());
                    }
                }
                "line" => {
                    if let Some(block) = pages.last_mut().and_then(|p| p.last_mut()) {
                        block.push(BoxLine {
                            text: String::new(),
                            x_max: number(&e, "xMax"),
                            height: number(&e, "yMax") - number(&e, "yMin"),
                        });
                    }
                }
                "word" => word = Some(String::new()),
                _ => {}
            },
            Ok(Event::Text(t)) => {
                if let Some(w) = word.as_mut() {
                    w.push_str(&t.html_content());
                }
            }
            Ok(Event::GeneralRef(r)) => {
                if let Some(w) = word.as_mut() {
                    w.push_str(&super::docx::resolve_ref(&r));
                }
            }
            Ok(Event::End(e)) if e.local_name().as_ref() == "word" => {
                let (Some(w), Some(line)) = (
                    word.take(),
                    pages
                        .last_mut()
                        .and_then(|p| p.last_mut())
                        .and_then(|b| b.last_mut()),
                ) else {
                    continue;
                };
                // Words of a line: no space between Chinese characters.
                let chinese = line
                    .text
                    .chars()
                    .last()
                    .is_some_and(super::joins_without_space)
                    && w.chars().next().is_some_and(super::joins_without_space);
                if !line.text.is_empty() && !chinese {
                    line.text.push(' ');
                }
                line.text.push_str(&w);
            }
            Ok(Event::Eof) => break,
            Err(e) => {
                return Err(format!(
                    "pdftotext's layout is not well-formed at byte {}: {e}",
                    reader.error_position()
                ));
            }
            _ => {}
        }
    }
    Ok(pages)
}

/// Poppler's blocks as paragraphs, by the rules of the module's header.
fn paragraphs(pages: &[Page]) -> String {
    let mut paragraphs: Vec<String> = Vec::new();
    let mut open = String::new();
    // The open paragraph's block ran to its right edge on its last line.
    let mut runs_on = false;
    for page in pages {
        let mut blocks: Vec<&Vec<BoxLine>> = page.iter().filter(|b| !b.is_empty()).collect();
        let page_number =
            |b: &&Vec<BoxLine>| b.len() == 1 && super::pdf::is_page_number(&b[0].text);
        if blocks.first().is_some_and(page_number) {
            blocks.remove(0);
        }
        if blocks.last().is_some_and(page_number) {
            blocks.pop();
        }
        for (i, block) in blocks.iter().enumerate() {
            let continues = i == 0 && runs_on && !super::pdf::ends_sentence(&open);
            if !continues && !open.is_empty() {
                paragraphs.push(std::mem::take(&mut open));
            }
            for line in block.iter() {
                super::join_wrapped(&mut open, &line.text);
            }
            let right = block
                .iter()
                .map(|l| l.x_max)
                .fold(f64::NEG_INFINITY, f64::max);
            runs_on = block.len() > 1
                && block
                    .last()
                    .is_some_and(|l| l.x_max >= right - 2.0 * l.height.max(1.0));
        }
    }
    if !open.is_empty() {
        paragraphs.push(open);
    }
    super::paragraphs(paragraphs.iter().map(String::as_str))
}

#[cfg(test)]
mod tests {
    use super::{layout, paragraphs};

    fn line(x_max: f64, words: &[&str]) -> String {
        format!(
            "<line xMin=\"50\" yMin=\"100\" xMax=\"{x_max}\" yMax=\"112\">{}</line>",
            words
                .iter()
                .map(|w| format!("<word xMin=\"0\" yMin=\"0\" xMax=\"0\" yMax=\"0\">{w}</word>"))
                .collect::<String>()
        )
    }

    #[test]
    fn blocks_are_paragraphs_and_a_full_last_line_runs_on_into_the_next_page() {
        let page = |blocks: &[Vec<String>]| {
            format!(
                "<page width=\"600\" height=\"800\"><flow>{}</flow></page>",
                blocks
                    .iter()
                    .map(|b| format!("<block>{}</block>", b.concat()))
                    .collect::<String>()
            )
        };
        let xhtml = format!(
            "<html><body><doc>{}{}</doc></body></html>",
            page(&[
                vec![line(300.0, &["网络空间国际合作战略"])],
                vec![
                    line(500.0, &["各国应尊重网络主"]),
                    line(500.0, &["权，共同构建网络空间"]),
                ],
                vec![line(60.0, &["1"])],
            ]),
            page(&[
                vec![line(200.0, &["命运共同体。"]), line(200.0, &["A &amp; B."])],
                vec![
                    line(400.0, &["An inter-"]),
                    line(300.0, &["national", "order."])
                ],
            ])
        );
        let pages = layout(&xhtml).expect("layout");
        assert_eq!(
            paragraphs(&pages),
            "网络空间国际合作战略\n各国应尊重网络主权，共同构建网络空间命运共同体。A & B.\nAn international order."
        );
    }
}
