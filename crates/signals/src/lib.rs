//! The signal registry.
//!
//! A *signal* is a small, self-documenting unit (think of a ruff rule): a
//! stable id, a driver family, fixed documentation sections (what it
//! measures, why it matters, how it is computed, its thresholds, its
//! sources), the inputs it needs, a weight inside its family, and a curve
//! that maps its value to a 0–100 score. It reads facts ([`Data`], through a
//! scoped [`Context`]) and returns a [`Measured`] value with its evidence, or
//! says why it could not measure.
//!
//! Adding a signal is one new module and one line in [`REGISTRY`]: the
//! assessment, `friction explain` and the generated methodology document all
//! read the registry. Nothing here does IO.

use serde::{Deserialize, Serialize};

pub mod calibration;
mod context;
mod curve;
pub mod delivery;
pub mod incidents;
pub mod service_levels;
pub mod shrink;
pub mod supply;

pub use calibration::curve as scoring_curve;
pub use context::{
    Change, Commit, Context, Data, File, FileKnown, Known, Overrides, Practice, Reads, Scope,
    ScopeKind, is_test_path,
};
pub use curve::Curve;
pub use shrink::Prior;

mod ai_assisted;
mod batch_size;
mod change_failure_rate;
mod changed_code_health;
mod ci;
mod ci_duration;
mod ci_failure_rate;
mod ci_queue_time;
mod ci_rerun_rate;
mod compliance_controls;
mod coordination_load;
mod coverage_of_change;
mod defect_prone_code;
mod deployment_frequency;
mod dora;
mod error_budget;
mod execution;
mod flaky_tests;
mod former_contributors;
mod hotspot_friction;
mod incident_recovery;
mod incident_recurrence;
mod knowledge_islands;
mod lead_time;
mod recovery_time;
mod reliability_debt;
mod review_wait;
mod rework;
pub mod security_findings;
mod structural_coupling;
mod time_to_green;
mod toil_per_release;
mod truck_factor;
mod unowned_code;
mod workflow_risks;

pub use ai_assisted::AiSettings;
pub use ci_duration::workflow_minutes;
pub use coverage_of_change::{LOW_COVERAGE_PCT, test_marks};
pub use defect_prone_code::RECURRING_FIXES;
pub use flaky_tests::flaky_tests_by_file;
pub use hotspot_friction::{TimeFactor, time_factor};
pub use incident_recurrence::RECURRENCE_DAYS;

/// Version of the whole assessment methodology: every signal's thresholds and
/// weights, the family weights, the bands and the cost model. Bump it when any
/// of them changes, so snapshots say which rules scored them.
pub const METHODOLOGY_VERSION: &str = "eci/8";

/// Every signal, in documentation order.
pub static REGISTRY: &[&dyn Signal] = &[
    &hotspot_friction::HotspotFriction,
    &changed_code_health::ChangedCodeHealth,
    &structural_coupling::StructuralCoupling,
    &batch_size::BatchSize,
    &rework::Rework,
    &lead_time::LeadTime,
    &review_wait::ReviewWait,
    &deployment_frequency::DeploymentFrequency,
    &ci_failure_rate::CiFailureRate,
    &ci_duration::CiDuration,
    &flaky_tests::FlakyTests,
    &coverage_of_change::CoverageOfChange,
    &defect_prone_code::DefectProneCode,
    &change_failure_rate::ChangeFailureRate,
    &recovery_time::RecoveryTime,
    &reliability_debt::ReliabilityDebt,
    &error_budget::ErrorBudget,
    &incident_recurrence::IncidentRecurrence,
    &incident_recovery::IncidentRecovery,
    &unowned_code::UnownedCode,
    &workflow_risks::WorkflowRisks,
    &compliance_controls::ComplianceControls,
    &truck_factor::TruckFactor,
    &knowledge_islands::KnowledgeIslands,
    &former_contributors::FormerContributors,
    &coordination_load::CoordinationLoad,
    &execution::VerifiedCompletion,
    &execution::GhostCompletions,
    &execution::StaleInProgress,
    &execution::ReopenChurn,
    &execution::ExecutionRisk,
    &execution::OffHoursLoad,
    &ai_assisted::AiAssistedChange,
    &ai_assisted::AiUnhealthyExposure,
    &ai_assisted::AiRework,
    &ai_assisted::AiFixFollow,
    &ci_queue_time::CiQueueTime,
    &ci_rerun_rate::CiRerunRate,
    &time_to_green::TimeToGreen,
    &toil_per_release::ToilPerRelease,
    &supply::VulnerableDependencies,
    &supply::UnpinnedDependencies,
    &supply::UnmaintainedDependencies,
    &security_findings::SecurityFindings,
];

/// The signal with this id.
pub fn find(id: &str) -> Option<&'static dyn Signal> {
    REGISTRY.iter().copied().find(|s| s.id() == id)
}

/// The driver families the index aggregates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Family {
    Delivery,
    Reliability,
    Security,
    Operations,
    TeamExecution,
}

impl Family {
    pub const ALL: [Family; 5] = [
        Family::Delivery,
        Family::Reliability,
        Family::Security,
        Family::Operations,
        Family::TeamExecution,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Family::Delivery => "delivery",
            Family::Reliability => "reliability",
            Family::Security => "security",
            Family::Operations => "operations",
            Family::TeamExecution => "team-execution",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Family::Delivery => "Delivery",
            Family::Reliability => "Reliability",
            Family::Security => "Security",
            Family::Operations => "Operations",
            Family::TeamExecution => "Team execution",
        }
    }
}

/// The inputs a signal reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Input {
    /// Mined git history.
    History,
    /// Code health measured at the scanned commit.
    Code,
    /// A mapping of authors to teams (`[teams]` or `teams_csv`).
    Teams,
    /// A CODEOWNERS file.
    CodeOwners,
    /// CI runs and jobs (GitHub Actions, GitLab CI exports).
    CiRuns,
    /// Pull or merge requests with reviews and commits.
    PullRequests,
    /// Deployments (an export, or release tags).
    Deployments,
    /// JUnit XML test reports.
    TestResults,
    /// Coverage reports (lcov, Cobertura, JaCoCo).
    Coverage,
    /// SLO definitions (OpenSLO, Sloth) and alerting rules, with the
    /// repository's runbooks.
    ServiceLevels,
    /// Incident exports (PagerDuty, Opsgenie, an incident CSV) with
    /// `[services]` or service names matching the repository.
    Incidents,
    /// Lockfiles and manifests in the assessed commit's tree.
    Dependencies,
    /// An advisory database (`friction advisories import`).
    Advisories,
    /// GitHub Actions workflow files of the assessed commit.
    Workflows,
    /// The assessed commit's tree: policy, licence and configuration files.
    Tree,
    /// SARIF 2.1.0 files of security and static-analysis scanners.
    Sarif,
    /// Work items (Jira, GitHub and GitLab issues, Linear, a work-item CSV)
    /// with their status changes.
    WorkItems,
}

impl Input {
    pub fn as_str(self) -> &'static str {
        match self {
            Input::History => "git history",
            Input::Code => "code health at HEAD",
            Input::Teams => "team mapping",
            Input::CodeOwners => "CODEOWNERS",
            Input::CiRuns => "CI runs export",
            Input::PullRequests => "pull-request export",
            Input::Deployments => "deployments (export or release tags)",
            Input::TestResults => "JUnit test reports",
            Input::Coverage => "coverage reports",
            Input::ServiceLevels => "SLO definitions, alerting rules and runbooks",
            Input::Incidents => "incident exports mapped to the repository",
            Input::Dependencies => "lockfiles and manifests",
            Input::Advisories => "advisory database (friction advisories import)",
            Input::Workflows => "GitHub Actions workflows",
            Input::Tree => "files of the assessed commit",
            Input::Sarif => "SARIF findings (CodeQL, Semgrep, Trivy, …)",
            Input::WorkItems => "work items (Jira, GitHub/GitLab issues, Linear, CSV)",
        }
    }
}

/// The fixed documentation sections of a signal.
#[derive(Debug, Clone, Copy)]
pub struct Doc {
    pub title: &'static str,
    pub measures: &'static str,
    pub why: &'static str,
    pub how: &'static str,
    /// Where the curve's anchor points come from.
    pub thresholds: &'static str,
    pub sources: &'static [&'static str],
}

/// One item of evidence behind a measurement: a file, a commit, a component
/// pair, a (pseudonymous) author.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// `file`, `commit`, `component-pair`, `author`, `team`.
    pub kind: String,
    pub id: String,
    /// The evidence's contribution, in the unit of `label`.
    pub value: f64,
    pub label: String,
    /// The input file and record behind it (`runs.json record 17 (line 240)`),
    /// for evidence read from an export rather than from git.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cite: Option<String>,
}

/// The units a value is computed from, so the assessment can bootstrap a
/// confidence interval by resampling them.
#[derive(Debug, Clone, PartialEq)]
pub enum Sample {
    /// `value = Σ num / Σ den` over units (files or commits).
    Ratio { num: Vec<f64>, den: Vec<f64> },
    /// `value` = the `q`-quantile of the units' values.
    Quantile { values: Vec<f64>, q: f64 },
    /// `value` = 100 × (Σ a_num / Σ a_den − Σ b_num / Σ b_den): the gap in
    /// percentage points between two groups' rates over the same units (the
    /// AI-assisted comparisons, units = files).
    Gap {
        a_num: Vec<f64>,
        a_den: Vec<f64>,
        b_num: Vec<f64>,
        b_den: Vec<f64>,
    },
    /// Not a statistic of independent units (for example the truck factor):
    /// the interval is the point value.
    Fixed,
}

impl Sample {
    /// The value over the units picked by `idx` (indices into the units, with
    /// repetition), or over all units.
    pub fn value(&self, idx: Option<&[usize]>) -> Option<f64> {
        match self {
            Sample::Ratio { num, den } => {
                let (mut n, mut d) = (0.0, 0.0);
                match idx {
                    Some(idx) => {
                        for &i in idx {
                            n += num[i];
                            d += den[i];
                        }
                    }
                    None => {
                        n = num.iter().sum();
                        d = den.iter().sum();
                    }
                }
                (d > 0.0).then(|| n / d)
            }
            Sample::Quantile { values, q } => {
                let mut v: Vec<f64> = match idx {
                    Some(idx) => idx.iter().map(|&i| values[i]).collect(),
                    None => values.clone(),
                };
                quantile(&mut v, *q)
            }
            Sample::Gap {
                a_num,
                a_den,
                b_num,
                b_den,
            } => {
                let sum = |v: &[f64]| -> f64 {
                    match idx {
                        Some(idx) => idx.iter().map(|&i| v[i]).sum(),
                        None => v.iter().sum(),
                    }
                };
                let (ad, bd) = (sum(a_den), sum(b_den));
                (ad > 0.0 && bd > 0.0).then(|| 100.0 * (sum(a_num) / ad - sum(b_num) / bd))
            }
            Sample::Fixed => None,
        }
    }

    /// Number of resampling units.
    pub fn units(&self) -> usize {
        match self {
            Sample::Ratio { num, .. } => num.len(),
            Sample::Quantile { values, .. } => values.len(),
            Sample::Gap { a_num, .. } => a_num.len(),
            Sample::Fixed => 0,
        }
    }
}

/// The `q`-quantile (linear interpolation between closest ranks, as numpy's
/// default); `None` for no values.
pub fn quantile(v: &mut [f64], q: f64) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let pos = q.clamp(0.0, 1.0) * (v.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    Some(v[lo] + (v[hi] - v[lo]) * (pos - lo as f64))
}

/// [`quantile`] of resamples of fixed values, without sorting each
/// resample: the values are ranked once, and a resample (indices into the
/// values, with repetition) counts its picks per rank and walks the counts
/// to the quantile's two closest ranks. The same value as [`quantile`] of
/// the picked values, bit for bit: values that tie in `total_cmp` order are
/// the same bits.
#[derive(Debug, Clone)]
pub struct ResampledQuantile {
    /// The values in `total_cmp` order.
    sorted: Vec<f64>,
    /// Each value's position in `sorted`.
    rank: Vec<usize>,
    counts: Vec<u32>,
    q: f64,
}

impl ResampledQuantile {
    pub fn new(values: &[f64], q: f64) -> ResampledQuantile {
        let mut order: Vec<usize> = (0..values.len()).collect();
        order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
        let mut rank = vec![0; values.len()];
        for (r, &i) in order.iter().enumerate() {
            rank[i] = r;
        }
        ResampledQuantile {
            sorted: order.iter().map(|&i| values[i]).collect(),
            rank,
            counts: vec![0; values.len()],
            q,
        }
    }

    /// The quantile of the values picked by `idx`; `None` for no pick (or
    /// an index past the values).
    pub fn value(&mut self, idx: &[usize]) -> Option<f64> {
        if idx.is_empty() {
            return None;
        }
        self.counts.fill(0);
        for &i in idx {
            self.counts[*self.rank.get(i)?] += 1;
        }
        let pos = self.q.clamp(0.0, 1.0) * (idx.len() - 1) as f64;
        let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
        let (mut at_lo, mut at_hi) = (None, None);
        // Picks before and including this rank: positions `seen - c .. seen`
        // of the sorted resample hold this rank's value.
        let mut seen = 0usize;
        for (r, &c) in self.counts.iter().enumerate() {
            if c == 0 {
                continue;
            }
            seen += c as usize;
            if at_lo.is_none() && lo < seen {
                at_lo = Some(self.sorted[r]);
            }
            if hi < seen {
                at_hi = Some(self.sorted[r]);
                break;
            }
        }
        let (a, b) = (at_lo?, at_hi?);
        Some(a + (b - a) * (pos - lo as f64))
    }
}

/// A key figure beside the value (for example the number of fix commits).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    pub name: String,
    pub value: f64,
    pub unit: String,
}

/// What a signal measured in a scope.
#[derive(Debug, Clone, PartialEq)]
pub struct Measured {
    pub value: f64,
    /// Share (0–1) of the scope's relevant units that had the data, for
    /// example the revisions on files whose health could be measured.
    pub coverage: f64,
    pub figures: Vec<Figure>,
    /// The strongest evidence first (at most [`EVIDENCE_LIMIT`] items).
    pub evidence: Vec<Evidence>,
    pub sample: Sample,
}

/// How many evidence items a measurement keeps.
pub const EVIDENCE_LIMIT: usize = 10;

/// A signal's outcome: a measurement, or the reason there is none.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Measured(Measured),
    NotMeasured(String),
}

impl From<Result<Measured, String>> for Outcome {
    fn from(r: Result<Measured, String>) -> Outcome {
        match r {
            Ok(m) => Outcome::Measured(m),
            Err(why) => Outcome::NotMeasured(why),
        }
    }
}

/// A signal. See the crate documentation.
pub trait Signal: Sync {
    /// Stable, kebab-case id.
    fn id(&self) -> &'static str;
    fn family(&self) -> Family;
    /// The share of its family (driver) this signal stands for. A family's
    /// signals' weights sum to at most 1; the rest is the part of the driver
    /// no signal measures yet, which lowers the driver's coverage and its
    /// weight in the index.
    fn weight(&self) -> f64;
    /// The weight for these facts: [`Signal::weight`] unless the signal
    /// documents another weighting (the git-message proxy
    /// `defect-prone-code` weighs less beside incident data).
    fn weight_in(&self, _data: &Data) -> f64 {
        self.weight()
    }
    /// Unit of the value.
    fn unit(&self) -> &'static str;
    fn doc(&self) -> &'static Doc;
    /// The value → 0–100 curve from the signal's sources or friction's
    /// stated choice. Monotone: a worse value never scores higher. It scores
    /// only while the signal is not calibrated on the reference population;
    /// [`scoring_curve`] is the curve that scores.
    fn researched_curve(&self) -> &'static Curve;
    fn needs(&self) -> &'static [Input];
    fn measure(&self, ctx: &Context<'_>) -> Outcome;
    /// The prior its score shrinks toward and what it is worth ([`shrink`]).
    fn prior(&self) -> &'static Prior {
        &shrink::DEFAULT_PRIOR
    }
    /// Whether the signal is a proxy read only from commit-message words:
    /// its credibility is capped at [`shrink::PROXY_CREDIBILITY`].
    fn proxy(&self) -> bool {
        false
    }
    /// The evidence behind a measurement, in the prior's unit; `None`: the
    /// value is not estimated from sampled events (a count, a property of
    /// the whole tree), so the evidence is complete. Default: the sample's
    /// resampling units.
    fn evidence(&self, m: &Measured) -> Option<f64> {
        match m.sample {
            Sample::Fixed => None,
            _ => Some(m.sample.units() as f64),
        }
    }
}

/// A measurement's score before and after shrinkage toward the signal's
/// prior ([`shrink`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shrunk {
    /// The curve's score of the value.
    pub raw: f64,
    /// The evidence in the prior's unit; `None`: complete.
    pub evidence: Option<f64>,
    /// The evidence's weight against the prior, 0–1.
    pub credibility: f64,
    /// The reported score: `credibility · raw + (1 − credibility) · prior`.
    pub score: f64,
}

impl Shrunk {
    /// The shrunk score of `raw` (a bootstrap replicate's raw score) at this
    /// measurement's credibility.
    pub fn of(&self, s: &dyn Signal, raw: f64) -> f64 {
        s.prior().shrink(raw, self.credibility)
    }
}

/// The score of `m` shrunk toward the prior of `s` in proportion to its
/// evidence.
pub fn shrunk(s: &dyn Signal, m: &Measured) -> Shrunk {
    let raw = scoring_curve(s).score(m.value);
    let evidence = s.evidence(m);
    let prior = s.prior();
    let credibility = match evidence {
        Some(n) => prior.credibility(n, s.proxy()),
        None if s.proxy() => shrink::PROXY_CREDIBILITY,
        None => 1.0,
    };
    Shrunk {
        raw,
        evidence,
        credibility,
        score: prior.shrink(raw, credibility),
    }
}

/// Sorts evidence strongest first (ties by id) and keeps the first
/// [`EVIDENCE_LIMIT`].
pub(crate) fn top_evidence(mut e: Vec<Evidence>) -> Vec<Evidence> {
    e.sort_by(|a, b| b.value.total_cmp(&a.value).then_with(|| a.id.cmp(&b.id)));
    e.truncate(EVIDENCE_LIMIT);
    e
}

/// Rounds to two decimals, so serialised figures do not carry float noise.
pub fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_kebab_case_and_weights_sum_to_at_most_one_per_family() {
        let mut ids = std::collections::BTreeSet::new();
        for s in REGISTRY {
            assert!(ids.insert(s.id()), "duplicate id {}", s.id());
            assert!(
                s.id().chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{}",
                s.id()
            );
            assert!(!s.doc().sources.is_empty(), "{} cites no source", s.id());
        }
        for f in Family::ALL {
            let w: f64 = REGISTRY
                .iter()
                .filter(|s| s.family() == f)
                .map(|s| s.weight())
                .sum();
            assert!(w <= 1.0 + 1e-9, "{f:?} weights sum to {w}");
        }
    }

    #[test]
    fn proxies_are_capped_in_weight_and_credibility() {
        let proxies: Vec<&str> = REGISTRY
            .iter()
            .filter(|s| s.proxy())
            .map(|s| s.id())
            .collect();
        assert_eq!(proxies, ["defect-prone-code", "ai-fix-follow"]);
        for s in REGISTRY.iter().filter(|s| s.proxy()) {
            assert!(s.weight() <= shrink::PROXY_WEIGHT_CAP, "{}", s.id());
            // However much evidence, the score stays off 0 and 100.
            let m = Measured {
                value: s.researched_curve().domain().1 + 1e6,
                coverage: 1.0,
                figures: vec![Figure {
                    name: "fix commits".into(),
                    value: 1e6,
                    unit: "commits".into(),
                }],
                evidence: Vec::new(),
                sample: Sample::Fixed,
            };
            let sh = shrunk(*s, &m);
            // The curve's extreme: 0 or 100 on a researched curve, the worst
            // mid-rank (within a few points of 0) on a calibrated one.
            assert!(sh.raw < 5.0 || sh.raw > 95.0, "{}: {}", s.id(), sh.raw);
            assert!(
                (20.0..=80.0).contains(&sh.score),
                "{}: {}",
                s.id(),
                sh.score
            );
        }
    }

    #[test]
    fn every_curve_is_monotone() {
        for s in REGISTRY {
            let c = scoring_curve(*s);
            let (lo, hi) = c.domain();
            let mut prev = None;
            for i in 0..=200 {
                let x = lo - 1.0 + (hi - lo + 2.0) * f64::from(i) / 200.0;
                let y = c.score(x);
                assert!((0.0..=100.0).contains(&y));
                if let Some(p) = prev {
                    if c.higher_is_better() {
                        assert!(y >= p, "{} not monotone at {x}", s.id());
                    } else {
                        assert!(y <= p, "{} not monotone at {x}", s.id());
                    }
                }
                prev = Some(y);
            }
        }
    }

    #[test]
    fn quantiles_interpolate() {
        assert_eq!(quantile(&mut [4.0, 1.0, 3.0, 2.0], 0.5), Some(2.5));
        assert_eq!(quantile(&mut [1.0, 2.0, 3.0, 4.0, 5.0], 0.75), Some(4.0));
        assert_eq!(quantile(&mut [], 0.5), None);
    }

    #[test]
    fn a_resampled_quantile_is_the_quantile_of_the_picked_values() {
        let values = [3.0, -0.0, 0.0, 7.5, 3.0, 1e9, -2.25, 0.5, 3.0, 11.0];
        let mut state = 7u64;
        for q in [0.0, 0.25, 0.5, 0.75, 0.9, 1.0] {
            let mut r = ResampledQuantile::new(&values, q);
            for len in [1usize, 2, 5, 10, 23] {
                for _ in 0..50 {
                    let idx: Vec<usize> = (0..len)
                        .map(|_| {
                            state = state
                                .wrapping_mul(6_364_136_223_846_793_005)
                                .wrapping_add(1_442_695_040_888_963_407);
                            (state >> 33) as usize % values.len()
                        })
                        .collect();
                    let mut picked: Vec<f64> = idx.iter().map(|&i| values[i]).collect();
                    let want = quantile(&mut picked, q).map(f64::to_bits);
                    assert_eq!(r.value(&idx).map(f64::to_bits), want, "q {q} idx {idx:?}");
                }
            }
        }
        assert_eq!(ResampledQuantile::new(&values, 0.5).value(&[]), None);
        assert_eq!(ResampledQuantile::new(&values, 0.5).value(&[10]), None);
    }

    #[test]
    fn ratio_samples_resample() {
        let s = Sample::Ratio {
            num: vec![1.0, 3.0],
            den: vec![2.0, 2.0],
        };
        assert_eq!(s.value(None), Some(1.0));
        assert_eq!(s.value(Some(&[1, 1])), Some(1.5));
    }
}
