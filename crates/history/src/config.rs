//! `friction.toml`: the optional project configuration.
//!
//! Every key has a documented default, so a repository without the file scans the
//! same as one with an empty file. Unknown keys are errors: a typo must never be a
//! silently ignored setting.

use std::collections::BTreeMap;

use serde::Deserialize;

/// The file name looked up at the root of the scanned repository.
pub const CONFIG_FILE_NAME: &str = "friction.toml";

/// The whole configuration file.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Settings for history mining.
    #[serde(default)]
    pub history: HistoryConfig,
    /// `[components]`: component name → path globs (gitignore-like). Without
    /// it, each top-level directory is a component.
    #[serde(default)]
    pub components: BTreeMap<String, Vec<String>>,
    /// `[teams]`: team name → author names or e-mail globs (`*@payments.example.com`).
    #[serde(default)]
    pub teams: BTreeMap<String, Vec<String>>,
    /// A CSV of `author,team` rows (code-maat's format), relative to the repository root.
    #[serde(default)]
    pub teams_csv: Option<String>,
    /// `[economics]`: what an engineering hour costs, for the cost model.
    #[serde(default)]
    pub economics: EconomicsConfig,
    /// `[assessment]`: how the assessment recognises fixes and sizes the roadmap.
    #[serde(default)]
    pub assessment: AssessmentConfig,
    /// `[ai]`: how AI-assisted commits are recognised beyond the built-in
    /// marks, and the horizons of the AI-assisted-change signals.
    #[serde(default)]
    pub ai: AiConfig,
    /// `[check]`: what `friction check` lets through.
    #[serde(default)]
    pub check: CheckConfig,
    /// `[portfolio]`: the repositories `friction scan --portfolio` assesses together.
    #[serde(default)]
    pub portfolio: PortfolioConfig,
    /// `[inputs]`: exports beyond git that every `friction scan` ingests.
    #[serde(default)]
    pub inputs: InputsConfig,
    /// `[execution]`: how work items are linked to the history and judged
    /// (execution verification).
    #[serde(default)]
    pub execution: ExecutionConfig,
    /// `[services]`: incident, SLO and alert service names (or ids) →
    /// this repository (`"."`), component names or path patterns
    /// (`friction_model::services`).
    #[serde(default)]
    pub services: BTreeMap<String, Vec<String>>,
}

/// `[execution]`: execution verification's settings; an absent key takes
/// the default the methodology documents.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ExecutionConfig {
    /// Extra regular expressions finding work-item keys in commit messages
    /// (the first capture group, else the whole match, is the key).
    #[serde(default)]
    pub key_patterns: Vec<String>,
    /// Issue types and labels that need no code (default: epic, spike,
    /// question, research, design; labels no-code, question,
    /// documentation-only).
    #[serde(default)]
    pub no_code_types: Option<Vec<String>>,
    #[serde(default)]
    pub no_code_labels: Option<Vec<String>>,
    /// Days in progress without linked activity before an item is stale (14).
    #[serde(default)]
    pub stale_days: Option<u32>,
    /// The working day in the author's own time, `[start, end)` hours (8, 19).
    #[serde(default)]
    pub work_hours: Option<[u32; 2]>,
    /// Team → the work-item team, component or project values that belong to it.
    #[serde(default)]
    pub teams: BTreeMap<String, Vec<String>>,
}

/// `[inputs]`: CI, pull-request, test and coverage exports read into the
/// store before each assessment (`friction ingest` reads them on demand).
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct InputsConfig {
    /// Files, directories or globs (`ci/*.json`, `**` across directories),
    /// relative to the repository root unless absolute.
    #[serde(default)]
    pub paths: Vec<String>,
    /// The repository the exports' records belong to, as the records name
    /// it (`github:owner/name`, `gitlab:12345678`). Without it: the one
    /// matching the `origin` remote, else the only repository the stored
    /// exports name.
    #[serde(default)]
    pub scope: Option<String>,
    /// Tags that count as production deployments when no deployment export
    /// is stored (a glob such as `v*`; labelled *inferred* in reports).
    #[serde(default)]
    pub deploy_tags: Option<String>,
    /// The directory of Markdown runbooks alerts link to (default:
    /// `runbooks/`, else `docs/runbooks/`), read from the assessed commit.
    #[serde(default)]
    pub runbooks: Option<String>,
}

/// `[check]`: the thresholds of the CI gate, in index points (0–100).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CheckConfig {
    /// The gate fails when the index drops by more than this many points.
    #[serde(default = "default_max_drop")]
    pub max_drop: f64,
    /// Per driver family (`delivery`, `reliability`, `security`, `operations`,
    /// `team-execution`): the largest drop of that driver's score let through.
    #[serde(default)]
    pub drivers: BTreeMap<String, f64>,
    /// The baseline when `--baseline` is not given: a snapshot (`latest`, an
    /// id, a date) or a git revision such as `origin/main`.
    #[serde(default)]
    pub baseline: Option<String>,
}

impl Default for CheckConfig {
    fn default() -> Self {
        CheckConfig {
            max_drop: default_max_drop(),
            drivers: BTreeMap::new(),
            baseline: None,
        }
    }
}

/// Two points: about the width of a typical 90 % bootstrap interval of the
/// index on a mid-sized repository, so noise alone rarely fails the gate.
fn default_max_drop() -> f64 {
    2.0
}

/// `[portfolio]`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PortfolioConfig {
    /// Organisation name shown at the top of the roll-up.
    #[serde(default)]
    pub organisation: Option<String>,
    /// Repositories scanned at once (0 = one per core).
    #[serde(default)]
    pub parallel: usize,
    /// The repositories.
    #[serde(default)]
    pub repositories: Vec<PortfolioEntry>,
}

/// `[[portfolio.repositories]]`: one repository of the portfolio.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PortfolioEntry {
    /// Unique name in reports.
    pub name: String,
    /// Path to the repository, relative to the directory holding friction.toml.
    pub path: String,
    /// Product the repository belongs to.
    #[serde(default)]
    pub product: Option<String>,
    /// Domain the product belongs to.
    #[serde(default)]
    pub domain: Option<String>,
    /// Store for this repository's facts (default: its `.friction/friction.db`).
    #[serde(default)]
    pub db: Option<String>,
}

/// `[economics]`. Without `hourly_cost` the cost model reports engineer-hours
/// only: money is never guessed.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct EconomicsConfig {
    /// Loaded cost of one engineer-hour (salary, overhead), in `currency`.
    #[serde(default)]
    pub hourly_cost: Option<f64>,
    /// ISO 4217 code or symbol shown beside money figures.
    #[serde(default = "default_currency")]
    pub currency: String,
    /// Working hours of one full-time engineer per year.
    #[serde(default = "default_hours_per_year")]
    pub hours_per_year: f64,
    /// Engineers working on the repository (full-time equivalents). Without it,
    /// the team size is estimated from the authors active in the window.
    #[serde(default)]
    pub engineers: Option<f64>,
    /// Share of engineering time spent changing code, as `[low, high]`.
    #[serde(default = "default_coding_share")]
    pub coding_share: [f64; 2],
}

impl Default for EconomicsConfig {
    fn default() -> Self {
        EconomicsConfig {
            hourly_cost: None,
            currency: default_currency(),
            hours_per_year: default_hours_per_year(),
            engineers: None,
            coding_share: default_coding_share(),
        }
    }
}

fn default_currency() -> String {
    "EUR".into()
}

/// 46 working weeks of 40 hours, less about an eighth for meetings and absence.
fn default_hours_per_year() -> f64 {
    1600.0
}

fn default_coding_share() -> [f64; 2] {
    [0.3, 0.5]
}

/// `[assessment]`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AssessmentConfig {
    /// Extra regular expressions (case-insensitive) that mark a commit message
    /// as a fix, on top of the built-in fix words (`fix`, `bug`, `hotfix`, …);
    /// for example a ticket convention such as `^BUG-\\d+`.
    #[serde(default)]
    pub fix_patterns: Vec<String>,
    /// Whether the built-in fix words apply.
    #[serde(default = "default_true")]
    pub default_fix_words: bool,
}

impl Default for AssessmentConfig {
    fn default() -> Self {
        AssessmentConfig {
            fix_patterns: Vec::new(),
            default_fix_words: true,
        }
    }
}

/// `[ai]`.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct AiConfig {
    /// Extra regular expressions (case-insensitive, multi-line) that mark a
    /// commit message as AI-assisted, on top of the built-in marks
    /// (co-author trailers, attribution trailers, agent authors); for
    /// example an organisation's own `^AI-Assisted: yes$` trailer.
    #[serde(default)]
    pub patterns: Vec<String>,
    /// Lines rewritten within this many days are rework (default 21).
    #[serde(default = "default_rework_days")]
    pub rework_days: u32,
    /// A fix to the same file within this many days follows a change
    /// (default 14).
    #[serde(default = "default_fix_follow_days")]
    pub fix_follow_days: u32,
}

fn default_rework_days() -> u32 {
    21
}

fn default_fix_follow_days() -> u32 {
    14
}

impl Default for AiConfig {
    fn default() -> Self {
        AiConfig {
            patterns: Vec::new(),
            rework_days: default_rework_days(),
            fix_follow_days: default_fix_follow_days(),
        }
    }
}

/// `[history]`: what the miner excludes and how it recognises bots.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct HistoryConfig {
    /// Extra globs (gitignore-like, matched against the repository path) whose changes
    /// are excluded from delivery metrics, on top of the defaults.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Globs that are never excluded, overriding both defaults and `exclude`
    /// (for example a `vendor/` directory that is really first-party code).
    #[serde(default)]
    pub include: Vec<String>,
    /// Whether the built-in lockfile, vendor and generated-file rules apply.
    #[serde(default = "default_true")]
    pub default_exclusions: bool,
    /// Extra bot patterns, matched case-insensitively against author name and e-mail.
    #[serde(default)]
    pub bots: Vec<String>,
    /// Whether the built-in bot patterns apply.
    #[serde(default = "default_true")]
    pub default_bots: bool,
    /// Maximum number of rename candidates per side before fuzzy rename detection is
    /// skipped for a commit (git's `diff.renameLimit`, default 1000; 0 = unlimited).
    #[serde(default = "default_rename_limit")]
    pub rename_limit: usize,
}

impl Default for HistoryConfig {
    fn default() -> Self {
        HistoryConfig {
            exclude: Vec::new(),
            include: Vec::new(),
            default_exclusions: true,
            bots: Vec::new(),
            default_bots: true,
            rename_limit: default_rename_limit(),
        }
    }
}

fn default_true() -> bool {
    true
}

/// git's own default for `diff.renameLimit`, so renames pair as `git log -M` pairs them.
fn default_rename_limit() -> usize {
    1000
}

impl Config {
    /// Parses the text of a `friction.toml`. The error names the offending key or line.
    pub fn parse(text: &str) -> Result<Config, toml::de::Error> {
        toml::from_str(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_file_gives_the_documented_defaults() {
        let config = Config::parse("").unwrap();
        assert_eq!(config, Config::default());
        assert_eq!(config.history.rename_limit, 1000);
        assert!(config.history.default_exclusions);
        assert_eq!(config.economics.hourly_cost, None);
        assert_eq!(config.economics.coding_share, [0.3, 0.5]);
        assert!(config.assessment.default_fix_words);
    }

    #[test]
    fn economics_and_assessment() {
        let config = Config::parse(
            "[economics]\nhourly_cost = 95.0\ncurrency = \"USD\"\nengineers = 12\n[assessment]\nfix_patterns = [\"^BUG-\\\\d+\"]\n",
        )
        .unwrap();
        assert_eq!(config.economics.hourly_cost, Some(95.0));
        assert_eq!(config.economics.engineers, Some(12.0));
        assert_eq!(config.assessment.fix_patterns, vec!["^BUG-\\d+"]);
    }

    #[test]
    fn components_and_teams() {
        let config = Config::parse(
            "teams_csv = \"teams.csv\"\n[components]\napi = [\"src/api/**\"]\n[teams]\npay = [\"*@pay.example.com\", \"Ann\"]\n",
        )
        .unwrap();
        assert_eq!(config.components["api"], vec!["src/api/**"]);
        assert_eq!(config.teams["pay"].len(), 2);
        assert_eq!(config.teams_csv.as_deref(), Some("teams.csv"));
    }

    #[test]
    fn unknown_key_is_an_error_that_names_it() {
        let err = Config::parse("[history]\nexclud = [\"x\"]\n").unwrap_err();
        assert!(err.to_string().contains("exclud"), "{err}");
    }
}
