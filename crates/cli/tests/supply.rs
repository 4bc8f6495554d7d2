//! Supply chain exposure through the binary: `friction advisories import`
//! of OSV and RustSec data (counts computed here from the raw records), bad
//! archives refused with nothing stored, and the three dependency signals of
//! the Security driver on a repository whose lockfiles pin vulnerable,
//! unmaintained and loose dependencies.

mod support;

use std::io::Write;
use std::path::{Path, PathBuf};

use support::{Fixture, friction, friction_json, signal};

fn advisories() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../deps/tests/fixtures/advisories")
}

fn scanned(files: &[(&str, &str)]) -> Fixture {
    let mut f = Fixture::new();
    f.write("a.py", "def a():\n    return 1\n");
    for (path, text) in files {
        f.write(path, text);
    }
    f.commit("initial");
    let out = friction(&["scan", ".", "--quiet", "--no-report"], f.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    f
}

fn import(f: &Fixture, path: &Path) -> std::process::Output {
    friction(
        &[
            "advisories",
            "import",
            &path.display().to_string(),
            "--json",
            "--quiet",
        ],
        f.path(),
    )
}

#[test]
fn osv_records_are_imported_with_withdrawn_and_git_only_ones_counted() {
    let f = scanned(&[]);
    let dir = advisories().join("osv");
    // Counted here from the raw JSON: withdrawn records, records with no
    // package of an ecosystem friction reads, the rest.
    let (mut withdrawn, mut foreign, mut usable) = (0, 0, 0);
    for group in std::fs::read_dir(&dir).unwrap() {
        for file in std::fs::read_dir(group.unwrap().path()).unwrap() {
            let v: serde_json::Value =
                serde_json::from_slice(&std::fs::read(file.unwrap().path()).unwrap()).unwrap();
            if v.get("withdrawn").is_some() {
                withdrawn += 1;
            } else if v["affected"]
                .as_array()
                .unwrap()
                .iter()
                .all(|a| a["package"].is_null())
            {
                foreign += 1;
            } else {
                usable += 1;
            }
        }
    }
    let out = import(&f, &dir);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let d = &report["database"];
    assert_eq!(d["advisories"], usable, "{report}");
    assert_eq!(d["withdrawn"], withdrawn);
    assert_eq!(d["other_packages"], foreign);
    assert_eq!(d["bad_ranges"], 0);
    assert_eq!(d["format"], "osv");
    // The newest record's date.
    assert_eq!(d["database_date"].as_str().map(str::len), Some(10));
    // Importing the same path again replaces it.
    assert!(import(&f, &dir).status.success());
    let listed = friction_json(&["advisories", "list", "--json"], f.path());
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
}

fn zip_with(entries: &[(&str, Vec<u8>)]) -> tempfile::NamedTempFile {
    let file = tempfile::Builder::new().suffix(".zip").tempfile().unwrap();
    let mut zip = zip::ZipWriter::new(file.reopen().unwrap());
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        zip.start_file(*name, options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap();
    file
}

#[test]
fn zip_bombs_and_path_traversal_are_refused_and_nothing_is_stored() {
    let f = scanned(&[]);
    let record = std::fs::read(advisories().join("osv/crates.io/RUSTSEC-2022-0013.json")).unwrap();
    let good = zip_with(&[("RUSTSEC-2022-0013.json", record.clone())]);
    let out = import(&f, good.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let before = friction_json(&["advisories", "list", "--json"], f.path());

    let bomb = zip_with(&[("a.json", record.clone()), ("b.json", vec![b' '; 4 << 20])]);
    let traversal = zip_with(&[("a.json", record.clone()), ("../../evil.json", record)]);
    for (archive, expected) in [(&bomb, "zip bomb"), (&traversal, "path traversal")] {
        let out = import(&f, archive.path());
        assert_eq!(out.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(expected) && stderr.contains("nothing of it stored"),
            "{stderr}"
        );
    }
    assert_eq!(
        friction_json(&["advisories", "list", "--json"], f.path()),
        before
    );
}

const CARGO_LOCK: &str = r#"version = 3

[[package]]
name = "app"
version = "0.1.0"
dependencies = [
 "memmap",
 "regex",
]

[[package]]
name = "memmap"
version = "0.6.2"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "regex"
version = "1.5.4"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "smallvec"
version = "1.13.2"
source = "registry+https://github.com/rust-lang/crates.io-index"
"#;

#[test]
fn dependency_signals_need_the_advisory_import_and_cite_lockfile_and_advisory() {
    let f = scanned(&[
        (
            "Cargo.toml",
            "[package]\nname = \"app\"\n\n[dependencies]\nregex = \"1\"\n",
        ),
        ("Cargo.lock", CARGO_LOCK),
        ("tools/requirements.txt", "requests>=2.0\nflask==2.3.2\n"),
        (
            "web/package.json",
            "{\"dependencies\": {\"left-pad\": \"^1.0.0\"}}\n",
        ),
        // A fixture's lockfile is not the repository's.
        ("tests/fixtures/Cargo.lock", CARGO_LOCK),
    ]);
    let a = friction_json(&["assess", "--json"], f.path());
    let vulnerable = signal(&a, "vulnerable-dependencies");
    assert!(
        vulnerable["not_measured"]
            .as_str()
            .unwrap()
            .contains("friction advisories import"),
        "{vulnerable}"
    );
    // Cargo.toml (locked), Cargo.lock, requirements.txt (loose), package.json (no lock).
    let unpinned = signal(&a, "unpinned-dependencies");
    assert_eq!(
        unpinned["not_measured"],
        serde_json::Value::Null,
        "{unpinned}"
    );
    assert_eq!(unpinned["value"].as_f64(), Some(50.0), "{unpinned}");

    for db in [advisories().join("osv"), advisories().join("rustsec")] {
        let out = import(&f, &db);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let a = friction_json(&["assess", "--json"], f.path());
    let vulnerable = signal(&a, "vulnerable-dependencies");
    assert_eq!(
        vulnerable["not_measured"],
        serde_json::Value::Null,
        "{vulnerable}"
    );
    // regex 1.5.4 is in RUSTSEC-2022-0013, both as OSV and as RustSec
    // Markdown: one finding. smallvec 1.13.2 is past every smallvec advisory.
    let evidence = vulnerable["evidence"].as_array().unwrap();
    let regex: Vec<&serde_json::Value> = evidence
        .iter()
        .filter(|e| e["id"].as_str().unwrap().starts_with("regex "))
        .collect();
    assert_eq!(regex.len(), 1, "{vulnerable}");
    let line = CARGO_LOCK
        .lines()
        .position(|l| l == "name = \"regex\"")
        .unwrap(); // 1-based header line
    assert_eq!(
        regex[0]["cite"],
        format!("Cargo.lock:{line} RUSTSEC-2022-0013")
    );
    assert!(
        evidence
            .iter()
            .all(|e| !e["id"].as_str().unwrap().starts_with("smallvec "))
    );
    // CVSS 7.5 × (1 + a year or more of an available fix).
    assert_eq!(regex[0]["value"].as_f64(), Some(1.5));

    let unmaintained = signal(&a, "unmaintained-dependencies");
    assert_eq!(unmaintained["value"].as_f64(), Some(1.0), "{unmaintained}");
    assert_eq!(
        unmaintained["evidence"][0]["cite"],
        format!(
            "Cargo.lock:{} RUSTSEC-2020-0077",
            CARGO_LOCK
                .lines()
                .position(|l| l == "name = \"memmap\"")
                .unwrap()
        )
    );

    let explained =
        String::from_utf8(friction(&["explain", "vulnerable-dependencies"], f.path()).stdout)
            .unwrap();
    assert!(explained.contains("RUSTSEC-2022-0013"), "{explained}");
}

#[test]
fn a_malformed_lockfile_lowers_coverage_and_is_named() {
    let f = scanned(&[
        ("Cargo.lock", "version = 99\n"),
        ("requirements.txt", "flask==2.3.2\n"),
    ]);
    let a = friction_json(&["assess", "--json"], f.path());
    let unpinned = signal(&a, "unpinned-dependencies");
    assert_eq!(unpinned["value"].as_f64(), Some(0.0), "{unpinned}");
    assert_eq!(unpinned["coverage"].as_f64(), Some(0.5), "{unpinned}");
}

/// The risk concentration's security part reads the vulnerable dependencies
/// at HEAD, at their lockfile's component, once an advisory database is
/// stored: `api/`'s lockfile pins regex 1.5.4 (RUSTSEC-2022-0013), `web/`
/// has none. Before the import it is not measured.
#[test]
fn vulnerable_dependencies_place_security_risk_at_their_lockfiles_component() {
    let f = scanned(&[
        ("api/main.rs", "fn main() {\n    println!(\"api\");\n}\n"),
        ("api/Cargo.lock", CARGO_LOCK),
        ("web/app.ts", "export const v = 1;\n"),
    ]);
    let risk = |f: &Fixture| -> serde_json::Value {
        friction_json(&["hotspots", "--json"], f.path())["risk"].clone()
    };
    let component = |risk: &serde_json::Value, name: &str| -> serde_json::Value {
        risk.as_array()
            .unwrap()
            .iter()
            .find(|c| c["component"] == name)
            .unwrap_or_else(|| panic!("{name} in {risk}"))
            .clone()
    };
    let before = risk(&f);
    assert!(component(&before, "api")["security"].is_null(), "{before}");
    let out = import(&f, &advisories().join("rustsec"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let after = risk(&f);
    let (api, web) = (component(&after, "api"), component(&after, "web"));
    assert_eq!(api["security"].as_f64(), Some(1.0), "{after}");
    assert_eq!(api["security_findings"].as_u64(), Some(1), "{after}");
    // Measured, and none of it: 0, not "not measured".
    assert_eq!(web["security"].as_f64(), Some(0.0), "{after}");
}
