//! Shrinkage: a signal's score moves toward its prior in proportion to the
//! evidence behind it (issue 20, item 4).
//!
//! A raw score read from a handful of events (three fix commits, five
//! deployments) is mostly noise: the next month's handful gives another
//! score, and an index built on raw scores swings by tens of points with
//! nothing material changed. The score friction reports is the credibility
//! (empirical-Bayes) estimate
//!
//! ```text
//! Z     = n / (n + k)            (n: evidence, k: the prior's strength)
//! score = Z · raw + (1 − Z) · prior
//! ```
//!
//! — Bühlmann's credibility formula, the posterior mean of a normal (or a
//! beta-binomial) model whose prior is worth `k` units of evidence. Its
//! interval is the posterior's: variance `Z · V + (1 − Z) · τ²`, the
//! bootstrap variance `V` of the raw score where the data speak and the
//! prior's variance `τ²` where they do not, which shrinks with every unit of
//! evidence added. A signal read only from commit-message words (a *proxy*)
//! never has a credibility above [`PROXY_CREDIBILITY`], so it cannot pin its
//! driver to 0 or 100.

use crate::curve::trim;

/// The score every signal shrinks toward with no evidence. For a signal
/// calibrated on the reference population (`calibration`) it is the
/// population's median: a project without evidence is taken for a typical
/// one. For the others, whose researched curves put 100 at the good end and 0
/// at the bad end of what is published for the value, the middle is the one
/// prior that favours neither end.
pub const PRIOR_SCORE: f64 = 50.0;

/// The prior's standard deviation on the score scale, in points: scores of
/// one signal across organisations span most of the scale (a uniform spread
/// over 0–100 has a standard deviation of 28.9); friction's choice of 25
/// keeps the prior a little more sure than "anything goes".
pub const PRIOR_SD: f64 = 25.0;

/// The highest credibility of a proxy read from commit-message words: at
/// least 40 % of its score is always the prior, so a proxy alone moves its
/// driver within 20–80, never to 0 or 100. friction's choice, from the
/// measured precision of message-word fixes: on 280 hand-labelled public
/// commits with a fix word only 29 % were defect fixes, and of those the
/// classifier counts 91 % are (`BENCHMARKS.md`), while how many fixes are
/// written without the words (its recall) is not known and varies by
/// project (Herzig, Just & Zeller, ICSE 2013: a third of "bug" reports are
/// not defects).
pub const PROXY_CREDIBILITY: f64 = 0.6;

/// The largest share of its driver a proxy read from commit-message words
/// may stand for: the driver's direct signals (deployments, incidents, SLOs)
/// hold the majority of it when they are measured (friction's choice; the
/// weight `defect-prone-code` has had from git alone since `eci/1`).
pub const PROXY_WEIGHT_CAP: f64 = 0.4;

/// The default prior strength, in resampling units: ten files, commits,
/// deployments or runs weigh as much as the prior (friction's choice: below
/// ten units a rate's 90 % interval spans more than half its range; the
/// default applies where a signal states no strength of its own).
pub const DEFAULT_STRENGTH: f64 = 10.0;

/// The prior a signal's score shrinks toward, and what it is worth.
#[derive(Debug, Clone, Copy)]
pub struct Prior {
    /// The score with no evidence.
    pub score: f64,
    /// How many units of evidence the prior weighs (`k`); `0`: the value is
    /// not estimated from sampled events (a count or a property of the
    /// whole tree), so there is nothing to shrink.
    pub strength: f64,
    /// What one unit of evidence is (fix commits, deployments, files…);
    /// empty: the units of the signal's sample.
    pub unit: &'static str,
    /// Why this strength.
    pub rationale: &'static str,
}

/// The prior of a signal that states none: [`PRIOR_SCORE`], worth
/// [`DEFAULT_STRENGTH`] units of its sample.
pub static DEFAULT_PRIOR: Prior = Prior {
    score: PRIOR_SCORE,
    strength: DEFAULT_STRENGTH,
    unit: "",
    rationale: "the default: ten units of the signal's sample (files, commits, deployments, runs) \
        weigh as much as the prior",
};

impl Prior {
    /// The evidence's weight `Z` against the prior, in 0–1, for `n` units
    /// (capped at [`PROXY_CREDIBILITY`] for a proxy).
    pub fn credibility(&self, n: f64, proxy: bool) -> f64 {
        let z = if self.strength <= 0.0 {
            1.0
        } else if n > 0.0 {
            n / (n + self.strength)
        } else {
            0.0
        };
        if proxy { z.min(PROXY_CREDIBILITY) } else { z }
    }

    /// The shrunk score of `raw` at credibility `z`.
    pub fn shrink(&self, raw: f64, z: f64) -> f64 {
        z * raw + (1.0 - z) * self.score
    }

    /// Words for the methodology: the prior, its strength and unit.
    pub fn describe(&self, proxy: bool) -> String {
        let mut s = if self.strength <= 0.0 {
            format!("by nothing ({})", self.rationale)
        } else {
            format!(
                "toward {} with the weight of {} {} ({})",
                trim(self.score),
                trim(self.strength),
                if self.unit.is_empty() {
                    "units of its sample"
                } else {
                    self.unit
                },
                self.rationale
            )
        };
        if proxy {
            s.push_str(&format!(
                "; a proxy read from commit-message words: its credibility never exceeds {}, so \
                 at least {} % of its score is the prior",
                PROXY_CREDIBILITY,
                trim((1.0 - PROXY_CREDIBILITY) * 100.0)
            ));
        }
        s
    }
}

/// The posterior variance of a shrunk score: `Z · V + (1 − Z) · τ²` for the
/// raw score's bootstrap variance `V` and credibility `Z`.
pub fn posterior_variance(z: f64, raw_variance: f64) -> f64 {
    z * raw_variance.max(0.0) + (1.0 - z) * PRIOR_SD * PRIOR_SD
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credibility_grows_with_evidence_and_proxies_are_capped() {
        let p = DEFAULT_PRIOR;
        assert_eq!(p.credibility(0.0, false), 0.0);
        assert_eq!(p.credibility(10.0, false), 0.5);
        assert!(p.credibility(1000.0, false) > 0.99);
        assert_eq!(p.credibility(1000.0, true), PROXY_CREDIBILITY);
        // A proxy alone stays within 20–80.
        let z = p.credibility(1e9, true);
        assert_eq!(p.shrink(0.0, z), 20.0);
        assert_eq!(p.shrink(100.0, z), 80.0);
    }

    #[test]
    fn posterior_variance_falls_with_evidence_at_a_constant_unit_variance() {
        // V = c / n: the bootstrap variance of a mean of n units.
        for c in [0.0, 10.0, 625.0, 5000.0] {
            let mut prev = f64::INFINITY;
            for n in 1..200 {
                let n = f64::from(n);
                let z = DEFAULT_PRIOR.credibility(n, false);
                let v = posterior_variance(z, c / n);
                assert!(v <= prev + 1e-9, "c {c} n {n}: {v} > {prev}");
                prev = v;
            }
        }
    }
}
