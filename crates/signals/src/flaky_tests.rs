//! Flaky tests: tests that pass and fail without a change.

use std::collections::{BTreeMap, BTreeSet};

use crate::ci::{self, figure};
use crate::delivery::{Cite, Delivery};
use crate::{Context, Curve, Doc, Evidence, Family, Input, Measured, Outcome, Sample, round2};

pub struct FlakyTests;

static DOC: Doc = Doc {
    title: "Flaky tests",
    measures: "The share of the tests that ran in the window that are flaky: they failed and \
        then passed on a retry, or both passed and failed on the same commit.",
    why: "A flaky test fails without a defect, so every failure costs a re-run and an \
        investigation, and people learn to re-run instead of reading failures — which is how real \
        defects get through. Google found about 16 % of its tests showing some flakiness and \
        1.5 % of all test runs flaky, and treats flakiness as a first-class cost.",
    how: "Test results from JUnit XML reports, a test identified by suite, class and name. A \
        test is flaky when any of its results records failed attempts before a pass in the same \
        run (`flakyFailure`/`flakyError`, nextest and Surefire retries) or passed after re-runs \
        (`rerunFailure` with a final pass), or when results of the same code hold both a pass \
        and a failure of it (Google's definition) — reports of one commit (`--commit`), or one \
        report when its commit is unknown (Gradle's test-retry plugin writes each attempt as a \
        test case). Tests that were only skipped did not run and are left \
        out. Value = flaky tests / tests that ran × 100; the share of flaky results (retried to \
        a pass, or a failure on a commit where the test also passed) is a figure, comparable \
        with Google's 1.5 %. Without commits, reports of different runs cannot be compared: a \
        figure counts the results with a known commit. At least 10 tests, for the repository as \
        a whole.",
    thresholds: "0 % → 100; 2 % → 75, the healthy edge (friction's choice: about Google's 1.5 % \
        of runs, for tests); 16 % → 50, the alert edge (Google's share of tests with some \
        flakiness: a suite that large needs dedicated flake tooling); 32 % or more → 0 \
        (friction's choice: a third of the suite cannot gate a change).",
    sources: &[
        "J. Micco, \"Flaky Tests at Google and How We Mitigate Them\", Google Testing Blog, 2016: about 1.5 % of test runs flaky, about 16 % of tests with some flakiness",
        "Apache Maven Surefire, rerunFailingTestsCount: `flakyFailure`, `flakyError`, `rerunFailure`, `rerunError` (maven.apache.org/surefire/maven-surefire-plugin/examples/rerun-failing-tests.html)",
        "cargo-nextest retries and JUnit output (nexte.st/docs/features/retries)",
    ],
};

static CURVE: Curve = Curve::linear(&[(0.0, 100.0), (2.0, 75.0), (16.0, 50.0), (32.0, 0.0)]);

/// What the results say of one test.
#[derive(Default)]
struct TestHistory {
    /// Results that ran (not skipped).
    ran: usize,
    /// Results retried to a pass.
    retried: usize,
    /// Per version of the code (a commit, else a report): (passed, failed).
    commits: BTreeMap<String, (bool, bool)>,
    /// Failed results per commit (to count flaky results).
    failures: BTreeMap<String, usize>,
    first_flaky: Option<Cite>,
    /// The test's source file, as the first result that names one resolves it.
    path: Option<u32>,
}

impl TestHistory {
    /// Commits (or reports) where the test both passed and failed.
    fn flips(&self) -> usize {
        self.commits.values().filter(|(p, f)| *p && *f).count()
    }

    /// Failed results on commits (or in reports) where the test also passed.
    fn flipped_failures(&self) -> usize {
        self.commits
            .iter()
            .filter(|(_, (p, f))| *p && *f)
            .map(|(c, _)| self.failures.get(c).copied().unwrap_or(0))
            .sum()
    }

    fn flaky(&self) -> bool {
        self.retried > 0 || self.flips() > 0
    }
}

/// Flaky tests per source file (index into [`crate::Data::files`]), for
/// the hotspot map: the test files whose tests pass and fail without a change.
pub fn flaky_tests_by_file(d: &Delivery) -> std::collections::BTreeMap<u32, u32> {
    let mut out = std::collections::BTreeMap::new();
    for h in histories(d).values().filter(|h| h.flaky()) {
        if let Some(p) = h.path {
            *out.entry(p).or_default() += 1;
        }
    }
    out
}

/// Whether a result's outcome says the test ran (passed, failed or errored).
fn ran(outcome: &str) -> bool {
    matches!(outcome, "passed" | "failed" | "error")
}

fn histories(d: &Delivery) -> BTreeMap<&str, TestHistory> {
    let mut out: BTreeMap<&str, TestHistory> = BTreeMap::new();
    for t in &d.tests {
        if !ran(&t.outcome) {
            continue;
        }
        let passed = t.outcome == "passed";
        let failed = !passed;
        let h = out.entry(t.key.as_str()).or_default();
        h.ran += 1;
        h.path = h.path.or(t.path);
        let retried = t.flaky_attempts > 0 || (t.reruns > 0 && passed);
        if retried {
            h.retried += 1;
            h.first_flaky.get_or_insert(t.cite);
        }
        // The same code: the commit when known, else the one report (a
        // retry plugin writing each attempt as a test case).
        let code = match t.commit.as_ref().filter(|c| !c.is_empty()) {
            Some(c) => c.clone(),
            None => format!("\u{0}report {}", t.report),
        };
        let e = h.commits.entry(code.clone()).or_default();
        e.0 |= passed;
        e.1 |= failed;
        if (failed && e.0) || (passed && e.1) {
            h.first_flaky.get_or_insert(t.cite);
        }
        if failed {
            *h.failures.entry(code).or_default() += 1;
        }
    }
    out
}

impl crate::Signal for FlakyTests {
    fn id(&self) -> &'static str {
        "flaky-tests"
    }
    fn family(&self) -> Family {
        Family::Delivery
    }
    fn weight(&self) -> f64 {
        0.05
    }
    fn unit(&self) -> &'static str {
        "% of tests flaky"
    }
    fn doc(&self) -> &'static Doc {
        &DOC
    }
    fn researched_curve(&self) -> &'static Curve {
        &CURVE
    }
    fn needs(&self) -> &'static [Input] {
        &[Input::TestResults]
    }
    fn measure(&self, ctx: &Context<'_>) -> Outcome {
        self.measured(ctx).into()
    }
}

impl FlakyTests {
    fn measured(&self, ctx: &Context<'_>) -> Result<Measured, String> {
        let d = ci::repository_facts(
            ctx,
            |d| !d.tests.is_empty(),
            "test results",
            ci::INGEST_TESTS,
        )?;
        if let Some(v) = ctx.value_override(crate::Signal::id(self)) {
            return Ok(ci::what_if(v));
        }
        let histories = histories(d);
        ci::enough(histories.len(), "tests that ran", ci::INGEST_TESTS)?;
        let (mut num, mut den, mut evidence) = (Vec::new(), Vec::new(), Vec::new());
        let (mut results, mut flaky_results) = (0usize, 0usize);
        for (key, h) in &histories {
            results += h.ran;
            flaky_results += h.retried + h.flipped_failures();
            num.push(if h.flaky() { 100.0 } else { 0.0 });
            den.push(1.0);
            if h.flaky() {
                evidence.push(Evidence {
                    kind: "test".into(),
                    id: (*key).to_owned(),
                    value: (h.retried + h.flips()) as f64,
                    label: format!(
                        "flaky occurrences of {} results: {} retried to a pass, {} commits or reports with a pass and a failure",
                        h.ran,
                        h.retried,
                        h.flips()
                    ),
                    cite: h.first_flaky.map(|c| d.cite(c)),
                });
            }
        }
        let flaky = evidence.len();
        let with_commit = d
            .tests
            .iter()
            .filter(|t| ran(&t.outcome) && t.commit.as_ref().is_some_and(|c| !c.is_empty()))
            .count();
        let reports: BTreeSet<u32> = d.tests.iter().map(|t| t.report).collect();
        let sample = Sample::Ratio { num, den };
        let Some(value) = sample.value(None) else {
            return Err("no test ran".into());
        };
        Ok(Measured {
            value,
            coverage: 1.0,
            figures: vec![
                figure("tests", histories.len() as f64, "tests that ran"),
                figure("flaky tests", flaky as f64, "tests"),
                figure("test results", results as f64, "results"),
                figure(
                    "flaky results",
                    round2(100.0 * flaky_results as f64 / results.max(1) as f64),
                    "% of results (Google: about 1.5 %)",
                ),
                figure("results with a known commit", with_commit as f64, "results"),
                figure("reports", reports.len() as f64, "reports"),
            ],
            evidence: crate::top_evidence(evidence),
            sample,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ci::fixture::*;
    use crate::delivery::{Cite, TestCase};

    fn result(key: &str, outcome: &str, commit: Option<&str>) -> TestCase {
        TestCase {
            key: key.into(),
            file: String::new(),
            path: None,
            outcome: outcome.into(),
            flaky_attempts: 0,
            reruns: 0,
            commit: commit.map(str::to_owned),
            report: 0,
            cite: Cite::default(),
        }
    }

    /// Twelve tests over reports of two commits: `t0` retried to a pass,
    /// `t1` passed and failed on commit `a`, `t2` passed after a re-run,
    /// `t3` failed on `a` and passed on `b` (a fix, not a flake), `t4` failed
    /// every rerun, `t5` only skipped (did not run), the rest passed.
    fn tests() -> crate::delivery::Delivery {
        let mut d = delivery();
        let mut r = 0;
        let mut push = |d: &mut crate::delivery::Delivery, mut t: TestCase| {
            r += 1;
            t.report = (r % 3) as u32;
            t.cite.record = r;
            t.cite.line = Some(r * 10);
            d.tests.push(t);
        };
        let mut t0 = result("s/t0", "passed", Some("a"));
        t0.flaky_attempts = 2;
        push(&mut d, t0);
        push(&mut d, result("s/t0", "passed", Some("b")));
        push(&mut d, result("s/t1", "passed", Some("a")));
        push(&mut d, result("s/t1", "failed", Some("a")));
        push(&mut d, result("s/t1", "error", Some("a")));
        let mut t2 = result("s/t2", "passed", None);
        t2.reruns = 1;
        push(&mut d, t2);
        push(&mut d, result("s/t3", "failed", Some("a")));
        push(&mut d, result("s/t3", "passed", Some("b")));
        let mut t4 = result("s/t4", "failed", Some("a"));
        t4.reruns = 2;
        push(&mut d, t4);
        push(&mut d, result("s/t5", "skipped", Some("a")));
        for k in 6..=13 {
            push(&mut d, result(&format!("s/t{k}"), "passed", Some("a")));
        }
        d
    }

    #[test]
    fn flaky_share_counts_retries_and_same_commit_flips_only() {
        let m = measured(measure(&FlakyTests, &data(1, &[&[0]], tests())));
        // Tests that ran: t0–t4 and t6–t13 = 13; flaky: t0, t1, t2.
        assert_eq!(figure_value(&m, "tests"), 13.0);
        assert_eq!(figure_value(&m, "flaky tests"), 3.0);
        assert!((m.value - 300.0 / 13.0).abs() < 1e-9);
        // Results that ran: 17; flaky: t0's retry, t1's two failures, t2's re-run pass.
        assert_eq!(figure_value(&m, "test results"), 17.0);
        assert_eq!(figure_value(&m, "flaky results"), round2(400.0 / 17.0));
        assert_eq!(figure_value(&m, "results with a known commit"), 16.0);
        let ids: Vec<&str> = m.evidence.iter().map(|e| e.id.as_str()).collect();
        // Ties (one occurrence each) by key.
        assert_eq!(ids, ["s/t0", "s/t1", "s/t2"]);
        // t1's flakiness shows at its first failure on commit a (record 4).
        assert_eq!(
            m.evidence[1].cite.as_deref(),
            Some("runs.json record 4 (line 40)")
        );
    }

    #[test]
    fn without_a_commit_a_pass_and_a_failure_in_one_report_are_flaky_but_across_reports_not() {
        let mut d = delivery();
        let mut push = |key: &str, outcome: &str, report: u32| {
            let mut t = result(key, outcome, None);
            t.report = report;
            d.tests.push(t);
        };
        // A retry plugin's two attempts in report 0; a fix between reports 1 and 2.
        push("s/retried", "failed", 0);
        push("s/retried", "passed", 0);
        push("s/fixed", "failed", 1);
        push("s/fixed", "passed", 2);
        for k in 0..8 {
            push(&format!("s/ok{k}"), "passed", 0);
        }
        let m = measured(measure(&FlakyTests, &data(1, &[&[0]], d)));
        assert_eq!(figure_value(&m, "flaky tests"), 1.0);
        assert_eq!(m.evidence[0].id, "s/retried");
        assert_eq!(figure_value(&m, "results with a known commit"), 0.0);
    }

    #[test]
    fn flaky_tests_are_counted_per_source_file() {
        let mut d = tests();
        for t in &mut d.tests {
            t.path = match t.key.as_str() {
                "s/t0" | "s/t1" | "s/t3" => Some(4),
                "s/t2" => Some(7),
                _ => None,
            };
        }
        // t3 is not flaky: file 4 holds two flaky tests, file 7 one.
        let by_file = flaky_tests_by_file(&d);
        assert_eq!(by_file.into_iter().collect::<Vec<_>>(), [(4, 2), (7, 1)]);
    }

    #[test]
    fn too_few_tests_are_not_measured() {
        let mut d = tests();
        let keep = ["s/t0", "s/t1", "s/t2", "s/t3", "s/t4", "s/t5", "s/t9"];
        d.tests.retain(|t| keep.contains(&t.key.as_str()));
        let why = not_measured(measure(&FlakyTests, &data(1, &[&[0]], d)));
        assert!(
            why.starts_with("only 6 tests that ran (10 needed)"),
            "{why}"
        );
        let why = not_measured(measure_component(&FlakyTests, &data(1, &[&[0]], tests())));
        assert_eq!(why, "measured for the repository as a whole");
    }
}
