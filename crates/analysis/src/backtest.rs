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
    pub strata_auc: Option<f64>,
    /// Share of later fix commits touching a file in the top 20 % of the code
    /// (files ranked by the score until they hold a fifth of the code lines), percent.
    pub top20_fix_share: f64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Backtest {
    pub files: u64,
    /// Files touched by a fix commit after the cut.
    pub fix_touched_files: u64,
    pub fix_commits: u64,
    pub rankings: Vec<Ranking>,
}

fn round3(x: Option<f64>) -> Option<f64> {
    x.map(|v| (v * 1000.0).round() / 1000.0)
}

/// Scores each ranking. `fix_sets` holds, per fix commit after the cut, the
/// indices of the candidates it touched.
pub fn backtest(c: &[Candidate], fix_sets: &[BTreeSet<usize>]) -> Backtest {
    let mut labels = vec![false; c.len()];
    for set in fix_sets {
        for &i in set {
            labels[i] = true;
        }
    }
    let sizes: Vec<u32> = c.iter().map(|f| f.code_lines).collect();
    let total_code: u64 = sizes.iter().map(|&s| u64::from(s)).sum();
    let rankings: Vec<(&'static str, &'static str, Vec<f64>)> = vec![
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
            for i in order {
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
            Ranking {
                name,
                formula,
                auc: round3(auc(&scores, &labels)),
                strata_auc: round3(strata_auc(&scores, &labels, &sizes, 5)),
                top20_fix_share: share,
            }
        })
        .collect();
    Backtest {
        files: c.len() as u64,
        fix_touched_files: labels.iter().filter(|l| **l).count() as u64,
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
        let b = backtest(&c, &[[4].into(), [0].into()]);
        let friction = &b.rankings[2];
        // The top fifth of the code is f4 alone: one of two fix commits.
        assert_eq!(friction.top20_fix_share, 50.0);
        assert_eq!(b.fix_touched_files, 2);
    }
}
