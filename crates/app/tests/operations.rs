//! The operations of `friction-app` called as a library: fixture repositories
//! built with the real `git`, no child process of the `friction` binary.

use std::process::Command;

use friction_app::assess::History;
use friction_app::code::measure_worktree;
use friction_app::portfolio::{self, PortfolioRequest, ScanRepository, Scanned, Status};
use friction_app::scan::{ScanRequest, mine};
use friction_app::snapshot::scan_snapshot;
use friction_app::timeline::{self, BackfillRequest, CheckRequest, RescoreRequest, TrendRequest};
use friction_app::{AssessRequest, Error, HealthCache, Project, Session, Silent};
use friction_store::WalkMode;

/// A git repository in a temporary directory with one commit.
fn repository(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .args(args)
            .current_dir(dir.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_DATE", "1700000000 +0100")
            .env("GIT_COMMITTER_DATE", "1700000000 +0100")
            .output()
            .expect("git runs");
        assert!(out.status.success(), "git {args:?}: {out:?}");
    };
    git(&["init", "-q", "-b", "main"]);
    git(&["config", "user.name", "Ada Lovelace"]);
    git(&["config", "user.email", "ada@example.com"]);
    git(&["config", "commit.gpgsign", "false"]);
    for (path, text) in files {
        let full = dir.path().join(path);
        std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
        std::fs::write(full, text).expect("write");
    }
    git(&["add", "-A"]);
    git(&["commit", "-q", "-m", "first"]);
    dir
}

const NESTED: &str = "def f(a, b, c):\n    if a:\n        if b:\n            if c:\n                for i in range(3):\n                    if i:\n                        return i\n    return 0\n";

#[test]
fn a_project_without_a_store_says_to_scan_first() {
    let repo = repository(&[("a.py", "x = 1\n")]);
    let project = Project::locate(repo.path().to_path_buf(), None).expect("a repository");
    assert_eq!(
        project.db,
        repo.path().join(".friction").join("friction.db")
    );
    match Session::open(project) {
        Err(e @ Error::Missing { .. }) => {
            assert!(e.to_string().starts_with("no store at "), "{e}");
            assert_eq!(
                e.help(),
                Some("run `friction scan` on the repository first")
            );
        }
        Err(e) => panic!("wrong kind: {e:?}"),
        Ok(_) => panic!("opened a store that does not exist"),
    }
}

#[test]
fn a_path_that_is_no_repository_is_a_repository_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    match Project::locate(dir.path().join("absent"), None) {
        Err(Error::Repository { help, .. }) => {
            assert_eq!(
                help.as_deref(),
                Some("give the repository path, or the store with `--db PATH`")
            );
        }
        other => panic!("expected a repository error, got {other:?}"),
    }
}

#[test]
fn measuring_a_work_tree_stores_what_it_parsed_and_reuses_it() {
    let repo = repository(&[("src/deep.py", NESTED), ("src/flat.py", "x = 1\n")]);
    let db = repo.path().join("measurements.db");
    let first = measure_worktree(repo.path(), Some(db.clone()), 1, &Silent).expect("measures");
    assert_eq!(first.summary.files, 2);
    assert_eq!(first.summary.parsed, 2);
    assert_eq!(first.summary.reused, 0);
    // Least healthy first.
    assert_eq!(first.files[0].path, "src/deep.py");
    let again = measure_worktree(repo.path(), Some(db), 2, &Silent).expect("measures");
    assert_eq!(again.summary.parsed, 0);
    assert_eq!(again.summary.reused, 2);
    assert_eq!(
        serde_json::to_string(&first.files).expect("json"),
        serde_json::to_string(&again.files).expect("json"),
        "a stored measurement reads back as what was measured"
    );
}

#[test]
fn a_missing_path_is_an_input_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let err = measure_worktree(&dir.path().join("nothing"), None, 1, &Silent).expect_err("refused");
    assert!(matches!(err, Error::Input { .. }), "{err:?}");
    assert_eq!(err.help(), Some("give a directory or a source file"));
}

#[test]
fn the_health_cache_answers_from_the_store_when_it_has_nothing() {
    let repo = repository(&[("deep.py", NESTED)]);
    let db = repo.path().join("m.db");
    let report = measure_worktree(repo.path(), Some(db.clone()), 1, &Silent).expect("measures");
    let store = friction_store::Store::open(&db).expect("store");
    let blob = friction_history::blob_id(NESTED.as_bytes()).to_string();
    let cache = HealthCache::with_capacity(4);
    let read = cache.health(&store, &blob, "python").expect("reads");
    assert_eq!(read, (report.files[0].health, report.files[0].lines.code));
    assert_eq!(cache.len(), 1);
    assert_eq!(
        cache
            .health(&store, "0000000000000000000000000000000000000000", "python")
            .expect("reads"),
        (None, 0),
        "an unknown blob has no health"
    );
}

/// A repository of `n` commits, each changing `src/deep.py`.
fn history(n: u64) -> tempfile::TempDir {
    let dir = repository(&[("src/deep.py", NESTED)]);
    for i in 1..n {
        std::fs::write(
            dir.path().join("src/deep.py"),
            format!("{NESTED}x{i} = {i}\n"),
        )
        .expect("write");
        commit_all(dir.path(), &format!("change {i}"), 1_700_000_000 + i * 3600);
    }
    dir
}

/// Commits every change in `dir` at `epoch`.
fn commit_all(dir: &std::path::Path, message: &str, epoch: u64) {
    let at = format!("{epoch} +0100");
    let out = Command::new("git")
        .args(["commit", "-q", "-am", message])
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_DATE", &at)
        .env("GIT_COMMITTER_DATE", &at)
        .output()
        .expect("git runs");
    assert!(out.status.success(), "{out:?}");
}

fn request(path: &std::path::Path) -> ScanRequest {
    ScanRequest {
        path: path.to_path_buf(),
        threads: 1,
        ..ScanRequest::default()
    }
}

#[test]
fn a_scan_mines_every_commit_once() {
    let repo = history(3);
    let commits = String::from_utf8(
        Command::new("git")
            .args(["rev-list", "--count", "HEAD"])
            .current_dir(repo.path())
            .output()
            .expect("git runs")
            .stdout,
    )
    .expect("utf-8");
    let first = mine(&request(repo.path()), &Silent).expect("scans");
    assert_eq!(first.written.to_string(), commits.trim());
    assert_eq!(first.status, "complete");
    assert!(first.partial.is_none() && first.failed.is_empty());
    drop(first);
    let again = mine(&request(repo.path()), &Silent).expect("scans");
    assert_eq!(again.written, 0, "a second scan reads only new commits");
}

#[test]
fn after_a_scan_the_session_assesses_and_refuses_a_view_it_does_not_hold() {
    let repo = history(3);
    drop(mine(&request(repo.path()), &Silent).expect("scans"));
    let session = Session::open(Project::locate(repo.path().to_path_buf(), None).expect("project"))
        .expect("the scan made a store");
    let assessed = session
        .assess(&AssessRequest::default())
        .expect("assesses")
        .expect("there is history");
    let loaded = session
        .load(12, WalkMode::Full, None)
        .expect("loads")
        .expect("there is history");
    assert_eq!(
        assessed.loaded.data.commits.len(),
        loaded.data.commits.len()
    );
    assert!(!loaded.data.commits.is_empty());
    let first_parent = AssessRequest {
        mode: WalkMode::FirstParent,
        ..AssessRequest::default()
    };
    match session.assess(&first_parent) {
        Err(e @ Error::Input { .. }) => assert!(e.to_string().contains("--first-parent"), "{e}"),
        Err(e) => panic!("wrong kind: {e:?}"),
        Ok(_) => panic!("read a view the store does not hold"),
    }
    let months_zero = AssessRequest {
        months: 0,
        ..AssessRequest::default()
    };
    assert!(matches!(
        session.assess(&months_zero),
        Err(Error::Input { .. })
    ));
}

#[test]
fn recording_an_unchanged_state_again_keeps_one_snapshot() {
    let repo = history(2);
    let mut mined = mine(&request(repo.path()), &Silent).expect("scans");
    let cache = HealthCache::default();
    let mut history = History::read(&mined.store, WalkMode::Full).expect("reads");
    let (_, first) = scan_snapshot(
        &mut mined.store,
        &cache,
        &mut history,
        repo.path(),
        &mined.repo,
        WalkMode::Full,
        None,
        &Silent,
    )
    .expect("records")
    .expect("there is history");
    let (_, second) = scan_snapshot(
        &mut mined.store,
        &cache,
        &mut history,
        repo.path(),
        &mined.repo,
        WalkMode::Full,
        None,
        &Silent,
    )
    .expect("records")
    .expect("there is history");
    assert!(first.new);
    assert!(!second.new, "the same digest is found, not recorded twice");
    assert_eq!(first.id, second.id);
    assert_eq!(first.digest, second.digest);
}

/// A repository of `n` commits 30 days apart, each changing `src/deep.py`
/// (the odd ones as fixes), scanned, with the scan's snapshot of `HEAD`.
fn scanned_months(n: u64) -> tempfile::TempDir {
    let dir = repository(&[("src/deep.py", NESTED)]);
    for i in 1..n {
        std::fs::write(
            dir.path().join("src/deep.py"),
            format!("{NESTED}{}\n", "x = 1\n".repeat(i as usize)),
        )
        .expect("write");
        let message = if i % 2 == 1 { "fix: a bug" } else { "more" };
        commit_all(dir.path(), message, 1_700_000_000 + i * 30 * 86_400);
    }
    let mut mined = mine(&request(dir.path()), &Silent).expect("scans");
    let mut history = History::read(&mined.store, WalkMode::Full).expect("reads");
    scan_snapshot(
        &mut mined.store,
        &HealthCache::default(),
        &mut history,
        dir.path(),
        &mined.repo,
        WalkMode::Full,
        None,
        &Silent,
    )
    .expect("records")
    .expect("there is history");
    dir
}

fn backfill_monthly(project: &Project) -> friction_app::timeline::Backfill {
    let request = BackfillRequest {
        every: "month".into(),
        since: "2023-11-01".into(),
        until: None,
        months: 12,
        mode: WalkMode::Full,
        threads: 1,
    };
    timeline::backfill(project, &request, &Silent).expect("back-fills")
}

fn full_trend(project: &Project) -> friction_app::timeline::Trend {
    let store = project.open_store().expect("store");
    let request = TrendRequest {
        scope: String::new(),
        all: false,
        mode: WalkMode::Full,
    };
    timeline::trend(&store, &request).expect("a trend")
}

#[test]
fn a_backfill_records_the_mainline_of_each_month_and_the_trend_shows_it() {
    let repo = scanned_months(4);
    let project = Project::locate(repo.path().to_path_buf(), None).expect("project");
    let b = backfill_monthly(&project);
    // Commits on 2023-11-14, 12-14, 2024-01-13 and 02-12: month starts from
    // December to February each have a mainline commit before them.
    let dates: Vec<&str> = b.points.iter().map(|p| p.date.as_str()).collect();
    assert_eq!(dates, ["2023-12-01", "2024-01-01", "2024-02-01"]);
    assert!(b.points.iter().all(|p| p.commit.is_some() && p.new));
    assert!(b.points.iter().all(|p| p.snapshot.is_some()));
    // Again: the same snapshots, none new.
    let again = backfill_monthly(&project);
    assert!(again.points.iter().all(|p| !p.new));
    assert_eq!(
        again.points.iter().map(|p| p.snapshot).collect::<Vec<_>>(),
        b.points.iter().map(|p| p.snapshot).collect::<Vec<_>>()
    );

    let t = full_trend(&project);
    assert!(t.comparable);
    assert_eq!(t.mode, "full");
    // The scan's snapshot and the three back-filled ones, oldest first.
    assert_eq!(t.points.len(), 4);
    assert!(t.points.windows(2).all(|w| w[0].as_of <= w[1].as_of));
    assert_eq!(t.points[3].kind, "scan");
    for (p, q) in t.points.iter().zip(&b.points) {
        assert_eq!(Some(p.snapshot), q.snapshot);
        assert_eq!(p.index, q.index);
        assert_eq!(Some(p.commit.clone()), q.commit);
    }
}

#[test]
fn a_backfill_before_the_first_commit_writes_nothing() {
    let repo = scanned_months(2);
    let project = Project::locate(repo.path().to_path_buf(), None).expect("project");
    let request = BackfillRequest {
        every: "month".into(),
        since: "2020-01-01".into(),
        until: Some("2020-06-30".into()),
        months: 12,
        mode: WalkMode::Full,
        threads: 1,
    };
    let err = timeline::backfill(&project, &request, &Silent).expect_err("nothing to record");
    assert!(matches!(err, Error::Input { .. }), "{err:?}");
    assert!(
        err.to_string().starts_with("no commit on the main line"),
        "{err}"
    );
    assert_eq!(full_trend(&project).points.len(), 1);
}

#[test]
fn a_comparison_decomposes_the_index_change_between_two_snapshots() {
    let repo = scanned_months(4);
    let project = Project::locate(repo.path().to_path_buf(), None).expect("project");
    backfill_monthly(&project);
    let store = project.open_store().expect("store");
    let c = timeline::compare(&store, "first", "latest", 10).expect("compares");
    let t = full_trend(&project);
    assert_eq!(c.before.snapshot, Some(t.points[0].snapshot));
    assert_eq!(c.after.snapshot, Some(t.points[3].snapshot));
    let (x, y) = (c.before.index.unwrap(), c.after.index.unwrap());
    let delta = c.change.delta.expect("both measured");
    assert!((delta - (y - x)).abs() < 0.006);
    let parts: f64 = c.change.signals.iter().map(|s| s.delta).sum::<f64>() + c.change.rounding;
    assert!((parts - delta).abs() < 1e-9, "{parts} vs {delta}");
    match timeline::compare(&store, "first", "#999", 10) {
        Err(e @ Error::Input { .. }) => assert_eq!(e.to_string(), "no snapshot `#999`"),
        other => panic!("expected an input error, got {other:?}"),
    }
}

fn check_request(baseline: &str, max_drop: f64, drivers: &[&str]) -> CheckRequest {
    CheckRequest {
        baseline: Some(baseline.into()),
        max_drop: Some(max_drop),
        drivers: drivers.iter().map(|d| (*d).to_owned()).collect(),
        months: 12,
        mode: WalkMode::Full,
        threads: 1,
    }
}

#[test]
fn the_gate_fails_exactly_when_a_drop_exceeds_its_threshold() {
    let repo = scanned_months(4);
    let project = Project::locate(repo.path().to_path_buf(), None).expect("project");
    backfill_monthly(&project);
    let lenient =
        timeline::check(&project, &check_request("first", 100.0, &[]), &Silent).expect("a verdict");
    assert!(lenient.passed && lenient.failures.is_empty());
    let (x, y) = (
        lenient.comparison.before.index.unwrap(),
        lenient.comparison.after.index.unwrap(),
    );
    let strict =
        timeline::check(&project, &check_request("first", 0.0, &[]), &Silent).expect("a verdict");
    assert_eq!(strict.passed, x - y <= 1e-9, "{x} → {y}");
    assert_eq!(
        strict.failures.iter().any(|f| f.what == "index"),
        x - y > 1e-9
    );
    assert_eq!(strict.max_drop, 0.0);
    let bad = timeline::check(
        &project,
        &check_request("first", 1.0, &["speed=3"]),
        &Silent,
    )
    .expect_err("no such driver");
    assert_eq!(bad.to_string(), "no driver `speed`");
    let malformed = timeline::check(
        &project,
        &check_request("first", 1.0, &["delivery"]),
        &Silent,
    )
    .expect_err("not FAMILY=POINTS");
    assert!(matches!(malformed, Error::Input { .. }));
}

#[test]
fn a_rescore_supersedes_the_snapshot_it_names() {
    let repo = scanned_months(2);
    let project = Project::locate(repo.path().to_path_buf(), None).expect("project");
    let nothing = timeline::rescore(&project, &RescoreRequest::default(), &Silent).expect("runs");
    assert!(nothing.rescored.is_empty(), "every snapshot is current");
    let before = full_trend(&project).points;
    let request = RescoreRequest {
        snapshots: vec!["latest".into()],
        threads: 1,
    };
    let r = timeline::rescore(&project, &request, &Silent).expect("re-scores");
    assert_eq!(r.rescored.len(), 1);
    let one = &r.rescored[0];
    assert_eq!(one.from, before[0].snapshot);
    assert_eq!(one.index, before[0].index, "same facts, same methodology");
    let after = full_trend(&project).points;
    assert_eq!(after.len(), 1);
    assert_eq!(after[0].snapshot, one.snapshot);
    assert_eq!(after[0].rescored_from, Some(one.from));
}

/// Scans in this process, as the library offers it (the CLI runs a child
/// process instead): mine, then record the snapshot of `HEAD`.
struct InProcess;

impl ScanRepository for InProcess {
    fn scan(
        &self,
        path: &std::path::Path,
        db: Option<&std::path::Path>,
        threads: usize,
    ) -> Result<Scanned, String> {
        let request = ScanRequest {
            path: path.to_path_buf(),
            db: db.map(std::path::Path::to_path_buf),
            threads,
            ..ScanRequest::default()
        };
        let mut mined = mine(&request, &Silent).map_err(|e| e.to_string())?;
        let mut history = History::read(&mined.store, WalkMode::Full).map_err(|e| e.to_string())?;
        let snapshot = scan_snapshot(
            &mut mined.store,
            &HealthCache::default(),
            &mut history,
            path,
            &mined.repo,
            WalkMode::Full,
            None,
            &Silent,
        )
        .map_err(|e| e.to_string())?
        .map(|(_, rec)| rec.id);
        Ok(Scanned {
            store: mined.db_path.clone(),
            snapshot,
        })
    }
}

#[test]
fn a_portfolio_rolls_up_its_repositories_and_counts_a_failed_one_as_unmeasured() {
    let big = history(3);
    let small = repository(&[("src/flat.py", "x = 1\n")]);
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("friction.toml"),
        format!(
            "[portfolio]\nparallel = 2\norganisation = \"acme\"\n\
             [[portfolio.repositories]]\nname = \"big\"\npath = \"{}\"\nproduct = \"web\"\n\
             [[portfolio.repositories]]\nname = \"small\"\npath = \"{}\"\nproduct = \"web\"\n\
             [[portfolio.repositories]]\nname = \"gone\"\npath = \"absent\"\nproduct = \"cli\"\n",
            big.path().display(),
            small.path().display()
        ),
    )
    .expect("write");
    let request = PortfolioRequest {
        dir: dir.path().to_path_buf(),
        db: None,
        threads: 1,
        mode: WalkMode::Full,
    };
    let p = portfolio::run(&request, &InProcess, &Silent).expect("runs");
    let r = &p.rollup;
    assert_eq!(p.failed(), 1);
    let status: Vec<Status> = r.repositories.iter().map(|x| x.status).collect();
    assert_eq!(status, [Status::Assessed, Status::Assessed, Status::Failed]);
    assert!(
        r.repositories[2]
            .error
            .as_deref()
            .unwrap()
            .ends_with("does not exist")
    );
    assert_eq!(r.organisation.name, "acme");
    assert_eq!((r.organisation.assessed, r.organisation.failed), (2, 1));
    // The organisation's index lies between its repositories' (a weighted mean).
    let indices: Vec<f64> = r.repositories[..2]
        .iter()
        .map(|x| x.index.unwrap())
        .collect();
    let org = r.organisation.index.unwrap();
    let (lo, hi) = (indices[0].min(indices[1]), indices[0].max(indices[1]));
    assert!(
        lo - 0.006 <= org && org <= hi + 0.006,
        "{org} not in {lo}–{hi}"
    );
    // The failed repository lowers coverage; the product without it does not.
    let web = r.products.iter().find(|g| g.name == "web").unwrap();
    assert!(r.organisation.coverage < web.coverage);
    let cli = r.products.iter().find(|g| g.name == "cli").unwrap();
    assert_eq!((cli.index, cli.coverage), (None, 0.0));
    // The roll-up is a trend point of `@portfolio`; an identical run records nothing new.
    let again = portfolio::run(&request, &InProcess, &Silent).expect("runs");
    assert_eq!(again.snapshot, p.snapshot);
    let store = friction_store::Store::open_reader(&p.store).expect("store");
    let t = timeline::trend(
        &store,
        &TrendRequest {
            scope: portfolio::ROLLUP_SCOPE.into(),
            all: false,
            mode: WalkMode::Full,
        },
    )
    .expect("a trend");
    assert_eq!(t.points.len(), 1);
    assert_eq!(t.points[0].index, r.organisation.index);
}

#[test]
fn a_portfolio_without_repositories_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("friction.toml"), "[portfolio]\n").expect("write");
    let request = PortfolioRequest {
        dir: dir.path().to_path_buf(),
        db: None,
        threads: 1,
        mode: WalkMode::Full,
    };
    let err = portfolio::run(&request, &InProcess, &Silent).expect_err("nothing to scan");
    assert!(matches!(err, Error::Input { .. }));
    assert!(
        err.to_string()
            .ends_with("lists no [[portfolio.repositories]]"),
        "{err}"
    );
}

#[test]
fn a_gate_baseline_revision_is_assessed_but_not_recorded() {
    let repo = scanned_months(3);
    let project = Project::locate(repo.path().to_path_buf(), None).expect("project");
    let v = timeline::check(&project, &check_request("HEAD~1", 100.0, &[]), &Silent)
        .expect("a verdict");
    assert!(v.passed);
    assert_eq!(v.comparison.before.snapshot, None);
    assert_eq!(v.comparison.before.kind, "baseline");
    assert!(v.comparison.before.index.is_some());
    // Only HEAD's state is recorded (the gate's own snapshot), never the baseline's.
    let points = full_trend(&project).points;
    assert!(
        points
            .iter()
            .all(|p| p.commit != v.comparison.before.commit)
    );
    assert!(points.iter().all(|p| p.kind == "scan"));
    let again = timeline::check(&project, &check_request("HEAD~1", 100.0, &[]), &Silent)
        .expect("a verdict");
    assert_eq!(again.comparison.before, v.comparison.before);
    assert_eq!(full_trend(&project).points.len(), points.len());
}
