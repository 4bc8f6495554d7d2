//! `FRICTION_TIMINGS`: where a command spends its time goes to stderr, phase by
//! phase, including the phases that run inside the application layer; stdout
//! does not change.

mod support;

use std::process::{Command, Output};

use support::{Fixture, friction};

fn timed(args: &[&str], cwd: &std::path::Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_friction"))
        .args(args)
        .env("FRICTION_TIMINGS", "1")
        .current_dir(cwd)
        .output()
        .expect("friction runs")
}

fn phases(out: &Output) -> Vec<String> {
    // `timing: NAME  12.3 ms`
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter_map(|l| l.strip_prefix("timing: ")?.strip_suffix(" ms"))
        .filter_map(|l| Some(l.trim_end().rsplit_once(' ')?.0.trim().to_owned()))
        .collect()
}

fn fixture() -> Fixture {
    let mut f = Fixture::new();
    f.write("a.py", "def a():\n    return 1\n");
    f.commit("initial");
    f.advance_days(1);
    f.write("a.py", "def a():\n    return 2\n");
    f.commit("fix a");
    f
}

#[test]
fn scan_times_loading_assessing_and_recording_the_snapshot() {
    let f = fixture();
    let out = timed(&["scan", ".", "--quiet", "--no-report"], f.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let p = phases(&out);
    for want in ["read history", "load", "assess", "record", "mine"] {
        assert!(p.iter().any(|x| x == want), "no `{want}` phase in {p:?}");
    }
}

#[test]
fn assess_times_its_phases_and_prints_the_same_json() {
    let f = fixture();
    assert!(
        friction(&["scan", ".", "--quiet"], f.path())
            .status
            .success()
    );
    let out = timed(&["assess", "--json"], f.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let p = phases(&out);
    for want in ["read history", "load", "assess"] {
        assert!(p.iter().any(|x| x == want), "no `{want}` phase in {p:?}");
    }
    let plain = friction(&["assess", "--json"], f.path());
    assert_eq!(out.stdout, plain.stdout);
    assert!(plain.stderr.is_empty(), "timings only when asked for");
}
