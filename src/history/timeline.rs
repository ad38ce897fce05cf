//! `tifa timeline`: a term's use per year or month — documents and
//! occurrences, against the period's documents and words.

use super::*;

/// The bucket of a timeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Period {
    /// One bucket per year.
    Year,
    /// One bucket per month.
    Month,
}

impl Period {
    /// `year` or `month`.
    pub fn name(self) -> &'static str {
        match self {
            Period::Year => "year",
            Period::Month => "month",
        }
    }
}

/// What `tifa timeline` asks.
#[derive(Clone, Debug)]
pub struct TimelineOptions {
    /// The documents counted.
    pub filter: crate::engine::Filter,
    /// Per year or per month.
    pub by: Period,
    /// Follow each family by each of its variants.
    pub expand_families: bool,
}

/// The timeline of one term or family: `{"term", "by_year"|"by_month": {…}}`.
#[derive(Clone, Debug)]
pub struct Timeline {
    /// The term (or `@family`) as given.
    pub term: String,
    /// Per year or per month.
    pub by: Period,
    /// What occurrences are counted in (characters or words).
    pub units: crate::terms::Units,
    /// The figures per period.
    pub buckets: BTreeMap<String, Bucket>,
    /// Which periods the line's collections cover, and the notes a reader needs.
    pub coverage: series::SeriesCoverage,
    /// For a family: a member that dates it far earlier than the others.
    pub warnings: Vec<String>,
}

impl Serialize for Timeline {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(4))?;
        map.serialize_entry("term", &self.term)?;
        let key = match self.by {
            Period::Year => "by_year",
            Period::Month => "by_month",
        };
        map.serialize_entry(key, &self.buckets)?;
        map.serialize_entry("coverage", &self.coverage)?;
        if !self.warnings.is_empty() {
            map.serialize_entry("warnings", &self.warnings)?;
        }
        map.end()
    }
}

/// The timelines of the subjects, a family followed by each of its variants
/// when asked (so that the moment one rendering replaces another is visible).
pub fn timelines(
    engine: &Engine,
    subjects: &[Subject],
    options: &TimelineOptions,
) -> Result<Vec<Timeline>> {
    let allowed = engine.allowed(&options.filter)?;
    // The same for every term of this filter: made once per opened index.
    let key = format!("{:?} {:?}", options.filter, options.by);
    let denominators = engine.memo(format!("denominators {key}"), || {
        Ok(Denominators::new(engine, &allowed, options.by))
    })?;
    let mut expanded: Vec<Subject> = Vec::new();
    for s in subjects {
        expanded.push(s.clone());
        match (options.expand_families, s) {
            (true, Subject::Family(f)) => {
                expanded.extend(f.variants.iter().cloned().map(Subject::Literal));
            }
            (true, Subject::Literal(l)) if l.is_pattern() => {
                let matches = terms::evaluate(engine, s, &allowed)?;
                let (strings, _) = terms::pattern_variants(engine, l, &matches)?;
                expanded.extend(strings.into_iter().map(Subject::Literal));
            }
            _ => {}
        }
    }
    let holdings = engine.memo(format!("holdings {key}"), || {
        series::Holdings::new(engine, &allowed, options.by)
    })?;
    expanded
        .iter()
        .map(|subject| {
            let matches = terms::evaluate(engine, subject, &allowed)?;
            let buckets = timeline_of(
                engine,
                subject,
                &matches,
                &denominators,
                &options.filter.dates,
            );
            let coverage = holdings.of(
                engine,
                series::evidence_lang(subject, &allowed),
                &matches,
                &buckets,
            )?;
            let warnings = match subject {
                Subject::Family(f) => family_warnings(engine, f, &allowed)?,
                Subject::Literal(_) => Vec::new(),
            };
            Ok(Timeline {
                term: subject.label(),
                by: options.by,
                units: subject.units(),
                buckets,
                coverage,
                warnings,
            })
        })
        .collect()
}

/// A family's warnings: a member whose first dated match is years before
/// every other member's (see [`series::generic_member_warning`]).
pub fn family_warnings(
    engine: &Engine,
    family: &terms::Family,
    allowed: &Allowed,
) -> Result<Vec<String>> {
    let mut firsts = Vec::new();
    for v in &family.variants {
        let matches = engine.evaluate(v, allowed)?;
        let first = matches
            .iter()
            .filter_map(|m| {
                let key = engine.date_key(m.address);
                (key != 0).then_some(key)
            })
            .min();
        if let Some(key) = first {
            firsts.push((v.raw.clone(), (key / 10_000) as i32));
        }
    }
    Ok(
        series::generic_member_warning(&format!("@{}", family.name), &firsts)
            .into_iter()
            .collect(),
    )
}

/// Timelines as CSV: term,period,docs,occurrences,per_million,share,coverage (the CLI's
/// `--csv` and the server's export).
pub fn write_timelines_csv<W: std::io::Write>(out: W, timelines: &[Timeline]) -> Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "term",
        "period",
        "docs",
        "occurrences",
        "per_million",
        "share",
        "coverage",
    ])?;
    for t in timelines {
        for (period, b) in &t.buckets {
            w.write_record([
                crate::output::csv_term_cell(&t.term),
                period.clone(),
                b.docs.to_string(),
                b.occurrences.to_string(),
                format!("{:.3}", b.per_million),
                format!("{:.5}", b.share),
                crate::output::csv_cell(&t.coverage.mark(period)),
            ])?;
        }
    }
    w.flush()?;
    Ok(())
}

#[derive(Clone, Copy, Debug, Default, Serialize)]
/// The figures of one period.
pub struct Bucket {
    /// Documents with the term.
    pub docs: u64,
    /// Occurrences of the term.
    pub occurrences: u64,
    /// Occurrences per million characters (or words) of the period.
    pub per_million: f64,
    /// Share of the period's documents with the term.
    pub share: f64,
}

/// Per-period denominators after filters: documents, Han characters, English words.
pub struct Denominators {
    by: Period,
    totals: BTreeMap<String, (u64, u64, u64)>,
}

pub(crate) fn period_label(key: u64, by: Period) -> String {
    if key == 0 {
        return "unknown".into();
    }
    let d = DocDate::from_key(key);
    match by {
        Period::Year => format!("{:04}", d.year),
        Period::Month => d.month_label(),
    }
}

impl Denominators {
    /// The period's documents, characters and words under the filter.
    pub fn new(engine: &Engine, allowed: &Allowed, by: Period) -> Denominators {
        let mut totals: BTreeMap<String, (u64, u64, u64)> = BTreeMap::new();
        for a in engine.all_addresses() {
            if !allowed.keeps(a) {
                continue;
            }
            let cols = engine.columns(a.segment_ord);
            let key = cols.date_key.first(a.doc_id).unwrap_or(0);
            let t = totals.entry(period_label(key, by)).or_default();
            t.0 += 1;
            t.1 += cols.han.first(a.doc_id).unwrap_or(0);
            t.2 += cols.en_words.first(a.doc_id).unwrap_or(0);
        }
        Denominators { by, totals }
    }

    /// Documents, Han characters and English words of a period (zeros for
    /// a period without documents).
    pub fn totals(&self, period: &str) -> (u64, u64, u64) {
        self.totals.get(period).copied().unwrap_or_default()
    }
}

/// Per-period figures of a term, from its first to its last period with a
/// match (or over `range`), empty periods as zeros, undated as "unknown".
pub fn timeline(
    engine: &Engine,
    subject: &Subject,
    allowed: &Allowed,
    denominators: &Denominators,
    range: &DateRange,
) -> Result<BTreeMap<String, Bucket>> {
    let matches = terms::evaluate(engine, subject, allowed)?;
    Ok(timeline_of(engine, subject, &matches, denominators, range))
}

/// [`timeline`] over matches already evaluated.
pub fn timeline_of(
    engine: &Engine,
    subject: &Subject,
    matches: &[Match],
    denominators: &Denominators,
    range: &DateRange,
) -> BTreeMap<String, Bucket> {
    let by = denominators.by;
    let mut buckets: BTreeMap<String, Bucket> = BTreeMap::new();
    for m in matches {
        let key = engine.date_key(m.address);
        let b = buckets.entry(period_label(key, by)).or_default();
        b.docs += 1;
        b.occurrences += u64::from(m.occurrences);
    }
    let dated: Vec<&String> = buckets.keys().filter(|k| *k != "unknown").collect();
    let first_year = range
        .from
        .map(|d| d.year)
        .or_else(|| dated.first().and_then(|k| k[..4].parse().ok()));
    let last_year = range
        .to
        .map(|d| d.year)
        .or_else(|| dated.last().and_then(|k| k[..4].parse().ok()));
    if let (Some(y0), Some(y1)) = (first_year, last_year) {
        let year_label = |d: DocDate| format!("{:04}", d.year);
        let first_label = match range.from {
            Some(d) if by == Period::Month => d.month_label(),
            Some(d) => year_label(d),
            None => dated
                .first()
                .map_or_else(|| format!("{y0:04}"), |k| k.to_string()),
        };
        let last_label = match range.to {
            Some(d) if by == Period::Month && d.month > 0 => d.month_label(),
            Some(d) if by == Period::Month => format!("{:04}-12", d.year),
            Some(d) => year_label(d),
            None => dated
                .last()
                .map_or_else(|| format!("{y1:04}"), |k| k.to_string()),
        };
        for y in y0..=y1 {
            let mut labels = vec![format!("{y:04}")];
            if by == Period::Month {
                labels.extend((1..=12).map(|m| format!("{y:04}-{m:02}")));
            }
            for label in labels {
                let year_only = label.len() == 4;
                let in_span = label.as_str() >= first_label.as_str()
                    && label.as_str() <= last_label.as_str()
                    || (year_only
                        && by == Period::Month
                        && label[..4] >= first_label[..4]
                        && label[..4] <= last_label[..4]);
                // With --by month, a year key appears only if the year has year-only documents.
                let wanted = in_span
                    && (!year_only
                        || by == Period::Year
                        || denominators.totals.contains_key(&label));
                if wanted {
                    buckets.entry(label).or_default();
                }
            }
        }
    }
    let unit = subject.units();
    for (label, b) in buckets.iter_mut() {
        let (docs, han, words) = denominators.totals.get(label).copied().unwrap_or_default();
        let units = match unit {
            Units::Han => han,
            Units::Words => words,
            Units::HanAndWords => han + words,
        };
        b.per_million = if units > 0 {
            b.occurrences as f64 * 1e6 / units as f64
        } else {
            0.0
        };
        b.share = if docs > 0 {
            b.docs as f64 / docs as f64
        } else {
            0.0
        };
    }
    buckets
}
