//! The emerging formulations page and its API.

use std::fmt::Write as _;
use std::sync::Arc;

use anyhow::Result;
use axum::extract::{RawQuery, State};
use axum::response::{Html, IntoResponse, Response};

use crate::error::UserError;
use crate::server::{AppState, MAX_PAGE, Params, json_response, work};

use super::*;

// ---- more API -------------------------------------------------------------

/// The options of `/emerging` and `/api/emerging`, as the CLI's.
pub(crate) fn emerging_options(p: &Params) -> Result<crate::emerging::EmergingOptions> {
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
            crate::server::views::select(
                &p,
                "show",
                "show",
                &[("formulations", "formulations"), ("boilerplate", "boilerplate"), ("topics", "topics"), ("fragments", "fragments"), ("all", "all")],
                "formulations"
            ),
            crate::server::views::select(&p, "rank", "rank", &[("held", "held"), ("keyness", "keyness"), ("spread", "spread")], "held"),
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
