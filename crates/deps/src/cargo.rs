//! `Cargo.lock`, every version cargo has written: the original format (no
//! `version` key, checksums in `[metadata]`), the implicit version 2 and
//! `version = 3` and `4`. Packages from a registry are dependencies; path
//! packages (the workspace's members) are not, and the packages they depend on
//! are direct. Git sources are not from crates.io and are left out.

use std::collections::HashSet;

use serde::Deserialize;

use crate::{Ecosystem, Failure, Package};

#[derive(Deserialize)]
struct Lock {
    version: Option<i64>,
    #[serde(default)]
    package: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    name: String,
    version: String,
    source: Option<String>,
    #[serde(default)]
    dependencies: Vec<String>,
}

pub(crate) fn parse(text: &str) -> Result<Vec<Package>, Failure> {
    let lock: Lock = toml::from_str(text).map_err(|e| Failure::toml(text, &e))?;
    if let Some(v) = lock.version
        && !(1..=4).contains(&v)
    {
        return Err(Failure::at(
            crate::text::line_containing(text, "version", 1).unwrap_or(1),
            format!("Cargo.lock version {v} is not one friction reads (1 to 4)"),
        ));
    }
    let headers = crate::text::header_lines(text, "[[package]]");
    // What the workspace's own packages depend on: `name`, `name version` or
    // `name version (source)`.
    let mut direct_names = HashSet::new();
    let mut direct_pairs = HashSet::new();
    for member in lock.package.iter().filter(|p| p.source.is_none()) {
        for dependency in &member.dependencies {
            let mut parts = dependency.split_whitespace();
            let name = parts.next().unwrap_or_default();
            match parts.next() {
                Some(version) => direct_pairs.insert((name, version)),
                None => direct_names.insert(name),
            };
        }
    }
    Ok(lock
        .package
        .iter()
        .enumerate()
        .filter(|(_, p)| {
            p.source
                .as_deref()
                .is_some_and(|s| s.starts_with("registry+") || s.starts_with("sparse+"))
        })
        .map(|(i, p)| Package {
            ecosystem: Ecosystem::CratesIo,
            name: p.name.clone(),
            version: p.version.clone(),
            pinned: true,
            direct: Some(
                direct_names.contains(p.name.as_str())
                    || direct_pairs.contains(&(p.name.as_str(), p.version.as_str())),
            ),
            line: headers.get(i).copied().unwrap_or(1),
        })
        .collect())
}
