//! Export to a distributed search engine, and verification of its answers.
//!
//! When a corpus outgrows one machine, its documents can be searched by an
//! existing distributed engine (Manticore/Sphinx, OpenSearch/Elasticsearch).
//! [`export`] writes the documents with their metadata and the engine's
//! configuration so that a phrase query there returns a **superset** of the
//! documents tifa finds: the text is exported NFKC-normalised and lower-cased
//! (tifa's matching rules), Chinese is indexed character by character
//! (Sphinx `ngram_len = 1`) or as bigrams with unigrams (OpenSearch
//! `cjk_bigram`), and every character tifa does not count as a word
//! character separates tokens on both sides. [`verify`] then reduces the
//! engine's candidates to tifa's exact answer by matching the stored text
//! with tifa's own matcher. A conformance file lists, per term, the query to
//! send and the documents tifa returns, so a cluster can be checked.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::corpus::{self, Limits, LoadReport};
use crate::engine::Engine;
use crate::matcher::Literal;
use crate::output::escape_markup;
use crate::search;
use crate::text;

/// The engines tifa writes for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// Manticore Search or Sphinx 2.2+: xmlpipe2 shards and config files.
    Manticore,
    /// OpenSearch or Elasticsearch: index settings and mappings, bulk NDJSON.
    OpenSearch,
}

/// How to export.
#[derive(Clone, Debug)]
pub struct ExportOptions {
    /// Manticore: number of shards (documents split by a hash of their id).
    pub shards: usize,
    /// Manticore: the SphinxQL port of the front (distributed) searchd; the
    /// shards listen on `port + 10 + k` (API) and `port + 20 + k` (SphinxQL).
    pub port: u16,
    /// Terms for the conformance file (tifa's answer for each).
    pub terms: Vec<String>,
}

/// What an export wrote.
#[derive(Debug, Serialize)]
pub struct ExportSummary {
    /// Documents written.
    pub documents: usize,
    /// Documents per shard.
    pub per_shard: Vec<usize>,
    /// The files written.
    pub files: Vec<PathBuf>,
    /// Terms in the conformance file.
    pub terms: usize,
    /// Ids of documents whose id, lang, kind or collection held control
    /// characters, removed in the XML (XML 1.0 cannot carry them).
    pub control_chars: Vec<String>,
}

/// One line of the conformance file: a term, the query to send, and tifa's answer.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Conformance {
    /// The query.
    pub query: String,
    /// The SphinxQL statement for the distributed index `dist`.
    pub sphinxql: String,
    /// The OpenSearch/Elasticsearch query body.
    pub opensearch: serde_json::Value,
    /// Documents that match.
    pub documents: usize,
    /// tifa's documents, sorted by id.
    pub ids: Vec<String>,
}

/// The text as an engine sees it: NFKC, lower-cased, and with characters
/// XML 1.0 cannot carry turned into spaces (they separate words anyway).
pub fn engine_text(s: &str) -> String {
    let normalized = text::nfkc(s);
    let lowered = text::lowercase(&normalized);
    lowered
        .chars()
        .map(|c| {
            if (c.is_control() && !matches!(c, '\n' | '\t' | '\r'))
                || matches!(c, '\u{FFFE}' | '\u{FFFF}')
            {
                ' '
            } else {
                c
            }
        })
        .collect()
}

/// The phrase to match: the term as the engine's tokenizer will see it, with
/// every character that is not a word or CJK character (quotes, operators,
/// hyphens) replaced by a space, so no query syntax is ever sent.
pub fn engine_phrase(term: &str) -> String {
    let t = engine_text(term);
    let kept: String = t
        .chars()
        .map(|c| {
            if text::is_word_char(c) || text::is_cjk(c) {
                c
            } else {
                ' '
            }
        })
        .collect();
    kept.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The SphinxQL statement that asks the distributed index for a term's documents.
pub fn sphinxql(term: &str) -> String {
    format!(
        "SELECT tid FROM dist WHERE MATCH('\"{}\"') LIMIT 0,1000000 OPTION max_matches=1000000",
        engine_phrase(term)
    )
}

/// The OpenSearch query body for a term: a phrase in the title or the text.
pub fn opensearch_query(term: &str) -> serde_json::Value {
    let phrase = engine_phrase(term);
    json!({
        "size": 10000,
        "_source": ["tid"],
        "query": {"bool": {"should": [
            {"match_phrase": {"title": phrase}},
            {"match_phrase": {"text": phrase}}
        ]}}
    })
}

/// Shard of a document: a hash of its id, so the split is stable.
pub fn shard_of(id: &str, shards: usize) -> usize {
    let hash = blake3::hash(id.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&hash.as_bytes()[..8]);
    (u64::from_le_bytes(first) % shards.max(1) as u64) as usize
}

/// Characters of words (tifa's word characters that Sphinx 2.2 can list) and
/// of CJK n-grams (tifa's CJK ranges; Sphinx 2.2 stops at U+2FFFF, so CJK
/// extensions G and later separate words there).
const CHARSET_TABLE: &str = "0..9, a..z, _, U+AA, U+B5, U+BA, U+C0..U+D6, U+D8..U+F6, U+F8..U+24F, U+370..U+3FF, U+400..U+52F";
const NGRAM_CHARS: &str = "U+1100..U+11FF, U+2E80..U+2FDF, U+2FF0..U+2FFF, U+3000..U+303F, U+3040..U+30FF, U+3100..U+312F, U+3130..U+318F, U+3190..U+31FF, U+3200..U+33FF, U+3400..U+4DBF, U+4E00..U+9FFF, U+A960..U+A97F, U+AC00..U+D7FF, U+F900..U+FAFF, U+FE30..U+FE4F, U+FF65..U+FFDC, U+1B000..U+1B16F, U+20000..U+2FFFF";

/// A path as one word of a POSIX shell command: single-quoted, each `'`
/// written as `'\''`. Sphinx runs `xmlpipe_command` through a shell, so an
/// unquoted path with a space reads nothing and one with `;` runs a command.
pub fn shell_quote(path: &Path) -> String {
    format!("'{}'", path.display().to_string().replace('\'', "'\\''"))
}

/// Sphinx config values run to the end of their line (a `\` continues it,
/// `#` may start a comment): a folder whose path holds those cannot be
/// written into a config safely.
fn check_config_path(dir: &Path) -> Result<()> {
    let shown = dir.display().to_string();
    if let Some(c) = shown
        .chars()
        .find(|c| matches!(c, '\n' | '\r' | '#' | '\\'))
    {
        bail!(
            "the export folder {shown:?} holds {c:?}, which a Sphinx/Manticore config cannot carry: export into a folder without it"
        );
    }
    Ok(())
}

/// An id, language, kind or collection as XML text: control characters
/// (which XML 1.0 cannot carry) removed; true when some were.
fn xml_attribute(s: &str) -> (String, bool) {
    let kept: String = s
        .chars()
        .filter(|&c| !(c.is_control() || matches!(c, '\u{FFFE}' | '\u{FFFF}')))
        .collect();
    let changed = kept.len() != s.len();
    (escape_markup(&kept), changed)
}

fn shard_config(dir: &Path, k: usize, port: u16) -> String {
    let d = dir.display();
    let xml = shell_quote(&dir.join(format!("shard-{k}.xml")));
    format!(
        "# Shard {k} of the tifa export: `indexer --config {d}/shard-{k}.conf --all`, then `searchd --config {d}/shard-{k}.conf`.
source shard{k}
{{
  type = xmlpipe2
  xmlpipe_command = cat {xml}
  xmlpipe_fixup_utf8 = 1
}}

index shard{k}
{{
  source = shard{k}
  path = {d}/data/shard{k}
  # One token per CJK character (a phrase of them finds every substring);
  # the rest of tifa's word characters form words; everything else separates.
  ngram_len = 1
  ngram_chars = {NGRAM_CHARS}
  charset_table = {CHARSET_TABLE}
  min_word_len = 1
}}

indexer
{{
  mem_limit = 256M
  max_xmlpipe2_field = 64M
}}

searchd
{{
  listen = 127.0.0.1:{api}
  listen = 127.0.0.1:{ql}:mysql41
  log = {d}/log/shard{k}.log
  query_log = {d}/log/shard{k}-query.log
  pid_file = {d}/log/shard{k}.pid
  binlog_path =
}}
",
        api = port + 10 + k as u16,
        ql = port + 20 + k as u16,
    )
}

fn front_config(dir: &Path, shards: usize, port: u16) -> String {
    let d = dir.display();
    let agents: String = (0..shards)
        .map(|k| format!("  agent = 127.0.0.1:{}:shard{k}\n", port + 10 + k as u16))
        .collect();
    format!(
        "# The distributed index over the shards: `searchd --config {d}/front.conf`, then
# `mysql -h127.0.0.1 -P{port}` and e.g.
#   SELECT tid FROM dist WHERE MATCH('\"网 络 主 权\"') LIMIT 0,1000000 OPTION max_matches=1000000;
#   SELECT year, COUNT(*) AS docs FROM dist WHERE MATCH('\"网络主权\"') GROUP BY year ORDER BY year ASC LIMIT 1000;
index dist
{{
  type = distributed
{agents}  agent_query_timeout = 60000
}}

searchd
{{
  listen = 127.0.0.1:{port}:mysql41
  listen = 127.0.0.1:{api}
  log = {d}/log/front.log
  query_log = {d}/log/front-query.log
  pid_file = {d}/log/front.pid
  binlog_path =
}}
",
        api = port + 1,
    )
}

const XML_HEAD: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<sphinx:docset>
<sphinx:schema>
<sphinx:field name="title"/>
<sphinx:field name="text"/>
<sphinx:attr name="tid" type="string"/>
<sphinx:attr name="date_key" type="int" bits="32"/>
<sphinx:attr name="year" type="int" bits="16"/>
<sphinx:attr name="lang" type="string"/>
<sphinx:attr name="kind" type="string"/>
<sphinx:attr name="collection" type="string"/>
</sphinx:schema>
"#;

fn opensearch_index() -> serde_json::Value {
    let text = json!({"type": "text", "analyzer": "tifa_index", "search_analyzer": "tifa_search"});
    json!({
        "settings": {
            "number_of_shards": 2,
            "analysis": {
                "filter": {
                    "tifa_bigrams_and_unigrams": {"type": "cjk_bigram", "output_unigrams": true},
                    "tifa_bigrams": {"type": "cjk_bigram", "output_unigrams": false}
                },
                "analyzer": {
                    "tifa_index": {"type": "custom", "tokenizer": "standard", "filter": ["lowercase", "tifa_bigrams_and_unigrams"]},
                    "tifa_search": {"type": "custom", "tokenizer": "standard", "filter": ["lowercase", "tifa_bigrams"]}
                }
            }
        },
        "mappings": {
            "properties": {
                "tid": {"type": "keyword"},
                "title": text,
                "text": text,
                "date": {"type": "keyword"},
                "date_key": {"type": "integer"},
                "year": {"type": "integer"},
                "lang": {"type": "keyword"},
                "kind": {"type": "keyword"},
                "collection": {"type": "keyword"}
            }
        }
    })
}

/// Writes the export of every document of `engine` into `out` (created, must
/// be empty or new): `manticore/` or `opensearch/`, and `conformance.jsonl`.
pub fn export(
    engine: &Engine,
    out: &Path,
    target: Target,
    options: &ExportOptions,
    mut progress: impl FnMut(u64),
) -> Result<ExportSummary> {
    if out.exists()
        && fs::read_dir(out)
            .map(|mut d| d.next().is_some())
            .unwrap_or(true)
    {
        bail!(
            "{} is not empty: give a new folder to --out (tifa does not overwrite an export)",
            out.display()
        );
    }
    if options.shards == 0 {
        bail!("--shards must be at least 1");
    }
    let target_dir = out.join(match target {
        Target::Manticore => "manticore",
        Target::OpenSearch => "opensearch",
    });
    fs::create_dir_all(&target_dir)
        .with_context(|| format!("cannot create {}", target_dir.display()))?;
    let target_dir = fs::canonicalize(&target_dir)?;
    if target == Target::Manticore {
        check_config_path(&target_dir)?;
    }
    let mut control_chars: Vec<String> = Vec::new();
    let mut files = Vec::new();
    let create = |path: PathBuf, files: &mut Vec<PathBuf>| -> Result<BufWriter<File>> {
        let f = File::create(&path).with_context(|| format!("cannot write {}", path.display()))?;
        files.push(path);
        Ok(BufWriter::with_capacity(1 << 20, f))
    };
    let shards = match target {
        Target::Manticore => options.shards,
        Target::OpenSearch => 1,
    };
    let mut writers: Vec<BufWriter<File>> = Vec::new();
    match target {
        Target::Manticore => {
            fs::create_dir_all(target_dir.join("data"))?;
            fs::create_dir_all(target_dir.join("log"))?;
            for k in 0..shards {
                let mut w = create(target_dir.join(format!("shard-{k}.xml")), &mut files)?;
                w.write_all(XML_HEAD.as_bytes())?;
                writers.push(w);
                fs::write(
                    target_dir.join(format!("shard-{k}.conf")),
                    shard_config(&target_dir, k, options.port),
                )?;
                files.push(target_dir.join(format!("shard-{k}.conf")));
            }
            fs::write(
                target_dir.join("front.conf"),
                front_config(&target_dir, shards, options.port),
            )?;
            files.push(target_dir.join("front.conf"));
        }
        Target::OpenSearch => {
            let index = target_dir.join("index.json");
            fs::write(&index, serde_json::to_string_pretty(&opensearch_index())?)?;
            files.push(index);
            writers.push(create(target_dir.join("bulk.ndjson"), &mut files)?);
        }
    }
    let mut per_shard = vec![0usize; shards];
    let mut documents = 0usize;
    for (n, address) in engine.all_addresses().enumerate() {
        let doc = engine.stored(address)?;
        let date = doc.date.clone().unwrap_or_default();
        let date_key = doc
            .date
            .as_deref()
            .and_then(|d| crate::date::DocDate::parse(d).ok())
            .map_or(0, |d| d.key());
        let year = date_key / 10_000;
        let collection = doc.meta.get("collection").cloned().unwrap_or_default();
        let k = shard_of(&doc.id, shards);
        let w = &mut writers[k];
        match target {
            Target::Manticore => {
                let (id, a) = xml_attribute(&doc.id);
                let (lang, b) = xml_attribute(&doc.lang);
                let (kind, c) = xml_attribute(&doc.kind);
                let (coll, d) = xml_attribute(&collection);
                if a || b || c || d {
                    control_chars.push(doc.id.clone());
                }
                writeln!(
                    w,
                    "<sphinx:document id=\"{}\"><title>{}</title><text>{}</text><tid>{id}</tid><date_key>{date_key}</date_key><year>{year}</year><lang>{lang}</lang><kind>{kind}</kind><collection>{coll}</collection></sphinx:document>",
                    n + 1,
                    escape_markup(&engine_text(&doc.title)),
                    escape_markup(&engine_text(&doc.text)),
                )?;
            }
            Target::OpenSearch => {
                serde_json::to_writer(
                    &mut *w,
                    &json!({"index": {"_index": "tifa", "_id": doc.id}}),
                )?;
                w.write_all(b"\n")?;
                let mut body = json!({
                    "tid": doc.id, "title": engine_text(&doc.title), "text": engine_text(&doc.text),
                    "date": date, "date_key": date_key, "year": year, "lang": doc.lang,
                    "kind": doc.kind, "collection": collection,
                });
                for (key, value) in &doc.meta {
                    if body.get(key).is_none() {
                        body[key] = json!(value);
                    }
                }
                serde_json::to_writer(&mut *w, &body)?;
                w.write_all(b"\n")?;
            }
        }
        per_shard[k] += 1;
        documents += 1;
        progress(1);
    }
    for mut w in writers {
        if target == Target::Manticore {
            w.write_all(b"</sphinx:docset>\n")?;
        }
        w.flush()?;
    }
    let conformance = out.join("conformance.jsonl");
    let mut c = create(conformance, &mut files)?;
    for term in &options.terms {
        let line = conformance_for(engine, term)?;
        serde_json::to_writer(&mut c, &line)?;
        c.write_all(b"\n")?;
    }
    c.flush()?;
    Ok(ExportSummary {
        documents,
        per_shard,
        files,
        terms: options.terms.len(),
        control_chars,
    })
}

/// tifa's answer for one term, with the queries to send to an engine.
pub fn conformance_for(engine: &Engine, term: &str) -> Result<Conformance> {
    Literal::new(term).map_err(|e| anyhow::anyhow!("{term:?}: {e}"))?;
    if engine_phrase(term).is_empty() {
        bail!(
            "{term:?} has no word or CJK character an engine can match (its MATCH would be empty): leave it out of --terms"
        );
    }
    let mut ids = search::matching_ids(engine, term)?;
    ids.sort();
    Ok(Conformance {
        query: term.to_string(),
        sphinxql: sphinxql(term),
        opensearch: opensearch_query(term),
        documents: ids.len(),
        ids,
    })
}

/// An engine's candidates for a query, and what verification kept.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Verified {
    /// The query.
    pub query: String,
    /// Candidate documents the index gave.
    pub candidates: usize,
    /// Candidates that are not documents of the corpus read.
    pub unknown: usize,
    /// The candidates whose stored text holds the term by tifa's rules, sorted.
    pub ids: Vec<String>,
}

/// One line of a candidates file: `{"query": …, "ids": [...]}`.
#[derive(Clone, Debug, Deserialize)]
pub struct Candidates {
    /// The query.
    pub query: String,
    /// The ids of the candidate documents.
    pub ids: Vec<String>,
}

/// Reduces engine candidates to tifa's exact answer: reads the corpus at
/// `paths` once (tifa's loader, so the same documents and ids as an index
/// built from them) and keeps, for each query, the candidates whose title or
/// text holds the term by tifa's matching rules.
pub fn verify(paths: &[PathBuf], candidates: &[Candidates]) -> Result<Vec<Verified>> {
    let literals: Vec<Literal> = candidates
        .iter()
        .map(|c| Literal::new(&c.query).map_err(|e| anyhow::anyhow!("{:?}: {e}", c.query)))
        .collect::<Result<_>>()?;
    let mut wanted: HashMap<String, Vec<usize>> = HashMap::new();
    for (q, c) in candidates.iter().enumerate() {
        for id in c.ids.iter().collect::<HashSet<_>>() {
            wanted.entry(id.clone()).or_default().push(q);
        }
    }
    let mut kept: Vec<Vec<String>> = vec![Vec::new(); candidates.len()];
    let mut found: HashSet<String> = HashSet::new();
    let mut report = LoadReport::default();
    corpus::load(
        paths,
        Limits::default(),
        &mut report,
        |doc| {
            if let Some(queries) = wanted.get(&doc.id) {
                found.insert(doc.id.clone());
                for &q in queries {
                    if literals[q].count(&doc.title) + literals[q].count(&doc.text) > 0 {
                        kept[q].push(doc.id.clone());
                    }
                }
            }
            Ok(())
        },
        |_| {},
    )?;
    Ok(candidates
        .iter()
        .zip(kept)
        .map(|(c, mut ids)| {
            ids.sort();
            let distinct: BTreeMap<&String, ()> = c.ids.iter().map(|i| (i, ())).collect();
            Verified {
                query: c.query.clone(),
                candidates: distinct.len(),
                unknown: distinct
                    .keys()
                    .filter(|i| !found.contains(i.as_str()))
                    .count(),
                ids,
            }
        })
        .collect())
}
