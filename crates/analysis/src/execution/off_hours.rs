//! Sustained off-hours load: the share of a team's commits made outside
//! working hours (or at weekends) in the author's own time zone, and the
//! longest run of consecutive weeks in which that share stayed above
//! [`SUSTAINED_SHARE`]. Team level only: a person's hours are never shown.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Commit;

/// A week counts as an off-hours week above this share of its commits:
/// friction's choice (a quarter of the work, not the odd late fix).
pub const SUSTAINED_SHARE: f64 = 0.25;
/// Weeks with fewer commits say nothing about a habit: not counted.
pub const MIN_WEEK_COMMITS: usize = 3;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OffHours {
    pub commits: u64,
    pub share: f64,
    /// Weeks with enough commits to judge, and the longest consecutive run
    /// of them above the sustained share.
    pub weeks: u64,
    pub sustained_weeks: u64,
}

pub(super) fn measure<'a>(
    commits: impl Iterator<Item = &'a Commit>,
    (start, end): (u32, u32),
) -> Option<OffHours> {
    let mut total = 0u64;
    let mut off = 0u64;
    let mut weeks: BTreeMap<i64, (usize, usize)> = BTreeMap::new();
    for c in commits {
        let local = c.time + i64::from(c.offset_minutes) * 60;
        let days = local.div_euclid(86_400);
        let hour = (local.rem_euclid(86_400) / 3600) as u32;
        // 1970-01-01 was a Thursday: Monday = 0.
        let weekday = (days + 3).rem_euclid(7);
        let outside = weekday >= 5 || hour < start || hour >= end;
        total += 1;
        let week = weeks.entry((days + 3).div_euclid(7)).or_default();
        week.0 += 1;
        if outside {
            off += 1;
            week.1 += 1;
        }
    }
    if total == 0 {
        return None;
    }
    let mut judged = 0u64;
    let (mut run, mut longest, mut previous) = (0u64, 0u64, None::<i64>);
    for (&week, &(n, o)) in &weeks {
        if n < MIN_WEEK_COMMITS {
            continue;
        }
        judged += 1;
        let above = o as f64 / n as f64 > SUSTAINED_SHARE;
        run = match (above, previous) {
            (false, _) => 0,
            (true, Some(p)) if p + 1 == week && run > 0 => run + 1,
            (true, _) => 1,
        };
        longest = longest.max(run);
        previous = Some(week);
    }
    Some(OffHours {
        commits: total,
        share: off as f64 / total as f64,
        weeks: judged,
        sustained_weeks: longest,
    })
}
