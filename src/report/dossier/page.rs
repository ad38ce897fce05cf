//! The dossier as a page: its content written once as blocks (headings,
//! findings, tables, aligned pairs), then rendered as self-contained HTML or
//! as Markdown — so the two forms say the same things in the same order.

use std::fmt::Write;

use super::{Dossier, SAMPLE_LINES, SAMPLE_SEED};
use crate::kwic;
use crate::output::escape_html as esc;
use crate::report::md_cell as md;

/// A run of text inside a paragraph or list item.
enum Inline {
    Text(String),
    Bold(String),
    Code(String),
}

/// How a table column is shown.
#[derive(Clone, Copy, PartialEq)]
enum Column {
    Text,
    /// A figure, right-aligned.
    Number,
    /// The left context of a concordance line, right-aligned.
    Left,
    /// The match of a concordance line, bold.
    Hit,
}

struct Table {
    class: Option<&'static str>,
    head: Vec<(&'static str, Column)>,
    rows: Vec<Vec<String>>,
}

enum Block {
    H2 {
        id: &'static str,
        text: String,
    },
    H3(String),
    Para(Vec<Inline>),
    /// A paragraph in smaller print (how to read what follows).
    Note(Vec<Inline>),
    Quote(String),
    List(Vec<Vec<Inline>>),
    Table(Table),
    /// An aligned pair: source, target and where it stands.
    Pair {
        source: String,
        target: String,
        place: String,
    },
    /// The per-year chart (inline SVG, or a link to its file in Markdown).
    Chart,
    /// Side-by-side columns, each with a heading.
    Columns(Vec<(String, Vec<Block>)>),
    /// The numbered sources.
    Sources(Vec<(usize, Vec<Inline>)>),
}

fn text(s: impl Into<String>) -> Inline {
    Inline::Text(s.into())
}

fn h2(id: &'static str, text: &str) -> Block {
    Block::H2 {
        id,
        text: text.into(),
    }
}

fn table(head: Vec<(&'static str, Column)>, rows: Vec<Vec<String>>) -> Block {
    Block::Table(Table {
        class: None,
        head,
        rows,
    })
}

/// Concordance lines (class `kwic`: the page's concordance style, no header row).
fn concordance_table(head: Vec<(&'static str, Column)>, rows: Vec<Vec<String>>) -> Block {
    Block::Table(Table {
        class: Some("kwic"),
        head,
        rows,
    })
}

impl Dossier {
    /// The number of a cited document, as `[n]`.
    fn cite(&self, id: &str) -> String {
        self.sources
            .iter()
            .find(|s| s.id == id)
            .map_or(String::new(), |s| format!("[{}]", s.number))
    }

    /// A self-contained HTML page: inline CSS and SVG, no script.
    pub fn html(&self) -> String {
        let mut b = String::new();
        let _ = write!(
            b,
            "<!doctype html><html lang=\"zh\"><head><meta charset=\"utf-8\"><title>Dossier: {t}</title><style>{STYLE}</style></head><body><main><h1>Dossier: {t}</h1><p class=\"answer\">{}</p>",
            esc(&self.summary),
            t = esc(&self.term)
        );
        for block in self.blocks() {
            self.html_block(&mut b, &block);
        }
        let _ = write!(
            b,
            "<footer class=\"stamp\">{}</footer></main></body></html>",
            esc(&self.stamp.line())
        );
        b
    }

    /// Markdown, with the chart as a separate SVG file (`chart_file` is how
    /// the page links it). Every text from the corpus is escaped, so a title
    /// cannot turn into markup.
    pub fn markdown(&self, chart_file: &str) -> String {
        let mut m = format!("# Dossier: {}\n\n{}\n", md(&self.term), md(&self.summary));
        for block in self.blocks() {
            markdown_block(&mut m, &block, chart_file);
        }
        let _ = writeln!(m, "\n---\n\n{}", md(&self.stamp.line()));
        m
    }

    /// The page's chart alone (for the Markdown page's SVG file).
    pub fn chart_svg(&self) -> String {
        crate::chart::timeline_svg_with_footer(
            std::slice::from_ref(&self.timeline),
            true,
            &crate::report::footer_lines(&[&self.stamp.line()]),
        )
    }

    /// The page's content, in the order.
    fn blocks(&self) -> Vec<Block> {
        let mut out = Vec::new();
        self.first_blocks(&mut out);
        self.timeline_blocks(&mut out);
        self.renderings_blocks(&mut out);
        self.collocates_blocks(&mut out);
        self.diffusion_blocks(&mut out);
        self.concordance_blocks(&mut out);
        out.push(h2("caveats", "Caveats"));
        out.push(Block::List(
            self.caveats.iter().map(|c| vec![text(c)]).collect(),
        ));
        out.push(h2("sources", "Sources"));
        out.push(Block::Sources(
            self.sources
                .iter()
                .map(|s| {
                    let mut parts = vec![
                        text(format!(
                            "{} · {} · {} [{}, {}] · id ",
                            s.date, s.title, s.collection, s.kind, s.lang
                        )),
                        Inline::Code(s.id.clone()),
                    ];
                    if let Some(u) = &s.url {
                        parts.push(text(format!(" · {u}")));
                    }
                    if let Some(p) = &s.provenance {
                        parts.push(text(format!(" · source: {p}")));
                    }
                    (s.number, parts)
                })
                .collect(),
        ));
        out
    }

    fn first_blocks(&self, out: &mut Vec<Block>) {
        out.push(h2("first", "First appearance"));
        let Some(f) = &self.trace.first else {
            out.push(Block::Para(vec![text("No dated document contains it.")]));
            return;
        };
        out.push(Block::Para(vec![
            Inline::Bold(f.date.clone()),
            text(format!(
                "{} — {} {} ({}, {}{})",
                if f.approximate { " (approximate)" } else { "" },
                f.title,
                self.cite(&f.id),
                f.kind,
                f.lang,
                f.ocr_note().map_or(String::new(), |n| format!("; {n}"))
            )),
        ]));
        if let Some(c) = &f.context {
            out.push(Block::Quote(c.clone()));
        }
        out.push(Block::Para(vec![text(format!(
            "Quoted: {}.",
            match f.quoted {
                Some(true) => "yes — inside quotation or title marks (the document may cite it)",
                Some(false) => "no — the document uses it in its own words",
                None => "not known",
            }
        ))]));
        if !f.possibly_earlier.is_empty() {
            out.push(Block::Para(vec![text(
                "Possibly earlier (dated only to a year or month that includes the first):",
            )]));
            out.push(Block::List(
                f.possibly_earlier
                    .iter()
                    .map(|p| vec![text(format!("{} {} {}", p.date, p.title, self.cite(&p.id)))])
                    .collect(),
            ));
        }
        if !self.trace.early.is_empty() {
            out.push(Block::Para(vec![text(format!(
                "Early matches to check ({} in all):",
                self.trace.early_total
            ))]));
            out.push(Block::List(
                self.trace
                    .early
                    .iter()
                    .map(|p| {
                        vec![text(format!(
                            "{} {} {} — {}",
                            p.date,
                            p.title,
                            self.cite(&p.id),
                            p.note.as_deref().unwrap_or("")
                        ))]
                    })
                    .collect(),
            ));
        }
        if let Some(c) = &self.trace.coverage_before {
            out.push(Block::Para(vec![text(format!(
                "Coverage before: the corpus holds {} documents{} from {} to {} (the 12 months before): {}.{}",
                c.docs,
                c.lang
                    .as_deref()
                    .map_or(String::new(), |l| format!(" in {l}")),
                c.from,
                c.to,
                c.by_collection
                    .iter()
                    .map(|(k, v)| format!("{k} {v}"))
                    .collect::<Vec<_>>()
                    .join(", "),
                match &c.nearest_same_collection {
                    Some(d) => format!(
                        " The nearest earlier document of {} is of {} ({}).",
                        c.collection, d.date, d.title
                    ),
                    None => format!(
                        " {} starts with this document: the corpus cannot show earlier use there.",
                        c.collection
                    ),
                }
            ))]));
        }
    }

    fn timeline_blocks(&self, out: &mut Vec<Block>) {
        out.push(h2("timeline", "Use per year"));
        out.push(Block::Chart);
        out.push(Block::Note(vec![text(
            "Documents per year (hollow points: a year the line's collections do not cover, or the partial last year).",
        )]));
        out.push(table(
            vec![
                ("year", Column::Text),
                ("documents", Column::Number),
                ("occurrences", Column::Number),
                ("per million", Column::Number),
                ("share of documents", Column::Number),
                ("", Column::Text),
            ],
            self.timeline
                .buckets
                .iter()
                .map(|(year, bucket)| {
                    vec![
                        year.clone(),
                        bucket.docs.to_string(),
                        bucket.occurrences.to_string(),
                        format!("{:.2}", bucket.per_million),
                        format!("{:.4}", bucket.share),
                        self.timeline.coverage.mark(year),
                    ]
                })
                .collect(),
        ));
        for (title, rows) in [
            ("Per kind", &self.by_kind),
            ("Per collection", &self.by_collection),
        ] {
            if rows.is_empty() {
                continue;
            }
            out.push(Block::H3(title.into()));
            let mut sorted: Vec<_> = rows.iter().collect();
            sorted.sort_by(|a, b| b.1.0.cmp(&a.1.0).then_with(|| a.0.cmp(b.0)));
            out.push(table(
                vec![
                    ("", Column::Text),
                    ("documents", Column::Number),
                    ("occurrences", Column::Number),
                ],
                sorted
                    .into_iter()
                    .map(|(k, (d, o))| vec![k.clone(), d.to_string(), o.to_string()])
                    .collect(),
            ));
        }
    }

    fn renderings_blocks(&self, out: &mut Vec<Block>) {
        out.push(h2("renderings", "Renderings"));
        let Some(r) = &self.renderings else {
            out.push(Block::Para(vec![text(
                self.renderings_note.as_deref().unwrap_or("none"),
            )]));
            return;
        };
        if let Some(note) = &self.renderings_note {
            out.push(Block::Note(vec![text(note)]));
        }
        out.push(Block::Para(vec![text(format!(
            "{} of {} aligned segments contain it; {} have none of the renderings below.",
            r.segments_with_term, r.segments, r.not_rendered
        ))]));
        out.push(table(
            vec![
                ("rendering", Column::Text),
                ("share", Column::Number),
                ("segments", Column::Number),
                ("first", Column::Text),
                ("last", Column::Text),
            ],
            r.renderings
                .iter()
                .map(|x| {
                    vec![
                        x.text.clone(),
                        format!("{:.0} %", x.share * 100.0),
                        x.pairs.to_string(),
                        x.first.clone(),
                        x.last.clone(),
                    ]
                })
                .collect(),
        ));
        // Two different aligned pairs (renderings often share their best example).
        let mut shown: Vec<(&str, usize)> = Vec::new();
        for x in &r.renderings {
            let e = &x.example;
            if shown.len() == 2 || shown.contains(&(e.pair.as_str(), e.segment)) {
                continue;
            }
            shown.push((e.pair.as_str(), e.segment));
            out.push(Block::Pair {
                source: e.source.clone(),
                target: e.target.clone(),
                place: format!("{} · {} segment {}", e.date, e.pair, e.segment),
            });
        }
    }

    fn collocates_blocks(&self, out: &mut Vec<Block>) {
        out.push(h2("collocates", "Collocates"));
        out.push(Block::Note(vec![
            text("Words within 5 on either side, function words left out, by logDice (as "),
            Inline::Code("tifa collocates TERM --stop-words".into()),
            text(" with the dates of each column)."),
        ]));
        let columns = self
            .collocates
            .iter()
            .map(|p| {
                let blocks = match &p.group {
                    Some(g) if !g.collocates.is_empty() => vec![
                        Block::Note(vec![text(format!(
                            "{} occurrences in {} documents",
                            g.occurrences, g.docs
                        ))]),
                        table(
                            vec![
                                ("word", Column::Text),
                                ("together", Column::Number),
                                ("logDice", Column::Number),
                            ],
                            g.collocates
                                .iter()
                                .map(|c| {
                                    vec![
                                        c.word.clone(),
                                        c.freq.to_string(),
                                        format!("{:.2}", c.log_dice),
                                    ]
                                })
                                .collect(),
                        ),
                    ],
                    _ => vec![Block::Para(vec![text(
                        "No word occurs with it 3 times or more.",
                    )])],
                };
                (p.label.clone(), blocks)
            })
            .collect();
        out.push(Block::Columns(columns));
    }

    fn diffusion_blocks(&self, out: &mut Vec<Block>) {
        out.push(h2("diffusion", "Diffusion"));
        if self.diffusion.is_empty() {
            out.push(Block::Para(vec![text(
                "No document with a country (UN General Debate statements) uses it.",
            )]));
            return;
        }
        out.push(Block::Para(vec![text(format!(
            "First use per country ({} countries):",
            self.diffusion.len()
        ))]));
        out.push(table(
            vec![
                ("country", Column::Text),
                ("first", Column::Text),
                ("document", Column::Text),
            ],
            self.diffusion
                .iter()
                .map(|(country, a)| {
                    vec![
                        country.clone(),
                        a.date.clone(),
                        format!("{} {}", a.title, self.cite(&a.id)),
                    ]
                })
                .collect(),
        ));
    }

    fn concordance_blocks(&self, out: &mut Vec<Block>) {
        let lines = |lines: &[kwic::KwicLine]| {
            concordance_table(
                vec![
                    ("date", Column::Text),
                    ("", Column::Left),
                    ("", Column::Hit),
                    ("", Column::Text),
                    ("source", Column::Text),
                ],
                lines
                    .iter()
                    .map(|l| {
                        vec![
                            l.date.clone().unwrap_or_else(|| "undated".into()),
                            l.left.clone(),
                            l.hit.clone(),
                            l.right.clone(),
                            self.cite(&l.id),
                        ]
                    })
                    .collect(),
            )
        };
        out.push(h2("concordance", "Concordance"));
        out.push(Block::Note(vec![
            text(format!(
                "A random sample of {} of its {} occurrences in {} documents (seed {SAMPLE_SEED}: ",
                self.sample.lines.len(),
                self.sample.total,
                self.sample.docs,
            )),
            Inline::Code(format!(
                "tifa kwic {} --sample {SAMPLE_LINES} --seed {SAMPLE_SEED}",
                kwic_query_shell(&self.sample.query)
            )),
            text("), by date:"),
        ]));
        out.push(lines(&self.sample.lines));
        out.push(Block::H3(format!(
            "The earliest {}",
            self.earliest_lines.len()
        )));
        out.push(lines(&self.earliest_lines));
    }

    fn html_block(&self, b: &mut String, block: &Block) {
        match block {
            Block::H2 { id, text } => {
                let _ = write!(b, "<h2 id=\"{id}\">{}</h2>", esc(text));
            }
            Block::H3(t) => {
                let _ = write!(b, "<h3>{}</h3>", esc(t));
            }
            Block::Para(parts) => {
                let _ = write!(b, "<p>{}</p>", html_inline(parts));
            }
            Block::Note(parts) => {
                let _ = write!(b, "<p class=\"note\">{}</p>", html_inline(parts));
            }
            Block::Quote(t) => {
                let _ = write!(b, "<blockquote>{}</blockquote>", esc(t));
            }
            Block::List(items) => {
                b.push_str("<ul>");
                for item in items {
                    let _ = write!(b, "<li>{}</li>", html_inline(item));
                }
                b.push_str("</ul>");
            }
            Block::Table(t) => {
                match t.class {
                    Some(c) => {
                        let _ = write!(b, "<table class=\"{c}\">");
                    }
                    None => b.push_str("<table>"),
                }
                // A concordance reads without a header row, as on the concordance page.
                if t.class != Some("kwic") {
                    b.push_str("<tr>");
                    for (h, _) in &t.head {
                        let _ = write!(b, "<th>{}</th>", esc(h));
                    }
                    b.push_str("</tr>");
                }
                for row in &t.rows {
                    b.push_str("<tr>");
                    for (cell, (_, column)) in row.iter().zip(&t.head) {
                        let class = match column {
                            Column::Text => "",
                            Column::Number => " class=\"n\"",
                            Column::Left => " class=\"left\"",
                            Column::Hit => " class=\"hit\"",
                        };
                        let _ = write!(b, "<td{class}>{}</td>", esc(cell));
                    }
                    b.push_str("</tr>");
                }
                b.push_str("</table>");
            }
            Block::Pair {
                source,
                target,
                place,
            } => {
                let _ = write!(
                    b,
                    "<div class=\"pair\"><p>{}</p><p>{}</p><p class=\"note\">{}</p></div>",
                    esc(source),
                    esc(target),
                    esc(place)
                );
            }
            Block::Chart => b.push_str(&crate::chart::timeline_svg(
                std::slice::from_ref(&self.timeline),
                true,
            )),
            Block::Columns(columns) => {
                b.push_str("<div class=\"columns\">");
                for (title, blocks) in columns {
                    let _ = write!(b, "<div><h3>{}</h3>", esc(title));
                    for block in blocks {
                        self.html_block(b, block);
                    }
                    b.push_str("</div>");
                }
                b.push_str("</div>");
            }
            Block::Sources(items) => {
                b.push_str("<ol class=\"sources\">");
                for (n, parts) in items {
                    let _ = write!(
                        b,
                        "<li id=\"s{n}\" value=\"{n}\">{}</li>",
                        html_inline(parts)
                    );
                }
                b.push_str("</ol>");
            }
        }
    }
}

fn html_inline(parts: &[Inline]) -> String {
    parts
        .iter()
        .map(|p| match p {
            Inline::Text(t) => esc(t),
            Inline::Bold(t) => format!("<b>{}</b>", esc(t)),
            Inline::Code(t) => format!("<code>{}</code>", esc(t)),
        })
        .collect()
}

fn markdown_inline(parts: &[Inline]) -> String {
    parts
        .iter()
        .map(|p| match p {
            Inline::Text(t) => md(t),
            Inline::Bold(t) => format!("**{}**", md(t)),
            // A code span needs a fence longer than any run of backticks in it.
            Inline::Code(t) => {
                let longest = t.split(|c| c != '`').map(str::len).max().unwrap_or(0);
                let fence = "`".repeat(longest + 1);
                let pad = if t.starts_with('`') || t.ends_with('`') {
                    " "
                } else {
                    ""
                };
                format!("{fence}{pad}{t}{pad}{fence}")
            }
        })
        .collect()
}

fn markdown_block(m: &mut String, block: &Block, chart_file: &str) {
    match block {
        Block::H2 { text, .. } => {
            let _ = write!(m, "\n## {}\n\n", md(text));
        }
        Block::H3(t) => {
            let _ = write!(m, "\n### {}\n\n", md(t));
        }
        Block::Para(parts) => {
            let _ = write!(m, "{}\n\n", markdown_inline(parts));
        }
        Block::Note(parts) => {
            let _ = write!(m, "*{}*\n\n", markdown_inline(parts));
        }
        Block::Quote(t) => {
            let _ = write!(m, "> {}\n\n", md(&t.replace('\n', " ")));
        }
        Block::List(items) => {
            for item in items {
                let _ = writeln!(m, "- {}", markdown_inline(item));
            }
            m.push('\n');
        }
        Block::Table(t) => {
            let head: Vec<String> = t.head.iter().map(|(h, _)| md(h)).collect();
            let _ = writeln!(m, "| {} |", head.join(" | "));
            let rule: Vec<&str> = t
                .head
                .iter()
                .map(|(_, c)| match c {
                    Column::Number | Column::Left => "---:",
                    Column::Hit => ":---:",
                    Column::Text => "---",
                })
                .collect();
            let _ = writeln!(m, "|{}|", rule.join("|"));
            for row in &t.rows {
                let cells: Vec<String> = row
                    .iter()
                    .zip(&t.head)
                    .map(|(cell, (_, c))| {
                        let cell = md(&cell.replace('\n', " "));
                        if *c == Column::Hit {
                            format!("**{cell}**")
                        } else {
                            cell
                        }
                    })
                    .collect();
                let _ = writeln!(m, "| {} |", cells.join(" | "));
            }
            m.push('\n');
        }
        Block::Pair {
            source,
            target,
            place,
        } => {
            let _ = write!(
                m,
                "> {}\n>\n> {}\n>\n> *{}*\n\n",
                md(&source.replace('\n', " ")),
                md(&target.replace('\n', " ")),
                md(place)
            );
        }
        Block::Chart => {
            let _ = write!(m, "![documents per year]({chart_file})\n\n");
        }
        Block::Columns(columns) => {
            for (title, blocks) in columns {
                let _ = write!(m, "\n### {}\n\n", md(title));
                for block in blocks {
                    markdown_block(m, block, chart_file);
                }
            }
        }
        Block::Sources(items) => {
            for (n, parts) in items {
                let _ = writeln!(m, "{n}. {}", markdown_inline(parts));
            }
            m.push('\n');
        }
    }
}

fn kwic_query_shell(q: &str) -> String {
    format!("'{}'", q.replace('\'', "'\\''"))
}

const STYLE: &str = "body{font-family:sans-serif;margin:0;color:#222}main{max-width:960px;margin:auto;padding:1em}\
h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;margin-top:1.6em}.answer{font-size:1.15em;background:#f4f7fb;padding:.6em;border-left:4px solid #1f77b4}\
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:2px 6px;font-size:.9em;vertical-align:top}td.n{text-align:right}\
td.left{text-align:right}td.hit{font-weight:bold;color:#b00}blockquote{border-left:3px solid #999;margin:.5em 0;padding-left:.8em}\
.note{color:#555;font-size:.9em}.columns{display:flex;gap:2em;flex-wrap:wrap}.pair{border:1px solid #ddd;padding:.4em;margin:.4em 0}\
.sources li{margin:.2em 0;font-size:.9em}.stamp{margin-top:2em;border-top:1px solid #ccc;padding-top:.5em;font-size:.8em;color:#555}";
