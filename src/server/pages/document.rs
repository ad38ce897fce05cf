//! One document, its matches marked, with its translation beside it.

use std::fmt::Write as _;
use std::sync::Arc;

use anyhow::Result;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use crate::server::{AppState, Params, UrlId, work};
use crate::terms::{self, Subject};

use super::*;

// ---- document -------------------------------------------------------------

pub async fn doc_page(
    State(s): State<Arc<AppState>>,
    id: UrlId,
    RawQuery(raw): RawQuery,
) -> Response {
    let p = Params::parse(raw);
    let id = id.0;
    work(&s, false, move |engine| {
        let q = p.get("q").map(crate::server::expand_query).transpose()?;
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
            Some(other) => match crate::server::renderings::aligned_table(engine, &id, &p)? {
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
