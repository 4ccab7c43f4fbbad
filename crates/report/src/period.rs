//! Reporting periods: the half-years (or any date range) a report covers.

use std::fmt;
use std::str::FromStr;

use serde::{Serialize, Serializer};
use time::{Date, Month, OffsetDateTime, UtcOffset};

/// Why a period could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    /// No `..` between the two dates.
    #[error("period `{0}` must be two dates joined by `..`, e.g. 2025-07-01..2025-12-31")]
    MissingSeparator(String),
    /// One side is not a `YYYY-MM-DD` calendar date.
    #[error("the {side} date `{value}` of the period is not a calendar date in YYYY-MM-DD form")]
    BadDate {
        /// `start` or `end`.
        side: &'static str,
        /// The text that was given.
        value: String,
    },
    /// The end comes before the start.
    #[error("period `{start}..{end}` ends before it starts; swap the two dates")]
    Reversed {
        /// The start as given.
        start: String,
        /// The end as given.
        end: String,
    },
}

/// An inclusive range of calendar days, compared in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Period {
    start: Date,
    end: Date,
}

impl Period {
    /// A period from `start` to `end`, both included.
    pub fn new(start: Date, end: Date) -> Result<Period, PeriodError> {
        if end < start {
            return Err(PeriodError::Reversed {
                start: format_date(start),
                end: format_date(end),
            });
        }
        Ok(Period { start, end })
    }

    /// The first day.
    pub fn start(&self) -> Date {
        self.start
    }

    /// The last day.
    pub fn end(&self) -> Date {
        self.end
    }

    /// Whether an instant falls on one of the period's days (in UTC).
    pub fn contains(&self, instant: OffsetDateTime) -> bool {
        let day = instant.to_offset(UtcOffset::UTC).date();
        self.start <= day && day <= self.end
    }

    /// The months the period touches, as `(year, month)`, in order.
    pub fn months(&self) -> Vec<(i32, Month)> {
        let mut out = Vec::new();
        let (mut year, mut month) = (self.start.year(), self.start.month());
        loop {
            out.push((year, month));
            if (year, month as u8) >= (self.end.year(), self.end.month() as u8) {
                break;
            }
            if month == Month::December {
                year += 1;
            }
            month = month.next();
        }
        out
    }
}

/// Formats a date as `YYYY-MM-DD` (the form every EU template uses).
pub fn format_date(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        date.month() as u8,
        date.day()
    )
}

/// Parses a strict `YYYY-MM-DD` date: four-digit year, two-digit month and day.
pub fn parse_date(text: &str) -> Option<Date> {
    let bytes = text.as_bytes();
    let digits_at = |range: std::ops::Range<usize>| bytes[range].iter().all(u8::is_ascii_digit);
    if bytes.len() != 10
        || bytes[4] != b'-'
        || bytes[7] != b'-'
        || !digits_at(0..4)
        || !digits_at(5..7)
        || !digits_at(8..10)
    {
        return None;
    }
    let year: i32 = text.get(0..4)?.parse().ok()?;
    let month: u8 = text.get(5..7)?.parse().ok()?;
    let day: u8 = text.get(8..10)?.parse().ok()?;
    Date::from_calendar_date(year, Month::try_from(month).ok()?, day).ok()
}

impl FromStr for Period {
    type Err = PeriodError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let trimmed = text.trim();
        let (start_text, end_text) = trimmed
            .split_once("..")
            .ok_or_else(|| PeriodError::MissingSeparator(trimmed.to_string()))?;
        let (start_text, end_text) = (start_text.trim(), end_text.trim());
        let start = parse_date(start_text).ok_or_else(|| PeriodError::BadDate {
            side: "start",
            value: start_text.to_string(),
        })?;
        let end = parse_date(end_text).ok_or_else(|| PeriodError::BadDate {
            side: "end",
            value: end_text.to_string(),
        })?;
        Period::new(start, end)
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", format_date(self.start), format_date(self.end))
    }
}

impl Serialize for Period {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::{date, datetime};

    #[test]
    fn parses_a_half_year() {
        let p: Period = "2025-07-01..2025-12-31".parse().unwrap();
        assert_eq!(p.start(), date!(2025 - 07 - 01));
        assert_eq!(p.end(), date!(2025 - 12 - 31));
        assert_eq!(p.to_string(), "2025-07-01..2025-12-31");
        assert_eq!(p.months().len(), 6);
    }

    #[test]
    fn single_day_is_allowed() {
        let p: Period = "2025-07-01..2025-07-01".parse().unwrap();
        assert!(p.contains(datetime!(2025-07-01 23:59:59 UTC)));
        assert!(!p.contains(datetime!(2025-07-02 00:00:00 UTC)));
        // 01:00 on 2 July in UTC+2 is still 1 July in UTC.
        assert!(p.contains(datetime!(2025-07-02 01:00:00 +02:00)));
    }

    #[test]
    fn rejects_missing_separator() {
        assert!(matches!(
            "2025-07-01/2025-12-31".parse::<Period>(),
            Err(PeriodError::MissingSeparator(_))
        ));
    }

    #[test]
    fn rejects_bad_dates_naming_the_side() {
        let err = "2025-13-01..2025-12-31".parse::<Period>().unwrap_err();
        assert_eq!(
            err,
            PeriodError::BadDate {
                side: "start",
                value: "2025-13-01".into()
            }
        );
        let err = "2025-07-01..2025-02-30".parse::<Period>().unwrap_err();
        assert!(matches!(err, PeriodError::BadDate { side: "end", .. }));
        assert!("25-07-01..2025-12-31".parse::<Period>().is_err());
        assert!("2025-7-1..2025-12-31".parse::<Period>().is_err());
        assert!("..".parse::<Period>().is_err());
        assert!(err.to_string().contains("YYYY-MM-DD"));
    }

    #[test]
    fn rejects_reversed() {
        let err = "2025-12-31..2025-07-01".parse::<Period>().unwrap_err();
        assert!(matches!(err, PeriodError::Reversed { .. }));
        assert!(err.to_string().contains("swap"));
    }

    #[test]
    fn months_cross_year_end() {
        let p: Period = "2025-11-15..2026-02-01".parse().unwrap();
        assert_eq!(
            p.months(),
            vec![
                (2025, Month::November),
                (2025, Month::December),
                (2026, Month::January),
                (2026, Month::February)
            ]
        );
    }

    proptest! {
        #[test]
        fn never_panics_on_arbitrary_text(text in "\\PC{0,40}") {
            let _ = text.parse::<Period>();
        }

        #[test]
        fn round_trips_valid_periods(a in 0i32..20000, len in 0i32..800) {
            let start = date!(2000 - 01 - 01) + time::Duration::days(a as i64);
            let end = start + time::Duration::days(len as i64);
            let p = Period::new(start, end).unwrap();
            let parsed: Period = p.to_string().parse().unwrap();
            prop_assert_eq!(parsed, p);
        }
    }
}
