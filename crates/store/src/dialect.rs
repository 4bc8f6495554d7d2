//! The SQL that has no portable form, written once per database.
//!
//! Everything else the store sends is meant to run unchanged on SQLite and
//! PostgreSQL: `$N` placeholders (bound by number, tested), `RETURNING` for
//! generated ids, `CASE` to count conditions, `ON CONFLICT` upserts and
//! `INTEGER`/`TEXT`/`BLOB`-typed columns. What differs goes through here.

/// A database's SQL dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    /// SQLite: two-argument `MAX`/`MIN` are scalar functions.
    Sqlite,
}

/// The dialect of this build's database.
pub(crate) const DIALECT: Dialect = Dialect::Sqlite;

impl Dialect {
    /// The larger of two values (PostgreSQL: `GREATEST`).
    pub(crate) fn greatest(self, a: &str, b: &str) -> String {
        match self {
            Dialect::Sqlite => format!("MAX({a}, {b})"),
        }
    }

    /// The smaller of two values (PostgreSQL: `LEAST`).
    pub(crate) fn least(self, a: &str, b: &str) -> String {
        match self {
            Dialect::Sqlite => format!("MIN({a}, {b})"),
        }
    }
}
