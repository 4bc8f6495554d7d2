//! Execution verification's inputs, read for an assessment: the stored work
//! items (each once, the newest export winning) with their status changes
//! and tracker links, the history's commits with their messages, offsets,
//! touched files and reverts, the pull requests and deployments of the
//! delivery facts, CODEOWNERS and `[execution]` of `friction.toml`; then
//! `friction_analysis::execution::verify`. Without stored work items there
//! is nothing to read and the assessment is as before.

use std::collections::{BTreeMap, HashMap};

use friction_analysis::execution::{self, Commit, ExecutionVerification, Item, Pull, Settings};
use friction_analysis::teams::CodeOwners;
use friction_history::Config;
use friction_signals::Data;
use friction_store::{Facts, Store};

use crate::error::Error;

/// How far before the window commits are read for links: work done before
/// the window still verifies an item resolved in it.
const LOOKBACK: i64 = 365 * 86_400;

/// What [`build`] reads besides the store.
pub(crate) struct Context<'a> {
    pub facts: &'a Facts,
    pub keep: &'a dyn Fn(u32) -> bool,
    pub data: &'a Data,
    pub config: &'a Config,
    pub codeowners: Option<&'a CodeOwners>,
    /// The assessed repository's scope (`github:owner/name`), when known.
    pub scope: Option<String>,
}

/// The window's work items, being read on a second connection while the
/// assessment loads the rest (no thread: read in [`build`], for a store in
/// memory).
pub(crate) struct Pending(Option<std::thread::JoinHandle<Result<Vec<Item>, Error>>>);

/// Starts reading the stored work items of the window `from..=last`; `None`
/// without stored work items.
pub(crate) fn start(store: &Store, from: i64, last: i64) -> Result<Option<Pending>, Error> {
    let err = |e: friction_store::StoreError| Error::store(format!("reading the store: {e}"), None);
    if !store.has_work_items().map_err(err)? {
        return Ok(None);
    }
    Ok(Some(Pending(store.second_reader().map(|other| {
        std::thread::spawn(move || items(&other, from, last))
    }))))
}

/// The execution verification of the window, or `None` without work items
/// (`pending` from [`start`] with the window of `cx.data`).
pub(crate) fn build(
    store: &Store,
    cx: &Context<'_>,
    pending: Option<Pending>,
) -> Result<Option<ExecutionVerification>, Error> {
    let Some(pending) = pending else {
        return Ok(None);
    };
    let settings = settings(cx.config, cx.scope.clone())?;
    let patterns = key_patterns(cx.config)?;
    let (from, last) = (cx.data.from, cx.data.to);
    let commits = commits(store, cx, &patterns);
    let items = match pending.0 {
        Some(reading) => reading
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p)),
        None => items(store, from, last),
    };
    let (items, commits) = (items?, commits?);
    let merge_ids: std::collections::HashSet<&str> =
        commits.iter().map(|c| c.id.as_str()).collect();
    let pulls: Vec<Pull> = cx
        .data
        .delivery
        .as_ref()
        .map(|d| {
            d.pulls
                .iter()
                .map(|p| Pull {
                    number: p.number,
                    title: p.title.clone(),
                    body: p.body.clone(),
                    head_ref: p.head_ref.clone(),
                    merged: p.merged.is_some(),
                    merge_commit: merge_ids
                        .contains(p.merge_sha.as_str())
                        .then(|| p.merge_sha.clone()),
                })
                .collect()
        })
        .unwrap_or_default();
    let owners = |path: &str| -> Option<String> {
        cx.codeowners?
            .owners_of(path)
            .and_then(|o| o.into_iter().next())
    };
    Ok(Some(execution::verify(
        &items, &commits, &pulls, &owners, &settings, last,
    )))
}

/// The commits reachable from the assessed commit, from a year before the
/// window to its end, with their touched files, keys, deployments, manual
/// runs and reverts; by id.
fn commits(
    store: &Store,
    cx: &Context<'_>,
    patterns: &[regex::Regex],
) -> Result<Vec<Commit>, Error> {
    let err = |e: friction_store::StoreError| Error::store(format!("reading the store: {e}"), None);
    let (from, last) = (cx.data.from, cx.data.to);
    let facts = cx.facts;
    let rows = store.work_commits(from - LOOKBACK).map_err(err)?;
    let mut files: HashMap<u32, Vec<String>> = HashMap::new();
    for ch in &facts.changes {
        if facts.commits[ch.commit as usize].time >= from - LOOKBACK {
            files
                .entry(ch.commit)
                .or_default()
                .push(facts.file_ids[ch.file as usize].clone());
        }
    }
    let deployed: HashMap<&str, bool> = match &cx.data.delivery {
        Some(d) if !d.commit_deployed.is_empty() => cx
            .data
            .commits
            .iter()
            .zip(&d.commit_deployed)
            .filter(|(c, _)| c.time >= from)
            .map(|(c, at)| (c.id.as_str(), at.is_some()))
            .collect(),
        _ => HashMap::new(),
    };
    // CI runs a person started by hand, by the commit they ran on.
    let mut manual: HashMap<&str, Vec<i64>> = HashMap::new();
    for r in cx.data.delivery.iter().flat_map(|d| &d.runs) {
        if let Some(t) = r.created.filter(|t| *t >= from - LOOKBACK && *t <= last)
            && execution::MANUAL_EVENTS.contains(&r.event.as_str())
        {
            manual.entry(r.head_sha.as_str()).or_default().push(t);
        }
    }
    for times in manual.values_mut() {
        times.sort_unstable();
        times.dedup();
    }
    let mut commits: Vec<Commit> = Vec::with_capacity(rows.len());
    for row in rows {
        let Some(i) = facts.commit_index(&row.id) else {
            continue;
        };
        if !(cx.keep)(i) || row.time > last {
            continue;
        }
        let extra_keys = patterns
            .iter()
            .flat_map(|re| {
                re.captures_iter(&row.message)
                    .filter_map(|c| c.get(1).or_else(|| c.get(0)).map(|m| m.as_str().to_owned()))
            })
            .collect();
        commits.push(Commit {
            manual_runs: manual.remove(row.id.as_str()).unwrap_or_default(),
            deployed: deployed.get(row.id.as_str()).copied(),
            files: files.remove(&i).unwrap_or_default(),
            is_revert: friction_signals::delivery::reverted_commit(&row.message).is_some(),
            id: row.id,
            time: row.time,
            offset_minutes: row.offset_minutes,
            author: row.author,
            message: row.message,
            extra_keys,
            reverted: false,
        });
    }
    commits.sort_by(|a, b| a.id.cmp(&b.id));
    let reverted: Vec<usize> = commits
        .iter()
        .filter_map(|c| friction_signals::delivery::reverted_commit(&c.message))
        .filter(|prefix| prefix.len() >= 7)
        .filter_map(|prefix| {
            let at = commits.partition_point(|c| c.id.as_str() < prefix);
            commits
                .get(at)
                .filter(|c| c.id.starts_with(prefix))
                .map(|_| at)
        })
        .collect();
    for i in reverted {
        commits[i].reverted = true;
    }
    Ok(commits)
}

/// The stored items of the window: created by its end, and not resolved
/// before its start; with their status changes (categories from the items'
/// own statuses where the tracker gave them, else the status-name table)
/// and the commits and pull requests their trackers link.
fn items(store: &Store, from: i64, last: i64) -> Result<Vec<Item>, Error> {
    let err = |e: friction_store::StoreError| Error::store(format!("reading the store: {e}"), None);
    let stored = store.work_items().map_err(err)?;
    let mut learned: BTreeMap<String, String> = BTreeMap::new();
    // A status name once: the first item with it decides its entry.
    let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for i in &stored {
        if !i.inferred && !i.category.is_empty() && seen.insert(i.status.as_str()) {
            learned
                .entry(i.status.trim().to_lowercase())
                .or_insert_with(|| i.category.clone());
        }
    }
    // A status name's category, resolved once per distinct name.
    let category_of = |status: &str| -> String {
        learned
            .get(&status.trim().to_lowercase())
            .cloned()
            .or_else(|| friction_model::inputs::status_category(status).map(str::to_owned))
            .unwrap_or_default()
    };
    let split = |s: &str| -> Vec<String> {
        s.split(',')
            .map(|p| p.trim().to_owned())
            .filter(|p| !p.is_empty())
            .collect()
    };
    let mut out: Vec<Item> = Vec::new();
    // Each kept item's (source, scope), as an index into `scopes`.
    let mut scopes: Vec<(String, String)> = Vec::new();
    let mut scope_of: Vec<usize> = Vec::new();
    for w in stored {
        if w.created_at.is_some_and(|c| c > last)
            || w.resolved_at.is_some_and(|r| r < from || r > last)
        {
            continue;
        }
        let scope = match scopes
            .iter()
            .position(|(s, c)| *s == w.source && *c == w.scope)
        {
            Some(i) => i,
            None => {
                scopes.push((w.source.clone(), w.scope.clone()));
                scopes.len() - 1
            }
        };
        scope_of.push(scope);
        out.push(Item {
            labels: split(&w.labels),
            components: split(&w.components),
            source: w.source,
            scope: w.scope,
            key: w.key,
            title: w.title,
            kind: w.kind,
            category: w.category,
            resolution: w.resolution,
            project: w.project,
            team_field: w.team,
            created_at: w.created_at,
            resolved_at: w.resolved_at,
            statuses: Vec::new(),
            commits: Vec::new(),
            pulls: Vec::new(),
        });
    }
    // The kept items by key (borrowed from `out`: the first item of a key,
    // then the next of the same key in `next`), looked up with the change
    // rows' borrowed text, without building a key per change.
    let mut at: HashMap<&str, usize> = HashMap::with_capacity(out.len());
    let mut next: Vec<usize> = vec![usize::MAX; out.len()];
    for (i, item) in out.iter().enumerate().rev() {
        if let Some(first) = at.insert(item.key.as_str(), i) {
            next[i] = first;
        }
    }
    // Each kept change with its id, so that a change several exports hold
    // is read once: per item, sorted by (id, time, values) and the first of
    // each id kept — the earliest time, whatever the order of ingestion.
    struct Raw {
        item: usize,
        id: String,
        at: Option<i64>,
        kind: RawKind,
    }
    #[derive(PartialEq, Eq, PartialOrd, Ord)]
    enum RawKind {
        // Categories as indices into `names`.
        Status { to: usize, from: usize },
        Commit(String),
        Pull(u64),
    }
    let mut names: Vec<String> = Vec::new();
    let mut name_at: HashMap<String, usize> = HashMap::new();
    let mut name = |status: &str| -> usize {
        if let Some(&i) = name_at.get(status) {
            return i;
        }
        names.push(category_of(status));
        name_at.insert(status.to_owned(), names.len() - 1);
        names.len() - 1
    };
    let mut raw: Vec<Raw> = Vec::new();
    store
        .visit_work_item_changes(|c| {
            let mut candidate = at.get(c.key).copied().unwrap_or(usize::MAX);
            while candidate != usize::MAX {
                let (s, sc) = &scopes[scope_of[candidate]];
                if s == c.source && sc == c.scope {
                    break;
                }
                candidate = next[candidate];
            }
            if candidate == usize::MAX {
                return;
            }
            let item = candidate;
            let kind = match c.field {
                "status" => RawKind::Status {
                    to: name(c.to),
                    from: name(c.from),
                },
                "commit" => RawKind::Commit(c.to.to_owned()),
                "pull_request" => match c.to.parse::<u64>() {
                    Ok(n) => RawKind::Pull(n),
                    Err(_) => return,
                },
                _ => return,
            };
            raw.push(Raw {
                item,
                id: c.id.to_owned(),
                at: c.at,
                kind,
            });
        })
        .map_err(err)?;
    drop(at);
    let field = |k: &RawKind| match k {
        RawKind::Status { .. } => 0u8,
        RawKind::Commit(_) => 1,
        RawKind::Pull(_) => 2,
    };
    // A time, when any copy has one, wins over none (SQL's MIN).
    let earliest = |at: Option<i64>| (at.is_none(), at);
    raw.sort_unstable_by(|a, b| {
        (a.item, &a.id, field(&a.kind), earliest(a.at), &a.kind).cmp(&(
            b.item,
            &b.id,
            field(&b.kind),
            earliest(b.at),
            &b.kind,
        ))
    });
    raw.dedup_by(|b, a| a.item == b.item && a.id == b.id && field(&a.kind) == field(&b.kind));
    // Then in time order (then id), as the trackers recorded them; changes
    // without a time first.
    raw.sort_by(|a, b| (a.item, a.at, &a.id).cmp(&(b.item, b.at, &b.id)));
    for r in raw {
        let item = &mut out[r.item];
        match r.kind {
            RawKind::Status { to, from } => {
                if let Some(t) = r.at.filter(|t| *t <= last) {
                    item.statuses
                        .push((t, names[to].clone(), names[from].clone()));
                }
            }
            RawKind::Commit(sha) => item.commits.push(sha),
            RawKind::Pull(n) => item.pulls.push(n),
        }
    }
    Ok(out)
}

fn settings(config: &Config, scope: Option<String>) -> Result<Settings, Error> {
    let e = &config.execution;
    let mut s = Settings {
        repository_scope: scope.unwrap_or_default(),
        ..Settings::default()
    };
    if let Some(t) = &e.no_code_types {
        s.no_code_types = t.clone();
    }
    if let Some(l) = &e.no_code_labels {
        s.no_code_labels = l.clone();
    }
    if let Some(d) = e.stale_days {
        s.stale_days = d;
    }
    if let Some([start, end]) = e.work_hours {
        if start >= end || end > 24 {
            return Err(Error::input(
                format!("[execution] work_hours [{start}, {end}] is not a range of hours"),
                Some("write the start and end hour of the working day, e.g. [8, 19]"),
            ));
        }
        s.work_hours = (start, end);
    }
    for (team, values) in &e.teams {
        for v in values {
            s.team_map.insert(v.clone(), team.clone());
        }
    }
    Ok(s)
}

fn key_patterns(config: &Config) -> Result<Vec<regex::Regex>, Error> {
    config
        .execution
        .key_patterns
        .iter()
        .map(|p| {
            regex::Regex::new(p).map_err(|e| {
                Error::input(
                    format!("[execution] key_patterns: `{p}` is not a regular expression: {e}"),
                    Some("the first capture group (or the whole match) is the item's key"),
                )
            })
        })
        .collect()
}
