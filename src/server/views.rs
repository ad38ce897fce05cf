//! The pages of the analyses that had only an API: collocates (per year or
//! collection), coverage (a heat map of what the corpus holds) and fields
//! (the values of every filter, each a link). Each page takes the API's
//! parameters and shows the API's numbers; the options are parsed once here
//! for both.

use std::fmt::Write as _;
use std::sync::Arc;

use anyhow::Result;
use axum::extract::{RawQuery, State};
use axum::response::{Html, IntoResponse, Response};

use super::pages::{
    carried_filters, esc, filter_inputs, layout_carrying, layout_for, subjects_of, urlencode,
};
use super::{AppState, MAX_PAGE, Params, json_response, work};
use crate::collocates::{CollocateOptions, GroupBy, Measure, Side};
use crate::history::Period;
use crate::history::coverage::CoverageOptions;

/// A `<select>` of `values` (value, shown) named `name`, the request's
/// value chosen.
pub(super) fn select(
    p: &Params,
    name: &str,
    label: &str,
    values: &[(&str, &str)],
    default: &str,
) -> String {
    let chosen = p.get(name).unwrap_or(default);
    let options: String = values
        .iter()
        .map(|(v, shown)| {
            format!(
                "<option value=\"{v}\"{}>{shown}</option>",
                if *v == chosen { " selected" } else { "" }
            )
        })
        .collect();
    format!("<label>{label}<select name=\"{name}\">{options}</select></label>")
}

pub(super) fn collocate_options(p: &Params) -> Result<CollocateOptions> {
    Ok(CollocateOptions {
        filter: p.filter()?,
        window: p.number("window", 5, 50)?.max(1),
        side: match p.get("side").unwrap_or("both") {
            "left" => Side::Left,
            "right" => Side::Right,
            _ => Side::Both,
        },
        min_freq: p.number("min_freq", 3, 1_000_000)?.max(1) as u64,
        stop_words: p.flag("stop_words"),
        by: match p.get("by") {
            Some("year") => GroupBy::Year,
            Some("collection") => GroupBy::Collection,
            _ => GroupBy::All,
        },
        measure: match p.get("sort") {
            Some("ll") => Measure::LogLikelihood,
            _ => Measure::LogDice,
        },
        limit: p.number("limit", 20, MAX_PAGE)?,
    })
}

pub async fn api_collocates(State(s): State<Arc<AppState>>, RawQuery(raw): RawQuery) -> Response {
    let p = Params::parse(raw);
    work(&s, true, move |engine| {
        let subject = subjects_of(&p, "term")?.remove(0);
        let options = collocate_options(&p)?;
        json_response(&crate::collocates::collocates(engine, &subject, &options)?)
    })
    .await
}

pub async fn collocates_page(State(s): State<Arc<AppState>>, RawQuery(raw): RawQuery) -> Response {
    let p = Params::parse(raw);
    work(&s, true, move |engine| {
        let term = p.all("term").join(" ");
        let mut b = format!(
            "<form class=\"query\" method=\"get\" action=\"/collocates\"><label>term<input class=\"q\" type=\"text\" name=\"term\" value=\"{}\"></label><label>window<input type=\"number\" name=\"window\" min=\"1\" max=\"50\" value=\"{}\"></label>{}{}{}{}<button type=\"submit\">Collocates</button></form><p class=\"help\">The words said with a term: within the window (words for English, jieba words for Chinese) on the chosen side, ranked by logDice (how exclusively they go together) or G² (how much evidence). By year or collection, each period gets its own list.</p>",
            esc(&term),
            p.number("window", 5, 50)?.max(1),
            select(&p, "side", "side", &[("both", "both"), ("left", "left"), ("right", "right")], "both"),
            select(&p, "by", "by", &[("all", "all"), ("year", "year"), ("collection", "collection")], "all"),
            select(&p, "sort", "sort by", &[("logdice", "logDice"), ("ll", "G²")], "logdice"),
            filter_inputs(&p, engine),
        );
        if term.is_empty() {
            return Ok(Html(layout_for("Collocates", "collocates", &b, None)).into_response());
        }
        let subject = subjects_of(&p, "term")?.remove(0);
        let c = crate::collocates::collocates(engine, &subject, &collocate_options(&p)?)?;
        let _ = write!(
            b,
            "<p class=\"summary\" id=\"collocates-summary\">{} group(s) · window {} · <a href=\"/api/collocates?{}\">JSON</a></p><div class=\"groups\">",
            c.groups.len(),
            c.window,
            p.with(&[])
        );
        for g in &c.groups {
            let _ = write!(
                b,
                "<section class=\"group\"><h2>{}</h2><p class=\"small\">{} documents, {} occurrences; {} words reach the minimum frequency{}</p><table class=\"collocates\"><thead><tr><th>#</th><th>word</th><th>together</th><th>in the corpus</th><th>logDice</th><th>G²</th></tr></thead><tbody>",
                esc(&g.group),
                g.docs,
                g.occurrences,
                g.qualified,
                if g.qualified > g.collocates.len() {
                    format!(" (first {} shown; limit=N for more)", g.collocates.len())
                } else {
                    String::new()
                }
            );
            for (i, w) in g.collocates.iter().enumerate() {
                let _ = write!(
                    b,
                    "<tr><td>{}</td><td class=\"word\"><a href=\"/trace?term={}\">{}</a></td><td>{}</td><td>{}</td><td>{:.2}</td><td>{:.1}</td></tr>",
                    i + 1,
                    esc(&urlencode(&w.word)),
                    esc(&w.word),
                    w.freq,
                    w.corpus_freq,
                    w.log_dice,
                    w.log_likelihood
                );
            }
            b.push_str("</tbody></table></section>");
        }
        b.push_str("</div>");
        Ok(Html(layout_carrying(
            "Collocates",
            "collocates",
            &b,
            Some(&term),
            &carried_filters(&p),
        ))
        .into_response())
    })
    .await
}

fn coverage_options(p: &Params) -> Result<CoverageOptions> {
    Ok(CoverageOptions {
        filter: p.filter()?,
        by: if p.get("by") == Some("month") {
            Period::Month
        } else {
            Period::Year
        },
    })
}

pub async fn api_coverage(State(s): State<Arc<AppState>>, RawQuery(raw): RawQuery) -> Response {
    let p = Params::parse(raw);
    work(&s, true, move |engine| {
        json_response(&crate::history::coverage::coverage(
            engine,
            &coverage_options(&p)?,
        )?)
    })
    .await
}

/// The shade (0–5) of a cell: documents against the row's largest period,
/// so a small collection's own rhythm shows as clearly as the news's.
fn heat(docs: u64, max: u64) -> u64 {
    if docs == 0 || max == 0 {
        0
    } else {
        1 + (docs * 4).div_ceil(max).min(4)
    }
}

pub async fn coverage_page(State(s): State<Arc<AppState>>, RawQuery(raw): RawQuery) -> Response {
    let p = Params::parse(raw);
    work(&s, true, move |engine| {
        let mut b = format!(
            "<form class=\"query\" method=\"get\" action=\"/coverage\">{}{}<button type=\"submit\">Show</button></form><p class=\"help\">What the corpus holds, per collection (the corpus file a document came from) and period: documents, Han characters and English words. A blank cell holds nothing; a darker one more documents, against the collection's own busiest period. Gaps are the empty years inside a collection's span.</p>",
            select(&p, "by", "per", &[("year", "year"), ("month", "month")], "year"),
            filter_inputs(&p, engine),
        );
        let cov = crate::history::coverage::coverage(engine, &coverage_options(&p)?)?;
        let periods: std::collections::BTreeSet<&String> = cov
            .collections
            .iter()
            .flat_map(|c| c.by_year.iter().chain(c.by_month.iter()).flat_map(|m| m.keys()))
            .collect();
        let total: u64 = cov.collections.iter().map(|c| c.docs).sum();
        let _ = write!(
            b,
            "<p class=\"summary\" id=\"coverage-summary\"><b id=\"coverage-docs\">{total}</b> documents in {} collections · <a href=\"/api/coverage?{}\">JSON</a></p><div class=\"wide\"><table class=\"coverage\" id=\"coverage\"><thead><tr><th>collection</th><th>docs</th><th>first</th><th>last</th>",
            cov.collections.len(),
            p.with(&[])
        );
        for period in &periods {
            let _ = write!(b, "<th class=\"period\">{}</th>", esc(period));
        }
        b.push_str("</tr></thead><tbody>");
        for c in &cov.collections {
            let cells = c.by_year.as_ref().or(c.by_month.as_ref());
            let max = cells.map_or(0, |m| m.values().map(|h| h.docs).max().unwrap_or(0));
            let filter_link = format!("/coverage?{}", p.with(&[("collection", Some(&c.collection))]));
            let _ = write!(
                b,
                "<tr><th class=\"collection\"><a href=\"{}\">{}</a>{}</th><td>{}</td><td>{}</td><td>{}</td>",
                esc(&filter_link),
                esc(&c.collection),
                if c.gaps.is_empty() {
                    String::new()
                } else {
                    format!(
                        "<br><span class=\"small\">gaps: {}</span>",
                        esc(&c.gaps.iter().take(12).cloned().collect::<Vec<_>>().join(", "))
                            + if c.gaps.len() > 12 { " …" } else { "" }
                    )
                },
                c.docs,
                esc(c.first.as_deref().unwrap_or("–")),
                esc(c.last.as_deref().unwrap_or("–")),
            );
            for period in &periods {
                let h = cells.and_then(|m| m.get(*period)).copied().unwrap_or_default();
                let _ = write!(
                    b,
                    "<td class=\"heat h{}\" title=\"{} {}: {} documents, {} Han characters, {} English words\">{}</td>",
                    heat(h.docs, max),
                    esc(&c.collection),
                    esc(period),
                    h.docs,
                    h.han_chars,
                    h.en_words,
                    if h.docs > 0 { h.docs.to_string() } else { String::new() }
                );
            }
            b.push_str("</tr>");
        }
        b.push_str("</tbody></table></div>");
        Ok(Html(layout_for("Coverage", "coverage", &b, None)).into_response())
    })
    .await
}

pub async fn api_fields(State(s): State<Arc<AppState>>, RawQuery(raw): RawQuery) -> Response {
    let p = Params::parse(raw);
    work(&s, true, move |engine| {
        json_response(&engine.fields_summary(p.number("top", 10, MAX_PAGE)?)?)
    })
    .await
}

/// One field on the fields page: name, heading, values with counts, and
/// how many distinct values it has.
type FieldSection = (String, String, Vec<(String, u64)>, usize);

pub async fn fields_page(State(s): State<Arc<AppState>>, RawQuery(raw): RawQuery) -> Response {
    let p = Params::parse(raw);
    work(&s, false, move |engine| {
        let top = p.number("top", 50, MAX_PAGE)?;
        let mut b = String::from(
            "<p class=\"help\">Every filter the index knows and its values with their numbers of documents. Each value opens the corpus's coverage under that filter; the search, concordance, trace and timeline forms take the same filters.</p>",
        );
        // The built-in filters, then the fields of the records (where=field=value).
        let mut sections: Vec<FieldSection> = Vec::new();
        for (field, label) in [("lang", "language"), ("kind", "kind"), ("collection", "collection")] {
            let counts = engine.value_counts(field)?;
            let shown = counts.iter().take(top).cloned().collect();
            sections.push((field.to_string(), label.to_string(), shown, counts.len()));
        }
        for f in engine.fields_summary(top)? {
            let label = format!("{} ({} documents)", f.field, f.docs);
            sections.push((f.field, label, f.top, f.distinct));
        }
        for (field, label, values, distinct) in &sections {
            let builtin = matches!(field.as_str(), "lang" | "kind" | "collection");
            let _ = write!(
                b,
                "<section class=\"field\" id=\"field-{}\"><h2>{}</h2><p class=\"small\">{} distinct value(s){}</p><ul class=\"values\">",
                esc(field),
                esc(label),
                distinct,
                if *distinct > values.len().min(top) {
                    format!(", the {} most frequent shown (top=N for more)", values.len().min(top))
                } else {
                    String::new()
                }
            );
            for (value, docs) in values.iter().take(top) {
                let link = if builtin {
                    format!("/coverage?{}={}", field, urlencode(value))
                } else {
                    format!("/coverage?where={}", urlencode(&format!("{field}={value}")))
                };
                let _ = write!(
                    b,
                    "<li><a href=\"{}\">{}</a> <span class=\"small\">{}</span></li>",
                    esc(&link),
                    esc(value),
                    docs
                );
            }
            b.push_str("</ul></section>");
        }
        Ok(Html(layout_for("Fields", "fields", &b, None)).into_response())
    })
    .await
}

/// The term families (`@name`): each with its description and variants, the
/// documents of each (after the filters) and links that open the family or
/// one variant in every view — `tifa families` on the page.
pub async fn families_page(State(s): State<Arc<AppState>>, RawQuery(raw): RawQuery) -> Response {
    let p = Params::parse(raw);
    work(&s, false, move |engine| {
        let families = crate::terms::Families::load(crate::server::extra_families())?;
        let allowed = engine.allowed(&p.filter()?)?;
        let filters = super::pages::carried_filters(&p);
        let origin = match crate::server::extra_families() {
            Some(path) => format!(
                "These are the built-in families (<code>corpus/families.toml</code>) and those of <code>{}</code> (<code>tifa serve --families</code>; same names replace built-in ones)",
                esc(&path.display().to_string())
            ),
            None => "These are the built-in families (<code>corpus/families.toml</code>; <code>tifa serve --families FILE</code> adds more)".to_string(),
        };
        let mut b = format!(
            "<p class=\"help\">A family groups the ways one formulation is written — its Chinese forms and the official English renderings — so that trace, timeline, search and the report follow them together: type <code>@name</code> wherever a term goes. {origin}; the numbers are documents with each variant under the filters of this page.</p>",
        );
        for (name, family) in &families.0 {
            let at = format!("@{name}");
            let family_docs = crate::terms::evaluate(
                engine,
                &crate::terms::Subject::Family(family.clone()),
                &allowed,
            )?
            .len();
            let link = |path: &str, param: &str, label: &str, term: &str| {
                format!(
                    "<a href=\"{path}?{param}={}{}\">{label}</a>",
                    esc(&urlencode(term)),
                    esc(&filters)
                )
            };
            let _ = write!(
                b,
                "<section class=\"family\" id=\"family-{}\"><h2>{}</h2><p>{}</p><p class=\"small\"><span id=\"docs-{}\">{family_docs}</span> documents with any variant · {} · {} · {} · {}</p><table><tr><th>variant</th><th>documents</th><th></th></tr>",
                esc(name),
                esc(&at),
                esc(&family.description),
                esc(name),
                link("/search", "q", "search", &at),
                link("/trace", "term", "trace", &at),
                link("/timeline", "term", "timeline", &at),
                link("/dossier", "term", "dossier", &at),
            );
            for v in &family.variants {
                let docs = engine.evaluate(v, &allowed)?.len();
                let quoted = format!("\"{}\"", v.raw);
                let _ = write!(
                    b,
                    "<tr><td{}>{}</td><td class=\"n\">{docs}</td><td>{} · {} · {}</td></tr>",
                    if v.cjk { " lang=\"zh\"" } else { " lang=\"en\"" },
                    esc(&v.raw),
                    link("/search", "q", "search", &quoted),
                    link("/kwic", "q", "concordance", &quoted),
                    link("/renderings", "term", "renderings", &v.raw),
                );
            }
            b.push_str("</table></section>");
        }
        Ok(Html(layout_for("Families", "families", &b, None)).into_response())
    })
    .await
}

/// The dossier of a term: the very page `tifa dossier` writes (self-contained,
/// no script), with its own policy allowing the inline style it carries.
pub async fn dossier_page(State(s): State<Arc<AppState>>, RawQuery(raw): RawQuery) -> Response {
    let p = Params::parse(raw);
    work(&s, false, move |engine| {
        let term = p.all("term").join(" ");
        if term.is_empty() {
            let b = format!(
                "<form class=\"query\" method=\"get\" action=\"/dossier\"><label>term<input class=\"q\" type=\"text\" name=\"term\" value=\"\"></label>{}<button type=\"submit\">Dossier</button></form><p class=\"help\">One citable page about a formulation: first appearance, use per year, renderings, collocates, first use per state, concordance, caveats and every cited document (also <code>tifa dossier TERM</code>).</p>",
                filter_inputs(&p, engine)
            );
            return Ok(Html(layout_for("Dossier", "dossier", &b, None)).into_response());
        }
        let subject = subjects_of(&p, "term")?.remove(0);
        let command = format!("/dossier?{}", p.with(&[]));
        let d = crate::dossier::dossier(engine, &subject, &p.filter()?, command)?;
        if let Some(format) = p.get("cite") {
            let format = crate::dossier::CiteFormat::parse(format)
                .map_err(crate::error::UserError::BadQuery)?;
            let (mime, name) = match format {
                crate::dossier::CiteFormat::CslJson => ("application/json", "dossier.json"),
                crate::dossier::CiteFormat::Bibtex => ("application/x-bibtex", "dossier.bib"),
                crate::dossier::CiteFormat::Ris => ("application/x-research-info-systems", "dossier.ris"),
            };
            let body = crate::dossier::citations(&d.sources, format, &d.stamp.built)?;
            return Ok(super::download(mime, name, body.into_bytes()));
        }
        let links = format!(
            "<nav class=\"downloads\">References: <a href=\"/dossier?{q}&amp;cite=csl-json\">CSL-JSON</a> · <a href=\"/dossier?{q}&amp;cite=bibtex\">BibTeX</a> · <a href=\"/dossier?{q}&amp;cite=ris\">RIS</a> · <a href=\"/trace?{q}\">trace</a> · <a href=\"/search?q={t}\">search</a></nav>",
            q = esc(&p.with(&[])),
            t = urlencode(&term)
        );
        let page = d.html().replacen("<main>", &format!("<main>{links}"), 1);
        let mut response = Html(page).into_response();
        response.headers_mut().insert(
            axum::http::header::CONTENT_SECURITY_POLICY,
            axum::http::HeaderValue::from_static(
                "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'",
            ),
        );
        Ok(response)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::heat;

    #[test]
    fn heat_shades_against_the_busiest_period() {
        assert_eq!(heat(0, 10), 0);
        assert_eq!(heat(1, 10), 2);
        assert_eq!(heat(10, 10), 5);
        assert_eq!(heat(5, 0), 0);
    }
}
