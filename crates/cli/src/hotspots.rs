//! `friction hotspots`: change frequency in a window joined with the code
//! health measured at `HEAD`, from the store a scan filled.

use std::path::{Path, PathBuf};

use friction_analysis::components::{self, ComponentActivity, ComponentMap, Overlap};
use friction_analysis::hotspots::{self, Change, HeadFile, Hotspots};
use friction_code::health::{self, Band};
use friction_code::{ANALYZER_VERSION, FileMetrics};
use friction_history::Config;
use friction_store::{Store, WalkMode};
use serde::Serialize;

use crate::code::clean;
use crate::render::date;
use crate::{HotspotsArgs, UserError};

/// Seconds in an average Gregorian month.
pub(crate) const MONTH: i64 = 2_629_746;

/// The window and the analysis.
#[derive(Debug, Serialize)]
pub struct HotspotReport {
    pub months: u32,
    /// Window bounds (author dates, UTC); the window ends at the newest stored commit.
    pub from: String,
    pub to: String,
    pub code_commit: String,
    #[serde(flatten)]
    pub hotspots: Hotspots,
    /// Roll-up per component (`[components]`, or top-level directories).
    pub components: Vec<ComponentActivity>,
    /// Changed files that several components claim (the most specific glob wins).
    pub component_overlaps: Vec<Overlap>,
}

/// `friction.toml` of the repository at `path`; the defaults when there is no
/// repository or no file.
pub(crate) fn project_config(path: &std::path::Path) -> Result<Config, UserError> {
    let Ok(repo) = friction_history::open(path) else {
        return Ok(Config::default());
    };
    match repo.config_text() {
        Ok(Some((origin, text))) => Config::parse(&text).map_err(|e| {
            UserError::new(
                format!("{origin} is not valid: {}", e.message().trim()),
                Some("see the `friction.toml` section of the README for the accepted keys"),
            )
        }),
        _ => Ok(Config::default()),
    }
}

/// The component map of a configuration.
pub(crate) fn component_map(config: &Config) -> Result<ComponentMap, UserError> {
    ComponentMap::new(&config.components).map_err(|e| {
        UserError::new(
            format!("friction.toml: {e}"),
            Some("globs follow gitignore syntax: `*`, `**`, `?`, `[abc]`"),
        )
    })
}

/// Loads the window's activity and `HEAD`'s measurements and runs the analysis.
/// `Ok(None)` when the store has no history or no code measurements yet.
pub fn compute(
    store: &Store,
    months: u32,
    mode: WalkMode,
    map: &ComponentMap,
) -> Result<Option<HotspotReport>, String> {
    let Some(last) = store.last_commit_time().map_err(|e| e.to_string())? else {
        return Ok(None);
    };
    let Some(code_commit) = store.meta("code_head").map_err(|e| e.to_string())? else {
        return Ok(None);
    };
    let since = last - i64::from(months) * MONTH;
    let changes: Vec<Change> = store
        .activity(since, mode)
        .map_err(|e| e.to_string())?
        .into_iter()
        .map(|r| Change {
            commit: r.commit,
            author: r.author,
            file_id: r.file_id,
            churn: r.lines_added + r.lines_deleted,
        })
        .collect();
    let mut head = Vec::new();
    for row in store.code_tree(&code_commit).map_err(|e| e.to_string())? {
        if row.excluded.is_some() {
            continue;
        }
        let (health, code_lines) = match crate::code::file_health(&row.blob, &row.language) {
            Some(known) => known,
            None => match store
                .code_metrics(&row.blob, &row.language, ANALYZER_VERSION)
                .map_err(|e| e.to_string())?
                .and_then(|d| FileMetrics::from_bytes(&d))
            {
                Some(m) => (health::assess(&m).score, m.lines.code),
                None => (None, 0),
            },
        };
        let file_id = store.file_id(&row.path).map_err(|e| e.to_string())?;
        head.push(HeadFile {
            path: row.path,
            file_id,
            health,
            code_lines,
        });
    }
    let hotspots = hotspots::hotspots(&changes, &head);
    Ok(Some(HotspotReport {
        months,
        from: date(since),
        to: date(last),
        code_commit,
        components: components::rollup(&hotspots, map),
        component_overlaps: map.overlaps(hotspots.files.iter().map(|f| f.path.as_str())),
        hotspots,
    }))
}

/// Where the store of the repository at `path` is, or `db`; an error that
/// says to scan first when there is none.
fn locate_store(path: PathBuf, db: Option<PathBuf>) -> Result<PathBuf, UserError> {
    let db = match db {
        Some(p) => p,
        None => {
            let repo = friction_history::open(&path).map_err(|e| {
                UserError::new(
                    e.to_string(),
                    Some("give the repository path, or the store with `--db PATH`"),
                )
            })?;
            repo.workdir()
                .unwrap_or_else(|| repo.git_dir())
                .join(".friction")
                .join("friction.db")
        }
    };
    if !db.exists() {
        return Err(UserError::new(
            format!("no store at {}", db.display()),
            Some("run `friction scan` on the repository first"),
        ));
    }
    Ok(db)
}

/// The store of the repository at `path`, or `db`, opened read-only: reading
/// commands never create, migrate or write a store.
pub(crate) fn open_store(
    path: PathBuf,
    db: Option<PathBuf>,
) -> Result<(Store, PathBuf), UserError> {
    let db = locate_store(path, db)?;
    let store = Store::open_reader(&db).map_err(|e| store_open_error(&db, &e))?;
    Ok((store, db))
}

/// The store of the repository at `path`, or `db`, opened for writing (and
/// brought up to date) under its write lock.
pub(crate) fn open_store_to_write(
    path: PathBuf,
    db: Option<PathBuf>,
    quiet: bool,
) -> Result<(Store, PathBuf, crate::lock::StoreLock), UserError> {
    let db = locate_store(path, db)?;
    Store::probe(&db).map_err(|e| store_open_error(&db, &e))?;
    let lock = crate::lock::lock(&db, quiet)?;
    let store = Store::open(&db).map_err(|e| store_open_error(&db, &e))?;
    Ok((store, db, lock))
}

/// Refuses to read `mode`'s view of history from a store whose scans took
/// only the other one (it would read as no changes at all).
pub(crate) fn require_view(store: &Store, db: &Path, mode: WalkMode) -> Result<(), UserError> {
    let views = store
        .scanned_views()
        .map_err(|e| store_open_error(db, &e))?;
    if mode == WalkMode::FirstParent && !views.is_empty() && !views.contains(&mode) {
        return Err(UserError::new(
            format!(
                "the store at {} was scanned without --first-parent: it holds the full history, not the first-parent view",
                db.display()
            ),
            Some(
                "run `friction scan --first-parent` to add that view (stored commits are not mined again), or leave out --first-parent",
            ),
        ));
    }
    Ok(())
}

/// The error of a store that cannot be opened, with what to do about it.
pub(crate) fn store_open_error(db: &Path, e: &friction_store::StoreError) -> UserError {
    use friction_store::StoreError;
    let help = match e {
        StoreError::PermissionDenied { .. } => {
            "ask for access to the file and its directory, or give a copy with `--db PATH`"
        }
        StoreError::Foreign { .. } => {
            "give friction's store with `--db PATH`, or a new file name for a new store"
        }
        StoreError::NotMigrated { .. } => {
            "run `friction scan` once: it upgrades the store and mines only new commits"
        }
        StoreError::TooNew { .. } => "use the friction that wrote this store, or a newer one",
        StoreError::Sqlite(_) => "choose another location with `--db PATH`",
    };
    UserError::new(
        format!("cannot use the store at {}: {e}", db.display()),
        Some(help),
    )
}

pub fn run(args: &HotspotsArgs) -> Result<u8, UserError> {
    if args.months == 0 {
        return Err(UserError::new(
            "--months must be at least 1",
            Some("the window is counted back from the newest stored commit"),
        ));
    }
    let (store, db) = open_store(args.path.clone(), args.db.clone())?;
    let map = component_map(&project_config(&args.path)?)?;
    let mode = if args.first_parent {
        WalkMode::FirstParent
    } else {
        WalkMode::Full
    };
    require_view(&store, &db, mode)?;
    let report = compute(&store, args.months, mode, &map)
        .map_err(|e| UserError::new(format!("reading {}: {e}", db.display()), None))?
        .ok_or_else(|| {
            UserError::new(
                "the store has no history or no code measurements yet",
                Some("run `friction scan` (without `--no-code`) on the repository first"),
            )
        })?;
    let limit = if args.all { usize::MAX } else { args.limit };
    let backtest = store
        .meta("backtest")
        .ok()
        .flatten()
        .and_then(|j| serde_json::from_str::<serde_json::Value>(&j).ok());
    if args.json {
        println!("{}", json(&report, args.all));
    } else if args.csv {
        print!("{}", csv(&report, limit));
    } else {
        print!("{}", text(&report, limit));
        if let Some(b) = backtest {
            print!("{}", backtest_line(&b));
        }
    }
    Ok(0)
}

#[derive(Serialize)]
struct JsonHotspots<'a> {
    schema: &'static str,
    methodology: &'static str,
    /// Whether `files` lists every changed file or only the hotspots.
    complete: bool,
    #[serde(flatten)]
    report: &'a HotspotReport,
}

pub fn json(report: &HotspotReport, all: bool) -> String {
    let mut value = serde_json::to_value(JsonHotspots {
        schema: "friction.hotspots/1",
        methodology: health::METHODOLOGY_VERSION,
        complete: all,
        report,
    })
    .unwrap_or_default();
    if !all && let Some(files) = value.get_mut("files").and_then(|f| f.as_array_mut()) {
        files.retain(|f| f["hotspot"] == true);
    }
    serde_json::to_string_pretty(&value).unwrap_or_default()
}

pub fn csv(report: &HotspotReport, limit: usize) -> String {
    let rows = report.hotspots.files.iter().take(limit).map(|f| {
        [
            f.path.clone(),
            f.revisions.to_string(),
            f.churn.to_string(),
            f.authors.to_string(),
            f.health.map(|h| format!("{h:.2}")).unwrap_or_default(),
            f.health
                .map(|h| Band::of(h).as_str())
                .unwrap_or_default()
                .to_owned(),
            f.code_lines.to_string(),
            format!("{:.1}", f.activity_pct),
            f.hotspot.to_string(),
        ]
    });
    friction_report::csv_text(
        &[
            "path",
            "revisions",
            "churn",
            "authors",
            "health",
            "band",
            "code_lines",
            "activity_pct",
            "hotspot",
        ],
        rows,
    )
}

pub fn text(report: &HotspotReport, limit: usize) -> String {
    let h = &report.hotspots;
    let mut out = format!(
        "friction hotspots · {} months, {} to {} · {} changes to {} files still at HEAD\n",
        report.months, report.from, report.to, h.revisions, h.files_changed
    );
    match h.cutoff_revisions {
        Some(cut) => out.push_str(&format!(
            "  hotspots      {} files ({:.1} % of the code) took {:.1} % of the changes; chosen where the change distribution bends (≥ {cut} changes), listed by size × √changes\n",
            h.hotspot_count, h.hotspot_code_pct, h.hotspot_activity_pct
        )),
        None => out.push_str(
            "  hotspots      none: the change distribution has no bend (too few files changed, or all equally often)\n",
        ),
    }
    let fmt = |x: Option<f64>| x.map_or("not measured".to_owned(), |v| format!("{v:.1}"));
    out.push_str(&format!(
        "  health        hotspots {} (lines-weighted), all code {}; {:.1} % of changes land in unhealthy code (< 9), {:.1} % in alert code (< 4)\n",
        fmt(h.hotspot_health),
        fmt(h.average_health),
        h.unhealthy_activity_pct,
        h.alert_activity_pct
    ));
    if !report.component_overlaps.is_empty() {
        let o = &report.component_overlaps[0];
        out.push_str(&format!(
            "  note          {} changed files match several components; the most specific glob wins (e.g. {}: {} → {})\n",
            report.component_overlaps.len(),
            clean(&o.path),
            o.components.join(", "),
            o.chosen
        ));
    }
    if report.components.len() > 1 {
        out.push_str(&format!(
            "\n  {:<24}  {:>7}  {:>6}  {:>8}  {:>14}  {:>14}\n",
            "component", "changes", "share", "hotspots", "hotspot health", "changed health"
        ));
        for c in report.components.iter().take(12) {
            let f = |x: Option<f64>| x.map_or("–".to_owned(), |v| format!("{v:.1}"));
            out.push_str(&format!(
                "  {:<24}  {:>7}  {:>5.1}%  {:>8}  {:>14}  {:>14}\n",
                clean(&c.component),
                c.revisions,
                c.activity_pct,
                c.hotspots,
                f(c.hotspot_health),
                f(c.changed_health)
            ));
        }
    }
    let shown: Vec<_> = h.files.iter().take(limit.min(h.files.len())).collect();
    if !shown.is_empty() {
        out.push_str(&format!(
            "\n  {:>4}  {:>7}  {:>7}  {:>7}  {:>6}  {:<7}  {:>6}  file\n",
            "rank", "changes", "churn", "authors", "health", "band", "code"
        ));
        for (i, f) in shown.iter().enumerate() {
            out.push_str(&format!(
                "  {:>4}  {:>7}  {:>7}  {:>7}  {:>6}  {:<7}  {:>6}  {}{}\n",
                i + 1,
                f.revisions,
                f.churn,
                f.authors,
                f.health
                    .map(|v| format!("{v:.1}"))
                    .unwrap_or_else(|| "–".into()),
                f.health.map(|v| Band::of(v).as_str()).unwrap_or(""),
                f.code_lines,
                clean(&f.path),
                if f.hotspot { "  ◆ hotspot" } else { "" }
            ));
        }
    }
    out
}

/// One line from the latest `friction backtest`, so readers see how far to
/// trust the ranking on this repository.
fn backtest_line(b: &serde_json::Value) -> String {
    let find = |name: &str| {
        b["rankings"]
            .as_array()
            .and_then(|r| {
                r.iter()
                    .find(|k| k["name"].as_str().is_some_and(|n| n.starts_with(name)))
            })
            .and_then(|k| k["auc"].as_f64())
    };
    match (find("friction"), find("lines")) {
        (Some(f), Some(l)) => format!(
            "\n  backtest      ranked at {}, scored on the fixes of the {} months after: ROC AUC {f:.2} for friction's score (size × √changes), {l:.2} for size alone (`friction backtest`)\n",
            b["cut"].as_str().unwrap_or("?"),
            b["horizon_months"]
        ),
        _ => String::new(),
    }
}
