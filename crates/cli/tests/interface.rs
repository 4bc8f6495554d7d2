//! Interface consistency of `report`, `explain` and the report `scan` writes
//! (issue 15, item 15): `--json` on both, every format named in
//! `report --help`, one place for the report, a final newline.

mod support;

use support::{Fixture, costly_hotspot, friction, friction_json, friction_stdout};

fn scanned() -> Fixture {
    let f = costly_hotspot();
    let out = friction(&["scan", ".", "--quiet"], f.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    f
}

#[test]
fn report_help_names_every_format_and_where_it_writes() {
    let help = friction_stdout(&["report", "--help"], std::path::Path::new("."));
    for format in [
        "HTML",
        "PDF",
        "Markdown",
        "SARIF",
        "CSV",
        ".friction/report/",
    ] {
        assert!(
            help.contains(format),
            "`report --help` omits {format}:\n{help}"
        );
    }
}

#[test]
fn report_json_lists_every_file_it_wrote() {
    let f = scanned();
    let out = f.path().join("out");
    let v = friction_json(
        &["report", "--json", "--out", out.to_str().unwrap()],
        f.path(),
    );
    let files = v["files"].as_array().expect("a list of files");
    let formats: Vec<&str> = files.iter().filter_map(|x| x["format"].as_str()).collect();
    for format in ["HTML", "PDF", "Markdown", "SARIF", "CSV"] {
        assert!(formats.contains(&format), "no {format} in {formats:?}");
    }
    let on_disk = std::fs::read_dir(&out).unwrap().count();
    assert_eq!(files.len(), on_disk, "every written file is listed, once");
    for x in files {
        let path = std::path::Path::new(x["path"].as_str().unwrap());
        assert_eq!(
            std::fs::metadata(path).unwrap().len(),
            x["bytes"].as_u64().unwrap(),
            "{path:?}"
        );
    }
    assert_eq!(v["snapshot"], 1);
}

/// The repository-level result of signal `id` in an assessment document.
fn find_signal<'a>(v: &'a serde_json::Value, id: &str) -> Option<&'a serde_json::Value> {
    v["index"]["drivers"]
        .as_array()?
        .iter()
        .flat_map(|d| d["signals"].as_array().into_iter().flatten())
        .find(|s| s["id"] == id)
}

#[test]
fn explain_json_gives_the_number_its_formula_and_its_evidence() {
    let f = scanned();
    let v = friction_json(&["explain", "hotspot-friction", "--json"], f.path());
    assert_eq!(v["signal"], "hotspot-friction");
    assert!(!v["how"].as_str().unwrap().is_empty(), "the formula");
    let current = &v["current"]["measurement"];
    let assessed = friction_json(&["assess", "--json"], f.path());
    let expected = find_signal(&assessed, "hotspot-friction").expect("assessed");
    assert_eq!(current["value"], expected["value"]);
    assert_eq!(current["score"], expected["score"]);
    assert_eq!(current["evidence"], expected["evidence"]);
    assert!(!current["evidence"].as_array().unwrap().is_empty());
    // Without a store: the documentation and why there is no measurement.
    let bare = tempfile::tempdir().unwrap();
    let v = friction_json(
        &["explain", "rework", "--json", bare.path().to_str().unwrap()],
        bare.path(),
    );
    assert!(v["current"].is_null());
    assert!(v["no_current"].is_string());
}

#[test]
fn explain_text_ends_with_a_newline() {
    let f = scanned();
    for id in ["hotspot-friction", "unowned-code"] {
        let text = friction_stdout(&["explain", id], f.path());
        assert!(text.ends_with('\n'), "{id}: {text:?}");
    }
    let bare = tempfile::tempdir().unwrap();
    let text = friction_stdout(
        &["explain", "rework", bare.path().to_str().unwrap()],
        bare.path(),
    );
    assert!(text.ends_with('\n'), "{text:?}");
}

#[test]
fn scan_writes_its_report_where_report_does() {
    let f = costly_hotspot();
    let v = friction_json(&["scan", ".", "--quiet", "--json"], f.path());
    let page = f.path().join(".friction/report/report.html");
    assert!(page.exists(), "the scan's page is in .friction/report/");
    assert!(!f.path().join(".friction/report.html").exists());
    assert!(
        v["report"]
            .as_str()
            .unwrap()
            .ends_with("report/report.html"),
        "{}",
        v["report"]
    );
    let before = std::fs::read(&page).unwrap();
    let listed = friction_json(&["report", "--json"], f.path());
    let dir = f.path().join(listed["dir"].as_str().unwrap());
    assert_eq!(
        std::fs::canonicalize(dir).unwrap(),
        std::fs::canonicalize(page.parent().unwrap()).unwrap(),
        "`report` writes into the same directory"
    );
    assert!(!before.is_empty());
}
