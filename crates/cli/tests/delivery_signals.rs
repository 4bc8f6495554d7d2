//! The CI, test and coverage signals through the binary: real exports (the
//! ants project's GitHub Actions runs and jobs, JUnit reports of several
//! dialects, lcov tracefiles) ingested into a scanned repository, and the
//! CI failure rate, the re-run rate, the flaky share and the coverage of
//! change compared with figures computed here, independently, from the raw
//! JSON, XML and lcov.

mod support;

use std::collections::{BTreeMap, BTreeSet};

use quick_xml::events::Event;
use support::{
    Fixture, devlake_items, figure, friction_json, friction_stdout, ingest_fixture, signal,
};

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// A run's outcome as GitHub writes it: the conclusion when there is one,
/// else the status; `Some(true)` failed, `Some(false)` succeeded, `None`
/// anything else (cancelled, skipped, neutral, stale, waiting, running).
fn failed(run: &serde_json::Value) -> Option<bool> {
    let word = |v: &serde_json::Value| v.as_str().unwrap_or("").to_ascii_lowercase();
    let conclusion = word(&run["conclusion"]);
    let w = if conclusion.is_empty() {
        word(&run["status"])
    } else {
        conclusion
    };
    match w.as_str() {
        "success" => Some(false),
        "failure" | "timed_out" | "startup_failure" => Some(true),
        _ => None,
    }
}

/// `(suite, classname, name)` → (ran, flaky, outcomes seen) over JUnit
/// reports: a test ran unless skipped; it is flaky when a result carries
/// `flakyFailure`/`flakyError`, or reruns and finally passed.
fn junit_tests(paths: &[String]) -> BTreeMap<(String, String, String), (bool, bool)> {
    let mut out: BTreeMap<(String, String, String), (bool, bool)> = BTreeMap::new();
    for path in paths {
        let text = std::fs::read_to_string(path).unwrap();
        let mut reader = quick_xml::Reader::from_str(&text);
        let mut suites: Vec<String> = Vec::new();
        // The open test case: key and the child elements seen.
        let mut case: Option<((String, String, String), BTreeSet<String>)> = None;
        let attr = |e: &quick_xml::events::BytesStart, name: &[u8]| -> String {
            e.attributes()
                .flatten()
                .find(|a| a.key.as_ref() == name)
                .map(|a| a.unescape_value().unwrap().into_owned())
                .unwrap_or_default()
        };
        let mut close = |case: Option<((String, String, String), BTreeSet<String>)>| {
            let Some((key, seen)) = case else { return };
            let skipped = seen.contains("skipped");
            let failed = seen.contains("failure") || seen.contains("error");
            let flaky = seen.contains("flakyFailure")
                || seen.contains("flakyError")
                || (!failed && (seen.contains("rerunFailure") || seen.contains("rerunError")));
            let e = out.entry(key).or_default();
            e.0 |= !skipped;
            e.1 |= flaky;
        };
        loop {
            match reader.read_event().unwrap() {
                Event::Start(e) | Event::Empty(e)
                    if e.name().as_ref() == b"testsuite" && case.is_none() =>
                {
                    suites.push(attr(&e, b"name"));
                }
                Event::Start(e) if e.name().as_ref() == b"testcase" => {
                    let key = (
                        suites.last().cloned().unwrap_or_default(),
                        attr(&e, b"classname"),
                        attr(&e, b"name"),
                    );
                    case = Some((key, BTreeSet::new()));
                }
                Event::Empty(e) if e.name().as_ref() == b"testcase" => {
                    let key = (
                        suites.last().cloned().unwrap_or_default(),
                        attr(&e, b"classname"),
                        attr(&e, b"name"),
                    );
                    close(Some((key, BTreeSet::new())));
                }
                Event::Start(e) | Event::Empty(e) => {
                    if let Some((_, seen)) = case.as_mut() {
                        seen.insert(String::from_utf8_lossy(e.name().as_ref()).into_owned());
                    }
                }
                Event::End(e) if e.name().as_ref() == b"testcase" => close(case.take()),
                Event::End(e) if e.name().as_ref() == b"testsuite" => {
                    suites.pop();
                }
                Event::Eof => break,
                _ => {}
            }
        }
    }
    out
}

#[test]
fn ci_failure_rate_rerun_rate_and_flaky_share_match_the_raw_exports() {
    let mut f = Fixture::new();
    f.write("a.py", "def a():\n    return 1\n");
    f.commit("initial");
    friction_stdout(&["scan", ".", "--quiet", "--no-report"], f.path());
    let head = f.head();

    let runs = ingest_fixture("ci/github-actions/devlake_raw_github_api_runs.csv");
    let jobs = ingest_fixture("ci/github-actions/devlake_raw_github_api_jobs.csv");
    let reports: Vec<String> = [
        "junit/maven-surefire/TEST-org.acme.FlakyTest.xml",
        "junit/maven-surefire/surefire-report-flaky-soda.xml",
        "junit/nextest/quick-junit-basic_report.xml",
        "junit/nextest/nextest-basic.xml",
        "junit/gradle/TEST-org.test.sample.FlakyFailingTestSuite.xml",
        "junit/gradle/TEST-org.test.sample.SampleTestSuite.xml",
        "junit/go/go-junit-report-001-pass-fail-skip.xml",
        "junit/pytest/python-xunit-pytest.xml",
    ]
    .iter()
    .map(|r| ingest_fixture(r))
    .collect();
    let mut args = vec!["ingest", "--quiet", runs.as_str(), jobs.as_str()];
    friction_stdout(&args, f.path());
    args = vec!["ingest", "--quiet", "--commit", head.as_str()];
    args.extend(reports.iter().map(String::as_str));
    friction_stdout(&args, f.path());

    // The runs (2022) lie inside a 60-month window ending at the commit (2023).
    let a = friction_json(&["assess", "--months", "60", "--json"], f.path());

    // The default branch: the branch most push-triggered runs built (no
    // pull-request export names a base).
    let run_items = devlake_items(&runs);
    let mut pushes: BTreeMap<&str, usize> = BTreeMap::new();
    for r in run_items.iter().filter(|r| r["event"] == "push") {
        *pushes
            .entry(r["head_branch"].as_str().unwrap())
            .or_default() += 1;
    }
    let default: String = pushes
        .iter()
        .max_by_key(|(_, n)| **n)
        .unwrap()
        .0
        .to_string();
    let pull_request = |r: &serde_json::Value| {
        matches!(
            r["event"].as_str(),
            Some("pull_request" | "pull_request_target")
        )
    };
    let mut attempts: BTreeMap<(u64, u64), &serde_json::Value> = BTreeMap::new();
    for r in &run_items {
        attempts.insert(
            (
                r["id"].as_u64().unwrap(),
                r["run_attempt"].as_u64().unwrap(),
            ),
            r,
        );
    }
    let decided_on = |keep: &dyn Fn(&serde_json::Value) -> bool| -> (usize, usize) {
        let outcomes: Vec<bool> = attempts
            .values()
            .filter(|r| keep(r))
            .filter_map(|r| failed(r))
            .collect();
        (outcomes.len(), outcomes.iter().filter(|f| **f).count())
    };
    let (decided, failures) =
        decided_on(&|r| !pull_request(r) && r["head_branch"].as_str() == Some(default.as_str()));
    let (pr_decided, pr_failures) = decided_on(&|r| pull_request(r));
    assert!(
        decided >= 10 && failures > 0 && pr_failures > 0,
        "the sample holds enough default-branch runs, and failures"
    );

    let s = signal(&a, "ci-failure-rate");
    assert_eq!(
        s["value"].as_f64(),
        Some(round2(100.0 * failures as f64 / decided as f64)),
        "{s}"
    );
    assert_eq!(figure(s, "decided runs"), decided as f64);
    assert_eq!(figure(s, "failed runs"), failures as f64);
    assert_eq!(figure(s, "pull-request decided runs"), pr_decided as f64);
    assert_eq!(
        figure(s, "pull-request failure rate"),
        round2(100.0 * pr_failures as f64 / pr_decided as f64)
    );
    // Evidence cites the export and the record of a failed run.
    let cite = s["evidence"][0]["cite"].as_str().unwrap();
    assert!(
        cite.contains("devlake_raw_github_api_runs.csv record"),
        "{cite}"
    );

    // Re-runs: runs whose highest attempt is above 1, or with a job name run
    // twice in one attempt.
    let mut highest: BTreeMap<u64, u64> = BTreeMap::new();
    for (id, attempt) in attempts.keys() {
        let h = highest.entry(*id).or_default();
        *h = (*h).max(*attempt);
    }
    let mut job_names: BTreeMap<(u64, u64, String), usize> = BTreeMap::new();
    for j in devlake_items(&jobs) {
        *job_names
            .entry((
                j["run_id"].as_u64().unwrap(),
                j["run_attempt"].as_u64().unwrap(),
                j["name"].as_str().unwrap().to_owned(),
            ))
            .or_default() += 1;
    }
    let retried_job: BTreeSet<u64> = job_names
        .iter()
        .filter(|(_, n)| **n > 1)
        .map(|((run, _, _), _)| *run)
        .collect();
    let rerun = highest
        .iter()
        .filter(|(id, h)| **h > 1 || retried_job.contains(id))
        .count();
    assert!(
        rerun > 0 && rerun < highest.len(),
        "{rerun} of {}",
        highest.len()
    );
    let s = signal(&a, "ci-rerun-rate");
    assert_eq!(
        s["value"].as_f64(),
        Some(round2(100.0 * rerun as f64 / highest.len() as f64)),
        "{s}"
    );
    assert_eq!(figure(s, "runs"), highest.len() as f64);
    assert_eq!(figure(s, "re-run runs"), rerun as f64);

    // Flaky share over the tests that ran.
    let tests = junit_tests(&reports);
    let ran = tests.values().filter(|t| t.0).count();
    let flaky = tests.values().filter(|t| t.0 && t.1).count();
    assert!(ran >= 10 && flaky > 0, "{ran} tests, {flaky} flaky");
    let s = signal(&a, "flaky-tests");
    assert_eq!(
        s["value"].as_f64(),
        Some(round2(100.0 * flaky as f64 / ran as f64)),
        "{s}"
    );
    assert_eq!(figure(s, "tests"), ran as f64);
    assert_eq!(figure(s, "flaky tests"), flaky as f64);
    assert!(
        s["evidence"][0]["cite"]
            .as_str()
            .is_some_and(|c| c.contains(".xml record")),
        "{s}"
    );

    // Same store, same bytes.
    let again = friction_json(&["assess", "--months", "60", "--json"], f.path());
    assert_eq!(a, again);
}

/// Lines found and hit per `SF:` path of lcov tracefiles: its `DA:` records
/// when it has any, else its `LF:`/`LH:` totals.
fn lcov_lines(paths: &[String]) -> BTreeMap<String, (u64, u64)> {
    let mut out = BTreeMap::new();
    for path in paths {
        let text = std::fs::read_to_string(path).unwrap();
        // The open section: path, (found, hit) from `DA:`, from `LF:`/`LH:`, any `DA:`.
        type Section = (String, (u64, u64), (u64, u64), bool);
        let mut current: Option<Section> = None;
        for line in text.lines() {
            let line = line.trim();
            if let Some(p) = line.strip_prefix("SF:") {
                current = Some((p.to_owned(), (0, 0), (0, 0), false));
            } else if line == "end_of_record" {
                if let Some((p, da, totals, has_da)) = current.take() {
                    out.insert(p, if has_da { da } else { totals });
                }
            } else if let Some((_, da, totals, has_da)) = current.as_mut() {
                if let Some(v) = line.strip_prefix("DA:") {
                    let hits: u64 = v.split(',').nth(1).unwrap().parse().unwrap();
                    *has_da = true;
                    da.0 += 1;
                    da.1 += u64::from(hits > 0);
                } else if let Some(v) = line.strip_prefix("LF:") {
                    totals.0 += v.parse::<u64>().unwrap();
                } else if let Some(v) = line.strip_prefix("LH:") {
                    totals.1 += v.parse::<u64>().unwrap();
                }
            }
        }
    }
    out
}

#[test]
fn coverage_of_change_matches_the_raw_lcov_weighted_by_revisions() {
    let reports: Vec<String> = [
        "coverage/lcov/cargo-llvm-cov-summary-only.lcov.info",
        "coverage/lcov/onefile.lcov",
        "coverage/lcov/lcov-FN-FNDA-old-style-with-comments.info",
    ]
    .iter()
    .map(|r| ingest_fixture(r))
    .collect();
    let lines = lcov_lines(&reports);
    let mut f = Fixture::new();
    let code = |k: u32| format!("fn f() -> u32 {{\n    {k}\n}}\n");
    for (k, p) in lines.keys().enumerate() {
        f.write(p, code(k as u32));
    }
    f.commit("initial");
    // Revisions: member1/src/lib.rs 3, index.js 2, a.cpp 2, the others 1.
    let changes: [&[&str]; 2] = [
        &["member1/src/lib.rs", "index.js"],
        &["member1/src/lib.rs", "a.cpp"],
    ];
    let mut revisions: BTreeMap<&str, u64> = lines.keys().map(|p| (p.as_str(), 1)).collect();
    for (k, touched) in changes.iter().enumerate() {
        f.advance_days(1);
        for p in *touched {
            f.write(p, code(100 + k as u32));
            *revisions.get_mut(p).unwrap() += 1;
        }
        f.commit("change");
    }
    friction_stdout(&["scan", ".", "--quiet", "--no-report"], f.path());
    let head = f.head();
    let mut args = vec!["ingest", "--quiet", "--commit", head.as_str()];
    args.extend(reports.iter().map(String::as_str));
    friction_stdout(&args, f.path());
    let a = friction_json(&["assess", "--json"], f.path());

    assert!(lines.len() >= 5, "{lines:?}");
    let (mut num, mut den) = (0.0, 0.0);
    for (p, (found, hit)) in &lines {
        let r = revisions[p.as_str()] as f64;
        num += r * 100.0 * *hit as f64 / *found as f64;
        den += r;
    }
    let s = signal(&a, "coverage-of-change");
    assert_eq!(s["value"].as_f64(), Some(round2(num / den)), "{s}");
    assert_eq!(figure(s, "changed files covered"), lines.len() as f64);
    let (found, hit) = lines
        .values()
        .fold((0, 0), |(f, h), (found, hit)| (f + found, h + hit));
    assert_eq!(
        figure(s, "overall coverage"),
        round2(100.0 * hit as f64 / found as f64)
    );
    assert_eq!(s["coverage"].as_f64(), Some(1.0));
    assert!(
        s["evidence"][0]["cite"]
            .as_str()
            .is_some_and(|c| c.contains("record")),
        "{s}"
    );
}

/// The `hotspots.csv` of the latest snapshot's report: its header and the
/// row of `path`.
fn hotspot_row(f: &Fixture, path: &str) -> (Vec<String>, Vec<String>) {
    let out = f.path().join("out");
    friction_stdout(
        &["report", ".", "--out", out.to_str().unwrap(), "-q"],
        f.path(),
    );
    let mut reader = csv::Reader::from_path(out.join("hotspots.csv")).unwrap();
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let row = reader
        .records()
        .map(|r| {
            r.unwrap()
                .iter()
                .map(str::to_owned)
                .collect::<Vec<String>>()
        })
        .find(|r| r[0] == path)
        .unwrap_or_else(|| panic!("{path} not in hotspots.csv"));
    (header, row)
}

#[test]
fn the_hotspot_table_marks_low_coverage_and_flaky_tests_only_when_reports_exist() {
    let f = support::costly_hotspot();
    friction_stdout(&["scan", ".", "-q", "--no-report"], f.path());
    let (header, _) = hotspot_row(&f, "src/hot.py");
    assert!(
        !header
            .iter()
            .any(|c| c == "coverage_pct" || c == "test_risk"),
        "{header:?}"
    );
    let plain = friction_stdout(&["hotspots", "--json", "--all"], f.path());
    assert!(!plain.contains("coverage_pct") && !plain.contains("flaky_tests"));

    // A quarter of the hotspot's lines covered, and a test of it that
    // passed only on a retry (hand-written lcov and Surefire XML).
    f.write(
        "reports/lcov.info",
        "SF:src/hot.py\nLF:200\nLH:50\nend_of_record\nSF:lib/ok.py\nLF:2\nLH:2\nend_of_record\n",
    );
    f.write(
        "reports/TEST-hot.xml",
        "<testsuite name=\"hot\" tests=\"1\">\
         <testcase name=\"test_tangled\" classname=\"tests.hot\" file=\"src/hot.py\">\
         <flakyFailure message=\"timing\"/></testcase></testsuite>",
    );
    let head = f.head();
    friction_stdout(
        &[
            "ingest",
            "-q",
            "--commit",
            &head,
            "reports/lcov.info",
            "reports/TEST-hot.xml",
        ],
        f.path(),
    );
    friction_stdout(&["scan", ".", "-q", "--no-report"], f.path());
    let (header, row) = hotspot_row(&f, "src/hot.py");
    let cell = |name: &str| &row[header.iter().position(|c| c == name).unwrap()];
    assert_eq!(cell("coverage_pct"), "25.0");
    assert_eq!(cell("flaky_tests"), "1");
    assert_eq!(cell("test_risk"), "low coverage, flaky tests");

    // `friction hotspots` marks the same file in every format.
    let listing = friction_json(&["hotspots", "--json", "--all"], f.path());
    let hot = listing["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["path"] == "src/hot.py")
        .unwrap();
    assert_eq!(hot["coverage_pct"], 25.0);
    assert_eq!(hot["flaky_tests"], 1);
    let csv = friction_stdout(&["hotspots", "--csv"], f.path());
    assert!(
        csv.lines()
            .next()
            .unwrap()
            .ends_with(",coverage_pct,flaky_tests,test_risk")
    );
    assert!(
        csv.lines()
            .any(|l| l.starts_with("src/hot.py,")
                && l.ends_with(",25,1,\"low coverage, flaky tests\"")),
        "{csv}"
    );
    let text = friction_stdout(&["hotspots"], f.path());
    assert!(
        text.contains("coverage 25 %, 1 flaky test · low coverage, flaky tests"),
        "{text}"
    );
}
