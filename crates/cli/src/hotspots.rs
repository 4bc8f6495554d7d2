//! `friction hotspots`: change frequency in a window joined with the code
//! health measured at `HEAD`, from the store a scan filled.

use friction_analysis::components::{self, ComponentActivity, ComponentMap, Overlap};
use friction_analysis::hotspots::{self, Change, HeadFile, Hotspots};
use friction_code::health::{self, Band};
use friction_store::{Store, WalkMode};
use serde::Serialize;

use crate::HotspotsArgs;
use crate::render::clean;
use friction_app::Error;
use friction_app::HealthCache;
use friction_app::calendar::MONTH;
use friction_app::calendar::date;
use friction_app::project::{component_map, open_store, project_config, require_view};

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

/// Loads the window's activity and `HEAD`'s measurements and runs the analysis.
/// `Ok(None)` when the store has no history or no code measurements yet.
pub fn compute(
    store: &Store,
    cache: &HealthCache,
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
    for (row, data) in store
        .measured_tree(&code_commit, friction_code::ANALYZER_VERSION)
        .map_err(|e| e.to_string())?
    {
        if row.excluded.is_some() {
            continue;
        }
        let (health, code_lines) = cache.health_of(&row.blob, &row.language, data.as_deref());
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

pub fn run(args: &HotspotsArgs) -> Result<u8, Error> {
    if args.months == 0 {
        return Err(Error::input(
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
    let report = compute(&store, &HealthCache::default(), args.months, mode, &map)
        .map_err(|e| Error::input(format!("reading {}: {e}", db.display()), None))?
        .ok_or_else(|| {
            Error::input(
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
