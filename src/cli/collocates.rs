//! `tifa collocates`: the words around a term, scored, per group side by side.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};

use tifa::collocates::{self, CollocateOptions, GroupBy, Measure, Side};
use tifa::output::{self, escape_terminal};

use super::{FamiliesArg, FilterArgs, open_engine};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SideArg {
    Left,
    Right,
    Both,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ByArg {
    Year,
    Collection,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum MeasureArg {
    /// logDice: 14 + log2(2·f(n,c) / (f(n)+f(c))), comparable across corpora and groups.
    LogDice,
    /// Log-likelihood G² of the window against the rest of the corpus (evidence, grows with size).
    Ll,
}

#[derive(Args, Debug)]
pub struct CollocatesArgs {
    /// The term (a literal string, a pattern, or an @family).
    pub term: String,
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Words each side of an occurrence.
    #[arg(long, default_value_t = 5)]
    pub window: usize,
    /// Which side of the occurrence.
    #[arg(long, value_enum, default_value_t = SideArg::Both)]
    pub side: SideArg,
    /// Fewest co-occurrences for a word to be listed.
    #[arg(long, default_value_t = 3)]
    pub min_freq: u64,
    /// Leave out function words (的, 和, 在, the, of, …).
    #[arg(long)]
    pub stop_words: bool,
    /// Collocates per year or per collection, side by side.
    #[arg(long, value_enum)]
    pub by: Option<ByArg>,
    /// Order of the list.
    #[arg(long, value_enum, default_value_t = MeasureArg::LogDice)]
    pub sort: MeasureArg,
    /// Collocates shown (per group).
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
    /// Print JSON: {"term","window","side","measure","groups":[{"group","docs","occurrences",
    /// "tokens","qualified","collocates":[{"word","freq","corpus_freq","log_dice","log_likelihood"}]}]}.
    /// With "stamp": {"tool","generation","corpus_hash","built","documents","command"}, what reproduces it.
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// CSV with the header group,rank,word,freq,corpus_freq,log_dice,log_likelihood.
    #[arg(long)]
    pub csv: bool,
    #[command(flatten)]
    pub families: FamiliesArg,
}

pub fn run(dir: &Path, args: CollocatesArgs) -> Result<()> {
    let engine = open_engine(dir)?;
    collocates::check_window(args.window)?;
    let subjects = args.families.subjects(std::slice::from_ref(&args.term))?;
    let options = options_of(&args)?;
    let result = collocates::collocates(&engine, &subjects[0], &options)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if args.json {
        super::write_stamped_json(&mut out, &engine, &result)?;
    } else if args.csv {
        super::note_csv_stamp(&engine);
        write_csv(&mut out, &result)?;
    } else {
        write_header(&mut out, &result, &options)?;
        if result.groups.is_empty() {
            writeln!(out, "The term does not occur in the filtered documents.")?;
        } else if options.by == GroupBy::All {
            write_one_group(&mut out, &result.groups[0])?;
        } else {
            write_side_by_side(&mut out, &result, &options)?;
        }
    }
    out.flush().context("cannot write output")
}

/// The options the arguments ask for.
fn options_of(args: &CollocatesArgs) -> Result<CollocateOptions> {
    Ok(CollocateOptions {
        filter: args.filter.to_filter()?,
        window: args.window,
        side: match args.side {
            SideArg::Left => Side::Left,
            SideArg::Right => Side::Right,
            SideArg::Both => Side::Both,
        },
        min_freq: args.min_freq.max(1),
        stop_words: args.stop_words,
        by: match args.by {
            None => GroupBy::All,
            Some(ByArg::Year) => GroupBy::Year,
            Some(ByArg::Collection) => GroupBy::Collection,
        },
        measure: match args.sort {
            MeasureArg::LogDice => Measure::LogDice,
            MeasureArg::Ll => Measure::LogLikelihood,
        },
        limit: args.limit,
    })
}

/// `--csv`: one row per collocate of each group.
fn write_csv(out: &mut impl Write, result: &collocates::Collocates) -> Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "group",
        "rank",
        "word",
        "freq",
        "corpus_freq",
        "log_dice",
        "log_likelihood",
    ])?;
    for g in &result.groups {
        for (i, c) in g.collocates.iter().enumerate() {
            w.write_record([
                output::csv_cell(&g.group),
                (i + 1).to_string(),
                output::csv_cell(&c.word),
                c.freq.to_string(),
                c.corpus_freq.to_string(),
                format!("{:.3}", c.log_dice),
                format!("{:.2}", c.log_likelihood),
            ])?;
        }
    }
    w.flush()?;
    Ok(())
}

/// What was counted: the window, side, measure and threshold.
fn write_header(
    out: &mut impl Write,
    result: &collocates::Collocates,
    options: &CollocateOptions,
) -> Result<()> {
    let side = match options.side {
        Side::Left => "left",
        Side::Right => "right",
        Side::Both => "either side",
    };
    let measure = match options.measure {
        Measure::LogDice => "logDice",
        Measure::LogLikelihood => "log-likelihood",
    };
    writeln!(
        out,
        "Collocates of {} within {} words {side}, by {measure} (at least {} co-occurrences{})",
        escape_terminal(&result.term),
        options.window,
        options.min_freq,
        if options.stop_words {
            "; function words left out"
        } else {
            ""
        }
    )?;
    Ok(())
}

/// One group (no --by): a table with both scores.
fn write_one_group(out: &mut impl Write, g: &collocates::Group) -> Result<()> {
    writeln!(
        out,
        "{} occurrences in {} documents; {} word tokens in the filtered corpus\n",
        g.occurrences, g.docs, g.tokens
    )?;
    writeln!(
        out,
        "{:>4}  {} {:>7} {:>10} {:>8} {:>10}",
        "#",
        output::fit("word", 16),
        "freq",
        "corpus",
        "logDice",
        "LL"
    )?;
    for (i, c) in g.collocates.iter().enumerate() {
        writeln!(
            out,
            "{:>4}  {} {:>7} {:>10} {:>8.2} {:>10.1}",
            i + 1,
            output::fit(&escape_terminal(&c.word), 16),
            c.freq,
            c.corpus_freq,
            c.log_dice,
            c.log_likelihood
        )?;
    }
    if g.qualified > g.collocates.len() {
        writeln!(
            out,
            "\nShowing {} of {} words (--limit N for more).",
            g.collocates.len(),
            g.qualified
        )?;
    }
    Ok(())
}

/// Groups (--by year or collection) side by side, as many per block as fit
/// in 120 columns, then how many were cut by --limit.
fn write_side_by_side(
    out: &mut impl Write,
    result: &collocates::Collocates,
    options: &CollocateOptions,
) -> Result<()> {
    const CELL: usize = 20;
    for block in result.groups.chunks(6) {
        // Collection names lose their folder and extension to fit the column.
        let label = |g: &collocates::Group| {
            let name = g.group.rsplit('/').next().unwrap_or(&g.group);
            name.trim_end_matches(".gz")
                .trim_end_matches(".jsonl")
                .to_string()
        };
        let header: String = block
            .iter()
            .map(|g| output::fit(&escape_terminal(&label(g)), CELL))
            .collect::<Vec<_>>()
            .join(" ");
        let sizes: String = block
            .iter()
            .map(|g| output::fit(&format!("{} occurrences", g.occurrences), CELL))
            .collect::<Vec<_>>()
            .join(" ");
        writeln!(
            out,
            "\n{:>3}  {}\n{:>3}  {}",
            "#",
            header.trim_end(),
            "",
            sizes.trim_end()
        )?;
        let rows = block.iter().map(|g| g.collocates.len()).max().unwrap_or(0);
        for r in 0..rows {
            let line: String = block
                .iter()
                .map(|g| {
                    let cell = g.collocates.get(r).map_or(String::new(), |c| {
                        let score = match options.measure {
                            Measure::LogDice => c.log_dice,
                            Measure::LogLikelihood => c.log_likelihood,
                        };
                        format!("{} {:.1}", c.word, score)
                    });
                    output::fit(&escape_terminal(&cell), CELL)
                })
                .collect::<Vec<_>>()
                .join(" ");
            writeln!(out, "{:>3}  {}", r + 1, line.trim_end())?;
        }
    }
    let capped: usize = result
        .groups
        .iter()
        .filter(|g| g.qualified > g.collocates.len())
        .count();
    if capped > 0 {
        writeln!(
            out,
            "\n{capped} of {} groups have more words than the {} shown (--limit N; --json lists the counts).",
            result.groups.len(),
            options.limit
        )?;
    }
    Ok(())
}
