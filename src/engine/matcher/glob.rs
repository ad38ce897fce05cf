//! Patterns (globs, regular expressions, loose and near terms) as regular
//! expressions, and the literals an index lookup can narrow them with.

use super::*;

pub(super) fn find_pattern(p: &Pattern, prepared: &Prepared) -> Vec<(usize, usize)> {
    if p.on_lowered {
        let lowered = prepared.lowered();
        p.regex
            .find_iter(&lowered.text)
            .filter(|m| !m.is_empty())
            .map(|m| (lowered.back(m.start()), lowered.back(m.end())))
            .collect()
    } else {
        p.regex
            .find_iter(prepared.normalized)
            .filter(|m| !m.is_empty())
            .map(|m| (m.start(), m.end()))
            .collect()
    }
}

/// A glob as a regular expression: (source, required literals, required word
/// prefixes, matched on the lower-cased text).
pub(super) fn glob_regex(
    nfkc: &str,
    options: PatternOptions,
) -> Result<(String, Vec<Literal>, Vec<String>, bool), String> {
    let nfkc = nfkc.replace('？', "?");
    let literal_part: String = nfkc.chars().filter(|c| !matches!(c, '?' | '*')).collect();
    if literal_part.trim().is_empty() {
        return Err(format!(
            "the pattern {nfkc:?} is only wildcards: give some characters or words with them"
        ));
    }
    let mut required = Vec::new();
    let mut prefixes = Vec::new();
    if has_cjk(&nfkc) {
        let gap = options.gap;
        let mut source = String::new();
        let mut run = String::new();
        let flush = |run: &mut String, required: &mut Vec<Literal>| {
            if !run.trim().is_empty()
                && let Ok(l) = Literal::new(run)
            {
                required.push(l);
            }
            run.clear();
        };
        for c in nfkc.chars() {
            match c {
                '?' => {
                    flush(&mut run, &mut required);
                    source.push_str(&format!(r"[^\s{SENTENCE_ENDS}]"));
                }
                '*' => {
                    flush(&mut run, &mut required);
                    source.push_str(&format!(r"[^{SENTENCE_ENDS}]{{0,{gap}}}?"));
                }
                c => {
                    run.push(c);
                    source.push_str(&regex::escape(c.encode_utf8(&mut [0; 4])));
                }
            }
        }
        flush(&mut run, &mut required);
        return Ok((source, required, prefixes, false));
    }
    // English: words on boundaries, case-insensitive (the lower-cased text).
    let lowered: String = text::lowercase(&nfkc)
        .chars()
        .map(text::fold_quote)
        .collect();
    let pieces: Vec<&str> = lowered.split_whitespace().collect();
    let mut parts = Vec::new();
    for piece in &pieces {
        if *piece == "*" {
            parts.push(r"\w+(?:['\-]\w+)*".to_string());
            continue;
        }
        if !piece.contains(['?', '*']) {
            if let Ok(l) = Literal::new(piece) {
                required.push(l);
            }
        } else {
            let prefix: String = piece
                .chars()
                .take_while(|c| !matches!(c, '?' | '*'))
                .collect();
            if prefix.chars().count() >= 2 && prefix.chars().all(is_word_char) {
                prefixes.push(prefix);
            }
        }
        let mut p = String::new();
        for c in piece.chars() {
            match c {
                '?' => p.push_str(r"\w"),
                '*' => p.push_str(r"\w*"),
                c => p.push_str(&regex::escape(c.encode_utf8(&mut [0; 4]))),
            }
        }
        parts.push(p);
    }
    let word_edge = |c: Option<char>| c.is_some_and(|c| is_word_char(c) || matches!(c, '?' | '*'));
    let source = format!(
        "{}{}{}",
        if word_edge(lowered.chars().next()) {
            r"\b"
        } else {
            ""
        },
        parts.join(r"\s+"),
        if word_edge(lowered.chars().next_back()) {
            r"\b"
        } else {
            ""
        }
    );
    Ok((source, required, prefixes, true))
}

/// The literal strings every match of a regular expression contains: the
/// literal pieces of its top-level sequence (a regex with none needs --scan).
pub(super) fn regex_literals(body: &str) -> Result<(Vec<Literal>, Vec<String>), String> {
    use regex_syntax::hir::{Hir, HirKind, Look};
    let hir =
        regex_syntax::parse(body).map_err(|e| format!("bad regular expression /{body}/: {e}"))?;
    // A word boundary before (`start`) or after a piece.
    fn is_boundary(h: Option<&Hir>, start: bool) -> bool {
        let Some(HirKind::Look(look)) = h.map(Hir::kind) else {
            return false;
        };
        matches!(look, Look::WordAscii | Look::WordUnicode)
            || if start {
                matches!(look, Look::WordStartAscii | Look::WordStartUnicode)
            } else {
                matches!(look, Look::WordEndAscii | Look::WordEndUnicode)
            }
    }
    // Literal pieces, and English pieces standing between word boundaries
    // (whole words: `\bcommunity\b`) or after one (word prefixes: `\bcyber`).
    #[derive(Default)]
    struct Found {
        pieces: Vec<String>,
        words: Vec<String>,
        prefixes: Vec<String>,
    }
    fn collect(h: &Hir, out: &mut Found) {
        match h.kind() {
            HirKind::Literal(l) => out.pieces.push(String::from_utf8_lossy(&l.0).into_owned()),
            HirKind::Capture(c) => collect(&c.sub, out),
            HirKind::Repetition(r) if r.min >= 1 => collect(&r.sub, out),
            HirKind::Concat(children) => {
                for (i, c) in children.iter().enumerate() {
                    if let HirKind::Literal(l) = c.kind() {
                        let piece = String::from_utf8_lossy(&l.0).into_owned();
                        let wordy =
                            |ch: Option<char>| ch.is_some_and(|ch| ch.is_ascii_alphanumeric());
                        let starts =
                            is_boundary(i.checked_sub(1).and_then(|j| children.get(j)), true)
                                && wordy(piece.chars().next());
                        let ends = is_boundary(children.get(i + 1), false)
                            && wordy(piece.chars().next_back());
                        if starts && ends {
                            out.words.push(piece.clone());
                        } else if starts {
                            let prefix: String = piece
                                .chars()
                                .take_while(char::is_ascii_alphanumeric)
                                .collect();
                            if prefix.len() >= 2 {
                                out.prefixes.push(prefix.to_ascii_lowercase());
                            }
                        }
                    }
                    collect(c, out);
                }
            }
            _ => {}
        }
    }
    let mut found = Found::default();
    collect(&hir, &mut found);
    let mut required: Vec<Literal> = found
        .pieces
        .iter()
        .filter(|p| !p.trim().is_empty() && text::nfkc(p) == p.as_str())
        .filter_map(|p| Literal::new(p).ok())
        // An English piece must be a whole word to be looked up as one.
        .filter(|l| l.cjk)
        .collect();
    // A whole English word (or phrase) between word boundaries: every match
    // contains it as a whole word, in some case.
    required.extend(
        found
            .words
            .iter()
            .filter(|w| text::nfkc(w) == w.as_str())
            .filter_map(|w| Literal::new(w).ok())
            .filter(|l| !l.cjk),
    );
    Ok((required, found.prefixes))
}
