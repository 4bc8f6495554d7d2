//! The behaviour specification: classes with their fingerprint, output schema,
//! invariants (Daikon's templates and justification rules) and input→class rules
//! (Texada-style support and confidence), the corpus of characterisation cases with
//! their measured noise, and the suspicious behaviours. `spec.json` is its JSON form
//! (`schemas/probe-spec.schema.json`); key order is fixed, lists are sorted or in
//! discovery order, floats are rounded, so the same probe gives the same bytes.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::drain::Template;
use crate::explore::{Exploration, Settings};
use crate::model::InputModel;
use crate::normalise::{self, NoiseEvidence, Normaliser};
use crate::observe::Fingerprint;
use crate::{Error, Input, Termination};

/// The spec format's version (`spec_version`).
pub const SPEC_VERSION: &str = "1";
/// Daikon's default confidence limit: an invariant or rule is kept only when the
/// chance it held by accident is below 1 − 0.99.
pub const CONFIDENCE: f64 = 0.99;
/// Daikon's `min_mod_non_missing_samples`: samples before any invariant is stated.
pub const MIN_SAMPLES: usize = 5;
/// Samples at a bound before the bound is stated (Daikon's `LowerBoundCore`), and
/// the support a rule needs (Texada's support threshold).
pub const MIN_AT_BOUND: usize = 3;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    pub spec_version: String,
    pub kind: String,
    pub target: TargetSpec,
    pub provenance: Provenance,
    pub input_model: InputModel,
    pub coverage: Coverage,
    pub normalisers: Vec<Normaliser>,
    pub templates: Vec<Template>,
    pub behaviours: Vec<Behaviour>,
    pub suspicious: Vec<Suspicion>,
    pub corpus: Vec<Case>,
    /// Inputs no exact rule explains.
    pub unexplained_inputs: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetSpec {
    /// `cli` or `http`.
    pub adapter: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub env: BTreeMap<String, String>,
    pub timeout_ms: u64,
    pub output_cap: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provenance {
    pub tool_version: String,
    pub seed: u64,
    pub budget: usize,
    pub executions: usize,
    pub inputs: usize,
    pub repeats_per_input: usize,
    /// `budget`, `time`, `saturated` or `exhausted`.
    pub stopped: String,
    pub llm_used: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Coverage {
    pub options_total: usize,
    pub options_exercised: usize,
    pub value_classes_total: usize,
    pub value_classes_exercised: usize,
    pub pairs_total: usize,
    pub pairs_covered: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Behaviour {
    pub id: String,
    pub family: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    pub fingerprint: Fingerprint,
    pub inputs: usize,
    pub flaky_inputs: usize,
    /// Case ids, the shrunk one first.
    pub exemplars: Vec<String>,
    pub when: Vec<Rule>,
    pub invariants: Vec<Invariant>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_schema: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Input features that, together, lead to the class.
    pub all: Vec<String>,
    pub support: usize,
    pub confidence: f64,
    pub p_chance: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Invariant {
    pub expr: String,
    pub template: String,
    pub support: usize,
    pub confidence: f64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Suspicion {
    pub behaviour: String,
    pub reason: String,
}

/// A characterisation case: an input and what it showed, noise masked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    pub id: String,
    pub behaviour: String,
    pub input: Input,
    pub features: Vec<String>,
    pub expect: Expect,
    /// Fields whose values differed across the repeats (masked when compared).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub noise: Vec<String>,
    /// Other classes the repeats landed in (a flaky input).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    pub termination: Termination,
    pub stdout: String,
    pub stderr: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub orphans: bool,
}

fn round(x: f64, digits: i32) -> f64 {
    let f = 10f64.powi(digits);
    (x * f).round() / f
}

/// Three significant digits (p-values span many orders of magnitude).
fn round_sig(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    format!("{x:.2e}").parse().unwrap_or(x)
}

/// Behaviour id of class `i` (`B01`).
pub fn behaviour_id(i: usize) -> String {
    format!("B{:02}", i + 1)
}

impl Spec {
    /// Derives the specification from an exploration.
    pub fn derive(ex: &Exploration, target: TargetSpec, settings: &Settings) -> Spec {
        let case_id = |r: usize| format!("i-{:05}", r + 1);
        let mut class_records: Vec<Vec<usize>> = vec![Vec::new(); ex.classes.len()];
        for (r, rec) in ex.records.iter().enumerate() {
            class_records[rec.class].push(r);
        }
        let mut flaky: BTreeMap<usize, usize> = BTreeMap::new();
        for (r, noise) in &ex.noise {
            if !noise.classes.is_empty() {
                *flaky.entry(ex.records[*r].class).or_default() += 1;
            }
        }
        let rules = mine_rules(ex);
        let mut behaviours = Vec::new();
        for (c, fp) in ex.classes.iter().enumerate() {
            let records: Vec<&crate::explore::Record> =
                class_records[c].iter().map(|&r| &ex.records[r]).collect();
            behaviours.push(Behaviour {
                id: behaviour_id(c),
                family: fp.family(),
                label: None,
                fingerprint: fp.clone(),
                inputs: records.len(),
                flaky_inputs: flaky.get(&c).copied().unwrap_or(0),
                exemplars: ex.corpus[c].iter().map(|&r| case_id(r)).collect(),
                when: rules.get(&c).cloned().unwrap_or_default(),
                invariants: invariants(&records),
                output_schema: output_schema(&records),
            });
        }
        let mut corpus = Vec::new();
        for list in &ex.corpus {
            for &r in list {
                let rec = &ex.records[r];
                let noise = ex.noise.get(&r);
                corpus.push(Case {
                    id: case_id(r),
                    behaviour: behaviour_id(rec.class),
                    input: rec.input.clone(),
                    features: rec.features.clone(),
                    expect: Expect {
                        termination: rec.observation.termination.clone(),
                        stdout: rec.observation.stdout.text.clone(),
                        stderr: rec.observation.stderr.text.clone(),
                        files: rec.observation.files.clone(),
                        headers: rec.observation.headers.clone(),
                        orphans: rec.observation.orphans,
                    },
                    noise: noise
                        .map(|n| n.fields.iter().cloned().collect())
                        .unwrap_or_default(),
                    also: noise
                        .map(|n| {
                            n.classes
                                .iter()
                                .filter(|&&c| c != rec.class)
                                .map(|&c| {
                                    if c == usize::MAX {
                                        "unknown".to_owned()
                                    } else {
                                        behaviour_id(c)
                                    }
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                });
            }
        }
        corpus.sort_by(|a, b| a.id.cmp(&b.id));
        let mut normalisers = normalise::builtin();
        let mut measured: BTreeMap<String, NoiseEvidence> = BTreeMap::new();
        let kept = ex.corpus.iter().flatten().count();
        for noise in ex.noise.values() {
            for f in &noise.fields {
                measured
                    .entry(f.clone())
                    .or_insert(NoiseEvidence {
                        inputs: kept,
                        differing: 0,
                    })
                    .differing += 1;
            }
        }
        for (i, (field, evidence)) in measured.into_iter().enumerate() {
            normalisers.push(Normaliser {
                id: format!("M{}", i + 1),
                kind: field.split(':').next().unwrap_or("").to_owned(),
                pattern: field
                    .split_once(':')
                    .map_or(field.clone(), |(_, p)| p.to_owned()),
                replace: "[NOISE]".into(),
                origin: "measured".into(),
                evidence: Some(evidence),
            });
        }
        let explained = ex
            .records
            .iter()
            .filter(|rec| {
                rules.get(&rec.class).is_some_and(|rs| {
                    rs.iter().any(|rule| {
                        rule.confidence >= 1.0 && rule.all.iter().all(|f| rec.features.contains(f))
                    })
                })
            })
            .count();
        let mut spec = Spec {
            spec_version: SPEC_VERSION.into(),
            kind: "behaviour-spec".into(),
            target,
            provenance: Provenance {
                tool_version: env!("CARGO_PKG_VERSION").into(),
                seed: settings.seed,
                budget: settings.budget,
                executions: ex.executions,
                inputs: ex.records.len(),
                repeats_per_input: settings.repeats.max(2),
                stopped: ex.stopped.into(),
                llm_used: false,
            },
            input_model: ex.model.clone(),
            coverage: coverage(ex),
            normalisers,
            templates: ex.drain.templates(),
            behaviours,
            suspicious: Vec::new(),
            corpus,
            unexplained_inputs: ex.records.len() - explained,
        };
        spec.suspicious = suspicious(&spec);
        spec
    }

    /// The spec as JSON text (deterministic).
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    /// Reads and checks a spec.
    pub fn parse(text: &str, origin: &str) -> Result<Spec, Error> {
        let value: Value = serde_json::from_str(text)
            .map_err(|e| Error::Input(format!("{origin} is not JSON: {e}")))?;
        match value.get("spec_version").and_then(Value::as_str) {
            Some(SPEC_VERSION) => {}
            Some(other) => {
                return Err(Error::Input(format!(
                    "{origin} is a behaviour spec of version {other}; this friction reads version {SPEC_VERSION}"
                )));
            }
            None => {
                return Err(Error::Input(format!(
                    "{origin} is not a friction behaviour spec (no `spec_version`)"
                )));
            }
        }
        let spec: Spec = serde_json::from_value(value)
            .map_err(|e| Error::Input(format!("{origin} is not a valid behaviour spec: {e}")))?;
        let ids: BTreeSet<&str> = spec.behaviours.iter().map(|b| b.id.as_str()).collect();
        if ids.len() != spec.behaviours.len() {
            return Err(Error::Input(format!(
                "{origin}: behaviour ids are not unique"
            )));
        }
        for case in &spec.corpus {
            if !ids.contains(case.behaviour.as_str()) {
                return Err(Error::Input(format!(
                    "{origin}: case {} names behaviour {}, which the spec does not define",
                    case.id, case.behaviour
                )));
            }
        }
        let templates: BTreeSet<&str> = spec.templates.iter().map(|t| t.id.as_str()).collect();
        for b in &spec.behaviours {
            for t in b
                .fingerprint
                .stdout_templates
                .iter()
                .chain(&b.fingerprint.stderr_templates)
            {
                if !templates.contains(t.as_str()) {
                    return Err(Error::Input(format!(
                        "{origin}: behaviour {} uses template {t}, which the spec does not define",
                        b.id
                    )));
                }
            }
        }
        if !["cli", "stdio", "http"].contains(&spec.target.adapter.as_str()) {
            return Err(Error::Input(format!(
                "{origin}: target adapter `{}` is none of `cli`, `stdio` and `http`",
                spec.target.adapter
            )));
        }
        Ok(spec)
    }

    pub fn behaviour(&self, id: &str) -> Option<&Behaviour> {
        self.behaviours.iter().find(|b| b.id == id)
    }

    pub fn template_text(&self, id: &str) -> String {
        self.templates
            .iter()
            .find(|t| t.id == id)
            .map_or_else(|| id.to_owned(), |t| t.text.clone())
    }
}

fn coverage(ex: &Exploration) -> Coverage {
    let mut options = BTreeSet::new();
    let mut classes = BTreeSet::new();
    for rec in &ex.records {
        for f in &rec.features {
            if let Some(o) = f.strip_prefix("opt:") {
                options.insert(o.to_owned());
            }
            if let Some((_, class)) = f.split_once('=')
                && ex.model.value_classes.contains_key(class)
            {
                classes.insert(class.to_owned());
            }
        }
    }
    Coverage {
        options_total: ex.model.options.len(),
        options_exercised: options.len(),
        value_classes_total: ex.model.value_classes.len(),
        value_classes_exercised: classes.len(),
        pairs_total: ex.pairs_total,
        pairs_covered: ex.pairs_covered,
    }
}

/// Input→class rules: conjunctions of at most two input features; kept with support
/// ≥ 3, confidence ≥ 0.95, P(chance) = base_rate^support < 0.01, and only when no
/// part of the conjunction alone is as confident. At most five per class, by support.
fn mine_rules(ex: &Exploration) -> BTreeMap<usize, Vec<Rule>> {
    let n = ex.records.len();
    let mut with: BTreeMap<Vec<String>, BTreeMap<usize, usize>> = BTreeMap::new();
    for rec in &ex.records {
        let f = &rec.features;
        for i in 0..f.len() {
            *with
                .entry(vec![f[i].clone()])
                .or_default()
                .entry(rec.class)
                .or_default() += 1;
            for j in i + 1..f.len() {
                *with
                    .entry(vec![f[i].clone(), f[j].clone()])
                    .or_default()
                    .entry(rec.class)
                    .or_default() += 1;
            }
        }
    }
    let mut class_size: BTreeMap<usize, usize> = BTreeMap::new();
    for rec in &ex.records {
        *class_size.entry(rec.class).or_default() += 1;
    }
    let confidence_of = |conj: &[String], class: usize| -> f64 {
        with.get(conj).map_or(0.0, |m| {
            let total: usize = m.values().sum();
            m.get(&class).copied().unwrap_or(0) as f64 / total as f64
        })
    };
    let mut out: BTreeMap<usize, Vec<Rule>> = BTreeMap::new();
    for (conj, counts) in &with {
        let total: usize = counts.values().sum();
        for (&class, &support) in counts {
            let confidence = support as f64 / total as f64;
            if support < MIN_AT_BOUND || confidence < 0.95 {
                continue;
            }
            let base = class_size[&class] as f64 / n as f64;
            let p_chance = base.powi(support as i32);
            if p_chance >= 1.0 - CONFIDENCE {
                continue;
            }
            if conj.len() == 2
                && conj
                    .iter()
                    .any(|f| confidence_of(std::slice::from_ref(f), class) >= confidence)
            {
                continue;
            }
            out.entry(class).or_default().push(Rule {
                all: conj.clone(),
                support,
                confidence: round(confidence, 4),
                p_chance: round_sig(p_chance),
            });
        }
    }
    for rules in out.values_mut() {
        rules.sort_by(|a, b| {
            b.confidence
                .total_cmp(&a.confidence)
                .then(b.support.cmp(&a.support))
                .then(a.all.len().cmp(&b.all.len()))
                .then(a.all.cmp(&b.all))
        });
        rules.truncate(5);
    }
    out
}

/// Daikon-style invariants over a class's numeric variables and the input's arity.
fn invariants(records: &[&crate::explore::Record]) -> Vec<Invariant> {
    let n = records.len();
    if n < MIN_SAMPLES {
        return Vec::new();
    }
    let mut vars: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for rec in records {
        let mut v = rec.observation.variables();
        if let Some(argc) = rec
            .features
            .iter()
            .find_map(|f| f.strip_prefix("argc=")?.parse::<f64>().ok())
        {
            v.insert("in.argc".into(), argc);
        }
        for (k, x) in v {
            vars.entry(k).or_default().push(x);
        }
    }
    // Only variables every record of the class has.
    vars.retain(|_, xs| xs.len() == n);
    let mut out = Vec::new();
    let push = |out: &mut Vec<Invariant>, expr: String, template: &str, p_chance: f64| {
        let confidence = 1.0 - p_chance;
        if confidence >= CONFIDENCE {
            out.push(Invariant {
                expr,
                template: template.into(),
                support: n,
                confidence: round(confidence, 4),
            });
        }
    };
    for (name, xs) in &vars {
        let min = xs.iter().copied().fold(f64::INFINITY, f64::min);
        let max = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if min == max {
            // Chance that n samples of a variable with two equally likely values agree.
            push(
                &mut out,
                format!("{name} == {}", fmt(min)),
                "constant",
                0.5f64.powi(n as i32 - 1),
            );
            continue;
        }
        let distinct: BTreeSet<u64> = xs.iter().map(|x| x.to_bits()).collect();
        if distinct.len() <= 3 {
            let seen_twice = distinct
                .iter()
                .all(|b| xs.iter().filter(|x| x.to_bits() == *b).count() >= 2);
            if seen_twice {
                let mut vals: Vec<f64> = distinct.iter().map(|b| f64::from_bits(*b)).collect();
                vals.sort_by(f64::total_cmp);
                let k = vals.len() as f64;
                let list: Vec<String> = vals.iter().map(|v| fmt(*v)).collect();
                push(
                    &mut out,
                    format!("{name} in {{{}}}", list.join(", ")),
                    "one_of",
                    (k / (k + 1.0)).powi(n as i32),
                );
                continue;
            }
        }
        let range = max - min + 1.0;
        for (bound, op) in [(min, ">="), (max, "<=")] {
            let at = xs.iter().filter(|x| **x == bound).count();
            if at >= MIN_AT_BOUND && at as f64 > 5.0 * n as f64 / range {
                push(
                    &mut out,
                    format!("{name} {op} {}", fmt(bound)),
                    "bound",
                    0.5f64.powi(at as i32),
                );
            }
        }
        if min > 0.0 {
            push(
                &mut out,
                format!("{name} != 0"),
                "non_zero",
                (1.0 - 1.0 / range).powi(n as i32),
            );
        }
    }
    // Relations between comparable variables: overlapping ranges (AGORA), one of
    // them an input or both outputs of the same stream family.
    let names: Vec<&String> = vars.keys().collect();
    for (i, a) in names.iter().enumerate() {
        for b in &names[i + 1..] {
            let (xa, xb) = (&vars[*a], &vars[*b]);
            let constant = |xs: &[f64]| xs.iter().all(|x| *x == xs[0]);
            if constant(xa) || constant(xb) {
                continue;
            }
            let (amin, amax) = min_max(xa);
            let (bmin, bmax) = min_max(xb);
            if amax < bmin || bmax < amin {
                continue;
            }
            if !(a.starts_with("in.") || b.starts_with("in.")) {
                continue;
            }
            let p = 0.5f64.powi(n as i32);
            if xa.iter().zip(xb).all(|(x, y)| x == y) {
                push(&mut out, format!("{a} == {b}"), "relation", p);
            } else if xa.iter().zip(xb).all(|(x, y)| x <= y) {
                push(&mut out, format!("{a} <= {b}"), "relation", p);
            } else if xa.iter().zip(xb).all(|(x, y)| x >= y) {
                push(&mut out, format!("{b} <= {a}"), "relation", p);
            }
        }
    }
    out
}

fn min_max(xs: &[f64]) -> (f64, f64) {
    xs.iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), x| {
            (lo.min(*x), hi.max(*x))
        })
}

fn fmt(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{}", round(x, 4))
    }
}

/// Checks an invariant's expression against variables; `None` when a variable is
/// missing (coverage, not a violation).
pub fn holds(expr: &str, vars: &BTreeMap<String, f64>) -> Option<bool> {
    let value = |t: &str| -> Option<f64> { vars.get(t).copied().or_else(|| t.parse().ok()) };
    if let Some((name, list)) = expr.split_once(" in {") {
        let x = value(name)?;
        let ok = list
            .trim_end_matches('}')
            .split(", ")
            .filter_map(|v| v.parse::<f64>().ok())
            .any(|v| v == x);
        return Some(ok);
    }
    for op in [" == ", " <= ", " >= ", " != "] {
        if let Some((a, b)) = expr.split_once(op) {
            let (x, y) = (value(a)?, value(b)?);
            return Some(match op {
                " == " => x == y,
                " <= " => x <= y,
                " >= " => x >= y,
                _ => x != y,
            });
        }
    }
    None
}

/// GenSON-style merged schema of a class's JSON outputs.
fn output_schema(records: &[&crate::explore::Record]) -> Option<Value> {
    let mut merged: Option<Value> = None;
    for rec in records {
        if let Some(json) = &rec.observation.stdout.json {
            let s = schema_of(json);
            merged = Some(match merged {
                None => s,
                Some(m) => merge(m, s),
            });
        }
    }
    merged
}

fn schema_of(v: &Value) -> Value {
    match v {
        Value::Array(items) => {
            let mut it = items.iter().map(schema_of);
            let first = it.next();
            let merged = first.map(|f| it.fold(f, merge));
            match merged {
                Some(m) => json!({"type": "array", "items": m}),
                None => json!({"type": "array"}),
            }
        }
        Value::Object(map) => {
            let props: serde_json::Map<String, Value> =
                map.iter().map(|(k, v)| (k.clone(), schema_of(v))).collect();
            let required: Vec<&String> = map.keys().collect();
            json!({"type": "object", "properties": props, "required": required})
        }
        other => json!({"type": crate::observe::json_type(other)}),
    }
}

fn merge(a: Value, b: Value) -> Value {
    if a == b {
        return a;
    }
    let ta = a.get("type").cloned().unwrap_or(Value::Null);
    let tb = b.get("type").cloned().unwrap_or(Value::Null);
    if ta == tb && ta == "object" {
        let pa = a
            .get("properties")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let pb = b
            .get("properties")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let mut props = serde_json::Map::new();
        for (k, v) in pa.iter().chain(pb.iter()) {
            let merged = match props.remove(k) {
                Some(existing) => merge(existing, v.clone()),
                None => v.clone(),
            };
            props.insert(k.clone(), merged);
        }
        let req = |s: &Value| -> BTreeSet<String> {
            s.get("required")
                .and_then(Value::as_array)
                .map(|r| {
                    r.iter()
                        .filter_map(|x| x.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default()
        };
        let required: Vec<String> = req(&a).intersection(&req(&b)).cloned().collect();
        return json!({"type": "object", "properties": props, "required": required});
    }
    if ta == tb && ta == "array" {
        return match (a.get("items").cloned(), b.get("items").cloned()) {
            (Some(x), Some(y)) => json!({"type": "array", "items": merge(x, y)}),
            (Some(x), None) | (None, Some(x)) => json!({"type": "array", "items": x}),
            (None, None) => json!({"type": "array"}),
        };
    }
    let mut types = BTreeSet::new();
    for t in [ta, tb] {
        match t {
            Value::String(s) => {
                types.insert(s);
            }
            Value::Array(list) => {
                types.extend(
                    list.into_iter()
                        .filter_map(|x| x.as_str().map(str::to_owned)),
                );
            }
            _ => {}
        }
    }
    // `integer` is a `number`.
    if types.contains("number") {
        types.remove("integer");
    }
    let list: Vec<String> = types.into_iter().collect();
    if list.len() == 1 {
        json!({"type": list[0]})
    } else {
        json!({"type": list})
    }
}

fn stack_trace(text: &str) -> bool {
    text.contains("Traceback (most recent call last)")
        || text.contains("panicked at")
        || text
            .lines()
            .filter(|l| l.trim_start().starts_with("at "))
            .count()
            >= 2
}

/// Crashes, hangs, floods, leaked processes, silent failures, errors on success, and
/// inconsistent error channels.
fn suspicious(spec: &Spec) -> Vec<Suspicion> {
    let mut out = Vec::new();
    let case_of = |b: &Behaviour| {
        b.exemplars
            .first()
            .and_then(|id| spec.corpus.iter().find(|c| &c.id == id))
    };
    for b in &spec.behaviours {
        let fp = &b.fingerprint;
        let case = case_of(b);
        let mut say = |reason: String| {
            out.push(Suspicion {
                behaviour: b.id.clone(),
                reason,
            })
        };
        match case.map(|c| &c.expect.termination) {
            Some(Termination::Signal { signal }) => {
                say(format!("crashed: killed by signal {signal}"))
            }
            Some(Termination::Timeout) => say(format!(
                "hung: did not end within {} ms (killed with its process group)",
                spec.target.timeout_ms
            )),
            Some(Termination::Flood) => say(format!(
                "flooded: wrote more than {} bytes to one stream (killed)",
                spec.target.output_cap
            )),
            Some(Termination::SpawnError { message }) => {
                say(format!("could not be run or reached: {message}"))
            }
            Some(Termination::Http { status }) if *status >= 500 => {
                say(format!("server error: status {status}"))
            }
            _ => {}
        }
        if fp.orphans {
            say("left processes running after it ended (killed)".into());
        }
        if let Some(c) = case {
            let failed = c.expect.termination.is_failure();
            let ok_exit = matches!(c.expect.termination, Termination::Exit { code: 0 });
            if ok_exit && error_words(&c.expect.stderr) {
                say("succeeded (exit 0) but wrote an error to stderr".into());
            }
            if stack_trace(&c.expect.stderr) || stack_trace(&c.expect.stdout) {
                say("uncaught exception: a stack trace in the output".into());
            }
            if failed
                && matches!(c.expect.termination, Termination::Exit { .. })
                && fp.stdout == "empty"
                && fp.stderr == "empty"
            {
                say(format!(
                    "failed silently: {} with no message",
                    c.expect.termination.label()
                ));
            }
        }
        if b.flaky_inputs > 0 {
            say(format!(
                "nondeterministic: {} input(s) landed in another class on a repeat",
                b.flaky_inputs
            ));
        }
    }
    // Inconsistent errors: one exit code, the message on stdout in one class and on
    // stderr in another.
    let mut channels: BTreeMap<String, BTreeMap<&str, Vec<&str>>> = BTreeMap::new();
    for b in &spec.behaviours {
        let fp = &b.fingerprint;
        if !fp.termination.starts_with("exit=") || fp.termination == "exit=0" {
            continue;
        }
        let channel = match (fp.stdout.as_str(), fp.stderr.as_str()) {
            ("empty", "empty") => continue,
            (_, "empty") => "stdout",
            ("empty", _) => "stderr",
            _ => "both",
        };
        channels
            .entry(fp.termination.clone())
            .or_default()
            .entry(channel)
            .or_default()
            .push(&b.id);
    }
    for (termination, by) in channels {
        if by.contains_key("stdout") && by.contains_key("stderr") {
            let list = |c: &str| by.get(c).map(|v| v.join(", ")).unwrap_or_default();
            for id in &by["stdout"] {
                out.push(Suspicion {
                    behaviour: (*id).to_owned(),
                    reason: format!(
                        "inconsistent errors: {termination} reports on stdout here but on stderr in {}",
                        list("stderr")
                    ),
                });
            }
        }
    }
    out.sort_by(|a, b| a.behaviour.cmp(&b.behaviour).then(a.reason.cmp(&b.reason)));
    out
}

fn error_words(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    ["error", "exception", "invalid", "failed", "fatal"]
        .iter()
        .any(|w| lower.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invariant_expressions_are_checked() {
        let vars: BTreeMap<String, f64> = [("a".to_owned(), 2.0), ("b".to_owned(), 3.0)]
            .into_iter()
            .collect();
        assert_eq!(holds("a <= b", &vars), Some(true));
        assert_eq!(holds("a == 2", &vars), Some(true));
        assert_eq!(holds("b in {1, 2}", &vars), Some(false));
        assert_eq!(holds("c == 1", &vars), None);
    }

    #[test]
    fn schemas_merge_optional_fields_and_types() {
        let a = schema_of(&json!({"id": 1, "name": "x"}));
        let b = schema_of(&json!({"id": 2.5}));
        let m = merge(a, b);
        assert_eq!(m["required"], json!(["id"]));
        assert_eq!(m["properties"]["id"]["type"], json!("number"));
    }

    #[test]
    fn a_malformed_spec_is_a_clear_error() {
        let e = Spec::parse("{", "s.json").unwrap_err();
        assert!(e.to_string().contains("s.json is not JSON"), "{e}");
        let e = Spec::parse("{\"a\":1}", "s.json").unwrap_err();
        assert!(e.to_string().contains("no `spec_version`"), "{e}");
        let e = Spec::parse("{\"spec_version\":\"9\"}", "s.json").unwrap_err();
        assert!(e.to_string().contains("version 9"), "{e}");
        let e = Spec::parse("{\"spec_version\":\"1\"}", "s.json").unwrap_err();
        assert!(e.to_string().contains("not a valid behaviour spec"), "{e}");
    }
}
