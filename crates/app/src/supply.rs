//! The dependencies of a commit's tree and what the stored advisory
//! databases say of them: [`read`] lists and parses the lockfiles and
//! manifests of the tree (kept in the assessment's inputs, so a re-scored
//! snapshot reads the same packages), [`match_advisories`] adds the stored
//! databases' findings when the facts are loaded.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use friction_deps::advisory::{Advisory, merge_aliases};
use friction_deps::{Ecosystem, Format, format_of};
use friction_signals::supply::{AdvisoryState, Dependency, DependencyFile, Finding, Supply};
use friction_store::Store;

use crate::error::{Error, Result};

/// Directories whose dependency files are not the repository's own:
/// installed or vendored third-party code and test fixtures.
const NOT_OURS: [&str; 6] = [
    "node_modules",
    "vendor",
    "third_party",
    "testdata",
    "fixtures",
    "__fixtures__",
];

/// Manifests that need a lockfile to pin what they install, with the
/// lockfiles of their ecosystem.
const MANIFESTS: [(&str, &[&str]); 6] = [
    (
        "package.json",
        &[
            "package-lock.json",
            "npm-shrinkwrap.json",
            "yarn.lock",
            "pnpm-lock.yaml",
            "bun.lock",
            "bun.lockb",
        ],
    ),
    ("Cargo.toml", &["Cargo.lock"]),
    (
        "pyproject.toml",
        &["poetry.lock", "pdm.lock", "uv.lock", "Pipfile.lock"],
    ),
    ("Pipfile", &["Pipfile.lock"]),
    ("Gemfile", &["Gemfile.lock", "gems.locked"]),
    ("composer.json", &["composer.lock"]),
];

fn ours(path: &str) -> bool {
    !path.split('/').any(|segment| NOT_OURS.contains(&segment))
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn directory(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(d, _)| d)
}

/// The dependency files of `commit`'s tree, parsed. Cheap when there are
/// none: one listing of the tree's paths.
pub fn read(repo: &friction_history::Repo, commit: friction_history::ObjectId) -> Result<Supply> {
    let listing = repo
        .blob_paths(commit)
        .map_err(|e| Error::input(format!("listing the tree of {commit}: {e}"), None))?;
    let paths: BTreeSet<&str> = listing.iter().map(|(p, _)| p.as_str()).collect();
    let manifest = |name: &str| MANIFESTS.iter().find(|(m, _)| *m == name);
    let mut wanted: Vec<(&str, friction_history::ObjectId)> = listing
        .iter()
        .filter(|(p, _)| ours(p))
        .filter(|(p, _)| {
            let name = file_name(p);
            match format_of(p) {
                // go.sum lists stale versions too: go.mod is the build list.
                Some(Format::GoSum) => !paths.contains(format!("{}go.mod", prefix(p)).as_str()),
                Some(_) => true,
                None => manifest(name).is_some(),
            }
        })
        .map(|(p, id)| (p.as_str(), *id))
        .collect();
    wanted.sort();
    let blobs: Vec<friction_history::ObjectId> = wanted.iter().map(|(_, id)| *id).collect();
    let contents = repo.map_blobs(&blobs, 1, |_, bytes| bytes.to_vec());
    let mut supply = Supply::default();
    let mut parsed: BTreeSet<String> = BTreeSet::new();
    let mut queue: Vec<(String, Option<Vec<u8>>, Option<Format>)> = wanted
        .iter()
        .zip(contents)
        .map(|((p, _), c)| ((*p).to_owned(), c.ok(), format_of(p)))
        .collect();
    queue.reverse();
    let by_path: HashMap<&str, friction_history::ObjectId> =
        listing.iter().map(|(p, id)| (p.as_str(), *id)).collect();
    while let Some((path, bytes, format)) = queue.pop() {
        if !parsed.insert(path.clone()) {
            continue;
        }
        let name = file_name(&path).to_owned();
        let Some(bytes) = bytes else {
            supply
                .files
                .push(unreadable(&path, &name, "the blob could not be read"));
            continue;
        };
        let Some(format) = format else {
            // A manifest: locked when its ecosystem's lockfile is in its
            // directory or one above it.
            let (_, locks) = manifest(&name).expect("only manifests have no format");
            let text = String::from_utf8_lossy(&bytes);
            if !declares_dependencies(&name, &text) {
                continue;
            }
            let mut dir = directory(&path);
            let locked = loop {
                let base = if dir.is_empty() {
                    String::new()
                } else {
                    format!("{dir}/")
                };
                if locks
                    .iter()
                    .any(|l| paths.contains(format!("{base}{l}").as_str()))
                {
                    break true;
                }
                if dir.is_empty() {
                    break false;
                }
                dir = directory(dir);
            };
            supply.files.push(DependencyFile {
                path: path.clone(),
                format: name,
                lockfile: false,
                locked,
                loose: 0,
                packages: 0,
                error: None,
            });
            continue;
        };
        match friction_deps::parse_as(format, &path, &bytes) {
            Ok(m) => {
                let loose = m.packages.iter().filter(|p| !p.pinned).count() as u32;
                supply.files.push(DependencyFile {
                    path: path.clone(),
                    format: format.name().to_owned(),
                    lockfile: format.is_lockfile(),
                    locked: true,
                    loose,
                    packages: m.packages.len() as u32,
                    error: None,
                });
                for p in m.packages {
                    supply.packages.push(Dependency {
                        file: path.clone(),
                        line: p.line as u32,
                        ecosystem: p.ecosystem.osv_name().to_owned(),
                        name: p.name,
                        version: p.version,
                        pinned: p.pinned,
                        direct: p.direct,
                    });
                }
                // `-r`/`-c` includes inside the repository, read as requirements.
                for include in m.includes {
                    let target = normalise(&format!("{}{include}", prefix(&path)));
                    if let Some(target) = target
                        && let Some(id) = by_path.get(target.as_str())
                        && !parsed.contains(&target)
                    {
                        let bytes = repo
                            .map_blobs(&[*id], 1, |_, b| b.to_vec())
                            .pop()
                            .and_then(|r| r.ok());
                        queue.push((target, bytes, Some(Format::Requirements)));
                    }
                }
            }
            Err(e) => supply
                .files
                .push(unreadable(&path, format.name(), &e.message)),
        }
    }
    supply.files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(supply)
}

fn prefix(path: &str) -> String {
    match directory(path) {
        "" => String::new(),
        d => format!("{d}/"),
    }
}

/// `a/./b/../c` → `a/c`; `None` when it climbs out of the repository.
fn normalise(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

fn declares_dependencies(name: &str, text: &str) -> bool {
    match name {
        "Gemfile" => text.lines().any(|l| l.trim_start().starts_with("gem ")),
        "composer.json" => text.contains("\"require"),
        "Pipfile" => text.contains("packages]"),
        _ => text.contains("dependencies"),
    }
}

fn unreadable(path: &str, format: &str, why: &str) -> DependencyFile {
    DependencyFile {
        path: path.to_owned(),
        format: format.to_owned(),
        lockfile: false,
        locked: false,
        loose: 0,
        packages: 0,
        error: Some(why.to_owned()),
    }
}

/// Adds what the stored advisory databases say of `supply`'s pinned
/// packages; `as_of` (epoch seconds) dates the exposure. Without a stored
/// database, `supply.advisories` stays `None`.
pub fn match_advisories(store: &Store, supply: &mut Supply, as_of: i64) -> Result<()> {
    let err = |e: friction_store::StoreError| Error::store(format!("reading the store: {e}"), None);
    supply.findings.clear();
    let databases = store.advisory_databases().map_err(err)?;
    if databases.is_empty() {
        supply.advisories = None;
        return Ok(());
    }
    supply.advisories = Some(AdvisoryState {
        databases: databases.len() as u32,
        newest: databases
            .iter()
            .filter_map(|d| d.database_date.clone())
            .max(),
    });
    let key = |p: &Dependency| -> Option<(Ecosystem, String)> {
        let e = Ecosystem::from_osv(&p.ecosystem)?;
        Some((e, e.canonical_name(&p.name)))
    };
    let keys: BTreeSet<(String, String)> = supply
        .packages
        .iter()
        .filter(|p| p.pinned)
        .filter_map(key)
        .map(|(e, n)| (e.osv_name().to_owned(), n))
        .collect();
    let keys: Vec<(String, String)> = keys.into_iter().collect();
    let mut advisories: Vec<Advisory> = Vec::new();
    for (id, body) in store.advisories_for(&keys).map_err(err)? {
        let advisory: Advisory = serde_json::from_str(&body).map_err(|e| {
            Error::store(
                format!("stored advisory {id} is unreadable: {e}"),
                Some("import the advisory database again with `friction advisories import`"),
            )
        })?;
        advisories.push(advisory);
    }
    let advisories = merge_aliases(advisories);
    let mut covering: HashMap<(Ecosystem, String), Vec<(usize, usize)>> = HashMap::new();
    for (i, a) in advisories.iter().enumerate() {
        for (j, x) in a.affected.iter().enumerate() {
            covering
                .entry((x.ecosystem, x.ecosystem.canonical_name(&x.name)))
                .or_default()
                .push((i, j));
        }
    }
    let mut seen: BTreeMap<(Ecosystem, String, String, String), ()> = BTreeMap::new();
    for (index, p) in supply.packages.iter().enumerate() {
        if !p.pinned {
            continue;
        }
        let Some(k) = key(p) else { continue };
        let Some(candidates) = covering.get(&k) else {
            continue;
        };
        for &(i, j) in candidates {
            let a = &advisories[i];
            let Some(hit) = a.affected[j].matches(&p.version) else {
                continue;
            };
            if seen
                .insert((k.0, k.1.clone(), p.version.clone(), a.id.clone()), ())
                .is_some()
            {
                continue;
            }
            let published = a.published.as_deref().and_then(crate::calendar::parse_date);
            supply.findings.push(Finding {
                package: index as u32,
                advisory: a.id.clone(),
                kind: a.kind.as_str().to_owned(),
                severity: a.severity,
                exposure_days: hit
                    .fix_available
                    .then(|| published.map(|t| ((as_of - t) as f64 / 86_400.0).max(0.0).floor()))
                    .flatten(),
                fixed_in: hit.fixed_in,
            });
        }
    }
    Ok(())
}

/// The dependencies of the repository at `path` at `HEAD` and their
/// findings (`friction advisories audit`), exposure dated at HEAD's commit time.
pub fn audit(store: &Store, path: &std::path::Path) -> Result<Supply> {
    let repo = friction_history::open(path)
        .map_err(|e| Error::input(format!("{}: {e}", path.display()), None))?;
    let head = repo
        .head_commit()
        .map_err(|e| Error::input(format!("{}: {e}", path.display()), None))?;
    let as_of = repo
        .commit_time(head)
        .map_err(|e| Error::input(format!("{}: {e}", path.display()), None))?;
    let mut supply = read(&repo, head)?;
    match_advisories(store, &mut supply, as_of)?;
    Ok(supply)
}
