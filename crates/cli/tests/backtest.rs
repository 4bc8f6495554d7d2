//! `friction backtest` on a fixture with a known outcome.

mod support;

use support::{Fixture, friction, scan_json};

/// `friction backtest --cut 2024-06-01 --json` on the fixture's store.
fn backtest_json(f: &Fixture, db: &std::path::Path, extra: &[&str]) -> serde_json::Value {
    let mut args = vec![
        "backtest",
        ".",
        "--db",
        db.to_str().unwrap(),
        "--cut",
        "2024-06-01",
        "--json",
        "-q",
    ];
    args.extend_from_slice(extra);
    let out = friction(&args, f.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

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
    let r = backtest_json(&f, &db, &[]);
    assert_eq!(r["cut"], "2024-06-01");
    assert_eq!(r["files"], 3);
    assert_eq!(r["fix_commits"], 2);
    assert_eq!(r["fix_touched_files"], 2);
    let rankings = r["rankings"].as_array().unwrap();
    // Size, the classic hotspot, friction's score, revisions per line and
    // the fitted risk and density models.
    assert_eq!(rankings.len(), 6);
    assert!(
        rankings[4]["name"]
            .as_str()
            .unwrap()
            .starts_with("risk model")
    );
    assert!(
        rankings[5]["name"]
            .as_str()
            .unwrap()
            .starts_with("density model")
    );
    // Size ranks big > mid > small; fixes touched big and small: one of the two
    // positive-negative pairs is in order.
    assert_eq!(rankings[0]["auc"], 0.5);
    // Every scored file is listed with its scores and outcome.
    let outcomes: Vec<(String, u64, u64)> = r["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["path"].as_str().unwrap().to_owned(),
                o["code_lines"].as_u64().unwrap(),
                o["fix_commits"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        outcomes,
        [
            ("big.py".to_owned(), 101, 1),
            ("mid.py".to_owned(), 20, 0),
            ("small.py".to_owned(), 2, 1)
        ]
    );
    // Popt of size, by hand (x: code share, y: fix share, trapezoids):
    // optimal (density) small, big, mid = 0.004065 + 0.615854 + 0.162602 = 0.782520;
    // worst mid, big, small = 0 + 0.205285 + 0.012195 = 0.217480;
    // size's order big, mid, small = 0.205285 + 0.081301 + 0.012195 = 0.298781;
    // Popt = 1 − 0.483739 / 0.565040 = 0.144.
    assert_eq!(rankings[0]["popt"], 0.144);
    let interval = rankings[0]["auc_interval"].as_array().unwrap();
    assert!(interval[0].as_f64().unwrap() <= 0.5 && 0.5 <= interval[1].as_f64().unwrap());
    // The scores as CSV for an external back-test, highest first.
    let csv = f.path().join("scores.csv");
    backtest_json(&f, &db, &["--scores-csv", csv.to_str().unwrap()]);
    let csv = std::fs::read_to_string(&csv).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "path,score");
    assert_eq!(lines.len(), 4, "{csv}");
    let friction_score = |path: &str| {
        r["outcomes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["path"] == path)
            .unwrap()["scores"][2]
            .as_f64()
            .unwrap()
    };
    assert_eq!(lines[1], format!("big.py,{}", friction_score("big.py")));
    // Rolling origins: two cuts three months apart, both horizons holding
    // the two fixes; the summary is over both.
    let rolled = backtest_json(&f, &db, &["--origins", "2", "--origin-step-months", "3"]);
    let cuts: Vec<&str> = rolled["origins"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["cut"].as_str().unwrap())
        .collect();
    assert_eq!(cuts, ["2024-06-01", "2024-03-01"]);
    let size = &rolled["summary"][0];
    assert_eq!(size["origins"], 2);
    assert_eq!(size["auc"]["mean"], 0.5);
    assert_eq!(size["auc"]["sd"], 0.0);
    // The hotspot listing shows the latest back-test.
    let h = friction(&["hotspots", ".", "--db", db.to_str().unwrap()], f.path());
    let text = String::from_utf8_lossy(&h.stdout);
    assert!(text.contains("backtest"), "{text}");
}

/// Product code by default: tests, docs and examples are left out and
/// counted by rule; fixes are defect fixes by the classifier (a typo fix of
/// product code and a test-only fix do not count).
///
/// Tree at the cut: `src/big.py` (100 code lines), `src/small.py` (2),
/// `tests/test_big.py` (2), `docs/conf.py` (1), `examples/demo.py` (1). After
/// the cut: `Fix crash in big` (big + its test; a defect fix), `Fix typo in
/// small's docstring` (wording), `fix test` (tests only), `Fix the demo`
/// (no product code). Product code: 2 files, 1 fix commit touching 1 of them.
/// With `--include-tests`: 5 files, the same fix commit touching 2 of them.
#[test]
fn product_code_is_scored_against_defect_fixes_by_default() {
    let mut f = Fixture::new();
    let big: String = (0..100).map(|i| format!("x{i} = {i}\n")).collect();
    f.write("src/big.py", &big);
    f.write("src/small.py", "z = 1\nw = 2\n");
    f.write("tests/test_big.py", "def test_big():\n    assert True\n");
    f.write("docs/conf.py", "project = 'x'\n");
    f.write("examples/demo.py", "print('demo')\n");
    f.commit("initial");
    f.advance_days(240);
    f.write("src/big.py", format!("{big}extra = 99\n"));
    f.write("tests/test_big.py", "def test_big():\n    assert 1\n");
    f.commit("Fix crash in big");
    f.write("src/small.py", "z = 1\nw = 3\n");
    f.commit("Fix typo in small's docstring");
    f.write("tests/test_big.py", "def test_big():\n    assert 2\n");
    f.commit("fix test");
    f.write("examples/demo.py", "print('demo!')\n");
    f.commit("Fix the demo");
    let db = f.path().join("x.db");
    scan_json(f.path(), &db, &[]);
    let r = backtest_json(&f, &db, &[]);
    assert_eq!(r["product_code_only"], true);
    assert_eq!(r["files"], 2);
    assert_eq!(
        r["left_out"],
        serde_json::json!({"docs": 1, "example": 1, "test": 1})
    );
    assert_eq!(r["fix_commits"], 1);
    assert_eq!(r["fix_touched_files"], 1);
    let all = backtest_json(&f, &db, &["--include-tests"]);
    assert_eq!(all["product_code_only"], false);
    assert_eq!(all["files"], 5);
    assert_eq!(all["left_out"], serde_json::json!({}));
    assert_eq!(all["fix_commits"], 1);
    assert_eq!(all["fix_touched_files"], 2);
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

/// A history whose commits before 2024-06-01 are the same whatever
/// `after` says; `after` adds fix commits after that cut.
fn model_fixture(after: &[(&str, &str)]) -> (Fixture, std::path::PathBuf) {
    let mut f = Fixture::new();
    let body = |name: &str, n: usize, v: usize| -> String {
        (0..n).map(|i| format!("{name}{i} = {v}\n")).collect()
    };
    for (name, n) in [("a", 120), ("b", 60), ("c", 30), ("d", 200)] {
        f.write(format!("{name}.py"), body(name, n, 0));
    }
    f.commit("initial");
    // Before the cut: `b` is fixed again and again, `d` only grows.
    for v in 1..=6 {
        f.advance_days(10);
        f.write("b.py", body("b", 60, v));
        f.commit(&format!("Fix crash in b ({v})"));
        f.write("d.py", body("d", 200 + v, 0));
        f.commit(&format!("Add d field {v}"));
    }
    f.advance_days(150);
    for (i, (path, message)) in after.iter().enumerate() {
        f.advance_days(10);
        f.write(path, format!("changed = {i}\n"));
        f.commit(message);
    }
    let db = f.path().join("x.db");
    scan_json(f.path(), &db, &[]);
    (f, db)
}

#[test]
fn the_defect_model_is_fitted_on_history_before_the_cut_only() {
    let (quiet, quiet_db) = model_fixture(&[]);
    let (busy, busy_db) = model_fixture(&[
        ("a.py", "Fix crash in a"),
        ("c.py", "bugfix: c"),
        ("a.py", "Fix overflow in a"),
    ]);
    // Six-month horizons (the training period starts after the first
    // commit); a light shrinkage lets four files move the model.
    let args = ["--horizon-months", "6", "--shrinkage", "1"];
    let q = backtest_json(&quiet, &quiet_db, &args);
    let b = backtest_json(&busy, &busy_db, &args);
    assert_eq!(q["fix_commits"], 0);
    assert_eq!(b["fix_commits"], 3);
    // What happened after the cut changes the outcome, never the model nor
    // the scores it gives at the cut.
    let model = |r: &serde_json::Value| r["origins"][0]["model"].clone();
    assert_eq!(model(&q), model(&b));
    let scores = |r: &serde_json::Value| -> Vec<serde_json::Value> {
        r["outcomes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["scores"].clone())
            .collect()
    };
    assert_eq!(scores(&q), scores(&b));
    // Trained on the fixes of `b` in the six months before the cut (five:
    // the first came before the training period started): the model ranks
    // `b`, the file fixed before, first by risk and by density.
    assert_eq!(model(&b)["training_fix_commits"], 5);
    let top = |k: usize| -> String {
        let o = b["outcomes"].as_array().unwrap();
        let best = o
            .iter()
            .max_by(|x, y| {
                x["scores"][k]
                    .as_f64()
                    .unwrap()
                    .total_cmp(&y["scores"][k].as_f64().unwrap())
            })
            .unwrap();
        best["path"].as_str().unwrap().to_owned()
    };
    assert_eq!(top(4), "b.py");
    assert_eq!(top(5), "b.py");
    // The density model's scores as CSV, for an external back-test.
    let csv = busy.path().join("density.csv");
    backtest_json(
        &busy,
        &busy_db,
        &[
            "--horizon-months",
            "6",
            "--shrinkage",
            "1",
            "--scores-csv",
            csv.to_str().unwrap(),
            "--scores-ranking",
            "density",
        ],
    );
    let csv = std::fs::read_to_string(&csv).unwrap();
    assert!(csv.lines().nth(1).unwrap().starts_with("b.py,"), "{csv}");
}

#[test]
fn a_bad_prior_is_a_clear_error() {
    let (f, db) = model_fixture(&[]);
    let prior = f.path().join("prior.csv");
    std::fs::write(&prior, "feature,density,risk\nln_code_lines,1,x\n").unwrap();
    let out = friction(
        &[
            "backtest",
            ".",
            "--db",
            db.to_str().unwrap(),
            "--cut",
            "2024-06-01",
            "--prior",
            prior.to_str().unwrap(),
        ],
        f.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("prior"), "{err}");
    let out = friction(
        &[
            "backtest",
            ".",
            "--db",
            db.to_str().unwrap(),
            "--cut",
            "2024-06-01",
            "--scores-csv",
            "x.csv",
            "--scores-ranking",
            "nonsense",
        ],
        f.path(),
    );
    assert_eq!(out.status.code(), Some(2));
}
