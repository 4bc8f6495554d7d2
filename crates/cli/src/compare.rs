//! The text of a comparison of two snapshots (`friction compare`, and the
//! "why" of `friction check`); the comparison itself is
//! `friction_app::timeline::compare`, its decomposition
//! `friction_assess::compare`.

use std::fmt::Write as _;

use friction_app::snapshot::short;
use friction_app::timeline::{Comparison, Side};
use friction_assess::compare::StepStatus;

/// How a side is named: its snapshot (`#12`), or the commit of a state
/// assessed for the comparison only.
pub(crate) fn label(s: &Side) -> String {
    s.snapshot
        .map_or_else(|| short(&s.commit).to_owned(), |id| format!("#{id}"))
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
            "{}{} {} ({}, {})",
            s.snapshot.map_or_else(String::new, |id| format!("#{id} ")),
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
                "warning: {} is partial ({why}): part of this change may be history it could not read",
                label(s)
            );
        }
    }
    let _ = writeln!(
        out,
        "\nExecution Capacity Index: {} → {} ({}), coverage {:.0} % → {:.0} %",
        opt(c.before.index, 1),
        opt(c.after.index, 1),
        c.change
            .delta
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
    for d in &c.change.drivers {
        let _ = writeln!(
            out,
            "  {:<15} {:>7} {:>7} {:>+9.2}",
            d.family,
            opt(d.before, 1),
            opt(d.after, 1),
            d.delta
        );
    }
    if !c.change.coverage_changes.is_empty() {
        let _ = writeln!(
            out,
            "  ({}: the measured drivers' shares of the index were re-weighted, which moves\n   their points even where their scores did not change)",
            c.change.coverage_changes.join(", ")
        );
    }
    if c.change.driver_rounding != 0.0 {
        let _ = writeln!(
            out,
            "  {:<15} {:>7} {:>7} {:>+9.2}",
            "rounding", "", "", c.change.driver_rounding
        );
    }
    let _ = writeln!(out, "\nSignals that moved it most:");
    let _ = writeln!(
        out,
        "  {:<22} {:>18} {:>13} {:>8}",
        "signal", "value", "score", "points"
    );
    for s in c
        .change
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
    if c.change.signals.iter().all(|s| s.delta == 0.0) {
        let _ = writeln!(out, "  none");
    }
    if !c.change.files.is_empty() {
        let _ = writeln!(
            out,
            "\nFiles whose friction moved most (hours a year, mid-point; – : not changed in that window):"
        );
        for f in &c.change.files {
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
    if !c.change.roadmap.is_empty() {
        let done = c
            .change
            .roadmap
            .iter()
            .filter(|s| s.status == StepStatus::Done)
            .count();
        let _ = writeln!(
            out,
            "\nRoadmap of {}: {done} of {} steps done since ([x] done, [ ] still proposed, [-] not proposed again)",
            label(&c.before),
            c.change.roadmap.len()
        );
        for s in c.change.roadmap.iter().take(roadmap_limit) {
            let _ = writeln!(
                out,
                "  {:>2}. [{}] {} — {}",
                s.step,
                match s.status {
                    StepStatus::Done => "x",
                    StepStatus::Open => " ",
                    StepStatus::NotProposed => "-",
                },
                crate::render::clean(&s.title),
                s.detail
            );
        }
        if c.change.roadmap.len() > roadmap_limit {
            let _ = writeln!(
                out,
                "  … {} more (`--json` lists them all)",
                c.change.roadmap.len() - roadmap_limit
            );
        }
    }
    out
}
