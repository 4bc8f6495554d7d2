//! Who may open a store how: reading commands open it read-only and never
//! create or migrate one; writing commands create a store only in an absent or
//! empty file and refuse anything that is not ours, untouched; a store this
//! user may not read is named with "permission denied" (issue 15.8, 15.9, 15.12).

mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output};

use support::{Fixture, friction, scan_json};

/// Runs `friction` as a user without privileges, so file permissions apply:
/// as root (CI) through `setpriv` as `nobody`; `None` (the test is skipped,
/// with a message) when running as root without `setpriv`.
fn friction_unprivileged(args: &[&str], cwd: &Path) -> Option<Output> {
    // SAFETY: `geteuid` has no preconditions and cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        return Some(friction(args, cwd));
    }
    let out = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .arg(env!("CARGO_BIN_EXE_friction"))
        .args(args)
        .current_dir(cwd)
        .env("HOME", "/")
        .output();
    match out {
        Ok(out) => Some(out),
        Err(e) => {
            eprintln!("skipped: running as root and `setpriv` is not available ({e})");
            None
        }
    }
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A scanned fixture whose store sits in `store/x.db`, every directory open
/// to other users (the store's own mode is set by each test).
fn scanned() -> (Fixture, std::path::PathBuf) {
    let mut f = Fixture::new();
    f.write(
        "src/app.py",
        "def f(a):\n    if a:\n        return 1\n    return 0\n",
    );
    f.commit("one");
    f.write(
        "src/app.py",
        "def f(a):\n    if a:\n        return 2\n    return 0\n",
    );
    f.commit("two");
    std::fs::create_dir(f.path().join("store")).expect("mkdir");
    let db = f.path().join("store/x.db");
    scan_json(f.path(), &db, &[]);
    let status = Command::new("chmod")
        .args(["-R", "a+rX"])
        .arg(f.path())
        .status()
        .expect("chmod -R");
    assert!(status.success());
    (f, db)
}

#[test]
fn read_commands_work_on_a_store_they_may_not_write() {
    let (f, db) = scanned();
    let before = std::fs::read(&db).expect("read store");
    chmod(&db, 0o444);
    chmod(db.parent().expect("dir"), 0o555);
    let out_dir = tempfile::tempdir().expect("tempdir");
    chmod(out_dir.path(), 0o777);
    let dbs = db.to_str().expect("utf-8");
    let out = out_dir.path().to_str().expect("utf-8");
    for args in [
        vec!["assess", "--db", dbs, "--json"],
        vec!["hotspots", "--db", dbs, "--json"],
        vec!["trend", "--db", dbs, "--json"],
        vec!["knowledge", "--db", dbs, "--json"],
        vec!["report", "--db", dbs, "--out", out],
    ] {
        let Some(result) = friction_unprivileged(&args, f.path()) else {
            return;
        };
        assert!(
            result.status.success(),
            "{args:?} on a read-only store: {}",
            text(&result)
        );
    }
    chmod(db.parent().expect("dir"), 0o755);
    assert_eq!(
        std::fs::read(&db).expect("read store"),
        before,
        "not written"
    );
    assert!(out_dir.path().join("report.html").exists());
}

#[test]
fn an_unreadable_store_says_permission_denied_and_names_it() {
    let (f, db) = scanned();
    chmod(&db, 0o000);
    let dbs = db.to_str().expect("utf-8");
    for args in [
        vec!["hotspots", "--db", dbs],
        vec!["scan", "--quiet", "--db", dbs],
    ] {
        let Some(out) = friction_unprivileged(&args, f.path()) else {
            return;
        };
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("permission denied"), "{args:?}: {err}");
        assert!(err.contains(dbs), "{args:?}: {err}");
        assert!(!err.contains("unable to open database file"), "{err}");
    }
}

#[test]
fn a_foreign_database_is_refused_untouched_and_without_a_lock_file() {
    let mut f = Fixture::new();
    f.write("a.txt", "1\n");
    f.commit("one");
    let other = f.path().join("other.db");
    {
        let conn = rusqlite::Connection::open(&other).expect("sqlite");
        conn.execute_batch("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL); INSERT INTO invoices VALUES (1, 9.5);")
            .expect("create");
    }
    let text_file = f.path().join("notes.db");
    std::fs::write(&text_file, "just some notes\n").expect("write");
    for file in [&other, &text_file] {
        let before = std::fs::read(file).expect("read");
        let path = file.to_str().expect("utf-8");
        for args in [
            vec!["assess", "--db", path],
            vec!["hotspots", "--db", path],
            vec!["scan", "--quiet", "--db", path],
            vec!["backfill", "--quiet", "--db", path],
        ] {
            let out = friction(&args, f.path());
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
            assert!(err.contains("is not a friction store"), "{args:?}: {err}");
            assert!(err.contains("left untouched"), "{args:?}: {err}");
            assert_eq!(std::fs::read(file).expect("read"), before, "{args:?}");
            let mut lock = file.as_os_str().to_owned();
            lock.push(".lock");
            assert!(!Path::new(&lock).exists(), "{args:?} left a lock file");
        }
    }
    // An empty file becomes a store.
    let empty = f.path().join("empty.db");
    std::fs::write(&empty, "").expect("write");
    let json = scan_json(f.path(), &empty, &[]);
    assert_eq!(json["commits"], 1);
}

/// `--first-parent` against a store scanned without it printed "0 changes"
/// and "not measured" with exit 0 (issue 15.3): the store holds the other view.
#[test]
fn first_parent_on_a_store_without_that_view_says_how_to_get_it() {
    let mut f = Fixture::new();
    f.write("a.py", "def f():\n    return 1\n");
    f.commit("one");
    f.write("a.py", "def f():\n    return 2\n");
    f.commit("two");
    let db = f.path().join("x.db");
    scan_json(f.path(), &db, &[]);
    let dbs = db.to_str().expect("utf-8");
    for command in ["hotspots", "assess", "coupling", "knowledge"] {
        let out = friction(&[command, "--db", dbs, "--first-parent"], f.path());
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{command}: {}", text(&out));
        assert!(
            err.contains("scanned without --first-parent"),
            "{command}: {err}"
        );
        assert!(
            err.contains("friction scan --first-parent"),
            "{command}: {err}"
        );
    }
    // After a first-parent scan both views are there.
    scan_json(f.path(), &db, &["--first-parent"]);
    for command in ["hotspots", "assess"] {
        let out = friction(&[command, "--db", dbs, "--first-parent"], f.path());
        assert!(out.status.success(), "{command}: {}", text(&out));
        let out = friction(&[command, "--db", dbs], f.path());
        assert!(out.status.success(), "{command}: {}", text(&out));
    }
}
