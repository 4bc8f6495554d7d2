//! Execution verification: work reported done against the evidence, per
//! team. Pure: the caller loads work items, commits and pull requests and
//! passes them in; nothing here reads a clock (the window ends at `end`, the
//! newest commit) or names a person (authors are counted, never shown).
//!
//! - [`link`]: work-item keys and references in text.
//! - `verified`: whether an item reported done has a change merged to the
//!   default branch (and deployed, when deployments are known); ghosts.
//! - `flow`: stale in-progress items, reopen churn, done without ever being
//!   in progress, cycle time.
//! - [`risk`]: execution risk, a Beta-binomial posterior per team with the
//!   organisation as the prior.
//! - `off_hours`: the team's sustained share of commits outside working hours.

mod flow;
pub mod link;
mod off_hours;
pub mod risk;
mod verified;

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

pub use off_hours::{MANUAL_EVENTS, OffHours};
pub use risk::{Estimate, Prior};

/// A work item as the caller resolved it (newest export wins).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Item {
    pub source: String,
    pub scope: String,
    pub key: String,
    pub title: String,
    pub kind: String,
    pub labels: Vec<String>,
    /// `new`, `indeterminate`, `done`, or empty when unknown.
    pub category: String,
    pub resolution: String,
    pub project: String,
    pub components: Vec<String>,
    pub team_field: String,
    pub created_at: Option<i64>,
    pub resolved_at: Option<i64>,
    /// Status changes in time order: (time, category of the new status —
    /// empty when unknown, category of the old one).
    pub statuses: Vec<(i64, String, String)>,
    /// Commit ids the tracker links (a closing or referencing commit).
    pub commits: Vec<String>,
    /// Pull-request numbers the tracker links (cross-references).
    pub pulls: Vec<u64>,
}

/// A commit of the assessed history (reachable from the assessed commit).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Commit {
    pub id: String,
    pub time: i64,
    /// The author's offset from UTC, in minutes, when the commit was made.
    pub offset_minutes: i32,
    /// The author's identity: counted per team, never shown.
    pub author: String,
    pub message: String,
    /// Keys the configured patterns found in the message (`[execution]
    /// key_patterns`), besides the built-in ones.
    pub extra_keys: Vec<String>,
    /// Files it touched (for the CODEOWNERS fallback).
    pub files: Vec<String>,
    /// A later commit of the history reverts it.
    pub reverted: bool,
    /// It is itself a revert.
    pub is_revert: bool,
    /// Whether a production deployment contains it (`None`: deployments unknown).
    pub deployed: Option<bool>,
    /// When a person started a CI run on it by hand (GitHub
    /// `workflow_dispatch`, GitLab `web`): counted in the off-hours load at
    /// the commit's offset (the CI export does not give the person's zone).
    pub manual_runs: Vec<i64>,
}

/// A pull request of the assessed repository.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Pull {
    pub number: u64,
    pub title: String,
    /// The description: keys anywhere in it, and `#12` references after a
    /// closing keyword, link items.
    pub body: String,
    pub head_ref: String,
    pub merged: bool,
    /// Its merge commit, when it is in the history.
    pub merge_commit: Option<String>,
}

/// What verification is told about the organisation.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// The assessed repository (`github:owner/name`), for `#12` references.
    pub repository_scope: String,
    /// Issue types and labels that need no code (case-insensitive).
    pub no_code_types: Vec<String>,
    pub no_code_labels: Vec<String>,
    /// Days in progress without linked activity before an item is stale.
    pub stale_days: u32,
    /// Working hours in the author's own time, `[start, end)`, Monday to Friday.
    pub work_hours: (u32, u32),
    /// Work-item field values (team, component, project) → team.
    pub team_map: BTreeMap<String, String>,
    /// The fewest people a team shown on its own must have.
    pub min_group: usize,
}

/// Defaults and their rationale are in the methodology (execution verification).
pub const DEFAULT_STALE_DAYS: u32 = 14;
pub const DEFAULT_WORK_HOURS: (u32, u32) = (8, 19);
pub const MIN_GROUP: usize = 5;
pub const DEFAULT_NO_CODE_TYPES: [&str; 5] = ["epic", "spike", "question", "research", "design"];
pub const DEFAULT_NO_CODE_LABELS: [&str; 3] = ["no-code", "question", "documentation-only"];
/// Resolutions that say the item was not delivered although its status is done.
pub const NOT_DELIVERED: [&str; 14] = [
    "won't do",
    "won't fix",
    "wont do",
    "wontfix",
    "won't fix",
    "duplicate",
    "cannot reproduce",
    "incomplete",
    "declined",
    "obsolete",
    "not_planned",
    "canceled",
    "cancelled",
    "rejected",
];

impl Default for Settings {
    fn default() -> Self {
        Settings {
            repository_scope: String::new(),
            no_code_types: DEFAULT_NO_CODE_TYPES.map(str::to_owned).to_vec(),
            no_code_labels: DEFAULT_NO_CODE_LABELS.map(str::to_owned).to_vec(),
            stale_days: DEFAULT_STALE_DAYS,
            work_hours: DEFAULT_WORK_HOURS,
            team_map: BTreeMap::new(),
            min_group: MIN_GROUP,
        }
    }
}

/// An item behind a number: its key and title, never a person.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ItemRef {
    pub key: String,
    pub title: String,
    /// `ghost`, `reverted`, `unmerged`, `not-deployed`, `stale`, `reopened`,
    /// `skipped-progress`.
    pub finding: String,
}

/// One team's execution figures (or the organisation's, or `other`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TeamExecution {
    pub team: String,
    pub items: u64,
    /// Distinct authors of the commits linked to its items (a count only).
    pub contributors: u64,
    /// Done and delivered (not won't-do), needing code.
    pub reported_done: u64,
    pub verified: u64,
    pub verified_rate: Option<f64>,
    /// Reported done with no linked change at all.
    pub ghosts: u64,
    /// Reported done, linked only to reverted changes (or not deployed).
    pub unverified_linked: u64,
    pub in_progress: u64,
    pub stale: u64,
    /// Items moved from done back to another status, and how often.
    pub reopened: u64,
    pub reopens: u64,
    /// Done without ever being in progress (items with a changelog only).
    pub skipped_progress: u64,
    /// Median days from first in progress to done, and over how many items.
    pub cycle_days: Option<f64>,
    pub cycle_items: u64,
    /// The probability that an item reported done is not done.
    pub risk: Option<Estimate>,
    pub off_hours: Option<OffHours>,
    /// The items behind the findings (at most 25 of each finding, by key).
    pub findings: Vec<ItemRef>,
}

/// Execution risk of the organisation by quarter of resolution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Period {
    pub quarter: String,
    pub reported_done: u64,
    pub unverified: u64,
    pub risk: Estimate,
}

/// The whole section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExecutionVerification {
    pub items: u64,
    /// Items whose category is unknown (status name not in the table).
    pub unknown_category: u64,
    /// Done but resolved as not delivered (won't do, duplicate, …).
    pub not_delivered: u64,
    /// Done items of types or labels that need no code.
    pub no_code: u64,
    /// Commits linked to at least one item, of the history's commits.
    pub linked_commits: u64,
    pub commits: u64,
    pub deployments_known: bool,
    pub prior: Prior,
    pub organisation: TeamExecution,
    pub teams: Vec<TeamExecution>,
    /// Teams below the minimum group size: merged into `other`, or left to
    /// the organisation's row when `other` is itself too small.
    pub merged_teams: u64,
    pub suppressed_items: u64,
    pub over_time: Vec<Period>,
}

const MAX_FINDINGS: usize = 25;

/// Keeps the first [`MAX_FINDINGS`] items (by key) of each kind of finding,
/// so that every number has items behind it however many another has.
fn keep_per_finding(findings: &mut Vec<ItemRef>) {
    let mut kept: BTreeMap<String, usize> = BTreeMap::new();
    findings.retain(|f| {
        let n = kept.entry(f.finding.clone()).or_default();
        *n += 1;
        *n <= MAX_FINDINGS
    });
}

/// Verifies `items` against `commits` and `pulls`; `owners` gives the team
/// owning a path (CODEOWNERS), the fallback for an item with no team field.
pub fn verify(
    items: &[Item],
    commits: &[Commit],
    pulls: &[Pull],
    owners: &dyn Fn(&str) -> Option<String>,
    settings: &Settings,
    end: i64,
) -> ExecutionVerification {
    let links = verified::link(items, commits, pulls, settings);
    let deployments_known = commits.iter().any(|c| c.deployed.is_some());
    let teams: Vec<String> = items
        .iter()
        .enumerate()
        .map(|(i, item)| team_of(item, &links.commits[i], commits, owners, settings))
        .collect();
    let outcomes: Vec<verified::Outcome> = items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            verified::outcome(item, &links, i, commits, pulls, settings, deployments_known)
        })
        .collect();

    // Groups: a team with fewer than `min_group` contributors goes to `other`.
    let mut members: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, t) in teams.iter().enumerate() {
        members.entry(t.as_str()).or_default().push(i);
    }
    let members_counts: Vec<(u64, u64)> = members
        .values()
        .map(|idx| {
            let done = idx.iter().filter(|&&i| outcomes[i].reported_done);
            let failed = done.clone().filter(|&&i| !outcomes[i].verified).count() as u64;
            (failed, done.count() as u64)
        })
        .collect();
    let contributors = |idx: &[usize]| -> u64 {
        idx.iter()
            .flat_map(|&i| links.commits[i].iter().map(|&c| commits[c].author.as_str()))
            .collect::<BTreeSet<_>>()
            .len() as u64
    };
    let mut shown: Vec<(String, Vec<usize>)> = Vec::new();
    let mut other: Vec<usize> = Vec::new();
    let mut merged_teams = 0;
    for (team, idx) in members {
        if contributors(&idx) as usize >= settings.min_group {
            shown.push((team.to_owned(), idx));
        } else {
            merged_teams += 1;
            other.extend(idx);
        }
    }
    let mut suppressed_items = 0;
    if !other.is_empty() {
        other.sort_unstable();
        if contributors(&other) as usize >= settings.min_group && !shown.is_empty() {
            shown.push(("other".to_owned(), other));
        } else {
            suppressed_items = other.len() as u64;
        }
    }
    let all: Vec<usize> = (0..items.len()).collect();
    let counts = |idx: &[usize]| -> (u64, u64) {
        let done = idx.iter().filter(|&&i| outcomes[i].reported_done).count() as u64;
        let failed = idx
            .iter()
            .filter(|&&i| outcomes[i].reported_done && !outcomes[i].verified)
            .count() as u64;
        (failed, done)
    };
    // The organisation's prior: pooled over every item, its strength from
    // how much the teams (before merging small ones) differ.
    let prior = risk::prior(&members_counts);
    let figures = |name: &str, idx: &[usize]| -> TeamExecution {
        let mut t = flow::figures(name, idx, items, &outcomes, settings, end);
        t.contributors = contributors(idx);
        let (failed, done) = counts(idx);
        t.risk = (done > 0).then(|| risk::posterior(prior, failed, done));
        t.off_hours = off_hours::measure(
            idx.iter()
                .flat_map(|&i| links.commits[i].iter().copied())
                .collect::<BTreeSet<usize>>()
                .into_iter()
                .map(|c| &commits[c]),
            settings.work_hours,
        );
        keep_per_finding(&mut t.findings);
        t
    };
    let organisation = figures("organisation", &all);
    let teams_out = shown.iter().map(|(n, idx)| figures(n, idx)).collect();
    let over_time = over_time(items, &outcomes, prior);
    ExecutionVerification {
        items: items.len() as u64,
        unknown_category: items.iter().filter(|i| i.category.is_empty()).count() as u64,
        not_delivered: outcomes.iter().filter(|o| o.not_delivered).count() as u64,
        no_code: outcomes.iter().filter(|o| o.no_code).count() as u64,
        linked_commits: links
            .commits
            .iter()
            .flatten()
            .collect::<BTreeSet<_>>()
            .len() as u64,
        commits: commits.len() as u64,
        deployments_known,
        prior,
        organisation,
        teams: teams_out,
        merged_teams,
        suppressed_items,
        over_time,
    }
}

/// The team of an item: the mapping of its team field, components or
/// project; its team field; its first component; the CODEOWNERS team owning
/// most of the files its commits touched; its project; else `unassigned`.
fn team_of(
    item: &Item,
    linked: &[usize],
    commits: &[Commit],
    owners: &dyn Fn(&str) -> Option<String>,
    settings: &Settings,
) -> String {
    let fields = std::iter::once(&item.team_field)
        .chain(&item.components)
        .chain(std::iter::once(&item.project));
    for value in fields {
        if let Some(team) = settings.team_map.get(value) {
            return team.clone();
        }
    }
    if !item.team_field.is_empty() {
        return item.team_field.clone();
    }
    if let Some(c) = item.components.first() {
        return c.clone();
    }
    let mut owned: BTreeMap<String, u64> = BTreeMap::new();
    for &c in linked {
        for f in &commits[c].files {
            if let Some(team) = owners(f) {
                *owned.entry(team).or_default() += 1;
            }
        }
    }
    if let Some((team, _)) = owned
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
    {
        return team;
    }
    if !item.project.is_empty() {
        return item.project.clone();
    }
    "unassigned".to_owned()
}

fn over_time(items: &[Item], outcomes: &[verified::Outcome], prior: Prior) -> Vec<Period> {
    let mut by: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for (item, o) in items.iter().zip(outcomes) {
        let (Some(at), true) = (item.resolved_at, o.reported_done) else {
            continue;
        };
        let e = by.entry(quarter(at)).or_default();
        e.1 += 1;
        if !o.verified {
            e.0 += 1;
        }
    }
    let mut out: Vec<Period> = by
        .into_iter()
        .map(|(quarter, (failed, done))| Period {
            quarter,
            reported_done: done,
            unverified: failed,
            risk: risk::posterior(prior, failed, done),
        })
        .collect();
    let skip = out.len().saturating_sub(8);
    out.drain(..skip);
    out
}

/// `2024-Q3` of a time (UTC).
fn quarter(at: i64) -> String {
    let days = at.div_euclid(86_400);
    let (y, m, _) = civil_from_days(days);
    format!("{y}-Q{}", (m - 1) / 3 + 1)
}

/// Howard Hinnant's days-to-civil.
pub(crate) fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}
