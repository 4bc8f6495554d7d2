//! GitLab REST API items: pipelines (list items and single-pipeline details),
//! jobs, merge requests, merge-request commits and issues (read by
//! `workitems`).

use friction_model::inputs::{CiJob, CiRun, InputRecord, PrCommit, PullRequest};
use serde_json::Value;

use crate::json::{Hint, id, joined, keys, number, seconds, text, text_at, time};

pub(crate) fn records(item: &Value, hint: &Hint) -> Result<Vec<InputRecord>, String> {
    if !item.is_object() {
        return Err(format!(
            "expected a GitLab API object, found {}",
            keys(item)
        ));
    }
    let has = |k: &str| item.get(k).is_some();
    let record = if has("pipeline") && has("stage") {
        job(item, hint)?
    } else if has("source_branch") && has("target_branch") && has("iid") {
        merge_request(item, hint)?
    } else if has("sha") && has("ref") && has("status") {
        pipeline(item, hint)?
    } else if has("short_id") && has("authored_date") {
        commit(item, hint)?
    } else if crate::workitems::is_gitlab_issue(item) {
        return crate::workitems::gitlab_issue(item, hint);
    } else {
        return Err(format!(
            "not a GitLab pipeline, job, merge request, merge-request commit or issue (keys: {})",
            keys(item)
        ));
    };
    Ok(vec![record])
}

/// `gitlab:<project id>`: GitLab items name their project by id (the path of
/// the item's `web_url` is the fallback when none does).
pub(crate) fn scope_of(project: &str) -> String {
    format!("gitlab:{project}")
}

/// `gitlab:host/group/project` from a `…/group/project/-/jobs/1` address.
fn project_path(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let path = rest.split_once("/-/")?.0;
    Some(format!("gitlab:{path}"))
}

fn scope(project: String, hint: &Hint, what: &str) -> Result<String, String> {
    if project.is_empty() {
        hint.scope
            .clone()
            .ok_or_else(|| format!("{what} names no project"))
    } else {
        Ok(scope_of(&project))
    }
}

fn pipeline(v: &Value, hint: &Hint) -> Result<InputRecord, String> {
    Ok(InputRecord::CiRun(CiRun {
        scope: scope(text(v, "project_id"), hint, "a pipeline")?,
        id: id(v, "a pipeline")?,
        attempt: 1,
        workflow: text(v, "name"),
        event: text(v, "source"),
        branch: text(v, "ref"),
        head_sha: text(v, "sha"),
        status: text(v, "status"),
        conclusion: String::new(),
        created_at: time(v, "created_at")?,
        started_at: time(v, "started_at")?,
        finished_at: time(v, "finished_at")?,
        updated_at: time(v, "updated_at")?,
        duration: seconds(v, "duration"),
        queued: seconds(v, "queued_duration"),
        url: text(v, "web_url"),
    }))
}

fn job(v: &Value, hint: &Hint) -> Result<InputRecord, String> {
    let pipeline = v.get("pipeline").unwrap_or(&Value::Null);
    Ok(InputRecord::CiJob(CiJob {
        scope: match scope(text(pipeline, "project_id"), hint, "a job") {
            Ok(scope) => scope,
            // A job of `/projects/:id/jobs` need not name its project; its
            // page's address does.
            Err(e) => project_path(&text(v, "web_url")).ok_or(e)?,
        },
        id: id(v, "a job")?,
        run_id: text(pipeline, "id"),
        attempt: 1,
        name: text(v, "name"),
        stage: text(v, "stage"),
        status: text(v, "status"),
        conclusion: String::new(),
        head_sha: text_at(v, &["commit", "id"]),
        branch: text(v, "ref"),
        created_at: time(v, "created_at")?,
        started_at: time(v, "started_at")?,
        finished_at: time(v, "finished_at")?,
        queued: seconds(v, "queued_duration"),
        runner_labels: joined(v, "tag_list"),
    }))
}

fn merge_request(v: &Value, hint: &Hint) -> Result<InputRecord, String> {
    let project = match text(v, "target_project_id") {
        p if p.is_empty() => text(v, "project_id"),
        p => p,
    };
    let merge_sha = match text(v, "merge_commit_sha") {
        s if s.is_empty() => text(v, "squash_commit_sha"),
        s => s,
    };
    let draft = ["draft", "work_in_progress"]
        .iter()
        .any(|k| v.get(k).and_then(Value::as_bool).unwrap_or(false));
    Ok(InputRecord::PullRequest(PullRequest {
        scope: scope(project, hint, "a merge request")?,
        number: number(v, "iid").ok_or("a merge request without an `iid`")?,
        id: text(v, "id"),
        state: text(v, "state"),
        author: text_at(v, &["author", "username"]),
        title: text(v, "title"),
        body: text(v, "description"),
        base_ref: text(v, "target_branch"),
        head_ref: text(v, "source_branch"),
        head_sha: text(v, "sha"),
        merge_sha,
        draft,
        created_at: time(v, "created_at")?,
        updated_at: time(v, "updated_at")?,
        closed_at: time(v, "closed_at")?,
        merged_at: time(v, "merged_at")?,
    }))
}

fn commit(v: &Value, hint: &Hint) -> Result<InputRecord, String> {
    Ok(InputRecord::PrCommit(PrCommit {
        scope: scope(String::new(), hint, "a merge-request commit")?,
        number: hint.number,
        sha: id(v, "a commit")?,
        authored_at: time(v, "authored_date")?,
        committed_at: time(v, "committed_date")?,
    }))
}
