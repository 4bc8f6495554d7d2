//! `friction assess` and `friction explain`: loads the facts a scan stored,
//! runs the assessment and renders it.

use std::collections::BTreeMap;
use std::path::Path;

use friction_analysis::components::ComponentMap;
use friction_analysis::teams::{CodeOwners, TeamMap, TeamOverlap};

use friction_assess::{Assessment, Economics, Options};
use friction_code::health;
use friction_code::{ANALYZER_VERSION, FileMetrics};
use friction_history::Config;
use friction_signals::{Change, Commit, Data, File, is_test_path};
use friction_store::{Store, WalkMode};

use crate::hotspots::{MONTH, component_map, open_store};
use crate::render::date;
use crate::{AssessArgs, ExplainArgs, UserError};

/// CODEOWNERS locations, in GitHub's lookup order.
pub(crate) const CODEOWNERS_PATHS: [&str; 4] = [
    "CODEOWNERS",
    ".github/CODEOWNERS",
    "docs/CODEOWNERS",
    ".gitlab/CODEOWNERS",
];

/// The first CODEOWNERS file in `commit`'s tree (default `HEAD`), never the
/// work tree: uncommitted files do not count.
pub(crate) fn committed_codeowners(
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

/// Recognises fix commits: the built-in fix words and `[assessment] fix_patterns`.
pub(crate) struct FixRules {
    words: bool,
    patterns: Vec<regex::Regex>,
}

impl FixRules {
    pub(crate) fn new(config: &Config) -> Result<FixRules, UserError> {
        let mut patterns = Vec::new();
        for p in &config.assessment.fix_patterns {
            patterns.push(
                regex::RegexBuilder::new(p)
                    .case_insensitive(true)
                    .multi_line(true)
                    .build()
                    .map_err(|e| {
                        UserError::new(
                            format!("friction.toml: [assessment] fix_patterns `{p}` is not a valid regular expression: {e}"),
                            Some("patterns use Rust regex syntax (docs.rs/regex)"),
                        )
                    })?,
            );
        }
        Ok(FixRules {
            words: config.assessment.default_fix_words,
            patterns,
        })
    }

    pub(crate) fn is_fix(&self, message: &str) -> bool {
        (self.words && friction_analysis::backtest::is_fix(message))
            || self.patterns.iter().any(|p| p.is_match(message))
    }
}

/// The economics of `friction.toml`.
pub(crate) fn economics(config: &Config) -> Result<Economics, UserError> {
    let e = &config.economics;
    let bad = |what: &str| {
        Err(UserError::new(
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
pub(crate) struct Loaded {
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
}

impl Loaded {
    /// The commit a snapshot of this state names: the measured one, else the
    /// newest reachable.
    pub(crate) fn snapshot_commit(&self) -> &str {
        self.code_commit.as_deref().unwrap_or(&self.tip)
    }
}

/// The stored history, read once (a back-fill assesses many dates from it).
pub(crate) struct History {
    facts: friction_store::Facts,
    /// Messages of commits from `messages_since` on (fix detection).
    messages: BTreeMap<String, (String, i64, String)>,
    messages_since: i64,
}

impl History {
    /// Reads the counted changes and the commit graph.
    pub(crate) fn read(store: &Store, mode: WalkMode) -> Result<History, UserError> {
        let facts = store
            .facts(mode)
            .map_err(|e| UserError::new(format!("reading the store: {e}"), None))?;
        crate::timing::phase("read history");
        Ok(History {
            facts,
            messages: BTreeMap::new(),
            messages_since: i64::MAX,
        })
    }

    /// The totals a scan reports (see [`friction_store::Facts::summary`]).
    pub(crate) fn summary(&self) -> friction_store::HistorySummary {
        self.facts.summary()
    }

    /// Makes sure the messages of commits from `since` on are read.
    fn need_messages(&mut self, store: &Store, since: i64) -> Result<(), UserError> {
        if since < self.messages_since {
            self.messages = store
                .commit_messages(since)
                .map_err(|e| UserError::new(format!("reading the store: {e}"), None))?;
            self.messages_since = since;
        }
        Ok(())
    }

    /// The author time of a stored commit.
    pub(crate) fn time_of(&self, id: &str) -> Option<i64> {
        self.facts
            .commit_index(id)
            .map(|i| self.facts.commits[i as usize].time)
    }

    /// Which stored commits are reachable from `tip` through stored parents (the
    /// set a scan of `tip` would have stored), by index; `None` when that is every
    /// stored commit.
    pub(crate) fn reachable(&self, tip: &str) -> Option<Vec<bool>> {
        let commits = &self.facts.commits;
        let mut seen = vec![false; commits.len()];
        let mut count = 0;
        let mut stack: Vec<u32> = self.facts.commit_index(tip).into_iter().collect();
        while let Some(c) = stack.pop() {
            if std::mem::replace(&mut seen[c as usize], true) {
                continue;
            }
            count += 1;
            stack.extend(&commits[c as usize].parents);
        }
        (count != commits.len()).then_some(seen)
    }
}

/// What the assessment reads besides the store: the configuration and the
/// input files, with their content (kept in snapshots for re-scoring).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Inputs {
    /// (origin, text) of friction.toml.
    pub config: Option<(String, String)>,
    /// (path, text) of CODEOWNERS.
    pub codeowners: Option<(String, String)>,
    /// (path, text) of the teams CSV.
    pub teams_csv: Option<(String, String)>,
}

impl Inputs {
    /// The inputs of the repository at `path`, read from the tree of `at`
    /// (default `HEAD`) — never from the work tree, so uncommitted files do
    /// not change an assessment. `None` when there is no repository (a store
    /// given with `--db` only).
    pub(crate) fn read(path: &Path, at: Option<&str>) -> Result<Inputs, UserError> {
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
            Err(e) => return Err(UserError::new(e.to_string(), None)),
        };
        let codeowners = commit.and_then(|c| committed_codeowners(&repo, Some(c)));
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
                    return Err(UserError::new(
                        format!("teams_csv `{rel}` is not in HEAD's tree"),
                        Some("the path is relative to the repository root; commit the file"),
                    ));
                }
            },
            None => None,
        };
        // Stored under its name in the repository, so snapshots of clones agree.
        let config = config.map(|(_, text)| (friction_history::CONFIG_FILE_NAME.to_owned(), text));
        Ok(Inputs {
            config,
            codeowners,
            teams_csv,
        })
    }

    pub(crate) fn config(&self) -> Result<Config, UserError> {
        match &self.config {
            Some((origin, text)) => parse_config(origin, text),
            None => Ok(Config::default()),
        }
    }
}

fn parse_config(origin: &str, text: &str) -> Result<Config, UserError> {
    Config::parse(text).map_err(|e| {
        UserError::new(
            format!("{origin} is not valid: {}", e.message().trim()),
            Some("see the `friction.toml` section of the README for the accepted keys"),
        )
    })
}

/// Loads the facts as a scan of `at` (default: everything stored, and the
/// measured HEAD) would have them. `Ok(None)` when there is no history.
pub(crate) fn load(
    store: &Store,
    history: &mut History,
    inputs: &Inputs,
    months: u32,
    at: Option<&str>,
) -> Result<Option<Loaded>, UserError> {
    load_with(store, history, inputs, months, at, true)
}

/// As [`load`]; `code: false` leaves code health out even when the tree of
/// `at` was measured (re-scoring a snapshot that had none).
pub(crate) fn load_with(
    store: &Store,
    history: &mut History,
    inputs: &Inputs,
    months: u32,
    at: Option<&str>,
    code: bool,
) -> Result<Option<Loaded>, UserError> {
    let err =
        |e: friction_store::StoreError| UserError::new(format!("reading the store: {e}"), None);
    let config = inputs.config()?;
    let reachable = at.and_then(|c| history.reachable(c));
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
    let teams = TeamMap::new(
        &config.teams,
        inputs.teams_csv.as_ref().map(|(_, t)| t.as_str()),
    )
    .map_err(|e| UserError::new(format!("friction.toml: {e}"), None))?;
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
        for row in store.code_tree(commit).map_err(err)? {
            if row.excluded.is_some() {
                continue;
            }
            let (health, code_lines) = match crate::code::file_health(&row.blob, &row.language) {
                Some(known) => known,
                None => match store
                    .code_metrics(&row.blob, &row.language, ANALYZER_VERSION)
                    .map_err(err)?
                    .and_then(|d| FileMetrics::from_bytes(&d))
                {
                    Some(m) => (health::assess(&m).score, m.lines.code),
                    None => (None, 0),
                },
            };
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
                commits.push(Commit {
                    fix: stored.time >= from
                        && history
                            .messages
                            .get(&stored.id)
                            .is_some_and(|(_, _, m)| fix.is_fix(m)),
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
    let data = Data::new(
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
    Ok(Some(Loaded {
        data,
        code_commit,
        tip,
        as_of: last,
        from: date(from),
        to: date(last),
        facts_sha256: std::sync::OnceLock::new(),
        team_overlaps,
    }))
}

/// The options of `friction.toml` and the command line.
pub(crate) fn options(
    inputs: &Inputs,
    budget: Option<f64>,
    target: f64,
) -> Result<Options, UserError> {
    Ok(Options {
        economics: economics(&inputs.config()?)?,
        target_share: target,
        budget_days: budget,
    })
}

/// The assessment of the store's current state, for `assess` and `explain`.
pub(crate) fn run_assessment(
    store: &Store,
    path: &Path,
    months: u32,
    mode: WalkMode,
    budget: Option<f64>,
    target: f64,
) -> Result<Option<(Loaded, Assessment, Inputs)>, UserError> {
    let inputs = Inputs::read(path, None)?;
    let options = options(&inputs, budget, target)?;
    let mut history = History::read(store, mode)?;
    let Some(loaded) = load(store, &mut history, &inputs, months, None)? else {
        return Ok(None);
    };
    let a = friction_assess::assess(&loaded.data, &options);
    Ok(Some((loaded, a, inputs)))
}

/// The JSON document: the assessment plus where it came from.
pub(crate) fn json(loaded: &Loaded, a: &Assessment) -> String {
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

fn check_args(months: u32, target: f64, budget: Option<f64>) -> Result<(), UserError> {
    if months == 0 {
        return Err(UserError::new("--months must be at least 1", None));
    }
    if !(target > 0.0 && target <= 1.0) {
        return Err(UserError::new(
            "--target must be a share between 0 and 1",
            Some("for example --target 0.8 for 80 % of the addressable cost"),
        ));
    }
    if budget.is_some_and(|b| !(b.is_finite() && b > 0.0)) {
        return Err(UserError::new(
            "--budget must be a positive number of person-days",
            None,
        ));
    }
    Ok(())
}

fn mode(first_parent: bool) -> WalkMode {
    if first_parent {
        WalkMode::FirstParent
    } else {
        WalkMode::Full
    }
}

pub fn run(args: &AssessArgs) -> Result<u8, UserError> {
    check_args(args.months, args.target, args.budget)?;
    let (store, db) = open_store(args.path.clone(), args.db.clone())?;
    crate::hotspots::require_view(&store, &db, mode(args.first_parent))?;
    let Some((loaded, a, _)) = run_assessment(
        &store,
        &args.path,
        args.months,
        mode(args.first_parent),
        args.budget,
        args.target,
    )?
    else {
        return Err(UserError::new(
            "the store has no history yet",
            Some("run `friction scan` on the repository first"),
        ));
    };
    if args.json {
        println!("{}", json(&loaded, &a));
    } else {
        print!("{}", crate::render_assess::text(&loaded, &a, args.limit));
    }
    Ok(0)
}

pub fn explain(args: &ExplainArgs) -> Result<u8, UserError> {
    let Some(signal) = friction_signals::find(&args.signal) else {
        let ids: Vec<&str> = friction_signals::REGISTRY.iter().map(|s| s.id()).collect();
        return Err(UserError::new(
            format!("no signal `{}`", args.signal),
            Some(&format!("signals: {}", ids.join(", "))),
        ));
    };
    print!(
        "{}",
        friction_assess::methodology::signal_markdown(signal).trim_start()
    );
    // The current evidence, when the repository has been scanned.
    let store = match open_store(args.path.clone(), args.db.clone()) {
        Ok((s, _)) => s,
        Err(e) => {
            println!("\nNo current evidence: {}.", e.message);
            return Ok(0);
        }
    };
    let Some((loaded, a, _)) = run_assessment(
        &store,
        &args.path,
        12,
        WalkMode::Full,
        None,
        friction_assess::methodology::DEFAULT_TARGET_SHARE,
    )?
    else {
        println!("\nNo current evidence: the store has no history yet.");
        return Ok(0);
    };
    print!(
        "{}",
        crate::render_assess::explain(&loaded, &a, signal.id())
    );
    Ok(0)
}
