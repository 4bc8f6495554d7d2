//! The assessment: pure computation over the signals' measurements.
//!
//! - [`index`]: signals → drivers → Execution Capacity Index per scope
//!   (repository, component, team), with coverage and bootstrap intervals.
//! - [`cost`]: friction cost per file, driver and repository, as ranges.
//! - [`roadmap`]: interventions from findings, and the roadmap.
//! - [`compare`]: what changed between two assessments, decomposed by
//!   driver, signal, file and roadmap step so the parts add up.
//! - [`methodology`]: the versioned weights and constants, and the generated
//!   methodology document.
//!
//! Nothing here does IO; the same [`friction_signals::Data`] and options
//! give the same [`Assessment`], byte for byte once serialised.

use std::collections::{BTreeMap, BTreeSet};

use friction_signals::{Data, METHODOLOGY_VERSION, Overrides, Scope, ScopeKind};
use serde::{Deserialize, Serialize};

pub mod compare;
pub mod cost;
pub mod index;
pub mod methodology;
pub mod roadmap;

pub use cost::{CostModel, Economics, Range};
pub use index::IndexResult;
pub use roadmap::{Intervention, Roadmap};

/// The JSON contract's id; `schemas/assessment.schema.json` describes it.
pub const SCHEMA: &str = "friction.assessment/1";

/// Options of one assessment.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    pub economics: Economics,
    /// Share of addressable cost the roadmap captures (0–1).
    pub target_share: f64,
    /// Person-days available, if limited.
    pub budget_days: Option<f64>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            economics: Economics::default(),
            target_share: methodology::DEFAULT_TARGET_SHARE,
            budget_days: None,
        }
    }
}

/// The index of a component or team.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScopeIndex {
    pub kind: ScopeKind,
    pub name: String,
    pub files: u64,
    pub code_lines: u64,
    #[serde(flatten)]
    pub index: IndexResult,
}

/// The whole assessment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assessment {
    pub schema: String,
    pub methodology: String,
    /// The window the signals read (dates, UTC).
    pub window_months: u32,
    /// Files at the assessed commit (excluded ones left out) and their code
    /// lines: the size of what was assessed (portfolio roll-ups weigh by it).
    /// Added after the first snapshots, which read back as 0.
    #[serde(default)]
    pub files: u64,
    #[serde(default)]
    pub code_lines: u64,
    pub index: IndexResult,
    pub components: Vec<ScopeIndex>,
    /// Per team (teams are each the files they changed most in the window);
    /// empty without a team mapping.
    pub teams: Vec<ScopeIndex>,
    pub cost: CostModel,
    pub interventions: Vec<Intervention>,
    pub roadmap: Roadmap,
    /// The exports beyond git read (absent when there are none, so a git-only
    /// assessment is unchanged).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exports: Option<Exports>,
    /// Execution verification: work reported done against the evidence, per
    /// team (absent without work items, so an assessment without them is
    /// unchanged). Beside the index: it moves no score.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution: Option<friction_analysis::execution::ExecutionVerification>,
}

/// What the assessment read beyond git: the audit trail of its exports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exports {
    /// The repository the records were kept for; empty when none applied.
    pub scope: String,
    pub default_branch: Option<String>,
    /// Every input file a kept fact came from, with its SHA-256.
    pub files: Vec<ExportFile>,
    pub counts: ExportCounts,
    /// Deployments come from releases or tags, not a deployment export.
    pub deployments_inferred: bool,
    /// What was left out, and why.
    pub notes: Vec<String>,
    /// How much of the stored incident data maps to this repository
    /// (absent without incident exports).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incidents: Option<IncidentData>,
}

/// The window's incidents and how many map to this repository.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IncidentData {
    /// "412 of 530 incidents mapped to this repository; 118 from 3 unmapped services: …".
    pub summary: String,
    /// Incidents started in the window, each once (overlapping exports, merges).
    pub total: u64,
    pub mapped: u64,
    /// Mapped by the default service-name matching rather than `[services]`.
    pub mapped_by_name: u64,
    /// The services mapped and how (`configured`, `name match (default)`).
    pub services: Vec<MappedService>,
    /// Services not mapped, most incidents first.
    pub unmapped: Vec<UnmappedService>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MappedService {
    pub service: String,
    pub mapped_by: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UnmappedService {
    pub service: String,
    pub incidents: u64,
}

/// An input file behind the facts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportFile {
    pub path: String,
    pub format: String,
    pub sha256: String,
}

/// Facts inside the window, each counted once.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ExportCounts {
    pub runs: u64,
    pub jobs: u64,
    pub pull_requests: u64,
    pub reviews: u64,
    pub deployments: u64,
    pub test_cases: u64,
    pub coverage_files: u64,
}

impl Exports {
    /// The audit summary of the delivery facts.
    pub fn of(d: &friction_signals::delivery::Delivery) -> Exports {
        Exports {
            scope: d.scope.clone(),
            default_branch: d.default_branch.clone(),
            files: d
                .sources
                .iter()
                .map(|s| ExportFile {
                    path: s.path.clone(),
                    format: s.format.clone(),
                    sha256: s.sha256.clone(),
                })
                .collect(),
            counts: ExportCounts {
                runs: d.runs.len() as u64,
                jobs: d.jobs.len() as u64,
                pull_requests: d.pulls.len() as u64,
                reviews: d.pulls.iter().map(|p| p.reviews.len() as u64).sum(),
                deployments: d.deploys.len() as u64,
                test_cases: d.tests.len() as u64,
                coverage_files: d.coverage.len() as u64,
            },
            deployments_inferred: d.deploys_inferred,
            notes: d.notes.clone(),
            incidents: d.incident_mapping.as_ref().map(|m| IncidentData {
                summary: m.summary(),
                total: m.total,
                mapped: m.mapped(),
                mapped_by_name: m.by_name,
                services: m
                    .services
                    .iter()
                    .map(|(s, by)| MappedService {
                        service: s.clone(),
                        mapped_by: (*by).to_owned(),
                    })
                    .collect(),
                unmapped: m
                    .unmapped
                    .iter()
                    .map(|(s, n)| UnmappedService {
                        service: s.clone(),
                        incidents: *n,
                    })
                    .collect(),
            }),
        }
    }
}

/// An assessment as it is written out (`friction assess --json`, stored
/// snapshots, reports): the [`Assessment`] and where it came from. Its JSON,
/// with keys sorted as `serde_json::Value` sorts them, is the contract
/// `schemas/assessment.schema.json` describes; reading it back and writing it
/// again gives the same bytes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssessmentDocument {
    #[serde(flatten)]
    pub assessment: Assessment,
    /// The friction version that computed it.
    pub tool_version: String,
    /// The commit whose code was measured (`None`: none was).
    pub commit: Option<String>,
    /// The window the signals read (dates, UTC).
    pub window_from: String,
    pub window_to: String,
    /// Authors (pseudonymous) that rules of several teams match, and the
    /// team chosen; left out when there is none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub team_overlaps: Vec<friction_analysis::teams::TeamOverlap>,
}

impl AssessmentDocument {
    /// The JSON text: keys sorted, pretty-printed (what is stored and printed).
    pub fn to_json(&self) -> String {
        serde_json::to_value(self)
            .and_then(|v| serde_json::to_string_pretty(&v))
            .unwrap_or_default()
    }

    /// Reads the JSON text of an assessment.
    pub fn from_json(text: &str) -> Result<AssessmentDocument, serde_json::Error> {
        serde_json::from_str(text)
    }
}

/// Runs the assessment.
pub fn assess(data: &Data, options: &Options) -> Assessment {
    // The cost model and the roadmap do not depend on the scope indices: they
    // are computed on a second thread (each part is deterministic on its own).
    std::thread::scope(|s| {
        let plan = s.spawn(|| {
            let none = Overrides::default();
            let cost = cost::cost_model(data, &options.economics, &none);
            let interventions = roadmap::interventions(data, &options.economics, &cost);
            let roadmap = roadmap::roadmap(
                data,
                &options.economics,
                &interventions,
                options.target_share,
                options.budget_days,
            );
            (cost, interventions, roadmap)
        });
        let (repository, components, teams) = scope_indices(data);
        let (cost, interventions, roadmap) = match plan.join() {
            Ok(p) => p,
            Err(p) => std::panic::resume_unwind(p),
        };
        Assessment {
            schema: SCHEMA.into(),
            methodology: METHODOLOGY_VERSION.into(),
            window_months: data.months,
            files: data.files.len() as u64,
            code_lines: data.files.iter().map(|f| u64::from(f.code_lines)).sum(),
            index: repository,
            components,
            teams,
            cost,
            interventions,
            roadmap,
            exports: data.delivery.as_ref().map(Exports::of),
            execution: data.execution.clone(),
        }
    })
}

/// The index of the repository, of each component and of each team.
fn scope_indices(data: &Data) -> (IndexResult, Vec<ScopeIndex>, Vec<ScopeIndex>) {
    let none = Overrides::default();
    let repository = index::index(data, &Scope::repository(), &none);
    let mut components = Vec::new();
    let mut by_component: BTreeMap<&str, BTreeSet<usize>> = BTreeMap::new();
    for (i, f) in data.files.iter().enumerate() {
        by_component.entry(&f.component).or_default().insert(i);
    }
    if by_component.len() > 1 {
        for (name, files) in by_component {
            components.push(scope_index(data, ScopeKind::Component, name, files));
        }
    }
    let mut teams = Vec::new();
    if let Some(map) = &data.teams {
        // A team's files: those it made the most window revisions of.
        let mut per_file: BTreeMap<usize, BTreeMap<&str, u64>> = BTreeMap::new();
        let ids: BTreeMap<&str, usize> = data
            .files
            .iter()
            .enumerate()
            .map(|(i, f)| (f.file_id.as_str(), i))
            .collect();
        let mut seen: BTreeSet<(u32, usize)> = BTreeSet::new();
        for c in &data.changes[data.window_start()..] {
            let Some(&i) = ids.get(c.file_id.as_str()) else {
                continue;
            };
            if !seen.insert((c.commit, i)) {
                continue;
            }
            let author = &data.commits[c.commit as usize].author;
            let team = map.get(author).map_or("(unmapped)", String::as_str);
            *per_file.entry(i).or_default().entry(team).or_default() += 1;
        }
        let mut by_team: BTreeMap<&str, BTreeSet<usize>> = BTreeMap::new();
        for (i, t) in per_file {
            if let Some((team, _)) = t.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0))) {
                by_team.entry(team).or_default().insert(i);
            }
        }
        for (name, files) in by_team {
            teams.push(scope_index(data, ScopeKind::Team, name, files));
        }
    }
    (repository, components, teams)
}

fn scope_index(data: &Data, kind: ScopeKind, name: &str, files: BTreeSet<usize>) -> ScopeIndex {
    let code_lines = files
        .iter()
        .map(|&i| u64::from(data.files[i].code_lines))
        .sum();
    let n = files.len() as u64;
    let scope = Scope {
        kind,
        name: name.to_owned(),
        files: Some(files),
    };
    ScopeIndex {
        kind,
        name: name.to_owned(),
        files: n,
        code_lines,
        index: index::index(data, &scope, &Overrides::default()),
    }
}

#[cfg(test)]
pub(crate) mod fixture {
    use friction_signals::{Change, Commit, Data, File};

    /// One file, `src/a.rs` (10 code lines at `health`), added by one commit
    /// on day 300 of a 400-day window.
    pub fn one_file(health: f64) -> Data {
        Data::new(
            0,
            400 * 86_400,
            12,
            "salt".into(),
            vec![File {
                path: "src/a.rs".into(),
                file_id: "src/a.rs".into(),
                component: "src".into(),
                test: false,
                code_lines: 10,
                health: Some(health),
                owned: None,
            }],
            vec![Commit {
                id: "c1".into(),
                time: 300 * 86_400,
                author: "ada@example.com".into(),
                fix: false,
                ai: false,
            }],
            vec![Change {
                commit: 0,
                created: true,
                file_id: "src/a.rs".into(),
                added: 10,
                deleted: 0,
                file: None,
                key: 0,
            }],
            None,
            None,
            true,
        )
    }
}
