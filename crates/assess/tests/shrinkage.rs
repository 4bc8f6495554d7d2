//! Shrinkage of scores toward their priors (issue 20, item 4): more
//! evidence never widens an interval, a repository with few fixes and none
//! recurring is not scored as perfect, bootstrap noise moves a point estimate
//! by less than half its interval, proxies never pin their driver.

use friction_assess::index::{index, replicates};
use friction_signals::{
    Change, Commit, Data, Family, Figure, File, Measured, Outcome, Overrides, Sample, Scope,
    Signal, find, shrunk,
};
use proptest::prelude::*;

const DAY: i64 = 86_400;

/// Signals with a stated prior (the proxy `defect-prone-code`, whose
/// evidence is its fix commits) and with the default one (their evidence is
/// the sample's units).
const SIGNALS: [&str; 3] = ["defect-prone-code", "rework", "changed-code-health"];

fn signal(id: &str) -> &'static dyn Signal {
    find(id).unwrap_or_else(|| panic!("no signal {id}"))
}

/// A ratio measurement of `s` over units `(share 0–1 along the curve's
/// domain, weight)`, repeated `times`, with `fixes × times` fix commits.
fn measured(s: &dyn Signal, units: &[(f64, f64)], fixes: f64, times: usize) -> Measured {
    let (lo, hi) = friction_signals::scoring_curve(s).domain();
    let (mut num, mut den) = (Vec::new(), Vec::new());
    for _ in 0..times {
        for (p, w) in units {
            num.push(w * (lo + (hi - lo) * p));
            den.push(*w);
        }
    }
    let sample = Sample::Ratio { num, den };
    Measured {
        value: sample.value(None).unwrap_or(lo),
        coverage: 1.0,
        figures: vec![Figure {
            name: "fix commits".into(),
            value: fixes * times as f64,
            unit: "commits".into(),
        }],
        evidence: Vec::new(),
        sample,
    }
}

fn width(i: [f64; 2]) -> f64 {
    i[1] - i[0]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// The same rates over twice, four times … as many units (and fix
    /// commits) never give a wider interval. (Doubling: the raw score's
    /// variance comes from 200 bootstrap replicates, whose Monte-Carlo noise
    /// of about a tenth could outweigh a tiny increment of evidence.)
    #[test]
    fn more_evidence_never_widens_the_interval(
        units in prop::collection::vec((0.0f64..1.0, 1.0f64..50.0), 1..20),
        fixes in 1.0f64..40.0,
        which in 0usize..SIGNALS.len(),
    ) {
        let s = signal(SIGNALS[which]);
        let mut prev = f64::INFINITY;
        for times in [1, 2, 4, 8, 16] {
            let r = replicates(s, &measured(s, &units, fixes, times), "scope");
            let w = width(r.interval());
            prop_assert!(w <= prev + 1e-9, "{} × {times}: {w} > {prev}", s.id());
            prev = w;
        }
    }

    /// A bootstrap resample of the units (the noise of which units happened
    /// to be observed) moves the shrunk score by less than half its interval,
    /// on average over resamples.
    #[test]
    fn bootstrap_noise_moves_the_point_by_less_than_half_its_interval(
        units in prop::collection::vec((0.0f64..1.0, 1.0f64..50.0), 2..30),
        fixes in 1.0f64..60.0,
        which in 0usize..SIGNALS.len(),
        picks in prop::collection::vec(prop::collection::vec(any::<prop::sample::Index>(), 30), 20),
    ) {
        let s = signal(SIGNALS[which]);
        let m = measured(s, &units, fixes, 1);
        let r = replicates(s, &m, "scope");
        let half = width(r.interval()) / 2.0;
        let mut moved = 0.0;
        for pick in &picks {
            let resampled: Vec<(f64, f64)> =
                (0..units.len()).map(|k| units[pick[k].index(units.len())]).collect();
            moved += (shrunk(s, &measured(s, &resampled, fixes, 1)).score - r.shrunk.score).abs();
        }
        let mean = moved / picks.len() as f64;
        prop_assert!(mean < half, "{}: moved {mean} ≥ half-interval {half}", s.id());
    }

    /// However strong its evidence, a proxy read from commit-message words
    /// keeps its score within 20–80.
    #[test]
    fn a_proxy_never_pins_its_driver(
        share in 0.0f64..1.0,
        fixes in 1.0f64..100_000.0,
    ) {
        let s = signal("defect-prone-code");
        prop_assert!(s.proxy());
        let sh = shrunk(s, &measured(s, &[(share, 1.0)], fixes, 1));
        prop_assert!((20.0..=80.0).contains(&sh.score), "{}", sh.score);
    }
}

/// `n_fix` fix commits, each touching a file of its own once (none recurs),
/// and 30 other commits, over 100 files of 100 lines.
fn few_fixes(n_fix: usize) -> Data {
    let files: Vec<File> = (0..100)
        .map(|i| File {
            path: format!("src/f{i}.py"),
            file_id: format!("f{i}"),
            component: "src".into(),
            test: false,
            code_lines: 100,
            health: Some(8.0),
            owned: None,
        })
        .collect();
    let (mut commits, mut changes) = (Vec::new(), Vec::new());
    for k in 0..(30 + n_fix) {
        let fix = k >= 30;
        commits.push(Commit {
            id: format!("{k:040}"),
            time: (10 + k as i64 * 3) * DAY,
            author: format!("a{}@x", k % 3),
            fix,
            ai: false,
        });
        changes.push(Change {
            commit: k as u32,
            file_id: format!("f{k}"),
            added: 10,
            deleted: 2,
            created: false,
            file: None,
            key: 0,
        });
    }
    Data::new(
        0,
        365 * DAY,
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

fn reliability(data: &Data) -> (Option<f64>, Option<f64>, Option<f64>) {
    let i = index(data, &Scope::repository(), &Overrides::default());
    let d = i
        .drivers
        .iter()
        .find(|d| d.family == Family::Reliability)
        .expect("reliability");
    let s = d
        .signals
        .iter()
        .find(|s| s.id == "defect-prone-code")
        .expect("signal");
    (s.raw_score, s.score, d.score)
}

/// Three fixes, none recurring: the raw share is 0 % (a raw score of 100),
/// but three fixes are little evidence: the score is well below 100, and so
/// is Reliability's. No fix at all: not measured, never 100.
#[test]
fn a_repository_with_few_fixes_is_not_scored_as_perfect() {
    let (raw, score, driver) = reliability(&few_fixes(3));
    assert_eq!(raw, Some(100.0));
    // Z = 3 / (3 + 20): 0.13 × 100 + 0.87 × 50.
    assert_eq!(score, Some(56.52));
    assert!(driver.is_some_and(|d| d < 75.0), "{driver:?}");
    let (raw, score, driver) = reliability(&few_fixes(0));
    assert_eq!((raw, score, driver), (None, None, None));
    let m =
        friction_assess::index::measure(&few_fixes(0), &Scope::repository(), &Overrides::default());
    let (_, o) = m
        .iter()
        .find(|(s, _)| s.id() == "defect-prone-code")
        .expect("signal");
    assert!(matches!(o, Outcome::NotMeasured(_)));
}

/// More fixes, none recurring, move the score toward 100 but never past the
/// proxy's cap of 80 (credibility 3/23, 8/28, 15/35, then the cap 0.6).
#[test]
fn more_clean_fixes_raise_the_score_up_to_the_proxy_cap() {
    let scores: Vec<f64> = [3, 8, 15, 60]
        .iter()
        .map(|&n| reliability(&few_fixes(n)).1.expect("measured"))
        .collect();
    assert!(scores.windows(2).all(|w| w[0] < w[1]), "{scores:?}");
    assert_eq!(scores[3], 80.0);
}
