//! Output helpers: terminal escaping, highlighting, tables, safe CSV cells.

use std::io::IsTerminal;

/// True when stdout is a terminal (colours, progress bars).
pub fn stdout_is_terminal() -> bool {
    std::io::stdout().is_terminal()
}

/// Makes corpus text safe for a terminal: control characters (ESC included)
/// become visible `\u{..}` escapes; line breaks and tabs become spaces.
pub fn escape_terminal(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control()
                || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}') =>
            {
                out.push_str(&format!("\\u{{{:04x}}}", c as u32));
            }
            c => out.push(c),
        }
    }
    out
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

/// Guards a CSV cell against spreadsheet formula injection: a cell starting with
/// `=`, `+`, `-` or `@` (or a tab/CR) gets a leading apostrophe. The csv crate
/// does the quoting of commas, quotes and newlines.
pub fn csv_cell(s: &str) -> String {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s.to_string(),
    }
}

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
    for c in s.chars() {
        let w = width(c.encode_utf8(&mut [0; 4]));
        if used + w > cols {
            if used < cols {
                out.push('…');
                used += 1;
            }
            break;
        }
        out.push(c);
        used += w;
    }
    out.push_str(&" ".repeat(cols.saturating_sub(used)));
    out
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
    }
}
