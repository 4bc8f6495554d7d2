//! `friction coupling` on fixture repositories with known answers.

mod support;

use support::{Fixture, friction, scan_json};

fn coupling_json(f: &Fixture, db: &std::path::Path, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["coupling", "--db", db.to_str().unwrap(), "--json"];
    args.extend_from_slice(extra);
    let out = friction(&args, f.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// `a.rs` and `b.rs` change together in 6 commits (the first adds them), `a.rs`
/// alone in 2 more, `c.rs` alone in 6. Then `b.rs` is renamed to `b2.rs` and
/// changed with `a.rs` twice more.
fn history() -> Fixture {
    let mut f = Fixture::new();
    for i in 0..6 {
        f.write("a.rs", format!("fn a() -> i32 {{ {i} }}\n"));
        f.write("b.rs", format!("fn b() -> i32 {{ {i} }}\n// padding so the rename is detected\n// line\n// line\n// line\n"));
        f.commit(&format!("PAY-{i} a and b"));
    }
    for i in 0..2 {
        f.write("a.rs", format!("fn a() -> i32 {{ 10{i} }}\n"));
        f.commit("a alone");
    }
    for i in 0..6 {
        f.write("c.rs", format!("fn c() -> i32 {{ {i} }}\n"));
        f.commit("c alone");
    }
    f
}

#[test]
fn degree_confidence_and_support_have_known_values() {
    let f = history();
    let db = f.path().join("x.db");
    scan_json(f.path(), &db, &[]);
    let r = coupling_json(&f, &db, &[]);
    assert_eq!(r["schema"], "friction.coupling/1");
    assert_eq!(r["mode"], "friction");
    let pairs = r["pairs"].as_array().unwrap();
    assert_eq!(pairs.len(), 1, "{pairs:?}");
    let p = &pairs[0];
    assert_eq!(p["entity"], "a.rs");
    assert_eq!(p["coupled"], "b.rs");
    // revs a 8, b 6, shared 6: degree int(600 / 7) = 85, average-revs ceil(7) = 7.
    assert_eq!(p["degree"], 85);
    assert_eq!(p["average_revs"], 7);
    assert_eq!(p["shared_revs"], 6);
    assert_eq!(p["confidence"], 75.0);
    assert_eq!(p["confidence_reverse"], 100.0);
    // 6 of 14 commits.
    assert_eq!(p["support"], 42.9);

    // Parity mode gives code-maat's columns in CSV.
    let out = friction(
        &[
            "coupling",
            "--db",
            db.to_str().unwrap(),
            "--parity",
            "--csv",
        ],
        f.path(),
    );
    let csv = String::from_utf8_lossy(&out.stdout);
    assert_eq!(csv, "entity,coupled,degree,average-revs\na.rs,b.rs,85,7\n");
}

#[test]
fn renamed_files_keep_their_coupling_history() {
    let mut f = history();
    f.git(&["mv", "b.rs", "b2.rs"]);
    f.commit("rename b");
    for i in 0..2 {
        f.write("a.rs", format!("fn a() -> i32 {{ 20{i} }}\n"));
        f.write("b2.rs", format!("fn b() -> i32 {{ 20{i} }}\n// padding so the rename is detected\n// line\n// line\n// line\n"));
        f.commit("a and b2");
    }
    let db = f.path().join("x.db");
    scan_json(f.path(), &db, &[]);
    let r = coupling_json(&f, &db, &[]);
    let p = &r["pairs"][0];
    // One identity for b.rs → b2.rs, shown under its current path: shared 8,
    // revs a 10, b 9 (6 + rename + 2).
    assert_eq!(p["coupled"], "b2.rs");
    assert_eq!(p["shared_revs"], 8);
    assert_eq!(p["coupled_revs"], 9);
    assert_eq!(p["entity_revs"], 10);
    // code-maat sees paths: b2.rs has only 3 revisions with a.rs sharing 2.
    let parity = coupling_json(
        &f,
        &db,
        &["--parity", "--min-revs", "1", "--min-shared-revs", "1"],
    );
    let pairs = parity["pairs"].as_array().unwrap();
    assert!(
        pairs
            .iter()
            .any(|p| p["coupled"] == "b2.rs" && p["degree"] == 30),
        "{pairs:?}"
    );
}

#[test]
fn logical_changes_by_ticket_join_commits() {
    let mut f = Fixture::new();
    for i in 0..5 {
        f.write("api.rs", format!("fn api() -> i32 {{ {i} }}\n"));
        f.commit(&format!("PAY-{i}: api"));
        f.write("ui.ts", format!("export const ui = {i};\n"));
        f.commit(&format!("PAY-{i}: ui"));
    }
    let db = f.path().join("x.db");
    scan_json(f.path(), &db, &[]);
    let per_commit = coupling_json(&f, &db, &[]);
    assert!(per_commit["pairs"].as_array().unwrap().is_empty());
    let per_ticket = coupling_json(&f, &db, &["--by", "ticket"]);
    assert_eq!(per_ticket["change_sets"], 5);
    assert_eq!(per_ticket["pairs"][0]["degree"], 100);
    let per_author = coupling_json(&f, &db, &["--by", "author", "--author-window-hours", "1"]);
    // Fixture commits are an hour apart: api+ui pairs fall into one window each.
    assert_eq!(per_author["pairs"][0]["shared_revs"], 5);
}

#[test]
fn bad_grouping_and_missing_store_are_clear_errors() {
    let mut f = Fixture::new();
    f.write("a", "1\n");
    f.commit("c");
    let out = friction(&["coupling", "."], f.path());
    assert_eq!(out.status.code(), Some(2));
    let db = f.path().join("x.db");
    scan_json(f.path(), &db, &[]);
    let out = friction(
        &["coupling", "--db", db.to_str().unwrap(), "--by", "moon"],
        f.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--by ticket"));
}

/// Issue 15.7: files that are not source code (flask's `CHANGES` →
/// `CHANGES.rst`, `pre-commit.yaml` → `.github/workflows/pre-commit.yaml`)
/// were shown under their first name, because only measured source files
/// were mapped to their current path.
#[test]
fn renamed_files_that_are_not_code_show_their_current_path() {
    let mut f = Fixture::new();
    let notes = "Release notes\n=============\n\nline one\nline two\nline three\nline four\n";
    f.write("CHANGES", notes);
    f.write("app.py", "x = 0\n");
    f.commit("start");
    f.git(&["mv", "CHANGES", "CHANGES.rst"]);
    f.commit("rename the release notes");
    for i in 0..6 {
        f.write("app.py", format!("x = {i}\n"));
        f.write("CHANGES.rst", format!("{notes}- change {i}\n"));
        f.commit(&format!("change {i}"));
    }
    let db = f.path().join("x.db");
    scan_json(f.path(), &db, &[]);
    let r = coupling_json(&f, &db, &[]);
    let pairs = r["pairs"].as_array().unwrap();
    assert_eq!(pairs.len(), 1, "{pairs:?}");
    let names = [
        pairs[0]["entity"].as_str().unwrap(),
        pairs[0]["coupled"].as_str().unwrap(),
    ];
    assert!(names.contains(&"CHANGES.rst"), "{names:?}");
    assert!(!names.contains(&"CHANGES"), "{names:?}");
}
