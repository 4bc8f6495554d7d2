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
    /// author offsets.
    pub fn work_commits(&self, since: i64) -> Result<Vec<WorkCommit>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT id, author_email, author_time, author_offset, message FROM commits
             WHERE author_time >= $1 ORDER BY id",
        )?;
        let rows = stmt.query_map([since], |r| {
            Ok(WorkCommit {
                id: r.get(0)?,
                author: r.get(1)?,
                time: r.get(2)?,
                offset_minutes: (r.get::<_, i64>(3)? / 60) as i32,
                message: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
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

    /// Every work item once, by source, repository and key.
    pub fn work_items(&self) -> Result<Vec<WorkItem>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT source, scope, item_key, item_id, title, kind, status, category, inferred,
                    resolution, labels, project, components, team, parent, created_at, updated_at,
                    resolved_at, url
             FROM work_items
             ORDER BY source, scope, item_key, COALESCE(updated_at, -9223372036854775808), input",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(WorkItem {
                source: r.get(0)?,
                scope: r.get(1)?,
                key: r.get(2)?,
                id: r.get(3)?,
                title: r.get(4)?,
                kind: r.get(5)?,
                status: r.get(6)?,
                category: r.get(7)?,
                inferred: r.get::<_, i64>(8)? != 0,
                resolution: r.get(9)?,
                labels: r.get(10)?,
                project: r.get(11)?,
                components: r.get(12)?,
                team: r.get(13)?,
                parent: r.get(14)?,
                created_at: r.get(15)?,
                updated_at: r.get(16)?,
                resolved_at: r.get(17)?,
                url: r.get(18)?,
            })
        })?;
        let mut out: Vec<WorkItem> = Vec::new();
        for row in rows {
            let row = row?;
            match out.last_mut() {
                // Rows of one key come oldest first: the last one wins.
                Some(last)
                    if last.source == row.source
                        && last.scope == row.scope
                        && last.key == row.key =>
                {
                    *last = row;
                }
                _ => out.push(row),
            }
        }
        Ok(out)
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
        assert!(store.has_work_items().unwrap());
    }
}
