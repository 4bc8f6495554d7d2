//! CI duration: how long people wait for the pipeline's answer.

use std::collections::BTreeMap;

use crate::ci::{self, figure};
use crate::delivery::{CiResult, Cite, Delivery};
use crate::{Context, Curve, Doc, Family, Input, Measured, Outcome, round2};

pub struct CiDuration;

static DOC: Doc = Doc {
    title: "CI duration",
    measures: "The 90th percentile of successful CI runs' duration in the window, in minutes; \
        the slowest workflows (by their own p90) as evidence.",
    why: "The pipeline's duration bounds how fast any change, fix or rollback can get feedback \
        and ship; a slow tail makes people batch changes and switch context while they wait. \
        CircleCI's State of Software Delivery reports find the most successful teams keep \
        workflows at ten minutes or less.",
    how: "Every stored successful run attempt on any branch (failed and cancelled runs stop \
        early and would flatter the figure) with a duration — the source's own figure, else \
        finished − started; queue time is not included (see `ci-queue-time`). Value = the p90 \
        of their minutes (linear interpolation); per workflow the same p90 ranks the evidence. \
        Coverage = successful runs with a duration / successful runs. At least 10 successful \
        runs with a duration, for the repository as a whole.",
    thresholds: "Log scale: 5 minutes or less → 100; 10 minutes → 75, the healthy edge \
        (CircleCI's benchmark); 60 minutes or more → 0 (friction's choice: an hour-long \
        pipeline allows fewer than eight feedback loops in a working day).",
    sources: &[
        "CircleCI, 2023 State of Software Delivery: workflow durations of ten minutes or less (circleci.com/resources/2023-state-of-software-delivery)",
        "GitHub REST API, workflow runs: `run_started_at`, `updated_at`; GitLab pipelines: `duration` (docs.github.com/rest/actions/workflow-runs, docs.gitlab.com/api/pipelines)",
    ],
};

static CURVE: Curve = Curve::log(&[(5.0, 100.0), (10.0, 75.0), (60.0, 0.0)]);

/// Successful runs' durations in minutes, by workflow: what the signal reads,
/// for the roadmap's "cut CI p90" projections.
pub fn workflow_minutes(d: &Delivery) -> BTreeMap<String, Vec<f64>> {
    let mut out: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for (w, m, _) in successful_minutes(d).0 {
        out.entry(w.to_owned()).or_default().push(m);
    }
    out
}

/// (workflow, minutes, citation) of successful runs with a duration, and the
/// number of successful runs.
fn successful_minutes(d: &Delivery) -> (Vec<(&str, f64, Cite)>, usize) {
    let mut successful = 0;
    let mut out = Vec::new();
    for r in d.runs.iter().filter(|r| r.outcome() == CiResult::Success) {
        successful += 1;
        if let Some(s) = ci::run_seconds(r) {
            out.push((ci::workflow(r), s / 60.0, r.cite));
        }
    }
    (out, successful)
}

impl crate::Signal for CiDuration {
    fn id(&self) -> &'static str {
        "ci-duration"
    }
    fn family(&self) -> Family {
        Family::Delivery
    }
    fn weight(&self) -> f64 {
        0.04
    }
    fn unit(&self) -> &'static str {
        "minutes (p90)"
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

impl CiDuration {
    fn measured(&self, ctx: &Context<'_>) -> Result<Measured, String> {
        let d = ci::repository_runs(ctx)?;
        if let Some(v) = ctx.value_override(crate::Signal::id(self)) {
            return Ok(ci::what_if(v));
        }
        let (runs, successful) = successful_minutes(d);
        ci::enough(
            runs.len(),
            "successful runs with a duration",
            ci::INGEST_RUNS,
        )?;
        let mut by_workflow: BTreeMap<&str, ci::Minutes> = BTreeMap::new();
        for &(w, m, c) in &runs {
            by_workflow.entry(w).or_default().add(m, c);
        }
        let workflows = by_workflow.len();
        let evidence = ci::p90_evidence(d, "workflow", by_workflow, |n, median, slowest| {
            format!(
                "p90 minutes over {n} successful runs (median {median:.1}); the slowest took {slowest:.1}"
            )
        });
        let (value, median, sample) = ci::quantile_sample(runs.iter().map(|x| x.1).collect(), 0.9)
            .ok_or("no successful run")?;
        Ok(Measured {
            value,
            coverage: runs.len() as f64 / successful as f64,
            figures: vec![
                figure("successful runs", runs.len() as f64, "runs with a duration"),
                figure("median", round2(median), "minutes"),
                figure("workflows", workflows as f64, "workflows"),
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
    use crate::delivery::CiResult::*;

    #[test]
    fn p90_of_successful_runs_with_the_slowest_workflow_first() {
        let mut d = delivery();
        // `ci`: ten successful runs of 1..=10 minutes on any branch.
        for id in 1..=10u32 {
            let branch = if id % 2 == 0 { "main" } else { "topic" };
            let mut r = run(id, 1, branch, "push", Success);
            r.duration = Some(f64::from(id) * 60.0);
            d.runs.push(r);
        }
        // `docs`: 30 minutes, from its timestamps (no duration figure).
        let mut r = run(11, 1, "main", "push", Success);
        r.workflow = "docs".into();
        r.finished = r.started.map(|s| s + 1800);
        d.runs.push(r);
        // Failed, in-progress and unknown runs never count, however long.
        for (id, result) in [(12, Failure), (13, InProgress), (14, Unknown)] {
            let mut r = run(id, 1, "main", "push", result);
            r.duration = Some(7200.0);
            d.runs.push(r);
        }
        // A successful run without times lowers the coverage.
        let mut r = run(15, 1, "main", "push", Success);
        (r.started, r.finished) = (None, None);
        d.runs.push(r);
        let m = measured(measure(&CiDuration, &data(1, &[&[0]], d.clone())));
        // Minutes 1..=10 and 30: p90 at position 9 of 0..10 → 10.
        assert_eq!(m.value, 10.0);
        assert_eq!(figure_value(&m, "successful runs"), 11.0);
        assert_eq!(figure_value(&m, "median"), 6.0);
        assert!((m.coverage - 11.0 / 12.0).abs() < 1e-12);
        assert_eq!(m.evidence[0].id, "docs");
        assert_eq!(m.evidence[0].value, 30.0);
        assert_eq!(m.evidence[0].cite.as_deref(), Some("runs.json record 11"));
        // `ci`: p90 of 1..=10 = 9.1.
        assert_eq!(m.evidence[1].value, 9.1);
        assert_eq!(workflow_minutes(&d)["ci"].len(), 10);
    }

    #[test]
    fn too_few_successful_runs_are_not_measured() {
        let mut d = delivery();
        for id in 1..=9 {
            d.runs.push(run(id, 1, "main", "push", Success));
        }
        d.runs.push(run(10, 1, "main", "push", Failure));
        let why = not_measured(measure(&CiDuration, &data(1, &[&[0]], d)));
        assert!(
            why.starts_with("only 9 successful runs with a duration (10 needed)"),
            "{why}"
        );
    }
}
