//! Hotspots: where development activity meets code that is hard to change.
//!
//! Change frequency is counted over a window (default 12 months, ending at the
//! newest stored commit so the result does not depend on the day it is run):
//! revisions (distinct commits touching the file, renames followed), churn
//! (added + deleted lines) and authors. The hotspot set is chosen where the
//! change-frequency distribution bends — the knee of the ranked revisions
//! (Kneedle, Satopää et al., ICDCS workshops 2011) — rather than a fixed top-N,
//! as CodeScene does ("analyzes the slope of the change-frequency
//! distribution"). Hotspot health is the code-line-weighted mean health of the
//! hotspots (CodeScene's "Hotspot Code Health").
//!
//! Product code first: the knee, the hotspots and the headline figures read
//! product code only ([`PathKind::Product`]); test code and the other
//! non-product files (examples, benchmarks, build, documentation) are listed
//! apart with their own share of the changes. A hotspot is changed often *and*
//! hard to change: a file in the healthy band (or whose health could not be
//! measured) is never one, however often it changed.

use friction_model::health::Band;
use std::collections::{BTreeMap, BTreeSet};

use crate::fixes::PathKind;

use serde::Serialize;

/// A change inside the window.
#[derive(Debug, Clone)]
pub struct Change {
    pub commit: String,
    pub author: String,
    pub file_id: String,
    pub churn: u64,
}

/// A file at the measured `HEAD`.
#[derive(Debug, Clone)]
pub struct HeadFile {
    pub path: String,
    pub file_id: String,
    /// `None` when not measured (binary).
    pub health: Option<f64>,
    pub code_lines: u32,
}

/// A file changed once in the window is never a hotspot.
pub const MIN_REVISIONS: u64 = 2;

/// The fewest revisions a hotspot has: the revisions of the last file before
/// the knee of the product files' revisions, sorted most first (`None`
/// without a bend, or when the knee falls below [`MIN_REVISIONS`]).
pub fn cutoff(product_revisions_desc: &[u64]) -> Option<u64> {
    knee(product_revisions_desc)
        .map(|k| product_revisions_desc[k - 1])
        .filter(|&c| c >= MIN_REVISIONS)
}

/// The one rule for what is a hotspot: product code, changed at least as
/// often as the [`cutoff`], and measured outside the healthy band.
pub fn is_hotspot(
    kind: PathKind,
    revisions: u64,
    health: Option<f64>,
    cutoff: Option<u64>,
) -> bool {
    kind == PathKind::Product
        && cutoff.is_some_and(|c| revisions >= c)
        && health.is_some_and(|h| !Band::is_healthy(h))
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FileActivity {
    pub path: String,
    pub revisions: u64,
    pub churn: u64,
    pub authors: u64,
    pub health: Option<f64>,
    pub code_lines: u32,
    /// `product`, `test`, `example`, `benchmark`, `build` or `docs`
    /// ([`PathKind`]).
    pub kind: String,
    /// Share of the revisions of its list (product code, or test and other
    /// non-product code) in the window, percent.
    pub activity_pct: f64,
    pub hotspot: bool,
    /// friction's hotspot score, size × √(1 + changes) on a log scale
    /// ([`crate::backtest::hotspot_score`]); orders the list within the
    /// hotspot set and outside it.
    pub score: f64,
    /// Line coverage, percent, in the newest coverage report naming the file;
    /// absent without one (filled in by the caller that read the reports).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coverage_pct: Option<f64>,
    /// Flaky tests whose source is the file; absent when none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flaky_tests: Option<u32>,
    /// Open SARIF findings on the file (CodeQL, Semgrep, …); absent when
    /// none, or when no SARIF file is stored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security_findings: Option<u32>,
    /// Security debt: the findings' severity weights (`security-findings`'
    /// weights, 0–1 each) × the file's revisions in the window; absent with
    /// the findings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security_debt: Option<f64>,
    /// The defect model's forecast for the next 12 months (product code
    /// only); absent unless asked for, and when not measured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forecast: Option<crate::defect_model::FileForecast>,
}

/// Security debt of a file: its findings' weight × its revisions in the
/// window, rounded to two decimals (findings in code that changes often are
/// the ones most likely to spread and the costliest to leave).
pub fn security_debt(weight: f64, revisions: u64) -> f64 {
    (weight * revisions as f64 * 100.0).round() / 100.0
}

/// Test code and the other non-product files, shown apart from the ranking.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TestCode {
    /// Non-product files at `HEAD` changed in the window.
    pub files_changed: u64,
    /// Their revisions in the window.
    pub revisions: u64,
    /// Their share of every revision in the window on files at `HEAD`, percent:
    /// the share of the effort that went into them.
    pub activity_pct: f64,
    /// Their share of the code lines at `HEAD`, percent.
    pub code_pct: f64,
    /// The changed non-product files, by score; never hotspots.
    pub files: Vec<FileActivity>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Hotspots {
    /// Product-code files at `HEAD` changed in the window.
    pub files_changed: u64,
    /// Revisions (file × commit) in the window on product-code files at `HEAD`.
    pub revisions: u64,
    /// Rank (0-based) of the knee of the product files' revision distribution;
    /// hotspots are the unhealthy files ranked before it. `None` when the
    /// distribution has no bend (fewer than three changed files, or all
    /// changed equally often).
    pub knee_rank: Option<usize>,
    /// Revisions of the least-changed hotspot: the cut-off the knee gave.
    pub cutoff_revisions: Option<u64>,
    pub hotspot_count: u64,
    /// Hotspots' share of the product code lines at `HEAD`, percent.
    pub hotspot_code_pct: f64,
    /// Hotspots' share of the product code's revisions in the window, percent.
    pub hotspot_activity_pct: f64,
    /// Code-line-weighted mean health of the hotspots.
    pub hotspot_health: Option<f64>,
    /// Code-line-weighted mean health of every measured product file at `HEAD`.
    pub average_health: Option<f64>,
    /// Share of product revisions landing in files with health below 9 /
    /// below 4, percent.
    pub unhealthy_activity_pct: f64,
    pub alert_activity_pct: f64,
    /// Changed product files, hotspots first, then by score.
    pub files: Vec<FileActivity>,
    /// Test code and other non-product code, apart.
    pub test_code: TestCode,
}

fn pct(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        (part as f64 * 1000.0 / whole as f64).round() / 10.0
    }
}

fn weighted_health<'a>(files: impl Iterator<Item = (&'a Option<f64>, u32)>) -> Option<f64> {
    let (mut sum, mut weight) = (0.0, 0.0);
    for (h, lines) in files {
        if let Some(h) = h {
            let w = f64::from(lines.max(1));
            sum += h * w;
            weight += w;
        }
    }
    (weight > 0.0).then(|| (sum / weight * 100.0).round() / 100.0)
}

/// The knee of a non-increasing sequence: the index maximising the distance
/// below the chord from the first to the last point, after normalising both
/// axes to [0, 1] (Kneedle for a convex decreasing curve). `None` for fewer
/// than three values or a flat sequence.
pub fn knee(sorted_desc: &[u64]) -> Option<usize> {
    let n = sorted_desc.len();
    if n < 3 {
        return None;
    }
    let (max, min) = (sorted_desc[0] as f64, sorted_desc[n - 1] as f64);
    if max <= min {
        return None;
    }
    let mut best = (0usize, f64::MIN);
    for (i, &v) in sorted_desc.iter().enumerate() {
        let x = i as f64 / (n - 1) as f64;
        let y = (v as f64 - min) / (max - min);
        let d = 1.0 - x - y;
        if d > best.1 + 1e-12 {
            best = (i, d);
        }
    }
    (best.0 > 0).then_some(best.0)
}

/// Hotspots of the files at `HEAD` from the changes in the window.
pub fn hotspots(changes: &[Change], head: &[HeadFile]) -> Hotspots {
    let at_head: BTreeMap<&str, &HeadFile> = head.iter().map(|f| (f.file_id.as_str(), f)).collect();
    #[derive(Default)]
    struct Acc<'a> {
        commits: BTreeSet<&'a str>,
        authors: BTreeSet<&'a str>,
        churn: u64,
    }
    let mut acc: BTreeMap<&str, Acc> = BTreeMap::new();
    for c in changes {
        if !at_head.contains_key(c.file_id.as_str()) {
            continue;
        }
        let a = acc.entry(c.file_id.as_str()).or_default();
        a.commits.insert(&c.commit);
        a.authors.insert(&c.author);
        a.churn += c.churn;
    }
    let (mut files, mut others): (Vec<FileActivity>, Vec<FileActivity>) = acc
        .iter()
        .map(|(id, a)| {
            let f = at_head[id];
            FileActivity {
                path: f.path.clone(),
                revisions: a.commits.len() as u64,
                churn: a.churn,
                authors: a.authors.len() as u64,
                health: f.health,
                code_lines: f.code_lines,
                kind: PathKind::of(&f.path).as_str().to_owned(),
                activity_pct: 0.0,
                hotspot: false,
                score: (crate::backtest::hotspot_score(f.code_lines, a.commits.len() as u64)
                    * 1000.0)
                    .round()
                    / 1000.0,
                coverage_pct: None,
                flaky_tests: None,
                security_findings: None,
                security_debt: None,
                forecast: None,
            }
        })
        .partition(|f| f.kind == PathKind::Product.as_str());
    let total: u64 = files.iter().map(|f| f.revisions).sum();
    let other_total: u64 = others.iter().map(|f| f.revisions).sum();
    for f in &mut files {
        f.activity_pct = pct(f.revisions, total);
    }
    for f in &mut others {
        f.activity_pct = pct(f.revisions, other_total);
    }
    files.sort_by(|a, b| {
        b.revisions
            .cmp(&a.revisions)
            .then(b.churn.cmp(&a.churn))
            .then(a.path.cmp(&b.path))
    });
    let revs: Vec<u64> = files.iter().map(|f| f.revisions).collect();
    let knee_rank = knee(&revs);
    let cut = cutoff(&revs);
    for f in &mut files {
        f.hotspot = is_hotspot(PathKind::Product, f.revisions, f.health, cut);
    }
    // The knee chose the set by change frequency; the score orders the list.
    let by_score = |a: &FileActivity, b: &FileActivity| {
        b.hotspot
            .cmp(&a.hotspot)
            .then(b.score.total_cmp(&a.score))
            .then(a.path.cmp(&b.path))
    };
    files.sort_by(by_score);
    others.sort_by(by_score);
    let hot: Vec<&FileActivity> = files.iter().filter(|f| f.hotspot).collect();
    let (product, not_product): (Vec<&HeadFile>, Vec<&HeadFile>) = head
        .iter()
        .partition(|f| PathKind::of(&f.path) == PathKind::Product);
    let code = |fs: &[&HeadFile]| fs.iter().map(|f| u64::from(f.code_lines)).sum::<u64>();
    let product_code = code(&product);
    let hot_code: u64 = hot.iter().map(|f| u64::from(f.code_lines)).sum();
    let hot_revs: u64 = hot.iter().map(|f| f.revisions).sum();
    let unhealthy: u64 = files
        .iter()
        .filter(|f| f.health.is_some_and(|h| Band::of(h) != Band::Healthy))
        .map(|f| f.revisions)
        .sum();
    let alert: u64 = files
        .iter()
        .filter(|f| f.health.is_some_and(|h| Band::of(h) == Band::Alert))
        .map(|f| f.revisions)
        .sum();
    Hotspots {
        files_changed: files.len() as u64,
        revisions: total,
        knee_rank,
        cutoff_revisions: cut.filter(|_| !hot.is_empty()),
        hotspot_count: hot.len() as u64,
        hotspot_code_pct: pct(hot_code, product_code),
        hotspot_activity_pct: pct(hot_revs, total),
        hotspot_health: weighted_health(hot.iter().map(|f| (&f.health, f.code_lines))),
        average_health: weighted_health(product.iter().map(|f| (&f.health, f.code_lines))),
        unhealthy_activity_pct: pct(unhealthy, total),
        alert_activity_pct: pct(alert, total),
        test_code: TestCode {
            files_changed: others.len() as u64,
            revisions: other_total,
            activity_pct: pct(other_total, total + other_total),
            code_pct: pct(code(&not_product), product_code + code(&not_product)),
            files: others,
        },
        files,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knee_of_a_long_tail() {
        // 1 − x − y peaks at rank 3 (value 5): the curve flattens there, so the
        // three files before it are the hotspots.
        assert_eq!(knee(&[50, 40, 30, 5, 4, 3, 2, 2, 1, 1]), Some(3));
        assert_eq!(knee(&[9, 1, 1, 1, 1]), Some(1));
    }

    #[test]
    fn no_knee_without_a_bend() {
        assert_eq!(knee(&[]), None);
        assert_eq!(knee(&[5, 1]), None);
        assert_eq!(knee(&[3, 3, 3, 3]), None);
        // A straight line has no point below its chord.
        assert_eq!(knee(&[4, 3, 2, 1, 0]), None);
    }

    fn change(commit: &str, author: &str, file: &str, churn: u64) -> Change {
        Change {
            commit: commit.into(),
            author: author.into(),
            file_id: file.into(),
            churn,
        }
    }

    fn head(path: &str, health: f64, lines: u32) -> HeadFile {
        HeadFile {
            path: path.into(),
            file_id: path.into(),
            health: Some(health),
            code_lines: lines,
        }
    }

    #[test]
    fn hotspots_and_their_health() {
        let mut changes = Vec::new();
        for i in 0..20 {
            changes.push(change(&format!("c{i}"), "a", "hot.c", 10));
        }
        for i in 0..12 {
            changes.push(change(&format!("d{i}"), "b", "warm.c", 5));
        }
        for (i, f) in ["x.c", "y.c", "z.c", "w.c", "v.c"].iter().enumerate() {
            changes.push(change(&format!("e{i}"), "a", f, 1));
        }
        // A deleted file's changes do not count.
        changes.push(change("g", "a", "gone.c", 100));
        let head_files = vec![
            head("hot.c", 3.0, 1000),
            head("warm.c", 8.0, 500),
            head("x.c", 10.0, 100),
            head("y.c", 10.0, 100),
            head("z.c", 10.0, 100),
            head("w.c", 10.0, 100),
            head("v.c", 10.0, 100),
        ];
        let h = hotspots(&changes, &head_files);
        assert_eq!(h.revisions, 37);
        assert_eq!(h.files_changed, 7);
        assert_eq!(h.knee_rank, Some(2));
        assert_eq!(h.hotspot_count, 2);
        assert_eq!(h.cutoff_revisions, Some(12));
        assert_eq!(h.files[0].path, "hot.c");
        assert!(h.files[0].hotspot && h.files[1].hotspot && !h.files[2].hotspot);
        // (3 × 1000 + 8 × 500) / 1500 = 4.67
        assert_eq!(h.hotspot_health, Some(4.67));
        // 1500 of 2000 code lines, 32 of 37 revisions
        assert_eq!(h.hotspot_code_pct, 75.0);
        assert_eq!(h.hotspot_activity_pct, 86.5);
        assert_eq!(h.unhealthy_activity_pct, 86.5);
        assert_eq!(h.alert_activity_pct, 54.1);
        assert_eq!(h.files[0].authors, 1);
        assert_eq!(h.files[0].churn, 200);
    }

    #[test]
    fn test_code_is_listed_apart_and_healthy_files_are_never_hotspots() {
        let mut changes = Vec::new();
        // A test file changed most of all, a healthy product file changed
        // often, an unhealthy one changed often, and a quiet tail.
        for i in 0..30 {
            changes.push(change(&format!("t{i}"), "a", "tests/test_app.py", 5));
        }
        for i in 0..20 {
            changes.push(change(&format!("h{i}"), "a", "src/clean.py", 5));
        }
        for i in 0..18 {
            changes.push(change(&format!("u{i}"), "b", "src/tangled.py", 5));
        }
        for (i, f) in ["src/a.py", "src/b.py", "src/c.py", "src/d.py"]
            .iter()
            .enumerate()
        {
            changes.push(change(&format!("q{i}"), "a", f, 1));
        }
        let head_files = vec![
            head("tests/test_app.py", 3.0, 800),
            head("src/clean.py", 10.0, 400),
            head("src/tangled.py", 4.5, 600),
            head("src/a.py", 10.0, 50),
            head("src/b.py", 10.0, 50),
            head("src/c.py", 10.0, 50),
            head("src/d.py", 10.0, 50),
        ];
        let h = hotspots(&changes, &head_files);
        // The knee over product code selects clean.py and tangled.py; only
        // the unhealthy one is a hotspot.
        assert_eq!(h.files_changed, 6);
        assert_eq!(h.revisions, 42);
        assert_eq!(h.hotspot_count, 1);
        assert_eq!(h.files[0].path, "src/tangled.py");
        assert!(h.files[0].hotspot);
        let clean = h.files.iter().find(|f| f.path == "src/clean.py");
        assert!(clean.is_some_and(|f| !f.hotspot), "{clean:?}");
        assert!(h.files.iter().all(|f| f.kind == "product"));
        // 600 of 1,200 product code lines; 18 of 42 product changes.
        assert_eq!(h.hotspot_code_pct, 50.0);
        assert_eq!(h.hotspot_activity_pct, 42.9);
        assert_eq!(h.hotspot_health, Some(4.5));
        // The test file is apart, with its own share of the effort.
        let t = &h.test_code;
        assert_eq!((t.files_changed, t.revisions), (1, 30));
        assert_eq!(t.files[0].path, "tests/test_app.py");
        assert_eq!(t.files[0].kind, "test");
        assert!(!t.files[0].hotspot);
        // 30 of 72 changes, 800 of 2,000 code lines.
        assert_eq!(t.activity_pct, 41.7);
        assert_eq!(t.code_pct, 40.0);
    }

    #[test]
    fn cutoff_needs_a_bend_and_two_revisions() {
        assert_eq!(cutoff(&[50, 40, 30, 5, 4, 3, 2, 2, 1, 1]), Some(30));
        assert_eq!(cutoff(&[3, 3, 3]), None);
        assert!(!is_hotspot(PathKind::Test, 50, Some(2.0), Some(30)));
        assert!(!is_hotspot(PathKind::Product, 50, Some(9.0), Some(30)));
        assert!(!is_hotspot(PathKind::Product, 50, None, Some(30)));
        assert!(is_hotspot(PathKind::Product, 30, Some(8.9), Some(30)));
        assert!(!is_hotspot(PathKind::Product, 29, Some(8.9), Some(30)));
    }

    #[test]
    fn one_commit_history_has_no_hotspots() {
        let changes = vec![change("c", "a", "a.c", 3), change("c", "a", "b.c", 3)];
        let h = hotspots(&changes, &[head("a.c", 10.0, 3), head("b.c", 10.0, 3)]);
        assert_eq!(h.knee_rank, None);
        assert_eq!(h.hotspot_count, 0);
        assert_eq!(h.hotspot_health, None);
    }
}
