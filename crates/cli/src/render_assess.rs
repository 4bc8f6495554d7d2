//! Terminal rendering of an assessment. Computes nothing new.

use std::fmt::Write as _;

use friction_assess::cost::{Cost, Range};
use friction_assess::index::IndexResult;
use friction_assess::{Assessment, CostModel};

use friction_app::assess::Loaded;
use friction_app::explain::Current;
use friction_app::{AssessRequest, Assessed, Error, Project, Session};

use crate::render::clean;
use crate::{AssessArgs, ExplainArgs};
use friction_report::thousands;

fn score(s: Option<f64>) -> String {
    s.map_or_else(|| "not measured".to_owned(), |v| format!("{v:.0}"))
}

fn ci(c: Option<[f64; 2]>) -> String {
    c.map_or_else(String::new, |[a, b]| format!(" (90 % CI {a:.0}–{b:.0})"))
}

fn hours(r: &Range) -> String {
    format!("{}–{} h", thousands(r.low), thousands(r.high))
}

fn cost(c: &Cost, m: &CostModel) -> String {
    match &c.money {
        Some(r) => format!(
            "{} {}–{} a year ({})",
            m.currency,
            thousands(r.low),
            thousands(r.high),
            hours(&c.hours)
        ),
        None => format!("{} a year", hours(&c.hours)),
    }
}

/// The index line and the driver table.
pub(crate) fn index_block(out: &mut String, idx: &IndexResult) {
    let _ = writeln!(
        out,
        "Execution Capacity Index: {}{} — {}, coverage {:.0} %",
        score(idx.score),
        ci(idx.ci),
        idx.band.as_deref().unwrap_or("not measured"),
        idx.coverage * 100.0
    );
    let _ = writeln!(
        out,
        "  {:<15} {:>6} {:>12} {:>8} {:>9}",
        "driver", "weight", "score", "coverage", "points"
    );
    for d in &idx.drivers {
        let _ = writeln!(
            out,
            "  {:<15} {:>6} {:>12} {:>7.0}% {:>9}",
            d.title,
            idx.effective_weight(d.family)
                .map_or_else(|| "-".into(), |w| format!("{w:.2}")),
            score(d.score),
            d.coverage * 100.0,
            if d.score.is_some() {
                format!("{:+.1}", d.contribution)
            } else {
                "-".into()
            }
        );
    }
    let _ = writeln!(
        out,
        "  weight: the methodology weight × the driver's measured share, renormalised over the measured drivers; points = weight × score"
    );
}

/// The worst measured signals, weakest first.
fn weakest(idx: &IndexResult, n: usize) -> Vec<(&str, f64, f64, &str)> {
    let mut v: Vec<(&str, f64, f64, &str)> = idx
        .drivers
        .iter()
        .flat_map(|d| d.signals.iter())
        .filter_map(|s| Some((s.id.as_str(), s.score?, s.value?, s.unit.as_str())))
        .collect();
    v.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(b.0)));
    v.truncate(n);
    v
}

/// The scan summary's tail: index, top drivers, hotspots, first roadmap steps.
pub(crate) fn summary(a: &Assessment) -> String {
    let mut out = String::new();
    index_block(&mut out, &a.index);
    let w = weakest(&a.index, 3);
    if !w.is_empty() {
        let _ = writeln!(out, "Weakest signals:");
        for (id, s, v, unit) in w {
            let _ = writeln!(
                out,
                "  {id:<22} score {s:>3.0}  ({})",
                crate::render::quantity(v, unit)
            );
        }
    }
    let _ = writeln!(
        out,
        "Friction cost (estimate): {}",
        cost(&a.cost.total, &a.cost)
    );
    if !a.roadmap.steps.is_empty() {
        let _ = writeln!(out, "Roadmap, first steps:");
        for s in a.roadmap.steps.iter().take(3) {
            let _ = writeln!(
                out,
                "  {}. {} — {:.0}–{:.0} days, index → {}",
                s.step,
                clean(&s.title),
                s.effort_days.low,
                s.effort_days.high,
                score(s.projected_index)
            );
        }
    }
    let _ = writeln!(
        out,
        "Details: friction assess; evidence: friction explain SIGNAL"
    );
    out
}

pub(crate) fn text(loaded: &Loaded, a: &Assessment, limit: usize) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Assessment {} (methodology {}), window {} → {}{}",
        a.schema,
        a.methodology,
        loaded.from,
        loaded.to,
        loaded
            .code_commit
            .as_deref()
            .map(|c| format!(", code at {}", &c[..c.len().min(12)]))
            .unwrap_or_default()
    );
    out.push('\n');
    index_block(&mut out, &a.index);
    out.push_str("\nSignals:\n");
    for d in &a.index.drivers {
        for s in &d.signals {
            match (s.value, s.score) {
                (Some(v), Some(sc)) => {
                    let _ = writeln!(
                        out,
                        "  {:<22} {:>5.0}{:<16} {:>9} {}{}",
                        s.id,
                        sc,
                        ci(s.ci),
                        format!("{v}"),
                        s.unit,
                        if s.proxy {
                            " (proxy: commit-message words)"
                        } else {
                            ""
                        }
                    );
                }
                _ => {
                    let _ = writeln!(
                        out,
                        "  {:<22} not measured: {}",
                        s.id,
                        s.not_measured.as_deref().unwrap_or("")
                    );
                }
            }
        }
    }
    for (title, scopes) in [("Components", &a.components), ("Teams", &a.teams)] {
        if scopes.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{title} (weakest first):");
        let mut v: Vec<_> = scopes.iter().collect();
        v.sort_by(|a, b| {
            a.index
                .score
                .unwrap_or(f64::MAX)
                .total_cmp(&b.index.score.unwrap_or(f64::MAX))
                .then(a.name.cmp(&b.name))
        });
        for s in v.into_iter().take(limit) {
            let _ = writeln!(
                out,
                "  {:<28} {:>12}{:<18} coverage {:>3.0} %  {} files, {} code lines",
                clean(&s.name),
                score(s.index.score),
                ci(s.index.ci),
                s.index.coverage * 100.0,
                s.files,
                s.code_lines
            );
        }
    }
    if let Some(o) = loaded.team_overlaps.first() {
        let _ = writeln!(
            out,
            "  {} authors match rules of several teams; the most specific rule decides (e.g. {}: {} → {})",
            loaded.team_overlaps.len(),
            clean(&o.author),
            clean(&o.teams.join(", ")),
            clean(&o.chosen)
        );
    }
    let m = &a.cost;
    let _ = writeln!(
        out,
        "\nCost model (estimates): {:.1}–{:.1} engineers ({}), {} of development a year",
        m.engineers.low,
        m.engineers.high,
        m.engineers_source,
        hours(&m.development_hours)
    );
    let _ = writeln!(out, "  total friction cost: {}", cost(&m.total, m));
    for d in &m.drivers {
        if let Some(c) = &d.cost {
            let _ = writeln!(
                out,
                "  {:<15} {}",
                format!("{:?}", d.family).to_lowercase(),
                cost(c, m)
            );
        }
    }
    if m.hourly_cost.is_none() {
        let _ = writeln!(
            out,
            "  (set [economics] hourly_cost in friction.toml to see money)"
        );
    }
    if !m.files.is_empty() {
        let _ = writeln!(
            out,
            "\nCostliest files (cost a year = excess time in unhealthy code + fix work):"
        );
        for f in m.files.iter().take(limit) {
            let _ = writeln!(
                out,
                "  {:<50} health {:>4}  {:>3} revisions  {:>2} fixes  {}{}",
                clean(&f.path),
                f.health.map_or("-".into(), |h| format!("{h:.1}")),
                f.revisions,
                f.fix_commits,
                hours(&f.total_hours()),
                if f.hotspot { "  hotspot" } else { "" }
            );
        }
    }
    let r = &a.roadmap;
    let _ = writeln!(
        out,
        "\nRoadmap ({} steps; captures {:.0} % of {} addressable a year{}):",
        r.steps.len(),
        r.captured_share * 100.0,
        hours(&r.addressable_hours),
        r.budget_days
            .map(|b| format!(", budget {b} person-days"))
            .unwrap_or_default()
    );
    for s in &r.steps {
        let _ = writeln!(
            out,
            "  {:>2}. {}\n      effort {:.1}–{:.1} days, benefit {}, impact in {:.0}–{:.0} weeks, index → {}",
            s.step,
            clean(&s.title),
            s.effort_days.low,
            s.effort_days.high,
            cost(&s.benefit, m),
            s.time_to_impact_weeks.low,
            s.time_to_impact_weeks.high,
            score(s.projected_index)
        );
    }
    out
}

/// The current evidence of one signal.
fn explain_evidence(c: &Current) -> String {
    let mut out = String::new();
    let s = &c.measurement;
    let _ = writeln!(
        out,
        "\n## Current evidence (window {} → {})\n",
        c.from, c.to
    );
    match (s.value, s.score) {
        (Some(v), Some(sc)) => {
            let _ = writeln!(
                out,
                "Value {}, score {sc:.0}{} — {}, coverage {:.0} %.",
                crate::render::quantity(v, &s.unit),
                ci(s.ci),
                s.band.as_deref().unwrap_or(""),
                s.coverage * 100.0
            );
            if let (Some(raw), Some(z)) = (s.raw_score, s.credibility) {
                let _ = writeln!(
                    out,
                    "Shrinkage: raw score {raw:.0}, evidence {}, credibility {z:.2} → score {sc:.0}{}.",
                    s.evidence_count.map_or_else(
                        || "complete (not estimated from sampled events)".to_owned(),
                        |n| format!("{n} {}", s.evidence_unit)
                    ),
                    if s.proxy {
                        " (a proxy read from commit-message words: credibility capped)"
                    } else {
                        ""
                    }
                );
            }
            if let (Some(raw), Some(sig)) = (s.raw_score, friction_signals::find(&s.id)) {
                let cal = friction_signals::calibration::calibration(sig);
                if cal.curve.is_some() {
                    let _ = writeln!(
                        out,
                        "Against the reference population: better than {raw:.0} % of {} public \
                         repositories (their median: {}).",
                        cal.n,
                        crate::render::quantity(
                            friction_signals::round2(cal.quantiles[2]),
                            &s.unit
                        )
                    );
                }
            }
            for f in &s.figures {
                let _ = writeln!(out, "- {}: {} {}", f.name, f.value, f.unit);
            }
            if !s.evidence.is_empty() {
                let _ = writeln!(out, "\nEvidence (strongest first):");
                for e in &s.evidence {
                    let _ = write!(
                        out,
                        "- {} `{}`: {} {}",
                        e.kind,
                        clean(&e.id),
                        e.value,
                        e.label
                    );
                    match &e.cite {
                        Some(c) => {
                            let _ = writeln!(out, " (from {})", clean(c));
                        }
                        None => out.push('\n'),
                    }
                }
            }
        }
        _ => {
            let _ = writeln!(
                out,
                "Not measured: {}.",
                s.not_measured.as_deref().unwrap_or("no data")
            );
        }
    }
    out
}

pub fn run(args: &AssessArgs) -> Result<u8, Error> {
    let request = AssessRequest {
        months: args.months,
        mode: crate::walk_mode(args.first_parent),
        budget: args.budget,
        target: args.target,
    };
    request.check()?;
    let session = Session::open(Project::locate(args.path.clone(), args.db.clone())?)?;
    let Some(Assessed {
        loaded,
        assessment: a,
        ..
    }) = session.assess_with(&request, &crate::progress::Bar::new(false))?
    else {
        return Err(Error::missing(
            "the store has no history yet",
            Some("run `friction scan` on the repository first"),
        ));
    };
    if args.json {
        println!("{}", friction_app::assess::json(&loaded, &a));
    } else {
        print!("{}", text(&loaded, &a, args.limit));
    }
    // The process ends next: the facts (a million CI jobs, each with its
    // words) are left for the exit to reclaim instead of being freed one
    // allocation at a time, a tenth of the command's time with large
    // exports. The store is closed as usual (the session is dropped).
    std::mem::forget(loaded);
    std::mem::forget(a);
    Ok(0)
}

pub fn explain(args: &ExplainArgs) -> Result<u8, Error> {
    let signal = friction_app::explain::signal(&args.signal)?;
    let e = friction_app::explain::explain(
        signal.id(),
        Project::locate(args.path.clone(), args.db.clone()),
    )?;
    if args.json {
        println!("{}", crate::render::sorted_json(&e));
        return Ok(0);
    }
    let mut out = friction_assess::methodology::signal_markdown(signal)
        .trim_start()
        .to_owned();
    match (&e.current, &e.no_current) {
        (Some(c), _) => out.push_str(&explain_evidence(c)),
        (None, Some(why)) => {
            let _ = writeln!(out, "\nNo current evidence: {why}.");
        }
        (None, None) => {}
    }
    if !out.ends_with('\n') {
        out.push('\n');
    }
    print!("{out}");
    Ok(0)
}
