//! Reliability debt: SLOs that no burn-rate alert guards, alerting rules
//! without a runbook, and runbook links that lead to nothing.

use crate::service_levels::{Link, ServiceLevels};
use crate::{Context, Curve, Doc, Evidence, Family, Input, Measured, Outcome, Sample};

pub struct ReliabilityDebt;

/// Fewer SLOs and alerting rules than this give no share (friction's
/// choice: with one or two definitions a single fix swings the value from
/// all to nothing).
const MIN_CHECKS: usize = 3;

/// A paging alert without a runbook counts twice (friction's choice: it
/// wakes someone who must then improvise; the SRE book reports roughly a
/// threefold MTTR improvement from recorded playbooks, so the cost of a
/// missing one is highest where the response is most urgent).
const PAGING_WEIGHT: f64 = 2.0;

pub(crate) const INGEST: &str = "ingest the SLO definitions and alerting rules with `friction \
    ingest` (OpenSLO or Sloth YAML; Prometheus rule files, or `kubectl get prometheusrules -A -o \
    yaml > rules.yaml`)";

static DOC: Doc = Doc {
    title: "Reliability debt",
    measures: "The weighted share of the reliability definitions that are incomplete: SLOs \
        without a burn-rate alert, alerting rules without a runbook, and `runbook_url`s that lead \
        to no runbook of the repository's runbook set (a paging alert counts twice).",
    why: "An SLO nobody is alerted on is a number on a dashboard: the error budget burns unseen. \
        An alert without a runbook leaves the responder to improvise; the Google SRE book reports \
        that recording the response in a playbook gives roughly a threefold improvement in mean \
        time to repair. A runbook link that leads nowhere is worse than none: it costs the time \
        of finding out.",
    how: "Every stored SLO (OpenSLO `SLO`, Sloth SLO) is checked for a burn-rate alert: alerts \
        or alert policies declared in its definition (Sloth's page and ticket alerts, generated \
        as multiwindow, multi-burn-rate alerts, unless disabled; OpenSLO `alertPolicies`), or a \
        stored alerting rule labelled with its name (`sloth_slo`, `slo`). Every stored alerting \
        rule is checked for a `runbook_url` (or Sloth's `runbook`) annotation and, when the \
        repository has a runbook directory (`[inputs] runbooks`, else `runbooks/` or \
        `docs/runbooks/`, read from the assessed commit), for a runbook it leads to: a file of \
        that directory whose path ends the URL's path (`.md` optional, case-insensitive) and, \
        when the URL has an anchor, has a heading with that anchor. Alerts with `severity` \
        critical, page, pager, P1 or SEV1 (or Sloth's `sloth_severity=page`) page someone and \
        weigh 2, the others 1. The value is the debt's weight over the total weight, in \
        percent. Without a runbook directory the links cannot be followed: alerts that have one \
        count as complete, and lower the coverage. Every stored definition is the \
        repository's (no service mapping yet); at least 3 SLOs and alerting rules. With \
        incidents, two figures (not the value) show the runbook dependency that can be seen: \
        the incidents an alerting rule raised (the rule's name as a word of the incident's \
        title, or its fingerprint) and how many of them came from a rule without a working \
        runbook; and, where the incident log says who made the last resolution (PagerDuty's \
        resolve entry by a `user`, against the monitoring integration or a service: the alert \
        cleared or an automation acted), how many were resolved by a person — manual response \
        — and how many of those a rule without a working runbook had raised: the responder \
        improvised. Whether a responder read a runbook is not measured: log entries carry no \
        such mark, and notes are stored without their text.",
    thresholds: "Friction's choice, on a linear scale: no debt → 100, 10 % → 75 (the healthy \
        band's edge: one definition in ten incomplete), 25 % → 50, 50 % or more → 0 (half the \
        alerting cannot be acted on as written). The burn-rate alerting it asks for is the SRE \
        workbook's multiwindow, multi-burn-rate alerting (page at 14.4× over 1 h and 6× over \
        6 h, ticket at 1× over 3 days, for a 30-day SLO).",
    sources: &[
        "Google SRE workbook, ch. 5 \"Alerting on SLOs\": multiwindow, multi-burn-rate alerts (sre.google/workbook/alerting-on-slos)",
        "Google SRE book, ch. 1 \"Introduction\": playbooks and the roughly 3x improvement in MTTR (sre.google/sre-book/introduction)",
        "Prometheus alerting rules: labels and annotations, the `runbook_url` convention of kube-prometheus and the monitoring mixins (runbooks.prometheus-operator.dev)",
        "OpenSLO v1 specification: SLO `alertPolicies`, AlertPolicy, AlertCondition (github.com/OpenSLO/OpenSLO)",
    ],
};

static CURVE: Curve = Curve::linear(&[(0.0, 100.0), (10.0, 75.0), (25.0, 50.0), (50.0, 0.0)]);

/// What is wrong with one definition, and its weight.
struct Debt {
    kind: &'static str,
    id: String,
    weight: f64,
    why: Option<String>,
    cite: String,
}

fn checks(s: &ServiceLevels) -> (Vec<Debt>, usize) {
    let mut out = Vec::new();
    for slo in &s.slos {
        let guarded = !slo.alerts.is_empty()
            || s.alerts.iter().any(|a| {
                a.label("sloth_slo") == slo.name && {
                    let service = a.label("sloth_service");
                    service.is_empty() || service == slo.service
                } || a.label("slo") == slo.name
            });
        out.push(Debt {
            kind: "slo",
            id: format!("{}/{}", slo.service, slo.name),
            weight: 1.0,
            why: (!guarded).then(|| "SLO without a burn-rate alert".to_owned()),
            cite: s.cite(slo.cite),
        });
    }
    let mut unjudged = 0;
    for a in &s.alerts {
        let pages = a.pages();
        let prefix = if pages { "paging alert" } else { "alert" };
        let why = if a.runbook_url.is_empty() {
            Some(format!("{prefix} without a runbook"))
        } else {
            match s.runbooks.as_ref().map(|r| (r, r.follow(&a.runbook_url))) {
                None => {
                    unjudged += 1;
                    None
                }
                Some((_, Link::Found(_))) => None,
                Some((r, Link::MissingAnchor(i))) => Some(format!(
                    "{prefix} whose runbook {} has no heading {}",
                    r.runbooks[i].path,
                    a.runbook_url.rsplit('#').next().unwrap_or("")
                )),
                Some((r, Link::Nowhere)) => Some(format!(
                    "{prefix} whose runbook_url {} leads to no runbook in {}",
                    a.runbook_url, r.dir
                )),
            }
        };
        out.push(Debt {
            kind: "alert",
            id: format!("{}/{}", a.group, a.name),
            weight: if pages { PAGING_WEIGHT } else { 1.0 },
            why,
            cite: s.cite(a.cite),
        });
    }
    (out, unjudged)
}

/// The runbook dependency the incidents show.
#[derive(Debug, Default, PartialEq)]
struct RunbookUse {
    /// Incidents an alerting rule raised.
    raised: usize,
    /// Of them, from a rule whose runbook is missing or leads nowhere.
    bare: usize,
    /// Resolved incidents whose log says who resolved them.
    known: usize,
    /// Of them, resolved by a person (manual response).
    manual: usize,
    /// Resolved by a person after a rule without a working runbook raised
    /// them: the responder improvised.
    improvised: usize,
}

/// The repository's incidents an alerting rule raised — the rule's name as a
/// word of the incident's title (Alertmanager's `[FIRING:1] ApiDown …`) or
/// its fingerprint — and how many of them came from a rule whose runbook is
/// missing or leads nowhere (`debts` holds the rules' verdicts); and who
/// resolved them, where the log says.
fn incidents_by_alert(
    s: &ServiceLevels,
    debts: &[Debt],
    incidents: &[crate::incidents::Incident],
) -> RunbookUse {
    let alert_debts: Vec<&Debt> = debts.iter().filter(|d| d.kind == "alert").collect();
    let mut u = RunbookUse::default();
    for i in incidents {
        if let Some(person) = i.resolved_by_person {
            u.known += 1;
            u.manual += usize::from(person);
        }
        let words: Vec<&str> = i
            .title
            .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
            .collect();
        let rule = s.alerts.iter().position(|a| {
            !a.name.is_empty() && (i.fingerprint == a.name || words.contains(&a.name.as_str()))
        });
        if let Some(r) = rule {
            u.raised += 1;
            if alert_debts.get(r).is_some_and(|d| d.why.is_some()) {
                u.bare += 1;
                u.improvised += usize::from(i.resolved_by_person == Some(true));
            }
        }
    }
    u
}

impl crate::Signal for ReliabilityDebt {
    fn id(&self) -> &'static str {
        "reliability-debt"
    }
    fn family(&self) -> Family {
        Family::Reliability
    }
    fn weight(&self) -> f64 {
        0.05
    }
    fn unit(&self) -> &'static str {
        "% of definitions (weighted)"
    }
    fn doc(&self) -> &'static Doc {
        &DOC
    }
    fn researched_curve(&self) -> &'static Curve {
        &CURVE
    }
    fn needs(&self) -> &'static [Input] {
        &[Input::ServiceLevels]
    }
    fn measure(&self, ctx: &Context<'_>) -> Outcome {
        if ctx.scope.kind != crate::ScopeKind::Repository {
            return Outcome::NotMeasured(crate::ci::REPOSITORY_ONLY.into());
        }
        let levels = ctx.data.service_levels.as_ref();
        let Some(s) = levels.filter(|s| !s.slos.is_empty() || !s.alerts.is_empty()) else {
            return Outcome::NotMeasured(format!(
                "no SLO definitions or alerting rules of this repository stored{}; {INGEST}",
                levels.map(ServiceLevels::left_out_note).unwrap_or_default()
            ));
        };
        if let Some(v) = ctx.value_override(self.id()) {
            return Outcome::Measured(crate::ci::what_if(v));
        }
        let (debts, unjudged) = checks(s);
        if debts.len() < MIN_CHECKS {
            return Outcome::NotMeasured(format!(
                "only {} SLOs and alerting rules ({MIN_CHECKS} needed){}; {INGEST}",
                debts.len(),
                s.left_out_note()
            ));
        }
        let num: Vec<f64> = debts
            .iter()
            .map(|d| if d.why.is_some() { d.weight } else { 0.0 })
            .collect();
        let den: Vec<f64> = debts.iter().map(|d| d.weight).collect();
        let sample = Sample::Ratio { num, den };
        let value = 100.0 * sample.value(None).unwrap_or(0.0);
        let count = |f: &dyn Fn(&Debt) -> bool| debts.iter().filter(|d| f(d)).count() as f64;
        let is = |d: &Debt, kind: &str, what: &str| {
            d.kind == kind && d.why.as_deref().is_some_and(|w| w.contains(what))
        };
        let f = crate::dora::figure;
        let mut figures = vec![
            f("SLOs", s.slos.len() as f64, "SLOs"),
            f(
                "SLOs without a burn-rate alert",
                count(&|d| is(d, "slo", "burn-rate")),
                "SLOs",
            ),
            f("alerting rules", s.alerts.len() as f64, "rules"),
            f(
                "paging alerting rules",
                s.alerts.iter().filter(|a| a.pages()).count() as f64,
                "rules",
            ),
            f(
                "alerting rules without a runbook",
                count(&|d| is(d, "alert", "without a runbook")),
                "rules",
            ),
            f(
                "paging alerting rules without a runbook",
                count(&|d| is(d, "alert", "paging alert without a runbook")),
                "rules",
            ),
            f(
                "runbook links leading to no runbook",
                count(&|d| {
                    is(d, "alert", "leads to no runbook") || is(d, "alert", "has no heading")
                }),
                "rules",
            ),
            f("recording rules", s.recording_rules as f64, "rules"),
            f(
                crate::service_levels::LEFT_OUT,
                s.left_out() as f64,
                "definitions",
            ),
        ];
        if let Some(d) = ctx
            .data
            .delivery
            .as_ref()
            .filter(|d| !d.incidents.is_empty())
        {
            let u = incidents_by_alert(s, &debts, &d.incidents);
            figures.push(f(
                "incidents raised by a stored alerting rule",
                u.raised as f64,
                "incidents",
            ));
            figures.push(f(
                "incidents raised by an alerting rule without a working runbook",
                u.bare as f64,
                "incidents",
            ));
            if u.known > 0 {
                figures.push(f(
                    "resolved incidents whose log says who resolved them",
                    u.known as f64,
                    "incidents",
                ));
                figures.push(f(
                    "of them, resolved by a person (manual response)",
                    u.manual as f64,
                    "incidents",
                ));
                figures.push(f(
                    "resolved by a person after a rule without a working runbook raised them",
                    u.improvised as f64,
                    "incidents",
                ));
            }
        }
        match &s.runbooks {
            Some(r) => figures.push(f("runbooks", r.runbooks.len() as f64, "files")),
            None => figures.push(f(
                "runbook links not followed (no runbook directory)",
                unjudged as f64,
                "rules",
            )),
        }
        let evidence: Vec<Evidence> = debts
            .iter()
            .filter_map(|d| {
                Some(crate::dora::evidence(
                    d.kind,
                    d.id.clone(),
                    d.weight,
                    d.why.as_deref()?,
                    Some(d.cite.clone()),
                ))
            })
            .collect();
        Outcome::Measured(Measured {
            value,
            coverage: 1.0 - unjudged as f64 / debts.len() as f64,
            figures,
            evidence: crate::top_evidence(evidence),
            sample,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ci::fixture::{data, measure, measured, not_measured};
    use crate::delivery::{Cite, Source};
    use crate::service_levels::{Alert, Runbook, Runbooks, Slo};

    fn slo(name: &str, alerts: &[&str]) -> Slo {
        Slo {
            source: "openslo".into(),
            name: name.into(),
            service: "shop".into(),
            objective: Some(0.999),
            window: Some(28 * 86_400),
            alerts: alerts.iter().map(|a| (*a).to_owned()).collect(),
            cite: Cite {
                source: 0,
                record: 1,
                line: None,
            },
        }
    }

    fn alert(name: &str, severity: &str, runbook: &str, labels: &str) -> Alert {
        Alert {
            group: "g".into(),
            name: name.into(),
            severity: severity.into(),
            runbook_url: runbook.into(),
            labels: labels.into(),
            cite: Cite {
                source: 1,
                record: 2,
                line: None,
            },
        }
    }

    fn levels(runbooks: Option<Runbooks>) -> ServiceLevels {
        ServiceLevels {
            sources: vec![
                Source {
                    path: "slo.yaml".into(),
                    ..Source::default()
                },
                Source {
                    path: "rules.yaml".into(),
                    ..Source::default()
                },
            ],
            slos: vec![
                slo("checkout", &["fast-burn"]),
                slo("search", &[]),
                slo("login", &[]),
            ],
            alerts: vec![
                alert(
                    "Burn",
                    "critical",
                    "docs/runbooks/burn.md",
                    "sloth_slo=login",
                ),
                alert("ApiDown", "critical", "", ""),
                alert("DiskFull", "warning", "https://x/runbooks/disk", ""),
                alert("Slow", "warning", "https://wiki/nowhere", ""),
            ],
            recording_rules: 2,
            runbooks,
            other_services: Vec::new(),
        }
    }

    fn with(s: ServiceLevels) -> crate::Data {
        let mut d = data(1, &[&[0]], crate::ci::fixture::delivery());
        d.service_levels = Some(s);
        d
    }

    fn runbooks() -> Runbooks {
        Runbooks {
            dir: "docs/runbooks".into(),
            runbooks: vec![
                Runbook::index("docs/runbooks/burn.md", "# Burn\n"),
                Runbook::index("docs/runbooks/disk.md", "# Disk\n"),
            ],
        }
    }

    #[test]
    fn unguarded_slos_and_alerts_without_a_runbook_are_weighted_debt() {
        let m = measured(measure(&ReliabilityDebt, &with(levels(Some(runbooks())))));
        // Weights: 3 SLOs (1 each: search unguarded; login guarded by the
        // Sloth-labelled rule), Burn 2 (found), ApiDown 2 (paging, no
        // runbook), DiskFull 1 (found), Slow 1 (leads nowhere): debt
        // 1 + 2 + 1 of 9.
        assert!((m.value - 400.0 / 9.0).abs() < 1e-9, "{}", m.value);
        assert_eq!(m.coverage, 1.0);
        let fig = |n: &str| crate::ci::fixture::figure_value(&m, n);
        assert_eq!(fig("SLOs without a burn-rate alert"), 1.0);
        assert_eq!(fig("paging alerting rules without a runbook"), 1.0);
        assert_eq!(fig("runbook links leading to no runbook"), 1.0);
        assert_eq!(m.evidence[0].id, "g/ApiDown");
        assert_eq!(m.evidence[0].cite.as_deref(), Some("rules.yaml record 2"));
    }

    #[test]
    fn incidents_are_traced_to_the_alerting_rule_that_raised_them() {
        let mut d = with(levels(Some(runbooks())));
        let inc = crate::incidents::fixture::incident;
        d.delivery.as_mut().unwrap().incidents = vec![
            inc("1", "shop", "[FIRING:1] ApiDown api", "", 0),
            inc("2", "shop", "DiskFull on db-1", "", 60),
            inc("3", "shop", "Checkout slow", "", 120),
            inc("4", "shop", "pager", "Slow", 180),
        ];
        let m = measured(measure(&ReliabilityDebt, &d));
        let fig = |n: &str| crate::ci::fixture::figure_value(&m, n);
        // ApiDown (no runbook), DiskFull (found), Slow by fingerprint (its
        // link leads nowhere); "Checkout slow" names no rule.
        assert_eq!(fig("incidents raised by a stored alerting rule"), 3.0);
        assert_eq!(
            fig("incidents raised by an alerting rule without a working runbook"),
            2.0
        );
        // Without resolve entries that say who resolved them, no such figure.
        assert!(
            !m.figures
                .iter()
                .any(|x| x.name.contains("resolved by a person")),
            "{:?}",
            m.figures
        );
        // The value is the definitions' debt alone.
        assert!((m.value - 400.0 / 9.0).abs() < 1e-9, "{}", m.value);
    }

    #[test]
    fn who_resolved_the_incidents_shows_the_manual_and_improvised_response() {
        let mut d = with(levels(Some(runbooks())));
        let inc = |id, title, by: Option<bool>| crate::incidents::Incident {
            resolved_by_person: by,
            ..crate::incidents::fixture::incident(id, "shop", title, "", 0)
        };
        d.delivery.as_mut().unwrap().incidents = vec![
            // ApiDown has no runbook: a person resolved it — improvised.
            inc("1", "[FIRING:1] ApiDown api", Some(true)),
            // DiskFull's runbook is found: manual, but not improvised.
            inc("2", "DiskFull on db-1", Some(true)),
            // The integration resolved it (the alert cleared).
            inc("3", "[FIRING:1] ApiDown api", Some(false)),
            // The log does not say who.
            inc("4", "Checkout slow", None),
        ];
        let m = measured(measure(&ReliabilityDebt, &d));
        let fig = |n: &str| crate::ci::fixture::figure_value(&m, n);
        assert_eq!(
            fig("resolved incidents whose log says who resolved them"),
            3.0
        );
        assert_eq!(fig("of them, resolved by a person (manual response)"), 2.0);
        assert_eq!(
            fig("resolved by a person after a rule without a working runbook raised them"),
            1.0
        );
    }

    #[test]
    fn without_a_runbook_directory_links_are_not_followed_and_coverage_drops() {
        let m = measured(measure(&ReliabilityDebt, &with(levels(None))));
        // search (1) and ApiDown (2) of 9; three links not followed of 7 checks.
        assert!((m.value - 300.0 / 9.0).abs() < 1e-9, "{}", m.value);
        assert!((m.coverage - 4.0 / 7.0).abs() < 1e-9);
    }

    #[test]
    fn without_definitions_it_is_not_measured_and_names_the_ingest() {
        let d = data(1, &[&[0]], crate::ci::fixture::delivery());
        let why = not_measured(measure(&ReliabilityDebt, &d));
        assert!(
            why.starts_with(
                "no SLO definitions or alerting rules of this repository stored; ingest"
            ),
            "{why}"
        );
        let mut few = levels(None);
        few.alerts.clear();
        few.slos.truncate(2);
        let why = not_measured(measure(&ReliabilityDebt, &with(few)));
        assert!(
            why.starts_with("only 2 SLOs and alerting rules (3 needed)"),
            "{why}"
        );
    }
}
