//! Typed, de-duplicated readers of the facts read from inputs beyond git.
//!
//! Overlapping exports store the same item once per input (see migration 8);
//! these readers return one row per source key (the scope plus the source's
//! own ids): the row with the latest `updated_at` where the source gives one,
//! else the one from the most recently ingested input. Test results and
//! coverage have no source key: every row is its own fact. Every row keeps
//! its input id and position, so a number can cite them.

use friction_model::inputs::{
    CiRun, Deployment, DeploymentStatus, FileCoverage, Incident, IncidentEvent, Position, PrCommit,
    PullRequest, Release, Review, SecurityFinding, TestOutcome, TestResult,
};
use std::hash::{BuildHasher, Hash, Hasher};
use std::sync::Arc;

use rusqlite::Row;

use crate::{Store, StoreError, to_u64};

/// A fact's source key (the scope aside: rows are read per scope).
trait Keyed {
    fn hash_key(&self, h: &mut impl Hasher);
    fn same_key(&self, other: &Self) -> bool;
}

macro_rules! keyed {
    ($t:ty, $($f:ident),+) => {
        impl Keyed for $t {
            fn hash_key(&self, h: &mut impl Hasher) {
                $(self.$f.hash(h);)+
            }
            fn same_key(&self, other: &Self) -> bool {
                $(self.$f == other.$f)&&+
            }
        }
    };
}

keyed!(CiRun, id, attempt);
keyed!(JobRow, id, attempt);
keyed!(PullRequest, number);
keyed!(Review, id);
keyed!(PrCommit, number, sha);
keyed!(Deployment, id);
keyed!(DeploymentStatus, id);
keyed!(Release, id);

/// One row per key: the newest by `updated` (then by the later input) when
/// several inputs hold the same key, in the order of each key's first row.
/// With a single input there is nothing to resolve (a file's repeated keys
/// were not stored twice). Rows are grouped by a 64-bit hash of their key
/// (one sort of hashes, no key copied), then compared in full within a
/// group; only keys held by several rows move anything.
fn dedupe<T: Keyed>(
    mut rows: Vec<Stored<T>>,
    updated: impl Fn(&Stored<T>) -> Option<i64>,
) -> Vec<Stored<T>> {
    if rows.windows(2).all(|w| w[0].input == w[1].input) {
        return rows;
    }
    let hasher = foldhash::fast::FixedState::with_seed(0);
    let mut order: Vec<(u64, u32)> = rows
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let mut h = hasher.build_hasher();
            row.fact.hash_key(&mut h);
            (h.finish(), i as u32)
        })
        .collect();
    order.sort_unstable();
    let mut drop = vec![false; rows.len()];
    let mut group: Vec<usize> = Vec::new();
    for same_hash in order.chunk_by(|a, b| a.0 == b.0) {
        if same_hash.len() == 1 {
            continue;
        }
        // Rows of one hash, in table order; distinct keys that collide are
        // told apart in full.
        let mut left: Vec<usize> = same_hash.iter().map(|&(_, i)| i as usize).collect();
        while let Some(&first) = left.first() {
            group.clear();
            left.retain(|&i| {
                let same = rows[i].fact.same_key(&rows[first].fact);
                if same {
                    group.push(i);
                }
                !same
            });
            let newest = |&i: &usize| (updated(&rows[i]).unwrap_or(-1), rows[i].input, i);
            let keep = group.iter().copied().max_by_key(newest).unwrap_or(first);
            for &i in &group {
                drop[i] = i != first;
            }
            // The kept version takes the place of the key's first row.
            if keep != first {
                rows.swap(first, keep);
            }
        }
    }
    let mut at = 0;
    rows.retain(|_| {
        at += 1;
        !drop[at - 1]
    });
    rows
}

/// A CI job as the assessment reads it: [`friction_model::inputs::CiJob`]
/// without the columns no signal reads (the scope, known to the caller; the
/// commit and branch, which the job's run carries). Jobs are the largest
/// table, a million rows for a busy year; every column read costs.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct JobRow {
    pub id: String,
    pub run_id: Arc<str>,
    pub attempt: u32,
    pub name: Arc<str>,
    pub stage: Arc<str>,
    pub status: Arc<str>,
    pub conclusion: Arc<str>,
    pub created_at: Option<i64>,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
    /// Seconds the job waited for a runner.
    pub queued: Option<f64>,
    /// Runner labels, comma-separated.
    pub runner_labels: Arc<str>,
}

/// One shared copy of each distinct text read: a job's run id, name, stage,
/// status, conclusion and runner labels repeat across thousands of jobs, and
/// a string allocated per column and row was most of the time spent reading.
/// Each column remembers its previous word: a run's jobs are stored
/// together, and most columns hold one word for long stretches, so most
/// rows are answered by one comparison, without hashing.
#[derive(Default)]
struct Interner {
    seen: std::collections::HashSet<Arc<str>, foldhash::fast::FixedState>,
    last: [Option<Arc<str>>; 12],
}

impl Interner {
    fn get(&mut self, r: &Row<'_>, i: usize) -> rusqlite::Result<Arc<str>> {
        let bytes = r.get_ref(i)?.as_bytes()?;
        let slot = &mut self.last[i];
        if let Some(last) = slot
            && last.len() == bytes.len()
            && last.as_bytes() == bytes
        {
            return Ok(last.clone());
        }
        let text = std::str::from_utf8(bytes).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, e.into())
        })?;
        let s = match self.seen.get(text) {
            Some(s) => s.clone(),
            None => {
                let s: Arc<str> = text.into();
                self.seen.insert(s.clone());
                s
            }
        };
        *slot = Some(s.clone());
        Ok(s)
    }
}

/// Jobs tables at least this long (in rowids) are read in two halves at once.
const PARALLEL_JOBS: i64 = 100_000;

/// The jobs of `scope` dated from `since` to `until` with rowids in
/// `[lo, hi]`, in table order (`+scope`: a scan in table order, cheaper than
/// the key index and a sort).
fn read_jobs(
    conn: &rusqlite::Connection,
    scope: &str,
    since: i64,
    until: i64,
    lo: i64,
    hi: i64,
    capacity: usize,
) -> Result<Vec<Stored<JobRow>>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT job_id, run_id, attempt, name, stage, status, conclusion, created_at,
                started_at, finished_at, queued, runner_labels, input, record, line
         FROM ci_jobs
         WHERE rowid BETWEEN ?4 AND ?5 AND +scope = ?1
           AND COALESCE(created_at, started_at, finished_at) >= ?2
           AND COALESCE(created_at, started_at, finished_at) <= ?3
         ORDER BY rowid",
    )?;
    let mut words = Interner::default();
    // One allocation, never grown and copied: `capacity` is bounded by the
    // rowids (pages a narrower window leaves unused are never touched).
    let mut rows = Vec::with_capacity(capacity);
    let read = stmt.query_map(rusqlite::params![scope, since, until, lo, hi], |r| {
        let (input, at) = position(r, 12)?;
        Ok(Stored {
            input,
            at,
            fact: JobRow {
                id: r.get(0)?,
                run_id: words.get(r, 1)?,
                attempt: u32_of(r.get(2)?),
                name: words.get(r, 3)?,
                stage: words.get(r, 4)?,
                status: words.get(r, 5)?,
                conclusion: words.get(r, 6)?,
                created_at: r.get(7)?,
                started_at: r.get(8)?,
                finished_at: r.get(9)?,
                queued: r.get(10)?,
                runner_labels: words.get(r, 11)?,
            },
        })
    })?;
    for row in read {
        rows.push(row?);
    }
    Ok(rows)
}

/// A fact with the input it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Stored<T> {
    /// The input's id (`inputs.id`).
    pub input: i64,
    pub at: Position,
    pub fact: T,
}

/// Every fact of one scope (and the scope-less test results and coverage).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DeliveryRows {
    pub runs: Vec<Stored<CiRun>>,
    pub jobs: Vec<Stored<JobRow>>,
    pub pulls: Vec<Stored<PullRequest>>,
    pub reviews: Vec<Stored<Review>>,
    pub pr_commits: Vec<Stored<PrCommit>>,
    pub deployments: Vec<Stored<Deployment>>,
    pub statuses: Vec<Stored<DeploymentStatus>>,
    pub releases: Vec<Stored<Release>>,
    pub tests: Vec<Stored<TestResult>>,
    pub coverage: Vec<Stored<FileCoverage>>,
    /// SARIF findings (scope-less, like test results), skipped ones included.
    pub findings: Vec<Stored<SecurityFinding>>,
}

fn position(r: &Row<'_>, input: usize) -> rusqlite::Result<(i64, Position)> {
    Ok((
        r.get(input)?,
        Position {
            record: to_u64(r.get(input + 1)?),
            line: r.get::<_, Option<i64>>(input + 2)?.map(to_u64),
        },
    ))
}

fn u32_of(v: i64) -> u32 {
    u32::try_from(v).unwrap_or(0)
}

/// Every stored incident and incident log entry, one row per input that
/// holds it: versions of one incident across overlapping exports are
/// combined by the reader of incidents (first start, newest state, last
/// resolution), which needs them all.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IncidentRows {
    pub incidents: Vec<Stored<Incident>>,
    pub events: Vec<Stored<IncidentEvent>>,
}

impl Store {
    /// Every stored incident and log entry, in table order (an input's rows
    /// in record order, inputs in the order they were read).
    pub fn incident_rows(&self) -> Result<IncidentRows, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT source, incident_id, number, title, status, urgency, service_id, service, team,
                    fingerprint, created_at, acknowledged_at, resolved_at, escalations, url,
                    merged_into, input, record, line
             FROM incidents ORDER BY rowid",
        )?;
        let incidents = stmt
            .query_map([], |r| {
                let (input, at) = position(r, 16)?;
                Ok(Stored {
                    input,
                    at,
                    fact: Incident {
                        source: r.get(0)?,
                        id: r.get(1)?,
                        number: r.get(2)?,
                        title: r.get(3)?,
                        status: r.get(4)?,
                        urgency: r.get(5)?,
                        service_id: r.get(6)?,
                        service: r.get(7)?,
                        team: r.get(8)?,
                        key: r.get(9)?,
                        created_at: r.get(10)?,
                        acknowledged_at: r.get(11)?,
                        resolved_at: r.get(12)?,
                        escalations: u32_of(r.get(13)?),
                        url: r.get(14)?,
                        merged_into: r.get(15)?,
                    },
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let mut stmt = self.conn.prepare(
            "SELECT source, event_id, incident_id, kind, at, input, record, line, agent
             FROM incident_events ORDER BY rowid",
        )?;
        let events = stmt
            .query_map([], |r| {
                let (input, at) = position(r, 5)?;
                Ok(Stored {
                    input,
                    at,
                    fact: IncidentEvent {
                        source: r.get(0)?,
                        id: r.get(1)?,
                        incident_id: r.get(2)?,
                        kind: r.get(3)?,
                        at: r.get(4)?,
                        agent: r.get(8)?,
                    },
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(IncidentRows { incidents, events })
    }

    /// The scopes (repositories) the stored facts name, sorted.
    pub fn fact_scopes(&self) -> Result<Vec<String>, StoreError> {
        let mut all = std::collections::BTreeSet::new();
        for row in self.inputs()? {
            all.extend(row.scopes);
        }
        Ok(all.into_iter().collect())
    }

    /// One row per source key of every fact of `scope`, plus every test result
    /// and coverage row (which name no scope), in table order. Runs and jobs
    /// are read only when dated from `since` to `until` (the busiest tables:
    /// an export of years is read for the assessed window only).
    pub fn delivery_rows(
        &self,
        scope: &str,
        since: i64,
        until: Option<i64>,
    ) -> Result<DeliveryRows, StoreError> {
        let mut out = DeliveryRows::default();
        // Table order (rowid: an input's rows in record order) needs no sort;
        // duplicates across inputs are resolved in memory by [`dedupe`].
        // `+scope`: a scan in table order, cheaper than the key index and a sort.
        let dated = "WHERE +scope = $1 AND COALESCE(created_at, started_at, finished_at) >= $2
                     AND COALESCE(created_at, started_at, finished_at) <= $3";
        let undated = "WHERE +scope = $1";
        let query = |table: &str, cols: &str, filter: &str| {
            format!("SELECT {cols}, input, record, line FROM {table} {filter} ORDER BY rowid")
        };
        let until = until.unwrap_or(i64::MAX);
        macro_rules! read {
            ($sql:expr, $n:expr, $make:expr) => {
                read!($sql, $n, $make, |_: &Stored<_>| None::<i64>)
            };
            ($sql:expr, $n:expr, $make:expr, $updated:expr) => {{
                let sql = $sql;
                let mut stmt = self.conn.prepare(&sql)?;
                let make = |r: &Row<'_>| {
                    let (input, at) = position(r, $n)?;
                    Ok(Stored {
                        input,
                        at,
                        fact: $make(r)?,
                    })
                };
                let rows: Vec<_> = if sql.contains("COALESCE(created_at") {
                    stmt.query_map(rusqlite::params![scope, since, until], make)?
                        .collect::<Result<_, _>>()?
                } else {
                    stmt.query_map([scope], make)?.collect::<Result<_, _>>()?
                };
                dedupe(rows, $updated)
            }};
        }
        out.runs = read!(
            query(
                "ci_runs",
                "scope, run_id, attempt, workflow, event, branch, head_sha, status, conclusion,
                 created_at, started_at, finished_at, updated_at, duration, queued, url",
                dated
            ),
            16,
            |r: &Row<'_>| -> rusqlite::Result<CiRun> {
                Ok(CiRun {
                    scope: r.get(0)?,
                    id: r.get(1)?,
                    attempt: u32_of(r.get(2)?),
                    workflow: r.get(3)?,
                    event: r.get(4)?,
                    branch: r.get(5)?,
                    head_sha: r.get(6)?,
                    status: r.get(7)?,
                    conclusion: r.get(8)?,
                    created_at: r.get(9)?,
                    started_at: r.get(10)?,
                    finished_at: r.get(11)?,
                    updated_at: r.get(12)?,
                    duration: r.get(13)?,
                    queued: r.get(14)?,
                    url: r.get(15)?,
                })
            },
            |s: &Stored<CiRun>| s.fact.updated_at
        );
        out.jobs = dedupe(
            self.jobs_in_window(scope, since, until, PARALLEL_JOBS)?,
            |s| s.fact.finished_at,
        );
        out.pulls = read!(
            query(
                "pull_requests",
                "scope, number, pr_id, state, author, title, base_ref, head_ref, head_sha,
                 merge_sha, draft, created_at, updated_at, closed_at, merged_at, body",
                undated
            ),
            16,
            |r: &Row<'_>| -> rusqlite::Result<PullRequest> {
                Ok(PullRequest {
                    scope: r.get(0)?,
                    number: to_u64(r.get(1)?),
                    id: r.get(2)?,
                    state: r.get(3)?,
                    author: r.get(4)?,
                    title: r.get(5)?,
                    base_ref: r.get(6)?,
                    head_ref: r.get(7)?,
                    head_sha: r.get(8)?,
                    merge_sha: r.get(9)?,
                    draft: r.get::<_, i64>(10)? != 0,
                    created_at: r.get(11)?,
                    updated_at: r.get(12)?,
                    closed_at: r.get(13)?,
                    merged_at: r.get(14)?,
                    body: r.get(15)?,
                })
            },
            |s: &Stored<PullRequest>| s.fact.updated_at
        );
        out.reviews = read!(
            query(
                "pr_reviews",
                "scope, review_id, number, author, state, commit_sha, submitted_at",
                undated
            ),
            7,
            |r: &Row<'_>| -> rusqlite::Result<Review> {
                Ok(Review {
                    scope: r.get(0)?,
                    id: r.get(1)?,
                    number: to_u64(r.get(2)?),
                    author: r.get(3)?,
                    state: r.get(4)?,
                    commit_sha: r.get(5)?,
                    submitted_at: r.get(6)?,
                })
            }
        );
        out.pr_commits = read!(
            query(
                "pr_commits",
                "scope, number, sha, authored_at, committed_at",
                undated
            ),
            5,
            |r: &Row<'_>| -> rusqlite::Result<PrCommit> {
                let n: i64 = r.get(1)?;
                Ok(PrCommit {
                    scope: r.get(0)?,
                    number: (n > 0).then(|| to_u64(n)),
                    sha: r.get(2)?,
                    authored_at: r.get(3)?,
                    committed_at: r.get(4)?,
                })
            }
        );
        out.deployments = read!(
            query(
                "deployments",
                "scope, deployment_id, sha, git_ref, environment, production, created_at,
                 updated_at",
                undated
            ),
            8,
            |r: &Row<'_>| -> rusqlite::Result<Deployment> {
                Ok(Deployment {
                    scope: r.get(0)?,
                    id: r.get(1)?,
                    sha: r.get(2)?,
                    git_ref: r.get(3)?,
                    environment: r.get(4)?,
                    production: r.get::<_, Option<i64>>(5)?.map(|p| p != 0),
                    created_at: r.get(6)?,
                    updated_at: r.get(7)?,
                })
            },
            |s: &Stored<Deployment>| s.fact.updated_at
        );
        out.statuses = read!(
            query(
                "deployment_statuses",
                "scope, status_id, deployment_id, state, environment, created_at",
                undated
            ),
            6,
            |r: &Row<'_>| -> rusqlite::Result<DeploymentStatus> {
                Ok(DeploymentStatus {
                    scope: r.get(0)?,
                    id: r.get(1)?,
                    deployment_id: r.get(2)?,
                    state: r.get(3)?,
                    environment: r.get(4)?,
                    created_at: r.get(5)?,
                })
            }
        );
        out.releases = read!(
            query(
                "releases",
                "scope, release_id, tag, target, name, draft, prerelease, created_at,
                 published_at",
                undated
            ),
            9,
            |r: &Row<'_>| -> rusqlite::Result<Release> {
                Ok(Release {
                    scope: r.get(0)?,
                    id: r.get(1)?,
                    tag: r.get(2)?,
                    target: r.get(3)?,
                    name: r.get(4)?,
                    draft: r.get::<_, i64>(5)? != 0,
                    prerelease: r.get::<_, i64>(6)? != 0,
                    created_at: r.get(7)?,
                    published_at: r.get(8)?,
                })
            }
        );
        let mut stmt = self.conn.prepare(
            "SELECT suite, classname, name, file, outcome, duration, flaky_attempts, reruns,
                    timestamp, input, record, line
             FROM test_results ORDER BY input, record",
        )?;
        out.tests = stmt
            .query_map([], |r| {
                let (input, at) = position(r, 9)?;
                let outcome: String = r.get(4)?;
                Ok(Stored {
                    input,
                    at,
                    fact: TestResult {
                        suite: r.get(0)?,
                        classname: r.get(1)?,
                        name: r.get(2)?,
                        file: r.get(3)?,
                        outcome: match outcome.as_str() {
                            "passed" => TestOutcome::Passed,
                            "failed" => TestOutcome::Failed,
                            "error" => TestOutcome::Error,
                            _ => TestOutcome::Skipped,
                        },
                        duration: r.get(5)?,
                        flaky_attempts: u32_of(r.get(6)?),
                        reruns: u32_of(r.get(7)?),
                        timestamp: r.get(8)?,
                    },
                })
            })?
            .collect::<Result<_, _>>()?;
        let mut stmt = self.conn.prepare(
            "SELECT path, lines_found, lines_hit, branches_found, branches_hit, functions_found,
                    functions_hit, input, record, line
             FROM coverage_files ORDER BY input, record",
        )?;
        out.coverage = stmt
            .query_map([], |r| {
                let (input, at) = position(r, 7)?;
                Ok(Stored {
                    input,
                    at,
                    fact: FileCoverage {
                        path: r.get(0)?,
                        lines_found: to_u64(r.get(1)?),
                        lines_hit: to_u64(r.get(2)?),
                        branches_found: to_u64(r.get(3)?),
                        branches_hit: to_u64(r.get(4)?),
                        functions_found: to_u64(r.get(5)?),
                        functions_hit: to_u64(r.get(6)?),
                    },
                })
            })?
            .collect::<Result<_, _>>()?;
        out.findings = self.security_findings()?;
        Ok(out)
    }

    /// Every stored SARIF finding, skipped ones included (their `skipped`
    /// says why), by input and record. Findings have no source key: the
    /// reader de-duplicates what several files repeat.
    pub fn security_findings(&self) -> Result<Vec<Stored<SecurityFinding>>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT tool, rule, level, security_severity, path, start_line, skipped, input, record, line
             FROM security_findings ORDER BY input, record",
        )?;
        let rows = stmt
            .query_map([], |r| {
                let (input, at) = position(r, 7)?;
                Ok(Stored {
                    input,
                    at,
                    fact: SecurityFinding {
                        tool: r.get(0)?,
                        rule: r.get(1)?,
                        level: r.get(2)?,
                        security_severity: r.get(3)?,
                        path: r.get(4)?,
                        start_line: r.get::<_, Option<i64>>(5)?.map(to_u64),
                        skipped: r.get(6)?,
                    },
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// The jobs of `scope` dated from `since` to `until`, in table order. A
    /// large table is read in two halves at once, the first on a second
    /// connection (a million jobs: the assessment's longest read, and the
    /// machine has a second core); a store without a file (in memory) is
    /// read in one go.
    fn jobs_in_window(
        &self,
        scope: &str,
        since: i64,
        until: i64,
        split_at: i64,
    ) -> Result<Vec<Stored<JobRow>>, StoreError> {
        let (lo, hi): (Option<i64>, Option<i64>) =
            self.conn
                .query_row("SELECT min(rowid), max(rowid) FROM ci_jobs", [], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })?;
        let (Some(lo), Some(hi)) = (lo, hi) else {
            return Ok(Vec::new());
        };
        let file = self
            .conn
            .path()
            .filter(|p| !p.is_empty())
            .map(std::path::PathBuf::from);
        // Rowids bound the count (at most 2^24 rows reserved ahead).
        let span = usize::try_from(hi - lo + 1).unwrap_or(0).min(1 << 24);
        let Some(file) = file.filter(|_| hi - lo >= split_at) else {
            return read_jobs(&self.conn, scope, since, until, lo, hi, span);
        };
        let mid = lo + (hi - lo) / 2;
        std::thread::scope(|s| {
            // The first half is read into room for both, so the second half
            // is appended without growing it.
            let first = s.spawn(|| {
                let other = Store::open_reader(&file)?;
                read_jobs(&other.conn, scope, since, until, lo, mid, span)
            });
            let second = read_jobs(&self.conn, scope, since, until, mid + 1, hi, span / 2 + 1);
            let mut first = first
                .join()
                .unwrap_or_else(|p| std::panic::resume_unwind(p))?;
            first.extend(second?);
            Ok(first)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use friction_model::inputs::CiJob;

    fn run(input: i64, record: u64, id: &str, attempt: u32, updated: i64) -> Stored<CiRun> {
        Stored {
            input,
            at: Position { record, line: None },
            fact: CiRun {
                id: id.into(),
                attempt,
                updated_at: Some(updated),
                ..CiRun::default()
            },
        }
    }

    #[test]
    fn across_inputs_the_newest_version_of_a_key_is_kept_in_first_seen_order() {
        let rows = vec![
            run(1, 1, "7", 1, 100),
            run(1, 2, "7", 2, 100),
            run(2, 1, "7", 1, 50), // older update: loses
            run(2, 2, "8", 1, 10),
            run(3, 1, "7", 2, 100), // same update, later input: wins
        ];
        let kept = dedupe(rows, |s| s.fact.updated_at);
        let seen: Vec<(&str, u32, i64)> = kept
            .iter()
            .map(|s| (s.fact.id.as_str(), s.fact.attempt, s.input))
            .collect();
        assert_eq!(seen, vec![("7", 1, 1), ("7", 2, 3), ("8", 1, 2)]);
        // One input: returned as read.
        let one = vec![run(4, 1, "1", 1, 0), run(4, 2, "2", 1, 0)];
        assert_eq!(dedupe(one.clone(), |s| s.fact.updated_at), one);
    }

    fn job(id: u64, run: u64, name: &str, finished: i64) -> CiJob {
        CiJob {
            scope: "github:o/r".into(),
            id: id.to_string(),
            run_id: run.to_string(),
            attempt: 1,
            name: name.into(),
            status: "completed".into(),
            conclusion: if id.is_multiple_of(3) {
                "failure"
            } else {
                "success"
            }
            .into(),
            created_at: Some(finished - 60),
            finished_at: Some(finished),
            ..CiJob::default()
        }
    }

    #[test]
    fn jobs_read_in_two_halves_are_the_jobs_read_in_one() {
        use friction_model::inputs::InputRecord;
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("f.db")).unwrap();
        // Two overlapping exports, another repository's jobs, and jobs outside the window.
        for (file, ids) in [("a.json", 0..700u64), ("b.json", 500..1200)] {
            let input = crate::NewInput {
                path: file.into(),
                format: "github".into(),
                sha256: file.into(),
                extractor_version: 1,
                commit: None,
                stat: None,
            };
            let mut w = store.begin_input(&input, false).unwrap();
            for (k, id) in ids.enumerate() {
                let mut j = job(
                    id,
                    id / 4,
                    ["build", "test", "lint"][id as usize % 3],
                    1_000 + id as i64,
                );
                if id % 50 == 7 {
                    j.scope = "github:o/other".into();
                }
                let at = Position {
                    record: k as u64 + 1,
                    line: None,
                };
                w.put(&InputRecord::CiJob(j), at).unwrap();
            }
            w.finish().unwrap();
        }
        let (since, until) = (1_100, 2_000);
        let one = store
            .jobs_in_window("github:o/r", since, until, i64::MAX)
            .unwrap();
        let two = store
            .jobs_in_window("github:o/r", since, until, 10)
            .unwrap();
        assert_eq!(one, two);
        // Dated by creation (60 s before the finish), of this repository.
        let inside = |id: &u64| (since..=until).contains(&(940 + *id as i64)) && id % 50 != 7;
        let expected = (0..700u64).filter(inside).count() + (500..1200u64).filter(inside).count();
        assert_eq!(one.len(), expected);
        // Shared words are equal words.
        assert!(
            one.iter()
                .all(|j| ["build", "test", "lint"].contains(&&*j.fact.name))
        );
        // De-duplicated, the overlap counts once.
        let rows = store
            .delivery_rows("github:o/r", since, Some(until))
            .unwrap();
        assert_eq!(rows.jobs.len(), (0..1200u64).filter(inside).count());
    }
}
