//! GitHub REST API items and webhook payloads: workflow runs and jobs (one
//! item, a `workflow_runs`/`jobs` page, a `workflow_run`/`workflow_job`
//! webhook), pull requests, reviews, pull-request commits, deployments with
//! their statuses, releases, and issues with their events (read by
//! `workitems`).

use friction_model::inputs::{
    CiJob, CiRun, Deployment, DeploymentStatus, InputRecord, PrCommit, PullRequest, Release, Review,
};
use serde_json::Value;

use serde::Deserialize;

use crate::json::{Hint, Text, id, keys, number, text, text_at, time};

pub(crate) fn records(item: &Value, hint: &Hint) -> Result<Vec<InputRecord>, String> {
    if !item.is_object() {
        return Err(format!(
            "expected a GitHub API object, found {}",
            keys(item)
        ));
    }
    for (page, run) in [("workflow_runs", true), ("jobs", false)] {
        if let Some(Value::Array(items)) = item.get(page) {
            return items
                .iter()
                .map(|i| {
                    if run {
                        run_of(i, hint)
                    } else {
                        job_of(i, hint)
                    }
                })
                .collect();
        }
    }
    // A webhook payload: the item with the repository beside it.
    let webhook_hint = || Hint {
        scope: repository_scope(item.get("repository")).or_else(|| hint.scope.clone()),
        number: hint.number,
    };
    if let Some(run) = item.get("workflow_run").filter(|r| r.is_object()) {
        return Ok(vec![run_of(run, &webhook_hint())?]);
    }
    if let Some(job) = item.get("workflow_job").filter(|j| j.is_object()) {
        return Ok(vec![job_of(job, &webhook_hint())?]);
    }
    let has = |k: &str| item.get(k).is_some();
    let record = if has("run_number") && has("workflow_id") {
        run_of(item, hint)?
    } else if has("run_id") && (has("steps") || has("runner_name") || has("labels")) {
        job_of(item, hint)?
    } else if has("number") && has("head") && has("base") {
        pull_request(item, hint)?
    } else if has("pull_request_url") && has("submitted_at") {
        review(item, hint)?
    } else if has("sha") && has("commit") && has("parents") {
        pr_commit(item, hint)?
    } else if has("statuses_url") && has("environment") && has("sha") {
        deployment(item, hint)?
    } else if has("deployment_url") && has("state") {
        deployment_status(item, hint)?
    } else if has("tag_name") && has("published_at") {
        release(item, hint)?
    } else if crate::workitems::is_github_issue(item) {
        return crate::workitems::github_issue(item, hint);
    } else if crate::workitems::is_github_event(item) {
        return crate::workitems::github_event(item, hint);
    } else {
        return Err(format!(
            "not a GitHub workflow run, job, pull request, review, pull-request commit, deployment, deployment status, release, issue or issue event (keys: {})",
            keys(item)
        ));
    };
    Ok(vec![record])
}

/// `github:owner/name`, lower-cased (GitHub names are case-insensitive).
pub fn scope_of(full_name: &str) -> String {
    format!("github:{}", full_name.to_ascii_lowercase())
}

fn repository_scope(repo: Option<&Value>) -> Option<String> {
    let name = text(repo?, "full_name");
    (!name.is_empty()).then(|| scope_of(&name))
}

/// `owner/name` from an API URL `…/repos/owner/name/…`.
pub(crate) fn scope_from_url(url: &str) -> Option<String> {
    let rest = &url[url.find("/repos/")? + "/repos/".len()..];
    let mut parts = rest.split('/');
    let owner = parts.next().filter(|p| !p.is_empty())?;
    let name = parts.next().filter(|p| !p.is_empty())?;
    let name = name.split(['?', '#']).next()?;
    Some(scope_of(&format!("{owner}/{name}")))
}

fn scope(found: Option<String>, hint: &Hint, what: &str) -> Result<String, String> {
    found
        .or_else(|| hint.scope.clone())
        .ok_or_else(|| format!("{what} names no repository"))
}

/// The kind of items a page (`{"total_count":…,"workflow_runs":[…]}`) holds.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Page {
    Runs,
    Jobs,
}

/// A workflow run as the REST API writes it: the fields read (others skipped).
#[derive(Debug, Deserialize)]
pub(crate) struct Run {
    #[serde(default)]
    id: Text,
    #[serde(default)]
    run_attempt: Text,
    #[serde(default)]
    name: Text,
    #[serde(default)]
    event: Text,
    #[serde(default)]
    head_branch: Text,
    #[serde(default)]
    head_sha: Text,
    #[serde(default)]
    status: Text,
    #[serde(default)]
    conclusion: Text,
    #[serde(default)]
    created_at: Text,
    #[serde(default)]
    run_started_at: Text,
    #[serde(default)]
    updated_at: Text,
    #[serde(default)]
    html_url: Text,
    #[serde(default)]
    url: Text,
    #[serde(default)]
    repository: Option<Repository>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Repository {
    #[serde(default)]
    full_name: Text,
}

/// A workflow job as the REST API writes it: the fields read (others skipped).
#[derive(Debug, Deserialize)]
pub(crate) struct Job {
    #[serde(default)]
    id: Text,
    #[serde(default)]
    run_id: Text,
    #[serde(default)]
    run_attempt: Text,
    #[serde(default)]
    name: Text,
    #[serde(default)]
    status: Text,
    #[serde(default)]
    conclusion: Text,
    #[serde(default)]
    head_sha: Text,
    #[serde(default)]
    head_branch: Text,
    #[serde(default)]
    created_at: Text,
    #[serde(default)]
    started_at: Text,
    #[serde(default)]
    completed_at: Text,
    #[serde(default)]
    labels: Option<Vec<Text>>,
    #[serde(default)]
    run_url: Text,
    #[serde(default)]
    url: Text,
}

fn attempt(text: &Text) -> u32 {
    text.0.trim().parse().unwrap_or(1)
}

fn required(id: Text, what: &str) -> Result<String, String> {
    if id.0.is_empty() {
        Err(format!("{what} without an `id`"))
    } else {
        Ok(id.0)
    }
}

fn run_of(v: &Value, hint: &Hint) -> Result<InputRecord, String> {
    run_record(
        Run::deserialize(v).map_err(|e| format!("a workflow run: {e}"))?,
        hint,
    )
}

pub(crate) fn run_record(r: Run, hint: &Hint) -> Result<InputRecord, String> {
    let named = r
        .repository
        .as_ref()
        .map(|repo| repo.full_name.0.as_str())
        .filter(|n| !n.is_empty())
        .map(scope_of);
    let scope = scope(
        named.or_else(|| scope_from_url(&r.url.0)),
        hint,
        "a workflow run",
    )?;
    let updated_at = r.updated_at.time("updated_at")?;
    Ok(InputRecord::CiRun(CiRun {
        scope,
        attempt: attempt(&r.run_attempt),
        id: required(r.id, "a workflow run")?,
        workflow: r.name.0,
        event: r.event.0,
        branch: r.head_branch.0,
        head_sha: r.head_sha.0,
        // A completed run's last update is when it finished; a run still going
        // has no end.
        finished_at: if r.status.0.eq_ignore_ascii_case("completed") {
            updated_at
        } else {
            None
        },
        status: r.status.0,
        conclusion: r.conclusion.0,
        created_at: r.created_at.time("created_at")?,
        started_at: r.run_started_at.time("run_started_at")?,
        updated_at,
        duration: None,
        queued: None,
        url: r.html_url.0,
    }))
}

fn job_of(v: &Value, hint: &Hint) -> Result<InputRecord, String> {
    job_record(
        Job::deserialize(v).map_err(|e| format!("a workflow job: {e}"))?,
        hint,
    )
}

pub(crate) fn job_record(j: Job, hint: &Hint) -> Result<InputRecord, String> {
    let scope = scope(
        scope_from_url(&j.run_url.0).or_else(|| scope_from_url(&j.url.0)),
        hint,
        "a workflow job",
    )?;
    let labels: Vec<String> = j
        .labels
        .unwrap_or_default()
        .into_iter()
        .map(|l| l.0)
        .collect();
    Ok(InputRecord::CiJob(CiJob {
        scope,
        attempt: attempt(&j.run_attempt),
        id: required(j.id, "a workflow job")?,
        run_id: j.run_id.0,
        name: j.name.0,
        stage: String::new(),
        status: j.status.0,
        conclusion: j.conclusion.0,
        head_sha: j.head_sha.0,
        branch: j.head_branch.0,
        created_at: j.created_at.time("created_at")?,
        started_at: j.started_at.time("started_at")?,
        finished_at: j.completed_at.time("completed_at")?,
        queued: None,
        runner_labels: labels.join(","),
    }))
}

fn pull_request(v: &Value, hint: &Hint) -> Result<InputRecord, String> {
    let base_repo = text_at(v, &["base", "repo", "full_name"]);
    let scope = scope(
        (!base_repo.is_empty())
            .then(|| scope_of(&base_repo))
            .or_else(|| scope_from_url(&text(v, "url"))),
        hint,
        "a pull request",
    )?;
    let number = number(v, "number").ok_or("a pull request without a `number`")?;
    Ok(InputRecord::PullRequest(PullRequest {
        scope,
        number,
        id: text(v, "id"),
        state: text(v, "state"),
        author: text_at(v, &["user", "login"]),
        title: text(v, "title"),
        body: text(v, "body"),
        base_ref: text_at(v, &["base", "ref"]),
        head_ref: text_at(v, &["head", "ref"]),
        head_sha: text_at(v, &["head", "sha"]),
        merge_sha: text(v, "merge_commit_sha"),
        draft: v.get("draft").and_then(Value::as_bool).unwrap_or(false),
        created_at: time(v, "created_at")?,
        updated_at: time(v, "updated_at")?,
        closed_at: time(v, "closed_at")?,
        merged_at: time(v, "merged_at")?,
    }))
}

/// The number at the end of `…/pulls/12`.
fn number_from_url(url: &str) -> Option<u64> {
    let rest = &url[url.rfind("/pulls/")? + "/pulls/".len()..];
    rest.split(['/', '?']).next()?.parse().ok()
}

fn review(v: &Value, hint: &Hint) -> Result<InputRecord, String> {
    let url = text(v, "pull_request_url");
    let scope = scope(scope_from_url(&url), hint, "a review")?;
    let number = number_from_url(&url)
        .or(hint.number)
        .ok_or("a review whose `pull_request_url` names no pull request")?;
    Ok(InputRecord::Review(Review {
        scope,
        id: id(v, "a review")?,
        number,
        author: text_at(v, &["user", "login"]),
        state: text(v, "state"),
        commit_sha: text(v, "commit_id"),
        submitted_at: time(v, "submitted_at")?,
    }))
}

fn pr_commit(v: &Value, hint: &Hint) -> Result<InputRecord, String> {
    let scope = scope(scope_from_url(&text(v, "url")), hint, "a commit")?;
    let sha = text(v, "sha");
    if sha.is_empty() {
        return Err("a commit without a `sha`".into());
    }
    let commit = v.get("commit").unwrap_or(&Value::Null);
    let date = |who: &str| -> Result<Option<i64>, String> {
        match commit.get(who) {
            Some(person) => time(person, "date"),
            None => Ok(None),
        }
    };
    Ok(InputRecord::PrCommit(PrCommit {
        scope,
        number: hint.number,
        sha,
        authored_at: date("author")?,
        committed_at: date("committer")?,
    }))
}

fn deployment(v: &Value, hint: &Hint) -> Result<InputRecord, String> {
    let scope = scope(scope_from_url(&text(v, "url")), hint, "a deployment")?;
    Ok(InputRecord::Deployment(Deployment {
        scope,
        id: id(v, "a deployment")?,
        sha: text(v, "sha"),
        git_ref: text(v, "ref"),
        environment: text(v, "environment"),
        production: v.get("production_environment").and_then(Value::as_bool),
        created_at: time(v, "created_at")?,
        updated_at: time(v, "updated_at")?,
    }))
}

fn deployment_status(v: &Value, hint: &Hint) -> Result<InputRecord, String> {
    let deployment_url = text(v, "deployment_url");
    let scope = scope(scope_from_url(&deployment_url), hint, "a deployment status")?;
    let deployment_id = deployment_url
        .rsplit('/')
        .next()
        .filter(|id| !id.is_empty() && id.chars().all(|c| c.is_ascii_digit()))
        .ok_or("a deployment status whose `deployment_url` names no deployment")?;
    Ok(InputRecord::DeploymentStatus(DeploymentStatus {
        scope,
        id: id(v, "a deployment status")?,
        deployment_id: deployment_id.to_owned(),
        state: text(v, "state"),
        environment: text(v, "environment"),
        created_at: time(v, "created_at")?,
    }))
}

fn release(v: &Value, hint: &Hint) -> Result<InputRecord, String> {
    let scope = scope(scope_from_url(&text(v, "url")), hint, "a release")?;
    let flag = |k: &str| v.get(k).and_then(Value::as_bool).unwrap_or(false);
    Ok(InputRecord::Release(Release {
        scope,
        id: id(v, "a release")?,
        tag: text(v, "tag_name"),
        target: text(v, "target_commitish"),
        name: text(v, "name"),
        draft: flag("draft"),
        prerelease: flag("prerelease"),
        created_at: time(v, "created_at")?,
        published_at: time(v, "published_at")?,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repositories_are_read_from_api_urls() {
        assert_eq!(
            scope_from_url(
                "https://api.github.com/repos/PanJF2000/ants/actions/runs/5/jobs?page=1"
            )
            .as_deref(),
            Some("github:panjf2000/ants")
        );
        assert_eq!(
            scope_from_url("https://api.github.com/repos/o/r?x").as_deref(),
            Some("github:o/r")
        );
        assert_eq!(scope_from_url("https://api.github.com/users/x"), None);
        assert_eq!(
            number_from_url("https://api.github.com/repos/o/r/pulls/41"),
            Some(41)
        );
    }
}
