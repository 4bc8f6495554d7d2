//! `friction knowledge` on fixture repositories with known answers.

mod support;

use support::{Fixture, friction, scan_json};

/// `old@` writes `legacy.py` and leaves; two years later `ann@` creates
/// `app.py` and `bob@` creates `lib.py`, and both touch `lib.py`.
fn history() -> Fixture {
    let mut f = Fixture::new();
    f.write(
        "legacy.py",
        "def legacy():\n    return 1\n\n\ndef more():\n    return 2\n",
    );
    f.commit_as("legacy", "Old Timer", "old@example.com");
    f.advance_days(730);
    f.write("app.py", "def app():\n    return 1\n");
    f.commit_as("app", "Ann", "ann@example.com");
    f.write("lib.py", "def lib():\n    return 1\n");
    f.commit_as("lib", "Bob", "bob@example.com");
    f.write(
        "lib.py",
        "def lib():\n    return 2\n\n\ndef lib2():\n    return 3\n",
    );
    f.commit_as("lib again", "Bob", "bob@example.com");
    f
}

fn knowledge(f: &Fixture, db: &std::path::Path, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["knowledge", "--db", db.to_str().unwrap(), "--json", "--all"];
    args.extend_from_slice(extra);
    let out = friction(&args, f.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// (team, authors) of a knowledge report.
fn team_sizes(k: &serde_json::Value) -> Vec<(&str, u64)> {
    k["teams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["team"].as_str().unwrap(), t["authors"].as_u64().unwrap()))
        .collect()
}

#[test]
fn islands_former_contributors_and_truck_factor() {
    let f = history();
    let db = f.path().join("x.db");
    scan_json(f.path(), &db, &[]);
    let k = knowledge(&f, &db, &[]);
    assert_eq!(k["schema"], "friction.knowledge/1");
    assert_eq!(k["pseudonymous"], true);
    assert_eq!(k["authors"], 3);
    assert_eq!(
        k["active_authors"], 2,
        "old@ left two years before the last commit"
    );
    // legacy.py (4 code lines of 10) was written by a former contributor.
    assert_eq!(k["orphaned_files"], 1);
    assert_eq!(k["former_contributors_pct"], 40.0);
    // app.py and lib.py are each 100 % one active author's.
    assert_eq!(k["island_files"], 2);
    // Three files, one author each: removing any two leaves one of three covered.
    assert_eq!(k["truck_factor"], 2);
    // Pseudonyms, never e-mails.
    let text = k.to_string();
    assert!(!text.contains("example.com"), "{text}");
    assert!(text.contains("dev-"));
}

#[test]
fn offboarding_shows_what_leaves_with_an_author() {
    let f = history();
    let db = f.path().join("x.db");
    scan_json(f.path(), &db, &[]);
    let k = knowledge(&f, &db, &["--without", "bob@example.com"]);
    assert_eq!(k["orphaned_files"], 2, "lib.py joins legacy.py");
    // The same simulation by pseudonym.
    let bob = k["without"][0].as_str().unwrap().to_owned();
    assert!(bob.starts_with("dev-"));
    let again = knowledge(&f, &db, &["--without", &bob]);
    assert_eq!(again["orphaned_files"], 2);
    // Names only on explicit request.
    let named = knowledge(&f, &db, &["--names"]);
    assert!(named.to_string().contains("ann@example.com"));
    // Unknown authors are a clear error.
    let out = friction(
        &[
            "knowledge",
            "--db",
            db.to_str().unwrap(),
            "--without",
            "nobody@x",
        ],
        f.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("neither an author"));
}

#[test]
fn teams_coordination_and_codeowners() {
    let mut f = history();
    f.write(
        "friction.toml",
        "teams_csv = \"teams.csv\"\n[teams]\napps = [\"*@example.com\"]\n",
    );
    f.write("teams.csv", "author,team\nOld Timer,legacy\n");
    f.write(
        "CODEOWNERS",
        "*.py @org/apps\nlegacy.py\nlib.py not-an-owner\n",
    );
    f.commit_as("config", "Ann", "ann@example.com");
    // Bob changes app.py too: two people of one team.
    f.write("app.py", "def app():\n    return 2\n");
    f.commit_as("app by bob", "Bob", "bob@example.com");
    f.write("extra.py", "x = 1\n");
    f.commit_as("outsider", "Eve", "eve@elsewhere.org");
    let db = f.path().join("x.db");
    scan_json(f.path(), &db, &[]);
    let k = knowledge(&f, &db, &[]);
    let teams = team_sizes(&k);
    // The most specific rule wins: the CSV names Old Timer exactly, which
    // beats the `*@example.com` glob; the overlap is reported.
    assert!(teams.contains(&("apps", 2)), "{teams:?}");
    assert!(teams.contains(&("legacy", 1)), "{teams:?}");
    assert_eq!(k["team_overlaps"].as_array().unwrap().len(), 1);
    assert_eq!(
        k["team_overlaps"][0]["teams"],
        serde_json::json!(["apps", "legacy"])
    );
    assert_eq!(k["team_overlaps"][0]["chosen"], "legacy");
    assert!(teams.contains(&("(unmapped)", 1)), "{teams:?}");
    assert_eq!(k["unmapped_authors"], 1);
    assert_eq!(k["coordination"]["multi_team_files"], 0);
    let co = &k["codeowners"];
    assert_eq!(co["file"], "CODEOWNERS");
    // legacy.py has no owner (empty rule); lib.py's rule is invalid and ignored,
    // so the `*.py` rule still owns it.
    assert_eq!(co["files_without_owner"], 1);
    assert_eq!(co["invalid_lines"][0][0], 3);
    // Teams are names; authors stay pseudonymous.
    assert!(!k.to_string().contains("example.com"));
    // Off-boarding a whole team: every file loses its active authors but extra.py (Eve's).
    let gone = knowledge(&f, &db, &["--without", "apps"]);
    assert_eq!(gone["without"].as_array().unwrap().len(), 2);
    assert_eq!(gone["active_authors"], 1);
}

/// Issue 15.6: `community = ["*"]` used to swallow `core = ["someone@…"]`
/// (the first rule in name order won). The exact e-mail is more specific.
#[test]
fn a_catch_all_team_does_not_swallow_a_specific_rule() {
    let mut f = history();
    f.write(
        "friction.toml",
        "[teams]\ncommunity = [\"*\"]\ncore = [\"bob@example.com\"]\n",
    );
    f.commit_as("teams", "Bob", "bob@example.com");
    let db = f.path().join("x.db");
    scan_json(f.path(), &db, &[]);
    let k = knowledge(&f, &db, &[]);
    let teams = team_sizes(&k);
    assert!(teams.contains(&("core", 1)), "{teams:?}");
    assert!(teams.contains(&("community", 2)), "{teams:?}");
    let overlaps = k["team_overlaps"].as_array().unwrap();
    assert_eq!(overlaps.len(), 1, "{overlaps:?}");
    assert_eq!(overlaps[0]["chosen"], "core");
    assert!(overlaps[0]["author"].as_str().unwrap().starts_with("dev-"));
    // The text report says so too.
    let out = friction(&["knowledge", "--db", db.to_str().unwrap()], f.path());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("match rules of several teams"), "{text}");
    // And the assessment.
    let out = friction(
        &["assess", "--db", db.to_str().unwrap(), "--json"],
        f.path(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let a: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(a["team_overlaps"][0]["chosen"], "core");
}

/// Issue 15.2: flask's `templating.py` — created by a former author with 22
/// commits, kept by an active maintainer (14 commits in the window) — was
/// "orphaned — no active author" because the maintainer's degree of
/// authorship was under 75 % of the former author's.
#[test]
fn a_file_an_active_maintainer_keeps_is_not_orphaned() {
    let mut f = Fixture::new();
    for i in 0..23 {
        f.write("templating.py", format!("def render():\n    return {i}\n"));
        f.commit_as("old work", "Old Timer", "old@example.com");
    }
    f.advance_days(730);
    for i in 0..14 {
        f.write(
            "templating.py",
            format!("def render():\n    return {}\n", 100 + i),
        );
        f.commit_as("maintenance", "Maintainer", "keeper@example.com");
    }
    let db = f.path().join("x.db");
    scan_json(f.path(), &db, &[]);
    let k = knowledge(&f, &db, &["--names"]);
    assert_eq!(k["active_authors"], 1);
    let file = &k["files"][0];
    assert_eq!(file["path"], "templating.py");
    assert_eq!(file["orphaned"], false, "{file}");
    assert_eq!(k["orphaned_files"], 0);
    // When the maintainer leaves, it is orphaned.
    let gone = knowledge(&f, &db, &["--without", "keeper@example.com"]);
    assert_eq!(gone["orphaned_files"], 1);
    // The text says what "orphaned" means, so a file whose lines active
    // authors partly wrote is not read as contradicting it.
    let text =
        support::friction_stdout(&["knowledge", ".", "--db", db.to_str().unwrap()], f.path());
    assert!(
        text.contains(
            "has no active author who knows it (degree of authorship ≥ 3.293 or creator)"
        ),
        "{text}"
    );
}

/// Issue 18: CODEOWNERS health — owners mapped to commit identities (active,
/// stale, never committed; teams not measurable offline), rules that match
/// no file; individuals pseudonymous unless `--names`.
#[test]
fn codeowners_health_names_stale_absent_and_team_owners_and_dead_rules() {
    let mut f = history();
    f.write(
        ".github/CODEOWNERS",
        "*.py @ann\nlegacy.py old@example.com\n/docs/ @ghost\nlib.py @org/libs\n",
    );
    f.commit_as("owners", "Ann", "ann@example.com");
    let db = f.path().join("x.db");
    scan_json(f.path(), &db, &[]);
    let k = knowledge(&f, &db, &[]);
    let co = &k["codeowners"];
    assert_eq!(co["file"], ".github/CODEOWNERS");
    // Old Timer last committed two years before the others (default window 12 months).
    assert_eq!(co["stale_owners"], 1, "{co}");
    assert_eq!(co["never_committed_owners"], 1, "{co}");
    assert_eq!(co["team_owners"], 1, "{co}");
    assert_eq!(co["owners"].as_array().unwrap().len(), 4);
    assert_eq!(
        co["rules_matching_nothing"],
        serde_json::json!([[3, "/docs/"]])
    );
    assert!(co["hotspots_without_owner"].is_array());
    let text = k.to_string();
    assert!(
        !text.contains("ann") && !text.contains("old@example.com"),
        "{co}"
    );
    assert!(text.contains("@org/libs"));

    let named = knowledge(&f, &db, &["--names"]);
    let statuses: std::collections::BTreeMap<String, String> = named["codeowners"]["owners"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["owner"].as_str().unwrap().to_owned(),
                o["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(statuses["@ann"], "active");
    assert_eq!(statuses["old@example.com"], "stale");
    assert_eq!(statuses["@ghost"], "never-committed");
    assert_eq!(statuses["@org/libs"], "team");

    let human = friction(&["knowledge", "--db", db.to_str().unwrap()], f.path());
    let human = String::from_utf8_lossy(&human.stdout);
    assert!(
        human.contains("1 stale") && human.contains("1 rules match no file (line 3: /docs/)"),
        "{human}"
    );
}
