//! `tifa trace`: a term's first appearances, with the evidence of each
//! (the sentence, the citation, the aligned translation) and the groups
//! a field splits them into.

use super::*;

/// Where to cite a document from: the collection (file) it came from, its
/// web address and its source, when the corpus gives them.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Citation {
    #[serde(skip_serializing_if = "Option::is_none")]
    /// The collection (corpus file) it came from.
    pub collection: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// Its web address.
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// Its source.
    pub source: Option<String>,
}

impl Citation {
    /// From a document's metadata.
    pub fn of(meta: &BTreeMap<String, String>) -> Citation {
        Citation {
            collection: meta.get("collection").cloned(),
            url: meta.get("url").cloned(),
            source: meta.get("source").cloned(),
        }
    }
}

/// A document in a trace.
#[derive(Clone, Debug, Serialize)]
pub struct Appearance {
    /// The document's id.
    pub id: String,
    /// Its date as written.
    pub date: String,
    /// Its title.
    pub title: String,
    /// Its language.
    pub lang: String,
    /// Its kind.
    pub kind: String,
    #[serde(flatten)]
    /// Where to cite it from.
    pub cite: Citation,
    /// Occurrences of the term in it.
    pub occurrences: u32,
    /// The sentence containing the first match.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
    /// True when the date gives only the year or the month.
    pub approximate: bool,
    /// For a first appearance: whether the match stands inside quotation or
    /// title marks (the document cites the formulation rather than coins it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quoted: Option<bool>,
    /// For a first appearance: matches dated only to a year or month whose
    /// period holds this (more precisely dated) one — possibly earlier, but
    /// their date cannot say (the first 20, earliest first).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub possibly_earlier: Vec<Appearance>,
    /// How many such matches there are (more than listed when over 20).
    #[serde(skip_serializing_if = "is_zero")]
    pub possibly_earlier_total: usize,
    /// For an early match: why it is worth checking.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// With `pair`: the paragraph of the document's translation aligned with
    /// the sentence of the first match (see [`crate::align`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pair: Option<String>,
    /// For a document whose text was read by OCR: the mean word confidence
    /// (percent) Tesseract gave. An exact search can miss what the scan holds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ocr_confidence: Option<String>,
}

impl Appearance {
    /// "text from OCR, confidence 87 %" for a document read by OCR.
    pub fn ocr_note(&self) -> Option<String> {
        self.ocr_confidence
            .as_ref()
            .map(|c| crate::extract::ocr::note(c))
    }
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// Early matches listed in a trace.
pub const EARLY_SHOWN: usize = 20;

/// Less precisely dated matches listed as possibly earlier than a first appearance.
pub const POSSIBLY_EARLIER_SHOWN: usize = 20;

#[derive(Debug, Serialize)]
/// The first appearance within one group.
pub struct GroupFirst {
    /// Documents of the group with the term.
    pub docs: usize,
    /// Occurrences in the group.
    pub occurrences: u64,
    /// The group's first appearance.
    pub first: Option<Appearance>,
}

#[derive(Debug, Serialize)]
/// The answer of `tifa trace` for one term.
pub struct Trace {
    /// The term (or `@family`) as given.
    pub term: String,
    /// Documents with the term.
    pub docs: usize,
    /// Occurrences of the term.
    pub occurrences: u64,
    /// The first appearance (earliest dated document).
    pub first: Option<Appearance>,
    /// The first appearance per language.
    pub first_by_lang: BTreeMap<String, Appearance>,
    /// The first appearance per kind.
    pub first_by_kind: BTreeMap<String, Appearance>,
    /// The earliest documents, in date order.
    pub earliest: Vec<Appearance>,
    /// The latest dated document.
    pub last: Option<Appearance>,
    /// The first year of common use (see [`evidence::take_off`]).
    pub take_off: Option<evidence::TakeOff>,
    /// Dated matches far before the take-off or isolated by years without a
    /// match: check their dates and sources (the first 20).
    pub early: Vec<Appearance>,
    /// How many such matches there are.
    pub early_total: usize,
    /// For a family: a member that dates it far earlier than the others.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// A Chinese term the corpus mostly prints with punctuation inside
    /// (“四个全面”战略布局 for 四个全面战略布局): that form's documents.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub punctuated: Option<crate::search::PunctuatedForm>,
    /// The language whose documents the take-off, early matches and coverage
    /// count (the term's); none when `--lang` chose or the family mixes both.
    pub evidence_lang: Option<String>,
    /// What the corpus holds in the 12 months before the first appearance.
    pub coverage_before: Option<evidence::CoverageBefore>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// The first appearance per value of `--group-by`.
    pub groups: Option<BTreeMap<String, GroupFirst>>,
    /// For a family: each variant's own trace, side by side; for a pattern,
    /// each distinct string it matched (the most frequent first).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub variants: Vec<Trace>,
    /// For a pattern with more distinct strings than shown: how many.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variants_total: Option<usize>,
}

/// The group of the documents that lack a `--group-by` field.
pub const NO_VALUE: &str = "(none)";

/// A dated match with what orders it.
#[derive(Clone, Copy)]
struct Dated {
    key: u64,
    m: Match,
}

/// The first appearances of one term in the filtered corpus.
pub fn trace(
    engine: &Engine,
    subject: &Subject,
    allowed: &Allowed,
    first_n: usize,
    group_by: Option<&str>,
) -> Result<Trace> {
    let matches = terms::evaluate(engine, subject, allowed)?;
    trace_of(engine, subject, &matches, allowed, first_n, group_by)
}

/// [`trace`] over matches already evaluated.
pub fn trace_of(
    engine: &Engine,
    subject: &Subject,
    matches: &[Match],
    allowed: &Allowed,
    first_n: usize,
    group_by: Option<&str>,
) -> Result<Trace> {
    if let Some(field) = group_by {
        engine.check_field(field, "--group-by")?;
    }
    let occurrences = matches.iter().map(|m| u64::from(m.occurrences)).sum();
    let mut dated: Vec<Dated> = matches
        .iter()
        .filter_map(|m| {
            let key = engine.date_key(m.address);
            (key != 0).then_some(Dated { key, m: *m })
        })
        .collect();
    dated.sort_by_key(|d| d.key);
    let mut ids: HashMap<DocAddress, String> = HashMap::new();
    let earliest_docs = ordered_prefix(engine, &dated, first_n.max(1), &mut ids)?;
    let (first_doc, possibly_earlier) = first_precise(engine, &dated, &mut ids)?;
    let first = match &first_doc {
        Some(d) => Some(first_appearance(
            engine,
            subject,
            d,
            &possibly_earlier,
            &mut ids,
        )?),
        None => None,
    };
    // Evidence (take-off, early matches, coverage before) counts documents of
    // the term's language unless --lang chose: English transcripts say
    // nothing about when an English rendering appeared.
    let evidence_lang = series::evidence_lang(subject, allowed);
    let langs = engine.field_values("lang")?;
    let in_lang = |a: DocAddress| evidence_lang.is_none_or(|l| langs.get(a).is_none_or(|v| v == l));
    let evidence_dated: Vec<Dated> = dated
        .iter()
        .filter(|d| in_lang(d.m.address))
        .copied()
        .collect();
    let years: Vec<i32> = evidence_dated
        .iter()
        .map(|d| (d.key / 10_000) as i32)
        .collect();
    let mut docs_by_year: BTreeMap<i32, u64> = BTreeMap::new();
    for &y in &years {
        *docs_by_year.entry(y).or_default() += 1;
    }
    let take_off = evidence::take_off(&docs_by_year);
    let early_found = early_matches(
        engine,
        allowed,
        &evidence_dated,
        &years,
        take_off.as_ref().map(|t| t.year),
        &in_lang,
    )?;
    let notes: HashMap<DocAddress, String> = early_found
        .iter()
        .map(|(d, n)| (d.m.address, n.clone()))
        .collect();
    let early_dated: Vec<Dated> = early_found.iter().map(|(d, _)| *d).collect();
    // Same-date matches in id order, as everywhere in a trace.
    let early = ordered_prefix(engine, &early_dated, EARLY_SHOWN, &mut ids)?
        .iter()
        .map(|d| {
            let mut a = appearance(engine, subject, d, false)?;
            a.note = notes.get(&d.m.address).cloned();
            Ok(a)
        })
        .collect::<Result<Vec<_>>>()?;
    let coverage_before = match &first_doc {
        Some(d) => Some(evidence::coverage_before(
            engine,
            allowed,
            d.m.address,
            d.key,
            evidence_lang,
        )?),
        None => None,
    };
    let earliest = earliest_docs
        .iter()
        .map(|d| appearance(engine, subject, d, false))
        .collect::<Result<Vec<_>>>()?;
    let last = last_appearance(engine, subject, &dated, &mut ids)?;
    let only_first = |m: BTreeMap<String, GroupFirst>| {
        m.into_iter()
            .filter_map(|(k, g)| g.first.map(|a| (k, a)))
            .collect::<BTreeMap<_, _>>()
    };
    let firsts_by = |field: &str, ids: &mut HashMap<DocAddress, String>| {
        firsts_by(engine, subject, matches, &dated, field, ids)
    };
    let first_by_lang = only_first(firsts_by("lang", &mut ids)?);
    let first_by_kind = only_first(firsts_by("kind", &mut ids)?);
    let groups = match group_by {
        Some(field) => Some(firsts_by(field, &mut ids)?),
        None => None,
    };
    let (variants, variants_total) =
        variant_traces(engine, subject, matches, allowed, first_n, group_by)?;
    Ok(Trace {
        variants_total,
        term: subject.label(),
        docs: matches.len(),
        occurrences,
        first,
        first_by_lang,
        first_by_kind,
        earliest,
        last,
        take_off,
        early,
        early_total: early_dated.len(),
        warnings: match subject {
            Subject::Family(f) => family_warnings(engine, f, allowed)?,
            Subject::Literal(_) => Vec::new(),
        },
        // Filled in by `traces` (what a person asks for); a report's or a
        // pattern's many traces skip the extra loose evaluation.
        punctuated: None,
        evidence_lang: evidence_lang.map(str::to_string),
        coverage_before,
        groups,
        variants,
    })
}

/// The first appearance with the matches dated less precisely that may be
/// earlier (a year-only date in the year of the first).
fn first_appearance(
    engine: &Engine,
    subject: &Subject,
    first: &Dated,
    possibly_earlier: &[Dated],
    ids: &mut HashMap<DocAddress, String>,
) -> Result<Appearance> {
    let mut a = appearance(engine, subject, first, true)?;
    a.possibly_earlier_total = possibly_earlier.len();
    a.possibly_earlier = ordered_prefix(engine, possibly_earlier, POSSIBLY_EARLIER_SHOWN, ids)?
        .iter()
        .map(|x| appearance(engine, subject, x, false))
        .collect::<Result<_>>()?;
    Ok(a)
}

/// The trace of each of a family's variants, or of each distinct string a
/// pattern matched, with the number of such strings when not all are traced.
fn variant_traces(
    engine: &Engine,
    subject: &Subject,
    matches: &[Match],
    allowed: &Allowed,
    first_n: usize,
    group_by: Option<&str>,
) -> Result<(Vec<Trace>, Option<usize>)> {
    let pattern_strings = match subject {
        Subject::Literal(l) if l.is_pattern() => terms::pattern_variants(engine, l, matches)?,
        _ => (Vec::new(), 0),
    };
    // A family's variants, or the distinct strings a pattern matched.
    let variant_literals: &[crate::matcher::Literal] = match subject {
        Subject::Family(f) => &f.variants,
        Subject::Literal(_) => &pattern_strings.0,
    };
    let variants = variant_literals
        .iter()
        .map(|v| {
            trace(
                engine,
                &Subject::Literal(v.clone()),
                allowed,
                first_n,
                group_by,
            )
        })
        .collect::<Result<Vec<_>>>()?;
    let total = (pattern_strings.1 > variants.len()).then_some(pattern_strings.1);
    Ok((variants, total))
}

/// The matches before a gap in the term's use that its collection does not
/// explain (the collection has documents in the gap), each with a note that
/// says so: early matches worth a look (a wrong date, a first use that did
/// not catch on).
fn early_matches(
    engine: &Engine,
    allowed: &Allowed,
    evidence_dated: &[Dated],
    years: &[i32],
    take_off: Option<i32>,
    in_lang: &dyn Fn(DocAddress) -> bool,
) -> Result<Vec<(Dated, String)>> {
    // A gap after a match means something only when the match's collection
    // has documents in it (a volume of speeches that ends, news that starts
    // later, explain a gap as well as a wrong date would).
    let collections = engine.field_values("collection")?;
    let by_date = engine.by_date();
    let mut early_found: Vec<(Dated, String)> = Vec::new();
    for (i, gap) in evidence::early(years, take_off) {
        let d = evidence_dated[i];
        let own = collections.get(d.m.address);
        let (lo, hi) = (
            u64::try_from(gap.year + 1).unwrap_or(0) * 10_000,
            u64::try_from(gap.until).unwrap_or(0) * 10_000,
        );
        let start = by_date.partition_point(|&(k, _)| k < lo);
        let end = by_date.partition_point(|&(k, _)| k < hi);
        let between = by_date[start..end.max(start)]
            .iter()
            .filter(|&&(_, a)| allowed.keeps(a) && in_lang(a) && collections.get(a) == own)
            .count();
        if between == 0 {
            continue;
        }
        let years_between = if gap.until - gap.year == 2 {
            format!("{}", gap.year + 1)
        } else {
            format!("{}–{}", gap.year + 1, gap.until - 1)
        };
        let note = format!(
            "no match in {years_between}{} although its collection {} has {between} document{} then",
            if gap.before_take_off {
                format!(" (the take-off is {})", gap.until)
            } else {
                String::new()
            },
            own.unwrap_or("(none)"),
            if between == 1 { "" } else { "s" }
        );
        early_found.push((d, note));
    }
    Ok(early_found)
}

/// The latest dated match (the last in id order among those of its date).
fn last_appearance(
    engine: &Engine,
    subject: &Subject,
    dated: &[Dated],
    ids: &mut HashMap<DocAddress, String>,
) -> Result<Option<Appearance>> {
    let Some(max) = dated.last() else {
        return Ok(None);
    };
    let mut tied: Vec<Dated> = dated.iter().filter(|d| d.key == max.key).copied().collect();
    resolve_ids(engine, &tied, ids)?;
    tied.sort_by(|a, b| ids[&a.m.address].cmp(&ids[&b.m.address]));
    tied.last()
        .map(|d| appearance(engine, subject, d, false))
        .transpose()
}

/// Documents, occurrences and the first appearance per value of `field`;
/// documents without the field form their own group, so nothing is left out.
fn firsts_by(
    engine: &Engine,
    subject: &Subject,
    matches: &[Match],
    dated: &[Dated],
    field: &str,
    ids: &mut HashMap<DocAddress, String>,
) -> Result<BTreeMap<String, GroupFirst>> {
    let values = engine.field_values(field)?;
    let mut groups: BTreeMap<String, Vec<Dated>> = BTreeMap::new();
    let mut totals: BTreeMap<String, (usize, u64)> = BTreeMap::new();
    let value_of = |a: DocAddress| values.get(a).unwrap_or(NO_VALUE).to_string();
    for m in matches {
        let t = totals.entry(value_of(m.address)).or_default();
        t.0 += 1;
        t.1 += u64::from(m.occurrences);
    }
    for d in dated {
        groups.entry(value_of(d.m.address)).or_default().push(*d);
    }
    let mut out = BTreeMap::new();
    for (value, (docs, occ)) in totals {
        let first = match groups.get(&value) {
            Some(g) => first_precise(engine, g, ids)?
                .0
                .map(|d| appearance(engine, subject, &d, false))
                .transpose()?,
            None => None,
        };
        out.insert(
            value,
            GroupFirst {
                docs,
                occurrences: occ,
                first,
            },
        );
    }
    Ok(out)
}

/// True when a match dated `key` is dated only to a year (month) and
/// `sorted_keys` (ascending) hold a more precisely dated match in that year
/// (month): it cannot be the first appearance, only "possibly earlier".
pub fn superseded(sorted_keys: &[u64], key: u64) -> bool {
    let date = DocDate::from_key(key);
    if !date.is_approximate() {
        return false;
    }
    let (lo, hi) = (date.period_start(), date.period_end());
    let finer = |k: u64| {
        if date.month == 0 {
            !k.is_multiple_of(10_000)
        } else {
            !k.is_multiple_of(100)
        }
    };
    let from = sorted_keys.partition_point(|&k| k < lo);
    sorted_keys[from..]
        .iter()
        .take_while(|&&k| k <= hi)
        .any(|&k| finer(k))
}

/// The first appearance among `sorted` (ascending key): the earliest match
/// unless a match dated only to a year or month has a more precisely dated
/// match inside its period — such a match is "possibly earlier" (a document
/// dated only "2012" may be from December) and never silently first. A
/// year-only match with no finer match in its year stays first (approximate).
/// Returns the first and the possibly earlier matches (key ≤ the first's).
fn first_precise(
    engine: &Engine,
    sorted: &[Dated],
    ids: &mut HashMap<DocAddress, String>,
) -> Result<(Option<Dated>, Vec<Dated>)> {
    let mut sorted = sorted.to_vec();
    sorted.sort_by_key(|d| d.key);
    let keys: Vec<u64> = sorted.iter().map(|d| d.key).collect();
    let mut earlier = Vec::new();
    let mut rest = Vec::new();
    for d in &sorted {
        if superseded(&keys, d.key) {
            earlier.push(*d);
        } else {
            rest.push(*d);
        }
    }
    let first = ordered_prefix(engine, &rest, 1, ids)?.into_iter().next();
    if let Some(f) = &first {
        earlier.retain(|d| d.key <= f.key);
    }
    Ok((first, earlier))
}

/// The first `n` of `sorted` (ascending key) in full (key, id) order: ids are
/// read only for documents that tie with the n-th key.
fn ordered_prefix(
    engine: &Engine,
    sorted: &[Dated],
    n: usize,
    ids: &mut HashMap<DocAddress, String>,
) -> Result<Vec<Dated>> {
    if sorted.is_empty() {
        return Ok(Vec::new());
    }
    let mut sorted = sorted.to_vec();
    sorted.sort_by_key(|d| d.key);
    let threshold = sorted[(n - 1).min(sorted.len() - 1)].key;
    let mut head: Vec<Dated> = sorted
        .into_iter()
        .take_while(|d| d.key <= threshold)
        .collect();
    resolve_ids(engine, &head, ids)?;
    head.sort_by(|a, b| {
        a.key
            .cmp(&b.key)
            .then_with(|| ids[&a.m.address].cmp(&ids[&b.m.address]))
    });
    head.truncate(n);
    Ok(head)
}

fn resolve_ids(
    engine: &Engine,
    docs: &[Dated],
    ids: &mut HashMap<DocAddress, String>,
) -> Result<()> {
    for d in docs {
        if let std::collections::hash_map::Entry::Vacant(e) = ids.entry(d.m.address) {
            e.insert(engine.stored_id(d.m.address)?);
        }
    }
    Ok(())
}

fn appearance(
    engine: &Engine,
    subject: &Subject,
    d: &Dated,
    with_context: bool,
) -> Result<Appearance> {
    let date = DocDate::from_key(d.key);
    let (doc, context, quoted) = if with_context {
        let doc = engine.stored(d.m.address)?;
        let (context, quoted) = [&doc.title, &doc.text]
            .into_iter()
            .find_map(|field| {
                subject.find(field).first().map(|&(s, e)| {
                    let (a, b) = sentence_around(field, s, e, 200);
                    (
                        Some(field[a..b].trim().to_string()),
                        Some(evidence::is_quoted(field, s, e)),
                    )
                })
            })
            .unwrap_or((None, None));
        (doc.into(), context, quoted)
    } else {
        // Listed by title only: the text is not read.
        (engine.stored_head(d.m.address)?, None, None)
    };
    let cite = |field: &str| -> Result<Option<String>> {
        Ok(engine
            .field_values(field)?
            .get(d.m.address)
            .map(str::to_string))
    };
    Ok(Appearance {
        id: doc.id,
        date: date.to_string(),
        title: doc.title,
        lang: doc.lang,
        kind: doc.kind,
        cite: Citation {
            collection: cite("collection")?,
            url: cite("url")?,
            source: cite("source")?,
        },
        occurrences: d.m.occurrences,
        context,
        approximate: date.is_approximate(),
        quoted,
        possibly_earlier: Vec::new(),
        possibly_earlier_total: 0,
        note: None,
        pair: None,
        ocr_confidence: cite("ocr_confidence")?,
    })
}

/// What `tifa trace` asks.
#[derive(Clone, Debug, Default)]
pub struct TraceOptions {
    /// The documents looked at.
    pub filter: crate::engine::Filter,
    /// How many earliest documents to list.
    pub first: usize,
    /// Also the first appearance per value of this metadata field.
    pub group_by: Option<String>,
    /// Show the first appearance's aligned paragraph of its pair (translation).
    pub pair: bool,
}

/// The trace of each subject, in order (one library call for `tifa trace`).
pub fn traces(engine: &Engine, subjects: &[Subject], options: &TraceOptions) -> Result<Vec<Trace>> {
    let allowed = engine.allowed(&options.filter)?;
    subjects
        .iter()
        .map(|s| {
            let mut t = trace(
                engine,
                s,
                &allowed,
                options.first,
                options.group_by.as_deref(),
            )?;
            // A Chinese term the corpus mostly prints with punctuation inside.
            if let Subject::Literal(l) = s
                && t.docs < crate::search::PUNCTUATED_HINT_BELOW
            {
                t.punctuated = crate::search::punctuated_form(engine, l, &allowed, t.docs)?;
            }
            if options.pair {
                for t in std::iter::once(&mut t) {
                    if let Some(first) = t.first.as_mut() {
                        first.pair = aligned_paragraph(engine, first)?;
                    }
                }
            }
            Ok(t)
        })
        .collect()
}

/// The paragraph of `a`'s pair aligned with the sentence of its match.
fn aligned_paragraph(engine: &Engine, a: &Appearance) -> Result<Option<String>> {
    let Some(context) = a.context.as_deref() else {
        return Ok(None);
    };
    let Some(address) = engine.address_of(&a.id)? else {
        return Ok(None);
    };
    if !engine.stored(address)?.meta.contains_key("pair") {
        return Ok(None);
    }
    let aligned = crate::align::pair(engine, &a.id)?;
    Ok(aligned.segments.into_iter().find_map(|seg| {
        let (same, other) = if a.lang == "en" {
            (seg.en, seg.zh)
        } else {
            (seg.zh, seg.en)
        };
        same.contains(context.trim()).then_some(other)
    }))
}
