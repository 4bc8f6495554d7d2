//! What changed between two assessments, decomposed so the parts add up.
//!
//! Each signal contributes index points by the one formula of
//! [`IndexResult::signal_contributions`], and the index is their sum; so the
//! change of the index is exactly Σ Δc(s) over all signals, with a rounding
//! remainder from the two-decimal scores stored in the assessments, which the
//! change states instead of hiding. A signal that becomes measured or stops
//! being measured moves the others' shares, and is named as such.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::Assessment;
use crate::index::IndexResult;

/// A driver's move.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DriverMove {
    pub family: String,
    pub before: Option<f64>,
    pub after: Option<f64>,
    /// Index points the driver contributed before and after.
    pub contribution_before: f64,
    pub contribution_after: f64,
    pub delta: f64,
}

/// A signal's move.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SignalMove {
    pub id: String,
    pub family: String,
    pub value_before: Option<f64>,
    pub value_after: Option<f64>,
    pub unit: String,
    pub score_before: Option<f64>,
    pub score_after: Option<f64>,
    pub contribution_before: f64,
    pub contribution_after: f64,
    /// Index points this signal moved.
    pub delta: f64,
    /// `newly measured`, `no longer measured`, or empty.
    pub note: String,
}

/// A file whose estimated friction moved.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FileMove {
    pub path: String,
    pub health_before: Option<f64>,
    pub health_after: Option<f64>,
    /// Mid-point of the yearly friction plus defect-work estimate, hours.
    pub hours_before: Option<f64>,
    pub hours_after: Option<f64>,
    pub delta_hours: f64,
}

/// What became of a roadmap step of the earlier assessment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum StepStatus {
    /// The file it refactors is now healthy.
    #[serde(rename = "done")]
    Done,
    /// Still proposed.
    #[serde(rename = "open")]
    Open,
    /// Absent from the later roadmap without proof that it was done.
    #[serde(rename = "not proposed")]
    NotProposed,
}

/// A roadmap step of the earlier assessment and what became of it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepOutcome {
    pub step: usize,
    pub intervention: String,
    pub title: String,
    pub status: StepStatus,
    pub detail: String,
}

/// The change from one assessment to a later one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// After minus before, as reported (two decimals).
    pub delta: Option<f64>,
    pub drivers: Vec<DriverMove>,
    /// Every signal, largest move first.
    pub signals: Vec<SignalMove>,
    /// Δindex − Σ of the signals' (rounded) moves: the rounding of stored
    /// scores and of the parts.
    pub rounding: f64,
    /// The same for the drivers' moves.
    pub driver_rounding: f64,
    /// Drivers that became measured or stopped being measured: the others'
    /// shares of the index were re-weighted.
    pub coverage_changes: Vec<String>,
    /// The files whose estimated friction or health moved, largest move first.
    pub files: Vec<FileMove>,
    pub roadmap: Vec<StepOutcome>,
}

fn r2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// One signal of one assessment: its driver, value, unit, score and points.
struct Part<'a> {
    family: &'a str,
    value: Option<f64>,
    unit: &'a str,
    score: Option<f64>,
    points: f64,
}

fn parts(index: &IndexResult) -> BTreeMap<&str, Part<'_>> {
    index
        .signal_contributions()
        .into_iter()
        .map(|(d, s, points)| {
            (
                s.id.as_str(),
                Part {
                    family: d.family.as_str(),
                    value: s.value,
                    unit: s.unit.as_str(),
                    score: s.score,
                    points,
                },
            )
        })
        .collect()
}

/// Health and the mid-point of friction plus defect work (hours a year) of
/// every costed file.
fn files(a: &Assessment) -> BTreeMap<&str, (Option<f64>, f64)> {
    let mid = |c: &crate::cost::Cost| (c.hours.low + c.hours.high) / 2.0;
    a.cost
        .files
        .iter()
        .map(|f| {
            (
                f.path.as_str(),
                (f.health, mid(&f.friction) + mid(&f.defect_work)),
            )
        })
        .collect()
}

/// Compares two assessments (`before` the earlier); `file_limit` bounds the
/// files listed.
pub fn compare(before: &Assessment, after: &Assessment, file_limit: usize) -> Change {
    let delta = match (before.index.score, after.index.score) {
        (Some(x), Some(y)) => Some(r2(y - x)),
        _ => None,
    };
    let cb = parts(&before.index);
    let ca = parts(&after.index);
    let ids: BTreeSet<&str> = cb.keys().chain(ca.keys()).copied().collect();
    let mut signals: Vec<SignalMove> = ids
        .into_iter()
        .map(|id| {
            let x = cb.get(id);
            let y = ca.get(id);
            let score_before = x.and_then(|p| p.score);
            let score_after = y.and_then(|p| p.score);
            let points_before = x.map_or(0.0, |p| p.points);
            let points_after = y.map_or(0.0, |p| p.points);
            let note = match (score_before, score_after) {
                (None, Some(_)) => "newly measured",
                (Some(_), None) => "no longer measured",
                _ => "",
            };
            // The later side's name for it, else the earlier one's.
            let later = |a: Option<&str>, b: Option<&str>| {
                a.filter(|v| !v.is_empty())
                    .or(b)
                    .unwrap_or_default()
                    .to_owned()
            };
            SignalMove {
                id: id.to_owned(),
                family: later(y.map(|p| p.family), x.map(|p| p.family)),
                value_before: x.and_then(|p| p.value),
                value_after: y.and_then(|p| p.value),
                unit: later(y.map(|p| p.unit), x.map(|p| p.unit)),
                score_before,
                score_after,
                contribution_before: r2(points_before),
                contribution_after: r2(points_after),
                delta: points_after - points_before,
                note: note.to_owned(),
            }
        })
        .collect();
    signals.sort_by(|x, y| {
        y.delta
            .abs()
            .total_cmp(&x.delta.abs())
            .then_with(|| x.id.cmp(&y.id))
    });
    for s in &mut signals {
        s.delta = r2(s.delta);
    }
    // What the shown (rounded) parts miss of the shown delta.
    let rounding = delta.map_or(0.0, |d| {
        r2(d - signals.iter().map(|s| s.delta).sum::<f64>())
    });

    let score_of = |index: &IndexResult, family: &str| {
        index
            .drivers
            .iter()
            .find(|d| d.family.as_str() == family)
            .and_then(|d| d.score)
    };
    let mut drivers: BTreeMap<String, DriverMove> = BTreeMap::new();
    for s in &signals {
        let d = drivers
            .entry(s.family.clone())
            .or_insert_with(|| DriverMove {
                family: s.family.clone(),
                before: score_of(&before.index, &s.family),
                after: score_of(&after.index, &s.family),
                contribution_before: 0.0,
                contribution_after: 0.0,
                delta: 0.0,
            });
        d.contribution_before += cb.get(s.id.as_str()).map_or(0.0, |p| p.points);
        d.contribution_after += ca.get(s.id.as_str()).map_or(0.0, |p| p.points);
    }
    let mut drivers: Vec<DriverMove> = drivers
        .into_values()
        .map(|mut d| {
            d.delta = r2(d.contribution_after - d.contribution_before);
            d.contribution_before = r2(d.contribution_before);
            d.contribution_after = r2(d.contribution_after);
            d
        })
        .collect();
    let driver_rounding = delta.map_or(0.0, |d| {
        r2(d - drivers.iter().map(|x| x.delta).sum::<f64>())
    });
    // In the later assessment's driver order.
    drivers.sort_by_key(|d| {
        after
            .index
            .drivers
            .iter()
            .position(|f| f.family.as_str() == d.family)
            .unwrap_or(usize::MAX)
    });

    let fb = files(before);
    let fa = files(after);
    let paths: BTreeSet<&str> = fb.keys().chain(fa.keys()).copied().collect();
    let mut moved: Vec<FileMove> = paths
        .into_iter()
        .map(|p| {
            let x = fb.get(p);
            let y = fa.get(p);
            FileMove {
                path: p.to_owned(),
                health_before: x.and_then(|x| x.0),
                health_after: y.and_then(|y| y.0),
                hours_before: x.map(|x| r2(x.1)),
                hours_after: y.map(|y| r2(y.1)),
                delta_hours: r2(y.map_or(0.0, |y| y.1) - x.map_or(0.0, |x| x.1)),
            }
        })
        .filter(|f| f.delta_hours != 0.0 || f.health_before != f.health_after)
        .collect();
    moved.sort_by(|x, y| {
        y.delta_hours
            .abs()
            .total_cmp(&x.delta_hours.abs())
            .then_with(|| x.path.cmp(&y.path))
    });
    moved.truncate(file_limit);

    let roadmap = before
        .roadmap
        .steps
        .iter()
        .map(|s| {
            let id = s.intervention.as_str();
            let (status, detail) = step_outcome(before, after, id, &fb, &fa);
            StepOutcome {
                step: s.step,
                intervention: id.to_owned(),
                title: s.title.clone(),
                status,
                detail,
            }
        })
        .collect();

    let coverage_changes: Vec<String> = drivers
        .iter()
        .filter_map(|d| match (d.before, d.after) {
            (None, Some(_)) => Some(format!("{} became measured", d.family)),
            (Some(_), None) => Some(format!("{} is no longer measured", d.family)),
            _ => None,
        })
        .collect();
    Change {
        delta,
        drivers,
        signals,
        rounding,
        driver_rounding,
        coverage_changes,
        files: moved,
        roadmap,
    }
}

/// What became of the earlier roadmap's intervention `id` by the later
/// assessment.
fn step_outcome(
    before: &Assessment,
    after: &Assessment,
    id: &str,
    fb: &BTreeMap<&str, (Option<f64>, f64)>,
    fa: &BTreeMap<&str, (Option<f64>, f64)>,
) -> (StepStatus, String) {
    let gain = |a: &Assessment| {
        a.interventions
            .iter()
            .find(|i| i.id == id)
            .map(|i| i.index_gain)
    };
    if let Some(gain_after) = gain(after) {
        let gain_before = gain(before).unwrap_or(0.0);
        let detail = if gain_before.abs() < 0.005 && gain_after.abs() < 0.005 {
            "still proposed".to_owned()
        } else {
            format!("still proposed; index gain {gain_before:.2} → {gain_after:.2}")
        };
        return (StepStatus::Open, detail);
    }
    // Done only on positive evidence: the refactored file is now healthy.
    // Otherwise the step is merely not proposed again (it may have slipped in
    // the ranking, or code was not measured).
    let path = id.strip_prefix("refactor:");
    let health = |side: &BTreeMap<&str, (Option<f64>, f64)>| {
        path.and_then(|p| side.get(p)).and_then(|f| f.0)
    };
    match (path, health(fb), health(fa)) {
        (Some(_), Some(h0), Some(h1))
            if friction_model::health::Band::is_healthy(h1) && h1 > h0 =>
        {
            (StepStatus::Done, format!("health {h0:.1} → {h1:.1}"))
        }
        (Some(_), Some(h0), Some(h1)) => (
            StepStatus::NotProposed,
            format!("not proposed again, though health is {h0:.1} → {h1:.1}"),
        ),
        (Some(_), _, None) => (
            StepStatus::NotProposed,
            "not proposed again: the file did not change in the later window".to_owned(),
        ),
        _ => (
            StepStatus::NotProposed,
            "not proposed again by the later evidence".to_owned(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Options, assess};
    use friction_signals::Family;

    /// An assessment of a small repository, with its signal scores then set
    /// by hand: `scores` by signal id (absent: not measured); the driver
    /// scores and the index follow from them as the methodology computes.
    fn assessment(scores: &[(&str, f64)]) -> Assessment {
        let data = crate::fixture::one_file(5.0);
        let mut a = assess(&data, &Options::default());
        let (mut sum, mut weight) = (0.0, 0.0);
        for d in &mut a.index.drivers {
            let (mut fs, mut fw) = (0.0, 0.0);
            for s in &mut d.signals {
                s.score = scores.iter().find(|(id, _)| *id == s.id).map(|(_, v)| *v);
                if let Some(v) = s.score {
                    fs += s.weight * v;
                    fw += s.weight;
                }
            }
            d.score = (fw > 0.0).then(|| fs / fw);
            if let Some(v) = d.score {
                sum += d.weight * fw * v;
                weight += d.weight * fw;
            }
        }
        a.index.score = (weight > 0.0).then(|| r2(sum / weight));
        a
    }

    #[test]
    fn signal_moves_add_up_to_the_index_delta_and_name_what_stopped_being_measured() {
        let before = assessment(&[
            ("hotspot-friction", 40.0),
            ("batch-size", 80.0),
            ("rework", 50.0),
        ]);
        // batch-size is no longer measured; rework improved.
        let after = assessment(&[("hotspot-friction", 40.0), ("rework", 90.0)]);
        let c = compare(&before, &after, 10);
        let delta = c.delta.expect("both measured");
        let x = before.index.score.unwrap();
        let y = after.index.score.unwrap();
        assert!((delta - (y - x)).abs() < 0.006, "{delta} vs {}", y - x);
        let signals: f64 = c.signals.iter().map(|s| s.delta).sum::<f64>() + c.rounding;
        assert!((signals - delta).abs() < 1e-9, "{signals} vs {delta}");
        let drivers: f64 = c.drivers.iter().map(|d| d.delta).sum::<f64>() + c.driver_rounding;
        assert!((drivers - delta).abs() < 1e-9, "{drivers} vs {delta}");
        let batch = c.signals.iter().find(|s| s.id == "batch-size").unwrap();
        assert_eq!(batch.note, "no longer measured");
        assert!(batch.delta < 0.0);
        assert_eq!(batch.score_after, None);
        let rework = c.signals.iter().find(|s| s.id == "rework").unwrap();
        assert_eq!(rework.note, "");
        assert!(rework.delta > 0.0);
        // Drivers in the methodology's order; a driver with no signal
        // measured on either side moves nothing.
        assert_eq!(c.drivers[0].family, Family::Delivery.as_str());
        assert!(
            c.drivers
                .iter()
                .filter(|d| d.before.is_none() && d.after.is_none())
                .all(|d| d.delta == 0.0)
        );
    }

    #[test]
    fn the_contributions_of_an_assessment_add_up_to_its_index() {
        let a = assessment(&[
            ("hotspot-friction", 30.0),
            ("rework", 70.0),
            ("truck-factor", 55.0),
        ]);
        let sum: f64 = a
            .index
            .signal_contributions()
            .iter()
            .map(|(_, _, p)| p)
            .sum();
        assert!((sum - a.index.score.unwrap()).abs() < 0.006);
        let unmeasured = a
            .index
            .signal_contributions()
            .into_iter()
            .filter(|(_, s, _)| s.score.is_none())
            .all(|(_, _, p)| p == 0.0);
        assert!(unmeasured);
    }
}
