//! The portfolio: every repository of `[portfolio]` scanned (in parallel,
//! bounded), and the index rolled up per product, domain and organisation
//! with the same methodology.
//!
//! Each repository keeps its facts in its own store (its history and code
//! metrics are only meaningful per repository); the portfolio store holds a
//! copy of every repository's snapshot (scope = the repository's name) and
//! the roll-up, so one file carries the portfolio's whole record. How one
//! repository is scanned is the front-end's [`ScanRepository`]: the CLI runs
//! each scan as a child process of its binary, so one repository that
//! crashes, fails on a corrupt pack or is missing cannot take the others
//! down, and the store lock serialises entries that share a store.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use friction_assess::AssessmentDocument;
use friction_history::{CONFIG_FILE_NAME, Config, PortfolioEntry};
use friction_store::{NewSnapshot, Store, WalkMode};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::progress::Progress;
use crate::snapshot::{ASSESSMENT_SCHEMA, TrendFigures, driver_scores, store_err};
use crate::timeline::PORTFOLIO_SCHEMA;

/// The scope under which the roll-up is stored in the portfolio store
/// (`friction trend --repository @portfolio`).
pub const ROLLUP_SCOPE: &str = "@portfolio";

/// What scanning one repository left behind.
#[derive(Debug, Clone, PartialEq)]
pub struct Scanned {
    /// The repository's store.
    pub store: PathBuf,
    /// The snapshot the scan recorded (`None`: no history).
    pub snapshot: Option<i64>,
}

/// Scans one repository of the portfolio (its path resolved, its store if
/// the entry names one), with `threads` diff workers; the error is why not,
/// in one line.
pub trait ScanRepository: Sync {
    fn scan(
        &self,
        path: &Path,
        db: Option<&Path>,
        threads: usize,
    ) -> std::result::Result<Scanned, String>;
}

/// What a portfolio run is asked for.
#[derive(Debug, Clone)]
pub struct PortfolioRequest {
    /// The directory whose `friction.toml` lists the repositories.
    pub dir: PathBuf,
    /// The portfolio store (default `DIR/.friction/portfolio.db`).
    pub db: Option<PathBuf>,
    /// Diff workers per repository (0: the cores shared by the parallel scans).
    pub threads: usize,
    /// The view of history the repositories are scanned with.
    pub mode: WalkMode,
}

/// Whether a repository was assessed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Status {
    #[serde(rename = "assessed")]
    Assessed,
    #[serde(rename = "no history")]
    NoHistory,
    #[serde(rename = "failed")]
    Failed,
}

impl Status {
    /// The status as written.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Assessed => "assessed",
            Status::NoHistory => "no history",
            Status::Failed => "failed",
        }
    }
}

/// One repository's outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RepositoryOutcome {
    pub name: String,
    pub path: String,
    pub product: Option<String>,
    pub domain: Option<String>,
    pub status: Status,
    pub error: Option<String>,
    pub commit: Option<String>,
    pub as_of: Option<String>,
    pub index: Option<f64>,
    pub ci: Option<[f64; 2]>,
    pub coverage: Option<f64>,
    pub drivers: BTreeMap<String, Option<f64>>,
    pub code_lines: u64,
    /// The snapshot in the portfolio store.
    pub snapshot: Option<i64>,
}

/// A roll-up over several repositories.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Group {
    pub kind: &'static str,
    pub name: String,
    /// Weighted mean of the repositories' index.
    pub index: Option<f64>,
    pub band: Option<&'static str>,
    /// Weighted mean of the repositories' coverage, failed ones counted as 0.
    pub coverage: f64,
    pub drivers: BTreeMap<String, Option<f64>>,
    pub repositories: Vec<String>,
    pub assessed: usize,
    pub failed: usize,
}

/// The roll-up, as stored in the portfolio store (schema
/// `friction.portfolio/1`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RollUp {
    pub schema: &'static str,
    pub methodology: &'static str,
    pub weighting: &'static str,
    pub organisation: Group,
    pub domains: Vec<Group>,
    pub products: Vec<Group>,
    pub repositories: Vec<RepositoryOutcome>,
}

impl RollUp {
    /// The stored text: pretty JSON, keys sorted.
    pub fn to_json(&self) -> String {
        serde_json::to_value(self)
            .and_then(|v| serde_json::to_string_pretty(&v))
            .unwrap_or_default()
    }
}

/// A portfolio run's outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct Portfolio {
    pub rollup: RollUp,
    /// The portfolio store and the roll-up's snapshot in it.
    pub store: PathBuf,
    pub snapshot: i64,
    /// Repositories scanned at once.
    pub parallel: usize,
}

impl Portfolio {
    /// Repositories that could not be assessed for an error.
    pub fn failed(&self) -> usize {
        self.rollup
            .repositories
            .iter()
            .filter(|r| r.status == Status::Failed)
            .count()
    }
}

fn r2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The roll-up of `members` (means weighted by code lines measured; a
/// failed repository counts as unmeasured in the coverage).
pub fn rollup(kind: &'static str, name: &str, members: &[&RepositoryOutcome]) -> Group {
    let assessed: Vec<&&RepositoryOutcome> = members
        .iter()
        .filter(|r| r.status == Status::Assessed)
        .collect();
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
    let weight = |r: &RepositoryOutcome| {
        if r.code_lines > 0 {
            friction_assess::methodology::portfolio_weight(r.code_lines)
        } else {
            typical
        }
    };
    let mean = |value: &dyn Fn(&RepositoryOutcome) -> Option<f64>| {
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
    let failed = members
        .iter()
        .filter(|r| r.status == Status::Failed)
        .count();
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
    let families: BTreeSet<&String> = assessed.iter().flat_map(|r| r.drivers.keys()).collect();
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
pub fn read_config(dir: &Path) -> Result<Config> {
    let file = dir.join(CONFIG_FILE_NAME);
    let text = std::fs::read_to_string(&file).map_err(|e| {
        Error::input(
            format!("cannot read {}: {e}", file.display()),
            Some("`scan --portfolio` reads the [portfolio] section of friction.toml in PATH"),
        )
    })?;
    let config = crate::project::parse_config(&file.display().to_string(), &text)?;
    if config.portfolio.repositories.is_empty() {
        return Err(Error::input(
            format!("{} lists no [[portfolio.repositories]]", file.display()),
            Some("add entries with `name` and `path` (see the README's portfolio section)"),
        ));
    }
    let mut seen = BTreeSet::new();
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

/// Copies the repository's snapshot into the portfolio store; the copy's
/// id and the assessment.
fn copy_snapshot(
    portfolio: &mut Store,
    scanned: &Scanned,
    name: &str,
) -> std::result::Result<Option<(i64, AssessmentDocument)>, String> {
    let Some(id) = scanned.snapshot else {
        return Ok(None);
    };
    let repo_store = Store::open_reader(&scanned.store).map_err(|e| e.to_string())?;
    let (row, text) = repo_store
        .snapshot(id)
        .map_err(|e| e.to_string())?
        .ok_or("the scan's snapshot is missing from its store")?;
    let document = AssessmentDocument::from_json(&text).map_err(|e| e.to_string())?;
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
                point: (row.schema == ASSESSMENT_SCHEMA)
                    .then(|| TrendFigures::of(&document.assessment.index).to_json()),
                assessment: text,
                partial: row.partial.clone(),
            })
            .map_err(|e| e.to_string())?,
    };
    Ok(Some((pid, document)))
}

/// The outcome of one repository from its scan.
fn outcome(
    store: &mut Store,
    e: &PortfolioEntry,
    scanned: std::result::Result<Scanned, String>,
) -> RepositoryOutcome {
    let mut r = RepositoryOutcome {
        name: e.name.clone(),
        path: e.path.clone(),
        product: e.product.clone(),
        domain: e.domain.clone(),
        status: Status::Failed,
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
    match scanned {
        Err(msg) => r.error = Some(msg),
        Ok(scanned) => match copy_snapshot(store, &scanned, &e.name) {
            Err(msg) => r.error = Some(format!("reading its snapshot: {msg}")),
            Ok(None) => r.status = Status::NoHistory,
            Ok(Some((pid, d))) => {
                let a = &d.assessment;
                r.status = Status::Assessed;
                r.snapshot = Some(pid);
                r.commit = d.commit.clone();
                r.as_of = Some(d.window_to.clone());
                r.index = a.index.score;
                r.ci = a.index.ci;
                r.coverage = Some(a.index.coverage);
                r.drivers = driver_scores(&a.index);
                // Older snapshots lack the total: sum the components'.
                r.code_lines = if a.code_lines > 0 {
                    a.code_lines
                } else {
                    a.components.iter().map(|c| c.code_lines).sum()
                };
            }
        },
    }
    r
}

/// Scans every repository of the portfolio with `scanner`, copies their
/// snapshots into the portfolio store and records the roll-up there
/// (unless an identical one is stored).
pub fn run(
    request: &PortfolioRequest,
    scanner: &dyn ScanRepository,
    progress: &dyn Progress,
) -> Result<Portfolio> {
    let dir = &request.dir;
    let config = read_config(dir)?;
    let entries = &config.portfolio.repositories;
    let db = request
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
        let repo_db = repo_store(dir, e)
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
    let _lock = crate::project::lock_for_writing(&db, progress)?;
    let mut store = Store::open(&db).map_err(|e| crate::project::store_open_error(&db, &e))?;

    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let parallel = match config.portfolio.parallel {
        0 => cores,
        n => n,
    }
    .clamp(1, entries.len());
    let threads = if request.threads > 0 {
        request.threads
    } else {
        (cores / parallel).max(1)
    };
    progress.start("scanning repositories", entries.len() as u64);
    let next = Mutex::new(0usize);
    type Outcome = Option<std::result::Result<Scanned, String>>;
    let outcomes: Mutex<Vec<Outcome>> = Mutex::new(vec![None; entries.len()]);
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
                    let path = dir.join(&e.path);
                    let r = if path.exists() {
                        scanner.scan(&path, repo_store(dir, e).as_deref(), threads)
                    } else {
                        Err(format!("{} does not exist", path.display()))
                    };
                    outcomes.lock().unwrap_or_else(|p| p.into_inner())[i] = Some(r);
                    progress.inc(1);
                }
            });
        }
    });
    progress.finish();
    let outcomes = outcomes.into_inner().unwrap_or_else(|p| p.into_inner());

    let results: Vec<RepositoryOutcome> = entries
        .iter()
        .zip(outcomes)
        .map(|(e, o)| {
            outcome(
                &mut store,
                e,
                o.unwrap_or_else(|| Err("not scanned".into())),
            )
        })
        .collect();

    // Roll-ups: products, domains, the organisation.
    let group_by = |kind: &'static str, key: &dyn Fn(&RepositoryOutcome) -> Option<&String>| {
        let mut groups: BTreeMap<String, Vec<&RepositoryOutcome>> = BTreeMap::new();
        for r in &results {
            if let Some(k) = key(r) {
                groups.entry(k.clone()).or_default().push(r);
            }
        }
        groups
            .iter()
            .map(|(name, members)| rollup(kind, name, members))
            .collect::<Vec<Group>>()
    };
    let products = group_by("product", &|r| r.product.as_ref());
    let domains = group_by("domain", &|r| r.domain.as_ref());
    let all: Vec<&RepositoryOutcome> = results.iter().collect();
    let org_name = config
        .portfolio
        .organisation
        .clone()
        .unwrap_or_else(|| "organisation".into());
    let organisation = rollup("organisation", &org_name, &all);
    let rollup = RollUp {
        schema: PORTFOLIO_SCHEMA,
        methodology: friction_signals::METHODOLOGY_VERSION,
        weighting: "code lines measured per repository",
        organisation,
        domains,
        products,
        repositories: results,
    };
    let snapshot = record_rollup(&mut store, &rollup, request.mode)?;
    Ok(Portfolio {
        rollup,
        store: db,
        snapshot,
        parallel,
    })
}

/// Stores the roll-up as a snapshot of [`ROLLUP_SCOPE`] unless an identical
/// one is stored; its id.
fn record_rollup(store: &mut Store, rollup: &RollUp, mode: WalkMode) -> Result<i64> {
    let text = rollup.to_json();
    let digest: String = Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    if let Some(id) = store
        .snapshot_with_digest(ROLLUP_SCOPE, &digest)
        .map_err(store_err)?
    {
        return Ok(id);
    }
    let results = &rollup.repositories;
    let manifest = serde_json::json!({
        "repositories": results.iter().map(|r| serde_json::json!({
            "name": r.name, "snapshot": r.snapshot, "status": r.status,
        })).collect::<Vec<_>>(),
    });
    let ids: Vec<i64> = results.iter().filter_map(|r| r.snapshot).collect();
    let copies: Vec<friction_store::SnapshotRow> = store
        .snapshots()
        .map_err(store_err)?
        .into_iter()
        .filter(|s| ids.contains(&s.id))
        .collect();
    // Rolled up from repositories whose history was read in part.
    let partial: Vec<&str> = copies
        .iter()
        .filter(|s| s.partial.is_some())
        .map(|s| s.scope.as_str())
        .collect();
    store
        .put_snapshot(&NewSnapshot {
            kind: "portfolio".into(),
            scope: ROLLUP_SCOPE.into(),
            rescored_from: None,
            commit_id: String::new(),
            // The newest window end among this run's repositories.
            as_of: copies.iter().map(|s| s.as_of).max().unwrap_or(0),
            partial: (!partial.is_empty())
                .then(|| format!("partial history in {}", partial.join(", "))),
            mode: mode.as_str().into(),
            methodology: friction_signals::METHODOLOGY_VERSION.into(),
            tool_version: env!("CARGO_PKG_VERSION").into(),
            schema: PORTFOLIO_SCHEMA.into(),
            index_score: rollup.organisation.index,
            coverage: rollup.organisation.coverage,
            inputs: "{}".into(),
            manifest: manifest.to_string(),
            digest,
            assessment: text,
            point: None,
        })
        .map_err(|e| Error::input(format!("writing the portfolio snapshot: {e}"), None))
}
