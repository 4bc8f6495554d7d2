//! Execution verification through the binary (issue 19): work items from a
//! generic CSV and its changelog linked to a fixture repository's commits —
//! keys in subjects, bodies and branch names, a squash merge, one commit for
//! two items, a revert that takes its item's evidence away — and the
//! per-team figures, the risk with its interval, privacy (no person in any
//! output; a team too small never appears alone), the signals they feed in
//! the Team execution driver (not measured without work items), `friction
//! explain`'s items behind each number and the reports' section (HTML,
//! Markdown, PDF).

mod support;

use std::collections::BTreeSet;

use support::{Fixture, driver, friction, friction_json, signal};

const AUTHORS: [(&str, &str); 6] = [
    ("Dev One", "one@example.com"),
    ("Dev Two", "two@example.com"),
    ("Dev Three", "three@example.com"),
    ("Dev Four", "four@example.com"),
    ("Dev Five", "five@example.com"),
    ("Dev Six", "six@example.com"),
];

/// The repository: Payments' work by six people, Search's by two.
fn repository() -> Fixture {
    let mut f = Fixture::new();
    f.write("README.md", "x\n");
    f.commit("initial");
    let (one, two, three, four, five, six) = (
        AUTHORS[0], AUTHORS[1], AUTHORS[2], AUTHORS[3], AUTHORS[4], AUTHORS[5],
    );
    f.write("pay/a.py", "def a():\n    return 1\n");
    f.commit_as("PAY-1: add checkout", one.0, one.1);
    f.write("pay/b.py", "def b():\n    return 2\n");
    f.commit_as("PAY-2 PAY-3: shared validation", two.0, two.1);
    f.write("pay/c.py", "def c():\n    return 3\n");
    f.commit_as(
        "Checkout totals (#12)\n\n* PAY-4 totals\n* review fixes",
        three.0,
        three.1,
    );
    f.git(&["checkout", "-q", "-b", "feature/PAY-5-refund"]);
    f.write("pay/d.py", "def d():\n    return 4\n");
    f.commit_as("refund endpoint", four.0, four.1);
    f.git(&["checkout", "-q", "main"]);
    f.git(&[
        "-c",
        "user.name=Dev Four",
        "-c",
        "user.email=four@example.com",
        "merge",
        "-q",
        "--no-ff",
        "-m",
        "Merge branch 'feature/PAY-5-refund'",
        "feature/PAY-5-refund",
    ]);
    f.write("pay/e.py", "def e():\n    return 5\n");
    f.commit_as("PAY-6 retry", five.0, five.1);
    f.write("pay/f.py", "def f():\n    return 6\n");
    f.commit_as("PAY-8 experimental", six.0, six.1);
    let reverted = f.head();
    f.git(&["rm", "-q", "pay/f.py"]);
    f.commit_as(
        &format!("Revert \"PAY-8 experimental\"\n\nThis reverts commit {reverted}."),
        one.0,
        one.1,
    );
    f.write("search/a.py", "def s():\n    return 1\n");
    f.commit_as("SRCH-1 index", "Sam Search", "sam@example.com");
    f.write("search/b.py", "def t():\n    return 2\n");
    f.commit_as("SRCH-2 ranking", "Sue Search", "sue@example.com");
    f
}

const ITEMS: &str = "key,title,type,status,status_category,resolution,component,created_at,resolved_at\n\
PAY-1,Checkout,Story,Done,done,Done,Payments,2023-11-01T00:00:00Z,2023-11-14T00:00:00Z\n\
PAY-2,Validation,Story,Done,done,Done,Payments,2023-11-01T00:00:00Z,2023-11-13T00:00:00Z\n\
PAY-3,Validation messages,Story,Done,done,Done,Payments,2023-11-01T00:00:00Z,2023-11-14T00:00:00Z\n\
PAY-4,Totals,Story,Done,done,Done,Payments,2023-11-01T00:00:00Z,2023-11-14T00:00:00Z\n\
PAY-5,Refunds,Story,Done,done,Done,Payments,2023-11-01T00:00:00Z,2023-11-14T00:00:00Z\n\
PAY-6,Retries,Bug,Done,done,Done,Payments,2023-11-01T00:00:00Z,2023-11-11T00:00:00Z\n\
PAY-7,Receipts by e-mail,Story,Done,done,Done,Payments,2023-11-01T00:00:00Z,2023-11-14T00:00:00Z\n\
PAY-8,Experimental pricing,Story,Done,done,Done,Payments,2023-11-01T00:00:00Z,2023-11-14T00:00:00Z\n\
PAY-9,Payments epic,Epic,Done,done,Done,Payments,2023-11-01T00:00:00Z,2023-11-14T00:00:00Z\n\
PAY-10,Bitcoin,Story,Done,done,Won't Do,Payments,2023-11-01T00:00:00Z,2023-11-14T00:00:00Z\n\
PAY-11,Invoices,Story,In Progress,indeterminate,,Payments,2023-09-01T00:00:00Z,\n\
SRCH-1,Index,Story,Done,done,Done,Search,2023-11-01T00:00:00Z,2023-11-14T00:00:00Z\n\
SRCH-2,Ranking,Story,Done,done,Done,Search,2023-11-01T00:00:00Z,2023-11-14T00:00:00Z\n";

/// Out of order on purpose: the reader sorts each item's changes by time.
const CHANGES: &str = "key;field;from;to;at\n\
PAY-6;status;Done;In Progress;2023-11-09T00:00:00Z\n\
PAY-1;status;To Do;Done;2023-11-14T00:00:00Z\n\
PAY-2;status;To Do;In Progress;2023-11-10T00:00:00Z\n\
PAY-2;status;In Progress;Done;2023-11-13T00:00:00Z\n\
PAY-6;status;To Do;In Progress;2023-11-05T00:00:00Z\n\
PAY-6;status;In Progress;Done;2023-11-08T00:00:00Z\n\
PAY-6;status;In Progress;Done;2023-11-11T00:00:00Z\n\
PAY-11;status;To Do;In Progress;2023-10-01T00:00:00Z\n";

fn scan(f: &Fixture) {
    let out = friction(&["scan", ".", "--quiet", "--no-report"], f.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn ingest_items(f: &Fixture) {
    let dir = tempfile::tempdir().unwrap();
    let items = dir.path().join("items.csv");
    let changes = dir.path().join("changes.csv");
    std::fs::write(&items, ITEMS).unwrap();
    std::fs::write(&changes, CHANGES).unwrap();
    let out = friction(
        &[
            "ingest",
            "--quiet",
            items.to_str().unwrap(),
            changes.to_str().unwrap(),
        ],
        f.path(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn work_reported_done_is_verified_against_the_history_per_team() {
    let f = repository();
    scan(&f);
    let before = friction_json(&["assess", "--json"], f.path());
    assert!(before.get("execution").is_none());
    ingest_items(&f);
    let after = friction_json(&["assess", "--json"], f.path());

    // Without work items the execution signals are not measured and say
    // how to ingest them; the other drivers do not depend on work items.
    let e = after["execution"].clone();
    assert!(e.is_object(), "an execution section");
    for id in EXECUTION_SIGNALS {
        let s = signal(&before, id);
        assert!(s["value"].is_null(), "{id}");
        assert!(
            s["not_measured"]
                .as_str()
                .unwrap()
                .contains("friction ingest"),
            "{id}: {}",
            s["not_measured"]
        );
    }
    // (Their contributions to the index move: Team execution now weighs more.)
    for family in ["delivery", "reliability", "security", "operations"] {
        for part in ["score", "coverage", "signals"] {
            assert_eq!(
                driver(&before, family)[part],
                driver(&after, family)[part],
                "{family} {part}"
            );
        }
    }

    let org = &e["organisation"];
    let payments = e["teams"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["team"] == "Payments")
        .expect("Payments has six contributors");
    // Search (two people) is neither shown alone nor as `other` (too small
    // too): its items count in the organisation's row only.
    let teams: Vec<&str> = e["teams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["team"].as_str().unwrap())
        .collect();
    assert_eq!(teams, ["Payments"]);
    assert_eq!(e["suppressed_items"], 2);
    assert_eq!(payments["contributors"], 6);

    // Done and delivered, needing code: PAY-1..8 (the epic needs no code,
    // PAY-10 was not delivered); SRCH-1 and 2 in the organisation too.
    assert_eq!(payments["reported_done"], 8);
    assert_eq!(org["reported_done"], 10);
    assert_eq!(
        (e["no_code"].as_u64(), e["not_delivered"].as_u64()),
        (Some(1), Some(1))
    );
    // Subject, two keys in one commit, a squash body, a branch name: verified;
    // PAY-7 has no change (a ghost), PAY-8's change was reverted.
    assert_eq!(payments["verified"], 6);
    assert_eq!(payments["ghosts"], 1);
    assert_eq!(payments["unverified_linked"], 1);
    assert_eq!(org["verified"], 8);
    let findings: BTreeSet<(String, String)> = payments["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["key"].as_str().unwrap().to_owned(),
                f["finding"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    for expected in [
        ("PAY-7", "ghost"),
        ("PAY-8", "reverted"),
        ("PAY-11", "stale"),
        ("PAY-6", "reopened"),
        ("PAY-1", "skipped-progress"),
    ] {
        assert!(
            findings.contains(&(expected.0.to_owned(), expected.1.to_owned())),
            "{expected:?} in {findings:?}"
        );
    }
    assert_eq!(
        (payments["stale"].as_u64(), payments["in_progress"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(payments["reopened"], 1);
    assert_eq!(payments["skipped_progress"], 1);
    // Cycle times: PAY-2 three days, PAY-6 six (first in progress to last done).
    assert_eq!(payments["cycle_days"].as_f64(), Some(4.5));
    assert_eq!(payments["cycle_items"], 2);

    // Risk: Beta-binomial with the organisation's pooled rate as the prior
    // mean; with fewer than three teams its strength is 10 pseudo-items.
    let pooled = 2.0 / 10.0;
    let mean = |failed: f64, done: f64| (pooled * 10.0 + failed) / (10.0 + done);
    let close = |v: &serde_json::Value, x: f64| (v.as_f64().unwrap() - x).abs() < 1e-9;
    assert!(
        close(&org["risk"]["mean"], mean(2.0, 10.0)),
        "{}",
        org["risk"]
    );
    assert!(
        close(&payments["risk"]["mean"], mean(2.0, 8.0)),
        "{}",
        payments["risk"]
    );
    for r in [&org["risk"], &payments["risk"]] {
        assert!(r["low"].as_f64() < r["mean"].as_f64() && r["mean"].as_f64() < r["high"].as_f64());
    }

    // Off-hours: the share of Payments' linked commits outside 8–19 local
    // time or at weekends, read here from git's own dates.
    let log = f.git(&["log", "--format=%ad|%s|%b", "--date=format:%H %u"]);
    let (mut off, mut all) = (0, 0);
    for line in log.lines().filter(|l| l.contains('|')) {
        let mut parts = line.split('|');
        let when = parts.next().unwrap();
        let text = line;
        if !text.contains("PAY-") {
            continue;
        }
        let mut w = when.split(' ');
        let hour: u32 = w.next().unwrap().parse().unwrap();
        let day: u32 = w.next().unwrap().parse().unwrap();
        all += 1;
        if !(8..19).contains(&hour) || day >= 6 {
            off += 1;
        }
    }
    let share = payments["off_hours"]["share"].as_f64().unwrap();
    assert_eq!(payments["off_hours"]["commits"], all);
    assert!((share - f64::from(off) / f64::from(all)).abs() < 1e-9);
    assert_eq!(payments["off_hours"]["manual_runs"], 0);

    // A CI run started by hand (`workflow_dispatch`) on the oldest PAY
    // commit, a minute before it, counts as work at that commit's local time
    // (on or off hours, judged here); a `push` run at the same time does not
    // count.
    let log = f.git(&["log", "--format=%H|%at|%ad|%s", "--date=format:%z"]);
    let (sha, at, zone) = log
        .lines()
        .rfind(|l| l.contains("PAY-"))
        .map(|l| {
            let p: Vec<&str> = l.split('|').collect();
            (
                p[0].to_owned(),
                p[1].parse::<i64>().unwrap(),
                p[2].to_owned(),
            )
        })
        .unwrap();
    let sign = if zone.starts_with('-') { -1 } else { 1 };
    let offset = sign
        * (zone[1..3].parse::<i64>().unwrap() * 3600 + zone[3..5].parse::<i64>().unwrap() * 60);
    let run_at = at - 60;
    let local = run_at + offset;
    let hour = local.rem_euclid(86_400) / 3600;
    let weekday = (local.div_euclid(86_400) + 3).rem_euclid(7); // Monday = 0
    let run_off = u32::from(!(8..19).contains(&hour) || weekday >= 5);
    let run = |id: u64, event: &str| {
        format!(
            r#"{{"id":{id},"run_number":{id},"workflow_id":1,"run_attempt":1,"event":"{event}","head_sha":"{sha}","status":"completed","conclusion":"success","created_at":"{c}","updated_at":"{c}","repository":{{"full_name":"acme/app"}}}}"#,
            c = support::iso(run_at)
        )
    };
    f.write(
        "runs.json",
        format!(
            "{{\"total_count\":2,\"workflow_runs\":[{},{}]}}\n",
            run(1, "workflow_dispatch"),
            run(2, "push")
        ),
    );
    support::ok(friction(&["ingest", "--quiet", "runs.json"], f.path()));
    let with_runs = friction_json(&["assess", "--json"], f.path());
    let payments = with_runs["execution"]["teams"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["team"] == "Payments")
        .unwrap()
        .clone();
    assert_eq!(
        payments["off_hours"]["manual_runs"], 1,
        "{payments} {}",
        with_runs["exports"]
    );
    assert_eq!(payments["off_hours"]["commits"], all);
    let share = payments["off_hours"]["share"].as_f64().unwrap();
    assert!(
        (share - f64::from(off + run_off) / f64::from(all + 1)).abs() < 1e-9,
        "{share}"
    );

    // The figures feed the Team execution driver: the organisation's
    // verified share (8 of 10 reported done: PAY-7 a ghost, PAY-8
    // reverted) and ghost share (1 of 10), with the items behind them.
    let verified = signal(&after, "verified-completion");
    assert_eq!(verified["value"].as_f64(), Some(80.0));
    let ghosts = signal(&after, "ghost-completions");
    assert_eq!(ghosts["value"].as_f64(), Some(10.0));
    let ids = |s: &serde_json::Value| -> Vec<String> {
        s["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(ids(verified), ["PAY-7", "PAY-8"]);
    assert_eq!(ids(ghosts), ["PAY-7"]);
    // One team, so the highest team risk is Payments'.
    let risk = signal(&after, "execution-risk");
    // (Signal values are rounded to two decimals.)
    let expected = 100.0 * mean(2.0, 8.0);
    assert!(
        (risk["value"].as_f64().unwrap() - expected).abs() < 0.005,
        "{} vs {expected}",
        risk["value"]
    );
    // Too few items in progress (1) for a stale share.
    assert!(signal(&after, "stale-in-progress")["value"].is_null());

    // Nobody is named: no author's name or e-mail anywhere in the output.
    let text = serde_json::to_string(&after).unwrap();
    for (name, email) in AUTHORS.iter().chain(&[
        ("Sam Search", "sam@example.com"),
        ("Sue Search", "sue@example.com"),
    ]) {
        assert!(!text.contains(name) && !text.contains(email), "{name}");
    }
}

const EXECUTION_SIGNALS: [&str; 6] = [
    "verified-completion",
    "ghost-completions",
    "stale-in-progress",
    "reopen-churn",
    "execution-risk",
    "off-hours-load",
];

/// `friction explain` shows the items behind a number by key and title,
/// never a person.
#[test]
fn explain_shows_the_items_behind_each_execution_number() {
    let f = repository();
    scan(&f);
    ingest_items(&f);
    for (id, items) in [
        (
            "verified-completion",
            &[
                "PAY-7",
                "Receipts by e-mail",
                "PAY-8",
                "Experimental pricing",
            ][..],
        ),
        ("ghost-completions", &["PAY-7", "Receipts by e-mail"][..]),
        (
            "reopen-churn",
            &["PAY-6", "Retries", "PAY-1", "Checkout"][..],
        ),
        (
            "execution-risk",
            &["Payments", "PAY-7 Receipts by e-mail"][..],
        ),
    ] {
        let out = friction(&["explain", id], f.path());
        assert!(out.status.success(), "{id}");
        let text = String::from_utf8_lossy(&out.stdout);
        for item in items {
            assert!(text.contains(item), "{id}: {item} in\n{text}");
        }
        for (name, email) in AUTHORS {
            assert!(
                !text.contains(name) && !text.contains(email),
                "{id}: {name}"
            );
        }
    }
}

/// The report shows the section, with the team table, and names nobody.
#[test]
fn the_report_has_an_execution_verification_section() {
    let mut f = repository();
    // The exports listed in friction.toml are ingested by the scan itself.
    f.write("exports/items.csv", ITEMS);
    f.write("exports/changes.csv", CHANGES);
    f.write("friction.toml", "[inputs]\npaths = [\"exports/\"]\n");
    f.commit("work-item exports");
    scan(&f);
    let out = friction(&["report", "."], f.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dir = f.path().join(".friction/report");
    let pdf = support::pdf_text(&dir.join("board-pack.pdf"));
    for (file, text) in ["report.html", "summary.md"]
        .map(|file| (file, std::fs::read_to_string(dir.join(file)).unwrap()))
        .into_iter()
        .chain(pdf.map(|text| ("board-pack.pdf", text)))
    {
        assert!(text.contains("Execution verification"), "{file}");
        assert!(text.contains("Payments"), "{file}");
        assert!(
            !text.contains("Search |")
                && !text.contains("<td>Search</td>")
                && !text.lines().any(|l| l.trim() == "Search"),
            "{file}"
        );
        for (name, _) in AUTHORS {
            assert!(!text.contains(name), "{file}: {name}");
        }
    }
}

/// A pull request links its items by its head branch's name too: a squash
/// merge whose message and title name no key still verifies the item its
/// branch names.
#[test]
fn a_pull_requests_branch_name_links_its_item() {
    let mut f = repository();
    f.write("pay/g.py", "def g():\n    return 7\n");
    f.commit_as("Invoices (#31)", AUTHORS[2].0, AUTHORS[2].1);
    let squash = f.head();
    let pulls = format!(
        r#"[{{"number": 31, "id": 9031, "state": "closed", "title": "Invoices", "draft": false,
  "user": {{"login": "someone"}},
  "base": {{"ref": "main", "repo": {{"full_name": "acme/shop"}}}},
  "head": {{"ref": "feature/PAY-12-invoices", "sha": "{squash}"}},
  "merge_commit_sha": "{squash}",
  "created_at": "2023-11-10T00:00:00Z", "updated_at": "2023-11-12T00:00:00Z",
  "closed_at": "2023-11-12T00:00:00Z", "merged_at": "2023-11-12T00:00:00Z"}}]"#
    );
    scan(&f);
    ingest_items(&f);
    let dir = tempfile::tempdir().unwrap();
    let items = dir.path().join("more.csv");
    std::fs::write(
        &items,
        "key,title,type,status,status_category,resolution,component,created_at,resolved_at\n\
         PAY-12,Invoices,Story,Done,done,Done,Payments,2023-11-01T00:00:00Z,2023-11-14T00:00:00Z\n",
    )
    .unwrap();
    let pulls_path = dir.path().join("pulls.json");
    std::fs::write(&pulls_path, pulls).unwrap();
    let out = friction(
        &[
            "ingest",
            "--quiet",
            items.to_str().unwrap(),
            pulls_path.to_str().unwrap(),
        ],
        f.path(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let a = friction_json(&["assess", "--json"], f.path());
    let org = &a["execution"]["organisation"];
    // PAY-1..6, SRCH-1, SRCH-2 as before, and PAY-12 through its branch.
    assert_eq!(org["reported_done"], 11);
    assert_eq!(org["verified"], 9);
    let findings: Vec<&str> = org["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["key"].as_str().unwrap())
        .collect();
    assert!(!findings.contains(&"PAY-12"), "{findings:?}");
}

/// A pull request's description links the items it names: a squash merge
/// whose message, title and branch name no key verifies the item its
/// description names.
#[test]
fn a_pull_requests_description_links_its_item() {
    let mut f = repository();
    f.write("pay/h.py", "def h():\n    return 8\n");
    f.commit_as("Receipts (#32)", AUTHORS[2].0, AUTHORS[2].1);
    let squash = f.head();
    let pulls = format!(
        r#"[{{"number": 32, "id": 9032, "state": "closed", "title": "Receipts", "draft": false,
  "body": "Sends a receipt after payment.\r\n\r\nImplements PAY-13; see also #4.",
  "user": {{"login": "someone"}},
  "base": {{"ref": "main", "repo": {{"full_name": "acme/shop"}}}},
  "head": {{"ref": "receipts", "sha": "{squash}"}},
  "merge_commit_sha": "{squash}",
  "created_at": "2023-11-10T00:00:00Z", "updated_at": "2023-11-12T00:00:00Z",
  "closed_at": "2023-11-12T00:00:00Z", "merged_at": "2023-11-12T00:00:00Z"}}]"#
    );
    scan(&f);
    ingest_items(&f);
    let dir = tempfile::tempdir().unwrap();
    let items = dir.path().join("more.csv");
    std::fs::write(
        &items,
        "key,title,type,status,status_category,resolution,component,created_at,resolved_at\n\
         PAY-13,Receipts,Story,Done,done,Done,Payments,2023-11-01T00:00:00Z,2023-11-14T00:00:00Z\n",
    )
    .unwrap();
    let pulls_path = dir.path().join("pulls.json");
    std::fs::write(&pulls_path, pulls).unwrap();
    let out = friction(
        &[
            "ingest",
            "--quiet",
            items.to_str().unwrap(),
            pulls_path.to_str().unwrap(),
        ],
        f.path(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let a = friction_json(&["assess", "--json"], f.path());
    let org = &a["execution"]["organisation"];
    // PAY-1..6, SRCH-1, SRCH-2 as before, and PAY-13 through the description.
    assert_eq!(org["reported_done"], 11);
    assert_eq!(org["verified"], 9);
    let findings: Vec<&str> = org["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["key"].as_str().unwrap())
        .collect();
    assert!(!findings.contains(&"PAY-13"), "{findings:?}");
}

/// Bad work-item input through the binary: unknown custom fields are
/// ignored, a status no category is known for is stored and counted (and
/// lowers the execution signals' coverage), an item in two exports counts
/// once with the newest update winning, a tab-separated Latin-1 export is
/// read, and a UTF-16 export or one with a bad row is refused whole, naming
/// the file and line, while the others are stored.
#[test]
fn bad_work_item_exports_are_refused_whole_or_counted_and_the_rest_is_read() {
    let f = repository();
    scan(&f);
    ingest_items(&f);
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path.to_str().unwrap().to_owned()
    };
    let head = "key,title,type,status,component,created_at,updated_at";
    let custom = write(
        "custom.csv",
        format!(
            "{head},Custom field (Story Points),Sprint\n\
             PAY-13,Moon,Story,Waiting for the moon,Payments,2023-11-01T00:00:00Z,2023-11-02T00:00:00Z,3,S1\n\
             PAY-14,Exports,Story,Done,Payments,2023-11-01T00:00:00Z,2023-11-02T00:00:00Z,5,S1\n"
        )
        .as_bytes(),
    );
    let old = write(
        "old.csv",
        format!("{head}\nPAY-15,Refund report,Story,In Progress,Payments,2023-11-01T00:00:00Z,2023-11-05T00:00:00Z\n").as_bytes(),
    );
    let new = write(
        "new.csv",
        format!("{head}\nPAY-15,Refund report,Story,Done,Payments,2023-11-01T00:00:00Z,2023-11-12T00:00:00Z\n").as_bytes(),
    );
    let latin1 = write(
        "latin1.tsv",
        b"key\ttitle\ttype\tstatus\tcomponent\tcreated_at\nPAY-16\tCaf\xe9 receipts\tStory\tDone\tPayments\t2023-11-01T00:00:00Z\n",
    );
    let utf16: Vec<u8> = "\u{feff}key,title,status\nPAY-19,Wide,Done\n"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let utf16 = write("utf16.csv", &utf16);
    let bad_row = write(
        "bad-row.csv",
        format!(
            "{head}\n\
             PAY-17,Fine,Story,Done,Payments,2023-11-01T00:00:00Z,2023-11-02T00:00:00Z\n\
             PAY-18,Broken,Story,Done,Payments,yesterday,2023-11-02T00:00:00Z\n"
        )
        .as_bytes(),
    );
    let out = friction(
        &[
            "ingest", "--quiet", &custom, &new, &old, &latin1, &utf16, &bad_row,
        ],
        f.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("utf16.csv"), "{stderr}");
    assert!(
        stderr.contains("bad-row.csv") && stderr.contains("line 3") && stderr.contains("yesterday"),
        "{stderr}"
    );

    let a = friction_json(&["assess", "--json"], f.path());
    let e = &a["execution"];
    // 13 items before; PAY-13, 14, 15 (once), 16; nothing of the refused files.
    assert_eq!(e["items"], 17);
    assert_eq!(e["unknown_category"], 1);
    let findings: Vec<(String, String, String)> = e["organisation"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["key"].as_str().unwrap().to_owned(),
                f["title"].as_str().unwrap().to_owned(),
                f["finding"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    // The newer export of PAY-15 says done: a ghost, listed once.
    assert_eq!(findings.iter().filter(|f| f.0 == "PAY-15").count(), 1);
    assert!(findings.contains(&("PAY-16".into(), "Café receipts".into(), "ghost".into())));
    for refused in ["PAY-17", "PAY-18", "PAY-19"] {
        assert!(!findings.iter().any(|f| f.0 == refused), "{refused}");
    }
    // The unknown status cannot be judged: the signals' coverage says so.
    let v = signal(&a, "verified-completion");
    assert_eq!(
        v["coverage"].as_f64(),
        Some(((16.0 / 17.0) * 100.0_f64).round() / 100.0)
    );
}

/// One item across several repositories: the same GitHub issues export in
/// two repositories' stores. Each links acme/api#12 by its own change
/// (`Fixes #12` in the API, `acme/api#12` from the web client); #13, changed
/// in the API only, is verified there and — each repository judged on its
/// own history, as the README says — a ghost of the web client.
#[test]
fn an_item_is_verified_in_each_repository_that_changed_it() {
    let issues = r#"[
 {"number": 12, "id": 1012, "title": "Login fails", "state": "closed", "state_reason": "completed",
  "url": "https://api.github.com/repos/acme/api/issues/12", "labels": [],
  "created_at": "2023-11-01T00:00:00Z", "updated_at": "2023-11-10T00:00:00Z", "closed_at": "2023-11-10T00:00:00Z"},
 {"number": 13, "id": 1013, "title": "Rate limits", "state": "closed", "state_reason": "completed",
  "url": "https://api.github.com/repos/acme/api/issues/13", "labels": [],
  "created_at": "2023-11-01T00:00:00Z", "updated_at": "2023-11-10T00:00:00Z", "closed_at": "2023-11-10T00:00:00Z"}
]"#;
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("issues.json");
    std::fs::write(&export, issues).unwrap();
    let mut api = Fixture::new();
    api.write("login.py", "def login():\n    return 1\n");
    api.commit("Fix login\n\nFixes #12");
    api.write("limits.py", "def limit():\n    return 2\n");
    api.commit("Rate limits (#13)");
    let mut web = Fixture::new();
    web.write("login.js", "export const login = 1;\n");
    web.commit("Login form for acme/api#12");
    let mut verified = Vec::new();
    for f in [&api, &web] {
        scan(f);
        let out = friction(&["ingest", "--quiet", export.to_str().unwrap()], f.path());
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let a = friction_json(&["assess", "--json"], f.path());
        let org = &a["execution"]["organisation"];
        assert_eq!(org["reported_done"], 2);
        let ghosts: Vec<&str> = org["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["finding"] == "ghost")
            .map(|f| f["key"].as_str().unwrap())
            .collect();
        verified.push((org["verified"].as_u64(), ghosts.join(",")));
    }
    assert_eq!(
        verified,
        [(Some(2), String::new()), (Some(1), "#13".to_owned())]
    );
}
