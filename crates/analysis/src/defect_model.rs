//! A defect model fitted on the repository's own past (issue 20 item 2).
//!
//! Per file, features known at a cut (size, history in the window before it,
//! all history, code health, coupling, ownership) and the defect-fix commits
//! that touched it in the following window. Two regularised generalised
//! linear models:
//!
//! - **density**: Poisson with the file's code lines as exposure (offset
//!   `ln lines`), so `exp(xβ)` is the expected fixes per line — where an
//!   engineer-day of review or refactoring meets the most future fixes;
//! - **risk**: logistic for "touched by a fix", the chance a file needs one.
//!
//! Both are fitted per repository with a ridge penalty pulling the
//! coefficients toward a pooled prior (`defect_prior.csv`, the mean of the
//! per-repository estimates over a reference population of public
//! repositories, re-derived by `scripts/fit-defect-prior.py`): hierarchical
//! shrinkage in its simplest form. The data's curvature grows with the
//! number of fixes while the penalty does not, so a repository with many
//! fixes is ranked by its own history and one with few borrows the
//! population's; one with none is ranked by the prior alone (the intercept,
//! which the ranking does not use, is never penalised).
//!
//! The fit is Newton–Raphson (IRLS) written here: the problem is small and
//! dense (13 coefficients, a few thousand files), one Cholesky solve of a
//! 14 × 14 matrix per step, and no lean crate in the workspace's lock file
//! fits a penalised GLM with an offset and a non-zero prior mean.

// Index loops over a 14 × 14 matrix read as the formulas they implement.
#![allow(clippy::needless_range_loop)]

/// The features, in the order of [`Features::vector`] and of the prior's
/// rows (the intercept comes first and is not listed).
pub const FEATURES: [&str; 13] = [
    "ln_code_lines",
    "ln1p_revisions",
    "ln1p_churn",
    "ln1p_authors",
    "ln1p_prior_fixes",
    "ln1p_recent_changes",
    "ln1p_all_revisions",
    "ln1p_all_authors",
    "ln1p_all_fixes",
    "health_debt",
    "ln1p_coupling_degree",
    "ownership",
    "ln1p_age_months",
];

/// Coefficients: the intercept, then one per [`FEATURES`] entry.
pub const K: usize = FEATURES.len() + 1;

/// Smallest file size an engineer-day is counted for in the density ranking:
/// a file under 50 code lines costs as much to review as one of 50, so its
/// expected fixes are divided by 50, not by its own size (the minimum size
/// of issue 20).
pub const MIN_DENSITY_LINES: u32 = 50;

/// Ridge weight pulling each coefficient toward the prior (per coefficient,
/// in the units of the log-likelihood). Chosen on the tuning repositories of
/// `BENCHMARKS.md` ("Density and risk rankings"), the held-out ones reported apart
/// (34 of them in "Forty repositories").
pub const SHRINKAGE: f64 = 256.0;

/// What is known about a file at a cut. Counts over the window before the
/// cut unless named `all_*` (every stored commit up to the cut).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Features {
    pub code_lines: u32,
    pub revisions: u64,
    /// Lines added plus deleted.
    pub churn: u64,
    pub authors: u64,
    /// Defect-fix commits (the fix classifier) that touched the file.
    pub prior_fixes: u64,
    /// Changes weighted by recency, `Σ exp(−age / 180 days)`.
    pub recent_changes: f64,
    pub all_revisions: u64,
    pub all_authors: u64,
    pub all_fixes: u64,
    /// `10 − code health` (0 when the health is not measured).
    pub health_debt: f64,
    /// Files changed together with this one in at least two commits of the
    /// window (commits touching more than 30 files left out).
    pub coupling_degree: u64,
    /// The main author's share of the file's changes over all history (0
    /// without history).
    pub ownership: f64,
    /// Months since the file's first stored change (0 without history).
    pub age_months: f64,
}

impl Features {
    /// The design row: 1 for the intercept, then the features.
    pub fn vector(&self) -> [f64; K] {
        let l = |x: u64| (1.0 + x as f64).ln();
        [
            1.0,
            f64::from(self.code_lines.max(1)).ln(),
            l(self.revisions),
            l(self.churn),
            l(self.authors),
            l(self.prior_fixes),
            (1.0 + self.recent_changes.max(0.0)).ln(),
            l(self.all_revisions),
            l(self.all_authors),
            l(self.all_fixes),
            self.health_debt.clamp(0.0, 10.0),
            l(self.coupling_degree),
            self.ownership.clamp(0.0, 1.0),
            (1.0 + self.age_months.max(0.0)).ln(),
        ]
    }
}

/// The two models' coefficients.
#[derive(Debug, Clone, PartialEq)]
pub struct Coefficients {
    pub density: [f64; K],
    pub risk: [f64; K],
}

/// The committed pooled prior (methodology `eci/7`).
pub const PRIOR_CSV: &str = include_str!("defect_prior.csv");

impl Coefficients {
    /// The committed pooled prior.
    pub fn prior() -> Coefficients {
        // The committed file is checked by a test: it always parses.
        Coefficients::parse(PRIOR_CSV).unwrap_or(Coefficients {
            density: [0.0; K],
            risk: [0.0; K],
        })
    }

    /// Reads `feature,density,risk` rows (one per [`FEATURES`] entry, in
    /// order; `#` lines and the header skipped). The intercepts are 0.
    pub fn parse(text: &str) -> Result<Coefficients, String> {
        let mut c = Coefficients {
            density: [0.0; K],
            risk: [0.0; K],
        };
        let rows: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with("feature,"))
            .collect();
        if rows.len() != FEATURES.len() {
            return Err(format!(
                "{} coefficient rows, expected {} ({})",
                rows.len(),
                FEATURES.len(),
                FEATURES.join(", ")
            ));
        }
        for (j, (row, name)) in rows.iter().zip(FEATURES).enumerate() {
            let cells: Vec<&str> = row.split(',').map(str::trim).collect();
            let [n, d, r] = cells[..] else {
                return Err(format!("`{row}`: expected feature,density,risk"));
            };
            if n != name {
                return Err(format!("row {}: `{n}`, expected `{name}`", j + 1));
            }
            let num = |s: &str| {
                s.parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite())
                    .ok_or_else(|| format!("`{s}` (feature {n}) is not a number"))
            };
            c.density[j + 1] = num(d)?;
            c.risk[j + 1] = num(r)?;
        }
        Ok(c)
    }

    /// `feature,density,risk` rows, as [`Coefficients::parse`] reads them.
    pub fn to_csv(&self) -> String {
        let mut out = String::from("feature,density,risk\n");
        for (j, name) in FEATURES.iter().enumerate() {
            out.push_str(&format!(
                "{name},{:.4},{:.4}\n",
                self.density[j + 1],
                self.risk[j + 1]
            ));
        }
        out
    }
}

/// The likelihood of a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// Counts, log link; the offset carries the exposure.
    Poisson,
    /// 0/1 outcomes, logit link.
    Logistic,
}

/// A fitted model: the coefficients and how the fit went.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    pub beta: [f64; K],
    pub iterations: u32,
    pub converged: bool,
}

fn linear(x: &[f64; K], beta: &[f64; K]) -> f64 {
    x.iter().zip(beta).map(|(a, b)| a * b).sum()
}

/// The mean and the IRLS weight at linear predictor `eta`.
fn mean_weight(family: Family, eta: f64) -> (f64, f64) {
    match family {
        Family::Poisson => {
            let m = eta.clamp(-50.0, 30.0).exp();
            (m, m)
        }
        Family::Logistic => {
            let p = 1.0 / (1.0 + (-eta.clamp(-50.0, 50.0)).exp());
            (p, (p * (1.0 - p)).max(1e-12))
        }
    }
}

/// Penalised log-likelihood (constants dropped).
fn objective(
    family: Family,
    x: &[[f64; K]],
    y: &[f64],
    offset: &[f64],
    beta: &[f64; K],
    prior: &[f64; K],
    lambda: f64,
) -> f64 {
    let mut ll = 0.0;
    for ((xi, &yi), &oi) in x.iter().zip(y).zip(offset) {
        let eta = (oi + linear(xi, beta)).clamp(-50.0, 50.0);
        ll += match family {
            Family::Poisson => yi * eta - eta.min(30.0).exp(),
            // y·η − ln(1 + e^η), computed stably.
            Family::Logistic => yi * eta - (eta.max(0.0) + (-eta.abs()).exp().ln_1p()),
        };
    }
    let pen: f64 = (1..K).map(|j| (beta[j] - prior[j]).powi(2)).sum();
    ll - 0.5 * lambda * pen
}

/// Solves `a·x = b` for a symmetric positive definite `a` (Cholesky).
/// `None` when `a` is not positive definite.
pub fn cholesky_solve(a: &[[f64; K]; K], b: &[f64; K]) -> Option<[f64; K]> {
    let mut l = [[0.0; K]; K];
    for i in 0..K {
        for j in 0..=i {
            let s: f64 = (0..j).map(|k| l[i][k] * l[j][k]).sum();
            if i == j {
                let d = a[i][i] - s;
                if d <= 0.0 || !d.is_finite() {
                    return None;
                }
                l[i][i] = d.sqrt();
            } else {
                l[i][j] = (a[i][j] - s) / l[j][j];
            }
        }
    }
    let mut z = [0.0; K];
    for i in 0..K {
        let s: f64 = (0..i).map(|k| l[i][k] * z[k]).sum();
        z[i] = (b[i] - s) / l[i][i];
    }
    let mut x = [0.0; K];
    for i in (0..K).rev() {
        let s: f64 = (i + 1..K).map(|k| l[k][i] * x[k]).sum();
        x[i] = (z[i] - s) / l[i][i];
    }
    Some(x)
}

/// Maximises the log-likelihood of `family` minus `λ/2·Σ (β_j − prior_j)²`
/// over the non-intercept coefficients, by Newton steps with step halving.
/// `offset` is added to the linear predictor (`ln` exposure for Poisson,
/// zeros for logistic). `None` without rows, with rows of unequal length,
/// or when `λ ≤ 0` and the problem is singular.
pub fn fit(
    family: Family,
    x: &[[f64; K]],
    y: &[f64],
    offset: &[f64],
    prior: &[f64; K],
    lambda: f64,
) -> Option<Fit> {
    if x.is_empty() || x.len() != y.len() || x.len() != offset.len() {
        return None;
    }
    let n = x.len() as f64;
    let total: f64 = y.iter().sum();
    let mut beta = *prior;
    // Start the intercept at the rate the prior slope implies.
    beta[0] = 0.0;
    beta[0] = match family {
        Family::Poisson => {
            let expected: f64 = x
                .iter()
                .zip(offset)
                .map(|(xi, &o)| (o + linear(xi, &beta)).clamp(-50.0, 30.0).exp())
                .sum();
            ((total + 0.5) / expected.max(1e-300)).ln()
        }
        Family::Logistic => {
            let p = (total + 0.5) / (n + 1.0);
            (p / (1.0 - p)).ln()
                - x.iter()
                    .zip(offset)
                    .map(|(xi, &o)| o + linear(xi, &beta))
                    .sum::<f64>()
                    / n
        }
    };
    let mut current = objective(family, x, y, offset, &beta, prior, lambda);
    for iteration in 1..=100 {
        let mut grad = [0.0; K];
        let mut hess = [[0.0; K]; K];
        for ((xi, &yi), &oi) in x.iter().zip(y).zip(offset) {
            let (m, w) = mean_weight(family, oi + linear(xi, &beta));
            for a in 0..K {
                grad[a] += (yi - m) * xi[a];
                let wa = w * xi[a];
                for b in 0..=a {
                    hess[a][b] += wa * xi[b];
                }
            }
        }
        for a in 0..K {
            for b in 0..a {
                hess[b][a] = hess[a][b];
            }
        }
        for j in 1..K {
            grad[j] -= lambda * (beta[j] - prior[j]);
            hess[j][j] += lambda;
        }
        // A tiny ridge on the intercept keeps a fit with no events solvable.
        hess[0][0] += 1e-9;
        let step = cholesky_solve(&hess, &grad)?;
        let mut t = 1.0;
        let mut accepted = None;
        for _ in 0..30 {
            let mut next = beta;
            for j in 0..K {
                next[j] += t * step[j];
            }
            let value = objective(family, x, y, offset, &next, prior, lambda);
            if value >= current - 1e-12 {
                accepted = Some((next, value));
                break;
            }
            t /= 2.0;
        }
        let Some((next, value)) = accepted else {
            return Some(Fit {
                beta,
                iterations: iteration,
                converged: true,
            });
        };
        let moved = (0..K)
            .map(|j| (next[j] - beta[j]).abs())
            .fold(0.0, f64::max);
        beta = next;
        let gain = value - current;
        current = value;
        if moved < 1e-8 || gain.abs() < 1e-10 * (1.0 + current.abs()) {
            return Some(Fit {
                beta,
                iterations: iteration,
                converged: true,
            });
        }
    }
    Some(Fit {
        beta,
        iterations: 100,
        converged: false,
    })
}

/// Training rows: features at an earlier cut and the fix commits that
/// touched each file in the window after it.
#[derive(Debug, Clone, Default)]
pub struct Training {
    pub x: Vec<[f64; K]>,
    pub code_lines: Vec<u32>,
    pub fixes: Vec<u64>,
}

impl Training {
    pub fn push(&mut self, f: &Features, fixes: u64) {
        self.x.push(f.vector());
        self.code_lines.push(f.code_lines);
        self.fixes.push(fixes);
    }

    /// Fix events (file × fix commit) in the outcome window.
    pub fn events(&self) -> u64 {
        self.fixes.iter().sum()
    }
}

/// Both models fitted on `training`, shrunk toward `prior` with weight
/// `lambda` (0 fits the repository alone; without fixes in the training
/// window the prior's slopes are used as they are).
pub fn fit_both(training: &Training, prior: &Coefficients, lambda: f64) -> Coefficients {
    if training.events() == 0 {
        return prior.clone();
    }
    let offset: Vec<f64> = training
        .code_lines
        .iter()
        .map(|&l| f64::from(l.max(1)).ln())
        .collect();
    let counts: Vec<f64> = training.fixes.iter().map(|&f| f as f64).collect();
    let touched: Vec<f64> = training.fixes.iter().map(|&f| f64::from(f > 0)).collect();
    let zeros = vec![0.0; training.x.len()];
    let density = fit(
        Family::Poisson,
        &training.x,
        &counts,
        &offset,
        &prior.density,
        lambda,
    )
    .map_or(prior.density, |f| f.beta);
    let risk = fit(
        Family::Logistic,
        &training.x,
        &touched,
        &zeros,
        &prior.risk,
        lambda,
    )
    .map_or(prior.risk, |f| f.beta);
    Coefficients { density, risk }
}

impl Coefficients {
    /// Expected fix commits per code line (the density model, without the
    /// exposure), for a file of at least [`MIN_DENSITY_LINES`]; a smaller file
    /// has its expected fixes divided by that minimum instead.
    pub fn density(&self, f: &Features) -> f64 {
        let rate = linear(&f.vector(), &self.density).clamp(-50.0, 30.0).exp();
        let lines = f64::from(f.code_lines.max(1));
        rate * lines / lines.max(f64::from(MIN_DENSITY_LINES))
    }

    /// Chance the file is touched by a fix in the next window.
    pub fn risk(&self, f: &Features) -> f64 {
        mean_weight(Family::Logistic, linear(&f.vector(), &self.risk)).0
    }

    /// The file's forecast for the next window, rounded for display
    /// (expected fixes and density to 3 decimals, risk to 4).
    pub fn forecast(&self, f: &Features) -> FileForecast {
        let density = self.density(f);
        let lines = f64::from(f.code_lines.max(1)).max(f64::from(MIN_DENSITY_LINES));
        let round = |x: f64, d: f64| (x * d).round() / d;
        FileForecast {
            expected_fixes: round(density * lines, 1e3),
            density_per_kloc: round(density * 1000.0, 1e3),
            risk: round(self.risk(f), 1e4),
        }
    }
}

/// What the defect model expects of one file in the next window.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct FileForecast {
    /// Expected defect-fix commits touching the file.
    pub expected_fixes: f64,
    /// Expected defect fixes per 1,000 code lines, the file counted as at
    /// least [`MIN_DENSITY_LINES`] lines (the density ranking's order).
    pub density_per_kloc: f64,
    /// Chance the file is touched by at least one defect fix.
    pub risk: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator (SplitMix64): tests need no crate.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> f64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            (z >> 11) as f64 / (1u64 << 53) as f64
        }
        fn poisson(&mut self, mean: f64) -> f64 {
            // Knuth's method: fine for the small means used here.
            let limit = (-mean).exp();
            let (mut k, mut p) = (0.0, 1.0);
            loop {
                p *= self.next();
                if p <= limit {
                    return k;
                }
                k += 1.0;
            }
        }
    }

    /// Rows with two informative features and the rest zero.
    fn design(rng: &mut Rng, n: usize) -> Vec<[f64; K]> {
        (0..n)
            .map(|_| {
                let mut x = [0.0; K];
                x[0] = 1.0;
                x[2] = rng.next() * 3.0;
                x[10] = rng.next() * 2.0 - 1.0;
                x
            })
            .collect()
    }

    #[test]
    fn poisson_with_exposure_recovers_known_coefficients() {
        let mut rng = Rng(7);
        let x = design(&mut rng, 6000);
        let offset: Vec<f64> = (0..x.len())
            .map(|i| (50.0 + (i % 400) as f64).ln())
            .collect();
        let mut truth = [0.0; K];
        truth[0] = -6.0;
        truth[2] = 0.8;
        truth[10] = -0.5;
        let y: Vec<f64> = x
            .iter()
            .zip(&offset)
            .map(|(xi, o)| rng.poisson((o + linear(xi, &truth)).exp()))
            .collect();
        let f = fit(Family::Poisson, &x, &y, &offset, &[0.0; K], 1e-6).unwrap();
        assert!(f.converged);
        assert!((f.beta[0] + 6.0).abs() < 0.1, "{:?}", f.beta);
        assert!((f.beta[2] - 0.8).abs() < 0.05, "{:?}", f.beta);
        assert!((f.beta[10] + 0.5).abs() < 0.06, "{:?}", f.beta);
        // Features that are always zero stay at the prior.
        assert!(f.beta[5].abs() < 1e-6);
    }

    #[test]
    fn logistic_recovers_known_coefficients() {
        let mut rng = Rng(11);
        let x = design(&mut rng, 8000);
        let mut truth = [0.0; K];
        truth[0] = -1.5;
        truth[2] = 1.2;
        truth[10] = 0.7;
        let y: Vec<f64> = x
            .iter()
            .map(|xi| f64::from(rng.next() < mean_weight(Family::Logistic, linear(xi, &truth)).0))
            .collect();
        let zeros = vec![0.0; x.len()];
        let f = fit(Family::Logistic, &x, &y, &zeros, &[0.0; K], 1e-6).unwrap();
        assert!(f.converged);
        assert!((f.beta[0] + 1.5).abs() < 0.12, "{:?}", f.beta);
        assert!((f.beta[2] - 1.2).abs() < 0.08, "{:?}", f.beta);
        assert!((f.beta[10] - 0.7).abs() < 0.1, "{:?}", f.beta);
    }

    #[test]
    fn the_penalty_pulls_toward_the_prior_more_when_evidence_is_thin() {
        // Truth 0.8 on feature 2; the prior says 0.
        let mut rng = Rng(3);
        let mut truth = [0.0; K];
        truth[0] = -7.0;
        truth[2] = 0.8;
        let slope = |n: usize, lambda: f64, rng: &mut Rng| {
            let x = design(rng, n);
            let offset = vec![(100.0f64).ln(); n];
            let y: Vec<f64> = x
                .iter()
                .map(|xi| rng.poisson((100.0f64.ln() + linear(xi, &truth)).exp()))
                .collect();
            fit(Family::Poisson, &x, &y, &offset, &[0.0; K], lambda)
                .unwrap()
                .beta[2]
        };
        let few = slope(40, SHRINKAGE, &mut rng);
        let many = slope(20_000, SHRINKAGE, &mut rng);
        // Thin evidence: well below the truth; plenty: close to it.
        assert!(few < 0.6, "{few}");
        assert!((many - 0.8).abs() < 0.05, "{many}");
        // An overwhelming penalty returns the prior.
        let held = slope(2000, 1e9, &mut rng);
        assert!(held.abs() < 1e-3, "{held}");
    }

    #[test]
    fn without_fixes_the_prior_ranks() {
        let prior = Coefficients::prior();
        let mut t = Training::default();
        t.push(&Features::default(), 0);
        assert_eq!(fit_both(&t, &prior, SHRINKAGE), prior);
    }

    #[test]
    fn the_committed_prior_parses_and_round_trips() {
        let p = Coefficients::parse(PRIOR_CSV).unwrap();
        assert_eq!(Coefficients::parse(&p.to_csv()).unwrap(), p);
        assert!(Coefficients::parse("feature,density,risk\nx,1,2\n").is_err());
        let bad = PRIOR_CSV.replacen("ln_code_lines", "lines", 1);
        assert!(Coefficients::parse(&bad).is_err());
    }

    #[test]
    fn cholesky_solves_a_known_system() {
        let mut a = [[0.0; K]; K];
        let mut b = [0.0; K];
        for i in 0..K {
            a[i][i] = 2.0;
            if i + 1 < K {
                a[i][i + 1] = 1.0;
                a[i + 1][i] = 1.0;
            }
            b[i] = 1.0;
        }
        let x = cholesky_solve(&a, &b).unwrap();
        for i in 0..K {
            let row: f64 = (0..K).map(|j| a[i][j] * x[j]).sum();
            assert!((row - 1.0).abs() < 1e-12);
        }
        a[0][0] = -1.0;
        assert!(cholesky_solve(&a, &b).is_none());
    }

    #[test]
    fn density_counts_small_files_at_the_minimum_size() {
        let mut c = Coefficients::prior();
        c.density = [0.0; K];
        c.density[0] = -3.0;
        let small = Features {
            code_lines: 10,
            ..Features::default()
        };
        let large = Features {
            code_lines: 100,
            ..Features::default()
        };
        // Same rate per line; the small file's fixes are spread over 50 lines.
        assert!((c.density(&large) - (-3.0f64).exp()).abs() < 1e-12);
        assert!((c.density(&small) - (-3.0f64).exp() * 10.0 / 50.0).abs() < 1e-12);
    }

    #[test]
    fn a_forecast_is_density_times_the_counted_size() {
        let mut c = Coefficients::prior();
        c.density = [0.0; K];
        c.density[0] = -3.0;
        c.risk = [0.0; K];
        let rate = (-3.0f64).exp();
        for (lines, expected) in [(10u32, rate * 10.0), (200, rate * 200.0)] {
            let p = c.forecast(&Features {
                code_lines: lines,
                ..Features::default()
            });
            assert!((p.expected_fixes - expected).abs() < 1e-3, "{p:?}");
            let counted = f64::from(lines.max(MIN_DENSITY_LINES));
            assert!((p.density_per_kloc - expected / counted * 1000.0).abs() < 1e-3);
            assert_eq!(p.risk, 0.5, "a zero linear predictor");
        }
    }
}
