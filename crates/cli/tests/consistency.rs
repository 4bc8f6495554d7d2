//! One definition per figure, labelled, whatever the output: a file's cost in
//! `assess` and in the reports, a driver's weight in `assess` and the HTML
//! evidence, author counts in `knowledge`'s header and its team table
//! (issue 15, item 4).

mod support;

use support::{Fixture, costly_hotspot, friction_json, friction_stdout, thousands};

/// The costliest file's cost a year is its excess time plus its fix work in
/// `assess` and in the HTML and Markdown reports (they showed the excess
/// time alone).
#[test]
fn a_files_cost_is_one_figure_in_every_output() {
    let mut f = costly_hotspot();
    // Files changed once each, so the change distribution bends after the
    // hotspot and the Markdown lists it.
    for i in 0..8 {
        f.advance_days(1);
        f.write(
            format!("lib/m{i}.py"),
            format!("def m{i}():\n    return {i}\n"),
        );
        f.commit_as(&format!("add m{i}"), "Ann", "ann@example.com");
    }
    friction_stdout(&["scan", "-q", "."], f.path());
    let out = f.path().join("out");
    friction_stdout(
        &["report", ".", "--out", out.to_str().unwrap(), "-q"],
        f.path(),
    );
    let a = friction_json(&["assess", "--json"], f.path());
    let file = &a["cost"]["files"][0];
    assert_eq!(file["path"], "src/hot.py");
    let part = |k: &str, end: &str| file[k]["hours"][end].as_f64().unwrap();
    assert!(part("defect_work", "high") > 0.0, "{file}");
    let (low, high) = (
        part("friction", "low") + part("defect_work", "low"),
        part("friction", "high") + part("defect_work", "high"),
    );
    let text = friction_stdout(&["assess"], f.path());
    let line = text
        .lines()
        .find(|l| l.contains("src/hot.py") && l.contains(" h"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        line.contains(&format!("{}–{} h", thousands(low), thousands(high))),
        "{line}"
    );
    assert!(text.contains("cost a year = excess time in unhealthy code + fix work"));
    let shown = format!("{low:.1}–{high:.1} h");
    let md = std::fs::read_to_string(out.join("summary.md")).unwrap();
    assert!(md.contains("cost a year (excess time + fix work)"), "{md}");
    assert!(md.contains(&shown.replace('.', "\\.")), "{shown}: {md}");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains(&format!("cost {shown} a year")), "{shown}");
}

/// Points use the methodology weight times the driver's measured share,
/// renormalised over the measured drivers;
/// `assess` shows that weight and says so, and the HTML evidence shows the
/// methodology weights unrounded (0.35, not 0.3).
#[test]
fn driver_weights_are_the_ones_points_use() {
    let f = costly_hotspot();
    friction_stdout(&["scan", "-q", "."], f.path());
    let a = friction_json(&["assess", "--json"], f.path());
    let text = friction_stdout(&["assess"], f.path());
    assert!(text.contains(
        "weight: the methodology weight × the driver's measured share, renormalised over the measured drivers"
    ));
    let drivers = a["index"]["drivers"].as_array().unwrap();
    let share = |d: &serde_json::Value| -> f64 {
        d["signals"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["score"].is_number())
            .map(|s| s["weight"].as_f64().unwrap())
            .sum()
    };
    let measured: f64 = drivers
        .iter()
        .filter(|d| d["score"].is_number())
        .map(|d| d["weight"].as_f64().unwrap() * share(d))
        .sum();
    assert!(measured < 1.0, "a driver is not measured: {measured}");
    for d in drivers {
        let title = d["title"].as_str().unwrap();
        let row = text
            .lines()
            .find(|l| l.trim_start().starts_with(title))
            .unwrap_or_else(|| panic!("{title}: {text}"));
        let cells: Vec<&str> = row[2 + title.len()..].split_whitespace().collect();
        match d["score"].as_f64() {
            Some(score) => {
                let w = d["weight"].as_f64().unwrap() * share(d) / measured;
                assert_eq!(cells[0], format!("{w:.2}"), "{row}");
                assert!(
                    (w * score - d["contribution"].as_f64().unwrap()).abs() < 0.01,
                    "points = weight × score: {row}"
                );
            }
            None => assert_eq!(cells[0], "-", "{row}"),
        }
    }
    let out = f.path().join("out");
    friction_stdout(
        &["report", ".", "--out", out.to_str().unwrap(), "-q"],
        f.path(),
    );
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    for w in ["0.35", "0.25", "0.15"] {
        assert!(html.contains(&format!("methodology weight {w},")), "{w}");
    }
}

/// `knowledge` counts one population of authors in its header and its team
/// table; the authors of code still at HEAD are a labelled second figure.
#[test]
fn knowledge_counts_one_population_of_authors() {
    let mut f = Fixture::new();
    f.write(
        "friction.toml",
        "[teams]\napps = [\"Ann\"]\nlegacy = [\"Carl\"]\n",
    );
    f.write("old.txt", "legacy notes\nnothing to keep\n");
    f.commit_as("old code", "Carl", "carl@example.com");
    f.advance_days(800);
    f.git(&["rm", "-q", "old.txt"]);
    f.write(
        "app.py",
        "import sys\n\ndef app(argv):\n    return len(argv)\n",
    );
    f.commit_as("new code", "Ann", "ann@example.com");
    let db = f.path().join("x.db");
    friction_stdout(&["scan", "-q", "--db", db.to_str().unwrap(), "."], f.path());
    let k = friction_json(
        &["knowledge", "--db", db.to_str().unwrap(), "--json"],
        f.path(),
    );
    let teams = k["teams"].as_array().unwrap();
    let sum = |key: &str| teams.iter().map(|t| t[key].as_u64().unwrap()).sum::<u64>();
    assert_eq!(k["history_authors"], 2, "{k:#}");
    assert_eq!(k["history_active_authors"], 1);
    assert_eq!(sum("authors"), 2);
    assert_eq!(sum("active_authors"), 1);
    assert_eq!(k["authors"], 1, "only Ann wrote code still at HEAD");
    let text = friction_stdout(&["knowledge", "--db", db.to_str().unwrap()], f.path());
    assert!(text.contains("· 2 authors (of counted changes"), "{text}");
    assert!(text.contains(", 1 active (committed since"), "{text}");
    assert!(
        text.contains("1 of these authors wrote code still at HEAD, 1 of them active"),
        "{text}"
    );
}
