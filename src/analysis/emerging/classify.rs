//! Telling formulations from the rest: the signals measured for every
//! qualified candidate of `tifa emerging`, and the class they decide.
//!
//! Each signal is a property of the candidate's use, not a list of answers
//! (docs/guide/04-discovery.md has what each one measured on the
//! development set):
//!
//! * **frame share** — the share of the period's documents whose first
//!   occurrence sits in a frame (the few characters or words on each side,
//!   any number written as one `#`) that at least two other documents repeat verbatim. The
//!   daily epidemic bulletin, "经…签批" and "据…报道" live in such frames;
//!   a formulation is used in sentences of many shapes.
//! * **dictionary word** — the candidate is one word of jieba's general
//!   dictionary (with its frequency and part of speech): ordinary vocabulary
//!   (周年, 胜利, 印发) or a named entity (巴黎, tagged ns), a topic unless
//!   nothing in the reference uses it.
//! * **carried by a longer string** — a longer qualified candidate containing
//!   this one accounts for most of its rise in documents (征程 in 新征程,
//!   高质量 in 高质量发展): the shorter one is a fragment and the longer one
//!   is listed on its own evidence.
//! * **continuation** — the character (word) that follows its first
//!   occurrence in most period documents (提质 → 增效): a piece of a longer
//!   expression. Function words after it (的, 和) do not count.
//! * **preceded by a name or number** — the same name (习近平, 京津冀) or
//!   number (21 of 21世纪) stands right before its first occurrence in most
//!   period documents: the tail of a longer name (新时代中国特色社会主义思想为指导
//!   after 习近平). Only names and numerals (jieba's ns, nt, nz, m, and nr
//!   for a three-character full name: jieba tags 弘扬 nr) count: a verb or
//!   common noun before it (构建, 经济) is its use.
//! * **authoritative rate** — the share of its documents (all years) of
//!   authoritative kinds over that share in the corpus: news language
//!   (习近平主席, 加征关税) sits far under it.
//! * **organisation** — its last word names an organisation (应急管理部).
//! * **spread** — the kinds of text (speech, report, law, article…) among the
//!   period's documents with the candidate: shown as evidence.

use std::hash::{Hash, Hasher};

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use anyhow::{Context, Result};
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHasher};
use serde::Serialize;

/// Characters (Chinese) on each side of an occurrence that make its frame.
pub const FRAME_HAN_CHARS: usize = 6;
/// Bytes (English: about four words) on each side that make its frame.
pub const FRAME_WORD_BYTES: usize = 24;
/// Documents that must share a frame before it counts as a template (the
/// occurrence's own and two others).
pub const FRAME_REPEATS: u32 = 3;
/// Frame share from which a candidate is a reporting formula.
pub const BOILERPLATE_FRAME_SHARE: f64 = 0.5;
/// Share of a candidate's rise that one longer candidate must carry for the
/// shorter one to be its fragment.
pub const CARRIED_SHARE: f64 = 2.0 / 3.0;
/// Share of its documents in which the same character (word, for English)
/// follows a candidate's first occurrence, from which the candidate is a
/// piece of a longer expression (提质 → 增效, 维护多边 → 主): more often
/// than not.
pub const CONTINUATION_SHARE: f64 = 0.5;
/// A candidate whose documents are of authoritative kinds at under this
/// fraction of the corpus's share of them is news language.
pub const AUTHORITATIVE_RATE_MIN: f64 = 1.0 / 3.0;
/// Share of documents using it inside an organisation's name (国家卫生健康委)
/// from which a candidate is that name's piece, a topic.
pub const ORGANISATION_NAME_SHARE: f64 = 1.0 / 3.0;
/// How a number in digits (see `NUMBER` in the parent module) is named in a signal.
pub const A_NUMBER: &str = "a number";
/// Fewest of its period documents in which a candidate must end what is
/// said at least once; under this it is the first part of longer
/// expressions (十九届 → 十九届中央, 十九届二中全会).
pub const FREE_SHARE_MIN: f64 = 0.1;
/// What a candidate is, as far as the signals tell.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Class {
    Formulation,
    Boilerplate,
    Topic,
    Fragment,
}

impl Class {
    pub fn parse(s: &str) -> Result<Class, String> {
        match s {
            "formulations" | "formulation" => Ok(Class::Formulation),
            "boilerplate" => Ok(Class::Boilerplate),
            "topics" | "topic" => Ok(Class::Topic),
            "fragments" | "fragment" => Ok(Class::Fragment),
            _ => Err(format!(
                "unknown --show {s:?}: use formulations, boilerplate, topics, fragments or all"
            )),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Class::Formulation => "formulation",
            Class::Boilerplate => "boilerplate",
            Class::Topic => "topic",
            Class::Fragment => "fragment",
        }
    }
}

/// `formulations`, `boilerplate,topics`, `all`: the classes a list shows.
pub fn parse_show(s: &str) -> Result<Vec<Class>, String> {
    let mut show: Vec<Class> = Vec::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        if part == "all" {
            show.extend(ALL);
        } else {
            show.push(Class::parse(part)?);
        }
    }
    if show.is_empty() {
        return Err(
            "--show needs a class: formulations, boilerplate, topics, fragments or all".into(),
        );
    }
    show.sort();
    show.dedup();
    Ok(show)
}

pub const ALL: [Class; 4] = [
    Class::Formulation,
    Class::Boilerplate,
    Class::Topic,
    Class::Fragment,
];

/// jieba's entry for a candidate that is one dictionary word.
#[derive(Clone, Debug, Serialize)]
pub struct DictionaryWord {
    pub freq: usize,
    pub tag: String,
}

/// Where a candidate has a person's full name.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PersonEdge {
    /// A name and the verb after it: how the news reports someone (李克强主持).
    NameVerb(String),
    /// It ends on a name after a verb, pronoun or preposition (这是习近平).
    EndsOnName(String),
    /// A name and a title beside it (国家主席习近平, 李克强总理, 夫人彭丽媛):
    /// how a text names a person, a named entity.
    Titled(String),
}

/// The signals of one candidate and the reason for its class.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Signals {
    /// Share of the period's documents whose occurrence sits in a repeated frame.
    pub frame_share: f64,
    /// The commonest repeated frame, for the reader (`…` marks the candidate).
    pub top_frame: Option<String>,
    /// Kinds of text among the period's documents with it.
    pub kinds_in_period: u32,
    /// Documents of authoritative kinds (speeches, reports, declarations,
    /// white papers, laws, regulations) with it, in any year; None when the
    /// filtered corpus holds too few such documents to tell.
    pub authoritative_docs: Option<u32>,
    /// The share of its documents (all years of the filtered corpus) of
    /// authoritative kinds, over that share among all documents: 1 = as
    /// often as any text, under 1/3 = news language. None when the filtered
    /// corpus holds too few authoritative documents.
    pub authoritative_rate: Option<f64>,
    /// The character (word) that most often follows its first occurrence in
    /// a period document, and the share of the documents where it does.
    pub continuation: Option<String>,
    pub continuation_share: f64,
    /// The name or number that most often stands right before its first
    /// occurrence in a period document, and the share of the documents where
    /// it does (shown when that share is at least [`CONTINUATION_SHARE`]).
    pub preceded_by: Option<String>,
    pub preceded_share: f64,
    /// jieba's dictionary entry when the candidate is one dictionary word.
    pub dictionary_word: Option<DictionaryWord>,
    /// The last word when it names an organisation (农村部, 投资银行).
    pub organisation: Option<String>,
    /// Share of its period documents where an organisation's head follows it.
    pub organisation_share: f64,
    /// The word at its edge that makes it a piece of a sentence.
    pub loose_edge: Option<String>,
    /// Share of its period documents where it ends what is said at least
    /// once (a punctuation mark, the end of the text or a function word
    /// after it); 十九届 always goes on (十九届中央, 十九届二中全会).
    pub free_share: f64,
    /// The ordinal of a congress, session or plenum it holds (十九大, 十三届,
    /// 五中全会): it names a meeting.
    pub meeting: Option<String>,
    /// A person's full name at its edge: "name verb" (李克强主持) or a
    /// string ending on a name after a verb (这是习近平).
    pub person: Option<PersonEdge>,
    /// Share of its period documents that are laws or regulations
    /// ([`LEGAL_KINDS`]): at least [`LEGAL_SHARE_MAX`] is the drafting
    /// language of legislation (第五十条, 依法给予处分), not a formulation
    /// that official discourse at large has taken up. None when legislation
    /// is half the filtered corpus or more (`--kind law`): then it tells
    /// nothing.
    pub legal_share: Option<f64>,
    /// The longer candidate that carries most of this one's rise, and how much.
    pub carried_by: Option<String>,
    pub carried_share: Option<f64>,
    /// Period documents above those expected from the reference share.
    pub rise_docs: f64,
    pub reason: String,
}

impl Signals {
    /// Whether a number stands before or after it in most of its documents
    /// (世纪海上丝绸之路 of 21世纪海上丝绸之路): the whole, with its digits, is
    /// never a candidate, so this string cannot stand for it as a line.
    pub fn cut_by_number(&self) -> bool {
        let number = |side: &Option<String>, share: f64| {
            side.as_deref() == Some(A_NUMBER) && share >= CONTINUATION_SHARE
        };
        number(&self.preceded_by, self.preceded_share)
            || number(&self.continuation, self.continuation_share)
    }
}

/// What the period pass gathers for one candidate.
#[derive(Default)]
pub(super) struct FrameStats {
    pub docs: u32,
    /// Documents per kind (numbered by the caller).
    pub kinds: Vec<(u32, u32)>,
    frames: FxHashMap<u64, (u32, String)>,
    /// What follows the first occurrence, per document (end of run: nothing).
    next: FxHashMap<String, u32>,
    /// The character before the first occurrence, per document, with one
    /// left context it ends (to tell the word it ends).
    prev: FxHashMap<char, (u32, String)>,
    /// Documents whose first occurrence goes on into the name of an
    /// organisation (卫生健康 → 卫生健康委, 农业农村 → 农业农村部).
    pub organisation_docs: u32,
    /// Documents where at least one occurrence ends what is said: the end of
    /// its run of text (punctuation, a quotation mark) or a function word
    /// after it.
    pub free_docs: u32,
}

impl FrameStats {
    pub fn share(&self) -> f64 {
        if self.docs == 0 {
            return 0.0;
        }
        let templated: u32 = self
            .frames
            .values()
            .filter(|(n, _)| *n >= FRAME_REPEATS)
            .map(|(n, _)| n)
            .sum();
        f64::from(templated) / f64::from(self.docs)
    }

    /// The commonest continuation and the share of documents it follows in.
    pub fn continuation(&self) -> Option<(String, f64)> {
        let (next, n) = self
            .next
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))?;
        let share = f64::from(*n) / f64::from(self.docs.max(1));
        if next.starts_with(super::NUMBER) {
            return Some((A_NUMBER.to_string(), share));
        }
        Some((next.clone(), share))
    }

    /// The name or number standing right before the first occurrence in most
    /// documents ([`CONTINUATION_SHARE`]), with that share: the word the
    /// commonest preceding character ends, when jieba tags it a person,
    /// place, organisation or other proper name, or a numeral.
    pub fn preceded_by(&self, jieba: &jieba_rs::Jieba) -> Option<(String, f64)> {
        let (_, (n, left)) = self
            .prev
            .iter()
            .max_by(|a, b| a.1.0.cmp(&b.1.0).then_with(|| b.0.cmp(a.0)))?;
        let share = f64::from(*n) / f64::from(self.docs.max(1));
        if share < CONTINUATION_SHARE {
            return None;
        }
        let tags = jieba.tag(left, false);
        let last = tags.last()?;
        let numeral = last.word.chars().all(|c| c == super::NUMBER);
        // jieba's dictionary tags some verbs and slogans as person names
        // (弘扬, 从严治党, 绿水青山): a person's name counts only as the
        // three characters of a full name (习近平).
        let person = matches!(last.tag, "nr" | "nrfg" | "nrt") && last.word.chars().count() == 3;
        let name = person || matches!(last.tag, "ns" | "nt" | "nz" | "m");
        if numeral {
            return Some((A_NUMBER.to_string(), share));
        }
        name.then(|| (last.word.to_string(), share))
    }

    /// Share of its documents where it ends what is said at least once.
    pub fn free_share(&self) -> f64 {
        f64::from(self.free_docs) / f64::from(self.docs.max(1))
    }

    /// Share of its documents that use it inside an organisation's name.
    pub fn organisation_share(&self) -> f64 {
        f64::from(self.organisation_docs) / f64::from(self.docs.max(1))
    }

    /// Share of its documents of the kinds marked true in `legal` (indexed by
    /// the caller's kind numbers).
    pub fn share_of_kinds(&self, legal: &[bool]) -> f64 {
        let n: u32 = self
            .kinds
            .iter()
            .filter(|(k, _)| legal.get(*k as usize).copied().unwrap_or(false))
            .map(|(_, n)| n)
            .sum();
        f64::from(n) / f64::from(self.docs.max(1))
    }

    pub fn top_frame(&self) -> Option<String> {
        self.frames
            .values()
            .filter(|(n, _)| *n >= FRAME_REPEATS)
            .max_by(|a, b| a.0.cmp(&b.0).then_with(|| b.1.cmp(&a.1)))
            .map(|(n, f)| format!("{f} ({n} documents)"))
    }
}

/// One candidate's first occurrence in a text: pattern, frame hash, frame as
/// shown, what follows it, whether that goes on into an organisation's name,
/// and the character before it with the left context it ends.
type FirstUse = (
    u32,
    u64,
    String,
    Option<String>,
    bool,
    Option<(char, String)>,
    bool,
);

/// The frame of each candidate's first occurrence in each period text (with
/// the text's kind), one pass of all candidates over the texts.
pub(super) fn frames(
    patterns: &[String],
    texts: &[(&str, u32)],
    han: bool,
    jieba: &jieba_rs::Jieba,
) -> Result<Vec<FrameStats>> {
    let ac = AhoCorasick::builder()
        .match_kind(MatchKind::Standard)
        .kind(Some(AhoCorasickKind::ContiguousNFA))
        .build(patterns)
        .context("cannot prepare the candidates for their frames")?;
    // Per text: (pattern, frame hash, frame, what follows) of each pattern's
    // first match.
    let found: Vec<Vec<FirstUse>> = texts
        .par_iter()
        .map(|(t, _)| {
            // Per pattern: its entry in `out`.
            let mut seen: FxHashMap<u32, usize> = FxHashMap::default();
            let mut out: Vec<FirstUse> = Vec::new();
            for m in ac.find_overlapping_iter(*t) {
                let p = m.pattern().as_u32();
                let rest = &t[m.end()..];
                let free = ends_freely(rest, han);
                if let Some(&at) = seen.get(&p) {
                    out[at].6 |= free;
                    continue;
                }
                seen.insert(p, out.len());
                let (left, right) = if han {
                    (
                        t[..m.start()]
                            .char_indices()
                            .rev()
                            .nth(FRAME_HAN_CHARS - 1)
                            .map_or(&t[..m.start()], |(i, _)| &t[i..m.start()]),
                        t[m.end()..]
                            .char_indices()
                            .nth(FRAME_HAN_CHARS)
                            .map_or(&t[m.end()..], |(i, _)| &t[m.end()..m.end() + i]),
                    )
                } else {
                    let l = floor_char(t, m.start().saturating_sub(FRAME_WORD_BYTES));
                    let r = floor_char(t, (m.end() + FRAME_WORD_BYTES).min(t.len()));
                    (&t[l..m.start()], &t[m.end()..r])
                };
                let mut h = FxHasher::default();
                left.hash(&mut h);
                right.hash(&mut h);
                let shown = format!("{}…{}", left.replace('\n', "｜"), right.replace('\n', "｜"));
                // A function word after it (的, 和; of, and) is the candidate
                // in use, not a longer expression.
                let next = if han {
                    rest.chars()
                        .next()
                        .map(String::from)
                        .filter(|c| c != "\n" && !super::FUNCTION_WORDS.contains(&c.as_str()))
                } else {
                    // The pattern ends with the space before the next word.
                    let word = rest.split([' ', '\n']).next().unwrap_or("");
                    (!word.is_empty() && !super::STOP_WORDS.contains(&word))
                        .then(|| word.to_string())
                };
                let in_name = han && goes_on_into_name(jieba, rest);
                // The character before it: a Han character that is not a
                // function word, or a number (21 of 21世纪).
                let prev = left
                    .chars()
                    .next_back()
                    .filter(|&c| {
                        han && (c == super::NUMBER
                            || (crate::text::is_han(c)
                                && !super::FUNCTION_WORDS.contains(&c.to_string().as_str())))
                    })
                    .map(|c| (c, left.to_string()));
                out.push((p, h.finish(), shown, next, in_name, prev, free));
            }
            out
        })
        .collect();
    let mut stats: Vec<FrameStats> = (0..patterns.len()).map(|_| FrameStats::default()).collect();
    for (per_text, (_, kind)) in found.into_iter().zip(texts) {
        for (p, hash, shown, next, in_name, prev, free) in per_text {
            let s = &mut stats[p as usize];
            s.free_docs += u32::from(free);
            if let Some((c, left)) = prev {
                s.prev.entry(c).or_insert((0, left)).0 += 1;
            }
            s.organisation_docs += u32::from(in_name);
            if let Some(next) = next {
                *s.next.entry(next).or_insert(0) += 1;
            }
            s.docs += 1;
            match s.kinds.iter_mut().find(|(k, _)| k == kind) {
                Some((_, n)) => *n += 1,
                None => s.kinds.push((*kind, 1)),
            }
            s.frames.entry(hash).or_insert((0, shown)).0 += 1;
        }
    }
    Ok(stats)
}

/// Whether an occurrence ends what is said: nothing of its run follows it
/// (punctuation, a quotation mark or the end of the text) or a function word
/// does (的, 和; of, and). A number after it (中国制造2025) goes on.
fn ends_freely(rest: &str, han: bool) -> bool {
    if han {
        match rest.chars().next() {
            None | Some('\n') => true,
            Some(c) => super::FUNCTION_WORDS.contains(&&*c.encode_utf8(&mut [0; 4])),
        }
    } else {
        // The pattern ends with the space before the next word.
        let word = rest.split([' ', '\n']).next().unwrap_or("");
        word.is_empty() || super::STOP_WORDS.contains(&word)
    }
}

/// Whether the text after a candidate starts with the head of an
/// organisation's name (部, 委员会, 总局…), unless the head character begins
/// another word of the dictionary (部署, 局面, 办法, 司法).
fn goes_on_into_name(jieba: &jieba_rs::Jieba, rest: &str) -> bool {
    let heads = ORGANISATION_HEADS.iter().chain(NAME_PREFIXED_HEADS);
    heads.clone().any(|h| {
        let Some(after) = rest.strip_prefix(h) else {
            return false;
        };
        let Some(c) = after.chars().next() else {
            return true;
        };
        let word = &rest[..h.len() + c.len_utf8()];
        !jieba.has_word(word) || heads.clone().any(|o| o == &word)
    })
}

fn floor_char(t: &str, mut i: usize) -> usize {
    while !t.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Kinds of text that speak for the state (not news, press conferences or
/// other material).
pub const AUTHORITATIVE_KINDS: &[&str] = &[
    "speech",
    "report",
    "declaration",
    "white_paper",
    "law",
    "regulation",
];

/// Kinds of text that are legislation.
pub const LEGAL_KINDS: &[&str] = &["law", "regulation"];

/// Share of a candidate's period documents that may be legislation before
/// it counts as the drafting language of laws: all but one in ten.
pub const LEGAL_SHARE_MAX: f64 = 0.9;

/// Fewest documents of authoritative kinds (any year) that must use a
/// candidate for it to count as official language rather than news only.
pub const MIN_AUTHORITATIVE_DOCS: u32 = 2;
/// Fewest authoritative documents (of the candidate's language) the filtered
/// corpus must hold for that test to be made at all.
pub const AUTHORITATIVE_CORPUS_MIN: u64 = 50;

/// Whether `longer` is a whole formulation built on `shorter` (网络空间 +
/// 命运共同体, 高质量 + 发展) rather than a use of it: a verb, adverb,
/// preposition or conjunction before it (构建新发展格局, 全面贯彻…) or a
/// locative, particle or verb after it (新常态下, …的) makes a phrase that
/// uses the formulation, and the shorter string stays a line of its own.
///
/// `shorter_verbal` is [`short_verb_phrase`] of `shorter`, worked out once
/// per candidate by the caller (a candidate has many longer ones).
pub(super) fn builds_on(
    jieba: &jieba_rs::Jieba,
    longer: &str,
    shorter: &str,
    shorter_verbal: bool,
) -> bool {
    let Some(at) = longer.find(shorter) else {
        return false;
    };
    let (left, right) = (&longer[..at], &longer[at + shorter.len()..]);
    // A clause ending in 的 before it (以合作共赢为核心的新型国际关系)
    // describes the formulation rather than making a new one.
    let use_before = |tag: &str| matches!(tag.chars().next(), Some('v' | 'd' | 'p' | 'c' | 'u'));
    let use_after = |tag: &str| {
        matches!(
            tag.chars().next(),
            Some('v' | 'f' | 'u' | 'p' | 'c' | 'd' | 'y')
        ) && tag != "vn"
    };
    if !left.is_empty()
        && jieba
            .tag(left, false)
            .last()
            .is_some_and(|t| use_before(t.tag) && !(shorter_verbal && t.tag == "v"))
    {
        return false;
    }
    if !right.is_empty()
        && jieba
            .tag(right, false)
            .first()
            .is_some_and(|t| use_after(t.tag))
    {
        return false;
    }
    true
}

/// Whether a candidate is a short verb phrase (at most two jieba words, the
/// last a verb: 降费, 大保护). A verb before such a phrase joins it (减税 +
/// 降费, 共抓 + 大保护); before a nominal one or a clause (使 +
/// 市场在资源配置中起决定性作用) it takes the formulation as its object.
pub(super) fn short_verb_phrase(jieba: &jieba_rs::Jieba, term: &str) -> bool {
    let tags = jieba.tag(term, false);
    tags.len() <= 2 && tags.last().is_some_and(|t| t.tag == "v")
}

/// The jieba part of speech at an edge of the candidate that makes it a
/// piece of a sentence rather than a name for something: a locative,
/// particle, preposition or conjunction (峰会上, 保持中, 年后).
pub(super) fn loose_edge(jieba: &jieba_rs::Jieba, term: &str) -> Option<String> {
    let tags = jieba.tag(term, false);
    if tags.len() < 2 {
        return None;
    }
    let loose = |tag: &str| matches!(tag.chars().next(), Some('f' | 'u' | 'p' | 'c'));
    // A personal or demonstrative pronoun (我们希望, 这次访问) or a modal verb
    // (要加强, 必须坚持) opens a clause, not a name; 自我 (自我革命) and 各
    // are pronouns of another kind.
    if let Some(first) = tags.first()
        && ((first.tag == "r" && first.word.starts_with(DEICTIC)) || MODALS.contains(&first.word))
    {
        return Some(format!("{}/{}", first.word, first.tag));
    }
    // Inside a run of lone characters (a word jieba does not know: 碳/中/和)
    // the edge character belongs to that word.
    let single = |i: usize| tags.get(i).is_some_and(|t| t.word.chars().nth(1).is_none());
    let n = tags.len();
    let (first, last) = (tags.first()?, tags.last()?);
    if loose(first.tag) && !(single(0) && single(1) && single(2)) {
        return Some(format!("{}/{}", first.word, first.tag));
    }
    if loose(last.tag) && !(n >= 3 && single(n - 1) && single(n - 2) && single(n - 3)) {
        return Some(format!("{}/{}", last.word, last.tag));
    }
    None
}

/// How personal and demonstrative pronouns begin (我们, 你们, 他们, 这次, 那些).
const DEICTIC: &[char] = &['我', '你', '他', '她', '它', '咱', '这', '那'];

/// Modal verbs: what follows one is said of something, not named.
const MODALS: &[&str] = &["要", "应", "应当", "应该", "必须", "需要", "能够", "可以"];

/// Han numerals, for the ordinals of meetings.
const HAN_NUMERALS: &str = "一二三四五六七八九十";

/// The ordinal of a meeting in a candidate: a numeral of two or more
/// characters with 十 before 大 or 届 (十九大, 二十大, 十三届: a congress or
/// a session; 三大攻坚战 and 十大 are not), or any numeral before 中全会,
/// 次会议, 次全体会议 or 次全会 (五中全会, 一次会议).
pub(super) fn meeting(term: &str) -> Option<String> {
    let chars: Vec<char> = term.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if !HAN_NUMERALS.contains(chars[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && HAN_NUMERALS.contains(chars[i]) {
            i += 1;
        }
        let numeral: String = chars[start..i].iter().collect();
        let rest: String = chars[i..].iter().collect();
        let congress = numeral.chars().count() >= 2
            && numeral.contains('十')
            && (rest.starts_with('大') || rest.starts_with('届'));
        let plenum = ["中全会", "次会议", "次全体会议", "次全会"]
            .iter()
            .any(|m| rest.starts_with(m));
        if congress || plenum {
            let head = if congress { 1 } else { 3 };
            let end = (i + head).min(chars.len());
            return Some(chars[start..end].iter().collect());
        }
    }
    None
}

/// A person's full name (three characters, as jieba tags it: its dictionary
/// tags verbs such as 弘扬 as two-character names) at the candidate's edge.
pub(super) fn person_edge(jieba: &jieba_rs::Jieba, term: &str) -> Option<PersonEdge> {
    let tags = jieba.tag(term, false);
    let name =
        |t: &jieba_rs::Tag| matches!(t.tag, "nr" | "nrfg" | "nrt") && t.word.chars().count() == 3;
    let (first, last) = (tags.first()?, tags.last()?);
    if tags.len() == 2 && name(first) && tags[1].tag.starts_with('v') {
        return Some(PersonEdge::NameVerb(format!(
            "{}{}",
            first.word, tags[1].word
        )));
    }
    // A name the dictionary lacks (韩正, 刘鹤), as jieba's HMM finds it: a
    // word outside the dictionary tagged a person's name, then a verb of
    // reporting — the HMM also tags pieces of new compounds as names
    // (普惠/包容), so any verb would not do.
    if let [who, verb] = jieba.tag(term, true).as_slice()
        && who.tag == "nr"
        && !jieba.has_word(who.word)
        && REPORTING_VERBS.contains(&verb.word)
    {
        return Some(PersonEdge::NameVerb(format!("{}{}", who.word, verb.word)));
    }
    let before = tags.len().checked_sub(2).map(|i| &tags[i])?;
    // A title next to the name (国家主席习近平, 习近平和夫人彭丽媛, 李克强总理):
    // titles are a closed class of words, so a noun jieba mistakes for a
    // name (安全观) does not pass for a person.
    if name(last) && TITLES.contains(&before.word) {
        return Some(PersonEdge::Titled(format!("{}{}", before.word, last.word)));
    }
    if name(before) && TITLES.contains(&last.word) {
        return Some(PersonEdge::Titled(format!("{}{}", before.word, last.word)));
    }
    // Only after a verb, pronoun or preposition (这是习近平, 坚持以习近平): a
    // name closing a piece of a sentence. After a noun it may be no name at
    // all (总体国家安全观: jieba tags 安全观 a name).
    (name(last) && matches!(before.tag.chars().next(), Some('v' | 'r' | 'p')))
        .then(|| PersonEdge::EndsOnName(last.word.to_string()))
}

/// Titles by which texts name a person (head of state or government, party
/// secretary, minister, ambassador, spokesperson, spouse): a closed class of
/// the language, not of this corpus.
const TITLES: &[&str] = &[
    "主席",
    "副主席",
    "国家主席",
    "总书记",
    "书记",
    "总理",
    "副总理",
    "委员长",
    "国务委员",
    "部长",
    "外长",
    "总统",
    "副总统",
    "首相",
    "大使",
    "发言人",
    "秘书长",
    "夫人",
];

/// The verbs with which the news reports what a person did or said
/// (attended, chaired, met, inspected; said, pointed out, stressed).
const REPORTING_VERBS: &[&str] = &[
    "出席", "主持", "会见", "会谈", "参加", "考察", "调研", "视察", "看望", "慰问", "致辞", "讲话",
    "表示", "指出", "强调", "说", "称", "介绍", "宣布", "签署",
];

/// Characters that end the name of an organisation in Chinese (a ministry
/// 部, bureau 局, commission 委, office 办, administration 署, court or
/// academy 院, department 厅, station 台, bank 行, company 司, centre 中心…):
/// a morphological class of the language, not of this corpus.
const ORGANISATION_HEADS: &[&str] = &[
    "部",
    "局",
    "署",
    "委",
    "办",
    "院",
    "厅",
    "台",
    "行",
    "司",
    "所",
    "中心",
    "集团",
    "公司",
    "协会",
    "委员会",
    "组织",
];

/// Heads that follow a field to name an office (市场监督管理 + 总局 or 部门):
/// not ends of a word of their own, so only for what follows a candidate.
const NAME_PREFIXED_HEADS: &[&str] = &["总局", "部门", "领导小组", "办公室"];

/// The last word of a candidate that names an organisation: a noun (as
/// jieba tags it) of three or more characters ending in an organisation head
/// (应急管理部 ends in 管理部, 亚洲基础设施投资银行 in 投资银行). Two-character
/// words such as 部署 (deploy) or 银行 alone are left out.
///
/// Two more shapes of the same grammar: a one-character head standing as a
/// word of its own after a noun phrase of two or more characters
/// (自然资源/部, 国家医保/局), and a word jieba's dictionary tags as an
/// organisation (统战部/nt, 中央军委/nt).
pub(super) fn organisation(jieba: &jieba_rs::Jieba, term: &str) -> Option<String> {
    let tags = jieba.tag(term, false);
    let last = tags.last()?;
    let noun = last.tag.starts_with('n') && last.tag != "nr" && last.tag != "nrfg";
    let chars = last.word.chars().count();
    if noun && chars >= 3 && ORGANISATION_HEADS.iter().any(|h| last.word.ends_with(h)) {
        return Some(last.word.to_string());
    }
    if last.tag == "nt" && chars >= 3 {
        return Some(last.word.to_string());
    }
    let before = tags.len().checked_sub(2).map(|i| &tags[i])?;
    let noun_phrase = matches!(before.tag.chars().next(), Some('n' | 'l' | 'j'))
        && !before.tag.starts_with("nr")
        && before.word.chars().count() >= 2;
    (noun_phrase && SINGLE_HEADS.contains(&last.word))
        .then(|| format!("{}{}", before.word, last.word))
}

/// Organisation heads that stand as a word of their own after the field they
/// govern (自然资源/部): ministry, bureau, commission, administration,
/// department, court or academy, office.
const SINGLE_HEADS: &[&str] = &["部", "局", "委", "署", "厅", "院", "办"];

/// The dictionary entry of a candidate that jieba reads as one word of its
/// dictionary.
pub(super) fn dictionary_word(jieba: &jieba_rs::Jieba, term: &str) -> Option<DictionaryWord> {
    if !jieba.has_word(term) || jieba.cut(term, false).len() != 1 {
        return None;
    }
    let tag = jieba
        .tag(term, false)
        .first()
        .map_or(String::new(), |t| t.tag.to_string());
    // For one dictionary word suggest_freq is its frequency + 1.
    Some(DictionaryWord {
        freq: jieba.suggest_freq(term).saturating_sub(1),
        tag,
    })
}

/// The class the signals decide, with the reason in words.
pub(super) fn decide(s: &Signals, new: bool) -> (Class, String) {
    // A template of the news that official texts use too is a set phrase of
    // theirs (立足新发展阶段、贯彻新发展理念…), not a reporting formula.
    if s.frame_share >= BOILERPLATE_FRAME_SHARE && s.kinds_in_period <= 1 {
        return (
            Class::Boilerplate,
            format!(
                "{:.0} % of its documents use it in a frame repeated in ≥ {} documents, all of one kind",
                s.frame_share * 100.0,
                FRAME_REPEATS
            ),
        );
    }
    if let Some(legal) = s.legal_share
        && legal >= LEGAL_SHARE_MAX
    {
        return (
            Class::Boilerplate,
            format!(
                "the drafting language of legislation: {:.0} % of its documents in the period are laws or regulations",
                legal * 100.0
            ),
        );
    }
    if let (Some(by), Some(share)) = (&s.carried_by, s.carried_share)
        && share >= CARRIED_SHARE
    {
        return (
            Class::Fragment,
            format!("{by} carries {:.0} % of its rise", share * 100.0),
        );
    }
    if let Some(edge) = &s.loose_edge {
        return (
            Class::Fragment,
            format!(
                "begins or ends on {edge} (a locative, particle, preposition or conjunction; a pronoun or modal verb at the start)"
            ),
        );
    }
    if let Some(next) = &s.continuation
        && s.continuation_share >= CONTINUATION_SHARE
    {
        return (
            Class::Fragment,
            format!(
                "{next} follows it in {:.0} % of its documents (a piece of a longer expression)",
                s.continuation_share * 100.0
            ),
        );
    }
    if let Some(before) = &s.preceded_by
        && s.preceded_share >= CONTINUATION_SHARE
    {
        return (
            Class::Fragment,
            format!(
                "{before} stands before it in {:.0} % of its documents (the tail of a longer name)",
                s.preceded_share * 100.0
            ),
        );
    }
    if s.free_share < FREE_SHARE_MIN {
        return (
            Class::Fragment,
            format!(
                "it ends what is said in {:.0} % of its documents only: elsewhere it goes on into a longer expression",
                s.free_share * 100.0
            ),
        );
    }
    if let Some(m) = &s.meeting {
        return (
            Class::Topic,
            format!("names a meeting ({m}: the ordinal of a congress, session or plenum)"),
        );
    }
    match &s.person {
        Some(PersonEdge::NameVerb(nv)) => {
            return (
                Class::Boilerplate,
                format!("a person's name and a verb ({nv}): how the news reports someone"),
            );
        }
        Some(PersonEdge::EndsOnName(name)) => {
            return (
                Class::Fragment,
                format!("ends on a person's name ({name}) after a verb: a piece of a sentence"),
            );
        }
        Some(PersonEdge::Titled(who)) => {
            return (Class::Topic, format!("names a person by a title ({who})"));
        }
        None => {}
    }
    if let Some(n) = s.authoritative_docs
        && n < MIN_AUTHORITATIVE_DOCS
    {
        return (
            Class::Topic,
            format!(
                "news only: {n} documents of authoritative kinds (speeches, reports, declarations, laws…) use it, in any year"
            ),
        );
    }
    if let Some(rate) = s.authoritative_rate
        && rate < AUTHORITATIVE_RATE_MIN
    {
        return (
            Class::Topic,
            format!(
                "news language: authoritative texts (speeches, reports, laws…) use it at {:.2} of their share of the corpus",
                rate
            ),
        );
    }
    if s.organisation_share >= ORGANISATION_NAME_SHARE {
        return (
            Class::Topic,
            format!(
                "part of an organisation's name in {:.0} % of its documents (an office goes on after it)",
                s.organisation_share * 100.0
            ),
        );
    }
    if let Some(head) = &s.organisation {
        return (
            Class::Topic,
            format!("names an organisation (ends in {head})"),
        );
    }
    if let Some(w) = &s.dictionary_word
        && !new
    {
        return (
            Class::Topic,
            format!(
                "one word of the general dictionary (jieba frequency {}, tag {}) used before the period",
                w.freq, w.tag
            ),
        );
    }
    (Class::Formulation, String::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signals() -> Signals {
        Signals {
            frame_share: 0.0,
            top_frame: None,
            kinds_in_period: 2,
            authoritative_docs: Some(10),
            authoritative_rate: Some(1.0),
            continuation: None,
            continuation_share: 0.0,
            preceded_by: None,
            preceded_share: 0.0,
            organisation: None,
            organisation_share: 0.0,
            dictionary_word: None,
            loose_edge: None,
            free_share: 1.0,
            legal_share: Some(0.2),
            meeting: None,
            person: None,
            carried_by: None,
            carried_share: None,
            rise_docs: 10.0,
            reason: String::new(),
        }
    }

    #[test]
    fn whole_formulations_and_uses_of_them() {
        let jieba = jieba_rs::Jieba::new();
        let built = |longer: &str, shorter: &str| {
            builds_on(&jieba, longer, shorter, short_verb_phrase(&jieba, shorter))
        };
        // A noun before or a noun after: a whole formulation built on it.
        assert!(built("网络空间命运共同体", "命运共同体"));
        assert!(built("高质量发展", "高质量"));
        // A verb before, a locative after: a use of the formulation.
        assert!(!built("构建新发展格局", "新发展格局"));
        // A verb before a short verb phrase joins it; before a clause it
        // takes it as its object.
        assert!(built("减税降费", "降费"));
        assert!(!built(
            "使市场在资源配置中起决定性作用",
            "市场在资源配置中起决定性作用"
        ));
        assert!(!built("新常态下", "新常态"));
        assert!(loose_edge(&jieba, "峰会上").is_some());
        assert!(loose_edge(&jieba, "命运共同体").is_none());
        // 和 ends 碳中和, a word jieba cuts into lone characters (碳/中/和).
        assert!(loose_edge(&jieba, "碳中和").is_none());
        assert!(loose_edge(&jieba, "改革和").is_some());
        // A clause opened by a pronoun or a modal verb; 自我革命 is a name.
        assert!(loose_edge(&jieba, "我们希望").is_some());
        assert!(loose_edge(&jieba, "这次访问").is_some());
        assert!(loose_edge(&jieba, "要加强").is_some());
        assert!(loose_edge(&jieba, "自我革命").is_none());
        assert!(loose_edge(&jieba, "要素市场").is_none());
        // An office goes on after it; 部署 and 局面 are words, not offices.
        assert!(goes_on_into_name(&jieba, "委今天通报"));
        assert!(goes_on_into_name(&jieba, "部"));
        assert!(goes_on_into_name(&jieba, "总局局长"));
        assert!(!goes_on_into_name(&jieba, "部署"));
        assert!(!goes_on_into_name(&jieba, "局面"));
        assert!(!goes_on_into_name(&jieba, "发展"));
        assert!(dictionary_word(&jieba, "巴黎").is_some_and(|w| w.tag == "ns"));
        // A clause ending in 的 describes the formulation: a use, not a whole.
        assert!(!built("合作共赢为核心的新型国际关系", "新型国际关系"));
        // Names of organisations by their last word; a verb or a concept is not one.
        assert_eq!(
            organisation(&jieba, "应急管理部").as_deref(),
            Some("管理部")
        );
        assert_eq!(
            organisation(&jieba, "亚洲基础设施投资银行").as_deref(),
            Some("投资银行")
        );
        assert_eq!(
            organisation(&jieba, "自然资源部").as_deref(),
            Some("自然资源部")
        );
        assert!(organisation(&jieba, "统战部").is_some());
        for not_one in [
            "决策部署",
            "新发展格局",
            "人类命运共同体",
            "全过程人民民主",
            "主体责任",
            "党的建设",
        ] {
            assert_eq!(organisation(&jieba, not_one), None, "{not_one}");
        }
        assert!(dictionary_word(&jieba, "一带一路").is_none());
    }

    /// The same name or number before it in most documents makes it the tail
    /// of a longer name; a verb or a minority of documents does not.
    #[test]
    fn preceded_by_a_name_or_number() {
        let jieba = jieba_rs::Jieba::new();
        let of = |term: &str, texts: &[&str]| {
            let texts: Vec<(&str, u32)> = texts.iter().map(|t| (*t, 0)).collect();
            let stats = frames(&[term.to_string()], &texts, true, &jieba).expect("frames");
            stats[0].preceded_by(&jieba)
        };
        let tail = of(
            "新时代中国特色社会主义思想",
            &[
                "坚持以习近平新时代中国特色社会主义思想为指导",
                "用习近平新时代中国特色社会主义思想武装头脑",
                "学习习近平新时代中国特色社会主义思想",
                "贯彻新时代中国特色社会主义思想",
            ],
        );
        assert_eq!(tail, Some(("习近平".to_string(), 0.75)));
        let number = of(
            "世纪海上丝绸之路",
            &[
                "共建#世纪海上丝绸之路",
                "#世纪海上丝绸之路倡议",
                "推进#世纪海上丝绸之路",
            ],
        );
        assert_eq!(number.map(|(w, _)| w), Some(A_NUMBER.to_string()));
        // jieba's dictionary tags 弘扬 a person's name: a two-character "name" is not one.
        assert_eq!(
            of(
                "伟大建党精神",
                &[
                    "大力弘扬伟大建党精神",
                    "继续弘扬伟大建党精神",
                    "要弘扬伟大建党精神"
                ]
            ),
            None
        );
        // A verb before it is its use, not a longer name.
        assert_eq!(
            of(
                "人类命运共同体",
                &[
                    "推动构建人类命运共同体",
                    "共同构建人类命运共同体",
                    "构建人类命运共同体"
                ]
            ),
            None
        );
        // Half the documents at most: no.
        assert_eq!(
            of(
                "新时代中国特色社会主义思想",
                &[
                    "以习近平新时代中国特色社会主义思想为指导",
                    "新时代中国特色社会主义思想",
                    "贯彻新时代中国特色社会主义思想"
                ]
            ),
            None
        );
    }

    /// A string that never ends what is said (十九届 → 中央, 二中全会) has a
    /// low free share; one followed by punctuation, the end or 的 somewhere
    /// in a document is free there. A number after it goes on.
    #[test]
    fn free_share_counts_documents_where_it_ends() {
        let jieba = jieba_rs::Jieba::new();
        let free = |term: &str, texts: &[&str]| {
            let texts: Vec<(&str, u32)> = texts.iter().map(|t| (*t, 0)).collect();
            frames(&[term.to_string()], &texts, true, &jieba).expect("frames")[0].free_share()
        };
        assert_eq!(
            free("十九届", &["党的十九届二中全会", "十九届中央委员会"]),
            0.0
        );
        // Free at its second occurrence in the first text, and before 的.
        assert_eq!(
            free(
                "新发展格局",
                &[
                    "构建新发展格局重大举措，构建新发展格局\n",
                    "新发展格局的",
                    "新发展格局战略"
                ]
            ),
            2.0 / 3.0
        );
        assert_eq!(free("中国制造", &["中国制造#\n"]), 0.0);
        let cont = |texts: &[&str]| {
            let texts: Vec<(&str, u32)> = texts.iter().map(|t| (*t, 0)).collect();
            frames(&["中国制造".to_string()], &texts, true, &jieba).expect("frames")[0]
                .continuation()
        };
        assert_eq!(
            cont(&["中国制造#\n", "推进中国制造#"]).map(|(w, _)| w),
            Some(A_NUMBER.to_string())
        );
    }

    #[test]
    fn meetings_by_their_ordinals() {
        for (term, m) in [
            ("十九大", "十九大"),
            ("党的十九大精神", "十九大"),
            ("二十大胜利召开", "二十大"),
            ("十三届全国人大", "十三届"),
            ("五中全会", "五中全会"),
            ("十二届全国人大一次会议", "十二届"),
        ] {
            assert_eq!(meeting(term).as_deref(), Some(m), "{term}");
        }
        for none in [
            "三大攻坚战",
            "十大",
            "十三五",
            "四个全面",
            "第二个百年奋斗目标",
            "两个一百年",
        ] {
            assert_eq!(meeting(none), None, "{none}");
        }
    }

    #[test]
    fn a_persons_name_at_the_edge() {
        let jieba = jieba_rs::Jieba::new();
        assert!(matches!(
            person_edge(&jieba, "李克强主持"),
            Some(PersonEdge::NameVerb(_))
        ));
        // A name jieba's dictionary lacks, found by its HMM.
        assert!(matches!(
            person_edge(&jieba, "韩正出席"),
            Some(PersonEdge::NameVerb(nv)) if nv == "韩正出席"
        ));
        assert!(matches!(
            person_edge(&jieba, "这是习近平"),
            Some(PersonEdge::EndsOnName(n)) if n == "习近平"
        ));
        // A name with its title, either side, is a person named.
        for titled in ["中央军委主席习近平", "习近平和夫人彭丽媛", "李克强总理"]
        {
            assert!(
                matches!(person_edge(&jieba, titled), Some(PersonEdge::Titled(_))),
                "{titled}"
            );
        }
        // The name inside a formulation, or a verb jieba tags as a name (弘扬).
        for none in [
            "习近平新时代中国特色社会主义思想",
            "大力弘扬",
            "习近平",
            "人类命运共同体",
            "总体国家安全观",
            "减税降费",
            "稳就业",
            "放管服",
            "双碳",
            "普惠包容",
        ] {
            assert!(person_edge(&jieba, none).is_none(), "{none}");
        }
    }

    #[test]
    fn the_first_signal_that_speaks_decides() {
        let plain = signals();
        assert_eq!(decide(&plain, false).0, Class::Formulation);
        let mut bound = signals();
        bound.free_share = 0.05;
        assert_eq!(decide(&bound, false).0, Class::Fragment);
        let mut named = signals();
        named.person = Some(PersonEdge::NameVerb("李克强主持".into()));
        assert_eq!(decide(&named, false).0, Class::Boilerplate);
        named.person = Some(PersonEdge::EndsOnName("习近平".into()));
        assert_eq!(decide(&named, false).0, Class::Fragment);
        named.person = Some(PersonEdge::Titled("主席习近平".into()));
        assert_eq!(decide(&named, false).0, Class::Topic);
        let mut templated = signals();
        templated.frame_share = 0.9;
        templated.kinds_in_period = 1;
        assert_eq!(decide(&templated, false).0, Class::Boilerplate);
        // The same frames in two kinds of text: a set phrase, not a template.
        templated.kinds_in_period = 2;
        assert_eq!(decide(&templated, false).0, Class::Formulation);
        let mut carried = signals();
        carried.carried_by = Some("高质量发展".into());
        carried.carried_share = Some(0.9);
        assert_eq!(decide(&carried, false).0, Class::Fragment);
        carried.carried_share = Some(0.5);
        assert_eq!(decide(&carried, false).0, Class::Formulation);
        let mut news = signals();
        news.authoritative_docs = Some(1);
        assert_eq!(decide(&news, false).0, Class::Topic);
        news.authoritative_docs = None;
        assert_eq!(decide(&news, false).0, Class::Formulation);
        // More often than not the same character follows: a piece.
        let mut piece = signals();
        piece.continuation = Some("主".into());
        piece.continuation_share = 0.5;
        assert_eq!(decide(&piece, false).0, Class::Fragment);
        piece.continuation_share = 0.49;
        assert_eq!(decide(&piece, false).0, Class::Formulation);
        // The same name before it in most documents: the tail of a name.
        let mut tail = signals();
        tail.preceded_by = Some("京津冀".into());
        tail.preceded_share = 0.8;
        assert_eq!(decide(&tail, false).0, Class::Fragment);
        tail.preceded_share = 0.4;
        assert_eq!(decide(&tail, false).0, Class::Formulation);
        // Authoritative texts use it at under a third of their corpus share.
        let mut news_language = signals();
        news_language.authoritative_rate = Some(0.3);
        assert_eq!(decide(&news_language, false).0, Class::Topic);
        news_language.authoritative_rate = Some(0.34);
        assert_eq!(decide(&news_language, false).0, Class::Formulation);
        let mut office = signals();
        office.organisation_share = 0.45;
        assert_eq!(decide(&office, true).0, Class::Topic);
        office.organisation_share = 0.2;
        assert_eq!(decide(&office, true).0, Class::Formulation);
        let mut organisation_name = signals();
        organisation_name.organisation = Some("管理部".into());
        assert_eq!(decide(&organisation_name, true).0, Class::Topic);
        let mut word = signals();
        word.dictionary_word = Some(DictionaryWord {
            freq: 3756,
            tag: "ns".into(),
        });
        assert_eq!(decide(&word, false).0, Class::Topic);
        // Unless nothing before the period used it.
        assert_eq!(decide(&word, true).0, Class::Formulation);
        assert_eq!(
            parse_show("topics,fragments"),
            Ok(vec![Class::Topic, Class::Fragment])
        );
        assert_eq!(parse_show("all").map(|v| v.len()), Ok(4));
        assert!(parse_show("news").is_err());
    }

    #[test]
    fn the_language_of_laws_and_strings_cut_by_numbers() {
        // Nine in ten of its period documents are laws or regulations.
        let mut drafting = signals();
        drafting.legal_share = Some(0.95);
        assert_eq!(decide(&drafting, true).0, Class::Boilerplate);
        drafting.legal_share = Some(0.8);
        assert_eq!(decide(&drafting, true).0, Class::Formulation);
        // Unless legislation is most of what is searched (--kind law).
        drafting.legal_share = None;
        assert_eq!(decide(&drafting, true).0, Class::Formulation);
        let mut stats = FrameStats {
            docs: 10,
            ..FrameStats::default()
        };
        stats.kinds = vec![(0, 1), (1, 6), (2, 3)];
        let legal = [false, true, true];
        assert!((stats.share_of_kinds(&legal) - 0.9).abs() < 1e-9);
        // 世纪海上丝绸之路 after 21 in most documents: cut by a number.
        let mut cut = signals();
        cut.preceded_by = Some(A_NUMBER.into());
        cut.preceded_share = 0.9;
        assert!(cut.cut_by_number());
        cut.preceded_share = 0.3;
        assert!(!cut.cut_by_number());
        cut.continuation = Some(A_NUMBER.into());
        cut.continuation_share = 0.6;
        assert!(cut.cut_by_number());
        cut.continuation = Some("建".into());
        assert!(!cut.cut_by_number());
    }
}
