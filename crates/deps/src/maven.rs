//! Maven `pom.xml`: the dependencies it declares (`<dependencies>`, also in
//! profiles) and manages (`<dependencyManagement>`), with `${property}`
//! references resolved from `<properties>` and the project's own
//! coordinates, and versions a dependency leaves to `<dependencyManagement>`
//! filled from there. A version is pinned when it is one version (not a range
//! `[1.0,2.0)`, not an unresolved property, not absent: a parent or BOM
//! outside this file decides it). Plugins' dependencies are build tools and
//! are not read. Every dependency of a pom is direct; transitive ones are not
//! resolved offline. No DTD is processed: a document declaring entities is refused.

use std::collections::HashMap;

use quick_xml::Reader;
use quick_xml::events::Event;

use crate::{Ecosystem, Failure, Package};

#[derive(Default)]
struct Dependency {
    line: usize,
    group: String,
    artifact: String,
    version: String,
}

pub(crate) fn parse(text: &str) -> Result<Vec<Package>, Failure> {
    let mut reader = Reader::from_str(text);
    let mut path: Vec<String> = Vec::new();
    let mut properties: HashMap<String, String> = HashMap::new();
    let mut dependencies: Vec<Dependency> = Vec::new();
    let mut current: Option<Dependency> = None;
    let mut saw_project = false;
    loop {
        let at = reader.buffer_position() as usize;
        let line = || crate::text::line_of_offset(text.as_bytes(), at);
        let event = reader
            .read_event()
            .map_err(|e| Failure::at(line(), format!("malformed XML: {e}")))?;
        match event {
            Event::Start(e) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                if path.is_empty() {
                    if name != "project" {
                        return Err(Failure::at(
                            line(),
                            format!("the root element is <{name}>, not <project>"),
                        ));
                    }
                    saw_project = true;
                }
                path.push(name);
                if is_dependency(&path) {
                    current = Some(Dependency {
                        line: crate::text::line_of_offset(
                            text.as_bytes(),
                            reader.buffer_position() as usize,
                        ),
                        ..Dependency::default()
                    });
                }
            }
            Event::End(_) => {
                if is_dependency(&path)
                    && let Some(dependency) = current.take()
                {
                    dependencies.push(dependency);
                }
                path.pop();
            }
            Event::Text(t) => {
                let value = t
                    .decode()
                    .map_err(|e| Failure::at(line(), format!("invalid text: {e}")))?;
                let value = value.trim();
                if value.is_empty() {
                    continue;
                }
                let names: Vec<&str> = path.iter().map(String::as_str).collect();
                match names[..] {
                    ["project", "properties", key] => {
                        properties.insert(key.to_owned(), value.to_owned());
                    }
                    ["project", field @ ("version" | "groupId" | "artifactId")] => {
                        properties.insert(format!("project.{field}"), value.to_owned());
                    }
                    ["project", "parent", field @ ("version" | "groupId")] => {
                        properties.insert(format!("project.parent.{field}"), value.to_owned());
                    }
                    _ => {}
                }
                if let (Some(dependency), Some(field)) = (current.as_mut(), names.last())
                    && names.len() >= 2
                    && names[names.len() - 2] == "dependency"
                {
                    match *field {
                        "groupId" => dependency.group = value.to_owned(),
                        "artifactId" => dependency.artifact = value.to_owned(),
                        "version" => dependency.version = value.to_owned(),
                        _ => {}
                    }
                }
            }
            Event::DocType(d) => {
                let bytes: &[u8] = &d;
                if bytes.windows(8).any(|w| w == b"<!ENTITY") {
                    return Err(Failure::at(
                        line(),
                        "the document declares XML entities (<!ENTITY>): refused, entities are never expanded",
                    ));
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !path.is_empty() {
        return Err(Failure::whole(
            "the document ends inside an element (truncated?)",
        ));
    }
    if !saw_project {
        return Err(Failure::whole("no <project> element: not a Maven pom"));
    }
    let managed: HashMap<(String, String), String> = dependencies
        .iter()
        .filter(|d| !d.version.is_empty())
        .map(|d| ((d.group.clone(), d.artifact.clone()), d.version.clone()))
        .collect();
    Ok(dependencies
        .into_iter()
        .map(|d| {
            let declared = if d.version.is_empty() {
                managed
                    .get(&(d.group.clone(), d.artifact.clone()))
                    .cloned()
                    .unwrap_or_default()
            } else {
                d.version
            };
            let version = resolve(&declared, &properties);
            let pinned = !version.is_empty()
                && !version.contains("${")
                && !version.starts_with(['[', '('])
                && !version.contains(',');
            Package {
                ecosystem: Ecosystem::Maven,
                name: format!(
                    "{}:{}",
                    resolve(&d.group, &properties),
                    resolve(&d.artifact, &properties)
                ),
                version,
                pinned,
                direct: Some(true),
                line: d.line,
            }
        })
        .collect())
}

/// `project/dependencies/dependency`, `project/dependencyManagement/dependencies/dependency`
/// and the same inside a profile; not a plugin's.
fn is_dependency(path: &[String]) -> bool {
    let names: Vec<&str> = path.iter().map(String::as_str).collect();
    matches!(
        names[..],
        ["project", "dependencies", "dependency"]
            | [
                "project",
                "dependencyManagement",
                "dependencies",
                "dependency"
            ]
            | [
                "project",
                "profiles",
                "profile",
                "dependencies",
                "dependency"
            ]
            | [
                "project",
                "profiles",
                "profile",
                "dependencyManagement",
                "dependencies",
                "dependency"
            ]
    )
}

/// `${name}` references replaced by their properties, repeatedly (a property
/// may refer to another), at most eight levels deep; unknown ones are kept.
fn resolve(value: &str, properties: &HashMap<String, String>) -> String {
    let mut out = value.to_owned();
    for _ in 0..8 {
        let Some(start) = out.find("${") else {
            break;
        };
        let Some(len) = out[start..].find('}') else {
            break;
        };
        let key = &out[start + 2..start + len];
        let Some(replacement) = properties.get(key) else {
            break;
        };
        out = format!(
            "{}{}{}",
            &out[..start],
            replacement,
            &out[start + len + 1..]
        );
    }
    out
}
