//! Linking items to commits and pull requests, and whether an item reported
//! done is verified: a linked change merged to the default branch (in the
//! assessed history, not reverted), and deployed when deployments are known.
//! An item reported done with no linked change at all is a ghost.

use std::collections::HashMap;

use super::link::{Reference, references};
use super::{Commit, Item, NOT_DELIVERED, Pull, Settings};

/// Per item, the indices of its linked commits and pull requests.
pub(super) struct Links {
    pub commits: Vec<Vec<usize>>,
    pub pulls: Vec<Vec<usize>>,
}

/// Links every item to the commits and pull requests that name it: a key
/// (`PROJ-123`) or reference (`#12`, `owner/name#12`) in a commit message
/// (subject, body, and the branch names merge commits carry), in a pull
/// request's title or branch, a key or closing reference in its
/// description, or a commit or pull request the tracker links.
pub(super) fn link(items: &[Item], commits: &[Commit], pulls: &[Pull], s: &Settings) -> Links {
    let mut by_key: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut by_number: HashMap<(&str, u64), Vec<usize>> = HashMap::new();
    for (i, item) in items.iter().enumerate() {
        match item
            .key
            .strip_prefix('#')
            .and_then(|n| n.parse::<u64>().ok())
        {
            Some(n) => by_number
                .entry((item.scope.as_str(), n))
                .or_default()
                .push(i),
            None => by_key.entry(item.key.as_str()).or_default().push(i),
        }
    }
    // `#12` names the assessed repository's item; without a known
    // repository, the only one the items name.
    let scopes: std::collections::BTreeSet<&str> =
        by_number.keys().map(|(scope, _)| *scope).collect();
    let home: &str = if !s.repository_scope.is_empty() {
        &s.repository_scope
    } else if scopes.len() == 1 {
        scopes.first().copied().unwrap_or("")
    } else {
        ""
    };
    // `closing_only`: in a pull request's description, a number names an
    // item only after a closing keyword (`Fixes #12`, GitHub's rule); a
    // description mentions related issues freely.
    let targets_in = |text: &str, extra: &[String], closing_only: bool, out: &mut Vec<usize>| {
        for r in references(text) {
            if closing_only && matches!(r, Reference::Number { closing: false, .. }) {
                continue;
            }
            match r {
                Reference::Key(k) => out.extend(by_key.get(k.as_str()).into_iter().flatten()),
                Reference::Number {
                    repository, number, ..
                } => {
                    let scope = if repository.is_empty() {
                        home.to_owned()
                    } else {
                        format!("github:{repository}")
                    };
                    out.extend(
                        by_number
                            .get(&(scope.as_str(), number))
                            .into_iter()
                            .flatten(),
                    );
                }
            }
        }
        for k in extra {
            out.extend(by_key.get(k.as_str()).into_iter().flatten());
        }
    };
    let targets =
        |text: &str, extra: &[String], out: &mut Vec<usize>| targets_in(text, extra, false, out);
    let mut links = Links {
        commits: vec![Vec::new(); items.len()],
        pulls: vec![Vec::new(); items.len()],
    };
    let mut found = Vec::new();
    for (c, commit) in commits.iter().enumerate() {
        found.clear();
        targets(&commit.message, &commit.extra_keys, &mut found);
        for &i in &found {
            links.commits[i].push(c);
        }
    }
    let commit_index: HashMap<&str, usize> = commits
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.as_str(), i))
        .collect();
    let pull_index: HashMap<u64, usize> = pulls
        .iter()
        .enumerate()
        .map(|(i, p)| (p.number, i))
        .collect();
    for (p, pull) in pulls.iter().enumerate() {
        found.clear();
        targets(&pull.title, &[], &mut found);
        targets(&pull.head_ref, &[], &mut found);
        targets_in(&pull.body, &[], true, &mut found);
        found.sort_unstable();
        found.dedup();
        for &i in &found {
            links.pulls[i].push(p);
            if let Some(&c) = pull
                .merge_commit
                .as_deref()
                .and_then(|m| commit_index.get(m))
            {
                links.commits[i].push(c);
            }
        }
    }
    for (i, item) in items.iter().enumerate() {
        for sha in &item.commits {
            if let Some(&c) = commit_index.get(sha.as_str()) {
                links.commits[i].push(c);
            }
        }
        for n in &item.pulls {
            if let Some(&p) = pull_index.get(n) {
                links.pulls[i].push(p);
                if let Some(&c) = pulls[p]
                    .merge_commit
                    .as_deref()
                    .and_then(|m| commit_index.get(m))
                {
                    links.commits[i].push(c);
                }
            }
        }
        links.commits[i].sort_unstable();
        links.commits[i].dedup();
        links.pulls[i].sort_unstable();
        links.pulls[i].dedup();
    }
    links
}

/// What became of one item.
#[derive(Debug, Clone, Default)]
pub(super) struct Outcome {
    /// Done, delivered and needing code: what verification judges.
    pub reported_done: bool,
    pub verified: bool,
    pub ghost: bool,
    /// Done, resolved as not delivered.
    pub not_delivered: bool,
    /// Done, of a type or label that needs no code.
    pub no_code: bool,
    /// Why a linked item is not verified: `reverted`, `unmerged` or `not-deployed`.
    pub reason: Option<&'static str>,
    /// Times of its linked commits (activity).
    pub activity: Vec<i64>,
}

pub(super) fn outcome(
    item: &Item,
    links: &Links,
    i: usize,
    commits: &[Commit],
    pulls: &[Pull],
    s: &Settings,
    deployments_known: bool,
) -> Outcome {
    let linked: Vec<&Commit> = links.commits[i].iter().map(|&c| &commits[c]).collect();
    let mut o = Outcome {
        activity: linked.iter().map(|c| c.time).collect(),
        ..Outcome::default()
    };
    if item.category != "done" {
        return o;
    }
    let lower = |v: &str| v.trim().to_lowercase();
    if NOT_DELIVERED.contains(&lower(&item.resolution).as_str()) {
        o.not_delivered = true;
        return o;
    }
    let kind = lower(&item.kind);
    if s.no_code_types.iter().any(|t| lower(t) == kind)
        || item
            .labels
            .iter()
            .any(|l| s.no_code_labels.iter().any(|n| lower(n) == lower(l)))
    {
        o.no_code = true;
        return o;
    }
    o.reported_done = true;
    // Evidence: a linked change in the history that is not reverted (a
    // revert is no delivery either), deployed when deployments are known.
    let merged: Vec<&&Commit> = linked
        .iter()
        .filter(|c| !c.reverted && !c.is_revert)
        .collect();
    let merged_pull = links.pulls[i].iter().any(|&p| pulls[p].merged);
    let deployed = merged.iter().any(|c| c.deployed.unwrap_or(true));
    o.verified = if merged.is_empty() {
        // A merged pull request whose merge commit is not in the history
        // (squashed elsewhere, history not scanned) still shows delivery
        // when deployments are unknown.
        merged_pull && !deployments_known
    } else {
        deployed
    };
    o.ghost = linked.is_empty() && links.pulls[i].is_empty();
    if !o.verified && !o.ghost {
        o.reason = Some(if !merged.is_empty() {
            "not-deployed"
        } else if linked.is_empty() {
            "unmerged"
        } else {
            "reverted"
        });
    }
    o
}
