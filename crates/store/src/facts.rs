//! The whole stored history in a compact, numbered form, for the assessment.
//!
//! [`Store::activity`] hands out one row of owned strings per change, which suits
//! the analyses that read a window. The assessment reads every change of the
//! whole history on every scan; on git/git (82k commits, 136k changes) building,
//! sorting by string and dropping those rows took most of an incremental re-scan.
//! Here commits, authors and file identities are stored once and changes refer to
//! them by number; the order is the same as [`Store::activity`]'s.

use std::collections::HashMap;

use crate::{Store, StoreError, WalkMode, to_u64};

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
}

/// A counted change (not excluded, not by a bot).
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
}

/// The stored history of one view.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    /// Sorted by (author time, id).
    pub commits: Vec<FactCommit>,
    /// (e-mail, name) after `.mailmap`, as stored per commit.
    pub authors: Vec<(String, String)>,
    /// Stable file identities (oldest path of the rename chain).
    pub file_ids: Vec<String>,
    /// Sorted by (author time, commit id, path), like [`Store::activity`].
    pub changes: Vec<FactChange>,
    /// Indices into `commits`, sorted by id.
    by_id: Vec<u32>,
}

impl Facts {
    /// The index of a stored commit.
    pub fn commit_index(&self, id: &str) -> Option<u32> {
        self.by_id
            .binary_search_by(|&i| self.commits[i as usize].id.as_str().cmp(id))
            .ok()
            .map(|k| self.by_id[k])
    }
}

impl Store {
    /// Every stored commit of `mode`'s view and its counted changes, numbered.
    /// Bots' commits are kept (they are part of the graph) but their changes are
    /// not counted, as in [`Store::activity`].
    pub fn facts(&self, mode: WalkMode) -> Result<Facts, StoreError> {
        struct Raw {
            id: String,
            time: i64,
            author: u32,
            bot: bool,
            mainline: bool,
            parents: String,
        }
        let mut authors: Vec<(String, String)> = Vec::new();
        let mut author_index: HashMap<(String, String), u32> = HashMap::new();
        let mut raw: Vec<Raw> = Vec::new();
        {
            let mut stmt = self.conn.prepare(
                "SELECT id, author_time, author_email, author_name, author_is_bot, mainline, parents FROM commits",
            )?;
            let mut q = stmt.query([])?;
            while let Some(r) = q.next()? {
                let email = r.get_ref(2)?.as_str().map_err(rusqlite::Error::from)?;
                let name = r.get_ref(3)?.as_str().map_err(rusqlite::Error::from)?;
                let key = (email.to_owned(), name.to_owned());
                let author = match author_index.get(&key) {
                    Some(&i) => i,
                    None => {
                        let i = authors.len() as u32;
                        authors.push(key.clone());
                        author_index.insert(key, i);
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
        drop(index);

        let mut identity: HashMap<String, String> = HashMap::new();
        {
            let mut stmt = self
                .conn
                .prepare("SELECT path, file_id FROM file_identity")?;
            let mut q = stmt.query([])?;
            while let Some(r) = q.next()? {
                identity.insert(r.get(0)?, r.get(1)?);
            }
        }
        let index: HashMap<&str, u32> = raw
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.as_str(), i as u32))
            .collect();
        let mut paths: Vec<String> = Vec::new();
        let mut path_index: HashMap<String, u32> = HashMap::new();
        // (commit, path, added, deleted, created)
        let mut rows: Vec<(u32, u32, u64, u64, bool)> = Vec::new();
        {
            let mut stmt = self.conn.prepare(
                "SELECT commit_id, path, lines_added, lines_deleted, kind, excluded IS NOT NULL, via_merge
                 FROM file_changes",
            )?;
            let mut q = stmt.query([])?;
            while let Some(r) = q.next()? {
                let commit = r.get_ref(0)?.as_str().map_err(rusqlite::Error::from)?;
                let Some(&ci) = index.get(commit) else {
                    continue;
                };
                let c = &raw[ci as usize];
                let excluded = r.get::<_, i64>(5)? != 0;
                let via_merge = r.get::<_, i64>(6)? != 0;
                let keep_mode = match mode {
                    WalkMode::Full => !via_merge,
                    WalkMode::FirstParent => c.mainline,
                };
                if !keep_mode || c.bot || excluded {
                    continue;
                }
                let path = r.get_ref(1)?.as_str().map_err(rusqlite::Error::from)?;
                let pi = match path_index.get(path) {
                    Some(&i) => i,
                    None => {
                        let i = paths.len() as u32;
                        paths.push(path.to_owned());
                        path_index.insert(path.to_owned(), i);
                        i
                    }
                };
                let kind = r.get_ref(4)?.as_str().map_err(rusqlite::Error::from)?;
                rows.push((
                    ci,
                    pi,
                    to_u64(r.get(2)?),
                    to_u64(r.get(3)?),
                    kind == "added" || kind == "copied",
                ));
            }
        }
        drop(index);
        drop(path_index);
        // Paths ranked by name, so changes sort by (commit, path) on numbers.
        let mut order: Vec<u32> = (0..paths.len() as u32).collect();
        order.sort_unstable_by(|a, b| paths[*a as usize].cmp(&paths[*b as usize]));
        let mut rank = vec![0u32; paths.len()];
        for (r, p) in order.iter().enumerate() {
            rank[*p as usize] = r as u32;
        }
        rows.sort_unstable_by_key(|r| (r.0, rank[r.1 as usize]));
        // File identities, numbered in order of first appearance.
        let mut file_ids: Vec<String> = Vec::new();
        let mut file_of_path = vec![u32::MAX; paths.len()];
        let mut id_index: HashMap<&str, u32> = HashMap::new();
        for (p, path) in paths.iter().enumerate() {
            let id = identity.get(path).map_or(path.as_str(), String::as_str);
            let next = id_index.len() as u32;
            file_of_path[p] = *id_index.entry(id).or_insert(next);
        }
        file_ids.resize(id_index.len(), String::new());
        for (id, i) in id_index {
            file_ids[i as usize] = id.to_owned();
        }
        let changes = rows
            .into_iter()
            .map(|(commit, path, added, deleted, created)| FactChange {
                commit,
                file: file_of_path[path as usize],
                added,
                deleted,
                created,
            })
            .collect();
        let commits: Vec<FactCommit> = raw
            .into_iter()
            .zip(parents)
            .map(|(c, parents)| FactCommit {
                id: c.id,
                time: c.time,
                author: c.author,
                parents,
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
            by_id,
        })
    }
}
