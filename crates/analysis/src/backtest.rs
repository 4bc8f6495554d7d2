//! Does the hotspot ranking mean anything? A back-test: rank the files as they
//! were at a cut date from history up to the cut, then score the ranking
//! against the files that fix commits touched in the months after.
//!
//! Published results set the bar (issue notes, public repositories): lines of
//! code alone predict next year's fix-touched files with a ROC AUC of about
//! 0.78, while the classic revisions × complexity hotspot scored about 0.73;
//! among files of similar size, complexity added nothing and change history
//! did. So every ranking is reported next to the size baseline, overall and
//! within size strata.

use std::collections::BTreeSet;

use serde::Serialize;

/// A file as it was at the cut.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub path: String,
    pub code_lines: u32,
    pub cyclomatic: u32,
    /// Changes (distinct commits) in the window before the cut.
    pub revisions: u64,
    pub authors: u64,
}

/// friction's hotspot score, `ln(1 + code lines) + ½·ln(1 + revisions)`, i.e.
/// size × √(1 + changes). Size carries most of the signal and change history
/// adds to it with diminishing returns. Chosen over the back-tests recorded in
/// `BENCHMARKS.md` (nine public repositories), where it beat size alone on
/// average overall and within size strata; the classic revisions × complexity
/// did worse than size, as published.
pub fn hotspot_score(code_lines: u32, revisions: u64) -> f64 {
    (1.0 + f64::from(code_lines)).ln() + 0.5 * (1.0 + revisions as f64).ln()
}

/// ROC AUC of `scores` for `labels` (Mann–Whitney U with average ranks for
/// ties). `None` without both positives and negatives.
pub fn auc(scores: &[f64], labels: &[bool]) -> Option<f64> {
    let mut idx: Vec<usize> = (0..scores.len()).collect();
    idx.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    let mut ranks = vec![0.0; scores.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && scores[idx[j + 1]] == scores[idx[i]] {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0 + 1.0;
        for k in &idx[i..=j] {
            ranks[*k] = avg;
        }
        i = j + 1;
    }
    let pos = labels.iter().filter(|l| **l).count() as f64;
    let neg = labels.len() as f64 - pos;
    if pos == 0.0 || neg == 0.0 {
        return None;
    }
    let rank_sum: f64 = ranks
        .iter()
        .zip(labels)
        .filter(|(_, l)| **l)
        .map(|(r, _)| r)
        .sum();
    Some((rank_sum - pos * (pos + 1.0) / 2.0) / (pos * neg))
}

/// AUC over pairs of files in the same size stratum (quintiles of code lines):
/// how well the ranking separates fix-touched files from others of similar size.
pub fn strata_auc(scores: &[f64], labels: &[bool], sizes: &[u32], strata: usize) -> Option<f64> {
    let mut idx: Vec<usize> = (0..sizes.len()).collect();
    idx.sort_by(|&a, &b| sizes[a].cmp(&sizes[b]).then(a.cmp(&b)));
    let per = idx.len().div_ceil(strata.max(1)).max(1);
    let (mut weighted, mut weight) = (0.0, 0.0);
    for chunk in idx.chunks(per) {
        let s: Vec<f64> = chunk.iter().map(|&i| scores[i]).collect();
        let l: Vec<bool> = chunk.iter().map(|&i| labels[i]).collect();
        let pos = l.iter().filter(|x| **x).count() as f64;
        let pairs = pos * (l.len() as f64 - pos);
        if let Some(a) = auc(&s, &l) {
            weighted += a * pairs;
            weight += pairs;
        }
    }
    (weight > 0.0).then(|| weighted / weight)
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Ranking {
    pub name: &'static str,
    pub formula: &'static str,
    pub auc: Option<f64>,
    /// 95 % interval of the ROC AUC (Hanley & McNeil 1982 standard error).
    pub auc_interval: Option<[f64; 2]>,
    pub strata_auc: Option<f64>,
    /// Effort-aware Popt (Mende & Koschke 2010; Kamei et al. 2010): where
    /// the ranking's curve of later fixes found against code read lies
    /// between the worst (0) and the optimal (1) order.
    pub popt: Option<f64>,
    /// Share of later fix commits touching a file in the top 20 % of the code
    /// (files ranked by the score until they hold a fifth of the code lines), percent.
    pub top20_fix_share: f64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Backtest {
    pub files: u64,
    /// Every scored file with its scores and outcome, so any other tool can
    /// re-score the ranking (the scores are in `rankings`' order).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub outcomes: Vec<FileOutcome>,
    /// Files touched by a fix commit after the cut.
    pub fix_touched_files: u64,
    pub fix_commits: u64,
    pub rankings: Vec<Ranking>,
}

/// One scored file: what was known at the cut, each ranking's score and
/// what happened after.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FileOutcome {
    pub path: String,
    pub code_lines: u32,
    pub revisions: u64,
    pub authors: u64,
    /// One score per ranking, in the order of [`Backtest::rankings`].
    pub scores: Vec<f64>,
    /// Fix commits after the cut that touched the file.
    pub fix_commits: u64,
}

/// A 95 % interval of an AUC from its Hanley & McNeil (1982) standard error,
/// "The meaning and use of the area under a ROC curve", Radiology 143:29–36.
pub fn auc_interval(a: f64, positives: usize, negatives: usize) -> Option<[f64; 2]> {
    if positives == 0 || negatives == 0 {
        return None;
    }
    let (np, nn) = (positives as f64, negatives as f64);
    let q1 = a / (2.0 - a);
    let q2 = 2.0 * a * a / (1.0 + a);
    let var = (a * (1.0 - a) + (np - 1.0) * (q1 - a * a) + (nn - 1.0) * (q2 - a * a)) / (np * nn);
    let se = var.max(0.0).sqrt();
    Some([(a - 1.96 * se).max(0.0), (a + 1.96 * se).min(1.0)])
}

/// Area under the curve of cumulative fixes found (share of all) against
/// cumulative code read (share of all), files read in `order`.
fn effort_area(order: &[usize], sizes: &[u32], fixes: &[u64]) -> f64 {
    let total_code: f64 = sizes.iter().map(|&s| f64::from(s)).sum();
    let total_fix: f64 = fixes.iter().map(|&f| f as f64).sum();
    let (mut x, mut y, mut area) = (0.0, 0.0, 0.0);
    for &i in order {
        let dx = f64::from(sizes[i]) / total_code;
        let dy = fixes[i] as f64 / total_fix;
        area += dx * (y + dy / 2.0);
        x += dx;
        y += dy;
    }
    debug_assert!(x <= 1.0 + 1e-9);
    area
}

/// Popt = 1 − (area(optimal) − area(ranking)) / (area(optimal) − area(worst)),
/// the optimal order reading files by fix density (fixes per code line)
/// highest first, the worst lowest first; `order` is the ranking's. `None`
/// without fixes or code, or when every order is the same.
pub fn popt(order: &[usize], sizes: &[u32], fixes: &[u64]) -> Option<f64> {
    if fixes.iter().all(|&f| f == 0) || sizes.iter().all(|&s| s == 0) {
        return None;
    }
    let density = |i: usize| fixes[i] as f64 / f64::from(sizes[i].max(1));
    let mut best: Vec<usize> = (0..sizes.len()).collect();
    best.sort_by(|&a, &b| density(b).total_cmp(&density(a)).then(a.cmp(&b)));
    let mut worst = best.clone();
    worst.reverse();
    let (opt, low) = (
        effort_area(&best, sizes, fixes),
        effort_area(&worst, sizes, fixes),
    );
    (opt - low > 1e-12).then(|| 1.0 - (opt - effort_area(order, sizes, fixes)) / (opt - low))
}

fn round3(x: Option<f64>) -> Option<f64> {
    x.map(|v| (v * 1000.0).round() / 1000.0)
}

/// A ranking scored beside the built-in ones: its name, formula and one
/// score per candidate (higher ranks first).
pub type ExtraRanking = (&'static str, &'static str, Vec<f64>);

/// Scores each ranking: size, the classic hotspot, friction's hotspot
/// score, then `extra` (for example the fitted risk and density models).
/// `fix_sets` holds, per fix commit after the cut, the indices of the
/// candidates it touched.
pub fn backtest(
    c: &[Candidate],
    fix_sets: &[BTreeSet<usize>],
    extra: Vec<ExtraRanking>,
) -> Backtest {
    let mut labels = vec![false; c.len()];
    for set in fix_sets {
        for &i in set {
            labels[i] = true;
        }
    }
    let sizes: Vec<u32> = c.iter().map(|f| f.code_lines).collect();
    let total_code: u64 = sizes.iter().map(|&s| u64::from(s)).sum();
    let mut rankings: Vec<ExtraRanking> = vec![
        (
            "lines of code (baseline)",
            "code lines",
            c.iter().map(|f| f64::from(f.code_lines)).collect(),
        ),
        (
            "revisions × complexity (classic hotspot)",
            "revisions × cyclomatic complexity",
            c.iter()
                .map(|f| f.revisions as f64 * f64::from(f.cyclomatic))
                .collect(),
        ),
        (
            "friction hotspot score",
            "(1 + code lines) × √(1 + revisions)",
            c.iter()
                .map(|f| hotspot_score(f.code_lines, f.revisions))
                .collect(),
        ),
    ];
    rankings.extend(extra.into_iter().filter(|(_, _, s)| s.len() == c.len()));
    let mut fixes = vec![0u64; c.len()];
    for set in fix_sets {
        for &i in set {
            fixes[i] += 1;
        }
    }
    let positives = labels.iter().filter(|l| **l).count();
    let mut outcomes: Vec<FileOutcome> = c
        .iter()
        .zip(&fixes)
        .map(|(f, &n)| FileOutcome {
            path: f.path.clone(),
            code_lines: f.code_lines,
            revisions: f.revisions,
            authors: f.authors,
            scores: Vec::with_capacity(rankings.len()),
            fix_commits: n,
        })
        .collect();
    let out = rankings
        .into_iter()
        .map(|(name, formula, scores)| {
            let mut order: Vec<usize> = (0..c.len()).collect();
            order.sort_by(|&a, &b| {
                scores[b]
                    .total_cmp(&scores[a])
                    .then(c[a].path.cmp(&c[b].path))
            });
            let mut top = BTreeSet::new();
            let mut acc = 0u64;
            for &i in &order {
                if acc * 5 >= total_code {
                    break;
                }
                acc += u64::from(c[i].code_lines);
                top.insert(i);
            }
            let hits = fix_sets
                .iter()
                .filter(|s| s.iter().any(|i| top.contains(i)))
                .count();
            let share = if fix_sets.is_empty() {
                0.0
            } else {
                (hits as f64 * 1000.0 / fix_sets.len() as f64).round() / 10.0
            };
            for (o, &v) in outcomes.iter_mut().zip(&scores) {
                o.scores.push((v * 1e6).round() / 1e6);
            }
            let a = auc(&scores, &labels);
            Ranking {
                name,
                formula,
                auc: round3(a),
                auc_interval: a
                    .and_then(|a| auc_interval(a, positives, c.len() - positives))
                    .map(|[lo, hi]| {
                        [
                            (lo * 1000.0).round() / 1000.0,
                            (hi * 1000.0).round() / 1000.0,
                        ]
                    }),
                strata_auc: round3(strata_auc(&scores, &labels, &sizes, 5)),
                popt: round3(popt(&order, &sizes, &fixes)),
                top20_fix_share: share,
            }
        })
        .collect();
    Backtest {
        files: c.len() as u64,
        outcomes,
        fix_touched_files: positives as u64,
        fix_commits: fix_sets.len() as u64,
        rankings: out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_known_values() {
        assert_eq!(
            auc(&[1.0, 2.0, 3.0, 4.0], &[false, false, true, true]),
            Some(1.0)
        );
        assert_eq!(
            auc(&[4.0, 3.0, 2.0, 1.0], &[false, false, true, true]),
            Some(0.0)
        );
        // All tied: chance.
        assert_eq!(
            auc(&[1.0, 1.0, 1.0, 1.0], &[false, true, false, true]),
            Some(0.5)
        );
        // 1 of 4 positive-negative pairs misordered.
        assert_eq!(
            auc(&[1.0, 3.0, 2.0, 4.0], &[false, false, true, true]),
            Some(0.75)
        );
        assert_eq!(auc(&[1.0, 2.0], &[true, true]), None);
    }

    #[test]
    fn strata_remove_the_size_effect() {
        // The score is size itself: perfect overall, but within equal-size
        // strata it cannot separate anything.
        let sizes = [10, 10, 10, 100, 100, 100];
        let scores: Vec<f64> = sizes.iter().map(|s| f64::from(*s)).collect();
        let labels = [false, true, false, false, true, true];
        // 6 of 9 positive-negative pairs ordered right (ties count half).
        assert_eq!(
            auc(&scores, &labels).map(|a| (a * 1000.0).round()),
            Some(667.0)
        );
        assert_eq!(strata_auc(&scores, &labels, &sizes, 2), Some(0.5));
    }

    #[test]
    fn popt_is_one_for_the_optimal_order_and_zero_for_the_worst() {
        // Three files of 100, 200 and 100 lines with 3, 1 and 0 fixes.
        let sizes = [100, 200, 100];
        let fixes = [3, 1, 0];
        // Densities 0.03, 0.005, 0: optimal order 0, 1, 2; worst 2, 1, 0.
        assert_eq!(popt(&[0, 1, 2], &sizes, &fixes), Some(1.0));
        assert_eq!(popt(&[2, 1, 0], &sizes, &fixes), Some(0.0));
        // Hand-computed areas (x: code share, y: fix share, trapezoids):
        // optimal 0,1,2: ¼·⅜ + ½·(¾+⅞)/2 + ¼·1 = 0.09375 + 0.40625 + 0.25 = 0.75
        // worst 2,1,0:   ¼·0 + ½·⅛/2 + ¼·(¼+1)/2 = 0 + 0.03125 + 0.15625 = 0.1875
        // order 1,0,2:   ½·⅛/2 + ¼·(¼+1)/2 + ¼·1 = 0.03125 + 0.15625 + 0.25 = 0.4375
        // Popt = 1 − (0.75 − 0.4375)/(0.75 − 0.1875) = 1 − 0.3125/0.5625 = 0.4444…
        let p = popt(&[1, 0, 2], &sizes, &fixes).unwrap();
        assert!((p - 0.444_444).abs() < 1e-5, "{p}");
        assert_eq!(popt(&[0, 1, 2], &sizes, &[0, 0, 0]), None);
    }

    #[test]
    fn the_auc_interval_narrows_with_more_files_and_holds_the_estimate() {
        let small = auc_interval(0.75, 10, 40).unwrap();
        let large = auc_interval(0.75, 100, 400).unwrap();
        assert!(small[0] < 0.75 && 0.75 < small[1]);
        assert!(large[1] - large[0] < small[1] - small[0]);
        // A = 0.75, 10 positives, 40 negatives, by hand: Q1 = 0.75/1.25 =
        // 0.6, Q2 = 2·0.5625/1.75 = 0.642857; SE² = (0.1875 + 9·0.0375 +
        // 39·0.080357)/400 = 0.0091473, SE = 0.09564.
        let se = (small[1] - small[0]) / (2.0 * 1.96);
        assert!((se - 0.09564).abs() < 5e-4, "{se}");
        assert_eq!(auc_interval(0.7, 0, 10), None);
    }

    #[test]
    fn every_scored_file_is_listed_with_its_scores_and_fixes() {
        let c: Vec<Candidate> = (0..3)
            .map(|i| Candidate {
                path: format!("f{i}"),
                code_lines: 10 * (i as u32 + 1),
                cyclomatic: 2,
                revisions: i,
                authors: 1,
            })
            .collect();
        let b = backtest(&c, &[[2].into(), [1, 2].into()], Vec::new());
        let fixes: Vec<u64> = b.outcomes.iter().map(|o| o.fix_commits).collect();
        assert_eq!(fixes, [0, 1, 2]);
        assert!(
            b.outcomes
                .iter()
                .all(|o| o.scores.len() == b.rankings.len())
        );
        assert_eq!(b.outcomes[2].scores[0], 30.0);
    }

    #[test]
    fn top_fifth_of_the_code() {
        let c: Vec<Candidate> = (0..5)
            .map(|i| Candidate {
                path: format!("f{i}"),
                code_lines: 100,
                cyclomatic: 1,
                revisions: i,
                authors: 1,
            })
            .collect();
        // Two fix commits: one touches f4 (the most revised), one f0.
        let b = backtest(&c, &[[4].into(), [0].into()], Vec::new());
        let friction = &b.rankings[2];
        // The top fifth of the code is f4 alone: one of two fix commits.
        assert_eq!(friction.top20_fix_share, 50.0);
        assert_eq!(b.fix_touched_files, 2);
    }
}
