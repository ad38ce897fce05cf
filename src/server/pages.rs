//! The pages and API handlers. Every string from the corpus or the request
//! goes through [`esc`] before it reaches HTML; numbers come from the same
//! library calls as the CLI's.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::sync::Arc;

use anyhow::Result;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use super::{AppState, MAX_PAGE, Params, UrlId, download, json_response, work};
use crate::engine::Engine;
use crate::error::UserError;
use crate::history::{self, Period, TimelineOptions, TraceOptions};
use crate::kwic::{self, KwicOptions, KwicSort};
use crate::search::{self, SearchOptions, SearchResult, Sort};
use crate::terms::{self, Families, Subject};

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
fn marked(context: &str, start: usize, end: usize) -> String {
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

fn search_options(p: &Params, limit: Option<usize>, snippets: usize) -> Result<SearchOptions> {
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

fn query_of(p: &Params) -> Result<String> {
    p.get("q")
        .map(str::to_string)
        .ok_or_else(|| UserError::BadQuery("give a query: q=…".into()).into())
}

// ---- search ---------------------------------------------------------------

const PER_PAGE: usize = 20;

pub async fn search_page(State(s): State<Arc<AppState>>, RawQuery(raw): RawQuery) -> Response {
    let p = Params::parse(raw);
    work(&s, false, move |engine| {
        let q = p.get("q").unwrap_or("").to_string();
        let mut body = format!(
            "<form class=\"query\" method=\"get\" action=\"/search\"><label>query<input class=\"q\" type=\"text\" name=\"q\" value=\"{}\" autofocus></label>{}<label>sort<select name=\"sort\">{}</select></label><button type=\"submit\" id=\"go\">Search</button></form>\
             <p class=\"help\" id=\"search-help\">A query is a phrase, as with grep; AND, OR, NOT (upper case), \"quotes\", patterns with <code>?</code> and <code>*</code>, <code>A NEAR/3 B</code> (within 3 words or characters), <code>/regex/</code>. Examples: {}.</p>",
            esc(&q),
            filter_inputs(&p, engine),
            ["relevance", "date", "-date"]
                .iter()
                .map(|v| format!(
                    "<option{}>{v}</option>",
                    if p.get("sort") == Some(v) { " selected" } else { "" }
                ))
                .collect::<String>(),
            super::SEARCH_EXAMPLES
                .iter()
                .map(|q| example_link(q))
                .collect::<Vec<_>>()
                .join(", ")
        );
        if q.is_empty() {
            body.push_str(&corpus_line(engine));
            return Ok(Html(layout("Search", "search", &body)).into_response());
        }
        let form = body.clone();
        let result = (|| -> Result<Response> {
        let page = p.number("page", 1, 1_000_000)?.max(1);
        // All documents (for totals and breakdowns); snippets (and their
        // translations, unless pair=0) for the page only.
        let mut options = search_options(&p, None, 0)?;
        options.pair = false;
        // Page 2 of an expensive search is read from the evaluation of page 1.
        let (all, cached) = engine.evaluations.get_or(
            format!("search {}", p.with(&[("page", None), ("pair", None)])),
            || search::search(engine, &q, &options),
        )?;
        let pairs = !matches!(p.get("pair"), Some("0" | "off" | "false" | "no"));
        let literals: Vec<crate::matcher::Literal> =
            crate::query::parse_with(&q, &p.query_options()?)
                .map(|e| e.positive_terms().into_iter().cloned().collect())
                .unwrap_or_default();
        let from = (page - 1) * PER_PAGE;
        let mut page_hits: Vec<search::Hit> = all.hits.iter().skip(from).take(PER_PAGE).cloned().collect();
        for h in &mut page_hits {
            if let Some(address) = engine.address_of(&h.id)? {
                let doc = engine.stored(address)?;
                h.snippets = search::snippets(&doc, &literals, 3);
                if pairs {
                    search::attach_pairs(engine, &doc, &mut h.snippets)?;
                }
            }
        }
        body.push_str(&search_results(&p, &q, &all, &page_hits, page));
        Ok(super::from_cache(cached, Html(layout_carrying(&format!("{q} — search"), "search", &body, Some(&q), &carried_filters(&p))).into_response()))
        })();
        keep_form("Search", "search", &form, &p, "/search", result)
    })
    .await
}

/// A help example that runs when clicked.
fn example_link(q: &str) -> String {
    format!(
        "<a class=\"example\" href=\"/search?q={}\"><code>{}</code></a>",
        esc(&urlencode(q)),
        esc(q)
    )
}

fn corpus_line(engine: &Engine) -> String {
    let m = &engine.manifest;
    format!(
        "<p class=\"small\">The index holds {} documents ({} – {}).</p>",
        m.documents,
        esc(m.first_date.as_deref().unwrap_or("?")),
        esc(m.last_date.as_deref().unwrap_or("?"))
    )
}

fn search_results(
    p: &Params,
    q: &str,
    all: &SearchResult,
    page_hits: &[search::Hit],
    page: usize,
) -> String {
    let mut b = String::new();
    let occurrences: u64 = all.hits.iter().map(|h| u64::from(h.occurrences)).sum();
    let _ = write!(
        b,
        "<p class=\"summary\" id=\"summary\"><b id=\"total\">{}</b> documents, <b id=\"occurrences\">{occurrences}</b> occurrences of <q>{}</q></p>",
        all.total,
        esc(q)
    );
    // Translations under the passages of paired documents: on unless pair=0.
    let hidden = matches!(p.get("pair"), Some("0" | "off" | "false" | "no"));
    let _ = write!(
        b,
        "<p class=\"small\" id=\"pair-toggle\">{} <a href=\"/search?{}\">{}</a></p>",
        if hidden {
            "Translations of paired documents are hidden."
        } else {
            "Under a passage of a document with a translation stands the aligned paragraph (⟷)."
        },
        esc(&p.with(&[("pair", if hidden { None } else { Some("0") })])),
        if hidden { "Show them" } else { "Hide them" }
    );
    for w in &all.warnings {
        let _ = write!(b, "<p class=\"note\">{}</p>", esc(w));
    }
    if let Some(h) = &all.hint {
        let _ = write!(b, "<p class=\"note\" id=\"hint\">{}</p>", esc(h));
    }
    let qs = p.with(&[("page", None)]);
    let _ = write!(
        b,
        "<p class=\"exports\">Export all {} documents: <a id=\"export-csv\" href=\"/export/search.csv?{qs}\">CSV</a><a href=\"/api/search?{}\">JSON</a> · <a id=\"to-kwic\" href=\"/kwic?{qs}\">concordance of every occurrence</a> · <a href=\"/trace?{}\">trace</a> · <a href=\"/timeline?{}\">timeline</a> · <a id=\"to-dossier\" href=\"/dossier?{}\">dossier</a></p>",
        all.total,
        p.with(&[("page", None), ("all", Some("true"))]),
        term_link(q),
        term_link(q),
        term_link(q)
    );
    // Breakdowns: each count links to the search with that filter; its total is the count.
    let mut by: [BTreeMap<String, usize>; 4] = Default::default();
    for h in &all.hits {
        let year = h
            .date
            .as_deref()
            .map_or("undated".to_string(), |d| d[..4.min(d.len())].to_string());
        *by[0].entry(year).or_default() += 1;
        *by[1].entry(h.kind.clone()).or_default() += 1;
        *by[2].entry(h.lang.clone()).or_default() += 1;
        *by[3]
            .entry(h.meta.get("collection").cloned().unwrap_or_default())
            .or_default() += 1;
    }
    b.push_str("<div class=\"breakdowns\">");
    for (i, (title, map)) in ["year", "kind", "language", "collection"]
        .iter()
        .zip(&by)
        .enumerate()
    {
        let _ = write!(
            b,
            "<table id=\"by-{title}\"><tr><th>{title}</th><th class=\"num\">documents</th></tr>"
        );
        for (value, n) in map {
            let link = match (i, value.as_str()) {
                (0, "undated") => None,
                (0, y) => Some(p.with(&[("page", None), ("from", Some(y)), ("to", Some(y))])),
                (1, v) => Some(p.with(&[("page", None), ("kind", Some(v))])),
                (2, v) => Some(p.with(&[("page", None), ("lang", Some(v))])),
                (_, "") => None,
                (_, v) => Some(p.with(&[("page", None), ("collection", Some(v))])),
            };
            let cell = match link {
                Some(l) => format!("<a class=\"count\" href=\"/search?{l}\">{n}</a>"),
                None => n.to_string(),
            };
            let _ = write!(
                b,
                "<tr><td>{}</td><td class=\"num\">{cell}</td></tr>",
                esc(value)
            );
        }
        b.push_str("</table>");
    }
    b.push_str("</div>");
    for h in page_hits {
        let _ = write!(
            b,
            "<div class=\"hit\"><div><b>{}</b> <a class=\"title\" href=\"/doc/{}?q={}\">{}</a></div><div class=\"meta\">{} · {} · {} · {} occurrence{}{}</div>",
            esc(h.date.as_deref().unwrap_or("undated")),
            esc(&urlencode(&h.id)),
            esc(&urlencode(q)),
            esc(&h.title),
            esc(&h.id),
            esc(&h.lang),
            esc(&h.kind),
            h.occurrences,
            if h.occurrences == 1 { "" } else { "s" },
            h.meta
                .get("collection")
                .map_or(String::new(), |c| format!(" · {}", esc(c)))
        );
        for sn in &h.snippets {
            let _ = write!(
                b,
                "<div class=\"snippet\">{}{}</div>",
                if sn.field == "title" { "[title] " } else { "" },
                marked(&sn.context, sn.highlight.0, sn.highlight.1)
            );
            // The aligned paragraph of the document's translation.
            if let Some(pair) = &sn.pair {
                let short: String = pair.chars().take(400).collect();
                let _ = write!(
                    b,
                    "<div class=\"pair\" lang=\"{}\">⟷ {}{}</div>",
                    if h.lang == "en" { "zh" } else { "en" },
                    esc(&short),
                    if pair.chars().count() > 400 {
                        "…"
                    } else {
                        ""
                    }
                );
            }
        }
        b.push_str("</div>");
    }
    let pages = all.total.div_ceil(PER_PAGE).max(1);
    let _ = write!(b, "<p class=\"pager\">page {page} of {pages} ");
    if page > 1 {
        let _ = write!(
            b,
            "<a href=\"/search?{}\">previous</a>",
            p.with(&[("page", Some(&(page - 1).to_string()))])
        );
    }
    if page < pages {
        let _ = write!(
            b,
            "<a id=\"next\" href=\"/search?{}\">next</a>",
            p.with(&[("page", Some(&(page + 1).to_string()))])
        );
    }
    b.push_str("</p>");
    b
}

pub(super) fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// `term=…` for a query that is a single phrase (quotes stripped by the term rules).
fn term_link(q: &str) -> String {
    format!("term={}", urlencode(q))
}

pub async fn search_csv(State(s): State<Arc<AppState>>, RawQuery(raw): RawQuery) -> Response {
    let p = Params::parse(raw);
    work(&s, false, move |engine| {
        let q = query_of(&p)?;
        let r = search::search(engine, &q, &search_options(&p, None, 0)?)?;
        let mut w = Vec::new();
        search::write_csv(&mut w, &r)?;
        Ok(download("text/csv; charset=utf-8", "search.csv", w))
    })
    .await
}

pub async fn api_search(State(s): State<Arc<AppState>>, RawQuery(raw): RawQuery) -> Response {
    let p = Params::parse(raw);
    work(&s, true, move |engine| {
        let q = query_of(&p)?;
        let limit = if p.flag("all") {
            None
        } else {
            Some(p.number("limit", 10, MAX_PAGE)?)
        };
        let snippets = p.number("snippets", 3, 20)?;
        json_response(&search::search(
            engine,
            &q,
            &search_options(&p, limit, snippets)?,
        )?)
    })
    .await
}

// ---- concordance ----------------------------------------------------------

fn kwic_options(p: &Params) -> Result<KwicOptions> {
    let sort = KwicSort::parse(p.get("sort").unwrap_or("date"))?;
    Ok(KwicOptions {
        filter: p.filter()?,
        width: p.number("width", 20, 200)?,
        sort,
        sample: match p.get("sample") {
            Some(_) => Some(p.number("sample", 0, 1_000_000)?),
            None => None,
        },
        seed: p.number("seed", 1, usize::MAX)? as u64,
        query: p.query_options()?,
        max_lines: Some(crate::server::MAX_KWIC_LINES),
    })
}

pub async fn kwic_page(State(s): State<Arc<AppState>>, RawQuery(raw): RawQuery) -> Response {
    let p = Params::parse(raw);
    work(&s, false, move |engine| {
        let q = p.get("q").unwrap_or("").to_string();
        let mut b = format!(
            "<form class=\"query\" method=\"get\" action=\"/kwic\"><label>query<input class=\"q\" type=\"text\" name=\"q\" value=\"{}\"></label>{}<label>width<input type=\"text\" name=\"width\" size=\"3\" value=\"{}\"></label><input type=\"hidden\" name=\"sort\" value=\"{}\"><button type=\"submit\">Concordance</button></form>",
            esc(&q),
            filter_inputs(&p, engine),
            p.number("width", 20, 200)?,
            esc(p.get("sort").unwrap_or("date"))
        );
        if q.is_empty() {
            return Ok(Html(layout("Concordance", "kwic", &b)).into_response());
        }
        let form = b.clone();
        let result = (|| -> Result<Response> {
        let options = kwic_options(&p)?;
        // Page 2 of a long concordance is read from the lines of page 1.
        let (k, cached) = engine.evaluations.get_or(
            format!("kwic {}", p.with(&[("page", None)])),
            || kwic::kwic(engine, &q, &options),
        )?;
        let page = p.number("page", 1, 1_000_000)?.max(1);
        let per = p.number("per_page", 200, MAX_PAGE)?.max(1);
        let _ = write!(
            b,
            "<p class=\"summary\"><b id=\"kwic-total\">{}</b> occurrences in {} documents of <q>{}</q></p><p class=\"sorts\">sort by: {}</p><p class=\"exports\">Export all {} lines: <a href=\"/export/kwic.csv?{}\">CSV</a><a href=\"/api/kwic?{}\">JSON</a></p>",
            k.total,
            k.docs,
            esc(&q),
            ["left", "right", "date", "id"]
                .iter()
                .map(|s| format!("<a id=\"sort-{s}\" href=\"/kwic?{}\">{s}</a>", p.with(&[("sort", Some(s)), ("page", None)])))
                .collect::<String>(),
            k.lines.len(),
            p.with(&[("page", None)]),
            p.with(&[("page", None)]),
        );
        // Each line's number among its document's matches (title first, then
        // text, in order): the document page numbers its marks the same way.
        let mut of_doc: HashMap<&str, Vec<(bool, usize, usize)>> = HashMap::new();
        for (i, l) in k.lines.iter().enumerate() {
            of_doc.entry(l.id.as_str()).or_default().push((l.field != "title", l.start, i));
        }
        let mut match_number = vec![0usize; k.lines.len()];
        for lines in of_doc.values_mut() {
            lines.sort_unstable();
            for (n, &(_, _, i)) in lines.iter().enumerate() {
                match_number[i] = n + 1;
            }
        }
        // The contexts are shown whole: a wide concordance scrolls sideways
        // in its box rather than cutting any context.
        b.push_str("<div class=\"kwic-box\"><table class=\"kwic data\" id=\"kwic\"><tr><th>date</th><th>document</th><th class=\"num\">left</th><th>hit</th><th>right</th></tr>");
        for (i, l) in k.lines.iter().enumerate().skip((page - 1) * per).take(per) {
            let _ = write!(
                b,
                "<tr lang=\"{}\"><td>{}</td><td class=\"doc\"><a class=\"line-doc\" href=\"/doc/{}?q={}#m{}\" title=\"{}\">{}</a>{}</td><td class=\"left\"><span class=\"ctx\">{}</span></td><td class=\"hit\"><mark>{}</mark></td><td class=\"right\">{}</td></tr>",
                if l.hit.chars().any(crate::text::is_han) { "zh" } else { "en" },
                esc(l.date.as_deref().unwrap_or("undated")),
                esc(&urlencode(&l.id)),
                esc(&urlencode(&q)),
                match_number[i],
                esc(&l.id),
                esc(&l.title),
                l.ocr_note().map_or(String::new(), |n| format!(" <span class=\"ocr small\">{}</span>", esc(&n))),
                esc(&l.left),
                esc(&l.hit),
                esc(&l.right)
            );
        }
        b.push_str("</table></div>");
        let pages = k.lines.len().div_ceil(per).max(1);
        if pages > 1 {
            let _ = write!(b, "<p class=\"pager\">lines {}–{} of {} (page {page} of {pages}) ", (page - 1) * per + 1, (page * per).min(k.lines.len()), k.lines.len());
            if page < pages {
                let _ = write!(b, "<a href=\"/kwic?{}\">next</a>", p.with(&[("page", Some(&(page + 1).to_string()))]));
            }
            b.push_str("</p>");
        }
        Ok(super::from_cache(cached, Html(layout_carrying(&format!("{q} — concordance"), "kwic", &b, Some(&q), &carried_filters(&p))).into_response()))
        })();
        keep_form("Concordance", "kwic", &form, &p, "/kwic", result)
    })
    .await
}

pub async fn kwic_csv(State(s): State<Arc<AppState>>, RawQuery(raw): RawQuery) -> Response {
    let p = Params::parse(raw);
    work(&s, false, move |engine| {
        let q = query_of(&p)?;
        let options = kwic_options(&p)?;
        // The lines the concordance page showed, when it is kept.
        let (k, _) = engine
            .evaluations
            .get_or(format!("kwic {}", p.with(&[("page", None)])), || {
                kwic::kwic(engine, &q, &options)
            })?;
        let mut body = Vec::new();
        kwic::write_csv(&mut body, &k)?;
        Ok(download("text/csv; charset=utf-8", "concordance.csv", body))
    })
    .await
}

pub async fn api_kwic(State(s): State<Arc<AppState>>, RawQuery(raw): RawQuery) -> Response {
    let p = Params::parse(raw);
    work(&s, true, move |engine| {
        let q = query_of(&p)?;
        // The documented cap: at most 1,000 lines a request (`limit`, from `offset`).
        let mut k = kwic::kwic(engine, &q, &kwic_options(&p)?)?;
        let limit = p.number("limit", crate::server::MAX_PAGE, crate::server::MAX_PAGE)?;
        let offset = p.number("offset", 0, usize::MAX)?;
        let shown: Vec<_> = k.lines.drain(..).skip(offset).take(limit).collect();
        k.lines = shown;
        json_response(&k)
    })
    .await
}

// ---- document -------------------------------------------------------------

pub async fn doc_page(
    State(s): State<Arc<AppState>>,
    id: UrlId,
    RawQuery(raw): RawQuery,
) -> Response {
    let p = Params::parse(raw);
    let id = id.0;
    work(&s, false, move |engine| {
        let q = p.get("q").map(str::to_string);
        let column = |doc_id: &str| -> Result<Option<String>> {
            let Some(address) = engine.address_of(doc_id)? else {
                return Ok(None);
            };
            let doc = engine.stored(address)?;
            let places = match &q {
                Some(q) => crate::query::parse_with(q, &p.query_options()?)
                    .ok()
                    .map(|e| {
                        Subject::Family(terms::Family {
                            name: String::new(),
                            description: String::new(),
                            variants: e.positive_terms().into_iter().cloned().collect(),
                        })
                    }),
                None => None,
            };
            // Marks are numbered m1, m2, … through the title, then the text:
            // a concordance line opens the document at its own match.
            let numbered = std::cell::Cell::new(0usize);
            let highlight = |text: &str| -> (String, usize) {
                let Some(places) = &places else {
                    return (esc(text), 0);
                };
                let mut out = String::new();
                let mut at = 0;
                let found = places.find(text);
                for (s, e) in &found {
                    out.push_str(&esc(&text[at..*s]));
                    numbered.set(numbered.get() + 1);
                    let _ = write!(
                        out,
                        "<mark id=\"m{}\">{}</mark>",
                        numbered.get(),
                        esc(&text[*s..*e])
                    );
                    at = *e;
                }
                out.push_str(&esc(&text[at..]));
                (out, found.len())
            };
            let (title, t_n) = highlight(&doc.title);
            let (text, x_n) = highlight(&doc.text);
            let mut c = format!(
                "<div class=\"doc\" id=\"doc-{}\"><h2>{title}</h2><table class=\"data\"><tr><th>id</th><td>{}</td></tr><tr><th>date</th><td>{}</td></tr><tr><th>language</th><td>{}</td></tr><tr><th>kind</th><td>{}</td></tr>",
                esc(&doc.lang),
                esc(&doc.id),
                esc(doc.date.as_deref().unwrap_or("undated")),
                esc(&doc.lang),
                esc(&doc.kind)
            );
            // An exact search over OCR text can miss what the scan holds.
            if let Some(confidence) = doc.meta.get("ocr_confidence") {
                let _ = write!(
                    c,
                    "<tr class=\"ocr\"><th>text</th><td id=\"ocr-note\">{}: a search can miss what the scan holds</td></tr>",
                    esc(&crate::extract::ocr::note(confidence))
                );
            }
            for (k, v) in &doc.meta {
                let value = if k == "pair" {
                    format!("<a href=\"/doc/{}\">{}</a>", esc(&urlencode(v)), esc(v))
                } else {
                    esc(v)
                };
                let _ = write!(c, "<tr><th>{}</th><td>{value}</td></tr>", esc(k));
            }
            c.push_str("</table>");
            if q.is_some() {
                let _ = write!(c, "<p class=\"small\">{} matches highlighted</p>", t_n + x_n);
            }
            let _ = write!(
                c,
                "<div class=\"doc-text\" lang=\"{}\">{text}</div></div>",
                esc(&doc.lang)
            );
            Ok(Some(c))
        };
        let Some(main) = column(&id)? else {
            return Ok(error_page(StatusCode::NOT_FOUND, &format!("No document with the id {id:?}.")));
        };
        let address = engine.address_of(&id)?;
        let pair = match address {
            Some(a) => engine.stored(a)?.meta.get("pair").cloned(),
            None => None,
        };
        // A paired document: its segments aligned row by row with its
        // translation's (the whole texts stay a link away), under both
        // documents' details.
        let body = match pair.as_deref().map(&column).transpose()?.flatten() {
            Some(other) => match super::renderings::aligned_table(engine, &id, &p)? {
                Some(table) => format!(
                    "<details class=\"pair-docs\"><summary>both documents in full</summary><div class=\"pair\">{main}{other}</div></details>{table}"
                ),
                None => format!("<div class=\"pair\" id=\"pair\">{main}{other}</div>"),
            },
            None => main,
        };
        Ok(Html(layout(&id, "", &body)).into_response())
    })
    .await
}

// ---- trace ----------------------------------------------------------------

pub(super) fn subjects_of(p: &Params, key: &str) -> Result<Vec<Subject>> {
    let terms = p.all(key);
    if terms.is_empty() {
        return Err(UserError::BadQuery(format!("give a term: {key}=…")).into());
    }
    terms::subjects(&terms, None)
}

fn trace_options(p: &Params) -> Result<TraceOptions> {
    Ok(TraceOptions {
        filter: p.filter()?,
        first: p.number("first", 5, 100)?,
        group_by: p.get("group_by").map(str::to_string),
        pair: p.flag("pair"),
    })
}

fn appearance_html(a: &history::Appearance) -> String {
    format!(
        "{}{} <a href=\"/doc/{}\">{}</a> <span class=\"small\">[{} · {} · {}{}]</span>",
        esc(&a.date),
        if a.approximate { " (approximate)" } else { "" },
        esc(&urlencode(&a.id)),
        esc(&a.title),
        esc(&a.id),
        esc(&a.lang),
        esc(&a.kind),
        a.ocr_note().map_or(String::new(), |n| format!(
            " · <span class=\"ocr\">{}</span>",
            esc(&n)
        ))
    )
}

pub async fn trace_page(State(s): State<Arc<AppState>>, RawQuery(raw): RawQuery) -> Response {
    let p = Params::parse(raw);
    work(&s, false, move |engine| {
        let term = p.all("term").join(" ");
        let mut b = format!(
            "<form class=\"query\" method=\"get\" action=\"/trace\"><label>term<input class=\"q\" type=\"text\" name=\"term\" value=\"{}\"></label>{}<label>group by<input type=\"text\" name=\"group_by\" size=\"10\" value=\"{}\"></label><button type=\"submit\">Trace</button></form><p class=\"help\">A literal term (quotes dropped), a pattern, or an @family.</p>",
            esc(&term),
            filter_inputs(&p, engine),
            esc(p.get("group_by").unwrap_or(""))
        );
        if term.is_empty() {
            return Ok(Html(layout("Trace", "trace", &b)).into_response());
        }
        let form = b.clone();
        let result = (|| -> Result<Response> {
        let traces = history::traces(engine, &subjects_of(&p, "term")?, &trace_options(&p)?)?;
        for t in &traces {
            let _ = write!(
                b,
                "<div class=\"card\" id=\"trace\"><h2>{}</h2><p class=\"summary\"><b id=\"trace-docs\">{}</b> documents, {} occurrences · <a href=\"/api/trace?{}\">JSON</a> · <a class=\"to-dossier\" href=\"/dossier?{}\">dossier</a></p>",
                esc(&t.term),
                t.docs,
                t.occurrences,
                p.with(&[]),
                p.with(&[("group_by", None)])
            );
            match &t.first {
                Some(f) => {
                    let _ = write!(b, "<p><b>first:</b> {}</p>", appearance_html(f));
                    if let Some(c) = &f.context {
                        let _ = write!(b, "<blockquote id=\"first-context\">{}</blockquote>", esc(c));
                    }
                    if f.quoted == Some(true) {
                        b.push_str("<p class=\"note\">The match stands inside quotation or title marks: the document may cite an existing formulation.</p>");
                    }
                    if !f.possibly_earlier.is_empty() {
                        let _ = write!(b, "<p class=\"small\" id=\"possibly-earlier\">Possibly earlier: {} documents dated only to a year or month that includes the first:</p><ul>", f.possibly_earlier_total);
                        for a in &f.possibly_earlier {
                            let _ = write!(b, "<li>{}</li>", appearance_html(a));
                        }
                        b.push_str("</ul>");
                    }
                }
                None => b.push_str("<p>No dated document has it.</p>"),
            }
            if let Some(t) = &t.take_off {
                let _ = write!(b, "<p><b>take-off:</b> {} ({} documents)</p>", t.year, t.docs);
            }
            if !t.early.is_empty() {
                let _ = write!(b, "<p><b>early matches to check</b> ({}):</p><ul>", t.early_total);
                for a in &t.early {
                    let _ = write!(b, "<li>{}</li>", appearance_html(a));
                }
                b.push_str("</ul>");
            }
            if let Some(c) = &t.coverage_before {
                let _ = write!(
                    b,
                    "<p><b>before:</b> {} documents in the 12 months before the first ({} – {}): {}</p>",
                    c.docs,
                    esc(&c.from),
                    esc(&c.to),
                    esc(&c.by_collection.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(", "))
                );
            }
            if let Some(l) = &t.last {
                let _ = write!(b, "<p><b>last:</b> {}</p>", appearance_html(l));
            }
            b.push_str("<p><b>earliest:</b></p><ol>");
            for a in &t.earliest {
                let _ = write!(b, "<li>{}</li>", appearance_html(a));
            }
            b.push_str("</ol><table class=\"data\"><tr><th>first by</th><th>value</th><th>first</th></tr>");
            for (what, map) in [("language", &t.first_by_lang), ("kind", &t.first_by_kind)] {
                for (k, a) in map {
                    let _ = write!(b, "<tr><td>{what}</td><td>{}</td><td>{}</td></tr>", esc(k), appearance_html(a));
                }
            }
            b.push_str("</table>");
            if let Some(groups) = &t.groups {
                let mut rows: Vec<(&String, &history::GroupFirst)> = groups.iter().collect();
                rows.sort_by(|a, b| {
                    let key = |g: &history::GroupFirst| g.first.as_ref().map(|f| f.date.clone()).unwrap_or_else(|| "9999".into());
                    key(a.1).cmp(&key(b.1)).then(a.0.cmp(b.0))
                });
                let _ = write!(b, "<h3>first by {}</h3>", esc(p.get("group_by").unwrap_or("")));
                b.push_str(&group_chart(&rows));
                b.push_str("<table class=\"data\" id=\"groups\"><tr><th>value</th><th class=\"num\">documents</th><th class=\"num\">occurrences</th><th>first</th></tr>");
                for (k, g) in rows {
                    let _ = write!(
                        b,
                        "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
                        esc(k),
                        g.docs,
                        g.occurrences,
                        g.first.as_ref().map_or("–".into(), appearance_html)
                    );
                }
                b.push_str("</table>");
            }
            if !t.variants.is_empty() {
                b.push_str("<h3>variants</h3><table class=\"data\"><tr><th>variant</th><th class=\"num\">documents</th><th class=\"num\">occurrences</th><th>first</th></tr>");
                for v in &t.variants {
                    let _ = write!(
                        b,
                        "<tr><td><a href=\"/trace?term={}\">{}</a></td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
                        esc(&urlencode(&v.term)),
                        esc(&v.term),
                        v.docs,
                        v.occurrences,
                        v.first.as_ref().map_or("–".into(), |a| esc(&a.date))
                    );
                }
                b.push_str("</table>");
            }
            b.push_str("</div>");
        }
        Ok(Html(layout_carrying(&format!("{term} — trace"), "trace", &b, Some(&term), &carried_filters(&p))).into_response())
        })();
        keep_form("Trace", "trace", &form, &p, "/trace", result)
    })
    .await
}

/// First-use year per group as a dot chart (inline SVG, no script).
fn group_chart(rows: &[(&String, &history::GroupFirst)]) -> String {
    let dated: Vec<(&String, i32)> = rows
        .iter()
        .filter_map(|(k, g)| {
            g.first
                .as_ref()
                .and_then(|f| f.date.get(..4))
                .and_then(|y| y.parse().ok())
                .map(|y| (*k, y))
        })
        .take(60)
        .collect();
    let (Some(y0), Some(y1)) = (
        dated.iter().map(|d| d.1).min(),
        dated.iter().map(|d| d.1).max(),
    ) else {
        return String::new();
    };
    let (w, row) = (720.0, 14.0);
    let h = row * dated.len() as f64 + 30.0;
    let x = |y: i32| 120.0 + (f64::from(y - y0) / f64::from((y1 - y0).max(1))) * (w - 160.0);
    let mut s = format!(
        "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\"><title>first use per value</title>"
    );
    for (i, (k, y)) in dated.iter().enumerate() {
        let cy = 20.0 + row * i as f64;
        let _ = write!(
            s,
            "<text x=\"110\" y=\"{}\" font-size=\"11\" text-anchor=\"end\">{}</text><circle cx=\"{:.1}\" cy=\"{cy}\" r=\"4\" fill=\"#8b1a1a\"><title>{}: {y}</title></circle>",
            cy + 4.0,
            esc(k),
            x(*y),
            esc(k)
        );
    }
    let _ = write!(
        s,
        "<text x=\"120\" y=\"{}\" font-size=\"11\">{y0}</text><text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"end\">{y1}</text></svg>",
        h - 2.0,
        w - 40.0,
        h - 2.0
    );
    s
}

pub async fn api_trace(State(s): State<Arc<AppState>>, RawQuery(raw): RawQuery) -> Response {
    let p = Params::parse(raw);
    work(&s, true, move |engine| {
        let traces = history::traces(engine, &subjects_of(&p, "term")?, &trace_options(&p)?)?;
        if traces.len() == 1 {
            json_response(&traces[0])
        } else {
            json_response(&traces)
        }
    })
    .await
}

// ---- timeline -------------------------------------------------------------

fn timeline_options(p: &Params) -> Result<TimelineOptions> {
    Ok(TimelineOptions {
        filter: p.filter()?,
        by: match p.get("by").unwrap_or("year") {
            "year" => Period::Year,
            "month" => Period::Month,
            other => {
                return Err(UserError::BadQuery(format!("by={other:?}: use year or month")).into());
            }
        },
        expand_families: p.flag("variants"),
    })
}

pub async fn timeline_page(State(s): State<Arc<AppState>>, RawQuery(raw): RawQuery) -> Response {
    let p = Params::parse(raw);
    work(&s, false, move |engine| {
        let terms = p.all("term");
        let mut b = String::from("<form class=\"query\" method=\"get\" action=\"/timeline\">");
        for i in 0..terms.len().max(1) + 1 {
            let _ = write!(
                b,
                "<label>term {}<input type=\"text\" name=\"term\" value=\"{}\"></label>",
                i + 1,
                esc(terms.get(i).map_or("", String::as_str))
            );
        }
        let unit = p.get("unit").unwrap_or("per_million");
        let _ = write!(
            b,
            "{}<label>unit<select name=\"unit\"><option value=\"per_million\"{}>per million</option><option value=\"docs\"{}>documents</option></select></label><label>per<select name=\"by\"><option value=\"year\"{}>year</option><option value=\"month\"{}>month</option></select></label><button type=\"submit\">Compare</button></form>",
            filter_inputs(&p, engine),
            if unit == "per_million" { " selected" } else { "" },
            if unit == "docs" { " selected" } else { "" },
            if p.get("by") != Some("month") { " selected" } else { "" },
            if p.get("by") == Some("month") { " selected" } else { "" }
        );
        if terms.is_empty() {
            return Ok(Html(layout("Timeline", "timeline", &b)).into_response());
        }
        let form = b.clone();
        let result = (|| -> Result<Response> {
        let timelines = history::timelines(engine, &subjects_of(&p, "term")?, &timeline_options(&p)?)?;
        let _ = write!(b, "<p class=\"exports\"><a href=\"/export/timeline.csv?{}\">CSV</a><a href=\"/api/timeline?{}\">JSON</a></p>", p.with(&[]), p.with(&[]));
        // The unit, defined; terms counted in different units are said to be so.
        let mut units: Vec<&str> = timelines.iter().map(|t| t.units.describe()).collect();
        units.dedup();
        let _ = write!(
            b,
            "<p class=\"small\" id=\"timeline-unit\">{}</p>",
            if unit == "docs" {
                "Documents: the number of documents of the period with the term.".to_string()
            } else {
                format!(
                    "Per million: occurrences per million {} of the period's documents (under the filters).{}",
                    units.join(" / "),
                    if units.len() > 1 {
                        " The terms are counted in different units (Chinese terms per million Han characters, English ones per million English words): compare the shapes of their lines, not their heights, or choose documents as the unit."
                    } else {
                        ""
                    }
                )
            }
        );
        b.push_str(&crate::chart::timeline_svg(&timelines, unit == "docs"));
        // What the corpus covers: dashed lines and hollow points are explained here.
        let notes: Vec<String> = timelines
            .iter()
            .flat_map(|t| t.coverage.notes.iter().chain(&t.warnings).map(move |n| format!("{}: {n}", t.term)))
            .collect();
        if !notes.is_empty() {
            b.push_str("<ul class=\"note\" id=\"timeline-notes\">");
            for n in notes {
                let _ = write!(b, "<li>{}</li>", esc(&n));
            }
            b.push_str("</ul><p class=\"small\">Dashed lines and hollow points: periods the term's collections do not cover, or a partial last period.</p>");
        }
        // The table: each year links to the search of that year (its total is the docs cell).
        let years: std::collections::BTreeSet<&String> = timelines.iter().flat_map(|t| t.buckets.keys()).collect();
        b.push_str("<table class=\"data\" id=\"timeline\"><tr><th>period</th>");
        for t in &timelines {
            let _ = write!(b, "<th class=\"num\">{} docs</th><th class=\"num\">occ.</th><th class=\"num\">per million {}</th>", esc(&t.term), t.units.describe());
        }
        b.push_str("</tr>");
        for y in years {
            let _ = write!(b, "<tr><td>{}</td>", esc(y));
            for t in &timelines {
                match t.buckets.get(y) {
                    Some(bk) => {
                        let cell = if y == "unknown" || bk.docs == 0 {
                            bk.docs.to_string()
                        } else {
                            let q = if t.term.starts_with('@') { None } else { Some(t.term.as_str()) };
                            match q {
                                Some(q) => format!(
                                    "<a href=\"/search?{}\">{}</a>",
                                    p.with(&[("term", None), ("by", None), ("unit", None), ("variants", None), ("q", Some(&if tifa_pattern(q) { q.to_string() } else { format!("\"{q}\"") })), ("from", Some(y)), ("to", Some(y))]),
                                    bk.docs
                                ),
                                None => bk.docs.to_string(),
                            }
                        };
                        let _ = write!(b, "<td class=\"num\">{cell}</td><td class=\"num\">{}</td><td class=\"num\">{:.2}</td>", bk.occurrences, bk.per_million);
                    }
                    // A period another term has and this one not: none of it.
                    None => b.push_str("<td class=\"num\">0</td><td class=\"num\">0</td><td class=\"num\">0.00</td>"),
                }
            }
            b.push_str("</tr>");
        }
        b.push_str("</table>");
        let first = terms.first().map(String::as_str);
        // Named by its terms, as the other views of a term are.
        let title = format!("{} — timeline", terms.join(" · "));
        Ok(Html(layout_carrying(&title, "timeline", &b, first, &carried_filters(&p))).into_response())
        })();
        keep_form("Timeline", "timeline", &form, &p, "/timeline", result)
    })
    .await
}

/// A pattern (`网络?权`, `/…/`) searched as typed: quoting it would search
/// its characters literally.
fn tifa_pattern(term: &str) -> bool {
    crate::matcher::is_pattern_syntax(term)
}

pub async fn timeline_csv(State(s): State<Arc<AppState>>, RawQuery(raw): RawQuery) -> Response {
    let p = Params::parse(raw);
    work(&s, false, move |engine| {
        let timelines =
            history::timelines(engine, &subjects_of(&p, "term")?, &timeline_options(&p)?)?;
        let mut body = Vec::new();
        history::write_timelines_csv(&mut body, &timelines)?;
        Ok(download("text/csv; charset=utf-8", "timeline.csv", body))
    })
    .await
}

pub async fn api_timeline(State(s): State<Arc<AppState>>, RawQuery(raw): RawQuery) -> Response {
    let p = Params::parse(raw);
    work(&s, true, move |engine| {
        let timelines =
            history::timelines(engine, &subjects_of(&p, "term")?, &timeline_options(&p)?)?;
        if timelines.len() == 1 {
            json_response(&timelines[0])
        } else {
            json_response(&timelines)
        }
    })
    .await
}

// ---- report ---------------------------------------------------------------

/// The report of a pasted term list, written into a temporary folder.
/// `address` is the page or download that reproduces it (the files' stamp).
fn run_report(
    engine: &Engine,
    p: &Params,
    address: String,
) -> Result<(tempfile::TempDir, Vec<crate::report::TermFigures>)> {
    let text = p.get("terms").unwrap_or("");
    let families = Families::load(None)?;
    let mut lines = Vec::new();
    let mut errors = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        match families.resolve(line) {
            Ok(subject) => lines.push(crate::report::TermLine {
                line: i + 1,
                subject,
            }),
            Err(e) => errors.push(format!("line {}: {e}", i + 1)),
        }
    }
    if !errors.is_empty() {
        return Err(UserError::BadTermFile(errors.join("; ")).into());
    }
    if lines.is_empty() {
        return Err(UserError::BadTermFile("paste one term or @family per line".into()).into());
    }
    if lines.len() > 500 {
        return Err(UserError::BadTermFile(format!(
            "{} terms: at most 500 per request",
            lines.len()
        ))
        .into());
    }
    let dir = tempfile::tempdir()?;
    let stamp = crate::stamp::Stamp::of(engine, address);
    let (figures, _) = crate::report::run(engine, &lines, &p.filter()?, dir.path(), &stamp, || {})?;
    Ok((dir, figures))
}

pub async fn report_page(State(s): State<Arc<AppState>>, RawQuery(raw): RawQuery) -> Response {
    let p = Params::parse(raw);
    work(&s, false, move |engine| {
        let mut b = format!(
            "<form class=\"query\" method=\"get\" action=\"/report\"><label>terms (one term or @family per line)<textarea name=\"terms\" rows=\"8\" cols=\"40\">{}</textarea></label>{}<button type=\"submit\">Report</button></form>",
            esc(p.get("terms").unwrap_or("")),
            filter_inputs(&p, engine)
        );
        if p.get("terms").is_none() {
            return Ok(Html(layout("Report", "report", &b)).into_response());
        }
        let qs = p.with(&[]);
        let (_dir, figures) = run_report(engine, &p, format!("/report?{qs}"))?;
        let _ = write!(
            b,
            "<p class=\"exports\">Download: <a id=\"report-csv\" href=\"/export/report/report.csv?{qs}\">report.csv</a><a href=\"/export/report/report.json?{qs}\">report.json</a><a href=\"/export/report/report.md?{qs}\">report.md</a><a href=\"/export/report/overview.svg?{qs}\">overview.svg</a></p><table class=\"data\" id=\"report\"><tr><th>term</th><th class=\"num\">documents</th><th class=\"num\">occurrences</th><th>first</th><th>peak year</th></tr>"
        );
        for f in &figures {
            let _ = write!(
                b,
                "<tr><td>{}{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td></tr>",
                if f.family.is_some() { "&nbsp;&nbsp;↳ " } else { "" },
                esc(&f.term),
                f.docs,
                f.occurrences,
                f.first.as_ref().map_or("–".into(), appearance_html),
                esc(f.peak_year.as_deref().unwrap_or("–"))
            );
        }
        b.push_str("</table>");
        Ok(Html(layout("Report", "report", &b)).into_response())
    })
    .await
}

pub async fn report_file(
    State(s): State<Arc<AppState>>,
    file: UrlId,
    RawQuery(raw): RawQuery,
) -> Response {
    let p = Params::parse(raw);
    let file = file.0;
    work(&s, false, move |engine| {
        // Only the names a report writes, never a path.
        let allowed = file.starts_with("chart-") && file.ends_with(".svg")
            || ["report.csv", "report.json", "report.md", "overview.svg"].contains(&file.as_str());
        if !allowed || file.contains(['/', '\\']) || file.contains("..") {
            return Ok(error_page(StatusCode::NOT_FOUND, "No such report file."));
        }
        let address = format!("/export/report/{file}?{}", p.with(&[]));
        let (dir, _) = run_report(engine, &p, address)?;
        let path = dir.path().join(&file);
        let Ok(body) = std::fs::read(&path) else {
            return Ok(error_page(
                StatusCode::NOT_FOUND,
                "This report has no such file.",
            ));
        };
        let kind = match file.rsplit('.').next() {
            Some("csv") => "text/csv; charset=utf-8",
            Some("json") => "application/json; charset=utf-8",
            Some("md") => "text/markdown; charset=utf-8",
            _ => "image/svg+xml",
        };
        let mut response = download(kind, &file, body);
        if file == "report.json" {
            // It carries its stamp already (the same as the middleware's).
            response.extensions_mut().insert(super::Stamped);
        }
        Ok(response)
    })
    .await
}

// ---- more API -------------------------------------------------------------

/// The options of `/emerging` and `/api/emerging`, as the CLI's.
fn emerging_options(p: &Params) -> Result<crate::emerging::EmergingOptions> {
    use crate::emerging::{EmergingOptions, Languages, Reference, YearSpan};
    let period = YearSpan::parse(p.get("period").unwrap_or("")).map_err(UserError::BadDate)?;
    let against =
        Reference::parse(p.get("against").unwrap_or("before")).map_err(UserError::BadDate)?;
    let (languages, langs) = Languages::from_lang(&p.list("lang"));
    let filter = crate::engine::Filter::parse(
        &langs,
        &p.list("kind"),
        &p.list("collection"),
        None,
        None,
        &p.all("where"),
        &p.all("where_not"),
    )?;
    let options = EmergingOptions {
        filter,
        period,
        against,
        languages,
        min_docs: p.number("min_docs", 5, 1_000_000)?.max(1) as u32,
        min_dates: p.number("min_dates", 3, 1_000_000)?.max(1) as u32,
        min_log_ratio: p
            .get("min_log_ratio")
            .and_then(|v| v.parse().ok())
            .unwrap_or(1.0),
        limit: p.number("limit", 50, MAX_PAGE)?,
        include_faded: p.flag("include_faded"),
        show: crate::emerging::classify::parse_show(p.get("show").unwrap_or("formulations"))
            .map_err(UserError::BadFilter)?,
        rank: crate::emerging::Rank::parse(p.get("rank").unwrap_or("held"))
            .map_err(UserError::BadFilter)?,
    };
    Ok(options)
}

pub async fn api_emerging(State(s): State<Arc<AppState>>, RawQuery(raw): RawQuery) -> Response {
    let p = Params::parse(raw);
    work(&s, true, move |engine| {
        let options = emerging_options(&p)?;
        json_response(&crate::emerging::emerging(engine, &options)?)
    })
    .await
}

pub async fn emerging_page(State(s): State<Arc<AppState>>, RawQuery(raw): RawQuery) -> Response {
    let p = Params::parse(raw);
    work(&s, true, move |engine| {
        let period = p.get("period").unwrap_or("");
        let mut b = format!(
            "<form class=\"query\" method=\"get\" action=\"/emerging\"><label>period<input class=\"q\" type=\"text\" name=\"period\" value=\"{}\" placeholder=\"2015 or 2013..2015\" size=\"12\"></label><label>against<input type=\"text\" name=\"against\" value=\"{}\" size=\"10\"></label>{}{}{}<button type=\"submit\">List</button></form><p class=\"help\">Strings whose use took off in the period. Formulations are listed; boilerplate (repeated sentence frames), topics (news only, general words) and fragments have their own lists, each line with the reason.</p>",
            esc(period),
            esc(p.get("against").unwrap_or("before")),
            filter_inputs(&p, engine),
            super::views::select(
                &p,
                "show",
                "show",
                &[("formulations", "formulations"), ("boilerplate", "boilerplate"), ("topics", "topics"), ("fragments", "fragments"), ("all", "all")],
                "formulations"
            ),
            super::views::select(&p, "rank", "rank", &[("held", "held"), ("keyness", "keyness"), ("spread", "spread")], "held"),
        );
        if period.is_empty() {
            return Ok(Html(layout("Emerging", "emerging", &b)).into_response());
        }
        let options = emerging_options(&p)?;
        let e = crate::emerging::emerging(engine, &options)?;
        let classes: Vec<String> = e
            .classes
            .iter()
            .map(|(c, n)| format!("{n} {}", c.name()))
            .collect();
        let _ = write!(
            b,
            "<p class=\"summary\" id=\"emerging-summary\">Took off in {} (against {}): {} qualifying candidates — {} · <a href=\"/api/emerging?{}\">JSON</a></p><table id=\"emerging\"><thead><tr><th>#</th><th>term</th><th>class</th><th>docs</th><th>ref</th><th title=\"G² of the period and the following years\">held G²</th><th title=\"G² of the period alone\">G²</th><th>first</th><th>take-off</th><th>kinds</th><th>why</th></tr></thead><tbody>",
            esc(&e.period),
            esc(&e.reference),
            e.qualified,
            esc(&classes.join(", ")),
            p.with(&[])
        );
        for (i, c) in e.candidates.iter().enumerate() {
            let kinds: Vec<String> = c.kinds.iter().map(|(k, n)| format!("{k}:{n}")).collect();
            let first = c.first.as_ref().map_or(String::new(), |f| {
                format!(
                    "{} <a href=\"/doc/{}?q={}\">{}</a>{}",
                    esc(&f.date),
                    esc(&urlencode(&f.id)),
                    esc(&urlencode(&c.term)),
                    esc(&f.title),
                    f.sentence.as_ref().map_or(String::new(), |s| format!(
                        "<br><q class=\"small\" lang=\"{}\">{}</q>",
                        if s.chars().any(crate::text::is_han) { "zh" } else { "en" },
                        esc(s)
                    ))
                )
            });
            let _ = write!(
                b,
                "<tr><td>{}</td><td><a class=\"term\" href=\"/trace?term={}\">{}</a></td><td class=\"class\">{}</td><td>{}</td><td>{}</td><td>{:.1}</td><td>{:.1}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"small\">{}</td></tr>",
                i + 1,
                esc(&urlencode(&c.term)),
                esc(&c.term),
                c.class.name(),
                c.docs,
                c.ref_docs,
                c.held_score,
                c.score,
                first,
                c.take_off.as_ref().map_or(String::new(), |t| t.year.to_string()),
                esc(&kinds.join(", ")),
                esc(&c.signals.reason)
            );
        }
        b.push_str("</tbody></table>");
        Ok(Html(layout("Emerging", "emerging", &b)).into_response())
    })
    .await
}

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
