//! `tifa timeline`: use of terms per year or month.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};

use tifa::history::{self, Period, TimelineOptions};
use tifa::output::{self, escape_terminal};

use super::{FamiliesArg, FilterArgs, open_engine};

/// `--by`, mapped onto the library's [`Period`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PeriodArg {
    Year,
    Month,
}

impl From<PeriodArg> for Period {
    fn from(p: PeriodArg) -> Period {
        match p {
            PeriodArg::Year => Period::Year,
            PeriodArg::Month => Period::Month,
        }
    }
}

#[derive(Args, Debug)]
pub struct TimelineArgs {
    /// Literal terms or @family names (see corpus/families.toml).
    #[arg(required = true)]
    pub terms: Vec<String>,
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Period of the buckets.
    #[arg(long, value_enum, default_value_t = PeriodArg::Year)]
    pub by: PeriodArg,
    /// One JSON object per term per line: {"term","by_year":{"2015":{"docs","occurrences","per_million","share"}}}
    /// ("by_month" with keys "2015-12" under --by month; "unknown" for undated matches).
    /// With "stamp": {"tool","generation","corpus_hash","built","documents","command"}, what reproduces it.
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// CSV with the header term,period,docs,occurrences,per_million,share,coverage
    /// (coverage: empty, or why the period is not comparable).
    #[arg(long)]
    pub csv: bool,
    #[command(flatten)]
    pub families: FamiliesArg,
}

pub fn run(dir: &Path, args: TimelineArgs) -> Result<()> {
    let engine = open_engine(dir)?;
    let subjects = args.families.subjects(&args.terms)?;
    let options = TimelineOptions {
        filter: args.filter.to_filter()?,
        by: args.by.into(),
        expand_families: true,
    };
    let timelines = history::timelines(&engine, &subjects, &options)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if args.csv {
        super::note_csv_stamp(&engine);
        history::write_timelines_csv(&mut out, &timelines)?;
        return out.flush().context("cannot write output");
    }
    for t in &timelines {
        if args.json {
            super::write_stamped_json(&mut out, &engine, t)?;
            continue;
        }
        let max = t
            .buckets
            .values()
            .map(|b| b.per_million)
            .fold(0.0, f64::max);
        writeln!(
            out,
            "{}  (per {}; per million {})",
            escape_terminal(&t.term),
            t.by.name(),
            t.units.describe()
        )?;
        writeln!(
            out,
            "{:<8} {:>6} {:>7} {:>10} {:>7}",
            "period", "docs", "occ", "per mil.", "share"
        )?;
        for (period, b) in &t.buckets {
            // A period the line's collections do not cover is marked, not
            // drawn as a bar that looks like use.
            let mark = t.coverage.mark(period);
            let bar = if mark.is_empty() || b.per_million > 0.0 {
                output::bar(b.per_million, max, 30)
            } else {
                String::new()
            };
            writeln!(
                out,
                "{:<8} {:>6} {:>7} {:>10.2} {:>6.2}% {}{}",
                period,
                b.docs,
                b.occurrences,
                b.per_million,
                b.share * 100.0,
                bar,
                if mark.is_empty() {
                    String::new()
                } else {
                    format!(
                        "{}({})",
                        if bar.is_empty() { "" } else { " " },
                        escape_terminal(&mark)
                    )
                }
            )?;
        }
        for n in &t.coverage.notes {
            writeln!(out, "note: {}", escape_terminal(n))?;
        }
        for w in &t.warnings {
            writeln!(out, "warning: {}", escape_terminal(w))?;
        }
        writeln!(out)?;
    }
    out.flush().context("cannot write output")
}
