//! Bundler's `Gemfile.lock`: gems under `GEM` → `specs:` as `    name (version)`
//! (a platform suffix, `1.12.4-x86_64-linux`, is not part of the version);
//! `GIT` and `PATH` gems are not from RubyGems. A gem `DEPENDENCIES` lists is direct.

use std::collections::HashSet;

use crate::{Ecosystem, Failure, Package};

pub(crate) fn parse(text: &str) -> Result<Vec<Package>, Failure> {
    let mut section = "";
    let mut specs = Vec::new();
    let mut direct = HashSet::new();
    let mut sections = 0;
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        if indent == 0 {
            section = line.trim();
            sections += usize::from(matches!(section, "GEM" | "DEPENDENCIES"));
            continue;
        }
        match section {
            "GEM" if indent == 4 => {
                let spec = line.trim();
                let (name, version) = spec
                    .strip_suffix(')')
                    .and_then(|s| s.split_once(" ("))
                    .ok_or_else(|| {
                        Failure::at(n + 1, format!("expected `name (version)`, found `{spec}`"))
                    })?;
                let version = version.split('-').next().unwrap_or(version);
                specs.push((n + 1, name, version));
            }
            "DEPENDENCIES" if indent == 2 => {
                let name = line.split_whitespace().next().unwrap_or_default();
                direct.insert(name.trim_end_matches('!'));
            }
            _ => {}
        }
    }
    if sections == 0 {
        return Err(Failure::whole(
            "no GEM or DEPENDENCIES section: not a Bundler lockfile",
        ));
    }
    Ok(specs
        .into_iter()
        .map(|(line, name, version)| Package {
            ecosystem: Ecosystem::RubyGems,
            name: name.to_owned(),
            version: version.to_owned(),
            pinned: true,
            direct: Some(direct.contains(name)),
            line,
        })
        .collect())
}
