//! The assessment over time, from the snapshots: back-fill past dates,
//! the trend, the comparison of two snapshots, re-scoring under this
//! version's methodology, and the CI gate's verdict.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use friction_assess::compare::Change;
use friction_history::{ExclusionRules, ObjectId, RefSelection, Repo};
use friction_store::{SnapshotRow, Store, WalkMode};
use serde::{Deserialize, Serialize};

use crate::assess::{History, Inputs, options};
use crate::cache::HealthCache;
use crate::calendar::{DAY, date, parse_date, schedule, since_start};
use crate::code::Workers;
use crate::error::{Error, Result};
use crate::progress::{Progress, Silent};
use crate::project::Project;
use crate::snapshot::{
    Origin, Recorded, TrendFigures, assess_at, assess_at_with, current_view, document_of, readable,
    record, select, short, store_err,
};

/// The schema of a portfolio roll-up snapshot (`friction scan --portfolio`).
pub const PORTFOLIO_SCHEMA: &str = "friction.portfolio/1";

fn open_repo(path: &Path, why: &str) -> Result<Repo> {
    friction_history::open(path).map_err(|e| {
        Error::input(
            format!("{e}"),
            Some(&format!("{why} needs the repository: give its path")),
        )
    })
}

/// Measures the tree of `commit` (reusing stored metrics by blob id) so the
/// assessment as of that commit has code health.
fn measure(
    repo: &Repo,
    store: &mut Store,
    inputs: &Inputs,
    commit: &str,
    threads: usize,
    cache: &HealthCache,
) -> Result<()> {
    let config = inputs.config()?;
    let rules = ExclusionRules::new(&config.history)
        .map_err(|e| Error::input(format!("friction.toml: {e}"), None))?;
    let id = ObjectId::from_hex(commit.as_bytes())
        .map_err(|_| Error::input(format!("`{commit}` is not a commit id"), None))?;
    crate::code::measure_tree(
        repo,
        store,
        &rules,
        &Workers {
            threads,
            cache,
            progress: &Silent,
        },
        id,
        false,
    )
    .map(|_| ())
    .map_err(|e| {
        Error::input(
            format!("measuring the tree of {}: {e}", short(commit)),
            None,
        )
    })
}

/// What a past commit's snapshot is computed from and where it goes.
struct PastCommit<'a> {
    repo: &'a Repo,
    path: &'a Path,
    today: &'a Inputs,
    options: &'a friction_assess::Options,
    months: u32,
    threads: usize,
    walk: WalkMode,
    cache: &'a HealthCache,
}

impl PastCommit<'_> {
    /// Measures `commit`'s tree and assesses the history reachable from it,
    /// with that commit's CODEOWNERS and teams CSV and today's
    /// configuration. `None`: nothing reachable.
    fn assess(
        &self,
        store: &mut Store,
        history: &mut History,
        commit: &str,
    ) -> Result<Option<(crate::assess::Loaded, friction_assess::Assessment, Inputs)>> {
        measure(
            self.repo,
            store,
            self.today,
            commit,
            self.threads,
            self.cache,
        )?;
        let then = Inputs::read(self.path, Some(commit))?;
        let inputs = Inputs {
            config: self.today.config.clone(),
            // A teams CSV committed later (or never): today's mapping.
            teams_csv: then.teams_csv.or_else(|| self.today.teams_csv.clone()),
            codeowners: then.codeowners,
            // Workflows and policy files as they were at that commit.
            practice: then.practice,
            // Release tags and the remote are read once, today.
            origin: self.today.origin.clone(),
            tags: self.today.tags.clone(),
            // The runbooks of that commit: a back-filled point follows links as they were.
            runbooks: then.runbooks,
            // The lockfiles of that commit: trends follow the dependencies.
            dependencies: then.dependencies,
        };
        Ok(assess_at(
            store,
            self.cache,
            history,
            &inputs,
            self.options,
            self.months,
            Some(commit),
        )?
        .map(|(loaded, a)| (loaded, a, inputs)))
    }

    /// [`PastCommit::assess`], recorded as a snapshot of `kind`.
    fn record(
        &self,
        store: &mut Store,
        history: &mut History,
        commit: &str,
        kind: &str,
    ) -> Result<Option<(Recorded, friction_assess::Assessment)>> {
        let Some((loaded, a, inputs)) = self.assess(store, history, commit)? else {
            return Ok(None);
        };
        let origin = Origin {
            kind,
            scope: "",
            rescored_from: None,
            partial: None,
        };
        let rec = record(
            store,
            &origin,
            &loaded,
            &a,
            &inputs,
            self.options,
            self.walk,
        )?;
        Ok(Some((rec, a)))
    }
}

/// What a back-fill is asked for.
#[derive(Debug, Clone)]
pub struct BackfillRequest {
    /// Period between snapshots: `week`, `month` or `quarter`.
    pub every: String,
    /// How far back: a span (`24m`, `2y`, `12w`, `90d`) or a date.
    pub since: String,
    /// The last date (`YYYY-MM-DD`; default: the newest stored commit).
    pub until: Option<String>,
    /// Window of activity of each snapshot, in months.
    pub months: u32,
    pub mode: WalkMode,
    /// Worker threads for measuring trees (0 = one per core).
    pub threads: usize,
}

/// One date of a back-fill.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BackfillPoint {
    pub date: String,
    /// The mainline commit at that date, if there was one.
    pub commit: Option<String>,
    pub snapshot: Option<i64>,
    /// False when an identical snapshot already existed.
    pub new: bool,
    pub index: Option<f64>,
    pub coverage: Option<f64>,
    pub note: Option<String>,
}

/// A back-fill's outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Backfill {
    pub every: String,
    pub from: String,
    pub to: String,
    pub points: Vec<BackfillPoint>,
}

/// Records snapshots at past period boundaries from history alone: at each
/// date, the mainline commit of that moment, its tree measured and the
/// history reachable from it assessed (the same `load` and `assess` as a
/// scan's).
pub fn backfill(
    project: &Project,
    request: &BackfillRequest,
    progress: &dyn Progress,
) -> Result<Backfill> {
    if request.months == 0 {
        return Err(Error::input("--months must be at least 1", None));
    }
    let repo = open_repo(&project.path, "a back-fill")?;
    let (mut store, _lock) = project.open_store_to_write(progress)?;
    let Some(anchor) = store.last_commit_time().map_err(store_err)? else {
        return Err(Error::input(
            "the store holds no history",
            Some("run `friction scan` on the repository first"),
        ));
    };
    let end = match &request.until {
        Some(s) => parse_date(s).map(|t| t + DAY - 1).ok_or_else(|| {
            Error::input(
                format!("`{s}` is not a date"),
                Some("give --until as YYYY-MM-DD"),
            )
        })?,
        None => anchor,
    };
    let start = since_start(&request.since, end).ok_or_else(|| {
        Error::input(
            format!("--since `{}` is neither a span nor a date", request.since),
            Some("for example --since 24m, 2y, 12w, 90d or 2024-01-01"),
        )
    })?;
    let dates = schedule(&request.every, start, end)?;
    if dates.is_empty() {
        return Err(Error::input(
            format!(
                "no {} boundary between {} and {}",
                request.every,
                date(start),
                date(end)
            ),
            Some("widen --since or choose a shorter --every"),
        ));
    }
    let today = Inputs::read(&project.path, None)?;
    let options = options(
        &today,
        None,
        friction_assess::methodology::DEFAULT_TARGET_SHARE,
    )?;
    let mut history = History::read(&store, request.mode)?;
    let cache = HealthCache::default();

    progress.start("back-filling", dates.len() as u64);
    let mut points: Vec<BackfillPoint> = Vec::new();
    let mut previous: Option<(String, Recorded, Option<f64>, f64)> = None;
    for &t in &dates {
        progress.inc(1);
        let mut point = BackfillPoint {
            date: date(t),
            commit: None,
            snapshot: None,
            new: false,
            index: None,
            coverage: None,
            note: None,
        };
        // The mainline as it stood when the day began.
        let commit = repo
            .first_parent_at(t - 1)
            .map_err(|e| Error::input(e.to_string(), None))?
            .map(|c| c.to_string());
        let Some(commit) = commit else {
            point.note = Some("no commit yet".into());
            points.push(point);
            continue;
        };
        point.commit = Some(commit.clone());
        if let Some((c, rec, index, coverage)) = &previous
            && *c == commit
        {
            point.snapshot = Some(rec.id);
            point.index = *index;
            point.coverage = Some(*coverage);
            point.note = Some("no new mainline commit since the previous date".into());
            points.push(point);
            continue;
        }
        if history.time_of(&commit).is_none() {
            point.note = Some("commit not in the store (run `friction scan` first)".into());
            points.push(point);
            continue;
        }
        let past = PastCommit {
            repo: &repo,
            path: &project.path,
            today: &today,
            options: &options,
            months: request.months,
            threads: request.threads,
            walk: request.mode,
            cache: &cache,
        };
        let Some((rec, a)) = past.record(&mut store, &mut history, &commit, "backfill")? else {
            point.note = Some("no history reachable".into());
            points.push(point);
            continue;
        };
        point.snapshot = Some(rec.id);
        point.new = rec.new;
        point.index = a.index.score;
        point.coverage = Some(a.index.coverage);
        previous = Some((commit, rec, a.index.score, a.index.coverage));
        points.push(point);
    }
    progress.finish();
    if points.iter().all(|p| p.commit.is_none()) {
        return Err(Error::input(
            format!(
                "no commit on the main line between {} and {}",
                date(start),
                date(end)
            ),
            Some("choose a later --since/--until; nothing was written"),
        ));
    }
    Ok(Backfill {
        every: request.every.clone(),
        from: date(start),
        to: date(end),
        points,
    })
}

/// One point of a trend.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrendPoint {
    pub snapshot: i64,
    pub kind: String,
    pub rescored_from: Option<i64>,
    pub commit: String,
    pub as_of: String,
    pub mode: String,
    pub methodology: String,
    pub index: Option<f64>,
    pub ci: Option<[f64; 2]>,
    pub band: Option<String>,
    pub coverage: f64,
    pub drivers: BTreeMap<String, Option<f64>>,
    /// Measured values of the signals beside the index (weight 0), by id;
    /// absent when none was measured.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub beside: BTreeMap<String, f64>,
    /// What the scan behind the snapshot could not read (absent: everything).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partial: Option<String>,
}

/// The organisation's figures in a portfolio roll-up.
#[derive(Debug, Deserialize)]
struct RollUpFigures {
    organisation: TrendFigures,
}

/// The points of `rows`, from the figures stored with each snapshot (older
/// snapshots are read in full; a portfolio roll-up gives the organisation's
/// figures, with no commit and no interval of its own).
pub fn trend_points(store: &Store, rows: &[SnapshotRow]) -> Result<Vec<TrendPoint>> {
    let mut out = Vec::new();
    let stored = store.snapshot_points().map_err(store_err)?;
    let text = |row: &SnapshotRow| -> Result<String> {
        store
            .snapshot(row.id)
            .map_err(store_err)?
            .map(|(_, text)| text)
            .ok_or_else(|| Error::missing(format!("snapshot #{} is gone", row.id), None))
    };
    let unreadable = |row: &SnapshotRow, e: serde_json::Error| {
        Error::input(
            format!("snapshot #{} holds an unreadable assessment: {e}", row.id),
            Some("re-score it with `friction rescore`"),
        )
    };
    for row in rows {
        if row.schema == PORTFOLIO_SCHEMA {
            let r: RollUpFigures =
                serde_json::from_str(&text(row)?).map_err(|e| unreadable(row, e))?;
            out.push(trend_point(row, String::new(), r.organisation, false));
            continue;
        }
        readable(row)?;
        let figures = match stored
            .get(&row.id)
            .and_then(|t| serde_json::from_str::<TrendFigures>(t).ok())
        {
            Some(f) => f,
            None => {
                TrendFigures::of_assessment_json(&text(row)?).map_err(|e| unreadable(row, e))?
            }
        };
        out.push(trend_point(row, row.commit_id.clone(), figures, true));
    }
    Ok(out)
}

/// A point of the trend from a snapshot's figures; `with_ci: false` leaves
/// the interval out.
fn trend_point(row: &SnapshotRow, commit: String, f: TrendFigures, with_ci: bool) -> TrendPoint {
    TrendPoint {
        snapshot: row.id,
        kind: row.kind.clone(),
        rescored_from: row.rescored_from,
        commit,
        as_of: date(row.as_of),
        mode: row.mode.clone(),
        methodology: row.methodology.clone(),
        index: f.index,
        ci: f.ci.filter(|_| with_ci),
        band: f.band,
        coverage: f.coverage,
        drivers: f.drivers,
        beside: f.beside,
        partial: row.partial.clone(),
    }
}

/// Which snapshots a trend shows.
#[derive(Debug, Clone)]
pub struct TrendRequest {
    /// A portfolio store's repository name, or `@portfolio`; empty: the
    /// repository's own snapshots.
    pub scope: String,
    /// Every snapshot, including those superseded by a re-scoring.
    pub all: bool,
    pub mode: WalkMode,
}

/// The index and its drivers over time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trend {
    pub scope: String,
    pub mode: &'static str,
    /// All points use one methodology.
    pub comparable: bool,
    pub methodologies: BTreeSet<String>,
    /// Oldest first; never empty.
    pub points: Vec<TrendPoint>,
}

/// The trend of a store's snapshots.
pub fn trend(store: &Store, request: &TrendRequest) -> Result<Trend> {
    let scope = &request.scope;
    let mut rows: Vec<SnapshotRow> = if request.all {
        store
            .snapshots()
            .map_err(store_err)?
            .into_iter()
            .filter(|s| s.scope == *scope)
            .collect()
    } else {
        current_view(store, scope)?
    };
    let walk = request.mode.as_str();
    rows.retain(|r| r.mode == walk);
    if rows.is_empty() {
        return Err(Error::input(
            format!(
                "no {} snapshots{}",
                walk,
                if scope.is_empty() {
                    String::new()
                } else {
                    format!(" of `{scope}`")
                }
            ),
            Some("`friction scan` records one; `friction backfill --since 24m` records past ones"),
        ));
    }
    let points = trend_points(store, &rows)?;
    let methodologies: BTreeSet<String> = points.iter().map(|p| p.methodology.clone()).collect();
    Ok(Trend {
        scope: scope.clone(),
        mode: walk,
        comparable: methodologies.len() == 1,
        methodologies,
        points,
    })
}

/// One side's header in a comparison: a snapshot, or a state assessed for
/// the comparison only (a gate's baseline revision, not recorded).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Side {
    /// `None`: assessed for this comparison and not recorded.
    pub snapshot: Option<i64>,
    pub kind: String,
    pub commit: String,
    pub as_of: String,
    pub methodology: String,
    pub index: Option<f64>,
    pub coverage: f64,
    /// What the scan behind the snapshot could not read (absent: everything).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partial: Option<String>,
}

/// What changed between two snapshots.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    pub schema: &'static str,
    pub before: Side,
    pub after: Side,
    #[serde(flatten)]
    pub change: Change,
}

fn pick<'a>(view: &'a [SnapshotRow], spec: &str) -> Result<&'a SnapshotRow> {
    select(view, spec).ok_or_else(|| {
        Error::input(
            format!("no snapshot `{spec}`"),
            Some("use latest, previous, first, an id (#12), a date (YYYY-MM-DD) or a commit prefix; `friction trend` lists them"),
        )
    })
}

fn same_methodology(a: &SnapshotRow, b: &SnapshotRow) -> Result<()> {
    if a.methodology != b.methodology {
        return Err(Error::input(
            format!(
                "snapshot #{} uses methodology {} and #{} uses {}: their numbers are not comparable",
                a.id, a.methodology, b.id, b.methodology
            ),
            Some("re-score the older one with `friction rescore` and compare again"),
        ));
    }
    Ok(())
}

/// One side of a comparison with its assessment.
struct Assessed {
    side: Side,
    assessment: friction_assess::Assessment,
}

/// A stored snapshot as a side of a comparison.
fn stored(store: &Store, row: &SnapshotRow) -> Result<Assessed> {
    let assessment = document_of(store, row)?.assessment;
    Ok(Assessed {
        side: Side {
            snapshot: Some(row.id),
            kind: row.kind.clone(),
            commit: row.commit_id.clone(),
            as_of: date(row.as_of),
            methodology: row.methodology.clone(),
            index: assessment.index.score,
            coverage: assessment.index.coverage,
            partial: row.partial.clone(),
        },
        assessment,
    })
}

/// The comparison of two sides (`before` the earlier one); `file_limit`
/// bounds the files listed.
fn comparison(before: Assessed, after: Assessed, file_limit: usize) -> Comparison {
    Comparison {
        schema: "friction.comparison/1",
        change: friction_assess::compare::compare(
            &before.assessment,
            &after.assessment,
            file_limit,
        ),
        before: before.side,
        after: after.side,
    }
}

/// Compares the snapshots `before` and `after` (selectors: `latest`,
/// `previous`, `first`, an id, a date or a commit prefix), which must share
/// a methodology and a view of history.
pub fn compare(store: &Store, before: &str, after: &str, file_limit: usize) -> Result<Comparison> {
    let view = current_view(store, "")?;
    let a = pick(&view, before)?;
    let b = pick(&view, after)?;
    readable(a)?;
    readable(b)?;
    same_methodology(a, b)?;
    if a.mode != b.mode {
        return Err(Error::input(
            format!(
                "snapshot #{} reads the {} history and #{} the {} one: not comparable",
                a.id, a.mode, b.id, b.mode
            ),
            Some("compare snapshots of one view (see the mode column of `friction trend --all`)"),
        ));
    }
    Ok(comparison(stored(store, a)?, stored(store, b)?, file_limit))
}

/// What the manifest of a snapshot says about how it was computed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ManifestOptions {
    window_months: Option<u32>,
    budget_days: Option<f64>,
    target_share: Option<f64>,
    code_commit: Option<String>,
}

impl ManifestOptions {
    fn of(row: &SnapshotRow) -> ManifestOptions {
        serde_json::from_str(&row.manifest).unwrap_or_default()
    }
}

/// Which snapshots to re-score.
#[derive(Debug, Clone, Default)]
pub struct RescoreRequest {
    /// Selectors; empty: every snapshot under another methodology.
    pub snapshots: Vec<String>,
    /// Worker threads for measuring trees (0 = one per core).
    pub threads: usize,
}

/// One re-scored snapshot.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rescored {
    pub from: i64,
    pub from_methodology: String,
    pub from_index: Option<f64>,
    pub snapshot: i64,
    pub methodology: String,
    pub index: Option<f64>,
}

/// A re-scoring's outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rescore {
    /// This version's methodology.
    pub methodology: &'static str,
    pub rescored: Vec<Rescored>,
}

/// Re-computes snapshots from their stored inputs and facts under this
/// version's methodology, as new snapshots that name the ones they re-score.
/// Without the repository, trees are read from the store only (a note on
/// `progress` says so).
pub fn rescore(
    project: &Project,
    request: &RescoreRequest,
    progress: &dyn Progress,
) -> Result<Rescore> {
    let (mut store, _lock) = project.open_store_to_write(progress)?;
    let view = current_view(&store, "")?;
    let current = friction_signals::METHODOLOGY_VERSION;
    let targets: Vec<SnapshotRow> = if request.snapshots.is_empty() {
        view.iter()
            .filter(|s| s.methodology != current)
            .cloned()
            .collect()
    } else {
        request
            .snapshots
            .iter()
            .map(|s| pick(&view, s).cloned())
            .collect::<Result<_>>()?
    };
    let repo = friction_history::open(&project.path).ok();
    let mut histories: BTreeMap<&str, History> = BTreeMap::new();
    let cache = HealthCache::default();
    let mut done = Vec::new();
    for row in &targets {
        let inputs: Inputs = serde_json::from_str(&row.inputs).map_err(|e| {
            Error::input(
                format!("snapshot #{} holds unreadable inputs: {e}", row.id),
                Some("it was written by another friction version; the snapshot is kept as it is"),
            )
        })?;
        let m = ManifestOptions::of(row);
        let options = options(
            &inputs,
            m.budget_days,
            m.target_share
                .unwrap_or(friction_assess::methodology::DEFAULT_TARGET_SHARE),
        )?;
        let walk = if row.mode == WalkMode::FirstParent.as_str() {
            WalkMode::FirstParent
        } else {
            WalkMode::Full
        };
        // Code metrics are stored per analyzer version: re-measure the tree
        // (reusing what is stored) when the repository is at hand.
        match (&repo, &m.code_commit) {
            (Some(repo), Some(c)) => measure(repo, &mut store, &inputs, c, request.threads, &cache)?,
            (None, Some(c)) => progress.note(&format!(
                "warning: no repository at {}: snapshot #{}'s tree ({}) is read from the store only; \
                 files the current code analyzer has not measured count as not measured",
                project.path.display(),
                row.id,
                short(c)
            )),
            _ => {}
        }
        let history = match histories.entry(walk.as_str()) {
            std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::btree_map::Entry::Vacant(e) => e.insert(History::read(&store, walk)?),
        };
        // Code health only if the original had it: the same inputs, a new methodology.
        let Some((loaded, a)) = assess_at_with(
            &store,
            &cache,
            history,
            &inputs,
            &options,
            m.window_months.unwrap_or(12),
            Some(&row.commit_id),
            m.code_commit.is_some(),
        )?
        else {
            return Err(Error::input(
                format!(
                    "snapshot #{}'s commit {} is no longer in the store",
                    row.id,
                    short(&row.commit_id)
                ),
                Some("scan the repository again with the refs that reach it"),
            ));
        };
        let origin = Origin {
            kind: "rescore",
            scope: "",
            rescored_from: Some(row.id),
            // The same facts, so the same gaps.
            partial: row.partial.clone(),
        };
        let rec = record(&mut store, &origin, &loaded, &a, &inputs, &options, walk)?;
        done.push(Rescored {
            from: row.id,
            from_methodology: row.methodology.clone(),
            from_index: row.index_score,
            snapshot: rec.id,
            methodology: a.methodology.clone(),
            index: a.index.score,
        });
    }
    Ok(Rescore {
        methodology: current,
        rescored: done,
    })
}

/// What the gate is asked.
#[derive(Debug, Clone)]
pub struct CheckRequest {
    /// A snapshot selector or a git revision; default `[check] baseline`,
    /// else the newest snapshot of another commit.
    pub baseline: Option<String>,
    /// Largest index drop let through; default `[check] max_drop`.
    pub max_drop: Option<f64>,
    /// Largest drop of a driver's score, as `FAMILY=POINTS`, on top of
    /// `[check.drivers]`.
    pub drivers: Vec<String>,
    /// Window of activity, in months.
    pub months: u32,
    pub mode: WalkMode,
    /// Worker threads for measuring trees (0 = one per core).
    pub threads: usize,
}

/// A failed threshold.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Failure {
    pub what: String,
    pub before: Option<f64>,
    pub after: Option<f64>,
    pub drop: f64,
    pub allowed: f64,
}

/// The gate's verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    pub passed: bool,
    pub max_drop: f64,
    /// The allowed drop per driver family.
    pub drivers: BTreeMap<String, f64>,
    pub failures: Vec<Failure>,
    pub comparison: Comparison,
}

/// The thresholds of the gate: `[check]` of friction.toml, then the request.
fn thresholds(
    config: &friction_history::Config,
    request: &CheckRequest,
) -> Result<(f64, BTreeMap<String, f64>)> {
    let max_drop = request.max_drop.unwrap_or(config.check.max_drop);
    let mut limits: BTreeMap<String, f64> = config.check.drivers.clone();
    for d in &request.drivers {
        let (family, n) = d.split_once('=').ok_or_else(|| {
            Error::input(
                format!("--driver `{d}` is not FAMILY=POINTS"),
                Some("for example --driver delivery=5"),
            )
        })?;
        let n: f64 = n
            .trim()
            .parse()
            .map_err(|_| Error::input(format!("--driver `{d}`: `{n}` is not a number"), None))?;
        limits.insert(family.trim().to_owned(), n);
    }
    let families: Vec<&str> = friction_signals::Family::ALL
        .iter()
        .map(|f| f.as_str())
        .collect();
    for (f, n) in &limits {
        if !families.contains(&f.as_str()) {
            return Err(Error::input(
                format!("no driver `{f}`"),
                Some(&format!("drivers: {}", families.join(", "))),
            ));
        }
        if !(n.is_finite() && *n >= 0.0) {
            return Err(Error::input(
                format!("the allowed drop for `{f}` must be a non-negative number"),
                None,
            ));
        }
    }
    if !(max_drop.is_finite() && max_drop >= 0.0) {
        return Err(Error::input(
            "--max-drop must be a non-negative number of index points",
            None,
        ));
    }
    Ok((max_drop, limits))
}

/// The failed thresholds of a comparison.
fn failures(c: &Comparison, max_drop: f64, limits: &BTreeMap<String, f64>) -> Vec<Failure> {
    let mut failures = Vec::new();
    match (c.before.index, c.after.index) {
        (Some(x), Some(y)) if x - y > max_drop + 1e-9 => failures.push(Failure {
            what: "index".into(),
            before: Some(x),
            after: Some(y),
            drop: ((x - y) * 100.0).round() / 100.0,
            allowed: max_drop,
        }),
        (Some(x), None) => failures.push(Failure {
            what: "index (no longer measured)".into(),
            before: Some(x),
            after: None,
            drop: x,
            allowed: max_drop,
        }),
        _ => {}
    }
    for (f, allowed) in limits {
        let moved = c.change.drivers.iter().find(|d| d.family == *f);
        if let Some((Some(x), Some(y))) = moved.map(|d| (d.before, d.after))
            && x - y > allowed + 1e-9
        {
            failures.push(Failure {
                what: f.clone(),
                before: Some(x),
                after: Some(y),
                drop: ((x - y) * 100.0).round() / 100.0,
                allowed: *allowed,
            });
        }
    }
    failures
}

/// Resolves the baseline: a snapshot, else a git revision assessed as of
/// its commit for this comparison only — not recorded, so a gate's
/// baselines never enter the trend.
#[allow(clippy::too_many_arguments)]
fn baseline(
    spec: &str,
    store: &mut Store,
    repo: &Repo,
    history: &mut History,
    project: &Project,
    today: &Inputs,
    options: &friction_assess::Options,
    request: &CheckRequest,
) -> Result<Assessed> {
    let view: Vec<SnapshotRow> = current_view(store, "")?
        .into_iter()
        .filter(|s| s.mode == request.mode.as_str())
        .collect();
    if let Some(row) = select(&view, spec) {
        readable(row)?;
        return stored(store, row);
    }
    let tips = repo
        .resolve_tips(&RefSelection::Named(vec![spec.to_owned()]))
        .map_err(|_| {
            Error::input(
                format!("the baseline `{spec}` is neither a snapshot nor a git revision"),
                Some("give a snapshot (latest, #12, a date) or a revision such as origin/main"),
            )
        })?;
    let commit = tips
        .first()
        .map(|t| t.id.to_string())
        .ok_or_else(|| Error::input(format!("`{spec}` names no commit"), None))?;
    if history.time_of(&commit).is_none() {
        return Err(Error::input(
            format!("the baseline commit {} is not in the store", short(&commit)),
            Some(&format!(
                "scan it first: `friction scan --ref {spec} --ref HEAD` (or `--all`)"
            )),
        ));
    }
    let past = PastCommit {
        repo,
        path: &project.path,
        today,
        options,
        months: request.months,
        threads: request.threads,
        walk: request.mode,
        cache: &HealthCache::default(),
    };
    let (loaded, assessment, _) = past
        .assess(store, history, &commit)?
        .ok_or_else(|| Error::input("the baseline has no history", None))?;
    Ok(Assessed {
        side: Side {
            snapshot: None,
            kind: "baseline".into(),
            commit: loaded.snapshot_commit().to_owned(),
            as_of: date(loaded.as_of),
            methodology: assessment.methodology.clone(),
            index: assessment.index.score,
            coverage: assessment.index.coverage,
            partial: None,
        },
        assessment,
    })
}

/// The CI gate: assesses `HEAD` (recorded as a snapshot), compares it with
/// the baseline and says which thresholds it failed.
pub fn check(
    project: &Project,
    request: &CheckRequest,
    progress: &dyn Progress,
) -> Result<Verdict> {
    if request.months == 0 {
        return Err(Error::input("--months must be at least 1", None));
    }
    let repo = open_repo(&project.path, "`friction check`")?;
    let (mut store, _lock) = project.open_store_to_write(progress)?;
    let today = Inputs::read(&project.path, None)?;
    let config = today.config()?;
    let options = options(
        &today,
        None,
        friction_assess::methodology::DEFAULT_TARGET_SHARE,
    )?;
    let walk = request.mode;
    let (max_drop, limits) = thresholds(&config, request)?;

    // The current state: HEAD, as stored by the last scan.
    let head = repo
        .head_commit()
        .map_err(|e| Error::input(e.to_string(), None))?
        .to_string();
    let mut history = History::read(&store, walk)?;
    if history.time_of(&head).is_none() {
        return Err(Error::input(
            format!("HEAD ({}) is not in the store", short(&head)),
            Some("run `friction scan` first"),
        ));
    }
    let cache = HealthCache::default();
    measure(&repo, &mut store, &today, &head, request.threads, &cache)?;
    let (loaded, a) = assess_at(
        &store,
        &cache,
        &mut history,
        &today,
        &options,
        request.months,
        Some(&head),
    )?
    .ok_or_else(|| Error::input("HEAD has no history", None))?;
    let origin = Origin {
        kind: "scan",
        scope: "",
        rescored_from: None,
        partial: None,
    };
    let rec = record(&mut store, &origin, &loaded, &a, &today, &options, walk)?;
    let after_row = store
        .snapshot_header(rec.id)
        .map_err(store_err)?
        .ok_or_else(|| Error::input("the snapshot was not stored", None))?;

    let spec = request
        .baseline
        .clone()
        .or_else(|| config.check.baseline.clone());
    let before = match spec {
        Some(spec) => baseline(
            &spec,
            &mut store,
            &repo,
            &mut history,
            project,
            &today,
            &options,
            request,
        )?,
        None => {
            let row = current_view(&store, "")?
                .into_iter()
                .rfind(|s| s.mode == walk.as_str() && s.commit_id != head)
                .ok_or_else(|| {
                    Error::input(
                        "no baseline: no snapshot of another commit",
                        Some("give --baseline (a snapshot or a revision such as origin/main)"),
                    )
                })?;
            readable(&row)?;
            stored(&store, &row)?
        }
    };
    if before.side.methodology != after_row.methodology {
        return Err(Error::input(
            format!(
                "snapshot {} uses methodology {} and #{} uses {}: their numbers are not comparable",
                before.side.snapshot.map_or_else(
                    || short(&before.side.commit).to_owned(),
                    |id| format!("#{id}")
                ),
                before.side.methodology,
                after_row.id,
                after_row.methodology
            ),
            Some("re-score the older one with `friction rescore` and compare again"),
        ));
    }
    let comparison = comparison(before, stored(&store, &after_row)?, 10);
    let failures = failures(&comparison, max_drop, &limits);
    Ok(Verdict {
        passed: failures.is_empty(),
        max_drop,
        drivers: limits,
        failures,
        comparison,
    })
}
