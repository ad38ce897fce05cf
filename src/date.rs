//! Dates of any precision (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`) and their periods.

use std::fmt;

/// A document date; `month`/`day` are 0 when the source gives less precision.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct DocDate {
    /// The year.
    pub year: u16,
    /// The month, 0 when the date is year-only.
    pub month: u8,
    /// The day, 0 when the date is year- or month-only.
    pub day: u8,
}

impl DocDate {
    /// Parses `YYYY`, `YYYY-MM` or `YYYY-MM-DD`; rejects impossible dates.
    pub fn parse(s: &str) -> Result<DocDate, String> {
        let parts: Vec<&str> = s.split('-').collect();
        let number = |p: &str, digits: usize, what: &str| -> Result<u32, String> {
            if p.len() != digits || !p.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!(
                    "malformed date {s:?}: the {what} must have {digits} digits (expected YYYY, YYYY-MM or YYYY-MM-DD)"
                ));
            }
            p.parse::<u32>().map_err(|e| e.to_string())
        };
        if parts.is_empty() || parts.len() > 3 {
            return Err(format!(
                "malformed date {s:?} (expected YYYY, YYYY-MM or YYYY-MM-DD)"
            ));
        }
        let year = number(parts[0], 4, "year")?;
        if year == 0 {
            return Err(format!("impossible date {s:?}: year 0"));
        }
        let month = match parts.get(1) {
            Some(p) => number(p, 2, "month")?,
            None => 0,
        };
        if parts.len() > 1 && !(1..=12).contains(&month) {
            return Err(format!("impossible date {s:?}: month {month}"));
        }
        let day = match parts.get(2) {
            Some(p) => number(p, 2, "day")?,
            None => 0,
        };
        if parts.len() > 2 && (day == 0 || day > days_in_month(year, month)) {
            return Err(format!("impossible date {s:?}: day {day}"));
        }
        Ok(DocDate {
            year: year as u16,
            month: month as u8,
            day: day as u8,
        })
    }

    /// Sort key: YYYYMMDD with zeros for missing parts, so `2015` < `2015-01-05`.
    pub fn key(self) -> u64 {
        u64::from(self.year) * 10_000 + u64::from(self.month) * 100 + u64::from(self.day)
    }

    /// The date of a sort key (`YYYYMMDD`, zeros for a missing month or day).
    pub fn from_key(key: u64) -> DocDate {
        DocDate {
            year: (key / 10_000) as u16,
            month: (key / 100 % 100) as u8,
            day: (key % 100) as u8,
        }
    }

    /// First day of the period, as a YYYYMMDD key.
    pub fn period_start(self) -> u64 {
        let month = if self.month == 0 { 1 } else { self.month };
        let day = if self.day == 0 { 1 } else { self.day };
        u64::from(self.year) * 10_000 + u64::from(month) * 100 + u64::from(day)
    }

    /// Last day of the period, as a YYYYMMDD key.
    pub fn period_end(self) -> u64 {
        let month = if self.month == 0 { 12 } else { self.month };
        let day = if self.day == 0 {
            days_in_month(u32::from(self.year), u32::from(month)) as u8
        } else {
            self.day
        };
        u64::from(self.year) * 10_000 + u64::from(month) * 100 + u64::from(day)
    }

    /// True when only the year or the year and month are known.
    pub fn is_approximate(self) -> bool {
        self.day == 0
    }

    /// `2015-03` style label of the month (or the year alone when no month is known).
    pub fn month_label(self) -> String {
        if self.month == 0 {
            format!("{:04}", self.year)
        } else {
            format!("{:04}-{:02}", self.year, self.month)
        }
    }
}

impl fmt::Display for DocDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.month, self.day) {
            (0, _) => write!(f, "{:04}", self.year),
            (m, 0) => write!(f, "{:04}-{:02}", self.year, m),
            (m, d) => write!(f, "{:04}-{:02}-{:02}", self.year, m, d),
        }
    }
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        _ => 0,
    }
}

/// A `--from`/`--to` range as inclusive YYYYMMDD keys.
#[derive(Clone, Copy, Debug, Default)]
pub struct DateRange {
    /// The earliest date kept, if any.
    pub from: Option<DocDate>,
    /// The latest date kept, if any.
    pub to: Option<DocDate>,
}

impl DateRange {
    /// Whether either end is given.
    pub fn is_set(&self) -> bool {
        self.from.is_some() || self.to.is_some()
    }

    /// A document is kept when its period overlaps the range.
    pub fn overlaps(&self, lo: u64, hi: u64) -> bool {
        self.from.is_none_or(|f| hi >= f.period_start())
            && self.to.is_none_or(|t| lo <= t.period_end())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_all_precisions() {
        assert_eq!(DocDate::parse("2015").map(|d| d.key()), Ok(20150000));
        assert_eq!(DocDate::parse("2015-12").map(|d| d.key()), Ok(20151200));
        assert_eq!(DocDate::parse("2015-12-09").map(|d| d.key()), Ok(20151209));
    }

    #[test]
    fn rejects_impossible_and_malformed() {
        for bad in [
            "2015-13-01",
            "2015-02-30",
            "2015-2-3",
            "15",
            "2015/01/01",
            "",
            "2015-00",
            "2015-01-01-01",
        ] {
            assert!(DocDate::parse(bad).is_err(), "{bad}");
        }
        assert!(DocDate::parse("2016-02-29").is_ok());
        assert!(DocDate::parse("1900-02-29").is_err());
    }

    #[test]
    fn lower_precision_sorts_first_and_spans_its_period() {
        let y = DocDate::parse("2015").unwrap_or(DocDate {
            year: 1,
            month: 0,
            day: 0,
        });
        assert!(y.key() < 20150105);
        assert_eq!((y.period_start(), y.period_end()), (20150101, 20151231));
        let range = DateRange {
            from: DocDate::parse("2015-06").ok(),
            to: None,
        };
        assert!(range.overlaps(y.period_start(), y.period_end()));
        assert!(!range.overlaps(20150101, 20150531));
    }
}
