//! `poetry.lock`, lock versions 1.x (Poetry 1.0 and 1.1 wrote none) and 2.x.
//! Packages from a directory, file, URL or git source are not from PyPI. The
//! lock does not say which dependencies are direct (`pyproject.toml` does).

use serde::Deserialize;

use crate::{Ecosystem, Failure, Package};

#[derive(Deserialize)]
struct Lock {
    #[serde(default)]
    package: Vec<Entry>,
    metadata: Option<Metadata>,
}

#[derive(Deserialize)]
struct Metadata {
    #[serde(rename = "lock-version")]
    lock_version: Option<String>,
}

#[derive(Deserialize)]
struct Entry {
    name: String,
    version: String,
    source: Option<Source>,
}

#[derive(Deserialize)]
struct Source {
    #[serde(rename = "type")]
    kind: Option<String>,
}

pub(crate) fn parse(text: &str) -> Result<Vec<Package>, Failure> {
    let lock: Lock = toml::from_str(text).map_err(|e| Failure::toml(text, &e))?;
    let Some(metadata) = lock.metadata else {
        return Err(Failure::whole("no [metadata] table: not a poetry lockfile"));
    };
    if let Some(v) = metadata.lock_version
        && !(v.starts_with("1.") || v.starts_with("2."))
    {
        return Err(Failure::at(
            crate::text::line_containing(text, "lock-version", 1).unwrap_or(1),
            format!("poetry lock-version {v} is not one friction reads (1.x or 2.x)"),
        ));
    }
    let headers = crate::text::header_lines(text, "[[package]]");
    Ok(lock
        .package
        .into_iter()
        .enumerate()
        .filter(|(_, p)| {
            p.source
                .as_ref()
                .and_then(|s| s.kind.as_deref())
                .is_none_or(|k| k == "legacy")
        })
        .map(|(i, p)| Package {
            ecosystem: Ecosystem::PyPI,
            name: p.name,
            version: p.version,
            pinned: true,
            direct: None,
            line: headers.get(i).copied().unwrap_or(1),
        })
        .collect())
}
