//! Charts drawn as inline SVG, shared by the web page and the dossier: the
//! timelines of terms and the drift of a term's renderings, drawn on one
//! frame (periods along, values up, a legend beside).

use std::collections::BTreeSet;
use std::fmt::Write;

use crate::history;
use crate::output::escape_html;
use crate::renderings::Renderings;

/// The colours of a chart's lines, in order.
const COLOURS: [&str; 6] = [
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
];

/// The colour of line `n` (taken again from the first after the last).
fn colour(n: usize) -> &'static str {
    COLOURS[n % COLOURS.len()]
}

/// The renderings the drift chart draws: one colour each.
pub const DRIFT_LINES: usize = COLOURS.len();

/// Where a chart's periods and values fall: the periods equally spaced
/// across the plot, values from 0 (bottom) to `max` (top).
struct Frame<'a> {
    periods: Vec<&'a String>,
    width: f64,
    height: f64,
    left: f64,
    /// Kept free right of the plot.
    right: f64,
    bottom: f64,
    max: f64,
    /// Where the legend's first name stands (x, y); each next one 16 pixels lower.
    legend: (f64, f64),
}

impl<'a> Frame<'a> {
    /// The periods of the lines in order, or none (then no chart is drawn).
    fn periods(keys: impl Iterator<Item = &'a String>) -> Vec<&'a String> {
        keys.collect::<BTreeSet<_>>().into_iter().collect()
    }

    fn x(&self, i: usize) -> f64 {
        self.left
            + (i as f64 + 0.5) * (self.width - self.left - self.right) / self.periods.len() as f64
    }

    fn y(&self, v: f64) -> f64 {
        20.0 + (self.height - self.bottom - 20.0) * (1.0 - v / self.max)
    }

    /// The periods' names under the plot, at most about 30 of them.
    fn period_names(&self, s: &mut String) {
        let n = self.periods.len();
        for (i, p) in self.periods.iter().enumerate() {
            if n <= 30 || i % (n / 30 + 1) == 0 {
                let _ = write!(
                    s,
                    "<text x=\"{:.1}\" y=\"{}\" font-size=\"10\" text-anchor=\"middle\">{}</text>",
                    self.x(i),
                    self.height - self.bottom + 14.0,
                    escape_html(p)
                );
            }
        }
    }

    /// The name of line `n` in its colour.
    fn legend(&self, s: &mut String, n: usize, name: &str) {
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{}\" font-size=\"12\" fill=\"{}\">{}</text>",
            self.legend.0,
            self.legend.1 + 16.0 * n as f64,
            colour(n),
            escape_html(name)
        );
    }
}

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
    let periods = Frame::periods(
        timelines
            .iter()
            .flat_map(|t| t.buckets.keys())
            .filter(|k| *k != "unknown"),
    );
    if periods.is_empty() {
        return String::new();
    }
    let value = |b: &history::Bucket| if docs { b.docs as f64 } else { b.per_million };
    let max = timelines
        .iter()
        .flat_map(|t| t.buckets.values().map(value))
        .fold(0.0, f64::max)
        .max(1e-9);
    let (w, h) = (900.0, 320.0);
    let frame = Frame {
        periods,
        width: w,
        height: h,
        left: 60.0,
        right: 20.0,
        bottom: 40.0,
        max,
        legend: (w - 240.0, 20.0),
    };
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
    frame.period_names(&mut s);
    let (x, y) = (|i| frame.x(i), |v| frame.y(v));
    for (n, t) in timelines.iter().enumerate() {
        let colour = colour(n);
        let points: Vec<(usize, &history::Bucket)> = frame
            .periods
            .iter()
            .enumerate()
            .filter_map(|(i, l)| t.buckets.get(*l).map(|b| (i, b)))
            .collect();
        // Segments touching a period the line's collections do not cover (or
        // a partial last period) are dashed, their points hollow: a fall
        // there is the corpus ending, not use stopping.
        for pair in points.windows(2) {
            let ((i, a), (j, c)) = (pair[0], pair[1]);
            let covered =
                t.coverage.is_covered(frame.periods[i]) && t.coverage.is_covered(frame.periods[j]);
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
            let mark = t.coverage.mark(frame.periods[i]);
            let _ = write!(
                s,
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\" fill=\"{}\" stroke=\"{colour}\"><title>{} {}: {} documents, {} occurrences, {:.2} per million{}</title></circle>",
                x(i),
                y(value(b)),
                if mark.is_empty() { colour } else { "white" },
                escape_html(&t.term),
                escape_html(frame.periods[i]),
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
        frame.legend(&mut s, n, &t.term);
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

/// Each rendering's share of the term's segments per year (inline SVG), for
/// the first [`DRIFT_LINES`] renderings.
pub fn drift_svg(r: &Renderings) -> String {
    let lines: Vec<_> = r.renderings.iter().take(DRIFT_LINES).collect();
    let periods = Frame::periods(lines.iter().flat_map(|x| x.by_year.keys()));
    if periods.is_empty() {
        return String::new();
    }
    let (w, h, left) = (900.0, 300.0, 50.0);
    let frame = Frame {
        periods,
        width: w,
        height: h,
        left,
        right: 260.0,
        bottom: 40.0,
        max: 1.0,
        legend: (w - 250.0, 24.0),
    };
    let (x, y) = (|i| frame.x(i), |v| frame.y(v));
    let mut s = format!(
        "<svg class=\"chart\" id=\"renderings-chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\"><title>share of the term's segments per year, per rendering</title><text x=\"8\" y=\"14\" font-size=\"11\">share of the segments with the term</text>"
    );
    for v in [0.0, 0.5, 1.0] {
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{:.1}\" font-size=\"10\" text-anchor=\"end\">{:.0}%</text><line x1=\"{left}\" x2=\"{}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#ddd\"/>",
            left - 4.0,
            y(v) + 3.0,
            v * 100.0,
            w - frame.right,
            y(v),
            y(v)
        );
    }
    frame.period_names(&mut s);
    for (n, line) in lines.iter().enumerate() {
        let colour = colour(n);
        let points: Vec<(usize, f64)> = frame
            .periods
            .iter()
            .enumerate()
            .filter_map(|(i, yr)| line.by_year.get(*yr).map(|v| (i, *v)))
            .collect();
        for pair in points.windows(2) {
            let _ = write!(
                s,
                "<line x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"{colour}\" stroke-width=\"2\"/>",
                x(pair[0].0),
                y(pair[0].1),
                x(pair[1].0),
                y(pair[1].1)
            );
        }
        for (i, v) in points {
            let _ = write!(
                s,
                "<circle class=\"drift\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\" fill=\"{colour}\"><title>{} {}: {:.0}% of the segments with the term</title></circle>",
                x(i),
                y(v),
                escape_html(&line.text),
                escape_html(frame.periods[i]),
                100.0 * v
            );
        }
        frame.legend(&mut s, n, &line.text);
    }
    s.push_str("</svg>");
    s
}
