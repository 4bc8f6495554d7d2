//! `yarn.lock`: yarn classic (`# yarn lockfile v1`) and yarn berry (YAML with
//! `__metadata: version`, 4 to 8). Each entry is keyed by the requirements it
//! satisfies (`"a@^1.0.0, a@~1.2.0":`) and holds the resolved `version`.
//! Workspace members, links, portals, patches, files and git sources are not
//! registry packages. The format does not say which dependencies are direct.

use crate::{Ecosystem, Failure, Package};

pub(crate) fn parse(text: &str) -> Result<Vec<Package>, Failure> {
    let berry = text.lines().any(|l| l.trim_end() == "__metadata:");
    if berry {
        let version = text
            .lines()
            .skip_while(|l| l.trim_end() != "__metadata:")
            .skip(1)
            .take_while(|l| l.starts_with(' '))
            .find_map(|l| l.trim().strip_prefix("version:"))
            .map(|v| v.trim().trim_matches(['"', '\'']).to_owned());
        match version.as_deref().map(str::parse::<u32>) {
            Some(Ok(4..=8)) => {}
            Some(_) => {
                return Err(Failure::whole(format!(
                    "yarn lockfile __metadata version {} is not one friction reads (4 to 8)",
                    version.unwrap_or_default()
                )));
            }
            None => {
                return Err(Failure::whole(
                    "yarn berry lockfile without __metadata version",
                ));
            }
        }
    } else if !text.lines().any(|l| l.trim() == "# yarn lockfile v1") {
        return Err(Failure::whole(
            "neither a yarn classic (`# yarn lockfile v1`) nor a yarn berry (`__metadata:`) lockfile",
        ));
    }
    let mut out = Vec::new();
    let mut entry: Option<(usize, String, bool)> = None; // (line, name, registry)
    let mut version: Option<String> = None;
    let mut finish = |entry: &mut Option<(usize, String, bool)>,
                      version: &mut Option<String>|
     -> Result<(), Failure> {
        if let Some((line, name, registry)) = entry.take() {
            let Some(v) = version.take() else {
                return Err(Failure::at(line, format!("entry `{name}` has no version")));
            };
            if registry && !v.starts_with("0.0.0-use.local") {
                out.push(Package {
                    ecosystem: Ecosystem::Npm,
                    name,
                    version: v,
                    pinned: true,
                    direct: None,
                    line,
                });
            }
        }
        Ok(())
    };
    for (n, line) in text.lines().enumerate() {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if !line.starts_with(' ') {
            finish(&mut entry, &mut version)?;
            let key = line.strip_suffix(':').ok_or_else(|| {
                Failure::at(n + 1, format!("expected an entry key, found `{line}`"))
            })?;
            if key == "__metadata" {
                continue;
            }
            let first = key.split(", ").next().unwrap_or(key).trim_matches('"');
            let (name, spec) = split_spec(first)
                .ok_or_else(|| Failure::at(n + 1, format!("`{first}` names no package")))?;
            let registry = ![
                "workspace:",
                "link:",
                "portal:",
                "patch:",
                "file:",
                "git",
                "http",
                "exec:",
            ]
            .iter()
            .any(|p| spec.starts_with(p) || spec.contains("://"));
            entry = Some((n + 1, name.to_owned(), registry));
        } else if entry.is_some() && !line.starts_with("   ") {
            let field = line.trim();
            let value = field
                .strip_prefix("version:")
                .or_else(|| field.strip_prefix("version "));
            if let Some(v) = value {
                version = Some(v.trim().trim_matches('"').to_owned());
            }
        }
    }
    finish(&mut entry, &mut version)?;
    Ok(out)
}

/// `@scope/name@^1.0` → (`@scope/name`, `^1.0`); berry's `npm:` protocol is
/// removed from the requirement.
fn split_spec(spec: &str) -> Option<(&str, &str)> {
    let from = usize::from(spec.starts_with('@'));
    let at = spec[from..].find('@')? + from;
    let (name, rest) = (&spec[..at], &spec[at + 1..]);
    if name.is_empty() {
        return None;
    }
    Some((name, rest.strip_prefix("npm:").unwrap_or(rest)))
}
