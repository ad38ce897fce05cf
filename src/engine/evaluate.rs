//! Exact evaluation of a literal from postings: the plan of a term (runs of
//! Chinese characters as bigram phrases, English words), the candidate
//! documents from the gram field and the verified matches, and the ranking
//! signal from the word field.

use super::*;

/// One way of finding a term in the gram field.
#[derive(Clone, Debug)]
pub enum Part {
    /// Tokens at consecutive positions; a match spans `span` positions.
    Phrase {
        /// The tokens (character bigrams or English words), in order.
        tokens: Vec<String>,
        /// Positions a match spans.
        span: u32,
    },
    /// One CJK character: every gram that starts with it.
    Char(char),
    /// Every English word that starts with this (lower-cased) prefix.
    Prefix(String),
    /// Documents with any of these parts.
    AnyOf(Vec<Part>),
}

/// How a literal is evaluated.
#[derive(Clone, Debug)]
pub enum Plan {
    /// Postings give the exact answer.
    Exact(Part),
    /// Documents having all parts are candidates; stored text decides.
    Verify(Vec<Part>),
}

/// How a literal is found in the gram field.
pub fn plan(literal: &Literal) -> Plan {
    if let Some(p) = &literal.pattern {
        // Candidates: documents with every required literal and word prefix.
        let mut parts: Vec<Part> = Vec::new();
        for l in &p.required {
            match plan(l) {
                Plan::Exact(part) => parts.push(part),
                Plan::Verify(more) => parts.extend(more),
            }
        }
        parts.extend(p.required_prefixes.iter().map(|w| Part::Prefix(w.clone())));
        parts.extend(p.required_any.iter().map(|tokens| {
            Part::AnyOf(
                tokens
                    .iter()
                    .map(|t| Part::Phrase {
                        tokens: vec![t.clone()],
                        span: 1,
                    })
                    .collect(),
            )
        }));
        return Plan::Verify(parts);
    }
    let norm = &literal.normalized;
    if literal.cjk {
        let chars: Vec<char> = norm.chars().collect();
        let runs = cjk_runs(&chars);
        let pure = runs.len() == 1 && runs[0].len() == chars.len();
        let parts: Vec<Part> = runs.iter().map(|r| cjk_part(r)).collect();
        if pure {
            return Plan::Exact(parts.into_iter().next().unwrap_or(Part::Char(chars[0])));
        }
        return Plan::Verify(parts);
    }
    let mut tokens = Vec::new();
    let n = GramTokenizer::tokenize_into(norm, &mut tokens);
    let mut words: Vec<String> = tokens[..n].iter().map(|t| t.text.clone()).collect();
    // tantivy cannot index a word over its term limit: find such words by
    // verification, with the other words as candidates.
    let too_long = words
        .iter()
        .any(|w| w.len() > crate::corpus::MAX_TERM_BYTES);
    words.retain(|w| w.len() <= crate::corpus::MAX_TERM_BYTES);
    let plain = !too_long && !words.is_empty() && words.join(" ") == *norm;
    if plain {
        let span = words.len() as u32;
        return Plan::Exact(Part::Phrase {
            tokens: words,
            span,
        });
    }
    Plan::Verify(
        words
            .into_iter()
            .map(|w| Part::Phrase {
                tokens: vec![w],
                span: 1,
            })
            .collect(),
    )
}

pub(super) fn cjk_runs(chars: &[char]) -> Vec<Vec<char>> {
    let mut runs = Vec::new();
    let mut current = Vec::new();
    for &c in chars {
        if is_cjk(c) {
            current.push(c);
        } else if !current.is_empty() {
            runs.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        runs.push(current);
    }
    runs
}

pub(super) fn cjk_part(run: &[char]) -> Part {
    if run.len() == 1 {
        return Part::Char(run[0]);
    }
    let tokens = run.windows(2).map(|w| w.iter().collect()).collect();
    Part::Phrase {
        tokens,
        span: run.len() as u32,
    }
}

/// A document that matches, with its occurrences (title + text) and those in the title.
#[derive(Clone, Copy, Debug)]
pub struct Match {
    /// The document.
    pub address: DocAddress,
    /// Occurrences in its title and text.
    pub occurrences: u32,
    /// Occurrences in its title.
    pub title_occurrences: u32,
}

impl Engine {
    /// Every document containing `literal` (kept by `allowed`), in address order,
    /// with exact occurrence counts.
    pub fn evaluate(&self, literal: &Literal, allowed: &Allowed) -> Result<Vec<Match>> {
        Ok(self
            .evaluate_many(std::slice::from_ref(literal), allowed)?
            .pop()
            .unwrap_or_default())
    }

    /// [`Engine::evaluate`] for several literals at once: the literals that
    /// need verification share one pass over the stored documents (a query of
    /// many punctuation-only terms reads the corpus once, not once per term).
    pub fn evaluate_many(
        &self,
        literals: &[Literal],
        allowed: &Allowed,
    ) -> Result<Vec<Vec<Match>>> {
        let mut out: Vec<Vec<Match>> = vec![Vec::new(); literals.len()];
        // Per document: the verifying literals whose postings allow it.
        let mut candidates: BTreeMap<DocAddress, Vec<usize>> = BTreeMap::new();
        for (i, literal) in literals.iter().enumerate() {
            match plan(literal) {
                Plan::Exact(part) => {
                    for s in 0..self.searcher.segment_readers().len() as u32 {
                        for m in self.part_matches(s, &part)? {
                            if allowed.keeps(m.address) {
                                out[i].push(m);
                            }
                        }
                    }
                }
                Plan::Verify(parts) => {
                    for address in self.candidates(&parts, allowed)? {
                        candidates.entry(address).or_default().push(i);
                    }
                }
            }
        }
        let candidates: Vec<(DocAddress, Vec<usize>)> = candidates.into_iter().collect();
        let verified: Vec<Result<Vec<(usize, Match)>>> = candidates
            .par_iter()
            .map(|(address, which)| {
                allowed.check()?;
                let doc = self.stored(*address)?;
                // Normalised (and lower-cased) once for all the literals.
                let (title, text) = (crate::text::nfkc(&doc.title), crate::text::nfkc(&doc.text));
                let (title, text) = (Prepared::new(&title), Prepared::new(&text));
                Ok(which
                    .iter()
                    .filter_map(|&i| {
                        let title_occurrences = literals[i].find_prepared(&title).len() as u32;
                        let occurrences =
                            title_occurrences + literals[i].find_prepared(&text).len() as u32;
                        (occurrences > 0).then_some((
                            i,
                            Match {
                                address: *address,
                                occurrences,
                                title_occurrences,
                            },
                        ))
                    })
                    .collect())
            })
            .collect();
        for v in verified {
            for (i, m) in v? {
                out[i].push(m);
            }
        }
        Ok(out)
    }

    /// Documents (kept by `allowed`) that have every part: a superset of the
    /// documents containing the literal. No parts: every document.
    fn candidates(&self, parts: &[Part], allowed: &Allowed) -> Result<Vec<DocAddress>> {
        let mut candidates = Vec::new();
        for s in 0..self.searcher.segment_readers().len() as u32 {
            let mut docs: Option<Vec<DocId>> = None;
            for part in parts {
                let found: Vec<DocId> = self
                    .part_matches(s, part)?
                    .iter()
                    .map(|m| m.address.doc_id)
                    .collect();
                docs = Some(match docs {
                    None => found,
                    Some(prev) => intersect_sorted(&prev, &found),
                });
            }
            let docs =
                docs.unwrap_or_else(|| (0..self.searcher.segment_reader(s).max_doc()).collect());
            candidates.extend(
                docs.into_iter()
                    .map(|d| DocAddress::new(s, d))
                    .filter(|a| allowed.keeps(*a)),
            );
        }
        Ok(candidates)
    }

    /// BM25 of each literal as one whole jieba word (the `words` field), for
    /// the documents in `addresses` (sorted). A document where jieba reads
    /// 新时代 as a word ranks above one where the match straddles words
    /// (崭新/时代); recall never depends on it, and no dictionary is loaded:
    /// the term itself is looked up.
    pub fn whole_word_bonus(
        &self,
        literals: &[&Literal],
        addresses: &[DocAddress],
        (k1, b): (f64, f64),
    ) -> Result<HashMap<DocAddress, f64>> {
        let mut bonus: HashMap<DocAddress, f64> = HashMap::new();
        let field = self.fields.words;
        let n = self.num_docs().max(1) as f64;
        for literal in literals {
            let term = Term::from_field_text(field, &literal.normalized);
            let mut df = 0u64;
            for reader in self.searcher.segment_readers() {
                let inverted = reader.inverted_index(field)?;
                df += u64::from(inverted.doc_freq(&term)?);
            }
            if df == 0 {
                continue;
            }
            let tokens = self.word_tokens()?;
            let idf = (1.0 + (n - df as f64 + 0.5) / (df as f64 + 0.5)).ln();
            let avg = (tokens as f64 / n).max(1.0);
            for (s, reader) in self.searcher.segment_readers().iter().enumerate() {
                let inverted = reader.inverted_index(field)?;
                let Some(mut postings) =
                    inverted.read_postings(&term, IndexRecordOption::WithFreqs)?
                else {
                    continue;
                };
                let norms = reader.get_fieldnorms_reader(field)?;
                let in_segment = addresses.iter().filter(|a| a.segment_ord == s as u32);
                for &address in in_segment {
                    if postings.doc() == TERMINATED {
                        break;
                    }
                    let id = address.doc_id;
                    let at = if postings.doc() < id {
                        postings.seek(id)
                    } else {
                        postings.doc()
                    };
                    if at == id {
                        let tf = f64::from(postings.term_freq());
                        let len = f64::from(norms.fieldnorm(id));
                        *bonus.entry(address).or_default() +=
                            idf * tf * (k1 + 1.0) / (tf + k1 * (1.0 - b + b * len / avg));
                    }
                }
            }
        }
        Ok(bonus)
    }

    /// jieba words in all live documents, from the field norms (the lengths
    /// BM25 uses per document). Summed here rather than taken from tantivy's
    /// per-segment totals, which a merge of segments with deleted documents
    /// re-estimates: the same documents give the same figure however the
    /// index was built (in full or by `--update`).
    fn word_tokens(&self) -> Result<u64> {
        if let Some(&t) = self.word_tokens.get() {
            return Ok(t);
        }
        let mut total = 0u64;
        for reader in self.searcher.segment_readers() {
            let norms = reader.get_fieldnorms_reader(self.fields.words)?;
            total += reader
                .doc_ids_alive()
                .map(|d| u64::from(norms.fieldnorm(d)))
                .sum::<u64>();
        }
        Ok(*self.word_tokens.get_or_init(|| total))
    }

    /// Matches of one part in one segment, from postings and positions.
    fn part_matches(&self, segment: u32, part: &Part) -> Result<Vec<Match>> {
        let reader = self.searcher.segment_reader(segment);
        let inverted = reader.inverted_index(self.fields.grams)?;
        let title_end = &self.columns[segment as usize].title_end;
        let mut out = Vec::new();
        match part {
            Part::AnyOf(parts) => {
                // Candidates only: occurrences of the alternatives summed.
                let mut by_doc: BTreeMap<DocId, (u32, u32)> = BTreeMap::new();
                for p in parts {
                    for m in self.part_matches(segment, p)? {
                        let e = by_doc.entry(m.address.doc_id).or_default();
                        e.0 += m.occurrences;
                        e.1 += m.title_occurrences;
                    }
                }
                out.extend(by_doc.into_iter().map(|(doc, (occ, title))| Match {
                    address: DocAddress::new(segment, doc),
                    occurrences: occ,
                    title_occurrences: title,
                }));
            }
            Part::Char(_) | Part::Prefix(_) => {
                let prefix = match part {
                    Part::Char(c) => c.to_string().into_bytes(),
                    Part::Prefix(p) => p.clone().into_bytes(),
                    Part::Phrase { .. } | Part::AnyOf(_) => Vec::new(),
                };
                let mut upper = prefix.clone();
                if let Some(last) = upper.last_mut() {
                    *last += 1;
                }
                let mut counts: BTreeMap<DocId, (u32, u32)> = BTreeMap::new();
                let mut stream = inverted
                    .terms()
                    .range()
                    .ge(&prefix)
                    .lt(&upper)
                    .into_stream()?;
                let mut positions = Vec::new();
                while stream.advance() {
                    let info = stream.value().clone();
                    let mut p = inverted.read_postings_from_terminfo(
                        &info,
                        IndexRecordOption::WithFreqsAndPositions,
                    )?;
                    while p.doc() != TERMINATED {
                        let doc = p.doc();
                        let end = title_end.first(doc).unwrap_or(0) as u32;
                        p.positions(&mut positions);
                        let entry = counts.entry(doc).or_default();
                        entry.0 += positions.len() as u32;
                        entry.1 += positions.iter().filter(|&&x| x < end).count() as u32;
                        p.advance();
                    }
                }
                out.extend(counts.into_iter().map(|(doc, (occ, title))| Match {
                    address: DocAddress::new(segment, doc),
                    occurrences: occ,
                    title_occurrences: title,
                }));
            }
            Part::Phrase { tokens, span } => {
                let mut postings: Vec<(u32, SegmentPostings)> = Vec::new();
                for (offset, token) in tokens.iter().enumerate() {
                    let term = Term::from_field_text(self.fields.grams, token);
                    match inverted.read_postings(&term, IndexRecordOption::WithFreqsAndPositions)? {
                        Some(p) => postings.push((offset as u32, p)),
                        None => return Ok(out),
                    }
                }
                // Drive by the rarest token.
                postings.sort_by_key(|(_, p)| p.doc_freq());
                let mut starts: Vec<u32> = Vec::new();
                let mut buf: Vec<u32> = Vec::new();
                let mut doc = postings[0].1.doc();
                'docs: while doc != TERMINATED {
                    for (_, p) in postings.iter_mut().skip(1) {
                        let d = if p.doc() < doc { p.seek(doc) } else { p.doc() };
                        if d > doc {
                            doc = postings[0].1.seek(d);
                            continue 'docs;
                        }
                    }
                    // All tokens are in `doc`: candidate starts from the rarest, then filter.
                    let (off0, p0) = &mut postings[0];
                    p0.positions(&mut buf);
                    starts.clear();
                    starts.extend(buf.iter().filter(|&&x| x >= *off0).map(|&x| x - *off0));
                    for (off, p) in postings.iter_mut().skip(1) {
                        p.positions(&mut buf);
                        starts.retain(|&s| buf.binary_search(&(s + *off)).is_ok());
                        if starts.is_empty() {
                            break;
                        }
                    }
                    if !starts.is_empty() {
                        starts.sort_unstable();
                        let end = title_end.first(doc).unwrap_or(0) as u32;
                        let (mut occ, mut title, mut next_free) = (0u32, 0u32, 0u32);
                        for &s in &starts {
                            if s >= next_free {
                                occ += 1;
                                if s < end {
                                    title += 1;
                                }
                                next_free = s + span;
                            }
                        }
                        out.push(Match {
                            address: DocAddress::new(segment, doc),
                            occurrences: occ,
                            title_occurrences: title,
                        });
                    }
                    doc = postings[0].1.advance();
                }
            }
        }
        Ok(out)
    }
}

pub(super) fn intersect_sorted(a: &[DocId], b: &[DocId]) -> Vec<DocId> {
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                out.push(a[i]);
                i += 1;
                j += 1;
            }
        }
    }
    out
}
