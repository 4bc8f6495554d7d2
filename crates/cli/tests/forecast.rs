//! The defect model's forecast in `friction hotspots` (`--forecast`,
//! `--rank density|risk|score`) on fixture repositories with known answers.

mod support;

use support::{Fixture, friction, friction_json, scan_json};

/// Four years of history: `src/parser.py` (small) collects a defect fix every
/// two months, `src/engine.py` (large) changes twice a year with features, a
/// test file changes with the fixes. With `fixes` false the same history has
/// no defect fix at all.
fn history(fixes: bool) -> Fixture {
    let mut f = Fixture::new();
    let big: String = (0..400)
        .map(|i| format!("def f{i}(x):\n    return x + {i}\n"))
        .collect();
    f.write("src/engine.py", &big);
    f.write("src/parser.py", "def parse(s):\n    return s.split()\n");
    f.write("src/util.py", "def util(x):\n    return x\n");
    f.write(
        "tests/test_parser.py",
        "def test_parse():\n    assert True\n",
    );
    f.commit("initial");
    for i in 0..24 {
        f.advance_days(61);
        f.write(
            "src/parser.py",
            format!("def parse(s):\n    # case {i}\n    return s.split()\n"),
        );
        f.write(
            "tests/test_parser.py",
            format!("def test_parse():\n    assert {i} >= 0\n"),
        );
        if fixes {
            f.commit(&format!("fix crash in parser on input {i}"));
        } else {
            f.commit(&format!("add parser case {i}"));
        }
        if i % 3 == 0 {
            f.write("src/engine.py", format!("{big}# {i}\n"));
            f.write("src/util.py", format!("def util(x):\n    return x + {i}\n"));
            f.commit(&format!("add engine option {i}"));
        }
    }
    f
}

fn paths(r: &serde_json::Value) -> Vec<String> {
    r["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn density_ranks_the_small_file_with_repeated_fixes_first() {
    let f = history(true);
    let db = f.path().join("x.db");
    scan_json(f.path(), &db, &[]);
    let db = db.to_str().unwrap();

    let default = friction_json(&["hotspots", "--db", db, "--json", "--all"], f.path());
    let order = paths(&default);
    assert_eq!(order[0], "src/engine.py", "friction's score: size first");
    assert!(
        default.get("forecast").is_none(),
        "no forecast unless asked"
    );

    let forecast = friction_json(
        &["hotspots", "--db", db, "--json", "--all", "--forecast"],
        f.path(),
    );
    assert_eq!(
        paths(&forecast),
        order,
        "--forecast keeps the default order"
    );
    let header = &forecast["forecast"];
    assert_eq!(header["measured"], true);
    assert_eq!(header["horizon_months"], 12);
    let training = header["training_fix_commits"].as_u64().unwrap();
    assert!(training > 0 && training < 40, "{header}");
    assert_eq!(header["mostly_prior"], true);
    for file in forecast["files"].as_array().unwrap() {
        let p = &file["forecast"];
        assert!(p["expected_fixes"].as_f64().unwrap() > 0.0, "{file}");
        assert!(p["density_per_kloc"].as_f64().unwrap() > 0.0, "{file}");
        let risk = p["risk"].as_f64().unwrap();
        assert!(risk > 0.0 && risk < 1.0, "{file}");
    }
    for file in forecast["test_code"]["files"].as_array().unwrap() {
        assert!(
            file.get("forecast").is_none(),
            "test code is never forecast"
        );
    }

    let args = [
        "hotspots", "--db", db, "--json", "--all", "--rank", "density",
    ];
    let density = friction(&args, f.path());
    assert!(density.status.success());
    let r: serde_json::Value = serde_json::from_slice(&density.stdout).unwrap();
    assert_eq!(r["rank"], "density");
    assert_eq!(paths(&r)[0], "src/parser.py", "{r}");
    let again = friction(&args, f.path());
    assert_eq!(
        density.stdout, again.stdout,
        "the same store gives the same bytes"
    );

    let risk = friction_json(
        &["hotspots", "--db", db, "--json", "--all", "--rank", "risk"],
        f.path(),
    );
    let risks: Vec<f64> = risk["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["forecast"]["risk"].as_f64().unwrap())
        .collect();
    assert!(risks.windows(2).all(|w| w[0] >= w[1]), "{risks:?}");

    let score = friction_json(
        &["hotspots", "--db", db, "--json", "--all", "--rank", "score"],
        f.path(),
    );
    assert_eq!(paths(&score), order);

    let text = friction(&["hotspots", "--db", db, "--rank", "density"], f.path());
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("rests mostly on the pooled prior"), "{text}");
    assert!(text.contains("fixes/12m"), "{text}");
    let first = text
        .lines()
        .skip_while(|l| l.trim() != "product code")
        .nth(2)
        .unwrap_or_default();
    assert!(first.ends_with("src/parser.py"), "{text}");
}

#[test]
fn without_defect_fixes_the_forecast_is_not_measured() {
    let f = history(false);
    let db = f.path().join("x.db");
    scan_json(f.path(), &db, &[]);
    let db = db.to_str().unwrap();
    let r = friction_json(
        &["hotspots", "--db", db, "--json", "--all", "--forecast"],
        f.path(),
    );
    assert_eq!(r["forecast"]["measured"], false);
    assert_eq!(r["forecast"]["training_fix_commits"], 0);
    for file in r["files"].as_array().unwrap() {
        assert!(file.get("forecast").is_none(), "never 0: {file}");
    }
    let text = friction(&["hotspots", "--db", db, "--forecast"], f.path());
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("not measured"), "{text}");
    assert!(!text.contains("fixes/12m"), "{text}");

    let ranked = friction(&["hotspots", "--db", db, "--rank", "density"], f.path());
    assert_eq!(ranked.status.code(), Some(2));
    let err = String::from_utf8_lossy(&ranked.stderr);
    assert!(err.contains("not measured"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}
