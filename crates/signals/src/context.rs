//! The facts signals read ([`Data`]) and a scope over them ([`Context`]).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use friction_analysis::knowledge::{self, Knowledge};

/// A file at the assessed commit (excluded files left out).
#[derive(Debug, Clone, PartialEq)]
pub struct File {
    pub path: String,
    /// Stable identity across renames (the store's `file_id`).
    pub file_id: String,
    pub component: String,
    /// A test file (`t/`, `test/`, `tests/`, `spec/`, `*_test.*`, `test_*.*`, …).
    pub test: bool,
    pub code_lines: u32,
    /// Code health 1–10; `None` when it could not be measured (binary, too large).
    pub health: Option<f64>,
    /// Whether a CODEOWNERS rule covers the file (`None`: no CODEOWNERS).
    pub owned: Option<bool>,
}

/// A counted change (not excluded, not by a bot) over the whole history.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// Index into [`Data::commits`].
    pub commit: u32,
    pub file_id: String,
    pub added: u64,
    pub deleted: u64,
    /// The change created the file (added or copied).
    pub created: bool,
    /// Index into [`Data::files`] of the file at the assessed commit, if it is
    /// still there; filled in by [`Data::new`] (give `None`).
    pub file: Option<u32>,
    /// A dense number per distinct `file_id`; filled in by [`Data::new`] (give 0).
    pub key: u32,
}

/// A commit with at least one counted change.
#[derive(Debug, Clone, PartialEq)]
pub struct Commit {
    pub id: String,
    pub time: i64,
    /// The author's (mailmapped) e-mail; signals only ever show pseudonyms.
    pub author: String,
    /// The message marks a fix (built-in fix words or `[assessment] fix_patterns`).
    pub fix: bool,
    /// The commit carries an AI assistant's or agent's mark
    /// (`friction_model::ai`, `[ai] patterns`).
    pub ai: bool,
}

/// What-if adjustments: the assessment applies interventions to the facts
/// and measures again to project the index after each roadmap step.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Overrides {
    /// File id → health after a refactoring.
    pub health: BTreeMap<String, f64>,
    /// Files whose knowledge has been spread to a second active author.
    pub spread: BTreeSet<String>,
    /// Component pairs (sorted) decoupled: their co-changes no longer count.
    pub decoupled: BTreeSet<(String, String)>,
    /// Signal id → value reached by a process change (batch size, CODEOWNERS).
    pub values: BTreeMap<String, f64>,
}

/// Everything the signals read.
#[derive(Debug)]
pub struct Data {
    /// The window (epoch seconds, author time): `[from, to]`.
    pub from: i64,
    pub to: i64,
    pub months: u32,
    /// Salt of author pseudonyms (the first commit's id).
    pub salt: String,
    pub files: Vec<File>,
    /// Sorted by commit time.
    pub commits: Vec<Commit>,
    /// Sorted by commit time (then commit, file).
    pub changes: Vec<Change>,
    /// Author e-mail → team, when teams are configured.
    pub teams: Option<BTreeMap<String, String>>,
    /// The CODEOWNERS file found, if any.
    pub codeowners: Option<String>,
    /// Whether code health was measured at all (`scan --no-code` leaves it out).
    pub code_measured: bool,
    /// The horizons of the AI-assisted-change signals (`[ai]`).
    pub ai: crate::AiSettings,
    /// CI, pull-request, deployment, test and coverage facts of the window,
    /// when inputs beyond git were ingested for this repository.
    pub delivery: Option<crate::delivery::Delivery>,
    /// The dependencies of the assessed commit and their advisories, when
    /// it has lockfiles or manifests.
    pub supply: Option<crate::supply::Supply>,
    /// Execution verification over stored work items (beside the index:
    /// no signal reads it); `None` without work items.
    pub execution: Option<friction_analysis::execution::ExecutionVerification>,
    /// What the assessed commit's tree shows of security practice
    /// (workflows, compliance controls); `None` when the tree was not read.
    pub practice: Option<Practice>,
    /// SLO definitions, alerting rules and runbooks, when definitions were
    /// ingested.
    pub service_levels: Option<crate::service_levels::ServiceLevels>,
    knowledge: OnceLock<Knowledge>,
    known: OnceLock<Known>,
}

/// What the assessed commit's tree shows of security practice.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Practice {
    /// The GitHub Actions workflows (`.github/workflows/*.yml`).
    pub workflows: friction_analysis::workflows::Report,
    /// The compliance controls of `friction_analysis::controls::CONTROLS`.
    pub controls: Vec<friction_analysis::controls::Control>,
}

/// The knowledge of one file at the assessed commit, with authors as
/// numbers into [`Known::authors`].
#[derive(Debug, Clone, PartialEq)]
pub struct FileKnown {
    /// Authors who know the file (degree of authorship), best first.
    pub authors: Vec<u32>,
    pub main_author: u32,
    /// Percent of added lines by the main author / by active authors.
    pub main_share: f64,
    pub active_share: f64,
    pub island: bool,
    pub orphaned: bool,
}

/// Per-file knowledge indexed like [`Data::files`] (`None`: no history).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Known {
    pub authors: Vec<String>,
    pub files: Vec<Option<FileKnown>>,
}

impl Data {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        from: i64,
        to: i64,
        months: u32,
        salt: String,
        files: Vec<File>,
        commits: Vec<Commit>,
        changes: Vec<Change>,
        teams: Option<BTreeMap<String, String>>,
        codeowners: Option<String>,
        code_measured: bool,
    ) -> Data {
        let mut changes = changes;
        let at: std::collections::HashMap<&str, u32> = files
            .iter()
            .enumerate()
            .map(|(i, f)| (f.file_id.as_str(), i as u32))
            .collect();
        let mut keys: std::collections::HashMap<String, u32> = std::collections::HashMap::new();
        for c in &mut changes {
            c.file = at.get(c.file_id.as_str()).copied();
            c.key = match keys.get(c.file_id.as_str()) {
                Some(&k) => k,
                None => {
                    let next = keys.len() as u32;
                    keys.insert(c.file_id.clone(), next);
                    next
                }
            };
        }
        Data {
            from,
            to,
            months,
            salt,
            files,
            commits,
            changes,
            teams,
            codeowners,
            code_measured,
            ai: crate::AiSettings::default(),
            delivery: None,
            supply: None,
            execution: None,
            practice: None,
            service_levels: None,
            knowledge: OnceLock::new(),
            known: OnceLock::new(),
        }
    }

    /// [`Data::knowledge`] indexed by file, with authors numbered.
    pub fn known(&self) -> &Known {
        self.known.get_or_init(|| {
            let k = self.knowledge();
            // Authors numbered in name order, so that ties in the truck
            // factor's greedy choice break the way `friction knowledge` breaks them.
            let names: std::collections::BTreeSet<&str> = k
                .files
                .iter()
                .flat_map(|f| f.doa_authors.iter().chain([&f.main_author]))
                .map(String::as_str)
                .collect();
            let authors: Vec<String> = names.iter().map(|a| (*a).to_owned()).collect();
            let ids: BTreeMap<&str, u32> = names
                .iter()
                .enumerate()
                .map(|(i, a)| (*a, i as u32))
                .collect();
            let id = |a: &str| ids[a];
            let by_path: BTreeMap<&str, usize> = self
                .files
                .iter()
                .enumerate()
                .map(|(i, f)| (f.path.as_str(), i))
                .collect();
            let mut files = vec![None; self.files.len()];
            for f in &k.files {
                let Some(&i) = by_path.get(f.path.as_str()) else {
                    continue;
                };
                let doa: Vec<u32> = f.doa_authors.iter().map(|a| id(a)).collect();
                let main_author = id(&f.main_author);
                files[i] = Some(FileKnown {
                    authors: doa,
                    main_author,
                    main_share: f.main_share,
                    active_share: f.active_share,
                    island: f.island,
                    orphaned: f.orphaned,
                });
            }
            Known { authors, files }
        })
    }

    /// Ownership, DOA authorship, islands and orphaned files over the whole
    /// history, computed once; authors are active when they committed in the window.
    pub fn knowledge(&self) -> &Knowledge {
        self.knowledge.get_or_init(|| {
            let changes: Vec<knowledge::Change> = self
                .changes
                .iter()
                .map(|c| {
                    let commit = &self.commits[c.commit as usize];
                    knowledge::Change {
                        commit: &commit.id,
                        author: &commit.author,
                        time: commit.time,
                        file_id: &c.file_id,
                        lines_added: c.added,
                        created: c.created,
                    }
                })
                .collect();
            let files: Vec<knowledge::File> = self
                .files
                .iter()
                .map(|f| knowledge::File {
                    path: f.path.clone(),
                    file_id: f.file_id.clone(),
                    code_lines: f.code_lines,
                })
                .collect();
            let active: BTreeSet<String> = self
                .commits
                .iter()
                .filter(|c| c.time >= self.from)
                .map(|c| c.author.clone())
                .collect();
            knowledge::knowledge(&changes, &files, &active, &BTreeSet::new())
        })
    }

    /// Index of the first change inside the window.
    pub fn window_start(&self) -> usize {
        self.changes
            .partition_point(|c| self.commits[c.commit as usize].time < self.from)
    }

    /// The author's pseudonym.
    pub fn pseudonym(&self, author: &str) -> String {
        knowledge::pseudonym(&self.salt, author)
    }
}

/// What part of the repository a measurement covers.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum ScopeKind {
    Repository,
    Component,
    Team,
}

/// A scope: a set of files. A commit belongs to a scope when it changes one
/// of its files.
#[derive(Debug, Clone, PartialEq)]
pub struct Scope {
    pub kind: ScopeKind,
    pub name: String,
    /// Indices into [`Data::files`]; `None` = every file.
    pub files: Option<BTreeSet<usize>>,
}

impl Scope {
    pub fn repository() -> Scope {
        Scope {
            kind: ScopeKind::Repository,
            name: String::new(),
            files: None,
        }
    }
}

/// Which kinds of what-if override a measurement read, as a bit set
/// ([`Reads::HEALTH`], …). A measurement that never read a kind gives the
/// same outcome whatever overrides of that kind say: every read of the facts
/// is the same, so the same path is taken. Projections re-measure only the
/// signals whose reads meet the overrides they apply.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reads(u8);

impl Reads {
    pub const HEALTH: Reads = Reads(1);
    pub const SPREAD: Reads = Reads(2);
    pub const DECOUPLED: Reads = Reads(4);
    pub const VALUES: Reads = Reads(8);

    /// Whether the two sets share a kind.
    pub fn meets(self, other: Reads) -> bool {
        self.0 & other.0 != 0
    }

    fn add(&mut self, other: Reads) {
        self.0 |= other.0;
    }
}

impl Overrides {
    /// The kinds of override that say anything (are not empty).
    pub fn kinds(&self) -> Reads {
        let mut r = Reads::default();
        if !self.health.is_empty() {
            r.add(Reads::HEALTH);
        }
        if !self.spread.is_empty() {
            r.add(Reads::SPREAD);
        }
        if !self.decoupled.is_empty() {
            r.add(Reads::DECOUPLED);
        }
        if !self.values.is_empty() {
            r.add(Reads::VALUES);
        }
        r
    }
}

/// A scope over the data, with what-if overrides applied.
pub struct Context<'a> {
    pub data: &'a Data,
    pub scope: &'a Scope,
    /// Read only through the accessors below, which record what was read.
    overrides: &'a Overrides,
    read: std::cell::Cell<Reads>,
    /// Files by identity, built when first asked for (many contexts of a
    /// roadmap's projections never are).
    by_id: std::cell::OnceCell<BTreeMap<&'a str, usize>>,
    /// `scope.files` as a mask over `data.files` (`None`: every file).
    mask: Option<Vec<bool>>,
    /// [`Context::window_commits`] and [`Context::revisions`], computed once
    /// per context: several signals read them, and over a long window each
    /// is a pass over every change.
    window: std::cell::OnceCell<Vec<(u32, &'a [Change])>>,
    revisions: std::cell::OnceCell<BTreeMap<usize, u64>>,
}

impl<'a> Context<'a> {
    pub fn new(data: &'a Data, scope: &'a Scope, overrides: &'a Overrides) -> Context<'a> {
        let mask = scope.files.as_ref().map(|files| {
            let mut mask = vec![false; data.files.len()];
            for &i in files {
                if let Some(m) = mask.get_mut(i) {
                    *m = true;
                }
            }
            mask
        });
        Context {
            data,
            scope,
            overrides,
            read: std::cell::Cell::new(Reads::default()),
            by_id: std::cell::OnceCell::new(),
            mask,
            window: std::cell::OnceCell::new(),
            revisions: std::cell::OnceCell::new(),
        }
    }

    fn note(&self, kind: Reads) {
        let mut r = self.read.get();
        r.add(kind);
        self.read.set(r);
    }

    /// Forgets what was read (before the next signal measures).
    pub fn reset_reads(&self) {
        self.read.set(Reads::default());
    }

    /// The kinds of override read since the last [`Context::reset_reads`].
    pub fn reads(&self) -> Reads {
        self.read.get()
    }

    /// A what-if health of the file with this identity, if one is set.
    pub fn health_override(&self, file_id: &str) -> Option<f64> {
        self.note(Reads::HEALTH);
        self.overrides.health.get(file_id).copied()
    }

    /// Whether the file's knowledge was (what-if) spread to a second author.
    pub fn spread(&self, file_id: &str) -> bool {
        self.note(Reads::SPREAD);
        self.overrides.spread.contains(file_id)
    }

    /// Whether the (sorted) component pair was (what-if) decoupled.
    pub fn decoupled(&self, pair: &(String, String)) -> bool {
        self.note(Reads::DECOUPLED);
        self.overrides.decoupled.contains(pair)
    }

    /// A what-if value of signal `id`, if a process change sets one.
    pub fn value_override(&self, id: &str) -> Option<f64> {
        self.note(Reads::VALUES);
        self.overrides.values.get(id).copied()
    }

    /// Whether file `i` is in the scope.
    pub fn in_scope(&self, i: usize) -> bool {
        match &self.mask {
            None => true,
            // An index past the files cannot be in a scope of them.
            Some(m) => m.get(i).copied().unwrap_or(false),
        }
    }

    /// The scope's files with their indices.
    pub fn files(&self) -> impl Iterator<Item = (usize, &'a File)> + '_ {
        self.data
            .files
            .iter()
            .enumerate()
            .filter(|(i, _)| self.in_scope(*i))
    }

    /// The file at the assessed commit with this identity.
    pub fn file_index(&self, file_id: &str) -> Option<usize> {
        self.by_id
            .get_or_init(|| {
                self.data
                    .files
                    .iter()
                    .enumerate()
                    .map(|(i, f)| (f.file_id.as_str(), i))
                    .collect()
            })
            .get(file_id)
            .copied()
    }

    /// A file's health with overrides applied.
    pub fn health(&self, i: usize) -> Option<f64> {
        let f = &self.data.files[i];
        self.health_override(&f.file_id).or(f.health)
    }

    /// Revisions (distinct commits) in the window per in-scope file at the
    /// assessed commit.
    pub fn revisions(&self) -> &BTreeMap<usize, u64> {
        self.revisions.get_or_init(|| {
            // Counted in arrays by file index: one pass, no map per change.
            let n = self.data.files.len();
            let mut count = vec![0u64; n];
            let mut last = vec![u32::MAX; n];
            for c in &self.data.changes[self.data.window_start()..] {
                let Some(i) = c.file.map(|i| i as usize) else {
                    continue;
                };
                if i >= n || !self.in_scope(i) {
                    continue;
                }
                if std::mem::replace(&mut last[i], c.commit) != c.commit {
                    count[i] += 1;
                }
            }
            count
                .into_iter()
                .enumerate()
                .filter(|(_, r)| *r > 0)
                .collect()
        })
    }

    /// The window's commits in scope, each with its changes (to any file):
    /// runs of consecutive changes of one commit.
    pub fn window_commits(&self) -> &[(u32, &'a [Change])] {
        self.window.get_or_init(|| {
            let data: &'a Data = self.data;
            let mut out: Vec<(u32, &'a [Change])> = Vec::new();
            let mut rest = &data.changes[data.window_start()..];
            while let Some(first) = rest.first() {
                let run = rest
                    .iter()
                    .position(|c| c.commit != first.commit)
                    .unwrap_or(rest.len());
                let (changes, next) = rest.split_at(run);
                out.push((first.commit, changes));
                rest = next;
            }
            if self.scope.files.is_some() {
                out.retain(|(_, v)| {
                    v.iter()
                        .any(|c| c.file.map(|i| i as usize).is_some_and(|i| self.in_scope(i)))
                });
            }
            out
        })
    }

    /// Why file-based signals cannot measure, when the files at the assessed
    /// commit are unknown (`scan --no-code` lists none).
    pub fn files_unknown(&self) -> Option<String> {
        (self.data.files.is_empty() && !self.data.code_measured).then(|| {
            "the files at HEAD were not measured (`scan --no-code`); run `friction scan` without it"
                .to_owned()
        })
    }

    /// Whether there is any history in the window.
    pub fn has_history(&self) -> bool {
        self.data.window_start() < self.data.changes.len()
    }
}

/// Whether a path looks like a test file (one rule for the whole product,
/// [`friction_analysis::fixes::is_test_path`]). Tests changing with the code
/// they test are healthy coupling, not structural coupling.
pub use friction_analysis::fixes::is_test_path;
