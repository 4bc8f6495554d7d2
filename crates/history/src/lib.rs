//! Git history mining with `gix`.
//!
//! This crate turns a repository into [`friction_model::CommitFact`]s: commits with
//! identities (after `.mailmap`), messages and per-file changes with
//! `git log --numstat` line counts, rename pairing as `git log -M` pairs them, and
//! exclusion and bot labels. It knows nothing about storage or scoring: the caller
//! says which commits it already has and receives the rest through a callback.
//!
//! The work is split in two: [`Repo::plan`] walks the commit graph (cheap, one
//! thread) and decides which commits need mining; [`Repo::mine`] diffs them on a pool
//! of threads, each with its own object and diff caches, and hands finished commits
//! to the caller's thread in the order they finish.

pub mod classify;
pub mod config;
mod lines;
mod mine;
mod pack;
mod tree;

use std::path::{Path, PathBuf};

pub use classify::{BadGlob, BotPatterns, ExclusionRules};
pub use config::{
    CONFIG_FILE_NAME, CheckConfig, Config, InputsConfig, PortfolioConfig, PortfolioEntry,
};
pub use gix::{ObjectId, interrupt};
pub use mine::{LabelledChange, MineOptions, MineOutcome, MinedCommit};
pub use tree::{TreeFile, blob_id};

/// Everything that can go wrong while reading a repository.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    /// The path is not inside a git repository.
    #[error("{path} is not a git repository ({message})")]
    NotARepository {
        /// The path given by the user.
        path: PathBuf,
        /// What gix said, rendered.
        message: String,
    },
    /// The repository exists but has no commit at the requested ref.
    #[error("the repository has no commits yet (HEAD points at an unborn branch)")]
    NoCommits,
    /// A ref given with `--ref` does not exist.
    #[error("ref `{name}` does not exist")]
    UnknownRef {
        /// The name as given.
        name: String,
    },
    /// An object could not be read: missing from the object database or corrupt.
    #[error("object {id} could not be read ({what}): {message}")]
    Object {
        /// The id of the object.
        id: String,
        /// What the object was needed for (`commit`, `tree of commit …`, `blob …`).
        what: String,
        /// The underlying error, rendered.
        message: String,
    },
    /// Any other failure inside gix, rendered with its context.
    #[error("{context}: {message}")]
    Git {
        /// What friction was doing.
        context: String,
        /// The underlying error, rendered.
        message: String,
    },
}

/// The commit HEAD names. Only an unborn HEAD means "no commits yet"; a HEAD
/// whose object cannot be read is a damaged repository (a pack deleted or cut
/// short), named as git would name it.
pub(crate) fn head_commit_id(repo: &gix::Repository) -> Result<ObjectId, HistoryError> {
    let head = repo
        .head()
        .map_err(|e| HistoryError::git("reading HEAD", e))?;
    let Some(id) = head.id() else {
        return Err(HistoryError::NoCommits);
    };
    let id = id.detach();
    let object = repo
        .find_object(id)
        .map_err(|e| HistoryError::object(id, "the commit HEAD names", e))?;
    let commit = object
        .peel_to_commit()
        .map_err(|e| HistoryError::object(id, "the commit HEAD names", e))?;
    Ok(commit.id)
}

impl HistoryError {
    pub(crate) fn git(context: impl Into<String>, err: impl std::fmt::Display) -> Self {
        HistoryError::Git {
            context: context.into(),
            message: err.to_string(),
        }
    }

    pub(crate) fn object(
        id: impl std::fmt::Display,
        what: impl Into<String>,
        err: impl std::fmt::Display,
    ) -> Self {
        HistoryError::Object {
            id: id.to_string(),
            what: what.into(),
            message: err.to_string(),
        }
    }
}

/// Which refs the walk starts from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefSelection {
    /// `HEAD` only (the default, like `git log`).
    Head,
    /// The named refs (`--ref main --ref release/1.2`), resolved like `git rev-parse`.
    Named(Vec<String>),
    /// Every branch, tag and remote-tracking ref, plus `HEAD` (`git log --all`).
    All,
}

/// A resolved starting point of the walk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tip {
    /// How the user or git named it.
    pub name: String,
    /// The commit it points at (tags are peeled).
    pub id: ObjectId,
}

/// The commits a scan must mine, decided before any diff is computed.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// Commits to mine, in first-parent chains: each child before its first parent.
    pub to_mine: Vec<ObjectId>,
    /// Commits reached by the walk that are already stored, so nothing needs mining.
    pub already_stored: Vec<ObjectId>,
    /// Set when the walk stopped on an unreadable commit; what was walked is still mined.
    pub walk_error: Option<String>,
}

/// `ids` (in walk order, with their first parents) reordered into first-parent
/// chains: each commit not yet placed starts a chain, in walk order, which goes on
/// with its first parent, that commit's first parent, and so on while they are to be
/// mined and not placed yet.
///
/// Mining hands out runs of neighbouring commits to each worker. In this order
/// neighbours are mostly child and parent, which share trees, blobs and delta bases,
/// so a worker finds them in its own caches. In the breadth-first walk order,
/// neighbours are as often siblings on different branches.
fn chain_order(ids: &[ObjectId], first_parents: &[Option<ObjectId>]) -> Vec<ObjectId> {
    let position: std::collections::HashMap<ObjectId, usize> =
        ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let mut placed = vec![false; ids.len()];
    let mut order = Vec::with_capacity(ids.len());
    for start in 0..ids.len() {
        let mut at = start;
        while !placed[at] {
            placed[at] = true;
            order.push(ids[at]);
            match first_parents[at].and_then(|p| position.get(&p)) {
                Some(&parent) => at = parent,
                None => break,
            }
        }
    }
    order
}

/// A tag and the commit it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagInfo {
    /// `v1.2.0` (without `refs/tags/`).
    pub name: String,
    /// The commit's id (hex).
    pub commit: String,
    /// Epoch seconds: the tagger's time, else the commit's committer time.
    pub time: i64,
}

/// An opened repository, shareable across threads.
pub struct Repo {
    inner: gix::ThreadSafeRepository,
    shallow: bool,
}

/// Opens the repository containing `path` (a work tree, or a bare repository).
pub fn open(path: &Path) -> Result<Repo, HistoryError> {
    let repo = gix::discover(path).map_err(|e| HistoryError::NotARepository {
        path: path.to_owned(),
        message: e.to_string(),
    })?;
    let shallow = repo
        .is_shallow()
        .map_err(|e| HistoryError::git("reading the shallow file", e))?;
    Ok(Repo {
        inner: repo.into_sync(),
        shallow,
    })
}

impl Repo {
    /// The work tree root, or `None` for a bare repository.
    pub fn workdir(&self) -> Option<PathBuf> {
        self.inner.work_dir().map(Path::to_owned)
    }

    /// The `.git` directory (the repository itself when bare).
    pub fn git_dir(&self) -> PathBuf {
        self.inner.git_dir().to_owned()
    }

    /// True when the repository is a shallow clone whose history is truncated.
    pub fn is_shallow(&self) -> bool {
        self.shallow
    }

    /// Reads `friction.toml` from `HEAD`'s tree: the configuration of the
    /// commit that is scanned and assessed. Uncommitted edits in the work tree
    /// are not read, so an assessment is a function of the commit. Returns
    /// `None` when there is no such file (or no commit yet).
    pub fn config_text(&self) -> Result<Option<(String, String)>, HistoryError> {
        let head = match self.head_commit() {
            Ok(id) => id,
            Err(HistoryError::NoCommits) => return Ok(None),
            Err(e) => return Err(e),
        };
        Ok(self.file_at(head, CONFIG_FILE_NAME)?.map(|blob| {
            (
                format!("HEAD:{CONFIG_FILE_NAME}"),
                String::from_utf8_lossy(&blob).into_owned(),
            )
        }))
    }

    /// The tags (`refs/tags/*`) peeled to commits, with the tag's date: the
    /// tagger's time for an annotated tag, else the commit's committer time.
    /// Sorted by name. Tags that do not peel to a commit are skipped.
    pub fn tags(&self) -> Result<Vec<TagInfo>, HistoryError> {
        let repo = self.inner.to_thread_local();
        let platform = repo
            .references()
            .map_err(|e| HistoryError::git("listing tags", e))?;
        let refs = platform
            .tags()
            .map_err(|e| HistoryError::git("listing tags", e))?;
        let mut out = Vec::new();
        for reference in refs {
            let Ok(mut reference) = reference else {
                continue;
            };
            let name = reference.name().shorten().to_string();
            let direct = reference.target().try_id().map(ToOwned::to_owned);
            let tag_time = direct
                .and_then(|id| repo.find_object(id).ok())
                .and_then(|o| o.try_into_tag().ok())
                .and_then(|t| t.tagger().ok().flatten().and_then(|s| s.time().ok()))
                .map(|t| t.seconds);
            let Ok(commit) = reference.peel_to_commit() else {
                continue;
            };
            let Ok(time) = commit.time() else {
                continue;
            };
            out.push(TagInfo {
                name,
                commit: commit.id.to_string(),
                time: tag_time.unwrap_or(time.seconds),
            });
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    /// The URL of the `origin` remote (else the only remote), if any.
    pub fn origin_url(&self) -> Option<String> {
        let repo = self.inner.to_thread_local();
        let remote = repo.find_remote("origin").ok().or_else(|| {
            let names = repo.remote_names();
            (names.len() == 1)
                .then(|| names.into_iter().next())
                .flatten()
                .and_then(|n| repo.find_remote(AsRef::<gix::bstr::BStr>::as_ref(&n)).ok())
        })?;
        remote
            .url(gix::remote::Direction::Fetch)
            .map(|u| u.to_bstring().to_string())
    }

    /// Resolves the selection to commits; tags are peeled, non-commit refs skipped.
    pub fn resolve_tips(&self, selection: &RefSelection) -> Result<Vec<Tip>, HistoryError> {
        let repo = self.inner.to_thread_local();
        let mut tips = Vec::new();
        match selection {
            RefSelection::Head => {
                let id = head_commit_id(&repo)?;
                tips.push(Tip {
                    name: "HEAD".into(),
                    id,
                });
            }
            RefSelection::Named(names) => {
                for name in names {
                    let id = repo
                        .rev_parse_single(name.as_str())
                        .map_err(|_| HistoryError::UnknownRef { name: name.clone() })?
                        .object()
                        .map_err(|e| HistoryError::git(format!("reading `{name}`"), e))?
                        .peel_to_commit()
                        .map_err(|_| HistoryError::UnknownRef { name: name.clone() })?
                        .id;
                    tips.push(Tip {
                        name: name.clone(),
                        id,
                    });
                }
            }
            RefSelection::All => {
                if let Ok(head) = repo.head_id() {
                    tips.push(Tip {
                        name: "HEAD".into(),
                        id: head.detach(),
                    });
                }
                let platform = repo
                    .references()
                    .map_err(|e| HistoryError::git("listing refs", e))?;
                let refs = platform
                    .all()
                    .map_err(|e| HistoryError::git("listing refs", e))?;
                for reference in refs {
                    let mut reference =
                        reference.map_err(|e| HistoryError::git("reading a ref", e))?;
                    let name = reference.name().as_bstr().to_string();
                    // Notes, stashes and other non-history refs would drag unrelated
                    // commits into the walk, as `git log --all` does not intend for notes.
                    if !(name.starts_with("refs/heads/")
                        || name.starts_with("refs/tags/")
                        || name.starts_with("refs/remotes/"))
                    {
                        continue;
                    }
                    if let Ok(commit) = reference.peel_to_commit() {
                        tips.push(Tip {
                            name,
                            id: commit.id,
                        });
                    }
                }
                if tips.is_empty() {
                    return Err(HistoryError::NoCommits);
                }
            }
        }
        tips.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(tips)
    }

    /// Walks the history from `tips` and decides which commits need mining.
    ///
    /// `hidden` are tips of earlier complete scans: nothing reachable from them is
    /// visited again, which keeps a re-scan after one commit proportional to that
    /// commit. `is_stored` answers for commits that are already in the store
    /// (from an interrupted scan, say); they are reported but not mined.
    pub fn plan(
        &self,
        tips: &[Tip],
        first_parent: bool,
        hidden: &[ObjectId],
        is_stored: &dyn Fn(&ObjectId) -> bool,
    ) -> Result<Plan, HistoryError> {
        let repo = self.inner.to_thread_local();
        let mut walk = repo
            .rev_walk(tips.iter().map(|t| t.id))
            .sorting(gix::revision::walk::Sorting::BreadthFirst);
        if first_parent {
            walk = walk.first_parent_only();
        }
        // Hidden tips that vanished (history rewritten, objects pruned) cannot be
        // used to cut the walk; the stored-set check still avoids re-mining.
        let hidden: Vec<ObjectId> = hidden
            .iter()
            .copied()
            .filter(|id| repo.find_commit(*id).is_ok())
            .collect();
        if !hidden.is_empty() {
            walk = walk.with_hidden(hidden);
        }
        let walk = walk
            .all()
            .map_err(|e| HistoryError::git("starting the history walk", e))?;
        let mut plan = Plan::default();
        let mut first_parents = Vec::new();
        for info in walk {
            match info {
                Ok(info) => {
                    if is_stored(&info.id) {
                        plan.already_stored.push(info.id);
                    } else {
                        plan.to_mine.push(info.id);
                        first_parents.push(info.parent_ids.first().copied());
                    }
                }
                Err(e) => {
                    plan.walk_error = Some(format!(
                        "the history walk stopped at an unreadable commit: {e}"
                    ));
                    break;
                }
            }
        }
        plan.to_mine = chain_order(&plan.to_mine, &first_parents);
        Ok(plan)
    }

    pub(crate) fn thread_safe(&self) -> &gix::ThreadSafeRepository {
        &self.inner
    }
}
