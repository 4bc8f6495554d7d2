//! Facts read from exports beyond git: CI runs and jobs, pull requests with
//! their reviews and commits, test results and coverage. Each is what the
//! source said, without judgement: statuses keep the source's own words
//! (`COMPLETED`, `success`, `manual`), times are seconds since the Unix epoch
//! (UTC), and an absent value stays absent.

use serde::Serialize;

/// Where a record sits in its file, so a number can cite it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Position {
    /// 1-based ordinal of the record in the file.
    pub record: u64,
    /// 1-based line where the record starts, when the format has lines.
    pub line: Option<u64>,
}

/// One workflow run (GitHub Actions) or pipeline (GitLab CI), per attempt.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct CiRun {
    /// The repository the record belongs to, prefixed by its system
    /// (`github:owner/name`, `gitlab:12345678`): part of every de-duplication
    /// key, so two repositories' runs, or numbers, never meet.
    pub scope: String,
    pub id: String,
    /// 1 unless the source says the run was re-run.
    pub attempt: u32,
    /// Workflow name (GitHub) or empty (GitLab pipelines have none).
    pub workflow: String,
    /// What triggered it: `push`, `pull_request`, `schedule`, `merge_request_event`, …
    pub event: String,
    /// Branch or ref the run built.
    pub branch: String,
    pub head_sha: String,
    /// The source's status, as written.
    pub status: String,
    /// The source's conclusion, as written (GitLab has none: empty).
    pub conclusion: String,
    pub created_at: Option<i64>,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
    /// Last change of the record (the newer export of a run wins).
    pub updated_at: Option<i64>,
    /// Seconds the run took, when the source says so (GitLab `duration`).
    pub duration: Option<f64>,
    /// Seconds the run waited for a runner (GitLab `queued_duration`).
    pub queued: Option<f64>,
    pub url: String,
}

/// One CI job (a GitHub Actions job, a GitLab job).
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct CiJob {
    pub scope: String,
    pub id: String,
    pub run_id: String,
    pub attempt: u32,
    pub name: String,
    /// GitLab's stage; empty on GitHub.
    pub stage: String,
    pub status: String,
    pub conclusion: String,
    pub head_sha: String,
    pub branch: String,
    pub created_at: Option<i64>,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
    /// Seconds the job waited for a runner (GitLab `queued_duration`).
    pub queued: Option<f64>,
    /// Runner labels (GitHub `labels`, GitLab `tag_list`), comma-separated.
    pub runner_labels: String,
}

/// A pull request (GitHub) or merge request (GitLab).
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct PullRequest {
    pub scope: String,
    /// The number people use (`#12`, `!12`).
    pub number: u64,
    pub id: String,
    /// `open`, `closed`, `merged`, … as the source wrote it.
    pub state: String,
    pub author: String,
    pub title: String,
    /// The description as written (GitHub's `body`, GitLab's `description`):
    /// work-item keys and closing references in it link work items.
    pub body: String,
    pub base_ref: String,
    pub head_ref: String,
    pub head_sha: String,
    pub merge_sha: String,
    pub draft: bool,
    pub created_at: Option<i64>,
    pub updated_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub merged_at: Option<i64>,
}

/// A review of a pull request.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Review {
    pub scope: String,
    pub id: String,
    /// The pull request's number.
    pub number: u64,
    pub author: String,
    /// `APPROVED`, `CHANGES_REQUESTED`, `COMMENTED`, …
    pub state: String,
    pub commit_sha: String,
    pub submitted_at: Option<i64>,
}

/// A commit of a pull request.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct PrCommit {
    pub scope: String,
    /// The pull request's number, when the export names it.
    pub number: Option<u64>,
    pub sha: String,
    pub authored_at: Option<i64>,
    pub committed_at: Option<i64>,
}

/// The outcome of one test case execution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TestOutcome {
    Passed,
    Failed,
    Error,
    Skipped,
}

impl TestOutcome {
    /// The name stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            TestOutcome::Passed => "passed",
            TestOutcome::Failed => "failed",
            TestOutcome::Error => "error",
            TestOutcome::Skipped => "skipped",
        }
    }
}

/// One `<testcase>` of a JUnit report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TestResult {
    /// Names of the enclosing `<testsuite>` elements, outermost first, joined by ` / `.
    pub suite: String,
    pub classname: String,
    pub name: String,
    pub file: String,
    pub outcome: TestOutcome,
    /// Seconds, when the report says.
    pub duration: Option<f64>,
    /// `flakyFailure`/`flakyError` elements: failed attempts before a pass.
    pub flaky_attempts: u32,
    /// `rerunFailure`/`rerunError` elements: failed re-runs after a failure.
    pub reruns: u32,
    /// The testcase's or its suite's timestamp.
    pub timestamp: Option<i64>,
}

/// Coverage of one source file in one report.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct FileCoverage {
    /// The path as the report wrote it.
    pub path: String,
    pub lines_found: u64,
    pub lines_hit: u64,
    pub branches_found: u64,
    pub branches_hit: u64,
    pub functions_found: u64,
    pub functions_hit: u64,
}

/// One result of a static-analysis or security scanner (a SARIF 2.1.0
/// `result`), at its first location.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct SecurityFinding {
    /// The tool (`tool.driver.name`): `CodeQL`, `Semgrep OSS`, `Trivy`, …
    pub tool: String,
    /// The rule id (`ruleId`, else the rule the `ruleIndex` names).
    pub rule: String,
    /// SARIF's level: `error`, `warning`, `note` or `none` (the result's,
    /// else its rule's default configuration, else SARIF's default `warning`).
    pub level: String,
    /// The `security-severity` property (0–10, as GitHub code scanning reads
    /// it) of the result, else of its rule; absent when neither has one.
    pub security_severity: Option<f64>,
    /// The location's path relative to the repository root (`src/a.rs`), or
    /// the absolute path as written (`/home/runner/work/r/r/src/a.rs`),
    /// matched against the repository's files when read. Empty when skipped
    /// before a path could be made of the URI.
    pub path: String,
    pub start_line: Option<u64>,
    /// Why the finding cannot name a file of the repository (a URI with
    /// `..` leaving the root, a `uriBaseId` the file does not resolve, a
    /// non-file URI, no location): counted and reported, never scored.
    /// Empty when the path is usable.
    pub skipped: String,
}

/// A deployment (GitHub's deployments API).
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Deployment {
    pub scope: String,
    pub id: String,
    pub sha: String,
    /// The ref deployed (branch, tag or sha).
    pub git_ref: String,
    pub environment: String,
    /// Whether the source marks the environment as production.
    pub production: Option<bool>,
    pub created_at: Option<i64>,
    pub updated_at: Option<i64>,
}

/// A status of a deployment (`success`, `failure`, `error`, `in_progress`, …).
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct DeploymentStatus {
    pub scope: String,
    pub id: String,
    pub deployment_id: String,
    pub state: String,
    pub environment: String,
    pub created_at: Option<i64>,
}

/// A published release.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Release {
    pub scope: String,
    pub id: String,
    pub tag: String,
    /// The branch or sha the tag was made from, when the tag did not exist.
    pub target: String,
    pub name: String,
    pub draft: bool,
    pub prerelease: bool,
    pub created_at: Option<i64>,
    pub published_at: Option<i64>,
}

/// An incident (PagerDuty, Opsgenie, a generic incident CSV).
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Incident {
    /// The system it comes from (`pagerduty`, `opsgenie`, `csv`): with `id`,
    /// the de-duplication key. Incidents name services, not repositories.
    pub source: String,
    pub id: String,
    /// The number people use (`#6`, Opsgenie's tiny id), when there is one.
    pub number: String,
    pub title: String,
    /// `triggered`, `acknowledged`, `resolved`, `open`, `closed`, … as written.
    pub status: String,
    /// Urgency or priority as written (`high`, `P3`, `SEV1`).
    pub urgency: String,
    /// The service's id and name, as the source names them.
    pub service_id: String,
    pub service: String,
    pub team: String,
    /// The alert's de-duplication key or alias (recurrence fingerprint).
    pub key: String,
    pub created_at: Option<i64>,
    /// First acknowledgement, when the export says.
    pub acknowledged_at: Option<i64>,
    pub resolved_at: Option<i64>,
    /// Escalations recorded (PagerDuty `escalate_log_entry`).
    pub escalations: u32,
    pub url: String,
    /// The incident this one was merged into (PagerDuty's
    /// `merge_resolve_reason`, the CSV's `merged_into`), else empty.
    pub merged_into: String,
}

/// An entry of an incident's log (trigger, acknowledge, escalate, resolve, …).
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct IncidentEvent {
    pub source: String,
    pub id: String,
    pub incident_id: String,
    /// `trigger`, `acknowledge`, `escalate`, `resolve`, `assign`, `notify`,
    /// `annotate`, `reopen`, … (PagerDuty's type without `_log_entry`).
    pub kind: String,
    pub at: Option<i64>,
    /// Who made the entry: `user` (a person), `service`, `integration`, …
    /// (PagerDuty's `agent.type` without `_reference`); empty when the
    /// export does not say.
    pub agent: String,
}

/// A work item (a Jira issue, a GitHub or GitLab issue, a Linear issue, a
/// row of a generic work-item CSV) as its tracker last described it.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct WorkItem {
    /// The tracker it comes from (`jira`, `github`, `gitlab`, `linear`,
    /// `csv`): with `scope` and `key`, the de-duplication key.
    pub source: String,
    /// The repository of a GitHub or GitLab issue (`github:owner/name`);
    /// empty for trackers whose keys are unique on their own (Jira, Linear).
    pub scope: String,
    /// The key people write in commits: `PROJ-123`, `#12`.
    pub key: String,
    pub id: String,
    pub title: String,
    /// The issue type as written (`Story`, `Bug`, `任务`).
    pub kind: String,
    /// The status as written (`In Progress`, `已完成`, `closed`).
    pub status: String,
    /// `new`, `indeterminate` or `done`: the tracker's status category, or
    /// inferred from the status name when the export has none (`inferred`).
    pub category: String,
    pub inferred: bool,
    /// The resolution as written (`Done`, `Won't Do`, GitHub's `state_reason`).
    pub resolution: String,
    /// Labels, comma-separated.
    pub labels: String,
    /// The project (Jira project key, Linear project) and components,
    /// comma-separated, and the team field, as written.
    pub project: String,
    pub components: String,
    pub team: String,
    /// The parent item's key (a sub-task's story, an epic), when named.
    pub parent: String,
    pub created_at: Option<i64>,
    /// Last change of the item: of duplicates across exports, the newest wins.
    pub updated_at: Option<i64>,
    pub resolved_at: Option<i64>,
    pub url: String,
}

/// The category of a status name when the export names none: `new`,
/// `indeterminate` or `done`, or `None` for a name the table does not know
/// (case and surrounding blanks ignored). The table is documented in the
/// README (Inputs: work items).
pub fn status_category(status: &str) -> Option<&'static str> {
    const DONE: [&str; 22] = [
        "done",
        "closed",
        "resolved",
        "complete",
        "completed",
        "fixed",
        "released",
        "shipped",
        "merged",
        "deployed",
        "verified",
        "canceled",
        "cancelled",
        "won't do",
        "wont do",
        "won't fix",
        "duplicate",
        "已完成",
        "完成",
        "关闭",
        "已关闭",
        "已解决",
    ];
    const IN_PROGRESS: [&str; 20] = [
        "in progress",
        "in-progress",
        "doing",
        "started",
        "active",
        "in review",
        "review",
        "code review",
        "in code review",
        "testing",
        "in test",
        "qa",
        "in qa",
        "in development",
        "development",
        "in dev",
        "blocked",
        "处理中",
        "进行中",
        "测试中",
    ];
    const NEW: [&str; 16] = [
        "to do",
        "todo",
        "open",
        "opened",
        "new",
        "backlog",
        "selected for development",
        "triage",
        "unstarted",
        "planned",
        "ready",
        "ready for development",
        "reopened",
        "待办",
        "待处理",
        "新建",
    ];
    let name = status.trim().to_lowercase();
    if DONE.contains(&name.as_str()) {
        Some("done")
    } else if IN_PROGRESS.contains(&name.as_str()) {
        Some("indeterminate")
    } else if NEW.contains(&name.as_str()) {
        Some("new")
    } else {
        None
    }
}

/// One change of a work item: a status or resolution change from its
/// changelog, or a link from its timeline (`field` `commit` with the commit
/// id in `to`, `pull_request` with the number).
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct WorkItemChange {
    pub source: String,
    pub scope: String,
    /// The item's key.
    pub key: String,
    /// The change's id in its source (unique per item with `field`).
    pub id: String,
    /// `status`, `resolution`, `commit`, `pull_request`.
    pub field: String,
    pub from: String,
    pub to: String,
    pub at: Option<i64>,
}

/// A service-level object: an OpenSLO object (`SLO`, `SLI`, `Service`,
/// `AlertPolicy`, `AlertCondition`, `AlertNotificationTarget`, `DataSource`)
/// or a Sloth SLO (`SLO`) or alert-window set (`AlertWindows`).
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct ServiceLevel {
    /// `openslo` or `sloth`: with `kind`, `service` and `name`, the
    /// de-duplication key.
    pub source: String,
    pub kind: String,
    pub name: String,
    /// The service the object belongs to (an OpenSLO `Service` names itself).
    pub service: String,
    /// An SLO's strictest objective as a ratio (`0.999`).
    pub objective: Option<f64>,
    /// An SLO's time window in seconds.
    pub window: Option<i64>,
    /// OpenSLO's budgeting method (`Occurrences`, `Timeslices`,
    /// `RatioTimeslices`), or `Occurrences` for Sloth's event ratios.
    pub budgeting: String,
    /// The alerts an SLO declares (OpenSLO alert policies, Sloth's page and
    /// ticket alerts as `NAME:page`), or an alert policy's conditions; sorted.
    pub alerts: Vec<String>,
}

/// A Prometheus rule: an alerting rule or a recording rule, from a rule
/// file or a prometheus-operator `PrometheusRule`.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct AlertRule {
    /// The rule group.
    pub group: String,
    /// `alert` or `record`.
    pub kind: String,
    /// The alert's or the recorded series' name.
    pub name: String,
    /// The PromQL expression as written (never evaluated).
    pub expr: String,
    /// `for`, in seconds.
    pub for_seconds: Option<i64>,
    /// The `severity` label.
    pub severity: String,
    /// The `runbook_url` annotation (or `runbook`, as Sloth writes it).
    pub runbook_url: String,
    pub summary: String,
    /// Every label as `name=value`, sorted by name, comma-separated.
    pub labels: String,
}

impl AlertRule {
    /// The rule's identity, Prometheus's for an alert series: group, name
    /// and labels.
    pub fn key(&self) -> String {
        format!("{}/{}{{{}}}", self.group, self.name, self.labels)
    }
}

/// One record of an input file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum InputRecord {
    CiRun(CiRun),
    CiJob(CiJob),
    PullRequest(PullRequest),
    Review(Review),
    PrCommit(PrCommit),
    TestResult(TestResult),
    Coverage(FileCoverage),
    Deployment(Deployment),
    DeploymentStatus(DeploymentStatus),
    Release(Release),
    Incident(Incident),
    IncidentEvent(IncidentEvent),
    WorkItem(WorkItem),
    WorkItemChange(WorkItemChange),
    ServiceLevel(ServiceLevel),
    AlertRule(AlertRule),
    /// Something the extractor read past without storing, with why (an
    /// OpenSLO object of an unknown kind, a rule without an expression):
    /// counted and reported, never a fact.
    Skipped(String),
    SecurityFinding(SecurityFinding),
}

impl InputRecord {
    /// The repository the record names (empty for tests, coverage,
    /// incidents and work items of trackers that name none).
    pub fn scope(&self) -> &str {
        match self {
            InputRecord::CiRun(r) => &r.scope,
            InputRecord::CiJob(r) => &r.scope,
            InputRecord::PullRequest(r) => &r.scope,
            InputRecord::Review(r) => &r.scope,
            InputRecord::PrCommit(r) => &r.scope,
            InputRecord::Deployment(r) => &r.scope,
            InputRecord::DeploymentStatus(r) => &r.scope,
            InputRecord::Release(r) => &r.scope,
            InputRecord::WorkItem(r) => &r.scope,
            InputRecord::WorkItemChange(r) => &r.scope,
            InputRecord::TestResult(_)
            | InputRecord::Coverage(_)
            | InputRecord::SecurityFinding(_)
            | InputRecord::Incident(_)
            | InputRecord::IncidentEvent(_)
            | InputRecord::ServiceLevel(_)
            | InputRecord::AlertRule(_)
            | InputRecord::Skipped(_) => "",
        }
    }

    /// The times the record covers, for the span of its file.
    pub fn times(&self) -> Vec<i64> {
        let all: Vec<Option<i64>> = match self {
            InputRecord::CiRun(r) => vec![r.created_at, r.started_at, r.finished_at],
            InputRecord::CiJob(r) => vec![r.created_at, r.started_at, r.finished_at],
            InputRecord::PullRequest(r) => {
                vec![r.created_at, r.closed_at, r.merged_at]
            }
            InputRecord::Review(r) => vec![r.submitted_at],
            InputRecord::PrCommit(r) => vec![r.authored_at, r.committed_at],
            InputRecord::TestResult(r) => vec![r.timestamp],
            InputRecord::Coverage(_) | InputRecord::SecurityFinding(_) => Vec::new(),
            InputRecord::Deployment(r) => vec![r.created_at, r.updated_at],
            InputRecord::DeploymentStatus(r) => vec![r.created_at],
            InputRecord::Release(r) => vec![r.created_at, r.published_at],
            InputRecord::Incident(r) => vec![r.created_at, r.acknowledged_at, r.resolved_at],
            InputRecord::IncidentEvent(r) => vec![r.at],
            InputRecord::WorkItem(r) => vec![r.created_at, r.updated_at, r.resolved_at],
            InputRecord::WorkItemChange(r) => vec![r.at],
            InputRecord::ServiceLevel(_) | InputRecord::AlertRule(_) | InputRecord::Skipped(_) => {
                Vec::new()
            }
        };
        all.into_iter().flatten().collect()
    }
}
