//! The analysis operations of `friction-app` (hotspots, coupling, knowledge,
//! code-maat parity, back-test) called as a library on fixture repositories
//! built with the real `git`: no child process of the `friction` binary.

use std::process::Command;

use friction_analysis::coupling::{Grouping, Options};
use friction_app::backtest::{BacktestHeadline, BacktestRequest};
use friction_app::coupling::CouplingRequest;
use friction_app::hotspots::{HotspotsRequest, Rank};
use friction_app::knowledge::KnowledgeRequest;
use friction_app::maat::MaatRequest;
use friction_app::report::ReportRequest;
use friction_app::scan::{FollowUp, FollowUpRequest, ScanRequest, follow_up, mine};
use friction_app::{Error, Project, Session, Silent};
use friction_store::WalkMode;

const NESTED: &str = "def f(a, b, c):\n    if a:\n        if b:\n            if c:\n                for i in range(3):\n                    if i:\n                        return i\n    return 0\n";

/// A repository of `n` commits an hour apart by one author; every commit
/// changes `src/deep.py` and `src/flat.py` together.
fn together(n: u64) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let git = |args: &[&str], at: u64| {
        let at = format!("{} +0100", 1_700_000_000 + at * 3600);
        let out = Command::new("git")
            .args(args)
            .current_dir(dir.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_DATE", &at)
            .env("GIT_COMMITTER_DATE", &at)
            .output()
            .expect("git runs");
        assert!(out.status.success(), "git {args:?}: {out:?}");
    };
    git(&["init", "-q", "-b", "main"], 0);
    git(&["config", "user.name", "Ada Lovelace"], 0);
    git(&["config", "user.email", "ada@example.com"], 0);
    git(&["config", "commit.gpgsign", "false"], 0);
    std::fs::create_dir_all(dir.path().join("src")).expect("mkdir");
    for i in 0..n {
        std::fs::write(dir.path().join("src/deep.py"), format!("{NESTED}x = {i}\n"))
            .expect("write");
        std::fs::write(dir.path().join("src/flat.py"), format!("y = {i}\n")).expect("write");
        git(&["add", "-A"], i);
        git(&["commit", "-q", "-m", &format!("change {i}")], i);
    }
    dir
}

/// Scans the repository, measures `HEAD`, records the snapshot and writes
/// its page, as `friction scan` does, and opens a session on the store.
fn scanned(repo: &tempfile::TempDir) -> Session {
    let after = follow_up_of(repo, false);
    assert!(after.warnings.is_empty(), "{:?}", after.warnings);
    Session::open(Project::locate(repo.path().to_path_buf(), None).expect("project"))
        .expect("opens")
}

fn follow_up_of(repo: &tempfile::TempDir, skip: bool) -> FollowUp {
    let mut mined = mine(
        &ScanRequest {
            path: repo.path().to_path_buf(),
            threads: 1,
            ..ScanRequest::default()
        },
        &Silent,
    )
    .expect("scans");
    follow_up(
        &mut mined,
        &FollowUpRequest {
            path: repo.path().to_path_buf(),
            threads: 1,
            no_code: skip,
            no_report: skip,
            generated_at: "2026-01-01T00:00:00Z".into(),
        },
        &Silent,
    )
    .expect("follows up")
}

#[test]
fn after_mining_the_scan_measures_assesses_records_and_writes_the_page() {
    let repo = together(3);
    let after = follow_up_of(&repo, false);
    assert_eq!(after.summary.commits, 3);
    assert_eq!(after.code.as_ref().map(|c| c.summary.files), Some(2));
    assert!(after.hotspots.is_some() && after.assessment.is_some());
    assert_eq!(after.snapshot.as_ref().map(|s| s.id), Some(1));
    let page = after.report.expect("the page");
    assert!(
        page.ends_with("report/report.html") && page.exists(),
        "{page:?}"
    );
    // Without code and page: the totals and the assessment still come.
    let again = together(2);
    let bare = follow_up_of(&again, true);
    assert!(bare.code.is_none() && bare.report.is_none() && bare.hotspots.is_none());
    assert_eq!(bare.summary.commits, 2);
    assert!(bare.snapshot.is_some());
}

#[test]
fn hotspots_count_the_window_s_changes_per_file_with_head_s_health() {
    let repo = together(4);
    let session = scanned(&repo);
    let report = session
        .hotspots(&HotspotsRequest {
            months: 12,
            mode: WalkMode::Full,
            rank: Rank::Score,
            forecast: false,
        })
        .expect("analyses");
    assert_eq!(report.months, 12);
    assert_eq!(
        report.hotspots.revisions, 8,
        "two files changed in four commits"
    );
    assert_eq!(report.hotspots.files_changed, 2);
    let deep = report
        .hotspots
        .files
        .iter()
        .find(|f| f.path == "src/deep.py")
        .expect("listed");
    assert_eq!(deep.revisions, 4);
    assert!(
        deep.health.is_some_and(|h| h < 10.0),
        "the nesting costs health"
    );
    let only = report.hotspots_only();
    assert!(only.hotspots.files.iter().all(|f| f.hotspot));
    assert!(matches!(
        session.hotspots(&HotspotsRequest {
            months: 0,
            mode: WalkMode::Full,
            rank: Rank::Score,
            forecast: false,
        }),
        Err(Error::Input { .. })
    ));
}

#[test]
fn coupling_pairs_files_changed_in_the_same_commits() {
    let repo = together(4);
    let session = scanned(&repo);
    let options = Options {
        min_revs: 1,
        min_shared_revs: 1,
        min_coupling: 0,
        max_coupling: 100,
        max_changeset_size: 30,
        parity: false,
    };
    let report = session
        .coupling(&CouplingRequest {
            months: 12,
            grouping: Grouping::Commit,
            options,
            mode: WalkMode::Full,
            limit: None,
        })
        .expect("analyses");
    assert_eq!(report.commits, 4);
    assert_eq!(report.coupling.pairs.len(), 1);
    let pair = &report.coupling.pairs[0];
    assert_eq!((pair.degree, pair.shared_revs), (100, 4));
    assert!(report.complete);
    let none = session
        .coupling(&CouplingRequest {
            months: 12,
            grouping: Grouping::Commit,
            options,
            mode: WalkMode::Full,
            limit: Some(0),
        })
        .expect("analyses");
    assert!(none.coupling.pairs.is_empty() && !none.complete);
}

#[test]
fn knowledge_names_authors_only_when_asked() {
    let repo = together(3);
    let session = scanned(&repo);
    let request = KnowledgeRequest {
        active_months: 12,
        without: Vec::new(),
        names: false,
        mode: WalkMode::Full,
    };
    let report = session.knowledge(&request).expect("analyses");
    assert_eq!(report.history_authors, 1);
    assert_eq!(report.knowledge.truck_factor, 1);
    assert!(report.pseudonymous);
    assert!(
        report
            .knowledge
            .files
            .iter()
            .all(|f| f.main_author.starts_with("dev-"))
    );
    let named = session
        .knowledge(&KnowledgeRequest {
            names: true,
            ..request.clone()
        })
        .expect("analyses");
    assert!(
        named
            .knowledge
            .files
            .iter()
            .all(|f| f.main_author == "ada@example.com")
    );
    let without = session
        .knowledge(&KnowledgeRequest {
            without: vec![report.knowledge.files[0].main_author.clone()],
            ..request.clone()
        })
        .expect("a pseudonym names the author");
    assert_eq!(without.history_active_authors, 0);
    match session.knowledge(&KnowledgeRequest {
        without: vec!["nobody@example.com".into()],
        ..request
    }) {
        Err(e @ Error::Input { .. }) => assert!(e.to_string().contains("nobody@example.com")),
        other => panic!("expected an input error, got {other:?}"),
    }
}

#[test]
fn maat_gives_one_table_or_all_of_them() {
    let repo = together(3);
    let session = scanned(&repo);
    let request = MaatRequest {
        analysis: "revisions".into(),
        months: 0,
        min_revs: 5,
        age_time_now: None,
        names: false,
    };
    let tables = session.maat(&request).expect("analyses");
    assert_eq!(tables.len(), 1);
    let (name, table) = &tables[0];
    assert_eq!(*name, "revisions");
    assert_eq!(table.header, ["entity", "n-revs"]);
    assert_eq!(table.rows[0][1], "3");
    let all = session
        .maat(&MaatRequest {
            analysis: "all".into(),
            ..request.clone()
        })
        .expect("analyses");
    assert_eq!(all.len(), friction_analysis::maat::ANALYSES.len());
    assert!(matches!(
        session.maat(&MaatRequest {
            analysis: "nonsense".into(),
            ..request
        }),
        Err(Error::Input { .. })
    ));
}

#[test]
fn a_backtest_stores_its_headline_for_the_hotspot_table() {
    let repo = together(3);
    drop(scanned(&repo));
    let project = Project::locate(repo.path().to_path_buf(), None).expect("project");
    let request = BacktestRequest {
        cut: Some("2023-11-20".into()),
        window_months: 12,
        horizon_months: 12,
        threads: 1,
        include_tests: false,
        origins: 0,
        origin_step_months: 6,
        prior_csv: None,
        shrinkage: None,
    };
    let report = friction_app::backtest::run(&project, &request, &Silent).expect("back-tests");
    assert_eq!(report.cut, "2023-11-20");
    assert_eq!(report.result.files, 2);
    assert_eq!(report.result.fix_commits, 0);
    assert!(
        report.horizon_incomplete,
        "the history ends before the horizon"
    );
    let session = Session::open(project.clone()).expect("opens");
    let headline = BacktestHeadline::latest(session.store()).expect("stored");
    assert_eq!(
        (headline.cut.as_str(), headline.horizon_months),
        ("2023-11-20", 12)
    );
    let before = BacktestRequest {
        cut: Some("2000-01-01".into()),
        ..request
    };
    match friction_app::backtest::run(&project, &before, &Silent) {
        Err(e @ Error::Input { .. }) => {
            assert!(e.to_string().contains("no commit on the main line"))
        }
        other => panic!("expected an input error, got {other:?}"),
    }
}

#[test]
fn a_report_is_written_in_every_format_and_listed() {
    let repo = together(3);
    let session = scanned(&repo);
    let out = repo.path().join("out");
    let request = ReportRequest {
        snapshot: "latest".into(),
        out: Some(out.clone()),
        generated_at: "2026-01-01T00:00:00Z".into(),
    };
    let written = session.write_report(&request).expect("writes");
    assert_eq!(written.snapshot, 1);
    let formats: std::collections::BTreeSet<&str> =
        written.files.iter().map(|f| f.format).collect();
    assert_eq!(
        formats,
        ["CSV", "HTML", "Markdown", "PDF", "SARIF"]
            .into_iter()
            .collect()
    );
    for f in &written.files {
        assert_eq!(std::fs::metadata(&f.path).expect("written").len(), f.bytes);
    }
    let page = std::fs::read_to_string(out.join("report.html")).expect("html");
    assert!(page.contains("Generated 2026-01-01T00:00:00Z"));
    // The same request writes the same bytes.
    let again = session.write_report(&request).expect("writes");
    assert_eq!(
        written.files.iter().map(|f| f.bytes).collect::<Vec<_>>(),
        again.files.iter().map(|f| f.bytes).collect::<Vec<_>>()
    );
    // Without `out`: beside the store, where the scan's page goes.
    let default = session
        .write_report(&ReportRequest {
            out: None,
            ..request.clone()
        })
        .expect("writes");
    assert_eq!(
        std::path::PathBuf::from(&default.dir),
        friction_app::report::default_dir(&session.project().db)
    );
    assert!(matches!(
        session.write_report(&ReportRequest {
            snapshot: "#99".into(),
            ..request
        }),
        Err(Error::Input { .. })
    ));
}
