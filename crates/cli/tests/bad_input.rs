//! Bad input gets a one-line error with a hint and a non-zero exit code, never a
//! panic, and what could still be measured is kept.

mod support;

use support::{Fixture, friction, scan_output};

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn assert_clean_error(out: &std::process::Output, code: i32, needle: &str) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(code), "stderr: {err}");
    let first = err.lines().next().unwrap_or_default();
    assert!(first.starts_with("error: "), "first line: {first}");
    assert!(err.contains(needle), "expected {needle:?} in: {err}");
    assert!(err.contains("help: "), "no hint in: {err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(!err.contains("RUST_BACKTRACE"), "{err}");
}

/// Where git keeps the loose object `id` of a fresh fixture repository.
fn loose_object(f: &Fixture, id: &str) -> std::path::PathBuf {
    f.path().join(".git/objects").join(&id[..2]).join(&id[2..])
}

/// `friction scan --json --quiet` into a store `x.db` inside the fixture.
fn scan_into_fixture_store(f: &Fixture) -> std::process::Output {
    scan_output(f.path(), &f.path().join("x.db"), &[])
}

#[test]
fn not_a_git_repository() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = friction(&["scan", "--quiet"], dir.path());
    assert_clean_error(&out, 2, "is not a git repository");
}

#[test]
fn repository_without_commits() {
    let f = Fixture::new();
    let out = friction(&["scan", "--quiet"], f.path());
    assert_clean_error(&out, 2, "no commits");
}

#[test]
fn unknown_ref() {
    let mut f = Fixture::new();
    f.write("a", "1\n");
    f.commit("one");
    let out = friction(&["scan", "--quiet", "--ref", "no-such-branch"], f.path());
    assert_clean_error(&out, 2, "no-such-branch");
}

#[test]
fn unwritable_store_directory() {
    let mut f = Fixture::new();
    f.write("a", "1\n");
    f.commit("one");
    // A file where the directory should be: refused even for root, unlike permissions.
    std::fs::write(f.path().join(".friction"), "not a directory").expect("write");
    let out = friction(&["scan", "--quiet"], f.path());
    assert_clean_error(&out, 2, "cannot create");
}

#[test]
fn config_with_an_unknown_key() {
    let mut f = Fixture::new();
    f.write("friction.toml", "[history]\nexclud = [\"docs/\"]\n");
    f.commit("config");
    let out = friction(&["scan", "--quiet"], f.path());
    assert_clean_error(&out, 2, "exclud");
}

#[test]
fn config_with_a_bad_glob() {
    let mut f = Fixture::new();
    f.write("friction.toml", "[history]\nexclude = [\"src/[\"]\n");
    f.commit("config");
    let out = friction(&["scan", "--quiet"], f.path());
    assert_clean_error(&out, 2, "history.exclude");
}

#[test]
fn missing_object_is_named_and_everything_else_is_kept() {
    let mut f = Fixture::new();
    f.write("keep.txt", "1\n");
    f.commit("one");
    f.write("doomed.txt", "unique content 8d1f\n");
    f.commit("two");
    f.write("keep.txt", "1\n2\n");
    f.commit("three");
    let blob = f.git(&["rev-parse", "HEAD:doomed.txt"]).trim().to_owned();
    let object = loose_object(&f, &blob);
    std::fs::remove_file(&object).expect("objects are loose in a fresh repository");

    let out = scan_into_fixture_store(&f);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains(&blob), "the missing object is named: {err}");
    assert!(err.contains("help: "), "{err}");
    let json: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("summary still printed");
    assert_eq!(
        json["commits"], 2,
        "the readable commits are stored: {json}"
    );
    assert_eq!(json["status"], "partial");
    assert_eq!(json["unreadable_commits"].as_array().map(Vec::len), Some(1));
}

#[test]
fn missing_commit_stops_the_walk_there_and_is_named() {
    // The first scan walks while it mines; a commit it cannot read ends that chain,
    // is named, and the scan is partial, as the planned walk of later scans reports.
    let mut f = Fixture::new();
    f.write("a.txt", "1\n");
    f.commit("one");
    f.write("a.txt", "1\n2\n");
    f.commit("two");
    f.git(&["checkout", "-q", "-b", "side", "HEAD~1"]);
    f.write("b.txt", "side\n");
    f.commit("side work");
    f.git(&["checkout", "-q", "main"]);
    f.git(&["merge", "-q", "--no-ff", "-m", "merge side", "side"]);
    let doomed = f.git(&["rev-parse", "main~1"]).trim().to_owned();
    let object = loose_object(&f, &doomed);
    std::fs::remove_file(&object).expect("objects are loose in a fresh repository");

    let out = scan_into_fixture_store(&f);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains(&doomed), "the missing commit is named: {err}");
    let json: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("summary still printed");
    assert_eq!(json["status"], "partial", "{json}");
    // The merge, the side branch and the root it shares are still read.
    assert_eq!(json["commits"], 3, "{json}");
}

#[test]
fn a_newer_store_is_refused_with_a_hint() {
    let mut f = Fixture::new();
    f.write("a", "1\n");
    f.commit("one");
    let db = f.path().join("x.db");
    drop(friction_store::Store::open(&db).expect("store"));
    rusqlite::Connection::open(&db)
        .expect("store")
        .execute(
            "INSERT INTO schema_migrations (version, applied_at) VALUES (999, 0)",
            [],
        )
        .expect("insert");
    let out = friction(
        &["scan", "--quiet", "--db", db.to_str().expect("utf-8")],
        f.path(),
    );
    assert_clean_error(&out, 2, "schema version 999");
}

#[test]
fn corrupt_object_is_named_and_everything_else_is_kept() {
    let mut f = Fixture::new();
    f.write("keep.txt", "1\n");
    f.commit("one");
    f.write("garbled.txt", "content that will be garbled 51c2\n");
    f.commit("two");
    let blob = f.git(&["rev-parse", "HEAD:garbled.txt"]).trim().to_owned();
    let object = loose_object(&f, &blob);
    let mut perms = std::fs::metadata(&object)
        .expect("loose object")
        .permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&object, perms).expect("chmod");
    std::fs::write(&object, b"\x78\x9c this is not zlib data").expect("garble");

    let out = scan_into_fixture_store(&f);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains(&blob), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("summary");
    assert_eq!(json["commits"], 1);
}

/// With the pack file deleted or cut short, `scan` said the repository had no
/// commits yet (issue 15.10). HEAD names an object that cannot be read: say
/// which, and point at `git fsck`, as git does.
#[test]
fn a_damaged_pack_is_not_taken_for_an_empty_repository() {
    for damage in ["delete", "truncate"] {
        let mut f = Fixture::new();
        f.write("a.txt", "1\n");
        f.commit("one");
        f.write("a.txt", "2\n");
        f.commit("two");
        f.git(&["repack", "-adq"]);
        let head = f.head();
        let pack_dir = f.path().join(".git/objects/pack");
        let pack = std::fs::read_dir(&pack_dir)
            .expect("pack dir")
            .map(|e| e.expect("entry").path())
            .find(|p| p.extension().is_some_and(|e| e == "pack"))
            .expect("a pack");
        match damage {
            "delete" => std::fs::remove_file(&pack).expect("delete"),
            _ => {
                // The header and no more: HEAD's commit is cut off too.
                let bytes = std::fs::read(&pack).expect("read");
                std::fs::write(&pack, &bytes[..16]).expect("truncate");
            }
        }
        let out = scan_into_fixture_store(&f);
        let err = stderr(&out);
        assert!(!err.contains("no commits yet"), "{damage}: {err}");
        assert_clean_error(&out, 2, &head);
        assert!(err.contains("git fsck"), "{damage}: {err}");
        assert!(err.contains("HEAD"), "{damage}: {err}");
    }
}
