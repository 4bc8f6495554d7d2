//! The input family: files read beyond git (`inputs`) and the facts read from
//! them, each with its input id and position. An input is written through an
//! [`InputWriter`], one transaction per file: dropped without
//! [`InputWriter::finish`], it leaves nothing behind, and the facts of the
//! file it replaces stay as they were.

use std::collections::BTreeSet;

use friction_model::inputs::{InputRecord, Position};
use rusqlite::{Transaction, params};

use crate::{Store, StoreError, now, to_i64};

/// An input about to be read.
#[derive(Debug, Clone, PartialEq)]
pub struct NewInput {
    /// The path as given (`-` for standard input).
    pub path: String,
    pub format: String,
    pub sha256: String,
    pub extractor_version: u32,
    /// The commit a test or coverage report measured, when the caller knows it.
    pub commit: Option<String>,
    /// The file's size and modification time (nanoseconds since the epoch)
    /// when it was read; `None` for standard input.
    pub stat: Option<(u64, i64)>,
}

/// A stored input.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct InputRow {
    pub id: i64,
    pub path: String,
    pub format: String,
    pub sha256: String,
    pub records: u64,
    /// Earliest and latest time the records name (epoch seconds).
    pub span_start: Option<i64>,
    pub span_end: Option<i64>,
    pub extractor_version: u32,
    pub ingested_at: i64,
    /// The repositories the records name (`github:owner/name`, …), sorted.
    pub scopes: Vec<String>,
    pub commit: Option<String>,
    /// Size and modification time (ns) of the file when it was read.
    #[serde(skip)]
    pub stat: Option<(u64, i64)>,
}

/// What writing one input did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct InputSummary {
    pub id: i64,
    /// Records read from the file.
    pub records: u64,
    /// Records that repeat an earlier record of the same file (same source key).
    pub repeated: u64,
    /// Records whose source key another stored input also holds: counted once.
    pub overlapping: u64,
    /// Records per repository named.
    pub scopes: Vec<(String, u64)>,
    /// Records the extractor read past (an unknown kind, a rule without an
    /// expression), with why: counted, not stored.
    pub skipped: Vec<String>,
}

/// Distinct facts stored, by kind: what readers count after de-duplication.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct FactCounts {
    pub ci_runs: u64,
    pub ci_jobs: u64,
    pub pull_requests: u64,
    pub reviews: u64,
    pub pr_commits: u64,
    pub test_results: u64,
    pub coverage_files: u64,
    pub deployments: u64,
    pub deployment_statuses: u64,
    pub releases: u64,
    pub incidents: u64,
    pub incident_events: u64,
    pub service_levels: u64,
    pub alert_rules: u64,
    pub work_items: u64,
    pub work_item_changes: u64,
    pub security_findings: u64,
}

/// The tables of facts with their source keys (empty: every row is a fact of
/// its own; test results and coverage have no source id).
const FACT_TABLES: [(&str, &str); 17] = [
    ("ci_runs", "scope, run_id, attempt"),
    ("ci_jobs", "scope, job_id, attempt"),
    ("pull_requests", "scope, number"),
    ("pr_reviews", "scope, review_id"),
    ("pr_commits", "scope, number, sha"),
    ("test_results", ""),
    ("coverage_files", ""),
    ("deployments", "scope, deployment_id"),
    ("deployment_statuses", "scope, status_id"),
    ("releases", "scope, release_id"),
    ("incidents", "source, incident_id"),
    ("incident_events", "source, event_id"),
    ("service_levels", "source, kind, service, name"),
    ("alert_rules", "rule_key"),
    ("work_items", "source, scope, item_key"),
    (
        "work_item_changes",
        "source, scope, item_key, change_id, field",
    ),
    ("security_findings", ""),
];

/// A write transaction for one input's facts.
pub struct InputWriter<'a> {
    tx: Transaction<'a>,
    id: i64,
    records: u64,
    repeated: u64,
    span: Option<(i64, i64)>,
    scopes: std::collections::BTreeMap<String, u64>,
    skipped: Vec<String>,
}

impl Store {
    /// The stored input with this content, read by this extractor version:
    /// reading it again would change nothing.
    pub fn input_with_content(
        &self,
        sha256: &str,
        extractor_version: u32,
    ) -> Result<Option<InputRow>, StoreError> {
        Ok(self
            .input_rows(
                "sha256 = $1 AND extractor_version = $2",
                params![sha256, i64::from(extractor_version)],
            )?
            .into_iter()
            .next())
    }

    /// Every stored input, by path, then id.
    pub fn inputs(&self) -> Result<Vec<InputRow>, StoreError> {
        self.input_rows("1 = 1", [])
    }

    /// Distinct facts stored, each counted once however many inputs hold it.
    pub fn fact_counts(&self) -> Result<FactCounts, StoreError> {
        let mut counts = [0u64; 17];
        for (slot, (table, key)) in counts.iter_mut().zip(FACT_TABLES) {
            let sql = if key.is_empty() {
                format!("SELECT COUNT(*) FROM {table}")
            } else {
                format!("SELECT COUNT(*) FROM (SELECT DISTINCT {key} FROM {table}) AS keys")
            };
            let n: i64 = self.conn.query_row(&sql, [], |r| r.get(0))?;
            *slot = crate::to_u64(n);
        }
        let [
            ci_runs,
            ci_jobs,
            pull_requests,
            reviews,
            pr_commits,
            test_results,
            coverage_files,
            deployments,
            deployment_statuses,
            releases,
            incidents,
            incident_events,
            service_levels,
            alert_rules,
            work_items,
            work_item_changes,
            security_findings,
        ] = counts;
        Ok(FactCounts {
            ci_runs,
            ci_jobs,
            pull_requests,
            reviews,
            pr_commits,
            test_results,
            coverage_files,
            deployments,
            deployment_statuses,
            releases,
            incidents,
            incident_events,
            service_levels,
            alert_rules,
            work_items,
            work_item_changes,
            security_findings,
        })
    }

    /// Starts writing an input. With `replace_path`, the inputs stored under
    /// the same path (an earlier version of the file) and their facts are
    /// deleted in the same transaction.
    pub fn begin_input(
        &mut self,
        input: &NewInput,
        replace_path: bool,
    ) -> Result<InputWriter<'_>, StoreError> {
        let tx = self.conn.transaction()?;
        if replace_path {
            let old: Vec<i64> = {
                let mut stmt = tx.prepare("SELECT id FROM inputs WHERE path = $1")?;
                stmt.query_map([&input.path], |r| r.get(0))?
                    .collect::<Result<_, _>>()?
            };
            for id in old {
                delete_input(&tx, id)?;
            }
        }
        let id: i64 = tx.query_row(
            "INSERT INTO inputs (path, format, sha256, records, extractor_version, ingested_at, scopes, commit_id,
                size, modified_ns)
             VALUES ($1, $2, $3, 0, $4, $5, '', $6, $7, $8) RETURNING id",
            params![
                input.path,
                input.format,
                input.sha256,
                i64::from(input.extractor_version),
                now(),
                input.commit,
                input.stat.map(|s| to_i64(s.0)),
                input.stat.map(|s| s.1)
            ],
            |r| r.get(0),
        )?;
        Ok(InputWriter {
            tx,
            id,
            records: 0,
            repeated: 0,
            span: None,
            scopes: Default::default(),
            skipped: Vec::new(),
        })
    }

    fn input_rows<P: rusqlite::Params>(
        &self,
        filter: &str,
        p: P,
    ) -> Result<Vec<InputRow>, StoreError> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT id, path, format, sha256, records, span_start, span_end, extractor_version,
                    ingested_at, scopes, commit_id, size, modified_ns
             FROM inputs WHERE {filter} ORDER BY path, id"
        ))?;
        let rows = stmt
            .query_map(p, |r| {
                let scopes: String = r.get(9)?;
                Ok(InputRow {
                    id: r.get(0)?,
                    path: r.get(1)?,
                    format: r.get(2)?,
                    sha256: r.get(3)?,
                    records: crate::to_u64(r.get(4)?),
                    span_start: r.get(5)?,
                    span_end: r.get(6)?,
                    extractor_version: u32::try_from(r.get::<_, i64>(7)?).unwrap_or(0),
                    ingested_at: r.get(8)?,
                    scopes: scopes.split_whitespace().map(str::to_owned).collect(),
                    commit: r.get(10)?,
                    stat: match (r.get::<_, Option<i64>>(11)?, r.get::<_, Option<i64>>(12)?) {
                        (Some(size), Some(modified)) => Some((crate::to_u64(size), modified)),
                        _ => None,
                    },
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }
}

fn delete_input(tx: &Transaction<'_>, id: i64) -> Result<(), StoreError> {
    for (table, _) in FACT_TABLES {
        tx.prepare_cached(&format!("DELETE FROM {table} WHERE input = $1"))?
            .execute([id])?;
    }
    tx.prepare_cached("DELETE FROM inputs WHERE id = $1")?
        .execute([id])?;
    Ok(())
}

impl InputWriter<'_> {
    /// Stores one record. A record whose source key an earlier record of the
    /// same file already had is counted and not stored again.
    pub fn put(&mut self, record: &InputRecord, at: Position) -> Result<(), StoreError> {
        if let InputRecord::Skipped(why) = record {
            self.skipped.push(format!("record {}: {why}", at.record));
            return Ok(());
        }
        self.records += 1;
        for t in record.times() {
            self.span = Some(match self.span {
                None => (t, t),
                Some((a, b)) => (a.min(t), b.max(t)),
            });
        }
        let scope = record.scope();
        if !scope.is_empty() {
            *self.scopes.entry(scope.to_owned()).or_default() += 1;
        }
        let (id, rec, line) = (self.id, to_i64(at.record), at.line.map(to_i64));
        let written = match record {
            InputRecord::CiRun(r) => self
                .tx
                .prepare_cached(
                    "INSERT INTO ci_runs (input, record, line, scope, run_id, attempt, workflow, event, branch,
                        head_sha, status, conclusion, created_at, started_at, finished_at, updated_at,
                        duration, queued, url)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
                     ON CONFLICT DO NOTHING",
                )?
                .execute(params![
                    id, rec, line, r.scope, r.id, r.attempt, r.workflow, r.event, r.branch,
                    r.head_sha, r.status, r.conclusion, r.created_at, r.started_at, r.finished_at,
                    r.updated_at, r.duration, r.queued, r.url
                ])?,
            InputRecord::CiJob(r) => self
                .tx
                .prepare_cached(
                    "INSERT INTO ci_jobs (input, record, line, scope, job_id, run_id, attempt, name, stage,
                        status, conclusion, head_sha, branch, created_at, started_at, finished_at, queued,
                        runner_labels)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
                     ON CONFLICT DO NOTHING",
                )?
                .execute(params![
                    id, rec, line, r.scope, r.id, r.run_id, r.attempt, r.name, r.stage, r.status,
                    r.conclusion, r.head_sha, r.branch, r.created_at, r.started_at, r.finished_at,
                    r.queued, r.runner_labels
                ])?,
            InputRecord::PullRequest(r) => self
                .tx
                .prepare_cached(
                    "INSERT INTO pull_requests (input, record, line, scope, number, pr_id, state, author, title,
                        base_ref, head_ref, head_sha, merge_sha, draft, created_at, updated_at, closed_at,
                        merged_at, body)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
                     ON CONFLICT DO NOTHING",
                )?
                .execute(params![
                    id, rec, line, r.scope, to_i64(r.number), r.id, r.state, r.author, r.title,
                    r.base_ref, r.head_ref, r.head_sha, r.merge_sha, crate::bool_int(r.draft),
                    r.created_at, r.updated_at, r.closed_at, r.merged_at, r.body
                ])?,
            InputRecord::Review(r) => self
                .tx
                .prepare_cached(
                    "INSERT INTO pr_reviews (input, record, line, scope, review_id, number, author, state,
                        commit_sha, submitted_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                     ON CONFLICT DO NOTHING",
                )?
                .execute(params![
                    id, rec, line, r.scope, r.id, to_i64(r.number), r.author, r.state, r.commit_sha,
                    r.submitted_at
                ])?,
            InputRecord::PrCommit(r) => self
                .tx
                .prepare_cached(
                    "INSERT INTO pr_commits (input, record, line, scope, number, sha, authored_at, committed_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                     ON CONFLICT DO NOTHING",
                )?
                .execute(params![
                    id, rec, line, r.scope, to_i64(r.number.unwrap_or(0)), r.sha, r.authored_at,
                    r.committed_at
                ])?,
            InputRecord::TestResult(r) => self
                .tx
                .prepare_cached(
                    "INSERT INTO test_results (input, record, line, suite, classname, name, file, outcome,
                        duration, flaky_attempts, reruns, timestamp)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                )?
                .execute(params![
                    id, rec, line, r.suite, r.classname, r.name, r.file, r.outcome.as_str(),
                    r.duration, r.flaky_attempts, r.reruns, r.timestamp
                ])?,
            InputRecord::Coverage(r) => self
                .tx
                .prepare_cached(
                    "INSERT INTO coverage_files (input, record, line, path, lines_found, lines_hit,
                        branches_found, branches_hit, functions_found, functions_hit)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                )?
                .execute(params![
                    id, rec, line, r.path, to_i64(r.lines_found), to_i64(r.lines_hit),
                    to_i64(r.branches_found), to_i64(r.branches_hit), to_i64(r.functions_found),
                    to_i64(r.functions_hit)
                ])?,
            InputRecord::SecurityFinding(r) => self
                .tx
                .prepare_cached(
                    "INSERT INTO security_findings (input, record, line, tool, rule, level,
                        security_severity, path, start_line, skipped)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                )?
                .execute(params![
                    id, rec, line, r.tool, r.rule, r.level, r.security_severity, r.path,
                    r.start_line.map(to_i64), r.skipped
                ])?,
            InputRecord::Deployment(r) => self
                .tx
                .prepare_cached(
                    "INSERT INTO deployments (input, record, line, scope, deployment_id, sha, git_ref,
                        environment, production, created_at, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
                     ON CONFLICT DO NOTHING",
                )?
                .execute(params![
                    id, rec, line, r.scope, r.id, r.sha, r.git_ref, r.environment,
                    r.production.map(crate::bool_int), r.created_at, r.updated_at
                ])?,
            InputRecord::DeploymentStatus(r) => self
                .tx
                .prepare_cached(
                    "INSERT INTO deployment_statuses (input, record, line, scope, status_id, deployment_id,
                        state, environment, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                     ON CONFLICT DO NOTHING",
                )?
                .execute(params![
                    id, rec, line, r.scope, r.id, r.deployment_id, r.state, r.environment,
                    r.created_at
                ])?,
            InputRecord::Release(r) => self
                .tx
                .prepare_cached(
                    "INSERT INTO releases (input, record, line, scope, release_id, tag, target, name,
                        draft, prerelease, created_at, published_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
                     ON CONFLICT DO NOTHING",
                )?
                .execute(params![
                    id, rec, line, r.scope, r.id, r.tag, r.target, r.name,
                    crate::bool_int(r.draft), crate::bool_int(r.prerelease), r.created_at,
                    r.published_at
                ])?,
            InputRecord::Incident(r) => self
                .tx
                .prepare_cached(
                    "INSERT INTO incidents (input, record, line, source, incident_id, number, title, status,
                        urgency, service_id, service, team, fingerprint, created_at, acknowledged_at,
                        resolved_at, escalations, url, merged_into)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
                     ON CONFLICT DO NOTHING",
                )?
                .execute(params![
                    id, rec, line, r.source, r.id, r.number, r.title, r.status, r.urgency,
                    r.service_id, r.service, r.team, r.key, r.created_at, r.acknowledged_at,
                    r.resolved_at, r.escalations, r.url, r.merged_into
                ])?,
            InputRecord::IncidentEvent(r) => self
                .tx
                .prepare_cached(
                    "INSERT INTO incident_events (input, record, line, source, event_id, incident_id, kind, at, agent)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                     ON CONFLICT DO NOTHING",
                )?
                .execute(params![id, rec, line, r.source, r.id, r.incident_id, r.kind, r.at, r.agent])?,
            InputRecord::WorkItem(r) => self
                .tx
                .prepare_cached(
                    "INSERT INTO work_items (input, record, line, source, scope, item_key, item_id, title, kind,
                        status, category, inferred, resolution, labels, project, components, team, parent,
                        created_at, updated_at, resolved_at, url)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
                        $19, $20, $21, $22)
                     ON CONFLICT DO NOTHING",
                )?
                .execute(params![
                    id, rec, line, r.source, r.scope, r.key, r.id, r.title, r.kind, r.status,
                    r.category, crate::bool_int(r.inferred), r.resolution, r.labels, r.project,
                    r.components, r.team, r.parent, r.created_at, r.updated_at, r.resolved_at, r.url
                ])?,
            InputRecord::WorkItemChange(r) => self
                .tx
                .prepare_cached(
                    "INSERT INTO work_item_changes (input, record, line, source, scope, item_key, change_id,
                        field, from_value, to_value, at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
                     ON CONFLICT DO NOTHING",
                )?
                .execute(params![
                    id, rec, line, r.source, r.scope, r.key, r.id, r.field, r.from, r.to, r.at
                ])?,
            InputRecord::ServiceLevel(r) => self
                .tx
                .prepare_cached(
                    "INSERT INTO service_levels (input, record, line, source, kind, name, service, objective,
                        window_seconds, budgeting, alerts)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
                     ON CONFLICT DO NOTHING",
                )?
                .execute(params![
                    id, rec, line, r.source, r.kind, r.name, r.service, r.objective, r.window,
                    r.budgeting, r.alerts.join(",")
                ])?,
            InputRecord::AlertRule(r) => self
                .tx
                .prepare_cached(
                    "INSERT INTO alert_rules (input, record, line, rule_key, grp, kind, name, expr,
                        for_seconds, severity, runbook_url, summary, labels)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
                     ON CONFLICT DO NOTHING",
                )?
                .execute(params![
                    id, rec, line, r.key(), r.group, r.kind, r.name, r.expr, r.for_seconds,
                    r.severity, r.runbook_url, r.summary, r.labels
                ])?,
            InputRecord::Skipped(_) => 0,
        };
        if written == 0 {
            self.repeated += 1;
        }
        Ok(())
    }

    /// Records the input's totals and makes everything durable and visible.
    pub fn finish(self) -> Result<InputSummary, StoreError> {
        let mut overlapping = 0u64;
        for (table, key) in FACT_TABLES {
            if key.is_empty() {
                continue;
            }
            let same = key
                .split(", ")
                .map(|k| format!("o.{k} = f.{k}"))
                .collect::<Vec<_>>()
                .join(" AND ");
            let n: i64 = self.tx.query_row(
                &format!(
                    "SELECT COUNT(*) FROM {table} f WHERE f.input = $1 AND EXISTS
                        (SELECT 1 FROM {table} o WHERE {same} AND o.input <> f.input)"
                ),
                [self.id],
                |r| r.get(0),
            )?;
            overlapping += crate::to_u64(n);
        }
        let scopes: BTreeSet<&str> = self.scopes.keys().map(String::as_str).collect();
        self.tx.execute(
            "UPDATE inputs SET records = $1, span_start = $2, span_end = $3, scopes = $4 WHERE id = $5",
            params![
                to_i64(self.records),
                self.span.map(|s| s.0),
                self.span.map(|s| s.1),
                scopes.into_iter().collect::<Vec<_>>().join(" "),
                self.id
            ],
        )?;
        self.tx.commit()?;
        Ok(InputSummary {
            id: self.id,
            records: self.records,
            repeated: self.repeated,
            overlapping,
            scopes: self.scopes.into_iter().collect(),
            skipped: self.skipped,
        })
    }
}

impl Store {
    /// The inputs stored under this path (one, unless standard input).
    pub fn inputs_at_path(&self, path: &str) -> Result<Vec<InputRow>, StoreError> {
        self.input_rows("path = $1", [path])
    }
}
