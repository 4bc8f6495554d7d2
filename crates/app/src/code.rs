//! Static code measurement: a work tree (`friction code [PATH]`), and a
//! commit's tree (`HEAD` after a scan, past commits for back-fills and backtests).
//!
//! Both paths share one rule: measurements are looked up by (git blob id,
//! language, analyzer version) before anything is parsed, and whatever is
//! measured is written back when a store is at hand. So an unchanged file is
//! parsed once, across scans, commits and work trees.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use friction_code::health::{self, Band, Finding};
use friction_code::{ANALYZER_VERSION, FileMetrics, Flag, Language, Measurer, Method};
use friction_history::classify::has_generated_marker;
use friction_history::config::HistoryConfig;
use friction_history::{ExclusionRules, ObjectId, Repo, blob_id};
use friction_model::Exclusion;
use friction_store::{CodeTreeRow, Store};
use serde::Serialize;

use crate::cache::HealthCache;
use crate::error::Error;
use crate::progress::Progress;
use crate::project::{default_store, parse_config, store_open_error};

/// One measured file, as reported.
#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    pub path: String,
    pub language: Language,
    pub method: Method,
    pub health: Option<f64>,
    pub band: Option<Band>,
    /// Exclusion reason (vendored, generated, lockfile, config glob); excluded
    /// files are measured but not ranked nor counted in the summary's health.
    pub excluded: Option<String>,
    pub lines: friction_code::Lines,
    pub bytes: u64,
    pub function_count: usize,
    pub cyclomatic_total: u32,
    pub cyclomatic_mean: f64,
    pub cyclomatic_max: u32,
    pub duplicated_lines: u32,
    pub max_indent: u32,
    pub flags: Vec<Flag>,
    pub findings: Vec<Finding>,
    pub functions: Vec<friction_code::FunctionMetrics>,
}

impl FileReport {
    fn new(path: String, m: FileMetrics, excluded: Option<String>) -> FileReport {
        let h = health::assess(&m);
        FileReport {
            path,
            language: m.language,
            method: m.method,
            health: h.score,
            band: h.band,
            excluded,
            bytes: m.bytes,
            function_count: m.functions.len(),
            cyclomatic_total: m.cyclomatic_total(),
            cyclomatic_mean: (m.cyclomatic_mean() * 100.0).round() / 100.0,
            cyclomatic_max: m.cyclomatic_max(),
            duplicated_lines: m.duplication.duplicated_lines,
            max_indent: m.max_indent,
            lines: m.lines,
            flags: m.flags,
            findings: h.findings,
            functions: m.functions,
        }
    }
}

/// Totals over the ranked (non-excluded, measured) files.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CodeSummary {
    /// Source files found (excluded ones included).
    pub files: u64,
    pub measured: u64,
    pub tree_sitter: u64,
    pub fallback: u64,
    /// Binary content: not measured.
    pub skipped: u64,
    pub excluded: u64,
    pub unreadable: u64,
    /// Files parsed by this run; the others came from the store.
    pub parsed: u64,
    pub reused: u64,
    pub code_lines: u64,
    pub functions: u64,
    /// Code-line-weighted mean health of ranked files (CodeScene's "Average Code Health").
    pub average_health: Option<f64>,
    /// The lowest score ("Worst Performer").
    pub worst_health: Option<f64>,
    pub healthy_files: u64,
    pub warning_files: u64,
    pub alert_files: u64,
    /// Share of code lines in each band, percent.
    pub healthy_code_pct: f64,
    pub warning_code_pct: f64,
    pub alert_code_pct: f64,
    pub with_syntax_errors: u64,
    pub languages: BTreeMap<String, u64>,
}

pub fn summarise(files: &[FileReport], parsed: u64, unreadable: u64) -> CodeSummary {
    let mut s = CodeSummary {
        files: files.len() as u64 + unreadable,
        parsed,
        reused: (files.len() as u64).saturating_sub(parsed),
        unreadable,
        ..CodeSummary::default()
    };
    let (mut weighted, mut weight) = (0.0, 0.0);
    let mut band_lines = [0u64; 3];
    for f in files {
        if f.excluded.is_some() {
            s.excluded += 1;
            continue;
        }
        match f.method {
            Method::TreeSitter => s.tree_sitter += 1,
            Method::Fallback => s.fallback += 1,
            Method::Skipped => {
                s.skipped += 1;
                continue;
            }
        }
        s.measured += 1;
        *s.languages
            .entry(f.language.as_str().to_owned())
            .or_default() += 1;
        s.code_lines += u64::from(f.lines.code);
        s.functions += f.function_count as u64;
        if f.flags
            .iter()
            .any(|fl| matches!(fl, Flag::SyntaxErrors { .. }))
        {
            s.with_syntax_errors += 1;
        }
        if let (Some(h), Some(b)) = (f.health, f.band) {
            let w = f64::from(f.lines.code.max(1));
            weighted += h * w;
            weight += w;
            s.worst_health = Some(s.worst_health.map_or(h, |x: f64| x.min(h)));
            let i = match b {
                Band::Healthy => 0,
                Band::Warning => 1,
                Band::Alert => 2,
            };
            band_lines[i] += u64::from(f.lines.code);
            match b {
                Band::Healthy => s.healthy_files += 1,
                Band::Warning => s.warning_files += 1,
                Band::Alert => s.alert_files += 1,
            }
        }
    }
    if weight > 0.0 {
        s.average_health = Some((weighted / weight * 100.0).round() / 100.0);
    }
    let total: u64 = band_lines.iter().sum();
    if total > 0 {
        let pct = |x: u64| (x as f64 * 1000.0 / total as f64).round() / 10.0;
        s.healthy_code_pct = pct(band_lines[0]);
        s.warning_code_pct = pct(band_lines[1]);
        s.alert_code_pct = pct(band_lines[2]);
    }
    s
}

/// The least healthy first; ties by path, so the order is deterministic.
pub fn rank(files: &mut [FileReport]) {
    files.sort_by(|a, b| {
        let ha = a.health.unwrap_or(f64::INFINITY);
        let hb = b.health.unwrap_or(f64::INFINITY);
        ha.total_cmp(&hb)
            .then(b.lines.code.cmp(&a.lines.code))
            .then(a.path.cmp(&b.path))
    });
}

fn path_text(path: &[u8]) -> String {
    String::from_utf8_lossy(path).into_owned()
}

/// What `friction scan` measures and reports of HEAD.
#[derive(Debug, Clone, Serialize)]
pub struct HeadCode {
    pub commit: String,
    #[serde(flatten)]
    pub summary: CodeSummary,
    /// The least healthy files (path, health), at most five.
    pub least_healthy: Vec<(String, f64)>,
    pub problems: Vec<String>,
}

/// What measuring a tree runs with.
#[derive(Clone, Copy)]
pub struct Workers<'a> {
    /// Threads reading and measuring blobs (0: one per core).
    pub threads: usize,
    /// Remembers what was measured, for the loads that follow.
    pub cache: &'a HealthCache,
    pub progress: &'a dyn Progress,
}

/// Measures HEAD's tree for `friction scan`, reusing stored measurements by blob id.
pub fn measure_head(
    repo: &Repo,
    store: &mut Store,
    rules: &ExclusionRules,
    workers: &Workers<'_>,
) -> Result<Option<HeadCode>, String> {
    let commit = match repo.head_commit() {
        Ok(c) => c,
        Err(friction_history::HistoryError::NoCommits) => return Ok(None),
        Err(e) => return Err(e.to_string()),
    };
    measure_tree(repo, store, rules, workers, commit, true).map(Some)
}

/// Measures `commit`'s tree, reusing stored measurements by blob id, and records
/// it; `head` makes it the tree analyses read.
pub fn measure_tree(
    repo: &Repo,
    store: &mut Store,
    rules: &ExclusionRules,
    workers: &Workers<'_>,
    commit: ObjectId,
    head: bool,
) -> Result<HeadCode, String> {
    let Workers {
        threads,
        cache,
        progress,
    } = *workers;
    let files: Vec<(friction_history::TreeFile, Language)> = repo
        .tree_files(commit, rules)
        .map_err(|e| e.to_string())?
        .into_iter()
        .filter_map(|f| Language::detect(&f.path).map(|l| (f, l)))
        .collect();
    let keys: Vec<(String, String)> = files
        .iter()
        .map(|(f, l)| (f.blob.to_string(), l.as_str().to_owned()))
        .collect();
    let known = store
        .known_code_metrics(&keys, ANALYZER_VERSION)
        .map_err(|e| e.to_string())?;
    // Parse what the store does not have; each blob id and language only once.
    let mut todo: Vec<(ObjectId, Language)> = Vec::new();
    let mut queued = HashSet::new();
    for ((f, l), key) in files.iter().zip(&keys) {
        if !known.contains(key) && queued.insert(key.clone()) {
            todo.push((f.blob, *l));
        }
    }
    let ids: Vec<ObjectId> = todo.iter().map(|(id, _)| *id).collect();
    thread_local! {
        static MEASURER: std::cell::RefCell<Measurer> = std::cell::RefCell::new(Measurer::new());
    }
    progress.start("measuring files", ids.len() as u64);
    let results = repo.map_blobs(&ids, threads, |i, bytes| {
        let mut m = MEASURER.with(|m| m.borrow_mut().measure(todo[i].1, bytes));
        m.generated_marker = has_generated_marker(bytes);
        progress.inc(1);
        m
    });
    progress.finish();
    let mut problems = Vec::new();
    let mut new_rows = Vec::new();
    for ((id, lang), r) in todo.iter().zip(results) {
        match r {
            Ok(m) => {
                new_rows.push((id.to_string(), lang.as_str().to_owned(), m.to_bytes()));
            }
            Err(e) => problems.push(e.to_string()),
        }
    }
    let parsed = new_rows.len() as u64;
    store
        .put_code_metrics(&new_rows, ANALYZER_VERSION)
        .map_err(|e| e.to_string())?;
    let mut reports = Vec::new();
    let mut tree_rows = Vec::new();
    let mut unreadable = 0;
    for (f, l) in &files {
        let blob = f.blob.to_string();
        let Some(data) = store
            .code_metrics(&blob, l.as_str(), ANALYZER_VERSION)
            .map_err(|e| e.to_string())?
        else {
            unreadable += 1;
            continue;
        };
        let Some(m) = FileMetrics::from_bytes(&data) else {
            unreadable += 1;
            problems.push(format!("stored measurements of {blob} are unreadable"));
            continue;
        };
        let path = path_text(&f.path);
        let excluded = f.exclusion.as_ref().map(Exclusion::reason).or_else(|| {
            (m.generated_marker && rules.defaults_enabled() && !rules.is_forced_include(&path))
                .then(|| Exclusion::GeneratedMarker.reason())
        });
        tree_rows.push(CodeTreeRow {
            path: path.clone(),
            path_raw: std::str::from_utf8(&f.path)
                .is_err()
                .then(|| f.path.clone()),
            blob,
            language: l.as_str().to_owned(),
            excluded: excluded.clone(),
        });
        let report = FileReport::new(path, m, excluded);
        cache.insert(
            &tree_rows[tree_rows.len() - 1].blob,
            l.as_str(),
            (report.health, report.lines.code),
        );
        reports.push(report);
    }
    store
        .put_code_tree_as(&commit.to_string(), &tree_rows, head)
        .map_err(|e| e.to_string())?;
    let summary = summarise(&reports, parsed, unreadable);
    rank(&mut reports);
    let least_healthy = reports
        .iter()
        .filter(|r| r.excluded.is_none())
        .filter_map(|r| r.health.map(|h| (r.path.clone(), h)))
        .filter(|(_, h)| Band::of(*h) != Band::Healthy)
        .take(5)
        .collect();
    problems.sort();
    Ok(HeadCode {
        commit: commit.to_string(),
        summary,
        least_healthy,
        problems,
    })
}

/// A file found on disk for `friction code`.
struct DiskFile {
    rel: String,
    abs: PathBuf,
    language: Language,
    excluded: Option<String>,
}

/// Lists source files under `root` (a directory or a single file), honouring
/// `.gitignore` and hidden-file conventions like ripgrep does.
fn list_files(root: &Path, problems: &mut Vec<String>) -> Vec<(String, PathBuf)> {
    if root.is_file() {
        let name = root
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        return vec![(name, root.to_owned())];
    }
    let mut out = Vec::new();
    let walker = ignore::WalkBuilder::new(root)
        .hidden(true)
        .git_ignore(true)
        .git_global(false)
        .git_exclude(true)
        .require_git(false)
        .follow_links(false)
        .filter_entry(|e| e.file_name() != ".git" && e.file_name() != ".friction")
        .build();
    for entry in walker {
        match entry {
            Ok(e) => {
                if !e.file_type().is_some_and(|t| t.is_file()) {
                    continue;
                }
                let abs = e.into_path();
                let rel = abs.strip_prefix(root).unwrap_or(&abs);
                let rel = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/");
                out.push((rel, abs));
            }
            Err(e) => problems.push(e.to_string()),
        }
    }
    out.sort();
    out
}

/// Measures the source files under `root` (a directory or a file, honouring
/// `.gitignore`), reusing and extending the store `db` — or the repository's
/// own store when it exists — so an unchanged file is parsed once.
pub fn measure_worktree(
    root: &Path,
    db: Option<PathBuf>,
    threads: usize,
    progress: &dyn Progress,
) -> Result<CodeReport, Error> {
    let root = root.to_path_buf();
    if !root.exists() {
        return Err(Error::input(
            format!("{} does not exist", root.display()),
            Some("give a directory or a source file"),
        ));
    }
    let root = std::fs::canonicalize(&root).unwrap_or(root);
    let repo = friction_history::open(&root).ok();

    // Exclusion rules: friction.toml of the repository, else the defaults.
    let history_config: HistoryConfig = match repo.as_ref().map(Repo::config_text) {
        Some(Ok(Some((origin, text)))) => parse_config(&origin, &text)?.history,
        _ => HistoryConfig::default(),
    };
    let rules = ExclusionRules::new(&history_config)
        .map_err(|e| Error::input(format!("friction.toml: {e}"), None))?;

    // A store: the one given, or the repository's if it already exists.
    let db_path = db.or_else(|| {
        let p = default_store(repo.as_ref()?);
        p.exists().then_some(p)
    });
    // Measurements are written to the store: one writer at a time.
    let _lock = match &db_path {
        Some(p) => Some(crate::project::lock_for_writing(p, progress)?),
        None => None,
    };
    let mut store = match &db_path {
        Some(p) => Some(Store::open(p).map_err(|e| store_open_error(p, &e))?),
        None => None,
    };

    let mut problems = Vec::new();
    let listed = list_files(&root, &mut problems);
    let mut files: Vec<DiskFile> = listed
        .into_iter()
        .filter_map(|(rel, abs)| {
            Language::detect(rel.as_bytes()).map(|language| DiskFile {
                rel,
                abs,
                language,
                excluded: None,
            })
        })
        .collect();
    // Path and attribute exclusions: with the repository's attributes when there is one.
    let prefix = repo
        .as_ref()
        .and_then(|r| r.workdir())
        .and_then(|w| std::fs::canonicalize(w).ok())
        .and_then(|w| root.strip_prefix(&w).ok().map(Path::to_owned));
    let repo_paths: Vec<(Vec<u8>, bool)> = files
        .iter()
        .map(|f| {
            let mut p = prefix
                .as_ref()
                .map(|p| {
                    p.components()
                        .map(|c| c.as_os_str().to_string_lossy().into_owned())
                        .collect::<Vec<_>>()
                        .join("/")
                })
                .unwrap_or_default();
            if !p.is_empty() {
                p.push('/');
            }
            p.push_str(&f.rel);
            (p.into_bytes(), false)
        })
        .collect();
    let labels: Vec<Option<Exclusion>> = match &repo {
        Some(r) => r.labels(&rules, &repo_paths),
        None => repo_paths
            .iter()
            .map(|(p, _)| {
                let t = String::from_utf8_lossy(p);
                if rules.is_forced_include(&t) {
                    None
                } else {
                    rules.classify_path(&t)
                }
            })
            .collect(),
    };
    for (f, l) in files.iter_mut().zip(labels) {
        f.excluded = l.map(|e| e.reason());
    }

    let known: HashSet<(String, String)> = match &store {
        Some(s) => s
            .code_metric_keys(ANALYZER_VERSION)
            .map_err(|e| Error::store(format!("reading the store: {e}"), None))?,
        None => HashSet::new(),
    };

    // Read, hash and (when not stored) measure, on every core.
    let threads = if threads == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        threads
    }
    .min(files.len().max(1));
    enum Got {
        Measured(FileMetrics, String, bool),
        Stored(String, bool),
        Unreadable(String),
    }
    let next = AtomicUsize::new(0);
    progress.start("measuring files", files.len() as u64);
    let slots: Mutex<Vec<Option<Got>>> = Mutex::new((0..files.len()).map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                let mut measurer = Measurer::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= files.len() {
                        break;
                    }
                    let f = &files[i];
                    let got = match std::fs::read(&f.abs) {
                        Err(e) => Got::Unreadable(format!("{}: {e}", f.rel)),
                        Ok(bytes) => {
                            let id = blob_id(&bytes).to_string();
                            let marker = has_generated_marker(&bytes);
                            if known.contains(&(id.clone(), f.language.as_str().to_owned())) {
                                Got::Stored(id, marker)
                            } else {
                                let mut m = measurer.measure(f.language, &bytes);
                                m.generated_marker = marker;
                                Got::Measured(m, id, marker)
                            }
                        }
                    };
                    slots.lock().expect("no panics while holding")[i] = Some(got);
                    progress.inc(1);
                }
            });
        }
    });
    progress.finish();
    let slots = slots.into_inner().expect("workers joined");
    let mut reports = Vec::with_capacity(files.len());
    let mut new_rows = Vec::new();
    let mut parsed = 0u64;
    let mut unreadable = 0u64;
    for (f, got) in files.iter().zip(slots) {
        let (metrics, marker) = match got.expect("every slot filled") {
            Got::Unreadable(p) => {
                problems.push(p);
                unreadable += 1;
                continue;
            }
            Got::Measured(m, id, marker) => {
                parsed += 1;
                if store.is_some() {
                    new_rows.push((id, f.language.as_str().to_owned(), m.to_bytes()));
                }
                (m, marker)
            }
            Got::Stored(id, marker) => {
                let data = store
                    .as_ref()
                    .and_then(|s| {
                        s.code_metrics(&id, f.language.as_str(), ANALYZER_VERSION)
                            .ok()
                    })
                    .flatten()
                    .and_then(|d| FileMetrics::from_bytes(&d));
                match data {
                    Some(m) => (m, marker),
                    None => {
                        problems.push(format!("{}: stored measurements unreadable", f.rel));
                        unreadable += 1;
                        continue;
                    }
                }
            }
        };
        let excluded = f.excluded.clone().or_else(|| {
            (marker && !rules.is_forced_include(&f.rel) && rules.defaults_enabled())
                .then(|| Exclusion::GeneratedMarker.reason())
        });
        reports.push(FileReport::new(f.rel.clone(), metrics, excluded));
    }
    if let Some(s) = store.as_mut()
        && !new_rows.is_empty()
    {
        s.put_code_metrics(&new_rows, ANALYZER_VERSION)
            .map_err(|e| Error::store(format!("writing the store: {e}"), None))?;
    }
    let summary = summarise(&reports, parsed, unreadable);
    rank(&mut reports);
    problems.sort();
    Ok(CodeReport {
        root: root.display().to_string(),
        store: db_path.map(|p| p.display().to_string()),
        summary,
        problems,
        files: reports,
    })
}

/// Everything `friction code` reports.
#[derive(Debug, Serialize)]
pub struct CodeReport {
    pub root: String,
    pub store: Option<String>,
    pub summary: CodeSummary,
    pub problems: Vec<String>,
    /// Ranked: least healthy first.
    pub files: Vec<FileReport>,
}
