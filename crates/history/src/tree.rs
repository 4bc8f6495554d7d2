//! The files of one commit's tree and their contents, for static measurement.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use friction_model::Exclusion;
use gix::objs::FindExt;

use crate::mine::Classifier;
use crate::{ExclusionRules, HistoryError, ObjectId, Repo};

/// A regular file (blob) of a tree. Symlinks and submodules are not files to measure.
#[derive(Debug, Clone)]
pub struct TreeFile {
    /// Path bytes from the tree, `/`-separated.
    pub path: Vec<u8>,
    pub blob: ObjectId,
    /// Why the file is excluded by path or attributes (vendored, lockfile, …).
    /// Generated-file markers need the content and are checked by the reader.
    pub exclusion: Option<Exclusion>,
}

/// git's blob id of some bytes (what `git hash-object` prints).
pub fn blob_id(bytes: &[u8]) -> ObjectId {
    gix::objs::compute_hash(gix::hash::Kind::Sha1, gix::object::Kind::Blob, bytes)
        .expect("sha1 hashing cannot fail")
}

impl Repo {
    /// The commit HEAD points at.
    pub fn head_commit(&self) -> Result<ObjectId, HistoryError> {
        let repo = self.thread_safe().to_thread_local();
        crate::head_commit_id(&repo)
    }

    /// The newest commit on HEAD's first-parent line committed at or before
    /// `time` (epoch seconds): the mainline tree as it was then.
    pub fn first_parent_at(&self, time: i64) -> Result<Option<ObjectId>, HistoryError> {
        let repo = self.thread_safe().to_thread_local();
        let mut id = self.head_commit()?;
        loop {
            let commit = repo
                .find_commit(id)
                .map_err(|e| HistoryError::object(id, "commit", e))?;
            let t = commit
                .committer()
                .map_err(|e| HistoryError::object(id, "commit", e))?
                .time()
                .map_or(0, |t| t.seconds);
            if t <= time {
                return Ok(Some(id));
            }
            match commit.parent_ids().next() {
                Some(p) => id = p.detach(),
                None => return Ok(None),
            }
        }
    }

    /// The committer time of `commit` (epoch seconds).
    pub fn commit_time(&self, commit: ObjectId) -> Result<i64, HistoryError> {
        let repo = self.thread_safe().to_thread_local();
        let c = repo
            .find_commit(commit)
            .map_err(|e| HistoryError::object(commit, "commit", e))?;
        Ok(c.committer()
            .map_err(|e| HistoryError::object(commit, "commit", e))?
            .time()
            .map_or(0, |t| t.seconds))
    }

    /// The content of the file at `path` in `commit`'s tree; `None` when there
    /// is no such file.
    pub fn file_at(&self, commit: ObjectId, path: &str) -> Result<Option<Vec<u8>>, HistoryError> {
        let repo = self.thread_safe().to_thread_local();
        let tree = commit_tree(&repo, commit)?;
        let Some(entry) = tree
            .lookup_entry_by_path(path)
            .map_err(|e| HistoryError::object(commit, "tree", e))?
        else {
            return Ok(None);
        };
        if !entry.mode().is_blob() {
            return Ok(None);
        }
        let blob = entry
            .object()
            .map_err(|e| HistoryError::object(entry.oid(), "blob", e))?;
        Ok(Some(blob.data.clone()))
    }

    /// The files below directory `dir` of `commit`'s tree whose names end in
    /// `suffix`, with their paths from the root and contents, sorted by
    /// path; empty when there is no such directory.
    pub fn files_under(
        &self,
        commit: ObjectId,
        dir: &str,
        suffix: &str,
    ) -> Result<Vec<(String, Vec<u8>)>, HistoryError> {
        let repo = self.thread_safe().to_thread_local();
        let tree = commit_tree(&repo, commit)?;
        let dir = dir.trim_matches('/');
        let Some(entry) = tree
            .lookup_entry_by_path(dir)
            .map_err(|e| HistoryError::object(commit, "tree", e))?
        else {
            return Ok(Vec::new());
        };
        if !entry.mode().is_tree() {
            return Ok(Vec::new());
        }
        let sub = entry
            .object()
            .map_err(|e| HistoryError::object(entry.oid(), "tree", e))?
            .into_tree();
        let mut recorder = gix::traverse::tree::Recorder::default();
        sub.traverse()
            .breadthfirst(&mut recorder)
            .map_err(|e| HistoryError::git(format!("listing {dir} in {commit}"), e))?;
        let mut out = Vec::new();
        for e in recorder.records.into_iter().filter(|e| e.mode.is_blob()) {
            let rel = String::from_utf8_lossy(e.filepath.as_ref()).into_owned();
            if !rel.to_ascii_lowercase().ends_with(suffix) {
                continue;
            }
            let blob = repo
                .find_object(e.oid)
                .map_err(|err| HistoryError::object(e.oid, "blob", err))?;
            out.push((format!("{dir}/{rel}"), blob.data.clone()));
        }
        out.sort();
        Ok(out)
    }

    /// The paths (lossily UTF-8) and blob ids of the regular files of
    /// `commit`'s tree, in tree order, without classifying them.
    pub fn blob_paths(&self, commit: ObjectId) -> Result<Vec<(String, ObjectId)>, HistoryError> {
        let repo = self.thread_safe().to_thread_local();
        Ok(blob_entries(&repo, commit)?
            .into_iter()
            .map(|e| (String::from_utf8_lossy(&e.filepath).into_owned(), e.oid))
            .collect())
    }

    /// The paths of the regular files of `commit`'s tree that `keep`
    /// accepts, sorted (paths that are not UTF-8 are left out: no file a
    /// caller looks for by name has one).
    pub fn paths_at(
        &self,
        commit: ObjectId,
        keep: impl Fn(&str) -> bool,
    ) -> Result<Vec<String>, HistoryError> {
        let repo = self.thread_safe().to_thread_local();
        let mut paths: Vec<String> = blob_entries(&repo, commit)?
            .into_iter()
            .filter_map(|e| String::from_utf8(Vec::from(e.filepath)).ok())
            .filter(|p| keep(p))
            .collect();
        paths.sort();
        Ok(paths)
    }

    /// Regular files of `commit`'s tree, sorted by path, with path and attribute
    /// exclusions applied.
    pub fn tree_files(
        &self,
        commit: ObjectId,
        rules: &ExclusionRules,
    ) -> Result<Vec<TreeFile>, HistoryError> {
        let repo = self.thread_safe().to_thread_local();
        let entries = blob_entries(&repo, commit)?;
        let mut classifier = Classifier::new(&repo, rules);
        let mut files: Vec<TreeFile> = entries
            .into_iter()
            .map(|e| {
                let path: Vec<u8> = e.filepath.into();
                let exclusion = classifier.classify(&path, false);
                TreeFile {
                    path,
                    blob: e.oid,
                    exclusion,
                }
            })
            .collect();
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(files)
    }

    /// Reads `blobs` on `threads` workers (0 = all cores) and maps each content
    /// with `f` on the worker. Results come back in input order; an unreadable
    /// blob gives an error in its slot and the others are still read.
    pub fn map_blobs<T: Send>(
        &self,
        blobs: &[ObjectId],
        threads: usize,
        f: impl Fn(usize, &[u8]) -> T + Sync,
    ) -> Vec<Result<T, HistoryError>> {
        let threads = if threads == 0 {
            std::thread::available_parallelism().map_or(1, |n| n.get())
        } else {
            threads
        }
        .min(blobs.len().max(1));
        let next = AtomicUsize::new(0);
        let slots: Mutex<Vec<Option<Result<T, HistoryError>>>> =
            Mutex::new((0..blobs.len()).map(|_| None).collect());
        std::thread::scope(|s| {
            for _ in 0..threads {
                s.spawn(|| {
                    let mut repo = self.thread_safe().to_thread_local();
                    repo.object_cache_size(0);
                    let mut buf = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= blobs.len() {
                            break;
                        }
                        let id = blobs[i];
                        let result = match repo.objects.find_blob(&id, &mut buf) {
                            Ok(blob) => Ok(f(i, blob.data)),
                            Err(e) => Err(HistoryError::object(id, "blob", e)),
                        };
                        slots.lock().expect("no panics while holding")[i] = Some(result);
                    }
                });
            }
        });
        slots
            .into_inner()
            .expect("workers joined")
            .into_iter()
            .map(|r| r.expect("every slot filled"))
            .collect()
    }
}

/// The root tree of `commit`.
fn commit_tree(repo: &gix::Repository, commit: ObjectId) -> Result<gix::Tree<'_>, HistoryError> {
    repo.find_commit(commit)
        .map_err(|e| HistoryError::object(commit, "commit", e))?
        .tree()
        .map_err(|e| HistoryError::object(commit, format!("tree of commit {commit}"), e))
}

/// The regular-file entries of `commit`'s tree, in tree order.
fn blob_entries(
    repo: &gix::Repository,
    commit: ObjectId,
) -> Result<Vec<gix::traverse::tree::recorder::Entry>, HistoryError> {
    let tree = commit_tree(repo, commit)?;
    let mut recorder = gix::traverse::tree::Recorder::default();
    tree.traverse()
        .breadthfirst(&mut recorder)
        .map_err(|e| HistoryError::git(format!("listing the tree of {commit}"), e))?;
    recorder.records.retain(|e| e.mode.is_blob());
    Ok(recorder.records)
}
