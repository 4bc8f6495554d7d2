//! Reports of one assessment snapshot: a self-contained HTML page, a
//! Markdown summary and CSV tables.
//!
//! The input is the stored assessment, typed
//! ([`friction_assess::AssessmentDocument`], `friction.assessment/1`), with
//! the snapshot's manifest and the trend. No IO, no clock: the caller passes the
//! generation time, the only part of a report that differs between two
//! renderings of the same snapshot.

mod ai;
pub mod escape;
mod execution;
mod html;
mod markdown;
mod metrics;
mod pdf;
mod sarif;
mod summary;
pub mod svg;
mod tables;

use std::collections::BTreeMap;

use friction_assess::cost::FileCost;
use friction_assess::{Assessment, AssessmentDocument, Range};
use serde_json::Value;

pub use html::html;
pub use markdown::markdown;
pub use pdf::pdf;
pub use sarif::{CodeFinding, Rule, SCHEMA_URI, sarif};
pub use summary::{Summary, summary};
pub use tables::{Table, csv_files, csv_text, tables};

/// Where the assessment came from.
#[derive(Debug, Clone)]
pub struct Meta {
    /// Display name of the repository.
    pub repository: String,
    pub snapshot: i64,
    /// scan, backfill, rescore, baseline.
    pub kind: String,
    pub commit: String,
    /// Window end (YYYY-MM-DD).
    pub as_of: String,
    pub methodology: String,
    pub tool_version: String,
    /// SHA-256 of the manifest.
    pub digest: String,
    /// The snapshot's input manifest.
    pub manifest: Value,
    /// When the report was rendered (the only non-deterministic part).
    pub generated_at: String,
}

/// One snapshot of the trend.
#[derive(Debug, Clone)]
pub struct TrendPoint {
    pub snapshot: i64,
    pub as_of: String,
    pub index: Option<f64>,
    pub ci: Option<[f64; 2]>,
    pub coverage: f64,
    pub drivers: BTreeMap<String, Option<f64>>,
    /// The share of changed lines that is AI-assisted, when measured.
    pub ai_share: Option<f64>,
    /// What the scan behind the snapshot could not read; `None` when it read
    /// everything.
    pub partial: Option<String>,
}

/// Everything a report shows.
#[derive(Debug, Clone)]
pub struct Report {
    pub meta: Meta,
    /// The stored assessment, typed: a field the types do not know fails
    /// when the snapshot is read, never renders as "–".
    pub assessment: AssessmentDocument,
    /// Oldest first; includes this snapshot.
    pub trend: Vec<TrendPoint>,
}

/// `low–high unit` of a range, thousands separated.
pub(crate) fn range_of(r: &Range, unit: &str) -> String {
    if (r.low - r.high).abs() < 0.5 {
        format!("{} {unit}", thousands(r.low))
    } else {
        format!("{}–{} {unit}", thousands(r.low), thousands(r.high))
    }
}

/// A range of small numbers with one decimal.
pub(crate) fn range1_of(r: &Range, unit: &str) -> String {
    format!("{:.1}–{:.1} {unit}", r.low, r.high)
}

/// A file's incidents for the hotspot tables: `2 · repeat incidents:
/// pagerduty#6, csv#INC-1`, `1: csv#INC-1`, or empty.
pub(crate) fn incident_cell(incidents: &[String]) -> String {
    match incidents.len() {
        0 => String::new(),
        1 => format!("1: {}", incidents[0]),
        n => format!("{n} · repeat incidents: {}", incidents.join(", ")),
    }
}

/// The changed product files, costliest first: cost a year (high end), then
/// path. Test code is listed apart ([`test_code`]).
pub(crate) fn costliest(a: &Assessment) -> Vec<&FileCost> {
    by_cost(a, true)
}

/// The changed test and other non-product files, costliest first.
pub(crate) fn test_code(a: &Assessment) -> Vec<&FileCost> {
    by_cost(a, false)
}

/// Test code's own share of the effort, in one sentence.
pub(crate) fn test_code_sentence(t: &friction_assess::cost::TestCodeShare) -> String {
    format!(
        "Test and other non-product code (tests, examples, benchmarks, build, documentation) is never ranked as a \
         hotspot or a refactoring target: {} file{} took {:.1} % of the window's changes and {:.1} % of the \
         estimated cost ({}).",
        t.files,
        if t.files == 1 { "" } else { "s" },
        t.revisions_pct,
        t.cost_pct,
        range_of(&t.hours, "hours a year")
    )
}

/// How the roadmap is ordered and what it does for the weakest driver.
pub(crate) fn roadmap_rule(rm: &friction_assess::Roadmap) -> String {
    let mut t = String::new();
    if !rm.order.is_empty() {
        let mut c = rm.order.chars();
        if let Some(f) = c.next() {
            t = f.to_uppercase().collect::<String>() + c.as_str() + ".";
        }
    }
    if let Some(w) = &rm.weakest_driver {
        let title = w.family.title();
        let s = match (&w.note, w.steps.as_slice()) {
            (Some(note), _) => format!(" The weakest driver, {title} ({:.1}): {note}.", w.score),
            (None, [one]) => format!(
                " The weakest driver, {title} ({:.1}), is raised by step {one}.",
                w.score
            ),
            (None, many) => format!(
                " The weakest driver, {title} ({:.1}), is raised by steps {}.",
                w.score,
                many.iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        t.push_str(&s);
    }
    t.trim_start().to_owned()
}

fn by_cost(a: &Assessment, product: bool) -> Vec<&FileCost> {
    let mut files: Vec<&FileCost> = a
        .cost
        .files
        .iter()
        .filter(|f| f.is_product() == product)
        .collect();
    files.sort_by(|x, y| {
        y.total_hours()
            .high
            .total_cmp(&x.total_hours().high)
            .then_with(|| x.path.cmp(&y.path))
    });
    files
}

/// `12.3` or `–`.
pub(crate) fn fmt1(x: Option<f64>) -> String {
    x.map_or_else(|| "–".to_owned(), |v| format!("{v:.1}"))
}

/// Thousands separators (`1,234,567`), for every output.
/// What a score means under the snapshot's methodology: under the current
/// one, the calibrated signals compare with the reference population; an
/// older snapshot's scores are read by its own methodology's document.
pub fn calibration_note(methodology: &str) -> String {
    if methodology != friction_signals::METHODOLOGY_VERSION {
        return format!(
            "Scores follow methodology {methodology}; friction rescore re-scores the snapshot \
             under {}.",
            friction_signals::METHODOLOGY_VERSION
        );
    }
    let calibrated: Vec<&str> = friction_signals::REGISTRY
        .iter()
        .filter(|s| {
            friction_signals::calibration::calibration(**s)
                .curve
                .is_some()
        })
        .map(|s| s.id())
        .collect();
    format!(
        "The scores of {} signals ({}) compare the value with a reference population of {} public \
         repositories: a score of 80 is better than 80 % of them, 50 is their median. The others \
         use the researched thresholds of their sources.",
        calibrated.len(),
        calibrated.join(", "),
        friction_signals::calibration::repositories()
    )
}

pub fn thousands(x: f64) -> String {
    let n = x.round() as i64;
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}
