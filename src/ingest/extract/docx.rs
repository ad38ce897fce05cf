//! Word `.docx` files: the paragraphs of `word/document.xml` in order (tables
//! included, cell by cell), runs joined, tabs as spaces, manual line breaks
//! kept; the title from `docProps/core.xml` when set. The zip crate opens the
//! package and quick-xml reads the XML.

use std::io::{Cursor, Read};

use quick_xml::Reader;
use quick_xml::events::Event;

use super::Extracted;

/// Largest XML part read (a bound against zip bombs).
const MAX_PART_BYTES: u64 = 512 << 20;

/// Reads a `.docx` file.
pub fn extract(bytes: &[u8]) -> Result<Extracted, String> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
        format!("not a readable .docx (a .docx is a zip package: {e}); an old Word file must be named .doc to be read as one")
    })?;
    let body = part(&mut zip, "word/document.xml")?
        .ok_or("no word/document.xml in the package: not a Word document")?;
    let text = paragraphs(&body)?;
    if text.trim().is_empty() {
        return Err("the document has no text (only images?): skipped".into());
    }
    let title = match part(&mut zip, "docProps/core.xml")? {
        Some(core) => core_title(&core),
        None => None,
    };
    Ok(Extracted {
        text,
        title,
        ..Extracted::default()
    })
}

fn part(zip: &mut zip::ZipArchive<Cursor<&[u8]>>, name: &str) -> Result<Option<String>, String> {
    let file = match zip.by_name(name) {
        Ok(f) => f,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => return Err(format!("cannot read {name} in the package: {e}")),
    };
    let mut xml = String::new();
    file.take(MAX_PART_BYTES)
        .read_to_string(&mut xml)
        .map_err(|e| format!("cannot read {name} in the package: {e}"))?;
    Ok(Some(xml))
}

fn paragraphs(xml: &str) -> Result<String, String> {
    let mut reader = Reader::from_str(xml);
    let mut out = Vec::new();
    let mut paragraph = String::new();
    let mut in_text = false;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => match e.local_name().as_ref() {
                "t" => in_text = true,
                "p" => paragraph.clear(),
                _ => {}
            },
            Ok(Event::Empty(e)) => match e.local_name().as_ref() {
                "tab" => paragraph.push(' '),
                "br" | "cr" => paragraph.push('\n'),
                _ => {}
            },
            Ok(Event::Text(t)) if in_text => {
                paragraph.push_str(&t.html_content());
            }
            Ok(Event::GeneralRef(r)) if in_text => paragraph.push_str(&resolve_ref(&r)),
            Ok(Event::End(e)) => match e.local_name().as_ref() {
                "t" => in_text = false,
                "p" => {
                    for line in paragraph.split('\n') {
                        out.push(line.trim().to_string());
                    }
                    paragraph.clear();
                }
                _ => {}
            },
            Ok(Event::Eof) => break,
            Err(e) => {
                return Err(format!(
                    "word/document.xml is not well-formed XML at byte {}: {e}",
                    reader.error_position()
                ));
            }
            _ => {}
        }
    }
    Ok(super::paragraphs(out.iter().map(String::as_str)))
}

/// An entity or character reference as text (quick-xml reports them apart
/// from the text around them).
pub(super) fn resolve_ref(r: &quick_xml::events::BytesRef) -> String {
    let name: &str = r;
    match name {
        "amp" => "&".to_string(),
        "lt" => "<".to_string(),
        "gt" => ">".to_string(),
        "quot" => "\"".to_string(),
        "apos" => "'".to_string(),
        other => r
            .resolve_char_ref()
            .ok()
            .flatten()
            .map(String::from)
            .unwrap_or_else(|| format!("&{other};")),
    }
}

fn core_title(xml: &str) -> Option<String> {
    let mut reader = Reader::from_str(xml);
    let mut in_title = false;
    let mut title = String::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) if e.local_name().as_ref() == "title" => in_title = true,
            Ok(Event::End(e)) if e.local_name().as_ref() == "title" => break,
            Ok(Event::Text(t)) if in_title => title.push_str(&t.html_content()),
            // `Science &amp; Technology &lt;2020&gt;` keeps its & and < >.
            Ok(Event::GeneralRef(r)) if in_title => title.push_str(&resolve_ref(&r)),
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
    let title = title.trim();
    (!title.is_empty()).then(|| title.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_keep_escaped_characters() {
        let core = r#"<cp:coreProperties xmlns:cp="x" xmlns:dc="y"><dc:title>Science &amp; Technology &lt;2020&gt; &#x4E2D;</dc:title></cp:coreProperties>"#;
        assert_eq!(
            core_title(core).as_deref(),
            Some("Science & Technology <2020> 中")
        );
    }
}
