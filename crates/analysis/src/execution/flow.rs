//! The figures of a group of items: verification counts, stale in-progress
//! items, reopen churn, done without ever being in progress, cycle time.

use super::verified::Outcome;
use super::{Item, ItemRef, Settings, TeamExecution};

/// Sources whose statuses have no "in progress" (open/closed only): their
/// items can neither skip progress nor have a cycle time.
const TWO_STATE: [&str; 2] = ["github", "gitlab"];

pub(super) fn figures(
    name: &str,
    idx: &[usize],
    items: &[Item],
    outcomes: &[Outcome],
    s: &Settings,
    end: i64,
) -> TeamExecution {
    let mut t = TeamExecution {
        team: name.to_owned(),
        items: idx.len() as u64,
        contributors: 0,
        reported_done: 0,
        verified: 0,
        verified_rate: None,
        ghosts: 0,
        unverified_linked: 0,
        in_progress: 0,
        stale: 0,
        reopened: 0,
        reopens: 0,
        skipped_progress: 0,
        cycle_days: None,
        cycle_items: 0,
        risk: None,
        off_hours: None,
        findings: Vec::new(),
    };
    let mut cycles = Vec::new();
    let mut findings = Vec::new();
    let finding = |item: &Item, what: &str| ItemRef {
        key: item.key.clone(),
        title: item.title.clone(),
        finding: what.to_owned(),
    };
    for &i in idx {
        let (item, o) = (&items[i], &outcomes[i]);
        if o.reported_done {
            t.reported_done += 1;
            if o.verified {
                t.verified += 1;
            } else if o.ghost {
                t.ghosts += 1;
                findings.push(finding(item, "ghost"));
            } else {
                t.unverified_linked += 1;
                findings.push(finding(item, o.reason.unwrap_or("unverified")));
            }
        }
        let reopens = item
            .statuses
            .iter()
            .filter(|(_, to, from)| from == "done" && to != "done" && !to.is_empty())
            .count() as u64;
        if reopens > 0 {
            t.reopened += 1;
            t.reopens += reopens;
            findings.push(finding(item, "reopened"));
        }
        let two_state = TWO_STATE.contains(&item.source.as_str());
        let started = item
            .statuses
            .iter()
            .find(|(_, to, _)| to == "indeterminate")
            .map(|s| s.0);
        if o.reported_done && !two_state && !item.statuses.is_empty() && started.is_none() {
            t.skipped_progress += 1;
            findings.push(finding(item, "skipped-progress"));
        }
        if item.category == "done"
            && let Some(start) = started
            && let Some(done) = item
                .statuses
                .iter()
                .rev()
                .find(|(_, to, _)| to == "done")
                .map(|s| s.0)
            && done >= start
        {
            cycles.push((done - start) as f64 / 86_400.0);
        }
        if item.category == "indeterminate" {
            t.in_progress += 1;
            let entered = item
                .statuses
                .iter()
                .rev()
                .find(|(_, to, _)| to == "indeterminate")
                .map(|s| s.0)
                .or(item.created_at);
            let last = entered.into_iter().chain(o.activity.iter().copied()).max();
            if let Some(last) = last
                && end - last > i64::from(s.stale_days) * 86_400
            {
                t.stale += 1;
                findings.push(finding(item, "stale"));
            }
        }
    }
    t.verified_rate = (t.reported_done > 0).then(|| t.verified as f64 / t.reported_done as f64);
    t.cycle_items = cycles.len() as u64;
    t.cycle_days = median(&mut cycles);
    findings.sort();
    t.findings = findings;
    t
}

fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let n = values.len();
    Some(if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    })
}
