//! What a timeline's corpus covers: a line that falls to zero because its
//! collections end (English transcripts stop in 2020) is not a line whose use
//! stopped, and a last year with data to June is not a full year.

use std::collections::{BTreeMap, HashMap};

use anyhow::Result;
use serde::Serialize;

use super::{Period, period_label};
use crate::date::DocDate;
use crate::engine::{Allowed, Engine, Match};
use crate::terms::{Subject, Units};

/// A collection holding at least this share of a term's dated documents is
/// one of the collections its line depends on.
pub const MAIN_COLLECTION_SHARE: f64 = 0.10;

/// The coverage of one timeline.
#[derive(Clone, Debug, Default, Serialize)]
pub struct SeriesCoverage {
    /// The language counted (the term's), none when `--lang` chose or mixed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    /// The collections holding ≥ 10 % of the term's dated documents.
    pub collections: Vec<String>,
    /// Periods where some of those collections have no document (of the
    /// language): the value there is not comparable with the others.
    pub uncovered: BTreeMap<String, Vec<String>>,
    /// The last period when the corpus ends inside it: (period, last date).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partial: Option<(String, String)>,
    /// Sentences a reader needs: where the collections start and end.
    pub notes: Vec<String>,
}

impl SeriesCoverage {
    /// True when every collection of the line has documents in the period
    /// and the period is not cut short by the end of the corpus.
    pub fn is_covered(&self, period: &str) -> bool {
        !self.uncovered.contains_key(period)
            && self.partial.as_ref().is_none_or(|(p, _)| p != period)
    }

    /// A short mark for tables: "" for a covered period.
    pub fn mark(&self, period: &str) -> String {
        let mut parts = Vec::new();
        if let Some(missing) = self.uncovered.get(period) {
            parts.push(format!(
                "not covered: no {}documents in {}",
                self.lang
                    .as_deref()
                    .map_or(String::new(), |l| format!("{l} ")),
                missing.join(", ")
            ));
        }
        if let Some((p, to)) = &self.partial
            && p == period
        {
            parts.push(format!("partial: documents to {to}"));
        }
        parts.join("; ")
    }
}

/// The language whose documents say something about a subject, unless the
/// filter chose the languages.
pub fn evidence_lang(subject: &Subject, allowed: &Allowed) -> Option<&'static str> {
    if allowed.lang_filtered() {
        return None;
    }
    match subject.units() {
        Units::Han => Some("zh"),
        Units::Words => Some("en"),
        Units::HanAndWords => None,
    }
}

/// Documents per collection and period (of one language), made once per
/// call of `timelines` or `report`.
pub struct Holdings {
    by: Period,
    /// (language or "", collection) → period → documents.
    counts: HashMap<(String, String), BTreeMap<String, u64>>,
    /// language or "" → (first, last) date key of its dated documents.
    spans: HashMap<(String, String), (u64, u64)>,
    last_key: HashMap<String, u64>,
}

impl Holdings {
    /// Documents, characters and words of each period the filter keeps.
    pub fn new(engine: &Engine, allowed: &Allowed, by: Period) -> Result<Holdings> {
        let collections = engine.field_values("collection")?;
        let langs = engine.field_values("lang")?;
        let mut counts: HashMap<(String, String), BTreeMap<String, u64>> = HashMap::new();
        let mut spans: HashMap<(String, String), (u64, u64)> = HashMap::new();
        let mut last_key: HashMap<String, u64> = HashMap::new();
        for &(key, a) in engine.by_date() {
            if !allowed.keeps(a) {
                continue;
            }
            let collection = collections.get(a).unwrap_or("(none)").to_string();
            let lang = langs.get(a).unwrap_or("").to_string();
            let label = period_label(key, by);
            for l in [lang.clone(), String::new()] {
                *counts
                    .entry((l.clone(), collection.clone()))
                    .or_default()
                    .entry(label.clone())
                    .or_default() += 1;
                let span = spans
                    .entry((l.clone(), collection.clone()))
                    .or_insert((key, key));
                span.0 = span.0.min(key);
                span.1 = span.1.max(key);
                let last = last_key.entry(l).or_insert(key);
                *last = (*last).max(key);
            }
        }
        Ok(Holdings {
            by,
            counts,
            spans,
            last_key,
        })
    }

    /// The coverage of a line with these `buckets`, made of `matches`.
    pub fn of(
        &self,
        engine: &Engine,
        lang: Option<&str>,
        matches: &[Match],
        buckets: &BTreeMap<String, super::Bucket>,
    ) -> Result<SeriesCoverage> {
        let collections = engine.field_values("collection")?;
        let langs = engine.field_values("lang")?;
        let lang_key = lang.unwrap_or("").to_string();
        let mut per_collection: BTreeMap<String, u64> = BTreeMap::new();
        let mut dated = 0u64;
        for m in matches {
            let key = engine.date_key(m.address);
            if key == 0 || lang.is_some_and(|l| langs.get(m.address) != Some(l)) {
                continue;
            }
            dated += 1;
            *per_collection
                .entry(collections.get(m.address).unwrap_or("(none)").to_string())
                .or_default() += 1;
        }
        let main: Vec<String> = per_collection
            .iter()
            .filter(|(_, n)| **n as f64 >= MAIN_COLLECTION_SHARE * dated as f64)
            .map(|(c, _)| c.clone())
            .collect();
        let periods: Vec<&String> = buckets.keys().filter(|k| *k != "unknown").collect();
        let mut uncovered: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for p in &periods {
            // A year-only key in a monthly timeline holds year-only documents.
            if self.by == Period::Month && p.len() == 4 {
                continue;
            }
            let missing: Vec<String> = main
                .iter()
                .filter(|c| {
                    self.counts
                        .get(&(lang_key.clone(), (*c).clone()))
                        .and_then(|m| m.get(*p))
                        .copied()
                        .unwrap_or(0)
                        == 0
                })
                .cloned()
                .collect();
            if !missing.is_empty() {
                uncovered.insert((*p).clone(), missing);
            }
        }
        // The last period is partial when the corpus ends well inside it: a
        // year whose last document is from before December, a month whose
        // last document is from before its 21st. A last document dated only
        // to a year cannot say where the year ends.
        let partial = self.last_key.get(&lang_key).and_then(|&key| {
            let date = DocDate::from_key(key);
            let label = period_label(key, self.by);
            let short = match self.by {
                Period::Year => date.month != 0 && date.month < 12,
                Period::Month => date.day != 0 && date.day <= 20,
            };
            (periods.last().is_some_and(|l| **l == label) && short)
                .then(|| (label, date.to_string()))
        });
        let (first_period, last_period) = (periods.first(), periods.last());
        let mut notes = Vec::new();
        let what = lang.map_or(String::new(), |l| format!("{l} "));
        for c in &main {
            let Some(&(lo, hi)) = self.spans.get(&(lang_key.clone(), c.clone())) else {
                continue;
            };
            let (lo_label, hi_label) = (period_label(lo, self.by), period_label(hi, self.by));
            let starts_late = first_period.is_some_and(|f| **f < lo_label);
            let ends_early = last_period.is_some_and(|l| **l > hi_label);
            if starts_late || ends_early {
                notes.push(format!(
                    "{c} has {what}documents only from {} to {}: {} of this term's documents are there, so the line {}",
                    DocDate::from_key(lo),
                    DocDate::from_key(hi),
                    per_collection.get(c).copied().unwrap_or(0),
                    match (starts_late, ends_early) {
                        (true, true) => "before and after says nothing about use",
                        (true, false) => "before says nothing about use",
                        _ => "after says nothing about use",
                    }
                ));
            }
        }
        if let Some((p, to)) = &partial {
            notes.push(format!(
                "{p} is partial: the corpus's {what}documents end on {to}"
            ));
        }
        Ok(SeriesCoverage {
            lang: lang.map(str::to_string),
            collections: main,
            uncovered,
            partial,
            notes,
        })
    }
}

/// For a family: a member whose first use is far earlier than every other
/// member's (a generic rendering like "positive energy" dating a family to a
/// 1997 UN speech) — the warning a reader needs before trusting the family's
/// first year. `firsts` are (member, first year) of members with a dated match.
pub fn generic_member_warning(family: &str, firsts: &[(String, i32)]) -> Option<String> {
    let mut years: Vec<(i32, &str)> = firsts.iter().map(|(m, y)| (*y, m.as_str())).collect();
    years.sort();
    let (&(y0, member), &(y1, _)) = (years.first()?, years.get(1)?);
    (y1 - y0 >= GENERIC_MEMBER_YEARS).then(|| {
        format!(
            "{member} dates {family} to {y0}, {} years before any other member ({y1}): if it is a generic phrase, not the formulation, leave it out of the family",
            y1 - y0
        )
    })
}

/// How many years earlier than every other member a member must start to be
/// named by [`generic_member_warning`].
pub const GENERIC_MEMBER_YEARS: i32 = 5;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_member_far_earlier_than_the_others_is_named() {
        let w = generic_member_warning(
            "@positive-energy",
            &[
                ("正能量".into(), 2011),
                ("positive energy".into(), 1997),
                ("正能量传播".into(), 2013),
            ],
        )
        .expect("warning");
        assert!(w.starts_with("positive energy dates @positive-energy to 1997, 14 years"));
        assert!(generic_member_warning("@x", &[("a".into(), 2010), ("b".into(), 2012)]).is_none());
        assert!(generic_member_warning("@x", &[("a".into(), 2010)]).is_none());
    }
}
