//! Risk concentration per component in `friction hotspots`: reliability
//! (defect fixes), security (findings), knowledge (islands, orphans) and
//! ownership (CODEOWNERS health), computed here by hand from a two-component
//! history.

mod support;

use support::{Fixture, friction_json, friction_stdout, scan_json};

const ALICE: (&str, &str) = ("Alice", "alice@example.com");
const BOB: (&str, &str) = ("Bob", "bob@example.com");

/// `api/` and `web/`: `api/a.rs` (6 lines) only Alice wrote, a knowledge
/// island; `api/c.rs` (2 lines) and `web/b.ts` (2 lines) Alice and Bob share.
/// Two defect fixes: one in `api`, one in `api` and `web`.
fn history() -> Fixture {
    let mut f = Fixture::new();
    let a = |n: usize| {
        (1..=n)
            .map(|i| format!("fn a{i}() {{}}\n"))
            .collect::<String>()
    };
    f.write("api/a.rs", a(6));
    f.write("api/c.rs", "fn c1() {}\n");
    f.write("web/b.ts", "export const v1 = 1;\n");
    f.commit_as("Add the api and the web view", ALICE.0, ALICE.1);
    f.write("api/c.rs", "fn c1() {}\nfn c2() {}\n");
    f.write("web/b.ts", "export const v1 = 1;\nexport const v2 = 2;\n");
    f.commit_as("Extend the api and the view", BOB.0, BOB.1);
    f.write("api/a.rs", a(6).replace("a6()", "a6b()"));
    f.commit_as("Fix crash when parsing an empty request", ALICE.0, ALICE.1);
    f.write("api/a.rs", a(6).replace("a6()", "a6c()"));
    f.write("web/b.ts", "export const v1 = 1;\nexport const v2 = 3;\n");
    f.commit_as(
        "Fix wrong total shown after a failed request",
        ALICE.0,
        ALICE.1,
    );
    f
}

/// Scans `f` into `x.db` beside it; the store's path and `friction hotspots
/// --json`'s `risk` list.
fn scanned_risk(f: &Fixture) -> (String, Vec<serde_json::Value>) {
    let db = f.path().join("x.db");
    scan_json(f.path(), &db, &[]);
    let db = db.to_str().unwrap().to_owned();
    let r = friction_json(&["hotspots", ".", "--db", &db, "--json"], f.path());
    (db, r["risk"].as_array().unwrap().clone())
}

/// The risk concentration of component `name`.
fn component<'a>(risk: &'a [serde_json::Value], name: &str) -> &'a serde_json::Value {
    risk.iter()
        .find(|c| c["component"] == name)
        .unwrap_or_else(|| panic!("{name} in {risk:?}"))
}

#[test]
fn risk_concentration_per_component_with_security_not_measured() {
    let f = history();
    let (db, risk) = scanned_risk(&f);
    let db = db.as_str();
    let (api, web) = (component(&risk, "api"), component(&risk, "web"));
    // Reliability: of the 2 defect fixes, both touched api, one touched web.
    assert_eq!(
        (api["fix_commits"].as_u64(), web["fix_commits"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(api["reliability"].as_f64(), Some(1.0));
    assert_eq!(web["reliability"].as_f64(), Some(0.5));
    // Knowledge: api/a.rs (6 of api's 8 lines) is Alice's alone; web is shared.
    assert_eq!(api["code_lines"].as_u64(), Some(8));
    assert_eq!(api["fragile_code_lines"].as_u64(), Some(6));
    assert_eq!(api["knowledge"].as_f64(), Some(0.75));
    assert_eq!(web["knowledge"].as_f64(), Some(0.0));
    // No security report ingested: not measured, left out of the mean.
    for c in [api, web] {
        assert!(c["security"].is_null(), "{c}");
        assert_eq!(
            c["not_measured"],
            serde_json::json!(["security", "ownership"])
        );
    }
    assert_eq!(api["combined"].as_f64(), Some(0.88)); // (1.0 + 0.75) / 2, rounded
    assert_eq!(web["combined"].as_f64(), Some(0.25)); // (0.5 + 0.0) / 2
    // Highest combined first.
    assert_eq!(risk[0]["component"], "api");

    let text = friction_stdout(&["hotspots", ".", "--db", db], f.path());
    assert!(text.contains("risk concentration per component"), "{text}");
    let api_row = text
        .lines()
        .find(|l| l.trim_start().starts_with("api ") && l.contains("not measured"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        api_row.contains("1.00") && api_row.contains("0.75") && api_row.contains("0.88"),
        "{api_row}"
    );

    // Deterministic: the same store gives byte-identical JSON.
    let again = friction_stdout(&["hotspots", ".", "--db", db, "--json"], f.path());
    assert_eq!(
        again,
        friction_stdout(&["hotspots", ".", "--db", db, "--json"], f.path())
    );
}

#[test]
fn codeowners_health_is_the_ownership_part() {
    let mut f = history();
    // api/ is owned by Alice (active), web/ by an owner who never committed;
    // api/c.rs is un-owned by a rule without owners.
    f.write(
        ".github/CODEOWNERS",
        "/api/ @alice\n/api/c.rs\n/web/ @carol\n",
    );
    f.commit_as("Add code owners", BOB.0, BOB.1);
    let (db, risk) = scanned_risk(&f);
    let db = db.as_str();
    let (api, web) = (component(&risk, "api"), component(&risk, "web"));
    // api: c.rs (2 of 8 lines) has no owner; a.rs is Alice's, who is active.
    assert_eq!(api["unowned_code_lines"].as_u64(), Some(2));
    assert_eq!(api["ownership"].as_f64(), Some(0.25));
    // web: its one owner never committed, so none of its code has an active owner.
    assert_eq!(web["ownership"].as_f64(), Some(1.0));
    assert_eq!(web["not_measured"], serde_json::json!(["security"]));
    // (0.5 + 0.0 + 1.0) / 3
    assert_eq!(web["combined"].as_f64(), Some(0.5));
    let text = friction_stdout(&["hotspots", ".", "--db", db], f.path());
    assert!(text.contains("ownership"), "{text}");
}
