//! Timestamps as exports write them, to seconds since the Unix epoch (UTC).

/// Parses RFC 3339 (`2022-06-25T06:36:41Z`, `…+08:00`, fractions) and, for
/// reports that name no zone (JUnit's `2020-09-04T16:18:04.966371`), the
/// civil time read as UTC.
pub(crate) fn parse(text: &str) -> Option<i64> {
    let text = text.trim();
    if let Ok(ts) = text.parse::<jiff::Timestamp>() {
        return Some(ts.as_second());
    }
    // Jira writes offsets without a colon (`2021-08-06T14:14:54.654+0800`).
    if let Some((head, zone)) = text.rsplit_once(['+', '-'])
        && zone.len() == 4
        && zone.bytes().all(|b| b.is_ascii_digit())
        && head.contains(['T', ' '])
    {
        let sign = &text[head.len()..=head.len()];
        let fixed = format!("{head}{sign}{}:{}", &zone[..2], &zone[2..]);
        if let Ok(ts) = fixed.parse::<jiff::Timestamp>() {
            return Some(ts.as_second());
        }
    }
    let civil = text.parse::<jiff::civil::DateTime>().ok()?;
    civil
        .to_zoned(jiff::tz::TimeZone::UTC)
        .ok()
        .map(|z| z.timestamp().as_second())
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn offsets_and_zoneless_times_read_as_the_same_instant() {
        assert_eq!(parse("2022-06-25T06:36:41Z"), Some(1_656_139_001));
        assert_eq!(parse("2022-06-25T14:36:41+08:00"), Some(1_656_139_001));
        assert_eq!(parse("2022-06-25T06:36:41.250Z"), Some(1_656_139_001));
        assert_eq!(parse("2022-06-25T06:36:41"), Some(1_656_139_001));
        assert_eq!(parse("2022-06-25T14:36:41.000+0800"), Some(1_656_139_001));
        assert_eq!(parse("2022-06-25 06:36:41.5+00:00"), Some(1_656_139_001));
        assert_eq!(parse("yesterday"), None);
    }
}
