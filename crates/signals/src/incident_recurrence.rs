//! Incident recurrence: the same problem paging again.

use std::collections::BTreeMap;

use crate::incidents::{Incident, normalised_title};
use crate::{Context, Curve, Doc, Evidence, Family, Figure, Input, Measured, Outcome, Sample};

pub struct IncidentRecurrence;

/// An incident repeats an earlier one of its cluster that began at most
/// this many days before it (friction's choice: a month covers a full
/// on-call rotation and the sprint in which a postmortem's action items are
/// due; a problem back within it was not fixed).
pub const RECURRENCE_DAYS: i64 = 30;

/// Fewest mapped incidents a share is computed from (friction's choice:
/// below five, one incident moves the share by more than a band is wide).
pub(crate) const MIN_INCIDENTS: usize = 5;

static DOC: Doc = Doc {
    title: "Incident recurrence",
    measures: "The share of the window's incidents of this repository's services that repeat \
        an earlier incident of the same service and problem within 30 days.",
    why: "A repeat incident is one whose cause was not removed: the postmortem's action items \
        did not land, or there was none. Google's SRE practice writes postmortems so that an \
        incident does not recur; repeats are reliability debt paid again at every page, and \
        where they cluster is where engineering time buys the most reliability.",
    how: "Incidents are those of the services mapped to the repository (`[services]` in \
        friction.toml, else a service named like the repository or a component, labelled as \
        the default), started in the window, each counted once across overlapping exports and \
        merges. Per service, incidents are clustered by the alert's fingerprint (PagerDuty's \
        `incident_key`, the CSV's `fingerprint`) when they have one, else by their normalised \
        title (lower case, without words holding digits — numbers, ids, hosts such as \
        `web-01`, addresses, timestamps — or dotted host names). An incident is a repeat when an \
        earlier incident of its cluster began at most 30 days before it. Value = repeats / \
        incidents, in percent. The most recurring clusters are listed with their counts and the \
        records behind them. Repository scope; at least 5 incidents.",
    thresholds: "Linear, friction's choice (no published benchmark defines repeat incidents): \
        5 % or less → 100, 15 % → 75 (the healthy edge: about one page in seven answering an \
        old problem), 30 % → 50, 60 % or more → 0 (most pages are old problems).",
    sources: &[
        "Beyer et al., Site Reliability Engineering (O'Reilly 2016), ch. 15 \"Postmortem Culture\": postmortems with action items so that incidents do not recur",
        "Beyer et al., The Site Reliability Workbook (O'Reilly 2018), ch. 10 \"Postmortem Culture: Learning from Failure\": tracking action items to closure",
        "PagerDuty, Incident Response documentation, \"Postmortems\": preventing recurrence (response.pagerduty.com/after/post_mortem_process)",
    ],
};

static CURVE: Curve = Curve::linear(&[(5.0, 100.0), (15.0, 75.0), (30.0, 50.0), (60.0, 0.0)]);

/// The cluster an incident belongs to within its service.
fn cluster_key(i: &Incident) -> (String, String) {
    let problem = if i.fingerprint.trim().is_empty() {
        normalised_title(&i.title)
    } else {
        format!("fingerprint {}", i.fingerprint.trim())
    };
    (i.service.clone(), problem)
}

impl crate::Signal for IncidentRecurrence {
    fn id(&self) -> &'static str {
        "incident-recurrence"
    }
    fn family(&self) -> Family {
        Family::Reliability
    }
    fn weight(&self) -> f64 {
        0.10
    }
    fn unit(&self) -> &'static str {
        "% of incidents"
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
        let n = d.incidents.len();
        if n < MIN_INCIDENTS {
            return Outcome::NotMeasured(format!(
                "{} of this repository's services in the window; at least {MIN_INCIDENTS} are \
                 needed",
                crate::dora::count(n, "incident")
            ));
        }
        let mut clusters: BTreeMap<(String, String), Vec<&Incident>> = BTreeMap::new();
        for i in &d.incidents {
            clusters.entry(cluster_key(i)).or_default().push(i);
        }
        let mut repeat = vec![false; n];
        let position: std::collections::HashMap<(&str, &str), usize> = d
            .incidents
            .iter()
            .enumerate()
            .map(|(k, i)| ((i.source.as_str(), i.id.as_str()), k))
            .collect();
        let mut recurring: Vec<(usize, &(String, String), &Vec<&Incident>)> = Vec::new();
        for (key, list) in &clusters {
            let mut repeats = 0;
            for w in list.windows(2) {
                if w[1].started - w[0].started <= RECURRENCE_DAYS * crate::dora::DAY {
                    repeat[position[&(w[1].source.as_str(), w[1].id.as_str())]] = true;
                    repeats += 1;
                }
            }
            if repeats > 0 {
                recurring.push((repeats, key, list));
            }
        }
        recurring.sort_by(|a, b| b.2.len().cmp(&a.2.len()).then(a.1.cmp(b.1)));
        let repeats = repeat.iter().filter(|r| **r).count();
        let sample = Sample::Ratio {
            num: repeat
                .iter()
                .map(|&r| if r { 100.0 } else { 0.0 })
                .collect(),
            den: vec![1.0; n],
        };
        let value = sample.value(None).unwrap_or(0.0);
        let mut figures = vec![
            crate::dora::figure("incidents", n as f64, "incidents"),
            crate::dora::figure("repeat incidents", repeats as f64, "incidents"),
            crate::dora::figure("recurring clusters", recurring.len() as f64, "clusters"),
            crate::dora::figure("recurrence window", RECURRENCE_DAYS as f64, "days"),
        ];
        for (_, (service, problem), list) in recurring.iter().take(5) {
            figures.push(Figure {
                name: format!("cluster: {service} — {problem}"),
                value: list.len() as f64,
                unit: "incidents".into(),
            });
        }
        let evidence = recurring
            .iter()
            .map(|(repeats, (service, problem), list)| {
                let cites: Vec<String> = list
                    .iter()
                    .take(5)
                    .map(|i| format!("{} ({})", i.label(), d.cite(i.cite)))
                    .collect();
                let more = if list.len() > 5 { "; …" } else { "" };
                Evidence {
                    kind: "incident-cluster".into(),
                    id: format!("{service}: {problem}"),
                    value: list.len() as f64,
                    label: format!(
                        "incidents in the cluster, {repeats} within {RECURRENCE_DAYS} days of the previous"
                    ),
                    cite: Some(format!("{}{more}", cites.join("; "))),
                }
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
mod tests {
    use super::*;
    use crate::incidents::fixture::*;

    #[test]
    fn repeats_within_thirty_days_of_their_cluster_share_of_incidents() {
        let day = crate::dora::DAY;
        let data = with_incidents(vec![
            incident("1", "api", "High CPU on web-01", "", 0),
            incident("2", "api", "High CPU on web-07", "", 3 * day),
            incident("3", "api", "High CPU on web-02", "", 40 * day),
            incident("4", "api", "Disk full", "disk-key", 5 * day),
            incident("5", "api", "Disk almost full", "disk-key", 6 * day),
            incident("6", "worker", "High CPU on web-01", "", 4 * day),
            incident("7", "api", "Checkout 500s", "", 10 * day),
        ]);
        let m = measured(measure(&IncidentRecurrence, &data));
        // Repeats: #2 (3 days after #1) and #5 (same fingerprint); #3 is 37
        // days after #2; #6 is another service.
        assert!((m.value - 200.0 / 7.0).abs() < 1e-9, "{}", m.value);
        assert_eq!(fig(&m, "repeat incidents"), 2.0);
        assert_eq!(fig(&m, "cluster: api — high cpu on"), 3.0);
        assert_eq!(fig(&m, "cluster: api — fingerprint disk-key"), 2.0);
        assert_eq!(m.evidence[0].id, "api: high cpu on");
        assert!(
            m.evidence[0]
                .cite
                .as_deref()
                .is_some_and(|c| c.starts_with("csv#1 (incidents.csv record 1)")),
            "{:?}",
            m.evidence[0].cite
        );
    }

    #[test]
    fn fewer_than_five_incidents_or_none_are_not_measured() {
        let data = with_incidents(vec![incident("1", "api", "x", "", 0)]);
        let why = reason(measure(&IncidentRecurrence, &data));
        assert!(
            why.starts_with("1 incident of this repository's services"),
            "{why}"
        );
        let why = reason(measure(&IncidentRecurrence, &with_incidents(Vec::new())));
        assert_eq!(why, "incidents: none started in the window");
        let git_only = crate::dora::fixture::data(365, &[]);
        let why = reason(measure(&IncidentRecurrence, &git_only));
        assert!(why.contains("friction ingest"), "{why}");
    }
}
