//! `friction scan`: wire the history miner to the store and report what happened.

use std::collections::HashSet;
use std::ops::ControlFlow;
use std::time::{Duration, Instant};

use friction_history::{
    BotPatterns, Config, ExclusionRules, HistoryError, MineOptions, ObjectId, RefSelection,
};
use friction_store::{ChangeRow, Store, WalkMode};

use crate::ScanArgs;
use crate::render::{self, ScanReport};
use friction_app::Error;
use friction_app::code::Workers;

/// Commits per write transaction; bounded also by [`BATCH_TIME`]. Large enough to
/// amortise SQLite commits, small enough that an interruption loses little work.
const BATCH_COMMITS: usize = 2000;
const BATCH_TIME: Duration = Duration::from_millis(750);

/// Exit code when the scan was interrupted (as shells report SIGINT).
const EXIT_INTERRUPTED: u8 = 130;
/// Exit code when some commits could not be read; everything else was stored.
const EXIT_PARTIAL: u8 = 1;

/// Bumped when classification rules change, so stored labels are recomputed.
const CLASSIFIER_VERSION: &str = "1";

fn history_error(e: HistoryError) -> Error {
    let help = match &e {
        HistoryError::NotARepository { .. } => {
            Some("run `friction scan PATH` on a git work tree or bare repository")
        }
        HistoryError::NoCommits => Some("make a first commit, or choose a ref with `--ref`"),
        HistoryError::UnknownRef { .. } => Some("list refs with `git show-ref`"),
        HistoryError::Object { .. } => Some(
            "the repository is damaged; `git fsck` names what is missing, and a fresh clone usually repairs it",
        ),
        HistoryError::Git { .. } => None,
    };
    Error::input(e.to_string(), help)
}

fn store_error(db: &std::path::Path, e: friction_store::StoreError) -> Error {
    friction_app::project::store_open_error(db, &e)
}

/// Runs the scan and returns the process exit code.
pub fn run(args: &ScanArgs) -> Result<u8, Error> {
    if args.portfolio {
        return crate::portfolio::run(args);
    }
    let started = Instant::now();
    crate::timing::phase("start");
    let repo = friction_history::open(&args.path).map_err(history_error)?;

    let config = match repo.config_text().map_err(history_error)? {
        Some((origin, text)) => friction_app::project::parse_config(&origin, &text)?,
        None => Config::default(),
    };
    let mut history_config = config.history.clone();
    if let Some(limit) = args.rename_limit {
        history_config.rename_limit = limit;
    }
    let bad_glob = |e: friction_history::BadGlob| {
        Error::input(
            format!("friction.toml: {e}"),
            Some("globs follow gitignore syntax: `*`, `**`, `?`, `[abc]`; escape `[` as `\\[`"),
        )
    };
    let rules = ExclusionRules::new(&history_config).map_err(bad_glob)?;
    let bots = BotPatterns::new(&history_config).map_err(bad_glob)?;
    let components = friction_app::project::component_map(&config)?;

    let db_path = match &args.db {
        Some(p) => p.clone(),
        None => repo
            .workdir()
            .unwrap_or_else(|| repo.git_dir())
            .join(".friction")
            .join("friction.db"),
    };
    if let Some(dir) = db_path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| {
            Error::input(
                format!("cannot create {}: {e}", dir.display()),
                Some("make the directory writable, or choose another location with `--db PATH`"),
            )
        })?;
        // The default `.friction/` holds only generated files: keep them out of git.
        if args.db.is_none() {
            let ignore = dir.join(".gitignore");
            if !ignore.exists() {
                let _ = std::fs::write(
                    &ignore,
                    "# Written by friction: the store and reports.\n*\n",
                );
            }
        }
    }
    Store::probe(&db_path).map_err(|e| store_error(&db_path, e))?;
    let _lock = friction_app::lock::lock(&db_path, &crate::progress::Bar::new(args.quiet))?;
    let mut store = Store::open(&db_path).map_err(|e| store_error(&db_path, e))?;

    let mode = if args.first_parent {
        WalkMode::FirstParent
    } else {
        WalkMode::Full
    };
    let selection = if args.all {
        RefSelection::All
    } else if args.refs.is_empty() {
        RefSelection::Head
    } else {
        RefSelection::Named(args.refs.clone())
    };
    let tips = repo.resolve_tips(&selection).map_err(history_error)?;

    crate::timing::phase("open, lock, tips");
    relabel_if_config_changed(&repo, &mut store, &rules, &history_config)
        .map_err(|e| store_error(&db_path, e))?;

    let refs_text = tips
        .iter()
        .map(|t| t.name.as_str())
        .collect::<Vec<_>>()
        .join(",");
    let scan_id = store
        .begin_scan(mode, &refs_text, env!("CARGO_PKG_VERSION"))
        .map_err(|e| store_error(&db_path, e))?;

    // Which commits are stored is asked per walked commit (an indexed lookup):
    // an incremental walk reaches only the new commits and their boundary.
    let empty = store
        .last_commit_time()
        .map_err(|e| store_error(&db_path, e))?
        .is_none();
    let lookup_error: std::cell::RefCell<Option<friction_store::StoreError>> =
        std::cell::RefCell::new(None);
    let is_stored = |id: &ObjectId| {
        if empty {
            return false;
        }
        match store.is_stored(mode, &id.to_string()) {
            Ok(b) => b,
            Err(e) => {
                lookup_error.borrow_mut().get_or_insert(e);
                false
            }
        }
    };
    let hidden: Vec<ObjectId> = store
        .complete_tips(mode)
        .map_err(|e| store_error(&db_path, e))?
        .iter()
        .filter_map(|hex| ObjectId::from_hex(hex.as_bytes()).ok())
        .collect();
    // The first scan of a repository needs no plan: nothing is stored or hidden, so
    // the walk runs beside the workers and hands them commits as it finds them.
    let walk_while_mining = empty && hidden.is_empty();
    let plan = if walk_while_mining {
        friction_history::Plan::default()
    } else {
        repo.plan(&tips, args.first_parent, &hidden, &is_stored)
            .map_err(history_error)?
    };
    if let Some(e) = lookup_error.into_inner() {
        return Err(store_error(&db_path, e));
    }

    crate::timing::phase("plan");
    // Ctrl-C stops the workers; whatever was committed stays, the rest is mined next time.
    let _interrupt = gix_interrupt_guard();

    if args.first_parent && !plan.already_stored.is_empty() {
        let ids: Vec<String> = plan
            .already_stored
            .iter()
            .map(ToString::to_string)
            .collect();
        let mut batch = store.batch().map_err(|e| store_error(&db_path, e))?;
        batch
            .mark_mainline(&ids)
            .map_err(|e| store_error(&db_path, e))?;
        batch.commit().map_err(|e| store_error(&db_path, e))?;
    }

    let progress =
        crate::progress::progress_bar(args.quiet, plan.to_mine.len() as u64, "mining commits");
    let options = MineOptions {
        first_parent: args.first_parent,
        renames: !args.no_renames,
        copies: args.copies,
        rename_limit: history_config.rename_limit,
        threads: args.threads,
    };

    let mut pending: Vec<friction_history::MinedCommit> = Vec::with_capacity(BATCH_COMMITS);
    let mut last_flush = Instant::now();
    let mut write_error: Option<friction_store::StoreError> = None;
    let mut written = 0u64;
    let flush = |store: &mut Store,
                 pending: &mut Vec<friction_history::MinedCommit>|
     -> Result<u64, friction_store::StoreError> {
        let mut batch = store.batch()?;
        for mined in pending.iter() {
            let rows: Vec<ChangeRow<'_>> = mined
                .changes
                .iter()
                .map(|c| ChangeRow {
                    change: &c.change,
                    excluded: c.exclusion.as_ref().map(|e| e.reason()),
                })
                .collect();
            batch.put_commit(
                &mined.commit,
                &rows,
                args.first_parent,
                mined.shallow_boundary,
            )?;
        }
        batch.commit()?;
        let n = pending.len() as u64;
        pending.clear();
        Ok(n)
    };
    let walked = std::sync::atomic::AtomicUsize::new(0);
    let on_commit = |mined| {
        if walk_while_mining {
            progress.set_length(walked.load(std::sync::atomic::Ordering::Relaxed) as u64);
        }
        pending.push(mined);
        progress.inc(1);
        if pending.len() >= BATCH_COMMITS || last_flush.elapsed() >= BATCH_TIME {
            match flush(&mut store, &mut pending) {
                Ok(n) => written += n,
                Err(e) => {
                    write_error = Some(e);
                    return ControlFlow::Break(());
                }
            }
            last_flush = Instant::now();
        }
        ControlFlow::Continue(())
    };
    let outcome = if walk_while_mining {
        let tip_ids: Vec<ObjectId> = tips.iter().map(|t| t.id).collect();
        repo.walk_and_mine(&tip_ids, &walked, &options, &rules, &bots, on_commit)
    } else {
        repo.mine(&plan.to_mine, &options, &rules, &bots, on_commit)
    }
    .map_err(history_error)?;
    let walk_error = plan.walk_error.clone().or(outcome.walk_error.clone());
    if write_error.is_none() {
        match flush(&mut store, &mut pending) {
            Ok(n) => written += n,
            Err(e) => write_error = Some(e),
        }
    }
    progress.finish_and_clear();
    if let Some(e) = write_error {
        return Err(store_error(&db_path, e));
    }
    crate::timing::phase("mine");
    store
        .resolve_renames()
        .map_err(|e| store_error(&db_path, e))?;

    crate::timing::phase("resolve renames");
    let interrupted = outcome.interrupted;
    let complete = !interrupted && outcome.failed.is_empty() && walk_error.is_none();
    let status = if complete {
        "complete"
    } else if interrupted {
        "interrupted"
    } else {
        "partial"
    };
    // What a snapshot of this scan misses, said wherever it appears.
    let partial = (!complete && !interrupted).then(|| {
        let mut parts = Vec::new();
        if !outcome.failed.is_empty() {
            parts.push(format!(
                "{} commit{} could not be read",
                outcome.failed.len(),
                if outcome.failed.len() == 1 { "" } else { "s" }
            ));
        }
        if walk_error.is_some() {
            parts.push("the history walk stopped at an unreadable commit".to_owned());
        }
        parts.join("; ")
    });
    let tip_rows: Vec<(String, String)> = tips
        .iter()
        .map(|t| (t.name.clone(), t.id.to_string()))
        .collect();
    store
        .finish_scan(
            scan_id,
            status,
            written,
            complete.then_some((mode, tip_rows.as_slice())),
        )
        .map_err(|e| store_error(&db_path, e))?;

    // Reading the stored history and the hotspot figures only read the store: a
    // second connection reads them on another thread while this one measures the
    // code of HEAD and assesses it (an incremental re-scan spends most of its
    // time here). The history comes back for the summary and the assessment.
    let (code_done, code_measured) = std::sync::mpsc::channel::<bool>();
    let (history_done, history_read) = std::sync::mpsc::channel();
    let cache = friction_app::HealthCache::default();
    let (summary, hotspots, code, assessment, snapshot, report_path) =
        std::thread::scope(|scope| {
            let (db_path, components, cache) = (&db_path, &components, &cache);
            let side = scope.spawn(move || {
                let reader = match Store::open_reader(db_path) {
                    Ok(r) => r,
                    Err(e) => {
                        let _ = history_done.send(Err(store_error(db_path, e)));
                        return None;
                    }
                };
                let _ = history_done.send(friction_app::assess::History::read(&reader, mode));
                let hotspots = if code_measured.recv().unwrap_or(false) {
                    match crate::hotspots::compute(&reader, cache, 12, mode, components) {
                        Ok(h) => h.map(|h| HotspotSummary::from(&h)),
                        Err(e) => {
                            eprintln!("warning: hotspot analysis failed: {e}");
                            None
                        }
                    }
                } else {
                    None
                };
                crate::timing::phase("hotspots (side)");
                hotspots
            });
            // Static measurements of HEAD, reusing stored ones by blob id.
            let code = if args.no_code || interrupted {
                None
            } else {
                match friction_app::code::measure_head(
                    &repo,
                    &mut store,
                    &rules,
                    &Workers {
                        threads: args.threads,
                        cache,
                        progress: &crate::progress::Bar::new(args.quiet),
                    },
                ) {
                    Ok(c) => c,
                    Err(e) => {
                        eprintln!(
                            "warning: code measurement of HEAD failed: {e}; history was stored"
                        );
                        None
                    }
                }
            };
            let _ = code_done.send(code.is_some());
            crate::timing::phase("code of HEAD");
            let mut history = match history_read.recv() {
                Ok(h) => h?,
                // The reader thread died: read here.
                Err(_) => friction_app::assess::History::read(&store, mode)?,
            };
            let summary = history.summary();
            crate::timing::phase("history received");
            // The assessment of HEAD, recorded as a snapshot.
            let (assessment, snapshot) = if interrupted {
                (None, None)
            } else {
                match friction_app::snapshot::scan_snapshot(
                    &mut store,
                    cache,
                    &mut history,
                    &args.path,
                    &repo,
                    mode,
                    partial.clone(),
                ) {
                    Ok(Some((a, rec))) => (Some(a), Some(rec)),
                    Ok(None) => (None, None),
                    Err(e) => {
                        eprintln!("warning: assessment failed: {e}; history was stored");
                        (None, None)
                    }
                }
            };
            crate::timing::phase("assessment and snapshot");
            let report_path = match (&snapshot, args.no_report) {
                (Some(rec), false) => {
                    match crate::report::write_scan_report(&store, db_path, &args.path, rec.id) {
                        Ok(p) => Some(p.display().to_string()),
                        Err(e) => {
                            eprintln!("warning: the HTML report was not written: {e}");
                            None
                        }
                    }
                }
                _ => None,
            };
            crate::timing::phase("report");
            let hotspots = match side.join() {
                Ok(h) => h,
                Err(p) => std::panic::resume_unwind(p),
            };
            Ok::<_, Error>((summary, hotspots, code, assessment, snapshot, report_path))
        })?;
    let mut problems: Vec<String> = outcome.failed.iter().map(ToString::to_string).collect();
    problems.sort();
    if let Some(walk) = &walk_error {
        problems.insert(0, walk.clone());
    }
    let report = ScanReport {
        repository: {
            let root = repo.workdir().unwrap_or_else(|| repo.git_dir());
            std::fs::canonicalize(&root)
                .unwrap_or(root)
                .display()
                .to_string()
        },
        store: db_path.display().to_string(),
        mode,
        refs: tips.iter().map(|t| t.name.clone()).collect(),
        renames: !args.no_renames,
        rename_limit: history_config.rename_limit,
        new_commits: written,
        shallow: repo.is_shallow(),
        status: status.to_owned(),
        unreadable_commits: problems,
        summary,
        code,
        hotspots,
        assessment: assessment.as_ref().map(render::AssessmentSummary::from),
        assessment_text: assessment.as_ref().map(crate::render_assess::summary),
        snapshot,
        report: report_path,
    };
    if args.json {
        println!("{}", render::json(&report));
    } else {
        print!("{}", render::text(&report));
    }
    if !args.quiet {
        let secs = started.elapsed().as_secs_f64();
        eprintln!(
            "scanned {} new commits in {:.2} s ({:.0} commits/s)",
            written,
            secs,
            written as f64 / secs.max(1e-9)
        );
    }
    if interrupted {
        eprintln!(
            "note: interrupted; {written} commits were stored and the next `friction scan` continues from there"
        );
        return Ok(EXIT_INTERRUPTED);
    }
    if !report.unreadable_commits.is_empty() {
        eprintln!(
            "error: {} commits could not be read; everything else was stored",
            report.unreadable_commits.len()
        );
        for p in report.unreadable_commits.iter().take(5) {
            eprintln!("  {p}");
        }
        eprintln!(
            "help: the repository is damaged; `git fsck` names what is missing, and a fresh clone usually repairs it"
        );
        return Ok(EXIT_PARTIAL);
    }
    Ok(0)
}

/// The hotspot figures the scan summary names.
#[derive(Debug, serde::Serialize)]
pub struct HotspotSummary {
    pub months: u32,
    pub hotspot_count: u64,
    pub hotspot_code_pct: f64,
    pub hotspot_activity_pct: f64,
    pub hotspot_health: Option<f64>,
    pub unhealthy_activity_pct: f64,
    /// The most changed hotspots: (path, changes, health).
    pub top: Vec<(String, u64, Option<f64>)>,
}

impl From<&crate::hotspots::HotspotReport> for HotspotSummary {
    fn from(r: &crate::hotspots::HotspotReport) -> Self {
        let h = &r.hotspots;
        HotspotSummary {
            months: r.months,
            hotspot_count: h.hotspot_count,
            hotspot_code_pct: h.hotspot_code_pct,
            hotspot_activity_pct: h.hotspot_activity_pct,
            hotspot_health: h.hotspot_health,
            unhealthy_activity_pct: h.unhealthy_activity_pct,
            top: h
                .files
                .iter()
                .filter(|f| f.hotspot)
                .take(3)
                .map(|f| (f.path.clone(), f.revisions, f.health))
                .collect(),
        }
    }
}

/// Installs the Ctrl-C handler for the duration of the scan. Failing to install it
/// only costs graceful interruption, so it is not an error.
fn gix_interrupt_guard() -> Option<impl Drop> {
    friction_history::interrupt::init_handler_default(1)
        .ok()
        .map(|d| d.auto_deregister())
}

/// Recomputes stored exclusion labels when the classification rules changed since
/// they were written, so the summary always reflects the current configuration.
fn relabel_if_config_changed(
    repo: &friction_history::Repo,
    store: &mut Store,
    rules: &ExclusionRules,
    config: &friction_history::config::HistoryConfig,
) -> Result<(), friction_store::StoreError> {
    let fingerprint = format!(
        "v{CLASSIFIER_VERSION}:{:?}|{:?}|{}",
        config.exclude, config.include, config.default_exclusions
    );
    let previous = store.meta("classification")?;
    if previous.as_deref() == Some(fingerprint.as_str()) {
        return Ok(());
    }
    if previous.is_some() {
        let paths = store.distinct_paths()?;
        let keys: Vec<(Vec<u8>, bool)> = paths
            .iter()
            .map(|p| {
                (
                    p.raw.clone().unwrap_or_else(|| p.path.as_bytes().to_vec()),
                    p.generated_marker,
                )
            })
            .collect();
        let labels = repo.labels(rules, &keys);
        let mut seen = HashSet::new();
        let rows: Vec<(String, bool, Option<String>)> = paths
            .into_iter()
            .zip(labels)
            .filter(|(p, _)| seen.insert((p.path.clone(), p.generated_marker)))
            .map(|(p, label)| (p.path, p.generated_marker, label.map(|l| l.reason())))
            .collect();
        store.relabel(&rows)?;
    }
    store.set_meta("classification", &fingerprint)
}
