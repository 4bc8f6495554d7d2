//! The code family: measurements by blob id, language and analyzer version,
//! and the measured trees (which blob sits at which path in a commit).

use std::collections::HashSet;

use rusqlite::{OptionalExtension, params};

use crate::{Store, StoreError};

/// One file of a measured tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeTreeRow {
    pub path: String,
    pub path_raw: Option<Vec<u8>>,
    pub blob: String,
    pub language: String,
    pub excluded: Option<String>,
}

/// A file of a measured tree with its stored measurements, if any.
pub type MeasuredFile = (CodeTreeRow, Option<Vec<u8>>);

impl Store {
    /// Which of `keys` (blob id, language) have stored measurements for
    /// `analyzer`: one query per few hundred blobs, not one per key.
    pub fn known_code_metrics(
        &self,
        keys: &[(String, String)],
        analyzer: u32,
    ) -> Result<HashSet<(String, String)>, StoreError> {
        const CHUNK: usize = 500;
        let wanted: HashSet<(&str, &str)> =
            keys.iter().map(|(b, l)| (b.as_str(), l.as_str())).collect();
        let mut blobs: Vec<&str> = keys.iter().map(|(b, _)| b.as_str()).collect();
        blobs.sort_unstable();
        blobs.dedup();
        let mut known = HashSet::new();
        for chunk in blobs.chunks(CHUNK) {
            let list: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
            let mut stmt = self.conn.prepare_cached(&format!(
                "SELECT blob, language FROM code_metrics WHERE analyzer = $1 AND blob IN ({})",
                list.join(", ")
            ))?;
            let mut values: Vec<&dyn rusqlite::ToSql> = vec![&analyzer];
            values.extend(chunk.iter().map(|b| b as &dyn rusqlite::ToSql));
            let mut q = stmt.query(values.as_slice())?;
            while let Some(r) = q.next()? {
                let key: (String, String) = (r.get(0)?, r.get(1)?);
                if wanted.contains(&(key.0.as_str(), key.1.as_str())) {
                    known.insert(key);
                }
            }
        }
        Ok(known)
    }

    /// Every (blob id, language) with stored measurements for `analyzer`.
    pub fn code_metric_keys(&self, analyzer: u32) -> Result<HashSet<(String, String)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT blob, language FROM code_metrics WHERE analyzer = $1")?;
        let keys = stmt
            .query_map([analyzer], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<HashSet<_>, _>>()?;
        Ok(keys)
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

    /// The measured tree of a commit, by path, each file with its stored
    /// measurements for `analyzer` (if any), in one query rather than one per
    /// file.
    pub fn measured_tree(
        &self,
        commit: &str,
        analyzer: u32,
    ) -> Result<Vec<MeasuredFile>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT t.path, t.path_raw, t.blob, t.language, t.excluded, m.data
             FROM code_trees t LEFT JOIN code_metrics m
               ON m.blob = t.blob AND m.language = t.language AND m.analyzer = $1
             WHERE t.commit_id = $2 ORDER BY t.path",
        )?;
        let rows = stmt
            .query_map(params![analyzer, commit], |r| {
                Ok((
                    CodeTreeRow {
                        path: r.get(0)?,
                        path_raw: r.get(1)?,
                        blob: r.get(2)?,
                        language: r.get(3)?,
                        excluded: r.get(4)?,
                    },
                    r.get(5)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
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
}
