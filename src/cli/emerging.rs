//! `tifa emerging`: formulations whose use took off in a period.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use clap::Args;

use tifa::emerging::{self, EmergingOptions, Reference, YearSpan};
use tifa::error::UserError;
use tifa::output::{self, escape_terminal};

use super::{FilterArgs, open_engine, spinner};

#[derive(Args, Debug)]
pub struct EmergingArgs {
    /// The period: a year (2015) or a span of years (2013..2015).
    #[arg(long, value_name = "P")]
    pub period: String,
    /// What the period is compared with: `before` (every dated document before
    /// it), `all-other` (every dated document outside it), or years (2008..2012).
    #[arg(long, default_value = "before", value_name = "REF")]
    pub against: String,
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Fewest documents of the period that must have a candidate.
    #[arg(long, default_value_t = 5)]
    pub min_docs: u32,
    /// Fewest distinct dates among those documents (one long report repeating a
    /// phrase, or one day's news, is not a trend).
    #[arg(long, default_value_t = 3)]
    pub min_dates: u32,
    /// Smallest log ratio (log2 of the period's share of documents with the
    /// candidate over the reference's): 1 = twice as common, 0 lists every rise.
    #[arg(long, default_value_t = 1.0)]
    pub min_log_ratio: f64,
    /// List candidates whose rise did not hold too: by default a candidate must
    /// keep, in the two years after the period, at least half the share of
    /// documents it had in the period (events fade, formulations stay).
    #[arg(long)]
    pub include_faded: bool,
    /// How many candidates to list.
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
    /// Which classes to list: formulations (default), boilerplate (reporting
    /// formulas and templates: the strings sit in a frame repeated across
    /// documents, a person's name and a verb, e.g. 李克强表示, a string ending
    /// on a verb of saying, e.g. 已经说, 会议强调, or the drafting
    /// language of laws and regulations, e.g. 第五十条), topics (news
    /// language that authoritative texts rarely use, names of organisations,
    /// meetings or events, e.g. 十九大, 北京冬奥会, a person with a title, e.g.
    /// 国家主席习近平, or one
    /// word of the general dictionary, e.g. 周年, 巴黎), fragments (a longer
    /// candidate carries most of the rise, e.g. 征程 in 新征程; the same
    /// character, name or number follows or precedes it in most documents,
    /// e.g. 提质 → 增效, 21 before 世纪海上丝绸之路; a clause opened by a
    /// pronoun or modal verb, e.g. 我们希望; a particle or suffix cut from
    /// the word before, e.g. 的初心, 们认为; a dummy verb at an edge or a modal
    /// verb last, e.g. 进行审议, 双方能够; a verb phrase that goes on into
    /// its object in most documents, e.g. 加快构建; or it hardly ever ends
    /// what is said, e.g. 十九届), or all; several with
    /// commas. Nothing is dropped: every candidate has a class and the signals
    /// that decided it (--json). docs/guide/04-discovery.md has each
    /// signal and what it measured.
    #[arg(long, default_value = "formulations", value_name = "CLASSES")]
    pub show: String,
    /// The order: held (default: G² of the period and the two years after it
    /// against the reference — a formulation that took off keeps rising, so
    /// the whole take-off is its evidence), keyness (G² of the period alone)
    /// or spread (the G² of each kind of text it rose in — speeches,
    /// reports, laws, news… — summed).
    #[arg(long, default_value = "held", value_name = "ORDER")]
    pub rank: String,
    /// Print JSON: {"period","reference","period_docs","reference_docs","statistic","qualified",
    /// "candidates":[{"term","docs","occurrences","ref_docs","ref_occurrences","per_million",
    /// "ref_per_million","expected_ref_docs","score","held_score","log_ratio","new","held","extensions",
    /// "first":{"date","id","title","sentence"},"take_off","kinds","collections","by_year",
    /// "class","signals":{"frame_share","top_frame","kinds_in_period",
    /// "authoritative_docs","authoritative_rate","continuation","continuation_share","preceded_by","preceded_share",
    /// "dictionary_word","organisation","organisation_share","loose_edge","bound_preposition","free_share","says",
    /// "meeting","event","open_verb","person","legal_share","carried_by",
    /// "carried_share","rise_docs","reason"},"spread_score"}],"following","faded",
    /// "classes","shown"}.
    /// With "stamp": {"tool","generation","corpus_hash","built","documents","command"}, what reproduces it.
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// CSV, one row per candidate (kinds and collections as name:docs;…).
    #[arg(long)]
    pub csv: bool,
}

pub fn run(dir: &Path, args: EmergingArgs) -> Result<()> {
    let engine = open_engine(dir)?;
    let options = options_of(&args)?;
    let bar = spinner("counting candidates in the period and the reference…");
    let result = emerging::emerging(&engine, &options);
    bar.finish_and_clear();
    let result = result?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if args.json {
        super::write_stamped_json(&mut out, &engine, &result)?;
    } else if args.csv {
        super::note_csv_stamp(&engine);
        write_csv(&mut out, &result)?;
    } else {
        write_header(&mut out, &result, &options, &args)?;
        if result.candidates.is_empty() {
            writeln!(
                out,
                "No candidate qualifies: lower --min-docs / --min-dates / --min-log-ratio, or widen the filters."
            )?;
        } else {
            write_table(&mut out, &result, options.period)?;
        }
    }
    out.flush().context("cannot write output")
}

/// The options the arguments ask for (unknown values named).
fn options_of(args: &EmergingArgs) -> Result<EmergingOptions> {
    let period = YearSpan::parse(&args.period).map_err(UserError::BadDate)?;
    let against = Reference::parse(&args.against).map_err(UserError::BadDate)?;
    let mut filter_args = args.filter.clone();
    let (languages, lang) = emerging::Languages::from_lang(&filter_args.lang);
    filter_args.lang = lang;
    let show = emerging::classify::parse_show(&args.show).map_err(UserError::BadFilter)?;
    Ok(EmergingOptions {
        filter: filter_args.to_filter()?,
        period,
        against,
        languages,
        min_docs: args.min_docs.max(1),
        min_dates: args.min_dates.max(1),
        min_log_ratio: args.min_log_ratio,
        limit: args.limit,
        include_faded: args.include_faded,
        show,
        rank: emerging::Rank::parse(&args.rank).map_err(UserError::BadFilter)?,
    })
}

/// Counts per kind or collection as `name:n;…`, the largest first.
fn joined(m: &std::collections::BTreeMap<String, u64>) -> String {
    let mut v: Vec<(&String, &u64)> = m.iter().collect();
    v.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
    v.iter()
        .map(|(k, n)| format!("{k}:{n}"))
        .collect::<Vec<_>>()
        .join(";")
}

/// `--csv`: one row per candidate.
fn write_csv(out: &mut impl Write, result: &emerging::Emerging) -> Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "term",
        "docs",
        "occurrences",
        "ref_docs",
        "ref_occurrences",
        "per_million",
        "ref_per_million",
        "score",
        "held_score",
        "log_ratio",
        "new",
        "first_date",
        "first_id",
        "first_title",
        "take_off",
        "class",
        "class_reason",
        "kinds",
        "collections",
    ])?;
    for c in &result.candidates {
        let first = c.first.as_ref();
        w.write_record([
            output::csv_cell(&c.term),
            c.docs.to_string(),
            c.occurrences.to_string(),
            c.ref_docs.to_string(),
            c.ref_occurrences.to_string(),
            format!("{:.3}", c.per_million),
            format!("{:.3}", c.ref_per_million),
            format!("{:.2}", c.score),
            format!("{:.2}", c.held_score),
            format!("{:.3}", c.log_ratio),
            c.new.to_string(),
            first.map_or(String::new(), |f| output::csv_cell(&f.date)),
            first.map_or(String::new(), |f| output::csv_cell(&f.id)),
            first.map_or(String::new(), |f| output::csv_cell(&f.title)),
            c.take_off
                .as_ref()
                .map_or(String::new(), |t| t.year.to_string()),
            c.class.name().to_string(),
            output::csv_cell(&c.signals.reason),
            output::csv_cell(&joined(&c.kinds)),
            output::csv_cell(&joined(&c.collections)),
        ])?;
    }
    w.flush()?;
    Ok(())
}

/// What was compared, by which rules and order, and the classes' counts.
fn write_header(
    out: &mut impl Write,
    result: &emerging::Emerging,
    options: &EmergingOptions,
    args: &EmergingArgs,
) -> Result<()> {
    writeln!(
        out,
        "Took off in {} (against {}): {} documents in the period, {} in the reference.",
        result.period, result.reference, result.period_docs, result.reference_docs
    )?;
    writeln!(
        out,
        "Ranked by {}; document frequencies, the reference standardised to the period's mix of collections;\nlog ratio ≥ {} (× {:.1} the share), ≥ {} documents on ≥ {} dates{}.",
        match options.rank {
            emerging::Rank::Held =>
                "the held rise (column \"held\": G² of the period and the following years; \"G²\": the period alone)",
            emerging::Rank::Keyness => "G² of the period",
            emerging::Rank::Spread => "the G² of each kind of text it rose in, summed",
        },
        args.min_log_ratio,
        2f64.powf(args.min_log_ratio),
        options.min_docs,
        options.min_dates,
        match (&result.following, args.include_faded) {
            (Some(f), false) => format!(
                ", and a rise that held in {f} (≥ half the period's share; {} faded ones left out, --include-faded lists them)",
                result.faded
            ),
            (Some(f), true) => format!("; `held` compares with {f}"),
            (None, _) => "; no later year in the corpus to tell whether the rise held".to_string(),
        }
    )?;
    let class_counts: Vec<String> = result
        .classes
        .iter()
        .map(|(c, n)| format!("{n} {}", c.name()))
        .collect();
    writeln!(
        out,
        "Classes of the {} qualifying candidates: {}; listed: {} (--show boilerplate|topics|fragments|all for the others, --json for the signals).",
        result.qualified,
        class_counts.join(", "),
        result
            .shown
            .iter()
            .map(|c| c.name())
            .collect::<Vec<_>>()
            .join(", ")
    )?;
    Ok(())
}

/// The candidates as a table, each with its evidence, then whether the
/// list was cut by --limit.
fn write_table(out: &mut impl Write, result: &emerging::Emerging, period: YearSpan) -> Result<()> {
    // Sparkline: ten years before the period to the last year with a match.
    let y0 = i32::from(period.from) - 10;
    let y1 = result
        .candidates
        .iter()
        .filter_map(|c| c.by_year.keys().next_back())
        .filter_map(|y| y.parse::<i32>().ok())
        .max()
        .unwrap_or(i32::from(period.to))
        .max(i32::from(period.to));
    writeln!(
        out,
        "\n  # {} {:>6} {:>7} {:>8} {:>7} {:>9} {:>9} {:>6}  {:<10}  docs/year {y0}–{y1}",
        output::fit("term", 20),
        "docs",
        "ref",
        "per mil.",
        "ref pm",
        "held",
        "G²",
        "LR",
        "first",
    )?;
    for (i, c) in result.candidates.iter().enumerate() {
        write_line(out, i, c, result, y0..=y1)?;
    }
    let in_shown: usize = result
        .classes
        .iter()
        .filter(|(c, _)| result.shown.contains(c))
        .map(|(_, n)| n)
        .sum();
    if in_shown > result.candidates.len() {
        writeln!(
            out,
            "\nShowing {} of {} candidates of the classes listed (--limit N for more).",
            result.candidates.len(),
            in_shown
        )?;
    }
    Ok(())
}

/// One candidate: its figures and sparkline, its first document, kinds and
/// take-off, the first sentence, its class when not a formulation, the
/// longer lines built on it.
fn write_line(
    out: &mut impl Write,
    i: usize,
    c: &emerging::Candidate,
    result: &emerging::Emerging,
    years: std::ops::RangeInclusive<i32>,
) -> Result<()> {
    let spark = output::sparkline(
        &years
            .map(|y| c.by_year.get(&format!("{y:04}")).copied().unwrap_or(0))
            .collect::<Vec<_>>(),
    );
    writeln!(
        out,
        "{:>3} {} {:>6} {:>7} {:>8.2} {:>7.2} {:>9.1} {:>9.1} {:>6}  {:<10}  {}",
        i + 1,
        output::fit(&escape_terminal(&c.term), 20),
        c.docs,
        c.ref_docs,
        c.per_million,
        c.ref_per_million,
        c.held_score,
        c.score,
        if c.new {
            "new".to_string()
        } else {
            format!("{:.2}", c.log_ratio)
        },
        c.first.as_ref().map_or("–", |f| f.date.as_str()),
        spark
    )?;
    let first = c.first.as_ref().map_or(String::new(), |f| {
        format!(
            "first {} {}",
            escape_terminal(&f.id),
            escape_terminal(&f.title)
        )
    });
    writeln!(
        out,
        "    {} · {}{}",
        output::fit(&first, 60).trim_end(),
        escape_terminal(&joined(&c.kinds).replace(';', ", ")),
        c.take_off
            .as_ref()
            .map_or(String::new(), |t| format!(" · take-off {}", t.year))
    )?;
    if let Some(sentence) = c.first.as_ref().and_then(|f| f.sentence.as_deref()) {
        writeln!(
            out,
            "    “{}”",
            escape_terminal(&around(sentence, &c.term, 40))
        )?;
    }
    if c.class != emerging::Class::Formulation || result.shown.len() > 1 {
        writeln!(
            out,
            "    {}: {}",
            c.class.name(),
            if c.signals.reason.is_empty() {
                "no signal against it"
            } else {
                c.signals.reason.as_str()
            }
        )?;
    }
    if !c.extensions.is_empty() {
        writeln!(
            out,
            "    ↳ longer: {}",
            escape_terminal(&c.extensions.join(", "))
        )?;
    }
    Ok(())
}

/// The sentence cut to `side` characters on each side of the term (… where
/// cut), so that the term is always in what is shown.
fn around(sentence: &str, term: &str, side: usize) -> String {
    let Some(at) = sentence.find(term) else {
        return output::fit(sentence, 2 * side).trim_end().to_string();
    };
    let before: Vec<char> = sentence[..at].chars().collect();
    let after: Vec<char> = sentence[at + term.len()..].chars().collect();
    let left: String = before[before.len().saturating_sub(side)..].iter().collect();
    let right: String = after[..after.len().min(side)].iter().collect();
    format!(
        "{}{left}{term}{right}{}",
        if before.len() > side { "…" } else { "" },
        if after.len() > side { "…" } else { "" }
    )
}

#[cfg(test)]
mod tests {
    use super::around;

    #[test]
    fn the_term_is_always_in_the_shown_sentence() {
        assert_eq!(around("甲乙丙丁戊己", "丙丁", 1), "…乙丙丁戊…");
        assert_eq!(around("丙丁", "丙丁", 5), "丙丁");
    }
}
