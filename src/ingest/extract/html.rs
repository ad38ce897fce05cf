//! HTML pages: the readable text of the article, its title and its date.
//!
//! The page is decoded in the encoding it declares (BOM, then `<meta charset>`
//! or `http-equiv`), else UTF-8 when it is valid, else the encoding chardetng
//! guesses — GBK/GB18030 pages from Chinese government sites are common.
//! html5ever (through scraper) parses and decodes entities; scripts, styles,
//! navigation, headers, footers, forms and elements whose class or id names
//! them (`nav`, `menu`, `breadcrumb`, `footer`, `share`, …) are dropped.
//! When the page marks its article (`<article>`, `<main>`, or the content
//! containers of common Chinese government CMSs) only that part is read.

use std::sync::LazyLock;

use encoding_rs::Encoding;
use regex::Regex;
use scraper::{ElementRef, Html, Node, Selector};

use super::{Extracted, collapse_spaces};

/// Elements whose content is never article text.
const DROPPED: &[&str] = &[
    "script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form",
    "iframe", "svg", "button", "select", "textarea", "head", "object", "embed", "canvas", "audio",
    "video", "map",
];

/// Parts of class or id names that mark page chrome.
const CHROME: &[&str] = &[
    "nav",
    "navbar",
    "menu",
    "breadcrumb",
    "breadcrumbs",
    "crumb",
    "crumbs",
    "footer",
    "foot",
    "header",
    "sidebar",
    "share",
    "copyright",
    "topbar",
    "toolbar",
    "pagination",
    "related",
    "advert",
    "ad",
    "ads",
    "banner",
    "login",
    "search",
    "skip",
];

/// Elements that start a new line.
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "br",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "section",
    "article",
    "main",
    "blockquote",
    "pre",
    "table",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "figure",
    "figcaption",
    "hr",
    "address",
    "center",
    "td",
    "th",
    "caption",
    "body",
];

/// Article containers, most specific first.
const ARTICLE: &str = "article, main, [role=main], #UCAP-CONTENT, .TRS_Editor, #zoom, #Zoom, .pages_content, .article-content, #article";

/// `<meta>` names (or properties) that carry a publication date.
const DATE_METAS: &[&str] = &[
    "pubdate",
    "publishdate",
    "publish_date",
    "publishtime",
    "firstpublishedtime",
    "article:published_time",
    "og:published_time",
    "dc.date",
    "dc.date.issued",
    "dcterms.issued",
    "dcterms.date",
    "citation_publication_date",
    "citation_date",
    "date",
];

/// Reads an HTML page.
pub fn extract(bytes: &[u8]) -> Result<Extracted, String> {
    let (text, encoding, repaired) = decode(bytes)?;
    if let Some(n) = unclosed_formatting(&text)
        && n > MAX_UNCLOSED_FORMATTING
    {
        return Err(format!(
            "the page leaves {n} formatting elements (b, i, font, a …) unclosed: an HTML parser rebuilds them at every block and would take gigabytes; repair the page (e.g. `tidy`) and index it again"
        ));
    }
    let page = Html::parse_document(&text);
    let mut out = Extracted::default();
    if encoding != encoding_rs::UTF_8 {
        out.fields
            .push(("encoding".into(), encoding.name().to_ascii_lowercase()));
    }
    let article = selector(ARTICLE)
        .and_then(|s| page.select(&s).next())
        .or_else(|| selector("body").and_then(|s| page.select(&s).next()))
        .unwrap_or_else(|| page.root_element());
    let mut lines = Vec::new();
    let mut line = String::new();
    read_text(article, &mut line, &mut lines);
    lines.push(collapse_spaces(&line));
    out.text = super::paragraphs(lines.iter().map(String::as_str));
    out.title = title(&page);
    out.date = meta_date(&page);
    if out.text.is_empty() {
        return Err(
            "the page has no readable text (only scripts, navigation or images?): skipped".into(),
        );
    }
    if repaired > 0 {
        out.fields.push((
            "encoding_errors".into(),
            format!(
                "{repaired} byte sequences not valid {} replaced with U+FFFD",
                encoding.name()
            ),
        ));
    }
    Ok(out)
}

/// More unclosed formatting elements than any real page leaves: HTML's
/// "reconstruct the active formatting elements" step copies each of them
/// into every following block, so their number times the blocks is the
/// parser's work and memory (a 386 KB page took 5 GB).
pub const MAX_UNCLOSED_FORMATTING: usize = 1_000;

/// Start tags of formatting elements minus their end tags (a byte scan, no
/// parse); `None` when there are none.
fn unclosed_formatting(text: &str) -> Option<usize> {
    const FORMATTING: [&str; 14] = [
        "a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong", "tt",
        "u",
    ];
    let bytes = text.as_bytes();
    let mut open = 0usize;
    let mut closed = 0usize;
    for at in memchr::memchr_iter(b'<', bytes) {
        let rest = &bytes[at + 1..];
        let (is_end, name_start) = match rest.first() {
            Some(b'/') => (true, &rest[1..]),
            _ => (false, rest),
        };
        let name_len = name_start
            .iter()
            .take_while(|c| c.is_ascii_alphabetic())
            .count();
        let name = &name_start[..name_len];
        if FORMATTING
            .iter()
            .any(|f| f.as_bytes().eq_ignore_ascii_case(name))
        {
            if is_end {
                closed += 1;
            } else {
                open += 1;
            }
        }
    }
    (open > 0).then(|| open.saturating_sub(closed))
}

fn selector(css: &str) -> Option<Selector> {
    Selector::parse(css).ok()
}

/// The page decoded, the encoding used and how many malformed sequences were replaced.
fn decode(bytes: &[u8]) -> Result<(String, &'static Encoding, usize), String> {
    if let Some(label) = unsupported_declaration(bytes) {
        return Err(format!(
            "the page declares the charset {label:?}, which tifa cannot decode (WHATWG maps it to the replacement encoding): save the page as UTF-8 and index it again"
        ));
    }
    let encoding = Encoding::for_bom(bytes)
        .map(|(e, _)| e)
        .or_else(|| declared_encoding(bytes))
        .unwrap_or_else(|| {
            if std::str::from_utf8(bytes).is_ok() || mostly_utf8(bytes) {
                encoding_rs::UTF_8
            } else {
                let mut detector =
                    chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
                detector.feed(bytes, true);
                detector.guess(None, chardetng::Utf8Detection::Allow)
            }
        });
    let (text, used, _) = encoding.decode(bytes);
    let repaired = if text.contains('\u{FFFD}') {
        let (_, had_errors) = used.decode_without_bom_handling(bytes);
        if had_errors {
            text.matches('\u{FFFD}').count()
        } else {
            0
        }
    } else {
        0
    };
    Ok((text.into_owned(), used, repaired))
}

/// UTF-8 with a few damaged bytes (a truncated download, one bad paste): at
/// least ten valid multi-byte characters for each invalid sequence. Such a
/// page read as windows-1252 would lose every Chinese character; a
/// windows-1252 page has (almost) no valid multi-byte sequences.
fn mostly_utf8(bytes: &[u8]) -> bool {
    let (mut multibyte, mut invalid) = (0usize, 0usize);
    for chunk in bytes.utf8_chunks() {
        multibyte += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
        if !chunk.invalid().is_empty() {
            invalid += 1;
        }
    }
    invalid > 0 && multibyte >= 10 * invalid
}

/// A declared charset that WHATWG decodes as the replacement encoding
/// (HZ-GB-2312, ISO-2022-CN/-KR, …): the whole page would become one U+FFFD.
fn unsupported_declaration(bytes: &[u8]) -> Option<String> {
    if Encoding::for_bom(bytes).is_some() {
        return None;
    }
    let label = declared_label(bytes)?;
    (Encoding::for_label(label.as_bytes()) == Some(encoding_rs::REPLACEMENT)).then_some(label)
}

/// The charset label a page declares in its first 4 KiB.
fn declared_label(bytes: &[u8]) -> Option<String> {
    static CHARSET: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?i)<meta[^>]*charset\s*=\s*["']?\s*([a-z0-9_.:\-]+)"#).expect("valid regex")
    });
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]);
    Some(CHARSET.captures(&head)?.get(1)?.as_str().to_string())
}

/// The charset a page declares in its first 4 KiB.
fn declared_encoding(bytes: &[u8]) -> Option<&'static Encoding> {
    let label = declared_label(bytes)?;
    Encoding::for_label(label.as_bytes()).map(|e| {
        // A page that declares UTF-16 but reached here has no BOM: HTML says UTF-8.
        if e == encoding_rs::UTF_16LE || e == encoding_rs::UTF_16BE {
            encoding_rs::UTF_8
        } else {
            e
        }
    })
}

fn is_chrome(element: &scraper::node::Element) -> bool {
    let named = |value: &str| {
        value
            .split(|c: char| c.is_whitespace() || c == '-' || c == '_')
            .any(|part| CHROME.contains(&part.to_ascii_lowercase().as_str()))
    };
    element.attr("class").is_some_and(named)
        || element.attr("id").is_some_and(named)
        || element.attr("role").is_some_and(|r| r == "navigation")
        || element.attr("hidden").is_some()
        || element.attr("aria-hidden") == Some("true")
}

/// The readable text below `element`, a line per block element. Walked with
/// an explicit stack, not recursion: a hostile page of 50,000 nested `<b>`
/// must not overflow the thread's stack and abort the whole build.
fn read_text(element: ElementRef, line: &mut String, lines: &mut Vec<String>) {
    enum Step<'a> {
        Enter(ego_tree::NodeRef<'a, Node>),
        /// The end of a block element: close its line.
        EndBlock,
    }
    let mut stack: Vec<Step> = element.children().rev().map(Step::Enter).collect();
    while let Some(step) = stack.pop() {
        let child = match step {
            Step::EndBlock => {
                lines.push(collapse_spaces(line));
                line.clear();
                continue;
            }
            Step::Enter(child) => child,
        };
        match child.value() {
            Node::Text(text) => line.push_str(text),
            Node::Element(e) => {
                let name = e.name();
                if DROPPED.contains(&name) || is_chrome(e) {
                    continue;
                }
                if BLOCKS.contains(&name) {
                    lines.push(collapse_spaces(line));
                    line.clear();
                    stack.push(Step::EndBlock);
                }
                stack.extend(child.children().rev().map(Step::Enter));
            }
            _ => {}
        }
    }
}

fn text_of(element: ElementRef) -> String {
    collapse_spaces(&element.text().collect::<String>())
}

/// The `<h1>` when the `<title>` contains it (the title without the site's
/// name), else the `<title>`, else the first `<h1>`.
fn title(page: &Html) -> Option<String> {
    let title = selector("title")
        .and_then(|s| page.select(&s).next())
        .map(text_of)
        .filter(|t| !t.is_empty());
    let h1s: Vec<String> = selector("h1")
        .map(|s| {
            page.select(&s)
                .map(text_of)
                .filter(|t| !t.is_empty())
                .collect()
        })
        .unwrap_or_default();
    match title {
        Some(t) => Some(
            h1s.into_iter()
                .find(|h| t.contains(h.as_str()))
                .unwrap_or(t),
        ),
        None => h1s.into_iter().next(),
    }
}

/// The first date a `<meta>` declares, as `YYYY-MM-DD` (or `YYYY-MM`).
fn meta_date(page: &Html) -> Option<String> {
    static DATE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(\d{4})\s*[-/年.]\s*(\d{1,2})(?:\s*[-/月.]\s*(\d{1,2}))?")
            .expect("valid regex")
    });
    let metas = selector("meta")?;
    for wanted in DATE_METAS {
        for meta in page.select(&metas) {
            let e = meta.value();
            let name = e
                .attr("name")
                .or_else(|| e.attr("property"))
                .or_else(|| e.attr("itemprop"))
                .unwrap_or_default();
            if !name.eq_ignore_ascii_case(wanted) {
                continue;
            }
            let Some(content) = e.attr("content") else {
                continue;
            };
            if let Some(c) = DATE.captures(content) {
                let year = &c[1];
                let month: u32 = c[2].parse().ok()?;
                return Some(
                    match c.get(3).and_then(|d| d.as_str().parse::<u32>().ok()) {
                        Some(day) => format!("{year}-{month:02}-{day:02}"),
                        None => format!("{year}-{month:02}"),
                    },
                );
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gbk_page_with_chrome() {
        let html = r#"<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>推进全球互联网治理体系变革_中国网信网</title><meta name="PubDate" content="2015/12/16 10:30">
<script>var x = "网络主权脚本";</script><style>.a{}</style></head>
<body><div class="top-nav"><a href="/">首页</a> | <a>网信要闻</a></div>
<div id="main"><h1>推进全球互联网治理体系变革</h1>
<p>尊重网络主权。《联合国宪章》确立的主权平等原则&mdash;是当代国际关系的基本准则，
覆盖国与国交往各个领域。</p><p>A&amp;B <b>cyber</b>space</p></div>
<div class="footer">版权所有 copyright</div></body></html>"#;
        let (bytes, _, _) = encoding_rs::GBK.encode(html);
        let e = extract(&bytes).expect("readable");
        assert_eq!(e.title.as_deref(), Some("推进全球互联网治理体系变革"));
        assert_eq!(e.date.as_deref(), Some("2015-12-16"));
        assert_eq!(
            e.text,
            "推进全球互联网治理体系变革\n尊重网络主权。《联合国宪章》确立的主权平等原则—是当代国际关系的基本准则，覆盖国与国交往各个领域。\nA&B cyberspace"
        );
        assert!(e.fields.contains(&("encoding".into(), "gbk".into())));
    }

    #[test]
    fn undeclared_gb18030_is_detected() {
        let (bytes, _, _) = encoding_rs::GB18030.encode(
            "<p>构建网络空间命运共同体，推进全球互联网治理体系变革，这是我们共同的责任。</p>",
        );
        let e = extract(&bytes).expect("readable");
        assert!(e.text.starts_with("构建网络空间命运共同体"), "{}", e.text);
    }

    #[test]
    fn page_without_text_is_refused() {
        let err = extract(b"<html><body><script>x()</script><img src=a.png></body></html>");
        assert!(err.unwrap_err().contains("no readable text"));
    }
}
