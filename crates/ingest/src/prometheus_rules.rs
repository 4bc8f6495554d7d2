//! Prometheus rule files (`groups:`) and prometheus-operator
//! `PrometheusRule` resources (`spec.groups`), possibly several documents in
//! one file. Alerting rules keep their expression as text (never
//! evaluated), `for`, labels (`severity`) and annotations (`runbook_url`, or
//! `runbook` as Sloth writes it, and `summary`); recording rules are kept
//! and counted. A rule without an expression, with brackets that do not
//! balance, or with a `for` that is not a duration is a counted skip;
//! another kind of resource in the file is a counted skip too.

use std::io::BufRead;

use friction_model::inputs::{AlertRule, InputRecord};
use serde_json::Value;

use crate::json::text;
use crate::yaml::{self, Emitter};
use crate::{Error, Sink};

/// Prometheus' duration units.
const UNITS: [(&str, i64); 7] = [
    ("ms", 0),
    ("s", 1),
    ("m", 60),
    ("h", 3600),
    ("d", 86_400),
    ("w", 7 * 86_400),
    ("y", 365 * 86_400),
];

pub(crate) fn extract(reader: &mut dyn BufRead, sink: &mut Sink<'_>) -> Result<(), Error> {
    let documents = yaml::documents(reader)?;
    let mut out = Emitter::new(sink);
    for document in &documents {
        for object in yaml::objects(document) {
            let groups = match (object.get("groups"), text(object, "kind").as_str()) {
                (Some(g), _) => g,
                (None, "PrometheusRule") => object
                    .get("spec")
                    .and_then(|s| s.get("groups"))
                    .unwrap_or(&Value::Null),
                (None, "") => {
                    return Err(Error::at(
                        out.next_position(),
                        "not a Prometheus rule file: a document without `groups`",
                    ));
                }
                (None, other) => {
                    out.skip(format!(
                        "a resource of kind {other:?}, not a PrometheusRule"
                    ))?;
                    continue;
                }
            };
            let Some(groups) = groups.as_array() else {
                out.skip("`groups` is not a list".into())?;
                continue;
            };
            for group in groups {
                let name = text(group, "name");
                let rules = group.get("rules").and_then(Value::as_array);
                for (i, rule) in rules.into_iter().flatten().enumerate() {
                    match alert_rule(&name, rule) {
                        Ok(r) => out.record(InputRecord::AlertRule(r))?,
                        Err(why) => out.skip(format!("rule {} of group {name:?}: {why}", i + 1))?,
                    }
                }
            }
        }
    }
    out.finish("rule")
}

fn alert_rule(group: &str, rule: &Value) -> Result<AlertRule, String> {
    let (kind, name) = match (text(rule, "alert"), text(rule, "record")) {
        (a, _) if !a.is_empty() => ("alert", a),
        (_, r) if !r.is_empty() => ("record", r),
        _ => return Err("neither `alert` nor `record`".into()),
    };
    let expr = text(rule, "expr");
    if expr.trim().is_empty() {
        return Err(format!("{name}: no `expr`"));
    }
    if let Some(problem) = unbalanced(&expr) {
        return Err(format!("{name}: `expr` {problem}"));
    }
    let for_seconds = match text(rule, "for") {
        f if f.is_empty() => None,
        f => Some(
            yaml::duration(&f, &UNITS)
                .ok_or_else(|| format!("{name}: `for` {f:?} is not a duration"))?,
        ),
    };
    let labels = rule.get("labels").and_then(Value::as_object);
    let mut pairs: Vec<(String, String)> = labels
        .map(|m| {
            m.keys()
                .map(|k| (k.clone(), text(&rule["labels"], k)))
                .collect()
        })
        .unwrap_or_default();
    pairs.sort();
    let annotations = rule.get("annotations").unwrap_or(&Value::Null);
    let label = |k: &str| labels.map(|_| text(&rule["labels"], k)).unwrap_or_default();
    Ok(AlertRule {
        group: group.to_owned(),
        kind: kind.into(),
        name,
        expr,
        for_seconds,
        severity: label("severity"),
        runbook_url: ["runbook_url", "runbook", "runbookUrl"]
            .iter()
            .map(|k| text(annotations, k))
            .chain([label("runbook_url")])
            .find(|u| !u.trim().is_empty())
            .map(|u| u.trim().to_owned())
            .unwrap_or_default(),
        summary: text(annotations, "summary"),
        labels: pairs
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(","),
    })
}

/// What is wrong with the brackets and quotes of a PromQL expression, if
/// anything: the one check made without evaluating it.
fn unbalanced(expr: &str) -> Option<String> {
    let mut open = Vec::new();
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for c in expr.chars() {
        if let Some(q) = quote {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                _ if c == q => quote = None,
                _ => {}
            }
            continue;
        }
        match c {
            '"' | '\'' | '`' => quote = Some(c),
            '(' | '[' | '{' => open.push(c),
            ')' | ']' | '}' => {
                let want = match c {
                    ')' => '(',
                    ']' => '[',
                    _ => '{',
                };
                if open.pop() != Some(want) {
                    return Some(format!("has an unmatched `{c}`"));
                }
            }
            '#' => break,
            _ => {}
        }
    }
    match (quote, open.last()) {
        (Some(q), _) => Some(format!("has an unclosed `{q}`")),
        (None, Some(o)) => Some(format!("has an unclosed `{o}`")),
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Vec<InputRecord>, String> {
        crate::read_all(crate::Format::PrometheusRules, text)
    }

    #[test]
    fn an_alert_keeps_its_expression_severity_and_runbook() {
        let records = read(
            "groups:\n- name: g\n  rules:\n  - alert: Down\n    expr: up == 0\n    for: 1h30m\n\
             \x20   labels: {severity: critical, team: a}\n\
             \x20   annotations: {runbook_url: 'https://r/down', summary: It is down}\n\
             \x20 - record: job:up:sum\n    expr: sum by (job) (up)\n",
        )
        .unwrap();
        let [InputRecord::AlertRule(a), InputRecord::AlertRule(r)] = records.as_slice() else {
            panic!("{records:?}")
        };
        assert_eq!(
            (a.kind.as_str(), a.severity.as_str()),
            ("alert", "critical")
        );
        assert_eq!(a.for_seconds, Some(5400));
        assert_eq!(a.runbook_url, "https://r/down");
        assert_eq!(a.key(), "g/Down{severity=critical,team=a}");
        assert_eq!(r.kind, "record");
    }

    #[test]
    fn bad_expressions_and_durations_are_counted_skips_and_the_rest_is_read() {
        let records = read(
            "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: sum(rate(x[5m])\n\
             \x20 - alert: B\n    expr: up{job=\"a)\"} == 0\n    for: soon\n\
             \x20 - alert: C\n  - alert: D\n    expr: 'up{job=\"a)\"} == 0'\n",
        )
        .unwrap();
        let skips: Vec<&str> = records
            .iter()
            .filter_map(|r| match r {
                InputRecord::Skipped(w) => Some(w.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(
            skips,
            [
                "rule 1 of group \"g\": A: `expr` has an unclosed `(`",
                "rule 2 of group \"g\": B: `for` \"soon\" is not a duration",
                "rule 3 of group \"g\": C: no `expr`",
            ]
        );
        assert_eq!(records.len(), 4);
    }

    #[test]
    fn promql_that_prometheus_would_reject_is_stored_as_written_never_evaluated() {
        let expr = "rate(up[5 minutes]) >>> on(nothing) bogus!!";
        let records = read(&format!(
            "groups:\n- name: g\n  rules:\n  - alert: Odd\n    expr: '{expr}'\n"
        ))
        .unwrap();
        let [InputRecord::AlertRule(a)] = records.as_slice() else {
            panic!("{records:?}")
        };
        assert_eq!(a.expr, expr);
    }

    #[test]
    fn a_document_without_groups_refuses_the_file() {
        let e = read("rules: []\n").unwrap_err();
        assert!(e.contains("not a Prometheus rule file"), "{e}");
    }
}
