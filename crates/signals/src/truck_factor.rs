//! Truck factor: how many people would have to leave before most of the code
//! has nobody who knows it.

use friction_analysis::knowledge::TF_COVERAGE;

use crate::FileKnown;

use crate::{Context, Curve, Doc, Evidence, Family, Figure, Input, Measured, Outcome, Sample};

pub struct TruckFactor;

static DOC: Doc = Doc {
    title: "Truck factor",
    measures: "The smallest number of authors whose departure leaves more than half of the \
        files without any author who knows them (Avelino et al.'s truck factor).",
    why: "A low truck factor is a concentration risk: one resignation or reorganisation can \
        stall delivery on most of the code. Avelino et al. found a truck factor of 1 or 2 in \
        most of the popular GitHub projects they studied.",
    how: "Degree of authorship per file and author, DOA = 3.293 + 1.098·FA + 0.164·DL − \
        0.321·ln(1 + AC) over the whole history (FA: created the file, DL: own commits, AC: \
        others' commits); an author knows a file when DOA/max ≥ 0.75 and DOA ≥ 3.293. The \
        greedy algorithm removes the author who knows the most files until fewer than half the \
        files are known; the truck factor is how many were removed. Authors are shown as \
        pseudonyms. This is a count, not a rate: it is not bootstrapped, and large scopes can \
        reach higher values than small ones.",
    thresholds: "1 → 0, 2 → 50, 4 or more → 100, linear in between (friction's choice: one \
        departure orphaning half the code is the worst case; Avelino et al. report 1–2 as the \
        common, risky case).",
    sources: &[
        "Avelino, Passos, Hora & Valente, \"A Novel Approach for Estimating Truck Factors\", ICPC 2016",
    ],
};

static CURVE: Curve = Curve::linear(&[(1.0, 0.0), (2.0, 50.0), (4.0, 100.0)]);

/// The greedy truck factor over files' knowing authors (numbered `0..n`):
/// the authors removed, in order.
/// Avelino et al.'s greedy truck factor: remove the author who knows the most
/// files (ties: the lower number) until fewer than `TF_COVERAGE` of the files
/// have an author left; returns the authors removed, in order.
///
/// An author's count of known files does not depend on who else is gone, so
/// the greedy order is a sort; coverage is kept up to date per removal
/// (linear in the sets' total size, where recounting each round was not).
pub(crate) fn truck_factor(sets: &[Vec<u32>], n: usize) -> Vec<u32> {
    let files = sets.len();
    if files == 0 {
        return Vec::new();
    }
    let mut counts = vec![0usize; n];
    let mut knows: Vec<Vec<u32>> = vec![Vec::new(); n];
    let mut alive_in: Vec<usize> = Vec::with_capacity(files);
    for (f, s) in sets.iter().enumerate() {
        for &a in s {
            counts[a as usize] += 1;
            knows[a as usize].push(f as u32);
        }
        alive_in.push(s.len());
    }
    let mut covered = alive_in.iter().filter(|c| **c > 0).count();
    let mut order: Vec<usize> = (0..n).filter(|a| counts[*a] > 0).collect();
    order.sort_by(|a, b| counts[*b].cmp(&counts[*a]).then(a.cmp(b)));
    let mut removed = Vec::new();
    for a in order {
        if (covered as f64) < TF_COVERAGE * files as f64 {
            break;
        }
        for &f in &knows[a] {
            alive_in[f as usize] -= 1;
            if alive_in[f as usize] == 0 {
                covered -= 1;
            }
        }
        removed.push(a as u32);
    }
    removed
}

pub(crate) fn scoped<'a>(ctx: &Context<'a>) -> Vec<(usize, &'a FileKnown)> {
    let known = ctx.data.known();
    ctx.files()
        .filter_map(|(i, _)| known.files[i].as_ref().map(|k| (i, k)))
        .collect()
}

impl crate::Signal for TruckFactor {
    fn id(&self) -> &'static str {
        "truck-factor"
    }
    fn family(&self) -> Family {
        Family::TeamExecution
    }
    fn weight(&self) -> f64 {
        0.15
    }
    fn unit(&self) -> &'static str {
        "authors"
    }
    fn doc(&self) -> &'static Doc {
        &DOC
    }
    fn researched_curve(&self) -> &'static Curve {
        &CURVE
    }
    fn needs(&self) -> &'static [Input] {
        &[Input::History]
    }
    fn measure(&self, ctx: &Context<'_>) -> Outcome {
        let files = scoped(ctx);
        if files.is_empty() {
            return Outcome::NotMeasured(
                ctx.files_unknown()
                    .unwrap_or_else(|| "no file in scope has history".into()),
            );
        }
        let known = ctx.data.known();
        // A spread file gains a knowing author of its own (a new number).
        let mut n = known.authors.len();
        let sets: Vec<Vec<u32>> = files
            .iter()
            .map(|(i, k)| {
                let mut s = k.authors.clone();
                if ctx.spread(&ctx.data.files[*i].file_id) {
                    s.push(n as u32);
                    n += 1;
                }
                s
            })
            .collect();
        let removed = truck_factor(&sets, n);
        let mut counts = vec![0usize; n];
        for s in &sets {
            for a in s {
                counts[*a as usize] += 1;
            }
        }
        let evidence = removed
            .iter()
            .filter(|a| (**a as usize) < known.authors.len())
            .map(|a| Evidence {
                kind: "author".into(),
                id: ctx.data.pseudonym(&known.authors[*a as usize]),
                value: counts[*a as usize] as f64,
                cite: None,
                label: "files this author knows".into(),
            })
            .collect();
        Outcome::Measured(Measured {
            value: removed.len() as f64,
            coverage: 1.0,
            figures: vec![Figure {
                name: "files with history".into(),
                value: files.len() as f64,
                unit: "files".into(),
            }],
            evidence: crate::top_evidence(evidence),
            sample: Sample::Fixed,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The textbook greedy loop: recount everything each round.
    fn reference(sets: &[Vec<u32>], n: usize) -> Vec<u32> {
        let files = sets.len();
        let mut alive = vec![true; n];
        let mut removed = Vec::new();
        loop {
            let covered = sets
                .iter()
                .filter(|s| s.iter().any(|a| alive[*a as usize]))
                .count();
            if files == 0 || (covered as f64) < TF_COVERAGE * files as f64 {
                break;
            }
            let mut counts = vec![0usize; n];
            for s in sets {
                for a in s {
                    if alive[*a as usize] {
                        counts[*a as usize] += 1;
                    }
                }
            }
            let Some((top, _)) = counts
                .iter()
                .enumerate()
                .filter(|(_, c)| **c > 0)
                .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(&a.0)))
            else {
                break;
            };
            alive[top] = false;
            removed.push(top as u32);
        }
        removed
    }

    #[test]
    fn the_sorted_greedy_equals_the_recounting_greedy() {
        // SplitMix64 for reproducible random author sets.
        let mut state = 7u64;
        let mut next = |m: u64| {
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            (z ^ (z >> 31)) % m
        };
        for _ in 0..500 {
            let n = 1 + next(12) as usize;
            let files = next(40) as usize;
            let sets: Vec<Vec<u32>> = (0..files)
                .map(|_| (0..next(4)).map(|_| next(n as u64) as u32).collect())
                .collect();
            assert_eq!(truck_factor(&sets, n), reference(&sets, n), "{sets:?}");
        }
        assert!(truck_factor(&[], 3).is_empty());
    }
}
