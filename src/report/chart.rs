//! Charts drawn as inline SVG, shared by the web page and the dossier.

use std::fmt::Write;

use crate::history;
use crate::output::escape_html;

/// Lines per term over the periods (inline SVG; a point's tooltip gives its figures).
pub fn timeline_svg(timelines: &[history::Timeline], docs: bool) -> String {
    timeline_svg_with_footer(timelines, docs, &[])
}

/// [`timeline_svg`] with a line of small print under the chart (the stamp
/// of a chart that travels without its page).
pub fn timeline_svg_with_footer(
    timelines: &[history::Timeline],
    docs: bool,
    footer: &[String],
) -> String {
    const COLOURS: [&str; 6] = [
        "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
    ];
    let labels: Vec<&String> = {
        let set: std::collections::BTreeSet<&String> = timelines
            .iter()
            .flat_map(|t| t.buckets.keys())
            .filter(|k| *k != "unknown")
            .collect();
        set.into_iter().collect()
    };
    if labels.is_empty() {
        return String::new();
    }
    let value = |b: &history::Bucket| if docs { b.docs as f64 } else { b.per_million };
    let max = timelines
        .iter()
        .flat_map(|t| t.buckets.values().map(value))
        .fold(0.0, f64::max)
        .max(1e-9);
    let (w, h, left, bottom) = (900.0, 320.0, 60.0, 40.0);
    let x = |i: usize| left + (i as f64 + 0.5) * (w - left - 20.0) / labels.len() as f64;
    let y = |v: f64| 20.0 + (h - bottom - 20.0) * (1.0 - v / max);
    // The footer's lines (see `report::footer_lines`), 14 pixels each.
    let full_height = h + if footer.is_empty() {
        0.0
    } else {
        4.0 + 14.0 * footer.len() as f64
    };
    let mut s = format!(
        "<svg class=\"chart\" id=\"timeline-chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {full_height}\" width=\"{w}\" height=\"{full_height}\" role=\"img\"><title>{}</title><text x=\"8\" y=\"14\" font-size=\"11\">{} (max {:.2})</text>",
        if docs {
            "documents per period"
        } else {
            "occurrences per million per period"
        },
        if docs { "documents" } else { "per million" },
        max
    );
    for (i, l) in labels.iter().enumerate() {
        if labels.len() <= 30 || i % (labels.len() / 30 + 1) == 0 {
            let _ = write!(
                s,
                "<text x=\"{:.1}\" y=\"{}\" font-size=\"10\" text-anchor=\"middle\">{}</text>",
                x(i),
                h - bottom + 14.0,
                escape_html(l)
            );
        }
    }
    for (n, t) in timelines.iter().enumerate() {
        let colour = COLOURS[n % COLOURS.len()];
        let points: Vec<(usize, &history::Bucket)> = labels
            .iter()
            .enumerate()
            .filter_map(|(i, l)| t.buckets.get(*l).map(|b| (i, b)))
            .collect();
        // Segments touching a period the line's collections do not cover (or
        // a partial last period) are dashed, their points hollow: a fall
        // there is the corpus ending, not use stopping.
        for pair in points.windows(2) {
            let ((i, a), (j, c)) = (pair[0], pair[1]);
            let covered = t.coverage.is_covered(labels[i]) && t.coverage.is_covered(labels[j]);
            let _ = write!(
                s,
                "<line class=\"{}\" x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"{colour}\" stroke-width=\"2\"{}/>",
                if covered { "covered" } else { "uncovered" },
                x(i),
                y(value(a)),
                x(j),
                y(value(c)),
                if covered {
                    ""
                } else {
                    " stroke-dasharray=\"4 4\" stroke-opacity=\"0.6\""
                }
            );
        }
        for (i, b) in points {
            let mark = t.coverage.mark(labels[i]);
            let _ = write!(
                s,
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\" fill=\"{}\" stroke=\"{colour}\"><title>{} {}: {} documents, {} occurrences, {:.2} per million{}</title></circle>",
                x(i),
                y(value(b)),
                if mark.is_empty() { colour } else { "white" },
                escape_html(&t.term),
                escape_html(labels[i]),
                b.docs,
                b.occurrences,
                b.per_million,
                if mark.is_empty() {
                    String::new()
                } else {
                    format!(" — {}", escape_html(&mark))
                }
            );
        }
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{}\" font-size=\"12\" fill=\"{colour}\">{}</text>",
            w - 240.0,
            20.0 + 16.0 * n as f64,
            escape_html(&t.term)
        );
    }
    for (i, line) in footer.iter().enumerate() {
        let _ = write!(
            s,
            "<text x=\"8\" y=\"{}\" font-size=\"9\" fill=\"#555\">{}</text>",
            h + 12.0 + 14.0 * i as f64,
            escape_html(line)
        );
    }
    s.push_str("</svg>");
    s
}
