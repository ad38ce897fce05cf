//! Step 1 and 2 of `emerging`: the candidate strings of the period's texts —
//! Han runs and English word chunks, counted level by level, bounded by
//! function words, closed under longer strings — and their document
//! frequencies in any group of texts.

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use anyhow::{Context, Result};
use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::{FRAGMENT_SHARE, Loaded, MAX_HAN, MAX_WORDS};
use crate::text;

#[derive(Clone, Copy)]
pub(super) enum Unit {
    Han,
    Word,
}

impl Unit {
    pub(super) fn max_len(self) -> usize {
        match self {
            Unit::Han => MAX_HAN,
            Unit::Word => MAX_WORDS,
        }
    }

    pub(super) fn text(self, d: &Loaded) -> &str {
        match self {
            Unit::Han => &d.han,
            Unit::Word => &d.words,
        }
    }

    /// The string searched for in [`Unit::text`]: English words are
    /// space-delimited there, so a pattern is fenced by spaces.
    pub(super) fn pattern(self, term: &str) -> String {
        match self {
            Unit::Han => term.to_string(),
            Unit::Word => format!(" {term} "),
        }
    }

    /// The string without its last / first unit.
    pub(super) fn shorter(self, s: &str) -> (&str, &str) {
        match self {
            Unit::Han => {
                let last = s.chars().next_back().map_or(0, char::len_utf8);
                let first = s.chars().next().map_or(0, char::len_utf8);
                (&s[..s.len() - last], &s[first..])
            }
            Unit::Word => (
                s.rsplit_once(' ').map_or("", |(a, _)| a),
                s.split_once(' ').map_or("", |(_, b)| b),
            ),
        }
    }
}

/// The substrings of a candidate shorter than it, at unit boundaries
/// (characters for Chinese, words for English), each once.
pub(super) fn proper_substrings(term: &str, unit: Unit) -> Vec<&str> {
    // Each unit's (start, end) in bytes.
    let spans: Vec<(usize, usize)> = match unit {
        Unit::Han => term
            .char_indices()
            .map(|(i, c)| (i, i + c.len_utf8()))
            .collect(),
        Unit::Word => term
            .split(' ')
            .scan(0, |at, w| {
                let span = (*at, *at + w.len());
                *at += w.len() + 1;
                Some(span)
            })
            .collect(),
    };
    let mut parts: Vec<&str> = (0..spans.len())
        .flat_map(|i| {
            let from = spans[i].0;
            spans[i..].iter().map(move |&(_, end)| (from, end))
        })
        .filter(|&(from, to)| to - from < term.len())
        .map(|(from, to)| &term[from..to])
        .collect();
    parts.sort_unstable();
    parts.dedup();
    parts
}

/// Stands in a Han run for a number written in digits that touches it
/// (2015年, 21世纪, 中国制造2025): candidates never hold it (it splits them like
/// a line break), but the signals of their use see it — 世纪海上丝绸之路 is
/// preceded by a number in most documents, 中国制造 followed by one, and the
/// frames of a daily bulletin are the same whatever its figures.
pub(super) const NUMBER: char = '#';

/// Stands in a Han run for an opening quotation mark right after it
/// (高质量共建“一带一路”): like [`NUMBER`] no candidate holds it, but the
/// signals see that the string goes on into a quoted object — it does not
/// end what is said there. One byte, as the line offsets count separators.
pub(super) const QUOTE: char = '"';

/// Opening quotation marks (typographic and corner brackets).
const OPENING_QUOTES: [char; 3] = ['“', '「', '『'];

/// Appends the runs of Han characters of `s`, one per line; a number in
/// digits that touches a run is part of it, written [`NUMBER`], and an
/// opening quotation mark right after a run is written [`QUOTE`].
pub(super) fn han_runs(s: &str, out: &mut String) {
    let mut in_run = false;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if text::is_han(c) {
            out.push(c);
            in_run = true;
        } else if in_run && OPENING_QUOTES.contains(&c) {
            out.push(QUOTE);
        } else if c.is_ascii_digit() {
            while chars.next_if(char::is_ascii_digit).is_some() {}
            if in_run || chars.peek().is_some_and(|&n| text::is_han(n)) {
                out.push(NUMBER);
                in_run = true;
            }
        } else if in_run {
            out.push('\n');
            in_run = false;
        }
    }
    if in_run {
        out.push('\n');
    }
}

/// Appends the word chunks of `s`, lower-cased with typographic quotes folded
/// (the matching rules of English terms): a word is a run of non-space
/// characters with a letter or digit, trimmed of punctuation at its edges;
/// trimmed punctuation (or CJK text) ends a chunk. Each chunk is ` w1 w2 … \n`.
pub(super) fn word_chunks(s: &str, out: &mut String) {
    let lowered = text::lowercase(s);
    let mut open = false;
    for raw in lowered.split(|c: char| c.is_whitespace() || text::is_cjk(c)) {
        let core = raw.trim_matches(|c: char| !text::is_word_char(c));
        let breaks_before = raw.is_empty() || !raw.starts_with(core) || core.is_empty();
        if breaks_before && open {
            out.push('\n');
            open = false;
        }
        if core.is_empty() {
            continue;
        }
        if !open {
            out.push(' ');
            open = true;
        }
        out.extend(core.chars().map(text::fold_quote));
        out.push(' ');
        if !raw.ends_with(core) {
            out.push('\n');
            open = false;
        }
    }
    if open {
        out.push('\n');
    }
}

#[derive(Clone, Copy)]
pub(super) struct Stat {
    docs: u32,
    dates: u32,
    occurrences: u32,
    /// Occurrences that start and end at word boundaries.
    bounded: u32,
    last_doc: u32,
    last_date: u64,
    /// Most occurrences of a longer well-bounded string that contains this one.
    absorbed: u32,
    /// Occurrences that start on a preposition of its own (以, 为…) and go on
    /// with a well-bounded rest: 以人民为中心.
    after_preposition: u32,
    /// Its first unit is a bound preposition: the rest follows it in nearly
    /// every occurrence (set while absorbing, longest first).
    bound_preposition: bool,
}

impl Stat {
    const NEW: Stat = Stat {
        docs: 0,
        dates: 0,
        occurrences: 0,
        bounded: 0,
        last_doc: u32::MAX,
        last_date: 0,
        absorbed: 0,
        after_preposition: 0,
        bound_preposition: false,
    };

    /// The counts of another run of texts (of other days) added to these.
    fn add(&mut self, other: &Stat) {
        self.docs += other.docs;
        self.dates += other.dates;
        self.occurrences += other.occurrences;
        self.bounded += other.bounded;
        self.after_preposition += other.after_preposition;
    }

    /// Most of its occurrences start and end at word boundaries, or it starts
    /// on a preposition bound to the rest.
    fn well_bounded(&self) -> bool {
        2 * self.bounded >= self.occurrences || self.bound_preposition
    }
}

/// English words that neither start nor end a formulation.
pub(super) const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "been", "but", "by", "for", "from", "has", "have",
    "in", "is", "it", "its", "of", "on", "or", "our", "that", "the", "their", "this", "to", "was",
    "we", "were", "which", "will", "with",
];

/// Chinese function words that neither start nor end a formulation (as jieba
/// words of their own: 的抗战 and 发展理念的 are not formulations, 目的 is fine).
pub(super) const FUNCTION_WORDS: &[&str] = &[
    "的", "了", "和", "与", "及", "或", "是", "在", "对", "把", "被", "将", "等", "之", "也", "并",
    "而", "从", "向", "为", "以", "于", "由", "同", "跟", "给", "让", "就", "都", "又", "还", "更",
    "最", "很", "着", "过", "吗", "呢", "吧", "啊", "其", "该", "各", "每",
];

/// Prepositions of one character that may be bound to what follows them:
/// 以人民为中心, 以规则为基础 (以…为…), 为人民服务. A function word starts no
/// string, except one of these when the rest follows it in nearly all its
/// occurrences ([`FRAGMENT_SHARE`]) — then the preposition belongs to the
/// formulation as 以 does to 以人民为中心. Not the locatives 在 and 于: their
/// phrase closes after the rest, outside the string (在…的同时, 在…中), so
/// the preposition alone makes no whole (在适度扩大总需求).
pub(super) const BOUND_PREPOSITIONS: &[&str] =
    &["以", "为", "与", "同", "对", "向", "从", "由", "把"];

/// A closed candidate: the string, its documents in the period, and the
/// bound preposition it starts on, if any.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Closed {
    pub(super) term: String,
    pub(super) docs: u32,
    pub(super) bound_preposition: Option<String>,
}

/// The units (characters or words) of one text.
pub(super) struct Tokens {
    /// Byte ranges into the text.
    ranges: Vec<(u32, u32)>,
    /// Per unit: the index one past the last unit of its line.
    line_end: Vec<u32>,
    /// Per unit: a string may start here / end here (jieba word boundaries for
    /// Chinese, no stop word for English).
    may_start: Vec<bool>,
    may_end: Vec<bool>,
    /// Per unit: a preposition that is a jieba word of its own
    /// ([`BOUND_PREPOSITIONS`]).
    preposition: Vec<bool>,
}

pub(super) fn tokens(text: &str, unit: Unit, jieba: &jieba_rs::Jieba) -> Tokens {
    let mut t = Tokens {
        ranges: Vec::new(),
        line_end: Vec::new(),
        may_start: Vec::new(),
        may_end: Vec::new(),
        preposition: Vec::new(),
    };
    for (offset, line) in line_offsets(text) {
        match unit {
            Unit::Han => {
                // Per byte of the line: a word starts here (may start) / the
                // word before ends here (may end); function words do neither.
                let mut starts = vec![false; line.len() + 1];
                let mut ends = vec![false; line.len() + 1];
                let mut preposition = vec![false; line.len() + 1];
                let words = jieba.cut(line, false);
                // jieba cuts a word it does not know into single characters
                // (碳/达/峰/碳/中/和 for 碳达峰碳中和); a function character whose
                // two neighbours on the string's side are lone characters too is
                // part of such a word, not a function word of its own (开创/新/的
                // still ends nothing).
                let single = |i: Option<usize>| {
                    i.and_then(|i| words.get(i))
                        .is_some_and(|w| w.word.chars().nth(1).is_none())
                };
                for (i, w) in words.iter().enumerate() {
                    let function = FUNCTION_WORDS.contains(&w.word);
                    if !function || (single(Some(i + 1)) && single(Some(i + 2))) {
                        starts[w.byte_start] = true;
                    }
                    if !function || (single(i.checked_sub(1)) && single(i.checked_sub(2))) {
                        ends[w.byte_end] = true;
                    }
                    preposition[w.byte_start] = BOUND_PREPOSITIONS.contains(&w.word);
                }
                for (i, c) in line.char_indices() {
                    let e = i + c.len_utf8();
                    t.may_start.push(starts[i]);
                    t.may_end.push(ends[e]);
                    t.preposition.push(preposition[i]);
                    let s = offset + i;
                    t.ranges.push((s as u32, (s + c.len_utf8()) as u32));
                }
            }
            Unit::Word => {
                let mut pos = 0;
                for w in line.split(' ') {
                    if !w.is_empty() {
                        let s = offset + pos;
                        t.ranges.push((s as u32, (s + w.len()) as u32));
                        let ok = !STOP_WORDS.contains(&w);
                        t.may_start.push(ok);
                        t.may_end.push(ok);
                        t.preposition.push(false);
                    }
                    pos += w.len() + 1;
                }
            }
        }
        t.line_end.resize(t.ranges.len(), t.ranges.len() as u32);
    }
    t
}

pub(super) fn line_offsets(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut offset = 0;
    // A number or a quotation mark splits a Han run like a line break: no
    // candidate holds it.
    text.split(['\n', NUMBER, QUOTE]).map(move |line| {
        let o = offset;
        offset += line.len() + 1;
        (o, line)
    })
}

/// A run of the period's texts whose days no other run has.
struct DateChunk {
    /// The texts `from..to`.
    from: usize,
    to: usize,
    /// Their first unit among all the texts' units, and how many units they have.
    first_unit: usize,
    units: usize,
}

/// About `wanted` runs of texts of similar size, cut only where the day changes.
fn date_chunks(texts: &[(&str, u64)], tokenized: &[Tokens], wanted: usize) -> Vec<DateChunk> {
    let total: usize = tokenized.iter().map(|t| t.ranges.len()).sum();
    let target = total.div_ceil(wanted.max(1)).max(1);
    let mut chunks = Vec::new();
    let (mut from, mut first_unit, mut units) = (0, 0, 0);
    for (d, tok) in tokenized.iter().enumerate() {
        if units >= target && texts[d].1 != texts[d - 1].1 {
            chunks.push(DateChunk {
                from,
                to: d,
                first_unit,
                units,
            });
            (from, first_unit, units) = (d, first_unit + units, 0);
        }
        units += tok.ranges.len();
    }
    chunks.push(DateChunk {
        from,
        to: texts.len(),
        first_unit,
        units,
    });
    chunks
}

/// The strings of `n` units of one run of texts: each one's statistics, and
/// per unit of the run the string starting there (`u32::MAX`: none).
struct Level<'a> {
    index: FxHashMap<&'a str, u32>,
    stats: Vec<Stat>,
    slot: Vec<u32>,
}

/// Counts the strings of `n` units that start where a frequent string of
/// `n - 1` units starts and is followed by another (`alive`).
fn count_level<'a>(
    chunk: &DateChunk,
    n: usize,
    texts: &[(&'a str, u64)],
    tokenized: &[Tokens],
    alive: &[bool],
) -> Level<'a> {
    let mut level = Level {
        index: FxHashMap::default(),
        stats: Vec::new(),
        slot: vec![u32::MAX; chunk.units],
    };
    let mut base = chunk.first_unit;
    for d in chunk.from..chunk.to {
        let ((text, date), tok) = (&texts[d], &tokenized[d]);
        for i in 0..tok.ranges.len() {
            let g = base + i;
            if !alive[g] || i + n > tok.line_end[i] as usize || (n > 1 && !alive[g + 1]) {
                continue;
            }
            let key = &text[tok.ranges[i].0 as usize..tok.ranges[i + n - 1].1 as usize];
            let next = level.stats.len() as u32;
            let at = *level.index.entry(key).or_insert(next);
            if at == next {
                level.stats.push(Stat::NEW);
            }
            let s = &mut level.stats[at as usize];
            s.occurrences += 1;
            if tok.may_end[i + n - 1] {
                if tok.may_start[i] {
                    s.bounded += 1;
                } else if n > 2 && tok.preposition[i] && tok.may_start[i + 1] {
                    s.after_preposition += 1;
                }
            }
            if s.last_doc != d as u32 {
                s.last_doc = d as u32;
                s.docs += 1;
                if s.last_date != *date {
                    s.last_date = *date;
                    s.dates += 1;
                }
            }
            level.slot[g - chunk.first_unit] = at;
        }
        base += tok.ranges.len();
    }
    level
}

/// The candidates of the period's texts (in date order) with their document
/// frequencies: frequent, well-bounded, and not absorbed by a longer string.
pub(super) fn closed_candidates(
    texts: &[(&str, u64)],
    unit: Unit,
    min_docs: u32,
    min_dates: u32,
    jieba: &jieba_rs::Jieba,
) -> Vec<Closed> {
    let runs = rayon::current_num_threads() * 2;
    closed_candidates_in_runs(texts, unit, (min_docs, min_dates), jieba, runs)
}

/// [`closed_candidates`], counted in about `runs` runs of days.
fn closed_candidates_in_runs<'a>(
    texts: &[(&'a str, u64)],
    unit: Unit,
    (min_docs, min_dates): (u32, u32),
    jieba: &jieba_rs::Jieba,
    runs: usize,
) -> Vec<Closed> {
    let tokenized: Vec<Tokens> = texts
        .par_iter()
        .map(|(t, _)| tokens(t, unit, jieba))
        .collect();
    let frequent = |s: &Stat| s.docs >= min_docs && s.dates >= min_dates;
    let chunks = date_chunks(texts, &tokenized, runs);
    let total: usize = tokenized.iter().map(|t| t.ranges.len()).sum();
    // alive[g]: the string of the previous level's length starting at unit g is frequent.
    let mut alive = vec![true; total];
    let mut levels: Vec<FxHashMap<&'a str, Stat>> = Vec::new();
    for n in 1..=unit.max_len() + 1 {
        // Each stretch of days is counted on its own, in parallel; no day is
        // in two stretches, so the sums of their documents and dates are exact.
        let counted: Vec<Level<'a>> = chunks
            .par_iter()
            .map(|c| count_level(c, n, texts, &tokenized, &alive))
            .collect();
        let mut merged: FxHashMap<&'a str, Stat> = FxHashMap::default();
        for level in &counted {
            for (&key, &at) in &level.index {
                let s = &level.stats[at as usize];
                merged.entry(key).and_modify(|m| m.add(s)).or_insert(*s);
            }
        }
        let mut rest = alive.as_mut_slice();
        let mut pieces = Vec::with_capacity(chunks.len());
        for c in &chunks {
            let (piece, tail) = rest.split_at_mut(c.units);
            pieces.push(piece);
            rest = tail;
        }
        pieces
            .into_par_iter()
            .zip(&counted)
            .for_each(|(piece, level)| {
                let mut frequent_here = vec![false; level.stats.len()];
                for (k, &at) in &level.index {
                    frequent_here[at as usize] = frequent(&merged[k]);
                }
                for (a, &s) in piece.iter_mut().zip(&level.slot) {
                    *a = s != u32::MAX && frequent_here[s as usize];
                }
            });
        merged.retain(|_, s| frequent(s));
        let done = merged.is_empty();
        levels.push(merged);
        if done {
            break;
        }
    }
    // Longest first, each string passes on to its two one-unit-shorter parts
    // the most occurrences of a well-bounded string containing it (itself or
    // longer): every frequent superstring is reached this way, since all the
    // strings in between are frequent too. A string starting on a preposition
    // whose rest follows it in nearly all the rest's occurrences is a whole
    // (以人民为中心 over 人民为中心).
    for n in (1..levels.len()).rev() {
        let (shorter, longer) = levels.split_at_mut(n);
        let shorter = &mut shorter[n - 1];
        for (t, st) in longer[0].iter_mut() {
            if st.after_preposition > 0 {
                let (_, rest) = unit.shorter(t);
                st.bound_preposition = shorter.get(rest).is_some_and(|r| {
                    f64::from(st.after_preposition) >= FRAGMENT_SHARE * f64::from(r.occurrences)
                });
            }
            let reach = st
                .absorbed
                .max(if st.well_bounded() { st.occurrences } else { 0 });
            let (prefix, suffix) = unit.shorter(t);
            for part in [prefix, suffix] {
                if let Some(p) = shorter.get_mut(part) {
                    p.absorbed = p.absorbed.max(reach);
                }
            }
        }
    }
    let mut out: Vec<Closed> = levels
        .iter()
        .enumerate()
        .filter(|(i, _)| (2..=unit.max_len()).contains(&(i + 1)))
        .flat_map(|(_, level)| level.iter())
        .filter(|(_, s)| {
            s.well_bounded() && f64::from(s.absorbed) < FRAGMENT_SHARE * f64::from(s.occurrences)
        })
        .map(|(t, s)| Closed {
            term: (*t).to_string(),
            docs: s.docs,
            bound_preposition: s
                .bound_preposition
                .then(|| t.chars().next().map(String::from))
                .flatten(),
        })
        .collect();
    out.sort_unstable();
    out
}

/// For each pattern and group, the number of texts of the group that contain
/// it: `counts[pattern * groups + group]`.
pub(super) fn document_frequencies(
    patterns: &[String],
    texts: &[(&str, Vec<usize>)],
    groups: usize,
) -> Result<Vec<u32>> {
    let ac = AhoCorasick::builder()
        .match_kind(MatchKind::Standard)
        .kind(Some(AhoCorasickKind::ContiguousNFA))
        .build(patterns)
        .context("cannot prepare the candidates for counting")?;
    let n = patterns.len();
    const CHUNK: usize = 256;
    let counts = texts
        .par_chunks(CHUNK)
        .enumerate()
        .fold(
            || (vec![0u32; n * groups], vec![u32::MAX; n]),
            |(mut counts, mut last), (c, chunk)| {
                for (i, (t, in_groups)) in chunk.iter().enumerate() {
                    // `last[p]`: the last text that counted pattern p.
                    let text_no = (c * CHUNK + i) as u32;
                    for m in ac.find_overlapping_iter(*t) {
                        let p = m.pattern().as_usize();
                        if last[p] != text_no {
                            last[p] = text_no;
                            for g in in_groups {
                                counts[p * groups + g] += 1;
                            }
                        }
                    }
                }
                (counts, last)
            },
        )
        .map(|(c, _)| c)
        .reduce(
            || vec![0u32; n * groups],
            |mut a, b| {
                for (x, y) in a.iter_mut().zip(b) {
                    *x += y;
                }
                a
            },
        );
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substrings_at_unit_boundaries() {
        let mut han = proper_substrings("一带一路", Unit::Han);
        han.sort_unstable();
        assert_eq!(han.len(), 8, "{han:?}"); // 10 substrings, 一 twice, the whole left out
        assert!(han.contains(&"带一路") && !han.contains(&"一带一路"));
        let words = proper_substrings("rule of law", Unit::Word);
        for w in ["rule", "of", "law", "rule of", "of law"] {
            assert!(words.contains(&w), "{w}: {words:?}");
        }
        assert_eq!(words.len(), 5, "{words:?}");
    }

    #[test]
    fn unknown_words_end_on_function_characters() {
        let jieba = jieba_rs::Jieba::new();
        let text = "实现碳达峰碳中和目标";
        let t = tokens(text, Unit::Han, &jieba);
        let end_of = |s: &str| {
            let at = text.find(s).map(|i| i + s.len()).unwrap_or(0);
            t.ranges
                .iter()
                .position(|r| r.1 as usize == at)
                .map(|i| t.may_end[i])
        };
        // 碳/中/和: 和 belongs to the unknown word 碳中和.
        assert_eq!(end_of("碳中和"), Some(true));
        // 改革/和/发展: 和 is a conjunction and ends nothing.
        let text2 = "深化改革和发展";
        let t2 = tokens(text2, Unit::Han, &jieba);
        let at = text2
            .find("改革和")
            .map(|i| i + "改革和".len())
            .unwrap_or(0);
        let i = t2.ranges.iter().position(|r| r.1 as usize == at);
        assert_eq!(i.map(|i| t2.may_end[i]), Some(false));
    }

    #[test]
    fn han_runs_break_at_everything_else() {
        let mut out = String::new();
        han_runs(
            "网络主权，2015年命运共同体abc共同 in 2015, 中国制造2025。",
            &mut out,
        );
        assert_eq!(out, "网络主权\n#年命运共同体\n共同\n中国制造#\n");
        // An opening quotation mark after a run stays as one mark; before
        // one, or a closing one, ends it.
        let mut out = String::new();
        han_runs("高质量共建“一带一路”倡议，“中国梦”", &mut out);
        assert_eq!(out, "高质量共建\"一带一路\n倡议\n中国梦\n");
    }

    #[test]
    fn word_chunks_break_at_punctuation() {
        let mut out = String::new();
        word_chunks(
            "Win-win cooperation, China’s “shared future”. Mr. X",
            &mut out,
        );
        assert_eq!(
            out,
            " win-win cooperation \n china's \n shared future \n mr \n x \n"
        );
    }

    #[test]
    fn fragments_give_way_to_the_whole() {
        // 一带一路 in 6 documents on 6 dates; 一带 alone twice.
        let texts: Vec<(String, u64)> = (1..=6)
            .map(|d| ("推进一带一路建设\n一带\n".to_string(), 20140100 + d))
            .chain([("这一带\n".to_string(), 20140110)])
            .collect();
        let refs: Vec<(&str, u64)> = texts.iter().map(|(t, d)| (t.as_str(), *d)).collect();
        let found: Vec<String> = closed_candidates(&refs, Unit::Han, 5, 3, &jieba_rs::Jieba::new())
            .into_iter()
            .map(|c| c.term)
            .collect();
        // The whole passage 推进一带一路建设 is the one closed string here
        // (every substring is always inside it), and 一带 stands on its own.
        assert!(found.contains(&"推进一带一路建设".to_string()), "{found:?}");
        assert!(found.contains(&"一带".to_string()), "{found:?}");
        assert!(!found.contains(&"一带一".to_string()), "{found:?}");
        assert!(!found.contains(&"带一路".to_string()), "{found:?}");
    }

    #[test]
    fn a_bound_preposition_belongs_to_the_whole() {
        // 人民为中心 follows 以 in every one of its six documents…
        let mut texts: Vec<(String, u64)> = (1..=5)
            .map(|d| ("坚持以人民为中心\n".to_string(), 20180100 + d))
            .collect();
        texts.push(("以人民为中心的发展思想\n".to_string(), 20180110));
        let refs: Vec<(&str, u64)> = texts.iter().map(|(t, d)| (t.as_str(), *d)).collect();
        let jieba = jieba_rs::Jieba::new();
        let found = closed_candidates(&refs, Unit::Han, 5, 3, &jieba);
        let terms: Vec<&str> = found.iter().map(|c| c.term.as_str()).collect();
        assert!(
            found
                .iter()
                .any(|c| c.term == "以人民为中心" && c.bound_preposition.as_deref() == Some("以")),
            "{terms:?}"
        );
        assert!(!terms.contains(&"人民为中心"), "{terms:?}");
        // …but not when the rest stands on its own as often: 为中心 alone.
        texts.extend((1..=5).map(|d| ("人民为中心\n".to_string(), 20180200 + d)));
        let refs: Vec<(&str, u64)> = texts.iter().map(|(t, d)| (t.as_str(), *d)).collect();
        let found = closed_candidates(&refs, Unit::Han, 5, 3, &jieba);
        let terms: Vec<&str> = found.iter().map(|c| c.term.as_str()).collect();
        assert!(!terms.contains(&"以人民为中心"), "{terms:?}");
        assert!(terms.contains(&"人民为中心"), "{terms:?}");
    }

    #[test]
    fn runs_of_days_count_as_one() {
        // Several documents a day, some days with a string, others without:
        // counted in one run or in many, the candidates and their documents
        // are the same, and no day is cut between two runs.
        let texts: Vec<(String, u64)> = (0..40)
            .map(|i| {
                let day = 20150101 + i / 3;
                let text = match i % 4 {
                    0 => "构建网络空间命运共同体\n",
                    1 => "网络空间命运共同体\n推进一带一路建设\n",
                    2 => "一带一路\n网络空间\n",
                    _ => "命运共同体\n",
                };
                (text.to_string(), day)
            })
            .collect();
        let refs: Vec<(&str, u64)> = texts.iter().map(|(t, d)| (t.as_str(), *d)).collect();
        let jieba = jieba_rs::Jieba::new();
        let one = closed_candidates_in_runs(&refs, Unit::Han, (3, 3), &jieba, 1);
        assert!(
            one.iter().any(|c| c.term == "网络空间命运共同体"),
            "{one:?}"
        );
        for runs in [2, 5, 40] {
            let many = closed_candidates_in_runs(&refs, Unit::Han, (3, 3), &jieba, runs);
            assert_eq!(one, many, "{runs} runs");
            let tokenized: Vec<Tokens> = refs
                .iter()
                .map(|(t, _)| tokens(t, Unit::Han, &jieba))
                .collect();
            let chunks = date_chunks(&refs, &tokenized, runs);
            assert!(chunks.len() > 1, "{runs} runs");
            for c in chunks.iter().skip(1) {
                assert_ne!(refs[c.from].1, refs[c.from - 1].1, "a day cut in two");
            }
        }
    }
}
