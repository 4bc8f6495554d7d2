//! Interface consistency of the commands over time (issue 15, item 15):
//! the repository as a positional argument of `compare` and `rescore`, a
//! `trend` hint that works when pasted into a shell, one meaning of
//! `--quiet`, gate baselines kept out of the trend, and "1 author".

mod support;

use std::path::Path;

use support::{Fixture, friction, friction_json, friction_stdout};

/// A repository of one author, scanned after each of three commits (three
/// snapshots in its default store).
fn three_snapshots() -> Fixture {
    let mut f = Fixture::new();
    for i in 0..3 {
        f.write(
            "src/app.py",
            format!("def f(a):\n    if a:\n        return {i}\n    return 0\n"),
        );
        f.write(format!("src/m{i}.py"), "x = 1\n");
        f.commit(&format!("change {i}"));
        f.advance_days(10);
        let out = friction(&["scan", ".", "--quiet"], f.path());
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    f
}

fn ids(trend: &serde_json::Value) -> Vec<i64> {
    trend["points"]
        .as_array()
        .expect("points")
        .iter()
        .map(|p| p["snapshot"].as_i64().expect("an id"))
        .collect()
}

fn text(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn compare_and_rescore_take_the_repository_as_a_positional_argument() {
    let f = three_snapshots();
    let elsewhere = tempfile::tempdir().expect("tempdir");
    let repo = f.path().to_str().expect("utf-8");
    let trend = friction_json(&["trend", repo, "--json"], elsewhere.path());
    let ids = ids(&trend);
    let (first, last) = (ids[0].to_string(), ids[2].to_string());
    let positional = friction_json(
        &["compare", repo, &first, &last, "--json"],
        elsewhere.path(),
    );
    assert_eq!(positional["before"]["snapshot"], ids[0]);
    assert_eq!(positional["after"]["snapshot"], ids[2]);
    // The repository alone: previous against latest.
    let defaults = friction_json(&["compare", repo, "--json"], elsewhere.path());
    assert_eq!(defaults["before"]["snapshot"], ids[1]);
    assert_eq!(defaults["after"]["snapshot"], ids[2]);
    // `--path` still works for scripts written before.
    let old = friction_json(
        &["compare", &first, &last, "--path", repo, "--json"],
        elsewhere.path(),
    );
    assert_eq!(old, positional);
    // `#12` quoted is still an id.
    let hashed = friction_json(
        &["compare", repo, &format!("#{first}"), &last, "--json"],
        elsewhere.path(),
    );
    assert_eq!(hashed, positional);
    let rescore = friction_json(&["rescore", repo, "--json", "-q"], elsewhere.path());
    assert_eq!(rescore["rescored"], serde_json::json!([]));
    let named = friction_json(&["rescore", repo, &last, "--json", "-q"], elsewhere.path());
    assert_eq!(named["rescored"][0]["from"], ids[2]);
    let old = friction_json(
        &["rescore", "--path", repo, "--json", "-q"],
        elsewhere.path(),
    );
    assert_eq!(old["rescored"], serde_json::json!([]));
}

#[test]
fn the_compare_hint_of_trend_works_when_pasted_into_a_shell() {
    let f = three_snapshots();
    let elsewhere = tempfile::tempdir().expect("tempdir");
    let repo = f.path().to_str().expect("utf-8");
    let out = text(&friction(&["trend", repo], elsewhere.path()));
    let hint = out
        .split("`friction compare ")
        .nth(1)
        .and_then(|rest| rest.split('`').next())
        .unwrap_or_else(|| panic!("no compare hint in:\n{out}"));
    assert!(!hint.contains('#'), "`#` starts a shell comment: {hint}");
    let ids = ids(&friction_json(&["trend", repo, "--json"], elsewhere.path()));
    let pasted = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "{} compare {hint} --json",
            env!("CARGO_BIN_EXE_friction")
        ))
        .current_dir(elsewhere.path())
        .output()
        .expect("sh runs");
    let v: serde_json::Value = serde_json::from_str(&text(&pasted)).expect("JSON");
    assert_eq!(v["before"]["snapshot"], ids[1]);
    assert_eq!(v["after"]["snapshot"], ids[2]);
}

#[test]
fn quiet_means_the_result_only_and_help_says_so() {
    let f = three_snapshots();
    for command in ["scan", "check", "report", "backfill"] {
        let help = friction_stdout(&[command, "--help"], Path::new("."));
        assert!(
            help.contains("no progress, notes or timings on stderr and no explanations on stdout"),
            "`{command} --help`:\n{help}"
        );
    }
    let quiet = friction(
        &["check", "--baseline", "first", "--max-drop", "100", "-q"],
        f.path(),
    );
    let stdout = text(&quiet);
    assert!(stdout.starts_with("friction check: PASS"), "{stdout}");
    assert!(!stdout.contains("Why:"), "{stdout}");
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(quiet.stderr.is_empty());
    let explained = text(&friction(
        &["check", "--baseline", "first", "--max-drop", "100"],
        f.path(),
    ));
    assert!(explained.contains("Why:"), "{explained}");
    let backfill = friction(
        &["backfill", "--every", "week", "--since", "30d", "-q"],
        f.path(),
    );
    let stdout = text(&backfill);
    assert!(stdout.starts_with("Back-filled"), "{stdout}");
    assert!(!stdout.contains("See the trend"), "{stdout}");
    assert!(backfill.stderr.is_empty());
}

#[test]
fn a_gate_baseline_revision_is_compared_but_kept_out_of_the_trend() {
    let f = three_snapshots();
    let before = friction_json(&["trend", "--all", "--json"], f.path());
    let v = friction_json(
        &[
            "check",
            "--baseline",
            "HEAD~2",
            "--max-drop",
            "100",
            "--json",
            "-q",
        ],
        f.path(),
    );
    assert_eq!(v["passed"], true);
    let baseline = &v["comparison"]["before"];
    assert_eq!(baseline["kind"], "baseline");
    assert_eq!(baseline["snapshot"], serde_json::Value::Null);
    assert_eq!(
        baseline["commit"].as_str(),
        Some(f.git(&["rev-parse", "HEAD~2"]).trim())
    );
    let after = friction_json(&["trend", "--all", "--json"], f.path());
    assert_eq!(ids(&after), ids(&before), "no snapshot was added");
    assert!(
        after["points"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["kind"] != "baseline")
    );
    let said = text(&friction(
        &["check", "--baseline", "HEAD~2", "--max-drop", "100"],
        f.path(),
    ));
    assert!(said.contains("(not recorded)"), "{said}");
}

#[test]
fn one_author_is_one_author() {
    let f = three_snapshots();
    let out = text(&friction(&["scan", ".", "--quiet"], f.path()));
    assert!(!out.contains("(1 authors)"), "{out}");
    assert!(out.contains("(1 author)"), "{out}");
}
