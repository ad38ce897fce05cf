//! The report page of a pasted term list, and its files.

use std::fmt::Write as _;
use std::sync::Arc;

use anyhow::Result;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use crate::engine::Engine;
use crate::error::UserError;
use crate::server::{AppState, Params, UrlId, download, work};
use crate::terms::Families;

use super::*;

// ---- report ---------------------------------------------------------------

/// The report of a pasted term list, written into a temporary folder.
/// `address` is the page or download that reproduces it (the files' stamp).
pub(crate) fn run_report(
    engine: &Engine,
    p: &Params,
    address: String,
) -> Result<(tempfile::TempDir, Vec<crate::report::TermFigures>)> {
    let text = p.get("terms").unwrap_or("");
    let families = Families::load(crate::server::extra_families())?;
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
            response.extensions_mut().insert(crate::server::Stamped);
        }
        Ok(response)
    })
    .await
}
