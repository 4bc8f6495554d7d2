//! SLO definitions, alerting rules and runbooks through the binary: a
//! repository with a committed runbook directory, OpenSLO and Sloth SLOs and
//! a Prometheus rule file ingested (an SLO of a service `[services]` does not
//! map here left out), and `reliability-debt` compared with the debt counted
//! here by hand; without them the signal is not measured
//! and names the command that would measure it.

mod support;

use support::{Fixture, figure, friction, friction_json, iso, ok, signal};

fn repository() -> Fixture {
    let mut f = Fixture::new();
    f.write("src/api.py", "def handler():\n    return 1\n");
    f.write(
        "docs/runbooks/api.md",
        "# API runbook\n\n## Slow responses\n\nScale the pool.\n",
    );
    // The SLOs' services are this repository's; `billing` is not.
    f.write(
        "friction.toml",
        "[services]\nshop = [\".\"]\nsearch = [\".\"]\n",
    );
    f.commit("api and its runbook");
    let out = friction(&["scan", ".", "--quiet", "--no-report"], f.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    f
}

#[test]
fn reliability_debt_weighs_unguarded_slos_and_alerts_without_a_runbook() {
    let f = repository();
    let before = friction_json(&["assess", "--json"], f.path());
    let why = signal(&before, "reliability-debt")["not_measured"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        why.starts_with("no SLO definitions or alerting rules of this repository stored; ingest"),
        "{why}"
    );
    f.write(
        "exports/slo.yaml",
        "apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: checkout}\n\
         spec: {service: shop, objectives: [{target: 0.999}], alertPolicies: [fast-burn]}\n",
    );
    f.write(
        "exports/billing.yaml",
        "apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: invoices}\n\
         spec: {service: billing, objectives: [{target: 0.99}]}\n",
    );
    f.write(
        "exports/sloth.yml",
        "version: prometheus/v1\nservice: search\nslos:\n- name: latency\n  objective: 99\n\
         \x20 alerting: {page_alert: {disable: true}, ticket_alert: {disable: true}}\n",
    );
    f.write(
        "exports/rules.yml",
        "groups:\n- name: api\n  rules:\n\
         \x20 - alert: ApiDown\n    expr: up == 0\n    labels: {severity: critical}\n\
         \x20 - alert: ApiSlow\n    expr: latency > 1\n    labels: {severity: warning}\n\
         \x20   annotations: {runbook_url: 'https://github.com/acme/app/blob/main/docs/runbooks/api.md#slow-responses'}\n\
         \x20 - alert: DiskFull\n    expr: disk > 0.9\n    labels: {severity: warning}\n\
         \x20   annotations: {runbook_url: 'https://runbooks.example.com/runbooks/disk'}\n\
         \x20 - record: job:up:sum\n    expr: sum(up)\n",
    );
    let out = friction(&["ingest", "exports", "--quiet"], f.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let a = friction_json(&["assess", "--json"], f.path());
    let s = signal(&a, "reliability-debt");
    // Weights: checkout guarded (1), latency unguarded (1 of debt), ApiDown
    // pages without a runbook (2 of debt), ApiSlow's link leads to the
    // runbook's heading (1), DiskFull's to no runbook of docs/runbooks (1 of
    // debt): 4 of 6.
    let value = s["value"].as_f64().unwrap();
    assert!((value - 400.0 / 6.0).abs() < 0.01, "{s}");
    assert_eq!(figure(s, "SLOs without a burn-rate alert"), 1.0);
    assert_eq!(figure(s, "paging alerting rules without a runbook"), 1.0);
    assert_eq!(figure(s, "runbook links leading to no runbook"), 1.0);
    assert_eq!(figure(s, "recording rules"), 1.0);
    assert_eq!(figure(s, "runbooks"), 1.0);
    // The billing SLO is another service's: left out, counted.
    assert_eq!(
        figure(s, "SLOs and alerting rules of other services left out"),
        1.0
    );
    let evidence = s["evidence"].as_array().unwrap();
    assert_eq!(evidence[0]["id"], "api/ApiDown");
    assert_eq!(evidence[0]["cite"], "exports/rules.yml record 1");
    let ids: Vec<&str> = evidence.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["api/ApiDown", "api/DiskFull", "search/latency"]);

    // PagerDuty incidents with their logs: ApiDown (no runbook) resolved by
    // a person, DiskFull (link to no runbook) cleared by the integration,
    // ApiSlow (runbook found) resolved by a person.
    let t = f.now() - 86_400;
    let incident = |n: u32, title: &str, agent: &str| {
        let (c, r) = (
            iso(t + i64::from(n) * 3_600),
            iso(t + i64::from(n) * 3_600 + 600),
        );
        format!(
            r#"{{"id":"P{n}","type":"incident","incident_number":{n},"title":"{title}","status":"resolved","created_at":"{c}","service":{{"id":"S1","type":"service_reference","summary":"shop"}},"log_entries":[{{"id":"T{n}","type":"trigger_log_entry","created_at":"{c}","agent":{{"type":"integration_reference"}},"incident":{{"id":"P{n}"}}}},{{"id":"R{n}","type":"resolve_log_entry","created_at":"{r}","agent":{{"type":"{agent}"}},"incident":{{"id":"P{n}"}}}}]}}"#
        )
    };
    f.write(
        "pd/incidents.json",
        format!(
            r#"{{"incidents":[{},{},{}],"limit":25,"offset":0,"more":false}}"#,
            incident(1, "[FIRING:1] ApiDown api", "user_reference"),
            incident(2, "[FIRING:1] DiskFull db-1", "integration_reference"),
            incident(3, "[FIRING:1] ApiSlow api", "user_reference"),
        ),
    );
    ok(friction(&["ingest", "pd", "--quiet"], f.path()));
    let a = friction_json(&["assess", "--json"], f.path());
    let s = signal(&a, "reliability-debt");
    assert_eq!(figure(s, "incidents raised by a stored alerting rule"), 3.0);
    assert_eq!(
        figure(s, "resolved incidents whose log says who resolved them"),
        3.0
    );
    assert_eq!(
        figure(s, "of them, resolved by a person (manual response)"),
        2.0
    );
    assert_eq!(
        figure(
            s,
            "resolved by a person after a rule without a working runbook raised them"
        ),
        1.0
    );
}
