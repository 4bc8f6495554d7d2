//! Every CSV friction writes — the `--csv` of `code`, `hotspots`,
//! `knowledge` and `coupling`, `maat`, and the report's tables — goes through
//! one writer that neutralises spreadsheet formulas (OWASP "CSV Injection"):
//! a cell starting with `=`, `+`, `-`, `@`, tab or carriage return gets a
//! leading `'`, unless it is a plain number.

mod support;

use support::{Fixture, friction, friction_stdout, scan_json};

/// Paths a spreadsheet would evaluate; the first also needs quoting (comma
/// and quotes), which must not hide its `=` from the neutralisation.
const CRAFTED: [&str; 4] = [
    "=HYPERLINK(\"evil.example\",\"x\"),y.py",
    "+SUM(1;2).py",
    "-2+3.py",
    "@cmd.py",
];

/// The crafted files changed together six times (so they couple), by one
/// author, a few days apart.
fn crafted() -> Fixture {
    let mut f = Fixture::new();
    for i in 0..6 {
        for (k, path) in CRAFTED.iter().enumerate() {
            f.write(
                path,
                format!("def f{k}(a):\n    if a:\n        return {i}\n    return -1\n"),
            );
        }
        f.commit_as(&format!("change {i}"), "Ann", "ann@example.com");
        f.advance_days(3);
    }
    f
}

/// Every cell of `csv` a spreadsheet would not evaluate: formula-like cells
/// carry the leading `'`, numbers stay numbers. Returns the cells.
fn assert_inert(what: &str, csv: &str) -> Vec<String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(csv.as_bytes());
    let mut cells = Vec::new();
    for record in reader.records() {
        let record = record.unwrap_or_else(|e| panic!("{what}: not CSV ({e}):\n{csv}"));
        for cell in &record {
            let formula = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
            assert!(
                !formula || cell.parse::<f64>().is_ok_and(f64::is_finite),
                "{what}: a spreadsheet would evaluate {cell:?}:\n{csv}"
            );
            cells.push(cell.to_owned());
        }
    }
    cells
}

#[test]
fn crafted_paths_reach_no_csv_as_formulas() {
    let f = crafted();
    let db = f.path().join("x.db");
    scan_json(f.path(), &db, &[]);
    let db = db.to_str().unwrap();
    let outputs = [
        ("code", friction_stdout(&["code", ".", "--csv"], f.path())),
        (
            "code --functions",
            friction_stdout(&["code", ".", "--csv", "--functions"], f.path()),
        ),
        (
            "hotspots",
            friction_stdout(&["hotspots", "--db", db, "--csv"], f.path()),
        ),
        (
            "knowledge",
            friction_stdout(&["knowledge", "--db", db, "--csv"], f.path()),
        ),
        (
            "coupling",
            friction_stdout(&["coupling", "--db", db, "--csv"], f.path()),
        ),
        (
            "maat revisions",
            friction_stdout(&["maat", "revisions", "--db", db], f.path()),
        ),
        (
            "maat coupling",
            friction_stdout(&["maat", "coupling", "--db", db], f.path()),
        ),
    ];
    for (what, csv) in &outputs {
        let cells = assert_inert(what, csv);
        for path in CRAFTED {
            assert!(
                cells.contains(&format!("'{path}")),
                "{what}: {path} is kept, neutralised:\n{csv}"
            );
        }
    }
}

#[test]
fn report_tables_neutralise_crafted_paths() {
    let f = crafted();
    let out = f.path().join("out");
    let scan = friction(&["scan", "-q", "."], f.path());
    assert!(
        scan.status.success(),
        "{}",
        String::from_utf8_lossy(&scan.stderr)
    );
    let report = friction(
        &["report", ".", "--out", out.to_str().unwrap(), "-q"],
        f.path(),
    );
    assert!(
        report.status.success(),
        "{}",
        String::from_utf8_lossy(&report.stderr)
    );
    // Every table neutralises; the evidence (single-author knowledge
    // islands) names each crafted file.
    let mut cells = Vec::new();
    for entry in std::fs::read_dir(&out).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "csv") {
            let text = std::fs::read_to_string(&path).unwrap();
            cells.extend(assert_inert(&path.display().to_string(), &text));
        }
    }
    for path in CRAFTED {
        assert!(cells.contains(&format!("'{path}")), "{path}: {cells:?}");
    }
}
