//! The pages and API handlers. Every string from the corpus or the request
//! goes through [`esc`] before it reaches HTML; numbers come from the same
//! library calls as the CLI's.
//!
//! The shared parts (layout, forms, errors, filters) are here; each page
//! with its CSV export and API is a file of its own.

use anyhow::Result;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use super::Params;
use crate::engine::Engine;
use crate::error::UserError;
use crate::search::{SearchOptions, Sort};

mod concordance;
mod document;
mod emerging;
mod hits;
mod report;
mod timeline;
mod trace;

pub use concordance::*;
pub use document::*;
pub use emerging::*;
pub use hits::*;
pub use report::*;
pub use timeline::*;
pub use trace::*;

/// HTML-escapes text and attribute values.
pub use crate::output::escape_html as esc;

pub(super) fn layout(title: &str, active: &str, body: &str) -> String {
    layout_for(title, active, body, None)
}

/// The page with its header; with a term, the header's views open that
/// term (search → concordance → trace → timeline → renderings, one click).
pub(super) fn layout_for(title: &str, active: &str, body: &str, term: Option<&str>) -> String {
    layout_carrying(title, active, body, term, "")
}

/// The request's filters (language, kind, collection, dates, fields) as a
/// query-string tail, for links that open another view of the same subset.
pub(super) fn carried_filters(p: &Params) -> String {
    let mut out = form_urlencoded::Serializer::new(String::new());
    for key in [
        "lang",
        "kind",
        "collection",
        "from",
        "to",
        "where",
        "where_not",
    ] {
        for value in p.all(key) {
            if !value.is_empty() {
                out.append_pair(key, &value);
            }
        }
    }
    let tail = out.finish();
    if tail.is_empty() {
        tail
    } else {
        format!("&{tail}")
    }
}

/// [`layout_for`] whose header links carry the filters too (`filters` from
/// [`carried_filters`]): the concordance opened from a filtered search is
/// the concordance of the same documents.
pub(super) fn layout_carrying(
    title: &str,
    active: &str,
    body: &str,
    term: Option<&str>,
    filters: &str,
) -> String {
    let term = term.map(str::trim).filter(|t| !t.is_empty());
    let nav = [
        ("search", "/search", "Search", Some("q")),
        ("kwic", "/kwic", "Concordance", Some("q")),
        ("trace", "/trace", "Trace", Some("term")),
        ("timeline", "/timeline", "Timeline", Some("term")),
        ("report", "/report", "Report", None),
        ("emerging", "/emerging", "Emerging", None),
        ("renderings", "/renderings", "Renderings", Some("term")),
        ("collocates", "/collocates", "Collocates", Some("term")),
        ("dossier", "/dossier", "Dossier", Some("term")),
        ("coverage", "/coverage", "Coverage", None),
        ("fields", "/fields", "Fields", None),
        ("families", "/families", "Families", None),
    ]
    .iter()
    .map(|(key, path, label, param)| {
        let href = match (term, param) {
            (Some(t), Some(name)) => {
                format!("{path}?{name}={}{}", esc(&urlencode(t)), esc(filters))
            }
            _ => (*path).to_string(),
        };
        format!(
            "<a id=\"nav-{key}\" href=\"{href}\"{}>{label}</a>",
            if *key == active {
                " class=\"active\""
            } else {
                ""
            }
        )
    })
    .collect::<Vec<_>>()
    .join("");
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{} · tifa</title><link rel=\"stylesheet\" href=\"/assets/tifa.css\"></head><body><header><span class=\"brand\" lang=\"zh\">tifa 提法</span>{nav}</header><main><h1 class=\"page-title\">{}</h1>{}</main></body></html>",
        esc(title),
        chinese_marked(&esc(title)),
        chinese_marked(body)
    )
}

/// The page's HTML with every run of Chinese text outside a tag wrapped in
/// `<span lang="zh">` (the pages are English; titles, terms, contexts and
/// sentences of the corpus are often Chinese, and a screen reader or a font
/// choice needs to know). Runs inside SVG are left alone (a span is not SVG).
pub(super) fn chinese_marked(html: &str) -> String {
    let chinese = |c: char| {
        crate::text::is_han(c)
            || matches!(c, '\u{3000}'..='\u{303F}' | '\u{FF01}'..='\u{FF5E}' | '\u{2014}' | '\u{2026}' | '\u{201C}' | '\u{201D}')
    };
    let mut out = String::with_capacity(html.len() + html.len() / 8);
    let (mut in_tag, mut in_svg, mut open) = (false, false, false);
    let mut rest = html;
    while let Some(c) = rest.chars().next() {
        if !in_tag && c == '<' {
            if open {
                out.push_str("</span>");
                open = false;
            }
            if rest.starts_with("<svg") {
                in_svg = true;
            } else if rest.starts_with("</svg>") {
                in_svg = false;
            }
            in_tag = true;
        } else if in_tag && c == '>' {
            in_tag = false;
        } else if !in_tag && !in_svg {
            // A run starts at a Han character and goes on over Chinese
            // punctuation; other text ends it.
            if !open && crate::text::is_han(c) {
                out.push_str("<span lang=\"zh\">");
                open = true;
            } else if open && !chinese(c) {
                out.push_str("</span>");
                open = false;
            }
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    if open {
        out.push_str("</span>");
    }
    out
}

pub fn error_page(status: StatusCode, message: &str) -> Response {
    (
        status,
        Html(layout(
            "Error",
            "",
            &format!("<div class=\"error\" id=\"error\">{}</div>", esc(message)),
        )),
    )
        .into_response()
}

/// A message written for the terminal, in the page's own words: the CLI's
/// flags become the names of the form's boxes.
pub(super) fn page_words(message: &str) -> String {
    const WORDS: &[(&str, &str)] = &[
        ("--where-not", "the field≠value box"),
        ("--where", "the field=value box"),
        ("--kind", "the kind box"),
        ("--collection", "the collection box"),
        ("--lang", "the language choice"),
        ("--from/--to", "the from and to boxes"),
        ("--from", "the from box"),
        ("--to", "the to box"),
        ("--group-by", "the group-by box"),
        (
            "; add --scan to allow that",
            "; the web page does not read every document: add a Chinese string or a whole word to the pattern",
        ),
        ("(all: `tifa fields`)", "(all on the Fields page)"),
    ];
    let mut out = message.to_string();
    for (cli, page) in WORDS {
        out = out.replace(cli, page);
    }
    out
}

/// The error in page words, each "Did you mean field=value" a link to the
/// same request with that value.
pub(super) fn error_html(message: &str, p: &Params, path: &str) -> String {
    let words = page_words(message);
    let mut html = esc(&words);
    const ASK: &str = "Did you mean ";
    if let Some(at) = words.find(ASK) {
        let rest = &words[at + ASK.len()..];
        let pair = rest.split(" (").next().unwrap_or("").trim_end_matches('?');
        if let Some((field, value)) = pair.split_once('=') {
            let query = match field {
                "lang" | "kind" | "collection" => p.with(&[(field, Some(value))]),
                _ => {
                    // Replace the where pair on that field, keep the others.
                    let mut others: Vec<(String, String)> = p
                        .all("where")
                        .into_iter()
                        .filter(|w| w.split('=').next() != Some(field))
                        .map(|w| ("where".to_string(), w))
                        .collect();
                    others.push(("where".to_string(), pair.to_string()));
                    let mut q = form_urlencoded::Serializer::new(p.with(&[("where", None)]));
                    for (k, v) in &others {
                        q.append_pair(k, v);
                    }
                    q.finish()
                }
            };
            let shown = esc(pair);
            // The pair right after "Did you mean" (the value asked for may
            // contain it: kind=speeches before kind=speech).
            if let Some(ask) = html.find(ASK) {
                let (before, after) = html.split_at(ask + ASK.len());
                let link = format!(
                    "<a class=\"suggestion\" href=\"{path}?{}\">{shown}</a>",
                    esc(&query)
                );
                html = format!("{before}{}", after.replacen(&shown, &link, 1));
            }
        }
    }
    format!("<div class=\"error\" id=\"error\" role=\"alert\">{html}</div>")
}

/// A page whose mistakes (a bad query, an unknown filter value) are shown
/// above its own form, filled as it was, rather than on a page of their own.
pub(super) fn keep_form(
    title: &str,
    active: &str,
    form: &str,
    p: &Params,
    path: &str,
    result: Result<Response>,
) -> Result<Response> {
    match result {
        Err(e) if crate::error::is_user_error(&e) => Ok((
            StatusCode::BAD_REQUEST,
            Html(layout(
                title,
                active,
                &format!("{}{form}", error_html(&e.to_string(), p, path)),
            )),
        )
            .into_response()),
        other => other,
    }
}

/// `context` with the characters `start..end` marked.
pub(crate) fn marked(context: &str, start: usize, end: usize) -> String {
    let before: String = context.chars().take(start).collect();
    let hit: String = context.chars().skip(start).take(end - start).collect();
    let after: String = context.chars().skip(end).collect();
    format!("{}<mark>{}</mark>{}", esc(&before), esc(&hit), esc(&after))
}

/// The filter inputs shared by the forms, filled from the request: each a
/// free-text box (several values with commas, as in the CLI) with a
/// pick-list of the index's own values and their numbers of documents, so
/// that nobody has to type `large/xwlb_cctv_news_2012_2026.jsonl.gz`.
pub(super) fn filter_inputs(p: &Params, engine: &Engine) -> String {
    let field = |name: &str, label: &str, hint: &str, list: Option<&str>| {
        format!(
            "<label>{label}<input type=\"text\" name=\"{name}\" value=\"{}\" placeholder=\"{hint}\" size=\"12\"{}></label>",
            esc(&p.all(name).join(",")),
            list.map_or(String::new(), |l| format!(" list=\"{l}\""))
        )
    };
    let datalist = |id: &str, values: &[(String, u64)]| -> String {
        let options: String = values
            .iter()
            .map(|(v, n)| {
                format!(
                    "<option value=\"{}\">{} ({n} documents)</option>",
                    esc(v),
                    esc(v)
                )
            })
            .collect();
        format!("<datalist id=\"{id}\">{options}</datalist>")
    };
    let counts = |field: &str| engine.value_counts(field).unwrap_or_default();
    let langs = counts("lang");
    let lang = p.get("lang").unwrap_or("");
    let options: String = std::iter::once(("".to_string(), "any".to_string()))
        .chain(langs.iter().map(|(v, n)| (v.clone(), format!("{v} ({n})"))))
        .map(|(v, l)| {
            format!(
                "<option value=\"{}\"{}>{}</option>",
                esc(&v),
                if v == lang { " selected" } else { "" },
                esc(&l)
            )
        })
        .collect();
    // field=value pairs of the records' own fields, most frequent values
    // first; not identifiers (id, url: one value per document), nor the
    // fields that have boxes of their own.
    let pairs: Vec<(String, u64)> = engine
        .fields_summary(20)
        .unwrap_or_default()
        .into_iter()
        .filter(|f| {
            f.distinct as u64 != f.docs
                && !matches!(f.field.as_str(), "lang" | "kind" | "collection")
        })
        .flat_map(|f| {
            f.top
                .into_iter()
                .map(move |(v, n)| (format!("{}={v}", f.field), n))
        })
        .collect();
    format!(
        "<label>language<select name=\"lang\">{options}</select></label>{}{}{}{}{}{}{}{}",
        field("kind", "kind", "any", Some("kinds")),
        datalist("kinds", &counts("kind")),
        field("collection", "collection", "any", Some("collections")),
        datalist("collections", &counts("collection")),
        field("from", "from", "yyyy[-mm[-dd]]", None),
        field("to", "to", "yyyy[-mm[-dd]]", None),
        field("where", "field=value", "any", Some("field-values")),
        datalist("field-values", &pairs),
    )
}

pub(crate) fn search_options(
    p: &Params,
    limit: Option<usize>,
    snippets: usize,
) -> Result<SearchOptions> {
    let sort = Sort::parse(p.get("sort").unwrap_or("relevance"))?;
    Ok(SearchOptions {
        limit,
        sort,
        filter: p.filter()?,
        snippets,
        pair: p.flag("pair"),
        query: p.query_options()?,
    })
}

/// The query of `q=`, with the extra families' @name words written out.
pub(crate) fn query_of(p: &Params) -> Result<String> {
    let q = p
        .get("q")
        .ok_or_else(|| UserError::BadQuery("give a query: q=…".into()))?;
    crate::server::expand_query(q)
}

// ---- search ---------------------------------------------------------------

pub(crate) const PER_PAGE: usize = 20;

#[cfg(test)]
mod tests {
    use super::chinese_marked;

    #[test]
    fn chinese_runs_are_marked_outside_tags_and_charts() {
        assert_eq!(
            chinese_marked("<q title=\"网络\">网络主权</q> in 2015: 尊重网络主权。ok"),
            "<q title=\"网络\"><span lang=\"zh\">网络主权</span></q> in 2015: <span lang=\"zh\">尊重网络主权。</span>ok"
        );
        assert_eq!(
            chinese_marked("<svg><text>网络</text></svg>主权"),
            "<svg><text>网络</text></svg><span lang=\"zh\">主权</span>"
        );
        assert_eq!(chinese_marked("no Chinese"), "no Chinese");
    }
}
