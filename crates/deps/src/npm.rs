//! `package-lock.json` and `npm-shrinkwrap.json`, lockfile versions 1 to 3.
//! Versions 2 and 3 are read from `packages` (keys `node_modules/a/node_modules/b`;
//! workspace members and links are not dependencies); version 1 from the
//! nested `dependencies`. A package is direct when it sits at the top of
//! `node_modules` and the root package lists it (versions 2 and 3); version 1
//! does not say.

use std::collections::HashSet;

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::{Ecosystem, Failure, Package};

#[derive(Deserialize)]
struct Lock {
    #[serde(rename = "lockfileVersion")]
    lockfile_version: Option<i64>,
    #[serde(default)]
    packages: Map<String, Value>,
    #[serde(default)]
    dependencies: Map<String, Value>,
}

pub(crate) fn parse(text: &str) -> Result<Vec<Package>, Failure> {
    let lock: Lock = serde_json::from_str(text).map_err(|e| Failure::json(&e))?;
    let lines = crate::text::json_key_lines(text);
    let line_of = |key: &str| lines.get(key).copied().unwrap_or(1);
    match lock.lockfile_version {
        Some(1) => {
            let mut out = Vec::new();
            v1(&lock.dependencies, &line_of, &mut out)?;
            Ok(out)
        }
        Some(2 | 3) => {
            let root = lock.packages.get("").and_then(Value::as_object);
            let mut declared = HashSet::new();
            for field in [
                "dependencies",
                "devDependencies",
                "optionalDependencies",
                "peerDependencies",
            ] {
                if let Some(names) = root.and_then(|r| r.get(field)).and_then(Value::as_object) {
                    declared.extend(names.keys().map(String::as_str));
                }
            }
            let mut out = Vec::new();
            for (key, entry) in &lock.packages {
                let Some(at) = key.rfind("node_modules/") else {
                    continue; // the root and workspace members
                };
                let entry = entry.as_object().ok_or_else(|| {
                    Failure::at(line_of(key), format!("package `{key}` is not an object"))
                })?;
                if entry.get("link").and_then(Value::as_bool) == Some(true) {
                    continue;
                }
                let name = entry
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or(&key[at + "node_modules/".len()..]);
                let Some(version) = entry.get("version").and_then(Value::as_str) else {
                    continue; // an optional package not installed on this platform
                };
                let top = at == 0;
                out.push(Package {
                    ecosystem: Ecosystem::Npm,
                    name: name.to_owned(),
                    version: version.to_owned(),
                    pinned: true,
                    direct: Some(top && declared.contains(name)),
                    line: line_of(key),
                });
            }
            Ok(out)
        }
        Some(v) => Err(Failure::at(
            line_of("lockfileVersion"),
            format!("lockfileVersion {v} is not one friction reads (1 to 3)"),
        )),
        None => Err(Failure::whole("no lockfileVersion: not an npm lockfile")),
    }
}

fn v1(
    dependencies: &Map<String, Value>,
    line_of: &dyn Fn(&str) -> usize,
    out: &mut Vec<Package>,
) -> Result<(), Failure> {
    for (name, entry) in dependencies {
        let entry = entry.as_object().ok_or_else(|| {
            Failure::at(
                line_of(name),
                format!("dependency `{name}` is not an object"),
            )
        })?;
        let version = entry.get("version").and_then(Value::as_str).unwrap_or("");
        // `file:` and git versions are not from the registry.
        if !version.is_empty() && !version.contains(':') && !version.contains('/') {
            out.push(Package {
                ecosystem: Ecosystem::Npm,
                name: name.clone(),
                version: version.to_owned(),
                pinned: true,
                direct: None,
                line: line_of(name),
            });
        }
        if let Some(nested) = entry.get("dependencies").and_then(Value::as_object) {
            v1(nested, line_of, out)?;
        }
    }
    Ok(())
}
