//! Dates: every conversion between stored commit times (seconds since the
//! epoch, UTC) and the calendar dates and spans people read and type, with
//! `jiff` (already in the build through gix) for every civil computation.
//! Front-ends validate arguments with the `*_arg` parsers before any work
//! starts.

use jiff::civil::{Date, DateTime};
use jiff::tz::Offset;
use jiff::{Timestamp, ToSpan};

use crate::error::Error;

/// Seconds in an average Gregorian month: windows of N months end at the
/// newest stored commit and reach back N of these.
pub const MONTH: i64 = 2_629_746;

/// Seconds in an hour.
pub const HOUR: i64 = 3_600;

/// Seconds in a day.
pub const DAY: i64 = 86_400;

/// The UTC date and time of a stored time (clamped to the years jiff knows,
/// -9999 to 9999, which every real commit time is within).
fn civil(epoch: i64) -> DateTime {
    let clamped = epoch.clamp(Timestamp::MIN.as_second(), Timestamp::MAX.as_second());
    let ts = Timestamp::from_second(clamped).unwrap_or(Timestamp::UNIX_EPOCH);
    Offset::UTC.to_datetime(ts)
}

/// Seconds since the epoch of a UTC date and time.
fn seconds(dt: DateTime) -> Option<i64> {
    Offset::UTC.to_timestamp(dt).ok().map(Timestamp::as_second)
}

/// The UTC date (`YYYY-MM-DD`) of a time in seconds since the epoch.
pub fn date(epoch: i64) -> String {
    civil(epoch).date().strftime("%Y-%m-%d").to_string()
}

/// The UTC date and time (`YYYY-MM-DDTHH:MM:SSZ`) of a time in seconds since the epoch.
pub fn timestamp(epoch: i64) -> String {
    civil(epoch).strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A `YYYY-MM-DD` date a git history can hold (1970 to 9999).
fn parse_civil(s: &str) -> Option<Date> {
    let d = Date::strptime("%Y-%m-%d", s.trim()).ok()?;
    (1970..=9999).contains(&d.year()).then_some(d)
}

/// The start (UTC midnight, seconds since the epoch) of a `YYYY-MM-DD` date;
/// `None` for anything else, or a day its month does not have.
pub fn parse_date(s: &str) -> Option<i64> {
    seconds(parse_civil(s)?.to_datetime(jiff::civil::Time::midnight()))
}

/// The clap value parser of a date argument: the date as `YYYY-MM-DD`.
pub fn date_arg(s: &str) -> Result<String, String> {
    parse_civil(s)
        .map(|d| d.strftime("%Y-%m-%d").to_string())
        .ok_or_else(|| {
            format!("`{s}` is not a date: use YYYY-MM-DD (a day that exists, 1970 or later)")
        })
}

/// The start of a `--since` span ending at `end`: `24m`, `2y`, `8w`, `90d`
/// or a date. Months and years keep the day of the month, clamped to the
/// length of the month (a month before 31 March is 28 or 29 February).
pub fn since_start(spec: &str, end: i64) -> Option<i64> {
    if let Some(t) = parse_date(spec) {
        return Some(t);
    }
    let (at, _) = spec.char_indices().last()?;
    let (n, unit) = spec.split_at(at);
    // At most about 300 years back in any unit: no overflow, no nonsense.
    let n: i64 = n.parse().ok().filter(|n| (1..=110_000).contains(n))?;
    let end_civil = civil(end);
    let back = match unit {
        "m" => n.months(),
        "y" => (12 * n).months(),
        "w" => (7 * n).days(),
        "d" => n.days(),
        _ => return None,
    };
    seconds(end_civil.checked_sub(back).ok()?)
}

/// The clap value parser of `--since`: a span or a date.
pub fn since_arg(s: &str) -> Result<String, String> {
    // Any end far from the calendar's edges checks the syntax and the range.
    since_start(s, 4_102_444_800)
        .map(|_| s.to_owned())
        .ok_or_else(|| {
            format!("`{s}` is neither a span nor a date: use 24m, 2y, 8w, 90d or YYYY-MM-DD")
        })
}

/// The period between back-filled snapshots.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Week,
    Month,
    Quarter,
}

impl std::str::FromStr for Period {
    type Err = Error;

    fn from_str(s: &str) -> Result<Period, Error> {
        match s {
            "week" => Ok(Period::Week),
            "month" => Ok(Period::Month),
            "quarter" => Ok(Period::Quarter),
            other => Err(Error::input(
                format!("--every `{other}` is not a period"),
                Some("use week, month or quarter"),
            )),
        }
    }
}

/// The dates of a back-fill: period boundaries (first of a month or quarter,
/// a Monday) in `(start, end]`, oldest first.
pub fn schedule(every: &str, start: i64, end: i64) -> Result<Vec<i64>, Error> {
    let period: Period = every.parse()?;
    let mut out = Vec::new();
    let last = civil(end).date();
    let mut t = match period {
        Period::Month => last.first_of_month(),
        Period::Quarter => {
            let first_month = last.month() - (last.month() - 1) % 3;
            Date::new(last.year(), first_month, 1).map_err(|e| Error::input(e.to_string(), None))?
        }
        Period::Week => {
            let back = i64::from(last.weekday().to_monday_zero_offset());
            last.checked_sub(back.days())
                .map_err(|e| Error::input(e.to_string(), None))?
        }
    };
    let step = match period {
        Period::Week => 7.days(),
        Period::Month => 1.months(),
        Period::Quarter => 3.months(),
    };
    while let Some(at) = seconds(t.to_datetime(jiff::civil::Time::midnight())) {
        if at <= start {
            break;
        }
        if at <= end {
            out.push(at);
        }
        match t.checked_sub(step) {
            Ok(prev) => t = prev,
            Err(_) => break,
        }
    }
    out.reverse();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> i64 {
        parse_date(s).unwrap()
    }

    #[test]
    fn dates_are_civil_utc() {
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(date(1_112_911_993), "2005-04-07");
        assert_eq!(date(951_782_400), "2000-02-29");
        assert_eq!(date(-86_400), "1969-12-31");
        assert_eq!(timestamp(1_764_000_000), "2025-11-24T16:00:00Z");
    }

    #[test]
    fn only_days_that_exist_parse() {
        assert_eq!(parse_date("1970-01-02"), Some(DAY));
        assert!(parse_date("2024-02-29").is_some());
        assert_eq!(parse_date("2023-02-29"), None);
        assert_eq!(parse_date("2024-13-01"), None);
        assert_eq!(parse_date("2024-01-01-01"), None);
        assert_eq!(parse_date("99999999999999-01-01"), None);
        assert_eq!(parse_date("yesterday"), None);
    }

    #[test]
    fn date_arguments_are_checked_and_normalised() {
        assert_eq!(date_arg("2024-02-29").as_deref(), Ok("2024-02-29"));
        assert!(date_arg("2024-02-30").is_err());
        assert!(date_arg("2024-1x-01").is_err());
        assert!(date_arg("").is_err());
        assert!(since_arg("24m").is_ok());
        assert!(since_arg("2024-01-01").is_ok());
        assert!(since_arg("24").is_err());
        assert!(since_arg("0d").is_err());
    }

    #[test]
    fn monthly_schedule_has_one_date_per_month() {
        let end = t("2026-11-20") + 3600;
        let start = since_start("24m", end).unwrap();
        assert_eq!(date(start), "2024-11-20");
        let dates = schedule("month", start, end).unwrap();
        assert_eq!(dates.len(), 24);
        assert_eq!(date(dates[0]), "2024-12-01");
        assert_eq!(date(dates[23]), "2026-11-01");
    }

    #[test]
    fn quarterly_and_weekly_schedules_fall_on_boundaries() {
        let end = t("2026-11-20");
        let q = schedule("quarter", since_start("1y", end).unwrap(), end).unwrap();
        let q: Vec<String> = q.into_iter().map(date).collect();
        assert_eq!(q, ["2026-01-01", "2026-04-01", "2026-07-01", "2026-10-01"]);
        let w = schedule("week", since_start("3w", end).unwrap(), end).unwrap();
        let w: Vec<String> = w.into_iter().map(date).collect();
        // 2026-11-16 is a Monday.
        assert_eq!(w, ["2026-11-02", "2026-11-09", "2026-11-16"]);
        assert!(schedule("fortnight", 0, end).is_err());
    }

    #[test]
    fn since_accepts_spans_and_dates_and_clamps_month_ends() {
        let end = t("2026-03-31");
        assert_eq!(date(since_start("1m", end).unwrap()), "2026-02-28");
        assert_eq!(date(since_start("2y", end).unwrap()), "2024-03-31");
        assert_eq!(date(since_start("10d", end).unwrap()), "2026-03-21");
        assert_eq!(date(since_start("2025-01-01", end).unwrap()), "2025-01-01");
        assert_eq!(since_start("0m", end), None);
        assert_eq!(since_start("m", end), None);
        assert_eq!(since_start("12x", end), None);
        assert_eq!(since_start("5é", end), None);
        assert_eq!(since_start("3ヶ", end), None);
        assert_eq!(since_start("999999999999999d", end), None);
        assert_eq!(since_start("2024-02-30", end), None);
    }
}
