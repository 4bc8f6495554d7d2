//! `friction assess` and `friction explain`: loads the facts a scan stored,
//! runs the assessment and renders it.

use std::collections::BTreeMap;
use std::path::Path;

use friction_analysis::components::ComponentMap;
use friction_analysis::teams::{CodeOwners, TeamMap};
use friction_assess::{Assessment, Economics, Options};
use friction_code::health;
use friction_code::{ANALYZER_VERSION, FileMetrics};
use friction_history::Config;
use friction_signals::{Change, Commit, Data, File, is_test_path};
use friction_store::{Store, WalkMode};

use crate::hotspots::{MONTH, component_map, open_store, project_config};
use crate::render::date;
use crate::{AssessArgs, ExplainArgs, UserError};

/// CODEOWNERS locations, in GitHub's lookup order.
pub(crate) const CODEOWNERS_PATHS: [&str; 4] = [
    "CODEOWNERS",
    ".github/CODEOWNERS",
    "docs/CODEOWNERS",
    ".gitlab/CODEOWNERS",
];

/// The first CODEOWNERS file of a work tree.
pub(crate) fn find_codeowners(workdir: &Path) -> Option<(String, CodeOwners)> {
    CODEOWNERS_PATHS.iter().find_map(|rel| {
        std::fs::read_to_string(workdir.join(rel))
            .ok()
            .map(|t| ((*rel).to_string(), CodeOwners::parse(&t)))
    })
}

/// The team map of `friction.toml` (`[teams]` and `teams_csv`).
pub(crate) fn team_map(path: &Path, config: &Config) -> Result<TeamMap, UserError> {
    let workdir = friction_history::open(path).ok().and_then(|r| r.workdir());
    let csv_text = match (&config.teams_csv, &workdir) {
        (Some(rel), Some(dir)) => Some(std::fs::read_to_string(dir.join(rel)).map_err(|e| {
            UserError::new(
                format!("teams_csv `{rel}`: {e}"),
                Some("the path is relative to the repository root"),
            )
        })?),
        (Some(rel), None) => {
            return Err(UserError::new(
                format!("teams_csv `{rel}` needs the repository's work tree"),
                Some("run friction on the repository directory"),
            ));
        }
        _ => None,
    };
    TeamMap::new(&config.teams, csv_text.as_deref())
        .map_err(|e| UserError::new(format!("friction.toml: {e}"), None))
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
    pub code_commit: Option<String>,
    pub from: String,
    pub to: String,
}

/// Loads the facts from the store. `Ok(None)` when the store has no history.
pub(crate) fn load(
    store: &Store,
    path: &Path,
    config: &Config,
    months: u32,
    mode: WalkMode,
) -> Result<Option<Loaded>, UserError> {
    let err =
        |e: friction_store::StoreError| UserError::new(format!("reading the store: {e}"), None);
    let Some(last) = store.last_commit_time().map_err(err)? else {
        return Ok(None);
    };
    let from = last - i64::from(months) * MONTH;
    let salt = store.first_commit_id().map_err(err)?.unwrap_or_default();
    let map: ComponentMap = component_map(config)?;
    let fix = FixRules::new(config)?;
    let teams = team_map(path, config)?;
    let workdir = friction_history::open(path).ok().and_then(|r| r.workdir());
    let codeowners = workdir.as_deref().and_then(find_codeowners);

    // Files at the measured commit.
    let code_commit = store.meta("code_head").map_err(err)?;
    let mut files = Vec::new();
    if let Some(commit) = &code_commit {
        for row in store.code_tree(commit).map_err(err)? {
            if row.excluded.is_some() {
                continue;
            }
            let metrics = store
                .code_metrics(&row.blob, &row.language, ANALYZER_VERSION)
                .map_err(err)?
                .and_then(|d| FileMetrics::from_bytes(&d));
            let (health, code_lines) = match &metrics {
                Some(m) => (health::assess(m).score, m.lines.code),
                None => (None, 0),
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

    // Commits and changes over the whole history.
    let rows = store.activity_with(i64::MIN, mode, false).map_err(err)?;
    let messages = store.commit_messages(from).map_err(err)?;
    let mut commits: Vec<Commit> = Vec::new();
    let mut index: BTreeMap<String, u32> = BTreeMap::new();
    let mut changes = Vec::with_capacity(rows.len());
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    for r in rows {
        let idx = match index.get(&r.commit) {
            Some(i) => *i,
            None => {
                let i = commits.len() as u32;
                commits.push(Commit {
                    fix: messages
                        .get(&r.commit)
                        .is_some_and(|(_, _, m)| fix.is_fix(m)),
                    id: r.commit.clone(),
                    time: r.time,
                    author: r.author.clone(),
                });
                index.insert(r.commit.clone(), i);
                i
            }
        };
        names
            .entry(r.author.clone())
            .or_insert_with(|| r.author_name.clone());
        changes.push(Change {
            commit: idx,
            created: r.kind == "added" || r.kind == "copied",
            file_id: r.file_id,
            added: r.lines_added,
            deleted: r.lines_deleted,
            file: None,
            key: 0,
        });
    }
    let teams = (!teams.is_empty()).then(|| {
        names
            .iter()
            .filter_map(|(email, name)| {
                teams
                    .team_of(name, email)
                    .map(|t| (email.clone(), t.to_owned()))
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
        from: date(from),
        to: date(last),
    }))
}

/// The assessment of the store at `path`/`db`, for `scan`, `assess` and `explain`.
pub(crate) fn run_assessment(
    store: &Store,
    path: &Path,
    months: u32,
    mode: WalkMode,
    budget: Option<f64>,
    target: f64,
) -> Result<Option<(Loaded, Assessment)>, UserError> {
    let config = project_config(path)?;
    let options = Options {
        economics: economics(&config)?,
        target_share: target,
        budget_days: budget,
    };
    let Some(loaded) = load(store, path, &config, months, mode)? else {
        return Ok(None);
    };
    let a = friction_assess::assess(&loaded.data, &options);
    Ok(Some((loaded, a)))
}

/// The JSON document: the assessment plus where it came from.
pub(crate) fn json(loaded: &Loaded, a: &Assessment) -> String {
    let mut v = serde_json::to_value(a).unwrap_or_default();
    if let Some(o) = v.as_object_mut() {
        o.insert("tool_version".into(), env!("CARGO_PKG_VERSION").into());
        o.insert(
            "commit".into(),
            loaded
                .code_commit
                .clone()
                .map_or(serde_json::Value::Null, Into::into),
        );
        o.insert("window_from".into(), loaded.from.clone().into());
        o.insert("window_to".into(), loaded.to.clone().into());
    }
    serde_json::to_string_pretty(&v).unwrap_or_default()
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
    let (store, _) = open_store(args.path.clone(), args.db.clone())?;
    let Some((loaded, a)) = run_assessment(
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
    let Some((loaded, a)) = run_assessment(
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
