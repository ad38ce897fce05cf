//! The period pass of the classes: for each candidate, the frames its
//! occurrences sit in and what stands right before and after them
//! (continuation, preceded by, free ends, an organisation's name).

use super::*;

/// What the period pass gathers for one candidate.
#[derive(Default)]
pub(in crate::analysis::emerging) struct FrameStats {
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
        if next.starts_with(super::super::NUMBER) {
            return Some((A_NUMBER.to_string(), share));
        }
        if next.starts_with(super::super::QUOTE) {
            return Some((A_QUOTATION.to_string(), share));
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
        let numeral = last.word.chars().all(|c| c == super::super::NUMBER);
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
pub(in crate::analysis::emerging) fn frames(
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
                    rest.chars().next().map(String::from).filter(|c| {
                        c != "\n" && !super::super::FUNCTION_WORDS.contains(&c.as_str())
                    })
                } else {
                    // The pattern ends with the space before the next word.
                    let word = rest.split([' ', '\n']).next().unwrap_or("");
                    (!word.is_empty() && !super::super::STOP_WORDS.contains(&word))
                        .then(|| word.to_string())
                };
                let in_name = han && goes_on_into_name(jieba, rest);
                // The character before it: a Han character that is not a
                // function word, or a number (21 of 21世纪).
                let prev = left
                    .chars()
                    .next_back()
                    .filter(|&c| {
                        han && (c == super::super::NUMBER
                            || (crate::text::is_han(c)
                                && !super::super::FUNCTION_WORDS.contains(&c.to_string().as_str())))
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
pub(super) fn ends_freely(rest: &str, han: bool) -> bool {
    if han {
        match rest.chars().next() {
            None | Some('\n') => true,
            Some(c) => super::super::FUNCTION_WORDS.contains(&&*c.encode_utf8(&mut [0; 4])),
        }
    } else {
        // The pattern ends with the space before the next word.
        let word = rest.split([' ', '\n']).next().unwrap_or("");
        word.is_empty() || super::super::STOP_WORDS.contains(&word)
    }
}

pub(super) fn floor_char(t: &str, mut i: usize) -> usize {
    while !t.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::super::tests::signals;
    use super::*;

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
        // A quoted object after it (高质量共建“一带一路”, as han_runs writes
        // it): the string goes on, it does not end what is said.
        let quoted = ["高质量共建\"一带一路\n", "推进高质量共建\"一带一路\n"];
        let texts: Vec<(&str, u32)> = quoted.iter().map(|t| (*t, 0)).collect();
        let stats = frames(&["高质量共建".to_string()], &texts, true, &jieba).expect("frames");
        assert_eq!(stats[0].free_share(), 0.0);
        assert_eq!(
            stats[0].continuation(),
            Some((A_QUOTATION.to_string(), 1.0))
        );
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
