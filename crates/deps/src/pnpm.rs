//! `pnpm-lock.yaml`, lockfile versions 5.x, 6.x and 9.x, read line by line
//! (the file is machine-written YAML with a fixed two-space layout). Packages
//! are the keys of `packages:`: `/name/1.2.3_peers` (5.x), `/name@1.2.3(peers)`
//! (6.x), `name@1.2.3` (9.x). A package is direct when an importer (or, in a
//! single-project 5.x file, the top-level `dependencies` sections) lists it.
//! Tarball, git, file and link packages are not registry packages.

use std::collections::HashSet;

use crate::{Ecosystem, Failure, Package};

pub(crate) fn parse(text: &str) -> Result<Vec<Package>, Failure> {
    let (version_line, version) = text
        .lines()
        .enumerate()
        .find_map(|(n, l)| l.strip_prefix("lockfileVersion:").map(|v| (n + 1, v)))
        .ok_or_else(|| Failure::whole("no lockfileVersion: not a pnpm lockfile"))?;
    let version = version.trim().trim_matches(['\'', '"']);
    let major = version.split('.').next().unwrap_or_default();
    if !matches!(major, "5" | "6" | "7" | "9") {
        return Err(Failure::at(
            version_line,
            format!("pnpm lockfileVersion {version} is not one friction reads (5.x to 9.x)"),
        ));
    }
    let mut section = "";
    let mut importer_field = "";
    let mut direct = HashSet::new();
    let mut keys = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let indent = line.len() - line.trim_start().len();
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if indent == 0 {
            section = trimmed.strip_suffix(':').unwrap_or("");
            continue;
        }
        let key = trimmed
            .split_once(':')
            .map(|(k, _)| k.trim_matches(['\'', '"']))
            .unwrap_or("");
        match section {
            "packages" if indent == 2 && trimmed.ends_with(':') => {
                let key = trimmed.trim_end_matches(':').trim_matches(['\'', '"']);
                keys.push((n + 1, key));
            }
            "importers" if indent == 4 => importer_field = key,
            "importers" if indent == 6 && is_dependency_field(importer_field) => {
                direct.insert(key);
            }
            field if indent == 2 && is_dependency_field(field) => {
                direct.insert(key);
            }
            _ => {}
        }
    }
    Ok(keys
        .into_iter()
        .filter_map(|(line, key)| {
            let (name, version) = split_key(key, major)?;
            Some(Package {
                ecosystem: Ecosystem::Npm,
                name: name.to_owned(),
                version: version.to_owned(),
                pinned: true,
                direct: Some(direct.contains(name)),
                line,
            })
        })
        .collect())
}

fn is_dependency_field(field: &str) -> bool {
    matches!(
        field,
        "dependencies" | "devDependencies" | "optionalDependencies"
    )
}

/// The name and version of a `packages:` key; `None` for a package that is not
/// from the registry.
fn split_key<'k>(key: &'k str, major: &str) -> Option<(&'k str, &'k str)> {
    let (name, version) = if major == "5" {
        let key = key.strip_prefix('/')?;
        let slash = key.rfind('/')?;
        let version = &key[slash + 1..];
        (&key[..slash], version.split('_').next().unwrap_or(version))
    } else {
        let key = key.strip_prefix('/').unwrap_or(key);
        let from = usize::from(key.starts_with('@'));
        let at = key[from..].find('@')? + from;
        let version = &key[at + 1..];
        (&key[..at], version.split('(').next().unwrap_or(version))
    };
    let registry = !name.is_empty()
        && version.starts_with(|c: char| c.is_ascii_digit())
        && !version.contains([':', '/']);
    registry.then_some((name, version))
}
