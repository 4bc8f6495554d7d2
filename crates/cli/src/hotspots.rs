//! `friction hotspots`: change frequency in a window joined with the code
//! health measured at `HEAD`, from the store a scan filled.

use friction_app::backtest::BacktestHeadline;
use friction_app::backtest::OWN_HISTORY_FIX_COMMITS;
use friction_app::hotspots::{HotspotReport, HotspotsRequest, Rank};
use friction_app::{Error, Project, Session};
use friction_code::health::{self, Band};
use serde::Serialize;

use crate::HotspotsArgs;
use crate::render::clean;

pub fn run(args: &HotspotsArgs) -> Result<u8, Error> {
    let request = HotspotsRequest {
        months: args.months,
        mode: crate::walk_mode(args.first_parent),
        rank: match args.rank.as_str() {
            "density" => Rank::Density,
            "risk" => Rank::Risk,
            _ => Rank::Score,
        },
        forecast: args.forecast,
    };
    request.check()?;
    let session = Session::open(Project::locate(args.path.clone(), args.db.clone())?)?;
    let report = session.hotspots(&request)?;
    let limit = if args.all { usize::MAX } else { args.limit };
    if args.json {
        println!("{}", json(&report, args.all));
    } else if args.csv {
        print!("{}", csv(&report, limit));
    } else {
        print!("{}", text(&report, limit));
        if let Some(b) = BacktestHeadline::latest(session.store()) {
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
    let only;
    let report = if all {
        report
    } else {
        only = report.hotspots_only();
        &only
    };
    crate::render::sorted_json(&JsonHotspots {
        schema: "friction.hotspots/1",
        methodology: health::METHODOLOGY_VERSION,
        complete: all,
        report,
    })
}

/// Whether ingested test or coverage reports say anything of the files:
/// only then do the listings carry their columns.
fn testing(report: &HotspotReport) -> bool {
    report
        .hotspots
        .files
        .iter()
        .chain(&report.hotspots.test_code.files)
        .any(|f| f.coverage_pct.is_some() || f.flaky_tests.is_some())
}

/// `coverage 25 %, 1 flaky test · low coverage, flaky tests`, or empty.
fn test_cell(f: &friction_analysis::hotspots::FileActivity) -> String {
    let mut parts = Vec::new();
    if let Some(c) = f.coverage_pct {
        parts.push(format!("coverage {c:.0} %"));
    }
    if let Some(n) = f.flaky_tests {
        parts.push(format!("{n} flaky test{}", if n == 1 { "" } else { "s" }));
    }
    let marks = friction_signals::test_marks(f.coverage_pct, f.flaky_tests);
    if marks.is_empty() {
        parts.join(", ")
    } else {
        format!("{} · {}", parts.join(", "), marks.join(", "))
    }
}

/// Whether the defect model's forecast was asked for and measured: only
/// then do the listings carry its columns.
fn measured(report: &HotspotReport) -> bool {
    report.forecast.as_ref().is_some_and(|f| f.measured)
}

/// The forecast's header line(s), or nothing when not asked for.
fn forecast_lines(out: &mut String, report: &HotspotReport) {
    let Some(p) = &report.forecast else {
        return;
    };
    if !p.measured {
        out.push_str(&format!(
            "  forecast      not measured: no defect-fix commit touched the product code in the {} months before {} to train the defect model on\n",
            3 * p.horizon_months,
            p.cut
        ));
        return;
    }
    out.push_str(&format!(
        "  forecast      defect model at {} for the next {} months (fixes/12m: expected defect fixes; /kLOC: per 1,000 code lines, min 50 lines; risk: chance of a fix), trained on {} defect-fix commits from {} on\n",
        p.cut, p.horizon_months, p.training_fix_commits, p.training_cut
    ));
    if p.mostly_prior {
        out.push_str(&format!(
            "  note          fewer than {OWN_HISTORY_FIX_COMMITS} training fix commits: the forecast rests mostly on the pooled prior of public repositories, not on this repository's own history\n"
        ));
    }
    if report.rank != Rank::Score {
        out.push_str(&format!(
            "  order         by the defect model's {}; the default order (`--rank score`) is friction's score, which the back-test evidence keeps (BENCHMARKS.md, \"Pre-registered test\")\n",
            if report.rank == Rank::Density { "density (/kLOC)" } else { "risk" }
        ));
    }
}

/// Whether SARIF findings name any file of the listing.
fn security(report: &HotspotReport) -> bool {
    report
        .hotspots
        .files
        .iter()
        .any(|f| f.security_findings.is_some())
}

pub fn csv(report: &HotspotReport, limit: usize) -> String {
    let testing = testing(report);
    let security = security(report);
    let forecast = measured(report);
    let h = &report.hotspots;
    let rows = h
        .files
        .iter()
        .take(limit)
        .chain(h.test_code.files.iter().take(limit))
        .map(|f| {
            let mut row = vec![
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
                f.kind.clone(),
            ];
            if testing {
                row.extend([
                    f.coverage_pct.map(|c| c.to_string()).unwrap_or_default(),
                    f.flaky_tests.map(|n| n.to_string()).unwrap_or_default(),
                    friction_signals::test_marks(f.coverage_pct, f.flaky_tests).join(", "),
                ]);
            }
            if forecast {
                let p = f.forecast;
                row.extend([
                    p.map(|p| p.expected_fixes.to_string()).unwrap_or_default(),
                    p.map(|p| p.density_per_kloc.to_string())
                        .unwrap_or_default(),
                    p.map(|p| p.risk.to_string()).unwrap_or_default(),
                ]);
            }
            if security {
                row.extend([
                    f.security_findings
                        .map(|n| n.to_string())
                        .unwrap_or_default(),
                    f.security_debt.map(|d| d.to_string()).unwrap_or_default(),
                ]);
            }
            row
        });
    let mut columns = vec![
        "path",
        "revisions",
        "churn",
        "authors",
        "health",
        "band",
        "code_lines",
        "activity_pct",
        "hotspot",
        "kind",
    ];
    if testing {
        columns.extend(["coverage_pct", "flaky_tests", "test_risk"]);
    }
    if forecast {
        columns.extend(["expected_fixes", "density_per_kloc", "risk"]);
    }
    if security {
        columns.extend(["security_findings", "security_debt"]);
    }
    friction_report::csv_text(&columns, rows)
}

pub fn text(report: &HotspotReport, limit: usize) -> String {
    let h = &report.hotspots;
    let t = &h.test_code;
    let mut out = format!(
        "friction hotspots · {} months, {} to {} · {} changes to {} product files still at HEAD\n",
        report.months, report.from, report.to, h.revisions, h.files_changed
    );
    match h.cutoff_revisions {
        Some(cut) => out.push_str(&format!(
            "  hotspots      {} unhealthy files ({:.1} % of the product code) took {:.1} % of its changes; chosen where the change distribution bends (≥ {cut} changes), listed by {}\n",
            h.hotspot_count, h.hotspot_code_pct, h.hotspot_activity_pct,
            match report.rank {
                Rank::Score => "size × √changes",
                Rank::Density => "the defect model's density",
                Rank::Risk => "the defect model's risk",
            }
        )),
        None => out.push_str(
            "  hotspots      none: the product code's change distribution has no bend (too few files changed, or all equally often), or the files above it are healthy\n",
        ),
    }
    if t.files_changed > 0 {
        out.push_str(&format!(
            "  test code     {} changes to {} test and other non-product files ({:.1} % of all changes, {:.1} % of the code), listed apart below\n",
            t.revisions, t.files_changed, t.activity_pct, t.code_pct
        ));
    }
    let fmt = |x: Option<f64>| x.map_or("not measured".to_owned(), |v| format!("{v:.1}"));
    out.push_str(&format!(
        "  health        hotspots {} (lines-weighted), all code {}; {:.1} % of changes land in unhealthy code (< {}), {:.1} % in alert code (< {})\n",
        fmt(h.hotspot_health),
        fmt(h.average_health),
        h.unhealthy_activity_pct,
        health::HEALTHY_FROM,
        h.alert_activity_pct,
        health::WARNING_FROM
    ));
    forecast_lines(&mut out, report);
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
    risk_rows(&mut out, report);
    file_rows(
        &mut out,
        report,
        &h.files,
        limit,
        "product code",
        measured(report),
    );
    file_rows(
        &mut out,
        report,
        &t.files,
        limit,
        "test and other non-product code (never a hotspot)",
        false,
    );
    out
}

/// A part of the risk concentration: its 0–1 figure or "not measured".
fn part(x: Option<f64>) -> String {
    x.map_or("not measured".to_owned(), |v| format!("{v:.2}"))
}

/// The risk concentration per component (`friction_analysis::risk`).
fn risk_rows(out: &mut String, report: &HotspotReport) {
    if report.risk.is_empty() {
        return;
    }
    out.push_str(&format!(
        "\n  risk concentration per component (0–1; combined = mean of the measured parts)\n  {:<24}  {:>12}  {:>12}  {:>12}  {:>12}  {:>12}\n",
        "component", "reliability", "security", "knowledge", "ownership", "combined"
    ));
    for c in &report.risk {
        out.push_str(&format!(
            "  {:<24}  {:>12}  {:>12}  {:>12}  {:>12}  {:>12}\n",
            clean(&c.component),
            part(c.reliability),
            part(c.security),
            part(c.knowledge),
            part(c.ownership),
            part(c.combined)
        ));
    }
    out.push_str("  reliability: share of the window's defect-fix commits touching the component; security: its share of the weight of security findings and vulnerable dependencies; knowledge: share of its code known by one author or no active author; ownership: share of its code without an active CODEOWNERS owner\n");
    for note in &report.risk_notes {
        out.push_str(&format!("  note: {}\n", clean(note)));
    }
}

/// One listing of files under its title.
fn file_rows(
    out: &mut String,
    report: &HotspotReport,
    files: &[friction_analysis::hotspots::FileActivity],
    limit: usize,
    title: &str,
    forecast: bool,
) {
    let shown: Vec<_> = files.iter().take(limit.min(files.len())).collect();
    if !shown.is_empty() {
        let model = if forecast {
            format!("{:>9}  {:>6}  {:>5}  ", "fixes/12m", "/kLOC", "risk")
        } else {
            String::new()
        };
        out.push_str(&format!(
            "\n  {title}\n  {:>4}  {:>7}  {:>7}  {:>7}  {:>6}  {:<7}  {:>6}  {model}file\n",
            "rank", "changes", "churn", "authors", "health", "band", "code"
        ));
        for (i, f) in shown.iter().enumerate() {
            let model = match (forecast, f.forecast) {
                (false, _) => String::new(),
                (true, Some(p)) => format!(
                    "{:>9.2}  {:>6.2}  {:>5.2}  ",
                    p.expected_fixes, p.density_per_kloc, p.risk
                ),
                (true, None) => format!("{:>9}  {:>6}  {:>5}  ", "–", "–", "–"),
            };
            out.push_str(&format!(
                "  {:>4}  {:>7}  {:>7}  {:>7}  {:>6}  {:<7}  {:>6}  {model}{}{}\n",
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
            if testing(report) && (f.coverage_pct.is_some() || f.flaky_tests.is_some()) {
                out.push_str(&format!("{:>60}{}\n", "", test_cell(f)));
            }
            if let (Some(n), Some(debt)) = (f.security_findings, f.security_debt) {
                out.push_str(&format!(
                    "{:>60}{n} security finding{} · security debt {debt:.2}\n",
                    "",
                    if n == 1 { "" } else { "s" }
                ));
            }
        }
    }
}

/// One line from the latest `friction backtest`, so readers see how far to
/// trust the ranking on this repository.
fn backtest_line(b: &BacktestHeadline) -> String {
    match (b.auc("friction"), b.auc("lines")) {
        (Some(f), Some(l)) => format!(
            "\n  backtest      ranked at {}, scored on the fixes of the {} months after: ROC AUC {f:.2} for friction's score (size × √changes), {l:.2} for size alone (`friction backtest`)\n",
            b.cut, b.horizon_months
        ),
        _ => String::new(),
    }
}
