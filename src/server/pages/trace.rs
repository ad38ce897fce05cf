//! The trace page (first appearance and its evidence) and its API.

use std::fmt::Write as _;
use std::sync::Arc;

use anyhow::Result;
use axum::extract::{RawQuery, State};
use axum::response::{Html, IntoResponse, Response};

use crate::error::UserError;
use crate::history::{self, TraceOptions};
use crate::server::{AppState, Params, json_response, work};
use crate::terms::{self, Subject};

use super::*;

// ---- trace ----------------------------------------------------------------

pub(crate) fn subjects_of(p: &Params, key: &str) -> Result<Vec<Subject>> {
    let terms = p.all(key);
    if terms.is_empty() {
        return Err(UserError::BadQuery(format!("give a term: {key}=…")).into());
    }
    // Only an @name reads the extra families file.
    let families = if terms.iter().any(|t| t.trim_start().starts_with('@')) {
        crate::server::extra_families()
    } else {
        None
    };
    terms::subjects(&terms, families)
}

pub(crate) fn trace_options(p: &Params) -> Result<TraceOptions> {
    Ok(TraceOptions {
        filter: p.filter()?,
        first: p.number("first", 5, 100)?,
        group_by: p.get("group_by").map(str::to_string),
        pair: p.flag("pair"),
    })
}

pub(crate) fn appearance_html(a: &history::Appearance) -> String {
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
pub(crate) fn group_chart(rows: &[(&String, &history::GroupFirst)]) -> String {
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
