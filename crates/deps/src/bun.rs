//! `bun.lock` (text lockfile, versions 0 and 1): JSON with trailing commas.
//! `packages` maps a key to `["name@version", registry, info, integrity]`;
//! workspace members, links, files, git and tarball entries are not registry
//! packages. Direct: listed by a workspace's dependency sections.

use std::collections::HashSet;

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::{Ecosystem, Failure, Package};

#[derive(Deserialize)]
struct Lock {
    #[serde(rename = "lockfileVersion")]
    lockfile_version: Option<i64>,
    #[serde(default)]
    workspaces: Map<String, Value>,
    #[serde(default)]
    packages: Map<String, Value>,
}

pub(crate) fn parse(text: &str) -> Result<Vec<Package>, Failure> {
    let json = without_trailing_commas(text);
    let lock: Lock = serde_json::from_str(&json).map_err(|e| Failure::json(&e))?;
    match lock.lockfile_version {
        Some(0 | 1) => {}
        Some(v) => {
            return Err(Failure::whole(format!(
                "bun.lock lockfileVersion {v} is not one friction reads (0 or 1)"
            )));
        }
        None => return Err(Failure::whole("no lockfileVersion: not a bun lockfile")),
    }
    let mut direct = HashSet::new();
    for workspace in lock.workspaces.values() {
        for field in ["dependencies", "devDependencies", "optionalDependencies"] {
            if let Some(names) = workspace.get(field).and_then(Value::as_object) {
                direct.extend(names.keys().cloned());
            }
        }
    }
    let start = crate::text::line_containing(text, "\"packages\":", 1).unwrap_or(1);
    let mut out = Vec::new();
    for (key, entry) in &lock.packages {
        let line =
            crate::text::line_containing(text, &format!("\"{key}\":"), start).unwrap_or(start);
        let spec = entry
            .get(0)
            .and_then(Value::as_str)
            .ok_or_else(|| Failure::at(line, format!("package `{key}` has no `name@version`")))?;
        let from = usize::from(spec.starts_with('@'));
        let Some(at) = spec[from..].find('@').map(|a| a + from) else {
            return Err(Failure::at(line, format!("`{spec}` is not `name@version`")));
        };
        let (name, version) = (&spec[..at], &spec[at + 1..]);
        if version.contains([':', '/']) || !version.starts_with(|c: char| c.is_ascii_digit()) {
            continue;
        }
        out.push(Package {
            ecosystem: Ecosystem::Npm,
            name: name.to_owned(),
            version: version.to_owned(),
            pinned: true,
            direct: Some(
                !key.contains('/') || key.starts_with('@') && key.matches('/').count() == 1,
            )
            .map(|top| top && direct.contains(name)),
            line,
        });
    }
    Ok(out)
}

/// The text with every comma that directly precedes a closing `}` or `]`
/// (outside strings) removed; line breaks are kept, so lines stay true.
fn without_trailing_commas(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
        } else if c == '"' {
            in_string = true;
        } else if c == ',' {
            let next = bytes[i + 1..]
                .iter()
                .find(|b| !b.is_ascii_whitespace())
                .copied();
            if matches!(next, Some(b'}' | b']')) {
                continue;
            }
        }
        out.push(c);
    }
    out
}
