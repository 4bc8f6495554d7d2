//! Rendering of the scan summary: a concise text block for people, JSON for machines.
//!
//! The JSON is deterministic: the same store content gives byte-identical output
//! (keys in a fixed order, no timings; timings go to stderr).

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
    pub code: Option<crate::code::HeadCode>,
    /// Hotspots of the last 12 months (absent without code measurements).
    pub hotspots: Option<crate::scan::HotspotSummary>,
    /// The index, drivers, cost and first roadmap steps (absent when interrupted).
    pub assessment: Option<AssessmentSummary>,
    /// The text block of the assessment (not serialised).
    #[serde(skip)]
    pub assessment_text: Option<String>,
    /// The snapshot recorded for this state (an existing one when nothing changed).
    pub snapshot: Option<crate::snapshot::Recorded>,
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
    // serde_json keeps struct field order, and flattening merges the report's keys;
    // round-tripping through `Value` sorts them (BTreeMap), so the output is stable.
    let sorted: serde_json::Value = serde_json::to_value(&value).unwrap_or_default();
    serde_json::to_string_pretty(&sorted).unwrap_or_default()
}

/// Thousands separators, so six-digit counts stay readable.
fn n(v: u64) -> String {
    let digits = v.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A calendar date (UTC) from epoch seconds, via Howard Hinnant's `civil_from_days`;
/// a date library would be a dependency for one line of output.
pub fn date(epoch: i64) -> String {
    let z = epoch.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
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
                .map(|(p, h)| format!("{} ({h:.1})", crate::code::clean(p)))
                .collect();
            out.push_str(&format!("  unhealthiest {}\n", worst.join(", ")));
        }
    }
    if let Some(h) = &report.hotspots {
        if h.top.is_empty() {
            out.push_str(&format!(
                "  hotspots    none in the last {} months (no bend in the change distribution)\n",
                h.months
            ));
        } else {
            let top: Vec<String> = h
                .top
                .iter()
                .map(|(p, n, health)| match health {
                    Some(v) => format!("{} ({n} changes, health {v:.1})", crate::code::clean(p)),
                    None => format!("{} ({n} changes)", crate::code::clean(p)),
                })
                .collect();
            out.push_str(&format!(
                "  hotspots    {} files ({:.1} % of code) took {:.1} % of {}-month changes: {}\n",
                h.hotspot_count,
                h.hotspot_code_pct,
                h.hotspot_activity_pct,
                h.months,
                top.join(", ")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_civil_utc() {
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(date(1_112_911_993), "2005-04-07");
        assert_eq!(date(951_782_400), "2000-02-29");
        assert_eq!(date(-86_400), "1969-12-31");
    }

    #[test]
    fn thousands_are_separated() {
        assert_eq!(n(0), "0");
        assert_eq!(n(999), "999");
        assert_eq!(n(1_000), "1,000");
        assert_eq!(n(1_234_567), "1,234,567");
    }
}
