//! Facts for the assessment: the inputs (configuration, CODEOWNERS, teams),
//! the stored history read once, and the facts as of any stored commit
//! loaded into `friction_signals::Data`.

use std::collections::BTreeMap;
use std::path::Path;

use friction_analysis::components::ComponentMap;
use friction_analysis::fixes::{FixClass, PathKind, Touched, classify};
use friction_analysis::teams::{CodeOwners, TeamMap, TeamOverlap};

use friction_assess::{Assessment, Economics, Options};
use friction_history::Config;
use friction_signals::{Change, Commit, Data, File, is_test_path};
use friction_store::{Store, WalkMode};

use crate::cache::HealthCache;
use crate::calendar::{MONTH, date};
use crate::error::Error;
use crate::project::{component_map, parse_config};

/// CODEOWNERS locations, in GitHub's lookup order.
pub const CODEOWNERS_PATHS: [&str; 4] = [
    "CODEOWNERS",
    ".github/CODEOWNERS",
    "docs/CODEOWNERS",
    ".gitlab/CODEOWNERS",
];

/// The first CODEOWNERS file in `commit`'s tree (default `HEAD`), never the
/// work tree: uncommitted files do not count.
pub fn committed_codeowners(
    repo: &friction_history::Repo,
    commit: Option<friction_history::ObjectId>,
) -> Option<(String, String)> {
    let commit = match commit {
        Some(c) => c,
        None => repo.head_commit().ok()?,
    };
    CODEOWNERS_PATHS.iter().find_map(|rel| {
        repo.file_at(commit, rel)
            .ok()
            .flatten()
            .map(|b| ((*rel).to_string(), String::from_utf8_lossy(&b).into_owned()))
    })
}

/// Commit-message patterns of `friction.toml` (`setting` names them in errors):
/// case-insensitive, multi-line Rust regular expressions.
fn message_patterns(patterns: &[String], setting: &str) -> Result<Vec<regex::Regex>, Error> {
    patterns
        .iter()
        .map(|p| {
            regex::RegexBuilder::new(p)
                .case_insensitive(true)
                .multi_line(true)
                .build()
                .map_err(|e| {
                    Error::input(
                        format!(
                            "friction.toml: {setting} `{p}` is not a valid regular expression: {e}"
                        ),
                        Some("patterns use Rust regex syntax (docs.rs/regex)"),
                    )
                })
        })
        .collect()
}

/// Recognises defect-fix commits: the built-in classifier
/// ([`friction_analysis::fixes::classify`], which reads the message and what
/// the commit changed) and `[assessment] fix_patterns`, an explicit override:
/// a message a pattern matches marks a fix whatever it changed.
pub struct FixRules {
    words: bool,
    patterns: Vec<regex::Regex>,
}

impl FixRules {
    pub fn new(config: &Config) -> Result<FixRules, Error> {
        Ok(FixRules {
            words: config.assessment.default_fix_words,
            patterns: message_patterns(
                &config.assessment.fix_patterns,
                "[assessment] fix_patterns",
            )?,
        })
    }

    pub fn is_fix(&self, message: &str, touched: Touched) -> bool {
        self.patterns.iter().any(|p| p.is_match(message))
            || (self.words && classify(message, touched) == FixClass::Defect)
    }
}

/// Recognises AI-assisted commits: the built-in marks of
/// [`friction_model::ai`] and `[ai] patterns`.
pub struct AiRules {
    patterns: Vec<regex::Regex>,
}

impl AiRules {
    pub fn new(config: &Config) -> Result<AiRules, Error> {
        Ok(AiRules {
            patterns: message_patterns(&config.ai.patterns, "[ai] patterns")?,
        })
    }

    pub fn is_ai(&self, name: &str, email: &str, message: &str) -> bool {
        friction_model::ai::detect(name, email, message).is_some()
            || self.patterns.iter().any(|p| p.is_match(message))
    }
}

/// The economics of `friction.toml`.
pub fn economics(config: &Config) -> Result<Economics, Error> {
    let e = &config.economics;
    let bad = |what: &str| {
        Err(Error::input(
            format!("friction.toml: [economics] {what}"),
            Some("see the `friction.toml` section of the README"),
        ))
    };
    if e.hourly_cost.is_some_and(|c| !(c.is_finite() && c >= 0.0)) {
        return bad("hourly_cost must be a non-negative number");
    }
    if !(e.hours_per_year.is_finite() && e.hours_per_year > 0.0) {
        return bad("hours_per_year must be positive");
    }
    if e.engineers.is_some_and(|n| !(n.is_finite() && n > 0.0)) {
        return bad("engineers must be positive");
    }
    let [lo, hi] = e.coding_share;
    if !(0.0..=1.0).contains(&lo) || !(0.0..=1.0).contains(&hi) || lo > hi {
        return bad("coding_share must be [low, high] with 0 ≤ low ≤ high ≤ 1");
    }
    Ok(Economics {
        hourly_cost: e.hourly_cost,
        currency: e.currency.clone(),
        hours_per_year: e.hours_per_year,
        engineers: e.engineers,
        coding_share: e.coding_share,
    })
}

/// The facts of a scanned repository, for the assessment.
pub struct Loaded {
    pub data: Data,
    /// The commit assessed (its code tree was measured), if any.
    pub code_commit: Option<String>,
    /// The newest commit reachable, for snapshots without code.
    pub tip: String,
    pub as_of: i64,
    pub from: String,
    pub to: String,
    /// The digest of the facts (see `snapshot::manifest`), computed once.
    pub facts_sha256: std::sync::OnceLock<String>,
    /// Authors (pseudonymous) that several teams' rules match.
    pub team_overlaps: Vec<TeamOverlap>,
    /// Why the history as of the assessed commit is incomplete (commits the
    /// scan could not read cut the walk short); `None`: it is whole.
    pub truncated: Option<String>,
}

impl Loaded {
    /// The commit a snapshot of this state names: the measured one, else the
    /// newest reachable.
    pub fn snapshot_commit(&self) -> &str {
        self.code_commit.as_deref().unwrap_or(&self.tip)
    }
}

/// The stored history, read once (a back-fill assesses many dates from it).
pub struct History {
    facts: friction_store::Facts,
    /// Messages of commits from `messages_since` on (fix detection).
    messages: BTreeMap<String, (String, i64, String)>,
    messages_since: i64,
}

impl History {
    /// Reads the counted changes and the commit graph.
    pub fn read(store: &Store, mode: WalkMode) -> Result<History, Error> {
        let facts = store
            .facts(mode)
            .map_err(|e| Error::store(format!("reading the store: {e}"), None))?;
        Ok(History {
            facts,
            messages: BTreeMap::new(),
            messages_since: i64::MAX,
        })
    }

    /// The totals a scan reports (see [`friction_store::Facts::summary`]).
    pub fn summary(&self) -> friction_store::HistorySummary {
        self.facts.summary()
    }

    /// Makes sure the messages of commits from `since` on are read.
    fn need_messages(&mut self, store: &Store, since: i64) -> Result<(), Error> {
        if since < self.messages_since {
            self.messages = store
                .commit_messages(since)
                .map_err(|e| Error::store(format!("reading the store: {e}"), None))?;
            self.messages_since = since;
        }
        Ok(())
    }

    /// The author time of a stored commit.
    pub fn time_of(&self, id: &str) -> Option<i64> {
        self.facts
            .commit_index(id)
            .map(|i| self.facts.commits[i as usize].time)
    }

    /// Which stored commits are reachable from `tip` through stored parents (the
    /// set a scan of `tip` would have stored), by index — `None` when that is every
    /// stored commit — and how many of the reachable commits miss their first
    /// parent (the scan could not read it): the walk stops there, so the history
    /// behind them is missing from an assessment as of `tip`.
    pub fn reachable(&self, tip: &str) -> (Option<Vec<bool>>, u32) {
        let commits = &self.facts.commits;
        let mut seen = vec![false; commits.len()];
        let (mut count, mut missing) = (0, 0);
        let mut stack: Vec<u32> = self.facts.commit_index(tip).into_iter().collect();
        while let Some(c) = stack.pop() {
            if std::mem::replace(&mut seen[c as usize], true) {
                continue;
            }
            count += 1;
            missing += commits[c as usize].missing_parents;
            stack.extend(&commits[c as usize].parents);
        }
        ((count != commits.len()).then_some(seen), missing)
    }
}

/// What the assessment reads besides the store: the configuration and the
/// input files, with their content (kept in snapshots for re-scoring).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Inputs {
    /// (origin, text) of friction.toml.
    pub config: Option<(String, String)>,
    /// (path, text) of CODEOWNERS.
    pub codeowners: Option<(String, String)>,
    /// (path, text) of the teams CSV.
    pub teams_csv: Option<(String, String)>,
    /// The URL of the `origin` remote: which repository's records of the
    /// ingested exports are this one's (see `[inputs] scope`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    /// Tags matching `[inputs] deploy_tags`, the deployments inferred when
    /// no deployment export is stored.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<crate::delivery::Tag>,
    /// The runbook set alerts' `runbook_url`s are followed to: the Markdown
    /// files of `[inputs] runbooks`, `runbooks/` or `docs/runbooks/`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runbooks: Option<friction_signals::service_levels::Runbooks>,
    /// The lockfiles and manifests of the assessed commit, parsed (see
    /// `crate::supply`); `None` when it has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dependencies: Option<friction_signals::supply::Supply>,
    /// The workflows and compliance files of the tree (not read: a store
    /// alone, or a snapshot recorded before they were read).
    #[serde(default, skip_serializing_if = "PracticeFiles::is_unread")]
    pub practice: PracticeFiles,
}

/// The files of the assessed commit's tree that security practice is read
/// from: GitHub Actions workflows and the files compliance controls look for.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PracticeFiles {
    /// Whether the tree was read.
    pub read: bool,
    /// (path, text) of `.github/workflows/*.yml`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub workflows: Vec<(String, String)>,
    /// Paths the controls look for (`friction_analysis::controls::is_control_path`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub paths: Vec<String>,
    /// (path, text) of the CI and tool configurations the controls read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub texts: Vec<(String, String)>,
}

/// Workflow and configuration files larger than this are left unread (and
/// reported): no real one comes near it.
const PRACTICE_FILE_LIMIT: usize = 4 << 20;

impl PracticeFiles {
    fn is_unread(&self) -> bool {
        !self.read
    }

    /// The files of `commit`'s tree; unread when the tree cannot be listed.
    pub fn read(
        repo: &friction_history::Repo,
        commit: friction_history::ObjectId,
    ) -> PracticeFiles {
        use friction_analysis::{controls, workflows};
        let Ok(paths) = repo.paths_at(commit, |p| {
            workflows::is_workflow(p) || controls::is_control_path(p)
        }) else {
            return PracticeFiles::default();
        };
        let text = |p: &str| -> String {
            match repo.file_at(commit, p) {
                Ok(Some(b)) if b.len() <= PRACTICE_FILE_LIMIT => {
                    String::from_utf8_lossy(&b).into_owned()
                }
                // Too large or unreadable: an empty file, which the workflow
                // reader reports as unreadable.
                _ => String::new(),
            }
        };
        let mut files = PracticeFiles {
            read: true,
            ..PracticeFiles::default()
        };
        for p in paths {
            if workflows::is_workflow(&p) {
                let t = text(&p);
                files.workflows.push((p, t));
            } else {
                if controls::needs_text(&p) {
                    let t = text(&p);
                    files.texts.push((p.clone(), t));
                }
                files.paths.push(p);
            }
        }
        files
    }

    /// What the signals read of these files; `None` when they were not read.
    pub fn practice(&self, codeowners: Option<&str>) -> Option<friction_signals::Practice> {
        if !self.read {
            return None;
        }
        let workflows = friction_analysis::workflows::Report::read(&self.workflows);
        let texts: BTreeMap<String, String> = self.texts.iter().cloned().collect();
        let controls =
            friction_analysis::controls::assess(&self.paths, &texts, &workflows, codeowners);
        Some(friction_signals::Practice {
            workflows,
            controls,
        })
    }
}

impl Inputs {
    /// The inputs of the repository at `path`, read from the tree of `at`
    /// (default `HEAD`) — never from the work tree, so uncommitted files do
    /// not change an assessment. `None` when there is no repository (a store
    /// given with `--db` only).
    pub fn read(path: &Path, at: Option<&str>) -> Result<Inputs, Error> {
        let Ok(repo) = friction_history::open(path) else {
            return Ok(Inputs::default());
        };
        let commit = match at {
            Some(c) => friction_history::ObjectId::from_hex(c.as_bytes()).ok(),
            None => repo.head_commit().ok(),
        };
        let read = |rel: &str| -> Option<String> {
            repo.file_at(commit?, rel)
                .ok()
                .flatten()
                .map(|b| String::from_utf8_lossy(&b).into_owned())
        };
        // The configuration is HEAD's, even for a past commit: a trend must
        // be measured with one set of components, teams and rules.
        let config = match repo.config_text() {
            Ok(c) => c,
            Err(e) => return Err(Error::input(e.to_string(), None)),
        };
        let codeowners = commit.and_then(|c| committed_codeowners(&repo, Some(c)));
        let practice =
            commit.map_or_else(PracticeFiles::default, |c| PracticeFiles::read(&repo, c));
        let parsed = match &config {
            Some((origin, text)) => parse_config(origin, text)?,
            None => Config::default(),
        };
        let teams_csv = match &parsed.teams_csv {
            Some(rel) => match read(rel) {
                Some(t) => Some((rel.clone(), t)),
                // Not in that past commit's tree: the caller falls back to today's.
                None if at.is_some() => None,
                None => {
                    return Err(Error::input(
                        format!("teams_csv `{rel}` is not in HEAD's tree"),
                        Some("the path is relative to the repository root; commit the file"),
                    ));
                }
            },
            None => None,
        };
        // Stored under its name in the repository, so snapshots of clones agree.
        let config = config.map(|(_, text)| (friction_history::CONFIG_FILE_NAME.to_owned(), text));
        let tags = match deploy_tags(&parsed)? {
            Some(m) => repo
                .tags()
                .map_err(|e| Error::input(e.to_string(), None))?
                .into_iter()
                .filter(|t| m.is_match(&t.name))
                .map(|t| crate::delivery::Tag {
                    name: t.name,
                    commit: t.commit,
                    time: t.time,
                })
                .collect(),
            None => Vec::new(),
        };
        let runbooks = match commit {
            Some(c) => crate::service_levels::read_runbooks(
                &repo,
                c,
                parsed.inputs.runbooks.as_deref(),
                at.is_some(),
            )?,
            None => None,
        };
        let dependencies = match commit {
            Some(c) => Some(crate::supply::read(&repo, c)?).filter(|s| !s.files.is_empty()),
            None => None,
        };
        Ok(Inputs {
            config,
            codeowners,
            teams_csv,
            origin: repo.origin_url(),
            tags,
            runbooks,
            dependencies,
            practice,
        })
    }

    pub fn config(&self) -> Result<Config, Error> {
        match &self.config {
            Some((origin, text)) => parse_config(origin, text),
            None => Ok(Config::default()),
        }
    }
}

/// `[inputs] deploy_tags` compiled, or a clear error naming the setting.
fn deploy_tags(config: &Config) -> Result<Option<globset::GlobMatcher>, Error> {
    config
        .inputs
        .deploy_tags
        .as_deref()
        .map(|g| {
            globset::Glob::new(g)
                .map(|g| g.compile_matcher())
                .map_err(|e| {
                    Error::input(
                        format!("[inputs] deploy_tags `{g}` is not a glob: {e}"),
                        Some("write a tag glob such as `v*` or `release-*`"),
                    )
                })
        })
        .transpose()
}

/// Formats that hold work items only.
const WORK_ITEM_FORMATS: [&str; 2] = ["jira", "workitems-csv"];

/// The window's commits whose message says they revert another.
fn reverts(data: &Data, history: &History) -> Vec<friction_signals::delivery::Revert> {
    data.commits
        .iter()
        .enumerate()
        .filter(|(_, c)| c.time >= data.from)
        .filter_map(|(i, c)| {
            let (_, _, message) = history.messages.get(&c.id)?;
            let reverted = friction_signals::delivery::reverted_commit(message)?;
            Some(friction_signals::delivery::Revert {
                commit: i as u32,
                reverted: reverted.to_owned(),
            })
        })
        .collect()
}

/// The window's commits linked to the repository's incidents, for the
/// hotspot map: those whose message names one
/// (`friction_signals::incidents::referenced`: all their files), and the
/// defect fixes to an incident's service's files inside its window
/// (`friction_signals::incidents::fixes_in_window`: those files) when the
/// message does not already name it.
fn incident_commits(
    data: &Data,
    history: &History,
    incidents: &[friction_signals::incidents::Incident],
) -> Vec<friction_signals::incidents::IncidentLink> {
    use friction_signals::incidents::{IncidentLink, fixes_in_window, referenced};
    if incidents.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (i, c) in data.commits.iter().enumerate() {
        if c.time < data.from {
            continue;
        }
        let Some((_, _, message)) = history.messages.get(&c.id) else {
            continue;
        };
        for n in referenced(message, incidents) {
            out.push(IncidentLink {
                commit: i as u32,
                label: incidents[n].label(),
                files: None,
            });
        }
    }
    let named: std::collections::HashSet<(u32, String)> =
        out.iter().map(|l| (l.commit, l.label.clone())).collect();
    out.extend(
        fixes_in_window(data, incidents)
            .into_iter()
            .filter(|l| !named.contains(&(l.commit, l.label.clone()))),
    );
    out.sort();
    out
}

/// `[services]` with the names a service matches by default: the
/// repository's (its origin remote's name, the scope of its exports) and
/// its components'.
fn service_map(
    config: &Config,
    scope: &crate::delivery::ScopeChoice,
    origin: Option<&str>,
    data: &Data,
) -> friction_model::services::ServiceMap {
    let mut names: Vec<String> = Vec::new();
    if let crate::delivery::ScopeChoice::Chosen(s, _) = scope {
        names.push(s.clone());
    }
    if let Some(o) = origin {
        let o = o.trim().trim_end_matches('/');
        let o = o.strip_suffix(".git").unwrap_or(o);
        names.push(o.rsplit(['/', ':']).next().unwrap_or(o).to_owned());
    }
    let components: std::collections::BTreeSet<&str> =
        data.files.iter().map(|f| f.component.as_str()).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let components: Vec<&str> = components.into_iter().collect();
    friction_model::services::ServiceMap::new(&config.services, &names, &components)
}

/// Loads the facts as a scan of `at` (default: everything stored, and the
/// measured HEAD) would have them. `Ok(None)` when there is no history.
pub fn load(
    store: &Store,
    cache: &HealthCache,
    history: &mut History,
    inputs: &Inputs,
    months: u32,
    at: Option<&str>,
) -> Result<Option<Loaded>, Error> {
    load_with(store, cache, history, inputs, months, at, true)
}

/// As [`load`]; `code: false` leaves code health out even when the tree of
/// `at` was measured (re-scoring a snapshot that had none).
pub fn load_with(
    store: &Store,
    cache: &HealthCache,
    history: &mut History,
    inputs: &Inputs,
    months: u32,
    at: Option<&str>,
    code: bool,
) -> Result<Option<Loaded>, Error> {
    let err = |e: friction_store::StoreError| Error::store(format!("reading the store: {e}"), None);
    let config = inputs.config()?;
    let (reachable, missing) = at.map_or((None, 0), |c| history.reachable(c));
    let truncated = (missing > 0).then(|| {
        format!(
            "{missing} parent commit{} could not be read, so the history behind {} is missing",
            if missing == 1 { "" } else { "s" },
            if missing == 1 { "it" } else { "them" }
        )
    });
    let keep = |i: u32| reachable.as_ref().is_none_or(|r| r[i as usize]);
    // Commits are sorted by (author time, id): the last kept one is the newest.
    let Some((tip, last)) = history
        .facts
        .commits
        .iter()
        .enumerate()
        .rev()
        .find(|(i, _)| keep(*i as u32))
        .map(|(_, c)| (c.id.as_str(), c.time))
    else {
        return Ok(None);
    };
    let tip = at.unwrap_or(tip).to_owned();
    let from = last - i64::from(months) * MONTH;
    history.need_messages(store, from)?;
    // The window's work items are read on another thread meanwhile.
    let pending_items = crate::execution::start(store, from, last)?;
    let history = &*history;
    let facts = &history.facts;
    // The oldest reachable commit salts pseudonyms, as `Store::first_commit_id`.
    let salt = facts
        .commits
        .iter()
        .enumerate()
        .find(|(i, _)| keep(*i as u32))
        .map(|(_, c)| c.id.clone())
        .unwrap_or_default();
    let map: ComponentMap = component_map(&config)?;
    let fix = FixRules::new(&config)?;
    let ai = AiRules::new(&config)?;
    let teams = TeamMap::new(
        &config.teams,
        inputs.teams_csv.as_ref().map(|(_, t)| t.as_str()),
    )
    .map_err(|e| Error::input(format!("friction.toml: {e}"), None))?;
    let codeowners = inputs
        .codeowners
        .as_ref()
        .map(|(p, t)| (p.clone(), CodeOwners::parse(t)));

    // Files at the measured commit.
    let code_commit = match at {
        _ if !code => None,
        Some(c) => {
            if store.code_tree(c).map_err(err)?.is_empty() {
                None
            } else {
                Some(c.to_owned())
            }
        }
        None => store.meta("code_head").map_err(err)?,
    };
    let mut files = Vec::new();
    if let Some(commit) = &code_commit {
        for (row, data) in store
            .measured_tree(commit, friction_code::ANALYZER_VERSION)
            .map_err(err)?
        {
            if row.excluded.is_some() {
                continue;
            }
            let (health, code_lines) = cache.health_of(&row.blob, &row.language, data.as_deref());
            files.push(File {
                file_id: store.file_id(&row.path).map_err(err)?,
                component: map.component(&row.path),
                test: is_test_path(&row.path),
                owned: codeowners
                    .as_ref()
                    .map(|(_, co)| co.owners_of(&row.path).is_some()),
                path: row.path,
                code_lines,
                health,
            });
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));

    // What each commit of the window changed (counted changes, by the file's
    // identity), for the fix classifier; a file's kind is worked out once.
    let mut kinds: Vec<Option<PathKind>> = vec![None; facts.file_ids.len()];
    let mut touched: Vec<Touched> = vec![Touched::default(); facts.commits.len()];
    for ch in &facts.changes {
        if ch.counted && facts.commits[ch.commit as usize].time >= from {
            let kind = *kinds[ch.file as usize]
                .get_or_insert_with(|| PathKind::of(&facts.file_ids[ch.file as usize]));
            touched[ch.commit as usize].add(kind);
        }
    }
    let mut commits: Vec<Commit> = Vec::new();
    // Stored commit → index into `commits`, for commits with counted changes.
    let mut index: Vec<u32> = vec![u32::MAX; facts.commits.len()];
    let mut changes = Vec::with_capacity(facts.changes.len());
    let mut names: BTreeMap<&str, &str> = BTreeMap::new();
    for ch in &facts.changes {
        if !ch.counted || !keep(ch.commit) {
            continue;
        }
        let stored = &facts.commits[ch.commit as usize];
        let (email, name) = &facts.authors[stored.author as usize];
        let idx = match index[ch.commit as usize] {
            u32::MAX => {
                let i = commits.len() as u32;
                let message = (stored.time >= from)
                    .then(|| history.messages.get(&stored.id))
                    .flatten()
                    .map(|(_, _, m)| m.as_str());
                commits.push(Commit {
                    fix: message.is_some_and(|m| fix.is_fix(m, touched[ch.commit as usize])),
                    ai: message.is_some_and(|m| ai.is_ai(name, email, m)),
                    id: stored.id.clone(),
                    time: stored.time,
                    author: email.clone(),
                });
                index[ch.commit as usize] = i;
                i
            }
            i => i,
        };
        names.entry(email).or_insert(name);
        changes.push(Change {
            commit: idx,
            created: ch.created,
            file_id: facts.file_ids[ch.file as usize].clone(),
            added: ch.added,
            deleted: ch.deleted,
            file: None,
            key: 0,
        });
    }
    let team_overlaps: Vec<TeamOverlap> = teams
        .overlaps(names.iter().map(|(email, name)| (*name, *email)))
        .into_iter()
        .map(|mut o| {
            o.author = friction_analysis::knowledge::pseudonym(&salt, &o.author);
            o
        })
        .collect();
    let teams = (!teams.is_empty()).then(|| {
        names
            .iter()
            .filter_map(|(email, name)| {
                teams
                    .team_of(name, email)
                    .map(|t| ((*email).to_owned(), t.to_owned()))
            })
            .collect::<BTreeMap<String, String>>()
    });
    let mut data = Data::new(
        from,
        last,
        months,
        salt,
        files,
        commits,
        changes,
        teams,
        codeowners.map(|(f, _)| f),
        code_commit.is_some(),
    );
    data.practice = inputs
        .practice
        .practice(inputs.codeowners.as_ref().map(|(p, _)| p.as_str()));
    data.ai = friction_signals::AiSettings {
        rework_days: config.ai.rework_days,
        fix_follow_days: config.ai.fix_follow_days,
    };
    if let Some(dependencies) = &inputs.dependencies {
        let mut supply = dependencies.clone();
        crate::supply::match_advisories(store, &mut supply, last)?;
        data.supply = Some(supply);
    }
    // Work items feed execution verification, not the delivery facts: an
    // export of work items alone leaves those (and `exports`) as they were.
    let stored_inputs: Vec<friction_store::InputRow> = store
        .inputs()
        .map_err(err)?
        .into_iter()
        .filter(|i| !WORK_ITEM_FORMATS.contains(&i.format.as_str()))
        .collect();
    if !stored_inputs.is_empty() || !inputs.tags.is_empty() {
        let scopes: Vec<String> = stored_inputs
            .iter()
            .flat_map(|i| i.scopes.iter().cloned())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let choice = crate::delivery::choose_scope(
            config.inputs.scope.as_deref(),
            inputs.origin.as_deref(),
            &scopes,
        );
        let services = service_map(&config, &choice, inputs.origin.as_deref(), &data);
        let cx = crate::delivery::Context {
            inputs: &stored_inputs,
            facts,
            commits: data.commits.iter().map(|c| c.id.as_str()).collect(),
            files: data.files.iter().map(|f| f.path.as_str()).collect(),
            tags: &inputs.tags,
            window: crate::delivery::Window {
                from,
                until: at.map(|_| last),
            },
            services: &services,
        };
        let mut delivery = crate::delivery::build(store, &choice, &cx)?;
        if let Some(d) = &mut delivery {
            d.reverts = reverts(&data, history);
            d.incident_commits = incident_commits(&data, history, &d.incidents);
        }
        data.delivery = delivery;
        data.service_levels = crate::service_levels::build(
            store,
            &stored_inputs,
            inputs.runbooks.as_ref(),
            &services,
        )?;
    }
    let scope = data
        .delivery
        .as_ref()
        .map(|d| d.scope.clone())
        .filter(|s| !s.is_empty())
        .or_else(|| {
            config
                .inputs
                .scope
                .as_ref()
                .map(|s| s.trim().to_ascii_lowercase())
        })
        .or_else(|| {
            inputs
                .origin
                .as_deref()
                .and_then(crate::delivery::scope_of_remote)
        });
    let owners = inputs
        .codeowners
        .as_ref()
        .map(|(_, t)| CodeOwners::parse(t));
    data.execution = crate::execution::build(
        store,
        &crate::execution::Context {
            facts,
            keep: &keep,
            data: &data,
            config: &config,
            codeowners: owners.as_ref(),
            scope,
        },
        pending_items,
    )?;
    Ok(Some(Loaded {
        data,
        code_commit,
        tip,
        as_of: last,
        from: date(from),
        to: date(last),
        facts_sha256: std::sync::OnceLock::new(),
        team_overlaps,
        truncated,
    }))
}

/// The options of `friction.toml` and the command line.
pub fn options(inputs: &Inputs, budget: Option<f64>, target: f64) -> Result<Options, Error> {
    Ok(Options {
        economics: economics(&inputs.config()?)?,
        target_share: target,
        budget_days: budget,
    })
}

/// The assessment of the store's current state, for `assess` and `explain`.
pub fn run_assessment(
    store: &Store,
    cache: &HealthCache,
    path: &Path,
    request: &crate::AssessRequest,
    progress: &dyn crate::Progress,
) -> Result<Option<(Loaded, Assessment, Inputs)>, Error> {
    let inputs = Inputs::read(path, None)?;
    progress.phase("read inputs");
    let options = options(&inputs, request.budget, request.target)?;
    let mut history = History::read(store, request.mode)?;
    progress.phase("read history");
    let Some(loaded) = load(store, cache, &mut history, &inputs, request.months, None)? else {
        return Ok(None);
    };
    progress.phase("load");
    let a = friction_assess::assess(&loaded.data, &options);
    progress.phase("assess");
    Ok(Some((loaded, a, inputs)))
}

/// The JSON document: the assessment plus where it came from.
pub fn json(loaded: &Loaded, a: &Assessment) -> String {
    friction_assess::AssessmentDocument {
        assessment: a.clone(),
        tool_version: env!("CARGO_PKG_VERSION").into(),
        commit: loaded.code_commit.clone(),
        window_from: loaded.from.clone(),
        window_to: loaded.to.clone(),
        team_overlaps: loaded.team_overlaps.clone(),
    }
    .to_json()
}
