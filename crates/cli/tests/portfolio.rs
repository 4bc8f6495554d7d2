//! `friction scan --portfolio`: several repositories, rolled up per product,
//! domain and organisation; a broken entry is reported and the rest complete.

mod support;

use support::{Fixture, friction};

fn repo(lines: usize, author: &str) -> Fixture {
    let mut f = Fixture::new();
    for week in 0..6usize {
        let body: String = (0..lines)
            .map(|i| format!("def f{i}():\n    return {week}\n\n"))
            .collect();
        f.write("src/main.py", body);
        f.commit_as(
            &format!("week {week}"),
            author,
            &format!("{author}@example.com"),
        );
        f.advance_days(7);
    }
    f
}

#[test]
fn a_portfolio_with_a_broken_entry_still_completes() {
    let api = repo(30, "ada");
    let web = repo(5, "grace");
    let root = tempfile::tempdir().unwrap();
    let config = format!(
        r#"[portfolio]
organisation = "Acme"
parallel = 2

[[portfolio.repositories]]
name = "api"
path = "{}"
product = "Checkout"
domain = "Commerce"

[[portfolio.repositories]]
name = "web"
path = "{}"
product = "Checkout"
domain = "Commerce"

[[portfolio.repositories]]
name = "ghost"
path = "does/not/exist"
product = "Search"
domain = "Discovery"
"#,
        api.path().display(),
        web.path().display()
    );
    std::fs::write(root.path().join("friction.toml"), config).unwrap();
    let out = friction(
        &["scan", "--portfolio", ".", "--json", "--quiet"],
        root.path(),
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "partial success exits 1: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let repos = v["repositories"].as_array().unwrap();
    assert_eq!(repos.len(), 3);
    assert_eq!(repos[0]["status"], "assessed");
    assert_eq!(repos[1]["status"], "assessed");
    assert_eq!(repos[2]["status"], "failed");
    assert!(
        repos[2]["error"]
            .as_str()
            .unwrap()
            .contains("does not exist")
    );

    // The roll-up is the code-line-weighted mean of the assessed repositories.
    let (a, b) = (&repos[0], &repos[1]);
    let (wa, wb) = (
        a["code_lines"].as_f64().unwrap(),
        b["code_lines"].as_f64().unwrap(),
    );
    assert!(wa > wb && wb > 0.0);
    let (ia, ib) = (a["index"].as_f64().unwrap(), b["index"].as_f64().unwrap());
    let expected = ((wa * ia + wb * ib) / (wa + wb) * 100.0).round() / 100.0;
    let checkout = v["products"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "Checkout")
        .unwrap();
    assert_eq!(checkout["index"].as_f64().unwrap(), expected);
    assert_eq!(checkout["assessed"], 2);
    let search = v["products"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "Search")
        .unwrap();
    assert!(search["index"].is_null());
    assert_eq!(search["coverage"], 0.0);
    assert_eq!(search["failed"], 1);
    let org = &v["organisation"];
    assert_eq!(org["name"], "Acme");
    assert_eq!(org["index"].as_f64().unwrap(), expected);
    assert_eq!(org["failed"], 1);
    assert!(org["coverage"].as_f64().unwrap() < checkout["coverage"].as_f64().unwrap());

    // Every repository's snapshot is in the portfolio store, with its own trend.
    let db = root.path().join(".friction/portfolio.db");
    let t = friction(
        &[
            "trend",
            "--db",
            db.to_str().unwrap(),
            "--repository",
            "api",
            "--json",
        ],
        root.path(),
    );
    assert!(t.status.success(), "{}", String::from_utf8_lossy(&t.stderr));
    let t: serde_json::Value = serde_json::from_slice(&t.stdout).unwrap();
    assert_eq!(t["points"][0]["index"], a["index"]);

    let org = friction(
        &[
            "trend",
            "--db",
            db.to_str().unwrap(),
            "--repository",
            "@portfolio",
            "--json",
        ],
        root.path(),
    );
    assert!(
        org.status.success(),
        "{}",
        String::from_utf8_lossy(&org.stderr)
    );
    let org: serde_json::Value = serde_json::from_slice(&org.stdout).unwrap();
    assert_eq!(org["points"][0]["index"].as_f64().unwrap(), expected);

    // A second run over unchanged repositories adds no snapshot and gives the same report.
    let again = friction(
        &["scan", "--portfolio", ".", "--json", "--quiet"],
        root.path(),
    );
    let w: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(w["snapshot"], v["snapshot"]);
    assert_eq!(w["organisation"], v["organisation"]);

    // Text output names the failure.
    let text = friction(&["scan", "--portfolio", ".", "--quiet"], root.path());
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("Portfolio Acme"), "{text}");
    assert!(text.contains("FAILED: "), "{text}");
}

#[test]
fn repositories_without_code_measured_weigh_equally() {
    let a = repo(30, "ada");
    let b = repo(5, "grace");
    let root = tempfile::tempdir().unwrap();
    std::fs::write(
        root.path().join("friction.toml"),
        format!(
            "[[portfolio.repositories]]\nname = \"a\"\npath = \"{}\"\n[[portfolio.repositories]]\nname = \"b\"\npath = \"{}\"\n",
            a.path().display(),
            b.path().display()
        ),
    )
    .unwrap();
    let out = friction(
        &["scan", "--portfolio", ".", "--json", "--quiet", "--no-code"],
        root.path(),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let repos = v["repositories"].as_array().unwrap();
    assert!(repos.iter().all(|r| r["code_lines"] == 0));
    let (ia, ib) = (
        repos[0]["index"].as_f64().unwrap(),
        repos[1]["index"].as_f64().unwrap(),
    );
    let mean = ((ia + ib) / 2.0 * 100.0).round() / 100.0;
    assert_eq!(v["organisation"]["index"].as_f64().unwrap(), mean);
}

#[test]
fn a_portfolio_needs_its_section_and_unique_names() {
    let root = tempfile::tempdir().unwrap();
    let out = friction(&["scan", "--portfolio", "."], root.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("friction.toml"));
    std::fs::write(root.path().join("friction.toml"), "[portfolio]\n").unwrap();
    let out = friction(&["scan", "--portfolio", "."], root.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("lists no"));
    std::fs::write(
        root.path().join("friction.toml"),
        "[[portfolio.repositories]]\nname = \"a\"\npath = \"x\"\n[[portfolio.repositories]]\nname = \"a\"\npath = \"y\"\n",
    )
    .unwrap();
    let out = friction(&["scan", "--portfolio", "."], root.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("listed twice"));
    // An entry whose facts would go into the portfolio store itself is refused
    // (its scan would wait for the portfolio's lock forever).
    std::fs::write(
        root.path().join("friction.toml"),
        "[[portfolio.repositories]]\nname = \"a\"\npath = \"x\"\ndb = \".friction/portfolio.db\"\n",
    )
    .unwrap();
    let out = friction(&["scan", "--portfolio", "."], root.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("portfolio store"));
}
