//! The search page, its CSV export and its API.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;

use anyhow::Result;
use axum::extract::{RawQuery, State};
use axum::response::{Html, IntoResponse, Response};

use crate::engine::Engine;
use crate::search::{self, SearchResult};
use crate::server::{AppState, MAX_PAGE, Params, download, json_response, work};

use super::*;

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
            crate::server::SEARCH_EXAMPLES
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
        // @name words of `tifa serve --families FILE` written out.
        let q = crate::server::expand_query(&q)?;
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
        Ok(crate::server::from_cache(cached, Html(layout_carrying(&format!("{q} — search"), "search", &body, Some(&q), &carried_filters(&p))).into_response()))
        })();
        keep_form("Search", "search", &form, &p, "/search", result)
    })
    .await
}

/// A help example that runs when clicked.
pub(crate) fn example_link(q: &str) -> String {
    format!(
        "<a class=\"example\" href=\"/search?q={}\"><code>{}</code></a>",
        esc(&urlencode(q)),
        esc(q)
    )
}

pub(crate) fn corpus_line(engine: &Engine) -> String {
    let m = &engine.manifest;
    format!(
        "<p class=\"small\">The index holds {} documents ({} – {}).</p>",
        m.documents,
        esc(m.first_date.as_deref().unwrap_or("?")),
        esc(m.last_date.as_deref().unwrap_or("?"))
    )
}

pub(crate) fn search_results(
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

pub(crate) fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// `term=…` for a query that is a single phrase (quotes stripped by the term rules).
pub(crate) fn term_link(q: &str) -> String {
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
