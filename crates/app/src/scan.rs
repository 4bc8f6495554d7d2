//! Scanning: mines the history of a repository into its store, incrementally
//! (only commits not stored yet are read), in batched transactions, so an
//! interruption leaves a consistent store the next scan continues from.

use std::collections::HashSet;
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use friction_analysis::components::ComponentMap;
use friction_history::config::HistoryConfig;
use friction_history::{
    BotPatterns, Config, ExclusionRules, HistoryError, MineOptions, ObjectId, RefSelection, Repo,
    Tip,
};
use friction_store::{ChangeRow, Store, WalkMode};

use crate::error::Error;
use crate::lock::StoreLock;
use crate::progress::Progress;
use crate::project::{component_map, parse_config};

/// Commits per write transaction; bounded also by [`BATCH_TIME`]. Large enough to
/// amortise SQLite commits, small enough that an interruption loses little work.
const BATCH_COMMITS: usize = 2000;
const BATCH_TIME: Duration = Duration::from_millis(750);

/// Bumped when classification rules change, so stored labels are recomputed.
const CLASSIFIER_VERSION: &str = "1";

/// What to scan and how.
#[derive(Debug, Clone, Default)]
pub struct ScanRequest {
    /// The repository (work tree or bare).
    pub path: PathBuf,
    /// The store (default: `.friction/friction.db` in the repository).
    pub db: Option<PathBuf>,
    /// Mainline only, merges diffed against their first parent.
    pub first_parent: bool,
    /// Start from these refs (default: `HEAD`).
    pub refs: Vec<String>,
    /// Start from every branch, tag and remote-tracking ref.
    pub all: bool,
    pub no_renames: bool,
    pub copies: bool,
    /// Rename candidates per commit before fuzzy detection is skipped.
    pub rename_limit: Option<usize>,
    /// Diff workers (0: one per core).
    pub threads: usize,
}

/// The mined history, with the store still open and locked for what the
/// caller does next (measure the code, assess, record a snapshot).
pub struct Mined {
    pub repo: Repo,
    pub store: Store,
    /// Held until the caller is done writing.
    pub lock: StoreLock,
    pub db_path: PathBuf,
    pub config: Config,
    pub history_config: HistoryConfig,
    pub rules: ExclusionRules,
    pub components: ComponentMap,
    pub mode: WalkMode,
    pub tips: Vec<Tip>,
    /// Commits written by this scan.
    pub written: u64,
    /// Commits that could not be read, named.
    pub failed: Vec<String>,
    /// Where the walk of the history stopped, if it did.
    pub walk_error: Option<String>,
    /// Stopped by Ctrl-C (the front-end's interrupt handler).
    pub interrupted: bool,
    /// `complete`, `interrupted` or `partial`.
    pub status: &'static str,
    /// What a snapshot of this scan misses (`None`: everything was read).
    pub partial: Option<String>,
}

/// Mines the history of `request.path` into its store.
pub fn mine(request: &ScanRequest, progress: &dyn Progress) -> Result<Mined, Error> {
    let repo = friction_history::open(&request.path).map_err(history_error)?;

    let config = match repo.config_text().map_err(history_error)? {
        Some((origin, text)) => parse_config(&origin, &text)?,
        None => Config::default(),
    };
    let mut history_config = config.history.clone();
    if let Some(limit) = request.rename_limit {
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
    let components = component_map(&config)?;

    let db_path = match &request.db {
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
        if request.db.is_none() {
            let ignore = dir.join(".gitignore");
            if !ignore.exists() {
                let _ = std::fs::write(
                    &ignore,
                    "# Written by friction: the store and reports.\n*\n",
                );
            }
        }
    }
    let lock = crate::project::lock_for_writing(&db_path, progress)?;
    let mut store = Store::open(&db_path).map_err(|e| store_error(&db_path, e))?;

    let mode = if request.first_parent {
        WalkMode::FirstParent
    } else {
        WalkMode::Full
    };
    let selection = if request.all {
        RefSelection::All
    } else if request.refs.is_empty() {
        RefSelection::Head
    } else {
        RefSelection::Named(request.refs.clone())
    };
    let tips = repo.resolve_tips(&selection).map_err(history_error)?;

    progress.phase("open, lock, tips");
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
        repo.plan(&tips, request.first_parent, &hidden, &is_stored)
            .map_err(history_error)?
    };
    if let Some(e) = lookup_error.into_inner() {
        return Err(store_error(&db_path, e));
    }

    progress.phase("plan");
    // Ctrl-C stops the workers; whatever was committed stays, the rest is mined next time.

    if request.first_parent && !plan.already_stored.is_empty() {
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

    progress.start("mining commits", plan.to_mine.len() as u64);
    let options = MineOptions {
        first_parent: request.first_parent,
        renames: !request.no_renames,
        copies: request.copies,
        rename_limit: history_config.rename_limit,
        threads: request.threads,
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
                request.first_parent,
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
            progress.set_total(walked.load(std::sync::atomic::Ordering::Relaxed) as u64);
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
    progress.finish();
    if let Some(e) = write_error {
        return Err(store_error(&db_path, e));
    }
    progress.phase("mine");
    store
        .resolve_renames()
        .map_err(|e| store_error(&db_path, e))?;

    progress.phase("resolve renames");
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

    Ok(Mined {
        repo,
        store,
        lock,
        db_path,
        config,
        history_config,
        rules,
        components,
        mode,
        tips,
        written,
        failed: outcome.failed.iter().map(ToString::to_string).collect(),
        walk_error,
        interrupted,
        status,
        partial,
    })
}

/// An unreadable repository, with what to do about it.
pub fn history_error(e: HistoryError) -> Error {
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
    Error::repository(e.to_string(), help)
}

fn store_error(db: &std::path::Path, e: friction_store::StoreError) -> Error {
    crate::project::store_open_error(db, &e)
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

/// What `friction scan` does after mining, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUpRequest {
    /// The repository path as given (the assessment reads its inputs from it).
    pub path: PathBuf,
    /// Worker threads for measuring `HEAD` (0 = one per core).
    pub threads: usize,
    /// Skip measuring the source code at `HEAD`.
    pub no_code: bool,
    /// Do not write the HTML report.
    pub no_report: bool,
    /// The generation time the report states.
    pub generated_at: String,
}

/// What followed the mining: the history's totals, `HEAD`'s code, the
/// hotspot figures, the assessment recorded as a snapshot and its page.
pub struct FollowUp {
    pub summary: friction_store::HistorySummary,
    pub hotspots: Option<crate::hotspots::HotspotSummary>,
    pub code: Option<crate::code::HeadCode>,
    pub assessment: Option<friction_assess::Assessment>,
    pub snapshot: Option<crate::snapshot::Recorded>,
    /// The HTML report, in the report directory beside the store.
    pub report: Option<PathBuf>,
    /// Steps that failed without failing the scan (the history is stored).
    pub warnings: Vec<String>,
}

/// Measures `HEAD`'s code, assesses it and records the snapshot, and writes
/// its page; meanwhile a second connection reads the stored history and the
/// hotspot figures (they only read the store) on another thread (an
/// incremental re-scan spends most of its time here). An interrupted scan
/// only reads the totals.
pub fn follow_up(
    mined: &mut Mined,
    request: &FollowUpRequest,
    progress: &dyn Progress,
) -> Result<FollowUp, Error> {
    let (code_done, code_measured) = std::sync::mpsc::channel::<bool>();
    let (history_done, history_read) = std::sync::mpsc::channel();
    let cache = crate::HealthCache::default();
    let mode = mined.mode;
    let interrupted = mined.interrupted;
    let Mined {
        repo,
        store,
        db_path,
        components,
        rules,
        partial,
        ..
    } = mined;
    std::thread::scope(|scope| {
        let (db_path, components, cache) = (&*db_path, &*components, &cache);
        let side = scope.spawn(move || {
            let reader = match Store::open_reader(db_path) {
                Ok(r) => r,
                Err(e) => {
                    let _ = history_done.send(Err(crate::project::store_open_error(db_path, &e)));
                    return (None, None);
                }
            };
            let history = crate::assess::History::read(&reader, mode);
            progress.phase("read history");
            let _ = history_done.send(history);
            let hotspots = if code_measured.recv().unwrap_or(false) {
                match crate::hotspots::compute(&reader, cache, 12, mode, components, None) {
                    Ok(h) => (h.map(|h| crate::hotspots::HotspotSummary::from(&h)), None),
                    Err(e) => (None, Some(format!("hotspot analysis failed: {e}"))),
                }
            } else {
                (None, None)
            };
            progress.phase("hotspots (side)");
            hotspots
        });
        let mut warnings = Vec::new();
        // Static measurements of HEAD, reusing stored ones by blob id.
        let code = if request.no_code || interrupted {
            None
        } else {
            let workers = crate::code::Workers {
                threads: request.threads,
                cache,
                progress,
            };
            match crate::code::measure_head(repo, store, rules, &workers) {
                Ok(c) => c,
                Err(e) => {
                    warnings.push(format!(
                        "code measurement of HEAD failed: {e}; history was stored"
                    ));
                    None
                }
            }
        };
        let _ = code_done.send(code.is_some());
        progress.phase("code of HEAD");
        let mut history = match history_read.recv() {
            Ok(h) => h?,
            // The reader thread died: read here.
            Err(_) => crate::assess::History::read(store, mode)?,
        };
        let summary = history.summary();
        progress.phase("history received");
        // The assessment of HEAD, recorded as a snapshot.
        let (assessment, snapshot) = if interrupted {
            (None, None)
        } else {
            match crate::snapshot::scan_snapshot(
                store,
                cache,
                &mut history,
                &request.path,
                repo,
                mode,
                partial.clone(),
                progress,
            ) {
                Ok(Some((a, rec))) => (Some(a), Some(rec)),
                Ok(None) => (None, None),
                Err(e) => {
                    warnings.push(format!("assessment failed: {e}; history was stored"));
                    (None, None)
                }
            }
        };
        progress.phase("assessment and snapshot");
        let report = match (&snapshot, request.no_report) {
            (Some(rec), false) => match crate::report::write_scan_report(
                store,
                db_path,
                &request.path,
                rec.id,
                &request.generated_at,
            ) {
                Ok(p) => Some(p),
                Err(e) => {
                    warnings.push(format!("the HTML report was not written: {e}"));
                    None
                }
            },
            _ => None,
        };
        progress.phase("report");
        let (hotspots, side_warning) = match side.join() {
            Ok(h) => h,
            Err(p) => std::panic::resume_unwind(p),
        };
        warnings.extend(side_warning);
        Ok(FollowUp {
            summary,
            hotspots,
            code,
            assessment,
            snapshot,
            report,
            warnings,
        })
    })
}
