//! Persistence of facts in an embedded SQLite database, one module per fact
//! family: `history` (commits, changes, renames; `facts` and `identity` read
//! them), `code` (measurements and measured trees), `snapshots` (frozen
//! assessments), `inputs` (files read beyond git and their facts) and `meta` (opening, migrations, the `meta` table, scans).
//!
//! The schema is created and upgraded by numbered migrations
//! (`src/migrations/sqlite/NNN_*.sql`), applied in order inside one transaction
//! each and recorded in `schema_migrations`; a PostgreSQL set would sit beside
//! them with the same numbers. SQL uses `$N` placeholders numbered in order of
//! first appearance (where SQLite's and PostgreSQL's binding agree, tested),
//! `RETURNING`, `CASE` and portable types; what has no portable form goes
//! through `dialect`. No database crate's type is part of this interface.
//!
//! Consistency under interruption: a commit row and all of its file changes are
//! written in the same transaction, so after Ctrl-C or `kill -9` a commit is either
//! wholly stored or absent, and the next scan mines exactly the absent ones. The
//! database runs in WAL mode, whose committed transactions survive a process crash.

use rusqlite::Connection;

mod advisories;
mod code;
mod delivery;
mod dialect;
mod facts;
mod history;
mod identity;
mod inputs;
mod meta;
mod service_levels;
mod snapshots;
mod workitems;

pub use advisories::{AdvisoryDatabase, AdvisoryRow};
pub use code::{CodeTreeRow, MeasuredFile};
pub use delivery::{DeliveryRows, IncidentRows, JobRow, Stored};
pub use facts::{FactChange, FactCommit, Facts};
pub use history::{
    ActivityRow, Batch, ChangeRow, ExcludedSummary, FileHistoryEntry, HistorySummary, StoredPath,
};
pub use inputs::{FactCounts, InputRow, InputSummary, InputWriter, NewInput};
pub use snapshots::{NewSnapshot, SnapshotRow};
pub use workitems::{WorkCommit, WorkItemChangeRow};

/// Schema migrations, in order. Never edit a released one; add a new file.
const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("migrations/sqlite/001_history.sql")),
    (2, include_str!("migrations/sqlite/002_code.sql")),
    (3, include_str!("migrations/sqlite/003_activity_index.sql")),
    (4, include_str!("migrations/sqlite/004_snapshots.sql")),
    (5, include_str!("migrations/sqlite/005_incremental.sql")),
    (6, include_str!("migrations/sqlite/006_rename_events.sql")),
    (
        7,
        include_str!("migrations/sqlite/007_partial_snapshots.sql"),
    ),
    (8, include_str!("migrations/sqlite/008_inputs.sql")),
    (9, include_str!("migrations/sqlite/009_deployments.sql")),
    (10, include_str!("migrations/sqlite/010_input_stat.sql")),
    (11, include_str!("migrations/sqlite/011_incidents.sql")),
    (
        12,
        include_str!("migrations/sqlite/012_incident_merges.sql"),
    ),
    (13, include_str!("migrations/sqlite/013_work_items.sql")),
    (14, include_str!("migrations/sqlite/014_advisories.sql")),
    (15, include_str!("migrations/sqlite/015_service_levels.sql")),
    (
        16,
        include_str!("migrations/sqlite/016_security_findings.sql"),
    ),
    (
        17,
        include_str!("migrations/sqlite/017_pull_request_bodies.sql"),
    ),
    (
        18,
        include_str!("migrations/sqlite/018_incident_event_agents.sql"),
    ),
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = 18;

/// Failures of the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database refused an operation.
    #[error("database error: {0}")]
    Database(DatabaseError),
    /// The database was written by a newer friction.
    #[error(
        "the store has schema version {found}, newer than this friction understands ({supported})"
    )]
    TooNew {
        /// Version found in the file.
        found: i64,
        /// Highest version this build knows.
        supported: i64,
    },
    /// A reader opened a store its writer has not brought up to date.
    #[error(
        "the store has schema version {found}, older than this friction reads ({expected}); a writing command such as `friction scan` brings it up to date"
    )]
    NotMigrated {
        /// Version found in the file.
        found: i64,
        /// The version this build writes.
        expected: i64,
    },
    /// The operating system refused access to the store's file.
    #[error("permission denied: this user may not {action} {}", path.display())]
    PermissionDenied {
        /// The store's file.
        path: std::path::PathBuf,
        /// `read` or `write`.
        action: &'static str,
    },
    /// The file exists and is something else; it is left untouched.
    #[error("{} is not a friction store ({what}); it was left untouched", path.display())]
    Foreign {
        /// The file.
        path: std::path::PathBuf,
        /// What it is instead.
        what: String,
    },
}

/// What the database said, kept opaque so that no database crate's type is
/// part of the store's interface.
#[derive(Debug)]
pub struct DatabaseError(rusqlite::Error);

impl std::fmt::Display for DatabaseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for DatabaseError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Database(DatabaseError(e))
    }
}

/// Which view of history a scan takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WalkMode {
    /// Every reachable commit, merges without changes (`git log --numstat`).
    Full,
    /// The first-parent chain, merges diffed against their first parent.
    FirstParent,
}

impl WalkMode {
    /// The name stored in `scans.mode` and `scan_tips.mode`.
    pub fn as_str(self) -> &'static str {
        match self {
            WalkMode::Full => "full",
            WalkMode::FirstParent => "first-parent",
        }
    }
}

/// The embedded store.
pub struct Store {
    conn: Connection,
}

fn bool_int(b: bool) -> i64 {
    i64::from(b)
}

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn to_u64(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use friction_model::{ChangeKind, CommitFact, FileChangeFact};
    use friction_model::{EntryKind, GitTime, Identity, RepoPath};
    use rusqlite::params;

    fn commit(id: &str, parents: &[&str], time: i64) -> CommitFact {
        let who = Identity {
            name: "Ada".into(),
            email: "ada@example.com".into(),
        };
        CommitFact {
            id: id.into(),
            parents: parents.iter().map(|p| (*p).to_owned()).collect(),
            author: who.clone(),
            author_time: GitTime {
                seconds: time,
                offset: 0,
            },
            committer: who,
            committer_time: GitTime {
                seconds: time,
                offset: 0,
            },
            author_is_bot: false,
            message: "m".into(),
            changes: Vec::new(),
            merge_diffed: false,
            rename_limit_hit: None,
        }
    }

    fn change(path: &str, previous: Option<&str>, kind: ChangeKind) -> FileChangeFact {
        FileChangeFact {
            path: RepoPath(path.into()),
            previous_path: previous.map(|p| RepoPath(p.into())),
            kind,
            entry: EntryKind::File,
            lines_added: 1,
            lines_deleted: 0,
            binary: false,
            blob: None,
            generated_marker: false,
        }
    }

    fn put(store: &mut Store, c: &CommitFact, changes: &[FileChangeFact]) {
        let rows: Vec<ChangeRow<'_>> = changes
            .iter()
            .map(|change| ChangeRow {
                change,
                excluded: None,
            })
            .collect();
        let mut batch = store.batch().unwrap();
        batch.put_commit(c, &rows, false, false).unwrap();
        batch.commit().unwrap();
    }

    /// How `$N` binds in SQLite: as a *named* parameter, numbered in order of
    /// first appearance, so `$2` written first takes the first value; a name
    /// used twice is one value. PostgreSQL binds `$N` by its number. Both
    /// agree exactly when a statement numbers its placeholders in order of
    /// first appearance, which `statements_number_placeholders_in_order`
    /// checks for every statement of the store.
    #[test]
    fn numbered_placeholders_bind_by_first_appearance_in_sqlite() {
        let store = Store::open_in_memory().unwrap();
        let got: (String, String, i64) = store
            .conn
            .query_row("SELECT $2 || $1, $1, $3 + $3", params!["a", "b", 20], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .unwrap();
        assert_eq!(got, ("ab".to_owned(), "b".to_owned(), 40));
        let in_order: (String, i64) = store
            .conn
            .query_row("SELECT $1 || $2, $3 + $3", params!["a", "b", 20], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!(in_order, ("ab".to_owned(), 40));
    }

    /// Every string literal of the store's source that holds placeholders
    /// numbers them `$1`, `$2`, … in order of first appearance.
    #[test]
    fn statements_number_placeholders_in_order() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut checked = 0;
        for entry in std::fs::read_dir(src).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for literal in string_literals(&text) {
                let mut seen: Vec<u32> = Vec::new();
                let bytes = literal.as_bytes();
                for (i, b) in bytes.iter().enumerate() {
                    if *b != b'$' {
                        continue;
                    }
                    let digits: String = literal[i + 1..]
                        .chars()
                        .take_while(char::is_ascii_digit)
                        .collect();
                    if let Ok(n) = digits.parse::<u32>()
                        && !seen.contains(&n)
                    {
                        seen.push(n);
                    }
                }
                if seen.is_empty() || literal.contains("SELECT $2 || $1") {
                    continue;
                }
                checked += 1;
                let expected: Vec<u32> = (1..=seen.len() as u32).collect();
                assert_eq!(seen, expected, "{}: {literal}", path.display());
            }
        }
        assert!(checked > 20, "only {checked} statements found");
    }

    /// The contents of the `"…"` literals of Rust source (escapes kept).
    fn string_literals(text: &str) -> Vec<&str> {
        let mut out = Vec::new();
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'/' if bytes.get(i + 1) == Some(&b'/') => {
                    while i < bytes.len() && bytes[i] != b'\n' {
                        i += 1;
                    }
                }
                b'\'' => {
                    // A char literal such as '"' or '\'' (or a lifetime).
                    if bytes.get(i + 2) == Some(&b'\'') {
                        i += 3;
                        continue;
                    }
                    if bytes.get(i + 1) == Some(&b'\\') && bytes.get(i + 3) == Some(&b'\'') {
                        i += 4;
                        continue;
                    }
                    i += 1;
                }
                b'"' => {
                    let start = i + 1;
                    i += 1;
                    while i < bytes.len() && bytes[i] != b'"' {
                        if bytes[i] == b'\\' {
                            i += 1;
                        }
                        i += 1;
                    }
                    out.push(&text[start..i.min(text.len())]);
                    i += 1;
                }
                _ => i += 1,
            }
        }
        out
    }

    /// Every file of the migrations folder is applied, numbered without gaps,
    /// and the last is the version this build writes.
    #[test]
    fn every_migration_file_is_applied_in_order() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/migrations/sqlite");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        files.sort();
        assert_eq!(files.len(), MIGRATIONS.len(), "{files:?}");
        for (i, ((version, sql), name)) in MIGRATIONS.iter().zip(&files).enumerate() {
            assert_eq!(*version, i as i64 + 1);
            assert!(name.starts_with(&format!("{version:03}_")), "{name}");
            assert_eq!(
                *sql,
                std::fs::read_to_string(
                    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                        .join("src/migrations/sqlite")
                        .join(name)
                )
                .unwrap()
            );
        }
        assert_eq!(MIGRATIONS.last().map(|m| m.0), Some(SCHEMA_VERSION));
    }

    #[test]
    fn migrations_run_once_and_record_the_version() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.db");
        let store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        drop(store);
        let store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    }

    #[test]
    fn a_newer_schema_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.db");
        let store = Store::open(&path).unwrap();
        store
            .conn
            .execute(
                "INSERT INTO schema_migrations (version, applied_at) VALUES (99, 0)",
                [],
            )
            .unwrap();
        drop(store);
        assert!(matches!(
            Store::open(&path),
            Err(StoreError::TooNew { found: 99, .. })
        ));
    }

    fn snapshot(digest: &str, as_of: i64) -> NewSnapshot {
        NewSnapshot {
            kind: "scan".into(),
            scope: String::new(),
            rescored_from: None,
            commit_id: "c1".into(),
            as_of,
            mode: "full".into(),
            methodology: "eci/1".into(),
            tool_version: "0.1.0".into(),
            schema: "friction.assessment/1".into(),
            index_score: Some(61.5),
            coverage: 0.7,
            inputs: "{}".into(),
            manifest: "{}".into(),
            digest: digest.into(),
            assessment: "{\"index\":{}}".into(),
            point: None,
            partial: None,
        }
    }

    #[test]
    fn snapshots_are_stored_listed_by_date_and_immutable() {
        let mut store = Store::open_in_memory().unwrap();
        let late = store.put_snapshot(&snapshot("d2", 200)).unwrap();
        let early = store.put_snapshot(&snapshot("d1", 100)).unwrap();
        let rows = store.snapshots().unwrap();
        assert_eq!(rows.iter().map(|r| r.id).collect::<Vec<_>>(), [early, late]);
        let (row, text) = store.snapshot(late).unwrap().unwrap();
        assert_eq!(row.digest, "d2");
        assert_eq!(store.snapshot_header(late).unwrap(), Some(row));
        assert_eq!(store.snapshot_header(999).unwrap(), None);
        assert_eq!(text, "{\"index\":{}}");
        assert_eq!(store.snapshot_with_digest("", "d1").unwrap(), Some(early));
        assert_eq!(store.snapshot_with_digest("other", "d1").unwrap(), None);
        let update = store.conn.execute(
            "UPDATE snapshots SET index_score = 99 WHERE id = $1",
            [late],
        );
        assert!(update.unwrap_err().to_string().contains("immutable"));
        let delete = store.conn.execute("DELETE FROM snapshots", []);
        assert!(delete.unwrap_err().to_string().contains("immutable"));
        assert_eq!(store.snapshots().unwrap().len(), 2);
    }

    #[test]
    fn renamed_twice_file_keeps_one_identity() {
        let mut store = Store::open_in_memory().unwrap();
        put(
            &mut store,
            &commit("a1", &[], 1),
            &[change("a.txt", None, ChangeKind::Added)],
        );
        put(
            &mut store,
            &commit("b2", &["a1"], 2),
            &[change("b.txt", Some("a.txt"), ChangeKind::Renamed)],
        );
        put(
            &mut store,
            &commit("c3", &["b2"], 3),
            &[change("c.txt", Some("b.txt"), ChangeKind::Renamed)],
        );
        store.resolve_renames().unwrap();
        assert_eq!(store.file_id("c.txt").unwrap(), "c.txt");
        assert_eq!(store.file_ids_at(&["a.txt"], "a1").unwrap(), ["c.txt"]);
        assert_eq!(store.file_history("c.txt").unwrap().len(), 3);
        assert_eq!(store.summary(WalkMode::Full).unwrap().files, 1);
    }

    /// A path re-created after it was renamed away is another file: the
    /// rename carries only the changes before it, in every reader.
    #[test]
    fn a_recreated_path_is_another_file_in_every_reader() {
        let mut store = Store::open_in_memory().unwrap();
        put(
            &mut store,
            &commit("a1", &[], 1),
            &[change("app.py", None, ChangeKind::Added)],
        );
        put(
            &mut store,
            &commit("b2", &["a1"], 2),
            &[change("app.py", None, ChangeKind::Modified)],
        );
        put(
            &mut store,
            &commit("c3", &["b2"], 3),
            &[change("sansio/app.py", Some("app.py"), ChangeKind::Renamed)],
        );
        put(
            &mut store,
            &commit("d4", &["c3"], 4),
            &[change("app.py", None, ChangeKind::Added)],
        );
        put(
            &mut store,
            &commit("e5", &["d4"], 5),
            &[change("app.py", None, ChangeKind::Modified)],
        );
        store.resolve_renames().unwrap();
        let commits = |id: &str| -> Vec<String> {
            store
                .file_history(id)
                .unwrap()
                .into_iter()
                .map(|h| h.commit)
                .collect()
        };
        assert_eq!(commits("sansio/app.py"), ["a1", "b2", "c3"]);
        assert_eq!(commits("app.py"), ["d4", "e5"]);
        assert_eq!(
            store.file_ids_at(&["app.py"], "b2").unwrap(),
            ["sansio/app.py"]
        );
        assert_eq!(store.file_ids_at(&["app.py"], "e5").unwrap(), ["app.py"]);
        let facts = store.facts(WalkMode::Full).unwrap();
        assert_eq!(facts.summary().files, 2);
        assert_eq!(store.summary(WalkMode::Full).unwrap().files, 2);
        let by_activity: Vec<(String, String)> = store
            .activity(i64::MIN, WalkMode::Full)
            .unwrap()
            .into_iter()
            .map(|r| (r.commit, r.file_id))
            .collect();
        let by_facts: Vec<(String, String)> = facts
            .changes
            .iter()
            .map(|c| {
                (
                    facts.commits[c.commit as usize].id.clone(),
                    facts.file_ids[c.file as usize].clone(),
                )
            })
            .collect();
        assert_eq!(by_activity, by_facts);
        assert_eq!(by_facts[1], ("b2".to_owned(), "sansio/app.py".to_owned()));
        assert_eq!(by_facts[3], ("d4".to_owned(), "app.py".to_owned()));
    }

    /// The numbered facts agree with the SQL summary and with `activity`:
    /// same totals, same counted changes in the same order, bots and
    /// exclusions kept apart, merges' diffs only in the first-parent view.
    #[test]
    fn facts_agree_with_the_summary_and_activity() {
        let mut store = Store::open_in_memory().unwrap();
        put(
            &mut store,
            &commit("a1", &[], 1),
            &[
                change("a.txt", None, ChangeKind::Added),
                change("b.bin", None, ChangeKind::Added),
            ],
        );
        let mut bot = commit("b2", &["a1"], 2);
        bot.author_is_bot = true;
        bot.author.email = "bot@example.com".into();
        put(
            &mut store,
            &bot,
            &[change("a.txt", None, ChangeKind::Modified)],
        );
        let mut batch = store.batch().unwrap();
        let lock = change("Cargo.lock", None, ChangeKind::Added);
        let renamed = change("c.txt", Some("a.txt"), ChangeKind::Renamed);
        batch
            .put_commit(
                &commit("c3", &["b2"], 3),
                &[
                    ChangeRow {
                        change: &lock,
                        excluded: Some("lockfile".into()),
                    },
                    ChangeRow {
                        change: &renamed,
                        excluded: None,
                    },
                ],
                false,
                false,
            )
            .unwrap();
        let mut merge = commit("m4", &["c3", "x"], 4);
        merge.merge_diffed = true;
        let merged = change("d.txt", None, ChangeKind::Added);
        batch
            .put_commit(
                &merge,
                &[ChangeRow {
                    change: &merged,
                    excluded: None,
                }],
                true,
                false,
            )
            .unwrap();
        batch.commit().unwrap();
        store.resolve_renames().unwrap();
        for mode in [WalkMode::Full, WalkMode::FirstParent] {
            let facts = store.facts(mode).unwrap();
            assert_eq!(facts.summary(), store.summary(mode).unwrap(), "{mode:?}");
            let counted: Vec<(String, String, u64)> = facts
                .changes
                .iter()
                .filter(|c| c.counted)
                .map(|c| {
                    (
                        facts.commits[c.commit as usize].id.clone(),
                        facts.file_ids[c.file as usize].clone(),
                        c.added,
                    )
                })
                .collect();
            let activity: Vec<(String, String, u64)> = store
                .activity(i64::MIN, mode)
                .unwrap()
                .into_iter()
                .map(|r| (r.commit, r.file_id, r.lines_added))
                .collect();
            assert_eq!(counted, activity, "{mode:?}");
            assert_eq!(facts.time_of("c3"), Some(3));
        }
        let full = store.facts(WalkMode::Full).unwrap();
        assert_eq!(full.summary().excluded.changes, 1);
        assert_eq!(full.summary().bot_authors, 1);
        let c3 = full.commit_index("c3").unwrap();
        assert_eq!(
            full.commits[c3 as usize].parents,
            vec![full.commit_index("b2").unwrap()]
        );
    }

    /// A store written before identities followed renames in time (version 5)
    /// opens with its renames carried over, and is read with no re-scan.
    #[test]
    fn a_version_5_store_keeps_its_renames() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v5.db");
        {
            let mut conn = Connection::open(&path).unwrap();
            conn.execute_batch(
                "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)",
            )
            .unwrap();
            for (version, sql) in &MIGRATIONS[..5] {
                let tx = conn.transaction().unwrap();
                tx.execute_batch(sql).unwrap();
                tx.execute(
                    "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, 0)",
                    [version],
                )
                .unwrap();
                tx.commit().unwrap();
            }
            conn.execute_batch(
                "INSERT INTO commits VALUES ('a1', '', 0, 'A', 'a@x', 1, 0, 'A', 'a@x', 1, 0, 0, 'm', 0, 1, 0, NULL, 1);
                 INSERT INTO commits VALUES ('b2', 'a1', 1, 'A', 'a@x', 2, 0, 'A', 'a@x', 2, 0, 0, 'm', 0, 1, 0, NULL, 1);
                 INSERT INTO file_changes VALUES ('a1', 'a.txt', NULL, NULL, NULL, 'added', 'file', 1, 0, 0, NULL, 0, NULL, 0);
                 INSERT INTO file_changes VALUES ('b2', 'b.txt', NULL, 'a.txt', NULL, 'renamed', 'file', 0, 0, 0, NULL, 0, NULL, 0);
                 INSERT INTO file_identity VALUES ('b.txt', 'a.txt');",
            )
            .unwrap();
        }
        let store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        assert_eq!(store.file_history("b.txt").unwrap().len(), 2);
        assert_eq!(store.summary(WalkMode::Full).unwrap().files, 1);
    }

    /// A reader refuses a store its writer has not migrated, naming both versions.
    #[test]
    fn a_reader_refuses_an_unmigrated_store() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL);
             INSERT INTO schema_migrations VALUES (3, 0);",
        )
        .unwrap();
        for (_, sql) in &MIGRATIONS[..3] {
            conn.execute_batch(sql).unwrap();
        }
        drop(conn);
        let err = Store::open_reader(&path).err().expect("refused");
        assert!(matches!(
            err,
            StoreError::NotMigrated {
                found: 3,
                expected: SCHEMA_VERSION
            }
        ));
        assert!(err.to_string().contains("version 3"), "{err}");
        // A store at the current version reads.
        let current = dir.path().join("new.db");
        drop(Store::open(&current).unwrap());
        assert!(Store::open_reader(&current).is_ok());
    }

    #[test]
    fn uncommitted_batch_leaves_nothing_behind() {
        let mut store = Store::open_in_memory().unwrap();
        {
            let rows = [];
            let mut batch = store.batch().unwrap();
            batch
                .put_commit(&commit("a1", &[], 1), &rows, false, false)
                .unwrap();
            // Dropped without commit: as if the process died mid-batch.
        }
        assert!(store.stored_commits(WalkMode::Full).unwrap().is_empty());
    }

    #[test]
    fn first_parent_mode_still_needs_merges_stored_without_diff() {
        let mut store = Store::open_in_memory().unwrap();
        put(&mut store, &commit("m", &["a", "b"], 1), &[]);
        assert!(store.stored_commits(WalkMode::Full).unwrap().contains("m"));
        assert!(
            !store
                .stored_commits(WalkMode::FirstParent)
                .unwrap()
                .contains("m")
        );
    }

    #[test]
    fn code_metrics_are_kept_by_blob_language_and_analyzer() {
        let mut store = Store::open_in_memory().unwrap();
        let rows = vec![("b1".to_string(), "rust".to_string(), b"{}".to_vec())];
        store.put_code_metrics(&rows, 1).unwrap();
        // Writing the same key again keeps the first measurement.
        let again = vec![("b1".to_string(), "rust".to_string(), b"[]".to_vec())];
        store.put_code_metrics(&again, 1).unwrap();
        assert_eq!(
            store.code_metrics("b1", "rust", 1).unwrap(),
            Some(b"{}".to_vec())
        );
        assert_eq!(store.code_metrics("b1", "rust", 2).unwrap(), None);
        assert_eq!(store.code_metrics("b1", "c", 1).unwrap(), None);
        let keys = vec![
            ("b1".to_string(), "rust".to_string()),
            ("b2".to_string(), "rust".to_string()),
        ];
        let known = store.known_code_metrics(&keys, 1).unwrap();
        assert_eq!(known.len(), 1);
        let tree = vec![CodeTreeRow {
            path: "src/a.rs".into(),
            path_raw: None,
            blob: "b1".into(),
            language: "rust".into(),
            excluded: None,
        }];
        store.put_code_tree("c1", &tree).unwrap();
        store.put_code_tree("c1", &tree).unwrap();
        assert_eq!(store.code_tree("c1").unwrap(), tree);
    }
}
