//! Text analysis shared by indexing, matching and statistics: character classes,
//! NFKC normalisation (with a map back to original offsets) and the tokenizers.
//!
//! The matching rules live here in one place so that the index, the verifier and
//! the statistics can never disagree about what a "CJK character" or a "word
//! character" is.

use std::borrow::Cow;
use std::sync::Arc;

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::{IsNormalized, is_nfkc_quick};

/// True for characters that make a term "Chinese" (matched as an exact,
/// case-sensitive substring): Han ideographs with extensions and compatibility
/// blocks, CJK symbols and punctuation, kana, Hangul, bopomofo, CJK
/// compatibility forms.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x11FF       // Hangul Jamo
        | 0x2E80..=0x2FDF     // CJK radicals, Kangxi radicals
        | 0x2FF0..=0x2FFF     // ideographic description characters
        | 0x3000..=0x303F     // CJK symbols and punctuation
        | 0x3040..=0x30FF     // hiragana, katakana
        | 0x3100..=0x312F     // bopomofo
        | 0x3130..=0x318F     // Hangul compatibility jamo
        | 0x3190..=0x31FF     // kanbun, bopomofo ext., strokes, katakana ext.
        | 0x3200..=0x33FF     // enclosed CJK, CJK compatibility
        | 0x3400..=0x4DBF     // ext. A
        | 0x4E00..=0x9FFF     // unified ideographs
        | 0xA960..=0xA97F     // Hangul Jamo ext. A
        | 0xAC00..=0xD7FF     // Hangul syllables, Jamo ext. B
        | 0xF900..=0xFAFF     // compatibility ideographs
        | 0xFE30..=0xFE4F     // CJK compatibility forms
        | 0xFF65..=0xFFDC     // half-width katakana and Hangul
        | 0x1B000..=0x1B16F   // kana supplement and extensions
        | 0x20000..=0x3FFFF   // ext. B and later, compatibility supplement
    )
}

/// True for Han ideographs: the unit of the per-million denominator of Chinese terms.
pub fn is_han(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3FFFF)
}

/// A word character for English matching: a letter, digit or `_`, CJK excluded.
/// Typographic apostrophes and quotes as their ASCII forms, for matching
/// non-CJK terms (`China’s` is `China's`): ’ ‘ ʼ ′ → ', “ ” ″ → ".
pub fn fold_quote(c: char) -> char {
    match c {
        '\u{2019}' | '\u{2018}' | '\u{02BC}' | '\u{2032}' => '\'',
        '\u{201C}' | '\u{201D}' | '\u{2033}' => '"',
        c => c,
    }
}

/// A letter or digit: what English words are made of.
pub fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric() || c == '_';
    }
    c.is_alphanumeric() && !is_cjk(c)
}

/// True when the (normalised) term is matched by the CJK rule.
pub fn has_cjk(s: &str) -> bool {
    s.chars().any(is_cjk)
}

/// NFKC, without allocating when the text is already normalised (English
/// mostly is; Chinese is not: its full-width punctuation folds to ASCII).
pub fn nfkc(s: &str) -> Cow<'_, str> {
    if s.is_ascii() || is_nfkc_quick(s.chars()) == IsNormalized::Yes {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(nfkc_between_boundaries(s))
    }
}

/// A character before which NFKC never looks back: ASCII and the unified Han
/// ideographs are starters, normalised already, and never the second of a
/// composition, so the text on either side of one normalises on its own (the
/// argument [`Normalized`] chunks by; these also need no normalising themselves).
fn is_normalisation_boundary(c: char) -> bool {
    c.is_ascii() || matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF)
}

/// NFKC of a text, the same as `s.nfkc()`, that copies the stretches of
/// boundary characters as they are and normalises only the short pieces
/// around the rest (a Chinese text's punctuation): the library's iterator
/// over every character made most of the time of `emerging`'s loading.
fn nfkc_between_boundaries(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    // `s[..copied]` is in `out`; `piece` is where the piece being read starts:
    // the last boundary character or the start of the text.
    let (mut copied, mut piece) = (0, 0);
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        if is_normalisation_boundary(c) {
            piece = i;
            continue;
        }
        // The piece runs on to the next boundary character (or the end).
        let end = chars
            .by_ref()
            .find(|&(_, c)| is_normalisation_boundary(c))
            .map_or(s.len(), |(j, _)| j);
        out.push_str(&s[copied..piece]);
        let text = &s[piece..end];
        if is_nfkc_quick(text.chars()) == IsNormalized::Yes {
            out.push_str(text);
        } else {
            out.extend(text.nfkc());
        }
        (copied, piece) = (end, end);
    }
    out.push_str(&s[copied..]);
    out
}

/// Unicode lower-casing, character by character (the English matching rule).
pub fn lowercase(s: &str) -> Cow<'_, str> {
    let unchanged = |c: char| {
        let mut lower = c.to_lowercase();
        lower.next() == Some(c) && lower.next().is_none()
    };
    if s.chars().all(unchanged) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        out.extend(c.to_lowercase());
    }
    Cow::Owned(out)
}

/// Number of Han characters and of English words (runs of word characters).
pub fn count_units(normalized: &str) -> (u64, u64) {
    let mut han = 0u64;
    let mut words = 0u64;
    let mut in_word = false;
    for c in normalized.chars() {
        if is_han(c) {
            han += 1;
        }
        let w = is_word_char(c);
        if w && !in_word {
            words += 1;
        }
        in_word = w;
    }
    (han, words)
}

/// Normalised text with a map from normalised byte offsets back to the original.
///
/// NFKC is applied to chunks that start before an ASCII character or a Han
/// ideograph: such a character is a starter that never composes with what
/// precedes it, so the concatenation of the chunks equals NFKC of the whole.
pub struct Normalized {
    /// The NFKC text.
    pub text: String,
    /// (normalised start, original start) of each chunk, ascending.
    chunks: Vec<(usize, usize)>,
    original_len: usize,
}

impl Normalized {
    /// The NFKC text of `original`, with a map back to its offsets.
    pub fn new(original: &str) -> Normalized {
        if original.is_ascii() || is_nfkc_quick(original.chars()) == IsNormalized::Yes {
            // Already normalised: offsets are the original's.
            return Normalized {
                text: original.to_string(),
                chunks: Vec::new(),
                original_len: original.len(),
            };
        }
        let mut text = String::with_capacity(original.len());
        let mut chunks = Vec::new();
        let mut chunk_start = 0usize;
        let mut pending = String::new();
        let flush =
            |text: &mut String, chunks: &mut Vec<(usize, usize)>, start: usize, piece: &str| {
                if piece.is_empty() {
                    return;
                }
                chunks.push((text.len(), start));
                if piece.is_ascii() {
                    text.push_str(piece);
                } else {
                    text.extend(piece.nfkc());
                }
            };
        for (offset, c) in original.char_indices() {
            if offset > chunk_start && starts_independent_chunk(c) {
                flush(&mut text, &mut chunks, chunk_start, &pending);
                pending.clear();
                chunk_start = offset;
            }
            pending.push(c);
        }
        flush(&mut text, &mut chunks, chunk_start, &pending);
        Normalized {
            text,
            chunks,
            original_len: original.len(),
        }
    }

    /// Original byte range covering the normalised byte range `start..end`.
    pub fn original_range(&self, start: usize, end: usize) -> (usize, usize) {
        if self.chunks.is_empty() {
            return (start.min(self.original_len), end.min(self.original_len));
        }
        let chunk_of = |offset: usize| match self.chunks.binary_search_by(|&(n, _)| n.cmp(&offset))
        {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let original_start = self.chunks.get(chunk_of(start)).map_or(0, |c| c.1);
        let original_end = if end == 0 {
            0
        } else {
            let i = chunk_of(end - 1);
            self.chunks.get(i + 1).map_or(self.original_len, |c| c.1)
        };
        (original_start, original_end.max(original_start))
    }
}

/// True when NFKC never joins `c` (and what it decomposes to) with the text
/// before it: its decomposition starts with a starter that is never the second
/// character of a canonical composition.
fn starts_independent_chunk(c: char) -> bool {
    if c.is_ascii() || is_han(c) {
        return true;
    }
    let mut first = None;
    unicode_normalization::char::decompose_compatible(c, |d| {
        first.get_or_insert(d);
    });
    let Some(d) = first else { return false };
    unicode_normalization::char::canonical_combining_class(d) == 0
        && !matches!(d as u32,
            0x0B3E | 0x0B56 | 0x0B57 | 0x0BBE | 0x0BD7 | 0x0CC2 | 0x0CD5 | 0x0CD6
            | 0x0D3E | 0x0D57 | 0x0DCF | 0x0DDF | 0x102E | 0x1161..=0x1175
            | 0x11A8..=0x11C2 | 0x1B35 | 0x0F71..=0x0F81)
}

/// Name under which [`GramTokenizer`] is registered.
pub const GRAM_TOKENIZER: &str = "tifa_grams";
/// Name under which [`WordTokenizer`] is registered.
pub const WORD_TOKENIZER: &str = "tifa_words";

/// The exact-match tokenizer; it expects NFKC text.
///
/// * Each CJK character emits one token at its own position: the character
///   followed by the next one when that is CJK too (a bigram), or alone at
///   the end of a CJK run. A CJK phrase of n ≥ 2 characters is therefore the
///   phrase of its n−1 bigrams, and one character is a prefix lookup.
/// * Runs of word characters, lower-cased, are word tokens. Two words get
///   consecutive positions only when nothing but whitespace separates them,
///   so an English phrase query equals the whitespace-collapsing rule.
#[derive(Clone, Default)]
pub struct GramTokenizer;

impl GramTokenizer {
    /// Tokenise `text` (NFKC) into `tokens`, reusing their buffers; returns the count.
    pub fn tokenize_into(text: &str, tokens: &mut Vec<Token>) -> usize {
        let mut stream = GramStream::new(text);
        let mut count = 0usize;
        while stream.advance() {
            if count == tokens.len() {
                tokens.push(Token::default());
            }
            std::mem::swap(&mut tokens[count], &mut stream.token);
            count += 1;
        }
        count
    }
}

/// The gram tokens of a text, produced one at a time: memory stays constant
/// however long the document (a buffered token list cost ~90 bytes a character).
///
/// This is the hot loop of a build (one call per CJK character of the corpus),
/// so it writes each token in place: no queue, no allocation, ASCII words read
/// a run of bytes at a time. Tests compare it with a plain character-by-character
/// statement of the rule.
pub struct GramStream<'a> {
    text: &'a str,
    /// Byte offset of the next unread character.
    at: usize,
    /// Position of the next token.
    position: usize,
    separated_by_other: bool,
    /// The word being read (its end is not known yet): text, start, position.
    word: String,
    word_open: bool,
    word_from: usize,
    word_position: usize,
    /// Tokens complete beyond the one handed out; only a character whose
    /// lower-case form ends a word, starts another and ends that too needs it.
    overflow: std::collections::VecDeque<Token>,
    token: Token,
}

impl<'a> GramStream<'a> {
    /// The grams of a text.
    pub fn new(text: &'a str) -> GramStream<'a> {
        GramStream {
            text,
            at: 0,
            position: 0,
            separated_by_other: false,
            word: String::new(),
            word_open: false,
            word_from: 0,
            word_position: 0,
            overflow: std::collections::VecDeque::new(),
            token: Token::default(),
        }
    }

    fn open_word(&mut self, offset: usize) {
        if self.separated_by_other {
            self.position += 1;
        }
        self.word.clear();
        self.word_open = true;
        self.word_from = offset;
        self.word_position = self.position;
        self.position += 1;
        self.separated_by_other = false;
    }

    /// Ends the open word at `end` and hands it out; false when none was open.
    fn close_word(&mut self, end: usize, already_emitted: bool) -> bool {
        if !self.word_open {
            return false;
        }
        self.word_open = false;
        let target = if already_emitted {
            self.overflow.push_back(Token::default());
            self.overflow.back_mut().unwrap_or(&mut self.token)
        } else {
            &mut self.token
        };
        std::mem::swap(&mut target.text, &mut self.word);
        target.offset_from = self.word_from;
        target.offset_to = end;
        target.position = self.word_position;
        target.position_length = 1;
        true
    }

    /// A non-CJK, non-ASCII character (lower-cased, which may give several).
    fn other_char(&mut self, offset: usize, c: char) -> bool {
        let mut emitted = false;
        for lc in c.to_lowercase() {
            if is_word_char(lc) {
                if !self.word_open {
                    self.open_word(offset);
                }
                self.word.push(lc);
            } else {
                emitted |= self.close_word(offset, emitted);
                if !lc.is_whitespace() {
                    self.separated_by_other = true;
                }
            }
        }
        emitted
    }
}

impl TokenStream for GramStream<'_> {
    fn advance(&mut self) -> bool {
        if let Some(t) = self.overflow.pop_front() {
            self.token = t;
            return true;
        }
        let bytes = self.text.as_bytes();
        while self.at < bytes.len() {
            let offset = self.at;
            let b = bytes[offset];
            if b.is_ascii() {
                self.at += 1;
                if b.is_ascii_alphanumeric() || b == b'_' {
                    if !self.word_open {
                        self.open_word(offset);
                    }
                    self.word.push(b.to_ascii_lowercase() as char);
                    while self.at < bytes.len()
                        && (bytes[self.at].is_ascii_alphanumeric() || bytes[self.at] == b'_')
                    {
                        self.word.push(bytes[self.at].to_ascii_lowercase() as char);
                        self.at += 1;
                    }
                    continue;
                }
                let emitted = self.close_word(offset, false);
                if !b.is_ascii_whitespace() && b != 0x0B {
                    self.separated_by_other = true;
                }
                if emitted {
                    return true;
                }
                continue;
            }
            let Some(c) = self.text[offset..].chars().next() else {
                break;
            };
            if is_cjk(c) {
                // A word before it is handed out first; the character is read again.
                if self.close_word(offset, false) {
                    return true;
                }
                let mut end = offset + c.len_utf8();
                if let Some(next) = self.text[end..].chars().next()
                    && is_cjk(next)
                {
                    end += next.len_utf8();
                }
                self.at = offset + c.len_utf8();
                let t = &mut self.token;
                t.text.clear();
                t.text.push_str(&self.text[offset..end]);
                t.offset_from = offset;
                t.offset_to = end;
                t.position = self.position;
                t.position_length = 1;
                self.position += 1;
                self.separated_by_other = false;
                return true;
            }
            self.at += c.len_utf8();
            if self.other_char(offset, c) {
                return true;
            }
        }
        self.close_word(bytes.len(), false)
    }
    fn token(&self) -> &Token {
        &self.token
    }
    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

impl Tokenizer for GramTokenizer {
    type TokenStream<'a> = GramStream<'a>;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> GramStream<'a> {
        GramStream::new(text)
    }
}

/// jieba words (Chinese) and lower-cased words (anything else), for ranking:
/// a match that jieba also reads as the query's words ranks above one that
/// straddles word boundaries.
#[derive(Clone)]
pub struct WordTokenizer {
    jieba: Arc<jieba_rs::Jieba>,
}

impl WordTokenizer {
    /// The word tokenizer, with a shared jieba.
    pub fn new(jieba: Arc<jieba_rs::Jieba>) -> WordTokenizer {
        WordTokenizer { jieba }
    }

    /// The words of `text` (NFKC) as the index sees them, with byte ranges.
    pub fn words_with_offsets(jieba: &jieba_rs::Jieba, text: &str) -> Vec<(String, usize, usize)> {
        let mut stream = WordStream::new(jieba, text);
        let mut out = Vec::new();
        while stream.advance() {
            let t = &stream.token;
            out.push((t.text.clone(), t.offset_from, t.offset_to));
        }
        out
    }

    /// The words of `text` (NFKC) as the index sees them.
    pub fn words(jieba: &jieba_rs::Jieba, text: &str) -> Vec<String> {
        let mut stream = WordStream::new(jieba, text);
        let mut out = Vec::new();
        while stream.advance() {
            out.push(stream.token.text.clone());
        }
        out
    }
}

/// CJK runs longer than this are segmented in pieces (bounded memory; only
/// ranking could differ, and only at a piece boundary).
const MAX_JIEBA_RUN_CHARS: usize = 4096;

/// Word tokens one segment at a time: a CJK run (cut by jieba) or one word.
pub struct WordStream<'a> {
    jieba: &'a jieba_rs::Jieba,
    text: &'a str,
    at: usize,
    position: usize,
    /// Byte ranges of the jieba words of the current run not yet handed out.
    ready: std::collections::VecDeque<(usize, usize)>,
    token: Token,
}

impl<'a> WordStream<'a> {
    /// The words of a text.
    pub fn new(jieba: &'a jieba_rs::Jieba, text: &'a str) -> WordStream<'a> {
        WordStream {
            jieba,
            text,
            at: 0,
            position: 0,
            ready: std::collections::VecDeque::new(),
            token: Token::default(),
        }
    }

    /// Hands out a token whose text is already in `self.token.text`.
    fn emit(&mut self, from: usize, to: usize) {
        self.token.offset_from = from;
        self.token.offset_to = to;
        self.token.position = self.position;
        self.token.position_length = 1;
        self.position += 1;
    }
}

impl TokenStream for WordStream<'_> {
    fn advance(&mut self) -> bool {
        loop {
            if let Some((from, to)) = self.ready.pop_front() {
                self.token.text.clear();
                self.token.text.push_str(&self.text[from..to]);
                self.emit(from, to);
                return true;
            }
            let start = self.at;
            let rest = &self.text[start..];
            let Some(first) = rest.chars().next() else {
                return false;
            };
            if is_cjk(first) {
                let mut end = rest.len();
                for (n, (i, c)) in rest.char_indices().enumerate() {
                    if !is_cjk(c) || n == MAX_JIEBA_RUN_CHARS {
                        end = i;
                        break;
                    }
                }
                for t in self.jieba.cut(&rest[..end], false) {
                    if t.word.chars().any(is_han) || t.word.chars().any(is_word_char) {
                        self.ready
                            .push_back((start + t.byte_start, start + t.byte_end));
                    }
                }
                self.at += end;
            } else if is_word_char(first) {
                let mut end = rest.len();
                self.token.text.clear();
                for (i, c) in rest.char_indices() {
                    if c.is_ascii() {
                        if !(c.is_ascii_alphanumeric() || c == '_') {
                            end = i;
                            break;
                        }
                        self.token.text.push(c.to_ascii_lowercase());
                        continue;
                    }
                    if is_cjk(c) || !is_word_char(c) {
                        end = i;
                        break;
                    }
                    self.token.text.extend(c.to_lowercase());
                }
                self.at += end;
                self.emit(start, start + end);
                return true;
            } else {
                self.at += first.len_utf8();
            }
        }
    }
    fn token(&self) -> &Token {
        &self.token
    }
    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = WordStream<'a>;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordStream<'a> {
        WordStream::new(&self.jieba, text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grams(text: &str) -> Vec<(String, usize)> {
        let mut tokens = Vec::new();
        let n = GramTokenizer::tokenize_into(text, &mut tokens);
        tokens[..n]
            .iter()
            .map(|t| (t.text.clone(), t.position))
            .collect()
    }

    /// The gram rule stated character by character (the tokenizer before it
    /// was made fast): the fast stream must hand out exactly these tokens.
    fn reference_grams(text: &str) -> Vec<(String, usize, usize, usize)> {
        let mut out = Vec::new();
        let mut position = 0usize;
        let mut separated_by_other = false;
        let mut word: Option<(String, usize, usize)> = None;
        let close = |word: &mut Option<(String, usize, usize)>,
                     out: &mut Vec<(String, usize, usize, usize)>,
                     end: usize| {
            if let Some((w, from, pos)) = word.take() {
                out.push((w, from, end, pos));
            }
        };
        let chars: Vec<(usize, char)> = text.char_indices().collect();
        for (i, &(offset, c)) in chars.iter().enumerate() {
            if is_cjk(c) {
                close(&mut word, &mut out, offset);
                let mut t = c.to_string();
                let mut end = offset + c.len_utf8();
                if let Some(&(_, next)) = chars.get(i + 1)
                    && is_cjk(next)
                {
                    t.push(next);
                    end += next.len_utf8();
                }
                out.push((t, offset, end, position));
                position += 1;
                separated_by_other = false;
                continue;
            }
            for lc in c.to_lowercase() {
                if is_word_char(lc) {
                    if word.is_none() {
                        if separated_by_other {
                            position += 1;
                        }
                        word = Some((String::new(), offset, position));
                        position += 1;
                        separated_by_other = false;
                    }
                    if let Some((w, _, _)) = word.as_mut() {
                        w.push(lc);
                    }
                } else {
                    close(&mut word, &mut out, offset);
                    if !lc.is_whitespace() {
                        separated_by_other = true;
                    }
                }
            }
        }
        close(&mut word, &mut out, text.len());
        out
    }

    fn fast_grams(text: &str) -> Vec<(String, usize, usize, usize)> {
        let mut stream = GramStream::new(text);
        let mut out = Vec::new();
        while stream.advance() {
            let t = stream.token();
            out.push((t.text.clone(), t.offset_from, t.offset_to, t.position));
        }
        out
    }

    fn mixed_text() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        prop::collection::vec(
            prop_oneof![
                any::<char>().prop_map(|c| c.to_string()),
                prop::sample::select(vec![
                    "网络", "主权", "，", "。", "“", "”", " ", "  ", "\t", "\u{b}", "\n", "a",
                    "Cyber", "_x9", "-", "'", "İ", "é", "e\u{301}", "Ⅻ", "ß", "ﬁ", "가", "カ", "ｶ",
                    "𠀀", "😀", "\u{a0}", "\u{2003}", "5G", "ΣΑΣ",
                ])
                .prop_map(str::to_string),
            ],
            0..60,
        )
        .prop_map(|v| v.concat())
    }

    proptest::proptest! {
        #[test]
        fn fast_gram_stream_equals_the_rule(text in mixed_text()) {
            proptest::prop_assert_eq!(fast_grams(&text), reference_grams(&text));
        }
    }

    #[test]
    fn fast_gram_stream_equals_the_rule_on_edge_cases() {
        for text in [
            "",
            "a",
            "网",
            "网络主权",
            "İstanbul网络",
            "aİb",
            "x\u{b}y",
            "x\u{1c}y",
            "5G网络 and",
            "word,网络.end",
            "网a网",
            "ﬁre网",
            "e\u{301}x",
        ] {
            assert_eq!(fast_grams(text), reference_grams(text), "{text:?}");
        }
    }

    #[test]
    fn cjk_runs_become_bigrams_at_character_positions() {
        assert_eq!(
            grams("网络主权"),
            vec![
                ("网络".into(), 0),
                ("络主".into(), 1),
                ("主权".into(), 2),
                ("权".into(), 3)
            ]
        );
    }

    #[test]
    fn bigrams_do_not_cross_non_cjk() {
        let g = grams("中国 梦");
        assert!(g.iter().all(|(t, _)| t != "国梦" && t != "国 "));
    }

    #[test]
    fn words_separated_by_punctuation_are_not_adjacent() {
        let g = grams("Cyber-Sovereignty and cyber  sovereignty");
        let pos = |w: &str| {
            g.iter()
                .filter(|(t, _)| t == w)
                .map(|(_, p)| *p)
                .collect::<Vec<_>>()
        };
        assert_eq!(pos("cyber"), vec![0, 4]);
        assert_eq!(pos("sovereignty"), vec![2, 5]);
    }

    #[test]
    fn ascii_inside_chinese_is_a_word() {
        let g = grams("加大5G网络");
        assert!(g.contains(&("5g".to_string(), 2)));
        assert!(g.contains(&("网络".to_string(), 3)));
    }

    #[test]
    fn normalized_maps_offsets_back() {
        let original = "５Ｇ网络和互联网＋";
        let n = Normalized::new(original);
        assert_eq!(n.text, "5G网络和互联网+");
        let start = n.text.find("5G").unwrap_or(0);
        let (s, e) = n.original_range(start, start + 2);
        assert_eq!(&original[s..e], "５Ｇ");
        let plus = n.text.find('+').unwrap_or(0);
        let (s, e) = n.original_range(plus, plus + 1);
        assert_eq!(&original[s..e], "＋");
    }

    #[test]
    fn chunked_nfkc_equals_whole_nfkc() {
        for s in [
            "e\u{301}x",
            "ｶﾞ",
            "Å",
            "ﬁ",
            "㍻年",
            "\u{1100}\u{1161}\u{11A8}",
            "a\u{0308}\u{0301}b",
            "\u{0F40}\u{0F73}",
            "\u{0B47}\u{0B3E}",
            "ｶ\u{3099}",
            "가\u{11A8}",
            "网络，主权：\u{F900}豈ｅ\u{301}５Ｇ（试行）",
            "\u{301}开头",
            "ａ\u{0308}\u{0301}网",
        ] {
            let whole: String = s.nfkc().collect();
            assert_eq!(Normalized::new(s).text, whole, "{s:?}");
            assert_eq!(nfkc(s), whole, "{s:?}");
        }
    }

    #[test]
    fn units_count_han_and_words() {
        assert_eq!(count_units("网络主权 and cyber-sovereignty 5G"), (4, 4));
    }
}
