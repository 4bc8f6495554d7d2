//! Delivery facts: what the CI, pull-request, deployment, test and coverage
//! exports of one repository say inside the assessment window, de-duplicated
//! and typed for the signals that read them.
//!
//! The application builds a [`Delivery`] from the store (one row per source
//! key: a run id and attempt, a pull-request number, a deployment id), keeps
//! only the records of the assessed repository's scope and of the window, and
//! resolves what needs git (which deployment first contained a commit). Every
//! record keeps a [`Cite`]: the input file and the record position behind it,
//! so evidence can name them.
//!
//! Statuses are normalised here, once, by [`CiResult::of`] and
//! [`DeployResult::of`]: a word the table does not know is
//! [`CiResult::Unknown`], never a failure.

use std::sync::Arc;

/// Where a fact came from: an input ([`Delivery::sources`]) and the record's
/// position in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Cite {
    /// Index into [`Delivery::sources`].
    pub source: u32,
    /// 1-based ordinal of the record in the file.
    pub record: u64,
    /// 1-based line where the record starts, when the format has lines.
    pub line: Option<u64>,
}

/// An input file facts were read from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Source {
    /// The path as given to `friction ingest` (or `[inputs] paths`).
    pub path: String,
    pub format: String,
    pub sha256: String,
}

/// The outcome of a CI run or job, from the source's own status words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CiResult {
    Success,
    /// Failed, errored or timed out: the run needs someone's attention.
    Failure,
    Cancelled,
    /// Skipped or neutral: it did not run its work.
    Skipped,
    /// Waiting for a person (GitLab `manual`, GitHub `action_required`).
    Manual,
    /// Queued or running when exported.
    InProgress,
    /// A status word not in the table: counted as unknown, never as a failure.
    Unknown,
}

impl CiResult {
    /// The outcome of a run or job from its status and conclusion, as
    /// GitHub Actions (`status` + `conclusion`), GitLab (`status` only),
    /// Bitbucket, CircleCI and Jenkins write them (case-insensitive).
    pub fn of(status: &str, conclusion: &str) -> CiResult {
        let word = |w: &str| -> Option<CiResult> {
            // Lower-cased on the stack: called once per job of an export
            // (a million for a busy year). No known word is longer.
            let mut buf = [0u8; 24];
            let lower = buf.get_mut(..w.len())?;
            lower.copy_from_slice(w.as_bytes());
            lower.make_ascii_lowercase();
            Some(match std::str::from_utf8(lower).ok()? {
                "success" | "successful" | "passed" | "fixed" => CiResult::Success,
                "failure"
                | "failed"
                | "error"
                | "errored"
                | "timed_out"
                | "startup_failure"
                | "infrastructure_fail"
                | "unstable"
                | "broken"
                | "failing" => CiResult::Failure,
                "cancelled" | "canceled" | "stopped" | "aborted" => CiResult::Cancelled,
                "skipped" | "neutral" | "not_run" | "not_built" => CiResult::Skipped,
                "manual" | "action_required" | "blocked" | "on_hold" => CiResult::Manual,
                "queued"
                | "in_progress"
                | "running"
                | "pending"
                | "waiting"
                | "requested"
                | "created"
                | "scheduled"
                | "preparing"
                | "waiting_for_resource" => CiResult::InProgress,
                _ => return None,
            })
        };
        if !conclusion.trim().is_empty() {
            return word(conclusion.trim()).unwrap_or(CiResult::Unknown);
        }
        match status.trim() {
            // GitHub's `completed` without a conclusion says nothing of the outcome.
            "" | "completed" | "COMPLETED" => CiResult::Unknown,
            s => word(s).unwrap_or(CiResult::Unknown),
        }
    }

    /// A finished run whose outcome counts in a failure rate.
    pub fn decided(self) -> bool {
        matches!(self, CiResult::Success | CiResult::Failure)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            CiResult::Success => "success",
            CiResult::Failure => "failure",
            CiResult::Cancelled => "cancelled",
            CiResult::Skipped => "skipped",
            CiResult::Manual => "manual",
            CiResult::InProgress => "in progress",
            CiResult::Unknown => "unknown",
        }
    }
}

/// One CI run (GitHub workflow run, GitLab pipeline) per attempt.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Run {
    pub id: String,
    /// 1 unless re-run.
    pub attempt: u32,
    /// Workflow name (GitHub); empty for GitLab pipelines.
    pub workflow: String,
    /// What triggered it (`push`, `pull_request`, `workflow_dispatch`, `web`, …).
    pub event: String,
    pub branch: String,
    pub head_sha: String,
    pub result: Option<CiResult>,
    pub created: Option<i64>,
    pub started: Option<i64>,
    pub finished: Option<i64>,
    /// Seconds from start to finish (the source's figure when it gives one).
    pub duration: Option<f64>,
    /// Seconds waiting before it started (the source's figure, else started − created).
    pub queued: Option<f64>,
    pub cite: Cite,
}

impl Run {
    /// The normalised outcome ([`CiResult::Unknown`] when absent).
    pub fn outcome(&self) -> CiResult {
        self.result.unwrap_or(CiResult::Unknown)
    }

    /// Started by a person rather than by a push, a schedule or a pull request.
    pub fn manual_trigger(&self) -> bool {
        matches!(
            self.event.as_str(),
            "workflow_dispatch" | "repository_dispatch" | "web" | "api" | "trigger" | "chat"
        )
    }

    /// The time the run is dated by (created, else started, else finished).
    pub fn time(&self) -> Option<i64> {
        self.created.or(self.started).or(self.finished)
    }
}

/// One CI job. Its words repeat across a million jobs (a run's id across its
/// jobs, a handful of names, stages, statuses and runner labels): they are
/// shared, read once each.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Job {
    pub id: String,
    pub run_id: Arc<str>,
    pub attempt: u32,
    pub name: Arc<str>,
    pub stage: Arc<str>,
    pub result: Option<CiResult>,
    /// The source's status word, as written (`manual` marks a manual job on GitLab).
    pub status: Arc<str>,
    pub created: Option<i64>,
    pub started: Option<i64>,
    pub finished: Option<i64>,
    /// Seconds waiting for a runner.
    pub queued: Option<f64>,
    /// Runner labels, comma-separated.
    pub runner_labels: Arc<str>,
    pub cite: Cite,
}

impl Job {
    pub fn outcome(&self) -> CiResult {
        self.result.unwrap_or(CiResult::Unknown)
    }
}

/// A review (or the first comment by someone other than the author).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PullReview {
    /// The reviewer, as the source names them (never shown: compared with the author only).
    pub author: String,
    pub state: String,
    pub submitted: Option<i64>,
    pub cite: Cite,
}

/// A pull or merge request with its reviews and commits.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Pull {
    pub number: u64,
    /// `open`, `closed`, `merged`, … as written.
    pub state: String,
    /// The author, as the source names them (never shown).
    pub author: String,
    pub title: String,
    /// The description as written (keys and closing references link work items).
    pub body: String,
    pub base_ref: String,
    /// The branch it was opened from (keys in branch names link work items).
    pub head_ref: String,
    pub head_sha: String,
    pub merge_sha: String,
    pub draft: bool,
    pub created: Option<i64>,
    pub closed: Option<i64>,
    pub merged: Option<i64>,
    /// Sorted by time.
    pub reviews: Vec<PullReview>,
    /// Authored times of its commits (from the pull-request commits export), sorted.
    pub commit_times: Vec<i64>,
    /// The first production deployment that contained the merged change, if known.
    pub deployed: Option<i64>,
    pub cite: Cite,
}

impl Pull {
    /// The first review by someone other than the author.
    pub fn first_review(&self) -> Option<i64> {
        self.reviews
            .iter()
            .filter(|r| r.author != self.author || self.author.is_empty())
            .filter_map(|r| r.submitted)
            .min()
    }
}

/// The outcome of a deployment, from its latest status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DeployResult {
    Success,
    Failure,
    InProgress,
    /// Replaced by a newer deployment before it finished (GitHub `inactive`).
    Inactive,
    Unknown,
}

impl DeployResult {
    /// From a deployment status word (GitHub: `success`, `failure`, `error`,
    /// `inactive`, `in_progress`, `queued`, `pending`; GitLab and Bitbucket
    /// spellings too). Unknown words are unknown.
    pub fn of(state: &str) -> DeployResult {
        match state.trim().to_ascii_lowercase().as_str() {
            "success" | "successful" | "completed" | "deployed" => DeployResult::Success,
            "failure" | "failed" | "error" | "errored" => DeployResult::Failure,
            "in_progress" | "queued" | "pending" | "running" | "created" | "waiting" => {
                DeployResult::InProgress
            }
            "inactive" | "canceled" | "cancelled" | "skipped" | "blocked" => DeployResult::Inactive,
            _ => DeployResult::Unknown,
        }
    }
}

/// A deployment: from an export, or inferred from a release tag.
#[derive(Debug, Clone, PartialEq)]
pub struct Deploy {
    pub id: String,
    pub sha: String,
    pub environment: String,
    /// Production by the source's flag, or by its environment's name.
    pub production: bool,
    /// When it reached its outcome (the latest status), else when it was created.
    pub time: i64,
    pub result: DeployResult,
    /// Inferred from a tag (no deployment export): labelled so in reports.
    pub inferred: bool,
    pub cite: Option<Cite>,
}

/// One test case's result in one report.
#[derive(Debug, Clone, PartialEq)]
pub struct TestCase {
    /// `suite / classname / name`: the test's identity across reports.
    pub key: String,
    pub file: String,
    /// Index into [`crate::Data::files`] of the test's source file: the
    /// report's `file`, else a JVM class name's path (`a.b.CTest` →
    /// `a/b/CTest.java`, `.kt`, `.scala`), when the repository holds it.
    pub path: Option<u32>,
    /// `passed`, `failed`, `error`, `skipped`.
    pub outcome: String,
    /// Failed attempts before a pass in the same run (`flakyFailure`).
    pub flaky_attempts: u32,
    pub reruns: u32,
    /// The commit the report measured, when known.
    pub commit: Option<String>,
    /// The report (index into [`Delivery::sources`]).
    pub report: u32,
    pub cite: Cite,
}

/// Coverage of one file of the repository in the newest report that names it.
#[derive(Debug, Clone, PartialEq)]
pub struct Coverage {
    /// Index into [`crate::Data::files`].
    pub file: u32,
    pub lines_found: u64,
    pub lines_hit: u64,
    pub branches_found: u64,
    pub branches_hit: u64,
    pub cite: Cite,
}

/// A commit whose message says it reverts another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revert {
    /// Index into [`crate::Data::commits`] of the reverting commit.
    pub commit: u32,
    /// The reverted commit's id as the message writes it (full or abbreviated).
    pub reverted: String,
}

/// The commit a message reverts: `This reverts commit <sha>` as `git revert`
/// writes it (7 to 40 hex digits).
pub fn reverted_commit(message: &str) -> Option<&str> {
    let (_, rest) = message.split_once("This reverts commit ")?;
    let end = rest
        .find(|c: char| !c.is_ascii_hexdigit())
        .unwrap_or(rest.len());
    (7..=40).contains(&end).then(|| &rest[..end])
}

impl Coverage {
    /// Line coverage, percent (two decimals); `None` when no line was found.
    pub fn line_pct(&self) -> Option<f64> {
        (self.lines_found > 0).then(|| {
            crate::round2(
                100.0 * self.lines_hit.min(self.lines_found) as f64 / self.lines_found as f64,
            )
        })
    }
}

/// Every delivery fact of the assessed repository inside the window.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Delivery {
    /// The source scope the records were kept for (`github:owner/name`), or
    /// empty when only scope-less inputs (tests, coverage) were read.
    pub scope: String,
    /// The repository's default branch (`main`), for branch-specific rates.
    pub default_branch: Option<String>,
    pub sources: Vec<Source>,
    /// Sorted by (time, id, attempt).
    pub runs: Vec<Run>,
    /// Sorted by (run, attempt, id): ids compare as numbers when every run and
    /// job id is a plain decimal number (GitHub's, GitLab's), else as text.
    pub jobs: Vec<Job>,
    /// Sorted by number.
    pub pulls: Vec<Pull>,
    /// The window's deployments (all environments and outcomes), sorted by time.
    pub deploys: Vec<Deploy>,
    /// Whether the deployments come from tags (no deployment export).
    pub deploys_inferred: bool,
    /// Commits of the window that revert another, as `git revert` marks them.
    pub reverts: Vec<Revert>,
    /// For commits of [`crate::Data::commits`] in the window: the time of the
    /// first successful production deployment containing it (git ancestry).
    /// Same length as `Data::commits` when deployments are known, else empty.
    pub commit_deployed: Vec<Option<i64>>,
    pub tests: Vec<TestCase>,
    pub coverage: Vec<Coverage>,
    /// The records of the window that were left out, and why (another
    /// repository's scope, no time), for the coverage notes.
    pub notes: Vec<String>,
    /// The window's incidents of the services mapped to this repository,
    /// sorted by start ([`crate::incidents`]).
    pub incidents: Vec<crate::incidents::Incident>,
    /// How much of the window's incident data maps to this repository;
    /// `None` when no incident is stored.
    pub incident_mapping: Option<crate::incidents::Mapping>,
    /// Findings of the stored SARIF files; `None` when none is stored.
    pub security: Option<crate::security_findings::CodeFindings>,
    /// Commits of the window linked to one of `incidents`: their message
    /// names it ([`crate::incidents::referenced`]; every file the commit
    /// touched), or they are defect fixes to its service's files inside its
    /// window ([`crate::incidents::fixes_in_window`]; those files), sorted.
    /// The hotspot map marks the files.
    pub incident_commits: Vec<crate::incidents::IncidentLink>,
}

impl Delivery {
    /// `path record N (line L)`: how evidence cites a fact.
    pub fn cite(&self, c: Cite) -> String {
        let path = self
            .sources
            .get(c.source as usize)
            .map_or("?", |s| s.path.as_str());
        match c.line {
            Some(l) => format!("{path} record {} (line {l})", c.record),
            None => format!("{path} record {}", c.record),
        }
    }

    /// Successful production deployments, in time order.
    pub fn production_deploys(&self) -> impl Iterator<Item = &Deploy> {
        self.deploys
            .iter()
            .filter(|d| d.production && d.result == DeployResult::Success)
    }
}

/// Whether an environment name means production (`production`, `prod`,
/// `prod-eu`, `live`, `github-pages`), for sources that carry no flag.
pub fn is_production(environment: &str) -> bool {
    let e = environment.to_ascii_lowercase();
    e.split(|c: char| !c.is_ascii_alphanumeric())
        .any(|w| matches!(w, "production" | "prod" | "prd" | "live"))
        || e == "github-pages"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ci_outcomes_read_each_vendor_and_keep_unknown_words_unknown() {
        assert_eq!(CiResult::of("completed", "success"), CiResult::Success);
        assert_eq!(CiResult::of("completed", "failure"), CiResult::Failure);
        assert_eq!(CiResult::of("completed", "timed_out"), CiResult::Failure);
        assert_eq!(CiResult::of("completed", "cancelled"), CiResult::Cancelled);
        assert_eq!(CiResult::of("completed", ""), CiResult::Unknown);
        assert_eq!(CiResult::of("in_progress", ""), CiResult::InProgress);
        assert_eq!(CiResult::of("failed", ""), CiResult::Failure);
        assert_eq!(CiResult::of("canceled", ""), CiResult::Cancelled);
        assert_eq!(CiResult::of("manual", ""), CiResult::Manual);
        assert_eq!(CiResult::of("SUCCESSFUL", ""), CiResult::Success);
        assert_eq!(CiResult::of("completed", "exploded"), CiResult::Unknown);
        assert_eq!(CiResult::of("WEIRD", ""), CiResult::Unknown);
        assert!(!CiResult::Unknown.decided());
    }

    #[test]
    fn reverts_name_the_commit_git_revert_writes() {
        let m =
            "Revert \"Add x\"\n\nThis reverts commit 0123456789abcdef0123456789abcdef01234567.\n";
        assert_eq!(
            reverted_commit(m),
            Some("0123456789abcdef0123456789abcdef01234567")
        );
        assert_eq!(
            reverted_commit("This reverts commit abc1234, sorry"),
            Some("abc1234")
        );
        assert_eq!(reverted_commit("This reverts commit abc."), None);
        assert_eq!(reverted_commit("Revert the x change"), None);
    }

    #[test]
    fn deployment_states_and_production_names() {
        assert_eq!(DeployResult::of("success"), DeployResult::Success);
        assert_eq!(DeployResult::of("error"), DeployResult::Failure);
        assert_eq!(DeployResult::of("inactive"), DeployResult::Inactive);
        assert_eq!(DeployResult::of("what"), DeployResult::Unknown);
        assert!(is_production("production"));
        assert!(is_production("prod-eu-west"));
        assert!(is_production("github-pages"));
        assert!(!is_production("staging"));
        assert!(!is_production("products-preview"));
    }
}
