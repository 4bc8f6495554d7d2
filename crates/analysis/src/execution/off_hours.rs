//! Sustained off-hours load: the share of a team's commits, and of the CI
//! runs started by hand on them, made outside working hours (or at weekends)
//! in the author's own time zone, and the longest run of consecutive weeks in
//! which that share stayed above [`SUSTAINED_SHARE`]. Team level only: a
//! person's hours are never shown.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Commit;

/// A week counts as an off-hours week above this share of its commits:
/// friction's choice (a quarter of the work, not the odd late fix).
pub const SUSTAINED_SHARE: f64 = 0.25;
/// Weeks with fewer commits say nothing about a habit: not counted.
pub const MIN_WEEK_COMMITS: usize = 3;
/// CI events a person starts by hand: GitHub's `workflow_dispatch` (the
/// "Run workflow" button, `gh workflow run`) and GitLab's `web` (a pipeline
/// run from the UI). `schedule`, `push`, `api`, `trigger` and the like are
/// automation and not counted.
pub const MANUAL_EVENTS: [&str; 2] = ["workflow_dispatch", "web"];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OffHours {
    pub commits: u64,
    /// CI runs started by hand on those commits, counted with them.
    #[serde(default)]
    pub manual_runs: u64,
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
    let (mut commit_count, mut manual_runs) = (0u64, 0u64);
    let mut weeks: BTreeMap<i64, (usize, usize)> = BTreeMap::new();
    let mut count = |time: i64, offset_minutes: i32| {
        let local = time + i64::from(offset_minutes) * 60;
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
    };
    for c in commits {
        count(c.time, c.offset_minutes);
        commit_count += 1;
        for &t in &c.manual_runs {
            count(t, c.offset_minutes);
            manual_runs += 1;
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
        commits: commit_count,
        manual_runs,
        share: off as f64 / total as f64,
        weeks: judged,
        sustained_weeks: longest,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i64 = 3_600;
    /// Monday 2024-01-01 00:00 UTC.
    const MONDAY: i64 = 1_704_067_200;

    fn commit(time: i64, offset_minutes: i32, manual_runs: Vec<i64>) -> Commit {
        Commit {
            time,
            offset_minutes,
            manual_runs,
            ..Commit::default()
        }
    }

    #[test]
    fn manual_ci_runs_count_with_their_commits_at_the_commits_offset() {
        // Three weeks of three commits at 10:00 local (UTC+2); in week 2 the
        // team also starts two CI runs by hand at 22:00 local.
        let mut commits = Vec::new();
        for week in 0..3 {
            for day in 0..3 {
                let t = MONDAY + (week * 7 + day) * 24 * HOUR + 8 * HOUR;
                let manual = if week == 1 && day == 0 {
                    vec![t + 12 * HOUR, t + 12 * HOUR + 60]
                } else {
                    Vec::new()
                };
                commits.push(commit(t, 120, manual));
            }
        }
        let o = measure(commits.iter(), (8, 19)).unwrap();
        assert_eq!((o.commits, o.manual_runs), (9, 2));
        // 2 of 11 events off hours; week 2 has 2 of 5 (> 25 %).
        assert!((o.share - 2.0 / 11.0).abs() < 1e-12, "{}", o.share);
        assert_eq!((o.weeks, o.sustained_weeks), (3, 1));
        // Without the manual runs nothing is off hours.
        for c in &mut commits {
            c.manual_runs.clear();
        }
        let o = measure(commits.iter(), (8, 19)).unwrap();
        assert_eq!((o.share, o.sustained_weeks, o.manual_runs), (0.0, 0, 0));
    }
}
