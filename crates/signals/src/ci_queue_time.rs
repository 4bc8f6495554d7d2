//! CI queue time: how long work waits for a runner.

use std::collections::BTreeMap;

use crate::ci::{self, figure};
use crate::delivery::Cite;
use crate::{Context, Curve, Doc, Family, Input, Measured, Outcome, round2};

pub struct CiQueueTime;

static DOC: Doc = Doc {
    title: "CI queue time",
    measures: "The 90th percentile of the time CI jobs waited for a runner in the window, in \
        minutes; the runner labels with the longest p90 as evidence (runner saturation).",
    why: "Queue time is pure waiting: nobody's change is being built. A long tail says the \
        platform has too few runners of some kind, which delays every change in the \
        organisation at once — a platform bottleneck rather than a team's habit.",
    how: "Per job, the source's queue figure (GitLab `queued_duration`), else started − created \
        (GitHub jobs: queued at `created_at`, picked up at `started_at`); when the export holds no \
        job with a queue time, the first attempts' queue times of the runs are read instead (a \
        figure says which; a re-run keeps its first attempt's creation time). \
        Value = the p90 of the minutes (linear interpolation; the interval resamples at most \
        10,000 evenly spaced values); per runner label set the same \
        p90 ranks the evidence. Coverage = finished jobs with a queue time / finished jobs. At \
        least 10 queue times, for the repository as a whole.",
    thresholds: "Log scale: 1 minute or less → 100; 5 minutes → 75, the healthy edge; 30 minutes \
        or more → 0 (friction's choice: no published benchmark exists; a five-minute tail adds \
        half of CircleCI's ten-minute workflow benchmark to every slow run, and half an hour \
        of waiting means runners are a rationed resource).",
    sources: &[
        "GitHub REST API, workflow jobs: `created_at`, `started_at`, `labels`, `runner_group_name` (docs.github.com/rest/actions/workflow-jobs)",
        "GitLab REST API, jobs and pipelines: `queued_duration`, `tag_list` (docs.gitlab.com/api/jobs)",
        "CircleCI, 2023 State of Software Delivery: workflow durations of ten minutes or less",
    ],
};

static CURVE: Curve = Curve::log(&[(1.0, 100.0), (5.0, 75.0), (30.0, 0.0)]);

impl crate::Signal for CiQueueTime {
    fn id(&self) -> &'static str {
        "ci-queue-time"
    }
    fn family(&self) -> Family {
        Family::Operations
    }
    fn weight(&self) -> f64 {
        0.25
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

impl CiQueueTime {
    fn measured(&self, ctx: &Context<'_>) -> Result<Measured, String> {
        let d = ci::repository_facts(
            ctx,
            |d| !d.runs.is_empty() || !d.jobs.is_empty(),
            "CI jobs and runs",
            ci::INGEST_JOBS,
        )?;
        let queued = |q: Option<f64>| q.filter(|s| *s >= 0.0).map(|s| s / 60.0);
        // (minutes, runner labels, citation, finished with an outcome).
        let mut units: Vec<(f64, &str, Cite)> = Vec::new();
        let (mut finished, mut finished_with) = (0usize, 0usize);
        let from_jobs = d.jobs.iter().any(|j| queued(j.queued).is_some());
        if from_jobs {
            for j in &d.jobs {
                let m = queued(j.queued);
                if j.outcome().decided() {
                    finished += 1;
                    finished_with += usize::from(m.is_some());
                }
                if let Some(m) = m {
                    units.push((m, &*j.runner_labels, j.cite));
                }
            }
        } else {
            // A re-run's attempt keeps its first attempt's creation time
            // (GitHub), so started − created would count the time between
            // the attempts: only first attempts are read.
            for r in d.runs.iter().filter(|r| r.attempt <= 1) {
                let m = queued(r.queued);
                if r.outcome().decided() {
                    finished += 1;
                    finished_with += usize::from(m.is_some());
                }
                if let Some(m) = m {
                    units.push((m, "", r.cite));
                }
            }
        }
        let what = if from_jobs {
            "jobs with a queue time"
        } else {
            "runs with a queue time (no job has one)"
        };
        ci::enough(units.len(), what, ci::INGEST_JOBS)?;
        let mut by_label: BTreeMap<&str, ci::Minutes> = BTreeMap::new();
        for &(m, l, c) in units.iter().filter(|u| !u.1.is_empty()) {
            by_label.entry(l).or_default().add(m, c);
        }
        let labels = by_label.len();
        let evidence = ci::p90_evidence(d, "runner-label", by_label, |n, _, longest| {
            format!("p90 queue minutes over {n} jobs; the longest waited {longest:.1}")
        });
        let (value, median, sample) =
            ci::quantile_sample(units.iter().map(|u| u.0).collect(), 0.9).ok_or("no queue time")?;
        Ok(Measured {
            value,
            coverage: if finished == 0 {
                1.0
            } else {
                finished_with as f64 / finished as f64
            },
            figures: vec![
                figure(
                    if from_jobs { "jobs" } else { "runs" },
                    units.len() as f64,
                    "with a queue time",
                ),
                figure("median", round2(median), "minutes"),
                figure("runner label sets", labels as f64, "label sets"),
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
    use crate::delivery::CiResult::{self, *};
    use crate::delivery::Job;

    fn job(id: u32, minutes: Option<f64>, labels: &str, result: CiResult) -> Job {
        Job {
            id: id.to_string(),
            run_id: "1".into(),
            attempt: 1,
            name: format!("j{id}").into(),
            result: Some(result),
            queued: minutes.map(|m| m * 60.0),
            runner_labels: labels.into(),
            cite: Cite {
                source: 0,
                record: u64::from(id),
                line: None,
            },
            ..Job::default()
        }
    }

    #[test]
    fn p90_of_job_queue_times_with_the_most_saturated_label_first() {
        let mut d = delivery();
        for id in 1..=9u32 {
            d.jobs
                .push(job(id, Some(f64::from(id)), "ubuntu-latest", Success));
        }
        d.jobs.push(job(10, Some(20.0), "gpu", Failure));
        d.jobs.push(job(11, Some(0.0), "gpu", Cancelled));
        // A finished job without a queue time lowers the coverage; one still
        // queued has none and is no finished job.
        d.jobs.push(job(12, None, "gpu", Success));
        d.jobs.push(job(13, None, "gpu", InProgress));
        // Runs' queue times are not read when jobs have them.
        let mut r = run(1, 1, "main", "push", Success);
        r.queued = Some(99_999.0);
        d.runs.push(r);
        let m = measured(measure(&CiQueueTime, &data(1, &[&[0]], d)));
        // Minutes 0, 1..=9, 20: p90 at position 9 of 0..10 → 9.
        assert_eq!(m.value, 9.0);
        assert_eq!(figure_value(&m, "jobs"), 11.0);
        assert!((m.coverage - 10.0 / 11.0).abs() < 1e-12);
        assert_eq!(m.evidence[0].id, "gpu");
        // p90 of 0 and 20 = 18.
        assert_eq!(m.evidence[0].value, 18.0);
        assert_eq!(m.evidence[0].cite.as_deref(), Some("runs.json record 10"));
        assert_eq!(m.evidence[1].id, "ubuntu-latest");
    }

    #[test]
    fn runs_are_read_when_no_job_has_a_queue_time() {
        let mut d = delivery();
        for id in 1..=10u32 {
            let mut r = run(id, 1, "main", "push", Success);
            r.queued = Some(f64::from(id) * 60.0);
            d.runs.push(r);
        }
        d.jobs.push(job(1, None, "x", Success));
        // A re-run's attempt: created with its first attempt, a day ago.
        let mut again = run(10, 2, "main", "push", Success);
        again.queued = Some(86_400.0);
        d.runs.push(again);
        let m = measured(measure(&CiQueueTime, &data(1, &[&[0]], d.clone())));
        assert_eq!(figure_value(&m, "runs"), 10.0);
        assert!((m.value - 9.1).abs() < 1e-9);
        d.runs.retain(|r| r.id != "10");
        let why = not_measured(measure(&CiQueueTime, &data(1, &[&[0]], d)));
        assert!(
            why.starts_with("only 9 runs with a queue time (no job has one) (10 needed)"),
            "{why}"
        );
    }
}
