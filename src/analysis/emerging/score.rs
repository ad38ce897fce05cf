//! Step 3 of `emerging`: keyness. Each unit's candidates are counted in
//! every group of documents at once (the reference per collection, the
//! following years, authoritative kinds, the reference per kind), scored
//! against the reference standardised to the period's mix of collections,
//! and measured in their frames for the classes.

use anyhow::Result;

use super::*;

/// The years right after the period, for "did the rise hold?".
pub(super) struct Following {
    pub(super) span: YearSpan,
    /// Whether the corpus has any year after the period.
    pub(super) has: bool,
    /// Following years that the reference holds already (--against
    /// all-other or a later span) cannot be added to the period's side.
    in_reference: bool,
}

impl Following {
    pub(super) fn of(docs: &[Loaded], options: &EmergingOptions) -> Following {
        let period = options.period;
        let last_year = docs.last().map_or(0, |d| (d.key / 10_000) as u16);
        let span = YearSpan {
            from: period.to.saturating_add(1),
            to: period.to.saturating_add(FOLLOWING_YEARS).min(last_year),
        };
        let has = span.from <= span.to;
        let in_reference = has
            && (span.from..=span.to).any(|y| match options.against {
                Reference::Before => false,
                Reference::AllOther => true,
                Reference::Span(r) => r.contains(y),
            });
        Following {
            span,
            has,
            in_reference,
        }
    }

    pub(super) fn contains(&self, d: &Loaded) -> bool {
        self.has && self.span.contains((d.key / 10_000) as u16)
    }

    pub(super) fn is_next_year(&self, d: &Loaded) -> bool {
        self.has && (d.key / 10_000) as u16 == self.span.from
    }
}

/// The collection and kind of every loaded document, as numbers.
pub(super) struct Layout {
    /// Per document: its collection's number (for the standardised reference share).
    collection_of: Vec<usize>,
    collections: usize,
    /// Per document: its kind's number.
    kind_of: Vec<usize>,
    /// Per kind: whether it is authoritative, whether it is legislation.
    authoritative_kind: Vec<bool>,
    legal_kind: Vec<bool>,
}

impl Layout {
    pub(super) fn of(engine: &Engine, docs: &[Loaded]) -> Result<Layout> {
        let collection_values = engine.field_values("collection")?;
        let mut collection_names: Vec<String> = Vec::new();
        let collection_of: Vec<usize> = docs
            .iter()
            .map(|d| {
                let name = collection_values.get(d.address).unwrap_or("");
                match collection_names.iter().position(|n| n == name) {
                    Some(i) => i,
                    None => {
                        collection_names.push(name.to_string());
                        collection_names.len() - 1
                    }
                }
            })
            .collect();
        let kinds = engine.field_values("kind")?;
        let mut kind_numbers: Vec<&str> = docs
            .iter()
            .map(|d| kinds.get(d.address).unwrap_or(""))
            .collect();
        kind_numbers.sort_unstable();
        kind_numbers.dedup();
        let kind_of: Vec<usize> = docs
            .iter()
            .map(|d| {
                let kind = kinds.get(d.address).unwrap_or("");
                kind_numbers.iter().position(|k| *k == kind).unwrap_or(0)
            })
            .collect();
        Ok(Layout {
            collection_of,
            collections: collection_names.len(),
            kind_of,
            authoritative_kind: kind_numbers
                .iter()
                .map(|k| classify::AUTHORITATIVE_KINDS.contains(k))
                .collect(),
            legal_kind: kind_numbers
                .iter()
                .map(|k| classify::LEGAL_KINDS.contains(k))
                .collect(),
        })
    }

    pub(super) fn kinds(&self) -> usize {
        self.authoritative_kind.len()
    }
}

/// Everything a unit's candidates are scored against.
pub(super) struct Corpus<'a> {
    pub(super) docs: &'a [Loaded],
    pub(super) sides: &'a [Side],
    pub(super) layout: &'a Layout,
    pub(super) following: &'a Following,
    pub(super) options: &'a EmergingOptions,
    pub(super) jieba: &'a jieba_rs::Jieba,
}

/// Documents with text of one unit: per collection in the period and the
/// reference, in the following years and the next year alone, of
/// authoritative kinds.
pub(super) struct Denominators {
    n1_by: Vec<f64>,
    n2_by: Vec<f64>,
    n1: f64,
    n2: f64,
    following: f64,
    next_year: f64,
    authoritative: u64,
}

/// The groups each document counts in, for one scan per document: the
/// reference's collections, the following years, authoritative kinds (any
/// year), every dated document, the next year, then the reference's kinds.
pub(super) struct Groups {
    following: usize,
    authoritative: usize,
    all: usize,
    next_year: usize,
    kind: usize,
    total: usize,
}

impl Groups {
    pub(super) fn new(layout: &Layout) -> Groups {
        let c = layout.collections;
        Groups {
            following: c,
            authoritative: c + 1,
            all: c + 2,
            next_year: c + 3,
            kind: c + 4,
            total: c + 4 + layout.kinds(),
        }
    }
}

/// The texts of one unit with the groups each counts in, and the per-kind
/// document counts of the two sides.
pub(super) struct Grouped<'a> {
    texts: Vec<(&'a str, Vec<usize>)>,
    n1_kind: Vec<f64>,
    n2_kind: Vec<f64>,
    /// Legislation must be the lesser part of the corpus for a string's
    /// confinement to it to say anything.
    legal_corpus_is_minor: bool,
    /// The corpus share of authoritative texts, against which each
    /// candidate's share is set.
    authoritative_base: Option<f64>,
}

impl<'a> Corpus<'a> {
    /// The qualified candidates of one unit, scored, with the signals of their use.
    pub(super) fn score(&self, unit: Unit) -> Result<Vec<Scored>> {
        let n = self.denominators(unit);
        let found = closed_candidates(
            &self.period_texts(unit),
            unit,
            self.options.min_docs,
            self.options.min_dates,
            self.jieba,
        );
        if found.is_empty() || n.n1 == 0.0 {
            return Ok(Vec::new());
        }
        let groups = Groups::new(self.layout);
        let grouped = self.grouped(unit, &groups, &n);
        let patterns: Vec<String> = found.iter().map(|c| unit.pattern(&c.term)).collect();
        let counts = document_frequencies(&patterns, &grouped.texts, groups.total)?;
        let (mut scored, ref_by_kind) = self.qualify(unit, found, &counts, &groups, &n, &grouped);
        self.measure_frames(unit, &mut scored, &ref_by_kind, &grouped)?;
        Ok(scored)
    }

    pub(super) fn denominators(&self, unit: Unit) -> Denominators {
        let collections = self.layout.collections;
        let mut n1_by = vec![0f64; collections];
        let mut n2_by = vec![0f64; collections];
        let (mut following, mut next_year) = (0f64, 0f64);
        for ((d, side), &c) in self
            .docs
            .iter()
            .zip(self.sides)
            .zip(&self.layout.collection_of)
        {
            if unit.text(d).is_empty() {
                continue;
            }
            match side {
                Side::Period => n1_by[c] += 1.0,
                Side::Reference => n2_by[c] += 1.0,
                Side::Other => {}
            }
            if self.following.contains(d) {
                following += 1.0;
                if self.following.is_next_year(d) {
                    next_year += 1.0;
                }
            }
        }
        let authoritative = self
            .docs
            .iter()
            .zip(&self.layout.kind_of)
            .filter(|(d, k)| !unit.text(d).is_empty() && self.layout.authoritative_kind[**k])
            .count() as u64;
        Denominators {
            n1: n1_by.iter().sum(),
            n2: n2_by.iter().sum(),
            n1_by,
            n2_by,
            following,
            next_year,
            authoritative,
        }
    }

    /// The period's texts of the unit in date order, with their day.
    pub(super) fn period_texts(&self, unit: Unit) -> Vec<(&'a str, u64)> {
        self.docs
            .iter()
            .zip(self.sides)
            .filter(|(_, s)| **s == Side::Period)
            .enumerate()
            // A year- or month-only date cannot show that two documents are
            // from one day: each such document counts as a date of its own.
            .map(|(i, (d, _))| {
                let day = if d.key % 100 == 0 {
                    u64::MAX - i as u64
                } else {
                    d.key
                };
                (unit.text(d), day)
            })
            .collect()
    }

    pub(super) fn grouped(&self, unit: Unit, groups: &Groups, n: &Denominators) -> Grouped<'a> {
        let layout = self.layout;
        let mut n1_kind = vec![0f64; layout.kinds()];
        let mut n2_kind = vec![0f64; layout.kinds()];
        let mut texts: Vec<(&str, Vec<usize>)> = Vec::new();
        let mut all_docs = 0u64;
        let mut legal_docs = 0u64;
        for (((d, side), &c), &k) in self
            .docs
            .iter()
            .zip(self.sides)
            .zip(&layout.collection_of)
            .zip(&layout.kind_of)
        {
            if unit.text(d).is_empty() {
                continue;
            }
            all_docs += 1;
            legal_docs += u64::from(layout.legal_kind[k]);
            let mut in_groups = vec![groups.all];
            match side {
                Side::Period => n1_kind[k] += 1.0,
                Side::Reference => {
                    n2_kind[k] += 1.0;
                    in_groups.extend([c, groups.kind + k]);
                }
                Side::Other => {}
            }
            if self.following.contains(d) {
                in_groups.push(groups.following);
                if self.following.is_next_year(d) {
                    in_groups.push(groups.next_year);
                }
            }
            if layout.authoritative_kind[k] {
                in_groups.push(groups.authoritative);
            }
            texts.push((unit.text(d), in_groups));
        }
        Grouped {
            texts,
            n1_kind,
            n2_kind,
            legal_corpus_is_minor: 2 * legal_docs < all_docs,
            authoritative_base: (n.authoritative >= classify::AUTHORITATIVE_CORPUS_MIN)
                .then(|| n.authoritative as f64 / all_docs.max(1) as f64),
        }
    }

    /// The candidates whose rise reaches the log-ratio floor, with their
    /// scores, and each one's reference documents per kind.
    pub(super) fn qualify(
        &self,
        unit: Unit,
        found: Vec<Closed>,
        counts: &[u32],
        groups: &Groups,
        n: &Denominators,
        grouped: &Grouped,
    ) -> (Vec<Scored>, Vec<Vec<u32>>) {
        let collections = self.layout.collections;
        let (n1, n2) = (n.n1, n.n2);
        let mut scored = Vec::new();
        let mut ref_by_kind: Vec<Vec<u32>> = Vec::new();
        for (p, found) in found.into_iter().enumerate() {
            let Closed {
                term,
                docs: docs_in_period,
                bound_preposition,
            } = found;
            let by = &counts[p * groups.total..(p + 1) * groups.total];
            let b: u32 = by[..collections].iter().sum();
            // Standardised reference share: each collection's share in the
            // reference, weighted by that collection's part of the period
            // (the pooled reference share for a collection it lacks).
            let pooled = if n2 > 0.0 { f64::from(b) / n2 } else { 0.0 };
            let share_ref: f64 = (0..collections)
                .map(|c| {
                    let within = if n.n2_by[c] > 0.0 {
                        f64::from(by[c]) / n.n2_by[c]
                    } else {
                        pooled
                    };
                    n.n1_by[c] / n1 * within
                })
                .sum();
            let expected = share_ref * n2;
            let a = f64::from(docs_in_period);
            let lr = log_ratio(a, expected, n1, n2);
            if lr < self.options.min_log_ratio {
                continue;
            }
            let following_docs = f64::from(by[groups.following]);
            let next_year = if n.next_year > 0.0 {
                f64::from(by[groups.next_year]) / n.next_year
            } else {
                0.0
            };
            let held = (n.following > 0.0)
                .then(|| (following_docs / n.following).max(next_year) / (a / n1));
            let score = log_likelihood(a, expected, n1, n2);
            let held_score = if n.following > 0.0 && !self.following.in_reference {
                let (a2, n12) = (a + following_docs, n1 + n.following);
                if a2 / n12 > expected / n2 {
                    log_likelihood(a2, expected, n12, n2)
                } else {
                    0.0
                }
            } else {
                score
            };
            let authoritative_rate = grouped.authoritative_base.map(|base| {
                f64::from(by[groups.authoritative]) / f64::from(by[groups.all].max(1)) / base
            });
            ref_by_kind.push(by[groups.kind..].to_vec());
            scored.push(Scored {
                unit,
                term,
                expected_ref_docs: expected,
                score,
                held_score,
                log_ratio: lr,
                new: b == 0,
                held,
                spread_score: 0.0,
                class: Class::Formulation,
                signals: Signals {
                    rise_docs: a - share_ref * n1,
                    authoritative_docs: (n.authoritative >= classify::AUTHORITATIVE_CORPUS_MIN)
                        .then_some(by[groups.authoritative]),
                    authoritative_rate,
                    bound_preposition,
                    ..Signals::default()
                },
            });
        }
        (scored, ref_by_kind)
    }

    /// The signals read from the frames of the candidates in the period, and
    /// the keyness per kind of text (`spread`).
    pub(super) fn measure_frames(
        &self,
        unit: Unit,
        scored: &mut [Scored],
        ref_by_kind: &[Vec<u32>],
        grouped: &Grouped,
    ) -> Result<()> {
        let patterns: Vec<String> = scored.iter().map(|s| unit.pattern(&s.term)).collect();
        if patterns.is_empty() {
            return Ok(());
        }
        let legal_kind = &self.layout.legal_kind;
        let texts: Vec<(&str, u32)> = self
            .docs
            .iter()
            .zip(self.sides)
            .zip(&self.layout.kind_of)
            .filter(|((_, s), _)| **s == Side::Period)
            .map(|((d, _), &k)| (unit.text(d), k as u32))
            .collect();
        let stats = classify::frames(&patterns, &texts, matches!(unit, Unit::Han), self.jieba)?;
        for ((s, f), by_kind) in scored.iter_mut().zip(stats).zip(ref_by_kind) {
            s.signals.frame_share = f.share();
            s.signals.kinds_in_period = f.kinds.len() as u32;
            s.signals.top_frame = f.top_frame();
            s.signals.organisation_share = f.organisation_share();
            s.signals.free_share = f.free_share();
            s.signals.legal_share = grouped
                .legal_corpus_is_minor
                .then(|| f.share_of_kinds(legal_kind));
            if let Some((next, share)) = f.continuation() {
                s.signals.continuation = Some(next);
                s.signals.continuation_share = share;
            }
            if let Some((before, share)) = f.preceded_by(self.jieba) {
                s.signals.preceded_by = Some(before);
                s.signals.preceded_share = share;
            }
            // Keyness per kind of text, summed over the kinds it rose in.
            s.spread_score = f
                .kinds
                .iter()
                .map(|&(k, a)| {
                    let (a, b) = (f64::from(a), f64::from(by_kind[k as usize]));
                    let (n1, n2) = (grouped.n1_kind[k as usize], grouped.n2_kind[k as usize]);
                    if n1 > 0.0 && n2 > 0.0 && a / n1 > b / n2 {
                        log_likelihood(a, b, n1, n2)
                    } else {
                        0.0
                    }
                })
                .sum();
        }
        Ok(())
    }
}
