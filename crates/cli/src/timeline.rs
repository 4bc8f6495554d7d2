//! `friction backfill`, `trend`, `compare`, `rescore` and `check`: the
//! arguments become requests of `friction_app::timeline`, and its typed
//! results become text or JSON.

use std::fmt::Write as _;

use friction_app::snapshot::short;
use friction_app::timeline::{
    Backfill, BackfillRequest, CheckRequest, RescoreRequest, Trend, TrendRequest, Verdict,
};
use friction_app::{Error, Project};
use serde::Serialize;

use crate::progress::Bar;
use crate::render::sparkline;
use crate::{
    BackfillArgs, CheckArgs, CompareArgs, RescoreArgs, TrendArgs, repository_and_snapshots,
    walk_mode,
};

/// `value` as pretty JSON with its `schema` added (keys sorted).
fn json_with_schema(schema: &str, value: &impl Serialize) -> String {
    let mut v = serde_json::to_value(value).unwrap_or_default();
    if let Some(o) = v.as_object_mut() {
        o.insert("schema".into(), schema.into());
    }
    serde_json::to_string_pretty(&v).unwrap_or_default()
}

/// The project of a command that reads the repository itself (not only its
/// store): a path that is no repository is a bad input of `why`.
fn locate_repository(
    path: &std::path::Path,
    db: Option<&std::path::Path>,
    why: &str,
) -> Result<Project, Error> {
    Project::locate(path.to_path_buf(), db.map(std::path::Path::to_path_buf)).map_err(|e| match e {
        Error::Repository { message, .. } => Error::input(
            message,
            Some(&format!("{why} needs the repository: give its path")),
        ),
        e => e,
    })
}

pub fn backfill(args: &BackfillArgs) -> Result<u8, Error> {
    let project = locate_repository(&args.path, args.db.as_deref(), "a back-fill")?;
    let request = BackfillRequest {
        every: args.every.clone(),
        since: args.since.clone(),
        until: args.until.clone(),
        months: args.months,
        mode: walk_mode(args.first_parent),
        threads: args.threads,
    };
    let b = friction_app::timeline::backfill(&project, &request, &Bar::new(args.quiet))?;
    if args.json {
        println!("{}", json_with_schema("friction.backfill/1", &b));
    } else {
        print!("{}", backfill_text(&b, args.quiet));
    }
    Ok(0)
}

/// The table of dates; unless `quiet`, where to go next.
fn backfill_text(b: &Backfill, quiet: bool) -> String {
    let mut out = String::new();
    let made = b.points.iter().filter(|p| p.new).count();
    let _ = writeln!(
        out,
        "Back-filled {} dates ({} new snapshots) every {} from {} to {}",
        b.points.len(),
        made,
        b.every,
        b.from,
        b.to
    );
    let _ = writeln!(
        out,
        "  {:<10}  {:<10}  {:>8}  {:>6}  {:>8}",
        "date", "commit", "snapshot", "index", "coverage"
    );
    for p in &b.points {
        let _ = writeln!(
            out,
            "  {:<10}  {:<10}  {:>8}  {:>6}  {:>8}{}",
            p.date,
            p.commit.as_deref().map_or("-", short),
            p.snapshot.map_or_else(|| "-".into(), |i| format!("#{i}")),
            p.index.map_or_else(|| "-".into(), |v| format!("{v:.1}")),
            p.coverage
                .map_or_else(|| "-".into(), |v| format!("{:.0} %", v * 100.0)),
            p.note
                .as_deref()
                .map_or_else(String::new, |n| format!("  {n}"))
        );
    }
    if !quiet {
        let _ = writeln!(out, "\nSee the trend with `friction trend`.");
    }
    out
}

/// The repository and store of `trend` as the words of a command to paste
/// (empty for the current directory and its own store).
fn hint_repository(args: &TrendArgs) -> String {
    let mut words = String::new();
    if args.path != std::path::Path::new(".") {
        words.push_str(&shell_word(&args.path.display().to_string()));
        words.push(' ');
    }
    if let Some(db) = &args.db {
        words.push_str("--db ");
        words.push_str(&shell_word(&db.display().to_string()));
        words.push(' ');
    }
    words
}

/// `s` as one word of a POSIX shell: as it is when it holds only safe
/// characters, else single-quoted.
fn shell_word(s: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "/._-+=:,@".contains(c);
    if !s.is_empty() && s.chars().all(safe) {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

pub fn trend(args: &TrendArgs) -> Result<u8, Error> {
    let project = Project::locate(args.path.clone(), args.db.clone())?;
    let store = project.open_store()?;
    let request = TrendRequest {
        scope: args.repository.clone().unwrap_or_default(),
        all: args.all,
        mode: walk_mode(args.first_parent),
    };
    let t = friction_app::timeline::trend(&store, &request)?;
    if args.json {
        println!("{}", json_with_schema("friction.trend/1", &t));
    } else {
        print!("{}", trend_text(&t, &hint_repository(args)));
    }
    Ok(0)
}

/// The trend; `repository` is how the hint at its end names the
/// repository (empty, or a shell word and a space).
fn trend_text(t: &Trend, repository: &str) -> String {
    let points = &t.points;
    let mut out = String::new();
    let first = &points[0];
    let last = &points[points.len() - 1];
    let _ = writeln!(
        out,
        "Execution Capacity Index over {} snapshots, {} to {} ({})",
        points.len(),
        first.as_of,
        last.as_of,
        t.methodologies
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(", ")
    );
    if !t.comparable {
        let _ = writeln!(
            out,
            "warning: the snapshots use different methodologies; run `friction rescore` to put them on one"
        );
    }
    let change = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(a), Some(b)) => format!("{a:.1} → {b:.1} ({:+.1})", b - a),
        _ => format!(
            "{} → {}",
            a.map_or("–".into(), |v| format!("{v:.1}")),
            b.map_or("–".into(), |v| format!("{v:.1}"))
        ),
    };
    let _ = writeln!(
        out,
        "\n  {:<15} {}  {}",
        "index",
        sparkline(&points.iter().map(|p| p.index).collect::<Vec<_>>()),
        change(first.index, last.index)
    );
    let families: Vec<String> = last.drivers.keys().cloned().collect();
    for f in &families {
        let series: Vec<Option<f64>> = points
            .iter()
            .map(|p| p.drivers.get(f).copied().flatten())
            .collect();
        let _ = writeln!(
            out,
            "  {:<15} {}  {}",
            f,
            sparkline(&series),
            change(series[0], series[series.len() - 1])
        );
    }
    let _ = write!(
        out,
        "\n  {:<10}  {:<10}  {:<8}  {:>5}  {:>11}  {:>4}",
        "as of", "commit", "kind", "index", "90 % CI", "cov"
    );
    for f in &families {
        let label = match f.as_str() {
            "reliability" => "reliab.",
            "operations" => "ops",
            "team-execution" => "team",
            other => other,
        };
        let _ = write!(out, "  {label:>8}");
    }
    let _ = writeln!(out);
    for p in points {
        let _ = write!(
            out,
            "  {:<10}  {:<10}  {:<8}  {:>5}  {:>11}  {:>3.0}%",
            p.as_of,
            short(&p.commit),
            format!("{}{}", p.kind, if p.partial.is_some() { "*" } else { "" }),
            p.index.map_or("–".into(), |v| format!("{v:.1}")),
            p.ci.map_or(String::new(), |[a, b]| format!("{a:.1}–{b:.1}")),
            p.coverage * 100.0
        );
        for f in &families {
            let _ = write!(
                out,
                "  {:>8}",
                p.drivers
                    .get(f)
                    .copied()
                    .flatten()
                    .map_or("–".into(), |v| format!("{v:.1}"))
            );
        }
        let _ = writeln!(out);
    }
    for p in points.iter().filter(|p| p.partial.is_some()) {
        let _ = writeln!(
            out,
            "  * #{} is partial: {}; its figures miss that history (`friction scan` again once the repository is repaired)",
            p.snapshot,
            p.partial.as_deref().unwrap_or_default()
        );
    }
    // Bare ids: `#` would start a shell comment when the hint is pasted.
    let _ = writeln!(
        out,
        "\nExplain a change with `friction compare {}{} {}`.",
        repository,
        if points.len() > 1 {
            points[points.len() - 2].snapshot.to_string()
        } else {
            "previous".into()
        },
        last.snapshot
    );
    out
}

pub fn compare(args: &CompareArgs) -> Result<u8, Error> {
    let (path, snapshots) = repository_and_snapshots(args.path.as_deref(), &args.words);
    let (before, after) = match snapshots.as_slice() {
        [] => ("previous", "latest"),
        [before] => (before.as_str(), "latest"),
        [before, after] => (before.as_str(), after.as_str()),
        _ => {
            return Err(Error::input(
                format!("`{}` is not a directory", snapshots[0]),
                Some(
                    "give the repository first, then at most two snapshots: `friction compare PATH 12 14`",
                ),
            ));
        }
    };
    let project = Project::locate(path, args.db.clone())?;
    let store = project.open_store()?;
    let c = friction_app::timeline::compare(&store, before, after, args.limit)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&c).unwrap_or_default());
    } else {
        print!("{}", crate::compare::text(&c, args.limit));
    }
    Ok(0)
}

pub fn rescore(args: &RescoreArgs) -> Result<u8, Error> {
    let (path, snapshots) = repository_and_snapshots(args.path.as_deref(), &args.words);
    let project = Project::locate(path, args.db.clone())?;
    let request = RescoreRequest {
        snapshots,
        threads: args.threads,
    };
    let r = friction_app::timeline::rescore(&project, &request, &Bar::new(args.quiet))?;
    let score = |x: Option<f64>| x.map_or("–".into(), |v| format!("{v:.1}"));
    if args.json {
        let v = serde_json::json!({
            "schema": "friction.rescore/1",
            "rescored": r.rescored,
        });
        println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
    } else if r.rescored.is_empty() {
        println!(
            "Every snapshot already uses methodology {}; nothing to re-score.",
            r.methodology
        );
    } else {
        println!(
            "Re-scored {} snapshots under methodology {}:",
            r.rescored.len(),
            r.methodology
        );
        for d in &r.rescored {
            println!(
                "  #{} ({}, index {}) → #{} (index {})",
                d.from,
                d.from_methodology,
                score(d.from_index),
                d.snapshot,
                score(d.index)
            );
        }
    }
    Ok(0)
}

pub fn check(args: &CheckArgs) -> Result<u8, Error> {
    let project = locate_repository(&args.path, args.db.as_deref(), "`friction check`")?;
    let request = CheckRequest {
        baseline: args.baseline.clone(),
        max_drop: args.max_drop,
        drivers: args.driver.clone(),
        months: args.months,
        mode: walk_mode(args.first_parent),
        threads: args.threads,
    };
    let v = friction_app::timeline::check(&project, &request, &Bar::new(args.quiet))?;
    if args.json {
        println!("{}", json_with_schema("friction.check/1", &v));
    } else {
        print!("{}", check_text(&v, args.quiet));
    }
    Ok(if v.passed { 0 } else { 1 })
}

/// The baseline as the verdict names it: `#12 (commit)`, or the commit of a
/// revision assessed for the gate only.
fn against(s: &friction_app::timeline::Side) -> String {
    match s.snapshot {
        Some(id) => format!("#{id} ({})", short(&s.commit)),
        None => format!("{} (not recorded)", short(&s.commit)),
    }
}

/// The verdict; unless `quiet`, the comparison that explains it.
fn check_text(v: &Verdict, quiet: bool) -> String {
    let c = &v.comparison;
    let score = |x: Option<f64>| x.map_or("–".into(), |v| format!("{v:.1}"));
    let mut out = String::new();
    if v.passed {
        let _ = writeln!(
            out,
            "friction check: PASS — index {} → {} against {}, allowed drop {}",
            score(c.before.index),
            score(c.after.index),
            against(&c.before),
            v.max_drop
        );
    } else {
        let _ = writeln!(out, "friction check: FAIL against {}", against(&c.before));
        for f in &v.failures {
            let _ = writeln!(
                out,
                "  {} dropped {:.2} points ({} → {}), more than the {} allowed",
                f.what,
                f.drop,
                score(f.before),
                score(f.after),
                f.allowed
            );
        }
    }
    if !quiet {
        let _ = writeln!(out, "\nWhy:");
        out.push_str(&crate::compare::text(c, 5));
    }
    out
}
