//! DORA's failed deployment recovery time.

use crate::dora::{self, HOUR};
use crate::{Context, Curve, Doc, Family, Input, Measured, Outcome, Sample};

pub struct RecoveryTime;

/// Fewer recovered failures than this give no median (friction's choice:
/// a median of one or two failures says little about the next one).
const MIN_RECOVERIES: usize = 3;

static DOC: Doc = Doc {
    title: "Failed deployment recovery time",
    measures: "DORA's failed deployment recovery time: the median hours from a production \
        deployment that required immediate intervention to the successful production \
        deployment that restored service.",
    why: "Failures will happen; how fast a team recovers decides what they cost. DORA's 2024 \
        model counts recovery time as a throughput key beside lead time and deployment \
        frequency, replacing the older time to restore service.",
    how: "The failures are those of `change-failure-rate`: a failed production deployment \
        (recovered by the next successful production deployment; consecutive failures are one \
        episode, timed from the first), a deployment rolled back (recovered by the rollback), a \
        deployment whose change was reverted (recovered by the first production deployment \
        containing the revert) and a deployment hotfixed within 24 hours (recovered by the \
        hotfix), and a deployment followed by a change-caused incident (recovered when the last \
        such incident was resolved: service restored without a deployment shows too). The value \
        is the median of those recovery times in hours; failures with no successful deployment \
        or incident resolution after them are left out and counted, as are in-progress and \
        unknown statuses (never failures). Repository scope only; at least 3 recovered \
        failures.",
    thresholds: "Log scale on DevLake's encoded DORA benchmarks (elite < 1 hour, high < 1 day, \
        medium 1 day – 1 week, low > 1 week): 1 hour or less → 100, 1 day → 75 (the healthy \
        band's edge), 1 week → 50, 1 month (730 h) or more → 0 (DORA 2024's low cluster: one \
        week to one month).",
    sources: &[
        "DORA, \"DORA's software delivery metrics: the four keys\" — failed deployment recovery time (dora.dev/guides/dora-metrics-four-keys)",
        "Apache DevLake dora_benchmarks 2023: < 1 h / < 1 day / 1 day – 1 week / > 1 week (backend/plugins/dora/models/migrationscripts/20240223_add_dora_2023_benchmark.go)",
        "DORA 2024 Accelerate State of DevOps report, p. 13: clusters' failed deployment recovery times",
    ],
};

static CURVE: Curve = Curve::log(&[(1.0, 100.0), (24.0, 75.0), (168.0, 50.0), (730.0, 0.0)]);

impl crate::Signal for RecoveryTime {
    fn id(&self) -> &'static str {
        "deployment-recovery-time"
    }
    fn family(&self) -> Family {
        Family::Reliability
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
        &[Input::Deployments]
    }
    fn measure(&self, ctx: &Context<'_>) -> Outcome {
        let d = match dora::facts_or(ctx, self.id(), dora::Reads::Deployments) {
            Ok(d) => d,
            Err(outcome) => return *outcome,
        };
        let j = dora::judge(ctx.data, d);
        let (mut hours, mut evidence, mut open) = (Vec::new(), Vec::new(), 0usize);
        for x in j.judged.iter().filter(|x| !x.continues_failure) {
            let Some(kind) = x.failure else { continue };
            let Some(t) = x.restored else {
                open += 1;
                continue;
            };
            let h = (t - x.deploy.time) as f64 / HOUR;
            hours.push(h);
            evidence.push(dora::evidence(
                "deployment",
                x.deploy.id.clone(),
                h,
                &format!("hours to recover ({})", kind.label()),
                dora::judged_cite(d, x),
            ));
        }
        if hours.len() < MIN_RECOVERIES {
            let inferred = if d.deploys_inferred {
                " (the deployments are inferred from release tags, which carry no failures)"
            } else {
                ""
            };
            return Outcome::NotMeasured(format!(
                "{} recovered from in the window{inferred}, {open} not recovered by the end of \
                 the data; at least {MIN_RECOVERIES} are needed",
                dora::count(hours.len(), "failed production deployment")
            ));
        }
        let sample = Sample::Quantile {
            values: hours.clone(),
            q: 0.5,
        };
        let value = sample.value(None).unwrap_or(0.0);
        let cluster = match value {
            h if h < 1.0 => 1,
            h if h < 24.0 => 2,
            h if h < 168.0 => 3,
            _ => 4,
        };
        let mut figures = vec![dora::figure(
            "recovered failures",
            hours.len() as f64,
            "failures",
        )];
        figures.extend(dora::hour_quantiles("recovery", &hours));
        figures.extend([
            dora::cluster_figure("DevLake 2023", cluster),
            dora::figure(
                "not recovered by the end of the data",
                open as f64,
                "failures",
            ),
        ]);
        figures.extend(j.left_out_figures(d));
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

    #[test]
    fn median_hours_from_each_intervention_to_the_deployment_that_restored_service() {
        // Recoveries of 3 h (failed), 12 h (rolled back) and 2 h (hotfixed).
        let m = measured(measure(&RecoveryTime, &seven()));
        assert_eq!(m.value, 3.0);
        assert_eq!(fig(&m, "recovered failures"), 3.0);
        assert_eq!(fig(&m, "recovery p75"), 7.5);
        assert_eq!(fig(&m, "DevLake 2023 cluster (1 elite … 4 low)"), 2.0);
        assert_eq!(m.evidence[0].id, "d4");
    }

    #[test]
    fn a_change_caused_incident_recovers_when_it_is_resolved() {
        let data = crate::change_failure_rate::tests::seven_with_incidents();
        let m = measured(measure(&RecoveryTime, &data));
        // 3 h, 12 h, 2 h and the incident's 15 h − 10 h = 5 h.
        assert_eq!(m.value, 4.0);
        assert_eq!(fig(&m, "recovered failures"), 4.0);
    }

    #[test]
    fn consecutive_failures_are_one_episode_and_an_unrecovered_one_is_counted() {
        let t = |h: i64| FROM + h * H;
        let deploys = vec![
            deploy("s0", "a", t(0), "success"),
            deploy("f1", "b", t(10), "failure"),
            deploy("f2", "c", t(11), "failure"),
            deploy("s1", "d", t(15), "success"),
            deploy("f3", "e", t(20), "failure"),
            deploy("s2", "f", t(21), "success"),
            deploy("f4", "g", t(30), "failure"),
            deploy("s3", "h", t(38), "success"),
            deploy("f5", "i", t(50), "failure"),
            deploy("p", "j", t(51), "pending"),
        ];
        let data = with(
            data(365, &[]),
            Delivery {
                deploys,
                ..Delivery::default()
            },
        );
        let m = measured(measure(&RecoveryTime, &data));
        // Episodes: 10 h → 15 h (5 h), 20 → 21 (1 h), 30 → 38 (8 h); f5 open.
        assert_eq!(m.value, 5.0);
        assert_eq!(fig(&m, "not recovered by the end of the data"), 1.0);
        assert_eq!(fig(&m, "left out: in progress"), 1.0);
    }

    #[test]
    fn too_few_recoveries_are_not_measured() {
        let mut data = seven();
        data.delivery
            .as_mut()
            .unwrap()
            .deploys
            .retain(|x| x.id != "d2");
        let why = reason(measure(&RecoveryTime, &data));
        assert!(
            why.starts_with("2 failed production deployments recovered from in the window"),
            "{why}"
        );
    }
}
