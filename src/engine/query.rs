//! The `search` query language. What people type is a phrase, as with grep:
//! a run of bare words with no operator between them is one phrase
//! (`cyber sovereignty`, `网络主权`); quoted phrases; `AND`/`OR`/`NOT` (upper
//! case) and parentheses combine them, adjacent phrases meaning AND.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use anyhow::Result;
use tantivy::DocAddress;

use crate::engine::{Allowed, Engine, Match};
use crate::matcher::{Literal, PatternOptions, is_pattern_syntax};

/// A parsed query.
#[derive(Clone, Debug)]
pub enum Expr {
    /// A term.
    Term(Literal),
    /// Both sides.
    And(Box<Expr>, Box<Expr>),
    /// Either side.
    Or(Box<Expr>, Box<Expr>),
    /// Not the inner expression.
    Not(Box<Expr>),
}

impl Expr {
    /// Literals that count towards a document's relevance (not under NOT).
    pub fn positive_terms(&self) -> Vec<&Literal> {
        match self {
            Expr::Term(l) => vec![l],
            Expr::And(a, b) | Expr::Or(a, b) => {
                let mut v = a.positive_terms();
                v.extend(b.positive_terms());
                v
            }
            Expr::Not(_) => Vec::new(),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Phrase(String),
    /// A bare word with its byte range in the query.
    Word(String, usize, usize),
    And,
    Or,
    Not,
    /// `NEAR/n`
    Near(usize),
    Open,
    Close,
}

/// The longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 10_000;

fn lex(input: &str) -> Result<Vec<Token>, String> {
    if input.chars().count() > MAX_QUERY_CHARS {
        return Err(format!(
            "the query is longer than {MAX_QUERY_CHARS} characters"
        ));
    }
    let mut tokens = Vec::new();
    let mut chars = input.char_indices().peekable();
    while let Some(&(i, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c == '(' {
            chars.next();
            tokens.push(Token::Open);
        } else if c == ')' {
            chars.next();
            tokens.push(Token::Close);
        } else if c == '/' {
            // A regular expression runs to the next unescaped '/', spaces,
            // quotes and parentheses included.
            chars.next();
            let mut end = None;
            let mut escaped = false;
            for (j, d) in chars.by_ref() {
                if d == '/' && !escaped {
                    end = Some(j + 1);
                    break;
                }
                escaped = d == '\\' && !escaped;
            }
            let Some(end) = end else {
                return Err(format!(
                    "unclosed regular expression: the / at character {} has no closing /",
                    input[..i].chars().count() + 1
                ));
            };
            tokens.push(Token::Word(input[i..end].to_string(), i, end));
        } else if c == '"' || ((c == '“' || c == '”') && !curly_quote_is_text(input, i)) {
            chars.next();
            let mut phrase = String::new();
            let mut closed = false;
            // A phrase opened by an ASCII quote closes only at an ASCII quote,
            // so Chinese quotation marks inside it are text.
            let ascii = c == '"';
            for (_, d) in chars.by_ref() {
                if d == '"' || (!ascii && (d == '”' || d == '“')) {
                    closed = true;
                    break;
                }
                phrase.push(d);
            }
            if !closed {
                return Err(format!(
                    "unbalanced quote: the phrase starting at character {} has no closing \"",
                    input[..i].chars().count() + 1
                ));
            }
            if phrase.trim().is_empty() {
                return Err("empty phrase \"\" in the query".into());
            }
            tokens.push(Token::Phrase(phrase));
        } else {
            let mut word = String::new();
            let mut end = i;
            while let Some(&(j, d)) = chars.peek() {
                if d.is_whitespace()
                    || matches!(d, '(' | ')' | '"')
                    || (matches!(d, '“' | '”') && !curly_quote_is_text(input, j))
                {
                    break;
                }
                word.push(d);
                end = j + d.len_utf8();
                chars.next();
            }
            let near = word
                .strip_prefix("NEAR/")
                .and_then(|n| n.parse::<usize>().ok());
            tokens.push(match word.as_str() {
                "AND" => Token::And,
                "OR" => Token::Or,
                "NOT" => Token::Not,
                _ if near.is_some() => Token::Near(near.unwrap_or(0)),
                _ => Token::Word(word, i, end),
            });
        }
    }
    Ok(merge_words(input, tokens))
}

/// Chinese official text prints formulations with quotation marks inside them
/// (“一带一路”建设): a curly double quote next to a CJK character (Han, or CJK
/// punctuation) is part of the text searched; only one between spaces, Latin
/// text or the ends of the query is a phrase quote. ‘ ’ 「 」 『 』 《 》 are
/// always text. `at` is the byte offset of the quote in `input`.
pub fn curly_quote_is_text(input: &str, at: usize) -> bool {
    let before = input[..at].chars().next_back();
    let after = input[at..].chars().nth(1);
    before.is_some_and(crate::text::is_cjk) || after.is_some_and(crate::text::is_cjk)
}

/// Consecutive bare words become one phrase, spelled as typed between them.
fn merge_words(input: &str, tokens: Vec<Token>) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::with_capacity(tokens.len());
    for t in tokens {
        match (out.last_mut(), t) {
            (Some(Token::Word(text, start, end)), Token::Word(_, _, next_end)) => {
                *end = next_end;
                *text = input[*start..*end].to_string();
            }
            (_, t) => out.push(t),
        }
    }
    out
}

/// Hints about a query that parses but may not mean what was meant: `and`,
/// `or`, `not` in lower case inside a phrase.
pub fn warnings(input: &str) -> Vec<String> {
    let Ok(tokens) = lex(input) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for t in tokens {
        let Token::Word(phrase, ..) = t else { continue };
        let words: Vec<&str> = phrase.split_whitespace().collect();
        if words.len() < 3 {
            continue;
        }
        for w in &words[1..words.len() - 1] {
            if matches!(*w, "and" | "or" | "not") {
                out.push(format!(
                    "\"{phrase}\" is searched as one phrase (with the word {w:?}); for the operator write {} in upper case",
                    w.to_uppercase()
                ));
            }
        }
    }
    out
}

/// Parses a query; the error says what is wrong in words a user can act on.
pub fn parse(input: &str) -> Result<Expr, String> {
    parse_with(input, &QueryOptions::default())
}

/// `@name` words of a query (outside quotes) as the family's variants, each
/// quoted, OR'd in parentheses: `@belt-and-road` finds what `tifa trace
/// @belt-and-road` counts (it used to find nothing, silently). The built-in
/// families; an unknown name is an error that lists them.
pub fn expand_families(input: &str) -> Result<String, String> {
    if !input.contains('@') {
        return Ok(input.to_string());
    }
    static BUILTIN: std::sync::OnceLock<Option<crate::terms::Families>> =
        std::sync::OnceLock::new();
    match BUILTIN.get_or_init(|| crate::terms::Families::load(None).ok()) {
        Some(families) => expand_families_in(input, families),
        None => Err("the built-in families could not be read".into()),
    }
}

/// [`expand_families`] with these families (the built-in ones and those of
/// a `--families` file: [`crate::terms::Families::load`]).
pub fn expand_families_in(
    input: &str,
    families: &crate::terms::Families,
) -> Result<String, String> {
    if !input.contains('@') {
        return Ok(input.to_string());
    }
    let families = Some(families);
    let mut out = String::with_capacity(input.len());
    let mut in_quotes = false;
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| -> Result<(), String> {
        let name = word.as_str();
        let is_family = name.len() > 1
            && name.starts_with('@')
            && name[1..]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if is_family {
            let family = families
                .as_ref()
                .and_then(|f| f.0.get(&name[1..]))
                .ok_or_else(|| {
                    format!(
                        "unknown family {name}: the families are {} (tifa families lists their variants)",
                        families
                            .as_ref()
                            .map(|f| f.0.keys().map(|n| format!("@{n}")).collect::<Vec<_>>().join(", "))
                            .unwrap_or_default()
                    )
                })?;
            let variants: Vec<String> = family
                .variants
                .iter()
                .map(|v| format!("\"{}\"", v.raw.replace('"', "")))
                .collect();
            out.push('(');
            out.push_str(&variants.join(" OR "));
            out.push(')');
        } else {
            out.push_str(word);
        }
        word.clear();
        Ok(())
    };
    for c in input.chars() {
        if c == '"' {
            in_quotes = !in_quotes;
        }
        if in_quotes || c == '"' || c.is_whitespace() || c == '(' || c == ')' {
            flush(&mut word, &mut out)?;
            out.push(c);
        } else {
            word.push(c);
        }
    }
    flush(&mut word, &mut out)?;
    Ok(out)
}

/// How patterns in a query read, and whether one may read every document.
#[derive(Clone, Copy, Debug, Default)]
pub struct QueryOptions {
    /// How patterns in the query are read.
    pub patterns: PatternOptions,
    /// Allow a pattern with no literal part (it reads every document).
    pub scan: bool,
    /// A Chinese phrase also in its other script forms (Traditional/Simplified).
    pub variants: bool,
}

/// [`parse`] with pattern options: bare terms with `?`, `*` or `/…/` are
/// patterns, `A NEAR/n B` a proximity; quoted phrases stay literal.
pub fn parse_with(input: &str, options: &QueryOptions) -> Result<Expr, String> {
    let expanded = expand_families(input)?;
    let tokens = lex(&expanded)?;
    if tokens.is_empty() {
        return Err("empty query: give a word, a Chinese string or a \"quoted phrase\"".into());
    }
    let mut p = Parser {
        tokens,
        at: 0,
        depth: 0,
        options: *options,
    };
    let e = p.or()?;
    if p.at < p.tokens.len() {
        return Err(match p.tokens[p.at] {
            Token::Close => "unbalanced parenthesis: a ')' has no matching '('".into(),
            _ => "unexpected text after the end of the query".into(),
        });
    }
    Ok(without_repeats(e))
}

/// The same term twice in a chain of OR (or of AND) is the term once: `的 OR
/// 的 OR …` ×256 costs what `的` costs (it took 55 s before, each repeat
/// counted and recounted in every document).
fn without_repeats(e: Expr) -> Expr {
    fn key(e: &Expr) -> Option<(String, bool, bool)> {
        match e {
            Expr::Term(l) => Some((l.normalized.clone(), l.cjk, l.is_pattern())),
            _ => None,
        }
    }
    fn flatten(e: Expr, or: bool, out: &mut Vec<Expr>) {
        match e {
            Expr::Or(a, b) if or => {
                flatten(*a, or, out);
                flatten(*b, or, out);
            }
            Expr::And(a, b) if !or => {
                flatten(*a, or, out);
                flatten(*b, or, out);
            }
            other => out.push(without_repeats(other)),
        }
    }
    let or = match e {
        Expr::Or(..) => true,
        Expr::And(..) => false,
        Expr::Not(inner) => return Expr::Not(Box::new(without_repeats(*inner))),
        Expr::Term(_) => return e,
    };
    let mut parts = Vec::new();
    flatten(e, or, &mut parts);
    let mut seen = std::collections::HashSet::new();
    parts.retain(|p| key(p).is_none_or(|k| seen.insert(k)));
    let mut parts = parts.into_iter();
    // A chain has two parts at least, and the first is always kept.
    let first = parts.next().expect("a chain keeps its first part");
    parts.fold(first, |acc, p| {
        if or {
            Expr::Or(Box::new(acc), Box::new(p))
        } else {
            Expr::And(Box::new(acc), Box::new(p))
        }
    })
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
    depth: usize,
    options: QueryOptions,
}

const MAX_DEPTH: usize = 100;

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }
    fn or(&mut self) -> Result<Expr, String> {
        let mut left = self.and()?;
        while self.peek() == Some(&Token::Or) {
            self.at += 1;
            let right = self.and()?;
            left = Expr::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }
    fn and(&mut self) -> Result<Expr, String> {
        let mut left = self.near()?;
        loop {
            match self.peek() {
                Some(Token::And) => {
                    self.at += 1;
                }
                Some(Token::Phrase(_) | Token::Word(..) | Token::Not | Token::Open) => {}
                _ => break,
            }
            let right = self.near()?;
            left = Expr::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }
    /// `A NEAR/n B` binds tighter than AND.
    fn near(&mut self) -> Result<Expr, String> {
        let mut left = self.unary()?;
        while let Some(Token::Near(n)) = self.peek().cloned() {
            self.at += 1;
            let right = self.unary()?;
            left = match (left, right) {
                (Expr::Term(a), Expr::Term(b)) => {
                    let l = Literal::near(&a, &b, n)?;
                    self.check_scan(&l)?;
                    Expr::Term(l)
                }
                _ => {
                    return Err(
                        "NEAR/n joins two terms or phrases (not parentheses, AND/OR or NOT)".into(),
                    );
                }
            };
        }
        Ok(left)
    }
    /// A phrase, with `--variants` the OR of its script forms.
    fn phrase(&self, s: &str) -> Result<Expr, String> {
        let first = Expr::Term(self.literal(s)?);
        if !self.options.variants || !crate::text::has_cjk(s) {
            return Ok(first);
        }
        let mut e = first;
        for form in crate::terms::script_forms(s).iter().skip(1) {
            e = Expr::Or(Box::new(e), Box::new(Expr::Term(self.literal(form)?)));
        }
        Ok(e)
    }
    /// A phrase: literal, or with `--loose-punct` free in its punctuation.
    fn literal(&self, s: &str) -> Result<Literal, String> {
        if self.options.patterns.loose_punct {
            Literal::loose(s)
        } else {
            Literal::new(s)
        }
    }
    fn check_scan(&self, l: &Literal) -> Result<(), String> {
        if let Some(p) = &l.pattern
            && !p.has_index_part()
            && !self.options.scan
        {
            return Err(format!(
                "the pattern {} has no literal part the index can look up (a Chinese string, a whole English word, or a word prefix of 2+ letters): it would read every document; add --scan to allow that",
                l.raw
            ));
        }
        Ok(())
    }
    fn unary(&mut self) -> Result<Expr, String> {
        match self.tokens.get(self.at).cloned() {
            Some(Token::Not) => {
                self.at += 1;
                self.enter()?;
                let e = self.unary()?;
                self.depth -= 1;
                Ok(Expr::Not(Box::new(e)))
            }
            Some(Token::Open) => {
                self.at += 1;
                self.enter()?;
                let e = self.or()?;
                self.depth -= 1;
                if self.peek() != Some(&Token::Close) {
                    return Err("unbalanced parenthesis: a '(' is not closed".into());
                }
                self.at += 1;
                Ok(e)
            }
            Some(Token::Phrase(s)) => {
                self.at += 1;
                self.phrase(&s)
            }
            Some(Token::Word(s, ..)) => {
                self.at += 1;
                if is_pattern_syntax(&s) {
                    let l = Literal::pattern(&s, self.options.patterns)?;
                    self.check_scan(&l)?;
                    return Ok(Expr::Term(l));
                }
                self.phrase(&s)
            }
            Some(Token::Near(_)) => Err("NEAR/n needs a term on both sides".into()),
            Some(Token::Close) => Err("unbalanced parenthesis: ')' where a term was expected".into()),
            Some(Token::And | Token::Or) => Err(
                "AND/OR needs a term on both sides (write and/or in lower case, or quote them, to search for the words)"
                    .into(),
            ),
            None => Err("the query ends where a term was expected".into()),
        }
    }
    fn enter(&mut self) -> Result<(), String> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(format!("the query nests deeper than {MAX_DEPTH} levels"));
        }
        Ok(())
    }
}

/// Per document: the matches of each positive literal (by index in `positive_terms`).
pub type Evaluation = BTreeMap<DocAddress, Vec<Option<Match>>>;

/// Evaluates a query exactly; NOT is relative to the documents the filter keeps.
pub fn evaluate(engine: &Engine, expr: &Expr, allowed: &Allowed) -> Result<Evaluation> {
    let terms = expr.positive_terms();
    // Identical literals are evaluated once; all of them in one call, so that
    // the ones needing verification share one pass over the stored text.
    let mut unique: Vec<Literal> = Vec::new();
    let mut slot_of: HashMap<(String, bool, bool), usize> = HashMap::new();
    let slots: Vec<usize> = terms
        .iter()
        .map(|t| {
            *slot_of
                .entry((t.normalized.clone(), t.cjk, t.is_pattern()))
                .or_insert_with(|| {
                    unique.push((*t).clone());
                    unique.len() - 1
                })
        })
        .collect();
    let results: Vec<Arc<BTreeMap<DocAddress, Match>>> = engine
        .evaluate_many(&unique, allowed)?
        .into_iter()
        .map(|matches| Arc::new(matches.into_iter().map(|m| (m.address, m)).collect()))
        .collect();
    let leaf_results: Vec<Arc<BTreeMap<DocAddress, Match>>> =
        slots.iter().map(|&i| results[i].clone()).collect();
    let mut counter = 0usize;
    let docs = eval_set(engine, expr, allowed, &leaf_results, &mut counter)?;
    Ok(docs
        .into_iter()
        .map(|a| {
            let per_leaf = leaf_results.iter().map(|r| r.get(&a).copied()).collect();
            (a, per_leaf)
        })
        .collect())
}

fn eval_set(
    engine: &Engine,
    expr: &Expr,
    allowed: &Allowed,
    leaves: &[Arc<BTreeMap<DocAddress, Match>>],
    counter: &mut usize,
) -> Result<std::collections::BTreeSet<DocAddress>> {
    Ok(match expr {
        Expr::Term(_) => {
            let set = leaves[*counter].keys().copied().collect();
            *counter += 1;
            set
        }
        Expr::And(a, b) => {
            let x = eval_set(engine, a, allowed, leaves, counter)?;
            let y = eval_set(engine, b, allowed, leaves, counter)?;
            x.intersection(&y).copied().collect()
        }
        Expr::Or(a, b) => {
            let x = eval_set(engine, a, allowed, leaves, counter)?;
            let y = eval_set(engine, b, allowed, leaves, counter)?;
            x.union(&y).copied().collect()
        }
        Expr::Not(inner) => {
            // Terms under NOT are not positive: evaluate them separately.
            let excluded = negative_set(engine, inner, allowed)?;
            engine
                .all_addresses()
                .filter(|a| allowed.keeps(*a) && !excluded.contains(a))
                .collect()
        }
    })
}

fn negative_set(
    engine: &Engine,
    expr: &Expr,
    allowed: &Allowed,
) -> Result<std::collections::BTreeSet<DocAddress>> {
    let evaluation = evaluate(engine, expr, allowed)?;
    Ok(evaluation.into_keys().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(e: &Expr) -> String {
        match e {
            Expr::Term(l) => l.normalized.clone(),
            Expr::And(a, b) => format!("({} & {})", show(a), show(b)),
            Expr::Or(a, b) => format!("({} | {})", show(a), show(b)),
            Expr::Not(a) => format!("!{}", show(a)),
        }
    }

    fn p(q: &str) -> String {
        match parse(q) {
            Ok(e) => show(&e),
            Err(e) => format!("ERR {e}"),
        }
    }

    #[test]
    fn grammar() {
        assert_eq!(p("网络主权"), "网络主权");
        assert_eq!(
            p("\"Community with a Shared Future\""),
            "community with a shared future"
        );
        assert_eq!(p("a b OR c"), "(a b | c)");
        assert_eq!(p("cyber sovereignty"), "cyber sovereignty");
        assert_eq!(p("cyber AND sovereignty"), "(cyber & sovereignty)");
        assert_eq!(p("\"a\" \"b\""), "(a & b)");
        assert_eq!(p("网络  主权"), "网络  主权");
        assert_eq!(p("a AND (b OR NOT c)"), "(a & (b | !c))");
        assert_eq!(p("网络 NOT 安全"), "(网络 & !安全)");
        assert_eq!(p("互联网+ 治理"), "互联网+ 治理");
        // A repeated term is evaluated once.
        assert_eq!(p("的 OR 的 OR 网络 OR 的"), "(的 | 网络)");
        assert_eq!(p("的 AND (的 OR 的)"), "的");
        assert_eq!(p("a OR NOT (b OR b)"), "(a | !b)");
        // Chinese quotation marks next to Chinese characters are text.
        assert_eq!(p("“一带一路”建设"), "“一带一路”建设");
        assert_eq!(p("“一带一路”"), "“一带一路”");
        assert_eq!(p("\"“一带一路”建设\""), "“一带一路”建设");
        assert_eq!(
            p("“四个全面”战略布局 OR 网络"),
            "(“四个全面”战略布局 | 网络)"
        );
        assert_eq!(p("「一国两制」"), "「一国两制」");
        // Next to Latin text or spaces they still quote a phrase.
        assert_eq!(p("“shared future” “cyber”"), "(shared future & cyber)");
        assert_eq!(p("网络 “cyber space”"), "(网络 & cyber space)");
        assert_eq!(
            warnings("peace and development"),
            vec!["\"peace and development\" is searched as one phrase (with the word \"and\"); for the operator write AND in upper case".to_string()]
        );
        assert!(warnings("peace AND development").is_empty());
    }

    #[test]
    fn patterns_and_near() {
        let is_pattern = |q: &str| matches!(parse(q), Ok(Expr::Term(l)) if l.is_pattern());
        assert!(is_pattern("网络?权"));
        assert!(is_pattern("cyber*"));
        assert!(is_pattern("/一带一路(倡议|建设)/"));
        assert!(is_pattern("网络 NEAR/3 主权"));
        // Quoted: the characters themselves.
        assert!(!is_pattern("\"网络?权\""));
        assert_eq!(p("a NEAR/2 b OR c"), "(a NEAR/2 b | c)");
        assert!(p("/[/").contains("bad regular expression"));
        assert!(p("/abc").contains("unclosed regular expression"));
        assert!(p("* ?").contains("only wildcards"));
        assert!(p("/\\d+/").contains("--scan"));
        // @family: its variants, quoted, OR'd; an unknown one is named.
        let e = expand_families("@belt-and-road 合作").expect("family");
        assert!(e.starts_with("(\"一带一路\" OR \"Belt and Road\""), "{e}");
        assert!(e.ends_with(") 合作"), "{e}");
        assert_eq!(
            expand_families("\"@x y\" a@b").as_deref(),
            Ok("\"@x y\" a@b")
        );
        assert!(expand_families("@nope").is_err_and(|e| e.contains("@belt-and-road")));
        let scan = QueryOptions {
            scan: true,
            ..QueryOptions::default()
        };
        assert!(parse_with("/\\d+/", &scan).is_ok());
        assert!(p("(a OR b) NEAR/2 c").contains("NEAR/n joins two terms"));
        // The glob reads as documented.
        let find = |q: &str, t: &str| match parse(q) {
            Ok(Expr::Term(l)) => l
                .find(t)
                .into_iter()
                .map(|(s, e)| t[s..e].to_string())
                .collect::<Vec<_>>(),
            _ => Vec::new(),
        };
        assert_eq!(
            find("网络?权", "维护网络主权和网络霸权，网络。权"),
            ["网络主权", "网络霸权"]
        );
        assert_eq!(find("命运*体", "命运共同体。命运。体"), ["命运共同体"]);
        assert_eq!(
            find("cyber*", "Cyberspace and cyber-security, not hypercyber"),
            ["Cyberspace", "cyber"]
        );
        assert_eq!(
            find(
                "global * governance",
                "Global economic governance, global governance"
            ),
            ["Global economic governance"]
        );
        assert_eq!(
            find("网络 NEAR/2 主权", "主权在网络；网络的主权"),
            ["主权在网络", "网络的主权"]
        );
    }

    #[test]
    fn errors_are_clear() {
        assert!(p("\"unbalanced").contains("unbalanced quote"));
        assert!(p("(a OR b").contains("not closed"));
        assert!(p("a)").contains("no matching"));
        assert!(p("").contains("empty query"));
        assert!(p("   ").contains("empty query"));
        assert!(p("a OR").contains("ends where a term"));
        assert!(p("AND a").contains("AND/OR"));
        assert!(p("\"\"").contains("empty phrase"));
    }
}
