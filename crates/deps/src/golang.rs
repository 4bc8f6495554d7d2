//! Go modules: `go.mod` (the build list since Go 1.17: `require` lines, with
//! `// indirect` for transitive ones; `replace` directives applied, a module
//! replaced by a local directory is not a dependency) and `go.sum` (every
//! module version whose content is hashed; `/go.mod`-only lines are not
//! dependencies). The toolchain (`go 1.21`) is not read as the standard
//! library's version: the build may use another toolchain.

use std::collections::BTreeSet;

use crate::{Ecosystem, Failure, Package};

const DIRECTIVES: [&str; 10] = [
    "module",
    "go",
    "toolchain",
    "godebug",
    "require",
    "replace",
    "exclude",
    "retract",
    "tool",
    "ignore",
];

struct Replace {
    old: String,
    old_version: Option<String>,
    /// `None`: a local directory.
    new: Option<(String, String)>,
}

pub(crate) fn parse_mod(text: &str) -> Result<Vec<Package>, Failure> {
    let mut required = Vec::new();
    let mut replaces = Vec::new();
    let mut block: Option<&str> = None;
    for (n, raw) in text.lines().enumerate() {
        let number = n + 1;
        let (code, comment) = match raw.find("//") {
            Some(at) => (&raw[..at], &raw[at + 2..]),
            None => (raw, ""),
        };
        let code = code.trim();
        if code.is_empty() {
            continue;
        }
        let (directive, rest) = match block {
            Some(_) if code == ")" => {
                block = None;
                continue;
            }
            Some(b) => (b, code),
            None => {
                let (word, rest) = code.split_once(char::is_whitespace).unwrap_or((code, ""));
                if !DIRECTIVES.contains(&word) {
                    return Err(Failure::at(
                        number,
                        format!("unknown go.mod directive `{word}`"),
                    ));
                }
                let rest = rest.trim();
                if rest == "(" {
                    block = Some(word);
                    continue;
                }
                (word, rest)
            }
        };
        match directive {
            "require" => {
                let fields: Vec<&str> = rest.split_whitespace().collect();
                let [path, version] = fields[..] else {
                    return Err(Failure::at(
                        number,
                        format!("expected `module version`, found `{rest}`"),
                    ));
                };
                if !version.starts_with('v') {
                    return Err(Failure::at(
                        number,
                        format!("`{version}` is not a module version"),
                    ));
                }
                let indirect = comment.split(';').any(|c| c.trim() == "indirect");
                required.push(Package {
                    ecosystem: Ecosystem::Go,
                    name: path.trim_matches('"').to_owned(),
                    version: version.to_owned(),
                    pinned: true,
                    direct: Some(!indirect),
                    line: number,
                });
            }
            "replace" => {
                let Some((old, new)) = rest.split_once("=>") else {
                    return Err(Failure::at(
                        number,
                        format!("replace without `=>`: `{rest}`"),
                    ));
                };
                let old: Vec<&str> = old.split_whitespace().collect();
                let new: Vec<&str> = new.split_whitespace().collect();
                let (Some(old_path), Some(new_path)) = (old.first(), new.first()) else {
                    return Err(Failure::at(number, format!("incomplete replace `{rest}`")));
                };
                replaces.push(Replace {
                    old: old_path.trim_matches('"').to_owned(),
                    old_version: old.get(1).map(|v| (*v).to_owned()),
                    new: new
                        .get(1)
                        .map(|v| (new_path.trim_matches('"').to_owned(), (*v).to_owned())),
                });
            }
            _ => {}
        }
    }
    if block.is_some() {
        return Err(Failure::whole("a block of go.mod is not closed with `)`"));
    }
    Ok(required
        .into_iter()
        .filter_map(|mut p| {
            let replace = replaces.iter().rev().find(|r| {
                r.old == p.name && r.old_version.as_ref().is_none_or(|v| *v == p.version)
            });
            match replace {
                None => Some(p),
                Some(Replace { new: None, .. }) => None,
                Some(Replace {
                    new: Some((path, version)),
                    ..
                }) => {
                    p.name.clone_from(path);
                    p.version.clone_from(version);
                    Some(p)
                }
            }
        })
        .collect())
}

pub(crate) fn parse_sum(text: &str) -> Result<Vec<Package>, Failure> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        match fields[..] {
            [] => {}
            [module, version, hash] if version.starts_with('v') && hash.contains(':') => {
                if version.ends_with("/go.mod") || !seen.insert((module, version)) {
                    continue;
                }
                out.push(Package {
                    ecosystem: Ecosystem::Go,
                    name: module.to_owned(),
                    version: version.to_owned(),
                    pinned: true,
                    direct: None,
                    line: n + 1,
                });
            }
            _ => {
                return Err(Failure::at(
                    n + 1,
                    format!("expected `module version hash`, found `{line}`"),
                ));
            }
        }
    }
    Ok(out)
}
