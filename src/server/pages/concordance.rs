//! The concordance page, its CSV export and its API.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Arc;

use anyhow::Result;
use axum::extract::{RawQuery, State};
use axum::response::{Html, IntoResponse, Response};

use crate::kwic::{self, KwicOptions, KwicSort};
use crate::server::{AppState, MAX_PAGE, Params, download, json_response, work};

use super::*;

// ---- concordance ----------------------------------------------------------

pub(crate) fn kwic_options(p: &Params) -> Result<KwicOptions> {
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
        // @name words of `tifa serve --families FILE` written out.
        let q = crate::server::expand_query(&q)?;
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
        Ok(crate::server::from_cache(cached, Html(layout_carrying(&format!("{q} — concordance"), "kwic", &b, Some(&q), &carried_filters(&p))).into_response()))
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
