//! The timeline page, its CSV export and its API.

use std::fmt::Write as _;
use std::sync::Arc;

use anyhow::Result;
use axum::extract::{RawQuery, State};
use axum::response::{Html, IntoResponse, Response};

use crate::error::UserError;
use crate::history::{self, Period, TimelineOptions};
use crate::server::{AppState, Params, download, json_response, work};

use super::*;

// ---- timeline -------------------------------------------------------------

pub(crate) fn timeline_options(p: &Params) -> Result<TimelineOptions> {
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
pub(crate) fn tifa_pattern(term: &str) -> bool {
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
