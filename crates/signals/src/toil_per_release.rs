//! Toil per release: the manual steps it takes to ship.

use std::collections::BTreeMap;

use crate::ci::{self, figure};
use crate::delivery::{CiResult, Cite, Delivery, Job};
use crate::{Context, Curve, Doc, Evidence, Family, Input, Measured, Outcome, Sample, round2};

pub struct ToilPerRelease;

const WEEK: i64 = 7 * 86_400;

static DOC: Doc = Doc {
    title: "Toil per release",
    measures: "Manual CI interventions — manual jobs, runs started by hand, re-runs — per \
        production deployment (or per release tag, when deployments are inferred from tags), \
        or per week when no deployment is known.",
    why: "Every manual step in the path to production is toil in the SRE sense: manual, \
        repetitive, automatable, and growing with the number of releases. It makes releasing \
        slower, riskier and dependent on the people who know the steps, so teams release less \
        often.",
    how: "Over the span of the CI export (its first to its last run): manual jobs (a job whose \
        status is GitLab's `manual`, or that waits for a person: `action_required`, `blocked`), \
        runs triggered by hand (`workflow_dispatch`, `repository_dispatch`; GitLab `web`, `api`, \
        `trigger`, `chat`), and re-runs (attempts after a run's first, and retried jobs, as in \
        `ci-rerun-rate`). Value = interventions / successful production deployments in that \
        span (a figure says whether deployments came from an export or from tags), else per \
        week of the span (friction's choice: the same scale, read as a release a week). The \
        interval resamples weeks. Coverage = interventions with a time / interventions. At least \
        10 runs, for the repository as a whole.",
    thresholds: "Log scale: 1 or fewer → 100 (one approval per release is a deliberate \
        control); 3 → 75, the healthy edge; 20 or more → 0 (friction's choice: no published \
        count exists; the SRE book caps toil at half of an engineer's time, and twenty manual \
        steps make a release a procedure someone must run by hand).",
    sources: &[
        "Google SRE book, ch. 5 \"Eliminating Toil\": toil is manual, repetitive, automatable, tactical, without enduring value and grows linearly with the service; keep it under 50 % (sre.google/sre-book/eliminating-toil)",
        "GitLab CI: `when: manual` jobs have status `manual`; pipeline `source` (docs.gitlab.com/ci/jobs/job_control)",
        "GitHub Actions: `workflow_dispatch` events and `run_attempt` (docs.github.com/actions/writing-workflows/choosing-when-your-workflow-runs/events-that-trigger-workflows)",
    ],
};

static CURVE: Curve = Curve::log(&[(1.0, 100.0), (3.0, 75.0), (20.0, 0.0)]);

/// A job that waited for a person.
fn manual_job(j: &Job) -> bool {
    j.status.eq_ignore_ascii_case("manual") || j.outcome() == CiResult::Manual
}

/// One intervention: when, what kind, its name, and where it was read.
struct Intervention<'a> {
    time: Option<i64>,
    kind: &'static str,
    name: &'a str,
    cite: Cite,
}

fn interventions(d: &Delivery) -> Vec<Intervention<'_>> {
    let run_time: BTreeMap<&str, Option<i64>> =
        d.runs.iter().map(|r| (r.id.as_str(), r.time())).collect();
    let mut out = Vec::new();
    for j in d.jobs.iter().filter(|j| manual_job(j)) {
        out.push(Intervention {
            time: j
                .created
                .or(j.started)
                .or_else(|| run_time.get(&*j.run_id).copied().flatten()),
            kind: "job",
            name: &j.name,
            cite: j.cite,
        });
    }
    let mut triggered: BTreeMap<&str, usize> = BTreeMap::new();
    for (k, r) in d.runs.iter().enumerate() {
        if r.manual_trigger() {
            triggered.entry(r.id.as_str()).or_insert(k);
        }
    }
    for k in triggered.into_values() {
        let r = &d.runs[k];
        out.push(Intervention {
            time: r.time(),
            kind: "trigger",
            name: ci::workflow(r),
            cite: r.cite,
        });
    }
    for x in ci::reruns(d).into_values() {
        let r = &d.runs[x.latest];
        for _ in 0..x.total() {
            out.push(Intervention {
                time: r.time(),
                kind: "re-run",
                name: ci::workflow(r),
                cite: r.cite,
            });
        }
    }
    out
}

impl crate::Signal for ToilPerRelease {
    fn id(&self) -> &'static str {
        "toil-per-release"
    }
    fn family(&self) -> Family {
        Family::Operations
    }
    fn weight(&self) -> f64 {
        0.15
    }
    fn unit(&self) -> &'static str {
        "interventions per release"
    }
    fn doc(&self) -> &'static Doc {
        &DOC
    }
    fn researched_curve(&self) -> &'static Curve {
        &CURVE
    }
    fn needs(&self) -> &'static [Input] {
        &[Input::CiRuns, Input::Deployments]
    }
    fn measure(&self, ctx: &Context<'_>) -> Outcome {
        self.measured(ctx).into()
    }
}

impl ToilPerRelease {
    fn measured(&self, ctx: &Context<'_>) -> Result<Measured, String> {
        let d = ci::repository_runs(ctx)?;
        if let Some(v) = ctx.value_override(crate::Signal::id(self)) {
            return Ok(ci::what_if(v));
        }
        let runs = ci::reruns(d).len();
        ci::enough(runs, "runs", ci::INGEST_RUNS)?;
        let times: Vec<i64> = d.runs.iter().filter_map(|r| r.time()).collect();
        let (Some(&start), Some(&end)) = (times.iter().min(), times.iter().max()) else {
            return Err("no CI run has a time".into());
        };
        let weeks = ((end - start) / WEEK + 1) as usize;
        let week = |t: i64| ((t - start).max(0) / WEEK) as usize;
        let deploys: Vec<i64> = d
            .production_deploys()
            .map(|p| p.time)
            .filter(|t| (start..=end).contains(t))
            .collect();
        let per = if deploys.is_empty() {
            "weeks"
        } else if d.deploys_inferred {
            "release tags"
        } else {
            "production deployments"
        };
        let mut num = vec![0.0; weeks];
        let mut den = vec![if deploys.is_empty() { 1.0 } else { 0.0 }; weeks];
        for t in &deploys {
            den[week(*t).min(weeks - 1)] += 1.0;
        }
        let all = interventions(d);
        let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
        let mut named: BTreeMap<(&str, &str), (usize, Cite)> = BTreeMap::new();
        let mut timed = 0usize;
        for i in &all {
            *kinds.entry(i.kind).or_default() += 1;
            let e = named.entry((i.kind, i.name)).or_insert((0, i.cite));
            e.0 += 1;
            e.1 = i.cite;
            if let Some(t) = i.time.filter(|t| (start..=end).contains(t)) {
                num[week(t).min(weeks - 1)] += 1.0;
                timed += 1;
            }
        }
        let evidence = named
            .into_iter()
            .map(|((kind, name), (n, cite))| Evidence {
                kind: if kind == "job" { "job" } else { "workflow" }.into(),
                id: name.to_owned(),
                value: n as f64,
                label: match kind {
                    "job" => "times a person had to start this manual job".to_owned(),
                    "trigger" => "runs started by hand".to_owned(),
                    _ => "re-runs (attempts after the first, retried jobs)".to_owned(),
                },
                cite: Some(d.cite(cite)),
            })
            .collect();
        let releases = if deploys.is_empty() {
            weeks
        } else {
            deploys.len()
        };
        let count = |k: &str| kinds.get(k).copied().unwrap_or(0) as f64;
        let sample = Sample::Ratio { num, den };
        let Some(value) = sample.value(None) else {
            return Err("no release in the span of the CI export".into());
        };
        Ok(Measured {
            value,
            coverage: if all.is_empty() {
                1.0
            } else {
                timed as f64 / all.len() as f64
            },
            figures: vec![
                figure("per", releases as f64, per),
                figure("manual jobs", count("job"), "jobs"),
                figure("manual triggers", count("trigger"), "runs"),
                figure("re-runs", count("re-run"), "attempts or retried jobs"),
                figure("span", round2((end - start) as f64 / WEEK as f64), "weeks"),
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
    use crate::delivery::{Deploy, DeployResult};

    fn facts() -> Delivery {
        let mut d = delivery();
        // Twelve runs a day apart over 11 days: two weeks.
        for id in 0..12u32 {
            let mut r = run(id, 1, "main", "push", Success);
            r.created = Some(i64::from(id) * 86_400);
            d.runs.push(r);
        }
        d.runs[3].event = "workflow_dispatch".into();
        d.runs[4].event = "web".into();
        let mut again = d.runs[5].clone();
        again.attempt = 2;
        d.runs.push(again);
        for (id, status, result) in [
            (1, "manual", Manual),
            (2, "success", Success),
            (3, "MANUAL", Skipped),
            (4, "completed", Manual),
        ] {
            d.jobs.push(Job {
                id: id.to_string(),
                run_id: id.to_string().into(),
                attempt: 1,
                name: format!("deploy-{}", id % 2).into(),
                status: status.into(),
                result: Some(result),
                ..Job::default()
            });
        }
        d
    }

    #[test]
    fn interventions_per_week_without_deployments() {
        let m = measured(measure(&ToilPerRelease, &data(1, &[&[0]], facts())));
        // 3 manual jobs + 2 triggers + 1 re-run over 2 weeks.
        assert_eq!(m.value, 3.0);
        assert_eq!(figure_value(&m, "per"), 2.0);
        assert_eq!(m.figures[0].unit, "weeks");
        assert_eq!(figure_value(&m, "manual jobs"), 3.0);
        assert_eq!(figure_value(&m, "manual triggers"), 2.0);
        assert_eq!(figure_value(&m, "re-runs"), 1.0);
        // Ties by name: the hand-started `ci` runs, then the manual job.
        let ids: Vec<(&str, &str, f64)> = m
            .evidence
            .iter()
            .map(|e| (e.kind.as_str(), e.id.as_str(), e.value))
            .collect();
        assert_eq!(
            ids,
            [
                ("workflow", "ci", 2.0),
                ("job", "deploy-1", 2.0),
                ("workflow", "ci", 1.0),
                ("job", "deploy-0", 1.0)
            ]
        );
    }

    #[test]
    fn interventions_per_production_deployment_when_deployments_are_known() {
        let mut d = facts();
        for (k, (env, result)) in [
            ("production", DeployResult::Success),
            ("production", DeployResult::Success),
            ("production", DeployResult::Failure),
            ("staging", DeployResult::Success),
        ]
        .into_iter()
        .enumerate()
        {
            d.deploys.push(Deploy {
                id: k.to_string(),
                sha: String::new(),
                environment: env.into(),
                production: env == "production",
                time: (k as i64 + 1) * 86_400,
                result,
                inferred: false,
                cite: None,
            });
        }
        // A deployment after the CI export's span is not counted.
        let mut late = d.deploys[0].clone();
        late.time = 100 * 86_400;
        d.deploys.push(late);
        let m = measured(measure(&ToilPerRelease, &data(1, &[&[0]], d.clone())));
        assert_eq!(m.value, 3.0);
        assert_eq!(m.figures[0].unit, "production deployments");
        d.deploys_inferred = true;
        let m = measured(measure(&ToilPerRelease, &data(1, &[&[0]], d)));
        assert_eq!(m.figures[0].unit, "release tags");
    }
}
