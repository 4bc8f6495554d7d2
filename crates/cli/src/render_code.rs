//! `friction code`: measures a work tree (`friction_app::code`) and renders
//! the files as a table, JSON or CSV.

use std::collections::BTreeMap;
use std::io::IsTerminal;

use friction_app::Error;
use friction_app::code::{CodeReport, CodeSummary, FileReport};
use friction_code::health::{self, Band, METHODOLOGY_VERSION};
use friction_code::{ANALYZER_VERSION, Flag, Method};
use serde::Serialize;

use crate::CodeArgs;
use crate::progress::Bar;
use crate::render::clean;

/// Runs `friction code`.
pub fn run(args: &CodeArgs) -> Result<u8, Error> {
    if args.methodology {
        print!("{}", health::methodology_markdown());
        return Ok(0);
    }
    let started = std::time::Instant::now();
    let report = friction_app::code::measure_worktree(
        &args.path,
        args.db.clone(),
        args.threads,
        &Bar::new(args.quiet),
    )?;
    let limit = if args.all { usize::MAX } else { args.limit };
    if args.json {
        println!("{}", json(&report, limit));
    } else if args.csv {
        print!("{}", csv(&report, limit, args.functions));
    } else {
        print!("{}", text(&report, limit));
    }
    if !args.quiet && !args.json && !args.csv || (!args.quiet && std::io::stderr().is_terminal()) {
        eprintln!(
            "measured {} files ({} parsed, {} from the store) in {:.2} s",
            report.summary.files,
            report.summary.parsed,
            report.summary.reused,
            started.elapsed().as_secs_f64()
        );
    }
    Ok(if report.summary.unreadable > 0 { 1 } else { 0 })
}

#[derive(Serialize)]
struct JsonCode<'a> {
    schema: &'static str,
    methodology: &'static str,
    analyzer: u32,
    root: &'a str,
    store: &'a Option<String>,
    summary: &'a CodeSummary,
    problems: &'a [String],
    /// Whether `files` lists every file or only the least healthy.
    complete: bool,
    files: Vec<&'a FileReport>,
}

pub fn json(report: &CodeReport, limit: usize) -> String {
    let ranked: Vec<&FileReport> = report
        .files
        .iter()
        .filter(|f| f.excluded.is_none() || limit == usize::MAX)
        .take(limit)
        .collect();
    let value = JsonCode {
        schema: "friction.code/1",
        methodology: METHODOLOGY_VERSION,
        analyzer: ANALYZER_VERSION,
        root: &report.root,
        store: &report.store,
        summary: &report.summary,
        problems: &report.problems,
        complete: ranked.len() == report.files.len(),
        files: ranked,
    };
    let sorted: serde_json::Value = serde_json::to_value(&value).unwrap_or_default();
    serde_json::to_string_pretty(&sorted).unwrap_or_default()
}

fn opt(x: Option<f64>) -> String {
    x.map(|v| format!("{v:.2}")).unwrap_or_default()
}

pub fn csv(report: &CodeReport, limit: usize, functions: bool) -> String {
    let files = report
        .files
        .iter()
        .filter(|f| f.excluded.is_none() || limit == usize::MAX)
        .take(limit);
    if functions {
        let mut rows: Vec<Vec<String>> = Vec::new();
        for f in files {
            for func in &f.functions {
                let smells: Vec<&str> = f
                    .findings
                    .iter()
                    .filter(|x| {
                        x.function.as_deref() == Some(func.qualified_name.as_str())
                            && x.line == func.start_line
                    })
                    .map(|x| x.smell)
                    .collect();
                rows.push(vec![
                    f.path.clone(),
                    func.qualified_name.clone(),
                    func.start_line.to_string(),
                    func.end_line.to_string(),
                    func.nloc.to_string(),
                    func.cyclomatic.to_string(),
                    func.cognitive.to_string(),
                    func.max_nesting.to_string(),
                    func.parameters.to_string(),
                    func.exits.to_string(),
                    smells.join(";"),
                ]);
            }
        }
        return friction_report::csv_text(
            &[
                "path",
                "function",
                "start_line",
                "end_line",
                "nloc",
                "cyclomatic",
                "cognitive",
                "max_nesting",
                "parameters",
                "exits",
                "smells",
            ],
            rows,
        );
    }
    let mut rows: Vec<Vec<String>> = Vec::new();
    for f in files {
        let mut smells: Vec<&str> = f.findings.iter().map(|x| x.smell).collect();
        smells.dedup();
        let flags: Vec<String> = f.flags.iter().map(flag_name).collect();
        rows.push(vec![
            f.path.clone(),
            f.language.as_str().to_owned(),
            method_name(f.method).to_owned(),
            opt(f.health),
            f.band.map(Band::as_str).unwrap_or_default().to_owned(),
            f.excluded.clone().unwrap_or_default(),
            f.lines.code.to_string(),
            f.lines.comment.to_string(),
            f.lines.blank.to_string(),
            f.function_count.to_string(),
            f.cyclomatic_total.to_string(),
            format!("{:.2}", f.cyclomatic_mean),
            f.cyclomatic_max.to_string(),
            f.duplicated_lines.to_string(),
            smells.join(";"),
            flags.join(";"),
        ]);
    }
    friction_report::csv_text(
        &[
            "path",
            "language",
            "method",
            "health",
            "band",
            "excluded",
            "code_lines",
            "comment_lines",
            "blank_lines",
            "functions",
            "cyclomatic_total",
            "cyclomatic_mean",
            "cyclomatic_max",
            "duplicated_lines",
            "smells",
            "flags",
        ],
        rows,
    )
}

fn method_name(m: Method) -> &'static str {
    match m {
        Method::TreeSitter => "tree-sitter",
        Method::Fallback => "fallback",
        Method::Skipped => "skipped",
    }
}

fn flag_name(f: &Flag) -> String {
    match f {
        Flag::Binary => "binary".into(),
        Flag::TooLarge { .. } => "too-large".into(),
        Flag::Minified => "minified".into(),
        Flag::NonUtf8 => "non-utf8".into(),
        Flag::SyntaxErrors { count, first_line } => {
            format!("syntax-errors({count} from line {first_line})")
        }
        Flag::Fallback => "fallback".into(),
    }
}

fn truncate(s: &str, width: usize) -> String {
    let s = clean(s);
    if s.chars().count() <= width {
        s
    } else {
        let tail: String = s
            .chars()
            .rev()
            .take(width - 1)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        format!("…{tail}")
    }
}

pub fn text(report: &CodeReport, limit: usize) -> String {
    let s = &report.summary;
    let mut out = String::new();
    out.push_str(&format!("friction code · {}\n", clean(&report.root)));
    out.push_str(&format!(
        "  files         {} source files: {} parsed, {} by the line-based fallback, {} binary, {} excluded (vendored/generated)\n",
        s.files, s.tree_sitter, s.fallback, s.skipped, s.excluded
    ));
    out.push_str(&format!(
        "  code          {} lines of code in {} functions\n",
        s.code_lines, s.functions
    ));
    match s.average_health {
        Some(h) => out.push_str(&format!(
            "  health        {:.1} average (lines-weighted), worst {:.1}; code lines healthy {:.1} %, warning {:.1} %, alert {:.1} %\n",
            h,
            s.worst_health.unwrap_or(h),
            s.healthy_code_pct,
            s.warning_code_pct,
            s.alert_code_pct
        )),
        None => out.push_str("  health        not measured (no source files)\n"),
    }
    out.push_str(&format!(
        "  files by band {} healthy (≥ {h}), {} warning ({w}–{h}), {} alert (< {w}) · methodology {METHODOLOGY_VERSION}\n",
        s.healthy_files,
        s.warning_files,
        s.alert_files,
        h = health::HEALTHY_FROM,
        w = health::WARNING_FROM
    ));
    if s.with_syntax_errors > 0 {
        out.push_str(&format!(
            "  note          {} files have syntax errors; what parsed was measured\n",
            s.with_syntax_errors
        ));
    }
    let ranked: Vec<&FileReport> = report
        .files
        .iter()
        .filter(|f| f.excluded.is_none() && f.health.is_some_and(|h| h < 10.0))
        .take(limit.min(20))
        .collect();
    if ranked.is_empty() {
        out.push_str("\nNo smells found.\n");
    } else {
        out.push_str("\nLeast healthy files\n");
        out.push_str(&format!(
            "  {:>6}  {:<7}  {:>6}  {:>5}  {:<44}  {}\n",
            "health", "band", "code", "maxCC", "file", "points lost to"
        ));
        for f in &ranked {
            let mut lost: BTreeMap<&str, f64> = BTreeMap::new();
            for x in &f.findings {
                *lost.entry(x.smell).or_default() += x.points;
            }
            let mut lost: Vec<(&str, f64)> = lost.into_iter().collect();
            lost.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
            let why: Vec<String> = lost
                .iter()
                .take(3)
                .map(|(k, v)| format!("{k} −{v:.1}"))
                .collect();
            out.push_str(&format!(
                "  {:>6.1}  {:<7}  {:>6}  {:>5}  {:<44}  {}\n",
                f.health.unwrap_or(0.0),
                f.band.map(Band::as_str).unwrap_or(""),
                f.lines.code,
                f.cyclomatic_max,
                truncate(&f.path, 44),
                why.join(", ")
            ));
        }
    }
    // One file: every finding, with the points it cost.
    if report.files.len() == 1 {
        let f = &report.files[0];
        if !f.findings.is_empty() {
            out.push_str(&format!(
                "\nWhy {} scores {:.1}: every smell and the points it cost\n",
                clean(&f.path),
                f.health.unwrap_or(0.0)
            ));
            out.push_str(&format!(
                "  {:>6}  {:<20}  {:>8}  {:>9}  {}\n",
                "points", "smell", "value", "threshold", "where"
            ));
            for x in &f.findings {
                let place = match &x.function {
                    Some(func) => format!("{} (line {})", truncate(func, 50), x.line),
                    None => "whole file".to_owned(),
                };
                out.push_str(&format!(
                    "  {:>6.2}  {:<20}  {:>8}  {:>9}  {}\n",
                    -x.points, x.smell, x.value, x.threshold, place
                ));
            }
        }
    }
    // The worst functions across the ranked files.
    let mut funcs: Vec<(&FileReport, &friction_code::FunctionMetrics)> = report
        .files
        .iter()
        .filter(|f| f.excluded.is_none())
        .flat_map(|f| f.functions.iter().map(move |g| (f, g)))
        .filter(|(_, g)| {
            g.cyclomatic > health::COMPLEX_METHOD.threshold as u32 || g.max_nesting > 3
        })
        .collect();
    funcs.sort_by(|a, b| {
        b.1.cognitive
            .cmp(&a.1.cognitive)
            .then(b.1.cyclomatic.cmp(&a.1.cyclomatic))
            .then(a.0.path.cmp(&b.0.path))
            .then(a.1.start_line.cmp(&b.1.start_line))
    });
    if !funcs.is_empty() {
        out.push_str("\nMost complex functions\n");
        out.push_str(&format!(
            "  {:>4}  {:>4}  {:>4}  {:>5}  {}\n",
            "cog", "CC", "nest", "lines", "function (file:line)"
        ));
        for (f, g) in funcs.iter().take(limit.min(10)) {
            out.push_str(&format!(
                "  {:>4}  {:>4}  {:>4}  {:>5}  {} ({}:{})\n",
                g.cognitive,
                g.cyclomatic,
                g.max_nesting,
                g.nloc,
                truncate(&g.qualified_name, 60),
                truncate(&f.path, 60),
                g.start_line
            ));
        }
    }
    if !report.problems.is_empty() {
        out.push_str(&format!(
            "\n{} files could not be read:\n",
            report.problems.len()
        ));
        for p in report.problems.iter().take(5) {
            out.push_str(&format!("  {}\n", clean(p)));
        }
    }
    out
}
