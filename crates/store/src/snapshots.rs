//! The snapshot family: frozen assessments and the trend figures stored with
//! them. Immutable: the schema's triggers refuse updates and deletes.

use std::collections::HashMap;

use rusqlite::{OptionalExtension, params};

use crate::{Store, StoreError, now};

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

impl Store {
    /// Stores a snapshot and returns its id.
    pub fn put_snapshot(&mut self, s: &NewSnapshot) -> Result<i64, StoreError> {
        let tx = self.conn.transaction()?;
        let id: i64 = tx.query_row(
            "INSERT INTO snapshots (created_at, kind, scope, rescored_from, commit_id, as_of, mode,
                 methodology, tool_version, schema, index_score, coverage, inputs, manifest, digest,
                 assessment, partial)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
             RETURNING id",
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
            |r| r.get(0),
        )?;
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
}
