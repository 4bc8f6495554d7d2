//! code-maat's analyses (`friction maat`) over the stored history, in
//! code-maat's columns (parity mode).

use friction_analysis::maat::{ANALYSES, Prepared, Row, Table};
use friction_store::WalkMode;

use crate::calendar::{MONTH, date};
use crate::{Error, Result, Session};

/// What `friction maat` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaatRequest {
    /// One of [`ANALYSES`], or `all`.
    pub analysis: String,
    /// Only the last N months of history (code-maat's `--after`); 0 = everything.
    pub months: u32,
    /// code-maat's `--min-revs`.
    pub min_revs: u64,
    /// Reference date for `age` (default: the newest commit's date).
    pub age_time_now: Option<String>,
    /// Authors by name, as code-maat prints them (default: pseudonyms).
    pub names: bool,
}

impl MaatRequest {
    /// Refuses an analysis code-maat does not have.
    pub fn check(&self) -> Result<()> {
        if self.analysis != "all" && !ANALYSES.contains(&self.analysis.as_str()) {
            return Err(Error::input(
                format!("unknown analysis `{}`", self.analysis),
                Some(&format!(
                    "choose one of: {}, or `all` with `--out DIR`",
                    ANALYSES.join(", ")
                )),
            ));
        }
        Ok(())
    }
}

impl Session {
    /// The asked analysis, or every one with `all`, each with its name, from
    /// one read of the store.
    pub fn maat(&self, request: &MaatRequest) -> Result<Vec<(&'static str, Table)>> {
        request.check()?;
        let store = self.store();
        let err = |e| self.read_error(e);
        let last = self.newest_commit_time()?;
        let since = if request.months == 0 {
            i64::MIN
        } else {
            last - i64::from(request.months) * MONTH
        };
        // Every change, as code-maat reads it: paths, authors, author-local
        // dates. Authors are pseudonyms unless `names` (code-maat prints names).
        let salt = store.first_commit_id().map_err(err)?.unwrap_or_default();
        let rows: Vec<Row> = store
            .activity_with(since, WalkMode::Full, true)
            .map_err(err)?
            .into_iter()
            .map(|r| Row {
                date: date(r.time + r.offset),
                entity: r.path,
                rev: r.commit,
                author: if request.names {
                    r.author_name
                } else {
                    friction_analysis::knowledge::pseudonym(&salt, &r.author)
                },
                added: r.lines_added,
                deleted: r.lines_deleted,
            })
            .collect();
        let now = request.age_time_now.clone().unwrap_or_else(|| date(last));
        let prepared = Prepared::new(&rows);
        ANALYSES
            .iter()
            .filter(|name| request.analysis == "all" || request.analysis == **name)
            .map(|name| {
                prepared
                    .analyse(name, request.min_revs, &now)
                    .map(|table| (*name, table))
                    .ok_or_else(|| {
                        Error::input(format!("code-maat has no analysis `{name}`"), None)
                    })
            })
            .collect()
    }
}
