//! Rendering of the scan summary: a concise text block for people, JSON for machines.
//!
//! The JSON is deterministic: the same store content gives byte-identical output
//! (keys in a fixed order, no timings; timings go to stderr).

use friction_app::calendar::date;
use friction_store::{HistorySummary, WalkMode};
use serde::Serialize;

/// Everything `friction scan` reports.
#[derive(Debug, Serialize)]
pub struct ScanReport {
    /// Work tree (or git directory of a bare repository).
    pub repository: String,
    /// Database file.
    pub store: String,
    /// Walk mode.
    #[serde(serialize_with = "mode_name")]
    pub mode: WalkMode,
    /// Refs the walk started from.
    pub refs: Vec<String>,
    /// Whether renames were paired.
    pub renames: bool,
    /// Rename candidate limit in force.
    pub rename_limit: usize,
    /// Commits mined and stored by this scan.
    pub new_commits: u64,
    /// True for a shallow clone.
    pub shallow: bool,
    /// `complete`, `interrupted` or `partial`.
    pub status: String,
    /// Commits that could not be read, with the object that failed.
    pub unreadable_commits: Vec<String>,
    /// Totals over the stored history.
    #[serde(flatten)]
    pub summary: HistorySummary,
    /// Code health of HEAD (absent with `--no-code` or an interrupted scan).
    pub code: Option<friction_app::code::HeadCode>,
    /// Hotspots of the last 12 months (absent without code measurements).
    pub hotspots: Option<friction_app::hotspots::HotspotSummary>,
    /// The index, drivers, cost and first roadmap steps (absent when interrupted).
    pub assessment: Option<AssessmentSummary>,
    /// The text block of the assessment (not serialised).
    #[serde(skip)]
    pub assessment_text: Option<String>,
    /// The snapshot recorded for this state (an existing one when nothing changed).
    pub snapshot: Option<friction_app::snapshot::Recorded>,
    /// The HTML report written after the scan (absent with `--no-report`).
    pub report: Option<String>,
}

/// The assessment figures the scan summary carries; `friction assess --json`
/// has everything.
#[derive(Debug, Serialize)]
pub struct AssessmentSummary {
    pub methodology: String,
    pub index: Option<f64>,
    pub band: Option<String>,
    pub ci: Option<[f64; 2]>,
    pub coverage: f64,
    /// Family → score (`null`: not measured).
    pub drivers: std::collections::BTreeMap<String, Option<f64>>,
    pub friction_cost_hours: friction_assess::Range,
    pub friction_cost_money: Option<friction_assess::Range>,
    pub currency: String,
    /// The first roadmap steps: (title, projected index).
    pub first_steps: Vec<(String, Option<f64>)>,
}

impl From<&friction_assess::Assessment> for AssessmentSummary {
    fn from(a: &friction_assess::Assessment) -> Self {
        AssessmentSummary {
            methodology: a.methodology.clone(),
            index: a.index.score,
            band: a.index.band.clone(),
            ci: a.index.ci,
            coverage: a.index.coverage,
            drivers: a
                .index
                .drivers
                .iter()
                .map(|d| (d.family.as_str().to_owned(), d.score))
                .collect(),
            friction_cost_hours: a.cost.total.hours,
            friction_cost_money: a.cost.total.money,
            currency: a.cost.currency.clone(),
            first_steps: a
                .roadmap
                .steps
                .iter()
                .take(3)
                .map(|s| (s.title.clone(), s.projected_index))
                .collect(),
        }
    }
}

fn mode_name<S: serde::Serializer>(mode: &WalkMode, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(mode.as_str())
}

#[derive(Serialize)]
struct JsonReport<'a> {
    schema: &'static str,
    commits: u64,
    authors: u64,
    files: u64,
    lines_added: u64,
    lines_deleted: u64,
    #[serde(flatten)]
    report: &'a ScanReport,
    first_commit_date: Option<String>,
    last_commit_date: Option<String>,
}

/// The JSON summary. Top-level `commits`, `authors`, `files`, `lines_added` and
/// `lines_deleted` are totals over every stored change, excluded ones included;
/// `excluded` carries the excluded share separately.
pub fn json(report: &ScanReport) -> String {
    let s = &report.summary;
    let value = JsonReport {
        schema: "friction.scan/1",
        commits: s.commits,
        authors: s.authors,
        files: s.files,
        lines_added: s.lines_added,
        lines_deleted: s.lines_deleted,
        report,
        first_commit_date: s.first_commit_time.map(date),
        last_commit_date: s.last_commit_time.map(date),
    };
    sorted_json(&value)
}

/// Pretty JSON with every object's keys sorted: serde_json keeps struct field
/// order, and flattening merges a report's keys; round-tripping through
/// `Value` sorts them (BTreeMap), so the output is stable.
pub fn sorted_json<T: Serialize + ?Sized>(value: &T) -> String {
    let sorted: serde_json::Value = serde_json::to_value(value).unwrap_or_default();
    serde_json::to_string_pretty(&sorted).unwrap_or_default()
}

/// Thousands separators, so six-digit counts stay readable.
fn n(v: u64) -> String {
    friction_report::thousands(v as f64)
}

/// The human summary.
pub fn text(report: &ScanReport) -> String {
    let s = &report.summary;
    let mut out = String::new();
    let view = match report.mode {
        WalkMode::Full => "full history",
        WalkMode::FirstParent => "first-parent history, merges diffed against their first parent",
    };
    out.push_str(&format!(
        "friction scan · {} ({}; {})\n",
        report.repository,
        report.refs.join(", "),
        view
    ));
    out.push_str(&format!(
        "  commits     {} ({} merges) · {} new in this scan\n",
        n(s.commits),
        n(s.merges),
        n(report.new_commits)
    ));
    out.push_str(&format!(
        "  authors     {}{}\n",
        n(s.authors),
        if s.bot_authors > 0 {
            format!(" (of which {} bots)", n(s.bot_authors))
        } else {
            String::new()
        }
    ));
    out.push_str(&format!(
        "  files       {} distinct (renames followed: {})\n",
        n(s.files),
        if report.renames { "yes" } else { "no" }
    ));
    out.push_str(&format!(
        "  lines       +{} / -{} over {} file changes ({} binary)\n",
        n(s.lines_added),
        n(s.lines_deleted),
        n(s.changes),
        n(s.binary_changes)
    ));
    if s.excluded.changes > 0 {
        let reasons: Vec<String> = s
            .excluded
            .by_reason
            .iter()
            .map(|(r, c)| format!("{r} {}", n(*c)))
            .collect();
        out.push_str(&format!(
            "  excluded    {} changes (+{} / -{}): {}\n",
            n(s.excluded.changes),
            n(s.excluded.lines_added),
            n(s.excluded.lines_deleted),
            reasons.join(", ")
        ));
    } else {
        out.push_str("  excluded    none\n");
    }
    if let (Some(a), Some(b)) = (s.first_commit_time, s.last_commit_time) {
        out.push_str(&format!("  time span   {} → {}\n", date(a), date(b)));
    }
    if report.shallow {
        out.push_str(&format!(
            "  history     TRUNCATED: shallow clone, nothing before {} boundary commit(s) is visible; `git fetch --unshallow` for the full history\n",
            n(s.shallow_boundaries)
        ));
    }
    if s.rename_limit_commits > 0 {
        out.push_str(&format!(
            "  renames     detection skipped on {} commit(s) over the limit of {} candidates; raise it with `--rename-limit` or `history.rename_limit`\n",
            n(s.rename_limit_commits),
            report.rename_limit
        ));
    }
    if report.status != "complete" {
        out.push_str(&format!("  status      {}\n", report.status));
    }
    if let Some(code) = &report.code {
        let c = &code.summary;
        match c.average_health {
            Some(h) => out.push_str(&format!(
                "  code health {:.1} / 10 average over {} source files at HEAD ({} alert, {} warning); {} parsed, {} reused\n",
                h,
                n(c.measured),
                n(c.alert_files),
                n(c.warning_files),
                n(c.parsed),
                n(c.reused)
            )),
            None => out.push_str("  code health not measured: no source files at HEAD\n"),
        }
        if !code.least_healthy.is_empty() {
            let worst: Vec<String> = code
                .least_healthy
                .iter()
                .take(3)
                .map(|(p, h)| format!("{} ({h:.1})", crate::render::clean(p)))
                .collect();
            out.push_str(&format!("  unhealthiest {}\n", worst.join(", ")));
        }
    }
    if let Some(h) = &report.hotspots {
        if h.top.is_empty() {
            out.push_str(&format!(
                "  hotspots    none in the last {} months (no bend in the product code's change distribution, or the files above it are healthy)\n",
                h.months
            ));
        } else {
            let top: Vec<String> = h
                .top
                .iter()
                .map(|(p, n, health)| match health {
                    Some(v) => format!("{} ({n} changes, health {v:.1})", crate::render::clean(p)),
                    None => format!("{} ({n} changes)", crate::render::clean(p)),
                })
                .collect();
            out.push_str(&format!(
                "  hotspots    {} files ({:.1} % of product code) took {:.1} % of its {}-month changes: {}\n",
                h.hotspot_count,
                h.hotspot_code_pct,
                h.hotspot_activity_pct,
                h.months,
                top.join(", ")
            ));
        }
        if h.test_activity_pct > 0.0 {
            out.push_str(&format!(
                "  test code   {:.1} % of the changes went to test and other non-product code (listed apart: `friction hotspots`)\n",
                h.test_activity_pct
            ));
        }
    }
    out.push_str(&format!("  store       {}\n", report.store));
    if let Some(rec) = &report.snapshot {
        out.push_str(&format!(
            "  snapshot    #{}{}\n",
            rec.id,
            if rec.new {
                ""
            } else {
                " (unchanged since the last scan)"
            }
        ));
    }
    if let Some(p) = &report.report {
        out.push_str(&format!("  report      {p}\n"));
    }
    if let Some(t) = &report.assessment_text {
        out.push('\n');
        out.push_str(t);
    }
    out
}

/// A value with its unit, the unit in the singular for exactly one
/// (`1 author`, `2 authors`; `%` and other symbols as they are).
pub fn quantity(value: f64, unit: &str) -> String {
    let singular = (value == 1.0 && unit.len() > 1 && unit.bytes().all(|b| b.is_ascii_lowercase()))
        .then(|| unit.strip_suffix('s'))
        .flatten();
    format!("{value} {}", singular.unwrap_or(unit))
}

/// Repository-controlled text for a terminal: hidden characters (terminal
/// escapes, bidi overrides, zero-width characters, line breaks) made visible
/// as `<U+XXXX>`, as in every report.
pub fn clean(s: &str) -> String {
    friction_report::escape::terminal(s)
}

/// `▁▂▃▄▅▆▇█` for a series; gaps for missing points.
pub fn sparkline(values: &[Option<f64>]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let present: Vec<f64> = values.iter().flatten().copied().collect();
    let (Some(lo), Some(hi)) = (
        present.iter().copied().reduce(f64::min),
        present.iter().copied().reduce(f64::max),
    ) else {
        return " ".repeat(values.len());
    };
    values
        .iter()
        .map(|v| match v {
            None => ' ',
            Some(_) if hi - lo < 1e-9 => BARS[3],
            Some(v) => BARS[(((v - lo) / (hi - lo)) * 7.0).round() as usize],
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_separated() {
        assert_eq!(n(0), "0");
        assert_eq!(n(999), "999");
        assert_eq!(n(1_000), "1,000");
        assert_eq!(n(1_234_567), "1,234,567");
    }

    #[test]
    fn sparklines_scale_between_the_extremes() {
        assert_eq!(
            sparkline(&[Some(0.0), Some(50.0), None, Some(100.0)]),
            "▁▅ █"
        );
        assert_eq!(sparkline(&[Some(3.0), Some(3.0)]), "▄▄");
        assert_eq!(sparkline(&[None, None]), "  ");
    }
}
