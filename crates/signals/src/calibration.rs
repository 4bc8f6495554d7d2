//! Score curves calibrated on a reference population of public repositories
//! (issue 20, item 5): a calibrated signal's score reads as "compared with N
//! open-source projects".
//!
//! The population is `calibration/population.csv`: one row per repository
//! and measured signal, written by `scripts/calibrate.py` from `friction
//! assess --json` on public clones (git history and the tree only). Every
//! anchor below is derived from those rows here, at first use, so the curves
//! and the committed measurements cannot drift apart and re-running the
//! script re-derives them.
//!
//! The method is benchmark-based threshold derivation as in the SIG/TÜViT
//! maintainability model (Alves, Ypma & Visser, "Deriving metric thresholds
//! from benchmark data", ICSM 2010; Baggen, Correia, Schill & Visser,
//! "Standardized code quality benchmarking for improving software
//! maintainability", Software Quality Journal 2012): the benchmark's
//! quantiles, not a researcher's round numbers, place the anchors. Here the
//! score of a value is its **mid-rank** in the population: the share of the
//! population with a worse value, plus half the share with the same value,
//! times 100, interpolated between the population's distinct values (on the
//! signal's own linear or log scale). 50 is the population's median, so the
//! shrinkage prior of 50 (`shrink`) is "a typical project of the
//! population". Beyond the population's best and worst values the curve
//! runs to the researched curve's own ends (its 100 and its 0), when those
//! lie further out — and, for a lower-is-better value (a share, a size, a
//! count), to 100 at 0 — otherwise it is clamped at the extreme's mid-rank.
//!
//! Which measurements count, and when a signal is calibrated at all:
//! - a repository's value enters only with at least [`MIN_EVIDENCE`] units of
//!   evidence, or complete evidence (a census of the tree, a count): a value
//!   from two commits is noise, not a member of the population;
//! - at least [`MIN_REPOSITORIES`] repositories must remain (the issue's
//!   "at least 30");
//! - no single value may hold more than [`MAX_TIE_SHARE`] of them: a
//!   population piled on one value (most projects have no unpinned
//!   dependency files) ranks nothing, and such a signal keeps its researched
//!   curve, saying why.

use crate::{Curve, Signal};
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The measurements, as `scripts/calibrate.py` wrote them.
pub static POPULATION_CSV: &str = include_str!("../calibration/population.csv");

/// Repositories a signal needs in its population to be calibrated.
pub const MIN_REPOSITORIES: usize = 30;
/// Evidence (sample units) a repository's value needs to enter a population;
/// the default shrinkage weight `k` (`shrink`), the point where a value is
/// worth as much as the prior.
pub const MIN_EVIDENCE: f64 = 10.0;
/// The largest share of a population one value may hold.
pub const MAX_TIE_SHARE: f64 = 0.5;

/// One row of the population file.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct Row {
    pub repository: String,
    pub commit: String,
    pub language: String,
    pub commits: u64,
    pub first_commit: String,
    pub last_commit: String,
    pub code_lines: u64,
    pub scan_errors: u64,
    pub signal: String,
    pub value: f64,
    pub evidence: Option<f64>,
}

/// A signal's calibration, or why it has none.
#[derive(Debug, Clone)]
pub struct Calibration {
    /// Repositories of the reference population that measured the signal.
    pub measured: usize,
    /// Of them, those whose value entered the population.
    pub n: usize,
    /// The 10th, 25th, 50th, 75th and 90th percentiles of the population's
    /// values (linear interpolation between order statistics).
    pub quantiles: [f64; 5],
    /// The calibrated curve; `None` when the signal keeps its researched one.
    pub curve: Option<Curve>,
    /// Why the signal is not calibrated.
    pub reason: Option<String>,
}

/// The population's rows, parsed once.
pub fn population() -> &'static [Row] {
    static ROWS: OnceLock<Vec<Row>> = OnceLock::new();
    ROWS.get_or_init(|| parse(POPULATION_CSV).expect("calibration/population.csv is valid"))
}

/// Parses a population file (`#` lines are comments).
pub fn parse(text: &str) -> Result<Vec<Row>, String> {
    let body: String = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect();
    csv::Reader::from_reader(body.as_bytes())
        .deserialize()
        .enumerate()
        .map(|(i, r)| r.map_err(|e| format!("row {}: {e}", i + 1)))
        .collect()
}

/// The repositories of the reference population.
pub fn repositories() -> usize {
    population()
        .iter()
        .map(|r| r.repository.as_str())
        .collect::<std::collections::BTreeSet<_>>()
        .len()
}

/// The calibration of the signal with this id and researched curve.
pub fn calibration(s: &dyn Signal) -> &'static Calibration {
    static ALL: OnceLock<BTreeMap<&'static str, Calibration>> = OnceLock::new();
    let all = ALL.get_or_init(|| {
        crate::REGISTRY
            .iter()
            .map(|x| (x.id(), derive(x.researched_curve(), population(), x.id())))
            .collect()
    });
    all.get(s.id())
        .expect("every registered signal has a calibration entry")
}

/// The curve that scores the signal: its calibrated curve when it has one,
/// else its researched curve.
pub fn curve(s: &dyn Signal) -> &'static Curve {
    calibration(s)
        .curve
        .as_ref()
        .unwrap_or_else(|| s.researched_curve())
}

/// Derives a signal's calibration from the population rows.
pub fn derive(researched: &Curve, rows: &[Row], id: &str) -> Calibration {
    derive_with(researched, rows, id, MIN_REPOSITORIES)
}

/// [`derive`] with another minimum population, for stability checks on
/// parts of the population (`examples/calibration.rs`).
pub fn derive_with(researched: &Curve, rows: &[Row], id: &str, min_n: usize) -> Calibration {
    let measured: Vec<&Row> = rows.iter().filter(|r| r.signal == id).collect();
    let mut values: Vec<f64> = measured
        .iter()
        .filter(|r| r.evidence.is_none_or(|e| e >= MIN_EVIDENCE) && r.value.is_finite())
        .map(|r| r.value)
        .collect();
    values.sort_by(f64::total_cmp);
    let n = values.len();
    let mut quantiles = [f64::NAN; 5];
    for (q, p) in quantiles.iter_mut().zip([0.1, 0.25, 0.5, 0.75, 0.9]) {
        *q = crate::quantile(&mut values, p).unwrap_or(f64::NAN);
    }
    let mut c = Calibration {
        measured: measured.len(),
        n,
        quantiles,
        curve: None,
        reason: None,
    };
    if n < min_n {
        c.reason = Some(format!(
            "measured with enough evidence on {n} of the reference repositories; \
             calibration needs {min_n}"
        ));
        return c;
    }
    // Distinct values with their counts, ascending.
    let mut distinct: Vec<(f64, usize)> = Vec::new();
    for &v in &values {
        match distinct.last_mut() {
            Some((x, k)) if *x == v => *k += 1,
            _ => distinct.push((v, 1)),
        }
    }
    let (mode, mode_n) = distinct
        .iter()
        .copied()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.total_cmp(&a.0)))
        .unwrap_or((0.0, 0));
    if mode_n as f64 > MAX_TIE_SHARE * n as f64 {
        c.reason = Some(format!(
            "{mode_n} of the {n} reference repositories share one value ({}): \
             the population does not rank it",
            crate::curve::trim(mode)
        ));
        return c;
    }
    let higher_better = researched.higher_is_better();
    let mut below = 0usize;
    let mut points: Vec<(f64, f64)> = Vec::with_capacity(distinct.len() + 2);
    for &(x, k) in &distinct {
        let above = n - below - k;
        let worse = if higher_better { below } else { above };
        points.push((x, 100.0 * (worse as f64 + k as f64 / 2.0) / n as f64));
        below += k;
    }
    let (lo, hi) = researched.domain();
    let (lo_score, hi_score) = if higher_better {
        (0.0, 100.0)
    } else {
        (100.0, 0.0)
    };
    // A lower-is-better value is a share, a size or a count: 0 bounds it,
    // and a value better than the whole population scores 100 there.
    let lo = if higher_better { lo } else { lo.min(0.0) };
    if lo < points[0].0 {
        points.insert(0, (lo, lo_score));
    }
    if hi > points[points.len() - 1].0 {
        points.push((hi, hi_score));
    }
    let points: &'static [(f64, f64)] = Box::leak(points.into_boxed_slice());
    c.curve = Some(Curve {
        points,
        log: researched.log,
    });
    c
}

/// The signal's thresholds as documentation text: the calibration (or why
/// there is none), the researched curve and its rationale.
pub fn thresholds(s: &dyn Signal) -> String {
    let c = calibration(s);
    let researched = format!(
        "{}. {}",
        s.researched_curve().describe(s.unit()),
        s.doc().thresholds
    );
    match c.reason {
        None => format!(
            "{}. Researched curve, kept as the reference the population is read against: \
             {researched}",
            c.describe(s.unit())
        ),
        Some(_) => format!("{researched} {}.", c.describe(s.unit())),
    }
}

impl Calibration {
    /// The calibration as documentation text.
    pub fn describe(&self, unit: &str) -> String {
        let t = crate::curve::trim;
        let q = &self.quantiles;
        match &self.reason {
            None => format!(
                "Calibrated on {} public repositories (of {} that measured it): the score is the \
                 share of them with a worse value, ties counting half, interpolated between \
                 their values; 10th percentile {} {unit}, 25th {}, median {} (score 50), 75th {}, \
                 90th {}",
                self.n,
                self.measured,
                t(q[0]),
                t(q[1]),
                t(q[2]),
                t(q[3]),
                t(q[4])
            ),
            Some(why) => format!("Not calibrated ({why}): the researched curve scores it"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(repo: &str, value: f64, evidence: Option<f64>) -> Row {
        Row {
            repository: repo.into(),
            commit: "0".repeat(40),
            language: "Rust".into(),
            commits: 100,
            first_commit: "2020-01-01".into(),
            last_commit: "2024-01-01".into(),
            code_lines: 1000,
            scan_errors: 0,
            signal: "x".into(),
            value,
            evidence,
        }
    }

    static LOWER_BETTER: Curve = Curve::linear(&[(0.0, 100.0), (100.0, 0.0)]);
    static HIGHER_BETTER: Curve = Curve::linear(&[(1.0, 0.0), (10.0, 100.0)]);

    fn rows(values: &[f64]) -> Vec<Row> {
        values
            .iter()
            .enumerate()
            .map(|(i, &v)| row(&format!("r{i}"), v, Some(50.0)))
            .collect()
    }

    #[test]
    fn the_score_is_the_mid_rank_and_the_median_scores_50() {
        let values: Vec<f64> = (1..=40).map(f64::from).collect();
        let c = derive(&LOWER_BETTER, &rows(&values), "x");
        let curve = c.curve.expect("calibrated");
        // 20.5 is the median of 1..=40: half the population is worse.
        assert!((curve.score(20.5) - 50.0).abs() < 1e-9);
        // The best value: 39 of 40 are worse, itself counts half.
        assert!((curve.score(1.0) - 98.75).abs() < 1e-9);
        // Beyond the population the researched ends: 0 → 100, 100 → 0.
        assert_eq!(curve.score(0.0), 100.0);
        assert_eq!(curve.score(100.0), 0.0);
        assert!((c.quantiles[2] - 20.5).abs() < 1e-9);
    }

    #[test]
    fn direction_follows_the_researched_curve() {
        let values: Vec<f64> = (1..=40).map(|i| f64::from(i) / 4.0).collect();
        let curve = derive(&HIGHER_BETTER, &rows(&values), "x")
            .curve
            .expect("calibrated");
        assert!(curve.score(9.0) > curve.score(2.0));
        assert!(curve.higher_is_better());
    }

    #[test]
    fn thin_evidence_and_small_populations_are_not_calibrated() {
        let mut r = rows(&(1..=35).map(f64::from).collect::<Vec<_>>());
        for x in r.iter_mut().take(6) {
            x.evidence = Some(3.0);
        }
        let c = derive(&LOWER_BETTER, &r, "x");
        assert_eq!((c.measured, c.n), (35, 29));
        assert!(c.curve.is_none());
        assert!(c.describe("%").starts_with("Not calibrated"));
        // Complete evidence (a census, a count) always enters.
        for x in r.iter_mut().take(6) {
            x.evidence = None;
        }
        assert!(derive(&LOWER_BETTER, &r, "x").curve.is_some());
    }

    #[test]
    fn a_population_piled_on_one_value_ranks_nothing() {
        let mut v = vec![0.0; 20];
        v.extend((1..=15).map(f64::from));
        let c = derive(&LOWER_BETTER, &rows(&v), "x");
        assert!(c.curve.is_none());
        assert!(c.reason.unwrap().contains("20 of the 35"));
    }

    #[test]
    fn ties_share_their_rank() {
        let mut v = vec![5.0; 10];
        v.extend((10..40).map(f64::from));
        let curve = derive(&LOWER_BETTER, &rows(&v), "x")
            .curve
            .expect("calibrated");
        // 30 of 40 are worse, the 10 tied count half: (30 + 5) / 40.
        assert!((curve.score(5.0) - 87.5).abs() < 1e-9);
    }

    #[test]
    fn the_committed_population_parses_and_every_curve_is_monotone() {
        assert!(repositories() >= MIN_REPOSITORIES);
        for s in crate::REGISTRY {
            let c = curve(*s);
            let pts = c.points;
            for w in pts.windows(2) {
                assert!(w[0].0 < w[1].0, "{}: values not increasing", s.id());
                if c.higher_is_better() {
                    assert!(w[0].1 <= w[1].1, "{}", s.id());
                } else {
                    assert!(w[0].1 >= w[1].1, "{}", s.id());
                }
            }
        }
    }
}
