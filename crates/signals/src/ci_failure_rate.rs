//! CI failure rate: how often the default branch's pipeline goes red.

use std::collections::BTreeMap;

use crate::ci::{self, figure};
use crate::delivery::{CiResult, Cite};
use crate::{Context, Curve, Doc, Evidence, Family, Input, Measured, Outcome, Sample};

pub struct CiFailureRate;

static DOC: Doc = Doc {
    title: "CI failure rate",
    measures: "The share of the default branch's decided CI runs (succeeded or failed) in the \
        window that failed; the pull-request runs' failure rate beside it as a figure.",
    why: "A red default branch blocks everyone who branches from it or deploys it, and a \
        pipeline that fails often teaches people to ignore it. CircleCI's State of Software \
        Delivery reports find the most successful teams keep the default branch's success rate \
        above 90 %.",
    how: "Every stored run attempt (a re-run's attempt 2 is a run of its own) on the default \
        branch (the branch most pull requests target, else the one most push-triggered runs \
        built; runs triggered by a pull or merge request are not default-branch runs whatever \
        their branch) is classified \
        from its status and conclusion: success, failure (failed, errored, timed out), or not \
        decided — cancelled, skipped, waiting for a person, in progress or an unknown status \
        word, which are left out of the rate and counted in the figures (an unknown word is \
        never a failure). Value = failed / decided × 100. Coverage = decided / (decided + \
        unknown). At least 10 decided runs, for the repository as a whole.",
    thresholds: "5 % or less → 100; 10 % → 75, the healthy edge (CircleCI's benchmark: success \
        above 90 % on the default branch); 50 % or more → 0 (friction's choice: when half the \
        runs are red, a red run no longer tells anyone anything).",
    sources: &[
        "CircleCI, 2023 State of Software Delivery: success rate above 90 % on the default branch (circleci.com/resources/2023-state-of-software-delivery)",
        "GitHub REST API, workflow runs: `status`, `conclusion`, `event`, `head_branch`, `run_attempt` (docs.github.com/rest/actions/workflow-runs)",
        "GitLab REST API, pipelines: `status`, `source`, `ref` (docs.gitlab.com/api/pipelines)",
    ],
};

static CURVE: Curve = Curve::linear(&[(5.0, 100.0), (10.0, 75.0), (50.0, 0.0)]);

/// Decided and failed runs of one workflow, with the newest failure's citation.
#[derive(Default)]
struct Tally {
    decided: usize,
    failed: usize,
    newest_failure: Option<Cite>,
}

impl crate::Signal for CiFailureRate {
    fn id(&self) -> &'static str {
        "ci-failure-rate"
    }
    fn family(&self) -> Family {
        Family::Delivery
    }
    fn weight(&self) -> f64 {
        0.06
    }
    fn unit(&self) -> &'static str {
        "% of runs failed"
    }
    fn doc(&self) -> &'static Doc {
        &DOC
    }
    fn researched_curve(&self) -> &'static Curve {
        &CURVE
    }
    fn needs(&self) -> &'static [Input] {
        &[Input::CiRuns]
    }
    fn measure(&self, ctx: &Context<'_>) -> Outcome {
        self.measured(ctx).into()
    }
}

impl CiFailureRate {
    fn measured(&self, ctx: &Context<'_>) -> Result<Measured, String> {
        let d = ci::repository_runs(ctx)?;
        let (branch, on) = ci::default_branch(d)?;
        let mut counts: BTreeMap<CiResult, usize> = BTreeMap::new();
        let (mut pr_decided, mut pr_failed) = (0usize, 0usize);
        let mut workflows: BTreeMap<&str, Tally> = BTreeMap::new();
        let (mut num, mut den) = (Vec::new(), Vec::new());
        for r in &d.runs {
            let outcome = r.outcome();
            if ci::pull_request_run(r) {
                if outcome.decided() {
                    pr_decided += 1;
                    pr_failed += usize::from(outcome == CiResult::Failure);
                }
                continue;
            }
            if !ci::default_branch_run(r, branch) {
                continue;
            }
            *counts.entry(outcome).or_default() += 1;
            if !outcome.decided() {
                continue;
            }
            let failed = outcome == CiResult::Failure;
            num.push(if failed { 100.0 } else { 0.0 });
            den.push(1.0);
            let t = workflows.entry(ci::workflow(r)).or_default();
            t.decided += 1;
            if failed {
                t.failed += 1;
                t.newest_failure = Some(r.cite);
            }
        }
        let count = |o: CiResult| counts.get(&o).copied().unwrap_or(0);
        let decided = den.len();
        ci::enough(decided, &format!("decided runs on {on}"), ci::INGEST_RUNS)?;
        let sample = Sample::Ratio { num, den };
        let Some(value) = sample.value(None) else {
            return Err("no decided run".into());
        };
        let unknown = count(CiResult::Unknown);
        let mut figures = vec![
            figure("decided runs", decided as f64, format!("runs on {on}")),
            figure(
                "failed runs",
                count(CiResult::Failure) as f64,
                format!("runs on {on}"),
            ),
            figure(
                "cancelled (left out)",
                count(CiResult::Cancelled) as f64,
                "runs",
            ),
            figure(
                "skipped (left out)",
                count(CiResult::Skipped) as f64,
                "runs",
            ),
            figure(
                "in progress or waiting (left out)",
                (count(CiResult::InProgress) + count(CiResult::Manual)) as f64,
                "runs",
            ),
            figure("unknown status (left out)", unknown as f64, "runs"),
            figure("pull-request decided runs", pr_decided as f64, "runs"),
        ];
        if pr_decided > 0 {
            figures.push(figure(
                "pull-request failure rate",
                crate::round2(100.0 * pr_failed as f64 / pr_decided as f64),
                "% of runs failed",
            ));
        }
        let evidence = workflows
            .into_iter()
            .filter(|(_, t)| t.failed > 0)
            .map(|(w, t)| Evidence {
                kind: "workflow".into(),
                id: w.to_owned(),
                value: t.failed as f64,
                label: format!("failed runs of {} decided on {on}", t.decided),
                cite: t.newest_failure.map(|c| d.cite(c)),
            })
            .collect();
        Ok(Measured {
            value,
            coverage: decided as f64 / (decided + unknown) as f64,
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
    use crate::delivery::CiResult::*;

    /// 8 successes and 2 failures on `main` (one a re-run's second attempt),
    /// plus what must not count: in progress, unknown, cancelled, another
    /// branch, and a pull request from a fork's `main`.
    fn runs() -> crate::delivery::Delivery {
        let mut d = delivery();
        for id in 1..=7 {
            d.runs.push(run(id, 1, "main", "push", Success));
        }
        d.runs.push(run(8, 1, "main", "push", Failure));
        d.runs.push(run(8, 2, "main", "push", Success));
        d.runs.push(run(9, 1, "main", "schedule", Failure));
        d.runs.push(run(10, 1, "main", "push", InProgress));
        d.runs.push(run(11, 1, "main", "push", Unknown));
        d.runs.push(run(12, 1, "main", "push", Cancelled));
        d.runs.push(run(13, 1, "feature", "push", Failure));
        d.runs.push(run(14, 1, "main", "pull_request", Failure));
        d.runs.push(run(15, 1, "fix", "pull_request", Success));
        d
    }

    #[test]
    fn failed_share_of_decided_default_branch_runs() {
        let m = measured(measure(&CiFailureRate, &data(1, &[&[0]], runs())));
        // 10 decided (7 + attempt 1 and 2 of run 8 + run 9), 2 failed.
        assert_eq!(m.value, 20.0);
        assert_eq!(figure_value(&m, "decided runs"), 10.0);
        assert_eq!(figure_value(&m, "failed runs"), 2.0);
        assert_eq!(figure_value(&m, "in progress or waiting (left out)"), 1.0);
        assert_eq!(figure_value(&m, "unknown status (left out)"), 1.0);
        assert_eq!(figure_value(&m, "cancelled (left out)"), 1.0);
        assert_eq!(figure_value(&m, "pull-request decided runs"), 2.0);
        assert_eq!(figure_value(&m, "pull-request failure rate"), 50.0);
        // The unknown run is missing data: 10 of 11.
        assert!((m.coverage - 10.0 / 11.0).abs() < 1e-12);
        assert_eq!(m.evidence[0].id, "ci");
        assert_eq!(m.evidence[0].value, 2.0);
        assert_eq!(m.evidence[0].cite.as_deref(), Some("runs.json record 9"));
    }

    #[test]
    fn an_unknown_default_branch_is_not_measured() {
        let mut d = runs();
        d.default_branch = None;
        let why = not_measured(measure(&CiFailureRate, &data(1, &[&[0]], d)));
        assert!(why.starts_with("the default branch is unknown"), "{why}");
    }

    #[test]
    fn too_few_decided_runs_and_other_scopes_are_not_measured() {
        let mut d = runs();
        d.runs.retain(|r| r.id != "9");
        let why = not_measured(measure(&CiFailureRate, &data(1, &[&[0]], d)));
        assert!(
            why.contains("only 9 decided runs on `main` (10 needed)"),
            "{why}"
        );
        assert!(why.contains("friction ingest"), "{why}");
        let why = not_measured(measure_component(&CiFailureRate, &data(1, &[&[0]], runs())));
        assert_eq!(why, "measured for the repository as a whole");
        let why = not_measured(measure(
            &CiFailureRate,
            &data(1, &[&[0]], crate::delivery::Delivery::default()),
        ));
        assert!(why.starts_with("CI runs: none in the window"), "{why}");
    }
}
