//! The back-test (`friction backtest`): does the hotspot ranking predict
//! where fixes land after a cut date?

use std::collections::{BTreeMap, BTreeSet};

use friction_analysis::backtest::{self, Backtest, Candidate};
use friction_analysis::fixes::{PathKind, Touched};
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
    /// Score tests, examples, docs and benchmarks too, not product code only.
    pub include_tests: bool,
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
    /// Only product code was scored (`--include-tests` not given).
    pub product_code_only: bool,
    /// Files of the tree at the cut left out of the ranking, by rule: a
    /// `friction.toml`/built-in exclusion reason, `not measured` (not source
    /// code), `empty` (no code lines), and without `--include-tests` the path
    /// kinds that are not product code (`test`, `example`, `benchmark`,
    /// `docs`, `build`).
    pub left_out: BTreeMap<String, u64>,
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
    let fix = crate::assess::FixRules::new(&project.config()?)?;
    let (result, left_out) = evaluate(
        &store,
        &code.commit,
        &Outcome {
            cut,
            horizon_end,
            window_months: request.window_months,
            include_tests: request.include_tests,
            fix: &fix,
        },
    )
    .map_err(err)?;
    let report = BacktestReport {
        cut: date(cut),
        cut_commit: commit.to_string(),
        window_months: request.window_months,
        horizon_months: request.horizon_months,
        horizon_end: date(horizon_end),
        horizon_incomplete: horizon_end > last,
        product_code_only: !request.include_tests,
        left_out,
        result,
    };
    let json = serde_json::to_string(&report)
        .map_err(|e| Error::store(format!("encoding the back-test: {e}"), None))?;
    store.set_meta("backtest", &json).map_err(err)?;
    Ok(report)
}

/// What the back-test scores against: the window before the cut and the
/// defect fixes of the horizon after it.
struct Outcome<'a> {
    cut: i64,
    horizon_end: i64,
    window_months: u32,
    include_tests: bool,
    fix: &'a crate::assess::FixRules,
}

/// Candidates from the tree at the cut, labels from the defect fixes after
/// it, and how many files each rule left out.
fn evaluate(
    store: &Store,
    cut_commit: &str,
    o: &Outcome<'_>,
) -> Result<(Backtest, BTreeMap<String, u64>), StoreError> {
    let mut candidates = Vec::new();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    let mut left_out: BTreeMap<String, u64> = BTreeMap::new();
    let tree = store.measured_tree(cut_commit, ANALYZER_VERSION)?;
    let paths: Vec<&str> = tree.iter().map(|(r, _)| r.path.as_str()).collect();
    let ids = store.file_ids_at(&paths, cut_commit)?;
    for ((row, data), id) in tree.into_iter().zip(ids) {
        let kind = PathKind::of(&row.path);
        let rule = if let Some(reason) = &row.excluded {
            Some(reason.clone())
        } else if !o.include_tests && kind != PathKind::Product {
            Some(kind.as_str().to_owned())
        } else {
            None
        };
        if let Some(rule) = rule {
            *left_out.entry(rule).or_default() += 1;
            continue;
        }
        let Some(m) = data.and_then(|d| FileMetrics::from_bytes(&d)) else {
            *left_out.entry("not measured".into()).or_default() += 1;
            continue;
        };
        if m.lines.code == 0 {
            *left_out.entry("empty".into()).or_default() += 1;
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
    let since = o.cut - i64::from(o.window_months) * MONTH;
    let rows = store.activity(since, WalkMode::Full)?;
    let messages = store.commit_messages(o.cut)?;
    let mut commits: Vec<BTreeSet<&str>> = vec![BTreeSet::new(); candidates.len()];
    let mut authors: Vec<BTreeSet<&str>> = vec![BTreeSet::new(); candidates.len()];
    // What each commit of the horizon changed (every counted change, scored
    // file or not), for the fix classifier.
    let mut touched: BTreeMap<&str, Touched> = BTreeMap::new();
    let mut horizon: BTreeMap<&str, BTreeSet<usize>> = BTreeMap::new();
    for r in &rows {
        if r.time > o.cut && r.time <= o.horizon_end {
            touched
                .entry(&r.commit)
                .or_default()
                .add(PathKind::of(&r.path));
        }
        let Some(&i) = index.get(&r.file_id) else {
            continue;
        };
        if r.time <= o.cut {
            commits[i].insert(&r.commit);
            authors[i].insert(&r.author);
        } else if r.time <= o.horizon_end {
            horizon.entry(&r.commit).or_default().insert(i);
        }
    }
    for (i, c) in candidates.iter_mut().enumerate() {
        c.revisions = commits[i].len() as u64;
        c.authors = authors[i].len() as u64;
    }
    let fix_sets: Vec<BTreeSet<usize>> = horizon
        .into_iter()
        .filter(|(commit, _)| {
            messages.get(*commit).is_some_and(|m| {
                o.fix
                    .is_fix(&m.2, touched.get(commit).copied().unwrap_or_default())
            })
        })
        .map(|(_, set)| set)
        .collect();
    Ok((backtest::backtest(&candidates, &fix_sets), left_out))
}
