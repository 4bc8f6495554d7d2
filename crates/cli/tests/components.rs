//! Components from `friction.toml`: roll-ups, structural coupling, overlaps
//! and bad globs.

mod support;

use support::{Fixture, friction, scan_json};

fn history(config: &str) -> Fixture {
    let mut f = Fixture::new();
    f.write("friction.toml", config);
    for i in 0..6 {
        f.write("src/api/handler.rs", format!("fn h() -> i32 {{ {i} }}\n"));
        f.write("web/view.ts", format!("export const v = {i};\n"));
        f.write("src/core.rs", format!("fn c() -> i32 {{ {i} }}\n"));
        f.commit(&format!("change {i}"));
    }
    f
}

#[test]
fn structural_coupling_crosses_configured_components() {
    let f = history(
        "[components]\nbackend = [\"src/\"]\napi = [\"src/api/**\"]\nfrontend = [\"web/**\"]\n",
    );
    let db = f.path().join("x.db");
    scan_json(f.path(), &db, &[]);
    let out = friction(
        &["coupling", ".", "--db", db.to_str().unwrap(), "--json"],
        f.path(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // Three files always together: three pairs, all crossing a boundary
    // (api ↔ backend, api ↔ frontend, backend ↔ frontend).
    assert_eq!(r["pairs"].as_array().unwrap().len(), 3);
    assert_eq!(r["structural_pairs"], 3);
    let cc = r["component_coupling"].as_array().unwrap();
    assert_eq!(cc.len(), 3);
    // src/api/handler.rs is claimed by `backend` (src/) and `api` (src/api/**): the
    // more specific glob wins, and the overlap is reported.
    let overlaps = r["component_overlaps"].as_array().unwrap();
    assert_eq!(overlaps.len(), 1);
    assert_eq!(overlaps[0]["path"], "src/api/handler.rs");
    assert_eq!(overlaps[0]["chosen"], "api");

    let out = friction(
        &[
            "hotspots",
            ".",
            "--db",
            db.to_str().unwrap(),
            "--json",
            "--all",
        ],
        f.path(),
    );
    let h: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<&str> = h["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["component"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"api") && names.contains(&"backend") && names.contains(&"frontend"),
        "{names:?}"
    );
}

#[test]
fn top_level_directories_are_the_default_components() {
    let f = history("");
    let db = f.path().join("x.db");
    scan_json(f.path(), &db, &[]);
    let out = friction(
        &["coupling", ".", "--db", db.to_str().unwrap(), "--json"],
        f.path(),
    );
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // src ↔ web pairs cross; src/api/handler.rs ↔ src/core.rs does not.
    assert_eq!(r["structural_pairs"], 2);
}

#[test]
fn a_bad_component_glob_is_a_clear_error() {
    let mut f = Fixture::new();
    f.write("friction.toml", "[components]\napi = [\"src/[\"]\n");
    f.write("a.rs", "fn a() {}\n");
    f.commit("c");
    let out = friction(&["scan", ".", "--db", "x.db"], f.path());
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("component `api`") && err.contains("help:"),
        "{err}"
    );
}
