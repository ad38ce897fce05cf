//! What `trace`, `timeline` and `report` count: a literal term or a bilingual
//! term family (`@name`), and the families file.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use anyhow::{Context, Result, anyhow, bail};
use rayon::prelude::*;
use serde::Deserialize;
use tantivy::DocAddress;

use crate::engine::{Allowed, Engine, Match};
use crate::matcher::Literal;
use crate::text;

/// The families shipped with tifa (also at `corpus/families.toml`).
pub const BUILTIN_FAMILIES: &str = include_str!("../../corpus/families.toml");

/// A slogan with its renderings and variants.
#[derive(Clone, Debug)]
pub struct Family {
    /// Shown as `@name`, or as `name` itself for the script forms of one term.
    pub name: String,
    /// What the family stands for.
    pub description: String,
    /// Its spellings and translations.
    pub variants: Vec<Literal>,
}

/// The unit of a per-million figure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Units {
    /// Han characters (Chinese terms).
    Han,
    /// English words (any other term).
    Words,
    /// Both (a family with Chinese and English variants).
    HanAndWords,
}

impl Units {
    /// `characters` or `words`, for a reader.
    pub fn describe(self) -> &'static str {
        match self {
            Units::Han => "Han characters",
            Units::Words => "English words",
            Units::HanAndWords => "Han characters + English words",
        }
    }
}

/// A literal term or a family.
#[derive(Clone, Debug)]
pub enum Subject {
    /// One term.
    Literal(Literal),
    /// A family of terms (`@name`), counted as one.
    Family(Family),
}

impl Subject {
    /// As shown in outputs: the term, or `@name` for a family.
    pub fn label(&self) -> String {
        match self {
            Subject::Literal(l) => l.raw.clone(),
            Subject::Family(f) if f.description == SCRIPT_FORMS => f.name.clone(),
            Subject::Family(f) => format!("@{}", f.name),
        }
    }

    /// What occurrences of the subject are counted in (characters or words).
    pub fn units(&self) -> Units {
        let of = |l: &Literal| if l.cjk { Units::Han } else { Units::Words };
        match self {
            Subject::Literal(l) => of(l),
            Subject::Family(f) => {
                let cjk = f.variants.iter().any(|v| v.cjk);
                let other = f.variants.iter().any(|v| !v.cjk);
                match (cjk, other) {
                    (true, true) => Units::HanAndWords,
                    (true, false) => Units::Han,
                    _ => Units::Words,
                }
            }
        }
    }

    fn literals(&self) -> Vec<&Literal> {
        match self {
            Subject::Literal(l) => vec![l],
            Subject::Family(f) => f.variants.iter().collect(),
        }
    }

    /// Places in `original` (byte ranges of the original text), each once.
    pub fn find(&self, original: &str) -> Vec<(usize, usize)> {
        let normalized = text::Normalized::new(original);
        merge_places(
            self.literals()
                .iter()
                .flat_map(|l| l.find_in_normalized(&normalized.text))
                .collect(),
        )
        .into_iter()
        .map(|(s, e)| normalized.original_range(s, e))
        .collect()
    }

    /// Number of places in one field.
    /// Places in an NFKC text (byte ranges of it), nested matches once.
    pub fn find_in_normalized(&self, normalized: &str) -> Vec<(usize, usize)> {
        let prepared = crate::matcher::Prepared::new(normalized);
        merge_places(
            self.literals()
                .iter()
                .flat_map(|l| l.find_prepared(&prepared))
                .collect(),
        )
    }

    /// Occurrences of the subject in a text (a family: of any of its terms, without overlaps).
    pub fn count(&self, original: &str) -> u32 {
        let normalized = text::nfkc(original);
        merge_places(
            self.literals()
                .iter()
                .flat_map(|l| l.find_in_normalized(&normalized))
                .collect(),
        )
        .len() as u32
    }
}

/// Merges matches of several variants into places: overlapping or nested
/// matches are one place (the longer match counts).
fn merge_places(mut ranges: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    ranges.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    let mut out: Vec<(usize, usize)> = Vec::new();
    for (s, e) in ranges {
        match out.last_mut() {
            Some(last) if s < last.1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

/// Every document containing the subject, with occurrences (title + text).
pub fn evaluate(engine: &Engine, subject: &Subject, allowed: &Allowed) -> Result<Vec<Match>> {
    let family = match subject {
        Subject::Literal(l) => return engine.evaluate(l, allowed),
        Subject::Family(f) => f,
    };
    let mut by_doc: BTreeMap<DocAddress, Vec<Match>> = BTreeMap::new();
    for v in &family.variants {
        for m in engine.evaluate(v, allowed)? {
            by_doc.entry(m.address).or_default().push(m);
        }
    }
    // A document matched by one variant keeps that variant's counts; where
    // several match, places may overlap, so the stored text decides.
    by_doc
        .into_par_iter()
        .map(|(address, ms)| {
            if ms.len() == 1 {
                return Ok(ms[0]);
            }
            let doc = engine.stored(address)?;
            let title_occurrences = subject.count(&doc.title);
            Ok(Match {
                address,
                occurrences: title_occurrences + subject.count(&doc.text),
                title_occurrences,
            })
        })
        .collect()
}

#[derive(Deserialize)]
struct FamilyEntry {
    #[serde(default)]
    description: String,
    variants: Vec<String>,
}

/// Families by name.
#[derive(Clone, Debug, Default)]
pub struct Families(pub BTreeMap<String, Family>);

impl Families {
    /// The built-in families, then those of `extra` (which replace same names).
    pub fn load(extra: Option<&Path>) -> Result<Families> {
        let mut families = Families::default();
        families.add_toml(BUILTIN_FAMILIES, "built-in families")?;
        if let Some(path) = extra {
            let raw = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read the families file {}", path.display()))?;
            families.add_toml(&raw, &path.display().to_string())?;
        }
        Ok(families)
    }

    fn add_toml(&mut self, raw: &str, origin: &str) -> Result<()> {
        let parsed: HashMap<String, FamilyEntry> = toml::from_str(raw).map_err(|e| {
            anyhow!("{origin}: not a valid families file ({e}); expected [name] tables with variants = [\"…\", …]")
        })?;
        for (name, entry) in parsed {
            if entry.variants.is_empty() {
                bail!("{origin}: family [{name}] has no variants");
            }
            let variants = entry
                .variants
                .iter()
                .map(|v| {
                    Literal::new(v)
                        .map_err(|e| anyhow!("{origin}: family [{name}], variant {v:?}: {e}"))
                })
                .collect::<Result<Vec<_>>>()?;
            self.0.insert(
                name.clone(),
                Family {
                    name,
                    description: entry.description,
                    variants,
                },
            );
        }
        Ok(())
    }

    /// `@name` is a family, anything else a literal term; surrounding quotes
    /// ("…", “…”) are dropped, and query operators are refused (a term is
    /// one literal string, not a query).
    pub fn resolve(&self, term: &str) -> Result<Subject, String> {
        self.resolve_with(term, false)
    }

    /// [`Families::resolve`]; with `scan`, a pattern with no literal part is
    /// allowed (it reads every document).
    pub fn resolve_with(&self, term: &str, scan: bool) -> Result<Subject, String> {
        let term = term.trim();
        // Curly quotes next to Chinese characters are text, as in queries
        // (“一带一路” is the quoted form, not the phrase 一带一路).
        let curly_quotes = !crate::query::curly_quote_is_text(term, 0);
        let term = ['"', '“']
            .iter()
            .zip(['"', '”'])
            .filter(|(open, _)| **open == '"' || curly_quotes)
            .find_map(|(&open, close)| term.strip_prefix(open)?.strip_suffix(close))
            .map_or(term, str::trim);
        if let Some(op) = term
            .split_whitespace()
            .find(|w| matches!(*w, "AND" | "OR" | "NOT"))
        {
            return Err(format!(
                "{op} is a query operator, and a term is one literal string: give the terms separately (tifa trace A B), as a family (@name), or use `tifa search` for queries"
            ));
        }
        if let Some(name) = term.strip_prefix('@') {
            return match self.0.get(name) {
                Some(f) => Ok(Subject::Family(f.clone())),
                None => Err(format!(
                    "unknown family @{name}; known: {}",
                    self.0
                        .keys()
                        .map(|k| format!("@{k}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            };
        }
        if crate::matcher::is_pattern_syntax(term) {
            let l = Literal::pattern(term, crate::matcher::PatternOptions::default())?;
            if !scan && l.pattern.as_ref().is_some_and(|p| !p.has_index_part()) {
                return Err(format!(
                    "the pattern {term} has no literal part the index can look up: give some fixed characters or a whole word (\\bword\\b in a /regex/), or add --scan to read every document"
                ));
            }
            return Ok(Subject::Literal(l));
        }
        Literal::new(term).map(Subject::Literal)
    }
}

/// The description that marks a family made of one term's script forms.
pub const SCRIPT_FORMS: &str = "Simplified and Traditional forms";

/// A Chinese term in its Simplified and Traditional forms (zhconv: MediaWiki's
/// and OpenCC's conversion tables, phrase-level where they differ): the term
/// itself first, then each other form once. Other terms: themselves.
pub fn script_forms(term: &str) -> Vec<String> {
    let mut forms = vec![term.to_string()];
    if !text::has_cjk(term) {
        return forms;
    }
    for v in [
        zhconv::Variant::ZhHans,
        zhconv::Variant::ZhHant,
        zhconv::Variant::ZhTW,
        zhconv::Variant::ZhHK,
    ] {
        let f = zhconv::zhconv(term, v);
        if !forms.contains(&f) {
            forms.push(f);
        }
    }
    forms
}

/// `--variants`: a literal Chinese term becomes the family of its script
/// forms (places counted once, the term's own label kept); a family gets the
/// forms of each of its variants. Patterns and English terms are unchanged.
pub fn with_script_forms(subjects: Vec<Subject>) -> Vec<Subject> {
    let forms_of = |l: &Literal| -> Vec<Literal> {
        if !l.cjk || l.is_pattern() {
            return vec![l.clone()];
        }
        script_forms(&l.raw)
            .iter()
            .filter_map(|f| Literal::new(f).ok())
            .collect()
    };
    subjects
        .into_iter()
        .map(|s| match s {
            Subject::Literal(l) => {
                let forms = forms_of(&l);
                if forms.len() == 1 {
                    Subject::Literal(l)
                } else {
                    Subject::Family(Family {
                        name: l.raw.clone(),
                        description: SCRIPT_FORMS.to_string(),
                        variants: forms,
                    })
                }
            }
            Subject::Family(mut f) => {
                let mut variants: Vec<Literal> = Vec::new();
                for v in &f.variants {
                    for form in forms_of(v) {
                        if !variants.iter().any(|x| x.normalized == form.normalized) {
                            variants.push(form);
                        }
                    }
                }
                f.variants = variants;
                Subject::Family(f)
            }
        })
        .collect()
}

/// Distinct strings a pattern matched in `matches`, most frequent first (ties
/// in string order): the first [`PATTERN_VARIANTS_SHOWN`], and how many there are.
pub fn pattern_variants(
    engine: &Engine,
    pattern: &Literal,
    matches: &[Match],
) -> Result<(Vec<Literal>, usize)> {
    let per_doc: Vec<Result<Vec<String>>> = matches
        .par_iter()
        .map(|m| {
            let doc = engine.stored(m.address)?;
            let mut found = Vec::new();
            for field in [&doc.title, &doc.text] {
                let normalized = text::nfkc(field);
                let prepared = crate::matcher::Prepared::new(&normalized);
                for (s, e) in pattern.find_prepared(&prepared) {
                    let hit = &normalized[s..e];
                    // English matches are told apart case-insensitively.
                    found.push(if pattern.cjk {
                        hit.to_string()
                    } else {
                        text::lowercase(hit).into_owned()
                    });
                }
            }
            Ok(found)
        })
        .collect();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for found in per_doc {
        for s in found? {
            *counts.entry(s).or_default() += 1;
        }
    }
    let total = counts.len();
    let mut ranked: Vec<(String, usize)> = counts.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let literals = ranked
        .into_iter()
        .take(PATTERN_VARIANTS_SHOWN)
        .filter_map(|(s, _)| Literal::new(&s).ok())
        .collect();
    Ok((literals, total))
}

/// Distinct strings of a pattern traced or timed as variants.
pub const PATTERN_VARIANTS_SHOWN: usize = 20;

/// The subjects a list of terms names: `@name` families (built-in, then those
/// of `families_file`) and literal terms.
pub fn subjects(terms: &[String], families_file: Option<&Path>) -> Result<Vec<Subject>> {
    subjects_with(terms, families_file, false)
}

/// [`subjects`]; with `scan`, patterns without a literal part are allowed.
pub fn subjects_with(
    terms: &[String],
    families_file: Option<&Path>,
    scan: bool,
) -> Result<Vec<Subject>> {
    let families = Families::load(families_file)?;
    terms
        .iter()
        .map(|t| {
            families.resolve_with(t, scan).map_err(|e| {
                let message = format!("term {t:?}: {e}");
                if t.trim().starts_with('@') {
                    crate::error::UserError::UnknownFamily(message).into()
                } else {
                    crate::error::UserError::BadQuery(message).into()
                }
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn script_forms_of_chinese_terms() {
        let forms = super::script_forms("网络主权");
        assert_eq!(forms[0], "网络主权");
        assert!(forms.contains(&"網絡主權".to_string()), "{forms:?}");
        assert!(super::script_forms("網絡主權").contains(&"网络主权".to_string()));
        assert_eq!(
            super::script_forms("cyber sovereignty"),
            ["cyber sovereignty"]
        );
    }

    use super::*;

    #[test]
    fn builtin_families_parse_and_cover_the_cyber_slogans() {
        let f = Families::load(None).expect("families");
        for name in [
            "cyber-sovereignty",
            "cyberspace-community",
            "mankind-community",
            "cyber-power",
        ] {
            assert!(f.0.contains_key(name), "{name}");
        }
        assert!(matches!(
            f.resolve("@cyber-sovereignty"),
            Ok(Subject::Family(_))
        ));
        assert!(f.resolve("@nope").is_err());
        let quoted = f
            .resolve("\"community with a shared future\"")
            .expect("term");
        assert_eq!(quoted.label(), "community with a shared future");
        assert_eq!(f.resolve("\"网络主权\"").expect("term").label(), "网络主权");
        assert_eq!(f.resolve("“网络主权”").expect("term").label(), "“网络主权”");
        assert_eq!(
            f.resolve("“cyber sovereignty”").expect("term").label(),
            "cyber sovereignty"
        );
        assert!(f.resolve("网络主权 OR 网络空间主权").is_err());
    }

    #[test]
    fn nested_variants_count_once() {
        let f = Families::load(None).expect("families");
        let s = f.resolve("@shared-future").expect("family");
        let text = "构建人类命运共同体和命运共同体; a community with a shared future";
        let mankind = f.resolve("@mankind-community").expect("family");
        assert_eq!(s.count(text), 3);
        assert_eq!(
            mankind.count("人类命运共同体 community of common destiny for mankind"),
            2
        );
        assert_eq!(
            merge_places(vec![(0, 5), (2, 5), (7, 9)]),
            vec![(0, 5), (7, 9)]
        );
    }
}
