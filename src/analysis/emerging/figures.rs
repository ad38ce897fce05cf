//! Step 4 of `emerging`: the exact figures of the listed candidates, counted
//! the way `tifa timeline` and `tifa trace` count.

use std::sync::Arc;

use anyhow::Result;

use crate::engine::FieldValues;

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
    let values = Values {
        kinds: engine.field_values("kind")?,
        collections: engine.field_values("collection")?,
        langs: engine.field_values("lang")?,
    };
    let mut out: Vec<Candidate> = Vec::new();
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
        let found = occurrences(engine, unit, docs, scored, &picked)?;
        let units_in = units_of_sides(engine, unit, docs, sides);
        let per_million = |occ: u64, units: u64| {
            if units == 0 {
                0.0
            } else {
                occ as f64 * 1e6 / units as f64
            }
        };
        for (p, &i) in picked.iter().enumerate() {
            let mut c = Candidate::of(&scored[i]);
            let tally = tally(&mut c, p, docs, sides, &found, &values, evidence_lang);
            c.per_million = per_million(c.occurrences, units_in[0]);
            c.ref_per_million = per_million(c.ref_occurrences, units_in[1]);
            c.take_off = evidence::take_off(&tally.years_in_lang);
            c.by_year = tally
                .years
                .iter()
                .map(|(y, n)| (format!("{y:04}"), *n))
                .collect();
            c.first = first_appearance(engine, &c.term, &tally.matched)?;
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

/// The metadata the figures are broken down by.
struct Values {
    kinds: Arc<FieldValues>,
    collections: Arc<FieldValues>,
    langs: Arc<FieldValues>,
}

/// Per document: (candidate, occurrences) for the picked candidates it
/// contains, counted as `tifa timeline` counts.
fn occurrences(
    engine: &Engine,
    unit: Unit,
    docs: &[Loaded],
    scored: &[Scored],
    picked: &[usize],
) -> Result<Vec<Vec<(usize, u64)>>> {
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
    docs.par_iter()
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
        .collect()
}

/// Characters (or words) of the period's and the reference's documents.
fn units_of_sides(engine: &Engine, unit: Unit, docs: &[Loaded], sides: &[Side]) -> [u64; 2] {
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
    units_in
}

impl Candidate {
    /// A listed candidate with its scores and class, before its figures.
    fn of(s: &Scored) -> Candidate {
        Candidate {
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
        }
    }
}

/// What counting one candidate over every document gathers besides its
/// figures: documents per year (all, and of its language) and the documents
/// with it in (date, id) order.
struct Tally<'a> {
    years: BTreeMap<i32, u64>,
    years_in_lang: BTreeMap<i32, u64>,
    matched: Vec<&'a Loaded>,
}

/// Counts candidate `p` over every document into `c` (documents and
/// occurrences of each side, kinds and collections of the period).
fn tally<'a>(
    c: &mut Candidate,
    p: usize,
    docs: &'a [Loaded],
    sides: &[Side],
    found: &[Vec<(usize, u64)>],
    values: &Values,
    evidence_lang: Option<&str>,
) -> Tally<'a> {
    let mut years: BTreeMap<i32, u64> = BTreeMap::new();
    let mut years_in_lang: BTreeMap<i32, u64> = BTreeMap::new();
    let mut matched: Vec<&Loaded> = Vec::new();
    for ((d, side), hits) in docs.iter().zip(sides).zip(found) {
        let Some(&(_, n)) = hits.iter().find(|(q, _)| *q == p) else {
            continue;
        };
        // Documents are in (date, id) order, as in `trace`.
        matched.push(d);
        *years.entry((d.key / 10_000) as i32).or_default() += 1;
        // The take-off counts documents of the term's language, as trace's.
        if evidence_lang.is_none_or(|l| values.langs.get(d.address).is_none_or(|v| v == l)) {
            *years_in_lang.entry((d.key / 10_000) as i32).or_default() += 1;
        }
        match side {
            Side::Period => {
                c.docs += 1;
                c.occurrences += n;
                let kind = values
                    .kinds
                    .get(d.address)
                    .unwrap_or(crate::history::NO_VALUE);
                *c.kinds.entry(kind.to_string()).or_default() += 1;
                let coll = values
                    .collections
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
    Tally {
        years,
        years_in_lang,
        matched,
    }
}

/// The first appearance by trace's rule (a match dated only to a year with a
/// more precise match that year is not first), with its sentence.
fn first_appearance(engine: &Engine, term: &str, matched: &[&Loaded]) -> Result<Option<First>> {
    let keys: Vec<u64> = matched.iter().map(|d| d.key).collect();
    let Some(d) = matched
        .iter()
        .find(|d| !crate::history::superseded(&keys, d.key))
    else {
        return Ok(None);
    };
    let doc = engine.stored(d.address)?;
    let sentence = first_sentence(term, &[&doc.title, &doc.text]);
    Ok(Some(First {
        date: doc.date.unwrap_or_default(),
        id: doc.id,
        title: doc.title,
        sentence,
    }))
}
