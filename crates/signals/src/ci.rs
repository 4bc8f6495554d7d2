//! What the CI, test and coverage signals share: where their facts come
//! from, the repository-scope rule (a CI run belongs to the repository, not
//! to a component or a team), minimum samples with the command that provides
//! the data, the default branch, and per-run figures (duration, re-runs).

use std::collections::BTreeMap;

use crate::delivery::{Cite, Delivery, Run};
use crate::{Context, Evidence, Figure, Measured, Sample, ScopeKind};

/// Why a CI signal is not measured for a component or a team.
pub(crate) const REPOSITORY_ONLY: &str = "measured for the repository as a whole";

/// Fewest runs (or jobs, or tests) a rate or a percentile is computed from
/// (friction's choice: below ten, one run moves a rate by more than ten
/// points and a p90 is the maximum).
pub(crate) const MIN_SAMPLE: usize = 10;

/// How to provide CI runs.
pub(crate) const INGEST_RUNS: &str = "ingest a CI runs export: `friction ingest runs.json` \
    (GitHub: `gh api --paginate 'repos/OWNER/REPO/actions/runs?per_page=100' > runs.json`)";
/// How to provide CI jobs.
pub(crate) const INGEST_JOBS: &str = "ingest the jobs of the runs: `friction ingest jobs.json` \
    (GitHub: `gh api --paginate 'repos/OWNER/REPO/actions/runs/RUN_ID/jobs?filter=all&per_page=100'`)";
/// How to provide test results.
pub(crate) const INGEST_TESTS: &str = "ingest JUnit XML reports of several CI runs: `friction ingest --commit SHA build/test-results/`";
/// How to provide coverage.
pub(crate) const INGEST_COVERAGE: &str =
    "ingest a coverage report (lcov, Cobertura, JaCoCo): `friction ingest --commit SHA lcov.info`";

/// What the assessed commit's tree shows of security practice, for a
/// repository-wide signal, or why it cannot measure.
pub(crate) fn repository_practice<'a>(ctx: &Context<'a>) -> Result<&'a crate::Practice, String> {
    if ctx.scope.kind != ScopeKind::Repository {
        return Err(REPOSITORY_ONLY.into());
    }
    ctx.data.practice.as_ref().ok_or_else(|| {
        "the assessed commit's tree was not read (a store without its repository)".into()
    })
}

/// The delivery facts of a repository-wide signal, or why it cannot measure:
/// another scope, or no fact of the kind `has` looks for (`what` names it,
/// `missing` says how to provide it).
pub(crate) fn repository_facts<'a>(
    ctx: &Context<'a>,
    has: impl Fn(&Delivery) -> bool,
    what: &str,
    missing: &str,
) -> Result<&'a Delivery, String> {
    if ctx.scope.kind != ScopeKind::Repository {
        return Err(REPOSITORY_ONLY.into());
    }
    ctx.data
        .delivery
        .as_ref()
        .filter(|d| has(d))
        .ok_or_else(|| format!("{what}: none in the window; {missing}"))
}

/// The delivery facts of a repository-wide signal of CI runs.
pub(crate) fn repository_runs<'a>(ctx: &Context<'a>) -> Result<&'a Delivery, String> {
    repository_facts(ctx, |d| !d.runs.is_empty(), "CI runs", INGEST_RUNS)
}

/// `Err` naming the count when `n` is below [`MIN_SAMPLE`].
pub(crate) fn enough(n: usize, what: &str, how: &str) -> Result<(), String> {
    if n < MIN_SAMPLE {
        Err(format!("only {n} {what} ({MIN_SAMPLE} needed); {how}"))
    } else {
        Ok(())
    }
}

/// A what-if value set by a roadmap step (no figures, no evidence).
pub(crate) fn what_if(value: f64) -> Measured {
    Measured {
        value,
        coverage: 1.0,
        figures: Vec::new(),
        evidence: Vec::new(),
        sample: Sample::Fixed,
    }
}

pub(crate) fn figure(name: &str, value: f64, unit: impl Into<String>) -> Figure {
    Figure {
        name: name.into(),
        value,
        unit: unit.into(),
    }
}

/// The default branch (the loader's: the branch most pull requests target,
/// else the one most push-triggered runs built) and how figures name it, or
/// why there is none.
pub(crate) fn default_branch(d: &Delivery) -> Result<(&str, String), String> {
    let branch = d
        .default_branch
        .as_deref()
        .filter(|b| !b.is_empty())
        .ok_or("the default branch is unknown: no pull request names its base and no run was triggered by a push")?;
    Ok((branch, format!("`{branch}`")))
}

/// The minutes of one group (a workflow, a runner label set), with the
/// longest one's citation.
#[derive(Default)]
pub(crate) struct Minutes {
    values: Vec<f64>,
    longest: Option<(f64, Cite)>,
}

impl Minutes {
    pub(crate) fn add(&mut self, minutes: f64, cite: Cite) {
        self.values.push(minutes);
        if self.longest.is_none_or(|(m, _)| minutes > m) {
            self.longest = Some((minutes, cite));
        }
    }
}

/// Per group: evidence valued at the group's p90, citing its longest unit;
/// `label` words it from (units, median, longest).
pub(crate) fn p90_evidence(
    d: &Delivery,
    kind: &str,
    groups: BTreeMap<&str, Minutes>,
    label: impl Fn(usize, f64, f64) -> String,
) -> Vec<Evidence> {
    groups
        .into_iter()
        .filter_map(|(name, mut g)| {
            let n = g.values.len();
            let p90 = select_quantile(&mut g.values, 0.9)?;
            let median = select_quantile(&mut g.values, 0.5)?;
            let (longest, cite) = g.longest?;
            Some(Evidence {
                kind: kind.into(),
                id: name.to_owned(),
                value: crate::round2(p90),
                label: label(n, median, longest),
                cite: Some(d.cite(cite)),
            })
        })
        .collect()
}

/// [`crate::quantile`] without sorting: the two order statistics around
/// the position, by selection (linear time, for per-group evidence over
/// large exports).
fn select_quantile(v: &mut [f64], q: f64) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    let pos = q.clamp(0.0, 1.0) * (v.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let (_, a, above) = v.select_nth_unstable_by(lo, f64::total_cmp);
    let a = *a;
    let b = if pos > lo as f64 {
        above.iter().copied().min_by(f64::total_cmp).unwrap_or(a)
    } else {
        a
    };
    Some(a + (b - a) * (pos - lo as f64))
}

/// The most values a percentile's interval resamples (friction's choice:
/// beyond ten thousand, the interval is already narrow, and a million CI
/// jobs resampled 200 times would cost seconds).
pub(crate) const MAX_RESAMPLED: usize = 10_000;

/// The `q`-quantile and the median of `values`, and the sample its interval
/// resamples: every value, or at most [`MAX_RESAMPLED`] evenly spaced ones
/// of the sorted values (the same distribution, a slightly wider interval).
pub(crate) fn quantile_sample(mut values: Vec<f64>, q: f64) -> Option<(f64, f64, Sample)> {
    let value = crate::quantile(&mut values, q)?;
    let median = crate::quantile(&mut values, 0.5)?;
    let n = values.len();
    if n > MAX_RESAMPLED {
        values = (0..MAX_RESAMPLED)
            .map(|i| values[i * (n - 1) / (MAX_RESAMPLED - 1)])
            .collect();
    }
    Some((value, median, Sample::Quantile { values, q }))
}

/// Whether a run was triggered by a pull or merge request (its branch is the
/// request's head, which may be a fork's `main`).
pub(crate) fn pull_request_run(r: &Run) -> bool {
    matches!(
        r.event.as_str(),
        "pull_request"
            | "pull_request_target"
            | "merge_request_event"
            | "external_pull_request_event"
            | "merge_group"
    )
}

/// A run on the default branch itself (not a pull request's run that
/// happens to carry the branch name).
pub(crate) fn default_branch_run(r: &Run, branch: &str) -> bool {
    r.branch == branch && !pull_request_run(r)
}

/// The workflow a run belongs to, as evidence names it.
pub(crate) fn workflow(r: &Run) -> &str {
    if r.workflow.is_empty() {
        "(pipeline)"
    } else {
        &r.workflow
    }
}

/// Seconds a run took: the source's duration, else finished − started.
pub(crate) fn run_seconds(r: &Run) -> Option<f64> {
    r.duration
        .or_else(|| r.started.zip(r.finished).map(|(s, f)| (f - s) as f64))
        .filter(|s| *s >= 0.0)
}

/// A run's re-runs: attempts after the first, and jobs retried inside one
/// attempt.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Reruns {
    /// The highest stored attempt − 1 (GitHub's `run_attempt`).
    pub attempts: u32,
    /// Job runs beyond the first of the same name in the same attempt
    /// (GitLab's retried jobs, exported with `include_retried`).
    pub jobs: u32,
    /// The record of the run's highest stored attempt, in [`Delivery::runs`].
    pub latest: usize,
}

impl Reruns {
    pub(crate) fn total(self) -> u32 {
        self.attempts + self.jobs
    }
}

/// Per run id (every run of the export, re-run or not): its re-runs.
pub(crate) fn reruns(d: &Delivery) -> BTreeMap<&str, Reruns> {
    let mut out: BTreeMap<&str, Reruns> = BTreeMap::new();
    for (k, r) in d.runs.iter().enumerate() {
        let e = out.entry(r.id.as_str()).or_insert(Reruns {
            latest: k,
            ..Reruns::default()
        });
        let attempts = r.attempt.max(1) - 1;
        if attempts >= e.attempts {
            e.attempts = attempts;
            e.latest = k;
        }
    }
    // Jobs come sorted by (run, attempt, id): one attempt's jobs are
    // contiguous, so a set of its names finds the retried ones in one pass.
    let mut names: std::collections::HashSet<&str> = std::collections::HashSet::new();
    let mut attempt: Option<(&str, u32)> = None;
    for j in &d.jobs {
        let this = (&*j.run_id, j.attempt.max(1));
        if attempt != Some(this) {
            attempt = Some(this);
            names.clear();
        }
        if !names.insert(&*j.name)
            && let Some(e) = out.get_mut(this.0)
        {
            e.jobs += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selected_quantiles_equal_sorted_ones() {
        let v = [7.0, 1.0, 4.0, 4.0, 9.5, 2.0, 3.0];
        for q in [0.0, 0.1, 0.5, 0.9, 0.95, 1.0] {
            let sorted = crate::quantile(&mut v.clone(), q);
            assert_eq!(select_quantile(&mut v.clone(), q), sorted, "q {q}");
        }
        assert_eq!(select_quantile(&mut [], 0.5), None);
    }

    #[test]
    fn a_large_percentile_sample_keeps_the_value_and_thins_what_it_resamples() {
        let values: Vec<f64> = (0..100_001).rev().map(f64::from).collect();
        let (p90, median, sample) = quantile_sample(values, 0.9).unwrap();
        assert_eq!((p90, median), (90_000.0, 50_000.0));
        assert_eq!(sample.units(), MAX_RESAMPLED);
        // Evenly spaced order statistics: the same p90 within a spacing.
        assert!((sample.value(None).unwrap() - 90_000.0).abs() <= 10.0);
        let (_, _, small) = quantile_sample(vec![3.0, 1.0, 2.0], 0.5).unwrap();
        assert_eq!(small.units(), 3);
    }
}

#[cfg(test)]
pub(crate) mod fixture {
    //! Hand-built facts for the CI, test and coverage signals' tests.

    use crate::delivery::{CiResult, Cite, Delivery, Run, Source};
    use crate::{Change, Commit, Context, Data, File, Outcome, Overrides, Scope, Signal};

    pub const HOUR: i64 = 3600;

    /// A run with its outcome; times in hours from 0.
    pub fn run(id: u32, attempt: u32, branch: &str, event: &str, result: CiResult) -> Run {
        Run {
            id: id.to_string(),
            attempt,
            workflow: "ci".into(),
            event: event.into(),
            branch: branch.into(),
            head_sha: format!("{id:040}"),
            result: Some(result),
            created: Some(i64::from(id) * HOUR),
            started: Some(i64::from(id) * HOUR),
            finished: Some(i64::from(id) * HOUR + 600),
            duration: None,
            queued: None,
            cite: Cite {
                source: 0,
                record: u64::from(id),
                line: None,
            },
        }
    }

    /// Facts with `main` as the default branch, read from `runs.json`.
    pub fn delivery() -> Delivery {
        Delivery {
            scope: "github:o/r".into(),
            default_branch: Some("main".into()),
            sources: vec![Source {
                path: "runs.json".into(),
                format: "github".into(),
                sha256: String::new(),
            }],
            ..Delivery::default()
        }
    }

    /// Files `src/f0.rs` … (health 5, 100 code lines), one commit per entry
    /// of `commits` (the files it changes), a window over all of them.
    pub fn data(files: usize, commits: &[&[usize]], delivery: Delivery) -> Data {
        let files: Vec<File> = (0..files)
            .map(|i| File {
                path: format!("src/f{i}.rs"),
                file_id: format!("id{i}"),
                component: "src".into(),
                test: false,
                code_lines: 100,
                health: Some(5.0),
                owned: None,
            })
            .collect();
        let cs: Vec<Commit> = (0..commits.len())
            .map(|k| Commit {
                id: format!("{k:040}"),
                time: 10 + k as i64,
                author: "a@x".into(),
                fix: false,
                ai: false,
            })
            .collect();
        let changes = commits
            .iter()
            .enumerate()
            .flat_map(|(k, fs)| {
                fs.iter().map(move |f| Change {
                    commit: k as u32,
                    file_id: format!("id{f}"),
                    added: 1,
                    deleted: 0,
                    created: false,
                    file: None,
                    key: 0,
                })
            })
            .collect();
        let mut d = Data::new(
            0,
            1_000_000,
            12,
            "salt".into(),
            files,
            cs,
            changes,
            None,
            None,
            true,
        );
        d.delivery = Some(delivery);
        d
    }

    /// The signal's outcome over the whole repository.
    pub fn measure(s: &dyn Signal, data: &Data) -> Outcome {
        let scope = Scope::repository();
        let none = Overrides::default();
        s.measure(&Context::new(data, &scope, &none))
    }

    /// The signal's outcome for a component holding the first file.
    pub fn measure_component(s: &dyn Signal, data: &Data) -> Outcome {
        let scope = Scope {
            kind: crate::ScopeKind::Component,
            name: "src".into(),
            files: Some([0].into_iter().collect()),
        };
        let none = Overrides::default();
        s.measure(&Context::new(data, &scope, &none))
    }

    /// The measurement, or a panic naming why there is none.
    pub fn measured(o: Outcome) -> crate::Measured {
        match o {
            Outcome::Measured(m) => m,
            Outcome::NotMeasured(why) => panic!("not measured: {why}"),
        }
    }

    /// The reason, or a panic when it measured.
    pub fn not_measured(o: Outcome) -> String {
        match o {
            Outcome::NotMeasured(why) => why,
            Outcome::Measured(m) => panic!("measured {}", m.value),
        }
    }

    /// The figure with this name.
    pub fn figure_value(m: &crate::Measured, name: &str) -> f64 {
        m.figures
            .iter()
            .find(|f| f.name == name)
            .unwrap_or_else(|| panic!("no figure {name:?} in {:?}", m.figures))
            .value
    }
}
