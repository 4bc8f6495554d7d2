//! Fact types shared by every friction crate.
//!
//! A *fact* is something read from an input without judgement: a commit, a file
//! change, an identity. Facts are produced by extractors (`friction-history`,
//! later `friction-code` and `friction-ingest`), persisted by `friction-store`, and
//! read by signals. This crate does no IO and knows nothing about scoring.

pub mod ai;
pub mod fnv;
pub mod health;
pub mod inputs;
pub mod paths;
pub mod services;

use serde::Serialize;

/// A person (or bot) as git recorded them, after `.mailmap` normalisation.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Identity {
    /// Display name after mailmap resolution.
    pub name: String,
    /// E-mail after mailmap resolution, lower-cased so aliases differing only in case meet.
    pub email: String,
}

/// A point in time as git stores it: seconds since the Unix epoch plus the author's
/// timezone offset, which later reveals off-hours work in the author's own clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct GitTime {
    /// Seconds since 1970-01-01T00:00:00Z.
    pub seconds: i64,
    /// Offset from UTC in seconds, east positive (`+0200` is 7200).
    pub offset: i32,
}

/// One commit of the mined history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommitFact {
    /// Full hexadecimal object id.
    pub id: String,
    /// Parent ids in order; the first parent is the mainline.
    pub parents: Vec<String>,
    /// Author identity after mailmap.
    pub author: Identity,
    /// When the author wrote the change.
    pub author_time: GitTime,
    /// Committer identity after mailmap.
    pub committer: Identity,
    /// When the change was committed (rebases and merges move this, not the author time).
    pub committer_time: GitTime,
    /// True when the author matched a bot pattern.
    pub author_is_bot: bool,
    /// The full message, lossily decoded; ticket ids and fix markers are read from it later.
    pub message: String,
    /// File changes. Empty for merges in the default walk (`git log` semantics).
    pub changes: Vec<FileChangeFact>,
    /// True when this commit is a merge whose changes were diffed against its first parent.
    pub merge_diffed: bool,
    /// Set when rename detection gave up on this commit because it had more candidate
    /// pairs than the configured limit; holds the number of skipped similarity checks.
    pub rename_limit_hit: Option<u64>,
}

impl CommitFact {
    /// True when the commit has more than one parent.
    pub fn is_merge(&self) -> bool {
        self.parents.len() > 1
    }
}

/// How a path changed in a commit, with git's vocabulary (`git diff --name-status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// `A`: the path did not exist in the parent.
    Added,
    /// `M`: content or mode changed.
    Modified,
    /// `D`: the path no longer exists.
    Deleted,
    /// `R`: the content moved from `previous_path`, possibly with edits.
    Renamed,
    /// `C`: the content was copied from `previous_path`, which still exists.
    Copied,
    /// `T`: the entry changed type (regular file, symlink, submodule).
    TypeChanged,
}

impl ChangeKind {
    /// The stable one-word name used in the store and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Modified => "modified",
            ChangeKind::Deleted => "deleted",
            ChangeKind::Renamed => "renamed",
            ChangeKind::Copied => "copied",
            ChangeKind::TypeChanged => "type_changed",
        }
    }

    /// Parses the name produced by [`ChangeKind::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "added" => ChangeKind::Added,
            "modified" => ChangeKind::Modified,
            "deleted" => ChangeKind::Deleted,
            "renamed" => ChangeKind::Renamed,
            "copied" => ChangeKind::Copied,
            "type_changed" => ChangeKind::TypeChanged,
            _ => return None,
        })
    }
}

/// A repository path exactly as git stores it: bytes, usually but not always UTF-8.
///
/// Paths that are not valid UTF-8 keep their raw bytes so nothing is lost; the lossy
/// text is what people read.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RepoPath(pub Vec<u8>);

impl RepoPath {
    /// The path as text, with invalid UTF-8 replaced by U+FFFD.
    pub fn lossy(&self) -> String {
        String::from_utf8_lossy(&self.0).into_owned()
    }

    /// The raw bytes when they are not valid UTF-8, `None` for ordinary paths.
    pub fn raw_if_not_utf8(&self) -> Option<&[u8]> {
        std::str::from_utf8(&self.0).is_err().then_some(&self.0[..])
    }
}

impl Serialize for RepoPath {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.lossy())
    }
}

/// What kind of tree entry a change touched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// A regular or executable file.
    File,
    /// A symbolic link (its content is the target path).
    Symlink,
    /// A submodule commit pointer (a gitlink).
    Submodule,
}

/// Why a change is excluded from delivery metrics. Excluded changes are stored and
/// counted, never dropped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "detail")]
pub enum Exclusion {
    /// A lockfile written by a package manager (`Cargo.lock`, `package-lock.json`, …).
    Lockfile,
    /// Third-party code checked in under a vendor directory (`vendor/`, `node_modules/`, …).
    Vendored,
    /// Marked `linguist-vendored` in `.gitattributes`.
    AttributeVendored,
    /// Marked `linguist-generated` in `.gitattributes`.
    AttributeGenerated,
    /// The path has the shape of generated output (`*.min.js`, `*.pb.go`, …).
    GeneratedPath,
    /// Content carries a generated-file marker such as `@generated` or `DO NOT EDIT`.
    GeneratedMarker,
    /// Matched an `exclude` glob of `friction.toml`; the detail is the glob.
    Configured(String),
}

impl Exclusion {
    /// The stable one-word reason stored next to an excluded change.
    pub fn reason(&self) -> String {
        match self {
            Exclusion::Lockfile => "lockfile".into(),
            Exclusion::Vendored => "vendored".into(),
            Exclusion::AttributeVendored => "linguist-vendored".into(),
            Exclusion::AttributeGenerated => "linguist-generated".into(),
            Exclusion::GeneratedPath => "generated-path".into(),
            Exclusion::GeneratedMarker => "generated-marker".into(),
            Exclusion::Configured(glob) => format!("config:{glob}"),
        }
    }
}

/// One path changed by one commit, with `git log --numstat` line counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileChangeFact {
    /// Path after the change (for deletions: the path that was deleted).
    pub path: RepoPath,
    /// Path before a rename or copy.
    pub previous_path: Option<RepoPath>,
    /// How the path changed.
    pub kind: ChangeKind,
    /// What the entry is after the change (before it, for deletions).
    pub entry: EntryKind,
    /// Lines added; `0` for binary files, which carry `binary = true` instead.
    pub lines_added: u64,
    /// Lines deleted; `0` for binary files.
    pub lines_deleted: u64,
    /// True when git would print `-\t-` in `--numstat`.
    pub binary: bool,
    /// Blob id of the new content, `None` for deletions. Lets code metrics be keyed by blob.
    pub blob: Option<String>,
    /// True when the new content starts with a generated-file marker.
    pub generated_marker: bool,
}

/// What the mined history looked like, reported so that a truncated or partial
/// history is never mistaken for a whole one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct HistoryCompleteness {
    /// True when the repository is a shallow clone: history before the graft points is absent.
    pub shallow: bool,
    /// Commits whose rename detection hit the limit.
    pub rename_limit_commits: u64,
}
