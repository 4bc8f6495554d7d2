//! What changed between two snapshots, decomposed so the parts add up.
//!
//! The index is a weighted mean of driver scores over the measured drivers,
//! and a driver score is a weighted mean of its measured signals' scores
//! (`docs/methodology.md`). So each signal contributes
//!
//! ```text
//! c(s) = W(f) / ΣW(measured drivers) · w(s) · score(s) / Σw(measured signals of f)
//! ```
//!
//! points, and the index is Σ c(s). The change of the index is therefore
//! exactly Σ Δc(s) over all signals, with a rounding remainder from the
//! two-decimal scores stored in the snapshots; the comparison states that
//! remainder instead of hiding it. A signal that becomes measured or stops
//! being measured moves the others' shares, and is named as such.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use friction_store::SnapshotRow;
use serde::Serialize;
use serde_json::Value;

use friction_app::calendar::date;
use friction_app::snapshot::short;

/// One snapshot's header in a comparison.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Side {
    pub snapshot: i64,
    pub kind: String,
    pub commit: String,
    pub as_of: String,
    pub methodology: String,
    pub index: Option<f64>,
    pub coverage: f64,
    /// What the scan behind the snapshot could not read (absent: everything).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partial: Option<String>,
}

impl Side {
    pub(crate) fn new(row: &SnapshotRow, a: &Value) -> Side {
        Side {
            snapshot: row.id,
            kind: row.kind.clone(),
            commit: row.commit_id.clone(),
            as_of: date(row.as_of),
            methodology: row.methodology.clone(),
            index: a["index"]["score"].as_f64(),
            coverage: a["index"]["coverage"].as_f64().unwrap_or(0.0),
            partial: row.partial.clone(),
        }
    }
}

/// A driver's move.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct DriverMove {
    pub family: String,
    pub before: Option<f64>,
    pub after: Option<f64>,
    /// Index points the driver contributed before and after.
    pub contribution_before: f64,
    pub contribution_after: f64,
    pub delta: f64,
}

/// A signal's move.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct SignalMove {
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
#[derive(Debug, Clone, Serialize)]
pub(crate) struct FileMove {
    pub path: String,
    pub health_before: Option<f64>,
    pub health_after: Option<f64>,
    /// Mid-point of the yearly friction plus defect-work estimate, hours.
    pub hours_before: Option<f64>,
    pub hours_after: Option<f64>,
    pub delta_hours: f64,
}

/// What happened to a roadmap step of the earlier snapshot.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct StepOutcome {
    pub step: u64,
    pub intervention: String,
    pub title: String,
    /// `done`: the file it refactors is now healthy; `open`: still proposed;
    /// `not proposed`: absent from the later roadmap without proof it was done.
    pub status: &'static str,
    pub detail: String,
}

/// The comparison.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Comparison {
    pub schema: &'static str,
    pub before: Side,
    pub after: Side,
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
    pub files: Vec<FileMove>,
    pub roadmap: Vec<StepOutcome>,
}

/// Code health from which a file counts as healthy (CodeScene's band).
const HEALTHY: f64 = 9.0;

fn r2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Signal contributions (index points) of one assessment, by signal id,
/// with (family, value, unit, score).
type Contribs = BTreeMap<String, (String, Option<f64>, String, Option<f64>, f64)>;

fn contributions(a: &Value) -> Contribs {
    let empty = Vec::new();
    let drivers = a["index"]["drivers"].as_array().unwrap_or(&empty);
    // The weight of the measured signals' scores (`index::aggregate`): a
    // driver's family weight times its measured share (`sw` below).
    let measured_share = |d: &Value| -> f64 {
        d["signals"]
            .as_array()
            .unwrap_or(&empty)
            .iter()
            .filter(|s| s["score"].as_f64().is_some())
            .map(|s| s["weight"].as_f64().unwrap_or(0.0))
            .sum()
    };
    let measured_weight: f64 = drivers
        .iter()
        .filter(|d| d["score"].as_f64().is_some())
        .map(|d| d["weight"].as_f64().unwrap_or(0.0) * measured_share(d))
        .sum();
    let mut out = Contribs::new();
    for d in drivers {
        let family = d["family"].as_str().unwrap_or_default().to_owned();
        let fw = d["weight"].as_f64().unwrap_or(0.0);
        let signals = d["signals"].as_array().unwrap_or(&empty);
        let sw = measured_share(d);
        for s in signals {
            let score = s["score"].as_f64();
            let c = match score {
                Some(v) if sw > 0.0 && measured_weight > 0.0 => {
                    fw * s["weight"].as_f64().unwrap_or(0.0) * v / measured_weight
                }
                _ => 0.0,
            };
            out.insert(
                s["id"].as_str().unwrap_or_default().to_owned(),
                (
                    family.clone(),
                    s["value"].as_f64(),
                    s["unit"].as_str().unwrap_or_default().to_owned(),
                    score,
                    c,
                ),
            );
        }
    }
    out
}

fn files(a: &Value) -> BTreeMap<String, (Option<f64>, f64)> {
    let mid = |c: &Value| {
        (c["hours"]["low"].as_f64().unwrap_or(0.0) + c["hours"]["high"].as_f64().unwrap_or(0.0))
            / 2.0
    };
    a["cost"]["files"]
        .as_array()
        .map(|fs| {
            fs.iter()
                .map(|f| {
                    (
                        f["path"].as_str().unwrap_or_default().to_owned(),
                        (
                            f["health"].as_f64(),
                            mid(&f["friction"]) + mid(&f["defect_work"]),
                        ),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Compares two stored assessments (`before` older).
pub(crate) fn compare(
    before_row: &SnapshotRow,
    before: &Value,
    after_row: &SnapshotRow,
    after: &Value,
    file_limit: usize,
) -> Comparison {
    let b = Side::new(before_row, before);
    let a = Side::new(after_row, after);
    let delta = match (b.index, a.index) {
        (Some(x), Some(y)) => Some(r2(y - x)),
        _ => None,
    };
    let cb = contributions(before);
    let ca = contributions(after);
    let ids: BTreeSet<&String> = cb.keys().chain(ca.keys()).collect();
    let mut signals: Vec<SignalMove> = ids
        .into_iter()
        .map(|id| {
            let none = (String::new(), None, String::new(), None, 0.0);
            let x = cb.get(id).unwrap_or(&none);
            let y = ca.get(id).unwrap_or(&none);
            let note = match (x.3, y.3) {
                (None, Some(_)) => "newly measured",
                (Some(_), None) => "no longer measured",
                _ => "",
            };
            SignalMove {
                id: id.clone(),
                family: if y.0.is_empty() {
                    x.0.clone()
                } else {
                    y.0.clone()
                },
                value_before: x.1,
                value_after: y.1,
                unit: if y.2.is_empty() {
                    x.2.clone()
                } else {
                    y.2.clone()
                },
                score_before: x.3,
                score_after: y.3,
                contribution_before: r2(x.4),
                contribution_after: r2(y.4),
                delta: y.4 - x.4,
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

    let mut drivers: BTreeMap<String, DriverMove> = BTreeMap::new();
    let scores_b = friction_app::snapshot::driver_scores(before);
    let scores_a = friction_app::snapshot::driver_scores(after);
    for s in &signals {
        let d = drivers
            .entry(s.family.clone())
            .or_insert_with(|| DriverMove {
                family: s.family.clone(),
                before: scores_b.get(&s.family).copied().flatten(),
                after: scores_a.get(&s.family).copied().flatten(),
                contribution_before: 0.0,
                contribution_after: 0.0,
                delta: 0.0,
            });
        d.contribution_before += cb.get(&s.id).map_or(0.0, |x| x.4);
        d.contribution_after += ca.get(&s.id).map_or(0.0, |x| x.4);
    }
    let order: Vec<String> = after["index"]["drivers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| d["family"].as_str().map(str::to_owned))
        .collect();
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
    drivers.sort_by_key(|d| {
        order
            .iter()
            .position(|f| *f == d.family)
            .unwrap_or(usize::MAX)
    });

    let fb = files(before);
    let fa = files(after);
    let paths: BTreeSet<&String> = fb.keys().chain(fa.keys()).collect();
    let mut moved: Vec<FileMove> = paths
        .into_iter()
        .map(|p| {
            let x = fb.get(p);
            let y = fa.get(p);
            FileMove {
                path: p.clone(),
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

    let later: BTreeMap<&str, &Value> = after["interventions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i["id"].as_str().map(|id| (id, i)))
        .collect();
    let roadmap = before["roadmap"]["steps"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|s| {
            let id = s["intervention"].as_str().unwrap_or_default();
            let path = id.strip_prefix("refactor:");
            let health = |side: &BTreeMap<String, (Option<f64>, f64)>| {
                path.and_then(|p| side.get(p)).and_then(|f| f.0)
            };
            let (status, detail) = match later.get(id) {
                Some(i) => {
                    let gain_before = before["interventions"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .find(|x| x["id"].as_str() == Some(id))
                        .and_then(|x| x["index_gain"].as_f64())
                        .unwrap_or(0.0);
                    let gain_after = i["index_gain"].as_f64().unwrap_or(0.0);
                    (
                        "open",
                        if gain_before.abs() < 0.005 && gain_after.abs() < 0.005 {
                            "still proposed".to_owned()
                        } else {
                            format!("still proposed; index gain {gain_before:.2} → {gain_after:.2}")
                        },
                    )
                }
                // Done only on positive evidence: the refactored file is now
                // healthy. Otherwise the step is merely not proposed again
                // (it may have slipped in the ranking, or code was not measured).
                None => match (path, health(&fb), health(&fa)) {
                    (Some(_), Some(h0), Some(h1)) if h1 >= HEALTHY && h1 > h0 => {
                        ("done", format!("health {h0:.1} → {h1:.1}"))
                    }
                    (Some(_), Some(h0), Some(h1)) => (
                        "not proposed",
                        format!("not proposed again, though health is {h0:.1} → {h1:.1}"),
                    ),
                    (Some(_), _, None) => (
                        "not proposed",
                        "not proposed again: the file did not change in the later window"
                            .to_owned(),
                    ),
                    _ => (
                        "not proposed",
                        "not proposed again by the later evidence".to_owned(),
                    ),
                },
            };
            StepOutcome {
                step: s["step"].as_u64().unwrap_or(0),
                intervention: id.to_owned(),
                title: s["title"].as_str().unwrap_or_default().to_owned(),
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
    Comparison {
        schema: "friction.comparison/1",
        coverage_changes,
        before: b,
        after: a,
        delta,
        drivers,
        signals,
        rounding,
        driver_rounding,
        files: moved,
        roadmap,
    }
}

fn opt(x: Option<f64>, digits: usize) -> String {
    x.map_or_else(|| "–".to_owned(), |v| format!("{v:.digits$}"))
}

/// The human rendering.
pub(crate) fn text(c: &Comparison, signal_limit: usize) -> String {
    let roadmap_limit = signal_limit.max(5);
    let mut out = String::new();
    let side = |s: &Side| {
        format!(
            "#{} {} {} ({}, {})",
            s.snapshot,
            s.as_of,
            short(&s.commit),
            s.kind,
            s.methodology
        )
    };
    let _ = writeln!(out, "Before: {}", side(&c.before));
    let _ = writeln!(out, "After:  {}", side(&c.after));
    for s in [&c.before, &c.after] {
        if let Some(why) = &s.partial {
            let _ = writeln!(
                out,
                "warning: #{} is partial ({why}): part of this change may be history it could not read",
                s.snapshot
            );
        }
    }
    let _ = writeln!(
        out,
        "\nExecution Capacity Index: {} → {} ({}), coverage {:.0} % → {:.0} %",
        opt(c.before.index, 1),
        opt(c.after.index, 1),
        c.delta
            .map_or_else(|| "not comparable".to_owned(), |d| format!("{d:+.2}")),
        c.before.coverage * 100.0,
        c.after.coverage * 100.0
    );
    let _ = writeln!(out, "\nBy driver (index points):");
    let _ = writeln!(
        out,
        "  {:<15} {:>7} {:>7} {:>9}",
        "driver", "before", "after", "points"
    );
    for d in &c.drivers {
        let _ = writeln!(
            out,
            "  {:<15} {:>7} {:>7} {:>+9.2}",
            d.family,
            opt(d.before, 1),
            opt(d.after, 1),
            d.delta
        );
    }
    if !c.coverage_changes.is_empty() {
        let _ = writeln!(
            out,
            "  ({}: the measured drivers' shares of the index were re-weighted, which moves\n   their points even where their scores did not change)",
            c.coverage_changes.join(", ")
        );
    }
    if c.driver_rounding != 0.0 {
        let _ = writeln!(
            out,
            "  {:<15} {:>7} {:>7} {:>+9.2}",
            "rounding", "", "", c.driver_rounding
        );
    }
    let _ = writeln!(out, "\nSignals that moved it most:");
    let _ = writeln!(
        out,
        "  {:<22} {:>18} {:>13} {:>8}",
        "signal", "value", "score", "points"
    );
    for s in c
        .signals
        .iter()
        .filter(|s| s.delta != 0.0)
        .take(signal_limit)
    {
        let _ = writeln!(
            out,
            "  {:<22} {:>18} {:>13} {:>+8.2}{}",
            s.id,
            format!("{} → {}", opt(s.value_before, 2), opt(s.value_after, 2)),
            format!("{} → {}", opt(s.score_before, 0), opt(s.score_after, 0)),
            s.delta,
            if s.note.is_empty() {
                String::new()
            } else {
                format!("  ({})", s.note)
            }
        );
    }
    if c.signals.iter().all(|s| s.delta == 0.0) {
        let _ = writeln!(out, "  none");
    }
    if !c.files.is_empty() {
        let _ = writeln!(
            out,
            "\nFiles whose friction moved most (hours a year, mid-point; – : not changed in that window):"
        );
        for f in &c.files {
            let _ = writeln!(
                out,
                "  {:>+9.0} h  health {} → {}  {}",
                f.delta_hours,
                opt(f.health_before, 1),
                opt(f.health_after, 1),
                crate::render::clean(&f.path)
            );
        }
    }
    if !c.roadmap.is_empty() {
        let done = c.roadmap.iter().filter(|s| s.status == "done").count();
        let _ = writeln!(
            out,
            "\nRoadmap of #{}: {done} of {} steps done since ([x] done, [ ] still proposed, [-] not proposed again)",
            c.before.snapshot,
            c.roadmap.len()
        );
        for s in c.roadmap.iter().take(roadmap_limit) {
            let _ = writeln!(
                out,
                "  {:>2}. [{}] {} — {}",
                s.step,
                match s.status {
                    "done" => "x",
                    "open" => " ",
                    _ => "-",
                },
                crate::render::clean(&s.title),
                s.detail
            );
        }
        if c.roadmap.len() > roadmap_limit {
            let _ = writeln!(
                out,
                "  … {} more (`--json` lists them all)",
                c.roadmap.len() - roadmap_limit
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn row(id: i64) -> SnapshotRow {
        SnapshotRow {
            id,
            created_at: 0,
            kind: "scan".into(),
            scope: String::new(),
            rescored_from: None,
            commit_id: format!("{id:040}"),
            as_of: 0,
            mode: "full".into(),
            methodology: "eci/1".into(),
            tool_version: "0".into(),
            schema: friction_app::snapshot::ASSESSMENT_SCHEMA.into(),
            index_score: None,
            coverage: 0.0,
            inputs: String::new(),
            manifest: String::new(),
            digest: String::new(),
            partial: None,
        }
    }

    fn assessment(index: f64, d: [Option<f64>; 2], s: [Option<f64>; 3]) -> Value {
        json!({
            "index": {"score": index, "coverage": 0.5, "drivers": [
                {"family": "delivery", "weight": 0.35, "score": d[0], "signals": [
                    {"id": "a", "weight": 1.0, "score": s[0], "value": 1.0, "unit": "x"},
                    {"id": "b", "weight": 3.0, "score": s[1], "value": 2.0, "unit": "x"}]},
                {"family": "reliability", "weight": 0.25, "score": d[1], "signals": [
                    {"id": "c", "weight": 1.0, "score": s[2], "value": 3.0, "unit": "x"}]}
            ]},
            "cost": {"files": []},
            "interventions": [],
            "roadmap": {"steps": []}
        })
    }

    #[test]
    fn signal_moves_add_up_to_the_index_delta() {
        // before: delivery (40·1 + 80·3)/4 = 70, reliability 50 → (0.35·70 + 0.25·50)/0.6
        let before = assessment(
            (0.35 * 70.0 + 0.25 * 50.0) / 0.6,
            [Some(70.0), Some(50.0)],
            [Some(40.0), Some(80.0), Some(50.0)],
        );
        // after: signal b no longer measured, c improved.
        let after = assessment(
            (0.35 * 40.0 + 0.25 * 90.0) / 0.6,
            [Some(40.0), Some(90.0)],
            [Some(40.0), None, Some(90.0)],
        );
        let c = compare(&row(1), &before, &row(2), &after, 10);
        let total: f64 = c.signals.iter().map(|s| s.delta).sum::<f64>() + c.rounding;
        assert!(
            (total - c.delta.unwrap()).abs() < 0.011,
            "{total} vs {:?}",
            c.delta
        );
        let drivers: f64 = c.drivers.iter().map(|d| d.delta).sum::<f64>() + c.driver_rounding;
        assert!((drivers - c.delta.unwrap()).abs() < 1e-9);
        let b = c.signals.iter().find(|s| s.id == "b").unwrap();
        assert_eq!(b.note, "no longer measured");
        assert!(b.delta < 0.0);
        assert_eq!(c.drivers[0].family, "delivery");
    }
}
