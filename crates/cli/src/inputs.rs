//! `friction ingest` and `friction inputs`: exports beyond git read into the
//! store, and the list of what is stored.

use std::path::Path;

use friction_app::Error;
use friction_app::calendar::{date, timestamp};
use friction_app::ingest::{IngestReport, IngestRequest, Outcome};
use friction_app::project::{open_store, open_store_to_write};

use crate::{IngestArgs, InputsArgs};

/// Exit code when some files were refused; the others were stored.
const EXIT_PARTIAL: u8 = 1;

pub fn ingest(args: &IngestArgs) -> Result<u8, Error> {
    let format = match &args.format {
        None => None,
        Some(name) => Some(friction_ingest::Format::from_name(name).ok_or_else(|| {
            Error::input(
                format!("unknown format {name:?}"),
                Some(&format!(
                    "the formats are: {}",
                    friction_ingest::Format::ALL.map(|f| f.name()).join(", ")
                )),
            )
        })?),
    };
    let bar = crate::progress::Bar::new(args.quiet || args.json);
    let (mut store, _, _lock) = open_store_to_write(args.path.clone(), args.db.clone(), &bar)?;
    let request = IngestRequest {
        paths: args.files.clone(),
        format,
        commit: args.commit.clone(),
    };
    let report = friction_app::ingest::ingest(
        &mut store,
        Path::new("."),
        &request,
        &mut std::io::stdin().lock(),
        &bar,
    )?;
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        );
    } else {
        print!("{}", text(&report));
    }
    Ok(report_refusals(&report))
}

/// One `error:` line per refused file on stderr; the exit code.
pub fn report_refusals(report: &IngestReport) -> u8 {
    let mut refused = 0;
    for (path, error) in report.refused() {
        eprintln!("error: {path}: {error}");
        refused += 1;
    }
    if refused == 0 {
        return 0;
    }
    let total = report.files.len();
    eprintln!("note: {refused} of {total} files refused and not stored; the others were read");
    EXIT_PARTIAL
}

fn text(report: &IngestReport) -> String {
    let mut out = String::new();
    for file in &report.files {
        let line = match &file.outcome {
            Outcome::Stored {
                format,
                summary,
                replaced,
                ..
            } => {
                let mut notes = Vec::new();
                if summary.repeated > 0 {
                    notes.push(format!("{} repeated in the file", summary.repeated));
                }
                if summary.overlapping > 0 {
                    notes.push(format!(
                        "{} also in other stored files, counted once",
                        summary.overlapping
                    ));
                }
                if !summary.skipped.is_empty() {
                    notes.push(format!("{} skipped", summary.skipped.len()));
                }
                if *replaced {
                    notes.push("replaces the earlier version".into());
                }
                let scopes: Vec<String> = summary
                    .scopes
                    .iter()
                    .map(|(s, n)| format!("{s} ({n})"))
                    .collect();
                let noun = if summary.records == 1 {
                    "record"
                } else {
                    "records"
                };
                let mut line = format!(
                    "stored     {}  {format}, {} {noun}",
                    file.path, summary.records
                );
                if !notes.is_empty() {
                    line.push_str(&format!(" ({})", notes.join("; ")));
                }
                if !scopes.is_empty() {
                    line.push_str(&format!("  {}", scopes.join(", ")));
                }
                line
            }
            Outcome::Unchanged { stored_as, .. } if *stored_as == file.path => {
                format!("unchanged  {}  already stored", file.path)
            }
            Outcome::Unchanged { stored_as, .. } => {
                format!("unchanged  {}  same content as {stored_as}", file.path)
            }
            Outcome::Skipped { reason } => format!("skipped    {}  {reason}", file.path),
            Outcome::Refused { .. } => format!("refused    {}", file.path),
        };
        out.push_str(&line);
        out.push('\n');
        if let Outcome::Stored { summary, .. } = &file.outcome {
            for why in &summary.skipped {
                out.push_str(&format!("  skipped  {why}\n"));
            }
        }
    }
    out
}

pub fn inputs(args: &InputsArgs) -> Result<u8, Error> {
    let (store, _) = open_store(args.path.clone(), args.db.clone())?;
    let stored = friction_app::ingest::stored(&store)?;
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&stored).unwrap_or_default()
        );
        return Ok(0);
    }
    if stored.inputs.is_empty() {
        println!(
            "no inputs stored; `friction ingest PATH...` reads CI, pull-request, test, coverage, incident, SLO and alert-rule exports"
        );
        return Ok(0);
    }
    let header = [
        "file",
        "format",
        "sha256",
        "records",
        "span",
        "extractor",
        "ingested",
    ];
    let rows: Vec<[String; 7]> = stored
        .inputs
        .iter()
        .map(|i| {
            let span = match (i.span_start, i.span_end) {
                (Some(a), Some(b)) => format!("{} … {}", date(a), date(b)),
                _ => "–".into(),
            };
            [
                i.path.clone(),
                i.format.clone(),
                i.sha256.chars().take(12).collect(),
                i.records.to_string(),
                span,
                i.extractor_version.to_string(),
                timestamp(i.ingested_at),
            ]
        })
        .collect();
    let mut widths = header.map(|h| h.chars().count());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &[String]| {
        let padded: Vec<String> = cells
            .iter()
            .zip(widths)
            .enumerate()
            .map(|(i, (c, w))| {
                let pad = w.saturating_sub(c.chars().count());
                if i == 3 {
                    format!("{}{c}", " ".repeat(pad))
                } else {
                    format!("{c}{}", " ".repeat(pad))
                }
            })
            .collect();
        padded.join("  ").trim_end().to_owned()
    };
    println!("{}", line(&header.map(str::to_owned)));
    for row in &rows {
        println!("{}", line(row));
    }
    let f = &stored.facts;
    println!(
        "\nfacts (each counted once): {} CI runs, {} CI jobs, {} pull requests, {} reviews, {} pull-request commits, {} test results, {} coverage files, {} deployments, {} deployment statuses, {} releases, {} incidents, {} incident log entries, {} SLO objects, {} alerting and recording rules, {} work items, {} work-item changes",
        f.ci_runs,
        f.ci_jobs,
        f.pull_requests,
        f.reviews,
        f.pr_commits,
        f.test_results,
        f.coverage_files,
        f.deployments,
        f.deployment_statuses,
        f.releases,
        f.incidents,
        f.incident_events,
        f.service_levels,
        f.alert_rules,
        f.work_items,
        f.work_item_changes
    );
    let scopes: std::collections::BTreeSet<&str> = stored
        .inputs
        .iter()
        .flat_map(|i| i.scopes.iter().map(String::as_str))
        .collect();
    if !scopes.is_empty() {
        println!(
            "repositories named: {}",
            scopes.into_iter().collect::<Vec<_>>().join(", ")
        );
    }
    Ok(0)
}
