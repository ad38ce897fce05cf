//! Padding: the words a longer English rendering adds that render Chinese
//! outside the term ("chinese embassy" for 大使馆).

use super::grams::STOP;
use super::order::goes_with;
use super::*;

/// Tells whether a longer English candidate only adds words that render
/// Chinese outside the term: "chinese embassy" for 大使馆 ("chinese" is 中国
/// of 中国驻…大使馆), "foreign ministry spokesperson" for 发言人 (外交部),
/// "second question" for 第二个 (问题). Such a phrase is padded: it neither
/// replaces the shorter rendering nor is put first as the complete one, nor
/// stands above it.
///
/// An added word is padding when some Chinese string that shares no
/// character with the term stands beside it in at least half of the term's
/// segments where the word is, and the word goes with that string both among
/// the term's segments (said with it, rarely without it: "chinese" with 中国
/// in the segments of 大使馆) and among all other segments (a translation
/// of it, not a coincidence of this term's contexts), and goes with it
/// there more strongly (G²) than with any of the term's own characters (a
/// word may render one of them: "group" 组 of 工作组 is not padding, though
/// 联合工作组 is "joint working group"). Only for a Chinese term (English
/// renderings); an English term's Chinese candidates are not checked.
pub(super) struct Padding<'a> {
    segs: &'a [Seg<'a>],
    term_chars: Vec<char>,
    english: bool,
    /// Built on the first check (most calls never need one).
    tables: OnceLock<PaddingTables>,
    /// The segments without the term holding a string (ascending), per string.
    other_with: Mutex<HashMap<String, Arc<Vec<u32>>>>,
    memo: Mutex<HashMap<String, bool>>,
}

/// What every padding check reads, built once per call.
pub(super) struct PaddingTables {
    /// Each word of the other sides (folded as [`english_grams`] folds) →
    /// the segments holding it, ascending.
    word_segs: HashMap<String, Vec<u32>>,
    /// Per segment: its place among the segments with the term, if it has it.
    term_place: Vec<Option<u32>>,
    term_total: usize,
    other_total: usize,
    /// Per segment with the term: the ids of the 2–4-character strings of its
    /// source that share no character with the term (sorted, once each).
    term_grams: Vec<Vec<u32>>,
    gram_text: Vec<String>,
    /// Per string id: how many segments with the term hold it.
    gram_term_segs: Vec<u32>,
    /// Per character of the term: the segments without the term holding it.
    char_other: Vec<Vec<u32>>,
}

impl<'a> Padding<'a> {
    pub(super) fn new(segs: &'a [Seg<'a>], literal: &Literal) -> Padding<'a> {
        let mut term_chars: Vec<char> = literal
            .normalized
            .chars()
            .filter(|&c| crate::text::is_han(c))
            .collect();
        term_chars.sort_unstable();
        term_chars.dedup();
        Padding {
            segs,
            term_chars,
            english: literal.cjk,
            tables: OnceLock::new(),
            other_with: Mutex::new(HashMap::new()),
            memo: Mutex::new(HashMap::new()),
        }
    }

    /// `longer` (which holds `shorter` as a whole-word part) adds a padding word.
    /// `protected`: words of the renderings of the term's parts, never
    /// padding ("issue" renders 问题 of 南海问题, whatever else it goes with).
    pub(super) fn padded(&self, longer: &str, shorter: &str, protected: &HashSet<&str>) -> bool {
        if !self.english {
            return false;
        }
        added_words(longer, shorter)
            .into_iter()
            .filter(|w| w.chars().count() >= 2 && !protected.contains(w))
            .any(|w| self.word_is_padding(w))
    }

    /// `longer` (holding `shorter` as a whole-word part) only adds words that
    /// render the term's own characters and are no padding: "ministry of
    /// public security" for 公安部 ("ministry" goes with 部), "last weekend"
    /// for 上周末 ("last" with 上). Stop words ("of", "the") are not counted.
    pub(super) fn extends(&self, longer: &str, shorter: &str, protected: &HashSet<&str>) -> bool {
        if !self.english {
            return false;
        }
        // A word of the shorter phrase said again adds nothing ("chain and
        // value chain").
        let own_words: HashSet<&str> = shorter.split(' ').collect();
        let added = added_words(longer, shorter);
        if added.iter().any(|w| own_words.contains(w)) {
            return false;
        }
        !added.is_empty()
            && added.iter().all(|w| {
                protected.contains(w) || (self.renders_term_char(w) && !self.word_is_padding(w))
            })
    }

    /// The word goes with one of the term's characters among the segments
    /// without the term (see [`goes_with`]).
    pub(super) fn renders_term_char(&self, word: &str) -> bool {
        let t = self.tables();
        let Some(with_word) = t.word_segs.get(word) else {
            return false;
        };
        let other_and_word = with_word
            .iter()
            .filter(|&&i| t.term_place[i as usize].is_none())
            .count();
        t.char_other.iter().any(|holding| {
            let a = sorted_overlap(holding, with_word);
            // Mostly said where the character is, and not by chance.
            2 * a >= other_and_word
                && goes_with(
                    a as f64,
                    holding.len() as f64,
                    (other_and_word - a) as f64,
                    (t.other_total - holding.len()) as f64,
                )
        })
    }

    pub(super) fn word_is_padding(&self, word: &str) -> bool {
        if let Some(known) = self.memo.lock().ok().and_then(|m| m.get(word).copied()) {
            return known;
        }
        let answer = self.compute(word);
        if let Ok(mut m) = self.memo.lock() {
            m.insert(word.to_string(), answer);
        }
        answer
    }

    pub(super) fn tables(&self) -> &PaddingTables {
        self.tables.get_or_init(|| {
            let segs = self.segs;
            let words: Vec<Vec<String>> = segs
                .par_iter()
                .map(|s| {
                    let folded: String = s
                        .target
                        .to_lowercase()
                        .chars()
                        .map(crate::text::fold_quote)
                        .map(|c| {
                            if c.is_alphanumeric() || c == '\'' {
                                c
                            } else {
                                ' '
                            }
                        })
                        .collect();
                    let mut w: Vec<String> =
                        folded.split_whitespace().map(str::to_string).collect();
                    w.sort_unstable();
                    w.dedup();
                    w
                })
                .collect();
            let mut word_segs: HashMap<String, Vec<u32>> = HashMap::new();
            for (i, ws) in words.into_iter().enumerate() {
                for w in ws {
                    word_segs.entry(w).or_default().push(i as u32);
                }
            }
            let mut term_place = vec![None; segs.len()];
            let mut gram_id: HashMap<String, u32> = HashMap::new();
            let mut gram_text: Vec<String> = Vec::new();
            let mut gram_term_segs: Vec<u32> = Vec::new();
            let mut term_grams: Vec<Vec<u32>> = Vec::new();
            for (i, s) in segs.iter().enumerate().filter(|(_, s)| s.has_term) {
                term_place[i] = Some(term_grams.len() as u32);
                let chars: Vec<char> = s.source.chars().collect();
                let mut ids: Vec<u32> = Vec::new();
                for a in 0..chars.len() {
                    for n in 2..=4 {
                        let Some(run) = chars.get(a..a + n) else {
                            break;
                        };
                        if !run.iter().all(|&c| {
                            crate::text::is_han(c) && self.term_chars.binary_search(&c).is_err()
                        }) {
                            break;
                        }
                        let g: String = run.iter().collect();
                        let next = gram_text.len() as u32;
                        let id = *gram_id.entry(g.clone()).or_insert_with(|| {
                            gram_text.push(g);
                            gram_term_segs.push(0);
                            next
                        });
                        ids.push(id);
                    }
                }
                ids.sort_unstable();
                ids.dedup();
                for &id in &ids {
                    gram_term_segs[id as usize] += 1;
                }
                term_grams.push(ids);
            }
            let term_total = term_grams.len();
            let char_other = self
                .term_chars
                .iter()
                .map(|&c| {
                    (0..segs.len() as u32)
                        .filter(|&i| {
                            !segs[i as usize].has_term && segs[i as usize].source.contains(c)
                        })
                        .collect()
                })
                .collect();
            PaddingTables {
                word_segs,
                term_place,
                term_total,
                other_total: segs.len() - term_total,
                term_grams,
                gram_text,
                gram_term_segs,
                char_other,
            }
        })
    }

    /// The segments without the term whose source holds `g`.
    pub(super) fn other_with(&self, g: &str) -> Arc<Vec<u32>> {
        if let Some(v) = self.other_with.lock().ok().and_then(|m| m.get(g).cloned()) {
            return v;
        }
        let v: Arc<Vec<u32>> = Arc::new(
            (0..self.segs.len() as u32)
                .into_par_iter()
                .filter(|&i| {
                    let s = &self.segs[i as usize];
                    !s.has_term && s.source.contains(g)
                })
                .collect(),
        );
        if let Ok(mut m) = self.other_with.lock() {
            m.insert(g.to_string(), Arc::clone(&v));
        }
        v
    }

    pub(super) fn compute(&self, word: &str) -> bool {
        let t = self.tables();
        let Some(with_word) = t.word_segs.get(word) else {
            return false;
        };
        let term_and_word: Vec<u32> = with_word
            .iter()
            .filter_map(|&i| t.term_place[i as usize])
            .collect();
        if term_and_word.is_empty() {
            return false;
        }
        let other_and_word = with_word.len() - term_and_word.len();
        // [with the string and the word, with the string, with the word but
        // not the string, without the string] among the segments without the
        // term, given the segments holding the string.
        let other_table = |holding: &[u32]| -> [f64; 4] {
            let a = sorted_overlap(holding, with_word);
            [
                a as f64,
                holding.len() as f64,
                (other_and_word - a) as f64,
                (t.other_total - holding.len()) as f64,
            ]
        };
        // How strongly the word goes with a string among the segments
        // without the term: G² when it goes with it (see [`goes_with`]), 0
        // otherwise.
        let strength = |x: [f64; 4]| {
            if goes_with(x[0], x[1], x[2], x[3]) {
                crate::emerging::log_likelihood(x[0], x[2], x[1], x[3])
            } else {
                0.0
            }
        };
        // A word may render one of the term's own characters ("group" 组,
        // "chain" 链): it pads only if it goes more strongly with the string
        // outside the term ("chinese" with 中国 rather than with 使 of 大使馆).
        // Computed only when a string passes the other tests.
        let own = std::cell::OnceCell::new();
        let own = || {
            *own.get_or_init(|| {
                t.char_other
                    .iter()
                    .map(|holding| strength(other_table(holding)))
                    .fold(0.0f64, f64::max)
            })
        };
        // Chinese strings (2–4 characters, none of the term's) beside the
        // word in at least half of the term's segments where the word is.
        let mut beside: HashMap<u32, usize> = HashMap::new();
        for &place in &term_and_word {
            for &g in &t.term_grams[place as usize] {
                *beside.entry(g).or_default() += 1;
            }
        }
        let needed = (term_and_word.len() as f64 / 2.0).max(2.0);
        let mut strings: Vec<(u32, usize)> = beside
            .into_iter()
            .filter(|&(_, n)| n as f64 >= needed)
            .collect();
        strings.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        strings.iter().any(|&(g, a)| {
            // Among the term's segments first (few): a word the term's
            // segments hold whether or not g is there ("chain" of 价值链,
            // also beside 供应 of "supply chain") is the term's; so is one g
            // never leaves (no evidence either way).
            let n1 = t.gram_term_segs[g as usize] as f64;
            let b = (term_and_word.len() - a) as f64;
            if !goes_with(a as f64, n1, b, t.term_total as f64 - n1) {
                return false;
            }
            let other = other_table(&self.other_with(&t.gram_text[g as usize]));
            goes_with(other[0], other[1], other[2], other[3]) && strength(other) > own()
        })
    }
}

/// The words `longer` adds around `shorter` (a whole-word part of it), stop
/// words aside; none if `shorter` is not such a part.
pub(super) fn added_words<'s>(longer: &'s str, shorter: &str) -> Vec<&'s str> {
    let Some(at) = format!(" {longer} ").find(&format!(" {shorter} ")) else {
        return Vec::new();
    };
    // `at` is the index in " longer " of the space before `shorter`, so the
    // words before it end at `at` in `longer` and those after start past it.
    let before = &longer[..at.saturating_sub(1).min(longer.len())];
    let after = longer.get(at + shorter.len()..).unwrap_or("");
    before
        .split(' ')
        .chain(after.split(' '))
        .filter(|w| !w.is_empty() && !STOP.contains(w))
        .collect()
}

/// How many values two ascending lists share.
pub(super) fn sorted_overlap(a: &[u32], b: &[u32]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn added_words_are_those_around_the_shorter_phrase() {
        assert_eq!(
            added_words("ministry of public security", "public security"),
            ["ministry"]
        );
        assert_eq!(added_words("last weekend", "weekend"), ["last"]);
        assert_eq!(
            added_words("chain and value chain", "value chain"),
            ["chain"]
        );
        assert_eq!(
            added_words("south china sea issue", "south china sea"),
            ["issue"]
        );
        assert!(added_words("zero-sum game", "zero-sum game").is_empty());
        // Not a whole-word part: nothing added.
        assert!(added_words("seas", "sea").is_empty());
    }
}
