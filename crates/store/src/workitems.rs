//! Readers of the work items and their changes (migration 13): one row per
//! source key — the tracker, the repository and the item's key. Of an item
//! several exports hold, the newest `updated_at` wins (then the later input);
//! a change several exports hold is read once.

use friction_model::inputs::{WorkItem, WorkItemChange};

use crate::{Store, StoreError};

/// A commit as execution verification reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkCommit {
    pub id: String,
    /// The author's e-mail (counted per team, never shown).
    pub author: String,
    pub time: i64,
    /// The author's offset from UTC, in minutes.
    pub offset_minutes: i32,
    pub message: String,
}

/// A stored work-item change as [`Store::visit_work_item_changes`] hands
/// it over: the fields of [`WorkItemChange`], borrowed from the row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WorkItemChangeRow<'a> {
    pub source: &'a str,
    pub scope: &'a str,
    pub key: &'a str,
    pub id: &'a str,
    pub field: &'a str,
    pub from: &'a str,
    pub to: &'a str,
    pub at: Option<i64>,
}

/// Column `i` of `row` as borrowed text.
fn text<'r>(row: &'r rusqlite::Row<'_>, i: usize) -> Result<&'r str, StoreError> {
    row.get_ref(i)?.as_str().map_err(|e| {
        StoreError::from(rusqlite::Error::FromSqlConversionFailure(
            i,
            rusqlite::types::Type::Text,
            Box::new(e),
        ))
    })
}

impl Store {
    /// The commits authored at or after `since`, with their messages and
    /// author offsets, by id. When `since` reaches back to the oldest commit
    /// the table is read in its own order (a walk of an index would seek the
    /// row of every commit); the rows are sorted here.
    pub fn work_commits(&self, since: i64) -> Result<Vec<WorkCommit>, StoreError> {
        let oldest: Option<i64> =
            self.conn
                .query_row("SELECT MIN(author_time) FROM commits", [], |r| r.get(0))?;
        let sql = if oldest.is_none_or(|t| since <= t) {
            "SELECT id, author_email, author_time, author_offset, message FROM commits NOT INDEXED
             WHERE author_time >= $1"
        } else {
            "SELECT id, author_email, author_time, author_offset, message FROM commits
             WHERE author_time >= $1"
        };
        let mut stmt = self.conn.prepare(sql)?;
        let rows = stmt.query_map([since], |r| {
            Ok(WorkCommit {
                id: r.get(0)?,
                author: r.get(1)?,
                time: r.get(2)?,
                offset_minutes: (r.get::<_, i64>(3)? / 60) as i32,
                message: r.get(4)?,
            })
        })?;
        let mut out: Vec<WorkCommit> = rows.collect::<Result<_, _>>()?;
        // Ids are unique (the primary key).
        out.sort_unstable_by(|a, b| a.id.cmp(&b.id));
        Ok(out)
    }

    /// Whether any work item is stored (cheap: the assessment reads work
    /// items only then).
    pub fn has_work_items(&self) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT EXISTS (SELECT 1 FROM work_items)", [], |r| {
                r.get::<_, bool>(0)
            })?)
    }

    /// Every work item once, by source, repository and key. The key order
    /// comes from the key index alone (a covering walk: no row seeks, no
    /// sorter), the rows from the table in its own order; of a key's
    /// versions the newest `updated_at` wins (none is oldest), then the
    /// later input.
    pub fn work_items(&self) -> Result<Vec<WorkItem>, StoreError> {
        // Both reads in one read transaction: the same rows.
        let _snapshot = if self.conn.is_autocommit() {
            Some(self.conn.unchecked_transaction()?)
        } else {
            None
        };
        // Each row's key, numbered in key order.
        let mut key_of: std::collections::HashMap<i64, u32, foldhash::fast::FixedState> =
            std::collections::HashMap::default();
        let mut keys = 0u32;
        {
            let mut stmt = self.conn.prepare(
                "SELECT rowid, source, scope, item_key FROM work_items INDEXED BY work_items_key
                 ORDER BY source, scope, item_key",
            )?;
            let mut rows = stmt.query([])?;
            let mut prev = (String::new(), String::new(), String::new());
            while let Some(r) = rows.next()? {
                let (source, scope, key) = (text(r, 1)?, text(r, 2)?, text(r, 3)?);
                if keys == 0 || prev.0 != source || prev.1 != scope || prev.2 != key {
                    keys += 1;
                    for (p, t) in [
                        (&mut prev.0, source),
                        (&mut prev.1, scope),
                        (&mut prev.2, key),
                    ] {
                        p.clear();
                        p.push_str(t);
                    }
                }
                key_of.insert(r.get(0)?, keys - 1);
            }
        }
        let mut newest: Vec<Option<((i64, i64), WorkItem)>> = Vec::new();
        newest.resize_with(keys as usize, || None);
        let mut stmt = self.conn.prepare(
            "SELECT rowid, updated_at, input, source, scope, item_key, item_id, title, kind, status,
                    category, inferred, resolution, labels, project, components, team, parent,
                    created_at, resolved_at, url
             FROM work_items NOT INDEXED",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let Some(&k) = key_of.get(&r.get::<_, i64>(0)?) else {
                continue;
            };
            let updated_at: Option<i64> = r.get(1)?;
            let rank = (updated_at.unwrap_or(i64::MIN), r.get::<_, i64>(2)?);
            let slot = &mut newest[k as usize];
            if slot.as_ref().is_some_and(|(have, _)| *have > rank) {
                continue;
            }
            *slot = Some((
                rank,
                WorkItem {
                    source: r.get(3)?,
                    scope: r.get(4)?,
                    key: r.get(5)?,
                    id: r.get(6)?,
                    title: r.get(7)?,
                    kind: r.get(8)?,
                    status: r.get(9)?,
                    category: r.get(10)?,
                    inferred: r.get::<_, i64>(11)? != 0,
                    resolution: r.get(12)?,
                    labels: r.get(13)?,
                    project: r.get(14)?,
                    components: r.get(15)?,
                    team: r.get(16)?,
                    parent: r.get(17)?,
                    created_at: r.get(18)?,
                    updated_at,
                    resolved_at: r.get(19)?,
                    url: r.get(20)?,
                },
            ));
        }
        Ok(newest.into_iter().flatten().map(|(_, w)| w).collect())
    }

    /// Every stored work-item change row, in table order and duplicates
    /// included (one per export that holds it), handed to `visit` as borrowed
    /// text: the assessment's reader, which keeps only the changes of the
    /// window's items and resolves duplicates itself, so neither SQLite's
    /// sorter nor one `String` per column is paid for the hundreds of
    /// thousands of changes a large tracker export holds.
    /// [`Store::work_item_changes`] is the same set, de-duplicated and sorted.
    pub fn visit_work_item_changes(
        &self,
        mut visit: impl FnMut(&WorkItemChangeRow<'_>),
    ) -> Result<(), StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT source, scope, item_key, change_id, field, from_value, to_value, at
             FROM work_item_changes",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            visit(&WorkItemChangeRow {
                source: text(r, 0)?,
                scope: text(r, 1)?,
                key: text(r, 2)?,
                id: text(r, 3)?,
                field: text(r, 4)?,
                from: text(r, 5)?,
                to: text(r, 6)?,
                at: r.get(7)?,
            });
        }
        Ok(())
    }

    /// Every work-item change once, by item, then time (then id).
    pub fn work_item_changes(&self) -> Result<Vec<WorkItemChange>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT source, scope, item_key, change_id, field, MIN(from_value), MIN(to_value), MIN(at)
             FROM work_item_changes
             GROUP BY source, scope, item_key, change_id, field
             ORDER BY source, scope, item_key, COALESCE(MIN(at), -9223372036854775808), change_id, field",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(WorkItemChange {
                source: r.get(0)?,
                scope: r.get(1)?,
                key: r.get(2)?,
                id: r.get(3)?,
                field: r.get(4)?,
                from: r.get(5)?,
                to: r.get(6)?,
                at: r.get(7)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

#[cfg(test)]
mod tests {
    use friction_model::inputs::{InputRecord, Position};

    use super::*;
    use crate::NewInput;

    fn put(store: &mut Store, path: &str, records: &[InputRecord]) {
        let mut w = store
            .begin_input(
                &NewInput {
                    path: path.into(),
                    format: "jira".into(),
                    sha256: path.into(),
                    extractor_version: 1,
                    commit: None,
                    stat: None,
                },
                false,
            )
            .unwrap();
        for (i, r) in records.iter().enumerate() {
            w.put(
                r,
                Position {
                    record: i as u64 + 1,
                    line: None,
                },
            )
            .unwrap();
        }
        w.finish().unwrap();
    }

    fn item(key: &str, status: &str, updated: i64) -> InputRecord {
        InputRecord::WorkItem(WorkItem {
            source: "jira".into(),
            key: key.into(),
            status: status.into(),
            updated_at: Some(updated),
            ..WorkItem::default()
        })
    }

    #[test]
    fn of_an_item_in_several_exports_the_newest_update_wins() {
        let mut store = Store::open_in_memory().unwrap();
        assert!(!store.has_work_items().unwrap());
        put(
            &mut store,
            "new.json",
            &[item("P-1", "Done", 20), item("P-2", "Open", 5)],
        );
        put(&mut store, "old.json", &[item("P-1", "In Progress", 10)]);
        let items = store.work_items().unwrap();
        let got: Vec<(&str, &str)> = items
            .iter()
            .map(|i| (i.key.as_str(), i.status.as_str()))
            .collect();
        assert_eq!(got, [("P-1", "Done"), ("P-2", "Open")]);
        // A version without an update time is older than any with one; of
        // equal times the later input wins.
        let mut undated = item("P-0", "Open", 0);
        if let InputRecord::WorkItem(w) = &mut undated {
            w.updated_at = None;
        }
        put(&mut store, "a.json", &[undated, item("P-3", "Open", 7)]);
        put(
            &mut store,
            "b.json",
            &[item("P-0", "Done", 1), item("P-3", "Done", 7)],
        );
        let items = store.work_items().unwrap();
        let got: Vec<(&str, &str)> = items
            .iter()
            .map(|i| (i.key.as_str(), i.status.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("P-0", "Done"),
                ("P-1", "Done"),
                ("P-2", "Open"),
                ("P-3", "Done")
            ]
        );
        assert!(store.has_work_items().unwrap());
    }
}
