//! Static code measurement: `friction code [PATH]` and the HEAD measurement of
//! `friction scan`.
//!
//! Both paths share one rule: measurements are looked up by (git blob id,
//! language, analyzer version) before anything is parsed, and whatever is
//! measured is written back when a store is at hand. So an unchanged file is
//! parsed once, across scans, commits and work trees.

use std::collections::{BTreeMap, HashSet};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use friction_code::health::{self, Band, Finding, METHODOLOGY_VERSION};
use friction_code::{ANALYZER_VERSION, FileMetrics, Flag, Language, Measurer, Method};
use friction_history::classify::has_generated_marker;
use friction_history::config::HistoryConfig;
use friction_history::{Config, ExclusionRules, ObjectId, Repo, blob_id};
use friction_model::Exclusion;
use friction_store::{CodeTreeRow, Store};
use serde::Serialize;

use crate::{CodeArgs, UserError};

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

/// Measures HEAD's tree for `friction scan`, reusing stored measurements by blob id.
pub fn measure_head(
    repo: &Repo,
    store: &mut Store,
    rules: &ExclusionRules,
    threads: usize,
    quiet: bool,
) -> Result<Option<HeadCode>, String> {
    let commit = match repo.head_commit() {
        Ok(c) => c,
        Err(friction_history::HistoryError::NoCommits) => return Ok(None),
        Err(e) => return Err(e.to_string()),
    };
    measure_tree(repo, store, rules, threads, quiet, commit, true).map(Some)
}

/// Health and code lines per (blob id, language) measured in this process.
/// A scan measures `HEAD`, then its assessment and hotspot summary read the
/// same files: each stored measurement is decoded once, not three times.
/// Keyed like the store (the analyzer version is this binary's), so a hit
/// equals decoding the stored measurement again.
pub(crate) fn file_health(blob: &str, language: &str) -> Option<(Option<f64>, u32)> {
    health_memo()
        .lock()
        .ok()?
        .get(&(blob.to_owned(), language.to_owned()))
        .copied()
}

type HealthMemo = std::sync::Mutex<std::collections::HashMap<(String, String), (Option<f64>, u32)>>;

fn health_memo() -> &'static HealthMemo {
    static MEMO: std::sync::OnceLock<HealthMemo> = std::sync::OnceLock::new();
    MEMO.get_or_init(Default::default)
}

/// Measures `commit`'s tree, reusing stored measurements by blob id, and records
/// it; `head` makes it the tree analyses read.
pub fn measure_tree(
    repo: &Repo,
    store: &mut Store,
    rules: &ExclusionRules,
    threads: usize,
    quiet: bool,
    commit: ObjectId,
    head: bool,
) -> Result<HeadCode, String> {
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
    let progress = crate::scan::progress_bar(quiet, ids.len() as u64, "measuring files");
    let results = repo.map_blobs(&ids, threads, |i, bytes| {
        let mut m = MEASURER.with(|m| m.borrow_mut().measure(todo[i].1, bytes));
        m.generated_marker = has_generated_marker(bytes);
        progress.inc(1);
        m
    });
    progress.finish_and_clear();
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
    let mut memo = health_memo()
        .lock()
        .map_err(|_| "a measuring thread failed".to_owned())?;
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
        memo.insert(
            (
                tree_rows[tree_rows.len() - 1].blob.clone(),
                l.as_str().to_owned(),
            ),
            (report.health, report.lines.code),
        );
        reports.push(report);
    }
    drop(memo);
    store
        .put_code_tree_as(&commit.to_string(), &tree_rows, head)
        .map_err(|e| e.to_string())?;
    let summary = summarise(&reports, parsed, unreadable);
    rank(&mut reports);
    let least_healthy = reports
        .iter()
        .filter(|r| r.excluded.is_none())
        .filter_map(|r| r.health.map(|h| (r.path.clone(), h)))
        .filter(|(_, h)| *h < health::HEALTHY_FROM)
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

/// Runs `friction code`.
pub fn run(args: &CodeArgs) -> Result<u8, UserError> {
    if args.methodology {
        print!("{}", health::methodology_markdown());
        return Ok(0);
    }
    let started = std::time::Instant::now();
    let root = args.path.clone();
    if !root.exists() {
        return Err(UserError::new(
            format!("{} does not exist", root.display()),
            Some("give a directory or a source file"),
        ));
    }
    let root = std::fs::canonicalize(&root).unwrap_or(root);
    let repo = friction_history::open(&root).ok();

    // Exclusion rules: friction.toml of the repository, else the defaults.
    let history_config: HistoryConfig =
        match repo.as_ref().map(Repo::config_text) {
            Some(Ok(Some((origin, text)))) => Config::parse(&text)
                .map_err(|e| {
                    UserError::new(
                        format!("{origin} is not valid: {}", e.message().trim()),
                        Some("see the `friction.toml` section of the README for the accepted keys"),
                    )
                })?
                .history,
            _ => HistoryConfig::default(),
        };
    let rules = ExclusionRules::new(&history_config)
        .map_err(|e| UserError::new(format!("friction.toml: {e}"), None))?;

    // A store: the one given, or the repository's if it already exists.
    let db_path = args.db.clone().or_else(|| {
        let repo = repo.as_ref()?;
        let p = repo
            .workdir()
            .unwrap_or_else(|| repo.git_dir())
            .join(".friction")
            .join("friction.db");
        p.exists().then_some(p)
    });
    // Measurements are written to the store: one writer at a time.
    if let Some(p) = &db_path {
        Store::probe(p).map_err(|e| crate::hotspots::store_open_error(p, &e))?;
    }
    let _lock = match &db_path {
        Some(p) => Some(crate::lock::lock(p, args.quiet)?),
        None => None,
    };
    let mut store = match &db_path {
        Some(p) => Some(Store::open(p).map_err(|e| crate::hotspots::store_open_error(p, &e))?),
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
            .connection()
            .prepare("SELECT blob, language FROM code_metrics WHERE analyzer = $1")
            .and_then(|mut st| {
                st.query_map([ANALYZER_VERSION], |r| Ok((r.get(0)?, r.get(1)?)))?
                    .collect::<Result<HashSet<_>, _>>()
            })
            .map_err(|e| UserError::new(format!("reading the store: {e}"), None))?,
        None => HashSet::new(),
    };

    // Read, hash and (when not stored) measure, on every core.
    let threads = if args.threads == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        args.threads
    }
    .min(files.len().max(1));
    enum Got {
        Measured(FileMetrics, String, bool),
        Stored(String, bool),
        Unreadable(String),
    }
    let next = AtomicUsize::new(0);
    let progress = crate::scan::progress_bar(args.quiet, files.len() as u64, "measuring files");
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
    progress.finish_and_clear();
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
            .map_err(|e| UserError::new(format!("writing the store: {e}"), None))?;
    }
    let summary = summarise(&reports, parsed, unreadable);
    rank(&mut reports);
    problems.sort();
    let report = CodeReport {
        root: root.display().to_string(),
        store: db_path.map(|p| p.display().to_string()),
        summary,
        problems,
        files: reports,
    };
    let limit = if args.all { usize::MAX } else { args.limit };
    if args.json {
        println!("{}", json(&report, limit));
    } else if args.csv {
        print!("{}", csv(&report, limit, args.functions));
    } else {
        print!("{}", text(&report, limit));
    }
    if !args.quiet && !args.json && !args.csv || (!args.quiet && std::io::stderr().is_terminal()) {
        eprintln!(
            "measured {} files ({} parsed, {} from the store) in {:.2} s",
            report.summary.files,
            report.summary.parsed,
            report.summary.reused,
            started.elapsed().as_secs_f64()
        );
    }
    Ok(if report.summary.unreadable > 0 { 1 } else { 0 })
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

#[derive(Serialize)]
struct JsonCode<'a> {
    schema: &'static str,
    methodology: &'static str,
    analyzer: u32,
    root: &'a str,
    store: &'a Option<String>,
    summary: &'a CodeSummary,
    problems: &'a [String],
    /// Whether `files` lists every file or only the least healthy.
    complete: bool,
    files: Vec<&'a FileReport>,
}

pub fn json(report: &CodeReport, limit: usize) -> String {
    let ranked: Vec<&FileReport> = report
        .files
        .iter()
        .filter(|f| f.excluded.is_none() || limit == usize::MAX)
        .take(limit)
        .collect();
    let value = JsonCode {
        schema: "friction.code/1",
        methodology: METHODOLOGY_VERSION,
        analyzer: ANALYZER_VERSION,
        root: &report.root,
        store: &report.store,
        summary: &report.summary,
        problems: &report.problems,
        complete: ranked.len() == report.files.len(),
        files: ranked,
    };
    let sorted: serde_json::Value = serde_json::to_value(&value).unwrap_or_default();
    serde_json::to_string_pretty(&sorted).unwrap_or_default()
}

fn opt(x: Option<f64>) -> String {
    x.map(|v| format!("{v:.2}")).unwrap_or_default()
}

pub fn csv(report: &CodeReport, limit: usize, functions: bool) -> String {
    let files = report
        .files
        .iter()
        .filter(|f| f.excluded.is_none() || limit == usize::MAX)
        .take(limit);
    if functions {
        let mut rows: Vec<Vec<String>> = Vec::new();
        for f in files {
            for func in &f.functions {
                let smells: Vec<&str> = f
                    .findings
                    .iter()
                    .filter(|x| {
                        x.function.as_deref() == Some(func.qualified_name.as_str())
                            && x.line == func.start_line
                    })
                    .map(|x| x.smell)
                    .collect();
                rows.push(vec![
                    f.path.clone(),
                    func.qualified_name.clone(),
                    func.start_line.to_string(),
                    func.end_line.to_string(),
                    func.nloc.to_string(),
                    func.cyclomatic.to_string(),
                    func.cognitive.to_string(),
                    func.max_nesting.to_string(),
                    func.parameters.to_string(),
                    func.exits.to_string(),
                    smells.join(";"),
                ]);
            }
        }
        return friction_report::csv_text(
            &[
                "path",
                "function",
                "start_line",
                "end_line",
                "nloc",
                "cyclomatic",
                "cognitive",
                "max_nesting",
                "parameters",
                "exits",
                "smells",
            ],
            rows,
        );
    }
    let mut rows: Vec<Vec<String>> = Vec::new();
    for f in files {
        let mut smells: Vec<&str> = f.findings.iter().map(|x| x.smell).collect();
        smells.dedup();
        let flags: Vec<String> = f.flags.iter().map(flag_name).collect();
        rows.push(vec![
            f.path.clone(),
            f.language.as_str().to_owned(),
            method_name(f.method).to_owned(),
            opt(f.health),
            f.band.map(Band::as_str).unwrap_or_default().to_owned(),
            f.excluded.clone().unwrap_or_default(),
            f.lines.code.to_string(),
            f.lines.comment.to_string(),
            f.lines.blank.to_string(),
            f.function_count.to_string(),
            f.cyclomatic_total.to_string(),
            format!("{:.2}", f.cyclomatic_mean),
            f.cyclomatic_max.to_string(),
            f.duplicated_lines.to_string(),
            smells.join(";"),
            flags.join(";"),
        ]);
    }
    friction_report::csv_text(
        &[
            "path",
            "language",
            "method",
            "health",
            "band",
            "excluded",
            "code_lines",
            "comment_lines",
            "blank_lines",
            "functions",
            "cyclomatic_total",
            "cyclomatic_mean",
            "cyclomatic_max",
            "duplicated_lines",
            "smells",
            "flags",
        ],
        rows,
    )
}

fn method_name(m: Method) -> &'static str {
    match m {
        Method::TreeSitter => "tree-sitter",
        Method::Fallback => "fallback",
        Method::Skipped => "skipped",
    }
}

fn flag_name(f: &Flag) -> String {
    match f {
        Flag::Binary => "binary".into(),
        Flag::TooLarge { .. } => "too-large".into(),
        Flag::Minified => "minified".into(),
        Flag::NonUtf8 => "non-utf8".into(),
        Flag::SyntaxErrors { count, first_line } => {
            format!("syntax-errors({count} from line {first_line})")
        }
        Flag::Fallback => "fallback".into(),
    }
}

/// Strips control characters (terminal escapes, bidi overrides) from
/// repository-controlled text before it reaches a terminal.
pub fn clean(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control()
                || ('\u{202a}'..='\u{202e}').contains(&c)
                || ('\u{2066}'..='\u{2069}').contains(&c)
            {
                '?'
            } else {
                c
            }
        })
        .collect()
}

fn truncate(s: &str, width: usize) -> String {
    let s = clean(s);
    if s.chars().count() <= width {
        s
    } else {
        let tail: String = s
            .chars()
            .rev()
            .take(width - 1)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        format!("…{tail}")
    }
}

pub fn text(report: &CodeReport, limit: usize) -> String {
    let s = &report.summary;
    let mut out = String::new();
    out.push_str(&format!("friction code · {}\n", clean(&report.root)));
    out.push_str(&format!(
        "  files         {} source files: {} parsed, {} by the line-based fallback, {} binary, {} excluded (vendored/generated)\n",
        s.files, s.tree_sitter, s.fallback, s.skipped, s.excluded
    ));
    out.push_str(&format!(
        "  code          {} lines of code in {} functions\n",
        s.code_lines, s.functions
    ));
    match s.average_health {
        Some(h) => out.push_str(&format!(
            "  health        {:.1} average (lines-weighted), worst {:.1}; code lines healthy {:.1} %, warning {:.1} %, alert {:.1} %\n",
            h,
            s.worst_health.unwrap_or(h),
            s.healthy_code_pct,
            s.warning_code_pct,
            s.alert_code_pct
        )),
        None => out.push_str("  health        not measured (no source files)\n"),
    }
    out.push_str(&format!(
        "  files by band {} healthy (≥ 9), {} warning (4–9), {} alert (< 4) · methodology {METHODOLOGY_VERSION}\n",
        s.healthy_files, s.warning_files, s.alert_files
    ));
    if s.with_syntax_errors > 0 {
        out.push_str(&format!(
            "  note          {} files have syntax errors; what parsed was measured\n",
            s.with_syntax_errors
        ));
    }
    let ranked: Vec<&FileReport> = report
        .files
        .iter()
        .filter(|f| f.excluded.is_none() && f.health.is_some_and(|h| h < 10.0))
        .take(limit.min(20))
        .collect();
    if ranked.is_empty() {
        out.push_str("\nNo smells found.\n");
    } else {
        out.push_str("\nLeast healthy files\n");
        out.push_str(&format!(
            "  {:>6}  {:<7}  {:>6}  {:>5}  {:<44}  {}\n",
            "health", "band", "code", "maxCC", "file", "points lost to"
        ));
        for f in &ranked {
            let mut lost: BTreeMap<&str, f64> = BTreeMap::new();
            for x in &f.findings {
                *lost.entry(x.smell).or_default() += x.points;
            }
            let mut lost: Vec<(&str, f64)> = lost.into_iter().collect();
            lost.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
            let why: Vec<String> = lost
                .iter()
                .take(3)
                .map(|(k, v)| format!("{k} −{v:.1}"))
                .collect();
            out.push_str(&format!(
                "  {:>6.1}  {:<7}  {:>6}  {:>5}  {:<44}  {}\n",
                f.health.unwrap_or(0.0),
                f.band.map(Band::as_str).unwrap_or(""),
                f.lines.code,
                f.cyclomatic_max,
                truncate(&f.path, 44),
                why.join(", ")
            ));
        }
    }
    // One file: every finding, with the points it cost.
    if report.files.len() == 1 {
        let f = &report.files[0];
        if !f.findings.is_empty() {
            out.push_str(&format!(
                "\nWhy {} scores {:.1}: every smell and the points it cost\n",
                clean(&f.path),
                f.health.unwrap_or(0.0)
            ));
            out.push_str(&format!(
                "  {:>6}  {:<20}  {:>8}  {:>9}  {}\n",
                "points", "smell", "value", "threshold", "where"
            ));
            for x in &f.findings {
                let place = match &x.function {
                    Some(func) => format!("{} (line {})", truncate(func, 50), x.line),
                    None => "whole file".to_owned(),
                };
                out.push_str(&format!(
                    "  {:>6.2}  {:<20}  {:>8}  {:>9}  {}\n",
                    -x.points, x.smell, x.value, x.threshold, place
                ));
            }
        }
    }
    // The worst functions across the ranked files.
    let mut funcs: Vec<(&FileReport, &friction_code::FunctionMetrics)> = report
        .files
        .iter()
        .filter(|f| f.excluded.is_none())
        .flat_map(|f| f.functions.iter().map(move |g| (f, g)))
        .filter(|(_, g)| {
            g.cyclomatic > health::COMPLEX_METHOD.threshold as u32 || g.max_nesting > 3
        })
        .collect();
    funcs.sort_by(|a, b| {
        b.1.cognitive
            .cmp(&a.1.cognitive)
            .then(b.1.cyclomatic.cmp(&a.1.cyclomatic))
            .then(a.0.path.cmp(&b.0.path))
            .then(a.1.start_line.cmp(&b.1.start_line))
    });
    if !funcs.is_empty() {
        out.push_str("\nMost complex functions\n");
        out.push_str(&format!(
            "  {:>4}  {:>4}  {:>4}  {:>5}  {}\n",
            "cog", "CC", "nest", "lines", "function (file:line)"
        ));
        for (f, g) in funcs.iter().take(limit.min(10)) {
            out.push_str(&format!(
                "  {:>4}  {:>4}  {:>4}  {:>5}  {} ({}:{})\n",
                g.cognitive,
                g.cyclomatic,
                g.max_nesting,
                g.nloc,
                truncate(&g.qualified_name, 60),
                truncate(&f.path, 60),
                g.start_line
            ));
        }
    }
    if !report.problems.is_empty() {
        out.push_str(&format!(
            "\n{} files could not be read:\n",
            report.problems.len()
        ));
        for p in report.problems.iter().take(5) {
            out.push_str(&format!("  {}\n", clean(p)));
        }
    }
    out
}
