//! Drift: the spec's corpus (and fresh seeded inputs) replayed against a target.
//! A difference counts only where the baseline's own repeats agreed (Diffy's noise
//! cancellation: measured noise fields are masked) and only when it reproduces on
//! every replay of the input. Findings are graded as Keploy grades them: a removed or
//! changed structure or a changed termination is High, a changed value Medium, an
//! addition Low.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::drain::Drain;
use crate::explore::{Target, flatten};
use crate::model::{self, Generator};
use crate::observe::{Fingerprint, Observation};
use crate::spec::{Case, Spec, holds};

pub const REPORT_VERSION: &str = "1";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Risk {
    Low,
    Medium,
    High,
}

impl Risk {
    pub fn parse(s: &str) -> Option<Risk> {
        match s {
            "low" => Some(Risk::Low),
            "medium" => Some(Risk::Medium),
            "high" => Some(Risk::High),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Risk::Low => "low",
            Risk::Medium => "medium",
            Risk::High => "high",
        }
    }
}

#[derive(Debug, Clone)]
pub struct DriftSettings {
    pub seed: u64,
    /// Fresh inputs generated from the spec's input model.
    pub fresh: usize,
    /// Replays of an input whose first replay differed (all must differ).
    pub confirmations: usize,
    pub workers: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub id: String,
    pub risk: Risk,
    /// `CLASS_CHANGED`, `NEW_BEHAVIOUR`, `VALUE_CHANGED`, `SCHEMA_ADDED`, `REMOVED`,
    /// `INVARIANT_VIOLATED`, `RULE_BROKEN`.
    pub kind: String,
    pub behaviour: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_id: Option<String>,
    pub input: String,
    pub expected: String,
    pub actual: String,
    pub reasons: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub inputs_replayed: usize,
    pub fresh_inputs: usize,
    pub executions: usize,
    pub findings: usize,
    pub high: usize,
    pub medium: usize,
    pub low: usize,
    /// `drift` or `no drift` at the threshold.
    pub verdict: String,
    pub fail_on: Risk,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassShare {
    pub id: String,
    pub baseline: usize,
    pub replayed: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NoiseNote {
    pub field: String,
    pub differing: usize,
    pub inputs: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DriftReport {
    pub drift_report_version: String,
    pub spec_sha256: String,
    pub target: String,
    pub summary: Summary,
    pub classes: Vec<ClassShare>,
    pub findings: Vec<Finding>,
    /// The baseline's measured noise, masked in every comparison.
    pub noise: Vec<NoiseNote>,
}

/// Replays the spec against `target`.
pub fn drift(
    spec: &Spec,
    spec_text: &str,
    target: &Target,
    settings: &DriftSettings,
    fail_on: Risk,
    root: &Path,
) -> DriftReport {
    let mut drain = Drain::frozen(&spec.templates);
    let known: BTreeMap<Fingerprint, String> = spec
        .behaviours
        .iter()
        .map(|b| (b.fingerprint.clone(), b.id.clone()))
        .collect();
    let inputs: Vec<crate::Input> = spec.corpus.iter().map(|c| c.input.clone()).collect();
    let first = target.observe_all(root, &inputs, settings.workers, &mut drain);
    let mut executions = inputs.len();
    // Inputs whose first replay differs are replayed again: a difference counts
    // only when every replay shows it.
    let mut differing: Vec<usize> = Vec::new();
    for (i, (case, o)) in spec.corpus.iter().zip(&first).enumerate() {
        if !compare(spec, case, o, &known, &mut drain.clone()).is_empty() {
            differing.push(i);
        }
    }
    let mut confirmed: BTreeSet<usize> = differing.iter().copied().collect();
    for _ in 0..settings.confirmations {
        let again: Vec<crate::Input> = confirmed.iter().map(|&i| inputs[i].clone()).collect();
        let obs = target.observe_all(root, &again, settings.workers, &mut drain);
        executions += again.len();
        let list: Vec<usize> = confirmed.iter().copied().collect();
        for (i, o) in list.into_iter().zip(&obs) {
            if compare(spec, &spec.corpus[i], o, &known, &mut drain.clone()).is_empty() {
                confirmed.remove(&i);
            }
        }
    }
    let mut findings = Vec::new();
    let mut replayed_class: BTreeMap<String, usize> = BTreeMap::new();
    for (i, (case, o)) in spec.corpus.iter().zip(&first).enumerate() {
        let actual = known
            .get(&o.fingerprint())
            .cloned()
            .unwrap_or_else(|| "new".into());
        *replayed_class.entry(actual).or_default() += 1;
        if confirmed.contains(&i) {
            findings.extend(compare(spec, case, o, &known, &mut drain.clone()));
        }
    }
    // A class none of whose cases shows it any more is removed.
    for b in &spec.behaviours {
        let cases: Vec<&Case> = spec.corpus.iter().filter(|c| c.behaviour == b.id).collect();
        let gone = !cases.is_empty()
            && cases.iter().all(|c| {
                findings.iter().any(|f| {
                    f.input_id.as_deref() == Some(&c.id)
                        && matches!(
                            f.kind.as_str(),
                            "CLASS_CHANGED" | "NEW_BEHAVIOUR" | "SCHEMA_ADDED"
                        )
                })
            });
        if gone {
            findings.push(finding(
                crate::drift::Risk::High,
                "REMOVED",
                &b.id,
                None,
                "",
                &b.family,
                "no longer shown",
                vec![format!(
                    "none of its {} cases shows it any more",
                    cases.len()
                )],
            ));
        }
    }
    let fresh = fresh_inputs(spec, settings);
    if !fresh.is_empty() {
        let obs = target.observe_all(root, &fresh, settings.workers, &mut drain);
        executions += fresh.len();
        findings.extend(check_fresh(spec, &fresh, &obs, &known));
    }
    findings.sort_by(|a, b| {
        b.risk
            .cmp(&a.risk)
            .then(a.behaviour.cmp(&b.behaviour))
            .then(a.input_id.cmp(&b.input_id))
            .then(a.kind.cmp(&b.kind))
            .then(a.input.cmp(&b.input))
    });
    let count = |r: Risk| findings.iter().filter(|f| f.risk == r).count();
    let failing = findings.iter().any(|f| f.risk >= fail_on);
    let mut classes: Vec<ClassShare> = spec
        .behaviours
        .iter()
        .map(|b| ClassShare {
            id: b.id.clone(),
            baseline: spec.corpus.iter().filter(|c| c.behaviour == b.id).count(),
            replayed: replayed_class.get(&b.id).copied().unwrap_or(0),
        })
        .collect();
    if let Some(&n) = replayed_class.get("new") {
        classes.push(ClassShare {
            id: "new".into(),
            baseline: 0,
            replayed: n,
        });
    }
    let noise = spec
        .normalisers
        .iter()
        .filter_map(|n| {
            n.evidence.map(|e| NoiseNote {
                field: format!("{}:{}", n.kind, n.pattern),
                differing: e.differing,
                inputs: e.inputs,
            })
        })
        .collect();
    DriftReport {
        drift_report_version: REPORT_VERSION.into(),
        spec_sha256: hex(&Sha256::digest(spec_text.as_bytes())),
        target: target_name(target),
        summary: Summary {
            inputs_replayed: inputs.len(),
            fresh_inputs: fresh.len(),
            executions,
            findings: findings.len(),
            high: count(Risk::High),
            medium: count(Risk::Medium),
            low: count(Risk::Low),
            verdict: if failing { "drift" } else { "no drift" }.into(),
            fail_on,
        },
        classes,
        findings,
        noise,
    }
}

fn target_name(target: &Target) -> String {
    match target {
        Target::Cli(t) => t.command.join(" "),
        Target::Stdio(h) => format!("{} (stdio harness)", h.target.command.join(" ")),
        Target::Http { target, .. } => target.base_url.clone(),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[allow(clippy::too_many_arguments)]
fn finding(
    risk: Risk,
    kind: &str,
    behaviour: &str,
    input_id: Option<&str>,
    input: &str,
    expected: &str,
    actual: &str,
    reasons: Vec<String>,
) -> Finding {
    let mut h = Sha256::new();
    for part in [kind, behaviour, input_id.unwrap_or(""), input, actual] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    Finding {
        id: hex(&h.finalize()[..4]),
        risk,
        kind: kind.into(),
        behaviour: behaviour.into(),
        input_id: input_id.map(str::to_owned),
        input: input.into(),
        expected: expected.into(),
        actual: actual.into(),
        reasons,
    }
}

/// The structural differences between two fingerprints, each with its risk.
fn structural(spec: &Spec, e: &Fingerprint, a: &Fingerprint, drain: &Drain) -> Vec<(Risk, String)> {
    let mut out = Vec::new();
    if e.termination != a.termination {
        out.push((
            Risk::High,
            format!("termination {} -> {}", e.termination, a.termination),
        ));
    }
    for (name, x, y) in [
        ("stdout", &e.stdout, &a.stdout),
        ("stderr", &e.stderr, &a.stderr),
    ] {
        if x != y {
            let risk = if y == "empty" || x == "json" {
                Risk::High
            } else {
                Risk::Medium
            };
            out.push((risk, format!("{name} {x} -> {y}")));
        }
    }
    let text = |id: &str| {
        if id.starts_with('U') {
            drain.text(id).unwrap_or_else(|| id.to_owned())
        } else {
            spec.template_text(id)
        }
    };
    for (name, x, y) in [
        ("stdout", &e.stdout_templates, &a.stdout_templates),
        ("stderr", &e.stderr_templates, &a.stderr_templates),
    ] {
        for t in x.iter().filter(|t| !y.contains(t)) {
            out.push((Risk::High, format!("{name} line '{}' missing", text(t))));
        }
        for t in y.iter().filter(|t| !x.contains(t)) {
            out.push((Risk::Low, format!("new {name} line '{}'", text(t))));
        }
    }
    if e.stdout_lines_bucket != a.stdout_lines_bucket && out.is_empty() {
        out.push((Risk::Medium, "a different number of stdout lines".into()));
    }
    let split = |s: &String| {
        s.rsplit_once(':')
            .map(|(p, t)| (p.to_owned(), t.to_owned()))
            .unwrap_or_default()
    };
    let es: BTreeMap<String, BTreeSet<String>> =
        e.json_shape
            .iter()
            .map(split)
            .fold(BTreeMap::new(), |mut m, (p, t)| {
                m.entry(p).or_default().insert(t);
                m
            });
    let as_: BTreeMap<String, BTreeSet<String>> =
        a.json_shape
            .iter()
            .map(split)
            .fold(BTreeMap::new(), |mut m, (p, t)| {
                m.entry(p).or_default().insert(t);
                m
            });
    for (p, t) in &es {
        match as_.get(p) {
            None => out.push((Risk::High, format!("JSON field {p} removed"))),
            Some(u) if u != t => out.push((
                Risk::High,
                format!(
                    "JSON field {p} type {} -> {}",
                    t.iter().cloned().collect::<Vec<_>>().join("|"),
                    u.iter().cloned().collect::<Vec<_>>().join("|")
                ),
            )),
            Some(_) => {}
        }
    }
    for p in as_.keys().filter(|p| !es.contains_key(*p)) {
        out.push((Risk::Low, format!("JSON field {p} added")));
    }
    for f in e.files.iter().filter(|f| !a.files.contains(f)) {
        out.push((Risk::High, format!("file effect {f} missing")));
    }
    for f in a.files.iter().filter(|f| !e.files.contains(f)) {
        out.push((Risk::Medium, format!("new file effect {f}")));
    }
    for h in e.headers.iter().filter(|h| !a.headers.contains(h)) {
        out.push((Risk::High, format!("header {h} missing")));
    }
    for h in a.headers.iter().filter(|h| !e.headers.contains(h)) {
        out.push((Risk::Low, format!("header {h} added")));
    }
    if e.orphans != a.orphans {
        out.push((
            Risk::Medium,
            format!("leaves processes running: {} -> {}", e.orphans, a.orphans),
        ));
    }
    out
}

/// Findings for one replayed case (empty when it behaves as recorded). The expected
/// fingerprint is taken from the case's recorded output under the same frozen
/// templates as the replay, so both sides are templated alike.
fn compare(
    spec: &Spec,
    case: &Case,
    o: &Observation,
    known: &BTreeMap<Fingerprint, String>,
    drain: &mut Drain,
) -> Vec<Finding> {
    let expected = Observation::expected(&case.expect, drain);
    let (efp, afp) = (expected.fingerprint(), o.fingerprint());
    let actual = known.get(&afp).cloned();
    let input = case.input.display();
    let cut_short = expected.cut_short() && o.termination == expected.termination;
    // A flaky case (its repeats landed in several classes) is held to its
    // termination only (Randoop's and Pynguin's practice for flaky tests).
    let flaky = !case.also.is_empty();
    let same = efp == afp
        || cut_short
        || actual.as_deref() == Some(case.behaviour.as_str())
        || (flaky && efp.termination == afp.termination);
    if same {
        if flaky || cut_short {
            return Vec::new();
        }
        let reasons = value_differences(case, o, drain);
        if reasons.is_empty() {
            return Vec::new();
        }
        return vec![finding(
            Risk::Medium,
            "VALUE_CHANGED",
            &case.behaviour,
            Some(&case.id),
            &input,
            &case.behaviour,
            &case.behaviour,
            reasons,
        )];
    }
    let family = spec
        .behaviour(&case.behaviour)
        .map_or_else(|| efp.family(), |b| b.family.clone());
    let reasons = structural(spec, &efp, &afp, drain);
    let worst = reasons
        .iter()
        .map(|(r, _)| *r)
        .max()
        .unwrap_or(Risk::Medium);
    let (kind, risk) = match &actual {
        Some(_) => ("CLASS_CHANGED", Risk::High),
        None if worst == Risk::Low => ("SCHEMA_ADDED", Risk::Low),
        None if o.termination.is_failure() => ("NEW_BEHAVIOUR", Risk::High),
        None => ("NEW_BEHAVIOUR", worst.max(Risk::Medium)),
    };
    vec![finding(
        risk,
        kind,
        &case.behaviour,
        Some(&case.id),
        &input,
        &family,
        &actual.unwrap_or_else(|| afp.family()),
        reasons.into_iter().map(|(_, r)| r).collect(),
    )]
}

/// Output differences within the same class, the case's measured noise masked.
fn value_differences(case: &Case, o: &Observation, drain: &mut Drain) -> Vec<String> {
    let mut out = Vec::new();
    let noisy = |f: &str| case.noise.iter().any(|n| n == f);
    for (name, expected, stream) in [
        ("stdout", &case.expect.stdout, &o.stdout),
        ("stderr", &case.expect.stderr, &o.stderr),
    ] {
        if *expected == stream.text || noisy(&format!("text:{name}")) {
            continue;
        }
        if let Some(actual) = &stream.json {
            let Ok(expected) = serde_json::from_str::<serde_json::Value>(expected) else {
                out.push(format!("{name} is now JSON"));
                continue;
            };
            let (fe, fa) = (flatten(&expected), flatten(actual));
            for (path, v) in &fe {
                if noisy(&format!("json:{path}")) {
                    continue;
                }
                match fa.get(path) {
                    Some(w) if w != v => out.push(format!("{path}: {v} -> {w}")),
                    None => out.push(format!("{path} missing")),
                    _ => {}
                }
            }
            for path in fa.keys().filter(|p| !fe.contains_key(*p)) {
                if !noisy(&format!("json:{path}")) {
                    out.push(format!("{path} added"));
                }
            }
            continue;
        }
        let masked = |text: &str, drain: &mut Drain| -> Vec<String> {
            let mut lines: Vec<String> = text
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(|l| {
                    let t = drain.template_of(l);
                    if noisy(&format!("template:{t}")) {
                        t
                    } else {
                        l.to_owned()
                    }
                })
                .collect();
            if noisy(&format!("order:{name}")) {
                lines.sort();
            }
            lines
        };
        let (le, la) = (masked(expected, drain), masked(&stream.text, drain));
        if le != la {
            let pair = le
                .iter()
                .zip(&la)
                .find(|(a, b)| a != b)
                .map(|(a, b)| format!("{name} '{a}' -> '{b}'"))
                .unwrap_or_else(|| format!("{name} has {} lines, now {}", le.len(), la.len()));
            out.push(pair);
        }
    }
    out
}

fn fresh_inputs(spec: &Spec, settings: &DriftSettings) -> Vec<crate::Input> {
    if settings.fresh == 0 {
        return Vec::new();
    }
    let mut g = Generator::new(&spec.input_model, settings.seed ^ 0x5EED_F00D, Vec::new());
    let corpus: Vec<crate::Input> = spec.corpus.iter().map(|c| c.input.clone()).collect();
    let mut out: Vec<crate::Input> = Vec::new();
    for _ in 0..settings.fresh * 4 {
        if out.len() == settings.fresh {
            break;
        }
        let i = g.mutate(&corpus);
        if !corpus.contains(&i) && !out.contains(&i) {
            out.push(i);
        }
    }
    out
}

/// Fresh inputs: an exact rule's prediction broken, or a justified invariant of the
/// class violated (on variables the baseline's noise never touched). Low: the
/// baseline never ran these inputs, so this is statistical evidence, not a replay.
fn check_fresh(
    spec: &Spec,
    inputs: &[crate::Input],
    obs: &[Observation],
    known: &BTreeMap<Fingerprint, String>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for (input, o) in inputs.iter().zip(obs) {
        let features = model::features(input, &spec.input_model);
        let actual = known.get(&o.fingerprint());
        for b in &spec.behaviours {
            let predicted = b
                .when
                .iter()
                .find(|r| r.confidence >= 1.0 && r.all.iter().all(|f| features.contains(f)));
            if let (Some(rule), Some(actual)) = (predicted, actual)
                && *actual != b.id
            {
                out.push(finding(
                    Risk::Low,
                    "RULE_BROKEN",
                    &b.id,
                    None,
                    &input.display(),
                    &b.id,
                    actual,
                    vec![format!(
                        "`{}` led to {} in all {} baseline inputs",
                        rule.all.join(" ∧ "),
                        b.id,
                        rule.support
                    )],
                ));
            }
        }
        let Some(actual) = actual else { continue };
        let Some(b) = spec.behaviour(actual) else {
            continue;
        };
        let noisy_streams: BTreeSet<&str> = spec
            .corpus
            .iter()
            .filter(|c| c.behaviour == b.id)
            .flat_map(|c| c.noise.iter())
            .map(|n| {
                if n.contains("stderr") {
                    "stderr"
                } else {
                    "stdout"
                }
            })
            .collect();
        let mut vars = o.variables();
        if let Some(argc) = features
            .iter()
            .find_map(|f| f.strip_prefix("argc=")?.parse::<f64>().ok())
        {
            vars.insert("in.argc".into(), argc);
        }
        for inv in &b.invariants {
            if noisy_streams.iter().any(|s| inv.expr.contains(s)) {
                continue;
            }
            if holds(&inv.expr, &vars) == Some(false) {
                out.push(finding(
                    Risk::Low,
                    "INVARIANT_VIOLATED",
                    &b.id,
                    None,
                    &input.display(),
                    &inv.expr,
                    "violated",
                    vec![format!(
                        "{} ({} samples, confidence {})",
                        inv.template, inv.support, inv.confidence
                    )],
                ));
            }
        }
    }
    out
}

/// The report in Markdown.
pub fn render(report: &DriftReport) -> String {
    let mut md = String::new();
    let s = &report.summary;
    let _ = writeln!(md, "# Drift: `{}`\n", report.target);
    let _ = writeln!(
        md,
        "**{}** at `--fail-on {}`: {} findings ({} high, {} medium, {} low) from {} replayed and {} fresh inputs ({} executions).\n",
        s.verdict,
        s.fail_on.name(),
        s.findings,
        s.high,
        s.medium,
        s.low,
        s.inputs_replayed,
        s.fresh_inputs,
        s.executions
    );
    if !report.findings.is_empty() {
        let _ = writeln!(md, "| risk | kind | class | input | what changed |");
        let _ = writeln!(md, "|---|---|---|---|---|");
        for f in &report.findings {
            let _ = writeln!(
                md,
                "| {} | {} | {} | `{}` | {} |",
                f.risk.name(),
                f.kind,
                f.behaviour,
                f.input.replace('|', "\\|"),
                f.reasons.join("; ").replace('|', "\\|")
            );
        }
    }
    let _ = writeln!(
        md,
        "\n## Noise (masked, measured on the baseline's repeats)\n"
    );
    if report.noise.is_empty() {
        let _ = writeln!(md, "None measured.");
    }
    for n in &report.noise {
        let _ = writeln!(
            md,
            "- `{}`: differed for {} of {} kept inputs",
            n.field, n.differing, n.inputs
        );
    }
    md
}
