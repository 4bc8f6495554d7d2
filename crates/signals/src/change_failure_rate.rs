//! DORA's change failure rate: production deployments that required
//! immediate intervention.

use crate::dora::{self, Failure};
use crate::{Context, Curve, Doc, Family, Input, Measured, Outcome, Sample};

pub struct ChangeFailureRate;

static DOC: Doc = Doc {
    title: "Change failure rate",
    measures: "DORA's change failure rate: the percentage of the window's production deployments \
        that required immediate intervention.",
    why: "DORA's instability key: a deployment that has to be rolled back or hotfixed costs an \
        interruption, an incident and rework, and teaches a team to deploy less often.",
    how: "Over the window's production deployments whose outcome is decided (success or \
        failure; in-progress, inactive and unknown statuses are left out and counted — an \
        unknown status is never a failure), a deployment counts as failed when the facts show \
        one of: (1) its own latest status is a failure or error; (2) a rollback — the next \
        successful production deployment ships a commit an earlier deployment had already \
        shipped (the same commit as an earlier deployment, or one the first deployment \
        containing it shipped before); (3) a hotfix — the next successful production \
        deployment comes within 24 hours and every commit it ships first is a fix commit \
        (fix words or `[assessment] fix_patterns`); (4) a revert — a commit it shipped first \
        is reverted (`This reverts commit <sha>`, as `git revert` writes it) by a commit \
        authored within 7 days of the deployment (friction's choice: later reverts are \
        ordinary changes of mind); (5) a change-caused incident — an incident of a service \
        mapped to the repository (`[services]`, else by name) begins within 24 hours after it \
        and before the next production deployment (DevLake's link: the last successful \
        production deployment before the incident; the day bound is friction's choice, as for \
        hotfixes); the evidence cites the deployment and the incident. Not visible in these \
        facts, so never counted: reverts written another way, incidents of unmapped services or \
        more than a day after a deployment, and failures outside the deployment record. The \
        value is therefore a lower bound. Deployments inferred from tags or releases carry no \
        failures: from them alone the rate is not measured unless a rollback, revert, hotfix or \
        incident shows. Repository scope only; at least 5 decided production deployments.",
    thresholds: "Linear on DevLake's encoded DORA benchmarks (0–5 % elite, 5–10 % high, 10–15 % \
        medium, over 15 % low): 5 % or less → 100, 10 % → 75, 15 % → 50, 40 % or more → 0 \
        (DORA 2024's low cluster reports 40 %).",
    sources: &[
        "DORA, \"DORA's software delivery metrics: the four keys\" — change fail rate: deployments that require immediate intervention, likely a rollback or a hotfix (dora.dev/guides/dora-metrics-four-keys)",
        "Apache DevLake dora_benchmarks 2023: 0–5 / 5–10 / 10–15 / > 15 % (backend/plugins/dora/models/migrationscripts/20240223_add_dora_2023_benchmark.go)",
        "DORA 2024 Accelerate State of DevOps report, p. 13: clusters' change fail rates 5 / 20 / 10 / 40 %",
    ],
};

static CURVE: Curve = Curve::linear(&[(5.0, 100.0), (10.0, 75.0), (15.0, 50.0), (40.0, 0.0)]);

impl crate::Signal for ChangeFailureRate {
    fn id(&self) -> &'static str {
        "change-failure-rate"
    }
    fn family(&self) -> Family {
        Family::Reliability
    }
    fn weight(&self) -> f64 {
        0.20
    }
    fn unit(&self) -> &'static str {
        "% of production deployments"
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
        let n = j.judged.len();
        if n < dora::MIN_DEPLOYS {
            return Outcome::NotMeasured(format!(
                "{} in the window with a decided outcome ({} in progress, {} unknown or \
                 inactive); at least {} are needed: {}",
                dora::count(n, "production deployment"),
                j.in_progress,
                j.undecided,
                dora::MIN_DEPLOYS,
                dora::DEPLOYS_HOWTO
            ));
        }
        let kind = |k: Failure| j.judged.iter().filter(|x| x.failure == Some(k)).count();
        let (failed, rolled, reverted, hotfixed, incident) = (
            kind(Failure::Failed),
            kind(Failure::RolledBack),
            kind(Failure::Reverted),
            kind(Failure::Hotfixed),
            kind(Failure::Incident),
        );
        if d.deploys_inferred && rolled + reverted + hotfixed + incident == 0 {
            return Outcome::NotMeasured(format!(
                "the {} are inferred from release tags, which carry no failures, and none was \
                 rolled back, reverted, hotfixed or followed by an incident: ingest a deployment export with its statuses \
                 (`gh api --paginate 'repos/OWNER/REPO/deployments?per_page=100'`, \
                 `…/deployments/ID/statuses`) with `friction ingest`",
                dora::count(n, "deployment")
            ));
        }
        // In percent per deployment, so the ratio is the rate in percent.
        let hits: Vec<f64> = j
            .judged
            .iter()
            .map(|x| if x.failure.is_some() { 100.0 } else { 0.0 })
            .collect();
        let sample = Sample::Ratio {
            den: vec![1.0; hits.len()],
            num: hits,
        };
        let value = sample.value(None).unwrap_or(0.0);
        let cluster = match value {
            v if v <= 5.0 => 1,
            v if v <= 10.0 => 2,
            v if v <= 15.0 => 3,
            _ => 4,
        };
        let mut figures = vec![
            dora::figure("production deployments", n as f64, "deployments"),
            dora::figure("failed (their status)", failed as f64, "deployments"),
            dora::figure("rolled back", rolled as f64, "deployments"),
            dora::figure(
                "change reverted within 7 days",
                reverted as f64,
                "deployments",
            ),
            dora::figure("hotfixed within 24 hours", hotfixed as f64, "deployments"),
        ];
        if !d.incidents.is_empty() {
            figures.push(dora::figure(
                &format!(
                    "followed by an incident within {} hours",
                    dora::CHANGE_INCIDENT_HOURS
                ),
                incident as f64,
                "deployments",
            ));
        }
        figures.push(dora::cluster_figure("DevLake 2023", cluster));
        figures.extend(j.left_out_figures(d));
        let evidence = j
            .judged
            .iter()
            .filter_map(|x| {
                x.failure.map(|k| {
                    dora::evidence(
                        "deployment",
                        x.deploy.id.clone(),
                        (x.deploy.time - ctx.data.from) as f64 / 86_400.0,
                        &format!("{}, days into the window", k.label()),
                        dora::judged_cite(d, x),
                    )
                })
            })
            .collect();
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
pub(crate) mod tests {
    use super::*;
    use crate::dora::fixture::*;

    #[test]
    fn share_of_decided_production_deployments_that_needed_intervention() {
        let m = measured(measure(&ChangeFailureRate, &seven()));
        assert!((m.value - 300.0 / 7.0).abs() < 1e-9, "{}", m.value);
        assert_eq!(fig(&m, "production deployments"), 7.0);
        assert_eq!(fig(&m, "failed (their status)"), 1.0);
        assert_eq!(fig(&m, "rolled back"), 1.0);
        assert_eq!(fig(&m, "hotfixed within 24 hours"), 1.0);
        // The in-progress and the unknown deployment are neither.
        assert_eq!(fig(&m, "left out: in progress"), 1.0);
        assert_eq!(fig(&m, "left out: unknown or inactive status"), 1.0);
        assert_eq!(fig(&m, "DevLake 2023 cluster (1 elite … 4 low)"), 4.0);
        assert_eq!(m.evidence.len(), 3);
        assert_eq!(m.sample.value(Some(&[1, 1, 0, 0])), Some(50.0));
    }

    /// `seven()` with an incident 2 hours after d1 (resolved 3 hours
    /// later), one 28 hours after d5 and one between d6 and its hotfix.
    pub(crate) fn seven_with_incidents() -> crate::Data {
        use crate::incidents::fixture::incident;
        let mut data = seven();
        let d = data.delivery.as_mut().unwrap();
        let mut first = incident("1", "api", "Checkout down", "", 12 * H);
        first.resolved = Some(FROM + 15 * H);
        d.incidents = vec![
            first,
            incident("2", "api", "Slow search", "", 80 * H),
            incident("3", "api", "Errors", "", 101 * H),
        ];
        d.incident_mapping = Some(crate::incidents::Mapping {
            total: 3,
            configured: 3,
            ..Default::default()
        });
        d.sources = vec![crate::delivery::Source {
            path: "incidents.csv".into(),
            ..Default::default()
        }];
        data
    }

    #[test]
    fn an_incident_within_a_day_after_a_deployment_fails_it_citing_both() {
        let m = measured(measure(&ChangeFailureRate, &seven_with_incidents()));
        // d1 fails by its incident; d5's comes after a day; d6 was hotfixed anyway.
        assert!((m.value - 400.0 / 7.0).abs() < 1e-9, "{}", m.value);
        assert_eq!(fig(&m, "followed by an incident within 24 hours"), 1.0);
        let d1 = m.evidence.iter().find(|e| e.id == "d1").unwrap();
        assert_eq!(
            d1.label,
            "incident after the deployment, days into the window"
        );
        assert_eq!(d1.cite.as_deref(), Some("csv#1 (incidents.csv record 1)"));
        // Without incident data the figure is not shown.
        let m = measured(measure(&ChangeFailureRate, &seven()));
        assert!(m.figures.iter().all(|f| !f.name.contains("incident")));
    }

    #[test]
    fn inferred_deployments_alone_give_no_rate_unless_a_rollback_shows() {
        let mut data = seven();
        let d = data.delivery.as_mut().unwrap();
        d.deploys_inferred = true;
        d.deploys
            .retain(|x| x.result == crate::delivery::DeployResult::Success);
        // Still a rollback (d5) and a hotfix (d7): measured, labelled.
        let m = measured(measure(&ChangeFailureRate, &data));
        assert!((m.value - 200.0 / 6.0).abs() < 1e-9, "{}", m.value);
        assert_eq!(
            fig(
                &m,
                "deployments inferred from release tags (no deployment export)"
            ),
            6.0
        );
        let d = data.delivery.as_mut().unwrap();
        d.deploys.retain(|x| x.id != "d7");
        d.deploys[4].sha = "new".into();
        let why = reason(measure(&ChangeFailureRate, &data));
        assert!(why.contains("inferred from release tags"), "{why}");
    }

    #[test]
    fn fewer_than_five_decided_deployments_are_not_measured() {
        let mut data = seven();
        data.delivery
            .as_mut()
            .unwrap()
            .deploys
            .retain(|x| !["d1", "d3", "d5"].contains(&x.id.as_str()));
        let why = reason(measure(&ChangeFailureRate, &data));
        assert!(
            why.starts_with("4 production deployments in the window with a decided outcome (1 in progress, 1 unknown"),
            "{why}"
        );
        assert_eq!(
            reason(measure_component(&ChangeFailureRate, &seven())),
            "measured for the repository as a whole"
        );
    }
}
