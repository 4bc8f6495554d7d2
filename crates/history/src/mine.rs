//! The parallel per-commit diff.
//!
//! Shaped after `gitoxide-core/src/query/engine/update.rs`: worker threads each own a
//! thread-local repository, an object reader with its own cache (`pack::Reader`) and
//! two diff resource caches (one for rename similarity, one for line counts), and
//! pull runs of commits (from a shared counter over a planned list, or from the walk
//! of a first scan, `walk_chains`), so a slow commit never leaves the other core idle
//! behind a fixed share.
//!
//! Line counts come from `lines::LineCounter` rather than gix's `line_counts()`,
//! because that helper strips line terminators before diffing: a CRLF→LF conversion
//! or a newline added at the end of a file would count as no change, while
//! `git log --numstat` counts those lines. We keep terminators, as git does.

use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use friction_model::{
    ChangeKind, CommitFact, EntryKind, Exclusion, FileChangeFact, GitTime, Identity, RepoPath,
};
use gix::bstr::ByteSlice;
use gix::diff::blob::ResourceKind;
use gix::diff::blob::platform::prepare_diff::Operation;
use gix::object::tree::EntryKind as GitEntryKind;
use gix::objs::{Find, Kind};

use crate::classify::{BotPatterns, ExclusionRules, has_generated_marker};
use crate::lines::LineCounter;
use crate::pack::{Packs, Reader};
use crate::{HistoryError, ObjectId, Repo};

/// Commits a worker takes at once. Neighbours in the planned order (first-parent
/// chains, see `chain_order`) are mostly child and parent, so one worker diffing a
/// run of them finds their shared trees, blobs and delta bases in its own cache
/// instead of inflating them a second time on the other core.
const CHUNK: usize = 32;

/// Each of the two object caches per worker thread (see `pack::Reader`): together
/// git's default `core.deltaBaseCacheLimit` of 96 MiB. Larger budgets measured no
/// faster on git/git and cost peak memory (BENCHMARKS.md).
const OBJECT_CACHE_BYTES: usize = 48 << 20;

/// How to mine.
#[derive(Debug, Clone)]
pub struct MineOptions {
    /// Diff merges against their first parent (the mainline / squash view). When
    /// false, merges contribute no file changes, as in `git log --numstat`.
    pub first_parent: bool,
    /// Pair deletions and additions into renames, as `git log -M` does.
    pub renames: bool,
    /// Also detect copies among modified files (`git log -C`).
    pub copies: bool,
    /// Rename candidate limit per commit (0 = unlimited).
    pub rename_limit: usize,
    /// Worker threads; 0 means one per available core.
    pub threads: usize,
}

impl Default for MineOptions {
    fn default() -> Self {
        MineOptions {
            first_parent: false,
            renames: true,
            copies: false,
            rename_limit: 1000,
            threads: 0,
        }
    }
}

/// What a mining run did.
#[derive(Debug, Default)]
pub struct MineOutcome {
    /// Commits handed to the callback.
    pub mined: usize,
    /// Commits that could not be read; they were not handed over and will be retried
    /// by the next scan.
    pub failed: Vec<HistoryError>,
    /// True when mining stopped early (Ctrl-C, or the callback asked to stop).
    pub interrupted: bool,
    /// Set when a walk during mining (`walk_and_mine`) met a commit it could not
    /// read; what it could reach was still mined.
    pub walk_error: Option<String>,
}

/// What a path alone says about a change's label.
#[derive(Debug, Clone)]
enum PathClass {
    /// Forced in by configuration, or default rules are off: never excluded.
    Included,
    /// Excluded whatever the content.
    Excluded(Exclusion),
    /// Excluded only if the content carries a generated-file marker.
    Unlabelled,
}

/// Labels changes that should not count as engineering work.
pub(crate) struct Classifier<'repo> {
    rules: &'repo ExclusionRules,
    by_path: std::collections::HashMap<Vec<u8>, PathClass, foldhash::fast::FixedState>,
    attributes: Option<(gix::AttributeStack<'repo>, gix::attrs::search::Outcome)>,
}

impl<'repo> Classifier<'repo> {
    pub(crate) fn new(repo: &'repo gix::Repository, rules: &'repo ExclusionRules) -> Self {
        // Attributes come from HEAD's `.gitattributes` files: the current intent of
        // the team about what is generated or vendored applies to the whole history.
        let attributes = if rules.defaults_enabled() {
            repo.index_or_load_from_head_or_empty()
                .ok()
                .and_then(|index| {
                    repo.attributes_only(
                        &index,
                        gix::worktree::stack::state::attributes::Source::IdMapping,
                    )
                    .ok()
                })
                .map(|stack| {
                    let outcome = stack
                        .selected_attribute_matches(["linguist-generated", "linguist-vendored"]);
                    (stack, outcome)
                })
        } else {
            None
        };
        Classifier {
            rules,
            by_path: Default::default(),
            attributes,
        }
    }

    pub(crate) fn classify(&mut self, path: &[u8], generated_marker: bool) -> Option<Exclusion> {
        // Everything but the marker depends on the path alone, and a history touches
        // the same paths again and again: the attribute lookup is done once per path.
        let by_path = match self.by_path.get(path) {
            Some(known) => known.clone(),
            None => {
                let known = self.classify_path(path);
                if self.by_path.len() < 1 << 18 {
                    self.by_path.insert(path.to_vec(), known.clone());
                }
                known
            }
        };
        match by_path {
            PathClass::Included => None,
            PathClass::Excluded(reason) => Some(reason),
            PathClass::Unlabelled => generated_marker.then_some(Exclusion::GeneratedMarker),
        }
    }

    fn classify_path(&mut self, path: &[u8]) -> PathClass {
        match self.classify_path_inner(path) {
            Ok(reason) => PathClass::Excluded(reason),
            Err(true) => PathClass::Included,
            Err(false) => PathClass::Unlabelled,
        }
    }

    /// `Ok` with the reason a path is excluded, or `Err(true)` when it is included
    /// whatever its content, `Err(false)` when only a generated marker can exclude it.
    fn classify_path_inner(&mut self, path: &[u8]) -> Result<Exclusion, bool> {
        let text = String::from_utf8_lossy(path);
        if self.rules.is_forced_include(&text) {
            return Err(true);
        }
        if let Some(reason) = self.rules.classify_path(&text) {
            return Ok(reason);
        }
        if !self.rules.defaults_enabled() {
            return Err(true);
        }
        if let Some((stack, outcome)) = self.attributes.as_mut() {
            outcome.reset();
            if let Ok(platform) = stack.at_entry(path.as_bstr(), None)
                && platform.matching_attributes(outcome)
            {
                for m in outcome.iter_selected() {
                    let set = matches!(m.assignment.state, gix::attrs::StateRef::Set)
                        || matches!(m.assignment.state, gix::attrs::StateRef::Value(v) if v.as_bstr() == "true");
                    if set {
                        return Ok(if m.assignment.name.as_str() == "linguist-vendored" {
                            Exclusion::AttributeVendored
                        } else {
                            Exclusion::AttributeGenerated
                        });
                    }
                }
            }
        }
        Err(false)
    }
}

/// A change as mined, with its exclusion label.
pub struct LabelledChange {
    /// The fact.
    pub change: FileChangeFact,
    /// Why it is excluded, if it is.
    pub exclusion: Option<Exclusion>,
}

/// A mined commit with labelled changes.
pub struct MinedCommit {
    /// The commit fact (its `changes` are empty; see `changes`).
    pub commit: CommitFact,
    /// The labelled changes, sorted by path.
    pub changes: Vec<LabelledChange>,
    /// True when the commit is a shallow-clone boundary, diffed against the empty tree
    /// as `git log` does.
    pub shallow_boundary: bool,
}

/// One commit to mine, with what the walk already read of it.
struct Item {
    id: ObjectId,
    /// The commit's bytes, when the walk read them.
    data: Option<Vec<u8>>,
    /// The tree of the first parent, when the walk read that parent.
    parent_tree: Option<ObjectId>,
}

impl Item {
    fn id(id: ObjectId) -> Item {
        Item {
            id,
            data: None,
            parent_tree: None,
        }
    }
}

/// Where the workers take their commits from.
#[derive(Clone, Copy)]
enum Source<'a> {
    /// A planned list, in order.
    Ids(&'a [ObjectId]),
    /// Everything reachable from these tips, walked while the workers mine.
    Walk {
        tips: &'a [ObjectId],
        walked: &'a AtomicUsize,
    },
}

/// Walks everything reachable from `tips` in first-parent chains, child before
/// parent (the order `chain_order` gives a planned list), and sends runs of `CHUNK`
/// commits as they are read, with each commit's bytes and its first parent's tree,
/// so the workers read neither again.
///
/// Each chain follows first parents until it meets a commit already walked; the
/// other parents of merges start later chains. Returns the first commit that could
/// not be read, if any; the walk goes on with the other chains, so what can be
/// reached is still mined.
fn walk_chains(
    reader: &Reader<'_>,
    tips: &[ObjectId],
    first_parent: bool,
    shallow: &[ObjectId],
    work: &crossbeam_channel::Sender<Vec<Item>>,
    walked: &AtomicUsize,
    stop: &AtomicBool,
) -> Option<String> {
    type Map<V> = std::collections::HashMap<ObjectId, V, foldhash::fast::FixedState>;
    let mut trees: Map<ObjectId> = Map::default();
    let mut stack: Vec<ObjectId> = tips.iter().rev().copied().collect();
    let mut chunk: Vec<Item> = Vec::with_capacity(CHUNK);
    let mut error = None;
    let emit = |item: Item, chunk: &mut Vec<Item>| -> bool {
        walked.fetch_add(1, Ordering::Relaxed);
        chunk.push(item);
        if chunk.len() == CHUNK {
            let full = std::mem::replace(chunk, Vec::with_capacity(CHUNK));
            return work.send(full).is_ok();
        }
        true
    };
    while let Some(start) = stack.pop() {
        // The commit read last, sent once its first parent's tree is known.
        let mut pending: Option<Item> = None;
        let mut at = start;
        loop {
            if trees.contains_key(&at) || stop.load(Ordering::Relaxed) {
                break;
            }
            let mut data = Vec::new();
            let parsed = match reader.try_find(&at, &mut data) {
                Ok(Some(found)) if found.kind == Kind::Commit => {
                    let mut iter = gix::objs::CommitRefIter::from_bytes(found.data, at.kind());
                    iter.tree_id()
                        .map(|tree| (tree, iter.parent_ids().collect::<Vec<_>>()))
                        .map_err(|e| e.to_string())
                }
                Ok(Some(found)) => Err(format!("expected a commit, found a {}", found.kind)),
                Ok(None) => Err("object not found".into()),
                Err(e) => Err(e.to_string()),
            };
            let (tree, mut parents) = match parsed {
                Ok(p) => p,
                Err(e) => {
                    error.get_or_insert(format!(
                        "the history walk stopped at an unreadable commit {at}: {e}"
                    ));
                    break;
                }
            };
            trees.insert(at, tree);
            if let Some(mut child) = pending.take() {
                child.parent_tree = Some(tree);
                if !emit(child, &mut chunk) {
                    return error;
                }
            }
            if shallow.binary_search(&at).is_ok() {
                parents.clear();
            }
            if first_parent {
                parents.truncate(1);
            }
            for other in parents.iter().skip(1).rev() {
                if !trees.contains_key(other) {
                    stack.push(*other);
                }
            }
            let mut item = Item {
                id: at,
                data: Some(data),
                parent_tree: None,
            };
            match parents.first() {
                Some(parent) if !trees.contains_key(parent) => {
                    pending = Some(item);
                    at = *parent;
                }
                parent => {
                    item.parent_tree = parent.and_then(|p| trees.get(p).copied());
                    if !emit(item, &mut chunk) {
                        return error;
                    }
                    break;
                }
            }
        }
        // A chain that ended on an unreadable parent: the worker reads it itself.
        if let Some(child) = pending.take()
            && !emit(child, &mut chunk)
        {
            return error;
        }
    }
    if !chunk.is_empty() {
        let _ = work.send(chunk);
    }
    error
}

struct Worker<'repo> {
    opts: &'repo MineOptions,
    rename_cache: gix::diff::blob::Platform,
    line_cache: gix::diff::blob::Platform,
    lines: LineCounter,
    reader: Reader<'repo>,
    tree_state: gix::diff::tree::State,
    buffers: [Vec<u8>; 3],
    classifier: Classifier<'repo>,
    bots: &'repo BotPatterns,
    mailmap: &'repo gix::mailmap::Snapshot,
    shallow: &'repo [ObjectId],
}

fn entry_kind(kind: GitEntryKind) -> EntryKind {
    match kind {
        GitEntryKind::Link => EntryKind::Symlink,
        GitEntryKind::Commit => EntryKind::Submodule,
        _ => EntryKind::File,
    }
}

fn identity(mailmap: &gix::mailmap::Snapshot, sig: gix::actor::SignatureRef<'_>) -> Identity {
    let resolved = mailmap.resolve_cow(sig);
    Identity {
        name: resolved.name.to_str_lossy().trim().to_owned(),
        email: resolved.email.to_str_lossy().trim().to_lowercase(),
    }
}

fn git_time(sig: &gix::actor::SignatureRef<'_>) -> GitTime {
    let time = sig.time().unwrap_or_default();
    GitTime {
        seconds: time.seconds,
        offset: time.offset,
    }
}

impl<'repo> Worker<'repo> {
    /// Reads object `id` of `kind` into `buffer` through the worker's reader.
    fn read<'b>(
        &self,
        id: ObjectId,
        kind: Kind,
        what: impl Fn() -> String,
        buffer: &'b mut Vec<u8>,
    ) -> Result<&'b [u8], HistoryError> {
        match self.reader.try_find(&id, buffer) {
            Ok(Some(data)) if data.kind == kind => Ok(data.data),
            Ok(Some(data)) => Err(HistoryError::object(
                id,
                what(),
                format!("expected a {kind}, found a {}", data.kind),
            )),
            Ok(None) => Err(HistoryError::object(id, what(), "object not found")),
            Err(e) => Err(HistoryError::object(id, what(), e)),
        }
    }

    fn mine(&mut self, item: Item) -> Result<MinedCommit, HistoryError> {
        let id = item.id;
        let hash = id.kind();
        let walked = item.data.is_some();
        let mut commit_buf = item
            .data
            .unwrap_or_else(|| std::mem::take(&mut self.buffers[0]));
        let data = if walked {
            &commit_buf[..]
        } else {
            self.read(id, Kind::Commit, || "commit".into(), &mut commit_buf)?
        };
        let decoded = gix::objs::CommitRef::from_bytes(data, hash)
            .map_err(|e| HistoryError::object(id, "commit (corrupt)", e))?;
        let parents: Vec<ObjectId> = decoded.parents().collect();
        let author = decoded
            .author()
            .map_err(|e| HistoryError::object(id, "commit author", e))?;
        let committer = decoded
            .committer()
            .map_err(|e| HistoryError::object(id, "commit committer", e))?;
        let author_identity = identity(self.mailmap, author);
        let is_bot = self
            .bots
            .is_bot(&author_identity.name, &author_identity.email)
            || self
                .bots
                .is_bot(&author.name.to_str_lossy(), &author.email.to_str_lossy());
        let mut fact = CommitFact {
            id: id.to_string(),
            parents: parents.iter().map(ToString::to_string).collect(),
            author_time: git_time(&author),
            author: author_identity,
            committer_time: git_time(&committer),
            committer: identity(self.mailmap, committer),
            author_is_bot: is_bot,
            message: decoded.message.to_str_lossy().into_owned(),
            changes: Vec::new(),
            merge_diffed: false,
            rename_limit_hit: None,
        };
        let tree_id = decoded.tree();
        drop(decoded);
        self.buffers[0] = commit_buf;
        let shallow_boundary = self.shallow.binary_search(&id).is_ok();
        let is_merge = parents.len() > 1;
        if is_merge && !self.opts.first_parent {
            return Ok(MinedCommit {
                commit: fact,
                changes: Vec::new(),
                shallow_boundary,
            });
        }
        fact.merge_diffed = is_merge;
        let old_tree_id = match parents.first() {
            Some(_) if !shallow_boundary && item.parent_tree.is_some() => item.parent_tree,
            Some(parent) if !shallow_boundary => {
                let mut buf = std::mem::take(&mut self.buffers[0]);
                let what = || format!("parent of {id}");
                let data = self.read(*parent, Kind::Commit, what, &mut buf)?;
                let tree = gix::objs::CommitRef::from_bytes(data, hash)
                    .map_err(|e| HistoryError::object(parent, format!("parent of {id}"), e))?
                    .tree();
                self.buffers[0] = buf;
                Some(tree)
            }
            _ => None,
        };
        let mut new_buf = std::mem::take(&mut self.buffers[1]);
        let mut old_buf = std::mem::take(&mut self.buffers[2]);
        let result = (|| {
            let new_tree = self.read(
                tree_id,
                Kind::Tree,
                || format!("tree of commit {id}"),
                &mut new_buf,
            )?;
            let old_tree: &[u8] = match old_tree_id {
                Some(tree) => self.read(
                    tree,
                    Kind::Tree,
                    || format!("tree of parent of {id}"),
                    &mut old_buf,
                )?,
                None => &[],
            };
            self.diff_trees(id, old_tree, new_tree, &mut fact)
        })();
        self.buffers[1] = new_buf;
        self.buffers[2] = old_buf;
        Ok(MinedCommit {
            commit: fact,
            changes: result?,
            shallow_boundary,
        })
    }

    fn diff_trees(
        &mut self,
        id: ObjectId,
        old_tree: &[u8],
        new_tree: &[u8],
        fact: &mut CommitFact,
    ) -> Result<Vec<LabelledChange>, HistoryError> {
        let rewrites = self.opts.renames.then(|| gix::diff::Rewrites {
            copies: self.opts.copies.then(gix::diff::rewrites::Copies::default),
            percentage: Some(0.5),
            limit: self.opts.rename_limit,
            track_empty: false,
        });
        self.rename_cache.clear_resource_cache_keep_allocation();
        let mut raw: Vec<RawChange> = Vec::new();
        let hash = id.kind();
        let outcome = gix::diff::tree_with_rewrites(
            gix::objs::TreeRefIter::from_bytes(old_tree, hash),
            gix::objs::TreeRefIter::from_bytes(new_tree, hash),
            &mut self.rename_cache,
            &mut self.tree_state,
            &self.reader,
            |change| {
                if let Some(c) = RawChange::from_change(&change) {
                    raw.push(c);
                }
                Ok(ControlFlow::Continue(()))
            },
            gix::diff::tree_with_rewrites::Options {
                location: Some(gix::diff::tree::recorder::Location::Path),
                rewrites,
            },
        )
        .map_err(|e| HistoryError::object(id, "tree diff", e))?;
        if let Some(outcome) = outcome {
            let skipped = outcome.num_similarity_checks_skipped_for_rename_tracking_due_to_limit
                + outcome.num_similarity_checks_skipped_for_copy_tracking_due_to_limit;
            if skipped > 0 {
                fact.rename_limit_hit = Some(skipped as u64);
            }
        }
        let mut out = Vec::with_capacity(raw.len());
        for change in raw {
            out.push(self.measure(id, change)?);
        }
        out.sort_by(|a, b| (&a.change.path, a.change.kind).cmp(&(&b.change.path, b.change.kind)));
        Ok(out)
    }

    fn measure(&mut self, id: ObjectId, c: RawChange) -> Result<LabelledChange, HistoryError> {
        let (added, deleted, binary, marker) = if c.old_kind == Some(GitEntryKind::Commit)
            || c.new_kind == Some(GitEntryKind::Commit)
        {
            // git renders a gitlink as one line, `Subproject commit <id>`.
            (
                u64::from(c.new_kind.is_some()),
                u64::from(c.old_kind.is_some()),
                false,
                false,
            )
        } else {
            self.line_counts(id, &c)?
        };
        let path = RepoPath(c.location);
        let exclusion = self.classifier.classify(&path.0, marker);
        Ok(LabelledChange {
            change: FileChangeFact {
                path,
                previous_path: c.source_location.map(RepoPath),
                kind: c.kind,
                entry: entry_kind(c.new_kind.or(c.old_kind).unwrap_or(GitEntryKind::Blob)),
                lines_added: added,
                lines_deleted: deleted,
                binary,
                blob: c.new_id.map(|i| i.to_string()),
                generated_marker: marker,
            },
            exclusion,
        })
    }

    fn line_counts(
        &mut self,
        id: ObjectId,
        c: &RawChange,
    ) -> Result<(u64, u64, bool, bool), HistoryError> {
        let cache = &mut self.line_cache;
        cache.clear_resource_cache_keep_allocation();
        let objects = &self.reader;
        let null = ObjectId::null(gix::hash::Kind::Sha1);
        let old_path = c.source_location.as_deref().unwrap_or(&c.location);
        cache
            .set_resource(
                c.old_id.unwrap_or(null),
                to_git_kind(c.old_kind.or(c.new_kind)),
                old_path.as_bstr(),
                ResourceKind::OldOrSource,
                objects,
            )
            .map_err(|e| {
                HistoryError::object(c.old_id.unwrap_or(null), format!("blob in {id}"), e)
            })?;
        cache
            .set_resource(
                c.new_id.unwrap_or(null),
                to_git_kind(c.new_kind.or(c.old_kind)),
                c.location.as_bstr(),
                ResourceKind::NewOrDestination,
                objects,
            )
            .map_err(|e| {
                HistoryError::object(c.new_id.unwrap_or(null), format!("blob in {id}"), e)
            })?;
        let prep = cache
            .prepare_diff()
            .map_err(|e| HistoryError::git(format!("preparing the diff of {id}"), e))?;
        let new_data = prep.new.data.as_slice().unwrap_or_default();
        let marker = c.new_id.is_some() && has_generated_marker(new_data);
        match prep.operation {
            Operation::SourceOrDestinationIsBinary => Ok((0, 0, true, marker)),
            _ => {
                let old_data = prep.old.data.as_slice().unwrap_or_default();
                let algorithm = match prep.operation {
                    Operation::InternalDiff { algorithm } => algorithm,
                    _ => gix::diff::blob::Algorithm::Myers,
                };
                let (added, deleted) = self.lines.count(algorithm, old_data, new_data);
                Ok((added, deleted, false, marker))
            }
        }
    }
}

fn to_git_kind(kind: Option<GitEntryKind>) -> gix::object::tree::EntryKind {
    kind.unwrap_or(GitEntryKind::Blob)
}

/// A change detached from the diff callback's borrows.
struct RawChange {
    location: Vec<u8>,
    source_location: Option<Vec<u8>>,
    kind: ChangeKind,
    old_id: Option<ObjectId>,
    new_id: Option<ObjectId>,
    old_kind: Option<GitEntryKind>,
    new_kind: Option<GitEntryKind>,
}

impl RawChange {
    fn from_change(change: &gix::diff::tree_with_rewrites::ChangeRef<'_>) -> Option<Self> {
        use gix::diff::tree_with_rewrites::ChangeRef as Change;
        if change.entry_mode().is_tree() {
            return None;
        }
        Some(match *change {
            Change::Addition {
                location,
                entry_mode,
                id,
                ..
            } => RawChange {
                location: location.to_vec(),
                source_location: None,
                kind: ChangeKind::Added,
                old_id: None,
                new_id: Some(id),
                old_kind: None,
                new_kind: Some(entry_mode.kind()),
            },
            Change::Deletion {
                location,
                entry_mode,
                id,
                ..
            } => RawChange {
                location: location.to_vec(),
                source_location: None,
                kind: ChangeKind::Deleted,
                old_id: Some(id),
                new_id: None,
                old_kind: Some(entry_mode.kind()),
                new_kind: None,
            },
            Change::Modification {
                location,
                previous_entry_mode,
                previous_id,
                entry_mode,
                id,
            } => {
                // Old git wrote group-writable files as 100664; git compares modes in
                // canonical form, so such a "change" with the same content is none.
                if previous_entry_mode.is_tree()
                    || (previous_id == id && previous_entry_mode.kind() == entry_mode.kind())
                {
                    return None;
                }
                let same_type =
                    kind_class(previous_entry_mode.kind()) == kind_class(entry_mode.kind());
                RawChange {
                    location: location.to_vec(),
                    source_location: None,
                    kind: if same_type {
                        ChangeKind::Modified
                    } else {
                        ChangeKind::TypeChanged
                    },
                    old_id: Some(previous_id),
                    new_id: Some(id),
                    old_kind: Some(previous_entry_mode.kind()),
                    new_kind: Some(entry_mode.kind()),
                }
            }
            Change::Rewrite {
                source_location,
                source_entry_mode,
                source_id,
                entry_mode,
                location,
                id,
                copy,
                ..
            } => RawChange {
                location: location.to_vec(),
                source_location: Some(source_location.to_vec()),
                kind: if copy {
                    ChangeKind::Copied
                } else {
                    ChangeKind::Renamed
                },
                old_id: Some(source_id),
                new_id: Some(id),
                old_kind: Some(source_entry_mode.kind()),
                new_kind: Some(entry_mode.kind()),
            },
        })
    }
}

/// Regular and executable files are one type; a mode flip is a modification.
fn kind_class(kind: GitEntryKind) -> u8 {
    match kind {
        GitEntryKind::Blob | GitEntryKind::BlobExecutable => 0,
        GitEntryKind::Link => 1,
        GitEntryKind::Commit => 2,
        GitEntryKind::Tree => 3,
    }
}

impl Repo {
    /// Mines `ids` on a pool of threads and hands each finished commit to `on_commit`
    /// on the caller's thread. `on_commit` may return `Break` to stop early; Ctrl-C
    /// (through `gix::interrupt`) stops early too. Either way, every commit handed
    /// over is complete.
    pub fn mine(
        &self,
        ids: &[ObjectId],
        opts: &MineOptions,
        rules: &ExclusionRules,
        bots: &BotPatterns,
        on_commit: impl FnMut(MinedCommit) -> ControlFlow<()>,
    ) -> Result<MineOutcome, HistoryError> {
        self.run(Source::Ids(ids), opts, rules, bots, on_commit)
    }

    /// Walks everything reachable from `tips` and mines it at the same time: the
    /// first scan of a repository, where nothing is stored or hidden, so no plan is
    /// needed before mining starts. `walked` counts the commits found so far (for a
    /// progress bar). A commit the walk cannot read is reported in
    /// `MineOutcome::walk_error`; what it can reach is still mined.
    pub fn walk_and_mine(
        &self,
        tips: &[ObjectId],
        walked: &AtomicUsize,
        opts: &MineOptions,
        rules: &ExclusionRules,
        bots: &BotPatterns,
        on_commit: impl FnMut(MinedCommit) -> ControlFlow<()>,
    ) -> Result<MineOutcome, HistoryError> {
        self.run(Source::Walk { tips, walked }, opts, rules, bots, on_commit)
    }

    fn run(
        &self,
        source: Source<'_>,
        opts: &MineOptions,
        rules: &ExclusionRules,
        bots: &BotPatterns,
        mut on_commit: impl FnMut(MinedCommit) -> ControlFlow<()>,
    ) -> Result<MineOutcome, HistoryError> {
        let threads = if opts.threads == 0 {
            std::thread::available_parallelism().map_or(2, |n| n.get())
        } else {
            opts.threads
        }
        .max(1);
        let threads = match source {
            Source::Ids(ids) => threads.min(ids.len().max(1)),
            Source::Walk { .. } => threads,
        };
        let shared = self.thread_safe();
        let local = shared.to_thread_local();
        let mailmap = local.open_mailmap();
        let mut shallow: Vec<ObjectId> = local
            .shallow_commits()
            .map_err(|e| HistoryError::git("reading the shallow file", e))?
            .map(|c| c.iter().copied().collect())
            .unwrap_or_default();
        shallow.sort();
        let mut objects_dirs = vec![local.objects.store_ref().path().to_owned()];
        objects_dirs.extend(
            local
                .objects
                .store_ref()
                .alternate_db_paths()
                .unwrap_or_default(),
        );
        let packs = &Packs::open(&objects_dirs, local.object_hash());
        let next = AtomicUsize::new(0);
        let stop = AtomicBool::new(false);
        let (tx, rx) = crossbeam_channel::bounded::<Result<MinedCommit, HistoryError>>(256);
        let mut outcome = MineOutcome::default();
        let (work_tx, work_rx) = crossbeam_channel::bounded::<Vec<Item>>(64);
        let walk_error = std::sync::Mutex::new(None);
        std::thread::scope(|scope| -> Result<(), HistoryError> {
            if let Source::Walk { tips, walked } = source {
                let (stop, shallow, walk_error) = (&stop, &shallow[..], &walk_error);
                let repo = shared.to_thread_local();
                let work_tx = work_tx.clone();
                scope.spawn(move || {
                    // Commits are read once; a small cache covers chains that meet.
                    let reader = Reader::new(packs, &repo.objects, 8 << 20);
                    let error = walk_chains(
                        &reader,
                        tips,
                        opts.first_parent,
                        shallow,
                        &work_tx,
                        walked,
                        stop,
                    );
                    if let Ok(mut slot) = walk_error.lock() {
                        *slot = error;
                    }
                });
            }
            drop(work_tx);
            for _ in 0..threads {
                let tx = tx.clone();
                let work_rx = work_rx.clone();
                let (next, stop, mailmap, shallow) = (&next, &stop, &mailmap, &shallow[..]);
                let mut repo = shared.to_thread_local();
                scope.spawn(move || {
                    // Sized like gitoxide-core's query engine: enough to keep the trees
                    // and blobs of a typical commit and its parent resident.
                    // No decoded-object cache, but a larger delta-base cache than gix's
                    // default 64-entry list: consecutive commits share delta bases, and
                    // re-inflating them was the largest cost on git/git, while copying
                    // every object in and out of an object cache cost more than its
                    // hits saved (measured in BENCHMARKS.md).
                    // Objects are read through `pack::Reader` and its cache; gix's own
                    // caches would only copy what it serves (BENCHMARKS.md).
                    repo.object_cache_size(0);
                    let caches = repo
                        .diff_resource_cache_for_tree_diff()
                        .and_then(|a| Ok((a, repo.diff_resource_cache_for_tree_diff()?)));
                    let (rename_cache, line_cache) = match caches {
                        Ok(c) => c,
                        Err(e) => {
                            let _ = tx.send(Err(HistoryError::git("setting up diff caches", e)));
                            return;
                        }
                    };
                    let mut worker = Worker {
                        opts,
                        rename_cache,
                        line_cache,
                        lines: LineCounter::default(),
                        reader: Reader::new(packs, &repo.objects, OBJECT_CACHE_BYTES),
                        tree_state: Default::default(),
                        buffers: Default::default(),
                        classifier: Classifier::new(&repo, rules),
                        bots,
                        mailmap,
                        shallow,
                    };
                    'work: loop {
                        let chunk: Vec<Item> = match source {
                            Source::Ids(ids) => {
                                let first = next.fetch_add(CHUNK, Ordering::Relaxed);
                                match ids.get(first..(first + CHUNK).min(ids.len())) {
                                    Some(chunk) => chunk.iter().map(|&id| Item::id(id)).collect(),
                                    None => break,
                                }
                            }
                            Source::Walk { .. } => match work_rx.recv() {
                                Ok(chunk) => chunk,
                                Err(_) => break,
                            },
                        };
                        if chunk.is_empty() {
                            break;
                        }
                        for item in chunk {
                            if stop.load(Ordering::Relaxed) || gix::interrupt::is_triggered() {
                                break 'work;
                            }
                            if tx.send(worker.mine(item)).is_err() {
                                break 'work;
                            }
                        }
                    }
                });
            }
            drop(tx);
            for result in rx.iter() {
                match result {
                    Ok(mined) => {
                        outcome.mined += 1;
                        if on_commit(mined).is_break() {
                            stop.store(true, Ordering::Relaxed);
                            outcome.interrupted = true;
                            break;
                        }
                    }
                    Err(e) => outcome.failed.push(e),
                }
            }
            // Drain so workers blocked on a full channel can observe `stop` and exit,
            // and the walk blocked on a full work queue too.
            stop.store(true, Ordering::Relaxed);
            for _ in rx.iter() {}
            for _ in work_rx.iter() {}
            Ok(())
        })?;
        if gix::interrupt::is_triggered() {
            outcome.interrupted = true;
        }
        outcome.walk_error = walk_error.into_inner().ok().flatten();
        Ok(outcome)
    }
}

impl Repo {
    /// Exclusion labels for stored `(path, generated_marker)` pairs, with the same
    /// rules the miner applies. Used to re-label stored changes after the
    /// configuration changed, without mining again.
    pub fn labels(
        &self,
        rules: &ExclusionRules,
        paths: &[(Vec<u8>, bool)],
    ) -> Vec<Option<Exclusion>> {
        let repo = self.thread_safe().to_thread_local();
        let mut classifier = Classifier::new(&repo, rules);
        paths
            .iter()
            .map(|(path, marker)| classifier.classify(path, *marker))
            .collect()
    }
}
