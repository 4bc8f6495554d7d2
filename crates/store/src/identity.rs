//! File identity across renames.
//!
//! A file keeps one identity through its renames, but only for the changes
//! before each rename: once `a.py` is renamed to `b.py`, a new `a.py` is another
//! file with a history of its own (flask moved `app.py` to `sansio/app.py` and
//! wrote a new `app.py` the next day). So the identity of a change depends on
//! its path *and* on when it happened: follow every rename away from its path
//! that comes after it, in commit order, and the path reached is the file's
//! newest name, which names the identity. A path that exists now is therefore
//! its own identity, which is also the name a reader knows it by.
//!
//! Commit order is (committer time, author time, id), the order in which
//! renames have always been resolved.

use std::collections::HashMap;

use rusqlite::Connection;

use crate::StoreError;

/// Where a commit sits in the order renames are followed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Order<'a> {
    pub committer_time: i64,
    pub author_time: i64,
    pub id: &'a str,
}

/// One rename away from a path.
#[derive(Debug)]
struct Away {
    committer_time: i64,
    author_time: i64,
    commit: String,
    to: String,
}

impl Away {
    fn order(&self) -> Order<'_> {
        Order {
            committer_time: self.committer_time,
            author_time: self.author_time,
            id: &self.commit,
        }
    }
}

/// Every stored rename, by the path renamed away from, in commit order.
#[derive(Debug, Default)]
pub(crate) struct Renames {
    away: HashMap<String, Vec<Away>>,
}

impl Renames {
    /// Reads every resolved rename.
    pub(crate) fn load(conn: &Connection) -> Result<Renames, StoreError> {
        let mut away: HashMap<String, Vec<Away>> = HashMap::new();
        let mut stmt = conn.prepare(
            "SELECT from_path, to_path, committer_time, author_time, commit_id FROM file_renames",
        )?;
        let mut q = stmt.query([])?;
        while let Some(r) = q.next()? {
            away.entry(r.get(0)?).or_default().push(Away {
                to: r.get(1)?,
                committer_time: r.get(2)?,
                author_time: r.get(3)?,
                commit: r.get(4)?,
            });
        }
        for list in away.values_mut() {
            list.sort_by(|a, b| a.order().cmp(&b.order()).then_with(|| a.to.cmp(&b.to)));
        }
        Ok(Renames { away })
    }

    /// Whether `path` was ever renamed away (only then can its changes belong
    /// to another identity).
    pub(crate) fn renamed_away(&self, path: &str) -> bool {
        self.away.contains_key(path)
    }

    /// The identity of a change to `path` in the commit at `at`: the path
    /// reached by following each rename away from the current path that comes
    /// strictly after the current point.
    pub(crate) fn identity<'s>(&'s self, path: &'s str, at: Order<'_>) -> &'s str {
        let mut path = path;
        let mut owned_at = (at.committer_time, at.author_time, at.id.to_owned());
        // Each step moves strictly later in commit order, so this ends.
        while let Some(list) = self.away.get(path) {
            let now = Order {
                committer_time: owned_at.0,
                author_time: owned_at.1,
                id: &owned_at.2,
            };
            let next = list.partition_point(|a| a.order() <= now);
            let Some(step) = list.get(next) else { break };
            path = &step.to;
            owned_at = (step.committer_time, step.author_time, step.commit.clone());
        }
        path
    }

    /// Every path whose changes can belong to an identity named `id`.
    pub(crate) fn paths_of(&self, id: &str) -> Vec<String> {
        let mut into: HashMap<&str, Vec<&str>> = HashMap::new();
        for (from, list) in &self.away {
            for a in list {
                into.entry(a.to.as_str()).or_default().push(from.as_str());
            }
        }
        let mut seen = vec![id.to_owned()];
        let mut queue = vec![id];
        while let Some(p) = queue.pop() {
            for &from in into.get(p).into_iter().flatten() {
                if !seen.iter().any(|s| s == from) {
                    seen.push(from.to_owned());
                    queue.push(from);
                }
            }
        }
        seen.sort();
        seen
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(t: i64, id: &str) -> Order<'_> {
        Order {
            committer_time: t,
            author_time: t,
            id,
        }
    }

    fn renames(events: &[(i64, &str, &str, &str)]) -> Renames {
        let mut r = Renames::default();
        for (t, commit, from, to) in events {
            r.away.entry((*from).to_owned()).or_default().push(Away {
                committer_time: *t,
                author_time: *t,
                commit: (*commit).to_owned(),
                to: (*to).to_owned(),
            });
        }
        r
    }

    #[test]
    fn a_rename_carries_only_the_changes_before_it() {
        let r = renames(&[(5, "m", "app.py", "sansio/app.py")]);
        assert_eq!(r.identity("app.py", at(1, "a")), "sansio/app.py");
        // The rename itself is a change of the new path.
        assert_eq!(r.identity("sansio/app.py", at(5, "m")), "sansio/app.py");
        // A change at the old path after the rename is the re-created file.
        assert_eq!(r.identity("app.py", at(6, "n")), "app.py");
        assert_eq!(r.paths_of("sansio/app.py"), ["app.py", "sansio/app.py"]);
    }

    #[test]
    fn chains_follow_to_the_newest_name_and_renames_back_end_there() {
        let r = renames(&[(2, "b", "a", "b"), (3, "c", "b", "c"), (4, "d", "c", "a")]);
        assert_eq!(r.identity("a", at(1, "x")), "a");
        assert_eq!(r.identity("b", at(2, "b")), "a");
        assert_eq!(r.identity("c", at(3, "c")), "a");
        // `a` after its first rename and before the rename back: a new file
        // whose chain ends at `a` as well.
        assert_eq!(r.identity("a", at(5, "y")), "a");
    }
}
