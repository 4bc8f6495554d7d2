//! How stable the calibrated curves are: for every calibrated signal, the
//! population's quantiles, and how far a score moves when the curve is
//! derived from half of the reference repositories instead of all of them
//! (split-half, 200 seeded random halves; the score of each repository's
//! own value under the half curve it was *not* in, against the full curve).
//!
//! `cargo run -p friction-signals --example calibration` (BENCHMARKS.md,
//! "Calibrated on a reference population").

use friction_signals::calibration::{self, Row};
use std::collections::BTreeSet;

fn main() {
    let rows = calibration::population();
    let repos: Vec<&str> = rows
        .iter()
        .map(|r| r.repository.as_str())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    println!(
        "| signal | repositories | 10th / 25th / median / 75th / 90th percentile | \
         mean \\|Δ score\\| out of half | 90th percentile \\|Δ score\\| |"
    );
    println!("|---|---|---|---|---|");
    for s in friction_signals::REGISTRY {
        let full = calibration::calibration(*s);
        let Some(curve) = full.curve.as_ref() else {
            continue;
        };
        let mut deltas = Vec::new();
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        for _ in 0..200 {
            // A seeded shuffle (SplitMix64) picks half of the repositories.
            let mut order: Vec<(u64, &str)> = repos
                .iter()
                .map(|r| {
                    state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
                    let mut z = state;
                    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
                    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
                    (z ^ (z >> 31), *r)
                })
                .collect();
            order.sort_unstable();
            let half: BTreeSet<&str> = order[..repos.len() / 2].iter().map(|x| x.1).collect();
            let inside: Vec<Row> = rows
                .iter()
                .filter(|r| half.contains(r.repository.as_str()))
                .cloned()
                .collect();
            let c = calibration::derive_with(s.researched_curve(), &inside, s.id(), 10);
            let Some(half_curve) = c.curve else { continue };
            for r in rows.iter().filter(|r| {
                r.signal == s.id()
                    && !half.contains(r.repository.as_str())
                    && r.evidence.is_none_or(|e| e >= calibration::MIN_EVIDENCE)
            }) {
                deltas.push((half_curve.score(r.value) - curve.score(r.value)).abs());
            }
        }
        deltas.sort_by(f64::total_cmp);
        let mean = deltas.iter().sum::<f64>() / deltas.len().max(1) as f64;
        let p90 = deltas
            .get((deltas.len() as f64 * 0.9) as usize)
            .copied()
            .unwrap_or(f64::NAN);
        let q = full.quantiles;
        println!(
            "| `{}` | {} | {:.2} / {:.2} / {:.2} / {:.2} / {:.2} {} | {mean:.1} | {p90:.1} |",
            s.id(),
            full.n,
            q[0],
            q[1],
            q[2],
            q[3],
            q[4],
            s.unit()
        );
    }
}
