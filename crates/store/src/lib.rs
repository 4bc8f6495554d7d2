//! Persistence of facts in an embedded SQLite database.
//!
//! The schema is created and upgraded by numbered migrations
//! (`src/migrations/NNN_*.sql`), applied in order inside one transaction each and
//! recorded in `schema_migrations`. SQL uses `$N` placeholders and portable types so
//! the same statements can later run on PostgreSQL.
//!
//! Consistency under interruption: a commit row and all of its file changes are
//! written in the same transaction, so after Ctrl-C or `kill -9` a commit is either
//! wholly stored or absent, and the next scan mines exactly the absent ones. The
//! database runs in WAL mode, whose committed transactions survive a process crash.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use friction_model::{ChangeKind, CommitFact, FileChangeFact};
use rusqlite::{Connection, OptionalExtension, Transaction, params};

mod facts;
mod identity;
pub use facts::{FactChange, FactCommit, Facts};
use serde::Serialize;

/// Schema migrations, in order. Never edit a released one; add a new file.
const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("migrations/001_history.sql")),
    (2, include_str!("migrations/002_code.sql")),
    (3, include_str!("migrations/003_activity_index.sql")),
    (4, include_str!("migrations/004_snapshots.sql")),
    (5, include_str!("migrations/005_incremental.sql")),
    (6, include_str!("migrations/006_rename_events.sql")),
    (7, include_str!("migrations/007_partial_snapshots.sql")),
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = 7;

/// Failures of the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite refused an operation.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
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

/// A change ready to be written, with its exclusion reason.
pub struct ChangeRow<'a> {
    /// The fact.
    pub change: &'a FileChangeFact,
    /// Exclusion reason, `None` when the change counts.
    pub excluded: Option<String>,
}

/// One stored change in the history of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileHistoryEntry {
    /// The commit id.
    pub commit: String,
    /// The path the file had in that commit.
    pub path: String,
    /// The change kind (`added`, `renamed`, …).
    pub kind: String,
    /// Lines added.
    pub lines_added: u64,
    /// Lines deleted.
    pub lines_deleted: u64,
}

/// A distinct stored path with its content-marker state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPath {
    /// The path as text.
    pub path: String,
    /// Raw bytes when the path is not UTF-8.
    pub raw: Option<Vec<u8>>,
    /// Whether the content carried a generated-file marker.
    pub generated_marker: bool,
}

/// Totals over the stored history, as reported by `friction scan`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct HistorySummary {
    /// Commits in the view.
    pub commits: u64,
    /// Of which merges.
    pub merges: u64,
    /// Distinct author identities (after mailmap).
    pub authors: u64,
    /// Of which recognised as bots.
    pub bot_authors: u64,
    /// Distinct files touched (rename chains count once).
    pub files: u64,
    /// File changes stored, excluded ones included.
    pub changes: u64,
    /// Lines added over every stored change, excluded ones included.
    pub lines_added: u64,
    /// Lines deleted over every stored change, excluded ones included.
    pub lines_deleted: u64,
    /// Changes to binary files (no line counts).
    pub binary_changes: u64,
    /// Excluded changes and their lines, by reason.
    pub excluded: ExcludedSummary,
    /// Author time of the oldest commit, epoch seconds.
    pub first_commit_time: Option<i64>,
    /// Author time of the newest commit, epoch seconds.
    pub last_commit_time: Option<i64>,
    /// Commits whose rename detection hit the limit.
    pub rename_limit_commits: u64,
    /// Commits at a shallow-clone boundary (history before them is absent).
    pub shallow_boundaries: u64,
}

/// Excluded changes, counted apart so they can be checked and explained.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ExcludedSummary {
    /// Excluded file changes.
    pub changes: u64,
    /// Lines added by excluded changes.
    pub lines_added: u64,
    /// Lines deleted by excluded changes.
    pub lines_deleted: u64,
    /// Excluded changes per reason, sorted by reason.
    pub by_reason: BTreeMap<String, u64>,
}

/// Fails with [`StoreError::PermissionDenied`] when this user may not read `path`.
fn readable(path: &Path) -> Result<(), StoreError> {
    match std::fs::File::open(path) {
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            Err(StoreError::PermissionDenied {
                path: path.to_owned(),
                action: "read",
            })
        }
        _ => Ok(()),
    }
}

/// Whether SQLite could not open a file (or its `-shm`/`-wal` companions).
fn cannot_open(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::CannotOpen | rusqlite::ErrorCode::ReadOnly)
    )
}

/// SQLite's "unable to open database file" names neither the file nor the
/// cause: say it was permission, and which file, when the directory refused.
fn refine(path: &Path, action: &'static str, e: rusqlite::Error) -> StoreError {
    if cannot_open(&e) {
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let denied = |p: &Path| {
            std::fs::File::open(p)
                .err()
                .is_some_and(|e| e.kind() == std::io::ErrorKind::PermissionDenied)
        };
        if denied(path) || denied(dir) || std::fs::read_dir(dir).is_err() {
            return StoreError::PermissionDenied {
                path: path.to_owned(),
                action,
            };
        }
    }
    StoreError::Sqlite(e)
}

/// A path as a `file:` URI path (reserved characters escaped).
fn uri_path(path: &Path) -> String {
    let mut out = String::new();
    for b in path.to_string_lossy().bytes() {
        match b {
            b'?' | b'#' | b'%' => out.push_str(&format!("%{b:02X}")),
            _ => out.push(char::from(b)),
        }
    }
    out
}

/// Checks that an open database is one of ours (or, when `empty_ok`, has no
/// tables at all), reading only.
fn ours(conn: &Connection, path: &Path, empty_ok: bool) -> Result<(), StoreError> {
    let tables: Vec<String> = match conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name")
        .and_then(|mut stmt| {
            stmt.query_map([], |r| r.get::<_, String>(0))?
                .collect::<Result<Vec<_>, _>>()
        }) {
        Ok(t) => t,
        Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::NotADatabase) => {
            return Err(StoreError::Foreign {
                path: path.to_owned(),
                what: "not an SQLite database".into(),
            });
        }
        Err(e) => return Err(StoreError::Sqlite(e)),
    };
    let has = |name: &str| tables.iter().any(|t| t == name);
    if (tables.is_empty() && empty_ok) || (has("schema_migrations") && has("commits")) {
        return Ok(());
    }
    let what = if tables.is_empty() {
        "an SQLite database without tables".to_owned()
    } else {
        let shown: Vec<&str> = tables.iter().take(5).map(String::as_str).collect();
        let more = if tables.len() > 5 { ", …" } else { "" };
        format!(
            "an SQLite database with other tables: {}{more}",
            shown.join(", ")
        )
    };
    Err(StoreError::Foreign {
        path: path.to_owned(),
        what,
    })
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

impl Store {
    /// Opens the store at `path` for writing, creating it if there is no file
    /// or an empty one, and brings its schema up to date. Anything that is not
    /// a store of ours is refused before a byte is written.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        Self::probe(path)?;
        let conn = Connection::open(path).map_err(|e| refine(path, "write", e))?;
        Self::init(conn)
    }

    /// Checks, without writing anything, that `path` may be opened for
    /// writing: absent, empty, or a store of ours that this user may write.
    /// Writing commands call it before they take the store's lock, so a refused
    /// file gets no lock file beside it.
    pub fn probe(path: &Path) -> Result<(), StoreError> {
        if !path.exists() {
            return Ok(());
        }
        readable(path)?;
        if let Err(e) = std::fs::OpenOptions::new().write(true).open(path)
            && e.kind() == std::io::ErrorKind::PermissionDenied
        {
            return Err(StoreError::PermissionDenied {
                path: path.to_owned(),
                action: "write",
            });
        }
        if std::fs::metadata(path).map(|m| m.len()).unwrap_or(0) == 0 {
            return Ok(());
        }
        let conn = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(|e| refine(path, "read", e))?;
        ours(&conn, path, true)
    }

    /// A read-only connection to the store at `path`: what reading commands
    /// use, so they work on a store they may not write (a read-only file or
    /// directory) and never create or migrate one. Also a second connection
    /// beside a writer of this process (WAL lets it read while the other
    /// writes). Fails unless the file is a store of ours at the current schema.
    pub fn open_reader(path: &Path) -> Result<Store, StoreError> {
        readable(path)?;
        if std::fs::metadata(path).map(|m| m.len()).unwrap_or(0) == 0 {
            return Err(StoreError::Foreign {
                path: path.to_owned(),
                what: "an empty file".into(),
            });
        }
        let flags =
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|e| refine(path, "read", e))?;
        let conn = match ours(&conn, path, false) {
            Ok(()) => conn,
            // A store in WAL mode needs its `-shm` index, which a reader cannot
            // create where it may not write. Nobody can be writing there
            // either, so the file is read as immutable.
            Err(StoreError::Sqlite(e)) if cannot_open(&e) => {
                drop(conn);
                let uri = format!("file:{}?immutable=1", uri_path(path));
                let conn =
                    Connection::open_with_flags(uri, flags | rusqlite::OpenFlags::SQLITE_OPEN_URI)
                        .map_err(|e| refine(path, "read", e))?;
                ours(&conn, path, false)?;
                conn
            }
            Err(e) => return Err(e),
        };
        conn.busy_timeout(std::time::Duration::from_secs(30))?;
        // SQLite's default 2 MiB page cache, not the writer's 64 MiB: a reader
        // scans whole tables once, and every fresh page of a large cache costs
        // a page fault (on git/git's 120 MB store that tax was most of reading
        // the history; a memory map cost as much in resident memory).
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        let store = Store { conn };
        let found = store.schema_version()?;
        if found > SCHEMA_VERSION {
            return Err(StoreError::TooNew {
                found,
                supported: SCHEMA_VERSION,
            });
        }
        if found != SCHEMA_VERSION {
            return Err(StoreError::NotMigrated {
                found,
                expected: SCHEMA_VERSION,
            });
        }
        Ok(store)
    }

    /// An in-memory store, for tests.
    pub fn open_in_memory() -> Result<Store, StoreError> {
        Self::init(Connection::open_in_memory()?)
    }

    fn init(conn: Connection) -> Result<Store, StoreError> {
        conn.busy_timeout(std::time::Duration::from_secs(30))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // Bulk inserts into indexes keyed by hashes touch pages at random; a 64 MiB
        // page cache (default 2 MiB) keeps them resident during a first scan.
        conn.pragma_update(None, "cache_size", -65_536)?;
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        let mut store = Store { conn };
        store.migrate()?;
        Ok(store)
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        self.conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)",
        )?;
        let current: i64 = self.conn.query_row(
            "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
            [],
            |r| r.get(0),
        )?;
        if current > SCHEMA_VERSION {
            return Err(StoreError::TooNew {
                found: current,
                supported: SCHEMA_VERSION,
            });
        }
        for (version, sql) in MIGRATIONS {
            if *version <= current {
                continue;
            }
            let tx = self.conn.transaction()?;
            tx.execute_batch(sql)?;
            tx.execute(
                "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)",
                params![version, now()],
            )?;
            tx.commit()?;
        }
        Ok(())
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT MAX(version) FROM schema_migrations", [], |r| {
                r.get(0)
            })?)
    }

    /// Ids of commits that need no mining in `mode`. In first-parent mode a merge
    /// stored without its first-parent diff still needs mining.
    pub fn stored_commits(&self, mode: WalkMode) -> Result<HashSet<String>, StoreError> {
        let sql = match mode {
            WalkMode::Full => "SELECT id FROM commits",
            WalkMode::FirstParent => {
                "SELECT id FROM commits WHERE parent_count < 2 OR merge_diffed = 1"
            }
        };
        let mut stmt = self.conn.prepare(sql)?;
        let ids = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<Result<HashSet<_>, _>>()?;
        Ok(ids)
    }

    /// Whether commit `id` is stored for `mode` (as [`Store::stored_commits`]
    /// lists them), by one indexed lookup: a re-scan asks only about the
    /// commits its walk reaches, instead of reading every stored id.
    pub fn is_stored(&self, mode: WalkMode, id: &str) -> Result<bool, StoreError> {
        let sql = match mode {
            WalkMode::Full => "SELECT 1 FROM commits WHERE id = $1",
            WalkMode::FirstParent => {
                "SELECT 1 FROM commits WHERE id = $1 AND (parent_count < 2 OR merge_diffed = 1)"
            }
        };
        let mut stmt = self.conn.prepare_cached(sql)?;
        Ok(stmt.exists([id])?)
    }

    /// The views of history scans have stored (a scan of one view does not
    /// give the other: a full scan diffs no merge against its first parent and
    /// marks no mainline).
    pub fn scanned_views(&self) -> Result<Vec<WalkMode>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT DISTINCT mode FROM scans ORDER BY mode")?;
        let modes = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok([WalkMode::FirstParent, WalkMode::Full]
            .into_iter()
            .filter(|m| modes.iter().any(|s| s == m.as_str()))
            .collect())
    }

    /// Tips of the last complete scan in `mode`.
    pub fn complete_tips(&self, mode: WalkMode) -> Result<Vec<String>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT commit_id FROM scan_tips WHERE mode = $1 ORDER BY name")?;
        let tips = stmt
            .query_map([mode.as_str()], |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(tips)
    }

    /// A value from the `meta` table.
    pub fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT value FROM meta WHERE key = $1", [key], |r| r.get(0))
            .optional()?)
    }

    /// Sets a value in the `meta` table.
    pub fn set_meta(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }

    /// Records the start of a scan and returns its id.
    pub fn begin_scan(
        &self,
        mode: WalkMode,
        refs: &str,
        tool_version: &str,
    ) -> Result<i64, StoreError> {
        self.conn.execute(
            "INSERT INTO scans (started_at, mode, refs, tool_version, status) VALUES ($1, $2, $3, $4, 'running')",
            params![now(), mode.as_str(), refs, tool_version],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Records how a scan ended. Only a complete scan records its tips, because only
    /// then is everything reachable from them stored.
    pub fn finish_scan(
        &mut self,
        scan: i64,
        status: &str,
        mined: u64,
        tips: Option<(WalkMode, &[(String, String)])>,
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "UPDATE scans SET finished_at = $1, status = $2, commits_mined = $3 WHERE id = $4",
            params![now(), status, to_i64(mined), scan],
        )?;
        if let Some((mode, tips)) = tips {
            tx.execute("DELETE FROM scan_tips WHERE mode = $1", [mode.as_str()])?;
            for (name, id) in tips {
                tx.execute(
                    "INSERT INTO scan_tips (mode, name, commit_id) VALUES ($1, $2, $3)",
                    params![mode.as_str(), name, id],
                )?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Starts a write batch. Everything written through it becomes visible at
    /// [`Batch::commit`], atomically.
    pub fn batch(&mut self) -> Result<Batch<'_>, StoreError> {
        Ok(Batch {
            tx: self.conn.transaction()?,
        })
    }

    /// Records the renames of the commits not resolved before, from which file
    /// identities follow (see `identity.rs`: a rename carries the changes
    /// before it to the new path; a path re-created afterwards is a new file).
    /// Safe to repeat after an interruption. Returns the renames recorded.
    pub fn resolve_renames(&mut self) -> Result<u64, StoreError> {
        let tx = self.conn.transaction()?;
        let linked = tx.execute(
            // CROSS JOIN keeps `commits` outside, so the partial index of
            // unresolved commits drives the query (SQLite would scan every change).
            "INSERT INTO file_renames (commit_id, committer_time, author_time, from_path, to_path)
             SELECT DISTINCT c.id, c.committer_time, c.author_time, fc.previous_path, fc.path
             FROM commits c CROSS JOIN file_changes fc ON fc.commit_id = c.id
             WHERE c.renames_resolved = 0 AND fc.kind = 'renamed'
               AND fc.previous_path IS NOT NULL AND fc.previous_path <> fc.path
             ON CONFLICT DO NOTHING",
            [],
        )?;
        tx.execute(
            "UPDATE commits SET renames_resolved = 1 WHERE renames_resolved = 0",
            [],
        )?;
        tx.commit()?;
        Ok(to_u64(i64::try_from(linked).unwrap_or(i64::MAX)))
    }

    /// The identity of the file at `path` now (in the newest stored commit).
    /// An identity is named by the newest path of its rename chain, so a path
    /// that exists now is its own identity; its history includes the changes
    /// of the paths it was renamed from, before each rename.
    pub fn file_id(&self, path: &str) -> Result<String, StoreError> {
        Ok(path.to_owned())
    }

    /// The identities of the files at `paths` in commit `commit` (a tree of
    /// the past, such as a back-test's cut): the path each reached through
    /// every later rename. A commit that is not stored is taken as the newest.
    pub fn file_ids_at(&self, paths: &[&str], commit: &str) -> Result<Vec<String>, StoreError> {
        let order: Option<(i64, i64)> = self
            .conn
            .query_row(
                "SELECT committer_time, author_time FROM commits WHERE id = $1",
                [commit],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((committer_time, author_time)) = order else {
            return Ok(paths.iter().map(|p| (*p).to_owned()).collect());
        };
        let renames = identity::Renames::load(&self.conn)?;
        let at = identity::Order {
            committer_time,
            author_time,
            id: commit,
        };
        Ok(paths
            .iter()
            .map(|p| renames.identity(p, at).to_owned())
            .collect())
    }

    /// Every stored change of the file whose identity is `file_id`, oldest first.
    pub fn file_history(&self, file_id: &str) -> Result<Vec<FileHistoryEntry>, StoreError> {
        let renames = identity::Renames::load(&self.conn)?;
        let mut stmt = self.conn.prepare(
            "SELECT fc.commit_id, fc.path, fc.kind, fc.lines_added, fc.lines_deleted,
                    c.committer_time, c.author_time
             FROM file_changes fc JOIN commits c ON c.id = fc.commit_id
             WHERE fc.path = $1 AND fc.via_merge = 0",
        )?;
        let mut rows = Vec::new();
        for path in renames.paths_of(file_id) {
            let mut q = stmt.query([&path])?;
            while let Some(r) = q.next()? {
                let entry = FileHistoryEntry {
                    commit: r.get(0)?,
                    path: r.get(1)?,
                    kind: r.get(2)?,
                    lines_added: to_u64(r.get(3)?),
                    lines_deleted: to_u64(r.get(4)?),
                };
                let order = identity::Order {
                    committer_time: r.get(5)?,
                    author_time: r.get(6)?,
                    id: &entry.commit,
                };
                if renames.identity(&entry.path, order) == file_id {
                    rows.push((order.committer_time, order.author_time, entry));
                }
            }
        }
        rows.sort_by(|a, b| (a.0, a.1, &a.2.commit).cmp(&(b.0, b.1, &b.2.commit)));
        Ok(rows.into_iter().map(|(_, _, e)| e).collect())
    }

    /// Distinct `(path, generated_marker)` pairs, for re-labelling exclusions after
    /// the configuration changed.
    pub fn distinct_paths(&self) -> Result<Vec<StoredPath>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT DISTINCT path, path_raw, generated_marker FROM file_changes ORDER BY path",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok(StoredPath {
                    path: r.get(0)?,
                    raw: r.get(1)?,
                    generated_marker: r.get::<_, i64>(2)? != 0,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// Rewrites the exclusion reason of every change at `path` with that marker state.
    pub fn relabel(&mut self, labels: &[(String, bool, Option<String>)]) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        {
            let mut stmt = tx.prepare_cached(
                "UPDATE file_changes SET excluded = $1 WHERE path = $2 AND generated_marker = $3",
            )?;
            for (path, marker, reason) in labels {
                stmt.execute(params![reason, path, bool_int(*marker)])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Totals over the stored history in `mode`'s view: in full mode every stored
    /// commit without merge diffs (what `git log --numstat` counts); in first-parent
    /// mode the mainline commits with their merge diffs.
    pub fn summary(&self, mode: WalkMode) -> Result<HistorySummary, StoreError> {
        let (commit_filter, change_filter) = match mode {
            WalkMode::Full => ("1 = 1", "fc.via_merge = 0"),
            WalkMode::FirstParent => ("c.mainline = 1", "c.mainline = 1"),
        };
        let mut s = HistorySummary::default();
        self.conn.query_row(
            &format!(
                "SELECT COUNT(*), COALESCE(SUM(c.parent_count > 1), 0),
                        COUNT(DISTINCT c.author_email), MIN(c.author_time), MAX(c.author_time),
                        COALESCE(SUM(c.rename_limit_hit IS NOT NULL), 0), COALESCE(SUM(c.shallow_boundary), 0)
                 FROM commits c WHERE {commit_filter}"
            ),
            [],
            |r| {
                s.commits = to_u64(r.get(0)?);
                s.merges = to_u64(r.get(1)?);
                s.authors = to_u64(r.get(2)?);
                s.first_commit_time = r.get(3)?;
                s.last_commit_time = r.get(4)?;
                s.rename_limit_commits = to_u64(r.get(5)?);
                s.shallow_boundaries = to_u64(r.get(6)?);
                Ok(())
            },
        )?;
        s.bot_authors = to_u64(self.conn.query_row(
            &format!(
                "SELECT COUNT(DISTINCT c.author_email) FROM commits c WHERE c.author_is_bot = 1 AND {commit_filter}"
            ),
            [],
            |r| r.get(0),
        )?);
        // The full view filters on the change alone: no join, one pass over the table.
        let join = match mode {
            WalkMode::Full => "FROM file_changes fc",
            WalkMode::FirstParent => "FROM file_changes fc JOIN commits c ON c.id = fc.commit_id",
        };
        self.conn.query_row(
            &format!(
                "SELECT COUNT(*), COALESCE(SUM(fc.lines_added), 0), COALESCE(SUM(fc.lines_deleted), 0),
                        COALESCE(SUM(fc.is_binary), 0)
                 {join} WHERE {change_filter}"
            ),
            [],
            |r| {
                s.changes = to_u64(r.get(0)?);
                s.lines_added = to_u64(r.get(1)?);
                s.lines_deleted = to_u64(r.get(2)?);
                s.binary_changes = to_u64(r.get(3)?);
                Ok(())
            },
        )?;
        {
            let renames = identity::Renames::load(&self.conn)?;
            let mut files: HashSet<String> = HashSet::new();
            let mut stmt = self.conn.prepare(&format!(
                "SELECT fc.path, c.committer_time, c.author_time, c.id
                 FROM file_changes fc JOIN commits c ON c.id = fc.commit_id WHERE {change_filter}"
            ))?;
            let mut q = stmt.query([])?;
            while let Some(r) = q.next()? {
                let path: String = r.get(0)?;
                let id: String = r.get(3)?;
                let order = identity::Order {
                    committer_time: r.get(1)?,
                    author_time: r.get(2)?,
                    id: &id,
                };
                let file = renames.identity(&path, order);
                if !files.contains(file) {
                    files.insert(file.to_owned());
                }
            }
            s.files = files.len() as u64;
        }
        let mut stmt = self.conn.prepare(&format!(
            "SELECT fc.excluded, COUNT(*), COALESCE(SUM(fc.lines_added), 0), COALESCE(SUM(fc.lines_deleted), 0)
             {join} WHERE {change_filter} AND fc.excluded IS NOT NULL
             GROUP BY fc.excluded ORDER BY fc.excluded"
        ))?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                to_u64(r.get(1)?),
                to_u64(r.get(2)?),
                to_u64(r.get(3)?),
            ))
        })?;
        for row in rows {
            let (reason, n, added, deleted) = row?;
            s.excluded.changes += n;
            s.excluded.lines_added += added;
            s.excluded.lines_deleted += deleted;
            s.excluded.by_reason.insert(reason, n);
        }
        Ok(s)
    }

    /// Which of `keys` (blob id, language) have stored measurements for `analyzer`.
    pub fn known_code_metrics(
        &self,
        keys: &[(String, String)],
        analyzer: u32,
    ) -> Result<HashSet<(String, String)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT 1 FROM code_metrics WHERE blob = $1 AND language = $2 AND analyzer = $3",
        )?;
        let mut known = HashSet::new();
        for (blob, lang) in keys {
            if stmt.exists(params![blob, lang, analyzer])? {
                known.insert((blob.clone(), lang.clone()));
            }
        }
        Ok(known)
    }

    /// Stored measurements of a blob in a language, if any.
    pub fn code_metrics(
        &self,
        blob: &str,
        language: &str,
        analyzer: u32,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT data FROM code_metrics WHERE blob = $1 AND language = $2 AND analyzer = $3",
        )?;
        Ok(stmt
            .query_row(params![blob, language, analyzer], |r| r.get(0))
            .optional()?)
    }

    /// Stores measurements, in one transaction. Existing rows are kept.
    pub fn put_code_metrics(
        &mut self,
        rows: &[(String, String, Vec<u8>)],
        analyzer: u32,
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO code_metrics (blob, language, analyzer, data) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT DO NOTHING",
            )?;
            for (blob, lang, data) in rows {
                stmt.execute(params![blob, lang, analyzer, data])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Records the measured tree of a commit (replacing an earlier record).
    pub fn put_code_tree(&mut self, commit: &str, files: &[CodeTreeRow]) -> Result<(), StoreError> {
        self.put_code_tree_as(commit, files, true)
    }

    /// Records a measured tree; `head` also makes it the tree analyses read
    /// (`meta.code_head`). Past trees (back-tests) are recorded without it.
    pub fn put_code_tree_as(
        &mut self,
        commit: &str,
        files: &[CodeTreeRow],
        head: bool,
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM code_trees WHERE commit_id = $1", [commit])?;
        if head {
            tx.execute(
                "INSERT INTO meta (key, value) VALUES ('code_head', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [commit],
            )?;
        }
        {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO code_trees (commit_id, path, path_raw, blob, language, excluded) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )?;
            for f in files {
                stmt.execute(params![
                    commit, f.path, f.path_raw, f.blob, f.language, f.excluded
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// The measured tree of a commit, by path.
    pub fn code_tree(&self, commit: &str) -> Result<Vec<CodeTreeRow>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT path, path_raw, blob, language, excluded FROM code_trees \
             WHERE commit_id = $1 ORDER BY path",
        )?;
        let rows = stmt
            .query_map([commit], |r| {
                Ok(CodeTreeRow {
                    path: r.get(0)?,
                    path_raw: r.get(1)?,
                    blob: r.get(2)?,
                    language: r.get(3)?,
                    excluded: r.get(4)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// Every counted change (not excluded, not by a bot) of commits authored at or
    /// after `since` (epoch seconds), with the file's stable identity. In
    /// first-parent mode only mainline commits, with merges' first-parent diffs.
    pub fn activity(&self, since: i64, mode: WalkMode) -> Result<Vec<ActivityRow>, StoreError> {
        self.activity_with(since, mode, false)
    }

    /// As [`Store::activity`]; with `everything`, excluded changes and bot commits
    /// are included too (code-maat parity counts every change).
    pub fn activity_with(
        &self,
        since: i64,
        mode: WalkMode,
        everything: bool,
    ) -> Result<Vec<ActivityRow>, StoreError> {
        // Three sequential scans joined in memory: on a large history this is
        // several times faster than SQLite's per-row index lookups of a join.
        struct Info {
            time: i64,
            committer_time: i64,
            email: String,
            name: String,
            offset: i64,
            bot: bool,
            mainline: bool,
        }
        let mut commits: std::collections::HashMap<String, Info> = std::collections::HashMap::new();
        {
            let mut stmt = self.conn.prepare(
                "SELECT id, author_time, author_email, author_name, author_offset, author_is_bot, mainline,
                        committer_time
                 FROM commits WHERE author_time >= $1",
            )?;
            let mut q = stmt.query([since])?;
            while let Some(r) = q.next()? {
                commits.insert(
                    r.get(0)?,
                    Info {
                        time: r.get(1)?,
                        email: r.get(2)?,
                        name: r.get(3)?,
                        offset: r.get(4)?,
                        bot: r.get::<_, i64>(5)? != 0,
                        mainline: r.get::<_, i64>(6)? != 0,
                        committer_time: r.get(7)?,
                    },
                );
            }
        }
        let renames = identity::Renames::load(&self.conn)?;
        let mut rows = Vec::new();
        let mut stmt = self.conn.prepare(
            "SELECT commit_id, path, lines_added, lines_deleted, kind, excluded IS NOT NULL, via_merge
             FROM file_changes",
        )?;
        let mut q = stmt.query([])?;
        while let Some(r) = q.next()? {
            let commit: String = r.get(0)?;
            let Some(c) = commits.get(&commit) else {
                continue;
            };
            let excluded = r.get::<_, i64>(5)? != 0;
            let via_merge = r.get::<_, i64>(6)? != 0;
            let keep_mode = match mode {
                WalkMode::Full => !via_merge,
                WalkMode::FirstParent => c.mainline,
            };
            if !keep_mode || (!everything && (c.bot || excluded)) {
                continue;
            }
            let path: String = r.get(1)?;
            let file_id = renames
                .identity(
                    &path,
                    identity::Order {
                        committer_time: c.committer_time,
                        author_time: c.time,
                        id: &commit,
                    },
                )
                .to_owned();
            rows.push(ActivityRow {
                file_id,
                path,
                commit,
                time: c.time,
                author: c.email.clone(),
                lines_added: to_u64(r.get(2)?),
                lines_deleted: to_u64(r.get(3)?),
                kind: r.get(4)?,
                author_name: c.name.clone(),
                offset: c.offset,
            });
        }
        rows.sort_unstable_by(|a, b| {
            (a.time, &a.commit, &a.path).cmp(&(b.time, &b.commit, &b.path))
        });
        Ok(rows)
    }

    /// Author, time and message of commits authored at or after `since`.
    pub fn commit_messages(
        &self,
        since: i64,
    ) -> Result<BTreeMap<String, (String, i64, String)>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT id, author_email, author_time, message FROM commits WHERE author_time >= $1",
        )?;
        let rows = stmt
            .query_map([since], |r| {
                Ok((r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?)))
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// The oldest stored commit (by author time, then id): a stable
    /// per-repository value, used to salt author pseudonyms.
    pub fn first_commit_id(&self) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT id FROM commits ORDER BY author_time, id LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// The author time of the newest stored commit.
    pub fn last_commit_time(&self) -> Result<Option<i64>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT MAX(author_time) FROM commits", [], |r| r.get(0))?)
    }

    /// Stores a snapshot and returns its id.
    pub fn put_snapshot(&mut self, s: &NewSnapshot) -> Result<i64, StoreError> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO snapshots (created_at, kind, scope, rescored_from, commit_id, as_of, mode,
                 methodology, tool_version, schema, index_score, coverage, inputs, manifest, digest,
                 assessment, partial)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
            params![
                now(),
                s.kind,
                s.scope,
                s.rescored_from,
                s.commit_id,
                s.as_of,
                s.mode,
                s.methodology,
                s.tool_version,
                s.schema,
                s.index_score,
                s.coverage,
                s.inputs,
                s.manifest,
                s.digest,
                s.assessment,
                s.partial
            ],
        )?;
        let id = tx.last_insert_rowid();
        if let Some(point) = &s.point {
            tx.execute(
                "INSERT INTO snapshot_points (snapshot, data) VALUES ($1, $2)",
                params![id, point],
            )?;
        }
        tx.commit()?;
        Ok(id)
    }

    /// The stored trend figures of snapshots, by snapshot id (snapshots
    /// stored before schema version 5 have none).
    pub fn snapshot_points(&self) -> Result<HashMap<i64, String>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT snapshot, data FROM snapshot_points")?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// Every snapshot's header (no assessment), oldest `as_of` first.
    pub fn snapshots(&self) -> Result<Vec<SnapshotRow>, StoreError> {
        self.snapshot_rows("1 = 1", [])
    }

    /// One snapshot's header (no assessment).
    pub fn snapshot_header(&self, id: i64) -> Result<Option<SnapshotRow>, StoreError> {
        Ok(self.snapshot_rows("id = $1", [id])?.into_iter().next())
    }

    /// One snapshot with its assessment.
    pub fn snapshot(&self, id: i64) -> Result<Option<(SnapshotRow, String)>, StoreError> {
        let row = self.snapshot_header(id)?;
        let Some(row) = row else { return Ok(None) };
        let text: String = self.conn.query_row(
            "SELECT assessment FROM snapshots WHERE id = $1",
            [id],
            |r| r.get(0),
        )?;
        Ok(Some((row, text)))
    }

    /// The newest snapshot of `scope` with this digest (same inputs and
    /// methodology), if any.
    pub fn snapshot_with_digest(
        &self,
        scope: &str,
        digest: &str,
    ) -> Result<Option<i64>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT MAX(id) FROM snapshots WHERE scope = $1 AND digest = $2",
                [scope, digest],
                |r| r.get(0),
            )
            .optional()?
            .flatten())
    }

    fn snapshot_rows<P: rusqlite::Params>(
        &self,
        filter: &str,
        p: P,
    ) -> Result<Vec<SnapshotRow>, StoreError> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT id, created_at, kind, scope, rescored_from, commit_id, as_of, mode, methodology,
                    tool_version, schema, index_score, coverage, inputs, manifest, digest, partial
             FROM snapshots WHERE {filter} ORDER BY scope, as_of, id"
        ))?;
        let rows = stmt
            .query_map(p, |r| {
                Ok(SnapshotRow {
                    id: r.get(0)?,
                    created_at: r.get(1)?,
                    kind: r.get(2)?,
                    scope: r.get(3)?,
                    rescored_from: r.get(4)?,
                    commit_id: r.get(5)?,
                    as_of: r.get(6)?,
                    mode: r.get(7)?,
                    methodology: r.get(8)?,
                    tool_version: r.get(9)?,
                    schema: r.get(10)?,
                    index_score: r.get(11)?,
                    coverage: r.get(12)?,
                    inputs: r.get(13)?,
                    manifest: r.get(14)?,
                    digest: r.get(15)?,
                    partial: r.get(16)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// Direct access for read-only queries by other crates' tests and reports.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }
}

/// One counted change, for behavioural analyses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityRow {
    pub commit: String,
    /// Author time, epoch seconds.
    pub time: i64,
    /// Author e-mail after `.mailmap`.
    pub author: String,
    /// Stable identity (oldest path of the rename chain).
    pub file_id: String,
    pub path: String,
    pub lines_added: u64,
    pub lines_deleted: u64,
    pub kind: String,
    /// Author name after `.mailmap` (what code-maat calls the author).
    pub author_name: String,
    /// Author's timezone offset, seconds east of UTC.
    pub offset: i64,
}

/// A snapshot to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewSnapshot {
    pub kind: String,
    pub scope: String,
    pub rescored_from: Option<i64>,
    pub commit_id: String,
    pub as_of: i64,
    pub mode: String,
    pub methodology: String,
    pub tool_version: String,
    pub schema: String,
    pub index_score: Option<f64>,
    pub coverage: f64,
    pub inputs: String,
    pub manifest: String,
    pub digest: String,
    pub assessment: String,
    /// The figures a trend shows, derived from `assessment` (JSON), if any.
    pub point: Option<String>,
    /// What the scan behind it could not read; `None` when it read everything.
    pub partial: Option<String>,
}

/// A stored snapshot's header.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SnapshotRow {
    pub id: i64,
    pub created_at: i64,
    pub kind: String,
    pub scope: String,
    pub rescored_from: Option<i64>,
    pub commit_id: String,
    pub as_of: i64,
    pub mode: String,
    pub methodology: String,
    pub tool_version: String,
    pub schema: String,
    pub index_score: Option<f64>,
    pub coverage: f64,
    #[serde(skip)]
    pub inputs: String,
    #[serde(skip)]
    pub manifest: String,
    pub digest: String,
    /// What the scan behind it could not read; `None` when it read everything.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partial: Option<String>,
}

/// One file of a measured tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeTreeRow {
    pub path: String,
    pub path_raw: Option<Vec<u8>>,
    pub blob: String,
    pub language: String,
    pub excluded: Option<String>,
}

/// A write transaction for a group of commits.
pub struct Batch<'a> {
    tx: Transaction<'a>,
}

impl Batch<'_> {
    /// Writes a commit and its changes. Re-writing a commit replaces its changes, so
    /// a merge first stored without a diff can gain its first-parent diff later.
    pub fn put_commit(
        &mut self,
        commit: &CommitFact,
        changes: &[ChangeRow<'_>],
        mainline: bool,
        shallow_boundary: bool,
    ) -> Result<(), StoreError> {
        let via_merge = commit.merge_diffed;
        if commit.is_merge() {
            // Only a merge is ever mined twice (first without, then with its
            // first-parent diff); its earlier rows make way for the new ones.
            self.tx
                .prepare_cached("DELETE FROM file_changes WHERE commit_id = $1")?
                .execute([&commit.id])?;
        }
        self.tx
            .prepare_cached(
                "INSERT INTO commits (id, parents, parent_count, author_name, author_email, author_time, author_offset,
                    committer_name, committer_email, committer_time, committer_offset, author_is_bot, message,
                    merge_diffed, mainline, shallow_boundary, rename_limit_hit, renames_resolved)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
                 ON CONFLICT (id) DO UPDATE SET merge_diffed = MAX(commits.merge_diffed, excluded.merge_diffed),
                    mainline = MAX(commits.mainline, excluded.mainline),
                    rename_limit_hit = COALESCE(excluded.rename_limit_hit, commits.rename_limit_hit),
                    renames_resolved = MIN(commits.renames_resolved, excluded.renames_resolved)",
            )?
            .execute(params![
                commit.id,
                commit.parents.join(" "),
                to_i64(commit.parents.len() as u64),
                commit.author.name,
                commit.author.email,
                commit.author_time.seconds,
                commit.author_time.offset,
                commit.committer.name,
                commit.committer.email,
                commit.committer_time.seconds,
                commit.committer_time.offset,
                bool_int(commit.author_is_bot),
                commit.message,
                bool_int(commit.merge_diffed),
                bool_int(mainline),
                bool_int(shallow_boundary),
                commit.rename_limit_hit.map(to_i64),
                // Only a commit with renames has anything for `resolve_renames` to
                // link; the others are resolved as they are written, which keeps the
                // partial index of unresolved commits (and the final update) small.
                bool_int(!changes.iter().any(|c| c.change.kind == ChangeKind::Renamed)),
            ])?;
        let mut insert = self.tx.prepare_cached(
            "INSERT INTO file_changes (commit_id, path, path_raw, previous_path, previous_path_raw, kind, entry,
                lines_added, lines_deleted, is_binary, blob, generated_marker, excluded, via_merge)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )?;
        for row in changes {
            let c = row.change;
            insert.execute(params![
                commit.id,
                c.path.lossy(),
                c.path.raw_if_not_utf8(),
                c.previous_path.as_ref().map(|p| p.lossy()),
                c.previous_path.as_ref().and_then(|p| p.raw_if_not_utf8()),
                c.kind.as_str(),
                match c.entry {
                    friction_model::EntryKind::File => "file",
                    friction_model::EntryKind::Symlink => "symlink",
                    friction_model::EntryKind::Submodule => "submodule",
                },
                to_i64(c.lines_added),
                to_i64(c.lines_deleted),
                bool_int(c.binary),
                c.blob,
                bool_int(c.generated_marker),
                row.excluded,
                bool_int(via_merge),
            ])?;
        }
        Ok(())
    }

    /// Marks already-stored commits as reached by a first-parent walk.
    pub fn mark_mainline(&mut self, ids: &[String]) -> Result<(), StoreError> {
        let mut stmt = self
            .tx
            .prepare_cached("UPDATE commits SET mainline = 1 WHERE id = $1")?;
        for id in ids {
            stmt.execute([id])?;
        }
        Ok(())
    }

    /// Makes everything written so far durable and visible.
    pub fn commit(self) -> Result<(), StoreError> {
        self.tx.commit()?;
        Ok(())
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use friction_model::{EntryKind, GitTime, Identity, RepoPath};

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
            .connection()
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
        let update = store.connection().execute(
            "UPDATE snapshots SET index_score = 99 WHERE id = $1",
            [late],
        );
        assert!(update.unwrap_err().to_string().contains("immutable"));
        let delete = store.connection().execute("DELETE FROM snapshots", []);
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
