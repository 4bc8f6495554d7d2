//! `friction scan --portfolio`: the arguments become a
//! `friction_app::portfolio` request, each repository is scanned by a child
//! process of this binary (so one that crashes or fails on a corrupt pack
//! cannot take the others down), and the roll-up is rendered.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use friction_app::Error;
use friction_app::portfolio::{
    Group, Portfolio, PortfolioRequest, ScanRepository, Scanned, Status,
};
use serde::Deserialize;

use crate::ScanArgs;

/// Scans a repository with `friction scan --json --quiet` in a child process.
struct ChildScan<'a> {
    args: &'a ScanArgs,
}

/// What the portfolio reads of a scan's JSON summary.
#[derive(Deserialize)]
struct ScanSummary {
    store: std::path::PathBuf,
    snapshot: Option<SnapshotId>,
}

#[derive(Deserialize)]
struct SnapshotId {
    id: i64,
}

impl ScanRepository for ChildScan<'_> {
    fn scan(&self, path: &Path, db: Option<&Path>, threads: usize) -> Result<Scanned, String> {
        let exe =
            std::env::current_exe().map_err(|e| format!("cannot find the friction binary: {e}"))?;
        let mut cmd = Command::new(exe);
        cmd.arg("scan")
            .arg(path)
            .args(["--json", "--quiet", "--threads"]);
        cmd.arg(threads.to_string());
        if let Some(db) = db {
            cmd.arg("--db").arg(db);
        }
        if self.args.first_parent {
            cmd.arg("--first-parent");
        }
        if self.args.no_code {
            cmd.arg("--no-code");
        }
        if self.args.no_renames {
            cmd.arg("--no-renames");
        }
        let out = cmd
            .output()
            .map_err(|e| format!("cannot run the scan: {e}"))?;
        if !out.status.success() {
            let stderr = String::from_utf8_lossy(&out.stderr);
            let msg = stderr
                .lines()
                .find_map(|l| l.strip_prefix("error: "))
                .unwrap_or_else(|| stderr.lines().last().unwrap_or("the scan failed"));
            return Err(msg.trim().to_owned());
        }
        let summary: ScanSummary = serde_json::from_slice(&out.stdout)
            .map_err(|e| format!("unreadable scan output: {e}"))?;
        Ok(Scanned {
            store: summary.store,
            snapshot: summary.snapshot.map(|s| s.id),
        })
    }
}

pub fn run(args: &ScanArgs) -> Result<u8, Error> {
    let started = std::time::Instant::now();
    let request = PortfolioRequest {
        dir: args.path.clone(),
        db: args.db.clone(),
        threads: args.threads,
        mode: crate::walk_mode(args.first_parent),
    };
    let p = friction_app::portfolio::run(
        &request,
        &ChildScan { args },
        &crate::progress::Bar::new(args.quiet),
    )?;
    if args.json {
        let mut v = serde_json::to_value(&p.rollup).unwrap_or_default();
        if let Some(o) = v.as_object_mut() {
            o.insert("store".into(), p.store.display().to_string().into());
            o.insert("snapshot".into(), p.snapshot.into());
        }
        println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
    } else {
        print!("{}", render(&p));
    }
    let failed = p.failed();
    if !args.quiet {
        eprintln!(
            "scanned {} repositories ({} failed) in {:.2} s, {} at a time",
            p.rollup.repositories.len(),
            failed,
            started.elapsed().as_secs_f64(),
            p.parallel
        );
    }
    Ok(if failed > 0 { 1 } else { 0 })
}

fn score(x: Option<f64>) -> String {
    x.map_or_else(|| "–".to_owned(), |v| format!("{v:.1}"))
}

fn render(p: &Portfolio) -> String {
    let (org, domains, products, repos, db, id) = (
        &p.rollup.organisation,
        &p.rollup.domains,
        &p.rollup.products,
        &p.rollup.repositories,
        &p.store,
        p.snapshot,
    );
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Portfolio {}: index {} ({}), coverage {:.0} %, {} of {} repositories assessed",
        org.name,
        score(org.index),
        org.band.unwrap_or("not measured"),
        org.coverage * 100.0,
        org.assessed,
        org.repositories.len()
    );
    let _ = writeln!(
        out,
        "  means weighted by code lines; methodology {}",
        friction_signals::METHODOLOGY_VERSION
    );
    let line = |out: &mut String, label: &str, g: &Group| {
        let _ = writeln!(
            out,
            "  {:<28} {:>6}  {:>5.0} %  {}/{} assessed",
            label,
            score(g.index),
            g.coverage * 100.0,
            g.assessed,
            g.repositories.len()
        );
    };
    if !domains.is_empty() {
        let _ = writeln!(out, "\nDomains:");
        for g in domains {
            line(&mut out, &g.name, g);
        }
    }
    if !products.is_empty() {
        let _ = writeln!(out, "\nProducts:");
        for g in products {
            line(&mut out, &g.name, g);
        }
    }
    let _ = writeln!(out, "\nRepositories:");
    let _ = writeln!(
        out,
        "  {:<20} {:<16} {:>6} {:>13} {:>6}  as of",
        "repository", "product", "index", "90 % CI", "cov"
    );
    for r in repos {
        match r.status {
            Status::Assessed => {
                let _ = writeln!(
                    out,
                    "  {:<20} {:<16} {:>6} {:>13} {:>4.0} %  {}",
                    r.name,
                    r.product.as_deref().unwrap_or("-"),
                    score(r.index),
                    r.ci.map_or(String::new(), |[a, b]| format!("{a:.1}–{b:.1}")),
                    r.coverage.unwrap_or(0.0) * 100.0,
                    r.as_of.as_deref().unwrap_or("-")
                );
            }
            status => {
                let _ = writeln!(
                    out,
                    "  {:<20} {:<16} {}{}",
                    r.name,
                    r.product.as_deref().unwrap_or("-"),
                    status.as_str().to_uppercase(),
                    r.error
                        .as_deref()
                        .map_or(String::new(), |e| format!(": {}", crate::render::clean(e)))
                );
            }
        }
    }
    let _ = writeln!(out, "\n  store       {} (snapshot #{id})", db.display());
    let _ = writeln!(
        out,
        "  trends: friction trend --db {} --repository NAME (or @portfolio for the organisation)",
        db.display()
    );
    out
}
