//! Every sample of `tests/fixtures/{ci,junit,coverage,incidents,slo}` (real exports; see
//! the READMEs there) is recognised and read with as many records as the
//! test counts in it by other means, or refused with an error that says where
//! (the truncated and the malformed samples).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use friction_ingest::{Format, detect, extract};
use friction_model::inputs::{InputRecord, Position};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn samples(dir: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![fixtures().join(dir)];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.file_name().is_some_and(|n| n != "README.md") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn read(
    path: &Path,
    format: Format,
) -> Result<Vec<(InputRecord, Position)>, friction_ingest::Error> {
    let bytes = std::fs::read(path).unwrap();
    let mut records = Vec::new();
    extract(format, &mut bytes.as_slice(), &mut |r, p| {
        records.push((r, p));
        Ok(())
    })?;
    Ok(records)
}

/// Records in a JSON sample, counted from its structure.
fn json_items(text: &str) -> usize {
    let v: serde_json::Value = serde_json::from_str(text).unwrap();
    if let Some(items) = v.as_array() {
        return items.len();
    }
    for page in ["workflow_runs", "jobs"] {
        if let Some(items) = v.get(page).and_then(|p| p.as_array()) {
            return items.len();
        }
    }
    1
}

/// Rows of a CSV table, counted by the `csv` crate's plain reader.
fn csv_rows(path: &Path) -> usize {
    csv::Reader::from_path(path).unwrap().records().count()
}

/// `<testcase` elements, counted in the text.
fn testcases(text: &str) -> usize {
    text.match_indices("<testcase")
        .filter(|(i, _)| {
            let next = text.as_bytes().get(i + "<testcase".len());
            matches!(next, Some(b' ' | b'\n' | b'\r' | b'\t' | b'>' | b'/'))
        })
        .count()
}

/// Distinct files named in a coverage report's text.
fn covered_files(text: &str, format: Format) -> usize {
    let names: BTreeSet<&str> = match format {
        Format::Lcov => text.lines().filter_map(|l| l.strip_prefix("SF:")).collect(),
        _ => text
            .split("filename=\"")
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
            .collect(),
    };
    names.len()
}

/// Records in an incident sample, counted from its structure: each incident,
/// each log entry (embedded or listed), each Opsgenie item.
fn incident_records(v: &serde_json::Value) -> usize {
    let entries = |i: &serde_json::Value| {
        i.get("log_entries")
            .and_then(|e| e.as_array())
            .map_or(0, Vec::len)
    };
    if let Some(items) = v.get("incidents").and_then(|i| i.as_array()) {
        return items.iter().map(|i| 1 + entries(i)).sum();
    }
    if let Some(i) = v.get("incident") {
        return 1 + entries(i);
    }
    if v.get("incident_number").is_some() {
        return 1 + entries(v);
    }
    if let Some(items) = v.get("data").and_then(|d| d.as_array()) {
        return items.len();
    }
    if v.get("data").is_some() || v.get("tinyId").is_some() {
        return 1;
    }
    entries(v)
}

/// The same over a DevLake raw table's `data` cells.
fn devlake_incident_records(path: &Path) -> usize {
    csv::Reader::from_path(path)
        .unwrap()
        .records()
        .map(|r| incident_records(&serde_json::from_str(&r.unwrap()[2]).unwrap()))
        .sum()
}

/// Records in a work-item sample, counted from its structure: a Jira issue
/// and each status or resolution change of its changelog; a GitHub or GitLab
/// issue (a pull request the issues API lists is none); a GitHub issue event
/// that closes or re-opens, plus its commit, or a pull request's cross-reference.
fn workitem_records(v: &serde_json::Value) -> usize {
    if v.get("fields").is_some() {
        let changes: usize = v["changelog"]["histories"].as_array().map_or(0, |hs| {
            hs.iter()
                .flat_map(|h| h["items"].as_array().cloned().unwrap_or_default())
                .filter(|i| matches!(i["field"].as_str(), Some("status" | "resolution")))
                .count()
        });
        return 1 + changes;
    }
    if let Some(event) = v.get("event").and_then(|e| e.as_str()) {
        if v["issue"]["pull_request"].is_object() {
            return 0;
        }
        let commit = v["commit_id"].as_str().is_some_and(|c| !c.is_empty());
        return match event {
            "closed" => 1 + usize::from(commit),
            "reopened" => 1,
            "referenced" => usize::from(commit),
            "cross-referenced" => usize::from(v["source"]["issue"]["pull_request"].is_object()),
            _ => 0,
        };
    }
    usize::from(v.get("pull_request").is_none())
}

/// The same over a DevLake raw table's `data` cells.
fn devlake_workitem_records(path: &Path) -> usize {
    csv::Reader::from_path(path)
        .unwrap()
        .records()
        .map(|r| workitem_records(&serde_json::from_str(&r.unwrap()[2]).unwrap()))
        .sum()
}

/// Samples no reader recognises (PagerDuty's analytics aggregates are not
/// incidents): `friction ingest` says so and reads the others.
const UNRECOGNISED: [&str; 3] = [
    "incidents/pagerduty/analytics-metrics-incidents-all.json",
    "incidents/pagerduty/analytics-raw-incident-responses.json",
    // `apiVersion: foo`: neither OpenSLO nor Sloth.
    "slo/openslo/MESSY-invalid-apiversion.yaml",
];

/// Objects, SLOs and rules in a YAML definition, counted from its lines:
/// OpenSLO objects by their `apiVersion` at the top or in a top-level list,
/// Sloth SLOs by their list items under `slos` (and one object for an
/// `AlertWindows`), rules by their `alert:` or `record:` keys.
fn yaml_records(text: &str, format: Format) -> usize {
    let lines = text.lines().filter(|l| !l.trim_start().starts_with('#'));
    match format {
        Format::Openslo => lines
            .filter(|l| l.starts_with("apiVersion:") || l.starts_with("- apiVersion:"))
            .count(),
        Format::Sloth if text.contains("kind: AlertWindows") => 1,
        Format::Sloth => {
            let indent = |l: &str| l.len() - l.trim_start().len();
            let slos = text.lines().find(|l| l.trim_start().starts_with("slos:"));
            let item = slos.map_or(0, indent);
            lines
                .filter(|l| {
                    let t = l.trim_start();
                    t.starts_with("- name:") && (indent(l) == item || indent(l) == item + 2)
                })
                .count()
        }
        _ => lines
            .filter(|l| {
                let t = l.trim_start();
                let t = t.strip_prefix("- ").unwrap_or(t);
                t.starts_with("alert:") || t.starts_with("record:")
            })
            .count(),
    }
}

/// Samples a reader must refuse, with what the error must name.
const REFUSED: [(&str, &str); 6] = [
    (
        "workitems/github/octokit-fixture-paginate-issues.json",
        "record 1: not a GitHub workflow run",
    ),
    (
        "workitems/jira/devlake_raw_jira_api_status.csv",
        "record 1 (line 2): a Jira status, not an issue",
    ),
    ("junit/pytest/corrupt-xml.xml", "line"),
    (
        "coverage/lcov/MESSY-lcov-bad-counts.info",
        "line 7: DA: the hit count `-3`",
    ),
    (
        "incidents/pagerduty/api-incident-alerts.json",
        "record 1: not a PagerDuty incident, page of incidents or log entry",
    ),
    (
        "incidents/opsgenie/devlake_raw_opsgenie_teams.csv",
        "record 1 (line 1): not an Opsgenie incident",
    ),
];

fn check(dir: &str) -> usize {
    let mut checked = 0;
    for path in samples(dir) {
        let name = path
            .strip_prefix(fixtures())
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let bytes = std::fs::read(&path).unwrap();
        let detected = detect(&bytes[..bytes.len().min(8192)]);
        if UNRECOGNISED.contains(&name.as_str()) {
            assert_eq!(detected, None, "{name}");
            checked += 1;
            continue;
        }
        let format = detected.unwrap_or_else(|| panic!("{name}: not recognised"));
        let result = read(&path, format);
        if let Some((_, says)) = REFUSED.iter().find(|(f, _)| *f == name) {
            let err = result.expect_err(&name).to_string();
            assert!(err.contains(says), "{name}: {err}");
            checked += 1;
            continue;
        }
        let records = result.unwrap_or_else(|e| panic!("{name}: {e}"));
        let text = String::from_utf8_lossy(&bytes);
        let expected = match format {
            Format::Github if name.starts_with("workitems/") => {
                workitem_records(&serde_json::from_str(&text).unwrap())
            }
            Format::Github | Format::Gitlab => json_items(&text),
            Format::DevlakeCsv if name.starts_with("incidents/") => devlake_incident_records(&path),
            Format::DevlakeCsv if name.contains("issue") || name.contains("events") => {
                devlake_workitem_records(&path)
            }
            Format::DevlakeCsv => csv_rows(&path),
            Format::Pagerduty | Format::Opsgenie => {
                incident_records(&serde_json::from_str(&text).unwrap())
            }
            Format::IncidentsCsv | Format::WorkItemsCsv => csv_rows(&path),
            Format::Jira => workitem_records(&serde_json::from_str(&text).unwrap()),
            Format::Junit => testcases(&text),
            Format::Lcov | Format::Cobertura | Format::Jacoco => covered_files(&text, format),
            Format::Openslo | Format::Sloth | Format::PrometheusRules => {
                yaml_records(&text, format)
            }
        };
        // A real sample holds nothing a reader passes over.
        let skipped: Vec<&InputRecord> = records
            .iter()
            .map(|(r, _)| r)
            .filter(|r| matches!(r, InputRecord::Skipped(_)))
            .collect();
        assert!(skipped.is_empty(), "{name}: {skipped:?}");
        assert_eq!(records.len(), expected, "{name} ({})", format.name());
        // Positions count records from 1, in file order.
        let ordinals: Vec<u64> = records.iter().map(|(_, p)| p.record).collect();
        assert!(ordinals.windows(2).all(|w| w[0] <= w[1]), "{name}");
        assert!(ordinals.iter().all(|r| *r >= 1), "{name}");
        checked += 1;
    }
    checked
}

#[test]
fn every_ci_sample_is_read_with_its_record_count() {
    assert_eq!(check("ci"), 13);
}

#[test]
fn every_junit_sample_is_read_with_its_testcase_count_or_refused() {
    assert_eq!(check("junit"), 22);
}

#[test]
fn every_incident_sample_is_read_with_its_record_count_or_refused() {
    assert_eq!(check("incidents"), 11);
}

#[test]
fn every_slo_and_rule_sample_is_read_with_its_record_count_or_refused() {
    assert_eq!(check("slo"), 17);
}

#[test]
fn every_workitem_sample_is_read_with_its_record_count_or_refused() {
    assert_eq!(check("workitems"), 11);
}

/// The work items of the coherent cases: Jira issues with their changelogs,
/// GitHub issues and issue events of panjf2000/ants, GitLab issues.
#[test]
fn every_case_workitem_table_is_read_with_its_record_count() {
    let mut checked = 0;
    for name in [
        "cases/jira/_raw_jira_api_issues.csv",
        "cases/ants/_raw_github_api_issues.csv",
        "cases/ants/_raw_github_api_events.csv",
        "cases/gitlab/_raw_gitlab_api_issues.csv",
    ] {
        let path = fixtures().join(name);
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(
            detect(&bytes[..8192.min(bytes.len())]),
            Some(Format::DevlakeCsv)
        );
        let records = read(&path, Format::DevlakeCsv).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(records.len(), devlake_workitem_records(&path), "{name}");
        assert!(!records.is_empty(), "{name}");
        checked += 1;
    }
    assert_eq!(checked, 4);
}

#[test]
fn every_coverage_sample_is_read_with_its_file_count_or_refused() {
    assert_eq!(check("coverage"), 10);
}
