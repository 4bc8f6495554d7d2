//! Incidents through the binary: hand-written PagerDuty, Opsgenie and CSV
//! exports (`tests/fixtures/incidents`, see its README) of the services of
//! a fixture repository with weekly production deployments, ingested and
//! assessed, each figure checked against the answer worked out here by hand.
//!
//! The repository's commit k (k = 1..8) is dated 1_700_000_000 + 169·k
//! hours (2023-11-14T22:13:20Z plus k weeks and k hours); deployment k
//! (k = 2..8) ships commit k, k hours after it, successfully:
//! d2 2023-11-29T02:13:20Z, d3 12-06 04:13:20, d4 12-13 06:13:20,
//! d5 12-20 08:13:20, d6 12-27 10:13:20, d7 2024-01-03 12:13:20,
//! d8 01-10 14:13:20.
//!
//! The incidents, in UTC, after de-duplication and merges:
//! - PagerDuty #101 `Checkout API` 11-29 03:13:20 (written +02:00), first
//!   acknowledged 03:43:20, second responder 04:13:20, resolved 05:13:20
//!   (written −05:00), one escalation: 2 h to resolve, 1 h after d2.
//! - #102 12-10 10:00 → 14:00 (4 h), a repeat of #101's cluster ("high cpu
//!   on", 11 days later); #103 merged into it: counted once, as #102.
//! - #104 12-20 09:13:20, still open: 1 h after d5.
//! - Opsgenie 7 (service `checkout-api-svc`, mapped by id) 12-29 08:00 →
//!   20:00 (12 h), 45.8 h after d6.
//! - CSV C1 `Checkout API`: first start 01-05 09:00 (export A, +01:00), last
//!   resolution 15:00 (export B): 6 h, re-opened.
//! - C3 01-06 09:00 → 10:00 (1 h), a repeat of C1's cluster ("disk full on
//!   used").
//! - C2 of `billing`: not this repository's.

mod support;

use support::{Fixture, figure, friction, iso, ok, signal};

fn fixture(name: &str) -> String {
    format!(
        "{}/tests/fixtures/incidents/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn assess(f: &Fixture) -> serde_json::Value {
    let out = ok(friction(&["assess", ".", "--json"], f.path()));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Eight weekly commits, `friction.toml` mapping the services (`search`
/// only for an SLO: no incident names it), and a
/// GitHub deployments export of deployments 2..8, scanned and ingested.
fn deployed() -> Fixture {
    let mut f = Fixture::new();
    f.write(
        "friction.toml",
        "[services]\n\"Checkout API\" = [\".\"]\n\"checkout-api-svc\" = [\".\"]\nsearch = [\".\"]\n",
    );
    let mut commits = Vec::new();
    for k in 1..=8i64 {
        f.advance_days(7);
        f.write("app.py", format!("VERSION = {k}\n"));
        f.commit(&format!("release {k}"));
        let time: i64 = f
            .git(&["log", "-1", "--format=%at"])
            .trim()
            .parse()
            .unwrap();
        assert_eq!(time, 1_700_000_000 + 169 * k * 3600);
        commits.push(f.head());
    }
    let (mut deployments, mut statuses) = (Vec::new(), Vec::new());
    for k in 2..=8i64 {
        let at = 1_700_000_000 + 169 * k * 3600 + k * 3600;
        let sha = &commits[k as usize - 1];
        deployments.push(format!(
            r#"{{"url":"https://api.github.com/repos/acme/app/deployments/{k}","id":{k},"sha":"{sha}","ref":"main","environment":"production","created_at":"{c}","updated_at":"{c}","statuses_url":"https://api.github.com/repos/acme/app/deployments/{k}/statuses","production_environment":true}}"#,
            c = iso(at - 600)
        ));
        statuses.push(format!(
            r#"{{"url":"https://api.github.com/repos/acme/app/deployments/{k}/statuses/{k}","id":{k},"state":"success","environment":"production","created_at":"{c}","deployment_url":"https://api.github.com/repos/acme/app/deployments/{k}"}}"#,
            c = iso(at)
        ));
    }
    f.write("deployments.json", format!("[{}]", deployments.join(",")));
    f.write("statuses.json", format!("[{}]", statuses.join(",")));
    ok(friction(&["scan", ".", "--quiet", "--no-report"], f.path()));
    ok(friction(
        &["ingest", "--quiet", "deployments.json", "statuses.json"],
        f.path(),
    ));
    f
}

fn ingest_incidents(f: &Fixture) {
    for name in [
        "pagerduty-incidents.json",
        "opsgenie-incidents.json",
        "incidents-a.csv",
        "incidents-b.csv",
    ] {
        std::fs::copy(fixture(name), f.path().join(name)).unwrap();
    }
    ok(friction(
        &[
            "ingest",
            "--quiet",
            "pagerduty-incidents.json",
            "opsgenie-incidents.json",
            "incidents-a.csv",
            "incidents-b.csv",
        ],
        f.path(),
    ));
}

#[test]
fn incidents_are_mapped_counted_once_and_measured_against_hand_computed_answers() {
    let f = deployed();
    ingest_incidents(&f);
    let a = assess(&f);

    let mapping = &a["exports"]["incidents"];
    assert_eq!(mapping["total"], 7, "{mapping}");
    assert_eq!(mapping["mapped"], 6);
    assert_eq!(mapping["mapped_by_name"], 0);
    assert_eq!(
        mapping["unmapped"],
        serde_json::json!([{"service": "billing", "incidents": 1}])
    );
    assert_eq!(
        mapping["summary"],
        "6 of 7 incidents mapped to this repository; 1 from 1 unmapped service: billing (1)"
    );

    // Recurrence: #102 repeats #101, C3 repeats C1: 2 of 6.
    let r = signal(&a, "incident-recurrence");
    assert_eq!(r["value"], 33.33, "{r}");
    assert_eq!(figure(r, "repeat incidents"), 2.0);
    assert_eq!(figure(r, "cluster: Checkout API — high cpu on"), 2.0);
    assert_eq!(figure(r, "cluster: Checkout API — disk full on used"), 2.0);

    // Recovery: resolved in 2, 4, 12, 6 and 1 hours; #104 open.
    let m = signal(&a, "incident-recovery");
    assert_eq!(m["value"], 4.0, "{m}");
    assert_eq!(figure(m, "resolved"), 5.0);
    assert_eq!(figure(m, "still open"), 1.0);
    assert_eq!(figure(m, "re-opened"), 1.0);
    assert_eq!(figure(m, "merged into another"), 1.0);
    assert_eq!(figure(m, "to resolve p90"), 9.6);
    assert_eq!(figure(m, "to acknowledge p50"), 0.5);
    assert_eq!(figure(m, "to mobilise p50"), 1.0);
    assert_eq!(figure(m, "escalations"), 1.0);
    assert_eq!(figure(m, "team Payments: to resolve p50"), 3.0);
    assert_eq!(m["evidence"][0]["value"], 12.0);
    assert_eq!(m["evidence"][0]["cite"], "opsgenie-incidents.json record 1");

    // Change-caused incidents: d2 (#101 1 h after) and d5 (#104) of 7.
    let cfr = signal(&a, "change-failure-rate");
    assert_eq!(cfr["value"], 28.57, "{cfr}");
    assert_eq!(figure(cfr, "followed by an incident within 24 hours"), 2.0);
    let d2 = cfr["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == "2")
        .unwrap();
    let cite = d2["cite"].as_str().unwrap();
    assert!(
        cite.starts_with("deployments.json record 1")
            && cite.contains("pagerduty#101 (pagerduty-incidents.json record 1"),
        "{cite}"
    );
    // d2 recovered when #101 was resolved; d5's incident is still open.
    let drt = signal(&a, "deployment-recovery-time");
    assert!(
        drt["not_measured"].as_str().unwrap().starts_with(
            "1 failed production deployment recovered from in the window, 1 not recovered"
        ),
        "{drt}"
    );

    // The git-message proxy weighs less beside incidents.
    assert_eq!(signal(&a, "defect-prone-code")["weight"], 0.2);

    // `explain` cites the records behind the numbers.
    let out = ok(friction(&["explain", "incident-recovery", "."], f.path()));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("opsgenie-incidents.json record 1")
            && text.contains("pagerduty-incidents.json record"),
        "{text}"
    );
}

#[test]
fn incidents_of_no_service_of_this_repository_change_no_score() {
    let f = deployed();
    let before = assess(&f);
    assert!(before["exports"].get("incidents").is_none());
    assert_eq!(signal(&before, "defect-prone-code")["weight"], 0.4);
    assert!(
        signal(&before, "incident-recovery")["not_measured"]
            .as_str()
            .unwrap()
            .starts_with("incidents: none stored; ingest an incident export")
    );
    f.write(
        "other.csv",
        "id,title,service,created_at,resolved_at\n\
         X1,Search slow,billing,2023-12-20T09:00:00Z,2023-12-20T10:00:00Z\n",
    );
    ok(friction(&["ingest", "--quiet", "other.csv"], f.path()));
    let after = assess(&f);
    assert_eq!(
        after["exports"]["incidents"]["summary"],
        "0 of 1 incidents mapped to this repository; 1 from 1 unmapped service: billing (1)"
    );
    let scores = |a: &serde_json::Value| -> Vec<(String, serde_json::Value, serde_json::Value)> {
        a["index"]["drivers"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|d| d["signals"].as_array().unwrap().iter())
            .map(|s| (s["id"].to_string(), s["score"].clone(), s["weight"].clone()))
            .collect()
    };
    assert_eq!(scores(&before), scores(&after));
    assert_eq!(before["index"]["score"], after["index"]["score"]);
    assert_eq!(before["index"]["coverage"], after["index"]["coverage"]);
    assert_eq!(
        signal(&before, "change-failure-rate"),
        signal(&after, "change-failure-rate"),
        "an unmapped incident after d5 fails no deployment"
    );
}

/// Error budgets from the same incidents. The window ends at commit 8,
/// 2024-01-10T06:13:20Z; a 30-day SLO's window starts 2023-12-11T06:13:20Z.
/// Of `Checkout API`'s incidents, #102 (12-10) ended before it; #104, still
/// open, runs from 12-20 09:13:20 to the end: 501 h, and C1 (re-opened
/// across the two CSV exports, written +01:00) and C3 lie inside it, so they
/// add nothing. A 50 % objective allows 15 days (360 h): 139.17 % used. The
/// `search` SLO's service (mapped here by `[services]`) has no incident: 0 %,
/// and half the coverage. The `billing` SLO belongs to a service no rule maps
/// to this repository: left out, and counted.
#[test]
fn error_budgets_union_the_incidents_of_the_slos_service_in_its_window() {
    let f = deployed();
    ingest_incidents(&f);
    f.write(
        "slo.yaml",
        "apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: availability}\n\
         spec: {service: Checkout API, objectives: [{target: 0.5}], timeWindow: [{duration: 30d, isRolling: true}], alertPolicies: [burn]}\n\
         ---\napiVersion: openslo/v1\nkind: SLO\nmetadata: {name: latency}\n\
         spec: {service: search, objectives: [{target: 0.99}], timeWindow: [{duration: 30d, isRolling: true}], alertPolicies: [burn]}\n\
         ---\napiVersion: openslo/v1\nkind: SLO\nmetadata: {name: invoices}\n\
         spec: {service: billing, objectives: [{target: 0.99}], timeWindow: [{duration: 30d, isRolling: true}], alertPolicies: [burn]}\n",
    );
    ok(friction(&["ingest", "--quiet", "slo.yaml"], f.path()));
    let a = assess(&f);
    let b = signal(&a, "error-budget");
    assert_eq!(b["value"], 69.58, "{b}");
    assert_eq!(b["coverage"], 0.5);
    assert_eq!(figure(b, "SLOs budgeted"), 2.0);
    assert_eq!(
        figure(b, "SLOs and alerting rules of other services left out"),
        1.0
    );
    let debt = signal(&a, "reliability-debt")["not_measured"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        debt.contains("1 SLOs and alerting rules of other services left out (billing;"),
        "{debt}"
    );
    assert_eq!(figure(b, "SLOs with the budget spent"), 1.0);
    assert_eq!(figure(b, "incident hours against budgets"), 501.0);
    assert_eq!(
        figure(b, "incidents still open, cut at the assessment's end"),
        1.0
    );
    let e = &b["evidence"][0];
    assert_eq!(e["id"], "Checkout API/availability");
    assert_eq!(e["value"], 139.17);
    assert_eq!(e["cite"], "slo.yaml record 1");
    let label = e["label"].as_str().unwrap();
    assert!(
        label.starts_with("objective 50.000 % over 30d: 501.0 h bad of 360.0 h allowed")
            && label.contains("1 open, cut at the assessment's end"),
        "{label}"
    );
    let out = ok(friction(&["explain", "error-budget", "."], f.path()));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Checkout API/availability"), "{text}");
}

/// The newest commit's author time.
fn head_time(f: &Fixture) -> i64 {
    f.git(&["log", "-1", "--format=%at"])
        .trim()
        .parse()
        .unwrap()
}

/// Appends `lines` to the fixture's `friction.toml` (not committed).
fn add_to_config(f: &Fixture, lines: &str) {
    let mut toml = std::fs::read_to_string(f.path().join("friction.toml")).unwrap();
    toml.push_str(lines);
    f.write("friction.toml", toml);
}

/// Incident-linked hotspots: two fix commits to `src/hot.py` name incidents
/// of the repository's service by id, so
/// the hotspot map marks it as behind repeat incidents in the JSON, the
/// hotspot table (HTML, CSV) and the Markdown summary; a commit naming an
/// incident of another service marks nothing.
#[test]
fn files_changed_by_commits_naming_incidents_are_marked_in_the_hotspot_map() {
    let mut f = support::costly_hotspot();
    add_to_config(&f, "[services]\nshop = [\".\"]\n");
    // Files changed once, so the change distribution bends after src/hot.py.
    for name in ["a", "b", "c", "d"] {
        f.write(
            format!("lib/{name}.py"),
            format!("def {name}():\n    return 1\n"),
        );
    }
    f.commit_as("more modules", "Ann", "ann@example.com");
    let hot = std::fs::read_to_string(f.path().join("src/hot.py")).unwrap();
    for (i, message) in [
        "Fix INC-9: bound the retry loop",
        "Follow-up to INC-12 (pool size)",
        "Fix OTHER-1 in lib",
    ]
    .iter()
    .enumerate()
    {
        f.advance_days(1);
        if i < 2 {
            f.write("src/hot.py", format!("{hot}# incident fix {i}\n"));
        } else {
            f.write("lib/ok.py", "def ok():\n    return 2\n");
        }
        f.commit_as(message, "Bob", "bob@example.com");
    }
    let head = head_time(&f);
    f.write(
        "incidents.csv",
        format!(
            "id,title,created_at,resolved_at,service\n\
             INC-9,Retry storm,{a},{b},shop\n\
             INC-12,Pool exhausted,{a},{b},shop\n\
             OTHER-1,Billing down,{a},{b},billing\n",
            a = iso(head - 5 * 86_400),
            b = iso(head - 5 * 86_400 + 3600)
        ),
    );
    ok(friction(&["scan", ".", "--quiet", "--no-report"], f.path()));
    ok(friction(&["ingest", "--quiet", "incidents.csv"], f.path()));
    let a = assess(&f);
    let files = a["cost"]["files"].as_array().unwrap();
    let hot = files.iter().find(|x| x["path"] == "src/hot.py").unwrap();
    assert_eq!(
        hot["incidents"],
        serde_json::json!(["csv#INC-12", "csv#INC-9"]),
        "{hot}"
    );
    assert_eq!(hot["hotspot"], true);
    assert!(
        files
            .iter()
            .all(|x| x["path"] == "src/hot.py" || x.get("incidents").is_none())
    );
    // The report is of the latest snapshot: one recorded with the incidents.
    ok(friction(&["scan", ".", "--quiet", "--no-report"], f.path()));
    let out = f.path().join("out");
    ok(friction(
        &["report", ".", "--out", out.to_str().unwrap(), "-q"],
        f.path(),
    ));
    let cell = "2 · repeat incidents: csv#INC-12, csv#INC-9";
    for name in ["hotspots.csv", "report.html"] {
        let text = std::fs::read_to_string(out.join(name)).unwrap();
        assert!(text.contains(cell), "{name}: {text}");
    }
    // The summary's top-hotspot row ends in the cell, Markdown-escaped.
    let md = std::fs::read_to_string(out.join("summary.md")).unwrap();
    assert!(
        md.lines().any(|l| l.starts_with(r"| src/hot\.py |")
            && l.ends_with(r"| 2 · repeat incidents: csv\#INC\-12, csv\#INC\-9 |")),
        "{md}"
    );
}

/// Incident-linked hotspots by time: a defect fix that names no incident
/// but lands inside an incident's window (within a day of its resolution)
/// marks the files of the incident's service it touched — `src/` here —
/// and no other; a fix days after an incident links nothing.
#[test]
fn a_defect_fix_inside_an_incidents_window_marks_the_services_files() {
    let mut f = support::costly_hotspot();
    add_to_config(&f, "[services]\nshop = [\"src/\"]\n");
    f.commit_as("map the shop service", "Ann", "ann@example.com");
    f.advance_days(1);
    let hot = std::fs::read_to_string(f.path().join("src/hot.py")).unwrap();
    f.write("src/hot.py", format!("{hot}# bound the pool\n"));
    f.write("lib/pool.py", "def size():\n    return 4\n");
    f.commit_as(
        "Fix crash when the connection pool is exhausted",
        "Bob",
        "bob@example.com",
    );
    let head = head_time(&f);
    f.write(
        "incidents.csv",
        format!(
            "id,title,created_at,resolved_at,service\n\
             INC-7,Pool exhausted,{a},{b},shop\n\
             INC-3,Slow pages,{c},{d},shop\n",
            a = iso(head - 3 * 3600),
            b = iso(head - 1800),
            c = iso(head - 4 * 86_400),
            d = iso(head - 4 * 86_400 + 3600),
        ),
    );
    ok(friction(&["scan", ".", "--quiet", "--no-report"], f.path()));
    ok(friction(&["ingest", "--quiet", "incidents.csv"], f.path()));
    let a = assess(&f);
    let files = a["cost"]["files"].as_array().unwrap();
    let hot = files.iter().find(|x| x["path"] == "src/hot.py").unwrap();
    assert_eq!(hot["incidents"], serde_json::json!(["csv#INC-7"]), "{hot}");
    // No other file is marked (the same commit's `lib/pool.py` is outside
    // the service's paths; the unit test of `fixes_in_window` checks the
    // file filter on a file the cost model lists).
    assert!(
        files
            .iter()
            .all(|x| x["path"] == "src/hot.py" || x.get("incidents").is_none()),
        "{files:?}"
    );
}
