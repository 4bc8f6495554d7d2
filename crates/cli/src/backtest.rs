//! `friction backtest`: does the hotspot ranking predict where fixes land?

use std::collections::{BTreeMap, BTreeSet};

use friction_analysis::backtest::{self, Backtest, Candidate, is_fix};
use friction_code::{ANALYZER_VERSION, FileMetrics};
use friction_history::ExclusionRules;
use friction_store::WalkMode;
use serde::Serialize;

use crate::BacktestArgs;
use friction_app::Error;
use friction_app::calendar::MONTH;
use friction_app::calendar::{date, parse_date};
use friction_app::code::Workers;
use friction_app::project::{open_store_to_write, project_config};

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

pub fn run(args: &BacktestArgs) -> Result<u8, Error> {
    // It measures a tree into the store: one writer at a time.
    let (mut store, db, _lock) = open_store_to_write(
        args.path.clone(),
        args.db.clone(),
        &crate::progress::Bar::new(args.quiet),
    )?;
    let err = |e: friction_store::StoreError| {
        Error::input(format!("reading {}: {e}", db.display()), None)
    };
    let repo = friction_history::open(&args.path).map_err(|e| {
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
    let cut = match &args.cut {
        Some(s) => parse_date(s).ok_or_else(|| {
            Error::input(
                format!("`{s}` is not a date"),
                Some("give the cut as YYYY-MM-DD"),
            )
        })?,
        None => last - 18 * MONTH,
    };
    let horizon_end = cut + i64::from(args.horizon_months) * MONTH;
    let Some(commit) = repo
        .first_parent_at(cut)
        .map_err(|e| Error::input(e.to_string(), None))?
    else {
        return Err(Error::input(
            format!("no commit on the main line before {}", date(cut)),
            Some("choose a later `--cut`"),
        ));
    };
    let config = project_config(&args.path)?;
    let rules = ExclusionRules::new(&config.history)
        .map_err(|e| Error::input(format!("friction.toml: {e}"), None))?;
    let code = friction_app::code::measure_tree(
        &repo,
        &mut store,
        &rules,
        &Workers {
            threads: args.threads,
            cache: &friction_app::HealthCache::default(),
            progress: &crate::progress::Bar::new(args.quiet),
        },
        commit,
        false,
    )
    .map_err(|e| Error::input(format!("measuring the tree at the cut: {e}"), None))?;
    let result =
        evaluate(&store, &code.commit, cut, horizon_end, args.window_months).map_err(err)?;
    let report = BacktestReport {
        cut: date(cut),
        cut_commit: commit.to_string(),
        window_months: args.window_months,
        horizon_months: args.horizon_months,
        horizon_end: date(horizon_end),
        horizon_incomplete: horizon_end > last,
        result,
    };
    let json = serde_json::to_string(&report).unwrap_or_default();
    store.set_meta("backtest", &json).map_err(err)?;
    if args.json {
        let v: serde_json::Value = serde_json::from_str(&json).unwrap_or_default();
        println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
    } else {
        print!("{}", text(&report));
    }
    Ok(0)
}

/// Candidates from the tree at the cut, labels from fix commits after it.
fn evaluate(
    store: &friction_store::Store,
    cut_commit: &str,
    cut: i64,
    horizon_end: i64,
    window_months: u32,
) -> Result<Backtest, friction_store::StoreError> {
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

fn fmt(x: Option<f64>) -> String {
    x.map_or("–".to_owned(), |v| format!("{v:.3}"))
}

pub fn text(r: &BacktestReport) -> String {
    let b = &r.result;
    let mut out = format!(
        "friction backtest · ranked at {} (commit {}, {} months of history), scored on fixes until {}\n",
        r.cut,
        &r.cut_commit[..r.cut_commit.len().min(10)],
        r.window_months,
        r.horizon_end
    );
    out.push_str(&format!(
        "  outcome       {} fix commits touched {} of {} files that existed at the cut\n",
        b.fix_commits, b.fix_touched_files, b.files
    ));
    if r.horizon_incomplete {
        out.push_str("  note          the horizon reaches past the newest commit: fewer fixes can have happened yet\n");
    }
    out.push_str(&format!(
        "\n  {:<42}  {:>7}  {:>12}  {:>17}\n",
        "ranking", "ROC AUC", "AUC by size", "fixes in top 20 %"
    ));
    for k in &b.rankings {
        out.push_str(&format!(
            "  {:<42}  {:>7}  {:>12}  {:>16.1}%\n",
            k.name,
            fmt(k.auc),
            fmt(k.strata_auc),
            k.top20_fix_share
        ));
    }
    out.push_str(
        "\n  ROC AUC: chance that a fix-touched file ranks above one no fix touched (0.5 = chance).\n  AUC by size: the same among files of similar size (quintiles of code lines).\n",
    );
    out
}
