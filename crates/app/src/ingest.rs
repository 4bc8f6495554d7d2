//! Reading exports beyond git into the store (`friction ingest`, and the
//! `[inputs]` of `friction.toml` before each scan's assessment), and listing
//! what is stored (`friction inputs`).
//!
//! A file is identified by its SHA-256: content already read by this
//! extractor version is skipped, wherever it lies. A file whose size and
//! modification time are those it had when it was read is not even hashed
//! again (as git's index judges a work-tree file). A file stored under the
//! same path with other content is replaced, its facts with it, in one
//! transaction. A file that cannot be read is refused whole — nothing of it
//! is stored, and what an earlier version of it stored stays — and the other
//! files are still read.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use friction_ingest::{EXTRACTOR_VERSION, Format};
use friction_store::{InputRow, InputSummary, NewInput, Store};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::progress::Progress;

/// What to read.
#[derive(Debug, Clone, Default)]
pub struct IngestRequest {
    /// Files, directories (read recursively; files of no recognised format
    /// are passed over), globs, or `-` for standard input.
    pub paths: Vec<String>,
    /// Read every file as this format instead of recognising it.
    pub format: Option<Format>,
    /// The commit the test or coverage reports measured.
    pub commit: Option<String>,
}

/// What happened to one file.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum Outcome {
    /// Read and stored.
    Stored {
        format: String,
        sha256: String,
        #[serde(flatten)]
        summary: InputSummary,
        /// An earlier version stored under the same path was replaced.
        replaced: bool,
    },
    /// The same content was read before (under `path`): nothing to do.
    Unchanged { sha256: String, stored_as: String },
    /// In a directory, a file of no recognised format: not read.
    Skipped { reason: String },
    /// Not stored: the one-line reason.
    Refused { error: String },
}

/// One file and its outcome.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FileOutcome {
    pub path: String,
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// What an ingest did, file by file, in the order the files were named.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct IngestReport {
    pub files: Vec<FileOutcome>,
}

impl IngestReport {
    /// The files refused (a partial ingest when there are any).
    pub fn refused(&self) -> impl Iterator<Item = (&str, &str)> {
        self.files.iter().filter_map(|f| match &f.outcome {
            Outcome::Refused { error } => Some((f.path.as_str(), error.as_str())),
            _ => None,
        })
    }
}

/// A file to read: its path as shown and stored, and where it is.
#[derive(Debug, Clone)]
enum Source {
    File {
        shown: String,
        at: PathBuf,
        named: bool,
    },
    Stdin,
}

/// Reads `request.paths`, resolved against `base` when relative, into
/// `store`; `stdin` is read for `-`.
pub fn ingest(
    store: &mut Store,
    base: &Path,
    request: &IngestRequest,
    stdin: &mut dyn Read,
    progress: &dyn Progress,
) -> Result<IngestReport> {
    if let Some(commit) = &request.commit
        && (commit.len() < 4 || !commit.chars().all(|c| c.is_ascii_hexdigit()))
    {
        return Err(Error::input(
            format!("--commit {commit:?} is not a commit id"),
            Some("give the full or abbreviated hexadecimal id of the commit the reports measured"),
        ));
    }
    let mut report = IngestReport::default();
    let mut sources = Vec::new();
    for pattern in &request.paths {
        match expand(base, pattern) {
            Ok(found) => sources.extend(found),
            Err(error) => report.files.push(FileOutcome {
                path: pattern.clone(),
                outcome: Outcome::Refused { error },
            }),
        }
    }
    progress.start("ingesting", sources.len() as u64);
    for source in sources {
        let outcome = match &source {
            Source::Stdin => {
                let mut bytes = Vec::new();
                match stdin.read_to_end(&mut bytes) {
                    Ok(_) => read_one(
                        store,
                        "-",
                        None,
                        &mut &bytes[..],
                        || Ok(Box::new(&bytes[..])),
                        true,
                        request,
                    ),
                    Err(e) => Outcome::Refused {
                        error: format!("cannot read standard input: {e}"),
                    },
                }
            }
            Source::File { shown, at, named } => {
                let open = || -> std::io::Result<Box<dyn Read + '_>> {
                    Ok(Box::new(std::fs::File::open(at)?))
                };
                match open() {
                    Ok(mut first) => {
                        read_one(store, shown, stat_of(at), &mut first, open, *named, request)
                    }
                    Err(e) => Outcome::Refused {
                        error: format!("cannot read: {e}"),
                    },
                }
            }
        };
        let path = match &source {
            Source::Stdin => "-".to_owned(),
            Source::File { shown, .. } => shown.clone(),
        };
        report.files.push(FileOutcome { path, outcome });
        progress.inc(1);
    }
    progress.finish();
    Ok(report)
}

/// A file's size and modification time (ns since the epoch).
fn stat_of(path: &Path) -> Option<(u64, i64)> {
    let meta = std::fs::metadata(path).ok()?;
    let modified = meta.modified().ok()?;
    let ns = modified
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_nanos();
    Some((meta.len(), i64::try_from(ns).ok()?))
}

/// The stored input of `shown` that this file still is, judged without
/// reading it: same size and modification time, read by this extractor
/// version (and format, when one is forced), and modified at least a second
/// before it was read — a file changed within the second of its reading
/// could keep both, so it is hashed (git's "racily clean" rule).
fn unchanged_by_stat(
    store: &Store,
    shown: &str,
    stat: Option<(u64, i64)>,
    request: &IngestRequest,
) -> Option<InputRow> {
    let stat = stat?;
    let rows = store.inputs_at_path(shown).ok()?;
    rows.into_iter().find(|row| {
        row.stat == Some(stat)
            && row.extractor_version == EXTRACTOR_VERSION
            && request.format.is_none_or(|f| f.name() == row.format)
            && i128::from(stat.1) < (i128::from(row.ingested_at) - 1) * 1_000_000_000
    })
}

/// Hashes, recognises and reads one file; `open` opens it again for reading
/// after the hash.
#[allow(clippy::too_many_arguments)]
fn read_one<'a>(
    store: &mut Store,
    shown: &str,
    stat: Option<(u64, i64)>,
    first: &mut dyn Read,
    open: impl Fn() -> std::io::Result<Box<dyn Read + 'a>>,
    named: bool,
    request: &IngestRequest,
) -> Outcome {
    let refused = |error: String| Outcome::Refused { error };
    if let Some(row) = unchanged_by_stat(store, shown, stat, request) {
        return Outcome::Unchanged {
            sha256: row.sha256,
            stored_as: row.path,
        };
    }
    let sha256 = match sha256_of(first) {
        Ok(h) => h,
        Err(e) => return refused(format!("cannot read: {e}")),
    };
    match store.input_with_content(&sha256, EXTRACTOR_VERSION) {
        // Forced to another format than it was read as, the file is read again.
        Ok(Some(row)) if request.format.is_none_or(|f| f.name() == row.format) => {
            return Outcome::Unchanged {
                sha256,
                stored_as: row.path,
            };
        }
        Ok(_) => {}
        Err(e) => return refused(format!("store: {e}")),
    }
    let mut reader = match open() {
        Ok(r) => BufReader::with_capacity(1 << 20, r),
        Err(e) => return refused(format!("cannot read: {e}")),
    };
    let format = match request.format {
        Some(f) => f,
        None => {
            let head = match reader.fill_buf() {
                Ok(h) => &h[..h.len().min(8192)],
                Err(e) => return refused(format!("cannot read: {e}")),
            };
            match friction_ingest::detect(head) {
                Some(f) => f,
                None if !named => {
                    return Outcome::Skipped {
                        reason: "not a format friction reads".into(),
                    };
                }
                None => {
                    return refused(format!(
                        "not a format friction reads (expected one of: {}); `--format` names it when recognition fails",
                        format_names()
                    ));
                }
            }
        }
    };
    let replace_path = shown != "-";
    let replaced = replace_path
        && store
            .inputs()
            .is_ok_and(|rows| rows.iter().any(|r| r.path == shown));
    let new = NewInput {
        path: shown.to_owned(),
        format: format.name().to_owned(),
        sha256: sha256.clone(),
        extractor_version: EXTRACTOR_VERSION,
        commit: request.commit.clone(),
        stat,
    };
    let mut writer = match store.begin_input(&new, replace_path) {
        Ok(w) => w,
        Err(e) => return refused(format!("store: {e}")),
    };
    let extracted = friction_ingest::extract(format, &mut reader, &mut |record, at| {
        writer
            .put(&record, at)
            .map_err(|e| friction_ingest::Error::Sink(Box::new(e)))
    });
    match extracted {
        // Dropping the writer rolls back everything this file wrote.
        Err(e) => refused(format!("{}: {e}", format.name())),
        Ok(()) => match writer.finish() {
            Ok(summary) => Outcome::Stored {
                format: format.name().to_owned(),
                sha256,
                summary,
                replaced,
            },
            Err(e) => refused(format!("store: {e}")),
        },
    }
}

fn format_names() -> String {
    Format::ALL
        .iter()
        .map(|f| f.name())
        .collect::<Vec<_>>()
        .join(", ")
}

fn sha256_of(reader: &mut dyn Read) -> std::io::Result<String> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// The files a path, directory or glob names, in a stable order.
fn expand(base: &Path, pattern: &str) -> std::result::Result<Vec<Source>, String> {
    if pattern == "-" {
        return Ok(vec![Source::Stdin]);
    }
    let resolve = |p: &str| {
        let p = Path::new(p);
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            base.join(p)
        }
    };
    if !pattern.contains(['*', '?', '[']) {
        let at = resolve(pattern);
        if at.is_dir() {
            let files = walk(&at);
            return Ok(files
                .into_iter()
                .map(|f| {
                    let rel = f.strip_prefix(&at).unwrap_or(&f);
                    Source::File {
                        shown: Path::new(pattern).join(rel).display().to_string(),
                        at: f,
                        named: false,
                    }
                })
                .collect());
        }
        if !at.exists() {
            return Err("no such file or directory".into());
        }
        return Ok(vec![Source::File {
            shown: pattern.to_owned(),
            at,
            named: true,
        }]);
    }
    // A glob: walk from its longest directory prefix without wildcards.
    let literal: Vec<&str> = pattern
        .split('/')
        .take_while(|part| !part.contains(['*', '?', '[']))
        .collect();
    let prefix = literal.join("/");
    let root = if prefix.is_empty() && !pattern.starts_with('/') {
        base.to_path_buf()
    } else if prefix.is_empty() {
        PathBuf::from("/")
    } else {
        resolve(&prefix)
    };
    let matcher = globset::GlobBuilder::new(pattern)
        .literal_separator(true)
        .build()
        .map_err(|e| format!("not a valid glob: {e}"))?
        .compile_matcher();
    let mut out = Vec::new();
    for file in walk(&root) {
        let rel = file.strip_prefix(&root).unwrap_or(&file);
        let shown = if prefix.is_empty() {
            rel.display().to_string()
        } else {
            Path::new(&prefix).join(rel).display().to_string()
        };
        if matcher.is_match(&shown) {
            out.push(Source::File {
                shown,
                at: file,
                named: true,
            });
        }
    }
    if out.is_empty() {
        return Err("the glob matches no file".into());
    }
    Ok(out)
}

/// Every file under `dir`, sorted by path; unreadable directories are passed over.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The inputs stored, with the distinct facts they hold.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StoredInputs {
    pub inputs: Vec<InputRow>,
    pub facts: friction_store::FactCounts,
}

/// What `friction inputs` lists.
pub fn stored(store: &Store) -> Result<StoredInputs> {
    let err =
        |e: friction_store::StoreError| Error::store(format!("cannot read the inputs: {e}"), None);
    Ok(StoredInputs {
        inputs: store.inputs().map_err(err)?,
        facts: store.fact_counts().map_err(err)?,
    })
}
