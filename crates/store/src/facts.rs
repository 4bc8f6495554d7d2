//! The whole stored history in a compact, numbered form, for the assessment.
//!
//! [`Store::activity`] hands out one row of owned strings per change, which suits
//! the analyses that read a window. The assessment reads every change of the
//! whole history on every scan; on git/git (82k commits, 136k changes) building,
//! sorting by string and dropping those rows took most of an incremental re-scan.
//! Here commits, authors and file identities are stored once and changes refer to
//! them by number; the order is the same as [`Store::activity`]'s.

use std::collections::BTreeSet;

/// Hash maps keyed by commit ids, paths and identities: a fast, fixed-seed
/// hasher (these keys are not chosen by an adversary, and SipHash was a
/// visible share of reading a long history).
type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::FixedState>;

use crate::{HistorySummary, Store, StoreError, WalkMode, to_u64};

/// A stored commit (every one in the view, with or without counted changes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FactCommit {
    pub id: String,
    /// Author time, epoch seconds.
    pub time: i64,
    /// Index into [`Facts::authors`].
    pub author: u32,
    /// Parents as indices into [`Facts::commits`] (first parent first); parents
    /// not stored (a shallow boundary, another view) are left out.
    pub parents: Vec<u32>,
    /// More than one parent (stored or not).
    pub merge: bool,
    /// Reached by a first-parent walk.
    pub mainline: bool,
    /// The author is recognised as a bot.
    pub bot: bool,
    /// 1 when the commit's first parent is not stored (a commit the scan
    /// could not read; a shallow clone's boundary does not count): a walk
    /// through `parents` stops short here.
    pub missing_parents: u32,
    /// Rename detection hit the limit in this commit.
    pub rename_limit_hit: bool,
    /// A shallow-clone boundary.
    pub shallow_boundary: bool,
}

/// A stored change of the view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FactChange {
    /// Index into [`Facts::commits`].
    pub commit: u32,
    /// Index into [`Facts::file_ids`].
    pub file: u32,
    pub added: u64,
    pub deleted: u64,
    /// The change created the file (added or copied).
    pub created: bool,
    pub binary: bool,
    /// Why it is excluded: an index into [`Facts::exclusions`].
    pub excluded: Option<u16>,
    /// Counted as engineering work: not excluded, not by a bot.
    pub counted: bool,
}

/// The stored history of one view.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    /// Sorted by (author time, id).
    pub commits: Vec<FactCommit>,
    /// (e-mail, name) after `.mailmap`, as stored per commit.
    pub authors: Vec<(String, String)>,
    /// File identities (the newest path of the rename chain; see `identity.rs`).
    pub file_ids: Vec<String>,
    /// Every change of the view (merges' first-parent diffs only in the
    /// first-parent view), sorted by (author time, commit id, path) like
    /// [`Store::activity`]; [`FactChange::counted`] marks what it returns.
    pub changes: Vec<FactChange>,
    /// Exclusion reasons, sorted.
    pub exclusions: Vec<String>,
    pub mode: Option<WalkMode>,
    /// Indices into `commits`, sorted by id.
    by_id: Vec<u32>,
}

impl Facts {
    /// The author time of a stored commit.
    pub fn time_of(&self, id: &str) -> Option<i64> {
        self.commit_index(id).map(|i| self.commits[i as usize].time)
    }

    /// The index of a stored commit.
    pub fn commit_index(&self, id: &str) -> Option<u32> {
        self.by_id
            .binary_search_by(|&i| self.commits[i as usize].id.as_str().cmp(id))
            .ok()
            .map(|k| self.by_id[k])
    }
}

impl Facts {
    /// The totals of [`Store::summary`], from the facts already read: in the
    /// full view every stored commit and every change except merges' diffs; in
    /// the first-parent view the mainline commits and their changes.
    pub fn summary(&self) -> HistorySummary {
        let first_parent = self.mode == Some(WalkMode::FirstParent);
        let in_view = |c: &FactCommit| !first_parent || c.mainline;
        let mut s = HistorySummary::default();
        let mut authors = vec![false; self.authors.len()];
        let mut emails: BTreeSet<&str> = BTreeSet::new();
        let mut bot_emails: BTreeSet<&str> = BTreeSet::new();
        for c in self.commits.iter().filter(|c| in_view(c)) {
            s.commits += 1;
            s.merges += u64::from(c.merge);
            s.rename_limit_commits += u64::from(c.rename_limit_hit);
            s.shallow_boundaries += u64::from(c.shallow_boundary);
            s.first_commit_time = Some(s.first_commit_time.map_or(c.time, |t| t.min(c.time)));
            s.last_commit_time = Some(s.last_commit_time.map_or(c.time, |t| t.max(c.time)));
            if !std::mem::replace(&mut authors[c.author as usize], true) {
                emails.insert(&self.authors[c.author as usize].0);
            }
            if c.bot {
                bot_emails.insert(&self.authors[c.author as usize].0);
            }
        }
        s.authors = emails.len() as u64;
        s.bot_authors = bot_emails.len() as u64;
        let mut files = vec![false; self.file_ids.len()];
        for ch in &self.changes {
            s.changes += 1;
            s.lines_added += ch.added;
            s.lines_deleted += ch.deleted;
            s.binary_changes += u64::from(ch.binary);
            files[ch.file as usize] = true;
            if let Some(e) = ch.excluded {
                s.excluded.changes += 1;
                s.excluded.lines_added += ch.added;
                s.excluded.lines_deleted += ch.deleted;
                *s.excluded
                    .by_reason
                    .entry(self.exclusions[e as usize].clone())
                    .or_default() += 1;
            }
        }
        s.files = files.iter().filter(|f| **f).count() as u64;
        s
    }
}

impl Store {
    /// Every stored commit of `mode`'s view and its counted changes, numbered.
    /// Bots' commits are kept (they are part of the graph) but their changes are
    /// not counted, as in [`Store::activity`].
    pub fn facts(&self, mode: WalkMode) -> Result<Facts, StoreError> {
        // The changes are read on a second connection while this one reads the
        // commits (a store in memory reads both here). This connection's read
        // snapshot is taken first, so the other's is the same or newer: every
        // commit read here has all its changes there (a commit and its changes
        // are written in one transaction), and changes of newer commits are
        // left out below.
        let _snapshot = if self.conn.is_autocommit() {
            let tx = self.conn.unchecked_transaction()?;
            tx.query_row("SELECT COUNT(*) FROM meta", [], |r| r.get::<_, i64>(0))?;
            Some(tx)
        } else {
            None
        };
        let second = self.second_reader();
        std::thread::scope(|s| {
            let reader = second.map(|store| s.spawn(move || read_changes(&store.conn)));
            self.facts_with(mode, reader)
        })
    }

    fn facts_with(
        &self,
        mode: WalkMode,
        reader: Option<std::thread::ScopedJoinHandle<'_, Result<ChangesRead, StoreError>>>,
    ) -> Result<Facts, StoreError> {
        struct Raw {
            id: String,
            time: i64,
            author: u32,
            bot: bool,
            mainline: bool,
            parents: String,
            merge: bool,
            rename_limit_hit: bool,
            shallow_boundary: bool,
            committer_time: i64,
        }
        let mut authors: Vec<(String, String)> = Vec::new();
        // Authors by a hash of (e-mail, name), so that looking one up does not
        // copy the row's strings.
        let mut author_index: HashMap<u64, Vec<u32>> = HashMap::default();
        let key_of = |email: &str, name: &str| {
            use std::hash::{BuildHasher, Hasher};
            let mut h = foldhash::fast::FixedState::default().build_hasher();
            h.write(email.as_bytes());
            h.write_u8(0xff);
            h.write(name.as_bytes());
            h.finish()
        };
        let mut raw: Vec<Raw> = Vec::new();
        {
            let mut stmt = self.conn.prepare(
                "SELECT id, author_time, author_email, author_name, author_is_bot, mainline, parents,
                        CASE WHEN parent_count > 1 THEN 1 ELSE 0 END,
                        CASE WHEN rename_limit_hit IS NULL THEN 0 ELSE 1 END, shallow_boundary,
                        committer_time
                 FROM commits",
            )?;
            let mut q = stmt.query([])?;
            while let Some(r) = q.next()? {
                let email = r.get_ref(2)?.as_str().map_err(rusqlite::Error::from)?;
                let name = r.get_ref(3)?.as_str().map_err(rusqlite::Error::from)?;
                let candidates = author_index.entry(key_of(email, name)).or_default();
                let author = match candidates.iter().find(|&&i| {
                    let (e, n) = &authors[i as usize];
                    e == email && n == name
                }) {
                    Some(&i) => i,
                    None => {
                        let i = authors.len() as u32;
                        authors.push((email.to_owned(), name.to_owned()));
                        candidates.push(i);
                        i
                    }
                };
                raw.push(Raw {
                    id: r.get(0)?,
                    time: r.get(1)?,
                    author,
                    bot: r.get::<_, i64>(4)? != 0,
                    mainline: r.get::<_, i64>(5)? != 0,
                    parents: r.get(6)?,
                    merge: r.get::<_, i64>(7)? != 0,
                    rename_limit_hit: r.get::<_, i64>(8)? != 0,
                    shallow_boundary: r.get::<_, i64>(9)? != 0,
                    committer_time: r.get(10)?,
                });
            }
        }
        raw.sort_unstable_by(|a, b| (a.time, &a.id).cmp(&(b.time, &b.id)));
        let index: HashMap<&str, u32> = raw
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.as_str(), i as u32))
            .collect();
        let parents: Vec<Vec<u32>> = raw
            .iter()
            .map(|c| {
                c.parents
                    .split_ascii_whitespace()
                    .filter_map(|p| index.get(p).copied())
                    .collect()
            })
            .collect();
        // Only a missing *first* parent is a gap: a store filled by
        // `scan --first-parent` never holds merges' other parents.
        let missing: Vec<u32> = raw
            .iter()
            .map(|c| {
                let first = c.parents.split_ascii_whitespace().next();
                u32::from(!c.shallow_boundary && first.is_some_and(|p| !index.contains_key(p)))
            })
            .collect();

        let renames = crate::identity::Renames::load(&self.conn)?;
        let keys: HashMap<CommitKey, u32> = raw
            .iter()
            .enumerate()
            .map(|(i, c)| (commit_key(&c.id), i as u32))
            .collect();
        let changes_read = match reader {
            Some(h) => match h.join() {
                Ok(r) => r?,
                Err(p) => std::panic::resume_unwind(p),
            },
            None => read_changes(&self.conn)?,
        };
        let paths = changes_read.paths;
        // Each kept change with the number of its commit.
        let mut rows: Vec<(u32, ChangeRead)> = Vec::with_capacity(changes_read.rows.len());
        for r in changes_read.rows {
            let Some(&ci) = keys.get(&r.commit) else {
                continue;
            };
            let keep_mode = match mode {
                WalkMode::Full => !r.via_merge,
                WalkMode::FirstParent => raw[ci as usize].mainline,
            };
            if keep_mode {
                rows.push((ci, r));
            }
        }
        // Paths ranked by name, so changes sort by (commit, path) on numbers.
        let mut order: Vec<u32> = (0..paths.len() as u32).collect();
        order.sort_unstable_by(|a, b| paths[*a as usize].cmp(&paths[*b as usize]));
        let mut rank = vec![0u32; paths.len()];
        for (r, p) in order.iter().enumerate() {
            rank[*p as usize] = r as u32;
        }
        rows.sort_unstable_by_key(|(ci, r)| (*ci, rank[r.path as usize]));
        let exclusions: Vec<String> = rows
            .iter()
            .filter_map(|(_, r)| r.excluded.clone())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        // File identities, numbered in order of first appearance. A path never
        // renamed away is its own identity whenever it changed; the others
        // depend on when (see `identity.rs`).
        let mut file_ids: Vec<String> = Vec::new();
        let mut id_index: HashMap<&str, u32> = HashMap::default();
        let mut file_of_path = vec![u32::MAX; paths.len()];
        let mut file_of = |ci: u32, p: u32| -> u32 {
            let path = paths[p as usize].as_str();
            let steady = !renames.renamed_away(path);
            if steady && file_of_path[p as usize] != u32::MAX {
                return file_of_path[p as usize];
            }
            let c = &raw[ci as usize];
            let id = renames.identity(
                path,
                crate::identity::Order {
                    committer_time: c.committer_time,
                    author_time: c.time,
                    id: &c.id,
                },
            );
            let next = id_index.len() as u32;
            let file = *id_index.entry(id).or_insert_with(|| {
                file_ids.push(id.to_owned());
                next
            });
            if steady {
                file_of_path[p as usize] = file;
            }
            file
        };
        let files: Vec<u32> = rows.iter().map(|(ci, r)| file_of(*ci, r.path)).collect();
        let changes = rows
            .into_iter()
            .zip(files)
            .map(|((ci, r), file)| FactChange {
                commit: ci,
                file,
                added: r.added,
                deleted: r.deleted,
                created: r.created,
                binary: r.binary,
                counted: !raw[ci as usize].bot && r.excluded.is_none(),
                excluded: r
                    .excluded
                    .map(|e| exclusions.binary_search(&e).unwrap_or_default() as u16),
            })
            .collect();
        let commits: Vec<FactCommit> = raw
            .into_iter()
            .zip(parents)
            .zip(missing)
            .map(|((c, parents), missing_parents)| FactCommit {
                id: c.id,
                time: c.time,
                author: c.author,
                parents,
                merge: c.merge,
                mainline: c.mainline,
                bot: c.bot,
                missing_parents,
                rename_limit_hit: c.rename_limit_hit,
                shallow_boundary: c.shallow_boundary,
            })
            .collect();
        let mut by_id: Vec<u32> = (0..commits.len() as u32).collect();
        by_id.sort_unstable_by(|a: &u32, b: &u32| {
            let (a, b): (&FactCommit, &FactCommit) = (&commits[*a as usize], &commits[*b as usize]);
            a.id.cmp(&b.id)
        });
        Ok(Facts {
            commits,
            authors,
            file_ids,
            changes,
            exclusions,
            mode: Some(mode),
            by_id,
        })
    }
}

/// A commit id as fixed-size bytes (hex decoded; SHA-1 and SHA-256 fit, with
/// their length), so that matching changes to commits needs no string per
/// change. Anything that is not hex (never written by a scan) is kept as text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum CommitKey {
    Hex([u8; 32], u8),
    Text(Box<str>),
}

fn commit_key(hex: &str) -> CommitKey {
    let b = hex.as_bytes();
    let nibble = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    };
    let decode = || {
        if b.len() > 64 || !b.len().is_multiple_of(2) {
            return None;
        }
        let mut key = [0u8; 32];
        for (i, pair) in b.chunks_exact(2).enumerate() {
            key[i] = (nibble(pair[0])? << 4) | nibble(pair[1])?;
        }
        Some(CommitKey::Hex(key, b.len() as u8))
    };
    decode().unwrap_or_else(|| CommitKey::Text(hex.into()))
}

/// A stored change as read, before it is matched to its commit.
struct ChangeRead {
    commit: CommitKey,
    path: u32,
    added: u64,
    deleted: u64,
    created: bool,
    binary: bool,
    excluded: Option<String>,
    via_merge: bool,
}

/// Every stored change, with paths numbered in order of appearance.
struct ChangesRead {
    paths: Vec<String>,
    rows: Vec<ChangeRead>,
}

fn read_changes(conn: &rusqlite::Connection) -> Result<ChangesRead, StoreError> {
    let mut paths: Vec<String> = Vec::new();
    let mut path_index: HashMap<String, u32> = HashMap::default();
    let mut rows = Vec::new();
    let mut stmt = conn.prepare(
        "SELECT commit_id, path, lines_added, lines_deleted, kind, excluded, via_merge, is_binary
         FROM file_changes",
    )?;
    let mut q = stmt.query([])?;
    while let Some(r) = q.next()? {
        let commit = r.get_ref(0)?.as_str().map_err(rusqlite::Error::from)?;
        let commit = commit_key(commit);
        let path = r.get_ref(1)?.as_str().map_err(rusqlite::Error::from)?;
        let path = match path_index.get(path) {
            Some(&i) => i,
            None => {
                let i = paths.len() as u32;
                paths.push(path.to_owned());
                path_index.insert(path.to_owned(), i);
                i
            }
        };
        let kind = r.get_ref(4)?.as_str().map_err(rusqlite::Error::from)?;
        rows.push(ChangeRead {
            commit,
            path,
            added: to_u64(r.get(2)?),
            deleted: to_u64(r.get(3)?),
            created: kind == "added" || kind == "copied",
            excluded: r.get(5)?,
            via_merge: r.get::<_, i64>(6)? != 0,
            binary: r.get::<_, i64>(7)? != 0,
        });
    }
    Ok(ChangesRead { paths, rows })
}
