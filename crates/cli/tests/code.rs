//! `friction code` and the HEAD code measurement of `friction scan`, driven
//! through the real binary.

mod support;

use std::path::Path;

use support::{Fixture, friction, scan_json};

const COMPLEX_C: &str = "int classify(int a, int b, int c) {
    if (a > 0 && b > 0) {
        for (int i = 0; i < a; i++) {
            if (i % 2) {
                while (c--) {
                    if (b > c || a < c) {
                        return 1;
                    }
                }
            }
        }
    } else if (a < 0) {
        switch (b) {
            case 1: return 2;
            case 2: return 3;
            case 3: return 4;
            default: return 5;
        }
    }
    return a ? b : c;
}
";

const SIMPLE_PY: &str = "def add(a, b):\n    return a + b\n";

fn code_json(dir: &Path, extra: &[&str]) -> serde_json::Value {
    let mut args = vec![
        "code",
        dir.to_str().expect("utf-8 temp path"),
        "--json",
        "-q",
    ];
    args.extend_from_slice(extra);
    let out = friction(&args, dir);
    assert!(
        out.status.success(),
        "friction code failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("valid JSON")
}

fn file<'a>(report: &'a serde_json::Value, path: &str) -> &'a serde_json::Value {
    report["files"]
        .as_array()
        .expect("files")
        .iter()
        .find(|f| f["path"] == path)
        .unwrap_or_else(|| panic!("{path} not in report"))
}

#[test]
fn measures_a_plain_directory_without_git_or_store() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("complex.c"), COMPLEX_C).expect("write");
    std::fs::write(dir.path().join("simple.py"), SIMPLE_PY).expect("write");
    std::fs::write(dir.path().join("README.md"), "# not code\n").expect("write");
    let r = code_json(dir.path(), &["--all"]);
    assert_eq!(r["schema"], "friction.code/1");
    assert_eq!(r["summary"]["files"], 2, "README.md is not source");
    assert_eq!(r["store"], serde_json::Value::Null);
    let c = file(&r, "complex.c");
    let f = &c["functions"][0];
    assert_eq!(f["name"], "classify");
    // 1 + if + && + for + if + while + if + || + else-if + 3 cases + ternary = 13
    assert_eq!(f["cyclomatic"], 13);
    assert_eq!(f["max_nesting"], 5);
    assert_eq!(f["parameters"], 3);
    assert!(c["health"].as_f64().unwrap() < 10.0);
    let smells: Vec<&str> = c["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["smell"].as_str().unwrap())
        .collect();
    assert!(smells.contains(&"complex-method"), "{smells:?}");
    assert!(smells.contains(&"deep-nesting"), "{smells:?}");
    // The points lost add up to the findings.
    let lost: f64 = c["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["points"].as_f64().unwrap())
        .sum();
    let n = c["findings"].as_array().unwrap().len() as f64;
    assert!((10.0 - c["health"].as_f64().unwrap() - lost).abs() <= 0.01 * n);
    let s = file(&r, "simple.py");
    assert_eq!(s["health"], 10.0);
    assert_eq!(s["band"], "healthy");
    // Least healthy first.
    assert_eq!(r["files"][0]["path"], "complex.c");
}

#[test]
fn table_and_csv_name_the_smells() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("complex.c"), COMPLEX_C).expect("write");
    let out = friction(&["code", ".", "-q"], dir.path());
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Least healthy files"), "{text}");
    assert!(text.contains("complex.c"), "{text}");
    assert!(text.contains("complex-method"), "{text}");
    assert!(text.contains("classify (complex.c:1)"), "{text}");

    let out = friction(&["code", ".", "--csv"], dir.path());
    let csv = String::from_utf8_lossy(&out.stdout);
    let mut lines = csv.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("path,language,method,health,band")
    );
    let row = lines.next().unwrap();
    assert!(row.starts_with("complex.c,c,tree-sitter,"), "{row}");
    assert!(row.contains("complex-method"), "{row}");

    let out = friction(&["code", ".", "--csv", "--functions"], dir.path());
    let csv = String::from_utf8_lossy(&out.stdout);
    assert!(csv.contains("complex.c,classify,1,21,"), "{csv}");
}

#[test]
fn scan_measures_head_and_rescan_parses_only_the_changed_file() {
    let mut f = Fixture::new();
    f.write("src/complex.c", COMPLEX_C);
    f.write("src/simple.py", SIMPLE_PY);
    f.write("src/other.py", "def other():\n    pass\n");
    f.write("vendor/lib.js", "function v(a) { return a && a.b; }\n");
    f.commit("first");
    let db = f.path().join("x.db");
    let first = scan_json(f.path(), &db, &[]);
    let code = &first["code"];
    assert_eq!(code["files"], 4);
    assert_eq!(code["parsed"], 4);
    assert_eq!(code["excluded"], 1, "vendor/ is excluded");
    assert_eq!(code["measured"], 3);
    assert!(code["average_health"].as_f64().unwrap() < 10.0);
    assert_eq!(code["least_healthy"][0][0], "src/complex.c");

    // Nothing changed: nothing parsed.
    let again = scan_json(f.path(), &db, &[]);
    assert_eq!(again["code"]["parsed"], 0);
    assert_eq!(again["code"]["reused"], 4);

    // One changed file: only it is parsed.
    f.write("src/simple.py", "def add(a, b):\n    return a - b\n");
    f.commit("second");
    let third = scan_json(f.path(), &db, &[]);
    assert_eq!(third["code"]["parsed"], 1);
    assert_eq!(third["code"]["reused"], 3);

    // `friction code` on the work tree reuses the store too.
    let r = code_json(f.path(), &["--db", db.to_str().unwrap()]);
    assert_eq!(r["summary"]["parsed"], 0);
    assert_eq!(r["summary"]["reused"], 4);

    // A file with the content of an earlier version is not parsed again either.
    f.write("src/simple.py", SIMPLE_PY);
    f.commit("revert");
    let fourth = scan_json(f.path(), &db, &[]);
    assert_eq!(fourth["code"]["parsed"], 0);
}

#[test]
fn bad_files_are_flagged_not_fatal() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path();
    std::fs::write(p.join("binary.c"), b"\x7fELF\0\0\0\x01\x02").expect("write");
    std::fs::write(
        p.join("broken.py"),
        "def f(:\n    return 1\ndef g(a):\n    if a:\n        return 2\n",
    )
    .expect("write");
    std::fs::write(
        p.join("latin1.c"),
        b"int f(void) { /* caf\xe9 */ return 1; }\n",
    )
    .expect("write");
    let mut deep = String::from("int f(void) { return ");
    // One parenthesis per line, so the file is not mistaken for minified output.
    deep.push_str(&"(\n".repeat(20_000));
    deep.push('1');
    deep.push_str(&")\n".repeat(20_000));
    deep.push_str("; }\n");
    std::fs::write(p.join("deep.c"), deep).expect("write");
    let huge = "x = 1\n".repeat(500_000);
    std::fs::write(p.join("huge.py"), huge).expect("write");
    std::fs::write(
        p.join("script.sh"),
        "#!/bin/sh\nif true; then\n  echo hi\nfi\n",
    )
    .expect("write");
    let r = code_json(p, &["--all"]);
    let flags = |path: &str| file(&r, path)["flags"].to_string();
    assert_eq!(file(&r, "binary.c")["method"], "skipped");
    assert!(flags("binary.c").contains("binary"));
    assert!(flags("broken.py").contains("syntax-errors"));
    assert_eq!(
        file(&r, "broken.py")["functions"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["name"] == "g")
            .count(),
        1
    );
    assert!(flags("latin1.c").contains("non-utf8"));
    assert_eq!(file(&r, "deep.c")["method"], "tree-sitter");
    assert!(flags("huge.py").contains("too-large"));
    assert_eq!(file(&r, "huge.py")["lines"]["total"], 500_000);
    assert_eq!(file(&r, "script.sh")["method"], "fallback");
    assert_eq!(r["summary"]["files"], 6);
}

#[test]
fn same_inputs_give_byte_identical_json() {
    let dir = tempfile::tempdir().expect("tempdir");
    for i in 0..20 {
        std::fs::write(
            dir.path().join(format!("f{i}.c")),
            COMPLEX_C.replace("classify", &format!("f{i}")),
        )
        .expect("write");
    }
    let a = friction(
        &["code", ".", "--json", "--all", "--threads", "1"],
        dir.path(),
    );
    let b = friction(
        &["code", ".", "--json", "--all", "--threads", "2"],
        dir.path(),
    );
    assert!(a.status.success() && b.status.success());
    assert_eq!(a.stdout, b.stdout);
}

#[test]
fn methodology_document_is_current() {
    let out = friction(&["code", "--methodology"], Path::new("."));
    assert!(out.status.success());
    let generated = String::from_utf8(out.stdout).expect("utf-8");
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/methodology/code-health.md");
    let stored = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        stored == generated,
        "docs/methodology/code-health.md is stale: run `cargo run -p friction-cli -- code --methodology > docs/methodology/code-health.md`"
    );
}

#[test]
fn missing_path_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = friction(&["code", "does-not-exist"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("does not exist"), "{err}");
    assert!(err.contains("help:"), "{err}");
}

#[test]
fn the_projects_own_tree_is_measured_without_problems() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let r = code_json(&root, &["--all"]);
    assert_eq!(
        r["problems"].as_array().unwrap().len(),
        0,
        "{}",
        r["problems"]
    );
    assert!(r["summary"]["tree_sitter"].as_u64().unwrap() >= 20);
    // Our own Rust is parsed without syntax errors.
    assert_eq!(r["summary"]["with_syntax_errors"], 0);
    let measure = file(&r, "crates/code/src/measure.rs");
    assert!(
        measure["functions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["qualified_name"] == "Measurer::measure")
    );
}

#[test]
fn a_single_file_is_explained_finding_by_finding() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("complex.c"), COMPLEX_C).expect("write");
    let out = friction(&["code", "complex.c", "-q"], dir.path());
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Why complex.c scores"), "{text}");
    assert!(text.contains("complex-method"), "{text}");
    assert!(text.contains("classify (line 1)"), "{text}");
}
