//! The smell catalogue and the 1–10 code-health score.
//!
//! Every smell occurrence carries a penalty `weight × severity`, where
//! severity is how far the measurement is past the threshold
//! (`value / threshold`, capped). Repeated occurrences of one smell in a file
//! weigh less each time (×0.7 per rank), so one bad function does not read
//! like ten. The total penalty P maps to the score `1 + 9·e^(−P/9)`: 10 for
//! a clean file, never below 1, and still telling a bad file from a
//! catastrophic one (a linear `10 − P` floors most large legacy files at 1).
//! The points a file lost (`10 − score`) are shared among its findings in
//! proportion to their penalties, so they always add up.
//!
//! Thresholds come from published rules (cited per smell); the weights are
//! our stated judgement, calibrated so that the bands of CodeScene's Code
//! Health (healthy ≥ 9, warning 4–9, alert < 4) fall where its research puts
//! them: a single moderately complex function keeps a file healthy; a brain
//! method, deep nesting and duplication together make it an alert.

use serde::Serialize;

use crate::metrics::{FileMetrics, FunctionMetrics, Method};

/// Version of the smell catalogue, weights and bands. Bump on any change.
pub const METHODOLOGY_VERSION: &str = "code-health/1";

/// Decay applied to the n-th occurrence (0-based) of the same smell in a file.
pub const REPEAT_DECAY: f64 = 0.7;

/// Scale of the penalty-to-score curve `1 + 9·e^(−P/SCALE)`: a total penalty
/// of about 1 keeps a file healthy (≥ 9), about 10 makes it an alert (< 4).
pub const PENALTY_SCALE: f64 = 9.0;

pub use friction_model::health::{Band, HEALTHY_FROM, WARNING_FROM};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    Function,
    File,
}

/// One smell of the catalogue.
#[derive(Debug, Clone, Serialize)]
pub struct Smell {
    pub id: &'static str,
    pub name: &'static str,
    pub level: Level,
    /// What is compared with the threshold.
    pub measure: &'static str,
    /// The smell is present when the measure is strictly above this.
    pub threshold: f64,
    pub weight: f64,
    /// Highest severity (`value / threshold`) counted.
    pub max_severity: f64,
    pub rationale: &'static str,
    pub source: &'static str,
}

pub const COMPLEX_METHOD: Smell = Smell {
    id: "complex-method",
    name: "Complex Method",
    level: Level::Function,
    measure: "cyclomatic complexity",
    threshold: 10.0,
    weight: 0.8,
    max_severity: 3.0,
    rationale: "Each independent path needs its own test and its own place in a reader's head; past 10 paths, defect rates and review effort climb.",
    source: "McCabe, 'A Complexity Measure', IEEE TSE 1976 (limit 10); NIST SP 500-235 (1996) keeps 10 as the default limit.",
};

pub const BRAIN_METHOD: Smell = Smell {
    id: "brain-method",
    name: "Brain Method",
    level: Level::Function,
    measure: "lines of code, when cyclomatic complexity ≥ 15 and nesting ≥ 3",
    threshold: 65.0,
    weight: 2.5,
    max_severity: 2.0,
    rationale: "A long, branchy, deeply nested function centralises behaviour: it changes often, attracts defects and is hard to split later.",
    source: "Lanza & Marinescu, 'Object-Oriented Metrics in Practice' (2006), Brain Method: LOC > HIGH(class)/2 = 65, high cyclomatic complexity, nesting ≥ SEVERAL; CodeScene lists it as a function smell.",
};

pub const DEEP_NESTING: Smell = Smell {
    id: "deep-nesting",
    name: "Deeply Nested Logic",
    level: Level::Function,
    measure: "maximum nesting depth of control structures",
    threshold: 3.0,
    weight: 1.0,
    max_severity: 2.0,
    rationale: "Every level of nesting is context a reader must hold; nested conditionals are where cognitive complexity concentrates.",
    source: "SonarSource rule S134 (control flow statements nested deeper than 3); CodeScene 'Deep, Nested Complexity'.",
};

pub const BUMPY_ROAD: Smell = Smell {
    id: "bumpy-road",
    name: "Bumpy Road",
    level: Level::Function,
    measure: "top-level blocks of nested conditional logic (bumps)",
    threshold: 1.0,
    weight: 0.4,
    max_severity: 3.0,
    rationale: "Several separate chunks of nested logic in one function are missing abstractions: each bump is a function waiting to be extracted.",
    source: "CodeScene 'Bumpy Road Ahead' (codescene-vscode docs/issues/bumpy-road-ahead.md): more and deeper bumps are worse.",
};

pub const COMPLEX_CONDITIONAL: Smell = Smell {
    id: "complex-conditional",
    name: "Complex Conditional",
    level: Level::Function,
    measure: "boolean operators in one expression",
    threshold: 3.0,
    weight: 0.5,
    max_severity: 2.0,
    rationale: "A condition mixing many && and || is easy to get wrong and hard to test exhaustively; naming it makes intent explicit.",
    source: "SonarSource rule S1067 (expressions with more than 3 boolean operators); CodeScene 'Complex Conditional'.",
};

pub const LARGE_METHOD: Smell = Smell {
    id: "large-method",
    name: "Large Method",
    level: Level::Function,
    measure: "lines of code",
    threshold: 70.0,
    weight: 0.5,
    max_severity: 4.0,
    rationale: "Long functions do several things; they are read more often than they are changed, and every read costs.",
    source: "CodeScene 'Large Method' (default about 70 lines per third-party notes; unverified); SonarSource rule S138 (too many lines in a function).",
};

pub const MANY_ARGUMENTS: Smell = Smell {
    id: "many-arguments",
    name: "Excess Number of Function Arguments",
    level: Level::Function,
    measure: "parameters",
    threshold: 7.0,
    weight: 0.5,
    max_severity: 2.0,
    rationale: "Many parameters signal a missing abstraction and make every call site fragile.",
    source: "SonarSource rule S107 (more than 7 parameters); McConnell, Code Complete 2nd ed. §7.5 (about seven).",
};

pub const LOW_COHESION: Smell = Smell {
    id: "low-cohesion",
    name: "Low Cohesion",
    level: Level::File,
    measure: "LCOM4 of a class with 3+ methods (groups of methods sharing no field and no call)",
    threshold: 1.0,
    weight: 0.5,
    max_severity: 4.0,
    rationale: "A class whose methods fall into unconnected groups holds several responsibilities; each change risks the others and the class cannot be understood as one unit.",
    source: "Hitz & Montazeri 1995 (LCOM4 = connected components of methods linked by shared fields or calls; 1 is cohesive); CodeScene 'Low Cohesion' module smell.",
};

pub const LARGE_FILE: Smell = Smell {
    id: "large-file",
    name: "Large File",
    level: Level::File,
    measure: "code lines in the file",
    threshold: 1000.0,
    weight: 1.0,
    max_severity: 3.0,
    rationale: "Large files mix responsibilities and become merge-conflict and coordination bottlenecks.",
    source: "SonarSource rule S104 (files with more than 1000 lines of code); CodeScene 'Lines of Code in a Single File'.",
};

pub const DUPLICATION: Smell = Smell {
    id: "duplication",
    name: "Duplicated Code",
    level: Level::File,
    measure: "percentage of code lines in blocks (6+ lines) repeated within the file",
    threshold: 3.0,
    weight: 0.5,
    max_severity: 3.0,
    rationale: "Copies must be changed together; a missed copy is a defect. Within-file copies are the cheapest to remove.",
    source: "SonarQube 'Sonar way' quality gate (duplicated lines ≤ 3 %); CodeScene 'Code Duplication'.",
};

pub const DEEP_INDENTATION: Smell = Smell {
    id: "deep-indentation",
    name: "Deep Indentation",
    level: Level::File,
    measure: "deepest indentation level (fallback measurement, no grammar)",
    threshold: 5.0,
    weight: 0.5,
    max_severity: 2.0,
    rationale: "Without a grammar, indentation is the best available proxy for nesting (Hindle, Godfrey & Holt, 'Reading beside the lines', ICPC 2008).",
    source: "Hindle et al. 2008: indentation variance and depth correlate with McCabe and Halstead complexity.",
};

/// The whole catalogue, in reporting order.
pub const CATALOGUE: &[&Smell] = &[
    &BRAIN_METHOD,
    &COMPLEX_METHOD,
    &DEEP_NESTING,
    &BUMPY_ROAD,
    &COMPLEX_CONDITIONAL,
    &LARGE_METHOD,
    &MANY_ARGUMENTS,
    &LOW_COHESION,
    &LARGE_FILE,
    &DUPLICATION,
    &DEEP_INDENTATION,
];

/// Smells not measured (yet), listed in the methodology so the gap is visible.
pub const NOT_MEASURED: &[(&str, &str)] = &[
    (
        "Low Cohesion in Kotlin, Scala, Swift, C++ and Go",
        "members are reached without an explicit receiver there, so field use cannot be told from local names by syntax alone; LCOM4 is measured for Python, JavaScript, TypeScript, Java, C#, PHP, Ruby and Rust",
    ),
    (
        "Primitive Obsession, String-Heavy Arguments",
        "need parameter types, which several grammars leave untyped",
    ),
    (
        "Duplication across files",
        "needs a cross-file clone index; only in-file duplication is measured",
    ),
];

/// One smell occurrence and the points it cost.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub smell: &'static str,
    /// The function, for function-level smells.
    pub function: Option<String>,
    pub line: u32,
    pub value: f64,
    pub threshold: f64,
    /// Penalty (weight × severity), after the repeat decay.
    pub penalty: f64,
    /// This finding's share of the points the file lost (`10 − score`).
    pub points: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Health {
    /// 1.0–10.0, two decimals. `None` when the file was not measured (binary).
    pub score: Option<f64>,
    pub band: Option<Band>,
    pub findings: Vec<Finding>,
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn severity(smell: &Smell, value: f64) -> f64 {
    (value / smell.threshold).clamp(1.0, smell.max_severity)
}

fn function_findings(f: &FunctionMetrics, out: &mut Vec<(&'static Smell, Finding)>) {
    let mut push = |smell: &'static Smell, value: f64| {
        if value > smell.threshold {
            out.push((
                smell,
                Finding {
                    smell: smell.id,
                    function: Some(f.qualified_name.clone()),
                    line: f.start_line,
                    value,
                    threshold: smell.threshold,
                    penalty: smell.weight * severity(smell, value),
                    points: 0.0,
                },
            ));
        }
    };
    if f.cyclomatic >= 15 && f.max_nesting >= 3 {
        push(&BRAIN_METHOD, f64::from(f.nloc));
    }
    push(&COMPLEX_METHOD, f64::from(f.cyclomatic));
    push(&DEEP_NESTING, f64::from(f.max_nesting));
    push(&BUMPY_ROAD, f64::from(f.bumps));
    push(&COMPLEX_CONDITIONAL, f64::from(f.max_condition_operators));
    push(&LARGE_METHOD, f64::from(f.nloc));
    push(&MANY_ARGUMENTS, f64::from(f.parameters));
}

/// Smells and score of one file under [`METHODOLOGY_VERSION`].
pub fn assess(m: &FileMetrics) -> Health {
    if m.method == Method::Skipped {
        return Health {
            score: None,
            band: None,
            findings: Vec::new(),
        };
    }
    let mut raw: Vec<(&'static Smell, Finding)> = Vec::new();
    for f in &m.functions {
        function_findings(f, &mut raw);
    }
    for c in &m.classes {
        let v = f64::from(c.lcom4);
        if c.methods >= 3 && v > LOW_COHESION.threshold {
            raw.push((
                &LOW_COHESION,
                Finding {
                    smell: LOW_COHESION.id,
                    function: Some(c.name.clone()),
                    line: c.start_line,
                    value: v,
                    threshold: LOW_COHESION.threshold,
                    penalty: LOW_COHESION.weight * severity(&LOW_COHESION, v),
                    points: 0.0,
                },
            ));
        }
    }
    let code = f64::from(m.lines.code);
    if code > LARGE_FILE.threshold {
        raw.push((
            &LARGE_FILE,
            Finding {
                smell: LARGE_FILE.id,
                function: None,
                line: 1,
                value: code,
                threshold: LARGE_FILE.threshold,
                penalty: LARGE_FILE.weight * severity(&LARGE_FILE, code),
                points: 0.0,
            },
        ));
    }
    if m.lines.code > 0 {
        let pct = round2(100.0 * f64::from(m.duplication.duplicated_lines) / code);
        if pct > DUPLICATION.threshold {
            raw.push((
                &DUPLICATION,
                Finding {
                    smell: DUPLICATION.id,
                    function: None,
                    line: 1,
                    value: pct,
                    threshold: DUPLICATION.threshold,
                    penalty: DUPLICATION.weight * severity(&DUPLICATION, pct),
                    points: 0.0,
                },
            ));
        }
    }
    if m.method == Method::Fallback {
        let depth = f64::from(m.max_indent);
        if depth > DEEP_INDENTATION.threshold {
            raw.push((
                &DEEP_INDENTATION,
                Finding {
                    smell: DEEP_INDENTATION.id,
                    function: None,
                    line: 1,
                    value: depth,
                    threshold: DEEP_INDENTATION.threshold,
                    penalty: DEEP_INDENTATION.weight * severity(&DEEP_INDENTATION, depth),
                    points: 0.0,
                },
            ));
        }
    }
    // Repeat decay per smell, biggest penalty first; ties by line for determinism.
    let mut findings = Vec::with_capacity(raw.len());
    let mut total = 0.0;
    for smell in CATALOGUE {
        let mut of: Vec<Finding> = raw
            .iter()
            .filter(|(s, _)| s.id == smell.id)
            .map(|(_, f)| f.clone())
            .collect();
        of.sort_by(|a, b| {
            b.penalty
                .total_cmp(&a.penalty)
                .then(a.line.cmp(&b.line))
                .then(a.function.cmp(&b.function))
        });
        for (rank, mut f) in of.into_iter().enumerate() {
            f.penalty = round2(f.penalty * REPEAT_DECAY.powi(rank as i32));
            total += f.penalty;
            findings.push(f);
        }
    }
    let score = round2(1.0 + 9.0 * (-total / PENALTY_SCALE).exp());
    let lost = 10.0 - score;
    for f in &mut findings {
        f.points = if total > 0.0 {
            round2(lost * f.penalty / total)
        } else {
            0.0
        };
    }
    Health {
        score: Some(score),
        band: Some(Band::of(score)),
        findings,
    }
}

/// The methodology document, generated from the catalogue
/// (`docs/methodology/code-health.md`; a test keeps the file current).
pub fn methodology_markdown() -> String {
    let mut s = String::new();
    s.push_str("# Code health methodology\n\n");
    s.push_str(&format!(
        "Version: `{METHODOLOGY_VERSION}` (analyzer {}). Generated from `crates/code/src/health.rs` \
         by `cargo run -p friction-cli -- code --methodology`; a test fails when this file is stale.\n\n",
        crate::ANALYZER_VERSION
    ));
    s.push_str(include_str!("methodology-intro.md"));
    s.push_str("\n## Smell catalogue\n\n");
    s.push_str(
        "| Smell | Level | Measure | Present when above | Weight | Max severity | Source |\n",
    );
    s.push_str("|---|---|---|---|---|---|---|\n");
    for smell in CATALOGUE {
        s.push_str(&format!(
            "| {} (`{}`) | {} | {} | {} | {} | {} | {} |\n",
            smell.name,
            smell.id,
            match smell.level {
                Level::Function => "function",
                Level::File => "file",
            },
            smell.measure,
            smell.threshold,
            smell.weight,
            smell.max_severity,
            smell.source
        ));
    }
    s.push_str("\n### Why each smell matters\n\n");
    for smell in CATALOGUE {
        s.push_str(&format!("- **{}**: {}\n", smell.name, smell.rationale));
    }
    s.push_str("\n## Not measured\n\n");
    for (what, why) in NOT_MEASURED {
        s.push_str(&format!("- **{what}**: {why}.\n"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Language, Measurer};

    fn health_of(lang: Language, src: &str) -> Health {
        assess(&Measurer::new().measure(lang, src.as_bytes()))
    }

    #[test]
    fn simple_code_is_healthy() {
        let h = health_of(Language::Python, "def f(a):\n    return a + 1\n");
        assert_eq!(h.score, Some(10.0));
        assert_eq!(h.band, Some(Band::Healthy));
        assert!(h.findings.is_empty());
    }

    #[test]
    fn penalties_add_up_to_the_lost_points() {
        let mut src = String::from("def f(a, b, c, d, e, f, g, h):\n");
        for i in 0..12 {
            src.push_str(&format!("    if a == {i}:\n        if b:\n            if c:\n                if d:\n                    return {i}\n"));
        }
        let h = health_of(Language::Python, &src);
        let lost: f64 = h.findings.iter().map(|f| f.points).sum();
        let score = h.score.unwrap();
        assert!(score < 10.0);
        // Rounding each share to cents may leave a cent per finding.
        assert!((10.0 - score - lost).abs() <= 0.01 * h.findings.len() as f64);
        let ids: Vec<_> = h.findings.iter().map(|f| f.smell).collect();
        for id in [
            "complex-method",
            "deep-nesting",
            "bumpy-road",
            "many-arguments",
        ] {
            assert!(ids.contains(&id), "{id} missing from {ids:?}");
        }
    }

    #[test]
    fn repeated_smells_decay() {
        let mut src = String::new();
        for k in 0..3 {
            src.push_str(&format!("def f{k}(a):\n"));
            for i in 0..11 {
                src.push_str(&format!("    if a == {i}:\n        return {i}\n"));
            }
        }
        let h = health_of(Language::Python, &src);
        let p: Vec<f64> = h
            .findings
            .iter()
            .filter(|f| f.smell == "complex-method")
            .map(|f| f.penalty)
            .collect();
        assert_eq!(p.len(), 3);
        assert!(p[0] > p[1] && p[1] > p[2], "{p:?}");
    }

    #[test]
    fn bands() {
        assert_eq!(Band::of(10.0), Band::Healthy);
        assert_eq!(Band::of(9.0), Band::Healthy);
        assert_eq!(Band::of(8.99), Band::Warning);
        assert_eq!(Band::of(4.0), Band::Warning);
        assert_eq!(Band::of(3.99), Band::Alert);
    }

    #[test]
    fn binary_files_have_no_score() {
        let h = assess(&Measurer::new().measure(Language::C, b"\x7fELF\0\0\0"));
        assert_eq!(h.score, None);
    }
}
