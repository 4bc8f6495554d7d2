//! `friction ingest` and `friction inputs` through the binary: the ants case
//! read end to end with counts computed here from the raw tables, idempotent
//! and incremental re-reads, de-duplication across exports and by repository,
//! and bad input refused file by file (exit 1) with nothing half-stored.

mod support;

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use support::{Fixture, devlake_items, friction, friction_json, scan_json};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../ingest/tests/fixtures")
}

fn fixture(rel: &str) -> String {
    fixtures().join(rel).display().to_string()
}

/// A scanned one-commit repository; its store is `.friction/friction.db`.
fn scanned() -> Fixture {
    let mut f = Fixture::new();
    f.write("a.py", "def a():\n    return 1\n");
    f.commit("initial");
    let out = friction(&["scan", ".", "--quiet", "--no-report"], f.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    f
}

fn ingest(f: &Fixture, files: &[&str]) -> Output {
    let mut args = vec!["ingest", "--quiet"];
    args.extend_from_slice(files);
    friction(&args, f.path())
}

fn inputs(f: &Fixture) -> serde_json::Value {
    friction_json(&["inputs", "--json"], f.path())
}

fn distinct<T: Ord>(items: impl IntoIterator<Item = T>) -> u64 {
    items.into_iter().collect::<BTreeSet<T>>().len() as u64
}

#[test]
fn the_ants_case_is_read_with_every_item_counted_once() {
    let f = scanned();
    let prs = fixture("cases/ants/_raw_github_api_pull_requests.csv");
    let commits = fixture("cases/ants/_raw_github_api_pull_request_commits.csv");
    let reviews = fixture("cases/ants/_raw_github_api_pull_request_reviews.csv");
    let runs = fixture("ci/github-actions/devlake_raw_github_api_runs.csv");
    let jobs = fixture("ci/github-actions/devlake_raw_github_api_jobs.csv");
    let out = ingest(&f, &[&prs, &commits, &reviews, &runs, &jobs]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Counted here from the raw tables, by each item's own id.
    let pr_items = devlake_items(&prs);
    let expected_prs = distinct(pr_items.iter().map(|p| p["number"].as_u64().unwrap()));
    let commit_rows: Vec<(u64, String)> = csv::Reader::from_path(&commits)
        .unwrap()
        .records()
        .map(|r| {
            let r = r.unwrap();
            let input: serde_json::Value = serde_json::from_str(&r[4]).unwrap();
            let data: serde_json::Value = serde_json::from_str(&r[2]).unwrap();
            (
                input["Number"].as_u64().unwrap(),
                data["sha"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected_commits = distinct(commit_rows.iter().cloned());
    let expected_reviews = distinct(
        devlake_items(&reviews)
            .iter()
            .map(|r| r["id"].as_u64().unwrap()),
    );
    let expected_runs = distinct(devlake_items(&runs).iter().map(|r| {
        (
            r["id"].as_u64().unwrap(),
            r["run_attempt"].as_u64().unwrap(),
        )
    }));
    let expected_jobs = distinct(
        devlake_items(&jobs)
            .iter()
            .map(|j| j["id"].as_u64().unwrap()),
    );
    // What the case's README says, so a wrong count here cannot hide.
    assert_eq!(
        (
            expected_prs,
            expected_commits,
            expected_reviews,
            pr_items.len()
        ),
        (49, 90, 30, 50)
    );

    let stored = inputs(&f);
    let facts = &stored["facts"];
    assert_eq!(facts["pull_requests"], expected_prs);
    assert_eq!(facts["pr_commits"], expected_commits);
    assert_eq!(facts["reviews"], expected_reviews);
    assert_eq!(facts["ci_runs"], expected_runs);
    assert_eq!(facts["ci_jobs"], expected_jobs);
    let listed = stored["inputs"].as_array().unwrap();
    assert_eq!(listed.len(), 5);
    for input in listed {
        assert_eq!(input["format"], "devlake-csv");
        assert_eq!(
            input["scopes"],
            serde_json::json!(["github:panjf2000/ants"])
        );
        assert_eq!(input["sha256"].as_str().unwrap().len(), 64);
        assert!(input["span_start"].as_i64() <= input["span_end"].as_i64());
        let rows = csv::Reader::from_path(input["path"].as_str().unwrap())
            .unwrap()
            .records()
            .count();
        assert_eq!(input["records"], rows as u64, "{input}");
    }
}

#[test]
fn an_unchanged_file_is_skipped_and_a_changed_one_replaces_its_facts() {
    let f = scanned();
    let run = |id: u64, attempt: u64| {
        format!(
            r#"{{"id":{id},"run_number":1,"workflow_id":1,"run_attempt":{attempt},"status":"completed","conclusion":"success","created_at":"2024-01-0{attempt}T00:00:00Z","updated_at":"2024-01-0{attempt}T00:10:00Z","repository":{{"full_name":"acme/app"}}}}"#
        )
    };
    f.write(
        "exports/runs.json",
        format!("[{},{}]", run(1, 1), run(2, 1)),
    );
    let first = friction_json(&["ingest", "exports/runs.json", "--json"], f.path());
    assert_eq!(first["files"][0]["status"], "stored");
    assert_eq!(inputs(&f)["facts"]["ci_runs"], 2);
    let stored_at = inputs(&f)["inputs"][0].clone();

    let again = friction_json(&["ingest", "exports/runs.json", "--json"], f.path());
    assert_eq!(again["files"][0]["status"], "unchanged");
    assert_eq!(inputs(&f)["inputs"][0], stored_at);

    f.write("exports/runs.json", format!("[{}]", run(3, 2)));
    let changed = friction_json(&["ingest", "exports/runs.json", "--json"], f.path());
    assert_eq!(changed["files"][0]["status"], "stored");
    assert_eq!(changed["files"][0]["replaced"], true);
    let now = inputs(&f);
    assert_eq!(now["facts"]["ci_runs"], 1);
    assert_eq!(now["inputs"].as_array().unwrap().len(), 1);
    assert_eq!(now["inputs"][0]["records"], 1);
    assert_ne!(now["inputs"][0]["sha256"], stored_at["sha256"]);
}

#[test]
fn bad_files_are_refused_one_line_each_and_the_others_still_read() {
    let f = scanned();
    let good = fixture("ci/github-actions/workflow-run-push-failure.json");
    f.write("bad/truncated.json", &std::fs::read(&good).unwrap()[..4000]);
    f.write(
        "bad/bomb.xml",
        "<?xml version=\"1.0\"?>\n<!DOCTYPE t [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">]>\n<testsuite><testcase name=\"&b;\"/></testsuite>\n",
    );
    f.write("bad/latin1.info", b"SF:caf\xe9.c\nDA:1,1\nend_of_record\n");
    f.write("bad/picture.png", b"\x89PNG\r\n\x1a\n....");
    let corrupt = fixture("junit/pytest/corrupt-xml.xml");
    let messy = fixture("coverage/lcov/MESSY-lcov-bad-counts.info");
    let out = ingest(
        &f,
        &[
            &good,
            "bad/truncated.json",
            "bad/bomb.xml",
            "bad/latin1.info",
            "bad/picture.png",
            &corrupt,
            &messy,
            "missing.json",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let errors: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("error: "))
        .collect();
    assert_eq!(errors.len(), 7, "{stderr}");
    for (name, says) in [
        (
            "bad/truncated.json",
            "github: record 1 (line 1): invalid JSON: EOF while parsing",
        ),
        (
            "bad/bomb.xml",
            "junit: line 2: the document declares XML entities",
        ),
        ("bad/latin1.info", "lcov: line 1: not UTF-8 text"),
        ("bad/picture.png", "not a format friction reads"),
        (
            "corrupt-xml.xml",
            "junit: line 11: the document ends inside an element",
        ),
        (
            "MESSY-lcov-bad-counts.info",
            "lcov: line 7: DA: the hit count `-3` is not a non-negative whole number",
        ),
        ("missing.json", "no such file or directory"),
    ] {
        assert!(
            errors.iter().any(|e| e.contains(name) && e.contains(says)),
            "{name}: {says}\n{stderr}"
        );
    }
    assert!(stderr.contains("7 of 8 files refused"), "{stderr}");
    let stored = inputs(&f);
    assert_eq!(stored["inputs"].as_array().unwrap().len(), 1);
    assert_eq!(stored["facts"]["ci_runs"], 1);
}

#[test]
fn a_changed_file_that_fails_keeps_what_its_earlier_version_stored() {
    let f = scanned();
    let good = std::fs::read(fixture("ci/github-actions/devlake_raw_github_api_runs.csv")).unwrap();
    f.write("runs.csv", &good);
    assert!(ingest(&f, &["runs.csv"]).status.success());
    let before = inputs(&f);
    // The new version breaks off inside a row, after many good rows.
    f.write("runs.csv", &good[..good.len() / 2]);
    let out = ingest(&f, &["runs.csv"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("error: runs.csv: devlake-csv: record"));
    assert_eq!(inputs(&f), before);
}

#[test]
fn overlapping_exports_count_each_run_once_and_repositories_stay_apart() {
    let f = scanned();
    let run = |repo: &str, id: u64, status: &str| {
        format!(
            r#"{{"id":{id},"run_number":1,"workflow_id":1,"run_attempt":1,"status":"{status}","conclusion":null,"created_at":"2024-01-01T00:00:00Z","updated_at":"2024-01-01T00:10:00Z","repository":{{"full_name":"{repo}"}}}}"#
        )
    };
    // Two paginated exports overlapping on run 2; run 7 exists in both
    // repositories (ids collide across repositories in this synthetic case).
    f.write(
        "a.json",
        format!(
            "{{\"total_count\":2,\"workflow_runs\":[{},{}]}}\n{{\"total_count\":1,\"workflow_runs\":[{}]}}\n",
            run("acme/app", 1, "completed"),
            run("acme/app", 2, "completed"),
            run("acme/app", 7, "completed")
        ),
    );
    f.write(
        "b.json",
        format!(
            "[{},{},{}]",
            run("acme/app", 2, "completed"),
            run("acme/app", 3, "queued"),
            run("other/lib", 7, "completed")
        ),
    );
    let report = friction_json(&["ingest", "a.json", "b.json", "--json"], f.path());
    assert_eq!(report["files"][1]["overlapping"], 1);
    assert_eq!(
        report["files"][1]["scopes"],
        serde_json::json!([["github:acme/app", 2], ["github:other/lib", 1]])
    );
    let stored = inputs(&f);
    assert_eq!(stored["facts"]["ci_runs"], 5);
    assert_eq!(
        stored["inputs"][1]["scopes"],
        serde_json::json!(["github:acme/app", "github:other/lib"])
    );
}

#[test]
fn standard_input_directories_globs_and_the_format_override() {
    let f = scanned();
    let junit = std::fs::read(fixture("junit/go/go-junit-report-001-pass-fail-skip.xml")).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_friction"))
        .args(["ingest", "-", "--json", "--quiet"])
        .current_dir(f.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&junit).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["files"][0]["path"], "-");
    assert_eq!(report["files"][0]["format"], "junit");

    // A directory reads what it recognises and passes over the rest.
    let dir = fixtures().join("coverage/cobertura");
    let report = friction_json(&["ingest", dir.to_str().unwrap(), "--json"], f.path());
    let statuses: Vec<&str> = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["stored", "stored", "stored", "stored"]);
    let cobertura_files: u64 = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["records"].as_u64().unwrap())
        .sum();

    f.write("reports/one.info", "SF:a.c\nDA:1,1\nend_of_record\n");
    f.write("reports/sub/two.info", "SF:b.c\nDA:1,0\nend_of_record\n");
    f.write("reports/notes.txt", "not coverage");
    let report = friction_json(&["ingest", "reports/**/*.info", "--json"], f.path());
    let paths: Vec<&str> = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["reports/one.info", "reports/sub/two.info"]);
    assert_eq!(inputs(&f)["facts"]["coverage_files"], cobertura_files + 2);

    // Forced to the wrong format, a file is refused, not misread.
    let out = friction(
        &["ingest", "--format", "cobertura", "reports/one.info"],
        f.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    let out = friction(
        &["ingest", "--format", "xunit", "reports/one.info"],
        f.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("help: the formats are: github, gitlab"));
}

#[test]
fn scan_reads_the_inputs_of_friction_toml_and_the_assessment_is_unchanged() {
    let mut f = Fixture::new();
    f.write("a.py", "def a():\n    return 1\n");
    f.write("friction.toml", "[inputs]\npaths = [\"exports/*.json\"]\n");
    f.commit("initial");
    let db = f.path().join("store.db");
    // Before any export exists, the glob matches nothing: a partial scan.
    let out = support::scan_output(f.path(), &db, &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("error: exports/*.json: the glob matches no file")
    );
    let db_arg = db.to_str().unwrap();
    let before = support::friction_stdout(&["assess", ".", "--db", db_arg, "--json"], f.path());

    let run = std::fs::read(fixture(
        "ci/github-actions/workflow-run-pull_request-attempt2-failure.json",
    ))
    .unwrap();
    f.write("exports/run.json", &run);
    let summary = scan_json(f.path(), &db, &[]);
    assert_eq!(summary["schema"], "friction.scan/1");
    let stored = friction_json(&["inputs", ".", "--db", db_arg, "--json"], f.path());
    assert_eq!(stored["inputs"][0]["path"], "exports/run.json");
    assert_eq!(stored["facts"]["ci_runs"], 1);
    // One run is below every CI signal's minimum: the index does not move,
    // and the assessment says what it read.
    let after = support::friction_stdout(&["assess", ".", "--db", db_arg, "--json"], f.path());
    let (mut before, mut after): (serde_json::Value, serde_json::Value) = (
        serde_json::from_str(&before).unwrap(),
        serde_json::from_str(&after).unwrap(),
    );
    assert!(before.get("exports").is_none());
    let exports = after.as_object_mut().unwrap().remove("exports").unwrap();
    assert_eq!(exports["scope"], "github:panjf2000/ants");
    assert_eq!(exports["files"][0]["path"], "exports/run.json");
    assert_eq!(before["index"]["score"], after["index"]["score"]);
    for a in [&mut before, &mut after] {
        strip_not_measured(a);
    }
    assert_eq!(before, after);
}

/// Drops the not-measured reasons, which may name what an export lacks.
fn strip_not_measured(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(m) => {
            m.remove("not_measured");
            m.values_mut().for_each(strip_not_measured);
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(strip_not_measured),
        _ => {}
    }
}

/// The assessment keeps the window's records of this repository, each once,
/// and cites every file with its hash; counted here from the raw tables.
#[test]
fn the_assessment_reads_the_windows_records_of_its_repository_once_each() {
    // Commits dated 2023-11; a 60-month window reaches back to 2018-11.
    let f = scanned();
    let prs = fixture("cases/ants/_raw_github_api_pull_requests.csv");
    let reviews = fixture("cases/ants/_raw_github_api_pull_request_reviews.csv");
    let runs = fixture("ci/github-actions/devlake_raw_github_api_runs.csv");
    let jobs = fixture("ci/github-actions/devlake_raw_github_api_jobs.csv");
    // A second, overlapping export of the same runs counts nothing twice.
    f.write("runs-again.csv", std::fs::read(&runs).unwrap());
    let out = ingest(&f, &[&prs, &reviews, &runs, &jobs, "runs-again.csv"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let a = friction_json(&["assess", "--months", "60", "--json"], f.path());
    let e = &a["exports"];
    assert_eq!(e["scope"], "github:panjf2000/ants");
    assert_eq!(e["deployments_inferred"], false);

    let last = {
        let head = f.git(&["log", "-1", "--format=%at"]);
        head.trim().parse::<i64>().unwrap()
    };
    let from = last - 60 * 2_629_746; // the store's month: 365.2425 / 12 days
    let time = |v: &serde_json::Value| {
        v.as_str()
            .and_then(|s| s.parse::<jiff::Timestamp>().ok().map(|t| t.as_second()))
    };
    let in_window = |t: Option<i64>| t.is_some_and(|t| t >= from);
    let run_items = devlake_items(&runs);
    let expected_runs = distinct(
        run_items
            .iter()
            .filter(|r| in_window(time(&r["created_at"])))
            .map(|r| {
                (
                    r["id"].as_u64().unwrap(),
                    r["run_attempt"].as_u64().unwrap(),
                )
            }),
    );
    let job_items = devlake_items(&jobs);
    let expected_jobs = distinct(
        job_items
            .iter()
            .filter(|j| in_window(time(&j["created_at"]).or(time(&j["started_at"]))))
            .map(|j| j["id"].as_u64().unwrap()),
    );
    let pr_items = devlake_items(&prs);
    let kept: BTreeSet<u64> = pr_items
        .iter()
        .filter(|p| {
            let merged = time(&p["merged_at"]);
            in_window(merged) || (merged.is_none() && in_window(time(&p["created_at"])))
        })
        .map(|p| p["number"].as_u64().unwrap())
        .collect();
    let expected_reviews = distinct(devlake_items(&reviews).iter().filter_map(|r| {
        let number = r["pull_request_url"]
            .as_str()
            .and_then(|u| u.rsplit('/').next())
            .and_then(|n| n.parse::<u64>().ok())?;
        kept.contains(&number).then(|| r["id"].as_u64().unwrap())
    }));
    assert!(
        expected_runs > 0 && !kept.is_empty(),
        "the window holds records"
    );
    let c = &e["counts"];
    assert_eq!(c["runs"], expected_runs);
    assert_eq!(c["jobs"], expected_jobs);
    assert_eq!(c["pull_requests"], kept.len() as u64);
    assert_eq!(c["reviews"], expected_reviews);
    // Each file named once, with its hash.
    let files = e["files"].as_array().unwrap();
    let paths: BTreeSet<&str> = files.iter().map(|x| x["path"].as_str().unwrap()).collect();
    assert_eq!(paths.len(), files.len());
    assert!(
        files
            .iter()
            .all(|x| x["sha256"].as_str().unwrap().len() == 64)
    );
    // Deterministic: the same store gives the same bytes.
    let again = friction_json(&["assess", "--months", "60", "--json"], f.path());
    assert_eq!(a, again);
}

#[test]
fn gitlab_merge_requests_and_their_commits_are_counted_by_iid_and_sha() {
    let f = scanned();
    let mrs = fixture("cases/_raw_gitlab_api_merge_requests.csv");
    let commits = fixture("cases/_raw_gitlab_api_merge_request_commits.csv");
    let out = ingest(&f, &[&mrs, &commits]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let expected_mrs = distinct(
        devlake_items(&mrs)
            .iter()
            .map(|m| m["iid"].as_u64().unwrap()),
    );
    let expected_commits = distinct(
        csv::Reader::from_path(&commits)
            .unwrap()
            .records()
            .map(|r| {
                let r = r.unwrap();
                let input: serde_json::Value = serde_json::from_str(&r[4]).unwrap();
                let data: serde_json::Value = serde_json::from_str(&r[2]).unwrap();
                (
                    input["Iid"].as_u64().unwrap(),
                    data["id"].as_str().unwrap().to_owned(),
                )
            }),
    );
    let stored = inputs(&f);
    assert_eq!(stored["facts"]["pull_requests"], expected_mrs);
    assert_eq!(stored["facts"]["pr_commits"], expected_commits);
    assert!(expected_commits > 0 && expected_mrs > 0);
}

#[test]
fn deployments_and_releases_are_stored_once_across_exports() {
    let f = scanned();
    let deployment = |id: u64| {
        format!(
            r#"{{"url":"https://api.github.com/repos/acme/app/deployments/{id}","id":{id},"sha":"abc","ref":"main","environment":"production","created_at":"2024-01-0{id}T00:00:00Z","updated_at":"2024-01-0{id}T00:00:00Z","statuses_url":"https://api.github.com/repos/acme/app/deployments/{id}/statuses","production_environment":true}}"#
        )
    };
    f.write("d1.json", format!("[{},{}]", deployment(1), deployment(2)));
    f.write("d2.json", format!("[{},{}]", deployment(2), deployment(3)));
    f.write(
        "statuses.json",
        r#"[{"url":"https://api.github.com/repos/acme/app/deployments/2/statuses/9","id":9,"state":"failure","environment":"production","created_at":"2024-01-02T00:05:00Z","deployment_url":"https://api.github.com/repos/acme/app/deployments/2"}]"#,
    );
    f.write(
        "releases.json",
        r#"[{"url":"https://api.github.com/repos/acme/app/releases/5","id":5,"tag_name":"v1","target_commitish":"main","name":"v1","draft":false,"prerelease":false,"created_at":"2024-01-03T00:00:00Z","published_at":"2024-01-03T00:00:00Z"}]"#,
    );
    let out = ingest(
        &f,
        &["d1.json", "d2.json", "statuses.json", "releases.json"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let facts = &inputs(&f)["facts"];
    assert_eq!(
        (
            facts["deployments"].as_u64(),
            facts["deployment_statuses"].as_u64(),
            facts["releases"].as_u64()
        ),
        (Some(3), Some(1), Some(1))
    );
}

/// A file rewritten with the same size and given back the modification time
/// it had when it was read is still read again when that time falls within
/// the second of its reading: size and time alone cannot tell it unchanged
/// (git's "racily clean" rule); an older file, untouched, is not even hashed.
#[test]
fn a_same_size_rewrite_within_the_second_of_reading_is_still_read_again() {
    let f = scanned();
    let run = |conclusion: &str| {
        format!(
            r#"[{{"id":1,"run_number":1,"workflow_id":1,"run_attempt":1,"status":"completed","conclusion":"{conclusion}","repository":{{"full_name":"acme/app"}}}}]"#
        )
    };
    let path = f.path().join("runs.json");
    f.write("runs.json", run("success"));
    let stamp = std::fs::metadata(&path).unwrap().modified().unwrap();
    assert!(ingest(&f, &["runs.json"]).status.success());
    f.write("runs.json", run("failure"));
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(stamp)
        .unwrap();
    let report = friction_json(&["ingest", "runs.json", "--json"], f.path());
    assert_eq!(report["files"][0]["status"], "stored", "{report}");
    assert_eq!(report["files"][0]["replaced"], true);
}

/// A 2 GiB export (sparse: a record's start, then NUL bytes) is refused with
/// one line naming the record, read as a stream (not held whole), and the
/// other files are still read.
#[test]
fn a_two_gigabyte_file_is_refused_by_record_and_the_others_still_read() {
    let f = scanned();
    let big = f.path().join("big.json");
    {
        let mut file = std::fs::File::create(&big).unwrap();
        file.write_all(br#"[{"id":1,"run_attempt":1,"status":"completed""#)
            .unwrap();
        file.set_len(2 * 1024 * 1024 * 1024).unwrap();
    }
    let run = fixture("ci/github-actions/workflow-run-push-failure.json");
    let out = ingest(&f, &["big.json", &run]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), 1, "{stderr}");
    assert!(
        errors[0].starts_with("error: big.json: github: record 1 (line 1):"),
        "{stderr}"
    );
    let stored = inputs(&f);
    assert_eq!(stored["facts"]["ci_runs"], 1);
    assert_eq!(stored["inputs"].as_array().unwrap().len(), 1);
}

/// Without a deployment export, tags matching `[inputs] deploy_tags` are the
/// deployments, labelled inferred; a bad glob is refused naming the setting.
#[test]
fn release_tags_stand_in_for_deployments_when_configured() {
    let mut f = Fixture::new();
    f.write("friction.toml", "[inputs]\ndeploy_tags = \"v*\"\n");
    f.write("a.py", "def a():\n    return 1\n");
    f.commit("initial");
    f.git(&["tag", "v1.0"]);
    f.advance_days(2);
    f.write("a.py", "def a():\n    return 2\n");
    f.commit("change");
    f.git(&["tag", "-a", "v1.1", "-m", "release 1.1"]);
    f.git(&["tag", "nightly"]);
    let out = friction(&["scan", ".", "--quiet", "--no-report"], f.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let a = friction_json(&["assess", "--json"], f.path());
    let e = &a["exports"];
    assert_eq!(e["deployments_inferred"], true);
    assert_eq!(e["counts"]["deployments"], 2, "v1.0 and v1.1, not nightly");
    assert_eq!(e["files"], serde_json::json!([]));

    f.write("friction.toml", "[inputs]\ndeploy_tags = \"v[\"\n");
    f.commit("bad glob");
    let out = friction(&["assess", "--json"], f.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("[inputs] deploy_tags `v[` is not a glob"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// PagerDuty incidents from DevLake's table and the same incident exported
/// alone are counted once each, log entries too (counted here from the raw
/// rows); Opsgenie's and a generic CSV's incidents are read beside them.
#[test]
fn incidents_from_three_sources_are_counted_once_each() {
    let f = scanned();
    let table = fixture("incidents/pagerduty/devlake_raw_pagerduty_incidents.csv");
    let single = fixture("incidents/pagerduty/incident-resolved-with-log-entries.json");
    let opsgenie = fixture("incidents/opsgenie/devlake_raw_opsgenie_incidents.csv");
    f.write(
        "incidents.csv",
        "id,title,severity,service,created_at,resolved_at\n\
         INC-1,Checkout down,SEV1,checkout,2024-03-01T10:00:00Z,2024-03-01T11:00:00Z\n\
         INC-2,Search slow,SEV3,search,2024-03-02T10:00:00Z,\n",
    );
    let out = ingest(&f, &[&table, &single, &opsgenie, "incidents.csv"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pd = devlake_items(&table);
    let entries = distinct(pd.iter().flat_map(|i| {
        i["log_entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["id"].as_str().unwrap().to_owned())
    }));
    let expected = distinct(pd.iter().map(|i| i["id"].as_str().unwrap().to_owned()))
        + distinct(
            devlake_items(&opsgenie)
                .iter()
                .map(|i| i["id"].as_str().unwrap().to_owned()),
        )
        + 2;
    let stored = inputs(&f);
    assert_eq!(stored["facts"]["incidents"], expected);
    assert_eq!(stored["facts"]["incident_events"], entries);
    let formats: Vec<&str> = stored["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["format"].as_str().unwrap())
        .collect();
    assert!(
        formats.contains(&"pagerduty") && formats.contains(&"incidents-csv"),
        "{formats:?}"
    );
    // Incidents name services, not repositories: no scope is listed for them.
    assert!(
        stored["inputs"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["scopes"] == serde_json::json!([]))
    );
}

/// SLO definitions and alert rules: OpenSLO, Sloth (the same SLO as a
/// `prometheus/v1` file and as a Kubernetes resource, counted once) and a
/// rule file; an unknown kind and a rule whose expression does not balance
/// are reported skips; malformed YAML and a file of another `apiVersion` are
/// refused whole, the others read.
#[test]
fn slos_and_alert_rules_are_stored_with_skips_reported() {
    let f = scanned();
    f.write(
        "slo.yaml",
        "apiVersion: openslo/v1\nkind: Service\nmetadata: {name: checkout}\n---\n\
         - apiVersion: openslo/v1\n  kind: SLO\n  metadata: {name: availability}\n\
         \x20 spec: {service: checkout, objectives: [{target: 0.999}], timeWindow: [{duration: 28d}]}\n\
         - apiVersion: openslo/v1\n  kind: Dashboard\n  metadata: {name: board}\n",
    );
    f.write(
        "sloth.yml",
        "version: prometheus/v1\nservice: search\nslos:\n- name: latency\n  objective: 99\n",
    );
    f.write(
        "sloth-crd.yml",
        "apiVersion: sloth.slok.dev/v1\nkind: PrometheusServiceLevel\nmetadata: {name: s}\n\
         spec:\n  service: search\n  slos:\n  - name: latency\n    objective: 99\n",
    );
    f.write(
        "rules.yml",
        "groups:\n- name: api\n  rules:\n\
         \x20 - alert: ApiDown\n    expr: up{job=\"api\"} == 0\n    labels: {severity: critical}\n\
         \x20 - alert: ApiSlow\n    expr: histogram_quantile(0.99, rate(x[5m])) > 1\n\
         \x20   annotations: {runbook_url: docs/runbooks/api-slow.md}\n\
         \x20 - alert: Broken\n    expr: sum(rate(x[5m])\n\
         \x20 - record: job:up:sum\n    expr: sum by (job) (up)\n",
    );
    f.write("bad.yaml", "groups:\n- name: g\n  rules: [unclosed\n");
    f.write(
        "other.yaml",
        "apiVersion: openslo/v1\nkind: Service\nmetadata: {name: x}\n---\napiVersion: foo\nkind: SLO\n",
    );
    let out = ingest(
        &f,
        &[
            "slo.yaml",
            "sloth.yml",
            "sloth-crd.yml",
            "rules.yml",
            "bad.yaml",
            "other.yaml",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("error: bad.yaml: prometheus-rules: line 4: invalid YAML"),
        "{stderr}"
    );
    assert!(
        stderr
            .contains("error: other.yaml: openslo: record 2: apiVersion \"foo\" is not OpenSLO's"),
        "{stderr}"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("stored     slo.yaml  openslo, 2 records (1 skipped)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("  skipped  record 3: an object of unknown kind \"Dashboard\""),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "  skipped  record 3: rule 3 of group \"api\": Broken: `expr` has an unclosed `(`"
        ),
        "{stdout}"
    );
    let stored = inputs(&f);
    // Service + SLO, and the Sloth SLO once although two files hold it.
    assert_eq!(stored["facts"]["service_levels"], 3);
    // Two alerts and one recording rule; the broken rule is not stored.
    assert_eq!(stored["facts"]["alert_rules"], 3);
    let formats: BTreeSet<&str> = stored["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["format"].as_str().unwrap())
        .collect();
    assert_eq!(
        formats,
        BTreeSet::from(["openslo", "prometheus-rules", "sloth"])
    );
    // Every shared sample directory is read; the file of another apiVersion
    // is passed over as no format friction reads.
    let out = ingest(&f, &[&fixture("slo")]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Work items from every tracker's sample: Jira issues with changelogs (a
/// single issue also found in DevLake's table counts once), GitHub issues
/// (pull requests the issues API lists are not work items) and issue events,
/// GitLab issues, the generic CSV; counts computed here from the raw files.
/// Files that are not work items (a Jira status table) are refused whole
/// while the rest are stored.
#[test]
fn work_items_from_every_tracker_are_counted_once_each() {
    let f = scanned();
    let jira = fixture("cases/jira/_raw_jira_api_issues.csv");
    let single = fixture("workitems/jira/issue-EE-20-wont-do.json");
    let issues = fixture("cases/ants/_raw_github_api_issues.csv");
    let events = fixture("cases/ants/_raw_github_api_events.csv");
    let gitlab = fixture("cases/gitlab/_raw_gitlab_api_issues.csv");
    let generic = fixture("workitems/csv-import/devlake-customize-issues_input.csv");
    let status = fixture("workitems/jira/devlake_raw_jira_api_status.csv");
    let out = ingest(
        &f,
        &[&jira, &single, &issues, &events, &gitlab, &generic, &status],
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("devlake_raw_jira_api_status.csv") && stderr.contains("a Jira status"),
        "{stderr}"
    );

    let jira_items = devlake_items(&jira);
    let jira_keys = distinct(
        jira_items
            .iter()
            .map(|i| i["key"].as_str().unwrap().to_owned()),
    );
    let single_item: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&single).unwrap()).unwrap();
    assert!(
        jira_items.iter().any(|i| i["key"] == single_item["key"]),
        "the single issue is in the table too"
    );
    let github_issues = distinct(
        devlake_items(&issues)
            .iter()
            .filter(|i| i.get("pull_request").is_none())
            .map(|i| i["number"].as_u64().unwrap()),
    );
    let gitlab_issues = distinct(
        devlake_items(&gitlab)
            .iter()
            .map(|i| i["iid"].as_u64().unwrap()),
    );
    let generic_rows = csv::Reader::from_path(&generic).unwrap().records().count() as u64;
    let stored = inputs(&f);
    assert_eq!(
        stored["facts"]["work_items"],
        jira_keys + github_issues + gitlab_issues + generic_rows
    );
    // Status and resolution changes of the Jira changelogs, counted once per
    // issue and history.
    let jira_changes = distinct(jira_items.iter().flat_map(|i| {
        let key = i["key"].as_str().unwrap().to_owned();
        i["changelog"]["histories"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(move |h| {
                let key = key.clone();
                h["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|c| matches!(c["field"].as_str(), Some("status" | "resolution")))
                    .map(move |c| {
                        (
                            key.clone(),
                            h["id"].as_str().unwrap().to_owned(),
                            c["field"].as_str().unwrap().to_owned(),
                        )
                    })
            })
            .collect::<Vec<_>>()
    }));
    let event_changes = distinct(devlake_items(&events).iter().flat_map(|e| {
        if e["issue"]["pull_request"].is_object() {
            return vec![];
        }
        let id = e["id"].as_u64().unwrap();
        let commit = e["commit_id"].as_str().is_some_and(|c| !c.is_empty());
        match e["event"].as_str().unwrap() {
            "closed" if commit => vec![(id, "status"), (id, "commit")],
            "closed" | "reopened" => vec![(id, "status")],
            "referenced" if commit => vec![(id, "commit")],
            _ => vec![],
        }
    }));
    assert_eq!(
        stored["facts"]["work_item_changes"],
        jira_changes + event_changes
    );
    assert!(jira_changes > 0 && event_changes > 0);
}
