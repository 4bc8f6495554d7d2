//! Interventions generated from findings, and the roadmap that picks and
//! sequences them.

use friction_model::health::Band;
use std::collections::{BTreeMap, BTreeSet};

use friction_signals::{Data, Outcome, Overrides, Scope, round2};
use serde::{Deserialize, Serialize};

use friction_signals::Family;

use crate::cost::{Cost, CostModel, Economics, Range};
use crate::index::{Baseline, project_all_families};
use crate::methodology::{
    AUTOMATE_STEP_DAYS, CUT_CI_DAYS, KNOWLEDGE_LOSS_CHANCE, MIN_INDEX_GAIN,
    QUARANTINE_DAYS_PER_TEST, QUARANTINE_TESTS, REFACTOR_TARGET_HEALTH, ROADMAP_ORDER,
    decouple_effort, defect_reduction, rediscovery_hours, refactor_effort, spread_effort,
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
    /// The drivers whose score the move raises on its own (the roadmap reads
    /// it to give the weakest driver steps; empty in assessments recorded
    /// before it).
    #[serde(default)]
    pub drivers: Vec<Family>,
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
    /// Index points the step gains on its own (the intervention's `index_gain`).
    #[serde(default)]
    pub own_index_gain: f64,
    /// Index points the step adds in the sequence: its projected index less
    /// the one before it.
    #[serde(default)]
    pub index_contribution: Option<f64>,
    /// Why the contribution differs from the own gain, when it does by more
    /// than the rounding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// What orders the steps: own index gain and cost removed, per person-day
    /// (mid-point effort).
    #[serde(default)]
    pub gain_per_day: f64,
    #[serde(default)]
    pub hours_per_day: f64,
}

/// The weakest measured driver and the steps that raise it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeakestDriver {
    pub family: Family,
    pub score: f64,
    /// Roadmap steps that raise its score.
    pub steps: Vec<usize>,
    /// Why no step raises it, when none does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
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
    /// The rule that orders the steps.
    #[serde(default)]
    pub order: String,
    /// The weakest measured driver and the steps that raise it (absent when no
    /// driver is measured, and in assessments recorded before it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weakest_driver: Option<WeakestDriver>,
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
        // The expected loss it avoids: the chance of losing the knowledge in
        // a year times the hours to rediscover it.
        let chance = if k.orphaned {
            [1.0, 1.0]
        } else {
            KNOWLEDGE_LOSS_CHANCE
        };
        let rediscovery = rediscovery_hours(f.code_lines);
        let loss = Range::new(chance[0] * rediscovery[0], chance[1] * rediscovery[1]);
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
                hours: loss,
                money: economics.hourly_cost.map(|c| loss.scale(c)),
            },
            risk_reduction: format!(
                "{} code lines gain a second active expert; expected loss avoided {:.1}–{:.1} hours a year \
                 ({} × {:.1}–{:.1} hours to rediscover them)",
                f.code_lines,
                loss.low,
                loss.high,
                if k.orphaned {
                    "the knowledge is already lost: certain".to_owned()
                } else {
                    format!(
                        "a {:.0}–{:.0} % chance a year that its only active author leaves",
                        chance[0] * 100.0,
                        chance[1] * 100.0
                    )
                },
                rediscovery[0],
                rediscovery[1]
            ),
            time_to_impact_weeks: Range::new(e[0] / 5.0, e[1] / 5.0 + 4.0),
            depends_on: Vec::new(),
            index_gain: 0.0,
            drivers: Vec::new(),
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
            drivers: Vec::new(),
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
                drivers: Vec::new(),
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
        if friction_signals::scoring_curve(s).score(m.value) >= crate::methodology::HEALTHY_FROM {
            continue;
        }
        let target = friction_signals::scoring_curve(s).value_for(crate::methodology::HEALTHY_FROM);
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
            drivers: Vec::new(),
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
            drivers: Vec::new(),
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
    let (_, base_families) = baseline.families();
    let after = project_all_families(data, &scope, &baseline, &projected);
    for (iv, (after, families)) in out.iter_mut().zip(after) {
        iv.index_gain = match (base_index, after) {
            (Some(b), Some(a)) => round2(a - b),
            _ => 0.0,
        };
        iv.drivers = raised(&base_families, &families);
    }
    out
}

/// The families whose score a projection raises.
fn raised(
    before: &BTreeMap<Family, Option<f64>>,
    after: &BTreeMap<Family, Option<f64>>,
) -> Vec<Family> {
    after
        .iter()
        .filter(|(f, a)| match (before.get(f).copied().flatten(), a) {
            (Some(b), Some(a)) => *a > b + 1e-9,
            (None, Some(_)) => true,
            _ => false,
        })
        .map(|(f, _)| *f)
        .collect()
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
                drivers: Vec::new(),
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
        let target = friction_signals::scoring_curve(s).value_for(crate::methodology::HEALTHY_FROM);
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
                drivers: Vec::new(),
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
            drivers: Vec::new(),
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
/// their own and fit the remaining budget. Dependencies are pulled in. When no
/// step raises the weakest measured driver, the move that raises it most per
/// person-day is added (within the budget). A move that gains no index point
/// and removes no cost is left out unless another step depends on it. The
/// order is [`ROADMAP_ORDER`]; each step says how much it adds in the
/// sequence beside its own gain, and why they differ when they do.
pub fn roadmap(
    data: &Data,
    _economics: &Economics,
    candidates: &[Intervention],
    target_share: f64,
    budget_days: Option<f64>,
) -> Roadmap {
    let scope = Scope::repository();
    let baseline = Baseline::new(data, &scope);
    let (index_before, families) = baseline.families();
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

    // The weakest measured driver gets steps.
    let weakest = families
        .iter()
        .filter_map(|(f, s)| Some((*f, (*s)?)))
        .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
    let mut weakest_note = None;
    if let Some((family, _)) = weakest
        && !chosen
            .iter()
            .any(|id| by_id[id.as_str()].drivers.contains(&family))
    {
        let best = candidates
            .iter()
            .filter(|i| i.drivers.contains(&family) && !chosen.contains(&i.id))
            .filter(|i| budget_days.is_none_or(|b| spent + i.effort_days.mid() <= b))
            .max_by(|a, b| {
                (a.index_gain / a.effort_days.mid().max(0.1))
                    .total_cmp(&(b.index_gain / b.effort_days.mid().max(0.1)))
                    .then_with(|| b.id.cmp(&a.id))
            });
        match best {
            Some(i) => {
                chosen.insert(i.id.clone());
                for d in &i.depends_on {
                    chosen.insert(d.clone());
                }
            }
            None => {
                weakest_note = Some(format!(
                    "no intervention friction can derive raises {} on its own{}",
                    family.title(),
                    if budget_days.is_some() {
                        " within the budget"
                    } else {
                        ""
                    }
                ));
            }
        }
    }

    // A move that gains nothing and removes no cost stays off, unless a
    // chosen step depends on it.
    let needed: BTreeSet<String> = chosen
        .iter()
        .flat_map(|id| by_id[id.as_str()].depends_on.iter().cloned())
        .collect();
    chosen.retain(|id| {
        let i = by_id[id.as_str()];
        i.index_gain > 0.0 || i.benefit.hours.high > 0.0 || needed.contains(id)
    });

    // Sequence: value per person-day, each rate relative to the best step's.
    let pending: Vec<&Intervention> = chosen.iter().map(|id| by_id[id.as_str()]).collect();
    let gain_rate = |i: &Intervention| i.index_gain.max(0.0) / i.effort_days.mid().max(0.1);
    let hours_rate = |i: &Intervention| i.benefit.hours.mid() / i.effort_days.mid().max(0.1);
    let best_gain = pending.iter().map(|i| gain_rate(i)).fold(0.0, f64::max);
    let best_hours = pending.iter().map(|i| hours_rate(i)).fold(0.0, f64::max);
    let value = |i: &Intervention| {
        let g = if best_gain > 0.0 {
            gain_rate(i) / best_gain
        } else {
            0.0
        };
        let h = if best_hours > 0.0 {
            hours_rate(i) / best_hours
        } else {
            0.0
        };
        g + h
    };
    let mut by_value = pending.clone();
    by_value.sort_by(|a, b| value(b).total_cmp(&value(a)).then_with(|| a.id.cmp(&b.id)));
    let mut done: BTreeSet<&str> = BTreeSet::new();
    let mut order: Vec<&Intervention> = Vec::new();
    fn place<'a>(
        i: &'a Intervention,
        by_id: &BTreeMap<&str, &'a Intervention>,
        chosen: &BTreeSet<String>,
        done: &mut BTreeSet<&'a str>,
        order: &mut Vec<&'a Intervention>,
    ) {
        if !done.insert(&i.id) {
            return;
        }
        for d in i.depends_on.iter().filter(|d| chosen.contains(*d)) {
            if let Some(dep) = by_id.get(d.as_str()) {
                place(dep, by_id, chosen, done, order);
            }
        }
        order.push(i);
    }
    for i in by_value {
        place(i, &by_id, &chosen, &mut done, &mut order);
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
    let projected = project_all_families(data, &scope, &baseline, &cumulative);
    let mut steps = Vec::new();
    let (mut effort, mut benefit) = (Range::zero(), Range::zero());
    let mut previous = index_before;
    let mut previous_families = families.clone();
    let mut raising = Vec::new();
    for (n, (i, (projected, fams))) in order.iter().zip(projected).enumerate() {
        effort = effort.add(&i.effort_days);
        benefit = benefit.add(&i.benefit.hours);
        let contribution = match (previous, projected) {
            (Some(b), Some(a)) => Some(round2(a - b)),
            _ => None,
        };
        if let Some((family, _)) = weakest
            && raised(&previous_families, &fams).contains(&family)
        {
            raising.push(n + 1);
        }
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
            own_index_gain: i.index_gain,
            index_contribution: contribution,
            note: contribution.and_then(|c| contribution_note(i.index_gain, c)),
            gain_per_day: round2(gain_rate(i)),
            hours_per_day: round2(hours_rate(i)),
        });
        previous = projected;
        previous_families = fams;
    }
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
        order: ROADMAP_ORDER.to_owned(),
        weakest_driver: weakest.map(|(family, score)| WeakestDriver {
            family,
            score: round2(score),
            note: if raising.is_empty() {
                weakest_note.or_else(|| {
                    Some(format!(
                        "no roadmap step raises {}: the steps chosen move other drivers",
                        family.title()
                    ))
                })
            } else {
                None
            },
            steps: raising,
        }),
        steps,
    }
}

/// Why a step adds a different number of index points in the sequence than
/// on its own (`None` when they agree within the rounding).
fn contribution_note(own: f64, contribution: f64) -> Option<String> {
    if (own - contribution).abs() < 0.05 {
        return None;
    }
    Some(if contribution < own {
        format!(
            "adds {contribution:.2} points after the earlier steps, {own:.2} on its own: earlier steps already \
             moved the signals it moves, and a signal's score flattens (or stops) as it nears the healthy band"
        )
    } else {
        format!(
            "adds {contribution:.2} points after the earlier steps, {own:.2} on its own: with them done it takes a \
             signal across a threshold of its score curve (a share of the code, or a count such as the truck \
             factor, that one step alone does not move far enough)"
        )
    })
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

    /// A year of history: two unhealthy product files changed often (one
    /// with recurring fixes), written by one active author (knowledge
    /// islands), a healthy file, a test file changed with them, and a second
    /// author on the healthy file.
    fn product_history() -> Data {
        use friction_signals::{Change, Commit, File};
        let file = |path: &str, lines: u32, health: f64| File {
            path: path.into(),
            file_id: path.into(),
            component: "src".into(),
            test: friction_analysis::fixes::is_test_path(path),
            code_lines: lines,
            health: Some(health),
            owned: None,
        };
        let files = vec![
            file("src/core.py", 900, 3.0),
            file("src/view.py", 400, 6.5),
            file("src/ok.py", 200, 10.0),
            file("tests/test_core.py", 700, 4.0),
        ];
        let (mut commits, mut changes) = (Vec::new(), Vec::new());
        let mut add = |day: i64, author: &str, fix: bool, paths: &[&str]| {
            let c = commits.len() as u32;
            commits.push(Commit {
                id: format!("c{c}"),
                time: day * 86_400,
                author: author.into(),
                fix,
                ai: false,
            });
            for p in paths {
                changes.push(Change {
                    commit: c,
                    created: day == 1,
                    file_id: (*p).into(),
                    added: 20,
                    deleted: 5,
                    file: None,
                    key: 0,
                });
            }
        };
        add(
            1,
            "ada@example.com",
            false,
            &[
                "src/core.py",
                "src/view.py",
                "src/ok.py",
                "tests/test_core.py",
            ],
        );
        for k in 0..24 {
            let day = 10 + k * 14;
            // 16 fix commits: enough evidence that Reliability's shrunk score
            // stays the weakest driver.
            if k % 3 != 1 {
                add(day, "ada@example.com", true, &["src/core.py"]);
            } else {
                add(
                    day,
                    "ada@example.com",
                    false,
                    &["src/core.py", "tests/test_core.py"],
                );
            }
            if k % 2 == 0 {
                add(
                    day + 1,
                    "ada@example.com",
                    false,
                    &["src/view.py", "tests/test_core.py"],
                );
            }
            if k % 4 == 0 {
                add(day + 2, "bob@example.com", false, &["src/ok.py"]);
            }
        }
        Data::new(
            0,
            365 * 86_400,
            12,
            "salt".into(),
            files,
            commits,
            changes,
            None,
            None,
            true,
        )
    }

    fn planned() -> (Vec<Intervention>, Roadmap) {
        let data = product_history();
        let economics = Economics::default();
        let cost = crate::cost::cost_model(&data, &economics, &Overrides::default());
        let all = interventions(&data, &economics, &cost);
        let rm = roadmap(&data, &economics, &all, 0.8, None);
        (all, rm)
    }

    #[test]
    fn test_code_is_never_a_refactoring_or_knowledge_target() {
        let (all, _) = planned();
        assert!(
            all.iter().any(|i| i.id == "refactor:src/core.py"),
            "{all:#?}"
        );
        assert!(all.iter().all(|i| !i.id.contains("tests/")), "{all:#?}");
    }

    #[test]
    fn knowledge_steps_carry_the_expected_loss_they_avoid() {
        let (all, _) = planned();
        let spread = all
            .iter()
            .find(|i| i.id == "spread-knowledge:src/core.py")
            .unwrap_or_else(|| panic!("{all:#?}"));
        // 13–20 % a year × 900 lines at 400–100 lines an hour (2.25–9 hours).
        assert_eq!(spread.benefit.hours, Range::new(0.13 * 2.25, 0.2 * 9.0));
        assert!(
            spread.risk_reduction.contains("expected loss avoided"),
            "{}",
            spread.risk_reduction
        );
    }

    #[test]
    fn steps_are_ordered_by_value_per_day_with_dependencies_first() {
        let (all, rm) = planned();
        assert!(rm.steps.len() >= 2, "{rm:#?}");
        let by_id: BTreeMap<&str, &Intervention> = all.iter().map(|i| (i.id.as_str(), i)).collect();
        let best_g = rm.steps.iter().map(|s| s.gain_per_day).fold(0.0, f64::max);
        let best_h = rm.steps.iter().map(|s| s.hours_per_day).fold(0.0, f64::max);
        let value = |s: &Step| {
            (if best_g > 0.0 {
                s.gain_per_day / best_g
            } else {
                0.0
            }) + (if best_h > 0.0 {
                s.hours_per_day / best_h
            } else {
                0.0
            })
        };
        for w in rm.steps.windows(2) {
            let is_dependency = all
                .iter()
                .any(|i| i.depends_on.contains(&w[0].intervention));
            // Rates are rounded to two decimals in the step.
            assert!(
                is_dependency || value(&w[0]) + 0.02 >= value(&w[1]),
                "{} before {}: {rm:#?}",
                w[0].intervention,
                w[1].intervention
            );
        }
        // A dependency comes right before what needs it.
        for (n, st) in rm.steps.iter().enumerate() {
            for d in &by_id[st.intervention.as_str()].depends_on {
                if let Some(at) = rm.steps.iter().position(|s| &s.intervention == d) {
                    assert!(at < n, "{d} after {}", st.intervention);
                }
            }
        }
        assert_eq!(rm.order, ROADMAP_ORDER);
    }

    #[test]
    fn every_step_moves_something_and_its_contribution_is_explained() {
        let (all, rm) = planned();
        let needed: BTreeSet<&str> = all
            .iter()
            .flat_map(|i| i.depends_on.iter().map(String::as_str))
            .collect();
        let mut sum = 0.0;
        for st in &rm.steps {
            assert!(
                st.own_index_gain > 0.0
                    || st.benefit.hours.high > 0.0
                    || needed.contains(st.intervention.as_str()),
                "{st:#?}"
            );
            let c = st.index_contribution.unwrap_or_else(|| panic!("{st:#?}"));
            sum += c;
            assert!(
                (c - st.own_index_gain).abs() < 0.05 || st.note.is_some(),
                "{st:#?}"
            );
        }
        // The contributions add up to the projected gain (within rounding).
        let last = rm.steps.last().and_then(|s| s.projected_index);
        let (Some(last), Some(before)) = (last, rm.index_before) else {
            panic!("{rm:#?}")
        };
        assert!(
            (last - before - sum).abs() < 0.01 * rm.steps.len() as f64,
            "{rm:#?}"
        );
    }

    #[test]
    fn the_weakest_driver_gets_a_step_or_a_reason() {
        let (_, rm) = planned();
        let w = rm
            .weakest_driver
            .as_ref()
            .unwrap_or_else(|| panic!("{rm:#?}"));
        // Team execution under the calibrated curves (`eci/8`): most of the
        // fixture's code is known by one author, worse than most of the
        // reference population; spreading that knowledge is its step.
        assert_eq!(w.family, Family::TeamExecution, "{rm:#?}");
        assert_eq!(w.note, None);
        let spread = rm
            .steps
            .iter()
            .find(|s| s.intervention.starts_with("spread-knowledge:"))
            .unwrap_or_else(|| panic!("{rm:#?}"));
        assert_eq!(w.steps, vec![spread.step], "{rm:#?}");
    }

    #[test]
    fn a_contribution_unlike_the_own_gain_is_explained() {
        assert_eq!(contribution_note(1.0, 1.02), None);
        assert!(contribution_note(0.3, 4.7).is_some_and(|n| n.contains("threshold")));
        assert!(contribution_note(2.0, 0.5).is_some_and(|n| n.contains("already")));
    }
}
