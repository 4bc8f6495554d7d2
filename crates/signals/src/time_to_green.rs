//! Time to green: how long the default branch stays red once it breaks.

use std::collections::BTreeMap;

use crate::ci::{self, figure};
use crate::delivery::{CiResult, Run};
use crate::{Context, Curve, Doc, Evidence, Family, Input, Measured, Outcome, Sample, round2};

pub struct TimeToGreen;

/// Fewest recoveries a median is computed from (friction's choice: one or
/// two red periods are anecdotes).
const MIN_RECOVERIES: usize = 3;

static DOC: Doc = Doc {
    title: "Time to green",
    measures: "The median time the default branch stayed red in the window: from the first \
        failed run after a success to the next successful run of the same workflow, in hours.",
    why: "While the default branch is red, nobody can trust it: merges queue up or go in \
        unverified, and releases wait. How fast a team brings it back — fix or revert — is its \
        recovery reflex. CircleCI's State of Software Delivery reports find the most successful \
        teams recover from a failed run in under an hour.",
    how: "Per workflow (GitLab pipelines form one stream), the decided runs on the default \
        branch (pull-request runs excluded; cancelled, skipped, in-progress and unknown runs \
        neither break nor heal it), in order of finishing (a re-run's later attempt finishes \
        later). A red period starts when a run fails after a success and ends at the next \
        success; its length runs from the failed run's finish to the successful run's finish. \
        Failures before the first success (the start is unknown) and periods still red when the \
        export ends are counted in figures, not in the median. At least 10 decided runs and 3 \
        recoveries, for the repository as a whole.",
    thresholds: "Log scale: 30 minutes or less → 100; 1 hour → 75, the healthy edge \
        (CircleCI's benchmark); 8 hours → 50, the alert edge (friction's choice: red for a \
        working day); 48 hours or more → 0.",
    sources: &[
        "CircleCI, 2023 State of Software Delivery: recovery from a failed run in under an hour (circleci.com/resources/2023-state-of-software-delivery)",
        "DORA, failed deployment recovery time (dora.dev/guides/dora-metrics-four-keys): the same reflex for deployments",
    ],
};

static CURVE: Curve = Curve::log(&[(0.5, 100.0), (1.0, 75.0), (8.0, 50.0), (48.0, 0.0)]);

/// When a run's outcome was known.
fn finished(r: &Run) -> Option<i64> {
    r.finished.or(r.time())
}

impl crate::Signal for TimeToGreen {
    fn id(&self) -> &'static str {
        "time-to-green"
    }
    fn family(&self) -> Family {
        Family::Operations
    }
    fn weight(&self) -> f64 {
        0.20
    }
    fn unit(&self) -> &'static str {
        "hours (median)"
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

impl TimeToGreen {
    fn measured(&self, ctx: &Context<'_>) -> Result<Measured, String> {
        let d = ci::repository_runs(ctx)?;
        let (branch, on) = ci::default_branch(d)?;
        let mut streams: BTreeMap<&str, Vec<(i64, &Run)>> = BTreeMap::new();
        let mut untimed = 0usize;
        for r in d
            .runs
            .iter()
            .filter(|r| ci::default_branch_run(r, branch) && r.outcome().decided())
        {
            match finished(r) {
                Some(t) => streams.entry(ci::workflow(r)).or_default().push((t, r)),
                None => untimed += 1,
            }
        }
        let decided: usize = streams.values().map(Vec::len).sum::<usize>() + untimed;
        ci::enough(decided, &format!("decided runs on {on}"), ci::INGEST_RUNS)?;
        let (mut hours, mut evidence) = (Vec::new(), Vec::new());
        let (mut unknown_start, mut still_red) = (0usize, 0usize);
        for (w, runs) in &mut streams {
            runs.sort_by(|a, b| {
                a.0.cmp(&b.0)
                    .then_with(|| a.1.id.cmp(&b.1.id))
                    .then(a.1.attempt.cmp(&b.1.attempt))
            });
            let mut seen_success = false;
            let mut red_since: Option<(i64, &Run)> = None;
            let mut leading_red = false;
            for &(t, r) in runs.iter() {
                match r.outcome() {
                    CiResult::Failure if seen_success => {
                        red_since.get_or_insert((t, r));
                    }
                    CiResult::Failure => leading_red = true,
                    _ => {
                        if let Some((start, failed)) = red_since.take() {
                            let h = (t - start).max(0) as f64 / 3600.0;
                            hours.push(h);
                            evidence.push(Evidence {
                                kind: "run".into(),
                                id: format!("{w} #{}", failed.id),
                                value: round2(h),
                                label: format!("hours red on {on} until run #{} succeeded", r.id),
                                cite: Some(d.cite(failed.cite)),
                            });
                        }
                        seen_success = true;
                    }
                }
            }
            unknown_start += usize::from(leading_red);
            still_red += usize::from(red_since.is_some());
        }
        let recoveries = hours.len();
        if recoveries < MIN_RECOVERIES {
            return Err(format!(
                "only {recoveries} recoveries from red on {on} ({MIN_RECOVERIES} needed): \
                 the branch rarely broke in the window, or the export is too short"
            ));
        }
        let sample = Sample::Quantile {
            values: hours,
            q: 0.5,
        };
        let Some(value) = sample.value(None) else {
            return Err("no recovery".into());
        };
        Ok(Measured {
            value,
            coverage: (decided - untimed) as f64 / decided as f64,
            figures: vec![
                figure(
                    "recoveries",
                    recoveries as f64,
                    format!("red periods on {on}"),
                ),
                figure("still red at the end", still_red as f64, "workflows"),
                figure(
                    "red before the first success (left out)",
                    unknown_start as f64,
                    "workflows",
                ),
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

    /// A run of workflow `w` finishing at `hours`.
    fn at(id: u32, attempt: u32, w: &str, branch: &str, hours: f64, result: CiResult) -> Run {
        let mut r = run(id, attempt, branch, "push", result);
        r.workflow = w.into();
        r.finished = Some((hours * 3600.0) as i64);
        r
    }

    #[test]
    fn median_red_period_per_workflow_on_the_default_branch() {
        let mut d = delivery();
        d.runs = vec![
            // `ci`: red before any success (left out), green, red at 2 h,
            // still red at 3 h (in progress and unknown change nothing), a
            // re-run's attempt 2 green at 6 h: 4 hours red.
            at(1, 1, "ci", "main", 0.0, Failure),
            at(2, 1, "ci", "main", 1.0, Success),
            at(3, 1, "ci", "main", 2.0, Failure),
            at(4, 1, "ci", "main", 2.5, InProgress),
            at(5, 1, "ci", "main", 2.7, Unknown),
            at(6, 1, "ci", "main", 3.0, Failure),
            at(6, 2, "ci", "main", 6.0, Success),
            // A failure on another branch or a pull request breaks nothing.
            at(7, 1, "ci", "topic", 6.5, Failure),
            // `ci` again: 30 minutes red, then red until the end.
            at(8, 1, "ci", "main", 7.0, Failure),
            at(9, 1, "ci", "main", 7.5, Success),
            at(10, 1, "ci", "main", 8.0, Failure),
            // `docs`: its own stream; `ci` being red does not make it red.
            at(11, 1, "docs", "main", 0.5, Success),
            at(12, 1, "docs", "main", 1.0, Failure),
            at(13, 1, "docs", "main", 1.0, Failure),
            at(14, 1, "docs", "main", 2.0, Success),
        ];
        let mut pr = at(15, 1, "ci", "main", 9.0, Failure);
        pr.event = "pull_request".into();
        d.runs.push(pr);
        let m = measured(measure(&TimeToGreen, &data(1, &[&[0]], d)));
        // Recoveries: ci 4 h and 0.5 h, docs 1 h → median 1 h.
        assert_eq!(m.value, 1.0);
        assert_eq!(figure_value(&m, "recoveries"), 3.0);
        assert_eq!(figure_value(&m, "still red at the end"), 1.0);
        assert_eq!(
            figure_value(&m, "red before the first success (left out)"),
            1.0
        );
        assert_eq!(m.evidence[0].id, "ci #3");
        assert_eq!(m.evidence[0].value, 4.0);
        assert_eq!(m.evidence[0].cite.as_deref(), Some("runs.json record 3"));
        assert_eq!(m.evidence[1].id, "docs #12");
    }

    #[test]
    fn fewer_than_three_recoveries_are_not_measured() {
        let mut d = delivery();
        for id in 1..=10 {
            d.runs.push(at(id, 1, "ci", "main", f64::from(id), Success));
        }
        d.runs.push(at(11, 1, "ci", "main", 11.0, Failure));
        d.runs.push(at(12, 1, "ci", "main", 12.0, Success));
        let why = not_measured(measure(&TimeToGreen, &data(1, &[&[0]], d)));
        assert!(
            why.starts_with("only 1 recoveries from red on `main` (3 needed)"),
            "{why}"
        );
    }
}
