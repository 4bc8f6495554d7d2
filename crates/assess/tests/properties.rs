//! Properties the index must keep on any input: monotonicity, coverage
//! honesty, decomposition and determinism.

use std::collections::BTreeMap;

use friction_assess::index::{Baseline, aggregate, index, point_index, project_all};
use friction_assess::{Assessment, AssessmentDocument, Options, assess};
use friction_signals::{Change, Commit, Data, Family, File, Overrides, REGISTRY, Scope, Signal};
use proptest::prelude::*;

const DAY: i64 = 86_400;

/// A synthetic repository: files (health, code lines, component, owned),
/// commits (day, author, fix, files touched with added/deleted lines).
/// (day, author, fix, [(file, added, deleted)])
type SynthCommit = (i64, u8, bool, Vec<(usize, u64, u64)>);

#[derive(Debug, Clone)]
struct Repo {
    files: Vec<(f64, u32, u8, bool)>,
    commits: Vec<SynthCommit>,
}

fn repo() -> impl Strategy<Value = Repo> {
    let files = prop::collection::vec((1.0f64..10.0, 1u32..2000, 0u8..3, any::<bool>()), 2..12);
    files.prop_flat_map(|files| {
        let n = files.len();
        let commit = (
            0i64..400,
            0u8..5,
            any::<bool>(),
            prop::collection::vec((0..n, 0u64..300, 0u64..300), 1..5),
        );
        (Just(files), prop::collection::vec(commit, 1..40))
            .prop_map(|(files, commits)| Repo { files, commits })
    })
}

fn data(r: &Repo, teams: bool, codeowners: bool) -> Data {
    let files: Vec<File> = r
        .files
        .iter()
        .enumerate()
        .map(|(i, (h, loc, comp, owned))| File {
            path: format!("c{comp}/f{i}.rs"),
            file_id: format!("id{i}"),
            component: format!("c{comp}"),
            test: false,
            code_lines: *loc,
            health: Some((h * 100.0).round() / 100.0),
            owned: codeowners.then_some(*owned),
        })
        .collect();
    let mut commits: Vec<SynthCommit> = r.commits.clone();
    commits.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    let mut cs = Vec::new();
    let mut changes = Vec::new();
    let mut created = vec![false; files.len()];
    for (k, (day, author, fix, touched)) in commits.iter().enumerate() {
        cs.push(Commit {
            id: format!("{k:040}"),
            time: day * DAY,
            author: format!("a{author}@x"),
            fix: *fix,
            ai: false,
        });
        let mut seen = std::collections::BTreeSet::new();
        for (f, add, del) in touched {
            if !seen.insert(*f) {
                continue;
            }
            changes.push(Change {
                commit: k as u32,
                file_id: format!("id{f}"),
                added: *add,
                deleted: *del,
                created: !std::mem::replace(&mut created[*f], true),
                file: None,
                key: 0,
            });
        }
    }
    let teams = teams.then(|| {
        (0..5u8)
            .map(|a| (format!("a{a}@x"), format!("team{}", a % 2)))
            .collect::<BTreeMap<_, _>>()
    });
    Data::new(
        35 * DAY,
        400 * DAY,
        12,
        "salt".into(),
        files,
        cs,
        changes,
        teams,
        codeowners.then(|| "CODEOWNERS".to_owned()),
        true,
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Lowering any one signal's score never raises the index.
    #[test]
    fn worsening_a_signal_never_raises_the_index(
        scores in prop::collection::vec(prop::option::of(0.0f64..100.0), REGISTRY.len()),
        which in 0..REGISTRY.len(),
        drop in 0.0f64..100.0,
    ) {
        let base: Vec<(&'static dyn Signal, Option<f64>)> =
            REGISTRY.iter().copied().zip(scores.iter().copied()).collect();
        let mut worse = base.clone();
        if let Some(s) = worse[which].1 {
            worse[which].1 = Some((s - drop).max(0.0));
        }
        let (a, _) = aggregate(&base, |s| s.weight());
        let (b, _) = aggregate(&worse, |s| s.weight());
        if let (Some(a), Some(b)) = (a, b) {
            prop_assert!(b <= a + 1e-9, "{b} > {a}");
        }
    }

    /// On real facts: making a file less healthy never raises the index.
    #[test]
    fn lower_health_never_raises_the_index(r in repo(), which in 0usize..12, by in 0.5f64..8.0) {
        let d = data(&r, true, true);
        let i = which % d.files.len();
        let scope = Scope::repository();
        let before = index(&d, &scope, &Overrides::default()).score;
        let mut o = Overrides::default();
        let h = d.files[i].health.unwrap();
        o.health.insert(d.files[i].file_id.clone(), (h - by).max(1.0));
        let after = index(&d, &scope, &o).score;
        if let (Some(b), Some(a)) = (before, after) {
            prop_assert!(a <= b + 0.011, "{a} > {b}");
        }
    }

    /// Removing an input (CODEOWNERS, teams) lowers coverage and leaves the
    /// score of every driver that stays measured unchanged.
    #[test]
    fn removing_an_input_lowers_coverage_only(r in repo()) {
        let full = index(&data(&r, true, true), &Scope::repository(), &Overrides::default());
        for less in [data(&r, false, true), data(&r, true, false), data(&r, false, false)] {
            let part = index(&less, &Scope::repository(), &Overrides::default());
            prop_assert!(part.coverage <= full.coverage);
            for (a, b) in full.drivers.iter().zip(&part.drivers) {
                // A family that lost its only input is not measured; others
                // whose signals did not read the input keep their score.
                let uses_removed = a.signals.iter().zip(&b.signals).any(|(x, y)| x.score != y.score);
                if !uses_removed {
                    prop_assert_eq!(a.score, b.score);
                }
                if b.score.is_some() && a.family != Family::TeamExecution {
                    prop_assert_eq!(a.score, b.score);
                }
            }
        }
    }

    /// The index is the sum of its drivers' contributions.
    #[test]
    fn decomposition_adds_up(r in repo()) {
        let d = data(&r, true, true);
        let idx = index(&d, &Scope::repository(), &Overrides::default());
        if let Some(score) = idx.score {
            let sum: f64 = idx.drivers.iter().map(|x| x.contribution).sum();
            prop_assert!((sum - score).abs() <= 0.03, "{sum} vs {score}");
            let lost: f64 = idx.drivers.iter().map(|x| x.points_lost).sum();
            prop_assert!((100.0 - lost - score).abs() <= 0.03);
        }
    }

    /// The signals' contributions add up to the index, and the change from
    /// one assessment to another decomposes into its signals' and drivers'
    /// moves: they add up to the index difference, up to the stated rounding.
    #[test]
    fn a_change_decomposes_into_moves_that_add_up(a in repo(), b in repo()) {
        let before = assess(&data(&a, true, true), &Options::default());
        let after = assess(&data(&b, false, true), &Options::default());
        for x in [&before, &after] {
            if let Some(score) = x.index.score {
                let sum: f64 = x.index.signal_contributions().iter().map(|(_, _, p)| p).sum();
                // The contributions are computed from two-decimal scores.
                prop_assert!((sum - score).abs() <= 0.011, "{sum} vs {score}");
            }
        }
        let c = friction_assess::compare::compare(&before, &after, 10);
        if let (Some(x), Some(y)) = (before.index.score, after.index.score) {
            let delta = c.delta.unwrap();
            prop_assert!((delta - (y - x)).abs() < 0.006);
            let signals: f64 = c.signals.iter().map(|s| s.delta).sum::<f64>() + c.rounding;
            prop_assert!((signals - delta).abs() < 1e-6, "{signals} vs {delta}");
            let drivers: f64 = c.drivers.iter().map(|d| d.delta).sum::<f64>() + c.driver_rounding;
            prop_assert!((drivers - delta).abs() < 1e-6, "{drivers} vs {delta}");
            // The rounding is that of the parts, not a hidden difference.
            prop_assert!(c.rounding.abs() <= 0.01 * c.signals.len() as f64 + 0.011);
        } else {
            prop_assert_eq!(c.delta, None);
        }
    }

    /// A projection that re-measures only the signals that read the kinds of
    /// override it sets equals measuring every signal again, whatever the
    /// overrides (health, spread, decoupled pairs, process values).
    #[test]
    fn projections_from_the_baseline_equal_full_measures(
        r in repo(),
        health in prop::collection::vec((0usize..12, 1.0f64..10.0), 0..4),
        spread in prop::collection::vec(0usize..12, 0..3),
        decouple in any::<bool>(),
        values in prop::collection::vec((0usize..2, 0.0f64..100.0), 0..2),
    ) {
        let d = data(&r, true, true);
        let scope = Scope::repository();
        let n = d.files.len();
        let mut o = Overrides::default();
        for (i, h) in health {
            o.health.insert(d.files[i % n].file_id.clone(), h);
        }
        for i in spread {
            o.spread.insert(d.files[i % n].file_id.clone());
        }
        if decouple {
            o.decoupled.insert(("c0".to_owned(), "c1".to_owned()));
        }
        for (k, v) in values {
            o.values.insert(["batch-size", "unowned-code"][k].to_owned(), v);
        }
        let base = Baseline::new(&d, &scope);
        prop_assert_eq!(base.index(), point_index(&d, &scope, &Overrides::default()));
        prop_assert_eq!(base.project(&d, &scope, &o), point_index(&d, &scope, &o));
        // In parallel and in order.
        let many: Vec<Overrides> = (0..6).map(|k| if k % 2 == 0 { o.clone() } else { Overrides::default() }).collect();
        let expected: Vec<Option<f64>> = many.iter().map(|x| point_index(&d, &scope, x)).collect();
        prop_assert_eq!(project_all(&d, &scope, &base, &many), expected);
    }

    /// Same facts, same assessment, byte for byte.
    #[test]
    fn assessment_is_deterministic(r in repo()) {
        let a = serde_json::to_string(&assess(&data(&r, true, true), &Options::default())).unwrap();
        let b = serde_json::to_string(&assess(&data(&r, true, true), &Options::default())).unwrap();
        prop_assert_eq!(a, b);
    }

    /// An assessment written out and read back is the same assessment (less
    /// the projection effects, which are not written) and writes the same bytes.
    #[test]
    fn assessment_reads_back_as_written(r in repo()) {
        let a = assess(&data(&r, true, true), &Options::default());
        let doc = AssessmentDocument {
            assessment: a.clone(),
            tool_version: "0.0.0".into(),
            commit: Some("c".repeat(40)),
            window_from: "2020-01-01".into(),
            window_to: "2020-12-31".into(),
            team_overlaps: Vec::new(),
        };
        let text = doc.to_json();
        let back = AssessmentDocument::from_json(&text).unwrap();
        prop_assert_eq!(back.to_json(), text);
        let mut expected: Assessment = a;
        for i in &mut expected.interventions {
            i.effect = None;
        }
        prop_assert_eq!(back.assessment, expected);
    }
}

/// A family with no measured signal contributes nothing and costs coverage.
#[test]
fn not_measured_families_lower_coverage_not_the_score() {
    let r = Repo {
        files: vec![(9.5, 100, 0, true), (3.0, 500, 1, false)],
        commits: vec![
            (50, 0, false, vec![(0, 10, 0), (1, 10, 0)]),
            (60, 1, true, vec![(1, 5, 5)]),
            (70, 1, true, vec![(1, 5, 5)]),
        ],
    };
    let idx = index(
        &data(&r, false, false),
        &Scope::repository(),
        &Overrides::default(),
    );
    let ops = idx
        .drivers
        .iter()
        .find(|d| d.family == Family::Operations)
        .unwrap();
    assert_eq!(ops.score, None);
    assert_eq!(ops.contribution, 0.0);
    assert!(idx.coverage < 0.9, "{}", idx.coverage);
    // Each measured driver weighs its family weight times its measured share
    // (the weights of its measured signals).
    let measured: Vec<_> = idx.drivers.iter().filter(|d| d.score.is_some()).collect();
    let weight = |d: &&friction_assess::index::Driver| {
        let share: f64 = d
            .signals
            .iter()
            .filter(|s| s.score.is_some())
            .map(|s| s.weight)
            .sum();
        d.weight * share
    };
    let w: f64 = measured.iter().map(weight).sum();
    let expect: f64 = measured
        .iter()
        .map(|d| weight(d) * d.score.unwrap())
        .sum::<f64>()
        / w;
    assert!((idx.score.unwrap() - expect).abs() < 0.02);
}

/// A slow review wait gives "Cut review pickup time", which moves the index
/// by bringing review-wait to the healthy band's edge.
#[test]
fn slow_reviews_give_an_intervention_that_reaches_the_healthy_band() {
    use friction_signals::delivery::{Delivery, Pull, PullReview};
    let r = Repo {
        files: vec![(9.5, 100, 0, true), (8.0, 500, 1, true)],
        commits: vec![
            (50, 0, false, vec![(0, 10, 0), (1, 10, 0)]),
            (60, 1, false, vec![(1, 5, 5)]),
        ],
    };
    let mut d = data(&r, false, true);
    let pulls = (1..=5)
        .map(|n| Pull {
            number: n,
            author: "alice".into(),
            created: Some(100 * DAY),
            merged: Some(100 * DAY + 100 * 3600),
            reviews: vec![PullReview {
                author: "bob".into(),
                submitted: Some(100 * DAY + 50 * 3600),
                ..PullReview::default()
            }],
            ..Pull::default()
        })
        .collect();
    d.delivery = Some(Delivery {
        pulls,
        ..Delivery::default()
    });
    let a = assess(&d, &Options::default());
    let iv = a
        .interventions
        .iter()
        .find(|i| i.id == "cut-review-pickup")
        .expect("an intervention for a 100-hour review wait");
    assert!(iv.why.contains("median 100 hours"), "{}", iv.why);
    assert!(iv.why.contains("starts at 24"), "{}", iv.why);
    assert!(iv.index_gain > 0.0, "{}", iv.index_gain);
    assert!(!a.interventions.iter().any(|i| i.id == "deploy-more-often"));
}
