//! The back-test (`friction backtest`): does the hotspot ranking predict
//! where fixes land after a cut date?

use std::collections::{BTreeMap, BTreeSet};

use friction_analysis::backtest::{self, Backtest, Candidate, is_fix};
use friction_code::{ANALYZER_VERSION, FileMetrics};
use friction_history::ExclusionRules;
use friction_store::{Store, StoreError, WalkMode};
use serde::{Deserialize, Serialize};

use crate::calendar::{MONTH, date, parse_date};
use crate::code::Workers;
use crate::progress::Progress;
use crate::{Error, HealthCache, Project, Result};

/// What `friction backtest` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BacktestRequest {
    /// Cut date, YYYY-MM-DD (default: 18 months before the newest commit).
    pub cut: Option<String>,
    /// History before the cut the ranking may use, in months.
    pub window_months: u32,
    /// Months after the cut in which fixes count.
    pub horizon_months: u32,
    /// Worker threads for measuring the tree at the cut (0 = one per core).
    pub threads: usize,
}

#[derive(Debug, Serialize)]
pub struct BacktestReport {
    pub cut: String,
    pub cut_commit: String,
    pub window_months: u32,
    pub horizon_months: u32,
    pub horizon_end: String,
    /// The horizon reaches past the newest stored commit: outcomes are incomplete.
    pub horizon_incomplete: bool,
    #[serde(flatten)]
    pub result: Backtest,
}

/// What the latest back-test stored says about the ranking, read back for
/// the hotspot table's footnote.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct BacktestHeadline {
    pub cut: String,
    pub horizon_months: u32,
    rankings: Vec<RankingAuc>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
struct RankingAuc {
    name: String,
    auc: Option<f64>,
}

impl BacktestHeadline {
    /// The latest back-test of the store, if one was run and is readable.
    pub fn latest(store: &Store) -> Option<BacktestHeadline> {
        let json = store.meta("backtest").ok().flatten()?;
        serde_json::from_str(&json).ok()
    }

    /// The ROC AUC of the ranking whose name starts with `name`.
    pub fn auc(&self, name: &str) -> Option<f64> {
        self.rankings
            .iter()
            .find(|r| r.name.starts_with(name))
            .and_then(|r| r.auc)
    }
}

/// Ranks the files of the tree at the cut, scores the ranking on the fixes
/// after it and stores the result (for `friction hotspots`); the tree is
/// measured into the store under its write lock.
pub fn run(
    project: &Project,
    request: &BacktestRequest,
    progress: &dyn Progress,
) -> Result<BacktestReport> {
    // It measures a tree into the store: one writer at a time.
    let (mut store, _lock) = project.open_store_to_write(progress)?;
    let err = |e: StoreError| Error::input(format!("reading {}: {e}", project.db.display()), None);
    let repo = friction_history::open(&project.path).map_err(|e| {
        Error::input(
            e.to_string(),
            Some("the back-test measures the tree at the cut: give the repository path"),
        )
    })?;
    let Some(last) = store.last_commit_time().map_err(err)? else {
        return Err(Error::input(
            "the store holds no history",
            Some("run `friction scan` on the repository first"),
        ));
    };
    let cut = match &request.cut {
        Some(s) => parse_date(s).ok_or_else(|| {
            Error::input(
                format!("`{s}` is not a date"),
                Some("give the cut as YYYY-MM-DD"),
            )
        })?,
        None => last - 18 * MONTH,
    };
    let horizon_end = cut + i64::from(request.horizon_months) * MONTH;
    let Some(commit) = repo
        .first_parent_at(cut)
        .map_err(|e| Error::input(e.to_string(), None))?
    else {
        return Err(Error::input(
            format!("no commit on the main line before {}", date(cut)),
            Some("choose a later `--cut`"),
        ));
    };
    let rules = ExclusionRules::new(&project.config()?.history)
        .map_err(|e| Error::input(format!("friction.toml: {e}"), None))?;
    let code = crate::code::measure_tree(
        &repo,
        &mut store,
        &rules,
        &Workers {
            threads: request.threads,
            cache: &HealthCache::default(),
            progress,
        },
        commit,
        false,
    )
    .map_err(|e| Error::input(format!("measuring the tree at the cut: {e}"), None))?;
    let result = evaluate(
        &store,
        &code.commit,
        cut,
        horizon_end,
        request.window_months,
    )
    .map_err(err)?;
    let report = BacktestReport {
        cut: date(cut),
        cut_commit: commit.to_string(),
        window_months: request.window_months,
        horizon_months: request.horizon_months,
        horizon_end: date(horizon_end),
        horizon_incomplete: horizon_end > last,
        result,
    };
    let json = serde_json::to_string(&report)
        .map_err(|e| Error::store(format!("encoding the back-test: {e}"), None))?;
    store.set_meta("backtest", &json).map_err(err)?;
    Ok(report)
}

/// Candidates from the tree at the cut, labels from fix commits after it.
fn evaluate(
    store: &Store,
    cut_commit: &str,
    cut: i64,
    horizon_end: i64,
    window_months: u32,
) -> Result<Backtest, StoreError> {
    let mut candidates = Vec::new();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    let tree = store.measured_tree(cut_commit, ANALYZER_VERSION)?;
    let paths: Vec<&str> = tree.iter().map(|(r, _)| r.path.as_str()).collect();
    let ids = store.file_ids_at(&paths, cut_commit)?;
    for ((row, data), id) in tree.into_iter().zip(ids) {
        if row.excluded.is_some() {
            continue;
        }
        let Some(m) = data.and_then(|d| FileMetrics::from_bytes(&d)) else {
            continue;
        };
        if m.lines.code == 0 {
            continue;
        }
        index.insert(id, candidates.len());
        candidates.push(Candidate {
            path: row.path,
            code_lines: m.lines.code,
            cyclomatic: m.cyclomatic_total(),
            revisions: 0,
            authors: 0,
        });
    }
    let since = cut - i64::from(window_months) * MONTH;
    let rows = store.activity(since, WalkMode::Full)?;
    let messages = store.commit_messages(cut)?;
    let mut commits: Vec<BTreeSet<&str>> = vec![BTreeSet::new(); candidates.len()];
    let mut authors: Vec<BTreeSet<&str>> = vec![BTreeSet::new(); candidates.len()];
    let mut fixes: BTreeMap<&str, BTreeSet<usize>> = BTreeMap::new();
    for r in &rows {
        let Some(&i) = index.get(&r.file_id) else {
            continue;
        };
        if r.time <= cut {
            commits[i].insert(&r.commit);
            authors[i].insert(&r.author);
        } else if r.time <= horizon_end && messages.get(&r.commit).is_some_and(|m| is_fix(&m.2)) {
            fixes.entry(&r.commit).or_default().insert(i);
        }
    }
    for (i, c) in candidates.iter_mut().enumerate() {
        c.revisions = commits[i].len() as u64;
        c.authors = authors[i].len() as u64;
    }
    let fix_sets: Vec<BTreeSet<usize>> = fixes.into_values().collect();
    Ok(backtest::backtest(&candidates, &fix_sets))
}
