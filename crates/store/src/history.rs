//! The history family: commits, their file changes, renames, and what is
//! read from them (totals, activity, file histories). `facts.rs` reads the
//! same tables in the compact form of the assessment.

use std::collections::{BTreeMap, HashSet};

use friction_model::{ChangeKind, CommitFact, FileChangeFact};
use rusqlite::{OptionalExtension, Transaction, params};
use serde::Serialize;

use crate::{Store, StoreError, WalkMode, bool_int, dialect, identity, to_i64, to_u64};

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
        static UPSERT: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
            let d = dialect::DIALECT;
            format!(
                "INSERT INTO commits (id, parents, parent_count, author_name, author_email, author_time, author_offset,
                    committer_name, committer_email, committer_time, committer_offset, author_is_bot, message,
                    merge_diffed, mainline, shallow_boundary, rename_limit_hit, renames_resolved)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
                 ON CONFLICT (id) DO UPDATE SET merge_diffed = {},
                    mainline = {},
                    rename_limit_hit = COALESCE(excluded.rename_limit_hit, commits.rename_limit_hit),
                    renames_resolved = {}",
                d.greatest("commits.merge_diffed", "excluded.merge_diffed"),
                d.greatest("commits.mainline", "excluded.mainline"),
                d.least("commits.renames_resolved", "excluded.renames_resolved"),
            )
        });
        self.tx.prepare_cached(&UPSERT)?.execute(params![
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

impl Store {
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
                "SELECT COUNT(*), COALESCE(SUM(CASE WHEN c.parent_count > 1 THEN 1 ELSE 0 END), 0),
                        COUNT(DISTINCT c.author_email), MIN(c.author_time), MAX(c.author_time),
                        COALESCE(SUM(CASE WHEN c.rename_limit_hit IS NOT NULL THEN 1 ELSE 0 END), 0), COALESCE(SUM(c.shallow_boundary), 0)
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
            "SELECT commit_id, path, lines_added, lines_deleted, kind,
                    CASE WHEN excluded IS NULL THEN 0 ELSE 1 END, via_merge
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
}
