//! `friction advisories import PATH` and `friction advisories list`: offline
//! advisory databases into the store, and what is stored.

use std::path::Path;

use friction_app::Error;
use friction_app::calendar::timestamp;
use friction_app::project::{open_store, open_store_to_write};

use crate::{AdvisoriesArgs, AdvisoriesCommand};

pub fn run(args: &AdvisoriesArgs) -> Result<u8, Error> {
    match &args.command {
        AdvisoriesCommand::Import {
            database,
            path,
            db,
            json,
            quiet,
        } => {
            let bar = crate::progress::Bar::new(*quiet || *json);
            let (mut store, _, _lock) = open_store_to_write(path.clone(), db.clone(), &bar)?;
            let report = friction_app::advisories::import(&mut store, Path::new(database), &bar)?;
            if *json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&report).unwrap_or_default()
                );
                return Ok(0);
            }
            let d = &report.database;
            println!(
                "{}: {} advisories ({}), database date {}",
                d.path,
                d.advisories,
                d.format,
                d.database_date.as_deref().unwrap_or("unknown")
            );
            println!(
                "withdrawn: {}, ranges left out: {}, packages of other ecosystems: {}, records not read: {}",
                d.withdrawn, d.bad_ranges, d.other_packages, report.malformed_count
            );
            if !*quiet {
                for why in report.bad_ranges.iter().chain(&report.malformed) {
                    eprintln!("note: {why}");
                }
            }
            Ok(0)
        }
        AdvisoriesCommand::Audit { path, db, json } => {
            let (store, _) = open_store(path.clone(), db.clone())?;
            let supply = friction_app::supply::audit(&store, path)?;
            if *json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&supply).unwrap_or_default()
                );
                return Ok(0);
            }
            if supply.advisories.is_none() {
                println!("no advisory database stored (friction advisories import PATH)");
            }
            for f in &supply.findings {
                let p = &supply.packages[f.package as usize];
                let mut notes = vec![f.kind.clone()];
                if let Some(s) = f.severity {
                    notes.push(format!("CVSS {s:.1}"));
                }
                if let Some(v) = &f.fixed_in {
                    notes.push(format!("fixed in {v}"));
                }
                println!(
                    "{}:{}  {} {} {}  {}  ({})",
                    p.file,
                    p.line,
                    p.ecosystem,
                    p.name,
                    p.version,
                    f.advisory,
                    notes.join(", ")
                );
            }
            println!(
                "{} packages in {} files, {} findings",
                supply.packages.len(),
                supply.files.len(),
                supply.findings.len()
            );
            Ok(0)
        }
        AdvisoriesCommand::List { path, db, json } => {
            let (store, _) = open_store(path.clone(), db.clone())?;
            let databases = store
                .advisory_databases()
                .map_err(|e| Error::store(format!("reading the store: {e}"), None))?;
            if *json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&databases).unwrap_or_default()
                );
                return Ok(0);
            }
            if databases.is_empty() {
                println!("no advisory database stored (friction advisories import PATH)");
            }
            for d in databases {
                println!(
                    "{}  {}  {} advisories  database date {}  imported {}",
                    d.path,
                    d.format,
                    d.advisories,
                    d.database_date.as_deref().unwrap_or("unknown"),
                    timestamp(d.imported_at)
                );
            }
            Ok(0)
        }
    }
}
