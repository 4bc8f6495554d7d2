//! `friction scan --portfolio`: every repository of `[portfolio]` scanned
//! (in parallel, bounded), and the index rolled up per product, domain and
//! organisation with the same methodology.
//!
//! Each repository keeps its facts in its own store (its history and code
//! metrics are only meaningful per repository); the portfolio store holds a
//! copy of every repository's snapshot (scope = the repository's name) and
//! the roll-up, so one file carries the portfolio's whole record. Each scan
//! runs as a child process of this binary: one repository that crashes,
//! fails on a corrupt pack or is missing cannot take the others down, and the
//! store lock serialises entries that share a store.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use friction_history::{CONFIG_FILE_NAME, Config, PortfolioEntry};
use friction_store::{NewSnapshot, Store};
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::ScanArgs;
use friction_app::Error;
use friction_app::snapshot::store_err;

/// The schema of the roll-up.
const SCHEMA: &str = friction_app::timeline::PORTFOLIO_SCHEMA;
/// The scope under which the roll-up is stored in the portfolio store
/// (`friction trend --repository @portfolio`).
pub(crate) const ROLLUP_SCOPE: &str = "@portfolio";

/// One repository's outcome.
#[derive(Debug, Clone, Serialize)]
struct RepoResult {
    name: String,
    path: String,
    product: Option<String>,
    domain: Option<String>,
    /// `assessed`, `no history` or `failed`.
    status: String,
    error: Option<String>,
    commit: Option<String>,
    as_of: Option<String>,
    index: Option<f64>,
    ci: Option<[f64; 2]>,
    coverage: Option<f64>,
    drivers: BTreeMap<String, Option<f64>>,
    code_lines: u64,
    /// The snapshot in the portfolio store.
    snapshot: Option<i64>,
}

/// A roll-up over several repositories.
#[derive(Debug, Clone, Serialize)]
struct Group {
    kind: &'static str,
    name: String,
    /// Weighted mean of the repositories' index.
    index: Option<f64>,
    band: Option<&'static str>,
    /// Weighted mean of the repositories' coverage, failed ones counted as 0.
    coverage: f64,
    drivers: BTreeMap<String, Option<f64>>,
    repositories: Vec<String>,
    assessed: usize,
    failed: usize,
}

fn r2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn rollup(kind: &'static str, name: &str, members: &[&RepoResult]) -> Group {
    let assessed: Vec<&&RepoResult> = members.iter().filter(|r| r.status == "assessed").collect();
    // Code lines measured; a repository without (scan --no-code) weighs as
    // the mean measured one, so it is never silently left out.
    let sized: Vec<f64> = assessed
        .iter()
        .filter(|r| r.code_lines > 0)
        .map(|r| friction_assess::methodology::portfolio_weight(r.code_lines))
        .collect();
    let typical = if sized.is_empty() {
        1.0
    } else {
        sized.iter().sum::<f64>() / sized.len() as f64
    };
    let weight = |r: &RepoResult| {
        if r.code_lines > 0 {
            friction_assess::methodology::portfolio_weight(r.code_lines)
        } else {
            typical
        }
    };
    let mean = |value: &dyn Fn(&RepoResult) -> Option<f64>| {
        let (mut sum, mut w) = (0.0, 0.0);
        for r in &assessed {
            if let Some(v) = value(r) {
                sum += weight(r) * v;
                w += weight(r);
            }
        }
        (w > 0.0).then(|| r2(sum / w))
    };
    let index = mean(&|r| r.index);
    // Coverage over every member: a failed repository has none.
    let total_w: f64 = assessed.iter().map(|r| weight(r)).sum::<f64>();
    let failed = members.iter().filter(|r| r.status == "failed").count();
    let coverage = if total_w > 0.0 {
        let covered: f64 = assessed
            .iter()
            .map(|r| weight(r) * r.coverage.unwrap_or(0.0))
            .sum();
        // Failed repositories weigh as much as the mean assessed one.
        let per = total_w / assessed.len() as f64;
        r2(covered / (total_w + per * failed as f64))
    } else {
        0.0
    };
    let families: std::collections::BTreeSet<&String> =
        assessed.iter().flat_map(|r| r.drivers.keys()).collect();
    let drivers = families
        .into_iter()
        .map(|f| (f.clone(), mean(&|r| r.drivers.get(f).copied().flatten())))
        .collect();
    Group {
        kind,
        name: name.to_owned(),
        index,
        band: index.map(friction_assess::methodology::band),
        coverage,
        drivers,
        repositories: members.iter().map(|r| r.name.clone()).collect(),
        assessed: assessed.len(),
        failed,
    }
}

/// Reads `[portfolio]` from the directory's friction.toml.
fn read_config(dir: &Path) -> Result<Config, Error> {
    let file = dir.join(CONFIG_FILE_NAME);
    let text = std::fs::read_to_string(&file).map_err(|e| {
        Error::input(
            format!("cannot read {}: {e}", file.display()),
            Some("`scan --portfolio` reads the [portfolio] section of friction.toml in PATH"),
        )
    })?;
    let config = friction_app::project::parse_config(&file.display().to_string(), &text)?;
    if config.portfolio.repositories.is_empty() {
        return Err(Error::input(
            format!("{} lists no [[portfolio.repositories]]", file.display()),
            Some("add entries with `name` and `path` (see the README's portfolio section)"),
        ));
    }
    let mut seen = std::collections::BTreeSet::new();
    for e in &config.portfolio.repositories {
        if e.name.is_empty() || e.name.starts_with('@') {
            return Err(Error::input(
                format!("portfolio repository name `{}` is not allowed", e.name),
                Some("names are non-empty and do not start with `@`"),
            ));
        }
        if !seen.insert(e.name.as_str()) {
            return Err(Error::input(
                format!("portfolio repository `{}` is listed twice", e.name),
                Some("give each [[portfolio.repositories]] entry a unique name"),
            ));
        }
    }
    Ok(config)
}

fn repo_store(dir: &Path, e: &PortfolioEntry) -> Option<PathBuf> {
    e.db.as_ref().map(|db| dir.join(db))
}

/// Scans one repository in a child process; returns its JSON summary or why not.
fn scan_one(
    dir: &Path,
    e: &PortfolioEntry,
    args: &ScanArgs,
    threads: usize,
) -> Result<Value, String> {
    let path = dir.join(&e.path);
    if !path.exists() {
        return Err(format!("{} does not exist", path.display()));
    }
    let exe =
        std::env::current_exe().map_err(|e| format!("cannot find the friction binary: {e}"))?;
    let mut cmd = Command::new(exe);
    cmd.arg("scan")
        .arg(&path)
        .args(["--json", "--quiet", "--threads"]);
    cmd.arg(threads.to_string());
    if let Some(db) = repo_store(dir, e) {
        cmd.arg("--db").arg(db);
    }
    if args.first_parent {
        cmd.arg("--first-parent");
    }
    if args.no_code {
        cmd.arg("--no-code");
    }
    if args.no_renames {
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
    serde_json::from_slice(&out.stdout).map_err(|e| format!("unreadable scan output: {e}"))
}

/// Copies the repository's snapshot into the portfolio store.
fn copy_snapshot(
    portfolio: &mut Store,
    scan: &Value,
    name: &str,
) -> Result<Option<(i64, Value)>, String> {
    let (Some(id), Some(store)) = (scan["snapshot"]["id"].as_i64(), scan["store"].as_str()) else {
        return Ok(None);
    };
    let repo_store = Store::open_reader(Path::new(store)).map_err(|e| e.to_string())?;
    let (row, text) = repo_store
        .snapshot(id)
        .map_err(|e| e.to_string())?
        .ok_or("the scan's snapshot is missing from its store")?;
    let assessment: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let existing = portfolio
        .snapshot_with_digest(name, &row.digest)
        .map_err(|e| e.to_string())?;
    let pid = match existing {
        Some(pid) => pid,
        None => portfolio
            .put_snapshot(&NewSnapshot {
                kind: row.kind.clone(),
                scope: name.to_owned(),
                rescored_from: None,
                commit_id: row.commit_id.clone(),
                as_of: row.as_of,
                mode: row.mode.clone(),
                methodology: row.methodology.clone(),
                tool_version: row.tool_version.clone(),
                schema: row.schema.clone(),
                index_score: row.index_score,
                coverage: row.coverage,
                inputs: row.inputs.clone(),
                manifest: row.manifest.clone(),
                digest: row.digest.clone(),
                point: (row.schema == friction_app::snapshot::ASSESSMENT_SCHEMA)
                    .then(|| {
                        friction_app::snapshot::TrendFigures::of_assessment_json(&text)
                            .map(|f| f.to_json())
                    })
                    .transpose()
                    .map_err(|e| e.to_string())?,
                assessment: text,
                partial: row.partial.clone(),
            })
            .map_err(|e| e.to_string())?,
    };
    Ok(Some((pid, assessment)))
}

pub fn run(args: &ScanArgs) -> Result<u8, Error> {
    let started = std::time::Instant::now();
    let dir = args.path.clone();
    let config = read_config(&dir)?;
    let entries = &config.portfolio.repositories;
    let db = args
        .db
        .clone()
        .unwrap_or_else(|| dir.join(".friction").join("portfolio.db"));
    if let Some(parent) = db.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| {
            Error::input(
                format!("cannot create {}: {e}", parent.display()),
                Some("choose another location with `--db PATH`"),
            )
        })?;
    }
    // A repository's facts cannot share the portfolio's store: its scan would
    // wait for the lock this process holds.
    let same = |a: &Path, b: &Path| {
        let canon = |p: &Path| {
            let parent = p
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            std::fs::canonicalize(parent).map(|d| d.join(p.file_name().unwrap_or_default()))
        };
        matches!((canon(a), canon(b)), (Ok(x), Ok(y)) if x == y)
    };
    for e in entries {
        let repo_db = repo_store(&dir, e)
            .unwrap_or_else(|| dir.join(&e.path).join(".friction").join("friction.db"));
        if same(&repo_db, &db) {
            return Err(Error::input(
                format!(
                    "portfolio repository `{}` would keep its facts in the portfolio store {}",
                    e.name,
                    db.display()
                ),
                Some("give the entry its own `db`, or the portfolio another `--db`"),
            ));
        }
    }
    let _lock =
        friction_app::project::lock_for_writing(&db, &crate::progress::Bar::new(args.quiet))?;
    let mut store =
        Store::open(&db).map_err(|e| friction_app::project::store_open_error(&db, &e))?;

    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let parallel = match config.portfolio.parallel {
        0 => cores,
        n => n,
    }
    .clamp(1, entries.len());
    let threads = if args.threads > 0 {
        args.threads
    } else {
        (cores / parallel).max(1)
    };
    let progress =
        crate::progress::progress_bar(args.quiet, entries.len() as u64, "scanning repositories");
    let next = Mutex::new(0usize);
    let outcomes: Mutex<Vec<Option<Result<Value, String>>>> = Mutex::new(vec![None; entries.len()]);
    std::thread::scope(|s| {
        for _ in 0..parallel {
            s.spawn(|| {
                loop {
                    let i = {
                        let mut n = next.lock().unwrap_or_else(|p| p.into_inner());
                        let i = *n;
                        *n += 1;
                        i
                    };
                    let Some(e) = entries.get(i) else { break };
                    let r = scan_one(&dir, e, args, threads);
                    outcomes.lock().unwrap_or_else(|p| p.into_inner())[i] = Some(r);
                    progress.inc(1);
                }
            });
        }
    });
    progress.finish_and_clear();
    let outcomes = outcomes.into_inner().unwrap_or_else(|p| p.into_inner());

    let mut results = Vec::new();
    for (e, outcome) in entries.iter().zip(outcomes) {
        let mut r = RepoResult {
            name: e.name.clone(),
            path: e.path.clone(),
            product: e.product.clone(),
            domain: e.domain.clone(),
            status: "failed".into(),
            error: None,
            commit: None,
            as_of: None,
            index: None,
            ci: None,
            coverage: None,
            drivers: BTreeMap::new(),
            code_lines: 0,
            snapshot: None,
        };
        match outcome.unwrap_or_else(|| Err("not scanned".into())) {
            Err(msg) => r.error = Some(msg),
            Ok(scan) => match copy_snapshot(&mut store, &scan, &e.name) {
                Err(msg) => r.error = Some(format!("reading its snapshot: {msg}")),
                Ok(None) => r.status = "no history".into(),
                Ok(Some((pid, a))) => {
                    r.status = "assessed".into();
                    r.snapshot = Some(pid);
                    r.commit = a["commit"].as_str().map(str::to_owned);
                    r.as_of = a["window_to"].as_str().map(str::to_owned);
                    r.index = a["index"]["score"].as_f64();
                    r.ci = a["index"]["ci"]
                        .as_array()
                        .and_then(|c| Some([c.first()?.as_f64()?, c.get(1)?.as_f64()?]));
                    r.coverage = a["index"]["coverage"].as_f64();
                    r.drivers =
                        friction_app::snapshot::TrendFigures::of_assessment_json(&a.to_string())
                            .map(|f| f.drivers)
                            .unwrap_or_default();
                    // Older snapshots lack the total: sum the components'.
                    r.code_lines = a["code_lines"].as_u64().unwrap_or_else(|| {
                        a["components"]
                            .as_array()
                            .map(|cs| cs.iter().filter_map(|c| c["code_lines"].as_u64()).sum())
                            .unwrap_or(0)
                    });
                }
            },
        }
        results.push(r);
    }

    // Roll-ups: products, domains, the organisation.
    let group_by = |key: &dyn Fn(&RepoResult) -> Option<&String>| {
        let mut groups: BTreeMap<String, Vec<&RepoResult>> = BTreeMap::new();
        for r in &results {
            if let Some(k) = key(r) {
                groups.entry(k.clone()).or_default().push(r);
            }
        }
        groups
    };
    let products: Vec<Group> = group_by(&|r| r.product.as_ref())
        .iter()
        .map(|(name, members)| rollup("product", name, members))
        .collect();
    let domains: Vec<Group> = group_by(&|r| r.domain.as_ref())
        .iter()
        .map(|(name, members)| rollup("domain", name, members))
        .collect();
    let all: Vec<&RepoResult> = results.iter().collect();
    let org_name = config
        .portfolio
        .organisation
        .clone()
        .unwrap_or_else(|| "organisation".into());
    let organisation = rollup("organisation", &org_name, &all);

    let report = serde_json::json!({
        "schema": SCHEMA,
        "methodology": friction_signals::METHODOLOGY_VERSION,
        "weighting": "code lines measured per repository",
        "organisation": organisation,
        "domains": domains,
        "products": products,
        "repositories": results,
    });
    let text = serde_json::to_string_pretty(&report).unwrap_or_default();
    let digest: String = Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let rollup_id = match store
        .snapshot_with_digest(ROLLUP_SCOPE, &digest)
        .map_err(store_err)?
    {
        Some(id) => id,
        None => {
            let manifest = serde_json::json!({
                "repositories": results.iter().map(|r| serde_json::json!({
                    "name": r.name, "snapshot": r.snapshot, "status": r.status,
                })).collect::<Vec<_>>(),
            });
            store
                .put_snapshot(&NewSnapshot {
                    kind: "portfolio".into(),
                    scope: ROLLUP_SCOPE.into(),
                    rescored_from: None,
                    commit_id: String::new(),
                    // The newest window end among this run's repositories.
                    as_of: {
                        let ids: Vec<i64> = results.iter().filter_map(|r| r.snapshot).collect();
                        store
                            .snapshots()
                            .map_err(store_err)?
                            .iter()
                            .filter(|s| ids.contains(&s.id))
                            .map(|s| s.as_of)
                            .max()
                            .unwrap_or(0)
                    },
                    // Rolled up from repositories whose history was read in part.
                    partial: {
                        let ids: Vec<i64> = results.iter().filter_map(|r| r.snapshot).collect();
                        let partial: Vec<String> = store
                            .snapshots()
                            .map_err(store_err)?
                            .into_iter()
                            .filter(|s| ids.contains(&s.id) && s.partial.is_some())
                            .map(|s| s.scope)
                            .collect();
                        (!partial.is_empty())
                            .then(|| format!("partial history in {}", partial.join(", ")))
                    },
                    mode: if args.first_parent {
                        "first-parent"
                    } else {
                        "full"
                    }
                    .into(),
                    methodology: friction_signals::METHODOLOGY_VERSION.into(),
                    tool_version: env!("CARGO_PKG_VERSION").into(),
                    schema: SCHEMA.into(),
                    index_score: organisation.index,
                    coverage: organisation.coverage,
                    inputs: "{}".into(),
                    manifest: manifest.to_string(),
                    digest: digest.clone(),
                    assessment: text.clone(),
                    point: None,
                })
                .map_err(|e| Error::input(format!("writing the portfolio snapshot: {e}"), None))?
        }
    };
    let failed = results.iter().filter(|r| r.status == "failed").count();
    if args.json {
        let mut v = report;
        if let Some(o) = v.as_object_mut() {
            o.insert("store".into(), db.display().to_string().into());
            o.insert("snapshot".into(), rollup_id.into());
        }
        println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
    } else {
        print!(
            "{}",
            render(&organisation, &domains, &products, &results, &db, rollup_id)
        );
    }
    if !args.quiet {
        eprintln!(
            "scanned {} repositories ({} failed) in {:.2} s, {} at a time",
            results.len(),
            failed,
            started.elapsed().as_secs_f64(),
            parallel
        );
    }
    Ok(if failed > 0 { 1 } else { 0 })
}

fn score(x: Option<f64>) -> String {
    x.map_or_else(|| "–".to_owned(), |v| format!("{v:.1}"))
}

fn render(
    org: &Group,
    domains: &[Group],
    products: &[Group],
    repos: &[RepoResult],
    db: &Path,
    id: i64,
) -> String {
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
        match r.status.as_str() {
            "assessed" => {
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
                    status.to_uppercase(),
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
