//! Coverage of change: how well tested the code people actually change is.

use std::collections::BTreeMap;

use crate::ci::{self, figure};
use crate::delivery::Coverage;
use crate::{
    Context, Curve, Doc, Evidence, Family, Input, Measured, Outcome, Sample, ScopeKind, round2,
};

pub struct CoverageOfChange;

/// The hotspot map marks a file "low coverage" below this line coverage,
/// percent: the alert edge of this signal's curve (Google's "acceptable").
pub const LOW_COVERAGE_PCT: f64 = 60.0;

/// What the test facts say against a file, for the hotspot map: `low
/// coverage` (below [`LOW_COVERAGE_PCT`]) and `flaky tests`.
pub fn test_marks(coverage_pct: Option<f64>, flaky_tests: Option<u32>) -> Vec<&'static str> {
    let mut marks = Vec::new();
    if coverage_pct.is_some_and(|c| c < LOW_COVERAGE_PCT) {
        marks.push("low coverage");
    }
    if flaky_tests.is_some_and(|n| n > 0) {
        marks.push("flaky tests");
    }
    marks
}

/// How many files, by revisions × code lines, hotspot coverage reads.
pub const HOTSPOT_FILES: usize = 10;

/// Fewest changed files with coverage the value is computed from
/// (friction's choice: fewer files say more about those files than about
/// the testing of change).
const MIN_FILES: usize = 5;

static DOC: Doc = Doc {
    title: "Coverage of change",
    measures: "The line coverage of the files the window's changes touched, weighted by how \
        often each was changed; overall coverage and the coverage of the hotspots beside it as \
        figures.",
    why: "Coverage matters where code changes: an untested file nobody touches is a small risk, \
        an untested file changed every week is where regressions come from and where people \
        change code slowly and carefully. A repository-wide percentage hides this — a well \
        tested stable core can carry a poorly tested hot path (the \"coverage illusion\").",
    how: "There is no standard definition; this is friction's, built on the reference's \
        \"coverage reality\" notes (hotspot coverage and changed-code coverage against overall \
        coverage). Per file, the newest coverage report naming it gives lines found and hit \
        (lcov, Cobertura, JaCoCo). Over the production files (not tests) changed in the window, \
        r = revisions in the window: value = Σ r · hit/found × 100 / Σ r. Overall coverage = \
        Σ hit / Σ found over every covered file in scope; hotspot coverage = the same over the \
        10 covered files with the most revisions × code lines. Changed files the reports do not \
        name are not counted as uncovered (a report may leave out files it never loaded): they \
        lower the coverage (revisions with a report / revisions of changed production files). \
        At least 5 changed files with coverage. Measured per component and team too (their \
        files).",
    thresholds: "0 % → 0; 60 % → 50, the alert edge (Google's \"acceptable\"); 75 % → 75, the \
        healthy edge (Google's \"commendable\"); 90 % or more → 100 (Google's \"exemplary\").",
    sources: &[
        "C. Arguelles, M. Ivanković, A. Bender, \"Code Coverage Best Practices\", Google Testing Blog, 2020: 60 % acceptable, 75 % commendable, 90 % exemplary",
        "M. Ivanković et al., \"Code Coverage at Google\", ESEC/FSE 2019",
        "A. Tornhill, Your Code as a Crime Scene: hotspots = change frequency × size",
    ],
};

static CURVE: Curve = Curve::linear(&[(0.0, 0.0), (60.0, 50.0), (75.0, 75.0), (90.0, 100.0)]);

/// Line coverage (0–100) of a set of coverage records; `None` when no line
/// was found.
fn line_coverage<'a>(records: impl Iterator<Item = &'a Coverage>) -> Option<f64> {
    let (found, hit) = records.fold((0u64, 0u64), |(f, h), c| {
        (f + c.lines_found, h + c.lines_hit.min(c.lines_found))
    });
    (found > 0).then(|| 100.0 * hit as f64 / found as f64)
}

impl crate::Signal for CoverageOfChange {
    fn id(&self) -> &'static str {
        "coverage-of-change"
    }
    fn family(&self) -> Family {
        Family::Delivery
    }
    fn weight(&self) -> f64 {
        0.05
    }
    fn unit(&self) -> &'static str {
        "% of lines covered"
    }
    fn doc(&self) -> &'static Doc {
        &DOC
    }
    fn researched_curve(&self) -> &'static Curve {
        &CURVE
    }
    fn needs(&self) -> &'static [Input] {
        &[Input::History, Input::Coverage]
    }
    fn measure(&self, ctx: &Context<'_>) -> Outcome {
        self.measured(ctx).into()
    }
}

impl CoverageOfChange {
    fn measured(&self, ctx: &Context<'_>) -> Result<Measured, String> {
        let Some(d) = ctx
            .data
            .delivery
            .as_ref()
            .filter(|d| !d.coverage.is_empty())
        else {
            return Err(format!(
                "coverage: none in the window; {}",
                ci::INGEST_COVERAGE
            ));
        };
        if let Some(why) = ctx.files_unknown() {
            return Err(why);
        }
        // The newest report naming a file wins: the loader keeps one record per file.
        let covered: BTreeMap<usize, &Coverage> = d
            .coverage
            .iter()
            .filter(|c| c.lines_found > 0)
            .map(|c| (c.file as usize, c))
            .filter(|(i, _)| *i < ctx.data.files.len() && ctx.in_scope(*i))
            .collect();
        let revisions = ctx.revisions();
        let (mut num, mut den, mut evidence) = (Vec::new(), Vec::new(), Vec::new());
        let (mut relevant, mut measured) = (0u64, 0u64);
        for (&i, &r) in revisions {
            let f = &ctx.data.files[i];
            let cov = covered.get(&i);
            if f.test || (cov.is_none() && f.code_lines == 0) {
                continue;
            }
            relevant += r;
            let Some(c) = cov else { continue };
            measured += r;
            let pct = 100.0 * c.lines_hit.min(c.lines_found) as f64 / c.lines_found as f64;
            num.push(r as f64 * pct);
            den.push(r as f64);
            if pct < 100.0 {
                evidence.push(Evidence {
                    kind: "file".into(),
                    id: f.path.clone(),
                    value: round2(r as f64 * (100.0 - pct) / 100.0),
                    label: format!(
                        "revisions × uncovered share ({pct:.1} % of {} lines covered, {r} revisions)",
                        c.lines_found
                    ),
                    cite: Some(d.cite(c.cite)),
                });
            }
        }
        let files = den.len();
        if files < MIN_FILES {
            let scope = if ctx.scope.kind == ScopeKind::Repository {
                String::new()
            } else {
                format!(" in {}", ctx.scope.name)
            };
            return Err(format!(
                "only {files} of the window's changed files{scope} have coverage ({MIN_FILES} needed); {}",
                ci::INGEST_COVERAGE
            ));
        }
        let mut hot: Vec<(usize, u64)> = covered
            .keys()
            .map(|&i| {
                let r = revisions.get(&i).copied().unwrap_or(0);
                (i, r * u64::from(ctx.data.files[i].code_lines))
            })
            .filter(|&(i, w)| w > 0 && !ctx.data.files[i].test)
            .collect();
        hot.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        hot.truncate(HOTSPOT_FILES);
        let mut figures = vec![figure("changed files covered", files as f64, "files")];
        if let Some(all) = line_coverage(covered.values().copied()) {
            figures.push(figure("overall coverage", round2(all), "% of lines"));
        }
        if let Some(h) = line_coverage(hot.iter().map(|(i, _)| covered[i])) {
            figures.push(figure(
                "hotspot coverage",
                round2(h),
                format!(
                    "% of lines in the {} most changed × largest files",
                    hot.len()
                ),
            ));
        }
        let sample = Sample::Ratio { num, den };
        let Some(value) = sample.value(None) else {
            return Err("no changed file has coverage".into());
        };
        Ok(Measured {
            value,
            coverage: measured as f64 / relevant.max(1) as f64,
            figures,
            evidence: crate::top_evidence(evidence),
            sample,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ci::fixture::*;
    use crate::delivery::{Cite, Coverage};

    fn cov(file: u32, found: u64, hit: u64) -> Coverage {
        Coverage {
            file,
            lines_found: found,
            lines_hit: hit,
            branches_found: 0,
            branches_hit: 0,
            cite: Cite {
                source: 0,
                record: u64::from(file) + 1,
                line: None,
            },
        }
    }

    /// Eight files: f0 changed three times at 50 %, f1–f4 once each at 100 %,
    /// f5 changed twice without a report, f6 a test file changed once, f7
    /// never changed at 0 % (counts in overall coverage only).
    fn facts() -> crate::Data {
        let mut d = delivery();
        d.coverage = vec![
            cov(0, 100, 50),
            cov(1, 10, 10),
            cov(2, 10, 10),
            cov(3, 10, 10),
            cov(4, 10, 10),
            cov(6, 10, 0),
            cov(7, 200, 0),
        ];
        let mut data = data(8, &[&[0, 1, 5], &[0, 2, 5, 6], &[0, 3], &[4]], d);
        data.files[6].test = true;
        data
    }

    #[test]
    fn revision_weighted_coverage_of_changed_production_files() {
        let m = measured(measure(&CoverageOfChange, &facts()));
        // (3 × 50 + 4 × 100) / 7.
        assert!((m.value - 550.0 / 7.0).abs() < 1e-9);
        assert_eq!(figure_value(&m, "changed files covered"), 5.0);
        // Overall: (50 + 40 + 0 + 0) / (100 + 40 + 10 + 200).
        assert_eq!(figure_value(&m, "overall coverage"), round2(9000.0 / 350.0));
        // Hotspots: changed covered production files by revisions × lines
        // (f6 is a test, f7 never changed).
        assert_eq!(figure_value(&m, "hotspot coverage"), round2(9000.0 / 140.0));
        // f5's two revisions have no report: 7 of 9.
        assert!((m.coverage - 7.0 / 9.0).abs() < 1e-12);
        assert_eq!(m.evidence.len(), 1);
        assert_eq!(m.evidence[0].id, "src/f0.rs");
        assert_eq!(m.evidence[0].value, 1.5);
        assert_eq!(m.evidence[0].cite.as_deref(), Some("runs.json record 1"));
    }

    #[test]
    fn low_coverage_is_the_curve_s_alert_edge() {
        assert_eq!(CURVE.score(LOW_COVERAGE_PCT), 50.0);
        assert_eq!(
            test_marks(Some(59.9), Some(2)),
            ["low coverage", "flaky tests"]
        );
        assert!(test_marks(Some(LOW_COVERAGE_PCT), Some(0)).is_empty());
        assert!(test_marks(None, None).is_empty());
    }

    #[test]
    fn scoped_to_a_component_s_files_and_needs_five_changed_files() {
        let why = not_measured(measure_component(&CoverageOfChange, &facts()));
        assert!(
            why.starts_with("only 1 of the window's changed files in src have coverage (5 needed)"),
            "{why}"
        );
        let mut data = facts();
        if let Some(d) = data.delivery.as_mut() {
            d.coverage.retain(|c| c.file != 4);
        }
        let why = not_measured(measure(&CoverageOfChange, &data));
        assert!(why.starts_with("only 4 of"), "{why}");
    }
}
