//! The operations of `friction-app` called as a library: fixture repositories
//! built with the real `git`, no child process of the `friction` binary.

use std::process::Command;

use friction_app::assess::History;
use friction_app::code::measure_worktree;
use friction_app::scan::{ScanRequest, mine};
use friction_app::snapshot::scan_snapshot;
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
        let at = format!("{} +0100", 1_700_000_000 + i * 3600);
        let out = Command::new("git")
            .args(["commit", "-q", "-am", &format!("change {i}")])
            .current_dir(dir.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_DATE", &at)
            .env("GIT_COMMITTER_DATE", &at)
            .output()
            .expect("git runs");
        assert!(out.status.success(), "{out:?}");
    }
    dir
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
