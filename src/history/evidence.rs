//! Evidence behind a first appearance: when the term took off, matches far
//! before that (dates to check), whether the first match quotes an existing
//! formulation, and what the corpus holds just before it.

use std::collections::BTreeMap;

use anyhow::Result;
use serde::Serialize;
use tantivy::DocAddress;

use crate::engine::{Allowed, Engine};

/// The first year from which a term is in common use.
#[derive(Clone, Debug, Serialize)]
pub struct TakeOff {
    /// The year.
    pub year: i32,
    /// Documents with the term that year.
    pub docs: u64,
}

/// Years between an early match and the take-off (or the next match) that
/// make it worth checking.
pub const EARLY_YEARS: i32 = 3;

/// The fewest documents a year (and the next) must have for a take-off: a
/// formulation found in 3 documents is not yet "in common use".
pub const TAKE_OFF_MIN_DOCS: u64 = 5;

/// take-off: the first year Y with docs(Y) ≥ max(5, 10 % of the peak year's
/// docs) and the same in Y+1. `docs_by_year` counts dated matching documents
/// (of the term's language). None: not yet in common use.
pub fn take_off(docs_by_year: &BTreeMap<i32, u64>) -> Option<TakeOff> {
    let peak = docs_by_year.values().copied().max()?;
    let threshold = TAKE_OFF_MIN_DOCS.max(peak.div_ceil(10));
    docs_by_year.iter().find_map(|(&year, &docs)| {
        let next = docs_by_year.get(&(year + 1)).copied().unwrap_or(0);
        (docs >= threshold && next >= threshold).then_some(TakeOff { year, docs })
    })
}

/// Why a match before the take-off is worth checking: the years after it,
/// up to `until` (exclusive), have no match.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EarlyGap {
    /// The match's year.
    pub year: i32,
    /// The next match's year, or the take-off's when that comes first.
    pub until: i32,
    /// True when `until` is the take-off (the match is far before it).
    pub before_take_off: bool,
}

/// Indexes (into `years`, sorted ascending) of candidate early matches with
/// their gap: more than [`EARLY_YEARS`] before the take-off, or (before the
/// take-off, or anywhere when there is none) followed by [`EARLY_YEARS`] or
/// more years without a match. Whether the gap means anything depends on
/// what the corpus holds in it: see `history::trace_of`.
pub fn early(years: &[i32], take_off: Option<i32>) -> Vec<(usize, EarlyGap)> {
    years
        .iter()
        .enumerate()
        .filter_map(|(i, &y)| {
            let before_take_off = take_off.is_none_or(|t| y < t);
            let far_before = take_off.filter(|t| t - y > EARLY_YEARS);
            // The next year with a match (matches of the same year share
            // their gap, whatever order the index lists them in).
            let isolated = years
                .get(years.partition_point(|&x| x <= y))
                .copied()
                .filter(|&next| next - y >= EARLY_YEARS);
            if !before_take_off {
                return None;
            }
            match (isolated, far_before) {
                (Some(next), _) => Some(EarlyGap {
                    year: y,
                    until: next,
                    before_take_off: false,
                }),
                (None, Some(t)) => Some(EarlyGap {
                    year: y,
                    until: t,
                    before_take_off: true,
                }),
                (None, None) => None,
            }
            .map(|g| (i, g))
        })
        .collect()
}

/// Quotation and title marks, opening and closing.
const MARKS: [(char, char); 6] = [
    ('“', '”'),
    ('‘', '’'),
    ('「', '」'),
    ('『', '』'),
    ('《', '》'),
    ('"', '"'),
];

/// True when the match `start..end` of `text` stands inside quotation or
/// title marks opened and closed on its line: the document cites the
/// formulation rather than coining it.
pub fn is_quoted(text: &str, start: usize, end: usize) -> bool {
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
    let (before, after) = (&text[line_start..start], &text[end..line_end]);
    MARKS.iter().any(|&(open, close)| {
        if open == close {
            before.matches(open).count() % 2 == 1 && after.contains(close)
        } else {
            let opened = before.rfind(open);
            let closed = before.rfind(close);
            let open_now = match (opened, closed) {
                (Some(o), Some(c)) => o > c,
                (Some(_), None) => true,
                _ => false,
            };
            open_now
                && match (after.find(close), after.find(open)) {
                    (Some(c), Some(o)) => c < o,
                    (Some(_), None) => true,
                    _ => false,
                }
        }
    })
}

/// A document named as evidence.
#[derive(Clone, Debug, Serialize)]
pub struct DocRef {
    /// The document's id.
    pub id: String,
    /// Its date.
    pub date: String,
    /// Its title.
    pub title: String,
    /// Its collection.
    pub collection: String,
}

/// What the corpus holds in the 12 months before a first appearance.
#[derive(Clone, Debug, Serialize)]
pub struct CoverageBefore {
    /// The language counted (the term's), or none when `--lang` chose.
    pub lang: Option<String>,
    /// The window: from (inclusive) to the first appearance's date (exclusive).
    pub from: String,
    /// The window's end: the first appearance's date (exclusive).
    pub to: String,
    /// Documents dated in the window.
    pub docs: u64,
    /// Those documents per collection.
    pub by_collection: BTreeMap<String, u64>,
    /// The first appearance's collection, and its nearest earlier document
    /// (at any distance): none means the collection starts with it.
    pub collection: String,
    /// The nearest earlier document of the first appearance's collection.
    pub nearest_same_collection: Option<DocRef>,
}

/// The corpus in the 12 months before `first_key` (a date key), under the
/// filter, counting only documents in `lang` when given (the term's language:
/// English transcripts before an English term, not Chinese ones).
pub fn coverage_before(
    engine: &Engine,
    allowed: &Allowed,
    first: DocAddress,
    first_key: u64,
    lang: Option<&str>,
) -> Result<CoverageBefore> {
    let collections = engine.field_values("collection")?;
    let langs = engine.field_values("lang")?;
    let in_lang = |a: DocAddress| lang.is_none_or(|l| langs.get(a) == Some(l));
    let allowed_keeps = |a: DocAddress| allowed.keeps(a) && in_lang(a);
    let name = |a: DocAddress| collections.get(a).unwrap_or("(none)");
    let own = name(first).to_string();
    let from_key = first_key.saturating_sub(10_000).max(1);
    let dated = engine.by_date();
    let before = dated.partition_point(|&(k, _)| k < first_key);
    let window = dated.partition_point(|&(k, _)| k < from_key).min(before);
    let mut counts: BTreeMap<&str, u64> = BTreeMap::new();
    let mut docs = 0;
    for &(_, a) in &dated[window..before] {
        if allowed_keeps(a) && a != first {
            docs += 1;
            *counts.entry(name(a)).or_default() += 1;
        }
    }
    let by_collection: BTreeMap<String, u64> = counts
        .into_iter()
        .map(|(c, n)| (c.to_string(), n))
        .collect();
    // The latest date before, with every document of that date.
    let mut nearest: Option<(u64, Vec<DocAddress>)> = None;
    for &(key, a) in dated[..before].iter().rev() {
        if nearest.as_ref().is_some_and(|(k, _)| key < *k) {
            break;
        }
        if !allowed_keeps(a) || a == first || name(a) != own {
            continue;
        }
        nearest.get_or_insert_with(|| (key, Vec::new())).1.push(a);
    }
    let nearest_same_collection = match nearest {
        Some((key, tied)) => {
            // Of documents of the same date, the first by id: the choice must not
            // depend on how the index is laid out.
            let mut docs = tied
                .into_iter()
                .map(|a| engine.stored(a))
                .collect::<Result<Vec<_>>>()?;
            docs.sort_by(|a, b| a.id.cmp(&b.id));
            let doc = docs.swap_remove(0);
            Some(DocRef {
                id: doc.id,
                date: crate::date::DocDate::from_key(key).to_string(),
                title: doc.title,
                collection: own.clone(),
            })
        }
        None => None,
    };
    let label = |k: u64| crate::date::DocDate::from_key(k).to_string();
    Ok(CoverageBefore {
        lang: lang.map(str::to_string),
        from: label(from_key.max(1)),
        to: label(first_key),
        docs,
        by_collection,
        collection: own,
        nearest_same_collection,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn take_off_needs_two_years_over_the_threshold() {
        let years: BTreeMap<i32, u64> = [
            (2005, 1),
            (2012, 4),
            (2013, 2),
            (2015, 30),
            (2016, 40),
            (2017, 80),
        ]
        .into();
        // peak 80 → threshold 8; 2015 and 2016 both reach it.
        let t = take_off(&years).expect("take-off");
        assert_eq!((t.year, t.docs), (2015, 30));
        // Small counts: the floor of 5 applies.
        let small: BTreeMap<i32, u64> = [(2010, 5), (2011, 4), (2012, 5), (2013, 6)].into();
        assert_eq!(take_off(&small).map(|t| t.year), Some(2012));
        assert!(take_off(&[(2010, 9)].into()).is_none());
        // A peak of 3 documents is not yet common use.
        assert!(take_off(&[(2015, 3), (2016, 3), (2017, 3)].into()).is_none());
    }

    #[test]
    fn early_matches_are_far_before_or_isolated() {
        // take-off 2015: 2005 is far before; 2012 is only 3 years before and
        // 2 years from the next match; 2014 is neither.
        let idx = |v: Vec<(usize, EarlyGap)>| v.into_iter().map(|x| x.0).collect::<Vec<_>>();
        let years = [2005, 2012, 2014, 2015, 2016];
        assert_eq!(idx(early(&years, Some(2015))), vec![0]);
        // 2012, 3 years before the take-off, is isolated from the next match.
        assert_eq!(idx(early(&[2012, 2015, 2016], Some(2015))), vec![0]);
        assert_eq!(idx(early(&[2001, 2010, 2011], None)), vec![0]);
        // Two matches of one year share their gap.
        assert_eq!(idx(early(&[2001, 2001, 2010, 2011], None)), vec![0, 1]);
        assert_eq!(
            early(&[2001, 2010, 2011], None)[0].1,
            EarlyGap {
                year: 2001,
                until: 2010,
                before_take_off: false
            }
        );
    }

    #[test]
    fn quotation_and_title_marks() {
        let q = |text: &str, term: &str| {
            let s = text.find(term).expect("term");
            is_quoted(text, s, s + term.len())
        };
        assert!(q(
            "他说“构建网络空间命运共同体”很重要",
            "网络空间命运共同体"
        ));
        assert!(q("学习《网络安全法》的规定", "网络安全法"));
        assert!(q(
            "the so-called \"cyber sovereignty\" idea",
            "cyber sovereignty"
        ));
        assert!(!q(
            "“第一句”，构建网络空间命运共同体，“第二句”",
            "网络空间命运共同体"
        ));
        assert!(!q("推动构建网络空间命运共同体", "网络空间命运共同体"));
        assert!(!q("“开头\n构建网络空间命运共同体”", "网络空间命运共同体"));
    }
}
