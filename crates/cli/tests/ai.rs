//! AI-assisted change (issue 22): commits recognised from their own marks,
//! and the rework, fix-follow and unhealthy-code comparisons against
//! hand-computed values on a fixture repository.

mod support;

use support::{Fixture, friction, signal};

/// Unhealthy Python: deeply nested, branchy functions (health well below 9).
fn tangled(n: usize) -> String {
    (0..n)
        .map(|i| {
            format!(
                "def f{i}(a, b, c, d, e, f, g, h):\n    if a:\n        if b and c or d and e:\n            for x in range(a):\n                if x % 2 and e:\n                    while b:\n                        b -= 1\n                        if c > 3 or f and d:\n                            return {i}\n                        elif c < 0:\n                            continue\n    return 0\n\n"
            )
        })
        .collect()
}

fn lines(prefix: &str, n: usize) -> String {
    (0..n).map(|i| format!("{prefix}{i} = {i}\n")).collect()
}

const CLAUDE: &str = "\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)\n\nCo-Authored-By: Claude <noreply@anthropic.com>";

/// Day by day (the window holds all of it):
///
/// | day | commit | mark | a.py | b.py |
/// |---|---|---|---|---|
/// | 0 | H1 `initial` | – | +10 (h) | |
/// | 30 | A1 | Claude co-author | +10 (ai) | |
/// | 31 | H2 `fix overflow` | – | −5 of A1's lines | |
/// | 60 | H3 | `Co-authored-by: Claude Monet <claude@example.com>` (a person) | +10 (h3) | |
/// | 61 | A2 | author is Copilot's coding agent | −4 of H3's lines | |
/// | 62 | A3 | `Made-with: Cursor` | | +tangled |
/// | 63 | A4 | `aider: ` prefix | | +tangled |
/// | 64 | A5 | `[ai] patterns` (`^AI-Assisted: yes$`) | | +tangled |
/// | 200 | H4 | – | | | c.py
///
/// Rework (21 days), over files both groups added lines to (a.py only):
/// H2 deletes 5 lines where only A1's 10 are recent → 5 AI lines reworked;
/// A2 deletes 4 where only H3's 10 are recent → 4 other lines reworked.
/// AI: 5 / 10 added = 50 %; other: 4 / 20 added (H1, H3) = 20 % → +30 points.
///
/// Fix-follow (14 days), a.py: A1 (day 30) is followed by the fix H2 (day
/// 31); H1, H2, H3 and A2 are not. AI 1 / 2 = 50 %, other 0 / 3 = 0 % →
/// +50 points.
///
/// Unhealthy exposure: AI revisions A1, A2 (a.py, healthy) and A3–A5 (b.py,
/// unhealthy): 3 / 5 = 60 %; other revisions H1, H2, H3 (a.py) and H4 (c.py),
/// none unhealthy: 0 % → +60 points.
fn history() -> Fixture {
    let mut f = Fixture::new();
    f.write("friction.toml", "[ai]\npatterns = ['^AI-Assisted: yes$']\n");
    f.write("a.py", lines("h", 10));
    f.commit("initial");
    f.advance_days(30);
    f.write("a.py", lines("h", 10) + &lines("ai", 10));
    f.commit(&format!("Add ai lines{CLAUDE}"));
    f.advance_days(1);
    f.write("a.py", lines("h", 10) + &lines("ai", 5));
    f.commit("fix overflow");
    f.advance_days(29);
    f.write("a.py", lines("h", 10) + &lines("ai", 5) + &lines("k", 10));
    f.commit("Pair work\n\nCo-authored-by: Claude Monet <claude@example.com>");
    f.advance_days(1);
    f.write("a.py", lines("h", 10) + &lines("ai", 5) + &lines("k", 6));
    f.commit_as(
        "Trim constants",
        "Copilot",
        "198982749+Copilot@users.noreply.github.com",
    );
    f.advance_days(1);
    f.write("b.py", tangled(4));
    f.commit("Add the parser\n\nMade-with: Cursor");
    f.advance_days(1);
    f.write("b.py", tangled(6));
    f.commit("aider: extend the parser");
    f.advance_days(1);
    f.write("b.py", tangled(8));
    f.commit("Extend the parser again\n\nAI-Assisted: yes");
    f.advance_days(136);
    f.write("c.py", lines("c", 3));
    f.commit("Add c");
    f
}

fn assess(f: &Fixture) -> serde_json::Value {
    let db = f.path().join("x.db");
    let db = db.to_str().unwrap();
    let o = friction(&["scan", "-q", ".", "--db", db, "--no-report"], f.path());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = friction(&["assess", ".", "--db", db, "--json"], f.path());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

/// The lines changed per commit, from `git log --numstat`, with whether the
/// commit is one of the fixture's AI-assisted ones (by subject).
fn numstat(f: &Fixture) -> Vec<(String, u64)> {
    let log = f.git(&["log", "--numstat", "--format=@%s"]);
    let mut out: Vec<(String, u64)> = Vec::new();
    for line in log.lines() {
        if let Some(subject) = line.strip_prefix('@') {
            out.push((subject.to_owned(), 0));
        } else if let Some((a, rest)) = line.split_once('\t') {
            let d = rest.split('\t').next().unwrap();
            let last = out.last_mut().unwrap();
            last.1 += a.parse::<u64>().unwrap() + d.parse::<u64>().unwrap();
        }
    }
    out
}

#[test]
fn ai_assisted_change_is_recognised_and_compared_within_the_same_files() {
    let f = history();
    let a = assess(&f);

    let share = signal(&a, "ai-assisted-change");
    let ai_subjects = [
        "Add ai lines",
        "Trim constants",
        "Add the parser",
        "aider: extend the parser",
        "Extend the parser again",
    ];
    let stat = numstat(&f);
    let total: u64 = stat.iter().map(|(_, n)| n).sum();
    let ai: u64 = stat
        .iter()
        .filter(|(s, _)| ai_subjects.contains(&s.as_str()))
        .map(|(_, n)| n)
        .sum();
    let want = 100.0 * ai as f64 / total as f64;
    assert!(
        (share["value"].as_f64().unwrap() - want).abs() < 0.01,
        "share {} vs {want} (git numstat): {share}",
        share["value"]
    );
    let commits = share["figures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["name"] == "AI-assisted commits")
        .unwrap();
    assert_eq!(commits["value"], 5.0, "{share}");
    // Evidence names commits, never people.
    let shown = serde_json::to_string(share).unwrap();
    assert!(!shown.contains("Copilot <") && !shown.contains("example.com"));

    let rework = signal(&a, "ai-rework");
    assert_eq!(rework["value"].as_f64(), Some(30.0), "{rework}");
    let follow = signal(&a, "ai-fix-follow");
    assert_eq!(follow["value"].as_f64(), Some(50.0), "{follow}");
    let exposure = signal(&a, "ai-unhealthy-exposure");
    assert_eq!(exposure["value"].as_f64(), Some(60.0), "{exposure}");

    // b.py is unhealthy and all its change is AI-assisted: stabilise it
    // before accelerating it.
    let b = a["interventions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "refactor:b.py")
        .unwrap_or_else(|| panic!("no refactoring of b.py: {}", a["interventions"]));
    assert_eq!(
        b["title"],
        "Stabilise b.py before accelerating it: refactor to a healthy score"
    );
    assert!(
        b["why"]
            .as_str()
            .unwrap()
            .ends_with("3 of the changes AI-assisted"),
        "{b}"
    );

    // Every report shows the section: the comparison and where AI-assisted
    // change lands in unhealthy code.
    let out = f.path().join("out");
    let o = friction(
        &[
            "report",
            ".",
            "--db",
            f.path().join("x.db").to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        f.path(),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let section = &html[html.find("<section id=\"ai\">").expect("AI section")..];
    let section = &section[..section.find("</section>").unwrap()];
    for want in ["+30.0", "+50.0", "+60.0", "<code>b.py</code>", "5 commits"] {
        assert!(section.contains(want), "{want} missing: {section}");
    }
    let md = std::fs::read_to_string(out.join("summary.md")).unwrap();
    assert!(
        md.contains("**AI-assisted change**") && md.contains("+30.0"),
        "{md}"
    );
    if let Some(text) = support::pdf_text(&out.join("board-pack.pdf")) {
        assert!(text.contains("AI-assisted change"), "{text}");
        assert!(text.contains("+50.0"), "{text}");
    }

    // Weight 0: beside the index, never in it.
    for id in [
        "ai-assisted-change",
        "ai-rework",
        "ai-fix-follow",
        "ai-unhealthy-exposure",
    ] {
        assert_eq!(signal(&a, id)["weight"].as_f64(), Some(0.0), "{id}");
    }
}

/// Without AI-assisted commits the signals say why they did not measure,
/// and the index is what it was.
#[test]
fn without_ai_assisted_commits_the_signals_are_not_measured() {
    let mut f = Fixture::new();
    f.write("a.py", lines("h", 10));
    f.commit("initial");
    f.advance_days(1);
    f.write("a.py", lines("h", 12));
    f.commit("Pair work\n\nCo-authored-by: Claude Monet <claude@example.com>");
    let a = assess(&f);
    for id in [
        "ai-assisted-change",
        "ai-rework",
        "ai-fix-follow",
        "ai-unhealthy-exposure",
    ] {
        let s = signal(&a, id);
        assert!(s["value"].is_null(), "{id}: {s}");
        assert!(
            s["not_measured"]
                .as_str()
                .is_some_and(|w| w.contains("AI assistant's mark")),
            "{id}: {s}"
        );
    }
}

/// The share has a trend from the snapshots that measured it: `trend --json`
/// carries it beside the index, and the report lists it over time.
#[test]
fn the_share_of_ai_assisted_change_has_a_trend() {
    let mut f = history();
    let db = f.path().join("x.db");
    let dbs = db.to_str().unwrap();
    let scan = |f: &Fixture| {
        let o = friction(&["scan", "-q", ".", "--db", dbs, "--no-report"], f.path());
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    };
    scan(&f);
    f.advance_days(7);
    f.write("c.py", lines("c", 30));
    f.commit(&format!("Grow c{CLAUDE}"));
    scan(&f);
    let o = friction(&["trend", ".", "--db", dbs, "--json"], f.path());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let trend: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let shares: Vec<f64> = trend["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["beside"]["ai-assisted-change"].as_f64().expect("share"))
        .collect();
    assert_eq!(shares.len(), 2, "{trend}");
    assert!(shares[1] > shares[0], "{shares:?}");
    let out = f.path().join("out");
    let o = friction(
        &["report", ".", "--db", dbs, "--out", out.to_str().unwrap()],
        f.path(),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("AI-assisted share of changed lines over time"));
    assert!(html.contains(&format!("{:.1} %</td>", shares[1])), "{html}");
}

/// Team level only, and never for a group so small that the share points at
/// a person: a one-author team's scope shows no AI-assisted figure, while
/// the repository's does.
#[test]
fn a_team_too_small_shows_no_ai_assisted_figures() {
    let mut f = history();
    f.write(
        "friction.toml",
        "[ai]\npatterns = ['^AI-Assisted: yes$']\n[teams]\nsolo = [\"*\"]\n",
    );
    f.commit("Map the team");
    let a = assess(&f);
    assert!(signal(&a, "ai-assisted-change")["value"].is_number());
    let solo = a["teams"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "solo")
        .unwrap_or_else(|| panic!("no team: {}", a["teams"]));
    for id in [
        "ai-assisted-change",
        "ai-rework",
        "ai-fix-follow",
        "ai-unhealthy-exposure",
    ] {
        let s = solo["drivers"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|d| d["signals"].as_array().unwrap())
            .find(|s| s["id"] == id)
            .unwrap();
        assert!(s["value"].is_null(), "{id}: {s}");
        assert!(
            s["not_measured"]
                .as_str()
                .is_some_and(|w| w.contains("groups this small")),
            "{id}: {s}"
        );
    }
}

/// A pattern that is not a regular expression is bad input: exit 2, named.
#[test]
fn a_bad_ai_pattern_is_refused_with_its_setting_named() {
    let mut f = Fixture::new();
    f.write("friction.toml", "[ai]\npatterns = ['(unclosed']\n");
    f.write("a.py", lines("h", 3));
    f.commit("initial");
    let db = f.path().join("x.db");
    let dbs = db.to_str().unwrap();
    let _ = friction(&["scan", "-q", ".", "--db", dbs, "--no-report"], f.path());
    let o = friction(&["assess", ".", "--db", dbs], f.path());
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("friction.toml: [ai] patterns `(unclosed` is not a valid regular expression"),
        "{err}"
    );
}
