//! Gradle dependency lockfiles (`gradle.lockfile`, and the older one file per
//! configuration under `gradle/dependency-locks/`): `group:artifact:version=configurations`
//! lines, `#` comments, and `empty=` naming configurations without dependencies.

use crate::{Ecosystem, Failure, Package};

pub(crate) fn parse(text: &str) -> Result<Vec<Package>, Failure> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with("empty=") {
            continue;
        }
        let coordinates = line.split('=').next().unwrap_or(line);
        let parts: Vec<&str> = coordinates.split(':').collect();
        let [group, artifact, version] = parts[..] else {
            return Err(Failure::at(
                n + 1,
                format!("expected `group:artifact:version`, found `{line}`"),
            ));
        };
        if group.is_empty() || artifact.is_empty() || version.is_empty() {
            return Err(Failure::at(
                n + 1,
                format!("incomplete coordinates `{line}`"),
            ));
        }
        out.push(Package {
            ecosystem: Ecosystem::Maven,
            name: format!("{group}:{artifact}"),
            version: version.to_owned(),
            pinned: true,
            direct: None,
            line: n + 1,
        });
    }
    Ok(out)
}
