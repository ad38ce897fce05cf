//! Calls by name with options as JSON, answers as JSON: the library's commands
//! for bindings (the Python package in `python/`), with the CLI's option names
//! and defaults, so that a notebook's numbers are the CLI's.
//!
//! Each call takes a JSON object of options (`{"query": …, "limit": …,
//! "filter": {"lang": [...], "date_from": …, "where": ["country=CHN"]}}`) and
//! returns the JSON the CLI's `--json` prints for the same question (tables
//! such as the tidy timeline have their own shape, documented per call). An
//! option this module does not know is an error naming it: a misspelt keyword
//! must not fall back to a default silently.

use std::path::PathBuf;

use anyhow::Result;
use serde::Deserialize;

use crate::collocates::{self, CollocateOptions, GroupBy, Measure, Side};
use crate::emerging::{self, EmergingOptions, Reference, YearSpan};
use crate::engine::{Engine, Filter};
use crate::error::UserError;
use crate::history::{self, Denominators, Period, TimelineOptions, TraceOptions};
use crate::kwic::{self, KwicOptions, KwicSort};
use crate::matcher::{DEFAULT_GAP, PatternOptions};
use crate::query::QueryOptions;
use crate::renderings::{self, RenderingOptions};
use crate::search::{self, SearchOptions, Sort};
use crate::terms::{Subject, Units};

/// The filters every call takes (the CLI's --lang, --kind, --collection,
/// --from, --to, --where, --where-not).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Filters {
    /// `--lang`: document languages.
    pub lang: Vec<String>,
    /// `--kind`: document kinds.
    pub kind: Vec<String>,
    /// `--collection`: corpus files.
    pub collection: Vec<String>,
    /// `--from`: the earliest date.
    pub date_from: Option<String>,
    /// `--to`: the latest date.
    pub date_to: Option<String>,
    /// `FIELD=VALUE` strings, as `--where`.
    #[serde(rename = "where")]
    pub wheres: Vec<String>,
    #[serde(rename = "where_not")]
    /// `--where-not FIELD=VALUE`: documents left out.
    pub where_nots: Vec<String>,
}

impl Filters {
    fn to_filter(&self) -> Result<Filter> {
        Filter::parse(
            &self.lang,
            &self.kind,
            &self.collection,
            self.date_from.as_deref(),
            self.date_to.as_deref(),
            &self.wheres,
            &self.where_nots,
        )
    }
}

/// How patterns read (the CLI's --gap, --loose-punct, --variants, --scan).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Patterns {
    /// `--gap`: most characters a `*` stands for in a Chinese pattern.
    pub gap: usize,
    /// `--loose-punct`: Chinese phrases match across differences in punctuation.
    pub loose_punct: bool,
    /// `--variants`: Traditional and Simplified forms of the term too.
    pub variants: bool,
    /// `--scan`: allow a pattern with no literal part the index can look up (reads every document).
    pub scan: bool,
}

impl Default for Patterns {
    fn default() -> Patterns {
        Patterns {
            gap: DEFAULT_GAP,
            loose_punct: false,
            variants: false,
            scan: false,
        }
    }
}

impl Patterns {
    fn to_options(&self) -> QueryOptions {
        QueryOptions {
            patterns: PatternOptions {
                gap: self.gap,
                loose_punct: self.loose_punct,
            },
            scan: self.scan,
            variants: self.variants,
        }
    }
}

/// Terms and how they are read (the CLI's --families, --variants, --scan).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TermsOf {
    /// `--families`: a file of term families.
    pub families: Option<PathBuf>,
    /// `--variants`: Traditional and Simplified forms of each term too.
    pub variants: bool,
    /// `--scan`: allow a pattern with no literal part the index can look up (reads every document).
    pub scan: bool,
}

impl TermsOf {
    fn subjects(&self, terms: &[String]) -> Result<Vec<Subject>> {
        if terms.is_empty() {
            return Err(UserError::BadQuery("no term given".into()).into());
        }
        let subjects = crate::terms::subjects_with(terms, self.families.as_deref(), self.scan)?;
        Ok(if self.variants {
            crate::terms::with_script_forms(subjects)
        } else {
            subjects
        })
    }
}

fn parse<'a, T: Deserialize<'a>>(call: &str, request: &'a str) -> Result<T> {
    serde_json::from_str(request).map_err(|e| UserError::BadQuery(format!("{call}: {e}")).into())
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String> {
    Ok(serde_json::to_string(value)?)
}

/// Answers the call `name` with the options of `request` (a JSON object).
pub fn call(engine: &Engine, name: &str, request: &str) -> Result<String> {
    match name {
        "search" => search_call(engine, request),
        "kwic" => kwic_call(engine, request),
        "timeline" => timeline_call(engine, request),
        "trace" => trace_call(engine, request),
        "emerging" => emerging_call(engine, request),
        "collocates" => collocates_call(engine, request),
        "renderings" => renderings_call(engine, request),
        "document" => document_call(engine, request),
        "fields" => fields_call(engine, request),
        "info" => to_json(&engine.manifest),
        "stamp" => stamp_call(engine, request),
        other => Err(UserError::BadQuery(format!(
            "no call named {other:?}: search, kwic, timeline, trace, emerging, collocates, renderings, document, fields, info or stamp"
        ))
        .into()),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SearchRequest {
    query: String,
    #[serde(default)]
    filter: Filters,
    #[serde(default)]
    patterns: Patterns,
    /// Every document when absent (a table is wanted whole).
    #[serde(default)]
    limit: Option<usize>,
    #[serde(default = "default_sort")]
    sort: String,
    #[serde(default = "default_snippets")]
    snippets: usize,
    #[serde(default)]
    pair: bool,
}

fn default_sort() -> String {
    "relevance".into()
}

fn default_snippets() -> usize {
    3
}

/// `tifa search --json` (with `--all` unless `limit` is given).
fn search_call(engine: &Engine, request: &str) -> Result<String> {
    let r: SearchRequest = parse("search", request)?;
    let sort = Sort::parse(&r.sort)?;
    let options = SearchOptions {
        limit: r.limit,
        sort,
        filter: r.filter.to_filter()?,
        snippets: r.snippets,
        pair: r.pair,
        query: r.patterns.to_options(),
    };
    to_json(&search::search(engine, &r.query, &options)?)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KwicRequest {
    query: String,
    #[serde(default)]
    filter: Filters,
    #[serde(default)]
    patterns: Patterns,
    #[serde(default = "default_width")]
    width: usize,
    #[serde(default = "default_kwic_sort")]
    sort: String,
    #[serde(default)]
    sample: Option<usize>,
    #[serde(default = "default_seed")]
    seed: u64,
}

fn default_width() -> usize {
    20
}

fn default_kwic_sort() -> String {
    "date".into()
}

fn default_seed() -> u64 {
    1
}

/// `tifa kwic --json`: every line.
fn kwic_call(engine: &Engine, request: &str) -> Result<String> {
    let r: KwicRequest = parse("kwic", request)?;
    let sort = KwicSort::parse(&r.sort)?;
    let options = KwicOptions {
        filter: r.filter.to_filter()?,
        width: r.width,
        sort,
        sample: r.sample,
        seed: r.seed,
        query: r.patterns.to_options(),
        max_lines: None,
    };
    to_json(&kwic::kwic(engine, &r.query, &options)?)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TimelineRequest {
    terms: Vec<String>,
    #[serde(default)]
    filter: Filters,
    #[serde(default)]
    reading: TermsOf,
    #[serde(default = "default_by")]
    by: String,
}

fn default_by() -> String {
    "year".into()
}

/// One row of the tidy timeline.
#[derive(serde::Serialize)]
struct TimelineRow<'a> {
    term: &'a str,
    /// For a family's variant (or a pattern's string): the family (pattern)
    /// it was listed under; empty otherwise.
    family: &'a str,
    period: &'a str,
    docs: u64,
    occurrences: u64,
    per_million: f64,
    share: f64,
    /// Han characters or English words of the period's documents after
    /// filters (per_million = occurrences ÷ denominator × 10⁶).
    denominator: u64,
    unit: &'static str,
    /// Documents of the period after filters (share = docs ÷ period_docs).
    period_docs: u64,
    /// Empty, or why the period is not comparable (as `timeline --csv`).
    coverage: String,
}

/// `tifa timeline` as one tidy table: {"rows":[…],"timelines":[the --json lines]}.
fn timeline_call(engine: &Engine, request: &str) -> Result<String> {
    let r: TimelineRequest = parse("timeline", request)?;
    let by = match r.by.as_str() {
        "year" => Period::Year,
        "month" => Period::Month,
        other => {
            return Err(UserError::BadQuery(format!("by={other:?}: use year or month")).into());
        }
    };
    let subjects = r.reading.subjects(&r.terms)?;
    let options = TimelineOptions {
        filter: r.filter.to_filter()?,
        by,
        expand_families: true,
    };
    let timelines = history::timelines(engine, &subjects, &options)?;
    let denominators = Denominators::new(engine, &engine.allowed(&options.filter)?, by);
    // The timelines come in the subjects' order, each followed by what it
    // expanded into; a line is a subject's own when it is the next subject.
    let labels: Vec<String> = subjects.iter().map(Subject::label).collect();
    let mut next = 0;
    let mut family = String::new();
    let mut rows = Vec::new();
    let mut families = Vec::with_capacity(timelines.len());
    for t in &timelines {
        if next < labels.len() && t.term == labels[next] {
            next += 1;
            family.clear();
            families.push(String::new());
            family.push_str(&t.term);
        } else {
            families.push(family.clone());
        }
    }
    for (t, family) in timelines.iter().zip(&families) {
        for (period, b) in &t.buckets {
            let (period_docs, han, words) = denominators.totals(period);
            let denominator = match t.units {
                Units::Han => han,
                Units::Words => words,
                Units::HanAndWords => han + words,
            };
            rows.push(TimelineRow {
                term: &t.term,
                family,
                period,
                docs: b.docs,
                occurrences: b.occurrences,
                per_million: b.per_million,
                share: b.share,
                denominator,
                unit: t.units.describe(),
                period_docs,
                coverage: t.coverage.mark(period),
            });
        }
    }
    to_json(&serde_json::json!({ "rows": rows, "timelines": timelines }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TraceRequest {
    terms: Vec<String>,
    #[serde(default)]
    filter: Filters,
    #[serde(default)]
    reading: TermsOf,
    #[serde(default = "default_first")]
    first: usize,
    #[serde(default)]
    group_by: Option<String>,
    #[serde(default)]
    pair: bool,
}

fn default_first() -> usize {
    5
}

/// `tifa trace --json`: a list, one object per term.
fn trace_call(engine: &Engine, request: &str) -> Result<String> {
    let r: TraceRequest = parse("trace", request)?;
    let subjects = r.reading.subjects(&r.terms)?;
    let options = TraceOptions {
        filter: r.filter.to_filter()?,
        first: r.first,
        group_by: r.group_by,
        pair: r.pair,
    };
    to_json(&history::traces(engine, &subjects, &options)?)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EmergingRequest {
    period: String,
    #[serde(default)]
    filter: Filters,
    #[serde(default = "default_against")]
    against: String,
    #[serde(default = "default_min_docs")]
    min_docs: u32,
    #[serde(default = "default_min_dates")]
    min_dates: u32,
    #[serde(default = "default_min_log_ratio")]
    min_log_ratio: f64,
    #[serde(default)]
    include_faded: bool,
    #[serde(default = "default_emerging_limit")]
    limit: usize,
    #[serde(default = "default_show")]
    show: String,
    #[serde(default = "default_rank")]
    rank: String,
}

fn default_against() -> String {
    "before".into()
}
fn default_min_docs() -> u32 {
    5
}
fn default_min_dates() -> u32 {
    3
}
fn default_min_log_ratio() -> f64 {
    1.0
}
fn default_emerging_limit() -> usize {
    50
}
fn default_show() -> String {
    "formulations".into()
}
fn default_rank() -> String {
    "held".into()
}

/// `tifa emerging --json`.
fn emerging_call(engine: &Engine, request: &str) -> Result<String> {
    let mut r: EmergingRequest = parse("emerging", request)?;
    let (languages, lang) = emerging::Languages::from_lang(&r.filter.lang);
    r.filter.lang = lang;
    let options = EmergingOptions {
        filter: r.filter.to_filter()?,
        period: YearSpan::parse(&r.period).map_err(UserError::BadDate)?,
        against: Reference::parse(&r.against).map_err(UserError::BadDate)?,
        languages,
        min_docs: r.min_docs.max(1),
        min_dates: r.min_dates.max(1),
        min_log_ratio: r.min_log_ratio,
        limit: r.limit,
        include_faded: r.include_faded,
        show: emerging::classify::parse_show(&r.show).map_err(UserError::BadFilter)?,
        rank: emerging::Rank::parse(&r.rank).map_err(UserError::BadFilter)?,
    };
    to_json(&emerging::emerging(engine, &options)?)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CollocatesRequest {
    term: String,
    #[serde(default)]
    filter: Filters,
    #[serde(default)]
    reading: TermsOf,
    #[serde(default = "default_window")]
    window: usize,
    #[serde(default = "default_side")]
    side: String,
    #[serde(default = "default_min_freq")]
    min_freq: u64,
    #[serde(default)]
    stop_words: bool,
    #[serde(default)]
    by: Option<String>,
    #[serde(default = "default_measure")]
    sort: String,
    #[serde(default = "default_collocates_limit")]
    limit: usize,
}

fn default_window() -> usize {
    5
}
fn default_side() -> String {
    "both".into()
}
fn default_min_freq() -> u64 {
    3
}
fn default_measure() -> String {
    "log-dice".into()
}
fn default_collocates_limit() -> usize {
    20
}

/// `tifa collocates --json`.
fn collocates_call(engine: &Engine, request: &str) -> Result<String> {
    let r: CollocatesRequest = parse("collocates", request)?;
    collocates::check_window(r.window)?;
    let subjects = r.reading.subjects(std::slice::from_ref(&r.term))?;
    let options = CollocateOptions {
        filter: r.filter.to_filter()?,
        window: r.window,
        side: match r.side.as_str() {
            "left" => Side::Left,
            "right" => Side::Right,
            "both" => Side::Both,
            other => {
                return Err(UserError::BadQuery(format!(
                    "side={other:?}: use left, right or both"
                ))
                .into());
            }
        },
        min_freq: r.min_freq.max(1),
        stop_words: r.stop_words,
        by: match r.by.as_deref() {
            None => GroupBy::All,
            Some("year") => GroupBy::Year,
            Some("collection") => GroupBy::Collection,
            Some(other) => {
                return Err(
                    UserError::BadQuery(format!("by={other:?}: use year or collection")).into(),
                );
            }
        },
        measure: match r.sort.as_str() {
            "log-dice" => Measure::LogDice,
            "ll" => Measure::LogLikelihood,
            other => {
                return Err(
                    UserError::BadQuery(format!("sort={other:?}: use log-dice or ll")).into(),
                );
            }
        },
        limit: r.limit,
    };
    to_json(&collocates::collocates(engine, &subjects[0], &options)?)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RenderingsRequest {
    term: String,
    #[serde(default)]
    filter: Filters,
    #[serde(default = "default_renderings_limit")]
    limit: usize,
    #[serde(default)]
    by: Option<String>,
}

fn default_renderings_limit() -> usize {
    10
}

/// `tifa renderings --json`.
fn renderings_call(engine: &Engine, request: &str) -> Result<String> {
    let r: RenderingsRequest = parse("renderings", request)?;
    let by_year = match r.by.as_deref() {
        None => false,
        Some("year") => true,
        Some(other) => {
            return Err(UserError::BadQuery(format!("by={other:?}: use year")).into());
        }
    };
    let options = RenderingOptions {
        filter: r.filter.to_filter()?,
        limit: r.limit,
        by_year,
    };
    to_json(&renderings::renderings(engine, r.term.trim(), &options)?)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DocumentRequest {
    id: String,
}

/// One stored document: {"id","lang","kind","date","title","text","meta"}.
fn document_call(engine: &Engine, request: &str) -> Result<String> {
    let r: DocumentRequest = parse("document", request)?;
    let Some(address) = engine.address_of(&r.id)? else {
        return Err(UserError::BadQuery(format!(
            "no document with the id {:?} in this index",
            r.id
        ))
        .into());
    };
    let d = engine.stored(address)?;
    to_json(&serde_json::json!({
        "id": d.id, "lang": d.lang, "kind": d.kind, "date": d.date,
        "title": d.title, "text": d.text, "meta": d.meta,
    }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StampRequest {
    command: String,
}

/// The reproducibility stamp of this index with `command` (as the CLI's
/// `--json` outputs carry it).
fn stamp_call(engine: &Engine, request: &str) -> Result<String> {
    let r: StampRequest = parse("stamp", request)?;
    to_json(&crate::stamp::Stamp::of(engine, r.command))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FieldsRequest {
    #[serde(default = "default_top")]
    top: usize,
}

fn default_top() -> usize {
    10
}

/// `tifa fields --json`, as a list.
fn fields_call(engine: &Engine, request: &str) -> Result<String> {
    let r: FieldsRequest = parse("fields", request)?;
    to_json(&engine.fields_summary(r.top)?)
}

/// What `tifa index` asks, as JSON options.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BuildRequest {
    /// `--strict`: any bad record fails the build.
    pub strict: bool,
    /// `--threads`: indexing threads.
    pub threads: Option<usize>,
    /// `--ocr`: read scanned PDFs with Tesseract.
    pub ocr: bool,
    /// `--follow-links`: also read symbolic links whose target lies outside the folders given.
    pub follow_links: bool,
    /// `--allow-empty`: make the new index live even if it has no documents.
    pub allow_empty: bool,
    /// `--wait`: wait for another build's lock instead of failing.
    pub wait: bool,
}

/// The bytes `tifa index` reads from `paths` (the progress bar's total).
pub fn build_total(paths: &[PathBuf], follow_links: bool) -> Result<u64> {
    Ok(crate::corpus::corpus_files_with(paths, follow_links)?
        .files
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum())
}

/// The options of a build, read from JSON.
pub fn build_request(request: &str) -> Result<BuildRequest> {
    parse("build", request)
}

/// `tifa index PATHS` into `dir`: {"manifest", "generation", "problems"}.
pub fn build(
    dir: &std::path::Path,
    paths: &[PathBuf],
    r: &BuildRequest,
    progress: impl FnMut(u64),
) -> Result<String> {
    if r.ocr
        && let Some(why) = crate::extract::ocr::missing()
    {
        return Err(UserError::BadFilter(why).into());
    }
    let mut options = crate::index::BuildOptions {
        strict: r.strict,
        wait: r.wait,
        allow_empty: r.allow_empty,
        follow_links: r.follow_links,
        ..crate::index::BuildOptions::default()
    };
    options.limits.ocr = r.ocr;
    if let Some(t) = r.threads {
        options.threads = t.max(1);
    }
    let outcome = crate::index::build(dir, paths, &options, progress)?;
    let problems: Vec<String> = outcome
        .report
        .problems
        .iter()
        .map(ToString::to_string)
        .collect();
    to_json(&serde_json::json!({
        "manifest": outcome.manifest,
        "generation": outcome.generation,
        "problems": problems,
    }))
}
