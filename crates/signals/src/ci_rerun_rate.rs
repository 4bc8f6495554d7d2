//! CI re-run rate: how often someone has to run the pipeline again.

use std::collections::BTreeMap;

use crate::ci::{self, figure};
use crate::{Context, Curve, Doc, Evidence, Family, Input, Measured, Outcome, Sample};

pub struct CiRerunRate;

static DOC: Doc = Doc {
    title: "CI re-run rate",
    measures: "The share of the window's CI runs that someone ran again: a second or later \
        attempt of the run, or a job of it retried.",
    why: "A re-run is a manual intervention: a person noticed a red run, judged it was not their \
        change, and pressed the button. It is the visible cost of flaky tests and unreliable \
        infrastructure, and the SRE definition of toil — manual, repetitive, automatable — fits \
        it exactly.",
    how: "Per run id (GitHub workflow run, GitLab pipeline) on any branch: re-run when its \
        highest stored attempt is above 1 (GitHub's `run_attempt`: an export of runs holds each \
        run's latest attempt) or when a job name appears more than once in the same attempt \
        (GitLab's retried jobs, in a jobs export with retried jobs included). Value = re-run runs \
        / runs × 100; the extra attempts are a figure. At least 10 runs, for the repository as a \
        whole.",
    thresholds: "2 % or less → 100; 5 % → 75, the healthy edge; 25 % or more → 0 (friction's \
        choice: no published benchmark exists; Google's 1.5 % of flaky test runs is the order \
        of re-runs a healthy suite needs, and a quarter of runs re-run means every fourth \
        change waits twice).",
    sources: &[
        "GitHub REST API, workflow runs: `run_attempt`, \"1 for first attempt and higher if the workflow was re-run\" (docs.github.com/rest/actions/workflow-runs)",
        "GitLab REST API, list pipeline jobs: retried jobs only with `include_retried=true` (docs.gitlab.com/api/jobs; gitlab-org/gitlab merge request 48589)",
        "Google SRE book, ch. 5 \"Eliminating Toil\": manual, repetitive, automatable work (sre.google/sre-book/eliminating-toil)",
        "J. Micco, \"Flaky Tests at Google and How We Mitigate Them\", Google Testing Blog, 2016",
    ],
};

static CURVE: Curve = Curve::linear(&[(2.0, 100.0), (5.0, 75.0), (25.0, 0.0)]);

impl crate::Signal for CiRerunRate {
    fn id(&self) -> &'static str {
        "ci-rerun-rate"
    }
    fn family(&self) -> Family {
        Family::Operations
    }
    fn weight(&self) -> f64 {
        0.25
    }
    fn unit(&self) -> &'static str {
        "% of runs re-run"
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

impl CiRerunRate {
    fn measured(&self, ctx: &Context<'_>) -> Result<Measured, String> {
        let d = ci::repository_runs(ctx)?;
        let reruns = ci::reruns(d);
        ci::enough(reruns.len(), "runs", ci::INGEST_RUNS)?;
        let (mut num, mut den) = (Vec::new(), Vec::new());
        // Per workflow: re-run runs, extra attempts, the newest re-run's record.
        let mut workflows: BTreeMap<&str, (usize, u32, usize)> = BTreeMap::new();
        let (mut rerun, mut extra, mut jobs) = (0usize, 0u32, 0u32);
        for x in reruns.values() {
            let again = x.total() > 0;
            num.push(if again { 100.0 } else { 0.0 });
            den.push(1.0);
            if again {
                rerun += 1;
                extra += x.attempts;
                jobs += x.jobs;
                let w = workflows
                    .entry(ci::workflow(&d.runs[x.latest]))
                    .or_insert((0, 0, x.latest));
                w.0 += 1;
                w.1 += x.total();
                w.2 = w.2.max(x.latest);
            }
        }
        let evidence = workflows
            .into_iter()
            .map(|(w, (runs, attempts, latest))| Evidence {
                kind: "workflow".into(),
                id: w.to_owned(),
                value: runs as f64,
                label: format!("runs re-run ({attempts} extra attempts or retried jobs)"),
                cite: Some(d.cite(d.runs[latest].cite)),
            })
            .collect();
        let sample = Sample::Ratio { num, den };
        let Some(value) = sample.value(None) else {
            return Err("no run".into());
        };
        Ok(Measured {
            value,
            coverage: 1.0,
            figures: vec![
                figure("runs", reruns.len() as f64, "runs"),
                figure("re-run runs", rerun as f64, "runs"),
                figure("extra attempts", f64::from(extra), "attempts"),
                figure("retried jobs", f64::from(jobs), "jobs"),
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
    use crate::delivery::Job;

    #[test]
    fn share_of_runs_run_again_by_attempt_or_retried_job() {
        let mut d = delivery();
        for id in 1..=9 {
            d.runs.push(run(id, 1, "main", "push", Success));
        }
        // Run 10: attempts 1 and 3 stored (attempt 2 missing), on a branch.
        d.runs.push(run(10, 1, "topic", "pull_request", Failure));
        d.runs.push(run(10, 3, "topic", "pull_request", Success));
        // Run 11: only its latest attempt (2) exported, still in progress.
        d.runs.push(run(11, 2, "main", "push", InProgress));
        // Run 12: a GitLab pipeline whose `test` job was retried once.
        d.runs.push(run(12, 1, "main", "push", Success));
        for (id, name) in [(1, "test"), (2, "test"), (3, "lint")] {
            d.jobs.push(Job {
                id: id.to_string(),
                run_id: "12".into(),
                attempt: 1,
                name: name.into(),
                ..Job::default()
            });
        }
        // Jobs of two attempts of run 10 are not retried jobs.
        for attempt in [1, 3] {
            d.jobs.push(Job {
                id: format!("a{attempt}"),
                run_id: "10".into(),
                attempt,
                name: "test".into(),
                ..Job::default()
            });
        }
        let m = measured(measure(&CiRerunRate, &data(1, &[&[0]], d)));
        // 12 runs, 3 re-run.
        assert_eq!(m.value, 25.0);
        assert_eq!(figure_value(&m, "runs"), 12.0);
        assert_eq!(figure_value(&m, "re-run runs"), 3.0);
        assert_eq!(figure_value(&m, "extra attempts"), 3.0);
        assert_eq!(figure_value(&m, "retried jobs"), 1.0);
        assert_eq!(m.evidence[0].id, "ci");
        assert_eq!(m.evidence[0].value, 3.0);
        // The newest re-run's latest attempt: run 12 (record 12).
        assert_eq!(m.evidence[0].cite.as_deref(), Some("runs.json record 12"));
    }

    #[test]
    fn too_few_runs_are_not_measured() {
        let mut d = delivery();
        for id in 1..=5 {
            d.runs.push(run(id, 1, "main", "push", Success));
            d.runs.push(run(id, 2, "main", "push", Success));
        }
        let why = not_measured(measure(&CiRerunRate, &data(1, &[&[0]], d)));
        assert!(why.starts_with("only 5 runs (10 needed)"), "{why}");
    }
}
