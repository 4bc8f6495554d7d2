//! `friction hotspots` and the hotspots named by `friction scan`, on fixture
//! repositories with known answers.

mod support;

use support::{Fixture, friction, friction_json, friction_stdout, scan_json};

/// Seven files added together; `hot.py` then changes 9 more times and
/// `warm.py` 5 more. Ranked changes: 10, 6, 1, 1, 1, 1, 1. The knee (largest
/// drop below the chord after normalising) is at rank 2, so `hot.py` and
/// `warm.py` are changed often; `warm.py` is healthy, so only `hot.py` is a
/// hotspot.
fn history() -> Fixture {
    let mut f = Fixture::new();
    let complex = "def f(a, b, c):\n    if a:\n        if b:\n            if c:\n                if a and b or c:\n                    return 1\n    return 0\n";
    f.write("hot.py", complex);
    f.write("warm.py", "def g(x):\n    return x\n");
    for name in ["a.py", "b.py", "c.py", "d.py", "e.py"] {
        f.write(name, "def h():\n    return 1\n");
    }
    f.commit("initial");
    for i in 0..9 {
        f.write("hot.py", format!("{complex}# {i}\n"));
        f.commit(&format!("hot {i}"));
    }
    for i in 0..5 {
        f.write("warm.py", format!("def g(x):\n    return x + {i}\n"));
        f.commit(&format!("warm {i}"));
    }
    f
}

#[test]
fn hotspots_are_chosen_at_the_knee_and_joined_with_health() {
    let f = history();
    let db = f.path().join("x.db");
    let scan = scan_json(f.path(), &db, &[]);
    assert_eq!(scan["hotspots"]["hotspot_count"], 1);
    assert_eq!(scan["hotspots"]["top"][0][0], "hot.py");
    assert_eq!(scan["hotspots"]["top"][0][1], 10);

    let r = friction_json(
        &["hotspots", "--db", db.to_str().unwrap(), "--json"],
        f.path(),
    );
    assert_eq!(r["schema"], "friction.hotspots/1");
    assert_eq!(r["revisions"], 21);
    assert_eq!(r["files_changed"], 7);
    assert_eq!(r["knee_rank"], 2);
    assert_eq!(r["cutoff_revisions"], 6);
    let files = r["files"].as_array().unwrap();
    assert_eq!(files.len(), 1, "without --all only hotspots are listed");
    assert_eq!(files[0]["path"], "hot.py");
    assert_eq!(files[0]["revisions"], 10);
    assert!(
        files[0]["health"].as_f64().unwrap() < 9.0,
        "hot.py is nested and complex"
    );
    // 10 of 21 changes are in the hotspot, all of them in unhealthy code.
    assert_eq!(r["hotspot_activity_pct"], 47.6);
    assert_eq!(r["unhealthy_activity_pct"], 47.6);

    let all = friction(
        &["hotspots", "--db", db.to_str().unwrap(), "--json", "--all"],
        f.path(),
    );
    let r: serde_json::Value = serde_json::from_slice(&all.stdout).unwrap();
    assert_eq!(r["files"].as_array().unwrap().len(), 7);
    let warm = r["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "warm.py");
    assert_eq!(
        warm.map(|w| (w["health"].clone(), w["hotspot"].clone())),
        Some((10.0.into(), false.into())),
        "a healthy file is never a hotspot, however often it changed"
    );

    let table = friction(&["hotspots", "--db", db.to_str().unwrap()], f.path());
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(text.contains("1 unhealthy files"), "{text}");
    assert!(text.contains("hot.py  ◆ hotspot"), "{text}");

    let csv = friction(
        &["hotspots", "--db", db.to_str().unwrap(), "--csv"],
        f.path(),
    );
    let csv = String::from_utf8_lossy(&csv.stdout);
    assert!(csv.starts_with(
        "path,revisions,churn,authors,health,band,code_lines,activity_pct,hotspot,kind\n"
    ));
    assert!(csv.contains("\nhot.py,10,"), "{csv}");
}

/// Product code and a test file that changes more often than any of it: the
/// test file is listed apart with its share of the changes, never as a
/// hotspot, and the assessment neither ranks nor refactors it.
fn product_and_tests() -> Fixture {
    let mut f = Fixture::new();
    let complex = "def f(a, b, c):\n    if a:\n        if b:\n            if c:\n                if a and b or c:\n                    return 1\n    return 0\n";
    f.write("src/core.py", complex);
    f.write("tests/test_core.py", complex);
    for name in ["a.py", "b.py", "c.py", "d.py"] {
        f.write(format!("src/{name}"), "def h():\n    return 1\n");
    }
    f.commit("initial");
    for i in 0..14 {
        f.advance_days(3);
        f.write("tests/test_core.py", format!("{complex}# {i}\n"));
        if i % 2 == 0 {
            f.write("src/core.py", format!("{complex}# {i}\n"));
        }
        f.commit(&format!("change {i}"));
    }
    f
}

#[test]
fn test_code_is_listed_apart_and_never_ranked_or_refactored() {
    let f = product_and_tests();
    let db = f.path().join("x.db");
    let scan = scan_json(f.path(), &db, &[]);
    assert_eq!(scan["hotspots"]["top"][0][0], "src/core.py");
    let db = db.to_str().unwrap();
    let r = friction_json(&["hotspots", "--db", db, "--json", "--all"], f.path());
    let paths: Vec<&str> = r["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert!(!paths.contains(&"tests/test_core.py"), "{paths:?}");
    assert_eq!(r["files_changed"], 5);
    let t = &r["test_code"];
    assert_eq!(t["files_changed"], 1);
    assert_eq!(t["revisions"], 15);
    assert_eq!(t["files"][0]["path"], "tests/test_core.py");
    assert_eq!(t["files"][0]["kind"], "test");
    assert_eq!(t["files"][0]["hotspot"], false);
    // 15 of the 27 changes (core.py 8, four quiet files 1 each) went to the test.
    assert_eq!(t["activity_pct"], 55.6);
    let text = friction_stdout(&["hotspots", "--db", db], f.path());
    assert!(
        text.contains("test and other non-product code (never a hotspot)"),
        "{text}"
    );

    let a = friction_json(&["assess", ".", "--db", db, "--json"], f.path());
    let files = a["cost"]["files"].as_array().unwrap();
    let test = files.iter().find(|f| f["path"] == "tests/test_core.py");
    assert_eq!(
        test.map(|t| (t["kind"].clone(), t["hotspot"].clone())),
        Some(("test".into(), false.into())),
        "{files:?}"
    );
    assert_eq!(a["cost"]["test_code"]["files"], 1);
    assert!(a["cost"]["test_code"]["revisions_pct"].as_f64().unwrap() > 50.0);
    let targets: Vec<&str> = a["interventions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert!(
        targets.iter().all(|id| !id.contains("tests/")),
        "{targets:?}"
    );
    assert!(targets.contains(&"refactor:src/core.py"), "{targets:?}");

    // Every report shows the test file apart, never among the hotspots.
    let out = f.path().join("out");
    let o = friction(
        &[
            "report",
            ".",
            "--db",
            db,
            "--out",
            out.to_str().unwrap(),
            "-q",
        ],
        f.path(),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let read = |name: &str| std::fs::read_to_string(out.join(name)).unwrap_or_default();
    let hot = read("hotspots.csv");
    assert!(
        hot.contains("src/core.py") && !hot.contains("tests/"),
        "{hot}"
    );
    let tests = read("test-code.csv");
    assert!(tests.starts_with("kind,path,"), "{tests}");
    assert!(tests.contains("test,tests/test_core.py,"), "{tests}");
    for page in ["report.html", "summary.md"] {
        let text = read(page);
        assert!(text.contains("Test code, apart"), "{page}: {text}");
        assert!(text.contains("% of the window"), "{page}: {text}");
    }
}

#[test]
fn renamed_files_keep_their_change_history() {
    let mut f = history();
    f.git(&["mv", "hot.py", "renamed.py"]);
    f.commit("rename");
    let db = f.path().join("x.db");
    scan_json(f.path(), &db, &[]);
    let out = friction(
        &["hotspots", "--db", db.to_str().unwrap(), "--json"],
        f.path(),
    );
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["files"][0]["path"], "renamed.py");
    assert_eq!(r["files"][0]["revisions"], 11);
}

#[test]
fn one_commit_has_no_hotspots_and_says_why() {
    let mut f = Fixture::new();
    f.write("a.py", "def f():\n    return 1\n");
    f.write("b.py", "def g():\n    return 2\n");
    f.commit("only");
    let db = f.path().join("x.db");
    let scan = scan_json(f.path(), &db, &[]);
    assert_eq!(scan["hotspots"]["hotspot_count"], 0);
    let out = friction(&["hotspots", "--db", db.to_str().unwrap()], f.path());
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("no bend"));
}

#[test]
fn without_a_store_the_error_says_to_scan_first() {
    let mut f = Fixture::new();
    f.write("a.py", "x = 1\n");
    f.commit("c");
    let out = friction(&["hotspots", "."], f.path());
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("run `friction scan`"), "{err}");
    let out = friction(&["hotspots", ".", "--months", "0"], f.path());
    assert_eq!(out.status.code(), Some(2));
}

/// flask's shape: `app.py` is moved to `sansio/app.py`, and a new `app.py` is
/// written the next day. The moved file keeps the changes made before the
/// move; the re-created path starts a file of its own with its own history
/// (issue 15.1: it vanished into the moved file).
#[test]
fn a_path_recreated_after_a_rename_keeps_its_own_history() {
    let mut f = Fixture::new();
    let body: String = (0..30)
        .map(|i| format!("def f{i}():\n    return {i}\n"))
        .collect();
    f.write("src/app.py", &body);
    f.write("src/other.py", "def o():\n    return 0\n");
    f.commit("add");
    for i in 0..2 {
        f.write("src/app.py", format!("{body}# before {i}\n"));
        f.commit(&format!("edit before the move {i}"));
    }
    std::fs::create_dir(f.path().join("src/sansio")).expect("mkdir");
    f.git(&["mv", "src/app.py", "src/sansio/app.py"]);
    f.commit("move app.py into sansio");
    f.advance_days(1);
    let fresh: String = (0..20)
        .map(|i| format!("def g{i}(x):\n    return x + {i}\n"))
        .collect();
    f.write("src/app.py", &fresh);
    f.commit("a new app.py");
    for i in 0..4 {
        f.write("src/app.py", format!("{fresh}# after {i}\n"));
        f.commit(&format!("edit the new app.py {i}"));
    }
    f.write("src/sansio/app.py", format!("{body}# moved\n"));
    f.commit("edit the moved file");
    let db = f.path().join("x.db");
    let scan = scan_json(f.path(), &db, &[]);
    assert_eq!(
        scan["files"], 3,
        "sansio/app.py, the new app.py and other.py"
    );

    let r = friction_json(
        &["hotspots", "--db", db.to_str().unwrap(), "--json", "--all"],
        f.path(),
    );
    let revisions = |path: &str| {
        r["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"] == path)
            .map(|f| f["revisions"].clone())
    };
    // Added, two edits, the move, one edit after it.
    assert_eq!(revisions("src/sansio/app.py"), Some(5.into()), "{r}");
    // Created, four edits.
    assert_eq!(revisions("src/app.py"), Some(5.into()), "{r}");
    assert_eq!(revisions("src/other.py"), Some(1.into()), "{r}");
}

/// A store read for a path where the repository is not (moved, or given by
/// `--db` alone): the hotspots come from the store, and the dependency audit
/// that needs the tree says it could not run instead of dropping it.
#[test]
fn an_audit_that_cannot_run_is_said_not_dropped() {
    let f = history();
    let db = f.path().join("x.db");
    scan_json(f.path(), &db, &[]);
    let elsewhere = tempfile::tempdir().unwrap();
    let dir = elsewhere.path().to_str().unwrap();
    let json = friction_json(
        &["hotspots", dir, "--db", db.to_str().unwrap(), "--json"],
        elsewhere.path(),
    );
    assert!(!json["risk"].as_array().unwrap().is_empty(), "{json}");
    let notes = json["risk_notes"].as_array().expect("risk_notes");
    assert_eq!(notes.len(), 1, "{notes:?}");
    let note = notes[0].as_str().unwrap();
    assert!(
        note.starts_with("vulnerable dependencies not read ("),
        "{note}"
    );
    assert!(note.contains("not a git repository"), "{note}");
    let text = friction_stdout(
        &["hotspots", dir, "--db", db.to_str().unwrap()],
        elsewhere.path(),
    );
    assert!(
        text.contains("note: vulnerable dependencies not read"),
        "{text}"
    );
    // With the repository, nothing to say.
    let json = friction_json(
        &["hotspots", "--db", db.to_str().unwrap(), "--json"],
        f.path(),
    );
    assert!(json.get("risk_notes").is_none(), "{json}");
}
