//! Output helpers: terminal escaping, highlighting, tables, safe CSV cells.

use std::io::IsTerminal;

use std::io::Write;

/// True when stdout is a terminal (progress bars).
pub fn stdout_is_terminal() -> bool {
    std::io::stdout().is_terminal()
}

/// Colour on stdout: a terminal, and `NO_COLOR` not set (<https://no-color.org>).
pub fn colour_enabled() -> bool {
    stdout_is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Characters that must never reach a terminal raw: C0 and C1 controls (ESC,
/// NUL, CR …), DEL, bidirectional marks and overrides, line/paragraph separators.
pub fn is_unsafe_for_terminal(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}'
        )
}

/// Makes corpus text safe for a terminal: unsafe characters (see
/// [`is_unsafe_for_terminal`]) become visible `\u{..}` escapes; line breaks
/// and tabs become spaces.
pub fn escape_terminal(s: &str) -> String {
    if !s.chars().any(is_unsafe_for_terminal) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' | '\r' | '\t' => out.push(' '),
            c if is_unsafe_for_terminal(c) => {
                out.push_str(&format!("\\u{{{:04x}}}", c as u32));
            }
            c => out.push(c),
        }
    }
    out
}

/// serde_json's formatter with every terminal-unsafe character written as a
/// `\uXXXX` escape (serde_json escapes only C0): still the same JSON value.
pub struct SafeFormatter<F>(pub F);

impl<F: serde_json::ser::Formatter> serde_json::ser::Formatter for SafeFormatter<F> {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        let mut last = 0;
        for (i, c) in fragment.char_indices() {
            if is_unsafe_for_terminal(c) {
                writer.write_all(&fragment.as_bytes()[last..i])?;
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    write!(writer, "\\u{u:04x}")?;
                }
                last = i + c.len_utf8();
            }
        }
        writer.write_all(&fragment.as_bytes()[last..])
    }
    // serde_json requires the rest of the trait to be forwarded explicitly only
    // where the inner formatter differs (indentation); see below.
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn end_object_key<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object_key(w)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object_value(w)
    }
}

/// Writes `value` as one line of JSON, terminal-safe (see [`SafeFormatter`]).
pub fn write_json_line<W: Write, T: serde::Serialize + ?Sized>(
    out: &mut W,
    value: &T,
) -> anyhow::Result<()> {
    write_json(&mut *out, value, false)?;
    writeln!(out)?;
    Ok(())
}

/// Writes `value` as JSON (indented with `pretty`), terminal-safe.
pub fn write_json<W: Write, T: serde::Serialize + ?Sized>(
    out: W,
    value: &T,
    pretty: bool,
) -> anyhow::Result<()> {
    if pretty {
        let mut ser = serde_json::Serializer::with_formatter(
            out,
            SafeFormatter(serde_json::ser::PrettyFormatter::new()),
        );
        value.serialize(&mut ser)?;
    } else {
        let mut ser = serde_json::Serializer::with_formatter(
            out,
            SafeFormatter(serde_json::ser::CompactFormatter),
        );
        value.serialize(&mut ser)?;
    }
    Ok(())
}

/// True when the error (or one of its causes) is a closed pipe on output:
/// `tifa search 的 --all | head` ends quietly, as ripgrep and xsv do.
pub fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || cause
                .downcast_ref::<serde_json::Error>()
                .and_then(|j| j.io_error_kind())
                .is_some_and(|k| k == std::io::ErrorKind::BrokenPipe)
    })
}

/// `context` with characters `start..end` highlighted (bold red on a terminal,
/// ⟦⟧ brackets otherwise: 【】 are common in the corpus itself), escaped for the terminal.
pub fn highlight(context: &str, start: usize, end: usize, colour: bool) -> String {
    let before: String = context.chars().take(start).collect();
    let hit: String = context.chars().skip(start).take(end - start).collect();
    let after: String = context.chars().skip(end).collect();
    let (open, close) = if colour {
        ("\x1b[1;31m", "\x1b[0m")
    } else {
        ("⟦", "⟧")
    };
    format!(
        "{}{}{}{}{}",
        escape_terminal(&before),
        open,
        escape_terminal(&hit),
        close,
        escape_terminal(&after)
    )
}

/// Escapes text and attribute values for HTML and XML.
pub fn escape_markup(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Guards a CSV cell against spreadsheet formula injection: a cell starting with
/// `=`, `+`, `-` or `@` (or a tab/CR) gets a leading apostrophe. The csv crate
/// does the quoting of commas, quotes and newlines.
pub fn csv_cell(s: &str) -> String {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s.to_string(),
    }
}

/// A term or family label as a CSV cell: a family label (`@name`) is written
/// as the formats specify, any other term is guarded like every other cell.
pub fn csv_term_cell(term: &str) -> String {
    let family_label = term.strip_prefix('@').is_some_and(|n| {
        !n.is_empty()
            && n.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    });
    if family_label {
        term.to_string()
    } else {
        csv_cell(term)
    }
}

/// The font-family list of every chart: CJK fonts first, so that Chinese
/// labels do not render as boxes where the viewer's default font lacks them.
pub const CHART_FONTS: &str = "Noto Sans CJK SC, Source Han Sans SC, WenQuanYi Micro Hei, PingFang SC, Microsoft YaHei, sans-serif";

/// Display width of a string in terminal columns (CJK characters are two wide).
pub fn width(s: &str) -> usize {
    s.chars()
        .map(|c| {
            if crate::text::is_cjk(c) || ('\u{FF01}'..='\u{FF60}').contains(&c) {
                2
            } else {
                1
            }
        })
        .sum()
}

/// Pads or cuts `s` to `cols` terminal columns.
pub fn fit(s: &str, cols: usize) -> String {
    let mut out = String::new();
    let mut used = 0;
    // A cut string always ends in "…" (room is kept for it), so two long
    // terms that share their start never look the same.
    let cut = width(s) > cols;
    let room = if cut { cols.saturating_sub(1) } else { cols };
    for c in s.chars() {
        let w = width(c.encode_utf8(&mut [0; 4]));
        if used + w > room {
            break;
        }
        out.push(c);
        used += w;
    }
    if cut && cols > 0 {
        out.push('…');
        used += 1;
    }
    out.push_str(&" ".repeat(cols.saturating_sub(used)));
    out
}

/// One character per value on a log scale, blank for zero (a trend at a glance).
pub fn sparkline(values: &[u64]) -> String {
    const SPARKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let max = values.iter().copied().max().unwrap_or(0).max(1) as f64;
    values
        .iter()
        .map(|&n| {
            if n == 0 {
                ' '
            } else {
                let level = ((n as f64).ln_1p() / max.ln_1p() * 7.0).round() as usize;
                SPARKS[level.min(7)]
            }
        })
        .collect()
}

/// A bar of `value / max` over `cols` columns, with eighth-block resolution.
pub fn bar(value: f64, max: f64, cols: usize) -> String {
    if max <= 0.0 || value <= 0.0 {
        return String::new();
    }
    let eighths = ((value / max) * cols as f64 * 8.0).round() as usize;
    let mut s = "█".repeat(eighths / 8);
    let rest = eighths % 8;
    if rest > 0 {
        s.push(['▏', '▎', '▍', '▌', '▋', '▊', '▉'][rest - 1]);
    }
    if s.is_empty() {
        s.push('▏');
    }
    s
}

/// An error with its causes, one line each, safe for a terminal.
pub fn escape_error(e: &anyhow::Error) -> String {
    let mut s = e.to_string();
    for cause in e.chain().skip(1) {
        s.push_str(&format!("\n  caused by: {cause}"));
    }
    s.lines()
        .map(escape_terminal)
        .collect::<Vec<_>>()
        .join("\n")
}

/// HTML-escapes text and attribute values; bidirectional controls are shown
/// as visible escapes.
pub fn escape_html(s: &str) -> String {
    // Bidirectional overrides and isolates in corpus strings would reorder
    // what a reader sees around them (a title that displays backwards):
    // shown as visible escapes, as on the terminal.
    let is_bidi = |c: char| matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
    if !s.chars().any(is_bidi) {
        return escape_markup(s);
    }
    let visible: String = s
        .chars()
        .map(|c| {
            if is_bidi(c) {
                format!("\\u{{{:04x}}}", c as u32)
            } else {
                c.to_string()
            }
        })
        .collect();
    escape_markup(&visible)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_terminal_control_sequences() {
        let evil = "title\x1b[2J\x07 ok";
        let safe = escape_terminal(evil);
        assert!(!safe.contains('\x1b'));
        assert!(safe.contains("\\u{001b}"));
    }

    #[test]
    fn formula_cells_are_defused() {
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(csv_cell("@SUM"), "'@SUM");
        assert_eq!(csv_cell("网络主权"), "网络主权");
    }

    #[test]
    fn bars_and_widths() {
        assert_eq!(bar(1.0, 1.0, 4), "████");
        assert_eq!(width("网络a"), 5);
        assert_eq!(fit("网络主权", 5), "网络…");
        // Exactly full before the cut: still marked as cut.
        assert_eq!(fit("网络空间命运共同体", 8), "网络空… ");
        assert_eq!(fit("网络空间", 8), "网络空间");
    }
}
