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

mod frames;
mod shape;

pub(super) use frames::frames;
use shape::goes_on_into_name;
pub(super) use shape::{
    builds_on, dictionary_word, ends_on_saying, event, loose_edge, meeting, open_verb_phrase,
    organisation, person_edge, short_verb_phrase,
};

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
/// How an opening quotation mark after a string (see `QUOTE` in the parent
/// module) is named in a signal: the string goes on into a quoted object.
pub const A_QUOTATION: &str = "a quotation";
/// Fewest of its period documents in which a candidate must end what is
/// said at least once; under this it is the first part of longer
/// expressions (十九届 → 十九届中央, 十九届二中全会).
pub const FREE_SHARE_MIN: f64 = 0.1;
/// Free share under which an open verb phrase (加快构建) is the head of
/// longer verb phrases: it goes on into its object in most of its documents.
pub const OPEN_VERB_FREE_MAX: f64 = 0.5;
/// What a candidate is, as far as the signals tell.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Class {
    /// A formulation of official discourse (the default list).
    Formulation,
    /// A reporting formula or template.
    Boilerplate,
    /// A news topic, named entity or ordinary word.
    Topic,
    /// A piece of a longer expression.
    Fragment,
}

impl Class {
    /// A class by its name or plural (`formulations`, `topic`…).
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

    /// The class's name in JSON and CSV.
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

/// Every class, in the order they are listed.
pub const ALL: [Class; 4] = [
    Class::Formulation,
    Class::Boilerplate,
    Class::Topic,
    Class::Fragment,
];

/// jieba's entry for a candidate that is one dictionary word.
#[derive(Clone, Debug, Serialize)]
pub struct DictionaryWord {
    /// jieba's frequency of the word.
    pub freq: usize,
    /// jieba's part-of-speech tag of the word.
    pub tag: String,
}

/// Where a candidate has a person's full name.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PersonEdge {
    /// A name and the verb after it, or a titled name and the verb or
    /// preposition after it: how the news reports someone (李克强主持,
    /// 国家主席习近平在北京).
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
    /// Share of its period documents where `continuation` follows it.
    pub continuation_share: f64,
    /// The name or number that most often stands right before its first
    /// occurrence in a period document, and the share of the documents where
    /// it does (shown when that share is at least [`CONTINUATION_SHARE`]).
    pub preceded_by: Option<String>,
    /// Share of its period documents where `preceded_by` stands before it.
    pub preceded_share: f64,
    /// jieba's dictionary entry when the candidate is one dictionary word.
    pub dictionary_word: Option<DictionaryWord>,
    /// The last word when it names an organisation (农村部, 投资银行).
    pub organisation: Option<String>,
    /// Share of its period documents where an organisation's head follows it.
    pub organisation_share: f64,
    /// The word at its edge that makes it a piece of a sentence.
    pub loose_edge: Option<String>,
    /// The preposition it starts on when that preposition is bound to the
    /// rest: the rest follows it in at least [`FRAGMENT_SHARE`] of the rest's
    /// occurrences in the period (以 of 以人民为中心). Its edges are read on
    /// the rest.
    pub bound_preposition: Option<String>,
    /// Share of its period documents where it ends what is said at least
    /// once (a punctuation mark, the end of the text or a function word
    /// after it); 十九届 always goes on (十九届中央, 十九届二中全会).
    pub free_share: f64,
    /// The verb of saying it ends on (已经说, 会议强调): it introduces what
    /// is said.
    pub says: Option<String>,
    /// The ordinal of a congress, session or plenum it holds (十九大, 十三届,
    /// 五中全会): it names a meeting.
    pub meeting: Option<String>,
    /// The head of an event's name it ends on (北京冬奥会, 进博会, 论坛…峰会):
    /// it names a gathering.
    pub event: Option<String>,
    /// Its two words when it is a verb phrase whose object must follow:
    /// an adverbial or verb before a verb, each of two or more characters
    /// (加快/构建, 持续/推进). With a free share under [`OPEN_VERB_FREE_MAX`]
    /// it is a fragment.
    pub open_verb: Option<String>,
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
    /// Share of its rise in documents that `carried_by` carries.
    pub carried_share: Option<f64>,
    /// Period documents above those expected from the reference share.
    pub rise_docs: f64,
    /// The class's reason in words (empty for a formulation).
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

/// The class the signals decide, with the reason in words: the first of
/// [`RULES`] that holds, else a formulation.
pub(super) fn decide(s: &Signals, new: bool) -> (Class, String) {
    RULES
        .iter()
        .find_map(|rule| rule(s, new))
        .unwrap_or((Class::Formulation, String::new()))
}

/// One test of the signals: the class it decides and why, or None.
type Rule = fn(&Signals, bool) -> Option<(Class, String)>;

/// The tests in the order they are made: the first that holds decides.
const RULES: &[Rule] = &[
    repeated_frame,
    legislation,
    carried,
    loose_edges,
    continued,
    preceded,
    seldom_free,
    open_verb,
    names_meeting,
    names_event,
    person,
    says,
    news_only,
    news_language,
    within_organisation_name,
    names_organisation,
    dictionary_word_used_before,
    dictionary_verb,
];

fn repeated_frame(s: &Signals, _: bool) -> Option<(Class, String)> {
    // A template of the news that official texts use too is a set phrase of
    // theirs (立足新发展阶段、贯彻新发展理念…), not a reporting formula.
    (s.frame_share >= BOILERPLATE_FRAME_SHARE && s.kinds_in_period <= 1).then(|| {
        (
            Class::Boilerplate,
            format!(
                "{:.0} % of its documents use it in a frame repeated in ≥ {} documents, all of one kind",
                s.frame_share * 100.0,
                FRAME_REPEATS
            ),
        )
    })
}

fn legislation(s: &Signals, _: bool) -> Option<(Class, String)> {
    let legal = s.legal_share.filter(|&l| l >= LEGAL_SHARE_MAX)?;
    Some((
        Class::Boilerplate,
        format!(
            "the drafting language of legislation: {:.0} % of its documents in the period are laws or regulations",
            legal * 100.0
        ),
    ))
}

fn carried(s: &Signals, _: bool) -> Option<(Class, String)> {
    let (by, share) = (s.carried_by.as_ref()?, s.carried_share?);
    (share >= CARRIED_SHARE).then(|| {
        (
            Class::Fragment,
            format!("{by} carries {:.0} % of its rise", share * 100.0),
        )
    })
}

fn loose_edges(s: &Signals, _: bool) -> Option<(Class, String)> {
    let edge = s.loose_edge.as_ref()?;
    Some((
        Class::Fragment,
        format!(
            "begins or ends on {edge} (a locative, particle, preposition or conjunction; a pronoun or modal verb at the start)"
        ),
    ))
}

fn continued(s: &Signals, _: bool) -> Option<(Class, String)> {
    let next = s.continuation.as_ref()?;
    (s.continuation_share >= CONTINUATION_SHARE).then(|| {
        (
            Class::Fragment,
            format!(
                "{next} follows it in {:.0} % of its documents (a piece of a longer expression)",
                s.continuation_share * 100.0
            ),
        )
    })
}

fn preceded(s: &Signals, _: bool) -> Option<(Class, String)> {
    let before = s.preceded_by.as_ref()?;
    (s.preceded_share >= CONTINUATION_SHARE).then(|| {
        (
            Class::Fragment,
            format!(
                "{before} stands before it in {:.0} % of its documents (the tail of a longer name)",
                s.preceded_share * 100.0
            ),
        )
    })
}

fn seldom_free(s: &Signals, _: bool) -> Option<(Class, String)> {
    (s.free_share < FREE_SHARE_MIN).then(|| {
        (
            Class::Fragment,
            format!(
                "it ends what is said in {:.0} % of its documents only: elsewhere it goes on into a longer expression",
                s.free_share * 100.0
            ),
        )
    })
}

fn open_verb(s: &Signals, _: bool) -> Option<(Class, String)> {
    let vp = s.open_verb.as_ref()?;
    (s.free_share < OPEN_VERB_FREE_MAX).then(|| {
        (
            Class::Fragment,
            format!(
                "a verb phrase ({vp}) that goes on into its object in {:.0} % of its documents",
                (1.0 - s.free_share) * 100.0
            ),
        )
    })
}

fn names_meeting(s: &Signals, _: bool) -> Option<(Class, String)> {
    let m = s.meeting.as_ref()?;
    Some((
        Class::Topic,
        format!("names a meeting ({m}: the ordinal of a congress, session or plenum)"),
    ))
}

fn names_event(s: &Signals, _: bool) -> Option<(Class, String)> {
    let head = s.event.as_ref()?;
    Some((
        Class::Topic,
        format!("names an event (ends in {head}: a games, fair, forum, summit or meeting)"),
    ))
}

fn person(s: &Signals, _: bool) -> Option<(Class, String)> {
    Some(match s.person.as_ref()? {
        PersonEdge::NameVerb(nv) => (
            Class::Boilerplate,
            format!("a person's name and a verb ({nv}): how the news reports someone"),
        ),
        PersonEdge::EndsOnName(name) => (
            Class::Fragment,
            format!("ends on a person's name ({name}) after a verb: a piece of a sentence"),
        ),
        PersonEdge::Titled(who) => (Class::Topic, format!("names a person by a title ({who})")),
    })
}

fn says(s: &Signals, _: bool) -> Option<(Class, String)> {
    let verb = s.says.as_ref()?;
    Some((
        Class::Boilerplate,
        format!("ends on a verb of saying ({verb}): how texts report what is said"),
    ))
}

fn news_only(s: &Signals, _: bool) -> Option<(Class, String)> {
    let n = s
        .authoritative_docs
        .filter(|&n| n < MIN_AUTHORITATIVE_DOCS)?;
    Some((
        Class::Topic,
        format!(
            "news only: {n} documents of authoritative kinds (speeches, reports, declarations, laws…) use it, in any year"
        ),
    ))
}

fn news_language(s: &Signals, _: bool) -> Option<(Class, String)> {
    let rate = s
        .authoritative_rate
        .filter(|&r| r < AUTHORITATIVE_RATE_MIN)?;
    Some((
        Class::Topic,
        format!(
            "news language: authoritative texts (speeches, reports, laws…) use it at {:.2} of their share of the corpus",
            rate
        ),
    ))
}

fn within_organisation_name(s: &Signals, _: bool) -> Option<(Class, String)> {
    (s.organisation_share >= ORGANISATION_NAME_SHARE).then(|| {
        (
            Class::Topic,
            format!(
                "part of an organisation's name in {:.0} % of its documents (an office goes on after it)",
                s.organisation_share * 100.0
            ),
        )
    })
}

fn names_organisation(s: &Signals, _: bool) -> Option<(Class, String)> {
    let head = s.organisation.as_ref()?;
    Some((
        Class::Topic,
        format!("names an organisation (ends in {head})"),
    ))
}

fn dictionary_word_used_before(s: &Signals, new: bool) -> Option<(Class, String)> {
    let w = s.dictionary_word.as_ref().filter(|_| !new)?;
    Some((
        Class::Topic,
        format!(
            "one word of the general dictionary (jieba frequency {}, tag {}) used before the period",
            w.freq, w.tag
        ),
    ))
}

/// A verb of the dictionary names an action, not a policy, even when the
/// corpus has not used it before (拱火): set phrases the dictionary lists are
/// nouns or idioms (简政放权/n).
fn dictionary_verb(s: &Signals, _: bool) -> Option<(Class, String)> {
    let w = s.dictionary_word.as_ref().filter(|w| w.tag == "v")?;
    Some((
        Class::Topic,
        format!(
            "one verb of the general dictionary (jieba frequency {}, tag v): an action, not a name",
            w.freq
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Signals of a plain formulation, for tests to change one at a time.
    pub(super) fn signals() -> Signals {
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
            bound_preposition: None,
            free_share: 1.0,
            legal_share: Some(0.2),
            meeting: None,
            event: None,
            open_verb: None,
            says: None,
            person: None,
            carried_by: None,
            carried_share: None,
            rise_docs: 10.0,
            reason: String::new(),
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
        let mut saying = signals();
        saying.says = Some("说".into());
        assert_eq!(decide(&saying, false).0, Class::Boilerplate);
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
        // An open verb phrase is a fragment where it goes on in most documents.
        let mut verb_phrase = signals();
        verb_phrase.open_verb = Some("加快/v 构建/v".into());
        verb_phrase.free_share = 0.22;
        assert_eq!(decide(&verb_phrase, false).0, Class::Fragment);
        verb_phrase.free_share = 0.5;
        assert_eq!(decide(&verb_phrase, false).0, Class::Formulation);
        let mut event = signals();
        event.event = Some("冬奥会".into());
        assert_eq!(decide(&event, true).0, Class::Topic);
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
        // A verb of the dictionary stays a topic even then (拱火); a set
        // phrase it lists as a noun does not (简政放权/n).
        word.dictionary_word = Some(DictionaryWord {
            freq: 3,
            tag: "v".into(),
        });
        assert_eq!(decide(&word, true).0, Class::Topic);
        word.dictionary_word = Some(DictionaryWord {
            freq: 5,
            tag: "n".into(),
        });
        assert_eq!(decide(&word, true).0, Class::Formulation);
        assert_eq!(
            parse_show("topics,fragments"),
            Ok(vec![Class::Topic, Class::Fragment])
        );
        assert_eq!(parse_show("all").map(|v| v.len()), Ok(4));
        assert!(parse_show("news").is_err());
    }
}
