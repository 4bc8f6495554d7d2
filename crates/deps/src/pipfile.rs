//! `Pipfile.lock` (pipfile-spec up to 6): `default` and `develop` map names
//! to `{"version": "==1.2.3"}`. Entries without a version (VCS, paths) are not
//! PyPI packages. The lock does not say which dependencies are direct.

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::{Ecosystem, Failure, Package};

#[derive(Deserialize)]
struct Lock {
    #[serde(rename = "_meta")]
    meta: Option<Value>,
    #[serde(default)]
    default: Map<String, Value>,
    #[serde(default)]
    develop: Map<String, Value>,
}

pub(crate) fn parse(text: &str) -> Result<Vec<Package>, Failure> {
    let lock: Lock = serde_json::from_str(text).map_err(|e| Failure::json(&e))?;
    let spec = lock
        .meta
        .as_ref()
        .and_then(|m| m.get("pipfile-spec"))
        .and_then(Value::as_i64)
        .ok_or_else(|| Failure::whole("no _meta.pipfile-spec: not a Pipfile.lock"))?;
    if !(1..=6).contains(&spec) {
        return Err(Failure::whole(format!(
            "pipfile-spec {spec} is not one friction reads (1 to 6)"
        )));
    }
    let mut out = Vec::new();
    for (section, entries) in [("default", &lock.default), ("develop", &lock.develop)] {
        let start = crate::text::line_containing(text, &format!("\"{section}\":"), 1).unwrap_or(1);
        for (name, entry) in entries {
            let line =
                crate::text::line_containing(text, &format!("\"{name}\":"), start).unwrap_or(start);
            let Some(version) = entry.get("version").and_then(Value::as_str) else {
                continue;
            };
            let exact = version
                .strip_prefix("===")
                .or_else(|| version.strip_prefix("=="));
            out.push(Package {
                ecosystem: Ecosystem::PyPI,
                name: name.clone(),
                version: exact.unwrap_or(version).to_owned(),
                pinned: exact.is_some_and(|v| !v.contains('*')),
                direct: None,
                line,
            });
        }
    }
    Ok(out)
}
