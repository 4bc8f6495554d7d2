//! `friction backfill`, `trend`, `compare`, `rescore` and `check`: the
//! assessment over time, from the snapshots.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use friction_history::{ExclusionRules, ObjectId, RefSelection, Repo};
use friction_store::{SnapshotRow, Store, WalkMode};
use serde::Serialize;
use serde_json::Value;

use crate::compare::{Comparison, compare};
use crate::render::sparkline;
use crate::{BackfillArgs, CheckArgs, CompareArgs, RescoreArgs, TrendArgs};
use friction_app::assess::{History, Inputs, options};
use friction_app::calendar::date;
use friction_app::calendar::{DAY, parse_date, schedule, since_start};
use friction_app::code::Workers;
use friction_app::project::{open_store, open_store_to_write};
use friction_app::snapshot::{
    Origin, Recorded, assess_at, assessment_of, current_view, driver_scores, readable, record,
    select, short, store_err,
};
use friction_app::{Error, HealthCache, Silent};

fn mode(first_parent: bool) -> WalkMode {
    if first_parent {
        WalkMode::FirstParent
    } else {
        WalkMode::Full
    }
}

fn open_repo(path: &Path, why: &str) -> Result<Repo, Error> {
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
) -> Result<(), Error> {
    let config = inputs.config()?;
    let rules = ExclusionRules::new(&config.history)
        .map_err(|e| Error::input(format!("friction.toml: {e}"), None))?;
    let id = ObjectId::from_hex(commit.as_bytes())
        .map_err(|_| Error::input(format!("`{commit}` is not a commit id"), None))?;
    friction_app::code::measure_tree(
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
    /// Measures `commit`'s tree, assesses the history reachable from it (with
    /// that commit's CODEOWNERS and teams CSV, and today's configuration) and
    /// records the snapshot. `None`: nothing reachable.
    fn record(
        &self,
        store: &mut Store,
        history: &mut History,
        commit: &str,
        kind: &str,
    ) -> Result<Option<(Recorded, friction_assess::Assessment)>, Error> {
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
        };
        let Some((loaded, a)) = assess_at(
            store,
            self.cache,
            history,
            &inputs,
            self.options,
            self.months,
            Some(commit),
        )?
        else {
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

/// One date of a back-fill.
#[derive(Debug, Serialize)]
struct BackfillPoint {
    date: String,
    /// The mainline commit at that date, if there was one.
    commit: Option<String>,
    snapshot: Option<i64>,
    /// False when an identical snapshot already existed.
    new: bool,
    index: Option<f64>,
    coverage: Option<f64>,
    note: Option<String>,
}

pub fn backfill(args: &BackfillArgs) -> Result<u8, Error> {
    if args.months == 0 {
        return Err(Error::input("--months must be at least 1", None));
    }
    let repo = open_repo(&args.path, "a back-fill")?;
    let (mut store, _, _lock) = open_store_to_write(
        args.path.clone(),
        args.db.clone(),
        &crate::progress::Bar::new(args.quiet),
    )?;
    let Some(anchor) = store.last_commit_time().map_err(store_err)? else {
        return Err(Error::input(
            "the store holds no history",
            Some("run `friction scan` on the repository first"),
        ));
    };
    let end = match &args.until {
        Some(s) => parse_date(s).map(|t| t + DAY - 1).ok_or_else(|| {
            Error::input(
                format!("`{s}` is not a date"),
                Some("give --until as YYYY-MM-DD"),
            )
        })?,
        None => anchor,
    };
    let start = since_start(&args.since, end).ok_or_else(|| {
        Error::input(
            format!("--since `{}` is neither a span nor a date", args.since),
            Some("for example --since 24m, 2y, 12w, 90d or 2024-01-01"),
        )
    })?;
    let dates = schedule(&args.every, start, end)?;
    if dates.is_empty() {
        return Err(Error::input(
            format!(
                "no {} boundary between {} and {}",
                args.every,
                date(start),
                date(end)
            ),
            Some("widen --since or choose a shorter --every"),
        ));
    }
    let today = Inputs::read(&args.path, None)?;
    let options = options(
        &today,
        None,
        friction_assess::methodology::DEFAULT_TARGET_SHARE,
    )?;
    let walk = mode(args.first_parent);
    let mut history = History::read(&store, walk)?;
    let cache = HealthCache::default();

    let progress = crate::progress::progress_bar(args.quiet, dates.len() as u64, "back-filling");
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
            path: &args.path,
            today: &today,
            options: &options,
            months: args.months,
            threads: args.threads,
            walk,
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
    progress.finish_and_clear();
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
    if args.json {
        let v = serde_json::json!({
            "schema": "friction.backfill/1",
            "every": args.every,
            "from": date(start),
            "to": date(end),
            "points": points,
        });
        println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
    } else {
        let mut out = String::new();
        let made = points.iter().filter(|p| p.new).count();
        let _ = writeln!(
            out,
            "Back-filled {} dates ({} new snapshots) every {} from {} to {}",
            points.len(),
            made,
            args.every,
            date(start),
            date(end)
        );
        let _ = writeln!(
            out,
            "  {:<10}  {:<10}  {:>8}  {:>6}  {:>8}",
            "date", "commit", "snapshot", "index", "coverage"
        );
        for p in &points {
            let _ = writeln!(
                out,
                "  {:<10}  {:<10}  {:>8}  {:>6}  {:>8}{}",
                p.date,
                p.commit.as_deref().map_or("-", short),
                p.snapshot.map_or_else(|| "-".into(), |i| format!("#{i}")),
                p.index.map_or_else(|| "-".into(), |v| format!("{v:.1}")),
                p.coverage
                    .map_or_else(|| "-".into(), |v| format!("{:.0} %", v * 100.0)),
                p.note
                    .as_deref()
                    .map_or_else(String::new, |n| format!("  {n}"))
            );
        }
        let _ = writeln!(out, "\nSee the trend with `friction trend`.");
        print!("{out}");
    }
    Ok(0)
}

/// One point of a trend.
#[derive(Debug, Serialize)]
pub(crate) struct TrendPoint {
    pub snapshot: i64,
    kind: String,
    rescored_from: Option<i64>,
    commit: String,
    pub as_of: String,
    mode: String,
    methodology: String,
    pub index: Option<f64>,
    pub ci: Option<[f64; 2]>,
    band: Option<String>,
    pub coverage: f64,
    pub drivers: BTreeMap<String, Option<f64>>,
    /// What the scan behind the snapshot could not read (absent: everything).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partial: Option<String>,
}

pub(crate) fn trend_points(store: &Store, rows: &[SnapshotRow]) -> Result<Vec<TrendPoint>, Error> {
    let mut out = Vec::new();
    let stored = store.snapshot_points().map_err(store_err)?;
    for row in rows {
        if row.schema == crate::portfolio::SCHEMA {
            // A portfolio roll-up: the organisation's figures, with no commit and no
            // interval of its own.
            let a = assessment_of(store, row)?;
            out.push(trend_point(row, String::new(), &a["organisation"], false));
            continue;
        }
        readable(row)?;
        // The figures stored with the snapshot; older snapshots are read in full.
        let figures = match stored
            .get(&row.id)
            .and_then(|t| serde_json::from_str::<Value>(t).ok())
        {
            Some(f) => f,
            None => friction_app::snapshot::trend_figures(&assessment_of(store, row)?),
        };
        out.push(trend_point(row, row.commit_id.clone(), &figures, true));
    }
    Ok(out)
}

/// A point of the trend from a snapshot's figures (`index`, `ci`, `band`,
/// `coverage`, `drivers`); `with_ci: false` leaves the interval out.
fn trend_point(row: &SnapshotRow, commit: String, figures: &Value, with_ci: bool) -> TrendPoint {
    let ci = figures["ci"]
        .as_array()
        .and_then(|c| Some([c.first()?.as_f64()?, c.get(1)?.as_f64()?]))
        .filter(|_| with_ci);
    TrendPoint {
        snapshot: row.id,
        kind: row.kind.clone(),
        rescored_from: row.rescored_from,
        commit,
        as_of: date(row.as_of),
        mode: row.mode.clone(),
        methodology: row.methodology.clone(),
        index: figures["index"].as_f64(),
        ci,
        band: figures["band"].as_str().map(str::to_owned),
        coverage: figures["coverage"].as_f64().unwrap_or(0.0),
        drivers: figures["drivers"]
            .as_object()
            .map(|o| o.iter().map(|(k, v)| (k.clone(), v.as_f64())).collect())
            .unwrap_or_default(),
        partial: row.partial.clone(),
    }
}

pub fn trend(args: &TrendArgs) -> Result<u8, Error> {
    let (store, _) = open_store(args.path.clone(), args.db.clone())?;
    let scope = args.repository.clone().unwrap_or_default();
    let mut rows = if args.all {
        store
            .snapshots()
            .map_err(store_err)?
            .into_iter()
            .filter(|s| s.scope == scope)
            .collect()
    } else {
        current_view(&store, &scope)?
    };
    let walk = mode(args.first_parent).as_str();
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
    let points = trend_points(&store, &rows)?;
    let methodologies: std::collections::BTreeSet<&str> =
        points.iter().map(|p| p.methodology.as_str()).collect();
    let comparable = methodologies.len() == 1;
    if args.json {
        let v = serde_json::json!({
            "schema": "friction.trend/1",
            "scope": scope,
            "mode": walk,
            "comparable": comparable,
            "methodologies": methodologies,
            "points": points,
        });
        println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        return Ok(0);
    }
    let mut out = String::new();
    let first = &points[0];
    let last = &points[points.len() - 1];
    let _ = writeln!(
        out,
        "Execution Capacity Index over {} snapshots, {} to {} ({})",
        points.len(),
        first.as_of,
        last.as_of,
        methodologies.iter().copied().collect::<Vec<_>>().join(", ")
    );
    if !comparable {
        let _ = writeln!(
            out,
            "warning: the snapshots use different methodologies; run `friction rescore` to put them on one"
        );
    }
    let change = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(a), Some(b)) => format!("{a:.1} → {b:.1} ({:+.1})", b - a),
        _ => format!(
            "{} → {}",
            a.map_or("–".into(), |v| format!("{v:.1}")),
            b.map_or("–".into(), |v| format!("{v:.1}"))
        ),
    };
    let _ = writeln!(
        out,
        "\n  {:<15} {}  {}",
        "index",
        sparkline(&points.iter().map(|p| p.index).collect::<Vec<_>>()),
        change(first.index, last.index)
    );
    let families: Vec<String> = last.drivers.keys().cloned().collect();
    for f in &families {
        let series: Vec<Option<f64>> = points
            .iter()
            .map(|p| p.drivers.get(f).copied().flatten())
            .collect();
        let _ = writeln!(
            out,
            "  {:<15} {}  {}",
            f,
            sparkline(&series),
            change(series[0], series[series.len() - 1])
        );
    }
    let _ = write!(
        out,
        "\n  {:<10}  {:<10}  {:<8}  {:>5}  {:>11}  {:>4}",
        "as of", "commit", "kind", "index", "90 % CI", "cov"
    );
    for f in &families {
        let label = match f.as_str() {
            "reliability" => "reliab.",
            "operations" => "ops",
            "team-execution" => "team",
            other => other,
        };
        let _ = write!(out, "  {label:>8}");
    }
    let _ = writeln!(out);
    for p in &points {
        let _ = write!(
            out,
            "  {:<10}  {:<10}  {:<8}  {:>5}  {:>11}  {:>3.0}%",
            p.as_of,
            short(&p.commit),
            format!("{}{}", p.kind, if p.partial.is_some() { "*" } else { "" }),
            p.index.map_or("–".into(), |v| format!("{v:.1}")),
            p.ci.map_or(String::new(), |[a, b]| format!("{a:.1}–{b:.1}")),
            p.coverage * 100.0
        );
        for f in &families {
            let _ = write!(
                out,
                "  {:>8}",
                p.drivers
                    .get(f)
                    .copied()
                    .flatten()
                    .map_or("–".into(), |v| format!("{v:.1}"))
            );
        }
        let _ = writeln!(out);
    }
    for p in points.iter().filter(|p| p.partial.is_some()) {
        let _ = writeln!(
            out,
            "  * #{} is partial: {}; its figures miss that history (`friction scan` again once the repository is repaired)",
            p.snapshot,
            p.partial.as_deref().unwrap_or_default()
        );
    }
    let _ = writeln!(
        out,
        "\nExplain a change with `friction compare {} #{}`.",
        if points.len() > 1 {
            format!("#{}", points[points.len() - 2].snapshot)
        } else {
            "previous".into()
        },
        last.snapshot
    );
    print!("{out}");
    Ok(0)
}

fn pick<'a>(view: &'a [SnapshotRow], spec: &str) -> Result<&'a SnapshotRow, Error> {
    select(view, spec).ok_or_else(|| {
        Error::input(
            format!("no snapshot `{spec}`"),
            Some("use latest, previous, first, an id (#12), a date (YYYY-MM-DD) or a commit prefix; `friction trend` lists them"),
        )
    })
}

fn same_methodology(a: &SnapshotRow, b: &SnapshotRow) -> Result<(), Error> {
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

pub fn compare_cmd(args: &CompareArgs) -> Result<u8, Error> {
    let (store, _) = open_store(args.path.clone(), args.db.clone())?;
    let view = current_view(&store, "")?;
    let a = pick(&view, &args.before)?;
    let b = pick(&view, &args.after)?;
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
    let c = compare(
        a,
        &assessment_of(&store, a)?,
        b,
        &assessment_of(&store, b)?,
        args.limit,
    );
    if args.json {
        println!("{}", serde_json::to_string_pretty(&c).unwrap_or_default());
    } else {
        print!("{}", crate::compare::text(&c, args.limit));
    }
    Ok(0)
}

/// What the manifest of a snapshot says about how it was computed.
fn manifest_options(row: &SnapshotRow) -> (u32, Option<f64>, f64, Option<String>) {
    let m: Value = serde_json::from_str(&row.manifest).unwrap_or_default();
    (
        m["window_months"].as_u64().unwrap_or(12) as u32,
        m["budget_days"].as_f64(),
        m["target_share"]
            .as_f64()
            .unwrap_or(friction_assess::methodology::DEFAULT_TARGET_SHARE),
        m["code_commit"].as_str().map(str::to_owned),
    )
}

pub fn rescore(args: &RescoreArgs) -> Result<u8, Error> {
    let (mut store, _, _lock) = open_store_to_write(
        args.path.clone(),
        args.db.clone(),
        &crate::progress::Bar::new(args.quiet),
    )?;
    let view = current_view(&store, "")?;
    let current = friction_signals::METHODOLOGY_VERSION;
    let targets: Vec<SnapshotRow> = if args.snapshots.is_empty() {
        view.iter()
            .filter(|s| s.methodology != current)
            .cloned()
            .collect()
    } else {
        args.snapshots
            .iter()
            .map(|s| pick(&view, s).cloned())
            .collect::<Result<_, _>>()?
    };
    let repo = friction_history::open(&args.path).ok();
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
        let (months, budget, target, code_commit) = manifest_options(row);
        let options = options(&inputs, budget, target)?;
        let walk = if row.mode == "first-parent" {
            WalkMode::FirstParent
        } else {
            WalkMode::Full
        };
        // Code metrics are stored per analyzer version: re-measure the tree
        // (reusing what is stored) when the repository is at hand.
        match (&repo, &code_commit) {
            (Some(repo), Some(c)) => measure(repo, &mut store, &inputs, c, args.threads, &cache)?,
            (None, Some(c)) if !args.quiet => eprintln!(
                "warning: no repository at {}: snapshot #{}'s tree ({}) is read from the store only; \
                 files the current code analyzer has not measured count as not measured",
                args.path.display(),
                row.id,
                short(c)
            ),
            _ => {}
        }
        let history = match histories.entry(walk.as_str()) {
            std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::btree_map::Entry::Vacant(e) => e.insert(History::read(&store, walk)?),
        };
        // Code health only if the original had it: the same inputs, a new methodology.
        let Some((loaded, a)) = friction_app::snapshot::assess_at_with(
            &store,
            &cache,
            history,
            &inputs,
            &options,
            months,
            Some(&row.commit_id),
            code_commit.is_some(),
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
        done.push(serde_json::json!({
            "from": row.id,
            "from_methodology": row.methodology,
            "from_index": row.index_score,
            "snapshot": rec.id,
            "methodology": a.methodology,
            "index": a.index.score,
        }));
    }
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "schema": "friction.rescore/1",
                "rescored": done,
            }))
            .unwrap_or_default()
        );
    } else if done.is_empty() {
        println!("Every snapshot already uses methodology {current}; nothing to re-score.");
    } else {
        println!(
            "Re-scored {} snapshots under methodology {current}:",
            done.len()
        );
        for d in &done {
            println!(
                "  #{} ({}, index {}) → #{} (index {})",
                d["from"],
                d["from_methodology"].as_str().unwrap_or_default(),
                d["from_index"]
                    .as_f64()
                    .map_or("–".into(), |v| format!("{v:.1}")),
                d["snapshot"],
                d["index"]
                    .as_f64()
                    .map_or("–".into(), |v| format!("{v:.1}"))
            );
        }
    }
    Ok(0)
}

/// A failed threshold.
#[derive(Debug, Serialize)]
struct Failure {
    what: String,
    before: Option<f64>,
    after: Option<f64>,
    drop: f64,
    allowed: f64,
}

/// Resolves the baseline: a snapshot, else a git revision assessed as of
/// its commit (and recorded, so the next check reuses it).
#[allow(clippy::too_many_arguments)]
fn baseline(
    spec: &str,
    store: &mut Store,
    repo: &Repo,
    history: &mut History,
    today: &Inputs,
    options: &friction_assess::Options,
    args: &CheckArgs,
    walk: WalkMode,
) -> Result<SnapshotRow, Error> {
    let view: Vec<SnapshotRow> = current_view(store, "")?
        .into_iter()
        .filter(|s| s.mode == walk.as_str())
        .collect();
    if let Some(row) = select(&view, spec) {
        return Ok(row.clone());
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
        path: &args.path,
        today,
        options,
        months: args.months,
        threads: args.threads,
        walk,
        cache: &HealthCache::default(),
    };
    let (rec, _) = past
        .record(store, history, &commit, "baseline")?
        .ok_or_else(|| Error::input("the baseline has no history", None))?;
    store
        .snapshot_header(rec.id)
        .map_err(store_err)?
        .ok_or_else(|| Error::input("the baseline snapshot was not stored", None))
}

pub fn check(args: &CheckArgs) -> Result<u8, Error> {
    if args.months == 0 {
        return Err(Error::input("--months must be at least 1", None));
    }
    let repo = open_repo(&args.path, "`friction check`")?;
    let (mut store, _, _lock) = open_store_to_write(
        args.path.clone(),
        args.db.clone(),
        &crate::progress::Bar::new(args.quiet),
    )?;
    let today = Inputs::read(&args.path, None)?;
    let config = today.config()?;
    let options = options(
        &today,
        None,
        friction_assess::methodology::DEFAULT_TARGET_SHARE,
    )?;
    let walk = mode(args.first_parent);

    // Thresholds: friction.toml's [check], then the command line.
    let max_drop = args.max_drop.unwrap_or(config.check.max_drop);
    let mut limits: BTreeMap<String, f64> = config.check.drivers.clone();
    for d in &args.driver {
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
    measure(&repo, &mut store, &today, &head, args.threads, &cache)?;
    let (loaded, a) = assess_at(
        &store,
        &cache,
        &mut history,
        &today,
        &options,
        args.months,
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

    let spec = args
        .baseline
        .clone()
        .or_else(|| config.check.baseline.clone());
    let before_row = match spec {
        Some(spec) => baseline(
            &spec,
            &mut store,
            &repo,
            &mut history,
            &today,
            &options,
            args,
            walk,
        )?,
        None => current_view(&store, "")?
            .into_iter()
            .rfind(|s| s.mode == walk.as_str() && s.commit_id != head)
            .ok_or_else(|| {
                Error::input(
                    "no baseline: no snapshot of another commit",
                    Some("give --baseline (a snapshot or a revision such as origin/main)"),
                )
            })?,
    };
    readable(&before_row)?;
    let before_row = if before_row.methodology == after_row.methodology {
        before_row
    } else {
        return Err(same_methodology(&before_row, &after_row).unwrap_err());
    };
    let before = assessment_of(&store, &before_row)?;
    let after = assessment_of(&store, &after_row)?;
    let c: Comparison = compare(&before_row, &before, &after_row, &after, 10);

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
    let sb = driver_scores(&before);
    let sa = driver_scores(&after);
    for (f, allowed) in &limits {
        let x = sb.get(f).copied().flatten();
        let y = sa.get(f).copied().flatten();
        if let (Some(x), Some(y)) = (x, y)
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
    let passed = failures.is_empty();
    if args.json {
        let v = serde_json::json!({
            "schema": "friction.check/1",
            "passed": passed,
            "max_drop": max_drop,
            "drivers": limits,
            "failures": failures,
            "comparison": c,
        });
        println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
    } else {
        let mut out = String::new();
        if passed {
            let _ = writeln!(
                out,
                "friction check: PASS — index {} → {} against #{} ({}), allowed drop {max_drop}",
                c.before.index.map_or("–".into(), |v| format!("{v:.1}")),
                c.after.index.map_or("–".into(), |v| format!("{v:.1}")),
                c.before.snapshot,
                short(&c.before.commit)
            );
        } else {
            let _ = writeln!(
                out,
                "friction check: FAIL against #{} ({})",
                c.before.snapshot,
                short(&c.before.commit)
            );
            for f in &failures {
                let _ = writeln!(
                    out,
                    "  {} dropped {:.2} points ({} → {}), more than the {} allowed",
                    f.what,
                    f.drop,
                    f.before.map_or("–".into(), |v| format!("{v:.1}")),
                    f.after.map_or("–".into(), |v| format!("{v:.1}")),
                    f.allowed
                );
            }
        }
        let _ = writeln!(out, "\nWhy:");
        out.push_str(&crate::compare::text(&c, 5));
        print!("{out}");
    }
    Ok(if passed { 0 } else { 1 })
}
