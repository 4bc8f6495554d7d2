//! `friction scan`: wire the history miner to the store and report what happened.

use std::time::Instant;

use friction_store::Store;

use crate::ScanArgs;
use crate::render::{self, ScanReport};
use friction_app::Error;
use friction_app::code::Workers;
use friction_app::hotspots::HotspotSummary;

/// Exit code when the scan was interrupted (as shells report SIGINT).
const EXIT_INTERRUPTED: u8 = 130;
/// Exit code when some commits could not be read; everything else was stored.
const EXIT_PARTIAL: u8 = 1;

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
    let _interrupt = gix_interrupt_guard();
    let bar = crate::progress::Bar::new(args.quiet);
    let friction_app::scan::Mined {
        repo,
        mut store,
        lock: _lock,
        db_path,
        config,
        history_config,
        rules,
        components,
        mode,
        tips,
        written,
        failed,
        walk_error,
        interrupted,
        status,
        partial,
    } = friction_app::scan::mine(
        &friction_app::scan::ScanRequest {
            path: args.path.clone(),
            db: args.db.clone(),
            first_parent: args.first_parent,
            refs: args.refs.clone(),
            all: args.all,
            no_renames: args.no_renames,
            copies: args.copies,
            rename_limit: args.rename_limit,
            threads: args.threads,
        },
        &bar,
    )?;
    // The exports `[inputs]` names are read before the assessment.
    let ingested = if config.inputs.paths.is_empty() || interrupted {
        None
    } else {
        let base = repo.workdir().unwrap_or_else(|| repo.git_dir());
        let request = friction_app::ingest::IngestRequest {
            paths: config.inputs.paths.clone(),
            ..Default::default()
        };
        let report =
            friction_app::ingest::ingest(&mut store, &base, &request, &mut std::io::empty(), &bar)?;
        crate::timing::phase("inputs");
        Some(report)
    };
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
                let history = friction_app::assess::History::read(&reader, mode);
                crate::timing::phase("read history");
                let _ = history_done.send(history);
                let hotspots = if code_measured.recv().unwrap_or(false) {
                    match friction_app::hotspots::compute(&reader, cache, 12, mode, components) {
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
                    &bar,
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
                    match friction_app::report::write_scan_report(
                        &store,
                        db_path,
                        &args.path,
                        rec.id,
                        &crate::report::generated_at(),
                    ) {
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
    let mut problems: Vec<String> = failed;
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
    let mut inputs_refused = false;
    if let Some(ingested) = &ingested {
        if !args.quiet {
            let stored = ingested
                .files
                .iter()
                .filter(|f| matches!(f.outcome, friction_app::ingest::Outcome::Stored { .. }))
                .count();
            eprintln!(
                "inputs: {stored} of {} files read into the store (`friction inputs` lists them)",
                ingested.files.len()
            );
        }
        inputs_refused = crate::inputs::report_refusals(ingested) != 0;
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
    Ok(if inputs_refused { EXIT_PARTIAL } else { 0 })
}

/// Installs the Ctrl-C handler for the duration of the scan. Failing to install it
/// only costs graceful interruption, so it is not an error.
fn gix_interrupt_guard() -> Option<impl Drop> {
    friction_history::interrupt::init_handler_default(1)
        .ok()
        .map(|d| d.auto_deregister())
}
