//! SARIF findings through the binary: two SARIF samples (CodeQL's shape, the
//! spec's `originalUriBaseIds`; see the ingest crate's fixtures README)
//! ingested into a scanned repository, the `security-findings` signal and
//! the security debt of the hotspot map compared with figures computed here
//! from the raw JSON; URIs outside the repository counted, never scored.

mod support;

use support::{friction_json, friction_stdout, ingest_fixture, signal};

fn figure(s: &serde_json::Value, name: &str) -> f64 {
    s["figures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == name)
        .unwrap_or_else(|| panic!("no figure {name} in {s}"))["value"]
        .as_f64()
        .unwrap()
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Per result of a SARIF file: its URI as written and its weight, the rule's
/// `security-severity` / 10, else the documented weight of its level.
fn results(path: &str) -> Vec<(String, f64)> {
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let run = &v["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let mut out = Vec::new();
    for r in run["results"].as_array().unwrap() {
        if r["kind"].as_str().is_some_and(|k| k != "fail") {
            continue;
        }
        let rule = rules.iter().find(|x| x["id"] == r["ruleId"]).unwrap();
        let level = r["level"]
            .as_str()
            .or(rule["defaultConfiguration"]["level"].as_str())
            .unwrap_or("warning");
        let weight = match rule["properties"]["security-severity"].as_str() {
            Some(s) => s.parse::<f64>().unwrap() / 10.0,
            None => match level {
                "error" => 0.8,
                "warning" => 0.55,
                "note" => 0.2,
                _ => 0.0,
            },
        };
        let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .to_owned();
        out.push((uri, weight));
    }
    out
}

fn hotspot<'a>(listing: &'a serde_json::Value, path: &str) -> &'a serde_json::Value {
    listing["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["path"] == path)
        .unwrap_or_else(|| panic!("{path} not in {listing}"))
}

#[test]
fn sarif_findings_score_security_and_mark_security_debt_in_the_hotspot_map() {
    let f = support::costly_hotspot();
    friction_stdout(&["scan", ".", "-q", "--no-report"], f.path());
    // Without SARIF: not measured, and the hotspot map has no security fields.
    let a = friction_json(&["assess", "--json"], f.path());
    assert!(
        signal(&a, "security-findings")["not_measured"]
            .as_str()
            .is_some_and(|w| w.contains("friction ingest")),
        "{}",
        signal(&a, "security-findings")
    );
    let plain = friction_json(&["hotspots", "--json", "--all"], f.path());
    let files = plain["files"].to_string();
    assert!(!files.contains("security_"), "{files}");
    // …and the risk concentration says security is not measured, not 0.
    for c in plain["risk"].as_array().unwrap() {
        assert!(c["security"].is_null(), "{c}");
        assert!(
            c["not_measured"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p == "security"),
            "{c}"
        );
    }

    let codeql = ingest_fixture("sarif/codeql-shape.sarif");
    let spec = ingest_fixture("sarif/spec-uribaseids.sarif");
    let out = friction_json(&["ingest", "--json", &codeql, &spec], f.path());
    for file in out["files"].as_array().unwrap() {
        assert_eq!(file["status"], "stored", "{file}");
        assert_eq!(file["format"], "sarif", "{file}");
    }
    // Ingesting again changes nothing.
    let again = friction_json(&["ingest", "--json", &codeql, &spec], f.path());
    assert!(
        again["files"]
            .as_array()
            .unwrap()
            .iter()
            .all(|x| x["status"] == "unchanged"),
        "{again}"
    );
    let codeql_results = results(&codeql);
    let spec_results = results(&spec);
    let inputs = friction_json(&["inputs", "--json"], f.path());
    assert_eq!(
        inputs["facts"]["security_findings"].as_u64(),
        Some((codeql_results.len() + spec_results.len()) as u64)
    );

    // On the repository's files: every CodeQL result (its URIs are relative
    // to %SRCROOT%) and the spec sample's one result under the runner's
    // checkout; its other four name nothing of the repository.
    let on_tree: Vec<(String, f64)> = codeql_results
        .iter()
        .cloned()
        .chain(
            spec_results
                .iter()
                .filter(|(uri, _)| uri == "hot.py")
                .map(|(_, w)| ("src/hot.py".to_owned(), *w)),
        )
        .collect();
    let skipped = spec_results.len() - 1;
    assert_eq!(skipped, 4);

    let a = friction_json(&["assess", "--json"], f.path());
    let s = signal(&a, "security-findings");
    let total: f64 = on_tree.iter().map(|x| x.1).sum();
    assert_eq!(s["value"].as_f64(), Some(round2(total)), "{s}");
    assert_eq!(figure(s, "findings"), on_tree.len() as f64);
    assert_eq!(
        figure(s, "findings naming no file of the tree (skipped)"),
        skipped as f64
    );
    let coverage = on_tree.len() as f64 / (on_tree.len() + skipped) as f64;
    assert_eq!(s["coverage"].as_f64(), Some(round2(coverage)), "{s}");
    assert!(
        s["evidence"][0]["cite"]
            .as_str()
            .is_some_and(|c| c.contains("record")),
        "{s}"
    );
    let notes = serde_json::to_string(&a).unwrap();
    assert!(notes.contains("4 SARIF findings name no file of the assessed tree"));

    // The hotspot map: findings and security debt = weight × revisions.
    let listing = friction_json(&["hotspots", "--json", "--all"], f.path());
    let hot = hotspot(&listing, "src/hot.py");
    let hot_weight: f64 = on_tree
        .iter()
        .filter(|x| x.0 == "src/hot.py")
        .map(|x| x.1)
        .sum();
    let n = on_tree.iter().filter(|x| x.0 == "src/hot.py").count();
    assert_eq!(hot["security_findings"].as_u64(), Some(n as u64));
    let revisions = hot["revisions"].as_f64().unwrap();
    assert_eq!(
        hot["security_debt"].as_f64(),
        Some(round2(hot_weight * revisions))
    );
    let csv = friction_stdout(&["hotspots", "--csv"], f.path());
    assert!(
        csv.lines()
            .next()
            .unwrap()
            .ends_with(",security_findings,security_debt"),
        "{csv}"
    );
    let text = friction_stdout(&["hotspots"], f.path());
    assert!(
        text.contains(&format!("{n} security findings · security debt")),
        "{text}"
    );

    // The report's hotspot table (HTML, Markdown, CSV) carries the same columns.
    friction_stdout(&["scan", ".", "-q", "--no-report"], f.path());
    let dir = f.path().join("out");
    friction_stdout(
        &["report", ".", "--out", dir.to_str().unwrap(), "-q"],
        f.path(),
    );
    let table = std::fs::read_to_string(dir.join("hotspots.csv")).unwrap();
    let header = table.lines().next().unwrap();
    assert!(
        header.contains("security_findings,security_debt"),
        "{header}"
    );
}

#[test]
fn a_sarif_file_that_is_not_2_1_0_or_malformed_is_refused_whole() {
    let f = support::costly_hotspot();
    friction_stdout(&["scan", ".", "-q", "--no-report"], f.path());
    f.write("old.sarif", "{\"version\":\"1.0.0\",\"runs\":[]}");
    f.write(
        "bad.sarif",
        "{\"version\":\"2.1.0\",\"runs\":[{\"tool\":{\"driver\":{\"name\":\"x\"}},\"results\":[{\"ruleId\":\"r\",\"level\":\"fatal\"}]}]}",
    );
    let out = support::friction(&["ingest", "--json", "old.sarif", "bad.sarif"], f.path());
    assert!(!out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let errors: Vec<&str> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["error"].as_str().unwrap())
        .collect();
    assert!(errors[0].contains("only 2.1.0"), "{errors:?}");
    assert!(
        errors[1].contains("record 1") && errors[1].contains("fatal"),
        "{errors:?}"
    );
    let inputs = friction_json(&["inputs", "--json"], f.path());
    assert_eq!(inputs["facts"]["security_findings"].as_u64(), Some(0));
}
