//! Execution verification end to end on the coherent Jira project of the
//! shared cases (`jira-merico-EE`, DevLake's raw tables of Merico's Jira
//! project EE): the real issues with their changelogs are ingested through
//! the binary, and a synthetic git history carries the real messages of the
//! commits the issues' remote links name.
//!
//! The commits themselves live in a private GitLab project, and a git commit
//! id cannot be forged, so the history here has the real *messages* (one
//! commit per linked commit id, in the export's order) but its own ids:
//! linking is by the keys in the messages, as for any repository, never by
//! the export's ids. The expected figures are computed here from the two
//! tables directly (status category, resolution and type of each issue; the
//! `EE-n` keys in the messages), not by the code under test.

mod support;

use std::collections::{BTreeMap, BTreeSet};

use support::{Fixture, devlake_items, friction, friction_json, ingest_fixture};

fn remote_links() -> String {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/cases/jira-merico-EE/_raw_jira_api_remotelinks.csv")
        .display()
        .to_string()
}

/// The messages of the commits the remote links name (`Commit - <message>`),
/// one per commit id, in the export's order.
fn commit_messages() -> Vec<String> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for link in devlake_items(&remote_links()) {
        let object = &link["object"];
        let (Some(url), Some(title)) = (object["url"].as_str(), object["title"].as_str()) else {
            continue;
        };
        let Some(message) = title.strip_prefix("Commit - ") else {
            continue;
        };
        let id = url.rsplit('/').next().unwrap_or_default().to_owned();
        if url.contains("/commit") && seen.insert(id) {
            out.push(message.to_owned());
        }
    }
    out
}

/// `EE-n` keys in a text: `EE-` after a non-word character, then digits
/// not followed by a word character.
fn ee_keys(text: &str) -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    for (at, _) in text.match_indices("EE-") {
        let before = text[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let digits: String = text[at + 3..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        let after = text[at + 3 + digits.len()..].chars().next();
        if !digits.is_empty() && !after.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            keys.insert(format!("EE-{digits}"));
        }
    }
    keys
}

/// Jira's `2020-06-12T08:13:13.360+0800` as seconds; `None` for null.
fn jira_time(v: &serde_json::Value) -> Option<i64> {
    let text = v.as_str()?;
    let (main, zone) = text.split_at(text.len() - 5);
    let fixed = format!("{main}{}:{}", &zone[..3], &zone[3..]);
    Some(fixed.parse::<jiff::Timestamp>().unwrap().as_second())
}

const PEOPLE: [&str; 6] = ["ada", "bob", "cyd", "dee", "eve", "fay"];

#[test]
fn the_jira_case_is_verified_against_a_history_with_its_real_commit_messages() {
    let issues_path = ingest_fixture("cases/jira/_raw_jira_api_issues.csv");
    let messages = commit_messages();
    assert_eq!(messages.len(), 97, "distinct linked commits in the export");
    // One is a revert (of EE-133, an issue outside the set): no evidence.
    assert_eq!(
        messages.iter().filter(|m| m.starts_with("Revert")).count(),
        1
    );

    // Dated after the issues' last resolution (2020-07-22), an hour apart,
    // so that the issues fall in the history's 12-month window.
    let mut f = Fixture::new();
    f.start_at(1_595_667_600); // 2020-07-25T09:00:00Z
    f.write("README.md", "x\n");
    f.commit("initial");
    for (n, message) in messages.iter().enumerate() {
        f.write(format!("src/change{n}.txt"), format!("{n}\n"));
        let who = PEOPLE[n % PEOPLE.len()];
        f.commit_as(message, who, &format!("{who}@example.com"));
    }
    let last = f.now();
    let from = last - 365 * 86_400;
    let out = friction(&["scan", ".", "--quiet", "--no-report"], f.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = friction(&["ingest", "--quiet", &issues_path], f.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let a = friction_json(&["assess", "--json"], f.path());
    let e = &a["execution"];
    let org = &e["organisation"];

    // Independently: each issue once (by key), its status category,
    // resolution and type as the Jira API gave them.
    // Only issues the window can judge: created by the history's end,
    // resolved (if at all) within its 12 months.
    let mut issues: BTreeMap<String, (String, String, String)> = BTreeMap::new();
    for issue in devlake_items(&issues_path) {
        let fields = &issue["fields"];
        let created = jira_time(&fields["created"]).unwrap();
        let resolved = jira_time(&fields["resolutiondate"]);
        if created > last || resolved.is_some_and(|r| r < from || r > last) {
            continue;
        }
        let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_lowercase();
        issues.insert(
            issue["key"].as_str().unwrap().to_owned(),
            (
                text(&fields["status"]["statusCategory"]["key"]),
                text(&fields["resolution"]["name"]),
                text(&fields["issuetype"]["name"]),
            ),
        );
    }
    let linked: BTreeSet<String> = messages
        .iter()
        .filter(|m| !m.starts_with("Revert"))
        .flat_map(|m| ee_keys(m))
        .collect();
    let done: BTreeSet<&String> = issues
        .iter()
        .filter(|(_, (category, resolution, kind))| {
            category == "done" && resolution != "won't do" && kind != "epic"
        })
        .map(|(key, _)| key)
        .collect();
    let verified: BTreeSet<&&String> = done.iter().filter(|k| linked.contains(**k)).collect();
    let not_delivered = issues
        .values()
        .filter(|(category, resolution, _)| category == "done" && resolution == "won't do")
        .count();
    // The case as DevLake's authors left it: 30 EE issues of 2020 (the
    // three K5 ones are of 2022), 4 done as won't do, EE-1..4 named by
    // commits; EE-1 was edited to category `new`.
    assert_eq!(issues.len(), 30);
    assert!(!done.contains(&"EE-1".to_owned()) && verified.len() >= 3);

    assert_eq!(e["items"], issues.len());
    assert_eq!(e["not_delivered"], not_delivered);
    assert_eq!(org["reported_done"], done.len());
    assert_eq!(org["verified"], verified.len());
    assert_eq!(org["ghosts"], done.len() - verified.len());
    assert_eq!(e["commits"], messages.len() + 1);
    let linked_commits = messages
        .iter()
        .filter(|m| ee_keys(m).iter().any(|k| issues.contains_key(k)))
        .count();
    assert_eq!(e["linked_commits"], linked_commits);

    // The Team execution driver reads the same figures.
    let rate = 100.0 * verified.len() as f64 / done.len() as f64;
    let v = support::signal(&a, "verified-completion");
    assert!((v["value"].as_f64().unwrap() - rate).abs() < 0.005, "{v}");
    let ghosts = support::signal(&a, "ghost-completions");
    let ghost_rate = 100.0 * (done.len() - verified.len()) as f64 / done.len() as f64;
    assert!((ghosts["value"].as_f64().unwrap() - ghost_rate).abs() < 0.005);
    // Its evidence names ghosts by key: done, and no commit names them.
    for ev in ghosts["evidence"].as_array().unwrap() {
        let key = ev["id"].as_str().unwrap();
        assert!(
            done.contains(&key.to_owned()) && !linked.contains(key),
            "{key}"
        );
    }

    // An overlapping export (the same records, other bytes: a second file)
    // changes nothing: items and their changelogs are read once each.
    let mut copy = std::fs::read(&issues_path).unwrap();
    copy.extend_from_slice(b"\n");
    f.write("exports/again.csv", copy);
    let out = friction(&["ingest", "--quiet", "exports/again.csv"], f.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let again = friction_json(&["assess", "--json"], f.path());
    assert_eq!(again["execution"], *e);

    // No person: neither the synthetic authors nor the Jira accounts.
    let text = serde_json::to_string(e).unwrap();
    for who in PEOPLE {
        assert!(!text.contains(&format!("{who}@example.com")), "{who}");
    }
    assert!(!text.contains("accountId"));
}
