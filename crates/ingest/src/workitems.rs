//! Work items from JSON APIs: Jira issues (REST search results and single
//! issues, with `expand=changelog`), GitHub issues and their events
//! (issue events and timeline items: closing commits, referencing commits
//! and pull requests), and GitLab issues. The CSV exports are read by
//! `workitem_csv`. What every reader shares is here: the status-category
//! table that infers a category when the export has none.

use friction_model::inputs::{InputRecord, WorkItem, WorkItemChange};
use serde_json::Value;

use crate::json::{Hint, keys, text, text_at, time};

/// The category of an item: the export's own (`new`, `indeterminate`,
/// `done`), else inferred from the status name (`inferred` set), else empty.
pub(crate) fn categorise(item: &mut WorkItem, given: &str) {
    let given = given.trim().to_lowercase();
    let given = match given.as_str() {
        "to do" | "todo" | "new" | "unstarted" | "backlog" | "triage" => "new",
        "in progress" | "indeterminate" | "started" => "indeterminate",
        "done" | "completed" | "complete" | "canceled" | "cancelled" => "done",
        _ => "",
    };
    if given.is_empty() {
        item.category = friction_model::inputs::status_category(&item.status)
            .unwrap_or("")
            .to_owned();
        item.inferred = !item.category.is_empty();
    } else {
        item.category = given.to_owned();
        item.inferred = false;
    }
}

/// The records of one Jira object: an issue, or a search result (`issues`).
pub(crate) fn jira(item: &Value) -> Result<Vec<InputRecord>, String> {
    if let Some(Value::Array(issues)) = item.get("issues") {
        let mut out = Vec::new();
        for issue in issues {
            out.extend(jira_issue(issue)?);
        }
        return Ok(out);
    }
    if item.get("key").is_some() && item.get("fields").is_some() {
        return jira_issue(item);
    }
    if item.get("statusCategory").is_some() {
        return Err("a Jira status, not an issue: friction reads issues (search results or single issues, with `expand=changelog`)".into());
    }
    if item.get("items").is_some() && item.get("created").is_some() {
        return Err("a Jira changelog page names its issue by id only: export the issues with `expand=changelog`".into());
    }
    Err(format!(
        "not a Jira issue or search result (keys: {})",
        keys(item)
    ))
}

fn jira_issue(v: &Value) -> Result<Vec<InputRecord>, String> {
    let key = text(v, "key");
    if key.is_empty() {
        return Err("a Jira issue without a `key`".into());
    }
    let f = v
        .get("fields")
        .filter(|f| f.is_object())
        .ok_or_else(|| format!("Jira issue {key} has no `fields`"))?;
    let names = |k: &str| match f.get(k) {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|i| {
                i.as_str()
                    .map(str::to_owned)
                    .or_else(|| Some(text(i, "name")))
            })
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(","),
        _ => String::new(),
    };
    let url = text(v, "self");
    let browse = url
        .find("/rest/")
        .map(|i| format!("{}/browse/{key}", &url[..i]))
        .unwrap_or_default();
    let mut item = WorkItem {
        source: "jira".into(),
        scope: String::new(),
        key: key.clone(),
        id: text(v, "id"),
        title: text(f, "summary"),
        kind: text_at(f, &["issuetype", "name"]),
        status: text_at(f, &["status", "name"]),
        resolution: text_at(f, &["resolution", "name"]),
        labels: names("labels"),
        project: text_at(f, &["project", "key"]),
        components: names("components"),
        team: String::new(),
        parent: text_at(f, &["parent", "key"]),
        created_at: time(f, "created")?,
        updated_at: time(f, "updated")?,
        resolved_at: time(f, "resolutiondate")?,
        url: browse,
        ..WorkItem::default()
    };
    categorise(&mut item, &text_at(f, &["status", "statusCategory", "key"]));
    let mut records = vec![InputRecord::WorkItem(item)];
    let mut changes = Vec::new();
    if let Some(Value::Array(histories)) = v.get("changelog").and_then(|c| c.get("histories")) {
        for h in histories {
            let at = time(h, "created")?;
            let Some(Value::Array(items)) = h.get("items") else {
                continue;
            };
            for change in items {
                let field = text(change, "field").to_lowercase();
                if field != "status" && field != "resolution" {
                    continue;
                }
                changes.push(WorkItemChange {
                    source: "jira".into(),
                    scope: String::new(),
                    key: key.clone(),
                    id: text(h, "id"),
                    field,
                    from: text(change, "fromString"),
                    to: text(change, "toString"),
                    at,
                });
            }
        }
    }
    // Exports list histories newest first or oldest first: stored in time order.
    changes.sort_by(|a, b| (a.at, &a.id).cmp(&(b.at, &b.id)));
    records.extend(changes.into_iter().map(InputRecord::WorkItemChange));
    Ok(records)
}

/// An issue's labels (strings, or objects with a `name`), comma-separated.
fn label_names(v: &Value) -> String {
    match v.get("labels") {
        Some(Value::Array(items)) => items
            .iter()
            .map(|l| {
                l.as_str()
                    .map(str::to_owned)
                    .unwrap_or_else(|| text(l, "name"))
            })
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(","),
        _ => String::new(),
    }
}

/// Whether a GitHub object is an issue (as the issues API lists it; pull
/// requests the issues API lists too carry a `pull_request` key).
pub(crate) fn is_github_issue(v: &Value) -> bool {
    let has = |k: &str| v.get(k).is_some();
    has("number") && has("title") && has("state") && (has("labels") || has("state_reason"))
}

/// Whether a GitHub object is an issue event or a timeline item.
pub(crate) fn is_github_event(v: &Value) -> bool {
    v.get("event").is_some_and(Value::is_string)
        && (v.get("actor").is_some() || v.get("commit_id").is_some() || v.get("source").is_some())
}

/// A GitHub issue. A pull request listed by the issues API is no work item:
/// it yields nothing (the pull-request export reads it).
pub(crate) fn github_issue(v: &Value, hint: &Hint) -> Result<Vec<InputRecord>, String> {
    if v.get("pull_request").is_some_and(|p| !p.is_null()) {
        return Ok(Vec::new());
    }
    let number = crate::json::number(v, "number").ok_or("an issue without a `number`")?;
    let scope = crate::github::scope_from_url(&text(v, "repository_url"))
        .or_else(|| crate::github::scope_from_url(&text(v, "url")))
        .or_else(|| hint.scope.clone())
        .ok_or_else(|| format!("issue #{number} names no repository"))?;
    let state = text(v, "state");
    let mut item = WorkItem {
        source: "github".into(),
        scope,
        key: format!("#{number}"),
        id: text(v, "id"),
        title: text(v, "title"),
        kind: text_at(v, &["type", "name"]),
        status: state.clone(),
        resolution: text(v, "state_reason"),
        labels: label_names(v),
        project: String::new(),
        components: String::new(),
        team: String::new(),
        parent: String::new(),
        created_at: time(v, "created_at")?,
        updated_at: time(v, "updated_at")?,
        resolved_at: time(v, "closed_at")?,
        url: text(v, "html_url"),
        ..WorkItem::default()
    };
    // GitHub's state is its category.
    item.category = match state.as_str() {
        "open" => "new",
        "closed" => "done",
        _ => "",
    }
    .to_owned();
    Ok(vec![InputRecord::WorkItem(item)])
}

/// A GitHub issue event or timeline item: closing and re-opening become
/// status changes; a commit that closed or referenced the issue, and a pull
/// request that cross-referenced it, become links. Other events (labels,
/// assignments, …) and a pull request's events yield nothing.
pub(crate) fn github_event(v: &Value, hint: &Hint) -> Result<Vec<InputRecord>, String> {
    let event = text(v, "event");
    let issue = v.get("issue");
    // The issue events API lists pull requests' events too: not work items.
    if issue.is_some_and(|i| i.get("pull_request").is_some_and(|p| !p.is_null())) {
        return Ok(Vec::new());
    }
    let number = issue
        .and_then(|i| crate::json::number(i, "number"))
        .or(hint.number);
    let scope = crate::github::scope_from_url(&text(v, "url"))
        .or_else(|| issue.and_then(|i| crate::github::scope_from_url(&text(i, "repository_url"))))
        .or_else(|| hint.scope.clone());
    let change = |field: &str, from: &str, to: String| -> Result<InputRecord, String> {
        let number = number.ok_or_else(|| format!("an issue event `{event}` names no issue"))?;
        let scope = scope
            .clone()
            .ok_or_else(|| format!("an issue event of #{number} names no repository"))?;
        let id = match text(v, "id") {
            id if id.is_empty() => format!("{event}@{}", text(v, "created_at")),
            id => id,
        };
        Ok(InputRecord::WorkItemChange(WorkItemChange {
            source: "github".into(),
            scope,
            key: format!("#{number}"),
            id,
            field: field.into(),
            from: from.into(),
            to,
            at: time(v, "created_at")?,
        }))
    };
    let commit = text(v, "commit_id");
    let mut out = Vec::new();
    match event.as_str() {
        "closed" => out.push(change("status", "open", "closed".into())?),
        "reopened" => out.push(change("status", "closed", "open".into())?),
        "cross-referenced" => {
            let source = v.get("source").and_then(|s| s.get("issue"));
            if let Some(pr) = source.filter(|s| s.get("pull_request").is_some()) {
                let n = crate::json::number(pr, "number")
                    .ok_or("a cross-reference from a pull request without a `number`")?;
                out.push(change("pull_request", "", n.to_string())?);
            }
        }
        _ => {}
    }
    if !commit.is_empty() && matches!(event.as_str(), "closed" | "referenced") {
        out.push(change("commit", "", commit)?);
    }
    Ok(out)
}

/// Whether a GitLab object is an issue.
pub(crate) fn is_gitlab_issue(v: &Value) -> bool {
    let has = |k: &str| v.get(k).is_some();
    has("iid")
        && has("title")
        && has("state")
        && !has("source_branch")
        && (has("issue_type")
            || text(v, "type") == "ISSUE"
            || text(v, "web_url").contains("/-/issues/"))
}

/// A GitLab issue.
pub(crate) fn gitlab_issue(v: &Value, hint: &Hint) -> Result<Vec<InputRecord>, String> {
    let iid = crate::json::number(v, "iid").ok_or("an issue without an `iid`")?;
    let project = text(v, "project_id");
    let scope = if project.is_empty() {
        hint.scope
            .clone()
            .ok_or_else(|| format!("issue #{iid} names no project"))?
    } else {
        crate::gitlab::scope_of(&project)
    };
    let state = text(v, "state");
    let mut item = WorkItem {
        source: "gitlab".into(),
        scope,
        key: format!("#{iid}"),
        id: text(v, "id"),
        title: text(v, "title"),
        kind: match text(v, "issue_type") {
            t if t.is_empty() => text(v, "type").to_lowercase(),
            t => t,
        },
        status: state.clone(),
        labels: label_names(v),
        created_at: time(v, "created_at")?,
        updated_at: time(v, "updated_at")?,
        resolved_at: time(v, "closed_at")?,
        url: text(v, "web_url"),
        ..WorkItem::default()
    };
    item.category = match state.as_str() {
        "opened" | "open" | "reopened" => "new",
        "closed" => "done",
        _ => "",
    }
    .to_owned();
    Ok(vec![InputRecord::WorkItem(item)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_are_inferred_from_status_names_only_when_the_export_has_none() {
        let mut item = WorkItem {
            status: "In Review".into(),
            ..WorkItem::default()
        };
        categorise(&mut item, "");
        assert_eq!(
            (item.category.as_str(), item.inferred),
            ("indeterminate", true)
        );
        categorise(&mut item, "done");
        assert_eq!((item.category.as_str(), item.inferred), ("done", false));
        item.status = "Waiting for the moon".into();
        categorise(&mut item, "");
        assert_eq!((item.category.as_str(), item.inferred), ("", false));
        assert_eq!(
            friction_model::inputs::status_category(" 已完成 "),
            Some("done")
        );
        assert_eq!(
            friction_model::inputs::status_category("TO DO"),
            Some("new")
        );
    }

    #[test]
    fn a_changelog_out_of_order_is_stored_in_time_order() {
        let issue: Value = serde_json::from_str(
            r#"{"key":"P-1","id":"1","fields":{"summary":"x","status":{"name":"Done"},
               "customfield_10020":{"whatever":[1,2]},"created":"2024-01-01T00:00:00Z"},
               "changelog":{"histories":[
                 {"id":"3","created":"2024-01-03T00:00:00.000+0000","items":[{"field":"status","fromString":"In Progress","toString":"Done"}]},
                 {"id":"2","created":"2024-01-02T00:00:00.000+0000","items":[{"field":"status","fromString":"To Do","toString":"In Progress"},{"field":"Rank","toString":"x"}]}]}}"#,
        )
        .unwrap();
        let records = jira(&issue).unwrap();
        let changes: Vec<(String, String)> = records
            .iter()
            .filter_map(|r| match r {
                InputRecord::WorkItemChange(c) => Some((c.id.clone(), c.to.clone())),
                _ => None,
            })
            .collect();
        assert_eq!(
            changes,
            [
                ("2".into(), "In Progress".into()),
                ("3".into(), "Done".into())
            ]
        );
        let InputRecord::WorkItem(item) = &records[0] else {
            panic!()
        };
        assert_eq!((item.category.as_str(), item.inferred), ("done", true));
    }
}
