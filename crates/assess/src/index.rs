//! The Execution Capacity Index: signals → drivers → index, with coverage
//! and a bootstrap confidence interval at every level.

use std::collections::BTreeMap;

use friction_signals::shrink::posterior_variance;
use friction_signals::{
    Context, Data, Evidence, Family, Figure, Measured, Outcome, Overrides, REGISTRY, Reads, Sample,
    Scope, Shrunk, Signal, round2, shrunk,
};
use serde::{Deserialize, Serialize};

use crate::methodology::{BOOTSTRAP_REPLICATES, CI_LEVEL, CI_Z, band, family_weight};

/// One signal in one scope.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignalResult {
    pub id: String,
    pub title: String,
    pub family: Family,
    /// Share of its family (driver) this signal stands for.
    pub weight: f64,
    pub unit: String,
    pub value: Option<f64>,
    /// The score: the curve's score of the value shrunk toward the signal's
    /// prior in proportion to its evidence (`raw_score`, `evidence_count`,
    /// `credibility`).
    pub score: Option<f64>,
    pub band: Option<String>,
    /// 90 % interval of the score: bootstrap of the units with the prior's
    /// uncertainty where the evidence is thin.
    pub ci: Option<[f64; 2]>,
    /// The curve's score of the value before shrinkage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw_score: Option<f64>,
    /// The evidence the score rests on, in `evidence_unit` (absent: the
    /// value is not estimated from sampled events; nothing is shrunk).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence_count: Option<f64>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub evidence_unit: String,
    /// The evidence's weight against the prior, 0–1: score =
    /// credibility × raw score + (1 − credibility) × prior.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credibility: Option<f64>,
    /// The signal is a proxy read only from commit-message words (its
    /// credibility is capped).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub proxy: bool,
    /// Share (0–1) of the relevant units that had data.
    pub coverage: f64,
    pub figures: Vec<Figure>,
    pub evidence: Vec<Evidence>,
    /// Why there is no value.
    pub not_measured: Option<String>,
}

/// A driver family in one scope.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Driver {
    pub family: Family,
    pub title: String,
    /// The family's weight in the index (methodology).
    pub weight: f64,
    /// `None`: no signal of the family had data ("not measured").
    pub score: Option<f64>,
    pub band: Option<String>,
    pub ci: Option<[f64; 2]>,
    /// Share of the driver that was measured: its measured signals' weights
    /// (shares of the whole driver), each times the signal's own coverage.
    pub coverage: f64,
    /// Index points this driver contributes: the index is the sum of these.
    pub contribution: f64,
    /// Index points this driver costs against a perfect 100.
    pub points_lost: f64,
    pub signals: Vec<SignalResult>,
}

/// The index of one scope.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndexResult {
    /// 0–100; `None` when no driver could be measured.
    pub score: Option<f64>,
    pub band: Option<String>,
    pub ci: Option<[f64; 2]>,
    /// Share (0–1) of the methodology's total weight that had data.
    pub coverage: f64,
    pub drivers: Vec<Driver>,
}

impl Driver {
    /// The share of the driver its measured signals stand for (the sum of
    /// their weights, each a share of the whole driver).
    pub fn measured_share(&self) -> f64 {
        self.signals
            .iter()
            .filter(|s| s.score.is_some())
            .map(|s| s.weight)
            .sum()
    }
}

impl IndexResult {
    /// The weight of the measured drivers in the index: each driver's
    /// methodology weight times its measured share, summed.
    fn measured_weight(&self) -> f64 {
        self.drivers
            .iter()
            .filter(|d| d.score.is_some())
            .map(|d| d.weight * d.measured_share())
            .sum()
    }

    /// The weight a driver's score has in the index: its methodology weight
    /// times its measured share, renormalised over the measured drivers (what
    /// its points use); `None` when the driver is not measured.
    pub fn effective_weight(&self, family: Family) -> Option<f64> {
        let measured = self.measured_weight();
        let d = self.drivers.iter().find(|d| d.family == family)?;
        (d.score.is_some() && measured > 0.0).then(|| d.weight * d.measured_share() / measured)
    }

    /// The index points each signal contributes, with its driver, in the
    /// order of the drivers and their signals. The index is a weighted mean
    /// of the measured drivers' scores, and a driver's score a weighted mean
    /// of its measured signals' scores ([`aggregate`]), so a signal `s` of
    /// driver `f` contributes
    ///
    /// ```text
    /// c(s) = W(f) · w(s) · score(s) / Σ W(g) · share(g)   (g: measured drivers)
    /// ```
    ///
    /// points (`W`: the driver's methodology weight, `w`: the signal's share
    /// of its driver, `share`: the measured share of a driver), and the index
    /// is Σ c(s). A signal without a score contributes 0. Computed from the
    /// stored (two-decimal) scores, the sum can differ from the stored index
    /// by their rounding.
    pub fn signal_contributions(&self) -> Vec<(&Driver, &SignalResult, f64)> {
        let measured = self.measured_weight();
        self.drivers
            .iter()
            .flat_map(|d| {
                let share = d.measured_share();
                d.signals.iter().map(move |s| {
                    let points = match s.score {
                        Some(v) if share > 0.0 && measured > 0.0 => {
                            d.weight * s.weight * v / measured
                        }
                        _ => 0.0,
                    };
                    (d, s, points)
                })
            })
            .collect()
    }
}

/// The outcome of every signal in a scope (no bootstrap): the raw material
/// for [`index`] and for what-if projections.
pub fn measure(
    data: &Data,
    scope: &Scope,
    overrides: &Overrides,
) -> Vec<(&'static dyn Signal, Outcome)> {
    let ctx = Context::new(data, scope, overrides);
    REGISTRY.iter().map(|s| (*s, s.measure(&ctx))).collect()
}

/// Index projections of each of `overrides`, on up to two threads (the
/// projections are independent; the result is in input order either way).
pub fn project_all(
    data: &Data,
    scope: &Scope,
    base: &Baseline,
    overrides: &[Overrides],
) -> Vec<Option<f64>> {
    in_parallel(overrides, |o| base.project(data, scope, o))
}

/// As [`project_all`], with each projection's family (driver) scores.
pub fn project_all_families(
    data: &Data,
    scope: &Scope,
    base: &Baseline,
    overrides: &[Overrides],
) -> Vec<Projection> {
    in_parallel(overrides, |o| base.project_families(data, scope, o))
}

/// An index and its family scores (`None`: not measured).
pub type Projection = (Option<f64>, BTreeMap<Family, Option<f64>>);

fn in_parallel<T: Send>(overrides: &[Overrides], f: impl Fn(&Overrides) -> T + Sync) -> Vec<T> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(2);
    if threads < 2 || overrides.len() < 4 {
        return overrides.iter().map(&f).collect();
    }
    let half = overrides.len().div_ceil(2);
    let (a, b) = overrides.split_at(half);
    std::thread::scope(|s| {
        let other = s.spawn(|| b.iter().map(&f).collect::<Vec<_>>());
        let mut out: Vec<T> = a.iter().map(&f).collect();
        match other.join() {
            Ok(rest) => out.extend(rest),
            Err(p) => std::panic::resume_unwind(p),
        }
        out
    })
}

/// Every signal's outcome without overrides, with the kinds of override each
/// measurement read: what projections start from.
pub struct Baseline {
    pub outcomes: Vec<(&'static dyn Signal, Outcome)>,
    reads: Vec<Reads>,
    /// Each signal's weight for the facts measured (`Signal::weight_in`).
    weights: BTreeMap<&'static str, f64>,
}

impl Baseline {
    /// Measures every signal in `scope` without overrides.
    pub fn new(data: &Data, scope: &Scope) -> Baseline {
        let none = Overrides::default();
        let ctx = Context::new(data, scope, &none);
        let (mut outcomes, mut reads) = (Vec::new(), Vec::new());
        for s in REGISTRY {
            ctx.reset_reads();
            outcomes.push((*s, s.measure(&ctx)));
            reads.push(ctx.reads());
        }
        let weights = REGISTRY
            .iter()
            .map(|s| (s.id(), s.weight_in(data)))
            .collect();
        Baseline {
            outcomes,
            reads,
            weights,
        }
    }

    /// The index without overrides.
    pub fn index(&self) -> Option<f64> {
        self.families().0
    }

    /// The index and its family scores without overrides.
    pub fn families(&self) -> Projection {
        let scores: Vec<(&'static dyn Signal, Option<f64>)> = self
            .outcomes
            .iter()
            .map(|(s, o)| (*s, score_of(*s, o)))
            .collect();
        aggregate(&scores, |s| self.weight(s))
    }

    fn weight(&self, s: &dyn Signal) -> f64 {
        self.weights
            .get(s.id())
            .copied()
            .unwrap_or_else(|| s.weight())
    }

    /// As [`point_index`], measuring again only the weighted signals that
    /// read a kind of override `overrides` sets (the others cannot change the
    /// index; see [`Reads`]). Equal to `point_index(data, scope, overrides)`.
    pub fn project(&self, data: &Data, scope: &Scope, overrides: &Overrides) -> Option<f64> {
        self.project_families(data, scope, overrides).0
    }

    /// As [`Baseline::project`], with the family scores.
    pub fn project_families(
        &self,
        data: &Data,
        scope: &Scope,
        overrides: &Overrides,
    ) -> Projection {
        let kinds = overrides.kinds();
        let ctx = Context::new(data, scope, overrides);
        let scores: Vec<(&'static dyn Signal, Option<f64>)> = self
            .outcomes
            .iter()
            .zip(&self.reads)
            .map(|((s, o), r)| {
                // A weight-0 signal cannot move the index: not measured again.
                if r.meets(kinds) && self.weight(*s) > 0.0 {
                    (*s, score_of(*s, &s.measure(&ctx)))
                } else {
                    (*s, score_of(*s, o))
                }
            })
            .collect();
        aggregate(&scores, |s| self.weight(s))
    }
}

/// Signal scores → family scores → index, for one set of signal scores
/// (`None` = not measured) and the signals' weights for the facts
/// (`Signal::weight_in`). Returns the index and the family scores.
///
/// A family's score is the weighted mean of its measured signals. In the
/// index, a family weighs its methodology weight times the share of it that
/// was measured (the sum of its measured signals' weights, which are shares
/// of the whole driver): a driver measured by one weak signal counts for
/// that signal's share, not for the whole driver.
pub fn aggregate(
    scores: &[(&'static dyn Signal, Option<f64>)],
    weight: impl Fn(&dyn Signal) -> f64,
) -> (Option<f64>, BTreeMap<Family, Option<f64>>) {
    let mut families = BTreeMap::new();
    let (mut sum, mut w) = (0.0, 0.0);
    for f in Family::ALL {
        let (mut fsum, mut fw) = (0.0, 0.0);
        for (s, score) in scores.iter().filter(|(s, _)| s.family() == f) {
            if let Some(v) = score {
                let w = weight(*s);
                fsum += w * v;
                fw += w;
            }
        }
        let score = (fw > 0.0).then(|| fsum / fw);
        if let Some(v) = score {
            sum += family_weight(f) * fw * v;
            w += family_weight(f) * fw;
        }
        families.insert(f, score);
    }
    ((w > 0.0).then(|| sum / w), families)
}

/// The point index of a scope (no interval): for roadmap projections.
pub fn point_index(data: &Data, scope: &Scope, overrides: &Overrides) -> Option<f64> {
    let scores: Vec<(&'static dyn Signal, Option<f64>)> = measure(data, scope, overrides)
        .into_iter()
        .map(|(s, o)| (s, score_of(s, &o)))
        .collect();
    aggregate(&scores, |s| s.weight_in(data)).0
}

/// The reported (shrunk) score of an outcome.
fn score_of(s: &dyn Signal, o: &Outcome) -> Option<f64> {
    match o {
        Outcome::Measured(m) => Some(shrunk(s, m).score),
        Outcome::NotMeasured(_) => None,
    }
}

/// A measurement's shrunk score and its [`BOOTSTRAP_REPLICATES`] replicates:
/// each resamples the units with replacement (a value that is no statistic
/// of units keeps its raw score), shrinks the replicate's raw score with the
/// measurement's credibility `Z`, and adds the prior's uncertainty: a normal
/// draw whose variance makes the replicates' variance the posterior's,
/// `Z · V + (1 − Z) · τ²` (`V`: the raw replicates' variance, τ: the prior's
/// standard deviation). With complete evidence (`Z` = 1) this is the plain
/// bootstrap. Replicates are clamped to 0–100. Seeds derive from `seed` and
/// the signal id, so the replicates are reproducible.
pub fn replicates(s: &dyn Signal, m: &Measured, seed: &str) -> Replicates {
    let sh = shrunk(s, m);
    let n = m.sample.units();
    let raw: Vec<f64> = if n == 0 || matches!(m.sample, Sample::Fixed) {
        vec![sh.raw; BOOTSTRAP_REPLICATES]
    } else {
        let curve = friction_signals::scoring_curve(s);
        let mut rng = SplitMix::new(&format!("{seed}\u{0}{}\u{0}{n}", s.id()));
        let mut idx = vec![0usize; n];
        // A quantile's resamples are counted by rank, not sorted each.
        let mut ranked = match &m.sample {
            Sample::Quantile { values, q } => {
                Some(friction_signals::ResampledQuantile::new(values, *q))
            }
            _ => None,
        };
        (0..BOOTSTRAP_REPLICATES)
            .map(|_| {
                let value = match (&m.sample, &mut ranked) {
                    // A ratio's sums taken as the units are drawn: the same
                    // draws and additions, in the same order, as summing
                    // over the drawn indices.
                    (Sample::Ratio { num, den }, _) => {
                        let (mut a, mut b) = (0.0, 0.0);
                        for _ in 0..n {
                            let i = rng.below(n);
                            a += num[i];
                            b += den[i];
                        }
                        (b > 0.0).then(|| a / b)
                    }
                    (_, ranked) => {
                        for x in idx.iter_mut() {
                            *x = rng.below(n);
                        }
                        match ranked {
                            Some(r) => r.value(&idx),
                            None => m.sample.value(Some(&idx)),
                        }
                    }
                };
                curve.score(value.unwrap_or(m.value))
            })
            .collect()
    };
    let z = sh.credibility;
    let mean = raw.iter().sum::<f64>() / raw.len() as f64;
    let var = raw.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / raw.len() as f64;
    let posterior = posterior_variance(z, var);
    let spread = (posterior - z * z * var).max(0.0).sqrt();
    let mut normal = SplitMix::new(&format!("{seed}\u{0}{}\u{0}prior", s.id()));
    let reps = raw
        .iter()
        .map(|&r| {
            let noise = if spread > 0.0 {
                spread * normal.gaussian()
            } else {
                0.0
            };
            (sh.of(s, r) + noise).clamp(0.0, 100.0)
        })
        .collect();
    Replicates {
        shrunk: sh,
        scores: reps,
        sd: posterior.sqrt(),
    }
}

/// A measurement's shrunk score, its bootstrap replicates and its posterior
/// standard deviation ([`replicates`]).
#[derive(Debug, Clone)]
pub struct Replicates {
    pub shrunk: Shrunk,
    pub scores: Vec<f64>,
    /// `√(Z · V + (1 − Z) · τ²)`, in score points.
    pub sd: f64,
}

impl Replicates {
    /// The signal's interval: the shrunk score ± [`CI_Z`] posterior
    /// standard deviations, clamped to 0–100 (a normal approximation, so
    /// that more evidence never widens it; the bootstrap's percentiles carry
    /// the Monte-Carlo noise of 200 replicates).
    pub fn interval(&self) -> [f64; 2] {
        let (p, h) = (self.shrunk.score, CI_Z * self.sd);
        [
            round2((p - h).clamp(0.0, 100.0)),
            round2((p + h).clamp(0.0, 100.0)),
        ]
    }
}

/// A deterministic generator for the bootstrap (SplitMix64, Steele et al.
/// 2014). Hand-written because byte-identical output across versions and
/// platforms is a requirement, which no general-purpose RNG crate promises
/// for its streams.
pub(crate) struct SplitMix(u64);

impl SplitMix {
    pub(crate) fn new(seed: &str) -> SplitMix {
        SplitMix(friction_model::fnv::fnv1a64(seed.bytes()))
    }

    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0), by Lemire's multiply-shift.
    pub(crate) fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next()) * n as u128) >> 64) as usize
    }

    /// Uniform in (0, 1): the top 53 bits, never 0.
    fn unit(&mut self) -> f64 {
        ((self.next() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    /// A standard normal draw (Box–Muller, one of the pair).
    pub(crate) fn gaussian(&mut self) -> f64 {
        let (u, v) = (self.unit(), self.unit());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

fn interval(mut v: Vec<f64>) -> Option<[f64; 2]> {
    if v.is_empty() {
        return None;
    }
    let tail = (1.0 - CI_LEVEL) / 2.0;
    let lo = friction_signals::quantile(&mut v, tail)?;
    let hi = friction_signals::quantile(&mut v, 1.0 - tail)?;
    Some([round2(lo), round2(hi)])
}

/// The index of a scope, with evidence, coverage and bootstrap intervals.
///
/// The interval resamples each signal's units (files or commits) with
/// replacement, independently per signal, [`BOOTSTRAP_REPLICATES`] times,
/// and recomputes every score; signals that are not statistics of units
/// (the truck factor) keep their point value. Seeds derive from the scope
/// and signal ids, so the interval is reproducible.
pub fn index(data: &Data, scope: &Scope, overrides: &Overrides) -> IndexResult {
    let outcomes = measure(data, scope, overrides);
    let point: Vec<(&'static dyn Signal, Option<f64>)> = outcomes
        .iter()
        .map(|(s, o)| (*s, score_of(*s, o)))
        .collect();
    let weight = |s: &dyn Signal| s.weight_in(data);
    let (index, families) = aggregate(&point, weight);

    // Bootstrap replicates of every signal's score.
    let mut replicate_scores: Vec<Vec<(&'static dyn Signal, Option<f64>)>> =
        vec![point.clone(); BOOTSTRAP_REPLICATES];
    let mut signal_ci: BTreeMap<&str, Option<[f64; 2]>> = BTreeMap::new();
    let mut signal_shrunk: BTreeMap<&str, Shrunk> = BTreeMap::new();
    for (k, (s, o)) in outcomes.iter().enumerate() {
        let Outcome::Measured(m) = o else { continue };
        let r = replicates(*s, m, &scope.name);
        for (rep, sc) in replicate_scores.iter_mut().zip(&r.scores) {
            rep[k].1 = Some(*sc);
        }
        signal_ci.insert(s.id(), Some(r.interval()));
        signal_shrunk.insert(s.id(), r.shrunk);
    }
    let mut family_reps: BTreeMap<Family, Vec<f64>> = BTreeMap::new();
    let mut index_reps = Vec::new();
    for rep in &replicate_scores {
        let (i, fam) = aggregate(rep, weight);
        if let Some(i) = i {
            index_reps.push(i);
        }
        for (f, v) in fam {
            if let Some(v) = v {
                family_reps.entry(f).or_default().push(v);
            }
        }
    }

    // A family's weight in the index: its methodology weight times the share
    // of it that was measured (as in [`aggregate`]).
    let measured_share = |f: Family| -> f64 {
        outcomes
            .iter()
            .filter(|(s, o)| s.family() == f && matches!(o, Outcome::Measured(_)))
            .map(|(s, _)| weight(*s))
            .sum()
    };
    let measured_weight: f64 = families
        .iter()
        .filter(|(_, v)| v.is_some())
        .map(|(f, _)| family_weight(*f) * measured_share(*f))
        .sum();
    let total_weight: f64 = Family::ALL.iter().map(|f| family_weight(*f)).sum();
    let mut coverage = 0.0;
    let mut drivers = Vec::new();
    for f in Family::ALL {
        let mut signals = Vec::new();
        let mut cov = 0.0;
        for (s, o) in outcomes.iter().filter(|(s, _)| s.family() == f) {
            let doc = s.doc();
            signals.push(match o {
                Outcome::Measured(m) => {
                    cov += weight(*s) * m.coverage;
                    let sh = signal_shrunk
                        .get(s.id())
                        .copied()
                        .unwrap_or_else(|| shrunk(*s, m));
                    let sc = sh.score;
                    SignalResult {
                        id: s.id().into(),
                        title: doc.title.into(),
                        family: f,
                        weight: weight(*s),
                        unit: s.unit().into(),
                        value: Some(round2(m.value)),
                        score: Some(round2(sc)),
                        band: Some(band(sc).into()),
                        ci: signal_ci.get(s.id()).copied().flatten(),
                        raw_score: Some(round2(sh.raw)),
                        evidence_count: sh.evidence.map(round2),
                        evidence_unit: match (sh.evidence, s.prior().unit) {
                            (None, _) => String::new(),
                            (Some(_), "") => {
                                "sample units (files, commits, deployments, runs…)".into()
                            }
                            (Some(_), unit) => unit.into(),
                        },
                        credibility: Some(round2(sh.credibility)),
                        proxy: s.proxy(),
                        coverage: round2(m.coverage),
                        figures: m.figures.clone(),
                        evidence: m.evidence.clone(),
                        not_measured: None,
                    }
                }
                Outcome::NotMeasured(why) => SignalResult {
                    id: s.id().into(),
                    title: doc.title.into(),
                    family: f,
                    weight: weight(*s),
                    unit: s.unit().into(),
                    value: None,
                    score: None,
                    band: None,
                    ci: None,
                    raw_score: None,
                    evidence_count: None,
                    evidence_unit: String::new(),
                    credibility: None,
                    proxy: s.proxy(),
                    coverage: 0.0,
                    figures: Vec::new(),
                    evidence: Vec::new(),
                    not_measured: Some(why.clone()),
                },
            });
        }
        // Signal weights are shares of the whole driver, so the measured
        // weight (times each signal's data coverage) is the driver's coverage.
        let fam_cov = cov.min(1.0);
        coverage += family_weight(f) * fam_cov;
        let score = families.get(&f).copied().flatten();
        let weight_in_index = family_weight(f) * measured_share(f);
        let contribution = match score {
            Some(v) if measured_weight > 0.0 => weight_in_index * v / measured_weight,
            _ => 0.0,
        };
        let points_lost = match score {
            Some(v) if measured_weight > 0.0 => weight_in_index * (100.0 - v) / measured_weight,
            _ => 0.0,
        };
        drivers.push(Driver {
            family: f,
            title: f.title().into(),
            weight: family_weight(f),
            score: score.map(round2),
            band: score.map(band).map(str::to_owned),
            ci: family_reps.remove(&f).and_then(interval),
            coverage: round2(fam_cov),
            contribution: round2(contribution),
            points_lost: round2(points_lost),
            signals,
        });
    }
    IndexResult {
        score: index.map(round2),
        band: index.map(band).map(str::to_owned),
        ci: if index.is_some() {
            interval(index_reps)
        } else {
            None
        },
        coverage: round2(coverage / total_weight),
        drivers,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_is_stable() {
        let mut r = SplitMix(0);
        // Reference values of SplitMix64 seeded with 0.
        assert_eq!(r.next(), 0xe220_a839_7b1d_cdaf);
        assert_eq!(r.next(), 0x6e78_9e6a_a1b9_65f4);
        let mut r = SplitMix::new("x");
        for _ in 0..1000 {
            assert!(r.below(7) < 7);
        }
    }
}
