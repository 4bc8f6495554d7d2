//! Execution risk: the probability that an item reported done is not done,
//! per team, as a Beta-binomial posterior whose prior is the organisation's
//! (empirical Bayes: the prior's mean is the pooled rate, its strength is
//! estimated from how much the teams differ, by the method of moments).

use serde::{Deserialize, Serialize};

/// A posterior estimate: the mean and the central 90 % credible interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    pub mean: f64,
    pub low: f64,
    pub high: f64,
}

/// The organisation's prior, Beta(alpha, beta).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Prior {
    pub alpha: f64,
    pub beta: f64,
}

/// The prior's strength (pseudo-items) when fewer than three teams can
/// inform it, and the bounds of an estimated one: friction's choice — a
/// team with 10 items moves halfway from the organisation's rate to its own.
pub const DEFAULT_STRENGTH: f64 = 10.0;
pub const MIN_STRENGTH: f64 = 2.0;
pub const MAX_STRENGTH: f64 = 100.0;

/// The organisation's prior from each team's (failures, trials).
pub fn prior(teams: &[(u64, u64)]) -> Prior {
    let (f, n) = teams
        .iter()
        .fold((0u64, 0u64), |(f, n), t| (f + t.0, n + t.1));
    if n == 0 {
        return Prior {
            alpha: 1.0,
            beta: 1.0,
        };
    }
    let pooled = f as f64 / n as f64;
    let informative: Vec<(f64, f64)> = teams
        .iter()
        .filter(|t| t.1 > 0)
        .map(|t| (t.0 as f64 / t.1 as f64, t.1 as f64))
        .collect();
    let strength = if informative.len() < 3 {
        DEFAULT_STRENGTH
    } else {
        let total: f64 = informative.iter().map(|t| t.1).sum();
        let variance: f64 = informative
            .iter()
            .map(|(p, w)| w * (p - pooled).powi(2))
            .sum::<f64>()
            / total;
        if variance <= f64::EPSILON {
            MAX_STRENGTH
        } else {
            (pooled * (1.0 - pooled) / variance - 1.0).clamp(MIN_STRENGTH, MAX_STRENGTH)
        }
    };
    Prior {
        alpha: (pooled * strength).max(0.5),
        beta: ((1.0 - pooled) * strength).max(0.5),
    }
}

/// The posterior of `failures` in `trials` under `prior`.
pub fn posterior(prior: Prior, failures: u64, trials: u64) -> Estimate {
    let a = prior.alpha + failures as f64;
    let b = prior.beta + (trials - failures.min(trials)) as f64;
    Estimate {
        mean: a / (a + b),
        low: quantile(a, b, 0.05),
        high: quantile(a, b, 0.95),
    }
}

/// The `p` quantile of Beta(a, b), by bisection on the regularised
/// incomplete beta function (60 halvings: below 1e-15).
fn quantile(a: f64, b: f64, p: f64) -> f64 {
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    for _ in 0..60 {
        let mid = 0.5 * (lo + hi);
        if incomplete_beta(a, b, mid) < p {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// I_x(a, b), by the continued fraction of Numerical Recipes (§6.4).
fn incomplete_beta(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let front =
        (ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln()).exp();
    if x < (a + 1.0) / (a + b + 2.0) {
        front * continued_fraction(a, b, x) / a
    } else {
        1.0 - front * continued_fraction(b, a, 1.0 - x) / b
    }
}

fn continued_fraction(a: f64, b: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let floor = |v: f64| if v.abs() < TINY { TINY } else { v };
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 / floor(1.0 - qab * x / qap);
    let mut h = d;
    for m in 1..300 {
        let m = f64::from(m);
        let m2 = 2.0 * m;
        // The even and the odd step of the fraction (Lentz's method).
        let mut del = 1.0;
        for aa in [
            m * (b - m) * x / ((qam + m2) * (a + m2)),
            -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)),
        ] {
            d = 1.0 / floor(1.0 + aa * d);
            c = floor(1.0 + aa / c);
            del = d * c;
            h *= del;
        }
        if (del - 1.0).abs() < 1e-14 {
            break;
        }
    }
    h
}

/// ln Γ(x), Lanczos (g = 7, n = 9).
fn ln_gamma(x: f64) -> f64 {
    const G: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut sum = G[0];
    for (i, g) in G.iter().enumerate().skip(1) {
        sum += g / (x + i as f64);
    }
    let t = x + 7.5;
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + sum.ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beta_quantiles_match_closed_forms() {
        // Beta(1, 1) is uniform; Beta(a, 1) has CDF x^a.
        assert!((quantile(1.0, 1.0, 0.05) - 0.05).abs() < 1e-9);
        assert!((quantile(2.0, 1.0, 0.25) - 0.5).abs() < 1e-9);
        assert!((quantile(1.0, 3.0, 0.5) - (1.0 - 0.5f64.powf(1.0 / 3.0))).abs() < 1e-9);
    }

    #[test]
    fn a_small_team_is_pulled_towards_the_organisation() {
        let prior = prior(&[(2, 20), (4, 20), (10, 20)]);
        let pooled = 16.0 / 60.0;
        assert!((prior.alpha / (prior.alpha + prior.beta) - pooled).abs() < 1e-12);
        let small = posterior(prior, 2, 2);
        assert!(small.mean < 1.0 && small.mean > pooled);
        assert!(small.low < small.mean && small.mean < small.high);
        let large = posterior(prior, 200, 200);
        assert!(large.mean > small.mean);
        assert!(large.high - large.low < small.high - small.low);
    }
}
