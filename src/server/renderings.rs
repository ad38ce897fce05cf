//! `/renderings` (the page and its API) and the aligned view of a paired
//! document on `/doc/{id}`: the same library calls as `tifa renderings` and
//! `tifa pair`.

use std::fmt::Write as _;
use std::sync::Arc;

use anyhow::Result;
use axum::extract::{RawQuery, State};
use axum::response::{Html, IntoResponse, Response};

use super::pages::{esc, layout, urlencode};
use super::{AppState, Params, json_response, work};
use crate::engine::Engine;
use crate::error::UserError;
use crate::matcher::Literal;
use crate::renderings::{Example, RenderingOptions, Renderings};
use crate::terms::{Family, Subject};

/// The renderings shown on the page.
const DEFAULT_LIMIT: usize = 10;
const MAX_LIMIT: usize = 100;

fn options(p: &Params) -> Result<(String, RenderingOptions)> {
    let term = p.get("term").unwrap_or("").trim().to_string();
    let filter = crate::engine::Filter::parse(
        &[],
        &p.list("kind"),
        &p.list("collection"),
        p.get("from"),
        p.get("to"),
        &p.all("where"),
        &p.all("where_not"),
    )?;
    Ok((
        term,
        RenderingOptions {
            filter,
            limit: p.number("limit", DEFAULT_LIMIT, MAX_LIMIT)?.max(1),
            by_year: p.flag("by_year"),
        },
    ))
}

pub async fn api_renderings(State(s): State<Arc<AppState>>, RawQuery(raw): RawQuery) -> Response {
    let p = Params::parse(raw);
    work(&s, true, move |engine| {
        let (term, options) = options(&p)?;
        if term.is_empty() {
            return Err(UserError::BadQuery(
                "give a term: /api/renderings?term=零和博弈 (or an English phrase)".into(),
            )
            .into());
        }
        json_response(&crate::renderings::renderings(engine, &term, &options)?)
    })
    .await
}

pub async fn renderings_page(State(s): State<Arc<AppState>>, RawQuery(raw): RawQuery) -> Response {
    let p = Params::parse(raw);
    work(&s, false, move |engine| {
        let (term, options) = options(&p)?;
        let field = |name: &str, hint: &str, size: usize| {
            format!(
                "<label>{name}<input type=\"text\" name=\"{name}\" value=\"{}\" placeholder=\"{hint}\" size=\"{size}\"></label>",
                esc(p.get(name).unwrap_or(""))
            )
        };
        let mut b = format!(
            "<form class=\"query\" method=\"get\" action=\"/renderings\"><label>term<input class=\"q\" type=\"text\" name=\"term\" value=\"{}\" placeholder=\"零和博弈 or zero-sum game\"></label>{}{}{}<button type=\"submit\" id=\"go\">Renderings</button></form>\
             <p class=\"help\">How the term is rendered in the other language in the aligned paragraphs of paired documents (the Foreign Ministry's press conferences): the whole phrase first, its spellings grouped, each with its share of the term's segments, first and last date and an example pair; the chart shows each rendering's share per year.</p>",
            esc(&term),
            field("from", "2018", 6),
            field("to", "2020", 6),
            field("limit", "10", 4),
        );
        if term.is_empty() {
            let examples: Vec<String> = super::RENDERINGS_EXAMPLES
                .iter()
                .map(|t| {
                    format!(
                        "<a class=\"example\" href=\"/renderings?term={}\">{}</a>",
                        esc(&urlencode(t)),
                        esc(t)
                    )
                })
                .collect();
            let _ = write!(
                b,
                "<p class=\"small\" id=\"renderings-help\">Examples: {}</p>",
                examples.join(" · ")
            );
            return Ok(Html(layout("Renderings", "renderings", &b)).into_response());
        }
        let r = crate::renderings::renderings(engine, &term, &options)?;
        b.push_str(&results(engine, &p, &r)?);
        Ok(Html(super::pages::layout_for(
            &format!("{term} — renderings"),
            "renderings",
            &b,
            Some(&term),
        ))
        .into_response())
    })
    .await
}

/// A link to an example's aligned pair, at its segment, term and rendering marked.
fn example_link(e: &Example, term: &str, rendering: Option<&str>) -> String {
    let mut q = format!("q={}", urlencode(term));
    if let Some(r) = rendering {
        let _ = write!(q, "&r={}", urlencode(r));
    }
    format!(
        "<a class=\"example\" href=\"/doc/{}?{q}#seg-{}\">{} §{}</a>",
        esc(&urlencode(&e.id)),
        e.segment,
        esc(&e.date),
        e.segment
    )
}

fn results(engine: &Engine, p: &Params, r: &Renderings) -> Result<String> {
    let mut b = String::new();
    let _ = write!(
        b,
        "<p class=\"summary\" id=\"renderings-summary\">Renderings of <q>{}</q> in <b id=\"segments-with-term\">{}</b> aligned segments with the term (of {} in {} paired documents) · <a href=\"/api/renderings?{}\">JSON</a></p>",
        esc(&r.term),
        r.segments_with_term,
        r.segments,
        engine.manifest.alignments.pairs,
        p.with(&[])
    );
    if r.segments_with_term == 0 {
        let _ = write!(
            b,
            "<p class=\"note\" id=\"none\">No aligned segment has <q>{}</q>. Renderings come only from paired documents (a <code>pair</code> field); <a href=\"/search?q={}\">search</a> shows where the term is.</p>",
            esc(&r.term),
            urlencode(&r.term)
        );
        return Ok(b);
    }
    if !r.parts.is_empty() {
        let parts: Vec<String> =
            r.parts
                .iter()
                .map(|x| {
                    format!(
                        "{} → {}",
                        esc(&x.part),
                        x.rendering.as_deref().map_or(
                            "<i>none found</i>".to_string(),
                            |t| format!("<q>{}</q>", esc(t))
                        )
                    )
                })
                .collect();
        let _ = write!(
            b,
            "<p class=\"small\" id=\"parts\">Parts of the term and their own renderings: {}</p>",
            parts.join(" · ")
        );
    }
    b.push_str("<table id=\"renderings\" class=\"data\"><thead><tr><th>#</th><th>rendering</th><th>pairs</th><th>share</th><th>G²</th><th>first</th><th>last</th><th>example</th></tr></thead><tbody>");
    for (i, x) in r.renderings.iter().enumerate() {
        let spellings = if x.spellings.len() > 1 {
            format!(
                "<br><span class=\"small spellings\">spellings: {}</span>",
                esc(&x.spellings[1..].join(" · "))
            )
        } else {
            String::new()
        };
        let _ = write!(
            b,
            "<tr><td>{}</td><td><span class=\"rendering\">{}</span>{spellings}</td><td class=\"pairs\">{}</td><td>{:.0}%</td><td>{:.1}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            i + 1,
            esc(&x.text),
            x.pairs,
            100.0 * x.share,
            x.score,
            esc(&x.first),
            esc(&x.last),
            example_link(&x.example, &r.term, Some(&x.text))
        );
    }
    b.push_str("</tbody></table>");
    let _ = write!(
        b,
        "<p class=\"small\" id=\"not-rendered\">Not rendered by any listed rendering (paraphrase or omission): <b>{}</b> of {} segments{}</p>",
        r.not_rendered,
        r.segments_with_term,
        r.not_rendered_example
            .as_ref()
            .map_or(String::new(), |e| format!(
                " — e.g. {}",
                example_link(e, &r.term, None)
            ))
    );
    b.push_str(&crate::chart::drift_svg(r));
    // Example pairs of the first renderings, term and rendering marked.
    b.push_str("<h2>Example pairs</h2><table class=\"aligned\" id=\"examples\"><tbody>");
    let term_marks = subject(&[r.term.as_str()]);
    let (source_lang, target_lang) = if r.term.chars().any(crate::text::is_cjk) {
        ("zh", "en")
    } else {
        ("en", "zh")
    };
    for x in r.renderings.iter().take(5) {
        let spellings: Vec<&str> = x.spellings.iter().map(String::as_str).collect();
        let rendering_marks = subject(&spellings);
        let _ = write!(
            b,
            "<tr><th colspan=\"2\"><q>{}</q> — {}</th></tr><tr><td lang=\"{}\">{}</td><td lang=\"{}\">{}</td></tr>",
            esc(&x.text),
            example_link(&x.example, &r.term, Some(&x.text)),
            source_lang,
            highlight(&x.example.source, term_marks.as_ref()),
            target_lang,
            highlight(&x.example.target, rendering_marks.as_ref())
        );
    }
    b.push_str("</tbody></table>");
    Ok(b)
}

/// The strings to mark, as one subject (none if none of them parses).
fn subject(strings: &[&str]) -> Option<Subject> {
    marks_of(
        strings
            .iter()
            .filter_map(|t| Literal::new(t).ok())
            .collect(),
    )
}

/// Literals to mark, as one subject (none if there are none).
fn marks_of(variants: Vec<Literal>) -> Option<Subject> {
    (!variants.is_empty()).then(|| {
        Subject::Family(Family {
            name: String::new(),
            description: String::new(),
            variants,
        })
    })
}

fn highlight(text: &str, marks: Option<&Subject>) -> String {
    let Some(marks) = marks else {
        return esc(text);
    };
    let mut out = String::new();
    let mut at = 0;
    for (s, e) in marks.find(text) {
        out.push_str(&esc(&text[at..s]));
        let _ = write!(out, "<mark>{}</mark>", esc(&text[s..e]));
        at = e;
    }
    out.push_str(&esc(&text[at..]));
    out
}

/// The aligned segments of a paired document, row by row (`tifa pair`),
/// `q` and `r` marked on whichever side they occur; rows are `seg-N` (from 1).
pub fn aligned_table(engine: &Engine, id: &str, p: &Params) -> Result<Option<String>> {
    // A pair that is not in the index is shown as the two documents; a
    // failure to read one is an error of the page, not hidden.
    let aligned = match crate::align::pair(engine, id) {
        Ok(a) => a,
        Err(e) if crate::error::is_user_error(&e) => return Ok(None),
        Err(e) => return Err(e),
    };
    let strings: Vec<&str> = ["q", "r"].iter().filter_map(|k| p.get(k)).collect();
    // `q` marked as the document page marks it (the query's positive terms:
    // `网络 NEAR/3 主权` marks both words); `r`, a rendering, as a phrase.
    let mut variants: Vec<Literal> = match p.get("q") {
        Some(q) => crate::query::parse_with(&crate::server::expand_query(q)?, &p.query_options()?)
            .map(|e| e.positive_terms().into_iter().cloned().collect())
            .unwrap_or_default(),
        None => Vec::new(),
    };
    variants.extend(p.get("r").and_then(|r| Literal::new(r).ok()));
    let marks = marks_of(variants);
    let mut b = format!(
        "<p class=\"small\" id=\"pair-summary\">{} aligned segments of <a href=\"/doc/{}\">{}</a> (Chinese) and <a href=\"/doc/{}\">{}</a> (English), as <code>tifa pair</code> shows them{}</p><table class=\"aligned\" id=\"pair\"><thead><tr><th>§</th><th>中文</th><th>English</th></tr></thead><tbody>",
        aligned.segments.len(),
        esc(&urlencode(&aligned.id)),
        esc(&aligned.id),
        esc(&urlencode(&aligned.pair)),
        esc(&aligned.pair),
        if strings.is_empty() {
            String::new()
        } else {
            format!(
                "; marked: {}",
                strings
                    .iter()
                    .map(|s| format!("<q>{}</q>", esc(s)))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    );
    for (i, s) in aligned.segments.iter().enumerate() {
        let _ = write!(
            b,
            "<tr id=\"seg-{n}\"><td class=\"n\"><a href=\"#seg-{n}\">{n}</a></td><td class=\"zh\" lang=\"zh\">{}</td><td class=\"en\" lang=\"en\">{}</td></tr>",
            highlight(&s.zh, marks.as_ref()),
            highlight(&s.en, marks.as_ref()),
            n = i + 1
        );
    }
    b.push_str("</tbody></table>");
    Ok(Some(b))
}
