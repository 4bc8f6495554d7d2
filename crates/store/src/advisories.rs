//! The advisory family: offline advisory databases imported with
//! `friction advisories import`, their records (kept as the caller's JSON)
//! and the packages each covers. A database is written in one transaction:
//! importing the same path again replaces its records, and a failed import
//! leaves the store as it was.

use rusqlite::{OptionalExtension, params};

use crate::{Store, StoreError, now, to_i64};

/// An imported advisory database.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AdvisoryDatabase {
    /// The path it was imported from, as given.
    pub path: String,
    /// `osv`, `osv-zip` or `rustsec`.
    pub format: String,
    /// The newest record's date, `YYYY-MM-DD`.
    pub database_date: Option<String>,
    pub imported_at: i64,
    pub advisories: u64,
    pub withdrawn: u64,
    /// Ranges left out because a version in them does not parse.
    pub bad_ranges: u64,
    /// Affected packages of ecosystems friction does not read.
    pub other_packages: u64,
}

/// One advisory record to store: its id, its JSON and the (ecosystem,
/// canonical name) pairs it covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdvisoryRow {
    pub id: String,
    pub body: String,
    pub packages: Vec<(String, String)>,
}

impl Store {
    /// Stores `database` and its `records`, replacing a database imported
    /// from the same path; one transaction.
    pub fn replace_advisory_database(
        &mut self,
        database: &AdvisoryDatabase,
        records: &[AdvisoryRow],
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        let old: Option<i64> = tx
            .query_row(
                "SELECT id FROM advisory_databases WHERE path = ?1",
                [&database.path],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(old) = old {
            tx.execute("DELETE FROM advisory_packages WHERE database = ?1", [old])?;
            tx.execute("DELETE FROM advisories WHERE database = ?1", [old])?;
            tx.execute("DELETE FROM advisory_databases WHERE id = ?1", [old])?;
        }
        tx.execute(
            "INSERT INTO advisory_databases (path, format, database_date, imported_at, advisories, \
             withdrawn, bad_ranges, other_packages) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                database.path,
                database.format,
                database.database_date,
                now(),
                to_i64(database.advisories),
                to_i64(database.withdrawn),
                to_i64(database.bad_ranges),
                to_i64(database.other_packages),
            ],
        )?;
        let id = tx.last_insert_rowid();
        {
            let mut advisory = tx.prepare(
                "INSERT OR REPLACE INTO advisories (database, id, body) VALUES (?1, ?2, ?3)",
            )?;
            let mut package = tx.prepare(
                "INSERT INTO advisory_packages (database, ecosystem, name, advisory) VALUES (?1, ?2, ?3, ?4)",
            )?;
            for r in records {
                advisory.execute(params![id, r.id, r.body])?;
                for (ecosystem, name) in &r.packages {
                    package.execute(params![id, ecosystem, name, r.id])?;
                }
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// The imported databases, by path.
    pub fn advisory_databases(&self) -> Result<Vec<AdvisoryDatabase>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT path, format, database_date, imported_at, advisories, withdrawn, bad_ranges, \
             other_packages FROM advisory_databases ORDER BY path",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(AdvisoryDatabase {
                path: r.get(0)?,
                format: r.get(1)?,
                database_date: r.get(2)?,
                imported_at: r.get(3)?,
                advisories: r.get::<_, i64>(4)?.max(0) as u64,
                withdrawn: r.get::<_, i64>(5)?.max(0) as u64,
                bad_ranges: r.get::<_, i64>(6)?.max(0) as u64,
                other_packages: r.get::<_, i64>(7)?.max(0) as u64,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The JSON of every advisory covering one of `packages` ((ecosystem,
    /// canonical name) pairs), each record once, ordered by database and id.
    pub fn advisories_for(
        &self,
        packages: &[(String, String)],
    ) -> Result<Vec<(String, String)>, StoreError> {
        let mut find = self.conn.prepare_cached(
            "SELECT database, advisory FROM advisory_packages WHERE ecosystem = ?1 AND name = ?2",
        )?;
        let mut keys = std::collections::BTreeSet::new();
        for (ecosystem, name) in packages {
            let rows = find.query_map(params![ecosystem, name], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
            })?;
            for row in rows {
                keys.insert(row?);
            }
        }
        let mut body = self
            .conn
            .prepare_cached("SELECT body FROM advisories WHERE database = ?1 AND id = ?2")?;
        let mut out = Vec::with_capacity(keys.len());
        for (database, id) in keys {
            let text: String = body.query_row(params![database, id], |r| r.get(0))?;
            out.push((id, text));
        }
        Ok(out)
    }
}
