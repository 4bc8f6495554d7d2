//! `friction scan` driven as a user drives it, on repositories built by the real git.

mod support;

use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use support::{
    Fixture, assert_same_numstat, friction, git_numstat, scan_json, scan_output, store_numstat,
};

/// A history with every shape the line counter must get right: merges, renames,
/// copies, binary files, empty commits, CRLF, a non-UTF-8 path, symlinks, a
/// submodule pointer, a file deleted and re-added, a mode change and a type change.
fn awkward_history() -> Fixture {
    let mut f = Fixture::new();
    let body: String = (1..=40).map(|i| format!("line {i}\n")).collect();
    f.write("src/lib.rs", &body);
    f.write("README.md", "hello\n");
    f.write("data.bin", [0u8, 1, 2, 3, 0, 255]);
    f.commit("initial");

    f.commit("an empty commit");

    f.write("crlf.txt", "one\r\ntwo\r\nthree\r\n");
    f.write("no-newline.txt", "last line without newline");
    f.commit("CRLF and missing final newline");

    f.write("crlf.txt", "one\ntwo\r\nthree\n");
    f.write("no-newline.txt", "last line without newline\n");
    f.commit("normalise line endings");

    f.git(&["mv", "src/lib.rs", "src/core.rs"]);
    f.write("src/core.rs", body.replace("line 7\n", "line seven\n"));
    f.commit("rename with an edit");

    f.write("src/copy.rs", body.replace("line 1\n", "first\n"));
    f.commit("copy of a file");

    f.write("data.bin", [0u8, 9, 9, 9, 0, 1, 2]);
    f.commit("binary change");

    let odd = std::ffi::OsStr::from_bytes(b"caf\xe9.txt");
    std::fs::write(f.path().join(odd), "latin-1 name\n").expect("write");
    f.commit("non-UTF-8 path");

    std::os::unix::fs::symlink("README.md", f.path().join("link")).expect("symlink");
    f.commit("symlink");

    std::fs::remove_file(f.path().join("link")).expect("rm");
    std::os::unix::fs::symlink("src/core.rs", f.path().join("link")).expect("symlink");
    f.commit("retarget symlink");

    let head = f.head();
    f.git(&[
        "update-index",
        "--add",
        "--cacheinfo",
        &format!("160000,{head},vendor-sub"),
    ]);
    f.git(&["commit", "-q", "-m", "add a submodule pointer"]);

    std::fs::remove_file(f.path().join("README.md")).expect("rm");
    f.commit("delete README");
    f.write("README.md", "hello again\n");
    f.commit("re-add README");

    f.git(&["update-index", "--chmod=+x", "src/copy.rs"]);
    f.git(&["commit", "-q", "-m", "mode change only"]);

    std::fs::remove_file(f.path().join("no-newline.txt")).expect("rm");
    std::os::unix::fs::symlink("crlf.txt", f.path().join("no-newline.txt")).expect("symlink");
    f.commit("file becomes a symlink");

    f.git(&["checkout", "-q", "-b", "topic", "HEAD~3"]);
    f.write("topic.txt", "a\nb\nc\n");
    f.commit("topic work");
    f.write("src/core.rs", body.replace("line 30\n", "line thirty\n"));
    f.commit("topic edits core");
    f.git(&["checkout", "-q", "main"]);
    f.write("main.txt", "m\n");
    f.commit("main work");
    f.git(&["merge", "-q", "--no-ff", "-m", "merge topic", "topic"]);
    f
}

#[test]
fn line_counts_equal_git_numstat_without_renames() {
    let f = awkward_history();
    let db = f.path().join("x.db");
    scan_json(f.path(), &db, &["--no-renames"]);
    let git = git_numstat(f.path(), &["--no-renames", "HEAD"]);
    assert_same_numstat(&git, &store_numstat(&db, false));
}

#[test]
fn renames_pair_like_git_log_dash_m() {
    let f = awkward_history();
    let db = f.path().join("x.db");
    scan_json(f.path(), &db, &[]);
    let git = git_numstat(f.path(), &["-M", "HEAD"]);
    assert_same_numstat(&git, &store_numstat(&db, false));
}

#[test]
fn packed_loose_and_borrowed_objects_count_like_git() {
    // Objects in a pack with delta chains, loose objects written after it, and a
    // clone that borrows all of them through `objects/info/alternates`: the miner
    // reads packs through its own reader and everything else through gix.
    let mut f = awkward_history();
    f.git(&[
        "repack",
        "-q",
        "-a",
        "-d",
        "-f",
        "--depth=50",
        "--window=50",
    ]);
    f.write("src/core.rs", "rewritten after the repack\n");
    f.write("late.txt", "loose\n");
    f.commit("loose commit on top of the pack");
    let clone = tempfile::tempdir().expect("tempdir");
    let repo = clone.path().join("c");
    f.git(&[
        "clone",
        "-q",
        "--shared",
        ".",
        repo.to_str().expect("utf-8"),
    ]);
    for (flags, git_flags) in [
        (&["--no-renames"][..], &["--no-renames", "HEAD"][..]),
        (&[][..], &["-M", "HEAD"][..]),
    ] {
        let db = clone.path().join(format!("x{}.db", flags.len()));
        scan_json(&repo, &db, flags);
        let git = git_numstat(&repo, git_flags);
        assert_same_numstat(&git, &store_numstat(&db, false));
    }
}

#[test]
fn first_parent_walk_diffs_merges_against_their_first_parent() {
    let f = awkward_history();
    let db = f.path().join("x.db");
    let summary = scan_json(f.path(), &db, &["--first-parent", "--no-renames"]);
    let git = git_numstat(
        f.path(),
        &[
            "--first-parent",
            "--diff-merges=first-parent",
            "--no-renames",
            "HEAD",
        ],
    );
    let ours = store_numstat(&db, true);
    let mainline: support::Numstat = ours
        .into_iter()
        .filter(|(id, _)| git.contains_key(id))
        .collect();
    assert_same_numstat(&git, &mainline);
    assert_eq!(summary["commits"].as_u64(), Some(git.len() as u64));
    assert_eq!(summary["mode"], "first-parent");
}

#[test]
fn json_totals_match_git_and_include_excluded_changes() {
    let mut f = Fixture::new();
    f.write("src/main.rs", "fn main() {}\n");
    f.write("Cargo.lock", "# lock\n[[package]]\nname = \"x\"\n");
    f.write("vendor/lib/a.c", "int a;\nint b;\n");
    f.commit("start");
    let db = f.path().join("x.db");
    let json = scan_json(f.path(), &db, &["--no-renames"]);
    let git = git_numstat(f.path(), &["--no-renames", "HEAD"]);
    let (added, deleted) = git
        .values()
        .flat_map(|rows| rows.values())
        .flatten()
        .fold((0, 0), |(a, d), (x, y)| (a + x, d + y));
    for key in [
        "commits",
        "authors",
        "files",
        "lines_added",
        "lines_deleted",
    ] {
        assert!(json.get(key).is_some(), "missing key {key}");
    }
    assert_eq!(json["lines_added"].as_u64(), Some(added));
    assert_eq!(json["lines_deleted"].as_u64(), Some(deleted));
    assert_eq!(json["commits"], 1);
    assert_eq!(json["files"], 3);
    assert_eq!(json["excluded"]["changes"], 2);
    assert_eq!(json["excluded"]["lines_added"], 5);
    assert_eq!(json["excluded"]["by_reason"]["lockfile"], 1);
    assert_eq!(json["excluded"]["by_reason"]["vendored"], 1);
}

#[test]
fn the_projects_own_history_matches_git() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let probe = std::process::Command::new("git")
        .args(["rev-parse", "--verify", "-q", "HEAD"])
        .current_dir(&root)
        .output()
        .expect("git runs");
    assert!(
        probe.status.success(),
        "the test suite runs inside the friction git repository"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("self.db");
    let json = scan_json(&root, &db, &["--no-renames"]);
    let git = git_numstat(&root, &["--no-renames", "HEAD"]);
    assert_same_numstat(&git, &store_numstat(&db, false));
    assert_eq!(json["commits"].as_u64(), Some(git.len() as u64));
}

#[test]
fn rescan_reads_only_new_commits() {
    let mut f = Fixture::new();
    for i in 0..5 {
        f.write("a.txt", format!("{i}\n"));
        f.commit(&format!("c{i}"));
    }
    // The store (and the report beside it) outside the work tree, so the
    // commits below do not pick them up.
    let store_dir = tempfile::tempdir().unwrap();
    let db = store_dir.path().join("x.db");
    let first = scan_json(f.path(), &db, &[]);
    assert_eq!(first["new_commits"], 5);
    let again = scan_json(f.path(), &db, &[]);
    assert_eq!(again["new_commits"], 0);
    f.write("a.txt", "new\nlines\n");
    f.commit("one more");
    let third = scan_json(f.path(), &db, &[]);
    assert_eq!(third["new_commits"], 1);
    assert_eq!(third["commits"], 6);
    assert_eq!(third["lines_added"], 7);
}

#[test]
fn scan_resumes_after_losing_part_of_its_work() {
    let mut f = Fixture::new();
    for i in 0..30 {
        f.write(format!("f{}.txt", i % 4), format!("{i}\n"));
        f.commit(&format!("c{i}"));
    }
    let db = f.path().join("x.db");
    let full = scan_json(f.path(), &db, &[]);
    // Simulate a scan killed half-way: some commits never made it, and no complete
    // scan was recorded.
    {
        let conn = rusqlite::Connection::open(&db).expect("store");
        conn.execute_batch(
            "DELETE FROM file_changes WHERE commit_id IN (SELECT id FROM commits ORDER BY author_time LIMIT 12);
             DELETE FROM commits WHERE id IN (SELECT id FROM commits ORDER BY author_time LIMIT 12);
             DELETE FROM scan_tips;",
        )
        .expect("delete");
    }
    let resumed = scan_json(f.path(), &db, &[]);
    assert_eq!(resumed["new_commits"], 12);
    for key in [
        "commits",
        "files",
        "lines_added",
        "lines_deleted",
        "authors",
    ] {
        assert_eq!(resumed[key], full[key], "{key}");
    }
}

#[test]
fn kill_dash_nine_mid_scan_leaves_a_store_the_next_scan_completes() {
    let f = Fixture::new();
    // A few thousand commits, so the scan runs long enough to kill.
    f.fast_import_linear_history(3000, 97);
    let db = f.path().join("x.db");
    let mut scan = std::process::Command::new(env!("CARGO_BIN_EXE_friction"))
        .args(["scan", "--quiet", "--threads", "1", "--db"])
        .arg(&db)
        .arg(f.path())
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("spawn");
    std::thread::sleep(std::time::Duration::from_millis(150));
    let _ = scan.kill();
    let _ = scan.wait();
    let resumed = scan_json(f.path(), &db, &[]);
    assert_eq!(resumed["commits"], 3000);
    let fresh_db = f.path().join("fresh.db");
    let fresh = scan_json(f.path(), &fresh_db, &[]);
    for key in ["commits", "files", "lines_added", "lines_deleted"] {
        assert_eq!(resumed[key], fresh[key], "{key}");
    }
}

#[test]
fn mailmap_merges_aliases_and_bots_are_flagged() {
    let mut f = Fixture::new();
    f.write("a.txt", "1\n");
    f.commit_as("one", "Ada L", "ada@old.example.com");
    f.write("a.txt", "2\n");
    f.commit_as("two", "Ada Lovelace", "ada@example.com");
    f.write("a.txt", "3\n");
    f.commit_as(
        "bump",
        "dependabot[bot]",
        "49699333+dependabot[bot]@users.noreply.github.com",
    );
    f.write(
        ".mailmap",
        "Ada Lovelace <ada@example.com> Ada L <ada@old.example.com>\n",
    );
    f.commit_as("mailmap", "Ada Lovelace", "ada@example.com");
    let json = scan_json(f.path(), &f.path().join("x.db"), &[]);
    assert_eq!(json["authors"], 2, "{json}");
    assert_eq!(json["bot_authors"], 1);
}

#[test]
fn renamed_twice_file_keeps_its_whole_history() {
    let mut f = Fixture::new();
    let body: String = (0..30).map(|i| format!("fn f{i}() {{}}\n")).collect();
    f.write("a.rs", &body);
    f.commit("add");
    f.git(&["mv", "a.rs", "b.rs"]);
    f.commit("first rename");
    f.write("b.rs", format!("{body}// more\n"));
    f.commit("edit");
    std::fs::create_dir(f.path().join("src")).expect("mkdir");
    f.git(&["mv", "b.rs", "src/c.rs"]);
    f.commit("second rename");
    let db = f.path().join("x.db");
    let json = scan_json(f.path(), &db, &[]);
    assert_eq!(json["files"], 1);
    let store = friction_store::Store::open(&db).expect("store");
    // The identity is named by the file's newest path.
    assert_eq!(store.file_id("src/c.rs").expect("id"), "src/c.rs");
    let history = store.file_history("src/c.rs").expect("history");
    let paths: Vec<&str> = history.iter().map(|h| h.path.as_str()).collect();
    assert_eq!(paths, ["a.rs", "b.rs", "b.rs", "src/c.rs"]);

    let no_renames = scan_json(f.path(), &f.path().join("y.db"), &["--no-renames"]);
    assert_eq!(
        no_renames["files"], 3,
        "without rename tracking the chain splits"
    );
}

#[test]
fn exclusions_are_stored_flagged_and_counted_never_dropped() {
    let mut f = Fixture::new();
    f.write("src/app.rs", "fn main() {}\n");
    f.write("package-lock.json", "{}\n");
    f.write("third_party/zlib/zlib.h", "#define Z 1\n");
    f.write(
        "gen/schema.rs",
        "// @generated by build.rs\nconst X: u8 = 1;\n",
    );
    f.write("web/app.min.js", "var a=1;\n");
    f.write("api/types.ts", "export type A = 1;\n");
    f.write("docs/reference/index.html", "<html></html>\n");
    f.write(".gitattributes", "api/*.ts linguist-generated=true\n");
    f.write(
        "friction.toml",
        "[history]\nexclude = [\"docs/reference/\"]\n",
    );
    f.commit("everything");
    let db = f.path().join("x.db");
    let json = scan_json(f.path(), &db, &[]);
    let reasons = &json["excluded"]["by_reason"];
    assert_eq!(reasons["lockfile"], 1, "{json}");
    assert_eq!(reasons["vendored"], 1);
    assert_eq!(reasons["generated-marker"], 1);
    assert_eq!(reasons["generated-path"], 1);
    assert_eq!(reasons["linguist-generated"], 1);
    assert_eq!(reasons["config:docs/reference/"], 1);
    assert_eq!(json["excluded"]["changes"], 6);
    assert_eq!(json["changes"], 9, "excluded changes are still stored");

    // An uncommitted configuration is not read: the scan is of HEAD.
    f.write("friction.toml", "[history]\ninclude = [\"third_party/\"]\n");
    let unchanged = scan_json(f.path(), &db, &[]);
    assert_eq!(unchanged["excluded"]["changes"], 6, "{unchanged}");
    // Committing it re-labels what is stored without mining it again: only
    // the configuration's own commit is new.
    f.commit("include third_party");
    let relabelled = scan_json(f.path(), &db, &[]);
    assert_eq!(relabelled["new_commits"], 1);
    assert_eq!(relabelled["excluded"]["changes"], 4, "{relabelled}");
}

#[test]
fn same_inputs_give_byte_identical_json() {
    let f = awkward_history();
    let db = f.path().join("x.db");
    let run = || {
        let _ = std::fs::remove_file(&db);
        let out = scan_output(f.path(), &db, &[]);
        assert!(out.status.success());
        out.stdout
    };
    assert_eq!(run(), run());
}

#[test]
fn human_summary_names_what_was_measured() {
    let f = awkward_history();
    let out = friction(&["scan", "--quiet"], f.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    for word in [
        "commits",
        "authors",
        "files",
        "lines",
        "excluded",
        "time span",
        "store",
    ] {
        assert!(text.contains(word), "summary lacks {word}:\n{text}");
    }
    assert!(
        f.path().join(".friction/friction.db").exists(),
        "default store location"
    );
}

#[test]
fn bare_repository_is_scanned() {
    let f = awkward_history();
    let bare = tempfile::tempdir().expect("tempdir");
    let status = std::process::Command::new("git")
        .args(["clone", "-q", "--bare"])
        .arg(f.path())
        .arg(bare.path().join("r.git"))
        .status()
        .expect("clone");
    assert!(status.success());
    let repo = bare.path().join("r.git");
    let json = scan_json(&repo, &bare.path().join("x.db"), &["--no-renames"]);
    let git = git_numstat(&repo, &["--no-renames", "HEAD"]);
    assert_eq!(json["commits"].as_u64(), Some(git.len() as u64));
}

#[test]
fn shallow_clone_is_scanned_and_reported_truncated() {
    let f = awkward_history();
    let dir = tempfile::tempdir().expect("tempdir");
    let status = std::process::Command::new("git")
        .args(["clone", "-q", "--depth", "3"])
        .arg(format!("file://{}", f.path().display()))
        .arg(dir.path().join("s"))
        .status()
        .expect("clone");
    assert!(status.success());
    let repo = dir.path().join("s");
    let db = dir.path().join("x.db");
    let json = scan_json(&repo, &db, &["--no-renames"]);
    assert_eq!(json["shallow"], true);
    assert!(json["shallow_boundaries"].as_u64() >= Some(1));
    let git = git_numstat(&repo, &["--no-renames", "HEAD"]);
    assert_same_numstat(&git, &store_numstat(&db, false));
    let text = friction(
        &["scan", "--quiet", "--db", db.to_str().expect("utf-8")],
        &repo,
    );
    assert!(String::from_utf8_lossy(&text.stdout).contains("TRUNCATED"));
}

#[test]
fn all_and_ref_choose_where_the_walk_starts() {
    let mut f = Fixture::new();
    f.write("a", "1\n");
    f.commit("one");
    f.git(&["checkout", "-q", "-b", "side"]);
    f.write("b", "2\n");
    f.commit("side only");
    f.git(&["checkout", "-q", "main"]);
    let head = scan_json(f.path(), &f.path().join("h.db"), &[]);
    assert_eq!(head["commits"], 1);
    let side = scan_json(f.path(), &f.path().join("s.db"), &["--ref", "side"]);
    assert_eq!(side["commits"], 2);
    let all = scan_json(f.path(), &f.path().join("a.db"), &["--all"]);
    assert_eq!(all["commits"], 2);
}

#[test]
fn rename_detection_is_bounded_and_the_bound_reported() {
    let mut f = Fixture::new();
    for i in 0..6 {
        let body: String = (0..20).map(|l| format!("file {i} line {l}\n")).collect();
        f.write(format!("old/{i}.txt"), body);
    }
    f.commit("add");
    std::fs::rename(f.path().join("old"), f.path().join("new")).expect("mv");
    for i in 0..6 {
        let path = f.path().join(format!("new/{i}.txt"));
        let mut body = std::fs::read_to_string(&path).expect("read");
        body.push_str("edited\n");
        std::fs::write(path, body).expect("write");
    }
    f.commit("move and edit everything");
    let bounded = scan_json(f.path(), &f.path().join("a.db"), &["--rename-limit", "2"]);
    assert_eq!(bounded["rename_limit_commits"], 1, "{bounded}");
    assert_eq!(
        bounded["files"], 12,
        "past the bound, moves are delete + add"
    );
    let unbounded = scan_json(f.path(), &f.path().join("b.db"), &[]);
    assert_eq!(unbounded["rename_limit_commits"], 0);
    assert_eq!(unbounded["files"], 6);
}

#[test]
fn ctrl_c_stops_cleanly_and_the_next_scan_completes() {
    let f = Fixture::new();
    f.fast_import_linear_history(3000, 89);
    let db = f.path().join("x.db");
    let scan = std::process::Command::new(env!("CARGO_BIN_EXE_friction"))
        .args(["scan", "--quiet", "--threads", "1", "--db"])
        .arg(&db)
        .arg(f.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    std::thread::sleep(std::time::Duration::from_millis(200));
    let _ = std::process::Command::new("kill")
        .args(["-INT", &scan.id().to_string()])
        .status();
    let out = scan.wait_with_output().expect("wait");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    // Either it finished before the signal (0) or it stopped and said so (130).
    match out.status.code() {
        Some(0) => {}
        Some(130) => assert!(err.contains("interrupted"), "{err}"),
        other => panic!("unexpected exit {other:?}: {err}"),
    }
    let resumed = scan_json(f.path(), &db, &[]);
    assert_eq!(resumed["commits"], 3000);
    let fresh = scan_json(f.path(), &f.path().join("fresh.db"), &[]);
    for key in ["files", "lines_added", "lines_deleted"] {
        assert_eq!(resumed[key], fresh[key], "{key}");
    }
}
