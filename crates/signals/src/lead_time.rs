//! DORA's change lead time: commit → first successful production deployment
//! containing it.

use crate::dora::{self, HOUR};
use crate::{Context, Curve, Doc, Family, Input, Measured, Outcome, Sample};

pub struct LeadTime;

/// Fewer deployed commits than this give no lead time (friction's choice:
/// the smallest sample whose median has a meaningful interval).
pub(crate) const MIN_COMMITS: usize = 5;

static DOC: Doc = Doc {
    title: "Lead time for changes",
    measures: "DORA's change lead time: the median time from a commit to the first successful \
        production deployment that contains it, over the window's commits that were deployed.",
    why: "Lead time is DORA's first throughput key: how long a finished change waits before \
        users have it. Long lead times mean large batches, slow feedback and risky releases; \
        DORA finds the fastest teams are also the most stable.",
    how: "For every commit of the window (counted, not by a bot; author time, UTC) the time of \
        the first successful production deployment whose commit contains it by git ancestry \
        (a deployment export's production environment, else release tags with `[inputs] \
        deploy_tags` or published releases, labelled inferred). The value is the median of \
        those durations in hours (p75 and DORA 2024's cluster as figures); commits not yet \
        deployed at the end of the data are left out and counted, as are durations below zero \
        (clock skew), which fourkeys also ignores. Repository scope only: a deployment ships \
        the whole repository. At least 5 deployed commits.",
    thresholds: "Log scale on DORA's 2024 clusters (the same in DevLake's encoded benchmarks): \
        1 day or less → 100 (elite: less than one day), 1 week → 75 (high: one day to one \
        week, the healthy band's edge), 1 month (730 h) → 50 (medium: one week to one month), \
        6 months (4,380 h) or more → 0 (low: one to six months).",
    sources: &[
        "DORA, \"DORA's software delivery metrics: the four keys\" — change lead time (dora.dev/guides/dora-metrics-four-keys)",
        "DORA 2024 Accelerate State of DevOps report, p. 13: performance clusters (services.google.com/fh/files/misc/2024_final_dora_report.pdf)",
        "Apache DevLake dora_benchmarks (backend/plugins/dora/models/migrationscripts/20240223_add_dora_2023_benchmark.go)",
        "dora-team/fourkeys queries: lead time per (deployment, change), values ≤ 0 ignored",
    ],
};

static CURVE: Curve = Curve::log(&[(24.0, 100.0), (168.0, 75.0), (730.0, 50.0), (4380.0, 0.0)]);

/// DORA 2024's lead-time cluster of a duration in hours.
fn cluster(hours: f64) -> u8 {
    match hours {
        h if h < 24.0 => 1,
        h if h < 168.0 => 2,
        h if h < 730.0 => 3,
        _ => 4,
    }
}

impl crate::Signal for LeadTime {
    fn id(&self) -> &'static str {
        "lead-time-for-changes"
    }
    fn family(&self) -> Family {
        Family::Delivery
    }
    fn weight(&self) -> f64 {
        0.10
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
        &[Input::History, Input::Deployments]
    }
    fn measure(&self, ctx: &Context<'_>) -> Outcome {
        let d = match dora::facts_or(ctx, self.id(), dora::Reads::Deployments) {
            Ok(d) => d,
            Err(outcome) => return *outcome,
        };
        let data = ctx.data;
        if d.commit_deployed.len() != data.commits.len() {
            return Outcome::NotMeasured(format!(
                "no successful production deployment is known: {}",
                dora::DEPLOYS_HOWTO
            ));
        }
        // The deployment a commit's time points at, for its citation (the
        // first of several at the same second).
        let mut by_time = std::collections::BTreeMap::new();
        for x in d.production_deploys() {
            by_time.entry(x.time).or_insert(x);
        }
        let (mut hours, mut evidence) = (Vec::new(), Vec::new());
        let (mut waiting, mut skewed) = (0usize, 0usize);
        for (c, deployed) in data.commits.iter().zip(&d.commit_deployed) {
            if c.time < data.from || c.time > data.to {
                continue;
            }
            let Some(t) = *deployed else {
                waiting += 1;
                continue;
            };
            if t < c.time {
                skewed += 1;
                continue;
            }
            let h = (t - c.time) as f64 / HOUR;
            hours.push(h);
            let by = by_time.get(&t);
            evidence.push(dora::evidence(
                "commit",
                c.id.clone(),
                h,
                "hours from commit to its first production deployment",
                by.and_then(|x| dora::cite(d, x.cite)),
            ));
        }
        if hours.len() < MIN_COMMITS {
            return Outcome::NotMeasured(format!(
                "{} of the window reached a successful production deployment; at least \
                 {MIN_COMMITS} are needed ({} not yet deployed): {}",
                dora::count(hours.len(), "commit"),
                waiting,
                dora::DEPLOYS_HOWTO
            ));
        }
        let sample = Sample::Quantile {
            values: hours.clone(),
            q: 0.5,
        };
        let value = sample.value(None).unwrap_or(0.0);
        let deploys = d
            .production_deploys()
            .filter(|x| x.time >= data.from)
            .count();
        let mut figures = vec![dora::figure(
            "commits deployed",
            hours.len() as f64,
            "commits",
        )];
        figures.extend(dora::hour_quantiles("lead time", &hours));
        figures.push(dora::cluster_figure("DORA 2024", cluster(value)));
        figures.push(dora::figure(
            "commits not deployed by the end of the data",
            waiting as f64,
            "commits",
        ));
        if skewed > 0 {
            figures.push(dora::figure(
                "left out: deployed before authored (clock skew)",
                skewed as f64,
                "commits",
            ));
        }
        figures.extend(dora::inferred_figure(d, deploys));
        Outcome::Measured(Measured {
            value,
            coverage: 1.0,
            figures,
            evidence: crate::top_evidence(evidence),
            sample,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::delivery::Delivery;
    use crate::dora::fixture::*;

    /// Commits c1–c5 deployed by two deployments, c6 waiting, c0 before
    /// the window: lead times 48, 38, 28, 42, 32 hours.
    fn facts(skewed: bool) -> crate::Data {
        let t = |h: i64| FROM + h * H;
        let d1 = deploy("d1", "c3", t(48), "success");
        let d2 = deploy("d2", "c5", t(72), "success");
        let mut commits = vec![
            ("c0", FROM - 100 * H, false),
            ("c1", t(0), false),
            ("c2", t(10), false),
            ("c3", t(20), false),
            ("c4", t(30), false),
            ("c5", t(40), false),
            ("c6", t(80), false),
        ];
        let mut deployed = vec![
            Some(t(48)),
            Some(t(48)),
            Some(t(48)),
            Some(t(48)),
            Some(t(72)),
            Some(t(72)),
            None,
        ];
        if skewed {
            commits.push(("c7", t(90), false));
            deployed.push(Some(t(72)));
        }
        with(
            data(365, &commits),
            Delivery {
                deploys: vec![d1, d2],
                commit_deployed: deployed,
                ..Delivery::default()
            },
        )
    }

    #[test]
    fn median_of_commit_to_first_production_deployment_over_the_windows_commits() {
        let m = measured(measure(&LeadTime, &facts(false)));
        assert_eq!(m.value, 38.0);
        assert_eq!(fig(&m, "commits deployed"), 5.0);
        assert_eq!(fig(&m, "lead time p50"), 38.0);
        assert_eq!(fig(&m, "lead time p75"), 42.0);
        assert_eq!(fig(&m, "DORA 2024 cluster (1 elite … 4 low)"), 2.0);
        assert_eq!(fig(&m, "commits not deployed by the end of the data"), 1.0);
        assert_eq!(m.evidence[0].id, "c1");
        assert_eq!(m.evidence[0].value, 48.0);
        assert!(matches!(m.sample, Sample::Quantile { ref values, .. } if values.len() == 5));
    }

    #[test]
    fn a_commit_deployed_before_it_was_authored_is_left_out_and_counted() {
        let m = measured(measure(&LeadTime, &facts(true)));
        assert_eq!(m.value, 38.0);
        assert_eq!(
            fig(&m, "left out: deployed before authored (clock skew)"),
            1.0
        );
    }

    #[test]
    fn too_few_deployed_commits_no_deployments_or_a_component_scope_are_not_measured() {
        let mut few = facts(false);
        let d = few.delivery.as_mut().unwrap();
        d.commit_deployed[4] = None;
        d.commit_deployed[5] = None;
        let why = reason(measure(&LeadTime, &few));
        assert!(why.contains("3 commits of the window"), "{why}");
        assert!(why.contains("friction ingest"), "{why}");
        let none = data(365, &[("c1", FROM, false)]);
        assert!(reason(measure(&LeadTime, &none)).starts_with("deployments: none in the window; "));
        assert_eq!(
            reason(measure_component(&LeadTime, &facts(false))),
            "measured for the repository as a whole"
        );
    }

    #[test]
    fn inferred_deployments_are_labelled() {
        let mut f = facts(false);
        f.delivery.as_mut().unwrap().deploys_inferred = true;
        let m = measured(measure(&LeadTime, &f));
        assert_eq!(
            fig(
                &m,
                "deployments inferred from release tags (no deployment export)"
            ),
            2.0
        );
    }

    #[test]
    fn clusters_follow_dora_2024() {
        assert_eq!(cluster(23.9), 1);
        assert_eq!(cluster(24.0), 2);
        assert_eq!(cluster(167.0), 2);
        assert_eq!(cluster(729.0), 3);
        assert_eq!(cluster(730.0), 4);
        assert_eq!(CURVE.score(24.0), 100.0);
        assert_eq!(CURVE.score(168.0), 75.0);
    }
}
