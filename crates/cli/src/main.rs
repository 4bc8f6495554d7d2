//! The `friction` command-line tool: argument parsing, progress and wiring.
//!
//! Business logic lives in the library crates; this binary only connects them and
//! turns their errors into one-line messages with a `help:` hint (cargo style).

mod advisories;
mod backtest;
mod compare;
mod coupling;
mod hotspots;
mod inputs;
mod knowledge;
mod maat;
mod portfolio;
mod probe;
mod progress;
mod render;
mod render_assess;
mod render_code;
mod report;
mod scan;
mod timeline;
mod timing;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

/// Tells an engineering organisation, with evidence, whether it can execute change
/// safely, predictably and at speed.
#[derive(Debug, Parser)]
#[command(name = "friction", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Mine a repository's history into the store (incremental: only new commits are read).
    Scan(ScanArgs),
    /// Measure source code: per-function complexity, smells and a 1–10 health score per file.
    Code(CodeArgs),
    /// Rank files by change frequency in a window, joined with their code health.
    Hotspots(HotspotsArgs),
    /// Files that change together (change coupling), with code-maat parity.
    Coupling(CouplingArgs),
    /// Ownership, knowledge islands, truck factor and off-boarding simulation.
    Knowledge(KnowledgeArgs),
    /// code-maat's analyses in code-maat's CSV columns, for checking against it.
    Maat(MaatArgs),
    /// Score the hotspot ranking against where fixes landed after a cut date.
    Backtest(BacktestArgs),
    /// The Execution Capacity Index with its drivers, cost estimate and roadmap.
    Assess(AssessArgs),
    /// What a signal measures, how, its thresholds and sources — and its current evidence.
    Explain(ExplainArgs),
    /// Record snapshots at past dates from history alone, so a trend exists on day one.
    Backfill(BackfillArgs),
    /// The index and its drivers over time, from the snapshots.
    Trend(TrendArgs),
    /// What changed between two snapshots: drivers, signals, files, roadmap steps done.
    Compare(CompareArgs),
    /// Re-score snapshots under this version's methodology from their stored inputs.
    Rescore(RescoreArgs),
    /// CI gate: fail when the index or a driver dropped more than allowed since a baseline.
    Check(CheckArgs),
    /// Write the report of a snapshot: HTML, PDF, Markdown, SARIF and CSV (in `.friction/report/`).
    ///
    /// Writes, into `--out DIR` (default: `report/` beside the store, that is
    /// `.friction/report/` in the repository, where `friction scan` writes its
    /// `report.html` too):
    ///
    ///   report.html     HTML: the self-contained page
    ///   board-pack.pdf  PDF: the board pack
    ///   summary.md      Markdown: the summary for pull requests and wikis
    ///   report.sarif    SARIF 2.1.0: hotspots and code-health findings
    ///   *.csv           CSV: every table whole (drivers, signals, evidence, cost, …)
    #[command(verbatim_doc_comment)]
    Report(ReportArgs),
    /// Read CI, pull-request, test and coverage exports into the store.
    Ingest(IngestArgs),
    /// The exports stored: file, format, SHA-256, records, time span, when read.
    Inputs(InputsArgs),
    /// Offline advisory databases (OSV, RustSec): import one, list what is stored.
    Advisories(AdvisoriesArgs),
    /// Probe a program or a loopback HTTP service: behaviour classes, a spec, cases.
    ///
    /// Writes, into `--out DIR` (default `probe/`):
    ///
    ///   spec.json       the behaviour specification (schemas/probe-spec.schema.json)
    ///   catalogue.md    the behaviour catalogue: classes, suspicious behaviours,
    ///                   noise sources, coverage of the input model
    ///   cases/B01.toml  characterisation cases, one file per behaviour class
    ///
    /// Examples: `friction probe -- semver`, `friction probe --http
    /// http://127.0.0.1:3000 --request 'GET /posts/1'`.
    #[command(verbatim_doc_comment)]
    Probe(ProbeArgs),
    /// Check a behaviour spec and print its catalogue (Markdown).
    Spec(SpecArgs),
    /// Replay a spec's cases against a target; exit 1 on drift at or above `--fail-on`.
    Drift(DriftArgs),
}

/// What is probed (shared by `probe` and `drift`).
#[derive(Debug, Args)]
pub struct TargetArgs {
    /// An HTTP service's base URL (loopback only unless `--allow-remote`).
    #[arg(long, value_name = "URL")]
    pub http: Option<String>,
    /// Allow an HTTP target that is not on this machine.
    #[arg(long)]
    pub allow_remote: bool,
    /// The program after `--` is a JSON-over-stdio harness around a library
    /// function: one JSON request per line on stdin, one JSON response per line on
    /// stdout (`{"ok": …}` or `{"error": …}`); started once per worker.
    #[arg(long, conflicts_with = "http")]
    pub stdio: bool,
    /// Environment for a program target (repeatable), on top of LC_ALL=C, TZ=UTC.
    #[arg(long, value_name = "NAME=VALUE")]
    pub env: Vec<String>,
    /// Time each run may take before it is killed and reported as a hang.
    #[arg(long, value_name = "MS", default_value_t = 5000)]
    pub timeout_ms: u64,
    /// Bytes kept per output stream; more is killed and reported as a flood.
    #[arg(long, value_name = "BYTES", default_value_t = 1 << 20)]
    pub output_cap: usize,
    /// Runs at once (0 = one per core).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub workers: usize,
    /// The program and its fixed leading arguments (after `--`; run without a shell).
    #[arg(last = true, value_name = "PROGRAM")]
    pub command: Vec<String>,
}

/// Options of `friction probe`.
#[derive(Debug, Args)]
pub struct ProbeArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    /// OpenAPI document (JSON or YAML) whose GET routes are probed.
    #[arg(long, value_name = "FILE")]
    pub openapi: Option<PathBuf>,
    /// A HAR recording whose GET and HEAD requests are seed requests (others are
    /// left out: probing never changes the service's state).
    #[arg(long, value_name = "FILE")]
    pub har: Option<PathBuf>,
    /// A seed request for an HTTP target, `'GET /posts/1'` (repeatable).
    #[arg(long, value_name = "REQUEST")]
    pub request: Vec<String>,
    /// OpenAI-compatible API of the optional LLM helper (`http://127.0.0.1:8080/v1`;
    /// loopback unless `--allow-remote`; key in FRICTION_LLM_API_KEY): proposes seed
    /// inputs, kept only when they show new behaviour, and names the classes.
    #[arg(long, value_name = "URL")]
    pub llm_endpoint: Option<String>,
    /// Model name sent to the LLM endpoint.
    #[arg(long, value_name = "NAME", default_value = "default")]
    pub llm_model: String,
    /// JSON Lines file recording the LLM's replies; a recorded reply is replayed
    /// without asking (offline, repeatable). Alone, it replays only.
    #[arg(long, value_name = "FILE")]
    pub llm_cassette: Option<PathBuf>,
    /// Seed of every generated input (same seed, same spec).
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub seed: u64,
    /// Executions at most (exploration, shrinking and repeats together).
    #[arg(long, value_name = "N", default_value_t = 2000)]
    pub budget: usize,
    /// Seconds at most.
    #[arg(long, value_name = "SECS")]
    pub time: Option<f64>,
    /// Runs of each kept input, to measure nondeterminism (at least 2).
    #[arg(long, value_name = "K", default_value_t = 3)]
    pub repeats: usize,
    /// Stop exploring after this many executions in a row showed nothing new.
    #[arg(long, value_name = "N", default_value_t = 300)]
    pub saturation: usize,
    /// Directory for spec.json, catalogue.md and cases/.
    #[arg(long, value_name = "DIR", default_value = "probe")]
    pub out: PathBuf,
    /// Print the spec on stdout.
    #[arg(long)]
    pub json: bool,
    #[arg(long, short, help = QUIET)]
    pub quiet: bool,
}

/// Options of `friction spec`.
#[derive(Debug, Args)]
pub struct SpecArgs {
    /// The spec (`spec.json` from `friction probe`).
    pub spec: PathBuf,
    /// Only check it and say so.
    #[arg(long)]
    pub check: bool,
}

/// Options of `friction drift`.
#[derive(Debug, Args)]
pub struct DriftArgs {
    /// The baseline spec (`spec.json` from `friction probe`).
    pub spec: PathBuf,
    /// The target to check (default: the spec's own).
    #[command(flatten)]
    pub target: TargetArgs,
    /// Lowest risk that counts as drift: low, medium or high.
    #[arg(long, value_name = "RISK", default_value = "medium")]
    pub fail_on: String,
    /// Fresh inputs generated from the spec's input model, besides its cases.
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub fresh: usize,
    /// Seed of the fresh inputs (default: the spec's).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Further replays of an input that differed; it counts only if all differ.
    #[arg(long, value_name = "N", default_value_t = 2)]
    pub confirmations: usize,
    /// Write drift.json and drift.md into this directory.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Options of `friction ingest`.
#[derive(Debug, Args)]
pub struct IngestArgs {
    /// Files, directories, globs (quote them: `'ci/*.json'`), or `-` for standard input.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<String>,
    /// Repository whose store receives the facts (scanned first with `friction scan`).
    #[arg(long, value_name = "PATH", default_value = ".")]
    pub path: PathBuf,
    /// Store to extend.
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Read every file as this format instead of recognising it: github,
    /// gitlab, devlake-csv, junit, lcov, cobertura, jacoco.
    #[arg(long, value_name = "FORMAT")]
    pub format: Option<String>,
    /// The commit the test or coverage reports measured.
    #[arg(long, value_name = "SHA")]
    pub commit: Option<String>,
    /// Print JSON on stdout.
    #[arg(long)]
    pub json: bool,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Options of `friction advisories`.
#[derive(Debug, Args)]
pub struct AdvisoriesArgs {
    #[command(subcommand)]
    pub command: AdvisoriesCommand,
}

/// `friction advisories` subcommands.
#[derive(Debug, Subcommand)]
pub enum AdvisoriesCommand {
    /// Import an offline advisory database: a directory of OSV JSON, an OSV
    /// `all.zip`, or a RustSec advisory-db checkout (nothing is fetched).
    Import {
        /// The database: a directory, an OSV all.zip or one OSV record.
        #[arg(value_name = "PATH")]
        database: String,
        /// Repository whose store receives the advisories.
        #[arg(long, value_name = "PATH", default_value = ".")]
        path: PathBuf,
        /// Store to extend.
        #[arg(long, value_name = "PATH")]
        db: Option<PathBuf>,
        /// Print JSON on stdout.
        #[arg(long)]
        json: bool,
        #[arg(long, short, help = QUIET)]
        quiet: bool,
    },
    /// The dependencies of HEAD's lockfiles that stored advisories cover,
    /// with the lockfile line and the advisory id.
    Audit {
        /// Repository.
        #[arg(default_value = ".")]
        path: PathBuf,
        /// Store to read.
        #[arg(long, value_name = "PATH")]
        db: Option<PathBuf>,
        /// Print JSON on stdout.
        #[arg(long)]
        json: bool,
    },
    /// The advisory databases stored: path, format, advisories, date.
    List {
        /// Repository.
        #[arg(default_value = ".")]
        path: PathBuf,
        /// Store to read.
        #[arg(long, value_name = "PATH")]
        db: Option<PathBuf>,
        /// Print JSON on stdout.
        #[arg(long)]
        json: bool,
    },
}

/// Options of `friction inputs`.
#[derive(Debug, Args)]
pub struct InputsArgs {
    /// Repository.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Store to read.
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Print JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

/// What `-q, --quiet` means for every command that has it.
const QUIET: &str = "Quiet: no progress, notes or timings on stderr and no explanations on stdout; only the result and the exit code";

/// Options of `friction report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Repository (scanned first with `friction scan`).
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Store to read.
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// The snapshot: latest, previous, an id (#12), a date or a commit prefix.
    #[arg(long, value_name = "SNAPSHOT", default_value = "latest")]
    pub snapshot: String,
    /// Directory for the files (default: `report/` beside the store).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// List what was written as JSON on stdout.
    #[arg(long)]
    pub json: bool,
    #[arg(long, short, help = QUIET)]
    pub quiet: bool,
}

/// Options of `friction backfill`.
#[derive(Debug, Args)]
pub struct BackfillArgs {
    /// Repository (scanned first with `friction scan`).
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Store to read and extend.
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Period between snapshots: week, month or quarter.
    #[arg(long, value_name = "PERIOD", default_value = "month")]
    pub every: String,
    /// How far back: a span (24m, 2y, 12w, 90d) or a date (YYYY-MM-DD).
    #[arg(long, value_name = "SPAN", default_value = "24m", value_parser = friction_app::calendar::since_arg)]
    pub since: String,
    /// Last date (YYYY-MM-DD; default: the newest stored commit).
    #[arg(long, value_name = "DATE", value_parser = friction_app::calendar::date_arg)]
    pub until: Option<String>,
    /// Window of activity of each snapshot, in months.
    #[arg(long, value_name = "N", default_value_t = 12)]
    pub months: u32,
    /// Use the mainline-only view (needs `scan --first-parent`).
    #[arg(long)]
    pub first_parent: bool,
    /// Worker threads for measuring trees (0 = one per core).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub threads: usize,
    /// Print JSON on stdout.
    #[arg(long)]
    pub json: bool,
    #[arg(long, short, help = QUIET)]
    pub quiet: bool,
}

/// Options of `friction trend`.
#[derive(Debug, Args)]
pub struct TrendArgs {
    /// Repository (or a portfolio directory with `--repository`).
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Store to read.
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// In a portfolio store: a repository's name, or `@portfolio` for the
    /// organisation roll-up.
    #[arg(long, value_name = "NAME")]
    pub repository: Option<String>,
    /// The mainline-only snapshots.
    #[arg(long)]
    pub first_parent: bool,
    /// Every snapshot, including those superseded by a re-scoring.
    #[arg(long)]
    pub all: bool,
    /// Print JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

/// Options of `friction compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// `[PATH] [BEFORE] [AFTER]`: the repository (default `.`; a first word
    /// that names an existing directory), then the earlier snapshot (default
    /// `previous`) and the later one (default `latest`): latest, previous,
    /// first, an id (`12`, or `'#12'` quoted), a date (YYYY-MM-DD) or a commit
    /// prefix.
    #[arg(value_name = "PATH|SNAPSHOT", num_args = 0..=3)]
    pub words: Vec<String>,
    /// The repository, as before it was positional (kept for scripts).
    #[arg(long, value_name = "PATH", hide = true)]
    pub path: Option<PathBuf>,
    /// Store to read.
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Signals and files listed.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub limit: usize,
    /// Print JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

/// Options of `friction rescore`.
#[derive(Debug, Args)]
pub struct RescoreArgs {
    /// `[PATH] [SNAPSHOT…]`: the repository (default `.`; a first word that
    /// names an existing directory; its trees are re-measured when the code
    /// analyzer changed), then the snapshots to re-score (default: every one
    /// under another methodology).
    #[arg(value_name = "PATH|SNAPSHOT")]
    pub words: Vec<String>,
    /// The repository, as before it was positional (kept for scripts).
    #[arg(long, value_name = "PATH", hide = true)]
    pub path: Option<PathBuf>,
    /// Store to read and extend.
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Worker threads for measuring trees (0 = one per core).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub threads: usize,
    /// Print JSON on stdout.
    #[arg(long)]
    pub json: bool,
    #[arg(long, short, help = QUIET)]
    pub quiet: bool,
}

/// The repository and the snapshot selectors of `compare` and `rescore`:
/// `--path` (hidden, from before the repository was positional), else the
/// first word when it names an existing directory, else `.`; the other
/// words are snapshots.
pub(crate) fn repository_and_snapshots(
    path: Option<&std::path::Path>,
    words: &[String],
) -> (PathBuf, Vec<String>) {
    match (path, words.split_first()) {
        (Some(p), _) => (p.to_path_buf(), words.to_vec()),
        (None, Some((first, rest))) if std::path::Path::new(first).is_dir() => {
            (PathBuf::from(first), rest.to_vec())
        }
        _ => (PathBuf::from("."), words.to_vec()),
    }
}

/// Options of `friction check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Repository (scanned first with `friction scan`).
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Store to read and extend.
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// What to compare with: a snapshot (latest, #12, a date, a commit
    /// prefix) or a git revision (origin/main); default `[check] baseline`,
    /// else the newest snapshot of another commit.
    #[arg(long, value_name = "SNAPSHOT|REV")]
    pub baseline: Option<String>,
    /// Largest index drop let through, in points (default `[check] max_drop`, 2).
    #[arg(long, value_name = "POINTS")]
    pub max_drop: Option<f64>,
    /// Largest drop of one driver's score, as FAMILY=POINTS (repeatable).
    #[arg(long, value_name = "FAMILY=POINTS")]
    pub driver: Vec<String>,
    /// Window of activity, in months.
    #[arg(long, value_name = "N", default_value_t = 12)]
    pub months: u32,
    /// Use the mainline-only view (needs `scan --first-parent`).
    #[arg(long)]
    pub first_parent: bool,
    /// Worker threads for measuring trees (0 = one per core).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub threads: usize,
    /// Print JSON on stdout.
    #[arg(long)]
    pub json: bool,
    #[arg(long, short, help = QUIET)]
    pub quiet: bool,
}

/// Options of `friction assess`.
#[derive(Debug, Args)]
pub struct AssessArgs {
    /// Repository (scanned first with `friction scan`).
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Store to read.
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Window of activity, in months back from the newest commit.
    #[arg(long, value_name = "N", default_value_t = 12)]
    pub months: u32,
    /// Read the mainline only (the pull-request view).
    #[arg(long)]
    pub first_parent: bool,
    /// Person-days available for the roadmap (default: no limit, aim for `--target`).
    #[arg(long, value_name = "DAYS")]
    pub budget: Option<f64>,
    /// Share of the addressable friction cost the roadmap captures.
    #[arg(long, value_name = "SHARE", default_value_t = 0.8)]
    pub target: f64,
    /// Rows per table in the text output.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub limit: usize,
    /// Print JSON (schema `schemas/assessment.schema.json`) on stdout.
    #[arg(long)]
    pub json: bool,
}

/// Options of `friction explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Signal id (for example `hotspot-friction`).
    pub signal: String,
    /// Repository whose current evidence to show (optional).
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Store to read.
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Print JSON on stdout: the signal's documentation, formula, current
    /// value, score and evidence.
    #[arg(long)]
    pub json: bool,
}

/// Options of `friction backtest`.
#[derive(Debug, Args)]
pub struct BacktestArgs {
    /// Repository (scanned first with `friction scan`).
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Store to read.
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Cut date, YYYY-MM-DD (default: 18 months before the newest commit).
    #[arg(long, value_name = "DATE", value_parser = friction_app::calendar::date_arg)]
    pub cut: Option<String>,
    /// History before the cut the ranking may use, in months.
    #[arg(long, value_name = "N", default_value_t = 12)]
    pub window_months: u32,
    /// Months after the cut in which fixes count.
    #[arg(long, value_name = "N", default_value_t = 12)]
    pub horizon_months: u32,
    /// Worker threads for measuring the tree at the cut (0 = one per core).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub threads: usize,
    /// Also score tests, examples, docs, benchmarks and build files (default:
    /// product code only).
    #[arg(long)]
    pub include_tests: bool,
    /// Cut dates to score (rolling origins, newest first, `--origin-step-months`
    /// apart); default 4 without `--cut` (the last three years), 1 with it.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub origins: u32,
    /// Months between rolling origins.
    #[arg(long, value_name = "N", default_value_t = 6)]
    pub origin_step_months: u32,
    /// Also write friction's score of every file at the (first) cut as
    /// `path,score` CSV, for an external back-test to re-score.
    #[arg(long, value_name = "PATH")]
    pub scores_csv: Option<PathBuf>,
    /// The ranking `--scores-csv` writes: the first whose name starts with
    /// this (for example `density` or `risk`).
    #[arg(long, value_name = "NAME", default_value = "friction")]
    pub scores_ranking: String,
    /// The defect model's pooled prior as `feature,density,risk` CSV rows
    /// instead of the committed one (leave-one-repository-out runs).
    #[arg(long, value_name = "PATH")]
    pub prior: Option<PathBuf>,
    /// Shrinkage weight toward the prior (default: the methodology's).
    #[arg(long, value_name = "W")]
    pub shrinkage: Option<f64>,
    /// Print JSON on stdout (with every scored file's scores and outcome).
    #[arg(long)]
    pub json: bool,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Options of `friction maat`.
#[derive(Debug, Args)]
pub struct MaatArgs {
    /// summary, revisions, authors, coupling, soc, abs-churn, author-churn,
    /// entity-churn, entity-ownership, main-dev, refactoring-main-dev,
    /// entity-effort, main-dev-by-revs, fragmentation, communication, age —
    /// or `all` (with `--out DIR`).
    pub analysis: String,
    /// Repository (its `.friction/friction.db` is read; run `friction scan` first).
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Store to read.
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Only the last N months of history (code-maat's `--after`); 0 = everything.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub months: u32,
    /// code-maat's `--min-revs` (used by `coupling` and `soc`).
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub min_revs: u64,
    /// Reference date for `age` (default: the newest commit's date).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = friction_app::calendar::date_arg)]
    pub age_time_now: Option<String>,
    /// With `all`: the directory for one `<analysis>.csv` per analysis.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Authors by name, as code-maat prints them (local use only; default:
    /// the same pseudonyms as `friction knowledge`).
    #[arg(long)]
    pub names: bool,
}

/// Options of `friction knowledge`.
#[derive(Debug, Args)]
pub struct KnowledgeArgs {
    /// Repository (its `.friction/friction.db` is read; run `friction scan` first).
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Store to read.
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Authors who committed within this many months of the newest commit are active.
    #[arg(long, value_name = "N", default_value_t = 12)]
    pub active_months: u32,
    /// Off-boarding simulation: treat these authors (e-mail or pseudonym) or
    /// teams as gone.
    #[arg(long, value_name = "AUTHOR", value_delimiter = ',')]
    pub without: Vec<String>,
    /// Show authors' e-mails instead of pseudonyms (local use only).
    #[arg(long)]
    pub names: bool,
    /// Count mainline commits only (needs `scan --first-parent`).
    #[arg(long)]
    pub first_parent: bool,
    /// Print JSON on stdout.
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// Print CSV on stdout.
    #[arg(long)]
    pub csv: bool,
    /// How many files to list.
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub limit: usize,
    /// List every file.
    #[arg(long)]
    pub all: bool,
}

/// Options of `friction coupling`.
#[derive(Debug, Args)]
pub struct CouplingArgs {
    /// Repository (its `.friction/friction.db` is read; run `friction scan` first).
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Store to read.
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Window in months back from the newest stored commit; 0 = whole history
    /// (default 12; with `--parity`, 0 like code-maat).
    #[arg(long, value_name = "N")]
    pub months: Option<u32>,
    /// Reproduce code-maat's `coupling` exactly: paths as entities, every change
    /// (bots and excluded files too), min-revs on the pair's mean.
    #[arg(long)]
    pub parity: bool,
    /// Change sets: `commit`, `ticket` (commits sharing a ticket id) or `author`
    /// (one author's commits within `--author-window-hours`).
    #[arg(long, value_name = "HOW", default_value = "commit")]
    pub by: String,
    /// Window for `--by author`.
    #[arg(long, value_name = "H", default_value_t = 24)]
    pub author_window_hours: u32,
    /// Minimum revisions (of each file; of the pair's mean with `--parity`).
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub min_revs: u64,
    /// Minimum change sets shared by the pair.
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub min_shared_revs: u64,
    /// Minimum coupling degree, percent.
    #[arg(long, value_name = "PCT", default_value_t = 30)]
    pub min_coupling: u64,
    /// Maximum coupling degree, percent.
    #[arg(long, value_name = "PCT", default_value_t = 100)]
    pub max_coupling: u64,
    /// Change sets with more files are left out (and counted).
    #[arg(long, value_name = "N", default_value_t = 30)]
    pub max_changeset_size: usize,
    /// Count mainline commits only (needs `scan --first-parent`).
    #[arg(long)]
    pub first_parent: bool,
    /// Print JSON on stdout.
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// Print CSV on stdout (code-maat's columns first).
    #[arg(long)]
    pub csv: bool,
    /// How many pairs to list.
    #[arg(long, value_name = "N", default_value_t = 30)]
    pub limit: usize,
    /// List every pair.
    #[arg(long)]
    pub all: bool,
}

/// Options of `friction hotspots`.
#[derive(Debug, Args)]
pub struct HotspotsArgs {
    /// Repository (its `.friction/friction.db` is read; run `friction scan` first).
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Store to read.
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Window length in months, counted back from the newest stored commit.
    #[arg(long, value_name = "N", default_value_t = 12)]
    pub months: u32,
    /// Count mainline commits only (the pull-request view; needs `scan --first-parent`).
    #[arg(long)]
    pub first_parent: bool,
    /// Print JSON on stdout (hotspots only; with `--all`, every changed file).
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// Print CSV on stdout.
    #[arg(long)]
    pub csv: bool,
    /// How many files to list (table and CSV).
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub limit: usize,
    /// List every changed file.
    #[arg(long)]
    pub all: bool,
    /// Order of the product files: `score` (friction's score, size × √changes;
    /// the default, kept because the back-test did not show the defect model
    /// ranking better out of sample: BENCHMARKS.md, "Pre-registered test"),
    /// `density` (the defect model's expected defect fixes per 1,000 code
    /// lines, a file counted as at least 50 lines) or `risk` (its chance of a
    /// defect fix). `density` and `risk` imply `--forecast`.
    #[arg(long, value_name = "ORDER", default_value = "score",
          value_parser = ["score", "density", "risk"])]
    pub rank: String,
    /// Add the defect model's forecast for the next 12 months to each product
    /// file: expected defect fixes, density per 1,000 code lines, risk
    /// (computed only when asked: it reads the whole history).
    #[arg(long)]
    pub forecast: bool,
}

/// Options of `friction code`.
#[derive(Debug, Args)]
pub struct CodeArgs {
    /// Directory or file to measure (any directory; a git repository is not required).
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Store to reuse and extend (default: the repository's `.friction/friction.db` if it exists).
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Print JSON on stdout.
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// Print CSV on stdout (one row per file, or per function with `--functions`).
    #[arg(long)]
    pub csv: bool,
    /// With `--csv`: one row per function.
    #[arg(long, requires = "csv")]
    pub functions: bool,
    /// How many of the least healthy files to list.
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub limit: usize,
    /// List every file, excluded ones included.
    #[arg(long)]
    pub all: bool,
    /// Worker threads (0 = one per core).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub threads: usize,
    /// Print the code-health methodology (Markdown) and exit.
    #[arg(long)]
    pub methodology: bool,
    /// No timing line on stderr.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Options of `friction scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// The repository to scan (a work tree or a bare repository).
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Database file; defaults to `.friction/friction.db` inside the repository.
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Walk only the first-parent chain and diff merges against their first parent
    /// (the pull-request / squash view).
    #[arg(long)]
    pub first_parent: bool,
    /// Start the walk at these refs instead of HEAD (repeatable).
    #[arg(long = "ref", value_name = "REF", conflicts_with = "all")]
    pub refs: Vec<String>,
    /// Start the walk at every branch, tag and remote-tracking ref.
    #[arg(long)]
    pub all: bool,
    /// Do not pair deletions and additions into renames (`git log --no-renames`).
    #[arg(long)]
    pub no_renames: bool,
    /// Also detect copies among modified files (`git log -C`).
    #[arg(long, conflicts_with = "no_renames")]
    pub copies: bool,
    /// Rename candidate limit per commit; overrides `history.rename_limit` (0 = unlimited).
    #[arg(long, value_name = "N")]
    pub rename_limit: Option<usize>,
    /// Worker threads for diffing (default: one per core).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub threads: usize,
    /// Print the summary as JSON on stdout.
    #[arg(long)]
    pub json: bool,
    /// Skip measuring the source code at HEAD.
    #[arg(long)]
    pub no_code: bool,
    /// Do not write the HTML report (`report/report.html` beside the store).
    #[arg(long)]
    pub no_report: bool,
    /// Scan every repository of `[portfolio]` in PATH/friction.toml and roll
    /// the index up per product, domain and organisation (store: `--db`,
    /// default PATH/.friction/portfolio.db).
    #[arg(long, conflicts_with_all = ["refs", "all", "copies", "rename_limit"])]
    pub portfolio: bool,
    #[arg(long, short, help = QUIET)]
    pub quiet: bool,
}

/// The exit code of an error: 2 for every kind (1 is a partial success and
/// 3 a failed gate, both returned as results, not errors).
fn exit_code(e: &friction_app::Error) -> u8 {
    match e {
        friction_app::Error::Input { .. }
        | friction_app::Error::Repository { .. }
        | friction_app::Error::Store { .. }
        | friction_app::Error::Missing { .. } => 2,
    }
}

fn main() -> ExitCode {
    // Phase timings count from here, not from the first phase reported.
    timing::start();
    // Like every Unix filter: a closed pipe (`friction trend | head`) ends the
    // process quietly instead of failing a write (Rust ignores SIGPIPE).
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of one signal at start-up,
    // before any thread exists.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Scan(args) => scan::run(&args),
        Command::Code(args) => render_code::run(&args),
        Command::Hotspots(args) => hotspots::run(&args),
        Command::Coupling(args) => coupling::run(&args),
        Command::Knowledge(args) => knowledge::run(&args),
        Command::Maat(args) => maat::run(&args),
        Command::Backtest(args) => backtest::run(&args),
        Command::Assess(args) => render_assess::run(&args),
        Command::Explain(args) => render_assess::explain(&args),
        Command::Backfill(args) => timeline::backfill(&args),
        Command::Trend(args) => timeline::trend(&args),
        Command::Compare(args) => timeline::compare(&args),
        Command::Rescore(args) => timeline::rescore(&args),
        Command::Check(args) => timeline::check(&args),
        Command::Report(args) => report::run(&args),
        Command::Ingest(args) => inputs::ingest(&args),
        Command::Inputs(args) => inputs::inputs(&args),
        Command::Advisories(args) => advisories::run(&args),
        Command::Probe(args) => probe::probe(&args),
        Command::Spec(args) => probe::spec(&args),
        Command::Drift(args) => probe::drift(&args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e}");
            if let Some(help) = e.help() {
                eprintln!("help: {help}");
            }
            ExitCode::from(exit_code(&e))
        }
    }
}

/// The view of history `--first-parent` chooses.
pub(crate) fn walk_mode(first_parent: bool) -> friction_store::WalkMode {
    if first_parent {
        friction_store::WalkMode::FirstParent
    } else {
        friction_store::WalkMode::Full
    }
}
