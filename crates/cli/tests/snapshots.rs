//! Snapshots over time: recording on scan, back-fill equal to a scan at the
//! same commit, trend, comparison that adds up, re-scoring, the CI gate,
//! locking, and bad stores.

mod support;

use std::path::Path;

use support::{Fixture, friction, scan_json};

/// A Python function nested five deep with many branches: poor health.
fn messy(n: usize) -> String {
    let mut s = String::new();
    for i in 0..n {
        s.push_str(&format!(
            "def messy{i}(a, b, c, d, e, f):\n    if a:\n        if b and c or d:\n            for x in range(a):\n                if x % 2 and e:\n                    while b:\n                        b -= 1\n                        if c > 3 or f and d:\n                            return {i}\n                        elif c < 0:\n                            continue\n    return 0\n\n"
        ));
    }
    s
}

fn simple(n: usize, v: usize) -> String {
    (0..n)
        .map(|i| format!("def f{i}():\n    return {v}\n\n"))
        .collect()
}

/// Sixteen weeks of history from 2023-11-14: two authors, a messy hotspot
/// that gets refactored in week 10, fix commits, CODEOWNERS from week 4, a
/// rename in week 13.
fn history() -> Fixture {
    let mut f = Fixture::new();
    f.write(
        "friction.toml",
        "[components]\napi = [\"api/**\"]\ncore = [\"core/**\"]\n",
    );
    f.write("api/hot.py", messy(6));
    f.write("core/b.py", simple(3, 0));
    f.write("core/c.py", simple(2, 0));
    f.commit("initial");
    for week in 1..=16usize {
        f.advance_days(7);
        if week == 4 {
            f.write(".github/CODEOWNERS", "/api/ @acme/api\n");
        }
        if week < 10 {
            f.write("api/hot.py", format!("{}# {week}\n", messy(6)));
        } else {
            f.write("api/hot.py", simple(4, week));
        }
        if week == 13 {
            f.git(&["mv", "core/c.py", "core/d.py"]);
        }
        let core = if week >= 13 { "core/d.py" } else { "core/c.py" };
        f.write(core, simple(2, week));
        let message = if week % 3 == 0 {
            format!("fix bug in week {week}")
        } else {
            format!("work of week {week}")
        };
        if week % 2 == 0 {
            f.commit_as(&message, "Grace Hopper", "grace@example.com");
        } else {
            f.commit(&message);
        }
        if week % 4 == 1 {
            f.write("core/b.py", simple(3, week));
            f.commit("tidy b");
        }
    }
    f
}

fn run(args: &[&str], cwd: &Path) -> serde_json::Value {
    let out = friction(args, cwd);
    assert!(
        out.status.success(),
        "friction {args:?} failed: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

fn db(dir: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(dir).unwrap()
}

fn stored_assessment(db_path: &Path, id: i64) -> String {
    db(db_path)
        .query_row(
            "SELECT assessment FROM snapshots WHERE id = ?1",
            [id],
            |r| r.get(0),
        )
        .unwrap()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn backfilled_snapshots_equal_a_scan_at_that_commit() {
    let f = history();
    let dbp = f.path().join("all.db");
    scan_json(f.path(), &dbp, &[]);
    let b = run(
        &["backfill", "--db", s(&dbp), "--since", "6m", "--json", "-q"],
        f.path(),
    );
    let points = b["points"].as_array().unwrap();
    assert_eq!(points.len(), 6, "{b:#}");
    assert_eq!(points[0]["date"], "2023-10-01");
    assert_eq!(points[0]["note"], "no commit yet");
    let made: Vec<&serde_json::Value> = points.iter().filter(|p| p["new"] == true).collect();
    assert!(made.len() >= 3, "{b:#}");
    for p in made {
        let commit = p["commit"].as_str().unwrap();
        // A fresh clone checked out at that commit, scanned from scratch.
        let clone = tempfile::tempdir().unwrap();
        let out = std::process::Command::new("git")
            .args(["clone", "-q", s(f.path()), s(clone.path())])
            .output()
            .unwrap();
        assert!(out.status.success());
        let out = std::process::Command::new("git")
            .args(["reset", "-q", "--hard", commit])
            .current_dir(clone.path())
            .output()
            .unwrap();
        assert!(out.status.success());
        let other = clone.path().join("at.db");
        let scan = scan_json(clone.path(), &other, &[]);
        let id = scan["snapshot"]["id"].as_i64().unwrap();
        assert_eq!(
            stored_assessment(&dbp, p["snapshot"].as_i64().unwrap()),
            stored_assessment(&other, id),
            "back-fill at {} ({commit}) differs from a scan of that commit",
            p["date"]
        );
    }
}

#[test]
fn a_scan_records_one_immutable_snapshot_per_state() {
    let mut f = history();
    let dbp = f.path().join("s.db");
    let first = scan_json(f.path(), &dbp, &[]);
    assert_eq!(first["snapshot"]["new"], true);
    let again = scan_json(f.path(), &dbp, &[]);
    assert_eq!(again["snapshot"]["new"], false);
    assert_eq!(again["snapshot"]["id"], first["snapshot"]["id"]);
    f.advance_days(1);
    f.write("core/b.py", simple(3, 99));
    f.commit("one more");
    let third = scan_json(f.path(), &dbp, &[]);
    assert_eq!(third["snapshot"]["new"], true);
    assert_ne!(third["snapshot"]["id"], first["snapshot"]["id"]);

    let conn = db(&dbp);
    let (commit, manifest): (String, String) = conn
        .query_row(
            "SELECT commit_id, manifest FROM snapshots WHERE id = ?1",
            [third["snapshot"]["id"].as_i64().unwrap()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(commit, f.head());
    let m: serde_json::Value = serde_json::from_str(&manifest).unwrap();
    assert_eq!(m["methodology"], "eci/8");
    assert_eq!(m["tool_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(m["inputs"]["config"]["path"], "friction.toml");
    assert_eq!(m["inputs"]["config"]["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(m["inputs"]["codeowners"]["path"], ".github/CODEOWNERS");
    assert_eq!(m["inputs"]["facts"]["sha256"].as_str().unwrap().len(), 64);
    let err = conn
        .execute("UPDATE snapshots SET index_score = 100", [])
        .unwrap_err();
    assert!(err.to_string().contains("immutable"), "{err}");
    assert!(conn.execute("DELETE FROM snapshots", []).is_err());
}

#[test]
fn trend_shows_every_snapshot_deterministically() {
    let f = history();
    let dbp = f.path().join("t.db");
    scan_json(f.path(), &dbp, &[]);
    run(
        &["backfill", "--db", s(&dbp), "--since", "6m", "--json", "-q"],
        f.path(),
    );
    let t1 = friction(&["trend", "--db", s(&dbp), "--json"], f.path());
    let t2 = friction(&["trend", "--db", s(&dbp), "--json"], f.path());
    assert!(t1.status.success());
    assert_eq!(t1.stdout, t2.stdout, "trend JSON is byte-identical");
    let t: serde_json::Value = serde_json::from_slice(&t1.stdout).unwrap();
    assert_eq!(t["comparable"], true);
    let points = t["points"].as_array().unwrap();
    assert!(points.len() >= 4, "{t:#}");
    let dates: Vec<&str> = points
        .iter()
        .map(|p| p["as_of"].as_str().unwrap())
        .collect();
    let mut sorted = dates.clone();
    sorted.sort();
    assert_eq!(dates, sorted, "oldest first");
    assert!(points.iter().all(|p| p["drivers"]["delivery"].is_number()));
    let text = friction(&["trend", "--db", s(&dbp)], f.path());
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("Execution Capacity Index over"), "{text}");
    assert!(
        text.chars().any(|c| ('▁'..='█').contains(&c)),
        "sparkline: {text}"
    );
}

#[test]
fn compare_explains_the_delta_and_the_roadmap_steps_done() {
    let f = history();
    let dbp = f.path().join("c.db");
    scan_json(f.path(), &dbp, &[]);
    run(
        &["backfill", "--db", s(&dbp), "--since", "6m", "--json", "-q"],
        f.path(),
    );
    let c = run(
        &["compare", "first", "latest", "--db", s(&dbp), "--json"],
        f.path(),
    );
    let delta = c["delta"].as_f64().unwrap();
    let rounding = c["rounding"].as_f64().unwrap();
    let signals: f64 = c["signals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["delta"].as_f64().unwrap())
        .sum();
    let drivers: f64 = c["drivers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["delta"].as_f64().unwrap())
        .sum();
    let driver_rounding = c["driver_rounding"].as_f64().unwrap();
    // The shown parts plus the stated rounding give the shown delta exactly.
    assert!((signals + rounding - delta).abs() < 1e-6, "{c:#}");
    assert!((drivers + driver_rounding - delta).abs() < 1e-6, "{c:#}");
    assert!(
        rounding.abs() < 0.1 && driver_rounding.abs() < 0.05,
        "rounding only: {rounding}"
    );
    // The messy hotspot was refactored in week 10.
    let steps = c["roadmap"].as_array().unwrap();
    let hot = steps
        .iter()
        .find(|s| s["intervention"] == "refactor:api/hot.py")
        .unwrap_or_else(|| panic!("refactoring api/hot.py was proposed: {c:#}"));
    assert_eq!(hot["status"], "done", "{hot:#}");
    let text = friction(&["compare", "first", "latest", "--db", s(&dbp)], f.path());
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("By driver"), "{text}");
    assert!(text.contains("[x] Refactor api/hot.py"), "{text}");
}

#[test]
fn rescoring_supersedes_a_snapshot_of_an_older_methodology() {
    let f = history();
    let dbp = f.path().join("r.db");
    let scan = scan_json(f.path(), &dbp, &[]);
    let id = scan["snapshot"]["id"].as_i64().unwrap();
    // An old snapshot, as an earlier methodology would have stored it.
    let conn = db(&dbp);
    conn.execute(
        "INSERT INTO snapshots (created_at, kind, scope, rescored_from, commit_id, as_of, mode,
             methodology, tool_version, schema, index_score, coverage, inputs, manifest, digest, assessment)
         SELECT created_at, kind, scope, NULL, commit_id, as_of - 1, mode, 'eci/0', '0.0.1', schema,
                12.5, coverage, inputs, manifest, 'old', replace(assessment, '\"eci/8\"', '\"eci/0\"')
         FROM snapshots WHERE id = ?1",
        [id],
    )
    .unwrap();
    let old = conn.last_insert_rowid();
    let before = friction(&["trend", "--db", s(&dbp)], f.path());
    assert!(String::from_utf8_lossy(&before.stdout).contains("different methodologies"));
    let r = run(&["rescore", "--db", s(&dbp), "--json", "-q"], f.path());
    let rescored = r["rescored"].as_array().unwrap();
    assert_eq!(rescored.len(), 1, "{r:#}");
    assert_eq!(rescored[0]["from"], old);
    assert_eq!(rescored[0]["methodology"], "eci/8");
    let t = run(&["trend", "--db", s(&dbp), "--json"], f.path());
    assert_eq!(t["comparable"], true);
    let points = t["points"].as_array().unwrap();
    assert!(points.iter().all(|p| p["snapshot"] != old));
    let new = points
        .iter()
        .find(|p| p["rescored_from"] == old)
        .expect("the re-scored snapshot is in the trend");
    assert_eq!(new["index"], scan["assessment"]["index"]);
    let all = run(&["trend", "--db", s(&dbp), "--json", "--all"], f.path());
    assert!(
        all["points"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["snapshot"] == old)
    );
    // Nothing left to re-score.
    let again = run(&["rescore", "--db", s(&dbp), "--json", "-q"], f.path());
    assert!(again["rescored"].as_array().unwrap().is_empty());
}

#[test]
fn check_fails_when_the_index_drops_more_than_allowed() {
    let mut f = history();
    let good = f.head();
    // A large, messy change: worse health in the hotspot, a huge batch.
    f.advance_days(1);
    f.write("api/hot.py", messy(30));
    f.write("core/big.py", messy(30));
    f.commit("rewrite everything");
    let dbp = f.path().join("g.db");
    scan_json(f.path(), &dbp, &[]);
    let fail = friction(
        &[
            "check",
            "--db",
            s(&dbp),
            "--baseline",
            &good,
            "--max-drop",
            "0",
        ],
        f.path(),
    );
    let stdout = String::from_utf8_lossy(&fail.stdout);
    assert_eq!(
        fail.status.code(),
        Some(1),
        "{stdout}\n{}",
        String::from_utf8_lossy(&fail.stderr)
    );
    assert!(stdout.contains("FAIL"), "{stdout}");
    assert!(stdout.contains("index dropped"), "{stdout}");
    assert!(stdout.contains("Signals that moved it most"), "{stdout}");
    // A revision as the baseline, assessed again for this check.
    let pass = friction(
        &[
            "check",
            "--db",
            s(&dbp),
            "--baseline",
            "HEAD~1",
            "--max-drop",
            "100",
            "--json",
            "-q",
        ],
        f.path(),
    );
    assert_eq!(
        pass.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&pass.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&pass.stdout).unwrap();
    assert_eq!(v["passed"], true);
    assert_eq!(v["comparison"]["before"]["commit"], good);
    let driver = friction(
        &[
            "check",
            "--db",
            s(&dbp),
            "--baseline",
            "HEAD~1",
            "--max-drop",
            "100",
            "--driver",
            "delivery=0",
            "--json",
            "-q",
        ],
        f.path(),
    );
    let v: serde_json::Value = serde_json::from_slice(&driver.stdout).unwrap();
    assert_eq!(v["passed"], false, "{v:#}");
    assert_eq!(driver.status.code(), Some(1));
    assert_eq!(v["failures"][0]["what"], "delivery");
    assert!(v["failures"][0]["drop"].as_f64().unwrap() > 0.0);
    let bad = friction(
        &[
            "check",
            "--db",
            s(&dbp),
            "--baseline",
            "HEAD~1",
            "--driver",
            "speed=1",
        ],
        f.path(),
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("no driver `speed`"));
    let nothing = friction(
        &["check", "--db", s(&dbp), "--baseline", "no-such-ref"],
        f.path(),
    );
    assert_eq!(nothing.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&nothing.stderr).contains("neither a snapshot nor a git revision")
    );
}

#[test]
fn concurrent_scans_of_one_store_are_serialised() {
    let f = Fixture::new();
    f.fast_import_linear_history(3000, 40);
    f.git(&["reset", "-q", "--hard", "main"]);
    let dbp = f.path().join("lock.db");
    let spawn = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_friction"))
            .args([
                "scan",
                s(f.path()),
                "--db",
                s(&dbp),
                "--json",
                "--quiet",
                "--no-code",
            ])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let children: Vec<_> = (0..3).map(|_| spawn()).collect();
    let mut mined = 0;
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["commits"], 3000);
        mined += v["new_commits"].as_u64().unwrap();
    }
    assert_eq!(mined, 3000, "every commit mined exactly once");
    let conn = db(&dbp);
    let n: i64 = conn
        .query_row("SELECT COUNT(*) FROM commits", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 3000);
    let snaps: i64 = conn
        .query_row("SELECT COUNT(*) FROM snapshots", [], |r| r.get(0))
        .unwrap();
    assert_eq!(snaps, 1, "one state, one snapshot");
}

#[test]
fn bad_stores_and_ranges_get_clear_errors_and_lose_nothing() {
    let f = history();
    let dbp = f.path().join("b.db");
    let scan = scan_json(f.path(), &dbp, &[]);
    let id = scan["snapshot"]["id"].as_i64().unwrap();

    // A date range without commits writes nothing.
    let out = friction(
        &[
            "backfill",
            "--db",
            s(&dbp),
            "--since",
            "2000-01-01",
            "--until",
            "2001-01-01",
            "-q",
        ],
        f.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no commit on the main line"), "{err}");
    let count = |p: &Path| -> i64 {
        db(p)
            .query_row("SELECT COUNT(*) FROM snapshots", [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(count(&dbp), 1);
    let out = friction(
        &["backfill", "--db", s(&dbp), "--every", "fortnight"],
        f.path(),
    );
    assert_eq!(out.status.code(), Some(2));

    // A snapshot written in a newer format is named, not misread.
    db(&dbp)
        .execute(
            "INSERT INTO snapshots (created_at, kind, scope, commit_id, as_of, mode, methodology,
                 tool_version, schema, index_score, coverage, inputs, manifest, digest, assessment)
             VALUES (0, 'scan', '', 'abc', 9999999999, 'full', 'eci/9', '9.0.0',
                     'friction.assessment/9', 50, 1, '{}', '{}', 'x', '{\"future\": true}')",
            [],
        )
        .unwrap();
    let out = friction(&["trend", "--db", s(&dbp)], f.path());
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("friction.assessment/9") && err.contains("9.0.0"),
        "{err}"
    );
    let out = friction(
        &["compare", &format!("#{id}"), "latest", "--db", s(&dbp)],
        f.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(count(&dbp), 2, "nothing lost");

    // A store written by a newer friction.
    let newer = f.path().join("newer.db");
    std::fs::copy(&dbp, &newer).unwrap();
    db(&newer)
        .execute(
            "INSERT INTO schema_migrations (version, applied_at) VALUES (99, 0)",
            [],
        )
        .unwrap();
    let out = friction(&["trend", "--db", s(&newer)], f.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("newer"));

    // A corrupt store file is reported and left as it was.
    let corrupt = f.path().join("corrupt.db");
    let garbage = b"this is not a database, just some bytes".repeat(200);
    std::fs::write(&corrupt, &garbage).unwrap();
    for cmd in [
        ["trend", "--db", s(&corrupt)],
        ["compare", "--db", s(&corrupt)],
    ] {
        let out = friction(&cmd, f.path());
        assert_eq!(out.status.code(), Some(2), "{cmd:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.starts_with("error: "), "{err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    assert_eq!(std::fs::read(&corrupt).unwrap(), garbage);
}

#[test]
fn rescoring_keeps_what_the_original_measured() {
    let f = history();
    let dbp = f.path().join("nc.db");
    // A snapshot without code, then the same commit with its tree measured.
    let bare = scan_json(f.path(), &dbp, &["--no-code"]);
    let id = bare["snapshot"]["id"].as_i64().unwrap();
    let full = scan_json(f.path(), &dbp, &[]);
    assert_ne!(full["snapshot"]["id"], bare["snapshot"]["id"]);
    let conn = db(&dbp);
    conn.execute(
        "INSERT INTO snapshots (created_at, kind, scope, rescored_from, commit_id, as_of, mode,
             methodology, tool_version, schema, index_score, coverage, inputs, manifest, digest, assessment)
         SELECT created_at, kind, scope, NULL, commit_id, as_of - 1, mode, 'eci/0', '0.0.1', schema,
                index_score, coverage, inputs, manifest, 'old-nc', replace(assessment, '\"eci/8\"', '\"eci/0\"')
         FROM snapshots WHERE id = ?1",
        [id],
    )
    .unwrap();
    let old = conn.last_insert_rowid();
    let r = run(
        &[
            "rescore",
            &format!("#{old}"),
            "--db",
            s(&dbp),
            "--json",
            "-q",
        ],
        f.path(),
    );
    let new = r["rescored"][0]["snapshot"].as_i64().unwrap();
    let a: serde_json::Value = serde_json::from_str(&stored_assessment(&dbp, new)).unwrap();
    let code_health = a["index"]["drivers"][0]["signals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == "changed-code-health")
        .unwrap()
        .clone();
    assert!(
        code_health["score"].is_null(),
        "no code health added: {code_health:#}"
    );
    assert_eq!(r["rescored"][0]["index"], bare["assessment"]["index"]);
}

#[test]
fn bad_requests_over_time_get_one_line_errors() {
    let f = history();
    let dbp = f.path().join("e.db");
    scan_json(f.path(), &dbp, &[]);
    let err = |args: &[&str]| -> String {
        let out = friction(args, f.path());
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        let e = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(e.starts_with("error: ") && !e.contains("panicked"), "{e}");
        e
    };
    let d = s(&dbp);
    assert!(err(&["backfill", "--db", d, "--since", "5é"]).contains("neither a span nor a date"));
    assert!(err(&["backfill", "--db", d, "--until", "2024-02-30"]).contains("is not a date"));
    assert!(err(&["check", "--db", d, "--months", "0"]).contains("--months"));
    assert!(err(&["check", "--db", d]).contains("no baseline"));
    assert!(
        err(&["check", "--db", d, "--baseline", "HEAD", "--max-drop=-1"]).contains("--max-drop")
    );
    assert!(err(&["compare", "#1", "#42", "--db", d]).contains("no snapshot `#42`"));
    assert!(err(&["report", ".", "--db", d, "--snapshot", "#42"]).contains("no snapshot `#42`"));
    // Snapshots under different methodologies are not compared.
    db(&dbp)
        .execute(
            "INSERT INTO snapshots (created_at, kind, scope, commit_id, as_of, mode, methodology,
                 tool_version, schema, index_score, coverage, inputs, manifest, digest, assessment)
             SELECT created_at, kind, scope, commit_id, as_of - 1, mode, 'eci/0', tool_version,
                    schema, index_score, coverage, inputs, manifest, 'm0', assessment
             FROM snapshots WHERE id = 1",
            [],
        )
        .unwrap();
    assert!(err(&["compare", "first", "latest", "--db", d]).contains("not comparable"));
}

/// A scan that could not read a commit recorded a snapshot that `trend`
/// showed like any other (issue 15.11): it is marked partial, with what was
/// missing, in trend (text and JSON), compare and the report's trend table.
#[test]
fn a_partial_snapshot_is_marked_wherever_it_appears() {
    let mut f = Fixture::new();
    f.write("keep.py", "def f():\n    return 1\n");
    f.commit("one");
    let db = f.path().join("x.db");
    scan_json(f.path(), &db, &[]);
    f.write("doomed.txt", "unique content 5e2a\n");
    f.commit("two");
    f.write("keep.py", "def f():\n    return 2\n");
    f.commit("three");
    let blob = f.git(&["rev-parse", "HEAD:doomed.txt"]).trim().to_owned();
    std::fs::remove_file(
        f.path()
            .join(".git/objects")
            .join(&blob[..2])
            .join(&blob[2..]),
    )
    .expect("objects are loose in a fresh repository");
    let out = support::scan_output(f.path(), &db, &[]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dbs = db.to_str().expect("utf-8");

    let trend = support::friction_json(&["trend", "--db", dbs, "--json"], f.path());
    let points = trend["points"].as_array().expect("points");
    assert_eq!(points.len(), 2, "{trend}");
    assert!(points[0].get("partial").is_none(), "{trend}");
    assert_eq!(
        points[1]["partial"], "1 commit could not be read",
        "{trend}"
    );

    let text = friction(&["trend", "--db", dbs], f.path());
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("scan*"), "{text}");
    assert!(
        text.contains(&format!(
            "#{} is partial: 1 commit could not be read",
            points[1]["snapshot"]
        )),
        "{text}"
    );

    let compare = friction(&["compare", "--db", dbs, "first", "latest"], f.path());
    let compare = String::from_utf8_lossy(&compare.stdout);
    assert!(
        compare.contains("is partial (1 commit could not be read)"),
        "{compare}"
    );

    let out_dir = tempfile::tempdir().expect("tempdir");
    let report = friction(
        &[
            "report",
            "--db",
            dbs,
            "--out",
            out_dir.path().to_str().expect("utf-8"),
        ],
        f.path(),
    );
    assert!(
        report.status.success(),
        "{}",
        String::from_utf8_lossy(&report.stderr)
    );
    let csv = std::fs::read_to_string(out_dir.path().join("trend.csv")).expect("trend.csv");
    let header = csv.lines().next().unwrap_or_default();
    assert!(header.ends_with(",partial"), "{csv}");
    assert!(csv.contains("1 commit could not be read"), "{csv}");
    // The board pack marks it too: a dip in its trend is not read as the code.
    if let Some(text) = support::pdf_text(&out_dir.path().join("board-pack.pdf")) {
        assert!(
            text.contains(&format!(
                "#{} ({}) is partial: 1 commit could not be read",
                points[1]["snapshot"],
                points[1]["as_of"].as_str().unwrap_or_default()
            )),
            "{text}"
        );
    }
}

/// Reports read the stored assessment through its types: a snapshot written
/// before a field was added renders with the field's default; one whose JSON
/// the types cannot read is refused with `rescore` as the way out, instead of
/// rendering "–" where the figures were.
#[test]
fn reports_read_old_snapshots_and_refuse_unreadable_ones() {
    let f = history();
    let dbp = f.path().join("r.db");
    let scan = scan_json(f.path(), &dbp, &[]);
    let id = scan["snapshot"]["id"].as_i64().unwrap();
    let conn = db(&dbp);
    let copy = |days: i64, assessment: &str| -> i64 {
        conn.execute(
            &format!(
                "INSERT INTO snapshots (created_at, kind, scope, rescored_from, commit_id, as_of, mode,
                     methodology, tool_version, schema, index_score, coverage, inputs, manifest, digest, assessment)
                 SELECT created_at, kind, scope, NULL, commit_id, as_of - {days} * 86400, mode, methodology,
                        tool_version, schema, index_score, coverage, inputs, manifest, digest, {assessment}
                 FROM snapshots WHERE id = ?1"
            ),
            [id],
        )
        .unwrap();
        conn.last_insert_rowid()
    };
    // Before the portfolio roll-up, assessments had no `files` and `code_lines`.
    let older = copy(2, "json_remove(assessment, '$.files', '$.code_lines')");
    // A field the types need, gone (as a rename would leave it).
    let broken = copy(1, "json_remove(assessment, '$.cost')");
    let report = |snapshot: i64, out: &str| {
        friction(
            &[
                "report",
                "--db",
                s(&dbp),
                "--snapshot",
                &format!("#{snapshot}"),
                "--out",
                s(&f.path().join(out)),
                "-q",
            ],
            f.path(),
        )
    };
    let ok = report(older, "older");
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let md = std::fs::read_to_string(f.path().join("older/summary.md")).unwrap();
    assert!(md.contains("Execution Capacity Index"), "{md}");
    let refused = report(broken, "broken");
    assert!(!refused.status.success());
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(
        err.contains(&format!(
            "snapshot #{broken} holds an assessment this version cannot read"
        )) && err.contains("missing field `cost`")
            && err.contains("friction rescore"),
        "{err}"
    );
    assert!(!f.path().join("broken/summary.md").exists());
}

/// A back-fill behind a commit the scan could not read measured a truncated
/// history and said nothing (found on Aider-AI/aider: a 2024 point read
/// index 72 where a scan of the same commit reads 34). The walk through the
/// stored parents stops at the unreadable commit; such a point is now
/// recorded partial, and says why.
#[test]
fn a_backfill_behind_an_unreadable_commit_is_marked_partial() {
    let mut f = Fixture::new();
    f.write("keep.py", "def f():\n    return 1\n");
    f.commit("one");
    f.advance_days(14);
    f.write("doomed.txt", "unique content 7c1f\n");
    f.commit("two");
    f.advance_days(14);
    f.write("keep.py", "def f():\n    return 3\n");
    f.commit("three");
    f.advance_days(14);
    f.write("keep.py", "def f():\n    return 4\n");
    f.commit("four");
    let blob = f.git(&["rev-parse", "HEAD:doomed.txt"]).trim().to_owned();
    std::fs::remove_file(
        f.path()
            .join(".git/objects")
            .join(&blob[..2])
            .join(&blob[2..]),
    )
    .expect("objects are loose in a fresh repository");
    let db = f.path().join("x.db");
    let out = support::scan_output(f.path(), &db, &[]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dbs = db.to_str().expect("utf-8");
    let o = friction(
        &[
            "backfill", ".", "--db", dbs, "--every", "week", "--since", "6w", "-q",
        ],
        f.path(),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let trend = support::friction_json(&["trend", "--db", dbs, "--json"], f.path());
    let backfilled: Vec<&serde_json::Value> = trend["points"]
        .as_array()
        .expect("points")
        .iter()
        .filter(|p| p["kind"] == "backfill")
        .collect();
    assert!(!backfilled.is_empty(), "{trend}");
    let three = f.git(&["rev-parse", "HEAD~1"]).trim().to_owned();
    let behind: Vec<&&serde_json::Value> = backfilled
        .iter()
        .filter(|p| p["commit"] == three.as_str())
        .collect();
    assert!(!behind.is_empty(), "no point at `three`: {trend}");
    for p in behind {
        assert!(
            p["partial"]
                .as_str()
                .is_some_and(|w| w.contains("could not be read")),
            "{p}"
        );
    }
}
