//! DORA's deployment frequency: deployment days per week.

use std::collections::BTreeSet;

use crate::dora;
use crate::{Context, Curve, Doc, Family, Input, Measured, Outcome, Sample};

pub struct DeploymentFrequency;

/// Periods counted back from the end of the data, in days: week, month,
/// half-year (fixed lengths so a period never depends on the calendar).
const WEEK: i64 = 7;
const MONTH: i64 = 30;
const HALF_YEAR: i64 = 182;

/// The deployment records must cover at least four weeks of the window
/// (friction's choice: fewer weeks give no median worth the name).
const MIN_DAYS: i64 = 28;

static DOC: Doc = Doc {
    title: "Deployment frequency",
    measures: "DORA's deployment frequency as Apache DevLake computes it: the median number of \
        days with a successful production deployment per week, in deployment days per week.",
    why: "Deployment frequency is DORA's second throughput key: teams that deploy often ship \
        small batches whose failures are cheap to find and undo; rare deployments pile change \
        up into risky releases.",
    how: "The successful production deployments of the window (a deployment export's \
        production environment, else release tags or releases, labelled inferred), by UTC day. \
        The span runs from the window's start, or the first deployment record when the export \
        starts later (coverage is the share of the window it spans), to the end of the data, \
        cut into 7-day weeks counted back from the end. Value: the median deployment days per \
        week (numpy's interpolated median; DevLake's percent-rank takes the lower median); when \
        that is below 1, the median per 30-day month × 7/30, and below that the median per \
        182-day half-year × 7/182, so that the value keeps ordering teams that deploy less than \
        weekly. DevLake's cluster as a figure: elite when the weekly median is 5 or more, high \
        when it is 1 or more, medium when the monthly median is 1 or more, else low. In-progress, \
        failed and unknown deployments are not deployments here. Repository scope only; the \
        records must span at least 28 days.",
    thresholds: "Log scale on DevLake's encoded DORA benchmarks: 5 deployment days a week or \
        more → 100 (elite, on demand), 1 a week → 75 (high: between daily and weekly, the \
        healthy band's edge), 7/30 (one a month) → 50 (medium: between weekly and monthly), \
        7/182 (one in six months) or less → 0 (low).",
    sources: &[
        "DORA, \"DORA's software delivery metrics: the four keys\" — deployment frequency (dora.dev/guides/dora-metrics-four-keys)",
        "Apache DevLake DORA dashboards: median deployment days per week/month/six months, 2023 benchmarks (devlake.apache.org/docs/Metrics/DeploymentFrequency)",
        "DORA 2024 Accelerate State of DevOps report, p. 13: on demand / daily–weekly / weekly–monthly / monthly–six-monthly",
    ],
};

static CURVE: Curve = Curve::log(&[
    (7.0 / 182.0, 0.0),
    (7.0 / 30.0, 50.0),
    (1.0, 75.0),
    (5.0, 100.0),
]);

/// Deployment days per period of `len` days, periods counted back from `end`.
fn per_period(days: &BTreeSet<i64>, start: i64, end: i64, len: i64) -> Vec<f64> {
    let periods = (end - start + 1) / len;
    (0..periods)
        .map(|k| {
            let hi = end - k * len;
            days.range(hi - len + 1..=hi).count() as f64
        })
        .collect()
}

impl crate::Signal for DeploymentFrequency {
    fn id(&self) -> &'static str {
        "deployment-frequency"
    }
    fn family(&self) -> Family {
        Family::Delivery
    }
    fn weight(&self) -> f64 {
        0.05
    }
    fn unit(&self) -> &'static str {
        "deployment days per week (median)"
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
        let data = ctx.data;
        if d.production_deploys().next().is_none() {
            return Outcome::NotMeasured(format!(
                "no successful production deployment is known ({} deployment records; \
                 production is the source's flag or an environment named production, prod or \
                 live): {}",
                d.deploys.len(),
                dora::DEPLOYS_HOWTO
            ));
        }
        let first = d.deploys.iter().map(|x| x.time).min().unwrap_or(data.from);
        let last = d.deploys.iter().map(|x| x.time).max().unwrap_or(data.to);
        let start = dora::day(data.from.max(first));
        let end = dora::day(data.to.max(last));
        if end - start + 1 < MIN_DAYS {
            return Outcome::NotMeasured(format!(
                "the deployment records span {} of the window; at least {MIN_DAYS} are needed: {}",
                dora::count((end - start + 1).max(0) as usize, "day"),
                dora::DEPLOYS_HOWTO
            ));
        }
        let in_window: Vec<_> = d
            .production_deploys()
            .filter(|x| dora::day(x.time) >= start)
            .collect();
        let days: BTreeSet<i64> = in_window.iter().map(|x| dora::day(x.time)).collect();
        let weeks = per_period(&days, start, end, WEEK);
        let months = per_period(&days, start, end, MONTH);
        let halves = per_period(&days, start, end, HALF_YEAR);
        let median = |v: &[f64]| crate::quantile(&mut v.to_vec(), 0.5).unwrap_or(0.0);
        let (week_median, month_median) = (median(&weeks), median(&months));
        let values = if week_median >= 1.0 || months.is_empty() {
            weeks.clone()
        } else if month_median >= 1.0 || halves.is_empty() {
            months
                .iter()
                .map(|m| m * WEEK as f64 / MONTH as f64)
                .collect()
        } else {
            halves
                .iter()
                .map(|h| h * WEEK as f64 / HALF_YEAR as f64)
                .collect()
        };
        let sample = Sample::Quantile { values, q: 0.5 };
        let value = sample.value(None).unwrap_or(0.0);
        let cluster = match (week_median, month_median) {
            (w, _) if w >= 5.0 => 1,
            (w, _) if w >= 1.0 => 2,
            (_, m) if m >= 1.0 => 3,
            _ => 4,
        };
        let window_days = (dora::day(data.to) - dora::day(data.from) + 1).max(1);
        let coverage =
            ((end.min(dora::day(data.to)) - start + 1) as f64 / window_days as f64).clamp(0.0, 1.0);
        let failed_or_pending = d
            .deploys
            .iter()
            .filter(|x| x.production && x.time >= data.from)
            .filter(|x| x.result != crate::delivery::DeployResult::Success)
            .count();
        let mut figures = vec![
            dora::figure(
                "production deployments",
                in_window.len() as f64,
                "deployments",
            ),
            dora::figure("deployment days", days.len() as f64, "days"),
            dora::figure("weeks", weeks.len() as f64, "weeks"),
            dora::figure("median deployment days per week", week_median, "days"),
            dora::figure("median deployment days per month", month_median, "days"),
            dora::cluster_figure("DevLake 2023", cluster),
            dora::figure(
                "not counted: production deployments failed, in progress or of unknown outcome",
                failed_or_pending as f64,
                "deployments",
            ),
        ];
        figures.extend(dora::inferred_figure(d, in_window.len()));
        let evidence = in_window
            .iter()
            .rev()
            .take(crate::EVIDENCE_LIMIT)
            .map(|x| {
                dora::evidence(
                    "deployment",
                    x.id.clone(),
                    (x.time - data.from) as f64 / 86_400.0,
                    "days into the window",
                    dora::cite(d, x.cite),
                )
            })
            .collect();
        Outcome::Measured(Measured {
            value,
            coverage,
            figures,
            evidence,
            sample,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::delivery::{Delivery, Deploy};
    use crate::dora::fixture::*;

    fn facts(days: i64, deploys: Vec<Deploy>) -> crate::Data {
        with(
            data(days, &[]),
            Delivery {
                deploys,
                ..Delivery::default()
            },
        )
    }

    /// Eight weeks; deployment days per week, counted back from the end:
    /// 3, 1, 0, 2, 1, 1, 1, 1.
    fn eight_weeks() -> Vec<Deploy> {
        let end = FROM + 56 * DAY;
        let at = |week: i64, day: i64, h: i64| end - week * 7 * DAY + day * DAY + h * H;
        let mut v = vec![
            // Last week: two on one day count once; 23:30 and 00:30 UTC are two days.
            deploy("a", "s", at(1, 0, 9), "success"),
            deploy("b", "s", at(1, 0, 15), "success"),
            deploy("c", "s", at(1, 2, 23) + 1800, "success"),
            deploy("d", "s", at(1, 3, 0) + 1800, "success"),
            deploy("e", "s", at(2, 1, 9), "success"),
            deploy("f", "s", at(4, 1, 9), "success"),
            deploy("g", "s", at(4, 4, 9), "success"),
            // Not deployments: failed, in progress, unknown, not production.
            deploy("x1", "s", at(3, 1, 9), "failure"),
            deploy("x2", "s", at(3, 2, 9), "in_progress"),
            deploy("x3", "s", at(3, 3, 9), "exploded"),
        ];
        let mut staging = deploy("x4", "s", at(3, 4, 9), "success");
        staging.production = false;
        staging.environment = "staging".into();
        v.push(staging);
        for week in 5..=8 {
            v.push(deploy(&format!("w{week}"), "s", at(week, 0, 9), "success"));
        }
        v.sort_by_key(|d| d.time);
        v
    }

    #[test]
    fn median_deployment_days_per_week_counts_utc_days_once() {
        let m = measured(measure(&DeploymentFrequency, &facts(56, eight_weeks())));
        assert_eq!(m.value, 1.0);
        assert_eq!(fig(&m, "weeks"), 8.0);
        assert_eq!(fig(&m, "production deployments"), 11.0);
        assert_eq!(fig(&m, "deployment days"), 10.0);
        assert_eq!(fig(&m, "DevLake 2023 cluster (1 elite … 4 low)"), 2.0);
        assert_eq!(
            fig(
                &m,
                "not counted: production deployments failed, in progress or of unknown outcome"
            ),
            3.0
        );
        assert_eq!(m.coverage, 1.0);
        assert!(matches!(m.sample, Sample::Quantile { ref values, .. } if values.len() == 8));
    }

    #[test]
    fn less_than_weekly_falls_back_to_the_monthly_median() {
        // One deployment in each 30-day month counted back from the end.
        let end = FROM + 365 * DAY;
        let deploys = (0..12)
            .rev()
            .map(|k| {
                deploy(
                    &format!("m{k}"),
                    "s",
                    end - k * 30 * DAY - 15 * DAY,
                    "success",
                )
            })
            .collect();
        let m = measured(measure(&DeploymentFrequency, &facts(365, deploys)));
        assert!((m.value - 7.0 / 30.0).abs() < 1e-12, "{}", m.value);
        assert_eq!(fig(&m, "median deployment days per week"), 0.0);
        assert_eq!(fig(&m, "median deployment days per month"), 1.0);
        assert_eq!(fig(&m, "DevLake 2023 cluster (1 elite … 4 low)"), 3.0);
        assert!((CURVE.score(m.value) - 50.0).abs() < 1e-9);
    }

    #[test]
    fn an_export_that_starts_late_lowers_coverage_and_too_short_a_span_is_not_measured() {
        let end = FROM + 56 * DAY;
        let late: Vec<Deploy> = (0..5)
            .map(|w| deploy(&format!("l{w}"), "s", end - (w * 7 + 1) * DAY, "success"))
            .rev()
            .collect();
        let m = measured(measure(&DeploymentFrequency, &facts(56, late.clone())));
        // From the first record (29 days before the end) on: 29 of 56 days.
        assert!((m.coverage - 29.0 / 56.0).abs() < 1e-12, "{}", m.coverage);
        assert_eq!(fig(&m, "weeks"), 4.0);
        let short = late[3..].to_vec();
        let why = reason(measure(&DeploymentFrequency, &facts(56, short)));
        assert!(
            why.starts_with("the deployment records span 8 days"),
            "{why}"
        );
        let staging_only = vec![{
            let mut d = deploy("s", "s", FROM, "success");
            d.production = false;
            d
        }];
        let why = reason(measure(&DeploymentFrequency, &facts(56, staging_only)));
        assert!(
            why.starts_with("no successful production deployment"),
            "{why}"
        );
        assert_eq!(
            reason(measure_component(
                &DeploymentFrequency,
                &facts(56, eight_weeks())
            )),
            "measured for the repository as a whole"
        );
    }
}
