//! `friction scan`: wire the history miner to the store and report what happened.

use std::time::Instant;

use crate::ScanArgs;
use crate::render::{self, ScanReport};
use friction_app::Error;

/// Exit code when the scan was interrupted (as shells report SIGINT).
const EXIT_INTERRUPTED: u8 = 130;
/// Exit code when some commits could not be read; everything else was stored.
const EXIT_PARTIAL: u8 = 1;

/// Runs the scan and returns the process exit code.
pub fn run(args: &ScanArgs) -> Result<u8, Error> {
    if args.portfolio {
        return crate::portfolio::run(args);
    }
    let started = Instant::now();
    crate::timing::phase("start");
    let _interrupt = gix_interrupt_guard();
    let bar = crate::progress::Bar::new(args.quiet);
    let mut mined = friction_app::scan::mine(
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
    let ingested = if mined.config.inputs.paths.is_empty() || mined.interrupted {
        None
    } else {
        let base = mined.repo.workdir().unwrap_or_else(|| mined.repo.git_dir());
        let request = friction_app::ingest::IngestRequest {
            paths: mined.config.inputs.paths.clone(),
            ..Default::default()
        };
        let report = friction_app::ingest::ingest(
            &mut mined.store,
            &base,
            &request,
            &mut std::io::empty(),
            &bar,
        )?;
        crate::timing::phase("inputs");
        Some(report)
    };
    let after = friction_app::scan::follow_up(
        &mut mined,
        &friction_app::scan::FollowUpRequest {
            path: args.path.clone(),
            threads: args.threads,
            no_code: args.no_code,
            no_report: args.no_report,
            generated_at: crate::report::generated_at(),
        },
        &bar,
    )?;
    for w in &after.warnings {
        eprintln!("warning: {w}");
    }
    let friction_app::scan::Mined {
        repo,
        db_path,
        history_config,
        mode,
        tips,
        written,
        failed,
        walk_error,
        interrupted,
        status,
        ..
    } = mined;
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
        summary: after.summary,
        code: after.code,
        hotspots: after.hotspots,
        assessment: after
            .assessment
            .as_ref()
            .map(render::AssessmentSummary::from),
        assessment_text: after.assessment.as_ref().map(crate::render_assess::summary),
        snapshot: after.snapshot,
        report: after.report.map(|p| p.display().to_string()),
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
