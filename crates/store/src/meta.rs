//! Opening a store and what describes it: who may open it how (writers create
//! or migrate only an absent or empty file or a store of ours; readers never
//! write), the schema migrations, the `meta` table and the record of scans.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};

use crate::{DatabaseError, MIGRATIONS, SCHEMA_VERSION, Store, StoreError, WalkMode, now, to_i64};

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

    /// A second read connection to this store's file, for reading on
    /// another thread; `None` for a store in memory, or when the file cannot
    /// be opened again (the caller then reads on this connection).
    pub fn second_reader(&self) -> Option<Store> {
        self.conn
            .path()
            .filter(|p| !p.is_empty())
            .and_then(|p| Store::open_reader(Path::new(p)).ok())
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
            Err(StoreError::Database(DatabaseError(e))) if cannot_open(&e) => {
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
        Ok(self.conn.query_row(
            "INSERT INTO scans (started_at, mode, refs, tool_version, status) VALUES ($1, $2, $3, $4, 'running')
             RETURNING id",
            params![now(), mode.as_str(), refs, tool_version],
            |r| r.get(0),
        )?)
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
    StoreError::from(e)
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
        Err(e) => return Err(e.into()),
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
