//! Security findings: what static-analysis and security scanners (CodeQL,
//! Semgrep, Trivy, … as SARIF 2.1.0) report in the code of the repository,
//! weighted by severity; and per file, joined with change frequency, the
//! security debt the hotspot map shows.

use std::collections::BTreeMap;

use crate::delivery::Cite;
use crate::{Context, Curve, Doc, Evidence, Family, Figure, Input, Measured, Outcome, Sample};

/// The findings of the stored SARIF files on the assessed tree's files.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CodeFindings {
    /// Distinct findings (tool, rule, file, line) on files of the tree.
    pub findings: Vec<CodeFinding>,
    /// Findings that name no file of the tree, by reason: a URI leaving the
    /// repository, an unresolved `uriBaseId`, a file not in the assessed
    /// tree (an absolute path elsewhere, a deleted file). Counted, never scored.
    pub skipped: BTreeMap<String, u64>,
}

impl CodeFindings {
    pub fn skipped_total(&self) -> u64 {
        self.skipped.values().sum()
    }
}

/// One finding on a file of the assessed tree.
#[derive(Debug, Clone, PartialEq)]
pub struct CodeFinding {
    /// Index into [`crate::Data::files`].
    pub file: u32,
    pub tool: String,
    pub rule: String,
    /// SARIF level: `error`, `warning`, `note`, `none`.
    pub level: String,
    /// `security-severity`, 0–10, when the tool gives one.
    pub severity: Option<f64>,
    pub line: Option<u64>,
    pub cite: Cite,
}

/// Weights of a finding without `security-severity`, by SARIF level: the
/// midpoints of GitHub code scanning's bands for the level a tool uses for
/// them (error ≈ high 7–8.9, warning ≈ medium 4–6.9, note ≈ low 0.1–3.9).
pub const LEVEL_WEIGHTS: [(&str, f64); 4] = [
    ("error", 0.8),
    ("warning", 0.55),
    ("note", 0.2),
    ("none", 0.0),
];

/// A finding's weight: `security-severity` / 10, else its level's weight.
pub fn weight(f: &CodeFinding) -> f64 {
    match f.severity {
        Some(s) => (s / 10.0).clamp(0.0, 1.0),
        None => LEVEL_WEIGHTS
            .iter()
            .find(|(l, _)| *l == f.level)
            .map_or(0.55, |(_, w)| *w),
    }
}

/// The weighted findings per file (index into the files).
pub fn weighted_by_file(f: &CodeFindings) -> BTreeMap<u32, (u32, f64)> {
    let mut out: BTreeMap<u32, (u32, f64)> = BTreeMap::new();
    for x in &f.findings {
        let e = out.entry(x.file).or_default();
        e.0 += 1;
        e.1 += weight(x);
    }
    out
}

pub struct SecurityFindings;

static DOC: Doc = Doc {
    title: "Security findings",
    measures: "The findings static-analysis and security scanners (CodeQL, Semgrep, Trivy, … \
        as SARIF 2.1.0 files read by `friction ingest`) report in the files of the assessed \
        commit, weighted by severity.",
    why: "A scanner's open finding is a flaw someone already pointed at: each one left open is \
        exposure the organisation chose to keep, and the findings in code that changes often \
        are the ones most likely to grow (the hotspot map shows them as security debt).",
    how: "Each SARIF result that is a failure (`kind` `fail`, not suppressed in the file, not \
        `baselineState: absent`) at its first location; findings several files repeat (same \
        tool, rule, file and line) count once. A finding weighs its `security-severity` / 10 \
        (the 0–10 score GitHub code scanning reads), else by its level: error 0.8, warning \
        0.55, note 0.2, none 0 (the midpoints of GitHub's high, medium and low bands). Value = \
        the sum over the scope's files. Findings whose URI names no file of the tree (a `..` \
        leaving the root, a `uriBaseId` the file does not resolve, an absolute path \
        elsewhere, a file no longer there) are counted and reported, never scored: coverage \
        (repository scope) = findings on the tree's files / all findings read. Not measured \
        without a stored SARIF file.",
    thresholds: "0 → 100, 10 or more → 0, linear: the scale of `vulnerable-dependencies` \
        (OpenSSF Scorecard's Vulnerabilities check, 10 minus the open vulnerabilities), so a \
        critical finding in the code weighs as a critical vulnerability in a dependency. \
        Weight 0.1 of the Security driver: static analysis is one of the practices the \
        driver stands for, and this takes the tenth no signal measured before `eci/7`, so no \
        other signal's weight moved",
    sources: &[
        "OASIS, SARIF 2.1.0, sections 3.27 (result: kind, level, suppressions, baselineState) and 3.4 (artifactLocation, uriBaseId) (docs.oasis-open.org/sarif/sarif/v2.1.0)",
        "GitHub code scanning: SARIF support, `security-severity` and its bands (docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning)",
        "OpenSSF Scorecard, Vulnerabilities and SAST checks (github.com/ossf/scorecard/blob/main/docs/checks.md)",
    ],
};

static CURVE: Curve = Curve::linear(&[(0.0, 100.0), (10.0, 0.0)]);

/// How to get SARIF findings into the store.
pub const INGEST_SARIF: &str = "ingest a scanner's SARIF output with `friction ingest FILE.sarif` \
    (CodeQL, Semgrep, Trivy, …)";

impl crate::Signal for SecurityFindings {
    fn id(&self) -> &'static str {
        "security-findings"
    }
    fn family(&self) -> Family {
        Family::Security
    }
    fn weight(&self) -> f64 {
        0.1
    }
    fn unit(&self) -> &'static str {
        "weighted findings"
    }
    fn doc(&self) -> &'static Doc {
        &DOC
    }
    fn researched_curve(&self) -> &'static Curve {
        &CURVE
    }
    fn needs(&self) -> &'static [Input] {
        &[Input::Sarif]
    }
    fn measure(&self, ctx: &Context<'_>) -> Outcome {
        measured(ctx).into()
    }
}

fn measured(ctx: &Context<'_>) -> Result<Measured, String> {
    let Some((d, s)) = ctx
        .data
        .delivery
        .as_ref()
        .and_then(|d| Some((d, d.security.as_ref()?)))
    else {
        return Err(format!("no SARIF file is stored: {INGEST_SARIF}"));
    };
    if let Some(why) = ctx.files_unknown() {
        return Err(why);
    }
    let mut value = 0.0;
    let mut evidence = Vec::new();
    let mut files = std::collections::BTreeSet::new();
    let mut counted = 0u64;
    for f in s
        .findings
        .iter()
        .filter(|f| (f.file as usize) < ctx.data.files.len() && ctx.in_scope(f.file as usize))
    {
        let w = weight(f);
        value += w;
        counted += 1;
        files.insert(f.file);
        let path = &ctx.data.files[f.file as usize].path;
        evidence.push(Evidence {
            kind: "file".into(),
            id: match f.line {
                Some(l) => format!("{path}:{l} {} ({})", f.rule, f.tool),
                None => format!("{path} {} ({})", f.rule, f.tool),
            },
            value: crate::round2(w),
            label: "severity".into(),
            cite: Some(d.cite(f.cite)),
        });
    }
    let whole = ctx.scope.files.is_none();
    let skipped = if whole { s.skipped_total() } else { 0 };
    let coverage = if counted + skipped == 0 {
        1.0
    } else {
        counted as f64 / (counted + skipped) as f64
    };
    let mut figures = vec![
        Figure {
            name: "findings".into(),
            value: counted as f64,
            unit: "findings".into(),
        },
        Figure {
            name: "files with findings".into(),
            value: files.len() as f64,
            unit: "files".into(),
        },
    ];
    if whole {
        figures.push(Figure {
            name: "findings naming no file of the tree (skipped)".into(),
            value: skipped as f64,
            unit: "findings".into(),
        });
    }
    Ok(Measured {
        value,
        coverage,
        figures,
        evidence: crate::top_evidence(evidence),
        sample: Sample::Fixed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(level: &str, severity: Option<f64>) -> CodeFinding {
        CodeFinding {
            file: 0,
            tool: "T".into(),
            rule: "R".into(),
            level: level.into(),
            severity,
            line: None,
            cite: Cite {
                source: 0,
                record: 1,
                line: None,
            },
        }
    }

    #[test]
    fn a_finding_weighs_its_security_severity_else_its_level() {
        assert!((weight(&finding("note", Some(9.8))) - 0.98).abs() < 1e-12);
        assert_eq!(weight(&finding("error", None)), 0.8);
        assert_eq!(weight(&finding("warning", None)), 0.55);
        assert_eq!(weight(&finding("note", None)), 0.2);
        assert_eq!(weight(&finding("none", None)), 0.0);
        // Ordered like GitHub's bands: a level never outweighs a worse one.
        let w: Vec<f64> = LEVEL_WEIGHTS.iter().map(|l| l.1).collect();
        assert!(w.windows(2).all(|p| p[0] > p[1]));
    }

    #[test]
    fn findings_are_summed_per_file() {
        let mut a = finding("error", None);
        a.file = 2;
        let mut b = finding("note", Some(5.0));
        b.file = 2;
        let c = finding("warning", None);
        let by = weighted_by_file(&CodeFindings {
            findings: vec![a, b, c],
            skipped: BTreeMap::new(),
        });
        assert_eq!(by[&2].0, 2);
        assert!((by[&2].1 - 1.3).abs() < 1e-9);
        assert_eq!(by[&0], (1, 0.55));
    }
}
