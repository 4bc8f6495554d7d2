//! The back-test (`friction backtest`): does the hotspot ranking predict
//! where fixes land after a cut date?

use std::collections::{BTreeMap, BTreeSet};

use std::collections::HashMap;

use friction_analysis::backtest::{self, Backtest, Candidate};
use friction_analysis::defect_model::{self, Coefficients, FEATURES, Features, Training};
use friction_analysis::fixes::{PathKind, Touched};
use friction_code::{ANALYZER_VERSION, FileMetrics, health};
use friction_history::ExclusionRules;
use friction_store::{ActivityRow, Store, StoreError, WalkMode};
use serde::{Deserialize, Serialize};

use crate::calendar::{MONTH, date, parse_date};
use crate::code::Workers;
use crate::progress::Progress;
use crate::{Error, HealthCache, Project, Result};

/// What `friction backtest` asks for.
#[derive(Debug, Clone, PartialEq)]
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
    /// Cut dates scored: the first cut, then one every `origin_step_months`
    /// before it (rolling origins). 0: four without `cut` (18 to 36 months
    /// before the newest commit, the last three years with complete
    /// horizons), one with it.
    pub origins: u32,
    /// Months between rolling origins.
    pub origin_step_months: u32,
    /// The defect model's prior (`feature,density,risk` rows, as
    /// `defect_prior.csv`) instead of the committed one: for the
    /// leave-one-repository-out runs of `scripts/fit-defect-prior.py`.
    pub prior_csv: Option<String>,
    /// Shrinkage weight toward the prior instead of
    /// [`defect_model::SHRINKAGE`] (tuning).
    pub shrinkage: Option<f64>,
}

/// Rolling origins when none are asked for and no cut is given.
pub const DEFAULT_ORIGINS: u32 = 4;

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
    /// Every cut scored, newest first (the first is the one above); the
    /// per-file outcomes are listed for the first only.
    pub origins: Vec<Origin>,
    /// Each ranking over the origins: mean and spread.
    pub summary: Vec<RankingSummary>,
    /// Cuts asked for that could not be scored, and why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub skipped_origins: Vec<String>,
}

/// One cut date's back-test.
#[derive(Debug, Clone, Serialize)]
pub struct Origin {
    pub cut: String,
    pub cut_commit: String,
    pub horizon_end: String,
    pub horizon_incomplete: bool,
    pub files: u64,
    pub fix_touched_files: u64,
    pub fix_commits: u64,
    pub rankings: Vec<backtest::Ranking>,
    /// The defect model fitted for this cut (on history before it only).
    pub model: ModelReport,
}

/// The defect model of one cut: fitted on features at `cut − k·horizon`
/// (k = 1, 2, 3) and the fixes of the horizon after each, applied to the
/// features at the cut.
#[derive(Debug, Clone, Serialize)]
pub struct ModelReport {
    /// The earliest training period's start.
    pub training_cut: String,
    /// File rows over the training periods.
    pub training_files: u64,
    /// Fix commits in the training outcome window touching a scored file.
    pub training_fix_commits: u64,
    /// File × fix-commit events in the training outcome window.
    pub training_events: u64,
    pub shrinkage: f64,
    /// Coefficients: the repository alone (a weak ridge toward 0, the input
    /// of the pooled prior), and shrunk toward the prior (the rankings').
    pub coefficients: Vec<ModelCoefficient>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ModelCoefficient {
    pub feature: &'static str,
    pub local_density: f64,
    pub local_risk: f64,
    pub prior_density: f64,
    pub prior_risk: f64,
    pub density: f64,
    pub risk: f64,
}

/// Ridge weight of the repository-alone fit: enough to keep collinear
/// features finite, little enough to leave the estimate the data's.
const LOCAL_RIDGE: f64 = 0.5;

/// A ranking's figures over the rolling origins: mean, standard deviation
/// and range of each, over the origins where it could be computed.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RankingSummary {
    pub name: &'static str,
    pub origins: u64,
    pub auc: Option<Spread>,
    pub strata_auc: Option<Spread>,
    pub popt: Option<Spread>,
    pub top20_fix_share: Option<Spread>,
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct Spread {
    pub mean: f64,
    /// Sample standard deviation (0 with one origin).
    pub sd: f64,
    pub min: f64,
    pub max: f64,
}

impl Spread {
    fn of(values: &[f64]) -> Option<Spread> {
        if values.is_empty() {
            return None;
        }
        let n = values.len() as f64;
        let mean = values.iter().sum::<f64>() / n;
        let sd = if values.len() > 1 {
            (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
        } else {
            0.0
        };
        let r = |x: f64| (x * 1000.0).round() / 1000.0;
        Some(Spread {
            mean: r(mean),
            sd: r(sd),
            min: r(values.iter().copied().fold(f64::INFINITY, f64::min)),
            max: r(values.iter().copied().fold(f64::NEG_INFINITY, f64::max)),
        })
    }
}

fn summary(origins: &[Origin]) -> Vec<RankingSummary> {
    let Some(first) = origins.first() else {
        return Vec::new();
    };
    (0..first.rankings.len())
        .map(|k| {
            let col = |f: &dyn Fn(&backtest::Ranking) -> Option<f64>| -> Vec<f64> {
                origins
                    .iter()
                    .filter(|o| o.fix_commits > 0)
                    .filter_map(|o| o.rankings.get(k).and_then(f))
                    .collect()
            };
            RankingSummary {
                name: first.rankings[k].name,
                origins: origins.iter().filter(|o| o.fix_commits > 0).count() as u64,
                auc: Spread::of(&col(&|r| r.auc)),
                strata_auc: Spread::of(&col(&|r| r.strata_auc)),
                popt: Spread::of(&col(&|r| r.popt)),
                top20_fix_share: Spread::of(&col(&|r| Some(r.top20_fix_share))),
            }
        })
        .collect()
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
    let first_cut = match &request.cut {
        Some(s) => parse_date(s).ok_or_else(|| {
            Error::input(
                format!("`{s}` is not a date"),
                Some("give the cut as YYYY-MM-DD"),
            )
        })?,
        None => last - 18 * MONTH,
    };
    let count = match (request.origins, &request.cut) {
        (0, None) => DEFAULT_ORIGINS,
        (0, Some(_)) => 1,
        (n, _) => n,
    };
    let rules = ExclusionRules::new(&project.config()?.history)
        .map_err(|e| Error::input(format!("friction.toml: {e}"), None))?;
    let fix = crate::assess::FixRules::new(&project.config()?)?;
    let prior = match &request.prior_csv {
        Some(text) => Coefficients::parse(text).map_err(|e| {
            Error::input(
                format!("the defect-model prior: {e}"),
                Some("give `feature,density,risk` rows as in defect_prior.csv"),
            )
        })?,
        None => Coefficients::prior(),
    };
    let shrinkage = request.shrinkage.unwrap_or(defect_model::SHRINKAGE);
    if !(shrinkage.is_finite() && shrinkage >= 0.0) {
        return Err(Error::input(
            format!("shrinkage {shrinkage} is not a non-negative number"),
            None,
        ));
    }
    // Every stored change and which commits are defect fixes, read once
    // for all cuts.
    let rows = store.activity(i64::MIN, WalkMode::Full).map_err(err)?;
    let fixes = fix_commits(&store, &rows, &fix).map_err(err)?;
    let fix_rows: Vec<bool> = rows.iter().map(|r| fixes.contains(&r.commit)).collect();
    let history = History {
        rows: &rows,
        fix: &fix_rows,
    };
    let mut scored: Vec<(Origin, Backtest, BTreeMap<String, u64>)> = Vec::new();
    let mut skipped = Vec::new();
    for k in 0..count {
        let cut = first_cut - i64::from(k * request.origin_step_months.max(1)) * MONTH;
        let horizon_end = cut + i64::from(request.horizon_months) * MONTH;
        let Some(commit) = repo
            .first_parent_at(cut)
            .map_err(|e| Error::input(e.to_string(), None))?
        else {
            if k == 0 {
                return Err(Error::input(
                    format!("no commit on the main line before {}", date(cut)),
                    Some("choose a later `--cut`"),
                ));
            }
            skipped.push(format!(
                "{}: no commit on the main line before it",
                date(cut)
            ));
            continue;
        };
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
        let (mut result, left_out, model) = evaluate(
            &store,
            &code.commit,
            &Outcome {
                cut,
                horizon_end,
                window_months: request.window_months,
                include_tests: request.include_tests,
                prior: &prior,
                shrinkage,
            },
            &history,
        )
        .map_err(err)?;
        if k > 0 {
            result.outcomes.clear();
        }
        let origin = Origin {
            cut: date(cut),
            cut_commit: commit.to_string(),
            horizon_end: date(horizon_end),
            horizon_incomplete: horizon_end > last,
            files: result.files,
            fix_touched_files: result.fix_touched_files,
            fix_commits: result.fix_commits,
            rankings: result.rankings.clone(),
            model,
        };
        scored.push((origin, result, left_out));
    }
    let origins: Vec<Origin> = scored.iter().map(|(o, _, _)| o.clone()).collect();
    let summary = summary(&origins);
    let (first, result, left_out) = scored.swap_remove(0);
    let report = BacktestReport {
        cut: first.cut,
        cut_commit: first.cut_commit,
        window_months: request.window_months,
        horizon_months: request.horizon_months,
        horizon_end: first.horizon_end,
        horizon_incomplete: first.horizon_incomplete,
        product_code_only: !request.include_tests,
        left_out,
        result,
        origins,
        summary,
        skipped_origins: skipped,
    };
    // The stored headline (for `friction hotspots`) leaves the per-file
    // outcomes out.
    let mut headline = serde_json::to_value(&report)
        .map_err(|e| Error::store(format!("encoding the back-test: {e}"), None))?;
    if let Some(o) = headline.as_object_mut() {
        o.remove("outcomes");
    }
    store
        .set_meta("backtest", &headline.to_string())
        .map_err(err)?;
    Ok(report)
}

impl BacktestReport {
    /// `path,score` rows of friction's ranking at the first cut (paths as
    /// they were at the cut, highest score first), for an external
    /// back-test to score (for example `backtest.py --score`).
    pub fn scores_csv(&self) -> String {
        self.ranking_csv("friction").unwrap_or_default()
    }

    /// As [`BacktestReport::scores_csv`] for the ranking whose name starts
    /// with `name` (`None` when no ranking does).
    pub fn ranking_csv(&self, name: &str) -> Option<String> {
        let k = self
            .result
            .rankings
            .iter()
            .position(|r| r.name.starts_with(name))?;
        let mut rows: Vec<(&str, f64)> = self
            .result
            .outcomes
            .iter()
            .map(|o| (o.path.as_str(), o.scores.get(k).copied().unwrap_or(0.0)))
            .collect();
        rows.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
        let mut out = String::from("path,score\n");
        for (p, v) in rows {
            let quoted = if p.contains([',', '"', '\n']) {
                format!("\"{}\"", p.replace('"', "\"\""))
            } else {
                p.to_owned()
            };
            out.push_str(&format!("{quoted},{v}\n"));
        }
        Some(out)
    }
}

/// What the back-test scores against: the window before the cut and the
/// defect fixes of the horizon after it.
struct Outcome<'a> {
    cut: i64,
    horizon_end: i64,
    window_months: u32,
    include_tests: bool,
    prior: &'a Coefficients,
    shrinkage: f64,
}

/// The stored history every cut reads: each change (oldest first) and
/// whether its commit is one the fix classifier calls a defect fix.
struct History<'a> {
    rows: &'a [ActivityRow],
    fix: &'a [bool],
}

/// The commits whose message and touched files make them defect fixes.
fn fix_commits(
    store: &Store,
    rows: &[ActivityRow],
    fix: &crate::assess::FixRules,
) -> Result<BTreeSet<String>, StoreError> {
    let messages = store.commit_messages(i64::MIN)?;
    // What each commit changed (every counted change, scored file or not).
    let mut touched: HashMap<&str, Touched> = HashMap::new();
    for r in rows {
        touched
            .entry(&r.commit)
            .or_default()
            .add(PathKind::of(&r.path));
    }
    Ok(touched
        .into_iter()
        .filter(|(commit, t)| messages.get(*commit).is_some_and(|m| fix.is_fix(&m.2, *t)))
        .map(|(c, _)| c.to_owned())
        .collect())
}

/// Earlier periods of one horizon each the defect model is trained on.
const TRAINING_PERIODS: u32 = 3;

/// Recency scale of [`Features::recent_changes`]: 180 days.
const RECENCY_SECONDS: f64 = 180.0 * 86_400.0;

/// Coupling counts only commits touching at most this many scored files
/// (larger ones are sweeping changes, not coupling).
const COUPLING_MAX_FILES: usize = 30;

/// Each candidate's features at `at` (history up to it; the window is the
/// `window` seconds before it). `at_row` is each row's candidate, if any.
fn features_at(
    history: &History<'_>,
    at_row: &[Option<usize>],
    base: &[Features],
    at: i64,
    window: i64,
) -> Vec<Features> {
    let n = base.len();
    let mut f: Vec<Features> = base.to_vec();
    let mut last_commit: Vec<Option<&str>> = vec![None; n];
    let mut authors: Vec<BTreeSet<&str>> = vec![BTreeSet::new(); n];
    let mut all_authors: Vec<BTreeMap<&str, u64>> = vec![BTreeMap::new(); n];
    let mut first: Vec<Option<i64>> = vec![None; n];
    let mut commit_files: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for ((r, &i), &fix) in history.rows.iter().zip(at_row).zip(history.fix) {
        if r.time > at {
            break;
        }
        let Some(i) = i else {
            continue;
        };
        if last_commit[i] == Some(r.commit.as_str()) {
            continue;
        }
        last_commit[i] = Some(&r.commit);
        let x = &mut f[i];
        x.all_revisions += 1;
        x.all_fixes += u64::from(fix);
        *all_authors[i].entry(&r.author).or_default() += 1;
        first[i].get_or_insert(r.time);
        if r.time > at - window {
            x.revisions += 1;
            x.churn += r.lines_added + r.lines_deleted;
            x.prior_fixes += u64::from(fix);
            x.recent_changes += (-((at - r.time) as f64) / RECENCY_SECONDS).exp();
            authors[i].insert(&r.author);
            commit_files.entry(&r.commit).or_default().push(i);
        }
    }
    let mut pairs: HashMap<(usize, usize), u32> = HashMap::new();
    for files in commit_files.values() {
        if files.len() < 2 || files.len() > COUPLING_MAX_FILES {
            continue;
        }
        for (k, &a) in files.iter().enumerate() {
            for &b in &files[k + 1..] {
                *pairs.entry((a.min(b), a.max(b))).or_default() += 1;
            }
        }
    }
    for (&(a, b), &count) in &pairs {
        if count >= 2 {
            f[a].coupling_degree += 1;
            f[b].coupling_degree += 1;
        }
    }
    for (i, x) in f.iter_mut().enumerate() {
        x.authors = authors[i].len() as u64;
        x.all_authors = all_authors[i].len() as u64;
        let top = all_authors[i].values().copied().max().unwrap_or(0);
        x.ownership = if x.all_revisions > 0 {
            top as f64 / x.all_revisions as f64
        } else {
            0.0
        };
        x.age_months = first[i].map_or(0.0, |t| (at - t) as f64 / MONTH as f64);
    }
    f
}

/// Per fix commit in `(from, to]`, the candidates it touched.
fn fix_sets<'a>(
    history: &History<'a>,
    at_row: &[Option<usize>],
    from: i64,
    to: i64,
) -> Vec<BTreeSet<usize>> {
    let mut sets: BTreeMap<&'a str, BTreeSet<usize>> = BTreeMap::new();
    let start = history.rows.partition_point(|r| r.time <= from);
    for ((r, &i), &fix) in history.rows[start..]
        .iter()
        .zip(&at_row[start..])
        .zip(&history.fix[start..])
    {
        if r.time > to {
            break;
        }
        if let (true, Some(i)) = (fix, i) {
            sets.entry(&r.commit).or_default().insert(i);
        }
    }
    sets.into_values().collect()
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// The files of a tree the defect model scores, with their size and
/// health (the features that need no history), their file identities, and
/// how many files each rule left out.
struct Scored {
    candidates: Vec<Candidate>,
    base: Vec<Features>,
    ids: Vec<String>,
    left_out: BTreeMap<String, u64>,
}

/// The measured files of the tree at `commit`: product code unless
/// `include_tests`, excluded, unmeasured and empty files left out.
fn scored_files(store: &Store, commit: &str, include_tests: bool) -> Result<Scored, StoreError> {
    let mut s = Scored {
        candidates: Vec::new(),
        base: Vec::new(),
        ids: Vec::new(),
        left_out: BTreeMap::new(),
    };
    let tree = store.measured_tree(commit, ANALYZER_VERSION)?;
    let paths: Vec<&str> = tree.iter().map(|(r, _)| r.path.as_str()).collect();
    let file_ids = store.file_ids_at(&paths, commit)?;
    for ((row, data), id) in tree.into_iter().zip(file_ids) {
        let kind = PathKind::of(&row.path);
        let rule = if let Some(reason) = &row.excluded {
            Some(reason.clone())
        } else if !include_tests && kind != PathKind::Product {
            Some(kind.as_str().to_owned())
        } else {
            None
        };
        if let Some(rule) = rule {
            *s.left_out.entry(rule).or_default() += 1;
            continue;
        }
        let Some(m) = data.and_then(|d| FileMetrics::from_bytes(&d)) else {
            *s.left_out.entry("not measured".into()).or_default() += 1;
            continue;
        };
        if m.lines.code == 0 {
            *s.left_out.entry("empty".into()).or_default() += 1;
            continue;
        }
        s.base.push(Features {
            code_lines: m.lines.code,
            health_debt: health::assess(&m).score.map_or(0.0, |h| 10.0 - h),
            ..Features::default()
        });
        s.ids.push(id);
        s.candidates.push(Candidate {
            path: row.path,
            code_lines: m.lines.code,
            cyclomatic: m.cyclomatic_total(),
            revisions: 0,
            authors: 0,
        });
    }
    Ok(s)
}

/// The defect model fitted at one cut, and what it is applied to.
struct FittedModel {
    /// Each row's candidate, if any (indices into the scored files).
    at_row: Vec<Option<usize>>,
    /// Each candidate's features at the cut.
    now: Vec<Features>,
    /// Shrunk toward the prior: what the rankings use.
    fitted: Coefficients,
    /// The training rows, for the repository-only fit the back-test
    /// reports beside the shrunk one ([`model_report`]).
    training: Training,
    training_cut: i64,
    training_fix_commits: u64,
}

/// Fits the defect model at `cut` for the files `base` (identities `ids`):
/// their features one, two and three horizons before the cut, each with the
/// fixes that touched them in the horizon after it — nothing after the cut —
/// shrunk toward `prior`; and their features at the cut.
#[allow(clippy::too_many_arguments)]
fn fit_at(
    history: &History<'_>,
    base: &[Features],
    ids: &[String],
    cut: i64,
    horizon: i64,
    window: i64,
    prior: &Coefficients,
    shrinkage: f64,
) -> FittedModel {
    let index: HashMap<&str, usize> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i))
        .collect();
    let at_row: Vec<Option<usize>> = history
        .rows
        .iter()
        .map(|r| index.get(r.file_id.as_str()).copied())
        .collect();
    let now = features_at(history, &at_row, base, cut, window);
    // A period counts only the files that had been changed by its start (a
    // file created later cannot be fixed in it).
    let mut training = Training::default();
    let mut training_fix_commits = 0;
    let mut earliest = cut;
    for period in 1..=TRAINING_PERIODS {
        let start = cut - i64::from(period) * horizon;
        let end = start + horizon;
        let before = features_at(history, &at_row, base, start, window);
        let sets = fix_sets(history, &at_row, start, end);
        let mut counts = vec![0u64; base.len()];
        for set in &sets {
            for &i in set {
                counts[i] += 1;
            }
        }
        let rows = before
            .iter()
            .zip(&counts)
            .filter(|(f, _)| f.all_revisions > 0);
        let mut any = false;
        for (f, &n) in rows {
            training.push(f, n);
            any = true;
        }
        if any {
            training_fix_commits += sets.len() as u64;
            earliest = start;
        }
    }
    let fitted = defect_model::fit_both(&training, prior, shrinkage);
    FittedModel {
        at_row,
        now,
        fitted,
        training,
        training_cut: earliest,
        training_fix_commits,
    }
}

/// The back-test's account of a fitted model: its training, and every
/// coefficient shrunk, of the prior, and fitted on the repository alone
/// (the second fit only the back-test reports, so only it pays for it).
fn model_report(m: &FittedModel, prior: &Coefficients, shrinkage: f64) -> ModelReport {
    let zero = Coefficients {
        density: [0.0; defect_model::K],
        risk: [0.0; defect_model::K],
    };
    let local = defect_model::fit_both(&m.training, &zero, LOCAL_RIDGE);
    let fitted = &m.fitted;
    ModelReport {
        training_cut: date(m.training_cut),
        training_files: m.training.x.len() as u64,
        training_fix_commits: m.training_fix_commits,
        training_events: m.training.events(),
        shrinkage,
        coefficients: FEATURES
            .iter()
            .enumerate()
            .map(|(j, &feature)| ModelCoefficient {
                feature,
                local_density: round4(local.density[j + 1]),
                local_risk: round4(local.risk[j + 1]),
                prior_density: round4(prior.density[j + 1]),
                prior_risk: round4(prior.risk[j + 1]),
                density: round4(fitted.density[j + 1]),
                risk: round4(fitted.risk[j + 1]),
            })
            .collect(),
    }
}

/// Candidates from the tree at the cut, labels from the defect fixes after
/// it, how many files each rule left out, and the defect model fitted on
/// the history before the cut.
fn evaluate(
    store: &Store,
    cut_commit: &str,
    o: &Outcome<'_>,
    history: &History<'_>,
) -> Result<(Backtest, BTreeMap<String, u64>, ModelReport), StoreError> {
    let Scored {
        mut candidates,
        base,
        ids,
        left_out,
    } = scored_files(store, cut_commit, o.include_tests)?;
    let window = i64::from(o.window_months) * MONTH;
    let horizon = o.horizon_end - o.cut;
    let m = fit_at(
        history,
        &base,
        &ids,
        o.cut,
        horizon,
        window,
        o.prior,
        o.shrinkage,
    );
    let model = model_report(&m, o.prior, o.shrinkage);
    let FittedModel {
        at_row,
        now,
        fitted,
        ..
    } = m;
    for (c, f) in candidates.iter_mut().zip(&now) {
        c.revisions = f.revisions;
        c.authors = f.authors;
    }
    let min = f64::from(defect_model::MIN_DENSITY_LINES);
    let extra = vec![
        (
            "revisions per line (min 50 lines)",
            "(1 + all-history revisions) / max(code lines, 50)",
            now.iter()
                .map(|f| (1.0 + f.all_revisions as f64) / f64::from(f.code_lines).max(min))
                .collect(),
        ),
        (
            "risk model (fitted before the cut)",
            "P(touched by a fix), logistic on the features, shrunk toward the pooled prior",
            now.iter().map(|f| fitted.risk(f)).collect(),
        ),
        (
            "density model (min 50 lines)",
            "expected fixes / max(code lines, 50), Poisson with size as exposure, shrunk toward the pooled prior",
            now.iter().map(|f| fitted.density(f)).collect(),
        ),
    ];
    let sets = fix_sets(history, &at_row, o.cut, o.horizon_end);
    Ok((
        backtest::backtest(&candidates, &sets, extra),
        left_out,
        model,
    ))
}

/// Months the forecast at the present looks ahead (and the window its
/// features count over): `friction backtest`'s default horizon and window.
pub const FORECAST_MONTHS: u32 = 12;

/// Training fix commits of the repository's own below which the forecast
/// rests mostly on the pooled prior: the threshold of the pre-registered
/// test (`BENCHMARKS.md`, "Pre-registered test").
pub const OWN_HISTORY_FIX_COMMITS: u64 = 40;

/// The defect model applied at the present: fitted, as the back-test fits
/// it at a cut, on the three horizons before the newest stored commit, and
/// applied to the product files of the measured tree.
#[derive(Debug, Clone, Serialize)]
pub struct Forecast {
    /// The present cut: the newest stored commit's date (the hotspot
    /// window's end).
    pub cut: String,
    pub horizon_months: u32,
    /// The earliest training period's start.
    pub training_cut: String,
    /// File rows over the training periods.
    pub training_files: u64,
    /// Defect-fix commits touching a scored file in the training periods.
    pub training_fix_commits: u64,
    /// Fewer than [`OWN_HISTORY_FIX_COMMITS`] training fix commits: the
    /// forecast rests mostly on the pooled prior.
    pub mostly_prior: bool,
    /// False without a single training fix commit: then no file has a
    /// forecast (not measured, never 0).
    pub measured: bool,
    /// Per product file (its path at the measured commit); empty when not
    /// measured.
    #[serde(skip)]
    pub files: BTreeMap<String, defect_model::FileForecast>,
}

/// The defect model's forecast at the present for the product files of the
/// tree at `code_commit` (`None` when the store holds no history). History
/// is read whole (every branch), as the back-test reads it.
pub fn forecast(
    store: &Store,
    code_commit: &str,
    fix: &crate::assess::FixRules,
) -> Result<Option<Forecast>, StoreError> {
    let Some(last) = store.last_commit_time()? else {
        return Ok(None);
    };
    let rows = store.activity(i64::MIN, WalkMode::Full)?;
    let fixes = fix_commits(store, &rows, fix)?;
    let fix_rows: Vec<bool> = rows.iter().map(|r| fixes.contains(&r.commit)).collect();
    let history = History {
        rows: &rows,
        fix: &fix_rows,
    };
    let scored = scored_files(store, code_commit, false)?;
    let span = i64::from(FORECAST_MONTHS) * MONTH;
    let model = fit_at(
        &history,
        &scored.base,
        &scored.ids,
        last,
        span,
        span,
        &Coefficients::prior(),
        defect_model::SHRINKAGE,
    );
    let measured = model.training_fix_commits > 0;
    let files = if measured {
        scored
            .candidates
            .iter()
            .zip(&model.now)
            .map(|(c, f)| (c.path.clone(), model.fitted.forecast(f)))
            .collect()
    } else {
        BTreeMap::new()
    };
    Ok(Some(Forecast {
        cut: date(last),
        horizon_months: FORECAST_MONTHS,
        training_cut: date(model.training_cut),
        training_files: model.training.x.len() as u64,
        training_fix_commits: model.training_fix_commits,
        mostly_prior: model.training_fix_commits < OWN_HISTORY_FIX_COMMITS,
        measured,
        files,
    }))
}
