//! SARIF 2.1.0 (OASIS), as CodeQL, Semgrep, Trivy and other scanners write
//! it: one record per `result` of every run, at its first location, with the
//! tool, the rule, the level and the `security-severity` property GitHub
//! code scanning reads.
//!
//! A location's path is resolved from its `artifactLocation` (`uri`,
//! `uriBaseId`, or an `index` into the run's `artifacts`): through the
//! run's `originalUriBaseIds` when they define the base, else a base named
//! like the source root (`SRCROOT`, `%SRCROOT%`, `PROJECTROOT`, `REPOROOT`,
//! `WORKSPACE`) is the repository root. A finding whose URI cannot name a
//! file of the repository is kept with the reason (`skipped`): a relative
//! path whose `..` leaves the root, a base the file does not resolve, a URI
//! that is not a file (`https:`), no location. Absolute `file:` paths are
//! kept: whether they lie in the repository is judged against its files
//! when the findings are read.
//!
//! Results that are not failures are not findings and are not recorded:
//! `kind` other than `fail` (`pass`, `notApplicable`, `informational`,
//! `review`, `open`), results suppressed in the file (a suppression whose
//! status is absent or `accepted`), and `baselineState: absent` (gone since
//! the baseline).

use std::io::{BufRead, Read};

use friction_model::inputs::{InputRecord, Position, SecurityFinding};
use serde_json::{Map, Value};

use crate::{Error, Sink};

/// The largest SARIF file read (it is parsed whole).
const MAX_BYTES: u64 = 256 << 20;

/// Base ids that name the root of the analysed sources, when the file does
/// not define them (CodeQL, Semgrep and the SARIF spec's examples use them).
const SOURCE_ROOTS: [&str; 5] = [
    "SRCROOT",
    "PROJECTROOT",
    "REPOROOT",
    "WORKSPACE",
    "SRC_ROOT",
];

pub(crate) fn extract(reader: &mut dyn BufRead, sink: &mut Sink<'_>) -> Result<(), Error> {
    let mut bytes = Vec::new();
    reader.take(MAX_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_BYTES {
        return Err(Error::whole(format!(
            "larger than {} MiB: split the analysis into several SARIF files",
            MAX_BYTES >> 20
        )));
    }
    let doc: Value = serde_json::from_slice(&bytes).map_err(|e| {
        Error::at(
            Position {
                record: 0,
                line: Some(e.line() as u64),
            },
            format!("invalid JSON: {e}"),
        )
    })?;
    let top = doc
        .as_object()
        .ok_or_else(|| Error::whole("a SARIF log is a JSON object"))?;
    match top.get("version").and_then(Value::as_str) {
        Some("2.1.0") => {}
        Some(v) => {
            return Err(Error::whole(format!(
                "SARIF version {v:?} is not read: only 2.1.0 is"
            )));
        }
        None => return Err(Error::whole("no SARIF `version`")),
    }
    let runs = top
        .get("runs")
        .and_then(Value::as_array)
        .ok_or_else(|| Error::whole("no `runs` array"))?;
    let mut ordinal = 0u64;
    for (r, run) in runs.iter().enumerate() {
        let run = run
            .as_object()
            .ok_or_else(|| Error::whole(format!("run {}: not an object", r + 1)))?;
        let driver = run
            .get("tool")
            .and_then(|t| t.get("driver"))
            .and_then(Value::as_object)
            .ok_or_else(|| Error::whole(format!("run {}: no `tool.driver`", r + 1)))?;
        let tool = str_of(driver, "name").unwrap_or_default().to_owned();
        let rules = driver
            .get("rules")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let Some(results) = run.get("results") else {
            continue;
        };
        let results = results
            .as_array()
            .ok_or_else(|| Error::whole(format!("run {}: `results` is not an array", r + 1)))?;
        for result in results {
            ordinal += 1;
            let at = Position {
                record: ordinal,
                line: None,
            };
            let result = result
                .as_object()
                .ok_or_else(|| Error::at(at, "a result is not an object"))?;
            if !is_failure(result) {
                continue;
            }
            let rule = rule_of(result, rules);
            let rule_id = str_of(result, "ruleId")
                .or_else(|| result.get("rule").and_then(|r| r.get("id")?.as_str()))
                .or_else(|| rule.and_then(|r| str_of(r, "id")))
                .unwrap_or_default()
                .to_owned();
            let level = str_of(result, "level")
                .or_else(|| {
                    rule.and_then(|r| r.get("defaultConfiguration")?.get("level")?.as_str())
                })
                .unwrap_or("warning")
                .to_owned();
            if !["error", "warning", "note", "none"].contains(&level.as_str()) {
                return Err(Error::at(at, format!("unknown level {level:?}")));
            }
            let security_severity = severity_of(result)
                .or_else(|| rule.and_then(severity_of))
                .transpose()
                .map_err(|m| Error::at(at, m))?;
            let location = result
                .get("locations")
                .and_then(Value::as_array)
                .and_then(|l| l.first())
                .and_then(|l| l.get("physicalLocation"));
            let (path, skipped) = match location.and_then(|l| l.get("artifactLocation")) {
                None => (String::new(), "no physical location".to_owned()),
                Some(loc) => match resolve(loc, run, 0) {
                    Ok(path) => (path, String::new()),
                    Err(why) => (String::new(), why),
                },
            };
            let start_line = location
                .and_then(|l| l.get("region")?.get("startLine")?.as_u64())
                .filter(|&l| l > 0);
            sink(
                InputRecord::SecurityFinding(SecurityFinding {
                    tool: tool.clone(),
                    rule: rule_id,
                    level,
                    security_severity,
                    path,
                    start_line,
                    skipped,
                }),
                at,
            )?;
        }
    }
    Ok(())
}

fn str_of<'a>(o: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    o.get(key)?.as_str()
}

/// A failure that stands: `kind` `fail` (the default), not suppressed in
/// the file, not gone since the baseline.
fn is_failure(result: &Map<String, Value>) -> bool {
    let kind = str_of(result, "kind").unwrap_or("fail");
    let suppressed = result
        .get("suppressions")
        .and_then(Value::as_array)
        .is_some_and(|s| {
            s.iter().any(|s| {
                matches!(
                    s.get("status").and_then(Value::as_str),
                    None | Some("accepted")
                )
            })
        });
    kind == "fail" && !suppressed && str_of(result, "baselineState") != Some("absent")
}

/// The driver rule a result refers to: `rule.index` or `ruleIndex`, else the
/// rule whose id is the result's `ruleId`.
fn rule_of<'a>(result: &Map<String, Value>, rules: &'a [Value]) -> Option<&'a Map<String, Value>> {
    let index = result
        .get("rule")
        .and_then(|r| r.get("index"))
        .or_else(|| result.get("ruleIndex"))
        .and_then(Value::as_u64);
    if let Some(i) = index {
        return rules.get(usize::try_from(i).ok()?)?.as_object();
    }
    let id = str_of(result, "ruleId")?;
    rules
        .iter()
        .filter_map(Value::as_object)
        .find(|r| str_of(r, "id") == Some(id))
}

/// The `security-severity` property: a number 0–10, written as a string
/// (CodeQL) or a number.
fn severity_of(o: &Map<String, Value>) -> Option<Result<f64, String>> {
    let v = o.get("properties")?.get("security-severity")?;
    let parsed = match v {
        Value::String(s) => s.trim().parse::<f64>().ok(),
        Value::Number(n) => n.as_f64(),
        _ => None,
    };
    Some(match parsed {
        Some(x) if (0.0..=10.0).contains(&x) => Ok(x),
        _ => Err(format!(
            "security-severity {v} is not a number from 0 to 10"
        )),
    })
}

/// The path an `artifactLocation` names: relative to the repository root
/// (`src/a.rs`), or absolute as written (`/home/x/r/src/a.rs`,
/// `C:/src/a.rs`); `Err` with the reason when it names no file of the
/// repository.
fn resolve(loc: &Value, run: &Map<String, Value>, depth: u32) -> Result<String, String> {
    if depth > 8 {
        return Err("`uriBaseId`s refer to each other in a loop".into());
    }
    let mut uri = loc.get("uri").and_then(Value::as_str).map(str::to_owned);
    let mut base = loc
        .get("uriBaseId")
        .and_then(Value::as_str)
        .map(str::to_owned);
    if uri.is_none()
        && let Some(i) = loc.get("index").and_then(Value::as_u64)
    {
        let artifact = run
            .get("artifacts")
            .and_then(Value::as_array)
            .and_then(|a| a.get(usize::try_from(i).ok()?))
            .and_then(|a| a.get("location"));
        if let Some(a) = artifact {
            uri = a.get("uri").and_then(Value::as_str).map(str::to_owned);
            base = base.or_else(|| {
                a.get("uriBaseId")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            });
        }
    }
    let uri = uri.ok_or_else(|| "a location without a URI".to_owned())?;
    let uri = percent_decode(&uri);
    if let Some((scheme, rest)) = split_scheme(&uri) {
        if !scheme.eq_ignore_ascii_case("file") {
            return Err(format!("{scheme}: URI, not a file"));
        }
        // file:///abs, file://host/abs, file:/abs
        let path = rest
            .strip_prefix("//")
            .map_or(rest, |r| r.find('/').map_or("", |slash| &r[slash..]));
        let path = path
            .strip_prefix('/')
            .filter(|p| p.as_bytes().get(1) == Some(&b':'))
            .unwrap_or(path);
        return normalise(path, true);
    }
    let Some(base) = base else {
        return normalise(&uri, uri.starts_with('/'));
    };
    let defined = run
        .get("originalUriBaseIds")
        .and_then(|b| b.get(base.as_str()));
    match defined {
        Some(def) if def.get("uri").is_some() => {
            let root = resolve(def, run, depth + 1)?;
            let joined = if root.is_empty() {
                uri.clone()
            } else {
                format!("{}/{uri}", root.trim_end_matches('/'))
            };
            normalise(&joined, root.starts_with('/') || has_drive(&root))
        }
        _ if SOURCE_ROOTS.contains(&base.trim_matches('%')) => normalise(&uri, false),
        _ => Err(format!("`uriBaseId` {base} is not resolved by the file")),
    }
}

fn has_drive(p: &str) -> bool {
    p.as_bytes().get(1) == Some(&b':')
}

/// `scheme:rest` when the URI has a scheme (two or more letters, so a
/// Windows drive `C:` is not one).
fn split_scheme(uri: &str) -> Option<(&str, &str)> {
    let colon = uri.find(':')?;
    let scheme = &uri[..colon];
    (scheme.len() > 1
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        && scheme.starts_with(|c: char| c.is_ascii_alphabetic()))
    .then(|| (scheme, &uri[colon + 1..]))
}

/// `.` and `..` segments resolved; a relative path whose `..` would leave
/// the root is refused.
fn normalise(path: &str, absolute: bool) -> Result<String, String> {
    let mut parts: Vec<&str> = Vec::new();
    let mut segments = path.split(['/', '\\']).peekable();
    let drive = if absolute && has_drive(path) {
        segments.next()
    } else {
        None
    };
    for seg in segments {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Err("a `..` in the URI leaves the repository".into());
                }
            }
            s => parts.push(s),
        }
    }
    if parts.is_empty() {
        return Err("the URI names a directory, not a file".into());
    }
    let joined = parts.join("/");
    Ok(match (absolute, drive) {
        (true, Some(d)) => format!("{d}/{joined}"),
        (true, None) => format!("/{joined}"),
        (false, _) => joined,
    })
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = s.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn findings(text: &str) -> Result<Vec<(SecurityFinding, Position)>, Error> {
        let mut out = Vec::new();
        extract(&mut text.as_bytes(), &mut |r, at| {
            if let InputRecord::SecurityFinding(f) = r {
                out.push((f, at));
            }
            Ok(())
        })?;
        Ok(out)
    }

    fn log(results: &str, extra: &str) -> String {
        format!(
            r#"{{"version":"2.1.0","runs":[{{"tool":{{"driver":{{"name":"T","rules":[
            {{"id":"R1","defaultConfiguration":{{"level":"error"}},"properties":{{"security-severity":"8.8"}}}},
            {{"id":"R2"}}]}}}}{extra},"results":[{results}]}}]}}"#
        )
    }

    fn at(uri: &str, base: Option<&str>) -> String {
        let base = base.map_or(String::new(), |b| format!(r#","uriBaseId":"{b}""#));
        format!(
            r#"{{"ruleId":"R2","locations":[{{"physicalLocation":{{"artifactLocation":{{"uri":"{uri}"{base}}},"region":{{"startLine":3}}}}}}]}}"#
        )
    }

    #[test]
    fn rule_level_and_severity_come_from_the_result_else_its_rule() {
        let results = r#"{"ruleIndex":0,"ruleId":"R1","locations":[{"physicalLocation":{"artifactLocation":{"uri":"src/a.rs"},"region":{"startLine":7}}}]},
            {"ruleId":"R2","level":"note","properties":{"security-severity":4},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"b.py"}}}]},
            {"ruleId":"R2","locations":[{"physicalLocation":{"artifactLocation":{"uri":"c.go"}}}]}"#;
        let f = findings(&log(results, "")).unwrap();
        let got: Vec<_> = f
            .iter()
            .map(|(f, _)| {
                (
                    f.rule.as_str(),
                    f.level.as_str(),
                    f.security_severity,
                    f.path.as_str(),
                    f.start_line,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("R1", "error", Some(8.8), "src/a.rs", Some(7)),
                ("R2", "note", Some(4.0), "b.py", None),
                ("R2", "warning", None, "c.go", None),
            ]
        );
        assert_eq!(f[2].1.record, 3);
        assert!(f.iter().all(|(f, _)| f.tool == "T" && f.skipped.is_empty()));
    }

    #[test]
    fn uris_are_resolved_against_their_base_and_those_outside_the_repository_are_skipped() {
        let extra = r#","originalUriBaseIds":{"ROOT":{"uri":"file:///home/runner/work/r/r/"},"SUB":{"uri":"lib/","uriBaseId":"%SRCROOT%"}}"#;
        let results = [
            at("src/a.rs", Some("%SRCROOT%")),
            at("x%20y.rs", Some("SUB")),
            at("src/b.rs", Some("ROOT")),
            at("file:///opt/other/c.rs", None),
            at("../../etc/passwd", None),
            at("a.rs", Some("HOME")),
            at("https://example.com/a.rs", None),
            at("./d/../e.rs", None),
            r#"{"ruleId":"R2"}"#.to_owned(),
        ]
        .join(",");
        let f = findings(&log(&results, extra)).unwrap();
        let got: Vec<_> = f
            .iter()
            .map(|(f, _)| (f.path.as_str(), !f.skipped.is_empty()))
            .collect();
        assert_eq!(
            got,
            [
                ("src/a.rs", false),
                ("lib/x y.rs", false),
                ("/home/runner/work/r/r/src/b.rs", false),
                ("/opt/other/c.rs", false),
                ("", true),
                ("", true),
                ("", true),
                ("e.rs", false),
                ("", true),
            ]
        );
        assert!(f[4].0.skipped.contains("leaves the repository"));
        assert!(f[5].0.skipped.contains("HOME"));
    }

    #[test]
    fn passes_suppressed_and_absent_results_are_not_findings() {
        let results = [
            at("a.rs", None),
            r#"{"ruleId":"R2","kind":"pass"}"#.to_owned(),
            r#"{"ruleId":"R2","suppressions":[{"kind":"inSource"}]}"#.to_owned(),
            r#"{"ruleId":"R2","suppressions":[{"kind":"external","status":"rejected"}],"locations":[{"physicalLocation":{"artifactLocation":{"uri":"b.rs"}}}]}"#.to_owned(),
            r#"{"ruleId":"R2","baselineState":"absent"}"#.to_owned(),
        ]
        .join(",");
        let f = findings(&log(&results, "")).unwrap();
        let paths: Vec<_> = f.iter().map(|(f, _)| f.path.as_str()).collect();
        assert_eq!(paths, ["a.rs", "b.rs"]);
    }

    #[test]
    fn malformed_logs_are_errors_naming_what_is_wrong() {
        let cases = [
            ("{\"version\":\"2.1.0\",\"runs\":[", "invalid JSON"),
            ("{\"version\":\"1.0.0\",\"runs\":[]}", "only 2.1.0"),
            ("{\"runs\":[]}", "no SARIF `version`"),
            ("{\"version\":\"2.1.0\",\"runs\":[{}]}", "tool.driver"),
        ];
        for (text, expected) in cases {
            let e = findings(text).unwrap_err().to_string();
            assert!(e.contains(expected), "{text}: {e}");
        }
        let bad = log(
            r#"{"ruleId":"R2","properties":{"security-severity":"high"}}"#,
            "",
        );
        let e = findings(&bad).unwrap_err().to_string();
        assert!(
            e.contains("record 1") && e.contains("security-severity"),
            "{e}"
        );
        let bad = log(r#"{"ruleId":"R2","level":"fatal"}"#, "");
        assert!(findings(&bad).unwrap_err().to_string().contains("fatal"));
    }
}
