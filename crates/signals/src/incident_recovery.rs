//! Incident recovery: how long incidents take to acknowledge, mobilise and
//! resolve — the drivers of the mean time to restore.

use std::collections::BTreeMap;

use crate::incidents::Incident;
use crate::{Context, Curve, Doc, Evidence, Family, Figure, Input, Measured, Outcome, Sample};

pub struct IncidentRecovery;

/// Fewest resolved incidents a median is computed from (friction's choice,
/// as for the deployment recovery time: one or two say little about the
/// next one).
const MIN_RESOLVED: usize = 3;

static DOC: Doc = Doc {
    title: "Incident recovery",
    measures: "The median hours from the start of an incident of this repository's services to \
        its resolution in the window (time to restore service), with what drives it: time to \
        acknowledge, time to mobilise, escalations — per service and per team.",
    why: "Incidents will happen; how fast service comes back decides what they cost users and \
        the team. The time splits into stages that call for different fixes: a slow \
        acknowledgement is an alerting and on-call problem, a slow mobilisation an escalation \
        policy that pages the wrong people first, a slow resolution missing runbooks, \
        observability or a hard-to-change system.",
    how: "Incidents are those of the services mapped to the repository (see \
        `incident-recurrence`), started in the window, counted once across overlapping exports \
        and merges (a merged incident is its target's). Per incident, from its start (the \
        earliest start any export or trigger entry records): to acknowledge (the first \
        acknowledgement), to mobilise (the last responder's acknowledgement before the \
        resolution, PagerDuty Analytics' `seconds_to_mobilize`; the first when the log has one), \
        to resolve (the last resolution: a re-opened incident keeps its first start and last \
        resolve). Times carry their zone in the exports and are compared in UTC. Incidents still \
        open have no resolution: they are counted as open, never as a zero or a guessed duration. \
        Value = median hours to resolve; figures give p50 and p90 of each stage, per service and \
        per team where the export names one, and the escalations (PagerDuty `escalate` log \
        entries, the CSV's `escalations`). Repository scope; at least 3 resolved incidents.",
    thresholds: "Log scale on DORA's time-to-restore-service clusters as Apache DevLake encodes \
        them (elite < 1 hour, high < 1 day, medium < 1 week, low above): 1 hour or less → 100, \
        1 day → 75 (the healthy edge), 1 week → 50, 1 month (730 h) or more → 0.",
    sources: &[
        "DORA, Accelerate State of DevOps 2021 (dora.dev/research): time to restore service — less than one hour (elite), less than one day (high), one day to one week (medium)",
        "Apache DevLake dora_benchmarks 2021 (backend/plugins/dora/models/migrationscripts/20240223_add_dora_2023_benchmark.go): time to restore < 1 h / < 1 day / < 1 week / above",
        "Google fourkeys, dashboard query: time to restore = median of incident resolved − created (github.com/dora-team/fourkeys)",
        "PagerDuty Analytics raw incidents: seconds_to_first_ack, seconds_to_mobilize (start → last additional responder's acknowledgement), seconds_to_resolve, escalation_count (developer.pagerduty.com/api-reference)",
    ],
};

static CURVE: Curve = Curve::log(&[(1.0, 100.0), (24.0, 75.0), (168.0, 50.0), (730.0, 0.0)]);

fn hours(from: i64, to: Option<i64>) -> Option<f64> {
    to.filter(|&t| t >= from)
        .map(|t| (t - from) as f64 / 3600.0)
}

/// `NAME p50` and `NAME p90` in hours, when there are values.
fn p50_p90(name: &str, values: &[f64]) -> Vec<Figure> {
    let mut v = values.to_vec();
    let mut out = Vec::new();
    for (q, label) in [(0.5, "p50"), (0.9, "p90")] {
        if let Some(x) = crate::quantile(&mut v, q) {
            out.push(crate::dora::figure(&format!("{name} {label}"), x, "hours"));
        }
    }
    out
}

impl crate::Signal for IncidentRecovery {
    fn id(&self) -> &'static str {
        "incident-recovery"
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
        &[Input::Incidents]
    }
    fn measure(&self, ctx: &Context<'_>) -> Outcome {
        let d = match crate::incidents::repository_incidents(ctx, self.id()) {
            Ok(d) => d,
            Err(outcome) => return *outcome,
        };
        let all: &[Incident] = &d.incidents;
        let resolved: Vec<(&Incident, f64)> = all
            .iter()
            .filter_map(|i| Some((i, hours(i.started, i.resolved)?)))
            .collect();
        let open = all.iter().filter(|i| i.resolved.is_none()).count();
        if resolved.len() < MIN_RESOLVED {
            return Outcome::NotMeasured(format!(
                "{} of this repository's services resolved in the window ({open} still open); \
                 at least {MIN_RESOLVED} are needed",
                crate::dora::count(resolved.len(), "incident")
            ));
        }
        let to_resolve: Vec<f64> = resolved.iter().map(|(_, h)| *h).collect();
        let to_ack: Vec<f64> = all
            .iter()
            .filter_map(|i| hours(i.started, i.acknowledged))
            .collect();
        let to_mobilise: Vec<f64> = all
            .iter()
            .filter_map(|i| hours(i.started, i.mobilised))
            .collect();
        let escalations: u32 = all.iter().map(|i| i.escalations).sum();
        let escalated = all.iter().filter(|i| i.escalations > 0).count();
        let sample = Sample::Quantile {
            values: to_resolve.clone(),
            q: 0.5,
        };
        let value = sample.value(None).unwrap_or(0.0);
        let f = |name: &str, v: usize, unit: &str| crate::dora::figure(name, v as f64, unit);
        let mut figures = vec![
            f("incidents", all.len(), "incidents"),
            f("resolved", resolved.len(), "incidents"),
            f("still open", open, "incidents"),
            f(
                "re-opened",
                all.iter().filter(|i| i.reopened).count(),
                "incidents",
            ),
            f(
                "merged into another",
                all.iter().map(|i| i.merged as usize).sum(),
                "incidents",
            ),
        ];
        figures.extend(p50_p90("to acknowledge", &to_ack));
        figures.extend(p50_p90("to mobilise", &to_mobilise));
        figures.extend(p50_p90("to resolve", &to_resolve));
        figures.extend([
            f("escalations", escalations as usize, "escalations"),
            f("escalated incidents", escalated, "incidents"),
        ]);
        for (by, key) in [
            (
                "service",
                (|i: &Incident| i.service.clone()) as fn(&Incident) -> String,
            ),
            ("team", |i: &Incident| i.team.clone()),
        ] {
            let mut groups: BTreeMap<String, Vec<f64>> = BTreeMap::new();
            for (i, h) in &resolved {
                let k = key(i);
                if !k.is_empty() {
                    groups.entry(k).or_default().push(*h);
                }
            }
            for (name, v) in &groups {
                figures.extend(p50_p90(&format!("{by} {name}: to resolve"), v));
            }
        }
        let mut evidence: Vec<Evidence> = resolved
            .iter()
            .map(|(i, h)| Evidence {
                kind: "incident".into(),
                id: format!("{} {}", i.label(), i.title),
                value: crate::round2(*h),
                label: format!(
                    "hours to resolve ({}{})",
                    i.service,
                    match i.escalations {
                        0 => String::new(),
                        n => format!(", {n} escalation{}", if n == 1 { "" } else { "s" }),
                    }
                ),
                cite: Some(d.cite(i.cite)),
            })
            .collect();
        evidence.extend(
            all.iter()
                .filter(|i| i.resolved.is_none())
                .map(|i| Evidence {
                    kind: "incident".into(),
                    id: format!("{} {}", i.label(), i.title),
                    value: 0.0,
                    label: format!("still open ({})", i.service),
                    cite: Some(d.cite(i.cite)),
                }),
        );
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
    use crate::incidents::fixture::*;

    #[test]
    fn median_hours_to_resolve_with_acknowledge_and_mobilise_stages() {
        let h = 3600;
        let mut a = incident("1", "api", "a", "", 0);
        a.acknowledged = Some(a.started + h / 4);
        a.mobilised = Some(a.started + h / 2);
        a.resolved = Some(a.started + 2 * h);
        a.escalations = 2;
        a.team = "payments".into();
        let mut b = incident("2", "api", "b", "", 10 * h);
        b.resolved = Some(b.started + 6 * h);
        let mut c = incident("3", "web", "c", "", 20 * h);
        c.acknowledged = Some(c.started + h);
        c.resolved = Some(c.started + 30 * h);
        let mut open = incident("4", "web", "d", "", 40 * h);
        open.resolved = None;
        let m = measured(measure(
            &IncidentRecovery,
            &with_incidents(vec![a, b, c, open]),
        ));
        // Resolved in 2, 6 and 30 hours; the open one is counted apart.
        assert_eq!(m.value, 6.0);
        assert_eq!(fig(&m, "still open"), 1.0);
        assert_eq!(fig(&m, "to resolve p90"), 25.2);
        assert_eq!(fig(&m, "to acknowledge p50"), 0.63);
        assert_eq!(fig(&m, "to mobilise p50"), 0.5);
        assert_eq!(fig(&m, "service api: to resolve p50"), 4.0);
        assert_eq!(fig(&m, "team payments: to resolve p50"), 2.0);
        assert_eq!(fig(&m, "escalated incidents"), 1.0);
        assert_eq!(m.evidence[0].value, 30.0);
        assert_eq!(
            m.evidence[0].cite.as_deref(),
            Some("incidents.csv record 3")
        );
    }

    #[test]
    fn open_incidents_never_count_as_resolved() {
        let mut v = vec![incident("1", "api", "a", "", 0)];
        for k in 2..6 {
            let mut i = incident(&k.to_string(), "api", "x", "", k * 3600);
            i.resolved = None;
            v.push(i);
        }
        let why = reason(measure(&IncidentRecovery, &with_incidents(v)));
        assert!(
            why.starts_with(
                "1 incident of this repository's services resolved in the window (4 still open)"
            ),
            "{why}"
        );
        assert_eq!(
            reason(measure_component(
                &IncidentRecovery,
                &with_incidents(Vec::new())
            )),
            "measured for the repository as a whole"
        );
    }
}
