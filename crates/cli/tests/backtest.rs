//! `friction backtest` on a fixture with a known outcome.

mod support;

use support::{Fixture, friction, scan_json};

#[test]
fn rankings_are_scored_against_later_fix_commits() {
    let mut f = Fixture::new();
    // Fixture time starts at 2023-11-14.
    let big: String = (0..100).map(|i| format!("x{i} = {i}\n")).collect();
    f.write("big.py", &big);
    f.write(
        "mid.py",
        (0..20).map(|i| format!("y{i} = {i}\n")).collect::<String>(),
    );
    f.write("small.py", "z = 1\nw = 2\n");
    f.commit("initial");
    for i in 0..5 {
        f.write("big.py", format!("{big}extra = {i}\n"));
        f.commit(&format!("grow {i}"));
    }
    // After the cut (2024-06-01): two fix commits.
    f.advance_days(240);
    f.write("big.py", format!("{big}extra = 99\n"));
    f.commit("Fix crash in big");
    f.write("small.py", "z = 1\nw = 3\n");
    f.commit("bugfix: small");
    f.write("mid.py", "y = 0\n");
    f.commit("Refactor mid");
    let db = f.path().join("x.db");
    scan_json(f.path(), &db, &[]);
    let out = friction(
        &[
            "backtest",
            ".",
            "--db",
            db.to_str().unwrap(),
            "--cut",
            "2024-06-01",
            "--json",
            "-q",
        ],
        f.path(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["cut"], "2024-06-01");
    assert_eq!(r["files"], 3);
    assert_eq!(r["fix_commits"], 2);
    assert_eq!(r["fix_touched_files"], 2);
    let rankings = r["rankings"].as_array().unwrap();
    assert_eq!(rankings.len(), 3);
    // Size ranks big > mid > small; fixes touched big and small: one of the two
    // positive-negative pairs is in order.
    assert_eq!(rankings[0]["auc"], 0.5);
    // The hotspot listing shows the latest back-test.
    let h = friction(&["hotspots", ".", "--db", db.to_str().unwrap()], f.path());
    let text = String::from_utf8_lossy(&h.stdout);
    assert!(text.contains("backtest"), "{text}");
}

#[test]
fn bad_cut_dates_are_clear_errors() {
    let mut f = Fixture::new();
    f.write("a.py", "x = 1\n");
    f.commit("c");
    let db = f.path().join("x.db");
    scan_json(f.path(), &db, &[]);
    let out = friction(
        &[
            "backtest",
            ".",
            "--db",
            db.to_str().unwrap(),
            "--cut",
            "2024-13-40",
        ],
        f.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    let out = friction(
        &[
            "backtest",
            ".",
            "--db",
            db.to_str().unwrap(),
            "--cut",
            "1990-01-01",
        ],
        f.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no commit"));
}
