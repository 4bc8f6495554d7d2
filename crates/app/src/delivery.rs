//! Builds the delivery facts signals read ([`friction_signals::delivery`])
//! from the store: picks the repository's scope among the ones the exports
//! name, keeps the records of the window, normalises statuses, joins reviews
//! and commits to their pull requests, resolves each deployment's outcome
//! from its statuses, infers deployments from releases or tags when no
//! deployment export exists, and finds through git ancestry the first
//! production deployment that contained each commit.

use std::collections::{BTreeMap, HashMap, HashSet};

use friction_model::inputs::SecurityFinding;
use friction_model::services::ServiceMap;
use friction_signals::delivery::{
    CiResult, Cite, Coverage, Delivery, Deploy, DeployResult, Job, Pull, PullReview, Run, Source,
    TestCase, is_production,
};
use friction_signals::incidents::{self, Incident, Mapping};
use friction_signals::security_findings::{CodeFinding, CodeFindings};
use friction_store::{DeliveryRows, Facts, IncidentRows, InputRow, JobRow, Store, Stored};

use crate::Error;

/// A tag as the assessment reads it: name, commit, date.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Tag {
    pub name: String,
    pub commit: String,
    pub time: i64,
}

/// What picking the scope found.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ScopeChoice {
    /// The scope the records are kept for, and how it was chosen.
    Chosen(String, &'static str),
    /// No scope applies; the note says why.
    None(String),
}

/// `github:owner/name` from a remote URL of GitHub (`https://github.com/o/n.git`,
/// `git@github.com:o/n.git`, `ssh://git@github.com/o/n`).
pub(crate) fn scope_of_remote(url: &str) -> Option<String> {
    let url = url.trim();
    let rest = url
        .strip_prefix("git@github.com:")
        .or_else(|| url.split_once("github.com/").map(|(_, r)| r))?;
    let rest = rest.trim_end_matches('/');
    let rest = rest.strip_suffix(".git").unwrap_or(rest);
    let mut parts = rest.split('/');
    let (owner, name) = (parts.next()?, parts.next()?);
    (!owner.is_empty() && !name.is_empty() && parts.next().is_none()).then(|| {
        format!(
            "github:{}/{}",
            owner.to_ascii_lowercase(),
            name.to_ascii_lowercase()
        )
    })
}

/// The scope: `[inputs] scope`, else the one the `origin` remote names,
/// else the only one the exports name.
pub(crate) fn choose_scope(
    configured: Option<&str>,
    origin: Option<&str>,
    stored: &[String],
) -> ScopeChoice {
    if let Some(s) = configured {
        let s = s.trim().to_ascii_lowercase();
        return if stored.contains(&s) || stored.is_empty() {
            ScopeChoice::Chosen(s, "[inputs] scope")
        } else {
            ScopeChoice::None(format!(
                "[inputs] scope `{s}` names no stored export's repository (they name {})",
                stored.join(", ")
            ))
        };
    }
    if let Some(s) = origin.and_then(scope_of_remote)
        && stored.contains(&s)
    {
        return ScopeChoice::Chosen(s, "the origin remote");
    }
    match stored {
        [] => ScopeChoice::None(String::new()),
        [one] => ScopeChoice::Chosen(one.clone(), "the only repository the exports name"),
        many => ScopeChoice::None(format!(
            "the exports name {} repositories ({}) and none is this repository's origin: \
             set `[inputs] scope` in friction.toml",
            many.len(),
            many.join(", ")
        )),
    }
}

/// The window the records are kept for: `[from, until]` (`until: None` for
/// the current assessment, whose CI runs may come after its last commit).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Window {
    pub from: i64,
    pub until: Option<i64>,
}

impl Window {
    fn holds(&self, t: Option<i64>) -> bool {
        t.is_some_and(|t| t >= self.from && self.until.is_none_or(|u| t <= u))
    }
    fn before_end(&self, t: i64) -> bool {
        self.until.is_none_or(|u| t <= u)
    }
}

/// Everything the builder reads besides the store rows.
pub(crate) struct Context<'a> {
    pub inputs: &'a [InputRow],
    pub facts: &'a Facts,
    /// Ids of [`friction_signals::Data::commits`].
    pub commits: Vec<&'a str>,
    /// Paths of [`friction_signals::Data::files`].
    pub files: Vec<&'a str>,
    /// The tags matching `[inputs] deploy_tags` (read with the inputs).
    pub tags: &'a [Tag],
    pub window: Window,
    /// `[services]` and the names a service is matched against by default.
    pub services: &'a ServiceMap,
}

/// The delivery facts, or `None` when nothing beyond git is known (the
/// assessment is then exactly the git-only one).
pub(crate) fn build(
    store: &Store,
    scope: &ScopeChoice,
    cx: &Context<'_>,
) -> Result<Option<Delivery>, Error> {
    let err = |e: friction_store::StoreError| Error::store(format!("reading the store: {e}"), None);
    if cx.inputs.is_empty() && cx.tags.is_empty() {
        return Ok(None);
    }
    let mut notes = Vec::new();
    let key = match scope {
        ScopeChoice::Chosen(s, _) => s.clone(),
        ScopeChoice::None(why) => {
            if !why.is_empty() {
                notes.push(why.clone());
            }
            String::new()
        }
    };
    let rows = if cx.inputs.is_empty() {
        DeliveryRows::default()
    } else {
        store
            .delivery_rows(&key, cx.window.from, cx.window.until)
            .map_err(err)?
    };
    let incident_rows = if cx.inputs.is_empty() {
        IncidentRows::default()
    } else {
        store.incident_rows().map_err(err)?
    };
    Ok(Some(assemble(rows, incident_rows, key, notes, cx)))
}

/// A plain decimal id (no sign, no leading zero) as a number: one number per
/// spelling, so comparing numbers orders ids as totally as comparing text.
fn decimal(id: &str) -> Option<u64> {
    (!id.is_empty() && id.len() <= 19 && (id == "0" || !id.starts_with('0')))
        .then(|| id.parse().ok())
        .flatten()
}

/// The order of jobs by (run, attempt, id), as indices into `jobs`. A
/// million jobs sorted by their id strings spent most of the time comparing
/// bytes; CI systems number runs and jobs, so numeric ids are sorted as
/// numbers, and as text only when one is not.
fn job_order(jobs: &[Stored<JobRow>]) -> Vec<usize> {
    /// (run, attempt, id) as numbers, and the job's index.
    type Key = ((u64, u32, u64), u32);
    let numeric: Option<Vec<Key>> = jobs
        .iter()
        .zip(0u32..)
        .map(|(j, i)| {
            let f = &j.fact;
            Some(((decimal(&f.run_id)?, f.attempt.max(1), decimal(&f.id)?), i))
        })
        .collect();
    match numeric {
        Some(mut keys) => {
            keys.sort_unstable();
            keys.into_iter().map(|(_, i)| i as usize).collect()
        }
        None => {
            let mut order: Vec<usize> = (0..jobs.len()).collect();
            order.sort_by(|&a, &b| {
                let (a, b) = (&jobs[a].fact, &jobs[b].fact);
                (&a.run_id, a.attempt.max(1), &a.id).cmp(&(&b.run_id, b.attempt.max(1), &b.id))
            });
            order
        }
    }
}

/// Puts `v` in `order` (`v[k]` becomes the old `v[order[k]]`), in place:
/// each cycle of the permutation is followed by swaps, so nothing is copied
/// out or left behind.
fn permute<T>(v: &mut [T], mut order: Vec<usize>) {
    const DONE: usize = usize::MAX;
    for i in 0..v.len() {
        let mut cur = i;
        while order[cur] != DONE {
            let next = order[cur];
            order[cur] = DONE;
            if next == i {
                break;
            }
            v.swap(cur, next);
            cur = next;
        }
    }
}

/// The inputs of the kept scope (and the scope-less test and coverage
/// reports), in input-id order: what citations number.
struct Sources<'a> {
    by_id: HashMap<i64, &'a InputRow>,
    index: HashMap<i64, u32>,
}

impl Sources<'_> {
    fn cite<T>(&self, s: &Stored<T>) -> Cite {
        Cite {
            source: self.index.get(&s.input).copied().unwrap_or(u32::MAX),
            record: s.at.record,
            line: s.at.line,
        }
    }
}

fn assemble(
    mut rows: DeliveryRows,
    incident_rows: IncidentRows,
    scope: String,
    mut notes: Vec<String>,
    cx: &Context<'_>,
) -> Delivery {
    let w = cx.window;
    let mut listed: Vec<&InputRow> = cx
        .inputs
        .iter()
        .filter(|i| i.scopes.is_empty() || (!scope.is_empty() && i.scopes.contains(&scope)))
        .collect();
    listed.sort_by_key(|i| i.id);
    let src = Sources {
        by_id: cx.inputs.iter().map(|i| (i.id, i)).collect(),
        index: listed
            .iter()
            .enumerate()
            .map(|(k, i)| (i.id, k as u32))
            .collect(),
    };
    let secs = |a: Option<i64>, b: Option<i64>| match (a, b) {
        (Some(a), Some(b)) if b >= a => Some((b - a) as f64),
        _ => None,
    };

    // Runs and jobs are the bulk of an export: their rows are moved, not copied.
    let mut runs: Vec<Run> = Vec::new();
    for r in std::mem::take(&mut rows.runs) {
        let cite = src.cite(&r);
        let f = r.fact;
        let time = f.created_at.or(f.started_at).or(f.finished_at);
        if !w.holds(time) {
            continue;
        }
        runs.push(Run {
            result: Some(CiResult::of(&f.status, &f.conclusion)),
            duration: f.duration.or_else(|| secs(f.started_at, f.finished_at)),
            queued: f.queued.or_else(|| secs(f.created_at, f.started_at)),
            id: f.id,
            attempt: f.attempt.max(1),
            workflow: f.workflow,
            event: f.event,
            branch: f.branch,
            head_sha: f.head_sha,
            created: f.created_at,
            started: f.started_at,
            finished: f.finished_at,
            cite,
        });
    }
    runs.sort_by(|a, b| (a.time(), &a.id, a.attempt).cmp(&(b.time(), &b.id, b.attempt)));

    // Jobs are converted where they lie (the vector's memory is reused: a
    // job is no larger than its stored row), then put in order by swaps: a
    // million jobs are never held twice.
    let mut stored = std::mem::take(&mut rows.jobs);
    stored.retain(|r| {
        w.holds(
            r.fact
                .created_at
                .or(r.fact.started_at)
                .or(r.fact.finished_at),
        )
    });
    let order = job_order(&stored);
    let mut jobs: Vec<Job> = stored
        .into_iter()
        .map(|r| {
            let cite = src.cite(&r);
            let f = r.fact;
            Job {
                result: Some(CiResult::of(&f.status, &f.conclusion)),
                queued: f.queued.or_else(|| secs(f.created_at, f.started_at)),
                id: f.id,
                run_id: f.run_id,
                attempt: f.attempt.max(1),
                name: f.name,
                stage: f.stage,
                status: f.status,
                created: f.created_at,
                started: f.started_at,
                finished: f.finished_at,
                runner_labels: f.runner_labels,
                cite,
            }
        })
        .collect();
    permute(&mut jobs, order);

    // Deployments: the export's, else published releases, else matching tags.
    let mut deploys: Vec<Deploy> = Vec::new();
    let mut inferred = false;
    let mut statuses: HashMap<&str, Vec<&Stored<friction_model::inputs::DeploymentStatus>>> =
        HashMap::new();
    for s in &rows.statuses {
        statuses
            .entry(s.fact.deployment_id.as_str())
            .or_default()
            .push(s);
    }
    for d in &rows.deployments {
        let f = &d.fact;
        // The latest status decides (ties: the larger status id, as sources number them).
        let last = statuses.get(f.id.as_str()).and_then(|v| {
            v.iter()
                .filter(|s| s.fact.created_at.is_some())
                .max_by(|a, b| {
                    (a.fact.created_at, a.fact.id.len(), &a.fact.id).cmp(&(
                        b.fact.created_at,
                        b.fact.id.len(),
                        &b.fact.id,
                    ))
                })
        });
        let (result, time) = match last {
            Some(s) => (DeployResult::of(&s.fact.state), s.fact.created_at),
            None => (DeployResult::Unknown, f.updated_at.or(f.created_at)),
        };
        let Some(time) = time else { continue };
        if !w.holds(Some(time)) {
            continue;
        }
        deploys.push(Deploy {
            id: f.id.clone(),
            sha: f.sha.clone(),
            environment: f.environment.clone(),
            production: f
                .production
                .unwrap_or_else(|| is_production(&f.environment)),
            time,
            result,
            inferred: false,
            cite: Some(src.cite(d)),
        });
    }
    let tag_commit: HashMap<&str, &str> = cx
        .tags
        .iter()
        .map(|t| (t.name.as_str(), t.commit.as_str()))
        .collect();
    if deploys.is_empty() {
        for r in &rows.releases {
            let f = &r.fact;
            if f.draft || f.prerelease {
                continue;
            }
            let Some(time) = f.published_at.or(f.created_at) else {
                continue;
            };
            if !w.holds(Some(time)) {
                continue;
            }
            let sha = tag_commit
                .get(f.tag.as_str())
                .map(|s| (*s).to_owned())
                .or_else(|| {
                    (f.target.len() == 40 && f.target.bytes().all(|b| b.is_ascii_hexdigit()))
                        .then(|| f.target.clone())
                })
                .unwrap_or_default();
            deploys.push(Deploy {
                id: format!("release {}", f.tag),
                sha,
                environment: "release".into(),
                production: true,
                time,
                result: DeployResult::Success,
                inferred: true,
                cite: Some(src.cite(r)),
            });
            inferred = true;
        }
    }
    if deploys.is_empty() {
        for t in cx.tags {
            if !w.holds(Some(t.time)) {
                continue;
            }
            deploys.push(Deploy {
                id: format!("tag {}", t.name),
                sha: t.commit.clone(),
                environment: "tag".into(),
                production: true,
                time: t.time,
                result: DeployResult::Success,
                inferred: true,
                cite: None,
            });
            inferred = true;
        }
    }
    deploys.sort_by(|a, b| (a.time, &a.id).cmp(&(b.time, &b.id)));

    // The first successful production deployment containing each stored commit.
    let facts = cx.facts;
    let mut first: Vec<Option<i64>> = Vec::new();
    let production: Vec<&Deploy> = deploys
        .iter()
        .filter(|d| d.production && d.result == DeployResult::Success)
        .collect();
    if !production.is_empty() {
        first = vec![None; facts.commits.len()];
        let mut unresolved = 0;
        for d in &production {
            let Some(start) = facts.commit_index(&d.sha) else {
                unresolved += 1;
                continue;
            };
            let mut stack = vec![start];
            while let Some(c) = stack.pop() {
                let slot = &mut first[c as usize];
                if slot.is_some() {
                    continue;
                }
                *slot = Some(d.time);
                stack.extend(&facts.commits[c as usize].parents);
            }
        }
        if unresolved > 0 {
            notes.push(format!(
                "{unresolved} of {} production deployments name a commit this repository's \
                 history does not hold",
                production.len()
            ));
        }
    }
    let deployed_at = |sha: &str| -> Option<i64> {
        facts
            .commit_index(sha)
            .and_then(|i| first.get(i as usize).copied().flatten())
    };
    let commit_deployed: Vec<Option<i64>> = if first.is_empty() {
        Vec::new()
    } else {
        cx.commits.iter().map(|id| deployed_at(id)).collect()
    };

    // Pull requests with their reviews and commits.
    let mut reviews: HashMap<u64, Vec<PullReview>> = HashMap::new();
    for r in &rows.reviews {
        let f = &r.fact;
        reviews.entry(f.number).or_default().push(PullReview {
            author: f.author.clone(),
            state: f.state.clone(),
            submitted: f.submitted_at,
            cite: src.cite(r),
        });
    }
    let mut commit_times: HashMap<u64, Vec<i64>> = HashMap::new();
    for c in &rows.pr_commits {
        if let (Some(n), Some(t)) = (c.fact.number, c.fact.authored_at.or(c.fact.committed_at)) {
            commit_times.entry(n).or_default().push(t);
        }
    }
    let mut pulls: Vec<Pull> = Vec::new();
    for p in &rows.pulls {
        let f = &p.fact;
        if !(w.holds(f.merged_at) || (f.merged_at.is_none() && w.holds(f.created_at))) {
            continue;
        }
        let mut rv = reviews.remove(&f.number).unwrap_or_default();
        rv.sort_by_key(|a| (a.submitted, a.cite.record));
        let mut ct = commit_times.remove(&f.number).unwrap_or_default();
        ct.sort_unstable();
        let deployed = if f.merged_at.is_some() {
            [f.merge_sha.as_str(), f.head_sha.as_str()]
                .into_iter()
                .filter(|s| !s.is_empty())
                .find_map(&deployed_at)
        } else {
            None
        };
        pulls.push(Pull {
            number: f.number,
            state: f.state.clone(),
            author: f.author.clone(),
            title: f.title.clone(),
            body: f.body.clone(),
            base_ref: f.base_ref.clone(),
            head_ref: f.head_ref.clone(),
            head_sha: f.head_sha.clone(),
            merge_sha: f.merge_sha.clone(),
            draft: f.draft,
            created: f.created_at,
            closed: f.closed_at,
            merged: f.merged_at,
            reviews: rv,
            commit_times: ct,
            deployed,
            cite: src.cite(p),
        });
    }
    pulls.sort_by_key(|p| p.number);

    let index = PathIndex::new(&cx.files);
    let tests = test_cases(&rows.tests, &src, &index, w);
    let (coverage, unmatched) = file_coverage(&rows.coverage, &src, &index);
    let security = code_findings(&rows.findings, cx.inputs, &src, &index);
    if let Some(s) = security.as_ref().filter(|s| s.skipped_total() > 0) {
        notes.push(format!(
            "{} SARIF finding{} name no file of the assessed tree ({})",
            s.skipped_total(),
            if s.skipped_total() == 1 { "" } else { "s" },
            s.skipped
                .iter()
                .map(|(why, n)| format!("{n}: {why}"))
                .collect::<Vec<_>>()
                .join("; ")
        ));
    }
    if unmatched > 0 {
        notes.push(format!(
            "{unmatched} coverage record{} name files not in the assessed tree",
            if unmatched == 1 { "" } else { "s" }
        ));
    }

    // The default branch: the one most pull requests target, else the one
    // most push-triggered runs built.
    let mut counts: BTreeMap<&str, u64> = BTreeMap::new();
    for p in &pulls {
        if !p.base_ref.is_empty() {
            *counts.entry(&p.base_ref).or_default() += 1;
        }
    }
    if counts.is_empty() {
        for r in runs
            .iter()
            .filter(|r| r.event == "push" && !r.branch.is_empty())
        {
            *counts.entry(&r.branch).or_default() += 1;
        }
    }
    let default_branch = counts
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
        .map(|(b, _)| (*b).to_owned());

    let (incidents, incident_mapping) = mapped_incidents(&incident_rows, &src, cx.services, w);

    let sources = listed
        .iter()
        .map(|row| Source {
            path: row.path.clone(),
            format: row.format.clone(),
            sha256: row.sha256.clone(),
        })
        .collect::<Vec<_>>();
    Delivery {
        scope,
        default_branch,
        sources,
        runs,
        jobs,
        pulls,
        deploys,
        deploys_inferred: inferred,
        reverts: Vec::new(),
        commit_deployed,
        tests,
        coverage: coverage.into_values().collect(),
        notes,
        incidents,
        incident_mapping,
        security,
        incident_commits: Vec::new(),
    }
}

/// The findings of the stored SARIF files on the tree's files, each
/// (tool, rule, file, line) once; `None` when no SARIF file is stored.
fn code_findings(
    rows: &[Stored<SecurityFinding>],
    inputs: &[InputRow],
    src: &Sources<'_>,
    index: &PathIndex<'_>,
) -> Option<CodeFindings> {
    if !inputs.iter().any(|i| i.format == "sarif") {
        return None;
    }
    let mut out = CodeFindings::default();
    let mut seen = HashSet::new();
    for r in rows {
        let f = &r.fact;
        if !f.skipped.is_empty() {
            *out.skipped.entry(f.skipped.clone()).or_default() += 1;
            continue;
        }
        let Some(file) = index.find(&f.path) else {
            *out.skipped
                .entry("not a file of the assessed tree (outside the repository, or gone)".into())
                .or_default() += 1;
            continue;
        };
        if !seen.insert((f.tool.as_str(), f.rule.as_str(), file, f.start_line)) {
            continue;
        }
        out.findings.push(CodeFinding {
            file,
            tool: f.tool.clone(),
            rule: f.rule.clone(),
            level: f.level.clone(),
            severity: f.security_severity,
            line: f.start_line,
            cite: src.cite(r),
        });
    }
    Some(out)
}

/// The window's incidents (started in it), each once, with their services
/// mapped: those of this repository, and how much of the data maps
/// (`None` when no incident is stored).
fn mapped_incidents(
    rows: &IncidentRows,
    src: &Sources<'_>,
    services: &ServiceMap,
    w: Window,
) -> (Vec<Incident>, Option<Mapping>) {
    if rows.incidents.is_empty() {
        return (Vec::new(), None);
    }
    let versions: Vec<incidents::Version<'_>> = rows
        .incidents
        .iter()
        .map(|r| incidents::Version {
            fact: &r.fact,
            input: r.input,
            cite: src.cite(r),
        })
        .collect();
    let events: Vec<&friction_model::inputs::IncidentEvent> =
        rows.events.iter().map(|e| &e.fact).collect();
    let combined = incidents::combine(&versions, &events);
    let mut mapping = Mapping::default();
    let mut unmapped: BTreeMap<String, u64> = BTreeMap::new();
    let mut mapped_services: BTreeMap<String, &'static str> = BTreeMap::new();
    let mut kept = Vec::new();
    for mut i in combined.incidents {
        if !w.holds(Some(i.started)) {
            continue;
        }
        mapping.total += 1;
        match services.find(&i.service, &i.service_id) {
            Some(m) => {
                match m.by {
                    friction_model::services::MappedBy::Configured => mapping.configured += 1,
                    friction_model::services::MappedBy::Name => mapping.by_name += 1,
                }
                mapped_services.insert(i.service.clone(), m.by.as_str());
                i.mapping = Some(m);
                kept.push(i);
            }
            None => {
                let name = if i.service.is_empty() {
                    "(no service)".to_owned()
                } else {
                    i.service.clone()
                };
                *unmapped.entry(name).or_default() += 1;
            }
        }
    }
    let mut unmapped: Vec<(String, u64)> = unmapped.into_iter().collect();
    unmapped.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    mapping.unmapped = unmapped;
    mapping.services = mapped_services.into_iter().collect();
    (kept, Some(mapping))
}

/// Every test case of every report in the window (reports are dated by
/// their cases), each with the repository file it belongs to.
fn test_cases(
    rows: &[Stored<friction_model::inputs::TestResult>],
    src: &Sources<'_>,
    index: &PathIndex<'_>,
    w: Window,
) -> Vec<TestCase> {
    let mut tests = Vec::new();
    for t in rows {
        let f = &t.fact;
        if let Some(ts) = f.timestamp
            && !(ts >= w.from && w.before_end(ts))
        {
            continue;
        }
        let commit = src.by_id.get(&t.input).and_then(|i| i.commit.clone());
        let cite = src.cite(t);
        tests.push(TestCase {
            key: [f.suite.as_str(), f.classname.as_str(), f.name.as_str()]
                .iter()
                .filter(|s| !s.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join(" / "),
            file: f.file.clone(),
            path: test_path(index, &f.file, &f.classname),
            outcome: f.outcome.as_str().to_owned(),
            flaky_attempts: f.flaky_attempts,
            reruns: f.reruns,
            commit,
            report: cite.source,
            cite,
        });
    }
    tests
}

/// The newest coverage report's record of each repository file, and how
/// many records named no file of the repository.
fn file_coverage(
    rows: &[Stored<friction_model::inputs::FileCoverage>],
    src: &Sources<'_>,
    index: &PathIndex<'_>,
) -> (BTreeMap<u32, Coverage>, u64) {
    let mut coverage: BTreeMap<u32, Coverage> = BTreeMap::new();
    let mut unmatched = 0u64;
    for c in rows {
        let f = &c.fact;
        let Some(file) = index.find(&f.path) else {
            unmatched += 1;
            continue;
        };
        // Rows come by input id: a later row of a newer report replaces.
        coverage.insert(
            file,
            Coverage {
                file,
                lines_found: f.lines_found,
                lines_hit: f.lines_hit,
                branches_found: f.branches_found,
                branches_hit: f.branches_hit,
                cite: src.cite(c),
            },
        );
    }
    (coverage, unmatched)
}

/// Per file (index into the paths given): line coverage, percent, and flaky tests.
#[derive(Debug, Default)]
pub(crate) struct TestMarks {
    pub coverage: BTreeMap<u32, f64>,
    pub flaky: BTreeMap<u32, u32>,
    /// SARIF findings on the file: how many, and their weight.
    pub security: BTreeMap<u32, (u32, f64)>,
    /// Whether a security (SARIF) report was ingested at all: without one,
    /// no finding is not the same as no risk.
    pub security_ingested: bool,
}

/// What the stored test and coverage reports say of each of `files`, for
/// the hotspot listing: line coverage (percent) in the newest report naming
/// the file, and its flaky tests among the window's results (from `from`).
/// Both empty when no report is stored.
pub(crate) fn test_marks(
    store: &Store,
    files: &[&str],
    from: i64,
) -> Result<TestMarks, friction_store::StoreError> {
    let inputs = store.inputs()?;
    if inputs.is_empty() {
        return Ok(TestMarks::default());
    }
    // Test and coverage rows belong to no repository scope.
    let rows = store.delivery_rows("", from, None)?;
    let src = Sources {
        by_id: inputs.iter().map(|i| (i.id, i)).collect(),
        index: HashMap::new(),
    };
    let index = PathIndex::new(files);
    let window = Window { from, until: None };
    let delivery = Delivery {
        tests: test_cases(&rows.tests, &src, &index, window),
        ..Delivery::default()
    };
    let coverage = file_coverage(&rows.coverage, &src, &index)
        .0
        .into_iter()
        .filter_map(|(i, c)| Some((i, c.line_pct()?)))
        .collect();
    let findings = code_findings(&rows.findings, &inputs, &src, &index);
    let security_ingested = findings.is_some();
    let security = findings
        .map(|f| friction_signals::security_findings::weighted_by_file(&f))
        .unwrap_or_default();
    Ok(TestMarks {
        coverage,
        flaky: friction_signals::flaky_tests_by_file(&delivery),
        security,
        security_ingested,
    })
}

/// The repository file a test case belongs to: its report's `file`, else
/// its class name read as a JVM source path (`org.acme.FlakyTest` →
/// `org/acme/FlakyTest.java`, `.kt`, `.scala`).
fn test_path(index: &PathIndex<'_>, file: &str, classname: &str) -> Option<u32> {
    if !file.is_empty() {
        return index.find(file);
    }
    let stem = classname.split('$').next()?.replace('.', "/");
    if stem.is_empty() || !classname.contains('.') {
        return None;
    }
    ["java", "kt", "scala"]
        .iter()
        .find_map(|ext| index.find(&format!("{stem}.{ext}")))
}

/// Matches the paths coverage reports write (`src/a.rs`, `./src/a.rs`,
/// `/home/runner/work/r/r/src/a.rs`, `com/x/A.java` under `src/main/java/`)
/// to the repository's files: an exact match, else the longest path that one
/// ends with the other at a `/` boundary, when that is unambiguous.
struct PathIndex<'a> {
    exact: HashMap<&'a str, u32>,
    /// By file name: candidates.
    by_name: HashMap<&'a str, Vec<u32>>,
    files: &'a [&'a str],
}

impl<'a> PathIndex<'a> {
    fn new(files: &'a [&'a str]) -> PathIndex<'a> {
        let mut by_name: HashMap<&str, Vec<u32>> = HashMap::new();
        for (i, f) in files.iter().enumerate() {
            let name = f.rsplit('/').next().unwrap_or(f);
            by_name.entry(name).or_default().push(i as u32);
        }
        PathIndex {
            exact: files
                .iter()
                .enumerate()
                .map(|(i, f)| (*f, i as u32))
                .collect(),
            by_name,
            files,
        }
    }

    fn find(&self, path: &str) -> Option<u32> {
        let p = path.replace('\\', "/");
        let p = p.trim_start_matches("./");
        if let Some(&i) = self.exact.get(p) {
            return Some(i);
        }
        let name = p.rsplit('/').next()?;
        let joined = |a: &str, b: &str| a.ends_with(b) && a[..a.len() - b.len()].ends_with('/');
        let hits: Vec<u32> = self
            .by_name
            .get(name)?
            .iter()
            .copied()
            .filter(|&i| {
                let f = self.files[i as usize];
                joined(p, f) || joined(f, p)
            })
            .collect();
        match hits.as_slice() {
            [one] => Some(*one),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored_job(run: &str, attempt: u32, id: &str) -> Stored<JobRow> {
        Stored {
            input: 1,
            at: friction_model::inputs::Position::default(),
            fact: JobRow {
                run_id: run.into(),
                attempt,
                id: id.into(),
                ..JobRow::default()
            },
        }
    }

    #[test]
    fn permuting_in_place_gives_what_gathering_into_a_new_vector_gives() {
        // Permutations with one cycle, many cycles, fixed points, and none.
        for n in [0usize, 1, 2, 7, 100, 1000] {
            for step in [1usize, 3, 7, 13] {
                let mut order: Vec<usize> = (0..n).collect();
                // A deterministic shuffle (a linear congruential sequence).
                let mut x = step as u64;
                for i in (1..n).rev() {
                    x = x
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    order.swap(i, (x >> 33) as usize % (i + 1));
                }
                let values: Vec<String> = (0..n).map(|i| format!("v{i}")).collect();
                let gathered: Vec<String> = order.iter().map(|&k| values[k].clone()).collect();
                let mut v = values.clone();
                permute(&mut v, order);
                assert_eq!(v, gathered, "n = {n}, shuffle {step}");
            }
        }
    }

    #[test]
    fn jobs_are_ordered_by_run_attempt_and_id_as_numbers_when_all_are_numbers() {
        let ids = |jobs: &[Stored<JobRow>]| -> Vec<String> {
            job_order(jobs)
                .into_iter()
                .map(|i| {
                    format!(
                        "{}/{}/{}",
                        jobs[i].fact.run_id, jobs[i].fact.attempt, jobs[i].fact.id
                    )
                })
                .collect()
        };
        let numeric = [
            stored_job("10", 1, "5"),
            stored_job("9", 2, "3"),
            stored_job("9", 1, "12"),
            stored_job("9", 0, "4"), // attempt 0 reads as the first
            stored_job("9", 1, "11"),
        ];
        assert_eq!(
            ids(&numeric),
            ["9/0/4", "9/1/11", "9/1/12", "9/2/3", "10/1/5"]
        );
        // One id that is no plain number (a leading zero spells another
        // number's text): every id compares as text.
        let text = [
            stored_job("10", 1, "5"),
            stored_job("9", 1, "012"),
            stored_job("9", 1, "11"),
        ];
        assert_eq!(ids(&text), ["10/1/5", "9/1/012", "9/1/11"]);
        assert_eq!(decimal("0"), Some(0));
        assert_eq!(decimal("00"), None);
        assert_eq!(decimal("18446744073709551615"), None); // 20 digits: text
        assert_eq!(decimal("-1"), None);
    }

    #[test]
    fn remotes_name_their_github_scope() {
        for url in [
            "https://github.com/Pallets/Flask.git",
            "git@github.com:pallets/flask.git",
            "ssh://git@github.com/pallets/flask",
            "https://github.com/pallets/flask/",
        ] {
            assert_eq!(
                scope_of_remote(url).as_deref(),
                Some("github:pallets/flask"),
                "{url}"
            );
        }
        assert_eq!(scope_of_remote("https://gitlab.com/a/b.git"), None);
        assert_eq!(scope_of_remote("https://github.com/a"), None);
    }

    #[test]
    fn the_scope_comes_from_the_setting_the_origin_or_the_only_one() {
        let two = vec!["github:a/b".to_owned(), "github:c/d".to_owned()];
        assert_eq!(
            choose_scope(Some("GitHub:C/D"), None, &two),
            ScopeChoice::Chosen("github:c/d".into(), "[inputs] scope")
        );
        assert!(matches!(
            choose_scope(Some("github:x/y"), None, &two),
            ScopeChoice::None(_)
        ));
        assert_eq!(
            choose_scope(None, Some("git@github.com:a/b.git"), &two),
            ScopeChoice::Chosen("github:a/b".into(), "the origin remote")
        );
        assert!(
            matches!(choose_scope(None, None, &two), ScopeChoice::None(n) if n.contains("[inputs] scope"))
        );
        assert_eq!(
            choose_scope(None, None, &two[..1]),
            ScopeChoice::Chosen("github:a/b".into(), "the only repository the exports name")
        );
    }

    #[test]
    fn a_test_belongs_to_the_file_its_report_names_else_to_its_jvm_class_path() {
        let files = [
            "src/test/java/org/acme/FlakyTest.java",
            "tests/test_a.py",
            "core/src/test/kotlin/com/x/ParserTest.kt",
        ];
        let ix = PathIndex::new(&files);
        assert_eq!(test_path(&ix, "tests/test_a.py", "tests.test_a"), Some(1));
        assert_eq!(test_path(&ix, "", "org.acme.FlakyTest"), Some(0));
        assert_eq!(test_path(&ix, "", "org.acme.FlakyTest$Inner"), Some(0));
        assert_eq!(test_path(&ix, "", "com.x.ParserTest"), Some(2));
        assert_eq!(test_path(&ix, "", "FlakyTest"), None, "no package: no path");
        assert_eq!(test_path(&ix, "elsewhere/test_b.py", "x.y"), None);
    }

    #[test]
    fn coverage_paths_match_repository_files_at_a_boundary_and_only_when_unambiguous() {
        let files = [
            "src/a.rs",
            "src/main/java/com/x/A.java",
            "lib/b.py",
            "tests/b.py",
        ];
        let ix = PathIndex::new(&files);
        assert_eq!(ix.find("src/a.rs"), Some(0));
        assert_eq!(ix.find("./src/a.rs"), Some(0));
        assert_eq!(ix.find("/home/runner/work/r/r/src/a.rs"), Some(0));
        assert_eq!(ix.find("com/x/A.java"), Some(1));
        assert_eq!(ix.find("b.py"), None, "two candidates");
        assert_eq!(ix.find("/ci/lib/b.py"), Some(2));
        assert_eq!(ix.find("xsrc/a.rs"), None, "not at a boundary");
    }
}
