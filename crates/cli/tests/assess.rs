//! `friction assess` and `friction explain` on fixture repositories with
//! hand-computed expectations, validated against the published JSON Schema.

mod support;

use support::{Fixture, costly_hotspot, driver, friction, scan_json, signal};

/// Two components, one author, four commits a day apart:
///
/// 1. `initial` adds `friction.toml` (3 lines), `api/a.py` and `core/b.py`
///    (2 code lines each): +7;
/// 2. `fix crash in a` rewrites one line of `api/a.py` (+1 −1);
/// 3. `fix bug in a` rewrites it again (+1 −1);
/// 4. `change both` rewrites one line in each file (+2 −2).
///
/// Hand-computed signals (methodology eci/8), raw score → shrunk score: each
/// shrinks toward 50 with credibility Z = n / (n + k) (k = 10 units of its
/// sample, 20 fix commits for defect-prone-code). The raw scores below are
/// `eci/7`'s researched curves; under `eci/8` the calibrated signals' raw
/// scores are their mid-ranks in the reference population, which the test
/// computes itself from `crates/signals/calibration/population.csv`
/// ([`population_score`]) and then aggregates by hand as below:
/// - hotspot-friction 0 % → 100; changed-code-health 10 → 100; both over 2
///   files (Z = 2/12): 58.33;
/// - structural-coupling: both multi-file commits span api and core: 100 % → 0,
///   over 2 commits: 41.67;
/// - batch-size: lines per commit 7, 2, 2, 4; p75 = 4 + 0.25·(7 − 4) = 4.75 → 100,
///   over 4 commits (Z = 4/14): 64.29;
/// - rework: every deletion hits lines added days before: 1 + 1 + 2 = 4 of
///   11 added lines = 36.36 % → 0, over 4 commits: 35.71;
/// - defect-prone-code: `api/a.py` has 2 fix commits: 2 of 4 code lines =
///   50 % → 0, from 2 fix commits (Z = 2/22): 45.45;
/// - truck-factor 1 → 0 (a count: not shrunk); knowledge-islands 100 % → 0
///   (2 files: 41.67); former-contributors 0 % → 100 (58.33); coordination-load,
///   unowned-code and workflow-risks not measured;
/// - compliance-controls: none of the nine file controls present: 0 % → 0
///   (a property of the tree: not shrunk), coverage 9/11 (branch protection
///   and MFA not measurable offline).
///
/// Delivery = (0.21·58.33 + 0.12·58.33 + 0.09·41.67 + 0.09·64.29 + 0.09·35.71)
/// / 0.6 = 53.33 (the git signals are 0.6 of the driver; its CI, pull-request
/// and test signals have no export here); Reliability = 45.45 (defect-prone
/// code is 0.4 of it); Team execution = (0.15·0 + 0.125·41.67 + 0.125·58.33)
/// / 0.4 = 31.25 (its work-item signals, half of it, have no export here);
/// Security = 0 (compliance-controls is 0.15 of it);
/// in the index each driver weighs its family weight times its measured share
/// (Delivery 0.6, Reliability 0.4, Security 0.15, Team execution 0.15 + 0.125 +
/// 0.125 = 0.4): index = (0.35·0.6·53.33 + 0.25·0.4·45.45 + 0.15·0.15·0 +
/// 0.15·0.4·31.25) / (0.21 + 0.1 + 0.0225 + 0.06) = 17.62 / 0.3925 = 44.89;
/// coverage = 0.21 + 0.1 + 0.15·0.15·9/11 + 0.06 = 0.388 → 0.39. (Before
/// shrinkage: Delivery 70, Reliability 0, index 42.23.)
fn golden() -> Fixture {
    let mut f = Fixture::new();
    f.write(
        "friction.toml",
        "[components]\napi = [\"api/**\"]\ncore = [\"core/**\"]\n",
    );
    f.write("api/a.py", "def a():\n    return 1\n");
    f.write("core/b.py", "def b():\n    return 1\n");
    f.commit("initial");
    f.advance_days(1);
    f.write("api/a.py", "def a():\n    return 2\n");
    f.commit("fix crash in a");
    f.advance_days(1);
    f.write("api/a.py", "def a():\n    return 3\n");
    f.commit("fix bug in a");
    f.advance_days(1);
    f.write("api/a.py", "def a():\n    return 4\n");
    f.write("core/b.py", "def b():\n    return 4\n");
    f.commit("change both");
    f
}

fn assess_json(f: &Fixture, db: &std::path::Path, extra: &[&str]) -> (serde_json::Value, Vec<u8>) {
    let mut args = vec!["assess", "--db", db.to_str().unwrap(), "--json"];
    args.extend_from_slice(extra);
    let out = friction(&args, f.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (serde_json::from_slice(&out.stdout).unwrap(), out.stdout)
}

fn validate(doc: &serde_json::Value) {
    let errors =
        support::schema_errors(include_str!("../../../schemas/assessment.schema.json"), doc);
    assert!(errors.is_empty(), "{errors:#?}");
}

/// A value's mid-rank in the reference population, computed here apart
/// from friction: the values with at least 10 units of evidence (or complete
/// evidence), the share with a worse value plus half the share with the same
/// value, interpolated between distinct values (on a log scale for
/// `log`); beyond the population, `best_end` scores 100 (and `worst_end` 0)
/// when they lie further out, else the extreme's mid-rank holds.
fn population_score(
    id: &str,
    value: f64,
    lower_better: bool,
    best_end: f64,
    worst_end: f64,
    log: bool,
) -> f64 {
    let text = include_str!("../../signals/calibration/population.csv");
    let mut values: Vec<f64> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("repository,"))
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|c| c[8] == id && (c[10].is_empty() || c[10].parse::<f64>().unwrap() >= 10.0))
        .map(|c| c[9].parse().unwrap())
        .collect();
    values.sort_by(f64::total_cmp);
    let n = values.len() as f64;
    let rank = |x: f64| {
        let worse = values
            .iter()
            .filter(|&&v| if lower_better { v > x } else { v < x })
            .count() as f64;
        let same = values.iter().filter(|&&v| v == x).count() as f64;
        100.0 * (worse + same / 2.0) / n
    };
    let mut pts: Vec<(f64, f64)> = Vec::new();
    for &v in &values {
        if pts.last().is_none_or(|p: &(f64, f64)| p.0 != v) {
            pts.push((v, rank(v)));
        }
    }
    let (lo, hi, lo_s, hi_s) = if lower_better {
        (best_end, worst_end, 100.0, 0.0)
    } else {
        (worst_end, best_end, 0.0, 100.0)
    };
    if lo < pts[0].0 {
        pts.insert(0, (lo, lo_s));
    }
    if hi > pts[pts.len() - 1].0 {
        pts.push((hi, hi_s));
    }
    if value <= pts[0].0 {
        return pts[0].1;
    }
    let t = |x: f64| if log { x.max(1e-9).ln() } else { x };
    for w in pts.windows(2) {
        if value <= w[1].0 {
            let f = (t(value) - t(w[0].0)) / (t(w[1].0) - t(w[0].0));
            return w[0].1 + (w[1].1 - w[0].1) * f;
        }
    }
    pts[pts.len() - 1].1
}

#[test]
fn golden_index_matches_the_hand_computation() {
    let f = golden();
    let db = f.path().join("x.db");
    scan_json(f.path(), &db, &[]);
    let (a, _) = assess_json(&f, &db, &[]);
    validate(&a);
    let value = |id: &str| signal(&a, id)["value"].as_f64();
    let score = |id: &str| signal(&a, id)["score"].as_f64();
    let raw = |id: &str| signal(&a, id)["raw_score"].as_f64().unwrap();
    let near = |got: f64, want: f64, what: &str| {
        assert!((got - want).abs() < 0.011, "{what}: {got} against {want}");
    };
    assert_eq!(value("hotspot-friction"), Some(0.0));
    assert_eq!(score("changed-code-health"), Some(58.33));
    assert_eq!(signal(&a, "changed-code-health")["raw_score"], 100.0);
    assert_eq!(signal(&a, "changed-code-health")["evidence_count"], 2.0);
    assert_eq!(value("structural-coupling"), Some(100.0));
    assert_eq!(value("batch-size"), Some(4.75));
    assert_eq!(value("rework"), Some(36.36));
    assert_eq!(value("defect-prone-code"), Some(50.0));
    // The calibrated raw scores, computed here from the population, the
    // researched ends as the curves' bounds (0 for a share or a size).
    let expected_raw = [
        (
            "hotspot-friction",
            population_score("hotspot-friction", 0.0, true, 0.0, 124.0, false),
        ),
        (
            "changed-code-health",
            population_score("changed-code-health", 10.0, false, 10.0, 1.0, false),
        ),
        (
            "structural-coupling",
            population_score("structural-coupling", 100.0, true, 0.0, 50.0, false),
        ),
        (
            "batch-size",
            population_score("batch-size", 4.75, true, 0.0, 1000.0, true),
        ),
        (
            "rework",
            population_score("rework", 36.36, true, 0.0, 25.0, false),
        ),
        (
            "defect-prone-code",
            population_score("defect-prone-code", 50.0, true, 0.0, 25.0, false),
        ),
        (
            "truck-factor",
            population_score("truck-factor", 1.0, false, 4.0, 1.0, false),
        ),
        (
            "knowledge-islands",
            population_score("knowledge-islands", 100.0, true, 0.0, 50.0, false),
        ),
        (
            "former-contributors",
            population_score("former-contributors", 0.0, true, 0.0, 40.0, false),
        ),
        (
            "compliance-controls",
            population_score("compliance-controls", 0.0, false, 100.0, 0.0, false),
        ),
    ];
    for (id, want) in expected_raw {
        near(raw(id), want, id);
    }
    let r = |id: &str| expected_raw.iter().find(|x| x.0 == id).unwrap().1;
    let shrink = |id: &str, z: f64| z * r(id) + (1.0 - z) * 50.0;
    near(
        score("defect-prone-code").unwrap(),
        shrink("defect-prone-code", 2.0 / 22.0),
        "dpc",
    );
    assert_eq!(signal(&a, "defect-prone-code")["proxy"], true);
    assert_eq!(signal(&a, "defect-prone-code")["credibility"], 0.09);
    assert_eq!(
        signal(&a, "defect-prone-code")["evidence_unit"],
        "fix commits in the window"
    );
    near(
        score("truck-factor").unwrap(),
        r("truck-factor"),
        "truck-factor",
    );
    assert!(signal(&a, "truck-factor")["evidence_count"].is_null());
    assert_eq!(value("truck-factor"), Some(1.0));
    assert_eq!(value("knowledge-islands"), Some(100.0));
    assert_eq!(value("former-contributors"), Some(0.0));
    assert!(signal(&a, "coordination-load")["not_measured"].is_string());
    assert!(signal(&a, "unowned-code")["not_measured"].is_string());
    assert!(signal(&a, "workflow-risks")["not_measured"].is_string());
    assert_eq!(value("compliance-controls"), Some(0.0));
    assert_eq!(signal(&a, "compliance-controls")["coverage"], 0.82);
    // The aggregation by hand, as in the comment above.
    let delivery = (0.21 * shrink("hotspot-friction", 2.0 / 12.0)
        + 0.12 * shrink("changed-code-health", 2.0 / 12.0)
        + 0.09 * shrink("structural-coupling", 2.0 / 12.0)
        + 0.09 * shrink("batch-size", 4.0 / 14.0)
        + 0.09 * shrink("rework", 4.0 / 14.0))
        / 0.6;
    let reliability = shrink("defect-prone-code", 2.0 / 22.0);
    let team = (0.15 * r("truck-factor")
        + 0.125 * shrink("knowledge-islands", 2.0 / 12.0)
        + 0.125 * shrink("former-contributors", 2.0 / 12.0))
        / 0.4;
    let security = r("compliance-controls");
    let index = (0.35 * 0.6 * delivery
        + 0.25 * 0.4 * reliability
        + 0.15 * 0.15 * security
        + 0.15 * 0.4 * team)
        / (0.21 + 0.1 + 0.0225 + 0.06);
    let d = |f: &str| driver(&a, f)["score"].as_f64().unwrap();
    near(d("delivery"), delivery, "delivery");
    near(d("reliability"), reliability, "reliability");
    near(d("team-execution"), team, "team execution");
    near(d("security"), security, "security");
    assert!(driver(&a, "operations")["score"].is_null());
    let idx = a["index"]["score"].as_f64().unwrap();
    near(idx, index, "index");
    assert_eq!(a["index"]["coverage"], 0.39);
    assert_eq!(
        a["index"]["band"],
        if idx >= 75.0 {
            "healthy"
        } else if idx >= 50.0 {
            "warning"
        } else {
            "alert"
        }
    );
    // The decomposition adds up.
    let sum: f64 = a["index"]["drivers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["contribution"].as_f64().unwrap())
        .sum();
    assert!((sum - idx).abs() < 0.02, "{sum}");
    // Evidence names the file fixes keep returning to.
    assert_eq!(
        signal(&a, "defect-prone-code")["evidence"][0]["id"],
        "api/a.py"
    );
    assert_eq!(
        signal(&a, "structural-coupling")["evidence"][0]["id"],
        "api + core"
    );
    // Both components are assessed; authors appear only as pseudonyms.
    let names: Vec<&str> = a["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["api", "core"]);
    let tf = &signal(&a, "truck-factor")["evidence"][0]["id"];
    assert!(tf.as_str().unwrap().starts_with("dev-"), "{tf}");
    assert!(!String::from_utf8_lossy(&serde_json::to_vec(&a).unwrap()).contains("@example"));
    // Money only when an hourly cost is configured.
    assert!(a["cost"]["total"]["money"].is_null());
    assert_eq!(a["cost"]["estimate"], true);
}

#[test]
fn two_runs_give_byte_identical_json() {
    let f = golden();
    let db = f.path().join("x.db");
    scan_json(f.path(), &db, &[]);
    let (_, first) = assess_json(&f, &db, &[]);
    let (_, second) = assess_json(&f, &db, &[]);
    assert_eq!(first, second);
}

/// Every family with a signal is measured, money is reported, the roadmap
/// refactors the hotspot and projects a higher index.
#[test]
fn roadmap_refactors_the_costly_hotspot_and_projects_the_index() {
    let f = costly_hotspot();
    let db = f.path().join("x.db");
    let scan = scan_json(f.path(), &db, &[]);
    assert!(scan["assessment"]["index"].is_number(), "{scan:#}");
    let (a, _) = assess_json(&f, &db, &[]);
    validate(&a);
    assert!(signal(&a, "unowned-code")["value"].as_f64().unwrap() > 0.0);
    assert!(signal(&a, "coordination-load")["value"].is_number());
    assert_eq!(a["cost"]["engineers_source"], "configured");
    assert_eq!(a["cost"]["currency"], "USD");
    let money = &a["cost"]["total"]["money"];
    assert!(money["high"].as_f64().unwrap() > money["low"].as_f64().unwrap());
    let steps = a["roadmap"]["steps"].as_array().unwrap();
    let refactor = steps
        .iter()
        .find(|s| s["intervention"] == "refactor:src/hot.py")
        .expect("the hotspot is refactored");
    assert!(
        refactor["projected_index"].as_f64().unwrap()
            > a["roadmap"]["index_before"].as_f64().unwrap()
    );
    // Projections never go down as steps accumulate.
    let mut last = a["roadmap"]["index_before"].as_f64().unwrap();
    for s in steps {
        let p = s["projected_index"].as_f64().unwrap();
        assert!(p + 1e-9 >= last, "{p} < {last}");
        last = p;
    }
    // Teams are scored.
    let teams: Vec<&str> = a["teams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert!(!teams.is_empty());
    // A tight budget keeps the roadmap inside it.
    let (b, _) = assess_json(&f, &db, &["--budget", "1"]);
    validate(&b);
    for s in b["roadmap"]["steps"].as_array().unwrap() {
        assert!(
            s["cumulative_effort_days"]["low"].as_f64().unwrap() <= 2.0,
            "{s}"
        );
    }
}

/// The JSON `assess` prints is the typed assessment: reading it into
/// `friction_assess::AssessmentDocument` and writing it again gives the same
/// bytes, evidence, costs, teams and roadmap included.
#[test]
fn assess_json_reads_back_into_the_typed_assessment_byte_for_byte() {
    let f = costly_hotspot();
    let db = f.path().join("x.db");
    scan_json(f.path(), &db, &[]);
    let (a, printed) = assess_json(&f, &db, &[]);
    assert!(!a["roadmap"]["steps"].as_array().unwrap().is_empty());
    assert!(!a["teams"].as_array().unwrap().is_empty());
    let text = String::from_utf8(printed).unwrap();
    let doc = friction_assess::AssessmentDocument::from_json(&text).unwrap();
    assert_eq!(format!("{}\n", doc.to_json()), text);
}

#[test]
fn explain_prints_the_sections_and_the_current_evidence() {
    let f = golden();
    let db = f.path().join("x.db");
    scan_json(f.path(), &db, &[]);
    let out = friction(
        &["explain", "defect-prone-code", "--db", db.to_str().unwrap()],
        f.path(),
    );
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    // The raw score is the value's mid-rank in the reference population.
    let raw = population_score("defect-prone-code", 50.0, true, 0.0, 25.0, false);
    let shrunk = 2.0 / 22.0 * raw + 20.0 / 22.0 * 50.0;
    let value_line = format!("Value 50 % of code, score {shrunk:.0}");
    let shrink_line = format!(
        "Shrinkage: raw score {raw:.0}, evidence 2 fix commits in the window, credibility 0.09 → \
         score {shrunk:.0} (a proxy read from commit-message words: credibility capped)."
    );
    let population_line = format!("Against the reference population: better than {raw:.0} % of ");
    for section in [
        "**What it measures.**",
        "**Why it matters.**",
        "**How it is computed.**",
        "**Thresholds.**",
        "**Shrinkage.**",
        "**Sources.**",
        "Current evidence",
        "api/a.py",
        // Raw value, evidence and shrunk score, and the population.
        &value_line,
        &shrink_line,
        &population_line,
        "Calibrated on ",
    ] {
        assert!(text.contains(section), "{section} missing:\n{text}");
    }
    // The assessment's text labels the proxy.
    let out = friction(&["assess", "--db", db.to_str().unwrap()], f.path());
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("defect-prone-code"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(line.ends_with("(proxy: commit-message words)"), "{line}");
    // Without a store: the documentation, and a note.
    let empty = tempfile::tempdir().unwrap();
    let out = friction(&["explain", "truck-factor"], empty.path());
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("No current evidence"));
}

#[test]
fn bad_requests_get_clear_errors() {
    let mut f = golden();
    let db = f.path().join("x.db");
    scan_json(f.path(), &db, &[]);
    let out = friction(&["explain", "no-such-signal"], f.path());
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no signal `no-such-signal`") && err.contains("hotspot-friction"),
        "{err}"
    );
    for args in [["--budget", "0"], ["--target", "1.5"], ["--months", "0"]] {
        let mut v = vec!["assess", "--db", db.to_str().unwrap()];
        v.extend_from_slice(&args);
        let out = friction(&v, f.path());
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(String::from_utf8_lossy(&out.stderr).starts_with("error: "));
    }
    f.write(
        "friction.toml",
        "[assessment]\nfix_patterns = [\"(unclosed\"]\n",
    );
    f.commit("bad fix pattern");
    let out = friction(&["assess", "--db", db.to_str().unwrap()], f.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("fix_patterns"));
    // No store yet.
    let g = golden();
    let out = friction(&["assess"], g.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("friction scan"));
}

#[test]
fn fix_patterns_recognise_ticket_conventions() {
    let mut f = Fixture::new();
    f.write(
        "friction.toml",
        "[assessment]\ndefault_fix_words = false\nfix_patterns = [\"^BUG-\\\\d+\"]\n",
    );
    f.write("a.py", "def a():\n    return 1\n");
    f.write("b.py", "def b():\n    return 1\n");
    f.commit("initial");
    for (i, msg) in ["BUG-1 wrong total", "fix typo", "BUG-2 wrong again"]
        .iter()
        .enumerate()
    {
        f.advance_days(1);
        f.write("a.py", format!("def a():\n    return {i}\n"));
        f.commit(msg);
    }
    let db = f.path().join("x.db");
    scan_json(f.path(), &db, &[]);
    let (a, _) = assess_json(&f, &db, &[]);
    let s = signal(&a, "defect-prone-code");
    let fixes = s["figures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["name"] == "fix commits")
        .unwrap();
    assert_eq!(fixes["value"], 2.0, "only the BUG- commits count");
    assert_eq!(s["evidence"][0]["id"], "a.py");
}

/// Fix words about typos, documentation and tests do not make code
/// defect-prone: of five fix-word commits only `Fix crash in b` changes
/// product code for a defect, so no file has two defect fixes (value 0 %),
/// where the word rule counted five fixes and found `a.py` and
/// `tests/test_b.py` defect-prone.
#[test]
fn typo_documentation_and_test_fixes_are_not_defect_fixes() {
    let mut f = Fixture::new();
    f.write("a.py", "def a():\n    return 1\n");
    f.write("b.py", "def b():\n    return 1\n");
    f.write("tests/test_b.py", "def test_b():\n    assert True\n");
    f.commit("initial");
    for (i, (path, msg)) in [
        ("a.py", "Fix typos in the docstring of a"),
        ("a.py", "Fix malformed comments"),
        ("b.py", "Fix crash in b"),
        ("tests/test_b.py", "fix test"),
        ("tests/test_b.py", "fix test again"),
    ]
    .iter()
    .enumerate()
    {
        f.advance_days(1);
        f.write(path, format!("def x():\n    return {i}\n"));
        f.commit(msg);
    }
    let db = f.path().join("x.db");
    scan_json(f.path(), &db, &[]);
    let (a, _) = assess_json(&f, &db, &[]);
    let s = signal(&a, "defect-prone-code");
    let figure = |name: &str| {
        s["figures"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["name"] == name)
            .unwrap()["value"]
            .clone()
    };
    assert_eq!(figure("fix commits"), 1.0);
    assert_eq!(figure("defect-prone files"), 0.0);
    assert_eq!(s["value"], 0.0);
}

/// Without code measurements the file-based signals say why they are not
/// measured, coverage drops, and the history-based signals still score.
#[test]
fn no_code_lowers_coverage_and_says_why() {
    let f = golden();
    let db = f.path().join("x.db");
    scan_json(f.path(), &db, &["--no-code"]);
    let (a, _) = assess_json(&f, &db, &[]);
    validate(&a);
    for id in [
        "hotspot-friction",
        "changed-code-health",
        "truck-factor",
        "structural-coupling",
    ] {
        let why = signal(&a, id)["not_measured"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(
            why.contains("scan") || why.contains("code health"),
            "{id}: {why}"
        );
    }
    assert_eq!(signal(&a, "batch-size")["value"], 4.75);
    assert!(a["index"]["coverage"].as_f64().unwrap() < 0.72);
    assert!(a["index"]["score"].is_number());
}

/// Issue 15.5: a one-line `* @team` CODEOWNERS — even uncommitted — made
/// Security 100 and moved the index as if the whole driver were measured.
/// Inputs come from the assessed commit, and a driver weighs in the index
/// only for the share of it its signals measure.
#[test]
fn a_weak_signal_moves_the_index_only_by_its_share_and_uncommitted_files_do_not_count() {
    let mut f = golden();
    let db = f.path().join("x.db");
    scan_json(f.path(), &db, &[]);
    let (_, before) = assess_json(&f, &db, &[]);
    // Uncommitted: not read.
    f.write("CODEOWNERS", "* @team\n");
    f.write(
        "friction.toml",
        "[components]\napi = [\"api/**\"]\ncore = [\"core/**\"]\n[teams]\nall = [\"*\"]\n",
    );
    let (_, uncommitted) = assess_json(&f, &db, &[]);
    assert_eq!(before, uncommitted);
    // Committed: unowned-code measures a fifth of Security, and the
    // CODEOWNERS file is one of the nine compliance controls (0.15 of it).
    f.git(&["checkout", "--", "friction.toml"]);
    f.commit("codeowners");
    scan_json(f.path(), &db, &[]);
    let (a, _) = assess_json(&f, &db, &[]);
    assert_eq!(signal(&a, "unowned-code")["score"], 100.0);
    assert_eq!(signal(&a, "compliance-controls")["value"], 11.11);
    let security = driver(&a, "security");
    // (0.2·100 + 0.15·c) / 0.35, c the calibrated score of 11.11 % of the
    // controls present; coverage 0.2 + 0.15·9/11.
    let c = population_score("compliance-controls", 11.11, false, 100.0, 0.0, false);
    let want = (0.2 * 100.0 + 0.15 * c) / 0.35;
    let got = security["score"].as_f64().unwrap();
    assert!((got - want).abs() < 0.011, "{got} against {want}");
    assert_eq!(security["coverage"], 0.32);
    // Each driver weighs its family weight times its measured share.
    let (mut sum, mut total, mut security_weight) = (0.0, 0.0, 0.0);
    for d in a["index"]["drivers"].as_array().unwrap() {
        let Some(score) = d["score"].as_f64() else {
            continue;
        };
        let share: f64 = d["signals"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["score"].is_number())
            .map(|s| s["weight"].as_f64().unwrap())
            .sum();
        let w = d["weight"].as_f64().unwrap() * share;
        if d["family"] == "security" {
            security_weight = w;
        }
        sum += w * score;
        total += w;
    }
    assert!((security_weight - 0.0525).abs() < 1e-9, "{security_weight}");
    let index = a["index"]["score"].as_f64().unwrap();
    assert!(
        (index - sum / total).abs() < 0.01,
        "{index} vs {}",
        sum / total
    );
    let contribution = security["contribution"].as_f64().unwrap();
    assert!(
        (contribution - 0.0525 * want / total).abs() < 0.01,
        "{contribution}"
    );
    assert!(a["index"]["coverage"].as_f64().unwrap() < 0.8);
}

/// Team overlaps are part of the assessment document, valid against its schema.
#[test]
fn team_overlaps_are_reported_in_the_assessment() {
    let mut f = golden();
    f.write(
        "friction.toml",
        "[components]\napi = [\"api/**\"]\ncore = [\"core/**\"]\n[teams]\ncommunity = [\"*\"]\ncore = [\"Ann\"]\n",
    );
    f.commit_as("teams", "Ann", "ann@example.com");
    let db = f.path().join("x.db");
    scan_json(f.path(), &db, &[]);
    let (a, _) = assess_json(&f, &db, &[]);
    validate(&a);
    let overlaps = a["team_overlaps"].as_array().unwrap();
    assert_eq!(overlaps.len(), 1, "{overlaps:?}");
    assert_eq!(
        overlaps[0]["teams"],
        serde_json::json!(["community", "core"])
    );
    assert_eq!(overlaps[0]["chosen"], "core");
    assert!(overlaps[0]["author"].as_str().unwrap().starts_with("dev-"));
}

/// A repository's own workflows and policy files measure Security: each
/// workflow finding with its file and line (in `explain` too), each
/// compliance control with its evidence path; a workflow edited afterwards
/// but not committed does not count, and a broken workflow is reported
/// while the others are read.
#[test]
fn workflows_and_policy_files_of_the_assessed_commit_measure_security() {
    let mut f = golden();
    f.write(
        "SECURITY.md",
        "Report vulnerabilities to security@example.com\n",
    );
    f.write("LICENSE", "MIT\n");
    f.write(
        ".github/workflows/ci.yml",
        "on: [push, pull_request]\n\
         permissions:\n  contents: read\n\
         jobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n\
         \x20     - uses: actions/checkout@b4ffde65f46336ab88eb53be808477a3936bae11\n\
         \x20     - run: python -m pytest\n",
    );
    f.write(
        ".github/workflows/triage.yml",
        "on: pull_request_target\n\
         jobs:\n  label:\n    runs-on: ubuntu-latest\n    steps:\n\
         \x20     - uses: actions/checkout@v4\n\
         \x20       with:\n\
         \x20         ref: ${{ github.event.pull_request.head.sha }}\n\
         \x20     - run: echo \"${{ github.event.pull_request.title }}\"\n",
    );
    f.write(".github/workflows/broken.yml", "on: [push\n");
    f.commit("security files");
    // Uncommitted edits are not read.
    f.write(".github/workflows/triage.yml", "on: push\n");
    let db = f.path().join("x.db");
    scan_json(f.path(), &db, &[]);
    let (a, _) = assess_json(&f, &db, &[]);
    validate(&a);

    let w = signal(&a, "workflow-risks");
    let cites: Vec<(String, String)> = w["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["label"]
                    .as_str()
                    .unwrap()
                    .split(':')
                    .next()
                    .unwrap()
                    .to_owned(),
                e["cite"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    for (rule, cite) in [
        ("untrusted-checkout", ".github/workflows/triage.yml line 8"),
        ("script-injection", ".github/workflows/triage.yml line 9"),
        ("permissions-missing", ".github/workflows/triage.yml line 2"),
        (
            "unpinned-first-party-action",
            ".github/workflows/triage.yml line 6",
        ),
    ] {
        assert!(
            cites.contains(&(rule.to_owned(), cite.to_owned())),
            "{rule} at {cite} in {cites:?}"
        );
    }
    assert_eq!(cites.len(), 4, "{cites:?}");
    // Two of three workflows read; a dangerous workflow puts the signal in
    // the alert band: Dangerous-Workflow missed (10), Token-Permissions 1 of
    // 2 (7.5 × 0.5), GitHub-owned pins 1 of 2 (5 × 0.2 × 0.5) of 30.
    assert_eq!(w["coverage"], 0.67);
    assert_eq!(w["value"], 47.5);
    assert_eq!(w["band"], "alert");

    let c = signal(&a, "compliance-controls");
    let control = |osps: &str| {
        c["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["id"] == osps)
            .unwrap_or_else(|| panic!("{osps} in {c}"))
            .clone()
    };
    assert_eq!(control("OSPS-VM-02.01")["cite"], "SECURITY.md");
    assert!(
        control("OSPS-VM-02.01")["label"]
            .as_str()
            .unwrap()
            .starts_with("present")
    );
    assert_eq!(control("OSPS-LE-03.01")["cite"], "LICENSE");
    assert_eq!(
        control("OSPS-QA-06.01")["cite"],
        ".github/workflows/ci.yml line 9"
    );
    assert!(
        control("OSPS-BR-07.01")["label"]
            .as_str()
            .unwrap()
            .starts_with("missing")
    );
    assert!(
        control("OSPS-AC-03.01, OSPS-AC-01.01")["label"]
            .as_str()
            .unwrap()
            .starts_with("not measurable offline")
    );
    // Security policy, licence and CI tests: 3 of 9.
    assert_eq!(c["value"], 33.33);

    let out = friction(
        &["explain", "workflow-risks", "--db", db.to_str().unwrap()],
        f.path(),
    );
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(".github/workflows/triage.yml line 8"),
        "{text}"
    );
}
