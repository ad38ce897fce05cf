//! Step 4 of `emerging`: the exact figures of the listed candidates, counted
//! the way `tifa timeline` and `tifa trace` count.

use anyhow::Result;

use super::*;

/// The sentence around the first occurrence of `term` in the fields, in
/// the document's own characters (found by the matching rules of `trace`).
pub(super) fn first_sentence(term: &str, fields: &[&str]) -> Option<String> {
    let subject = crate::terms::Subject::Literal(Literal::new(term).ok()?);
    fields.iter().find_map(|field| {
        let &(s, e) = subject.find(field).first()?;
        let (a, b) = crate::matcher::sentence_around(field, s, e, 200);
        Some(field[a..b].trim().to_string())
    })
}

/// Exact figures of the listed candidates from one pass over every loaded document.
pub(super) fn exact_figures(
    engine: &Engine,
    allowed: &crate::engine::Allowed,
    docs: &[Loaded],
    sides: &[Side],
    scored: &[Scored],
) -> Result<Vec<Candidate>> {
    let kinds = engine.field_values("kind")?;
    let collections = engine.field_values("collection")?;
    let mut out: Vec<Candidate> = Vec::new();
    let langs = engine.field_values("lang")?;
    for unit in [Unit::Han, Unit::Word] {
        let evidence_lang = if allowed.lang_filtered() {
            None
        } else {
            Some(match unit {
                Unit::Han => "zh",
                Unit::Word => "en",
            })
        };
        let picked: Vec<usize> = scored
            .iter()
            .enumerate()
            .filter(|(_, s)| {
                matches!(
                    (s.unit, unit),
                    (Unit::Han, Unit::Han) | (Unit::Word, Unit::Word)
                )
            })
            .map(|(i, _)| i)
            .collect();
        if picked.is_empty() {
            continue;
        }
        let patterns: Vec<String> = picked
            .iter()
            .map(|&i| unit.pattern(&scored[i].term))
            .collect();
        let literals: Vec<Literal> = picked
            .iter()
            .map(|&i| Literal::new(&scored[i].term).map_err(anyhow::Error::msg))
            .collect::<Result<_>>()?;
        let ac = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(&patterns)
            .context("cannot prepare the candidates for counting")?;
        // Per document: (candidate, occurrences) for those it contains.
        let found: Vec<Vec<(usize, u64)>> = docs
            .par_iter()
            .map(|d| -> Result<Vec<(usize, u64)>> {
                let mut present: Vec<usize> = ac
                    .find_overlapping_iter(unit.text(d))
                    .map(|m| m.pattern().as_usize())
                    .collect();
                present.sort_unstable();
                present.dedup();
                if present.is_empty() {
                    return Ok(Vec::new());
                }
                match unit {
                    // Han runs hold every match of an all-Han term.
                    Unit::Han => Ok(present
                        .into_iter()
                        .map(|p| {
                            (
                                p,
                                d.han.matches(scored[picked[p]].term.as_str()).count() as u64,
                            )
                        })
                        .collect()),
                    // English terms are counted by the matcher on the full text.
                    Unit::Word => {
                        let doc = engine.stored(d.address)?;
                        let (title, body) = (text::nfkc(&doc.title), text::nfkc(&doc.text));
                        let (title, body) = (Prepared::new(&title), Prepared::new(&body));
                        Ok(present
                            .into_iter()
                            .map(|p| {
                                let n = literals[p].find_prepared(&title).len()
                                    + literals[p].find_prepared(&body).len();
                                (p, n as u64)
                            })
                            .filter(|(_, n)| *n > 0)
                            .collect())
                    }
                }
            })
            .collect::<Result<_>>()?;
        // Denominators of the two sides.
        let mut units_in = [0u64; 2];
        for (d, side) in docs.iter().zip(sides) {
            let i = match side {
                Side::Period => 0,
                Side::Reference => 1,
                Side::Other => continue,
            };
            let cols = engine.columns(d.address.segment_ord);
            units_in[i] += match unit {
                Unit::Han => cols.han.first(d.address.doc_id).unwrap_or(0),
                Unit::Word => cols.en_words.first(d.address.doc_id).unwrap_or(0),
            };
        }
        let per_million = |occ: u64, units: u64| {
            if units == 0 {
                0.0
            } else {
                occ as f64 * 1e6 / units as f64
            }
        };
        for (p, &i) in picked.iter().enumerate() {
            let s = &scored[i];
            let mut c = Candidate {
                term: s.term.clone(),
                class: s.class,
                signals: s.signals.clone(),
                docs: 0,
                occurrences: 0,
                ref_docs: 0,
                ref_occurrences: 0,
                per_million: 0.0,
                ref_per_million: 0.0,
                expected_ref_docs: s.expected_ref_docs,
                score: s.score,
                held_score: s.held_score,
                spread_score: s.spread_score,
                log_ratio: s.log_ratio,
                new: s.new,
                held: s.held,
                extensions: Vec::new(),
                first: None,
                take_off: None,
                kinds: BTreeMap::new(),
                collections: BTreeMap::new(),
                by_year: BTreeMap::new(),
            };
            let mut years: BTreeMap<i32, u64> = BTreeMap::new();
            let mut years_in_lang: BTreeMap<i32, u64> = BTreeMap::new();
            let mut matched: Vec<&Loaded> = Vec::new();
            for ((d, side), hits) in docs.iter().zip(sides).zip(&found) {
                let Some(&(_, n)) = hits.iter().find(|(q, _)| *q == p) else {
                    continue;
                };
                // Documents are in (date, id) order, as in `trace`.
                matched.push(d);
                *years.entry((d.key / 10_000) as i32).or_default() += 1;
                // The take-off counts documents of the term's language, as trace's.
                if evidence_lang.is_none_or(|l| langs.get(d.address).is_none_or(|v| v == l)) {
                    *years_in_lang.entry((d.key / 10_000) as i32).or_default() += 1;
                }
                match side {
                    Side::Period => {
                        c.docs += 1;
                        c.occurrences += n;
                        let kind = kinds.get(d.address).unwrap_or(crate::history::NO_VALUE);
                        *c.kinds.entry(kind.to_string()).or_default() += 1;
                        let coll = collections
                            .get(d.address)
                            .unwrap_or(crate::history::NO_VALUE);
                        *c.collections.entry(coll.to_string()).or_default() += 1;
                    }
                    Side::Reference => {
                        c.ref_docs += 1;
                        c.ref_occurrences += n;
                    }
                    Side::Other => {}
                }
            }
            c.per_million = per_million(c.occurrences, units_in[0]);
            c.ref_per_million = per_million(c.ref_occurrences, units_in[1]);
            c.take_off = evidence::take_off(&years_in_lang);
            c.by_year = years.iter().map(|(y, n)| (format!("{y:04}"), *n)).collect();
            // The first appearance by trace's rule: a match dated only to a
            // year with a more precise match that year is not first.
            let keys: Vec<u64> = matched.iter().map(|d| d.key).collect();
            let first = matched
                .iter()
                .find(|d| !crate::history::superseded(&keys, d.key));
            if let Some(d) = first {
                let doc = engine.stored(d.address)?;
                let sentence = first_sentence(&c.term, &[&doc.title, &doc.text]);
                c.first = Some(First {
                    date: doc.date.unwrap_or_default(),
                    id: doc.id,
                    title: doc.title,
                    sentence,
                });
            }
            out.push(c);
        }
    }
    // The order of `scored`.
    let position: FxHashMap<&str, usize> = scored
        .iter()
        .enumerate()
        .map(|(i, s)| (s.term.as_str(), i))
        .collect();
    out.sort_by_key(|c| position.get(c.term.as_str()).copied().unwrap_or(usize::MAX));
    Ok(out)
}
