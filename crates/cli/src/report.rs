//! `friction report`: the report of a snapshot in every format
//! (`friction_app::report`), and what was written, as text or JSON.

use friction_app::report::ReportRequest;
use friction_app::{Error, Project, Session};

use crate::ReportArgs;

/// The report's generation time: `SOURCE_DATE_EPOCH` when set (the
/// reproducible-builds convention, for byte-identical reports), else now.
pub(crate) fn generated_at() -> String {
    let secs = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|v| v.trim().parse::<i64>().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0))
        });
    friction_app::calendar::timestamp(secs)
}

pub fn run(args: &ReportArgs) -> Result<u8, Error> {
    let session = Session::open(Project::locate(args.path.clone(), args.db.clone())?)?;
    let written = session.write_report(&ReportRequest {
        snapshot: args.snapshot.clone(),
        out: args.out.clone(),
        generated_at: generated_at(),
    })?;
    if args.json {
        println!("{}", crate::render::sorted_json(&written));
    } else if !args.quiet {
        println!(
            "Report of snapshot #{} ({}, {}) in {}:",
            written.snapshot, written.kind, written.as_of, written.dir
        );
        for f in &written.files {
            println!("  {:<22} {:>9} bytes", f.file, f.bytes);
        }
    }
    Ok(0)
}
