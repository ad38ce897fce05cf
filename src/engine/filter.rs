//! The filters every command shares (--lang, --kind, --collection, --where,
//! dates), the documents they allow, giving up a long evaluation, and the
//! metadata fields and their values (`tifa fields`, the checks that name
//! the valid values).

use super::*;

/// Filters shared by every command.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// `--lang`: any of these languages.
    pub langs: Vec<String>,
    /// `--kind`: any of these kinds.
    pub kinds: Vec<String>,
    /// Corpus files (see `tifa coverage`); any of them.
    pub collections: Vec<String>,
    /// `FIELD=VALUE` pairs: any value of one field, and every field, must hold.
    pub wheres: Vec<(String, String)>,
    /// `FIELD=VALUE` pairs that exclude a document.
    pub where_nots: Vec<(String, String)>,
    /// `--from`/`--to`: documents whose period overlaps these dates.
    pub dates: DateRange,
}

impl Filter {
    /// A filter from the user's words: languages and kinds (any of), dates
    /// (`YYYY`, `YYYY-MM` or `YYYY-MM-DD`) and `FIELD=VALUE` pairs (all of).
    pub fn parse(
        langs: &[String],
        kinds: &[String],
        collections: &[String],
        from: Option<&str>,
        to: Option<&str>,
        wheres: &[String],
        where_nots: &[String],
    ) -> Result<Filter> {
        use crate::date::DocDate;
        use crate::error::UserError;
        let date = |s: Option<&str>, flag: &str| -> Result<Option<DocDate>> {
            s.map(|d| {
                DocDate::parse(d.trim())
                    .map_err(|e| UserError::BadDate(format!("{flag}: {e}")).into())
            })
            .transpose()
        };
        let dates = DateRange {
            from: date(from, "--from")?,
            to: date(to, "--to")?,
        };
        if let (Some(f), Some(t)) = (dates.from, dates.to)
            && f.period_start() > t.period_end()
        {
            return Err(UserError::BadDate(format!("--from {f} is after --to {t}")).into());
        }
        let pairs = |list: &[String], flag: &str| -> Result<Vec<(String, String)>> {
            list.iter()
                .map(|w| match w.split_once('=') {
                    Some((k, v)) if !k.trim().is_empty() => {
                        Ok((k.trim().to_string(), v.to_string()))
                    }
                    _ => Err(UserError::BadFilter(format!(
                        "{flag} {w:?}: expected FIELD=VALUE, e.g. {flag} country=PAK"
                    ))
                    .into()),
                })
                .collect()
        };
        Ok(Filter {
            langs: langs.to_vec(),
            kinds: kinds.to_vec(),
            collections: collections.to_vec(),
            wheres: pairs(wheres, "--where")?,
            where_nots: pairs(where_nots, "--where-not")?,
            dates,
        })
    }
}

/// A field's values with their numbers of documents, most frequent first.
pub type ValueCounts = Arc<Vec<(String, u64)>>;

/// One metadata field, for `tifa fields`.
#[derive(Clone, Debug, serde::Serialize)]
pub struct FieldSummary {
    /// The field's name.
    pub field: String,
    /// Documents that have the field.
    pub docs: u64,
    /// Distinct values.
    pub distinct: usize,
    /// The most frequent values with their numbers of documents.
    pub top: Vec<(String, u64)>,
}

/// Per segment: which documents the filter keeps (`None`: all); whether
/// the filter names languages (evidence then follows the filter, not the
/// term's language); and the flag that says the work was given up.
pub struct Allowed(Vec<Option<Vec<bool>>>, bool, Option<Arc<AtomicBool>>);

/// Work that was given up (the web server's time budget ran out, or its
/// client went away): the loops that read documents stop at the next one.
#[derive(Debug, thiserror::Error)]
#[error("the work was given up before it finished")]
pub struct Cancelled;

thread_local! {
    static CANCEL: std::cell::RefCell<Option<Arc<AtomicBool>>> =
        const { std::cell::RefCell::new(None) };
}

/// Runs `f` so that the evaluations it starts on this thread stop (with
/// [`Cancelled`]) once `flag` is set: every [`Allowed`] made inside carries it.
pub fn cancellable<T>(flag: Arc<AtomicBool>, f: impl FnOnce() -> T) -> T {
    CANCEL.with(|c| *c.borrow_mut() = Some(flag));
    let out = f();
    CANCEL.with(|c| *c.borrow_mut() = None);
    out
}

impl Allowed {
    /// An error once the work was given up (checked per document read).
    pub fn check(&self) -> Result<()> {
        match &self.2 {
            Some(flag) if flag.load(Ordering::Relaxed) => Err(Cancelled.into()),
            _ => Ok(()),
        }
    }

    /// True when `--lang` chose the languages.
    pub fn lang_filtered(&self) -> bool {
        self.1
    }

    /// Whether the filter keeps this document.
    pub fn keeps(&self, address: DocAddress) -> bool {
        match self.0.get(address.segment_ord as usize) {
            Some(Some(bits)) => bits.get(address.doc_id as usize).copied().unwrap_or(false),
            _ => true,
        }
    }
}

/// The value of one metadata field for every document (read once, then cached).
pub struct FieldValues {
    values: Vec<String>,
    /// Per segment, per document: index into `values`, or `u32::MAX`.
    ordinals: Vec<Vec<u32>>,
}

impl FieldValues {
    /// The document's value of the field, if it has one.
    pub fn get(&self, address: DocAddress) -> Option<&str> {
        let o = *self
            .ordinals
            .get(address.segment_ord as usize)?
            .get(address.doc_id as usize)?;
        self.values.get(o as usize).map(String::as_str)
    }
}

impl Engine {
    /// Which documents `filter` keeps, per segment (unknown values are errors).
    pub fn allowed(&self, filter: &Filter) -> Result<Allowed> {
        for l in &filter.langs {
            self.check_value("lang", l, "--lang")?;
        }
        for k in &filter.kinds {
            self.check_value("kind", k, "--kind")?;
        }
        for c in &filter.collections {
            self.check_field("collection", "--collection")?;
            self.check_value("collection", c, "--collection")?;
        }
        for (field, value) in &filter.wheres {
            self.check_field(field, "--where")?;
            self.check_value(field, value, "--where")?;
        }
        for (field, value) in &filter.where_nots {
            self.check_field(field, "--where-not")?;
            self.check_value(field, value, "--where-not")?;
        }
        // Values of one field are alternatives (OR); fields combine with AND.
        let mut by_field: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (k, v) in &filter.wheres {
            by_field.entry(k.as_str()).or_default().push(v.as_str());
        }
        let mut out = Vec::new();
        for (s, reader) in self.searcher.segment_readers().iter().enumerate() {
            let max = reader.max_doc() as usize;
            let mut bits: Option<Vec<bool>> = None;
            let inverted = reader.inverted_index(self.fields.facets)?;
            let mut groups: Vec<Vec<String>> = Vec::new();
            if !filter.langs.is_empty() {
                groups.push(filter.langs.iter().map(|l| format!("lang={l}")).collect());
            }
            if !filter.kinds.is_empty() {
                groups.push(filter.kinds.iter().map(|k| format!("kind={k}")).collect());
            }
            if !filter.collections.is_empty() {
                groups.push(
                    filter
                        .collections
                        .iter()
                        .map(|c| format!("collection={c}"))
                        .collect(),
                );
            }
            for (k, values) in &by_field {
                groups.push(values.iter().map(|v| format!("{k}={v}")).collect());
            }
            for group in groups {
                let mut any = vec![false; max];
                for value in group {
                    let term = Term::from_field_text(self.fields.facets, &value);
                    if let Some(mut p) = inverted.read_postings(&term, IndexRecordOption::Basic)? {
                        while p.doc() != TERMINATED {
                            any[p.doc() as usize] = true;
                            p.advance();
                        }
                    }
                }
                bits = Some(match bits {
                    None => any,
                    Some(b) => b.iter().zip(&any).map(|(x, y)| *x && *y).collect(),
                });
            }
            if !filter.where_nots.is_empty() {
                let mut b = bits.unwrap_or_else(|| vec![true; max]);
                for (k, v) in &filter.where_nots {
                    let term = Term::from_field_text(self.fields.facets, &format!("{k}={v}"));
                    if let Some(mut p) = inverted.read_postings(&term, IndexRecordOption::Basic)? {
                        while p.doc() != TERMINATED {
                            b[p.doc() as usize] = false;
                            p.advance();
                        }
                    }
                }
                bits = Some(b);
            }
            if filter.dates.is_set() {
                let cols = &self.columns[s];
                let mut b = bits.unwrap_or_else(|| vec![true; max]);
                for (doc, keep) in b.iter_mut().enumerate() {
                    let lo = cols.date_lo.first(doc as DocId).unwrap_or(0);
                    let hi = cols.date_hi.first(doc as DocId).unwrap_or(0);
                    *keep = *keep && lo != 0 && filter.dates.overlaps(lo, hi);
                }
                bits = Some(b);
            }
            out.push(bits);
        }
        let cancel = CANCEL.with(|c| c.borrow().clone());
        Ok(Allowed(out, !filter.langs.is_empty(), cancel))
    }

    /// Value of metadata field `field` for every document that has it, read
    /// from the `facets` postings (`field=value` terms).
    pub fn field_values(&self, field: &str) -> Result<Arc<FieldValues>> {
        if let Some(v) = self
            .field_values
            .lock()
            .map_err(|_| anyhow::anyhow!("poisoned cache"))?
            .get(field)
        {
            return Ok(v.clone());
        }
        let prefix = format!("{field}=");
        let mut upper = prefix.clone().into_bytes();
        if let Some(last) = upper.last_mut() {
            *last += 1;
        }
        let mut values: Vec<String> = Vec::new();
        let mut index_of: HashMap<String, u32> = HashMap::new();
        let mut ordinals = Vec::new();
        for reader in self.searcher.segment_readers() {
            let mut ords = vec![u32::MAX; reader.max_doc() as usize];
            let inverted = reader.inverted_index(self.fields.facets)?;
            let mut stream = inverted
                .terms()
                .range()
                .ge(prefix.as_bytes())
                .lt(&upper)
                .into_stream()?;
            while stream.advance() {
                let value = String::from_utf8_lossy(&stream.key()[prefix.len()..]).to_string();
                let next = values.len() as u32;
                let ord = *index_of.entry(value.clone()).or_insert_with(|| {
                    values.push(value);
                    next
                });
                let info = stream.value().clone();
                let mut p =
                    inverted.read_postings_from_terminfo(&info, IndexRecordOption::Basic)?;
                while p.doc() != TERMINATED {
                    ords[p.doc() as usize] = ord;
                    p.advance();
                }
            }
            ordinals.push(ords);
        }
        let v = Arc::new(FieldValues { values, ordinals });
        self.field_values
            .lock()
            .map_err(|_| anyhow::anyhow!("poisoned cache"))?
            .insert(field.to_string(), v.clone());
        Ok(v)
    }

    /// A metadata field that `--where`/`--group-by` name must exist: an
    /// unknown one is an error listing the fields the documents have.
    pub fn check_field(&self, field: &str, flag: &str) -> Result<()> {
        let known = &self.manifest.fields;
        if known.is_empty() || known.contains_key(field) {
            return Ok(());
        }
        let mut listed: Vec<(&String, &u64)> = known.iter().collect();
        listed.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let fields: Vec<String> = listed
            .iter()
            .map(|(k, n)| format!("{} ({n} documents)", crate::output::escape_terminal(k)))
            .collect();
        let dates = if matches!(field, "date" | "year" | "month") {
            " Dates are filtered with --from/--to, and grouped with `tifa timeline`."
        } else {
            ""
        };
        Err(crate::error::UserError::UnknownField(format!(
            "{flag}: no document has the field {:?}. The fields are: {}.{dates}",
            crate::output::escape_terminal(field),
            fields.join(", ")
        ))
        .into())
    }

    /// Every metadata field with its number of documents and its `top` most
    /// frequent values (what `--where`, `--group-by`, `--lang`, `--kind` accept).
    pub fn fields_summary(&self, top: usize) -> Result<Vec<FieldSummary>> {
        let mut out = Vec::new();
        for (field, docs) in &self.manifest.fields {
            let counts = self.value_counts(field)?;
            out.push(FieldSummary {
                field: field.clone(),
                docs: *docs,
                distinct: counts.len(),
                top: counts.iter().take(top).cloned().collect(),
            });
        }
        out.sort_by(|a, b| b.docs.cmp(&a.docs).then(a.field.cmp(&b.field)));
        Ok(out)
    }

    /// Documents per value of a metadata field, most frequent first
    /// (counted once per opened index).
    pub fn value_counts(&self, field: &str) -> Result<ValueCounts> {
        let poisoned = |_| anyhow::anyhow!("poisoned cache");
        if let Some(v) = self.value_counts.lock().map_err(poisoned)?.get(field) {
            return Ok(v.clone());
        }
        let counted = Arc::new(self.count_values(field)?);
        self.value_counts
            .lock()
            .map_err(poisoned)?
            .insert(field.to_string(), counted.clone());
        Ok(counted)
    }

    fn count_values(&self, field: &str) -> Result<Vec<(String, u64)>> {
        let values = self.field_values(field)?;
        let mut counts = vec![0u64; values.values.len()];
        for ords in &values.ordinals {
            for &o in ords {
                if let Some(c) = counts.get_mut(o as usize) {
                    *c += 1;
                }
            }
        }
        let mut out: Vec<(String, u64)> = values.values.iter().cloned().zip(counts).collect();
        out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        Ok(out)
    }

    /// A value no document has is an error naming the closest value and the
    /// values there are (an unknown `--kind speeches` must not answer "0").
    pub fn check_value(&self, field: &str, value: &str, flag: &str) -> Result<()> {
        let counts = self.value_counts(field)?;
        if counts.iter().any(|(v, _)| v == value) {
            return Ok(());
        }
        let mut lower = value.to_lowercase();
        // Common names of the two languages, before any spelling distance.
        if field == "lang" {
            match lower.as_str() {
                "cn" | "zh-cn" | "zh_cn" | "chi" | "zho" | "chinese" | "中文" => {
                    lower = "zh".into()
                }
                "eng" | "english" | "英文" => lower = "en".into(),
                _ => {}
            }
        }
        let closest = counts
            .iter()
            .find(|(v, _)| v.to_lowercase() == lower)
            .or_else(|| {
                // A part of a longer value (`news` for `news/daily.jsonl`).
                counts
                    .iter()
                    .find(|(v, _)| lower.chars().count() >= 3 && v.to_lowercase().contains(&lower))
            })
            .or_else(|| {
                counts
                    .iter()
                    .map(|c| (strsim::levenshtein(&c.0.to_lowercase(), &lower), c))
                    .filter(|(d, c)| *d <= 2.max(c.0.chars().count() / 3))
                    .min_by_key(|(d, _)| *d)
                    .map(|(_, c)| c)
            });
        let suggestion = closest.map_or(String::new(), |(v, n)| {
            format!(
                " Did you mean {field}={} ({n} documents)?",
                crate::output::escape_terminal(v)
            )
        });
        let shown: Vec<String> = counts
            .iter()
            .take(20)
            .map(|(v, n)| format!("{} ({n})", crate::output::escape_terminal(v)))
            .collect();
        let more = if counts.len() > 20 {
            format!(", … and {} more (all: `tifa fields`)", counts.len() - 20)
        } else {
            String::new()
        };
        Err(crate::error::UserError::BadFilter(format!(
            "{flag}: no document has {field}={}.{suggestion} The values of {field} are: {}{more}.",
            crate::output::escape_terminal(value),
            shown.join(", ")
        ))
        .into())
    }
}
