//! SARIF 2.1.0 (OASIS) for code-scanning tools: hotspots as file-level
//! results, code-health findings at their lines. Built with `serde_json`
//! against the schema's field names (the `serde-sarif` crate generates the
//! same types at build time with a schema compiler, a heavy build for a
//! handful of objects); the test suite validates the output against the
//! published schema.

use friction_assess::cost::FileCost;
use serde_json::{Value, json};

use crate::escape::visible;
use crate::{Report, fmt1};

/// The schema URI written into the log.
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// A rule (a code-health smell).
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub id: String,
    pub name: String,
    pub description: String,
}

/// A finding at a place in a file.
#[derive(Debug, Clone, PartialEq)]
pub struct CodeFinding {
    pub path: String,
    pub start_line: u32,
    pub end_line: u32,
    pub rule: String,
    /// `error`, `warning` or `note`.
    pub level: &'static str,
    pub message: String,
}

fn uri(path: &str) -> String {
    // A relative URI reference: percent-encode what is not unreserved or `/`.
    let mut out = String::new();
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The SARIF log of a report.
pub fn sarif(r: &Report, rules: &[Rule], findings: &[CodeFinding]) -> String {
    let a = &r.assessment.assessment;
    let mut rule_list = vec![json!({
        "id": "friction/hotspot",
        "name": "Hotspot",
        "shortDescription": {"text": "Code that is changed often and hard to change"},
        "fullDescription": {"text": "A file in the top of the change-frequency ranking whose code health is below the healthy band: each change there takes longer and carries more defects (Tornhill & Borg, Code Red, 2022)."},
        "defaultConfiguration": {"level": "warning"},
    })];
    for rule in rules {
        rule_list.push(json!({
            "id": rule.id,
            "name": rule.name,
            "shortDescription": {"text": rule.name},
            "fullDescription": {"text": rule.description},
            "defaultConfiguration": {"level": "warning"},
        }));
    }
    let mut results: Vec<Value> = Vec::new();
    let mut hot: Vec<&FileCost> = a.cost.files.iter().filter(|f| f.hotspot).collect();
    hot.sort_by(|x, y| x.path.cmp(&y.path));
    for f in hot {
        let cost = f.total_hours();
        results.push(json!({
            "ruleId": "friction/hotspot",
            "ruleIndex": 0,
            "level": "warning",
            "message": {"text": visible(&format!(
                "Hotspot: changed {} times in the window at code health {}; estimated cost {}–{} hours a year (excess time + fix work).",
                f.revisions,
                fmt1(f.health),
                fmt1(Some(cost.low)),
                fmt1(Some(cost.high))
            ))},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": uri(&f.path), "uriBaseId": "SRCROOT"},
                "region": {"startLine": 1}
            }}],
        }));
    }
    for f in findings {
        let index = rules.iter().position(|r| r.id == f.rule).map(|i| i + 1);
        let mut result = json!({
            "ruleId": f.rule,
            "level": f.level,
            "message": {"text": visible(&f.message)},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": uri(&f.path), "uriBaseId": "SRCROOT"},
                "region": {"startLine": f.start_line.max(1), "endLine": f.end_line.max(f.start_line).max(1)}
            }}],
        });
        if let Some(i) = index {
            result["ruleIndex"] = json!(i);
        }
        results.push(result);
    }
    let log = json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "friction",
                "version": r.meta.tool_version,
                "semanticVersion": r.meta.tool_version,
                "rules": rule_list,
            }},
            "originalUriBaseIds": {"SRCROOT": {"description": {"text": "The repository root."}}},
            "properties": {
                "methodology": r.meta.methodology,
                "snapshot": r.meta.snapshot,
                "commit": r.meta.commit,
                "index": a.index.score,
            },
            "results": results,
        }]
    });
    serde_json::to_string_pretty(&log).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(uri("src/a b/<x>.rs"), "src/a%20b/%3Cx%3E.rs");
        assert_eq!(uri("ünï.rs"), "%C3%BCn%C3%AF.rs");
    }
}
