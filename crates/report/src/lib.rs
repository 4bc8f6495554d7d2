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

impl Report {
    /// The assessment as JSON, for the HTML page, which still reads it by
    /// key; the other formats read the types.
    pub(crate) fn json(&self) -> Value {
        serde_json::to_value(&self.assessment).unwrap_or_default()
    }
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

/// The changed files, costliest first: cost a year (high end), then path.
pub(crate) fn costliest(a: &Assessment) -> Vec<&FileCost> {
    let mut files: Vec<&FileCost> = a.cost.files.iter().collect();
    files.sort_by(|x, y| {
        y.total_hours()
            .high
            .total_cmp(&x.total_hours().high)
            .then_with(|| x.path.cmp(&y.path))
    });
    files
}

pub(crate) fn num(v: &Value) -> Option<f64> {
    v.as_f64()
}

pub(crate) fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

pub(crate) fn arr(v: &Value) -> &[Value] {
    v.as_array().map_or(&[], Vec::as_slice)
}

/// `12.3` or `–`.
pub(crate) fn fmt1(x: Option<f64>) -> String {
    x.map_or_else(|| "–".to_owned(), |v| format!("{v:.1}"))
}

/// Thousands separators (`1,234,567`), for every output.
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

/// `low–high unit` of a `{low, high}` range.
pub(crate) fn range(v: &Value, unit: &str) -> String {
    match (num(&v["low"]), num(&v["high"])) {
        (Some(a), Some(b)) if (a - b).abs() < 0.5 => format!("{} {unit}", thousands(a)),
        (Some(a), Some(b)) => format!("{}–{} {unit}", thousands(a), thousands(b)),
        _ => "–".to_owned(),
    }
}

/// A `{low, high}` range of small numbers with one decimal.
pub(crate) fn range1(v: &Value, unit: &str) -> String {
    match (num(&v["low"]), num(&v["high"])) {
        (Some(a), Some(b)) => format!("{a:.1}–{b:.1} {unit}"),
        _ => "–".to_owned(),
    }
}

/// A driver's weight in the index (its methodology weight renormalised over
/// the measured drivers), by `friction_assess`'s one definition.
pub(crate) fn effective_weight(a: &Value, family: &Value) -> Option<f64> {
    let index: friction_assess::IndexResult = serde_json::from_value(a["index"].clone()).ok()?;
    let family: friction_signals::Family = serde_json::from_value(family.clone()).ok()?;
    index.effective_weight(family)
}

/// A file's cost a year, engineer-hours: its excess time plus its fix work
/// (`friction_assess::cost::FileCost::total_hours`), as every output shows it.
pub(crate) fn file_cost(f: &Value, unit: &str) -> String {
    let part = |k: &str, end: &str| num(&f[k]["hours"][end]);
    match (
        part("friction", "low"),
        part("friction", "high"),
        part("defect_work", "low"),
        part("defect_work", "high"),
    ) {
        (Some(a), Some(b), Some(c), Some(d)) => format!("{:.1}–{:.1} {unit}", a + c, b + d),
        _ => "–".to_owned(),
    }
}

/// The changed files, costliest first: friction plus defect work (high end
/// of the yearly range), then path.
pub(crate) fn files_by_cost(a: &Value) -> Vec<&Value> {
    let cost = |f: &Value| {
        num(&f["friction"]["hours"]["high"]).unwrap_or(0.0)
            + num(&f["defect_work"]["hours"]["high"]).unwrap_or(0.0)
    };
    let mut files: Vec<&Value> = arr(&a["cost"]["files"]).iter().collect();
    files.sort_by(|x, y| {
        cost(y)
            .total_cmp(&cost(x))
            .then_with(|| s(&x["path"]).cmp(s(&y["path"])))
    });
    files
}

/// Every signal with its driver.
pub(crate) fn signals(a: &Value) -> Vec<(&Value, &Value)> {
    arr(&a["index"]["drivers"])
        .iter()
        .flat_map(|d| arr(&d["signals"]).iter().map(move |s| (d, s)))
        .collect()
}
