//! The candidates on the other side of an aligned segment: English word
//! n-grams inside sentence chunks, Chinese Han strings, and the parts of the
//! term each segment holds.

use super::*;

/// Finds every candidate in a segment's other side at once (Aho–Corasick).
/// English candidates are matched on whole words of the text folded as
/// [`english_grams`] folds it (case, typographic quotes, hyphens as spaces),
/// never across punctuation, with at most 8 words and no stop word at either
/// edge; Chinese candidates anywhere in the text.
pub(super) struct Finder {
    automaton: Option<aho_corasick::AhoCorasick>,
    english: bool,
}

impl Finder {
    pub(super) fn new(keys: &[String], english: bool) -> Result<Finder> {
        let automaton = if keys.is_empty() {
            None
        } else {
            Some(
                aho_corasick::AhoCorasick::builder()
                    .match_kind(aho_corasick::MatchKind::Standard)
                    .build(keys)?,
            )
        };
        Ok(Finder { automaton, english })
    }

    pub(super) fn present(&self, text: &str) -> Vec<u32> {
        let Some(ac) = &self.automaton else {
            return Vec::new();
        };
        let mut out: Vec<u32> = if self.english {
            // Punctuation becomes a line break (a chunk boundary); `words`
            // keeps hyphens, `folded` has them as spaces (same byte offsets).
            let words: String = text
                .to_lowercase()
                .chars()
                .map(crate::text::fold_quote)
                .map(|c| {
                    if c.is_alphanumeric() || c == ' ' || c == '-' || c == '\'' {
                        c
                    } else {
                        '\n'
                    }
                })
                .collect();
            let folded = words.replace('-', " ");
            let bytes = words.as_bytes();
            let edge = |i: usize| i == 0 || i == bytes.len() || matches!(bytes[i], b' ' | b'\n');
            ac.find_overlapping_iter(&folded)
                .filter(|m| {
                    let (s, e) = (m.start(), m.end());
                    if !(edge(e) && (s == 0 || matches!(bytes[s - 1], b' ' | b'\n'))) {
                        return false;
                    }
                    let ws: Vec<&str> = words[s..e].split(' ').filter(|w| !w.is_empty()).collect();
                    ws.len() <= 8
                        && ws.first().is_some_and(|w| !STOP.contains(w))
                        && ws.last().is_some_and(|w| !STOP.contains(w))
                })
                .map(|m| m.pattern().as_u32())
                .collect()
        } else {
            ac.find_overlapping_iter(text)
                .map(|m| m.pattern().as_u32())
                .collect()
        };
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// The parts of a term a complete rendering renders: its jieba words of two
/// or more characters (Chinese) or its words that are not stop words
/// (English), with the segments whose source side holds each. Fewer than
/// two parts: none.
pub(super) fn term_parts(literal: &Literal, segs: &[Seg]) -> (Vec<String>, Vec<Vec<bool>>) {
    let han_words = |words: Vec<&str>| -> Vec<String> {
        words
            .into_iter()
            .filter(|w| w.chars().filter(|&c| crate::text::is_han(c)).count() >= 2)
            .filter(|w| *w != literal.normalized)
            .map(str::to_string)
            .collect()
    };
    let words: Vec<String> = if literal.cjk {
        let jieba = jieba_rs::Jieba::new();
        // jieba's words; one of four or more characters that the dictionary
        // splits further (干涉内政 → 干涉 + 内政, 改革开放 → 改革 + 开放) gives
        // its sub-words instead, left to right without overlap.
        let mut words = Vec::new();
        for t in jieba.cut(&literal.normalized, false) {
            let w = t.word;
            let mut inner: Vec<jieba_rs::Token> = if w.chars().count() >= 4 {
                jieba
                    .cut_for_search(w, false)
                    .into_iter()
                    .filter(|s| s.word != w && s.word.chars().count() >= 2)
                    .collect()
            } else {
                Vec::new()
            };
            inner.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
            let mut tiles: Vec<&str> = Vec::new();
            let mut reached = 0;
            for s in &inner {
                if s.start >= reached {
                    tiles.push(s.word);
                    reached = s.end;
                }
            }
            if tiles.len() >= 2 {
                words.extend(tiles);
            } else {
                words.push(w);
            }
        }
        han_words(words)
    } else {
        literal
            .normalized
            .split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '\''))
            .filter(|w| w.chars().count() >= 2 && !STOP.contains(w))
            .map(str::to_string)
            .collect()
    };
    let mut distinct: Vec<String> = Vec::new();
    for w in words {
        if !distinct.contains(&w) {
            distinct.push(w);
        }
    }
    distinct.retain(|w| Literal::new(w).is_ok());
    if distinct.len() < 2 {
        return (Vec::new(), Vec::new());
    }
    let found = distinct
        .iter()
        .filter_map(|w| Literal::new(w).ok())
        .map(|part| segs.par_iter().map(|s| part.count(s.source) > 0).collect())
        .collect();
    (distinct, found)
}

pub(super) const STOP: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "from", "has", "have", "in",
    "is", "it", "its", "of", "on", "or", "that", "the", "their", "this", "to", "was", "we", "were",
    "which", "will", "with", "i", "you", "he", "she", "they", "our", "your", "not", "also", "q",
    "so", "if", "all",
];

/// English n-grams of 1–8 words inside punctuation-free chunks, lower-cased,
/// no stop word at either edge.
pub(super) fn english_grams(text: &str) -> HashMap<String, String> {
    let lowered: String = text
        .to_lowercase()
        .chars()
        .map(crate::text::fold_quote)
        .collect();
    let mut out = HashMap::new();
    for chunk in
        lowered.split(|c: char| !(c.is_alphanumeric() || c == ' ' || c == '-' || c == '\''))
    {
        let words: Vec<&str> = chunk.split_whitespace().collect();
        for i in 0..words.len() {
            if STOP.contains(&words[i]) {
                continue;
            }
            for n in 1..=8 {
                if i + n > words.len() {
                    break;
                }
                let last = words[i + n - 1];
                if STOP.contains(&last) {
                    continue;
                }
                let surface = words[i..i + n].join(" ");
                // Hyphens fold to spaces for grouping ("zero-sum" = "zero sum").
                let key = surface
                    .replace('-', " ")
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ");
                out.entry(key).or_insert(surface);
            }
        }
    }
    out
}

/// Chinese strings of 2–12 Han characters inside runs of Han characters.
pub(super) fn chinese_grams(text: &str) -> HashMap<String, String> {
    let mut out = HashMap::new();
    let mut run: Vec<char> = Vec::new();
    let mut flush = |run: &mut Vec<char>| {
        for i in 0..run.len() {
            for n in 2..=12 {
                if i + n > run.len() {
                    break;
                }
                let g: String = run[i..i + n].iter().collect();
                out.insert(g.clone(), g);
            }
        }
        run.clear();
    };
    for c in text.chars() {
        if crate::text::is_han(c) {
            run.push(c);
        } else {
            flush(&mut run);
        }
    }
    flush(&mut run);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grams_stay_inside_chunks_and_skip_stop_edges() {
        let g = english_grams("The Belt and Road Initiative, of course.");
        assert!(g.contains_key("belt and road"));
        assert!(g.contains_key("belt and road initiative"));
        assert!(!g.contains_key("the belt"));
        assert!(!g.contains_key("initiative of"));
        assert!(!g.contains_key("road initiative of course"));
        let c = chinese_grams("一带一路，倡议");
        assert!(c.contains_key("一带一路") && c.contains_key("倡议") && !c.contains_key("路倡"));
        // Spellings of one rendering share a key; the spelling seen is kept.
        let z = english_grams("a Zero-Sum game");
        assert_eq!(
            z.get("zero sum game").map(String::as_str),
            Some("zero-sum game")
        );
        let q = english_grams("China’s position");
        assert!(q.contains_key("china's position"));
    }
}
