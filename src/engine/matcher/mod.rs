//! Finding a literal term in stored text under the matching rules, with offsets
//! into the original (un-normalised) text. `glob.rs` turns patterns into
//! regular expressions; `sentence.rs` finds the sentence around a match.

use regex::Regex;

mod glob;
mod sentence;

use glob::{find_pattern, glob_regex, regex_literals};
pub use sentence::{sentence_around, window_around};

use crate::text::{self, Normalized, has_cjk, is_word_char};

/// A literal term, normalised, with the rule that applies to it.
#[derive(Clone, Debug)]
pub struct Literal {
    /// As the user typed it (trimmed).
    pub raw: String,
    /// NFKC form; for English terms also lower-cased with whitespace runs as one space.
    pub normalized: String,
    /// Matched as an exact case-sensitive substring.
    pub cjk: bool,
    english: Option<EnglishPattern>,
    /// A pattern (`?`, `*`, `NEAR/n`, `/regex/`) instead of a literal string.
    /// Boxed: most terms are plain, and a term is held in every query node.
    pub pattern: Option<Box<Pattern>>,
}

/// A pattern compiled to a regular expression, with what the index can use
/// to find candidate documents.
#[derive(Clone, Debug)]
pub struct Pattern {
    regex: Regex,
    /// Matched against the lower-cased text (English parts) or the NFKC text.
    on_lowered: bool,
    /// Strings every match contains (as literals): their documents are the candidates.
    pub required: Vec<Literal>,
    /// Word prefixes every match contains (`cyber` of `cyber*`).
    pub required_prefixes: Vec<String>,
    /// Sets of gram tokens (exact terms of the gram field): every match
    /// contains one token of each set (a phrase under --loose-punct: each
    /// pair of neighbouring characters is a bigram, or the first ends a run).
    pub required_any: Vec<Vec<String>>,
}

impl Pattern {
    /// Whether the index can narrow the documents to read (else: --scan).
    pub fn has_index_part(&self) -> bool {
        !self.required.is_empty()
            || !self.required_prefixes.is_empty()
            || !self.required_any.is_empty()
    }
}

/// How patterns read: the most characters `*` stands for in Chinese.
#[derive(Clone, Copy, Debug)]
pub struct PatternOptions {
    /// Most characters a `*` stands for in a Chinese pattern.
    pub gap: usize,
    /// Chinese phrases match across differences in punctuation.
    pub loose_punct: bool,
}

impl Default for PatternOptions {
    fn default() -> Self {
        PatternOptions {
            gap: DEFAULT_GAP,
            loose_punct: false,
        }
    }
}

/// Punctuation (and spaces) that `--loose-punct` lets differ or vanish.
fn is_loose_punct(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '、' | '，'
                | ','
                | '；'
                | ';'
                | '：'
                | ':'
                | '·'
                | '・'
                | '—'
                | '–'
                | '-'
                | '“'
                | '”'
                | '"'
                | '‘'
                | '’'
                | '\''
                | '《'
                | '》'
                | '〈'
                | '〉'
                | '（'
                | '）'
                | '('
                | ')'
                | '/'
                | '／'
        )
}

/// Characters `*` stands for in a Chinese pattern unless `--gap` says otherwise.
pub const DEFAULT_GAP: usize = 6;

/// Characters that end a sentence (a Chinese wildcard never crosses them).
const SENTENCE_ENDS: &str = "。！？!?；;\\n\\r";

/// True when a bare term uses pattern syntax: `?` or `*`, or `/…/`.
pub fn is_pattern_syntax(term: &str) -> bool {
    let t = term.trim();
    (t.len() >= 3 && t.starts_with('/') && t.ends_with('/')) || t.contains(['?', '*', '？'])
}

#[derive(Clone, Debug)]
struct EnglishPattern {
    /// `None` for a single piece (no whitespace): a plain substring search,
    /// which stays linear however long the term.
    regex: Option<Regex>,
    /// The longest whitespace-free piece: a text without it cannot match, and
    /// checking that first keeps a huge pattern from running over every text.
    longest_piece: String,
    bounded_start: bool,
    bounded_end: bool,
}

impl Literal {
    /// A literal term under the matching rules (Chinese: exact substring; English: whole words, case folded).
    pub fn new(raw: &str) -> Result<Literal, String> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err("empty term".into());
        }
        let nfkc = text::nfkc(raw).into_owned();
        if has_cjk(&nfkc) {
            return Ok(Literal {
                raw: raw.to_string(),
                normalized: nfkc,
                cjk: true,
                english: None,
                pattern: None,
            });
        }
        let lowered: String = text::lowercase(&nfkc)
            .chars()
            .map(text::fold_quote)
            .collect();
        let pieces: Vec<&str> = lowered.split_whitespace().collect();
        let normalized = pieces.join(" ");
        let pattern = pieces
            .iter()
            .map(|p| regex::escape(p))
            .collect::<Vec<_>>()
            .join(r"\s+");
        let regex = if pieces.len() > 1 {
            Some(Regex::new(&pattern).map_err(|e| format!("term too complex: {e}"))?)
        } else {
            None
        };
        let bounded_start = normalized.chars().next().is_some_and(is_word_char);
        let bounded_end = normalized.chars().next_back().is_some_and(is_word_char);
        Ok(Literal {
            raw: raw.to_string(),
            normalized,
            cjk: false,
            english: Some(EnglishPattern {
                regex,
                longest_piece: pieces
                    .iter()
                    .max_by_key(|p| p.len())
                    .map_or(String::new(), |p| (*p).to_string()),
                bounded_start,
                bounded_end,
            }),
            pattern: None,
        })
    }

    /// A pattern: `/regex/` (Rust syntax, over the NFKC text), or a glob where
    /// `?` is one character and `*` up to `gap` characters within a sentence
    /// (Chinese) or, standing alone, one word and, inside a word, any letters
    /// (English, matched case-insensitively on word boundaries).
    pub fn pattern(raw: &str, options: PatternOptions) -> Result<Literal, String> {
        let raw = raw.trim();
        let nfkc = text::nfkc(raw).into_owned();
        if let Some(body) = nfkc
            .strip_prefix('/')
            .and_then(|r| r.strip_suffix('/'))
            .filter(|b| !b.is_empty())
        {
            let regex =
                Regex::new(body).map_err(|e| format!("bad regular expression /{body}/: {e}"))?;
            let (required, required_prefixes) = regex_literals(body)?;
            return Ok(Literal {
                raw: raw.to_string(),
                normalized: nfkc.clone(),
                cjk: has_cjk(body),
                english: None,
                pattern: Some(Box::new(Pattern {
                    regex,
                    on_lowered: false,
                    required,
                    required_prefixes,
                    required_any: Vec::new(),
                })),
            });
        }
        let (source, required, required_prefixes, on_lowered) = glob_regex(&nfkc, options)?;
        let regex = Regex::new(&source).map_err(|e| format!("pattern too complex: {e}"))?;
        Ok(Literal::of_pattern(
            raw.to_string(),
            nfkc,
            Pattern {
                regex,
                on_lowered,
                required,
                required_prefixes,
                required_any: Vec::new(),
            },
        ))
    }

    fn of_pattern(raw: String, normalized: String, pattern: Pattern) -> Literal {
        Literal {
            raw,
            normalized,
            cjk: !pattern.on_lowered,
            english: None,
            pattern: Some(Box::new(pattern)),
        }
    }

    /// `a NEAR/n b`: both within `n` characters (Chinese) or words (English)
    /// of each other, in either order; a match spans from one to the other.
    pub fn near(a: &Literal, b: &Literal, n: usize) -> Result<Literal, String> {
        let on_lowered = !a.cjk
            || !b.cjk
            || a.pattern.as_ref().is_some_and(|p| p.on_lowered)
            || b.pattern.as_ref().is_some_and(|p| p.on_lowered);
        let (x, y) = (a.regex_source(on_lowered), b.regex_source(on_lowered));
        let fill = if on_lowered {
            format!(r"(?:\W+\w+){{0,{n}}}?\W+")
        } else {
            format!(r"[^{SENTENCE_ENDS}]{{0,{n}}}?")
        };
        let source = format!("(?:{x}){fill}(?:{y})|(?:{y}){fill}(?:{x})");
        let regex = Regex::new(&source).map_err(|e| format!("NEAR too complex: {e}"))?;
        let mut required = a.required_literals();
        required.extend(b.required_literals());
        let mut required_prefixes = a
            .pattern
            .as_ref()
            .map_or(Vec::new(), |p| p.required_prefixes.clone());
        required_prefixes.extend(
            b.pattern
                .as_ref()
                .map_or(Vec::new(), |p| p.required_prefixes.clone()),
        );
        let required_any = [a, b]
            .iter()
            .filter_map(|l| l.pattern.as_ref())
            .flat_map(|p| p.required_any.iter().cloned())
            .collect();
        let raw = format!("{} NEAR/{n} {}", a.raw, b.raw);
        Ok(Literal::of_pattern(
            raw.clone(),
            raw,
            Pattern {
                regex,
                on_lowered,
                required,
                required_prefixes,
                required_any,
            },
        ))
    }

    /// A Chinese phrase under `--loose-punct`: its characters in order, with
    /// any run of punctuation (or none) at every boundary between them and the
    /// punctuation typed optional too — 和平、安全 matches 和平，安全 and
    /// 和平安全; 一带一路倡议 matches “一带一路”倡议. An English phrase, or one
    /// of a single character, stays literal.
    pub fn loose(raw: &str) -> Result<Literal, String> {
        let literal = Literal::new(raw)?;
        if !literal.cjk {
            return Ok(literal);
        }
        let mut pieces: Vec<String> = Vec::new();
        for c in literal.normalized.chars().filter(|&c| !is_loose_punct(c)) {
            // A run of Latin letters or digits inside a Chinese phrase stays
            // one piece (互联网+ → no boundary inside "abc").
            match pieces.last_mut() {
                Some(last)
                    if is_word_char(c) && last.chars().next_back().is_some_and(is_word_char) =>
                {
                    last.push(c)
                }
                _ => pieces.push(c.to_string()),
            }
        }
        if pieces.len() < 2 {
            return Ok(literal);
        }
        let pieces: Vec<&str> = pieces.iter().map(String::as_str).collect();
        let mut class = String::from("[");
        for c in "、，,；;：:·・—–\\-“”\"‘’'《》〈〉（）()/／".chars() {
            class.push(c);
        }
        class.push_str(r"\s]*");
        let source = pieces
            .iter()
            .map(|p| regex::escape(p))
            .collect::<Vec<_>>()
            .join(&class);
        let regex = Regex::new(&source).map_err(|e| format!("term too complex: {e}"))?;
        // Candidates from exact gram lookups rather than every gram of each
        // character: two neighbouring characters a, b of the phrase stand in
        // the text as the bigram ab, or with punctuation between — then a is
        // followed by a CJK punctuation mark (the bigram a、) or ends its CJK
        // run (the gram a alone).
        let single_cjk = |p: &str| {
            let mut chars = p.chars();
            matches!((chars.next(), chars.next()), (Some(c), None) if text::is_cjk(c))
        };
        let cjk_marks: Vec<char> = class.chars().filter(|&c| text::is_cjk(c)).collect();
        let mut required_any: Vec<Vec<String>> = Vec::new();
        let mut paired = vec![false; pieces.len()];
        for (i, pair) in pieces.windows(2).enumerate() {
            if single_cjk(pair[0]) && single_cjk(pair[1]) {
                let mut tokens = vec![format!("{}{}", pair[0], pair[1]), pair[0].to_string()];
                tokens.extend(cjk_marks.iter().map(|m| format!("{}{m}", pair[0])));
                required_any.push(tokens);
                paired[i] = true;
                paired[i + 1] = true;
            }
        }
        let required = pieces
            .iter()
            .zip(&paired)
            .filter(|(_, paired)| !**paired)
            .filter_map(|(p, _)| Literal::new(p).ok())
            .collect();
        Ok(Literal::of_pattern(
            literal.raw.clone(),
            literal.normalized.clone(),
            Pattern {
                regex,
                on_lowered: false,
                required,
                required_prefixes: Vec::new(),
                required_any,
            },
        ))
    }

    /// Whether the term is a pattern (glob, regular expression, loose or near).
    pub fn is_pattern(&self) -> bool {
        self.pattern.is_some()
    }

    /// The literals whose documents hold every match (the term itself when plain).
    pub fn required_literals(&self) -> Vec<Literal> {
        match &self.pattern {
            Some(p) => p.required.clone(),
            None => vec![self.clone()],
        }
    }

    /// This term as a regular expression over the NFKC (or lower-cased) text.
    fn regex_source(&self, lowered: bool) -> String {
        if let Some(p) = &self.pattern {
            return p.regex.as_str().to_string();
        }
        if self.cjk {
            let t = if lowered {
                text::lowercase(&self.normalized).into_owned()
            } else {
                self.normalized.clone()
            };
            return regex::escape(&t);
        }
        let pieces: Vec<String> = self.normalized.split(' ').map(regex::escape).collect();
        let bound = |edge: Option<char>| {
            if edge.is_some_and(is_word_char) {
                r"\b"
            } else {
                ""
            }
        };
        format!(
            "{}{}{}",
            bound(self.normalized.chars().next()),
            pieces.join(r"\s+"),
            bound(self.normalized.chars().next_back())
        )
    }

    /// Non-overlapping matches, left to right, as byte ranges of `normalized_text`
    /// (the NFKC text; for English terms the ranges refer to it too).
    pub fn find_in_normalized(&self, normalized_text: &str) -> Vec<(usize, usize)> {
        self.find_prepared(&Prepared::new(normalized_text))
    }

    /// Like [`Literal::find_in_normalized`] over a text prepared once for
    /// many literals (its lower-cased form is made at most once).
    pub fn find_prepared(&self, prepared: &Prepared) -> Vec<(usize, usize)> {
        if let Some(p) = &self.pattern {
            return find_pattern(p, prepared);
        }
        match &self.english {
            None => prepared
                .normalized
                .match_indices(self.normalized.as_str())
                .map(|(i, m)| (i, i + m.len()))
                .collect(),
            Some(p) => find_english(p, prepared.lowered()),
        }
    }

    /// Number of matches in an original field value.
    pub fn count(&self, original: &str) -> usize {
        self.find_in_normalized(&text::nfkc(original)).len()
    }

    /// Matches as byte ranges of the original text.
    pub fn find(&self, original: &str) -> Vec<(usize, usize)> {
        let normalized = Normalized::new(original);
        self.find_in_normalized(&normalized.text)
            .into_iter()
            .map(|(s, e)| normalized.original_range(s, e))
            .collect()
    }
}

/// An NFKC text ready for matching by any number of literals.
pub struct Prepared<'a> {
    /// The NFKC text the offsets refer to.
    pub normalized: &'a str,
    lowered: std::cell::OnceCell<Lowered>,
}

impl<'a> Prepared<'a> {
    /// Prepares a normalised text (its lower-cased form is made when first needed).
    pub fn new(normalized: &'a str) -> Prepared<'a> {
        Prepared {
            normalized,
            lowered: std::cell::OnceCell::new(),
        }
    }

    fn lowered(&self) -> &Lowered {
        self.lowered.get_or_init(|| Lowered::new(self.normalized))
    }
}

/// A text lower-cased character by character, with a map back to the text
/// where lower-casing changes the byte length ('İ', and the typographic quotes
/// folded to ASCII).
struct Lowered {
    text: String,
    /// The characters whose lower-cased form has another length: (lowered
    /// start, lowered end, original start, original end), in text order.
    /// Between them offsets differ by a constant.
    shifts: Vec<(usize, usize, usize, usize)>,
}

impl Lowered {
    fn new(text: &str) -> Lowered {
        // Snippets and verification lower-case whole documents: ASCII text
        // (most English) takes the byte-wise path.
        if text.is_ascii() {
            return Lowered {
                text: text.to_ascii_lowercase(),
                shifts: Vec::new(),
            };
        }
        let mut lowered = String::with_capacity(text.len());
        let mut shifts = Vec::new();
        for (offset, c) in text.char_indices() {
            if c.is_ascii() {
                lowered.push(c.to_ascii_lowercase());
                continue;
            }
            let before = lowered.len();
            lowered.extend(c.to_lowercase().map(text::fold_quote));
            if lowered.len() - before != c.len_utf8() {
                shifts.push((before, lowered.len(), offset, offset + c.len_utf8()));
            }
        }
        Lowered {
            text: lowered,
            shifts,
        }
    }

    /// The original offset of lowered offset `l` (a character boundary); an
    /// offset inside one character's lower-cased form maps to the next character.
    fn back(&self, l: usize) -> usize {
        let i = self.shifts.partition_point(|&(lo, ..)| lo <= l);
        let Some(&(lo, lo_end, orig, orig_end)) = i.checked_sub(1).map(|i| &self.shifts[i]) else {
            return l;
        };
        if l == lo {
            orig
        } else if l < lo_end {
            orig_end
        } else {
            orig_end + (l - lo_end)
        }
    }
}

fn find_english(p: &EnglishPattern, lowered: &Lowered) -> Vec<(usize, usize)> {
    let back = |l: usize| lowered.back(l);
    let lowered = lowered.text.as_str();
    if !lowered.contains(p.longest_piece.as_str()) {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut start = 0usize;
    let find_at = |from: usize| -> Option<(usize, usize)> {
        match &p.regex {
            Some(regex) => regex.find_at(lowered, from).map(|m| (m.start(), m.end())),
            None => lowered[from..]
                .find(p.longest_piece.as_str())
                .map(|i| (from + i, from + i + p.longest_piece.len())),
        }
    };
    while let Some((m_start, m_end)) = find_at(start) {
        let ok_start = !p.bounded_start
            || !lowered[..m_start]
                .chars()
                .next_back()
                .is_some_and(is_word_char);
        let ok_end = !p.bounded_end || !lowered[m_end..].chars().next().is_some_and(is_word_char);
        if ok_start && ok_end {
            out.push((back(m_start), back(m_end)));
            start = m_end;
        } else {
            let step = lowered[m_start..].chars().next().map_or(1, char::len_utf8);
            start = m_start + step;
        }
        if start > lowered.len() {
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {

    /// Every text the loose pattern matches holds one gram of each set the
    /// index narrows the candidates with (tokenised as the index does).
    #[test]
    fn loose_candidates_hold_every_match() {
        let l = super::Literal::loose("网络主权").expect("loose");
        let p = l.pattern.as_ref().expect("a pattern");
        assert_eq!(p.required_any.len(), 3);
        assert!(
            p.required.is_empty(),
            "no prefix lookups of single characters"
        );
        for text in [
            "网络主权",
            "网络、主权",
            "“网络”主权",
            "网络 主权",
            "网 络，主《权》",
            "网络・主权",
            "《网络》《主权》",
        ] {
            assert!(!l.find(text).is_empty(), "{text} should match");
            let mut tokens = Vec::new();
            let n = text::GramTokenizer::tokenize_into(&text::nfkc(text), &mut tokens);
            let grams: Vec<&str> = tokens[..n].iter().map(|t| t.text.as_str()).collect();
            for set in &p.required_any {
                assert!(
                    set.iter().any(|t| grams.contains(&t.as_str())),
                    "{text}: none of {set:?} in {grams:?}"
                );
            }
        }
        // A sign inside (互联网+) still leaves the neighbouring characters to narrow by.
        let l = super::Literal::loose("互联网+行动").expect("loose");
        assert!(
            l.pattern
                .as_ref()
                .is_some_and(|p| !p.required_any.is_empty())
        );
    }

    /// The offset map stated per character (as it was before the map kept
    /// only the characters that change length).
    fn reference_back(text: &str, l: usize) -> usize {
        let mut lowered = String::new();
        let mut map = Vec::new();
        for (offset, c) in text.char_indices() {
            map.push((lowered.len(), offset));
            lowered.extend(c.to_lowercase().map(text::fold_quote));
        }
        match map.binary_search_by(|&(lo, _)| lo.cmp(&l)) {
            Ok(i) => map[i].1,
            Err(i) => map.get(i).map_or(text.len(), |m| m.1),
        }
    }

    #[test]
    fn lowered_offsets_map_back_like_the_per_character_rule() {
        for text in [
            "",
            "China",
            "China\u{2019}s İstanbul ĞÜ “Cyber” sovereignty",
            "İİ x İ",
            "网络 China’s 主权 ‘A’ ß ǅ",
            "\u{2032}\u{2033}ʼ",
        ] {
            let lowered = Lowered::new(text);
            assert_eq!(
                lowered.text,
                text.chars()
                    .flat_map(char::to_lowercase)
                    .map(text::fold_quote)
                    .collect::<String>()
            );
            for l in 0..=lowered.text.len() {
                if lowered.text.is_char_boundary(l) {
                    assert_eq!(lowered.back(l), reference_back(text, l), "{text:?} at {l}");
                }
            }
        }
    }
    use super::*;

    fn count(term: &str, text: &str) -> usize {
        Literal::new(term)
            .map(|l| l.count(text))
            .unwrap_or(usize::MAX)
    }

    #[test]
    fn cjk_terms_are_exact_substrings() {
        assert_eq!(count("新时代", "迈入崭新时代"), 1);
        assert_eq!(count("命运共同体", "网络空间命运共同体和人类命运共同体"), 2);
        assert_eq!(count("网络主权", "网络\n主权"), 0);
        assert_eq!(count("互联网+", "推进互联网＋行动"), 1);
        assert_eq!(count("5G网络", "5g网络"), 0);
        assert_eq!(count("哈哈", "哈哈哈"), 1);
    }

    #[test]
    fn english_terms_fold_case_and_whitespace_and_need_boundaries() {
        assert_eq!(count("cyber sovereignty", "Cyber  Sovereignty's"), 1);
        assert_eq!(count("cyber sovereignty", "cyber-sovereignty"), 0);
        assert_eq!(count("cyber sovereignty", "cyber sovereignties"), 0);
        assert_eq!(count("cyber sovereignty", "cyber\nsovereignty"), 1);
        assert_eq!(count("5G", "加大5G网络"), 1);
        assert_eq!(count("5G", "a5G"), 0);
        assert_eq!(
            count(
                "win-win cooperation",
                "Win-win cooperation and win-win  cooperation"
            ),
            2
        );
        assert_eq!(count("５Ｇ", "5G"), 1);
    }

    #[test]
    fn english_boundary_failure_does_not_hide_a_later_match() {
        assert_eq!(count("ab", "aab ab"), 1);
        assert_eq!(count("a a", "a a a a"), 2);
    }

    #[test]
    fn offsets_refer_to_original_text() {
        let l = Literal::new("5G").expect("term");
        let text = "发展５Ｇ网络";
        let found = l.find(text);
        assert_eq!(found.len(), 1);
        assert_eq!(&text[found[0].0..found[0].1], "５Ｇ");
    }
}
