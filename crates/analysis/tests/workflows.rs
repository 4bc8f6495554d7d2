//! Workflow rules on real workflows (`fixtures/workflows`, origins in its
//! README): each file's findings, as `rule@line`, read by hand from the file.

use friction_analysis::workflows::{Check, Report, analyse};

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/workflows/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn findings(name: &str) -> Vec<String> {
    let w = analyse(name, &fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    w.findings
        .iter()
        .map(|f| format!("{}@{}", f.rule.id(), f.line))
        .collect()
}

fn expect(name: &str, want: &[&str]) {
    let mut want: Vec<String> = want.iter().map(|s| (*s).to_owned()).collect();
    want.sort();
    let mut got = findings(name);
    got.sort();
    assert_eq!(got, want, "{name}");
}

#[test]
fn well_kept_workflows_have_no_finding() {
    // SHA-pinned actions and `permissions: contents: read` (commons-lang),
    // explicit job permissions (express), job-level permissions only and
    // SHA pins (warp); tokio's labeler, read-only at the top, tag-pins its
    // one GitHub-owned action.
    expect("commons-lang-maven.yml", &[]);
    expect("express-ci.yml", &[]);
    expect("warp-build-llvm-sdk.yml", &[]);
    expect(
        "tokio-labeler-pull_request_target.yml",
        &["unpinned-first-party-action@22"],
    );
}

#[test]
fn top_level_write_scopes_and_tag_pins_are_found() {
    expect(
        "gin-goreleaser.yml",
        &[
            "permissions-top-level-write@9",
            "unpinned-first-party-action@16",
            "unpinned-first-party-action@20",
            "unpinned-action@24",
        ],
    );
    expect(
        "git-truck-auto-fix.yml",
        &[
            "permissions-top-level-write@9",
            "unpinned-first-party-action@18",
        ],
    );
    expect(
        "octokit-immediate-response.yml",
        &[
            "permissions-top-level-write@3",
            "permissions-top-level-write@4",
            "unpinned-action@22",
        ],
    );
    expect(
        "terraform-backport-pull_request_target.yml",
        &[
            "permissions-top-level-write@13",
            "permissions-top-level-write@14",
        ],
    );
    expect(
        "terraform-enforce-changelog.yml",
        &["permissions-top-level-write@25"],
    );
    expect(
        "test-reporter-dependabot-rebuild-dist.yml",
        &[
            "permissions-top-level-write@13",
            "unpinned-first-party-action@22",
            "unpinned-first-party-action@27",
        ],
    );
}

#[test]
fn pull_request_target_checking_out_the_head_is_an_untrusted_checkout() {
    // Gated by a label and without persisted credentials, but the code of
    // the pull request still runs with the base repository's secrets.
    expect(
        "poetry-docs-pull_request_target.yml",
        &["untrusted-checkout@47"],
    );
}

#[test]
fn missing_permissions_are_reported_once_per_workflow_and_every_tag_pin_on_its_line() {
    let mut ci = vec!["permissions-missing@5".to_owned()];
    ci.extend([10, 31, 46, 55, 62, 71, 79, 89].map(|l| format!("unpinned-first-party-action@{l}")));
    let ci: Vec<&str> = ci.iter().map(String::as_str).collect();
    expect("redis-ci.yml", &ci);

    let daily = findings("redis-daily.yml");
    let count = |rule: &str| {
        daily
            .iter()
            .filter(|f| f.starts_with(&format!("{rule}@")))
            .count()
    };
    // 32 `uses:` lines: 29 × actions/checkout@v4 and three third-party actions.
    assert_eq!(count("unpinned-first-party-action"), 29);
    assert_eq!(count("permissions-missing"), 1);
    for third in [
        "unpinned-action@886",
        "unpinned-action@925",
        "unpinned-action@1051",
    ] {
        assert!(daily.iter().any(|f| f == third), "{third}");
    }
    assert_eq!(daily.len(), 33);
}

/// OpenSSF Scorecard's own test workflows (`checks/testdata`): the findings
/// its checks expect of each, and nothing more — no untrusted checkout under
/// a plain `pull_request`, SHA-pinned actions not flagged, job-level
/// `read-all` accepted.
#[test]
fn scorecard_test_workflows_give_scorecards_findings_and_no_others() {
    expect(
        "scorecard-testdata/dangerous-untrusted-checkout.yml",
        &[
            "permissions-missing@17",
            "unpinned-first-party-action@22",
            "untrusted-checkout@24",
            "unpinned-first-party-action@26",
            "unpinned-action@31",
            "unpinned-action@35",
        ],
    );
    expect(
        "scorecard-testdata/dangerous-untrusted-checkout-workflow_run.yml",
        &[
            "permissions-missing@18",
            "unpinned-first-party-action@23",
            "untrusted-checkout@25",
            "unpinned-first-party-action@27",
            "unpinned-action@32",
            "unpinned-action@36",
        ],
    );
    // `on: [pull_request]`: checking out the head is what the trigger does;
    // the issue title in the script is the injection.
    expect(
        "scorecard-testdata/dangerous-script-injection.yml",
        &[
            "permissions-missing@16",
            "unpinned-first-party-action@21",
            "script-injection@27",
        ],
    );
    expect(
        "scorecard-testdata/not-pinned.yaml",
        &[
            "permissions-missing@20",
            "unpinned-action@38",
            "unpinned-first-party-action@79",
        ],
    );
    expect(
        "scorecard-testdata/permissions-absent.yaml",
        &["permissions-missing@17"],
    );
    expect("scorecard-testdata/permissions-run-level-only.yaml", &[]);
}

#[test]
fn checks_miss_the_share_their_findings_say() {
    let files: Vec<(String, String)> = ["commons-lang-maven.yml", "gin-goreleaser.yml"]
        .iter()
        .map(|n| ((*n).to_owned(), fixture(n)))
        .collect();
    let r = Report::read(&files);
    let missed = r.missed().expect("readable workflows");
    assert_eq!(missed[&Check::DangerousWorkflow], 0.0);
    // One of two workflows has a permissions finding.
    assert_eq!(missed[&Check::TokenPermissions], 0.5);
    // Third-party: 0 of 1 pinned (weight 0.8); GitHub-owned: 3 of 5 (0.2).
    assert!((missed[&Check::PinnedDependencies] - (1.0 - 0.2 * 3.0 / 5.0)).abs() < 1e-9);
    assert_eq!(missed[&Check::SelfHostedRunners], 0.0);
    assert!(Report::read(&[]).missed().is_none());
}

#[test]
fn an_unreadable_workflow_is_reported_and_the_others_read() {
    let files = vec![
        ("a.yml".to_owned(), "on: [push\n".to_owned()),
        ("b.yml".to_owned(), fixture("commons-lang-maven.yml")),
    ];
    let r = Report::read(&files);
    assert_eq!(r.workflows.len(), 1);
    assert_eq!(r.unreadable.len(), 1);
    assert_eq!(r.unreadable[0].0, "a.yml");
}
