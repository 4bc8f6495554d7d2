//! `composer.lock`: `packages` and `packages-dev`, each `{name, version}`.
//! Development branches (`dev-main`, `1.x-dev`) are not releases and are left
//! out. The lock does not say which dependencies are direct (`composer.json` does).

use serde::Deserialize;
use serde_json::Value;

use crate::{Ecosystem, Failure, Package};

#[derive(Deserialize)]
struct Lock {
    packages: Option<Vec<Entry>>,
    #[serde(rename = "packages-dev", default)]
    packages_dev: Vec<Entry>,
    #[serde(rename = "content-hash")]
    content_hash: Option<Value>,
}

#[derive(Deserialize)]
struct Entry {
    name: String,
    version: String,
}

pub(crate) fn parse(text: &str) -> Result<Vec<Package>, Failure> {
    let lock: Lock = serde_json::from_str(text).map_err(|e| Failure::json(&e))?;
    let Some(packages) = lock.packages.filter(|_| lock.content_hash.is_some()) else {
        return Err(Failure::whole(
            "no `packages` or `content-hash`: not a composer lockfile",
        ));
    };
    let mut from = 1;
    let mut out = Vec::new();
    for entry in packages.iter().chain(&lock.packages_dev) {
        let line =
            crate::text::line_containing(text, &format!("\"name\": \"{}\"", entry.name), from)
                .unwrap_or(from);
        from = line;
        if entry.version.starts_with("dev-") || entry.version.ends_with("-dev") {
            continue;
        }
        out.push(Package {
            ecosystem: Ecosystem::Packagist,
            name: entry.name.clone(),
            version: entry.version.clone(),
            pinned: true,
            direct: None,
            line,
        });
    }
    Ok(out)
}
