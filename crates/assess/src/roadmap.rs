//! Interventions generated from findings, and the roadmap that picks and
//! sequences them.

use friction_model::health::Band;
use std::collections::{BTreeMap, BTreeSet};

use friction_signals::{Data, Outcome, Overrides, Scope, round2};
use serde::{Deserialize, Serialize};

use crate::cost::{Cost, CostModel, Economics, Range, cost_model};
use crate::index::{Baseline, project_all};
use crate::methodology::{
    AUTOMATE_STEP_DAYS, CUT_CI_DAYS, MIN_INDEX_GAIN, QUARANTINE_DAYS_PER_TEST, QUARANTINE_TESTS,
    REFACTOR_TARGET_HEALTH, decouple_effort, defect_reduction, refactor_effort, spread_effort,
};

/// What an intervention changes, for projections.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Health { file_id: String, to: f64 },
    Spread { file_id: String },
    Decouple { a: String, b: String },
    Value { signal: &'static str, to: f64 },
}

impl Effect {
    fn apply(&self, o: &mut Overrides) {
        match self {
            Effect::Health { file_id, to } => {
                o.health.insert(file_id.clone(), *to);
            }
            Effect::Spread { file_id } => {
                o.spread.insert(file_id.clone());
            }
            Effect::Decouple { a, b } => {
                o.decoupled.insert((a.clone(), b.clone()));
            }
            Effect::Value { signal, to } => {
                o.values.insert((*signal).to_owned(), *to);
            }
        }
    }
}

/// A candidate move.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Intervention {
    pub id: String,
    /// `refactor`, `spread-knowledge`, `decouple`, `reduce-batch-size`, `cut-review-pickup`,
    /// `deploy-more-often`, `shorten-path-to-production`, `assign-owners`,
    /// `quarantine-flaky-tests`, `cut-ci-duration`, `automate-manual-step`.
    pub kind: String,
    pub title: String,
    pub why: String,
    /// Person-days.
    pub effort_days: Range,
    /// Friction cost removed per year (estimate); zero hours when the move
    /// reduces risk rather than cost.
    pub benefit: Cost,
    pub risk_reduction: String,
    /// Weeks until the benefit starts to show.
    pub time_to_impact_weeks: Range,
    pub depends_on: Vec<String>,
    /// Index points this move gains on its own.
    pub index_gain: f64,
    /// What the move changes, for projections. Not part of the JSON: an
    /// intervention read back from a stored assessment has none and cannot
    /// be projected again (re-score the snapshot instead).
    #[serde(skip)]
    pub effect: Option<Effect>,
}

/// One roadmap step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    pub step: usize,
    pub intervention: String,
    pub title: String,
    pub effort_days: Range,
    pub benefit: Cost,
    pub time_to_impact_weeks: Range,
    /// The repository index projected after this and every earlier step.
    pub projected_index: Option<f64>,
    pub cumulative_effort_days: Range,
    pub cumulative_benefit_hours: Range,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Roadmap {
    /// Share of the addressable cost the roadmap aims to capture.
    pub target_share: f64,
    /// Person-days available (`--budget`), if given.
    pub budget_days: Option<f64>,
    /// Benefit of every cost-bearing intervention together (hours per year).
    pub addressable_hours: Range,
    /// Share of the addressable benefit (mid-points) the steps capture.
    pub captured_share: f64,
    pub index_before: Option<f64>,
    pub steps: Vec<Step>,
}

/// An unhealthy file where at least this many, and this share of, the
/// window's revisions are AI-assisted is "stabilised before it is
/// accelerated" (friction's choice: a third of the change, and more than a
/// coincidence).
const AI_CONCENTRATION_REVISIONS: u64 = 3;
const AI_CONCENTRATION_SHARE: f64 = 1.0 / 3.0;

/// How many refactoring and knowledge candidates are considered.
const MAX_REFACTOR: usize = 25;
const MAX_SPREAD: usize = 10;
const MAX_DECOUPLE: usize = 3;

/// A change of practice that moves one signal to the healthy band; its
/// effort and time to impact are in the methodology (Interventions).
struct ProcessMove {
    signal: &'static str,
    id: &'static str,
    title: &'static str,
    why: fn(f64, f64) -> String,
    effort_days: (f64, f64),
    weeks: (f64, f64),
    risk_reduction: &'static str,
}

static PROCESS_MOVES: &[ProcessMove] = &[
    ProcessMove {
        signal: "batch-size",
        id: "reduce-batch-size",
        title: "Reduce change batch size",
        why: |v, t| {
            format!("75 % of commits change up to {v:.0} lines; the healthy band starts at {t:.0}")
        },
        effort_days: (5.0, 15.0),
        weeks: (4.0, 12.0),
        risk_reduction: "smaller changes: faster review, safer deploys and roll-backs (DORA)",
    },
    ProcessMove {
        signal: "review-wait",
        id: "cut-review-pickup",
        title: "Cut review pickup time",
        why: |v, t| {
            format!(
                "merged pull requests wait a median {v:.0} hours for and in review; the healthy \
                 band starts at {t:.0}"
            )
        },
        effort_days: (2.0, 5.0),
        weeks: (2.0, 6.0),
        risk_reduction: "changes reach the main branch while their context is fresh",
    },
    ProcessMove {
        signal: "deployment-frequency",
        id: "deploy-more-often",
        title: "Deploy smaller, more often",
        why: |v, t| {
            format!("a median {v:.2} deployment days a week; the healthy band starts at {t:.0}")
        },
        effort_days: (10.0, 30.0),
        weeks: (6.0, 16.0),
        risk_reduction: "each deployment carries less change: failures are smaller and easier \
                         to roll back (DORA)",
    },
    ProcessMove {
        signal: "lead-time-for-changes",
        id: "shorten-path-to-production",
        title: "Shorten the path to production",
        why: |v, t| {
            format!(
                "a commit reaches production after a median {v:.0} hours; the healthy band \
                 starts at {t:.0}"
            )
        },
        effort_days: (10.0, 40.0),
        weeks: (8.0, 24.0),
        risk_reduction: "finished work reaches users sooner; fixes ship the same way",
    },
];

/// Interventions from the findings, each with its stand-alone index gain.
pub fn interventions(data: &Data, economics: &Economics, base: &CostModel) -> Vec<Intervention> {
    let scope = Scope::repository();
    let baseline = Baseline::new(data, &scope);
    let base_index = baseline.index();
    let outcomes = &baseline.outcomes;
    let outcome = |id: &str| outcomes.iter().find(|(s, _)| s.id() == id).map(|(_, o)| o);
    let mut out: Vec<Intervention> = Vec::new();
    let years = (f64::from(data.months) / 12.0).max(1.0 / 12.0);
    let knowledge = data.knowledge();
    let k_by_path: BTreeMap<&str, &friction_analysis::knowledge::FileKnowledge> = knowledge
        .files
        .iter()
        .map(|f| (f.path.as_str(), f))
        .collect();
    let id_of: BTreeMap<&str, &str> = data
        .files
        .iter()
        .map(|f| (f.path.as_str(), f.file_id.as_str()))
        .collect();

    // Knowledge first: refactorings of islands depend on them.
    let mut spread_ids: BTreeMap<String, String> = BTreeMap::new();
    let mut knowledge_candidates: Vec<&crate::cost::FileCost> = base
        .files
        .iter()
        .filter(|f| {
            f.is_product()
                && k_by_path
                    .get(f.path.as_str())
                    .is_some_and(|k| k.island || k.orphaned)
        })
        .collect();
    knowledge_candidates.sort_by(|a, b| {
        (b.revisions * u64::from(b.code_lines))
            .cmp(&(a.revisions * u64::from(a.code_lines)))
            .then(a.path.cmp(&b.path))
    });
    for f in knowledge_candidates.into_iter().take(MAX_SPREAD) {
        let k = k_by_path[f.path.as_str()];
        let id = format!("spread-knowledge:{}", f.path);
        let e = spread_effort(f.code_lines);
        spread_ids.insert(f.path.clone(), id.clone());
        out.push(Intervention {
            id,
            kind: "spread-knowledge".into(),
            title: format!("Spread the knowledge of {}", f.path),
            why: if k.orphaned {
                format!(
                    "no active author knows it, yet it changed {} times in the window",
                    f.revisions
                )
            } else {
                format!(
                    "{:.0} % written by one active author; changed {} times in the window",
                    k.main_share, f.revisions
                )
            },
            effort_days: Range::new(e[0], e[1]),
            benefit: Cost {
                hours: Range::zero(),
                money: economics.hourly_cost.map(|_| Range::zero()),
            },
            risk_reduction: format!("{} code lines gain a second active expert", f.code_lines),
            time_to_impact_weeks: Range::new(e[0] / 5.0, e[1] / 5.0 + 4.0),
            depends_on: Vec::new(),
            index_gain: 0.0,
            effect: Some(Effect::Spread {
                file_id: id_of[f.path.as_str()].to_owned(),
            }),
        });
    }

    // AI-assisted revisions per file at the assessed commit: an unhealthy
    // file where AI-assisted change concentrates is stabilised before it is
    // accelerated (issue 22).
    let mut ai_revisions: BTreeMap<&str, u64> = BTreeMap::new();
    let mut last: BTreeMap<u32, u32> = BTreeMap::new();
    for c in &data.changes[data.window_start()..] {
        let Some(i) = c.file else { continue };
        if data.commits[c.commit as usize].ai && last.insert(i, c.commit) != Some(c.commit) {
            *ai_revisions
                .entry(data.files[i as usize].path.as_str())
                .or_default() += 1;
        }
    }

    // Refactor the costliest unhealthy product files (test code is never a
    // refactoring target: issue 20, item 7).
    let mut refactor: Vec<&crate::cost::FileCost> = base
        .files
        .iter()
        .filter(|f| {
            f.is_product() && f.health.is_some_and(|h| !Band::is_healthy(h)) && f.revisions >= 2
        })
        .collect();
    refactor.sort_by(|a, b| {
        let ka = a.friction.hours.mid() + a.defect_work.hours.mid();
        let kb = b.friction.hours.mid() + b.defect_work.hours.mid();
        kb.total_cmp(&ka).then_with(|| a.path.cmp(&b.path))
    });
    for f in refactor.into_iter().take(MAX_REFACTOR) {
        let h = f.health.unwrap_or(10.0);
        let e = refactor_effort(f.code_lines, h);
        let red = defect_reduction(h);
        let benefit = Range::new(
            f.friction.hours.low + f.defect_work.hours.low * red[0],
            f.friction.hours.high + f.defect_work.hours.high * red[1],
        );
        let fixes_per_year = f.fix_commits as f64 / years;
        let gap_weeks = f.median_gap_days.unwrap_or(30.0) / 7.0;
        let ai = ai_revisions.get(f.path.as_str()).copied().unwrap_or(0);
        let accelerated = ai >= AI_CONCENTRATION_REVISIONS
            && ai as f64 >= AI_CONCENTRATION_SHARE * f.revisions as f64;
        out.push(Intervention {
            id: format!("refactor:{}", f.path),
            kind: "refactor".into(),
            title: if accelerated {
                format!(
                    "Stabilise {} before accelerating it: refactor to a healthy score",
                    f.path
                )
            } else {
                format!("Refactor {} to a healthy score", f.path)
            },
            why: format!(
                "health {h:.1}, changed {} times in the window{}{}",
                f.revisions,
                if f.fix_commits > 0 {
                    format!(", {} fix commits", f.fix_commits)
                } else {
                    String::new()
                },
                if ai > 0 {
                    format!(", {ai} of the changes AI-assisted")
                } else {
                    String::new()
                }
            ),
            effort_days: Range::new(e[0], e[1]),
            benefit: Cost {
                hours: benefit,
                money: economics.hourly_cost.map(|c| benefit.scale(c)),
            },
            risk_reduction: format!(
                "{:.1}–{:.1} fix commits a year avoided ({:.0}–{:.0} % fewer defects in healthy code)",
                fixes_per_year * red[0],
                fixes_per_year * red[1],
                red[0] * 100.0,
                red[1] * 100.0
            ),
            time_to_impact_weeks: Range::new(e[0] / 5.0, e[1] / 5.0 + gap_weeks),
            depends_on: spread_ids.get(&f.path).cloned().into_iter().collect(),
            index_gain: 0.0,
            effect: Some(Effect::Health {
                file_id: id_of[f.path.as_str()].to_owned(),
                to: REFACTOR_TARGET_HEALTH,
            }),
        });
    }

    // Decouple the components changed together most often.
    if let Some(Outcome::Measured(m)) = outcome("structural-coupling") {
        for e in m
            .evidence
            .iter()
            .filter(|e| e.value >= 5.0)
            .take(MAX_DECOUPLE)
        {
            let Some((a, b)) = e.id.split_once(" + ") else {
                continue;
            };
            let files = pair_files(data, a, b);
            let eff = decouple_effort(files);
            out.push(Intervention {
                id: format!("decouple:{a}+{b}"),
                kind: "decouple".into(),
                title: format!("Decouple components {a} and {b}"),
                why: format!(
                    "{} changes in the window had to touch both ({files} production files involved)",
                    e.value
                ),
                effort_days: Range::new(eff[0], eff[1]),
                benefit: Cost {
                    hours: Range::zero(),
                    money: economics.hourly_cost.map(|_| Range::zero()),
                },
                risk_reduction: format!(
                    "about {:.0} cross-component changes a year stay inside one component",
                    e.value / years
                ),
                time_to_impact_weeks: Range::new(eff[0] / 5.0, eff[1] / 5.0 + 8.0),
                depends_on: Vec::new(),
                index_gain: 0.0,
                effect: Some(Effect::Decouple {
                    a: a.to_owned(),
                    b: b.to_owned(),
                }),
            });
        }
    }

    // Process moves where their signal is below the healthy band: the
    // target is the value where the healthy band starts.
    for mv in PROCESS_MOVES {
        let Some(Outcome::Measured(m)) = outcome(mv.signal) else {
            continue;
        };
        let s = friction_signals::find(mv.signal).expect("registered");
        if s.curve().score(m.value) >= crate::methodology::HEALTHY_FROM {
            continue;
        }
        let target = s.curve().value_for(crate::methodology::HEALTHY_FROM);
        out.push(Intervention {
            id: mv.id.into(),
            kind: mv.id.into(),
            title: mv.title.into(),
            why: (mv.why)(m.value, target),
            effort_days: Range::new(mv.effort_days.0, mv.effort_days.1),
            benefit: Cost {
                hours: Range::zero(),
                money: economics.hourly_cost.map(|_| Range::zero()),
            },
            risk_reduction: mv.risk_reduction.into(),
            time_to_impact_weeks: Range::new(mv.weeks.0, mv.weeks.1),
            depends_on: Vec::new(),
            index_gain: 0.0,
            effect: Some(Effect::Value {
                signal: mv.signal,
                to: target,
            }),
        });
    }
    if let Some(Outcome::Measured(m)) = outcome("unowned-code")
        && m.value > 5.0
    {
        out.push(Intervention {
            id: "assign-owners".into(),
            kind: "assign-owners".into(),
            title: "Assign CODEOWNERS for unowned code".into(),
            why: format!("{:.0} % of the code has no owner of record", m.value),
            effort_days: Range::new(0.5, 2.0),
            benefit: Cost {
                hours: Range::zero(),
                money: economics.hourly_cost.map(|_| Range::zero()),
            },
            risk_reduction: "every change gets an accountable reviewer".into(),
            time_to_impact_weeks: Range::new(1.0, 2.0),
            depends_on: Vec::new(),
            index_gain: 0.0,
            effect: Some(Effect::Value {
                signal: "unowned-code",
                to: 0.0,
            }),
        });
    }

    out.extend(delivery_moves(data, economics, &outcome));

    let projected: Vec<Overrides> = out
        .iter()
        .map(|iv| {
            let mut o = Overrides::default();
            if let Some(e) = &iv.effect {
                e.apply(&mut o);
            }
            o
        })
        .collect();
    let after = project_all(data, &scope, &baseline, &projected);
    for (iv, after) in out.iter_mut().zip(after) {
        iv.index_gain = match (base_index, after) {
            (Some(b), Some(a)) => round2(a - b),
            _ => 0.0,
        };
    }
    out
}

/// The figure of a measurement with this name.
fn figure(m: &friction_signals::Measured, name: &str) -> Option<f64> {
    m.figures.iter().find(|f| f.name == name).map(|f| f.value)
}

/// Moves on CI, tests and manual steps, read from the exports' signals: quarantine
/// and fix the flakiest tests, cut the slowest workflow's p90 to the healthy
/// edge, automate the most frequent manual job. Each is a risk move (no cost
/// estimate) projected by the value its signal would have after it.
fn delivery_moves<'a>(
    data: &Data,
    economics: &Economics,
    outcome: &impl Fn(&str) -> Option<&'a Outcome>,
) -> Vec<Intervention> {
    let no_cost = || Cost {
        hours: Range::zero(),
        money: economics.hourly_cost.map(|_| Range::zero()),
    };
    let mut out = Vec::new();
    if let Some(Outcome::Measured(m)) = outcome("flaky-tests") {
        let flaky: Vec<&friction_signals::Evidence> = m
            .evidence
            .iter()
            .filter(|e| e.kind == "test")
            .take(QUARANTINE_TESTS)
            .collect();
        if let (Some(first), Some(all_flaky), Some(tests)) =
            (flaky.first(), figure(m, "flaky tests"), figure(m, "tests"))
        {
            let k = flaky.len() as f64;
            out.push(Intervention {
                id: "quarantine-flaky-tests".into(),
                kind: "quarantine-flaky-tests".into(),
                title: if flaky.len() == 1 {
                    format!("Quarantine and fix flaky test {}", first.id)
                } else {
                    format!(
                        "Quarantine and fix flaky test {} and the next {} flakiest",
                        first.id,
                        flaky.len() - 1
                    )
                },
                why: format!(
                    "{all_flaky:.0} of {tests:.0} tests are flaky ({:.1} %); {} {}",
                    m.value, first.id, first.label
                ),
                effort_days: Range::new(
                    QUARANTINE_DAYS_PER_TEST[0] * k,
                    QUARANTINE_DAYS_PER_TEST[1] * k,
                ),
                benefit: no_cost(),
                risk_reduction: "failures mean defects again: fewer re-runs, and real \
                    regressions are no longer dismissed as flakes"
                    .into(),
                time_to_impact_weeks: Range::new(1.0, 4.0),
                depends_on: Vec::new(),
                index_gain: 0.0,
                effect: Some(Effect::Value {
                    signal: "flaky-tests",
                    to: 100.0 * (all_flaky - k).max(0.0) / tests.max(1.0),
                }),
            });
        }
    }
    let delivery = data.delivery.as_ref();
    if let (Some(Outcome::Measured(m)), Some(d)) = (outcome("ci-duration"), delivery) {
        let s = friction_signals::find("ci-duration").expect("registered");
        let target = s.curve().value_for(crate::methodology::HEALTHY_FROM);
        if let Some(slowest) = m.evidence.first().filter(|e| e.value > target) {
            // Every run of the workflow made faster in proportion, so that its
            // p90 reaches the healthy edge; the repository's p90 recomputed.
            let scale = target / slowest.value;
            let mut minutes: Vec<f64> = friction_signals::workflow_minutes(d)
                .into_iter()
                .flat_map(|(w, v)| {
                    let f = if w == slowest.id { scale } else { 1.0 };
                    v.into_iter().map(move |x| x * f)
                })
                .collect();
            let to = friction_signals::quantile(&mut minutes, 0.9).unwrap_or(m.value);
            out.push(Intervention {
                id: format!("cut-ci-duration:{}", slowest.id),
                kind: "cut-ci-duration".into(),
                title: format!("Cut CI p90 of workflow {}", slowest.id),
                why: format!(
                    "its successful runs take up to {:.0} minutes (p90); the healthy edge is {target:.0}",
                    slowest.value
                ),
                effort_days: Range::new(CUT_CI_DAYS[0], CUT_CI_DAYS[1]),
                benefit: no_cost(),
                risk_reduction: format!(
                    "feedback, fixes and rollbacks through {} within {target:.0} minutes",
                    slowest.id
                ),
                time_to_impact_weeks: Range::new(1.0, 4.0),
                depends_on: Vec::new(),
                index_gain: 0.0,
                effect: Some(Effect::Value {
                    signal: "ci-duration",
                    to,
                }),
            });
        }
    }
    if let Some(Outcome::Measured(m)) = outcome("toil-per-release")
        && let Some(job) = m.evidence.iter().find(|e| e.kind == "job")
    {
        let total: f64 = ["manual jobs", "manual triggers", "re-runs"]
            .iter()
            .filter_map(|n| figure(m, n))
            .sum();
        // The unit the value counts per: weeks, production deployments, release tags.
        let per = m
            .figures
            .first()
            .map_or("release", |f| f.unit.trim_end_matches('s'));
        out.push(Intervention {
            id: format!("automate-manual-step:{}", job.id),
            kind: "automate-manual-step".into(),
            title: format!("Automate manual step {}", job.id),
            why: format!(
                "a person started it {:.0} times; {:.1} manual interventions per {per}",
                job.value, m.value
            ),
            effort_days: Range::new(AUTOMATE_STEP_DAYS[0], AUTOMATE_STEP_DAYS[1]),
            benefit: no_cost(),
            risk_reduction: "releases stop waiting for the people who know the step".into(),
            time_to_impact_weeks: Range::new(1.0, 3.0),
            depends_on: Vec::new(),
            index_gain: 0.0,
            effect: Some(Effect::Value {
                signal: "toil-per-release",
                to: if total > 0.0 {
                    m.value * (total - job.value).max(0.0) / total
                } else {
                    m.value
                },
            }),
        });
    }
    out
}

/// Distinct production files of the window's commits that touch both components.
fn pair_files(data: &Data, a: &str, b: &str) -> usize {
    let by_id: BTreeMap<&str, &friction_signals::File> =
        data.files.iter().map(|f| (f.file_id.as_str(), f)).collect();
    let mut per_commit: BTreeMap<u32, Vec<&friction_signals::File>> = BTreeMap::new();
    for c in &data.changes[data.window_start()..] {
        if let Some(f) = by_id.get(c.file_id.as_str()).filter(|f| !f.test) {
            per_commit.entry(c.commit).or_default().push(f);
        }
    }
    let mut files: BTreeSet<&str> = BTreeSet::new();
    for fs in per_commit.values() {
        let comps: BTreeSet<&str> = fs.iter().map(|f| f.component.as_str()).collect();
        if comps.contains(a) && comps.contains(b) {
            files.extend(
                fs.iter()
                    .filter(|f| f.component == a || f.component == b)
                    .map(|f| f.path.as_str()),
            );
        }
    }
    files.len()
}

/// Picks and sequences interventions.
///
/// Cost-bearing moves: without a budget, the fewest moves that capture
/// `target_share` of the addressable benefit (largest benefit first, which is
/// optimal for the count); with a budget, the most benefit within it (0/1
/// knapsack on mid-point effort, half-day resolution). Risk moves (no cost
/// estimate) follow when they gain at least [`MIN_INDEX_GAIN`] index points on
/// their own and fit the remaining budget. Dependencies are pulled in. The
/// order: dependencies first, then quick wins (shortest time to impact, then
/// most benefit per day).
pub fn roadmap(
    data: &Data,
    economics: &Economics,
    candidates: &[Intervention],
    target_share: f64,
    budget_days: Option<f64>,
) -> Roadmap {
    let scope = Scope::repository();
    let baseline = Baseline::new(data, &scope);
    let index_before = baseline.index();
    let costed: Vec<&Intervention> = candidates
        .iter()
        .filter(|i| i.benefit.hours.high > 0.0)
        .collect();
    let addressable = costed
        .iter()
        .fold(Range::zero(), |acc, i| acc.add(&i.benefit.hours));
    let mut chosen: BTreeSet<String> = BTreeSet::new();
    let mut spent = 0.0;
    match budget_days {
        None => {
            let mut by_benefit = costed.clone();
            by_benefit.sort_by(|a, b| {
                b.benefit
                    .hours
                    .mid()
                    .total_cmp(&a.benefit.hours.mid())
                    .then_with(|| a.id.cmp(&b.id))
            });
            let mut got = 0.0;
            for i in by_benefit {
                if got >= target_share * addressable.mid() {
                    break;
                }
                got += i.benefit.hours.mid();
                chosen.insert(i.id.clone());
            }
        }
        Some(budget) => {
            let units = |d: f64| (d * 2.0).ceil() as usize;
            let cap = units(budget);
            let n = costed.len();
            // best[k][c]: max benefit with the first k items within c half-days.
            let mut best = vec![vec![0.0f64; cap + 1]; n + 1];
            for (k, i) in costed.iter().enumerate() {
                let w = units(i.effort_days.mid());
                for c in 0..=cap {
                    best[k + 1][c] = best[k][c];
                    if w <= c {
                        let v = best[k][c - w] + i.benefit.hours.mid();
                        if v > best[k + 1][c] + 1e-9 {
                            best[k + 1][c] = v;
                        }
                    }
                }
            }
            let mut c = cap;
            for k in (0..n).rev() {
                if (best[k + 1][c] - best[k][c]).abs() > 1e-9 {
                    chosen.insert(costed[k].id.clone());
                    c -= units(costed[k].effort_days.mid());
                }
            }
        }
    }
    let by_id: BTreeMap<&str, &Intervention> =
        candidates.iter().map(|i| (i.id.as_str(), i)).collect();
    // Pull in dependencies.
    for id in chosen.clone() {
        for d in &by_id[id.as_str()].depends_on {
            chosen.insert(d.clone());
        }
    }
    spent += chosen
        .iter()
        .map(|id| by_id[id.as_str()].effort_days.mid())
        .sum::<f64>();
    // Risk moves.
    let mut risk: Vec<&Intervention> = candidates
        .iter()
        .filter(|i| i.benefit.hours.high == 0.0 && i.index_gain >= MIN_INDEX_GAIN)
        .filter(|i| !chosen.contains(&i.id))
        .collect();
    risk.sort_by(|a, b| {
        (b.index_gain / b.effort_days.mid().max(0.1))
            .total_cmp(&(a.index_gain / a.effort_days.mid().max(0.1)))
            .then_with(|| a.id.cmp(&b.id))
    });
    for i in risk {
        if let Some(b) = budget_days
            && spent + i.effort_days.mid() > b
        {
            continue;
        }
        spent += i.effort_days.mid();
        chosen.insert(i.id.clone());
    }

    // Sequence.
    let mut pending: Vec<&Intervention> = chosen.iter().map(|id| by_id[id.as_str()]).collect();
    pending.sort_by(|a, b| {
        a.time_to_impact_weeks
            .low
            .total_cmp(&b.time_to_impact_weeks.low)
            .then_with(|| {
                let da = (a.benefit.hours.mid() + a.index_gain) / a.effort_days.mid().max(0.1);
                let db = (b.benefit.hours.mid() + b.index_gain) / b.effort_days.mid().max(0.1);
                db.total_cmp(&da)
            })
            .then_with(|| a.id.cmp(&b.id))
    });
    let mut done: BTreeSet<&str> = BTreeSet::new();
    let mut order: Vec<&Intervention> = Vec::new();
    while !pending.is_empty() {
        let pos = pending
            .iter()
            .position(|i| {
                i.depends_on
                    .iter()
                    .all(|d| done.contains(d.as_str()) || !chosen.contains(d))
            })
            .unwrap_or(0);
        let i = pending.remove(pos);
        done.insert(&i.id);
        order.push(i);
    }
    // Each step's projection applies it and every step before it.
    let mut overrides = Overrides::default();
    let cumulative: Vec<Overrides> = order
        .iter()
        .map(|i| {
            if let Some(e) = &i.effect {
                e.apply(&mut overrides);
            }
            overrides.clone()
        })
        .collect();
    let projected = project_all(data, &scope, &baseline, &cumulative);
    let mut steps = Vec::new();
    let (mut effort, mut benefit) = (Range::zero(), Range::zero());
    for (n, (i, projected)) in order.iter().zip(projected).enumerate() {
        effort = effort.add(&i.effort_days);
        benefit = benefit.add(&i.benefit.hours);
        steps.push(Step {
            step: n + 1,
            intervention: i.id.clone(),
            title: i.title.clone(),
            effort_days: i.effort_days,
            benefit: i.benefit.clone(),
            time_to_impact_weeks: i.time_to_impact_weeks,
            projected_index: projected.map(round2),
            cumulative_effort_days: effort,
            cumulative_benefit_hours: benefit,
        });
    }
    let _ = cost_model;
    let _ = economics;
    Roadmap {
        target_share,
        budget_days,
        addressable_hours: addressable,
        captured_share: if addressable.mid() > 0.0 {
            round2(benefit.mid() / addressable.mid())
        } else {
            0.0
        },
        index_before: index_before.map(round2),
        steps,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use friction_signals::delivery::{CiResult, Cite, Delivery, Job, Run, TestCase};

    const HOUR: i64 = 3600;

    /// One file changed once, and exports with: 20 tests of which `t0` and
    /// `t1` were retried to a pass; 12 successful `build` runs of 40 minutes
    /// and 12 `lint` runs of 2 minutes; a `deploy` job started by hand 6
    /// times in two weeks.
    fn data() -> Data {
        let mut d = Delivery {
            default_branch: Some("main".into()),
            ..Delivery::default()
        };
        for k in 0..24u32 {
            let (workflow, minutes) = if k % 2 == 0 {
                ("build", 40.0)
            } else {
                ("lint", 2.0)
            };
            d.runs.push(Run {
                id: k.to_string(),
                attempt: 1,
                workflow: workflow.into(),
                event: "push".into(),
                branch: "main".into(),
                result: Some(CiResult::Success),
                created: Some(i64::from(k) * 12 * HOUR),
                duration: Some(minutes * 60.0),
                ..Run::default()
            });
        }
        for k in 0..6u32 {
            d.jobs.push(Job {
                id: format!("j{k}"),
                run_id: (k * 2).to_string().into(),
                attempt: 1,
                name: "deploy".into(),
                status: "manual".into(),
                result: Some(CiResult::Manual),
                ..Job::default()
            });
        }
        for k in 0..20u32 {
            d.tests.push(TestCase {
                key: format!("suite / t{k}"),
                file: String::new(),
                path: None,
                outcome: "passed".into(),
                flaky_attempts: u32::from(k < 2),
                reruns: 0,
                commit: None,
                report: 0,
                cite: Cite::default(),
            });
        }
        let mut data = crate::fixture::one_file(9.5);
        data.delivery = Some(d);
        data
    }

    fn by_kind<'a>(all: &'a [Intervention], kind: &str) -> &'a Intervention {
        all.iter()
            .find(|i| i.kind == kind)
            .unwrap_or_else(|| panic!("no {kind} among {all:#?}"))
    }

    #[test]
    fn ci_test_and_toil_moves_name_their_target_and_project_its_value() {
        let data = data();
        let economics = Economics::default();
        let cost = crate::cost::cost_model(&data, &economics, &Overrides::default());
        let all = interventions(&data, &economics, &cost);

        let q = by_kind(&all, "quarantine-flaky-tests");
        assert_eq!(
            q.title,
            "Quarantine and fix flaky test suite / t0 and the next 1 flakiest"
        );
        assert_eq!(q.effort_days, Range::new(1.0, 6.0));
        assert_eq!(
            q.effect,
            Some(Effect::Value {
                signal: "flaky-tests",
                to: 0.0
            })
        );
        assert!(q.index_gain > 0.0, "{}", q.index_gain);

        // `build`'s 40 minutes scaled to the healthy edge (10): the runs are
        // then 12 × 10 and 12 × 2 minutes, whose p90 is 10.
        let c = by_kind(&all, "cut-ci-duration");
        assert_eq!(c.title, "Cut CI p90 of workflow build");
        match &c.effect {
            Some(Effect::Value { signal, to }) => {
                assert_eq!(*signal, "ci-duration");
                assert!((to - 10.0).abs() < 1e-9, "{to}");
            }
            other => panic!("{other:?}"),
        }
        assert!(c.index_gain > 0.0);

        // Six manual `deploy` jobs over 24 runs 12 hours apart: 12 days, two
        // weeks, 3 per week; automating them leaves none.
        let a = by_kind(&all, "automate-manual-step");
        assert_eq!(a.title, "Automate manual step deploy");
        assert_eq!(
            a.effect,
            Some(Effect::Value {
                signal: "toil-per-release",
                to: 0.0
            })
        );
        assert!(
            a.why.contains("3.0 manual interventions per week"),
            "{}",
            a.why
        );
    }

    #[test]
    fn no_ci_moves_without_exports() {
        let mut data = data();
        data.delivery = None;
        let economics = Economics::default();
        let cost = crate::cost::cost_model(&data, &economics, &Overrides::default());
        let all = interventions(&data, &economics, &cost);
        assert!(
            all.iter().all(|i| !matches!(
                i.kind.as_str(),
                "quarantine-flaky-tests" | "cut-ci-duration" | "automate-manual-step"
            )),
            "{all:#?}"
        );
    }
}
